//! The built-in packs, checked and split by program at build time (see `build.rs`).
//!
//! A run deserialises only the rules its line's commands could match: those of their
//! programs and first subcommand words, whose options and operand shapes the commands'
//! words could hold. `git status` never pays for the Railway pack, nor `git push origin
//! main` for the force-push rules.

use std::collections::BTreeMap;

use super::argv::{OptionSpec, Token, normalise};
use super::{RuleError, RuleSet, raw};
use crate::parse::{Command, Script};
use crate::payload::readings::Readings;

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The options of `program` whose value carries a command it runs: (option, value prefix in
/// lower case, marker the command follows, words between the option and its value), from
/// the packs' `command_options`.
pub fn command_options(
    program: &str,
) -> &'static [(&'static str, &'static str, &'static str, usize)] {
    COMMAND_OPTIONS.get(program).copied().unwrap_or(&[])
}

/// Where a launcher's command starts (the packs' `runs_command`): the subcommands it
/// follows, the launcher's own operands before it, and the options that take values with
/// how many words each.
pub type Launcher = (
    &'static [&'static str],
    usize,
    &'static [(&'static str, usize)],
);

/// `program`'s launcher entry, when it is one.
pub fn launcher(program: &str) -> Option<&'static Launcher> {
    LAUNCHERS.get(program)
}

/// Does a built-in pack declare `verb` of `program` harmless for the generic CLI reading
/// (the packs' `harmless_verbs`; `*` declares them all)?
pub fn harmless_verb(program: &str, verb: &str) -> bool {
    HARMLESS_VERBS
        .get(program)
        .is_some_and(|list| list.iter().any(|v| *v == "*" || *v == verb))
}

/// Does `program` print its own shell set-up after `first` (its first argument, if any),
/// as the packs' `shell_setup` say? Completion scripts (`kubectl completion bash`, `rustup
/// completions zsh`) are set-up of every program.
pub fn prints_shell_setup(program: &str, first: Option<&str>) -> bool {
    matches!(first, Some("completion" | "completions"))
        || SHELL_SETUP.get(program).is_some_and(|list| {
            list.iter()
                .any(|v| *v == "*" || first.is_some_and(|f| f == *v))
        })
}

/// Does some built-in pack have rules for `program`'s subcommand `word` (`render services`)?
/// Then that pack owns the verbs beneath it: what its rules leave alone is meant to pass.
pub fn has_rules_for(program: &str, word: &str) -> bool {
    BY_PROGRAM.get(&bucket_key(program, word)).is_some()
}

/// Is `name` a variable whose value is a command some program runs (the packs'
/// `command_env`)?
pub fn is_command_env(name: &str) -> bool {
    COMMAND_ENV.binary_search(&name).is_ok()
}

/// Is `name` a variable whose value names a file a shell reads as code when it starts (the
/// packs' `source_env`)?
pub fn is_source_env(name: &str) -> bool {
    SOURCE_ENV.binary_search(&name).is_ok()
}

/// A table made by build.rs, sorted by key, whose keys sit together in one string apart from
/// the values. A binary search then reads a few pages of keys; with each key beside its
/// value (a bucket's JSON, an expansion), the ten or so probes of a search landed on ten
/// pages spread over megabytes, and every page first read is a page fault: seven of the 74
/// of a `git status` run.
pub struct Keyed<V: 'static> {
    /// Every key, in order, end to end.
    keys: &'static str,
    /// Where each key ends in `keys` (it starts where the one before ends).
    ends: &'static [u32],
    /// The value of each key.
    values: &'static [V],
}

impl<V> Keyed<V> {
    /// The number of entries.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// No entry at all.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn key(&self, i: usize) -> &'static str {
        let start = i
            .checked_sub(1)
            .and_then(|j| self.ends.get(j))
            .map_or(0, |&e| e as usize);
        let end = self.ends.get(i).map_or(start, |&e| e as usize);
        self.keys.get(start..end).unwrap_or("")
    }

    /// The index of the first key not below `key`.
    fn lower_bound(&self, key: &str) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.key(mid) < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&'static V> {
        let i = self.lower_bound(key);
        (self.key(i) == key).then(|| self.values.get(i)).flatten()
    }

    /// The entries whose key starts with `prefix`, in order.
    pub fn with_prefix<'p>(
        &self,
        prefix: &'p str,
    ) -> impl Iterator<Item = (&'static str, &'static V)> + use<'p, '_, V> {
        (self.lower_bound(prefix)..self.len())
            .map(|i| (self.key(i), self.values.get(i)))
            .take_while(move |(k, _)| k.starts_with(prefix))
            .filter_map(|(k, v)| Some((k, v?)))
    }

    /// Every entry, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static V)> + '_ {
        self.with_prefix("")
    }
}

/// The rules of one program and first subcommand word, as build.rs embeds them.
pub struct Bucket {
    /// Each pack's reading of its programs' options, as JSON (packs that have one).
    programs: &'static [(&'static str, &'static str)],
    /// The rules.
    rules: &'static [Embedded],
}

/// One built-in rule as embedded: its JSON, and what it needs of a command's words to
/// match at all (see [`Embedded::could_match`]).
pub struct Embedded {
    pack: &'static str,
    /// One of these options must be there (empty: no such condition).
    flags_any: &'static [&'static str],
    /// One option of each group must be there.
    flags_all: &'static [&'static [&'static str]],
    /// Some operand must match one of these globs (empty: no such condition).
    operand_glob: &'static [&'static str],
    json: &'static str,
}

impl Embedded {
    /// Whether the rule could match a command with arguments `args`, whose possible option
    /// names are `flags` (see [`possible_flags`]). A rule that needs `--force` cannot match
    /// `git push origin main`, and need not be parsed for it. Conservative: every option
    /// the rules' reading of the words could find is among `flags`, and every operand is
    /// among `args`.
    fn could_match(&self, args: &[crate::parse::Word], flags: &[String]) -> bool {
        // `--recu` may stand for `--recursive` in a program that abbreviates: a long word
        // that is a prefix of the rule's option keeps the rule in play (the real reading,
        // with the program's spec, decides).
        let has = |f: &&str| {
            flags.iter().any(|x| {
                x == f || (x.len() >= 4 && x.starts_with("--") && f.starts_with(x.as_str()))
            })
        };
        (self.flags_any.is_empty() || self.flags_any.iter().any(has))
            && self.flags_all.iter().all(|group| group.iter().any(has))
            && (self.operand_glob.is_empty()
                || args.iter().any(|w| {
                    self.operand_glob
                        .iter()
                        .any(|g| super::glob::operand_matches(g, w))
                }))
    }
}

/// Every option name the rules' reading of `args` (`argv::normalise`, whatever options
/// take values) could find: each literal word that starts with `-` as written, before any
/// `=`, and each of its letters as a short option (`-rf` is `-r` and `-f`). Dynamic words
/// are always operands.
fn possible_flags(args: &[crate::parse::Word]) -> Vec<String> {
    let mut out = Vec::new();
    for w in args {
        let t = w.text.as_str();
        if w.dynamic || t.len() < 2 || !t.starts_with('-') {
            continue;
        }
        out.push(t.to_owned());
        if let Some((name, _)) = t.split_once('=') {
            out.push(name.to_owned());
        }
        if !t.starts_with("--") {
            out.extend(t.chars().skip(1).map(|c| format!("-{c}")));
        }
    }
    out
}

/// The key of a bucket in [`BY_PROGRAM`]: the program, a tab, the word. Keys are sorted as
/// bytes, so one program's buckets are one run of keys (the tab sorts below every character
/// of a program's name).
fn bucket_key(program: &str, word: &str) -> String {
    format!("{program}\t{word}")
}

/// The built-in rules for these programs (duplicates and unknown names are fine).
pub fn for_programs<'a>(programs: impl IntoIterator<Item = &'a str>) -> Result<RuleSet, RuleError> {
    let mut picked = Picked::default();
    for program in programs {
        push_all_of(program, true, &mut picked, None);
    }
    load(picked, Vec::new())
}

/// What a run loads, each once: packs' readings of their programs' options, and rules.
#[derive(Default)]
struct Picked {
    programs: Vec<(&'static str, &'static str)>,
    rules: Vec<&'static Embedded>,
}

/// A command's arguments and the option names they could hold ([`possible_flags`]): only
/// rules that could match them are picked.
type Gate<'g> = Option<(&'g [crate::parse::Word], &'g [String])>;

impl Picked {
    fn add(&mut self, bucket: &'static Bucket, gate: Gate<'_>) {
        for p in bucket.programs {
            if !self.programs.contains(p) {
                self.programs.push(*p);
            }
        }
        for rule in bucket.rules {
            if gate.is_some_and(|(args, flags)| !rule.could_match(args, flags)) {
                continue;
            }
            if !self.rules.iter().any(|r| std::ptr::eq(*r, rule)) {
                self.rules.push(rule);
            }
        }
    }
}

/// The built-in rules that can match the commands of `script`: for each, the rules of its
/// program whose first subcommand word is the command's first operand, those that name
/// none, those on an HTTP request when the command makes one, those on a truncating
/// redirection when it has one, and those on SQL when it runs destructive or unseen
/// statements. A first operand only known at run time loads all of the
/// program's rules.
pub fn for_commands(
    script: &Script,
    extra: Vec<(raw::Pack, String)>,
) -> Result<RuleSet, RuleError> {
    for_commands_with(&Readings::new(script), extra)
}

/// [`for_commands`], reading the commands' payloads through `readings`, which the decision
/// then reuses: a command's SQL or request is read once for both.
pub fn for_commands_with(
    readings: &Readings<'_>,
    extra: Vec<(raw::Pack, String)>,
) -> Result<RuleSet, RuleError> {
    let script = readings.script();
    let mut picked = Picked::default();
    for (index, cmd) in script.commands.iter().enumerate() {
        let Some(program) = super::rule_program(cmd) else {
            continue;
        };
        let args = cmd.argv.get(1..).unwrap_or(&[]);
        let flags = possible_flags(args);
        let gate = Some((args, flags.as_slice()));
        // Rules on an HTTP request (and no subcommand) only when the command makes one:
        // they need the request to match at all, and there are many (see build.rs).
        if bucket(program, HTTP_BUCKET).is_some() && readings.http(index).is_some() {
            push_bucket(program, HTTP_BUCKET, &mut picked, gate);
        }
        // And rules on a redirection that empties a file, only when the command has one.
        if super::has_truncating_redirect(cmd) {
            push_bucket(program, REDIRECT_BUCKET, &mut picked, gate);
        }
        // And rules on SQL, only when the client runs a destructive statement or some it
        // cannot see: the rules need one of those to match. The classification is the one
        // matching would make; no rule asks for it again unless this bucket loads.
        if bucket(program, SQL_BUCKET).is_some()
            && readings
                .sql(index)
                .is_some_and(|p| p.hidden || p.writes || !p.kinds.is_empty())
        {
            push_bucket(program, SQL_BUCKET, &mut picked, gate);
        }
        match first_operand(cmd, program) {
            First::Word(word) => {
                push_bucket(program, word, &mut picked, gate);
                push_bucket(program, "*", &mut picked, gate);
            }
            First::None => push_bucket(program, "*", &mut picked, gate),
            First::Unknown => push_all_of(program, false, &mut picked, gate),
        }
    }
    load(picked, extra)
}

enum First<'a> {
    /// A literal word.
    Word(&'a str),
    /// No operand at all: only rules without a subcommand can match.
    None,
    /// Dynamic, a glob, or the like: any rule may.
    Unknown,
}

/// The command's first operand, options (and the values of those that take one) skipped,
/// as the rules will read it.
fn first_operand<'c>(cmd: &'c Command, program: &str) -> First<'c> {
    let with_value = OPTIONS
        .get(program)
        .map(|o| o.iter().map(|s| (*s).to_owned()).collect())
        .unwrap_or_default();
    let spec = OptionSpec {
        with_value,
        ..OptionSpec::default()
    };
    let args = cmd.argv.get(1..).unwrap_or(&[]);
    let tokens = normalise(args, &spec);
    let first = tokens.iter().find_map(|t| match t {
        Token::Operand(w) => Some(*w),
        Token::Flag { .. } => None,
    });
    match first {
        None => First::None,
        Some(w) if w.is_literal() => First::Word(w.text.as_str()),
        Some(_) => First::Unknown,
    }
}

/// The bucket of `program`'s rules for `word`, if it has one.
fn bucket(program: &str, word: &str) -> Option<&'static Bucket> {
    BY_PROGRAM.get(&bucket_key(program, word))
}

fn push_bucket(program: &str, word: &str, picked: &mut Picked, gate: Gate<'_>) {
    if let Some(b) = bucket(program, word) {
        picked.add(b, gate);
    }
}

/// Every bucket of `program`; with `conditional` false, all but those on a request, a
/// redirection or SQL, whose rules name no subcommand and load on their own condition
/// whatever the operands are.
fn push_all_of(program: &str, conditional: bool, picked: &mut Picked, gate: Gate<'_>) {
    for (key, bucket) in BY_PROGRAM.with_prefix(&bucket_key(program, "")) {
        let Some((_, w)) = key.split_once('\t') else {
            continue;
        };
        if !conditional && [HTTP_BUCKET, REDIRECT_BUCKET, SQL_BUCKET].contains(&w) {
            continue;
        }
        picked.add(bucket, gate);
    }
}

fn load(picked: Picked, extra: Vec<(raw::Pack, String)>) -> Result<RuleSet, RuleError> {
    let mut packs: BTreeMap<&str, raw::Pack> = BTreeMap::new();
    fn pack_of<'m>(
        packs: &'m mut BTreeMap<&'static str, raw::Pack>,
        name: &'static str,
    ) -> &'m mut raw::Pack {
        packs.entry(name).or_insert_with(|| raw::Pack {
            pack: name.to_owned(),
            description: String::new(),
            programs: BTreeMap::new(),
            rules: Vec::new(),
        })
    }
    let syntax = |what: String, e: serde_json::Error| RuleError::Syntax {
        file: what,
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    for (pack, json) in picked.programs {
        let programs: BTreeMap<String, raw::Program> =
            serde_json::from_str(json).map_err(|e| syntax(format!("built-in pack {pack}"), e))?;
        pack_of(&mut packs, pack).programs.extend(programs);
    }
    for embedded in picked.rules {
        let rule: raw::Rule = serde_json::from_str(embedded.json)
            .map_err(|e| syntax(format!("built-in pack {}", embedded.pack), e))?;
        let slot = pack_of(&mut packs, embedded.pack);
        // A rule naming several programs or first words is in each of their buckets, each
        // copy naming only the program it is filed under (see build.rs).
        match slot.rules.iter_mut().find(|r| r.id == rule.id) {
            Some(copy) => rule.program.iter().for_each(|p| copy.program.add(p)),
            None => slot.rules.push(rule),
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
    let mut set = for_programs(programs())?;
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

/// The programs (and program aliases) the built-in packs have rules for, sorted, once each.
pub fn programs() -> impl Iterator<Item = &'static str> {
    let mut last = None;
    BY_PROGRAM.iter().filter_map(move |(key, _)| {
        let (p, _) = key.split_once('\t')?;
        if last == Some(p) {
            return None;
        }
        last = Some(p);
        Some(p)
    })
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

    /// Loading by bucket (first subcommand word, `*`, HTTP rules only for a request, rules on
    /// an emptying redirection only with one) must decide every example line of every
    /// built-in rule exactly as all rules at once do.
    #[test]
    fn buckets_decide_every_example_as_all_rules_do() {
        let everything = all().expect("loads");
        let limits = crate::parse::Limits::default();
        let mut lines: Vec<&str> = everything
            .rules()
            .iter()
            .flat_map(|r| r.examples.block.iter().chain(&r.examples.allow))
            .map(String::as_str)
            .collect();
        lines.sort_unstable();
        lines.dedup();
        assert!(lines.len() > 1000, "only {} example lines", lines.len());
        let found = |v: &crate::decision::Verdict| {
            let mut ids: Vec<&str> = v.matches.iter().map(|m| m.rule.as_str()).collect();
            ids.sort_unstable();
            (
                v.decision,
                ids.into_iter().map(String::from).collect::<Vec<_>>(),
            )
        };
        for line in lines {
            let script = crate::unwrap::analyze(line, &limits);
            let bucketed = for_commands(&script, Vec::new()).expect("loads");
            let by_bucket = crate::decision::decide(&script, &bucketed);
            let by_all = crate::decision::decide(&script, &everything);
            assert_eq!(found(&by_bucket), found(&by_all), "{line}");
        }
    }

    #[test]
    fn a_command_loads_the_bucket_of_its_first_operand() {
        let analyze = |l: &str| crate::unwrap::analyze(l, &crate::parse::Limits::default());
        let ids = |l: &str| -> Vec<String> {
            let script = analyze(l);
            let set = for_commands(&script, Vec::new()).expect("loads");
            set.rules().iter().map(|r| r.id.clone()).collect()
        };
        let all_git = for_programs(["git"]).expect("loads").rules().len();
        let status = ids("git status");
        assert!(status.len() < all_git / 4, "{} of {all_git}", status.len());
        // Options before the subcommand, with their values, are skipped as the rules skip
        // them; the push rules come with `push`.
        let push = ids("git -C repo -c x=y push --force origin main");
        assert!(push.iter().any(|id| id.starts_with("git.push")), "{push:?}");
        assert!(!status.iter().any(|id| id.starts_with("git.push")));
        // A first operand only known at run time loads every subcommand's rules, but for
        // those on a condition the command does not meet (here an emptying redirection).
        let dynamic = ids("git \"$verb\" --force -x --hard -D +main > out");
        for id in [
            "git.push.force.refspec",
            "git.clean.force",
            "git.reset.hard",
        ] {
            assert!(dynamic.iter().any(|d| d == id), "{id} in {dynamic:?}");
        }
        assert!(dynamic.iter().any(|id| id == "guardsh-self.files.redirect"));
        let no_redirect = ids("git \"$verb\" --force -x --hard -D +main");
        assert!(
            !no_redirect
                .iter()
                .any(|id| id == "guardsh-self.files.redirect")
        );
        assert_eq!(no_redirect.len(), dynamic.len() - 1, "{no_redirect:?}");
        // A rule that needs an option, or an operand of a shape, loads only for a command
        // whose words could hold it: `git push origin main` parses no force-push rule.
        assert!(
            !ids("git push origin main")
                .iter()
                .any(|id| id.starts_with("git.push"))
        );
        let with = |l: &str, id: &str| ids(l).iter().any(|x| x == id);
        assert!(with("git push --force origin main", "git.push.force"));
        assert!(with("git push -uf origin main", "git.push.force"));
        assert!(with("git push --force=true origin main", "git.push.force"));
        assert!(with("git push origin +main", "git.push.force.refspec"));
        assert!(with("git push origin :main", "git.push.delete.refspec"));
        // Rules on SQL load only for destructive or unseen statements.
        let sql = |l: &str| {
            ids(l)
                .into_iter()
                .filter(|id| id.starts_with("sql."))
                .count()
        };
        assert_eq!(sql("psql \"$DB\" -c 'SELECT 1'"), 0);
        assert!(sql("psql \"$DB\" -c 'DROP TABLE users'") > 0);
        assert!(sql("psql -f \"$FILE\"") > 0);
        // An alias of the program finds the same buckets.
        assert!(
            ids("tofu destroy -auto-approve")
                .iter()
                .any(|id| id == "terraform.destroy")
        );
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
