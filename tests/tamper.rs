//! Tamper-proofing, end to end: an agent's ordinary lines, run through `guardsh -c` on a
//! machine set up with `guardsh setup`, try to switch the guard off — forge an approval,
//! approve their own request, loosen the config, remove shims, links and the binary, erase
//! the audit log — each spelled several ways (an absolute path, `cd` and a relative path,
//! an interpreter's file API, a nested `bash -c`, `setsid`, a double fork). The checks are
//! on effects: the file is not there, the shim still stands, the log still holds its
//! lines, the stand-in program was never reached.
//!
//! Every spelling is first run by plain bash in a control world of its own, where it must
//! work: so a spelling that is broken (and would "hold" for that reason) fails the test.
//!
//! The same lines also pass ordinary work through `guardsh -c`, which the boundary must not
//! notice: a home directory that gains files, a project, /tmp, package managers' user
//! installs.

// These tests start guardsh, bash and real programs on purpose.
#![allow(clippy::disallowed_methods)]

#[path = "common/guarded.rs"]
mod guarded;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const GUARDSH: &str = env!("CARGO_BIN_EXE_guardsh");

/// The confirm-level line the attempts try to get run: its program is a stand-in that only
/// records that it was reached.
const CONFIRM_LINE: &str = "railway down -y";

/// A machine set up for an agent: a home with a project, a protected directory with shims,
/// and a stand-in `railway` on PATH.
struct World {
    dir: PathBuf,
    protected: guarded::Protected,
}

impl World {
    fn new(tag: &str) -> World {
        let dir = std::env::temp_dir().join(format!(
            "guardsh-tamper-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        for d in ["home/work", "bin", "home/.config/guardsh"] {
            std::fs::create_dir_all(dir.join(d)).expect("mkdir");
        }
        let protected = guarded::Protected::new(GUARDSH, tag);
        let w = World { dir, protected };
        let stand_in = w.bin().join("railway");
        std::fs::write(
            &stand_in,
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$HOME/stand-in-ran\"\n",
        )
        .expect("write the stand-in");
        std::fs::set_permissions(&stand_in, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        // What a person sets up: a shim, and links for the agent's shell.
        let out = w.guardsh(&["shim", "add", "psql"]);
        assert!(out.status.success(), "shim add: {}", text(&out.stderr));
        let out = w.guardsh(&["shell", "install"]);
        assert!(out.status.success(), "shell install: {}", text(&out.stderr));
        assert!(w.shim().exists() && w.link().exists(), "set up");
        w
    }

    fn home(&self) -> PathBuf {
        self.dir.join("home")
    }
    fn work(&self) -> PathBuf {
        self.dir.join("home/work")
    }
    fn bin(&self) -> PathBuf {
        self.dir.join("bin")
    }
    /// The protected directory.
    fn r(&self) -> PathBuf {
        self.protected.dir()
    }
    fn shim(&self) -> PathBuf {
        self.r().join("shims/psql")
    }
    fn link(&self) -> PathBuf {
        self.r().join("shell/bash")
    }
    fn audit_log(&self) -> PathBuf {
        self.r().join("audit.jsonl")
    }

    /// `program` with this world's environment, in its project, with no terminal (a new
    /// session, as under an agent).
    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new("setsid");
        c.arg("-w").arg(program).stdin(Stdio::null());
        self.env(&mut c);
        c
    }

    /// `program` with this world's environment, for a pseudo-terminal the test opens.
    fn on_tty(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        self.env(&mut c);
        c.env("TERM", "dumb");
        c
    }

    fn env(&self, c: &mut Command) {
        let path = std::env::join_paths(std::iter::once(self.bin()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .expect("PATH");
        let home = self.home();
        c.env_clear()
            .env("PATH", path)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("LANG", "C")
            .env("G", GUARDSH)
            .env(guarded::ROOT_VAR, &self.protected.root)
            .current_dir(self.work());
    }

    /// `guardsh ARGS` as the person runs it, outside any guarded tree.
    fn guardsh(&self, args: &[&str]) -> Output {
        self.cmd(GUARDSH).args(args).output().expect("guardsh runs")
    }

    /// `line` as the agent runs it: through `guardsh -c`.
    fn guarded(&self, line: &str) -> Output {
        self.cmd(GUARDSH)
            .args(["-c", line])
            .output()
            .expect("guardsh runs")
    }

    /// `line` run by plain bash, with no guard.
    fn plain(&self, line: &str) -> Output {
        self.cmd("bash")
            .args(["-c", line])
            .output()
            .expect("bash runs")
    }

    /// How many times the stand-in was reached.
    fn stand_in_runs(&self) -> usize {
        std::fs::read_to_string(self.home().join("stand-in-ran"))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }

    /// A request id for the confirm-level line, from its refusal.
    fn request(&self) -> String {
        let out = self.guarded(CONFIRM_LINE);
        assert_eq!(out.status.code(), Some(126), "{}", text(&out.stderr));
        request_id(&text(&out.stderr))
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

fn request_id(stderr: &str) -> String {
    stderr
        .split("guardsh approve ")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_hexdigit()).next())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| panic!("a request id in {stderr}"))
        .to_owned()
}

fn q(s: &str) -> String {
    shell_words::quote(s).into_owned()
}

/// A Python string literal for `s` (JSON's escapes are Python's for these paths).
fn py(s: &str) -> String {
    serde_json::to_string(s).expect("a string")
}

/// What an attempt does to a path.
#[derive(Clone, Copy, Debug)]
enum Op {
    /// Write a new file, or over an existing one.
    Write,
    /// Cut an existing file to nothing.
    Truncate,
    /// Remove it.
    Delete,
    /// Put something else in its place.
    Replace,
}

impl Op {
    /// The operation in sh, on `p` (already quoted).
    fn sh(self, p: &str) -> String {
        match self {
            Op::Write => format!("printf forged > {p}"),
            Op::Truncate => format!(": > {p}"),
            Op::Delete => format!("rm -f {p}"),
            Op::Replace => format!("ln -sf /bin/true {p}"),
        }
    }

    /// The operation in Python, on `p` (a literal).
    fn python(self, p: &str) -> String {
        match self {
            Op::Write => format!("open({p}, 'w').write('forged')"),
            Op::Truncate => format!("open({p}, 'r+').truncate(0)"),
            Op::Delete => format!("import os; os.unlink({p})"),
            Op::Replace => format!(
                "import os; os.symlink('/bin/true', {p} + '.new'); os.replace({p} + '.new', {p})"
            ),
        }
    }

    /// Other programs' ways to the same effect, on the absolute path.
    fn others(self, path: &Path) -> Vec<String> {
        let p = q(&path.to_string_lossy());
        let dir = q(&path.parent().expect("a parent").to_string_lossy());
        let name = q(&path.file_name().expect("a name").to_string_lossy());
        match self {
            Op::Write => vec![
                format!("cp /etc/hostname {p}"),
                format!("echo forged | tee {p}"),
            ],
            Op::Truncate => vec![format!("truncate -s 0 {p}"), format!("cp /dev/null {p}")],
            Op::Delete => vec![
                format!("find {dir} -name {name} -delete"),
                format!("mv {p} /tmp/guardsh-tamper-moved-$$"),
            ],
            Op::Replace => vec![format!("cp /bin/true {p}.new && mv -f {p}.new {p}")],
        }
    }
}

/// Every spelling of `op` on `path`, with a label: the point is that each reaches the same
/// system call by another road.
fn spellings(op: Op, path: &Path) -> Vec<(String, String)> {
    let abs = path.to_string_lossy().into_owned();
    let dir = path
        .parent()
        .expect("a parent")
        .to_string_lossy()
        .into_owned();
    let name = path
        .file_name()
        .expect("a name")
        .to_string_lossy()
        .into_owned();
    let sh = op.sh(&q(&abs));
    let mut out = vec![
        ("absolute path".to_owned(), sh.clone()),
        (
            "cd + relative path".to_owned(),
            format!("cd {} && {}", q(&dir), op.sh(&q(&name))),
        ),
        (
            "python file API".to_owned(),
            format!("python3 -c {}", q(&op.python(&py(&abs)))),
        ),
        ("nested bash -c".to_owned(), format!("bash -c {}", q(&sh))),
        ("setsid".to_owned(), format!("setsid -w bash -c {}", q(&sh))),
        (
            "double fork".to_owned(),
            format!(
                "m=$(mktemp -u); ( ( {sh}; touch \"$m\" ) & ); \
                 for i in $(seq 100); do [ -e \"$m\" ] && break; sleep 0.05; done; rm -f \"$m\""
            ),
        ),
    ];
    for (i, line) in op.others(path).into_iter().enumerate() {
        out.push((format!("other program {i}"), line));
    }
    out
}

/// Where, relative to the protected directory, an attempt aims, and how its effect shows.
struct Target {
    what: &'static str,
    op: Op,
    rel: &'static str,
}

const TARGETS: &[Target] = &[
    Target {
        what: "forge an approval",
        op: Op::Write,
        rel: "approvals/0123456789abcdef.json",
    },
    Target {
        what: "forge a trust record",
        op: Op::Write,
        rel: "trust/trust.json",
    },
    Target {
        what: "erase the audit log",
        op: Op::Truncate,
        rel: "audit.jsonl",
    },
    Target {
        what: "delete the audit log",
        op: Op::Delete,
        rel: "audit.jsonl",
    },
    Target {
        what: "rewrite the audit log",
        op: Op::Write,
        rel: "audit.jsonl",
    },
    Target {
        what: "remove a shim",
        op: Op::Delete,
        rel: "shims/psql",
    },
    Target {
        what: "replace a shim",
        op: Op::Replace,
        rel: "shims/psql",
    },
    Target {
        what: "remove a shell link",
        op: Op::Delete,
        rel: "shell/bash",
    },
    Target {
        what: "replace guardsh's binary",
        op: Op::Replace,
        rel: "bin/guardsh",
    },
    Target {
        what: "delete guardsh's binary",
        op: Op::Delete,
        rel: "bin/guardsh",
    },
];

/// What a file is now (absent, a link and where to, or its bytes), to see any change.
fn snapshot(path: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if meta.file_type().is_symlink() {
        let mut v = b"link:".to_vec();
        v.extend(std::fs::read_link(path).ok()?.to_string_lossy().bytes());
        return Some(v);
    }
    let mut v = format!("ino:{}:", std::os::unix::fs::MetadataExt::ino(&meta)).into_bytes();
    v.extend(std::fs::read(path).ok()?);
    Some(v)
}

fn require_tool(name: &str) -> bool {
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|d| d.join(name).is_file());
    if !found {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
        assert!(
            !ci,
            "{name} is missing (CI=true makes that a failure; .ci/run installs it)"
        );
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), "SKIPPED: {name} is not on PATH");
    }
    found
}

/// Every attempt on the protected state, every spelling: it works under plain bash in a
/// control world, and changes nothing through `guardsh -c`. The log keeps every line.
#[test]
fn no_spelling_changes_the_protected_state() {
    if !require_tool("python3") {
        return;
    }
    let world = World::new("attempts");
    // A line in the log to erase, and something in the spool.
    assert_eq!(world.guarded("true").status.code(), Some(0));
    // What the kernel boundary holds alone: without the append-only flag setup puts on the
    // log (tested on its own below), plain bash could erase it.
    guarded::clear_append_only_file(&world.audit_log());
    let mut held = Vec::new();
    let mut broke = Vec::new();
    for target in TARGETS {
        let path = world.r().join(target.rel);
        for (how, line) in spellings(target.op, &path) {
            // The control: plain bash, on a world of its own.
            let control = World::new("control");
            assert_eq!(control.guarded("true").status.code(), Some(0));
            guarded::clear_append_only_file(&control.audit_log());
            let cpath = control.r().join(target.rel);
            let cline = line.replace(
                &world.r().to_string_lossy().into_owned(),
                &control.r().to_string_lossy(),
            );
            let before = snapshot(&cpath);
            let _ = control.plain(&cline);
            assert_ne!(
                snapshot(&cpath),
                before,
                "control: {} by {how} does nothing even unguarded: {cline}",
                target.what
            );
            drop(control);

            let log_before = std::fs::read(world.audit_log()).unwrap_or_default();
            let before = snapshot(&path);
            let out = world.guarded(&line);
            let after = snapshot(&path);
            let log_after = std::fs::read(world.audit_log()).unwrap_or_default();
            let entry = format!("{} by {how}: {line}", target.what);
            // Every run adds its own line to the log: for the log, only a lost or changed
            // line counts.
            let changed = if target.rel == "audit.jsonl" {
                !log_after.starts_with(&log_before)
            } else {
                after != before
            };
            if changed || !log_after.starts_with(&log_before) {
                broke.push(format!("{entry}\n  stderr: {}", text(&out.stderr)));
            } else {
                held.push(entry);
            }
            assert!(
                log_after.len() > log_before.len(),
                "the line itself is logged: {line}"
            );
        }
    }
    assert!(broke.is_empty(), "took effect:\n{}", broke.join("\n"));
    assert!(held.len() >= TARGETS.len() * 6, "{held:?}");
    // The guard still stands and guards.
    assert!(world.shim().exists() && world.link().exists());
    let out = world.guarded(CONFIRM_LINE);
    assert_eq!(out.status.code(), Some(126));
    assert_eq!(world.stand_in_runs(), 0);
}

/// A tree's own spool (where the decisions made inside it go) can be appended to, but its
/// earlier entries cannot be cut, overwritten or removed: the spool is append-only where
/// the inode flag can be set (root, or `setup --capability`), and Landlock refuses
/// truncation and removal everywhere.
#[test]
fn a_trees_own_spool_keeps_its_entries() {
    if !require_tool("python3") {
        return;
    }
    let world = World::new("spool");
    let attempts = [
        ": > \"$GUARDSH_SPOOL\"",
        "rm -f \"$GUARDSH_SPOOL\"",
        "truncate -s 0 \"$GUARDSH_SPOOL\"",
        "printf forged | dd of=\"$GUARDSH_SPOOL\" conv=notrunc status=none",
        "python3 -c 'import os; f = open(os.environ[\"GUARDSH_SPOOL\"], \"r+\"); f.write(\"forged\")'",
        "python3 -c 'import os, fcntl; fd = os.open(os.environ[\"GUARDSH_SPOOL\"], os.O_WRONLY | os.O_APPEND); \
         fcntl.fcntl(fd, fcntl.F_SETFL, 0); os.pwrite(fd, b\"forged\", 0)'",
        "mv \"$GUARDSH_SPOOL\" \"$GUARDSH_SPOOL.old\"",
    ];
    let mut ran = 0;
    for attempt in attempts {
        // A nested guardsh writes an entry to the tree's spool; then the tree goes at it.
        let line = format!(
            "printf '%s' \"$GUARDSH_SPOOL\" > spool-name; {GUARDSH} -c 'echo nested-entry'; {attempt}; true"
        );
        let out = world.guarded(&line);
        if out.status.code() == Some(126) {
            // Refused by its words: nothing ran, so nothing to check.
            continue;
        }
        assert_eq!(
            out.status.code(),
            Some(0),
            "{attempt}: {}",
            text(&out.stderr)
        );
        ran += 1;
        let spool = PathBuf::from(
            std::fs::read_to_string(world.work().join("spool-name")).expect("spool name"),
        );
        assert!(
            spool.starts_with(world.r().join("spool")),
            "{}",
            spool.display()
        );
        let content = std::fs::read_to_string(&spool).unwrap_or_default();
        let first: serde_json::Value = content
            .lines()
            .next()
            .and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or_else(|| panic!("{attempt}: the entry is gone: {content:?}"));
        assert_eq!(first["command"], "echo nested-entry", "{attempt}");
        let append_only = guarded::is_append_only(&spool);
        if append_only {
            assert!(!content.contains("forged"), "{attempt}: {content:?}");
        } else {
            // Without the flag (no CAP_LINUX_IMMUTABLE), overwriting in place is the
            // documented limit; truncation, removal and renaming still fail.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr().lock(),
                "note: spools are not append-only here (no CAP_LINUX_IMMUTABLE)"
            );
        }
    }
    assert!(
        ran >= 5,
        "only {ran} attempts ran: the test would prove little"
    );
    // The main log is append-only from setup on, where the flag can be set: then even
    // plain bash, outside every tree, cannot cut it.
    if rustix::process::geteuid().is_root() {
        assert!(guarded::is_append_only(&world.audit_log()));
        let before = std::fs::read(world.audit_log()).expect("log");
        let log = q(&world.audit_log().to_string_lossy());
        let _ = world.plain(&format!(
            ": > {log}; rm -f {log}; printf x | dd of={log} conv=notrunc status=none"
        ));
        assert_eq!(std::fs::read(world.audit_log()).expect("log"), before);
    }
}

/// The agent itself started inside the boundary (`guardsh confine`): its own tools, which
/// run no shell, cannot change the protected state either; nested guarded commands deeper
/// than the kernel's 16 domains still hold; without the boundary it refuses to start.
#[test]
fn a_confined_agent_and_its_tools_cannot_change_the_protected_state() {
    if !require_tool("python3") {
        return;
    }
    let world = World::new("confine");
    let forged = world.r().join("approvals/forged.json");
    let reached = world.home().join("reached");
    let write = format!(
        "open({}, 'w').write('x'); open({}, 'w').write('reached')",
        py(&forged.to_string_lossy()),
        py(&reached.to_string_lossy())
    );
    // The "agent" writes with its own file API, not through any shell.
    let out = world
        .cmd(GUARDSH)
        .args(["confine", "--", "python3", "-c"])
        .arg(format!(
            "try:\n    {write}\nexcept OSError as e:\n    print(e)"
        ))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Permission denied"),
        "{}",
        text(&out.stdout)
    );
    assert!(!forged.exists());
    // Unconfined, the same program writes the file: the test can fail.
    let out = world
        .cmd("python3")
        .arg("-c")
        .arg(write.replace("forged.json", "control.json"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(world.r().join("approvals/control.json").exists());

    // Twenty guarded commands nested inside the confined agent, beyond the kernel's 16
    // domains: the innermost still cannot write, and says nothing about parse-only.
    let nest = |k: usize| world.work().join(format!("nest-{k}.sh"));
    for k in 0..=20 {
        let body = if k == 0 {
            format!(
                "python3 -c {}\n",
                q(&format!(
                    "try:\n    {write}\nexcept OSError as e:\n    print(e)"
                ))
            )
        } else {
            format!("exec {GUARDSH} -c 'sh {}'\n", nest(k - 1).display())
        };
        std::fs::write(nest(k), body).expect("write");
    }
    let out = world
        .cmd(GUARDSH)
        .args(["confine", "--", "sh"])
        .arg(nest(20))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(reached.exists(), "the innermost command ran");
    assert!(!forged.exists());
    assert!(
        !text(&out.stderr).contains("parse-only"),
        "{}",
        text(&out.stderr)
    );

    // Without the boundary, it does not start the program at all.
    let out = world
        .cmd(GUARDSH)
        .env("GUARDSH_TEST_NO_LANDLOCK", "1")
        .args(["confine", "--", "touch"])
        .arg(world.home().join("started"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(126));
    assert!(
        text(&out.stderr).contains("refused to start"),
        "{}",
        text(&out.stderr)
    );
    assert!(!world.home().join("started").exists());
}

/// The whole protected directory cannot be moved aside or replaced either.
#[test]
fn the_protected_directory_cannot_be_moved_aside() {
    let world = World::new("move");
    assert_eq!(world.guarded("true").status.code(), Some(0));
    let r = world.r();
    let parent = world.protected.root.clone();
    for line in [
        format!("mv {} /tmp/guardsh-aside-$$", q(&r.to_string_lossy())),
        format!(
            "cd {} && mv {} moved",
            q(&parent.to_string_lossy()),
            q(&r.file_name().expect("name").to_string_lossy())
        ),
        format!(
            "mv {} {}",
            q(&r.join("approvals").to_string_lossy()),
            q(&r.join("old").to_string_lossy())
        ),
        format!("rm -rf {}", q(&r.join("spool").to_string_lossy())),
        format!("mkdir {}", q(&r.join("approvals/sub").to_string_lossy())),
        format!(
            "ln {} {}",
            q(&world.audit_log().to_string_lossy()),
            "$HOME/hardlink"
        ),
        // A bind mount would show the directory under a writable path: Landlock refuses
        // mounts inside the domain, in a new user namespace too.
        format!(
            "mkdir -p $HOME/bound && unshare -rm sh -c 'mount --bind {} $HOME/bound && : > $HOME/bound/audit.jsonl'",
            q(&r.to_string_lossy())
        ),
    ] {
        let _ = world.guarded(&line);
        assert!(r.join("approvals").is_dir(), "{line}");
        assert!(r.join("spool").is_dir(), "{line}");
        assert!(!r.join("approvals/sub").exists(), "{line}");
        assert!(!world.home().join("hardlink").exists(), "{line}");
        assert!(
            std::fs::metadata(world.audit_log()).is_ok_and(|m| m.len() > 0),
            "{line}"
        );
    }
}

/// A copy of a real approval, kept aside by the agent, does not make it count twice; nor does
/// an approval written where older versions looked for them.
#[test]
fn a_copied_or_misplaced_approval_does_not_count() {
    let world = World::new("copied");
    let id = world.request();
    approve_as_a_person(&world, &id);
    let approvals = world.r().join("approvals");
    let files: Vec<PathBuf> = std::fs::read_dir(&approvals)
        .expect("approvals")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let real = files[0].clone();
    let name = real
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let xdg = world.home().join(".local/state/guardsh/approvals");
    // The agent keeps a copy in the home, in the old place, and next to the real one.
    // (By an interpreter: guardsh refuses `cp` onto its own files by its words already.)
    let copy = |from: &Path, to: &Path| {
        format!(
            "python3 -c {}",
            q(&format!(
                "import shutil; shutil.copy({}, {})",
                py(&from.to_string_lossy()),
                py(&to.to_string_lossy())
            ))
        )
    };
    let kept = world.home().join("kept.json");
    let hard_link = format!(
        "python3 -c {}",
        q(&format!(
            "import os; os.link({}, {})",
            py(&real.to_string_lossy()),
            py(&approvals.join("hard.json").to_string_lossy())
        ))
    );
    let line = format!(
        "mkdir -p {x}; {}; {}; {}; {hard_link}; true",
        copy(&real, &xdg.join(&name)),
        copy(&real, &kept),
        copy(&real, &real.with_extension("bak")),
        x = q(&xdg.to_string_lossy()),
    );
    let out = world.guarded(&line);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(xdg.join(&name).exists(), "the copy in the home was made");
    assert_eq!(
        std::fs::read_dir(&approvals).expect("approvals").count(),
        1,
        "nothing new beside the real approval"
    );
    // The approved line runs once…
    assert_eq!(world.guarded(CONFIRM_LINE).status.code(), Some(0));
    assert_eq!(world.stand_in_runs(), 1);
    // …and the agent's copies, put back where it can, do not make a second run.
    let line = format!(
        "{}; {}; true",
        copy(&kept, &xdg.join(&name)),
        copy(&kept, &real)
    );
    let _ = world.guarded(&line);
    assert_eq!(world.guarded(CONFIRM_LINE).status.code(), Some(126));
    assert_eq!(world.stand_in_runs(), 1);
    let outcomes: Vec<String> = world
        .protected
        .logs()
        .concat()
        .lines()
        .filter(|l| l.contains("railway down"))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            v["outcome"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    assert_eq!(outcomes, ["refused", "approved", "refused"], "{outcomes:?}");
}

/// The agent edits the user config (the home stays writable) to allow the line: the edit
/// lands, but untrusted content loosens nothing; trusting it from inside is refused, and so
/// is forging the trust record.
#[test]
fn a_loosened_config_is_not_honoured() {
    if !require_tool("python3") {
        return;
    }
    let world = World::new("config");
    let config = world.home().join(".config/guardsh/config.yaml");
    let dir = config.parent().expect("dir").to_path_buf();
    let yaml = "allow:\n  - {rule: railway.down, reason: the agent says so}\noverrides:\n  railway.down: warn\n";
    let c = q(&config.to_string_lossy());
    let lines = [
        format!("printf %s {} > {c}", q(yaml)),
        format!(
            "cd {} && printf %s {} > config.yaml",
            q(&dir.to_string_lossy()),
            q(yaml)
        ),
        format!(
            "python3 -c {}",
            q(&format!(
                "open({}, 'w').write({})",
                py(&config.to_string_lossy()),
                py(yaml)
            ))
        ),
        format!("bash -c {}", q(&format!("printf %s {} > {c}", q(yaml)))),
        format!(
            "setsid -w bash -c {}",
            q(&format!(
                "printf %s {} > {c}; {GUARDSH} config trust",
                q(yaml)
            ))
        ),
        format!("printf %s {} > {c}; $G config trust; true", q(yaml)),
    ];
    let mut landed = 0;
    for line in &lines {
        let _ = std::fs::remove_file(&config);
        let _ = world.guarded(line);
        // guardsh may refuse some spellings by their words; the ones that land are the
        // test of the trust records.
        let edited = std::fs::read_to_string(&config).is_ok_and(|t| t.contains("railway.down"));
        landed += usize::from(edited);
        let out = world.guarded(CONFIRM_LINE);
        assert_eq!(
            out.status.code(),
            Some(126),
            "{line}: {}",
            text(&out.stderr)
        );
        assert!(
            !edited || text(&out.stderr).contains("guardsh config trust"),
            "says why the loosening is ignored: {}",
            text(&out.stderr)
        );
        assert_eq!(world.stand_in_runs(), 0, "{line}");
    }
    assert!(
        landed >= 2,
        "only {landed} edits landed: the test would prove little"
    );
    // `guardsh config trust` inside the tree says why it refuses.
    let out = world.guarded("$G config trust");
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("refused"),
        "{}",
        text(&out.stderr)
    );
    // The person, outside, reads it and trusts it: now it holds.
    std::fs::write(&config, yaml).expect("write");
    let out = world.guardsh(&["config", "trust"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(world.guarded(CONFIRM_LINE).status.code(), Some(0));
    assert_eq!(world.stand_in_runs(), 1);
}

/// The guard's own commands that would remove it fail from inside, whatever they are called.
#[test]
fn the_guard_cannot_be_removed_from_inside() {
    let world = World::new("remove");
    let copy = world.home().join("tools/guardsh");
    std::fs::create_dir_all(copy.parent().expect("dir")).expect("mkdir");
    std::os::unix::fs::symlink(GUARDSH, &copy).expect("symlink");
    for line in [
        "$G shim remove psql".to_owned(),
        format!("{} shim remove psql", copy.display()),
        "bash -c '\"$G\" shim remove psql'".to_owned(),
        format!(
            "python3 -c {}",
            q(&format!(
                "import os; os.execv({}, ['guardsh', 'shim', 'remove', 'psql'])",
                py(GUARDSH)
            ))
        ),
    ] {
        let _ = world.guarded(&line);
        assert!(world.shim().exists(), "{line}");
    }
    assert!(world.link().exists());
}

/// Approving one's own request from inside the tree fails however the terminal is faked; a
/// person at their own terminal approves it, and the line then runs once.
#[test]
fn self_approval_fails_and_a_persons_approval_holds() {
    use expectrl::Expect as _;
    if !require_tool("python3") || !require_tool("script") {
        return;
    }
    let world = World::new("self");
    let id = world.request();
    let attempts = [
        format!("$G approve {id}"),
        format!("script -qec \"$G approve {id}\" /dev/null"),
        format!(
            "python3 -c {}",
            q(&format!(
                "import pty; pty.spawn([{}, 'approve', '{id}'])",
                py(GUARDSH)
            ))
        ),
        format!("setsid -w script -qec \"$G approve {id}\" /dev/null"),
        format!(
            "d=$(mktemp -d) && ln -s \"$G\" \"$d/guardsh\" && cd \"$d\" && \
             env -u GUARDSH_ACTIVE bash --norc -ic './guardsh approve {id}'; rm -rf \"$d\""
        ),
    ];
    for line in &attempts {
        // On a pseudo-terminal, typing the phrase whenever one is asked for.
        let mut c = world.on_tty(GUARDSH);
        c.args(["-c", line]);
        let mut s = expectrl::Session::spawn(c).expect("spawns on a pty");
        s.set_expect_timeout(Some(std::time::Duration::from_secs(10)));
        if let Ok(found) = s.expect(expectrl::Regex("Type `([^`]*)`")) {
            let phrase = String::from_utf8_lossy(found.get(1).unwrap_or_default()).into_owned();
            let _ = s.send_line(&phrase);
        }
        let _ = s.expect(expectrl::Eof);
        assert_eq!(
            std::fs::read_dir(world.r().join("approvals"))
                .expect("approvals")
                .count(),
            0,
            "no approval from: {line}"
        );
        assert_eq!(world.guarded(CONFIRM_LINE).status.code(), Some(126));
    }
    assert_eq!(world.stand_in_runs(), 0);
    let id = world.request();
    approve_as_a_person(&world, &id);
    assert_eq!(world.guarded(CONFIRM_LINE).status.code(), Some(0));
    assert_eq!(world.stand_in_runs(), 1);
}

/// A person at an interactive bash on their own terminal (outside every guarded tree) runs
/// `guardsh approve ID` and types the phrase it asks for.
fn approve_as_a_person(world: &World, id: &str) {
    use expectrl::Expect as _;
    let mut c = Command::new("bash");
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", world.home())
        .env("XDG_CONFIG_HOME", world.home().join(".config"))
        .env("XDG_STATE_HOME", world.home().join(".local/state"))
        .env("TERM", "dumb")
        .env("PS1", "$ ")
        .env(guarded::ROOT_VAR, &world.protected.root)
        .current_dir(world.work())
        .args(["--norc", "--noprofile", "-i"]);
    let mut s = expectrl::Session::spawn(c).expect("spawns on a pty");
    s.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
    s.send_line(format!("{GUARDSH} approve {id}"))
        .expect("types");
    let found = s.expect(expectrl::Regex("Type `([^`]*)`")).expect("asks");
    let phrase = String::from_utf8_lossy(found.get(1).expect("the phrase")).into_owned();
    s.send_line(&phrase).expect("types the phrase");
    s.expect("approved once").expect("approves");
    s.send_line("exit").expect("exits");
    let _ = s.expect(expectrl::Eof);
}

/// Ordinary work inside `guardsh -c` does not notice the boundary.
#[test]
fn ordinary_work_succeeds_inside_the_boundary() {
    let world = World::new("ordinary");
    let home = world.home();
    let lines = [
        "git config --global user.name 'A Person' && git config --global --get user.name",
        "mkdir -p ~/.config/newtool && echo 'a = 1' > ~/.config/newtool/config.toml",
        "mkdir -p ~/.local/share/newapp/db && touch ~/.local/share/newapp/db/state",
        "touch ~/newfile && rm ~/newfile && mkdir ~/newdir && rmdir ~/newdir",
        "mkdir -p src/deep && echo x > src/deep/file && mv src/deep/file src/moved && rm -rf target",
        "t=$(mktemp) && echo x > \"$t\" && rm \"$t\" && mkdir -p /tmp/guardsh-ordinary-$$ && rm -r /tmp/guardsh-ordinary-$$",
        "echo quiet > /dev/null && echo err 2>/dev/null >&2",
        "ln -s ~/.gitconfig ~/cfg-link && rm ~/cfg-link && ln ~/.gitconfig ~/gitconfig-hard && rm ~/gitconfig-hard",
        "chmod 600 ~/.gitconfig && : > ~/.config/newtool/config.toml",
    ];
    for line in lines {
        let out = world.guarded(line);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{line}\nstdout: {}\nstderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    assert!(home.join(".gitconfig").exists());
    assert!(home.join(".local/share/newapp/db/state").exists());
}

/// Package managers' user installs inside `guardsh -c`: pip --user, npm -g with a user
/// prefix, cargo install, each from a local package (no network in CI).
#[test]
fn package_installs_succeed_inside_the_boundary() {
    let world = World::new("packages");
    let work = world.work();
    let mut lines = Vec::new();
    if require_tool("python3") {
        let pkg = work.join("pypkg");
        std::fs::create_dir_all(pkg.join("guardsh_probe")).expect("mkdir");
        std::fs::write(pkg.join("guardsh_probe/__init__.py"), "VALUE = 42\n").expect("write");
        make_wheel(&pkg);
        lines.push(
            "PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --user --no-index --no-deps --disable-pip-version-check -q \
             pypkg/guardsh_probe-0.1-py3-none-any.whl && \
             python3 -c 'import guardsh_probe; print(guardsh_probe.VALUE)'"
                .to_owned(),
        );
    }
    if require_tool("npm") {
        let pkg = work.join("npmpkg");
        std::fs::create_dir_all(&pkg).expect("mkdir");
        std::fs::write(
            pkg.join("package.json"),
            r#"{"name": "guardsh-probe", "version": "0.1.0", "bin": {"guardsh-probe": "cli.js"}}"#,
        )
        .expect("write");
        std::fs::write(
            pkg.join("cli.js"),
            "#!/usr/bin/env node\nconsole.log('probe');\n",
        )
        .expect("write");
        lines.push(
            "npm install -g --prefix ~/.npm-global --offline --no-audit --no-fund ./npmpkg && \
             ~/.npm-global/bin/guardsh-probe"
                .to_owned(),
        );
    }
    if require_tool("cargo") {
        let pkg = work.join("cratepkg");
        std::fs::create_dir_all(pkg.join("src")).expect("mkdir");
        std::fs::write(
            pkg.join("Cargo.toml"),
            "[package]\nname = \"guardsh-probe\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        )
        .expect("write");
        std::fs::write(
            pkg.join("src/main.rs"),
            "fn main() { println!(\"probe\"); }\n",
        )
        .expect("write");
        lines.push(format!(
            "CARGO_HOME=~/.cargo RUSTUP_HOME={} cargo install --offline --quiet --path cratepkg \
             --target-dir /tmp/guardsh-probe-target-$$ && ~/.cargo/bin/guardsh-probe; \
             s=$?; rm -rf /tmp/guardsh-probe-target-$$; exit $s",
            q(&std::env::var("RUSTUP_HOME").unwrap_or_else(|_| {
                std::env::var("HOME")
                    .map(|h| format!("{h}/.rustup"))
                    .unwrap_or_default()
            }))
        ));
    }
    for line in &lines {
        let out = world.guarded(line);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{line}\nstdout: {}\nstderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
}

/// A wheel is a zip with the package and its metadata: build one for `pkg` with Python's
/// zipfile, so pip installs it without network or build tools.
fn make_wheel(pkg: &Path) {
    let script = r#"
import base64, hashlib, os, sys, zipfile
root = sys.argv[1]
name = "guardsh_probe-0.1"
files = {
    "guardsh_probe/__init__.py": open(os.path.join(root, "guardsh_probe/__init__.py"), "rb").read(),
    name + ".dist-info/METADATA": b"Metadata-Version: 2.1\nName: guardsh-probe\nVersion: 0.1\n",
    name + ".dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: guardsh-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
for path, data in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append(f"{path},sha256={digest},{len(data)}")
record.append(name + ".dist-info/RECORD,,")
files[name + ".dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
with zipfile.ZipFile(os.path.join(root, name + "-py3-none-any.whl"), "w") as z:
    for path, data in files.items():
        z.writestr(path, data)
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(pkg)
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "wheel: {}", text(&out.stderr));
}

/// A system package install, as an agent's `sudo apt-get install` would do: from a local
/// .deb, so it needs no network. Only where the test may change the system: as root (or with
/// sudo that asks no password) and under CI, or when GUARDSH_TEST_SYSTEM_INSTALL=1.
#[test]
fn a_system_package_install_succeeds_inside_the_boundary() {
    let allowed = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
        || std::env::var("GUARDSH_TEST_SYSTEM_INSTALL").as_deref() == Ok("1");
    let root = rustix::process::geteuid().is_root();
    if !allowed || !root || !require_tool("dpkg-deb") || !require_tool("apt-get") {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr().lock(),
            "SKIPPED a_system_package_install_succeeds_inside_the_boundary: needs root and \
             CI=true or GUARDSH_TEST_SYSTEM_INSTALL=1 (it installs and removes a package)"
        );
        return;
    }
    let world = World::new("apt");
    let pkg = world.work().join("deb");
    std::fs::create_dir_all(pkg.join("DEBIAN")).expect("mkdir");
    std::fs::create_dir_all(pkg.join("usr/share/guardsh-probe")).expect("mkdir");
    std::fs::write(
        pkg.join("DEBIAN/control"),
        "Package: guardsh-probe\nVersion: 0.1\nArchitecture: all\nMaintainer: tests <t@example.org>\nDescription: probe\n",
    )
    .expect("write");
    std::fs::write(pkg.join("usr/share/guardsh-probe/marker"), "x\n").expect("write");
    let sudo = if require_tool("sudo") { "sudo " } else { "" };
    let line = format!(
        "dpkg-deb --build deb probe.deb >/dev/null && \
         {sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./probe.deb >/dev/null && \
         test -e /usr/share/guardsh-probe/marker"
    );
    let out = world.guarded(&line);
    // Removed outside the tree whatever happened.
    let _ = Command::new("dpkg").args(["-r", "guardsh-probe"]).output();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{line}\nstdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// A terminal stays writable inside the boundary: the line runs on a pty and writes to
/// /dev/tty.
#[test]
fn the_terminal_stays_writable() {
    use expectrl::Expect as _;
    let world = World::new("tty");
    let mut c = world.on_tty(GUARDSH);
    c.args([
        "-c",
        "echo on-the-terminal > /dev/tty && stty size >/dev/null",
    ]);
    let mut s = expectrl::Session::spawn(c).expect("spawns on a pty");
    s.set_expect_timeout(Some(std::time::Duration::from_secs(10)));
    s.expect("on-the-terminal")
        .expect("written to the terminal");
}

/// Without the kernel boundary (forced off, as on an older kernel): guardsh says so once on
/// standard error, in `check --json` and in `doctor`, and still refuses what it recognises.
#[test]
fn without_landlock_it_says_so_and_still_refuses() {
    let world = World::new("parse-only");
    let run = |line: &str| {
        world
            .cmd(GUARDSH)
            .env("GUARDSH_TEST_NO_LANDLOCK", "1")
            .args(["-c", line])
            .output()
            .expect("runs")
    };
    let first = run("true");
    assert_eq!(first.status.code(), Some(0));
    assert!(
        text(&first.stderr).contains("protection is parse-only"),
        "{}",
        text(&first.stderr)
    );
    let second = run("true");
    assert_eq!(text(&second.stderr), "", "said once, not on every line");
    let out = run(CONFIRM_LINE);
    assert_eq!(out.status.code(), Some(126));
    assert_eq!(world.stand_in_runs(), 0);
    // With the boundary off, a write to the protected directory is no longer stopped by the
    // kernel: the reason to say so.
    let probe = world.r().join("approvals/parse-only-probe");
    let _ = run(&format!("printf x > {}", q(&probe.to_string_lossy())));
    assert!(
        probe.exists(),
        "parse-only: nothing kernel-enforced is claimed"
    );

    let check = |off: bool| {
        let mut c = world.cmd(GUARDSH);
        if off {
            c.env("GUARDSH_TEST_NO_LANDLOCK", "1");
        }
        let out = c.args(["check", "--json", "ls"]).output().expect("runs");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("json")
    };
    let off = check(true);
    assert_eq!(off["protection"], "parse-only", "{off}");
    assert!(
        off["protection_note"]
            .as_str()
            .is_some_and(|n| !n.is_empty()),
        "{off}"
    );
    assert_eq!(check(false)["protection"], "kernel");
    let doctor = world
        .cmd(GUARDSH)
        .env("GUARDSH_TEST_NO_LANDLOCK", "1")
        .arg("doctor")
        .output()
        .expect("runs");
    assert!(
        text(&doctor.stdout).contains("parse-only"),
        "{}",
        text(&doctor.stdout)
    );
}
