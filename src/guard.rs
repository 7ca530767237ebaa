//! Shell mode: guardsh as the shell an agent's commands go through.
//!
//! guardsh receives what a POSIX shell would (`-c CMD`, a script file, a script on standard
//! input), judges the whole text before any of it runs, and then either replaces itself with
//! the real shell, called with the very same arguments, or refuses and runs nothing. A
//! `confirm` runs only after a person types the phrase on the controlling terminal, or with
//! an approval a person granted out of band (`guardsh approve`); `--dry-run` only reports.

use std::ffi::OsString;
use std::io::{self, IsTerminal as _, Write as _};
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

use crate::audit::{self, Entry, Mode, Outcome};
use crate::check::render_human;
use crate::confirm::{self, Answer};
use crate::decision::{Decision, Verdict};
use crate::input::Input;
use crate::parse::Limits;
use crate::sh_args::{self, Invocation, Source};
use crate::{approve, capped, exec, exit};

/// Run shell mode with guardsh's whole argv; returns an exit code only when nothing was
/// exec'd (a refusal, a dry run, an error).
pub fn run(mut argv: Vec<OsString>) -> u8 {
    let argv0 = if argv.is_empty() {
        OsString::from("guardsh")
    } else {
        argv.remove(0)
    };
    let stdin_is_terminal = io::stdin().is_terminal();
    let mut inv = sh_args::read(argv0, argv, stdin_is_terminal);
    if std::env::var_os("GUARDSH_DRY_RUN").is_some_and(|v| !v.is_empty() && v != "0") {
        inv.dry_run = true;
    }
    let mut policy = match crate::policy::Policy::load() {
        Ok(p) => p,
        Err(e) => {
            say(&format!("{e}; refusing to run anything until it is fixed"));
            return exit::CONFIG;
        }
    };
    let shell = match real_shell(&inv, policy.shell()) {
        Ok(p) => p,
        Err(e) => {
            say(&e.to_string());
            return exit::FAILURE;
        }
    };
    let limits = Limits::default();
    let mut stdin_copy = None;
    let text: Input = match &inv.source {
        Source::Info => return exec_or_fail(&shell, &inv, None),
        _ if inv.noexec && !inv.dry_run => return exec_or_fail(&shell, &inv, None),
        Source::Interactive => return interactive(&shell, &inv),
        Source::Stdin if stdin_is_terminal => return interactive(&shell, &inv),
        Source::Command(cmd) => Input::from_bytes(cmd.as_bytes().to_vec(), false),
        Source::File(path) => match crate::capped::read(path, script_cap(&limits)) {
            Ok(bytes) => Input::from_bytes(bytes, false),
            // A FIFO could hand the shell other bytes than guardsh read, and a script over
            // the limit cannot be judged whole: refused, nothing runs.
            Err(e @ (capped::Error::TooLarge { .. } | capped::Error::NotRegular { .. })) => {
                say(&format!("refused, nothing ran: {e}"));
                return exit::REFUSED;
            }
            // The shell reports a missing or unreadable script itself; nothing runs.
            Err(_) if !inv.dry_run => return exec_or_fail(&shell, &inv, None),
            Err(e) => {
                say(&e.to_string());
                return exit::FAILURE;
            }
        },
        Source::Stdin => match read_bounded(Ok(io::stdin().lock()), limits.max_input_bytes) {
            Ok((bytes, truncated)) => {
                let input = Input::from_bytes(bytes.clone(), truncated);
                stdin_copy = Some(bytes);
                input
            }
            Err(e) => {
                say(&format!("cannot read the script on standard input: {e}"));
                return exit::FAILURE;
            }
        },
    };
    let verdict = match policy.verdict(&text, &limits) {
        Ok(v) => v,
        Err(e) => {
            say(&format!("{e}; refusing to run anything until it is fixed"));
            return exit::CONFIG;
        }
    };
    for w in policy.take_warnings() {
        say(&format!("warning: {w}"));
    }
    let command = text.text.as_str();
    if inv.dry_run {
        return dry_run(command, &verdict);
    }
    // A login shell sources startup files the agent may have written to: judged here, for
    // login invocations only (the cost of reading them is theirs alone).
    if inv.login
        && !inv.noprofile
        && verdict.decision != Decision::Deny
        && let Err(r) = crate::startup::check(&shell, &mut policy)
    {
        let judged = r.verdict.as_deref().unwrap_or(&verdict);
        audit::record(&Entry::new(Mode::Shell, command, judged, Outcome::Refused));
        say(&r.to_string());
        return exit::REFUSED;
    }
    let stdin_for_shell = || match &stdin_copy {
        Some(bytes) => replay(bytes).map(Some),
        None => Ok(None),
    };
    let max_bytes = policy.layers().backup_max_bytes();
    let go = |g: Go| -> u8 {
        audit::record(&Entry::new(Mode::Shell, command, &verdict, g.outcome).insured(&g));
        match stdin_for_shell() {
            Ok(stdin) => exec_or_fail(&shell, &inv, stdin),
            Err(e) => {
                say(&format!("cannot hand the script to the shell: {e}"));
                exit::FAILURE
            }
        }
    };
    match gate(Mode::Shell, command, &verdict, max_bytes) {
        Some(g) => go(g),
        None => exit::REFUSED,
    }
}

/// What the gate lets through: how it came to run, and the insurance taken first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Go {
    /// How it came to run.
    pub outcome: Outcome,
    /// The backups taken right before it runs (`guardsh restore ID` brings each back).
    pub backups: Vec<String>,
    /// A person declined the backups it needed (`guardsh approve --no-backup`).
    pub no_backup: bool,
    /// What the caller should be told before it runs: a warning's findings, the backups
    /// taken. Empty for a plain allow.
    pub notes: String,
}

impl Go {
    fn plain(outcome: Outcome) -> Go {
        Go {
            outcome,
            backups: Vec::new(),
            no_backup: false,
            notes: String::new(),
        }
    }
}

/// The decision turned into what happens, for every mode that starts commands an agent
/// asked for (shell mode, shims, `guardsh run`): `Some(go)` when the command may run
/// now (allowed, warned, or approved earlier by a person, its backups taken), `None` when
/// it was refused (the refusal is already explained on standard error and in the audit
/// log). Nobody is asked on a terminal here: an agent can make a pseudo-terminal inside its
/// own tree, and some harnesses run commands on a terminal the model types into, so a
/// confirm-level line gets a request that a person approves from a terminal of their own.
/// `max_bytes` caps each backup (config `backup.max_bytes`).
pub fn gate(mode: Mode, command: &str, verdict: &Verdict, max_bytes: u64) -> Option<Go> {
    gate_asking(
        mode,
        command,
        verdict,
        Err("a terminal here is no proof of a person"),
        max_bytes,
    )
}

/// [`gate`], where `ask` is `Ok` when the person is the one at the prompt (the interactive
/// shell integration, outside every guarded tree): a confirm-level line may then be
/// confirmed by typing its phrase on the terminal. `Err` says why nobody is asked.
pub fn gate_asking(
    mode: Mode,
    command: &str,
    verdict: &Verdict,
    ask: Result<(), &str>,
    max_bytes: u64,
) -> Option<Go> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let how = Gated {
        mode,
        command,
        verdict,
        cwd: &cwd,
        color: stderr_color(),
        max_bytes,
    };
    match how.pass(ask) {
        Ok(go) => {
            let _ = io::stderr().write_all(go.notes.as_bytes());
            Some(go)
        }
        Err(refusal) => {
            let _ = io::stderr().write_all(refusal.as_bytes());
            None
        }
    }
}

/// [`gate`] for a command that runs in `cwd` rather than guardsh's own directory, for a
/// caller that hands the texts on itself (`guardsh mcp` answers them to its client):
/// `Ok(go)` with the notes to show, or `Err` with the whole refusal text, uncoloured.
/// The request and the audit record name `cwd`, so that a person's approval matches the
/// same command asked again for the same directory.
pub fn gate_in(
    mode: Mode,
    command: &str,
    verdict: &Verdict,
    cwd: &Path,
    max_bytes: u64,
) -> Result<Go, String> {
    Gated {
        mode,
        command,
        verdict,
        cwd,
        color: false,
        max_bytes,
    }
    .pass(Err("a terminal here is no proof of a person"))
}

/// One command at the gate: what was decided, where it runs, how its texts are shown.
struct Gated<'a> {
    mode: Mode,
    command: &'a str,
    verdict: &'a Verdict,
    cwd: &'a Path,
    color: bool,
    max_bytes: u64,
}

impl Gated<'_> {
    /// The directory as requests, approvals and audit records name it.
    fn dir(&self) -> String {
        self.cwd.display().to_string()
    }

    fn findings(&self) -> String {
        render_human(self.verdict, self.color)
    }

    /// The gate itself: `Ok` when it may run, `Err` with the refusal text when not.
    fn pass(&self, ask: Result<(), &str>) -> Result<Go, String> {
        let verdict = self.verdict;
        match verdict.decision {
            Decision::Allow => Ok(Go::plain(Outcome::Ran)),
            Decision::Warn => {
                let mut go = Go::plain(Outcome::Ran);
                go.notes = self.findings();
                Ok(go)
            }
            Decision::Confirm => {
                let cwd = self.dir();
                if let Some(insurance) = approve::take(self.command, &cwd) {
                    return self.insure(Outcome::Approved, insurance);
                }
                if ask.is_ok() {
                    let summary = self.findings();
                    let phrase = confirm::phrase_for(verdict);
                    match confirm::ask(&summary, &phrase) {
                        Answer::Confirmed => {
                            return self.insure(Outcome::Confirmed, approve::Insurance::AtRun);
                        }
                        Answer::Refused => {
                            return Err(self.refuse("a person did not confirm it", None));
                        }
                        Answer::NoTerminal(_) => {}
                    }
                }
                let id = approve::request(self.command, &cwd).ok();
                let why = match ask {
                    Ok(()) => "it needs a person's confirmation and there is no terminal to ask on"
                        .to_owned(),
                    Err(why) => format!("it needs a person's confirmation, and {why}"),
                };
                Err(self.refuse(&why, id.as_deref()))
            }
            Decision::Deny => Err(self.refuse("it is destructive or cannot be checked", None)),
        }
    }

    /// A confirmed or approved line: take the backups it needs first, unless the person
    /// declined them or `guardsh approve` already took them. A backup that cannot be taken
    /// stops the line (fail closed), saying why and how to go on.
    fn insure(&self, outcome: Outcome, insurance: approve::Insurance) -> Result<Go, String> {
        let verdict = self.verdict;
        let mut go = Go::plain(outcome);
        match insurance {
            approve::Insurance::Declined => {
                go.no_backup = !verdict.backups.is_empty();
                return Ok(go);
            }
            approve::Insurance::Taken(ids) => {
                go.backups = ids;
                return Ok(go);
            }
            approve::Insurance::AtRun => {}
        }
        if verdict.backups.is_empty() {
            return Ok(go);
        }
        let ctx = crate::backup::Context {
            line: self.command.to_owned(),
            cwd: self.cwd.to_path_buf(),
            max_bytes: self.max_bytes,
        };
        match crate::backup::take_all(&verdict.backups, &ctx) {
            Ok(taken) => {
                for r in &taken {
                    go.notes.push_str(&format!(
                        "guardsh: backed up {} as {} (`guardsh restore {}` brings it back)\n",
                        crate::term::escape(&r.target),
                        r.id,
                        r.id
                    ));
                }
                go.backups = taken.into_iter().map(|r| r.id).collect();
                Ok(go)
            }
            Err(e) => {
                let why = format!(
                    "the backup it needs could not be taken ({e}); fix that and ask again, or a \
                     person approves it with `guardsh approve --no-backup ID` to run it without one"
                );
                Err(self.refuse(&why, None))
            }
        }
    }

    /// Record the refusal and say why nothing ran, for the agent as much as for a person.
    fn refuse(&self, why: &str, request: Option<&str>) -> String {
        let (mode, verdict) = (self.mode, self.verdict);
        audit::record(
            &Entry::new(mode, self.command, verdict, Outcome::Refused)
                .in_dir(&self.dir())
                .with_request(request),
        );
        let mut text = format!("guardsh: refused, nothing ran: {why}.\n");
        text.push_str(&self.findings());
        match (verdict.decision, request) {
            (Decision::Confirm, Some(id)) => text.push_str(&format!(
                "guardsh: a person can approve it once, in a terminal of their own: `guardsh approve {id}` \
                 (within {} minutes); then run exactly the same command again from the same directory. \
                 Do not try to approve it yourself or to rephrase it.\n",
                approve::REQUEST_TTL / 60
            )),
            (Decision::Confirm, None) => text.push_str(
                "guardsh: ask a person to run it, or to approve it from their own terminal.\n",
            ),
            // At an interactive prompt the line stays in the buffer, and whoever typed it may be
            // an agent driving the terminal: no advice on where else to run it.
            _ if mode == Mode::Interactive => {
                text.push_str("guardsh: the line is kept in the buffer for editing.\n")
            }
            _ => text.push_str(
                "guardsh: a person may run it themselves, outside the agent, if it really must be done.\n",
            ),
        }
        text
    }
}

/// The shell to exec: the one guardsh was called as through a link (`sh`, `zsh`), else
/// GUARDSH_SHELL, the config's `shell:`, or bash on PATH.
fn real_shell(inv: &Invocation, configured: Option<&Path>) -> Result<PathBuf, exec::Error> {
    let called = Path::new(&inv.argv0)
        .file_name()
        .map(|n| n.to_string_lossy().trim_start_matches('-').to_owned())
        .unwrap_or_default();
    if matches!(called.as_str(), "bash" | "sh" | "zsh" | "dash" | "ksh") {
        return exec::real_shell(&called, None);
    }
    bash(configured)
}

/// The bash that runs what guardsh lets through when no link names another shell:
/// GUARDSH_SHELL, else the config's `shell:` (`configured`), else bash on PATH.
pub fn bash(configured: Option<&Path>) -> Result<PathBuf, exec::Error> {
    let from_env = std::env::var_os("GUARDSH_SHELL")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    exec::real_shell("bash", from_env.as_deref().or(configured))
}

fn exec_or_fail(shell: &Path, inv: &Invocation, stdin: Option<std::fs::File>) -> u8 {
    // A login shell keeps its `-bash` name; a call through guardsh's own name or a link
    // runs the real shell under its own name.
    let name = Path::new(&inv.argv0)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let shell_name = shell
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bash".to_owned());
    let argv0 = if name.starts_with('-') {
        OsString::from(format!("-{shell_name}"))
    } else {
        OsString::from(shell_name)
    };
    let boundary = crate::confine::before_exec();
    let err = exec::exec_with(shell, &argv0, &inv.args, stdin, &boundary.env);
    say(&err.to_string());
    // The shell's own code for "cannot execute".
    exit::REFUSED
}

fn interactive(shell: &Path, inv: &Invocation) -> u8 {
    // An agent that owns a pseudo-terminal would type into the shell, and the line checks of
    // an interactive shell are weaker than shell mode's (an alias is judged by its name):
    // only a person gets one. Agents and guarded shells mark their environment (approve.rs).
    if let Some(var) = approve::AGENT_MARKERS
        .iter()
        .find(|v| std::env::var_os(v).is_some())
    {
        say(&format!(
            "refused: `{var}` says an agent would drive this interactive shell; run commands \
             with `-c` instead"
        ));
        return exit::REFUSED;
    }
    let Some(kind) = crate::init::start::shell_kind(shell) else {
        say(&format!(
            "guardsh has no line checks for {}; starting it unguarded (bash, zsh and fish \
             can be guarded: GUARDSH_SHELL or `shell:` in the config picks the shell)",
            shell.display()
        ));
        return exec_or_fail(shell, inv, None);
    };
    let login = inv.argv0.to_string_lossy().starts_with('-');
    let prepared = crate::init::script(kind).and_then(|script| {
        let dir = crate::paths::state_dir()
            .ok_or_else(|| "no home directory for guardsh's startup files".to_owned())?
            .join("interactive")
            .join(
                shell
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
        crate::init::start::prepare(kind, &inv.args, login, &dir, &script)
            .map_err(|e| format!("cannot write guardsh's startup files: {e}"))
    });
    let start = match prepared {
        Ok(s) => s,
        Err(e) => {
            say(&format!("{e}; refused to start an unguarded shell"));
            return exit::REFUSED;
        }
    };
    let name = shell
        .file_name()
        .map_or_else(|| OsString::from("bash"), ToOwned::to_owned);
    let err = exec::exec_interactive(shell, &name, &start.args, &start.env);
    say(&err.to_string());
    exit::REFUSED
}

/// At most `limit + 1` bytes of a stream (standard input), and whether there were more.
pub(crate) fn read_bounded<R: io::Read>(
    reader: io::Result<R>,
    limit: usize,
) -> io::Result<(Vec<u8>, bool)> {
    capped::read_stream(reader?, u64::try_from(limit).unwrap_or(u64::MAX), 0)
}

/// The most guardsh reads of a script file: what it would analyse of a line.
fn script_cap(limits: &Limits) -> u64 {
    u64::try_from(limits.max_input_bytes).unwrap_or(u64::MAX)
}

/// The script read from standard input, handed back to the shell on its standard input:
/// the same bytes, from an unlinked private file (a script may read its own standard input,
/// as `bash -s` allows).
pub(crate) fn replay(bytes: &[u8]) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let dir = std::env::temp_dir();
    for attempt in 0..16u32 {
        let name = dir.join(format!(
            "guardsh-stdin-{}-{}-{attempt}",
            std::process::id(),
            crate::clock::now()
        ));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&name);
        let mut file = match file {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        let _ = std::fs::remove_file(&name);
        file.write_all(bytes)?;
        io::Seek::seek(&mut file, io::SeekFrom::Start(0))?;
        return Ok(file);
    }
    Err(io::Error::other("no free temporary file name"))
}

fn stderr_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && io::stderr().is_terminal()
}

fn dry_run(command: &str, verdict: &Verdict) -> u8 {
    audit::record(&Entry::new(
        Mode::DryRun,
        command,
        verdict,
        Outcome::Previewed,
    ));
    let mut out = String::from("guardsh: dry run, nothing was run.\n");
    out.push_str(&render_human(
        verdict,
        crate::term::use_color(crate::cli::ColorChoice::Auto),
    ));
    out.push_str(match verdict.decision {
        Decision::Allow | Decision::Warn => "would run\n",
        Decision::Confirm => "would run only after a person confirms it\n",
        Decision::Deny => "would be refused\n",
    });
    let _ = io::stdout().write_all(out.as_bytes());
    crate::check::exit_code(verdict.decision)
}

pub(crate) fn say(message: &str) {
    let line = format!("guardsh: {}\n", crate::term::escape(message));
    let _ = io::stderr().write_all(line.as_bytes());
}
