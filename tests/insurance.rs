//! Insurance, end to end with the real binary: `guardsh backup -- LINE` copies what LINE
//! would destroy into the protected store, the destruction then happens (run by plain
//! bash, as a person would after backing up), and `guardsh restore ID` brings back exactly
//! what was there: a directory tree with its modes, times, links and a large file; a git
//! repository's staged and unstaged work and the untracked files `git clean` removes; a
//! branch `git branch -D` deletes; a SQLite database. A backup that cannot be planned is a
//! failure, never a silent success. PostgreSQL has its own tests in e2e_postgres.rs.

// These tests start guardsh, bash, git and sqlite3 on purpose.
#![allow(clippy::disallowed_methods)]

#[path = "common/guarded.rs"]
mod guarded;

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const GUARDSH: &str = env!("CARGO_BIN_EXE_guardsh");

/// A private home and work directory, with its own protected directory (the store).
struct Home {
    dir: PathBuf,
    protected: guarded::Protected,
}

impl Home {
    fn new(name: &str) -> Home {
        let dir = std::env::temp_dir().join(format!(
            "guardsh-insure-{name}-{}-{}",
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

    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("XDG_CONFIG_HOME", self.dir.join(".config"))
            .env("XDG_STATE_HOME", self.dir.join(".local/state"))
            .env("LANG", "C")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env(guarded::ROOT_VAR, &self.protected.root)
            .current_dir(self.work())
            .stdin(Stdio::null());
        c
    }

    /// `bash -c line` in the work directory: the destruction, done without guardsh.
    fn bash(&self, line: &str) -> Output {
        let o = self
            .cmd("bash")
            .args(["-c", line])
            .output()
            .expect("bash runs");
        assert!(o.status.success(), "{line}: {}", text(&o.stderr));
        o
    }

    fn guardsh(&self, args: &[&str]) -> Output {
        self.cmd(GUARDSH).args(args).output().expect("guardsh runs")
    }

    /// `guardsh backup --json -- line`: the ids of the backups taken.
    fn backup(&self, line: &str) -> Vec<serde_json::Value> {
        let o = self.guardsh(&["backup", "--json", "--", line]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "backup of {line}: {}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        v["backups"].as_array().cloned().unwrap_or_default()
    }

    fn restore(&self, id: &str) {
        let o = self.guardsh(&["restore", id, "--yes"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "restore {id}: {}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every entry under `root`: relative path, type, mode, size, modification time, link
/// target and a hash of the bytes — what a restore must give back identically.
fn tree(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("readable")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for p in entries {
            let m = std::fs::symlink_metadata(&p).expect("meta");
            let rel = p
                .strip_prefix(root)
                .expect("under root")
                .display()
                .to_string();
            let content = if m.is_file() {
                use std::hash::{Hash as _, Hasher as _};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::fs::read(&p).expect("read").hash(&mut h);
                format!("{:x}", h.finish())
            } else if m.file_type().is_symlink() {
                std::fs::read_link(&p).expect("link").display().to_string()
            } else {
                String::new()
            };
            out.push(format!(
                "{rel} {:o} {} {}.{} {content}",
                m.mode(),
                if m.is_dir() { 0 } else { m.len() },
                m.mtime(),
                m.mtime_nsec()
            ));
            if m.is_dir() {
                walk(root, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn a_deleted_tree_comes_back_with_modes_times_links_and_bytes() {
    let home = Home::new("tree");
    let data = home.work().join("data");
    std::fs::create_dir_all(data.join("deep/er")).expect("mkdir");
    std::fs::write(data.join("deep/er/notes.txt"), "notes\n").expect("write");
    std::fs::write(data.join("run.sh"), "#!/bin/sh\necho hi\n").expect("write");
    // A large file of bytes no two runs share.
    let big: Vec<u8> = (0..24u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(data.join("big.bin"), &big).expect("write");
    home.bash("chmod 750 data/run.sh; chmod 600 data/deep/er/notes.txt; chmod 711 data/deep; ln -s deep/er/notes.txt data/link; touch -d '2001-02-03 04:05:06.789' data/big.bin");
    let before = tree(&data);
    let taken = home.backup("rm -rf data");
    assert_eq!(taken.len(), 1, "{taken:?}");
    assert_eq!(taken[0]["kind"], "files");
    assert!(taken[0]["bytes"].as_u64().unwrap_or(0) >= big.len() as u64);
    let id = taken[0]["id"].as_str().expect("an id").to_owned();
    // The backup lives in protected state, not beside what it insures.
    let location = taken[0]["location"].as_str().expect("a location");
    assert!(
        Path::new(location).starts_with(home.protected.dir()),
        "{location}"
    );
    home.bash("rm -rf data");
    assert!(!data.exists());
    home.restore(&id);
    assert_eq!(tree(&data), before);
}

#[test]
fn what_is_in_the_way_of_a_restore_is_moved_aside_not_lost() {
    let home = Home::new("aside");
    std::fs::write(home.work().join("app.env"), "KEY=1\n").expect("write");
    let taken = home.backup("> app.env");
    let id = taken[0]["id"].as_str().expect("id").to_owned();
    home.bash("echo KEY=2 > app.env");
    home.restore(&id);
    assert_eq!(
        std::fs::read_to_string(home.work().join("app.env")).expect("read"),
        "KEY=1\n"
    );
    assert_eq!(
        std::fs::read_to_string(home.work().join("app.env.guardsh-before-restore")).expect("read"),
        "KEY=2\n"
    );
}

#[test]
fn globs_and_cd_are_read_as_the_shell_will() {
    let home = Home::new("glob-cd");
    home.bash("mkdir -p app/logs && echo a > app/logs/a.log && echo b > app/logs/b.log && echo keep > app/logs/keep.txt");
    let taken = home.backup("cd app && rm -f logs/*.log");
    assert_eq!(taken.len(), 1, "{taken:?}");
    let target = taken[0]["target"].as_str().unwrap_or("");
    assert!(target.contains("app/logs/a.log"), "{target}");
    assert!(!target.contains("keep.txt"), "{target}");
    let id = taken[0]["id"].as_str().expect("id").to_owned();
    home.bash("rm -f app/logs/*.log");
    home.restore(&id);
    assert_eq!(
        std::fs::read_to_string(home.work().join("app/logs/b.log")).expect("back"),
        "b\n"
    );
}

#[test]
fn a_target_only_known_at_run_time_is_not_backed_up_and_says_so() {
    let home = Home::new("dynamic");
    let o = home.guardsh(&["backup", "--", "rm -rf \"$(cat which)\""]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("only known when the line runs"),
        "{}",
        text(&o.stderr)
    );
    let o = home.guardsh(&["backup", "--", "cd \"$D\" && rm -rf src"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("changes directory"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_line_that_destroys_nothing_needs_no_backup_and_one_no_kind_covers_fails() {
    let home = Home::new("none");
    let o = home.guardsh(&["backup", "--", "ls -la"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).contains("nothing in this line needs a backup"));
    // mkfs destroys a device: nothing guardsh can copy.
    let o = home.guardsh(&["backup", "--json", "--", "mkfs.ext4 /dev/sdz"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["not_covered"][0]["rule"], "fs.mkfs", "{v}");
}

fn git(home: &Home, dir: &str, args: &str) -> String {
    let o = home.bash(&format!("cd {dir} && git {args}"));
    text(&o.stdout)
}

fn repo(home: &Home) {
    home.bash(
        "git init -q -b main repo && cd repo && echo one > tracked && echo base > other \
         && git add . && git commit -qm init",
    );
}

#[test]
fn git_work_staged_and_unstaged_comes_back_after_reset_hard() {
    let home = Home::new("git-reset");
    repo(&home);
    home.bash("cd repo && echo two >> tracked && echo new > staged.txt && git add staged.txt && echo changed > other && git add other && echo again >> other");
    let status = git(&home, "repo", "status --porcelain");
    let diff = git(&home, "repo", "diff");
    let cached = git(&home, "repo", "diff --cached");
    let taken = home.backup("cd repo && git reset --hard");
    assert_eq!(taken[0]["kind"], "git_work", "{taken:?}");
    let id = taken[0]["id"].as_str().expect("id").to_owned();
    home.bash("cd repo && git reset -q --hard");
    assert_eq!(git(&home, "repo", "status --porcelain"), "");
    home.restore(&id);
    assert_eq!(git(&home, "repo", "status --porcelain"), status);
    assert_eq!(git(&home, "repo", "diff"), diff);
    assert_eq!(git(&home, "repo", "diff --cached"), cached);
    // The private ref keeps the work out of every branch listing.
    assert!(!git(&home, "repo", "branch -a").contains("guardsh"));
}

#[test]
fn git_work_survives_the_repository_losing_its_ref() {
    let home = Home::new("git-bundle");
    repo(&home);
    home.bash("cd repo && echo two >> tracked");
    let taken = home.backup("git -C repo checkout -- .");
    let id = taken[0]["id"].as_str().expect("id").to_owned();
    home.bash("cd repo && git checkout -q -- . && for r in $(git for-each-ref --format='%(refname)' refs/guardsh); do git update-ref -d $r; done && git reflog expire --expire=now --all && git gc -q --prune=now");
    home.restore(&id);
    assert_eq!(
        std::fs::read_to_string(home.work().join("repo/tracked")).expect("read"),
        "one\ntwo\n"
    );
}

#[test]
fn untracked_files_git_clean_removes_come_back() {
    let home = Home::new("git-clean");
    repo(&home);
    home.bash("cd repo && mkdir -p build && echo out > build/app && echo scratch > notes.md && echo '*.log' > .gitignore && git add .gitignore && git commit -qm ignore && echo x > debug.log");
    let taken = home.backup("cd repo && git clean -fdx");
    let id = taken[0]["id"].as_str().expect("id").to_owned();
    home.bash("cd repo && git clean -qfdx");
    assert!(!home.work().join("repo/notes.md").exists());
    home.restore(&id);
    for (f, want) in [
        ("build/app", "out\n"),
        ("notes.md", "scratch\n"),
        ("debug.log", "x\n"),
    ] {
        assert_eq!(
            std::fs::read_to_string(home.work().join("repo").join(f)).expect(f),
            want
        );
    }
}

#[test]
fn a_deleted_branch_comes_back_at_its_tip() {
    let home = Home::new("git-branch");
    repo(&home);
    home.bash("cd repo && git checkout -qb feature && echo f > f && git add f && git commit -qm feature && git checkout -q main");
    let tip = git(&home, "repo", "rev-parse feature");
    let taken = home.backup("cd repo && git branch -D feature");
    let id = taken[0]["id"].as_str().expect("id").to_owned();
    home.bash("cd repo && git branch -qD feature");
    home.restore(&id);
    assert_eq!(git(&home, "repo", "rev-parse feature"), tip);
}

#[test]
fn a_force_push_keeps_the_remote_tip_it_replaces() {
    let home = Home::new("git-push");
    home.bash("git init -q --bare remote.git");
    repo(&home);
    home.bash("cd repo && git remote add origin ../remote.git && git push -q origin main && echo extra > e && git add e && git commit -qm lost && git push -q origin main && git reset -q --hard HEAD~1 && echo other > o && git add o && git commit -qm other");
    let remote_tip = text(&home.bash("git -C remote.git rev-parse main").stdout);
    let taken = home.backup("cd repo && git push --force origin main");
    assert_eq!(taken[0]["kind"], "git_remote", "{taken:?}");
    let id = taken[0]["id"].as_str().expect("id").to_owned();
    home.bash("cd repo && git push -q --force origin main");
    assert_ne!(
        text(&home.bash("git -C remote.git rev-parse main").stdout),
        remote_tip
    );
    home.restore(&id);
    assert_eq!(
        text(&home.bash("git -C remote.git rev-parse main").stdout),
        remote_tip
    );
}

#[test]
fn a_sqlite_database_comes_back_after_its_table_is_dropped() {
    let home = Home::new("sqlite");
    if Command::new("sqlite3").arg("-version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "sqlite3 is needed under CI (.ci/run installs it)"
        );
        eprintln!("skipped: sqlite3 is not installed");
        return;
    }
    home.bash("sqlite3 app.db \"CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t(v) VALUES ('a'),('b'),('ü');\"");
    let rows = text(&home.bash("sqlite3 app.db 'SELECT * FROM t'").stdout);
    let taken = home.backup("sqlite3 app.db 'DROP TABLE t'");
    assert_eq!(taken[0]["kind"], "database", "{taken:?}");
    let id = taken[0]["id"].as_str().expect("id").to_owned();
    home.bash("sqlite3 app.db 'DROP TABLE t'");
    home.restore(&id);
    assert_eq!(
        text(&home.bash("sqlite3 app.db 'SELECT * FROM t'").stdout),
        rows
    );
}

#[test]
fn a_changed_backup_is_found_damaged_and_not_restored() {
    let home = Home::new("damaged");
    std::fs::write(home.work().join("keep.txt"), "precious\n").expect("write");
    let taken = home.backup("shred -u keep.txt");
    let id = taken[0]["id"].as_str().expect("id").to_owned();
    let location = PathBuf::from(taken[0]["location"].as_str().expect("location"));
    std::fs::write(location.join("0/keep.txt"), "tampered\n").expect("write");
    let o = home.guardsh(&["backups", "show", &id]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("NO:"), "{}", text(&o.stdout));
    let o = home.guardsh(&["restore", &id, "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("damaged"), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(home.work().join("keep.txt")).expect("still there"),
        "precious\n"
    );
}

#[test]
fn prune_keeps_what_is_recent_and_list_shows_it() {
    let home = Home::new("prune");
    std::fs::write(home.work().join("a.sql"), "x").expect("write");
    let taken = home.backup("rm a.sql");
    let id = taken[0]["id"].as_str().expect("id").to_owned();
    let o = home.guardsh(&["backups", "prune"]);
    assert_eq!(o.status.code(), Some(0));
    let o = home.guardsh(&["backups", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["backups"][0]["id"], id.as_str());
    assert_eq!(v["protected"], true);
    let o = home.guardsh(&["backups", "prune", "--older-than", "0"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // Taken this second: not older than zero days yet only if the clock did not move;
    // a second later it is.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let o = home.guardsh(&["backups", "prune", "--older-than", "0"]);
    assert_eq!(o.status.code(), Some(0));
    let o = home.guardsh(&["backups", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["backups"].as_array().map(Vec::len), Some(0), "{v}");
}

/// Reversible means askable: with the backup taken first, these ask a person; on a
/// production target they are refused as before (README, "Insurance").
#[test]
fn a_backed_up_destruction_is_asked_for_and_production_is_still_refused() {
    let home = Home::new("askable");
    for (line, code) in [
        ("psql -h staging-db -d app -c 'DROP TABLE users'", 4),
        ("psql -h db.prod.internal -d app -c 'DROP TABLE users'", 5),
        ("mysql -h dev-db -e 'DELETE FROM sessions'", 4),
        ("mysql -h prod-db -e 'DELETE FROM sessions'", 5),
        ("MYSQL_HOST=db.prod mysql -e 'TRUNCATE orders'", 5),
        ("rm -f data/app.sqlite", 4),
        ("git push --force origin my-feature", 4),
        ("git push --force origin main", 5),
        // A state backup does not bring back what destroy deprovisioned.
        ("terraform destroy", 5),
    ] {
        let o = home.guardsh(&["check", "--json", "--", line]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        assert_eq!(o.status.code(), Some(code), "{line}: {v}");
        if code == 4 {
            assert!(
                v["backups"].as_array().is_some_and(|b| !b.is_empty()),
                "{line} is asked for only with a backup: {v}"
            );
        }
    }
}
