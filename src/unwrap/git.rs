//! What git runs besides itself: aliases defined on the same line (`git -c alias.x='push
//! --force' x`, or `git config alias.x …` earlier in the line), `!` aliases (shell text),
//! `git submodule foreach CMD`, `git rebase --exec CMD` and `git bisect run CMD`.
//!
//! Aliases already in the user's git config are not read: they are not on the line, and
//! reading config files would make the decision depend on state an agent can change.

use super::text;
use super::wrappers::Step;
use crate::parse::{Command, Script, Word, program_name};

/// Global options of git that take the next word as their value.
const GLOBAL_WITH_VALUE: &[&str] = &[
    "-C",
    "-c",
    "--git-dir",
    "--work-tree",
    "--namespace",
    "--super-prefix",
    "--config-env",
    "--exec-path",
    "--list-cmds",
];

/// git's own commands, which no alias can replace.
const BUILTINS: &[&str] = &[
    "add",
    "am",
    "annotate",
    "apply",
    "archive",
    "bisect",
    "blame",
    "branch",
    "bundle",
    "cat-file",
    "check-ignore",
    "checkout",
    "cherry",
    "cherry-pick",
    "clean",
    "clone",
    "commit",
    "commit-tree",
    "config",
    "count-objects",
    "describe",
    "diff",
    "diff-files",
    "diff-index",
    "diff-tree",
    "difftool",
    "fetch",
    "filter-branch",
    "format-patch",
    "fsck",
    "gc",
    "grep",
    "hash-object",
    "help",
    "init",
    "log",
    "ls-files",
    "ls-remote",
    "ls-tree",
    "merge",
    "merge-base",
    "mergetool",
    "mv",
    "notes",
    "pull",
    "push",
    "range-diff",
    "read-tree",
    "rebase",
    "reflog",
    "remote",
    "repack",
    "replace",
    "reset",
    "restore",
    "rev-list",
    "rev-parse",
    "revert",
    "rm",
    "shortlog",
    "show",
    "show-ref",
    "sparse-checkout",
    "stash",
    "status",
    "submodule",
    "switch",
    "symbolic-ref",
    "tag",
    "update-index",
    "update-ref",
    "version",
    "whatchanged",
    "worktree",
    "write-tree",
];

/// The steps a git command takes besides itself; empty when it is no git or runs nothing
/// more.
pub(super) fn steps(cmd: &Command, script: &Script) -> Vec<Step> {
    let argv = cmd.argv.as_slice();
    let Some(first) = argv.first() else {
        return Vec::new();
    };
    if !first.is_literal() || program_name(&first.text) != "git" {
        return Vec::new();
    }
    // Global options, and the aliases `-c alias.NAME=VALUE` defines.
    let mut aliases: Vec<(String, Word)> = Vec::new();
    let mut i = 1;
    while let Some(w) = argv.get(i) {
        let t = w.text.as_str();
        if !t.starts_with('-') {
            break;
        }
        if t == "-c" {
            if let Some(v) = argv.get(i + 1) {
                push_alias(&mut aliases, &v.text, v);
            }
            i += 2;
            continue;
        }
        if let Some(v) = t.strip_prefix("-c") {
            push_alias(&mut aliases, v, w);
        }
        i += if GLOBAL_WITH_VALUE.contains(&t) { 2 } else { 1 };
    }
    let globals = argv.get(..i).unwrap_or(argv);
    let Some(sub) = argv.get(i) else {
        return Vec::new();
    };
    let rest = argv.get(i + 1..).unwrap_or(&[]);
    // git never lets an alias shadow one of its own commands, so only other names are looked
    // up; that also keeps a script of many git commands linear.
    if !BUILTINS.contains(&sub.text.as_str()) {
        // Aliases set by `git config alias.NAME VALUE` anywhere in the line (judged
        // pessimistically: order is not checked).
        for c in &script.commands {
            config_alias(c, &mut aliases);
        }
    } else {
        aliases.clear();
    }
    if let Some((name, value)) = aliases.iter().find(|(n, _)| *n == sub.text) {
        return expand(name, value, globals, rest);
    }
    match sub.text.as_str() {
        "submodule" => {
            let mut j = 0;
            while rest.get(j).is_some_and(|w| w.text.starts_with('-')) {
                j += 1;
            }
            if rest.get(j).is_some_and(|w| w.text == "foreach") {
                let mut k = j + 1;
                while rest
                    .get(k)
                    .is_some_and(|w| w.text == "--recursive" || w.text == "-q")
                {
                    k += 1;
                }
                let cmd = rest.get(k..).unwrap_or(&[]);
                if !cmd.is_empty() {
                    return vec![script_step(cmd, "git submodule foreach")];
                }
            }
            Vec::new()
        }
        "rebase" => {
            let mut out = Vec::new();
            let mut j = 0;
            while let Some(w) = rest.get(j) {
                let t = w.text.as_str();
                if t == "-x" || t == "--exec" {
                    if let Some(v) = rest.get(j + 1) {
                        out.push(script_step(std::slice::from_ref(v), "git rebase --exec"));
                    }
                    j += 2;
                    continue;
                }
                if let Some(v) = t.strip_prefix("--exec=").or_else(|| t.strip_prefix("-x")) {
                    let word = Word {
                        text: v.to_string(),
                        ..w.clone()
                    };
                    out.push(script_step(&[word], "git rebase --exec"));
                }
                j += 1;
            }
            out
        }
        "bisect" if rest.first().is_some_and(|w| w.text == "run") => {
            let cmd = rest.get(1..).unwrap_or(&[]);
            if cmd.is_empty() {
                Vec::new()
            } else {
                vec![Step::Run {
                    argv: cmd.to_vec(),
                    assignments: Vec::new(),
                    via: "git bisect run".to_string(),
                }]
            }
        }
        _ => Vec::new(),
    }
}

fn push_alias(aliases: &mut Vec<(String, Word)>, setting: &str, w: &Word) {
    let Some((key, value)) = setting.split_once('=') else {
        return;
    };
    let Some(name) = key
        .strip_prefix("alias.")
        .or_else(|| key.strip_prefix("Alias."))
    else {
        return;
    };
    aliases.push((
        name.to_string(),
        Word {
            text: value.to_string(),
            ..w.clone()
        },
    ));
}

/// `git config [--global|--local|--file F…] alias.NAME VALUE`, `git config set alias.NAME
/// VALUE`.
fn config_alias(c: &Command, aliases: &mut Vec<(String, Word)>) {
    let argv = c.argv.as_slice();
    if argv.first().is_none_or(|w| program_name(&w.text) != "git") {
        return;
    }
    let Some(pos) = argv.iter().position(|w| w.text == "config") else {
        return;
    };
    let operands: Vec<&Word> = argv
        .iter()
        .skip(pos + 1)
        .filter(|w| !w.text.starts_with('-') && w.text != "set")
        .collect();
    if let [key, value, ..] = operands.as_slice()
        && let Some(name) = key.text.strip_prefix("alias.")
    {
        aliases.push((name.to_string(), (*value).clone()));
    }
}

fn script_step(words: &[Word], via: &str) -> Step {
    let (text, dynamic) = text::join(words);
    Step::Script {
        text,
        dynamic,
        via: via.to_string(),
        args: None,
        input: None,
    }
}

/// The command an alias stands for, with the arguments that follow it.
fn expand(name: &str, value: &Word, globals: &[Word], rest: &[Word]) -> Vec<Step> {
    let via = format!("git alias {name}");
    if let Some(shell) = value.text.strip_prefix('!') {
        // git runs `!` aliases with `sh -c`, the arguments appended.
        let mut words = vec![Word {
            text: shell.to_string(),
            ..value.clone()
        }];
        words.extend_from_slice(rest);
        let (text, dynamic) = text::join(&words);
        return vec![Step::Script {
            text,
            dynamic: dynamic || !value.is_literal(),
            via,
            args: None,
            input: None,
        }];
    }
    let parts = shell_words::split(&value.text)
        .unwrap_or_else(|_| value.text.split_whitespace().map(str::to_owned).collect());
    if parts.first().is_none_or(|p| p == name) {
        return Vec::new();
    }
    let mut argv: Vec<Word> = globals.to_vec();
    argv.extend(parts.into_iter().map(|p| Word {
        dynamic: !value.is_literal(),
        ..Word::literal(p)
    }));
    argv.extend_from_slice(rest);
    vec![Step::Run {
        argv,
        assignments: Vec::new(),
        via,
    }]
}
