//! `guardsh test`: run the examples of the built-in packs or of a user's own.

use std::io::{self, Write};

use crate::cli::TestArgs;
use crate::examples;
use crate::rules::{RuleError, RuleSet, builtin, load_pack};
use crate::term::escape;

/// Why the examples could not be run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A pack file could not be read (or is not a regular file, or is over the cap).
    #[error(transparent)]
    Read(#[from] crate::capped::Error),
    /// A pack is broken.
    #[error(transparent)]
    Rules(#[from] RuleError),
    /// The output could not be written.
    #[error("cannot write the output: {0}")]
    Write(#[source] io::Error),
}

impl Error {
    /// The exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Rules(_) => crate::exit::CONFIG,
            _ => crate::exit::FAILURE,
        }
    }

    /// The reader of our output went away: not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Load the packs named (or the built-in ones), run their examples, report to `out`.
/// Returns the exit code: 0 when every example holds, 1 when one does not.
pub fn execute(args: &TestArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let set = if args.packs.is_empty() {
        builtin::all()?
    } else {
        let mut packs = Vec::new();
        for path in &args.packs {
            let name = path.display().to_string();
            let text = crate::capped::read_text(path, crate::capped::CONFIG)?;
            packs.push((load_pack(&text, &name)?, name));
        }
        RuleSet::new(packs)?
    };
    let report = examples::run(&set);
    let mut text = String::new();
    for f in &report.failures {
        text.push_str(&format!("FAIL {}\n", escape(&f.to_string())));
    }
    text.push_str(&format!(
        "{} rules, {} examples, {} failed\n",
        set.rules().len(),
        report.checked,
        report.failures.len()
    ));
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Write)?;
    Ok(if report.failures.is_empty() {
        crate::exit::OK
    } else {
        crate::exit::FAILURE
    })
}
