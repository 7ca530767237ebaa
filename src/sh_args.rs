//! The argv a POSIX shell accepts, read the way bash reads it, to find the text guardsh must
//! check: `-c CMD [$0 args…]`, a script file with arguments, or a script on standard input
//! (`-s`, or no operand). Everything else (`-l`, `-e`, `-o pipefail`, `--norc`, `+O shopt`,
//! flags guardsh does not know) is passed to the real shell untouched: guardsh only reads.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

/// Where the commands of a shell invocation come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `-c CMD`: the command string.
    Command(OsString),
    /// `bash script.sh args…`: a file.
    File(PathBuf),
    /// `-s`, or no operand with standard input not a terminal: a script read from stdin.
    Stdin,
    /// No operand and standard input is a terminal: an interactive shell.
    Interactive,
    /// `--version`, `--help`: prints and exits, runs nothing.
    Info,
}

/// A shell invocation as guardsh received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// `argv[0]` as received (`-bash` for a login shell, `bash` through a link, `guardsh`).
    pub argv0: OsString,
    /// The arguments after `argv[0]`, without guardsh's own `--dry-run`; passed to the real
    /// shell as they are.
    pub args: Vec<OsString>,
    /// Where the commands come from.
    pub source: Source,
    /// `-n` (or `-o noexec`) in force once every flag is applied: the shell reads the
    /// commands and runs none. False when a later `+n` or `+o noexec` undid it.
    pub noexec: bool,
    /// A login shell: `-l` (either sign, as bash takes it), `--login`, or an `argv[0]`
    /// starting with `-`. It sources the login startup files (`crate::startup`).
    pub login: bool,
    /// `--noprofile`: a login shell that sources no startup file.
    pub noprofile: bool,
    /// `--dry-run` (guardsh's own flag, before the shell's): decide and run nothing.
    pub dry_run: bool,
}

/// One option word's effect on bash's `noexec` (`-n`, `-o noexec`), applied to `on`, the
/// state the words before it left. `minus` is the sign of the word (`-` sets, `+` clears),
/// `letters` what follows the sign, and `values` the words after it, which its `o` and `O`
/// letters take as their values in order (`-xo noexec`, `-on noexec`). A value guardsh
/// cannot know (`None`: `+o "$x"`) may clear it, so it does; it is never taken to set it.
/// Returns how many values the word took.
///
/// As bash 5.2 does (checked by running it): the flags are applied left to right, and the
/// last one to touch `noexec` wins, so `-n +n`, `-xn +n`, `-n +o noexec`,
/// `-o noexec +o noexec` and `-n +nc CMD` all run the line. Option names are exact and
/// case-sensitive (`+o noexe`, `+o NOEXEC` are bash errors that run nothing), and `-i`
/// does not undo it. `set +n` inside the line cannot: under `noexec` nothing runs, `set`
/// included.
pub fn apply_noexec(on: &mut bool, minus: bool, letters: &str, values: &[Option<&str>]) -> usize {
    let mut taken = 0;
    for ch in letters.chars() {
        match ch {
            'n' => *on = minus,
            'o' => {
                match values.get(taken) {
                    Some(Some("noexec")) => *on = minus,
                    // An unknown value (or none: bash's own error) may be `noexec`; only
                    // clearing is assumed.
                    Some(None) if !minus => *on = false,
                    _ => {}
                }
                taken += 1;
            }
            'O' => taken += 1,
            _ => {}
        }
    }
    taken
}

/// Long options of bash (and zsh's common ones) that take the next word as their value.
const LONG_WITH_VALUE: &[&str] = &["--rcfile", "--init-file"];

/// Read a shell's argv (`args` excludes `argv[0]`). `stdin_is_terminal` decides between a
/// script on standard input and an interactive shell when there is no operand.
pub fn read(argv0: OsString, mut args: Vec<OsString>, stdin_is_terminal: bool) -> Invocation {
    let mut dry_run = false;
    while args.first().is_some_and(|a| a == "--dry-run") {
        args.remove(0);
        dry_run = true;
    }
    let mut c = false;
    let mut s = false;
    let mut noexec = false;
    let mut info = false;
    let mut login = std::path::Path::new(&argv0)
        .file_name()
        .is_some_and(|n| n.as_encoded_bytes().starts_with(b"-"));
    let mut noprofile = false;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let text = arg.to_string_lossy();
        if text == "--" || text == "-" {
            i += 1;
            break;
        }
        if let Some(long) = text.strip_prefix("--") {
            if long.is_empty() {
                break;
            }
            match long {
                "version" | "help" => info = true,
                "login" => login = true,
                "noprofile" => noprofile = true,
                _ => {}
            }
            let name = format!("--{}", long.split('=').next().unwrap_or(long));
            i += 1;
            if LONG_WITH_VALUE.contains(&name.as_str()) && !long.contains('=') {
                i += 1;
            }
            continue;
        }
        let Some(letters) = text.strip_prefix(['-', '+']) else {
            break;
        };
        if letters.is_empty() {
            break;
        }
        let minus = text.starts_with('-');
        i += 1;
        // bash takes its invocation-only letters with either sign: `+c CMD` runs CMD and
        // `+s` reads standard input, as `-c` and `-s` do (bash 5.2, by experiment).
        for ch in letters.chars() {
            match ch {
                'c' => c = true,
                's' => s = true,
                'l' => login = true,
                _ => {}
            }
        }
        // `-o NAME`, `+O NAME`: the values are the next words, wherever the letters are.
        let values: Vec<Option<&str>> = args
            .get(i..)
            .unwrap_or(&[])
            .iter()
            .map(|a| a.to_str())
            .collect();
        i += apply_noexec(&mut noexec, minus, letters, &values);
    }
    let operand = args.get(i).cloned();
    let source = if c {
        match operand {
            Some(cmd) => Source::Command(cmd),
            // `bash -c` with no string is bash's own usage error: nothing runs.
            None => Source::Info,
        }
    } else if info {
        Source::Info
    } else if s {
        Source::Stdin
    } else {
        match operand {
            Some(file) => Source::File(PathBuf::from(file)),
            None if stdin_is_terminal => Source::Interactive,
            None => Source::Stdin,
        }
    };
    Invocation {
        argv0,
        args,
        source,
        noexec,
        login,
        noprofile,
        dry_run,
    }
}

/// Is this argv a shell invocation rather than one of guardsh's subcommands? True when
/// guardsh was called through a shell's name (a link named `bash`, `sh`, `zsh`, a login
/// shell's `-bash`), or when its first argument is a shell option or a script path rather
/// than a subcommand or guardsh's own `--help`/`--version`/`--color`.
pub fn is_shell_call(argv0: &OsStr, first: Option<&OsStr>, subcommands: &[&str]) -> bool {
    let name = std::path::Path::new(argv0)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.starts_with('-') {
        return true;
    }
    let as_shell = name.trim_start_matches('-');
    if matches!(as_shell, "bash" | "sh" | "zsh" | "dash" | "ksh") {
        return true;
    }
    let Some(first) = first else {
        // Plain `guardsh`: an interactive shell (or a script on standard input).
        return true;
    };
    let first = first.to_string_lossy();
    if subcommands.contains(&first.as_ref()) {
        return false;
    }
    let own = [
        "-h",
        "--help",
        "-V",
        "--version",
        "help",
        "--color",
        "--no-color",
    ];
    if own.contains(&first.as_ref()) || first.starts_with("--color=") {
        return false;
    }
    // A shell option (`-c`, `-lc`, `+o`, `--login`, `--dry-run`) or a script path.
    first.starts_with('-') || first.starts_with('+') || first.contains('/') || {
        std::path::Path::new(first.as_ref()).is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(args: &[&str]) -> Invocation {
        read(
            "guardsh".into(),
            args.iter().map(OsString::from).collect(),
            false,
        )
    }

    fn cmd(s: &str) -> Source {
        Source::Command(s.into())
    }

    #[test]
    fn the_shapes_callers_use() {
        let cases: &[(&[&str], Source)] = &[
            (&["-c", "ls"], cmd("ls")),
            (&["-lc", "ls"], cmd("ls")),
            (&["-l", "-c", "ls"], cmd("ls")),
            (&["-c", "-l", "ls"], cmd("ls")),
            (&["--login", "-c", "ls", "arg0", "a1"], cmd("ls")),
            (&["-ec", "ls"], cmd("ls")),
            (&["-o", "pipefail", "-c", "ls"], cmd("ls")),
            (&["-eo", "pipefail", "-c", "ls"], cmd("ls")),
            (&["+O", "extglob", "-c", "ls"], cmd("ls")),
            (&["--norc", "--noprofile", "-c", "ls"], cmd("ls")),
            (&["--rcfile", "x.rc", "-c", "ls"], cmd("ls")),
            (&["--posix", "-x", "-u", "-c", "ls"], cmd("ls")),
            (&["-c", "--", "ls"], cmd("ls")),
            (&["-s", "a", "b"], Source::Stdin),
            (&[], Source::Stdin),
            (&["-l"], Source::Stdin),
            (&["script.sh", "a"], Source::File("script.sh".into())),
            (&["-e", "--", "script.sh"], Source::File("script.sh".into())),
            (&["--version"], Source::Info),
            (&["-c"], Source::Info),
        ];
        for (args, want) in cases {
            assert_eq!(&inv(args).source, want, "{args:?}");
        }
    }

    #[test]
    fn noexec_holds_only_when_nothing_later_undoes_it() {
        // Each case was run through bash 5.2 with `echo RAN`: `true` printed nothing.
        let cases: &[(&[&str], bool)] = &[
            (&["-n", "-c", "x"], true),
            (&["-nc", "x"], true),
            (&["-cn", "x"], true),
            (&["-c", "-n", "x"], true),
            (&["-o", "noexec", "-c", "x"], true),
            (&["-no", "noexec", "-c", "x"], true),
            (&["+n", "-n", "-c", "x"], true),
            (&["-n", "-x", "-c", "x"], true),
            (&["-n", "-o", "posix", "-c", "x"], true),
            (&["-n", "+O", "extglob", "-c", "x"], true),
            (&["-n", "-i", "-c", "x"], true),
            (&["-n", "-l", "-c", "x"], true),
            // After the command string, words are `$0` and arguments, not flags.
            (&["-n", "-c", "x", "+n"], true),
            (&["-n", "+n", "-c", "x"], false),
            (&["-xn", "+n", "-c", "x"], false),
            (&["-nn", "+n", "-c", "x"], false),
            (&["-n", "+nc", "x"], false),
            (&["-n", "+o", "noexec", "-c", "x"], false),
            (&["-o", "noexec", "+o", "noexec", "-c", "x"], false),
            (&["-n", "-o", "errexit", "+o", "noexec", "-c", "x"], false),
            (&["-n", "+on", "noexec", "-c", "x"], false),
            (&["-n", "+eo", "noexec", "-c", "x"], false),
            (&["+n", "-c", "x"], false),
            (&["-c", "x"], false),
            (&["-lc", "x"], false),
            (&["+c", "x"], false),
            (&["-n", "+c", "x"], true),
        ];
        for (args, want) in cases {
            assert_eq!(inv(args).noexec, *want, "{args:?}");
            assert_eq!(inv(args).source, cmd("x"), "{args:?}");
        }
    }

    #[test]
    fn login_shells_are_told() {
        let cases: &[(&str, &[&str], bool)] = &[
            ("guardsh", &["-lc", "x"], true),
            ("guardsh", &["-l", "-c", "x"], true),
            ("guardsh", &["+l", "-c", "x"], true),
            ("guardsh", &["--login", "-c", "x"], true),
            ("-bash", &["-c", "x"], true),
            ("guardsh", &["-c", "x"], false),
            ("guardsh", &["-c", "x", "-l"], false),
            ("guardsh", &["-o", "pipefail", "-c", "x"], false),
        ];
        for (argv0, args, want) in cases {
            let i = read(
                (*argv0).into(),
                args.iter().map(OsString::from).collect(),
                false,
            );
            assert_eq!(i.login, *want, "{argv0} {args:?}");
        }
        assert!(inv(&["--login", "--noprofile", "-c", "x"]).noprofile);
    }

    #[test]
    fn an_unknown_option_value_may_clear_noexec_but_never_sets_it() {
        let mut on = true;
        assert_eq!(apply_noexec(&mut on, false, "o", &[None]), 1);
        assert!(!on, "`+o $x` may be `+o noexec`");
        let mut on = false;
        assert_eq!(apply_noexec(&mut on, true, "o", &[None]), 1);
        assert!(!on, "`-o $x` is not taken to set it");
        let mut on = true;
        assert_eq!(
            apply_noexec(&mut on, true, "xoO", &[Some("posix"), Some("extglob")]),
            2
        );
        assert!(on);
    }

    #[test]
    fn dry_run_is_guardshs_and_is_removed() {
        let i = inv(&["--dry-run", "-c", "ls"]);
        assert!(i.dry_run);
        assert_eq!(i.args, vec![OsString::from("-c"), OsString::from("ls")]);
        assert_eq!(i.source, cmd("ls"));
    }

    #[test]
    fn interactive_only_on_a_terminal() {
        let i = read("bash".into(), Vec::new(), true);
        assert_eq!(i.source, Source::Interactive);
        let i = read("bash".into(), vec!["-s".into()], true);
        assert_eq!(i.source, Source::Stdin);
    }

    #[test]
    fn shell_calls_are_told_from_subcommands() {
        let subs = ["check", "explain", "test"];
        let yes: &[(&str, Option<&str>)] = &[
            ("guardsh", Some("-c")),
            ("guardsh", Some("-lc")),
            ("guardsh", Some("--dry-run")),
            ("guardsh", Some("--login")),
            ("/home/u/.local/share/guardsh/bin/bash", Some("check")),
            ("-bash", None),
            ("sh", Some("-c")),
            ("guardsh", None),
            ("guardsh", Some("./deploy.sh")),
        ];
        for (argv0, first) in yes {
            assert!(
                is_shell_call(OsStr::new(argv0), first.map(OsStr::new), &subs),
                "{argv0} {first:?}"
            );
        }
        let no: &[(&str, Option<&str>)] = &[
            ("guardsh", Some("check")),
            ("guardsh", Some("--help")),
            ("guardsh", Some("-V")),
            ("/usr/bin/guardsh", Some("explain")),
            ("guardsh", Some("--color=never")),
        ];
        for (argv0, first) in no {
            assert!(
                !is_shell_call(OsStr::new(argv0), first.map(OsStr::new), &subs),
                "{argv0} {first:?}"
            );
        }
    }
}
