//! Text that programs build before a shell reads it: what `echo` and `printf` print, how
//! `sudo -s` escapes its arguments, how `env -S` splits its string.

use crate::parse::Word;

/// At most this much text is built from one `printf`, so a format cannot blow up.
const MAX_BUILT: usize = 1 << 20;

/// What `echo -e` (and `%b` in printf) does to backslash escapes. The flag is true when
/// `\c` stopped the output.
pub(super) fn echo_escapes(s: &str, out: &mut String) -> bool {
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
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'c' => return true,
            'e' | 'E' => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            '0' => {
                let v = take_digits(&mut chars, 8, 3);
                push_byte(out, v.unwrap_or(0));
            }
            'x' => match take_digits(&mut chars, 16, 2) {
                Some(v) => push_byte(out, v),
                None => out.push_str("\\x"),
            },
            'u' | 'U' => {
                let max = if e == 'u' { 4 } else { 8 };
                match take_digits(&mut chars, 16, max) {
                    Some(v) => out.push(char::from_u32(v).unwrap_or('\u{FFFD}')),
                    None => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    false
}

/// The escapes of a printf format string (`\NNN` octal without a leading 0, `\"`).
fn format_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String) {
    let Some(e) = chars.next() else {
        out.push('\\');
        return;
    };
    match e {
        '0'..='7' => {
            let mut v = e.to_digit(8).unwrap_or(0);
            for _ in 0..2 {
                match chars.peek().and_then(|d| d.to_digit(8)) {
                    Some(d) => {
                        v = v * 8 + d;
                        chars.next();
                    }
                    None => break,
                }
            }
            push_byte(out, v);
        }
        '"' => out.push('"'),
        '\'' => out.push('\''),
        '?' => out.push('?'),
        'c' => out.push_str("\\c"),
        _ => {
            let mut tmp = String::new();
            let mut s = String::from('\\');
            s.push(e);
            echo_escapes(&s, &mut tmp);
            out.push_str(&tmp);
        }
    }
}

fn push_byte(out: &mut String, v: u32) {
    let v = v & 0xff;
    if v == 0 {
        // A NUL cannot be in a shell script the shell keeps reading; show it plainly.
        out.push('\u{FFFD}');
    } else if v < 0x80 {
        out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
    } else {
        out.push('\u{FFFD}');
    }
}

fn take_digits(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    radix: u32,
    max: usize,
) -> Option<u32> {
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
    (n > 0).then_some(v)
}

/// What `printf FORMAT ARGS…` prints, or `None` when a conversion is not one guardsh
/// reproduces (`%q`, `%x`, `%f`, `%(…)T` …). Non-literal words are used as written; the
/// caller marks the result dynamic.
pub(super) fn printf(format: &str, args: &[Word]) -> Option<String> {
    let mut out = String::new();
    let mut next = 0usize;
    loop {
        let before = next;
        let stop = printf_once(format, args, &mut next, &mut out)?;
        if stop || next >= args.len() || next == before || out.len() > MAX_BUILT {
            break;
        }
    }
    (out.len() <= MAX_BUILT).then_some(out)
}

/// One pass over the format. Returns `Some(true)` when `\c` in a `%b` argument stopped
/// all output.
fn printf_once(format: &str, args: &[Word], next: &mut usize, out: &mut String) -> Option<bool> {
    let take = |next: &mut usize| -> Option<&str> {
        let a = args.get(*next).map(|w| w.text.as_str());
        if a.is_some() {
            *next += 1;
        }
        a
    };
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => format_escape(&mut chars, out),
            '%' => {
                if chars.peek() == Some(&'%') {
                    chars.next();
                    out.push('%');
                    continue;
                }
                let mut left = false;
                while let Some(&f) = chars.peek() {
                    if !matches!(f, '-' | '+' | ' ' | '#' | '0') {
                        break;
                    }
                    left |= f == '-';
                    chars.next();
                }
                let mut width = number(&mut chars);
                if chars.peek() == Some(&'*') {
                    chars.next();
                    width = take(next).and_then(|a| a.parse().ok());
                }
                let mut precision = None;
                if chars.peek() == Some(&'.') {
                    chars.next();
                    if chars.peek() == Some(&'*') {
                        chars.next();
                        precision = take(next).and_then(|a| a.parse().ok());
                    } else {
                        precision = Some(number(&mut chars).unwrap_or(0));
                    }
                }
                let conv = chars.next()?;
                let piece: String = match conv {
                    's' => take(next).unwrap_or("").to_string(),
                    'b' => {
                        let mut s = String::new();
                        let stop = echo_escapes(take(next).unwrap_or(""), &mut s);
                        if stop {
                            out.push_str(&s);
                            return Some(true);
                        }
                        s
                    }
                    'c' => take(next)
                        .and_then(|a| a.chars().next())
                        .map(String::from)
                        .unwrap_or_default(),
                    'd' | 'i' | 'u' => {
                        let a = take(next).unwrap_or("0");
                        let trimmed = a.trim();
                        if trimmed.parse::<i128>().is_err() {
                            return None;
                        }
                        trimmed.to_string()
                    }
                    _ => return None,
                };
                let piece: String = match precision {
                    Some(p) if matches!(conv, 's' | 'b') => piece.chars().take(p).collect(),
                    _ => piece,
                };
                let pad = width
                    .unwrap_or(0)
                    .saturating_sub(piece.chars().count())
                    .min(MAX_BUILT);
                if left {
                    out.push_str(&piece);
                    out.extend(std::iter::repeat_n(' ', pad));
                } else {
                    out.extend(std::iter::repeat_n(' ', pad));
                    out.push_str(&piece);
                }
            }
            _ => out.push(c),
        }
        if out.len() > MAX_BUILT {
            return None;
        }
    }
    Some(false)
}

fn number(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<usize> {
    let mut v: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
        v = Some(v.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        chars.next();
    }
    v
}

/// The command string `sudo -s`/`sudo -i` hands to the shell: every character but
/// alphanumerics, `_`, `-` and `$` escaped with a backslash, arguments joined by spaces.
pub(super) fn sudo_escape(args: &[Word]) -> String {
    let mut out = String::new();
    for (i, w) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        for c in w.text.chars() {
            if !(c.is_alphanumeric() || matches!(c, '_' | '-' | '$')) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// Words joined with spaces, as `eval`, `ssh` and `watch` hand them to a shell; the flag is
/// true when some word is only known when the line runs.
pub(super) fn join(words: &[Word]) -> (String, bool) {
    let text = words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let dynamic = words.iter().any(|w| w.dynamic || w.glob || w.brace);
    (text, dynamic)
}

/// Split an `env -S` string into words (quotes and backslashes as env reads them, close
/// enough to shell words). `None` when it does not split (an open quote).
pub(super) fn split_string(w: &Word) -> Option<Vec<Word>> {
    let parts = shell_words::split(&w.text).ok()?;
    Some(
        parts
            .into_iter()
            .map(|p| Word {
                dynamic: w.dynamic || p.contains('$'),
                glob: w.glob,
                tilde: false,
                brace: w.brace,
                text: p,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &[&str]) -> Vec<Word> {
        s.iter().map(|x| Word::literal(*x)).collect()
    }

    #[test]
    fn echo_escapes_like_bash() {
        let mut o = String::new();
        assert!(!echo_escapes("a\\nb\\x41\\0101\\\\", &mut o));
        assert_eq!(o, "a\nbAA\\");
        let mut o = String::new();
        assert!(echo_escapes("x\\cy", &mut o));
        assert_eq!(o, "x");
    }

    #[test]
    fn printf_formats() {
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("rm -rf /\\n", &[], Some("rm -rf /\n")),
            ("%s\\n", &["rm -rf /"], Some("rm -rf /\n")),
            ("%s %s\\n", &["a", "b", "c"], Some("a b\nc \n")),
            ("%.2s", &["rmxx"], Some("rm")),
            ("%b", &["rm\\n"], Some("rm\n")),
            ("\\162\\155", &[], Some("rm")),
            ("100%%", &[], Some("100%")),
            ("%5s|%-3s|", &["ab", "c"], Some("   ab|c  |")),
            ("%d", &["42"], Some("42")),
            ("%d", &["x"], None),
            ("%q", &["x"], None),
            ("%", &[], None),
        ];
        for (fmt, args, want) in cases {
            assert_eq!(
                printf(fmt, &lit(args)).as_deref(),
                *want,
                "printf {fmt:?} {args:?}"
            );
        }
    }

    #[test]
    fn sudo_escapes_all_but_names_and_dollar() {
        assert_eq!(
            sudo_escape(&lit(&["echo", "a b", "x;y"])),
            "echo a\\ b x\\;y"
        );
        assert_eq!(sudo_escape(&lit(&["echo", "$HOME"])), "echo $HOME");
    }

    #[test]
    fn env_split_string() {
        let w = split_string(&Word::literal("FOO=1 rm -rf '/a b'")).unwrap_or_default();
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["FOO=1", "rm", "-rf", "/a b"]);
        assert!(split_string(&Word::literal("'open")).is_none());
    }
}
