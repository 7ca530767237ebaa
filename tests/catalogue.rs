//! The packs against the shared destructive-command catalogue
//! (`shared/reference/catalogue.yaml`, beside the repository): every example of a covered
//! platform must be matched at least as strictly as the catalogue rates it, and no benign
//! look-alike may need a confirmation.
//!
//! The catalogue is found at `$CARGO_MANIFEST_DIR/../shared/reference/catalogue.yaml`, or
//! wherever `GUARDSH_CATALOGUE` points. A clone on its own has none beside it: the test
//! then says SKIPPED on standard error, where it is seen, and checks nothing else.
//!
//! The score table is written straight to standard error, so it shows with or without
//! `--nocapture`, and again in the failure message.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use guardsh::decision::{Decision, decide};
use guardsh::parse::Limits;
use guardsh::rules::{RuleSet, Severity, load_pack};
use guardsh::unwrap::analyze;
use serde_yaml::Value;

/// Platforms whose packs this repository has in any case.
const PLATFORMS: &[&str] = &["railway", "filesystem", "git", "system"];

/// Platforms covered by a pack that is written separately: checked once the pack exists.
const PLATFORMS_WITH_PACK: &[(&str, &[&str])] = &[
    ("sql.yaml", &["sql", "postgres", "mysql", "sqlite", "redis"]),
    ("railway-api.yaml", &["railway-api"]),
];

/// Catalogue examples that are not one shell line as written, with the reason they are not
/// checked. Keep this short and honest: each entry is printed on every run.
const NOT_A_LINE: &[(&str, &str)] = &[];

fn catalogue_path() -> PathBuf {
    match std::env::var_os("GUARDSH_CATALOGUE") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/catalogue.yaml"),
    }
}

fn guards_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guards")
}

fn load_guards() -> RuleSet {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(guards_dir())
        .expect("guards/ is readable")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    let packs = paths
        .into_iter()
        .map(|path| {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).expect("readable pack");
            (
                load_pack(&text, &name).unwrap_or_else(|e| panic!("{e}")),
                name,
            )
        })
        .collect();
    RuleSet::new(packs).unwrap_or_else(|e| panic!("{e}"))
}

/// The strictest severity of the rules matching any command of `line`, with their ids, or
/// `Err` when the line cannot be checked at all. Each match is weighed as the decision
/// weighs it: a rule that is a confirmation elsewhere is a refusal on a protected
/// environment (`-e production`), as the catalogue's severity escalations ask.
fn judge(set: &RuleSet, line: &str) -> Result<(Option<Severity>, Vec<String>), String> {
    let script = analyze(line, &Limits::default());
    if script.cannot_be_checked() {
        let why: Vec<&str> = script.unknowns.iter().map(|u| u.text.as_str()).collect();
        return Err(format!("cannot be checked: {}", why.join("; ")));
    }
    let mut strictest = None;
    let mut ids = Vec::new();
    for m in decide(&script, set).matches {
        let s = match m.severity {
            // A note decides nothing: the decision keeps no match for it.
            Decision::Allow => continue,
            Decision::Warn => Severity::Warn,
            Decision::Confirm => Severity::Confirm,
            Decision::Deny => Severity::Deny,
        };
        strictest = strictest.max(Some(s));
        if !ids.contains(&m.rule) {
            ids.push(m.rule);
        }
    }
    Ok((strictest, ids))
}

/// Where the catalogue says deny and the packs ask a person instead: allowed only when a
/// confirm-level rule that matched takes a backup first, so the person's "yes" can be
/// undone (issue 18, "reversible means askable"). Production targets are refused by the
/// decision whatever the rule says.
fn askable_because_backed_up(
    set: &RuleSet,
    want: Severity,
    got: Option<Severity>,
    ids: &[String],
) -> bool {
    want == Severity::Deny
        && got == Some(Severity::Confirm)
        && set
            .rules()
            .iter()
            .any(|r| ids.contains(&r.id) && r.severity == Severity::Confirm && r.backup.is_some())
}

fn severity(name: &str) -> Option<Severity> {
    match name {
        "deny" => Some(Severity::Deny),
        "confirm" => Some(Severity::Confirm),
        "warn" => Some(Severity::Warn),
        _ => None,
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn examples(v: &Value) -> Vec<String> {
    v.get("examples")
        .and_then(Value::as_sequence)
        .map(|s| {
            s.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn shown(s: Option<Severity>) -> String {
    s.map_or_else(
        || "nothing".to_string(),
        |s| format!("{s:?}").to_lowercase(),
    )
}

#[derive(Default)]
struct Score {
    blocked: usize,
    examples: usize,
    benign_passed: usize,
    benign: usize,
}

#[test]
fn packs_cover_the_catalogue() {
    let path = catalogue_path();
    if !path.exists() {
        // A clone on its own has no shared/ beside it: a visible skip, not a failure (the
        // packs' own examples and tests/corpus.rs still run).
        say(&format!(
            "catalogue: SKIPPED ({} not found; check out shared/ beside the repository or \
             point GUARDSH_CATALOGUE at catalogue.yaml)",
            path.display()
        ));
        return;
    }
    let text_yaml = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let catalogue: Value = serde_yaml::from_str(&text_yaml)
        .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()));

    let mut platforms: Vec<&str> = PLATFORMS.to_vec();
    for (file, extra) in PLATFORMS_WITH_PACK {
        if guards_dir().join(file).exists() {
            platforms.extend_from_slice(extra);
        }
    }
    // Any other platform is checked once a pack named after it exists (`guards/aws.yaml`).
    let all_platforms: Vec<String> = catalogue
        .get("patterns")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .map(|p| text(p, "platform"))
        .collect();
    let mut uncovered = Vec::new();
    for name in &all_platforms {
        if platforms.contains(&name.as_str()) || uncovered.contains(name) {
            continue;
        }
        if guards_dir().join(format!("{name}.yaml")).exists() {
            platforms.push(name.as_str());
        } else {
            uncovered.push(name.clone());
        }
    }
    let set = load_guards();
    let mut out = vec![format!("catalogue: {}", path.display())];
    out.push(format!(
        "catalogue: platforms checked: {}",
        platforms.join(", ")
    ));
    out.push(format!(
        "catalogue: platforms with no pack yet: {}",
        if uncovered.is_empty() {
            "none".to_string()
        } else {
            uncovered.join(", ")
        }
    ));

    let mut scores: BTreeMap<&str, Score> =
        platforms.iter().map(|p| (*p, Score::default())).collect();
    let mut misses = Vec::new();
    let mut skipped = Vec::new();
    let mut askable = Vec::new();
    let skip_reason = |line: &str| NOT_A_LINE.iter().find(|(l, _)| *l == line).map(|(_, r)| *r);

    let patterns = catalogue
        .get("patterns")
        .and_then(Value::as_sequence)
        .expect("the catalogue has patterns");
    assert!(!patterns.is_empty(), "the catalogue has no patterns");
    for p in patterns {
        let platform = text(p, "platform");
        let Some(score) = scores.get_mut(platform.as_str()) else {
            continue;
        };
        let id = text(p, "id");
        let sev_name = text(p, "severity");
        let Some(want) = severity(&sev_name) else {
            misses.push(format!(
                "{id}: unknown severity {sev_name:?} in the catalogue"
            ));
            continue;
        };
        for line in examples(p) {
            if let Some(why) = skip_reason(&line) {
                skipped.push(format!("{id}: {line}  -- {why}"));
                continue;
            }
            score.examples += 1;
            match judge(&set, &line) {
                Ok((got, _)) if got >= Some(want) => score.blocked += 1,
                Ok((got, ids)) if askable_because_backed_up(&set, want, got, &ids) => {
                    score.blocked += 1;
                    askable.push(format!("{id}: {line}  -- confirm with a backup ({ids:?})"));
                }
                Ok((got, ids)) => misses.push(format!(
                    "{id} ({sev_name}): got {} {ids:?}: {line}",
                    shown(got)
                )),
                Err(why) => misses.push(format!("{id} ({sev_name}): {why}: {line}")),
            }
        }
    }

    let benign = catalogue
        .get("benign_lookalikes")
        .and_then(Value::as_sequence)
        .expect("the catalogue has benign_lookalikes");
    for b in benign {
        let platform = text(b, "platform");
        let Some(score) = scores.get_mut(platform.as_str()) else {
            continue;
        };
        let id = text(b, "id");
        // Where the catalogue itself says the look-alike stays a warning, a warning is right.
        let warn_ok = text(b, "why_benign").to_lowercase().contains("warn");
        for line in examples(b) {
            if let Some(why) = skip_reason(&line) {
                skipped.push(format!("{id}: {line}  -- {why}"));
                continue;
            }
            score.benign += 1;
            match judge(&set, &line) {
                Ok((None, _)) => score.benign_passed += 1,
                Ok((Some(Severity::Warn), _)) if warn_ok => score.benign_passed += 1,
                Ok((got, ids)) => {
                    misses.push(format!("{id} (benign): got {} {ids:?}: {line}", shown(got)))
                }
                Err(why) => misses.push(format!("{id} (benign): {why}: {line}")),
            }
        }
    }

    for (platform, s) in &scores {
        out.push(format!(
            "{platform}: blocked {}/{}, benign passed {}/{}",
            s.blocked, s.examples, s.benign_passed, s.benign
        ));
    }
    for s in &skipped {
        out.push(format!("skipped (not one shell line): {s}"));
    }
    for a in &askable {
        out.push(format!("deny in the catalogue, asked here: {a}"));
    }
    let summary = out.join("\n");
    say(&summary);
    assert!(
        scores.values().any(|s| s.examples > 0),
        "no catalogue example was checked: is {} the catalogue?",
        path.display()
    );
    assert!(
        misses.is_empty(),
        "{summary}\n{} catalogue example(s) missed:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

/// Write to the real standard error: libtest captures `eprintln!`, not this.
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}
