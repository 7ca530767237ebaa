//! Matches and unknowns → one decision. The strictest wins: `allow < warn < confirm < deny`.

use serde::Serialize;

use crate::parse::{Script, UnknownKind};
use crate::rules::{RuleSet, Severity};

/// What to do with a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Run it.
    Allow,
    /// Run it, with a warning.
    Warn,
    /// Run it only after a human types a confirmation.
    Confirm,
    /// Refuse it.
    Deny,
}

impl From<Severity> for Decision {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Warn => Decision::Warn,
            Severity::Confirm => Decision::Confirm,
            Severity::Deny => Decision::Deny,
        }
    }
}

/// A rule that matched one command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Match {
    /// The rule's id.
    pub rule: String,
    /// Its severity.
    pub severity: Decision,
    /// The command it matched, as written.
    pub command: String,
    /// What it destroys.
    pub message: String,
    /// The safer path.
    pub suggestion: String,
}

/// Something that could not be known, and what it weighs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownFinding {
    /// The kind of unknown.
    pub kind: UnknownKind,
    /// The text concerned.
    pub text: String,
    /// What it weighs in the decision.
    pub severity: Decision,
}

/// The decision on a line, with everything that led to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The strictest of all findings; `allow` when there are none.
    pub decision: Decision,
    /// Rules that matched.
    pub matches: Vec<Match>,
    /// Things that could not be known.
    pub unknown: Vec<UnknownFinding>,
}

/// Variables that name the user's own tools: running them is not hiding a program.
const PREFERENCE_VARS: &[&str] = &[
    "$EDITOR",
    "${EDITOR}",
    "$VISUAL",
    "${VISUAL}",
    "$PAGER",
    "${PAGER}",
    "$BROWSER",
    "$GIT_EDITOR",
    "$MANPAGER",
];

/// What an unknown weighs. Anything that could hide a destructive command is at least
/// `confirm`; a line that cannot be checked at all is refused.
fn weigh(kind: UnknownKind, text: &str) -> Decision {
    match kind {
        _ if kind.is_fatal() => Decision::Deny,
        UnknownKind::DynamicProgram
            if PREFERENCE_VARS.iter().any(|v| {
                text.strip_prefix(v)
                    .is_some_and(|r| r.is_empty() || r.starts_with(' '))
            }) =>
        {
            Decision::Warn
        }
        _ => Decision::Confirm,
    }
}

/// Decide on an analysed line.
pub fn decide(script: &Script, rules: &RuleSet) -> Verdict {
    let mut matches = Vec::new();
    let mut guessed: Vec<UnknownFinding> = Vec::new();
    let env = crate::rules::script_env(script);
    for cmd in &script.commands {
        let found = rules.matching_all_env(cmd, script, &env);
        for rule in found.through_dynamic {
            // `railway volume $verb pg-data` may be `railway volume delete`: at least a
            // confirmation, never more than the rule itself asks.
            let finding = UnknownFinding {
                kind: UnknownKind::DynamicSubcommand,
                text: format!(
                    "`{}` could be {} (`{}`): a word is only known when the line runs",
                    cmd.source, rule.id, rule.message
                ),
                severity: Decision::from(rule.severity).min(Decision::Confirm),
            };
            if !guessed.contains(&finding) {
                guessed.push(finding);
            }
        }
        for rule in found.exact {
            let m = Match {
                rule: rule.id.clone(),
                severity: rule.severity.into(),
                command: cmd.source.clone(),
                message: rule.message.clone(),
                suggestion: rule.suggestion.clone(),
            };
            // The same rule on the same text (a command seen through two wrappers) once.
            if !matches.contains(&m) {
                matches.push(m);
            }
        }
    }
    let mut unknown: Vec<UnknownFinding> = script
        .unknowns
        .iter()
        .map(|u| UnknownFinding {
            kind: u.kind,
            text: u.text.clone(),
            severity: weigh(u.kind, &u.text),
        })
        .collect();
    unknown.extend(guessed);
    let decision = matches
        .iter()
        .map(|m| m.severity)
        .chain(unknown.iter().map(|u| u.severity))
        .max()
        .unwrap_or(Decision::Allow);
    Verdict {
        decision,
        matches,
        unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictest_wins() {
        assert!(Decision::Allow < Decision::Warn);
        assert!(Decision::Warn < Decision::Confirm);
        assert!(Decision::Confirm < Decision::Deny);
    }

    #[test]
    fn unknowns_weigh() {
        assert_eq!(weigh(UnknownKind::ParseError, "x"), Decision::Deny);
        assert_eq!(
            weigh(UnknownKind::DynamicProgram, "$a -rf /"),
            Decision::Confirm
        );
        assert_eq!(
            weigh(UnknownKind::DynamicProgram, "$EDITOR notes.md"),
            Decision::Warn
        );
        assert_eq!(
            weigh(UnknownKind::DynamicProgram, "$EDITORX x"),
            Decision::Confirm
        );
        assert_eq!(
            weigh(UnknownKind::HiddenScript, "curl x | sh"),
            Decision::Confirm
        );
    }
}
