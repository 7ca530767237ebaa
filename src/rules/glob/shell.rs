//! What an operand the shell will expand can name. A rule glob describes text, but an
//! operand such as `/ho*` or `~/[.]aws` is itself a pattern that bash expands against the
//! file system a moment later: it is judged by the worst path it can name, not by its
//! spelling (`/ho*` is `/home`), and one that cannot name a protected path is judged as
//! before. The reasoning is on patterns, not on the disk, so it holds for paths that do
//! not exist yet and costs no directory reads.
//!
//! Read the way bash's filename expansion reads a pattern: no wildcard matches `/`, and a
//! leading `.` of a name must be matched explicitly (a `[…]` that lists `.` counts, read
//! pessimistically, as if `dotglob` might be set for it).

use std::ops::RangeInclusive;

/// Could bash's expansion of `pattern` name `path` itself (`below` containing 0), or a path
/// that many levels beneath it? `path` is literal; both are split on `/`.
pub fn could_name(pattern: &str, path: &str, below: RangeInclusive<usize>) -> bool {
    let (p_abs, p) = components(pattern);
    let (l_abs, l) = components(path);
    if p_abs != l_abs || p.len() < l.len() {
        return false;
    }
    below.contains(&(p.len() - l.len()))
        && p.iter().zip(&l).all(|(pc, lc)| component_matches(pc, lc))
}

/// [`could_name`], where each name of `path` is matched by a pattern name that holds some
/// literal character of its own: `*` alone can name any file, so taken at its worst it
/// would make `rm *` delete every file a rule names; `*.env`, `[.]aws` or `ho*` aim.
pub fn could_name_anchored(pattern: &str, path: &str, below: RangeInclusive<usize>) -> bool {
    could_name(pattern, path, below) && {
        let (_, p) = components(pattern);
        let (_, l) = components(path);
        p.iter().zip(&l).all(|(pc, lc)| pc == lc || has_literal(pc))
    }
}

fn has_literal(component: &str) -> bool {
    let mut in_set = false;
    component.chars().any(|c| match c {
        '[' => {
            in_set = true;
            false
        }
        ']' => {
            in_set = false;
            false
        }
        '*' | '?' => false,
        // A set that names characters aims as well as a literal does (`[.]aws`).
        _ => !in_set || (c != '!' && c != '^'),
    })
}

/// Could the last component of `pattern` be `name`?
pub fn could_end_in(pattern: &str, name: &str) -> bool {
    let (_, p) = components(pattern);
    p.last().is_some_and(|pc| component_matches(pc, name))
}

/// Does the pattern have a character bash expands in file names?
pub fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

fn components(path: &str) -> (bool, Vec<&str>) {
    let absolute = path.starts_with('/');
    let parts = path
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    (absolute, parts)
}

fn component_matches(pattern: &str, name: &str) -> bool {
    if pattern == name {
        return true;
    }
    if name.starts_with('.') && !explicit_dot(pattern) {
        return false;
    }
    // Within one component there is no `/` for `*` to cross; braces were the parser's.
    super::matches(&pattern.replace(['{', '}'], "?"), name)
}

fn explicit_dot(pattern: &str) -> bool {
    pattern.starts_with('.')
        || pattern
            .strip_prefix('[')
            .and_then(|rest| rest.split_once(']'))
            .is_some_and(|(set, _)| !set.starts_with(['!', '^']) && set.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_names_what_bash_would_expand_it_to() {
        assert!(could_name("/ho*", "/home", 0..=0));
        assert!(could_name("/[e]tc", "/etc", 0..=0));
        assert!(could_name("/e?c", "/etc", 0..=0));
        assert!(could_name("/u*/lib", "/usr", 1..=1));
        assert!(could_name("~/[.]aws", "~/.aws", 0..=0));
        assert!(could_name("/h*/*", "/home", 1..=1));
        // A wildcard does not cross `/`, nor match a leading dot.
        assert!(!could_name("/*", "/usr/lib", 0..=0));
        assert!(!could_name("~/*", "~/.ssh", 0..=0));
        assert!(!could_name("/tmp/x*", "/etc", 0..=0));
        assert!(
            !could_name("ho*", "/home", 0..=0),
            "relative is not absolute"
        );
        assert!(!could_name("~/[!.]ssh", "~/.ssh", 0..=0));
        assert!(could_end_in("sub/.gi?", ".git"));
        assert!(could_name_anchored("~/[.]aws", "~/.aws", 0..=0));
        assert!(!could_name_anchored("*", "data.db", 0..=0));
        assert!(!could_name_anchored("target/*", "target/x.db", 0..=0));
        assert!(could_name_anchored("*.db", "data.db", 0..=0));
        assert!(!could_end_in("sub/*", ".git"));
    }
}
