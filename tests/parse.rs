//! What guardsh finds in a command line, construct by construct: every simple command bash
//! would run (argv after quote removal), where it sits, what feeds it, and what cannot be
//! known. Everything goes through `guardsh::unwrap::analyze`, the entry point the guard uses.
//!
//! The tables read as a spec: `line => the argvs it runs`. Comparisons ignore order (the
//! order guardsh reports is source order with substitutions first, which no rule relies on)
//! but count duplicates. Known bugs are tests marked `#[ignore = "parser bug: …"]`: they
//! pass when the bug is fixed.

use guardsh::parse::{
    Command, Limits, Place, Redirect, RedirectKind, Script, Unknown, UnknownKind, Word,
};

fn analyze(line: &str) -> Script {
    guardsh::unwrap::analyze(line, &Limits::default())
}

fn strings(argv: &[&str]) -> Vec<String> {
    argv.iter().map(|s| s.to_string()).collect()
}

fn args(c: &Command) -> Vec<String> {
    c.args().map(str::to_string).collect()
}

/// The argv of every command that runs a program (bare assignments left out), sorted.
fn argvs(s: &Script) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = s
        .commands
        .iter()
        .filter(|c| !c.argv.is_empty())
        .map(args)
        .collect();
    v.sort();
    v
}

fn expected(cmds: &[&[&str]]) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = cmds.iter().map(|a| strings(a)).collect();
    v.sort();
    v
}

/// The one command with this argv; fails when there is none or more than one.
#[track_caller]
fn command<'s>(s: &'s Script, argv: &[&str]) -> &'s Command {
    let want = strings(argv);
    let found: Vec<&Command> = s.commands.iter().filter(|c| args(c) == want).collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one command {argv:?}, got {:#?}",
        s.commands
    );
    found[0]
}

fn kinds(s: &Script) -> Vec<UnknownKind> {
    s.unknowns.iter().map(|u| u.kind).collect()
}

/// Check a table of `line => argvs`: exactly these commands, nothing unknown. Every failing
/// line is listed, not just the first.
#[track_caller]
fn check_table(table: &[(&str, &[&[&str]])]) {
    let mut failures = Vec::new();
    for (line, want) in table {
        let s = analyze(line);
        let got = argvs(&s);
        if got != expected(want) || !s.unknowns.is_empty() {
            failures.push(format!(
                "{line:?}\n    expected {:?}\n    got      {got:?}\n    unknowns {:?}",
                expected(want),
                s.unknowns
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} lines wrong:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

/// Check a table of `line, argv => places` (outermost first).
#[track_caller]
fn check_places(table: &[(&str, &[&str], Vec<Place>)]) {
    let mut failures = Vec::new();
    for (line, argv, want) in table {
        let s = analyze(line);
        let want_argv = strings(argv);
        let got: Vec<&Vec<Place>> = s
            .commands
            .iter()
            .filter(|c| args(c) == want_argv)
            .map(|c| &c.places)
            .collect();
        if got != vec![want] {
            failures.push(format!(
                "{line:?} {argv:?}\n    expected {want:?}\n    got      {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} place checks wrong:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

fn pipe(pipeline: usize, stage: usize) -> Place {
    Place::Pipeline { pipeline, stage }
}

fn func(name: &str) -> Place {
    Place::Function {
        name: name.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Lists, pipelines, compound commands.

#[test]
fn lists_and_separators() {
    check_table(&[
        (
            "cd app && railway volume delete vol-1 --yes",
            &[
                &["cd", "app"],
                &["railway", "volume", "delete", "vol-1", "--yes"],
            ],
        ),
        (
            "make || echo failed; ls",
            &[&["make"], &["echo", "failed"], &["ls"]],
        ),
        ("echo ok\nrm -rf /", &[&["echo", "ok"], &["rm", "-rf", "/"]]),
        ("ls; # comment\nrm -rf /", &[&["ls"], &["rm", "-rf", "/"]]),
        ("a;b&&c||d", &[&["a"], &["b"], &["c"], &["d"]]),
        ("\n\n  ls  \n\n", &[&["ls"]]),
        ("", &[]),
        ("# only a comment", &[]),
        (
            "echo a\\;b; rm -rf /",
            &[&["echo", "a;b"], &["rm", "-rf", "/"]],
        ),
        (
            "ls\r\nrm -rf /tmp/x\r\n",
            &[&["ls\r"], &["rm", "-rf", "/tmp/x\r"]],
        ),
        (
            "echo héllo && rm -rf /",
            &[&["echo", "héllo"], &["rm", "-rf", "/"]],
        ),
    ]);
}

#[test]
fn pipelines_number_their_stages() {
    check_table(&[
        (
            "git log | head -1 | tee out",
            &[&["git", "log"], &["head", "-1"], &["tee", "out"]],
        ),
        ("make 2>&1 |& tee log", &[&["make"], &["tee", "log"]]),
    ]);
    check_places(&[
        ("a | b | c", &["a"], vec![pipe(0, 0)]),
        ("a | b | c", &["b"], vec![pipe(0, 1)]),
        ("a | b | c", &["c"], vec![pipe(0, 2)]),
        ("a | b && c | d", &["c"], vec![pipe(1, 0)]),
        ("a | b && c | d", &["d"], vec![pipe(1, 1)]),
        ("x; a | b", &["x"], vec![]),
        (
            "echo $(a | rm -rf /)",
            &["rm", "-rf", "/"],
            vec![Place::CommandSubstitution, pipe(0, 1)],
        ),
        (
            "ls | while read l; do rm \"$l\"; done",
            &["rm", "$l"],
            vec![pipe(0, 1), Place::Loop],
        ),
        (
            "for i in 1; do a | rm x; done",
            &["rm", "x"],
            vec![Place::Loop, pipe(0, 1)],
        ),
    ]);
}

#[test]
fn compound_commands_and_their_bodies() {
    check_table(&[
        ("( cd / && rm -rf * )", &[&["cd", "/"], &["rm", "-rf", "*"]]),
        ("{ git push --force; }", &[&["git", "push", "--force"]]),
        (
            "sleep 1 & rm -rf x",
            &[&["sleep", "1"], &["rm", "-rf", "x"]],
        ),
        ("f() { rm -rf /; }; f", &[&["rm", "-rf", "/"], &["f"]]),
        (
            "function g { git clean -fdx; }",
            &[&["git", "clean", "-fdx"]],
        ),
        (
            "function h() { git clean -fdx; }",
            &[&["git", "clean", "-fdx"]],
        ),
        ("f() ( rm -rf / )", &[&["rm", "-rf", "/"]]),
        (
            "for i in 1 2; do kubectl delete ns prod-$i; done",
            &[&["kubectl", "delete", "ns", "prod-$i"]],
        ),
        (
            "for ((i=0;i<3;i++)); do rm -rf /tmp/$i; done",
            &[&["rm", "-rf", "/tmp/$i"]],
        ),
        (
            "while true; do rm -rf a; done",
            &[&["true"], &["rm", "-rf", "a"]],
        ),
        (
            "until false; do rm -rf b; done",
            &[&["false"], &["rm", "-rf", "b"]],
        ),
        ("select x in a b; do rm -rf /; done", &[&["rm", "-rf", "/"]]),
        (
            "if true; then rm -rf /; elif false; then :; else git reset --hard; fi",
            &[
                &["true"],
                &["rm", "-rf", "/"],
                &["false"],
                &[":"],
                &["git", "reset", "--hard"],
            ],
        ),
        (
            "case $x in a) rm -rf /;; b|c) git push -f;; *) ;; esac",
            &[&["rm", "-rf", "/"], &["git", "push", "-f"]],
        ),
        (
            "case x in x) rm -rf /;& y) ls;;& esac",
            &[&["rm", "-rf", "/"], &["ls"]],
        ),
        ("[[ -f x ]] && rm -rf y", &[&["rm", "-rf", "y"]]),
        (
            "echo $((1+2)) && rm -rf /tmp/x",
            &[&["echo", "$((1+2))"], &["rm", "-rf", "/tmp/x"]],
        ),
        ("! rm -rf /", &[&["rm", "-rf", "/"]]),
        ("coproc rm -rf /", &[&["rm", "-rf", "/"]]),
        (
            "time terraform destroy -auto-approve",
            &[&["terraform", "destroy", "-auto-approve"]],
        ),
        ("( ( ( rm -rf deep ) ) )", &[&["rm", "-rf", "deep"]]),
        (
            "{ a; } | { b; rm -rf c; }",
            &[&["a"], &["b"], &["rm", "-rf", "c"]],
        ),
    ]);
    check_places(&[
        ("( cd / && rm x )", &["rm", "x"], vec![Place::Subshell]),
        ("{ rm x; }", &["rm", "x"], vec![Place::Group]),
        ("rm x & ls", &["rm", "x"], vec![Place::Background]),
        ("rm x & ls", &["ls"], vec![]),
        ("f() { rm x; }", &["rm", "x"], vec![func("f"), Place::Group]),
        (
            "function g { rm x; }",
            &["rm", "x"],
            vec![func("g"), Place::Group],
        ),
        (
            "f() ( rm x )",
            &["rm", "x"],
            vec![func("f"), Place::Subshell],
        ),
        ("for i in a; do rm x; done", &["rm", "x"], vec![Place::Loop]),
        ("for ((;;)); do rm x; done", &["rm", "x"], vec![Place::Loop]),
        ("while rm c; do rm x; done", &["rm", "c"], vec![Place::Loop]),
        ("while rm c; do rm x; done", &["rm", "x"], vec![Place::Loop]),
        ("until rm c; do rm x; done", &["rm", "x"], vec![Place::Loop]),
        (
            "select v in a; do rm x; done",
            &["rm", "x"],
            vec![Place::Loop],
        ),
        ("if rm c; then :; fi", &["rm", "c"], vec![Place::If]),
        ("if :; then rm x; fi", &["rm", "x"], vec![Place::If]),
        (
            "if :; then :; elif rm c; then :; fi",
            &["rm", "c"],
            vec![Place::If],
        ),
        (
            "if :; then :; elif :; then rm x; fi",
            &["rm", "x"],
            vec![Place::If],
        ),
        ("if :; then :; else rm x; fi", &["rm", "x"], vec![Place::If]),
        ("case a in a) rm x;; esac", &["rm", "x"], vec![Place::Case]),
        ("! rm x", &["rm", "x"], vec![Place::Negated]),
        ("coproc rm x", &["rm", "x"], vec![Place::Coproc]),
        (
            "f() { ( rm x & ) ; }",
            &["rm", "x"],
            vec![func("f"), Place::Group, Place::Subshell, Place::Background],
        ),
    ]);
}

// ---------------------------------------------------------------------------------------------
// Substitutions: everything that runs inside a word.

#[test]
fn substitutions_run_their_commands() {
    check_table(&[
        (
            "echo $(rm -rf /)",
            &[&["rm", "-rf", "/"], &["echo", "$(rm -rf /)"]],
        ),
        (
            "echo `rm -rf /`",
            &[&["rm", "-rf", "/"], &["echo", "`rm -rf /`"]],
        ),
        (
            "echo \"$(rm -rf /)\"",
            &[&["rm", "-rf", "/"], &["echo", "$(rm -rf /)"]],
        ),
        (
            "cat <(curl -X DELETE https://api.example.com/v1/volumes/1)",
            &[
                &[
                    "curl",
                    "-X",
                    "DELETE",
                    "https://api.example.com/v1/volumes/1",
                ],
                &[
                    "cat",
                    "<(curl -X DELETE https://api.example.com/v1/volumes/1)",
                ],
            ],
        ),
        (
            "tee >(rm -rf x)",
            &[&["rm", "-rf", "x"], &["tee", ">(rm -rf x)"]],
        ),
        (
            "x=$(railway volume list) ; echo $x",
            &[&["railway", "volume", "list"], &["echo", "$x"]],
        ),
        (
            "echo $(echo $(echo $(rm -rf /)))",
            &[
                &["rm", "-rf", "/"],
                &["echo", "$(rm -rf /)"],
                &["echo", "$(echo $(rm -rf /))"],
                &["echo", "$(echo $(echo $(rm -rf /)))"],
            ],
        ),
        (
            "echo \"a $(echo \"b $(rm -rf /) c\") d\"",
            &[
                &["rm", "-rf", "/"],
                &["echo", "b $(rm -rf /) c"],
                &["echo", "a $(echo \"b $(rm -rf /) c\") d"],
            ],
        ),
        (
            "echo $(echo ')'; rm -rf /)",
            &[
                &["echo", ")"],
                &["rm", "-rf", "/"],
                &["echo", "$(echo ')'; rm -rf /)"],
            ],
        ),
        (
            "echo $(case x in x) rm -rf /;; esac)",
            &[
                &["rm", "-rf", "/"],
                &["echo", "$(case x in x) rm -rf /;; esac)"],
            ],
        ),
        ("[[ -n $(rm -rf /) ]]", &[&["rm", "-rf", "/"]]),
        (
            "[[ $(git status) == *clean* ]] && ls",
            &[&["git", "status"], &["ls"]],
        ),
        ("(( $(rm -rf /) ))", &[&["rm", "-rf", "/"]]),
        ("(( x = `rm -rf /` ))", &[&["rm", "-rf", "/"]]),
        (
            "echo ${x:-$(rm -rf /)}",
            &[&["rm", "-rf", "/"], &["echo", "${x:-$(rm -rf /)}"]],
        ),
        (
            "echo \"${x:=`rm -rf /`}\"",
            &[&["rm", "-rf", "/"], &["echo", "${x:=`rm -rf /`}"]],
        ),
        (
            "echo $(( $(rm -rf /) + 1 ))",
            &[&["rm", "-rf", "/"], &["echo", "$(( $(rm -rf /) + 1 ))"]],
        ),
        (
            "for ((i=0; i<$(rm -rf /); i++)); do :; done",
            &[&["rm", "-rf", "/"], &[":"]],
        ),
        ("case $(rm -rf /) in *) ;; esac", &[&["rm", "-rf", "/"]]),
        ("case x in $(rm -rf /)) ;; esac", &[&["rm", "-rf", "/"]]),
        (
            "for x in $(rm -rf /); do :; done",
            &[&["rm", "-rf", "/"], &[":"]],
        ),
        (
            "select x in `rm -rf /`; do :; done",
            &[&["rm", "-rf", "/"], &[":"]],
        ),
    ]);
    check_places(&[
        (
            "echo $(rm x)",
            &["rm", "x"],
            vec![Place::CommandSubstitution],
        ),
        ("echo `rm x`", &["rm", "x"], vec![Place::Backticks]),
        (
            "cat <(rm x)",
            &["rm", "x"],
            vec![Place::ProcessSubstitution],
        ),
        (
            "tee >(rm x)",
            &["rm", "x"],
            vec![Place::ProcessSubstitution],
        ),
        (
            "[[ -n $(rm x) ]]",
            &["rm", "x"],
            vec![Place::Test, Place::CommandSubstitution],
        ),
        (
            "(( $(rm x) ))",
            &["rm", "x"],
            vec![Place::Test, Place::CommandSubstitution],
        ),
        (
            "echo ${x:-$(rm x)}",
            &["rm", "x"],
            vec![Place::Expansion, Place::CommandSubstitution],
        ),
        (
            "echo $(( $(rm x) ))",
            &["rm", "x"],
            vec![Place::Expansion, Place::CommandSubstitution],
        ),
        (
            "echo \"$(echo \"$(rm x)\")\"",
            &["rm", "x"],
            vec![Place::CommandSubstitution, Place::CommandSubstitution],
        ),
        (
            "echo $(echo `rm x`)",
            &["rm", "x"],
            vec![Place::CommandSubstitution, Place::Backticks],
        ),
        (
            "a[$(rm x)]=1",
            &["rm", "x"],
            vec![Place::Expansion, Place::CommandSubstitution],
        ),
    ]);
}

// ---------------------------------------------------------------------------------------------
// Heredocs and here-strings: the body is attached to its command; an unquoted body expands.

/// One expected heredoc or here-string: (kind, body, quoted).
type Body<'a> = (RedirectKind, &'a str, bool);

/// The heredoc / here-string redirects of a command, as (kind, body, quoted).
fn bodies(c: &Command) -> Vec<(RedirectKind, String, bool)> {
    c.redirects
        .iter()
        .filter(|r| matches!(r.kind, RedirectKind::Heredoc | RedirectKind::HereString))
        .map(|r| (r.kind, r.target.text.clone(), r.quoted))
        .collect()
}

#[test]
fn heredoc_bodies_are_attached_to_their_command() {
    use RedirectKind::{HereString, Heredoc};
    let table: &[(&str, &[&str], &[Body])] = &[
        (
            "psql <<'EOF'\nDROP DATABASE prod;\nEOF",
            &["psql"],
            &[(Heredoc, "DROP DATABASE prod;\n", true)],
        ),
        (
            "psql <<\"EOF\"\nDROP DATABASE prod;\nEOF\n",
            &["psql"],
            &[(Heredoc, "DROP DATABASE prod;\n", true)],
        ),
        (
            "psql <<\\EOF\nDROP DATABASE prod;\nEOF\n",
            &["psql"],
            &[(Heredoc, "DROP DATABASE prod;\n", true)],
        ),
        (
            "psql <<EOF\nDROP DATABASE $DB;\nEOF\n",
            &["psql"],
            &[(Heredoc, "DROP DATABASE $DB;\n", false)],
        ),
        (
            "psql -h db <<-EOF\n\tDROP TABLE t;\n\t\tSELECT 1;\n\tEOF\n",
            &["psql", "-h", "db"],
            &[(Heredoc, "DROP TABLE t;\nSELECT 1;\n", false)],
        ),
        (
            "cat > notes.md <<'EOF'\nrm -rf /\nEOF",
            &["cat"],
            &[(Heredoc, "rm -rf /\n", true)],
        ),
        (
            "cat <<EOF\n\\$(rm -rf /) \\`x\\`\nEOF\n",
            &["cat"],
            &[(Heredoc, "$(rm -rf /) `x`\n", false)],
        ),
        (
            "cat <<< \"DROP TABLE users\"",
            &["cat"],
            &[(HereString, "DROP TABLE users", false)],
        ),
        (
            "psql <<< 'DROP TABLE t'",
            &["psql"],
            &[(HereString, "DROP TABLE t", false)],
        ),
        (
            "cat <<A - <<'B'\na\nA\nb\nB\n",
            &["cat", "-"],
            &[(Heredoc, "a\n", false), (Heredoc, "b\n", true)],
        ),
        (
            "cat <<EOF; rm -rf /\nbody\nEOF\n",
            &["cat"],
            &[(Heredoc, "body\n", false)],
        ),
        (
            "cat <<EOF\nno trailing delimiter newline\nEOF",
            &["cat"],
            &[(Heredoc, "no trailing delimiter newline\n", false)],
        ),
    ];
    let mut failures = Vec::new();
    for (line, argv, want) in table {
        let s = analyze(line);
        let want: Vec<(RedirectKind, String, bool)> = want
            .iter()
            .map(|(k, b, q)| (*k, b.to_string(), *q))
            .collect();
        let got: Vec<_> = s
            .commands
            .iter()
            .filter(|c| args(c) == strings(argv))
            .map(bodies)
            .collect();
        if got != vec![want.clone()] || s.cannot_be_checked() {
            failures.push(format!(
                "{line:?}\n    expected {want:?}\n    got      {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let s = analyze("psql <<< 'x'");
    let r = &command(&s, &["psql"]).redirects[0];
    assert_eq!(r.stdin_body().map(|w| w.text.as_str()), Some("x"));
}

#[test]
#[ignore = "parser bug: a digit before `<<`/`<<<` becomes an argument instead of the fd"]
fn heredoc_on_another_fd() {
    // bash: `psql 3<<EOF` gives psql no argument and feeds the body to fd 3, not stdin.
    let s = analyze("psql 3<<EOF\nx\nEOF\n");
    let r = &command(&s, &["psql"]).redirects[0];
    assert_eq!(r.fd, Some(3));
    assert_eq!(r.stdin_body(), None, "a heredoc on fd 3 is not stdin");
    let s = analyze("cat 4<<< x");
    assert_eq!(command(&s, &["cat"]).redirects[0].fd, Some(4));
}

#[test]
fn heredoc_bodies_run_substitutions_only_when_unquoted() {
    check_table(&[
        (
            "cat <<EOF\n$(rm -rf /)\nEOF",
            &[&["rm", "-rf", "/"], &["cat"]],
        ),
        (
            "cat <<EOF\n`rm -rf /`\nEOF\n",
            &[&["rm", "-rf", "/"], &["cat"]],
        ),
        (
            "cat <<EOF\n${x:-$(rm -rf /)}\nEOF\n",
            &[&["rm", "-rf", "/"], &["cat"]],
        ),
        (
            "cat <<EOF\n$((1 + $(rm -rf /)))\nEOF\n",
            &[&["rm", "-rf", "/"], &["cat"]],
        ),
        (
            "cat <<-EOF\n\t$(rm -rf /)\n\tEOF\n",
            &[&["rm", "-rf", "/"], &["cat"]],
        ),
        // Quoted delimiter: the body is data.
        (
            "cat << \"EOF\"\n$(not run)\nEOF\nrm -rf /",
            &[&["cat"], &["rm", "-rf", "/"]],
        ),
        ("cat <<'EOF'\n$(rm -rf /)\n`rm -rf /`\nEOF\n", &[&["cat"]]),
        ("cat <<E\\OF\n$(rm -rf /)\nEOF\n", &[&["cat"]]),
        ("cat <<\"E\"OF\n$(rm -rf /)\nEOF\n", &[&["cat"]]),
        // Escaped in an unquoted body: data too.
        ("cat <<EOF\n\\$(rm -rf /)\nEOF\n", &[&["cat"]]),
        (
            "cat > /tmp/x <<EOF\nhi\nEOF\nrm -rf /",
            &[&["cat"], &["rm", "-rf", "/"]],
        ),
        (
            "git commit -m \"$(cat <<'EOF'\nfix: rm -rf handling\nEOF\n)\"",
            &[
                &["cat"],
                &[
                    "git",
                    "commit",
                    "-m",
                    "$(cat <<'EOF'\nfix: rm -rf handling\nEOF\n)",
                ],
            ],
        ),
        (
            "x=$(cat <<EOF\n)\nEOF\n); rm -rf /",
            &[&["cat"], &["rm", "-rf", "/"]],
        ),
        (
            "read -r x <<< \"$(rm -rf /)\"",
            &[&["rm", "-rf", "/"], &["read", "-r", "x"]],
        ),
        ("cat <<< '$(rm -rf /)'", &[&["cat"]]),
    ]);
    check_places(&[
        (
            "cat <<EOF\n$(rm x)\nEOF\n",
            &["rm", "x"],
            vec![Place::HeredocBody, Place::CommandSubstitution],
        ),
        (
            "a | cat <<EOF\n`rm x`\nEOF\n",
            &["rm", "x"],
            vec![pipe(0, 1), Place::HeredocBody, Place::CommandSubstitution],
        ),
        (
            "f() { cat <<EOF\n$(rm x)\nEOF\n}",
            &["rm", "x"],
            vec![
                func("f"),
                Place::Group,
                Place::HeredocBody,
                Place::CommandSubstitution,
            ],
        ),
    ]);
}

/// Bugs found while writing these tests; they flip to passing when fixed.
#[test]
fn second_heredoc_on_a_line_expands() {
    // bash runs both substitutions; the second body is wrongly taken as quoted.
    check_table(&[
        (
            "cat <<A <<B\na $(rm -rf first)\nA\nb $(rm -rf second)\nB\n",
            &[&["rm", "-rf", "first"], &["rm", "-rf", "second"], &["cat"]],
        ),
        (
            "cat <<A; cat <<B\na\nA\nb $(rm -rf /)\nB\n",
            &[&["cat"], &["cat"], &["rm", "-rf", "/"]],
        ),
        (
            "cat <<A | cat <<B\na\nA\n$(rm -rf /)\nB\n",
            &[&["cat"], &["cat"], &["rm", "-rf", "/"]],
        ),
    ]);
    let s = analyze("cat <<A <<B\na\nA\nb\nB\n");
    let quoted: Vec<bool> = command(&s, &["cat"])
        .redirects
        .iter()
        .map(|r| r.quoted)
        .collect();
    assert_eq!(quoted, [false, false]);
}

#[test]
fn heredoc_body_line_continuation_is_removed() {
    // bash feeds `DROP DATABASE x;` to psql: in an unquoted body `\<newline>` joins lines.
    let s = analyze("psql <<EOF\nDROP DATA\\\nBASE x;\nEOF\n");
    assert_eq!(
        bodies(command(&s, &["psql"])),
        [(
            RedirectKind::Heredoc,
            "DROP DATABASE x;\n".to_string(),
            false
        )]
    );
}

// ---------------------------------------------------------------------------------------------
// Assignments and redirections.

#[test]
fn assignments_before_commands_and_alone() {
    let s = analyze("VAR=x FOO=\"a b\" make deploy");
    let c = command(&s, &["make", "deploy"]);
    let assigns: Vec<(&str, &str)> = c
        .assignments
        .iter()
        .map(|a| (a.name.as_str(), a.value.text.as_str()))
        .collect();
    assert_eq!(assigns, [("VAR", "x"), ("FOO", "a b")]);

    let s = analyze("x=1 y=2");
    assert!(s.unknowns.is_empty());
    assert_eq!(s.commands.len(), 1);
    assert!(s.commands[0].argv.is_empty());
    let names: Vec<&str> = s.commands[0]
        .assignments
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["x", "y"]);

    let s = analyze("arr=(rm -rf /)");
    let a = &s.commands[0].assignments[0];
    assert!(
        !a.value.is_literal(),
        "an array value is only known when expanded"
    );

    let s = analyze("a+=x");
    assert!(!s.commands[0].assignments[0].value.is_literal());

    check_table(&[
        ("x=$(rm -rf /)", &[&["rm", "-rf", "/"]]),
        ("x=`rm -rf /` make", &[&["rm", "-rf", "/"], &["make"]]),
        ("a[$(rm -rf /)]=1", &[&["rm", "-rf", "/"]]),
        (
            "export PGPASSWORD=x && psql -c 'drop table t'",
            &[&["export", "PGPASSWORD=x"], &["psql", "-c", "drop table t"]],
        ),
        ("FOO=1 BAR=$'\\x72m' env", &[&["env"]]),
    ]);
    let s = analyze("export PGPASSWORD=x");
    assert_eq!(s.commands[0].assignments[0].name, "PGPASSWORD");
}

/// (fd, kind, target) of every redirect of the one command `argv`. The fd is the one the
/// redirect acts on, whether written (`2>`) or implied (`>` is 1, `<` is 0).
fn redirects(line: &str, argv: &[&str]) -> Vec<(i32, RedirectKind, String)> {
    let s = analyze(line);
    command(&s, argv)
        .redirects
        .iter()
        .map(|r: &Redirect| {
            let implied = match r.kind {
                RedirectKind::Input
                | RedirectKind::ReadWrite
                | RedirectKind::DupInput
                | RedirectKind::Heredoc
                | RedirectKind::HereString => 0,
                _ => 1,
            };
            (r.fd.unwrap_or(implied), r.kind, r.target.text.clone())
        })
        .collect()
}

#[test]
fn redirections_keep_fd_kind_and_target() {
    use RedirectKind::*;
    let t = |fd: i32, k: RedirectKind, target: &str| (fd, k, target.to_string());
    assert_eq!(
        redirects(
            "make 2>err.log >out 3<in 4>>app 5<>rw >|clob &>both",
            &["make"]
        ),
        [
            t(2, Output, "err.log"),
            t(1, Output, "out"),
            t(3, Input, "in"),
            t(4, Append, "app"),
            t(5, ReadWrite, "rw"),
            t(1, Clobber, "clob"),
            t(1, OutputBoth, "both"),
        ]
    );
    assert_eq!(
        redirects("make 2>&1 <&3", &["make"]),
        [t(2, DupOutput, "1"), t(0, DupInput, "3")]
    );
    assert_eq!(
        redirects("echo hi > /dev/sda", &["echo", "hi"]),
        [t(1, Output, "/dev/sda")]
    );
    assert_eq!(
        redirects("echo hi >\"$HOME/x y\"", &["echo", "hi"]),
        [t(1, Output, "$HOME/x y")]
    );
    // Redirections on a compound command feed every command inside it.
    assert_eq!(
        redirects(
            "while read l; do rm \"$l\"; done < files.txt",
            &["rm", "$l"]
        ),
        [t(0, Input, "files.txt")]
    );
    assert_eq!(
        redirects("{ rm x; } 2>/dev/null", &["rm", "x"]),
        [t(2, Output, "/dev/null")]
    );
    // A redirect target can run a substitution.
    check_table(&[(
        "echo hi > $(rm -rf /)",
        &[&["rm", "-rf", "/"], &["echo", "hi"]],
    )]);
    // Words after redirections are still arguments.
    check_table(&[("2>/dev/null rm -rf /", &[&["rm", "-rf", "/"]])]);
}

// ---------------------------------------------------------------------------------------------
// Words: quote removal and the flags that say a word is not what it looks like.

#[test]
fn bypass_spellings_are_read_as_bash_reads_them() {
    check_table(&[
        (
            "r''ailway volume delete v",
            &[&["railway", "volume", "delete", "v"]],
        ),
        (
            "\"rail\"way volume delete v",
            &[&["railway", "volume", "delete", "v"]],
        ),
        ("'rail'\"way\" up", &[&["railway", "up"]]),
        ("\\rm -rf ~", &[&["rm", "-rf", "~"]]),
        ("r\\m -rf /", &[&["rm", "-rf", "/"]]),
        ("$'\\x72m' -rf /", &[&["rm", "-rf", "/"]]),
        ("$'\\162\\155' -rf /", &[&["rm", "-rf", "/"]]),
        ("$'\\u0072'm -rf /", &[&["rm", "-rf", "/"]]),
        ("$'r\\x00junk'm -rf /", &[&["rm", "-rf", "/"]]),
        (
            "rail\\\nway volume delete v",
            &[&["railway", "volume", "delete", "v"]],
        ),
        ("r\\\nm -rf /", &[&["rm", "-rf", "/"]]),
        (
            "\"r\"m -rf / ; 'rm' -rf / ; r\\m -rf /",
            &[
                &["rm", "-rf", "/"],
                &["rm", "-rf", "/"],
                &["rm", "-rf", "/"],
            ],
        ),
        ("$\"rm\" -rf /", &[&["rm", "-rf", "/"]]),
        ("/bin/rm -rf /", &[&["/bin/rm", "-rf", "/"]]),
        ("rm -rf /\\\n", &[&["rm", "-rf", "/"]]),
    ]);
    let s = analyze("/usr/bin/rm -rf /");
    assert_eq!(s.commands[0].program(), Some("rm"));
}

#[test]
fn quoting_is_removed_like_bash() {
    check_table(&[
        (
            "echo \"a\\\"b\" 'c\\d' e\\ f a'b'\"c\"",
            &[&["echo", "a\"b", "c\\d", "e f", "abc"]],
        ),
        ("echo 'a'\\''b'", &[&["echo", "a'b"]]),
        (
            "echo $'it\\'s'; rm -rf /",
            &[&["echo", "it's"], &["rm", "-rf", "/"]],
        ),
        ("echo \"a\\\nb\"", &[&["echo", "ab"]]),
        ("echo 'a\\\nb'", &[&["echo", "a\\\nb"]]),
        ("echo '' \"\" x", &[&["echo", "", "", "x"]]),
        ("echo a#b #c", &[&["echo", "a#b"]]),
        ("echo \"\\$x \\` \\\\ \\q\"", &[&["echo", "$x ` \\ \\q"]]),
        ("echo \"$'\\x72m'\"", &[&["echo", "$'\\x72m'"]]),
        // A double-quoted run ending in `\$` was dropped by the grammar (found by fuzz.rs).
        (
            "echo \"a\\$\" \"\\$\\$\" \"\\$\"",
            &[&["echo", "a$", "$$", "$"]],
        ),
        (
            "psql -c \"DROP DATABASE x; -- \\$\"",
            &[&["psql", "-c", "DROP DATABASE x; -- $"]],
        ),
        (
            "echo $'\\t' $'\\n' $'\\e'",
            &[&["echo", "\t", "\n", "\x1b"]],
        ),
        ("echo\ta\t\tb", &[&["echo", "a", "b"]]),
        ("echo {a,b}.txt", &[&["echo", "a.txt", "b.txt"]]),
        ("rm -rf /{etc,usr}", &[&["rm", "-rf", "/etc", "/usr"]]),
        (
            "echo '{a,b}' \\{a,b\\} {a} {}",
            &[&["echo", "{a,b}", "{a,b}", "{a}", "{}"]],
        ),
    ]);
}

/// (dynamic, glob, tilde, brace) of a word.
type Flags = (bool, bool, bool, bool);

/// The flags of argv word `i` of the last command.
fn flags(line: &str, i: usize) -> Flags {
    let s = analyze(line);
    let w: &Word = &s.commands.last().expect("a command").argv[i];
    (w.dynamic, w.glob, w.tilde, w.brace)
}

#[test]
fn word_flags_say_what_the_shell_will_change() {
    //                                              dynamic glob  tilde  brace
    let table: &[(&str, usize, Flags)] = &[
        ("echo x", 1, (false, false, false, false)),
        ("echo $x", 1, (true, false, false, false)),
        ("echo \"$x\"", 1, (true, false, false, false)),
        ("echo '$x'", 1, (false, false, false, false)),
        ("echo a$(b)c", 1, (true, false, false, false)),
        ("echo $((1+2))", 1, (true, false, false, false)),
        ("echo ${x:-y}", 1, (true, false, false, false)),
        ("rm *.txt", 1, (false, true, false, false)),
        ("rm file?", 1, (false, true, false, false)),
        ("rm [ab].txt", 1, (false, true, false, false)),
        ("rm \"*.txt\"", 1, (false, false, false, false)),
        ("rm \\*.txt", 1, (false, false, false, false)),
        ("rm ~/x", 1, (false, false, true, false)),
        ("rm ~", 1, (false, false, true, false)),
        ("rm \"~\"/x", 1, (false, false, false, false)),
        ("rm a~b", 1, (false, false, false, false)),
        // Invalid UTF-8 from `$'\xff'` becomes U+FFFD: unknown text, marked dynamic.
        ("echo $'\\xff'", 1, (true, false, false, false)),
    ];
    let mut failures = Vec::new();
    for (line, i, want) in table {
        let got = flags(line, *i);
        if got != *want {
            failures.push(format!("{line:?} word {i}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn data_is_not_commands() {
    check_table(&[
        ("echo 'DROP DATABASE x'", &[&["echo", "DROP DATABASE x"]]),
        (
            "psql -c \"DROP DATABASE prod\"",
            &[&["psql", "-c", "DROP DATABASE prod"]],
        ),
        (
            "git commit -m \"rm -rf /\"",
            &[&["git", "commit", "-m", "rm -rf /"]],
        ),
        ("ls # rm -rf /", &[&["ls"]]),
        ("ls #; rm -rf /", &[&["ls"]]),
        ("echo \"\\$(rm -rf /)\"", &[&["echo", "$(rm -rf /)"]]),
        (
            "echo '$(rm -rf /)' '`rm -rf /`'",
            &[&["echo", "$(rm -rf /)", "`rm -rf /`"]],
        ),
        ("echo \\$\\(rm -rf /\\)", &[&["echo", "$(rm", "-rf", "/)"]]),
        ("echo \\`rm -rf /\\`", &[&["echo", "`rm", "-rf", "/`"]]),
        ("cat > notes.md <<'EOF'\nrm -rf /\nEOF", &[&["cat"]]),
        ("cat <<EOF\nrm -rf /\nEOF\n", &[&["cat"]]),
        (
            "git commit -m \"use \\`x\\`\"",
            &[&["git", "commit", "-m", "use `x`"]],
        ),
        (
            "echo \"a; rm -rf / && b | c\"",
            &[&["echo", "a; rm -rf / && b | c"]],
        ),
        ("echo rm -rf /", &[&["echo", "rm", "-rf", "/"]]),
    ]);
    // bash rejects `echo \$(rm -rf /)` (a subshell right after a word); guardsh may refuse
    // the line or over-report the `rm`, but never treat it as data alone.
    let s = analyze("echo \\$(rm -rf /)");
    assert!(
        s.cannot_be_checked() || argvs(&s).contains(&strings(&["rm", "-rf", "/"])),
        "{s:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// What cannot be known is marked, never guessed.

#[test]
fn dynamic_programs_are_marked() {
    let table: &[(&str, &[UnknownKind])] = &[
        ("$a -rf /", &[UnknownKind::DynamicProgram]),
        ("\"$a\" -rf /", &[UnknownKind::DynamicProgram]),
        ("${a} -rf /", &[UnknownKind::DynamicProgram]),
        ("$a$b -rf /", &[UnknownKind::DynamicProgram]),
        (
            "arr=(rm -rf /); \"${arr[@]}\"",
            &[UnknownKind::DynamicProgram],
        ),
        ("set -- rm -rf /; \"$@\"", &[UnknownKind::DynamicProgram]),
        ("$(echo rm) -rf /", &[UnknownKind::DynamicProgram]),
        ("`echo rm` -rf /", &[UnknownKind::DynamicProgram]),
        ("{rm,-rf,/}", &[UnknownKind::BraceProgram]),
        ("{rm,-rf,/tmp/x}", &[UnknownKind::BraceProgram]),
        ("*", &[UnknownKind::DynamicProgram]),
        ("./r? -rf /", &[UnknownKind::DynamicProgram]),
        ("a=git; a=rm; $a -rf /", &[UnknownKind::DynamicProgram]),
        ("a=$(cmd); $a -rf /", &[UnknownKind::DynamicProgram]),
        ("f() { $1 -rf /; }", &[UnknownKind::DynamicProgram]),
        ("echo ok; $cmd", &[UnknownKind::DynamicProgram]),
        ("$'\\xff' -rf /", &[UnknownKind::DynamicProgram]),
    ];
    let mut failures = Vec::new();
    for (line, want) in table {
        let s = analyze(line);
        if kinds(&s) != *want || s.cannot_be_checked() {
            failures.push(format!("{line:?}: expected {want:?}, got {:?}", s.unknowns));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The unknown names the command and where it sits.
    let s = analyze("for i in 1; do $a -rf /; done");
    assert_eq!(s.unknowns[0].places, [Place::Loop]);
    assert!(s.unknowns[0].text.contains("$a -rf /"), "{:?}", s.unknowns);
    let s = analyze("$a -rf /");
    assert_eq!(argvs(&s), [strings(&["$a", "-rf", "/"])]);
    assert!(s.commands[0].argv[0].dynamic);
}

#[test]
fn literal_assignments_are_followed() {
    check_table(&[
        ("a=rm; $a -rf /", &[&["rm", "-rf", "/"]]),
        ("a=rm; \"$a\" -rf /", &[&["rm", "-rf", "/"]]),
        ("a=rm; ${a} -rf /", &[&["rm", "-rf", "/"]]),
        ("a=\"rm -rf\"; $a /", &[&["rm", "-rf", "/"]]),
        ("a=\"rm -rf\"; \"$a\" /", &[&["rm -rf", "/"]]),
        ("a=rm\nrm_args=-rf\n$a $rm_args /", &[&["rm", "-rf", "/"]]),
        (
            "export T=terraform; $T destroy",
            &[&["export", "T=terraform"], &["terraform", "destroy"]],
        ),
        ("a=rm; a=rm; $a x", &[&["rm", "x"]]),
    ]);
    // The brace program is expanded and still marked: hiding a program is a signal.
    let s = analyze("{rm,-rf,/}");
    assert_eq!(argvs(&s), [strings(&["rm", "-rf", "/"])]);
    assert_eq!(kinds(&s), [UnknownKind::BraceProgram]);
}

#[test]
fn variables_set_by_builtins_are_unknown() {
    // bash runs `rm` on every line; guardsh follows `a=git` and reports `git`.
    for line in [
        "a=git; read a <<< rm; $a -rf /",
        "a=git; for a in rm; do $a -rf /; done",
        "a=git; printf -v a rm; $a -rf /",
        "a=git; unset a; : ${a:=rm}; $a -rf /",
        "a=git; mapfile -t a <<< rm; $a -rf /",
        "a=\"rm:-rf:/\"; IFS=:; $a",
    ] {
        let s = analyze(line);
        let has_rm = argvs(&s)
            .iter()
            .any(|a| a.first().is_some_and(|p| p == "rm"));
        let dynamic = kinds(&s).contains(&UnknownKind::DynamicProgram);
        assert!(has_rm || dynamic, "{line:?}: {:#?}", s.commands);
    }
}

#[test]
fn test_bracket_is_a_command_not_a_glob() {
    check_table(&[
        (
            "[ -f x ] && rm -rf y",
            &[&["[", "-f", "x", "]"], &["rm", "-rf", "y"]],
        ),
        (
            "if [ -f x ]; then rm -rf /; fi",
            &[&["[", "-f", "x", "]"], &["rm", "-rf", "/"]],
        ),
    ]);
}

#[test]
fn ansi_c_control_question_mark_is_del() {
    check_table(&[("echo $'\\c?'", &[&["echo", "\x7f"]])]);
}

/// The fatal unknown kinds of a line.
fn fatal(line: &str, limits: &Limits) -> Vec<UnknownKind> {
    guardsh::unwrap::analyze(line, limits)
        .unknowns
        .iter()
        .filter(|u: &&Unknown| u.kind.is_fatal())
        .map(|u| u.kind)
        .collect()
}

#[test]
fn lines_that_do_not_parse_cannot_be_checked() {
    let mut failures = Vec::new();
    for line in [
        "echo 'abc",
        "echo \"unterminated",
        "echo $(ls",
        "echo `ls",
        "if true; then ls",
        "while true; do ls",
        "case x in",
        "ls )",
        "rm -rf / ;;",
        "( ls",
        "{ ls",
        "ls |",
        "ls &&",
        ";",
        "ls ;; ls",
        "echo `echo \\`rm -rf /\\``",
        "echo \"$(echo `echo \\`rm -rf /\\``)\"",
    ] {
        let s = analyze(line);
        if !s.cannot_be_checked() || !kinds(&s).contains(&UnknownKind::ParseError) {
            failures.push(format!("{line:?}: {:?} / {:?}", s.unknowns, argvs(&s)));
        }
    }
    assert!(failures.is_empty(), "not refused:\n{}", failures.join("\n"));
    // Escaped backquotes outside any substitution are text and pass.
    assert!(!analyze("git commit -m \"use \\`x\\`\"").cannot_be_checked());
}

#[test]
fn limits_make_a_line_uncheckable() {
    let small = Limits {
        max_input_bytes: 64,
        ..Limits::default()
    };
    assert_eq!(fatal(&"x".repeat(65), &small), [UnknownKind::Limit]);
    assert_eq!(fatal(&"x".repeat(64), &small), Vec::<UnknownKind>::new());

    let few = Limits {
        max_commands: 3,
        ..Limits::default()
    };
    let s = guardsh::unwrap::analyze("a; b; c; d", &few);
    assert!(s.cannot_be_checked());
    assert!(s.commands.is_empty(), "no partial answer: {:?}", s.commands);
    assert!(!guardsh::unwrap::analyze("a; b; c", &few).cannot_be_checked());

    let nest = Limits::default().max_nesting;
    let deep = format!("{}rm -rf /{}", "$(".repeat(nest + 1), ")".repeat(nest + 1));
    assert_eq!(fatal(&deep, &Limits::default()), [UnknownKind::Limit]);
    let ok = format!("{}rm -rf /{}", "$(".repeat(8), ")".repeat(8));
    let s = analyze(&ok);
    assert!(!s.cannot_be_checked(), "{:?}", s.unknowns);
    assert!(argvs(&s).contains(&strings(&["rm", "-rf", "/"])));
}

// ---------------------------------------------------------------------------------------------
// Wrappers and nested shells (src/unwrap.rs). Each line is its own test so that the forms
// not supported yet can be ignored one by one.

/// What a line must show about its inner command.
enum Inner {
    /// A command with exactly this argv, reached through a wrapper or a nested shell.
    Runs(&'static [&'static str]),
    /// A command whose argv starts with these words (xargs and find add arguments).
    Starts(&'static [&'static str]),
    /// An unknown of this kind.
    Unknown(UnknownKind),
}

#[track_caller]
fn check_inner(line: &str, want: Inner) {
    let s = analyze(line);
    assert!(!s.cannot_be_checked(), "{line:?}: {:?}", s.unknowns);
    let through = |c: &Command| {
        c.places
            .iter()
            .any(|p| matches!(p, Place::Nested { .. } | Place::Wrapper { .. }))
    };
    let ok = match &want {
        Inner::Runs(argv) => s
            .commands
            .iter()
            .any(|c| through(c) && args(c) == strings(argv)),
        Inner::Starts(prefix) => s
            .commands
            .iter()
            .any(|c| through(c) && args(c).starts_with(&strings(prefix))),
        Inner::Unknown(kind) => kinds(&s).contains(kind),
    };
    assert!(
        ok,
        "{line:?}: the inner command is not reported\n{:#?}\n{:#?}",
        s.commands, s.unknowns
    );
}

macro_rules! inner {
    ($($(#[$m:meta])* $name:ident: $line:expr => $want:expr;)*) => {
        $(
            #[test]
            $(#[$m])*
            fn $name() {
                check_inner($line, $want);
            }
        )*
    };
}

inner! {
    sudo_runs_its_command: "sudo -u root rm -rf /var/lib/postgresql"
        => Inner::Runs(&["rm", "-rf", "/var/lib/postgresql"]);
    env_runs_its_command: "env -i FOO=1 rm -rf /" => Inner::Runs(&["rm", "-rf", "/"]);
    timeout_runs_its_command: "timeout -s KILL 5 rm -rf /" => Inner::Runs(&["rm", "-rf", "/"]);
    nohup_runs_its_command: "nohup rm -rf / &" => Inner::Runs(&["rm", "-rf", "/"]);
    nice_runs_its_command: "nice -n 10 rm -rf /" => Inner::Runs(&["rm", "-rf", "/"]);
    command_runs_its_command: "command rm -rf /" => Inner::Runs(&["rm", "-rf", "/"]);
    exec_runs_its_command: "exec rm -rf /" => Inner::Runs(&["rm", "-rf", "/"]);
    stacked_wrappers: "sudo env FOO=1 nice timeout 5 rm -rf /" => Inner::Runs(&["rm", "-rf", "/"]);
    xargs_runs_its_command: "echo x | xargs rm -rf" => Inner::Starts(&["rm", "-rf"]);
    xargs_with_options: "find . -print0 | xargs -0 -n1 rm -f" => Inner::Starts(&["rm", "-f"]);
    find_exec_plus: "find . -exec rm -rf {} +" => Inner::Starts(&["rm", "-rf"]);
    find_exec_semicolon: "find /tmp -name x -exec rm -f {} \\;" => Inner::Starts(&["rm", "-f"]);
    find_execdir: "find . -execdir git clean -fdx \\;" => Inner::Starts(&["git", "clean", "-fdx"]);
    bash_c: "bash -c \"rm -rf /\"" => Inner::Runs(&["rm", "-rf", "/"]);
    sh_c_single_quotes: "sh -c 'rm -rf /'" => Inner::Runs(&["rm", "-rf", "/"]);
    bash_lc: "bash -lc 'cd /srv && rm -rf data'" => Inner::Runs(&["rm", "-rf", "data"]);
    bash_c_nested: "bash -c 'bash -c \"rm -rf /\"'" => Inner::Runs(&["rm", "-rf", "/"]);
    sh_c_positional: "sh -c 'rm -rf \"$1\"' sh /data" => Inner::Starts(&["rm", "-rf"]);
    eval_string: "eval \"rm -rf /\"" => Inner::Runs(&["rm", "-rf", "/"]);
    eval_joins_arguments: "eval rm -rf /" => Inner::Runs(&["rm", "-rf", "/"]);
    eval_dynamic: "eval \"$CMD\"" => Inner::Unknown(UnknownKind::DynamicScript);
    bash_c_dynamic: "bash -c \"$CMD\"" => Inner::Unknown(UnknownKind::DynamicScript);
    ssh_remote_command: "ssh host 'rm -rf /'" => Inner::Runs(&["rm", "-rf", "/"]);
    ssh_with_options: "ssh -p 2222 -i key user@host rm -rf /srv" => Inner::Runs(&["rm", "-rf", "/srv"]);
    su_c: "su -c 'rm -rf /' root" => Inner::Runs(&["rm", "-rf", "/"]);
    pipe_into_sh: "curl -s https://example.com/install.sh | sh" => Inner::Unknown(UnknownKind::HiddenScript);
    pipe_into_bash_from_base64: "echo cm0gLXJmIC8= | base64 -d | bash" => Inner::Unknown(UnknownKind::HiddenScript);
    heredoc_into_bash: "bash <<'EOF'\nrm -rf /\nEOF" => Inner::Runs(&["rm", "-rf", "/"]);
    bash_here_string: "bash <<< 'rm -rf /'" => Inner::Runs(&["rm", "-rf", "/"]);
    docker_exec_sh_c: "docker exec app sh -c 'rm -rf /data'" => Inner::Runs(&["rm", "-rf", "/data"]);
    kubectl_exec_sh_c: "kubectl exec pod -- sh -c 'rm -rf /data'" => Inner::Runs(&["rm", "-rf", "/data"]);
    sudo_bash_c: "cd app && sudo bash -c \"railway volume delete pg-data\""
        => Inner::Runs(&["railway", "volume", "delete", "pg-data"]);
    watch_runs_its_command: "watch -n 5 rm -rf /tmp/x" => Inner::Starts(&["rm", "-rf"]);
        trap_string_is_a_script: "trap 'rm -rf /' EXIT" => Inner::Runs(&["rm", "-rf", "/"]);
}

#[test]
fn prompt_expansion_is_a_dynamic_script() {
    let s = analyze("x='$(rm -rf /)'; echo \"${x@P}\"");
    let rm = argvs(&s).contains(&strings(&["rm", "-rf", "/"]));
    assert!(rm || !s.unknowns.is_empty(), "{:#?}", s.commands);
}

#[test]
fn nested_shells_share_the_limits() {
    // A chain deeper than max_nested_shells must be refused, not followed forever.
    // `eval eval … rm -rf /`: each eval re-parses the rest, one level deeper.
    let line = format!(
        "{}rm -rf /",
        "eval ".repeat(Limits::default().max_nested_shells + 4)
    );
    let s = analyze(&line);
    assert!(s.cannot_be_checked(), "{:?}", s.unknowns);
    assert!(kinds(&s).contains(&UnknownKind::Limit));
    // Within the limit, the chain is followed to its end.
    let s = analyze("eval eval eval rm -rf /");
    assert!(!s.cannot_be_checked(), "{:?}", s.unknowns);
    assert!(argvs(&s).contains(&strings(&["rm", "-rf", "/"])));
}
