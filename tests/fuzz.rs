//! Robustness: `analyze` must return, promptly and without panicking, on any text at all,
//! and must refuse (cannot be checked) what is hostile or over a limit, never allow it.
//!
//! - property tests (proptest) over arbitrary strings, over a soup of shell tokens, and a
//!   quoting round trip (any argv, quoted any way bash allows, reads back as that argv);
//! - known hostile inputs (the hangs and crashes other shell parsers had, deep nesting,
//!   megabyte lines), each run in a child process so that a stack overflow, which aborts
//!   the process, fails that one test instead of the whole binary;
//! - `fuzz_many`, ignored by default: a long seeded run for `.ci/run` and for release checks,
//!   `GUARDSH_FUZZ_CASES=1000000 cargo test --release --test fuzz -- --ignored --nocapture`;
//! - `fuzz_payload_readers` (SQL to database clients, HTTP/GraphQL bodies, interpreter code,
//!   each through the whole decision) and `fuzz_loaders` (the pack loader on mutated packs,
//!   the config file, a shell's argv) and `fuzz_hooks` (each agent's hook JSON, mutated),
//!   ignored by default in the same way.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use common::SplitMix64;
use guardsh::parse::{Limits, Script, UnknownKind};

mod common;
use proptest::prelude::*;

/// Longest one input may take. Debug builds on a shared 2-core machine are slow; real inputs
/// take microseconds, so anything near this is a hang, not a slow case.
const WATCHDOG: Duration = Duration::from_secs(2);

fn analyze(text: &str) -> Script {
    guardsh::unwrap::analyze(text, &Limits::default())
}

/// Analyse `text` on its own thread; `Err` says why it did not come back in time.
fn analyze_bounded(text: &str, limit: Duration) -> Result<Script, String> {
    let (tx, rx) = mpsc::channel();
    let owned = text.to_string();
    std::thread::Builder::new()
        .name("analyze".to_string())
        .spawn(move || {
            let _ = tx.send(analyze(&owned));
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    match rx.recv_timeout(limit) {
        Ok(script) => Ok(script),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "analyze did not return within {limit:?} on {:?}",
            preview(text)
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(format!("analyze panicked on {:?}", preview(text)))
        }
    }
}

/// The input as shown in a failure: whole when short, else both ends.
fn preview(text: &str) -> String {
    const KEEP: usize = 300;
    if text.len() <= 2 * KEEP {
        return text.to_string();
    }
    let head: String = text.chars().take(KEEP).collect();
    let tail: String = {
        let mut t: Vec<char> = text.chars().rev().take(KEEP).collect();
        t.reverse();
        t.into_iter().collect()
    };
    format!("{head}…[{} bytes]…{tail}", text.len())
}

// ---------------------------------------------------------------------------------------------
// Token soup: pieces of shell that stress the grammar where it is subtle.

const TOKENS: &[&str] = &[
    " ", "  ", "\t", "\n", "\r\n", ";", ";;", ";&", "&", "&&", "|", "||", "|&", "!", "(", ")",
    "((", "))", "{", "}", "{ ", " }", "[[", "]]", "[", "]", "$(", "`", "\\`", "${", "$((", "$[",
    "<(", ">(", "'", "\"", "$'", "$\"", "\\", "\\\n", "#", "<", ">", ">>", "<<", "<<-", "<<<",
    "<<'EOF'", "<<EOF", "EOF", "\nEOF\n", "2>&1", "&>", ">|", "<>", "3<", "if", "then", "elif",
    "else", "fi", "for", "in", "do", "done", "while", "until", "case", "esac", "select",
    "function", "time", "coproc", "rm", "-rf", "/", "x", "a=", "$a", "$@", "*", "?", "~", "{a,b}",
    ":-", "=", "bash -c ", "eval ", "sudo ", "xargs ", "é", "\u{202e}", "\u{FFFD}", "\0",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..48).prop_map(|t| t.concat())
}

/// How one piece of a word is quoted.
#[derive(Debug, Clone, Copy)]
enum Quoting {
    Single,
    Double,
    AnsiC,
    Backslash,
}

/// Quote `s` so that bash reads it back as exactly `s` (no NUL).
fn quote(s: &str, how: Quoting) -> String {
    let mut out = String::new();
    match how {
        Quoting::Single => {
            out.push('\'');
            out.push_str(&s.replace('\'', "'\\''"));
            out.push('\'');
        }
        Quoting::Double => {
            out.push('"');
            for c in s.chars() {
                if matches!(c, '"' | '\\' | '$' | '`') {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        Quoting::AnsiC => {
            out.push_str("$'");
            for c in s.chars() {
                match c {
                    'a'..='z' | 'A'..='Z' | '0'..='9' => out.push(c),
                    c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
                    c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push_str(&format!("\\U{:08x}", c as u32)),
                }
            }
            out.push('\'');
        }
        Quoting::Backslash if s.is_empty() => out.push_str("''"),
        Quoting::Backslash => {
            for c in s.chars() {
                if c == '\n' {
                    // Backslash-newline is a line continuation: quote the newline instead.
                    out.push_str("'\n'");
                } else {
                    out.push('\\');
                    out.push(c);
                }
            }
        }
    }
    out
}

fn quoting() -> impl Strategy<Value = Quoting> {
    prop_oneof![
        Just(Quoting::Single),
        Just(Quoting::Double),
        Just(Quoting::AnsiC),
        Just(Quoting::Backslash),
    ]
}

/// A word as pieces, each quoted its own way: `r''ailway`-style concatenations.
fn quoted_word() -> impl Strategy<Value = (String, String)> {
    prop::collection::vec(("[^\0]{0,6}", quoting()), 1..4).prop_map(|pieces| {
        let text: String = pieces.iter().map(|(s, _)| s.as_str()).collect();
        let source: String = pieces.iter().map(|(s, q)| quote(s, *q)).collect();
        (text, source)
    })
}

proptest! {
    // 256 cases each (PROPTEST_CASES overrides). No failure files: a failing case is
    // printed, shrunk, and belongs in a regular test.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_text_never_panics_or_hangs(text in any::<String>()) {
        let script = analyze_bounded(&text, WATCHDOG).map_err(TestCaseError::fail)?;
        // The same text gives the same answer.
        prop_assert_eq!(script, analyze(&text));
    }

    #[test]
    fn token_soup_never_panics_or_hangs(text in token_soup()) {
        let script = analyze_bounded(&text, WATCHDOG).map_err(TestCaseError::fail)?;
        for c in &script.commands {
            // A program whose name is not known must be marked, never guessed.
            if let Some(first) = c.argv.first()
                && (first.dynamic || first.glob || first.brace)
            {
                prop_assert!(
                    !script.unknowns.is_empty(),
                    "unmarked dynamic program in {:?}: {:?}", text, c.argv
                );
            }
        }
    }

    #[test]
    fn any_quoted_argv_reads_back_exactly(words in prop::collection::vec(quoted_word(), 1..6)) {
        let line = words.iter().map(|(_, src)| src.as_str()).collect::<Vec<_>>().join(" ");
        let want: Vec<String> = words.iter().map(|(text, _)| text.clone()).collect();
        let script = analyze_bounded(&line, WATCHDOG).map_err(TestCaseError::fail)?;
        prop_assert!(!script.cannot_be_checked(), "{:?}: {:?}", line, script.unknowns);
        // One command, plus only what guardsh peels from it on purpose (a quoted `!` is
        // read as the negation some shell could take it for: over-reporting, the safe way).
        prop_assert!(!script.commands.is_empty(), "{:?}", line);
        prop_assert!(
            script.commands[1..].iter().all(|c| c.places.iter().any(|p| matches!(p, guardsh::parse::Place::Wrapper { .. }))),
            "{:?}: {:?}", line, script.commands
        );
        let got: Vec<String> = script.commands[0].args().map(str::to_string).collect();
        prop_assert_eq!(got, want, "line {:?}", line);
    }
}

#[test]
fn the_quoting_helper_quotes_like_bash() {
    assert_eq!(quote("it's", Quoting::Single), "'it'\\''s'");
    assert_eq!(quote("a\"$b", Quoting::Double), "\"a\\\"\\$b\"");
    assert_eq!(quote("rm é", Quoting::AnsiC), "$'rm\\x20\\u00e9'");
    assert_eq!(quote("a b\n", Quoting::Backslash), "\\a\\ \\b'\n'");
}

// ---------------------------------------------------------------------------------------------
// Known hostile inputs. Each runs in a child process (the test binary itself, filtered to
// that one test), so a crash is reported as that test failing with the child's output.

const CHILD_VAR: &str = "GUARDSH_FUZZ_CHILD";
/// Generous bound for one hostile input in a debug build on a 2-core machine.
const HOSTILE_LIMIT: Duration = Duration::from_secs(10);

/// In the parent: rerun this one test in a child process and check it passed. In the child:
/// run `body`.
fn in_child(name: &str, body: impl FnOnce()) {
    if std::env::var(CHILD_VAR).as_deref() == Ok(name) {
        body();
        return;
    }
    let exe = std::env::current_exe().expect("test binary path");
    // Spawning is what this harness is for; the exec.rs rule is about the library.
    #[allow(clippy::disallowed_methods)]
    let mut child = std::process::Command::new(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_VAR, name)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the test binary");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for child") {
            break status;
        }
        if start.elapsed() > HOSTILE_LIMIT * 3 {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{name}: the child did not finish within {:?}",
                HOSTILE_LIMIT * 3
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let output = child.wait_with_output().expect("child output");
    assert!(
        status.success(),
        "{name}: the child failed ({status}): a crash (stack overflow, abort) or a failed check\n\
         --- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Analyse a hostile input: it must come back within the bound; return what it said.
#[track_caller]
fn hostile(text: &str) -> Script {
    let start = Instant::now();
    let script = analyze_bounded(text, HOSTILE_LIMIT).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "{} bytes in {:?}: {} commands, unknowns {:?}",
        text.len(),
        start.elapsed(),
        script.commands.len(),
        script.unknowns.iter().map(|u| u.kind).collect::<Vec<_>>()
    );
    script
}

/// A hostile input that must be refused.
#[track_caller]
fn refused(text: &str) {
    let script = hostile(text);
    assert!(
        script.cannot_be_checked(),
        "not refused: {:?}\n{:?}",
        preview(text),
        script.unknowns
    );
}

macro_rules! hostile_tests {
    ($($name:ident => $body:block)*) => {
        $(
            #[test]
            fn $name() {
                in_child(stringify!($name), || $body);
            }
        )*
    };
}

hostile_tests! {
    // brush-parser's tokenizer loops forever on these (bake-off §4).
    brush_hang_heredoc_in_substitution => { refused("$(<<\t\t"); }
    brush_hang_heredoc_delimiter_substitution => { refused("cat <<$( (#"); }
    brush_hang_arith_heredoc => { refused("<<E$[\t\t"); }
    // shuck-parser panicked once on this (a char-boundary slice).
    shuck_char_boundary_panic => { refused("${\\`$(}`é"); }
    shuck_char_boundary_variants => {
        for text in ["${`$(}`é", "${\\`$(}`éé", "$(${\\`$(}`é)", "\"${\\`$(}`é\""] {
            hostile(text);
        }
    }
    // conch-parser and yash-syntax panicked on these.
    conch_heredoc_backslash => { hostile("<<F\n\\"); }
    // bash rejects this; guardsh accepts it as the word `${` (harmless: nothing runs).
    yash_open_brace => { hostile("echo ${"); }
    nested_command_substitutions_100k => {
        refused(&format!("{}rm -rf /{}", "$(".repeat(100_000), ")".repeat(100_000)));
    }
    unclosed_command_substitutions_100k => { refused(&"$(".repeat(100_000)); }
    nested_groups_100k => {
        refused(&format!("{}rm -rf /;{}", "{ ".repeat(100_000), " };".repeat(100_000)));
    }
    nested_subshells_100k => { refused(&"(".repeat(100_000)); }
    nested_parameter_operands_100k => {
        refused(&format!("echo {}x{}", "${x:-".repeat(100_000), "}".repeat(100_000)));
    }
    nested_arithmetic_100k => {
        refused(&format!("echo $(({}1{}))", "(".repeat(100_000), ")".repeat(100_000)));
    }
    nested_backticks_100k => { hostile(&"`".repeat(100_000)); }
    nested_ifs_100k => {
        refused(&format!("{}ls{}", "if true; then ".repeat(100_000), "; fi".repeat(100_000)));
    }
    nested_whiles_100k => {
        refused(&format!("{}ls{}", "while :; do ".repeat(100_000), "; done".repeat(100_000)));
    }
    nested_cases_100k => {
        refused(&format!("{}ls{}", "case x in x) ".repeat(100_000), ";; esac".repeat(100_000)));
    }
    // A chain of `time`/`coproc` prefixes recursed in the grammar without a depth check:
    // a few hundred overflowed the stack (a 1 KB line crashed guardsh).
    time_prefixes_100k => { refused(&format!("{}rm -rf /", "time ".repeat(100_000))); }
    time_prefixes_300 => { refused(&format!("{}rm -rf /", "time -p ".repeat(300))); }
    coproc_prefixes_100k => { refused(&format!("{}rm -rf /", "coproc ".repeat(100_000))); }
    negations_100k => { hostile(&format!("{}rm -rf /", "! ".repeat(100_000))); }
    and_chain_100k => { refused(&format!("ls{}", " && rm -rf /".repeat(100_000))); }
    pipeline_100k_stages => {
        let script = hostile(&format!("ls{}", " | rm -rf /".repeat(100_000)));
        // Either refused or every stage reported: nothing in between.
        assert!(
            script.cannot_be_checked() || script.commands.len() == 100_001,
            "{} commands", script.commands.len()
        );
    }
    one_megabyte_of_commands => {
        let text = "ls; ".repeat((1 << 20) / 4);
        // 262,144 commands: over max_commands, so refused rather than half-checked.
        refused(&text);
    }
    many_commands_under_the_limit => {
        let script = hostile(&"ls; rm -rf /\n".repeat(50_000));
        assert!(!script.cannot_be_checked(), "{:?}", script.unknowns);
        assert_eq!(script.commands.len(), 100_000);
    }
    one_megabyte_word => {
        let word = "a".repeat(1 << 20);
        let script = hostile(&format!("rm {word}"));
        assert!(!script.cannot_be_checked());
        assert_eq!(script.commands[0].argv[1].text.len(), 1 << 20);
    }
    one_megabyte_quoted_word => {
        let script = hostile(&format!("rm '{}'", "a b".repeat(1 << 18)));
        assert_eq!(script.commands[0].argv.len(), 2);
    }
    one_megabyte_unterminated_quote => { refused(&format!("echo '{}", "x".repeat(1 << 20))); }
    one_megabyte_of_backslashes => { hostile(&"\\".repeat(1 << 20)); }
    many_heredocs => {
        let script = hostile(&"cat <<EOF\n$(rm -rf /)\nEOF\n".repeat(20_000));
        assert!(!script.cannot_be_checked(), "{:?}", script.unknowns);
        assert_eq!(script.commands.len(), 40_000);
    }
    over_the_input_limit => {
        let text = "x".repeat(Limits::default().max_input_bytes + 1);
        let script = hostile(&text);
        assert!(script.unknowns.iter().any(|u| u.kind == UnknownKind::Limit));
    }
    random_bytes_lossily_decoded => {
        let mut rng = SplitMix64(0x5eed_0001);
        for _ in 0..2_000 {
            let bytes = rng.bytes(512);
            hostile_quiet(&String::from_utf8_lossy(&bytes));
        }
    }
    invalid_utf8_in_command_position => {
        let text = String::from_utf8_lossy(b"\xff\xfe -rf /").into_owned();
        let script = hostile(&text);
        assert!(
            script.cannot_be_checked()
                || script.unknowns.iter().any(|u| u.kind == UnknownKind::DynamicProgram),
            "{:?}", script
        );
    }
}

/// Like [`hostile`], without the per-input line.
fn hostile_quiet(text: &str) -> Script {
    analyze_bounded(text, HOSTILE_LIMIT).unwrap_or_else(|e| panic!("{e}"))
}

// ---------------------------------------------------------------------------------------------
// The long run.

impl SplitMix64 {
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }

    /// One input: a third random bytes (lossily decoded), two thirds token soup, sometimes
    /// with a random byte run spliced in.
    fn input(&mut self) -> String {
        match self.below(3) {
            0 => String::from_utf8_lossy(&self.bytes(64)).into_owned(),
            _ => {
                let n = self.below(48);
                let mut s = String::new();
                for _ in 0..n {
                    s.push_str(TOKENS[self.below(TOKENS.len())]);
                }
                if self.below(8) == 0 {
                    s.push_str(&String::from_utf8_lossy(&self.bytes(8)));
                }
                s
            }
        }
    }
}

/// Cases and seed for a long run, from the environment.
fn run_size(default_cases: u64) -> (u64, u64) {
    let cases: u64 = std::env::var("GUARDSH_FUZZ_CASES")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default_cases);
    let seed: u64 = std::env::var("GUARDSH_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x6775_6172_6473_6821);
    (cases, seed)
}

/// What one fuzz target reports about one input.
#[derive(Default)]
struct Seen {
    refused: bool,
    internal: bool,
    commands: u64,
}

/// Run `target` on `cases` inputs from `generate`, with a watchdog: a case over the bound
/// ends the whole process with the input printed (a hung thread cannot be stopped any other
/// way), and any panic fails the run.
fn fuzz(
    name: &str,
    cases: u64,
    seed: u64,
    mut generate: impl FnMut(&mut SplitMix64) -> String,
    target: impl Fn(&str) -> Seen,
) {
    let current = Arc::new(Mutex::new(String::new()));
    let started_ms = Arc::new(AtomicU64::new(u64::MAX));
    let done = Arc::new(AtomicBool::new(false));
    let epoch = Instant::now();
    let watchdog = {
        let (current, started_ms, done) = (current.clone(), started_ms.clone(), done.clone());
        let name = name.to_string();
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                let since = started_ms.load(Ordering::Relaxed);
                let now = epoch.elapsed().as_millis() as u64;
                if since != u64::MAX && now.saturating_sub(since) > WATCHDOG.as_millis() as u64 {
                    let input = current.lock().map(|s| s.clone()).unwrap_or_default();
                    eprintln!(
                        "{name}: HANG: one input took over {WATCHDOG:?}: {:?}",
                        preview(&input)
                    );
                    std::process::exit(101);
                }
            }
        })
    };

    let mut rng = SplitMix64(seed);
    let mut panics: Vec<String> = Vec::new();
    let mut refused = 0u64;
    // Panics an adapter caught itself (reported as `Internal`, so refused): still findings,
    // listed but not failed on.
    let mut internal: Vec<String> = Vec::new();
    let mut commands = 0u64;
    let mut slowest = (Duration::ZERO, String::new());
    let start = Instant::now();
    for _ in 0..cases {
        let input = generate(&mut rng);
        if let Ok(mut c) = current.lock() {
            c.clone_from(&input);
        }
        let t = Instant::now();
        started_ms.store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
        let result = catch_unwind(AssertUnwindSafe(|| target(&input)));
        started_ms.store(u64::MAX, Ordering::Relaxed);
        let took = t.elapsed();
        if took > slowest.0 {
            slowest = (took, input.clone());
        }
        match result {
            Ok(seen) => {
                refused += u64::from(seen.refused);
                commands += seen.commands;
                if seen.internal {
                    internal.push(input);
                }
            }
            Err(_) => panics.push(input),
        }
    }
    let elapsed = start.elapsed();
    done.store(true, Ordering::Relaxed);
    let _ = watchdog.join();
    println!(
        "{name}: {cases} inputs (seed {seed:#x}) in {elapsed:.1?}: {} panics, 0 hangs over \
         {WATCHDOG:?}; {} internal errors caught; {refused} refused, {commands} commands; \
         slowest {:.1?} on {:?}",
        panics.len(),
        internal.len(),
        slowest.0,
        preview(&slowest.1)
    );
    for input in internal.iter().take(5) {
        println!("{name}: internal error on {:?}", preview(input));
    }
    assert!(
        panics.is_empty(),
        "{name} panicked on {} inputs, e.g. {:?}",
        panics.len(),
        panics.iter().take(5).collect::<Vec<_>>()
    );
}

fn analysed(script: &Script) -> Seen {
    Seen {
        refused: script.cannot_be_checked(),
        internal: script
            .unknowns
            .iter()
            .any(|u| u.kind == UnknownKind::Internal),
        commands: script.commands.len() as u64,
    }
}

#[test]
#[ignore = "long fuzz run; .ci/run runs it with a bounded count"]
fn fuzz_many() {
    let (cases, seed) = run_size(1_000_000);
    fuzz("fuzz_many", cases, seed, SplitMix64::input, |text| {
        analysed(&analyze(text))
    });
}

// ---------------------------------------------------------------------------------------------
// The readers behind the rules: SQL, HTTP bodies, interpreter code, the pack loader, the
// config file and a shell's argv, each fed the pieces it is subtle about.

const SQL: &[&str] = &[
    " ",
    "\n",
    ";",
    "'",
    "\"",
    "`",
    "--",
    "/*",
    "*/",
    "$$",
    "$tag$",
    "(",
    ")",
    ",",
    "DROP",
    "DATABASE",
    "TABLE",
    "SCHEMA",
    "TRUNCATE",
    "DELETE",
    "FROM",
    "UPDATE",
    "SET",
    "WHERE",
    "1=1",
    "true",
    "OR",
    "AND",
    "IN",
    "SELECT",
    "ALTER",
    "ADD",
    "COLUMN",
    "BEGIN",
    "ROLLBACK",
    "COMMIT",
    "WITH",
    "x",
    "t",
    "\\",
    "\\c",
    "\\i",
    "db.users.deleteMany({})",
    "db.dropDatabase()",
    "FLUSHALL",
    "FLUSHDB",
    "{",
    "}",
    "é",
    "\u{0}",
    "EXPLAIN",
    "CREATE",
    "INSERT",
    "INTO",
    "VALUES",
    "RETURNING",
    "CASCADE",
    "IF EXISTS",
];

const BODY: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "\\u0044",
    "\\\"",
    "query",
    "mutation",
    "operationName",
    "volumeDelete",
    "projectDelete",
    "(",
    ")",
    "id:",
    "$id",
    "...",
    "fragment",
    "on",
    "x",
    "variables",
    " ",
    "\n",
    "#",
    "@",
    "null",
    "true",
    "1",
    "\\n",
    "'",
    "query=",
    "&",
    "=",
];

const CODE: &[&str] = &[
    "import shutil;",
    "shutil.rmtree(",
    "os.system(",
    "subprocess.run(",
    "require('fs')",
    ".rmSync(",
    "{recursive: true}",
    "execSync(",
    "system(",
    "`",
    "qx(",
    "%x(",
    "FileUtils.rm_rf",
    "\"",
    "'",
    "(",
    ")",
    "[",
    "]",
    ",",
    "/",
    "~",
    "process.env.HOME",
    "Path.home()",
    " ",
    "\n",
    "#",
    "//",
    "rm -rf /",
    "x",
    "f\"",
    "{x}",
    "${",
    "\\",
    "as",
    "from shutil import rmtree",
];

const YAML: &[&str] = &[
    "pack: p\n",
    "description: d\n",
    "rules:\n",
    "  - id: a\n",
    "    program: rm\n",
    "    path: [x, \"y|z\"]\n",
    "    when:\n",
    "      flags_any: [-r]\n",
    "      sql: [drop_table]\n",
    "      operand_class: [root]\n",
    "      http: {mutations: [\"*Delete*\"]}\n",
    "      env: [\"A=*\"]\n",
    "      option_value: [\"--x=*\"]\n",
    "    severity: deny\n",
    "    message: m\n",
    "    suggestion: s\n",
    "    examples: {block: [x]}\n",
    "programs:\n",
    "  rm: {aliases: [r]}\n",
    ":",
    "-",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "&a",
    "*a",
    "!!str",
    " ",
    "\n",
    "\t",
    "#",
    "|\n",
    ">\n",
    "~",
    "null",
];

/// A valid pack, to mutate: most random soups fail at the first line, which tests little.
const BASE_PACK: &str = r#"pack: p
description: d
programs:
  rm: {aliases: [r], options_with_value: [-x]}
rules:
  - id: p.a
    program: [rm, r]
    path: ["x|y"]
    when:
      flags_any: [-r]
      operand_class: [root, home]
      option_value: ["--x=*"]
      env: ["A=*"]
    severity: deny
    message: m
    suggestion: s
    examples:
      block: [rm x -r /]
      allow: [rm y]
"#;

/// The valid pack with a few random tokens spliced in at random places.
fn mutated_pack(rng: &mut SplitMix64) -> String {
    let mut s = BASE_PACK.to_string();
    for _ in 0..rng.below(4) {
        let mut at = rng.below(s.len() + 1);
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.insert_str(at, YAML[rng.below(YAML.len())]);
    }
    s
}

fn soup(rng: &mut SplitMix64, tokens: &[&str], max: usize) -> String {
    let n = rng.below(max);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(tokens[rng.below(tokens.len())]);
    }
    if rng.below(8) == 0 {
        s.push_str(&String::from_utf8_lossy(&rng.bytes(8)));
    }
    s
}

/// Wrap `payload` as one argument of `template` (`{}` marks where), single-quoted for the
/// shell so the reader behind the rules sees it as written.
fn wrapped(template: &str, payload: &str) -> String {
    template.replace("{}", &shell_words::quote(payload))
}

fn decided(line: &str) -> Seen {
    let input = guardsh::input::Input::from_bytes(line.as_bytes().to_vec(), false);
    match guardsh::check::verdict_for(&input, &Limits::default()) {
        Ok(v) => Seen {
            refused: v.decision >= guardsh::decision::Decision::Confirm,
            internal: v.unknown.iter().any(|u| u.kind == UnknownKind::Internal),
            commands: v.matches.len() as u64,
        },
        Err(e) => panic!("built-in packs failed to load: {e}"),
    }
}

#[test]
#[ignore = "long fuzz run; .ci/run runs it with a bounded count"]
fn fuzz_payload_readers() {
    let (cases, seed) = run_size(250_000);
    let clients = [
        "psql -c {}",
        "mysql -e {}",
        "sqlite3 app.db {}",
        "mongosh app --eval {}",
        "redis-cli {}",
        "clickhouse-client --query {}",
        "psql <<< {}",
    ];
    fuzz(
        "fuzz_sql",
        cases,
        seed,
        |rng| {
            let t = clients[rng.below(clients.len())];
            wrapped(t, &soup(rng, SQL, 40))
        },
        decided,
    );
    let senders = [
        "curl https://backboard.railway.com/graphql/v2 -d {}",
        "curl -X POST https://api.example.com/graphql --data-raw {}",
        "http POST https://backboard.railway.app/graphql/v2 query={}",
        "gh api graphql -f query={}",
        "wget --post-data={} https://backboard.railway.com/graphql/v2",
    ];
    fuzz(
        "fuzz_http",
        cases,
        seed ^ 1,
        |rng| {
            let t = senders[rng.below(senders.len())];
            wrapped(t, &soup(rng, BODY, 48))
        },
        decided,
    );
    let interpreters = [
        "python3 -c {}",
        "node -e {}",
        "perl -e {}",
        "ruby -e {}",
        "bun -e {}",
    ];
    fuzz(
        "fuzz_code",
        cases,
        seed ^ 2,
        |rng| {
            let t = interpreters[rng.below(interpreters.len())];
            wrapped(t, &soup(rng, CODE, 32))
        },
        decided,
    );
}

#[test]
#[ignore = "long fuzz run; .ci/run runs it with a bounded count"]
fn fuzz_loaders() {
    let (cases, seed) = run_size(250_000);
    fuzz("fuzz_pack_loader", cases, seed ^ 3, mutated_pack, |text| {
        let refused = guardsh::rules::load_pack(text, "fuzz.yaml")
            .and_then(|p| guardsh::rules::RuleSet::new(vec![(p, "fuzz.yaml".to_string())]))
            .is_err();
        Seen {
            refused,
            ..Seen::default()
        }
    });
    fuzz(
        "fuzz_config",
        cases,
        seed ^ 4,
        |rng| soup(rng, YAML, 16),
        |text| {
            let refused =
                guardsh::config::parse(text, std::path::Path::new("config.yaml")).is_err();
            Seen {
                refused,
                ..Seen::default()
            }
        },
    );
    fuzz(
        "fuzz_shell_argv",
        cases,
        seed ^ 5,
        |rng| soup(rng, TOKENS, 12),
        |text| {
            let args: Vec<std::ffi::OsString> = text.split(' ').map(Into::into).collect();
            let inv = guardsh::sh_args::read("bash".into(), args, false);
            Seen {
                refused: matches!(inv.source, guardsh::sh_args::Source::Info),
                ..Seen::default()
            }
        },
    );
}

/// One payload per agent, shaped as its documentation shows; the fuzz mutates these.
const HOOK_PAYLOADS: &[(&str, &str)] = &[
    (
        "claude-code",
        r#"{"session_id":"s","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"CMD","description":"d"}}"#,
    ),
    (
        "cursor",
        r#"{"hook_event_name":"beforeShellExecution","command":"CMD","cwd":"/tmp","conversation_id":"c"}"#,
    ),
    (
        "codex",
        r#"{"hook_event_name":"PreToolUse","tool_name":"shell","tool_input":{"command":["bash","-lc","CMD"]},"cwd":"/tmp"}"#,
    ),
    (
        "gemini",
        r#"{"hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"CMD"},"cwd":"/tmp"}"#,
    ),
    (
        "copilot",
        r#"{"timestamp":1,"cwd":"/tmp","toolName":"bash","toolArgs":"{\"command\":\"CMD\"}"}"#,
    ),
    (
        "windsurf",
        r#"{"agent_action_name":"pre_run_command","tool_info":{"command_line":"CMD","cwd":"/tmp"}}"#,
    ),
    (
        "cline",
        r#"{"hookName":"PreToolUse","preToolUse":{"toolName":"execute_command","parameters":{"command":"CMD"}}}"#,
    ),
];

#[test]
#[ignore = "long fuzz run; .ci/run runs it with a bounded count"]
fn fuzz_hooks() {
    use clap::ValueEnum as _;
    let (cases, seed) = run_size(250_000);
    for (k, (name, payload)) in HOOK_PAYLOADS.iter().enumerate() {
        let agent = guardsh::cli::Agent::from_str(name, true).expect("an agent");
        let generate = |rng: &mut SplitMix64| {
            // The command: shell soup, escaped for JSON (or not, sometimes).
            let cmd = soup(rng, TOKENS, 12);
            let escaped = serde_json::to_string(&cmd).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            let mut s = payload.replace("CMD", if rng.below(8) == 0 { &cmd } else { escaped });
            for _ in 0..rng.below(4) {
                let mut at = rng.below(s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                s.insert_str(at, BODY[rng.below(BODY.len())]);
            }
            s
        };
        fuzz(
            &format!("fuzz_hook_{name}"),
            cases / 7 + 1,
            seed ^ (10 + k as u64),
            generate,
            |text| {
                let mut out = Vec::new();
                let mut err = Vec::new();
                let code = guardsh::hooks::execute(agent, &mut text.as_bytes(), &mut out, &mut err);
                let err = String::from_utf8_lossy(&err);
                // The hook catches its own panics and refuses; for the fuzz, that is a crash.
                assert!(!err.contains("failed inside"), "{err}");
                Seen {
                    refused: code != 0 || !out.is_empty(),
                    ..Seen::default()
                }
            },
        );
    }
}
