//! Pieces shared by the end-to-end tests (`tests/e2e_postgres.rs`, `tests/e2e_railway.rs`,
//! `tests/syslog.rs`), which run guardsh in front of real programs. Included with `#[path]`
//! by those files only, so the other test binaries do not see (and warn about) what they do
//! not use.

use std::ffi::{OsStr, OsString};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The guardsh binary under test.
pub const GUARDSH: &str = env!("CARGO_BIN_EXE_guardsh");

/// True under CI (`CI` set to anything but empty, `0` or `false`): a missing system package
/// is then a failure, not a skip.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// `found`, or, when it is `None`, a failure under CI and otherwise a visible skip: the
/// caller returns from the test when this gives `None`. `what` says what is missing and how
/// to get it.
pub fn require<T>(found: Option<T>, test: &str, what: &str) -> Option<T> {
    if found.is_some() {
        return found;
    }
    assert!(
        !under_ci(),
        "{test}: {what} (CI=true: a missing package fails the end-to-end tests; .ci/run installs it)"
    );
    // Straight to the standard error file, not through eprintln!, which the test harness
    // captures and shows only for failing tests: a skip must be seen.
    let _ = writeln!(
        std::io::stderr().lock(),
        "SKIPPED {test}: {what} (set CI=true to make this a failure)"
    );
    None
}

/// The first executable file named `name` in `dirs`.
pub fn find_in(name: &str, dirs: impl IntoIterator<Item = PathBuf>) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    dirs.into_iter().map(|d| d.join(name)).find(|p| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// The directories of the test process's own PATH.
pub fn path_dirs() -> Vec<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).collect()
}

/// A private directory for one test, removed when dropped: the HOME and XDG directories of
/// every process the test starts, so guardsh's audit log and config are the test's own and
/// the user's are never read or written.
pub struct Scratch {
    /// The directory.
    pub dir: PathBuf,
    /// The protected directory guardsh keeps its audit log and approvals in.
    pub protected: crate::guarded::Protected,
}

impl Scratch {
    /// A new, unique directory (process id, test name and time), safe with test binaries
    /// and threads running in parallel.
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "guardsh-e2e-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(dir.join("home")).expect("create the scratch directory");
        let protected = crate::guarded::Protected::new(GUARDSH, name);
        Scratch { dir, protected }
    }

    /// The shim directory (filled by [`Scratch::add_shims`]).
    pub fn shims(&self) -> PathBuf {
        self.dir.join("shims")
    }

    /// `guardsh shim add NAMES --dir <shims>`, as a user would run it.
    pub fn add_shims(&self, names: &[&str]) {
        let mut c = self.cmd(GUARDSH, &path_dirs());
        c.args(["shim", "add"])
            .args(names)
            .arg("--dir")
            .arg(self.shims());
        let o = c.output().expect("guardsh shim add runs");
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        for name in names {
            assert!(self.shims().join(name).exists(), "shim {name} made");
        }
    }

    /// `program` with only this scratch's environment: PATH from `path`, HOME and the XDG
    /// directories inside the scratch directory, the C locale, no standard input, and a new
    /// session without a controlling terminal (as under an agent: a confirmation is then a
    /// refusal, never a prompt on the developer's terminal).
    pub fn cmd(&self, program: impl AsRef<OsStr>, path: &[PathBuf]) -> Command {
        let home = self.dir.join("home");
        let mut c = Command::new("setsid");
        c.arg("-w")
            .arg(program)
            .env_clear()
            .env("PATH", join(path))
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("LC_ALL", "C")
            .env(crate::guarded::ROOT_VAR, &self.protected.root)
            .current_dir(&home)
            .stdin(Stdio::null());
        c
    }

    /// The audit log guardsh wrote for this scratch, one JSON value a line: the main log,
    /// then what guarded trees spooled.
    pub fn audit(&self) -> Vec<serde_json::Value> {
        self.protected
            .logs()
            .iter()
            .flat_map(|text| text.lines().map(str::to_owned).collect::<Vec<_>>())
            .map(|l| serde_json::from_str(&l).expect("every audit line is JSON"))
            .collect()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A PATH value.
pub fn join(dirs: &[PathBuf]) -> OsString {
    std::env::join_paths(dirs).expect("PATH entries without ':'")
}

/// `first` then the test process's own PATH.
pub fn path_with(first: &[&Path]) -> Vec<PathBuf> {
    first
        .iter()
        .map(|p| p.to_path_buf())
        .chain(path_dirs())
        .collect()
}

/// Bytes as text, for messages.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
