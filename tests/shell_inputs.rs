//! What shell mode reads besides the line, end to end: config and script files that are
//! not regular files or are huge are refused fast and run nothing; shell flags that leave
//! `-n` (noexec) off get the line checked; and the startup files a login shell (or
//! `$BASH_ENV`) would source are judged before the shell is started.
//!
//! Every test gets its own HOME and XDG directories, and a stand-in on PATH that records
//! its arguments if it ever runs.

// These tests start guardsh and helper programs as processes on purpose.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const GUARDSH: &str = env!("CARGO_BIN_EXE_guardsh");

/// A private home for one test, with a `bin/` first on PATH.
struct Home {
    dir: PathBuf,
}

impl Home {
    fn new(name: &str) -> Home {
        let dir = std::env::temp_dir().join(format!(
            "guardsh-inputs-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(dir.join("work")).expect("temp home");
        std::fs::create_dir_all(dir.join("bin")).expect("temp bin");
        Home { dir }
    }

    fn work(&self) -> PathBuf {
        self.dir.join("work")
    }

    /// Where stand-ins record what they were called with.
    fn ran(&self) -> PathBuf {
        self.dir.join("ran")
    }

    /// What the stand-ins recorded (empty when none ran).
    fn recorded(&self) -> String {
        std::fs::read_to_string(self.ran()).unwrap_or_default()
    }

    /// A program `name` on this home's PATH that only records its arguments.
    fn stand_in(&self, name: &str) {
        let path = self.dir.join("bin").join(name);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\nprintf '%s %s\\n' '{name}' \"$*\" >> '{}'\n",
                self.ran().display()
            ),
        )
        .expect("write");
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
    }

    /// guardsh with this home's environment, in its work directory, in a new session (no
    /// terminal to ask on, as under an agent).
    fn guardsh(&self, args: &[&str]) -> Command {
        let mut c = Command::new("setsid");
        let path = format!(
            "{}:{}",
            self.dir.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        c.arg("-w")
            .arg(GUARDSH)
            .args(args)
            .env_clear()
            .env("PATH", path)
            .env("HOME", &self.dir)
            .env("XDG_CONFIG_HOME", self.dir.join(".config"))
            .env("XDG_STATE_HOME", self.dir.join(".local/state"))
            .env("XDG_DATA_HOME", self.dir.join(".local/share"))
            .env("LANG", "C")
            .current_dir(self.work())
            .stdin(Stdio::null());
        c
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Run `cmd`, failing the test (and killing it) if it takes longer than `limit`.
fn run_within(mut cmd: Command, limit: Duration) -> (Output, Duration) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {limit:?}: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let elapsed = start.elapsed();
    (child.wait_with_output().expect("output"), elapsed)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}

/// A 5 GB file that takes no space: reading it whole would take seconds and gigabytes.
fn sparse(path: &Path) {
    std::fs::File::create(path)
        .and_then(|f| f.set_len(5 << 30))
        .expect("sparse file");
}

// ---------------------------------------------------------------------------------------------
// Files that are not regular, or are huge.

#[test]
fn a_project_file_that_is_a_fifo_stops_everything_at_once() {
    let home = Home::new("fifo-config");
    home.stand_in("destroy");
    mkfifo(&home.work().join(".guardsh.yaml"));
    let (out, _) = run_within(
        home.guardsh(&["-c", "destroy now"]),
        Duration::from_secs(10),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains(".guardsh.yaml is a FIFO"), "{err}");
    assert!(err.starts_with("guardsh: "), "{err}");
    assert_eq!(home.recorded(), "", "nothing may run");
}

#[test]
fn a_huge_project_file_stops_everything_without_being_read() {
    let home = Home::new("huge-config");
    home.stand_in("destroy");
    // In a parent of the working directory: found upward, as a real one would be.
    sparse(&home.dir.join(".guardsh.yaml"));
    let (out, took) = run_within(
        home.guardsh(&["-c", "destroy now"]),
        Duration::from_secs(10),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains(".guardsh.yaml is 5368709120 bytes"), "{err}");
    assert_eq!(home.recorded(), "", "nothing may run");
    // Reading 5 GB takes seconds; the size alone takes a few system calls.
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn a_user_pack_that_is_a_fifo_stops_everything() {
    let home = Home::new("fifo-pack");
    home.stand_in("destroy");
    let guards = home.dir.join(".config/guardsh/guards");
    std::fs::create_dir_all(&guards).expect("mkdir");
    mkfifo(&guards.join("mine.yaml"));
    let (out, _) = run_within(
        home.guardsh(&["-c", "destroy now"]),
        Duration::from_secs(10),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("mine.yaml is a FIFO"), "{err}");
    assert_eq!(home.recorded(), "");
}

#[test]
fn check_refuses_a_huge_file_and_a_fifo() {
    let home = Home::new("check-big");
    let big = home.work().join("big");
    sparse(&big);
    let (out, took) = run_within(
        home.guardsh(&["check", "--file", "big"]),
        Duration::from_secs(10),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("big is 5368709120 bytes"), "{err}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    let fifo = home.work().join("fifo");
    mkfifo(&fifo);
    let (out, _) = run_within(
        home.guardsh(&["check", "--file", "fifo"]),
        Duration::from_secs(10),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("fifo is a FIFO"), "{err}");
}

#[test]
fn a_script_file_that_is_a_fifo_or_huge_is_refused_and_nothing_runs() {
    let home = Home::new("script-special");
    home.stand_in("bash");
    let fifo = home.work().join("run.sh");
    mkfifo(&fifo);
    let (out, _) = run_within(home.guardsh(&["./run.sh"]), Duration::from_secs(10));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(126), "{err}");
    assert!(
        err.contains("refused, nothing ran") && err.contains("run.sh is a FIFO"),
        "{err}"
    );
    sparse(&home.work().join("big.sh"));
    let (out, _) = run_within(home.guardsh(&["./big.sh"]), Duration::from_secs(10));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(126), "{err}");
    assert!(err.contains("big.sh is 5368709120 bytes"), "{err}");
    assert_eq!(home.recorded(), "", "the shell never started");
}

#[test]
fn a_user_config_that_is_a_fifo_stops_everything_at_once() {
    let home = Home::new("fifo-user-config");
    home.stand_in("destroy");
    let dir = home.dir.join(".config/guardsh");
    std::fs::create_dir_all(&dir).expect("mkdir");
    mkfifo(&dir.join("config.yaml"));
    let (out, _) = run_within(
        home.guardsh(&["-c", "destroy now"]),
        Duration::from_secs(10),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("config.yaml is a FIFO"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert_eq!(home.recorded(), "", "nothing may run");
}

#[test]
fn trust_records_that_are_a_fifo_trust_nothing_and_do_not_hang() {
    let home = Home::new("fifo-trust");
    home.stand_in("hello");
    let state = home.dir.join(".local/state/guardsh");
    std::fs::create_dir_all(&state).expect("mkdir");
    mkfifo(&state.join("trust.json"));
    let (out, _) = run_within(home.guardsh(&["-c", "hello"]), Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(home.recorded(), "hello \n");
}

#[test]
fn config_trust_names_a_startup_file_that_is_a_fifo_or_huge_and_trusts_nothing() {
    let home = Home::new("trust-special");
    mkfifo(&home.dir.join(".profile"));
    let (out, _) = run_within(home.guardsh(&["config", "trust"]), Duration::from_secs(10));
    let err = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("nothing trusted") && err.contains(".profile is a FIFO"),
        "{err}"
    );
    std::fs::remove_file(home.dir.join(".profile")).expect("rm");
    sparse(&home.dir.join(".bash_profile"));
    let (out, took) = run_within(home.guardsh(&["config", "trust"]), Duration::from_secs(10));
    let err = text(&out.stderr);
    assert!(err.contains(".bash_profile is 5368709120 bytes"), "{err}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(!home.dir.join(".local/state/guardsh/trust.json").exists());
}

#[test]
fn the_audit_log_as_a_fifo_is_named_not_waited_on() {
    let home = Home::new("fifo-log");
    let state = home.dir.join(".local/state/guardsh");
    std::fs::create_dir_all(&state).expect("mkdir");
    mkfifo(&state.join("audit.jsonl"));
    let (out, _) = run_within(home.guardsh(&["log"]), Duration::from_secs(10));
    let err = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("audit.jsonl is a FIFO"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Shell flags: `-n` counts only when nothing after it undoes it.

/// guardsh in shell mode with `args`, whose real shell is a stand-in that only records.
fn with_recorder_shell(home: &Home, args: &[&str]) -> Output {
    home.stand_in("recshell");
    let mut cmd = home.guardsh(args);
    cmd.env("GUARDSH_SHELL", home.dir.join("bin/recshell"));
    run_within(cmd, Duration::from_secs(20)).0
}

#[test]
fn a_noexec_flag_undone_later_does_not_let_the_line_through() {
    let undone: &[&[&str]] = &[
        &["-n", "+n", "-c", "rm -rf ~/.ssh"],
        &["-xn", "+n", "-c", "rm -rf ~/.ssh"],
        &["-n", "+o", "noexec", "-c", "rm -rf ~/.ssh"],
        &["-o", "noexec", "+o", "noexec", "-c", "rm -rf ~/.ssh"],
        &["-n", "+nc", "rm -rf ~/.ssh"],
        // bash runs `+c CMD` as it runs `-c CMD`.
        &["+c", "rm -rf ~/.ssh"],
    ];
    for args in undone {
        let home = Home::new("noexec-undone");
        let out = with_recorder_shell(&home, args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(126), "{args:?}: {err}");
        assert!(err.contains("rm -rf ~/.ssh"), "{args:?}: {err}");
        assert_eq!(home.recorded(), "", "{args:?}: the shell was reached");
    }
}

#[test]
fn a_noexec_flag_that_holds_hands_the_line_to_the_shell_unjudged() {
    // The shell reads it and runs nothing; guardsh has nothing to refuse.
    let home = Home::new("noexec-holds");
    let out = with_recorder_shell(&home, &["-n", "-x", "-c", "rm -rf ~/.ssh"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(home.recorded(), "recshell -n -x -c rm -rf ~/.ssh\n");
}
