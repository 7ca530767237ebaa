//! Cursor, `beforeShellExecution` (agents.md §2.2).
//!
//! In: `{"hook_event_name": "beforeShellExecution", "command": …, "cwd": …, …}`.
//! Out: `{"permission": "allow"|"deny", "user_message": …, "agent_message": …}`; exit 2 also
//! denies. guardsh installs the hook with `failClosed: true`, under which a crash, a timeout
//! or output Cursor cannot read is a refusal; that is also why a command that may run gets
//! an explicit `allow` rather than silence.
//!
//! `confirm` is refused, not asked: a hook answering `ask` was reported ignored in Cursor's
//! Auto-review run mode (the command ran with no prompt, Cursor forum topic 173694), and the
//! hook cannot tell which run mode is on.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Action, Answer, Call, Refusal, Reply, first_line, parse};

const AGENT: &str = "Cursor";

#[derive(Deserialize)]
struct Payload {
    #[serde(default)]
    hook_event_name: Option<String>,
    #[serde(default)]
    command: Option<String>,
    #[serde(default)]
    cwd: Option<std::path::PathBuf>,
}

pub(super) fn read(payload: &[u8]) -> Result<Call, Refusal> {
    let p: Payload = parse(payload)?;
    match (p.hook_event_name.as_deref(), p.command) {
        (None | Some("beforeShellExecution"), Some(command)) => {
            Ok(Call::new(Action::Shell(command), p.cwd))
        }
        (None | Some("beforeShellExecution"), None) => Err(Refusal::shape(
            AGENT,
            "a beforeShellExecution payload without command",
        )),
        // Installed on another event by hand: nothing guardsh checks.
        (Some(_), _) => Ok(Call::new(Action::Other, p.cwd)),
    }
}

pub(super) fn reply(answer: &Answer) -> Reply {
    match answer {
        Answer::Pass(None) => Reply::json(&json!({"permission": "allow"})),
        Answer::Pass(Some(note)) => {
            Reply::json(&json!({"permission": "allow", "agent_message": note}))
        }
        Answer::Ask(reason) | Answer::Deny(reason) => Reply::json(&json!({
            "permission": "deny",
            "user_message": first_line(reason),
            "agent_message": reason,
        })),
    }
}

/// The entry `guardsh install cursor` writes.
pub(super) const SPEC: super::settings::JsonSpec = super::settings::JsonSpec {
    event: "beforeShellExecution",
    matcher: None,
    command_key: "command",
    version: true,
    handler,
};

fn handler(command: &str) -> Value {
    json!({"command": command, "timeout": 30, "failClosed": true})
}

/// A probe payload for `guardsh doctor`.
pub(super) fn probe(command: &str) -> String {
    json!({
        "hook_event_name": "beforeShellExecution",
        "conversation_id": "guardsh-doctor",
        "generation_id": "guardsh-doctor",
        "workspace_roots": ["/"],
        "command": command,
        "cwd": "/",
    })
    .to_string()
}

/// What a hook process answered, read as Cursor would.
pub(super) fn seen(stdout: &str, code: i32) -> super::doctor::Seen {
    use super::doctor::Seen;
    if code == 2 {
        return Seen::Deny;
    }
    match serde_json::from_str::<Value>(stdout) {
        Ok(v) => match v["permission"].as_str() {
            Some("deny") => Seen::Deny,
            Some("ask") => Seen::Ask,
            Some("allow") if code == 0 => Seen::Pass,
            _ => Seen::Unreadable(format!("exit {code} without a permission Cursor reads")),
        },
        Err(_) => Seen::Unreadable("no JSON answer: with failClosed Cursor refuses".to_owned()),
    }
}
