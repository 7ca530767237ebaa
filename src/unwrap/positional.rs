//! `$0 $1 … "$@"` in text run by `bash -c TEXT ARGS…` (or `bash FILE ARGS…`), replaced by
//! the arguments when they are known. This is what reads Codex's wrapper
//! `bash -c '. "$1" && shift && exec "$@"' codex-shell-snapshot SNAP bash -lc CMD` as
//! `. SNAP` then `exec bash -lc CMD`.

use crate::parse::{Command, Place, Script, UnknownKind, Word};

/// Codex's snapshot wrapper, the one shape in which `shift` is followed.
const CODEX: &str = r#". "$1" && shift && exec "$@""#;

/// Replace whole-word positional expansions in `script` by `args` (`args[0]` is `$0`).
///
/// Nothing is replaced when the text changes the positional parameters in a way that is
/// not followed (`shift`, `set -- …`), inside function bodies (they have their own), or
/// when an unquoted expansion would be split differently from what the words show.
pub(super) fn substitute(script: &mut Script, args: &[Word], text: &str, prefix: usize) {
    let codex = text.trim() == CODEX;
    if !codex && script.commands.iter().any(changes_positionals) {
        return;
    }
    let mut shift = 0usize;
    let mut fixed: Vec<(String, Vec<Place>)> = Vec::new();
    for c in &mut script.commands {
        let in_function = c
            .places
            .get(prefix..)
            .is_some_and(|p| p.iter().any(|p| matches!(p, Place::Function { .. })));
        if in_function {
            continue;
        }
        if codex && c.program() == Some("shift") {
            shift = 1;
            continue;
        }
        let was_unknown = c.argv.first().is_some_and(|w| !w.is_literal());
        let old = std::mem::take(&mut c.argv);
        for w in old {
            match expand(&w, args, shift, &c.source) {
                Some(values) => c.argv.extend(values),
                None => match expand_inside(&w, args, shift, &c.source) {
                    Some(word) => c.argv.push(word),
                    None => c.argv.push(w),
                },
            }
        }
        let now_known = c.argv.first().is_some_and(Word::is_literal);
        if was_unknown && now_known {
            fixed.push((c.source.clone(), c.places.clone()));
        }
    }
    for (source, places) in fixed {
        if let Some(pos) = script.unknowns.iter().position(|u| {
            matches!(
                u.kind,
                UnknownKind::DynamicProgram | UnknownKind::BraceProgram
            ) && u.text == source
                && u.places == places
        }) {
            script.unknowns.remove(pos);
        }
    }
}

/// `shift`, or `set` with operands (`set -- a b`), anywhere in the text.
fn changes_positionals(c: &Command) -> bool {
    match c.program() {
        Some("shift") => true,
        Some("set") => {
            let mut words = c.argv.iter().skip(1);
            while let Some(w) = words.next() {
                let t = w.text.as_str();
                if t == "-o" || t == "+o" {
                    words.next();
                } else if t == "--" || t == "-" || !(t.starts_with('-') || t.starts_with('+')) {
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}

/// The words a whole-word positional expansion stands for, or `None` to keep it unknown.
fn expand(w: &Word, args: &[Word], shift: usize, source: &str) -> Option<Vec<Word>> {
    if !w.dynamic {
        return None;
    }
    let t = w.text.as_str();
    let values: &[Word] = match t {
        "$@" | "${@}" => args.get(1 + shift..).unwrap_or(&[]),
        _ => {
            let digits = t
                .strip_prefix("${")
                .and_then(|s| s.strip_suffix('}'))
                .or_else(|| t.strip_prefix('$').filter(|d| d.len() == 1))?;
            let n: usize = digits.parse().ok()?;
            let index = if n == 0 { 0 } else { n.checked_add(shift)? };
            std::slice::from_ref(args.get(index)?)
        }
    };
    // Unquoted, an expansion is split and globbed; quoted, it is not. Where that makes a
    // difference, the source must show the expansion quoted every time it appears.
    let plain = values.iter().all(|v| {
        v.is_literal() && !v.text.is_empty() && !v.text.contains([' ', '\t', '\n', '*', '?', '['])
    });
    if !plain && !quoted_everywhere(source, t) {
        return None;
    }
    Some(values.to_vec())
}

/// A word with one positional expansion inside literal text (`"$1"/data`).
fn expand_inside(w: &Word, args: &[Word], shift: usize, source: &str) -> Option<Word> {
    let t = w.text.as_str();
    if !w.dynamic || t.matches('$').count() != 1 || t.contains('`') {
        return None;
    }
    let at = t.find('$')?;
    let rest = t.get(at + 1..)?;
    let (digits, len) = match rest.strip_prefix('{') {
        Some(r) => {
            let end = r.find('}')?;
            (r.get(..end)?, end + 2)
        }
        None => (rest.get(..1)?, 1),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: usize = digits.parse().ok()?;
    let index = if n == 0 { 0 } else { n.checked_add(shift)? };
    let value = args.get(index)?;
    let form = t.get(at..at + 1 + len)?;
    let plain = value.is_literal() && !value.text.contains([' ', '\t', '\n', '*', '?', '[']);
    if !plain && !quoted_everywhere(source, form) {
        return None;
    }
    Some(Word {
        text: format!("{}{}{}", t.get(..at)?, value.text, t.get(at + 1 + len..)?),
        dynamic: value.dynamic,
        glob: w.glob || value.glob,
        tilde: w.tilde,
        brace: w.brace || value.brace,
    })
}

/// Every occurrence of `form` in `source` is written `"form"`.
fn quoted_everywhere(source: &str, form: &str) -> bool {
    let total = occurrences(source, form);
    let quoted = occurrences(source, &format!("\"{form}\""));
    total > 0 && total == quoted
}

/// Occurrences of `form` not followed by another digit (`$1` is not in `$10`).
fn occurrences(source: &str, form: &str) -> usize {
    source
        .match_indices(form)
        .filter(|(i, m)| {
            let after = source.get(i + m.len()..).and_then(|s| s.chars().next());
            !(form.ends_with(|c: char| c.is_ascii_digit())
                && after.is_some_and(|c| c.is_ascii_digit()))
        })
        .count()
}
