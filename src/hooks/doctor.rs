//! `guardsh doctor`: for each agent whose settings exist, is guardsh's hook installed, and
//! does the installed command answer? A harmless probe must pass and a destructive one must
//! be refused, each read the way that agent reads a hook's answer.

use std::io::{Read as _, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::install::{Error, installed_commands, read_settings};
use super::paths::{Home, SETTINGS_AGENTS, agent_name};
use super::{claude, codex, copilot, cursor, gemini};
use crate::cli::{DoctorArgs, Scope, SettingsAgent};

/// A command every hook must let through.
pub const HARMLESS_PROBE: &str = "ls";
/// A command every hook must refuse (the incident guardsh exists for).
pub const DESTRUCTIVE_PROBE: &str = "railway volume delete x --yes";
/// How long a probe may take before the hook counts as hung (agents time out at 30 s).
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// A hook's answer, as its agent would read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// The tool may run (no opinion, or an allow).
    Pass,
    /// The agent asks its user.
    Ask,
    /// The tool is refused.
    Deny,
    /// An answer the agent would not understand (most then run the tool).
    Unreadable(String),
}

impl Seen {
    fn describe(&self) -> String {
        match self {
            Seen::Pass => "passes".to_owned(),
            Seen::Ask => "asks the user".to_owned(),
            Seen::Deny => "refused".to_owned(),
            Seen::Unreadable(why) => format!("unreadable answer ({why})"),
        }
    }
}

/// The whole report (`--json` prints it as one object).
#[derive(Debug, Serialize)]
struct Report {
    agents: Vec<AgentReport>,
    shell_mode: String,
    shims: String,
    ok: bool,
}

/// One agent's settings file.
#[derive(Debug, Serialize)]
struct AgentReport {
    agent: &'static str,
    scope: &'static str,
    settings: String,
    settings_exist: bool,
    installed: bool,
    command: Option<String>,
    probes: Vec<ProbeReport>,
    working: bool,
    problems: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ProbeReport {
    command: &'static str,
    expected: &'static str,
    answer: String,
    ok: bool,
}

/// Run `guardsh doctor`. Returns 0 when every installed hook works, 7 when one does not.
pub fn execute(args: &DoctorArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let home = Home::detect().ok_or(Error::NoHome)?;
    let project = std::env::current_dir().map_err(Error::Cwd)?;
    let mut agents = Vec::new();
    for agent in SETTINGS_AGENTS {
        for scope in [Scope::User, Scope::Project] {
            let path = home.settings_file(agent, scope, &project);
            let relevant =
                path.exists() || (scope == Scope::User && home.agent_dir(agent).is_dir());
            // The project may be the home directory: one report per file.
            if relevant
                && !agents
                    .iter()
                    .any(|a: &AgentReport| a.settings == path.display().to_string())
            {
                agents.push(check_agent(agent, scope, &path)?);
            }
        }
    }
    let report = Report {
        ok: agents.iter().all(|a| !a.installed || a.working),
        agents,
        shell_mode: shell_mode(),
        shims: shims(),
    };
    let text = if args.json {
        format!("{}\n", serde_json::to_string(&report)?)
    } else {
        render(&report)
    };
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Output)?;
    Ok(if report.ok {
        crate::exit::OK
    } else {
        crate::exit::HOOK_BROKEN
    })
}

/// Shell mode through the links `guardsh shell install` makes: a harmless probe must run
/// and the incident's command must be refused.
fn shell_mode() -> String {
    let Some(dir) = crate::paths::shell_bin_dir() else {
        return "not checked: no home directory".to_owned();
    };
    let bash = dir.join("bash");
    if !bash.exists() {
        return format!(
            "no links in {} (`guardsh shell install` makes them)",
            dir.display()
        );
    }
    let run = |line: &str| {
        crate::exec::output(&bash, &["-c", line], b"")
            .map(|o| o.status.code())
            .unwrap_or(None)
    };
    match (run("true"), run("railway volume delete x --yes")) {
        (Some(0), Some(126)) => format!("installed in {} and working", dir.display()),
        (ok, refused) => format!(
            "installed in {} but NOT working: `true` exited {ok:?}, the incident's command {refused:?} (126 expected)",
            dir.display()
        ),
    }
}

/// The shims in the shim directory, and whether PATH reaches them first.
fn shims() -> String {
    let Some(dir) = crate::paths::shim_dir() else {
        return "not checked: no home directory".to_owned();
    };
    let names = crate::shim::list(Some(&dir)).unwrap_or_default();
    if names.is_empty() {
        return format!(
            "none in {} (`guardsh shim add --recommended` adds them)",
            dir.display()
        );
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d == dir))
        .unwrap_or(false);
    format!(
        "{} in {} ({}){}",
        names.len(),
        dir.display(),
        names.join(", "),
        if on_path {
            ""
        } else {
            "; NOT on PATH, so they guard nothing yet"
        }
    )
}

fn check_agent(agent: SettingsAgent, scope: Scope, path: &Path) -> Result<AgentReport, Error> {
    let mut report = AgentReport {
        agent: agent_name(agent),
        scope: match scope {
            Scope::User => "user",
            Scope::Project => "project",
        },
        settings: path.display().to_string(),
        settings_exist: false,
        installed: false,
        command: None,
        probes: Vec::new(),
        working: false,
        problems: Vec::new(),
    };
    let Some(text) = read_settings(path)? else {
        return Ok(report);
    };
    report.settings_exist = true;
    let commands = match installed_commands(agent, &text) {
        Ok(c) => c,
        Err(e) => {
            report
                .problems
                .push(format!("the settings file cannot be read: {e}"));
            return Ok(report);
        }
    };
    let Some(command) = commands.first() else {
        return Ok(report);
    };
    report.installed = true;
    report.command = Some(command.clone());
    if commands.len() > 1 {
        report
            .problems
            .push(format!("guardsh's hook is there {} times", commands.len()));
    }
    report.problems.extend(switched_off(agent, &text));
    for (probe, expected) in [
        (HARMLESS_PROBE, Seen::Pass),
        (DESTRUCTIVE_PROBE, Seen::Deny),
    ] {
        let seen = run_probe(agent, command, probe);
        let ok = seen == expected;
        if !ok {
            report.problems.push(format!(
                "`{probe}` should be {} but is {}",
                expected.describe(),
                seen.describe()
            ));
        }
        report.probes.push(ProbeReport {
            command: probe,
            expected: if expected == Seen::Pass {
                "pass"
            } else {
                "deny"
            },
            answer: seen.describe(),
            ok,
        });
    }
    report.working = report.problems.is_empty();
    Ok(report)
}

/// Settings that switch every hook off.
fn switched_off(agent: SettingsAgent, text: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    if v["disableAllHooks"] == true {
        problems.push("disableAllHooks is true in this file: no hook runs".to_owned());
    }
    if agent == SettingsAgent::Gemini
        && (v["hooksConfig"]["enabled"] == false || v["hooks"]["enabled"] == false)
    {
        problems.push("hooks are switched off in this file (hooksConfig.enabled)".to_owned());
    }
    problems
}

/// Run the installed hook command with the agent's payload for `probe`.
fn run_probe(agent: SettingsAgent, command: &str, probe: &str) -> Seen {
    let payload = match agent {
        SettingsAgent::ClaudeCode => claude::probe(probe),
        SettingsAgent::Cursor => cursor::probe(probe),
        SettingsAgent::Codex => codex::probe(probe),
        SettingsAgent::Gemini => gemini::probe(probe),
        SettingsAgent::Copilot => copilot::probe(probe),
    };
    let (stdout, code) = match spawn(command, &payload) {
        Ok(answer) => answer,
        Err(why) => return Seen::Unreadable(why),
    };
    match agent {
        SettingsAgent::ClaudeCode => claude::seen(&stdout, code),
        SettingsAgent::Cursor => cursor::seen(&stdout, code),
        SettingsAgent::Codex => codex::seen(&stdout, code),
        SettingsAgent::Gemini => gemini::seen(&stdout, code),
        SettingsAgent::Copilot => copilot::seen(&stdout, code),
    }
}

/// Run a hook command line (split as a shell would, run without one) with `payload` on its
/// standard input; its standard output and exit code, or why there are none.
// This runs only the hook command a user's settings name, with a fixed probe payload, never
// a command under test, and needs a time-out exec.rs does not offer: it stays here.
#[allow(clippy::disallowed_methods)]
fn spawn(command: &str, payload: &str) -> Result<(String, i32), String> {
    let argv = shell_words::split(command).map_err(|e| format!("cannot split the command: {e}"))?;
    let (program, args) = argv.split_first().ok_or("the command is empty")?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A hook that exits without reading is judged by its answer, not by this write.
        let _ = stdin.write_all(payload.as_bytes());
    }
    let reader = child.stdout.take().map(|mut stdout| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        })
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < PROBE_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {} s", PROBE_TIMEOUT.as_secs()));
            }
            Err(e) => return Err(format!("cannot wait for it: {e}")),
        }
    };
    let stdout = reader.and_then(|r| r.join().ok()).unwrap_or_default();
    Ok((stdout, status.code().unwrap_or(-1)))
}

fn render(report: &Report) -> String {
    let mut out = String::new();
    if report.agents.is_empty() {
        out.push_str(
            "no agent settings found (looked for Claude Code, Cursor, Codex, Gemini CLI and Copilot CLI)\n",
        );
    }
    for a in &report.agents {
        out.push_str(&format!(
            "{} ({} settings: {})\n",
            a.agent, a.scope, a.settings
        ));
        if !a.installed {
            for p in &a.problems {
                out.push_str(&format!("  problem: {p}\n"));
            }
            let scope = if a.scope == "project" {
                " --scope project"
            } else {
                ""
            };
            out.push_str(&format!(
                "  hook: not installed (run `guardsh install {}{scope}`)\n",
                a.agent
            ));
            continue;
        }
        out.push_str(&format!(
            "  hook: installed: {}\n",
            crate::term::escape(a.command.as_deref().unwrap_or(""))
        ));
        for p in &a.probes {
            out.push_str(&format!(
                "  probe `{}`: {}{}\n",
                p.command,
                p.answer,
                if p.ok { ", as it should" } else { "" }
            ));
        }
        for p in &a.problems {
            out.push_str(&format!("  problem: {}\n", crate::term::escape(p)));
        }
        out.push_str(if a.working {
            "  working\n"
        } else {
            "  NOT WORKING\n"
        });
    }
    out.push_str(&format!(
        "shell mode: {}\nshims: {}\n",
        report.shell_mode, report.shims
    ));
    out
}
