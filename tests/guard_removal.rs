//! The guard cannot be removed from inside: `guardsh shim remove` and `guardsh uninstall`
//! run from a command guardsh guards fail and say why, whatever the spelling that reached
//! them; `doctor` counts guardsh as an agent's confined shell only where it is. Each run on
//! a machine set up with `guardsh setup` (a protected root of the test's own), in a
//! temporary HOME whose agents' system-wide settings live under the test's directory.

// These tests start guardsh and real programs on purpose.
#![allow(clippy::disallowed_methods)]

#[path = "common/guarded.rs"]
mod guarded;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const GUARDSH: &str = env!("CARGO_BIN_EXE_guardsh");

/// What guardsh says when the probe finds it inside a guarded tree.
const INSIDE: &str = "refuses inside a command guardsh guards";

struct World {
    dir: PathBuf,
    protected: guarded::Protected,
}

impl World {
    fn new(tag: &str) -> World {
        let dir = std::env::temp_dir().join(format!(
            "guardsh-removal-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        for d in ["home/work", "system", "bin"] {
            std::fs::create_dir_all(dir.join(d)).expect("mkdir");
        }
        let runner = dir.join("bin/runner");
        // Its guardsh arguments come from a variable, as a build tool's would come from its
        // own configuration: no word of the line says what it will run.
        std::fs::write(&runner, "#!/bin/sh\nexec \"$G\" $RUNNER_ARGS\n").expect("write the runner");
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&runner, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        let protected = guarded::Protected::new(GUARDSH, tag);
        World { dir, protected }
    }

    fn home(&self) -> PathBuf {
        self.dir.join("home")
    }

    /// The test's `bin` (the runner) first, then the caller's PATH.
    fn path(&self) -> std::ffi::OsString {
        let caller = std::env::var_os("PATH").unwrap_or_default();
        std::env::join_paths(
            std::iter::once(self.dir.join("bin")).chain(std::env::split_paths(&caller)),
        )
        .expect("PATH")
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(GUARDSH);
        let home = self.home();
        c.env_clear()
            .env("PATH", self.path())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("LANG", "C")
            .env("G", GUARDSH)
            .env(guarded::ROOT_VAR, &self.protected.root)
            .env("GUARDSH_TEST_SYSTEM_ROOT", self.dir.join("system"))
            .current_dir(home.join("work"))
            .stdin(Stdio::null());
        c
    }

    /// `guardsh ARGS` as the person runs it, outside any guarded tree.
    fn guardsh(&self, args: &[&str]) -> Output {
        let out = self.cmd().args(args).output().expect("guardsh runs");
        assert!(
            out.status.success(),
            "guardsh {args:?}: {}",
            text(&out.stderr)
        );
        out
    }

    /// `line` as the agent runs it: through `guardsh -c`.
    fn guarded(&self, line: &str) -> Output {
        self.cmd()
            .args(["-c", line])
            .output()
            .expect("guardsh runs")
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

/// A line that runs `guardsh ARGS` through a program guardsh knows nothing about (as a build
/// tool or a script of the project's would): the line runs, and only guardsh's own check
/// inside the tree stands in the way.
fn through_runner(args: &[&str]) -> String {
    format!("RUNNER_ARGS={} runner", shell_words::quote(&args.join(" ")))
}

#[test]
fn shim_remove_fails_inside_a_guarded_command() {
    let w = World::new("shim");
    w.guardsh(&["shim", "add", "psql"]);
    let shim = w.protected.dir().join("shims/psql");
    assert!(shim.exists());
    // The spelling guardsh's pack knows, and one through a variable: both refused.
    for line in ["guardsh shim remove psql", "$G shim remove psql"] {
        let out = w.guarded(line);
        assert_ne!(out.status.code(), Some(0), "{line}");
        assert!(shim.exists(), "{line} removed the shim");
    }
    // One the pack does not see: guardsh itself refuses, and says why.
    let out = w.guarded(&through_runner(&["shim", "remove", "psql"]));
    assert_ne!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains(INSIDE), "{}", text(&out.stderr));
    assert!(shim.exists(), "the shim was removed from inside");
    // Shims kept outside the protected directory, which the kernel does not keep: the same.
    let elsewhere = w.home().join("my-shims");
    let dir = elsewhere.to_str().expect("utf-8");
    w.guardsh(&["shim", "add", "psql", "--dir", dir]);
    let out = w.guarded(&through_runner(&["shim", "remove", "psql", "--dir", dir]));
    assert!(text(&out.stderr).contains(INSIDE), "{}", text(&out.stderr));
    assert!(elsewhere.join("psql").exists(), "removed from inside");
    // Outside the tree, the person removes it.
    w.guardsh(&["shim", "remove", "psql"]);
    assert!(!shim.exists());
}

#[test]
fn uninstall_fails_inside_a_guarded_command_in_every_scope() {
    let w = World::new("uninstall");
    std::fs::create_dir_all(w.home().join(".claude")).expect("mkdir");
    w.guardsh(&["install", "claude-code"]);
    w.guardsh(&["install", "claude-code", "--scope", "system"]);
    let user = w.home().join(".claude/settings.json");
    let system = w.dir.join("system/etc/claude-code/managed-settings.json");
    for scope in ["user", "system", "project"] {
        let out = w.guarded(&through_runner(&[
            "uninstall",
            "claude-code",
            "--scope",
            scope,
        ]));
        assert_ne!(out.status.code(), Some(0), "{scope}");
        assert!(
            text(&out.stderr).contains(INSIDE),
            "{scope}: {}",
            text(&out.stderr)
        );
    }
    for file in [&user, &system] {
        let settings = std::fs::read_to_string(file).expect("settings");
        assert!(settings.contains("hook claude-code"), "{}", file.display());
    }
    // A dry run changes nothing and may be looked at from anywhere.
    let out = w.guarded(&through_runner(&["uninstall", "claude-code", "--dry-run"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Outside, the person uninstalls.
    w.guardsh(&["uninstall", "claude-code", "--scope", "system"]);
    assert!(!system.exists());
}

#[test]
fn doctor_counts_a_confined_shell_only_at_the_kernel_level() {
    let w = World::new("doctor");
    w.guardsh(&["shell", "install"]);
    let link = w.protected.dir().join("shell/bash");
    let settings = w.home().join(".claude/settings.json");
    std::fs::create_dir_all(settings.parent().expect("dir")).expect("mkdir");
    std::fs::write(
        &settings,
        serde_json::json!({"env": {"CLAUDE_CODE_SHELL": link}}).to_string(),
    )
    .expect("write");
    w.guardsh(&["install", "claude-code"]);
    let doctor = |w: &World, extra: Option<(&str, &str)>| {
        let mut c = w.cmd();
        c.args(["doctor", "--json"]);
        if let Some((k, v)) = extra {
            c.env(k, v);
        }
        let out = c.output().expect("doctor runs");
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
    };
    let v = doctor(&w, None);
    assert_eq!(v["protection"], "kernel", "{v}");
    let claude = &v["agent_protection"][0];
    assert_eq!(claude["protection"], "confined-shell", "{v}");
    assert_eq!(claude["hook"], "user-hook", "{v}");
    // Set in the user's own settings: doctor says the user can change it.
    assert!(
        claude["notes"].to_string().contains("can change"),
        "{claude}"
    );
    // The same settings with the kernel switched off: only the hook holds.
    let v = doctor(&w, Some(("GUARDSH_TEST_NO_LANDLOCK", "1")));
    assert_eq!(v["protection"], "parse-only", "{v}");
    assert_eq!(v["agent_protection"][0]["protection"], "user-hook", "{v}");
}
