//! fish lines, rewritten for guardsh's POSIX-shell grammar before they are judged.
//!
//! guardsh reads shell text the way bash does. Most fish lines read the same, but fish's own
//! keywords would hide a command from that reading (`not rm -rf /` is the program `not` to
//! bash, `begin; …; end` does not parse), `(cmd)` is a command substitution, `2>|` pipes
//! standard error, and `\'` escapes a quote inside single quotes. This rewrite keeps every
//! command of the line in command position, in its order, and drops only fish's structure:
//! `if`, `while`, `and`, `or`, `not`, `!`, `begin`, `else`, `time` are removed before the
//! command they introduce; `end`, `for`, `switch`, `case`, `function`, `return`, `break`
//! and `continue` become `:` (their words stay, as arguments, so substitutions in them are
//! still seen). The result is only ever judged, never run.

/// Keywords removed from in front of the command they introduce.
const PREFIXES: &[&str] = &[
    "if", "while", "and", "or", "not", "!", "begin", "else", "time",
];

/// Keywords whose statement runs no command of its own.
const STRUCTURE: &[&str] = &[
    "end", "for", "switch", "case", "function", "return", "break", "continue",
];

/// The fish `line`, as POSIX-shell text with the same commands.
pub fn to_posix(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut out = String::with_capacity(line.len() + 16);
    statements(&chars, &mut i, false, &mut out);
    // Anything left (an unmatched `)`) is copied, so the grammar sees it and refuses it.
    out.extend(chars.get(i..).unwrap_or_default());
    out
}

/// Copy statements until the end, or until the `)` closing a substitution when `nested`.
fn statements(chars: &[char], i: &mut usize, nested: bool, out: &mut String) {
    let mut command_start = true;
    while let Some(&c) = chars.get(*i) {
        if command_start {
            if c == ' ' || c == '\t' {
                out.push(c);
                *i += 1;
                continue;
            }
            let word = bare_word(chars, *i);
            if PREFIXES.contains(&word.as_str()) {
                *i += word.chars().count();
                // `else;`, `begin;`: a keyword alone still needs a command for the grammar.
                let rest = chars.get(*i..).unwrap_or_default();
                let next = rest.iter().find(|c| **c != ' ' && **c != '\t');
                if next.is_none_or(|c| matches!(c, ';' | '\n' | '&' | '|' | ')')) {
                    out.push(':');
                    command_start = false;
                }
                continue;
            }
            if STRUCTURE.contains(&word.as_str()) {
                *i += word.chars().count();
                out.push(':');
                command_start = false;
                continue;
            }
            command_start = false;
        }
        match c {
            ')' if nested => return,
            '&' if chars.get(*i + 1) == Some(&'|') => {
                // `&|`: standard output and error piped to the next command.
                out.push('|');
                *i += 2;
                command_start = true;
            }
            '&' if chars.get(*i + 1) == Some(&'>')
                || (*i > 0 && matches!(chars.get(*i - 1), Some('>' | '<'))) =>
            {
                // A redirection (`&>`, `2>&1`), not a background job.
                out.push(c);
                *i += 1;
            }
            ';' | '\n' | '&' | '|' => {
                out.push(c);
                *i += 1;
                command_start = true;
            }
            '>' if chars.get(*i + 1) == Some(&'|') => {
                // `2>|`: standard error piped to the next command.
                out.push_str(" |");
                *i += 2;
                command_start = true;
            }
            '>' if chars.get(*i + 1) == Some(&'?') => {
                // `>?`: write unless the file exists.
                out.push('>');
                *i += 2;
            }
            '#' if at_word_start(chars, *i) => {
                while let Some(&c) = chars.get(*i) {
                    if c == '\n' {
                        break;
                    }
                    out.push(c);
                    *i += 1;
                }
            }
            '\\' => {
                out.push(c);
                *i += 1;
                if let Some(&next) = chars.get(*i) {
                    out.push(next);
                    *i += 1;
                }
            }
            '\'' => single_quoted(chars, i, out),
            '"' => double_quoted(chars, i, out),
            '(' => {
                *i += 1;
                substitution(chars, i, out);
            }
            '$' if chars.get(*i + 1) == Some(&'(') => {
                *i += 2;
                substitution(chars, i, out);
            }
            _ => {
                out.push(c);
                *i += 1;
            }
        }
    }
}

/// After the opening `(`: the commands up to the matching `)`, as `$( … )`.
fn substitution(chars: &[char], i: &mut usize, out: &mut String) {
    out.push_str("$(");
    statements(chars, i, true, out);
    if chars.get(*i) == Some(&')') {
        *i += 1;
        out.push(')');
    }
}

/// A fish single-quoted string (`\'` and `\\` are escapes in it) as a POSIX one.
fn single_quoted(chars: &[char], i: &mut usize, out: &mut String) {
    *i += 1;
    out.push('\'');
    while let Some(&c) = chars.get(*i) {
        *i += 1;
        match c {
            '\'' => {
                out.push('\'');
                return;
            }
            '\\' if matches!(chars.get(*i), Some('\'' | '\\')) => {
                let escaped = chars.get(*i).copied().unwrap_or('\\');
                *i += 1;
                if escaped == '\'' {
                    out.push_str(r"'\''");
                } else {
                    out.push('\\');
                }
            }
            _ => out.push(c),
        }
    }
    // Unclosed: left open, so the grammar refuses it.
}

/// A fish double-quoted string: `$( … )` inside is a substitution (fish 3.4 and later);
/// a backquote is plain text in fish, so it is escaped for the POSIX reading.
fn double_quoted(chars: &[char], i: &mut usize, out: &mut String) {
    *i += 1;
    out.push('"');
    while let Some(&c) = chars.get(*i) {
        match c {
            '"' => {
                *i += 1;
                out.push('"');
                return;
            }
            '\\' => {
                out.push(c);
                *i += 1;
                if let Some(&next) = chars.get(*i) {
                    out.push(next);
                    *i += 1;
                }
            }
            '`' => {
                out.push_str("\\`");
                *i += 1;
            }
            '$' if chars.get(*i + 1) == Some(&'(') => {
                *i += 2;
                substitution(chars, i, out);
            }
            _ => {
                out.push(c);
                *i += 1;
            }
        }
    }
}

/// The unquoted word starting at `i`, up to a space or an operator.
fn bare_word(chars: &[char], i: usize) -> String {
    chars
        .get(i..)
        .unwrap_or_default()
        .iter()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '&' | '|' | '(' | ')'))
        .collect()
}

fn at_word_start(chars: &[char], i: usize) -> bool {
    i == 0
        || chars
            .get(i - 1)
            .is_some_and(|c| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '('))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs of spaces are of no interest: the keywords leave theirs behind.
    fn spaced(s: &str) -> String {
        s.split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn keywords_leave_every_command_in_command_position() {
        for (fish, posix) in [
            ("not rm -rf /", "rm -rf /"),
            ("true; and rm -rf /", "true; rm -rf /"),
            ("false; or rm -rf /", "false; rm -rf /"),
            ("! rm x", "rm x"),
            (
                "if test -f x; rm x; else if true; ls; else; pwd; end",
                "test -f x; rm x; true; ls; :; pwd; :",
            ),
            ("begin; rm -rf /; end | cat", ":; rm -rf /; : | cat"),
            (
                "for f in *.txt (ls); rm $f; end",
                ": f in *.txt $(ls); rm $f; :",
            ),
            ("while true; break; end", "true; :; :"),
            ("switch $x; case a; rm a; end", ": $x; : a; rm a; :"),
            ("function f; rm -rf /; end", ": f; rm -rf /; :"),
            ("time git status", "git status"),
            ("ls # not rm", "ls # not rm"),
            ("command rm x", "command rm x"),
        ] {
            assert_eq!(spaced(&to_posix(fish)), posix, "{fish}");
        }
    }

    #[test]
    fn substitutions_quotes_and_pipes() {
        for (fish, posix) in [
            ("echo (rm -rf /)", "echo $(rm -rf /)"),
            ("set x (not rm -rf /)", "set x $( rm -rf /)"),
            ("echo \"a $(rm x) b\"", "echo \"a $(rm x) b\""),
            ("echo \"`rm x`\"", "echo \"\\`rm x\\`\""),
            (r"echo 'it\'s'", r"echo 'it'\''s'"),
            (r"echo 'a\\b'", r"echo 'a\b'"),
            ("ls 2>| rm -rf /", "ls 2 | rm -rf /"),
            ("ls &| rm -rf /", "ls | rm -rf /"),
            ("ls 2>&1 not", "ls 2>&1 not"),
            ("ls &> f; not rm x", "ls &> f; rm x"),
            ("echo x >? f", "echo x > f"),
            ("echo (echo (rm x))", "echo $(echo $(rm x))"),
            ("andy --and", "andy --and"),
        ] {
            assert_eq!(spaced(&to_posix(fish)), posix, "{fish}");
        }
    }

    #[test]
    fn unbalanced_text_stays_unbalanced() {
        assert_eq!(to_posix("echo 'open"), "echo 'open");
        assert_eq!(to_posix("echo (open"), "echo $(open");
        assert_eq!(to_posix("echo )"), "echo )");
    }
}
