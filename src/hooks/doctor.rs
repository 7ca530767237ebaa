//! `guardsh doctor`: for each agent whose settings exist, is guardsh's hook installed, and
//! does the installed command answer? A harmless probe must pass and a destructive one must
//! be refused, each read the way that agent reads a hook's answer.
//!
//! It states the protection level once (kernel or parse-only, with the reason: see
//! confine.rs), then per agent which protection holds: guardsh as its shell inside the
//! kernel boundary, a hook in the agent's system-wide settings that no user can change, a
//! hook in settings the agent's own user can rewrite, or none; and which settings would
//! still switch a hook off (`disableAllHooks` and the like). It claims only what it can see:
//! an agent whose shell guardsh cannot read from its settings is not counted as confined.

use std::io::{Read as _, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use super::install::{Error, installed_commands, read_settings};
use super::paths::{Home, SETTINGS_AGENTS, agent_name, system_settings_file};
use super::{claude, codex, copilot, cursor, gemini, system};
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
pub struct Report {
    /// The protection level of what guardsh starts: `kernel` or `parse-only`.
    pub protection: &'static str,
    /// Why the level is parse-only (absent at the kernel level).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection_note: Option<String>,
    /// What holds where guardsh only answers a hook and does not start the command.
    pub hook_only: &'static str,
    /// One entry per settings file looked at.
    pub agents: Vec<AgentReport>,
    /// One entry per agent: which protection holds for it.
    pub agent_protection: Vec<Protection>,
    /// Shell mode through `guardsh shell install`'s links.
    pub shell_mode: String,
    /// The shims, and whether PATH reaches them.
    pub shims: String,
    /// Every installed hook works and none is switched off.
    pub ok: bool,
}

/// How well one agent is held, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// guardsh is the agent's shell and the kernel boundary holds: every command the agent
    /// runs through it is confined.
    ConfinedShell,
    /// In the agent's system-wide settings, which only root can change and which user and
    /// project settings cannot override.
    SystemHook,
    /// Only in settings the agent's user can change (user or project scope).
    UserHook,
    /// No hook.
    None,
}

/// Which protection holds for one agent's hook, and what could still switch it off.
#[derive(Debug, Serialize)]
pub struct Protection {
    /// The agent.
    pub agent: &'static str,
    /// The strongest that holds: `confined-shell`, `system-hook`, `user-hook` or `none`.
    pub protection: Level,
    /// Where guardsh is set as the agent's shell, if guardsh can see that.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shell: Option<String>,
    /// The hook's own level, apart from the shell: `system-hook`, `user-hook` or `none`.
    pub hook: Level,
    /// The settings files that hold guardsh's hook, system-wide first.
    pub hook_in: Vec<String>,
    /// Whether a setting the agent's user can write (user or project settings) could switch
    /// the hook off.
    pub user_can_switch_off: bool,
    /// The settings that would switch it off, in words.
    pub switches: Vec<String>,
    /// Settings that switch it off now.
    pub switched_off: Vec<String>,
    /// What else weakens it (a system file users can write, a binary users can replace).
    pub notes: Vec<String>,
}

/// One agent's settings file.
#[derive(Debug, Serialize)]
pub struct AgentReport {
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

/// One probe of an installed hook.
#[derive(Debug, Serialize)]
pub struct ProbeReport {
    command: &'static str,
    expected: &'static str,
    answer: String,
    ok: bool,
}

/// Run `guardsh doctor`. Returns 0 when every installed hook works, 7 when one does not.
pub fn execute(args: &DoctorArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let report = report()?;
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

/// Everything `doctor` finds, for the current user and directory.
pub fn report() -> Result<Report, Error> {
    let home = Home::detect().ok_or(Error::NoHome)?;
    let project = std::env::current_dir().map_err(Error::Cwd)?;
    let mut agents = Vec::new();
    let mut protection = Vec::new();
    let kernel = crate::confine::level();
    for agent in SETTINGS_AGENTS {
        let first = agents.len();
        for scope in [Scope::System, Scope::User, Scope::Project] {
            let Some(path) = home.settings_file(agent, scope, &project) else {
                continue;
            };
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
        let shell = shell_of(agent, &home, &project);
        if agents.len() > first || shell.is_some() {
            protection.push(protection_of(
                agent,
                &agents[first..],
                shell,
                &kernel,
                &home,
                &project,
            ));
        }
    }
    let ok = agents.iter().all(|a| !a.installed || a.working)
        && protection.iter().all(|p| p.switched_off.is_empty());
    Ok(Report {
        ok,
        protection: kernel.name(),
        protection_note: match &kernel {
            crate::confine::Level::Kernel => None,
            crate::confine::Level::ParseOnly(why) => Some(why.clone()),
        },
        hook_only: HOOK_ONLY,
        agents,
        agent_protection: protection,
        shell_mode: shell_mode(),
        shims: shims(),
    })
}

/// The protection one agent's hook has, from the reports on its settings files.
fn protection_of(
    agent: SettingsAgent,
    files: &[AgentReport],
    shell: Option<ShellSetting>,
    kernel: &crate::confine::Level,
    home: &Home,
    project: &Path,
) -> Protection {
    let mut notes = Vec::new();
    let mut hook_in = Vec::new();
    let mut level = Level::None;
    for file in files.iter().filter(|f| f.installed) {
        hook_in.push(file.settings.clone());
        if file.scope == "system" {
            match system::protected(Path::new(&file.settings), false) {
                Ok(()) => level = Level::SystemHook,
                Err(why) => notes.push(format!(
                    "the system-wide file {} is not out of users' reach ({why}): it counts as \
                     a user-scope hook",
                    file.settings
                )),
            }
            let program = file
                .command
                .as_deref()
                .and_then(|c| shell_words::split(c).ok())
                .and_then(|argv| argv.into_iter().next());
            if let Some(program) = program
                && let Err(why) = system::protected_program(Path::new(&program))
            {
                notes.push(system::program_note(Path::new(&program), &why));
            }
        }
        if level == Level::None {
            level = Level::UserHook;
        }
    }
    let (switches, switched_off, user_can_switch_off) = switches(agent, level, home, project);
    let hook = level;
    let mut protection = level;
    if let Some(shell) = &shell {
        match kernel {
            crate::confine::Level::Kernel => protection = Level::ConfinedShell,
            crate::confine::Level::ParseOnly(why) => notes.push(format!(
                "guardsh is its shell ({}), but the protection level is parse-only ({why}): its \
                 commands are checked, not confined",
                shell.shown
            )),
        }
        if !shell.fixed {
            notes.push(format!(
                "guardsh is made its shell by {}, which the agent's user can change",
                shell.shown
            ));
        }
    } else if let Some(how) = shell_unknown(agent) {
        notes.push(how.to_owned());
    }
    Protection {
        agent: agent_name(agent),
        protection,
        shell: shell.map(|s| s.shown),
        hook,
        hook_in,
        user_can_switch_off,
        switches,
        switched_off,
        notes,
    }
}

/// What holds in hook-only mode, said the same way in the text and the JSON.
const HOOK_ONLY: &str = "where guardsh only answers an agent's hook (it is not the agent's \
shell): guardsh refuses the commands it recognises as destructive and the agent's edits to \
guardsh's own files; the kernel boundary does not apply to commands guardsh does not start; \
`guardsh confine -- AGENT` starts the agent itself inside the boundary";

/// Where an agent is told to use guardsh as its shell.
struct ShellSetting {
    /// The setting and where it is, in words.
    shown: String,
    /// Set where the agent's user cannot change it (the system-wide settings).
    fixed: bool,
}

/// guardsh as the agent's shell, when the agent's settings say so in a way guardsh can read.
/// Only Claude Code documents one (`CLAUDE_CODE_SHELL`, in the environment or a settings
/// file's `env`); the strongest place wins.
fn shell_of(agent: SettingsAgent, home: &Home, project: &Path) -> Option<ShellSetting> {
    if agent != SettingsAgent::ClaudeCode {
        return None;
    }
    const VAR: &str = "CLAUDE_CODE_SHELL";
    let is_guardsh = |value: &str| {
        let path = match (value.strip_prefix("~/"), value) {
            (Some(rest), _) => home.home.join(rest),
            (None, v) => std::path::PathBuf::from(v),
        };
        crate::exec::is_guardsh(&path)
            || crate::paths::guardsh_binary()
                .is_ok_and(|own| path.canonicalize().is_ok_and(|real| real == own))
    };
    // The managed file first: the only place the agent's user cannot change it.
    let files = [
        (system_settings_file(agent), true),
        (Some(project.join(".claude/settings.local.json")), false),
        (Some(project.join(".claude/settings.json")), false),
        (Some(home.claude.join("settings.json")), false),
    ];
    for (file, fixed) in files {
        let Some(file) = file else { continue };
        let fixed = fixed && system::protected(&file, false).is_ok();
        if let Some(v) = json_file(&file)
            && let Some(value) = v["env"][VAR].as_str()
            && is_guardsh(value)
        {
            return Some(ShellSetting {
                shown: format!("{VAR} in {}", file.display()),
                fixed,
            });
        }
    }
    let value = std::env::var(VAR).ok()?;
    is_guardsh(&value).then(|| ShellSetting {
        shown: format!("{VAR} in this environment (doctor cannot see the agent's own)"),
        fixed: false,
    })
}

/// For agents whose shell guardsh cannot read from their settings: what it does not claim.
fn shell_unknown(agent: SettingsAgent) -> Option<&'static str> {
    (agent != SettingsAgent::ClaudeCode).then_some(
        "guardsh cannot tell from this agent's settings whether it runs its commands through \
         guardsh, so it does not count them as confined; start the agent with `guardsh \
         confine -- AGENT` for the kernel boundary around everything it does",
    )
}

/// A JSON settings file, if it is there and readable.
fn json_file(path: &Path) -> Option<Value> {
    let text = read_settings(path).ok()??;
    serde_json::from_str(&text).ok()
}

/// A TOML file, if it is there and readable.
fn toml_file(path: &Path) -> Option<toml_edit::DocumentMut> {
    let text = read_settings(path).ok()??;
    text.parse().ok()
}

/// `[features] hooks` (or its old name `codex_hooks`) in a Codex TOML file.
fn codex_hooks_feature(doc: &toml_edit::DocumentMut) -> Option<bool> {
    let features = doc.get("features")?;
    features
        .get("hooks")
        .or_else(|| features.get("codex_hooks"))
        .and_then(toml_edit::Item::as_bool)
}

/// What would switch the hook off, what does now, and whether the agent's user could.
fn switches(
    agent: SettingsAgent,
    level: Level,
    home: &Home,
    project: &Path,
) -> (Vec<String>, Vec<String>, bool) {
    let mut would = Vec::new();
    let mut now = Vec::new();
    if level == Level::None {
        return (would, now, false);
    }
    let shown = |p: &Path| p.display().to_string();
    let system = system_settings_file(agent);
    let user_can = match agent {
        SettingsAgent::ClaudeCode => {
            let managed = system.as_deref().and_then(json_file);
            let layers = [
                home.claude.join("settings.json"),
                project.join(".claude/settings.json"),
                project.join(".claude/settings.local.json"),
            ];
            if level == Level::UserHook {
                would.push(
                    "`disableAllHooks: true` in the user's or the project's settings \
                     (~/.claude/settings.json, .claude/settings.json, .claude/settings.local.json)"
                        .to_owned(),
                );
                for layer in &layers {
                    if json_file(layer).is_some_and(|v| v["disableAllHooks"] == true) {
                        now.push(format!("disableAllHooks is true in {}", shown(layer)));
                    }
                }
                if managed
                    .as_ref()
                    .is_some_and(|v| v["allowManagedHooksOnly"] == true)
                {
                    now.push(
                        "allowManagedHooksOnly is true in the managed settings: only managed \
                         hooks run"
                            .to_owned(),
                    );
                }
            }
            // A managed `disableAllHooks` stops every hook; doctor reports it on that file.
            level == Level::UserHook
        }
        SettingsAgent::Codex => {
            let requirements = system
                .as_deref()
                .and_then(Path::parent)
                .map(|d| d.join("requirements.toml"));
            let pinned = requirements.as_deref().and_then(toml_file);
            let pinned = pinned.as_ref().and_then(codex_hooks_feature);
            if pinned == Some(false) {
                now.push("`[features] hooks = false` in the system requirements.toml".to_owned());
            }
            let layers = [
                home.codex.join("config.toml"),
                project.join(".codex/config.toml"),
            ];
            let feature_off = pinned != Some(true);
            if feature_off {
                would.push(
                    "`[features] hooks = false` in ~/.codex/config.toml or .codex/config.toml \
                     (every hook, the system one too, unless the system requirements.toml pins \
                     `[features] hooks = true`)"
                        .to_owned(),
                );
                for layer in &layers {
                    if toml_file(layer)
                        .as_ref()
                        .and_then(codex_hooks_feature)
                        .is_some_and(|on| !on)
                    {
                        now.push(format!("`[features] hooks = false` in {}", shown(layer)));
                    }
                }
            }
            if level == Level::UserHook
                && requirements
                    .as_deref()
                    .and_then(toml_file)
                    .and_then(|d| d.get("allow_managed_hooks_only").and_then(|v| v.as_bool()))
                    == Some(true)
            {
                now.push(
                    "allow_managed_hooks_only is true in the system requirements.toml: only \
                     managed hooks run"
                        .to_owned(),
                );
            }
            level == Level::UserHook || feature_off
        }
        SettingsAgent::Gemini => {
            let sys = system.as_deref().and_then(json_file);
            let pinned = sys
                .as_ref()
                .is_some_and(|v| v["hooksConfig"]["enabled"] == true);
            let layers = [
                home.home.join(".gemini/settings.json"),
                project.join(".gemini/settings.json"),
            ];
            if !pinned {
                would.push(
                    "`hooksConfig.enabled: false` in ~/.gemini/settings.json or \
                     .gemini/settings.json (unless the system settings set it to true)"
                        .to_owned(),
                );
                for layer in &layers {
                    let v = json_file(layer);
                    if v.as_ref().is_some_and(|v| {
                        v["hooksConfig"]["enabled"] == false || v["hooks"]["enabled"] == false
                    }) {
                        now.push(format!("hooks are switched off in {}", shown(layer)));
                    }
                }
            }
            // How Gemini merges the list of disabled hooks across layers is not documented:
            // every layer is read.
            would.push(
                "guardsh's hook named in `hooksConfig.disabled` in a settings file (how Gemini \
                 merges that list across layers is not documented)"
                    .to_owned(),
            );
            for layer in layers.iter().chain(system.as_ref()) {
                let names = json_file(layer)
                    .and_then(|v| v["hooksConfig"]["disabled"].as_array().cloned())
                    .unwrap_or_default();
                if names
                    .iter()
                    .any(|n| n.as_str().is_some_and(|n| n.contains("guardsh")))
                {
                    now.push(format!(
                        "hooksConfig.disabled names guardsh in {}",
                        shown(layer)
                    ));
                }
            }
            true
        }
        SettingsAgent::Copilot => {
            // Copilot CLI reads these for `disableAllHooks` (and hooks), the .claude ones too.
            would.push(
                "`disableAllHooks: true` in ~/.copilot/settings.json or the project's \
                 .github/copilot/settings.json, .github/copilot/settings.local.json, \
                 .claude/settings.json or .claude/settings.local.json"
                    .to_owned(),
            );
            for layer in [
                home.copilot.join("settings.json"),
                project.join(".github/copilot/settings.json"),
                project.join(".github/copilot/settings.local.json"),
                project.join(".claude/settings.json"),
                project.join(".claude/settings.local.json"),
            ] {
                if json_file(&layer).is_some_and(|v| v["disableAllHooks"] == true) {
                    now.push(format!("disableAllHooks is true in {}", shown(&layer)));
                }
            }
            true
        }
        // Cursor documents no switch that turns hooks off.
        SettingsAgent::Cursor => level == Level::UserHook,
    };
    (would, now, user_can)
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
            Scope::System => "system",
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
    let mut out = render_level(report);
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
            let scope = match a.scope {
                "project" => " --scope project",
                "system" => " --scope system",
                _ => "",
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
    for p in &report.agent_protection {
        out.push_str(&render_protection(p));
    }
    out.push_str(&format!(
        "shell mode: {}\nshims: {}\nhook-only: {}\n",
        report.shell_mode, report.shims, report.hook_only
    ));
    out
}

fn render_level(report: &Report) -> String {
    match &report.protection_note {
        None => "protection: kernel (commands guardsh starts cannot change its protected \
                 directory, however they are spelled)\n"
            .to_owned(),
        Some(why) => format!(
            "protection: parse-only ({}): guardsh refuses what it recognises, but a command it \
             lets run could change guardsh's own files\n",
            crate::term::escape(why)
        ),
    }
}

fn render_protection(p: &Protection) -> String {
    let what = match p.protection {
        Level::ConfinedShell => format!(
            "confined shell (guardsh is its shell: {}; its commands run inside the kernel \
             boundary)",
            crate::term::escape(p.shell.as_deref().unwrap_or(""))
        ),
        Level::SystemHook => format!(
            "system-scope hook (in {}, root-owned, not writable by the user)",
            p.hook_in.first().map_or("", String::as_str)
        ),
        Level::UserHook => "user-scope hook only (the agent's user can remove it)".to_owned(),
        Level::None => "not installed".to_owned(),
    };
    let mut out = format!("{} protection: {what}\n", p.agent);
    if p.protection == Level::ConfinedShell {
        let hook = match p.hook {
            Level::SystemHook => "system-scope hook",
            Level::UserHook => "user-scope hook only (the agent's user can remove it)",
            _ => "none",
        };
        out.push_str(&format!("  hook: {hook}\n"));
    }
    if p.hook != Level::None {
        if p.user_can_switch_off {
            for s in &p.switches {
                out.push_str(&format!("  would be switched off by: {s}\n"));
            }
        } else {
            out.push_str("  no user or project setting can switch it off\n");
        }
    }
    for s in &p.switched_off {
        out.push_str(&format!(
            "  problem: switched off now: {}\n",
            crate::term::escape(s)
        ));
    }
    for n in &p.notes {
        out.push_str(&format!("  note: {}\n", crate::term::escape(n)));
    }
    out
}
