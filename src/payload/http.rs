//! HTTP requests made by `curl`, `wget`, HTTPie (`http`/`https`), `xh`/`xhs`, `gh api`,
//! `railway api` and `python -c` / `node -e` one-liners: the method, the URLs, and the
//! GraphQL mutations the body runs.
//!
//! Each client has its own file that reads argv the way that client does, so that an
//! option's value is never taken for a URL and a body is found wherever the client takes it
//! from (an argument, `@file`, standard input). `body` reads what a body asks a GraphQL
//! server to run and `graphql` is the small document reader behind it.
//!
//! Everything here leans towards refusing: what cannot be seen (a body in an unreadable file,
//! a host in a variable, a document that does not parse) sets [`Request::hidden`] with a
//! reason, and when a document cannot be parsed but mentions `mutation`, every name in it
//! counts as a mutation.

mod body;
mod curl;
mod gh;
mod graphql;
mod httpie;
pub(super) mod input;
mod railway;
mod script;
#[cfg(test)]
mod tests;
mod wget;

use serde::Serialize;

use crate::parse::{Command, Script, Word};

/// The largest body (or file, or standard input) guardsh reads; anything larger is hidden.
const MAX_BODY: usize = 1 << 20;
/// At most this many mutations are kept for one request.
const MAX_MUTATIONS: usize = 10_000;
/// At most this many reasons for `hidden` are kept.
const MAX_REASONS: usize = 16;

/// One HTTP request a command makes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Request {
    /// Upper-case method (`GET`, `POST`, `DELETE`). When one command makes several requests
    /// (`curl … --next …`), the most destructive of their methods.
    pub method: String,
    /// The URLs requested, as written after quote removal (host and path are what rules
    /// read; HTTPie's `:3000/x` shorthand is written out as `localhost:3000/x`, `gh api`
    /// endpoints as full `https://api.github.com/…` URLs).
    pub urls: Vec<String>,
    /// GraphQL root fields of the `mutation` operations in the body (`volumeDelete`), with
    /// JSON escapes decoded, aliases and fragments seen through, and only the operation that
    /// `operationName` picks. When a document could not be parsed but mentions `mutation`,
    /// every name in it is listed (and `hidden` is set).
    pub mutations: Vec<String>,
    /// Part of the request could not be seen (a body from an unreadable file, stdin from a
    /// program, a host or method in a variable, a document that does not parse).
    pub hidden: bool,
    /// Why `hidden` is set, one short phrase per reason, for messages and `explain`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hidden_why: Vec<String>,
}

impl Request {
    /// Mark part of the request as unseen, saying what.
    fn hide(&mut self, why: impl Into<String>) {
        self.hidden = true;
        let why = why.into();
        if self.hidden_why.len() < MAX_REASONS && !self.hidden_why.contains(&why) {
            self.hidden_why.push(why);
        }
    }

    fn add_mutation(&mut self, name: String) {
        if self.mutations.len() < MAX_MUTATIONS && !self.mutations.contains(&name) {
            self.mutations.push(name);
        }
    }
}

/// The request `cmd` makes, or `None` when it is not an HTTP client (or makes no request,
/// like `curl --version`). `script` is the whole analysis, for a body fed by an earlier
/// pipeline stage.
pub fn request(cmd: &Command, script: &Script) -> Option<Request> {
    let program = cmd.program()?;
    let mut ctx = Ctx {
        cmd,
        script,
        req: Request::default(),
        reader: input::Reader::new(script),
    };
    let found = match program {
        "curl" => curl::read(&mut ctx),
        "wget" => wget::read(&mut ctx),
        "http" | "https" | "xh" | "xhs" => httpie::read(&mut ctx, program),
        "gh" => gh::read(&mut ctx),
        "railway" => railway::read(&mut ctx),
        p => script::read(&mut ctx, p),
    };
    found?;
    let Ctx {
        mut req, reader, ..
    } = ctx;
    for why in reader.doubts {
        req.hide(why);
    }
    // A GraphQL document may also travel in the URL (`?query=mutation…`).
    for u in req.urls.clone() {
        body::url(&u, &mut req);
    }
    if req.method.is_empty() {
        req.method = "GET".to_string();
    }
    Some(req)
}

/// Host (lower-cased, without port or credentials) and path of a URL; a URL without a
/// scheme is read as `host/path`, as curl does.
pub fn split_url(url: &str) -> (String, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host.starts_with('[') {
        host.split(']')
            .next()
            .map_or(host, |h| h.trim_start_matches('['))
    } else {
        host.split(':').next().unwrap_or(host)
    };
    // `backboard.railway.com.` is the same host to the resolver.
    (host.trim_end_matches('.').to_ascii_lowercase(), path)
}

/// One value of an argument: a whole word, or the part after `=` or a short option letter.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Val {
    text: String,
    dynamic: bool,
}

impl Val {
    fn of(w: &Word) -> Self {
        Val {
            text: w.text.clone(),
            dynamic: !w.is_literal(),
        }
    }

    /// Part of word `w`.
    fn part(w: &Word, text: &str) -> Self {
        Val {
            text: text.to_string(),
            dynamic: !w.is_literal(),
        }
    }

    /// Part of another value, keeping its dynamic flag.
    fn part_of(v: &Val, text: &str) -> Self {
        Val {
            text: text.to_string(),
            dynamic: v.dynamic,
        }
    }
}

/// What a client reader works with: the command, the whole script, the request being built.
struct Ctx<'a> {
    cmd: &'a Command,
    script: &'a Script,
    req: Request,
    reader: input::Reader<'a>,
}

impl<'a> Ctx<'a> {
    /// The arguments after the program name.
    fn args(&self) -> &'a [Word] {
        self.cmd.argv.get(1..).unwrap_or(&[])
    }

    /// A URL as written. A host the shell fills in at run time hides the request's target;
    /// a dynamic path does not (the host is what rules mostly read).
    fn url(&mut self, v: &Val) {
        if v.dynamic {
            let (host, _) = split_url(&v.text);
            if host.is_empty() || host.contains(['$', '`']) {
                self.req
                    .hide(format!("the host of `{}`, known only at run time", v.text));
            }
        }
        if !self.req.urls.contains(&v.text) {
            self.req.urls.push(v.text.clone());
        }
    }

    /// A body given in an argument.
    fn body(&mut self, v: &Val) {
        if v.dynamic {
            self.req.hide("a body with shell expansions in it");
        }
        body::text(&v.text, &mut self.req);
    }

    /// The text of the file a value names, or `None` (and hidden) when it cannot be read.
    fn file(&mut self, path: &Val, what: &str) -> Option<String> {
        if path.dynamic {
            self.req.hide(format!(
                "{what} from `{}`, a file named at run time",
                path.text
            ));
            return None;
        }
        match self.reader.file(&path.text, false) {
            Ok(text) => Some(text),
            Err(why) => {
                self.req.hide(format!("{what} from {why}"));
                None
            }
        }
    }

    /// What the command reads on standard input, or `None` (hidden) when guardsh cannot see
    /// it. `absent_hides` says whether a missing source means the terminal's or the agent's
    /// standard input (read by `-d @-`) rather than no body at all (HTTPie, which only reads
    /// standard input when it is redirected).
    fn stdin(&mut self, what: &str, absent_hides: bool) -> Option<Val> {
        match self.reader.stdin(self.cmd, self.script) {
            input::Source::Text { text, dynamic } => Some(Val { text, dynamic }),
            input::Source::Absent => {
                if absent_hides {
                    self.req.hide(format!(
                        "{what} from the line's standard input, which guardsh does not see"
                    ));
                }
                None
            }
            input::Source::Hidden(why) => {
                self.req.hide(format!("{what} from {why}"));
                None
            }
        }
    }

    /// `@-` reads standard input, `@path` a file: the text either names.
    fn at_source(&mut self, target: &Val, what: &str) -> Option<Val> {
        if target.text == "-" {
            self.stdin(what, true)
        } else {
            self.file(target, what).map(|text| Val {
                text,
                dynamic: false,
            })
        }
    }

    /// Set the method as written; a method chosen at run time is hidden.
    fn method(&mut self, v: &Val) {
        if v.dynamic {
            self.req
                .hide(format!("the method `{}`, known only at run time", v.text));
        }
        self.req.method = v.text.to_ascii_uppercase();
    }
}

/// How destructive a method is, for choosing one when a command makes several requests.
fn method_rank(m: &str) -> u8 {
    match m {
        "DELETE" => 6,
        "PUT" => 5,
        "PATCH" => 4,
        "POST" => 3,
        "GET" | "HEAD" | "OPTIONS" | "TRACE" | "" => 1,
        // A custom method (`PURGE`) may do anything a POST does.
        _ => 2,
    }
}

/// Resolve a long option written in full or as an unambiguous prefix (curl before 8.x,
/// GNU getopt and argparse all accept `--requ` for `--request`). Exact names win.
fn long_option<'t, T: Copy>(table: &'t [(&'t str, T)], name: &str) -> Option<T> {
    if let Some((_, t)) = table.iter().find(|(n, _)| *n == name) {
        return Some(*t);
    }
    if name.is_empty() {
        return None;
    }
    let mut hits = table.iter().filter(|(n, _)| n.starts_with(name));
    match (hits.next(), hits.next()) {
        (Some((_, t)), None) => Some(*t),
        _ => None,
    }
}
