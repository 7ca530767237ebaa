//! Wrappers and nested shells: `sudo`/`env`/`timeout`/`xargs`/`find -exec` … are peeled to
//! the command they run; `bash -c`, `eval`, `ssh host …`, heredocs fed to shells … are
//! re-parsed under the same budget.

use crate::parse::{Budget, Limits, Script};

/// Analyse a top-level command line: parse it, peel wrappers, re-parse nested shells.
///
/// Never panics; every problem is a fatal [`crate::parse::Unknown`] in the result.
pub fn analyze(text: &str, limits: &Limits) -> Script {
    let mut budget = Budget::new(*limits);
    crate::parse::parse_script(text, &[], &mut budget)
}
