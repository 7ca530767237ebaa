//! `guardsh install AGENT` and `guardsh uninstall AGENT`: guardsh's hook into (or out of)
//! an agent's settings file, merged with what is there, with a backup, idempotent, and
//! `--dry-run` to see the change first.
//!
//! `--scope system` writes the agent's system-wide settings instead (see `system.rs`): the
//! same merge and backup, root-owned 0755 directories and a 0644 file, and a refusal to write
//! into a place a user could change afterwards, since a hook there would protect nothing.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::paths::{Home, agent_name};
use super::settings::{self, Outcome};
use super::{claude, copilot, cursor, diff, gemini, system};
use crate::cli::{InstallArgs, Scope, SettingsAgent};

/// Why `install`, `uninstall` or `doctor` could not do their job.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// There is no home directory to find the settings in.
    #[error("cannot find your home directory (is HOME set?)")]
    NoHome,
    /// The current directory (for `--scope project`) is unknown.
    #[error("cannot find the current directory: {0}")]
    Cwd(#[source] io::Error),
    /// guardsh's own path, which the hook calls, is unknown.
    #[error("cannot find the path of this guardsh binary: {0}")]
    SelfPath(#[source] io::Error),
    /// A settings file could not be read, is not a regular file or is too large to rewrite.
    #[error(transparent)]
    Read(#[from] crate::capped::Error),
    /// A settings file could not be written (or its backup made).
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A settings file is not something guardsh can edit without losing part of it.
    #[error("{path}: {message}")]
    Settings {
        /// The file.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// The report could not be written.
    #[error("cannot write the output: {0}")]
    Output(#[source] io::Error),
    /// The report could not be serialised.
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
    /// `--scope system` for an agent with no system-wide settings guardsh knows of.
    #[error(
        "{agent} has no documented system-wide settings file that guardsh knows of, so there is no \
         system scope for it; use --scope user or --scope project (docs/agent-settings.md)"
    )]
    NoSystemScope {
        /// The agent.
        agent: &'static str,
    },
    /// `--mcp` for a scope in which the agent has no MCP settings file guardsh knows of.
    #[error(
        "{agent} has no {scope} file of MCP servers that guardsh knows of; use another --scope, \
         or register `guardsh mcp` by hand (docs/agent-settings.md)"
    )]
    NoMcpFile {
        /// The agent.
        agent: &'static str,
        /// The scope asked for.
        scope: &'static str,
    },
    /// A system settings file, which only root may write.
    #[error("writing {path} needs root: run `sudo {command}`")]
    NeedsRoot {
        /// The file.
        path: String,
        /// The same install, spelled out to run with sudo.
        command: String,
    },
    /// `uninstall` from inside a guarded command tree.
    #[error(
        "uninstall refuses inside a command guardsh guards: removing guardsh's hook is for a \
         person, not for the agent's commands (the kernel keeps this command from changing \
         {dir}); run it in a terminal of your own"
    )]
    InsideTree {
        /// The protected directory.
        dir: String,
    },
    /// A system settings file in a place a user could change: a hook there guards nothing.
    #[error(
        "{path} is not out of users' reach ({why}); make it and the directories above it \
         root-owned and writable only by root, then run this again"
    )]
    Unprotected {
        /// The file.
        path: String,
        /// What a user could change.
        why: String,
    },
}

impl Error {
    /// The exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Settings { .. } => crate::exit::CONFIG,
            Error::NoSystemScope { .. } | Error::NoMcpFile { .. } => crate::exit::USAGE,
            _ => crate::exit::FAILURE,
        }
    }

    /// The reader of our output went away: not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Add or remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Install,
    Uninstall,
}

/// Run `guardsh install`.
pub fn install(args: &InstallArgs, out: &mut dyn Write) -> Result<u8, Error> {
    apply(args, Direction::Install, out)
}

/// Run `guardsh uninstall`.
pub fn uninstall(args: &InstallArgs, out: &mut dyn Write) -> Result<u8, Error> {
    apply(args, Direction::Uninstall, out)
}

fn apply(args: &InstallArgs, direction: Direction, out: &mut dyn Write) -> Result<u8, Error> {
    // Probed, not assumed: only a process inside a guarded tree fails to create a file in
    // the protected directory. Any scope: a hook in the user's or project's settings is
    // guardsh's as much as the system one, and the kernel does not keep those files.
    if direction == Direction::Uninstall
        && !args.dry_run
        && let Ok(p) = crate::state::protected()
        && crate::confine::inside(&p)
    {
        return Err(Error::InsideTree {
            dir: p.dir().display().to_string(),
        });
    }
    let result = apply_to(args, direction, out);
    if args.scope != Scope::System {
        return result;
    }
    // Not root: say the exact line that does it, with this binary's absolute path (sudo's
    // own PATH may not find it).
    match result {
        Err(Error::Write { path, source }) if source.kind() == io::ErrorKind::PermissionDenied => {
            let exe = std::env::current_exe().map_err(Error::SelfPath)?;
            let verb = match direction {
                Direction::Install => "install",
                Direction::Uninstall => "uninstall",
            };
            Err(Error::NeedsRoot {
                path,
                command: format!(
                    "{} {verb} {} --scope system",
                    shell_words::quote(&exe.to_string_lossy()),
                    agent_name(args.agent)
                ),
            })
        }
        other => other,
    }
}

fn apply_to(args: &InstallArgs, direction: Direction, out: &mut dyn Write) -> Result<u8, Error> {
    let home = Home::detect().ok_or(Error::NoHome)?;
    let project = std::env::current_dir().map_err(Error::Cwd)?;
    let system = args.scope == Scope::System;
    let path = if args.mcp {
        super::mcp::file(&home, args.agent, args.scope, &project).ok_or(Error::NoMcpFile {
            agent: agent_name(args.agent),
            scope: match args.scope {
                Scope::User => "user",
                Scope::Project => "project",
                Scope::System => "system-wide",
            },
        })?
    } else {
        home.settings_file(args.agent, args.scope, &project)
            .ok_or(Error::NoSystemScope {
                agent: agent_name(args.agent),
            })?
    };
    let shown = path.display().to_string();
    if system {
        system::protected(&path, true).map_err(|why| Error::Unprotected {
            path: shown.clone(),
            why,
        })?;
    }
    let old = read_settings(&path)?;
    let mut note = String::new();
    let outcome = match direction {
        Direction::Install => {
            let exe = crate::paths::guardsh_binary().map_err(Error::SelfPath)?;
            if system && let Err(why) = system::protected_program(&exe) {
                note = format!("note: {}.\n", system::program_note(&exe, &why));
            }
            if args.mcp {
                super::mcp::install(args.agent, old.as_deref(), &exe)
            } else {
                let command = settings::hook_command(&exe, agent_name(args.agent));
                edit_install(args.agent, old.as_deref(), &command)
            }
        }
        Direction::Uninstall => match &old {
            Some(text) if args.mcp => super::mcp::uninstall(args.agent, text),
            Some(text) => edit_uninstall(args.agent, text),
            None => Ok(Outcome::Unchanged),
        },
    }
    .map_err(|e| Error::Settings {
        path: shown.clone(),
        message: e.0,
    })?;
    let verb = match direction {
        Direction::Install => "install",
        Direction::Uninstall => "uninstall",
    };
    let name = agent_name(args.agent);
    let what = if args.mcp { Kind::Mcp } else { Kind::Hook };
    let report = match (&outcome, args.dry_run) {
        (Outcome::Unchanged, _) => match direction {
            Direction::Install => format!(
                "the {name} {} is already installed in {shown}: nothing to change\n",
                what.noun()
            ),
            Direction::Uninstall => {
                format!("no guardsh {} in {shown}: nothing to remove\n", what.noun())
            }
        },
        (Outcome::Write(new), true) => format!(
            "guardsh {verb} {name} --dry-run: would write {shown}; nothing written\n{}",
            diff::unified(&shown, old.as_deref().unwrap_or(""), new)
        ),
        (Outcome::Remove, true) => format!(
            "guardsh {verb} {name} --dry-run: would delete {shown} (only guardsh's hook is in it); nothing written\n{}",
            diff::unified(&shown, old.as_deref().unwrap_or(""), "")
        ),
        (Outcome::Write(new), false) => {
            let backup = backup(&path, old.as_deref(), system)?;
            write_atomically(&path, new, system)?;
            done(direction, what, name, &shown, backup.as_deref(), system)
        }
        (Outcome::Remove, false) => {
            let backup = backup(&path, old.as_deref(), system)?;
            std::fs::remove_file(&path).map_err(|source| Error::Write {
                path: shown.clone(),
                source,
            })?;
            done(direction, what, name, &shown, backup.as_deref(), system)
        }
    };
    out.write_all(report.as_bytes())
        .and_then(|()| out.write_all(note.as_bytes()))
        .and_then(|()| out.flush())
        .map_err(Error::Output)?;
    Ok(crate::exit::OK)
}

/// What an install writes: guardsh's hook, or its MCP server (`--mcp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Hook,
    Mcp,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Hook => "hook",
            Kind::Mcp => "MCP server",
        }
    }
}

fn done(
    direction: Direction,
    kind: Kind,
    name: &str,
    shown: &str,
    backup: Option<&Path>,
    system: bool,
) -> String {
    let noun = kind.noun();
    let what = match direction {
        Direction::Install => format!("installed the {name} {noun} in {shown}"),
        Direction::Uninstall => format!("removed guardsh's {name} {noun} from {shown}"),
    };
    let backup = backup.map_or_else(String::new, |b| {
        format!(" (the old file is in {})", b.display())
    });
    let next = match (direction, name) {
        (Direction::Install, _) if kind == Kind::Mcp => {
            "\nThe agent starts `guardsh mcp` itself and lists its tools: run_command (guarded \
             and confined like shell mode), check_command and explain_command. Restart the \
             agent for it to see the server.\n"
        }
        (Direction::Install, _) if system => {
            "\nA user cannot change this file, and the agent's user and project settings cannot \
             switch this hook off (see `guardsh doctor` for what still can).\n"
        }
        (Direction::Install, "codex") => {
            "\nCodex asks you to review and trust a new hook before it runs it: start codex and accept it.\n"
        }
        (Direction::Install, _) => "\nCheck it with `guardsh doctor`.\n",
        (Direction::Uninstall, _) => "\n",
    };
    format!("{what}{backup}{next}")
}

/// The new text for an install.
fn edit_install(
    agent: SettingsAgent,
    old: Option<&str>,
    command: &str,
) -> Result<Outcome, settings::Invalid> {
    match json_spec(agent) {
        Some(spec) => settings::install_json(old, &spec, command),
        None => settings::install_toml(old, command),
    }
}

/// The new text for an uninstall.
fn edit_uninstall(agent: SettingsAgent, old: &str) -> Result<Outcome, settings::Invalid> {
    match json_spec(agent) {
        Some(spec) => settings::uninstall_json(old, &spec),
        None => settings::uninstall_toml(old),
    }
}

/// guardsh's hook commands in an agent's settings text (for `doctor`).
pub(crate) fn installed_commands(
    agent: SettingsAgent,
    text: &str,
) -> Result<Vec<String>, settings::Invalid> {
    match json_spec(agent) {
        Some(spec) => settings::json_commands(text, &spec),
        None => settings::toml_commands(text),
    }
}

/// How an agent's JSON settings hold hooks; `None` for Codex's TOML.
fn json_spec(agent: SettingsAgent) -> Option<settings::JsonSpec> {
    match agent {
        SettingsAgent::ClaudeCode => Some(claude::SPEC),
        SettingsAgent::Cursor => Some(cursor::SPEC),
        SettingsAgent::Gemini => Some(gemini::SPEC),
        SettingsAgent::Copilot => Some(copilot::SPEC),
        SettingsAgent::Codex => None,
    }
}

/// The file's text, or `None` when it does not exist. Larger than
/// [`crate::capped::SETTINGS`], or not a regular file: an error, and nothing is rewritten.
pub(crate) fn read_settings(path: &Path) -> Result<Option<String>, Error> {
    Ok(crate::capped::read_optional_text(
        path,
        crate::capped::SETTINGS,
    )?)
}

/// Copy the old text next to the file, as `<file>.guardsh-backup-<UTC timestamp>`. A system
/// file's backup is 0644 like the file (it holds nothing the file did not show everyone).
fn backup(path: &Path, old: Option<&str>, system: bool) -> Result<Option<PathBuf>, Error> {
    let Some(old) = old else {
        return Ok(None);
    };
    let stamp = utc_stamp(std::time::SystemTime::now());
    let base = format!("{}.guardsh-backup-{stamp}", path.display());
    let mut candidate = PathBuf::from(&base);
    let mut n = 1;
    loop {
        // create_new: never overwrite an earlier backup made in the same second.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(mut f) => {
                f.write_all(old.as_bytes())
                    .and_then(|()| {
                        if system {
                            system::set_file_mode(&candidate)
                        } else {
                            Ok(())
                        }
                    })
                    .map_err(|source| Error::Write {
                        path: candidate.display().to_string(),
                        source,
                    })?;
                return Ok(Some(candidate));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => {
                n += 1;
                candidate = PathBuf::from(format!("{base}-{n}"));
            }
            Err(source) => {
                return Err(Error::Write {
                    path: candidate.display().to_string(),
                    source,
                });
            }
        }
    }
}

/// Write through a temporary file in the same directory and rename it over the old one,
/// so the agent never reads a half-written settings file. The old file's permissions stay; a
/// system file gets [`system::FILE_MODE`] and new directories [`system::DIR_MODE`].
fn write_atomically(path: &Path, text: &str, system: bool) -> Result<(), Error> {
    let err = |source| Error::Write {
        path: path.display().to_string(),
        source,
    };
    // A settings file linked from a dotfiles repository stays a link: write its target. (A
    // system file's link has been checked to lead only where root can write.)
    let resolved;
    let path = if path.is_symlink() {
        resolved = path.canonicalize().map_err(err)?;
        resolved.as_path()
    } else {
        path
    };
    if let Some(dir) = path.parent() {
        if system {
            system::create_dir(dir).map_err(err)?;
        } else {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("settings");
    let tmp = path.with_file_name(format!(".{name}.guardsh-{}", std::process::id()));
    let result = (|| {
        std::fs::write(&tmp, text)?;
        if system {
            system::set_file_mode(&tmp)?;
        } else if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// `YYYYMMDDTHHMMSSZ` in UTC.
fn utc_stamp(now: std::time::SystemTime) -> String {
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn timestamps() {
        assert_eq!(utc_stamp(UNIX_EPOCH), "19700101T000000Z");
        // 2000-02-29 12:34:56 UTC, a leap day.
        assert_eq!(
            utc_stamp(UNIX_EPOCH + Duration::from_secs(951_827_696)),
            "20000229T123456Z"
        );
        // 2026-12-02 07:30:09 UTC.
        assert_eq!(
            utc_stamp(UNIX_EPOCH + Duration::from_secs(1_796_196_609)),
            "20261202T073009Z"
        );
    }
}
