//! `guardsh shell install`: links named `bash`, `zsh` and `sh` to guardsh, in a directory of
//! their own. Agents pick their shell by name (Claude Code accepts only a path that names
//! bash or zsh; Codex recognises shells by name), and guardsh dispatches on `argv[0]`: called
//! as `bash`, it guards, then runs the real bash found on PATH after skipping its own
//! directory. One binary, no forwarding scripts.

use std::path::{Path, PathBuf};

/// The names linked.
pub const NAMES: &[&str] = &["bash", "zsh", "sh"];

/// Create (or refresh) the links in `dir` (default `~/.local/share/guardsh/bin`) and return
/// what to tell the user.
pub fn install(dir: Option<&Path>) -> Result<String, String> {
    let dir: PathBuf = match dir {
        Some(d) => d.to_path_buf(),
        None => crate::paths::shell_bin_dir().ok_or("no home directory; pass --dir")?,
    };
    let own = crate::paths::guardsh_binary()
        .map_err(|e| format!("cannot find guardsh's own binary: {e}"))?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for name in NAMES {
        let link = dir.join(name);
        match std::fs::symlink_metadata(&link) {
            Ok(meta) if meta.file_type().is_symlink() => {
                if std::fs::canonicalize(&link).ok().as_deref() == Some(own.as_path()) {
                    continue;
                }
                std::fs::remove_file(&link)
                    .map_err(|e| format!("cannot replace {}: {e}", link.display()))?;
            }
            Ok(_) => {
                return Err(format!(
                    "{} exists and is not a link to guardsh; not touching it",
                    link.display()
                ));
            }
            Err(_) => {}
        }
        std::os::unix::fs::symlink(&own, &link)
            .map_err(|e| format!("cannot link {}: {e}", link.display()))?;
    }
    let bash = dir.join("bash");
    Ok(format!(
        "guardsh: linked bash, zsh and sh in {dir} to {own}.\n\
         Give your agent the guarded shell:\n  \
         Claude Code: CLAUDE_CODE_SHELL={bash}\n  \
         anything that runs $SHELL -c: SHELL={bash}\n\
         The real shell is found on PATH after {dir}, so keep {dir} out of PATH, or after the real shells.\n",
        dir = dir.display(),
        own = own.display(),
        bash = bash.display(),
    ))
}
