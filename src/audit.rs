//! The append-only audit log: one JSON line per decision. With a protected directory
//! (state.rs) the log lives there, and no guarded tree can truncate, rewrite or remove it;
//! decisions made inside a tree (a shim, a nested `guardsh -c`) go to that tree's own spool
//! log, which the tree may append to (and, being a plain write right, overwrite) but not
//! truncate or remove, and which no other tree can touch. Without one, the log is under the
//! XDG state directory, where the agent's user can change it (parse-only).
//!
//! Each record is built in full and written with a single `write` on a file opened with
//! `O_APPEND`, so records from concurrent guardsh processes never interleave or overwrite
//! each other (Linux appends a whole write at the end of a regular file atomically with
//! respect to other appends). A failure to write is reported on standard error and changes
//! nothing else: a refusal stays a refusal.
//!
//! [`record`] is the one place a decision goes out: to that log, and to the system log when
//! the configuration names one (sink.rs).

use std::fs::OpenOptions;
use std::io::{self, BufRead as _, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::decision::Verdict;

mod journal;
pub mod sink;
mod syslog;

/// How guardsh was used when it decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// As the agent's shell (`guardsh -c`).
    Shell,
    /// `guardsh --dry-run`.
    DryRun,
    /// An agent hook.
    Hook,
    /// A shim in front of one program.
    Shim,
    /// A line typed at an interactive shell set up by `guardsh init` (`guardsh gate`).
    Interactive,
    /// A `run_command` call to the MCP server (`guardsh mcp`).
    Mcp,
}

/// What happened to the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It ran (allowed, or warned).
    Ran,
    /// It was refused.
    Refused,
    /// A human typed the confirmation on the terminal, and it ran.
    Confirmed,
    /// A human's earlier approval was used, and it ran.
    Approved,
    /// Nothing ran: a dry run.
    Previewed,
    /// An agent hook told the agent it may run it (the agent runs it, not guardsh).
    Passed,
    /// An agent hook told the agent to ask its person (the agent's own prompt decides).
    Asked,
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// RFC 3339, UTC.
    pub time: String,
    /// The working directory.
    pub cwd: String,
    /// How guardsh was used.
    pub mode: Mode,
    /// The command line as received.
    pub command: String,
    /// `allow`, `warn`, `confirm` or `deny`.
    pub decision: String,
    /// The rules that matched, and the kinds of unknowns.
    pub rules: Vec<String>,
    /// What happened.
    pub outcome: Outcome,
    /// The protected environments the matched commands act on (`production`, from
    /// `flag -e`): why a routine command was held back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
    /// Read from a guarded tree's spool log (written from inside that tree), not from the
    /// protected log; set when reading, never stored.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inside_tree: bool,
    /// The backups taken right before it ran.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backups: Vec<String>,
    /// A person declined the backups it needed (`guardsh approve --no-backup`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_backup: bool,
    /// The agent that asked: the one whose hook decided, else what the environment says
    /// ([`agent_from_env`]), a label for reading the log, not proof (an agent can set or
    /// unset variables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The request a person can approve (`guardsh approve ID`), for a refused
    /// confirm-level line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
}

impl Entry {
    /// A record of `verdict` on `command`, now, in the current directory.
    pub fn new(mode: Mode, command: &str, verdict: &Verdict, outcome: Outcome) -> Self {
        let decision = serde_json::to_value(verdict.decision)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let mut rules: Vec<String> = verdict.matches.iter().map(|m| m.rule.clone()).collect();
        for u in &verdict.unknown {
            if let Some(kind) = serde_json::to_value(u.kind)
                .ok()
                .and_then(|v| v.as_str().map(|k| format!("unknown:{k}")))
                && !rules.contains(&kind)
            {
                rules.push(kind);
            }
        }
        rules.dedup();
        Entry {
            time: crate::clock::rfc3339(crate::clock::now()),
            cwd: std::env::current_dir()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            mode,
            command: command.to_owned(),
            decision,
            rules,
            outcome,
            environments: verdict
                .environments
                .iter()
                .filter(|t| t.protected)
                .map(|t| format!("{} ({})", t.name, t.source))
                .collect(),
            inside_tree: false,
            backups: Vec::new(),
            no_backup: false,
            agent: agent_from_env().map(str::to_owned),
            request: None,
        }
    }

    /// The same record, for a command run in `cwd` rather than guardsh's own directory
    /// (an agent hook's or an MCP client's working directory).
    pub fn in_dir(mut self, cwd: &str) -> Self {
        cwd.clone_into(&mut self.cwd);
        self
    }

    /// The same record, naming the request a person can approve.
    pub fn with_request(mut self, request: Option<&str>) -> Self {
        self.request = request.map(str::to_owned);
        self
    }

    /// The same record, with the insurance the gate took (or was told not to).
    pub fn insured(mut self, go: &crate::guard::Go) -> Self {
        self.backups.clone_from(&go.backups);
        self.no_backup = go.no_backup;
        self
    }
}

/// Append `entry` to the log at `path`, creating it (and its directory) private to the user.
pub fn append_to(path: &Path, entry: &Entry) -> io::Result<()> {
    let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
    line.push(b'\n');
    let open = || {
        OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)
    };
    // The directory exists on every run but the first: create it only when the open says
    // it is missing (two system calls fewer on the path of every allowed command).
    let mut file = match open() {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            open()?
        }
        other => other?,
    };
    // One write for the whole record: see the module comment.
    let written = file.write(&line)?;
    if written != line.len() {
        return Err(io::Error::other("the audit record was written in part"));
    }
    Ok(())
}

/// The variables agents set in the environment of the commands they run, and the agent
/// each names; the first one set wins.
const AGENT_VARIABLES: &[(&str, &str)] = &[
    ("CLAUDECODE", "claude-code"),
    ("CLAUDE_CODE_ENTRYPOINT", "claude-code"),
    ("CODEX_SANDBOX", "codex"),
    ("CODEX_SANDBOX_NETWORK_DISABLED", "codex"),
    ("CURSOR_AGENT", "cursor"),
    ("GEMINI_CLI", "gemini"),
    ("COPILOT_AGENT", "copilot"),
    ("OPENHANDS", "openhands"),
];

/// Which agent the environment says runs this command, if any.
pub fn agent_from_env() -> Option<&'static str> {
    AGENT_VARIABLES
        .iter()
        .find(|(var, _)| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
        .map(|&(_, agent)| agent)
}

/// Record a decision: in the local log ([`append_local`]), and in the system log when the
/// configuration names one ([`sink::send`]). Neither failure changes the decision.
pub fn record(entry: &Entry) {
    append_local(entry);
    sink::send(entry);
}

/// Append `entry` to the log: the protected one when there is a protected directory (from
/// inside a guarded tree, which cannot write it, the tree's own spool log instead), else the
/// user's state directory. A failure is reported on standard error and the caller goes on.
fn append_local(entry: &Entry) {
    let (main, spool) = match crate::state::protected() {
        Ok(p) => {
            let spool = crate::confine::inherited_spool(&p);
            (Some(p.audit_log()), spool)
        }
        Err(_) => (crate::paths::audit_log(), None),
    };
    let Some(main) = main else {
        warn("cannot write the audit log: no home directory");
        return;
    };
    let Err(e) = append_to(&main, entry) else {
        return;
    };
    // Inside a tree the protected log refuses (that is the point); its spool takes it.
    if let Some(spool) = spool
        && append_to(&spool, entry).is_ok()
    {
        return;
    }
    warn(&format!(
        "cannot write the audit log {}: {e}",
        main.display()
    ));
}

fn warn(message: &str) {
    let line = format!("guardsh: {}\n", crate::term::escape(message));
    let _ = io::stderr().write_all(line.as_bytes());
}

/// The log's path, for `guardsh log`.
pub fn path() -> Option<PathBuf> {
    match crate::state::protected() {
        Ok(p) => Some(p.audit_log()),
        Err(_) => crate::paths::audit_log(),
    }
}

/// The spool logs of guarded trees (decisions made inside them), oldest first.
pub fn spools() -> Vec<PathBuf> {
    let Ok(p) = crate::state::protected() else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(p.spool())
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// The last `limit` records of the log at `path` whose decision is in `decisions` (all when
/// empty). Lines that do not parse (a damaged log) are skipped and counted.
pub fn read_recent(
    path: &Path,
    decisions: &[String],
    limit: usize,
) -> io::Result<(Vec<Entry>, usize)> {
    // Streamed, so no size cap; but a FIFO or a device in its place must not hang or act.
    let file = match crate::capped::open(path) {
        Ok(f) => f,
        Err(e) if e.is_missing() => return Ok((Vec::new(), 0)),
        Err(e) => return Err(io::Error::other(e.to_string())),
    };
    let mut entries = std::collections::VecDeque::new();
    let mut damaged = 0;
    for line in io::BufReader::new(file).lines() {
        let line = line?;
        match serde_json::from_str::<Entry>(&line) {
            Ok(e) if decisions.is_empty() || decisions.contains(&e.decision) => {
                entries.push_back(e);
                if entries.len() > limit {
                    entries.pop_front();
                }
            }
            Ok(_) => {}
            Err(_) => damaged += 1,
        }
    }
    Ok((entries.into(), damaged))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{Decision, Verdict};

    fn entry(command: &str) -> Entry {
        let v = Verdict {
            decision: Decision::Deny,
            matches: Vec::new(),
            unknown: Vec::new(),
            environments: Vec::new(),
            backups: Vec::new(),
            effects: Vec::new(),
        };
        Entry::new(Mode::Shell, command, &v, Outcome::Refused)
    }

    #[test]
    fn records_append_and_read_back() {
        let dir = std::env::temp_dir().join(format!("guardsh-audit-{}", std::process::id()));
        let path = dir.join("sub/audit.jsonl");
        let _ = std::fs::remove_dir_all(&dir);
        for i in 0..5 {
            append_to(&path, &entry(&format!("cmd {i}\nwith newline"))).expect("append");
        }
        let (got, damaged) = read_recent(&path, &[], 3).expect("read");
        assert_eq!(damaged, 0);
        let cmds: Vec<&str> = got.iter().map(|e| e.command.as_str()).collect();
        assert_eq!(
            cmds,
            [
                "cmd 2\nwith newline",
                "cmd 3\nwith newline",
                "cmd 4\nwith newline"
            ]
        );
        let (none, _) = read_recent(&path, &["allow".to_owned()], 10).expect("read");
        assert!(none.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
