//! Shims: guardsh in front of one program. A link named after the program (`railway`,
//! `psql`, `kubectl`) in guardsh's shim directory, put first on PATH, makes every call of
//! that program go through guardsh: the command is rebuilt from its argv, decided exactly as
//! `check` decides, and then the real program (found later on PATH, never guardsh itself) is
//! exec'd, or the call is refused. `guardsh run -- PROGRAM ARGS…` is the same without a link.
//! One binary dispatching on `argv[0]`: no forwarding scripts.

use std::ffi::OsString;
use std::io::{IsTerminal as _, Write as _};
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

/// Is `command` (one program's argv, as shell text) a database client that will read its
/// statements from standard input?
fn reads_statements_from_stdin(command: &str) -> bool {
    let script = crate::unwrap::analyze(command, &Limits::default());
    script
        .commands
        .first()
        .is_some_and(crate::payload::sql::reads_stdin)
}

/// `command` with `stdin` as a quoted heredoc, under a delimiter no line of it equals, so
/// the analysis reads the statements exactly as the client will. The bytes are kept as they
/// are: statements that are not valid UTF-8 are refused as uncheckable, never judged from a
/// repaired copy.
fn with_stdin_as_heredoc(command: &str, stdin: &[u8]) -> Vec<u8> {
    let mut delimiter = String::from("GUARDSH_STDIN");
    let mut n = 0u32;
    while stdin
        .split(|&b| b == b'\n')
        .any(|l| l == delimiter.as_bytes())
    {
        n += 1;
        delimiter = format!("GUARDSH_STDIN_{n}");
    }
    let mut text = format!("{command} <<'{delimiter}'\n").into_bytes();
    text.extend_from_slice(stdin);
    if !stdin.ends_with(b"\n") {
        text.push(b'\n');
    }
    text.extend_from_slice(delimiter.as_bytes());
    text.push(b'\n');
    text
}

/// Packs about general tools rather than one platform's CLI: the file system and system
/// administration (`rm`, `mkfs`, `systemctl`), git, interpreters, and guardsh's own files
/// (which name `sed`, `head`, `jq`… as ways to read or edit them). Shimming their programs
/// would put guardsh in front of every script's text processing; shell mode and hooks
/// cover them instead. They can still be shimmed by name.
const GENERAL_PACKS: &[&str] = &["filesystem", "git", "guardsh-self", "python"];

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
    let limits = Limits::default();
    // A shim sees only its argv. A database client that reads its statements from standard
    // input (`psql <<EOF`, `… | psql`, `psql < dump.sql`) under a plain shell would run them
    // unread: read them first, judge them as the heredoc they are, and hand the same bytes
    // on. The client would wait for the end of its input anyway.
    let mut stdin_bytes = None;
    let mut judged = command.clone().into_bytes();
    let mut cut = false;
    if !std::io::stdin().is_terminal() && reads_statements_from_stdin(&command) {
        match crate::guard::read_bounded(Ok(std::io::stdin().lock()), limits.max_input_bytes) {
            Ok((bytes, truncated)) => {
                judged = with_stdin_as_heredoc(&command, &bytes);
                // Over the limit: the analysis refuses what it cannot read whole.
                cut = truncated;
                stdin_bytes = Some(bytes);
            }
            Err(e) => {
                say(&format!(
                    "cannot read the statements on standard input: {e}; refused, nothing ran"
                ));
                return exit::REFUSED;
            }
        }
    }
    let input = Input::from_bytes(judged, cut);
    let verdict = match policy.verdict(&input, &limits) {
        Ok(v) => v,
        Err(e) => {
            say(&format!("{e}; refusing to run anything until it is fixed"));
            return exit::CONFIG;
        }
    };
    let max_bytes = policy.layers().backup_max_bytes();
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
    let Some(go) = gate(Mode::Shim, &input.text, &verdict, max_bytes) else {
        return exit::REFUSED;
    };
    audit::record(&Entry::new(Mode::Shim, &input.text, &verdict, go.outcome).insured(&go));
    let stdin = match stdin_bytes.as_deref().map(crate::guard::replay).transpose() {
        Ok(s) => s,
        Err(e) => {
            say(&format!(
                "cannot hand the statements on to {name}: {e}; refused, nothing ran"
            ));
            return exit::REFUSED;
        }
    };
    let boundary = crate::confine::before_exec();
    let err = exec::exec_with(
        &real,
        OsString::from(&name).as_os_str(),
        &args,
        stdin,
        &boundary.env,
    );
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
    let Ok(all) = crate::rules::builtin::all() else {
        return Vec::new();
    };
    let mut out: Vec<String> = all
        .rules()
        .iter()
        .filter(|r| !GENERAL_PACKS.contains(&r.pack.as_str()))
        .flat_map(|r| r.programs().iter().map(String::as_str))
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
    let own = crate::paths::guardsh_binary()
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

/// `guardsh shim remove`: only links to guardsh are removed, and never from inside a
/// guarded command tree.
pub fn remove(names: &[String], dir: Option<&Path>) -> Result<String, String> {
    // The kernel already keeps a tree from removing the protected shims; this says why, and
    // also holds for shims kept elsewhere (`--dir`, or no protected directory in use).
    if let Ok(p) = crate::state::protected()
        && crate::confine::inside(&p)
    {
        return Err(format!(
            "shim remove refuses inside a command guardsh guards: taking guardsh from in front \
             of a program is for a person, not for the agent's commands (the kernel keeps this \
             command from changing {}); run it in a terminal of your own",
            p.dir().display()
        ));
    }
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
    let me = crate::paths::guardsh_binary()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_on_stdin_are_judged_as_a_heredoc() {
        assert!(reads_statements_from_stdin("psql -d app"));
        assert!(reads_statements_from_stdin("psql -f - -d app"));
        assert!(!reads_statements_from_stdin("psql -d app -c 'SELECT 1'"));
        assert!(!reads_statements_from_stdin("railway up"));
        // A body holding the delimiter gets another one: the statements cannot end the
        // heredoc early and hide what follows.
        let bytes = with_stdin_as_heredoc("psql", b"GUARDSH_STDIN\nDROP DATABASE app;");
        let text = String::from_utf8(bytes).expect("utf-8 in, utf-8 out");
        assert!(text.starts_with("psql <<'GUARDSH_STDIN_1'\n"), "{text}");
        assert!(
            text.ends_with("DROP DATABASE app;\nGUARDSH_STDIN_1\n"),
            "{text}"
        );
        let v = crate::check::verdict_for(
            &Input::from_bytes(text.into_bytes(), false),
            &Limits::default(),
        )
        .expect("packs load");
        assert_eq!(v.decision, crate::decision::Decision::Deny);
        // Statements that are not UTF-8 cannot be read as written: refused, not repaired.
        let bytes = with_stdin_as_heredoc("psql", b"SELECT 1; -- \xff\n");
        let v = crate::check::verdict_for(&Input::from_bytes(bytes, false), &Limits::default())
            .expect("packs load");
        assert_eq!(v.decision, crate::decision::Decision::Deny);
    }
}
