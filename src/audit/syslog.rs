//! RFC 5424 syslog messages: the header, the structured data and the framing for a stream
//! socket (RFC 6587 octet counting). Pure formatting; sending is sink.rs's.

use std::borrow::Cow;

/// The SD-ID of guardsh's structured data element.
///
/// RFC 5424 (section 7.2.2) lets a custom SD-ID only take the form `name@<private enterprise
/// number>`, so that two vendors' ids never collide. guardsh has no IANA enterprise number of
/// its own; 32473 is the one IANA reserves for documentation and examples (RFC 5612), which no
/// organisation can own, so it cannot be mistaken for another vendor's element.
pub const SD_ID: &str = "guardsh@32473";

/// The header fields of one message that are not fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    /// Facility × 8 + severity.
    pub pri: u8,
    /// RFC 3339 time (the audit record's).
    pub timestamp: &'a str,
    /// This machine's name.
    pub hostname: &'a str,
    /// Who sends (`guardsh`, or the configured APP-NAME).
    pub app_name: &'a str,
    /// The sending process.
    pub procid: u32,
    /// What kind of message: the decision.
    pub msgid: &'a str,
}

/// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID name="value" …] MSG`.
///
/// Header fields are reduced to what the grammar allows (printable US-ASCII, each with its
/// length cap; `-` when nothing is left), so no value an agent chose can break the frame.
/// Parameters with an empty value are left out. MSG is sent without the UTF-8 BOM: the
/// grammar allows that (MSG-ANY), and receivers that do not strip the BOM would show it.
pub fn format(header: &Header<'_>, params: &[(&str, Cow<'_, str>)], msg: &str) -> String {
    let mut out = String::with_capacity(256 + msg.len());
    out.push('<');
    out.push_str(&header.pri.to_string());
    out.push_str(">1 ");
    out.push_str(&header_field(header.timestamp, 32));
    out.push(' ');
    out.push_str(&header_field(header.hostname, 255));
    out.push(' ');
    out.push_str(&header_field(header.app_name, 48));
    out.push(' ');
    out.push_str(&header.procid.to_string());
    out.push(' ');
    out.push_str(&header_field(header.msgid, 32));
    out.push_str(" [");
    out.push_str(SD_ID);
    for (name, value) in params.iter().filter(|(_, v)| !v.is_empty()) {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        out.push_str(&sd_escape(value));
        out.push('"');
    }
    out.push(']');
    if !msg.is_empty() {
        out.push(' ');
        out.push_str(msg);
    }
    out
}

/// A PARAM-VALUE with `"`, `\` and `]` escaped by a backslash (RFC 5424 section 6.3.3): the
/// three characters that would otherwise end the value or the element.
pub fn sd_escape(value: &str) -> Cow<'_, str> {
    if !value.contains(['"', '\\', ']']) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// A header field: printable US-ASCII only (others become `_`), at most `cap` characters,
/// `-` (the NILVALUE) when empty.
fn header_field(value: &str, cap: usize) -> Cow<'_, str> {
    if value.is_empty() {
        return Cow::Borrowed("-");
    }
    let printable = |c: char| c.is_ascii_graphic();
    if value.len() <= cap && value.chars().all(printable) {
        return Cow::Borrowed(value);
    }
    Cow::Owned(
        value
            .chars()
            .take(cap)
            .map(|c| if printable(c) { c } else { '_' })
            .collect(),
    )
}

/// The message framed for a stream socket: `LEN SP MSG` (RFC 6587 octet counting), which,
/// unlike a trailing newline, survives a newline inside the message.
pub fn octet_counted(message: &str) -> Vec<u8> {
    let mut out = format!("{} ", message.len()).into_bytes();
    out.extend_from_slice(message.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(app_name: &'a str, hostname: &'a str) -> Header<'a> {
        Header {
            pri: 84,
            timestamp: "2026-12-07T16:00:00Z",
            hostname,
            app_name,
            procid: 4242,
            msgid: "deny",
        }
    }

    #[test]
    fn sd_param_values_escape_quote_backslash_and_bracket() {
        for (value, escaped) in [
            ("plain", "plain"),
            ("", ""),
            (r#"say "hi""#, r#"say \"hi\""#),
            (r"C:\dir", r"C:\\dir"),
            ("a]b", r"a\]b"),
            (r#"\"]"#, r#"\\\"\]"#),
            // `[` and `=` need no escape inside a value.
            ("[x=y]", r"[x=y\]"),
            ("héllo ✓", "héllo ✓"),
        ] {
            assert_eq!(sd_escape(value), escaped, "{value:?}");
        }
    }

    #[test]
    fn messages_follow_the_rfc_5424_grammar() {
        let params = [
            ("decision", Cow::Borrowed("deny")),
            ("rules", Cow::Borrowed("fs.rm.root")),
            ("agent", Cow::Borrowed("")),
            ("command", Cow::Borrowed(r#"echo "]" \ x"#)),
        ];
        let got = format(&header("guardsh", "box"), &params, "shell deny, refused");
        assert_eq!(
            got,
            r#"<84>1 2026-12-07T16:00:00Z box guardsh 4242 deny [guardsh@32473 decision="deny" rules="fs.rm.root" command="echo \"\]\" \\ x"] shell deny, refused"#
        );
    }

    #[test]
    fn header_fields_cannot_break_the_frame() {
        for (app, host, want_app, want_host) in [
            ("", "", "-", "-"),
            ("my app", "h\u{e9}st", "my_app", "h_st"),
            (&*"a".repeat(60), "box", &*"a".repeat(48), "box"),
        ] {
            let got = format(&header(app, host), &[], "");
            let fields: Vec<&str> = got.split(' ').collect();
            assert_eq!(fields[2], want_host, "{got}");
            assert_eq!(fields[3], want_app, "{got}");
            assert_eq!(fields.len(), 7, "no field adds a space: {got}");
            assert!(got.ends_with("[guardsh@32473]"), "{got}");
        }
    }

    #[test]
    fn stream_frames_count_octets_not_characters() {
        for (message, framed) in [
            ("abc", &b"3 abc"[..]),
            ("\u{e9}", "2 \u{e9}".as_bytes()),
            ("a\nb", b"3 a\nb"),
            ("", b"0 "),
        ] {
            assert_eq!(octet_counted(message), framed, "{message:?}");
        }
    }
}
