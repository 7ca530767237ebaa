//! Shims: guardsh in front of one program. A link named after the program (`railway`,
//! `psql`, `kubectl`) in guardsh's shim directory, put first on PATH, makes every call of
//! that program go through guardsh: the command is rebuilt from its argv, decided exactly as
//! `check` decides, and then the real program (found later on PATH, never guardsh itself) is
//! exec'd, or the call is refused. `guardsh run -- PROGRAM ARGS…` is the same without a link.
//! One binary dispatching on `argv[0]`: no forwarding scripts.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::audit::{self, Entry, Mode, Outcome};
use crate::guard::{gate, say};
use crate::input::Input;
use crate::parse::{Limits, program_name};
use crate::{exec, exit};

/// Programs the packs cover that are too general to shim by default: shimming `rm` or
/// `python3` puts guardsh in front of every script's every call of them. They can still be
/// added by name.
const NOT_RECOMMENDED: &[&str] = &[
    ":", "true", "false", "echo", "printf", "cat", "tee", "rm", "mv", "cp", "ln", "install",
    "chmod", "chown", "chgrp", "find", "xargs", "dd", "shred", "truncate", "unlink", "rmdir",
    "kill", "killall", "pkill", "bash", "sh", "zsh", "dash", "fish", "python", "python3", "node",
    "nodejs", "perl", "ruby", "bun", "deno", "php", "sudo", "env", "make",
];

/// Run `program` (a name, or a path for `guardsh run`) with `args`, guarded.
pub fn run(program: &OsString, args: Vec<OsString>) -> u8 {
    let shown = program.to_string_lossy().into_owned();
    let name = program_name(&shown).to_owned();
    let mut words = vec![name.clone()];
    words.extend(args.iter().map(|a| a.to_string_lossy().into_owned()));
    let command = shell_words::join(&words);
    let mut policy = match crate::policy::Policy::load() {
        Ok(p) => p,
        Err(e) => {
            say(&format!("{e}; refusing to run anything until it is fixed"));
            return exit::CONFIG;
        }
    };
    let input = Input::from_bytes(command.clone().into_bytes(), false);
    let verdict = match policy.verdict(&input, &Limits::default()) {
        Ok(v) => v,
        Err(e) => {
            say(&format!("{e}; refusing to run anything until it is fixed"));
            return exit::CONFIG;
        }
    };
    for w in policy.take_warnings() {
        say(&format!("warning: {w}"));
    }
    if std::env::var_os("GUARDSH_DRY_RUN").is_some_and(|v| !v.is_empty() && v != "0") {
        audit::record(&Entry::new(
            Mode::DryRun,
            &command,
            &verdict,
            Outcome::Previewed,
        ));
        let mut out = String::from("guardsh: dry run, nothing was run.\n");
        out.push_str(&crate::check::render_human(&verdict, false));
        let _ = std::io::stdout().write_all(out.as_bytes());
        return crate::check::exit_code(verdict.decision);
    }
    let real = match real_program(&shown) {
        Ok(p) => p,
        Err(e) => {
            say(&e.to_string());
            // The shell's code for "command not found".
            return 127;
        }
    };
    let Some(outcome) = gate(Mode::Shim, &command, &verdict) else {
        return exit::REFUSED;
    };
    audit::record(&Entry::new(Mode::Shim, &command, &verdict, outcome));
    let err = exec::exec(&real, OsString::from(&name).as_os_str(), &args, None);
    say(&err.to_string());
    exit::REFUSED
}

/// The real program: a path as given (unless it is guardsh), or the name found on PATH after
/// guardsh's own directories and links.
fn real_program(program: &str) -> Result<PathBuf, exec::Error> {
    if program.contains('/') {
        let p = Path::new(program);
        if exec::is_guardsh(p) {
            return Err(exec::Error::IsGuardsh(p.to_path_buf()));
        }
        return Ok(p.to_path_buf());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    // Leave the shim directory out even if its links were copied rather than linked.
    let shims = crate::paths::shim_dir();
    let kept: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| shims.as_deref() != Some(d.as_path()))
        .collect();
    let path = std::env::join_paths(kept).unwrap_or(path);
    exec::find_on_path(program, &path)
}

/// The programs `--recommended` adds: covered by the built-in packs, found on PATH, and not
/// one of the general tools every script calls.
pub fn recommended() -> Vec<String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut out: Vec<String> = crate::rules::builtin::programs()
        .filter(|p| !NOT_RECOMMENDED.contains(p) && !p.starts_with("python"))
        .filter(|p| exec::find_on_path(p, &path).is_ok())
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn dir_or_default(dir: Option<&Path>) -> Result<PathBuf, String> {
    match dir {
        Some(d) => Ok(d.to_path_buf()),
        None => crate::paths::shim_dir().ok_or_else(|| "no home directory; pass --dir".to_owned()),
    }
}

fn is_ours(link: &Path) -> bool {
    std::fs::symlink_metadata(link).is_ok_and(|m| m.file_type().is_symlink())
        && exec::is_guardsh(link)
}

/// `guardsh shim add`.
pub fn add(names: &[String], recommended_too: bool, dir: Option<&Path>) -> Result<String, String> {
    let dir = dir_or_default(dir)?;
    let own = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .map_err(|e| format!("cannot find guardsh's own binary: {e}"))?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut all: Vec<String> = names.to_vec();
    if recommended_too {
        all.extend(recommended());
    }
    all.sort();
    all.dedup();
    let mut added = Vec::new();
    for name in &all {
        if name.is_empty() || name.contains('/') || name.starts_with("guardsh") {
            return Err(format!("`{name}` is not a program name"));
        }
        let link = dir.join(name);
        if is_ours(&link) {
            continue;
        }
        if std::fs::symlink_metadata(&link).is_ok() {
            return Err(format!(
                "{} exists and is not a link to guardsh; not touching it",
                link.display()
            ));
        }
        std::os::unix::fs::symlink(&own, &link)
            .map_err(|e| format!("cannot link {}: {e}", link.display()))?;
        added.push(name.clone());
    }
    Ok(format!(
        "guardsh: shims in {}: {} added{}.\nPut the directory first on PATH: export PATH=\"{}:$PATH\"\n",
        dir.display(),
        added.len(),
        if added.is_empty() {
            String::new()
        } else {
            format!(" ({})", added.join(", "))
        },
        dir.display()
    ))
}

/// `guardsh shim list`: the programs shimmed in `dir`.
pub fn list(dir: Option<&Path>) -> Result<Vec<String>, String> {
    let dir = dir_or_default(dir)?;
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| is_ours(&e.path()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// `guardsh shim remove`: only links to guardsh are removed.
pub fn remove(names: &[String], dir: Option<&Path>) -> Result<String, String> {
    let dir = dir_or_default(dir)?;
    let mut removed = 0;
    for name in names {
        let link = dir.join(name);
        if is_ours(&link) {
            std::fs::remove_file(&link)
                .map_err(|e| format!("cannot remove {}: {e}", link.display()))?;
            removed += 1;
        }
    }
    Ok(format!(
        "guardsh: {removed} shim(s) removed from {}\n",
        dir.display()
    ))
}

/// `guardsh alias SHELL`: alias lines for the recommended programs.
pub fn aliases(shell: &str) -> String {
    let me = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "guardsh".to_owned());
    let me = shell_words::quote(&me).into_owned();
    let mut out = String::new();
    for p in recommended() {
        let line = match shell {
            "fish" => format!("alias {p} '{me} run -- {p}'\n"),
            _ => format!("alias {p}=\"{me} run -- {p}\"\n"),
        };
        out.push_str(&line);
    }
    out
}
