//! Differential test against real bash: what guardsh says a line runs must cover what bash
//! actually runs.
//!
//! Each line is run with `bash -c LINE` in a scratch directory whose PATH starts with
//! argv-recording shims named after the programs the lines use (`rm`, `railway`, `git`,
//! `psql`, …). A shim appends its argv (and, for `psql`, its standard input) to a log and
//! does nothing else, so no line can run a real destructive program: lines use only shimmed
//! programs, harmless builtins, and relative paths inside the scratch directory. Never use a
//! program by absolute path, `env -i` or `command -p`: they skip the shims on PATH.
//!
//! Then, per line:
//! - every recorded argv must be matched by a command guardsh reports (a word guardsh marks as
//!   expanding, e.g. `"$1"`, `*.txt`, `~/x`, matches any run of zero or more arguments), or,
//!   for lines declared `unknown`, be covered by an unknown guardsh reported;
//! - for lines declared `once` (everything written runs exactly once), the commands guardsh
//!   reports for shimmed programs must pair up one-to-one with the recorded ones: nothing
//!   missing, nothing extra;
//! - for `psql`, the recorded standard input must equal the heredoc or here-string body
//!   guardsh attached to the command, when that body is literal.
//!
//! Brace expansion: guardsh expands literal brace words itself (`rm {a,b}.txt` is reported as
//! `rm a.txt b.txt`), so those words are compared exactly, no special case.
//!
//! Without `bash` on PATH the tests print why and return.

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::SplitMix64;
use guardsh::parse::{Command, Limits, RedirectKind, Script, program_name};

mod common;

/// Programs replaced by recording shims.
const SHIMS: &[&str] = &[
    "rm",
    "railway",
    "git",
    "psql",
    "kubectl",
    "terraform",
    "curl",
    "dropdb",
    "mytool",
];

/// The shim: record `$#`, the program name and every argument, each NUL-terminated, in a
/// file of its own (so concurrent stages never interleave); `psql` also records its stdin.
const SHIM_SCRIPT: &str = r#"#!/bin/sh
# guardsh differential-test shim: record argv, do nothing else.
f=$(mktemp "$GUARDSH_DIFF_LOG/rec.XXXXXXXX") || exit 99
printf '%s\000' "$#" "${0##*/}" "$@" > "$f"
case "${0##*/}" in psql) cat > "$f.stdin" ;; esac
exit 0
"#;

/// How a line is checked.
#[derive(Clone, Copy)]
struct Case {
    line: &'static str,
    /// Everything written runs exactly once: guardsh's shimmed commands must equal bash's.
    once: bool,
    /// A recorded command may be covered by an unknown guardsh reports (`$b rm …`).
    unknown: bool,
}

/// A line where every command written runs exactly once.
const fn once(line: &'static str) -> Case {
    Case {
        line,
        once: true,
        unknown: false,
    }
}

/// A line with loops, short-circuits or branches not taken.
const fn runs(line: &'static str) -> Case {
    Case {
        line,
        once: false,
        unknown: false,
    }
}

/// A line whose program guardsh cannot know, and says so.
const fn unknown(line: &'static str) -> Case {
    Case {
        line,
        once: false,
        unknown: true,
    }
}

const QUOTING: &[Case] = &[
    once("r''ailway volume delete vol-1 --yes"),
    once("\"rail\"way up"),
    once("\\rm -rf ./build"),
    once("$'\\x72m' -rf ./build"),
    once("$'\\162\\155' -f a.txt"),
    once("'rm' -f q1; \"r\"m -f q2; r\\m -f q3"),
    once("mytool \"a\\\"b\" 'c\\d' e\\ f a'b'\"c\""),
    once("rail\\\nway volume delete v"),
    once("mytool \"a\\\nb\" 'x\\\ny' c\\\nd"),
    once("mytool $'tab\\there' $'nl\\nx' $'q\\'s' $'\\u00e9' $'a\\x00b' $'\\e[0m'"),
    once("mytool $\"hello\" \"$'x'\" '$(rm -f no)'"),
    once("git commit -m \"rm -rf ./x\" && mytool 'DROP DATABASE x'"),
    once("mytool a#b #c rm -rf ./x"),
    once("mytool a\\;b; rm -f x"),
    once("mytool \"tab\tinside\" 'héllo' '' \"\" x"),
    once("mytool x\r\nrm -f y\r"),
    once("mytool \\$HOME '$HOME' \"\\$HOME\" \"\\x\""),
    once("mytool {a,b}.txt x{1..3} '{c,d}' \\{e,f\\} {g} {h,i}{j,k}"),
    once("mytool ~/x \"~/y\" a~b"),
    once("mytool *.txt \"*.txt\" \\*"),
    once("mytool \"`echo x`\" \"a\\`b\""),
    once("mytool \"a\\$\" \"\\$\\$\" \"$HOME\\$\" \"\\$\"; psql -c \"DROP DATABASE x; -- \\$\""),
    once("mytool $'\\cA' $'\\x7' $'\\xZZ' $'\\0101' $'\\u' $'\\U0001F600' $'\\x41\\x'"),
    once("mytool 'it'\\''s' ''\"'\"'' \"a\\\\b\" 'a\\\\b' a\\\\b \"\\a\\n\""),
    once("mytool é ß 日本 --opt=\\\"x\\\" a #b"),
    once("mytool\ta\t\tb \\"),
    once("mytool a\\\nb c\\\n\\\nd"),
    once("mytool [abc] [ ] a]b"),
    unknown("{git,status}"),
];

const LISTS: &[Case] = &[
    runs("true && rm -f a || git status; mytool end"),
    once("false || rm -f a && git status"),
    once("mytool a | git b | rm c"),
    once("mytool a |& git b"),
    once("( cd sub && rm -f c.log ); { git push --force; }"),
    once("rm -f bg & wait"),
    runs("f() { rm -rf \"$1\"; }; f dir1; f dir2"),
    once("function g { git clean -fdx; }; g"),
    once("h() ( kubectl get pods ); h"),
    runs("for i in 1 2; do kubectl delete ns prod-$i; done"),
    runs("i=0; while test $i -lt 2; do terraform destroy -target=x$i; i=$((i+1)); done"),
    runs("until true; do rm never; done; mytool after"),
    runs("if true; then rm -f a; elif false; then git x; else git y; fi"),
    runs("if false; then rm -f a; elif true; then git x; else git y; fi"),
    runs("case deploy in d*) kubectl apply -f x;; *) rm -rf ./nope;; esac"),
    once("[[ -n $(mytool in-test) ]] || rm -f ok"),
    once("(( $(mytool one) + 1 )); rm -f arith"),
    once("echo ${x:-$(mytool dflt)} >/dev/null"),
    once("echo $(( $(mytool two) + 3 )) >/dev/null"),
    runs("select x in a; do rm -f sel; break; done 2>/dev/null"),
    once("! rm -f neg; time git status 2>/dev/null"),
    runs("for ((i=0; i<$(mytool bound; echo 1); i++)); do rm -f \"n$i\"; done"),
    once("coproc mytool co; wait"),
    once("mytool a & git b & wait"),
    once("mytool a # rm -f c\nrm -f b"),
    once("{ mytool a; } | { git b; rm -f c; }"),
    once("( ( rm -f nested ) ); if ! rm -f x; then :; fi"),
    runs("mytool a && { git b || rm -f c; }"),
    once("mytool a 2>&1 | git b >&2 2>/dev/null"),
];

const SUBSTITUTIONS: &[Case] = &[
    once("mytool \"$(git rev-parse HEAD)\" `rm -f tick`"),
    once("cat <(curl -s https://example.invalid/x) >/dev/null"),
    once("mytool >(git log) <(rm -f ps); wait"),
    once("x=$(railway volume list); mytool \"$x\""),
    once("mytool \"a $(mytool \"b $(rm -f deep) c\") d\""),
    once("mytool $(echo $(echo $(rm -f three)))"),
    once("mytool $(echo ')'; rm -f paren)"),
    once("mytool $(case x in x) rm -f incase;; esac)"),
    once("read -r x <<< \"$(git status)\"; mytool \"$x\""),
    once("for x in $(mytool list); do :; done; case $(rm -f subj) in *) ;; esac"),
    once("a[$(rm -f sub)]=1"),
];

const HEREDOCS: &[Case] = &[
    once("psql <<'EOF'\nDROP DATABASE prod;\nEOF"),
    once("DB=prod; psql <<EOF\nDROP DATABASE $DB;\nEOF\n"),
    once("psql <<-EOF\n\tSELECT 1;\n\t\tSELECT 2;\n\tEOF\n"),
    once("psql <<EOF\nsay \\$x \\`y\\` \\\\ \\q \"z\"\nEOF\n"),
    once("psql <<< \"DROP TABLE users\""),
    once("cat >/dev/null <<EOF\n$(rm -f hd)\nEOF"),
    once("cat >/dev/null <<EOF\nx ${y:-$(rm -f hd2)} `git status`\nEOF"),
    once("cat >/dev/null <<'EOF'\n$(rm -f nothd)\nEOF\nmytool after"),
    once("cat >/dev/null <<EOF\n\\$(rm -f escaped)\nEOF\n"),
    once("cat <<EOF >/dev/null; rm -f after\nbody\nEOF"),
    once("x=$(cat <<EOF\n)\nEOF\n); rm -f afterparen"),
    once("mytool \"$(cat <<'EOF'\nfix: rm -rf handling\nEOF\n)\""),
    runs("while read -r l; do rm -f \"$l\"; done <<EOF\nh1\nh2\nEOF\n"),
];

const VARIABLES: &[Case] = &[
    once("a=rm; $a -f var"),
    once("a=\"rm -f\"; $a split"),
    once("a='git status'; \"$a\" 2>/dev/null; mytool after"),
    once("export T=terraform; $T plan"),
    once("a=rm; b=\"$a\"; mytool \"$b\" $b"),
    once("x=1 y=2; mytool \"$x$y\""),
    once("VAR=x FOO=\"a b\" mytool \"$FOO\""),
    unknown("$b rm -f empty-var"),
    unknown("arr=(rm -f arr); \"${arr[@]}\""),
    unknown("a=git; a=rm; $a -f twice"),
    unknown("$(echo rm) -f subst"),
    once("a=rm; ${a} -f braced; \"${a}\" -f quoted"),
    once("a=rm b=git; $a -f x; $b y"),
    once("f=-f; rm $f x"),
    once("a=$'\\x72m'; $a -f ansi"),
    // Used before it is assigned: bash runs `-f x`, guardsh over-reports `rm -f x` (safe).
    runs("$a -f x 2>/dev/null; a=rm"),
    unknown("set -- rm -f pos; \"$@\""),
    unknown("a=git; f() { local a=rm; $a -f x; }; f"),
];

/// Values written as data that bash evaluates as code: an array subscript in a variable's
/// value runs its substitution when the variable reaches arithmetic or names a variable
/// (issue 15, class 1).
const EVALUATED: &[Case] = &[
    once("v='a[$(mytool arith)]'; (( v ))"),
    once("v='a[$(mytool expansion)]'; : $(( v ))"),
    once("v='a[$(mytool testv)]'; test -v \"$v\""),
    once("v='a[$(mytool indirect)]'; : ${!v}"),
    once("x='a[$(mytool cond)]'; [[ $x -eq 0 ]]"),
    // guardsh reads the value both as declare's assignment and as a name: twice (safe).
    runs("declare -n r='a[$(mytool nameref)]'; : $r"),
    once("n='a[$(mytool let)]'; let n"),
    once("printf -v 'a[$(mytool printfv)]' %s 1"),
    once("read 'a[$(mytool read)]' <<< 1"),
    once("(( $(mytool direct) + 1 )) || true"),
    once("a=(1 2); : ${a[$(mytool subscript)]}"),
];

#[test]
fn values_bash_evaluates_match_bash() {
    run_cases("evaluated", EVALUATED);
}

/// Nested shells and wrappers: these need `unwrap` to re-parse and peel.
const NESTED: &[Case] = &[
    once("bash -c \"rm -f nested\""),
    once("bash -c 'git status; bash -c \"rm -f deeper\"'"),
    once("eval \"rm -f evald\""),
    once("eval 'mytool \"a b\"' c"),
    once("sh -c 'rm -f \"$0\" \"$1\"' one two"),
    runs("printf '%s\\n' a.txt b.txt | xargs rm -f"),
    runs("find . -name '*.txt' -exec rm -f {} +"),
    runs("find . -name '*.txt' -exec git add {} \\;"),
    once("env FOO=1 mytool envd"),
    once("command rm -f cmd"),
    once("nohup rm -f nh >/dev/null 2>&1"),
    once("timeout 5 rm -f to"),
    once("bash <<'EOF'\nrm -f viaheredoc\nEOF"),
    once("exec mytool last"),
    once("exec -a name rm -f execa"),
    once("nice -n 5 rm -f niced; env -u HOME mytool envu"),
    runs("printf '%s\\n' a.txt | xargs -I{} rm -f {}"),
    runs("find . -name '*.txt' -exec sh -c 'rm -f \"$1\"' _ {} \\;"),
    runs("printf '%s\\n' a.txt b.txt | xargs sh -c 'rm -f \"$@\"' _"),
    once("sh -c 'eval \"rm -f deep-eval\"'"),
    once("bash -s <<< 'rm -f stdin-script'"),
    once("bash -euo pipefail -c 'git status && rm -f opts'"),
    unknown("echo 'rm -f piped' | bash"),
    unknown("eval \"$(echo rm -f dyn)\""),
];

/// Lines where guardsh is known to differ from bash today (see the report in the commit that
/// added them). Run with `--ignored`; move a line up to its group when it passes.
/// Lines the grammar alone gets wrong and guardsh works around (parse/grammar.rs): they
/// stay here so that a parser upgrade that changes the workaround is caught.
const WORKED_AROUND: &[Case] = &[
    // `[` is the test command, not a glob: a lone `[` must not make the program unknown.
    runs("i=0; while [ $i -lt 2 ]; do terraform destroy -target=x$i; i=$((i+1)); done"),
    // `$'\c?'` is DEL (0x7f) in bash, not 0x1f.
    once("mytool $'\\c?'"),
    // The second heredoc on one line is read as quoted: `$(…)` in its body is missed.
    once("cat >/dev/null <<A <<B\na $(rm -f first)\nA\nb $(rm -f second)\nB\n"),
    once("cat >/dev/null <<A; cat >/dev/null <<B\na\nA\nb $(git status)\nB\n"),
    // Backslash-newline in an unquoted heredoc body is a line continuation: bash removes it.
    once("psql <<EOF\nDROP DATA\\\nBASE x;\nEOF\n"),
    // The variable resolver trusts one literal assignment, but other builtins assign too,
    // and IFS changes how an unquoted expansion splits: bash runs `rm`, guardsh says `git`.
    unknown("a=git; read a <<< rm; $a -f read"),
    unknown("a=git; for a in rm; do $a -f for; done"),
    unknown("a=git; printf -v a rm; $a -f printf"),
    unknown("a=git; unset a; : ${a:=rm}; $a -f default"),
    unknown("a=\"rm:-f:ifs\"; IFS=:; $a"),
    // `${x@P}` expands the value like a prompt, which runs its command substitutions.
    unknown("x='$(rm -f prompt)'; echo \"${x@P}\" >/dev/null"),
];

/// Trap actions: scripts that run later in the same shell, read by unwrap like `eval`.
const TRAPS: &[Case] = &[
    // A trap's text runs later (here at exit): it is a script like `eval`'s.
    unknown("trap 'rm -f trapped' EXIT"),
    unknown("trap \"git status\" ERR; false"),
];

#[test]
fn trap_actions_match_bash() {
    run_cases("traps", TRAPS);
}

#[test]
fn worked_around_parser_bugs_match_bash() {
    run_cases("worked-around", WORKED_AROUND);
}

#[test]
fn quoting_matches_bash() {
    run_cases("quoting", QUOTING);
}

#[test]
fn lists_and_compounds_match_bash() {
    run_cases("lists", LISTS);
}

#[test]
fn substitutions_match_bash() {
    run_cases("substitutions", SUBSTITUTIONS);
}

#[test]
fn heredocs_match_bash() {
    run_cases("heredocs", HEREDOCS);
}

#[test]
fn variables_match_bash() {
    run_cases("variables", VARIABLES);
}

#[test]
fn nested_shells_and_wrappers_match_bash() {
    run_cases("nested", NESTED);
}

// ---------------------------------------------------------------------------------------------
// The harness.

/// One recorded run of a shimmed program.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Record {
    argv: Vec<String>,
    stdin: Option<String>,
}

/// Run every case and fail once, listing every mismatch.
fn run_cases(group: &str, cases: &[Case]) {
    let Some(bash) = find_bash() else {
        eprintln!("SKIPPED differential/{group}: `bash` is not on PATH");
        return;
    };
    let scratch = Scratch::new(group);
    let shims = scratch.path.join("shims");
    fs::create_dir_all(&shims).expect("create shim dir");
    for name in SHIMS {
        write_executable(&shims.join(name), SHIM_SCRIPT);
    }
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let dir = scratch.path.join(format!("case{i}"));
        let records = run_bash(&bash, &shims, &dir, case.line);
        let script = guardsh::unwrap::analyze(case.line, &Limits::default());
        if let Err(why) = compare(case, &script, &records) {
            failures.push(format!(
                "line {:?}\n  {why}\n  bash ran:\n{}\n  guardsh said:\n{}",
                case.line,
                show_records(&records),
                show_script(&script)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} {group} lines differ from bash:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

fn compare(case: &Case, script: &Script, records: &[Record]) -> Result<(), String> {
    if script.cannot_be_checked() {
        return Err("guardsh cannot check a line bash runs".to_string());
    }
    if !case.unknown && !script.unknowns.is_empty() {
        return Err("guardsh reported unknowns on a line where everything is known".to_string());
    }
    let shimmed: Vec<&Command> = script
        .commands
        .iter()
        .filter(|c| {
            c.argv.first().is_some_and(|w| w.is_literal())
                && c.program().is_some_and(|p| SHIMS.contains(&p))
        })
        .collect();
    // An unknown (a dynamic program or script, a hidden script) covers what it hides; only
    // lines declared `unknown` may lean on that.
    let covered = case.unknown && script.unknowns.iter().any(|u| !u.kind.is_fatal());
    for r in records {
        let found = shimmed.iter().any(|c| matches_record(c, r));
        if !found && !covered {
            return Err(format!("bash ran {:?}, guardsh did not report it", r.argv));
        }
    }
    if case.once {
        if case.unknown {
            return Err("a case cannot be both `once` and `unknown`".to_string());
        }
        if !pair_up(&shimmed, records) {
            return Err(
                "the shimmed commands guardsh reports do not pair up one-to-one with what bash ran"
                    .to_string(),
            );
        }
    }
    Ok(())
}

/// True when guardsh's command describes this run: same program, same arguments, where an
/// expanding word stands for any run of arguments; for `psql`, the same standard input when
/// guardsh knows it literally.
fn matches_record(c: &Command, r: &Record) -> bool {
    if c.program() != r.argv.first().map(String::as_str) {
        return false;
    }
    if !args_match(&c.argv[1..], &r.argv[1..]) {
        return false;
    }
    match (&r.stdin, stdin_of(c)) {
        (Some(got), Some(Some(expected))) => *got == expected,
        _ => true,
    }
}

/// What guardsh says the command reads on stdin: `Some(Some(text))` when literal,
/// `Some(None)` when it depends on expansions, `None` when there is no body.
fn stdin_of(c: &Command) -> Option<Option<String>> {
    let r = c.redirects.iter().rev().find_map(|r| {
        let body = r.stdin_body()?;
        Some((r.kind, body))
    })?;
    let (kind, body) = r;
    if !body.is_literal() {
        return Some(None);
    }
    let mut text = body.text.clone();
    if kind == RedirectKind::HereString {
        text.push('\n');
    }
    Some(Some(text))
}

fn args_match(pattern: &[guardsh::parse::Word], args: &[String]) -> bool {
    // Classic wildcard matching: a literal word matches one equal argument, an expanding
    // word any run of zero or more arguments.
    let (n, m) = (pattern.len(), args.len());
    let mut ok = vec![vec![false; m + 1]; n + 1];
    ok[n][m] = true;
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            ok[i][j] = if pattern[i].is_literal() {
                j < m && pattern[i].text == args[j] && ok[i + 1][j + 1]
            } else {
                ok[i + 1][j] || (j < m && ok[i][j + 1])
            };
        }
    }
    ok[0][0]
}

/// A perfect matching between guardsh's commands and the recorded runs (small sizes: plain
/// backtracking).
fn pair_up(cmds: &[&Command], records: &[Record]) -> bool {
    if cmds.len() != records.len() {
        return false;
    }
    fn go(i: usize, cmds: &[&Command], records: &[Record], used: &mut [bool]) -> bool {
        if i == cmds.len() {
            return true;
        }
        for j in 0..records.len() {
            if !used[j] && matches_record(cmds[i], &records[j]) {
                used[j] = true;
                if go(i + 1, cmds, records, used) {
                    return true;
                }
                used[j] = false;
            }
        }
        false
    }
    go(0, cmds, records, &mut vec![false; records.len()])
}

/// Run `bash -c line` in a fresh directory with the shims first on PATH; return the runs
/// the shims recorded.
fn run_bash(bash: &Path, shims: &Path, dir: &Path, line: &str) -> Vec<Record> {
    let work = dir.join("work");
    let home = dir.join("home");
    let log = dir.join("log");
    for d in [&work, &home, &log, &work.join("sub")] {
        fs::create_dir_all(d).expect("create scratch dirs");
    }
    for f in ["a.txt", "b.txt", "sub/c.log", "notes.md"] {
        fs::write(work.join(f), "x\n").expect("write scratch file");
    }
    let path = match std::env::var_os("PATH") {
        Some(p) => {
            let mut all = vec![shims.to_path_buf()];
            all.extend(std::env::split_paths(&p));
            std::env::join_paths(all).expect("join PATH")
        }
        None => shims.as_os_str().to_owned(),
    };
    // Spawning is what this test is for; exec.rs's rule is about the library.
    #[allow(clippy::disallowed_methods)]
    let mut child = std::process::Command::new(bash)
        .arg("-c")
        .arg(line)
        .env_clear()
        .env("PATH", path)
        .env("HOME", &home)
        .env("LC_ALL", "C.UTF-8")
        .env("GUARDSH_DIFF_LOG", &log)
        .current_dir(&work)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bash");
    let start = Instant::now();
    loop {
        match child.try_wait().expect("wait for bash") {
            Some(_) => break,
            None if start.elapsed() > Duration::from_secs(20) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("bash did not finish within 20 s on {line:?}");
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    assert!(
        !err.contains("syntax error"),
        "bash rejected a test line {line:?}: {err}"
    );
    read_records(&log)
}

fn read_records(log: &Path) -> Vec<Record> {
    let mut records = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(log)
        .expect("read log dir")
        .map(|e| e.expect("log entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".stdin") {
            continue;
        }
        let bytes = fs::read(&path).expect("read record");
        let mut fields: Vec<String> = bytes
            .split(|b| *b == 0)
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        // Every field is NUL-terminated, so the split leaves one empty tail.
        assert_eq!(
            fields.pop().as_deref(),
            Some(""),
            "truncated record {path:?}"
        );
        let count: usize = fields[0].parse().expect("argument count");
        let argv = fields.split_off(1);
        assert_eq!(argv.len(), count + 1, "record {path:?} is incomplete");
        let stdin_path = path.with_file_name(format!("{name}.stdin"));
        let stdin = fs::read(&stdin_path)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        records.push(Record { argv, stdin });
    }
    records.sort();
    records
}

fn show_records(records: &[Record]) -> String {
    if records.is_empty() {
        return "    (nothing shimmed)".to_string();
    }
    records
        .iter()
        .map(|r| match &r.stdin {
            Some(s) => format!("    {:?} stdin={s:?}", r.argv),
            None => format!("    {:?}", r.argv),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn show_script(script: &Script) -> String {
    let mut lines = Vec::new();
    for c in &script.commands {
        let words: Vec<String> = c
            .argv
            .iter()
            .map(|w| {
                if w.is_literal() {
                    format!("{:?}", w.text)
                } else {
                    format!("{:?}*", w.text)
                }
            })
            .collect();
        let stdin = match stdin_of(c) {
            Some(Some(s)) => format!(" stdin={s:?}"),
            Some(None) => " stdin=(dynamic)".to_string(),
            None => String::new(),
        };
        lines.push(format!("    [{}]{stdin}", words.join(", ")));
    }
    for u in &script.unknowns {
        lines.push(format!("    unknown {:?}: {:?}", u.kind, u.text));
    }
    if lines.is_empty() {
        lines.push("    (nothing)".to_string());
    }
    lines.join("\n")
}

fn find_bash() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("bash"))
        .find(|p| p.is_file())
}

fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    fs::write(path, text).expect("write shim");
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod shim");
}

/// A scratch directory removed when the test ends.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new(group: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "guardsh-differential-{}-{group}-{n}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create scratch dir");
        Scratch { path }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

#[test]
fn the_matcher_treats_expanding_words_as_wildcards() {
    use guardsh::parse::Word;
    let dynamic = Word {
        dynamic: true,
        ..Word::literal("$x")
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert!(args_match(&[Word::literal("-f")], &s(&["-f"])));
    assert!(!args_match(&[Word::literal("-f")], &s(&["-rf"])));
    assert!(args_match(
        &[Word::literal("-f"), dynamic.clone()],
        &s(&["-f"])
    ));
    assert!(args_match(
        &[dynamic.clone(), Word::literal("z")],
        &s(&["a", "b", "z"])
    ));
    assert!(!args_match(
        &[dynamic, Word::literal("z")],
        &s(&["a", "z", "b"])
    ));
    assert_eq!(program_name("/usr/bin/rm"), "rm");
}

// ---------------------------------------------------------------------------------------------
// Generated lines: random compositions of the constructs above, so that combinations nobody
// wrote down are compared with bash too. Deterministic (seeded), so a failure reproduces.

/// The shared PRNG, with a pick from a list.
struct Rng(SplitMix64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Words a generated command may take: harmless for the recording shims, varied for the
/// quoting and the matcher (spaces, dashes, globs characters kept quoted).
const ARGS: &[&str] = &[
    "-rf",
    "--force",
    "push",
    "main",
    "volume",
    "delete",
    "pg-data",
    "a b",
    "x-y",
    "--yes",
    "-c",
    "DROP TABLE t",
    "feature/1",
    "*",
    "$HOME",
    "it's",
    "q\"uote",
    "tab\there",
    "ünï",
    "",
];

/// One word, written one of the ways bash accepts for it.
fn quoted(rng: &mut Rng, word: &str) -> String {
    let plain_ok = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c));
    match rng.below(6) {
        0 if plain_ok => word.to_string(),
        1 if !word.contains('\'') => format!("'{word}'"),
        2 => {
            let mut s = String::from("$'");
            for c in word.chars() {
                match c {
                    '\'' => s.push_str("\\'"),
                    '\\' => s.push_str("\\\\"),
                    c if c.is_ascii_alphabetic() && rng.below(3) == 0 => {
                        s.push_str(&format!("\\x{:02x}", c as u32));
                    }
                    c => s.push(c),
                }
            }
            s.push('\'');
            s
        }
        3 => {
            // Split in two, each half quoted its own way: `'ra'"il"way`.
            let cut = word
                .char_indices()
                .map(|(i, _)| i)
                .nth(word.chars().count() / 2)
                .unwrap_or(0);
            let (a, b) = word.split_at(cut);
            format!("{}{}", quoted(rng, a), quoted(rng, b))
        }
        4 if plain_ok && word.len() > 1 => {
            // A backslash before each letter, or a line continuation in the middle.
            if rng.below(2) == 0 {
                word.chars().map(|c| format!("\\{c}")).collect()
            } else {
                let mid = word.len() / 2;
                format!("{}\\\n{}", &word[..mid], &word[mid..])
            }
        }
        _ => {
            let mut s = String::from("\"");
            for c in word.chars() {
                if "\"\\$`".contains(c) {
                    s.push('\\');
                }
                s.push(c);
            }
            s.push('"');
            s
        }
    }
}

fn simple_command(rng: &mut Rng) -> String {
    let program = rng.pick(&[
        "rm",
        "railway",
        "git",
        "psql",
        "kubectl",
        "terraform",
        "mytool",
    ]);
    let mut words = vec![quoted(rng, program)];
    for _ in 0..rng.below(4) {
        let arg = rng.pick(ARGS);
        words.push(quoted(rng, arg));
    }
    words.join(" ")
}

fn compound(rng: &mut Rng, depth: usize) -> String {
    if depth == 0 {
        return simple_command(rng);
    }
    let a = compound(rng, depth - 1);
    match rng.below(10) {
        0 => format!("{a} && {}", compound(rng, depth - 1)),
        1 => format!("{a}; {}", compound(rng, depth - 1)),
        2 => format!("{a} | {}", compound(rng, depth - 1)),
        3 => format!("( {a} )"),
        4 => format!("{{ {a}; }}"),
        5 => format!("if true; then {a}; fi"),
        6 => format!("for i in 1 2; do {a}; done"),
        7 => format!("echo \"$( {a} )\" > /dev/null"),
        8 if !a.contains('\'') => format!("bash -c '{a}'"),
        _ => format!("{a}\n{}", compound(rng, depth - 1)),
    }
}

#[test]
fn generated_lines_match_bash() {
    let mut rng = Rng(SplitMix64(0x6469_6666_6572_656e));
    let cases: Vec<Case> = (0..400)
        .map(|_| {
            let depth = rng.below(3);
            let line: &'static str = Box::leak(compound(&mut rng, depth).into_boxed_str());
            runs(line)
        })
        .collect();
    run_cases("generated", &cases);
}
