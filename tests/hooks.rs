//! `guardsh hook`, `install`, `uninstall` and `doctor`, run as the agents run them: the
//! binary, a payload on standard input, a temporary HOME.
//!
//! The payloads are the documentation examples recorded in reference/agents.md §2.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

const EXE: &str = env!("CARGO_BIN_EXE_guardsh");

/// A protected root that does not exist: every command here runs as on a machine without
/// `guardsh setup`, whatever the machine has in /srv/guardsh.
const NO_PROTECTED_ROOT: &str = "/nonexistent/guardsh-test-root";

/// A directory that is removed when the test ends: a fake HOME and a project in it.
struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "guardsh-hooks-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("home")).expect("create home");
        std::fs::create_dir_all(root.join("project")).expect("create project");
        std::fs::create_dir_all(root.join("system")).expect("create system root");
        Sandbox { root }
    }

    fn home(&self) -> PathBuf {
        self.root.join("home")
    }

    fn project(&self) -> PathBuf {
        self.root.join("project")
    }

    /// What guardsh takes for `/` when it looks for system-wide settings.
    fn system(&self) -> PathBuf {
        self.root.join("system")
    }

    /// Write a file under HOME.
    fn put(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.home().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
        path
    }

    /// guardsh with this HOME, run in the project directory, with nothing from the caller's
    /// environment that guardsh or the agents read.
    #[allow(clippy::disallowed_methods)] // the binary under test is what must run
    fn guardsh(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(EXE);
        cmd.args(args)
            .current_dir(self.project())
            .env("HOME", self.home())
            .env("GUARDSH_TEST_PROTECTED_ROOT", NO_PROTECTED_ROOT)
            // The agents' system-wide settings are read (and written) here, never in /etc.
            .env("GUARDSH_TEST_SYSTEM_ROOT", self.system())
            .stdin(Stdio::null());
        for var in [
            "XDG_CONFIG_HOME",
            "XDG_STATE_HOME",
            "CLAUDE_CONFIG_DIR",
            "CODEX_HOME",
            "COPILOT_HOME",
            "CLAUDE_CODE_ENTRYPOINT",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.guardsh(args).output().expect("guardsh runs")
    }

    /// `guardsh hook AGENT` with `payload` on standard input and extra variables.
    fn hook_env(&self, agent: &str, payload: &str, env: &[(&str, &str)]) -> Output {
        let mut cmd = self.guardsh(&["hook", agent]);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("guardsh runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(payload.as_bytes())
            .expect("payload written");
        child.wait_with_output().expect("guardsh finishes")
    }

    fn hook(&self, agent: &str, payload: &str) -> Output {
        self.hook_env(agent, payload, &[])
    }

    /// Every file under the sandbox with its content, to prove a run wrote nothing.
    fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push((p.clone(), std::fs::read(&p).unwrap_or_default()));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out.sort();
        out
    }

    fn backups(&self, file: &Path) -> Vec<PathBuf> {
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        let mut found: Vec<PathBuf> = std::fs::read_dir(file.parent().expect("dir"))
            .expect("read dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("{name}.guardsh-backup-")))
            })
            .collect();
        found.sort();
        found
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {:?}", stdout(o)))
}

/// The command line installed hooks run.
fn hook_command(agent: &str) -> String {
    format!("{} hook {agent}", shell_words::quote(EXE))
}

// --- Recorded payloads (agents.md §2) ----------------------------------------------------------

const CLAUDE: &str = r#"{"session_id":"abc123","transcript_path":"/home/u/.claude/projects/x.jsonl","cwd":"/repo","permission_mode":"default",
 "hook_event_name":"PreToolUse","tool_name":"Bash",
 "tool_input":{"command":"railway volume delete vol_1","description":"Delete volume","timeout":120000,"run_in_background":false},
 "tool_use_id":"toolu_01"}"#;

const CURSOR: &str = r#"{"hook_event_name":"beforeShellExecution","conversation_id":"c1","generation_id":"g1",
 "workspace_roots":["/repo"],"model":"m","cursor_version":"1.7.2","user_email":"u@example.com",
 "command":"DROP DATABASE prod","cwd":"/repo","sandbox":false}"#;

const GEMINI: &str = r#"{"session_id":"s1","transcript_path":"/t","cwd":"/repo","hook_event_name":"BeforeTool","timestamp":"2025-10-01T00:00:00Z",
 "tool_name":"run_shell_command","tool_input":{"command":"rm -rf /","description":"clean","dir_path":".","is_background":false}}"#;

const CODEX: &str = r#"{"session_id":"s1","turn_id":"t1","cwd":"/repo","hook_event_name":"PreToolUse","model":"gpt-5-codex",
 "permission_mode":"default","tool_name":"Bash","tool_input":{"command":"railway volume delete x"},
 "tool_use_id":"call_1","transcript_path":"/t"}"#;

const COPILOT: &str = r#"{"timestamp":1730000000000,"cwd":"/repo","toolName":"bash","toolArgs":"{\"command\":\"rm -rf /\",\"description\":\"clean\"}"}"#;

const WINDSURF: &str = r#"{"agent_action_name":"pre_run_command","trajectory_id":"t","execution_id":"e","timestamp":"2025-10-01T00:00:00Z","model_name":"m",
 "tool_info":{"command_line":"rm -rf /","cwd":"/repo"}}"#;

const CLINE: &str = r#"{"clineVersion":"3.30.0","hookName":"PreToolUse","timestamp":"1730000000000","taskId":"task1","workspaceRoots":["/repo"],"userId":"u1",
 "preToolUse":{"toolName":"execute_command","parameters":{"command":"rm -rf /","requires_approval":"true"}}}"#;

/// A payload of each agent's shape running `command`.
fn shell_payload(agent: &str, command: &str) -> String {
    match agent {
        "claude-code" => json!({"session_id": "s", "cwd": "/repo", "permission_mode": "default",
            "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}}),
        "cursor" => json!({"hook_event_name": "beforeShellExecution", "command": command, "cwd": "/repo"}),
        "codex" => json!({"session_id": "s", "turn_id": "t", "cwd": "/repo", "hook_event_name": "PreToolUse",
            "tool_name": "Bash", "tool_input": {"command": command}}),
        "gemini" => json!({"session_id": "s", "cwd": "/repo", "hook_event_name": "BeforeTool",
            "tool_name": "run_shell_command", "tool_input": {"command": command}}),
        "copilot" => json!({"timestamp": 1, "cwd": "/repo", "toolName": "bash",
            "toolArgs": json!({"command": command}).to_string()}),
        "windsurf" => json!({"agent_action_name": "pre_run_command",
            "tool_info": {"command_line": command, "cwd": "/repo"}}),
        "cline" => json!({"hookName": "PreToolUse", "workspaceRoots": ["/repo"],
            "preToolUse": {"toolName": "execute_command", "parameters": {"command": command}}}),
        other => panic!("no payload for {other}"),
    }
    .to_string()
}

const AGENTS: [&str; 7] = [
    "claude-code",
    "cursor",
    "codex",
    "gemini",
    "copilot",
    "windsurf",
    "cline",
];

/// Is `o` the agent's refusal? Returns the reason given.
fn refusal(agent: &str, o: &Output) -> String {
    let v = || json_out(o);
    let reason = match agent {
        "claude-code" | "codex" => {
            let v = v();
            assert_eq!(
                v["hookSpecificOutput"]["hookEventName"], "PreToolUse",
                "{v}"
            );
            assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "deny", "{v}");
            v["hookSpecificOutput"]["permissionDecisionReason"]
                .as_str()
                .map(str::to_owned)
        }
        "cursor" => {
            let v = v();
            assert_eq!(v["permission"], "deny", "{v}");
            assert!(
                v["user_message"].as_str().is_some_and(|m| !m.is_empty()),
                "{v}"
            );
            v["agent_message"].as_str().map(str::to_owned)
        }
        "gemini" => {
            let v = v();
            assert_eq!(v["decision"], "deny", "{v}");
            v["reason"].as_str().map(str::to_owned)
        }
        "copilot" => {
            let v = v();
            assert_eq!(v["permissionDecision"], "deny", "{v}");
            v["permissionDecisionReason"].as_str().map(str::to_owned)
        }
        "windsurf" => {
            assert_eq!(o.status.code(), Some(2), "windsurf blocks by exit 2");
            assert_eq!(stdout(o), "");
            Some(stderr(o))
        }
        "cline" => {
            let v = v();
            assert_eq!(v["cancel"], true, "{v}");
            v["errorMessage"].as_str().map(str::to_owned)
        }
        other => panic!("unknown agent {other}"),
    }
    .unwrap_or_else(|| panic!("{agent}: no reason in {:?}", stdout(o)));
    assert!(reason.starts_with("guardsh refused"), "{agent}: {reason}");
    reason
}

/// The agent's "no opinion": the exact bytes each protocol reads as "go ahead".
fn pass_output(agent: &str) -> &'static str {
    match agent {
        "cursor" => "{\"permission\":\"allow\"}\n",
        "cline" => "{\"cancel\":false}\n",
        _ => "",
    }
}

#[test]
fn claude_code_documented_payload_is_refused_with_the_full_reason() {
    let sb = Sandbox::new();
    let o = sb.hook("claude-code", CLAUDE);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
    let expected = json!({"hookSpecificOutput": {
        "hookEventName": "PreToolUse",
        "permissionDecision": "deny",
        "permissionDecisionReason": "guardsh refused this command: it is destructive, or what it would run cannot be known before it runs.\n\
    - `railway volume delete vol_1` (railway.volume.delete.unknown_environment, deny): deletes a persistent volume in an environment nothing on the line names (the linked one, which may be production), with the backups stored with it. \
    Safer: name the environment (`railway volume -e staging delete --volume NAME`) so a person can confirm it with a backup; production volumes are deleted by a human.\n\
    - `railway volume delete vol_1` (railway.volume.delete, confirm): deletes a persistent volume and the backups stored with it (this is the incident's volumeDelete). \
    Safer: snapshot first (`railway postgres pitr backup create`, or `railway volume files download`); to free the mount use `railway volume detach`; ask a human to delete.\n\
    Do not retry it, rephrase it or split it up to get past the guard; take the safer path above. If it really has to run, tell the user the exact command and why; a person must run it or approve it themselves."
    }});
    assert_eq!(stdout(&o), format!("{expected}\n"));
}

#[test]
fn documented_payloads() {
    let sb = Sandbox::new();
    for (agent, payload, found) in [
        ("codex", CODEX, "railway.volume.delete"),
        ("gemini", GEMINI, "fs.rm.root"),
        ("copilot", COPILOT, "fs.rm.root"),
        ("windsurf", WINDSURF, "fs.rm.root"),
        ("cline", CLINE, "fs.rm.root"),
    ] {
        let o = sb.hook(agent, payload);
        let reason = refusal(agent, &o);
        assert!(reason.contains(found), "{agent}: {reason}");
        assert!(reason.contains("Safer:"), "{agent}: {reason}");
        assert!(reason.contains("Do not retry"), "{agent}: {reason}");
        if agent != "windsurf" {
            assert_eq!(
                o.status.code(),
                Some(0),
                "{agent}: a decided refusal is the JSON answer"
            );
        }
    }
    // Cursor's example is SQL typed as a shell command: `DROP` is no program guardsh knows
    // (or the shell would find), so it passes; the same statement sent to psql does not.
    let o = sb.hook("cursor", CURSOR);
    assert_eq!(stdout(&o), "{\"permission\":\"allow\"}\n");
    let o = sb.hook(
        "cursor",
        &shell_payload("cursor", "psql -c 'DROP DATABASE prod'"),
    );
    assert!(refusal("cursor", &o).contains("DROP DATABASE"));
}

#[test]
fn harmless_commands_get_no_opinion() {
    let sb = Sandbox::new();
    for agent in AGENTS {
        for command in ["ls -la", "git status && cargo test", "cat README.md | head"] {
            let o = sb.hook(agent, &shell_payload(agent, command));
            assert_eq!(o.status.code(), Some(0), "{agent}: {command}");
            assert_eq!(stdout(&o), pass_output(agent), "{agent}: {command}");
            assert_eq!(stderr(&o), "", "{agent}: {command}");
        }
    }
}

#[test]
fn deny_is_always_a_refusal() {
    let sb = Sandbox::new();
    for agent in AGENTS {
        let o = sb.hook_env(
            agent,
            &shell_payload(agent, "git push --force origin main"),
            &[("CLAUDE_CODE_ENTRYPOINT", "cli")],
        );
        assert!(refusal(agent, &o).contains("git.push.force"), "{agent}");
    }
}

#[test]
fn confirm_asks_only_where_a_person_sees_the_question() {
    let sb = Sandbox::new();
    let line = "git reset --hard";
    let ask = |o: &Output| -> Value { json_out(o) };

    // Interactive Claude Code asks; the question names the finding.
    let o = sb.hook_env(
        "claude-code",
        &shell_payload("claude-code", line),
        &[("CLAUDE_CODE_ENTRYPOINT", "cli")],
    );
    let v = ask(&o);
    assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "ask", "{v}");
    let reason = v["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .expect("reason");
    assert!(
        reason.contains("git.reset.hard") && reason.contains("confirmation"),
        "{reason}"
    );

    // Headless (`claude -p`), an unknown entry point, a subagent, or a mode that never
    // prompts: refused.
    let subagent = json!({"permission_mode": "default", "tool_name": "Bash", "agent_id": "a1",
        "tool_input": {"command": line}})
    .to_string();
    let bypass = json!({"permission_mode": "bypassPermissions", "tool_name": "Bash",
        "tool_input": {"command": line}})
    .to_string();
    for (payload, entry) in [
        (shell_payload("claude-code", line), "sdk-cli"),
        (shell_payload("claude-code", line), ""),
        (subagent, "cli"),
        (bypass, "cli"),
    ] {
        let o = sb.hook_env(
            "claude-code",
            &payload,
            &[("CLAUDE_CODE_ENTRYPOINT", entry)],
        );
        let reason = refusal("claude-code", &o);
        assert!(reason.contains("no person can be asked"), "{reason}");
    }

    // Gemini CLI shows its confirmation dialog.
    let v = ask(&sb.hook("gemini", &shell_payload("gemini", line)));
    assert_eq!(v["decision"], "ask", "{v}");

    // Everyone else refuses: no ask, or an ask that does not reliably reach a person.
    for agent in ["cursor", "codex", "copilot", "windsurf", "cline"] {
        let o = sb.hook(agent, &shell_payload(agent, line));
        assert!(
            refusal(agent, &o).contains("no person can be asked"),
            "{agent}"
        );
    }
}

#[test]
fn warnings_add_a_note_where_the_protocol_has_one() {
    let sb = Sandbox::new();
    let line = "$EDITOR notes.md";
    let note = |agent: &str| -> String {
        let o = sb.hook(agent, &shell_payload(agent, line));
        assert_eq!(o.status.code(), Some(0), "{agent}");
        stdout(&o)
    };
    let v: Value = serde_json::from_str(&note("claude-code")).expect("json");
    assert!(
        v["hookSpecificOutput"]["additionalContext"]
            .as_str()
            .is_some_and(|t| t.starts_with("guardsh warning"))
    );
    assert!(
        v["hookSpecificOutput"].get("permissionDecision").is_none(),
        "a warning decides nothing: {v}"
    );
    let v: Value = serde_json::from_str(&note("cursor")).expect("json");
    assert_eq!(v["permission"], "allow");
    assert!(
        v["agent_message"]
            .as_str()
            .is_some_and(|t| t.starts_with("guardsh warning"))
    );
    let v: Value = serde_json::from_str(&note("gemini")).expect("json");
    assert!(v.get("decision").is_none(), "{v}");
    assert!(
        v["systemMessage"]
            .as_str()
            .is_some_and(|t| t.starts_with("guardsh warning"))
    );
    let v: Value = serde_json::from_str(&note("cline")).expect("json");
    assert_eq!(v["cancel"], false);
    assert!(
        v["contextModification"]
            .as_str()
            .is_some_and(|t| t.starts_with("guardsh warning"))
    );
    assert!(note("windsurf").starts_with("guardsh warning"));
    assert_eq!(note("codex"), "");
    assert_eq!(note("copilot"), "");
}

#[test]
fn unreadable_payloads_are_refused_with_the_blocking_code() {
    let sb = Sandbox::new();
    let garbage = ["", "not json", "[1,2]", "{\"tool_name\": 3}", "{}"];
    for agent in AGENTS {
        for payload in garbage {
            let o = sb.hook(agent, payload);
            assert_eq!(o.status.code(), Some(2), "{agent}: {payload:?}");
            assert!(
                stderr(&o).starts_with("guardsh refused this"),
                "{agent}: {payload:?}: {}",
                stderr(&o)
            );
            if agent != "windsurf" {
                refusal(agent, &o);
            }
        }
    }
    // A shell call whose command is missing, or not a string: the shape is known, the
    // command is not, and nothing runs unchecked.
    for (agent, payload) in [
        (
            "claude-code",
            json!({"tool_name": "Bash", "tool_input": {}}),
        ),
        (
            "claude-code",
            json!({"tool_name": "Bash", "tool_input": {"command": 3}}),
        ),
        ("claude-code", json!({"tool_name": "Bash"})),
        (
            "cursor",
            json!({"hook_event_name": "beforeShellExecution", "cwd": "/"}),
        ),
        (
            "codex",
            json!({"tool_name": "Bash", "tool_input": {"cmd": null}}),
        ),
        (
            "gemini",
            json!({"tool_name": "run_shell_command", "tool_input": {"command": false}}),
        ),
        (
            "copilot",
            json!({"toolName": "bash", "toolArgs": "{not json"}),
        ),
        ("copilot", json!({"toolName": "bash", "toolArgs": "{}"})),
        (
            "windsurf",
            json!({"agent_action_name": "pre_run_command", "tool_info": {}}),
        ),
        ("cline", json!({"hookName": "PreToolUse"})),
        (
            "cline",
            json!({"preToolUse": {"toolName": "execute_command", "parameters": {}}}),
        ),
    ] {
        let o = sb.hook(agent, &payload.to_string());
        assert_eq!(o.status.code(), Some(2), "{agent}: {payload}");
        assert!(
            stderr(&o).contains("not what"),
            "{agent}: {payload}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn fields_agents_add_later_are_ignored() {
    let sb = Sandbox::new();
    let payload = json!({"tool_name": "Bash", "tool_input": {"command": "ls", "dangerouslyDisableSandbox": true},
        "permission_mode": "default", "prompt_id": "p", "effort": {"level": "high"}, "agent_type": null,
        "something_new": [1, 2, 3]});
    let o = sb.hook("claude-code", &payload.to_string());
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), String::new()));
}

#[test]
fn codex_argv_commands_are_checked_as_one_line() {
    let sb = Sandbox::new();
    let payload =
        json!({"tool_name": "Bash", "tool_input": {"command": ["bash", "-lc", "rm -rf ~"]}});
    assert!(refusal("codex", &sb.hook("codex", &payload.to_string())).contains("fs.rm.home"));
}

#[test]
fn codex_tools_with_a_command_are_checked_as_shells() {
    let sb = Sandbox::new();
    let payload = json!({"tool_name": "exec_command", "tool_input": {"cmd": "rm -rf /"}});
    assert!(refusal("codex", &sb.hook("codex", &payload.to_string())).contains("fs.rm.root"));
    // A tool of a later version, named otherwise, with a command.
    let payload = json!({"tool_name": "Shell2", "tool_input": {"command": "rm -rf /"}});
    assert!(refusal("codex", &sb.hook("codex", &payload.to_string())).contains("fs.rm.root"));
    // An MCP tool's argument called command is its own business.
    let payload = json!({"tool_name": "mcp__ops__run", "tool_input": {"command": "rm -rf /"}});
    assert_eq!(stdout(&sb.hook("codex", &payload.to_string())), "");
}

#[test]
fn copilot_typing_into_a_session_is_a_command_line() {
    let sb = Sandbox::new();
    let payload = json!({"toolName": "write_bash", "toolArgs": json!({"sessionId": "1", "input": "rm -rf /\n"}).to_string()});
    assert!(refusal("copilot", &sb.hook("copilot", &payload.to_string())).contains("fs.rm.root"));
    let payload = json!({"toolName": "write_bash", "toolArgs": json!({"sessionId": "1", "input": "y\n"}).to_string()});
    assert_eq!(stdout(&sb.hook("copilot", &payload.to_string())), "");
}

#[test]
fn other_tools_get_no_opinion() {
    let sb = Sandbox::new();
    for (agent, payload) in [
        (
            "claude-code",
            json!({"tool_name": "Read", "tool_input": {"file_path": "/etc/passwd"}}),
        ),
        (
            "claude-code",
            json!({"tool_name": "Write", "tool_input": {"file_path": "src/main.rs", "content": "x"}}),
        ),
        (
            "codex",
            json!({"tool_name": "mcp__docs__search", "tool_input": {"q": "x"}}),
        ),
        (
            "codex",
            json!({"tool_name": "apply_patch", "tool_input": {"command": "*** Begin Patch\n*** Update File: src/a.rs\n*** End Patch"}}),
        ),
        (
            "gemini",
            json!({"tool_name": "read_file", "tool_input": {"file_path": "a"}}),
        ),
        (
            "copilot",
            json!({"toolName": "view", "toolArgs": "{\"path\":\"a\"}"}),
        ),
        (
            "windsurf",
            json!({"agent_action_name": "pre_read_code", "tool_info": {"file_path": "a"}}),
        ),
        (
            "cline",
            json!({"hookName": "PreToolUse", "preToolUse": {"toolName": "read_file", "parameters": {"path": "a"}}}),
        ),
    ] {
        let o = sb.hook(agent, &payload.to_string());
        assert_eq!(o.status.code(), Some(0), "{agent}: {payload}");
        assert_eq!(stdout(&o), pass_output(agent), "{agent}: {payload}");
    }
}

// --- Self-protection -------------------------------------------------------------------------

#[test]
fn guardsh_cannot_be_switched_off_from_a_shell() {
    let sb = Sandbox::new();
    for line in [
        "guardsh uninstall claude-code",
        "guardsh approve 7f3a",
        "rm ~/.claude/settings.json",
        "sed -i '/guardsh/d' .claude/settings.json",
        "echo '{}' > ~/.cursor/hooks.json",
        "mv ~/.codex/config.toml /tmp/",
        "rm -rf ~/.config/guardsh",
        "rm -rf ~/.local/state/guardsh",
        "rm $(which guardsh)",
        "cargo uninstall guardsh",
        "export GUARDSH_DISABLE=1",
        "cd /tmp && bash -c 'rm -f ~/.gemini/settings.json'",
    ] {
        for agent in AGENTS {
            let o = sb.hook(agent, &shell_payload(agent, line));
            let reason = refusal(agent, &o);
            assert!(
                reason.contains("guardsh-self."),
                "{agent}: {line}: {reason}"
            );
        }
    }
}

#[test]
fn agent_edit_tools_cannot_touch_guardsh_files() {
    let sb = Sandbox::new();
    let home = sb.home();
    let settings = home.join(".claude/settings.json");
    let settings = settings.to_str().expect("utf-8");
    for (agent, payload) in [
        (
            "claude-code",
            json!({"tool_name": "Write", "tool_input": {"file_path": settings, "content": "{}"}}),
        ),
        (
            "claude-code",
            json!({"tool_name": "Edit", "tool_input": {"file_path": settings, "old_string": "guardsh", "new_string": ""}}),
        ),
        (
            "claude-code",
            json!({"tool_name": "MultiEdit", "cwd": "/repo", "tool_input": {"file_path": ".claude/settings.local.json", "edits": []}}),
        ),
        (
            "claude-code",
            json!({"tool_name": "Edit", "tool_input": {"file_path": "~/.config/guardsh/packs/railway.yaml"}}),
        ),
        (
            "gemini",
            json!({"tool_name": "write_file", "cwd": "/repo", "tool_input": {"file_path": ".gemini/settings.json", "content": "{}"}}),
        ),
        (
            "gemini",
            json!({"tool_name": "replace", "tool_input": {"file_path": "/home/u/.codex/config.toml"}}),
        ),
        (
            "copilot",
            json!({"toolName": "edit", "toolArgs": json!({"path": settings}).to_string()}),
        ),
        (
            "codex",
            json!({"tool_name": "apply_patch", "tool_input": {"command": "*** Begin Patch\n*** Delete File: /home/u/.codex/config.toml\n*** End Patch"}}),
        ),
        (
            "windsurf",
            json!({"agent_action_name": "pre_write_code", "tool_info": {"file_path": "/repo/.windsurf/hooks.json"}}),
        ),
        (
            "cline",
            json!({"hookName": "PreToolUse", "preToolUse": {"toolName": "write_to_file", "parameters": {"path": "/repo/.clinerules/hooks/PreToolUse"}}}),
        ),
    ] {
        let o = sb.hook(agent, &payload.to_string());
        let reason = refusal(agent, &o);
        assert!(
            reason.contains("must not change or remove it"),
            "{agent}: {reason}"
        );
        assert!(
            reason.contains("must do it themselves"),
            "{agent}: {reason}"
        );
    }
    // The binary the hook runs is protected too.
    let o = sb.hook(
        "claude-code",
        &json!({"tool_name": "Write", "tool_input": {"file_path": EXE}}).to_string(),
    );
    assert!(refusal("claude-code", &o).contains("the guardsh program itself"));
}

#[test]
fn agent_edit_tools_cannot_reach_protected_state_or_system_settings() {
    let sb = Sandbox::new();
    // A link in the project to the system-wide settings, and one to the protected root's
    // parent: the file is judged where it leads.
    let managed = sb.system().join("etc/claude-code/managed-settings.json");
    std::fs::create_dir_all(managed.parent().expect("dir")).expect("mkdir");
    std::fs::write(&managed, "{}").expect("write");
    std::os::unix::fs::symlink(&managed, sb.project().join("notes.json")).expect("link");
    let project = sb.project();
    let cwd = project.to_str().expect("utf-8");
    let sub = format!("{cwd}/src");
    for (path, what) in [
        (
            format!("{NO_PROTECTED_ROOT}/0/approvals/forged"),
            "protected state",
        ),
        (
            format!("{NO_PROTECTED_ROOT}/0/spool/../audit.jsonl"),
            "protected state",
        ),
        (
            managed.display().to_string(),
            "settings file that holds guardsh's hook",
        ),
        (
            "../notes.json".to_owned(),
            "settings file that holds guardsh's hook",
        ),
        (
            "../.github/copilot/settings.local.json".to_owned(),
            "settings file that holds guardsh's hook",
        ),
        (
            "~/.local/share/guardsh/shims/psql".to_owned(),
            "shims or shell links",
        ),
    ] {
        let payload = json!({"tool_name": "Write", "cwd": sub,
            "tool_input": {"file_path": path, "content": "{}"}});
        let o = sb.hook("claude-code", &payload.to_string());
        let reason = refusal("claude-code", &o);
        assert!(reason.contains(what), "{path}: {reason}");
    }
    // An ordinary file beside them is the agent's to write.
    let payload = json!({"tool_name": "Write", "cwd": cwd,
        "tool_input": {"file_path": "notes.md", "content": "x"}});
    let o = sb.hook("claude-code", &payload.to_string());
    assert_eq!(stdout(&o), pass_output("claude-code"), "{}", stderr(&o));
}

// --- install / uninstall ----------------------------------------------------------------------

/// A realistic Claude Code settings file: permissions, other hooks, keys in no sorted order.
const CLAUDE_SETTINGS: &str = r#"{
  "model": "opus",
  "permissions": {
    "allow": [
      "Bash(npm test)"
    ],
    "deny": []
  },
  "hooks": {
    "PostToolUse": [
      {
        "matcher": "Edit",
        "hooks": [
          {
            "type": "command",
            "command": "prettier --write"
          }
        ]
      }
    ]
  },
  "env": {
    "ZED": "1",
    "ALPHA": "2"
  },
  "futureSetting": {
    "nested": true
  }
}
"#;

#[test]
fn claude_code_install_merges_keeps_order_and_round_trips() {
    let sb = Sandbox::new();
    let file = sb.put(".claude/settings.json", CLAUDE_SETTINGS);
    let o = sb.run(&["install", "claude-code"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let installed = std::fs::read_to_string(&file).expect("read");
    let entry = format!(
        r#"    "PreToolUse": [
      {{
        "matcher": "Bash|Edit|Write|MultiEdit|NotebookEdit",
        "hooks": [
          {{
            "type": "command",
            "command": {},
            "timeout": 30,
            "onFailure": "block"
          }}
        ]
      }}
    ]
"#,
        Value::from(hook_command("claude-code"))
    );
    let expected = CLAUDE_SETTINGS.replace(
        "        ]\n      }\n    ]\n  },\n  \"env\"",
        &format!("        ]\n      }}\n    ],\n{entry}  }},\n  \"env\""),
    );
    assert_eq!(installed, expected);
    let backups = sb.backups(&file);
    assert_eq!(backups.len(), 1);
    assert_eq!(
        std::fs::read_to_string(&backups[0]).expect("backup"),
        CLAUDE_SETTINGS
    );

    // Twice changes nothing, and makes no second backup.
    let o = sb.run(&["install", "claude-code"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("already installed"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), installed);
    assert_eq!(sb.backups(&file).len(), 1);

    // The hook now installed answers.
    let payload = shell_payload("claude-code", "railway volume delete x --yes");
    refusal("claude-code", &sb.hook("claude-code", &payload));

    // Uninstall gives back the file as it was, byte for byte.
    let o = sb.run(&["uninstall", "claude-code"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        CLAUDE_SETTINGS
    );
    assert_eq!(sb.backups(&file).len(), 2);
    let o = sb.run(&["uninstall", "claude-code"]);
    assert!(stdout(&o).contains("nothing to remove"), "{}", stdout(&o));
}

#[test]
fn an_older_install_is_replaced_not_duplicated() {
    let sb = Sandbox::new();
    let old = r#"{
    "hooks": {
        "PreToolUse": [
            {
                "matcher": "Bash",
                "hooks": [
                    {
                        "type": "command",
                        "command": "/old/place/guardsh hook claude"
                    },
                    {
                        "type": "command",
                        "command": "my-logger"
                    }
                ]
            }
        ]
    }
}
"#;
    let file = sb.put(".claude/settings.json", old);
    assert_eq!(sb.run(&["install", "claude"]).status.code(), Some(0));
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(!text.contains("/old/place"), "{text}");
    assert!(text.contains("my-logger"), "{text}");
    assert_eq!(text.matches(" hook claude-code").count(), 1, "{text}");
    // The file's four-space indentation is kept.
    assert!(text.contains("\n        \"PreToolUse\": ["), "{text}");
}

#[cfg(unix)]
#[test]
fn a_linked_settings_file_stays_a_link() {
    let sb = Sandbox::new();
    let target = sb.root.join("dotfiles/claude-settings.json");
    std::fs::create_dir_all(target.parent().expect("dir")).expect("mkdir");
    std::fs::write(&target, CLAUDE_SETTINGS).expect("write");
    let link = sb.home().join(".claude/settings.json");
    std::fs::create_dir_all(link.parent().expect("dir")).expect("mkdir");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    assert_eq!(sb.run(&["install", "claude-code"]).status.code(), Some(0));
    assert!(link.is_symlink());
    assert!(
        std::fs::read_to_string(&target)
            .expect("read")
            .contains(" hook claude-code")
    );
}

#[test]
fn dry_run_prints_the_change_and_writes_nothing() {
    let sb = Sandbox::new();
    sb.put(".claude/settings.json", CLAUDE_SETTINGS);
    sb.put(".codex/config.toml", "model = \"o3\"\n");
    for agent in ["claude-code", "cursor", "codex", "gemini", "copilot"] {
        let before = sb.snapshot();
        let o = sb.run(&["install", agent, "--dry-run"]);
        assert_eq!(o.status.code(), Some(0), "{agent}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains("nothing written"), "{agent}: {out}");
        assert!(
            out.contains("\n--- ") && out.contains("\n+++ ") && out.contains("\n@@ "),
            "{agent}: {out}"
        );
        assert!(
            out.lines()
                .any(|l| l.starts_with('+') && l.contains(&format!("hook {agent}"))),
            "{agent}: {out}"
        );
        assert_eq!(sb.snapshot(), before, "{agent}: --dry-run wrote something");
    }
    let before = sb.snapshot();
    let o = sb.run(&["install", "gemini", "--scope", "project", "--dry-run"]);
    assert!(
        stdout(&o).contains(".gemini/settings.json"),
        "{}",
        stdout(&o)
    );
    assert_eq!(sb.snapshot(), before);
}

#[test]
fn cursor_copilot_and_gemini_files() {
    let sb = Sandbox::new();
    // Cursor: an existing file with another hook and a key guardsh does not know.
    let cursor = sb.put(
        ".cursor/hooks.json",
        "{\n  \"version\": 1,\n  \"hooks\": {\n    \"afterFileEdit\": [\n      {\n        \"command\": \"./format.sh\"\n      }\n    ]\n  },\n  \"x-team\": \"a\"\n}\n",
    );
    assert_eq!(sb.run(&["install", "cursor"]).status.code(), Some(0));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&cursor).expect("read")).expect("json");
    assert_eq!(
        v["hooks"]["beforeShellExecution"],
        json!([{"command": hook_command("cursor"), "timeout": 30, "failClosed": true}])
    );
    assert_eq!(v["hooks"]["afterFileEdit"][0]["command"], "./format.sh");
    assert_eq!(v["x-team"], "a");
    let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["version", "hooks", "x-team"]);
    assert_eq!(sb.run(&["uninstall", "cursor"]).status.code(), Some(0));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&cursor).expect("read")).expect("json");
    assert!(v["hooks"].get("beforeShellExecution").is_none(), "{v}");

    // Copilot: a file of guardsh's own, created, then deleted by uninstall.
    let copilot = sb.home().join(".copilot/hooks/guardsh.json");
    assert_eq!(sb.run(&["install", "copilot"]).status.code(), Some(0));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&copilot).expect("read")).expect("json");
    assert_eq!(
        v,
        json!({"version": 1, "hooks": {"preToolUse": [{"type": "command", "bash": hook_command("copilot"), "timeoutSec": 30}]}})
    );
    assert_eq!(sb.run(&["uninstall", "copilot"]).status.code(), Some(0));
    assert!(!copilot.exists());
    assert_eq!(sb.backups(&copilot).len(), 1);

    // Gemini, in the project: a new file.
    let gemini = sb.project().join(".gemini/settings.json");
    assert_eq!(
        sb.run(&["install", "gemini", "--scope", "project"])
            .status
            .code(),
        Some(0)
    );
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&gemini).expect("read")).expect("json");
    assert_eq!(
        v,
        json!({"hooks": {"BeforeTool": [{"matcher": "run_shell_command|write_file|replace",
            "hooks": [{"name": "guardsh", "type": "command", "command": hook_command("gemini"), "timeout": 30000}]}]}})
    );
    assert_eq!(
        sb.backups(&gemini).len(),
        0,
        "a new file has nothing to back up"
    );
}

const CODEX_CONFIG: &str = r#"# Codex configuration
model = "gpt-5-codex"  # the default model
approval_policy = "on-request"

[features]
hooks = true  # keep hooks on

# Tell me when a turn ends.
[[hooks.Stop]]
[[hooks.Stop.hooks]]
type = "command"
command = "notify-send done"

[mcp_servers.docs]
command = "docs-mcp"
args = ["--port", "8080"]
"#;

#[test]
fn codex_toml_keeps_comments_and_round_trips() {
    let sb = Sandbox::new();
    let file = sb.put(".codex/config.toml", CODEX_CONFIG);
    let o = sb.run(&["install", "codex"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("trust"), "{}", stdout(&o));
    let installed = std::fs::read_to_string(&file).expect("read");
    let expected = CODEX_CONFIG.replace(
        "\n[mcp_servers.docs]",
        &format!(
            "\n[[hooks.PreToolUse]]\n\n[[hooks.PreToolUse.hooks]]\ntype = \"command\"\ncommand = {}\ntimeout = 30\n\n[mcp_servers.docs]",
            toml_string(&hook_command("codex"))
        ),
    );
    assert_eq!(installed, expected);

    assert!(stdout(&sb.run(&["install", "codex"])).contains("already installed"));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), installed);

    assert_eq!(sb.run(&["uninstall", "codex"]).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), CODEX_CONFIG);
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn broken_settings_are_left_alone() {
    let sb = Sandbox::new();
    for (agent, rel, text) in [
        (
            "claude-code",
            ".claude/settings.json",
            "{\"model\": \"opus\",}",
        ),
        (
            "gemini",
            ".gemini/settings.json",
            "{\n  // comment\n  \"a\": 1\n}",
        ),
        ("cursor", ".cursor/hooks.json", "{\"hooks\": []}"),
        ("codex", ".codex/config.toml", "model = \n"),
    ] {
        let file = sb.put(rel, text);
        let o = sb.run(&["install", agent]);
        assert_eq!(o.status.code(), Some(6), "{agent}: {}", stdout(&o));
        let err = stderr(&o);
        assert!(
            err.starts_with("guardsh: ") && err.lines().count() == 1,
            "{agent}: {err}"
        );
        assert_eq!(std::fs::read_to_string(&file).expect("read"), text);
        assert!(sb.backups(&file).is_empty());
    }
}

// --- doctor -----------------------------------------------------------------------------------

#[test]
fn doctor_reports_installed_and_working_hooks() {
    let sb = Sandbox::new();
    let o = sb.run(&["doctor"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("no agent settings found"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("shell mode: no links in"),
        "{}",
        stdout(&o)
    );

    sb.put(".claude/settings.json", CLAUDE_SETTINGS);
    std::fs::create_dir_all(sb.home().join(".gemini")).expect("mkdir");
    for agent in ["claude-code", "cursor", "codex", "copilot"] {
        assert_eq!(
            sb.run(&["install", agent]).status.code(),
            Some(0),
            "{agent}"
        );
    }
    assert_eq!(sb.run(&["shell", "install"]).status.code(), Some(0));
    let o = sb.run(&["doctor", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v = json_out(&o);
    let agents = v["agents"].as_array().expect("agents");
    let find = |name: &str| {
        agents
            .iter()
            .find(|a| a["agent"] == name)
            .unwrap_or_else(|| panic!("{name} in {v}"))
    };
    for name in ["claude-code", "cursor", "codex", "copilot"] {
        let a = find(name);
        assert_eq!(a["installed"], true, "{a}");
        assert_eq!(a["working"], true, "{a}");
        assert_eq!(a["command"], hook_command(name), "{a}");
        assert_eq!(a["probes"][0]["command"], "ls");
        assert_eq!(a["probes"][0]["ok"], true, "{a}");
        assert_eq!(a["probes"][1]["command"], "railway volume delete x --yes");
        assert_eq!(a["probes"][1]["answer"], "refused", "{a}");
    }
    // Gemini is set up for this user but has no hook.
    assert_eq!(find("gemini")["installed"], false);
    let shell = v["shell_mode"].as_str().unwrap_or("");
    assert!(
        shell.starts_with("installed in") && shell.ends_with("and working"),
        "{shell}"
    );
    assert!(
        v["shims"].as_str().unwrap_or("").starts_with("none in"),
        "{}",
        v["shims"]
    );
    assert_eq!(v["ok"], true);
}

#[test]
fn doctor_finds_a_hook_that_does_not_work() {
    let sb = Sandbox::new();
    // A hook command pointing at a guardsh that is not there: the agent would run commands
    // unchecked (Claude Code treats a failing hook as non-blocking).
    sb.put(
        ".claude/settings.json",
        r#"{"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "/nonexistent/guardsh hook claude-code"}]}]}}"#,
    );
    // And one whose answers are wrong: `true` reads nothing and says nothing.
    let fake = sb.root.join("bin/guardsh");
    std::fs::create_dir_all(fake.parent().expect("dir")).expect("mkdir");
    std::fs::write(&fake, "#!/bin/sh\ncat >/dev/null\nexit 0\n").expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    sb.put(
        ".cursor/hooks.json",
        &json!({"version": 1, "hooks": {"beforeShellExecution": [{"command": format!("{} hook cursor", fake.display())}]}}).to_string(),
    );
    let o = sb.run(&["doctor"]);
    assert_eq!(o.status.code(), Some(7), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("cannot run /nonexistent/guardsh"), "{out}");
    assert!(out.contains("NOT WORKING"), "{out}");
    assert!(out.contains("failClosed"), "{out}");
}

// --- System scope ------------------------------------------------------------------------------

#[test]
fn system_scope_installs_where_a_project_cannot_switch_the_hook_off() {
    use std::os::unix::fs::PermissionsExt as _;
    let sb = Sandbox::new();
    let o = sb.run(&["install", "claude-code", "--scope", "system"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let managed = sb.system().join("etc/claude-code/managed-settings.json");
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&managed).expect("managed settings"))
            .expect("JSON");
    assert_eq!(
        v["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
        hook_command("claude-code"),
        "{v}"
    );
    // Readable by the agent running as any user, writable by the owner alone.
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o7777;
    assert_eq!(mode(&managed), 0o644);
    assert_eq!(mode(managed.parent().expect("dir")), 0o755);

    // A project that switches every hook off does not reach a managed hook.
    std::fs::create_dir_all(sb.project().join(".claude")).expect("mkdir");
    std::fs::write(
        sb.project().join(".claude/settings.local.json"),
        r#"{"disableAllHooks": true}"#,
    )
    .expect("write");
    let o = sb.run(&["doctor", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v = json_out(&o);
    let claude = &v["agent_protection"][0];
    assert_eq!(claude["agent"], "claude-code", "{v}");
    assert_eq!(claude["protection"], "system-hook", "{v}");
    assert_eq!(claude["user_can_switch_off"], false, "{v}");

    // The same switch against a hook in the user's settings only: doctor says it is off.
    assert_eq!(
        sb.run(&["uninstall", "claude-code", "--scope", "system"])
            .status
            .code(),
        Some(0)
    );
    assert!(!managed.exists(), "the file held only guardsh's hook");
    assert_eq!(sb.run(&["install", "claude-code"]).status.code(), Some(0));
    let o = sb.run(&["doctor", "--json"]);
    assert_eq!(o.status.code(), Some(7), "{}", stdout(&o));
    let v = json_out(&o);
    let claude = &v["agent_protection"][0];
    assert_eq!(claude["protection"], "user-hook", "{v}");
    assert!(
        claude["switched_off"][0]
            .as_str()
            .is_some_and(|s| s.contains("settings.local.json")),
        "{v}"
    );
}

#[test]
fn system_scope_is_refused_where_it_would_protect_nothing() {
    use std::os::unix::fs::PermissionsExt as _;
    let sb = Sandbox::new();
    // Copilot CLI documents no system-wide settings file guardsh could use.
    let o = sb.run(&["install", "copilot", "--scope", "system"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no documented system-wide"),
        "{}",
        stderr(&o)
    );
    // A system directory others can write: anyone could replace the hook there.
    let dir = sb.system().join("etc/gemini-cli");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let o = sb.run(&["install", "gemini", "--scope", "system"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not out of users' reach"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("settings.json").exists());
}

#[test]
fn system_scope_files_for_each_documented_agent() {
    let sb = Sandbox::new();
    for (agent, file) in [
        ("cursor", "etc/cursor/hooks.json"),
        ("codex", "etc/codex/config.toml"),
        ("gemini", "etc/gemini-cli/settings.json"),
    ] {
        let o = sb.run(&["install", agent, "--scope", "system"]);
        assert_eq!(o.status.code(), Some(0), "{agent}: {}", stderr(&o));
        let text = std::fs::read_to_string(sb.system().join(file)).expect(file);
        assert!(text.contains(&format!("hook {agent}")), "{agent}: {text}");
    }
    let o = sb.run(&["doctor", "--json"]);
    let v = json_out(&o);
    for agent in ["cursor", "codex", "gemini"] {
        let p = v["agent_protection"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["agent"] == agent))
            .unwrap_or_else(|| panic!("{agent} in {v}"));
        assert_eq!(p["hook"], "system-hook", "{p}");
    }
}

#[test]
fn doctor_states_the_level_once_and_claims_no_confinement_it_cannot_see() {
    let sb = Sandbox::new();
    sb.put(".claude/settings.json", CLAUDE_SETTINGS);
    assert_eq!(sb.run(&["install", "claude-code"]).status.code(), Some(0));
    let o = sb.run(&["doctor"]);
    let out = stdout(&o);
    assert_eq!(out.matches("protection: parse-only").count(), 1, "{out}");
    assert!(out.contains("no protected directory"), "{out}");
    assert!(
        out.contains("user-scope hook only (the agent's user can remove it)"),
        "{out}"
    );
    assert!(
        out.contains("the kernel boundary does not apply to commands guardsh does not start"),
        "{out}"
    );
    let v = json_out(&sb.run(&["doctor", "--json"]));
    assert_eq!(v["protection"], "parse-only", "{v}");
    assert!(v["protection_note"].is_string(), "{v}");
    // guardsh made the agent's shell, but with no kernel boundary: not a confined shell.
    sb.put(
        ".claude/settings.json",
        &json!({"env": {"CLAUDE_CODE_SHELL": EXE}}).to_string(),
    );
    assert_eq!(sb.run(&["install", "claude-code"]).status.code(), Some(0));
    let v = json_out(&sb.run(&["doctor", "--json"]));
    let claude = &v["agent_protection"][0];
    assert_eq!(claude["protection"], "user-hook", "{v}");
    assert!(
        claude["shell"]
            .as_str()
            .is_some_and(|s| s.contains("CLAUDE_CODE_SHELL")),
        "{v}"
    );
    assert!(
        claude["notes"].to_string().contains("parse-only"),
        "{claude}"
    );
}
