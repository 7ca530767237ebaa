//! Launchers the packs describe (`runs_command`): programs that run a command given in
//! their own argv, such as `faketime TIME CMD…` or `perf stat CMD…`. Which words are the
//! launcher's and where the command begins is pack data; this reads an argv with it.

use super::wrappers::{Peel, Step, from};
use crate::parse::{UnknownKind, Word};
use crate::rules::builtin::Launcher;

/// What `argv` (a launcher `name` described by `spec`) runs.
pub(super) fn peel(argv: &[Word], name: &str, spec: &Launcher) -> Peel {
    let (subcommands, operands, options) = *spec;
    let mut i = 1;
    if !subcommands.is_empty() {
        // The program's own options first, then the subcommand that runs a command; any
        // other subcommand (`perf report`) runs none.
        i = match skip_options(argv, i, options, name) {
            Ok(i) => i,
            Err(step) => return Peel::one(step),
        };
        match argv.get(i) {
            Some(w) if w.is_literal() && subcommands.contains(&w.text.as_str()) => i += 1,
            Some(w) if !w.is_literal() => return Peel::one(dynamic(name)),
            _ => return Peel::none(),
        }
    }
    let via = match subcommands.is_empty() {
        true => name.to_string(),
        false => format!(
            "{name} {}",
            argv.get(i.saturating_sub(1))
                .map_or("", |w| w.text.as_str())
        ),
    };
    i = match skip_options(argv, i, options, name) {
        Ok(i) => i,
        Err(step) => return Peel::one(step),
    };
    i = i.saturating_add(operands);
    // `aws-vault exec PROFILE -- CMD`: a `--` after the launcher's operands ends its words.
    if argv
        .get(i)
        .is_some_and(|w| w.is_literal() && w.text == "--")
    {
        i += 1;
    }
    Peel::run(from(argv, i), &via)
}

/// The index of the first word after the options from `start`: `--` ends them; an option
/// the pack names takes its words; any other is a flag on its own. A word only known at run
/// time among the options could be an option or the command, so what runs is unknown.
fn skip_options(
    argv: &[Word],
    start: usize,
    options: &[(&str, usize)],
    name: &str,
) -> Result<usize, Step> {
    let mut i = start;
    while let Some(w) = argv.get(i) {
        if w.dynamic && w.text.starts_with('-') {
            return Err(dynamic(name));
        }
        let t = w.text.as_str();
        if !t.starts_with('-') || t == "-" {
            return Ok(i);
        }
        i += 1;
        if t == "--" {
            return Ok(i);
        }
        if t.contains('=') {
            continue;
        }
        if let Some((_, n)) = options.iter().find(|(o, _)| *o == t) {
            i = i.saturating_add(*n);
        }
        // Anything else is a flag, or a short option with its value attached (`-p5`).
    }
    Ok(i)
}

fn dynamic(name: &str) -> Step {
    Step::Unknown {
        kind: UnknownKind::DynamicProgram,
        why: format!("a word of {name:?} only known at run time decides which command it runs"),
    }
}
