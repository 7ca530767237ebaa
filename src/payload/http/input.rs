//! Where a body comes from when it is not in the arguments: a file (`@body.json`,
//! `--post-file=x`, `< body.json`) or standard input (a heredoc, a here-string, or the
//! previous stage of the pipeline when that is an `echo`, a `printf` or a `cat` whose output
//! guardsh can reproduce). Anything else is hidden, with a reason.

use crate::parse::{Command, Place, Redirect, RedirectKind, Script, Word};

use super::MAX_BODY;

/// At most this much is read from files and standard input for one command, however many
/// `@file` arguments it names.
const MAX_TOTAL: usize = 4 * MAX_BODY;
/// The longest chain of `cat | cat | … | curl -d @-` followed.
const MAX_HOPS: usize = 8;

/// What a command reads on its standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::payload) enum Source {
    /// This text; `dynamic` when it contains expansions the shell will make.
    Text { text: String, dynamic: bool },
    /// No standard input was given on the line: the command reads the terminal's or the
    /// agent's, which guardsh does not see.
    Absent,
    /// Something guardsh cannot see; the text says what.
    Hidden(String),
}

/// Reads files and standard input for one command, within a byte budget.
#[derive(Debug)]
pub(in crate::payload) struct Reader<'s> {
    loaded: usize,
    /// The line whose commands are read.
    script: &'s Script,
    /// The line changes directory (`cd dir && curl -d @body.json …`): a relative path is
    /// read from guardsh's own directory, which may not be the one the command runs in.
    /// Worked out on the first relative file read, not per command: a long script of
    /// `curl` calls must not scan every command for each one.
    cwd_moves: std::cell::OnceCell<bool>,
    /// Files that were read but may not be what the command will read.
    pub(super) doubts: Vec<String>,
}

impl<'s> Reader<'s> {
    /// A reader for the commands of `script`.
    pub(in crate::payload) fn new(script: &'s Script) -> Self {
        Reader {
            loaded: 0,
            script,
            cwd_moves: std::cell::OnceCell::new(),
            doubts: Vec::new(),
        }
    }

    fn cwd_moves(&self) -> bool {
        *self.cwd_moves.get_or_init(|| {
            self.script
                .commands
                .iter()
                .any(|c| matches!(c.program(), Some("cd" | "pushd" | "popd")))
        })
    }

    /// The text of file `path`, or why it cannot be read. A leading `~/` is expanded when the
    /// shell would (`tilde`). Only regular files are opened: a FIFO would block the guard.
    pub(super) fn file(&mut self, path: &str, tilde: bool) -> Result<String, String> {
        let expanded;
        let path = match path.strip_prefix("~/") {
            Some(rest) if tilde => match std::env::var("HOME") {
                Ok(home) => {
                    expanded = format!("{home}/{rest}");
                    expanded.as_str()
                }
                Err(_) => return Err(format!("`{path}` (no $HOME)")),
            },
            _ => path,
        };
        let buf = match crate::capped::read(std::path::Path::new(path), MAX_BODY as u64) {
            Ok(b) => b,
            Err(crate::capped::Error::NotRegular { .. }) => {
                return Err(format!("`{path}`, which is not a regular file"));
            }
            Err(crate::capped::Error::TooLarge { .. }) => {
                return Err(format!("`{path}`, which is larger than 1 MiB"));
            }
            Err(crate::capped::Error::Io { .. }) => {
                return Err(format!("`{path}`, which cannot be read"));
            }
        };
        let room = MAX_TOTAL.saturating_sub(self.loaded);
        if buf.len() > room {
            return Err(format!("`{path}`, which is too large to read"));
        }
        self.loaded += buf.len();
        if !path.starts_with('/') && self.cwd_moves() {
            self.doubts.push(format!(
                "`{path}`, read from guardsh's directory though the line changes directory"
            ));
        }
        // A binary body (gzip, protobuf) cannot be read for a GraphQL document.
        String::from_utf8(buf).map_err(|_| format!("`{path}`, which is not text"))
    }

    /// What `cmd` reads on its standard input.
    pub(in crate::payload) fn stdin(&mut self, cmd: &Command, script: &Script) -> Source {
        self.stdin_at(cmd, script, 0)
    }

    fn stdin_at(&mut self, cmd: &Command, script: &Script, hops: usize) -> Source {
        if hops > MAX_HOPS {
            return Source::Hidden("a chain of pipes too long to follow".to_string());
        }
        if let Some(r) = stdin_redirect(cmd) {
            return self.redirected(r);
        }
        match cmd.pipeline_stage() {
            Some((pipeline, stage)) if stage > 0 => {
                self.producers(script, pipeline, stage - 1, hops)
            }
            _ => Source::Absent,
        }
    }

    fn redirected(&mut self, r: &Redirect) -> Source {
        match r.kind {
            RedirectKind::Heredoc => Source::Text {
                text: r.target.text.clone(),
                dynamic: r.target.dynamic,
            },
            RedirectKind::HereString => Source::Text {
                text: format!("{}\n", r.target.text),
                dynamic: !r.target.is_literal(),
            },
            RedirectKind::DupInput if r.target.text == "-" => Source::Text {
                text: String::new(),
                dynamic: false,
            },
            RedirectKind::DupInput => Source::Hidden(format!("file descriptor {}", r.target.text)),
            _ if !r.target.is_literal() && !r.target.tilde => {
                Source::Hidden(format!("`{}`, a file named at run time", r.target.text))
            }
            _ => match self.file(&r.target.text, r.target.tilde) {
                Ok(text) => Source::Text {
                    text,
                    dynamic: false,
                },
                Err(why) => Source::Hidden(why),
            },
        }
    }

    /// What stage `stage` of pipeline `pipeline` writes, when every writer is a program
    /// whose output guardsh can reproduce.
    fn producers(&mut self, script: &Script, pipeline: usize, stage: usize, hops: usize) -> Source {
        let want = Place::Pipeline { pipeline, stage };
        let mut text = String::new();
        let mut dynamic = false;
        for c in &script.commands {
            let Some(k) = c.places.iter().position(|p| *p == want) else {
                continue;
            };
            let inner = c.places.get(k + 1..).unwrap_or(&[]);
            // Substitutions and tests write into a word, not down the pipe.
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
            // Which stage of an inner pipeline writes here is not recorded: do not guess.
            if inner.iter().any(|p| matches!(p, Place::Pipeline { .. })) {
                return Source::Hidden(format!("the output of `{}`", c.source.trim()));
            }
            if c.argv.is_empty() {
                continue;
            }
            match self.produce(c, script, hops) {
                Source::Text {
                    text: t,
                    dynamic: d,
                } => {
                    if text.len() + t.len() > MAX_BODY {
                        return Source::Hidden("a standard input larger than 1 MiB".to_string());
                    }
                    text.push_str(&t);
                    dynamic |= d;
                }
                Source::Absent => {}
                hidden @ Source::Hidden(_) => return hidden,
            }
        }
        Source::Text { text, dynamic }
    }

    /// What one command writes to its standard output (`Absent` for nothing).
    fn produce(&mut self, c: &Command, script: &Script, hops: usize) -> Source {
        if stdout_elsewhere(c) {
            return Source::Absent;
        }
        let args = c.argv.get(1..).unwrap_or(&[]);
        match c.program().unwrap_or("") {
            "echo" => echo(args),
            "printf" => printf(args),
            "cat" => self.cat(c, args, script, hops),
            "true" | ":" | "false" => Source::Absent,
            _ => Source::Hidden(format!("the output of `{}`", c.source.trim())),
        }
    }

    fn cat(&mut self, c: &Command, args: &[Word], script: &Script, hops: usize) -> Source {
        let mut files: Vec<&Word> = Vec::new();
        let mut options = true;
        for w in args {
            if options && w.text == "--" {
                options = false;
            } else if options && w.text.starts_with('-') && w.text != "-" {
                // `cat -n` and friends change the text; guardsh does not reproduce them.
                return Source::Hidden(format!("the output of `{}`", c.source.trim()));
            } else {
                files.push(w);
            }
        }
        if files.is_empty() {
            return self.stdin_at(c, script, hops + 1);
        }
        let mut text = String::new();
        for w in files {
            let part = if w.text == "-" {
                self.stdin_at(c, script, hops + 1)
            } else if !w.is_literal() && !w.tilde {
                Source::Hidden(format!("`{}`, a file named at run time", w.text))
            } else {
                match self.file(&w.text, w.tilde) {
                    Ok(t) => Source::Text {
                        text: t,
                        dynamic: false,
                    },
                    Err(why) => Source::Hidden(why),
                }
            };
            match part {
                Source::Text { text: t, .. } => text.push_str(&t),
                Source::Absent => {
                    return Source::Hidden(
                        "the line's standard input, which guardsh does not see".to_string(),
                    );
                }
                hidden @ Source::Hidden(_) => return hidden,
            }
        }
        Source::Text {
            text,
            dynamic: false,
        }
    }
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

/// Standard output goes to a file or another descriptor, not down the pipe.
fn stdout_elsewhere(c: &Command) -> bool {
    let mut elsewhere = false;
    for r in &c.redirects {
        let fd1 = r.fd.is_none_or(|fd| fd == 1);
        match r.kind {
            RedirectKind::Output | RedirectKind::Clobber | RedirectKind::Append if fd1 => {
                elsewhere = r.target.text != "/dev/stdout";
            }
            RedirectKind::OutputBoth => elsewhere = r.target.text != "/dev/stdout",
            RedirectKind::DupOutput if fd1 => elsewhere = r.target.text != "1",
            _ => {}
        }
    }
    elsewhere
}

/// Words joined with spaces, and whether any of them expands.
fn join(words: &[Word]) -> (String, bool) {
    let text: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    (text.join(" "), words.iter().any(|w| !w.is_literal()))
}

/// bash's builtin `echo`: `-n`, `-e`, `-E`; escapes only with `-e`.
fn echo(args: &[Word]) -> Source {
    let mut escapes = false;
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
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        i += 1;
    }
    let (joined, dynamic) = join(args.get(i..).unwrap_or(&[]));
    let mut text = String::new();
    let stopped = if escapes {
        backslash_escapes(&joined, &mut text)
    } else {
        text.push_str(&joined);
        false
    };
    if newline && !stopped {
        text.push('\n');
    }
    Source::Text { text, dynamic }
}

/// `printf FORMAT ARGS…`, with the conversions that matter for a body (`%s`, `%b`, `%d`, …
/// all print their argument as written) and the format reused while arguments remain.
fn printf(args: &[Word]) -> Source {
    let args = match args.first() {
        Some(w) if w.text == "--" => args.get(1..).unwrap_or(&[]),
        // `printf -v var …` writes a variable, not the pipe.
        Some(w) if w.text == "-v" => return Source::Absent,
        _ => args,
    };
    let Some((format, rest)) = args.split_first() else {
        return Source::Text {
            text: String::new(),
            dynamic: false,
        };
    };
    let mut dynamic = !format.is_literal();
    let mut text = String::new();
    let mut next = 0;
    loop {
        let mut used = false;
        let mut chars = format.text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    // One escape with its digits; printf's octal needs no leading 0.
                    let mut one = String::from('\\');
                    if let Some(e) = chars.next() {
                        let max = match e {
                            '1'..='7' => {
                                one.push('0');
                                2
                            }
                            '0' => 3,
                            'x' => 2,
                            'u' => 4,
                            'U' => 8,
                            _ => 0,
                        };
                        one.push(e);
                        for _ in 0..max {
                            match chars.peek() {
                                Some(d) if d.is_ascii_hexdigit() => {
                                    one.push(*d);
                                    chars.next();
                                }
                                _ => break,
                            }
                        }
                    }
                    backslash_escapes(&one, &mut text);
                }
                '%' => {
                    if chars.peek() == Some(&'%') {
                        chars.next();
                        text.push('%');
                        continue;
                    }
                    // Flags, width and precision change padding only: skip them.
                    while chars
                        .peek()
                        .is_some_and(|c| "-+ #0123456789.*".contains(*c))
                    {
                        chars.next();
                    }
                    let conv = chars.next().unwrap_or('s');
                    let arg = rest.get(next);
                    next += 1;
                    used = true;
                    let value = arg.map_or("", |w| w.text.as_str());
                    dynamic |= arg.is_some_and(|w| !w.is_literal());
                    if conv == 'b' {
                        if backslash_escapes(value, &mut text) {
                            return Source::Text { text, dynamic };
                        }
                    } else {
                        text.push_str(value);
                    }
                }
                _ => text.push(c),
            }
            if text.len() > MAX_BODY {
                return Source::Hidden("a standard input larger than 1 MiB".to_string());
            }
        }
        if !used || next >= rest.len() {
            break;
        }
    }
    Source::Text { text, dynamic }
}

/// The backslash escapes of `echo -e` and printf; true when `\c` stopped the output.
fn backslash_escapes(s: &str, out: &mut String) -> bool {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some('e' | 'E') => out.push('\x1b'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('c') => return true,
            Some(e @ ('0' | 'x' | 'u' | 'U')) => {
                let (radix, max) = match e {
                    '0' => (8, 3),
                    'x' => (16, 2),
                    'u' => (16, 4),
                    _ => (16, 8),
                };
                let mut v: u32 = 0;
                let mut n = 0;
                while n < max {
                    match chars.peek().and_then(|d| d.to_digit(radix)) {
                        Some(d) => {
                            v = v.saturating_mul(radix).saturating_add(d);
                            chars.next();
                            n += 1;
                        }
                        None => break,
                    }
                }
                if n == 0 && e != '0' {
                    out.push('\\');
                    out.push(e);
                } else {
                    out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &[&str]) -> Vec<Word> {
        s.iter().map(|t| Word::literal(*t)).collect()
    }

    fn text(s: Source) -> String {
        match s {
            Source::Text { text, .. } => text,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn echo_and_printf() {
        assert_eq!(text(echo(&lit(&["-n", "a", "b"]))), "a b");
        assert_eq!(text(echo(&lit(&["-e", "a\\nb\\u0041"]))), "a\nbA\n");
        assert_eq!(text(echo(&lit(&["a\\n"]))), "a\\n\n");
        assert_eq!(text(printf(&lit(&["%s\\n", "x", "y"]))), "x\ny\n");
        assert_eq!(
            text(printf(&lit(&["{\"q\":\"%s\"}", "v"]))),
            "{\"q\":\"v\"}"
        );
        assert_eq!(text(printf(&lit(&["100%% %-5s|", "a"]))), "100% a|");
        assert_eq!(printf(&lit(&["-v", "x", "y"])), Source::Absent);
    }
}
