//! `guardsh check`: decide on a line and say why, for a person or as JSON. Runs nothing.
//!
//! The JSON shape is the stable machine interface every mode shares; fields may be added,
//! never renamed or removed.

use std::io::{self, Read, Write};

use owo_colors::{OwoColorize as _, Style};

use crate::cli::CheckArgs;
use crate::decision::{Decision, Verdict, decide, on_sql_stack};
use crate::input;
use crate::parse::{Limits, Script};
use crate::rules::{RuleError, RuleSet, builtin};
use crate::term::escape;

/// Why `check` could not decide at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input could not be read.
    #[error(transparent)]
    Read(#[from] input::Error),
    /// A rule pack is broken.
    #[error(transparent)]
    Rules(#[from] RuleError),
    /// A configuration file is broken.
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    /// The output could not be written.
    #[error("cannot write the output: {0}")]
    Write(#[source] io::Error),
    /// The report could not be serialised.
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    /// The exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Rules(_) | Error::Config(_) => crate::exit::CONFIG,
            _ => crate::exit::FAILURE,
        }
    }

    /// The reader of our output went away: not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// The exit code for a decision: allow and warn run (0), confirm and deny do not.
pub fn exit_code(decision: Decision) -> u8 {
    match decision {
        Decision::Allow | Decision::Warn => crate::exit::OK,
        Decision::Confirm => crate::exit::CONFIRM,
        Decision::Deny => crate::exit::DENY,
    }
}

/// The built-in rules that can match the commands `script` runs: only those are loaded.
pub fn rules_for(script: &Script) -> Result<RuleSet, RuleError> {
    builtin::for_commands(script, Vec::new())
}

/// Analyse and decide on a line of shell text.
pub fn verdict_for(text: &input::Input, limits: &Limits) -> Result<Verdict, RuleError> {
    let script = input::analyze(text, limits);
    on_sql_stack(&script, || Ok(decide(&script, &rules_for(&script)?)))
}

/// Run `guardsh check`: read, decide, report to `out`; returns the decision.
pub fn execute(
    args: &CheckArgs,
    color: bool,
    stdin: &mut dyn Read,
    out: &mut dyn Write,
) -> Result<Decision, Error> {
    let limits = Limits::default();
    let text = input::read(
        args.line.as_deref(),
        args.file.as_deref(),
        stdin,
        limits.max_input_bytes,
    )?;
    let mut policy = crate::policy::Policy::load()?;
    let verdict = policy.verdict(&text, &limits)?;
    for w in policy.take_warnings() {
        let _ = writeln!(
            io::stderr(),
            "guardsh: warning: {}",
            crate::term::escape(&w)
        );
    }
    let report = if args.json {
        render_json(&verdict)?
    } else {
        render_human(&verdict, color)
    };
    out.write_all(report.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Write)?;
    Ok(verdict.decision)
}

/// `check --json`: the verdict and the level of protection, one JSON object on one line.
pub fn render_json(verdict: &Verdict) -> Result<String, serde_json::Error> {
    // The level of protection is part of the answer: a fleet tool or an agent reading
    // `check --json` must not take a parse-only guard for a kernel-backed one.
    let mut value = serde_json::to_value(verdict)?;
    if let serde_json::Value::Object(map) = &mut value {
        let level = crate::confine::level();
        map.insert("protection".to_owned(), level.name().into());
        if let crate::confine::Level::ParseOnly(why) = level {
            map.insert("protection_note".to_owned(), why.into());
        }
    }
    let mut json = serde_json::to_string(&value)?;
    json.push('\n');
    Ok(json)
}

fn style_for(d: Decision, color: bool) -> Style {
    if !color {
        return Style::new();
    }
    match d {
        Decision::Allow => Style::new().green(),
        Decision::Warn => Style::new().yellow(),
        Decision::Confirm => Style::new().magenta().bold(),
        Decision::Deny => Style::new().red().bold(),
    }
}

/// An environment kind's name, for people.
fn kind_name(k: crate::rules::raw::EnvironmentKind) -> &'static str {
    use crate::rules::raw::EnvironmentKind as K;
    match k {
        K::Railway => "Railway environment",
        K::Kube => "Kubernetes context",
        K::Database => "database host",
        K::Cloud => "cloud profile",
        K::Terraform => "Terraform workspace",
        K::App => "application environment",
    }
}

/// The decision's name, as in the JSON.
pub(crate) fn name(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allow",
        Decision::Warn => "warn",
        Decision::Confirm => "confirm",
        Decision::Deny => "deny",
    }
}

/// One finding per line, then the decision and what to do about it. Written for the agent
/// as much as for the person: it says what was found, why it matters, and the safer path.
pub fn render_human(v: &Verdict, color: bool) -> String {
    let mut out = String::new();
    for m in &v.matches {
        out.push_str(&format!(
            "{}  {}  {}\n      {}\n",
            name(m.severity).style(style_for(m.severity, color)),
            escape(&m.rule),
            escape(&m.command),
            escape(&m.message),
        ));
        if let Some(env) = &m.environment {
            out.push_str(&format!(
                "      production: it acts on {}, a protected environment, so it is stricter there\n",
                escape(env)
            ));
        }
        out.push_str(&format!("      safer: {}\n", escape(&m.suggestion)));
    }
    for t in &v.environments {
        out.push_str(&format!(
            "environment: {} `{}` for {} (from {}){}\n",
            kind_name(t.kind),
            escape(&t.name),
            escape(&t.program),
            escape(&t.source),
            if t.protected { ", protected" } else { "" },
        ));
    }
    for u in &v.unknown {
        let kind = serde_json::to_value(u.kind)
            .ok()
            .and_then(|k| k.as_str().map(str::to_owned))
            .unwrap_or_default();
        out.push_str(&format!(
            "{}  unknown:{}  {}\n",
            name(u.severity).style(style_for(u.severity, color)),
            kind,
            escape(&u.text),
        ));
    }
    if v.decision == Decision::Confirm && !v.backups.is_empty() {
        out.push_str(&format!(
            "backup: once a person approves it, guardsh first backs up {} (restorable with `guardsh restore ID`)\n",
            describe_backups(&v.backups)
        ));
    }
    let advice = match v.decision {
        Decision::Allow => "nothing destructive found",
        Decision::Warn => "it may run; read the warnings above",
        Decision::Confirm => {
            "it must not run without a human: a person has to type the confirmation, or run it themselves"
        }
        Decision::Deny => {
            "it must not run: do not retry it or rephrase it to get past the guard; take the safer path above, or ask a human to run it"
        }
    };
    out.push_str(&format!(
        "decision: {} ({advice})\n",
        name(v.decision).style(style_for(v.decision, color))
    ));
    out
}

/// The backups a line gets before it runs, in a few words: `files build, dist; git work
/// (git reset --hard)`. Untrusted text is escaped.
pub fn describe_backups(needs: &[crate::rules::insure::Insure]) -> String {
    needs
        .iter()
        .map(|n| {
            let kind = serde_json::to_value(n.kind)
                .ok()
                .and_then(|k| k.as_str().map(str::to_owned))
                .unwrap_or_default();
            if n.targets.is_empty() {
                format!("{kind} (for `{}`)", escape(&n.command))
            } else {
                let names: Vec<String> = n
                    .targets
                    .iter()
                    .map(|t| escape(&t.text).into_owned())
                    .collect();
                format!("{kind} {}", names.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide_line(line: &str) -> Verdict {
        let text = input::Input::from_bytes(line.as_bytes().to_vec(), false);
        verdict_for(&text, &Limits::default()).expect("built-in packs load")
    }

    #[test]
    fn decisions_follow_rules_and_unknowns() {
        let cases: &[(&str, Decision)] = &[
            ("git status", Decision::Allow),
            ("git push --force origin main", Decision::Deny),
            ("cd app && git reset --hard", Decision::Confirm),
            ("$a -rf /", Decision::Confirm),
            ("echo 'unterminated", Decision::Deny),
            ("$EDITOR notes.md", Decision::Warn),
            // A bare redirection truncates like `: > .env` does.
            ("> .env", Decision::Confirm),
        ];
        for (line, want) in cases {
            assert_eq!(decide_line(line).decision, *want, "{line}");
        }
    }

    #[test]
    fn json_has_the_stable_shape() {
        let v = decide_line("git push -f origin main");
        let json: serde_json::Value = serde_json::to_value(&v).expect("serialises");
        assert_eq!(json["decision"], "deny");
        let m = &json["matches"][0];
        for key in ["rule", "severity", "command", "message", "suggestion"] {
            assert!(m.get(key).is_some(), "missing {key}: {json}");
        }
        assert!(json["unknown"].is_array());
    }

    #[test]
    fn exit_codes_are_distinct() {
        assert_eq!(exit_code(Decision::Allow), 0);
        assert_eq!(exit_code(Decision::Warn), 0);
        assert_ne!(exit_code(Decision::Confirm), exit_code(Decision::Deny));
        assert_ne!(exit_code(Decision::Deny), crate::exit::USAGE);
    }
}
