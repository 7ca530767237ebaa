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
                // bash: `\c?` is DEL; any other character keeps its low five bits.
                Some('?') => Some('\u{7f}'),
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

/// Brace expansion of a word's raw source, as bash does it before anything else:
/// `/{etc,usr}` → `/etc`, `/usr`; `f{1..3}` → `f1`, `f2`, `f3`. Quoted and escaped braces
/// stay as they are. Returns `None` when there is nothing to expand or the result would be
/// larger than `max` words (the caller then keeps the word, marked, and rules judge it
/// pessimistically).
pub fn expand_braces(raw: &str, max: usize) -> Option<Vec<String>> {
    let mut done = Vec::new();
    let mut todo = vec![raw.to_string()];
    let mut expanded_any = false;
    while let Some(w) = todo.pop() {
        match split_first_brace(&w) {
            Some((prefix, alts, suffix)) => {
                expanded_any = true;
                for alt in alts.into_iter().rev() {
                    todo.push(format!("{prefix}{alt}{suffix}"));
                }
            }
            None => done.push(w),
        }
        if done.len() + todo.len() > max {
            return None;
        }
    }
    expanded_any.then_some(done)
}

/// Find the first expandable, unquoted brace group: (text before, alternatives, text after).
fn split_first_brace(w: &str) -> Option<(String, Vec<String>, String)> {
    let b = w.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' && q == b'"' {
                    i += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'\\' => {
                    i += 2;
                    continue;
                }
                b'\'' | b'"' => quote = Some(c),
                b'{' if i == 0 || b[i - 1] != b'$' => {
                    if let Some((end, alts)) = brace_group(w, i) {
                        return Some((w[..i].to_string(), alts, w[end + 1..].to_string()));
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// The alternatives of the brace group opening at `open`, and the index of its `}`.
fn brace_group(w: &str, open: usize) -> Option<(usize, Vec<String>)> {
    let b = w.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut parts = Vec::new();
    let mut start = open + 1;
    let mut i = open;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' && q == b'"' {
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'\\' => {
                i += 2;
                continue;
            }
            b'\'' | b'"' => quote = Some(c),
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    let inner = &w[open + 1..i];
                    if parts.is_empty() {
                        return sequence(inner).map(|alts| (i, alts));
                    }
                    parts.push(w[start..i].to_string());
                    return Some((i, parts));
                }
            }
            b',' if depth == 1 => {
                parts.push(w[start..i].to_string());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `{a..e}`, `{1..10}`, `{10..1..2}`: the sequence, or `None` when it is not one.
fn sequence(inner: &str) -> Option<Vec<String>> {
    let fields: Vec<&str> = inner.split("..").collect();
    if !(2..=3).contains(&fields.len()) {
        return None;
    }
    let step: i64 = match fields.get(2) {
        Some(s) => s.parse::<i64>().ok()?.checked_abs()?.max(1),
        None => 1,
    };
    let seq = |a: i64, z: i64| -> Option<Vec<i64>> {
        let n = (a - z).checked_abs()? / step + 1;
        if n > 4096 {
            return None;
        }
        let dir = if z >= a { step } else { -step };
        Some((0..n).map(|k| a + k * dir).collect())
    };
    if let (Ok(a), Ok(z)) = (fields[0].parse::<i64>(), fields[1].parse::<i64>()) {
        return Some(seq(a, z)?.into_iter().map(|v| v.to_string()).collect());
    }
    let (a, z) = (single_char(fields[0])?, single_char(fields[1])?);
    Some(
        seq(a as i64, z as i64)?
            .into_iter()
            .filter_map(|v| char::from_u32(v as u32).map(String::from))
            .collect(),
    )
}

fn single_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    let c = it.next()?;
    (it.next().is_none() && c.is_ascii_alphabetic()).then_some(c)
}

#[cfg(test)]
mod brace_tests {
    use super::expand_braces;

    #[test]
    fn expands_like_bash() {
        assert_eq!(
            expand_braces("/{etc,usr}", 64),
            Some(vec!["/etc".to_string(), "/usr".to_string()])
        );
        assert_eq!(
            expand_braces("{rm,-rf,/}", 64),
            Some(vec!["rm".into(), "-rf".into(), "/".into()])
        );
        assert_eq!(
            expand_braces("f{1..3}", 64),
            Some(vec!["f1".into(), "f2".into(), "f3".into()])
        );
        assert_eq!(
            expand_braces("{a,b}{c,d}", 64),
            Some(vec!["ac".into(), "ad".into(), "bc".into(), "bd".into()])
        );
        assert_eq!(expand_braces("'{a,b}'", 64), None);
        assert_eq!(expand_braces("{x}", 64), None);
        assert_eq!(expand_braces("${a,b}", 64), None);
        assert_eq!(expand_braces("{1..100000}", 64), None);
        assert_eq!(
            expand_braces("{a,{b,c}}", 64),
            Some(vec!["a".into(), "b".into(), "c".into()])
        );
    }
}
