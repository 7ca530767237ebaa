//! Rule packs: loaded from YAML (`raw`), checked and indexed by program (`RuleSet`), and
//! matched against parsed commands.
//!
//! Rules are data. Nothing here knows about Railway or git; the packs in `guards/` do.

pub mod argv;
pub mod builtin;
pub mod classes;
pub mod glob;
pub mod insure;
pub mod raw;

use std::collections::BTreeMap;

use std::cell::OnceCell;

use crate::parse::{Command, RedirectKind, Script, Word};
use crate::payload::readings::Readings;
use crate::payload::{code, http, sql};
use argv::{OptionSpec, Token, normalise};
use raw::alternatives;
pub use raw::{PathClass, Severity};

/// A pack that cannot be loaded. Names the file and, where known, line and column.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// The YAML is malformed or does not fit the schema.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The pack's file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The YAML fits the schema but a rule is wrong (duplicate id, empty alternative…).
    #[error("{file}: rule {rule}: {message}")]
    Invalid {
        /// The pack's file.
        file: String,
        /// The rule's id.
        rule: String,
        /// What is wrong.
        message: String,
    },
}

/// Parse one pack's YAML text. `file` names it in errors.
pub fn load_pack(text: &str, file: &str) -> Result<raw::Pack, RuleError> {
    serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        RuleError::Syntax {
            file: file.to_string(),
            line,
            column,
            message: e.to_string(),
        }
    })
}

/// A checked rule, ready to match.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// The pack it came from.
    pub pack: String,
    programs: Vec<String>,
    path: Vec<Vec<String>>,
    flags_any: Vec<String>,
    flags_all: Vec<Vec<String>>,
    flags_none: Vec<String>,
    operand_class: Vec<PathClass>,
    operand_glob: Vec<String>,
    option_value: Vec<(Vec<String>, String)>,
    some_operand: Option<raw::OperandTest>,
    operand_at: Vec<(isize, String)>,
    operand_not_at: Vec<(isize, String)>,
    operands_min: Option<usize>,
    operands_max: Option<usize>,
    redirect_truncates: Vec<String>,
    sql: Vec<sql::SqlKind>,
    sql_hidden: bool,
    sql_writes: bool,
    http: Option<raw::Http>,
    code_deletes: Vec<PathClass>,
    env: Vec<(String, String)>,
    /// Counts only when the command acts on a protected environment.
    pub production: bool,
    /// Counts only when no signal names the environment the command acts on.
    pub environment_unknown: bool,
    /// How bad a match is.
    pub severity: Severity,
    /// What it destroys.
    pub message: String,
    /// The safer path.
    pub suggestion: String,
    /// Lines that must match / must not.
    pub examples: raw::Examples,
    /// What is backed up before a person's confirmed match runs.
    pub backup: Option<raw::Backup>,
}

/// Every loaded rule, indexed by program.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    by_program: BTreeMap<String, Vec<usize>>,
    options: BTreeMap<String, OptionSpec>,
    aliases: BTreeMap<String, String>,
    environments: BTreeMap<String, raw::EnvironmentSpec>,
}

impl RuleSet {
    /// Check and index packs. `files[i]` names `packs[i]` in errors.
    pub fn new(packs: Vec<(raw::Pack, String)>) -> Result<Self, RuleError> {
        Self::build(packs.into_iter().map(|(p, f)| (p, f, true)))
    }

    /// The built-in packs as embedded (checked at build time, their examples kept apart),
    /// then packs from the configuration, checked in full.
    pub fn with_builtin(
        builtin: Vec<(raw::Pack, String)>,
        extra: Vec<(raw::Pack, String)>,
    ) -> Result<Self, RuleError> {
        Self::build(
            builtin
                .into_iter()
                .map(|(p, f)| (p, f, false))
                .chain(extra.into_iter().map(|(p, f)| (p, f, true))),
        )
    }

    fn build(packs: impl Iterator<Item = (raw::Pack, String, bool)>) -> Result<Self, RuleError> {
        let mut set = RuleSet::default();
        for (pack, file, require_examples) in packs {
            for (name, program) in &pack.programs {
                let spec = set.options.entry(name.clone()).or_default();
                spec.with_value
                    .extend(program.options_with_value.iter().cloned());
                spec.help.extend(program.help_flags.iter().cloned());
                spec.with_command
                    .extend(program.options_with_command.iter().cloned());
                spec.abbreviates |= program.long_options_abbreviate;
                for alias in &program.aliases {
                    set.aliases.insert(alias.clone(), name.clone());
                }
                if let Some(e) = &program.environment {
                    set.environments.insert(name.clone(), e.clone());
                }
            }
            for r in pack.rules {
                // Taken apart, so that what the rule keeps is moved into it, not copied.
                let raw::Rule {
                    id,
                    program,
                    path,
                    when,
                    severity,
                    message,
                    suggestion,
                    examples,
                    backup,
                } = r;
                let invalid = |why: String| RuleError::Invalid {
                    file: file.clone(),
                    rule: id.clone(),
                    message: why,
                };
                if set.rules.iter().any(|x| x.id == id) {
                    return Err(invalid("duplicate rule id".into()));
                }
                let path: Vec<Vec<String>> = path.iter().map(|p| alternatives(p)).collect();
                if path.iter().any(Vec::is_empty) {
                    return Err(invalid("a path step has no alternative".into()));
                }
                let mut option_value = Vec::new();
                for ov in &when.option_value {
                    let Some((names, pattern)) = ov.split_once('=') else {
                        return Err(invalid(format!("option_value {ov:?} is not name=glob")));
                    };
                    option_value.push((alternatives(names), pattern.to_string()));
                }
                let positions = |list: &[String], field: &str| {
                    let mut out = Vec::new();
                    for oa in list {
                        let parsed = oa
                            .split_once('=')
                            .and_then(|(i, g)| Some((i.trim().parse::<isize>().ok()?, g)))
                            .filter(|(_, g)| !g.is_empty());
                        let Some((index, pattern)) = parsed else {
                            return Err(format!("{field} {oa:?} is not index=glob"));
                        };
                        out.push((index, pattern.to_string()));
                    }
                    Ok(out)
                };
                let operand_at = positions(&when.operand_at, "operand_at").map_err(invalid)?;
                let operand_not_at =
                    positions(&when.operand_not_at, "operand_not_at").map_err(invalid)?;
                if let Some(t) = &when.some_operand
                    && t.class.is_empty()
                    && t.glob.is_empty()
                    && t.not_class.is_empty()
                    && t.not_glob.is_empty()
                {
                    return Err(invalid("some_operand tests nothing".into()));
                }
                if let (Some(min), Some(max)) = (when.operands_min, when.operands_max)
                    && min > max
                {
                    return Err(invalid(format!(
                        "operands_min {min} is above operands_max {max}"
                    )));
                }
                let mut kinds = Vec::new();
                for k in &when.sql {
                    let kind = serde_json::from_value(serde_json::Value::String(k.clone()))
                        .map_err(|_| invalid(format!("unknown sql kind {k:?}")))?;
                    kinds.push(kind);
                }
                if let Some(h) = &when.http {
                    for g in h.hosts.iter().chain(&h.paths) {
                        if g.is_empty() {
                            return Err(invalid("empty http glob".into()));
                        }
                    }
                }
                let mut env = Vec::new();
                for e in &when.env {
                    match e.split_once('=') {
                        Some((name, value)) if !name.is_empty() => {
                            env.push((name.to_string(), value.to_string()));
                        }
                        _ => return Err(invalid(format!("env condition {e:?} is not NAME=glob"))),
                    }
                }
                let programs: Vec<String> = match program {
                    raw::OneOrMany::One(p) => vec![p],
                    raw::OneOrMany::Many(v) => v,
                };
                if programs.is_empty() {
                    return Err(invalid("no program".into()));
                }
                if require_examples && examples.block.is_empty() {
                    return Err(invalid("no example that must block".into()));
                }
                let index = set.rules.len();
                for p in &programs {
                    set.by_program.entry(p.clone()).or_default().push(index);
                }
                set.rules.push(Rule {
                    pack: pack.pack.clone(),
                    programs,
                    path,
                    flags_any: when
                        .flags_any
                        .iter()
                        .flat_map(|f| alternatives(f))
                        .collect(),
                    flags_all: when.flags_all.iter().map(|f| alternatives(f)).collect(),
                    flags_none: when
                        .flags_none
                        .iter()
                        .flat_map(|f| alternatives(f))
                        .collect(),
                    operand_class: when.operand_class,
                    operand_glob: when.operand_glob,
                    option_value,
                    some_operand: when.some_operand,
                    operand_at,
                    operand_not_at,
                    operands_min: when.operands_min,
                    operands_max: when.operands_max,
                    redirect_truncates: when.redirect_truncates,
                    sql: kinds,
                    sql_hidden: when.sql_hidden,
                    sql_writes: when.sql_writes,
                    http: when.http,
                    code_deletes: when.code_deletes,
                    env,
                    production: when.production,
                    environment_unknown: when.environment_unknown,
                    id,
                    severity,
                    message,
                    suggestion,
                    examples,
                    backup,
                });
            }
        }
        set.learn_long_options();
        Ok(set)
    }

    /// For each program that abbreviates long options, the long options its rules and its
    /// option readers name: what a prefix on a command line is resolved among.
    fn learn_long_options(&mut self) {
        for (program, indexes) in &self.by_program {
            let Some(spec) = self.options.get_mut(program) else {
                continue;
            };
            if !spec.abbreviates {
                continue;
            }
            let mut known: Vec<String> = spec
                .with_value
                .iter()
                .chain(&spec.help)
                .filter(|o| o.starts_with("--"))
                .cloned()
                .collect();
            let mut by_sub: std::collections::BTreeMap<String, Vec<String>> =
                std::collections::BTreeMap::new();
            for r in indexes.iter().filter_map(|&i| self.rules.get(i)) {
                let names = r
                    .flags_any
                    .iter()
                    .chain(r.flags_all.iter().flatten())
                    .chain(&r.flags_none)
                    .chain(r.option_value.iter().flat_map(|(n, _)| n))
                    .filter(|n| n.starts_with("--"))
                    .cloned();
                // A rule with a subcommand teaches its options to that subcommand only; one
                // without, to the program as a whole.
                match r.path.first() {
                    Some(subs) if !subs.is_empty() => {
                        let names: Vec<String> = names.collect();
                        for s in subs {
                            by_sub.entry(s.clone()).or_default().extend(names.clone());
                        }
                    }
                    _ => known.extend(names),
                }
            }
            known.sort();
            known.dedup();
            spec.known_long_by_sub = by_sub
                .into_iter()
                .map(|(s, mut list)| {
                    list.extend(known.iter().cloned());
                    list.sort();
                    list.dedup();
                    (s, list)
                })
                .collect();
            spec.known_long = known;
        }
    }

    /// All rules, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// All rules, to change their severities (the config's overrides).
    pub fn rules_mut(&mut self) -> &mut [Rule] {
        &mut self.rules
    }

    /// The rules that match `cmd`, one of the commands of `script`.
    pub fn matching(&self, cmd: &Command, script: &Script) -> Vec<&Rule> {
        self.matching_all(cmd, script).exact
    }

    /// The rules that match `cmd`, and those that would match if a subcommand word only
    /// known at run time (`railway volume $verb`) were the one they name.
    ///
    /// No environment is read here (rules are data, and reading a CLI's state is the
    /// decision's business): rules that count only in production, or only where no
    /// environment is known, are judged as if none were named. The decision, and the pack
    /// examples through it, read the environment with [`RuleSet::matching_all_env`].
    pub fn matching_all(&self, cmd: &Command, script: &Script) -> Matching<'_, ()> {
        let readings = Readings::new(script);
        self.matching_all_env(cmd, &readings, &script_env(script), |_, _| None)
    }

    /// [`RuleSet::matching_all`] with the line's exported variables worked out once by the
    /// caller ([`script_env`]): deciding on every command of a long script stays linear.
    /// The payloads come from `readings` (those of the script `cmd` belongs to), read once
    /// per command for the loader, the matcher and the effect readers alike.
    ///
    /// `locate` reads the environment the command acts on from its program's pack spec,
    /// only when some rule matched (it may read a CLI's state), and says whether it is
    /// protected: the caller owns that reading, so matching itself reads no file.
    pub fn matching_all_env<T>(
        &self,
        cmd: &Command,
        readings: &Readings<'_>,
        env: &[(String, String)],
        locate: impl FnOnce(&str, &raw::EnvironmentSpec) -> Option<(T, bool)>,
    ) -> Matching<'_, T> {
        let script = readings.script();
        let none = Matching::none();
        let Some(program) = rule_program(cmd) else {
            return none;
        };
        let program = self.aliases.get(program).map_or(program, String::as_str);
        let Some(candidates) = self.by_program.get(program) else {
            return none;
        };
        let args = cmd.argv.get(1..).unwrap_or(&[]);
        let default_spec = OptionSpec::default();
        let spec = self.options.get(program).unwrap_or(&default_spec);
        // Asking for help runs nothing, whatever else the line says; after `--` a word is an
        // operand (`gh release delete -- --help` deletes the release named `--help`).
        if args
            .iter()
            .take_while(|w| w.text != "--")
            .any(|w| w.text == "--help" || spec.help.contains(&w.text))
        {
            return none;
        }
        let tokens = normalise(args, spec);
        let payloads = Payloads {
            cmd,
            script,
            env,
            readings,
            index: readings.index_of(cmd),
            sql: OnceCell::new(),
            http: OnceCell::new(),
            code: OnceCell::new(),
            dynamic_path: false,
        };
        let mut exact: Vec<&Rule> = candidates
            .iter()
            .filter_map(|&i| self.rules.get(i))
            .filter(|r| r.matches(&tokens, &payloads))
            .collect();
        let mut through_dynamic: Vec<&Rule> = if args.iter().any(|w| w.dynamic) {
            let payloads = Payloads {
                dynamic_path: true,
                ..payloads
            };
            candidates
                .iter()
                .filter_map(|&i| self.rules.get(i))
                .filter(|r| r.matches(&tokens, &payloads))
                .collect()
        } else {
            Vec::new()
        };
        // The environment is looked for only when something matched: reading the CLIs'
        // state costs a file read, and most commands match nothing.
        let target = if exact.is_empty() && through_dynamic.is_empty() {
            None
        } else {
            self.environments
                .get(program)
                .and_then(|spec| locate(program, spec))
        };
        let protected = target.as_ref().is_some_and(|(_, p)| *p);
        let unknown = target.is_none();
        let target = target.map(|(t, _)| t);
        let counts =
            |r: &&Rule| (protected || !r.production) && (unknown || !r.environment_unknown);
        exact.retain(counts);
        through_dynamic.retain(counts);
        let insure = exact
            .iter()
            .filter_map(|r| {
                let spec = r.backup?;
                Some(insure::need(&r.id, spec, cmd, &tokens, r.path.len(), env))
            })
            .collect();
        Matching {
            exact,
            through_dynamic,
            target,
            insure,
        }
    }
}

/// The program name rules index `cmd` under: its program, or `:` for a command that is only
/// redirections (`> .env` truncates `.env` exactly as `: > .env` does). Callers that load
/// rules per program (`builtin::for_programs`) should ask for this name.
pub fn rule_program(cmd: &Command) -> Option<&str> {
    match cmd.program() {
        Some(p) => Some(p),
        None if cmd.argv.is_empty() && !cmd.redirects.is_empty() => Some(":"),
        None => None,
    }
}

/// `$d/x` where the line set `d=$(mktemp -d)`: the operand is read as `$(mktemp -d)/x`, a
/// fresh directory of the line's own (`d=$(mktemp -d); trap 'rm -rf "$d"' EXIT`). Any
/// other word is itself.
fn made_by_mktemp<'w>(w: &'w Word, env: &[(String, String)]) -> std::borrow::Cow<'w, Word> {
    let t = w.text.as_str();
    let Some(after) = t.strip_prefix('$') else {
        return std::borrow::Cow::Borrowed(w);
    };
    let (name, rest) = match after.strip_prefix('{') {
        Some(b) => match b.split_once('}') {
            Some((n, r)) => (n, r),
            None => return std::borrow::Cow::Borrowed(w),
        },
        None => {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        }
    };
    // The last assignment counts; one that is not a plain mktemp leaves the word alone.
    match env.iter().rev().find(|(n, _)| n == name) {
        Some((_, v)) if v.starts_with("$(mktemp") && v.ends_with(')') && !v[1..].contains('$') => {
            let mut fresh = w.clone();
            fresh.text = format!("{v}{rest}");
            std::borrow::Cow::Owned(fresh)
        }
        _ => std::borrow::Cow::Borrowed(w),
    }
}

/// The rules [`RuleSet::matching_all`] found for one command.
#[derive(Debug)]
pub struct Matching<'r, T> {
    /// Rules that match.
    pub exact: Vec<&'r Rule>,
    /// Rules that match only if a subcommand word known at run time is the one they name.
    pub through_dynamic: Vec<&'r Rule>,
    /// The environment the command acts on, as the caller's `locate` read it, when a rule
    /// matched and its pack says where to look.
    pub target: Option<T>,
    /// The backups the matching rules ask for before a person's confirmed run.
    pub insure: Vec<insure::Insure>,
}

impl<T> Matching<'_, T> {
    fn none() -> Self {
        Matching {
            exact: Vec::new(),
            through_dynamic: Vec::new(),
            target: None,
            insure: Vec::new(),
        }
    }
}

/// A command's payloads, worked out at most once however many rules ask.
struct Payloads<'a> {
    cmd: &'a Command,
    script: &'a Script,
    /// Variables the line sets for everything after it (see [`script_env`]).
    env: &'a [(String, String)],
    /// The line's payloads, read once per command; `index` is `cmd`'s place among them
    /// (`None` for a command that is not one of the script's, read here on its own).
    readings: &'a Readings<'a>,
    index: Option<usize>,
    /// Match a subcommand step that is only known at run time as if it were the rule's,
    /// and only rules that need that.
    dynamic_path: bool,
    sql: OnceCell<Option<sql::SqlPayload>>,
    http: OnceCell<Option<http::Request>>,
    code: OnceCell<Option<Vec<Word>>>,
}

impl Payloads<'_> {
    fn sql(&self) -> Option<&sql::SqlPayload> {
        match self.index {
            Some(i) => self.readings.sql(i),
            None => self
                .sql
                .get_or_init(|| sql::payload(self.cmd, self.script))
                .as_ref(),
        }
    }

    fn http(&self) -> Option<&http::Request> {
        match self.index {
            Some(i) => self.readings.http(i),
            None => self
                .http
                .get_or_init(|| http::request(self.cmd, self.script))
                .as_ref(),
        }
    }

    fn code_deletes(&self) -> &[Word] {
        match self.index {
            Some(i) => self.readings.code_deletes(i),
            None => self
                .code
                .get_or_init(|| code::deletes(self.cmd, self.script))
                .as_deref()
                .unwrap_or(&[]),
        }
    }
}

impl Rule {
    fn matches(&self, tokens: &[Token<'_>], payloads: &Payloads<'_>) -> bool {
        let operands: Vec<&Word> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Operand(w) => Some(*w),
                Token::Flag { .. } => None,
            })
            .collect();
        let mut through_dynamic = false;
        for (k, alts) in self.path.iter().enumerate() {
            match operands.get(k) {
                Some(w) if w.is_literal() && alts.contains(&w.text) => {}
                // `railway volume $verb pg-data`: the step is only known at run time.
                Some(w) if payloads.dynamic_path && w.dynamic => through_dynamic = true,
                _ => return false,
            }
        }
        if payloads.dynamic_path && !through_dynamic {
            return false;
        }
        let rest = operands.get(self.path.len()..).unwrap_or(&[]);
        // `--dry-run=false`, `--dry-run=none`, `--recursive=0` switch the option off: it is
        // not there (else `--dry-run=none` would pass as a dry run).
        let has = |name: &str| {
            tokens.iter().any(|t| {
                matches!(t, Token::Flag { name: n, inline, .. }
                if n == name
                    && !inline.as_deref().is_some_and(|v| {
                        matches!(
                            v.to_ascii_lowercase().as_str(),
                            "false" | "none" | "0" | "no" | "off"
                        )
                    }))
            })
        };
        if !self.flags_any.is_empty() && !self.flags_any.iter().any(|f| has(f)) {
            return false;
        }
        if !self
            .flags_all
            .iter()
            .all(|alts| alts.iter().any(|f| has(f)))
        {
            return false;
        }
        if self.flags_none.iter().any(|f| has(f)) {
            return false;
        }
        if !self.operand_class.is_empty()
            && !rest
                .iter()
                .any(|w| self.operand_class.iter().any(|c| classes::is_in(w, *c)))
        {
            return false;
        }
        if !self.operand_glob.is_empty()
            && !rest.iter().any(|w| {
                self.operand_glob
                    .iter()
                    .any(|g| glob::operand_matches(g, w))
            })
        {
            return false;
        }
        if self.operands_min.is_some_and(|min| rest.len() < min)
            || self.operands_max.is_some_and(|max| rest.len() > max)
        {
            return false;
        }
        if let Some(t) = &self.some_operand
            && !rest
                .iter()
                .any(|w| operand_passes(t, &made_by_mktemp(w, payloads.env)))
        {
            return false;
        }
        // `index=glob`: the operand there (`-1` the last) matches.
        let at = |(index, pattern): &(isize, String)| {
            let i = if *index < 0 {
                rest.len().checked_sub(index.unsigned_abs())
            } else {
                usize::try_from(*index).ok()
            };
            i.and_then(|i| rest.get(i))
                .is_some_and(|w| glob::operand_matches(pattern, w))
        };
        if !self.operand_at.is_empty() && !self.operand_at.iter().any(at) {
            return false;
        }
        if self.operand_not_at.iter().any(at) {
            return false;
        }
        if !self.redirect_truncates.is_empty()
            && !payloads.cmd.redirects.iter().any(|r| {
                truncates(r.kind)
                    && self
                        .redirect_truncates
                        .iter()
                        .any(|g| glob::matches(g, &r.target.text))
            })
        {
            return false;
        }
        if !self.sql.is_empty()
            && !payloads
                .sql()
                .is_some_and(|p| p.kinds.iter().any(|k| self.sql.contains(k)))
        {
            return false;
        }
        if self.sql_hidden && !payloads.sql().is_some_and(|p| p.hidden) {
            return false;
        }
        if self.sql_writes && !payloads.sql().is_some_and(|p| p.writes) {
            return false;
        }
        if let Some(h) = &self.http
            && !payloads.http().is_some_and(|r| http_matches(h, r))
        {
            return false;
        }
        if !self.env.is_empty() && !env_matches(&self.env, payloads.cmd, payloads.env) {
            return false;
        }
        if !self.code_deletes.is_empty()
            && !payloads
                .code_deletes()
                .iter()
                .any(|w| self.code_deletes.iter().any(|c| classes::is_in(w, *c)))
        {
            return false;
        }
        if !self.option_value.is_empty()
            && !self.option_value.iter().any(|ov| value_matches(ov, tokens))
        {
            return false;
        }
        true
    }

    /// The programs this rule is about.
    pub fn programs(&self) -> &[String] {
        &self.programs
    }
}

/// Variables a line sets for the commands after it: bare assignments and `export`,
/// `declare`, `typeset`, `set`, `setenv` arguments, anywhere in the line (judged
/// pessimistically: order is not checked).
pub fn script_env(script: &Script) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in &script.commands {
        if c.argv.is_empty() {
            out.extend(
                c.assignments
                    .iter()
                    .map(|a| (a.name.clone(), a.value.text.clone())),
            );
        } else if matches!(
            c.program(),
            Some("export" | "declare" | "typeset" | "set" | "setenv")
        ) {
            out.extend(c.argv.iter().skip(1).filter_map(|w| {
                w.text
                    .split_once('=')
                    .map(|(n, v)| (n.to_owned(), v.to_owned()))
            }));
        }
    }
    out
}

/// Is one of `wanted` (`NAME` glob, value glob) set for `cmd`: by its own prefix
/// assignments, or by the line for everything after it (`env`, from [`script_env`])?
fn env_matches(wanted: &[(String, String)], cmd: &Command, env: &[(String, String)]) -> bool {
    let hit = |name: &str, value: &str| {
        wanted
            .iter()
            .any(|(n, v)| glob::matches(n, name) && glob::matches(v, value))
    };
    cmd.assignments.iter().any(|a| hit(&a.name, &a.value.text))
        || env.iter().any(|(n, v)| hit(n, v))
}

/// Does one operand meet every part of `t`?
fn operand_passes(t: &raw::OperandTest, w: &Word) -> bool {
    (t.class.is_empty() || t.class.iter().any(|c| classes::is_in(w, *c)))
        && (t.glob.is_empty() || t.glob.iter().any(|g| glob::operand_matches(g, w)))
        && !t.not_class.iter().any(|c| classes::is_in(w, *c))
        && !t.not_glob.iter().any(|g| glob::matches(g, &w.text))
}

/// An option (`--expire=now`, `-X DELETE`) or a `name=value` operand (`of=/dev/sda`)
/// whose value matches.
fn value_matches((names, pattern): &(Vec<String>, String), tokens: &[Token<'_>]) -> bool {
    tokens.iter().any(|t| match t {
        Token::Flag {
            name,
            value,
            inline,
        } if names.contains(name) => {
            let v = value.map(|w| w.text.as_str()).or(inline.as_deref());
            v.is_some_and(|v| glob::matches(pattern, v))
        }
        Token::Operand(w) => w
            .text
            .split_once('=')
            .is_some_and(|(n, v)| names.iter().any(|x| x == n) && glob::matches(pattern, v)),
        _ => false,
    })
}

/// Does a redirection of this kind empty its target first (`>`, `>|`, `&>`)? What
/// `redirect_truncates` conditions look at.
fn truncates(kind: RedirectKind) -> bool {
    matches!(
        kind,
        RedirectKind::Output | RedirectKind::Clobber | RedirectKind::OutputBoth
    )
}

/// Does `cmd` have a redirection that empties its target? Without one, no
/// `redirect_truncates` rule can match it (see `builtin::for_commands`).
pub(crate) fn has_truncating_redirect(cmd: &Command) -> bool {
    cmd.redirects.iter().any(|r| truncates(r.kind))
}

/// Does the request meet every HTTP condition given?
fn http_matches(h: &raw::Http, r: &http::Request) -> bool {
    if !h.methods.is_empty() && !h.methods.iter().any(|m| m.eq_ignore_ascii_case(&r.method)) {
        return false;
    }
    let url_ok = |url: &str| {
        let (host, path) = split_url(url);
        (h.hosts.is_empty() || h.hosts.iter().any(|g| glob::matches(g, &host)))
            && (h.paths.is_empty() || h.paths.iter().any(|g| glob::matches(g, path)))
    };
    if (!h.hosts.is_empty() || !h.paths.is_empty()) && !r.urls.iter().any(|u| url_ok(u)) {
        return false;
    }
    if !h.not_hosts.is_empty()
        && r.urls.iter().any(|u| {
            let (host, _) = split_url(u);
            h.not_hosts.iter().any(|g| glob::matches(g, &host))
        })
    {
        return false;
    }
    if !h.mutations.is_empty()
        && !r.mutations.iter().any(|m| {
            h.mutations.iter().any(|g| glob::matches(g, m))
                && !h.not_mutations.iter().any(|g| glob::matches(g, m))
        })
    {
        return false;
    }
    if h.hidden && !r.hidden {
        return false;
    }
    true
}

/// URLs are read where requests are: see [`crate::payload::http::split_url`].
pub use crate::payload::http::split_url;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Limits;

    /// A set with one rule per `(id, program, path, when)`, each with a dummy block example.
    fn set(rules: &[(&str, &str, &str, &str)]) -> Result<RuleSet, RuleError> {
        let mut text = String::from("pack: t\ndescription: d\nrules:\n");
        for (id, program, path, when) in rules {
            text.push_str(&format!(
                "  - id: {id}\n    program: '{program}'\n    path: {path}\n    when: {when}\n    \
                 severity: warn\n    message: m\n    suggestion: s\n    examples: {{block: [x]}}\n"
            ));
        }
        RuleSet::new(vec![(load_pack(&text, "t.yaml")?, "t.yaml".into())])
    }

    fn ids(set: &RuleSet, line: &str) -> Vec<String> {
        let script = crate::unwrap::analyze(line, &Limits::default());
        script
            .commands
            .iter()
            .flat_map(|c| set.matching(c, &script))
            .map(|r| r.id.clone())
            .collect()
    }

    #[test]
    fn operand_conditions() {
        let s = set(&[
            ("none", "api", "[]", "{operands_max: 0}"),
            ("two_or_more", "cp", "[]", "{operands_min: 2}"),
            ("first_null", "cp", "[]", "{operand_at: ['0=/dev/null']}"),
            ("last_db", "mv", "[]", "{operand_at: ['-1=*.db']}"),
            (
                "db_not_tmp",
                "rm",
                "[]",
                "{some_operand: {glob: ['*.db'], not_glob: ['{,*/}tmp/*']}}",
            ),
            (
                "outside_artifacts",
                "rm",
                "[]",
                "{some_operand: {not_glob: ['{,./}{dist,target}{,/}']}}",
            ),
            (
                "dynamic_unguarded",
                "rm",
                "[]",
                "{some_operand: {class: [dynamic], not_glob: ['*${*[?]*}*']}}",
            ),
            ("after_dashdash", "git", "[checkout]", "{flags_any: ['--']}"),
        ])
        .expect("compiles");
        let cases: &[(&str, &[&str])] = &[
            ("api", &["none"]),
            ("api --json", &["none"]),
            ("api q", &[]),
            ("cp a", &[]),
            ("cp a b", &["two_or_more"]),
            ("cp /dev/null app.db", &["two_or_more", "first_null"]),
            ("cp app.db /dev/null", &["two_or_more"]),
            ("mv new.db data/app.db", &["last_db"]),
            ("mv app.db old/", &[]),
            ("mv", &[]),
            ("rm tmp/a.db", &["outside_artifacts"]),
            ("rm tmp/a.db prod.db", &["db_not_tmp", "outside_artifacts"]),
            ("rm -rf dist ./target/", &[]),
            ("rm -rf dist src", &["outside_artifacts"]),
            (
                "rm -rf \"$DIR\"/",
                &["outside_artifacts", "dynamic_unguarded"],
            ),
            ("rm -rf \"${DIR:?}\"/", &["outside_artifacts"]),
            (
                "rm -rf \"${DIR:-/}\"",
                &["outside_artifacts", "dynamic_unguarded"],
            ),
            ("git checkout -- .", &["after_dashdash"]),
            ("git checkout main", &[]),
        ];
        for (line, want) in cases {
            assert_eq!(ids(&s, line), *want, "{line}");
        }
    }

    #[test]
    fn redirect_truncates() {
        let s = set(&[
            ("null", ":", "[]", "{redirect_truncates: ['.env{,.*}']}"),
            ("echo", "echo", "[]", "{redirect_truncates: ['*.sql']}"),
        ])
        .expect("compiles");
        let cases: &[(&str, &[&str])] = &[
            (": > .env", &["null"]),
            ("> .env", &["null"]),
            (">| .env.local", &["null"]),
            (": >> .env", &[]),
            (": < .env", &[]),
            ("echo '' > backup.sql", &["echo"]),
            ("echo hi 2> err.sql", &["echo"]),
            ("echo hi > notes.txt", &[]),
        ];
        for (line, want) in cases {
            assert_eq!(ids(&s, line), *want, "{line}");
        }
    }

    #[test]
    fn options_switched_off_inline_are_absent() {
        let s = set(&[(
            "del",
            "kubectl",
            "[delete]",
            "{flags_none: ['--dry-run'], flags_any: ['--all', '-A']}",
        )])
        .expect("compiles");
        let cases: &[(&str, &[&str])] = &[
            ("kubectl delete --all", &["del"]),
            ("kubectl delete --all --dry-run=client", &[]),
            ("kubectl delete --all --dry-run", &[]),
            ("kubectl delete --all --dry-run=none", &["del"]),
            ("kubectl delete --all --dry-run=False", &["del"]),
            ("kubectl delete --all=false", &[]),
        ];
        for (line, want) in cases {
            assert_eq!(ids(&s, line), *want, "{line}");
        }
    }

    #[test]
    fn help_after_double_dash_is_an_operand() {
        let s = set(&[("del", "gh", "[release, delete]", "{}")]).expect("compiles");
        assert_eq!(ids(&s, "gh release delete --help"), Vec::<String>::new());
        assert_eq!(ids(&s, "gh release delete -- --help"), ["del"]);
    }

    #[test]
    fn env_conditions() {
        let s = set(&[(
            "consent",
            "prisma",
            "[]",
            "{env: ['PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION=*', 'TF_CLI_ARGS*=*-destroy*']}",
        )])
        .expect("compiles");
        let cases: &[(&str, &[&str])] = &[
            (
                "PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION=yes prisma migrate reset",
                &["consent"],
            ),
            (
                "env PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION=1 prisma db push",
                &["consent"],
            ),
            (
                "export PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION=1; prisma x",
                &["consent"],
            ),
            ("TF_CLI_ARGS_apply=-destroy prisma", &["consent"]),
            ("prisma migrate status", &[]),
            ("OTHER=1 prisma migrate reset", &[]),
        ];
        for (line, want) in cases {
            assert_eq!(ids(&s, line), *want, "{line}");
        }
        let bad = set(&[("x", "prisma", "[]", "{env: ['NOEQUALS']}")]);
        assert!(bad.is_err());
    }

    #[test]
    fn help_flags_are_per_program() {
        let text = "pack: t\ndescription: d\nprograms:\n  railway:\n    help_flags: [-h]\n\
                    rules:\n  - {id: a, program: railway, severity: deny, message: m, \
                    suggestion: s, examples: {block: [x]}}\n  - {id: b, program: rm, \
                    severity: deny, message: m, suggestion: s, examples: {block: [x]}}\n";
        let s = RuleSet::new(vec![(
            load_pack(text, "t.yaml").expect("loads"),
            "t.yaml".into(),
        )])
        .expect("compiles");
        assert!(ids(&s, "railway volume delete -h").is_empty());
        assert!(ids(&s, "railway volume delete --help").is_empty());
        assert_eq!(ids(&s, "railway volume delete"), ["a"]);
        assert_eq!(ids(&s, "rm -h x"), ["b"]);
    }

    #[test]
    fn malformed_conditions_are_refused() {
        for when in [
            "{operand_at: ['x=*']}",
            "{operand_at: ['0=']}",
            "{operand_at: ['*.db']}",
            "{some_operand: {}}",
            "{operands_min: 2, operands_max: 1}",
        ] {
            let err = set(&[("r", "rm", "[]", when)]).expect_err(when);
            assert!(err.to_string().contains("rule r"), "{when}: {err}");
        }
        let err =
            set(&[("r", "rm", "[]", "{some_operand: {globs: ['x']}}")]).expect_err("unknown field");
        assert!(err.to_string().contains("globs"), "{err}");
    }
}

#[cfg(test)]
mod url_tests {
    use super::split_url;

    #[test]
    fn hosts_are_read_as_the_resolver_reads_them() {
        let cases = [
            (
                "https://backboard.railway.com/graphql/v2",
                "backboard.railway.com",
                "/graphql/v2",
            ),
            (
                "https://Backboard.Railway.COM./graphql/v2",
                "backboard.railway.com",
                "/graphql/v2",
            ),
            (
                "https://u:p@api.heroku.com:443/apps/x?y=1",
                "api.heroku.com",
                "/apps/x?y=1",
            ),
            (
                "api.vercel.com/v9/projects/x",
                "api.vercel.com",
                "/v9/projects/x",
            ),
            ("http://[::1]:3000/x", "::1", "/x"),
        ];
        for (url, host, path) in cases {
            assert_eq!(split_url(url), (host.to_string(), path), "{url}");
        }
    }
}
