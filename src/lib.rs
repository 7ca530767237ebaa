//! guardsh: a shell guard that finds every command a line would run and refuses the
//! destructive ones before anything executes.
//!
//! Data flows one way: text → commands ([`parse`], [`unwrap`]) → report. `run` is the one
//! place where errors become exit codes.

#![forbid(unsafe_code)]

pub mod approve;
pub mod audit;
pub mod backup;
pub mod capped;
pub mod check;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod config;
pub mod config_show;
pub mod confine;
pub mod confirm;
pub mod decision;
pub mod effects;
pub mod enclose;
pub mod environment;
pub mod examples;
pub mod exec;
pub mod explain;
pub mod guard;
pub mod hooks;
pub mod init;
pub mod input;
pub mod pack_test;
pub mod parse;
pub mod paths;
pub mod payload;
pub mod policy;
pub mod rules;
#[cfg(test)]
mod schema;
pub mod setup;
pub mod sh_args;
pub mod shell_install;
pub mod shim;
pub mod startup;
pub mod state;
pub mod term;
pub mod trust;
pub mod unwrap;

use std::any::Any;
use std::ffi::OsString;
use std::io::{self, Write as _};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use clap::Parser as _;

/// The exit codes, as documented in `guardsh --help` and the man page.
pub mod exit {
    /// Everything went as asked.
    pub const OK: u8 = 0;
    /// guardsh itself failed: unreadable input, unwritable output, an internal error.
    pub const FAILURE: u8 = 1;
    /// The arguments were not understood (clap's own code).
    pub const USAGE: u8 = 2;
    /// `explain`: the line cannot be checked (parse error, limit, invalid UTF-8).
    pub const CANNOT_BE_CHECKED: u8 = 3;
    /// `check`: the line needs a human's typed confirmation.
    pub const CONFIRM: u8 = 4;
    /// `check`: the line is refused.
    pub const DENY: u8 = 5;
    /// A rule pack or configuration file is broken.
    pub const CONFIG: u8 = 6;
    /// Shell mode: the line was refused and nothing of it ran. The shell's own code for a
    /// command that was found but may not be executed, so callers read it as a failure.
    pub const REFUSED: u8 = 126;
    /// `doctor`: an installed hook does not answer as it should.
    pub const HOOK_BROKEN: u8 = 7;
    /// `hook`: the agents' "block" (Claude Code, Cursor, Codex, Gemini CLI, Windsurf), used
    /// when the payload cannot be read or guardsh fails, and for Windsurf's refusals. The
    /// same number as [`USAGE`]: a hook called with arguments it does not understand blocks too.
    pub const HOOK_BLOCK: u8 = 2;
    /// `gate`: the line is not finished (an open quote, a trailing `&&`): the interactive
    /// shell keeps reading instead of refusing it.
    pub const INCOMPLETE: u8 = 8;
}

/// Everything that can stop a subcommand from doing its job.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `guardsh explain` failed.
    #[error(transparent)]
    Explain(#[from] explain::Error),
    /// `guardsh check` failed.
    #[error(transparent)]
    Check(#[from] check::Error),
    /// `guardsh test` failed.
    #[error(transparent)]
    Test(#[from] pack_test::Error),
    /// `guardsh approve` did not approve.
    #[error(transparent)]
    Approve(#[from] approve::Error),
    /// `guardsh log` or `guardsh shell install` failed.
    #[error("{0}")]
    Io(String),
    /// `guardsh install`, `uninstall` or `doctor` failed.
    #[error(transparent)]
    Hooks(#[from] hooks::Error),
    /// A configuration file or pack is broken.
    #[error(transparent)]
    Config(#[from] config::Error),
    /// `guardsh backup`, `backups` or `restore` failed.
    #[error(transparent)]
    Backup(#[from] backup::Error),
    /// `guardsh mcp` could not serve.
    #[error(transparent)]
    Mcp(#[from] cmd::mcp::Error),
}

impl Error {
    /// The one map from error to exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Explain(_) => exit::FAILURE,
            Error::Check(e) => e.exit_code(),
            Error::Test(e) => e.exit_code(),
            Error::Approve(e) => e.exit_code(),
            Error::Io(_) => exit::FAILURE,
            Error::Hooks(e) => e.exit_code(),
            Error::Config(_) => exit::CONFIG,
            Error::Backup(_) | Error::Mcp(_) => exit::FAILURE,
        }
    }

    /// Errors not worth a message (the reader of our output went away).
    fn is_quiet(&self) -> bool {
        match self {
            Error::Explain(e) => e.is_broken_pipe(),
            Error::Check(e) => e.is_broken_pipe(),
            Error::Test(e) => e.is_broken_pipe(),
            Error::Approve(_)
            | Error::Io(_)
            | Error::Config(_)
            | Error::Backup(_)
            | Error::Mcp(_) => false,
            Error::Hooks(e) => e.is_broken_pipe(),
        }
    }
}

/// Run guardsh with these arguments (`args[0]` is the program name); returns the exit code.
///
/// Never panics: usage errors are clap's (exit 2, `--help`/`--version` exit 0), other errors
/// are one `guardsh: …` line on standard error, and an internal panic is reported the same way.
pub fn run(args: Vec<OsString>) -> u8 {
    quiet_panics();
    let argv0 = args.first().cloned().unwrap_or_default();
    // Called through a shim: a link named after the program it guards.
    let called = std::path::Path::new(&argv0)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bare = called.trim_start_matches('-');
    if !called.is_empty()
        && !bare.starts_with("guardsh")
        && !matches!(bare, "bash" | "sh" | "zsh" | "dash" | "ksh")
    {
        let program = OsString::from(called.clone());
        let rest = args.get(1..).unwrap_or(&[]).to_vec();
        return match catch_unwind(AssertUnwindSafe(|| shim::run(&program, rest))) {
            Ok(code) => code,
            Err(payload) => {
                say(&format!(
                    "internal error: {}; refused, nothing ran (please report this)",
                    panic_message(payload.as_ref())
                ));
                exit::REFUSED
            }
        };
    }
    if sh_args::is_shell_call(
        &argv0,
        args.get(1).map(OsString::as_os_str),
        cli::SUBCOMMANDS,
    ) {
        return match catch_unwind(AssertUnwindSafe(|| guard::run(args))) {
            Ok(code) => code,
            Err(payload) => {
                // Fail closed: nothing was exec'd.
                say(&format!(
                    "internal error: {}; refused, nothing ran (please report this)",
                    panic_message(payload.as_ref())
                ));
                exit::REFUSED
            }
        };
    }
    let parsed = match cli::hot::parse(&args) {
        Some(cli) => Ok(cli),
        None => cli::Cli::try_parse_from(args),
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => return clap_error(&err),
    };
    // The modes that put the boundary around what they start keep the capability that
    // lets them enter it without no_new_privs (confine.rs); the MCP server enters it on
    // each command's own thread.
    if !matches!(
        cli.command,
        cli::Commands::Run(_) | cli::Commands::Confine(_) | cli::Commands::Mcp
    ) {
        confine::release_privilege();
    }
    match catch_unwind(AssertUnwindSafe(|| dispatch(&cli))) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => {
            if !err.is_quiet() {
                say(&err.to_string());
            }
            err.exit_code()
        }
        Err(payload) => {
            say(&format!(
                "internal error: {} (please report this)",
                panic_message(payload.as_ref())
            ));
            exit::FAILURE
        }
    }
}

fn dispatch(cli: &cli::Cli) -> Result<u8, Error> {
    let color = term::use_color(cli.color);
    match &cli.command {
        cli::Commands::Explain(args) => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            let outcome = explain::execute(args, color, &mut io::stdin().lock(), &mut out)?;
            Ok(match outcome {
                explain::Outcome::Checked => exit::OK,
                explain::Outcome::CannotBeChecked => exit::CANNOT_BE_CHECKED,
            })
        }
        cli::Commands::Check(args) => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            let decision = check::execute(args, color, &mut io::stdin().lock(), &mut out)?;
            Ok(check::exit_code(decision))
        }
        cli::Commands::Test(args) => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            Ok(pack_test::execute(args, &mut out)?)
        }
        cli::Commands::Approve(args) => {
            let done = approve::run(&args.id, args.no_backup)?;
            println!("guardsh: {done}");
            Ok(exit::OK)
        }
        cli::Commands::Log(args) => log(args),
        cli::Commands::Backup(args) => Ok(cmd::backup::backup(args, &mut io::stdout().lock())?),
        cli::Commands::Backups(c) => Ok(cmd::backup::backups(c, &mut io::stdout().lock())?),
        cli::Commands::Restore(args) => Ok(cmd::backup::restore(args, &mut io::stdout().lock())?),
        cli::Commands::Run(args) => {
            let Some((program, rest)) = args.argv.split_first() else {
                return Ok(exit::USAGE);
            };
            Ok(shim::run(program, rest.to_vec()))
        }
        cli::Commands::Confine(args) => {
            let Some((program, rest)) = args.argv.split_first() else {
                return Ok(exit::USAGE);
            };
            Ok(enclose::run(program, rest.to_vec()))
        }
        cli::Commands::Shim(cli::ShimCommands::Add(a)) => {
            let text = shim::add(&a.names, a.recommended, a.dir.as_deref()).map_err(Error::Io)?;
            print!("{text}");
            Ok(exit::OK)
        }
        cli::Commands::Shim(cli::ShimCommands::List(a)) => {
            for name in shim::list(a.dir.as_deref()).map_err(Error::Io)? {
                println!("{name}");
            }
            Ok(exit::OK)
        }
        cli::Commands::Shim(cli::ShimCommands::Remove(a)) => {
            let text = shim::remove(&a.names, a.dir.as_deref()).map_err(Error::Io)?;
            print!("{text}");
            Ok(exit::OK)
        }
        cli::Commands::Config(cli::ConfigCommands::Show(a)) => {
            let report = config_show::report()?;
            let text = if a.json {
                let mut t = serde_json::to_string_pretty(&report)
                    .map_err(|e| Error::Io(format!("cannot serialise the report: {e}")))?;
                t.push('\n');
                t
            } else {
                config_show::render_human(&report)
            };
            io::stdout()
                .write_all(text.as_bytes())
                .map_err(|e| Error::Io(format!("cannot write the output: {e}")))?;
            Ok(exit::OK)
        }
        cli::Commands::Alias(a) => {
            print!("{}", shim::aliases(&a.shell));
            Ok(exit::OK)
        }
        cli::Commands::Shell(cli::ShellCommands::Install(args)) => {
            let text = shell_install::install(args.dir.as_deref()).map_err(Error::Io)?;
            print!("{text}");
            Ok(exit::OK)
        }
        cli::Commands::Init(args) => {
            let text = init::script(args.shell).map_err(Error::Io)?;
            io::stdout()
                .write_all(text.as_bytes())
                .map_err(|e| Error::Io(format!("cannot write the output: {e}")))?;
            Ok(exit::OK)
        }
        cli::Commands::Gate(args) => Ok(init::gate(args.shell, &args.line)),
        cli::Commands::Hook(args) => {
            // Never an error: whatever goes wrong is answered as a refusal in the agent's
            // format (hooks::execute), because most agents run the command when a hook fails.
            let stdout = io::stdout();
            let stderr = io::stderr();
            Ok(hooks::execute(
                args.agent,
                &mut io::stdin().lock(),
                &mut stdout.lock(),
                &mut stderr.lock(),
            ))
        }
        cli::Commands::Mcp => {
            cmd::mcp::serve()?;
            Ok(exit::OK)
        }
        cli::Commands::Install(args) => {
            Ok(hooks::install::install(args, &mut io::stdout().lock())?)
        }
        cli::Commands::Uninstall(args) => {
            Ok(hooks::install::uninstall(args, &mut io::stdout().lock())?)
        }
        cli::Commands::Doctor(args) => Ok(hooks::doctor::execute(args, &mut io::stdout().lock())?),
        cli::Commands::Setup(args) => {
            let text = setup::run(args).map_err(Error::Io)?;
            print!("{text}");
            Ok(exit::OK)
        }
        cli::Commands::Config(cli::ConfigCommands::Trust) => {
            let text = setup::trust().map_err(Error::Io)?;
            print!("{text}");
            Ok(exit::OK)
        }
    }
}

/// `guardsh log`.
fn log(args: &cli::LogArgs) -> Result<u8, Error> {
    let Some(path) = audit::path() else {
        return Err(Error::Io("no home directory, so no audit log".to_owned()));
    };
    let (mut entries, mut damaged) = audit::read_recent(&path, &args.decision, args.limit)
        .map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))?;
    for spool in audit::spools() {
        if let Ok((more, bad)) = audit::read_recent(&spool, &args.decision, args.limit) {
            entries.extend(more.into_iter().map(|mut e| {
                e.inside_tree = true;
                e
            }));
            damaged += bad;
        }
    }
    // RFC 3339 in UTC sorts as text; a stable sort keeps each log's own order.
    entries.sort_by(|a, b| a.time.cmp(&b.time));
    let entries = entries.split_off(entries.len().saturating_sub(args.limit));
    let mut out = String::new();
    for e in &entries {
        if args.json {
            out.push_str(&serde_json::to_string(e).map_err(|e| Error::Io(e.to_string()))?);
            out.push('\n');
        } else {
            out.push_str(&format!(
                "{}  {:<7} {:<9} {:<8} {}{}  {}\n",
                e.time,
                e.decision,
                serde_json::to_value(e.outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                serde_json::to_value(e.mode)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                if e.inside_tree {
                    "(inside a tree) "
                } else {
                    ""
                },
                term::escape(&e.cwd),
                term::escape(&e.command),
            ));
        }
    }
    if damaged > 0 {
        say(&format!(
            "{damaged} damaged line(s) in {} or the spool logs beside it skipped",
            path.display()
        ));
    }
    io::stdout()
        .write_all(out.as_bytes())
        .map_err(|e| Error::Io(format!("cannot write the output: {e}")))?;
    Ok(exit::OK)
}

/// Print a clap outcome. Help and version go out as clap renders them; errors echo the
/// user's arguments, which may come from an agent, so they are shown escaped and uncoloured.
fn clap_error(err: &clap::Error) -> u8 {
    if err.use_stderr() {
        let text = term::escape_lines(&err.render().to_string());
        let _ = io::stderr().write_all(text.as_bytes());
    } else {
        let _ = err.print();
    }
    // clap's codes are 0 (help, version) and 2 (usage), both in range.
    u8::try_from(err.exit_code()).unwrap_or(exit::USAGE)
}

/// One `guardsh: …` line on standard error, escaped.
fn say(message: &str) {
    let line = format!("guardsh: {}\n", term::escape(message));
    let _ = io::stderr().write_all(line.as_bytes());
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// Panics are caught and reported as one line; the default hook's multi-line dump is kept
/// only for someone debugging with `RUST_BACKTRACE` set.
fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::env::var_os("RUST_BACKTRACE").is_some() {
                default(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(args: &[&str]) -> u8 {
        run(args.iter().map(OsString::from).collect())
    }

    #[test]
    fn usage_errors_exit_2_and_help_exits_0() {
        assert_eq!(code(&["guardsh", "no-such-subcommand"]), exit::USAGE);
        assert_eq!(code(&["guardsh", "explain"]), exit::USAGE);
        for flag in ["--help", "--version"] {
            let shown = cli::Cli::try_parse_from(["guardsh", flag]).expect_err("not a run");
            assert_eq!(shown.exit_code(), i32::from(exit::OK));
        }
    }

    #[test]
    fn unreadable_file_exits_1() {
        assert_eq!(
            code(&["guardsh", "explain", "--file", "/nonexistent/guardsh/x.sh"]),
            exit::FAILURE
        );
    }

    #[test]
    fn panic_messages() {
        let caught = catch_unwind(|| panic!("boom {}", 1)).expect_err("panics");
        assert_eq!(panic_message(caught.as_ref()), "boom 1");
    }
}
