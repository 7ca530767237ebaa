//! OpenAI Codex CLI, `PreToolUse` (agents.md §2.4).
//!
//! In: `{"tool_name": "Bash", "tool_input": {"command": …}, "cwd": …, "turn_id": …, …}`.
//! Out: nothing for "no opinion"; `{"hookSpecificOutput": {"hookEventName": "PreToolUse",
//! "permissionDecision": "deny", "permissionDecisionReason": …}}` to block (exit 2 with the
//! reason on standard error blocks too). Codex has no `ask` a hook can use (an `ask` or a
//! bare `allow` is invalid output, which fails open), so `confirm` is refused. Hook failures
//! fail open and Codex has no setting to change that (openai/codex #41979).
//!
//! The hook is installed without a matcher, so `apply_patch` calls come here too: the files
//! a patch adds, updates, deletes or moves to are checked against guardsh's own files.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Action, Answer, Call, Refusal, Reply, command_text, parse};

const AGENT: &str = "Codex";

/// Tool names under which Codex runs a shell command (`Bash` is the canonical hook name;
/// the others are its internal names, in case a version sends them).
const SHELL_TOOLS: &[&str] = &[
    "Bash",
    "shell",
    "local_shell",
    "exec_command",
    "unified_exec",
];

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
    // Shell-like tools pass `{"command": …}`, MCP tools their own arguments: a tool with a
    // command that is not known to be something else is checked as a shell, so a renamed
    // shell tool is not let through unchecked.
    let shell_like = SHELL_TOOLS.contains(&p.tool_name.as_str())
        || (p.tool_name != "apply_patch"
            && !p.tool_name.starts_with("mcp__")
            && p.tool_input.get("command").is_some());
    let action = if shell_like {
        let command = p
            .tool_input
            .get("command")
            .or_else(|| p.tool_input.get("cmd"))
            .and_then(command_text)
            .ok_or_else(|| {
                Refusal::shape(
                    AGENT,
                    format!("a {} call without tool_input.command", p.tool_name),
                )
            })?;
        Action::Shell(command)
    } else if p.tool_name == "apply_patch" {
        let mut paths = Vec::new();
        patch_paths(&p.tool_input, &mut paths);
        if paths.is_empty() {
            Action::Other
        } else {
            Action::Files(paths)
        }
    } else {
        Action::Other
    };
    Ok(Call::new(action, p.cwd))
}

/// The files an `apply_patch` envelope touches, from every string in the input (the patch
/// text's field has changed name between versions): `*** Add File: p`, `*** Update File:
/// p`, `*** Delete File: p`, `*** Move to: p`.
fn patch_paths(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => {
            for line in text.lines() {
                for marker in [
                    "*** Add File: ",
                    "*** Update File: ",
                    "*** Delete File: ",
                    "*** Move to: ",
                ] {
                    if let Some(path) = line.trim_start().strip_prefix(marker) {
                        out.push(path.trim().to_owned());
                    }
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| patch_paths(v, out)),
        Value::Object(map) => map.values().for_each(|v| patch_paths(v, out)),
        _ => {}
    }
}

pub(super) fn reply(answer: &Answer) -> Reply {
    match answer {
        // A note without a decision is not part of every version's schema: allow silently.
        Answer::Pass(_) => Reply::default(),
        Answer::Ask(reason) | Answer::Deny(reason) => Reply::json(&json!({
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "deny",
                "permissionDecisionReason": reason,
            }
        })),
    }
}

/// A probe payload for `guardsh doctor`.
pub(super) fn probe(command: &str) -> String {
    json!({
        "session_id": "guardsh-doctor",
        "turn_id": "guardsh-doctor",
        "cwd": "/",
        "hook_event_name": "PreToolUse",
        "model": "guardsh-doctor",
        "permission_mode": "default",
        "tool_name": "Bash",
        "tool_input": {"command": command},
        "tool_use_id": "guardsh-doctor",
        "transcript_path": null,
    })
    .to_string()
}

/// What a hook process answered, read as Codex would.
pub(super) fn seen(stdout: &str, code: i32) -> super::doctor::Seen {
    use super::doctor::Seen;
    if code == 2 {
        return Seen::Deny;
    }
    if code != 0 {
        return Seen::Unreadable(format!("exit {code}: Codex would let the tool run"));
    }
    if stdout.trim().is_empty() {
        return Seen::Pass;
    }
    match serde_json::from_str::<Value>(stdout) {
        Ok(v)
            if v["hookSpecificOutput"]["permissionDecision"] == "deny"
                || v["decision"] == "block" =>
        {
            Seen::Deny
        }
        Ok(_) => Seen::Unreadable("JSON without a decision Codex reads".to_owned()),
        Err(_) => Seen::Unreadable("output that is not JSON".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_paths_are_found() {
        let input = json!({"command": "*** Begin Patch\n*** Update File: src/a.rs\n@@\n-x\n+y\n\
             *** Add File: /home/u/.codex/config.toml\n+x\n*** Delete File: b\n\
             *** Update File: c\n*** Move to: d\n*** End Patch\n"});
        let mut paths = Vec::new();
        patch_paths(&input, &mut paths);
        assert_eq!(
            paths,
            ["src/a.rs", "/home/u/.codex/config.toml", "b", "c", "d"]
        );
    }
}
