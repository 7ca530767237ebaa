//! `run_command`: shell mode's judgment and boundary, with the output answered to the MCP
//! client instead of the process handed over.
//!
//! The same steps as `guardsh -c`: the policy for the command's directory, the verdict, the
//! gate (a refusal, a request a person approves out of band, or the backups of an approved
//! line), one audit record, then `confine::before_exec` and bash. Each call runs on a
//! thread of its own, and the boundary is put around that thread only: Landlock and
//! no_new_privs hold for the calling thread and what it starts, and the thread ends with
//! its command. The server itself stays outside every boundary, where it can use up a
//! person's approval and write the protected audit log, as shell mode does before it execs.

use rmcp::model::CallToolResult;
use serde::Serialize;

use super::{Call, text_result};
use crate::audit::{self, Entry, Mode};
use crate::exec::{self, Captured};
use crate::parse::Limits;

/// The most bytes of each of standard output and standard error answered to the client;
/// the rest is dropped (and `truncated` says so).
pub const MAX_OUTPUT: usize = 256 * 1024;

/// What `run_command` answers for a command that ran.
#[derive(Debug, Serialize)]
struct Ran {
    exit_code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
    truncated: bool,
    /// `allow`, `warn` or `confirm` (approved by a person).
    decision: &'static str,
    /// `ran` or `approved`.
    outcome: Option<String>,
    /// `kernel`, or `parse-only` when the boundary could not be put in place.
    protection: &'static str,
    /// The backups taken right before it ran (`guardsh restore ID`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    backups: Vec<String>,
    /// Warnings and backup notices, as shell mode writes them to standard error.
    #[serde(skip_serializing_if = "String::is_empty")]
    notes: String,
}

/// The whole call, on a thread of its own that this confines (see the module comment):
/// everything up to the gate runs before the boundary is entered. Never on a thread that
/// outlives the call.
pub(super) fn execute(call: &Call) -> CallToolResult {
    let refused = |text: String| text_result(text, true);
    let mut policy = match call.policy() {
        Ok(p) => p,
        Err(e) => {
            return refused(format!(
                "guardsh: {e}; refusing to run anything until it is fixed\n"
            ));
        }
    };
    let shell = match crate::guard::bash(policy.shell()) {
        Ok(s) => s,
        Err(e) => return refused(format!("guardsh: {e}; nothing ran\n")),
    };
    let verdict = match policy.verdict(&call.input(), &Limits::default()) {
        Ok(v) => v,
        Err(e) => {
            return refused(format!(
                "guardsh: {e}; refusing to run anything until it is fixed\n"
            ));
        }
    };
    let mut notes: String = policy
        .take_warnings()
        .iter()
        .map(|w| format!("guardsh: warning: {}\n", crate::term::escape(w)))
        .collect();
    let max_bytes = policy.layers().backup_max_bytes();
    let go = match crate::guard::gate_in(Mode::Mcp, &call.command, &verdict, &call.cwd, max_bytes) {
        Ok(go) => go,
        Err(refusal) => {
            notes.push_str(&refusal);
            return refused(notes);
        }
    };
    notes.push_str(&go.notes);
    let dir = call.cwd.display().to_string();
    audit::record(
        &Entry::new(Mode::Mcp, &call.command, &verdict, go.outcome)
            .in_dir(&dir)
            .insured(&go),
    );
    // From here on this thread, and the bash it starts, are inside the boundary.
    let boundary = crate::confine::before_exec();
    let how = Captured {
        cwd: &call.cwd,
        env: &boundary.env,
        timeout: call.timeout,
        max_output: MAX_OUTPUT,
    };
    let args = ["-c".into(), call.command.clone().into()];
    let finished = match exec::run_captured(&shell, &args, &how) {
        Ok(f) => f,
        Err(e) => return refused(format!("guardsh: {e}\n")),
    };
    let ran = Ran {
        exit_code: finished.code,
        signal: finished.signal,
        stdout: String::from_utf8_lossy(&finished.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&finished.stderr).into_owned(),
        timed_out: finished.timed_out,
        truncated: finished.truncated,
        decision: crate::check::name(verdict.decision),
        outcome: serde_json::to_value(go.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned)),
        protection: boundary.level.name(),
        backups: go.backups,
        notes,
    };
    match serde_json::to_string(&ran) {
        Ok(json) => text_result(json, false),
        Err(e) => refused(format!("guardsh: cannot serialise the result: {e}\n")),
    }
}
