//! The binary reads short SQL on its main thread and long or deeply nested SQL on a
//! deep-stack thread (see `payload::sql::INLINE_PARSE`). Both readings must give the same
//! answer: each line here is checked by the real binary twice, once as it starts by default
//! (8 MiB stack limit: short statements read on the main thread) and once under
//! `ulimit -s 4096`, where the main thread is never trusted and everything goes to the
//! deep-stack thread. The lines are the SQL lines of the corpus and hostile shapes around
//! the inline limits: long, nested, and long chains of unary operators.

#![allow(clippy::disallowed_methods)]

use std::process::Command;

use serde::Deserialize;

#[derive(Deserialize)]
struct Entry {
    line: String,
}

fn corpus_sql_lines() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/sql.yaml"
    ))
    .expect("tests/corpus/sql.yaml");
    let entries: Vec<serde_yaml::Value> = serde_yaml::from_str(&text).expect("corpus parses");
    entries
        .into_iter()
        .filter_map(|v| serde_yaml::from_value::<Entry>(v).ok())
        .map(|e| e.line)
        .collect()
}

fn hostile_lines() -> Vec<String> {
    let chain = |n: usize| vec!["a=1"; n].join(" AND ");
    let sql = [
        // Just under and over the inline length (4096 bytes).
        format!("DELETE FROM t WHERE {}", chain(500)),
        format!("DELETE FROM t WHERE {}", chain(700)),
        format!("SELECT 1 WHERE {}", chain(700)),
        // Nesting around the inline depth (8) and the deep thread's (16).
        format!("DELETE FROM t WHERE {}1=1{}", "(".repeat(7), ")".repeat(7)),
        format!(
            "DELETE FROM t WHERE {}1=1{}",
            "(".repeat(12),
            ")".repeat(12)
        ),
        format!(
            "SELECT * FROM {}t{}",
            "(SELECT * FROM ".repeat(10),
            ") x".repeat(10)
        ),
        format!("DROP TABLE t; SELECT {}1{}", "(".repeat(15), ")".repeat(15)),
        // Recursion without brackets.
        format!("SELECT 1 WHERE {}x", "NOT ".repeat(40)),
        format!("UPDATE t SET a = {}1", "- ".repeat(40)),
        format!(
            "SELECT {}1{}",
            "CASE WHEN x THEN ".repeat(20),
            " END".repeat(20)
        ),
    ];
    sql.iter()
        .flat_map(|s| {
            [
                format!("psql -c \"{s}\""),
                format!("psql <<'EOF'\n{s};\nEOF"),
                format!("echo \"{s}\" | mysql app"),
            ]
        })
        .collect()
}

fn check(line: &str, shallow: bool) -> (Option<i32>, String) {
    let bin = env!("CARGO_BIN_EXE_guardsh");
    let script = if shallow {
        "ulimit -s 4096 && exec \"$0\" check --json -- \"$1\""
    } else {
        "exec \"$0\" check --json -- \"$1\""
    };
    let out = Command::new("bash")
        .args(["-c", script, bin, line])
        .env_remove("GUARDSH_CONFIG")
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn main_thread_and_deep_thread_readings_agree() {
    let lines: Vec<String> = corpus_sql_lines()
        .into_iter()
        .chain(hostile_lines())
        .collect();
    assert!(lines.len() > 50, "too few lines: {}", lines.len());
    let mut refused = 0;
    for line in &lines {
        let deep = check(line, true);
        let inline = check(line, false);
        assert!(
            deep.0.is_some(),
            "killed by a signal on the deep thread: {line}"
        );
        assert_eq!(inline, deep, "the readings differ on {line:?}");
        if matches!(inline.0, Some(4 | 5)) {
            refused += 1;
        }
    }
    // The hostile DELETE/DROP/UPDATE lines and the corpus blocks are refused either way.
    assert!(refused > 30, "only {refused} refused");
}
