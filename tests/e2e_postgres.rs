//! End to end against a real PostgreSQL: a throwaway cluster (`initdb`, `pg_ctl`) in a temp
//! directory, reached on a Unix socket only, with a database, tables and rows. Destructive
//! statements sent with `-c`, a heredoc and a pipe are refused by guardsh as the agent's shell
//! (`guardsh -c`) and by the `psql` shim, and afterwards every database, table and row count
//! is what it was; the same lines run by plain bash do destroy the data, so the comparison
//! can see a loss. `SELECT` through guardsh returns what psql run directly returns, byte for
//! byte.
//!
//! Needs Debian's `postgresql` (installed by `.ci/run`): without it these tests fail under
//! `CI=true` and are skipped with a message otherwise. Run as root, the server runs as the
//! `postgres` user (it refuses root) through `runuser`.

// These tests start guardsh, bash, psql and the PostgreSQL server on purpose.
#![allow(clippy::disallowed_methods)]

#[path = "common/e2e.rs"]
mod e2e;
#[path = "common/guarded.rs"]
mod guarded;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use e2e::{GUARDSH, Scratch, find_in, path_dirs, path_with, require, text};

/// Whether the tests run as root (then database servers, which refuse root, run as another
/// user).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The server's programs: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin
/// (Debian), else PATH.
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
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, d)| has_server(d))
        .collect();
    versions.sort();
    if let Some((_, d)) = versions.pop() {
        return Some(d);
    }
    find_in("initdb", path_dirs()).and_then(|p| p.parent().map(Path::to_path_buf))
}

/// A throwaway cluster, stopped (immediately) when dropped, even when the test panics.
struct Cluster {
    bindir: PathBuf,
    /// Data directory, log and socket live here; owned by the server's user.
    pg: PathBuf,
    /// `runuser -u postgres --` when running as root.
    as_server_user: Vec<String>,
}

/// The tables and rows of the database `app` every test gets.
const SEED: &str = "
CREATE TABLE users (id int PRIMARY KEY, name text, email text);
INSERT INTO users VALUES
  (1, 'Ada', 'ada@example.com'),
  (2, 'Zoë ünïcode', NULL),
  (3, 'tab	and ''quote''', 'c@example.com');
CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users ON DELETE CASCADE, total numeric(10,2));
INSERT INTO orders SELECT n, 1 + n % 3, n * 10.5 FROM generate_series(1, 5) AS n;
";

impl Cluster {
    /// initdb, start, and create the database `app` with [`SEED`]; `None` (after
    /// [`require`]) when PostgreSQL is not installed.
    fn start(scratch: &Scratch, test: &str) -> Option<Cluster> {
        let bindir = require(
            server_bindir(),
            test,
            "PostgreSQL server programs (initdb, pg_ctl) not found; install Debian's `postgresql`",
        )?;
        require(
            find_in("psql", path_dirs()),
            test,
            "psql not on PATH; install Debian's `postgresql` (postgresql-client)",
        )?;
        let pg = scratch.dir.join("pg");
        std::fs::create_dir_all(&pg).expect("mkdir pg");
        let mut as_server_user = Vec::new();
        if is_root() {
            require(
                find_in("runuser", path_dirs()).filter(|_| {
                    std::fs::read_to_string("/etc/passwd")
                        .is_ok_and(|p| p.lines().any(|l| l.starts_with("postgres:")))
                }),
                test,
                "running as root, the server needs the `postgres` user and runuser \
                 (Debian's `postgresql` and `util-linux`)",
            )?;
            let o = Command::new("chown")
                .args(["postgres:"])
                .arg(&pg)
                .output()
                .expect("chown runs");
            assert!(o.status.success(), "chown: {}", text(&o.stderr));
            as_server_user = ["runuser", "-u", "postgres", "--"]
                .map(String::from)
                .to_vec();
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
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .output()
            .expect("initdb runs");
        assert!(o.status.success(), "initdb: {}", text(&o.stderr));
        // A Unix socket in the test's own directory and no TCP listener: clusters of
        // parallel tests cannot meet, nor meet a system server on port 5432.
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
            .expect("pg_ctl runs");
        assert!(
            o.status.success(),
            "pg_ctl start: {}{}\nserver log:\n{}",
            text(&o.stdout),
            text(&o.stderr),
            std::fs::read_to_string(cluster.pg.join("log")).unwrap_or_default()
        );
        cluster.sql(scratch, "postgres", "CREATE DATABASE app");
        cluster.sql(scratch, "postgres", "CREATE DATABASE other");
        cluster.sql(scratch, "app", SEED);
        Some(cluster)
    }

    /// A server program, as the server's user.
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

    /// Run `sql` with psql directly (no guardsh), failing the test on any error.
    fn sql(&self, scratch: &Scratch, db: &str, sql: &str) -> String {
        let o = bash(
            scratch,
            &path_dirs(),
            &format!("psql {} -v ON_ERROR_STOP=1 -A -t -q -f -", self.conn(db)),
            sql,
        );
        assert!(o.status.success(), "psql {sql:?}: {}", text(&o.stderr));
        text(&o.stdout)
    }

    /// Every database but the built-in ones, with its tables and their row counts, read
    /// directly.
    fn snapshot(&self, scratch: &Scratch) -> BTreeMap<String, BTreeMap<String, u64>> {
        let dbs = self.sql(
            scratch,
            "postgres",
            "SELECT datname FROM pg_database \
             WHERE datname NOT IN ('postgres', 'template0', 'template1') ORDER BY 1",
        );
        dbs.lines()
            .map(|db| {
                let tables = self.sql(
                    scratch,
                    db,
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
                );
                let counts = tables
                    .lines()
                    .map(|t| {
                        let n = self.sql(scratch, db, &format!("SELECT count(*) FROM \"{t}\""));
                        (t.to_owned(), n.trim().parse().expect("a count"))
                    })
                    .collect();
                (db.to_owned(), counts)
            })
            .collect()
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

/// `bash -c line` with `stdin`, in the scratch environment and PATH `path`.
fn bash(scratch: &Scratch, path: &[PathBuf], line: &str, stdin: &str) -> Output {
    let mut c = scratch.cmd("bash", path);
    c.arg("-c").arg(line);
    with_stdin(c, stdin)
}

/// `guardsh -c line` (shell mode, as an agent's shell), in the scratch environment.
fn guardsh_c(scratch: &Scratch, line: &str) -> Output {
    let mut c = scratch.cmd(GUARDSH, &path_dirs());
    c.arg("-c").arg(line);
    with_stdin(c, "")
}

fn with_stdin(mut c: Command, stdin: &str) -> Output {
    use std::io::Write as _;
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("starts");
    let mut input = child.stdin.take().expect("stdin");
    let bytes = stdin.as_bytes().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let out = child.wait_with_output().expect("runs");
    let _ = writer.join();
    out
}

/// The expected contents after [`Cluster::start`]: the snapshot must see the real rows.
fn seeded() -> BTreeMap<String, BTreeMap<String, u64>> {
    BTreeMap::from([
        (
            "app".to_owned(),
            BTreeMap::from([("orders".to_owned(), 5), ("users".to_owned(), 3)]),
        ),
        ("other".to_owned(), BTreeMap::new()),
    ])
}

/// The destructive statements: (database to connect to, statement, the rule that refuses it).
const DESTRUCTIVE: &[(&str, &str, &str)] = &[
    ("postgres", "DROP DATABASE app", "sql.drop_database"),
    ("app", "DROP TABLE users CASCADE", "sql.drop_table"),
    ("app", "TRUNCATE orders", "sql.truncate"),
    ("app", "DELETE FROM users", "sql.delete_all"),
];

#[derive(Clone, Copy, Debug)]
enum Delivery {
    Argv,
    Heredoc,
    Pipe,
}

/// The shell line that sends `sql` to psql the way `how` says.
fn line(cluster: &Cluster, db: &str, sql: &str, how: Delivery) -> String {
    let conn = cluster.conn(db);
    let quoted = shell_words::quote(sql);
    match how {
        Delivery::Argv => format!("psql {conn} -c {quoted}"),
        Delivery::Heredoc => format!("psql {conn} <<'EOF'\n{sql};\nEOF"),
        Delivery::Pipe => format!("echo {}';' | psql {conn}", quoted),
    }
}

/// Refused: exit 126 (a shell running the shim passes its status on), the rule named, and
/// nothing of the statement reached the server.
fn assert_refused(o: &Output, what: &str, rule: &str) {
    assert_eq!(
        o.status.code(),
        Some(126),
        "{what} must be refused\nstdout: {}\nstderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stderr).contains(rule),
        "{what}: refused by {rule}?\n{}",
        text(&o.stderr)
    );
    assert!(
        o.stdout.is_empty(),
        "{what}: psql printed {}",
        text(&o.stdout)
    );
}

/// The same lines, run by plain bash with no guardsh anywhere, destroy what they name: the
/// snapshot sees each loss. Without this, "unchanged" could mean the lines never reached
/// the server.
fn assert_lines_destroy_without_guardsh(scratch: &Scratch, cluster: &Cluster) {
    let mut before = cluster.snapshot(scratch);
    let plain = path_dirs();
    // TRUNCATE orders, DELETE FROM users, DROP TABLE users, DROP DATABASE app: each one
    // leaves something for the next to destroy.
    for (i, (db, sql, _)) in [2, 3, 1, 0].map(|k| DESTRUCTIVE[k]).iter().enumerate() {
        let how = [Delivery::Argv, Delivery::Heredoc, Delivery::Pipe][i % 3];
        let o = bash(scratch, &plain, &line(cluster, db, sql, how), "");
        assert!(o.status.success(), "{sql} by bash: {}", text(&o.stderr));
        let after = cluster.snapshot(scratch);
        assert_ne!(after, before, "{sql} ({how:?}) run by bash changed nothing");
        before = after;
    }
    assert!(
        !before.contains_key("app"),
        "DROP DATABASE app ran: {before:?}"
    );
}

#[test]
fn shell_mode_refuses_destructive_sql_and_the_data_is_unchanged() {
    const TEST: &str = "shell_mode_refuses_destructive_sql_and_the_data_is_unchanged";
    let scratch = Scratch::new("pg-shell");
    let Some(cluster) = Cluster::start(&scratch, TEST) else {
        return;
    };
    assert_eq!(cluster.snapshot(&scratch), seeded());
    for how in [Delivery::Argv, Delivery::Heredoc, Delivery::Pipe] {
        for (db, sql, rule) in DESTRUCTIVE {
            let l = line(&cluster, db, sql, how);
            assert_refused(&guardsh_c(&scratch, &l), &format!("guardsh -c {l:?}"), rule);
            assert_eq!(cluster.snapshot(&scratch), seeded(), "after {l:?}");
        }
    }
    let log = scratch.audit();
    assert_eq!(log.len(), 3 * DESTRUCTIVE.len(), "{log:?}");
    assert!(log.iter().all(|e| e["outcome"] == "refused"), "{log:?}");
    assert_lines_destroy_without_guardsh(&scratch, &cluster);
}

#[test]
fn psql_shim_refuses_destructive_sql_in_its_arguments() {
    const TEST: &str = "psql_shim_refuses_destructive_sql_in_its_arguments";
    let scratch = Scratch::new("pg-shim-argv");
    let Some(cluster) = Cluster::start(&scratch, TEST) else {
        return;
    };
    scratch.add_shims(&["psql"]);
    let shimmed = path_with(&[&scratch.shims()]);
    for (db, sql, rule) in DESTRUCTIVE {
        let l = line(&cluster, db, sql, Delivery::Argv);
        // An agent whose shell is plain bash, with the shim first on PATH.
        assert_refused(
            &bash(&scratch, &shimmed, &l, ""),
            &format!("bash -c {l:?} through the psql shim"),
            rule,
        );
        assert_eq!(cluster.snapshot(&scratch), seeded(), "after {l:?}");
    }
    let log = scratch.audit();
    assert_eq!(log.len(), DESTRUCTIVE.len(), "{log:?}");
    assert!(
        log.iter()
            .all(|e| e["mode"] == "shim" && e["outcome"] == "refused"),
        "{log:?}"
    );
    assert_lines_destroy_without_guardsh(&scratch, &cluster);
}

#[test]
fn psql_shim_refuses_destructive_sql_on_standard_input() {
    const TEST: &str = "psql_shim_refuses_destructive_sql_on_standard_input";
    let scratch = Scratch::new("pg-shim-stdin");
    let Some(cluster) = Cluster::start(&scratch, TEST) else {
        return;
    };
    scratch.add_shims(&["psql"]);
    let shimmed = path_with(&[&scratch.shims()]);
    for how in [Delivery::Heredoc, Delivery::Pipe] {
        for (db, sql, rule) in DESTRUCTIVE {
            let l = line(&cluster, db, sql, how);
            assert_refused(
                &bash(&scratch, &shimmed, &l, ""),
                &format!("bash -c {l:?} through the psql shim"),
                rule,
            );
            assert_eq!(cluster.snapshot(&scratch), seeded(), "after {l:?}");
        }
    }
}

#[test]
fn select_through_guardsh_returns_the_real_rows_byte_for_byte() {
    const TEST: &str = "select_through_guardsh_returns_the_real_rows_byte_for_byte";
    let scratch = Scratch::new("pg-select");
    let Some(cluster) = Cluster::start(&scratch, TEST) else {
        return;
    };
    scratch.add_shims(&["psql"]);
    let shimmed = path_with(&[&scratch.shims()]);
    let plain = path_dirs();
    let conn = cluster.conn("app");
    // Each line, and a value from the seeded rows that its output must show.
    let lines = [
        (
            format!("psql {conn} -c 'SELECT * FROM users ORDER BY id'"),
            "Zoë ünïcode",
        ),
        (
            format!(
                "psql {conn} -A -F , -c 'SELECT u.name, o.total FROM orders o JOIN users u \
                 ON u.id = o.user_id ORDER BY o.id'"
            ),
            "Ada,31.50",
        ),
        (
            format!("psql {conn} -c 'SELECT * FROM orders WHERE id > 2' --csv"),
            "5,3,52.50",
        ),
        (
            format!("psql {conn} <<'EOF'\nSELECT email FROM users ORDER BY id;\nEOF"),
            "ada@example.com",
        ),
        (
            format!("echo 'SELECT count(*), sum(total) FROM orders;' | psql {conn}"),
            "157.50",
        ),
        // An error is passed through too: psql's message and status.
        (format!("psql {conn} -c 'SELECT * FROM no_such_table'"), ""),
    ];
    let mut shim_calls = 0;
    for (l, shows) in &lines {
        let want = bash(&scratch, &plain, l, "");
        assert!(
            text(&want.stdout).contains(shows),
            "{l}: {}",
            text(&want.stdout)
        );
        if shows.is_empty() {
            assert!(text(&want.stderr).contains("no_such_table"), "{l}");
            assert_ne!(want.status.code(), Some(0), "{l}");
        } else {
            assert!(want.status.success(), "{l}: {}", text(&want.stderr));
        }
        for (how, got) in [
            ("through the psql shim", bash(&scratch, &shimmed, l, "")),
            ("in shell mode", guardsh_c(&scratch, l)),
        ] {
            assert_eq!(got.stdout, want.stdout, "stdout of {l:?} {how}");
            assert_eq!(got.stderr, want.stderr, "stderr of {l:?} {how}");
            assert_eq!(
                got.status.code(),
                want.status.code(),
                "status of {l:?} {how}"
            );
        }
        shim_calls += 1;
    }
    // The shim really stood in front of psql for each line, and let it run.
    let shim_log: Vec<_> = scratch
        .audit()
        .into_iter()
        .filter(|e| e["mode"] == "shim")
        .collect();
    assert_eq!(shim_log.len(), shim_calls, "{shim_log:?}");
    assert!(
        shim_log.iter().all(|e| e["outcome"] == "ran"),
        "{shim_log:?}"
    );
    assert_eq!(cluster.snapshot(&scratch), seeded());
}

/// Every row of `table`, in PostgreSQL's own text format, read directly.
fn rows(scratch: &Scratch, cluster: &Cluster, table: &str) -> String {
    cluster.sql(scratch, "app", &format!("COPY {table} TO STDOUT"))
}

/// `guardsh args…` in the scratch environment.
fn guardsh(scratch: &Scratch, args: &[&str]) -> Output {
    let mut c = scratch.cmd(GUARDSH, &path_dirs());
    c.args(args);
    with_stdin(c, "")
}

#[test]
fn a_dump_taken_before_destructive_sql_restores_every_row_byte_for_byte() {
    const TEST: &str = "a_dump_taken_before_destructive_sql_restores_every_row_byte_for_byte";
    let scratch = Scratch::new("pg-insure");
    let Some(cluster) = Cluster::start(&scratch, TEST) else {
        return;
    };
    let before = (
        rows(&scratch, &cluster, "users"),
        rows(&scratch, &cluster, "orders"),
    );
    assert!(before.0.contains("Zoë ünïcode"), "{}", before.0);
    for (sql, how) in [
        ("DROP TABLE users CASCADE", Delivery::Argv),
        ("TRUNCATE orders", Delivery::Heredoc),
        ("DELETE FROM users", Delivery::Pipe),
    ] {
        let l = line(&cluster, "app", sql, how);
        let o = guardsh(&scratch, &["backup", "--json", "--", &l]);
        assert_eq!(o.status.code(), Some(0), "{l}: {}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        assert_eq!(v["backups"][0]["kind"], "database", "{v}");
        assert!(v["backups"][0]["bytes"].as_u64().unwrap_or(0) > 0, "{v}");
        let id = v["backups"][0]["id"].as_str().expect("an id").to_owned();
        // The line itself, run by plain bash: the loss is real.
        let ran = bash(&scratch, &path_dirs(), &l, "");
        assert!(ran.status.success(), "{l}: {}", text(&ran.stderr));
        let lost = cluster.sql(
            &scratch,
            "app",
            "SELECT (SELECT count(*) FROM pg_tables WHERE tablename = 'users') \
             * (SELECT count(*) FROM orders)",
        );
        assert_eq!(lost.trim(), "0", "{sql} destroyed nothing to restore");
        let o = guardsh(&scratch, &["restore", &id, "--yes"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "restore {id}: {}",
            text(&o.stderr)
        );
        let after = (
            rows(&scratch, &cluster, "users"),
            rows(&scratch, &cluster, "orders"),
        );
        assert_eq!(after, before, "after {sql} and restore {id}");
    }
    assert_eq!(cluster.snapshot(&scratch), seeded());
}
