//! The agents' system-wide settings: whether a file there is out of the user's reach, and
//! writing one so that it is.
//!
//! guardsh runs as the agent's user, so a hook in that user's settings is only as safe as
//! the user's files: the agent can rewrite them. A hook in a file that only root can change
//! is not. "Only root can change it" is checked by ownership and mode, not assumed from the
//! path: the file, and every directory above it, must belong to the owner of the system root
//! (`/`, root) and be writable by no one else, and a link is judged by where it leads too.

use std::io;
use std::path::{Path, PathBuf};

use super::paths::system_root;

/// Mode of the directories guardsh creates for a system settings file.
pub(crate) const DIR_MODE: u32 = 0o755;
/// Mode of a system settings file: the agent, running as any user, must read it.
pub(crate) const FILE_MODE: u32 = 0o644;

/// `Ok` when `path` and every directory above it, up to the system root, can be changed only
/// by the owner of the system root; otherwise what lets someone else change it. With
/// `allow_missing`, parts that do not exist yet (a file `install` is about to create) are
/// skipped.
pub(crate) fn protected(path: &Path, allow_missing: bool) -> Result<(), String> {
    let root = system_root();
    let owner = owner_of(&root).map_err(|e| format!("cannot read {}: {e}", root.display()))?;
    checked(path, owner, allow_missing)
}

/// `Ok` when the program a hook runs can be replaced only by root: otherwise the agent's
/// user could swap it for one that lets everything through.
pub(crate) fn protected_program(path: &Path) -> Result<(), String> {
    checked(path, 0, false)
}

/// What to tell the person when the program a system hook runs is not root's alone: the
/// system file then protects the hook's place, not what the hook runs.
pub(crate) fn program_note(program: &Path, why: &str) -> String {
    let in_protected = crate::state::protected().is_ok_and(|p| program == p.binary());
    if in_protected {
        // The protected copy is root's, but the per-user directory above it is the user's:
        // guarded trees cannot touch it (the kernel), the user's other processes could.
        format!(
            "the hook runs {}, guardsh's protected copy: no command guardsh starts can \
             replace it, but the user's own processes outside every guarded tree could ({why}); \
             guardsh refuses the agent's edit tools there, and `guardsh confine -- AGENT` puts \
             the agent itself inside the boundary",
            program.display()
        )
    } else {
        format!(
            "the hook runs {}, which a user could replace ({why}); for a hook the agent \
             cannot get around, run `sudo guardsh setup` (or install guardsh where only root \
             can write) and install the hook again",
            program.display()
        )
    }
}

fn checked(path: &Path, owner: u32, allow_missing: bool) -> Result<(), String> {
    // The path as written (each link, as a link), then where it leads.
    check_chain(path, owner, allow_missing, false)?;
    match path.canonicalize() {
        Ok(real) if real != path => check_chain(&real, owner, allow_missing, true),
        Ok(_) => Ok(()),
        Err(e) if allow_missing && e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot resolve {}: {e}", path.display())),
    }
}

/// Each existing component of `path`, from the file up to the system root (`/` for a path
/// outside it).
fn check_chain(path: &Path, owner: u32, allow_missing: bool, follow: bool) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt as _;
    let root = system_root();
    let stop = if path.starts_with(&root) {
        root
    } else {
        PathBuf::from("/")
    };
    for part in path.ancestors() {
        if part.as_os_str().is_empty() || !part.starts_with(&stop) {
            break;
        }
        let meta = if follow {
            std::fs::metadata(part)
        } else {
            std::fs::symlink_metadata(part)
        };
        let meta = match meta {
            Ok(m) => m,
            Err(e) if allow_missing && e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot read {}: {e}", part.display())),
        };
        let shown = part.display();
        if meta.uid() != owner {
            return Err(format!(
                "{shown} belongs to uid {}, not to uid {owner}",
                meta.uid()
            ));
        }
        // A link's own mode means nothing: what counts is who may replace it (the directory
        // it is in, checked next) and where it leads (checked when following).
        if meta.file_type().is_symlink() {
            continue;
        }
        let mode = meta.mode();
        // A sticky directory (/tmp) lets others add entries but not replace this one, whose
        // owner was checked one step down.
        let sticky = meta.is_dir() && mode & 0o1000 != 0;
        if mode & 0o022 != 0 && !sticky {
            return Err(format!(
                "{shown} can be written by its group or by everyone (mode {:o})",
                mode & 0o7777
            ));
        }
    }
    Ok(())
}

fn owner_of(path: &Path) -> io::Result<u32> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(path).map(|m| m.uid())
}

/// Create the directory a system settings file goes in, each new level with
/// [`DIR_MODE`] whatever the umask (a root umask of 077 would hide the file from the agent).
pub(crate) fn create_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mut missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|p| !p.as_os_str().is_empty() && !p.exists())
        .map(Path::to_path_buf)
        .collect();
    missing.reverse();
    for level in missing {
        match std::fs::create_dir(&level) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
        std::fs::set_permissions(&level, std::fs::Permissions::from_mode(DIR_MODE))?;
    }
    Ok(())
}

/// Give a written system settings file (or its backup) [`FILE_MODE`].
pub(crate) fn set_file_mode(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(FILE_MODE))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("guardsh-system-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    #[test]
    fn a_file_others_can_write_is_not_protected() {
        let dir = scratch("mode");
        let file = dir.join("f.json");
        std::fs::write(&file, "{}").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        let why = check_chain(&file, owner_of(&file).expect("owner"), false, false)
            .expect_err("world-writable");
        assert!(why.contains("can be written"), "{why}");
        set_file_mode(&file).expect("chmod");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o775)).expect("chmod");
        let why = check_chain(&file, owner_of(&file).expect("owner"), false, false)
            .expect_err("group-writable directory");
        assert!(why.contains(&dir.display().to_string()), "{why}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn another_owner_is_not_protected() {
        let dir = scratch("owner");
        let file = dir.join("f.json");
        std::fs::write(&file, "{}").expect("write");
        let mine = owner_of(&file).expect("owner");
        let why = check_chain(&file, mine + 1, false, false).expect_err("owned by someone else");
        assert!(why.contains("belongs to uid"), "{why}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn new_directories_get_their_mode_whatever_the_umask() {
        let dir = scratch("mkdir");
        let deep = dir.join("a/b");
        create_dir(&deep).expect("create");
        for level in [dir.join("a"), deep] {
            let mode = std::fs::metadata(&level)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o7777, DIR_MODE, "{}", level.display());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
