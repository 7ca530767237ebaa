//! HTTPie (`http`, `https`) and xh (`xh`, `xhs`), which share a command line:
//! `http [options] [METHOD] URL [ITEM …]`. METHOD is optional; request items build the
//! body (`key=value` strings and `key:=json` values make a JSON object, and imply POST),
//! the query (`key==value`) and the headers (`Name:value`); `--raw` or a redirected
//! standard input give the body as is.

use serde_json::{Map, Value};

use super::{Ctx, Val, body, long_option};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opt {
    Flag,
    Value,
    Raw,
    IgnoreStdin,
    /// `--offline` (and xh's `--curl`): the request is printed, not sent.
    Offline,
    Exit,
}

use Opt::*;

/// Long options of HTTPie 3 and xh that matter or take a value; others are flags.
const LONG: &[(&str, Opt)] = &[
    ("auth", Value),
    ("auth-type", Value),
    ("bearer", Value),
    ("boundary", Value),
    ("cert", Value),
    ("cert-key", Value),
    ("cert-key-pass", Value),
    ("ciphers", Value),
    ("curl", Offline),
    ("curl-long", Offline),
    ("default-scheme", Value),
    ("format-options", Value),
    ("help", Exit),
    ("history-print", Value),
    ("http-version", Value),
    ("ignore-stdin", IgnoreStdin),
    ("interface", Value),
    ("manual", Exit),
    ("max-headers", Value),
    ("max-redirects", Value),
    ("offline", Offline),
    ("output", Value),
    ("pretty", Value),
    ("print", Value),
    ("proxy", Value),
    ("raw", Raw),
    ("resolve", Value),
    ("response-charset", Value),
    ("response-mime", Value),
    ("session", Value),
    ("session-read-only", Value),
    ("ssl", Value),
    ("style", Value),
    ("timeout", Value),
    ("unix-socket", Value),
    ("verify", Value),
    ("version", Exit),
];

fn short(c: char) -> Opt {
    match c {
        's' | 'p' | 'P' | 'o' | 'a' | 'A' => Value,
        'I' => IgnoreStdin,
        _ => Flag,
    }
}

/// A request item's separator, as HTTPie reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Header,
    EmptyHeader,
    HeaderFile,
    Query,
    QueryFile,
    Data,
    DataFile,
    Json,
    JsonFile,
    Upload,
}

/// Separators, longest first so that `:=@` wins over `:=` and `:` at the same place.
const SEPS: &[(&str, Sep)] = &[
    (":=@", Sep::JsonFile),
    ("==@", Sep::QueryFile),
    ("=@", Sep::DataFile),
    (":=", Sep::Json),
    ("==", Sep::Query),
    (":@", Sep::HeaderFile),
    ("=", Sep::Data),
    (":", Sep::Header),
    (";", Sep::EmptyHeader),
    ("@", Sep::Upload),
];

/// Split a request item at its first separator; `\` escapes a separator character in the
/// key.
fn item(text: &str) -> Option<(String, Sep, &str)> {
    let mut key = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            if let Some((_, e)) = chars.next() {
                key.push(e);
            }
            continue;
        }
        let rest = text.get(i..).unwrap_or("");
        if let Some((s, sep)) = SEPS.iter().find(|(s, _)| rest.starts_with(s)) {
            return Some((key, *sep, rest.get(s.len()..).unwrap_or("")));
        }
        key.push(c);
    }
    None
}

/// Read an HTTPie or xh argv into the request.
pub(super) fn read(ctx: &mut Ctx<'_>, program: &str) -> Option<()> {
    let args = ctx.args();
    let mut positional = Vec::new();
    let mut raw: Option<Val> = None;
    let mut ignore_stdin = false;
    let mut options = true;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let t = w.text.as_str();
        let value = |inline: Option<Val>, i: &mut usize| {
            inline.or_else(|| {
                let v = args.get(*i).map(Val::of);
                *i += 1;
                v
            })
        };
        if options && t == "--" {
            options = false;
        } else if options && t.len() > 2 && t.starts_with("--") {
            let body = t.get(2..).unwrap_or("");
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(Val::part(w, v))),
                None => (body, None),
            };
            match long_option(LONG, name).unwrap_or(Flag) {
                Exit | Offline => return None,
                IgnoreStdin => ignore_stdin = true,
                Raw => raw = value(inline, &mut i),
                Value => {
                    value(inline, &mut i);
                }
                Flag => {}
            }
        } else if options && t.len() > 1 && t.starts_with('-') {
            let letters = t.get(1..).unwrap_or("");
            for (k, c) in letters.char_indices() {
                match short(c) {
                    IgnoreStdin => ignore_stdin = true,
                    Value => {
                        let rest = letters.get(k + c.len_utf8()..).unwrap_or("");
                        let inline = (!rest.is_empty()).then(|| Val::part(w, rest));
                        value(inline, &mut i);
                        break;
                    }
                    _ => {}
                }
            }
        } else {
            positional.push(w);
        }
    }

    // `http URL` or `http METHOD URL …`: a first word of letters followed by more is the
    // method, as HTTPie guesses it.
    let (method, url, items) = match positional.as_slice() {
        [m, u, rest @ ..]
            if !m.text.is_empty() && m.text.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            (Some(Val::of(m)), u, rest)
        }
        [u, rest @ ..] => (None, u, rest),
        [] => return None,
    };
    let mut url = Val::of(url);
    if url.text.starts_with(':') {
        // `:3000/x` is HTTPie's shorthand for localhost.
        url.text = format!("localhost{}", url.text);
    } else if !url.text.contains("://") && matches!(program, "https" | "xhs") {
        url.text = format!("https://{}", url.text);
    }
    ctx.url(&url);

    let mut data = Map::new();
    let mut query = Vec::new();
    let mut sends = false;
    for w in items {
        let Some((key, sep, value)) = item(&w.text) else {
            continue;
        };
        let v = Val::part(w, value);
        if v.dynamic && !matches!(sep, Sep::Header | Sep::EmptyHeader | Sep::HeaderFile) {
            ctx.req.hide("a request item with shell expansions in it");
        }
        match sep {
            Sep::Data => {
                sends = true;
                data.insert(key, Value::String(v.text));
            }
            Sep::Json => {
                sends = true;
                let parsed = serde_json::from_str(&v.text).unwrap_or(Value::String(v.text));
                data.insert(key, parsed);
            }
            Sep::DataFile | Sep::JsonFile | Sep::Upload => {
                sends = true;
                if let Some(text) = ctx.file(&v, "a request item") {
                    let parsed = match sep {
                        Sep::JsonFile => serde_json::from_str(&text).unwrap_or(Value::String(text)),
                        _ => Value::String(text),
                    };
                    data.insert(key, parsed);
                }
            }
            Sep::Query => query.push((key, v.text)),
            Sep::QueryFile => {
                if let Some(text) = ctx.file(&v, "a query parameter") {
                    query.push((key, text));
                }
            }
            Sep::Header | Sep::EmptyHeader | Sep::HeaderFile => {}
        }
    }
    if !data.is_empty() {
        body::json(&(&Value::Object(data)).into(), &mut ctx.req);
    }
    if !query.is_empty() {
        body::fields(&query, &mut ctx.req);
    }
    if let Some(r) = &raw {
        sends = true;
        ctx.body(r);
    } else if !ignore_stdin && let Some(input) = ctx.stdin("the body", false) {
        // HTTPie reads a redirected or piped standard input as the body.
        sends = true;
        ctx.body(&input);
    }
    match method {
        Some(m) => ctx.method(&m),
        None if sends => ctx.req.method = "POST".to_string(),
        None => ctx.req.method = "GET".to_string(),
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items() {
        assert_eq!(item("a=b"), Some(("a".into(), Sep::Data, "b")));
        assert_eq!(item("a:=[1]"), Some(("a".into(), Sep::Json, "[1]")));
        assert_eq!(
            item("a:=@f.json"),
            Some(("a".into(), Sep::JsonFile, "f.json"))
        );
        assert_eq!(
            item("Authorization:Bearer x=y"),
            Some(("Authorization".into(), Sep::Header, "Bearer x=y"))
        );
        assert_eq!(
            item("query=mutation { a(b: 1) }"),
            Some(("query".into(), Sep::Data, "mutation { a(b: 1) }"))
        );
        assert_eq!(item("a\\:b=c"), Some(("a:b".into(), Sep::Data, "c")));
        assert_eq!(item("q==x"), Some(("q".into(), Sep::Query, "x")));
        assert_eq!(item("plain"), None);
    }
}
