//! Where guardsh keeps its files, following the XDG base directories (via `directories`):
//! configuration in `$XDG_CONFIG_HOME/guardsh` (`~/.config/guardsh`), state (the audit log,
//! pending requests, approvals) in `$XDG_STATE_HOME/guardsh` (`~/.local/state/guardsh`).

use std::path::PathBuf;

use directories::ProjectDirs;

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "guardsh")
}

/// `~/.config/guardsh`, or `None` when there is no home directory to put it in.
pub fn config_dir() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().to_path_buf())
}

/// `~/.local/state/guardsh` (the data directory where the platform has no state directory).
pub fn state_dir() -> Option<PathBuf> {
    dirs().map(|d| {
        d.state_dir()
            .map_or_else(|| d.data_local_dir().to_path_buf(), |s| s.to_path_buf())
    })
}

/// The append-only audit log.
pub fn audit_log() -> Option<PathBuf> {
    state_dir().map(|d| d.join("audit.jsonl"))
}

/// Requests waiting for a human's approval, one file each.
pub fn requests_dir() -> Option<PathBuf> {
    state_dir().map(|d| d.join("requests"))
}

/// Single-use approvals a human granted.
pub fn approvals_dir() -> Option<PathBuf> {
    state_dir().map(|d| d.join("approvals"))
}

/// Where `guardsh shell install` puts the links named `bash`, `zsh` and `sh`: the protected
/// directory's when it is set up (no guarded tree can remove them there), else
/// `~/.local/share/guardsh/bin`.
pub fn shell_bin_dir() -> Option<PathBuf> {
    if let Ok(p) = crate::state::protected() {
        return Some(p.shell_links());
    }
    dirs().map(|d| d.data_local_dir().join("bin"))
}

/// Where `guardsh shim add` puts the links named after the programs it guards: the
/// protected directory's when it is set up, else `~/.local/share/guardsh/shims`.
pub fn shim_dir() -> Option<PathBuf> {
    if let Ok(p) = crate::state::protected() {
        return Some(p.shims());
    }
    dirs().map(|d| d.data_local_dir().join("shims"))
}

/// The guardsh binary that hooks, shims, links and the shell integration should run: the
/// protected copy `guardsh setup` made (which no guarded tree can replace), else this one.
pub fn guardsh_binary() -> std::io::Result<PathBuf> {
    if let Ok(p) = crate::state::protected()
        && p.binary().is_file()
    {
        return Ok(p.binary());
    }
    std::env::current_exe().and_then(std::fs::canonicalize)
}

/// The directory the system's files are found under: `/`.
///
/// Tests cannot write `/etc`, so a debug build reads `GUARDSH_TEST_SYSTEM_ROOT` instead. Only a
/// debug build: an agent can set environment variables for the commands it runs, and a
/// release guardsh that honoured the variable could be told to read its system policy, or
/// install its "system" hook, in a directory the agent owns, or `doctor` to vouch for one.
pub fn system_root() -> PathBuf {
    #[cfg(debug_assertions)]
    if let Some(root) = std::env::var_os("GUARDSH_TEST_SYSTEM_ROOT").map(PathBuf::from)
        && root.is_absolute()
    {
        return root;
    }
    PathBuf::from("/")
}
