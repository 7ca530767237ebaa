//! Subcommands, one file each: read the arguments, call the library, render, act.

pub mod backup;
pub mod mcp;
