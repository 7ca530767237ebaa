//! `guardsh confine -- PROGRAM ARGS`: start the agent itself inside the kernel boundary.
//!
//! Shell mode and shims confine the commands an agent runs through them, but an agent also
//! acts on its own: its file-editing tools, its language servers, anything it starts
//! without a shell. Started through this, the agent process and everything it starts sit
//! inside one Landlock domain, so none of them can change guardsh's protected state, by
//! any spelling. The program is not judged (it is the agent, chosen by the person); what it
//! runs is, by guardsh as its shell or hook, in domains nested inside this one.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::confine::Level;
use crate::exit;
use crate::guard::say;

/// Confine, then exec `program` with `args`; returns only when that failed.
pub fn run(program: &OsString, args: Vec<OsString>) -> u8 {
    let shown = program.to_string_lossy().into_owned();
    let real = if shown.contains('/') {
        PathBuf::from(program)
    } else {
        match crate::exec::find_on_path(&shown, &std::env::var_os("PATH").unwrap_or_default()) {
            Ok(p) => p,
            Err(e) => {
                say(&e.to_string());
                return 127;
            }
        }
    };
    let boundary = crate::confine::before_exec();
    if let Level::ParseOnly(why) = &boundary.level {
        say(&format!(
            "refused to start {shown}: it would run outside the kernel boundary ({why}); set up \
             the protected directory with `sudo guardsh setup`, or start it without `guardsh \
             confine`"
        ));
        return exit::REFUSED;
    }
    let err = crate::exec::exec_with(&real, program, &args, None, &boundary.env);
    say(&err.to_string());
    exit::REFUSED
}
