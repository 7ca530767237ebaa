//! guardsh's configuration, in layers: the built-in packs, then the system's
//! (`/etc/guardsh/`), the user's (`~/.config/guardsh/`) and the project's (`.guardsh.yaml`,
//! found upward from the working directory). Each file may set the real shell, change rule
//! severities, allow commands (each with a reason and an optional expiry), name protected
//! environments and add rules; `guards/*.yaml` beside the system and user files add packs.
//!
//! An agent can write to the repository it works in, so a project file can only tighten:
//! it adds rules, protected names and stricter severities, and whatever would loosen
//! (an allow entry, a lower severity, another shell) is ignored with a warning. A system
//! file counts only when root owns it and nobody else can write it.
//!
//! A file that does not parse stops guardsh with the file, line and column: running
//! commands unguarded because a file has a typo would be the worst possible outcome.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::decision::{Decision, Verdict};
use crate::environment::Protected;
use crate::rules::{RuleError, Severity, raw};

/// Where the system-wide files live.
pub const SYSTEM_DIR: &str = "/etc/guardsh";

/// The project file's name, looked for in the working directory and its parents.
pub const PROJECT_FILE: &str = ".guardsh.yaml";

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
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
    /// It exists but cannot be read, is not a regular file, or is larger than
    /// [`crate::capped::CONFIG`]: an error, never an absent file (fail closed).
    #[error(transparent)]
    File(#[from] crate::capped::Error),
    /// A pack beside a config file is broken.
    #[error(transparent)]
    Pack(#[from] RuleError),
}

/// The configuration file's shape.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The real shell to run (a path, or a name looked up on PATH).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<PathBuf>,
    /// A rule's severity, changed: `git.reset.hard: deny`.
    #[serde(default)]
    pub overrides: std::collections::BTreeMap<String, Severity>,
    /// What may run without being refused.
    #[serde(default)]
    pub allow: Vec<AllowEntry>,
    /// Environment names to protect beyond `prod`, `production` and `live`.
    #[serde(default)]
    pub production: Protected,
    /// Rules of this file's own, in the packs' schema (ids must not start with a built-in
    /// pack's name).
    #[serde(default)]
    pub rules: Vec<raw::Rule>,
    /// The insurance taken before a person's confirmed destructive line runs.
    #[serde(default, skip_serializing_if = "Backup::is_empty")]
    pub backup: Backup,
    /// System file only: user files may then only tighten, like project files (their
    /// `allow`, lowered severities and `shell` are ignored). An organisation sets it where
    /// its policy must hold for every user of the machine.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
    /// Where decisions go besides the local audit log: syslog, the systemd journal
    /// (docs/system-log.md). System and user files may add a sink; none can remove or
    /// change another file's.
    #[serde(
        default,
        skip_serializing_if = "crate::audit::sink::AuditSettings::is_empty"
    )]
    pub audit: crate::audit::sink::AuditSettings,
}

/// Settings of the backups taken before confirmed lines (`guardsh backups`).
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// Above this many bytes a backup is refused, and so is the line, until a person raises
    /// the cap or approves with `--no-backup` (default 1 GiB). Any layer may set it: a
    /// lower cap only stops more lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    /// `guardsh backups prune` removes backups older than this many days (default 30). The
    /// longest of all layers holds: no file can shorten what another keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_days: Option<u64>,
}

impl Backup {
    fn is_empty(&self) -> bool {
        *self == Backup::default()
    }
}

/// One allowlist entry: exactly one of `rule` or `command`.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllowEntry {
    /// A rule id whose matches no longer count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// An exact command line (compared after trimming) that may run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Why it is allowed (required: an allowlist without reasons is unreviewable).
    pub reason: String,
    /// `YYYY-MM-DD`: the entry holds through that day (UTC), then stops counting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

fn read_optional(path: &Path) -> Result<Option<String>, Error> {
    Ok(crate::capped::read_optional_text(
        path,
        crate::capped::CONFIG,
    )?)
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

/// Where a layer comes from, in the order layers apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// `/etc/guardsh/`.
    System,
    /// `~/.config/guardsh/`.
    User,
    /// `.guardsh.yaml` in the working directory or a parent.
    Project,
}

impl Origin {
    /// The name of the pack holding this layer's inline `rules`.
    pub fn pack_name(self) -> &'static str {
        match self {
            Origin::System => "system",
            Origin::User => "user",
            Origin::Project => "project",
        }
    }
}

/// One config file in effect.
#[derive(Debug, Clone, Serialize)]
pub struct Layer {
    /// Which layer.
    pub origin: Origin,
    /// The file.
    pub path: PathBuf,
    /// What it says, minus what the layer may not do.
    pub config: Config,
    /// May it loosen? System files (root's), and user files whose exact content a person
    /// trusted (`guardsh config trust`) unless the system file is `locked`; never a project
    /// file. Even a trusted user file cannot go below what the system file decides (see
    /// [`Layers::pinned`]).
    pub trusted: bool,
    /// Tighten-only because the system file says `locked: true`, whatever its trust.
    pub locked: bool,
}

/// A pack from a system or user `guards/` directory.
#[derive(Debug, Clone)]
pub struct ExtraPack {
    /// Which layer's directory.
    pub origin: Origin,
    /// The file.
    pub path: PathBuf,
    /// The pack.
    pub pack: raw::Pack,
}

/// Every layer in effect, with what was ignored and why.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// Config files, system first.
    pub layers: Vec<Layer>,
    /// Packs beside them, and each file's inline rules as a pack.
    pub packs: Vec<ExtraPack>,
    /// What was ignored, one line each, for standard error.
    pub warnings: Vec<String>,
    /// The system file that locks the policy (`locked: true`), if one does.
    pub locked_by: Option<PathBuf>,
}

/// Where to look for each layer; tests point these at temporary directories.
#[derive(Debug, Clone)]
pub struct Places {
    /// The system directory (`/etc/guardsh`).
    pub system: Option<PathBuf>,
    /// The user directory (`~/.config/guardsh`).
    pub user: Option<PathBuf>,
    /// Where the search for the project file starts.
    pub cwd: Option<PathBuf>,
}

impl Places {
    /// The real places.
    pub fn real() -> Places {
        Places {
            system: Some(crate::paths::system_root().join(SYSTEM_DIR.trim_start_matches('/'))),
            user: crate::paths::config_dir(),
            cwd: std::env::current_dir().ok(),
        }
    }
}

/// Why a system file is not trusted, if it is not: root must own it (and its directory),
/// and nobody but root may write to either.
pub fn untrusted(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt as _;
    let mut checks = vec![path.to_path_buf()];
    if let Some(dir) = path.parent() {
        checks.push(dir.to_path_buf());
    }
    for p in checks {
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.uid() != 0 {
            return Some(format!("{} is not owned by root", p.display()));
        }
        let others_write = meta.mode() & 0o002 != 0;
        let group_write = meta.mode() & 0o020 != 0 && meta.gid() != 0;
        if others_write || group_write {
            return Some(format!(
                "{} is writable by users other than root",
                p.display()
            ));
        }
    }
    None
}

/// Read every layer at `places`.
pub fn load_layers(places: &Places) -> Result<Layers, Error> {
    let mut out = Layers::default();
    if let Some(dir) = &places.system {
        load_dir(dir, Origin::System, &mut out)?;
    }
    if let Some(dir) = &places.user {
        load_dir(dir, Origin::User, &mut out)?;
    }
    if let Some(cwd) = &places.cwd
        && let Some(path) = find_project_file(cwd)
    {
        let text = read_optional(&path)?.unwrap_or_default();
        let config = parse(&text, &path)?;
        add_layer(Origin::Project, path, config, false, &mut out)?;
    }
    Ok(out)
}

/// `.guardsh.yaml` in `start` or the closest parent that has one. Whatever is there
/// counts, a FIFO or a directory as much as a file: reading it then fails and guardsh
/// stops (a project file only tightens, so skipping one it cannot read would loosen).
/// Only a name that is not there at all (or a dangling link) is passed over.
pub fn find_project_file(start: &Path) -> Option<PathBuf> {
    start.ancestors().map(|d| d.join(PROJECT_FILE)).find(|p| {
        !std::fs::metadata(p).is_err_and(|e| {
            matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            )
        })
    })
}

fn load_dir(dir: &Path, origin: Origin, out: &mut Layers) -> Result<(), Error> {
    let file = dir.join("config.yaml");
    let trusted = |p: &Path, out: &mut Layers| -> bool {
        if origin != Origin::System {
            return true;
        }
        match untrusted(p) {
            None => true,
            Some(why) => {
                out.warnings.push(format!("{} ignored: {why}", p.display()));
                false
            }
        }
    };
    if let Some(text) = read_optional(&file)?
        && trusted(&file, out)
    {
        let config = parse(&text, &file)?;
        // Only a file that could loosen pays for the hash.
        let may_loosen = match origin {
            Origin::System => true,
            Origin::User if out.locked_by.is_some() => false,
            Origin::User => {
                !loosens(&config) || crate::trust::load().accepts(&file, text.as_bytes())
            }
            Origin::Project => false,
        };
        add_layer(origin, file, config, may_loosen, out)?;
    }
    let guards = dir.join("guards");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&guards) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    for path in files {
        let Some(text) = read_optional(&path)? else {
            continue;
        };
        if !trusted(&path, out) {
            continue;
        }
        let pack = crate::rules::load_pack(&text, &path.display().to_string())?;
        check_extra_pack(&pack, &path.display().to_string())?;
        out.packs.push(ExtraPack { origin, path, pack });
    }
    Ok(())
}

/// Could this file loosen anything (an allow entry, a severity, the shell)? Whether an
/// override lowers depends on the rule, so any override counts.
fn loosens(config: &Config) -> bool {
    !config.allow.is_empty() || config.shell.is_some() || !config.overrides.is_empty()
}

/// Why a layer may not loosen, for its warnings.
fn not_trusted_because(origin: Origin, locked: bool) -> &'static str {
    match origin {
        Origin::User if locked => {
            "the system file (/etc/guardsh/config.yaml) says `locked: true`: user files may only \
             tighten the organisation's policy"
        }
        Origin::Project => {
            "a project file can only tighten the rules (an agent can write to the repository)"
        }
        _ => {
            "its content is not the one a person trusted (an agent can write to the home \
             directory); after reading it, trust it with `guardsh config trust` from a terminal \
             of your own"
        }
    }
}

fn add_layer(
    origin: Origin,
    path: PathBuf,
    mut config: Config,
    trusted: bool,
    out: &mut Layers,
) -> Result<(), Error> {
    let shown = path.display().to_string();
    let locked = origin == Origin::User && out.locked_by.is_some();
    if config.locked {
        if origin == Origin::System {
            out.locked_by = Some(path.clone());
        } else {
            config.locked = false;
            out.warnings.push(format!(
                "{shown}: `locked` ignored: only the system file (/etc/guardsh/config.yaml) can lock the policy"
            ));
        }
    }
    if !trusted {
        let why = not_trusted_because(origin, locked);
        if !config.allow.is_empty() {
            out.warnings
                .push(format!("{shown}: `allow` ignored: {why}"));
            config.allow.clear();
        }
        if config.shell.take().is_some() {
            out.warnings.push(format!(
                "{shown}: `shell` ignored: {why}; it would choose the program guardsh hands commands to"
            ));
        }
    }
    if origin == Origin::Project && !config.audit.is_empty() {
        // Not a loosening, but a repository someone cloned must not choose where the
        // user's command lines are sent, nor make each command wait on a socket of its own.
        out.warnings.push(format!(
            "{shown}: `audit` ignored: a project file cannot choose where decisions are sent; \
             the system or user config.yaml can"
        ));
        config.audit = crate::audit::sink::AuditSettings::default();
    }
    if !config.rules.is_empty() {
        let pack = raw::Pack {
            pack: origin.pack_name().to_owned(),
            description: format!("rules from {shown}"),
            programs: std::collections::BTreeMap::new(),
            rules: std::mem::take(&mut config.rules),
        };
        check_extra_pack(&pack, &shown)?;
        out.packs.push(ExtraPack {
            origin,
            path: path.clone(),
            pack,
        });
    }
    out.layers.push(Layer {
        origin,
        path,
        config,
        trusted,
        locked,
    });
    Ok(())
}

/// A pack that is not built in may add rules, but not reach into the built-in ones: its
/// rule ids must not start with a built-in pack's name (a duplicate id would stop every run
/// that loads both), and it may not say how a program the built-in packs cover reads its
/// options or what it is also called (declaring `-rf` to take a value, or `rm` an alias of
/// something harmless, would blind the built-in rules).
fn check_extra_pack(pack: &raw::Pack, file: &str) -> Result<(), Error> {
    let builtin_programs: Vec<&str> = crate::rules::builtin::programs().collect();
    let covered = |p: &str| builtin_programs.binary_search(&p).is_ok();
    let invalid = |rule: &str, message: String| {
        Error::Pack(RuleError::Invalid {
            file: file.to_owned(),
            rule: rule.to_owned(),
            message,
        })
    };
    for rule in &pack.rules {
        let first = rule.id.split('.').next().unwrap_or("");
        if crate::rules::builtin::pack_names().contains(&first) {
            return Err(invalid(
                &rule.id,
                format!("the id starts with the built-in pack name {first:?}; pick another prefix"),
            ));
        }
    }
    for (program, spec) in &pack.programs {
        if covered(program) {
            return Err(invalid(
                "",
                format!(
                    "`programs: {program}` changes how a program the built-in packs cover is read"
                ),
            ));
        }
        if let Some(a) = spec.aliases.iter().find(|a| covered(a)) {
            return Err(invalid(
                "",
                format!("`{program}` declares {a:?} an alias, but the built-in packs cover {a:?}"),
            ));
        }
    }
    Ok(())
}

impl AllowEntry {
    /// Does the entry still hold at `now` (seconds since the epoch)?
    pub fn current(&self, now: u64) -> bool {
        self.expires
            .as_deref()
            .and_then(crate::clock::end_of_date)
            .is_none_or(|end| now <= end)
    }
}

impl Layers {
    /// The cap on one backup: the last layer that sets one.
    pub fn backup_max_bytes(&self) -> u64 {
        self.layers
            .iter()
            .rev()
            .find_map(|l| l.config.backup.max_bytes)
            .unwrap_or(crate::backup::DEFAULT_MAX_BYTES)
    }

    /// How many days backups are kept: the longest any layer asks for.
    pub fn backup_keep_days(&self) -> u64 {
        self.layers
            .iter()
            .filter_map(|l| l.config.backup.keep_days)
            .max()
            .unwrap_or(30)
    }

    /// Where decisions go besides the local log: every sink any layer turns on, system
    /// first. Two layers naming the same kind of sink on the same socket give one sink, the
    /// earlier layer's: a user file can add a sink but not change how the system's sends.
    pub fn audit_sinks(&self) -> Vec<crate::audit::sink::Sink> {
        let mut out: Vec<crate::audit::sink::Sink> = Vec::new();
        for sink in self.layers.iter().flat_map(|l| l.config.audit.sinks()) {
            if !out
                .iter()
                .any(|s| s.kind() == sink.kind() && s.socket() == sink.socket())
            {
                out.push(sink);
            }
        }
        out
    }

    /// The real shell: the last layer that names one (project files cannot).
    pub fn shell(&self) -> Option<&Path> {
        self.layers
            .iter()
            .rev()
            .find_map(|l| l.config.shell.as_deref())
    }

    /// Every protected name, all layers together.
    pub fn protected(&self) -> Protected {
        let mut p = Protected::default();
        for l in &self.layers {
            p.extend(&l.config.production);
        }
        p
    }

    /// Each override of `rule`, in layer order, given its severity before any (`base`):
    /// the layer, the severity it asks for, the severity before it, and whether it holds.
    /// The system file sets the severity; a trusted user file may change it again, but not
    /// below what the system file set; a project file (or a user file that is not trusted
    /// or is locked) only raises it.
    pub fn override_steps(&self, rule: &str, base: Severity) -> Vec<OverrideStep<'_>> {
        let mut current = base;
        let mut floor = None;
        let mut steps = Vec::new();
        for layer in &self.layers {
            let Some(&asked) = layer.config.overrides.get(rule) else {
                continue;
            };
            let holds = match layer.origin {
                Origin::System => true,
                _ => asked >= current || (layer.trusted && floor.is_none_or(|f| asked >= f)),
            };
            steps.push(OverrideStep {
                layer,
                asked,
                before: current,
                holds,
                floor,
            });
            if holds {
                current = asked;
                if layer.origin == Origin::System {
                    floor = Some(asked);
                }
            }
        }
        steps
    }

    /// Is `rule` the organisation's to decide: the system file sets its severity, or a
    /// system pack (`/etc/guardsh/guards/`, or the system file's own `rules`) defines it?
    /// Then no user or project `allow` entry takes its matches away.
    pub fn pinned(&self, rule: &str) -> bool {
        self.layers
            .iter()
            .any(|l| l.origin == Origin::System && l.config.overrides.contains_key(rule))
            || self
                .packs
                .iter()
                .any(|p| p.origin == Origin::System && p.pack.rules.iter().any(|r| r.id == rule))
    }

    /// The severity `rule` ends up with (see [`Layers::override_steps`]), or `None` when no
    /// override holds; a project file's attempt to lower it is said in `warnings`.
    pub fn severity_for(
        &self,
        rule: &str,
        base: Severity,
        warnings: &mut Vec<String>,
    ) -> Option<Severity> {
        let mut result = None;
        for step in self.override_steps(rule, base) {
            if step.holds {
                result = Some(step.asked);
            } else {
                warnings.push(step.ignored_because(rule));
            }
        }
        result
    }

    /// Allow entries in effect now, with their layer.
    pub fn allow_entries(&self, now: u64) -> Vec<(&Layer, &AllowEntry)> {
        self.layers
            .iter()
            .filter(|l| l.trusted)
            .flat_map(|l| l.config.allow.iter().map(move |e| (l, e)))
            .filter(|(_, e)| e.current(now))
            .collect()
    }

    /// Apply the allowlist to a verdict on `line`. An allowed command clears the rule
    /// matches, never the unknowns of a line that cannot be checked. Only the system file's
    /// entries clear the matches of a rule the organisation pinned ([`Layers::pinned`]).
    pub fn apply_allow(&self, line: &str, verdict: &mut Verdict) {
        let now = crate::clock::now();
        let current = self.allow_entries(now);
        let clears =
            |layer: &Layer, rule: &str| layer.origin == Origin::System || !self.pinned(rule);
        if let Some((layer, _)) = current.iter().find(|(_, e)| {
            e.command
                .as_deref()
                .is_some_and(|c| c.trim() == line.trim())
        }) {
            verdict.matches.retain(|m| !clears(layer, &m.rule));
            verdict
                .unknown
                .retain(|u| u.severity == Decision::Deny && u.kind.is_fatal());
        }
        verdict.matches.retain(|m| {
            !current.iter().any(|(layer, e)| {
                e.rule.as_deref() == Some(m.rule.as_str()) && clears(layer, &m.rule)
            })
        });
        verdict.decision = verdict
            .matches
            .iter()
            .map(|m| m.severity)
            .chain(verdict.unknown.iter().map(|u| u.severity))
            .max()
            .unwrap_or(Decision::Allow);
    }
}

/// One override of a rule by one layer (see [`Layers::override_steps`]).
#[derive(Debug, Clone, Copy)]
pub struct OverrideStep<'a> {
    /// The layer.
    pub layer: &'a Layer,
    /// The severity it asks for.
    pub asked: Severity,
    /// The severity before it.
    pub before: Severity,
    /// It holds (false: a project file tried to lower the severity).
    pub holds: bool,
    /// What the system file set before it, below which no user file may go.
    pub floor: Option<Severity>,
}

impl OverrideStep<'_> {
    /// Why an override that does not hold is ignored, for a warning.
    pub fn ignored_because(&self, rule: &str) -> String {
        if self.layer.trusted
            && let Some(floor) = self.floor
        {
            return format!(
                "{}: override `{rule}: {}` ignored: the system file sets it to {}, and user files \
                 may not go below the organisation's policy",
                self.layer.path.display(),
                severity_name(self.asked),
                severity_name(floor),
            );
        }
        format!(
            "{}: override `{rule}: {}` ignored: it would lower the severity (it is {} here), and {}",
            self.layer.path.display(),
            severity_name(self.asked),
            severity_name(self.before),
            not_trusted_because(self.layer.origin, self.layer.locked),
        )
    }
}

/// A severity's name, as written in YAML.
pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Note => "note",
        Severity::Warn => "warn",
        Severity::Confirm => "confirm",
        Severity::Deny => "deny",
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
                environment: None,
            }],
            unknown: Vec::new(),
            environments: Vec::new(),
            backups: Vec::new(),
            effects: Vec::new(),
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

    fn layer(origin: Origin, text: &str) -> Layer {
        Layer {
            origin,
            path: PathBuf::from(format!("{}.yaml", origin.pack_name())),
            config: parse(text, Path::new("c.yaml")).expect("parses"),
            trusted: origin != Origin::Project,
            locked: false,
        }
    }

    fn layers(list: Vec<(Origin, &str)>) -> Layers {
        let mut out = Layers::default();
        for (origin, text) in list {
            let l = layer(origin, text);
            add_layer(origin, l.path, l.config, l.trusted, &mut out).expect("adds");
        }
        out
    }

    #[test]
    fn allowlist_applies_and_expires() {
        let c = layers(vec![(
            Origin::User,
            "allow:\n  - {rule: git.clean.force, reason: scratch repo}\n  - {command: 'make nuke', reason: our own target}\n  - {rule: old.rule, reason: r, expires: 2000-01-01}\n",
        )]);
        let mut v = verdict("git.clean.force", Decision::Confirm);
        c.apply_allow("git clean -fdx", &mut v);
        assert_eq!(v.decision, Decision::Allow);
        let mut v = verdict("any", Decision::Deny);
        c.apply_allow("  make nuke ", &mut v);
        assert_eq!(v.decision, Decision::Allow);
        let mut v = verdict("old.rule", Decision::Confirm);
        c.apply_allow("x", &mut v);
        assert_eq!(
            v.decision,
            Decision::Confirm,
            "expired entries do not count"
        );
    }

    #[test]
    fn severities_follow_the_layers_and_projects_only_raise() {
        let c = layers(vec![
            (Origin::System, "overrides: {a: deny, b: deny}\n"),
            (Origin::User, "overrides: {b: warn, c: confirm}\n"),
            (Origin::Project, "overrides: {a: warn, c: deny, d: warn}\n"),
        ]);
        let mut warnings = Vec::new();
        // The system raises a; the project's attempt to lower it is ignored, with a warning.
        assert_eq!(
            c.severity_for("a", Severity::Confirm, &mut warnings),
            Some(Severity::Deny)
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("only tighten"), "{warnings:?}");
        // The user's file comes after the system's, but may not go below it.
        warnings.clear();
        assert_eq!(
            c.severity_for("b", Severity::Confirm, &mut warnings),
            Some(Severity::Deny)
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("the system file sets it to deny"),
            "{warnings:?}"
        );
        // A rule the system file leaves alone, the trusted user file may lower.
        let c2 = layers(vec![(Origin::User, "overrides: {b: warn}\n")]);
        assert_eq!(
            c2.severity_for("b", Severity::Deny, &mut warnings),
            Some(Severity::Warn)
        );
        // The project raises c above the user's setting.
        assert_eq!(
            c.severity_for("c", Severity::Warn, &mut warnings),
            Some(Severity::Deny)
        );
        // A project may not lower a built-in severity either.
        warnings.clear();
        assert_eq!(c.severity_for("d", Severity::Deny, &mut warnings), None);
        assert_eq!(warnings.len(), 1);
        assert_eq!(c.severity_for("e", Severity::Deny, &mut warnings), None);
    }

    #[test]
    fn a_user_file_may_raise_above_the_system_floor_and_come_back_to_it() {
        let c = layers(vec![
            (Origin::System, "overrides: {a: confirm}\n"),
            (Origin::User, "overrides: {a: confirm}\n"),
        ]);
        let mut warnings = Vec::new();
        assert_eq!(
            c.severity_for("a", Severity::Deny, &mut warnings),
            Some(Severity::Confirm),
            "the system file may lower a built-in severity"
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_locked_system_file_makes_user_files_tighten_only() {
        let mut out = Layers::default();
        let sys = layer(Origin::System, "locked: true\noverrides: {a: confirm}\n");
        add_layer(Origin::System, sys.path, sys.config, true, &mut out).expect("adds");
        assert!(out.locked_by.is_some());
        // load_dir passes `false` for a user file once the system file locks; here as it would.
        let user = layer(
            Origin::User,
            "overrides: {b: warn, c: deny}\nallow:\n  - {rule: c, reason: r}\nshell: /bin/zsh\n",
        );
        add_layer(Origin::User, user.path, user.config, false, &mut out).expect("adds");
        let mut warnings = Vec::new();
        assert_eq!(out.severity_for("b", Severity::Deny, &mut warnings), None);
        assert!(warnings[0].contains("locked: true"), "{warnings:?}");
        assert_eq!(
            out.severity_for("c", Severity::Confirm, &mut warnings),
            Some(Severity::Deny),
            "raising still holds"
        );
        assert_eq!(out.shell(), None);
        assert!(
            out.allow_entries(0)
                .iter()
                .all(|(l, _)| l.origin == Origin::System)
        );
        assert!(
            out.warnings.iter().all(|w| w.contains("locked: true")),
            "{:?}",
            out.warnings
        );
        // Only the system file can lock.
        let mut other = Layers::default();
        let user = layer(Origin::User, "locked: true\n");
        add_layer(Origin::User, user.path, user.config, true, &mut other).expect("adds");
        assert!(other.locked_by.is_none());
        assert!(
            other.warnings[0].contains("`locked` ignored"),
            "{:?}",
            other.warnings
        );
    }

    #[test]
    fn load_layers_locks_the_user_file_from_the_system_directory() {
        let dir = std::env::temp_dir().join(format!("guardsh-cfg-lock-{}", std::process::id()));
        let (system, user) = (dir.join("etc"), dir.join("home"));
        std::fs::create_dir_all(&system).expect("mkdir");
        std::fs::create_dir_all(&user).expect("mkdir");
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&system, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::write(system.join("config.yaml"), "locked: true\n").expect("write");
        // A user file that loosens nothing needs no trust record, so it counts as trusted
        // unless the lock says otherwise.
        std::fs::write(user.join("config.yaml"), "production: {names: [blue]}\n").expect("write");
        let places = Places {
            system: Some(system.clone()),
            user: Some(user),
            cwd: None,
        };
        let layers = load_layers(&places).expect("loads");
        let user_layer = layers
            .layers
            .iter()
            .find(|l| l.origin == Origin::User)
            .expect("user layer");
        if nix_uid_is_root(&system) {
            assert_eq!(layers.locked_by, Some(system.join("config.yaml")));
            assert!(!user_layer.trusted && user_layer.locked);
        } else {
            // Not root's: the system file is ignored, and with it the lock.
            assert!(layers.locked_by.is_none());
            assert!(user_layer.trusted && !user_layer.locked);
            assert!(
                layers
                    .warnings
                    .iter()
                    .any(|w| w.contains("not owned by root"))
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn user_allow_entries_cannot_clear_a_pinned_rule() {
        let c = layers(vec![
            (
                Origin::System,
                "overrides: {git.push.force: deny}\nallow:\n  - {rule: git.clean.force, reason: org-wide}\n",
            ),
            (
                Origin::User,
                "allow:\n  - {rule: git.push.force, reason: mine}\n  - {command: 'git push -f', reason: mine}\n  - {rule: git.reset.hard, reason: mine}\n",
            ),
        ]);
        assert!(c.pinned("git.push.force"));
        assert!(!c.pinned("git.reset.hard"));
        let mut v = verdict("git.push.force", Decision::Deny);
        c.apply_allow("git push -f", &mut v);
        assert_eq!(
            v.decision,
            Decision::Deny,
            "neither the rule nor the command entry clears it"
        );
        let mut v = verdict("git.reset.hard", Decision::Confirm);
        c.apply_allow("git reset --hard", &mut v);
        assert_eq!(
            v.decision,
            Decision::Allow,
            "an unpinned rule the user may allow"
        );
        let mut v = verdict("git.clean.force", Decision::Confirm);
        c.apply_allow("git clean -fd", &mut v);
        assert_eq!(v.decision, Decision::Allow, "the system's own entry holds");
    }

    #[test]
    fn an_untrusted_user_file_only_tightens() {
        let mut out = Layers::default();
        let l = layer(
            Origin::User,
            "overrides: {a: warn, b: deny}\nallow:\n  - {rule: a, reason: r}\nshell: /bin/zsh\n",
        );
        add_layer(Origin::User, l.path, l.config, false, &mut out).expect("adds");
        let mut warnings = Vec::new();
        assert_eq!(out.severity_for("a", Severity::Deny, &mut warnings), None);
        assert!(warnings[0].contains("guardsh config trust"), "{warnings:?}");
        assert_eq!(
            out.severity_for("b", Severity::Confirm, &mut warnings),
            Some(Severity::Deny),
            "raising still holds"
        );
        assert!(out.allow_entries(0).is_empty());
        assert_eq!(out.shell(), None);
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
    }

    #[test]
    fn a_project_file_cannot_loosen() {
        let c = layers(vec![(
            Origin::Project,
            "shell: /tmp/evil\nallow:\n  - {rule: railway.volume.delete, reason: trust me}\nproduction:\n  railway_environments: [main]\n",
        )]);
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(c.warnings.iter().any(|w| w.contains("`allow` ignored")));
        assert!(c.warnings.iter().any(|w| w.contains("`shell` ignored")));
        assert_eq!(c.shell(), None);
        assert!(c.allow_entries(0).is_empty());
        let mut v = verdict("railway.volume.delete", Decision::Deny);
        c.apply_allow("railway volume delete x", &mut v);
        assert_eq!(v.decision, Decision::Deny);
        // Tightening is kept.
        assert_eq!(c.protected().railway_environments, vec!["main".to_owned()]);
    }

    #[test]
    fn sinks_add_up_and_only_the_earlier_layer_sets_a_shared_one() {
        use crate::audit::sink::{Facility, Sink};
        let c = layers(vec![
            (
                Origin::System,
                "audit:\n  syslog: {facility: local0, command: false}\n",
            ),
            // The same socket: cannot change how the system's sink sends, nor turn it off.
            (
                Origin::User,
                "audit:\n  syslog: {socket: /dev/log, facility: user, command: true}\n  journal: true\n",
            ),
            (Origin::User, "audit: {syslog: false, journal: false}\n"),
            (
                Origin::Project,
                "audit:\n  syslog: {socket: /tmp/repo.sock}\n",
            ),
        ]);
        let sinks = c.audit_sinks();
        assert_eq!(sinks.len(), 2, "{sinks:?}");
        match &sinks[0] {
            Sink::Syslog(s) => {
                assert_eq!(s.facility, Facility::Local0);
                assert!(!s.command);
            }
            other => panic!("the system's syslog sink first: {other:?}"),
        }
        assert!(matches!(&sinks[1], Sink::Journal(_)), "{sinks:?}");
        assert!(sinks.iter().all(|s| !s.socket().starts_with("/tmp")));
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(
            c.warnings[0].contains("`audit` ignored"),
            "{:?}",
            c.warnings
        );
        // Adding a sink is not loosening: an untrusted user file keeps it.
        let mut out = Layers::default();
        let l = layer(Origin::User, "audit: {journal: true}\n");
        assert!(!loosens(&l.config));
        add_layer(Origin::User, l.path, l.config, false, &mut out).expect("adds");
        assert_eq!(out.audit_sinks().len(), 1);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn extra_packs_cannot_reach_into_built_in_rules() {
        let rule = |id: &str| {
            format!(
                "rules:\n  - id: {id}\n    program: mytool\n    path: [nuke]\n    severity: deny\n    message: m\n    suggestion: s\n    examples: {{block: ['mytool nuke']}}\n"
            )
        };
        let mut out = Layers::default();
        let l = layer(Origin::User, &rule("acme.nuke"));
        add_layer(Origin::User, l.path, l.config, true, &mut out).expect("own prefix is fine");
        assert_eq!(out.packs.len(), 1);
        let l = layer(Origin::Project, &rule("git.push.force"));
        let err = add_layer(Origin::Project, l.path, l.config, false, &mut out).expect_err("clash");
        assert!(err.to_string().contains("built-in pack name"), "{err}");
        let pack: raw::Pack = serde_yaml::from_str(
            "pack: acme\ndescription: d\nprograms:\n  rm: {options_with_value: ['-rf']}\nrules: []\n",
        )
        .expect("parses");
        let err = check_extra_pack(&pack, "p.yaml").expect_err("rm is built in");
        assert!(err.to_string().contains("rm"), "{err}");
        let pack: raw::Pack = serde_yaml::from_str(
            "pack: acme\ndescription: d\nprograms:\n  mytool: {aliases: [rm]}\nrules: []\n",
        )
        .expect("parses");
        assert!(check_extra_pack(&pack, "p.yaml").is_err());
    }

    #[test]
    fn untrusted_system_files_are_named() {
        let dir = std::env::temp_dir().join(format!("guardsh-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let file = dir.join("config.yaml");
        std::fs::write(&file, "overrides: {}\n").expect("write");
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        let why = untrusted(&file).expect("world-writable is untrusted");
        assert!(why.contains("config.yaml"), "{why}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        // Trusted only when root owns it: true of a file this test made only as root.
        let root = nix_uid_is_root(&file);
        assert_eq!(untrusted(&file).is_none(), root);
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn nix_uid_is_root(p: &Path) -> bool {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata(p).map(|m| m.uid() == 0).unwrap_or(false)
    }

    #[test]
    fn a_project_file_that_is_not_a_regular_file_stops_guardsh() {
        let dir = std::env::temp_dir().join(format!("guardsh-cfg-special-{}", std::process::id()));
        let sub = dir.join("a/b");
        std::fs::create_dir_all(&sub).expect("mkdir");
        let places = Places {
            system: None,
            user: None,
            cwd: Some(sub.clone()),
        };
        // Nothing there: no project layer.
        assert!(find_project_file(&sub).is_none());
        // A directory where the file would be is found, and is an error, not skipped.
        std::fs::create_dir(dir.join(PROJECT_FILE)).expect("mkdir");
        assert_eq!(find_project_file(&sub), Some(dir.join(PROJECT_FILE)));
        let err = load_layers(&places).expect_err("a directory is not a config file");
        assert!(
            matches!(&err, Error::File(crate::capped::Error::NotRegular { .. })),
            "{err:?}"
        );
        // Too large: refused by its size.
        std::fs::remove_dir(dir.join(PROJECT_FILE)).expect("rmdir");
        let f = std::fs::File::create(dir.join(PROJECT_FILE)).expect("create");
        f.set_len(crate::capped::CONFIG + 1).expect("set_len");
        let err = load_layers(&places).expect_err("too large");
        assert!(err.to_string().contains(PROJECT_FILE), "{err}");
        assert!(
            matches!(&err, Error::File(crate::capped::Error::TooLarge { .. })),
            "{err:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
