//! The startup files a login shell started through guardsh will source, judged before it
//! is started. The agent can write to the home directory (it has to stay writable, so the
//! kernel boundary cannot keep these files), and a line it appends to `~/.profile` would
//! otherwise run unchecked on the next `guardsh -lc …`. So for a login invocation guardsh
//! reads what the shell will read, in the shell's order, follows `.`/`source` of a file it
//! can name, and judges each file the way it judges a command line, unless the file's exact
//! content is one a person trusted (`guardsh config trust`). Only login invocations pay.
//!
//! A startup file is made of code that only exists when it runs (`eval "$(pyenv init -)"`,
//! a loop sourcing `/etc/profile.d/*.sh`), which on the command line needs a person. Here
//! that alone does not refuse: what refuses is a line a rule finds destructive (needing a
//! person or refused outright) or text guardsh cannot read as shell at all. See
//! docs/startup-files.md for what this does not cover.

use std::path::{Path, PathBuf};

use crate::decision::{Decision, Verdict};
use crate::input::Input;
use crate::parse::Limits;
use crate::policy::Policy;

/// The startup files in the home directory that a login shell may source, for every shell
/// guardsh starts: what `guardsh config trust` records (with the files they source).
pub const HOME_FILES: &[&str] = &[
    ".bash_profile",
    ".bash_login",
    ".profile",
    ".bashrc",
    ".zshenv",
    ".zprofile",
    ".zlogin",
];

/// The most files one login walk reads (the startup files and what they source); more
/// is refused rather than judged in part.
const MAX_FILES: usize = 32;

/// How deep `source` may nest.
const MAX_DEPTH: usize = 8;

/// A startup file guardsh will not let a login shell source unchecked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The file.
    pub path: PathBuf,
    /// The line the finding is on, when it was found in the file's text.
    pub line: Option<usize>,
    /// What was found (a rule's message with its command, or why it cannot be checked).
    pub what: String,
    /// The verdict on the file, for the audit log.
    pub verdict: Option<Box<Verdict>>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let place = match self.line {
            Some(n) => format!("{}:{n}", self.path.display()),
            None => self.path.display().to_string(),
        };
        write!(
            f,
            "refused, nothing ran: the login shell would source {}, where {}; check that \
             file, and if its content is yours run `guardsh config trust` from your own \
             terminal",
            crate::term::escape(&place),
            crate::term::escape(&self.what)
        )
    }
}

/// One file the login shell will source.
struct File {
    path: PathBuf,
    text: String,
    trusted: bool,
}

/// The login startup files of `shell` that exist, in the order it reads them: bash reads
/// `/etc/profile`, then the first of `~/.bash_profile`, `~/.bash_login`, `~/.profile`
/// that exists; zsh its `zshenv`, `zprofile` and `zlogin` (system's, then the user's);
/// any other shell (`sh`, `dash`, `ksh`) `/etc/profile` and `~/.profile`.
fn entry_points(shell: &Path, home: &Path) -> Vec<PathBuf> {
    let name = shell
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let exists = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    match name.as_str() {
        "bash" | "rbash" => {
            let mut v = vec![PathBuf::from("/etc/profile")];
            if let Some(first) = [".bash_profile", ".bash_login", ".profile"]
                .iter()
                .map(|f| home.join(f))
                .find(|p| exists(p))
            {
                v.push(first);
            }
            v
        }
        "zsh" => {
            let mut v = Vec::new();
            for f in ["zshenv", "zprofile", "zlogin"] {
                v.push(Path::new("/etc/zsh").join(f));
                v.push(home.join(format!(".{f}")));
            }
            v
        }
        _ => vec![PathBuf::from("/etc/profile"), home.join(".profile")],
    }
}

/// Every file a login `shell` would source from `home` (the entry points and what they
/// source by a name guardsh can resolve), with its content; a file that cannot be read
/// safely (a FIFO, over the cap, not UTF-8) or a walk too long is a refusal.
fn walk(shell: &Path, home: &Path, trust: &crate::trust::Records) -> Result<Vec<File>, Refusal> {
    let mut files: Vec<File> = Vec::new();
    let mut queue: Vec<(PathBuf, usize)> = entry_points(shell, home)
        .into_iter()
        .rev()
        .map(|p| (p, 0))
        .collect();
    let limits = Limits::default();
    while let Some((path, depth)) = queue.pop() {
        if files.iter().any(|f| f.path == path) {
            continue;
        }
        let unreadable = |what: String| Refusal {
            path: path.clone(),
            line: None,
            what,
            verdict: None,
        };
        if files.len() >= MAX_FILES || depth > MAX_DEPTH {
            return Err(unreadable(format!(
                "the startup files source more than {MAX_FILES} files or nest deeper than \
                 {MAX_DEPTH}, more than guardsh checks"
            )));
        }
        let text = match crate::capped::read_optional_text(&path, crate::capped::STARTUP) {
            Ok(Some(t)) => t,
            // The shell skips a file that is not there, and so does guardsh.
            Ok(None) => continue,
            Err(e) => return Err(unreadable(format!("it cannot be checked: {e}"))),
        };
        let trusted = trust.accepts(&path, text.as_bytes());
        // A trusted file's own lines are the person's; what it sources may not be.
        let script = crate::input::analyze(
            &Input::from_bytes(text.clone().into_bytes(), false),
            &limits,
        );
        let mut sourced: Vec<PathBuf> = script
            .commands
            .iter()
            .filter(|c| {
                matches!(c.program(), Some("." | "source"))
                    && !c.places.iter().any(|p| {
                        matches!(
                            p,
                            crate::parse::Place::Nested { .. }
                                | crate::parse::Place::Wrapper { .. }
                        )
                    })
            })
            .filter_map(|c| c.argv.get(1).and_then(|w| resolve(w, home)))
            .collect();
        files.push(File {
            path,
            text,
            trusted,
        });
        sourced.reverse();
        queue.extend(sourced.into_iter().map(|p| (p, depth + 1)));
    }
    Ok(files)
}

/// The file a `.`/`source` argument names, when guardsh can tell without running anything:
/// a literal path, `~/…`, or `$HOME/…` / `${HOME}/…` with the rest literal. A bare name is
/// looked up on PATH and then in the working directory, as bash does outside POSIX mode.
fn resolve(word: &crate::parse::Word, home: &Path) -> Option<PathBuf> {
    let text = if word.is_literal() {
        word.text.clone()
    } else if word.tilde && !word.dynamic && !word.glob && !word.brace {
        let rest = word.text.strip_prefix('~')?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        format!("{}{rest}", home.display())
    } else if word.dynamic && !word.glob && !word.brace && !word.tilde {
        let rest = word
            .text
            .strip_prefix("${HOME}")
            .or_else(|| word.text.strip_prefix("$HOME"))?;
        if !rest.starts_with('/') || rest.contains(['$', '`']) {
            return None;
        }
        format!("{}{rest}", home.display())
    } else {
        return None;
    };
    let p = PathBuf::from(&text);
    if p.is_absolute() {
        return Some(p);
    }
    if !text.contains('/') {
        let on_path = std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|d| d.join(&p))
                .find(|c| c.is_file())
        });
        if on_path.is_some() {
            return on_path;
        }
    }
    std::env::current_dir().ok().map(|d| d.join(p))
}

/// Judge what a login `shell` will source before it starts. `Ok` when every file is
/// trusted as it is or holds nothing destructive and nothing guardsh cannot read as shell.
pub fn check(shell: &Path, policy: &mut Policy) -> Result<(), Refusal> {
    let Some(home) = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
    else {
        return Ok(());
    };
    let trust = crate::trust::load();
    let files = walk(shell, &home, &trust)?;
    let limits = Limits::default();
    for file in files.iter().filter(|f| !f.trusted) {
        let input = Input::from_bytes(file.text.clone().into_bytes(), false);
        let verdict = policy.verdict(&input, &limits).map_err(|e| Refusal {
            path: file.path.clone(),
            line: None,
            what: format!("it cannot be checked: {e}"),
            verdict: None,
        })?;
        // Loosening the startup files carry is what config trust is for; their warnings
        // would be noise on every command.
        let _ = policy.take_warnings();
        if let Some(r) = first_refusal(file, &files, verdict) {
            return Err(r);
        }
    }
    Ok(())
}

/// The first finding in `file`'s verdict that refuses: a rule needing a person or
/// refusing outright, or text that cannot be read as shell. A rule's match whose command
/// is written in another file of the walk belongs to that file (the judging followed the
/// `source`), and counts there, unless that file is trusted.
fn first_refusal(file: &File, files: &[File], verdict: Verdict) -> Option<Refusal> {
    let refusal = |line: Option<usize>, what: String, verdict: &Verdict| Refusal {
        path: file.path.clone(),
        line,
        what,
        verdict: Some(Box::new(verdict.clone())),
    };
    for m in &verdict.matches {
        if m.severity < Decision::Confirm {
            continue;
        }
        if let Some(line) = line_of(&file.text, &m.command) {
            return Some(refusal(
                Some(line),
                format!("`{}` {}", m.command, m.message),
                &verdict,
            ));
        }
        let elsewhere = files
            .iter()
            .any(|f| f.path != file.path && line_of(&f.text, &m.command).is_some());
        if !elsewhere {
            return Some(refusal(
                None,
                format!("`{}` {}", m.command, m.message),
                &verdict,
            ));
        }
    }
    for u in &verdict.unknown {
        if u.kind.is_fatal() {
            return Some(refusal(
                None,
                format!("guardsh cannot check it ({})", u.text),
                &verdict,
            ));
        }
    }
    None
}

/// The line (from 1) of `text` where `command` first appears.
fn line_of(text: &str, command: &str) -> Option<usize> {
    let command = command.trim();
    if command.is_empty() {
        return None;
    }
    let at = text.find(command)?;
    Some(text[..at].matches('\n').count() + 1)
}

/// The home directory's startup files and everything the login walk of `shell` reaches
/// from them, with their content: what `guardsh config trust` records.
pub fn files_to_trust(shell: &Path, home: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = HOME_FILES.iter().map(|f| home.join(f)).collect();
    if let Ok(files) = walk(shell, home, &crate::trust::Records::default()) {
        for f in files {
            if !out.contains(&f.path) {
                out.push(f.path);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_from_one() {
        assert_eq!(line_of("a\nb\nrm -rf ~\n", "rm -rf ~"), Some(3));
        assert_eq!(line_of("rm x", "rm x"), Some(1));
        assert_eq!(line_of("a", "b"), None);
        assert_eq!(line_of("a", " "), None);
    }

    #[test]
    fn bash_reads_the_first_of_its_three_files() {
        let home = std::env::temp_dir().join(format!(
            "guardsh-startup-{}-{}",
            std::process::id(),
            crate::clock::now()
        ));
        std::fs::create_dir_all(&home).expect("mkdir");
        let bash = Path::new("/usr/bin/bash");
        assert_eq!(
            entry_points(bash, &home),
            vec![PathBuf::from("/etc/profile")]
        );
        std::fs::write(home.join(".profile"), "").expect("write");
        std::fs::write(home.join(".bash_login"), "").expect("write");
        assert_eq!(
            entry_points(bash, &home),
            vec![PathBuf::from("/etc/profile"), home.join(".bash_login")]
        );
        assert_eq!(
            entry_points(Path::new("/bin/dash"), &home),
            vec![PathBuf::from("/etc/profile"), home.join(".profile")]
        );
        let _ = std::fs::remove_dir_all(&home);
    }

    #[test]
    fn source_arguments_resolve_only_when_known_before_running() {
        let home = Path::new("/h");
        let word = |text: &str, dynamic: bool, tilde: bool| crate::parse::Word {
            text: text.to_owned(),
            dynamic,
            glob: false,
            tilde,
            brace: false,
        };
        let cases: &[(crate::parse::Word, Option<&str>)] = &[
            (word("/etc/x", false, false), Some("/etc/x")),
            (word("~/.bashrc", false, true), Some("/h/.bashrc")),
            (word("$HOME/.cargo/env", true, false), Some("/h/.cargo/env")),
            (
                word("${HOME}/.cargo/env", true, false),
                Some("/h/.cargo/env"),
            ),
            (word("$i", true, false), None),
            (word("$HOME/$x", true, false), None),
            (word("$HOMEX/y", true, false), None),
            (word("~other/x", false, true), None),
        ];
        for (w, want) in cases {
            assert_eq!(resolve(w, home).as_deref(), want.map(Path::new), "{w:?}");
        }
    }
}
