//! Claude Code, `PreToolUse` (agents.md §2.1).
//!
//! In: `{"tool_name": "Bash", "tool_input": {"command": …}, "permission_mode": …, "cwd": …}`.
//! Out: nothing for "no opinion" (Claude's own permissions apply: `allow` would skip the
//! user's prompt); `{"hookSpecificOutput": {"hookEventName": "PreToolUse",
//! "permissionDecision": "deny"|"ask", "permissionDecisionReason": …}}` otherwise. A deny's
//! reason is shown to the model, an ask's to the user. Exit 2 blocks with standard error as
//! the reason; any other failure lets the tool run unless the hook has `onFailure: block`.
//!
//! `ask` is answered only where Claude Code really puts the question to a person: an
//! interactive session (`CLAUDE_CODE_ENTRYPOINT` is `cli` or the VS Code extension; `claude
//! -p` is `sdk-cli`), in a permission mode that prompts, and not in a subagent. Elsewhere
//! `ask` has been reported ignored or auto-resolved, so `confirm` is refused there.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Action, Answer, Call, Refusal, Reply, command_text, parse, string_field};

const AGENT: &str = "Claude Code";

/// Tools that write a file, and the field naming it.
const FILE_TOOLS: &[(&str, &str)] = &[
    ("Edit", "file_path"),
    ("Write", "file_path"),
    ("MultiEdit", "file_path"),
    ("NotebookEdit", "notebook_path"),
];

/// Permission modes in which Claude Code prompts the user.
const PROMPTING_MODES: &[&str] = &["default", "acceptEdits", "plan"];

/// Entry points with a person at a prompt.
const INTERACTIVE_ENTRYPOINTS: &[&str] = &["cli", "claude-vscode"];

#[derive(Deserialize)]
struct Payload {
    tool_name: String,
    #[serde(default)]
    tool_input: Value,
    #[serde(default)]
    permission_mode: Option<String>,
    #[serde(default)]
    cwd: Option<std::path::PathBuf>,
    /// Present for a subagent's tool call.
    #[serde(default)]
    agent_id: Option<Value>,
}

pub(super) fn read(payload: &[u8]) -> Result<Call, Refusal> {
    let p: Payload = parse(payload)?;
    let action = if p.tool_name == "Bash" {
        let command = p
            .tool_input
            .get("command")
            .and_then(command_text)
            .ok_or_else(|| Refusal::shape(AGENT, "a Bash call without tool_input.command"))?;
        Action::Shell(command)
    } else if let Some((_, field)) = FILE_TOOLS.iter().find(|(t, _)| *t == p.tool_name) {
        let path = string_field(&p.tool_input, field).ok_or_else(|| {
            Refusal::shape(
                AGENT,
                format!("a {} call without tool_input.{field}", p.tool_name),
            )
        })?;
        Action::Files(vec![path.to_owned()])
    } else {
        Action::Other
    };
    let entrypoint = std::env::var("CLAUDE_CODE_ENTRYPOINT").unwrap_or_default();
    let can_ask = p
        .permission_mode
        .as_deref()
        .is_some_and(|m| PROMPTING_MODES.contains(&m))
        && p.agent_id.as_ref().is_none_or(Value::is_null)
        && INTERACTIVE_ENTRYPOINTS.contains(&entrypoint.as_str());
    let mut call = Call::new(action, p.cwd);
    call.can_ask = can_ask;
    Ok(call)
}

pub(super) fn reply(answer: &Answer) -> Reply {
    match answer {
        Answer::Pass(None) => Reply::default(),
        Answer::Pass(Some(note)) => Reply::json(&json!({
            "hookSpecificOutput": {"hookEventName": "PreToolUse", "additionalContext": note}
        })),
        Answer::Ask(reason) => decision("ask", reason),
        Answer::Deny(reason) => decision("deny", reason),
    }
}

fn decision(kind: &str, reason: &str) -> Reply {
    Reply::json(&json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": kind,
            "permissionDecisionReason": reason,
        }
    }))
}

/// The settings entry `guardsh install claude-code` writes.
pub(super) const SPEC: super::settings::JsonSpec = super::settings::JsonSpec {
    event: "PreToolUse",
    matcher: Some("Bash|Edit|Write|MultiEdit|NotebookEdit"),
    command_key: "command",
    version: false,
    handler,
};

fn handler(command: &str) -> Value {
    // onFailure: a hook that crashes or times out blocks the tool instead of letting it run.
    json!({"type": "command", "command": command, "timeout": 30, "onFailure": "block"})
}

/// A probe payload for `guardsh doctor`.
pub(super) fn probe(command: &str) -> String {
    json!({
        "session_id": "guardsh-doctor",
        "cwd": "/",
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command},
    })
    .to_string()
}

/// What a hook process answered, read as Claude Code would.
pub(super) fn seen(stdout: &str, code: i32) -> super::doctor::Seen {
    use super::doctor::Seen;
    if code == 2 {
        return Seen::Deny;
    }
    if code != 0 {
        return Seen::Unreadable(format!("exit {code}: Claude Code would let the tool run"));
    }
    if stdout.trim().is_empty() {
        return Seen::Pass;
    }
    match serde_json::from_str::<Value>(stdout) {
        Ok(v) => match v["hookSpecificOutput"]["permissionDecision"].as_str() {
            Some("deny") => Seen::Deny,
            Some("ask") => Seen::Ask,
            _ => Seen::Pass,
        },
        Err(_) => Seen::Unreadable("output that is not JSON".to_owned()),
    }
}
