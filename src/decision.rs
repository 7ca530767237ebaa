//! Matches and unknowns → one decision. The strictest wins: `allow < warn < confirm < deny`.

use serde::Serialize;

use crate::effects::CommandEffects;
use crate::environment::{Context, Target};
use crate::parse::{Script, UnknownKind};
use crate::payload::readings::Readings;
use crate::rules::insure::Insure;
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
            Severity::Note => Decision::Allow,
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
    /// The protected environment the command acts on, when that made the match stricter
    /// or made it count at all (`production (flag --environment)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
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
    /// The environments the matched commands act on, and how guardsh knows.
    pub environments: Vec<Target>,
    /// The backups guardsh takes before the line runs, once a person confirmed it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backups: Vec<Insure>,
    /// What the commands do, as the generic readers saw it (see [`crate::effects`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<CommandEffects>,
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

/// One step stricter, for a command that acts on a protected environment: what needed a
/// person elsewhere is refused there, and a warning needs a person.
fn stricter(d: Decision) -> Decision {
    match d {
        Decision::Allow => Decision::Allow,
        Decision::Warn => Decision::Confirm,
        Decision::Confirm | Decision::Deny => Decision::Deny,
    }
}

/// The rules of `rules` that match `cmd` (one of `readings`' script), with the environment
/// it acts on read from its flags, the line's variables and, as `ctx` allows, the CLIs'
/// state: the environment reading the rules leave to their caller.
pub fn matching<'r>(
    rules: &'r RuleSet,
    cmd: &crate::parse::Command,
    readings: &Readings<'_>,
    env: &[(String, String)],
    ctx: &Context,
) -> crate::rules::Matching<'r, Target> {
    rules.matching_all_env(cmd, readings, env, |program, spec| {
        crate::environment::infer(cmd, program, spec, env, ctx).map(|t| {
            let protected = t.protected;
            (t, protected)
        })
    })
}

/// Decide on an analysed line, from the line alone (flags and the variables it sets).
pub fn decide(script: &Script, rules: &RuleSet) -> Verdict {
    decide_in(script, rules, Context::line_only())
}

/// Decide on an analysed line in `ctx`: with the process's variables and the CLIs' state
/// when it says so, and the config's protected names.
pub fn decide_in(script: &Script, rules: &RuleSet, ctx: &Context) -> Verdict {
    on_sql_stack(script, || decide_with(&Readings::new(script), rules, ctx))
}

/// [`decide_in`] with the line's payloads already being read (the rule loader read some):
/// each command's SQL and HTTP request is read once, whoever asks first. Call it where
/// SQL may be classified (see [`on_sql_stack`]).
pub fn decide_with(readings: &Readings<'_>, rules: &RuleSet, ctx: &Context) -> Verdict {
    decide_here(readings, rules, ctx)
}

/// Run `f`, work on `script` that classifies the SQL of its database clients (loading the
/// rules for it, deciding on it), where that classification needs no thread per command:
/// see [`crate::payload::sql::with_stack_for_sql`]. Nested calls cost nothing.
pub fn on_sql_stack<T: Send>(script: &Script, f: impl FnOnce() -> T + Send) -> T {
    crate::payload::sql::on_stack_for(script, f)
}

fn decide_here(readings: &Readings<'_>, rules: &RuleSet, ctx: &Context) -> Verdict {
    let script = readings.script();
    let mut matches = Vec::new();
    let mut guessed: Vec<UnknownFinding> = Vec::new();
    let mut environments: Vec<Target> = Vec::new();
    let mut backups: Vec<Insure> = Vec::new();
    let mut effects: Vec<CommandEffects> = Vec::new();
    let mut same_work: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let env = crate::rules::script_env(script);
    let mut moves = crate::rules::insure::Moves::default();
    for (index, cmd) in script.commands.iter().enumerate() {
        let mut found = matching(rules, cmd, readings, &env, ctx);
        let mut needs = std::mem::take(&mut found.insure);
        if let Some(own) = crate::rules::insure::redirects(cmd, &env)
            && !needs.iter().any(|n| n.covers(&own))
        {
            needs.push(own);
        }
        for mut need in needs {
            need.cd.clone_from(&moves.steps);
            need.cd_unknown = moves.unknown;
            // Keyed, so that a long script's thousands of redirections stay linear.
            let key = need.work_key();
            match same_work.get(&key).and_then(|&k| backups.get_mut(k)) {
                Some(b) => {
                    if !b.serves(&need.rule) {
                        b.also.push(need.rule);
                    }
                }
                None => {
                    same_work.insert(key, backups.len());
                    backups.push(need);
                }
            }
        }
        moves.after(cmd);
        let protected = found.target.as_ref().filter(|t| t.protected);
        let in_env = protected.map(|t| format!("{} ({})", t.name, t.source));
        if let Some(t) = found.target.clone()
            && !environments.contains(&t)
        {
            environments.push(t);
        }
        let pack_matched = found.exact.iter().any(|r| r.severity != Severity::Note)
            || !found.through_dynamic.is_empty();
        let judged = crate::effects::judge(readings, index, &env, pack_matched);
        if !judged.is_empty() {
            effects.push(CommandEffects {
                command: cmd.source.clone(),
                effects: judged.iter().map(|j| j.effect.clone()).collect(),
            });
        }
        for j in judged {
            let base = Decision::from(j.severity);
            let m = Match {
                rule: j.id.to_owned(),
                severity: if protected.is_some() {
                    stricter(base)
                } else {
                    base
                },
                command: cmd.source.clone(),
                message: j.message,
                suggestion: j.suggestion,
                environment: in_env.clone(),
            };
            if !matches.contains(&m) {
                matches.push(m);
            }
        }
        // A note decides nothing: what it records is in `backups` already.
        found.exact.retain(|r| r.severity != Severity::Note);
        found
            .through_dynamic
            .retain(|r| r.severity != Severity::Note);
        for rule in found.through_dynamic {
            // `railway volume $verb pg-data` may be `railway volume delete`: at least a
            // confirmation, never more than the rule itself asks.
            let finding = UnknownFinding {
                kind: UnknownKind::DynamicSubcommand,
                text: format!(
                    "`{}` could be {} (`{}`): a word is only known when the line runs",
                    cmd.source, rule.id, rule.message
                ),
                severity: {
                    let d = Decision::from(rule.severity).min(Decision::Confirm);
                    if protected.is_some() && !rule.production {
                        stricter(d)
                    } else {
                        d
                    }
                },
            };
            if !guessed.contains(&finding) {
                guessed.push(finding);
            }
        }
        for rule in found.exact {
            let base = Decision::from(rule.severity);
            // A production-only rule already is the production severity.
            let severity = if protected.is_some() && !rule.production {
                stricter(base)
            } else {
                base
            };
            let m = Match {
                rule: rule.id.clone(),
                severity,
                command: cmd.source.clone(),
                message: rule.message.clone(),
                suggestion: rule.suggestion.clone(),
                environment: in_env.clone(),
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
        environments,
        backups,
        effects,
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
