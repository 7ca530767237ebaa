//! Shell-style glob matching for rule conditions (`*.db`, `/dev/sd*`, `+*`).
//!
//! `*` matches any run of characters, `/` included: a rule glob describes text, not a walk
//! of the file system. `{a,b}` lists alternatives (nested allowed), so one glob can name
//! `dist`, `./dist` and `dist/`: `{,./}dist{,/}`.

/// At most this many alternatives are tried for one glob; braces beyond are literal text.
const MAX_ALTERNATIVES: usize = 4096;

/// Does `text` match `pattern`? `*`, `?`, `[abc]`/`[a-z]`/`[!x]` and `{a,b}` are special.
/// A brace group without a comma at its own level (`{}`, `{x}`) is literal.
pub fn matches(pattern: &str, text: &str) -> bool {
    if !pattern.contains('{') {
        return matches_plain(pattern, text);
    }
    let t: Vec<char> = text.chars().collect();
    with_alternatives(pattern, |alternatives| {
        alternatives.iter().any(|p| matches_chars(p, &t))
    })
}

/// At most this many patterns keep their expansion cached (packs have a few hundred).
const MAX_CACHED: usize = 4096;

std::thread_local! {
    /// Brace expansions of the patterns seen so far: a pack's glob such as
    /// `{,./,*/}{node_modules,dist,…}{,/,/*}` stands for hundreds of plain patterns, and
    /// expanding it again for every command made a script of `rm -rf build` lines cost
    /// 0.2 ms a line.
    static EXPANDED: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<Vec<Vec<char>>>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn with_alternatives<R>(pattern: &str, f: impl FnOnce(&[Vec<char>]) -> R) -> R {
    let cached = EXPANDED.with(|c| c.borrow().get(pattern).cloned());
    let alternatives = cached.unwrap_or_else(|| {
        let mut plain = Vec::new();
        expand(pattern, &mut plain);
        let chars: std::rc::Rc<Vec<Vec<char>>> =
            std::rc::Rc::new(plain.iter().map(|p| p.chars().collect()).collect());
        EXPANDED.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() < MAX_CACHED {
                c.insert(pattern.to_owned(), chars.clone());
            }
        });
        chars
    });
    f(&alternatives)
}

/// The plain patterns `pattern`'s brace groups stand for, appended to `out`.
fn expand(pattern: &str, out: &mut Vec<String>) {
    if out.len() >= MAX_ALTERNATIVES {
        return;
    }
    let Some((open, close, commas)) = first_group(pattern) else {
        out.push(pattern.to_string());
        return;
    };
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    let mut start = open + 1;
    for end in commas.into_iter().chain([close]) {
        expand(&format!("{head}{}{tail}", &pattern[start..end]), out);
        start = end + 1;
    }
}

/// The first brace group with a comma at its own level: (index of `{`, index of `}`, indices
/// of its top-level commas).
fn first_group(p: &str) -> Option<(usize, usize, Vec<usize>)> {
    let bytes = p.as_bytes();
    for (open, _) in p.match_indices('{') {
        let mut depth = 0usize;
        let mut commas = Vec::new();
        for (i, &b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        if !commas.is_empty() {
                            return Some((open, i, commas));
                        }
                        break;
                    }
                }
                b',' if depth == 1 => commas.push(i),
                _ => {}
            }
        }
    }
    None
}

/// `matches` without brace groups.
fn matches_plain(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    matches_chars(&p, &t)
}

/// [`matches_plain`] on characters.
fn matches_chars(p: &[char], t: &[char]) -> bool {
    // Iterative matcher with one backtrack point for the last `*`: linear in practice,
    // never exponential.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                '[' => {
                    if let Some((ok, next)) = class(p, pi, t[ti])
                        && ok
                    {
                        pi = next;
                        ti += 1;
                        continue;
                    }
                }
                c if c == t[ti] => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Match `c` against the bracket expression at `p[start]`; returns (matched, index after `]`).
fn class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some('!') | Some('^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs() {
        assert!(matches("*.db", "data/app.db"));
        assert!(!matches("*.db", "app.dbx"));
        assert!(matches("/dev/sd*", "/dev/sda1"));
        assert!(matches("+*", "+HEAD:main"));
        assert!(matches("?", "x"));
        assert!(matches("[abc]x", "bx"));
        assert!(!matches("[!abc]x", "bx"));
        assert!(matches("/dev/nvme[0-9]*", "/dev/nvme0n1"));
        assert!(matches("*", ""));
        assert!(!matches("a", ""));
        assert!(matches("a*b*c", "aXbYc"));
        assert!(!matches("a*b*c", "aXbY"));
    }

    #[test]
    fn braces() {
        let cases: &[(&str, &str, bool)] = &[
            ("{,./}dist{,/}", "dist", true),
            ("{,./}dist{,/}", "./dist/", true),
            ("{,./}dist{,/}", "dist/x", false),
            ("*.{db,sqlite*}", "app.sqlite3", true),
            ("*.{db,sqlite*}", "app.sql", false),
            ("{a,{b,c}d}", "cd", true),
            ("{a,{b,c}d}", "c", false),
            ("{}", "{}", true),
            ("x{y}", "x{y}", true),
            ("{a,b", "{a,b", true),
            ("[!{]{a,b}", "xb", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(matches(p, t), *want, "{p} vs {t}");
        }
    }

    #[test]
    fn brace_blowup_is_bounded() {
        let p = "{a,b}".repeat(20);
        // 2^20 alternatives are not all tried; the call returns.
        let _ = matches(&p, "zzz");
    }
}
