//! Running the real program: the one module that starts processes (see clippy.toml).
//!
//! A guard that finds itself on PATH and runs itself again loops, and one that runs "bash"
//! through a link that is guardsh never reaches a real shell. So the PATH lookup skips
//! guardsh's own directory and any candidate that resolves to guardsh's own binary, however
//! often PATH names it. Allowed commands are run with `exec`: the shell replaces guardsh, so
//! standard input, output, error, the exit status and signals are the shell's own.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Set in the environment of every shell guardsh starts. `guardsh approve` refuses to run
/// under it (an agent must not approve its own request), and it shows a shell is guarded.
pub const ACTIVE_VAR: &str = "GUARDSH_ACTIVE";

/// Why the real program could not be run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing of that name on PATH but guardsh itself.
    #[error(
        "no `{0}` found on PATH other than guardsh itself; set GUARDSH_SHELL or `shell:` in config.yaml"
    )]
    NotFound(String),
    /// The configured program is guardsh.
    #[error("`{0}` is guardsh itself; the real shell must be another program")]
    IsGuardsh(PathBuf),
    /// exec failed.
    #[error("cannot run {0}: {1}")]
    Exec(PathBuf, #[source] io::Error),
}

/// A file's identity (device, inode), through symlinks: two paths name the same file
/// exactly when these are equal. One `stat`, where resolving a path took a `readlink` per
/// component, and shell mode does this on every start.
fn file_id(p: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
}

/// guardsh's own binary's identity.
fn own_binary() -> Option<(u64, u64)> {
    std::env::current_exe().ok().and_then(|p| file_id(&p))
}

/// True when `candidate` is guardsh's own binary (through any link).
pub fn is_guardsh(candidate: &Path) -> bool {
    match (own_binary(), file_id(candidate)) {
        (Some(own), Some(c)) => own == c,
        _ => false,
    }
}

/// Find `name` on `path` (a PATH value), skipping guardsh's own directories and anything
/// that is guardsh.
pub fn find_on_path(name: &str, path: &OsStr) -> Result<PathBuf, Error> {
    use std::os::unix::fs::MetadataExt as _;
    // (own binary, own directories), worked out once a candidate needs them.
    type Own = Option<((u64, u64), Vec<(u64, u64)>)>;
    let mut own: Option<Own> = None;
    let mut own_info = || {
        own.get_or_insert_with(|| {
            let exe = std::env::current_exe().ok()?;
            let id = file_id(&exe)?;
            let dirs = exe.parent().and_then(file_id).into_iter().collect();
            Some((id, dirs))
        })
        .clone()
    };
    for dir in std::env::split_paths(path) {
        if dir.as_os_str().is_empty() {
            continue;
        }
        let candidate = dir.join(name);
        let Ok(meta) = std::fs::metadata(&candidate) else {
            continue;
        };
        if !(meta.is_file() && meta.permissions().mode() & 0o111 != 0) {
            continue;
        }
        if let Some((own_id, own_dirs)) = own_info() {
            if (meta.dev(), meta.ino()) == own_id {
                continue;
            }
            if file_id(&dir).is_some_and(|d| own_dirs.contains(&d)) {
                continue;
            }
        }
        return Ok(candidate);
    }
    Err(Error::NotFound(name.to_string()))
}

/// The real shell to run: `configured` (GUARDSH_SHELL or the config file) when given,
/// else `name` (`bash`, or the shell guardsh was called as) found on PATH.
pub fn real_shell(name: &str, configured: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(path) = configured {
        if path.components().count() == 1 {
            // A bare name: look it up like any other.
            let n = path.to_string_lossy().into_owned();
            return find_on_path(&n, &std::env::var_os("PATH").unwrap_or_default());
        }
        if is_guardsh(path) {
            return Err(Error::IsGuardsh(path.to_path_buf()));
        }
        return Ok(path.to_path_buf());
    }
    find_on_path(name, &std::env::var_os("PATH").unwrap_or_default())
}

/// Replace guardsh with `program`, called as `argv0` with `args`, with `stdin` as its standard
/// input when given, and the process's environment plus [`ACTIVE_VAR`]. Returns only when
/// exec failed.
///
/// argv and envp are built here for nix's `execve`: std's `Command` would copy every
/// variable into a map first, which was most of shell mode's own work. Unlike `Command`,
/// it leaves the signal mask and dispositions as they are, so the program gets what
/// guardsh's caller gave (the binary's SIGPIPE handler, unlike an ignored SIGPIPE, does not
/// survive the exec; see main.rs).
pub fn exec(program: &Path, argv0: &OsStr, args: &[OsString], stdin: Option<File>) -> Error {
    exec_with(program, argv0, args, stdin, &[])
}

/// [`exec`], with `extra` variables added (a guarded tree's spool log, see confine.rs).
pub fn exec_with(
    program: &Path,
    argv0: &OsStr,
    args: &[OsString],
    stdin: Option<File>,
    extra: &[(OsString, OsString)],
) -> Error {
    Error::Exec(
        program.to_path_buf(),
        exec_marked(program, argv0, args, stdin, extra),
    )
}

fn exec_marked(
    program: &Path,
    argv0: &OsStr,
    args: &[OsString],
    stdin: Option<File>,
    extra: &[(OsString, OsString)],
) -> io::Error {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt as _;
    let c = |bytes: &[u8]| CString::new(bytes).map_err(|_| io::ErrorKind::InvalidInput);
    let marker = format!("{ACTIVE_VAR}=1");
    let built = (|| -> Result<_, io::ErrorKind> {
        let path = c(program.as_os_str().as_bytes())?;
        let argv = std::iter::once(argv0)
            .chain(args.iter().map(OsString::as_os_str))
            .map(|a| c(a.as_bytes()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut envp = Vec::new();
        let kv_of = |k: &OsStr, v: &OsStr| {
            // Sized once: `=` and the NUL CString adds included.
            let mut kv = Vec::with_capacity(k.len() + v.len() + 2);
            kv.extend_from_slice(k.as_bytes());
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            c(&kv)
        };
        for (k, v) in std::env::vars_os() {
            if k != ACTIVE_VAR && !extra.iter().any(|(e, _)| *e == k) {
                envp.push(kv_of(&k, &v)?);
            }
        }
        for (k, v) in extra {
            envp.push(kv_of(k, v)?);
        }
        envp.push(c(marker.as_bytes())?);
        Ok((path, argv, envp))
    })();
    let (path, argv, envp) = match built {
        Ok(b) => b,
        Err(kind) => return io::Error::from(kind),
    };
    if let Some(file) = stdin
        && let Err(errno) = nix::unistd::dup2_stdin(&file)
    {
        return io::Error::from_raw_os_error(errno as i32);
    }
    match nix::unistd::execve(&path, &argv, &envp) {
        Err(errno) => io::Error::from_raw_os_error(errno as i32),
        Ok(never) => match never {},
    }
}

/// Replace guardsh with an interactive shell for a person at a terminal: `program` called as
/// `argv0` with `args` and these variables set. Unlike [`exec`], it does not mark the shell
/// as one guardsh runs commands in (that mark tells `guardsh approve` and the typed
/// confirmation that an agent is at the other end). Returns only when exec failed.
pub fn exec_interactive(
    program: &Path,
    argv0: &OsStr,
    args: &[OsString],
    env: &[(OsString, OsString)],
) -> Error {
    #[allow(clippy::disallowed_methods)] // exec.rs is the one place that starts programs
    let mut cmd = std::process::Command::new(program);
    cmd.arg0(argv0).args(args).env_remove(ACTIVE_VAR);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Error::Exec(program.to_path_buf(), cmd.exec())
}

/// Run `program` with `args` and `input` on its standard input, and collect its output and
/// status (for `guardsh doctor`-style probes and tests of the real shell; not for commands
/// an agent asked to run, which are exec'd).
pub fn output(program: &Path, args: &[&str], input: &[u8]) -> io::Result<std::process::Output> {
    use std::io::Write as _;
    #[allow(clippy::disallowed_methods)] // exec.rs is the one place that starts programs
    let mut child = std::process::Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input)?;
    }
    child.wait_with_output()
}

/// How [`run_captured`] runs a command an agent asked for and guardsh let through.
#[derive(Debug)]
pub struct Captured<'a> {
    /// Where it runs.
    pub cwd: &'a Path,
    /// Variables added to guardsh's own environment (a guarded tree's spool log).
    pub env: &'a [(OsString, OsString)],
    /// How long it may run; then its whole process group is killed.
    pub timeout: std::time::Duration,
    /// The most bytes kept of each of standard output and standard error; the rest is read
    /// and dropped, so that the command never blocks on a full pipe.
    pub max_output: usize,
}

/// What a command run by [`run_captured`] left behind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Finished {
    /// Its exit code, when it exited.
    pub code: Option<i32>,
    /// The signal that ended it, when one did.
    pub signal: Option<i32>,
    /// Standard output, at most [`Captured::max_output`] bytes of it.
    pub stdout: Vec<u8>,
    /// Standard error, likewise.
    pub stderr: Vec<u8>,
    /// Some of standard output or standard error was dropped.
    pub truncated: bool,
    /// It was still running at the timeout and was killed.
    pub timed_out: bool,
}

/// Run `program` with `args` as a child, with no standard input, collecting its output,
/// and wait for it (at most `how.timeout`). Marked like every shell guardsh starts
/// ([`ACTIVE_VAR`]). The child leads a process group of its own, so that a timeout kills
/// what it started too. For the MCP server, which answers a command's output to its
/// client instead of handing the process over as shell mode's `exec` does. The caller
/// confines the calling thread first (confine.rs): the child inherits its domain.
pub fn run_captured(
    program: &Path,
    args: &[OsString],
    how: &Captured<'_>,
) -> Result<Finished, Error> {
    use std::os::unix::process::ExitStatusExt as _;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    let fail = |e| Error::Exec(program.to_path_buf(), e);
    #[allow(clippy::disallowed_methods)] // exec.rs is the one place that starts programs
    let mut cmd = std::process::Command::new(program);
    cmd.args(args)
        .current_dir(how.cwd)
        .env(ACTIVE_VAR, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    for (k, v) in how.env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(fail)?;
    let group = rustix::process::Pid::from_child(&child);
    // Each stream is read on a thread of its own into a buffer shared with this one, so
    // that what was read can be answered even when a process the command left behind
    // keeps the pipe open past the end.
    type Sink = Arc<Mutex<(Vec<u8>, bool, bool)>>;
    let collect = |stream: Option<Box<dyn io::Read + Send>>| -> Sink {
        let sink: Sink = Arc::new(Mutex::new((Vec::new(), false, false)));
        let Some(mut stream) = stream else {
            if let Ok(mut s) = sink.lock() {
                s.2 = true;
            }
            return sink;
        };
        let shared = Arc::clone(&sink);
        let max = how.max_output;
        std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            loop {
                let n = match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let Ok(mut s) = shared.lock() else { break };
                let room = max.saturating_sub(s.0.len());
                let kept = n.min(room);
                s.0.extend_from_slice(chunk.get(..kept).unwrap_or_default());
                if kept < n {
                    s.1 = true;
                }
            }
            if let Ok(mut s) = shared.lock() {
                s.2 = true;
            }
        });
        sink
    };
    let out = collect(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn io::Read + Send>),
    );
    let err = collect(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn io::Read + Send>),
    );
    let deadline = started + how.timeout;
    let kill = || {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    };
    let mut finished = Finished::default();
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(fail)? {
            break status;
        }
        if Instant::now() >= deadline {
            finished.timed_out = true;
            kill();
            break child.wait().map_err(fail)?;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    finished.code = status.code();
    finished.signal = status.signal();
    // The command is done; what it started in the background may still hold the pipes.
    // They get until the deadline, then the group is killed, and a moment more to close.
    let done = |s: &Sink| s.lock().map_or(true, |s| s.2);
    let mut killed = finished.timed_out;
    let mut grace = Instant::now() + Duration::from_millis(500);
    while !(done(&out) && done(&err)) {
        let now = Instant::now();
        if !killed && now >= deadline {
            kill();
            killed = true;
            grace = now + Duration::from_millis(500);
        }
        if killed && now >= grace {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    for (sink, into) in [(&out, &mut finished.stdout), (&err, &mut finished.stderr)] {
        if let Ok(s) = sink.lock() {
            into.clone_from(&s.0);
            finished.truncated |= s.1;
        }
    }
    Ok(finished)
}

/// How a helper program guardsh runs itself (to take or restore a backup) is started.
#[derive(Debug, Default)]
pub struct Tool<'a> {
    /// Variables added to guardsh's own environment.
    pub env: &'a [(String, String)],
    /// Where it runs; guardsh's own directory when `None`.
    pub cwd: Option<&'a Path>,
    /// Its standard output goes to this file; collected when `None`.
    pub stdout: Option<File>,
    /// Its standard input comes from this file; empty when `None`.
    pub stdin: Option<File>,
}

/// Run `name`, found on PATH past guardsh's own shims (so it is the real `pg_dump`, `git`,
/// `kubectl`, never guardsh judging its own backup), with `args`, and wait for it. For the
/// helpers of a backup or a restore only, never for a command an agent asked for.
pub fn tool(name: &str, args: &[OsString], how: Tool<'_>) -> Result<std::process::Output, Error> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let program = find_on_path(name, &path)?;
    #[allow(clippy::disallowed_methods)] // exec.rs is the one place that starts programs
    let mut cmd = std::process::Command::new(&program);
    cmd.args(args).env_remove(ACTIVE_VAR);
    for (k, v) in how.env {
        cmd.env(k, v);
    }
    if let Some(dir) = how.cwd {
        cmd.current_dir(dir);
    }
    cmd.stdin(how.stdin.map_or_else(Stdio::null, Stdio::from));
    if let Some(out) = how.stdout {
        cmd.stdout(Stdio::from(out));
    } else {
        cmd.stdout(Stdio::piped());
    }
    cmd.stderr(Stdio::piped());
    cmd.output().map_err(|e| Error::Exec(program, e))
}

/// Ask `bash` (a real one, never guardsh) to parse `text` without running it: `bash -n`,
/// with no startup files and an empty environment (so no `BASH_ENV` is sourced and the
/// messages are in English). Returns bash's standard error.
pub fn bash_syntax(bash: &Path, text: &str) -> io::Result<String> {
    use std::io::Write as _;
    #[allow(clippy::disallowed_methods)] // exec.rs is the one place that starts programs
    let mut child = std::process::Command::new(bash)
        .args(["--norc", "--noprofile", "-n"])
        .env_clear()
        .env("LC_ALL", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        // bash may stop reading at a syntax error: a broken pipe here is its answer.
        let _ = stdin.write_all(text.as_bytes());
        let _ = stdin.write_all(b"\n");
    }
    let out = child.wait_with_output()?;
    Ok(String::from_utf8_lossy(&out.stderr).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(line: &str, timeout_ms: u64, max_output: usize) -> Finished {
        let how = Captured {
            cwd: Path::new("/"),
            env: &[],
            timeout: std::time::Duration::from_millis(timeout_ms),
            max_output,
        };
        run_captured(Path::new("/bin/sh"), &["-c".into(), line.into()], &how).expect("runs")
    }

    #[test]
    fn captured_runs_collect_output_status_and_stop_at_the_timeout() {
        let f = sh("echo hi; echo oops >&2; pwd; exit 3", 10_000, 1024);
        assert_eq!(f.code, Some(3));
        assert_eq!(f.stdout, b"hi\n/\n");
        assert_eq!(f.stderr, b"oops\n");
        assert!(!f.truncated && !f.timed_out);

        let f = sh("printf 0123456789", 10_000, 4);
        assert_eq!((f.stdout.as_slice(), f.truncated), (&b"0123"[..], true));

        // The timeout kills the whole group, a child in the background included.
        let started = std::time::Instant::now();
        let f = sh("sleep 30 & sleep 30", 300, 1024);
        assert!(
            f.timed_out && f.code.is_none() && f.signal.is_some(),
            "{f:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn path_lookup_skips_guardsh_and_empty_entries() {
        let tmp = std::env::temp_dir().join(format!("guardsh-exec-{}", std::process::id()));
        let a = tmp.join("a");
        let b = tmp.join("b");
        std::fs::create_dir_all(&a).expect("mkdir");
        std::fs::create_dir_all(&b).expect("mkdir");
        // A link named `fakesh` to the test binary itself (which is `current_exe`).
        let own = std::env::current_exe().expect("exe");
        let _ = std::fs::remove_file(a.join("fakesh"));
        std::os::unix::fs::symlink(&own, a.join("fakesh")).expect("symlink");
        let real = b.join("fakesh");
        std::fs::write(&real, "#!/bin/sh\n").expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let path = std::env::join_paths([&a, &a, Path::new(""), &b]).expect("join");
        assert_eq!(find_on_path("fakesh", &path).expect("found"), real);
        let only_self = std::env::join_paths([&a]).expect("join");
        assert!(matches!(
            find_on_path("fakesh", &only_self),
            Err(Error::NotFound(_))
        ));
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
