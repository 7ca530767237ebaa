//! A small SQL tokenizer: enough to find statement boundaries and keywords while skipping
//! string literals, quoted identifiers and comments the way each server does, and to
//! recognise the client's own commands (psql `\i`, mysql `source`, sqlite `.read`, sqlcmd
//! `:r`) that never reach the server.
//!
//! It never fails: an unterminated string or comment runs to the end of the text, which is
//! what the server would refuse anyway.

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// A bare word (keyword or identifier), upper-cased.
    Word(String),
    /// A quoted identifier (`"x"`, `` `x` ``, `[x]`), as written inside the quotes.
    Ident(String),
    /// A string literal's content (also `$tag$…$tag$`).
    Str(String),
    /// A number, as written.
    Num(String),
    /// Punctuation or an operator: `(`, `)`, `,`, `.`, `=`, `<>`, `::`, `||` …
    Op(String),
    /// `;` or another statement terminator (psql `\g`, sqlcmd `GO`, a MySQL `DELIMITER`).
    End,
    /// A shell expansion left in a dynamic word (`$SQL`, `$(…)`, `` `…` ``).
    Expansion,
    /// A psql variable interpolation (`:name`, `:'name'`): text only psql knows.
    Var,
    /// A client command: its name (without the `\`, `.` or `:`) and the rest of its line.
    Meta {
        /// `i`, `gexec`, `read`, `source`, `r` …
        name: String,
        /// Everything after the name up to the end of the line.
        args: String,
    },
}

/// A token with where it stands.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    /// What it is.
    pub tok: Tok,
    /// Byte offset of its first byte in the text.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// How many parentheses enclose it (a `(` or `)` counts as outside its own pair).
    pub depth: u32,
}

impl Token {
    /// True when this is the bare word `w` (upper case).
    pub fn is(&self, w: &str) -> bool {
        matches!(&self.tok, Tok::Word(x) if x == w)
    }

    /// True when this is the operator or punctuation `op`.
    pub fn is_op(&self, op: &str) -> bool {
        matches!(&self.tok, Tok::Op(x) if x == op)
    }

    /// The upper-cased word, if this is a bare word.
    pub fn word(&self) -> Option<&str> {
        match &self.tok {
            Tok::Word(w) => Some(w),
            _ => None,
        }
    }
}

/// Which client commands the text may hold besides SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meta {
    /// Plain SQL.
    None,
    /// psql: `\cmd args` up to the end of the line.
    Psql,
    /// mysql / mariadb: `\g`, `\. file`, `source file`, `system cmd`, `delimiter x`.
    MySql,
    /// sqlite3 / duckdb: `.cmd args` at the start of a line.
    Dot,
    /// sqlcmd: `GO` alone on a line, `:r file`, `!!cmd`.
    SqlCmd,
}

/// How a server (and its client) reads text. Flags that a server setting can change
/// (backslash escapes) are flipped by the caller to look at both readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Lexing {
    /// Backslash escapes a quote inside a string (MySQL default; PostgreSQL `E'…'` always).
    pub backslash_escapes: bool,
    /// `/* /* */ */` nests (PostgreSQL, SQL Server).
    pub nested_comments: bool,
    /// `$tag$ … $tag$` strings (PostgreSQL, DuckDB).
    pub dollar_quotes: bool,
    /// `#` starts a comment (MySQL).
    pub hash_comments: bool,
    /// `` `x` `` is an identifier (MySQL, SQLite, ClickHouse).
    pub backticks: bool,
    /// `[x]` is an identifier (SQLite, SQL Server).
    pub brackets: bool,
    /// `"x"` is a string, not an identifier (MySQL without ANSI_QUOTES, CQL no).
    pub double_quote_strings: bool,
    /// `/*! … */` is code the server runs (MySQL, MariaDB `/*M! … */`).
    pub exec_comments: bool,
    /// `--` starts a comment only when followed by a space or control character (MySQL).
    pub dash_comment_needs_space: bool,
    /// The client's own commands.
    pub meta: Meta,
    /// The text came from a dynamic shell word: `$x`, `$(…)`, `` `…` `` are expansions.
    pub shell: bool,
}

/// The tokens of a text, and what the reading depended on.
#[derive(Debug, Default)]
pub(super) struct Lexed {
    /// The tokens, in order.
    pub tokens: Vec<Token>,
    /// A backslash stood inside a string literal: another escape setting reads it otherwise.
    pub backslash_in_string: bool,
    /// A `/*` stood inside a block comment: nesting changes where the comment ends.
    pub comment_in_comment: bool,
    /// `/*! … */` code was seen.
    pub exec_comment: bool,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c')
}

/// Tokenize `text`.
pub(super) fn lex(text: &str, opts: Lexing) -> Lexed {
    Lexer {
        text,
        b: text.as_bytes(),
        i: 0,
        depth: 0,
        opts,
        out: Lexed::default(),
        line_start: true,
        stmt_empty: true,
        exec_open: 0,
        delimiter: None,
    }
    .run()
}

struct Lexer<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    depth: u32,
    opts: Lexing,
    out: Lexed,
    /// Only blanks since the last newline.
    line_start: bool,
    /// No token since the last statement end.
    stmt_empty: bool,
    /// Open `/*! … */` blocks whose `*/` is to be skipped.
    exec_open: u32,
    /// A MySQL `DELIMITER` other than `;`.
    delimiter: Option<String>,
}

impl Lexer<'_> {
    fn at(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    fn slice(&self, a: usize, b: usize) -> &str {
        self.text.get(a..b).unwrap_or("")
    }

    fn push(&mut self, tok: Tok, start: usize) {
        let end = self.i;
        let depth = self.depth;
        if tok == Tok::End {
            self.stmt_empty = true;
        } else if !matches!(tok, Tok::Meta { .. }) {
            self.stmt_empty = false;
        }
        self.out.tokens.push(Token {
            tok,
            start,
            end,
            depth,
        });
    }

    /// The rest of the current line from `from`, and move past it.
    fn rest_of_line(&mut self, from: usize) -> String {
        let mut j = from;
        while j < self.b.len() && self.b[j] != b'\n' {
            j += 1;
        }
        self.i = j;
        self.slice(from, j).trim().to_string()
    }

    fn run(mut self) -> Lexed {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c == b'\n' {
                self.line_start = true;
                self.i += 1;
                continue;
            }
            if is_space(c) {
                self.i += 1;
                continue;
            }
            let line_start = std::mem::replace(&mut self.line_start, false);
            if self.client_command(c, line_start) {
                continue;
            }
            if let Some(d) = &self.delimiter
                && self
                    .text
                    .get(self.i..)
                    .is_some_and(|r| r.starts_with(d.as_str()))
            {
                let start = self.i;
                self.i += d.len();
                self.push(Tok::End, start);
                continue;
            }
            self.token(c);
        }
        self.out
    }

    /// A client command at this point, consumed. True when one was found.
    fn client_command(&mut self, c: u8, line_start: bool) -> bool {
        let start = self.i;
        match self.opts.meta {
            Meta::Psql if c == b'\\' => {
                // `\\` separates two meta-commands on one line.
                let mut j = self.i + 1;
                while j < self.b.len() && !is_space(self.b[j]) && self.b[j] != b'\n' {
                    if self.b[j] == b'\\' && j > self.i + 1 {
                        break;
                    }
                    j += 1;
                }
                let name = self.slice(self.i + 1, j).to_string();
                let mut k = j;
                while k < self.b.len() && self.b[k] != b'\n' {
                    if self.b[k] == b'\\' && self.b.get(k + 1) == Some(&b'\\') {
                        break;
                    }
                    k += 1;
                }
                let args = self.slice(j, k).trim().to_string();
                self.i = k;
                let ends = name.starts_with('g') || name == ";";
                self.push(Tok::Meta { name, args }, start);
                if ends {
                    self.push(Tok::End, start);
                }
                true
            }
            Meta::MySql if c == b'\\' => {
                let x = self.at(1);
                if x == b'g' || x == b'G' {
                    self.i += 2;
                    self.push(Tok::End, start);
                    return true;
                }
                let name = char::from(x).to_string();
                // `\. file`, `\! cmd`, `\u db` … take the rest of the line.
                let args = if matches!(x, b'.' | b'!' | b'u' | b'C' | b'T' | b'P' | b'R') {
                    self.rest_of_line((self.i + 2).min(self.b.len()))
                } else {
                    self.i = (self.i + 2).min(self.b.len());
                    String::new()
                };
                self.push(Tok::Meta { name, args }, start);
                true
            }
            Meta::MySql if self.stmt_empty && c.is_ascii_alphabetic() => {
                let mut j = self.i;
                while j < self.b.len() && self.b[j].is_ascii_alphabetic() {
                    j += 1;
                }
                let word = self.slice(self.i, j).to_ascii_lowercase();
                let next = self.b.get(j).copied().unwrap_or(b'\n');
                if !matches!(word.as_str(), "source" | "system" | "delimiter")
                    || !(is_space(next) || next == b'\n')
                {
                    return false;
                }
                let args = self.rest_of_line(j);
                if word == "delimiter" {
                    let d = args.split_whitespace().next().unwrap_or(";");
                    self.delimiter = (d != ";" && !d.is_empty()).then(|| d.to_string());
                }
                self.push(Tok::Meta { name: word, args }, start);
                true
            }
            Meta::Dot if c == b'.' && line_start && self.stmt_empty => {
                let mut j = self.i + 1;
                while j < self.b.len() && !is_space(self.b[j]) && self.b[j] != b'\n' {
                    j += 1;
                }
                let name = self.slice(self.i + 1, j).to_ascii_lowercase();
                let args = self.rest_of_line(j);
                self.push(Tok::Meta { name, args }, start);
                true
            }
            Meta::SqlCmd if line_start => {
                let line_end = self.b[self.i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(self.b.len(), |p| self.i + p);
                let line = self.slice(self.i, line_end).trim();
                let mut parts = line.split_whitespace();
                let first = parts.next().unwrap_or("");
                if first.eq_ignore_ascii_case("go")
                    && parts.all(|p| p.bytes().all(|b| b.is_ascii_digit()))
                {
                    self.i = line_end;
                    self.push(Tok::End, start);
                    return true;
                }
                if let Some(rest) = line.strip_prefix("!!") {
                    let args = rest.trim().to_string();
                    self.i = line_end;
                    self.push(
                        Tok::Meta {
                            name: "!!".into(),
                            args,
                        },
                        start,
                    );
                    return true;
                }
                if let Some(rest) = line.strip_prefix(':')
                    && rest.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                {
                    let (name, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                    let meta = Tok::Meta {
                        name: name.to_ascii_lowercase(),
                        args: args.trim().to_string(),
                    };
                    self.i = line_end;
                    self.push(meta, start);
                    return true;
                }
                false
            }
            _ => false,
        }
    }

    fn token(&mut self, c: u8) {
        let start = self.i;
        let o = self.opts;
        match c {
            b';' => {
                self.i += 1;
                self.push(Tok::End, start);
            }
            b'\'' => {
                let s = self.quoted(b'\'', o.backslash_escapes);
                self.push(Tok::Str(s), start);
            }
            b'"' if o.double_quote_strings => {
                let s = self.quoted(b'"', o.backslash_escapes);
                self.push(Tok::Str(s), start);
            }
            b'"' => {
                let s = self.quoted(b'"', false);
                self.push(Tok::Ident(s), start);
            }
            b'`' if o.shell => {
                self.expansion_backtick();
                self.push(Tok::Expansion, start);
            }
            b'`' if o.backticks => {
                let s = self.quoted(b'`', false);
                self.push(Tok::Ident(s), start);
            }
            b'[' if o.brackets => {
                self.i += 1;
                let from = self.i;
                while self.i < self.b.len() {
                    if self.b[self.i] == b']' {
                        if self.at(1) == b']' {
                            self.i += 2;
                            continue;
                        }
                        break;
                    }
                    self.i += 1;
                }
                let s = self.slice(from, self.i).to_string();
                self.i = (self.i + 1).min(self.b.len());
                self.push(Tok::Ident(s), start);
            }
            b'-' if self.at(1) == b'-'
                && (!o.dash_comment_needs_space || matches!(self.at(2), 0..=b' ')) =>
            {
                while self.i < self.b.len() && self.b[self.i] != b'\n' {
                    self.i += 1;
                }
            }
            b'#' if o.hash_comments => {
                while self.i < self.b.len() && self.b[self.i] != b'\n' {
                    self.i += 1;
                }
            }
            b'/' if self.at(1) == b'*' => self.block_comment(),
            b'*' if self.at(1) == b'/' && self.exec_open > 0 => {
                self.exec_open -= 1;
                self.i += 2;
            }
            b'$' if o.shell && self.shell_dollar() => {
                self.push(Tok::Expansion, start);
            }
            b'$' if o.dollar_quotes && self.dollar_string() => {}
            b':' if o.meta == Meta::Psql && self.psql_var() => {
                self.push(Tok::Var, start);
            }
            b'(' => {
                self.i += 1;
                self.push(Tok::Op("(".into()), start);
                self.depth = self.depth.saturating_add(1);
            }
            b')' => {
                self.i += 1;
                self.depth = self.depth.saturating_sub(1);
                self.push(Tok::Op(")".into()), start);
            }
            b'0'..=b'9' => {
                while self.i < self.b.len()
                    && (self.b[self.i].is_ascii_alphanumeric() || self.b[self.i] == b'.')
                {
                    self.i += 1;
                }
                let n = self.slice(start, self.i).to_string();
                self.push(Tok::Num(n), start);
            }
            _ if is_word_byte(c) => {
                while self.i < self.b.len() && is_word_byte(self.b[self.i]) {
                    self.i += 1;
                }
                let w = self.slice(start, self.i).to_ascii_uppercase();
                // PostgreSQL `E'…'` always takes backslash escapes.
                if w == "E" && self.at(0) == b'\'' {
                    let s = self.quoted(b'\'', true);
                    self.push(Tok::Str(s), start);
                    return;
                }
                // `N'…'`, `X'…'`, `B'…'`, `U&'…'`: the prefix is not a word of its own.
                if matches!(w.as_str(), "N" | "X" | "B" | "U") && self.at(0) == b'\'' {
                    return;
                }
                self.push(Tok::Word(w), start);
            }
            _ => {
                let two = [c, self.at(1)];
                let op: &[u8] = match &two {
                    b"<>" | b"!=" | b"<=" | b">=" | b"::" | b"||" | b"==" | b"=>" | b"->" => &two,
                    _ => &two[..1],
                };
                // A lone byte of a multi-byte character cannot reach here (those are word
                // bytes), so the operator is ASCII.
                self.i += op.len();
                let s = String::from_utf8_lossy(op).into_owned();
                self.push(Tok::Op(s), start);
            }
        }
    }

    /// A quoted run starting at the opening quote; doubled quotes (and backslashes, when
    /// they escape) stay inside. Returns the content.
    fn quoted(&mut self, q: u8, backslash: bool) -> String {
        self.i += 1;
        let mut out = String::new();
        let mut from = self.i;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c == b'\\' {
                if q == b'\'' || q == b'"' {
                    self.out.backslash_in_string = true;
                }
                if backslash {
                    self.i = (self.i + 2).min(self.b.len());
                    continue;
                }
            }
            if c == q {
                if self.at(1) == q {
                    out.push_str(self.slice(from, self.i + 1));
                    self.i += 2;
                    from = self.i;
                    continue;
                }
                out.push_str(self.slice(from, self.i));
                self.i += 1;
                return out;
            }
            self.i += 1;
        }
        out.push_str(self.slice(from, self.b.len()));
        out
    }

    fn block_comment(&mut self) {
        let o = self.opts;
        // MySQL runs `/*! … */` (and MariaDB `/*M! … */`): lex the inside as code.
        if o.exec_comments && (self.at(2) == b'!' || (self.at(2) == b'M' && self.at(3) == b'!')) {
            self.out.exec_comment = true;
            self.i += if self.at(2) == b'!' { 3 } else { 4 };
            while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
                self.i += 1;
            }
            self.exec_open += 1;
            return;
        }
        self.i += 2;
        let mut level = 1u32;
        while self.i < self.b.len() {
            if self.b[self.i] == b'*' && self.at(1) == b'/' {
                self.i += 2;
                level -= 1;
                if level == 0 {
                    return;
                }
                continue;
            }
            if self.b[self.i] == b'/' && self.at(1) == b'*' {
                self.out.comment_in_comment = true;
                self.i += 2;
                if o.nested_comments {
                    level = level.saturating_add(1);
                }
                continue;
            }
            self.i += 1;
        }
    }

    /// `$name`, `${…}`, `$(…)`, `$((…))`, `$1`, `$$` … in a dynamic shell word. True when
    /// one was consumed.
    fn shell_dollar(&mut self) -> bool {
        let n = self.at(1);
        match n {
            b'{' | b'(' => {
                let (open, close) = if n == b'{' {
                    (b'{', b'}')
                } else {
                    (b'(', b')')
                };
                let mut level = 0u32;
                let mut j = self.i + 1;
                while j < self.b.len() {
                    if self.b[j] == open {
                        level += 1;
                    } else if self.b[j] == close {
                        level = level.saturating_sub(1);
                        if level == 0 {
                            j += 1;
                            break;
                        }
                    }
                    j += 1;
                }
                self.i = j.min(self.b.len());
                true
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let mut j = self.i + 1;
                while j < self.b.len() && (self.b[j].is_ascii_alphanumeric() || self.b[j] == b'_') {
                    j += 1;
                }
                self.i = j;
                true
            }
            b'0'..=b'9' | b'$' | b'#' | b'?' | b'@' | b'!' | b'*' | b'-' => {
                self.i += 2;
                true
            }
            _ => false,
        }
    }

    fn expansion_backtick(&mut self) {
        let mut j = self.i + 1;
        while j < self.b.len() && self.b[j] != b'`' {
            j += if self.b[j] == b'\\' { 2 } else { 1 };
        }
        self.i = (j + 1).min(self.b.len());
    }

    /// `$tag$ … $tag$`. True when one was consumed (and pushed).
    fn dollar_string(&mut self) -> bool {
        let start = self.i;
        let mut j = self.i + 1;
        while j < self.b.len() && (self.b[j].is_ascii_alphanumeric() || self.b[j] == b'_') {
            j += 1;
        }
        if self.b.get(j) != Some(&b'$') || self.b.get(self.i + 1).is_some_and(u8::is_ascii_digit) {
            return false;
        }
        let tag = self.slice(start, j + 1).to_string();
        let body_start = j + 1;
        let rest = self.text.get(body_start..).unwrap_or("");
        let (body, after) = match rest.find(tag.as_str()) {
            Some(p) => (&rest[..p], body_start + p + tag.len()),
            None => (rest, self.b.len()),
        };
        let body = body.to_string();
        self.i = after;
        self.push(Tok::Str(body), start);
        true
    }

    /// psql `:name`, `:'name'`, `:"name"` (not `::`). True when one was consumed.
    fn psql_var(&mut self) -> bool {
        let prev = self.i.checked_sub(1).and_then(|p| self.b.get(p)).copied();
        if prev == Some(b':') {
            return false;
        }
        let n = self.at(1);
        if n == b'\'' || n == b'"' {
            self.i += 1;
            self.quoted(n, false);
            return true;
        }
        if n.is_ascii_alphabetic() || n == b'_' {
            let mut j = self.i + 1;
            while j < self.b.len() && (self.b[j].is_ascii_alphanumeric() || self.b[j] == b'_') {
                j += 1;
            }
            self.i = j;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg() -> Lexing {
        Lexing {
            backslash_escapes: false,
            nested_comments: true,
            dollar_quotes: true,
            hash_comments: false,
            backticks: false,
            brackets: false,
            double_quote_strings: false,
            exec_comments: false,
            dash_comment_needs_space: false,
            meta: Meta::Psql,
            shell: false,
        }
    }

    fn words(text: &str, o: Lexing) -> Vec<String> {
        lex(text, o)
            .tokens
            .into_iter()
            .map(|t| match t.tok {
                Tok::Word(w) => w,
                Tok::Ident(s) => format!("\"{s}\""),
                Tok::Str(s) => format!("'{s}'"),
                Tok::Num(n) => n,
                Tok::Op(o) => o,
                Tok::End => ";".into(),
                Tok::Expansion => "$".into(),
                Tok::Var => ":v".into(),
                Tok::Meta { name, args } => format!("\\{name}[{args}]"),
            })
            .collect()
    }

    #[test]
    fn skips_strings_comments_and_reads_meta() {
        assert_eq!(
            words(
                "select 'a;b' -- x;\n/* c /* d */ e; */ \"Drop\" $$ DROP $$; \\c db\nx",
                pg()
            ),
            vec![
                "SELECT", "'a;b'", "\"Drop\"", "' DROP '", ";", "\\c[db]", "X"
            ]
        );
    }

    #[test]
    fn mysql_exec_comments_and_delimiter() {
        let o = Lexing {
            backslash_escapes: true,
            nested_comments: false,
            dollar_quotes: false,
            hash_comments: true,
            backticks: true,
            double_quote_strings: true,
            exec_comments: true,
            dash_comment_needs_space: true,
            meta: Meta::MySql,
            ..pg()
        };
        assert_eq!(
            words("/*!50000 DROP TABLE x */ # c\nselect 1--1", o),
            vec!["DROP", "TABLE", "X", "SELECT", "1", "-", "-", "1"]
        );
        assert_eq!(
            words("delimiter $$\nselect 1 $$ select 2", o),
            vec!["\\delimiter[$$]", "SELECT", "1", ";", "SELECT", "2"]
        );
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        for t in [
            "'", "\"", "/*", "$", "$a", "\\", "é'ü", "[", "`", "$(", "${", ":'", "E'\\",
        ] {
            let _ = lex(t, pg());
            let _ = lex(
                t,
                Lexing {
                    shell: true,
                    brackets: true,
                    backticks: true,
                    meta: Meta::SqlCmd,
                    ..pg()
                },
            );
        }
    }
}
