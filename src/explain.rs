//! `guardsh explain`: read a line, analyse it, and show every command it would run, where it
//! sits and what cannot be known, for a person (escaped, optionally coloured) or as JSON.
//!
//! This module owns the input rules (invalid UTF-8 and oversized input become fatal unknowns
//! rather than errors) and the two renderings. It never decides anything.

use std::borrow::Cow;
use std::io::{self, Read, Write};

use owo_colors::{OwoColorize as _, Style};
use serde::Serialize;

use crate::cli::ExplainArgs;
use crate::input;
use crate::parse::{
    Command, Limits, Place, Redirect, RedirectKind, Script, Unknown, UnknownKind, Word,
};
use crate::term::{escape, join_words, needs_escape, quote_word};

/// What `explain` found, as far as the exit code is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every part of the line could be checked.
    Checked,
    /// Something fatal (parse error, limit, invalid UTF-8, internal failure) was found.
    CannotBeChecked,
}

/// Why `explain` could not do its job at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input file or standard input could not be read.
    #[error(transparent)]
    Read(#[from] input::Error),
    /// The output could not be written.
    #[error("cannot write the output: {0}")]
    Write(#[source] io::Error),
    /// The report could not be serialised.
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    /// The reader of our output went away (`guardsh explain … | head`): not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Run `guardsh explain`: read the input, analyse it, write the report to `out`.
pub fn execute(
    args: &ExplainArgs,
    color: bool,
    stdin: &mut dyn Read,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    let limits = Limits::default();
    let input = input::read(
        args.line.as_deref(),
        args.file.as_deref(),
        stdin,
        limits.max_input_bytes,
    )?;
    let script = input::analyze(&input, &limits);
    let report = if args.json {
        render_json(&script)?
    } else {
        render_human(&script, color)
    };
    out.write_all(report.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Write)?;
    Ok(if script.cannot_be_checked() {
        Outcome::CannotBeChecked
    } else {
        Outcome::Checked
    })
}

/// The JSON shape of `explain --json`.
#[derive(Serialize)]
struct JsonReport<'a> {
    commands: &'a [Command],
    unknowns: &'a [Unknown],
    /// What the commands do (deletes, sends, executes, mutates), per command that does
    /// something the generic readers judge; see [`crate::effects`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    effects: Vec<crate::effects::CommandEffects>,
    cannot_be_checked: bool,
}

/// `explain --json`: one JSON object on one line. Characters that a terminal would act on
/// (DEL, C1 controls, bidi overrides …, which JSON allows raw) are written as `\uXXXX`, so the
/// output is safe to show and decodes to the same strings.
pub fn render_json(script: &Script) -> Result<String, Error> {
    let raw = serde_json::to_string(&JsonReport {
        commands: &script.commands,
        unknowns: &script.unknowns,
        effects: crate::effects::of_script(script),
        cannot_be_checked: script.cannot_be_checked(),
    })?;
    let mut out = String::with_capacity(raw.len() + 1);
    for c in raw.chars() {
        if needs_escape(c) {
            // Compact JSON has no raw whitespace or controls outside strings, so `c` is
            // inside a string, where an escape means the same character.
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    Ok(out)
}

/// Colours for the human report; everything is plain when colour is off.
#[derive(Clone, Copy)]
struct Paint {
    on: bool,
}

impl Paint {
    fn paint(self, text: &str, style: Style) -> String {
        if self.on {
            text.style(style).to_string()
        } else {
            text.to_owned()
        }
    }
    fn label(self, text: &str) -> String {
        self.paint(&format!("{text:<9}"), Style::new().cyan())
    }
    fn dim(self, text: &str) -> String {
        self.paint(text, Style::new().dimmed())
    }
}

/// How many characters of a heredoc's first line to show.
const BODY_PREVIEW: usize = 60;

/// `explain` for a person: one block per command, then the unknowns, then a verdict.
/// All text from the line is escaped.
pub fn render_human(script: &Script, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    let width = script.commands.len().to_string().len();
    for (i, command) in script.commands.iter().enumerate() {
        let number = p.dim(&format!("{:>width$}", i + 1));
        out.push_str(&format!("{number}  {}\n", render_argv(command, p)));
        let indent = " ".repeat(width + 2);
        let mut line = |label: &str, value: &str| {
            out.push_str(&format!("{indent}{} {value}\n", p.label(label)));
        };
        line("where", &p.dim(&render_places(&command.places)));
        for assignment in &command.assignments {
            line(
                "env",
                &format!(
                    "{}={}",
                    escape(&assignment.name),
                    display_word(&assignment.value)
                ),
            );
        }
        for redirect in &command.redirects {
            let label = match redirect.kind {
                RedirectKind::Heredoc => "heredoc",
                RedirectKind::HereString => "herestr",
                _ => "redirect",
            };
            line(label, &render_redirect(redirect));
        }
    }
    if script.commands.is_empty() {
        out.push_str(&format!("{}\n", p.dim("no commands")));
    }

    let effects = crate::effects::of_script(script);
    if !effects.is_empty() {
        out.push('\n');
        out.push_str(&format!(
            "{}\n",
            p.paint("effects", Style::new().bold().underline())
        ));
        for c in &effects {
            out.push_str(&format!("  {}\n", escape(&c.command)));
            for e in &c.effects {
                out.push_str(&format!("    {}\n", escape(&crate::effects::describe(e))));
            }
        }
    }

    out.push('\n');
    if script.unknowns.is_empty() {
        out.push_str(&format!("{}\n", p.dim("no unknowns")));
    } else {
        out.push_str(&format!(
            "{}\n",
            p.paint("unknowns", Style::new().bold().underline())
        ));
        let width = script
            .unknowns
            .iter()
            .map(|u| kind_name(u.kind).len())
            .max()
            .unwrap_or(0);
        for unknown in &script.unknowns {
            let style = if unknown.kind.is_fatal() {
                Style::new().red().bold()
            } else {
                Style::new().yellow()
            };
            let kind = p.paint(&format!("{:<width$}", kind_name(unknown.kind)), style);
            out.push_str(&format!("  {kind}  {}\n", escape(&unknown.text)));
            if !unknown.places.is_empty() {
                out.push_str(&format!(
                    "  {:<width$}  {}\n",
                    "",
                    p.dim(&format!("where {}", render_places(&unknown.places)))
                ));
            }
        }
    }

    out.push('\n');
    let counts = format!(
        "{} command{}, {} unknown{}",
        script.commands.len(),
        plural(script.commands.len()),
        script.unknowns.len(),
        plural(script.unknowns.len())
    );
    if script.cannot_be_checked() {
        let verdict = p.paint("the line cannot be checked", Style::new().red().bold());
        out.push_str(&format!("{counts}: {verdict}\n"));
    } else {
        out.push_str(&format!("{counts}\n"));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The argv quoted for reading (program in bold, expanding words in yellow), or the
/// assignments when there is no command word.
fn render_argv(command: &Command, p: Paint) -> String {
    if command.argv.is_empty() {
        return p.dim("(assignments only)");
    }
    if !p.on {
        if command.argv.iter().all(Word::is_literal) {
            return join_words(command.args());
        }
        let shown: Vec<_> = command.argv.iter().map(display_word).collect();
        return shown.join(" ");
    }
    command
        .argv
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let shown = display_word(word);
            let mut style = Style::new();
            if i == 0 {
                style = style.bold();
            }
            if !word.is_literal() {
                style = style.yellow();
            }
            p.paint(&shown, style)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One word for reading. Literal words are quoted as the shell would need them
/// ([`quote_word`]); a word that expands is shown as written (`$HOME/x`, `*.txt`), in double
/// quotes when it holds blanks or shell punctuation (`"$dir/my file"`), since single quotes
/// would claim it does not expand. Characters that need escaping always get ANSI-C quoting.
fn display_word(word: &Word) -> Cow<'_, str> {
    let text = word.text.as_str();
    if word.is_literal() || text.is_empty() || text.chars().any(needs_escape) {
        return quote_word(text);
    }
    let special = |c: char| c.is_whitespace() || "'\"\\;&|<>#".contains(c);
    if !text.chars().any(special) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Cow::Owned(out)
}

/// The place chain, outermost first: `pipeline 0 stage 1 › $( ) › bash -c`.
pub fn render_places(places: &[Place]) -> String {
    if places.is_empty() {
        return "top level".to_owned();
    }
    places
        .iter()
        .map(render_place)
        .collect::<Vec<_>>()
        .join(" › ")
}

fn render_place(place: &Place) -> String {
    match place {
        Place::Pipeline { pipeline, stage } => format!("pipeline {pipeline} stage {stage}"),
        Place::CommandSubstitution => "$( )".to_owned(),
        Place::Backticks => "` `".to_owned(),
        Place::ProcessSubstitution => "<( )".to_owned(),
        Place::Subshell => "( )".to_owned(),
        Place::Group => "{ }".to_owned(),
        Place::Background => "&".to_owned(),
        Place::Function { name } => format!("function {}", escape(name)),
        Place::Loop => "loop".to_owned(),
        Place::If => "if".to_owned(),
        Place::Case => "case".to_owned(),
        Place::Test => "[[ ]]".to_owned(),
        Place::Coproc => "coproc".to_owned(),
        Place::Negated => "!".to_owned(),
        Place::HeredocBody => "heredoc".to_owned(),
        Place::Expansion => "${ }".to_owned(),
        Place::Nested { via } => escape(via).into_owned(),
        Place::Wrapper { via } => format!("via {}", escape(via)),
    }
}

fn render_redirect(redirect: &Redirect) -> String {
    let fd = redirect.fd.map(|fd| fd.to_string()).unwrap_or_default();
    let op = match redirect.kind {
        RedirectKind::Input => "<",
        RedirectKind::Output => ">",
        RedirectKind::Clobber => ">|",
        RedirectKind::Append => ">>",
        RedirectKind::ReadWrite => "<>",
        RedirectKind::OutputBoth => "&>",
        RedirectKind::DupOutput => ">&",
        RedirectKind::DupInput => "<&",
        RedirectKind::Heredoc => "<<",
        RedirectKind::HereString => "<<<",
    };
    match redirect.kind {
        RedirectKind::Heredoc | RedirectKind::HereString => {
            let quoted = if redirect.quoted { " (quoted)" } else { "" };
            format!("{fd}{op}{quoted} {}", render_body(&redirect.target.text))
        }
        RedirectKind::DupOutput | RedirectKind::DupInput => {
            format!("{fd}{op}{}", display_word(&redirect.target))
        }
        _ => format!("{fd}{op} {}", display_word(&redirect.target)),
    }
}

/// A heredoc or here-string body: whole when it is one short line, else its first line and
/// its size.
fn render_body(body: &str) -> String {
    let lines = body.lines().count();
    let first = body.lines().next().unwrap_or("");
    let short = first.chars().count() <= BODY_PREVIEW;
    if lines <= 1 && short {
        return quote_word(body.strip_suffix('\n').unwrap_or(body)).into_owned();
    }
    let preview: String = first.chars().take(BODY_PREVIEW).collect();
    let more = if short { "" } else { "…" };
    format!(
        "{}{more} ({} byte{}, {lines} line{})",
        escape(&preview),
        body.len(),
        plural(body.len()),
        plural(lines)
    )
}

/// The snake_case name of an unknown kind, as in the JSON output.
fn kind_name(kind: UnknownKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{kind:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Input, analyze as analyze_input};
    use crate::parse::Assignment;
    use std::ffi::OsString;
    use std::path::PathBuf;

    fn read_input(
        args: &ExplainArgs,
        stdin: &mut dyn Read,
        limit: usize,
    ) -> Result<Input, input::Error> {
        input::read(args.line.as_deref(), args.file.as_deref(), stdin, limit)
    }

    fn args(line: Option<&str>, file: Option<&str>, json: bool) -> ExplainArgs {
        ExplainArgs {
            json,
            file: file.map(PathBuf::from),
            line: line.map(OsString::from),
        }
    }

    fn sample() -> Script {
        Script {
            commands: vec![
                Command {
                    argv: vec![Word::literal("cd"), Word::literal("app")],
                    assignments: vec![],
                    redirects: vec![],
                    places: vec![Place::Pipeline {
                        pipeline: 0,
                        stage: 0,
                    }],
                    source: "cd app".into(),
                },
                Command {
                    argv: vec![
                        Word::literal("railway"),
                        Word::literal("volume"),
                        Word::literal("delete"),
                        Word::literal("pg data\u{202e}"),
                    ],
                    assignments: vec![Assignment {
                        name: "RAILS_ENV".into(),
                        value: Word::literal("production"),
                    }],
                    redirects: vec![
                        Redirect {
                            fd: Some(2),
                            kind: RedirectKind::DupOutput,
                            target: Word::literal("1"),
                            quoted: false,
                        },
                        Redirect {
                            fd: None,
                            kind: RedirectKind::Heredoc,
                            target: Word::literal("first \x1b[2J line\nsecond\n"),
                            quoted: true,
                        },
                    ],
                    places: vec![
                        Place::Pipeline {
                            pipeline: 1,
                            stage: 1,
                        },
                        Place::CommandSubstitution,
                        Place::Wrapper { via: "sudo".into() },
                        Place::Nested {
                            via: "bash -c".into(),
                        },
                    ],
                    source: "…".into(),
                },
            ],
            unknowns: vec![Unknown {
                kind: UnknownKind::DynamicProgram,
                text: "$a -rf /\x1b]0;x\x07".into(),
                places: vec![Place::Subshell],
            }],
        }
    }

    #[test]
    fn human_report_without_colour() {
        let shown = render_human(&sample(), false);
        let want = "\
1  cd app
   where     pipeline 0 stage 0
2  railway volume delete $'pg data\\u202e'
   where     pipeline 1 stage 1 › $( ) › via sudo › bash -c
   env       RAILS_ENV=production
   redirect  2>&1
   heredoc   << (quoted) first \\x1b[2J line (23 bytes, 2 lines)

unknowns
  dynamic_program  $a -rf /\\x1b]0;x\\x07
                   where ( )

2 commands, 1 unknown
";
        assert_eq!(shown, want);
    }

    #[test]
    fn human_report_with_colour_escapes_untrusted_text() {
        let shown = render_human(&sample(), true);
        assert!(shown.contains('\x1b'), "colour is on");
        for bad in ["\x1b[2J", "\x1b]0;", "\u{202e}", "\x07"] {
            assert!(!shown.contains(bad), "{bad:?} reached the terminal");
        }
    }

    #[test]
    fn human_report_verdict_when_fatal() {
        let mut script = sample();
        script.unknowns.push(Unknown {
            kind: UnknownKind::ParseError,
            text: "unexpected end of input".into(),
            places: vec![],
        });
        let shown = render_human(&script, false);
        assert!(shown.ends_with("2 commands, 2 unknowns: the line cannot be checked\n"));
        assert!(shown.contains("  parse_error      unexpected end of input\n"));
    }

    #[test]
    fn json_report_shape_and_escapes() {
        let json = render_json(&sample()).expect("serialises");
        assert!(json.ends_with("}\n") && json.lines().count() == 1);
        assert!(!json.chars().any(needs_escape_in_output));
        let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(value["cannot_be_checked"], false);
        assert_eq!(value["commands"].as_array().map(Vec::len), Some(2));
        assert_eq!(value["commands"][1]["argv"][3]["text"], "pg data\u{202e}");
        assert_eq!(value["unknowns"][0]["kind"], "dynamic_program");
        let keys: Vec<_> = value
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(keys.len(), 3, "{keys:?}");
    }

    fn needs_escape_in_output(c: char) -> bool {
        c != '\n' && needs_escape(c)
    }

    #[test]
    fn display_word_table() {
        let dynamic = |text: &str| Word {
            dynamic: true,
            ..Word::literal(text)
        };
        let glob = |text: &str| Word {
            glob: true,
            ..Word::literal(text)
        };
        let cases = [
            (Word::literal("two words"), "'two words'"),
            (Word::literal("$x"), "'$x'"),
            (dynamic("$x"), "$x"),
            (dynamic("$(date +%s)"), "\"$(date +%s)\""),
            (dynamic("$d/my \"x\""), "\"$d/my \\\"x\\\"\""),
            (dynamic("$x\x1b"), "$'$x\\x1b'"),
            (glob("*.txt"), "*.txt"),
            (dynamic(""), "''"),
        ];
        for (word, want) in cases {
            assert_eq!(display_word(&word), want, "{word:?}");
        }
    }

    #[test]
    fn bodies() {
        assert_eq!(render_body("hello world\n"), "'hello world'");
        assert_eq!(render_body(""), "''");
        let long = "x".repeat(70);
        assert_eq!(
            render_body(&long),
            format!("{}… (70 bytes, 1 line)", "x".repeat(60))
        );
    }

    #[test]
    fn input_from_bytes() {
        let ok = Input::from_bytes(b"echo hi".to_vec(), false);
        assert_eq!((ok.text.as_str(), ok.invalid_utf8), ("echo hi", false));

        let bad = Input::from_bytes(b"rm \xff".to_vec(), false);
        assert_eq!((bad.text.as_str(), bad.invalid_utf8), ("rm \u{fffd}", true));

        // "é" cut in half by the size limit: a limit, not bad UTF-8.
        let cut = Input::from_bytes(b"echo \xc3".to_vec(), true);
        assert_eq!(
            (cut.text.as_str(), cut.invalid_utf8, cut.truncated),
            ("echo ", false, true)
        );
    }

    #[test]
    fn reads_stdin_for_dash_and_bounds_it() {
        let mut stdin: &[u8] = b"echo from stdin";
        let input = read_input(&args(Some("-"), None, false), &mut stdin, 100).expect("reads");
        assert_eq!(input.text, "echo from stdin");

        let mut stdin: &[u8] = b"0123456789";
        let input = read_input(&args(None, Some("-"), false), &mut stdin, 4).expect("reads");
        assert_eq!((input.text.as_str(), input.truncated), ("0123", true));
    }

    #[test]
    fn missing_file_is_a_read_error() {
        let err = read_input(
            &args(None, Some("/nonexistent/guardsh/x.sh"), false),
            &mut io::empty(),
            100,
        )
        .expect_err("must fail");
        assert!(
            err.to_string()
                .starts_with("cannot read /nonexistent/guardsh/x.sh: ")
        );
    }

    #[cfg(unix)]
    #[test]
    fn invalid_utf8_line_is_fatal() {
        use std::os::unix::ffi::OsStringExt as _;
        let args = ExplainArgs {
            json: true,
            file: None,
            line: Some(OsString::from_vec(b"echo \xff".to_vec())),
        };
        let input = read_input(&args, &mut io::empty(), 100).expect("reads");
        assert!(input.invalid_utf8);
        let script = analyze_input(&input, &Limits::default());
        assert!(script.cannot_be_checked());
        let invalid = script
            .unknowns
            .iter()
            .filter(|u| u.kind == UnknownKind::InvalidUtf8);
        assert_eq!(invalid.count(), 1);
    }

    #[test]
    fn truncated_input_is_fatal() {
        let input = Input {
            text: "echo hi".into(),
            invalid_utf8: false,
            truncated: true,
        };
        assert!(analyze_input(&input, &Limits::default()).cannot_be_checked());
    }

    #[test]
    fn execute_writes_report_and_outcome() {
        let mut out = Vec::new();
        let outcome = execute(
            &args(Some("echo hi"), None, true),
            false,
            &mut io::empty(),
            &mut out,
        )
        .expect("runs");
        let value: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
        assert_eq!(
            outcome == Outcome::CannotBeChecked,
            value["cannot_be_checked"] == true
        );
    }
}
