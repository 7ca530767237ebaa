use super::*;
use crate::audit::Mode;

fn entry(command: &str, decision: &str, outcome: Outcome) -> Entry {
    Entry {
        time: "2026-12-07T16:00:00Z".to_owned(),
        cwd: "/home/dev/app".to_owned(),
        mode: Mode::Shell,
        command: command.to_owned(),
        decision: decision.to_owned(),
        rules: Vec::new(),
        outcome,
        environments: Vec::new(),
        inside_tree: false,
        backups: Vec::new(),
        no_backup: false,
        agent: None,
        request: None,
    }
}

fn syslog_sink(command: bool) -> SyslogSink {
    SyslogSink {
        socket: PathBuf::from(DEV_LOG),
        transport: Transport::Datagram,
        facility: Facility::Authpriv,
        app_name: "guardsh".to_owned(),
        command,
    }
}

fn cwd_hash() -> String {
    crate::trust::digest(b"/home/dev/app")
}

#[test]
fn syslog_messages_carry_the_decision_as_structured_data() {
    let mut refused = entry(
        r#"railway volume delete "db]" \x"#,
        "deny",
        Outcome::Refused,
    );
    refused.rules = vec![
        "railway.volume.delete".to_owned(),
        "unknown:eval".to_owned(),
    ];
    refused.environments = vec!["production (flag -e)".to_owned()];
    refused.agent = Some("claude-code".to_owned());
    let mut confirm = entry("git clean -fdx", "confirm", Outcome::Refused);
    confirm.request = Some("k3x9".to_owned());
    confirm.mode = Mode::Shim;
    let mut local = syslog_sink(true);
    local.facility = Facility::Local3;
    local.app_name = "agents".to_owned();
    let h = cwd_hash();
    for (e, sink, want) in [
        (
            entry("ls -la", "allow", Outcome::Ran),
            syslog_sink(true),
            // authpriv (10) × 8 + informational (6)
            format!(
                r#"<86>1 2026-12-07T16:00:00Z box guardsh 42 allow [guardsh@32473 decision="allow" outcome="ran" mode="shell" cwd_sha256="{h}" uid="1000" command="ls -la"] shell allow, ran: ls -la"#
            ),
        ),
        (
            refused.clone(),
            syslog_sink(true),
            // warning (4): a refusal
            format!(
                r#"<84>1 2026-12-07T16:00:00Z box guardsh 42 deny [guardsh@32473 decision="deny" outcome="refused" mode="shell" rules="railway.volume.delete,unknown:eval" environments="production (flag -e)" agent="claude-code" cwd_sha256="{h}" uid="1000" command="railway volume delete \"db\]\" \\x"] shell deny, refused: railway volume delete "db]" \x"#
            ),
        ),
        (
            refused,
            syslog_sink(false),
            format!(
                r#"<84>1 2026-12-07T16:00:00Z box guardsh 42 deny [guardsh@32473 decision="deny" outcome="refused" mode="shell" rules="railway.volume.delete,unknown:eval" environments="production (flag -e)" agent="claude-code" cwd_sha256="{h}" uid="1000"] shell deny, refused (railway.volume.delete, unknown:eval)"#
            ),
        ),
        (
            confirm,
            local,
            // local3 (19) × 8 + warning (4)
            format!(
                r#"<156>1 2026-12-07T16:00:00Z box agents 42 confirm [guardsh@32473 decision="confirm" outcome="refused" mode="shim" request="k3x9" cwd_sha256="{h}" uid="1000" command="git clean -fdx"] shim confirm, refused: git clean -fdx"#
            ),
        ),
        (
            entry("rm -rf build", "warn", Outcome::Ran),
            syslog_sink(true),
            // notice (5): it ran despite a finding
            format!(
                r#"<85>1 2026-12-07T16:00:00Z box guardsh 42 warn [guardsh@32473 decision="warn" outcome="ran" mode="shell" cwd_sha256="{h}" uid="1000" command="rm -rf build"] shell warn, ran: rm -rf build"#
            ),
        ),
    ] {
        let facts = Facts::with(&e, "box".to_owned(), 42, 1000);
        assert_eq!(syslog_message(&sink, &facts), want);
    }
}

#[test]
fn control_characters_in_a_command_are_escaped_and_long_ones_cut() {
    let e = entry("echo a\necho \u{202e}b", "allow", Outcome::Ran);
    let facts = Facts::with(&e, "box".to_owned(), 1, 0);
    let msg = syslog_message(&syslog_sink(true), &facts);
    assert!(!msg.contains('\n') && !msg.contains('\u{202e}'), "{msg}");
    // term::escape's `\n` has its backslash escaped again inside the SD-PARAM.
    assert!(
        msg.contains(r#"command="echo a\\necho \\u{202e}b""#),
        "{msg}"
    );
    assert!(msg.ends_with(r"ran: echo a\necho \u{202e}b"), "{msg}");

    // 2-byte characters across the cap: cut on a character boundary, and said so.
    let long = "é".repeat(MAX_COMMAND_BYTES);
    let e = entry(&long, "allow", Outcome::Ran);
    let facts = Facts::with(&e, "box".to_owned(), 1, 0);
    let (cut, truncated) = facts.command();
    assert!(truncated);
    assert_eq!(cut.len(), MAX_COMMAND_BYTES);
    let msg = syslog_message(&syslog_sink(true), &facts);
    assert!(msg.contains(r#" truncated="true"]"#), "{}", &msg[..200]);
    assert!(msg.ends_with("é…"));
    assert!(msg.len() < 2 * MAX_COMMAND_BYTES + 512, "{}", msg.len());
    let e = entry(&"é".repeat(MAX_COMMAND_BYTES / 2), "allow", Outcome::Ran);
    let facts = Facts::with(&e, "box".to_owned(), 1, 0);
    assert!(!facts.command().1, "exactly at the cap is whole");
}

/// The fields of a native-protocol datagram, decoded as journald does.
fn decode_journal(mut bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let line_end = bytes
            .iter()
            .position(|&b| b == b'\n')
            .expect("a field ends");
        let line = &bytes[..line_end];
        if let Some(eq) = line.iter().position(|&b| b == b'=') {
            out.push((
                String::from_utf8(line[..eq].to_vec()).expect("name"),
                line[eq + 1..].to_vec(),
            ));
            bytes = &bytes[line_end + 1..];
        } else {
            let name = String::from_utf8(line.to_vec()).expect("name");
            let rest = &bytes[line_end + 1..];
            let len = u64::from_le_bytes(rest[..8].try_into().expect("8 bytes")) as usize;
            out.push((name, rest[8..8 + len].to_vec()));
            assert_eq!(rest[8 + len], b'\n', "a binary field ends with a newline");
            bytes = &rest[8 + len + 1..];
        }
    }
    out
}

fn journal_sink(command: bool) -> JournalSink {
    JournalSink {
        socket: PathBuf::from(JOURNAL_SOCKET),
        facility: Facility::Authpriv,
        command,
    }
}

#[test]
fn journal_entries_carry_the_fields_and_keep_the_command_whole() {
    let mut e = entry(
        "psql -c 'DROP TABLE t'\n-- two lines",
        "deny",
        Outcome::Refused,
    );
    e.rules = vec!["sql.drop.table".to_owned()];
    e.agent = Some("codex".to_owned());
    let facts = Facts::with(&e, "box".to_owned(), 7, 1000);
    let fields = decode_journal(&journal_entry(&journal_sink(true), &facts));
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    for (name, want) in [
        (
            "MESSAGE",
            Some(r"shell deny, refused: psql -c 'DROP TABLE t'\n-- two lines"),
        ),
        ("MESSAGE_ID", Some(journal::MESSAGE_ID)),
        ("PRIORITY", Some("4")),
        ("SYSLOG_FACILITY", Some("10")),
        ("SYSLOG_IDENTIFIER", Some("guardsh")),
        ("GUARDSH_TIME", Some("2026-12-07T16:00:00Z")),
        ("GUARDSH_DECISION", Some("deny")),
        ("GUARDSH_OUTCOME", Some("refused")),
        ("GUARDSH_MODE", Some("shell")),
        ("GUARDSH_RULES", Some("sql.drop.table")),
        ("GUARDSH_AGENT", Some("codex")),
        ("GUARDSH_CWD_SHA256", Some(cwd_hash().as_str())),
        ("GUARDSH_UID", Some("1000")),
        // The journal keeps bytes: the newline stays, in the length-prefixed form.
        (
            "GUARDSH_COMMAND",
            Some("psql -c 'DROP TABLE t'\n-- two lines"),
        ),
        ("GUARDSH_REQUEST", None),
        ("GUARDSH_TRUNCATED", None),
    ] {
        assert_eq!(get(name).as_deref(), want, "{name}");
    }
    let without = decode_journal(&journal_entry(&journal_sink(false), &facts));
    assert!(without.iter().all(|(n, _)| n != "GUARDSH_COMMAND"));
    assert!(
        without
            .iter()
            .all(|(_, v)| !String::from_utf8_lossy(v).contains("DROP")),
        "no field carries the command"
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("guardsh-sink-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

#[test]
fn datagrams_and_streams_reach_a_listening_socket() {
    let dir = scratch("deliver");
    let e = entry("make test", "allow", Outcome::Ran);
    let facts = Facts::with(&e, "box".to_owned(), 7, 1000);

    let dgram_path = dir.join("dgram.sock");
    let receiver = UnixDatagram::bind(&dgram_path).expect("bind");
    let mut sink = syslog_sink(true);
    sink.socket = dgram_path.clone();
    send_syslog(&sink, &facts).expect("sent");
    let mut buf = vec![0; 65536];
    let n = receiver.recv(&mut buf).expect("received");
    assert_eq!(buf[..n], *syslog_message(&sink, &facts).as_bytes());

    let stream_path = dir.join("stream.sock");
    let listener = std::os::unix::net::UnixListener::bind(&stream_path).expect("bind");
    sink.socket = stream_path;
    sink.transport = Transport::Stream;
    send_syslog(&sink, &facts).expect("sent");
    let (mut conn, _) = listener.accept().expect("accept");
    let mut got = Vec::new();
    io::Read::read_to_end(&mut conn, &mut got).expect("read");
    let message = syslog_message(&sink, &facts);
    assert_eq!(got, format!("{} {message}", message.len()).into_bytes());

    // A listener that never accepts: once its backlog is full, the connect fails at once
    // rather than waiting for it.
    let stalled_path = dir.join("stalled.sock");
    let _stalled = std::os::unix::net::UnixListener::bind(&stalled_path).expect("bind");
    sink.socket = stalled_path;
    let started = std::time::Instant::now();
    let mut held = Vec::new();
    let err = loop {
        match connect_stream(&sink.socket) {
            Ok(s) => held.push(s),
            Err(e) => break e,
        }
        assert!(held.len() < 100_000, "the backlog never fills");
    };
    assert!(!held.is_empty(), "connections were queued first");
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock, "{err}");
    assert!(send_syslog(&sink, &facts).is_err());
    assert!(started.elapsed() < Duration::from_secs(10));
    drop(held);

    // Nobody listening: an error to report, quickly, not a wait or a panic.
    let started = std::time::Instant::now();
    sink.socket = dir.join("missing.sock");
    assert!(send_syslog(&sink, &facts).is_err());
    sink.transport = Transport::Datagram;
    assert!(send_syslog(&sink, &facts).is_err());
    assert!(started.elapsed() < Duration::from_secs(1));

    // A receiver that stops reading: the send gives up after the timeout.
    let full_path = dir.join("full.sock");
    let _full = UnixDatagram::bind(&full_path).expect("bind");
    sink.socket = full_path;
    let started = std::time::Instant::now();
    let mut failed = None;
    for i in 0..100_000 {
        if let Err(e) = send_syslog(&sink, &facts) {
            failed = Some((i, e));
            break;
        }
    }
    let (i, e) = failed.expect("a queue that is never read fills up");
    assert!(i > 0, "the first messages were queued");
    assert_eq!(e.kind(), io::ErrorKind::WouldBlock, "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn configured_sinks_get_every_recorded_decision() {
    // A list of its own, not the process's: other tests load policies, which configure it.
    let dir = scratch("configured");
    let path = dir.join("journal.sock");
    let receiver = UnixDatagram::bind(&path).expect("bind");
    receiver
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let journal = Sink::Journal(JournalSink {
        socket: path,
        facility: Facility::Auth,
        command: true,
    });
    // A second sink that fails does not stop the first.
    let broken = Sink::Syslog(SyslogSink {
        socket: dir.join("missing.sock"),
        ..syslog_sink(true)
    });
    let mut sinks = Vec::new();
    reconfigure(&mut sinks, vec![journal.clone(), broken.clone()]);
    let mut e = entry("git push --force", "confirm", Outcome::Approved);
    e.cwd = "/srv/repo".to_owned();
    let mut said = Vec::new();
    send_each(&mut sinks, &e, &mut |m| said.push(m.to_owned()));
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with("cannot send the decision to syslog at ")
            && said[0].ends_with("(the decision stands; the local audit log has it)"),
        "{said:?}"
    );
    send_each(&mut sinks, &e, &mut |m| said.push(m.to_owned()));
    assert_eq!(said.len(), 1, "said once: {said:?}");
    let mut buf = vec![0; 65536];
    receiver.recv(&mut buf).expect("the first of two");
    let n = receiver.recv(&mut buf).expect("received");
    let fields = decode_journal(&buf[..n]);
    let has = |name: &str, value: &str| {
        fields
            .iter()
            .any(|(n, v)| n == name && v == value.as_bytes())
    };
    assert!(has("GUARDSH_OUTCOME", "approved"), "{fields:?}");
    assert!(has("GUARDSH_COMMAND", "git push --force"), "{fields:?}");
    assert!(has(
        "GUARDSH_CWD_SHA256",
        &crate::trust::digest(b"/srv/repo")
    ));
    assert!(has("SYSLOG_FACILITY", "4"));
    // The failing sink is warned about once; loading the same policy again keeps that.
    assert!(!sinks[0].warned && sinks[1].warned);
    reconfigure(&mut sinks, vec![journal.clone(), broken]);
    assert!(sinks[1].warned);
    // Another policy starts afresh; none sends nothing.
    reconfigure(&mut sinks, vec![journal]);
    assert_eq!(sinks.len(), 1);
    reconfigure(&mut sinks, Vec::new());
    send_each(&mut sinks, &e, &mut |m| said.push(m.to_owned()));
    receiver
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    assert!(
        receiver.recv(&mut buf).is_err(),
        "nothing once unconfigured"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn settings_read_as_true_or_a_map_and_errors_are_located() {
    let parse = |text: &str| crate::config::parse(text, Path::new("c.yaml"));
    let sinks = |text: &str| parse(text).expect("parses").audit.sinks();
    assert_eq!(sinks("audit: {}\n"), Vec::new());
    assert_eq!(
        sinks("audit: {syslog: false, journal: false}\n"),
        Vec::new()
    );
    assert_eq!(
        sinks("audit:\n  syslog: true\n"),
        vec![Sink::Syslog(syslog_sink(true))]
    );
    assert_eq!(
        sinks("audit:\n  journal: true\n"),
        vec![Sink::Journal(journal_sink(true))]
    );
    assert_eq!(
        sinks(
            "audit:\n  syslog:\n    socket: /run/x.sock\n    transport: stream\n    facility: local0\n    app_name: fleet-guard\n    command: false\n  journal: {socket: /tmp/j.sock}\n"
        ),
        vec![
            Sink::Syslog(SyslogSink {
                socket: PathBuf::from("/run/x.sock"),
                transport: Transport::Stream,
                facility: Facility::Local0,
                app_name: "fleet-guard".to_owned(),
                command: false,
            }),
            Sink::Journal(JournalSink {
                socket: PathBuf::from("/tmp/j.sock"),
                ..journal_sink(true)
            }),
        ]
    );
    for (text, at, says) in [
        (
            "audit:\n  syslog:\n    sokcet: /dev/log\n",
            "c.yaml:3:",
            "sokcet",
        ),
        (
            "audit:\n  journal: maybe\n",
            "c.yaml:2:",
            "`true`, `false` or a map",
        ),
        (
            "audit:\n  syslog: {socket: dev/log}\n",
            "c.yaml:2:",
            "absolute",
        ),
        (
            "audit:\n  syslog:\n    app_name: my app\n",
            "c.yaml:3:",
            "printable",
        ),
        (
            "audit:\n  syslog:\n    facility: kern\n",
            "c.yaml:3:",
            "kern",
        ),
        ("audit:\n  sylog: true\n", "c.yaml:2:", "sylog"),
    ] {
        let err = parse(text).expect_err(text).to_string();
        assert!(err.starts_with(at), "{text:?}: {err}");
        assert!(err.contains(says), "{text:?}: {err}");
    }
}
