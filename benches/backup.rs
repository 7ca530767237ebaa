//! What insurance costs (issue 18): how long `guardsh backup --json -- LINE` takes and how
//! much room its backup takes in the store, and how long `guardsh restore ID --yes` takes to
//! put it back after LINE ran, for a 100 MB directory tree (`rm -rf`), a 10,000-row SQLite
//! table and, when PostgreSQL's server programs are installed, a 10,000-row PostgreSQL
//! table (`DROP TABLE`). The real release binary, in a private HOME whose XDG state
//! directory holds the store. Figures, not pass/fail: medians of a few runs.
//!
//!     cargo bench --bench backup                  # 5 runs of each
//!     GUARDSH_BENCH_RUNS=3 cargo bench --bench backup
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it runs once, on sizes a
//! hundred times smaller, to show it still works. The files are in the page cache when
//! they are copied (they were just written), so the tree's times are those of a warm cache.
//! Whether the tree copy shared blocks (FICLONE) is read from the stored big file's
//! extents (`filefrag -v`), and probed with a FICLONE of our own between the work directory
//! and the store.

// The bench starts guardsh, bash, du, sqlite3, psql and the PostgreSQL server on purpose.
#![allow(clippy::disallowed_methods)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

const GUARDSH: &str = env!("CARGO_BIN_EXE_guardsh");

/// The sizes measured; `cargo test` divides them by [`SMOKE`].
const BIG_FILE: usize = 60 << 20;
const SMALL_FILES: usize = 400;
const SMALL_FILE: usize = 100 << 10;
const ROWS: usize = 10_000;
const SMOKE: usize = 100;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A private HOME (with its XDG directories) and work directory, removed when dropped.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "guardsh-bench-backup-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(dir.join("home")).expect("temp home");
        std::fs::create_dir_all(dir.join("work")).expect("temp work directory");
        Scratch { dir }
    }

    fn work(&self) -> PathBuf {
        self.dir.join("work")
    }

    /// `program` in the work directory, with only PATH and the private HOME: the store is
    /// `$XDG_STATE_HOME/guardsh/backups` (no protected directory in a bench run).
    fn cmd(&self, program: &str) -> Command {
        let home = self.dir.join("home");
        let mut c = Command::new(program);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("LANG", "C")
            .current_dir(self.work())
            .stdin(Stdio::null());
        c
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let o = self
            .cmd(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            o.status.success(),
            "{program} {args:?}: {}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
        o
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One backup taken by `guardsh backup --json`.
struct Taken {
    id: String,
    bytes: u64,
    location: PathBuf,
}

/// `guardsh backup --json -- line`, timed; it must take exactly one backup.
fn backup(s: &Scratch, line: &str) -> (Taken, f64) {
    let start = Instant::now();
    let o = s.run(GUARDSH, &["backup", "--json", "--", line]);
    let secs = start.elapsed().as_secs_f64();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let [b] = v["backups"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    else {
        panic!("{line}: one backup expected, got {v}");
    };
    let taken = Taken {
        id: b["id"].as_str().expect("an id").to_owned(),
        bytes: b["bytes"].as_u64().expect("bytes"),
        location: PathBuf::from(b["location"].as_str().expect("a location")),
    };
    (taken, secs)
}

/// `guardsh restore id --yes`, timed.
fn restore(s: &Scratch, id: &str) -> f64 {
    let start = Instant::now();
    s.run(GUARDSH, &["restore", id, "--yes"]);
    start.elapsed().as_secs_f64()
}

/// Bytes `du` counts as allocated under `path`.
fn du(path: &Path) -> u64 {
    let o = Command::new("du")
        .arg("-s")
        .arg("-B1")
        .arg(path)
        .output()
        .expect("du runs");
    text(&o.stdout)
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Remove backup `t` from its store (its directory is `<store>/<id>`, `location` its
/// `data`): only the backups this bench took, wherever the store is.
fn forget(t: &Taken) {
    if let Some(dir) = t.location.parent()
        && dir.file_name().is_some_and(|n| n == t.id.as_str())
    {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One row of the table.
struct Figures {
    kind: &'static str,
    what: String,
    /// The store the backups went to.
    store: PathBuf,
    bytes: u64,
    du: u64,
    backup: f64,
    restore: f64,
    reflink: String,
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / f64::from(1 << 20))
}

/// Back up `line` `runs` times; after each, the line runs without guardsh, the backup is
/// restored, `check` sees that what was lost is back, and the backup is removed. The
/// store's size and `reflink` are read from the first backup.
fn measure(
    s: &Scratch,
    (kind, what): (&'static str, String),
    runs: usize,
    line: &str,
    check: &dyn Fn(),
    reflink: &dyn Fn(&Taken) -> String,
) -> Figures {
    let (mut backups, mut restores) = (Vec::new(), Vec::new());
    let mut f = Figures {
        kind,
        what,
        store: PathBuf::new(),
        bytes: 0,
        du: 0,
        backup: 0.0,
        restore: 0.0,
        reflink: String::new(),
    };
    for i in 0..runs {
        let (t, secs) = backup(s, line);
        backups.push(secs);
        if i == 0 {
            f.store = t
                .location
                .parent()
                .and_then(Path::parent)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            f.bytes = t.bytes;
            f.du = du(&t.location);
            f.reflink = reflink(&t);
        }
        s.run("bash", &["-c", line]);
        restores.push(restore(s, &t.id));
        check();
        forget(&t);
    }
    f.backup = median(&mut backups);
    f.restore = median(&mut restores);
    f
}

/// xorshift64: bytes that do not compress and are not all alike.
fn fill(buf: &mut [u8], seed: &mut u64) {
    for chunk in buf.chunks_mut(8) {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        chunk.copy_from_slice(&seed.to_le_bytes()[..chunk.len()]);
    }
}

/// The tree: one big file and `small` files in 20 subdirectories. Returns its file count
/// and byte total.
fn make_tree(root: &Path, big: usize, small: usize, small_size: usize) -> (usize, u64) {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    std::fs::create_dir_all(root).expect("mkdir tree");
    let mut buf = vec![0u8; big];
    fill(&mut buf, &mut seed);
    std::fs::write(root.join("big.bin"), &buf).expect("write big.bin");
    buf.resize(small_size, 0);
    for i in 0..small {
        let dir = root.join(format!("d{:02}", i % 20));
        std::fs::create_dir_all(&dir).expect("mkdir");
        fill(&mut buf, &mut seed);
        std::fs::write(dir.join(format!("f{i:03}.bin")), &buf).expect("write");
    }
    (small + 1, (big + small * small_size) as u64)
}

/// Files and bytes under `root`.
fn count_tree(root: &Path) -> (usize, u64) {
    let mut n = (0, 0);
    for e in std::fs::read_dir(root).expect("readable").flatten() {
        let m = e.metadata().expect("meta");
        if m.is_dir() {
            let (f, b) = count_tree(&e.path());
            n = (n.0 + f, n.1 + b);
        } else {
            n = (n.0 + 1, n.1 + m.len());
        }
    }
    n
}

/// Whether the tree backup shared blocks: the stored big file's extents as `filefrag -v`
/// reports them, and a FICLONE of our own from the work directory into the store.
fn tree_reflink(s: &Scratch, t: &Taken) -> String {
    let stored = t.location.join("0/tree/big.bin");
    let extents = match Command::new("filefrag").arg("-v").arg(&stored).output() {
        Ok(o) if o.status.success() => {
            if text(&o.stdout).contains("shared") {
                "yes (shared extents)"
            } else {
                "no (no shared extents)"
            }
        }
        _ => "not observed (no filefrag)",
    };
    let probe = || -> std::io::Result<()> {
        let src_path = s.work().join("reflink-probe");
        std::fs::write(&src_path, [7u8; 4096])?;
        let src = std::fs::File::open(&src_path)?;
        let dst_path = t.location.join("reflink-probe");
        let dst = std::fs::File::create(&dst_path)?;
        let r = rustix::fs::ioctl_ficlone(&dst, &src);
        drop((src, dst));
        let _ = std::fs::remove_file(&src_path);
        let _ = std::fs::remove_file(&dst_path);
        r.map_err(std::io::Error::from)
    };
    match probe() {
        Ok(()) => format!("{extents}; FICLONE works here"),
        Err(e) => format!("{extents}; FICLONE: {e}"),
    }
}

fn tree(s: &Scratch, runs: usize, scale: usize) -> Figures {
    let root = s.work().join("tree");
    let made = make_tree(&root, BIG_FILE / scale, SMALL_FILES / scale, SMALL_FILE);
    let line = "rm -rf tree";
    let check = || assert_eq!(count_tree(&root), made, "the restored tree");
    let what = format!("`{line}`: {} files, {}", made.0, mib(made.1));
    measure(s, ("files", what), runs, line, &check, &|t| {
        tree_reflink(s, t)
    })
}

/// `CREATE TABLE t` with `rows` rows of `payload` (an SQL expression of `n`), `numbers`
/// being a query of `n` from 1 to `rows` in the engine's own SQL.
fn seed_sql(numbers: &str, payload: &str) -> String {
    format!(
        "CREATE TABLE t (id integer PRIMARY KEY, name text, payload text);\n\
         INSERT INTO t SELECT n, 'name ' || n, {payload} FROM ({numbers}) AS g;\n"
    )
}

fn sqlite(s: &Scratch, runs: usize, scale: usize) -> Figures {
    let rows = ROWS / scale;
    let mut c = s.cmd("sqlite3");
    c.arg("app.db").stdin(Stdio::piped());
    let mut child = c.spawn().expect("sqlite3 starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(
            seed_sql(
                &format!(
                    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c \
                     WHERE n < {rows}) SELECT n FROM c"
                ),
                "hex(randomblob(32))",
            )
            .as_bytes(),
        )
        .expect("seed");
    assert!(child.wait().expect("sqlite3 runs").success(), "seed app.db");
    let line = "sqlite3 app.db 'DROP TABLE t'";
    let count = || {
        let o = s.run("sqlite3", &["app.db", "SELECT count(*) FROM t"]);
        assert_eq!(
            text(&o.stdout).trim(),
            rows.to_string(),
            "the restored rows"
        );
    };
    let size = std::fs::metadata(s.work().join("app.db")).map_or(0, |m| m.len());
    let what = format!("`{line}`: {rows} rows, a {} file", mib(size));
    measure(s, ("sqlite", what), runs, line, &count, &|_| {
        "n/a (SQLite's .backup)".to_owned()
    })
}

/// Whether the bench runs as root (then the PostgreSQL server runs as `postgres`).
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The first executable file named `name` on PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// The server's programs, found as tests/e2e_postgres.rs finds them: `pg_config --bindir`,
/// else the newest /usr/lib/postgresql/N/bin (Debian), else PATH.
fn server_bindir() -> Option<PathBuf> {
    let has_server = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Ok(o) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(text(&o.stdout).trim());
        if o.status.success() && has_server(&dir) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, d)| has_server(d))
        .collect();
    versions.sort();
    if let Some((_, d)) = versions.pop() {
        return Some(d);
    }
    on_path("initdb").and_then(|p| p.parent().map(Path::to_path_buf))
}

/// A throwaway cluster in the scratch directory, on a Unix socket there and no TCP port,
/// stopped (immediately) when dropped, as tests/e2e_postgres.rs starts one.
struct Cluster {
    bindir: PathBuf,
    pg: PathBuf,
    as_server_user: Vec<&'static str>,
}

impl Cluster {
    /// initdb and start; `Err` says why PostgreSQL cannot be benchmarked here.
    fn start(s: &Scratch) -> Result<Cluster, String> {
        let bindir =
            server_bindir().ok_or("PostgreSQL server programs (initdb, pg_ctl) not found")?;
        for tool in ["psql", "pg_dump", "pg_restore"] {
            on_path(tool).ok_or(format!("{tool} is not on PATH"))?;
        }
        let pg = s.dir.join("pg");
        std::fs::create_dir_all(&pg).map_err(|e| e.to_string())?;
        let mut as_server_user = Vec::new();
        if is_root() {
            let has_user = std::fs::read_to_string("/etc/passwd")
                .is_ok_and(|p| p.lines().any(|l| l.starts_with("postgres:")));
            if !has_user || on_path("runuser").is_none() {
                return Err(
                    "running as root, the server needs the `postgres` user and runuser".to_owned(),
                );
            }
            let o = Command::new("chown")
                .arg("postgres:")
                .arg(&pg)
                .output()
                .map_err(|e| e.to_string())?;
            if !o.status.success() {
                return Err(format!("chown: {}", text(&o.stderr)));
            }
            as_server_user = vec!["runuser", "-u", "postgres", "--"];
        }
        let cluster = Cluster {
            bindir,
            pg,
            as_server_user,
        };
        let data = cluster.pg.join("data");
        let o = cluster
            .server_cmd("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8"])
            .args(["--locale=C", "--no-sync"])
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(format!("initdb: {}", text(&o.stderr)));
        }
        let options = format!(
            "-k '{}' -c listen_addresses='' -c fsync=off -c full_page_writes=off",
            cluster.pg.display()
        );
        let o = cluster
            .server_cmd("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(cluster.pg.join("log"))
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(format!(
                "pg_ctl start: {}{}",
                text(&o.stdout),
                text(&o.stderr)
            ));
        }
        Ok(cluster)
    }

    fn server_cmd(&self, program: &str) -> Command {
        let exe = self.bindir.join(program);
        let mut c = match self.as_server_user.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(exe);
                c
            }
            None => Command::new(exe),
        };
        c.env("LC_ALL", "C");
        c
    }

    /// psql's connection arguments for `db`.
    fn conn(&self, db: &str) -> String {
        format!(
            "-X -h {} -U postgres -d {db}",
            shell_words::quote(&self.pg.to_string_lossy())
        )
    }

    /// `sql` run by psql directly: its unaligned, tuples-only output.
    fn sql(&self, s: &Scratch, db: &str, sql: &str) -> String {
        let line = format!(
            "psql {} -v ON_ERROR_STOP=1 -A -t -q -c {}",
            self.conn(db),
            shell_words::quote(sql)
        );
        text(&s.run("bash", &["-c", &line]).stdout)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .server_cmd("pg_ctl")
            .arg("-D")
            .arg(self.pg.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .stdin(Stdio::null())
            .output();
    }
}

fn postgres(s: &Scratch, runs: usize, scale: usize) -> Result<Figures, String> {
    let cluster = Cluster::start(s)?;
    let rows = ROWS / scale;
    cluster.sql(s, "postgres", "CREATE DATABASE app");
    cluster.sql(
        s,
        "app",
        &seed_sql(
            &format!("SELECT generate_series(1, {rows}) AS n"),
            "md5(n::text)",
        ),
    );
    let line = format!("psql {} -c 'DROP TABLE t'", cluster.conn("app"));
    let count = || {
        let n = cluster.sql(s, "app", "SELECT count(*) FROM t");
        assert_eq!(n.trim(), rows.to_string(), "the restored rows");
    };
    let size = cluster.sql(s, "app", "SELECT pg_total_relation_size('t')");
    let size = size.trim().parse().unwrap_or(0);
    let what = format!(
        "`psql … -c 'DROP TABLE t'`: {rows} rows, a {} table",
        mib(size)
    );
    Ok(measure(s, ("postgres", what), runs, &line, &count, &|_| {
        "n/a (pg_dump -Fc)".to_owned()
    }))
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let (runs, scale) = if benching {
        let runs = std::env::var("GUARDSH_BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(5);
        (runs, 1)
    } else {
        (1, SMOKE)
    };
    let s = Scratch::new();
    let mut rows = vec![tree(&s, runs, scale), sqlite(&s, runs, scale)];
    match postgres(&s, runs, scale) {
        Ok(f) => rows.push(f),
        Err(why) => println!("PostgreSQL skipped: {why}"),
    }
    println!(
        "guardsh backup --json -- LINE, then LINE, then guardsh restore ID --yes; \
         medians of {runs} run{}{}:",
        if runs == 1 { "" } else { "s" },
        if benching {
            String::new()
        } else {
            format!(" (a smoke run: sizes / {SMOKE}; `cargo bench --bench backup` measures)")
        }
    );
    if let Some(f) = rows.first() {
        println!("  store: {}", f.store.display());
    }
    for f in &rows {
        println!("  {:8} {}", f.kind, f.what);
        println!(
            "           in the store: {} bytes ({}), du {} bytes ({})",
            f.bytes,
            mib(f.bytes),
            f.du,
            mib(f.du)
        );
        println!(
            "           backup {:.3} s, restore {:.3} s; reflink: {}",
            f.backup, f.restore, f.reflink
        );
    }
}
