//! Every example in every pack under guards/ holds: each `block` line is matched by its
//! rule, each `allow` line is not. A failing example fails CI.

use std::path::Path;

use guardsh::parse::Limits;
use guardsh::rules::{RuleSet, load_pack};
use guardsh::unwrap::analyze;

fn load_all() -> RuleSet {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("guards");
    let mut packs = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("guards/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("readable pack");
        let name = path.display().to_string();
        let pack = load_pack(&text, &name).unwrap_or_else(|e| panic!("{e}"));
        packs.push((pack, name));
    }
    RuleSet::new(packs).unwrap_or_else(|e| panic!("{e}"))
}

fn matched_ids(set: &RuleSet, line: &str) -> Vec<String> {
    let script = analyze(line, &Limits::default());
    script
        .commands
        .iter()
        .flat_map(|c| set.matching(c, &script))
        .map(|r| r.id.clone())
        .collect()
}

#[test]
fn every_pack_example_holds() {
    let set = load_all();
    assert!(!set.rules().is_empty(), "no rules loaded from guards/");
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in set.rules() {
        for line in &rule.examples.block {
            checked += 1;
            if !matched_ids(&set, line).contains(&rule.id) {
                failures.push(format!("{}: should block: {line}", rule.id));
            }
        }
        for line in &rule.examples.allow {
            checked += 1;
            if matched_ids(&set, line).contains(&rule.id) {
                failures.push(format!("{}: should allow: {line}", rule.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn unknown_fields_are_errors_with_a_location() {
    let text = "pack: x\ndescription: d\nrules:\n  - id: a\n    program: rm\n    severity: deny\n    mesage: typo\n";
    let err = load_pack(text, "x.yaml").expect_err("a misspelt field must not load");
    let msg = err.to_string();
    assert!(msg.starts_with("x.yaml:"), "{msg}");
    assert!(msg.contains("mesage"), "{msg}");
}
