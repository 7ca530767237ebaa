//! What a matched rule asks to have backed up, read off the command the way the rules read
//! it (options apart from operands, the program's own option table): the backup layer
//! (src/backup) takes it before a person's confirmed line runs, and never parses the line
//! again.

use serde::Serialize;

use super::argv::Token;
use super::raw::{Backup, BackupKind, BackupOf};
use crate::parse::{Command, Word};

/// One backup a line needs before it may run, confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Insure {
    /// The kind of backup.
    pub kind: BackupKind,
    /// The rule that asked for it.
    pub rule: String,
    /// Other rules that asked for the very same backup on this command: it serves them too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    /// The command as written (for messages).
    pub command: String,
    /// The command's argv after quote removal.
    pub argv: Vec<String>,
    /// What a `files` backup copies, as written (relative to where the line runs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    /// Variables the line sets for the command (`PGHOST=db psql …`, `export …` earlier):
    /// the backup connects where the command will.
    #[serde(skip)]
    pub env: Vec<(String, String)>,
    /// Directories the line changes into before the command (`cd app && rm -rf build`),
    /// in order; relative targets are read from there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cd: Vec<String>,
    /// The line changes directory in a way only known when it runs (`cd "$D"`, `cd -`, a
    /// `cd` in a subshell or loop): relative targets cannot be placed (fail closed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cd_unknown: bool,
}

/// How the directory changes the line makes before each of its commands are known: what
/// [`Insure::cd`] and [`Insure::cd_unknown`] hold.
#[derive(Debug, Clone, Default)]
pub struct Moves {
    /// Literal `cd DIR` steps at the top level of the line so far.
    pub steps: Vec<String>,
    /// A change that cannot be followed was seen.
    pub unknown: bool,
}

impl Moves {
    /// Take `cmd`, which runs before the commands still to come, into account.
    pub fn after(&mut self, cmd: &Command) {
        if !matches!(cmd.program(), Some("cd" | "pushd" | "popd")) {
            return;
        }
        let args: Vec<&Word> = cmd.argv.get(1..).unwrap_or(&[]).iter().collect();
        let top_level = cmd
            .places
            .iter()
            .all(|p| matches!(p, crate::parse::Place::Group));
        match (cmd.program(), args.as_slice()) {
            (Some("cd" | "pushd"), [dir])
                if top_level && dir.is_literal() && !dir.text.starts_with('-') =>
            {
                self.steps.push(dir.text.clone());
            }
            _ => self.unknown = true,
        }
    }
}

/// A path operand a `files` backup copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The word after quote removal.
    pub text: String,
    /// It holds an unquoted glob character: the shell expands it against the files there.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub glob: bool,
    /// It starts with a `~` the shell expands.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub tilde: bool,
    /// Its value is only known when the line runs (`$DIR`, `$(…)`, `{a,b}`): no backup
    /// can be planned for it, so a confirmed line with it does not run (fail closed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
    /// What is lost is the file a symbolic link points to, not the link: a redirection
    /// writes through it (`> config.yaml` where that is a link into dotfiles).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub follow: bool,
}

impl Target {
    fn of(w: &Word) -> Target {
        Target {
            text: w.text.clone(),
            glob: w.glob,
            tilde: w.tilde,
            unknown: w.dynamic || w.brace,
            follow: false,
        }
    }

    fn written_through(w: &Word) -> Target {
        Target {
            follow: true,
            ..Target::of(w)
        }
    }
}

/// Pseudo-files a redirection writes to without destroying anything stored.
const NOT_STORAGE: &[&str] = &["/dev/", "/proc/", "/sys/"];

/// The rule id a redirection's own backup is recorded under: bash, not a pack, knows that
/// `>` empties its target whatever the program is.
pub const REDIRECT_RULE: &str = "shell.redirect.overwrite";

/// The backup of what `cmd`'s truncating redirections (`>`, `>|`, `&>`) overwrite, when
/// they name something that may hold data: `echo KEY=2 > app.env` loses the old
/// `app.env`. The backup layer skips a target that does not exist yet.
pub fn redirects(cmd: &Command, env: &[(String, String)]) -> Option<Insure> {
    let targets: Vec<Target> = cmd
        .redirects
        .iter()
        .filter(|r| super::truncates(r.kind))
        .filter(|r| !NOT_STORAGE.iter().any(|p| r.target.text.starts_with(p)))
        .map(|r| Target::written_through(&r.target))
        .collect();
    if targets.is_empty() {
        return None;
    }
    let mut need = need(
        REDIRECT_RULE,
        Backup {
            kind: BackupKind::Files,
            of: BackupOf::Command,
        },
        cmd,
        &[],
        0,
        env,
    );
    need.targets = targets;
    Some(need)
}

impl Insure {
    /// What it copies and from where, as one key: two needs with the same key are the same
    /// backup (`rm app.db` is a data-file delete and a file delete), taken once.
    pub fn work_key(&self) -> String {
        let mut key = format!("{:?}\0{}", self.kind, self.command);
        for d in &self.cd {
            key.push_str("\0cd ");
            key.push_str(d);
        }
        for t in &self.targets {
            key.push_str("\0t ");
            key.push_str(&t.text);
        }
        key
    }

    /// Was it asked for by `rule`?
    pub fn serves(&self, rule: &str) -> bool {
        self.rule == rule || self.also.iter().any(|r| r == rule)
    }

    /// Does it already copy each target of `other`?
    pub fn covers(&self, other: &Insure) -> bool {
        self.kind == other.kind
            && self.command == other.command
            && self.cd == other.cd
            && other
                .targets
                .iter()
                .all(|t| self.targets.iter().any(|s| s.text == t.text))
    }
}

/// The backup `spec` asks for on `cmd`, whose argv normalised to `tokens` (operands after
/// the rule's subcommand path of `path_len` words), with the variables `env` the line set.
pub fn need(
    rule: &str,
    spec: Backup,
    cmd: &Command,
    tokens: &[Token<'_>],
    path_len: usize,
    env: &[(String, String)],
) -> Insure {
    let operands: Vec<&Word> = tokens
        .iter()
        .filter_map(|t| match t {
            Token::Operand(w) => Some(*w),
            Token::Flag { .. } => None,
        })
        .skip(path_len)
        .collect();
    let targets = match (spec.kind, spec.of) {
        (BackupKind::Files, BackupOf::Operands) => operands.iter().map(|w| Target::of(w)).collect(),
        (BackupKind::Files, BackupOf::LastOperand) => {
            operands.last().map(|w| Target::of(w)).into_iter().collect()
        }
        (BackupKind::Files, BackupOf::Redirects) => cmd
            .redirects
            .iter()
            .filter(|r| super::truncates(r.kind))
            .map(|r| Target::written_through(&r.target))
            .collect(),
        _ => Vec::new(),
    };
    let mut vars: Vec<(String, String)> = env.to_vec();
    for a in &cmd.assignments {
        vars.retain(|(k, _)| *k != a.name);
        vars.push((a.name.clone(), a.value.text.clone()));
    }
    Insure {
        kind: spec.kind,
        rule: rule.to_owned(),
        also: Vec::new(),
        command: cmd.source.clone(),
        argv: cmd.args().map(str::to_owned).collect(),
        targets,
        env: vars,
        cd: Vec::new(),
        cd_unknown: false,
    }
}
