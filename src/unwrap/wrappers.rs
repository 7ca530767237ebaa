//! Programs that run another program: what each one runs, read with its own options.
//!
//! [`peel`] looks at one command and says what it runs ([`Step`]s); it never parses shell
//! text itself and never touches the filesystem, so it is a pure function of the argv. The
//! engine in `unwrap.rs` carries the steps out.

use super::opts::{self, Spec};
use super::text;
use super::{jobs, packages, remote, shells};
use crate::parse::{Assignment, Command, UnknownKind, Word, program_name};

/// One thing a command makes happen besides itself.
#[derive(Debug, Clone)]
pub(super) enum Step {
    /// The command runs this argv directly (a wrapper was peeled).
    Run {
        /// The inner command.
        argv: Vec<Word>,
        /// Environment the wrapper adds (`env FOO=1 …`, `sudo FOO=1 …`).
        assignments: Vec<Assignment>,
        /// The wrapper, e.g. `sudo`, `docker exec`.
        via: String,
    },
    /// A shell parses this text (`bash -c`, `eval`, `ssh host …`).
    Script {
        /// The shell text.
        text: String,
        /// Some of the text is only known when the line runs.
        dynamic: bool,
        /// What runs it, e.g. `bash -c`.
        via: String,
        /// `$0 $1 …` for the text, when they are set by this command.
        args: Option<Vec<Word>>,
        /// Items read from standard input are added to the text (`parallel`).
        input: Option<Input>,
    },
    /// A shell reads its commands from its standard input.
    Stdin {
        /// What reads, e.g. `bash`, `ssh`.
        via: String,
        /// `$0 $1 …`, when set.
        args: Option<Vec<Word>>,
    },
    /// A shell reads its commands from a file (`bash x.sh`, `source x.sh`).
    File {
        /// The file as written.
        path: Word,
        /// What reads it, e.g. `bash x.sh`.
        via: String,
        /// `$0 $1 …`, when set.
        args: Option<Vec<Word>>,
    },
    /// `eval`/`source` of what an installed tool prints as its own shell set-up (`eval
    /// "$(pyenv init -)"`): the tool's code, not the line's, unless the line itself gives
    /// `program` another meaning (a function, an alias or hash, a PATH change, a file of
    /// that name written): settled once the whole line is known.
    Setup {
        /// The tool (`pyenv`).
        program: String,
    },
    /// Something about what runs cannot be known.
    Unknown {
        /// Why.
        kind: UnknownKind,
        /// A sentence for the reader.
        why: String,
    },
}

/// Input items a program adds to the command it builds (`parallel`, `fd -x`).
#[derive(Debug, Clone)]
pub(super) struct Input {
    /// The word that stands for the items when nothing says where they go.
    pub label: &'static str,
    /// The replacement strings; words holding one are only known at run time.
    pub placeholders: Vec<String>,
}

/// What a command runs, and whether its own output is just that of what it runs (so that
/// `sudo echo x | sh` can be read through `sudo`).
#[derive(Debug, Default)]
pub(super) struct Peel {
    pub steps: Vec<Step>,
    pub transparent: bool,
}

impl Peel {
    pub(super) fn none() -> Self {
        Peel::default()
    }

    pub(super) fn one(step: Step) -> Self {
        Peel {
            steps: vec![step],
            transparent: true,
        }
    }

    pub(super) fn run(argv: &[Word], via: &str) -> Self {
        if argv.is_empty() {
            return Peel::none();
        }
        Peel::one(Step::Run {
            argv: argv.to_vec(),
            assignments: Vec::new(),
            via: via.to_string(),
        })
    }

    pub(super) fn opaque(mut self) -> Self {
        self.transparent = false;
        self
    }
}

/// Words from `start` on (empty when past the end).
pub(super) fn from(words: &[Word], start: usize) -> &[Word] {
    words.get(start..).unwrap_or(&[])
}

/// What `cmd` runs besides itself.
pub(super) fn peel(cmd: &Command) -> Peel {
    let argv = cmd.argv.as_slice();
    let Some(first) = argv.first() else {
        return Peel::none();
    };
    if !first.is_literal() {
        // Already a DynamicProgram unknown from the parser.
        return Peel::none();
    }
    let name = program_name(&first.text);
    if let Some(p) = shells::peel(name, argv) {
        return p;
    }
    if let Some(p) = remote::peel(name, argv) {
        return p;
    }
    match name {
        "sudo" => sudo(argv),
        "doas" => doas(argv),
        "env" => env(argv),
        "nice" => simple(
            argv,
            "nice",
            &Spec {
                short_val: "n",
                long_val: &["adjustment"],
                ..Spec::default()
            },
            0,
        ),
        "ionice" => ionice(argv),
        "nohup" => simple(argv, "nohup", &Spec::default(), 0),
        // `!` where the grammar does not take it as negation (`yes | ! rm -rf /`) is left
        // as a command word by the parser. bash, zsh and dash all refuse that line, but a
        // shell that took `!` there would run what follows: judge it.
        // All of a run of them at once: peeling one per round made a line of 100,000 `!`
        // quadratic.
        // Only the bare word: `dir/!` is a program of that name, and peeling it would
        // peel nothing, for ever.
        "!" if first.text == "!" => Peel::run(
            from(argv, argv.iter().take_while(|w| w.text == "!").count()),
            "!",
        ),
        "timeout" => simple(
            argv,
            "timeout",
            &Spec {
                short_val: "sk",
                long_val: &["signal", "kill-after"],
                ..Spec::default()
            },
            1,
        ),
        "time" => simple(
            argv,
            "time",
            &Spec {
                short_val: "fo",
                long_val: &["format", "output"],
                ..Spec::default()
            },
            0,
        ),
        "command" => {
            let s = opts::scan(argv, 1, &Spec::default());
            if s.has(&["v", "V"]) {
                // `command -v rm` only says where rm is.
                return Peel::none();
            }
            Peel::run(from(argv, s.rest), "command")
        }
        "builtin" => Peel::run(from(argv, 1), "builtin"),
        "exec" => simple(
            argv,
            "exec",
            &Spec {
                short_val: "a",
                ..Spec::default()
            },
            0,
        ),
        "stdbuf" => simple(
            argv,
            "stdbuf",
            &Spec {
                short_val: "ioe",
                long_val: &["input", "output", "error"],
                ..Spec::default()
            },
            0,
        ),
        "setsid" | "unbuffer" | "nocorrect" | "noglob" | "catchsegv" | "chronic" => {
            simple(argv, name, &Spec::default(), 0)
        }
        "caffeinate" => simple(
            argv,
            "caffeinate",
            &Spec {
                short_val: "tw",
                ..Spec::default()
            },
            0,
        ),
        "chroot" => {
            let s = opts::scan(
                argv,
                1,
                &Spec {
                    long_val: &["userspec", "groups"],
                    ..Spec::default()
                },
            );
            match argv.get(s.rest + 1..) {
                Some(rest) if !rest.is_empty() => Peel::run(rest, "chroot"),
                // No command: chroot runs `$SHELL -i`.
                _ if s.rest < argv.len() => Peel::one(Step::Stdin {
                    via: "chroot".to_string(),
                    args: None,
                }),
                _ => Peel::none(),
            }
        }
        "flock" => flock(argv),
        // `chrt [opts] PRIORITY CMD`, `taskset [opts] MASK CMD`; `-p` acts on a pid instead.
        "chrt" | "taskset" => {
            let spec = Spec {
                short_val: if name == "chrt" { "TPD" } else { "" },
                long_val: &["sched-runtime", "sched-period", "sched-deadline"],
                ..Spec::default()
            };
            let s = opts::scan(argv, 1, &spec);
            if s.has(&["p", "pid", "m", "max", "h", "help", "V", "version"]) {
                return Peel::none();
            }
            Peel::run(from(argv, s.rest.saturating_add(1)), name)
        }
        "systemd-run" => {
            let s = opts::scan(
                argv,
                1,
                &Spec {
                    short_val: "upEMHs",
                    long_val: &[
                        "unit",
                        "property",
                        "description",
                        "slice",
                        "uid",
                        "gid",
                        "nice",
                        "working-directory",
                        "setenv",
                        "on-active",
                        "on-boot",
                        "on-startup",
                        "on-unit-active",
                        "on-unit-inactive",
                        "on-calendar",
                        "on-timer",
                        "timer-property",
                        "path-property",
                        "socket-property",
                        "service-type",
                        "machine",
                        "host",
                        "expand-environment",
                    ],
                    ..Spec::default()
                },
            );
            Peel::run(from(argv, s.rest), "systemd-run")
        }
        // `screen -dmS name CMD…` starts CMD in a detached session.
        "screen" => {
            let s = opts::scan(
                argv,
                1,
                &Spec {
                    short_val: "SceEhpTtX",
                    long_val: &[],
                    ..Spec::default()
                },
            );
            if s.has(&[
                "X", "p", "r", "R", "x", "ls", "list", "wipe", "v", "version", "help",
            ]) {
                // `screen -X stuff 'rm -rf ~\n'` types into a session: not readable.
                return if s.has(&["X"]) {
                    Peel::one(Step::Unknown {
                        kind: UnknownKind::HiddenScript,
                        why: "`screen -X` sends commands to another session".to_string(),
                    })
                } else {
                    Peel::none()
                };
            }
            Peel::run(from(argv, s.rest), "screen")
        }
        "tmux" => tmux(argv),
        // `at`/`batch` read the job's shell text from standard input, or `-f FILE`.
        "at" | "batch" => {
            let s = opts::scan(
                argv,
                1,
                &Spec {
                    short_val: "qfmMt",
                    ..Spec::default()
                },
            );
            if s.has(&["l", "r", "d", "c", "V"]) {
                return Peel::none();
            }
            match s.value(&["f"]) {
                Some(path) => Peel::one(Step::File {
                    path: path.clone(),
                    via: format!("{name} -f"),
                    args: None,
                }),
                None => Peel::one(Step::Stdin {
                    via: name.to_string(),
                    args: None,
                }),
            }
        }
        "nsenter" | "unshare" => {
            let spec = if name == "nsenter" {
                Spec {
                    short_val: "tSG",
                    short_opt: "wrmuinpUCT",
                    long_val: &["target", "setuid", "setgid"],
                    ..Spec::default()
                }
            } else {
                Spec {
                    short_val: "RwSG",
                    short_opt: "mnuipUCT",
                    long_val: &["root", "wd", "setuid", "setgid", "propagation", "setgroups"],
                    ..Spec::default()
                }
            };
            let s = opts::scan(argv, 1, &spec);
            if s.rest >= argv.len() {
                // No command: they run `$SHELL`, which reads standard input.
                return Peel::one(Step::Stdin {
                    via: name.to_string(),
                    args: None,
                });
            }
            Peel::run(from(argv, s.rest), name)
        }
        "strace" | "ltrace" => {
            let spec = if name == "strace" {
                Spec {
                    short_val: "oepPsSuabEIOX",
                    long_val: &["output", "attach", "user", "env", "trace-path"],
                    ..Spec::default()
                }
            } else {
                Spec {
                    short_val: "oepuasnxFlADw",
                    long_val: &["output"],
                    ..Spec::default()
                }
            };
            simple(argv, name, &spec, 0)
        }
        "pkexec" => {
            let s = opts::scan(
                argv,
                1,
                &Spec {
                    long_val: &["user"],
                    ..Spec::default()
                },
            );
            if s.rest >= argv.len() {
                return Peel::one(Step::Stdin {
                    via: "pkexec".to_string(),
                    args: None,
                });
            }
            Peel::run(from(argv, s.rest), "pkexec")
        }
        // valgrind's own options are all `--name=value` or single letters without values.
        "valgrind" => simple(argv, name, &Spec::default(), 0),
        "setpriv" => simple(
            argv,
            name,
            &Spec {
                long_val: &[
                    "reuid",
                    "regid",
                    "ruid",
                    "rgid",
                    "euid",
                    "egid",
                    "groups",
                    "inh-caps",
                    "ambient-caps",
                    "bounding-set",
                    "securebits",
                    "pdeathsig",
                    "selinux-label",
                    "apparmor-profile",
                    "landlock-access",
                    "landlock-rule",
                    "seccomp-filter",
                    "ptracer",
                    "rlimit",
                ],
                ..Spec::default()
            },
            0,
        ),
        "toybox" | "busybox" => match argv.get(1) {
            Some(w) if !w.text.starts_with('-') => Peel::run(from(argv, 1), name),
            _ => Peel::none(),
        },
        "xargs" => jobs::xargs(argv),
        "find" => jobs::find(argv),
        "fd" | "fdfind" => jobs::fd(argv),
        // `sem` is GNU parallel under another name (`parallel --semaphore`); `sem --wait`
        // alone runs nothing, where a bare `parallel` reads commands from its input.
        "sem" if argv.iter().skip(1).all(|w| w.text.starts_with('-')) => Peel::none(),
        "parallel" | "sem" => jobs::parallel(argv),
        "watch" => jobs::watch(argv),
        "npx" | "pnpx" => packages::npx(argv, 1, name),
        "bunx" => packages::npx(argv, 1, "bunx"),
        "bun" if argv.get(1).is_some_and(|w| w.text == "x") => packages::npx(argv, 2, "bun x"),
        "npm" => packages::npm(argv),
        "pnpm" => packages::pnpm(argv),
        "yarn" => packages::yarn(argv),
        _ => match crate::rules::builtin::launcher(name) {
            Some(spec) => super::launchers::peel(argv, name, spec),
            None => packages::runner(name, argv),
        },
    }
}

/// A wrapper whose command starts after its options and `skip` operands.
/// `tmux new-session|new-window|split-window|respawn-pane|respawn-window|run-shell … CMD`:
/// CMD is shell text. `send-keys` types into a pane, which guardsh cannot follow.
fn tmux(argv: &[Word]) -> Peel {
    let global = opts::scan(
        argv,
        1,
        &Spec {
            short_val: "cfLST",
            ..Spec::default()
        },
    );
    let Some(sub) = argv.get(global.rest) else {
        return Peel::none();
    };
    let runs = matches!(
        sub.text.as_str(),
        "new-session"
            | "new"
            | "new-window"
            | "neww"
            | "split-window"
            | "splitw"
            | "respawn-pane"
            | "respawnp"
            | "respawn-window"
            | "respawnw"
            | "run-shell"
            | "run"
            | "if-shell"
            | "if"
            | "display-popup"
            | "popup"
    );
    if matches!(
        sub.text.as_str(),
        "send-keys" | "send" | "pipe-pane" | "pipep"
    ) {
        return Peel::one(Step::Unknown {
            kind: UnknownKind::HiddenScript,
            why: format!(
                "`tmux {}` sends text to a pane, which runs it in a shell guardsh does not see",
                sub.text
            ),
        });
    }
    if !sub.is_literal() {
        return Peel::one(Step::Unknown {
            kind: UnknownKind::DynamicProgram,
            why: "a tmux command chosen at run time".to_string(),
        });
    }
    if !runs {
        return Peel::none();
    }
    // Which letters take a value differs by subcommand (`-d` detaches a new session but is
    // run-shell's delay).
    let short_val = match sub.text.as_str() {
        "run-shell" | "run" => "cdt",
        "display-popup" | "popup" => "bcdehsSTtwxy",
        "if-shell" | "if" => "t",
        _ => "cefFnstxyl",
    };
    let s = opts::scan(
        argv,
        global.rest + 1,
        &Spec {
            short_val,
            ..Spec::default()
        },
    );
    let rest = from(argv, s.rest);
    if rest.is_empty() {
        return Peel::none();
    }
    Peel::one(joined_text(rest, "tmux", None))
}

fn simple(argv: &[Word], via: &str, spec: &Spec<'_>, skip: usize) -> Peel {
    let s = opts::scan(argv, 1, spec);
    Peel::run(from(argv, s.rest.saturating_add(skip)), via)
}

/// True when `text` is `NAME=value` with a valid shell name.
pub(super) fn assignment(w: &Word) -> Option<Assignment> {
    let (name, value) = w.text.split_once('=')?;
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then(|| Assignment {
        name: name.to_string(),
        value: Word {
            text: value.to_string(),
            ..w.clone()
        },
    })
}

/// Leading `NAME=value` words become assignments; the rest is the command.
fn run_with_env(words: &[Word], via: &str) -> Peel {
    let mut assignments = Vec::new();
    let mut i = 0;
    while let Some(a) = words.get(i).and_then(assignment) {
        assignments.push(a);
        i += 1;
    }
    let argv = from(words, i);
    if argv.is_empty() {
        return Peel::none();
    }
    Peel::one(Step::Run {
        argv: argv.to_vec(),
        assignments,
        via: via.to_string(),
    })
}

fn sudo(argv: &[Word]) -> Peel {
    let s = opts::scan(
        argv,
        1,
        &Spec {
            short_val: "aCcDgpRrTtUu",
            short_opt: "h",
            long_val: &[
                "user",
                "group",
                "prompt",
                "close-from",
                "chdir",
                "chroot",
                "role",
                "type",
                "command-timeout",
                "other-user",
                "login-class",
                "auth-type",
            ],
            ..Spec::default()
        },
    );
    let runs_nothing = s.opts.iter().any(|o| {
        matches!(
            o.name.as_str(),
            "e" | "l"
                | "v"
                | "K"
                | "V"
                | "edit"
                | "list"
                | "validate"
                | "remove-timestamp"
                | "version"
                | "help"
        ) || (o.name == "h" && o.value.is_none())
    });
    if runs_nothing {
        return Peel::none();
    }
    let rest = from(argv, s.rest);
    let shell = if s.has(&["i", "login"]) {
        Some("sudo -i")
    } else if s.has(&["s", "shell"]) {
        Some("sudo -s")
    } else {
        None
    };
    match shell {
        Some(via) if rest.is_empty() => Peel::one(Step::Stdin {
            via: via.to_string(),
            args: None,
        }),
        // sudo hands `$SHELL -c` its arguments with everything but names escaped.
        Some(via) => Peel::one(Step::Script {
            text: text::sudo_escape(rest),
            dynamic: false,
            via: via.to_string(),
            args: None,
            input: None,
        }),
        None => run_with_env(rest, "sudo"),
    }
}

fn doas(argv: &[Word]) -> Peel {
    let s = opts::scan(
        argv,
        1,
        &Spec {
            short_val: "uC",
            ..Spec::default()
        },
    );
    if s.has(&["C", "L"]) {
        return Peel::none();
    }
    let rest = from(argv, s.rest);
    if s.has(&["s"]) || rest.is_empty() {
        return if s.has(&["s"]) {
            Peel::one(Step::Stdin {
                via: "doas -s".to_string(),
                args: None,
            })
        } else {
            Peel::none()
        };
    }
    Peel::run(rest, "doas")
}

/// GNU `env`, including `-S` (split a string into more arguments, as in shebang lines).
/// GNU env's long options (coreutils 9), for prefix resolution.
const ENV_LONG: &[&str] = &[
    "ignore-environment",
    "null",
    "unset",
    "chdir",
    "split-string",
    "argv0",
    "block-signal",
    "default-signal",
    "ignore-signal",
    "list-signal-handling",
    "debug",
    "help",
    "version",
];

fn env(argv: &[Word]) -> Peel {
    let mut words: Vec<Word> = argv.to_vec();
    let mut i = 1;
    let mut splits = 0;
    while let Some(w) = words.get(i).cloned() {
        let t = w.text.as_str();
        if t == "--" {
            i += 1;
            break;
        }
        if t == "-" {
            i += 1;
            continue;
        }
        if !opts::is_option(&w) {
            break;
        }
        // Which option takes a value, and where the value is.
        let mut split_at: Option<(usize, Word)> = None;
        let mut used = 1;
        if let Some(long) = t.strip_prefix("--") {
            let (given, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            // getopt_long takes any unique prefix (`--unse`, `--split`); one that names no
            // option, or more than one, makes env fail and run nothing, but guardsh cannot
            // be sure which env it is, so it is not a guess either way.
            let Some(name) = opts::resolve_long(given, ENV_LONG) else {
                return Peel::one(Step::Unknown {
                    kind: UnknownKind::DynamicProgram,
                    why: format!(
                        "`env {t}`: an option guardsh does not know, so what env runs is unknown"
                    ),
                });
            };
            let takes = matches!(name, "unset" | "chdir" | "split-string" | "argv0");
            let value = match value {
                Some(v) => Some(Word {
                    text: v,
                    ..w.clone()
                }),
                None if takes => {
                    used = 2;
                    words.get(i + 1).cloned()
                }
                None => None,
            };
            if name == "split-string" {
                split_at = value.map(|v| (i, v));
            }
        } else {
            let letters = t.get(1..).unwrap_or("");
            for (pos, ch) in letters.char_indices() {
                if !matches!(ch, 'i' | '0' | 'v' | 'u' | 'C' | 'S' | 'P' | 'a') {
                    return Peel::one(Step::Unknown {
                        kind: UnknownKind::DynamicProgram,
                        why: format!(
                            "`env {t}`: -{ch} is an option guardsh does not know, so what env runs is unknown"
                        ),
                    });
                }
                // -P (BSD: the PATH to find the program in) and -a (GNU: its argv[0]) take
                // a value too: the program is the word after it.
                if matches!(ch, 'u' | 'C' | 'S' | 'P' | 'a') {
                    let attached = letters.get(pos + 1..).unwrap_or("");
                    let value = if attached.is_empty() {
                        used = 2;
                        words.get(i + 1).cloned()
                    } else {
                        Some(Word {
                            text: attached.to_string(),
                            ..w.clone()
                        })
                    };
                    if ch == 'S' {
                        split_at = value.map(|v| (i, v));
                    }
                    break;
                }
            }
        }
        match split_at {
            Some((at, value)) => {
                splits += 1;
                let Some(parts) = text::split_string(&value).filter(|_| splits <= 16) else {
                    return Peel::one(Step::Unknown {
                        kind: UnknownKind::HiddenScript,
                        why: format!("`env -S` string that does not split: {}", value.text),
                    });
                };
                let tail = words.split_off((at + used).min(words.len()));
                words.truncate(at);
                words.extend(parts);
                words.extend(tail);
                i = at;
            }
            None => i += used,
        }
    }
    run_with_env(from(&words, i), "env")
}

fn ionice(argv: &[Word]) -> Peel {
    let s = opts::scan(
        argv,
        1,
        &Spec {
            short_val: "cnpPu",
            long_val: &["class", "classdata", "pid", "pgid", "uid"],
            ..Spec::default()
        },
    );
    if s.has(&["p", "P", "u", "pid", "pgid", "uid"]) {
        // The operands are process ids, not a command.
        return Peel::none();
    }
    Peel::run(from(argv, s.rest), "ionice")
}

fn flock(argv: &[Word]) -> Peel {
    let s = opts::scan(
        argv,
        1,
        &Spec {
            short_val: "wEc",
            long_val: &["timeout", "wait", "conflict-exit-code", "command"],
            ..Spec::default()
        },
    );
    if let Some(script) = s.value(&["c", "command"]) {
        return Peel::one(shell_text(script, "flock -c"));
    }
    // `flock [opts] FILE -c CMD` or `flock [opts] FILE CMD…`; `flock FD` runs nothing.
    let after = from(argv, s.rest.saturating_add(1));
    match after.first().map(|w| w.text.as_str()) {
        Some("-c" | "--command") => match after.get(1) {
            Some(script) => Peel::one(shell_text(script, "flock -c")),
            None => Peel::none(),
        },
        Some(_) => Peel::run(after, "flock"),
        None => Peel::none(),
    }
}

/// One word of shell text run by `sh -c`.
pub(super) fn shell_text(w: &Word, via: &str) -> Step {
    Step::Script {
        text: w.text.clone(),
        dynamic: w.dynamic || w.glob || w.brace,
        via: via.to_string(),
        args: None,
        input: None,
    }
}

/// Words joined with spaces and run by a shell (`watch`, `ssh`, `eval`).
pub(super) fn joined_text(words: &[Word], via: &str, args: Option<Vec<Word>>) -> Step {
    let (text, dynamic) = text::join(words);
    Step::Script {
        text,
        dynamic,
        via: via.to_string(),
        args,
        input: None,
    }
}
