//! Gemini CLI, `BeforeTool` (agents.md §2.3).
//!
//! In: `{"hook_event_name": "BeforeTool", "tool_name": "run_shell_command", "tool_input":
//! {"command": …}, "cwd": …, …}`. Out: nothing for "no opinion" (`allow` would skip Gemini's
//! own confirmation); `{"decision": "deny"|"ask", "reason": …, "systemMessage": …}`
//! otherwise: `reason` goes to the model, `systemMessage` to the user. `ask` brings up
//! Gemini's confirmation dialog. Exit 2 blocks with standard error as the reason; other
//! failures are warnings and the tool runs.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Action, Answer, Call, Refusal, Reply, command_text, first_line, parse, string_field};

const AGENT: &str = "Gemini CLI";

/// Tools that write a file (each names it in `file_path`).
const FILE_TOOLS: &[&str] = &["write_file", "replace"];

#[derive(Deserialize)]
struct Payload {
    tool_name: String,
    #[serde(default)]
    tool_input: Value,
    #[serde(default)]
    cwd: Option<std::path::PathBuf>,
}

pub(super) fn read(payload: &[u8]) -> Result<Call, Refusal> {
    let p: Payload = parse(payload)?;
    let action = if p.tool_name == "run_shell_command" {
        let command = p
            .tool_input
            .get("command")
            .and_then(command_text)
            .ok_or_else(|| {
                Refusal::shape(AGENT, "a run_shell_command call without tool_input.command")
            })?;
        Action::Shell(command)
    } else if FILE_TOOLS.contains(&p.tool_name.as_str()) {
        let path = string_field(&p.tool_input, "file_path").ok_or_else(|| {
            Refusal::shape(
                AGENT,
                format!("a {} call without tool_input.file_path", p.tool_name),
            )
        })?;
        Action::Files(vec![path.to_owned()])
    } else {
        Action::Other
    };
    let mut call = Call::new(action, p.cwd);
    call.can_ask = true;
    Ok(call)
}

pub(super) fn reply(answer: &Answer) -> Reply {
    match answer {
        Answer::Pass(None) => Reply::default(),
        Answer::Pass(Some(note)) => Reply::json(&json!({"systemMessage": note})),
        Answer::Ask(reason) => decision("ask", reason),
        Answer::Deny(reason) => decision("deny", reason),
    }
}

fn decision(kind: &str, reason: &str) -> Reply {
    Reply::json(&json!({
        "decision": kind,
        "reason": reason,
        "systemMessage": first_line(reason),
    }))
}

/// The settings entry `guardsh install gemini` writes.
pub(super) const SPEC: super::settings::JsonSpec = super::settings::JsonSpec {
    event: "BeforeTool",
    matcher: Some("run_shell_command|write_file|replace"),
    command_key: "command",
    version: false,
    handler,
};

fn handler(command: &str) -> Value {
    // Gemini's timeout is in milliseconds.
    json!({"name": "guardsh", "type": "command", "command": command, "timeout": 30000})
}

/// A probe payload for `guardsh doctor`.
pub(super) fn probe(command: &str) -> String {
    json!({
        "session_id": "guardsh-doctor",
        "cwd": "/",
        "hook_event_name": "BeforeTool",
        "timestamp": "1970-01-01T00:00:00Z",
        "tool_name": "run_shell_command",
        "tool_input": {"command": command, "dir_path": ".", "is_background": false},
    })
    .to_string()
}

/// What a hook process answered, read as Gemini CLI would.
pub(super) fn seen(stdout: &str, code: i32) -> super::doctor::Seen {
    use super::doctor::Seen;
    if code == 2 {
        return Seen::Deny;
    }
    if code != 0 {
        return Seen::Unreadable(format!("exit {code}: Gemini CLI would run the tool"));
    }
    match serde_json::from_str::<Value>(stdout) {
        Ok(v) => match v["decision"].as_str() {
            Some("deny" | "block") => Seen::Deny,
            Some("ask") => Seen::Ask,
            _ => Seen::Pass,
        },
        // Output that is not JSON on exit 0 is an allow.
        Err(_) => Seen::Pass,
    }
}
