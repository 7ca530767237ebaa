//! Approval out of band: a refused `confirm` leaves a request with a short id; a human runs
//! `guardsh approve <id>` in a terminal of their own, reads the exact command and directory,
//! and types the phrase there. The approval is single-use, bound to the exact command and
//! directory, and expires after a few minutes.
//!
//! An agent must not approve its own request. With a protected directory (state.rs) the
//! kernel decides: approvals live there, and only a process outside every guarded tree can
//! write one, so `guardsh approve` inside a tree refuses (confine.rs probes it) and a file
//! the tree writes never counts. The request file holds neither the phrase nor the findings:
//! `guardsh approve` judges the command again and derives both, so a forged request can only
//! show a person the command it would really approve. A terminal is no proof of a person (an
//! agent can make a pseudo-terminal inside its tree): the checks below stay as a second line,
//! and are the only line at the parse-only level, which the docs say plainly.
//!
//! The second line: `guardsh approve` refuses unless it looks
//! typed by a person: no guardsh or agent marker in its environment, in the environment any
//! ancestor or its session leader was started with (`/proc/<pid>/environ` keeps the
//! environment of exec time, so `unset GUARDSH_ACTIVE` does not hide it), started from an
//! interactive shell that leads its session (not a fresh session of its own, as `setsid`
//! or a `bash -c` that exec'd its last command gives), with no pty driver such as `script`
//! or `expect` above it, and with a terminal to ask on. A program running as the same user
//! can in the end do anything that user can; these checks close the bypasses seen in other
//! guards (see shared/reference/agents.md §5), and the phrase is shown only on the approving
//! terminal, never in the refusal the agent reads.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher as _, Hash as _, Hasher as _};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::confirm::{self, Answer};

/// How long a request waits for a human, in seconds.
pub const REQUEST_TTL: u64 = 15 * 60;
/// How long an approval stays usable, in seconds.
pub const APPROVAL_TTL: u64 = 5 * 60;

/// Why `guardsh approve` did not approve.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// It looks started by an agent, or inside a guarded shell.
    #[error(
        "refused: `guardsh approve` must be typed by a person at a terminal of their own, not run by an agent or inside a shell guardsh guards ({0})"
    )]
    UnderGuard(String),
    /// No terminal to ask on.
    #[error("refused: `guardsh approve` needs a terminal to ask a person on: {0}")]
    NoTerminal(String),
    /// No such request, or it expired.
    #[error("no pending request `{0}` (requests expire after 15 minutes)")]
    NoRequest(String),
    /// The phrase was wrong.
    #[error("not approved: the phrase did not match")]
    Wrong,
    /// The command, judged again, is not one an approval is for.
    #[error("not approved: {0}")]
    NotApprovable(String),
    /// guardsh's state directory cannot be used.
    #[error("cannot use guardsh's state directory: {0}")]
    State(String),
    /// The request file is there but is not a regular file or is over its cap.
    #[error("not approved: {0}")]
    Record(#[from] crate::capped::Error),
}

impl Error {
    /// The exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::State(_) => crate::exit::FAILURE,
            _ => crate::exit::REFUSED,
        }
    }
}

/// A request waiting for a human.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Request {
    /// Short id the human types.
    pub id: String,
    /// The exact command line.
    pub command: String,
    /// The directory it runs in.
    pub cwd: String,
    /// Seconds since the epoch.
    pub created: u64,
    /// The command waits inside a guarded tree, which cannot write guardsh's backup store:
    /// `guardsh approve` takes the backups the command needs itself. An agent that lies
    /// here only moves where the backup is taken, or makes its own line fail closed.
    #[serde(default)]
    pub inside_tree: bool,
}

/// What a person decided about the insurance of an approved command.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Insurance {
    /// guardsh takes the backups right before the command runs.
    #[default]
    AtRun,
    /// `guardsh approve` took them; their ids.
    Taken(Vec<String>),
    /// The person declined them (`guardsh approve --no-backup`).
    Declined,
}

/// A single-use approval.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Approval {
    command: String,
    cwd: String,
    expires: u64,
    #[serde(default)]
    insurance: Insurance,
}

/// The key an approval is stored under: a hash of the exact command and directory.
fn key(command: &str, cwd: &str) -> String {
    // Deterministic keys (SipHash with fixed keys): the file name only has to find the
    // record, which holds the command and directory themselves and is compared in full.
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new();
    command.hash(&mut h);
    cwd.hash(&mut h);
    format!("{:016x}", h.finish())
}

fn new_id() -> String {
    let mut h = RandomState::new().build_hasher();
    crate::clock::now().hash(&mut h);
    std::process::id().hash(&mut h);
    format!("{:08x}", h.finish() & 0xffff_ffff)
}

fn state(dir: Option<PathBuf>) -> Result<PathBuf, Error> {
    let dir = dir.ok_or_else(|| Error::State("no home directory".to_owned()))?;
    std::fs::create_dir_all(&dir).map_err(|e| Error::State(format!("{}: {e}", dir.display())))?;
    Ok(dir)
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

/// Where approvals are kept: the protected directory's, else (parse-only) the state
/// directory's, which the agent's user can write.
fn approvals_dir() -> Option<PathBuf> {
    match crate::state::protected() {
        Ok(p) => Some(p.approvals()),
        Err(_) => crate::paths::approvals_dir(),
    }
}

/// A request or approval record, or `None` when it is missing, not a regular file, over
/// [`crate::capped::RECORD`] or unreadable: no record is no approval (fail closed).
fn read_record(path: &Path) -> Option<Vec<u8>> {
    crate::capped::read(path, crate::capped::RECORD).ok()
}

/// Record a request for `command` in `cwd`; returns its id. Requests may live where the
/// agent can write: they carry nothing `guardsh approve` believes but the command itself.
pub fn request(command: &str, cwd: &str) -> Result<String, Error> {
    let dir = state(crate::paths::requests_dir())?;
    let id = new_id();
    let inside_tree = crate::state::protected().is_ok_and(|p| crate::confine::inside(&p));
    let r = Request {
        id: id.clone(),
        command: command.to_owned(),
        cwd: cwd.to_owned(),
        created: crate::clock::now(),
        inside_tree,
    };
    let bytes = serde_json::to_vec(&r).map_err(|e| Error::State(e.to_string()))?;
    write_private(&dir.join(format!("{id}.json")), &bytes)
        .map_err(|e| Error::State(e.to_string()))?;
    Ok(id)
}

/// Use up an approval for `command` in `cwd`, if a human granted one that is still valid;
/// returns what the person decided about its insurance. Single use: the record is removed
/// before the command runs, and only the process whose removal succeeds may run it.
pub fn take(command: &str, cwd: &str) -> Option<Insurance> {
    let dir = approvals_dir()?;
    let path = dir.join(format!("{}.json", key(command, cwd)));
    let bytes = read_record(&path)?;
    let a = serde_json::from_slice::<Approval>(&bytes).ok()?;
    std::fs::remove_file(&path).ok()?;
    (a.command == command && a.cwd == cwd && crate::clock::now() <= a.expires)
        .then_some(a.insurance)
}

/// Environment variables that agents set for the commands they run (and guardsh's own
/// marker): their presence means an agent, not a person, started this process.
pub(crate) const AGENT_MARKERS: &[&str] = &[
    crate::exec::ACTIVE_VAR,
    "CLAUDECODE",
    "CLAUDE_CODE_ENTRYPOINT",
    "CODEX_SANDBOX",
    "CODEX_SANDBOX_NETWORK_DISABLED",
    "CURSOR_AGENT",
    "GEMINI_CLI",
    "COPILOT_AGENT",
    "OPENHANDS",
];

/// Programs that give a child a pseudo-terminal to type into, or type for it: an agent
/// uses them to fake a person at a terminal (`script -qc 'guardsh approve …'`).
const PTY_DRIVERS: &[&str] = &[
    "script", "expect", "unbuffer", "socat", "empty", "sshpass", "tclsh", "python", "python3",
    "perl", "ruby",
];

/// Programs a person's own session starts from.
const SESSION_LEADERS: &[&str] = &[
    "bash", "zsh", "fish", "sh", "dash", "ksh", "mksh", "tcsh", "csh", "nu", "elvish", "xonsh",
    "pwsh", "login", "sshd",
];

/// Why this process looks started by an agent or inside a guarded shell, if it does. All of
/// these are heuristics against a program running as the same user (see the module
/// comment); each closes a bypass seen in other guards.
pub fn not_a_person() -> Option<String> {
    for var in AGENT_MARKERS {
        if std::env::var_os(var).is_some() {
            return Some(format!("`{var}` is set"));
        }
    }
    let me = std::process::id();
    let (_, sid) = stat_of(me)?;
    // A person types `guardsh approve` at an interactive shell, which leads the session.
    // Leading it ourselves means something started us in a fresh session (`setsid`, a
    // `bash -c` that exec'd its last command): no person's shell is above us.
    if sid == me {
        return Some("it was not started from an interactive shell".to_owned());
    }
    if let Some(comm) = comm_of(sid)
        && !SESSION_LEADERS.contains(&comm.as_str())
    {
        return Some(format!(
            "its session was started by `{comm}`, not a login shell"
        ));
    }
    let mut pid = me;
    for _ in 0..128 {
        if let Ok(env) = std::fs::read(format!("/proc/{pid}/environ")) {
            for var in AGENT_MARKERS {
                let marker = format!("{var}=");
                if env
                    .split(|&b| b == 0)
                    .any(|v| v.starts_with(marker.as_bytes()))
                {
                    return Some(format!("an ancestor process runs with `{var}`"));
                }
            }
        }
        if pid != me
            && let Some(comm) = comm_of(pid)
            && PTY_DRIVERS.contains(&comm.as_str())
        {
            return Some(format!("it runs under `{comm}`, which can type for it"));
        }
        match stat_of(pid) {
            Some((p, _)) if p > 1 && p != pid => pid = p,
            _ => break,
        }
    }
    // The session leader's own exec-time environment (it may not be an ancestor we walked).
    if let Ok(env) = std::fs::read(format!("/proc/{sid}/environ")) {
        for var in AGENT_MARKERS {
            let marker = format!("{var}=");
            if env
                .split(|&b| b == 0)
                .any(|v| v.starts_with(marker.as_bytes()))
            {
                return Some(format!("its session runs with `{var}`"));
            }
        }
    }
    None
}

fn comm_of(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|c| c.trim().to_owned())
}

/// `(ppid, sid)` of a process.
fn stat_of(pid: u32) -> Option<(u32, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid pgrp session …`; comm may hold spaces and parentheses.
    let after = stat.get(stat.rfind(')')? + 1..)?;
    let mut fields = after.split_whitespace();
    let ppid = fields.nth(1)?.parse().ok()?;
    let sid = fields.nth(1)?.parse().ok()?;
    Some((ppid, sid))
}

/// Why this process may not grant approvals, if it may not: inside a guarded tree (the
/// kernel's answer, when there is a protected directory), or, as a second line and the only
/// one at the parse-only level, not looking typed by a person.
pub fn refusal() -> Option<String> {
    if let Ok(p) = crate::state::protected()
        && crate::confine::inside(&p)
    {
        return Some(
            "it runs inside a command tree guardsh guards, which cannot write approvals".to_owned(),
        );
    }
    not_a_person()
}

/// `guardsh approve ID`: judge the requested command again, show it on the terminal, ask for
/// the phrase, grant a single-use approval. With `no_backup`, the person declines the
/// backups the command would get first; for a command waiting inside a guarded tree, the
/// backups are taken here, before the approval is granted.
pub fn run(id: &str, no_backup: bool) -> Result<String, Error> {
    if let Some(why) = refusal() {
        return Err(Error::UnderGuard(why));
    }
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| Error::NoTerminal(e.to_string()))?;
    let id = id.trim();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::NoRequest(id.to_owned()));
    }
    let requests = state(crate::paths::requests_dir())?;
    let path = requests.join(format!("{id}.json"));
    // A missing request is "no such request"; one that is a FIFO or huge is named as such.
    let bytes = match crate::capped::read(&path, crate::capped::RECORD) {
        Ok(b) => b,
        Err(e) if e.is_missing() => return Err(Error::NoRequest(id.to_owned())),
        Err(
            e @ (crate::capped::Error::TooLarge { .. } | crate::capped::Error::NotRegular { .. }),
        ) => {
            return Err(e.into());
        }
        Err(_) => return Err(Error::NoRequest(id.to_owned())),
    };
    let request: Request =
        serde_json::from_slice(&bytes).map_err(|_| Error::NoRequest(id.to_owned()))?;
    if crate::clock::now() > request.created.saturating_add(REQUEST_TTL) {
        let _ = std::fs::remove_file(&path);
        return Err(Error::NoRequest(id.to_owned()));
    }
    let verdict = judge(&request)?;
    match verdict.decision {
        crate::decision::Decision::Confirm => {}
        crate::decision::Decision::Deny => {
            return Err(Error::NotApprovable(
                "guardsh refuses it outright (deny); a person who must do it runs it themselves"
                    .to_owned(),
            ));
        }
        _ => {
            let _ = std::fs::remove_file(&path);
            return Err(Error::NotApprovable(
                "it needs no approval: guardsh lets it run as it is".to_owned(),
            ));
        }
    }
    let phrase = confirm::phrase_for(&verdict);
    let insured = match (verdict.backups.is_empty(), no_backup) {
        (true, _) => String::new(),
        (false, true) => {
            "  backup:  none: you declined it (--no-backup); a mistake will be permanent\n"
                .to_owned()
        }
        (false, false) => format!(
            "  backup:  taken first, restorable with `guardsh restore ID`: {}\n",
            crate::check::describe_backups(&verdict.backups)
        ),
    };
    let shown = format!(
        "guardsh: request {id} asks to run, once:\n  command: {}\n  in:      {}\n{insured}{}",
        crate::term::escape(&request.command),
        crate::term::escape(&request.cwd),
        crate::check::render_human(&verdict, false)
    );
    match confirm::ask_on(tty, &shown, &phrase) {
        Answer::Confirmed => {}
        Answer::Refused => return Err(Error::Wrong),
        Answer::NoTerminal(why) => return Err(Error::NoTerminal(why)),
    }
    let insurance = if no_backup {
        Insurance::Declined
    } else if request.inside_tree && !verdict.backups.is_empty() {
        let ctx = crate::backup::Context {
            line: request.command.clone(),
            cwd: PathBuf::from(&request.cwd),
            max_bytes: max_bytes(&request),
        };
        let taken = crate::backup::take_all(&verdict.backups, &ctx).map_err(|e| {
            Error::NotApprovable(format!(
                "{e}. Nothing was approved; approve with `--no-backup` to run it without a backup"
            ))
        })?;
        Insurance::Taken(taken.into_iter().map(|r| r.id).collect())
    } else {
        Insurance::AtRun
    };
    let approvals = state(approvals_dir())?;
    let a = Approval {
        command: request.command.clone(),
        cwd: request.cwd.clone(),
        expires: crate::clock::now() + APPROVAL_TTL,
        insurance,
    };
    let bytes = serde_json::to_vec(&a).map_err(|e| Error::State(e.to_string()))?;
    write_private(
        &approvals.join(format!("{}.json", key(&a.command, &a.cwd))),
        &bytes,
    )
    .map_err(|e| Error::State(e.to_string()))?;
    let _ = std::fs::remove_file(&path);
    Ok(format!(
        "approved once: the same command, run again from {} within {} minutes, will run",
        request.cwd,
        APPROVAL_TTL / 60
    ))
}

/// The backup cap in effect where the request's command runs.
fn max_bytes(request: &Request) -> u64 {
    crate::policy::Policy::load_from(&places_of(request))
        .map_or(crate::backup::DEFAULT_MAX_BYTES, |p| {
            p.layers().backup_max_bytes()
        })
}

fn places_of(request: &Request) -> crate::config::Places {
    crate::config::Places {
        cwd: Some(PathBuf::from(&request.cwd)),
        ..crate::config::Places::real()
    }
}

/// The request's command judged as it would be where it is to run.
fn judge(request: &Request) -> Result<crate::decision::Verdict, Error> {
    let places = places_of(request);
    let mut policy = crate::policy::Policy::load_from(&places)
        .map_err(|e| Error::State(format!("{e}; fix it before approving")))?;
    let input = crate::input::Input::from_bytes(request.command.as_bytes().to_vec(), false);
    policy
        .verdict(&input, &crate::parse::Limits::default())
        .map_err(|e| Error::State(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_bind_command_and_directory() {
        assert_eq!(key("rm -rf x", "/a"), key("rm -rf x", "/a"));
        assert_ne!(key("rm -rf x", "/a"), key("rm -rf x", "/b"));
        assert_ne!(key("rm -rf x", "/a"), key("rm -rf y", "/a"));
        assert_eq!(new_id().len(), 8);
    }

    #[test]
    fn a_record_that_is_a_fifo_or_over_the_cap_is_no_record() {
        let dir = std::env::temp_dir().join(format!(
            "guardsh-approve-rec-{}-{}",
            std::process::id(),
            crate::clock::now()
        ));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let fifo = dir.join("fifo.json");
        // Test-only: the system's mkfifo (the library has no unsafe).
        #[allow(clippy::disallowed_methods)]
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let (tx, rx) = std::sync::mpsc::channel();
        let f = fifo.clone();
        std::thread::spawn(move || {
            let _ = tx.send(read_record(&f).is_none());
        });
        assert!(
            rx.recv_timeout(std::time::Duration::from_secs(5))
                .expect("returned in time")
        );
        let big = dir.join("big.json");
        std::fs::File::create(&big)
            .and_then(|f| f.set_len(crate::capped::RECORD + 1))
            .expect("sparse");
        assert!(read_record(&big).is_none());
        let ok = dir.join("ok.json");
        std::fs::write(&ok, b"{}").expect("write");
        assert_eq!(read_record(&ok).as_deref(), Some(&b"{}"[..]));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn stat_is_read_through_odd_names() {
        let me = std::process::id();
        let (parent, _sid) = stat_of(me).expect("readable");
        assert_ne!(parent, me);
        assert!(comm_of(me).is_some());
    }
}
