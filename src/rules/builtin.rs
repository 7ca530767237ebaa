//! The built-in packs, checked and split by program at build time (see `build.rs`).
//!
//! A run deserialises only the rules of the programs its line names; `git status` never
//! pays for the Railway pack.

use std::collections::BTreeMap;

use super::{RuleError, RuleSet, raw};

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The built-in rules for these programs (duplicates and unknown names are fine).
pub fn for_programs<'a>(programs: impl IntoIterator<Item = &'a str>) -> Result<RuleSet, RuleError> {
    for_programs_with(programs, Vec::new())
}

/// The built-in rules for these programs, and every rule of `extra` (packs from the
/// configuration, each with the file that names it in errors).
pub fn for_programs_with<'a>(
    programs: impl IntoIterator<Item = &'a str>,
    extra: Vec<(raw::Pack, String)>,
) -> Result<RuleSet, RuleError> {
    let mut packs: BTreeMap<String, raw::Pack> = BTreeMap::new();
    let mut seen: Vec<&str> = Vec::new();
    for program in programs {
        if seen.contains(&program) {
            continue;
        }
        seen.push(program);
        let Ok(i) = BY_PROGRAM.binary_search_by(|(p, _)| (*p).cmp(program)) else {
            continue;
        };
        let Some((_, json)) = BY_PROGRAM.get(i) else {
            continue;
        };
        let blob: Vec<raw::Pack> = serde_json::from_str(json).map_err(|e| RuleError::Syntax {
            file: format!("built-in rules for {program}"),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        for pack in blob {
            let slot = packs.entry(pack.pack.clone()).or_insert_with(|| raw::Pack {
                pack: pack.pack.clone(),
                description: String::new(),
                programs: BTreeMap::new(),
                rules: Vec::new(),
            });
            slot.programs.extend(pack.programs);
            for rule in pack.rules {
                // A rule naming several programs is in each of their blobs.
                if !slot.rules.iter().any(|r| r.id == rule.id) {
                    slot.rules.push(rule);
                }
            }
        }
    }
    let builtin: Vec<(raw::Pack, String)> = packs
        .into_values()
        .map(|p| {
            let file = format!("built-in pack {}", p.pack);
            (p, file)
        })
        .collect();
    RuleSet::with_builtin(builtin, extra)
}

/// Every built-in rule, with its examples (for `guardsh test` and listings; not for the
/// hot path).
pub fn all() -> Result<RuleSet, RuleError> {
    let mut set = for_programs(BY_PROGRAM.iter().map(|(p, _)| *p))?;
    for rule in set.rules_mut() {
        let Ok(i) = EXAMPLES.binary_search_by(|(id, _)| (*id).cmp(rule.id.as_str())) else {
            continue;
        };
        if let Some((_, json)) = EXAMPLES.get(i) {
            rule.examples = serde_json::from_str(json).map_err(|e| RuleError::Syntax {
                file: format!("built-in examples of {}", rule.id),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        }
    }
    Ok(set)
}

/// The programs (and program aliases) the built-in packs have rules for.
pub fn programs() -> impl Iterator<Item = &'static str> {
    BY_PROGRAM.iter().map(|(p, _)| *p)
}

/// The names of the built-in packs.
pub fn pack_names() -> &'static [&'static str] {
    PACKS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_only_what_is_asked() {
        let none = for_programs(["ls"]).expect("loads");
        assert!(none.rules().is_empty());
        let git = for_programs(["git", "git"]).expect("loads");
        assert!(!git.rules().is_empty());
        assert!(
            git.rules()
                .iter()
                .all(|r| r.programs().iter().any(|p| p == "git"))
        );
    }

    #[test]
    fn aliases_reach_every_pack() {
        // python3.12 is declared an alias of python3 in some packs only; every pack with
        // python3 rules must still be reached through it.
        let via_alias = for_programs(["python3.12"]).expect("loads");
        let direct = for_programs(["python3"]).expect("loads");
        let packs = |s: &RuleSet| {
            let mut p: Vec<String> = s.rules().iter().map(|r| r.pack.clone()).collect();
            p.sort();
            p.dedup();
            p
        };
        assert!(packs(&direct).len() >= 2, "{:?}", packs(&direct));
        assert_eq!(packs(&via_alias), packs(&direct));
    }

    #[test]
    fn everything_loads() {
        let all = all().expect("built-in packs compile");
        assert!(all.rules().len() >= git_rule_count());
    }

    fn git_rule_count() -> usize {
        for_programs(["git"]).map(|s| s.rules().len()).unwrap_or(0)
    }
}
