//! The argv shapes that run on every command an agent or a person types — `check LINE`,
//! `hook AGENT`, `gate --shell S -- LINE` — read without building clap's whole command tree.
//!
//! Building that tree (every subcommand, every argument, every help text) costs about 65
//! page faults, a third of what a whole `guardsh check 'git status'` costs on a small
//! machine. Only plain, unambiguous forms are taken here; anything else (`--help`, `-f`, a
//! repeated flag, an unknown word, a line that starts with `-` without `--`) returns `None`
//! and goes to clap, which then parses exactly as before. A test compares the two on every
//! short argv over a set of words that covers these forms and their near misses, so this
//! reading cannot drift from clap's.

use std::ffi::{OsStr, OsString};

use clap::ValueEnum;

use super::{CheckArgs, Cli, ColorChoice, Commands, GateArgs, HookArgs, InitShell};

/// `args` (argv\[0\] first) as clap would read it, when it has one of the hot shapes.
pub fn parse(args: &[OsString]) -> Option<Cli> {
    let mut color = None;
    let mut rest = args.get(1..)?.iter().map(OsString::as_os_str);
    let sub = loop {
        let word = rest.next()?.to_str()?;
        if !take_color(word, &mut rest, &mut color)? {
            break word;
        }
    };
    let command = match sub {
        "check" => check(rest, &mut color)?,
        "hook" => hook(rest, &mut color)?,
        "gate" => gate(rest, &mut color)?,
        _ => return None,
    };
    Some(Cli {
        color: color.unwrap_or(ColorChoice::Auto),
        command,
    })
}

/// Reads `--color WHEN` / `--color=WHEN` at `word`: `Some(true)` when it was one, `Some(false)`
/// when `word` is something else, `None` when it is one clap must judge (a second `--color`, an
/// unknown value).
fn take_color<'a>(
    word: &str,
    rest: &mut impl Iterator<Item = &'a OsStr>,
    color: &mut Option<ColorChoice>,
) -> Option<bool> {
    let value = if word == "--color" {
        rest.next()?.to_str()?
    } else if let Some(v) = word.strip_prefix("--color=") {
        v
    } else {
        return Some(false);
    };
    if color.is_some() {
        return None;
    }
    *color = Some(named(value)?);
    Some(true)
}

/// The variant clap would read for `value` (its names and aliases, case as written).
fn named<T: ValueEnum>(value: &str) -> Option<T> {
    T::from_str(value, false).ok()
}

/// `check [--json] [--] LINE`.
fn check<'a>(
    mut rest: impl Iterator<Item = &'a OsStr>,
    color: &mut Option<ColorChoice>,
) -> Option<Commands> {
    let mut json = false;
    let mut line = None;
    while let Some(word) = rest.next() {
        if line.is_some() {
            return None;
        }
        match word.to_str() {
            Some("--json") if !json => json = true,
            Some("--") => {
                line = Some(rest.next()?.to_owned());
                if rest.next().is_some() {
                    return None;
                }
            }
            Some(w) if w.starts_with('-') && w != "-" => {
                if !take_color(w, &mut rest, color)? {
                    return None;
                }
            }
            _ if word.as_encoded_bytes().starts_with(b"-") && word != "-" => return None,
            _ => line = Some(word.to_owned()),
        }
    }
    Some(Commands::Check(CheckArgs {
        json,
        file: None,
        line: Some(line?),
    }))
}

/// `hook AGENT`.
fn hook<'a>(
    mut rest: impl Iterator<Item = &'a OsStr>,
    color: &mut Option<ColorChoice>,
) -> Option<Commands> {
    let mut agent = None;
    while let Some(word) = rest.next() {
        let w = word.to_str()?;
        if take_color(w, &mut rest, color)? {
            continue;
        }
        if agent.is_some() {
            return None;
        }
        agent = Some(named(w)?);
    }
    Some(Commands::Hook(HookArgs { agent: agent? }))
}

/// `gate [--shell SHELL] -- LINE`, the form the shell integrations send.
fn gate<'a>(
    mut rest: impl Iterator<Item = &'a OsStr>,
    color: &mut Option<ColorChoice>,
) -> Option<Commands> {
    let mut shell = None;
    loop {
        let w = rest.next()?.to_str()?;
        if take_color(w, &mut rest, color)? {
            continue;
        }
        let value = match w {
            "--" => break,
            "--shell" => rest.next()?.to_str()?,
            _ => w.strip_prefix("--shell=")?,
        };
        if shell.is_some() {
            return None;
        }
        shell = Some(named(value)?);
    }
    let line = rest.next()?.to_owned();
    if rest.next().is_some() {
        return None;
    }
    Some(Commands::Gate(GateArgs {
        shell: shell.unwrap_or(InitShell::Bash),
        line,
    }))
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    /// Words that make up the hot forms, their near misses, and words clap reads otherwise.
    const WORDS: &[&str] = &[
        "check",
        "hook",
        "gate",
        "explain",
        "--json",
        "--color",
        "--color=never",
        "--color=bogus",
        "always",
        "auto",
        "--",
        "-",
        "-f",
        "--file",
        "git status",
        "-rf",
        "--help",
        "-h",
        "--version",
        "claude",
        "claude-code",
        "cursor",
        "Cline",
        "--shell",
        "--shell=zsh",
        "fish",
        "bash",
        "--jso",
        "",
    ];

    fn argv(words: &[&str]) -> Vec<OsString> {
        std::iter::once("guardsh")
            .chain(words.iter().copied())
            .map(OsString::from)
            .collect()
    }

    /// Whenever the fast reading answers, clap answers the same.
    fn agrees(words: &[&str]) -> bool {
        let args = argv(words);
        match parse(&args) {
            None => false,
            Some(fast) => {
                let clap = Cli::try_parse_from(&args)
                    .unwrap_or_else(|e| panic!("fast path took {words:?}, clap refused: {e}"));
                assert_eq!(
                    format!("{fast:?}"),
                    format!("{clap:?}"),
                    "fast path and clap differ on {words:?}"
                );
                true
            }
        }
    }

    #[test]
    fn every_short_argv_reads_as_clap_reads_it() {
        let n = WORDS.len();
        let mut taken = 0;
        let mut total = 0;
        for len in 0..=4u32 {
            for mut code in 0..n.pow(len) {
                let mut words = Vec::new();
                for _ in 0..len {
                    words.push(WORDS[code % n]);
                    code /= n;
                }
                total += 1;
                if agrees(&words) {
                    taken += 1;
                }
            }
        }
        // The fast path must actually serve the hot forms, not decline everything.
        assert!(taken > 100, "fast path took only {taken} of {total}");
    }

    #[test]
    fn the_hot_forms_are_taken() {
        for words in [
            &["check", "git status"][..],
            &["check", "--json", "git status"],
            &["check", "--json", "--", "-rf"],
            &["--color=never", "check", "-"],
            &["check", "--color", "always", "--json", "x"],
            &["hook", "claude"],
            &["hook", "cursor", "--color=never"],
            &["gate", "--shell", "zsh", "--", "ls -l"],
            &["gate", "--shell=fish", "--", "--weird"],
            &["gate", "--", "ls"],
        ] {
            assert!(agrees(words), "{words:?} should be read without clap");
        }
    }

    #[test]
    fn everything_else_goes_to_clap() {
        for words in [
            &["check", "--help"][..],
            &["check", "-f", "x.sh"],
            &["check", "--json", "--json", "x"],
            &["check", "-rf"],
            &["check", "a", "b"],
            &["check"],
            &["hook", "claude", "claude"],
            &["hook", "Claude"],
            &["gate", "ls"],
            &["gate", "--shell", "tcsh", "--", "ls"],
            &["--color", "sometimes", "check", "x"],
            &["--color=never", "--color=never", "check", "x"],
            &["explain", "x"],
        ] {
            assert!(parse(&argv(words)).is_none(), "{words:?} must go to clap");
        }
    }
}
