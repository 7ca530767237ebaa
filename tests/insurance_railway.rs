//! Railway insurance, end to end with the real binary and a stand-in `railway` first on
//! PATH: a small script that answers `volume list --json`, `environment list --json` and
//! `volume files … download / DIR` the way the CLI (railwayapp 5.71.0) does, and records
//! every call in order. `guardsh backup` downloads the volume's files and deletes nothing;
//! an approved `railway volume -e staging delete` is downloaded before it is deleted; a
//! download that fails, or a volume that also lives in production, stops the delete and
//! says how to go on. No network: nothing here reaches Railway.

// These tests start guardsh, bash and the stand-in on purpose.
#![allow(clippy::disallowed_methods)]

#[path = "common/guarded.rs"]
mod guarded;

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const GUARDSH: &str = env!("CARGO_BIN_EXE_guardsh");

/// The line under test: a staging volume, named, deleted without the CLI's prompt.
const DELETE: &str = "railway volume -e staging delete --volume pg-data --yes";

/// A private home with its own protected directory (the store) and a stand-in `railway`.
struct Home {
    dir: PathBuf,
    protected: guarded::Protected,
}

impl Home {
    fn new(name: &str) -> Home {
        let dir = std::env::temp_dir().join(format!(
            "guardsh-insure-rw-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(dir.join("work")).expect("temp home");
        std::fs::create_dir_all(dir.join("bin")).expect("stand-in dir");
        let protected = guarded::Protected::new(GUARDSH, name);
        let home = Home { dir, protected };
        home.stand_in();
        // Two environments, each with its own `pg-data` volume: the staging one is only
        // in staging, so deleting it takes nothing from production.
        home.answer(
            "environments.json",
            r#"{"environments":[
                {"id":"env-prod","name":"production","isEphemeral":false,"isLinked":false,"restricted":false},
                {"id":"env-stg","name":"staging","isEphemeral":false,"isLinked":false,"restricted":false}]}"#,
        );
        home.answer(
            "volumes-staging.json",
            r#"{"project":"app","environment":"staging","volumes":[
                {"id":"vol-stg","name":"pg-data","mountPath":"/var/lib/postgresql/data","serviceName":"postgres"}]}"#,
        );
        home.answer(
            "volumes-production.json",
            r#"{"project":"app","environment":"production","volumes":[
                {"id":"vol-prod","name":"pg-data","mountPath":"/var/lib/postgresql/data","serviceName":"postgres"}]}"#,
        );
        home
    }

    fn work(&self) -> PathBuf {
        self.dir.join("work")
    }

    fn answers(&self) -> PathBuf {
        self.dir.join("answers")
    }

    fn answer(&self, name: &str, json: &str) {
        std::fs::create_dir_all(self.answers()).expect("mkdir answers");
        std::fs::write(self.answers().join(name), json).expect("write answer");
    }

    /// `railway`: records its arguments, then answers from `answers/` (`volumes-ENV.json`
    /// for `-e ENV`), writes a small tree for a download of `/` (or fails when
    /// `answers/fail-download` exists, as the CLI does for a service with no deployment)
    /// and prints the deleted id for a delete.
    fn stand_in(&self) {
        let log = self.log_path();
        let answers = self.answers();
        for p in [&log, &answers] {
            assert!(!p.to_string_lossy().contains('\''), "{}", p.display());
        }
        let script = format!(
            r#"#!/bin/sh
printf '%s\n' "$*" >> '{log}'
env=linked; prev=; local=; after_download=
for a in "$@"; do
  case "$prev" in -e|--environment) env=$a ;; esac
  if [ "$after_download" = slash ]; then local=$a; after_download=done; fi
  if [ "$after_download" = yes ] && [ "$a" = / ]; then after_download=slash; fi
  [ "$a" = download ] && after_download=yes
  prev=$a
done
case " $* " in
  *" environment list "*) cat '{answers}/environments.json' ;;
  *" files "*" download "*)
    if [ -e '{answers}/fail-download' ]; then
      echo 'Service postgres has no active deployment in environment staging' >&2; exit 1
    fi
    [ -e "$local" ] && {{ echo "$local exists; pass --overwrite" >&2; exit 1; }}
    mkdir -p "$local/pgdata/base" &&
    printf 'PG_VERSION 16\n' > "$local/pgdata/PG_VERSION" &&
    printf 'rows of the staging database\n' > "$local/pgdata/base/16384" &&
    echo '{{"success":true}}' ;;
  *" list "*) cat "{answers}/volumes-$env.json" 2>/dev/null || echo '{{"volumes":[]}}' ;;
  *" delete "*) echo '{{"id":"vol-stg"}}' ;;
  *) echo "stand-in railway: unexpected call: $*" >&2; exit 2 ;;
esac
"#,
            log = log.display(),
            answers = answers.display()
        );
        let path = self.dir.join("bin/railway");
        std::fs::write(&path, script).expect("write stand-in");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("railway.log")
    }

    /// The stand-in's calls, in order.
    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.log_path())
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn path(&self) -> std::ffi::OsString {
        let mut dirs = vec![self.dir.join("bin")];
        dirs.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        std::env::join_paths(dirs).expect("PATH")
    }

    /// `program` with this home's environment, in its work directory.
    fn env(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env_clear()
            .env("PATH", self.path())
            .env("HOME", &self.dir)
            .env("XDG_CONFIG_HOME", self.dir.join(".config"))
            .env("XDG_STATE_HOME", self.dir.join(".local/state"))
            .env("XDG_DATA_HOME", self.dir.join(".local/share"))
            .env("LANG", "C")
            .env(guarded::ROOT_VAR, &self.protected.root)
            .current_dir(self.work());
        c
    }

    /// [`Home::env`], reading nothing.
    fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = self.env(program);
        c.stdin(Stdio::null());
        c
    }

    fn guardsh(&self, args: &[&str]) -> Output {
        self.cmd(GUARDSH).args(args).output().expect("guardsh runs")
    }

    /// `guardsh -c line` in a session of its own with no terminal, as under an agent.
    fn shell(&self, line: &str) -> Output {
        let mut c = self.cmd("setsid");
        c.args(["-w", GUARDSH, "-c", line]);
        c.output().expect("guardsh -c runs")
    }

    /// Refused for want of a person: the id of the request a person approves.
    fn request(&self, line: &str) -> String {
        let out = self.shell(line);
        assert_eq!(out.status.code(), Some(126), "{}", text(&out.stderr));
        text(&out.stderr)
            .split("guardsh approve ")
            .nth(1)
            .and_then(|r| r.split('`').next())
            .expect("a request id")
            .to_owned()
    }

    /// A person approves request `id` from an interactive bash on a terminal of its own,
    /// typing the phrase guardsh asks for.
    fn approve(&self, id: &str, phrase: &str) {
        use expectrl::{Eof, Expect as _};
        let mut c = self.env("bash");
        c.env("TERM", "dumb")
            .env("PS1", "$ ")
            .args(["--norc", "--noprofile", "-i"]);
        let mut s = expectrl::Session::spawn(c).expect("spawns on a pty");
        s.set_expect_timeout(Some(Duration::from_secs(30)));
        s.send_line(format!("{GUARDSH} approve {id}"))
            .expect("types");
        s.expect(format!("Type `{phrase}`").as_str()).expect("asks");
        s.send_line(phrase).expect("types");
        s.expect("approved once").expect("approves");
        s.send_line("exit").expect("types");
        s.expect(Eof).expect("ends");
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

/// Every file under `dir`, relative, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if let Ok(bytes) = std::fs::read(&p) {
                let rel = p.strip_prefix(root).unwrap_or(&p).display().to_string();
                out.push((rel, bytes));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn position(calls: &[String], what: &str) -> Option<usize> {
    calls.iter().position(|c| c.contains(what))
}

#[test]
fn a_staging_volume_delete_is_a_confirmation_and_production_stays_refused() {
    let home = Home::new("decide");
    for (line, want) in [
        (DELETE, "confirm"),
        (
            "railway volume -e production delete --volume pg-data --yes",
            "deny",
        ),
        // Nothing names the environment: the linked one, which may be production.
        ("railway volume delete --volume pg-data --yes", "deny"),
        (
            "railway volume -e \"$ENV\" delete --volume pg-data --yes",
            "deny",
        ),
        (
            "railway service delete --service api --environment staging --yes",
            "confirm",
        ),
        ("railway service delete --service api --yes", "deny"),
        ("railway environment delete staging --yes", "deny"),
        ("railway delete --project app --yes", "deny"),
    ] {
        let o = home.guardsh(&["check", "--json", line]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        assert_eq!(v["decision"], want, "{line}: {v}");
    }
    assert!(home.calls().is_empty(), "a decision calls nothing");
}

#[test]
fn backup_downloads_the_volume_into_the_store_and_never_deletes() {
    let home = Home::new("backup");
    let o = home.guardsh(&["backup", "--json", "--", DELETE]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let taken = v["backups"].as_array().cloned().unwrap_or_default();
    assert_eq!(taken.len(), 1, "{v}");
    assert_eq!(taken[0]["kind"], "railway_volume", "{v}");
    assert!(taken[0]["bytes"].as_u64().unwrap_or(0) > 0, "{v}");
    let location = PathBuf::from(taken[0]["location"].as_str().expect("a location"));
    assert!(location.starts_with(home.protected.dir()), "{location:?}");
    let stored = files(&location);
    assert!(
        stored
            .iter()
            .any(|(p, b)| p.ends_with("volume/pgdata/base/16384")
                && b.as_slice() == b"rows of the staging database\n"),
        "{stored:?}"
    );
    let calls = home.calls();
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("volume -e staging files --volume pg-data download / ")),
        "{calls:?}"
    );
    // The other environment was looked at, and the delete was never sent.
    assert!(
        position(&calls, "--environment production list --json").is_some(),
        "{calls:?}"
    );
    assert!(position(&calls, " delete ").is_none(), "{calls:?}");
}

#[test]
fn an_approved_delete_is_downloaded_first_then_deleted() {
    let home = Home::new("approved");
    let id = home.request(DELETE);
    assert!(
        position(&home.calls(), " delete ").is_none(),
        "refused: nothing ran"
    );
    home.approve(&id, "delete pg-data");
    let out = home.shell(DELETE);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("guardsh restore "),
        "{}",
        text(&out.stderr)
    );
    let calls = home.calls();
    let download = position(&calls, " download / ").expect("downloaded");
    let delete =
        position(&calls, "volume -e staging delete --volume pg-data --yes").expect("deleted");
    assert!(download < delete, "{calls:?}");
}

#[test]
fn a_failed_download_stops_the_delete_and_says_how_to_go_on() {
    let home = Home::new("fail");
    std::fs::write(home.answers().join("fail-download"), "").expect("write");
    let o = home.guardsh(&["backup", "--", DELETE]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("no active deployment"),
        "{}",
        text(&o.stderr)
    );
    let id = home.request(DELETE);
    home.approve(&id, "delete pg-data");
    let out = home.shell(DELETE);
    assert_eq!(out.status.code(), Some(126), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("could not be taken"), "{err}");
    assert!(err.contains("no active deployment"), "{err}");
    assert!(err.contains("--no-backup"), "{err}");
    let calls = home.calls();
    assert!(position(&calls, " download / ").is_some(), "{calls:?}");
    assert!(position(&calls, " delete ").is_none(), "{calls:?}");
}

#[test]
fn a_volume_that_also_lives_in_production_is_not_backed_up_as_if_it_did_not() {
    let home = Home::new("shared");
    // The same volume id in both environments: volumeDelete takes it from both.
    home.answer(
        "volumes-production.json",
        r#"{"volumes":[{"id":"vol-stg","name":"pg-data"}]}"#,
    );
    // Named, or the only one in scope (the CLI asks which on a terminal).
    for line in [DELETE, "railway volume -e staging delete --yes"] {
        let o = home.guardsh(&["backup", "--", line]);
        assert_eq!(o.status.code(), Some(1), "{line}: {}", text(&o.stdout));
        let err = text(&o.stderr);
        assert!(
            err.contains("also has an instance in production"),
            "{line}: {err}"
        );
    }
    let calls = home.calls();
    assert!(position(&calls, " download ").is_none(), "{calls:?}");
    assert!(position(&calls, " delete ").is_none(), "{calls:?}");
}
