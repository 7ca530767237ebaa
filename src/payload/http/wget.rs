//! GNU wget's command line: `--method=`, `--post-data=`, `--post-file=`, `--body-data=`,
//! `--body-file=`, and the same settings given as `.wgetrc` commands with `-e`. Long
//! options may be abbreviated (getopt) and take `=value` or the next word.

use super::{Ctx, Val, long_option};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opt {
    Flag,
    Value,
    Method,
    PostData,
    PostFile,
    BodyData,
    BodyFile,
    /// `-i`: URLs from a file.
    InputFile,
    /// `-e`: a `.wgetrc` command.
    Execute,
    /// `--config`: settings from a file guardsh does not read.
    Config,
    /// `--help`, `--version`.
    Exit,
}

use Opt::*;

/// wget's long options that take a value, and the few that matter here.
const LONG: &[(&str, Opt)] = &[
    ("accept", Value),
    ("accept-regex", Value),
    ("append-output", Value),
    ("backups", Value),
    ("base", Value),
    ("bind-address", Value),
    ("bind-dns-address", Value),
    ("body-data", BodyData),
    ("body-file", BodyFile),
    ("ca-certificate", Value),
    ("ca-directory", Value),
    ("certificate", Value),
    ("certificate-type", Value),
    ("ciphers", Value),
    ("compression", Value),
    ("config", Config),
    ("connect-timeout", Value),
    ("crl-file", Value),
    ("cut-dirs", Value),
    ("default-page", Value),
    ("directory-prefix", Value),
    ("dns-servers", Value),
    ("dns-timeout", Value),
    ("domains", Value),
    ("exclude-directories", Value),
    ("exclude-domains", Value),
    ("execute", Execute),
    ("follow-tags", Value),
    ("ftp-password", Value),
    ("ftp-user", Value),
    ("header", Value),
    ("help", Exit),
    ("hsts-file", Value),
    ("http-password", Value),
    ("http-user", Value),
    ("ignore-tags", Value),
    ("include-directories", Value),
    ("input-file", InputFile),
    ("level", Value),
    ("limit-rate", Value),
    ("load-cookies", Value),
    ("local-encoding", Value),
    ("max-redirect", Value),
    ("method", Method),
    ("output-document", Value),
    ("output-file", Value),
    ("password", Value),
    ("pinnedpubkey", Value),
    ("post-data", PostData),
    ("post-file", PostFile),
    ("prefer-family", Value),
    ("private-key", Value),
    ("private-key-type", Value),
    ("progress", Value),
    ("proxy-password", Value),
    ("proxy-user", Value),
    ("quota", Value),
    ("read-timeout", Value),
    ("referer", Value),
    ("regex-type", Value),
    ("reject", Value),
    ("reject-regex", Value),
    ("rejected-log", Value),
    ("remote-encoding", Value),
    ("report-speed", Value),
    ("restrict-file-names", Value),
    ("retry-on-http-error", Value),
    ("save-cookies", Value),
    ("secure-protocol", Value),
    ("start-pos", Value),
    ("timeout", Value),
    ("tries", Value),
    ("use-askpass", Value),
    ("user", Value),
    ("user-agent", Value),
    ("version", Exit),
    ("wait", Value),
    ("waitretry", Value),
    ("warc-cdx", Flag),
    ("warc-dedup", Value),
    ("warc-file", Value),
    ("warc-header", Value),
    ("warc-max-size", Value),
    ("warc-tempdir", Value),
];

fn short(c: char) -> Opt {
    match c {
        'e' => Execute,
        'i' => InputFile,
        'h' | 'V' => Exit,
        // `-n` takes letters (`-nv`, `-nc`, `-np`).
        'o' | 'a' | 'B' | 't' | 'O' | 'T' | 'w' | 'Q' | 'P' | 'U' | 'l' | 'A' | 'R' | 'D' | 'X'
        | 'I' | 'n' => Value,
        _ => Flag,
    }
}

/// Read wget's argv into the request.
pub(super) fn read(ctx: &mut Ctx<'_>) -> Option<()> {
    let args = ctx.args();
    // Set on the line, these point wget at a startup file guardsh does not read.
    let rc = ["WGETRC", "SYSTEM_WGETRC", "HOME"];
    if ctx
        .cmd
        .assignments
        .iter()
        .any(|a| rc.contains(&a.name.as_str()))
    {
        ctx.req
            .hide("settings from a .wgetrc the line points wget at, which guardsh does not read");
    }
    let mut settings: Vec<(Opt, Val)> = Vec::new();
    let mut urls = Vec::new();
    let mut options = true;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let t = w.text.as_str();
        let next = |i: &mut usize| {
            let v = args.get(*i).map(Val::of);
            *i += 1;
            v
        };
        if options && t == "--" {
            options = false;
        } else if options && t.len() > 2 && t.starts_with("--") {
            let body = t.get(2..).unwrap_or("");
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(Val::part(w, v))),
                None => (body, None),
            };
            // `--no-…` switches a flag off; anything unknown is taken as a flag.
            let opt = long_option(LONG, name).unwrap_or(Flag);
            match opt {
                Exit => return None,
                Flag => {}
                _ => {
                    if let Some(v) = inline.or_else(|| next(&mut i)) {
                        settings.push((opt, v));
                    }
                }
            }
        } else if options && t.len() > 1 && t.starts_with('-') {
            let letters = t.get(1..).unwrap_or("");
            for (k, c) in letters.char_indices() {
                let opt = short(c);
                if opt == Exit {
                    return None;
                }
                if opt != Flag {
                    let rest = letters.get(k + c.len_utf8()..).unwrap_or("");
                    let v = if rest.is_empty() {
                        next(&mut i)
                    } else {
                        Some(Val::part(w, rest))
                    };
                    if let Some(v) = v {
                        settings.push((opt, v));
                    }
                    break;
                }
            }
        } else {
            urls.push(Val::of(w));
        }
    }

    let mut method = None;
    let mut posts = false;
    for (opt, v) in &settings {
        let (opt, v) = match opt {
            Execute => match wgetrc(v) {
                Some(pair) => pair,
                None => continue,
            },
            _ => (*opt, v.clone()),
        };
        match opt {
            Method => method = Some(v),
            PostData | BodyData => {
                posts = true;
                ctx.body(&v);
            }
            PostFile | BodyFile => {
                posts = true;
                if let Some(text) = ctx.file(&v, "the body") {
                    ctx.body(&Val {
                        text,
                        dynamic: false,
                    });
                }
            }
            InputFile => ctx.req.hide(format!("URLs read from `{}`", v.text)),
            Config => ctx
                .req
                .hide("settings from a wget config file, which guardsh does not read"),
            _ => {}
        }
    }
    for u in &urls {
        ctx.url(u);
    }
    match method {
        Some(m) => ctx.method(&m),
        // wget refuses --body-data without --method; if it did not, it would POST.
        None if posts => ctx.req.method = "POST".to_string(),
        None => ctx.req.method = "GET".to_string(),
    }
    Some(())
}

/// A `.wgetrc` command given with `-e` (`method = DELETE`, `post_data=…`), as the option it
/// stands for. Names ignore case, `-` and `_`.
fn wgetrc(v: &Val) -> Option<(Opt, Val)> {
    let (name, value) = v.text.split_once('=')?;
    let name: String = name
        .trim()
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    let opt = match name.as_str() {
        "method" => Method,
        "postdata" => PostData,
        "postfile" => PostFile,
        "bodydata" => BodyData,
        "bodyfile" => BodyFile,
        "input" => InputFile,
        _ => return None,
    };
    Some((opt, Val::part_of(v, value.trim())))
}
