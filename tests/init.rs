//! `guardsh init`: the scripts run in real interactive bash, zsh and fish on a pseudo-terminal.
//! Lines are typed as a person types them; marker files prove what ran and what did not.
//!
//! A shell (or shellcheck) that is not installed fails these tests under `CI=true`, and
//! skips them with a message otherwise.

// These tests start shells and guardsh on purpose.
#![allow(clippy::disallowed_methods)]

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::Expect as _;
use expectrl::session::OsSession as Session;

const GUARDSH: &str = env!("CARGO_BIN_EXE_guardsh");

/// A protected root that does not exist: these tests run guardsh without the kernel boundary
/// (the parse-only path), and never touch a real `/srv/guardsh` of the machine they run on.
const NO_PROTECTED_ROOT: &str = "/nonexistent/guardsh-test-root";
const PROMPT: &str = "GSH> ";
const TIMEOUT: Duration = Duration::from_secs(20);

/// Is `tool` installed? Under CI it must be; elsewhere its tests are skipped, visibly.
fn require(tool: &str) -> bool {
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|d| d.join(tool).is_file());
    if found {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("`{tool}` is not installed, and CI=true: install it (see APT_PACKAGES in .ci/run)");
    }
    // Straight to the standard error file: eprintln! is captured by the test harness and
    // shown only for failing tests, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr().lock(),
        "SKIPPED: `{tool}` is not installed; install it to run this test (CI=true makes this a failure)"
    );
    false
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }
}

/// A private home for one shell session, and the session itself.
struct Term {
    dir: PathBuf,
    shell: Shell,
    session: Session,
    /// Everything the terminal showed so far, for waiting on text and for failure messages.
    seen: String,
}

fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "guardsh-init-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(dir.join("work")).expect("temp home");
    dir
}

impl Term {
    /// An interactive `shell` whose startup file evaluates `guardsh init` twice (loading it
    /// again must change nothing).
    fn start(shell: Shell) -> Term {
        Term::start_with(shell, &[])
    }

    /// [`Term::start`], with more environment variables.
    fn start_with(shell: Shell, env: &[(&str, &str)]) -> Term {
        Term::start_rc(shell, env, "")
    }

    /// [`Term::start_with`], with `rc` in the startup file before guardsh's init.
    fn start_rc(shell: Shell, env: &[(&str, &str)], rc: &str) -> Term {
        let dir = temp_home(shell.name());
        let init = match shell {
            Shell::Bash | Shell::Zsh => {
                format!("eval \"$('{GUARDSH}' init {})\"\n", shell.name())
            }
            Shell::Fish => format!("'{GUARDSH}' init fish | source\n"),
        };
        let mut c = match shell {
            Shell::Bash => {
                let rc = dir.join("bashrc");
                std::fs::write(&rc, format!("PS1='{PROMPT}'\n{init}{init}")).expect("rc");
                let mut c = Command::new("bash");
                c.arg("--rcfile").arg(&rc).arg("-i");
                c
            }
            Shell::Zsh => {
                std::fs::write(
                    dir.join(".zshrc"),
                    format!("PS1='{PROMPT}'\nunsetopt PROMPT_SP\n{rc}\n{init}{init}"),
                )
                .expect("rc");
                let mut c = Command::new("zsh");
                c.arg("-i").env("ZDOTDIR", &dir);
                c
            }
            Shell::Fish => {
                let conf = dir.join(".config/fish");
                std::fs::create_dir_all(&conf).expect("mkdir");
                std::fs::write(
                    conf.join("config.fish"),
                    format!(
                        "function fish_prompt; printf '{PROMPT}'; end\n\
                         function fish_greeting; end\n{init}{init}"
                    ),
                )
                .expect("rc");
                let mut c = Command::new("fish");
                c.arg("-i");
                c
            }
        };
        c.envs(env.iter().copied());
        Term::spawn(shell, dir, c)
    }

    /// Start `c` on a pseudo-terminal with `dir` as its whole world (home, XDG directories,
    /// working directory `dir/work`) and wait for the prompt.
    fn spawn(shell: Shell, dir: PathBuf, mut c: Command) -> Term {
        // Variables `c` already carries are set again after the clean slate.
        let own: Vec<(std::ffi::OsString, std::ffi::OsString)> = c
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
            .collect();
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("GUARDSH_TEST_PROTECTED_ROOT", NO_PROTECTED_ROOT)
            .env("HOME", &dir)
            .env("XDG_CONFIG_HOME", dir.join(".config"))
            .env("XDG_STATE_HOME", dir.join(".local/state"))
            .env("XDG_DATA_HOME", dir.join(".local/share"))
            .env("TERM", "dumb")
            .env("LANG", "C")
            .envs(own)
            .current_dir(dir.join("work"));
        let mut session = expectrl::Session::spawn(c).expect("spawns on a pty");
        session.set_expect_timeout(Some(TIMEOUT));
        let mut t = Term {
            dir,
            shell,
            session,
            seen: String::new(),
        };
        t.wait_text(PROMPT);
        t
    }

    /// `guardsh` with no command on a terminal, its real shell `shell` (GUARDSH_SHELL): the
    /// person's own startup file sets the prompt and loads nothing of guardsh's.
    fn start_guardsh(shell: Shell) -> Term {
        let dir = temp_home(&format!("{}-bare", shell.name()));
        match shell {
            Shell::Bash => std::fs::write(dir.join(".bashrc"), format!("PS1='{PROMPT}'\n")),
            Shell::Zsh => std::fs::write(
                dir.join(".zshrc"),
                format!("PS1='{PROMPT}'\nunsetopt PROMPT_SP\n"),
            ),
            Shell::Fish => {
                let conf = dir.join(".config/fish");
                std::fs::create_dir_all(&conf).expect("mkdir");
                std::fs::write(
                    conf.join("config.fish"),
                    format!(
                        "function fish_prompt; printf '{PROMPT}'; end\nfunction fish_greeting; end\n"
                    ),
                )
            }
        }
        .expect("rc");
        let mut c = Command::new(GUARDSH);
        c.env("GUARDSH_SHELL", shell.name());
        Term::spawn(shell, dir, c)
    }

    fn work(&self) -> PathBuf {
        self.dir.join("work")
    }

    fn drain(&mut self) {
        let mut buf = [0u8; 4096];
        loop {
            match self.session.try_read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self
                    .seen
                    .push_str(&String::from_utf8_lossy(buf.get(..n).unwrap_or_default())),
                Err(_) => break,
            }
        }
    }

    fn wait(&mut self, what: &str, mut done: impl FnMut(&Term) -> bool) {
        let start = Instant::now();
        loop {
            self.drain();
            if done(self) {
                return;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "{}: timed out waiting for {what}; the terminal showed:\n{}",
                self.shell.name(),
                self.seen
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait until `needle` appears in what the terminal showed after the last call.
    fn wait_text(&mut self, needle: &str) {
        let from = self.seen.len();
        let needle = needle.to_owned();
        self.wait(&format!("{needle:?}"), |t| {
            t.seen.get(from..).is_some_and(|s| s.contains(&needle))
        });
    }

    /// Wait for `needle`, and then for the prompt drawn again after it: zsh was seen to drop
    /// a key typed while the widget was still running (a Control-U sent on the heels of a
    /// refusal was lost under load), so keys wait for the line editor to be back. bash keeps
    /// such keys, and on a dumb terminal draws no new prompt to wait for.
    fn wait_then_prompt(&mut self, needle: &str) {
        if self.shell == Shell::Bash {
            self.wait_text(needle);
            return;
        }
        let from = self.seen.len();
        let needle = needle.to_owned();
        self.wait(&format!("{needle:?} and then the prompt"), |t| {
            let seen = t.seen.get(from..).unwrap_or_default();
            seen.find(&needle).is_some_and(|at| {
                seen.get(at + needle.len()..)
                    .is_some_and(|rest| rest.contains(PROMPT))
            })
        });
    }

    fn wait_file(&mut self, name: &str) {
        let path = self.work().join(name);
        self.wait(&format!("file {name}"), |_| path.exists());
    }

    /// Type `text` and press Enter.
    fn enter(&mut self, text: &str) {
        self.session.send(text).expect("types");
        self.session.send("\r").expect("presses Enter");
    }

    /// Run an allowed line and wait until it has run (it creates `marker`).
    fn run(&mut self, line: &str, marker: &str) {
        self.enter(line);
        self.wait_file(marker);
    }

    fn exists(&self, name: &str) -> bool {
        self.work().join(name).exists()
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.work().join(name)).unwrap_or_default()
    }

    fn audit(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.join(".local/state/guardsh/audit.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("every audit line is JSON"))
            .collect()
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.session.send("\x04");
        let _ = self
            .session
            .get_process_mut()
            .kill(expectrl::process::unix::Signal::SIGKILL);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The whole behaviour, in one session per shell.
fn session(shell: Shell) {
    if !require(shell.name()) {
        return;
    }
    let mut t = Term::start(shell);

    // An allowed line runs, with everything after its `&&`.
    t.run("touch allowed && touch allowed2", "allowed2");
    assert!(t.exists("allowed"));

    // A refused line runs nothing: not the harmless command before it, not the one after.
    let bad = "touch before && railway volume delete pg-data --yes && touch after";
    t.enter(bad);
    t.wait_then_prompt("kept in the buffer");
    assert!(t.seen.contains("railway.volume.delete"), "{}", t.seen);
    // The line is still in the buffer: quote it, whole, and write it to a file.
    t.session.send("\x01echo '").expect("types");
    t.session.send("\x05' > kept").expect("types");
    t.session.send("\r").expect("Enter");
    // The redirection creates the file before echo writes to it: wait for the whole line.
    t.wait("the kept line to be written", |t| {
        t.read("kept").ends_with('\n')
    });
    assert_eq!(t.read("kept").trim_end(), bad, "the refused line, as typed");
    for never in ["before", "after"] {
        assert!(
            !t.exists(never),
            "{}: `{never}` must not have run",
            shell.name()
        );
    }

    // An unfinished line (an open quote) is not refused: the shell keeps reading, and the
    // whole text runs once it is finished.
    t.enter("echo \"one");
    t.enter("two\" > multi && touch multi_done");
    t.wait_file("multi_done");
    assert_eq!(t.read("multi"), "one\ntwo\n");

    // A line that needs confirmation asks for the phrase on the terminal. A wrong answer
    // refuses it; the right one runs it; the prompt and line editing work afterwards.
    std::fs::create_dir_all(t.dir.join(".ssh")).expect("mkdir");
    t.enter("rm -rf ~/.ssh");
    t.wait_text("Type `rm ~/.ssh`");
    t.session.send("yes\r").expect("answers");
    t.wait_then_prompt("a person did not confirm it");
    assert!(t.dir.join(".ssh").exists());
    // The refused line is still there: Enter again asks again.
    t.session.send("\r").expect("Enter");
    t.wait_text("Type `rm ~/.ssh`");
    t.session.send("rm ~/.ssh\r").expect("answers");
    let ssh = t.dir.join(".ssh");
    t.wait("~/.ssh removed", |_| !ssh.exists());
    t.run("touch after_confirm", "after_confirm");

    if shell != Shell::Fish {
        // History expansion is judged expanded: a destructive line put into history without
        // running (`history -s`, `print -s`) is refused when recalled with `!!`.
        let add = match shell {
            Shell::Bash => "history -s 'railway volume delete pg-data --yes'; touch added",
            _ => "print -s 'railway volume delete pg-data --yes'; touch added",
        };
        t.run(add, "added");
        let from = t.seen.len();
        t.enter("!! && touch bang_ran");
        t.wait_then_prompt("kept in the buffer");
        assert!(
            t.seen
                .get(from..)
                .unwrap_or_default()
                .contains("railway.volume.delete"),
            "{}",
            t.seen
        );
        t.session.send("\x15").expect("clears");
        t.run("touch bang_synced", "bang_synced");
        assert!(!t.exists("bang_ran"));
    }

    if shell == Shell::Fish {
        // fish's own syntax: a block runs; a keyword in front hides nothing.
        t.run(
            "for f in a b; echo $f >> loop; end; touch loop_done",
            "loop_done",
        );
        assert_eq!(t.read("loop"), "a\nb\n");
        let from = t.seen.len();
        t.enter("true; and railway volume delete v --yes; and touch rm_ran");
        t.wait_then_prompt("kept in the buffer");
        assert!(
            t.seen
                .get(from..)
                .unwrap_or_default()
                .contains("railway.volume.delete")
        );
        t.session.send("\x15").expect("clears");
        t.run("touch fish_synced", "fish_synced");
        assert!(!t.exists("rm_ran"));
    }

    // History: the previous line comes back with Control-P; refused lines are not in it.
    t.run("echo again >> hist", "hist");
    t.session.send("\x10").expect("previous line");
    t.session.send("\r").expect("Enter");
    t.wait("the recalled line to run", |t| {
        t.read("hist") == "again\nagain\n"
    });
    let history = match shell {
        Shell::Bash | Shell::Zsh => "fc -ln 1 > history_out",
        Shell::Fish => "history > history_out",
    };
    t.run(history, "history_out");
    t.wait("the history to be written", |t| {
        t.read("history_out").contains("echo again")
    });
    let hist = t.read("history_out");
    assert!(
        !hist
            .lines()
            .any(|l| l.trim_start().starts_with("touch before")),
        "{}: a refused line went into history:\n{hist}",
        shell.name()
    );

    // The shim directory is first on PATH, once, though the init ran twice.
    let path_line = match shell {
        Shell::Bash | Shell::Zsh => "printf '%s\\n' \"$PATH\" > path_out",
        Shell::Fish => "string join : $PATH > path_out",
    };
    t.run(path_line, "path_out");
    t.wait("PATH to be written", |t| t.read("path_out").ends_with('\n'));
    let shims = t.dir.join(".local/share/guardsh/shims");
    let path = t.read("path_out");
    let dirs: Vec<&str> = path.trim_end().split(':').collect();
    assert_eq!(dirs.first().map(Path::new), Some(shims.as_path()), "{path}");
    assert_eq!(
        dirs.iter().filter(|d| Path::new(d) == shims).count(),
        1,
        "{path}"
    );

    // Every decision is in the audit log, as interactive.
    let log = t.audit();
    assert!(
        log.iter()
            .all(|e| e["mode"] == "interactive" && e["command"] != ""),
        "{log:?}"
    );
    let refused: Vec<&serde_json::Value> = log.iter().filter(|e| e["command"] == bad).collect();
    assert!(
        !refused.is_empty() && refused.iter().all(|e| e["outcome"] == "refused"),
        "{log:?}"
    );
    assert!(log.iter().any(|e| e["outcome"] == "confirmed"), "{log:?}");
}

#[test]
fn bash_session() {
    session(Shell::Bash);
}

#[test]
fn zsh_session() {
    session(Shell::Zsh);
}

#[test]
fn fish_session() {
    session(Shell::Fish);
}

/// `BAD && next`, `BAD; next` and `BAD || next`: nothing of the line runs in any shell.
#[test]
fn nothing_after_a_refused_command_runs() {
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        if !require(shell.name()) {
            continue;
        }
        let mut t = Term::start(shell);
        let lines = [
            "git push --force origin main && touch n1",
            "rm -rf / ; touch n2",
            "true | railway volume delete v --yes || touch n3",
        ];
        for line in lines {
            t.enter(line);
            t.wait_then_prompt("kept in the buffer");
            // Clear the buffer (Control-U) before the next line.
            t.session.send("\x15").expect("clears");
        }
        t.run("touch synced", "synced");
        for n in ["n1", "n2", "n3"] {
            assert!(!t.exists(n), "{}: `{n}` ran", shell.name());
        }
        // Empty and whitespace-only lines and comments just give a new prompt.
        let from = t.seen.len();
        t.enter("");
        t.enter("   ");
        t.enter("# just a comment");
        t.run("touch after_blank", "after_blank");
        let after = t.seen.get(from..).unwrap_or_default();
        assert!(!after.contains("refused"), "{after}");
    }
}

/// zsh: another plugin's accept-line widget still runs, once per accepted line (init loaded
/// twice wraps it once), and not for a refused line.
#[test]
fn zsh_chains_a_plugins_accept_line_once() {
    if !require("zsh") {
        return;
    }
    let rc = "__plugin_accept() { print -n x >> plugin_calls; zle .accept-line; }\n\
              zle -N accept-line __plugin_accept";
    let mut t = Term::start_rc(Shell::Zsh, &[], rc);
    t.run("touch one", "one");
    t.enter("railway volume delete pg-data --yes");
    t.wait_then_prompt("kept in the buffer");
    t.session.send("\x15").expect("clears");
    t.run("touch two", "two");
    assert_eq!(t.read("plugin_calls"), "xx");
}

/// An interactive shell an agent drives (its marker is in the environment) asks nobody on
/// the terminal: a line that needs confirmation is refused with a request for a person.
#[test]
fn an_agents_terminal_is_not_asked() {
    if !require("bash") {
        return;
    }
    let mut t = Term::start_with(Shell::Bash, &[("CLAUDECODE", "1")]);
    std::fs::create_dir_all(t.dir.join(".ssh")).expect("mkdir");
    t.enter("rm -rf ~/.ssh");
    t.wait_then_prompt("guardsh approve ");
    assert!(t.seen.contains("`CLAUDECODE` is set"), "{}", t.seen);
    assert!(!t.seen.contains("Type `"), "{}", t.seen);
    t.session.send("\x15").expect("clears");
    t.run("touch synced", "synced");
    assert!(t.dir.join(".ssh").exists());
}

fn shellcheck(path: &Path) {
    let out = Command::new("shellcheck")
        .args(["--shell=bash", "--severity=style"])
        .arg(path)
        .output()
        .expect("runs shellcheck");
    assert!(
        out.status.success(),
        "shellcheck {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn shellcheck_passes_on_the_bash_script() {
    if !require("shellcheck") {
        return;
    }
    shellcheck(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/shell/guardsh.bash"));
    // And on what `guardsh init bash` prints, with real paths in it.
    let dir = temp_home("shellcheck");
    let out = Command::new(GUARDSH)
        .env("GUARDSH_TEST_PROTECTED_ROOT", NO_PROTECTED_ROOT)
        .args(["init", "bash"])
        .env("HOME", &dir)
        .env("XDG_DATA_HOME", dir.join("it's data"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    let printed = dir.join("init.bash");
    std::fs::write(&printed, &out.stdout).expect("write");
    shellcheck(&printed);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The scripts parse in their shells, and `guardsh init` fills in every placeholder.
#[test]
fn init_prints_each_script_with_its_paths() {
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let out = Command::new(GUARDSH)
            .env("GUARDSH_TEST_PROTECTED_ROOT", NO_PROTECTED_ROOT)
            .args(["init", shell.name()])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(!text.contains("@GUARDSH_"), "{text}");
        let bin = std::fs::canonicalize(GUARDSH).expect("canonical");
        assert!(text.contains(&bin.display().to_string()), "{text}");
        for name in ["__guardsh_bin", "gate --shell"] {
            assert!(text.contains(name), "{name} missing from {}", shell.name());
        }
        if !require(shell.name()) {
            continue;
        }
        let mut child = Command::new(shell.name())
            .arg("-n")
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starts the shell");
        {
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(text.as_bytes()).expect("writes");
        }
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        assert!(
            child.wait().expect("waits").success(),
            "{}: {err}",
            shell.name()
        );
    }
    let out = Command::new(GUARDSH)
        .env("GUARDSH_TEST_PROTECTED_ROOT", NO_PROTECTED_ROOT)
        .args(["init", "tcsh"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

/// `guardsh gate` on its own: the exit codes the scripts rely on.
#[test]
fn gate_exit_codes() {
    // Unfinished lines are told apart by `bash -n`.
    if !require("bash") {
        return;
    }
    let dir = temp_home("gate");
    let gate = |shell: &str, line: &str| {
        Command::new("setsid")
            .args(["-w", GUARDSH, "gate", "--shell", shell, "--", line])
            .env("GUARDSH_TEST_PROTECTED_ROOT", NO_PROTECTED_ROOT)
            .env("HOME", &dir)
            .env("XDG_STATE_HOME", dir.join("state"))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .stdin(std::process::Stdio::null())
            .output()
            .expect("runs")
    };
    for (shell, line, code) in [
        ("bash", "ls -la", 0),
        ("bash", "", 0),
        ("bash", "  \t ", 0),
        ("bash", "# a comment", 0),
        ("bash", "railway volume delete pg-data --yes", 126),
        // Needs a person, and there is no terminal here: refused.
        ("bash", "rm -rf ~/.ssh", 126),
        ("bash", "echo )", 126),
        ("bash", "echo \"open", 8),
        ("zsh", "echo 'open", 8),
        ("bash", "ls &&", 8),
        ("bash", "rm -rf / &&", 8),
        ("bash", "ls |", 8),
        ("bash", "if true; then", 8),
        ("bash", "cat <<EOF", 8),
        ("bash", "echo ${a", 8),
        ("bash", "echo a \\", 8),
        ("bash", "cat <<EOF\nx\nEOF", 0),
        ("bash", "echo \"one\ntwo\"", 0),
        // fish says itself when a line is unfinished; gate judges what it is given.
        ("fish", "echo \"open", 126),
        ("fish", "-rf", 0),
        // fish's keywords, substitutions and pipes hide no command...
        ("fish", "not rm -rf /", 126),
        ("fish", "true; and rm -rf /", 126),
        ("fish", "false; or railway volume delete v --yes", 126),
        ("fish", "echo (rm -rf /)", 126),
        ("fish", "ls 2>| rm -rf /", 126),
        ("fish", "begin; git push --force origin main; end", 126),
        ("fish", "if true; rm -rf /; end", 126),
        // ...and its ordinary blocks run.
        ("fish", "if test -f x; echo y; else; echo n; end", 0),
        ("fish", "for f in a b; echo $f; end", 0),
        ("fish", "echo (date) | cat", 0),
        ("fish", "echo 'it\\'s'", 0),
    ] {
        let out = gate(shell, line);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{shell} {line:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let log = std::fs::read_to_string(dir.join("state/guardsh/audit.jsonl")).unwrap_or_default();
    assert!(log.contains("\"mode\":\"interactive\""), "{log}");
    // Unfinished and empty lines decide nothing, so they are not logged.
    assert!(!log.contains("if true; then"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `guardsh` with no command, at a terminal, starts the real shell with the line checks
/// loaded after the person's own startup file.
fn bare_guardsh_session(shell: Shell) {
    if !require(shell.name()) {
        return;
    }
    let mut t = Term::start_guardsh(shell);
    t.run("touch allowed", "allowed");
    t.enter("railway volume delete pg-data --yes && touch after");
    t.wait_then_prompt("railway.volume.delete");
    assert!(!t.exists("after"), "{}", t.seen);
    // The person's prompt came from their own file: it ran before guardsh's.
    assert!(t.seen.contains(PROMPT));
    let log = t.audit();
    assert!(
        log.iter()
            .any(|e| e["mode"] == "interactive" && e["outcome"] == "refused"),
        "{log:?}"
    );
}

#[test]
fn bare_guardsh_starts_a_guarded_bash() {
    bare_guardsh_session(Shell::Bash);
}

#[test]
fn bare_guardsh_starts_a_guarded_zsh() {
    bare_guardsh_session(Shell::Zsh);
}

#[test]
fn bare_guardsh_starts_a_guarded_fish() {
    bare_guardsh_session(Shell::Fish);
}
