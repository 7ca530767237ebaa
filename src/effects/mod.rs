//! What each command does: the effects guardsh reads off it after unwrapping, and the
//! generic judgements on them that catch what no pack names.
//!
//! Packs judge the platforms and spellings they were written for; the threat is
//! open-ended. The readers here say, for any command, what it deletes or changes on a
//! remote platform ([`cli`], [`http`]), what it sends and where ([`sends`]), which code it
//! hands an interpreter ([`code`]) and what local target it writes over ([`targets`]).
//! Each reading yields an [`Effect`]; the ones that are dangerous whatever the tool come
//! with a [`Judged`] severity, which the decision weighs beside the packs' matches.
//!
//! Packs keep precedence: the generic verb and HTTP readings stand back when a pack rule
//! already matched the command, and a pack can declare a program's verbs harmless
//! (`harmless_verbs`).

pub mod cli;
pub mod code;
pub mod http;
pub mod sends;
pub mod targets;

use serde::Serialize;

use crate::parse::Script;
use crate::payload::readings::Readings;
use crate::rules::Severity;

/// One thing a command does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// Deletes or changes something a remote platform holds (`hcloud server delete web-1`,
    /// `curl -X DELETE https://api…/volumes/3`, SQL sent through a warehouse CLI).
    Mutates {
        /// The CLI or host that is asked.
        platform: String,
        /// The operation (`delete`, `DELETE`, `volumeDelete`, `drop_table`).
        operation: String,
        /// Asked not to prompt (`--force`, `--yes`).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        forced: bool,
        /// A word of the command names production (`--env prod`, `pg-prod`).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        production: bool,
    },
    /// Sends data to a network host.
    Sends {
        /// What is sent (`~/.aws/credentials`, `$GITHUB_TOKEN`, `env` output).
        data: String,
        /// Where (`evil.example.com`; `?` when only known at run time).
        host: String,
        /// The data is a credential.
        credential: bool,
    },
    /// Hands code to an interpreter that guardsh cannot read as written.
    Executes {
        /// The interpreter.
        interpreter: String,
        /// What the code is (`a decoded payload`, `a download`, `system("rm -rf /home")`).
        code: String,
    },
    /// Deletes, truncates or writes over a local target.
    Overwrites {
        /// The target as written.
        target: String,
        /// Its class (`device`, `credential`, `home_data`, `system`).
        class: String,
        /// How (`redirection`, `tee`, `extraction`, `rm`).
        how: String,
    },
    /// Searches for credentials (`grep -r token ~`).
    Hunts {
        /// Where.
        under: String,
    },
}

/// An effect that is dangerous whatever the tool, with what it weighs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// A stable id, as rule ids are (`effects.cli.delete`).
    pub id: &'static str,
    /// What it weighs.
    pub severity: Severity,
    /// What was found and why it is dangerous.
    pub message: String,
    /// The safer path.
    pub suggestion: String,
    /// The effect judged.
    pub effect: Effect,
}

/// The effects of one command, for `explain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandEffects {
    /// The command as written.
    pub command: String,
    /// What it does.
    pub effects: Vec<Effect>,
}

/// Everything the generic readers find in `cmd`, judged. `pack_matched` says a pack rule
/// already matched it: the readings a pack may own (platform verbs, HTTP) stand back.
/// `env` is what the line sets for everything after it (`crate::rules::script_env`),
/// worked out once by the caller.
pub fn judge(
    readings: &Readings<'_>,
    index: usize,
    env: &[(String, String)],
    pack_matched: bool,
) -> Vec<Judged> {
    let mut out = Vec::new();
    let script = readings.script();
    let Some(cmd) = script.commands.get(index) else {
        return out;
    };
    if !pack_matched {
        cli::judge(cmd, script, &mut out);
        if http::may_request(cmd) {
            http::judge(readings.http(index), &mut out);
        }
    }
    let code = readings.code(index);
    sends::judge(cmd, script, env, code, &mut out);
    code::judge(cmd, script, code, &mut out);
    targets::judge(cmd, script, &mut out);
    out
}

/// What every command of `script` does, as the generic readers see it, whether or not a
/// pack also judges it: what `explain` shows.
pub fn of_script(script: &Script) -> Vec<CommandEffects> {
    crate::payload::sql::on_stack_for(script, || {
        let readings = Readings::new(script);
        let env = crate::rules::script_env(script);
        script
            .commands
            .iter()
            .enumerate()
            .filter_map(|(index, cmd)| {
                let effects: Vec<Effect> = judge(&readings, index, &env, false)
                    .into_iter()
                    .map(|j| j.effect)
                    .collect();
                (!effects.is_empty()).then(|| CommandEffects {
                    command: cmd.source.clone(),
                    effects,
                })
            })
            .collect()
    })
}

/// One effect in a line of text, for `explain`.
pub fn describe(e: &Effect) -> String {
    match e {
        Effect::Mutates {
            platform,
            operation,
            forced,
            production,
        } => format!(
            "mutates {platform}: {operation}{}{}",
            if *forced { ", without asking" } else { "" },
            if *production { ", on production" } else { "" }
        ),
        Effect::Sends {
            data,
            host,
            credential,
        } => format!(
            "sends {data} to {host}{}",
            if *credential { " (a credential)" } else { "" }
        ),
        Effect::Executes { interpreter, code } => format!("executes {code} with {interpreter}"),
        Effect::Overwrites { target, class, how } => {
            format!("overwrites {target} ({class}) by {how}")
        }
        Effect::Hunts { under } => format!("searches {under} for credentials"),
    }
}

/// Does a word name production? Its parts (split at `-`, `_`, `.`, `:`, `/`, `=`) are
/// read, so `pg-prod` and `--env=production` do and `product` does not.
pub fn names_production(word: &str) -> bool {
    word.split(['-', '_', '.', ':', '/', '=', '@']).any(|p| {
        matches!(
            p.to_ascii_lowercase().as_str(),
            "prod" | "production" | "prd"
        )
    })
}

/// Is `host` this machine (or only reachable from it)?
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "localhost"
        || h.ends_with(".localhost")
        || h.starts_with("127.")
        || h == "::1"
        || h == "0.0.0.0"
        || h == "host.docker.internal"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_words() {
        for w in [
            "prod",
            "pg-prod",
            "--env=production",
            "db.prod.internal",
            "PRD",
        ] {
            assert!(names_production(w), "{w}");
        }
        for w in ["product", "produce", "staging", "dev", "reproduce"] {
            assert!(!names_production(w), "{w}");
        }
    }

    #[test]
    fn loopback_hosts() {
        for h in ["localhost", "127.0.0.1", "api.localhost", "::1"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["example.com", "10.0.0.1", "localhost.example.com"] {
            assert!(!is_loopback(h), "{h}");
        }
    }
}
