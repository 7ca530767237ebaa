//! GNU sed runs shell commands: `e COMMAND` runs COMMAND, a bare `e` runs the pattern space,
//! and the `e` flag of `s///e` runs the result of the substitution. The first is a nested
//! script; the others run text known only when sed runs.

use super::wrappers::Step;
use crate::parse::{Command, UnknownKind, Word, program_name};

/// Options of sed that take the next word as their value.
const WITH_VALUE: &[&str] = &[
    "-e",
    "--expression",
    "-f",
    "--file",
    "-l",
    "--line-length",
    "-s",
];

/// The steps a sed command takes besides itself.
pub(super) fn steps(cmd: &Command) -> Vec<Step> {
    let argv = cmd.argv.as_slice();
    let Some(first) = argv.first() else {
        return Vec::new();
    };
    if !first.is_literal() || !matches!(program_name(&first.text), "sed" | "gsed") {
        return Vec::new();
    }
    let mut scripts: Vec<&Word> = Vec::new();
    let mut from_option = false;
    let mut i = 1;
    while let Some(w) = argv.get(i) {
        let t = w.text.as_str();
        if t == "-e" || t == "--expression" {
            if let Some(v) = argv.get(i + 1) {
                scripts.push(v);
            }
            from_option = true;
            i += 2;
            continue;
        }
        if t == "--" {
            i += 1;
            break;
        }
        if t.starts_with('-') && t.len() > 1 {
            i += if WITH_VALUE.contains(&t) { 2 } else { 1 };
            continue;
        }
        break;
    }
    if !from_option && let Some(w) = argv.get(i) {
        scripts.push(w);
    }
    let mut out = Vec::new();
    for script in scripts {
        for command in commands(&script.text) {
            match command {
                Exec::Command(text) => out.push(Step::Script {
                    text,
                    dynamic: !script.is_literal(),
                    via: "sed e".to_string(),
                    args: None,
                    input: None,
                }),
                Exec::PatternSpace => out.push(Step::Unknown {
                    kind: UnknownKind::HiddenScript,
                    why: format!(
                        "`{}` runs text sed builds at run time as a shell command",
                        cmd.source
                    ),
                }),
            }
        }
    }
    out
}

enum Exec {
    /// `e COMMAND`.
    Command(String),
    /// A bare `e`, or `s///e`: the pattern space, known only at run time.
    PatternSpace,
}

/// The shell commands a sed script runs. Approximate on purpose: a script is split at `;`
/// and newlines (a `;` inside a regex may split wrongly, which can only add findings).
fn commands(script: &str) -> Vec<Exec> {
    let mut out = Vec::new();
    for line in script.split('\n') {
        // `e COMMAND` takes the rest of the line, `;` included.
        let mut rest = line;
        while !rest.is_empty() {
            let part = rest.trim_start();
            let body = strip_address(part);
            if let Some(after) = body.strip_prefix('e')
                && (after.is_empty() || after.starts_with([' ', '\t', ';']))
            {
                let cmd = after.trim();
                if cmd.is_empty() || cmd.starts_with(';') {
                    out.push(Exec::PatternSpace);
                } else {
                    out.push(Exec::Command(cmd.to_string()));
                    break;
                }
            } else if body.starts_with('s') && substitution_has_e_flag(body) {
                out.push(Exec::PatternSpace);
            }
            match part.find(';') {
                Some(k) => rest = part.get(k + 1..).unwrap_or(""),
                None => break,
            }
        }
    }
    out
}

/// A command without its address (`1`, `$`, `/re/`, `1,5`, `/a/,/b/`, a trailing `!`).
fn strip_address(s: &str) -> &str {
    let mut rest = s;
    for _ in 0..2 {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix('/') {
            rest = r.find('/').map_or("", |k| r.get(k + 1..).unwrap_or(""));
        } else {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '$' || c == '~');
        }
        rest = rest.trim_start();
        match rest.strip_prefix(',') {
            Some(r) => rest = r,
            None => break,
        }
    }
    rest.trim_start().trim_start_matches('!').trim_start()
}

/// `s<d>re<d>replacement<d>flags` with `e` among the flags.
fn substitution_has_e_flag(s: &str) -> bool {
    let mut chars = s.chars();
    let _ = chars.next();
    let Some(delim) = chars.next() else {
        return false;
    };
    if delim.is_alphanumeric() || delim == '\\' || delim == '\n' {
        return false;
    }
    let mut seen = 0;
    let mut escaped = false;
    let mut flags = String::new();
    for c in chars {
        if seen == 2 {
            if c == ';' || c == '}' || c.is_whitespace() {
                break;
            }
            flags.push(c);
            continue;
        }
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == delim {
            seen += 1;
        }
    }
    seen == 2 && flags.contains('e')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(script: &str) -> Vec<String> {
        commands(script)
            .into_iter()
            .map(|e| match e {
                Exec::Command(c) => c,
                Exec::PatternSpace => "<pattern space>".to_string(),
            })
            .collect()
    }

    #[test]
    fn sed_scripts_that_run_commands() {
        assert_eq!(shown("e rm -rf /"), ["rm -rf /"]);
        assert_eq!(shown("1e rm -rf ~; p"), ["rm -rf ~; p"]);
        assert_eq!(shown("s|x|rm -rf /|e"), ["<pattern space>"]);
        assert_eq!(shown("/foo/ s/a/b/ge"), ["<pattern space>"]);
        assert_eq!(shown("$!e"), ["<pattern space>"]);
        assert!(shown("s/e/f/g").is_empty());
        assert!(shown("s/a/b/; p; d").is_empty());
        assert!(shown("/^e/d").is_empty());
        assert!(shown("y/abc/xyz/").is_empty());
    }
}
