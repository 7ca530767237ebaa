//! What a request body (or a URL's query string) asks a GraphQL server to run.
//!
//! A body is read as JSON (`{"query": "…", "operationName": "…"}` or a batch array), as form
//! fields (`query=…&operationName=…`), or as a raw GraphQL document, in that order. JSON
//! string escapes (`\u0076olumeDelete`) are undone by the JSON parser before the GraphQL
//! document is read. What looks like GraphQL but cannot be read sets `hidden`, and when it
//! mentions `mutation` every name in it counts as a mutation: a server might read what
//! guardsh could not, so guardsh errs on the side of refusing.

use serde_json::Value;

use super::{MAX_BODY, Request, graphql};

/// At most this many names are taken from a document that could not be parsed.
const MAX_FALLBACK_NAMES: usize = 10_000;
/// JSON nesting followed when looking for GraphQL documents in string values.
const MAX_JSON_DEPTH: usize = 32;

/// A body whose format is not known: JSON, form fields or a GraphQL document.
pub(super) fn text(body: &str, req: &mut Request) {
    if body.len() > MAX_BODY {
        req.hide("a body larger than 1 MiB");
        return;
    }
    let t = body.trim_start_matches('\u{FEFF}').trim();
    if t.is_empty() {
        return;
    }
    if t.starts_with(['{', '[', '"']) {
        match serde_json::from_str::<Json>(t) {
            Ok(v) => {
                json(&v, req);
                return;
            }
            // Not JSON to serde (too deep, a trailing comma) may still be JSON to the
            // server. `{` followed by a name opens a GraphQL shorthand query, read below;
            // followed by a string it is an object.
            Err(_)
                if !t.strip_prefix('{').is_some_and(|r| {
                    r.trim_start()
                        .starts_with(|c: char| c == '_' || c.is_ascii_alphabetic())
                }) =>
            {
                unreadable(t, "a JSON body guardsh cannot parse", req);
                return;
            }
            Err(_) => {}
        }
    }
    if let Some(f) = form_fields(t) {
        fields(&f, req);
        return;
    }
    document(t, None, false, req);
}

/// A JSON value whose objects keep every key in order, duplicates included: serde_json's
/// `Value` keeps only the last of `{"query": A, "query": B}`, and a server that takes the
/// first would run what guardsh never read.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Json {
    Object(Vec<(String, Json)>),
    Array(Vec<Json>),
    String(String),
    /// Numbers, booleans, null: never a document.
    Scalar,
}

impl Json {
    /// The string values of every `key` of an object.
    fn strings_of<'a>(entries: &'a [(String, Json)], key: &str) -> Vec<&'a str> {
        entries
            .iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| match v {
                Json::String(s) => Some(s.as_str()),
                _ => None,
            })
            .collect()
    }
}

impl From<&Value> for Json {
    fn from(v: &Value) -> Self {
        match v {
            Value::Object(map) => {
                Json::Object(map.iter().map(|(k, v)| (k.clone(), v.into())).collect())
            }
            Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            Value::String(s) => Json::String(s.clone()),
            _ => Json::Scalar,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Json, E> {
        Ok(Json::Scalar)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Json, E> {
        Ok(Json::Scalar)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Json, E> {
        Ok(Json::Scalar)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Json, E> {
        Ok(Json::Scalar)
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Scalar)
    }

    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Json>()? {
            entries.push(entry);
        }
        Ok(Json::Object(entries))
    }
}

/// A JSON body: a GraphQL request object, a batch of them, or anything else (in which
/// string values that look like a mutation are still read).
pub(super) fn json(v: &Json, req: &mut Request) {
    match v {
        Json::Array(items) => {
            // A batch: each element is its own request.
            for item in items {
                json(item, req);
            }
        }
        Json::Object(entries) => {
            // Two different operation names: which one the server takes is unknown, so
            // neither narrows the document.
            let names = Json::strings_of(entries, "operationName");
            let op = match names.as_slice() {
                [one, rest @ ..] if rest.iter().all(|r| r == one) => Some(*one),
                _ => None,
            };
            let queries = Json::strings_of(entries, "query");
            for q in &queries {
                document(q, op, true, req);
            }
            if queries.is_empty() {
                let persisted = entries.iter().any(|(k, v)| {
                    k == "documentId"
                        || (k == "extensions"
                            && matches!(v, Json::Object(e) if e.iter().any(|(k, _)| k == "persistedQuery")))
                });
                if persisted {
                    req.hide("a persisted GraphQL query, whose text stays on the server");
                }
            }
            // The GraphQL multipart request spec carries the request as a JSON string.
            for s in Json::strings_of(entries, "operations") {
                text(s, req);
            }
            for (k, val) in entries {
                if k != "query" && k != "operations" {
                    strings(val, req, 0);
                }
            }
        }
        other => strings(other, req, 0),
    }
}

/// Any string in a JSON value that looks like a mutation is read as one: a non-standard
/// wrapper (`{"q": "mutation …"}`) must not hide it.
fn strings(v: &Json, req: &mut Request, depth: usize) {
    if depth > MAX_JSON_DEPTH {
        return;
    }
    match v {
        Json::String(s) if looks_like_mutation(s) => document(s, None, true, req),
        Json::Array(items) => items.iter().for_each(|i| strings(i, req, depth + 1)),
        Json::Object(entries) => entries.iter().for_each(|(_, i)| strings(i, req, depth + 1)),
        _ => {}
    }
}

/// Named fields (a form, multipart parts, `gh api -f`, a URL query): `query` holds the
/// document, `operationName` picks the operation, `operations` is multipart's JSON.
pub(super) fn fields(list: &[(String, String)], req: &mut Request) {
    let op = list
        .iter()
        .rev()
        .find(|(k, _)| k == "operationName")
        .map(|(_, v)| v.as_str());
    for (k, v) in list {
        match k.as_str() {
            "query" => document(v, op, true, req),
            "operations" => text(v, req),
            _ if looks_like_mutation(v) => document(v, None, true, req),
            _ => {}
        }
    }
}

/// A URL's query string (`?query=mutation…`).
pub(super) fn url(url: &str, req: &mut Request) {
    let Some((_, query)) = url.split_once('?') else {
        return;
    };
    let query = query.split('#').next().unwrap_or(query);
    if let Some(f) = form_fields(query) {
        fields(&f, req);
    }
}

/// A GraphQL document. `known` says the text was given as GraphQL (a `query` field), so a
/// document that cannot be read is hidden even when it does not look like one.
pub(super) fn document(doc: &str, op: Option<&str>, known: bool, req: &mut Request) {
    if doc.len() > MAX_BODY {
        req.hide("a GraphQL document larger than 1 MiB");
        return;
    }
    match graphql::parse(doc) {
        Ok(d) if d.has_operations() || known => {
            for m in d.mutation_fields(op) {
                req.add_mutation(m);
            }
        }
        // Valid tokens but no operation (`DELETE`, `hello world`): not GraphQL.
        Ok(_) => {}
        Err(_) => {
            if known || looks_like_graphql(doc) {
                unreadable(doc, "a GraphQL document guardsh cannot read", req);
            }
        }
    }
}

/// A body or document guardsh cannot read: hidden, and when it mentions `mutation`, every
/// name in it counts.
fn unreadable(text: &str, why: &str, req: &mut Request) {
    req.hide(why);
    let text = unescape_unicode(text);
    if mentions_mutation(&text) {
        for name in names(&text).take(MAX_FALLBACK_NAMES) {
            req.add_mutation(name.to_string());
        }
    }
}

/// Identifier-like runs of a text (`[_A-Za-z][_0-9A-Za-z]*`).
fn names(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        })
}

/// `\uXXXX` escapes decoded, the rest kept: for text that failed to parse as JSON.
fn unescape_unicode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("\\u") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 2..).unwrap_or("");
        let hex = after
            .get(..4)
            .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()));
        match hex.and_then(|h| u32::from_str_radix(h, 16).ok()) {
            Some(v) => {
                out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
                rest = after.get(4..).unwrap_or("");
            }
            None => {
                out.push_str("\\u");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The word `mutation` appears (as a whole name).
pub(super) fn mentions_mutation(s: &str) -> bool {
    names(s).any(|w| w == "mutation")
}

/// `mutation` followed by an optional name, then `{`, `(` or `@`: the start of a mutation
/// operation rather than the English word.
pub(super) fn looks_like_mutation(s: &str) -> bool {
    let mut rest = s;
    while let Some(i) = rest.find("mutation") {
        let before = rest.get(..i).and_then(|b| b.chars().next_back());
        let after = rest.get(i + "mutation".len()..).unwrap_or("");
        rest = after;
        if before.is_some_and(|c| c == '_' || c.is_ascii_alphanumeric()) {
            continue;
        }
        let t = after.trim_start();
        if t.len() == after.len() && t.starts_with(|c: char| c == '_' || c.is_ascii_alphanumeric())
        {
            continue;
        }
        let t = t.trim_start_matches(|c: char| c == '_' || c.is_ascii_alphanumeric());
        if t.trim_start().starts_with(['{', '(', '@']) {
            return true;
        }
    }
    false
}

/// The text starts like a GraphQL document (a shorthand query or an operation keyword),
/// or contains what looks like a mutation.
fn looks_like_graphql(s: &str) -> bool {
    let t = s.trim_start();
    if t.starts_with('{') || looks_like_mutation(s) {
        return true;
    }
    ["query", "subscription", "fragment"].iter().any(|kw| {
        t.strip_prefix(kw)
            .is_some_and(|r| r.starts_with(|c: char| c.is_whitespace() || c == '{' || c == '('))
    })
}

/// `name=value&…` with URL-decoding, when the text starts like a form (a plain name, then
/// `=`); `None` otherwise.
fn form_fields(t: &str) -> Option<Vec<(String, String)>> {
    let first = t.split('&').next()?;
    let (key, _) = first.split_once('=')?;
    let plain = |c: char| c.is_ascii_alphanumeric() || "_.-[]%".contains(c);
    if key.is_empty() || !key.chars().all(plain) {
        return None;
    }
    Some(
        t.split('&')
            .map(|part| {
                let (k, v) = part.split_once('=').unwrap_or((part, ""));
                (url_decode(k, true), url_decode(v, true))
            })
            .collect(),
    )
}

/// `%XX` decoded (and `+` as a space when `plus`), invalid UTF-8 replaced.
pub(super) fn url_decode(s: &str, plus: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |j: usize| b.get(j).and_then(|h| (*h as char).to_digit(16));
        match c {
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(h), Some(l)) => {
                    // Two hex digits are at most 255.
                    out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                _ => out.push(c),
            },
            b'+' if plus => out.push(b' '),
            _ => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> Request {
        let mut r = Request::default();
        text(body, &mut r);
        r
    }

    #[test]
    fn bodies() {
        let cases: &[(&str, &[&str], bool)] = &[
            (
                r#"{"query":"mutation { volumeDelete(volumeId: \"v\") }"}"#,
                &["volumeDelete"],
                false,
            ),
            (
                r#"{"query":"mutation { \u0076olumeDelete(volumeId: \"v\") }"}"#,
                &["volumeDelete"],
                false,
            ),
            (
                r#"[{"query":"query { me { id } }"},{"query":"mutation { serviceDelete(id: \"s\") }"}]"#,
                &["serviceDelete"],
                false,
            ),
            (
                r#"{"query":"query A { me { id } } mutation B { projectDelete(id: \"p\") }","operationName":"A"}"#,
                &[],
                false,
            ),
            (
                r#"{"query":"query { volume(id: \"v\") { name } } # mutation { volumeDelete }"}"#,
                &[],
                false,
            ),
            (
                r#"{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}"#,
                &[],
                true,
            ),
            (
                r#"{"wrapper":{"q":"mutation { userDelete }"}}"#,
                &["userDelete"],
                false,
            ),
            (
                "query=mutation+%7B+volumeDelete(volumeId%3A+%22v%22)+%7D",
                &["volumeDelete"],
                false,
            ),
            ("query=query{me{id}}&operationName=X", &[], false),
            (
                "mutation { volumeDelete(volumeId: \"v\") }",
                &["volumeDelete"],
                false,
            ),
            ("{ me { id } }", &[], false),
            ("name=foo&size=3", &[], false),
            ("plain text body", &[], false),
            (
                "{\"query\": \"mutation { volumeDelete(volumeId: \\\"v\\\") }\"",
                &["volumeDelete"],
                true,
            ),
            (
                "{\"query\":\"mutation { \\u0076olumeDelete(id: 'x') }\"}",
                &["volumeDelete"],
                true,
            ),
            (
                &format!(
                    r#"{{"query":"mutation {{ volumeDelete }}","x":{}{}}}"#,
                    "[".repeat(200),
                    "]".repeat(200)
                ),
                &["volumeDelete"],
                true,
            ),
            (
                r#"[{"query":"\u006dutation { userDelete }"},]"#,
                &["userDelete"],
                true,
            ),
            // Duplicate keys: every `query` is read, and two operation names pick neither.
            (
                r#"{"query":"mutation { volumeDelete(volumeId: \"v\") }","query":"query { me { id } }"}"#,
                &["volumeDelete"],
                false,
            ),
            (
                r#"{"query":"query A { me { id } } mutation B { userDelete }","operationName":"A","operationName":"B"}"#,
                &["userDelete"],
                false,
            ),
        ];
        for (body, want, hidden) in cases {
            let r = read(body);
            for m in *want {
                assert!(
                    r.mutations.iter().any(|x| x == m),
                    "{body}: {:?}",
                    r.mutations
                );
            }
            if want.is_empty() {
                assert!(r.mutations.is_empty(), "{body}: {:?}", r.mutations);
            }
            assert_eq!(r.hidden, *hidden, "{body}");
        }
    }

    #[test]
    fn mutation_shapes() {
        assert!(looks_like_mutation("mutation { x }"));
        assert!(looks_like_mutation("mutation Del($id: ID!) { x }"));
        assert!(looks_like_mutation("  mutation@a { x }"));
        assert!(!looks_like_mutation("this mutation failed"));
        assert!(!looks_like_mutation("mutations { x }"));
        assert!(!looks_like_mutation("a_mutation { x }"));
        assert_eq!(url_decode("a%2Bb+c%zz%", true), "a+b c%zz%");
        assert_eq!(unescape_unicode("\\u0076x\\u12"), "vx\\u12");
    }
}
