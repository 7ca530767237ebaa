//! Files and directories about to be deleted, overwritten or truncated: copied into the
//! store with their modes and times (a reflink where the filesystem can share the blocks,
//! so a copy of a large file on btrfs or XFS costs no room until one side changes), and put
//! back at the same paths by a restore.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use super::progress::Progress;
use super::store::Draft;
use super::{Context, Error, Insure, Restore, absolute, base_dir};

/// Paths a glob pattern may expand to before the expansion is refused as too wide.
const MAX_MATCHES: usize = 100_000;

/// Copy what `need`'s targets name into `draft`.
pub fn take(need: &Insure, ctx: &Context, draft: &Draft) -> Result<(Restore, String), Error> {
    let unplannable = |why: String| Error::Unplannable {
        command: need.command.clone(),
        why,
    };
    let failed = |why: String| Error::Failed {
        command: need.command.clone(),
        why,
    };
    let base = base_dir(need, ctx)?;
    let mut paths: Vec<PathBuf> = Vec::new();
    for t in &need.targets {
        if t.unknown {
            return Err(unplannable(format!(
                "`{}` is only known when the line runs",
                t.text
            )));
        }
        let path = absolute(&base, &t.text);
        let found = if t.glob {
            expand(&path).map_err(unplannable)?
        } else {
            vec![path]
        };
        for p in found {
            // Written through a link, the file it points to is what is lost; a dangling
            // link points at nothing yet.
            match fs::symlink_metadata(&p) {
                Ok(m) if t.follow && m.file_type().is_symlink() => {
                    if let Ok(real) = fs::canonicalize(&p) {
                        paths.push(real);
                    }
                }
                _ => paths.push(p),
            }
        }
    }
    // What does not exist cannot be lost, nor can a device, FIFO or socket (they hold no
    // stored bytes, and a restore must never move one aside); the same path named twice
    // is copied once.
    paths.retain(|p| {
        fs::symlink_metadata(p).is_ok_and(|m| {
            let ty = m.file_type();
            ty.is_file() || ty.is_dir() || ty.is_symlink()
        })
    });
    paths.sort();
    paths.dedup();
    // A path inside another one already copied comes with it.
    let mut kept: Vec<PathBuf> = Vec::new();
    for p in paths {
        if !kept.iter().any(|k| p.starts_with(k)) {
            kept.push(p);
        }
    }
    let mut total = 0u64;
    for p in &kept {
        total =
            total.saturating_add(size_of(p).map_err(|e| failed(format!("{}: {e}", p.display())))?);
    }
    if total > draft.max_bytes {
        return Err(Error::TooLarge {
            command: need.command.clone(),
            bytes: total,
            cap: draft.max_bytes,
        });
    }
    let mut progress = Progress::new(&format!("backing up {}", describe(&kept)), total);
    let mut entries = Vec::new();
    for (i, p) in kept.iter().enumerate() {
        let name = p
            .file_name()
            .map_or_else(|| "root".to_owned(), |n| n.to_string_lossy().into_owned());
        let stored = format!("{i}/{name}");
        let dest = draft.data.join(&stored);
        fs::create_dir_all(dest.parent().unwrap_or(&draft.data))
            .map_err(|e| failed(e.to_string()))?;
        copy_tree(p, &dest, &mut progress).map_err(|e| failed(format!("{}: {e}", p.display())))?;
        entries.push((p.clone(), stored));
    }
    progress.done();
    Ok((Restore::Files { entries }, describe(&kept)))
}

/// Put every entry back at its original path. Whatever is there now is moved aside to
/// `<path>.guardsh-before-restore` first, so a restore loses nothing either.
pub fn restore(entries: &[(PathBuf, String)], data: &Path) -> Result<(), String> {
    for (original, stored) in entries {
        let from = data.join(stored);
        if fs::symlink_metadata(original).is_ok() {
            let aside = aside_name(original);
            fs::rename(original, &aside).map_err(|e| {
                format!(
                    "{} is in the way and cannot be moved aside: {e}",
                    original.display()
                )
            })?;
        }
        if let Some(parent) = original.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let mut progress = Progress::new(
            &format!("restoring {}", original.display()),
            size_of(&from).unwrap_or(0),
        );
        copy_tree(&from, original, &mut progress)
            .map_err(|e| format!("{}: {e}", original.display()))?;
        progress.done();
    }
    Ok(())
}

/// A free name beside `path` to move what is in the way to.
fn aside_name(path: &Path) -> PathBuf {
    let mut n = 0u32;
    loop {
        let suffix = if n == 0 {
            ".guardsh-before-restore".to_owned()
        } else {
            format!(".guardsh-before-restore.{n}")
        };
        let mut name = path.as_os_str().to_owned();
        name.push(&suffix);
        let candidate = PathBuf::from(name);
        if fs::symlink_metadata(&candidate).is_err() {
            return candidate;
        }
        n += 1;
    }
}

/// The paths, for a message.
fn describe(paths: &[PathBuf]) -> String {
    match paths {
        [] => "nothing (no named file exists)".to_owned(),
        [one] => one.display().to_string(),
        [first, rest @ ..] => format!("{} and {} more", first.display(), rest.len()),
    }
}

/// Bytes under `path`, links not followed.
fn size_of(path: &Path) -> io::Result<u64> {
    let m = fs::symlink_metadata(path)?;
    if !m.is_dir() {
        return Ok(if m.is_file() { m.len() } else { 0 });
    }
    let mut total = 0u64;
    for e in fs::read_dir(path)? {
        total = total.saturating_add(size_of(&e?.path())?);
    }
    Ok(total)
}

/// Copy `from` to `to` (which must not exist), as a backup copies: for other kinds that
/// copy files aside (git's untracked files).
pub(super) fn copy_into(from: &Path, to: &Path) -> io::Result<()> {
    let mut quiet = Progress::new("", 0);
    copy_tree(from, to, &mut quiet)
}

/// Copy `from` to `to` (which must not exist): directories recursively, symbolic links as
/// links, regular files with their bytes; modes and times kept. Other kinds (FIFOs,
/// sockets, devices) hold no data and are skipped.
fn copy_tree(from: &Path, to: &Path, progress: &mut Progress) -> io::Result<()> {
    let m = fs::symlink_metadata(from)?;
    let ty = m.file_type();
    if ty.is_symlink() {
        std::os::unix::fs::symlink(fs::read_link(from)?, to)?;
        return times(to, &m);
    }
    if ty.is_dir() {
        fs::create_dir(to)?;
        // Writable while filling it, whatever its mode: the mode is set after.
        fs::set_permissions(to, fs::Permissions::from_mode(0o700))?;
        let mut children: Vec<_> = fs::read_dir(from)?.collect::<Result<_, _>>()?;
        children.sort_by_key(fs::DirEntry::file_name);
        for c in children {
            copy_tree(&c.path(), &to.join(c.file_name()), progress)?;
        }
        fs::set_permissions(to, fs::Permissions::from_mode(m.mode() & 0o7777))?;
        return times(to, &m);
    }
    if ty.is_file() {
        copy_file(from, to, &m)?;
        progress.add(m.len());
        fs::set_permissions(to, fs::Permissions::from_mode(m.mode() & 0o7777))?;
        return times(to, &m);
    }
    Ok(())
}

/// A file's bytes: a reflink when the filesystem shares blocks, else a copy (which the
/// kernel does in place with `copy_file_range`).
fn copy_file(from: &Path, to: &Path, m: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let src = fs::File::open(from)?;
    let dst = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)?;
    if rustix::fs::ioctl_ficlone(&dst, &src).is_ok() {
        return Ok(());
    }
    drop(dst);
    drop(src);
    fs::remove_file(to)?;
    let copied = fs::copy(from, to)?;
    if copied != m.len() {
        return Err(io::Error::other(format!(
            "copied {copied} of {} bytes (the file changed while it was copied)",
            m.len()
        )));
    }
    Ok(())
}

/// Set `to`'s access and modification times to `m`'s, without following a link.
fn times(to: &Path, m: &fs::Metadata) -> io::Result<()> {
    use rustix::fs::{AtFlags, CWD, Timespec, Timestamps};
    let ts = Timestamps {
        last_access: Timespec {
            tv_sec: m.atime(),
            tv_nsec: m.atime_nsec(),
        },
        last_modification: Timespec {
            tv_sec: m.mtime(),
            tv_nsec: m.mtime_nsec(),
        },
    };
    rustix::fs::utimensat(CWD, to, &ts, AtFlags::SYMLINK_NOFOLLOW).map_err(io::Error::from)
}

/// The paths a glob names now, as the shell expands it: each component with a wildcard is
/// matched against the names in its directory, names starting with `.` only by a pattern
/// that does. A pattern that matches nothing is left as written (bash's default), which then
/// names nothing that exists.
fn expand(pattern: &Path) -> Result<Vec<PathBuf>, String> {
    let mut current: Vec<PathBuf> = vec![PathBuf::new()];
    for comp in pattern.components() {
        let text = comp.as_os_str().to_string_lossy();
        if !crate::rules::glob::shell::has_wildcard(&text) {
            for c in &mut current {
                c.push(comp);
            }
            continue;
        }
        let mut next = Vec::new();
        for dir in &current {
            let Ok(read) = fs::read_dir(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }) else {
                continue;
            };
            for e in read.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') && !text.starts_with('.') {
                    continue;
                }
                if crate::rules::glob::matches(&text, &name) {
                    next.push(dir.join(&name));
                    if next.len() > MAX_MATCHES {
                        return Err(format!(
                            "`{}` names over {MAX_MATCHES} paths",
                            pattern.display()
                        ));
                    }
                }
            }
        }
        current = next;
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("guardsh-files-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).expect("mkdir");
        d
    }

    #[test]
    fn a_tree_comes_back_with_modes_times_and_links() {
        let d = scratch("tree");
        let src = d.join("src");
        fs::create_dir_all(src.join("sub")).expect("mkdir");
        fs::write(src.join("sub/a"), b"alpha").expect("write");
        fs::write(src.join("run.sh"), b"#!/bin/sh\n").expect("write");
        fs::set_permissions(src.join("run.sh"), fs::Permissions::from_mode(0o751)).expect("chmod");
        std::os::unix::fs::symlink("sub/a", src.join("link")).expect("symlink");
        fs::set_permissions(src.join("sub"), fs::Permissions::from_mode(0o705)).expect("chmod");
        let mut p = Progress::new("t", 0);
        copy_tree(&src, &d.join("copy"), &mut p).expect("copy");
        let copy = d.join("copy");
        assert_eq!(fs::read(copy.join("sub/a")).expect("read"), b"alpha");
        assert_eq!(
            fs::metadata(copy.join("run.sh")).expect("meta").mode() & 0o7777,
            0o751
        );
        assert_eq!(
            fs::metadata(copy.join("sub")).expect("meta").mode() & 0o7777,
            0o705
        );
        assert_eq!(
            fs::read_link(copy.join("link")).expect("link"),
            Path::new("sub/a")
        );
        let (a, b) = (
            fs::metadata(src.join("sub/a")).expect("m"),
            fs::metadata(copy.join("sub/a")).expect("m"),
        );
        assert_eq!((a.mtime(), a.mtime_nsec()), (b.mtime(), b.mtime_nsec()));
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn globs_expand_like_the_shell() {
        let d = scratch("glob");
        for n in ["a.log", "b.log", ".hidden.log", "c.txt"] {
            fs::write(d.join(n), b"x").expect("write");
        }
        let mut got = expand(&d.join("*.log")).expect("expand");
        got.sort();
        assert_eq!(got, vec![d.join("a.log"), d.join("b.log")]);
        assert_eq!(
            expand(&d.join(".*.log")).expect("expand"),
            vec![d.join(".hidden.log")]
        );
        assert!(expand(&d.join("*.none")).expect("expand").is_empty());
        let _ = fs::remove_dir_all(&d);
    }
}
