//! Shell mode against the real bash: allowed scripts behave exactly as under `bash -c`
//! (output, exit status, signals, standard input, `$0 $1 $@`), refused lines run nothing,
//! real programs can use guardsh as their shell, shell mode never takes a typed answer on
//! a terminal, and `guardsh approve` works from a person's own terminal and nowhere else.
//!
//! Every test gets its own HOME and XDG directories and its own protected directory, so the
//! audit log, requests and approvals are its own.

// These tests start guardsh and bash as processes on purpose.
#![allow(clippy::disallowed_methods)]

use std::ffi::OsStr;
use std::io::Write as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const GUARDSH: &str = env!("CARGO_BIN_EXE_guardsh");

#[path = "common/guarded.rs"]
mod guarded;

/// A private home for one test, with its own protected directory.
struct Home {
    dir: PathBuf,
    protected: guarded::Protected,
}

impl Home {
    fn new(name: &str) -> Home {
        let dir = std::env::temp_dir().join(format!(
            "guardsh-shell-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(dir.join("work")).expect("temp home");
        let protected = guarded::Protected::new(GUARDSH, name);
        Home { dir, protected }
    }

    fn work(&self) -> PathBuf {
        self.dir.join("work")
    }

    /// `program` with this home's environment, in its work directory.
    fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("XDG_CONFIG_HOME", self.dir.join(".config"))
            .env("XDG_STATE_HOME", self.dir.join(".local/state"))
            .env("XDG_DATA_HOME", self.dir.join(".local/share"))
            .env("LANG", "C")
            .env(guarded::ROOT_VAR, &self.protected.root)
            .current_dir(self.work());
        c
    }

    /// `program` with no controlling terminal (a new session), as under an agent: run from
    /// a developer's terminal, a confirmation would otherwise be asked there.
    fn detached(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = self.cmd("setsid");
        c.arg("-w").arg(program);
        c
    }

    /// Every decision logged: the main log, then what guarded trees spooled.
    fn audit(&self) -> Vec<serde_json::Value> {
        self.protected
            .logs()
            .iter()
            .flat_map(|text| text.lines().map(str::to_owned).collect::<Vec<_>>())
            .map(|l| serde_json::from_str(&l).expect("every audit line is JSON"))
            .collect()
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(mut cmd: Command, stdin: &[u8]) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("starts");
    let mut input = child.stdin.take().expect("stdin");
    let bytes = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let out = child.wait_with_output().expect("runs");
    let _ = writer.join();
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Transparency.

/// Scripts that must behave the same under guardsh as under bash, with their stdin.
const SAME: &[(&str, &str)] = &[
    ("echo hello; exit 7", ""),
    ("echo out; echo err >&2; exit 3", ""),
    ("kill -TERM $$", ""),
    ("kill -KILL $$", ""),
    ("read a; read b; echo \"got $b then $a\"", "first\nsecond\n"),
    ("cat", "binary \u{1}\u{2}\u{ff} bytes\nand lines\n"),
    ("set -e; false; echo not reached", ""),
    ("set -o pipefail; false | true; echo status $?", ""),
    ("echo \"0=$0 1=$1 all=$@ n=$#\"", ""),
    ("trap 'echo bye' EXIT; echo hi", ""),
    ("for i in 1 2 3; do echo $i; done | tac", ""),
    ("printf '%s\\n' {1..2000} | wc -l", ""),
    ("exit 255", ""),
    ("rm -rf target; mkdir -p target && ls", ""),
    // SIGPIPE reaches the shell's programs at its default: `yes` ends quietly.
    ("yes | head -n 2", ""),
];

#[test]
fn allowed_scripts_behave_as_under_bash() {
    let home = Home::new("same");
    for (script, stdin) in SAME {
        let args = ["-c", script, "name0", "one", "two words"];
        let mut g = home.cmd(GUARDSH);
        g.args(args);
        let mut b = home.cmd("bash");
        b.args(args);
        let got = run(g, stdin.as_bytes());
        let want = run(b, stdin.as_bytes());
        assert_eq!(
            text(&got.stdout),
            text(&want.stdout),
            "stdout of {script:?}"
        );
        assert_eq!(
            text(&got.stderr),
            text(&want.stderr),
            "stderr of {script:?}"
        );
        assert_eq!(
            got.status.code(),
            want.status.code(),
            "status of {script:?}"
        );
        assert_eq!(
            got.status.signal(),
            want.status.signal(),
            "signal of {script:?}"
        );
    }
    // Every one of them was allowed, and said so in the log.
    let log = home.audit();
    assert_eq!(log.len(), SAME.len());
    assert!(log.iter().all(|e| e["outcome"] == "ran"), "{log:?}");
}

/// The shell gets the caller's environment plus GUARDSH_ACTIVE=1 and the tree's own log
/// (GUARDSH_SPOOL, in the protected spool), and the caller's signal dispositions: a SIGPIPE the caller ignores stays ignored, as it would under bash.
#[test]
fn the_shell_inherits_the_callers_environment_and_signals() {
    let home = Home::new("inherit");
    let env_of = |program: &str| {
        let mut c = home.cmd(program);
        c.env("GUARDSH_TEST_VAR", "a b=c").args(["-c", "env"]);
        let mut lines: Vec<String> = text(&run(c, b"").stdout)
            .lines()
            .map(String::from)
            .collect();
        lines.sort();
        lines
    };
    let mut got = env_of(GUARDSH);
    let want = env_of("bash");
    assert_eq!(
        got.iter().filter(|l| *l == "GUARDSH_ACTIVE=1").count(),
        1,
        "{got:?}"
    );
    got.retain(|l| l != "GUARDSH_ACTIVE=1");
    let spool = format!(
        "GUARDSH_SPOOL={}/",
        home.protected.dir().join("spool").display()
    );
    assert_eq!(
        got.iter().filter(|l| l.starts_with(&spool)).count(),
        1,
        "{got:?}"
    );
    got.retain(|l| !l.starts_with(&spool));
    assert_eq!(got, want);
    assert!(want.iter().any(|l| l == "GUARDSH_TEST_VAR=a b=c"));

    // Whether a program the shell starts has SIGPIPE (signal 13, bit 12 of the mask of
    // ignored signals) ignored, when the caller of `shell` ignores it or not; the script
    // given with -c, or on standard input with -s (which guardsh hands on as a new one).
    let pipe_ignored = |shell: &str, caller_ignores: bool, stdin: bool| {
        let trap = if caller_ignores { "trap '' PIPE; " } else { "" };
        let script = "grep ^SigIgn: /proc/self/status";
        let mut c = home.cmd("bash");
        let (line, input) = if stdin {
            (format!("{trap}exec \"$0\" -s"), format!("{script}\n"))
        } else {
            (format!("{trap}exec \"$0\" -c '{script}'"), String::new())
        };
        c.args(["-c", &line, shell]);
        let out = text(&run(c, input.as_bytes()).stdout);
        let mask = out
            .trim()
            .strip_prefix("SigIgn:")
            .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
            .unwrap_or_else(|| panic!("no SigIgn line in {out:?}"));
        mask & (1 << 12) != 0
    };
    for caller_ignores in [true, false] {
        for stdin in [false, true] {
            assert_eq!(pipe_ignored("bash", caller_ignores, stdin), caller_ignores);
            assert_eq!(
                pipe_ignored(GUARDSH, caller_ignores, stdin),
                caller_ignores,
                "SIGPIPE through guardsh, ignored by its caller: {caller_ignores}, -s: {stdin}"
            );
        }
    }
}

#[test]
fn shell_flags_pass_through() {
    let home = Home::new("flags");
    for args in [
        &["-lc", "echo $0", "zero"][..],
        &["-l", "-c", "shopt -q login_shell && echo login"],
        &["-c", "-l", "shopt -q login_shell && echo login"],
        &["-e", "-o", "pipefail", "-c", "false | true; echo no"],
        &["--norc", "--noprofile", "-c", "echo rc"],
        &["+O", "extglob", "-c", "shopt extglob"],
        &["-x", "-c", "echo traced"],
    ] {
        let mut g = home.cmd(GUARDSH);
        g.args(args);
        let mut b = home.cmd("bash");
        b.args(args);
        let got = run(g, b"");
        let want = run(b, b"");
        assert_eq!(text(&got.stdout), text(&want.stdout), "{args:?}");
        assert_eq!(text(&got.stderr), text(&want.stderr), "{args:?}");
        assert_eq!(got.status.code(), want.status.code(), "{args:?}");
    }
}

#[test]
fn scripts_from_stdin_and_files_run_unchanged() {
    let home = Home::new("scripts");
    let script = "echo start\nread line\necho \"read: $line\"\necho \"args: $*\"\n";
    // `-s`: the script itself is standard input, and its `read` takes the next line of it.
    let mut g = home.cmd(GUARDSH);
    g.args(["-s", "a", "b"]);
    let mut b = home.cmd("bash");
    b.args(["-s", "a", "b"]);
    let input = format!("{script}this line is data\necho end\n");
    let got = run(g, input.as_bytes());
    let want = run(b, input.as_bytes());
    assert_eq!(text(&got.stdout), text(&want.stdout));
    assert_eq!(got.status.code(), want.status.code());
    // A script file with arguments.
    let file = home.work().join("s.sh");
    std::fs::write(&file, "echo \"$0 $1\"; exit 4\n").expect("write");
    let mut g = home.cmd(GUARDSH);
    g.args([file.as_os_str(), OsStr::new("x")]);
    let got = run(g, b"");
    assert_eq!(text(&got.stdout), format!("{} x\n", file.display()));
    assert_eq!(got.status.code(), Some(4));
}

// ---------------------------------------------------------------------------------------------
// Refusal.

#[test]
fn a_refused_line_runs_nothing_at_all() {
    let home = Home::new("refuse");
    let mut g = home.detached(GUARDSH);
    g.args([
        "-c",
        "touch before && railway volume delete --volume pg-data --yes; touch after",
    ]);
    let out = run(g, b"");
    assert_eq!(out.status.code(), Some(126));
    assert!(!home.work().join("before").exists(), "nothing may run");
    assert!(!home.work().join("after").exists());
    let err = text(&out.stderr);
    for needle in [
        "refused, nothing ran",
        "railway.volume.delete",
        "safer:",
        "person",
    ] {
        assert!(err.contains(needle), "{needle:?} missing from {err}");
    }
    let log = home.audit();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["decision"], "deny");
    assert_eq!(log[0]["outcome"], "refused");
}

#[test]
fn the_incident_and_the_catalogue_examples_are_refused_and_ls_runs() {
    let home = Home::new("incident");
    for line in [
        "railway volume delete pg-data --yes",
        "curl -X POST https://backboard.railway.com/graphql/v2 -H 'Authorization: Bearer x' \
         -d '{\"query\":\"mutation { volumeDelete(volumeId: \\\"v\\\") }\"}'",
        "psql -c 'DROP DATABASE app'",
        "rm -rf ~",
        "git push --force origin main",
        "git reset --hard",
    ] {
        let mut g = home.detached(GUARDSH);
        g.args(["-c", line]);
        let out = run(g, b"");
        assert_eq!(
            out.status.code(),
            Some(126),
            "{line}: {}",
            text(&out.stderr)
        );
    }
    let mut g = home.detached(GUARDSH);
    g.args(["-c", "ls -d ."]);
    let out = run(g, b"");
    assert_eq!(text(&out.stdout), ".\n");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn yes_on_stdin_never_confirms() {
    let home = Home::new("yes");
    std::fs::create_dir_all(home.dir.join(".ssh")).expect("mkdir");
    let mut g = home.detached(GUARDSH);
    g.args(["-c", "rm -rf ~/.ssh"]);
    let out = run(g, "rm ~/.ssh\ny\nyes\n".repeat(100).as_bytes());
    assert_eq!(out.status.code(), Some(126));
    assert!(home.dir.join(".ssh").exists());
    assert!(
        text(&out.stderr).contains("guardsh approve"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_broken_config_stops_everything() {
    let home = Home::new("config");
    let dir = home.dir.join(".config/guardsh");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("config.yaml"), "shell: /bin/bash\nalow: []\n").expect("write");
    let mut g = home.detached(GUARDSH);
    g.args(["-c", "touch ran"]);
    let out = run(g, b"");
    assert_eq!(out.status.code(), Some(6));
    assert!(!home.work().join("ran").exists());
    let err = text(&out.stderr);
    assert!(err.contains("config.yaml:2:1"), "{err}");
}

#[test]
fn dry_run_runs_nothing() {
    let home = Home::new("dry");
    for (args, env) in [
        (&["--dry-run", "-c", "touch a && rm -rf /"][..], false),
        (&["-c", "touch a && rm -rf /"], true),
    ] {
        let mut g = home.detached(GUARDSH);
        g.args(args);
        if env {
            g.env("GUARDSH_DRY_RUN", "1");
        }
        let out = run(g, b"");
        assert_eq!(out.status.code(), Some(5));
        assert!(text(&out.stdout).contains("would be refused"));
        assert!(!home.work().join("a").exists());
    }
    let mut g = home.detached(GUARDSH);
    g.args(["--dry-run", "-c", "touch b"]);
    let out = run(g, b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("would run"));
    assert!(!home.work().join("b").exists());
}

// ---------------------------------------------------------------------------------------------
// Real programs using guardsh as their shell.

fn links(home: &Home) -> PathBuf {
    let dir = home.dir.join("bin");
    let mut g = home.detached(GUARDSH);
    g.args(["shell", "install", "--dir"]).arg(&dir);
    let out = run(g, b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("CLAUDE_CODE_SHELL="));
    dir
}

fn path_with(first: &Path) -> std::ffi::OsString {
    let mut paths = vec![first.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("joins")
}

#[test]
fn make_xargs_and_links_use_guardsh_as_their_shell() {
    let home = Home::new("programs");
    let bin = links(&home);
    // make runs each recipe line with `$(SHELL) -c`.
    std::fs::write(
        home.work().join("Makefile"),
        "ok:\n\t@echo made it\nbad:\n\t@railway volume delete pg-data --yes\n",
    )
    .expect("write");
    let mut m = home.cmd("make");
    m.arg(format!("SHELL={GUARDSH}")).arg("ok");
    let out = run(m, b"");
    assert_eq!(text(&out.stdout), "made it\n");
    let mut m = home.cmd("make");
    m.arg(format!("SHELL={GUARDSH}")).arg("bad");
    let out = run(m, b"");
    assert_ne!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("railway.volume.delete"));
    // xargs finds `sh` on PATH: the link, which guards and then runs the real sh.
    let mut x = home.cmd("xargs");
    x.env("PATH", path_with(&bin))
        .args(["sh", "-c", "echo \"$0 and $1\""]);
    let out = run(x, b"a b\n");
    assert_eq!(text(&out.stdout), "a and b\n");
    let mut x = home.cmd("xargs");
    x.env("PATH", path_with(&bin))
        .args(["-I{}", "sh", "-c", "git push --force origin {}"]);
    let out = run(x, b"main\n");
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("git.push.force"),
        "{}",
        text(&out.stderr)
    );
    // Called through the `bash` link with PATH listing the links twice: no loop.
    let mut b = home.cmd(bin.join("bash"));
    let doubled = std::env::join_paths([bin.clone(), bin.clone()].into_iter().chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("joins");
    b.env("PATH", doubled)
        .args(["-c", "echo $0; echo via link"]);
    let out = run(b, b"");
    assert_eq!(
        text(&out.stdout),
        "bash\nvia link\n",
        "{}",
        text(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// The audit log under load.

#[test]
fn concurrent_processes_do_not_lose_or_mix_audit_lines() {
    let home = Home::new("audit");
    let n = 40;
    let children: Vec<_> = (0..n)
        .map(|i| {
            let mut g = home.cmd(GUARDSH);
            g.args(["-c", &format!("true {i} {}", "x".repeat(2000))])
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            g.spawn().expect("starts")
        })
        .collect();
    for mut c in children {
        assert!(c.wait().expect("waits").success());
    }
    let log = home.audit();
    assert_eq!(log.len(), n);
    let mut seen: Vec<String> = log
        .iter()
        .map(|e| e["command"].as_str().unwrap_or("").to_owned())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), n);
}

// ---------------------------------------------------------------------------------------------
// Confirmation and approval, through a real pseudo-terminal.

mod pty {
    use super::*;
    use expectrl::process::unix::WaitStatus;
    use expectrl::session::OsSession as Session;
    use expectrl::{Eof, Expect as _};

    fn spawn(home: &Home, args: &[&str]) -> Session {
        let mut c = Command::new(GUARDSH);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home.dir)
            .env("XDG_CONFIG_HOME", home.dir.join(".config"))
            .env("XDG_STATE_HOME", home.dir.join(".local/state"))
            .env("TERM", "dumb")
            .env(guarded::ROOT_VAR, &home.protected.root)
            .current_dir(home.work())
            .args(args);
        let mut s = expectrl::Session::spawn(c).expect("spawns on a pty");
        s.set_expect_timeout(Some(Duration::from_secs(20)));
        s
    }

    /// A person's interactive bash on a terminal of its own (it leads its session).
    fn interactive_bash(home: &Home) -> Session {
        let mut c = Command::new("bash");
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home.dir)
            .env("XDG_CONFIG_HOME", home.dir.join(".config"))
            .env("XDG_STATE_HOME", home.dir.join(".local/state"))
            .env("TERM", "dumb")
            .env(guarded::ROOT_VAR, &home.protected.root)
            .env("PS1", "$ ")
            .current_dir(home.work())
            .args(["--norc", "--noprofile", "-i"]);
        let mut s = expectrl::Session::spawn(c).expect("spawns on a pty");
        s.set_expect_timeout(Some(Duration::from_secs(20)));
        s
    }

    fn exit_code(s: &Session) -> Option<i32> {
        match s.get_process().wait() {
            Ok(WaitStatus::Exited(_, code)) => Some(code),
            _ => None,
        }
    }

    fn ssh_dir(home: &Home) -> PathBuf {
        let d = home.dir.join(".ssh");
        std::fs::create_dir_all(&d).expect("mkdir");
        d
    }

    /// A terminal is no proof of a person: the agent can open one itself. Shell mode never
    /// asks there; it refuses with the request a person approves from their own terminal.
    #[test]
    fn shell_mode_does_not_ask_on_a_terminal() {
        let home = Home::new("pty-no-ask");
        let ssh = ssh_dir(&home);
        let mut s = spawn(&home, &["-c", "rm -rf ~/.ssh"]);
        s.expect("guardsh approve ").expect("names the request");
        s.expect(Eof).expect("ends without asking");
        assert_eq!(exit_code(&s), Some(126));
        assert!(ssh.exists(), "refused: nothing ran");
        assert_eq!(home.audit()[0]["outcome"], "refused");
    }

    #[test]
    fn an_agent_gets_no_interactive_shell() {
        let home = Home::new("pty-interactive");
        let mut c = Command::new(GUARDSH);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home.dir)
            .env("XDG_STATE_HOME", home.dir.join(".local/state"))
            .env("TERM", "dumb")
            .env("CODEX_SANDBOX", "seatbelt")
            .current_dir(home.work());
        let mut s = expectrl::Session::spawn(c).expect("spawns on a pty");
        s.set_expect_timeout(Some(Duration::from_secs(20)));
        s.expect("says an agent would drive this interactive shell")
            .expect("refuses");
        s.expect(Eof).expect("ends");
        assert_eq!(exit_code(&s), Some(126));
    }

    #[test]
    fn an_approval_works_once_and_only_for_its_command() {
        let home = Home::new("pty-approve");
        let ssh = ssh_dir(&home);
        // No terminal: refused, with a request id.
        let mut g = home.detached(GUARDSH);
        g.args(["-c", "rm -rf ~/.ssh"]).stdin(Stdio::null());
        let out = g.output().expect("runs");
        assert_eq!(out.status.code(), Some(126));
        let err = text(&out.stderr);
        let id = err
            .split("guardsh approve ")
            .nth(1)
            .and_then(|r| r.split('`').next())
            .expect("a request id")
            .to_owned();
        // Through guardsh, `guardsh approve` is refused by the self-protection pack…
        let mut g = home.detached(GUARDSH);
        g.args([
            "-c",
            &format!("unset GUARDSH_ACTIVE; env -u GUARDSH_ACTIVE {GUARDSH} approve {id}"),
        ]);
        let out = run(g, b"");
        assert_eq!(out.status.code(), Some(126), "{}", text(&out.stdout));
        assert!(
            text(&out.stderr).contains("guardsh-self"),
            "{}",
            text(&out.stderr)
        );
        // …and under another name, approve itself sees it was not typed by a person, even
        // with the marker unset (both as the shell's last command and with one after it).
        let renamed = home.dir.join("guardsh-copy");
        std::os::unix::fs::symlink(GUARDSH, &renamed).expect("symlink");
        for tail in ["", "; true"] {
            let mut g = home.detached(GUARDSH);
            g.args([
                "-c",
                &format!(
                    "unset GUARDSH_ACTIVE; env -u GUARDSH_ACTIVE {} approve {id}{tail}",
                    renamed.display()
                ),
            ]);
            let out = run(g, b"");
            assert!(
                text(&out.stderr).contains("must be typed by a person"),
                "{tail:?}: {}",
                text(&out.stderr)
            );
            assert!(!text(&out.stdout).contains("approved"));
        }
        // Started straight on a terminal, with no person's shell leading its session: no.
        let mut s = spawn(&home, &["approve", &id]);
        s.expect(Eof).expect("ends");
        assert_eq!(exit_code(&s), Some(126));
        // A person approves at an interactive shell in their own terminal.
        let mut s = interactive_bash(&home);
        s.send_line(format!("{GUARDSH} approve {id}"))
            .expect("types");
        s.expect("rm -rf ~/.ssh").expect("shows the command");
        s.expect("Type `rm ~/.ssh`").expect("asks");
        s.send_line("rm ~/.ssh").expect("types");
        s.expect("approved once").expect("approves");
        s.send_line("exit").expect("types");
        s.expect(Eof).expect("ends");
        // Another command is not approved by it.
        std::fs::create_dir_all(home.dir.join(".gnupg")).expect("mkdir");
        let mut g = home.detached(GUARDSH);
        g.args(["-c", "rm -rf ~/.gnupg"]).stdin(Stdio::null());
        assert_eq!(g.output().expect("runs").status.code(), Some(126));
        // The approved one runs once…
        let mut g = home.detached(GUARDSH);
        g.args(["-c", "rm -rf ~/.ssh"]).stdin(Stdio::null());
        assert_eq!(g.output().expect("runs").status.code(), Some(0));
        assert!(!ssh.exists());
        // …and only once.
        std::fs::create_dir_all(&ssh).expect("mkdir");
        let mut g = home.detached(GUARDSH);
        g.args(["-c", "rm -rf ~/.ssh"]).stdin(Stdio::null());
        assert_eq!(g.output().expect("runs").status.code(), Some(126));
        assert!(ssh.exists());
    }

    /// Run `line` with no terminal: refused, and the request id a person approves.
    fn request(home: &Home, line: &str) -> String {
        let mut g = home.detached(GUARDSH);
        g.args(["-c", line]).stdin(Stdio::null());
        let out = g.output().expect("runs");
        assert_eq!(out.status.code(), Some(126), "{}", text(&out.stderr));
        text(&out.stderr)
            .split("guardsh approve ")
            .nth(1)
            .and_then(|r| r.split('`').next())
            .expect("a request id")
            .to_owned()
    }

    /// A person approves `id` at their own interactive shell, with `flags`, typing
    /// `phrase`; `shows` is what the approval must say about the backup.
    fn approve_as_a_person(home: &Home, id: &str, flags: &str, phrase: &str, shows: &str) {
        let mut s = interactive_bash(home);
        s.send_line(format!("{GUARDSH} approve {flags}{id}"))
            .expect("types");
        s.expect(shows).expect("says what happens to the backup");
        s.expect(format!("Type `{phrase}`").as_str()).expect("asks");
        s.send_line(phrase).expect("types");
        s.expect("approved once").expect("approves");
        s.send_line("exit").expect("types");
        s.expect(Eof).expect("ends");
    }

    /// The approved line, run again exactly as the agent would.
    fn run_approved(home: &Home, line: &str) -> Output {
        let mut g = home.detached(GUARDSH);
        g.args(["-c", line]).stdin(Stdio::null());
        g.output().expect("runs")
    }

    fn key(home: &Home) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let key = ssh_dir(home).join("id_ed25519");
        std::fs::write(&key, "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n").expect("write");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        key
    }

    /// The insurance promise end to end: a person approves, guardsh copies what the line
    /// deletes before it runs, logs the copy, and `guardsh restore` brings it back.
    #[test]
    fn an_approved_line_is_backed_up_first_and_restore_brings_it_back() {
        use std::os::unix::fs::PermissionsExt as _;
        let home = Home::new("pty-insure");
        let key = key(&home);
        let line = "rm -rf ~/.ssh";
        let id = request(&home, line);
        approve_as_a_person(&home, &id, "", "rm ~/.ssh", "taken first");
        let out = run_approved(&home, line);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(!key.exists(), "the approved line ran");
        let err = text(&out.stderr);
        assert!(err.contains("backed up"), "{err}");
        let ran = home
            .audit()
            .into_iter()
            .rfind(|e| e["outcome"] == "approved")
            .expect("the approved run is logged");
        let backup = ran["backups"][0]
            .as_str()
            .expect("with its backup")
            .to_owned();
        assert!(err.contains(&backup), "{err}");
        // The backup is listed, and comes back with its bytes and mode.
        let mut g = home.cmd(GUARDSH);
        g.args(["backups", "list", "--json"]);
        let listed = text(&run(g, b"").stdout);
        assert!(listed.contains(&backup), "{listed}");
        let mut g = home.cmd(GUARDSH);
        g.args(["restore", &backup, "--yes"]);
        let out = run(g, b"");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(
            std::fs::read_to_string(&key).expect("back"),
            "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n"
        );
        let mode = std::fs::metadata(&key).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    /// A person may decline the backup; the run says so in the log, and nothing is stored.
    #[test]
    fn a_declined_backup_is_logged_and_none_is_taken() {
        let home = Home::new("pty-no-backup");
        let key = key(&home);
        let line = "rm -rf ~/.ssh";
        let id = request(&home, line);
        approve_as_a_person(&home, &id, "--no-backup ", "rm ~/.ssh", "you declined it");
        let out = run_approved(&home, line);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(!key.exists());
        assert!(!text(&out.stderr).contains("backed up"));
        let ran = home
            .audit()
            .into_iter()
            .rfind(|e| e["outcome"] == "approved")
            .expect("logged");
        assert_eq!(ran["no_backup"], true, "{ran}");
        let mut g = home.cmd(GUARDSH);
        g.args(["backups", "list", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&run(g, b"").stdout).expect("JSON");
        assert_eq!(v["backups"].as_array().map(Vec::len), Some(0), "{v}");
    }

    /// A backup that cannot be taken (here: over the configured size cap) stops the
    /// approved line: it does not run, and the message says how to proceed.
    #[test]
    fn a_backup_that_cannot_be_taken_stops_the_approved_line() {
        let home = Home::new("pty-too-big");
        let key = key(&home);
        let config = home.dir.join(".config/guardsh");
        std::fs::create_dir_all(&config).expect("mkdir");
        std::fs::write(config.join("config.yaml"), "backup:\n  max_bytes: 8\n").expect("write");
        let line = "rm -rf ~/.ssh";
        let id = request(&home, line);
        approve_as_a_person(&home, &id, "", "rm ~/.ssh", "taken first");
        let out = run_approved(&home, line);
        assert_eq!(out.status.code(), Some(126), "{}", text(&out.stderr));
        assert!(key.exists(), "nothing ran");
        let err = text(&out.stderr);
        assert!(err.contains("could not be taken"), "{err}");
        assert!(err.contains("--no-backup"), "{err}");
    }

    #[test]
    fn approve_needs_a_person_and_a_terminal() {
        let home = Home::new("pty-none");
        // Started on its own in a fresh session: no person's shell above it.
        let mut g = home.detached(GUARDSH);
        g.args(["approve", "deadbeef"]).stdin(Stdio::null());
        let out = g.output().expect("runs");
        assert_eq!(out.status.code(), Some(126));
        assert!(text(&out.stderr).contains("not started from an interactive shell"));
        // From a shell that leads its session, but with no terminal to ask on.
        let mut g = home.detached("bash");
        g.args(["-c", &format!("{GUARDSH} approve deadbeef; exit $?")])
            .stdin(Stdio::null());
        let out = g.output().expect("runs");
        assert_eq!(out.status.code(), Some(126));
        assert!(
            text(&out.stderr).contains("needs a terminal"),
            "{}",
            text(&out.stderr)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The catalogue, through shell mode, with a stand-in shell that only records.

#[test]
fn every_refused_catalogue_example_runs_nothing_through_guardsh_c() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/catalogue.yaml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        // A clone on its own has no shared/ beside it: say so where it is seen, and skip.
        let _ = writeln!(
            std::io::stderr().lock(),
            "SKIPPED every_refused_catalogue_example_runs_nothing_through_guardsh_c: {} not found",
            path.display()
        );
        return;
    };
    let catalogue: serde_yaml::Value = serde_yaml::from_str(&text).expect("catalogue is YAML");
    let home = Home::new("catalogue");
    // If guardsh ever let one through, this shell runs instead of bash: it records, and
    // destroys nothing.
    let recorder = home.dir.join("recorder.sh");
    let ran = home.dir.join("ran");
    std::fs::write(
        &recorder,
        format!("#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\n", ran.display()),
    )
    .expect("write");
    std::fs::set_permissions(
        &recorder,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let covered: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("guards"))
            .expect("guards/")
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.path()
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
            })
            .chain(
                ["system", "postgres", "mysql", "sqlite", "redis"]
                    .iter()
                    .map(|s| (*s).to_owned()),
            )
            .collect();
    let mut checked = 0;
    let mut leaked = Vec::new();
    for p in catalogue["patterns"].as_sequence().expect("patterns") {
        let platform = p["platform"].as_str().unwrap_or("");
        let severity = p["severity"].as_str().unwrap_or("");
        if !covered.iter().any(|c| c == platform) || !matches!(severity, "deny" | "confirm") {
            continue;
        }
        for line in p["examples"].as_sequence().into_iter().flatten() {
            let Some(line) = line.as_str() else { continue };
            let mut g = home.detached(GUARDSH);
            g.env("GUARDSH_SHELL", &recorder)
                .args(["-c", line])
                .stdin(Stdio::null());
            let out = g.output().expect("runs");
            checked += 1;
            if out.status.code() != Some(126) {
                leaked.push(format!("{:?} {line}", out.status.code()));
            }
        }
    }
    let recorded = std::fs::read_to_string(&ran).unwrap_or_default();
    assert!(checked > 200, "only {checked} examples checked");
    assert!(
        leaked.is_empty() && recorded.is_empty(),
        "{} of {checked} ran:\n{}\nrecorded:\n{recorded}",
        leaked.len(),
        leaked.join("\n")
    );
    eprintln!(
        "shell mode refused all {checked} deny/confirm catalogue examples of covered platforms"
    );
}
