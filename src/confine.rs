//! The kernel boundary: a Landlock domain put around every process tree guardsh starts, so
//! that nothing in it can create, change, rename or remove guardsh's protected state
//! (state.rs), whatever it is spelled as.
//!
//! Landlock only grants. The ruleset handles every write right; guardsh then grants them on
//! each sibling of each ancestor of the protected directory, so the whole file system stays
//! writable as the user's permissions allow, except that directory, and except new entries
//! in its ancestors (`/` and `/srv`). Reading and executing are not handled: they stay free.
//! Two narrow grants reach inside: a guarded tree may remove an approval (using one up, the
//! only thing a process inside the tree does there) and may append to its own spool log.
//!
//! The domain is inherited by every descendant, across `execve`, setuid programs included,
//! and cannot be lifted. It does not reach processes that a manager outside the tree starts
//! on the tree's behalf (the user's systemd, cron, a terminal multiplexer's server started
//! earlier): docs/protection.md lists them, and the `guardsh-self` pack refuses them by
//! spelling as a second line.

use std::path::{Path, PathBuf};

use landlock::{
    ABI, AccessFs, BitFlags, CompatLevel, Compatible as _, PathBeneath, PathFd, Ruleset,
    RulesetAttr as _, RulesetCreatedAttr as _, RulesetStatus,
};

use crate::state::{self, Protected};

/// The oldest Landlock ABI that can keep the promise: ABI 3 is the first that handles
/// truncation (before it, `truncate` of the audit log was not a write right at all), and
/// ABI 2 the first that handles links and renames across directories.
const MIN_ABI: ABI = ABI::V3;

/// How much of the promise holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Level {
    /// The kernel keeps guarded trees out of the protected state.
    Kernel,
    /// Only parsing protects guardsh's files; the reason says why.
    ParseOnly(String),
}

impl Level {
    /// The name used in `check --json`, `doctor` and the docs.
    pub fn name(&self) -> &'static str {
        match self {
            Level::Kernel => "kernel",
            Level::ParseOnly(_) => "parse-only",
        }
    }
}

/// Why a boundary could not be put in place.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The kernel has no (or too old a) Landlock.
    #[error("the kernel's Landlock is unavailable or older than ABI 3: {0}")]
    Unavailable(String),
    /// Building or applying the ruleset failed.
    #[error("cannot build the kernel boundary: {0}")]
    Build(String),
}

/// Tests force the boundary off to exercise the parse-only path, which this kernel cannot
/// show otherwise; release builds ignore the variable, so an agent cannot use it.
fn forced_off() -> bool {
    cfg!(debug_assertions) && std::env::var_os("GUARDSH_TEST_NO_LANDLOCK").is_some()
}

/// The write rights the ruleset handles: everything that changes the file system, as of
/// ABI 3 (truncate included). Later ABIs add only device ioctls, which change no file and
/// would need every terminal granted, so the set stops there on purpose.
fn handled() -> BitFlags<AccessFs> {
    AccessFs::from_write(MIN_ABI)
}

fn ruleset() -> Result<landlock::RulesetCreated, Error> {
    if forced_off() {
        return Err(Error::Unavailable("switched off for a test".to_owned()));
    }
    Ruleset::default()
        .set_compatibility(CompatLevel::HardRequirement)
        .handle_access(handled())
        .and_then(Ruleset::create)
        .map_err(|e| Error::Unavailable(e.to_string()))
}

/// The level this process would get: the kernel, when the protected directory is set up and
/// the kernel's Landlock can hold it. A few system calls; no file is written.
pub fn level() -> Level {
    match state::protected() {
        Err(missing) => Level::ParseOnly(format!("no protected directory: {missing}")),
        Ok(_) => match ruleset() {
            Ok(_) => Level::Kernel,
            Err(e) => Level::ParseOnly(e.to_string()),
        },
    }
}

/// Is this process inside a guarded tree? Probed, not remembered: the tree cannot create a
/// file among the approvals, a process outside it can. Anything but a clean success counts
/// as inside (fail closed).
pub fn inside(p: &Protected) -> bool {
    use std::os::unix::fs::OpenOptionsExt as _;
    let probe = p.approvals().join(format!(
        ".probe-{}-{}",
        std::process::id(),
        crate::clock::now()
    ));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            false
        }
        Err(_) => true,
    }
}

/// Confine this process (and everything it will exec) so that the protected directory
/// `p` cannot be changed. `spool`, when given, is the one file inside it the tree may
/// append its own decisions to.
pub fn enter(p: &Protected, spool: Option<&Path>) -> Result<(), Error> {
    let created = rules_around(p.dir(), spool)?;
    let privileged = capability::raise(rustix::thread::CapabilitySet::SYS_ADMIN);
    // Without CAP_SYS_ADMIN the kernel takes a Landlock domain only under no_new_privs,
    // which also stops setuid programs (sudo) from gaining privileges inside the tree.
    let status = created
        .no_new_privs(!privileged)
        .restrict_self()
        .map_err(|e| Error::Build(e.to_string()));
    capability::drop();
    match status?.ruleset {
        RulesetStatus::FullyEnforced => Ok(()),
        other => Err(Error::Build(format!("the kernel enforced {other:?}"))),
    }
}

/// The ruleset [`enter`] restricts itself with, for the protected directory `dir` (laid
/// out as [`Protected`]'s), built but not applied: public for benches/confine.rs, which
/// times building it apart from the rest of a run.
pub fn rules_around(dir: &Path, spool: Option<&Path>) -> Result<landlock::RulesetCreated, Error> {
    let build = |e: &dyn std::fmt::Display| Error::Build(e.to_string());
    let mut created = ruleset()?;
    let target = dir.canonicalize().map_err(|e| build(&e))?;
    for (path, rights) in grants(&target) {
        let Ok(fd) = PathFd::new(&path) else {
            // Gone or unreadable: no grant is the stricter answer.
            continue;
        };
        created = created
            .add_rule(PathBeneath::new(fd, rights))
            .map_err(|e| build(&e))?;
    }
    let inside_grants = [
        (
            Some(target.join("approvals")),
            BitFlags::from(AccessFs::RemoveFile),
        ),
        (
            spool.map(Path::to_path_buf),
            BitFlags::from(AccessFs::WriteFile),
        ),
    ];
    for (path, rights) in inside_grants {
        if let Some(fd) = path.and_then(|p| PathFd::new(p).ok()) {
            created = created
                .add_rule(PathBeneath::new(fd, rights))
                .map_err(|e| build(&e))?;
        }
    }
    Ok(created)
}

/// Give up the CAP_SYS_ADMIN that `guardsh setup --capability` lets the protected copy
/// hold, for every subcommand that never builds a boundary: a capability only the confining
/// path needs is not kept where it is not needed.
pub fn release_privilege() {
    capability::drop();
}

/// The variable that names a tree's spool log to the guardsh processes inside it.
pub const SPOOL_VAR: &str = "GUARDSH_SPOOL";

/// What guardsh hands on to the program it is about to exec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boundary {
    /// The level reached.
    pub level: Level,
    /// Variables to add to the program's environment (the spool log's path).
    pub env: Vec<(std::ffi::OsString, std::ffi::OsString)>,
}

/// Put the boundary in place right before guardsh execs a guarded program: a spool log of
/// the tree's own, then the Landlock domain. Inside a tree already, the new domain nests
/// in the old one and keeps its spool. Anything short of the kernel level is said on
/// standard error, once for each reason (see [`note_parse_only`]); the parse-based checks
/// stay in force either way.
pub fn before_exec() -> Boundary {
    let p = match state::protected() {
        Ok(p) => p,
        Err(missing) => {
            let level = Level::ParseOnly(format!("no protected directory: {missing}"));
            note_parse_only(&level);
            return Boundary {
                level,
                env: Vec::new(),
            };
        }
    };
    let spool = new_spool(&p).or_else(|| inherited_spool(&p));
    if spool.is_some() && std::process::id().is_multiple_of(SWEEP_ONE_IN) {
        sweep_spools(&p);
    }
    let level = match enter(&p, spool.as_deref()) {
        Ok(()) => Level::Kernel,
        // A domain that cannot be added (the kernel nests at most 16) still leaves this
        // process inside the ones around it, which keep the directory: the probe says so.
        Err(_) if inside(&p) => Level::Kernel,
        Err(e) => Level::ParseOnly(e.to_string()),
    };
    note_parse_only(&level);
    let env = match (&level, spool) {
        (Level::Kernel, Some(s)) => vec![(SPOOL_VAR.into(), s.into_os_string())],
        _ => Vec::new(),
    };
    Boundary { level, env }
}

fn new_spool(p: &Protected) -> Option<PathBuf> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let path = p.spool().join(format!(
        "{}-{}.jsonl",
        crate::clock::now(),
        std::process::id()
    ));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .ok()?;
    // Landlock's right to append is the right to write anywhere in the file: where the
    // inode flag can be set, the tree can only add to its spool.
    append_only(&file);
    Some(path)
}

/// One top-level run in this many sweeps the spool directory (amortised: the sweep reads
/// the whole directory).
const SWEEP_ONE_IN: u32 = 64;

/// A spool left empty this long, by a process that is gone, held no entry and never will.
const EMPTY_SPOOL_AGE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Every top-level run makes a spool for the tree it starts, and most trees write nothing
/// to it: remove the empty ones whose process is gone, so the directory does not grow by a
/// file a command. A spool with entries stays. Where a spool is append-only, only a holder
/// of CAP_LINUX_IMMUTABLE (root, or the protected copy with its capability) may take the
/// flag off to remove it; without, the empty file stays.
fn sweep_spools(p: &Protected) {
    use rustix::fs::{IFlags, ioctl_getflags, ioctl_setflags};
    use rustix::thread::CapabilitySet;
    let Ok(entries) = std::fs::read_dir(p.spool()) else {
        return;
    };
    let now = std::time::SystemTime::now();
    let raised = capability::raise(CapabilitySet::LINUX_IMMUTABLE);
    for entry in entries.flatten().take(4096) {
        let path = entry.path();
        let Ok(meta) = entry.metadata() else { continue };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age >= EMPTY_SPOOL_AGE);
        let pid = path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.rsplit_once('-'))
            .and_then(|(_, pid)| pid.parse::<i32>().ok());
        let gone = pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists());
        if !meta.is_file() || meta.len() != 0 || !old || !gone {
            continue;
        }
        if raised
            && let Ok(f) = std::fs::File::open(&path)
            && let Ok(flags) = ioctl_getflags(&f)
            && flags.contains(IFlags::APPEND)
        {
            let _ = ioctl_setflags(&f, flags - IFlags::APPEND);
        }
        let _ = std::fs::remove_file(&path);
    }
    if raised {
        capability::lower(CapabilitySet::LINUX_IMMUTABLE);
    }
}

/// The spool a guarded tree was given, if the variable still names one of the spool logs
/// (an agent can change the variable, but only to another file the tree may already write).
pub fn inherited_spool(p: &Protected) -> Option<PathBuf> {
    let named = PathBuf::from(std::env::var_os(SPOOL_VAR)?);
    let plain = named.components().all(|c| {
        matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::RootDir
        )
    });
    (plain && named.parent() == Some(p.spool().as_path()) && named.is_file()).then_some(named)
}

/// Say once on standard error that the kernel does not back the promise, and why: once for
/// each distinct reason, remembered in the state directory (a notice, not a protection).
pub fn note_parse_only(level: &Level) {
    let Level::ParseOnly(reason) = level else {
        return;
    };
    let marker = crate::paths::state_dir().map(|d| d.join("protection-noted"));
    if let Some(m) = &marker
        && crate::capped::read(m, 4096).is_ok_and(|b| b == reason.as_bytes())
    {
        return;
    }
    crate::guard::say(&format!(
        "protection is parse-only: {reason}. guardsh still refuses what it recognises, but a \
         command it lets run could change guardsh's own files; `guardsh doctor` says more"
    ));
    if let Some(m) = marker {
        if let Some(dir) = m.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = std::fs::write(m, reason.as_bytes());
    }
}

/// Every path to grant the handled rights on: each entry of each ancestor of `target`
/// except the one that leads to it. Files get the rights that apply to files.
fn grants(target: &Path) -> Vec<(PathBuf, BitFlags<AccessFs>)> {
    let dir_rights = handled();
    let file_rights = handled() & AccessFs::from_file(MIN_ABI);
    let mut out = Vec::new();
    let mut ancestor = PathBuf::from("/");
    for component in target.components().skip(1) {
        let next = ancestor.join(component);
        if let Ok(entries) = std::fs::read_dir(&ancestor) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path == next {
                    continue;
                }
                // A link is granted as what it points to (PathFd follows it).
                let is_dir = match entry.file_type() {
                    Ok(t) if t.is_symlink() => path.is_dir(),
                    Ok(t) => t.is_dir(),
                    Err(_) => false,
                };
                out.push((path, if is_dir { dir_rights } else { file_rights }));
            }
        }
        ancestor = next;
    }
    out
}

/// CAP_SYS_ADMIN, when `guardsh setup` gave the protected binary that capability (permitted,
/// not effective): raised only for the one call that needs it, so that the domain can be
/// entered without no_new_privs and sudo keeps working inside the tree, then dropped before
/// anything is exec'd.
mod capability {
    use rustix::thread::{CapabilitySet, capabilities, set_capabilities};

    /// The capabilities `guardsh setup --capability` may give the protected copy.
    const OURS: CapabilitySet = CapabilitySet::SYS_ADMIN.union(CapabilitySet::LINUX_IMMUTABLE);

    /// True when `cap` is now effective (raised from the permitted set if need be).
    pub(super) fn raise(cap: CapabilitySet) -> bool {
        let Ok(mut sets) = capabilities(None) else {
            return false;
        };
        if sets.effective.contains(cap) {
            return true;
        }
        if !sets.permitted.contains(cap) {
            return false;
        }
        sets.effective |= cap;
        set_capabilities(None, sets).is_ok()
    }

    /// Give up guardsh's capabilities for good, unless this process is root (whose
    /// programs get every capability at exec anyway, as they would without guardsh).
    pub(super) fn drop() {
        if rustix::process::geteuid().is_root() {
            return;
        }
        if let Ok(mut sets) = capabilities(None)
            && sets.permitted.intersects(OURS)
        {
            sets.effective -= OURS;
            sets.permitted -= OURS;
            sets.inheritable -= OURS;
            let _ = set_capabilities(None, sets);
        }
    }

    /// Lower `cap` from the effective set again, keeping it permitted.
    pub(super) fn lower(cap: CapabilitySet) {
        if rustix::process::geteuid().is_root() {
            return;
        }
        if let Ok(mut sets) = capabilities(None)
            && sets.effective.contains(cap)
        {
            sets.effective -= cap;
            let _ = set_capabilities(None, sets);
        }
    }
}

/// Make `file` append-only (the inode flag `chattr +a` sets): then nobody, the tree's
/// processes included, can truncate it, write over earlier bytes, clear `O_APPEND` on a
/// descriptor of it, rename it or remove it; only a process with CAP_LINUX_IMMUTABLE can
/// clear the flag. Root has that capability; `guardsh setup --capability` gives it to the
/// protected copy. False when it could not be set (no capability, or a file system
/// without inode flags): the file is then only as safe as Landlock's write right makes it.
pub fn append_only(file: &std::fs::File) -> bool {
    use rustix::fs::{IFlags, ioctl_getflags, ioctl_setflags};
    use rustix::thread::CapabilitySet;
    if !capability::raise(CapabilitySet::LINUX_IMMUTABLE) {
        return false;
    }
    let done = ioctl_getflags(file)
        .and_then(|flags| ioctl_setflags(file, flags | IFlags::APPEND))
        .is_ok();
    capability::lower(CapabilitySet::LINUX_IMMUTABLE);
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_removes_only_old_empty_spools_of_gone_processes() {
        let base = std::env::temp_dir().join(format!("guardsh-sweep-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let p = Protected::for_test(base.clone());
        std::fs::create_dir_all(p.spool()).expect("mkdir");
        let old =
            std::time::SystemTime::now() - EMPTY_SPOOL_AGE - std::time::Duration::from_secs(60);
        // A pid above the kernel's limit is never alive.
        let gone = 99_999_999;
        let me = std::process::id();
        let make = |name: &str, content: &[u8], when: std::time::SystemTime| {
            let path = p.spool().join(name);
            std::fs::write(&path, content).expect("write");
            std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(when))
                .expect("mtime");
            path
        };
        let swept = make(&format!("1-{gone}.jsonl"), b"", old);
        let kept_entries = make(&format!("2-{gone}.jsonl"), b"{}\n", old);
        let kept_young = make(
            &format!("3-{gone}.jsonl"),
            b"",
            std::time::SystemTime::now(),
        );
        let kept_alive = make(&format!("4-{me}.jsonl"), b"", old);
        sweep_spools(&p);
        assert!(!swept.exists());
        assert!(kept_entries.exists() && kept_young.exists() && kept_alive.exists());
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn grants_cover_every_sibling_and_never_the_path_itself() {
        let base = std::env::temp_dir().join(format!("guardsh-grants-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let target = base.join("a/protected");
        std::fs::create_dir_all(&target).expect("mkdir");
        std::fs::create_dir_all(base.join("a/sibling")).expect("mkdir");
        std::fs::write(base.join("a/file"), b"x").expect("write");
        let got = grants(&target);
        let paths: Vec<&Path> = got.iter().map(|(p, _)| p.as_path()).collect();
        assert!(paths.contains(&base.join("a/sibling").as_path()));
        assert!(paths.contains(&base.join("a/file").as_path()));
        for (p, _) in &got {
            assert!(
                !target.starts_with(p),
                "{} is an ancestor of the target or the target itself",
                p.display()
            );
        }
        let file = got
            .iter()
            .find(|(p, _)| p.ends_with("a/file"))
            .expect("file");
        assert!(!file.1.contains(AccessFs::MakeReg));
        let _ = std::fs::remove_dir_all(&base);
    }
}
