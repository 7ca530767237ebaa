//! A small GraphQL reader: just enough of the executable-document grammar to say which root
//! fields each `mutation` operation selects, seeing through aliases (`x: volumeDelete`),
//! fragment spreads (`...F`) and inline fragments (`... on Mutation { … }`).
//!
//! Argument values, variable definitions, directives' arguments and nested selections are
//! skipped by counting brackets over tokens: what a root field is *called* decides, not what
//! it is given. That also keeps the reader tolerant of placeholder values (`input: {...}`)
//! that a strict parser would refuse while the field name is plain to see.

use std::collections::{HashMap, HashSet};

/// Inline fragments nested deeper than this are refused rather than followed.
const MAX_DEPTH: usize = 64;
/// At most this many fragment expansions per document (spreads can fan out).
const MAX_EXPANSIONS: usize = 10_000;

/// Why a text is not a GraphQL document guardsh can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Error {
    /// A character or string that is not GraphQL.
    Token,
    /// Tokens in an order the grammar does not allow, or an unclosed bracket.
    Syntax,
    /// Inline fragments nested beyond [`MAX_DEPTH`].
    TooDeep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    /// One of `! $ & ( ) : = @ [ ] { | }`, or `.` standing for the spread `...`.
    Punct(u8),
    Name(&'a str),
    /// A number or a string: never looked at, only skipped.
    Value,
}

/// Split `src` into tokens, dropping whitespace, commas and comments.
fn tokenize(src: &str) -> Result<Vec<Tok<'_>>, Error> {
    let b = src.as_bytes();
    let at = |i: usize| b.get(i).copied();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = at(i) {
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            // The byte-order mark is ignored whitespace in GraphQL.
            0xEF if src.get(i..).is_some_and(|s| s.starts_with('\u{FEFF}')) => i += 3,
            b'#' => {
                while at(i).is_some_and(|c| c != b'\n' && c != b'\r') {
                    i += 1;
                }
            }
            b'!' | b'$' | b'&' | b'(' | b')' | b':' | b'=' | b'@' | b'[' | b']' | b'{' | b'|'
            | b'}' => {
                out.push(Tok::Punct(c));
                i += 1;
            }
            b'.' if at(i + 1) == Some(b'.') && at(i + 2) == Some(b'.') => {
                out.push(Tok::Punct(b'.'));
                i += 3;
            }
            b'"' => {
                i = string_end(b, i)?;
                out.push(Tok::Value);
            }
            b'-' | b'0'..=b'9' => {
                i = number_end(b, i)?;
                out.push(Tok::Value);
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                let start = i;
                while at(i).is_some_and(|c| c == b'_' || c.is_ascii_alphanumeric()) {
                    i += 1;
                }
                // Names are ASCII, so both ends are character boundaries.
                out.push(Tok::Name(src.get(start..i).ok_or(Error::Token)?));
            }
            _ => return Err(Error::Token),
        }
    }
    Ok(out)
}

/// The index just past the string starting at `i` (a `"…"` or a `"""…"""` block string).
/// Scanning bytes is safe: UTF-8 continuation bytes never equal an ASCII quote or backslash.
fn string_end(b: &[u8], mut i: usize) -> Result<usize, Error> {
    let at = |i: usize| b.get(i).copied();
    if at(i + 1) == Some(b'"') && at(i + 2) == Some(b'"') {
        i += 3;
        loop {
            match at(i) {
                None => return Err(Error::Token),
                Some(b'\\') if b.get(i + 1..i + 4) == Some(b"\"\"\"") => i += 4,
                Some(b'"') if b.get(i..i + 3) == Some(b"\"\"\"") => return Ok(i + 3),
                Some(_) => i += 1,
            }
        }
    }
    i += 1;
    loop {
        match at(i) {
            None | Some(b'\n') | Some(b'\r') => return Err(Error::Token),
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => match at(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' | b'u') => i += 2,
                _ => return Err(Error::Token),
            },
            Some(_) => i += 1,
        }
    }
}

/// The index just past the number starting at `i` (`-12`, `1.5e3`).
fn number_end(b: &[u8], mut i: usize) -> Result<usize, Error> {
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    if !digit(i) {
        return Err(Error::Token);
    }
    while digit(i) {
        i += 1;
    }
    if b.get(i) == Some(&b'.') && digit(i + 1) {
        i += 1;
        while digit(i) {
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digit(i) {
            return Err(Error::Token);
        }
        while digit(i) {
            i += 1;
        }
    }
    Ok(i)
}

/// One selection at the root of an operation or fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sel {
    /// A field, by its real name (the alias dropped).
    Field(String),
    /// `...Name`
    Spread(String),
    /// `... on Type { … }` or `... { … }`
    Inline(Vec<Sel>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Operation {
    mutation: bool,
    name: Option<String>,
    /// Root selections; only kept for mutations.
    root: Vec<Sel>,
}

/// A parsed executable document: its operations and fragments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Document {
    operations: Vec<Operation>,
    fragments: HashMap<String, Vec<Sel>>,
}

/// Parse a GraphQL document.
pub(super) fn parse(src: &str) -> Result<Document, Error> {
    let toks = tokenize(src)?;
    let mut p = Parser { toks, pos: 0 };
    let mut doc = Document::default();
    while let Some(t) = p.peek() {
        match t {
            // The query shorthand: `{ me { name } }`.
            Tok::Punct(b'{') => {
                p.skip_balanced(b'{', b'}')?;
                doc.operations.push(Operation {
                    mutation: false,
                    name: None,
                    root: Vec::new(),
                });
            }
            Tok::Name(kw @ ("query" | "mutation" | "subscription")) => {
                p.pos += 1;
                let mutation = kw == "mutation";
                let name = match p.peek() {
                    Some(Tok::Name(n)) => {
                        p.pos += 1;
                        Some(n.to_string())
                    }
                    _ => None,
                };
                if p.peek() == Some(Tok::Punct(b'(')) {
                    p.skip_balanced(b'(', b')')?;
                }
                p.directives()?;
                let root = if mutation {
                    p.selection_set(0)?
                } else {
                    p.skip_balanced(b'{', b'}')?;
                    Vec::new()
                };
                doc.operations.push(Operation {
                    mutation,
                    name,
                    root,
                });
            }
            Tok::Name("fragment") => {
                p.pos += 1;
                let name = p.name()?;
                if name == "on" || p.name()? != "on" {
                    return Err(Error::Syntax);
                }
                p.name()?;
                p.directives()?;
                let root = p.selection_set(0)?;
                doc.fragments.insert(name.to_string(), root);
            }
            // Type-system definitions, stray values: not an executable document.
            _ => return Err(Error::Syntax),
        }
    }
    Ok(doc)
}

impl Document {
    /// True when the document has at least one operation.
    pub(super) fn has_operations(&self) -> bool {
        !self.operations.is_empty()
    }

    /// Root fields of the `mutation` operations that run. With an `operation_name` naming an
    /// operation of the document, only that one runs; a name that matches none (which the
    /// server would refuse) counts every mutation, as does no name at all.
    pub(super) fn mutation_fields(&self, operation_name: Option<&str>) -> Vec<String> {
        let named = operation_name.filter(|n| {
            self.operations
                .iter()
                .any(|o| o.name.as_deref() == Some(*n))
        });
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut budget = MAX_EXPANSIONS;
        for op in &self.operations {
            if !op.mutation || named.is_some_and(|n| op.name.as_deref() != Some(n)) {
                continue;
            }
            self.expand(&op.root, &mut out, &mut seen, &mut budget);
        }
        out
    }

    fn expand(
        &self,
        sels: &[Sel],
        out: &mut Vec<String>,
        seen: &mut HashSet<String>,
        budget: &mut usize,
    ) {
        for s in sels {
            if *budget == 0 {
                return;
            }
            *budget -= 1;
            match s {
                Sel::Field(name) => {
                    if !out.contains(name) {
                        out.push(name.clone());
                    }
                }
                // A fragment is expanded once: a second spread adds nothing new, and a
                // cycle (which the server would refuse) ends here.
                Sel::Spread(name) => {
                    if seen.insert(name.clone())
                        && let Some(root) = self.fragments.get(name)
                    {
                        self.expand(root, out, seen, budget);
                    }
                }
                Sel::Inline(inner) => self.expand(inner, out, seen, budget),
            }
        }
    }
}

struct Parser<'a> {
    toks: Vec<Tok<'a>>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<Tok<'a>> {
        self.toks.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<Tok<'a>> {
        let t = self.peek();
        self.pos += 1;
        t
    }

    fn name(&mut self) -> Result<&'a str, Error> {
        match self.next() {
            Some(Tok::Name(n)) => Ok(n),
            _ => Err(Error::Syntax),
        }
    }

    /// Skip from an `open` token to its matching `close`. Values never contain the other
    /// kind's unbalanced brackets, so one counter is enough.
    fn skip_balanced(&mut self, open: u8, close: u8) -> Result<(), Error> {
        if self.next() != Some(Tok::Punct(open)) {
            return Err(Error::Syntax);
        }
        let mut depth = 1usize;
        while depth > 0 {
            match self.next() {
                None => return Err(Error::Syntax),
                Some(Tok::Punct(c)) if c == open => depth += 1,
                Some(Tok::Punct(c)) if c == close => depth -= 1,
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// `@name` or `@name(args)`, any number of times.
    fn directives(&mut self) -> Result<(), Error> {
        while self.peek() == Some(Tok::Punct(b'@')) {
            self.pos += 1;
            self.name()?;
            if self.peek() == Some(Tok::Punct(b'(')) {
                self.skip_balanced(b'(', b')')?;
            }
        }
        Ok(())
    }

    /// A selection set whose direct fields are root fields: `{ a b: c ...F ... on T { d } }`.
    fn selection_set(&mut self, depth: usize) -> Result<Vec<Sel>, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::TooDeep);
        }
        if self.next() != Some(Tok::Punct(b'{')) {
            return Err(Error::Syntax);
        }
        let mut out = Vec::new();
        loop {
            match self.next() {
                Some(Tok::Punct(b'}')) => return Ok(out),
                Some(Tok::Punct(b'.')) => match self.peek() {
                    Some(Tok::Name(n)) if n != "on" => {
                        self.pos += 1;
                        self.directives()?;
                        out.push(Sel::Spread(n.to_string()));
                    }
                    Some(Tok::Name(_)) => {
                        self.pos += 1;
                        self.name()?;
                        self.directives()?;
                        out.push(Sel::Inline(self.selection_set(depth + 1)?));
                    }
                    _ => {
                        self.directives()?;
                        out.push(Sel::Inline(self.selection_set(depth + 1)?));
                    }
                },
                Some(Tok::Name(first)) => {
                    let field = if self.peek() == Some(Tok::Punct(b':')) {
                        self.pos += 1;
                        self.name()?
                    } else {
                        first
                    };
                    if self.peek() == Some(Tok::Punct(b'(')) {
                        self.skip_balanced(b'(', b')')?;
                    }
                    self.directives()?;
                    if self.peek() == Some(Tok::Punct(b'{')) {
                        self.skip_balanced(b'{', b'}')?;
                    }
                    out.push(Sel::Field(field.to_string()));
                }
                _ => return Err(Error::Syntax),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(doc: &str, op: Option<&str>) -> Result<Vec<String>, Error> {
        parse(doc).map(|d| d.mutation_fields(op))
    }

    #[test]
    fn root_fields_of_mutations() {
        let cases: &[(&str, Option<&str>, &[&str])] = &[
            (
                "mutation { volumeDelete(volumeId: \"v\") }",
                None,
                &["volumeDelete"],
            ),
            (
                "mutation M($id: String!) { x: volumeDelete(volumeId: $id) }",
                None,
                &["volumeDelete"],
            ),
            (
                "mutation { a { b c } d(e: {f: [1, 2]}) @skip(if: true) }",
                None,
                &["a", "d"],
            ),
            ("query { volumeDelete }", None, &[]),
            ("{ volumeDelete }", None, &[]),
            (
                "# mutation { volumeDelete }\nquery { me { name } }",
                None,
                &[],
            ),
            (
                "query { me(note: \"mutation { volumeDelete }\") { id } }",
                None,
                &[],
            ),
            (
                "query { me(note: \"\"\"mutation {\n volumeDelete \\\"\"\" }\"\"\") { id } }",
                None,
                &[],
            ),
            (
                "mutation { ...F } fragment F on Mutation { volumeDelete }",
                None,
                &["volumeDelete"],
            ),
            (
                "fragment F on Mutation { ...G } fragment G on Mutation { ...F serviceDelete } mutation { ...F }",
                None,
                &["serviceDelete"],
            ),
            (
                "mutation { ... on Mutation { projectDelete } ... @include(if: true) { userDelete } }",
                None,
                &["projectDelete", "userDelete"],
            ),
            (
                "query A { me { id } } mutation B { volumeDelete }",
                Some("A"),
                &[],
            ),
            (
                "query A { me { id } } mutation B { volumeDelete }",
                Some("B"),
                &["volumeDelete"],
            ),
            (
                "query A { me { id } } mutation B { volumeDelete }",
                Some("C"),
                &["volumeDelete"],
            ),
            ("mutation A { x } mutation B { y }", None, &["x", "y"]),
            (
                "mutation { templateRevert(input: {...}) }",
                None,
                &["templateRevert"],
            ),
            (
                "mutation { environmentPatchCommit(patch: { services: { \"<svc>\": { isDeleted: true } } }) }",
                None,
                &["environmentPatchCommit"],
            ),
            ("\u{FEFF}mutation { ok }", None, &["ok"]),
            (
                "mutation { mutation: volumeDelete on: x }",
                None,
                &["volumeDelete", "x"],
            ),
        ];
        for (doc, op, want) in cases {
            let got = fields(doc, *op).unwrap_or_else(|e| panic!("{doc}: {e:?}"));
            assert_eq!(got, *want, "{doc}");
        }
    }

    #[test]
    fn not_graphql() {
        for doc in [
            "mutation { volumeDelete(id: \"x) }",
            "mutation { volumeDelete(id: 'x') }",
            "mutation { volumeDelete",
            "type Mutation { volumeDelete: Boolean }",
            "mutation { a; b }",
            "mutation { .. }",
            "mutation { a(x: -) }",
            "fragment on on Mutation { a }",
        ] {
            assert!(parse(doc).is_err(), "{doc}");
        }
        let deep = format!("mutation {}", "{ ... ".repeat(100));
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn never_panics_on_prefixes() {
        let doc = "mutation M($a: [Int!] = [1]) @d(x: \"é\\u00e9\") { x: a(b: 1.5e-3) ...F ... on T { c } } fragment F on M { \"\"\"é\"\"\" d }";
        for (i, _) in doc.char_indices() {
            let _ = parse(doc.get(..i).unwrap_or(""));
            let _ = parse(doc.get(i..).unwrap_or(""));
        }
    }
}
