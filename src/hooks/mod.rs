//! Agent hooks: `guardsh hook AGENT` answers an agent's pre-execution JSON; `install`,
//! `uninstall` and `doctor` manage the agents' settings that call it.
//!
//! One module per agent protocol reads its payload into a [`Call`] (what the agent is about
//! to do) and writes an [`Answer`] back in its format ([`Reply`]). Shared here: reading
//! standard input with a bound, the decision (exactly `guardsh check`'s), the reason texts,
//! and failing closed: a payload that cannot be read, a broken rule pack or a panic is
//! answered with the agent's refusal and the protocol's blocking exit code. Most agents let
//! a command through when a hook crashes or prints nothing they understand, so silence is
//! never an answer guardsh gives to a shell command it has not checked.

mod claude;
mod cline;
mod codex;
mod copilot;
mod cursor;
mod diff;
pub mod doctor;
mod gemini;
pub mod install;
mod mcp;
mod paths;
mod protect;
mod settings;
mod system;
mod windsurf;

use std::io::{self, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use crate::check;
use crate::cli::Agent;
use crate::decision::{Decision, Verdict};
use crate::input::Input;
use crate::parse::Limits;
use crate::rules::RuleError;
use crate::term::escape;

pub use install::Error;

/// What an agent is about to do, as far as guardsh cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Run this shell text.
    Shell(String),
    /// Write, edit or delete these files through the agent's own tools, not a shell.
    Files(Vec<String>),
    /// Anything else (reading, searching, other tools): guardsh has no opinion.
    Other,
}

/// One tool call, read from an agent's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Call {
    /// What it does.
    pub action: Action,
    /// The agent's working directory, against which relative paths are read.
    pub cwd: Option<PathBuf>,
    /// The agent shows a person its own confirmation prompt when the hook answers `ask`.
    /// Only where that is known to reach a person: elsewhere `confirm` is a refusal.
    pub can_ask: bool,
}

impl Call {
    fn new(action: Action, cwd: Option<PathBuf>) -> Self {
        Call {
            action,
            cwd,
            can_ask: false,
        }
    }
}

/// guardsh's answer, before it is put in an agent's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// No opinion: the agent's own permissions apply. With a note for a `warn`.
    Pass(Option<String>),
    /// Ask the person at the agent's prompt (the text is for them).
    Ask(String),
    /// Refuse (the text is for the model).
    Deny(String),
}

/// What the hook process writes and how it exits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Reply {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit code.
    pub code: u8,
}

impl Reply {
    /// One JSON object on standard output, exit 0.
    fn json(value: &serde_json::Value) -> Self {
        Reply {
            stdout: format!("{value}\n"),
            ..Reply::default()
        }
    }
}

/// Why a payload is refused without a decision on its command.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refusal {
    /// Standard input could not be read.
    #[error("cannot read the hook payload from standard input: {0}")]
    Read(#[source] io::Error),
    /// Standard input is larger than any payload guardsh accepts.
    #[error("the hook payload is larger than {0} bytes")]
    TooLarge(usize),
    /// Standard input is not JSON.
    #[error("the hook payload is not valid JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// The JSON lacks, or mistypes, a field guardsh needs.
    #[error("the hook payload is not what {agent} sends: {what}")]
    Shape {
        /// The agent.
        agent: &'static str,
        /// What is wrong.
        what: String,
    },
    /// A built-in rule pack is broken.
    #[error(transparent)]
    Rules(#[from] RuleError),
    /// A configuration file or pack is broken.
    #[error("{0}; refusing everything until it is fixed")]
    Config(#[from] crate::config::Error),
}

impl Refusal {
    fn shape(agent: &'static str, what: impl Into<String>) -> Self {
        Refusal::Shape {
            agent,
            what: what.into(),
        }
    }
}

/// Run `guardsh hook AGENT`: read the payload, decide, answer. Returns the exit code.
///
/// Never fails and never panics outward: whatever goes wrong is answered as a refusal in
/// the agent's format, with the protocol's blocking exit code.
pub fn execute(agent: Agent, stdin: &mut dyn Read, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let reply = match catch_unwind(AssertUnwindSafe(|| respond(agent, stdin))) {
        Ok(reply) => reply,
        Err(payload) => failed(
            agent,
            &format!(
                "guardsh failed inside ({}, please report this)",
                crate::panic_message(payload.as_ref())
            ),
        ),
    };
    let written = out
        .write_all(reply.stdout.as_bytes())
        .and_then(|()| out.flush());
    let _ = err.write_all(reply.stderr.as_bytes());
    if written.is_err() {
        // The agent stopped reading; the blocking code is the one answer left.
        return crate::exit::HOOK_BLOCK;
    }
    reply.code
}

fn respond(agent: Agent, stdin: &mut dyn Read) -> Reply {
    match read_payload(stdin)
        .and_then(|payload| read_call(agent, &payload))
        .and_then(|call| answer_as(&call, Some(agent)))
    {
        Ok(answer) => reply(agent, &answer),
        Err(refusal) => failed(agent, &refusal.to_string()),
    }
}

/// The agent's refusal, with the blocking exit code and the reason on standard error too:
/// each protocol honours at least one of the three.
fn failed(agent: Agent, what: &str) -> Reply {
    let reason = format!(
        "guardsh refused this: {}. guardsh lets nothing run that it cannot check. Do not retry \
         it or work around it; tell the user, who can run `guardsh doctor` in their own terminal.",
        escape(what)
    );
    let mut reply = reply(agent, &Answer::Deny(reason.clone()));
    reply.code = crate::exit::HOOK_BLOCK;
    if reply.stderr.is_empty() {
        reply.stderr = format!("{reason}\n");
    }
    reply
}

/// The payload bytes: more than any command guardsh would analyse, JSON-escaped, plus room
/// for the fields around it; anything larger is refused rather than cut.
fn read_payload(stdin: &mut dyn Read) -> Result<Vec<u8>, Refusal> {
    let limit = Limits::default()
        .max_input_bytes
        .saturating_mul(6)
        .saturating_add(1 << 20);
    let cap = u64::try_from(limit).unwrap_or(u64::MAX);
    let (bytes, over) = crate::capped::read_stream(stdin, cap, 0).map_err(Refusal::Read)?;
    if over {
        return Err(Refusal::TooLarge(limit));
    }
    Ok(bytes)
}

fn read_call(agent: Agent, payload: &[u8]) -> Result<Call, Refusal> {
    match agent {
        Agent::ClaudeCode => claude::read(payload),
        Agent::Cursor => cursor::read(payload),
        Agent::Codex => codex::read(payload),
        Agent::Gemini => gemini::read(payload),
        Agent::Copilot => copilot::read(payload),
        Agent::Windsurf => windsurf::read(payload),
        Agent::Cline => cline::read(payload),
    }
}

fn reply(agent: Agent, answer: &Answer) -> Reply {
    match agent {
        Agent::ClaudeCode => claude::reply(answer),
        Agent::Cursor => cursor::reply(answer),
        Agent::Codex => codex::reply(answer),
        Agent::Gemini => gemini::reply(answer),
        Agent::Copilot => copilot::reply(answer),
        Agent::Windsurf => windsurf::reply(answer),
        Agent::Cline => cline::reply(answer),
    }
}

/// The answer to one call, recorded nowhere (the unit tests' entry).
#[cfg(test)]
pub(crate) fn answer(call: &Call) -> Result<Answer, Refusal> {
    answer_as(call, None)
}

/// The answer to one call from `agent`: a shell command's decision is recorded (audit.rs),
/// like every other mode's, naming the agent whose hook asked.
fn answer_as(call: &Call, agent: Option<Agent>) -> Result<Answer, Refusal> {
    match &call.action {
        Action::Other => Ok(Answer::Pass(None)),
        Action::Files(paths) => {
            let home = paths::Home::detect();
            for path in paths {
                if let Some(what) =
                    protect::protected_file(path, call.cwd.as_deref(), home.as_ref())
                {
                    return Ok(Answer::Deny(protected_reason(path, what)));
                }
            }
            Ok(Answer::Pass(None))
        }
        Action::Shell(text) => {
            let limits = Limits::default();
            // The project file is the one above the directory the agent runs the command in.
            let mut places = crate::config::Places::real();
            if let Some(cwd) = call.cwd.as_ref().filter(|c| c.is_absolute()) {
                places.cwd = Some(cwd.clone());
            }
            let mut policy = crate::policy::Policy::load_from(&places)?;
            let verdict = policy.verdict(&bounded_input(text, limits.max_input_bytes), &limits)?;
            let answer = shell_answer(&verdict, call.can_ask);
            if let Some(agent) = agent {
                record(agent, call, text, &verdict, &answer);
            }
            Ok(answer)
        }
    }
}

/// The hook's decision in the audit log. Nothing runs here: the agent runs the command (or
/// asks its person) after the answer, so the outcome says what the agent was told.
fn record(agent: Agent, call: &Call, text: &str, verdict: &Verdict, answer: &Answer) {
    use crate::audit::{Entry, Mode, Outcome};
    let outcome = match answer {
        Answer::Pass(_) => Outcome::Passed,
        Answer::Ask(_) => Outcome::Asked,
        Answer::Deny(_) => Outcome::Refused,
    };
    let mut entry = Entry::new(Mode::Hook, text, verdict, outcome);
    // The settings that run `guardsh hook AGENT` name the agent, whatever its environment.
    entry.agent = clap::ValueEnum::to_possible_value(&agent).map(|v| v.get_name().to_owned());
    if let Some(cwd) = call.cwd.as_ref().filter(|c| c.is_absolute()) {
        entry.cwd = cwd.display().to_string();
    }
    crate::audit::record(&entry);
}

/// The command text as `check` would read it from a file: cut at the limit, and marked cut,
/// so that the analysis refuses it.
fn bounded_input(text: &str, limit: usize) -> Input {
    let mut bytes = text.as_bytes().to_vec();
    let truncated = bytes.len() > limit;
    bytes.truncate(limit);
    Input::from_bytes(bytes, truncated)
}

/// `check`'s decision in hook terms. `deny` is always a refusal; `confirm` asks only where
/// the agent puts the question to a person.
fn shell_answer(verdict: &Verdict, can_ask: bool) -> Answer {
    match verdict.decision {
        Decision::Allow => Answer::Pass(None),
        Decision::Warn => Answer::Pass(Some(format!(
            "guardsh warning (the command may run):\n{}",
            findings(verdict)
        ))),
        Decision::Confirm if can_ask => Answer::Ask(format!(
            "guardsh: this command needs your confirmation.\n{}Approve it only if you meant it to run.",
            findings(verdict)
        )),
        Decision::Confirm => Answer::Deny(format!(
            "guardsh refused this command: it needs a person's confirmation, and no person can be \
             asked from here.\n{}Do not retry it, rephrase it or split it up to get past the guard. \
             If it really has to run, tell the user the exact command and why; they must run it \
             themselves, in their own terminal.",
            findings(verdict)
        )),
        Decision::Deny => Answer::Deny(format!(
            "guardsh refused this command: it is destructive, or what it would run cannot be \
             known before it runs.\n{}Do not retry it, rephrase it or split it up to get past the \
             guard; take the safer path above. If it really has to run, tell the user the exact \
             command and why; a person must run it or approve it themselves.",
            findings(verdict)
        )),
    }
}

/// At most this many findings are listed; a refusal is read by a model with a context budget.
const MAX_FINDINGS: usize = 8;
/// Commands and unknowns are quoted up to this many characters.
const MAX_QUOTE: usize = 200;

/// One line per finding, strictest first: what was found, why it matters, the safer path.
fn findings(v: &Verdict) -> String {
    let mut lines: Vec<(Decision, String)> = Vec::new();
    for m in &v.matches {
        lines.push((
            m.severity,
            format!(
                "- `{}` ({}, {}): {}. Safer: {}.\n",
                shorten(&m.command),
                escape(&m.rule),
                check::name(m.severity),
                escape(m.message.trim_end_matches('.')),
                escape(m.suggestion.trim_end_matches('.')),
            ),
        ));
    }
    for u in &v.unknown {
        let kind = serde_json::to_value(u.kind)
            .ok()
            .and_then(|k| k.as_str().map(str::to_owned))
            .unwrap_or_default();
        lines.push((
            u.severity,
            format!(
                "- cannot be known before it runs ({kind}, {}): {}\n",
                check::name(u.severity),
                shorten(&u.text)
            ),
        ));
    }
    lines.sort_by_key(|l| std::cmp::Reverse(l.0));
    let total = lines.len();
    let mut out: String = lines
        .into_iter()
        .take(MAX_FINDINGS)
        .map(|(_, line)| line)
        .collect();
    if total > MAX_FINDINGS {
        out.push_str(&format!("- … and {} more\n", total - MAX_FINDINGS));
    }
    out
}

/// Untrusted text, escaped and cut to [`MAX_QUOTE`] characters.
fn shorten(text: &str) -> String {
    let escaped = escape(text);
    match escaped.char_indices().nth(MAX_QUOTE) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped.into_owned(),
    }
}

fn protected_reason(path: &str, what: &str) -> String {
    format!(
        "guardsh refused this change: `{}` is {what}. An agent must not change or remove it: \
         that would switch guardsh off. Do not work around this; if it really has to change, \
         tell the user, who must do it themselves, outside the agent.",
        shorten(path)
    )
}

/// The first line of a reason, for the short message an agent shows its user.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// A string field of a JSON object.
fn string_field<'a>(value: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(serde_json::Value::as_str)
}

/// A shell command as agents send it: a string, or (some versions of Codex) an argv array,
/// which is quoted back into one line.
fn command_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(items) => {
            let words: Option<Vec<&str>> = items.iter().map(serde_json::Value::as_str).collect();
            words.map(shell_words::join)
        }
        _ => None,
    }
}

/// Parse a payload, leniently: fields agents add over time are ignored.
fn parse<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, Refusal> {
    serde_json::from_slice(payload).map_err(Refusal::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(line: &str, can_ask: bool) -> Answer {
        answer(&Call {
            action: Action::Shell(line.to_owned()),
            cwd: None,
            can_ask,
        })
        .expect("built-in packs load")
    }

    #[test]
    fn decisions_map_to_answers() {
        assert_eq!(shell("ls -la", true), Answer::Pass(None));
        assert!(matches!(
            shell("$EDITOR notes.md", false),
            Answer::Pass(Some(_))
        ));
        assert!(matches!(shell("git reset --hard", true), Answer::Ask(_)));
        assert!(matches!(shell("git reset --hard", false), Answer::Deny(_)));
        // deny is never softened into a question.
        assert!(matches!(
            shell("railway volume delete x --yes", true),
            Answer::Deny(_)
        ));
        // What cannot be parsed is refused.
        assert!(matches!(shell("echo 'unterminated", true), Answer::Deny(_)));
    }

    #[test]
    fn refusals_say_what_why_and_what_to_do() {
        let Answer::Deny(reason) = shell("railway volume delete pg-data --yes", true) else {
            panic!("must be refused");
        };
        for part in [
            "railway volume delete pg-data --yes",
            "railway.volume.delete",
            "backups",
            "Safer:",
            "Do not retry",
            "a person must run it",
        ] {
            assert!(reason.contains(part), "{part:?} missing from {reason}");
        }
    }

    #[test]
    fn oversized_commands_are_refused() {
        let limit = Limits::default().max_input_bytes;
        let long = format!("echo {}", "a".repeat(limit));
        assert!(matches!(shell(&long, true), Answer::Deny(_)));
        assert!(bounded_input(&long, limit).truncated);
    }

    #[test]
    fn quotes_are_escaped_and_bounded() {
        assert_eq!(shorten("a\u{1b}[31mb"), "a\\x1b[31mb");
        let long = "x".repeat(MAX_QUOTE + 50);
        assert_eq!(shorten(&long).chars().count(), MAX_QUOTE + 1);
    }

    #[test]
    fn command_arrays_are_quoted_back() {
        let v = serde_json::json!(["bash", "-lc", "rm -rf /"]);
        assert_eq!(command_text(&v).as_deref(), Some("bash -lc 'rm -rf /'"));
        assert_eq!(command_text(&serde_json::json!(3)), None);
        assert_eq!(command_text(&serde_json::json!(["a", 1])), None);
    }

    #[test]
    fn payload_size_is_bounded() {
        let limit = Limits::default().max_input_bytes * 6 + (1 << 20);
        let mut big = io::repeat(b' ').take(limit as u64 + 10);
        assert!(matches!(read_payload(&mut big), Err(Refusal::TooLarge(_))));
    }
}
