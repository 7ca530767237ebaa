//! `guardsh mcp`: a Model Context Protocol server on standard input and output, for agents
//! that take their tools from MCP servers.
//!
//! Three tools: `run_command` (judged and confined exactly as shell mode judges and
//! confines `guardsh -c`, then run with bash; see [`run`]), `check_command` (what
//! `guardsh check --json` says) and `explain_command` (what `guardsh explain --json` says).
//! This file owns the protocol side: the tool table, reading the arguments, turning
//! outcomes into tool results. The protocol itself (lifecycle, version negotiation,
//! framing) is the official SDK's, rmcp.
//!
//! Standard output carries the protocol and nothing else: guardsh's own notices (a
//! parse-only boundary, an audit log it cannot write) go to standard error, which MCP
//! clients keep as the server's log.

pub mod run;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt as _};

use crate::input::Input;
use crate::parse::Limits;

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The async runtime could not be started.
    #[error("cannot start the MCP server: {0}")]
    Runtime(#[source] std::io::Error),
    /// The client never completed the protocol's start (or went away during it).
    #[error("the MCP client did not start a session: {0}")]
    Start(String),
    /// The session ended abnormally.
    #[error("the MCP session failed: {0}")]
    Session(String),
}

/// Serve MCP on standard input and output until the client closes the session.
pub fn serve() -> Result<(), Error> {
    // One thread drives the protocol; each command runs on a thread of its own (run.rs),
    // so a long command does not hold up the others.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    runtime.block_on(async {
        let service = Server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| Error::Start(e.to_string()))?;
        service
            .waiting()
            .await
            .map(|_| ())
            .map_err(|e| Error::Session(e.to_string()))
    })
}

/// The server: stateless, every call reads the configuration afresh (as every shell-mode
/// start does), so a change to it holds from the next call on.
#[derive(Debug, Clone, Copy)]
struct Server;

/// The tools' names.
const RUN: &str = "run_command";
const CHECK: &str = "check_command";
const EXPLAIN: &str = "explain_command";

/// The longest a `run_command` may ask for, and what it gets when it asks for nothing.
pub const MAX_TIMEOUT_SECS: u64 = 600;
/// See [`MAX_TIMEOUT_SECS`].
pub const DEFAULT_TIMEOUT_SECS: u64 = 120;

/// The three tools, as `tools/list` shows them.
fn tools() -> Vec<Tool> {
    let command = serde_json::json!({
        "type": "string",
        "description": "The shell command line, as it would be given to `bash -c`."
    });
    let cwd = serde_json::json!({
        "type": "string",
        "description": "The absolute directory it runs in (default: the server's own). \
                        The project's .guardsh.yaml is the one above it."
    });
    let schema = |extra: Option<(&str, serde_json::Value)>| -> Arc<JsonObject> {
        let mut properties = serde_json::Map::new();
        properties.insert("command".into(), command.clone());
        properties.insert("cwd".into(), cwd.clone());
        if let Some((name, value)) = extra {
            properties.insert(name.into(), value);
        }
        let mut object = serde_json::Map::new();
        object.insert("type".into(), "object".into());
        object.insert("properties".into(), properties.into());
        object.insert("required".into(), serde_json::json!(["command"]));
        object.insert("additionalProperties".into(), false.into());
        Arc::new(object)
    };
    let timeout = serde_json::json!({
        "type": "number",
        "exclusiveMinimum": 0,
        "maximum": MAX_TIMEOUT_SECS,
        "description": format!(
            "Seconds it may run before it and everything it started are killed \
             (default {DEFAULT_TIMEOUT_SECS}, at most {MAX_TIMEOUT_SECS})."
        )
    });
    let mut run = Tool::new(
        RUN,
        "Run a shell command with bash, guarded by guardsh. It is judged before anything \
         runs, exactly as guardsh's shell mode judges it: a destructive command is refused, \
         one that needs a person's confirmation is refused with a request id a person can \
         approve out of band (`guardsh approve ID`, in their own terminal), after which the \
         same command from the same directory runs. A refusal is a tool error saying what \
         was found, why it is dangerous and the safer path; do not rephrase the command to \
         get past it. What runs is confined by the kernel: it cannot change guardsh's own \
         files. The result is JSON: exit_code, signal, stdout, stderr, timed_out, truncated, \
         decision, protection, notes.",
        schema(Some(("timeout", timeout))),
    );
    run.annotations = Some(ToolAnnotations::new().destructive(true).open_world(true));
    let mut check = Tool::new(
        CHECK,
        "Decide whether a shell command may run (allow, warn, confirm or deny) and say why, \
         without running it: the JSON of `guardsh check --json` (decision, matches with \
         rule, message and safer suggestion, unknowns, protection).",
        schema(None),
    );
    check.annotations = Some(ToolAnnotations::new().read_only(true).destructive(false));
    let mut explain = Tool::new(
        EXPLAIN,
        "Show every command a shell line would run, where each sits, and what cannot be \
         known before it runs, without running it: the JSON of `guardsh explain --json`.",
        schema(None),
    );
    explain.annotations = Some(ToolAnnotations::new().read_only(true).destructive(false));
    vec![run, check, explain]
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("guardsh", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "guardsh runs shell commands only after judging them: run_command refuses \
                 destructive commands, and commands that need a person's confirmation until \
                 a person approves them with `guardsh approve ID`. check_command and \
                 explain_command judge without running anything.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        let name = request.name.as_ref();
        if ![RUN, CHECK, EXPLAIN].contains(&name) {
            return Err(ErrorData::invalid_params(
                format!("no tool named {name:?}: guardsh has {RUN}, {CHECK} and {EXPLAIN}"),
                None,
            ));
        }
        let call =
            Call::read(&args, name == RUN).map_err(|e| ErrorData::invalid_params(e, None))?;
        let result = match name {
            RUN => on_own_thread(move || run::execute(&call), "it may or may not have run").await,
            CHECK => on_own_thread(move || check(&call), "nothing ran").await,
            _ => on_own_thread(move || explain(&call), "nothing ran").await,
        };
        Ok(result.into())
    }
}

/// One tool call's arguments, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The command line.
    pub command: String,
    /// Where it runs (absolute).
    pub cwd: PathBuf,
    /// How long it may run.
    pub timeout: std::time::Duration,
}

impl Call {
    /// Read `command`, `cwd` and (with `timed`) `timeout`; unknown arguments are refused,
    /// so that a misspelt `cwd` never runs a command somewhere else.
    fn read(args: &JsonObject, timed: bool) -> Result<Call, String> {
        for key in args.keys() {
            if !(key == "command" || key == "cwd" || (timed && key == "timeout")) {
                return Err(format!("unknown argument {key:?}"));
            }
        }
        let command = match args.get("command") {
            Some(serde_json::Value::String(c)) => c.clone(),
            Some(_) => return Err("`command` must be a string".to_owned()),
            None => return Err("`command` is required".to_owned()),
        };
        let here = std::env::current_dir()
            .map_err(|e| format!("the server has no working directory ({e}); give `cwd`"))?;
        let cwd = match args.get("cwd") {
            None | Some(serde_json::Value::Null) => here,
            Some(serde_json::Value::String(dir)) => {
                let dir = Path::new(dir);
                if !dir.is_absolute() {
                    return Err(format!("`cwd` must be an absolute path, not {dir:?}"));
                }
                if !dir.is_dir() {
                    return Err(format!("`cwd` {dir:?} is not a directory"));
                }
                dir.to_path_buf()
            }
            Some(_) => return Err("`cwd` must be a string".to_owned()),
        };
        let timeout = match args.get("timeout") {
            None | Some(serde_json::Value::Null) => DEFAULT_TIMEOUT_SECS as f64,
            Some(serde_json::Value::Number(n)) => n.as_f64().unwrap_or(-1.0),
            Some(_) => return Err("`timeout` must be a number of seconds".to_owned()),
        };
        if !(timeout > 0.0 && timeout <= MAX_TIMEOUT_SECS as f64) {
            return Err(format!(
                "`timeout` must be more than 0 and at most {MAX_TIMEOUT_SECS} seconds"
            ));
        }
        Ok(Call {
            command,
            cwd,
            timeout: std::time::Duration::from_secs_f64(timeout),
        })
    }

    /// The command as shell mode reads a `-c` argument.
    fn input(&self) -> Input {
        Input::from_bytes(self.command.as_bytes().to_vec(), false)
    }

    /// The configuration in effect for a command in this call's directory.
    fn policy(&self) -> Result<crate::policy::Policy, crate::config::Error> {
        let mut places = crate::config::Places::real();
        places.cwd = Some(self.cwd.clone());
        crate::policy::Policy::load_from(&places)
    }
}

/// A tool result of one text block; `error` marks it a tool error (`isError`).
pub(crate) fn text_result(text: String, error: bool) -> CallToolResult {
    let content = vec![ContentBlock::text(text)];
    if error {
        CallToolResult::error(content)
    } else {
        CallToolResult::success(content)
    }
}

/// The stack of a call's thread: what a shell-mode run has on its main thread.
const CALL_STACK: usize = 8 << 20;

/// Run `f` on a thread of its own and wait for it without holding up the protocol. For
/// run_command the thread is the one the boundary goes around (run.rs); for every tool it
/// is an ordinary thread's stack the decision runs on, which the SQL reader accounts for
/// (the async runtime's frames sit on top of the main thread's).
async fn on_own_thread(
    f: impl FnOnce() -> CallToolResult + Send + 'static,
    ran: &'static str,
) -> CallToolResult {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("guardsh-mcp-call".to_owned())
        // The stack the main thread is given, on which the parser's limits were measured.
        .stack_size(CALL_STACK)
        .spawn(move || {
            let _ = tx.send(unpanicked(f, ran));
        });
    if let Err(e) = spawned {
        return text_result(
            format!("guardsh: cannot start a thread for the call ({e}); nothing ran"),
            true,
        );
    }
    rx.await.unwrap_or_else(|_| {
        text_result(
            format!("guardsh: internal error: the call ended without an answer; {ran} (please report this)"),
            true,
        )
    })
}

/// `f`'s result, or a tool error if it panicked: a panic in a handler would otherwise end
/// its task without an answer, and the client would wait for one forever. `ran` says what
/// is known of the command (`nothing ran`, or that it may have).
fn unpanicked(f: impl FnOnce() -> CallToolResult, ran: &str) -> CallToolResult {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        text_result(
            format!(
                "guardsh: internal error: {}; {ran} (please report this)",
                crate::panic_message(payload.as_ref())
            ),
            true,
        )
    })
}

/// `check_command`: `guardsh check --json` for the command in its directory.
fn check(call: &Call) -> CallToolResult {
    let verdict = call.policy().map_err(|e| e.to_string()).and_then(|mut p| {
        p.verdict(&call.input(), &Limits::default())
            .map_err(|e| e.to_string())
    });
    match verdict.and_then(|v| crate::check::render_json(&v).map_err(|e| e.to_string())) {
        Ok(json) => text_result(json, false),
        Err(e) => text_result(format!("guardsh: {e}"), true),
    }
}

/// `explain_command`: `guardsh explain --json` (which reads no configuration: the
/// directory changes nothing in it).
fn explain(call: &Call) -> CallToolResult {
    let script = crate::input::analyze(&call.input(), &Limits::default());
    match crate::explain::render_json(&script) {
        Ok(json) => text_result(json, false),
        Err(e) => text_result(format!("guardsh: {e}"), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: serde_json::Value) -> JsonObject {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn arguments_are_checked_before_anything_is_decided() {
        let ok = Call::read(
            &args(serde_json::json!({"command": "ls", "cwd": "/"})),
            true,
        )
        .expect("valid");
        assert_eq!(
            (ok.command.as_str(), ok.cwd.as_path()),
            ("ls", Path::new("/"))
        );
        assert_eq!(ok.timeout.as_secs(), DEFAULT_TIMEOUT_SECS);
        let bad = [
            serde_json::json!({}),
            serde_json::json!({"command": 1}),
            serde_json::json!({"command": "ls", "cwd": "relative"}),
            serde_json::json!({"command": "ls", "cwd": "/nonexistent/guardsh"}),
            serde_json::json!({"command": "ls", "timeout": 0}),
            serde_json::json!({"command": "ls", "timeout": 601}),
            serde_json::json!({"command": "ls", "timeout": "5"}),
            serde_json::json!({"command": "ls", "dir": "/"}),
        ];
        for a in bad {
            assert!(Call::read(&args(a.clone()), true).is_err(), "{a}");
        }
        // Only run_command takes a timeout.
        let timed = serde_json::json!({"command": "ls", "timeout": 5});
        assert!(Call::read(&args(timed), false).is_err());
    }

    #[test]
    fn every_tool_takes_an_object_with_a_command() {
        let listed = tools();
        let names: Vec<&str> = listed.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(names, [RUN, CHECK, EXPLAIN]);
        for t in &listed {
            assert_eq!(t.input_schema["type"], "object");
            assert_eq!(t.input_schema["required"], serde_json::json!(["command"]));
        }
    }

    #[test]
    fn check_and_explain_answer_what_the_cli_answers() {
        let call = Call::read(
            &args(serde_json::json!({"command": "git push -f origin main"})),
            false,
        )
        .expect("valid");
        let checked = check(&call);
        let text = match checked.content.first() {
            Some(ContentBlock::Text(t)) => t.text.clone(),
            other => panic!("text expected: {other:?}"),
        };
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(json["decision"], "deny");
        assert_eq!(checked.is_error, Some(false));
        let explained = explain(&call);
        assert_eq!(explained.is_error, Some(false));
    }
}
