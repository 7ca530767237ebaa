//! guardsh: a shell guard that finds every command a line would run and refuses the
//! destructive ones before anything executes.
//!
//! Data flows one way: text → commands ([`parse`], [`unwrap`]) → report. `run` is the one
//! place where errors become exit codes.

pub mod cli;
pub mod parse;
pub mod unwrap;
