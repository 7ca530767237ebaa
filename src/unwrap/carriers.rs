//! Options and variables that make a program run a command: `tar --to-command=…`,
//! `rsync -e …`, git's `-c core.pager=…`, `GIT_SSH_COMMAND=…`, `BASH_ENV=…`. Which ones
//! do is per-program knowledge, kept in the packs as data (`command_options`,
//! `command_env`, see guards/schema); this reads them off a command and hands the text on
//! as a script that runs, so it is judged like any other line.

use super::wrappers::Step;
use crate::parse::{Command, Word, program_name};
use crate::rules::builtin::{command_options, is_command_env, is_source_env};

/// The scripts `cmd`'s options and assignments would make it run.
pub(super) fn steps(cmd: &Command) -> Vec<Step> {
    let mut out = Vec::new();
    for a in &cmd.assignments {
        // GIT_CONFIG_COUNT/KEY_n/VALUE_n and GIT_CONFIG_PARAMETERS set any config key,
        // core.pager and core.sshCommand among them: a value there may be a command.
        let git_config =
            a.name.starts_with("GIT_CONFIG_VALUE_") || a.name == "GIT_CONFIG_PARAMETERS";
        if is_command_env(&a.name) || git_config {
            out.push(script(&a.value, &a.name));
        }
        if is_source_env(&a.name) {
            out.push(sourced(&a.value, &a.name));
        }
    }
    let argv = cmd.argv.as_slice();
    let Some(first) = argv.first().filter(|w| w.is_literal()) else {
        return out;
    };
    let name = program_name(&first.text);
    // `export GIT_SSH_COMMAND=…` (or declare -x): the variable reaches what runs next.
    if matches!(
        name,
        "export" | "declare" | "typeset" | "local" | "readonly" | "env"
    ) {
        for w in argv.get(1..).unwrap_or(&[]) {
            if let Some((var, value)) = w.text.split_once('=')
                && (is_command_env(var) || is_source_env(var))
            {
                let v = Word {
                    text: value.to_owned(),
                    ..w.clone()
                };
                out.push(if is_source_env(var) {
                    sourced(&v, var)
                } else {
                    script(&v, var)
                });
            }
        }
    }
    let carriers = command_options(name);
    if carriers.is_empty() {
        return out;
    }
    let mut i = 1;
    while let Some(w) = argv.get(i) {
        i += 1;
        if w.text == "--" {
            break;
        }
        for &(option, prefix, after, skip) in carriers {
            let value = if w.text == option {
                argv.get(i + skip).cloned()
            } else if skip > 0 {
                None
            } else {
                // `--opt=VALUE`, or a short option's attached value (`-IVALUE`).
                w.text
                    .strip_prefix(option)
                    .and_then(|rest| {
                        if option.starts_with("--") {
                            rest.strip_prefix('=')
                        } else {
                            Some(rest)
                        }
                    })
                    .filter(|rest| !rest.is_empty())
                    .map(|inline| Word {
                        text: inline.to_owned(),
                        ..w.clone()
                    })
            };
            let Some(value) = value else { continue };
            if let Some(text) = carried(&value.text, prefix, after) {
                let v = Word {
                    text: text.to_owned(),
                    ..value.clone()
                };
                out.push(script(&v, &format!("{name} {option}")));
            }
        }
    }
    out
}

/// The command in an option's value: after `prefix` (ignoring case), then after the first
/// `after` marker; `None` when the value carries none.
fn carried<'v>(value: &'v str, prefix: &str, after: &str) -> Option<&'v str> {
    let rest = if prefix.is_empty() {
        value
    } else {
        let head = value.get(..prefix.len())?;
        if !head.eq_ignore_ascii_case(prefix) {
            return None;
        }
        value.get(prefix.len()..)?
    };
    if after.is_empty() {
        return Some(rest);
    }
    rest.split_once(after).map(|(_, command)| command)
}

/// The file a `BASH_ENV`/`ENV` value names, read as `. FILE` by the shells the line starts.
fn sourced(value: &Word, var: &str) -> Step {
    Step::File {
        path: value.clone(),
        via: format!("{var}={} (read by every shell it starts)", value.text),
        args: None,
    }
}

fn script(value: &Word, via: &str) -> Step {
    Step::Script {
        text: value.text.clone(),
        dynamic: value.dynamic,
        via: via.to_owned(),
        args: None,
        input: None,
    }
}

#[cfg(test)]
mod tests {
    use super::carried;

    #[test]
    fn the_command_is_read_after_its_prefix_and_marker() {
        assert_eq!(
            carried("core.pager=less -R", "core.pager=", ""),
            Some("less -R")
        );
        assert_eq!(carried("Core.Pager=x", "core.pager=", ""), Some("x"));
        assert_eq!(carried("user.name=x", "core.pager=", ""), None);
        assert_eq!(carried("silent !rm x", "", "!"), Some("rm x"));
        assert_eq!(carried("set number", "", "!"), None);
        assert_eq!(carried("exec=rm x", "exec=", ""), Some("rm x"));
    }
}
