//! Shells and the programs that hand text to one: `bash -c`, `bash FILE`, `bash` reading
//! standard input, `eval`, `trap`, `source`, `su -c`, `runuser`, `sg`, `script -c`.

use super::opts::{self, Spec};
use super::wrappers::{Peel, Step, from, joined_text, shell_text};
use crate::parse::{Word, program_name};

/// Programs that read shell text the way bash does (close enough for finding commands).
const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "ksh93", "mksh", "lksh", "pdksh", "oksh", "ash", "yash",
    "posh", "rbash",
];

/// True when `name` is a shell guardsh reads like bash.
pub(super) fn is_shell(name: &str) -> bool {
    SHELLS.contains(&name) || name == "fish"
}

/// `Some` when `name` is a shell or hands text to one.
pub(super) fn peel(name: &str, argv: &[Word]) -> Option<Peel> {
    Some(match name {
        _ if SHELLS.contains(&name) => shell(name, argv),
        "fish" => fish(argv),
        "eval" => {
            let rest = from(argv, 1);
            if rest.is_empty() {
                return Some(Peel::none());
            }
            if let [w] = rest
                && let Some(program) =
                    setup_printer(&w.text, "$(", ")").or_else(|| setup_printer(&w.text, "`", "`"))
            {
                return Some(Peel::one(Step::Setup { program }));
            }
            Peel::one(joined_text(rest, "eval", None))
        }
        // `trap 'ACTION' SIGNAL…`: the action is a script that runs later (at exit, on an
        // error, on a signal), in this shell, like `eval`'s text.
        "trap" => {
            let mut rest = from(argv, 1);
            if rest.first().is_some_and(|w| w.text == "--") {
                rest = rest.get(1..).unwrap_or(&[]);
            }
            match rest {
                [action, _, ..] if !action.text.starts_with('-') || action.text.len() > 1 => {
                    if action.text.starts_with('-') && !action.dynamic {
                        // `trap -l`, `trap -p SIG`: listing, no action.
                        return Some(Peel::none());
                    }
                    Peel::one(joined_text(std::slice::from_ref(action), "trap", None))
                }
                _ => return Some(Peel::none()),
            }
        }
        "source" | "." => {
            let Some(path) = argv.get(1) else {
                return Some(Peel::none());
            };
            if argv.len() == 2
                && let Some(program) = setup_printer(&path.text, "<(", ")")
            {
                return Some(Peel::one(Step::Setup { program }));
            }
            // A sourced file keeps the caller's `$0`; its own arguments replace `$1…`.
            let extra = from(argv, 2);
            let args = (!extra.is_empty()).then(|| {
                let mut v = vec![Word {
                    dynamic: true,
                    ..Word::literal("$0")
                }];
                v.extend_from_slice(extra);
                v
            });
            Peel::one(Step::File {
                path: path.clone(),
                via: format!("{name} {}", path.text),
                args,
            })
        }
        "su" | "runuser" => su(name, argv),
        "sg" => sg(argv),
        // Only the system's `script`, not a project's `./script`.
        "script"
            if argv.first().is_some_and(|w| {
                matches!(
                    w.text.as_str(),
                    "script" | "/usr/bin/script" | "/bin/script"
                )
            }) =>
        {
            script(argv)
        }
        _ => return None,
    })
}

/// `$(pyenv init -)`, `<(kubectl completion bash)`: a substitution whose whole text is one
/// plain command (no expansion, operator or quote) of a program that prints its own shell
/// set-up, by the packs' `shell_setup`. What `eval` or `source` runs then is that installed
/// tool's code; the command itself stays in the line's analysis and is judged like any
/// other. The program's name, for the engine to check the line does not redefine it.
fn setup_printer(text: &str, open: &str, close: &str) -> Option<String> {
    let inner = text.strip_prefix(open)?.strip_suffix(close)?;
    let plain = inner.bytes().all(|b| {
        b.is_ascii_alphanumeric() || matches!(b, b' ' | b'-' | b'_' | b'.' | b'/' | b'=' | b'+')
    });
    if !plain {
        return None;
    }
    let mut words = inner.split_ascii_whitespace();
    let program = words.next()?;
    // A path is only the installed tool when it is one of the usual install places.
    if program.contains('/')
        && ![
            "/usr/bin/",
            "/usr/local/bin/",
            "/opt/homebrew/bin/",
            "/home/linuxbrew/.linuxbrew/bin/",
            "/bin/",
        ]
        .iter()
        .any(|d| program.strip_prefix(d).is_some_and(|n| !n.contains('/')))
    {
        return None;
    }
    let name = program_name(program);
    crate::rules::builtin::prints_shell_setup(name, words.next()).then(|| name.to_owned())
}

/// bash-style argument reading: options (bundled, `-o NAME`, `+O NAME`, long options)
/// before the first operand; `-c` anywhere among them makes that operand the script.
fn shell(name: &str, argv: &[Word]) -> Peel {
    let mut has_c = false;
    let mut stdin = false;
    let mut noexec = false;
    let mut i = 1;
    while let Some(w) = argv.get(i) {
        let t = w.text.as_str();
        if t == "--" || t == "-" {
            i += 1;
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            if matches!(long, "help" | "version") {
                return Peel::none();
            }
            let takes = matches!(long, "rcfile" | "init-file" | "emulate");
            i += if takes { 2 } else { 1 };
            continue;
        }
        let (plus, letters) = match (t.strip_prefix('-'), t.strip_prefix('+')) {
            (Some(l), _) if !l.is_empty() => (false, l),
            (_, Some(l)) if !l.is_empty() => (true, l),
            _ => break,
        };
        // Either sign: bash's `+c CMD` runs CMD, `+s` reads standard input.
        for ch in letters.chars() {
            match ch {
                'c' => has_c = true,
                's' => stdin = true,
                _ => {}
            }
        }
        // The same reading as guardsh's own argv (`-n +n`, `+o noexec` undo `-n`).
        let values: Vec<Option<&str>> = from(argv, i + 1)
            .iter()
            .map(|v| v.is_literal().then_some(v.text.as_str()))
            .collect();
        let taken = crate::sh_args::apply_noexec(&mut noexec, !plus, letters, &values);
        if !w.is_literal() {
            // A flag only known when the line runs may be `+n`: the text is judged.
            noexec = false;
        }
        i += 1 + taken;
    }
    if noexec {
        // `bash -n` reads the script for syntax errors and runs nothing.
        return Peel::none();
    }
    let operands = from(argv, i);
    if has_c {
        let Some((script, rest)) = operands.split_first() else {
            // `bash -c` without a script is an error: nothing runs.
            return Peel::none();
        };
        let mut args: Vec<Word> = rest.to_vec();
        if args.is_empty() {
            args.push(Word::literal(name));
        }
        return Peel::one(Step::Script {
            text: script.text.clone(),
            dynamic: script.dynamic || script.glob || script.brace,
            via: format!("{name} -c"),
            args: Some(args),
            input: None,
        });
    }
    if stdin || operands.is_empty() {
        let mut args = vec![Word::literal(name)];
        args.extend_from_slice(operands);
        return Peel::one(Step::Stdin {
            via: name.to_string(),
            args: Some(args),
        });
    }
    let path = operands
        .first()
        .cloned()
        .unwrap_or_else(|| Word::literal(""));
    Peel::one(Step::File {
        via: format!("{name} {}", path.text),
        path,
        args: Some(operands.to_vec()),
    })
}

/// fish: `-c CMD` and `-C CMD` take their text as a value; read it as shell text too.
fn fish(argv: &[Word]) -> Peel {
    let s = opts::scan(
        argv,
        1,
        &Spec {
            short_val: "cCdoDf",
            long_val: &[
                "command",
                "init-command",
                "debug",
                "debug-output",
                "features",
                "debug-stack-frames",
            ],
            ..Spec::default()
        },
    );
    let texts: Vec<Step> = s
        .opts
        .iter()
        .filter(|o| matches!(o.name.as_str(), "c" | "C" | "command" | "init-command"))
        .filter_map(|o| o.value.as_ref())
        .map(|w| shell_text(w, "fish -c"))
        .collect();
    if !texts.is_empty() {
        return Peel {
            steps: texts,
            transparent: true,
        };
    }
    match argv.get(s.rest) {
        Some(path) => Peel::one(Step::File {
            path: path.clone(),
            via: format!("fish {}", path.text),
            args: Some(from(argv, s.rest).to_vec()),
        }),
        None => Peel::one(Step::Stdin {
            via: "fish".to_string(),
            args: None,
        }),
    }
}

/// `su [opts] [-] [user [args…]]`, `runuser` likewise or `runuser -u user [--] cmd…`.
fn su(name: &str, argv: &[Word]) -> Peel {
    let has_u = name == "runuser"
        && argv
            .iter()
            .skip(1)
            .take_while(|w| w.text != "--")
            .any(|w| w.text == "-u" || w.text == "--user" || w.text.starts_with("--user="));
    if has_u {
        let s = opts::scan(
            argv,
            1,
            &Spec {
                short_val: "ugGw",
                long_val: &["user", "group", "supp-group", "whitelist-environment"],
                ..Spec::default()
            },
        );
        return Peel::run(from(argv, s.rest), "runuser");
    }
    let s = opts::scan(
        argv,
        1,
        &Spec {
            short_val: "cCsgGw",
            long_val: &[
                "command",
                "session-command",
                "shell",
                "group",
                "supp-group",
                "whitelist-environment",
            ],
            permute: true,
            ..Spec::default()
        },
    );
    let operands: Vec<&Word> = s
        .operands
        .iter()
        .filter_map(|&i| argv.get(i))
        .filter(|w| w.text != "-")
        .collect();
    // The first operand is the user; the rest go to the shell.
    let extra: Vec<Word> = operands.iter().skip(1).map(|w| (*w).clone()).collect();
    let shell = s.value(&["s", "shell"]).cloned();
    let text = s.value(&["c", "command", "C", "session-command"]).cloned();
    let known_shell = shell
        .as_ref()
        .is_none_or(|w| w.is_literal() && is_shell(program_name(&w.text)));
    match (text, known_shell) {
        (Some(text), true) => {
            let mut args = extra;
            if args.is_empty() {
                args.push(Word::literal("sh"));
            }
            Peel::one(Step::Script {
                dynamic: text.dynamic || text.glob || text.brace,
                text: text.text,
                via: format!("{name} -c"),
                args: Some(args),
                input: None,
            })
        }
        // An odd `--shell`: it is run as `SHELL -c TEXT args…`, whatever it is.
        (Some(text), false) => {
            let mut cmd = vec![shell.unwrap_or_else(|| Word::literal("sh"))];
            cmd.push(Word::literal("-c"));
            cmd.push(text);
            cmd.extend(extra);
            Peel::run(&cmd, name)
        }
        (None, _) if !extra.is_empty() => {
            let mut cmd = vec![shell.unwrap_or_else(|| Word::literal("sh"))];
            cmd.extend(extra);
            Peel::run(&cmd, name)
        }
        (None, _) => Peel::one(Step::Stdin {
            via: name.to_string(),
            args: None,
        }),
    }
}

/// `sg [-] GROUP [-c] CMD`: CMD goes to `/bin/sh -c`.
fn sg(argv: &[Word]) -> Peel {
    let mut i = 1;
    if argv.get(i).is_some_and(|w| w.text == "-") {
        i += 1;
    }
    i += 1; // the group
    if argv.get(i).is_some_and(|w| w.text == "-c") {
        i += 1;
    }
    match argv.get(i) {
        Some(text) => Peel::one(shell_text(text, "sg")),
        None if argv.len() > 1 => Peel::one(Step::Stdin {
            via: "sg".to_string(),
            args: None,
        }),
        None => Peel::none(),
    }
}

/// `script -c CMD [file]` (util-linux) or `script [file [cmd…]]` (BSD).
fn script(argv: &[Word]) -> Peel {
    let s = opts::scan(
        argv,
        1,
        &Spec {
            short_val: "cEIOBTmoFt",
            long_val: &[
                "command",
                "echo",
                "log-in",
                "log-out",
                "log-io",
                "log-timing",
                "logging-format",
                "output-limit",
            ],
            permute: true,
            ..Spec::default()
        },
    );
    if let Some(text) = s.value(&["c", "command"]) {
        return Peel::one(shell_text(text, "script -c")).opaque();
    }
    let operands: Vec<Word> = s
        .operands
        .iter()
        .filter_map(|&i| argv.get(i).cloned())
        .collect();
    if operands.len() > 1 {
        return Peel::run(from(&operands, 1), "script").opaque();
    }
    Peel::one(Step::Stdin {
        via: "script".to_string(),
        args: None,
    })
    .opaque()
}
