//! Where a shell's commands come from when they are not in its arguments: its heredoc or
//! here-string, a file (`< x.sh`, `bash x.sh`, `source x.sh`), or the previous stage of its
//! pipeline (`echo … | sh`, `cat <<EOF | sh`). Anything else (`curl … | sh`) is hidden.

use std::path::{Component, Path, PathBuf};

use super::Engine;
use super::text;
use crate::parse::{Command, Place, Redirect, RedirectKind, Word, program_name};

/// The largest script file guardsh reads.
const MAX_FILE: u64 = 256 * 1024;
/// The longest chain of `cat | cat | … | sh` followed.
const MAX_HOPS: usize = 32;
/// Script files looked up per analysis (each lookup scans the whole line for writers).
const MAX_LOOKUPS: usize = 256;

/// What a shell reading standard input reads.
pub(super) enum Source {
    /// This text; `from` says how it arrives (`<<`, `|`, `< x.sh`).
    Text {
        text: String,
        dynamic: bool,
        from: String,
    },
    /// Nothing new: `/dev/null`, a closed descriptor, or the rest of a stream already read.
    Nothing,
    /// Something guardsh cannot see; the text completes "reads commands from …".
    Hidden(String),
    /// The line's own standard input: for a remote login (`ssh host`), the terminal a person
    /// types into; anything the line itself pipes in is read above.
    Line,
}

/// The result of reading a script file.
pub(super) enum Read {
    /// The file's text, and the file itself (to read each file once).
    Text(String, PathBuf),
    /// The "file" is standard input (`/dev/stdin`).
    Stdin,
    /// Deliberately not read: an agent's shell snapshot, `/dev/null`.
    Skip,
    /// Cannot be read or trusted; says why.
    Hidden(String),
}

/// What [`Source::Line`] is, where it is unseen.
pub(super) const LINE_INPUT: &str = "the line's standard input, which guardsh does not see";

/// What command `i` reads on its standard input.
pub(super) fn source(e: &Engine, i: usize) -> Source {
    source_at(e, i, 0)
}

fn source_at(e: &Engine, i: usize, hops: usize) -> Source {
    if hops > MAX_HOPS {
        return Source::Hidden("a chain of pipes too long to follow".to_string());
    }
    let mut idx = i;
    // Each step goes one nested shell outward, so the walk is bounded by the depth.
    for _ in 0..=e.levels.len() {
        let Some(cmd) = e.out.commands.get(idx) else {
            break;
        };
        if let Some(r) = stdin_redirect(cmd) {
            return from_redirect(e, idx, r);
        }
        let Some(level) = e.meta.get(idx).and_then(|m| e.levels.get(m.level)) else {
            break;
        };
        let own = cmd.places.get(level.prefix..).unwrap_or(&[]);
        for p in own.iter().rev() {
            if let Place::Pipeline { pipeline, stage } = p
                && *stage > 0
            {
                return producers(e, *pipeline, *stage - 1, hops);
            }
        }
        if level.from_stdin {
            // A shell inside text read from a stream reads the rest of that stream, which
            // is already part of the text.
            return Source::Nothing;
        }
        match level.parent {
            Some(p) => idx = p,
            None => return Source::Line,
        }
    }
    Source::Hidden("a standard input guardsh cannot follow".to_string())
}

/// The redirection that decides standard input: the last one on fd 0.
fn stdin_redirect(cmd: &Command) -> Option<&Redirect> {
    cmd.redirects.iter().rev().find(|r| {
        r.fd.is_none_or(|fd| fd == 0)
            && matches!(
                r.kind,
                RedirectKind::Input
                    | RedirectKind::ReadWrite
                    | RedirectKind::Heredoc
                    | RedirectKind::HereString
                    | RedirectKind::DupInput
            )
    })
}

fn from_redirect(e: &Engine, idx: usize, r: &Redirect) -> Source {
    match r.kind {
        RedirectKind::Heredoc => Source::Text {
            text: r.target.text.clone(),
            dynamic: r.target.dynamic,
            from: "<<".to_string(),
        },
        RedirectKind::HereString => Source::Text {
            text: format!("{}\n", r.target.text),
            dynamic: !r.target.is_literal(),
            from: "<<<".to_string(),
        },
        RedirectKind::DupInput if r.target.text == "-" => Source::Nothing,
        RedirectKind::DupInput => Source::Hidden(format!("file descriptor {}", r.target.text)),
        _ => match read_script(e, idx, &r.target) {
            Read::Text(text, _) => Source::Text {
                text,
                dynamic: false,
                from: format!("< {}", r.target.text),
            },
            Read::Skip => Source::Nothing,
            Read::Stdin => Source::Hidden("a standard input guardsh cannot follow".to_string()),
            Read::Hidden(why) => Source::Hidden(why),
        },
    }
}

/// What stage `stage` of pipeline `pipeline` writes, when every writer is a program whose
/// output guardsh can reproduce.
fn producers(e: &Engine, pipeline: usize, stage: usize, hops: usize) -> Source {
    let want = Place::Pipeline { pipeline, stage };
    let mut text = String::new();
    let mut dynamic = false;
    let writers = e
        .by_stage
        .get(&(pipeline, stage))
        .map_or(&[][..], Vec::as_slice);
    for &j in writers {
        let Some(c) = e.out.commands.get(j) else {
            continue;
        };
        let Some(k) = c.places.iter().position(|p| *p == want) else {
            continue;
        };
        let inner = c.places.get(k + 1..).unwrap_or(&[]);
        // Substitutions and tests write elsewhere; a coprocess writes to its own pipe.
        if inner.iter().any(|p| {
            matches!(
                p,
                Place::CommandSubstitution
                    | Place::Backticks
                    | Place::ProcessSubstitution
                    | Place::Expansion
                    | Place::Test
                    | Place::HeredocBody
                    | Place::Coproc
            )
        }) {
            continue;
        }
        // Inside an inner pipeline only its last stage writes here.
        let not_last = inner.iter().any(|p| match p {
            Place::Pipeline { pipeline, stage } => {
                e.last_stage.get(pipeline).is_some_and(|last| stage < last)
            }
            _ => false,
        });
        if not_last {
            continue;
        }
        if e.meta.get(j).is_some_and(|m| m.transparent) || c.argv.is_empty() {
            continue;
        }
        match produce(e, j, c, hops) {
            Out::Text(t, d) => {
                text.push_str(&t);
                dynamic |= d;
            }
            Out::Silent => {}
            Out::Hidden(why) => return Source::Hidden(why),
        }
    }
    Source::Text {
        text,
        dynamic,
        from: "|".to_string(),
    }
}

enum Out {
    Text(String, bool),
    Silent,
    Hidden(String),
}

/// What one command writes to its standard output.
fn produce(e: &Engine, j: usize, c: &Command, hops: usize) -> Out {
    if stdout_elsewhere(c) {
        return Out::Silent;
    }
    let args = c.argv.get(1..).unwrap_or(&[]);
    match c.program().unwrap_or("") {
        "echo" => echo(args),
        "printf" => printf(args),
        "cat" | "tee" => passthrough(e, j, c, hops),
        "true" | ":" | "false" | "cd" | "unset" | "shift" | "sleep" | "wait" | "exit"
        | "return" | "test" | "[" => Out::Silent,
        _ => Out::Hidden(format!("the output of `{}`", c.source)),
    }
}

/// Standard output goes to a file or another descriptor, not down the pipe.
fn stdout_elsewhere(c: &Command) -> bool {
    let stdout_path = |t: &str| matches!(t, "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1");
    let mut elsewhere = false;
    for r in &c.redirects {
        let fd1 = r.fd.is_none_or(|fd| fd == 1);
        match r.kind {
            RedirectKind::Output | RedirectKind::Clobber | RedirectKind::Append if fd1 => {
                elsewhere = !stdout_path(&r.target.text);
            }
            RedirectKind::OutputBoth => elsewhere = !stdout_path(&r.target.text),
            RedirectKind::DupOutput if fd1 => elsewhere = r.target.text != "1",
            _ => {}
        }
    }
    elsewhere
}

fn echo(args: &[Word]) -> Out {
    let mut escapes = None;
    let mut newline = true;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let flags = w.text.strip_prefix('-').unwrap_or("");
        if flags.is_empty() || !flags.chars().all(|c| matches!(c, 'n' | 'e' | 'E')) {
            break;
        }
        for c in flags.chars() {
            match c {
                'n' => newline = false,
                'e' => escapes = Some(true),
                _ => escapes = Some(false),
            }
        }
        i += 1;
    }
    let (joined, dynamic) = text::join(args.get(i..).unwrap_or(&[]));
    let mut out = String::new();
    let mut stopped = false;
    match escapes {
        Some(true) => stopped = text::echo_escapes(&joined, &mut out),
        Some(false) => out.push_str(&joined),
        None => {
            out.push_str(&joined);
            // bash's echo keeps backslashes, dash's and zsh's interpret them: read both.
            let mut cooked = String::new();
            text::echo_escapes(&joined, &mut cooked);
            if cooked != joined {
                out.push('\n');
                out.push_str(&cooked);
            }
        }
    }
    if newline && !stopped {
        out.push('\n');
    }
    Out::Text(out, dynamic)
}

fn printf(args: &[Word]) -> Out {
    let args = match args.first() {
        Some(w) if w.text == "--" => args.get(1..).unwrap_or(&[]),
        Some(w) if w.text == "-v" => return Out::Silent,
        _ => args,
    };
    let Some((format, rest)) = args.split_first() else {
        return Out::Silent;
    };
    let dynamic = args.iter().any(|w| !w.is_literal());
    match text::printf(&format.text, rest) {
        Some(t) => Out::Text(t, dynamic),
        None => Out::Hidden(format!(
            "`printf` output guardsh does not reproduce: {}",
            format.text
        )),
    }
}

/// `cat [FILE…]` and `tee [FILE…]`: files, or standard input passed through.
fn passthrough(e: &Engine, j: usize, c: &Command, hops: usize) -> Out {
    let is_tee = c.program() == Some("tee");
    let mut files = Vec::new();
    let mut options_done = false;
    for w in c.argv.iter().skip(1) {
        if !options_done && w.text == "--" {
            options_done = true;
            continue;
        }
        if !options_done && w.text.len() > 1 && w.text.starts_with('-') {
            // Options that number, show or squeeze change the text: not reproduced.
            if !is_tee && !matches!(w.text.as_str(), "-u" | "-s" | "--squeeze-blank") {
                return Out::Hidden(format!("the output of `{}`", c.source));
            }
            continue;
        }
        files.push(w);
    }
    if is_tee || files.is_empty() {
        return from_source(source_at(e, j, hops + 1));
    }
    let mut text = String::new();
    let mut dynamic = false;
    for f in files {
        let part = if f.text == "-" {
            source_at(e, j, hops + 1)
        } else {
            match read_script(e, j, f) {
                Read::Text(t, _) => Source::Text {
                    text: t,
                    dynamic: false,
                    from: String::new(),
                },
                Read::Stdin => source_at(e, j, hops + 1),
                Read::Skip => Source::Nothing,
                Read::Hidden(why) => Source::Hidden(why),
            }
        };
        match from_source(part) {
            Out::Text(t, d) => {
                text.push_str(&t);
                dynamic |= d;
            }
            Out::Silent => {}
            hidden => return hidden,
        }
    }
    Out::Text(text, dynamic)
}

fn from_source(s: Source) -> Out {
    match s {
        Source::Text { text, dynamic, .. } => Out::Text(text, dynamic),
        Source::Nothing => Out::Silent,
        Source::Hidden(why) => Out::Hidden(why),
        Source::Line => Out::Hidden(LINE_INPUT.to_string()),
    }
}

/// Read a script file named on the line, on behalf of command `i`.
pub(super) fn read_script(e: &Engine, i: usize, path: &Word) -> Read {
    if path.dynamic || path.glob || path.brace {
        return Read::Hidden(format!(
            "a script whose name is only known when the line runs (`{}`)",
            path.text
        ));
    }
    let Some(text) = expand_tilde(path) else {
        return Read::Hidden(format!(
            "a script under another user's home (`{}`)",
            path.text
        ));
    };
    match text.as_str() {
        "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0" => return Read::Stdin,
        "/dev/null" => return Read::Skip,
        _ => {}
    }
    let lookups = e.lookups.get() + 1;
    e.lookups.set(lookups);
    if lookups > MAX_LOOKUPS {
        return Read::Hidden(format!(
            "one script file too many to read in one line (`{}`)",
            path.text
        ));
    }
    if written_in_line(e, &text) {
        return written_text(e, i, &text, path).unwrap_or_else(|| {
            Read::Hidden(format!(
                "a script written and then run in the same line (`{}`)",
                path.text
            ))
        });
    }
    e.looked_at.borrow_mut().push((i, text.clone()));
    if is_agent_snapshot(&text) {
        // Claude Code and Codex source their own snapshot of the user's shell before every
        // command: it is the agent's, not the command's, so it is neither read nor refused.
        return Read::Skip;
    }
    let full = match resolve(e, i, &text) {
        Ok(p) => p,
        Err(why) => return Read::Hidden(why),
    };
    read_file(&full, &path.text)
}

/// `~` and `~/…` from `$HOME`; `None` for `~user`.
fn expand_tilde(path: &Word) -> Option<String> {
    if !path.tilde {
        return Some(path.text.clone());
    }
    let rest = path.text.strip_prefix('~')?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let home = std::env::var("HOME").ok()?;
    Some(format!("{home}{rest}"))
}

/// A shell snapshot written by Claude Code (`~/.claude/shell-snapshots/…`) or Codex
/// (`~/.codex/shell_snapshots/…`).
fn is_agent_snapshot(text: &str) -> bool {
    let p = Path::new(text);
    p.is_absolute()
        && p.components().any(|c| {
            matches!(c, Component::Normal(n) if n == "shell-snapshots" || n == "shell_snapshots")
        })
        && !p.components().any(|c| matches!(c, Component::ParentDir))
}

/// True when something in the line may write the file named `text` (compared by file
/// name, to stay on the safe side of `./x.sh` versus `x.sh` versus `$PWD/x.sh`).
pub(super) fn written_in_line(e: &Engine, text: &str) -> bool {
    !writers(e, text).is_empty()
}

/// The commands that may write the file named `text` (see [`written_in_line`]).
fn writers(e: &Engine, text: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let name = program_name(text);
    if name.is_empty() {
        return found;
    }
    let names = |w: &str| {
        let value = w.rsplit_once('=').map_or(w, |(_, v)| v);
        program_name(value) == name
    };
    for (j, c) in e.out.commands.iter().enumerate() {
        let redirected = c.redirects.iter().any(|r| {
            matches!(
                r.kind,
                RedirectKind::Output
                    | RedirectKind::Clobber
                    | RedirectKind::Append
                    | RedirectKind::ReadWrite
                    | RedirectKind::OutputBoth
            ) && names(&r.target.text)
        });
        if redirected {
            found.push(j);
            continue;
        }
        let args = c.argv.get(1..).unwrap_or(&[]);
        let writes = match c.program().unwrap_or("") {
            "tee" | "curl" | "wget" | "dd" | "truncate" | "sponge" | "ed" | "ex" | "vi" | "vim"
            | "nvim" | "nano" | "emacs" => args.iter().any(|w| names(&w.text)),
            "sed" | "perl" | "gawk" => {
                let in_place = args.iter().any(|w| {
                    w.text.starts_with("-i")
                        || w.text.starts_with("--in-place")
                        || w.text == "inplace"
                        || (w.text.starts_with('-')
                            && !w.text.starts_with("--")
                            && w.text.contains('i'))
                });
                in_place && args.iter().any(|w| names(&w.text))
            }
            // The target is the last operand; when it is a directory, each source keeps
            // its own name there.
            "cp" | "mv" | "install" | "ln" | "rsync" | "scp" => {
                let operands: Vec<&str> = args
                    .iter()
                    .map(|w| w.text.as_str())
                    .filter(|t| !t.starts_with('-'))
                    .collect();
                let to_dir = args
                    .iter()
                    .any(|w| w.text == "-t" || w.text.starts_with("--target-directory"));
                match operands.split_last() {
                    Some((last, sources)) => {
                        names(last)
                            || ((to_dir
                                || last.ends_with('/')
                                || matches!(*last, "." | "..")
                                || Path::new(last).is_dir())
                                && sources.iter().any(|t| names(t)))
                    }
                    None => false,
                }
            }
            // These may change any file.
            "patch" => true,
            // These may change any file.
            "unzip" | "7z" => true,
            "tar" | "bsdtar" => args.iter().any(|w| {
                w.text == "--extract"
                    || (w.text.starts_with('-')
                        && !w.text.starts_with("--")
                        && w.text.contains('x'))
                    || (!w.text.starts_with('-') && w.text.contains('x') && w.text.len() <= 6)
            }),
            "git" => args.iter().any(|w| {
                matches!(
                    w.text.as_str(),
                    "checkout"
                        | "switch"
                        | "pull"
                        | "merge"
                        | "reset"
                        | "restore"
                        | "apply"
                        | "am"
                        | "stash"
                        | "rebase"
                        | "cherry-pick"
                        | "revert"
                        | "clone"
                )
            }),
            _ => false,
        };
        if writes {
            found.push(j);
        }
    }
    found
}

/// What the script file `text`, run by command `i`, holds when the line itself writes it:
/// exactly one command does, before `i`, with one `>` of output guardsh reproduces (`echo`,
/// `printf`, `cat` of a heredoc), unconditionally placed (not in the background, a
/// function or a substitution). Whether that write runs is not known (`test -e x ||
/// echo … > x`), so the file as it is now is read too: the script is one or the other.
/// `None` when any of this does not hold: the script stays hidden.
pub(super) fn written_text(e: &Engine, i: usize, text: &str, path: &Word) -> Option<Read> {
    let same = |t: &str| t.trim_start_matches("./") == text.trim_start_matches("./");
    let [j] = writers(e, text)[..] else {
        return None;
    };
    let c = e.out.commands.get(j).filter(|_| j < i)?;
    let mut targets = c.redirects.iter().filter(|r| {
        matches!(
            r.kind,
            RedirectKind::Output
                | RedirectKind::Clobber
                | RedirectKind::Append
                | RedirectKind::ReadWrite
                | RedirectKind::OutputBoth
        ) && program_name(&r.target.text) == program_name(text)
    });
    let r = targets.next()?;
    let plain = matches!(r.kind, RedirectKind::Output | RedirectKind::Clobber)
        && r.fd.is_none_or(|fd| fd == 1)
        && r.target.is_literal()
        && same(&r.target.text)
        && targets.next().is_none();
    let placed = c.places.iter().all(|p| {
        matches!(
            p,
            Place::Group
                | Place::Subshell
                | Place::If
                | Place::Case
                | Place::Loop
                | Place::Negated
                | Place::Pipeline { .. }
        )
    }) && e.meta.get(j).is_some_and(|m| m.level == 0);
    if !plain || !placed {
        return None;
    }
    let args = c.argv.get(1..).unwrap_or(&[]);
    let written = match c.program()? {
        "echo" => echo(args),
        "printf" => printf(args),
        "cat" => passthrough(e, j, c, 0),
        _ => return None,
    };
    let mut script = match written {
        Out::Text(t, false) => t,
        Out::Silent => String::new(),
        Out::Text(_, true) | Out::Hidden(_) => return None,
    };
    let full = resolve(e, i, text).ok()?;
    match read_file(&full, &path.text) {
        Read::Text(now, _) => {
            script.push('\n');
            script.push_str(&now);
        }
        Read::Hidden(_) if !full.exists() => {}
        other => return Some(other),
    }
    Some(Read::Text(script, full))
}

/// The path of a relative script, following `cd DIR` commands earlier on the line when
/// they are plain enough to follow; otherwise the script cannot be located with certainty.
fn resolve(e: &Engine, i: usize, text: &str) -> Result<PathBuf, String> {
    let p = Path::new(text);
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let moves: Vec<usize> = e
        .out
        .commands
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.program(), Some("cd" | "pushd" | "popd")))
        .map(|(j, _)| j)
        .collect();
    if moves.is_empty() {
        return Ok(p.to_path_buf());
    }
    let unclear = || format!("`{text}` after the working directory changes in the same line");
    let root = e.meta.get(i).map_or(i, |m| m.root);
    let mut dir = std::env::current_dir().map_err(|_| unclear())?;
    for j in moves {
        let (Some(c), Some(m)) = (e.out.commands.get(j), e.meta.get(j)) else {
            return Err(unclear());
        };
        let plain = m.level == 0 && c.places.is_empty() && c.program() == Some("cd");
        if !plain {
            return Err(unclear());
        }
        if j > root {
            // Runs after the script: does not move it.
            continue;
        }
        let target = match c.argv.get(1..).unwrap_or(&[]) {
            [] => std::env::var("HOME").map_err(|_| unclear())?,
            [w] if !w.text.starts_with('-') && (w.is_literal() || w.tilde) => {
                expand_tilde(w).ok_or_else(unclear)?
            }
            _ => return Err(unclear()),
        };
        dir = dir.join(target);
        if !dir.is_dir() {
            return Err(unclear());
        }
    }
    Ok(dir.join(p))
}

/// Read a regular file of at most [`MAX_FILE`] bytes of UTF-8.
fn read_file(path: &Path, shown: &str) -> Read {
    let bytes = match crate::capped::read(path, MAX_FILE) {
        Ok(b) => b,
        Err(crate::capped::Error::NotRegular { .. }) => {
            return Read::Hidden(format!("`{shown}`, which is not a regular file"));
        }
        Err(crate::capped::Error::TooLarge { .. }) => {
            return Read::Hidden(format!(
                "a script larger than {} KiB (`{shown}`)",
                MAX_FILE / 1024
            ));
        }
        Err(e) if e.is_missing() => {
            return Read::Hidden(format!("a script that does not exist (`{shown}`)"));
        }
        Err(crate::capped::Error::Io { source, .. }) => {
            return Read::Hidden(format!(
                "a script that cannot be read (`{shown}`: {source})"
            ));
        }
    };
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match String::from_utf8(bytes) {
        Ok(text) => Read::Text(text, canonical),
        Err(_) => Read::Hidden(format!("a script that is not UTF-8 text (`{shown}`)")),
    }
}
