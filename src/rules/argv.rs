//! An argv, normalised the way rules read it: options apart from operands, bundled short
//! flags split (`-rf` is `-r -f`), `--flag=value` the same as `--flag value`. The first `--`
//! is kept as a flag named `--` (what follows are operands), so a rule can ask for it:
//! `git checkout -- .` names paths, `git checkout main` a branch.

use crate::parse::Word;

/// One normalised token of an argv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    /// An option, with its value when it takes one (`-e prod`, `--env=prod`, `-eprod`).
    Flag {
        /// The option as written before any `=`: `-r`, `--force`.
        name: String,
        /// Its value, when the option takes one or was written `--flag=value`.
        value: Option<&'a Word>,
        /// The inline `=value` text, when it was written that way.
        inline: Option<String>,
    },
    /// An operand (subcommand or argument).
    Operand(&'a Word),
}

/// How one program's options are read.
#[derive(Debug, Clone, Default)]
pub struct OptionSpec {
    /// Options that take a value (`-e`, `--environment`).
    pub with_value: Vec<String>,
    /// Options that only print help, besides `--help` (`-h`).
    pub help: Vec<String>,
    /// Options followed by a command, up to a `;` or `+` word (`-exec`): its words are one
    /// option's value, not options.
    pub with_command: Vec<String>,
    /// The program takes a unique prefix of a long option for the option.
    pub abbreviates: bool,
    /// The long options rules name for the program, which a prefix is resolved among
    /// before the subcommand (and for a program without subcommands).
    pub known_long: Vec<String>,
    /// After the subcommand (the first operand), the long options known for it, sorted by
    /// subcommand: git resolves `--forc` among `git clean`'s options, not among every git
    /// option a rule names (`git push --force-with-lease` would make it ambiguous).
    pub known_long_by_sub: Vec<(String, Vec<String>)>,
}

impl OptionSpec {
    fn takes_value(&self, name: &str) -> bool {
        self.with_value.iter().any(|o| o == name)
    }

    /// The long option `name` stands for: itself, or for a program that abbreviates, the
    /// one known option it is a prefix of (`--recu` is `--recursive`). A prefix of several
    /// is left as written: the program itself finds it ambiguous and runs nothing.
    fn full_name(&self, name: String, sub: Option<&str>) -> String {
        if !self.abbreviates || name.len() < 4 {
            return name;
        }
        let known = sub
            .and_then(|s| {
                self.known_long_by_sub
                    .binary_search_by(|(k, _)| k.as_str().cmp(s))
                    .ok()
            })
            .and_then(|i| self.known_long_by_sub.get(i))
            .map_or(&self.known_long, |(_, list)| list);
        if known.contains(&name) {
            return name;
        }
        let mut candidates = known.iter().filter(|k| k.starts_with(&name));
        match (candidates.next(), candidates.next()) {
            (Some(one), None) => one.clone(),
            _ => name,
        }
    }
}

/// Normalise `args` (argv without argv[0]).
///
/// A dynamic word is never split as a flag bundle: what it expands to is not known, so it
/// stays one operand and rules judge it pessimistically.
pub fn normalise<'a>(args: &'a [Word], spec: &OptionSpec) -> Vec<Token<'a>> {
    let mut out = Vec::with_capacity(args.len());
    let mut i = 0;
    let mut operands_only = false;
    let mut sub: Option<&str> = None;
    while i < args.len() {
        let w = &args[i];
        let t = w.text.as_str();
        i += 1;
        if operands_only || w.dynamic || t.len() < 2 || !t.starts_with('-') {
            if sub.is_none() && !w.dynamic {
                sub = Some(t);
            }
            out.push(Token::Operand(w));
            continue;
        }
        if spec.with_command.iter().any(|o| o == t) {
            // The command's words, to the terminator (or the end, where the program would
            // refuse the line): the first stands for them as the option's value.
            let end = args[i..]
                .iter()
                .position(|a| a.is_literal() && matches!(a.text.as_str(), ";" | "+"))
                .map_or(args.len(), |p| i + p + 1);
            out.push(Token::Flag {
                name: t.to_string(),
                value: args.get(i).filter(|_| i < end),
                inline: None,
            });
            i = end;
            continue;
        }
        if t == "--" {
            operands_only = true;
            out.push(Token::Flag {
                name: t.to_string(),
                value: None,
                inline: None,
            });
            continue;
        }
        if let Some(long) = t.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                None => (t.to_string(), None),
            };
            let name = spec.full_name(name, sub);
            let value = if inline.is_none() && spec.takes_value(&name) {
                let v = args.get(i);
                i += usize::from(v.is_some());
                v
            } else {
                None
            };
            out.push(Token::Flag {
                name,
                value,
                inline,
            });
            continue;
        }
        // A short option, or a bundle of them. Single-dash long options (`-auto-approve`,
        // terraform's style) are kept whole when the spec names them.
        if spec.takes_value(t) {
            let v = args.get(i);
            i += usize::from(v.is_some());
            out.push(Token::Flag {
                name: t.to_string(),
                value: v,
                inline: None,
            });
            continue;
        }
        if let Some((n, v)) = t.split_once('=') {
            out.push(Token::Flag {
                name: n.to_string(),
                value: None,
                inline: Some(v.to_string()),
            });
            continue;
        }
        let body = &t[1..];
        let mut bundle = Vec::new();
        for (pos, c) in body.char_indices() {
            let name = format!("-{c}");
            if spec.takes_value(&name) {
                let rest = &body[pos + c.len_utf8()..];
                if rest.is_empty() {
                    let v = args.get(i);
                    i += usize::from(v.is_some());
                    bundle.push(Token::Flag {
                        name,
                        value: v,
                        inline: None,
                    });
                } else {
                    bundle.push(Token::Flag {
                        name,
                        value: None,
                        inline: Some(rest.to_string()),
                    });
                }
                break;
            }
            bundle.push(Token::Flag {
                name,
                value: None,
                inline: None,
            });
        }
        // Keep the bundle as written too, so rules can name `-auto-approve` or `-rf`.
        out.push(Token::Flag {
            name: t.to_string(),
            value: None,
            inline: None,
        });
        out.extend(bundle);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<Word> {
        s.iter().map(|t| Word::literal(*t)).collect()
    }

    fn names(tokens: &[Token<'_>]) -> Vec<String> {
        tokens
            .iter()
            .map(|t| match t {
                Token::Flag {
                    name,
                    value,
                    inline,
                } => match (value, inline) {
                    (Some(v), _) => format!("{name}={}", v.text),
                    (None, Some(v)) => format!("{name}={v}"),
                    (None, None) => name.clone(),
                },
                Token::Operand(w) => format!("<{}>", w.text),
            })
            .collect()
    }

    #[test]
    fn a_unique_prefix_is_the_long_option_it_abbreviates() {
        let spec = OptionSpec {
            abbreviates: true,
            known_long: vec![
                "--force".into(),
                "--force-with-lease".into(),
                "--delete".into(),
            ],
            ..OptionSpec::default()
        };
        let name = |t: &str| spec.full_name(t.to_owned(), None);
        assert_eq!(name("--dele"), "--delete");
        assert_eq!(name("--force"), "--force", "an exact name is itself");
        assert_eq!(
            name("--forc"),
            "--forc",
            "ambiguous: the program refuses it"
        );
        assert_eq!(name("--d"), "--d", "too short to read");
        let plain = OptionSpec {
            known_long: vec!["--delete".into()],
            ..OptionSpec::default()
        };
        assert_eq!(
            plain.full_name("--dele".into(), None),
            "--dele",
            "the program does not abbreviate"
        );
    }

    #[test]
    fn after_the_subcommand_a_prefix_is_resolved_among_its_own_options() {
        let spec = OptionSpec {
            abbreviates: true,
            with_value: vec!["--git-dir".into()],
            known_long: vec!["--git-dir".into()],
            known_long_by_sub: vec![
                ("clean".into(), vec!["--force".into(), "--git-dir".into()]),
                (
                    "push".into(),
                    vec!["--force".into(), "--force-with-lease".into()],
                ),
            ],
            ..OptionSpec::default()
        };
        let read = |args: &[&str]| names(&normalise(&words(args), &spec));
        assert_eq!(read(&["clean", "--forc"]), vec!["<clean>", "--force"]);
        assert_eq!(
            read(&["push", "--forc", "origin"]),
            vec!["<push>", "--forc", "<origin>"],
            "ambiguous for push, as git says"
        );
        assert_eq!(
            read(&["--git-d", "x", "clean", "--fo"]),
            vec!["--git-dir=x", "<clean>", "--force"],
            "before the subcommand, the program's own options"
        );
        assert_eq!(
            read(&["stash", "--forc"]),
            vec!["<stash>", "--forc"],
            "a subcommand no rule names knows only the program's options"
        );
    }

    #[test]
    fn a_command_after_exec_is_not_the_programs_options() {
        let spec = OptionSpec {
            with_command: vec!["-exec".into()],
            ..OptionSpec::default()
        };
        let w = words(&[
            ".", "-exec", "echo", "-delete", ";", "-print", "-exec", "rm",
        ]);
        let names: Vec<String> = normalise(&w, &spec)
            .iter()
            .filter_map(|t| match t {
                Token::Flag { name, value, .. } => {
                    Some(format!("{name}={}", value.map_or("", |v| v.text.as_str())))
                }
                Token::Operand(_) => None,
            })
            .collect();
        // The second -exec has no terminator: its words run to the end. (`-print` is also
        // read as a bundle of letters, as every single-dash word is.)
        assert_eq!(names.first().map(String::as_str), Some("-exec=echo"));
        assert!(!names.iter().any(|n| n.starts_with("-delete")), "{names:?}");
        assert!(names.contains(&"-print=".to_owned()), "{names:?}");
        assert_eq!(names.last().map(String::as_str), Some("-exec=rm"));
    }

    #[test]
    fn bundles_and_values_normalise() {
        let spec = OptionSpec {
            with_value: vec!["-e".into(), "--environment".into(), "-v".into()],
            ..OptionSpec::default()
        };
        let w = words(&[
            "-e",
            "prod",
            "volume",
            "-rf",
            "--environment=x",
            "-vdata",
            "--",
            "-x",
        ]);
        assert_eq!(
            names(&normalise(&w, &spec)),
            vec![
                "-e=prod",
                "<volume>",
                "-rf",
                "-r",
                "-f",
                "--environment=x",
                "-vdata",
                "-v=data",
                "--",
                "<-x>"
            ]
        );
    }

    #[test]
    fn dynamic_words_are_operands() {
        let mut w = words(&["$X"]);
        w[0].text = "-$X".into();
        w[0].dynamic = true;
        assert_eq!(names(&normalise(&w, &OptionSpec::default())), vec!["<-$X>"]);
    }
}
