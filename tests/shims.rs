//! Shims and `guardsh run`: a link named after a CLI decides each call as `check` does, then
//! execs the real program found later on PATH (never itself, however often PATH lists the
//! shim directory), or refuses and runs nothing.

// These tests start guardsh and stand-in programs on purpose.
#![allow(clippy::disallowed_methods)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const GUARDSH: &str = env!("CARGO_BIN_EXE_guardsh");

/// A protected root that does not exist: these tests run guardsh without the kernel boundary
/// (the parse-only path), and never touch a real `/srv/guardsh` of the machine they run on.
const NO_PROTECTED_ROOT: &str = "/nonexistent/guardsh-test-root";

struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let dir = std::env::temp_dir().join(format!(
            "guardsh-shims-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(dir.join("fakebin")).expect("mkdir");
        // A stand-in `railway` that says it ran and exits 3.
        let fake = dir.join("fakebin/railway");
        std::fs::write(
            &fake,
            format!(
                "#!/bin/sh\necho \"real railway $*\"\necho ran >> '{}'\nexit 3\n",
                dir.join("ran").display()
            ),
        )
        .expect("write");
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        Sandbox { dir }
    }

    fn shims(&self) -> PathBuf {
        self.dir.join("shims")
    }

    fn path(&self, shims_times: usize) -> std::ffi::OsString {
        let mut dirs: Vec<PathBuf> = std::iter::repeat_n(self.shims(), shims_times).collect();
        dirs.push(self.dir.join("fakebin"));
        dirs.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        std::env::join_paths(dirs).expect("joins")
    }

    /// A command with this sandbox's home, in a new session (no terminal to ask on).
    fn cmd(&self, program: impl AsRef<std::ffi::OsStr>, shims_times: usize) -> Command {
        let mut c = Command::new("setsid");
        c.arg("-w")
            .arg(program)
            .env_clear()
            .env("GUARDSH_TEST_PROTECTED_ROOT", NO_PROTECTED_ROOT)
            .env("PATH", self.path(shims_times))
            .env("HOME", &self.dir)
            .env("XDG_STATE_HOME", self.dir.join("state"))
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .env("XDG_DATA_HOME", self.dir.join("data"))
            .stdin(Stdio::null());
        c
    }

    fn ran(&self) -> usize {
        std::fs::read_to_string(self.dir.join("ran"))
            .unwrap_or_default()
            .lines()
            .count()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn out(mut c: Command) -> Output {
    c.output().expect("runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn guardsh(sb: &Sandbox, args: &[&str]) -> Output {
    let mut c = sb.cmd(GUARDSH, 0);
    c.args(args);
    out(c)
}

#[test]
fn a_shim_runs_the_real_program_or_refuses() {
    let sb = Sandbox::new("shim");
    let shims = sb.shims();
    let dir = shims.to_string_lossy().into_owned();
    let o = guardsh(&sb, &["shim", "add", "railway", "--dir", &dir]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("1 added"));
    // Idempotent.
    let o = guardsh(&sb, &["shim", "add", "railway", "--dir", &dir]);
    assert!(text(&o.stdout).contains("0 added"), "{}", text(&o.stdout));
    let o = guardsh(&sb, &["shim", "list", "--dir", &dir]);
    assert_eq!(text(&o.stdout), "railway\n");

    // Allowed: the real program runs, with its own output and exit status, even with the
    // shim directory twice on PATH.
    for times in [1, 2] {
        let mut c = sb.cmd("railway", times);
        c.args(["volume", "list", "--json"]);
        let o = out(c);
        assert_eq!(text(&o.stdout), "real railway volume list --json\n");
        assert_eq!(o.status.code(), Some(3));
    }
    assert_eq!(sb.ran(), 2);

    // Refused: nothing runs.
    let mut c = sb.cmd("railway", 1);
    c.args(["volume", "delete", "--volume", "pg-data", "--yes"]);
    let o = out(c);
    assert_eq!(o.status.code(), Some(126));
    assert!(
        text(&o.stderr).contains("railway.volume.delete"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(sb.ran(), 2, "the real railway must not run");

    let o = guardsh(&sb, &["shim", "remove", "railway", "--dir", &dir]);
    assert!(text(&o.stdout).contains("1 shim(s) removed"));
    assert!(!shims.join("railway").exists());
}

#[test]
fn guardsh_run_is_a_shim_without_a_link() {
    let sb = Sandbox::new("run");
    let o = guardsh(&sb, &["run", "--", "railway", "status"]);
    assert_eq!(text(&o.stdout), "real railway status\n");
    assert_eq!(o.status.code(), Some(3));
    let o = guardsh(
        &sb,
        &[
            "run",
            "--",
            "railway",
            "environment",
            "delete",
            "production",
            "-y",
        ],
    );
    assert_eq!(o.status.code(), Some(126));
    assert_eq!(sb.ran(), 1);
    // A program that is only guardsh itself is not found, not looped into.
    let o = guardsh(&sb, &["run", "--", "no-such-program-anywhere"]);
    assert_eq!(o.status.code(), Some(127));
}

#[test]
fn recommended_shims_and_aliases_name_covered_clis_on_path() {
    let sb = Sandbox::new("recommended");
    let o = guardsh(&sb, &["alias", "bash"]);
    let aliases = text(&o.stdout);
    assert!(aliases.contains("alias railway=\""), "{aliases}");
    assert!(aliases.contains("run -- railway\""), "{aliases}");
    assert!(!aliases.contains("alias rm="), "{aliases}");
    let dir = sb.shims().to_string_lossy().into_owned();
    let o = guardsh(&sb, &["shim", "add", "--recommended", "--dir", &dir]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(Path::new(&dir).join("railway").exists());
    // General tools stay out, even those some rule names (guardsh-self's `sed -i` on its
    // config, filesystem's `systemctl`): a shim in front of every script's text processing
    // is overhead for nothing shell mode does not already cover.
    for general in ["rm", "sed", "head", "sort", "git", "systemctl", "printenv"] {
        assert!(!Path::new(&dir).join(general).exists(), "{general} shimmed");
    }
}
