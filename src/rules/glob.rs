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
        let chars: std::rc::Rc<Vec<Vec<char>>> = std::rc::Rc::new(alternatives(pattern));
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

/// The plain patterns `pattern` stands for, as characters, in [`expand`]'s order.
///
/// guardsh lives for one command, so each pattern is expanded once per process and that
/// first expansion is what counts: a line that writes with `tee` meets a dozen patterns
/// of tens of alternatives. [`expand`] splices each alternative into the pattern and scans
/// the result again, which cost about 27,000 instructions a pattern; reading the groups
/// once and multiplying them out costs a fraction. Patterns whose expansion would pass
/// [`MAX_ALTERNATIVES`] (where `expand` stops part-way) are left to `expand`, so the
/// answer is the same; a test compares the two on every short pattern.
fn alternatives(pattern: &str) -> Vec<Vec<char>> {
    let p: Vec<char> = pattern.chars().collect();
    let seq = pieces(&p);
    if count(&seq) <= MAX_ALTERNATIVES {
        let mut out = vec![Vec::new()];
        multiply(&seq, &mut out);
        return out;
    }
    let mut plain = Vec::new();
    expand(pattern, &mut plain);
    plain.iter().map(|p| p.chars().collect()).collect()
}

/// A pattern read once: literal text, and brace groups with their alternatives.
enum Piece {
    Text(Vec<char>),
    Group(Vec<Vec<Piece>>),
}

/// `p` as pieces. A `{` that never closes, or whose group has no comma at its own level,
/// is literal text, and reading goes on inside it, as [`first_group`] does.
fn pieces(p: &[char]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = Vec::new();
    let mut i = 0;
    while i < p.len() {
        if p[i] == '{'
            && let Some((close, commas)) = group_at(p, i)
            && !commas.is_empty()
        {
            if !text.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut text)));
            }
            let mut alts = Vec::new();
            let mut start = i + 1;
            for end in commas.into_iter().chain([close]) {
                alts.push(pieces(&p[start..end]));
                start = end + 1;
            }
            out.push(Piece::Group(alts));
            i = close + 1;
            continue;
        }
        text.push(p[i]);
        i += 1;
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// The group opening at `p[open]`: the index of its `}` and of its top-level commas.
fn group_at(p: &[char], open: usize) -> Option<(usize, Vec<usize>)> {
    let mut depth = 0usize;
    let mut commas = Vec::new();
    for (i, &c) in p.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((i, commas));
                }
            }
            ',' if depth == 1 => commas.push(i),
            _ => {}
        }
    }
    None
}

/// How many plain patterns `seq` stands for, saturating.
fn count(seq: &[Piece]) -> usize {
    seq.iter().fold(1usize, |n, piece| match piece {
        Piece::Text(_) => n,
        Piece::Group(alts) => {
            n.saturating_mul(alts.iter().fold(0usize, |m, a| m.saturating_add(count(a))))
        }
    })
}

/// Extend every prefix in `out` by each expansion of `seq`, earlier groups varying
/// slowest (the order of [`expand`]).
fn multiply(seq: &[Piece], out: &mut Vec<Vec<char>>) {
    for piece in seq {
        match piece {
            Piece::Text(t) => {
                for o in out.iter_mut() {
                    o.extend_from_slice(t);
                }
            }
            Piece::Group(alts) => {
                let mut tails = Vec::new();
                for alt in alts {
                    let mut expanded = vec![Vec::new()];
                    multiply(alt, &mut expanded);
                    tails.extend(expanded);
                }
                let prefixes = std::mem::take(out);
                for prefix in &prefixes {
                    for tail in &tails {
                        let mut whole = Vec::with_capacity(prefix.len() + tail.len());
                        whole.extend_from_slice(prefix);
                        whole.extend_from_slice(tail);
                        out.push(whole);
                    }
                }
            }
        }
    }
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
    use super::{alternatives, expand, matches};

    /// Every pattern of up to eight characters over braces, commas, a letter and `*` gives
    /// the same plain patterns, in the same order, whether multiplied out or spliced.
    #[test]
    fn multiplying_out_agrees_with_splicing() {
        const ALPHABET: [char; 5] = ['{', '}', ',', 'a', '*'];
        let mut checked = 0;
        for len in 0..=8u32 {
            for mut code in 0..ALPHABET.len().pow(len) {
                let mut p = String::new();
                for _ in 0..len {
                    p.push(ALPHABET[code % ALPHABET.len()]);
                    code /= ALPHABET.len();
                }
                let mut spliced = Vec::new();
                expand(&p, &mut spliced);
                let spliced: Vec<Vec<char>> = spliced.iter().map(|s| s.chars().collect()).collect();
                assert_eq!(alternatives(&p), spliced, "pattern {p:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, (0..=8).map(|n| 5usize.pow(n)).sum::<usize>());
    }

    #[test]
    fn nested_and_literal_groups_expand_in_order() {
        let got: Vec<String> = alternatives("{a{1,2},b}x{y}{,/}")
            .iter()
            .map(|c| c.iter().collect())
            .collect();
        assert_eq!(
            got,
            ["a1x{y}", "a1x{y}/", "a2x{y}", "a2x{y}/", "bx{y}", "bx{y}/"]
        );
    }

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
