//! `guardsh setup` (the one root step that makes the kernel level possible) and
//! `guardsh config trust` (a person accepting what the user's own files loosen).

use std::path::{Path, PathBuf};

use crate::cli::SetupArgs;

/// `guardsh setup`: create the protected directory for the user and copy this binary into
/// it; with `--capability`, let the copy enter the boundary without no_new_privs.
pub fn run(args: &SetupArgs) -> Result<String, String> {
    let (uid, gid) = target_user(args.user.as_deref())?;
    let me =
        std::env::current_exe().map_err(|e| format!("cannot find guardsh's own binary: {e}"))?;
    let mut lines = crate::state::setup(uid, gid, &me)?;
    let dir = crate::state::root().join(uid.to_string());
    let bin = dir.join("bin/guardsh");
    if args.capability {
        let setcap = ["/usr/sbin/setcap", "/sbin/setcap"]
            .iter()
            .map(Path::new)
            .find(|p| p.is_file())
            .ok_or("--capability needs setcap (Debian's libcap2-bin)")?;
        let bin_arg = bin.to_string_lossy().into_owned();
        let out = crate::exec::output(
            setcap,
            &["cap_sys_admin,cap_linux_immutable=p", &bin_arg],
            b"",
        )
        .map_err(|e| format!("cannot run {}: {e}", setcap.display()))?;
        if !out.status.success() {
            return Err(format!(
                "setcap failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        lines.push(format!(
            "gave {} CAP_SYS_ADMIN and CAP_LINUX_IMMUTABLE (permitted only): sudo keeps working \
             inside guarded commands, and their own logs are append-only",
            bin.display()
        ));
    }
    let level = crate::confine::level();
    let mut text = String::new();
    for l in lines {
        text.push_str(&format!("guardsh: {l}\n"));
    }
    text.push_str(&format!(
        "guardsh: protection for uid {uid}: {}\n\
         guardsh: point hooks, shims and shell links at {} (run `guardsh install`, \
         `guardsh shim add` and `guardsh shell install` again as the user)\n",
        match &level {
            crate::confine::Level::Kernel => "kernel (Landlock)".to_owned(),
            crate::confine::Level::ParseOnly(why) if uid == rustix::process::geteuid().as_raw() =>
                format!("parse-only: {why}"),
            // Checked for root, not for the user: the user's own run will say.
            crate::confine::Level::ParseOnly(_) => "set up".to_owned(),
        },
        bin.display()
    ));
    Ok(text)
}

/// The user to set up: `--user NAME`, else the one sudo was called by, else the caller.
fn target_user(name: Option<&str>) -> Result<(u32, u32), String> {
    if let Some(name) = name {
        return passwd_entry(name).ok_or_else(|| format!("no user named {name:?} in /etc/passwd"));
    }
    let env_id = |var: &str| std::env::var(var).ok().and_then(|v| v.parse::<u32>().ok());
    if let (Some(uid), Some(gid)) = (env_id("SUDO_UID"), env_id("SUDO_GID")) {
        return Ok((uid, gid));
    }
    Ok((
        rustix::process::geteuid().as_raw(),
        rustix::process::getegid().as_raw(),
    ))
}

/// `(uid, gid)` of `name` from /etc/passwd.
fn passwd_entry(name: &str) -> Option<(u32, u32)> {
    let text = crate::capped::read_text(Path::new("/etc/passwd"), crate::capped::STARTUP).ok()?;
    text.lines().find_map(|line| {
        let mut f = line.split(':');
        if f.next()? != name {
            return None;
        }
        let _password = f.next()?;
        Some((f.next()?.parse().ok()?, f.next()?.parse().ok()?))
    })
}

/// The login shells' startup files a trust record covers, relative to the home directory:
/// the one list [`crate::startup`] judges from.
pub const STARTUP_FILES: &[&str] = crate::startup::HOME_FILES;

/// `guardsh config trust`: record the exact content of the user's config, the user's packs
/// and the login startup files, and say what that lets loosen.
pub fn trust() -> Result<String, String> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    // A file that is not there is left out; one that is a FIFO or over its cap is named
    // and nothing is trusted (guardsh refuses to use such a file anyway).
    let mut problem: Option<crate::capped::Error> = None;
    let mut add = |path: PathBuf, cap: u64| match crate::capped::read_optional(&path, cap) {
        Ok(Some(bytes)) => files.push((path, bytes)),
        Ok(None) => {}
        Err(e) => {
            problem.get_or_insert(e);
        }
    };
    if let Some(dir) = crate::paths::config_dir() {
        add(dir.join("config.yaml"), crate::capped::CONFIG);
        if let Ok(entries) = std::fs::read_dir(dir.join("guards")) {
            let mut packs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            packs.sort();
            for p in packs {
                if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    add(p, crate::capped::CONFIG);
                }
            }
        }
    }
    if let Some(home) = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()) {
        // The home's startup files and what a login shell sources from them (any shell
        // guardsh may start), so that a trusted `~/.bash_profile` may source a trusted
        // `~/.cargo/env`.
        let mut seen: Vec<PathBuf> = Vec::new();
        for shell in ["bash", "zsh", "sh"] {
            for p in crate::startup::files_to_trust(Path::new(shell), &home) {
                if !seen.contains(&p) {
                    seen.push(p);
                }
            }
        }
        for p in seen {
            add(p, crate::capped::STARTUP);
        }
    }
    if let Some(e) = problem {
        return Err(format!("nothing trusted: {e}"));
    }
    if files.is_empty() {
        return Ok(
            "guardsh: nothing to trust: no user config, packs or startup files\n".to_owned(),
        );
    }
    let records = crate::trust::trust(&files).map_err(|e| e.to_string())?;
    let mut text = String::new();
    for (path, bytes) in &files {
        text.push_str(&format!(
            "guardsh: trusted {} (sha256 {})\n",
            crate::term::escape(&path.display().to_string()),
            &crate::trust::digest(bytes)[..16]
        ));
    }
    let kept = match crate::state::protected() {
        Ok(_) => "in the protected directory",
        Err(_) => "in the state directory, which the agent's user can write (parse-only)",
    };
    text.push_str(&format!(
        "guardsh: recorded in {} ({kept}); any change to these files makes them untrusted again\n",
        records.display()
    ));
    Ok(text)
}
