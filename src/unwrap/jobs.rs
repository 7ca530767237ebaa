//! Programs that run a command over many inputs: `xargs`, `find -exec`, `fd -x`, GNU
//! `parallel`, and `watch`, which runs one again and again.

use super::opts::{self, Spec};
use super::text;
use super::wrappers::{Input, Peel, Step, from, joined_text, shell_text};
use crate::parse::{UnknownKind, Word};

pub(super) fn xargs(argv: &[Word]) -> Peel {
    let s = opts::scan(
        argv,
        1,
        &Spec {
            // -J and -R are BSD's (a replacement string, a replacement count).
            short_val: "IaLnPsdEJR",
            short_opt: "ile",
            long_val: &[
                "arg-file",
                "delimiter",
                "max-args",
                "max-lines",
                "max-procs",
                "max-chars",
                "process-slot-var",
            ],
            ..Spec::default()
        },
    );
    let replace: Option<String> = s
        .opts
        .iter()
        .rev()
        .find(|o| matches!(o.name.as_str(), "I" | "i" | "J" | "replace"))
        .map(|o| {
            o.value
                .as_ref()
                .map_or_else(|| "{}".to_string(), |v| v.text.clone())
        });
    let mut cmd: Vec<Word> = from(argv, s.rest).to_vec();
    if cmd.is_empty() {
        cmd.push(Word::literal("echo"));
    }
    match replace.filter(|r| !r.is_empty()) {
        Some(r) => {
            for w in &mut cmd {
                if w.text.contains(r.as_str()) {
                    w.dynamic = true;
                }
            }
        }
        None => cmd.push(Word {
            dynamic: true,
            ..Word::literal("{xargs input}")
        }),
    }
    let peel = Peel::run(&cmd, "xargs");
    if s.has(&["t", "p", "verbose", "interactive"]) {
        peel.opaque()
    } else {
        peel
    }
}

/// `find … -exec CMD… ;` and its relatives, every occurrence.
pub(super) fn find(argv: &[Word]) -> Peel {
    let mut steps = Vec::new();
    let mut i = 1;
    while let Some(w) = argv.get(i) {
        let via = match w.text.as_str() {
            "-exec" => "find -exec",
            "-execdir" => "find -execdir",
            "-ok" => "find -ok",
            "-okdir" => "find -okdir",
            _ => {
                i += 1;
                continue;
            }
        };
        let start = i + 1;
        let mut end = start;
        while let Some(a) = argv.get(end) {
            let prev_braces = end > start && argv.get(end - 1).is_some_and(|p| p.text == "{}");
            if a.text == ";" || (a.text == "+" && prev_braces) {
                break;
            }
            end += 1;
        }
        let mut cmd: Vec<Word> = argv.get(start..end).unwrap_or(&[]).to_vec();
        for c in &mut cmd {
            if c.text.contains("{}") {
                c.dynamic = true;
            }
        }
        if !cmd.is_empty() {
            steps.push(Step::Run {
                argv: cmd,
                assignments: Vec::new(),
                via: via.to_string(),
            });
        }
        i = end + 1;
    }
    Peel {
        steps,
        transparent: false,
    }
}

/// `fd PATTERN -x CMD…` / `-X CMD…` (fd-find).
pub(super) fn fd(argv: &[Word]) -> Peel {
    const PLACEHOLDERS: [&str; 5] = ["{}", "{/}", "{//}", "{.}", "{/.}"];
    let mut steps = Vec::new();
    let mut i = 1;
    while let Some(w) = argv.get(i) {
        if !matches!(w.text.as_str(), "-x" | "--exec" | "-X" | "--exec-batch") {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while argv.get(end).is_some_and(|a| a.text != ";") {
            end += 1;
        }
        let mut cmd: Vec<Word> = argv.get(start..end).unwrap_or(&[]).to_vec();
        let mut placed = false;
        for c in &mut cmd {
            if PLACEHOLDERS.iter().any(|p| c.text.contains(p)) {
                c.dynamic = true;
                placed = true;
            }
        }
        if !placed {
            cmd.push(Word {
                dynamic: true,
                ..Word::literal("{fd input}")
            });
        }
        if cmd.len() > 1 || placed {
            steps.push(Step::Run {
                argv: cmd,
                assignments: Vec::new(),
                via: "fd -x".to_string(),
            });
        }
        i = end + 1;
    }
    Peel {
        steps,
        transparent: false,
    }
}

/// GNU parallel: the command is joined and run by a shell once per input item.
pub(super) fn parallel(argv: &[Word]) -> Peel {
    const MAX_ITEMS: usize = 64;
    let s = opts::scan(
        argv,
        1,
        &Spec {
            short_val: "jSadEIClnNPsX",
            long_val: &[
                "jobs",
                "sshlogin",
                "arg-file",
                "delimiter",
                "eof",
                "colsep",
                "max-lines",
                "max-args",
                "max-replace-args",
                "max-procs",
                "joblog",
                "results",
                "res",
                "tmpdir",
                "timeout",
                "delay",
                "halt",
                "env",
                "workdir",
                "wd",
                "basefile",
                "bf",
                "return",
                "transferfile",
                "tf",
                "tagstring",
                "tag-string",
                "load",
                "memfree",
                "retries",
                "sshloginfile",
                "slf",
                "block",
                "recstart",
                "recend",
                "semaphorename",
                "id",
            ],
            ..Spec::default()
        },
    );
    let rest = from(argv, s.rest);
    let is_sep = |w: &Word| matches!(w.text.as_str(), ":::" | "::::" | ":::+" | "::::+");
    let split = rest.iter().position(is_sep).unwrap_or(rest.len());
    let (command, groups) = rest.split_at(split);
    let replace = s
        .value(&["I"])
        .map_or_else(|| "{}".to_string(), |w| w.text.clone());
    // Only one `:::` group of literal items is expanded item by item.
    let items: Option<Vec<&Word>> = match groups.split_first() {
        Some((sep, items))
            if sep.text == ":::"
                && !items.iter().any(is_sep)
                && items.len() <= MAX_ITEMS
                && items.iter().all(|w| w.is_literal() || plain_tilde(w)) =>
        {
            Some(items.iter().collect())
        }
        _ => None,
    };
    if command.is_empty() {
        if groups.is_empty() {
            // Commands come from standard input, one per line.
            return Peel::one(Step::Stdin {
                via: "parallel".to_string(),
                args: None,
            });
        }
        // The items themselves are the commands.
        let steps: Vec<Step> = match &items {
            Some(items) => items.iter().map(|w| shell_text(w, "parallel")).collect(),
            None => vec![Step::Unknown {
                kind: UnknownKind::HiddenScript,
                why: "parallel runs commands read from its arguments or files".to_string(),
            }],
        };
        return Peel {
            steps,
            transparent: true,
        };
    }
    let (text, dynamic) = text::join(command);
    let plain = !["{.}", "{/}", "{//}", "{/.}", "{#}", "{%}"]
        .iter()
        .any(|p| text.contains(p));
    if let (Some(items), true) = (&items, plain) {
        let steps = items
            .iter()
            .map(|item| {
                // `~` stays unquoted, or the re-read text would name a file called `~`.
                let quoted = if plain_tilde(item) {
                    std::borrow::Cow::Borrowed(item.text.as_str())
                } else {
                    shell_words::quote(&item.text)
                };
                let line = if text.contains(replace.as_str()) {
                    text.replace(replace.as_str(), &quoted)
                } else {
                    format!("{text} {quoted}")
                };
                Step::Script {
                    text: line,
                    dynamic,
                    via: "parallel".to_string(),
                    args: None,
                    input: None,
                }
            })
            .collect();
        return Peel {
            steps,
            transparent: true,
        };
    }
    let mut placeholders: Vec<String> = ["{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}"]
        .iter()
        .map(|p| p.to_string())
        .collect();
    placeholders.push(replace);
    Peel::one(Step::Script {
        text,
        dynamic,
        via: "parallel".to_string(),
        args: None,
        input: Some(Input {
            label: "{parallel input}",
            placeholders,
        }),
    })
}

pub(super) fn watch(argv: &[Word]) -> Peel {
    let s = opts::scan(
        argv,
        1,
        &Spec {
            short_val: "nq",
            short_opt: "d",
            long_val: &["interval", "equexit"],
            ..Spec::default()
        },
    );
    let rest = from(argv, s.rest);
    if rest.is_empty() {
        return Peel::none();
    }
    let peel = if s.has(&["x", "exec"]) {
        Peel::run(rest, "watch -x")
    } else {
        // Without -x, watch joins its arguments and runs them with `sh -c`.
        Peel::one(joined_text(rest, "watch", None))
    };
    peel.opaque()
}

/// `~` or `~/path` of plain characters: the shell expanded it before the program saw it,
/// and it can be written back unquoted.
fn plain_tilde(w: &Word) -> bool {
    w.tilde
        && !w.dynamic
        && !w.glob
        && !w.brace
        && (w.text == "~" || w.text.starts_with("~/"))
        && w.text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "~/._-+@%:,".contains(c))
}
