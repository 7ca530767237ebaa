//! The systemd journal's native protocol (systemd's "Native Journal Protocol" document):
//! one datagram per entry, each field `NAME=value\n`, or, for a value that holds a newline,
//! `NAME\n`, its length as a little-endian 64-bit number, the bytes and `\n`. Pure encoding;
//! sending is sink.rs's.
//!
//! Large entries may also go through a sealed memfd passed over the socket; guardsh does not
//! do that: sink.rs caps the command line, which is the only field that can grow, so an
//! entry stays far below the datagram size the socket takes.

/// Identifies guardsh's decision entries across machines and releases (`journalctl
/// MESSAGE_ID=…`), as the journal's catalogue expects of a kind of message; generated once,
/// never to change.
pub const MESSAGE_ID: &str = "19c8d9b4b16783762a3c6b99e96e5918";

/// Append one field to `out`. The name is made valid for the journal (upper-case letters,
/// digits and `_`; not starting with `_`, which marks the fields only journald may set, or a
/// digit; at most 64 characters), so no configured or computed name can be dropped or
/// misread; an empty value is left out.
pub fn push_field(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    if value.is_empty() {
        return;
    }
    let mut valid: String = name
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            c @ ('A'..='Z' | '0'..='9' | '_') => c,
            _ => '_',
        })
        .collect();
    if valid.starts_with(|c: char| c == '_' || c.is_ascii_digit()) || valid.is_empty() {
        valid.insert(0, 'X');
    }
    valid.truncate(64);
    out.extend_from_slice(valid.as_bytes());
    if value.contains(&b'\n') {
        out.push(b'\n');
        out.extend_from_slice(&(value.len() as u64).to_le_bytes());
        out.extend_from_slice(value);
    } else {
        out.push(b'=');
        out.extend_from_slice(value);
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_encode_as_the_native_protocol_says() {
        for (name, value, encoded) in [
            ("MESSAGE", &b"hello"[..], &b"MESSAGE=hello\n"[..]),
            ("PRIORITY", b"4", b"PRIORITY=4\n"),
            // `=` inside a value needs nothing: only the first one separates.
            ("GUARDSH_COMMAND", b"a=b", b"GUARDSH_COMMAND=a=b\n"),
            (
                "GUARDSH_COMMAND",
                b"rm -rf /\necho",
                b"GUARDSH_COMMAND\n\x0d\0\0\0\0\0\0\0rm -rf /\necho\n",
            ),
            ("GUARDSH_X", b"\n", b"GUARDSH_X\n\x01\0\0\0\0\0\0\0\n\n"),
            ("guardsh_rules", b"r", b"GUARDSH_RULES=r\n"),
            ("_PID", b"1", b"X_PID=1\n"),
            ("1ST", b"1", b"X1ST=1\n"),
            ("A-B", b"1", b"A_B=1\n"),
            ("EMPTY", b"", b""),
        ] {
            let mut out = Vec::new();
            push_field(&mut out, name, value);
            assert_eq!(out, encoded, "{name}: {:?}", String::from_utf8_lossy(&out));
        }
    }

    #[test]
    fn long_names_are_cut_to_64() {
        let mut out = Vec::new();
        push_field(&mut out, &"N".repeat(80), b"v");
        assert_eq!(out, format!("{}=v\n", "N".repeat(64)).into_bytes());
    }
}
