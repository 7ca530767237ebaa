//! Login startup files, end to end at the kernel level: a line the agent plants in a file a
//! login shell sources is judged before `guardsh -lc …` starts the shell, a person's trust
//! lets exactly that content through, and ordinary startup files pass without a word.
//!
//! The real shell is a stand-in named `bash` that only records that it was reached, so a
//! refusal is checked by its effect: the stand-in never ran.

// These tests start guardsh and helper programs as processes on purpose.
#![allow(clippy::disallowed_methods)]

#[path = "common/guarded.rs"]
mod guarded;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const GUARDSH: &str = env!("CARGO_BIN_EXE_guardsh");

/// What a typical login file holds: PATH exports, a tool's init hook, cargo's env file,
/// and the usual hand-off to `.bashrc`.
const ORDINARY_PROFILE: &str = r#"# ~/.bash_profile
export PATH="$HOME/.local/bin:$PATH"
export EDITOR=vim
if [ -d "$HOME/bin" ]; then
    PATH="$HOME/bin:$PATH"
fi
export PYENV_ROOT="$HOME/.pyenv"
command -v pyenv >/dev/null && eval "$(pyenv init -)"
. "$HOME/.cargo/env"
[ -f ~/.bashrc ] && . ~/.bashrc
"#;

const ORDINARY_BASHRC: &str = r#"case $- in *i*) ;; *) return;; esac
HISTSIZE=1000
alias ll='ls -l'
[ -x /usr/bin/lesspipe ] && eval "$(SHELL=/bin/sh lesspipe)"
"#;

const CARGO_ENV: &str = r#"#!/bin/sh
case ":${PATH}:" in
    *:"$HOME/.cargo/bin":*) ;;
    *) export PATH="$HOME/.cargo/bin:$PATH" ;;
esac
"#;

/// A home with a protected directory set up, and a recording stand-in for bash.
struct World {
    dir: PathBuf,
    protected: guarded::Protected,
}

impl World {
    fn new(tag: &str) -> World {
        let dir = std::env::temp_dir().join(format!(
            "guardsh-startup-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        for d in ["home/work", "home/.cargo", "bin"] {
            std::fs::create_dir_all(dir.join(d)).expect("mkdir");
        }
        let protected = guarded::Protected::new(GUARDSH, tag);
        let w = World { dir, protected };
        let recorder = w.dir.join("bin/bash");
        std::fs::write(
            &recorder,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\n",
                w.dir.join("ran").display()
            ),
        )
        .expect("write the recorder");
        std::fs::set_permissions(
            &recorder,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .expect("chmod");
        w
    }

    fn home(&self) -> PathBuf {
        self.dir.join("home")
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.home().join(rel), text).expect("write a startup file");
    }

    /// The ordinary set of startup files.
    fn ordinary(&self) {
        self.write(".bash_profile", ORDINARY_PROFILE);
        self.write(".bashrc", ORDINARY_BASHRC);
        self.write(".cargo/env", CARGO_ENV);
    }

    /// Lines the recorder was started with (empty when it never ran).
    fn ran(&self) -> String {
        std::fs::read_to_string(self.dir.join("ran")).unwrap_or_default()
    }

    /// guardsh with `args`, as the agent runs it (a new session, no terminal), whose real
    /// shell is `shell`.
    fn guardsh_with(&self, shell: &str, args: &[&str]) -> Output {
        let home = self.home();
        Command::new("setsid")
            .arg("-w")
            .arg(GUARDSH)
            .args(args)
            .stdin(Stdio::null())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("LANG", "C")
            .env("GUARDSH_SHELL", shell)
            .env(guarded::ROOT_VAR, &self.protected.root)
            .current_dir(home.join("work"))
            .output()
            .expect("guardsh runs")
    }

    /// guardsh with the recorder as its shell.
    fn guardsh(&self, args: &[&str]) -> Output {
        let recorder = self.dir.join("bin/bash");
        self.guardsh_with(&recorder.to_string_lossy(), args)
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const LOGIN_FORMS: &[&[&str]] = &[
    &["-lc", "echo hi"],
    &["-l", "-c", "echo hi"],
    &["--login", "-c", "echo hi"],
];

#[test]
fn a_line_planted_by_the_agent_is_refused_and_the_shell_never_starts() {
    let w = World::new("planted");
    w.ordinary();
    // The agent plants the line through guardsh itself, with the real bash: the home
    // directory stays writable inside the boundary.
    let plant = w.guardsh_with(
        "/bin/bash",
        &["-c", "printf '%s\\n' 'rm -rf ~/.ssh' >> ~/.cargo/env"],
    );
    assert!(plant.status.success(), "{}", text(&plant.stderr));
    assert!(
        std::fs::read_to_string(w.home().join(".cargo/env"))
            .expect("read")
            .ends_with("rm -rf ~/.ssh\n"),
        "planted"
    );
    for args in LOGIN_FORMS {
        let out = w.guardsh(args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(126), "{args:?}: {err}");
        assert!(err.contains(".cargo/env:6"), "file and line: {err}");
        assert!(err.contains("rm -rf ~/.ssh"), "{err}");
        assert!(err.contains("guardsh config trust"), "{err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    assert_eq!(w.ran(), "", "the shell was started");
    // Not a login shell: the startup files are not sourced, and not read.
    let out = w.guardsh(&["-c", "echo hi"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(w.ran(), "-c echo hi\n");
}

#[test]
fn each_file_bash_would_read_is_judged_in_bashs_order() {
    let w = World::new("order");
    // No .bash_profile: bash reads .bash_login, and then not .profile.
    w.write(".bash_login", "export A=1\n");
    w.write(".profile", "rm -rf ~/.gnupg\n");
    let out = w.guardsh(&["-lc", "echo hi"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Now .profile is the one bash reads.
    std::fs::remove_file(w.home().join(".bash_login")).expect("rm");
    let out = w.guardsh(&["-lc", "echo hi"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(126), "{err}");
    assert!(err.contains(".profile:1"), "{err}");
    // Sourced by a literal path from the file bash reads.
    w.write(".profile", "export B=2\n. ~/more.sh\n");
    w.write("more.sh", "true\nrm -rf ~/.gnupg\n");
    let out = w.guardsh(&["-lc", "echo hi"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(126), "{err}");
    assert!(err.contains("more.sh:2"), "{err}");
    // --noprofile: bash sources nothing, so nothing is judged.
    let out = w.guardsh(&["--login", "--noprofile", "-c", "echo hi"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(w.ran(), "-lc echo hi\n--login --noprofile -c echo hi\n");
}

#[test]
fn trusted_content_passes_and_changed_content_is_judged_again() {
    let w = World::new("trusted");
    w.ordinary();
    w.write(
        ".bash_profile",
        &format!("{ORDINARY_PROFILE}rm -f ~/.ssh/id_old\n"),
    );
    let out = w.guardsh(&["-lc", "echo hi"]);
    assert_eq!(out.status.code(), Some(126), "{}", text(&out.stderr));
    // The person, from their own terminal (outside every guarded tree), trusts it.
    let trust = w.guardsh(&["config", "trust"]);
    assert!(trust.status.success(), "{}", text(&trust.stderr));
    assert!(
        text(&trust.stdout).contains(".bash_profile"),
        "{}",
        text(&trust.stdout)
    );
    let out = w.guardsh(&["-lc", "echo hi"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
    assert_eq!(w.ran(), "-lc echo hi\n");
    // One more line: not the content the person trusted.
    let mut changed = std::fs::read_to_string(w.home().join(".bash_profile")).expect("read");
    changed.push_str("rm -rf ~/.ssh\n");
    w.write(".bash_profile", &changed);
    let out = w.guardsh(&["-lc", "echo hi"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(126), "{err}");
    assert!(err.contains(".bash_profile:"), "{err}");
    assert_eq!(w.ran(), "-lc echo hi\n", "not started again");
    // Trust from inside a guarded tree is refused, and the content stays untrusted.
    let inside = w.guardsh_with("/bin/bash", &["-c", &format!("{GUARDSH} config trust")]);
    assert!(!inside.status.success(), "{}", text(&inside.stdout));
    let out = w.guardsh(&["-lc", "echo hi"]);
    assert_eq!(out.status.code(), Some(126), "{}", text(&out.stderr));
}

#[test]
fn ordinary_startup_files_pass_without_a_word() {
    let w = World::new("ordinary");
    w.ordinary();
    for args in LOGIN_FORMS {
        let out = w.guardsh(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stderr), "", "{args:?}: nothing on stderr");
    }
    assert_eq!(w.ran().lines().count(), LOGIN_FORMS.len());
}
