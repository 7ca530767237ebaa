//! Text on its way to a terminal: escaping untrusted text and deciding about colour.
//!
//! Command lines come from an agent, so any of their text may carry terminal escapes that
//! rewrite the screen, or bidi overrides and invisible characters that make `rm -rf /` read
//! as something else. Everything guardsh shows from a command line goes through [`escape`]
//! (free text) or [`quote_word`] (one argv word) first; only guardsh's own colours are sent
//! raw.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::IsTerminal;

use crate::cli::ColorChoice;

/// True for characters that must never reach a terminal as they are: control characters
/// (C0, DEL, C1, which include ESC and CSI), bidi controls, and invisible format characters
/// that can hide or reorder what a person reads.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'                     // soft hyphen (invisible)
            | '\u{061c}'                   // arabic letter mark (bidi)
            | '\u{180e}'                   // mongolian vowel separator (invisible)
            | '\u{200b}'..='\u{200f}'      // zero-width characters, LRM, RLM
            | '\u{2028}'..='\u{202e}'      // line/paragraph separators, bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}'      // word joiner and invisible operators
            | '\u{2066}'..='\u{206f}'      // bidi isolates and deprecated format characters
            | '\u{feff}'                   // zero-width no-break space / BOM
            | '\u{fff9}'..='\u{fffb}'      // interlinear annotations
            | '\u{e0000}'..='\u{e007f}' // tag characters (invisible "ASCII smuggling")
        )
}

/// Free text made safe for a terminal, on one line: `\n`, `\t`, `\r` as written in Rust,
/// other ASCII controls as `\x1b`, everything else flagged by [`needs_escape`] as `\u{202e}`.
/// Backslashes are left alone so shell source stays readable.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Like [`escape`] but keeps line breaks, for multi-line messages (clap's errors).
pub fn escape_lines(text: &str) -> String {
    text.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if !needs_escape(c) => out.push(c),
        c if c.is_ascii() => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// One argv word as a person should read it, quoted so it could be pasted back into bash:
/// `shell_words` quoting, or ANSI-C quoting (`$'…\x1b…'`) when the word holds a character
/// that must not reach the terminal.
pub fn quote_word(word: &str) -> Cow<'_, str> {
    if !word.chars().any(needs_escape) {
        return shell_words::quote(word);
    }
    let mut out = String::with_capacity(word.len() + 8);
    out.push_str("$'");
    for c in word.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if !needs_escape(c) => out.push(c),
            // bash reads `\xHH` as a byte, so only ASCII goes that way; the rest by code point.
            c if c.is_ascii() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('\'');
    Cow::Owned(out)
}

/// Words joined for display, each through [`quote_word`] (`shell_words::join` when nothing
/// needs escaping).
pub fn join_words<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    words
        .into_iter()
        .map(quote_word)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether to colour standard output: `auto` colours a terminal unless `NO_COLOR` is set
/// (to anything but the empty string, as no-color.org says) or `TERM` is `dumb`.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            !no_color && !dumb && std::io::stdout().is_terminal()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_table() {
        let cases = [
            ("rm -rf /", "rm -rf /"),
            ("a\\nb", "a\\nb"),
            ("echo \x1b[31mred", "echo \\x1b[31mred"),
            ("two\nlines\ttab\r", "two\\nlines\\ttab\\r"),
            ("nul\0del\x7f", "nul\\x00del\\x7f"),
            ("csi\u{9b}2J", "csi\\u{9b}2J"),
            ("rm \u{202e}fdp.txt", "rm \\u{202e}fdp.txt"),
            ("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}"),
            ("r\u{200b}m", "r\\u{200b}m"),
            ("tag\u{e0041}", "tag\\u{e0041}"),
            ("café ✓ 日本", "café ✓ 日本"),
            ("\u{fffd}", "\u{fffd}"),
        ];
        for (input, want) in cases {
            assert_eq!(escape(input), want, "{input:?}");
        }
    }

    #[test]
    fn escape_lines_keeps_newlines() {
        assert_eq!(escape_lines("a\x1b\nb\u{202e}"), "a\\x1b\nb\\u{202e}");
    }

    #[test]
    fn quote_word_table() {
        let cases = [
            ("ls", "ls"),
            ("two words", "'two words'"),
            ("it's", "'it'\\''s'"),
            ("", "''"),
            ("\x1b[2J", "$'\\x1b[2J'"),
            ("a'b\\c\n", "$'a\\'b\\\\c\\n'"),
            ("\u{202e}gpj", "$'\\u202egpj'"),
            ("\u{9b}", "$'\\u009b'"),
            ("\u{e0041}", "$'\\U000e0041'"),
        ];
        for (input, want) in cases {
            assert_eq!(quote_word(input), want, "{input:?}");
        }
    }

    #[test]
    fn quoted_words_are_plain_ascii_safe() {
        let nasty = "\x1b]0;pwned\x07\u{202e}\u{2066}\u{85}";
        let shown = join_words([nasty, "rm", "-rf"]);
        assert!(!shown.chars().any(needs_escape), "{shown:?}");
    }

    #[test]
    fn explicit_color_choices() {
        assert!(use_color(ColorChoice::Always));
        assert!(!use_color(ColorChoice::Never));
    }
}
