//! guardsh's protected state: the one directory that no guarded process tree can change.
//!
//! Whatever guardsh trusts (approvals, trust records, the audit log, the copy of its own
//! binary that hooks and links run, shims and shell links) lives in `/srv/guardsh/<uid>`,
//! a directory that a one-time root step (`sudo guardsh setup`) creates for the user. The
//! kernel boundary (confine.rs) grants write rights on everything except that directory, so
//! inside a guarded tree it reads but cannot be written, by any spelling.
//!
//! Why there: Landlock only grants, so protecting a directory costs its ancestors the right
//! to gain or lose entries (see docs/protection.md). Under `$HOME` that would break
//! `touch ~/x` and every first-run tool; under `/var/lib` or `/etc` it would break package
//! installs that create a directory there. Debian's policy keeps packages out of `/srv`, so
//! the only entries a guarded tree can no longer create are new top-level directories and
//! new directories in `/srv` itself.
//!
//! Without that directory there is nothing the kernel can keep: guardsh says so and works
//! from `$XDG_STATE_HOME` as before, protected by parsing alone.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

/// Where the per-user protected directories live.
pub const ROOT: &str = "/srv/guardsh";

/// Why there is no protected directory to use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Missing {
    /// It was never set up.
    #[error("{0} does not exist (a person sets it up once with `sudo guardsh setup`)")]
    NotSetUp(PathBuf),
    /// It exists but cannot be trusted.
    #[error("{0}")]
    Unsafe(String),
}

/// The user's protected directory, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    dir: PathBuf,
}

impl Protected {
    /// A protected directory at `dir`, unchecked: for unit tests of what uses one.
    #[cfg(test)]
    pub fn for_test(dir: PathBuf) -> Protected {
        Protected { dir }
    }

    /// The directory itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    /// Single-use approvals a person granted (written only outside every guarded tree).
    pub fn approvals(&self) -> PathBuf {
        self.dir.join("approvals")
    }
    /// Trust records: the exact content of files whose loosening a person accepted.
    pub fn trust(&self) -> PathBuf {
        self.dir.join("trust")
    }
    /// The audit log written by guardsh before it starts a guarded tree.
    pub fn audit_log(&self) -> PathBuf {
        self.dir.join("audit.jsonl")
    }
    /// One log per guarded tree, for the decisions made inside it (see audit.rs).
    pub fn spool(&self) -> PathBuf {
        self.dir.join("spool")
    }
    /// The copy of guardsh that hooks, shims and shell links run.
    pub fn binary(&self) -> PathBuf {
        self.dir.join("bin/guardsh")
    }
    /// Shims: links named after the programs they guard.
    pub fn shims(&self) -> PathBuf {
        self.dir.join("shims")
    }
    /// Links named `bash`, `zsh` and `sh` that guard.
    pub fn shell_links(&self) -> PathBuf {
        self.dir.join("shell")
    }
}

/// The parent of the per-user directories: [`ROOT`], or in a debug build the directory
/// named by `GUARDSH_TEST_PROTECTED_ROOT`. Only debug builds (the tests') read it: in a
/// release build an agent that sets variables could otherwise point guardsh at approvals it
/// wrote itself.
pub fn root() -> PathBuf {
    #[cfg(debug_assertions)]
    if let Some(dir) = std::env::var_os("GUARDSH_TEST_PROTECTED_ROOT").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    PathBuf::from(ROOT)
}

fn test_root() -> bool {
    cfg!(debug_assertions) && std::env::var_os("GUARDSH_TEST_PROTECTED_ROOT").is_some()
}

/// The current user's protected directory, if it is set up and safe to trust.
pub fn protected() -> Result<Protected, Missing> {
    let uid = rustix::process::geteuid().as_raw();
    let parent = root();
    let dir = parent.join(uid.to_string());
    check(&parent, &dir, uid)?;
    Ok(Protected { dir })
}

/// Check that `dir` is a real directory of `uid`'s that only `uid` can write, in a `parent`
/// that only root can change (so nobody else can swap `dir` for theirs).
fn check(parent: &Path, dir: &Path, uid: u32) -> Result<(), Missing> {
    let unsafe_ = |why: String| Err(Missing::Unsafe(why));
    let p = match std::fs::symlink_metadata(parent) {
        Ok(m) => m,
        Err(_) => return Err(Missing::NotSetUp(dir.to_path_buf())),
    };
    let parent_owner_ok = p.uid() == 0 || (test_root() && p.uid() == uid);
    if !p.is_dir() || !parent_owner_ok || p.mode() & 0o022 != 0 {
        return unsafe_(format!(
            "{} must be a directory owned by root that only root can write",
            parent.display()
        ));
    }
    let d = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(_) => return Err(Missing::NotSetUp(dir.to_path_buf())),
    };
    // Others may pass through (0711), to run the protected copy from a system-wide hook;
    // they can neither list it nor read what is in it.
    if !d.is_dir() || d.uid() != uid || d.mode() & 0o066 != 0 {
        return unsafe_(format!(
            "{} must be a directory (not a link) of the user's own that only they can read \
             and write (mode 0711 or 0700)",
            dir.display()
        ));
    }
    Ok(())
}

/// `guardsh setup`: create the protected directory for `uid` (with `gid`), its parts, and a
/// copy of the running binary. Run by root; returns what was done, line by line.
pub fn setup(uid: u32, gid: u32, binary: &Path) -> Result<Vec<String>, String> {
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    let me = rustix::process::geteuid().as_raw();
    if me != 0 && !test_root() {
        return Err(
            "setup needs root: it creates a directory outside the home directory that only the \
             kernel boundary guards; run `sudo guardsh setup`"
                .to_owned(),
        );
    }
    let parent = root();
    let dir = parent.join(uid.to_string());
    let mut done = Vec::new();
    let mkdir = |path: &Path, mode: u32| -> Result<bool, String> {
        match std::fs::DirBuilder::new().mode(mode).create(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(format!("cannot create {}: {e}", path.display())),
        }
    };
    let chown = |path: &Path, uid: u32, gid: u32| -> Result<(), String> {
        std::os::unix::fs::lchown(path, Some(uid), Some(gid))
            .map_err(|e| format!("cannot give {} to uid {uid}: {e}", path.display()))
    };
    if mkdir(&parent, 0o755)? {
        done.push(format!("created {}", parent.display()));
    }
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("{}: {e}", parent.display()))?;
    if mkdir(&dir, 0o711)? {
        done.push(format!("created {}", dir.display()));
    }
    chown(&dir, uid, gid)?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o711))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let p = Protected { dir: dir.clone() };
    for sub in [
        p.approvals(),
        p.trust(),
        p.spool(),
        p.shims(),
        p.shell_links(),
    ] {
        mkdir(&sub, 0o700)?;
        chown(&sub, uid, gid)?;
    }
    // The log exists from the start, append-only: then not even the user's own processes
    // outside every tree (an agent's file tools) can truncate or remove it.
    let log = p.audit_log();
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        let file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&log)
            .map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        chown(&log, uid, gid)?;
        if crate::confine::append_only(&file) {
            done.push(format!("made {} append-only", log.display()));
        } else {
            done.push(format!(
                "could not make {} append-only (its file system has no inode flags, or this \
                 process lacks CAP_LINUX_IMMUTABLE): guarded commands still cannot change it",
                log.display()
            ));
        }
    }
    // The binary and its directory stay root's: the user's own processes outside the tree
    // (an agent's file-editing tools among them) cannot replace what the hooks run.
    let bin = p.binary();
    if let Some(bin_dir) = bin.parent() {
        mkdir(bin_dir, 0o755)?;
    }
    let staged = bin.with_extension("new");
    let _ = std::fs::remove_file(&staged);
    // Tests set up one protected directory each; a link spares them a copy of the (large)
    // debug binary. A real setup always copies, so the user cannot change what runs.
    if !(test_root() && std::fs::hard_link(binary, &staged).is_ok()) {
        std::fs::copy(binary, &staged)
            .map_err(|e| format!("cannot copy {}: {e}", binary.display()))?;
    }
    std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("{}: {e}", staged.display()))?;
    std::fs::rename(&staged, &bin).map_err(|e| format!("{}: {e}", bin.display()))?;
    done.push(format!("installed {}", bin.display()));
    check(&parent, &dir, uid).map_err(|e| e.to_string())?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_others_can_write_is_not_trusted() {
        use std::os::unix::fs::PermissionsExt as _;
        let base = std::env::temp_dir().join(format!("guardsh-state-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let uid = rustix::process::geteuid().as_raw();
        let dir = base.join(uid.to_string());
        assert!(matches!(check(&base, &dir, uid), Err(Missing::NotSetUp(_))));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        // Only root may own the parent outside tests; as root, the mode decides.
        if uid == 0 {
            assert!(matches!(check(&base, &dir, uid), Err(Missing::Unsafe(_))));
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o711)).expect("chmod");
            assert_eq!(check(&base, &dir, uid), Ok(()));
            std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o777)).expect("chmod");
            assert!(matches!(check(&base, &dir, uid), Err(Missing::Unsafe(_))));
        }
        let _ = std::fs::remove_dir_all(&base);
    }
}
