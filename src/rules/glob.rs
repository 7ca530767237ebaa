//! Shell-style glob matching for rule conditions (`*.db`, `/dev/sd*`, `+*`).
//!
//! `*` matches any run of characters, `/` included: a rule glob describes text, not a walk
//! of the file system. `{a,b}` lists alternatives (nested allowed), so one glob can name
//! `dist`, `./dist` and `dist/`: `{,./}dist{,/}`.

mod expand;
pub mod shell;

/// Could an operand `w` match the rule glob `pattern`, once the shell has expanded it?
/// Its text matching is one way; an operand with unquoted wildcards (`~/[.]aws`) also
/// matches when it can name one of the literal paths the rule glob stands for (`~/.aws`),
/// or a child of one that ends in `/*`. For conditions that make a rule apply, never for
/// exclusions (`not_glob`), where the pessimistic reading is the plain one.
pub fn operand_matches(pattern: &str, w: &crate::parse::Word) -> bool {
    if matches(pattern, &w.text) {
        return true;
    }
    if !w.glob || !shell::has_wildcard(&w.text) {
        return false;
    }
    let owned;
    let alternatives: &[&str] = match builtin_alternatives(pattern) {
        Some(a) => a,
        None => {
            owned = expand::expansions(pattern);
            return owned.iter().any(|alt| literal_names(alt, &w.text));
        }
    };
    alternatives.iter().any(|alt| literal_names(alt, &w.text))
}

/// Does the operand pattern `operand` name the rule alternative `alt`, when `alt` is a
/// literal path (or a literal directory followed by `/*`, its children)?
fn literal_names(alt: &str, operand: &str) -> bool {
    if let Some(dir) = alt.strip_suffix("/*")
        && !shell::has_wildcard(dir)
    {
        return shell::could_name_anchored(operand, dir, 0..=1);
    }
    !shell::has_wildcard(alt) && shell::could_name_anchored(operand, alt, 0..=0)
}

/// Does `text` match `pattern`? `*`, `?`, `[abc]`/`[a-z]`/`[!x]` and `{a,b}` are special.
/// A brace group without a comma at its own level (`{}`, `{x}`) is literal.
pub fn matches(pattern: &str, text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    if !pattern.contains('{') {
        return match_one(pattern, &t);
    }
    if let Some(alternatives) = builtin_alternatives(pattern) {
        return alternatives.iter().any(|p| match_one(p, &t));
    }
    with_alternatives(pattern, |alternatives| {
        alternatives.iter().any(|p| matches_chars(p, &t))
    })
}

/// The expansion of a built-in pack's pattern, made at build time by build.rs with
/// [`expand::expansions`]: a process then expands none of them (a line with `tee` meets a
/// dozen, of up to 72 alternatives each).
fn builtin_alternatives(pattern: &str) -> Option<&'static [&'static str]> {
    super::builtin::GLOB_EXPANSIONS.get(pattern).copied()
}

/// Match one plain pattern against `t`; patterns of ASCII text (nearly all) are read as
/// bytes, without collecting their characters first.
fn match_one(p: &str, t: &[char]) -> bool {
    if p.is_ascii() {
        matches_chars(p.as_bytes(), t)
    } else {
        matches_chars(&p.chars().collect::<Vec<char>>(), t)
    }
}

/// At most this many patterns keep their expansion cached (packs have a few hundred).
const MAX_CACHED: usize = 4096;

std::thread_local! {
    /// Brace expansions of the configuration's patterns seen so far: a glob such as
    /// `{,./,*/}{node_modules,dist,…}{,/,/*}` stands for hundreds of plain patterns, and
    /// expanding it again for every command made a script of `rm -rf build` lines cost
    /// 0.2 ms a line.
    static EXPANDED: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<Vec<Vec<char>>>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn with_alternatives<R>(pattern: &str, f: impl FnOnce(&[Vec<char>]) -> R) -> R {
    let cached = EXPANDED.with(|c| c.borrow().get(pattern).cloned());
    let alternatives = cached.unwrap_or_else(|| {
        let chars: std::rc::Rc<Vec<Vec<char>>> = std::rc::Rc::new(
            expand::expansions(pattern)
                .iter()
                .map(|p| p.chars().collect())
                .collect(),
        );
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

/// One plain pattern (no brace groups) against `t`, pattern and text as characters.
fn matches_chars<P: Copy + Into<char>>(p: &[P], t: &[char]) -> bool {
    // Iterative matcher with one backtrack point for the last `*`: linear in practice,
    // never exponential.
    let at = |i: usize| -> char { p[i].into() };
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match at(pi) {
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
    p[pi..].iter().all(|&c| c.into() == '*')
}

/// Match `c` against the bracket expression at `p[start]`; returns (matched, index after `]`).
fn class<P: Copy + Into<char>>(p: &[P], start: usize, c: char) -> Option<(bool, usize)> {
    let at = |i: usize| -> char { p[i].into() };
    let mut i = start + 1;
    let negate = matches!(p.get(i).map(|&c| c.into()), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if at(i) == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && at(i + 1) == '-' && at(i + 2) != ']' {
            if at(i) <= c && c <= at(i + 2) {
                matched = true;
            }
            i += 3;
        } else {
            if at(i) == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::expand::expansions;
    use super::matches;

    /// The built-in table (expanded at build time, matched as bytes) answers as a run's own
    /// expansion (matched as characters) would, on texts that hit and miss its patterns.
    #[test]
    fn the_build_time_table_answers_as_a_runtime_expansion() {
        let table = &crate::rules::builtin::GLOB_EXPANSIONS;
        assert!(
            table.len() > 100,
            "only {} patterns in the table",
            table.len()
        );
        let mut hits = 0;
        for (pattern, alternatives) in table.iter() {
            assert_eq!(&expansions(pattern), alternatives, "{pattern}");
            let texts = alternatives
                .iter()
                .take(3)
                .map(|a| a.replace('*', "x").replace('?', "y"))
                .chain(["push.log", "", "/etc/passwd", "./dist/", "ünïcode"].map(String::from));
            for text in texts {
                let t: Vec<char> = text.chars().collect();
                let by_table = super::builtin_alternatives(pattern)
                    .is_some_and(|alts| alts.iter().any(|p| super::match_one(p, &t)));
                let by_run = super::with_alternatives(pattern, |alts| {
                    alts.iter().any(|p| super::matches_chars(p, &t))
                });
                assert_eq!(by_table, by_run, "{pattern} vs {text:?}");
                hits += usize::from(by_table);
            }
        }
        assert!(
            hits > 100,
            "only {hits} matches: the texts do not reach the patterns"
        );
    }

    #[test]
    fn nested_and_literal_groups_expand_in_order() {
        let got = expansions("{a{1,2},b}x{y}{,/}");
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
