//! End to end with the real Railway CLI (crates.io's `railwayapp`) behind the `railway` shim.
//! Between the shim and the CLI sits a tiny wrapper named `railway`, later on PATH, that
//! writes its arguments to a marker file and execs the real binary: the shim must find it as
//! "the real program". Allowed calls (`--version`, `help`, which need no network) run the
//! real binary and return exactly its output and leave a mark; refused ones exit 126 and
//! leave none, so the binary never started.
//!
//! Needs `railway` on PATH or in `~/.cargo/bin` (`.ci/run` runs `cargo install railwayapp
//! --locked` when it is missing): without it these tests fail under `CI=true` and are skipped
//! with a message otherwise.

// These tests start guardsh, shells and the Railway CLI on purpose.
#![allow(clippy::disallowed_methods)]

#[path = "common/e2e.rs"]
mod e2e;
#[path = "common/guarded.rs"]
mod guarded;

use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;
use std::process::Output;

use e2e::{Scratch, find_in, path_dirs, path_with, require, text};

/// The real `railway`: on PATH, else in cargo's bin directory; never a guardsh shim (a link
/// that resolves to guardsh).
fn real_railway() -> Option<PathBuf> {
    let mut dirs = path_dirs();
    if let Some(cargo_home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(cargo_home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter()
        .filter_map(|d| find_in("railway", [d]))
        .find(|p| {
            !std::fs::canonicalize(p).is_ok_and(|c| {
                c.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("guardsh"))
            })
        })
}

/// A scratch directory with the `railway` shim, and the marking wrapper in front of the
/// real CLI.
struct Setup {
    scratch: Scratch,
    real: PathBuf,
}

impl Setup {
    fn new(name: &str, test: &str) -> Option<Setup> {
        let real = require(
            real_railway(),
            test,
            "the Railway CLI (`railway`) is not on PATH nor in ~/.cargo/bin; \
             install it with `cargo install railwayapp --locked`",
        )?;
        let scratch = Scratch::new(name);
        scratch.add_shims(&["railway"]);
        let wrapper_dir = scratch.dir.join("wrapper");
        std::fs::create_dir_all(&wrapper_dir).expect("mkdir wrapper");
        let wrapper = wrapper_dir.join("railway");
        let marker = scratch.dir.join("marker");
        for p in [&real, &marker] {
            assert!(!p.to_string_lossy().contains('\''), "{}", p.display());
        }
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
                marker.display(),
                real.display()
            ),
        )
        .expect("write the wrapper");
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))
            .expect("chmod the wrapper");
        Some(Setup { scratch, real })
    }

    /// PATH for the agent: the shims first, then the wrapper, then the usual.
    fn shimmed(&self) -> Vec<PathBuf> {
        path_with(&[&self.scratch.shims(), &self.scratch.dir.join("wrapper")])
    }

    /// `railway ARGS` found on the shimmed PATH: the shim.
    fn through_shim(&self, args: &[&str]) -> Output {
        let mut c = self.scratch.cmd("railway", &self.shimmed());
        c.args(args);
        c.output().expect("the shim runs")
    }

    /// `bash -c LINE` on the shimmed PATH: an agent whose shell is not guardsh.
    fn through_bash(&self, line: &str) -> Output {
        let mut c = self.scratch.cmd("bash", &self.shimmed());
        c.arg("-c").arg(line);
        c.output().expect("bash runs")
    }

    /// The real binary run directly, in the same environment.
    fn direct(&self, args: &[&str]) -> Output {
        let mut c = self.scratch.cmd(&self.real, &path_dirs());
        c.args(args);
        c.output().expect("railway runs")
    }

    /// The argument lists the wrapper saw, one per run of the real CLI.
    fn marks(&self) -> Vec<String> {
        std::fs::read_to_string(self.scratch.dir.join("marker"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

#[test]
fn railway_shim_runs_the_real_cli_and_returns_its_output() {
    const TEST: &str = "railway_shim_runs_the_real_cli_and_returns_its_output";
    let Some(setup) = Setup::new("railway-allowed", TEST) else {
        return;
    };
    // Each call, and what the real CLI's output starts with or contains.
    for (args, shows) in [
        (&["--version"][..], "railway "),
        (&["help"], "Usage: railway"),
    ] {
        let want = setup.direct(args);
        assert!(
            want.status.success(),
            "railway {args:?} run directly: {}",
            text(&want.stderr)
        );
        assert!(
            text(&want.stdout).contains(shows),
            "the real CLI's output: {}",
            text(&want.stdout)
        );
        let got = setup.through_shim(args);
        assert_eq!(got.stdout, want.stdout, "stdout of railway {args:?}");
        assert_eq!(got.stderr, want.stderr, "stderr of railway {args:?}");
        assert_eq!(got.status.code(), want.status.code(), "railway {args:?}");
    }
    // `help` lists the very subcommands guardsh refuses.
    let help = text(&setup.direct(&["help"]).stdout);
    assert!(help.contains("volume"), "{help}");
    // Both went through the wrapper, that is, through the shim to "the real program".
    assert_eq!(setup.marks(), ["--version", "help"]);
    let log = setup.scratch.audit();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log.iter()
            .all(|e| e["mode"] == "shim" && e["outcome"] == "ran"),
        "{log:?}"
    );
}

#[test]
fn railway_shim_refuses_destructive_commands_before_the_cli_runs() {
    const TEST: &str = "railway_shim_refuses_destructive_commands_before_the_cli_runs";
    let Some(setup) = Setup::new("railway-refused", TEST) else {
        return;
    };
    // The wrapper is where an allowed call lands: a refused call that ran would mark too.
    let o = setup.through_shim(&["--version"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(setup.marks(), ["--version"]);

    let refused: &[(&[&str], &str)] = &[
        (
            &["volume", "delete", "--volume", "x", "--yes"],
            "railway.volume.delete",
        ),
        (&["delete", "-y"], "railway.project.delete"),
        // The real CLI's aliases (`railway help`, `railway volume --help`).
        (&["rm", "-y"], "railway.project.delete"),
        (&["volumes", "rm", "-v", "x", "-y"], "railway.volume.delete"),
        (
            &["api", "mutation { volumeDelete(volumeId: \"x\") }"],
            "railway.api.mutation.deny",
        ),
    ];
    for (args, rule) in refused {
        let line = format!("railway {}", shell_words::join(args.iter()));
        for (how, o) in [
            ("the shim", setup.through_shim(args)),
            ("bash -c with the shim on PATH", setup.through_bash(&line)),
        ] {
            assert_eq!(
                o.status.code(),
                Some(126),
                "{line} through {how} must be refused\nstdout: {}\nstderr: {}",
                text(&o.stdout),
                text(&o.stderr)
            );
            assert!(
                text(&o.stderr).contains(rule),
                "{line}: {}",
                text(&o.stderr)
            );
            assert!(o.stdout.is_empty(), "{line}: {}", text(&o.stdout));
            assert_eq!(
                setup.marks(),
                ["--version"],
                "{line} through {how}: the real railway must not have run"
            );
        }
    }
    let log = setup.scratch.audit();
    assert_eq!(log.len(), 1 + 2 * refused.len(), "{log:?}");
    assert_eq!(
        log.iter().filter(|e| e["outcome"] == "refused").count(),
        2 * refused.len(),
        "{log:?}"
    );
}
