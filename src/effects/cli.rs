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
    let lower = word.to_ascii_lowercase();
    lower
        .split(['-', ':', '_'])
        .find_map(|part| VERBS.iter().find(|v| **v == part).copied())
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
    if is_text_tool(program) || sql::is_client(cmd) {
        return;
    }
    let args = cmd.argv.get(1..).unwrap_or(&[]);
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
fn sql_texts(w: &Word) -> Vec<String> {
    let t = w.text.trim_start();
    let first = t
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    let statement = matches!(
        first.as_str(),
        "DROP"
            | "DELETE"
            | "TRUNCATE"
            | "UPDATE"
            | "ALTER"
            | "INSERT"
            | "MERGE"
            | "SELECT"
            | "WITH"
            | "CREATE"
            | "GRANT"
            | "REPLACE"
            | "UPSERT"
    ) && t.contains(char::is_whitespace);
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
    fn verbs_in_compounds() {
        for (w, v) in [
            ("delete", "delete"),
            ("records-delete", "delete"),
            ("apps:destroy", "destroy"),
            ("service-instance-delete", "delete"),
            ("rb", "rb"),
            ("Terminate", "terminate"),
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
