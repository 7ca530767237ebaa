//! Quote removal done by hand on source text.
//!
//! The grammar reports literal parts sometimes cooked and sometimes raw (inside `$( )` it
//! keeps `\rm` as written), so guardsh always cooks from the source slice itself: one rule,
//! the shell's, applied the same way everywhere.

/// What an unquoted literal contributed to a word besides its text.
#[derive(Debug, Default, Clone, Copy)]
pub struct LiteralFlags {
    /// An unescaped `*`, `?` or `[` was seen.
    pub glob: bool,
}

/// Quote removal for an unquoted literal: `\x` is `x`, backslash-newline vanishes.
pub fn unquoted(raw: &str, out: &mut String) -> LiteralFlags {
    let mut flags = LiteralFlags::default();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(next) => out.push(next),
                None => out.push('\\'),
            },
            '*' | '?' | '[' => {
                flags.glob = true;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    flags
}

/// Quote removal inside double quotes: a backslash escapes only `$`, `` ` ``, `"`, `\` and
/// newline; before anything else it stays.
pub fn double_quoted(raw: &str, out: &mut String) {
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('\n') => {
                chars.next();
            }
            Some(&next @ ('$' | '`' | '"' | '\\')) => {
                chars.next();
                out.push(next);
            }
            _ => out.push('\\'),
        }
    }
}

/// Decode the inside of `$'…'` as bash does. A NUL ends the string, as it ends a C string
/// in the argv bash builds.
pub fn ansi_c(raw: &str, out: &mut String) {
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        let decoded: Option<char> = match e {
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'e' | 'E' => Some('\x1b'),
            'f' => Some('\x0c'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\x0b'),
            '\\' | '\'' | '"' | '?' => Some(e),
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
                // bash keeps only the low byte of an octal escape.
                byte_char(v & 0xff)
            }
            'x' => match take_hex(&mut chars, 2) {
                Some(v) => byte_char(v),
                None => {
                    out.push_str("\\x");
                    continue;
                }
            },
            'u' | 'U' => {
                let max = if e == 'u' { 4 } else { 8 };
                match take_hex(&mut chars, max) {
                    Some(v) => Some(char::from_u32(v).unwrap_or('\u{FFFD}')),
                    None => {
                        out.push('\\');
                        out.push(e);
                        continue;
                    }
                }
            }
            'c' => match chars.next() {
                Some(ctl) => {
                    let v = (ctl as u32) & 0x1f;
                    if v == 0 { None } else { char::from_u32(v) }
                }
                None => {
                    out.push_str("\\c");
                    continue;
                }
            },
            other => {
                out.push('\\');
                Some(other)
            }
        };
        match decoded {
            Some('\0') | None => return,
            Some(ch) => out.push(ch),
        }
    }
}

/// A byte value as a char: ASCII as itself, a high byte as the replacement character, since
/// it cannot stand alone in UTF-8 (and words holding U+FFFD count as unknown).
fn byte_char(v: u32) -> Option<char> {
    if v == 0 {
        None
    } else if v < 0x80 {
        char::from_u32(v)
    } else {
        Some('\u{FFFD}')
    }
}

fn take_hex(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, max: usize) -> Option<u32> {
    let mut v: u32 = 0;
    let mut n = 0;
    while n < max {
        match chars.peek().and_then(|d| d.to_digit(16)) {
            Some(d) => {
                v = v.saturating_mul(16).saturating_add(d);
                chars.next();
                n += 1;
            }
            None => break,
        }
    }
    (n > 0).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> String {
        let mut o = String::new();
        unquoted(s, &mut o);
        o
    }
    fn d(s: &str) -> String {
        let mut o = String::new();
        double_quoted(s, &mut o);
        o
    }
    fn a(s: &str) -> String {
        let mut o = String::new();
        ansi_c(s, &mut o);
        o
    }

    #[test]
    fn unquoted_removes_backslashes() {
        assert_eq!(u("\\rm"), "rm");
        assert_eq!(u("rail\\\nway"), "railway");
        assert_eq!(u("a\\ b"), "a b");
        assert_eq!(u("x\\"), "x\\");
        assert!(unquoted("*.txt", &mut String::new()).glob);
        assert!(!unquoted("\\*.txt", &mut String::new()).glob);
    }

    #[test]
    fn double_quotes_keep_most_backslashes() {
        assert_eq!(d("a\\\"b"), "a\"b");
        assert_eq!(d("c\\d"), "c\\d");
        assert_eq!(d("\\$x"), "$x");
        assert_eq!(d("a\\\nb"), "ab");
    }

    #[test]
    fn ansi_c_decodes_like_bash() {
        assert_eq!(a("\\x72m"), "rm");
        assert_eq!(a("\\162\\155"), "rm");
        assert_eq!(a("it\\'s"), "it's");
        assert_eq!(a("\\u0072m"), "rm");
        assert_eq!(a("a\\tb"), "a\tb");
        assert_eq!(a("r\\x00m"), "r");
        assert_eq!(a("\\cA"), "\x01");
        assert_eq!(a("\\q"), "\\q");
    }
}
