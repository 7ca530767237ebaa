//! Programs run under a name the line itself gave them: a file written, copied or linked
//! earlier in the line and then run by its path (`cp /bin/rm /tmp/x; /tmp/x -rf ~`), a
//! name hashed to another program (`hash -p /bin/rm del; del -rf ~`), an alias. What such a
//! name runs is not what its spelling says, so it is unknown (at least confirm), or, for an
//! alias, its text is read as the script it stands for.

use super::Engine;
use super::wrappers::Step;
use crate::parse::{Command, UnknownKind, program_name};

/// What `cmd` runs under a name the line gave it.
pub(super) fn steps(e: &Engine, i: usize, cmd: &Command) -> Vec<Step> {
    let mut out = Vec::new();
    let Some(first) = cmd.argv.first().filter(|w| w.is_literal()) else {
        return out;
    };
    let name = program_name(&first.text);
    let needs_scan = first.text.contains('/') || matches!(name, "hash" | "alias");
    if needs_scan && !budget(e) {
        // Each check reads the whole line: a line with hundreds of them is not read that
        // many times over, and what was not checked is not known.
        out.push(Step::Unknown {
            kind: UnknownKind::HiddenScript,
            why: format!(
                "more than {MAX_SCANS} programs run by path, hashes and aliases in one line: \
                 whether the line gave `{}` another program is not checked",
                first.text
            ),
        });
        return out;
    }
    if first.text.contains('/') && super::stdin::written_in_line(e, &first.text) {
        // A shell script the line wrote with text guardsh reproduces is read as the script
        // that runs (`printf 'echo hi\n' > x.sh; chmod +x x.sh; ./x.sh`).
        if let Some(super::stdin::Read::Text(text, _)) =
            super::stdin::written_text(e, i, &first.text, first)
            && runs_as_shell(&text)
        {
            out.push(Step::File {
                path: first.clone(),
                via: first.text.clone(),
                args: Some(cmd.argv.clone()),
            });
            return out;
        }
        out.push(Step::Unknown {
            kind: UnknownKind::HiddenScript,
            why: format!(
                "`{}` is a file written, copied or linked earlier in the line, then run: what it \
                 runs is only known when the line runs",
                first.text
            ),
        });
    }
    // `hash -p PATH NAME`: NAME runs PATH from here on.
    if name == "hash"
        && cmd.argv.iter().any(|w| w.text == "-p")
        && cmd.argv.len() > 3
        && let Some(hashed) = cmd.argv.last()
        && e.out
            .commands
            .iter()
            .any(|c| c.program() == Some(hashed.text.as_str()))
    {
        out.push(Step::Unknown {
            kind: UnknownKind::DynamicProgram,
            why: format!(
                "`{}` is hashed to another program (`hash -p`) and run in the line",
                hashed.text
            ),
        });
    }
    if name == "alias" {
        // `alias ls='rm -rf ~'; …; ls`: with expand_aliases the text runs wherever the name
        // does. A definition that nothing in the line calls is data (`alias gpf='git push
        // --force'` typed to be saved), and is not judged as running.
        for w in cmd.argv.get(1..).unwrap_or(&[]) {
            if let Some((alias, value)) = w.text.split_once('=')
                && !value.is_empty()
                && e.out.commands.iter().any(|c| c.program() == Some(alias))
            {
                out.push(Step::Script {
                    text: value.to_owned(),
                    dynamic: w.dynamic,
                    via: "an alias".to_owned(),
                    args: None,
                    input: None,
                });
            }
        }
    }
    out
}

/// At most this many checks that read the whole line, per line.
const MAX_SCANS: usize = 256;

/// Take one check from the line's budget; false when it is spent.
fn budget(e: &Engine) -> bool {
    let used = e.name_scans.get() + 1;
    e.name_scans.set(used);
    used <= MAX_SCANS
}

/// A file run by its path runs as a shell script when it has no `#!` line (bash runs it
/// itself) or one that names a POSIX shell; any other interpreter's code is not shell text.
fn runs_as_shell(text: &str) -> bool {
    let Some(line) = text.strip_prefix("#!") else {
        return true;
    };
    let line = line.lines().next().unwrap_or("");
    let mut words = line.split_whitespace();
    let mut interpreter = words.next().map(program_name).unwrap_or("");
    if interpreter == "env" {
        interpreter = words
            .find(|w| !w.starts_with('-'))
            .map(program_name)
            .unwrap_or("");
    }
    matches!(interpreter, "sh" | "bash" | "dash" | "ksh" | "zsh" | "ash")
}
