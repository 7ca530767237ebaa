//! GitHub Copilot CLI, `preToolUse` (agents.md §2.5).
//!
//! In: `{"timestamp": …, "cwd": …, "toolName": "bash", "toolArgs": "{\"command\": …}"}`;
//! `toolArgs` is itself a JSON string. Out: nothing for "no opinion";
//! `{"permissionDecision": "deny", "permissionDecisionReason": …}` to refuse. Exit codes are
//! ignored, so the answer is always JSON. Only `deny` is honoured by every version (`ask`
//! only by recent ones), so `confirm` is refused.
//!
//! Copilot's bash sessions persist, and `write_bash` types into one: its text reaches a
//! shell as surely as `bash`'s command does, so it is checked as a command line.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Action, Answer, Call, Refusal, Reply, command_text, parse, string_field};

const AGENT: &str = "Copilot CLI";

/// Tools that run a command line.
const SHELL_TOOLS: &[&str] = &["bash", "shell"];
/// Tools that type into a running shell session, and the fields the text may be in.
const INPUT_TOOLS: &[&str] = &["write_bash"];
const INPUT_FIELDS: &[&str] = &["input", "text", "chars", "keys", "command"];
/// Tools that write a file (each names it in `path`).
const FILE_TOOLS: &[&str] = &["edit", "create"];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    tool_name: String,
    #[serde(default)]
    tool_args: Value,
    #[serde(default)]
    cwd: Option<std::path::PathBuf>,
}

pub(super) fn read(payload: &[u8]) -> Result<Call, Refusal> {
    let p: Payload = parse(payload)?;
    let tool = p.tool_name.as_str();
    let watched =
        SHELL_TOOLS.contains(&tool) || INPUT_TOOLS.contains(&tool) || FILE_TOOLS.contains(&tool);
    if !watched {
        return Ok(Call::new(Action::Other, p.cwd));
    }
    // A JSON string per the documentation; an object is accepted too.
    let args = match &p.tool_args {
        Value::String(text) => serde_json::from_str(text)
            .map_err(|e| Refusal::shape(AGENT, format!("toolArgs is not JSON: {e}")))?,
        other => other.clone(),
    };
    let action = if SHELL_TOOLS.contains(&tool) {
        let command = args
            .get("command")
            .and_then(command_text)
            .ok_or_else(|| Refusal::shape(AGENT, format!("a {tool} call without a command")))?;
        Action::Shell(command)
    } else if INPUT_TOOLS.contains(&tool) {
        let text = INPUT_FIELDS
            .iter()
            .find_map(|f| string_field(&args, f))
            .ok_or_else(|| Refusal::shape(AGENT, format!("a {tool} call without its text")))?;
        Action::Shell(text.to_owned())
    } else {
        let path = string_field(&args, "path")
            .ok_or_else(|| Refusal::shape(AGENT, format!("a {tool} call without a path")))?;
        Action::Files(vec![path.to_owned()])
    };
    Ok(Call::new(action, p.cwd))
}

pub(super) fn reply(answer: &Answer) -> Reply {
    match answer {
        Answer::Pass(_) => Reply::default(),
        Answer::Ask(reason) | Answer::Deny(reason) => Reply::json(&json!({
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        })),
    }
}

/// The entry `guardsh install copilot` writes (in a file of its own).
pub(super) const SPEC: super::settings::JsonSpec = super::settings::JsonSpec {
    event: "preToolUse",
    matcher: None,
    command_key: "bash",
    version: true,
    handler,
};

fn handler(command: &str) -> Value {
    json!({"type": "command", "bash": command, "timeoutSec": 30})
}

/// A probe payload for `guardsh doctor`.
pub(super) fn probe(command: &str) -> String {
    json!({
        "timestamp": 0,
        "cwd": "/",
        "toolName": "bash",
        "toolArgs": json!({"command": command, "description": "guardsh doctor"}).to_string(),
    })
    .to_string()
}

/// What a hook process answered, read as Copilot CLI would (exit codes are ignored).
pub(super) fn seen(stdout: &str, _code: i32) -> super::doctor::Seen {
    use super::doctor::Seen;
    if stdout.trim().is_empty() {
        return Seen::Pass;
    }
    match serde_json::from_str::<Value>(stdout) {
        Ok(v) if v["permissionDecision"] == "deny" => Seen::Deny,
        Ok(_) => Seen::Pass,
        Err(_) => Seen::Unreadable("output that is not JSON".to_owned()),
    }
}
