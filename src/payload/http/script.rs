//! One-liners that make a request: `python -c`, `node -e`/`-p`, `deno eval`, `bun -e`, and
//! the same interpreters reading code from a heredoc. Best effort, not a parser: the code's
//! string literals are found (with the language's escapes undone) and read for URLs and
//! GraphQL documents, and a few call shapes give the method (`requests.delete(`,
//! `method: 'DELETE'`, `request("DELETE", …)`). Code that builds its URL host or body at run
//! time is hidden.

use super::{Ctx, Val, body, method_rank};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Python,
    Js,
}

/// Names that show the code talks HTTP even when no URL literal is in it.
const PYTHON_HTTP: &[&str] = &[
    "requests",
    "httpx",
    "urllib",
    "http.client",
    "aiohttp",
    "urlopen",
    "pycurl",
];
const JS_HTTP: &[&str] = &[
    "fetch(",
    "axios",
    "http.request",
    "https.request",
    "http.get",
    "https.get",
    "undici",
    "XMLHttpRequest",
    "got(",
    "superagent",
    "ky(",
];
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Read an interpreter's argv; `None` when it is not an interpreter running visible code
/// that talks HTTP.
pub(super) fn read(ctx: &mut Ctx<'_>, _program: &str) -> Option<()> {
    let code = crate::payload::code::source(ctx.cmd, ctx.script)?;
    let lang = match code.lang {
        crate::payload::code::Lang::Python => Lang::Python,
        crate::payload::code::Lang::Js => Lang::Js,
        // Perl and Ruby request code is not read yet: their deletes are (payload::code).
        crate::payload::code::Lang::Perl
        | crate::payload::code::Lang::Ruby
        | crate::payload::code::Lang::Php
        | crate::payload::code::Lang::Lua
        | crate::payload::code::Lang::Awk
        | crate::payload::code::Lang::Tcl => return None,
    };
    let code = Val {
        text: code.text,
        dynamic: code.dynamic,
    };
    analyze(ctx, &code, lang)
}

/// A string literal of the code.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lit {
    /// The value, escapes undone (interpolations kept as written).
    text: String,
    /// An f-string or template literal with `{…}` / `${…}` in it.
    interpolated: bool,
    start: usize,
    end: usize,
}

fn analyze(ctx: &mut Ctx<'_>, code: &Val, lang: Lang) -> Option<()> {
    let src = code.text.as_str();
    if src.len() > super::MAX_BODY {
        return None;
    }
    let lits = literals(src, lang);
    // The code with its literals blanked out, so that call shapes are found in code only.
    let mut blank = src.as_bytes().to_vec();
    for l in &lits {
        for b in blank.get_mut(l.start..l.end).unwrap_or(&mut []) {
            *b = b' ';
        }
    }
    let bare = String::from_utf8_lossy(&blank).into_owned();
    let urls: Vec<&Lit> = lits
        .iter()
        .filter(|l| l.text.starts_with("https://") || l.text.starts_with("http://"))
        .collect();
    let apis = match lang {
        Lang::Python => PYTHON_HTTP,
        Lang::Js => JS_HTTP,
    };
    // `require('https')`, `import axios from 'axios'`: the module name is a literal.
    let modules = [
        "http",
        "https",
        "node:http",
        "node:https",
        "axios",
        "node-fetch",
        "undici",
        "got",
    ];
    let imports_http = lang == Lang::Js && lits.iter().any(|l| modules.contains(&l.text.as_str()));
    if urls.is_empty() && !imports_http && !apis.iter().any(|a| bare.contains(a)) {
        return None;
    }
    if code.dynamic {
        ctx.req.hide("code with shell expansions in it");
    }
    if urls.is_empty() {
        ctx.req.hide("a URL built at run time");
    }
    for l in &urls {
        let after_scheme = l.text.split_once("://").map_or("", |(_, r)| r);
        let host_end = after_scheme
            .find(['/', '?', '#'])
            .unwrap_or(after_scheme.len());
        let host = after_scheme.get(..host_end).unwrap_or("");
        let host_dynamic = host.is_empty() || (l.interpolated && host.contains('{'));
        if host_dynamic || followed_by_plus_host(&bare, l) {
            ctx.req
                .hide(format!("the host of `{}`, built at run time", l.text));
        }
        ctx.url(&Val {
            text: l.text.clone(),
            dynamic: false,
        });
    }

    let mut method = "GET".to_string();
    let mut pick = |m: &str| {
        let m = m.to_ascii_uppercase();
        if method_rank(&m) > method_rank(&method) {
            method = m;
        }
    };
    // `.delete(`, `requests.post (`: the verb as a call.
    for verb in ["delete", "put", "patch", "post"] {
        if calls(&bare, verb) {
            pick(verb);
        }
    }
    // `method='DELETE'`, `method: "delete"`, `request("DELETE", …)`, `Request(…, "PUT")`.
    for (k, l) in lits.iter().enumerate() {
        if !METHODS.contains(&l.text.to_ascii_uppercase().as_str()) {
            continue;
        }
        let before = bare.get(..l.start).unwrap_or("").trim_end();
        let before = before.trim_end_matches([':', '=', '(', ',']).trim_end();
        // A quoted key (`{"method": "DELETE"}`) is a literal of its own, blanked in `bare`.
        let quoted_key = k.checked_sub(1).and_then(|p| lits.get(p)).is_some_and(|p| {
            p.text == "method" && matches!(bare.get(p.end..l.start).map(str::trim), Some(":" | "="))
        });
        if quoted_key
            || before.ends_with("method")
            || before.ends_with("request")
            || before.ends_with("Request")
        {
            pick(&l.text);
        }
    }
    // A method given as a variable.
    if keyword_then_identifier(&bare, "method") {
        ctx.req.hide("a method chosen at run time");
    }
    // A body makes urllib and fetch send POST.
    if [
        "data=", "data =", "body:", "body :", "json=", "json =", "content=",
    ]
    .iter()
    .any(|k| bare.contains(k))
    {
        pick("POST");
    }
    for k in ["json", "data", "body", "content"] {
        if keyword_then_identifier(&bare, k) {
            ctx.req.hide("a body built at run time");
        }
    }
    ctx.req.method = method;

    for l in &lits {
        if l.text.starts_with("https://") || l.text.starts_with("http://") {
            continue;
        }
        let t = l.text.as_str();
        if !(body::mentions_mutation(t) || t.contains("query")) {
            continue;
        }
        if l.interpolated && body::mentions_mutation(t) {
            ctx.req.hide("a GraphQL document built at run time");
        }
        body::text(t, &mut ctx.req);
    }
    Some(())
}

/// `"https://" + host + "/x"` style: a URL literal that ends at its scheme or host and is
/// continued with `+`.
fn followed_by_plus_host(bare: &str, l: &Lit) -> bool {
    let rest = l.text.split_once("://").map_or("", |(_, r)| r);
    !rest.contains('/')
        && bare
            .get(l.end..)
            .unwrap_or("")
            .trim_start()
            .starts_with('+')
}

/// `.verb(` or `verb(` as a call in the code (`requests.delete(url)`, `axios.put(…)`).
fn calls(bare: &str, verb: &str) -> bool {
    let mut rest = bare;
    while let Some(i) = rest.find(verb) {
        let before = rest.get(..i).and_then(|b| b.chars().next_back());
        let after = rest.get(i + verb.len()..).unwrap_or("");
        rest = after;
        if before == Some('.') && after.trim_start().starts_with('(') {
            return true;
        }
    }
    false
}

/// `key=name` or `key: name` where the value is a variable (not a literal, a dict or a
/// `json.dumps(`/`JSON.stringify(` of one).
fn keyword_then_identifier(bare: &str, key: &str) -> bool {
    let mut rest = bare;
    while let Some(i) = rest.find(key) {
        let before = rest.get(..i).and_then(|b| b.chars().next_back());
        let after = rest.get(i + key.len()..).unwrap_or("");
        rest = after;
        if before.is_some_and(|c| c == '_' || c.is_alphanumeric()) {
            continue;
        }
        let t = after.trim_start();
        let Some(t) = t
            .strip_prefix(':')
            .or_else(|| t.strip_prefix('=').filter(|r| !r.starts_with('=')))
        else {
            continue;
        };
        let mut t = t.trim_start();
        for wrap in ["json.dumps(", "JSON.stringify("] {
            t = t.strip_prefix(wrap).map_or(t, str::trim_start);
        }
        // Blanked literals are spaces, so a literal value leaves nothing before the next
        // delimiter.
        let Some(first) = t.chars().next() else {
            continue;
        };
        if first == '_' || first.is_alphabetic() {
            let word: String = t
                .chars()
                .take_while(|c| *c == '_' || c.is_alphanumeric())
                .collect();
            if !matches!(
                word.as_str(),
                "True" | "False" | "None" | "true" | "false" | "null"
            ) {
                return true;
            }
        }
    }
    false
}

/// The string literals of the code, in order.
fn literals(src: &str, lang: Lang) -> Vec<Lit> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match (lang, c) {
            (Lang::Python, b'#') => i = line_end(b, i),
            (Lang::Js, b'/') if b.get(i + 1) == Some(&b'/') => i = line_end(b, i),
            (Lang::Js, b'/') if b.get(i + 1) == Some(&b'*') => {
                i = find(b, i + 2, b"*/").map_or(b.len(), |e| e + 2);
            }
            (_, b'\'' | b'"') | (Lang::Js, b'`') => {
                let (prefix, raw, fstring) = match lang {
                    Lang::Python => python_prefix(b, i),
                    Lang::Js => (0, false, c == b'`'),
                };
                let lit = scan(src, i, lang, raw, fstring);
                let start = i - prefix;
                i = lit.end.max(i + 1);
                out.push(Lit { start, ..lit });
            }
            _ => i += 1,
        }
    }
    out
}

/// Python string prefix letters just before a quote: their length, raw, f-string.
fn python_prefix(b: &[u8], quote: usize) -> (usize, bool, bool) {
    let mut k = quote;
    while k > 0 && quote - k < 2 && b.get(k - 1).is_some_and(|c| b"rRbBuUfF".contains(c)) {
        k -= 1;
    }
    // The letters must start a token (`rb"…"`, not `for"…"`).
    if k > 0
        && b.get(k - 1)
            .is_some_and(|c| *c == b'_' || c.is_ascii_alphanumeric())
    {
        return (0, false, false);
    }
    let letters = b.get(k..quote).unwrap_or(&[]);
    let has = |x: u8| letters.iter().any(|c| c.to_ascii_lowercase() == x);
    (quote - k, has(b'r'), has(b'f'))
}

fn line_end(b: &[u8], i: usize) -> usize {
    b.get(i..)
        .and_then(|r| r.iter().position(|c| *c == b'\n'))
        .map_or(b.len(), |p| i + p)
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// Scan the literal whose quote is at `i`. `end` is just past its closing quote (or the end
/// of the text when it is not closed).
fn scan(src: &str, i: usize, lang: Lang, raw: bool, interpolating: bool) -> Lit {
    let b = src.as_bytes();
    let q = b.get(i).copied().unwrap_or(b'"');
    let triple = lang == Lang::Python && b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
    let open = if triple { 3 } else { 1 };
    let mut j = i + open;
    let mut interpolated = false;
    let mut text = String::new();
    let body_start = j;
    let mut body_end = b.len();
    let mut end = b.len();
    while let Some(&c) = b.get(j) {
        if c == b'\\' {
            j += 2;
            continue;
        }
        if lang == Lang::Js && q == b'`' && c == b'$' && b.get(j + 1) == Some(&b'{') {
            interpolated = true;
        }
        if lang == Lang::Python && interpolating && c == b'{' {
            if b.get(j + 1) == Some(&b'{') {
                j += 2;
                continue;
            }
            interpolated = true;
        }
        let closes = if triple {
            b.get(j..j + 3) == Some(&[q, q, q][..])
        } else {
            c == q
        };
        if closes {
            body_end = j;
            end = j + open;
            break;
        }
        if !triple && q != b'`' && c == b'\n' {
            body_end = j;
            end = j;
            break;
        }
        j += 1;
    }
    let inner = src.get(body_start..body_end.min(b.len())).unwrap_or("");
    if raw {
        text.push_str(inner);
    } else {
        unescape(inner, &mut text);
    }
    Lit {
        text,
        interpolated,
        start: i,
        end,
    }
}

/// The escapes shared by Python and JavaScript string literals.
fn unescape(s: &str, out: &mut String) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        let hex = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize| {
            let mut v: u32 = 0;
            for _ in 0..n {
                let d = chars.peek().and_then(|c| c.to_digit(16))?;
                v = v * 16 + d;
                chars.next();
            }
            char::from_u32(v)
        };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            '\n' => {}
            'x' => out.push(hex(&mut chars, 2).unwrap_or('\u{FFFD}')),
            'u' if chars.peek() == Some(&'{') => {
                chars.next();
                let mut v: u32 = 0;
                while let Some(d) = chars.peek().and_then(|c| c.to_digit(16)) {
                    v = v.saturating_mul(16).saturating_add(d);
                    chars.next();
                }
                if chars.peek() == Some(&'}') {
                    chars.next();
                }
                out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
            }
            'u' => out.push(hex(&mut chars, 4).unwrap_or('\u{FFFD}')),
            'U' => out.push(hex(&mut chars, 8).unwrap_or('\u{FFFD}')),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str, lang: Lang) -> Vec<String> {
        literals(src, lang).into_iter().map(|l| l.text).collect()
    }

    #[test]
    fn string_literals() {
        assert_eq!(
            texts(r#"f(r'a\n', "b\"c", '''d'e''') # 'x'"#, Lang::Python),
            vec!["a\\n", "b\"c", "d'e"]
        );
        assert_eq!(texts("x = 'é\\u0041'", Lang::Python), vec!["éA"]);
        assert_eq!(
            texts(
                "fetch(`${u}/x`, {body: \"{\\\"a\\\":1}\"}) // 'c'",
                Lang::Js
            ),
            vec!["${u}/x", "{\"a\":1}"]
        );
        let l = literals("f'https://{h}/x'", Lang::Python);
        assert!(l.first().is_some_and(|l| l.interpolated && l.start == 0));
        assert!(
            !literals("f'{{x}}'", Lang::Python)
                .iter()
                .any(|l| l.interpolated)
        );
        assert_eq!(texts("'unterminated", Lang::Js), vec!["unterminated"]);
    }

    #[test]
    fn call_shapes() {
        assert!(calls("requests.delete (u)", "delete"));
        assert!(!calls("deleted(u)", "delete"));
        assert!(keyword_then_identifier(
            "requests.post(u, json=payload)",
            "json"
        ));
        assert!(!keyword_then_identifier(
            "requests.post(u, json={ })",
            "json"
        ));
        assert!(!keyword_then_identifier(
            "fetch(u, {body: JSON.stringify({ })})",
            "body"
        ));
        assert!(keyword_then_identifier("fetch(u, {method: m})", "method"));
        assert!(!keyword_then_identifier("fetch(u, {method:   })", "method"));
    }
}
