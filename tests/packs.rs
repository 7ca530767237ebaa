//! Every example in every pack under guards/ holds: each `block` line is matched by its
//! rule, each `allow` line is not. A failing example fails CI. The packs are read from the
//! files here, and also through the copy embedded at build time, which must agree.

use std::path::Path;

use guardsh::examples;
use guardsh::rules::{RuleSet, builtin, load_pack};

fn load_dir() -> RuleSet {
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

#[test]
fn every_pack_example_holds() {
    let set = load_dir();
    assert!(!set.rules().is_empty(), "no rules loaded from guards/");
    let report = examples::run(&set);
    let failures: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "{} of {} examples failed:\n{}",
        failures.len(),
        report.checked,
        failures.join("\n")
    );
}

#[test]
fn embedded_packs_match_the_files() {
    let files = load_dir();
    let embedded = builtin::all().unwrap_or_else(|e| panic!("{e}"));
    let mut a: Vec<&str> = files.rules().iter().map(|r| r.id.as_str()).collect();
    let mut b: Vec<&str> = embedded.rules().iter().map(|r| r.id.as_str()).collect();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
    // Each bucket's copy of a rule names only the program it is filed under; all of them
    // loaded together must name every program the file lists.
    let programs = |set: &RuleSet| {
        let mut v: Vec<(String, Vec<String>)> = set
            .rules()
            .iter()
            .map(|r| {
                let mut p = r.programs().to_vec();
                p.sort_unstable();
                (r.id.clone(), p)
            })
            .collect();
        v.sort_unstable();
        v
    };
    assert_eq!(programs(&files), programs(&embedded));
    let report = examples::run(&embedded);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
}

#[test]
fn an_example_that_does_not_hold_is_reported() {
    let text = "pack: t\ndescription: d\nrules:\n  - id: t.rm\n    program: rm\n    severity: deny\n    message: m\n    suggestion: s\n    examples:\n      block: [ls]\n      allow: [rm x]\n";
    let set = RuleSet::new(vec![(
        load_pack(text, "t.yaml").expect("loads"),
        "t.yaml".into(),
    )])
    .expect("compiles");
    let report = examples::run(&set);
    assert_eq!(report.checked, 2);
    assert_eq!(report.failures.len(), 2, "{:?}", report.failures);
}

#[test]
fn unknown_fields_are_errors_with_a_location() {
    let text = "pack: x\ndescription: d\nrules:\n  - id: a\n    program: rm\n    severity: deny\n    mesage: typo\n";
    let err = load_pack(text, "x.yaml").expect_err("a misspelt field must not load");
    let msg = err.to_string();
    assert!(msg.starts_with("x.yaml:"), "{msg}");
    assert!(msg.contains("mesage"), "{msg}");
}
