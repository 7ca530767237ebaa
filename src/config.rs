//! The user's configuration, `~/.config/guardsh/config.yaml`: the real shell, severity
//! overrides per rule, and allowlist entries (a rule id or an exact command, each with a
//! reason and an optional expiry date).
//!
//! A config that does not parse stops guardsh with the file, line and column: running
//! commands unguarded because a file has a typo would be the worst possible outcome.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::decision::{Decision, Verdict};
use crate::rules::Severity;

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// It exists but cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// It does not parse, or has an unknown field.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// The configuration file's shape.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The real shell to run (a path, or a name looked up on PATH).
    #[serde(default)]
    pub shell: Option<PathBuf>,
    /// A rule's severity, changed: `git.reset.hard: deny`.
    #[serde(default)]
    pub overrides: std::collections::BTreeMap<String, Severity>,
    /// What may run without being refused.
    #[serde(default)]
    pub allow: Vec<AllowEntry>,
}

/// One allowlist entry: exactly one of `rule` or `command`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowEntry {
    /// A rule id whose matches no longer count.
    #[serde(default)]
    pub rule: Option<String>,
    /// An exact command line (compared after trimming) that may run.
    #[serde(default)]
    pub command: Option<String>,
    /// Why it is allowed (required: an allowlist without reasons is unreviewable).
    pub reason: String,
    /// `YYYY-MM-DD`: the entry holds through that day (UTC), then stops counting.
    #[serde(default)]
    pub expires: Option<String>,
}

/// Load the config at `path`; a missing file is the empty config.
pub fn load(path: &Path) -> Result<Config, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(source) => {
            return Err(Error::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    parse(&text, path)
}

/// Parse config text; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<Config, Error> {
    if text.trim().is_empty() {
        return Ok(Config::default());
    }
    let syntax = |line, column, message| Error::Syntax {
        path: path.to_path_buf(),
        line,
        column,
        message,
    };
    let config: Config = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        syntax(line, column, e.to_string())
    })?;
    for (i, entry) in config.allow.iter().enumerate() {
        let at = |message: String| syntax(0, 0, format!("allow[{i}]: {message}"));
        match (&entry.rule, &entry.command) {
            (Some(_), None) | (None, Some(_)) => {}
            _ => return Err(at("give exactly one of `rule` or `command`".to_owned())),
        }
        if entry.reason.trim().is_empty() {
            return Err(at("`reason` is empty".to_owned()));
        }
        if let Some(date) = &entry.expires
            && crate::clock::end_of_date(date).is_none()
        {
            return Err(at(format!("`expires` {date:?} is not a YYYY-MM-DD date")));
        }
    }
    Ok(config)
}

/// The user's config (`~/.config/guardsh/config.yaml`), with the path it came from.
pub fn load_user() -> Result<(Config, Option<PathBuf>), Error> {
    match crate::paths::config_file() {
        Some(path) => Ok((load(&path)?, Some(path))),
        None => Ok((Config::default(), None)),
    }
}

impl AllowEntry {
    fn current(&self, now: u64) -> bool {
        self.expires
            .as_deref()
            .and_then(crate::clock::end_of_date)
            .is_none_or(|end| now <= end)
    }
}

impl Config {
    /// Apply overrides and the allowlist to a verdict on `line`. An allowed command clears
    /// the rule matches, never the unknowns of a line that cannot be checked.
    pub fn apply(&self, line: &str, verdict: &mut Verdict) {
        let now = crate::clock::now();
        let current: Vec<&AllowEntry> = self.allow.iter().filter(|e| e.current(now)).collect();
        if current.iter().any(|e| {
            e.command
                .as_deref()
                .is_some_and(|c| c.trim() == line.trim())
        }) {
            verdict.matches.clear();
            verdict
                .unknown
                .retain(|u| u.severity == Decision::Deny && u.kind.is_fatal());
        }
        verdict.matches.retain(|m| {
            !current
                .iter()
                .any(|e| e.rule.as_deref() == Some(m.rule.as_str()))
        });
        for m in &mut verdict.matches {
            if let Some(s) = self.overrides.get(&m.rule) {
                m.severity = (*s).into();
            }
        }
        verdict.decision = verdict
            .matches
            .iter()
            .map(|m| m.severity)
            .chain(verdict.unknown.iter().map(|u| u.severity))
            .max()
            .unwrap_or(Decision::Allow);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Match;

    fn verdict(rule: &str, d: Decision) -> Verdict {
        Verdict {
            decision: d,
            matches: vec![Match {
                rule: rule.to_owned(),
                severity: d,
                command: "x".to_owned(),
                message: "m".to_owned(),
                suggestion: "s".to_owned(),
            }],
            unknown: Vec::new(),
        }
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let err = parse(
            "shell: /bin/bash\nallow:\n  - rule: x\n    reson: typo\n",
            Path::new("c.yaml"),
        )
        .expect_err("unknown field");
        let text = err.to_string();
        assert!(text.starts_with("c.yaml:4:"), "{text}");
        assert!(text.contains("reson"), "{text}");
        let err = parse("overrides: {a: lenient}\n", Path::new("c.yaml")).expect_err("bad");
        assert!(err.to_string().starts_with("c.yaml:1:"), "{err}");
        let err = parse(
            "allow: [{rule: a, command: b, reason: r}]",
            Path::new("c.yaml"),
        )
        .expect_err("both");
        assert!(err.to_string().contains("exactly one"), "{err}");
        let err = parse(
            "allow: [{rule: a, reason: r, expires: someday}]",
            Path::new("c.yaml"),
        )
        .expect_err("date");
        assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
    }

    #[test]
    fn overrides_and_allowlist_apply() {
        let c = parse(
            "overrides: {git.reset.hard: deny}\nallow:\n  - {rule: git.clean.force, reason: scratch repo}\n  - {command: 'make nuke', reason: our own target}\n  - {rule: old.rule, reason: r, expires: 2000-01-01}\n",
            Path::new("c.yaml"),
        )
        .expect("parses");
        let mut v = verdict("git.reset.hard", Decision::Confirm);
        c.apply("git reset --hard", &mut v);
        assert_eq!(v.decision, Decision::Deny);
        let mut v = verdict("git.clean.force", Decision::Confirm);
        c.apply("git clean -fdx", &mut v);
        assert_eq!(v.decision, Decision::Allow);
        let mut v = verdict("any", Decision::Deny);
        c.apply("  make nuke ", &mut v);
        assert_eq!(v.decision, Decision::Allow);
        let mut v = verdict("old.rule", Decision::Confirm);
        c.apply("x", &mut v);
        assert_eq!(
            v.decision,
            Decision::Confirm,
            "expired entries do not count"
        );
    }
}
