//! Shell text to check: from the command line, a file or standard input, bounded in size,
//! decoded lossily; and its analysis, with whatever went wrong with the bytes (or inside
//! guardsh) made a fatal unknown. Shared by every subcommand that reads a line.

use std::ffi::OsStr;
use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use crate::parse::{Limits, Script, Unknown, UnknownKind};

/// The analysis thread's stack: far above what the nesting limits let the grammar use.
const ANALYSIS_STACK: usize = 256 << 20;

/// Lines at most this long, nested at most [`INLINE_MAX_DEPTH`] deep and without a
/// backslash are analysed on the calling thread: a thread start with its stack mapping costs
/// a few hundred microseconds, a third of a whole `guardsh check`, and such a line cannot
/// recurse deep enough to need it. No backslash means no escape (`$'\x28'`, `printf
/// '\050' | sh`) can decode into nesting the outer count does not see. The test
/// `short_lines_fit_a_small_stack` runs the worst such lines on a 2 MiB stack in a debug
/// build; the main thread has 8 MiB.
const INLINE_MAX_BYTES: usize = 1024;
/// See [`INLINE_MAX_BYTES`].
const INLINE_MAX_DEPTH: usize = 16;

/// Input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Standard input could not be read.
    #[error("cannot read {what}: {source}")]
    Stream {
        /// What was being read ("standard input").
        what: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A file could not be read, is not a regular file, or is larger than the limit (it
    /// is refused whole rather than judged by its first part).
    #[error(transparent)]
    File(#[from] crate::capped::Error),
}

/// Shell text ready for analysis, with what was wrong with the bytes it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The text (lossily decoded when the bytes were not UTF-8).
    pub text: String,
    /// The bytes were not valid UTF-8; `text` holds U+FFFD in their place.
    pub invalid_utf8: bool,
    /// The input was longer than the limit and was cut.
    pub truncated: bool,
}

impl Input {
    /// Input from bytes, decoded lossily.
    pub fn from_bytes(mut bytes: Vec<u8>, truncated: bool) -> Self {
        match String::from_utf8(bytes) {
            Ok(text) => Input {
                text,
                invalid_utf8: false,
                truncated,
            },
            Err(e) => {
                // A character cut in two by truncation is the limit's fault, not bad UTF-8.
                let cut_at_end = truncated && e.utf8_error().error_len().is_none();
                let valid = e.utf8_error().valid_up_to();
                bytes = e.into_bytes();
                if cut_at_end {
                    bytes.truncate(valid);
                }
                Input {
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                    invalid_utf8: !cut_at_end,
                    truncated,
                }
            }
        }
    }
}

/// The shell text named by the arguments: LINE itself, a file, or standard input for `-`.
/// A file larger than `limit` (by its size, before reading), or one that is not a regular
/// file, is an error. Standard input, a stream, is read up to `limit + 1` bytes, so memory
/// stays bounded and an oversized input is still seen to be oversized.
pub fn read(
    line: Option<&OsStr>,
    file: Option<&Path>,
    stdin: &mut dyn Read,
    limit: usize,
) -> Result<Input, Error> {
    if let Some(path) = file {
        if path == Path::new("-") {
            return read_bounded(stdin, limit, "standard input");
        }
        let cap = u64::try_from(limit).unwrap_or(u64::MAX);
        let bytes = crate::capped::read(path, cap)?;
        return Ok(Input::from_bytes(bytes, false));
    }
    match line {
        Some(line) if line == "-" => read_bounded(stdin, limit, "standard input"),
        Some(line) => Ok(match line.to_os_string().into_string() {
            Ok(text) => Input {
                text,
                invalid_utf8: false,
                truncated: false,
            },
            Err(raw) => Input {
                text: raw.to_string_lossy().into_owned(),
                invalid_utf8: true,
                truncated: false,
            },
        }),
        // clap requires one of the two; an empty line is the harmless reading of neither.
        None => Ok(Input::from_bytes(Vec::new(), false)),
    }
}

fn read_bounded(reader: impl Read, limit: usize, what: &str) -> Result<Input, Error> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX);
    let (mut bytes, truncated) =
        crate::capped::read_stream(reader, cap, 0).map_err(|source| Error::Stream {
            what: what.to_owned(),
            source,
        })?;
    if truncated {
        bytes.truncate(limit);
    }
    Ok(Input::from_bytes(bytes, truncated))
}

/// Analyse the input, and make sure what went wrong with its bytes, or inside guardsh,
/// is a fatal unknown in the result whatever the parse layer did with it.
pub fn analyze(input: &Input, limits: &Limits) -> Script {
    // The grammar recurses, and a stack overflow aborts the process where no one can catch
    // it: a line that could recurse deeply gets a stack far larger than any limit lets it
    // use (only the pages it touches are committed); a short, shallow one cannot.
    let inline = input.text.len() <= INLINE_MAX_BYTES
        && !input.text.contains('\\')
        && crate::parse::nesting_depth(&input.text) <= INLINE_MAX_DEPTH;
    let analysed = if inline {
        catch_unwind(AssertUnwindSafe(|| {
            crate::unwrap::analyze(&input.text, limits)
        }))
    } else {
        on_big_stack(input, limits)
    };
    let mut script = analysed.unwrap_or_else(|payload| Script {
        unknowns: vec![Unknown {
            kind: UnknownKind::Internal,
            text: format!(
                "guardsh failed while analysing the line: {}",
                crate::panic_message(payload.as_ref())
            ),
            places: Vec::new(),
        }],
        ..Script::default()
    });
    let has = |script: &Script, kind| script.unknowns.iter().any(|u| u.kind == kind);
    if input.invalid_utf8 && !has(&script, UnknownKind::InvalidUtf8) {
        script.unknowns.push(Unknown {
            kind: UnknownKind::InvalidUtf8,
            text: "the input is not valid UTF-8 (shown with U+FFFD in place of the bad bytes)"
                .to_owned(),
            places: Vec::new(),
        });
    }
    if input.truncated && !has(&script, UnknownKind::Limit) {
        script.unknowns.push(Unknown {
            kind: UnknownKind::Limit,
            text: format!(
                "the input is longer than {} bytes and was not read to the end",
                limits.max_input_bytes
            ),
            places: Vec::new(),
        });
    }
    script
}

type Analysed = std::thread::Result<Script>;

/// Analyse on a thread with a stack far larger than any limit lets the grammar use.
fn on_big_stack(input: &Input, limits: &Limits) -> Analysed {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("guardsh-analyze".into())
            .stack_size(ANALYSIS_STACK)
            .spawn_scoped(s, || {
                catch_unwind(AssertUnwindSafe(|| {
                    crate::unwrap::analyze(&input.text, limits)
                }))
            })
            .map_or_else(
                // No thread to be had (resource limits): analyse here rather than not at all.
                |_| {
                    catch_unwind(AssertUnwindSafe(|| {
                        crate::unwrap::analyze(&input.text, limits)
                    }))
                },
                |handle| handle.join().unwrap_or_else(Err),
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worst lines the inline path takes, each at most `INLINE_MAX_BYTES` and at most
    /// `INLINE_MAX_DEPTH` deep as counted on the outer text.
    fn worst_short_lines() -> Vec<String> {
        let mut lines = Vec::new();
        // Nested shells in quotes, each level adding to the depth the outer count sees.
        lines.push(format!(
            "bash -c 'sh -c \"{}rm -rf /{}\"'",
            "$( ".repeat(14),
            " )".repeat(14)
        ));
        // An eval chain to the nested-shell limit, each level 15 deep.
        let parens = format!("{}rm -rf /{}", "(".repeat(15), ")".repeat(15));
        lines.push(format!("{}{parens}", "eval ".repeat(16)));
        // Every kind of nesting to the inline depth.
        lines.push(format!(
            "echo {}x{}",
            "$(echo ${x:-$(echo `".repeat(4),
            "`)})".repeat(4)
        ));
        lines.push(format!(
            "time time time time time time time time {}",
            "{ ( ".repeat(8) + "rm -rf /" + &" ); }".repeat(8)
        ));
        // Brace and arithmetic nesting.
        lines.push(format!("echo $(( {}1{} ))", "(".repeat(14), ")".repeat(14)));
        for l in &lines {
            assert!(l.len() <= INLINE_MAX_BYTES, "{} bytes", l.len());
            assert!(crate::parse::nesting_depth(l) <= INLINE_MAX_DEPTH, "{l}");
            assert!(!l.contains('\\'), "{l}");
        }
        lines
    }

    #[test]
    fn short_lines_fit_a_small_stack() {
        // 2 MiB is a quarter of the main thread's usual 8 MiB; a debug build uses several
        // times the stack of a release build per level.
        let lines = worst_short_lines();
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                for l in &lines {
                    let script = crate::unwrap::analyze(l, &Limits::default());
                    assert!(
                        !script.commands.is_empty() || !script.unknowns.is_empty(),
                        "{l}"
                    );
                }
            })
            .expect("thread starts")
            .join()
            .expect("no overflow on a 2 MiB stack");
    }

    #[test]
    fn long_or_deep_lines_still_get_the_big_stack() {
        let long = format!("{}rm -rf /", "echo x; ".repeat(200));
        let script = analyze(
            &Input::from_bytes(long.into_bytes(), false),
            &Limits::default(),
        );
        assert!(script.commands.iter().any(|c| c.program() == Some("rm")));
        // Deep lines go to the big stack; in a debug build the grammar's own stack budget
        // may refuse them first, which is an answer too (fail closed), never a crash.
        let deep = format!("echo {}x{}", "$(".repeat(60), ")".repeat(60));
        let script = analyze(
            &Input::from_bytes(deep.into_bytes(), false),
            &Limits::default(),
        );
        assert!(
            script.commands.iter().any(|c| c.program() == Some("echo"))
                || script.cannot_be_checked(),
            "{script:?}"
        );
    }
}
