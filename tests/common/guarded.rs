//! A protected directory for one test, set up the way a person sets it up with
#![allow(dead_code)] // each test binary uses part of it
//! `sudo guardsh setup`, so that guardsh runs with the kernel boundary as it would on a
//! machine set up for an agent. Included with `#[path]` by the tests that start guardsh.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable (read by debug builds only) that moves the protected root.
pub const ROOT_VAR: &str = "GUARDSH_TEST_PROTECTED_ROOT";

/// A protected root for one test, removed when dropped. It lives in `/var/tmp`, outside
/// `/tmp` and outside any test home or clone (which may itself sit in `/tmp`): inside a
/// guarded tree the ancestors of the protected directory can no longer gain entries, and
/// the tests' commands create files in `/tmp` (mktemp, tac) and in their homes.
pub struct Protected {
    /// The parent of the per-user directory (what `GUARDSH_TEST_PROTECTED_ROOT` names).
    pub root: PathBuf,
}

impl Protected {
    /// Run `guardsh setup` into a new root named after `tag`.
    pub fn new(guardsh: &str, tag: &str) -> Protected {
        let base = Path::new("/var/tmp/guardsh-tests");
        if std::fs::create_dir(base).is_ok() {
            // Shared by every user who runs the tests, like /var/tmp itself.
            use std::os::unix::fs::PermissionsExt as _;
            let _ = std::fs::set_permissions(base, std::fs::Permissions::from_mode(0o1777));
        }
        let root = base.join(format!(
            "protected-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let out = Command::new(guardsh)
            .arg("setup")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env(ROOT_VAR, &root)
            .output()
            .expect("guardsh setup runs");
        assert!(
            out.status.success(),
            "guardsh setup: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Protected { root }
    }

    /// The per-user directory inside the root.
    pub fn dir(&self) -> PathBuf {
        self.root
            .join(rustix::process::geteuid().as_raw().to_string())
    }
}

impl Protected {
    /// The text of the main audit log, then of each spool (oldest name first).
    pub fn logs(&self) -> Vec<String> {
        let dir = self.dir();
        let mut spools: Vec<PathBuf> = std::fs::read_dir(dir.join("spool"))
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        spools.sort();
        std::iter::once(dir.join("audit.jsonl"))
            .chain(spools)
            .map(|p| std::fs::read_to_string(p).unwrap_or_default())
            .collect()
    }
}

impl Drop for Protected {
    fn drop(&mut self) {
        clear_append_only(&self.root);
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Whether `path` carries the append-only inode flag.
pub fn is_append_only(path: &Path) -> bool {
    std::fs::File::open(path)
        .ok()
        .and_then(|f| rustix::fs::ioctl_getflags(&f).ok())
        .is_some_and(|flags| flags.contains(rustix::fs::IFlags::APPEND))
}

/// Take the append-only flag off one file (a test that checks what Landlock alone holds).
pub fn clear_append_only_file(path: &Path) {
    if let Ok(f) = std::fs::File::open(path)
        && let Ok(flags) = rustix::fs::ioctl_getflags(&f)
    {
        let _ = rustix::fs::ioctl_setflags(&f, flags - rustix::fs::IFlags::APPEND);
    }
}

/// Clear the append-only flag guardsh sets on its logs, so the directory can be removed
/// (the test runs with the capability that takes, or the flag was never set).
fn clear_append_only(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => clear_append_only(&path),
            Ok(t) if t.is_file() => {
                if let Ok(f) = std::fs::File::open(&path)
                    && let Ok(flags) = rustix::fs::ioctl_getflags(&f)
                    && flags.contains(rustix::fs::IFlags::APPEND)
                {
                    let _ = rustix::fs::ioctl_setflags(&f, flags - rustix::fs::IFlags::APPEND);
                }
            }
            _ => {}
        }
    }
}
