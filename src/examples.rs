//! Running a pack's examples: every `block` line must be matched by its rule, every
//! `allow` line must not be. The test suite runs the built-in packs' examples; `guardsh
//! test` runs a user's. A rule is matched as the decision matches it, the environment
//! read from the line (so a production-only rule's examples name production).

use crate::environment::Context;
use crate::parse::Limits;
use crate::payload::readings::Readings;
use crate::rules::{RuleSet, script_env};

/// An example that does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The rule whose example failed.
    pub rule: String,
    /// The example line.
    pub line: String,
    /// `true` for a `block` example that was not matched, `false` for an `allow` example
    /// that was.
    pub should_block: bool,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.should_block {
            "should block"
        } else {
            "should allow"
        };
        write!(f, "{}: {what}: {}", self.rule, self.line)
    }
}

/// What running the examples found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Examples run.
    pub checked: usize,
    /// Those that failed.
    pub failures: Vec<Failure>,
}

/// The ids of the rules of `set` that match some command of `line`.
pub fn matched_ids(set: &RuleSet, line: &str) -> Vec<String> {
    let script = crate::unwrap::analyze(line, &Limits::default());
    let readings = Readings::new(&script);
    let env = script_env(&script);
    script
        .commands
        .iter()
        .flat_map(|c| {
            crate::decision::matching(set, c, &readings, &env, Context::line_only()).exact
        })
        .map(|r| r.id.clone())
        .collect()
}

/// Run every example of every rule in `set`.
pub fn run(set: &RuleSet) -> Report {
    let mut report = Report::default();
    for rule in set.rules() {
        for (lines, should_block) in [(&rule.examples.block, true), (&rule.examples.allow, false)] {
            for line in lines {
                report.checked += 1;
                let matched = matched_ids(set, line).contains(&rule.id);
                if matched != should_block {
                    report.failures.push(Failure {
                        rule: rule.id.clone(),
                        line: line.clone(),
                        should_block,
                    });
                }
            }
        }
    }
    report
}
