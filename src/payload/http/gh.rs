//! `gh api ENDPOINT`: the endpoint is a path under `https://api.github.com/` (or the
//! `--hostname`'s `/api/v3/`) unless it is a full URL; `graphql` is the GraphQL endpoint,
//! whose `query` and `operationName` come from `-f`/`-F` fields. Fields imply POST;
//! `--input FILE|-` gives the body as is.

use super::{Ctx, Val, body};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opt {
    Flag,
    Value,
    Method,
    RawField,
    Field,
    Input,
    Hostname,
}

use Opt::*;

fn long(name: &str) -> Opt {
    match name {
        "method" => Method,
        "raw-field" => RawField,
        "field" => Field,
        "input" => Input,
        "hostname" => Hostname,
        "header" | "jq" | "template" | "cache" | "preview" => Value,
        _ => Flag,
    }
}

fn short(c: char) -> Opt {
    match c {
        'X' => Method,
        'f' => RawField,
        'F' => Field,
        'H' | 'q' | 't' | 'p' => Value,
        _ => Flag,
    }
}

/// Read `gh api …` into the request; any other `gh` command makes no request of its own.
pub(super) fn read(ctx: &mut Ctx<'_>) -> Option<()> {
    let args = ctx.args();
    if args.first().map(|w| w.text.as_str()) != Some("api") {
        return None;
    }
    let args = args.get(1..).unwrap_or(&[]);
    let mut settings: Vec<(Opt, Val)> = Vec::new();
    let mut endpoint = None;
    let mut options = true;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let t = w.text.as_str();
        if options && t == "--" {
            options = false;
        } else if options && (t == "--help" || t == "-h") {
            return None;
        } else if options && t.len() > 2 && t.starts_with("--") {
            let body = t.get(2..).unwrap_or("");
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(Val::part(w, v))),
                None => (body, None),
            };
            let opt = long(name);
            if opt != Flag {
                let v = inline.or_else(|| {
                    let v = args.get(i).map(Val::of);
                    i += 1;
                    v
                });
                if let Some(v) = v {
                    settings.push((opt, v));
                }
            }
        } else if options && t.len() > 1 && t.starts_with('-') {
            // pflag bundles short flags; the first one taking a value ends the bundle.
            let letters = t.get(1..).unwrap_or("");
            for (k, c) in letters.char_indices() {
                let opt = short(c);
                if opt == Flag {
                    continue;
                }
                let rest = letters.get(k + c.len_utf8()..).unwrap_or("");
                let rest = rest.strip_prefix('=').unwrap_or(rest);
                let v = if rest.is_empty() {
                    let v = args.get(i).map(Val::of);
                    i += 1;
                    v
                } else {
                    Some(Val::part(w, rest))
                };
                if let Some(v) = v {
                    settings.push((opt, v));
                }
                break;
            }
        } else if endpoint.is_none() {
            endpoint = Some(Val::of(w));
        }
    }
    let endpoint = endpoint?;

    let host = settings
        .iter()
        .rev()
        .find(|(o, _)| *o == Hostname)
        .map(|(_, v)| v.clone())
        .or_else(|| {
            ctx.cmd
                .assignments
                .iter()
                .rev()
                .find(|a| a.name == "GH_HOST")
                .map(|a| Val::of(&a.value))
        });
    let url = endpoint_url(&endpoint, host.as_ref());
    ctx.url(&url);

    let mut method = None;
    let mut fields = Vec::new();
    let mut sends = false;
    for (opt, v) in &settings {
        match opt {
            Method => method = Some(v.clone()),
            RawField | Field => {
                sends = true;
                let Some((key, value)) = v.text.split_once('=') else {
                    continue;
                };
                if v.dynamic {
                    ctx.req.hide("a field with shell expansions in it");
                }
                // `-F key=@file` reads the value from a file (`@-`: standard input).
                let value = match value.strip_prefix('@') {
                    Some(path) if *opt == Field => {
                        match ctx.at_source(&Val::part_of(v, path), "a field") {
                            Some(loaded) => loaded.text,
                            None => continue,
                        }
                    }
                    _ => value.to_string(),
                };
                fields.push((key.to_string(), value));
            }
            Input => {
                sends = true;
                if let Some(loaded) = ctx.at_source(v, "the body") {
                    ctx.body(&loaded);
                }
            }
            _ => {}
        }
    }
    if !fields.is_empty() {
        body::fields(&fields, &mut ctx.req);
    }
    match method {
        Some(m) => ctx.method(&m),
        None if sends => ctx.req.method = "POST".to_string(),
        None => ctx.req.method = "GET".to_string(),
    }
    Some(())
}

/// The URL `gh api` requests for an endpoint, as gh builds it.
fn endpoint_url(endpoint: &Val, host: Option<&Val>) -> Val {
    if endpoint.text.starts_with("https://") || endpoint.text.starts_with("http://") {
        return endpoint.clone();
    }
    let path = endpoint.text.trim_start_matches('/');
    let enterprise = host.filter(|h| !matches!(h.text.as_str(), "github.com" | "api.github.com"));
    let text = match (enterprise, path) {
        (None, "graphql") => "https://api.github.com/graphql".to_string(),
        (None, _) => format!("https://api.github.com/{path}"),
        (Some(h), "graphql") => format!("https://{}/api/graphql", h.text),
        (Some(h), _) => format!("https://{}/api/v3/{path}", h.text),
    };
    // The host is fixed unless --hostname is a variable: a variable path stays a path.
    Val {
        text,
        dynamic: enterprise.is_some_and(|h| h.dynamic),
    }
}
