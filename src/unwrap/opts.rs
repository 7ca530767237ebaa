//! A small getopt: which words of a wrapper's argv are its own options (and their values),
//! and where the command it runs begins.
//!
//! Getting this wrong is how a guard is bypassed (`sudo -u root rm` read as running `root`),
//! so every wrapper declares which of its options take a value.

use crate::parse::Word;

/// How one program reads its options.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Spec<'a> {
    /// Short options that take a value, attached (`-uroot`) or in the next word.
    pub short_val: &'a str,
    /// Short options whose value may only be attached (`xargs -i{}`, `sudo -hHOST`).
    pub short_opt: &'a str,
    /// Long options (without `--`) that take the next word as their value when not written
    /// `--name=value`.
    pub long_val: &'a [&'a str],
    /// GNU getopt without `+`: options may follow operands (`su user -c cmd`).
    pub permute: bool,
}

/// One option as written.
#[derive(Debug, Clone)]
pub(super) struct Opt {
    /// The letter (`u`) or the long name (`user`).
    pub name: String,
    /// Its value, when it takes one.
    pub value: Option<Word>,
}

/// The result of reading the options.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// The options, in order.
    pub opts: Vec<Opt>,
    /// The operands, in order (indices into the scanned words).
    pub operands: Vec<usize>,
    /// Index of the first word after the options (non-permuting), or past the end.
    pub rest: usize,
    /// `--` was seen; `rest` is the word after it.
    pub dashdash: bool,
}

impl Scan {
    /// True when one of `names` (letters or long names) was given.
    pub fn has(&self, names: &[&str]) -> bool {
        self.opts.iter().any(|o| names.contains(&o.name.as_str()))
    }

    /// The value of the last of `names` that was given with a value.
    pub fn value(&self, names: &[&str]) -> Option<&Word> {
        self.opts
            .iter()
            .rev()
            .find(|o| names.contains(&o.name.as_str()) && o.value.is_some())
            .and_then(|o| o.value.as_ref())
    }
}

/// True when the word is written as an option (`-x`, `--x`), not `-` alone.
pub(super) fn is_option(w: &Word) -> bool {
    w.text.len() > 1 && w.text.starts_with('-')
}

/// Read options from `words[start..]`.
///
/// Non-permuting (the default, and what every `+`-getopt wrapper does): stop at `--` (which
/// is skipped) or at the first word that is not an option; `rest` is its index and
/// `operands` lists every index from there. Permuting: options anywhere until `--`.
pub(super) fn scan(words: &[Word], start: usize, spec: &Spec<'_>) -> Scan {
    let mut out = Scan {
        rest: words.len(),
        ..Scan::default()
    };
    let mut i = start;
    while let Some(w) = words.get(i) {
        let text = w.text.as_str();
        if text == "--" {
            out.dashdash = true;
            if out.operands.is_empty() {
                out.rest = i + 1;
            }
            out.operands.extend((i + 1)..words.len());
            return out;
        }
        if !is_option(w) {
            if !spec.permute {
                out.rest = i;
                out.operands.extend(i..words.len());
                return out;
            }
            if out.operands.is_empty() {
                out.rest = i;
            }
            out.operands.push(i);
            i += 1;
            continue;
        }
        if let Some(long) = text.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, value)) => out.opts.push(Opt {
                    name: name.to_string(),
                    value: Some(Word {
                        text: value.to_string(),
                        ..w.clone()
                    }),
                }),
                None if spec.long_val.contains(&long) => {
                    out.opts.push(Opt {
                        name: long.to_string(),
                        value: words.get(i + 1).cloned(),
                    });
                    i += 1;
                }
                None => out.opts.push(Opt {
                    name: long.to_string(),
                    value: None,
                }),
            }
            i += 1;
            continue;
        }
        // A bundle of short options: `-it`, `-euo pipefail`, `-uroot`.
        let letters = text.get(1..).unwrap_or("");
        let mut consumed_next = false;
        for (pos, ch) in letters.char_indices() {
            let attached = letters.get(pos + ch.len_utf8()..).unwrap_or("");
            if spec.short_val.contains(ch) {
                let value = if attached.is_empty() {
                    consumed_next = true;
                    words.get(i + 1).cloned()
                } else {
                    Some(Word {
                        text: attached.to_string(),
                        ..w.clone()
                    })
                };
                out.opts.push(Opt {
                    name: ch.to_string(),
                    value,
                });
                break;
            }
            if spec.short_opt.contains(ch) {
                let value = (!attached.is_empty()).then(|| Word {
                    text: attached.to_string(),
                    ..w.clone()
                });
                out.opts.push(Opt {
                    name: ch.to_string(),
                    value,
                });
                break;
            }
            out.opts.push(Opt {
                name: ch.to_string(),
                value: None,
            });
        }
        i += if consumed_next { 2 } else { 1 };
    }
    out
}

/// The long option `given` names among `known`, the way GNU getopt_long reads it: an exact
/// name, else the one name it is a prefix of (`--recu` is `--recursive`). `None` when it
/// names none or several: the program then refuses the option and runs nothing, but guardsh
/// does not guess which program's parser it is facing.
pub(super) fn resolve_long(given: &str, known: &[&'static str]) -> Option<&'static str> {
    if let Some(exact) = known.iter().find(|k| **k == given) {
        return Some(exact);
    }
    if given.is_empty() {
        return None;
    }
    let mut matching = known.iter().filter(|k| k.starts_with(given));
    match (matching.next(), matching.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_options_resolve_by_unique_prefix() {
        let known = &["unset", "chdir", "split-string", "debug", "default-signal"];
        assert_eq!(resolve_long("unset", known), Some("unset"));
        assert_eq!(resolve_long("uns", known), Some("unset"));
        assert_eq!(resolve_long("split", known), Some("split-string"));
        assert_eq!(resolve_long("de", known), None, "ambiguous");
        assert_eq!(resolve_long("deb", known), Some("debug"));
        assert_eq!(resolve_long("nope", known), None);
        assert_eq!(resolve_long("", known), None);
    }

    fn words(s: &str) -> Vec<Word> {
        s.split(' ').map(Word::literal).collect()
    }

    #[test]
    fn stops_at_first_operand_and_reads_values() {
        let w = words("sudo -u root -E rm -rf /");
        let spec = Spec {
            short_val: "u",
            ..Spec::default()
        };
        let s = scan(&w, 1, &spec);
        assert_eq!(s.rest, 4);
        assert_eq!(s.value(&["u"]).map(|w| w.text.as_str()), Some("root"));
        assert!(s.has(&["E"]));
    }

    #[test]
    fn bundles_attached_values_and_dashdash() {
        let w = words("x -itu0 --env=A=1 --name n -- -y z");
        let spec = Spec {
            short_val: "u",
            long_val: &["name"],
            ..Spec::default()
        };
        let s = scan(&w, 1, &spec);
        assert_eq!(s.value(&["u"]).map(|w| w.text.as_str()), Some("0"));
        assert_eq!(s.value(&["env"]).map(|w| w.text.as_str()), Some("A=1"));
        assert_eq!(s.value(&["name"]).map(|w| w.text.as_str()), Some("n"));
        assert!(s.dashdash);
        assert_eq!(s.rest, 6);
        assert_eq!(s.operands, vec![6, 7]);
    }

    #[test]
    fn permuting_finds_options_after_operands() {
        let w = words("su postgres -c x -l");
        let spec = Spec {
            short_val: "c",
            permute: true,
            ..Spec::default()
        };
        let s = scan(&w, 1, &spec);
        assert_eq!(s.operands, vec![1]);
        assert_eq!(s.value(&["c"]).map(|w| w.text.as_str()), Some("x"));
        assert!(s.has(&["l"]));
    }

    #[test]
    fn no_operand_and_missing_value_do_not_panic() {
        let w = words("sudo -u");
        let s = scan(
            &w,
            1,
            &Spec {
                short_val: "u",
                ..Spec::default()
            },
        );
        assert_eq!(s.rest, 2);
        assert!(s.operands.is_empty());
        let s = scan(&w, 5, &Spec::default());
        assert_eq!(s.rest, 2);
    }
}
