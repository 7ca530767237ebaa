//! Decisions to the system log, end to end: a real `rsyslogd` (Debian's `rsyslog`) started by
//! the test on a socket of its own, with its RFC 5424 parser and its structured-data parser
//! (`mmpstrucdata`) reading what guardsh sent, and a datagram socket the test binds standing
//! in for journald's native socket (there is no systemd here). guardsh runs as the agent's
//! shell with a user config.yaml naming both; every decision in the local audit log must
//! arrive in both, field for field. Also: a socket that is not there costs a warning, never
//! the decision, and a project file cannot choose where decisions go.
//!
//! Needs `rsyslogd` (installed by `.ci/run`): without it the rsyslog test fails under
//! `CI=true` and is skipped with a message otherwise.

// These tests start guardsh and rsyslogd on purpose.
#![allow(clippy::disallowed_methods)]

// Shims and PATH prefixes are the other end-to-end tests' business.
#[allow(dead_code)]
#[path = "common/e2e.rs"]
mod e2e;
#[path = "common/guarded.rs"]
mod guarded;

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use e2e::{GUARDSH, Scratch, find_in, path_dirs, require, text};
use serde_json::Value;

/// The local3 facility guardsh is configured with here, and its RFC 5424 number.
const FACILITY: (&str, u64) = ("local3", 19);

/// An `rsyslogd` of the test's own, listening on `socket`, writing each message it parses
/// as one tab-separated line of RFC 5424 header fields, its structured data as rsyslog's
/// parser understood it (JSON), and MSG.
struct Rsyslog {
    child: Child,
    socket: PathBuf,
    out: PathBuf,
}

impl Rsyslog {
    fn start(rsyslogd: &Path, dir: &Path) -> Rsyslog {
        std::fs::create_dir_all(dir).expect("mkdir");
        let socket = dir.join("log.sock");
        let out = dir.join("messages.tsv");
        let conf = dir.join("rsyslog.conf");
        // SysSock.Use off: never touch the machine's /dev/log. The regular parser chain
        // (UseSpecialParser off) is the one that reads RFC 5424 and its structured data;
        // ParseHostname on, because guardsh's messages carry one; UseSysTimeStamp off, to
        // keep guardsh's timestamp; no rate limit, which would drop a burst from one pid.
        let config = format!(
            r#"global(workDirectory="{dir}")
module(load="imuxsock" SysSock.Use="off")
module(load="mmpstrucdata")
input(type="imuxsock" Socket="{socket}" UseSpecialParser="off" ParseHostname="on"
      UseSysTimeStamp="off" RateLimit.Interval="0")
template(name="fields" type="list") {{
  property(name="pri") constant(value="\t")
  property(name="hostname") constant(value="\t")
  property(name="app-name") constant(value="\t")
  property(name="procid") constant(value="\t")
  property(name="msgid") constant(value="\t")
  property(name="timereported" dateFormat="rfc3339") constant(value="\t")
  property(name="$!rfc5424-sd") constant(value="\t")
  property(name="msg") constant(value="\n")
}}
action(type="mmpstrucdata")
action(type="omfile" file="{out}" template="fields")
"#,
            dir = dir.display(),
            socket = socket.display(),
            out = out.display(),
        );
        std::fs::write(&conf, config).expect("write rsyslog.conf");
        let child = Command::new(rsyslogd)
            .arg("-n")
            .arg("-f")
            .arg(&conf)
            .arg("-i")
            .arg(dir.join("rsyslogd.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rsyslogd starts");
        let r = Rsyslog { child, socket, out };
        let started = Instant::now();
        while !r.socket.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "rsyslogd made no socket"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        r
    }

    /// The messages written so far, once there are at least `n` (waiting up to 20 s).
    fn messages(&self, n: usize) -> Vec<Message> {
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(&self.out).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            if lines.len() >= n || started.elapsed() > Duration::from_secs(20) {
                return lines.iter().map(|l| Message::parse(l)).collect();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One message as rsyslogd parsed it.
#[derive(Debug)]
struct Message {
    pri: u64,
    hostname: String,
    app_name: String,
    procid: String,
    msgid: String,
    timestamp: String,
    /// The parameters of the `guardsh@32473` element.
    sd: serde_json::Map<String, Value>,
    msg: String,
}

impl Message {
    fn parse(line: &str) -> Message {
        let f: Vec<&str> = line.splitn(8, '\t').collect();
        assert_eq!(f.len(), 8, "{line}");
        let sd: Value = serde_json::from_str(f[6]).expect("rsyslog's structured data is JSON");
        let sd = sd["guardsh@32473"]
            .as_object()
            .unwrap_or_else(|| panic!("no guardsh@32473 element: {line}"))
            .clone();
        Message {
            pri: f[0].parse().expect("PRI"),
            hostname: f[1].to_owned(),
            app_name: f[2].to_owned(),
            procid: f[3].to_owned(),
            msgid: f[4].to_owned(),
            timestamp: f[5].to_owned(),
            sd,
            msg: f[7].to_owned(),
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.sd.get(name).and_then(Value::as_str)
    }
}

fn rsyslogd() -> Option<PathBuf> {
    let mut dirs = path_dirs();
    dirs.extend(["/usr/sbin", "/sbin"].map(PathBuf::from));
    find_in("rsyslogd", dirs)
}

/// The user's config.yaml in the scratch home.
fn write_config(s: &Scratch, text: &str) {
    let dir = s.dir.join("home/.config/guardsh");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("config.yaml"), text).expect("write config");
}

/// `guardsh -c line` as Claude Code would run it.
fn run(s: &Scratch, line: &str) -> Output {
    s.cmd(GUARDSH, &path_dirs())
        .env("CLAUDECODE", "1")
        .arg("-c")
        .arg(line)
        .output()
        .expect("guardsh runs")
}

/// The hex SHA-256 of `text`.
fn sha256(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The fields of a journal native-protocol datagram.
fn journal_fields(mut bytes: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    while let Some(end) = bytes.iter().position(|&b| b == b'\n') {
        let line = &bytes[..end];
        if let Some(eq) = line.iter().position(|&b| b == b'=') {
            out.push((text(&line[..eq]), text(&line[eq + 1..])));
            bytes = &bytes[end + 1..];
        } else {
            let rest = &bytes[end + 1..];
            let len = u64::from_le_bytes(rest[..8].try_into().expect("length")) as usize;
            out.push((text(line), text(&rest[8..8 + len])));
            bytes = &rest[8 + len + 1..];
        }
    }
    out
}

fn received(sock: &UnixDatagram, n: usize) -> Vec<Vec<(String, String)>> {
    sock.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut out = Vec::new();
    let mut buf = vec![0; 1 << 17];
    while out.len() < n {
        match sock.recv(&mut buf) {
            Ok(len) => out.push(journal_fields(&buf[..len])),
            Err(_) => break,
        }
    }
    out
}

fn get<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn decisions_reach_a_real_rsyslogd_and_a_journal_socket() {
    let Some(rsyslogd) = require(
        rsyslogd(),
        "decisions_reach_a_real_rsyslogd_and_a_journal_socket",
        "rsyslogd not found (Debian: apt-get install rsyslog)",
    ) else {
        return;
    };
    let s = Scratch::new("syslog");
    let syslog = Rsyslog::start(&rsyslogd, &s.dir.join("rsyslog"));
    let journal_path = s.dir.join("journal.sock");
    let journal = UnixDatagram::bind(&journal_path).expect("bind the stand-in journal");
    write_config(
        &s,
        &format!(
            "audit:\n  syslog:\n    socket: {}\n    facility: {}\n    app_name: guardsh-test\n  journal:\n    socket: {}\n",
            syslog.socket.display(),
            FACILITY.0,
            journal_path.display()
        ),
    );

    let allowed = run(&s, r#"echo 'allowed "quoted" \ ] line'"#);
    assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed.stderr));
    assert_eq!(text(&allowed.stdout), "allowed \"quoted\" \\ ] line\n");
    assert!(
        !text(&allowed.stderr).contains("cannot send"),
        "{}",
        text(&allowed.stderr)
    );
    let denied = run(&s, "rm -rf /");
    assert_ne!(denied.status.code(), Some(0));
    assert!(
        text(&denied.stderr).contains("refused"),
        "{}",
        text(&denied.stderr)
    );
    let confirm = run(&s, "git clean -fdx");
    assert_ne!(confirm.status.code(), Some(0));
    let stderr = text(&confirm.stderr);
    let request = stderr
        .split("`guardsh approve ")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("a request id in: {stderr}"))
        .to_owned();
    // A guardsh inside the guarded tree the first one started: its decision is sent from
    // within the kernel boundary.
    let nested = run(&s, &format!("{GUARDSH} -c 'echo nested-line'"));
    assert_eq!(nested.status.code(), Some(0), "{}", text(&nested.stderr));
    assert_eq!(text(&nested.stdout), "nested-line\n");

    let local = s.audit();
    assert_eq!(local.len(), 5, "{local:#?}");
    let messages = syslog.messages(local.len());
    assert_eq!(messages.len(), local.len(), "{messages:#?}");
    let entries = received(&journal, local.len());
    assert_eq!(entries.len(), local.len(), "{entries:#?}");
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .expect("hostname")
        .trim()
        .to_owned();

    for record in &local {
        let command = record["command"].as_str().expect("command");
        let str_of = |k: &str| record[k].as_str().unwrap_or_default().to_owned();
        let joined = |k: &str, sep: &str| {
            record[k]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(sep)
                })
                .unwrap_or_default()
        };
        let m = messages
            .iter()
            .find(|m| m.param("command") == Some(command))
            .unwrap_or_else(|| panic!("no syslog message for {command:?}: {messages:#?}"));
        let decision = str_of("decision");
        let outcome = str_of("outcome");
        let severity = match (outcome.as_str(), decision.as_str()) {
            ("refused", _) => 4,
            (_, "allow") => 6,
            _ => 5,
        };
        assert_eq!(m.pri, FACILITY.1 * 8 + severity, "{m:?}");
        assert_eq!(m.app_name, "guardsh-test");
        assert_eq!(m.hostname, hostname);
        assert!(m.procid.parse::<u32>().is_ok(), "{m:?}");
        assert_eq!(m.msgid, decision);
        assert!(
            m.timestamp.starts_with(&str_of("time")[..19]),
            "{} vs {}",
            m.timestamp,
            str_of("time")
        );
        assert!(
            m.msg.contains(&decision) && m.msg.contains(&outcome),
            "{m:?}"
        );
        let rules = joined("rules", ",");
        for (name, want) in [
            ("decision", decision.as_str()),
            ("outcome", outcome.as_str()),
            ("mode", "shell"),
            ("agent", "claude-code"),
            ("rules", rules.as_str()),
            ("cwd_sha256", sha256(&str_of("cwd")).as_str()),
        ] {
            let got = m.param(name).unwrap_or_default();
            assert_eq!(got, want, "{name} of {command:?}: {m:?}");
        }
        let j = entries
            .iter()
            .find(|e| get(e, "GUARDSH_COMMAND") == Some(command))
            .unwrap_or_else(|| panic!("no journal entry for {command:?}: {entries:#?}"));
        assert_eq!(get(j, "GUARDSH_DECISION"), Some(decision.as_str()));
        assert_eq!(get(j, "GUARDSH_OUTCOME"), Some(outcome.as_str()));
        assert_eq!(get(j, "GUARDSH_AGENT"), Some("claude-code"));
        assert_eq!(get(j, "GUARDSH_RULES").unwrap_or_default(), rules);
        assert_eq!(get(j, "GUARDSH_TIME"), Some(str_of("time").as_str()));
        assert_eq!(get(j, "PRIORITY"), Some(severity.to_string().as_str()));
        assert_eq!(get(j, "SYSLOG_IDENTIFIER"), Some("guardsh"));
        assert_eq!(get(j, "GUARDSH_REQUEST"), record["request"].as_str());
    }

    let by_command = |c: &str| {
        messages
            .iter()
            .find(|m| m.param("command") == Some(c))
            .unwrap_or_else(|| panic!("{c}"))
    };
    // What the receiver read back is exactly the line, with `"`, `\` and `]` in it.
    assert_eq!(
        by_command(r#"echo 'allowed "quoted" \ ] line'"#).param("decision"),
        Some("allow")
    );
    let deny = by_command("rm -rf /");
    assert_eq!(deny.param("decision"), Some("deny"));
    assert!(
        !deny.param("rules").unwrap_or_default().is_empty(),
        "{deny:?}"
    );
    let clean = by_command("git clean -fdx");
    assert_eq!(clean.param("decision"), Some("confirm"));
    assert_eq!(clean.param("rules"), Some("git.clean.force"));
    assert_eq!(clean.param("request"), Some(request.as_str()));
    assert_eq!(by_command("echo nested-line").param("outcome"), Some("ran"));
}

#[test]
fn a_missing_socket_costs_one_warning_and_never_the_decision() {
    let s = Scratch::new("syslog-missing");
    write_config(
        &s,
        &format!(
            "audit:\n  syslog: {{socket: {}}}\n  journal: {{socket: {}}}\n",
            s.dir.join("nobody.sock").display(),
            s.dir.join("nojournal.sock").display()
        ),
    );
    let ok = run(&s, "echo still-runs");
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert_eq!(text(&ok.stdout), "still-runs\n");
    let stderr = text(&ok.stderr);
    assert_eq!(
        stderr
            .matches("guardsh: cannot send the decision to syslog")
            .count(),
        1,
        "{stderr}"
    );
    assert_eq!(
        stderr
            .matches("guardsh: cannot send the decision to journal")
            .count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("the decision stands"), "{stderr}");
    let refused = run(&s, "rm -rf /");
    let plain = Scratch::new("syslog-plain");
    let baseline = run(&plain, "rm -rf /");
    assert_eq!(refused.status.code(), baseline.status.code());
    assert_ne!(refused.status.code(), Some(0));
    assert_eq!(s.audit().len(), 2, "the local log has both");
}

#[test]
fn a_project_file_cannot_choose_where_decisions_go() {
    let s = Scratch::new("syslog-project");
    let sock_path = s.dir.join("repo.sock");
    let sock = UnixDatagram::bind(&sock_path).expect("bind");
    std::fs::write(
        s.dir.join("home/.guardsh.yaml"),
        format!("audit:\n  syslog: {{socket: {}}}\n", sock_path.display()),
    )
    .expect("write the project file");
    let out = run(&s, "echo from-a-repo");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("`audit` ignored"),
        "{}",
        text(&out.stderr)
    );
    sock.set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    let mut buf = [0; 4096];
    assert!(sock.recv(&mut buf).is_err(), "nothing was sent");
}

#[test]
fn hook_decisions_name_the_hooks_agent() {
    let s = Scratch::new("syslog-hook");
    let journal_path = s.dir.join("journal.sock");
    let journal = UnixDatagram::bind(&journal_path).expect("bind the stand-in journal");
    write_config(
        &s,
        &format!(
            "audit:\n  journal: {{socket: {}}}\n",
            journal_path.display()
        ),
    );
    let repo = s.dir.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    let hook = |command: &str| {
        let payload = serde_json::json!({"session_id": "s", "cwd": repo, "permission_mode": "default",
            "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}});
        let mut child = s
            .cmd(GUARDSH, &path_dirs())
            .args(["hook", "claude-code"])
            // Another agent's marker: the hook's own name wins.
            .env("CODEX_SANDBOX", "seatbelt")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("guardsh hook runs");
        {
            use std::io::Write as _;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin
                .write_all(payload.to_string().as_bytes())
                .expect("payload");
        }
        child.wait_with_output().expect("guardsh hook ends")
    };
    let denied = hook("rm -rf /");
    assert!(
        text(&denied.stdout).contains("deny"),
        "{}",
        text(&denied.stdout)
    );
    let passed = hook("ls -la");
    assert_eq!(passed.status.code(), Some(0), "{}", text(&passed.stderr));

    let entries = received(&journal, 2);
    assert_eq!(entries.len(), 2, "{entries:#?}");
    for (e, command, decision, outcome) in [
        (&entries[0], "rm -rf /", "deny", "refused"),
        (&entries[1], "ls -la", "allow", "passed"),
    ] {
        assert_eq!(get(e, "GUARDSH_COMMAND"), Some(command), "{e:?}");
        assert_eq!(get(e, "GUARDSH_MODE"), Some("hook"));
        assert_eq!(get(e, "GUARDSH_AGENT"), Some("claude-code"));
        assert_eq!(get(e, "GUARDSH_DECISION"), Some(decision));
        assert_eq!(get(e, "GUARDSH_OUTCOME"), Some(outcome));
        assert_eq!(
            get(e, "GUARDSH_CWD_SHA256"),
            Some(sha256(&repo.display().to_string()).as_str()),
            "the agent's directory, not the hook's"
        );
    }
    let local = s.audit();
    assert_eq!(local.len(), 2, "{local:#?}");
    assert_eq!(local[0]["mode"], "hook");
    assert_eq!(local[0]["agent"], "claude-code");
    assert_eq!(local[1]["outcome"], "passed");
}
