//! The backup store: one directory per backup, `<id>/manifest.json` and `<id>/data/`, in
//! protected state (`/srv/guardsh/<uid>/backups`), which only a process outside every
//! guarded tree can write. Every stored file's SHA-256 is recorded when the backup is
//! taken and checked before a restore.
//!
//! A backup is written under `<id>.partial` and renamed when complete, so a crash or a
//! failed helper never leaves something that looks restorable.

use std::io::Read as _;
use std::os::unix::fs::DirBuilderExt as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::{Context, Error, Insure, Restore};
use crate::rules::raw::BackupKind;

/// A taken backup, as recorded in its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Its id: `YYYYMMDD-HHMMSS-xxxxxx`.
    pub id: String,
    /// The kind of backup.
    pub kind: BackupKind,
    /// What was backed up (a path, a repository, a database, a volume).
    pub target: String,
    /// Bytes stored.
    pub bytes: u64,
    /// Where the data is.
    pub location: PathBuf,
    /// When it was taken (RFC 3339, UTC).
    pub created: String,
    /// The same, in seconds since the epoch (for retention).
    pub created_at: u64,
    /// Nanoseconds within that second: backups of one line keep their order.
    #[serde(default)]
    pub created_nanos: u32,
    /// The rule whose match asked for it.
    pub rule: String,
    /// The command it insures.
    pub command: String,
    /// The whole line that command is part of.
    pub line: String,
    /// Where the line runs.
    pub cwd: PathBuf,
    /// How to put it back.
    pub restore: Restore,
    /// Every stored file, with its size and SHA-256.
    pub sums: Vec<Sum>,
}

/// One stored file's checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sum {
    /// Path inside the data directory.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
}

/// The store.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    /// The store is in protected state (else: the parse-only fallback, which the agent's
    /// user can write).
    pub protected: bool,
}

/// A manifest is small; one over this is not ours.
const MANIFEST_CAP: u64 = 16 << 20;

impl Store {
    /// The store, to read from.
    pub fn open() -> Result<Store, Error> {
        match crate::state::protected() {
            Ok(p) => Ok(Store {
                dir: p.dir().join("backups"),
                protected: true,
            }),
            Err(missing) => match crate::paths::state_dir() {
                Some(d) => Ok(Store {
                    dir: d.join("backups"),
                    protected: false,
                }),
                None => Err(Error::Store(missing.to_string())),
            },
        }
    }

    /// The store, to write to: refused inside a guarded tree, whose boundary keeps
    /// protected state read-only.
    pub fn open_for_writing() -> Result<Store, Error> {
        if let Ok(p) = crate::state::protected()
            && crate::confine::inside(&p)
        {
            return Err(Error::Store(
                "this runs inside a command tree guardsh guards, which cannot write guardsh's \
                 protected state; a person takes the backup when approving the request \
                 (`guardsh approve ID`) from a terminal of their own"
                    .to_owned(),
            ));
        }
        let store = Store::open()?;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&store.dir)
            .map_err(|e| Error::Store(format!("{}: {e}", store.dir.display())))?;
        Ok(store)
    }

    /// Where the store is.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The data directory of backup `id`.
    pub fn data_dir(&self, id: &str) -> PathBuf {
        self.dir.join(id).join("data")
    }

    /// Start a backup for `need`.
    pub fn draft(&self, need: &Insure, ctx: &Context) -> Result<Draft, Error> {
        for _ in 0..8 {
            let id = new_id();
            let partial = self.dir.join(format!("{id}.partial"));
            match std::fs::DirBuilder::new().mode(0o700).create(&partial) {
                Ok(()) => {
                    let data = partial.join("data");
                    std::fs::DirBuilder::new()
                        .mode(0o700)
                        .create(&data)
                        .map_err(|e| Error::Store(format!("{}: {e}", data.display())))?;
                    return Ok(Draft {
                        store: self.clone(),
                        id,
                        partial,
                        data,
                        kind: need.kind,
                        rule: need.rule.clone(),
                        command: need.command.clone(),
                        line: ctx.line.clone(),
                        cwd: ctx.cwd.clone(),
                        max_bytes: ctx.max_bytes,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::Store(format!("{}: {e}", partial.display()))),
            }
        }
        Err(Error::Store("no free backup id".to_owned()))
    }

    /// The record of backup `id`.
    pub fn load(&self, id: &str) -> Result<Record, Error> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(Error::NoBackup(id.to_owned()));
        }
        let path = self.dir.join(id).join("manifest.json");
        let bytes =
            crate::capped::read(&path, MANIFEST_CAP).map_err(|_| Error::NoBackup(id.to_owned()))?;
        serde_json::from_slice(&bytes).map_err(|_| Error::NoBackup(id.to_owned()))
    }

    /// Every complete backup, oldest first.
    pub fn list(&self) -> Vec<Record> {
        let mut out: Vec<Record> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !n.ends_with(".partial"))
            .filter_map(|n| self.load(&n).ok())
            .collect();
        out.sort_by(|a, b| {
            (a.created_at, a.created_nanos, &a.id).cmp(&(b.created_at, b.created_nanos, &b.id))
        });
        out
    }

    /// Check every stored file of `record` against its checksum.
    pub fn verify(&self, record: &Record) -> Result<(), Error> {
        let data = self.data_dir(&record.id);
        let damaged = |why: String| Error::Damaged {
            id: record.id.clone(),
            why,
        };
        for s in &record.sums {
            let (bytes, sha) = digest_file(&data.join(&s.path))
                .map_err(|e| damaged(format!("{}: {e}", s.path)))?;
            if bytes != s.bytes || sha != s.sha256 {
                return Err(damaged(format!("{} changed since it was stored", s.path)));
            }
        }
        Ok(())
    }

    /// Remove backup `id`.
    pub fn remove(&self, id: &str) -> Result<(), Error> {
        let record = self.load(id)?;
        std::fs::remove_dir_all(self.dir.join(&record.id))
            .map_err(|e| Error::Store(format!("{}: {e}", record.id)))
    }

    /// Remove backups taken before `before` (seconds since the epoch), and leftovers of
    /// backups that never completed; returns the ids removed.
    pub fn prune(&self, before: u64) -> Vec<String> {
        let mut removed = Vec::new();
        for r in self.list() {
            if r.created_at < before && self.remove(&r.id).is_ok() {
                removed.push(r.id);
            }
        }
        for e in std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
        {
            let name = e.file_name().to_string_lossy().into_owned();
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .is_some_and(|d| {
                    d.as_secs() < before.min(crate::clock::now().saturating_sub(3600))
                });
            if name.ends_with(".partial") && old && std::fs::remove_dir_all(e.path()).is_ok() {
                removed.push(name);
            }
        }
        removed
    }
}

/// A backup being taken.
#[derive(Debug)]
pub struct Draft {
    store: Store,
    /// Its id.
    pub id: String,
    partial: PathBuf,
    /// Where its data goes.
    pub data: PathBuf,
    kind: BackupKind,
    rule: String,
    command: String,
    line: String,
    cwd: PathBuf,
    /// The cap on what it may copy.
    pub max_bytes: u64,
}

impl Draft {
    /// Give up: remove what was written.
    pub fn discard(self) {
        let _ = std::fs::remove_dir_all(&self.partial);
    }

    /// Record checksums, write the manifest, and make the backup visible.
    pub fn finish(self, restore: Restore, target: String) -> Result<Record, Error> {
        let mut sums = Vec::new();
        if let Err(e) = sum_tree(&self.data, &self.data, &mut sums) {
            let why = format!("checksums: {e}");
            self.discard();
            return Err(Error::Store(why));
        }
        let created_at = crate::clock::now();
        let created_nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let record = Record {
            id: self.id.clone(),
            kind: self.kind,
            target,
            bytes: sums.iter().map(|s| s.bytes).sum(),
            location: self.store.data_dir(&self.id),
            created: crate::clock::rfc3339(created_at),
            created_at,
            created_nanos,
            rule: self.rule.clone(),
            command: self.command.clone(),
            line: self.line.clone(),
            cwd: self.cwd.clone(),
            restore,
            sums,
        };
        let json = serde_json::to_vec_pretty(&record).map_err(|e| Error::Store(e.to_string()))?;
        let written = write_private(&self.partial.join("manifest.json"), &json)
            .and_then(|()| std::fs::rename(&self.partial, self.store.dir.join(&self.id)));
        if let Err(e) = written {
            let why = format!("{}: {e}", self.partial.display());
            self.discard();
            return Err(Error::Store(why));
        }
        Ok(record)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Checksums of every regular file under `dir`, paths relative to `root`.
fn sum_tree(root: &Path, dir: &Path, out: &mut Vec<Sum>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let ty = e.file_type()?;
        let path = e.path();
        if ty.is_dir() {
            sum_tree(root, &path, out)?;
        } else if ty.is_file() {
            let (bytes, sha256) = digest_file(&path)?;
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(Sum {
                path: rel.to_string_lossy().into_owned(),
                bytes,
                sha256,
            });
        }
    }
    Ok(())
}

/// Size and SHA-256 of a file, read in chunks.
fn digest_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut f = std::fs::File::open(path)?;
    let mut hash = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hash.update(buf.get(..n).unwrap_or(&[]));
    }
    let hex = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((total, hex))
}

/// A new id: the time it was taken, then random hex.
fn new_id() -> String {
    use std::hash::{BuildHasher as _, Hash as _, Hasher as _};
    let now = crate::clock::now();
    let stamp = crate::clock::rfc3339(now);
    // `2026-12-07T10:15:00Z` → `20261207-101500`.
    let digits: String = stamp.chars().filter(char::is_ascii_digit).collect();
    let (date, time) = digits.split_at(digits.len().min(8));
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    now.hash(&mut h);
    std::process::id().hash(&mut h);
    format!("{date}-{time}-{:06x}", h.finish() & 0xff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_are_safe_names() {
        let id = new_id();
        assert_eq!(id.len(), "20261207-101500-abcdef".len(), "{id}");
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }

    #[test]
    fn a_changed_file_is_found_damaged() {
        let dir = std::env::temp_dir().join(format!("guardsh-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("r1/data/sub")).expect("mkdir");
        std::fs::write(dir.join("r1/data/sub/f"), b"hello").expect("write");
        let mut sums = Vec::new();
        sum_tree(&dir.join("r1/data"), &dir.join("r1/data"), &mut sums).expect("sums");
        assert_eq!(sums.len(), 1);
        assert_eq!(sums[0].path, "sub/f");
        assert_eq!(sums[0].bytes, 5);
        let store = Store {
            dir: dir.clone(),
            protected: false,
        };
        let record = Record {
            id: "r1".to_owned(),
            kind: BackupKind::Files,
            target: "x".to_owned(),
            bytes: 5,
            location: dir.join("r1/data"),
            created: String::new(),
            created_at: 0,
            created_nanos: 0,
            rule: String::new(),
            command: String::new(),
            line: String::new(),
            cwd: dir.clone(),
            restore: Restore::Files { entries: vec![] },
            sums,
        };
        assert!(store.verify(&record).is_ok());
        std::fs::write(dir.join("r1/data/sub/f"), b"hellO").expect("write");
        assert!(matches!(store.verify(&record), Err(Error::Damaged { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
