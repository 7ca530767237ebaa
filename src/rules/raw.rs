//! The YAML shape of a rule pack, exactly as written in `guards/*.yaml`.
//!
//! Unknown fields are errors: a misspelt condition must stop the load, never be ignored and
//! silently match less. These types are also compiled into the build script, which checks
//! every built-in pack before the binary exists.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One pack: the rules for one platform.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// The pack's name (`railway`, `git`).
    pub pack: String,
    /// What the pack covers.
    pub description: String,
    /// How each program's options are read, by program name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub programs: BTreeMap<String, Program>,
    /// The rules.
    pub rules: Vec<Rule>,
}

/// How one program's argv is read.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Program {
    /// Options that take a value, skipped wherever they stand (`-e`, `--environment`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options_with_value: Vec<String>,
    /// Options followed by a command the program runs, up to a `;` or `+` word (find's
    /// `-exec`): those words are that command's, not the program's own options, so
    /// `find . -exec echo -delete \;` has no `-delete` of find's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options_with_command: Vec<String>,
    /// Options whose value is shell text the program runs (`tar --to-command`, git's
    /// `-c core.pager=…`): guardsh reads that text as a script that runs. Read from the
    /// built-in packs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command_options: Vec<CommandOption>,
    /// Variables whose value is shell text a program runs (`GIT_SSH_COMMAND`, `BASH_ENV`):
    /// an assignment of one anywhere in a line is read as a script that runs. Read from the
    /// built-in packs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command_env: Vec<String>,
    /// Variables whose value names a file the program reads as shell code when it starts
    /// (`BASH_ENV` for a non-interactive bash, `ENV` for an interactive sh): an assignment of
    /// one anywhere in a line is read as `. FILE`, since any shell the line starts may read
    /// it. Read from the built-in packs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_env: Vec<String>,
    /// Subcommand words that the generic reading of a CLI (`<cli> [group …] <verb>`, see
    /// `effects::cli`) must not take for a destructive verb: what they remove is local and
    /// recoverable (`cargo remove serde`, `git rm`), or this pack's rules already judge
    /// it. `"*"` declares every verb of the program so. Read from the built-in packs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub harmless_verbs: Vec<String>,
    /// Subcommand words after which the program prints its own shell set-up (`pyenv init
    /// -`, `brew shellenv`, `direnv hook bash`), so that `eval "$(pyenv init -)"` and
    /// `source <(mise activate bash)` run the installed tool's code, not the line's: they
    /// are judged as the program itself. `"*"`: with any arguments (`ssh-agent -s`). Read
    /// from the built-in packs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shell_setup: Vec<String>,
    /// The program accepts any unique prefix of a long option (`rm --recu`, `git push
    /// --dele`), as GNU getopt_long, git's option parser and Python's argparse do: a prefix
    /// of exactly one long option the rules name is read as that option.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub long_options_abbreviate: bool,
    /// Other names the same program is installed under (`tofu` for `terraform`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Options that only print help, besides `--help` (`-h` for clap programs such as
    /// `railway` and for git). A command with one matches no rule: it runs nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub help_flags: Vec<String>,
    /// Where the program is told which environment it acts on: a flag, a variable, the
    /// state it keeps (see `environment`). Rules get stricter when that is production.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<EnvironmentSpec>,
    /// The program is a launcher: it runs a command given in its own argv, after its
    /// options (`faketime TIME CMD…`, `perf stat CMD…`, `bwrap --bind / / CMD…`). guardsh
    /// judges that command as if it stood alone. Its options that take one value are
    /// `options_with_value`. Read from the built-in packs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs_command: Option<RunsCommand>,
}

/// Where a launcher's command starts in its argv.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RunsCommand {
    /// Only after one of these subcommands (`perf stat`, `perf record`); empty: right
    /// after the program's options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subcommands: Vec<String>,
    /// Words of the launcher's own between its options and the command (`faketime`'s
    /// time: 1).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub operands: usize,
    /// Options that take more than one word, with how many (`bwrap --bind SRC DEST`: 2).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub option_words: BTreeMap<String, usize>,
}

/// An option whose value (or part of it) is shell text the program runs.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CommandOption {
    /// The option as written (`-c`, `--to-command`, `-I`).
    pub option: String,
    /// Only a value that starts with this carries a command, and the text after it is the
    /// command (`core.pager=` for git's `-c`; compared ignoring case, as git reads keys).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    /// The command is the text after the first occurrence of this in the value (`!` in
    /// vim's `-c 'silent !cmd'`); a value without it carries none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub after: String,
    /// The command is this many words further on than the option's next word (`npm
    /// set-script NAME COMMAND`: 1). Only for an option written as a word of its own.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skip: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// How to find the environment one program acts on. Earlier signals win, as they do for
/// the CLIs themselves: a flag on the command, then a variable the line sets, then the
/// process's variables, then the state the CLI keeps.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EnvironmentSpec {
    /// Which list of protected names in the config applies (`railway_environments` …).
    pub kind: EnvironmentKind,
    /// Options whose value is the environment's name (`--environment`, `-e`, `--context`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// Options whose value is a host, a URL or a `host=…` connection string (`-h`,
    /// `--dbname`): the host names the environment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_flags: Vec<String>,
    /// Options whose value is a path naming the environment (`-chdir=envs/prod`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_flags: Vec<String>,
    /// Variables whose value is the environment's name (`RAILWAY_ENVIRONMENT`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vars: Vec<String>,
    /// Variables whose value is a host or URL (`PGHOST`, `DATABASE_URL`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_vars: Vec<String>,
    /// Operands written as a URL or `host=…` connection string name the host
    /// (`psql postgres://db.prod/app`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub url_operands: bool,
    /// The state the CLI keeps about where it points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked: Option<Linked>,
}

/// The kinds of environment names, each with its own list of protected names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnvironmentKind {
    /// A Railway environment.
    Railway,
    /// A Kubernetes context.
    Kube,
    /// A database host.
    Database,
    /// A cloud account profile or project.
    Cloud,
    /// A Terraform or OpenTofu workspace (or a configuration directory).
    Terraform,
    /// An application environment (`RAILS_ENV`, a Heroku app).
    App,
}

/// State a CLI keeps about what it points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Linked {
    /// The Railway environment linked to the working directory (`~/.railway/config.json`).
    Railway,
    /// The current context of the kubeconfig (`--kubeconfig`, `KUBECONFIG`, `~/.kube/config`).
    Kubeconfig,
    /// The selected Terraform workspace (`TF_WORKSPACE`, `.terraform/environment`).
    Terraform,
}

/// How bad a match is. Ordered: the strictest wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Runs, silently: the rule only records what the command destroys, so that the backup
    /// taken before a person's confirmed line (`backup:`) covers it too (`rm -f notes.txt`
    /// next to a confirmed `rm -rf src`), and `guardsh backup -- LINE` sees it.
    Note,
    /// Runs, with a warning.
    Warn,
    /// Runs only after a human types a confirmation.
    Confirm,
    /// Refused.
    Deny,
}

/// One rule.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id, `<pack>.<what>.<verb>` (`railway.volume.delete`).
    pub id: String,
    /// The program(s) the rule is about.
    pub program: OneOrMany,
    /// The subcommand path, each step with its aliases: `["volume|volumes", "delete|rm"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
    /// Further conditions; all must hold.
    #[serde(default, skip_serializing_if = "Conditions::is_empty")]
    pub when: Conditions,
    /// How bad a match is.
    pub severity: Severity,
    /// What it destroys, for the person and the agent reading the refusal.
    pub message: String,
    /// The safer path.
    pub suggestion: String,
    /// Lines that must and must not match. Required of every rule (the loader refuses a
    /// rule without one that must block); the built-in rules embedded for matching carry
    /// none, their examples are kept apart for `guardsh test`.
    #[serde(default, skip_serializing_if = "Examples::is_empty")]
    pub examples: Examples,
    /// What guardsh backs up before a person's confirmed or approved match runs, so that
    /// the destruction can be undone with `guardsh restore` (see src/backup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<Backup>,
}

/// The insurance a rule asks for: which kind of backup, of what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// The kind of backup.
    pub kind: BackupKind,
    /// Which words of the command name what is backed up (for `files`).
    #[serde(default, skip_serializing_if = "BackupOf::is_default")]
    pub of: BackupOf,
}

/// Kinds of backup, each taken and restored by its own part of src/backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum BackupKind {
    /// Files and directories: a copy, modes and times kept.
    Files,
    /// A git repository's uncommitted work (index and working tree), and the untracked
    /// files the command removes, as a commit under a private ref.
    GitWork,
    /// The tips of the branches the command deletes or moves.
    GitBranch,
    /// The remote branch a force push replaces.
    GitRemote,
    /// The database a client connects to: PostgreSQL (`pg_dump`), MySQL or MariaDB
    /// (`mysqldump`), or a SQLite file (`.backup`), by the client program.
    Database,
    /// The Terraform state (`terraform state pull`).
    Terraform,
    /// The Kubernetes objects the command deletes (`kubectl get -o yaml`).
    Kubernetes,
    /// The files of the Railway volume the command deletes, downloaded off the volume.
    RailwayVolume,
}

/// Which words of a command name the files a `files` backup copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum BackupOf {
    /// Every operand (`rm -rf a b`, `shred f`).
    #[default]
    Operands,
    /// The last operand (`mv a b`, `cp a b` overwrite `b`).
    LastOperand,
    /// The files the command's `>` redirections truncate.
    Redirects,
    /// The whole command: its kind reads the argv itself (git, SQL clients, kubectl …).
    Command,
}

impl BackupOf {
    fn is_default(&self) -> bool {
        *self == BackupOf::Operands
    }
}

/// For `skip_serializing_if`: the embedded built-in rules leave out what is off.
fn is_false(b: &bool) -> bool {
    !*b
}

impl Conditions {
    /// No condition at all (the rule matches on its path alone).
    pub fn is_empty(&self) -> bool {
        serde_json::to_value(self).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
    }
}

impl Examples {
    /// No example (the embedded built-in rules).
    pub fn is_empty(&self) -> bool {
        self.block.is_empty() && self.allow.is_empty()
    }
}

/// A single string or a list of them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum OneOrMany {
    /// One.
    One(String),
    /// Several.
    Many(Vec<String>),
}

// By hand rather than `#[serde(untagged)]`: an untagged enum buffers every value before it
// tries each variant, and the `program` lists of the embedded rules made that a fifth of a
// short run's instructions.
impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(s) = seq.next_element::<String>()? {
                    v.push(s);
                }
                Ok(OneOrMany::Many(v))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl OneOrMany {
    /// The values, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let values = match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v.as_slice(),
        };
        values.iter().map(String::as_str)
    }

    /// Add `value` at the end unless it is there already.
    pub fn add(&mut self, value: &str) {
        if self.iter().any(|v| v == value) {
            return;
        }
        match self {
            OneOrMany::One(s) => *self = OneOrMany::Many(vec![std::mem::take(s), value.to_owned()]),
            OneOrMany::Many(v) => v.push(value.to_owned()),
        }
    }
}

/// The alternatives of a path step or option written `a|b` (`volume|volumes`,
/// `-f|--force`), trimmed, empty ones dropped. build.rs reads them with this too: what it
/// embeds to decide which rules a run parses must agree with what the rules match.
pub fn alternatives(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(String::from)
        .collect()
}

/// Conditions on the normalised argv after the subcommand path. All that are given must hold.
///
/// Globs (see `glob.rs`) match a word as written after quote removal, before expansion:
/// `*` (any run, `/` included), `?`, `[a-z]`, `[!x]`, and `{a,b}` alternatives, so
/// `{,./}dist{,/}` is `dist`, `./dist`, `dist/` and `./dist/`. The option `--` counts as a
/// flag named `--` (`flags_any: ["--"]`: paths follow).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// At least one of these options is present (`-r|-R|--recursive` may be one entry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags_any: Vec<String>,
    /// Each entry (itself `a|b` alternatives) is present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags_all: Vec<String>,
    /// None of these is present (dry runs, `--staged`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags_none: Vec<String>,
    /// At least one operand after the path is of one of these classes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operand_class: Vec<PathClass>,
    /// At least one operand after the path matches one of these globs (`*.db`, `+*`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operand_glob: Vec<String>,
    /// Some option's value (or inline `=value`) matches one of these globs, written
    /// `--expire=now` or `of=/dev/sd*` style: `name=glob`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub option_value: Vec<String>,
    /// At least one operand after the path meets every part of this test (the same operand:
    /// `{glob: ["*.db"], not_glob: ["tmp/*"]}` is a database file outside `tmp/`). Unlike
    /// `operand_class` and `operand_glob`, which may each be met by a different operand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub some_operand: Option<OperandTest>,
    /// An operand at a position after the path matches a glob, written `index=glob`: `0` is
    /// the first operand after the path, `-1` the last. At least one entry must hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operand_at: Vec<String>,
    /// No operand at these positions matches its glob, written `index=glob` as in
    /// `operand_at`; every entry must hold (a missing operand holds). `kubectl delete` of
    /// anything but a pod: `0={po,pod,pods}{,/*}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operand_not_at: Vec<String>,
    /// At least this many operands after the path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operands_min: Option<usize>,
    /// At most this many operands after the path (`0`: none, e.g. a document read from
    /// standard input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operands_max: Option<usize>,
    /// The command truncates a file through a redirection (`>`, `>|`, `&>`, any descriptor;
    /// not `>>`) whose target matches one of these globs. A line that is only a redirection
    /// (`> .env`) is read as the null command `:`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirect_truncates: Vec<String>,
    /// The command sends SQL with a statement of one of these kinds (`drop_database`,
    /// `truncate`, `delete_all` …; see `payload::sql::SqlKind`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sql: Vec<String>,
    /// The command is a database client whose SQL guardsh cannot see (an unread file,
    /// stdin from a program).
    #[serde(default, skip_serializing_if = "is_false")]
    pub sql_hidden: bool,
    /// The command is a database client whose SQL changes data or schema, however
    /// narrowly (`INSERT`, `UPDATE … WHERE id = 1`): for rules on production databases.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sql_writes: bool,
    /// Conditions on the HTTP request the command makes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<Http>,
    /// The command runs with one of these environment variables set, written `NAME=glob`
    /// (`DISABLE_DATABASE_ENVIRONMENT_CHECK=1`, `TF_CLI_ARGS*=*-destroy*`): a prefix
    /// assignment (`NAME=x cmd`, `env NAME=x cmd`), or a bare assignment or `export` anywhere
    /// in the line (judged pessimistically: order is not checked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// Code the command hands an interpreter (`python -c`, `node -e`, `perl -e`, `ruby -e`,
    /// a heredoc) recursively deletes a path of one of these classes (`shutil.rmtree`,
    /// `fs.rmSync(…, {recursive: true})`, `rmtree`, `FileUtils.rm_rf`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_deletes: Vec<PathClass>,
    /// The command acts on a protected (production) environment, as its program's
    /// `environment` finds it: for changes that are routine elsewhere (`railway up`,
    /// `kubectl apply`) but need a person in production.
    #[serde(default, skip_serializing_if = "is_false")]
    pub production: bool,
    /// No signal names the environment the command acts on (no flag, variable or linked
    /// state its program's `environment` reads): for a rule that is a confirmation in a
    /// named, unprotected environment, what stays refused when the environment may be
    /// production (fail closed).
    #[serde(default, skip_serializing_if = "is_false")]
    pub environment_unknown: bool,
}

/// A test on one operand; every part given must hold for that operand.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OperandTest {
    /// It is of one of these classes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub class: Vec<PathClass>,
    /// It matches one of these globs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub glob: Vec<String>,
    /// It is of none of these classes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_class: Vec<PathClass>,
    /// It matches none of these globs (an allowlist: `node_modules`, `/tmp/*`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_glob: Vec<String>,
}

/// Conditions on an HTTP request; all that are given must hold.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Http {
    /// The method is one of these (`DELETE`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<String>,
    /// A URL's host matches one of these globs (`backboard.railway.*`, `*.amazonaws.com`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// A URL's path matches one of these globs (`/graphql/v2*`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// The body runs a GraphQL mutation with one of these root fields (`volumeDelete`), or
    /// whose root field matches one of these globs (`*Delete*`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mutations: Vec<String>,
    /// Mutations matching one of these globs do not count for `mutations`
    /// (`*Cancel`: cancelling a scheduled delete).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_mutations: Vec<String>,
    /// No URL's host matches one of these globs (`localhost`, `127.*`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_hosts: Vec<String>,
    /// Part of the request could not be seen (a body from a missing file, a program's output
    /// or a variable; a host or method in a variable): what it runs is unknown.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hidden: bool,
}

/// Classes of paths a rule can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PathClass {
    /// `/`, `/*`, `/.`, `//`.
    Root,
    /// `~`, `~/`, `~/*`, `$HOME`, `/home/<user>`, `/Users/<user>`, `/root`.
    Home,
    /// System directories and their direct children (`/etc`, `/usr/lib`, `/var/*`); the
    /// system's data directories (`/var/lib/…`, `/srv/…`, `/var/www/…`) and mount points
    /// (`/mnt/…`, `/media/…`) at any depth.
    System,
    /// The user's own data below a home directory (`~/projects`, `~/Documents`,
    /// `$HOME/src/app`): anything there that is not a cache or a build output.
    HomeData,
    /// The working tree or its parent as a whole: `.`, `./`, `*`, `./*`, `..`, `../*`.
    Cwd,
    /// Database data directories (`/var/lib/postgresql`, `pgdata/`).
    DbData,
    /// A repository's `.git`.
    GitDir,
    /// A block device (`/dev/sda`, `/dev/nvme0n1`).
    Device,
    /// An operand whose value the shell has not expanded yet (`$DIR/`, `$(…)`).
    Dynamic,
}

/// Lines a rule must match and lines it must not.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Lines that must be refused by this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(test, schemars(length(min = 1)))]
    pub block: Vec<String>,
    /// Lines this rule must not match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
}
