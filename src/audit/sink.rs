//! The system log as a second destination for decisions: syslog (RFC 5424 over a Unix
//! socket, `/dev/log` by default) and the systemd journal (its native protocol), when the
//! configuration's `audit:` key names them. This is how an organisation collects decisions
//! centrally with the log infrastructure it already runs (docs/system-log.md).
//!
//! The configuration names the sinks (config.rs merges the layers: any system or user file
//! may add one, none can remove or change another's, a project file may not add any); the
//! policy hands them here when it loads ([`configure`]), and audit.rs's `record` fans each
//! decision out to the local log and to them ([`send`]). With no sink configured nothing is
//! opened or computed.
//!
//! A sink never holds back or changes a decision: each send waits at most [`SEND_TIMEOUT`],
//! and a failure is said once per process on standard error (the local audit log still has
//! the record).

use std::borrow::Cow;
use std::io::{self, Write as _};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Entry, Outcome, journal, syslog};

/// The longest a send may wait on a receiver that is not reading (a full queue, a stalled
/// stream): the decision waits for nothing longer.
pub const SEND_TIMEOUT: Duration = Duration::from_millis(100);

/// The most of a command line a message carries; the rest is cut (and `truncated` is
/// set). The local audit log keeps the whole line. 2 KiB keeps an RFC 5424 message well
/// inside the 8 KiB that rsyslog accepts by default and that RFC 5424 receivers should.
pub const MAX_COMMAND_BYTES: usize = 2048;

/// The default syslog socket.
pub const DEV_LOG: &str = "/dev/log";

/// journald's socket for the native protocol.
pub const JOURNAL_SOCKET: &str = "/run/systemd/journal/socket";

/// The `audit:` key of a config file.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// Send decisions to syslog: `true` for the defaults, or the settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syslog: Option<Toggle<SyslogSettings>>,
    /// Send decisions to the systemd journal: `true` for the defaults, or the settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<Toggle<JournalSettings>>,
}

impl AuditSettings {
    /// Does it name no sink?
    pub fn is_empty(&self) -> bool {
        *self == AuditSettings::default()
    }

    /// The sinks it turns on.
    pub fn sinks(&self) -> Vec<Sink> {
        let mut out = Vec::new();
        if let Some(s) = self.syslog.as_ref().and_then(Toggle::settings) {
            out.push(Sink::Syslog(SyslogSink {
                socket: s.socket.clone().unwrap_or_else(|| PathBuf::from(DEV_LOG)),
                transport: s.transport.unwrap_or_default(),
                facility: s.facility.unwrap_or_default(),
                app_name: s.app_name.clone().unwrap_or_else(|| "guardsh".to_owned()),
                command: s.command.unwrap_or(true),
            }));
        }
        if let Some(s) = self.journal.as_ref().and_then(Toggle::settings) {
            out.push(Sink::Journal(JournalSink {
                socket: s
                    .socket
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(JOURNAL_SOCKET)),
                facility: s.facility.unwrap_or_default(),
                command: s.command.unwrap_or(true),
            }));
        }
        out
    }
}

/// `true`/`false`, or a map of settings (which turns the sink on).
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Toggle<T> {
    /// On with the defaults, or (`false`) not added by this file; `false` cannot turn off
    /// what another file turned on.
    On(bool),
    /// On with these settings.
    With(T),
}

impl<T: Default> Toggle<T> {
    /// The settings, when on.
    fn settings(&self) -> Option<Cow<'_, T>>
    where
        T: Clone,
    {
        match self {
            Toggle::On(false) => None,
            Toggle::On(true) => Some(Cow::Owned(T::default())),
            Toggle::With(t) => Some(Cow::Borrowed(t)),
        }
    }
}

// By hand rather than `#[serde(untagged)]`, whose one error for everything ("did not match
// any variant") would hide which setting is wrong; this way a typo in the map is reported
// as the unknown field it is, at its line and column.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Toggle<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = Toggle<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("`true`, `false` or a map of settings")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Toggle::On(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Toggle::With)
            }
        }
        d.deserialize_any(Visit(std::marker::PhantomData))
    }
}

/// `audit.syslog`.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SyslogSettings {
    /// The Unix socket syslog listens on (absolute; default `/dev/log`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "absolute_path"
    )]
    pub socket: Option<PathBuf>,
    /// `datagram` (the default, what `/dev/log` is) or `stream` (RFC 6587 octet counting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    /// The syslog facility (default `authpriv`, which Debian's rsyslog writes to the
    /// root-only `/var/log/auth.log`: command lines can hold secrets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<Facility>,
    /// The APP-NAME field (default `guardsh`): 1 to 48 printable ASCII characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "app_name"
    )]
    pub app_name: Option<String>,
    /// Include the command line (cut at 2 KiB; default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<bool>,
}

/// `audit.journal`.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JournalSettings {
    /// journald's native socket (absolute; default `/run/systemd/journal/socket`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "absolute_path"
    )]
    pub socket: Option<PathBuf>,
    /// `SYSLOG_FACILITY` of the entries (default `authpriv`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<Facility>,
    /// Include the command line (cut at 2 KiB; default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<bool>,
}

fn absolute_path<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
    let path = PathBuf::deserialize(d)?;
    if !path.is_absolute() {
        return Err(serde::de::Error::custom(format!(
            "socket {} is not an absolute path",
            path.display()
        )));
    }
    Ok(Some(path))
}

fn app_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let name = String::deserialize(d)?;
    if name.is_empty() || name.len() > 48 || !name.chars().all(|c| c.is_ascii_graphic()) {
        return Err(serde::de::Error::custom(format!(
            "app_name {name:?} must be 1 to 48 printable ASCII characters without spaces (RFC 5424)"
        )));
    }
    Ok(Some(name))
}

/// How a syslog socket takes messages.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// One message per datagram (`/dev/log`, rsyslog's imuxsock, syslog-ng's `unix-dgram`).
    #[default]
    Datagram,
    /// A byte stream, messages framed by their length (syslog-ng's `unix-stream`).
    Stream,
}

/// The syslog facilities a program like guardsh may use.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Facility {
    User,
    Daemon,
    Auth,
    #[default]
    Authpriv,
    Local0,
    Local1,
    Local2,
    Local3,
    Local4,
    Local5,
    Local6,
    Local7,
}

impl Facility {
    /// The facility's number (RFC 5424 table 1).
    pub fn code(self) -> u8 {
        match self {
            Facility::User => 1,
            Facility::Daemon => 3,
            Facility::Auth => 4,
            Facility::Authpriv => 10,
            Facility::Local0 => 16,
            Facility::Local1 => 17,
            Facility::Local2 => 18,
            Facility::Local3 => 19,
            Facility::Local4 => 20,
            Facility::Local5 => 21,
            Facility::Local6 => 22,
            Facility::Local7 => 23,
        }
    }
}

/// One place decisions go besides the local log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    /// Syslog.
    Syslog(SyslogSink),
    /// The systemd journal.
    Journal(JournalSink),
}

impl Sink {
    /// The socket it sends to.
    pub fn socket(&self) -> &Path {
        match self {
            Sink::Syslog(s) => &s.socket,
            Sink::Journal(j) => &j.socket,
        }
    }

    /// `syslog` or `journal`.
    pub fn kind(&self) -> &'static str {
        match self {
            Sink::Syslog(_) => "syslog",
            Sink::Journal(_) => "journal",
        }
    }
}

/// A syslog sink, its defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyslogSink {
    /// Where.
    pub socket: PathBuf,
    /// Datagram or stream.
    pub transport: Transport,
    /// The facility.
    pub facility: Facility,
    /// The APP-NAME.
    pub app_name: String,
    /// Include the command line.
    pub command: bool,
}

/// A journal sink, its defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalSink {
    /// Where.
    pub socket: PathBuf,
    /// The facility.
    pub facility: Facility,
    /// Include the command line.
    pub command: bool,
}

struct Configured {
    sink: Sink,
    warned: bool,
}

/// The sinks of the configuration in effect: one process decides under one policy, and
/// record() has no other way to learn them without every caller of the gate carrying them.
static SINKS: Mutex<Vec<Configured>> = Mutex::new(Vec::new());

/// Send the decisions recorded from now on to `sinks` (the policy's, see policy.rs).
pub fn configure(sinks: Vec<Sink>) {
    reconfigure(
        &mut SINKS.lock().unwrap_or_else(PoisonError::into_inner),
        sinks,
    );
}

fn reconfigure(current: &mut Vec<Configured>, sinks: Vec<Sink>) {
    if current.len() == sinks.len() && current.iter().zip(&sinks).all(|(c, s)| c.sink == *s) {
        // Loaded again (a hook, the MCP server): keep what was already said.
        return;
    }
    *current = sinks
        .into_iter()
        .map(|sink| Configured {
            sink,
            warned: false,
        })
        .collect();
}

/// Send `entry` to every configured sink. A failure is reported once per sink and process
/// on standard error; nothing else changes.
pub fn send(entry: &Entry) {
    send_each(
        &mut SINKS.lock().unwrap_or_else(PoisonError::into_inner),
        entry,
        &mut |m| super::warn(m),
    );
}

fn send_each(sinks: &mut [Configured], entry: &Entry, warn: &mut dyn FnMut(&str)) {
    if sinks.is_empty() {
        return;
    }
    let facts = Facts::now(entry);
    for c in sinks.iter_mut() {
        let result = match &c.sink {
            Sink::Syslog(s) => send_syslog(s, &facts),
            Sink::Journal(j) => send_datagram(&j.socket, &journal_entry(j, &facts)),
        };
        if let Err(e) = result
            && !c.warned
        {
            c.warned = true;
            warn(&format!(
                "cannot send the decision to {} at {}: {e} (the decision stands; the local \
                 audit log has it)",
                c.sink.kind(),
                c.sink.socket().display()
            ));
        }
    }
}

/// What every sink says about one decision, computed once.
pub(crate) struct Facts<'a> {
    entry: &'a Entry,
    /// Named fields, in a fixed order; both encoders use these names.
    fields: Vec<(&'static str, Cow<'a, str>)>,
    hostname: String,
    pid: u32,
}

impl<'a> Facts<'a> {
    fn now(entry: &'a Entry) -> Self {
        let host = rustix::system::uname();
        let hostname = host.nodename().to_string_lossy().into_owned();
        Facts::with(
            entry,
            hostname,
            std::process::id(),
            rustix::process::getuid().as_raw(),
        )
    }

    fn with(entry: &'a Entry, hostname: String, pid: u32, uid: u32) -> Self {
        let fields = vec![
            ("decision", Cow::Borrowed(entry.decision.as_str())),
            ("outcome", Cow::Borrowed(outcome_name(entry.outcome))),
            ("mode", Cow::Borrowed(mode_name(entry.mode))),
            ("rules", Cow::Owned(entry.rules.join(","))),
            ("environments", Cow::Owned(entry.environments.join(", "))),
            (
                "agent",
                Cow::Borrowed(entry.agent.as_deref().unwrap_or_default()),
            ),
            (
                "request",
                Cow::Borrowed(entry.request.as_deref().unwrap_or_default()),
            ),
            ("backups", Cow::Owned(entry.backups.join(","))),
            (
                "no_backup",
                Cow::Borrowed(if entry.no_backup { "true" } else { "" }),
            ),
            (
                "cwd_sha256",
                Cow::Owned(crate::trust::digest(entry.cwd.as_bytes())),
            ),
            ("uid", Cow::Owned(uid.to_string())),
        ];
        Facts {
            entry,
            fields,
            hostname,
            pid,
        }
    }

    /// The command line, cut at [`MAX_COMMAND_BYTES`] on a character boundary, and
    /// whether it was cut.
    fn command(&self) -> (&'a str, bool) {
        let c = self.entry.command.as_str();
        if c.len() <= MAX_COMMAND_BYTES {
            return (c, false);
        }
        let mut end = MAX_COMMAND_BYTES;
        while !c.is_char_boundary(end) {
            end -= 1;
        }
        (&c[..end], true)
    }

    /// Syslog severity: a refusal is a warning, a line that ran despite a finding a notice,
    /// anything else information.
    fn severity(&self) -> u8 {
        match (self.entry.outcome, self.entry.decision.as_str()) {
            (Outcome::Refused, _) => 4,
            (_, "allow") => 6,
            _ => 5,
        }
    }

    /// One line for people reading the log: how, what was decided and happened, and the
    /// command (escaped, as for a terminal) or, without it, the rules.
    fn summary(&self, with_command: bool) -> String {
        let e = self.entry;
        let head = format!(
            "{} {}, {}",
            mode_name(e.mode),
            e.decision,
            outcome_name(e.outcome)
        );
        if with_command {
            let (command, cut) = self.command();
            let ellipsis = if cut { "…" } else { "" };
            format!("{head}: {}{ellipsis}", crate::term::escape(command))
        } else if e.rules.is_empty() {
            head
        } else {
            format!("{head} ({})", e.rules.join(", "))
        }
    }
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Ran => "ran",
        Outcome::Refused => "refused",
        Outcome::Confirmed => "confirmed",
        Outcome::Approved => "approved",
        Outcome::Previewed => "previewed",
        Outcome::Passed => "passed",
        Outcome::Asked => "asked",
    }
}

fn mode_name(m: super::Mode) -> &'static str {
    match m {
        super::Mode::Shell => "shell",
        super::Mode::DryRun => "dry_run",
        super::Mode::Hook => "hook",
        super::Mode::Shim => "shim",
        super::Mode::Interactive => "interactive",
        super::Mode::Mcp => "mcp",
    }
}

/// The RFC 5424 message for `sink`.
pub(crate) fn syslog_message(sink: &SyslogSink, facts: &Facts<'_>) -> String {
    let mut params = facts.fields.clone();
    if sink.command {
        let (command, cut) = facts.command();
        // Escaped as for a terminal: control characters and bidi overrides in an agent's
        // line must not reach a person reading the log as they are.
        params.push(("command", crate::term::escape(command)));
        params.push(("truncated", Cow::Borrowed(if cut { "true" } else { "" })));
    }
    let header = syslog::Header {
        pri: sink.facility.code() * 8 + facts.severity(),
        timestamp: &facts.entry.time,
        hostname: &facts.hostname,
        app_name: &sink.app_name,
        procid: facts.pid,
        msgid: &facts.entry.decision,
    };
    syslog::format(&header, &params, &facts.summary(sink.command))
}

/// The native-protocol datagram for `sink`.
pub(crate) fn journal_entry(sink: &JournalSink, facts: &Facts<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    journal::push_field(&mut out, "MESSAGE", facts.summary(sink.command).as_bytes());
    journal::push_field(&mut out, "MESSAGE_ID", journal::MESSAGE_ID.as_bytes());
    journal::push_field(
        &mut out,
        "PRIORITY",
        facts.severity().to_string().as_bytes(),
    );
    journal::push_field(
        &mut out,
        "SYSLOG_FACILITY",
        sink.facility.code().to_string().as_bytes(),
    );
    journal::push_field(&mut out, "SYSLOG_IDENTIFIER", b"guardsh");
    journal::push_field(&mut out, "GUARDSH_TIME", facts.entry.time.as_bytes());
    for (name, value) in &facts.fields {
        journal::push_field(&mut out, &format!("GUARDSH_{name}"), value.as_bytes());
    }
    if sink.command {
        // Raw: the journal keeps bytes, and a reader escapes them for display itself.
        let (command, cut) = facts.command();
        journal::push_field(&mut out, "GUARDSH_COMMAND", command.as_bytes());
        if cut {
            journal::push_field(&mut out, "GUARDSH_TRUNCATED", b"true");
        }
    }
    out
}

fn send_syslog(sink: &SyslogSink, facts: &Facts<'_>) -> io::Result<()> {
    let message = syslog_message(sink, facts);
    match sink.transport {
        Transport::Datagram => send_datagram(&sink.socket, message.as_bytes()),
        Transport::Stream => {
            let mut stream = connect_stream(&sink.socket)?;
            stream.set_write_timeout(Some(SEND_TIMEOUT))?;
            stream.write_all(&syslog::octet_counted(&message))
        }
    }
}

/// A stream connection to `path`, or an error at once. The connect is non-blocking: a
/// receiver whose backlog is full would hold a blocking one for as long as it does not
/// accept, and std has no connect timeout for Unix sockets. Once connected, the stream blocks
/// again, and the caller's write timeout bounds it.
fn connect_stream(path: &Path) -> io::Result<UnixStream> {
    use rustix::net::{AddressFamily, SocketAddrUnix, SocketFlags, SocketType};
    let fd = rustix::net::socket_with(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
        None,
    )?;
    rustix::net::connect(&fd, &SocketAddrUnix::new(path)?)?;
    let stream = UnixStream::from(fd);
    stream.set_nonblocking(false)?;
    Ok(stream)
}

fn send_datagram(socket: &Path, bytes: &[u8]) -> io::Result<()> {
    let sock = UnixDatagram::unbound()?;
    sock.set_write_timeout(Some(SEND_TIMEOUT))?;
    let sent = sock.send_to(bytes, socket)?;
    if sent != bytes.len() {
        return Err(io::Error::other("the message was sent in part"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
