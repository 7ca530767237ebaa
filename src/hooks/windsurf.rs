//! Windsurf (Cascade) hooks, `pre_run_command` (agents.md §2.6).
//!
//! In: `{"agent_action_name": "pre_run_command", "tool_info": {"command_line": …, "cwd": …},
//! …}`. Out: a pre-hook blocks by exiting 2; what it writes is shown when the hook has
//! `show_output`. There is no `ask` and no JSON answer, so a refusal is exit 2 with the
//! reason on standard error, and a warning is printed on standard output with exit 0.
//! `pre_write_code` (`tool_info.file_path`) is checked against guardsh's own files.

use serde::Deserialize;
use serde_json::Value;

use super::{Action, Answer, Call, Refusal, Reply, parse, string_field};

const AGENT: &str = "Windsurf";

#[derive(Deserialize)]
struct Payload {
    agent_action_name: String,
    #[serde(default)]
    tool_info: Value,
}

pub(super) fn read(payload: &[u8]) -> Result<Call, Refusal> {
    let p: Payload = parse(payload)?;
    let cwd = string_field(&p.tool_info, "cwd").map(std::path::PathBuf::from);
    let action = match p.agent_action_name.as_str() {
        "pre_run_command" => {
            let command = string_field(&p.tool_info, "command_line").ok_or_else(|| {
                Refusal::shape(
                    AGENT,
                    "a pre_run_command payload without tool_info.command_line",
                )
            })?;
            Action::Shell(command.to_owned())
        }
        "pre_write_code" => {
            let path = string_field(&p.tool_info, "file_path").ok_or_else(|| {
                Refusal::shape(
                    AGENT,
                    "a pre_write_code payload without tool_info.file_path",
                )
            })?;
            Action::Files(vec![path.to_owned()])
        }
        _ => Action::Other,
    };
    Ok(Call::new(action, cwd))
}

pub(super) fn reply(answer: &Answer) -> Reply {
    match answer {
        Answer::Pass(None) => Reply::default(),
        Answer::Pass(Some(note)) => Reply {
            stdout: format!("{note}\n"),
            ..Reply::default()
        },
        Answer::Ask(reason) | Answer::Deny(reason) => Reply {
            stderr: format!("{reason}\n"),
            code: crate::exit::HOOK_BLOCK,
            ..Reply::default()
        },
    }
}
