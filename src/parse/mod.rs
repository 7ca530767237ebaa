//! Shell text → the simple commands the shell would run.
//!
//! This module owns the *shape* of what guardsh knows about a command line: a flat list of
//! [`Command`]s, each with its argv after quote removal, its assignments, redirections,
//! heredoc bodies and where it sits, plus the [`Unknown`]s: the things that cannot be known
//! before the shell runs. Nested shells and wrappers are handled by [`crate::unwrap`], which
//! calls back into [`parse_script`] under the same [`Budget`].
//!
//! The grammar itself comes from `shuck-parser` (see `grammar.rs`, the only file that knows
//! it). It was chosen over brush-parser on the evidence of the parser bake-off: brush had no
//! misses on the corpus but loops forever on 7-byte inputs and overflows the stack on deep
//! nesting; shuck never hung or crashed in 1.6M fuzz inputs, carries its own depth, fuel and
//! stack budgets, and pulls 11 crates instead of 76. Its one known miss (nested escaped
//! backticks) is closed by a pre-scan in `limits.rs` that refuses to guess.

mod grammar;
mod limits;
mod words;

pub use limits::{Budget, Limits, nesting_depth};

use serde::Serialize;

/// One word of a command after quote removal.
///
/// `text` is what the shell would pass when nothing in the word expands. Expansions that
/// cannot be known before the shell runs (`$x`, `$(…)`, `$((…))`) stay in `text` as their
/// source and set `dynamic`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Word {
    /// The word after quote removal, with unknown expansions kept as written.
    pub text: String,
    /// The word contains a parameter, command or arithmetic expansion.
    #[serde(skip_serializing_if = "is_false")]
    pub dynamic: bool,
    /// The word contains an unquoted glob character (`*`, `?`, `[`).
    #[serde(skip_serializing_if = "is_false")]
    pub glob: bool,
    /// The word starts with an unquoted `~` that the shell will expand.
    #[serde(skip_serializing_if = "is_false")]
    pub tilde: bool,
    /// The word contains an unquoted brace expansion (`{a,b}`, `{1..3}`).
    #[serde(skip_serializing_if = "is_false")]
    pub brace: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Word {
    /// A word with no expansion at all.
    pub fn literal(text: impl Into<String>) -> Self {
        Word {
            text: text.into(),
            dynamic: false,
            glob: false,
            tilde: false,
            brace: false,
        }
    }

    /// True when the shell passes `text` unchanged.
    pub fn is_literal(&self) -> bool {
        !(self.dynamic || self.glob || self.tilde || self.brace)
    }
}

/// `NAME=value` before a command (or alone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The variable name (with a subscript when there is one, e.g. `a[1]`).
    pub name: String,
    /// The value; array assignments are joined with spaces and marked dynamic.
    pub value: Word,
}

/// What a redirection does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectKind {
    /// `<`
    Input,
    /// `>`
    Output,
    /// `>|`
    Clobber,
    /// `>>`
    Append,
    /// `<>`
    ReadWrite,
    /// `&>` / `>&file`
    OutputBoth,
    /// `>&n`
    DupOutput,
    /// `<&n`
    DupInput,
    /// `<<` or `<<-`
    Heredoc,
    /// `<<<`
    HereString,
}

/// A redirection with its target, or a heredoc / here-string body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    /// The file descriptor, when one was written (`2>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fd: Option<i32>,
    /// The operator.
    pub kind: RedirectKind,
    /// The target file, or the body of a heredoc / here-string.
    pub target: Word,
    /// For heredocs: the delimiter was quoted, so the body is passed without expansion.
    #[serde(skip_serializing_if = "is_false")]
    pub quoted: bool,
}

impl Redirect {
    /// The text this redirection feeds to the command's standard input, if it does.
    pub fn stdin_body(&self) -> Option<&Word> {
        let on_stdin = self.fd.is_none_or(|fd| fd == 0);
        match self.kind {
            RedirectKind::Heredoc | RedirectKind::HereString if on_stdin => Some(&self.target),
            _ => None,
        }
    }
}

/// Where a command sits in the line. A command carries the chain from outermost to innermost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Place {
    /// Stage `stage` (from 0) of pipeline `pipeline` (numbered within the whole analysis).
    Pipeline {
        /// Which pipeline.
        pipeline: usize,
        /// Which stage, from 0.
        stage: usize,
    },
    /// Inside `$( … )`.
    CommandSubstitution,
    /// Inside `` `…` ``.
    Backticks,
    /// Inside `<( … )` or `>( … )`.
    ProcessSubstitution,
    /// Inside `( … )`.
    Subshell,
    /// Inside `{ …; }`.
    Group,
    /// Run in the background with `&`.
    Background,
    /// Inside the body of function `name`.
    Function {
        /// The function's name.
        name: String,
    },
    /// Inside a `for`, `while`, `until` or `select` loop.
    Loop,
    /// Inside an `if` (condition or branch).
    If,
    /// Inside a `case` branch.
    Case,
    /// Inside `[[ … ]]` or `(( … ))` (only substitutions run there).
    Test,
    /// A coprocess.
    Coproc,
    /// Negated with `!`.
    Negated,
    /// Inside a heredoc body that expands.
    HeredocBody,
    /// Inside `${x:-…}` or another parameter-expansion operand, or an arithmetic expression.
    Expansion,
    /// Re-parsed from text that another command runs (`bash -c`, `eval`, `ssh host …`).
    Nested {
        /// The command whose payload this is, e.g. `bash -c`, `eval`, `ssh`.
        via: String,
    },
    /// Run by a wrapper (`sudo`, `env`, `xargs`, `find -exec` …) that was peeled off.
    Wrapper {
        /// The wrapper program.
        via: String,
    },
}

/// One simple command the shell would run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Command {
    /// argv after quote removal; `argv[0]` is the program as written (path kept).
    pub argv: Vec<Word>,
    /// Assignments before the command (`FOO=1 cmd`), or the whole command when argv is empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assignments: Vec<Assignment>,
    /// Redirections, heredocs and here-strings, including those on enclosing compound
    /// commands that feed this command (`while read l; do …; done < f`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<Redirect>,
    /// Where the command sits, outermost first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<Place>,
    /// The source text of the command as written (for messages).
    pub source: String,
}

impl Command {
    /// The program name: `argv[0]` with any directory removed (`/usr/bin/rm` → `rm`).
    pub fn program(&self) -> Option<&str> {
        let first = self.argv.first()?;
        Some(program_name(&first.text))
    }

    /// The argv as plain strings.
    pub fn args(&self) -> impl Iterator<Item = &str> {
        self.argv.iter().map(|w| w.text.as_str())
    }

    /// The pipeline stage this command occupies at the innermost level, if any.
    pub fn pipeline_stage(&self) -> Option<(usize, usize)> {
        self.places.iter().rev().find_map(|p| match p {
            Place::Pipeline { pipeline, stage } => Some((*pipeline, *stage)),
            _ => None,
        })
    }
}

/// The last path component of a program word: a path names its program.
pub fn program_name(word: &str) -> &str {
    match word.rfind('/') {
        Some(i) if i + 1 < word.len() => &word[i + 1..],
        _ => word,
    }
}

/// Why something in the line cannot be known before the shell runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownKind {
    /// The program name comes from a variable, substitution or glob (`$a -rf /`).
    DynamicProgram,
    /// Brace expansion in command position (`{rm,-rf,/}`).
    BraceProgram,
    /// A subcommand word only known at run time where a rule names a destructive one
    /// (`railway volume $verb`). Found by the rules, not the parser.
    DynamicSubcommand,
    /// Text run by a nested shell or `eval` that is not literal (`eval "$x"`).
    DynamicScript,
    /// A shell reads its commands from somewhere guardsh cannot see (`curl … | sh`,
    /// `base64 -d | sh`, `bash script.sh` written in the same line).
    HiddenScript,
    /// The line does not parse.
    ParseError,
    /// An input, nesting, recursion or work limit was hit.
    Limit,
    /// The text is not valid UTF-8.
    InvalidUtf8,
    /// guardsh itself failed while looking at the line.
    Internal,
}

impl UnknownKind {
    /// True when nothing about the line can be trusted: the whole line cannot be checked.
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            UnknownKind::ParseError
                | UnknownKind::Limit
                | UnknownKind::InvalidUtf8
                | UnknownKind::Internal
        )
    }
}

/// Something that cannot be known before the shell runs, marked rather than guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unknown {
    /// What kind of unknown.
    pub kind: UnknownKind,
    /// The text concerned (a command, a word, or the parser's message).
    pub text: String,
    /// Where it sits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<Place>,
}

/// Everything found in one piece of shell text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Script {
    /// The simple commands, in source order.
    pub commands: Vec<Command>,
    /// What could not be known.
    pub unknowns: Vec<Unknown>,
}

impl Script {
    /// True when some unknown means the line as a whole cannot be checked.
    pub fn cannot_be_checked(&self) -> bool {
        self.unknowns.iter().any(|u| u.kind.is_fatal())
    }
}

/// Parse shell text into its simple commands, without looking inside nested shells.
///
/// `outer` is the place chain of the text itself (empty for a top-level line). Never panics
/// and never fails: problems are reported as fatal [`Unknown`]s in the result.
pub fn parse_script(text: &str, outer: &[Place], budget: &mut Budget) -> Script {
    grammar::parse(text, outer, budget)
}
