//! The statements a client reads from its standard input and from files.
//!
//! Standard input is, in the order the shell decides it: the command's own redirections
//! (heredoc, here-string, `< file`), else the previous stage of its pipeline. Only stages
//! whose output is known are read (`echo`, `printf`, `cat`); anything else feeding a
//! client (a program, `curl`, a dynamic word) is unseen. A client with neither reads the
//! terminal: nothing is hidden there.
//!
//! Files are read only when what is read is what will run: a regular file (never a FIFO
//! or device, which could block or never end), at most [`MAX_FILE`] bytes, not changed by
//! another command of the same line, and not named relative to a directory a `cd` in the
//! line may have left.

use std::path::{Path, PathBuf};

use crate::parse::{Command, Place, RedirectKind, Word, program_name};

use super::{Cx, MAX_TEXT, Piece};

/// The largest file read.
const MAX_FILE: u64 = MAX_TEXT as u64;

/// Programs that only read the files they name: mentioning a file does not change it.
const READ_ONLY: &[&str] = &[
    "cat",
    "head",
    "tail",
    "less",
    "more",
    "wc",
    "ls",
    "grep",
    "egrep",
    "fgrep",
    "test",
    "[",
    "stat",
    "file",
    "diff",
    "md5sum",
    "sha256sum",
    "echo",
    "printf",
];

/// What `cmd` reads on its standard input. Unseen sources mark `cx` hidden.
pub(super) fn stdin(cx: &mut Cx<'_>, cmd: &Command) -> Vec<Piece> {
    let mut out = Vec::new();
    let redirects: Vec<_> = cmd
        .redirects
        .iter()
        .filter(|r| {
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
        .collect();
    if !redirects.is_empty() {
        // Several may apply (the command's own and an enclosing loop's): read them all.
        for r in redirects {
            match r.kind {
                RedirectKind::Heredoc | RedirectKind::HereString => out.push(Piece {
                    text: r.target.text.clone(),
                    dynamic: r.target.dynamic,
                }),
                RedirectKind::DupInput if r.target.text == "-" => {}
                RedirectKind::DupInput => cx.hide(),
                _ => {
                    if let Some(p) = cx.read_file(&r.target, cmd) {
                        out.push(p);
                    }
                }
            }
        }
        return out;
    }
    // Innermost pipeline first: the first stage of an inner pipeline reads what its
    // enclosing group or nested shell reads.
    for place in cmd.places.iter().rev() {
        if let Place::Pipeline { pipeline, stage } = place
            && *stage > 0
        {
            from_stage(cx, *pipeline, stage - 1, &mut out);
            return out;
        }
    }
    out
}

/// What stage `stage` of pipeline `pipeline` writes into the pipe.
fn from_stage(cx: &mut Cx<'_>, pipeline: usize, stage: usize, out: &mut Vec<Piece>) {
    let script = cx.script;
    let last_stage = |q: usize| {
        script
            .commands
            .iter()
            .flat_map(|c| c.places.iter())
            .filter_map(|p| match p {
                Place::Pipeline { pipeline, stage } if *pipeline == q => Some(*stage),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    };
    let writers: Vec<&Command> = script
        .commands
        .iter()
        .filter(|c| {
            let Some(k) = c.places.iter().position(
                |p| matches!(p, Place::Pipeline { pipeline: q, stage: s } if *q == pipeline && *s == stage),
            ) else {
                return false;
            };
            // Output captured by a substitution, or written into an inner pipe, does not
            // reach this pipe.
            let inner = c.places.get(k + 1..).unwrap_or(&[]);
            let captured = inner.iter().any(|p| match p {
                Place::CommandSubstitution
                | Place::Backticks
                | Place::ProcessSubstitution
                | Place::Expansion
                | Place::Test
                | Place::HeredocBody => true,
                Place::Pipeline { pipeline, stage } => *stage < last_stage(*pipeline),
                _ => false,
            });
            let to_file = c.redirects.iter().any(|r| {
                r.fd.is_none_or(|fd| fd == 1)
                    && matches!(
                        r.kind,
                        RedirectKind::Output
                            | RedirectKind::Clobber
                            | RedirectKind::Append
                            | RedirectKind::OutputBoth
                    )
            });
            !captured && !to_file
        })
        .collect();
    if writers.is_empty() {
        cx.hide();
        return;
    }
    for w in writers {
        cx.nested(|cx| writer_output(cx, w, out));
    }
}

/// What `w` prints, when it is a program whose output is known from its argv.
fn writer_output(cx: &mut Cx<'_>, w: &Command, out: &mut Vec<Piece>) {
    let Some(first) = w.argv.first().filter(|f| f.is_literal()) else {
        cx.hide();
        return;
    };
    let args = w.argv.get(1..).unwrap_or(&[]);
    let dynamic = args.iter().any(|a| a.dynamic);
    match program_name(&first.text) {
        "echo" => {
            let mut rest = args;
            while let Some(a) = rest.first()
                && a.is_literal()
                && a.text.len() > 1
                && a.text.starts_with('-')
                && a.text.chars().skip(1).all(|c| matches!(c, 'n' | 'e' | 'E'))
            {
                rest = rest.get(1..).unwrap_or(&[]);
            }
            let text = join(rest);
            // Whether escapes apply depends on the shell and `-e`: read both ways.
            if text.contains('\\') {
                out.push(Piece {
                    text: unescape(&text),
                    dynamic,
                });
            }
            out.push(Piece { text, dynamic });
        }
        "printf" => {
            let mut rest = args;
            if rest.first().is_some_and(|a| a.text == "-v") {
                // Output goes to a variable.
                return;
            }
            if rest.first().is_some_and(|a| a.text == "--") {
                rest = rest.get(1..).unwrap_or(&[]);
            }
            let Some((format, values)) = rest.split_first() else {
                return;
            };
            let values: Vec<&str> = values.iter().map(|v| v.text.as_str()).collect();
            out.push(Piece {
                text: printf(&format.text, &values),
                dynamic,
            });
        }
        "cat" => {
            let mut files = Vec::new();
            let mut operands_only = false;
            for a in args {
                if !operands_only && a.text == "--" {
                    operands_only = true;
                } else if !operands_only && a.text.len() > 1 && a.text.starts_with('-') {
                    // An option (-n, -A …): it changes the layout, not the statements.
                } else {
                    files.push(a);
                }
            }
            if files.is_empty() {
                out.extend(stdin(cx, w));
            }
            for f in files {
                if f.text == "-" {
                    out.extend(stdin(cx, w));
                } else if let Some(p) = cx.read_file(f, w) {
                    out.push(p);
                }
            }
        }
        "true" | ":" => {}
        _ => cx.hide(),
    }
}

fn join(words: &[Word]) -> String {
    let parts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    parts.join(" ")
}

/// Backslash escapes as `echo -e` and `printf` read them. `\c` ends the output.
pub(super) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'e' | 'E' => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            'c' => break,
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..3 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) if v < 0o40 => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        _ => break,
                    }
                }
                out.push(byte_char(v));
            }
            'x' => {
                let mut v = 0;
                let mut n = 0;
                while n < 2 {
                    match chars.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            chars.next();
                            n += 1;
                        }
                        None => break,
                    }
                }
                if n == 0 {
                    out.push_str("\\x");
                } else {
                    out.push(byte_char(v));
                }
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

/// A byte as a character: ASCII as itself, a high byte as U+FFFD (never a keyword).
fn byte_char(v: u32) -> char {
    if v < 0x80 {
        char::from_u32(v).unwrap_or('\u{FFFD}')
    } else {
        '\u{FFFD}'
    }
}

/// `printf FORMAT VALUES…` as the shell builtin prints it: escapes in the format, each
/// conversion takes the next value, and the format repeats while values remain.
pub(super) fn printf(format: &str, values: &[&str]) -> String {
    let mut out = String::new();
    let mut next = 0;
    // Bounded: each round uses up at least one value.
    for _ in 0..=values.len() {
        let mut used = false;
        let mut chars = format.chars().peekable();
        let mut literal = String::new();
        while let Some(c) = chars.next() {
            match c {
                '%' => {
                    out.push_str(&unescape(&std::mem::take(&mut literal)));
                    if chars.peek() == Some(&'%') {
                        chars.next();
                        out.push('%');
                        continue;
                    }
                    // Flags, width, precision, then the conversion letter.
                    let mut conv = None;
                    for d in chars.by_ref() {
                        if d.is_ascii_alphabetic() {
                            conv = Some(d);
                            break;
                        }
                    }
                    let value = values.get(next).copied().unwrap_or("");
                    if next < values.len() {
                        next += 1;
                        used = true;
                    }
                    match conv {
                        Some('b') => out.push_str(&unescape(value)),
                        Some(_) => out.push_str(value),
                        None => {}
                    }
                }
                _ => literal.push(c),
            }
        }
        out.push_str(&unescape(&literal));
        if !used || next >= values.len() {
            break;
        }
    }
    out
}

/// Read a file named by `word` in `reader`'s argv, if what is read is what will run.
pub(super) fn read_file(cx: &Cx<'_>, word: &Word, reader: &Command) -> Option<String> {
    if word.dynamic || word.glob || word.brace {
        return None;
    }
    let path = if word.tilde {
        let rest = word.text.strip_prefix("~/")?;
        PathBuf::from(std::env::var_os("HOME")?).join(rest)
    } else {
        PathBuf::from(&word.text)
    };
    read_path(cx, &path, reader)
}

/// Read `path`, if what is read is what will run. `reader` is the command reading it.
pub(super) fn read_path(cx: &Cx<'_>, path: &Path, reader: &Command) -> Option<String> {
    if path.as_os_str().is_empty() {
        return None;
    }
    // The usual way to give a program no input: empty, not unseen.
    if path == Path::new("/dev/null") {
        return Some(String::new());
    }
    let script = cx.script;
    if path.is_relative()
        && script
            .commands
            .iter()
            .any(|c| matches!(c.program(), Some("cd" | "pushd" | "popd")))
    {
        return None;
    }
    let name = path.file_name()?.to_string_lossy().into_owned();
    let changed_in_line = script
        .commands
        .iter()
        .any(|c| !std::ptr::eq(c, reader) && !std::ptr::eq(c, cx.cmd) && changes(c, &name));
    if changed_in_line {
        return None;
    }
    let buf = crate::capped::read(path, MAX_FILE).ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// May `c` change a file called `name`: a redirection writing to it, or an argument
/// naming it (`cp x name`, `--output=name`) of a program that is not a mere reader?
fn changes(c: &Command, name: &str) -> bool {
    let same = |text: &str| {
        let text = text.rsplit_once('=').map_or(text, |(_, v)| v);
        Path::new(text)
            .file_name()
            .is_some_and(|f| f.to_string_lossy() == name)
    };
    let written = c.redirects.iter().any(|r| {
        !matches!(
            r.kind,
            RedirectKind::Heredoc
                | RedirectKind::HereString
                | RedirectKind::Input
                | RedirectKind::DupInput
                | RedirectKind::DupOutput
        ) && same(&r.target.text)
    });
    let reader = c.program().is_some_and(|p| READ_ONLY.contains(&p));
    written || (!reader && c.argv.iter().skip(1).any(|w| same(&w.text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_formats_like_the_builtin() {
        assert_eq!(
            printf("DROP TABLE %s;\\n", &["a", "b"]),
            "DROP TABLE a;\nDROP TABLE b;\n"
        );
        assert_eq!(printf("100%% %5s|%b", &["x", "a\\nb"]), "100% x|a\nb");
        assert_eq!(printf("no args\\n", &[]), "no args\n");
        assert_eq!(unescape("\\x44ROP\\c rest"), "DROP");
        assert_eq!(unescape("\\104ROP \\xff"), "DROP \u{FFFD}");
    }
}
