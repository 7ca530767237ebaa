//! Cline, the `PreToolUse` hook file (agents.md §2.7).
//!
//! In: `{"hookName": "PreToolUse", "preToolUse": {"toolName": "execute_command",
//! "parameters": {"command": …}}, "workspaceRoots": […], …}`. Out: `{"cancel": bool,
//! "errorMessage": …, "contextModification": …}`. Cline honours that JSON whatever the exit
//! code, and treats a hook that fails without it as fail-open, so every answer is JSON.
//! There is no `ask`: `confirm` is refused. `write_to_file` and `replace_in_file` are
//! checked against guardsh's own files.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Action, Answer, Call, Refusal, Reply, parse, string_field};

const AGENT: &str = "Cline";

/// Tools that write a file (each names it in `path`).
const FILE_TOOLS: &[&str] = &["write_to_file", "replace_in_file"];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    #[serde(default)]
    hook_name: Option<String>,
    #[serde(default)]
    pre_tool_use: Option<Tool>,
    #[serde(default)]
    workspace_roots: Vec<std::path::PathBuf>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tool {
    tool_name: String,
    #[serde(default)]
    parameters: Value,
}

pub(super) fn read(payload: &[u8]) -> Result<Call, Refusal> {
    let p: Payload = parse(payload)?;
    let cwd = p.workspace_roots.into_iter().next();
    let tool = match (p.hook_name.as_deref(), p.pre_tool_use) {
        (_, Some(tool)) => tool,
        (None | Some("PreToolUse"), None) => {
            return Err(Refusal::shape(
                AGENT,
                "a PreToolUse payload without preToolUse",
            ));
        }
        // The same binary wired to another hook file: nothing to check.
        (Some(_), None) => return Ok(Call::new(Action::Other, cwd)),
    };
    let action = if tool.tool_name == "execute_command" {
        let command = string_field(&tool.parameters, "command").ok_or_else(|| {
            Refusal::shape(AGENT, "an execute_command call without parameters.command")
        })?;
        Action::Shell(command.to_owned())
    } else if FILE_TOOLS.contains(&tool.tool_name.as_str()) {
        let path = string_field(&tool.parameters, "path").ok_or_else(|| {
            Refusal::shape(
                AGENT,
                format!("a {} call without parameters.path", tool.tool_name),
            )
        })?;
        Action::Files(vec![path.to_owned()])
    } else {
        Action::Other
    };
    Ok(Call::new(action, cwd))
}

pub(super) fn reply(answer: &Answer) -> Reply {
    match answer {
        Answer::Pass(None) => Reply::json(&json!({"cancel": false})),
        Answer::Pass(Some(note)) => {
            Reply::json(&json!({"cancel": false, "contextModification": note}))
        }
        Answer::Ask(reason) | Answer::Deny(reason) => {
            Reply::json(&json!({"cancel": true, "errorMessage": reason}))
        }
    }
}
