//! The JSON schemas for rule packs and config files, committed under `guards/schema/` for
//! editors (`# yaml-language-server: $schema=…` at the top of a pack). They are derived
//! from the very types the loader deserialises; this test fails when the committed files
//! are stale (`GUARDSH_UPDATE_GENERATED=1 cargo test --lib schema` rewrites them) or when a
//! built-in pack lacks the schema comment.

use std::path::{Path, PathBuf};

/// The first line of every built-in pack.
pub const PACK_SCHEMA_COMMENT: &str = "# yaml-language-server: $schema=schema/pack.schema.json";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guards/schema")
}

fn render<T: schemars::JsonSchema>(title: &str) -> String {
    let mut schema = schemars::schema_for!(T);
    schema.insert("title".into(), title.into());
    // `examples` and its `block` list are optional to serde only so that the embedded
    // built-in rules can leave them out; in a file the loader requires them.
    let rule = schema
        .get_mut("$defs")
        .and_then(|d| d.get_mut("Rule"))
        .and_then(|r| r.get_mut("properties").is_some().then_some(r));
    if let Some(rule) = rule {
        if let Some(required) = rule.get_mut("required").and_then(|r| r.as_array_mut()) {
            required.push("examples".into());
        }
        if let Some(examples) = rule.pointer_mut("/properties/examples") {
            examples["required"] = serde_json::json!(["block"]);
        }
    }
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

fn expected() -> Vec<(&'static str, String)> {
    vec![
        (
            "pack.schema.json",
            render::<crate::rules::raw::Pack>("guardsh rule pack"),
        ),
        (
            "config.schema.json",
            render::<crate::config::Config>("guardsh configuration"),
        ),
    ]
}

#[test]
fn committed_schemas_are_current() {
    let update = std::env::var_os("GUARDSH_UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (name, text) in expected() {
        assert!(text.len() > 1000, "{name} came out empty");
        let path = dir().join(name);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != text {
            if update {
                std::fs::create_dir_all(dir()).expect("mkdir guards/schema");
                std::fs::write(&path, &text).expect("write schema");
            } else {
                stale.push(name);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale: {stale:?}; run `GUARDSH_UPDATE_GENERATED=1 cargo test --lib schema` and commit"
    );
}

#[test]
fn the_schema_knows_every_condition() {
    // A spot check that the derive follows serde: unknown fields are refused and the
    // conditions are all there.
    let text = render::<crate::rules::raw::Pack>("t");
    for field in [
        "flags_any",
        "production",
        "code_deletes",
        "url_operands",
        "not_mutations",
    ] {
        assert!(text.contains(&format!("\"{field}\"")), "{field} missing");
    }
    assert!(text.contains("\"additionalProperties\": false"));
}

#[test]
fn every_built_in_pack_names_its_schema() {
    let guards = Path::new(env!("CARGO_MANIFEST_DIR")).join("guards");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&guards).expect("guards/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).expect("readable");
            if text.lines().next() != Some(PACK_SCHEMA_COMMENT) {
                missing.push(path.display().to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "these packs do not start with `{PACK_SCHEMA_COMMENT}`: {missing:?}"
    );
}
