//! Production awareness and layered configuration, through the real binary: `guardsh check`
//! in a sandbox with its own home, working directory and variables, so the environment it
//! infers comes from flags, variables and the CLIs' own state files, as on a real machine.

// These tests start guardsh on purpose.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const GUARDSH: &str = env!("CARGO_BIN_EXE_guardsh");

#[path = "common/guarded.rs"]
mod guarded;

struct Sandbox {
    root: PathBuf,
    vars: Vec<(String, String)>,
    protected: guarded::Protected,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let root = std::env::temp_dir().join(format!(
            "guardsh-prod-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        for d in ["home/.config", "home/.local/state", "work/app"] {
            std::fs::create_dir_all(root.join(d)).expect("mkdir");
        }
        Sandbox {
            root,
            vars: Vec::new(),
            protected: guarded::Protected::new(GUARDSH, name),
        }
    }

    /// `guardsh` with this sandbox's home, protected directory and variables.
    fn guardsh(&self) -> Command {
        let mut c = Command::new(GUARDSH);
        c.current_dir(self.cwd())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("XDG_STATE_HOME", self.home().join(".local/state"))
            .env(guarded::ROOT_VAR, &self.protected.root);
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    /// `guardsh config trust`, as the person would run it outside any guarded tree.
    fn trust(&self) {
        let out = self
            .guardsh()
            .args(["config", "trust"])
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn home(&self) -> PathBuf {
        self.root.join("home")
    }

    /// The directory commands run in (a project inside `work/`).
    fn cwd(&self) -> PathBuf {
        self.root.join("work/app")
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.root.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    fn var(mut self, name: &str, value: &str) -> Sandbox {
        self.vars.push((name.to_owned(), value.to_owned()));
        self
    }

    fn check(&self, line: &str) -> Output {
        self.guardsh()
            .args(["check", "--json", line])
            .output()
            .expect("guardsh runs")
    }

    /// The decision on `line`, with the report.
    fn decide(&self, line: &str) -> (String, Value) {
        let out = self.check(line);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{line}: no JSON ({e}); stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let d = report["decision"].as_str().unwrap_or("?").to_owned();
        (d, report)
    }

    fn decision(&self, line: &str) -> String {
        self.decide(line).0
    }
}

/// Where the report's first environment was read from (`""` when there is none).
fn first_source(report: &Value) -> &str {
    report["environments"][0]["source"].as_str().unwrap_or("")
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn railway_link(s: &Sandbox, dir: &Path, environment: &str) {
    let config = serde_json::json!({
        "projects": {
            dir.display().to_string(): {
                "projectPath": dir.display().to_string(),
                "name": "shop",
                "project": "8e1a",
                "environment": "env-id-1",
                "environmentName": environment,
            }
        },
        "user": {"token": null}
    });
    s.write("home/.railway/config.json", &config.to_string());
}

#[test]
fn railway_flags_variables_and_the_linked_environment() {
    let s = Sandbox::new("railway");
    // `railway down` needs a person anywhere; in production it is refused.
    assert_eq!(s.decision("railway down -y"), "confirm");
    assert_eq!(s.decision("railway down -y -e staging"), "confirm");
    let (d, report) = s.decide("railway down -y -e production");
    assert_eq!(d, "deny");
    let env = &report["environments"][0];
    assert_eq!(env["name"], "production");
    assert_eq!(env["source"], "flag -e");
    assert_eq!(env["kind"], "railway");
    assert_eq!(env["protected"], true);
    assert!(
        report["matches"][0]["environment"]
            .as_str()
            .is_some_and(|e| e.contains("production")),
        "{report}"
    );
    // Deploying is routine, except in production.
    assert_eq!(s.decision("railway up --detach"), "allow");
    assert_eq!(s.decision("railway up -e production"), "confirm");
    assert_eq!(
        s.decision("RAILWAY_ENVIRONMENT=production railway up"),
        "confirm"
    );
    assert_eq!(
        s.decision("export RAILWAY_ENVIRONMENT=prod-eu; railway up"),
        "confirm"
    );
    // A variable overwrite is a warning elsewhere, a person's call in production.
    assert_eq!(s.decision("railway variables set A=1 -e staging"), "warn");
    assert_eq!(
        s.decision("railway variables set A=1 -e production"),
        "confirm"
    );

    // The environment `railway link` recorded for this directory (or a parent).
    railway_link(&s, &s.root.join("work"), "production");
    let (d, report) = s.decide("railway up");
    assert_eq!(d, "confirm");
    assert!(
        first_source(&report).contains(".railway/config.json"),
        "{report}"
    );
    assert_eq!(s.decision("railway down -y"), "deny");
    // A flag beats the link, as it does for the CLI.
    assert_eq!(s.decision("railway up -e staging"), "allow");
    railway_link(&s, &s.root.join("work"), "staging");
    assert_eq!(s.decision("railway up"), "allow");
    assert_eq!(s.decision("railway down -y"), "confirm");

    // The process's own variable (the agent's environment).
    let s = Sandbox::new("railway-var").var("RAILWAY_ENVIRONMENT", "production");
    assert_eq!(s.decision("railway up"), "confirm");
    assert_eq!(s.decision("railway up -e staging"), "allow");

    // A project token picks its own environment, which only Railway knows: the incident's
    // token could be production's, so it counts as protected, over any link.
    let s = Sandbox::new("railway-token").var("RAILWAY_TOKEN", "tok");
    railway_link(&s, &s.root.join("work"), "staging");
    let (d, report) = s.decide("railway up");
    assert_eq!(d, "confirm");
    assert!(first_source(&report).contains("RAILWAY_TOKEN"), "{report}");
    assert_eq!(s.decision("railway down -y"), "deny");
    assert_eq!(
        s.decision("railway up -e staging"),
        "allow",
        "a flag still wins"
    );
    let s = Sandbox::new("railway-token-line");
    assert_eq!(s.decision("RAILWAY_TOKEN=tok railway down -y"), "deny");
}

#[test]
fn railway_environments_named_in_the_config() {
    let s = Sandbox::new("railway-names");
    assert_eq!(s.decision("railway up -e main"), "allow");
    s.write(
        "home/.config/guardsh/config.yaml",
        "production:\n  railway_environments: [main]\n",
    );
    assert_eq!(s.decision("railway up -e main"), "confirm");
    assert_eq!(s.decision("railway down -y -e main"), "deny");
    // A value only known at run time may be production.
    assert_eq!(s.decision("railway up -e \"$TARGET\""), "confirm");
}

#[test]
fn kubectl_context_flag_and_current_context() {
    let s = Sandbox::new("kube");
    assert_eq!(s.decision("kubectl apply -f k8s/"), "allow");
    assert_eq!(
        s.decision("kubectl --context prod-eu apply -f k8s/"),
        "confirm"
    );
    assert_eq!(s.decision("kubectl --context prod-eu get pods"), "allow");
    // `drain` needs a person; in production it is refused.
    assert_eq!(s.decision("kubectl drain node-1"), "confirm");
    assert_eq!(
        s.decision("kubectl drain node-1 --context production"),
        "deny"
    );

    let kubeconfig = s.write(
        "home/.kube/config",
        "apiVersion: v1\nkind: Config\ncurrent-context: prod-eu\ncontexts: []\n",
    );
    let (d, report) = s.decide("kubectl apply -f k8s/");
    assert_eq!(d, "confirm");
    assert_eq!(report["environments"][0]["name"], "prod-eu");
    assert_eq!(s.decision("kubectl drain node-1"), "deny");
    assert_eq!(
        s.decision("kubectl --context kind-dev apply -f k8s/"),
        "allow"
    );
    // KUBECONFIG points elsewhere.
    let other = s.write(
        "work/kube-staging",
        "apiVersion: v1\ncurrent-context: staging\n",
    );
    let s = s.var("KUBECONFIG", &other.display().to_string());
    assert_eq!(s.decision("kubectl apply -f k8s/"), "allow");
    let line = format!(
        "kubectl --kubeconfig {} apply -f k8s/",
        kubeconfig.display()
    );
    assert_eq!(s.decision(&line), "confirm");
}

#[test]
fn terraform_configuration_directory_and_workspace() {
    let s = Sandbox::new("tf");
    assert_eq!(s.decision("terraform apply"), "allow");
    assert_eq!(s.decision("terraform -chdir=envs/prod apply"), "confirm");
    assert_eq!(s.decision("terraform -chdir=envs/staging apply"), "allow");
    assert_eq!(s.decision("terraform -chdir=envs/prod plan"), "allow");
    // A stateful replace needs a person; in production it is refused.
    let base = s.decision("terraform apply -auto-approve");
    assert_ne!(base, "allow");
    assert_eq!(
        s.decision("terraform -chdir=envs/prod apply -auto-approve"),
        "deny"
    );
    // The workspace `terraform workspace select` recorded.
    s.write("work/app/.terraform/environment", "production\n");
    let (d, report) = s.decide("terraform apply");
    assert_eq!(d, "confirm");
    assert!(
        first_source(&report).contains(".terraform/environment"),
        "{report}"
    );
    assert_eq!(
        s.decision("TF_WORKSPACE=staging terraform apply"),
        "allow",
        "the variable beats the file, as in terraform"
    );
}

#[test]
fn aws_profiles() {
    let s = Sandbox::new("aws");
    assert_eq!(
        s.decision("aws ec2 stop-instances --instance-ids i-1"),
        "allow"
    );
    assert_eq!(
        s.decision("aws --profile prod ec2 stop-instances --instance-ids i-1"),
        "confirm"
    );
    assert_eq!(s.decision("aws --profile prod s3 ls"), "allow");
    let s = s.var("AWS_PROFILE", "production");
    assert_eq!(
        s.decision("aws ec2 stop-instances --instance-ids i-1"),
        "confirm"
    );
    assert_eq!(
        s.decision("aws --profile sandbox ec2 stop-instances --instance-ids i-1"),
        "allow"
    );
    s.write(
        "home/.config/guardsh/config.yaml",
        "production:\n  cloud_profiles: [acme-main]\n",
    );
    assert_eq!(
        s.decision("aws --profile acme-main ec2 reboot-instances --instance-ids i-1"),
        "confirm"
    );
}

#[test]
fn psql_hosts() {
    let s = Sandbox::new("psql");
    // Dropping a view needs a person; against a production host it is refused.
    assert_eq!(s.decision("psql -h localhost -c 'DROP VIEW v'"), "confirm");
    let (d, report) = s.decide("psql -h db.prod.internal -c 'DROP VIEW v'");
    assert_eq!(d, "deny");
    assert_eq!(report["environments"][0]["name"], "db.prod.internal");
    assert_eq!(
        s.decision("psql postgres://app@db.prod.internal:5432/shop -c 'DROP VIEW v'"),
        "deny"
    );
    assert_eq!(
        s.decision("psql 'host=db.prod.internal dbname=shop' -c 'DROP VIEW v'"),
        "deny"
    );
    assert_eq!(
        s.decision("psql -h db.prod.internal -c 'SELECT 1'"),
        "allow"
    );
    let s = s.var("DATABASE_URL", "postgres://u:p@pg.live.example.com/shop");
    assert_eq!(
        s.decision("psql \"$DATABASE_URL\" -c 'DROP VIEW v'"),
        "deny"
    );
    let s = s.var("PGHOST", "127.0.0.1");
    assert_eq!(
        s.decision("psql -c 'DROP VIEW v'"),
        "confirm",
        "PGHOST comes before DATABASE_URL"
    );
    s.write(
        "home/.config/guardsh/config.yaml",
        "production:\n  database_hosts: ['10.0.*']\n",
    );
    assert_eq!(s.decision("psql -h 10.0.3.4 -c 'DROP VIEW v'"), "deny");
}

#[test]
fn a_project_file_cannot_allow_and_the_user_can() {
    let s = Sandbox::new("layers");
    let line = "railway volume delete --volume pg-data --yes";
    assert_eq!(s.decision(line), "deny");
    // The agent writes a project file that allows the rule: ignored, with a warning.
    s.write(
        "work/.guardsh.yaml",
        "allow:\n  - rule: railway.volume.delete\n    reason: the agent says it is fine\n",
    );
    let out = s.check(line);
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["decision"], "deny");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`allow` ignored"), "{stderr}");
    assert!(stderr.contains(".guardsh.yaml"), "{stderr}");
    // Lowering a severity is ignored too; raising one holds.
    s.write(
        "work/.guardsh.yaml",
        "overrides:\n  railway.volume.delete: warn\n  railway.down: deny\n",
    );
    let out = s.check(line);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("only tighten"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s.decision(line), "deny");
    assert_eq!(s.decision("railway down -y"), "deny");
    // A project rule adds protection.
    s.write(
        "work/.guardsh.yaml",
        "rules:\n  - id: shop.reseed\n    program: make\n    path: [reseed]\n    severity: confirm\n    message: wipes and reseeds the shared database\n    suggestion: ask a human\n    examples: {block: [make reseed]}\n",
    );
    assert_eq!(s.decision("make reseed"), "confirm");
    assert_eq!(s.decision("make test"), "allow");
    // The user's own file may allow, with a reason, once a person trusted its content.
    let user = "allow:\n  - rule: shop.reseed\n    reason: my scratch database\n";
    s.write("home/.config/guardsh/config.yaml", user);
    let out = s.check("make reseed");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("guardsh config trust"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s.decision("make reseed"), "confirm", "not trusted yet");
    s.trust();
    assert_eq!(s.decision("make reseed"), "allow");
    // A changed byte is untrusted again.
    s.write(
        "home/.config/guardsh/config.yaml",
        &format!("{user}# edited\n"),
    );
    assert_eq!(s.decision("make reseed"), "confirm");
}

#[test]
fn the_system_layer_is_a_floor_the_user_cannot_lower_and_can_lock() {
    let s = Sandbox::new("system");
    let sys = s.root.join("sys");
    let s = s.var("GUARDSH_TEST_SYSTEM_ROOT", &sys.display().to_string());
    let system_file = s.write(
        "sys/etc/guardsh/config.yaml",
        "overrides:\n  git.clean.force: deny\n",
    );
    let root_owned = {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata(&system_file).is_ok_and(|m| m.uid() == 0)
    };
    // A trusted user file allows one rule the system pinned and one it did not, and tries
    // to lower the pinned one.
    s.write(
        "home/.config/guardsh/config.yaml",
        "overrides:\n  git.clean.force: warn\nallow:\n  - {rule: git.clean.force, reason: mine}\n  - {rule: git.reset.hard, reason: mine}\n",
    );
    s.trust();
    let show = || -> Value {
        let out = s
            .guardsh()
            .args(["config", "show", "--json"])
            .output()
            .expect("runs");
        serde_json::from_slice(&out.stdout).expect("json")
    };
    if !root_owned {
        // Not root's, so not the organisation's: ignored, and said so.
        let r = show();
        assert!(
            r["warnings"].to_string().contains("not owned by root"),
            "{r}"
        );
        return;
    }
    assert_eq!(
        s.decision("git clean -fdx"),
        "deny",
        "the system's floor holds"
    );
    assert_eq!(
        s.decision("git reset --hard"),
        "allow",
        "an unpinned rule the user may allow"
    );
    let r = show();
    assert!(
        r["warnings"]
            .to_string()
            .contains("the system file sets it to deny"),
        "{r}"
    );
    assert_eq!(r["locked_by"], Value::Null);
    // The fleet's view: each file with the hash of its content, and the protection level.
    let place = |r: &Value, path: &Path| -> Value {
        r["places"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["path"] == path.display().to_string()))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let sys_place = place(&r, &system_file);
    let content = std::fs::read(&system_file).expect("read");
    let expected = Command::new("sha256sum")
        .arg(&system_file)
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split(' ')
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .expect("sha256sum runs");
    assert!(!content.is_empty());
    assert_eq!(
        sys_place["files"][0]["sha256"],
        expected.as_str(),
        "{sys_place}"
    );
    assert_eq!(sys_place["trusted"], true);
    assert!(
        ["kernel", "parse-only"].contains(&r["protection"]["level"].as_str().unwrap_or("")),
        "{r}"
    );
    // Locked: the user file only tightens now, its allow entries and lowering ignored.
    s.write(
        "sys/etc/guardsh/config.yaml",
        "locked: true\noverrides:\n  git.clean.force: deny\n",
    );
    assert_eq!(s.decision("git reset --hard"), "confirm");
    let out = s.check("git reset --hard");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("locked: true"), "{stderr}");
    let r = show();
    assert_eq!(r["locked_by"], system_file.display().to_string(), "{r}");
    let user = place(&r, &s.home().join(".config/guardsh/config.yaml"));
    assert_eq!(user["trusted"], false, "{user}");
}

#[test]
fn user_packs_load_and_broken_ones_stop_everything() {
    let s = Sandbox::new("packs");
    // No pack knows the CLI: its verb is read generically (effects::cli), a confirmation.
    assert_eq!(s.decision("acmectl wipe --all"), "confirm");
    assert_eq!(s.decision("acmectl list --all"), "allow");
    s.write(
        "home/.config/guardsh/guards/acme.yaml",
        "pack: acme\ndescription: our own CLI\nrules:\n  - id: acme.wipe\n    program: acmectl\n    path: [wipe]\n    severity: deny\n    message: wipes every tenant\n    suggestion: wipe one tenant\n    examples:\n      block: [acmectl wipe --all]\n",
    );
    assert_eq!(s.decision("acmectl wipe --all"), "deny");
    s.write(
        "home/.config/guardsh/guards/broken.yaml",
        "pack: broken\ndescription: x\nrules:\n  - id: broken.x\n    program: x\n    sevrity: deny\n",
    );
    let out = s.check("ls");
    assert_eq!(out.status.code(), Some(6), "a broken pack stops guardsh");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.yaml:"), "{stderr}");
    assert!(stderr.contains("sevrity"), "{stderr}");
}

#[test]
fn config_show_names_each_layer_and_what_was_ignored() {
    let s = Sandbox::new("show");
    s.write(
        "home/.config/guardsh/config.yaml",
        "overrides:\n  git.push.force: deny\nallow:\n  - {command: make nuke, reason: our own target, expires: 2001-01-01}\nproduction:\n  kube_contexts: [gke-main]\n",
    );
    s.write(
        "work/.guardsh.yaml",
        "allow:\n  - {rule: railway.volume.delete, reason: trust me}\noverrides:\n  railway.down: warn\n  no.such.rule: deny\nproduction:\n  railway_environments: [main]\n",
    );
    let run = |json: bool| {
        let mut c = s.guardsh();
        c.args(["config", "show"]);
        if json {
            c.arg("--json");
        }
        c.output().expect("runs")
    };
    let out = run(true);
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    // Untrusted, the user's file still raises; its allow entry does not count.
    assert_eq!(status_of_override(&r, "git.push.force"), "applied", "{r}");
    assert_eq!(r["allow"].as_array().map(Vec::len), Some(0), "{r}");
    let user_place = |r: &Value| {
        r["places"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|p| {
                        p["origin"] == "user"
                            && p["path"]
                                .as_str()
                                .is_some_and(|p| p.ends_with("config.yaml"))
                    })
                    .cloned()
            })
            .expect("user place")
    };
    assert_eq!(user_place(&r)["trusted"], false, "{r}");
    s.trust();
    let out = run(true);
    assert_eq!(out.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    let status_of = |rule: &str| {
        r["overrides"]
            .as_array()
            .and_then(|a| a.iter().find(|o| o["rule"] == rule))
            .map(|o| o["status"].as_str().unwrap_or("").to_owned())
            .unwrap_or_default()
    };
    assert_eq!(status_of("git.push.force"), "applied");
    assert_eq!(user_place(&r)["trusted"], true, "{r}");
    assert!(status_of("railway.down").starts_with("ignored"), "{r}");
    assert!(status_of("no.such.rule").starts_with("unknown rule"), "{r}");
    assert_eq!(r["protected"]["kube_contexts"][0], "gke-main");
    assert_eq!(r["protected"]["railway_environments"][0], "main");
    assert_eq!(r["allow"].as_array().map(Vec::len), Some(1), "{r}");
    assert_eq!(r["allow"][0]["status"], "expired");
    assert_eq!(r["allow"][0]["origin"], "user");
    let warnings = r["warnings"].to_string();
    assert!(warnings.contains("`allow` ignored"), "{warnings}");
    let project = r["places"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["origin"] == "project"))
        .expect("project place");
    assert_eq!(project["status"], "in effect");
    let text = String::from_utf8_lossy(&run(false).stdout).into_owned();
    assert!(text.contains("project"), "{text}");
    assert!(text.contains("warning: "), "{text}");
    assert!(text.contains("gke-main"), "{text}");
    // A broken file is a configuration error (exit 6), named with its line.
    s.write("work/.guardsh.yaml", "overides: {}\n");
    let out = run(false);
    assert_eq!(out.status.code(), Some(6));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(".guardsh.yaml:1:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The status of `rule`'s override in a `config show --json` report, up to its first space.
fn status_of_override(r: &Value, rule: &str) -> String {
    r["overrides"]
        .as_array()
        .and_then(|a| a.iter().find(|o| o["rule"] == rule))
        .and_then(|o| o["status"].as_str())
        .and_then(|s| s.split([' ', ':']).next())
        .unwrap_or("")
        .to_owned()
}
