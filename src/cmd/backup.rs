//! `guardsh backup -- LINE`, `guardsh backups list|show|prune` and `guardsh restore ID`.

use std::io::{self, Write};

use serde::Serialize;

use crate::backup::{self, Error, Record, Store};
use crate::cli::{BackupArgs, BackupsCommands, RestoreArgs};
use crate::decision::{Decision, Verdict};
use crate::exit;
use crate::term::escape;

/// One taken backup, as `--json` prints it.
#[derive(Debug, Serialize)]
struct Taken<'a> {
    id: &'a str,
    kind: backup::BackupKind,
    target: &'a str,
    bytes: u64,
    location: &'a std::path::Path,
}

/// A destructive match guardsh has no backup for.
#[derive(Debug, Serialize)]
struct Uncovered<'a> {
    rule: &'a str,
    command: &'a str,
}

fn taken(r: &Record) -> Taken<'_> {
    Taken {
        id: &r.id,
        kind: r.kind,
        target: &r.target,
        bytes: r.bytes,
        location: &r.location,
    }
}

/// The destructive matches of `v` that no backup covers.
fn uncovered(v: &Verdict) -> Vec<Uncovered<'_>> {
    v.matches
        .iter()
        .filter(|m| m.severity >= Decision::Confirm)
        .filter(|m| {
            !v.backups
                .iter()
                .any(|b| b.serves(&m.rule) && b.command == m.command)
        })
        .map(|m| Uncovered {
            rule: &m.rule,
            command: &m.command,
        })
        .collect()
}

/// `guardsh backup [--json] -- LINE`: take every backup LINE needs, run nothing. Exit 0
/// when all its destructive commands are insured, 1 (saying why) when one could not be
/// insured.
pub fn backup(args: &BackupArgs, out: &mut impl Write) -> Result<u8, crate::Error> {
    let line = match args.line.as_slice() {
        [one] => one.clone(),
        words => shell_words::join(words),
    };
    let mut policy = crate::policy::Policy::load()?;
    let input = crate::input::Input::from_bytes(line.clone().into_bytes(), false);
    let verdict = policy
        .verdict(&input, &crate::parse::Limits::default())
        .map_err(|e| crate::Error::Io(e.to_string()))?;
    for w in policy.take_warnings() {
        crate::guard::say(&format!("warning: {w}"));
    }
    let ctx = backup::Context {
        line: line.clone(),
        cwd: std::env::current_dir().map_err(|e| crate::Error::Io(e.to_string()))?,
        max_bytes: policy.layers().backup_max_bytes(),
    };
    let records = backup::take_all(&verdict.backups, &ctx)?;
    let missing = uncovered(&verdict);
    let io_err = |e: io::Error| crate::Error::Io(e.to_string());
    if args.json {
        let json = serde_json::json!({
            "backups": records.iter().map(taken).collect::<Vec<_>>(),
            "not_covered": missing,
        });
        writeln!(out, "{json}").map_err(io_err)?;
    } else {
        for r in &records {
            writeln!(
                out,
                "backed up {} as {} ({}, {})",
                escape(&r.target),
                r.id,
                crate::backup::human_bytes(r.bytes),
                r.location.display()
            )
            .map_err(io_err)?;
        }
        if records.is_empty() && missing.is_empty() {
            writeln!(out, "nothing in this line needs a backup").map_err(io_err)?;
        }
    }
    for m in &missing {
        crate::guard::say(&format!(
            "no backup covers `{}` ({}): guardsh cannot insure what it destroys",
            escape(m.command),
            m.rule
        ));
    }
    Ok(if missing.is_empty() {
        exit::OK
    } else {
        exit::FAILURE
    })
}

/// `guardsh backups list|show|prune`.
pub fn backups(c: &BackupsCommands, out: &mut impl Write) -> Result<u8, crate::Error> {
    let io_err = |e: io::Error| crate::Error::Io(e.to_string());
    match c {
        BackupsCommands::List(a) => {
            let store = Store::open()?;
            let all = store.list();
            if a.json {
                let json = serde_json::json!({
                    "store": store.dir(),
                    "protected": store.protected,
                    "backups": all.iter().map(taken).collect::<Vec<_>>(),
                });
                writeln!(out, "{json}").map_err(io_err)?;
            } else if all.is_empty() {
                writeln!(out, "no backups in {}", store.dir().display()).map_err(io_err)?;
            } else {
                for r in &all {
                    writeln!(
                        out,
                        "{}  {}  {:>10}  {}",
                        r.id,
                        kind_name(r.kind),
                        crate::backup::human_bytes(r.bytes),
                        escape(&r.target)
                    )
                    .map_err(io_err)?;
                }
            }
            Ok(exit::OK)
        }
        BackupsCommands::Show(a) => {
            let store = Store::open()?;
            let r = store.load(&a.id)?;
            let intact = store.verify(&r);
            if a.json {
                let mut json =
                    serde_json::to_value(&r).map_err(|e| crate::Error::Io(e.to_string()))?;
                if let Some(o) = json.as_object_mut() {
                    o.insert("intact".to_owned(), intact.is_ok().into());
                }
                writeln!(out, "{json}").map_err(io_err)?;
            } else {
                writeln!(
                    out,
                    "backup {}\n  kind:     {}\n  target:   {}\n  bytes:    {} ({} files)\n  location: {}\n  taken:    {}\n  rule:     {}\n  command:  {}\n  line:     {}\n  in:       {}\n  intact:   {}",
                    r.id,
                    kind_name(r.kind),
                    escape(&r.target),
                    crate::backup::human_bytes(r.bytes),
                    r.sums.len(),
                    r.location.display(),
                    r.created,
                    r.rule,
                    escape(&r.command),
                    escape(&r.line),
                    r.cwd.display(),
                    match &intact {
                        Ok(()) => "yes, every file matches its checksum".to_owned(),
                        Err(e) => format!("NO: {e}"),
                    }
                )
                .map_err(io_err)?;
            }
            Ok(if intact.is_ok() {
                exit::OK
            } else {
                exit::FAILURE
            })
        }
        BackupsCommands::Prune(a) => {
            let policy = crate::policy::Policy::load()?;
            let days = a
                .older_than
                .unwrap_or_else(|| policy.layers().backup_keep_days());
            let store = Store::open_for_writing()?;
            let before = crate::clock::now().saturating_sub(days.saturating_mul(86_400));
            let removed = store.prune(before);
            writeln!(
                out,
                "removed {} backup{} older than {days} days",
                removed.len(),
                if removed.len() == 1 { "" } else { "s" }
            )
            .map_err(io_err)?;
            Ok(exit::OK)
        }
    }
}

/// `guardsh restore ID [--yes]`.
pub fn restore(args: &RestoreArgs, out: &mut impl Write) -> Result<u8, crate::Error> {
    let store = Store::open()?;
    let r = store.load(&args.id)?;
    if !args.yes {
        let summary = format!(
            "guardsh: restore backup {} ({}, taken {} before `{}`)?\n  What is there now is moved aside or replaced.\n",
            r.id,
            escape(&r.target),
            r.created,
            escape(&r.command)
        );
        match crate::confirm::ask(&summary, "restore") {
            crate::confirm::Answer::Confirmed => {}
            crate::confirm::Answer::Refused => {
                writeln!(out, "not restored").map_err(|e| crate::Error::Io(e.to_string()))?;
                return Ok(exit::FAILURE);
            }
            crate::confirm::Answer::NoTerminal(why) => {
                return Err(Error::Restore {
                    id: r.id,
                    why: format!("{why}; pass --yes to restore without asking"),
                }
                .into());
            }
        }
    }
    let done = backup::restore(&r.id)?;
    writeln!(
        out,
        "restored {} from backup {}",
        escape(&done.target),
        done.id
    )
    .map_err(|e| crate::Error::Io(e.to_string()))?;
    Ok(exit::OK)
}

fn kind_name(k: backup::BackupKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
