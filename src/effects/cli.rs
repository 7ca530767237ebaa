//! The generic reading of a command-line tool: `<cli> [group …] <verb> [target] [flags]`.
//!
//! Platform CLIs share one shape, and the verb says what they do. A CLI no pack knows
//! (`hcloud server delete web-1`, `linode-cli volumes delete 123`) that is asked to delete,
//! destroy, drop or purge is judged by that verb: at least a confirmation, a refusal when
//! it is told not to prompt or names production. Programs whose verbs only touch local,
//! recoverable state (package managers, text tools) are declared in the packs
//! (`harmless_verbs`), as are the verbs a pack judges itself.
//!
//! SQL handed to such a CLI as an argument (`snow sql -q "DROP TABLE users"`) goes through
//! the SQL reader.

use super::{Effect, Judged, names_production};
use crate::parse::{Command, Script, Word};
use crate::payload::sql;
use crate::rules::Severity;
use crate::rules::builtin::{harmless_verb, launcher};

/// Verbs that destroy or take away what they name.
const VERBS: &[&str] = &[
    "delete",
    "destroy",
    "drop",
    "purge",
    "remove",
    "rm",
    "rb",
    "rmi",
    "del",
    "erase",
    "wipe",
    "terminate",
    "cancel",
    "uninstall",
    "reset",
    "prune",
    "nuke",
    "deprovision",
    "decommission",
    "teardown",
    "truncate",
    "flush",
];

/// Options that ask a CLI not to prompt: stricter, since nothing stands between the
/// command and the loss.
const FORCE: &[&str] = &[
    "--force",
    "-f",
    "--yes",
    "-y",
    "--confirm",
    "--no-confirm",
    "--skip-confirmation",
    "--auto-approve",
    "--noprompt",
    "--no-prompt",
    "--non-interactive",
    "--dangerous",
    "-q",
    "--quiet",
];

/// Options that make a CLI only say what it would do.
const NO_ACT: &[&str] = &[
    "--dry-run",
    "--dryrun",
    "--dry_run",
    "--what-if",
    "--whatif",
    "--noop",
    "--simulate",
    "--help",
];

/// How many operands from the start may be groups before the verb (`scw instance server
/// delete`).
const VERB_DEPTH: usize = 4;

/// Programs whose arguments are text, not subcommands: a word there is never a verb.
fn is_text_tool(program: &str) -> bool {
    // The builtins and the tools whose operands are data whatever they say.
    matches!(
        program,
        "echo" | "printf" | ":" | "true" | "false" | "test" | "[" | "[[" | "cd" | "pushd"
    ) || harmless_verb(program, "*")
        || launcher(program).is_some()
}

/// Is `word` a destructive verb, alone or as part of a compound (`records-delete`,
/// `apps:destroy`, `service-instance-delete`, `delete_bucket`)?
pub fn destructive_verb(word: &str) -> Option<&'static str> {
    // Every command's first words pass here: no allocation, and a part longer than the
    // longest verb is skipped at once.
    const LONGEST: usize = 12;
    // A path, a URL or a value with `=` or `$` is no subcommand.
    if word.len() > 64
        || !word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':'))
    {
        return None;
    }
    word.split(['-', ':', '_'])
        .flat_map(camel_humps)
        .find_map(|part| {
            if part.len() < 2 || part.len() > LONGEST {
                return None;
            }
            let mut buf = [0u8; LONGEST];
            for (b, c) in buf.iter_mut().zip(part.bytes()) {
                *b = c.to_ascii_lowercase();
            }
            let lower = buf.get(..part.len())?;
            // A match on the bytes: one length switch, then a compare or two.
            let found: &'static [u8] = match lower {
                b"delete" => b"delete",
                b"destroy" => b"destroy",
                b"drop" => b"drop",
                b"purge" => b"purge",
                b"remove" => b"remove",
                b"rm" => b"rm",
                b"rb" => b"rb",
                b"rmi" => b"rmi",
                b"del" => b"del",
                b"erase" => b"erase",
                b"wipe" => b"wipe",
                b"terminate" => b"terminate",
                b"cancel" => b"cancel",
                b"uninstall" => b"uninstall",
                b"reset" => b"reset",
                b"prune" => b"prune",
                b"nuke" => b"nuke",
                b"deprovision" => b"deprovision",
                b"decommission" => b"decommission",
                b"teardown" => b"teardown",
                b"truncate" => b"truncate",
                b"flush" => b"flush",
                _ => return None,
            };
            VERBS.iter().find(|v| v.as_bytes() == found).copied()
        })
}

/// `DeleteInstance` → `Delete`, `Instance`; `deleteProject` → `delete`, `Project`: the
/// CamelCase actions of some clouds' CLIs (`aliyun ecs DeleteInstance`).
fn camel_humps(part: &str) -> impl Iterator<Item = &str> {
    let b = part.as_bytes();
    let mut cuts = vec![0];
    for i in 1..b.len() {
        if b[i].is_ascii_uppercase() && b[i - 1].is_ascii_lowercase() {
            cuts.push(i);
        }
    }
    cuts.push(b.len());
    (0..cuts.len() - 1).filter_map(move |k| part.get(cuts[k]..cuts[k + 1]))
}

/// Could this word be a subcommand (not a path, a URL, an id with `=`, an address)?
fn subcommand_like(w: &Word) -> bool {
    w.is_literal()
        && !w.text.is_empty()
        && w.text.len() <= 48
        && !w.text.starts_with('-')
        && w.text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':'))
}

/// Judge `cmd` by its verb, and the SQL it carries.
pub fn judge(cmd: &Command, script: &Script, out: &mut Vec<Judged>) {
    let Some(program) = crate::rules::rule_program(cmd) else {
        return;
    };
    let args = cmd.argv.get(1..).unwrap_or(&[]);
    // Most commands have neither a destructive word nor text that could be SQL: they are
    // done here, before the table lookups, the client reading and the option reading.
    let maybe_verb = args
        .iter()
        .take(4 * VERB_DEPTH)
        .any(|w| destructive_verb(&w.text).is_some());
    let maybe_sql = args
        .iter()
        .any(|w| sql_statement(&w.text) || (w.text.contains('{') && w.text.contains("\":")));
    if !(maybe_verb || maybe_sql) || is_text_tool(program) || sql::is_client(cmd) {
        return;
    }
    let no_act = args.iter().any(|w| {
        NO_ACT
            .iter()
            .any(|f| w.text == *f || w.text.starts_with(&format!("{f}=")))
    });
    if no_act && !args.iter().any(|w| w.text.ends_with("=false")) {
        return;
    }
    let forced = args.iter().any(|w| {
        FORCE.contains(&w.text.as_str())
            || w.text.starts_with("--yes-")
            || w.text.starts_with("--force")
    });
    let production = args
        .iter()
        .any(|w| w.is_literal() && names_production(&w.text));
    verb(program, args, forced, production, out);
    carried_sql(cmd, script, program, args, production, out);
}

fn verb(program: &str, args: &[Word], forced: bool, production: bool, out: &mut Vec<Judged>) {
    let mut seen = 0;
    let mut after_long = false;
    let mut first: Option<&str> = None;
    for w in args {
        if w.text == "--" {
            break;
        }
        if w.text.starts_with('-') {
            // `--name delete-me`: the word after a long option may be its value.
            after_long = w.text.starts_with("--") && !w.text.contains('=');
            continue;
        }
        if std::mem::take(&mut after_long) {
            continue;
        }
        if seen == VERB_DEPTH || !subcommand_like(w) {
            return;
        }
        seen += 1;
        if w.text == "help" {
            return;
        }
        // A pack with rules under this subcommand owns it (`render services delete` without
        // `--confirm` only previews, and its pack says so).
        if first.is_none() {
            first = Some(w.text.as_str());
            if crate::rules::builtin::has_rules_for(program, &w.text) {
                return;
            }
        }
        let Some(found) = destructive_verb(&w.text) else {
            continue;
        };
        if harmless_verb(program, &w.text) || harmless_verb(program, found) {
            return;
        }
        let severity = if forced || production {
            Severity::Deny
        } else {
            Severity::Confirm
        };
        let why = match (forced, production) {
            (_, true) => " on what a word of the command names production",
            (true, false) => ", told not to ask first",
            _ => "",
        };
        out.push(Judged {
            id: "effects.cli.verb",
            severity,
            message: format!(
                "`{program}` is asked to {found} (`{}`){why}: a platform CLI no pack knows, \
                 whose deletes usually take effect at once and cannot be undone",
                w.text
            ),
            suggestion: format!(
                "look at the resource first (`{program} … list` / `describe`), make sure it is \
                 not production, and ask a human to run it"
            ),
            effect: Effect::Mutates {
                platform: program.to_owned(),
                operation: w.text.clone(),
                forced,
                production,
            },
        });
        return;
    }
}

/// The SQL statements an argument carries: a whole argument that reads as SQL, or the
/// `statement`/`query` string of a JSON body.
/// Does `text` start like an SQL statement (its first word a statement keyword)?
fn sql_statement(text: &str) -> bool {
    let t = text.trim_start();
    let first = t
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    [
        "DROP", "DELETE", "TRUNCATE", "UPDATE", "ALTER", "INSERT", "MERGE", "SELECT", "WITH",
        "CREATE", "GRANT", "REPLACE", "UPSERT",
    ]
    .iter()
    .any(|k| k.eq_ignore_ascii_case(first))
        && t.contains(char::is_whitespace)
}

fn sql_texts(w: &Word) -> Vec<String> {
    let t = w.text.trim_start();
    let statement = sql_statement(t);
    if statement {
        return vec![t.to_owned()];
    }
    let mut out = Vec::new();
    for key in ["\"statement\"", "\"query\"", "\"sql\""] {
        let mut rest = t;
        while let Some(i) = rest.find(key) {
            rest = &rest[i + key.len()..];
            let Some(v) = rest.trim_start().strip_prefix(':') else {
                continue;
            };
            let Some(v) = v.trim_start().strip_prefix('"') else {
                continue;
            };
            let mut s = String::new();
            let mut chars = v.chars();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => {
                        if let Some(n) = chars.next() {
                            s.push(if n == 'n' { '\n' } else { n });
                        }
                    }
                    c => s.push(c),
                }
            }
            out.push(s);
        }
    }
    out
}

fn carried_sql(
    cmd: &Command,
    script: &Script,
    program: &str,
    args: &[Word],
    production: bool,
    out: &mut Vec<Judged>,
) {
    for w in args {
        for text in sql_texts(w) {
            let p = sql::of_text(cmd, script, &text, !w.is_literal());
            let Some(kind) = p.kinds.first() else {
                if production && p.writes {
                    out.push(Judged {
                        id: "effects.cli.sql_write",
                        severity: Severity::Confirm,
                        message: format!(
                            "`{program}` sends SQL that changes data to what names production"
                        ),
                        suggestion: "run it against staging first, or ask a human".to_owned(),
                        effect: Effect::Mutates {
                            platform: program.to_owned(),
                            operation: "write".to_owned(),
                            forced: false,
                            production,
                        },
                    });
                }
                continue;
            };
            let name = serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            out.push(Judged {
                id: "effects.cli.sql",
                severity: if production {
                    Severity::Deny
                } else {
                    Severity::Confirm
                },
                message: format!(
                    "`{program}` sends SQL that destroys data ({}) to its server, where no \
                     backup is taken first",
                    name.replace('_', " ")
                ),
                suggestion: "count the rows it touches with a SELECT first, take a backup, and \
                             ask a human to run it"
                    .to_owned(),
                effect: Effect::Mutates {
                    platform: program.to_owned(),
                    operation: name,
                    forced: false,
                    production,
                },
            });
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verb_is_matched() {
        for v in VERBS {
            assert_eq!(destructive_verb(v), Some(*v), "{v}");
            assert_eq!(destructive_verb(&v.to_ascii_uppercase()), Some(*v), "{v}");
        }
    }

    #[test]
    fn verbs_in_compounds() {
        for (w, v) in [
            ("delete", "delete"),
            ("records-delete", "delete"),
            ("apps:destroy", "destroy"),
            ("service-instance-delete", "delete"),
            ("rb", "rb"),
            ("Terminate", "terminate"),
            ("DeleteInstance", "delete"),
            ("TerminateInstances", "terminate"),
            ("deleteProject", "delete"),
        ] {
            assert_eq!(destructive_verb(w), Some(v), "{w}");
        }
        for w in [
            "list",
            "describe",
            "records-list",
            "deleted",
            "removal",
            "rmdir",
        ] {
            assert_eq!(destructive_verb(w), None, "{w}");
        }
    }

    #[test]
    fn sql_in_arguments() {
        let w = |t: &str| Word::literal(t);
        assert_eq!(sql_texts(&w("DROP TABLE users")), vec!["DROP TABLE users"]);
        assert_eq!(
            sql_texts(&w(r#"{"statement":"DELETE FROM t","warehouse_id":"x"}"#)),
            vec!["DELETE FROM t"]
        );
        assert!(sql_texts(&w("delete")).is_empty());
        assert!(sql_texts(&w("users")).is_empty());
    }
}
