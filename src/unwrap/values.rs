//! Text that bash evaluates as code although it was written as data. A variable's value
//! reaches an arithmetic context (`(( v ))`, `$(( v ))`, `let v`, `[[ $v -eq 0 ]]`,
//! `declare -i`) or names a variable (`test -v`, `${!v}`, a nameref, `printf -v`, `read`)
//! and bash reads an array subscript in it, running any `$( … )` the subscript holds:
//! `v='a[$(rm -rf ~)]'; (( v ))` runs rm. Where the value is written in the line, guardsh
//! reads the substitutions in it as commands that may run, wherever it is used later.
//!
//! Read pessimistically: a value holding `$(` or a backquote is judged as if it runs,
//! whether or not it reaches such a context (`msg='see $(date)'` is judged as `date`).

use super::wrappers::Step;
use crate::parse::{Command, Word, program_name};

/// What reads names or arithmetic in its operands: every operand of these may hold a
/// subscript bash evaluates.
const EVALUATING: &[&str] = &[
    "let",
    "declare",
    "typeset",
    "local",
    "export",
    "readonly",
    "read",
    "unset",
    "mapfile",
    "readarray",
];

/// The nested scripts `cmd`'s literal values would run if bash evaluated them.
pub(super) fn steps(cmd: &Command) -> Vec<Step> {
    let mut texts: Vec<&str> = cmd
        .assignments
        .iter()
        .map(|a| &a.value)
        .filter(|w| may_run(w))
        .map(|w| w.text.as_str())
        .collect();
    let argv = cmd.argv.as_slice();
    if let Some(first) = argv.first().filter(|w| w.is_literal()) {
        let name = program_name(&first.text);
        let rest = argv.get(1..).unwrap_or(&[]);
        if EVALUATING.contains(&name) {
            texts.extend(rest.iter().filter(|w| may_run(w)).map(|w| w.text.as_str()));
        } else if matches!(name, "printf" | "test" | "[" | "[[") {
            // `printf -v NAME`, `test -v NAME`: the word after the option is a name.
            texts.extend(
                rest.windows(2)
                    .filter(|p| p[0].text == "-v" && may_run(&p[1]))
                    .map(|p| p[1].text.as_str()),
            );
        }
    }
    texts
        .into_iter()
        .map(|text| Step::Script {
            // `:` takes the value as its arguments, so only the substitutions in it run.
            text: format!(": {text}"),
            dynamic: false,
            via: "a value bash may evaluate as code (an array subscript in arithmetic or a \
                  variable name)"
                .to_owned(),
            args: None,
            input: None,
        })
        .collect()
}

fn may_run(w: &Word) -> bool {
    !w.dynamic && (w.text.contains("$(") || w.text.contains('`'))
}
