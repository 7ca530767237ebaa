//! Insurance: what a person's confirmed destructive line is about to destroy, copied first,
//! so that `guardsh restore ID` can bring it back.
//!
//! The rules say what each destructive command needs (`backup:` in a pack, read off the
//! command by rules/insure.rs into [`Insure`]); this layer takes those backups and restores
//! them. It never parses the line. Each kind lives in its own file: files and directories
//! (files.rs), git (git.rs), databases (db.rs), Terraform, Kubernetes and Railway
//! (cloud.rs). The store (store.rs) lives in protected state, which no guarded tree can
//! write: a backup outlives the agent that caused it.
//!
//! Fail closed: a backup a line needs that cannot be taken stops the line. A person can
//! decline the insurance explicitly (`guardsh approve --no-backup`), and that is logged.

mod cloud;
mod db;
mod files;
mod git;
mod progress;
pub mod store;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::rules::insure::Insure;
pub use crate::rules::raw::BackupKind;
pub use progress::human as human_bytes;
pub use store::{Record, Store};

/// Why a backup could not be taken or restored.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store cannot be written from here (inside a guarded tree) or at all.
    #[error("the backup store cannot be used: {0}")]
    Store(String),
    /// What the command destroys is only known when it runs.
    #[error("cannot back up `{command}`: {why}")]
    Unplannable {
        /// The command as written.
        command: String,
        /// Why.
        why: String,
    },
    /// A helper program failed, or a copy did.
    #[error("backing up `{command}` failed: {why}")]
    Failed {
        /// The command as written.
        command: String,
        /// Why.
        why: String,
    },
    /// The backup is larger than the configured cap.
    #[error(
        "backing up `{command}` would copy {bytes} bytes, over the cap of {cap} (config `backup.max_bytes`); a person can raise it, or approve with `--no-backup`"
    )]
    TooLarge {
        /// The command as written.
        command: String,
        /// What it would copy.
        bytes: u64,
        /// The cap.
        cap: u64,
    },
    /// No such backup, or its record is broken.
    #[error("no backup `{0}`")]
    NoBackup(String),
    /// A stored file no longer has the checksum recorded when it was taken.
    #[error("backup `{id}` is damaged: {why}")]
    Damaged {
        /// The backup.
        id: String,
        /// What does not match.
        why: String,
    },
    /// Restoring failed.
    #[error("restoring `{id}` failed: {why}")]
    Restore {
        /// The backup.
        id: String,
        /// Why.
        why: String,
    },
}

/// What every backup of one line shares.
#[derive(Debug, Clone)]
pub struct Context {
    /// The line, as it will run.
    pub line: String,
    /// Where it runs.
    pub cwd: PathBuf,
    /// Above this many bytes a backup is refused (`backup.max_bytes`).
    pub max_bytes: u64,
}

/// The default cap on one backup: 1 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// How a backup's data is put back: what each kind needs to know, recorded with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Restore {
    /// Copies of files and directories, each put back at its original path.
    Files {
        /// `(original absolute path, path inside the backup's data directory)`.
        entries: Vec<(PathBuf, String)>,
    },
    /// A git repository's uncommitted work, and untracked files the command removes.
    GitWork {
        /// The repository's top directory.
        repo: PathBuf,
        /// The stash-like commit of index and working tree (`git stash create`), when
        /// there were changes to tracked files.
        commit: Option<String>,
        /// HEAD when the backup was taken.
        head: String,
        /// Untracked files copied aside: `(absolute path, path in the data directory)`.
        untracked: Vec<(PathBuf, String)>,
        /// Stash entries the command drops: their commits, newest first.
        stashes: Vec<String>,
    },
    /// Branch tips.
    GitBranch {
        /// The repository's top directory.
        repo: PathBuf,
        /// `(branch, commit)`.
        branches: Vec<(String, String)>,
    },
    /// Remote branches before a force push.
    GitRemote {
        /// The repository's top directory.
        repo: PathBuf,
        /// The remote's name or URL.
        remote: String,
        /// `(branch on the remote, its commit before the push)`.
        branches: Vec<(String, String)>,
    },
    /// A database dump.
    Database {
        /// `postgres`, `mysql` or `sqlite`.
        engine: String,
        /// The connection options the line's client used, for the restoring client.
        args: Vec<String>,
        /// The connection variables the line set.
        env: Vec<(String, String)>,
        /// The dump, in the data directory.
        dump: String,
    },
    /// A Terraform state.
    Terraform {
        /// Where `terraform` ran.
        dir: PathBuf,
        /// Global options (`-chdir=…`).
        args: Vec<String>,
        /// The state, in the data directory.
        state: String,
    },
    /// Kubernetes objects, as `kubectl get -o yaml` printed them.
    Kubernetes {
        /// Context, namespace and kubeconfig options of the line.
        args: Vec<String>,
        /// The objects, in the data directory.
        objects: String,
    },
    /// A Railway volume's files.
    RailwayVolume {
        /// The volume, as the line named it.
        volume: String,
        /// Project, environment and service options of the line.
        args: Vec<String>,
        /// The files, in the data directory.
        files: String,
    },
}

/// Take every backup `needs` ask for, before `ctx.line` runs; all or nothing: when one
/// fails, those already taken stay in the store (they cost nothing but room) and the error
/// says which could not be taken.
pub fn take_all(needs: &[Insure], ctx: &Context) -> Result<Vec<Record>, Error> {
    if needs.is_empty() {
        return Ok(Vec::new());
    }
    let store = Store::open_for_writing()?;
    let mut taken = Vec::new();
    for need in needs {
        let draft = store.draft(need, ctx)?;
        let (restore, target) = match take_one(need, ctx, &draft) {
            Ok(r) => r,
            Err(e) => {
                draft.discard();
                return Err(e);
            }
        };
        taken.push(draft.finish(restore, target)?);
    }
    Ok(taken)
}

fn take_one(
    need: &Insure,
    ctx: &Context,
    draft: &store::Draft,
) -> Result<(Restore, String), Error> {
    match need.kind {
        BackupKind::Files => files::take(need, ctx, draft),
        BackupKind::GitWork => git::take_work(need, ctx, draft),
        BackupKind::GitBranch => git::take_branches(need, ctx, draft),
        BackupKind::GitRemote => git::take_remote(need, ctx, draft),
        BackupKind::Database => db::take(need, ctx, draft),
        BackupKind::Terraform => cloud::take_terraform(need, ctx, draft),
        BackupKind::Kubernetes => cloud::take_kubernetes(need, ctx, draft),
        BackupKind::RailwayVolume => cloud::take_railway(need, ctx, draft),
    }
}

/// Put backup `id` back. Checks every stored file against its checksum first. Only reads
/// the store: a person's approved `guardsh restore` inside a guarded tree works too.
pub fn restore(id: &str) -> Result<Record, Error> {
    let store = Store::open()?;
    let record = store.load(id)?;
    store.verify(&record)?;
    let data = store.data_dir(&record.id);
    let r = match &record.restore {
        Restore::Files { entries } => files::restore(entries, &data),
        Restore::GitWork { .. } | Restore::GitBranch { .. } | Restore::GitRemote { .. } => {
            git::restore(&record, &data)
        }
        Restore::Database { .. } => db::restore(&record, &data),
        Restore::Terraform { .. } | Restore::Kubernetes { .. } | Restore::RailwayVolume { .. } => {
            cloud::restore(&record, &data)
        }
    };
    r.map_err(|why| Error::Restore {
        id: record.id.clone(),
        why,
    })?;
    Ok(record)
}

/// The directory a relative target of `need` is read from: the line's directory, after
/// the `cd` steps the line takes before the command.
fn base_dir(need: &Insure, ctx: &Context) -> Result<PathBuf, Error> {
    if need.cd_unknown {
        return Err(Error::Unplannable {
            command: need.command.clone(),
            why: "the line changes directory in a way only known when it runs, so it is not \
                  known which files it names; run `guardsh backup` from that directory, or \
                  approve with `--no-backup`"
                .to_owned(),
        });
    }
    let mut dir = ctx.cwd.clone();
    for step in &need.cd {
        dir = absolute(&dir, step);
    }
    Ok(dir)
}

/// `path` read from `dir`, with `~` for the home directory.
fn absolute(dir: &Path, path: &str) -> PathBuf {
    if (path == "~" || path.starts_with("~/"))
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(path.trim_start_matches('~').trim_start_matches('/'));
    }
    dir.join(path)
}

/// Run a helper program for a backup or restore; its standard error, trimmed, on failure.
fn run_tool(
    name: &str,
    args: &[String],
    how: crate::exec::Tool<'_>,
) -> Result<std::process::Output, String> {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    let out = crate::exec::tool(name, &args, how).map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(out)
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.trim().lines().last().unwrap_or("").to_owned();
        Err(format!(
            "`{name}` failed ({}){}",
            out.status,
            if last.is_empty() {
                String::new()
            } else {
                format!(": {last}")
            }
        ))
    }
}
