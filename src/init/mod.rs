//! Interactive shell integration: `guardsh init bash|zsh|fish` prints a script for the
//! shell's startup file, and `guardsh gate` is what that script calls on Enter.
//!
//! The scripts live in `src/shell/` as real files (so shellcheck and people can read them)
//! and are embedded here. They bind Enter to a function that hands the whole buffer to
//! `guardsh gate` and lets the shell accept the line only when gate exits 0. gate decides
//! exactly as shell mode and shims do (the same packs, config, typed confirmation on
//! `/dev/tty`, approvals and audit log) and runs nothing.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;

use crate::audit::{self, Entry, Mode};
use crate::cli::InitShell;
use crate::decision::{Decision, Verdict};
use crate::guard::{gate_asking, say};
use crate::input::Input;
use crate::parse::Limits;
use crate::{exec, exit};

mod fish;
pub mod start;

const BASH: &str = include_str!("../shell/guardsh.bash");
const ZSH: &str = include_str!("../shell/guardsh.zsh");
const FISH: &str = include_str!("../shell/guardsh.fish");

/// The placeholders the embedded scripts carry, replaced by quoted absolute paths.
const BIN_MARK: &str = "@GUARDSH_BIN@";
const SHIMS_MARK: &str = "@GUARDSH_SHIMS@";

/// The script `guardsh init SHELL` prints, with this binary's absolute path and the shim
/// directory filled in.
pub fn script(shell: InitShell) -> Result<String, String> {
    let bin = crate::paths::guardsh_binary()
        .map_err(|e| format!("cannot find guardsh's own binary: {e}"))?;
    let shims = crate::paths::shim_dir()
        .ok_or_else(|| "no home directory, so no shim directory to put on PATH".to_owned())?;
    Ok(render(
        shell,
        &bin.display().to_string(),
        &shims.display().to_string(),
    ))
}

/// `script`, for given paths.
pub fn render(shell: InitShell, bin: &str, shims: &str) -> String {
    let (template, quote): (&str, fn(&str) -> String) = match shell {
        InitShell::Bash => (BASH, posix_quote),
        InitShell::Zsh => (ZSH, posix_quote),
        InitShell::Fish => (FISH, fish_quote),
    };
    template
        .replace(BIN_MARK, &quote(bin))
        .replace(SHIMS_MARK, &quote(shims))
}

/// Single quotes for bash and zsh: nothing inside is special but `'` itself.
fn posix_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Single quotes for fish, where `\` escapes `'` and `\` inside them.
fn fish_quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', r"\\").replace('\'', r"\'"))
}

/// `guardsh gate --shell SHELL -- LINE`: the exit code tells the calling script what to do
/// (0 run it, [`exit::REFUSED`], [`exit::INCOMPLETE`], [`exit::CONFIG`]).
pub fn gate(shell: InitShell, line: &OsStr) -> u8 {
    let input = Input::from_bytes(line.as_bytes().to_vec(), false);
    // Nothing to run: not worth a decision or an audit line.
    if input.text.trim().is_empty() {
        return exit::OK;
    }
    // fish lines are read with the same grammar as everything else, once fish's own
    // keywords and substitutions are put in its terms (see fish.rs).
    let judged = match shell {
        InitShell::Fish => Input {
            text: fish::to_posix(&input.text),
            ..input.clone()
        },
        InitShell::Bash | InitShell::Zsh => input.clone(),
    };
    let (verdict, max_bytes) = match verdict(&judged, &input.text) {
        Ok(v) => v,
        Err(message) => {
            say(&format!(
                "{message}; refusing to run anything until it is fixed"
            ));
            return exit::CONFIG;
        }
    };
    if shell != InitShell::Fish && unfinished(&input.text, &verdict) {
        return exit::INCOMPLETE;
    }
    let command = input.text.as_str();
    // fish leaves the cursor after the typed line while a binding runs (readline and ZLE
    // move to a clean line themselves): what guardsh says starts on a line of its own.
    if shell == InitShell::Fish && verdict.decision != Decision::Allow {
        let _ = std::io::Write::write_all(&mut std::io::stderr(), b"\n");
    }
    // An agent can drive an interactive shell through a pseudo-terminal and would type the
    // phrase itself: inside a guarded tree, or where approve.rs's signs of an agent are
    // present, no one is asked here.
    let refusal = match verdict.decision {
        Decision::Confirm => crate::approve::refusal(),
        _ => None,
    };
    let ask = match &refusal {
        Some(why) => Err(why.as_str()),
        None => Ok(()),
    };
    match gate_asking(Mode::Interactive, command, &verdict, ask, max_bytes) {
        Some(go) => {
            audit::record(
                &Entry::new(Mode::Interactive, command, &verdict, go.outcome).insured(&go),
            );
            exit::OK
        }
        None => exit::REFUSED,
    }
}

/// The decision on `input`, typed as `line`, through the policy every mode shares (packs,
/// layered config, production), and the one place in this module that computes it.
/// Also the backup cap in effect.
fn verdict(input: &Input, line: &str) -> Result<(Verdict, u64), String> {
    let mut policy = crate::policy::Policy::load().map_err(|e| e.to_string())?;
    let verdict = policy
        .verdict_as_typed(input, line, &Limits::default())
        .map_err(|e| e.to_string())?;
    for w in policy.take_warnings() {
        crate::guard::say(&format!("warning: {w}"));
    }
    Ok((verdict, policy.layers().backup_max_bytes()))
}

/// True when the shell would not run `text` yet but ask for more (an open quote, `&&` or
/// `|` at the end, an unclosed `if`, a here-document whose body is still to come, a
/// trailing `\`). Such a line is not refused: the script lets the person keep typing, and
/// the whole text is judged once it is finished.
///
/// guardsh's parser reports an unfinished line as a parse error like any other, so bash
/// itself is asked (`bash -n` parses and runs nothing) whenever the line would not simply
/// run, or holds a construct bash may read further lines for. zsh's syntax is judged the
/// same way: the constructs that continue a line are the same in both.
fn unfinished(text: &str, verdict: &Verdict) -> bool {
    if ends_with_continuation(text) {
        return true;
    }
    let refused = matches!(verdict.decision, Decision::Confirm | Decision::Deny);
    let may_read_on = text.contains("<<") || text.contains("${");
    if !refused && !may_read_on {
        return false;
    }
    let Ok(bash) = exec::real_shell("bash", None) else {
        return false;
    };
    match exec::bash_syntax(&bash, text) {
        Ok(errors) => says_unfinished(&errors),
        // bash could not be asked: the line is judged as it is (refused if it does not parse).
        Err(_) => false,
    }
}

/// bash's messages for input that ended too soon.
fn says_unfinished(errors: &str) -> bool {
    errors.contains("unexpected EOF")
        || errors.contains("unexpected end of file")
        || errors.contains("delimited by end-of-file")
}

/// An unquoted backslash at the very end joins the next line to this one.
fn ends_with_continuation(text: &str) -> bool {
    let trailing = text.bytes().rev().take_while(|&b| b == b'\\').count();
    trailing % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_for_each_shell() {
        let out = render(InitShell::Bash, "/opt/it's here/guardsh", "/h/shims");
        assert!(out.contains(r"'/opt/it'\''s here/guardsh'"), "{out}");
        assert!(out.contains("'/h/shims'"), "{out}");
        assert!(!out.contains(BIN_MARK) && !out.contains(SHIMS_MARK));
        let out = render(InitShell::Fish, r"/opt/it's\here/guardsh", "/h/shims");
        assert!(out.contains(r"'/opt/it\'s\\here/guardsh'"), "{out}");
        assert!(!out.contains(BIN_MARK) && !out.contains(SHIMS_MARK));
        let out = render(InitShell::Zsh, "/b/guardsh", "/h/shims");
        assert!(!out.contains(BIN_MARK) && !out.contains(SHIMS_MARK));
    }

    #[test]
    fn trailing_backslashes_continue_only_when_odd() {
        assert!(ends_with_continuation(r"echo a \"));
        assert!(!ends_with_continuation(r"echo a \\"));
        assert!(ends_with_continuation(r"echo a \\\"));
        assert!(!ends_with_continuation("echo a"));
    }

    #[test]
    fn bash_messages_for_early_ends() {
        assert!(says_unfinished(
            "bash: line 1: unexpected EOF while looking for matching `\"'"
        ));
        assert!(says_unfinished(
            "bash: line 2: syntax error: unexpected end of file"
        ));
        assert!(says_unfinished(
            "bash: line 1: warning: here-document at line 1 delimited by end-of-file (wanted `EOF')"
        ));
        assert!(!says_unfinished(
            "bash: line 1: syntax error near unexpected token `fi'"
        ));
        assert!(!says_unfinished(""));
    }
}
