//! curl's command line, read the way curl reads it (`tool_getparam.c`): every option that
//! takes a value is known so its value is never taken for a URL; short options bundle
//! (`-sSXDELETE`); long options may be abbreviated (curl before 8.x accepted any unique
//! prefix) and are also read with `=value`, which curl refuses but which costs nothing to
//! understand; `--next` starts another request.
//!
//! The body is every `-d`/`--data*`/`--json`/`-F` piece: each is read on its own (so a
//! GraphQL document in one piece is found whatever the others hold) and all of them joined
//! with `&` as curl sends them.

use super::{Ctx, Val, body, long_option, method_rank};

/// What an option means to guardsh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opt {
    /// No value, no effect on the request's target or body.
    Flag,
    /// Takes a value that does not matter here (`-H`, `-o`, `-u`, `-w`, …).
    Value,
    /// `-d`, `--data`, `--data-ascii`: `@file` is read with newlines removed.
    Data,
    /// `--data-binary`: `@file` is read as is.
    DataBinary,
    /// `--data-raw`: no `@` reading.
    DataRaw,
    /// `--data-urlencode`: `name=content`, `name@file`, `=content`, `content`.
    DataUrlencode,
    /// `--json`: like `--data-binary`, pieces joined without `&`.
    Json,
    /// `-F`, `--form`: `name=content`, `name=@file`, `name=<file`.
    Form,
    /// `--form-string`: `name=content`, taken literally.
    FormString,
    /// `-X`, `--request`.
    Request,
    /// `--url`.
    Url,
    /// `--url-query`: like `--data-urlencode`, into the URL.
    UrlQuery,
    /// `-G`, `--get`: the data goes into the URL and the method is GET.
    Get,
    /// `-I`, `--head`.
    Head,
    /// `-T`, `--upload-file`: PUT a file.
    Upload,
    /// `-g`, `--globoff`: no `{a,b}` expansion in URLs.
    Globoff,
    /// `-K`, `--config`: more options from a file guardsh does not read.
    Config,
    /// `-:`, `--next`.
    Next,
    /// `--help`, `--version`, `--manual`: curl prints and exits without a request.
    Exit,
}

impl Opt {
    fn takes_value(self) -> bool {
        !matches!(
            self,
            Opt::Flag | Opt::Get | Opt::Head | Opt::Globoff | Opt::Next | Opt::Exit
        )
    }
}

use Opt::*;

/// Every long option of curl 8.x (and a few older ones), with what it means here.
const LONG: &[(&str, Opt)] = &[
    ("abstract-unix-socket", Value),
    ("alpn", Flag),
    ("alt-svc", Value),
    ("anyauth", Flag),
    ("append", Flag),
    ("aws-sigv4", Value),
    ("basic", Flag),
    ("buffer", Flag),
    ("ca-native", Flag),
    ("cacert", Value),
    ("capath", Value),
    ("cert", Value),
    ("cert-status", Flag),
    ("cert-type", Value),
    ("ciphers", Value),
    ("clobber", Flag),
    ("compressed", Flag),
    ("compressed-ssh", Flag),
    ("config", Config),
    ("connect-timeout", Value),
    ("connect-to", Value),
    ("continue-at", Value),
    ("cookie", Value),
    ("cookie-jar", Value),
    ("create-dirs", Flag),
    ("create-file-mode", Value),
    ("crlf", Flag),
    ("crlfile", Value),
    ("curves", Value),
    ("data", Data),
    ("data-ascii", Data),
    ("data-binary", DataBinary),
    ("data-raw", DataRaw),
    ("data-urlencode", DataUrlencode),
    ("delegation", Value),
    ("digest", Flag),
    ("disable", Flag),
    ("disable-eprt", Flag),
    ("disable-epsv", Flag),
    ("disallow-username-in-url", Flag),
    ("dns-interface", Value),
    ("dns-ipv4-addr", Value),
    ("dns-ipv6-addr", Value),
    ("dns-servers", Value),
    ("doh-cert-status", Flag),
    ("doh-insecure", Flag),
    ("doh-url", Value),
    ("dump-ca-embed", Flag),
    ("dump-header", Value),
    ("ech", Value),
    ("egd-file", Value),
    ("engine", Value),
    ("eprt", Flag),
    ("epsv", Flag),
    ("etag-compare", Value),
    ("etag-save", Value),
    ("expect100-timeout", Value),
    ("fail", Flag),
    ("fail-early", Flag),
    ("fail-with-body", Flag),
    ("false-start", Flag),
    ("follow", Flag),
    ("form", Form),
    ("form-escape", Flag),
    ("form-string", FormString),
    ("ftp-account", Value),
    ("ftp-alternative-to-user", Value),
    ("ftp-create-dirs", Flag),
    ("ftp-method", Value),
    ("ftp-pasv", Flag),
    ("ftp-port", Value),
    ("ftp-pret", Flag),
    ("ftp-skip-pasv-ip", Flag),
    ("ftp-ssl", Flag),
    ("ftp-ssl-ccc", Flag),
    ("ftp-ssl-ccc-mode", Value),
    ("ftp-ssl-control", Flag),
    ("ftp-ssl-reqd", Flag),
    ("get", Get),
    ("globoff", Globoff),
    ("happy-eyeballs-timeout-ms", Value),
    ("haproxy-clientip", Value),
    ("haproxy-protocol", Flag),
    ("head", Head),
    ("header", Value),
    ("help", Exit),
    ("hostpubmd5", Value),
    ("hostpubsha256", Value),
    ("hsts", Value),
    ("http0.9", Flag),
    ("http1.0", Flag),
    ("http1.1", Flag),
    ("http2", Flag),
    ("http2-prior-knowledge", Flag),
    ("http3", Flag),
    ("http3-only", Flag),
    ("ignore-content-length", Flag),
    ("include", Flag),
    ("insecure", Flag),
    ("interface", Value),
    ("ip-tos", Value),
    ("ipfs-gateway", Value),
    ("ipv4", Flag),
    ("ipv6", Flag),
    ("json", Json),
    ("junk-session-cookies", Flag),
    ("keepalive", Flag),
    ("keepalive-cnt", Value),
    ("keepalive-time", Value),
    ("key", Value),
    ("key-type", Value),
    ("knownhosts", Value),
    ("krb", Value),
    ("krb4", Value),
    ("libcurl", Value),
    ("limit-rate", Value),
    ("list-only", Flag),
    ("local-port", Value),
    ("location", Flag),
    ("location-trusted", Flag),
    ("login-options", Value),
    ("mail-auth", Value),
    ("mail-from", Value),
    ("mail-rcpt", Value),
    ("mail-rcpt-allowfails", Flag),
    ("manual", Exit),
    ("max-filesize", Value),
    ("max-redirs", Value),
    ("max-time", Value),
    ("metalink", Flag),
    ("mptcp", Flag),
    ("negotiate", Flag),
    ("netrc", Flag),
    ("netrc-file", Value),
    ("netrc-optional", Flag),
    ("next", Next),
    ("noproxy", Value),
    ("npn", Flag),
    ("ntlm", Flag),
    ("ntlm-wb", Flag),
    ("oauth2-bearer", Value),
    ("out-null", Flag),
    ("output", Value),
    ("output-dir", Value),
    ("parallel", Flag),
    ("parallel-immediate", Flag),
    ("parallel-max", Value),
    ("parallel-max-host", Value),
    ("pass", Value),
    ("path-as-is", Flag),
    ("pinnedpubkey", Value),
    ("post301", Flag),
    ("post302", Flag),
    ("post303", Flag),
    ("preproxy", Value),
    ("progress-bar", Flag),
    ("progress-meter", Flag),
    ("proto", Value),
    ("proto-default", Value),
    ("proto-redir", Value),
    ("proxy", Value),
    ("proxy-anyauth", Flag),
    ("proxy-basic", Flag),
    ("proxy-ca-native", Flag),
    ("proxy-cacert", Value),
    ("proxy-capath", Value),
    ("proxy-cert", Value),
    ("proxy-cert-type", Value),
    ("proxy-ciphers", Value),
    ("proxy-crlfile", Value),
    ("proxy-digest", Flag),
    ("proxy-header", Value),
    ("proxy-http2", Flag),
    ("proxy-insecure", Flag),
    ("proxy-key", Value),
    ("proxy-key-type", Value),
    ("proxy-negotiate", Flag),
    ("proxy-ntlm", Flag),
    ("proxy-pass", Value),
    ("proxy-pinnedpubkey", Value),
    ("proxy-service-name", Value),
    ("proxy-ssl-allow-beast", Flag),
    ("proxy-ssl-auto-client-cert", Flag),
    ("proxy-tls13-ciphers", Value),
    ("proxy-tlsauthtype", Value),
    ("proxy-tlspassword", Value),
    ("proxy-tlsuser", Value),
    ("proxy-tlsv1", Flag),
    ("proxy-user", Value),
    ("proxy1.0", Value),
    ("proxytunnel", Flag),
    ("pubkey", Value),
    ("quote", Value),
    ("random-file", Value),
    ("range", Value),
    ("rate", Value),
    ("raw", Flag),
    ("referer", Value),
    ("remote-header-name", Flag),
    ("remote-name", Flag),
    ("remote-name-all", Flag),
    ("remote-time", Flag),
    ("remove-on-error", Flag),
    ("request", Request),
    ("request-target", Value),
    ("resolve", Value),
    ("retry", Value),
    ("retry-all-errors", Flag),
    ("retry-connrefused", Flag),
    ("retry-delay", Value),
    ("retry-max-time", Value),
    ("sasl-authzid", Value),
    ("sasl-ir", Flag),
    ("service-name", Value),
    ("sessionid", Flag),
    ("show-error", Flag),
    ("show-headers", Flag),
    ("sigalgs", Value),
    ("silent", Flag),
    ("skip-existing", Flag),
    ("socks4", Value),
    ("socks4a", Value),
    ("socks5", Value),
    ("socks5-basic", Flag),
    ("socks5-gssapi", Flag),
    ("socks5-gssapi-nec", Flag),
    ("socks5-gssapi-service", Value),
    ("socks5-hostname", Value),
    ("speed-limit", Value),
    ("speed-time", Value),
    ("ssl", Flag),
    ("ssl-allow-beast", Flag),
    ("ssl-auto-client-cert", Flag),
    ("ssl-no-revoke", Flag),
    ("ssl-reqd", Flag),
    ("ssl-revoke-best-effort", Flag),
    ("ssl-sessions", Value),
    ("sslv2", Flag),
    ("sslv3", Flag),
    ("stderr", Value),
    ("styled-output", Flag),
    ("suppress-connect-headers", Flag),
    ("tcp-fastopen", Flag),
    ("tcp-nodelay", Flag),
    ("telnet-option", Value),
    ("tftp-blksize", Value),
    ("tftp-no-options", Flag),
    ("time-cond", Value),
    ("tls-earlydata", Flag),
    ("tls-max", Value),
    ("tls13-ciphers", Value),
    ("tlsauthtype", Value),
    ("tlspassword", Value),
    ("tlsuser", Value),
    ("tlsv1", Flag),
    ("tlsv1.0", Flag),
    ("tlsv1.1", Flag),
    ("tlsv1.2", Flag),
    ("tlsv1.3", Flag),
    ("tr-encoding", Flag),
    ("trace", Value),
    ("trace-ascii", Value),
    ("trace-config", Value),
    ("trace-ids", Flag),
    ("trace-time", Flag),
    ("unix-socket", Value),
    ("upload-file", Upload),
    ("upload-flags", Value),
    ("url", Url),
    ("url-query", UrlQuery),
    ("use-ascii", Flag),
    ("user", Value),
    ("user-agent", Value),
    ("variable", Value),
    ("verbose", Flag),
    ("version", Exit),
    ("vlan-priority", Value),
    ("write-out", Value),
    ("xattr", Flag),
];

/// The short options; letters not listed are flags.
fn short(c: char) -> Opt {
    match c {
        'd' => Data,
        'F' => Form,
        'X' => Request,
        'G' => Get,
        'I' => Head,
        'T' => Upload,
        'g' => Globoff,
        'K' => Config,
        ':' => Next,
        'h' | 'V' | 'M' => Exit,
        'E' | 'C' | 'b' | 'c' | 'D' | 'P' | 'H' | 'o' | 'x' | 'U' | 'Q' | 'r' | 'e' | 'Y' | 'y'
        | 't' | 'z' | 'u' | 'A' | 'w' | 'm' => Value,
        _ => Flag,
    }
}

/// A long option by name: exact, `no-` negation of a flag, `expand-` (curl 8.3: the value
/// has `{{variables}}` filled in), or an unambiguous prefix. Unknown options are flags
/// (curl refuses them and sends nothing).
fn long(name: &str) -> (Opt, bool) {
    if let Some(rest) = name.strip_prefix("expand-")
        && let Some(opt) = long_option(LONG, rest)
    {
        return (opt, true);
    }
    if let Some(opt) = long_option(LONG, name) {
        return (opt, false);
    }
    (Flag, false)
}

/// One request of the command line (`--next` starts another).
#[derive(Debug, Default)]
struct Segment {
    method: Option<Val>,
    urls: Vec<Val>,
    data: Vec<(Opt, Val)>,
    get: bool,
    head: bool,
    globoff: bool,
}

/// Read curl's argv into the request.
pub(super) fn read(ctx: &mut Ctx<'_>) -> Option<()> {
    let args = ctx.args();
    // curl reads `.curlrc` from $CURL_HOME, $XDG_CONFIG_HOME or $HOME unless `-q` comes
    // first; set on the line, those point at a file guardsh does not read.
    let rc = ["CURL_HOME", "XDG_CONFIG_HOME", "HOME"];
    if ctx
        .cmd
        .assignments
        .iter()
        .any(|a| rc.contains(&a.name.as_str()))
        && !matches!(
            args.first().map(|w| w.text.as_str()),
            Some("-q" | "--disable")
        )
    {
        ctx.req
            .hide("options from a .curlrc the line points curl at, which guardsh does not read");
    }
    let mut segments = vec![Segment::default()];
    let mut options = true;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let t = w.text.as_str();
        let mut apply = |opt: Opt, value: Option<Val>, expand: bool, ctx: &mut Ctx<'_>| {
            let Some(seg) = segments.last_mut() else {
                return;
            };
            let value = value.map(|mut v| {
                // `--expand-data '{{body}}'`: the text comes from a --variable.
                v.dynamic |= expand && v.text.contains("{{");
                v
            });
            match (opt, value) {
                (Get, _) => seg.get = true,
                (Head, _) => seg.head = true,
                (Globoff, _) => seg.globoff = true,
                (Request, Some(v)) => seg.method = Some(v),
                (Url, Some(v)) => seg.urls.push(v),
                (Config, _) => ctx
                    .req
                    .hide("options from a curl config file (-K), which guardsh does not read"),
                (Next, _) => segments.push(Segment::default()),
                (
                    Data | DataBinary | DataRaw | DataUrlencode | Json | Form | FormString
                    | UrlQuery | Upload,
                    Some(v),
                ) => seg.data.push((opt, v)),
                _ => {}
            }
        };
        if options && t == "--" {
            options = false;
        } else if options && t.len() > 2 && t.starts_with("--") {
            let name = t.get(2..).unwrap_or("");
            let (mut opt, mut expand) = long(name);
            let mut inline = None;
            if opt == Flag
                && let Some((n, v)) = name.split_once('=')
            {
                (opt, expand) = long(n);
                inline = Some(Val::part(w, v));
            }
            if opt == Exit {
                return None;
            }
            let value = if opt.takes_value() {
                inline.or_else(|| {
                    let v = args.get(i).map(Val::of);
                    i += 1;
                    v
                })
            } else {
                None
            };
            apply(opt, value, expand, ctx);
        } else if options && t.len() > 1 && t.starts_with('-') {
            let letters = t.get(1..).unwrap_or("");
            for (k, c) in letters.char_indices() {
                let opt = short(c);
                if opt == Exit {
                    return None;
                }
                if opt.takes_value() {
                    let rest = letters.get(k + c.len_utf8()..).unwrap_or("");
                    let value = if rest.is_empty() {
                        let v = args.get(i).map(Val::of);
                        i += 1;
                        v
                    } else {
                        Some(Val::part(w, rest))
                    };
                    apply(opt, value, false, ctx);
                    break;
                }
                apply(opt, None, false, ctx);
            }
        } else if let Some(seg) = segments.last_mut() {
            seg.urls.push(Val::of(w));
        }
    }

    let mut method: Option<String> = None;
    for seg in &segments {
        let m = request_segment(ctx, seg);
        if method
            .as_ref()
            .is_none_or(|best| method_rank(&m) > method_rank(best))
        {
            method = Some(m);
        }
    }
    ctx.req.method = method.unwrap_or_default();
    Some(())
}

/// Add one segment's URLs and body to the request; returns its method.
fn request_segment(ctx: &mut Ctx<'_>, seg: &Segment) -> String {
    for u in &seg.urls {
        if u.text.starts_with('@') {
            // curl 8.13: `--url @file` reads URLs from a file.
            ctx.req.hide(format!("URLs read from `{}`", u.text));
            continue;
        }
        match globs(&u.text, seg.globoff) {
            Some(all) => {
                for text in all {
                    ctx.url(&Val {
                        text,
                        dynamic: u.dynamic,
                    });
                }
            }
            None => {
                ctx.req.hide(format!(
                    "`{}`, a URL pattern with too many expansions",
                    u.text
                ));
                ctx.url(u);
            }
        }
    }

    // Each piece as curl sends it, and whether it joins with `&` (all but --json).
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut posts = false;
    let mut uploads = false;
    for (opt, v) in &seg.data {
        match opt {
            Data | DataBinary | Json => {
                posts = true;
                let what = "the body";
                let text = match v.text.strip_prefix('@') {
                    Some(path) => {
                        let Some(loaded) = ctx.at_source(&Val::part_of(v, path), what) else {
                            continue;
                        };
                        if loaded.dynamic {
                            ctx.req.hide("a body with shell expansions in it");
                        }
                        if *opt == Data {
                            // curl drops CR and LF from `-d @file`; read it both ways, since
                            // either may reveal a document the other hides in a comment.
                            body::text(&loaded.text, &mut ctx.req);
                            loaded.text.replace(['\r', '\n'], "")
                        } else {
                            loaded.text
                        }
                    }
                    None => v.text.clone(),
                };
                ctx.body(&Val {
                    text: text.clone(),
                    dynamic: v.dynamic,
                });
                pieces.push((text, *opt != Json));
            }
            DataRaw => {
                posts = true;
                ctx.body(v);
                pieces.push((v.text.clone(), true));
            }
            DataUrlencode | UrlQuery => {
                posts |= *opt == DataUrlencode;
                if *opt == UrlQuery && v.text.starts_with('+') {
                    // `--url-query +a=b`: added to the URL as written.
                    ctx.body(&Val::part_of(v, v.text.get(1..).unwrap_or("")));
                    continue;
                }
                let (name, content) = urlencode_parts(ctx, v);
                let Some(content) = content else { continue };
                match name {
                    Some(n) => fields.push((n, content)),
                    None => ctx.body(&Val {
                        text: content,
                        dynamic: v.dynamic,
                    }),
                }
                if v.dynamic {
                    ctx.req.hide("a body with shell expansions in it");
                }
            }
            Form | FormString => {
                posts = true;
                let Some((name, content)) = v.text.split_once('=') else {
                    continue;
                };
                if v.dynamic {
                    ctx.req.hide("a form field with shell expansions in it");
                }
                if *opt == FormString {
                    fields.push((name.to_string(), content.to_string()));
                    continue;
                }
                match content.strip_prefix(['@', '<']) {
                    Some(file) => {
                        let path = form_filename(file);
                        if let Some(loaded) = ctx.at_source(&Val::part_of(v, path), "a form field")
                        {
                            fields.push((name.to_string(), loaded.text));
                        }
                    }
                    None => {
                        fields.push((name.to_string(), content.to_string()));
                        // `value;type=text/plain`: curl takes the part before `;type=`.
                        let cut = [";type=", ";filename=", ";headers=", ";encoder="]
                            .iter()
                            .filter_map(|k| content.find(k))
                            .min();
                        if let Some(cut) = cut {
                            fields.push((
                                name.to_string(),
                                content.get(..cut).unwrap_or("").to_string(),
                            ));
                        }
                    }
                }
            }
            Upload => {
                uploads = true;
                let target = if v.text == "." { "-" } else { v.text.as_str() };
                if let Some(loaded) = ctx.at_source(&Val::part_of(v, target), "the upload") {
                    ctx.body(&loaded);
                }
            }
            _ => {}
        }
    }
    if !fields.is_empty() {
        body::fields(&fields, &mut ctx.req);
    }
    if pieces.len() > 1 {
        let mut joined = String::new();
        for (k, (text, amp)) in pieces.iter().enumerate() {
            if k > 0 && *amp {
                joined.push('&');
            }
            joined.push_str(text);
        }
        body::text(&joined, &mut ctx.req);
    }

    match &seg.method {
        Some(m) => {
            ctx.method(m);
            std::mem::take(&mut ctx.req.method)
        }
        None if seg.head => "HEAD".to_string(),
        None if seg.get => "GET".to_string(),
        None if posts => "POST".to_string(),
        None if uploads => "PUT".to_string(),
        None => "GET".to_string(),
    }
}

/// `--data-urlencode` forms: `name=content`, `=content`, `content`, `name@file`, `@file`.
/// Returns the field name (if any) and the content before encoding.
fn urlencode_parts(ctx: &mut Ctx<'_>, v: &Val) -> (Option<String>, Option<String>) {
    let t = v.text.as_str();
    if let Some((name, content)) = t.split_once('=') {
        let name = (!name.is_empty()).then(|| name.to_string());
        return (name, Some(content.to_string()));
    }
    if let Some((name, file)) = t.split_once('@') {
        let name = (!name.is_empty()).then(|| name.to_string());
        let loaded = ctx.at_source(&Val::part_of(v, file), "the body");
        return (name, loaded.map(|l| l.text));
    }
    (None, Some(t.to_string()))
}

/// The file name of a `-F name=@file;type=…` value: up to the first `;`, or a quoted name.
fn form_filename(s: &str) -> &str {
    if let Some(q) = s.strip_prefix('"') {
        return q.split('"').next().unwrap_or(q);
    }
    s.split(';').next().unwrap_or(s)
}

/// curl's own URL globbing: each `{a,b}` set multiplies the URLs (`[1-3]` ranges only
/// vary paths and are left as written). `None` when the pattern expands to more than 64.
fn globs(url: &str, off: bool) -> Option<Vec<String>> {
    const MAX: usize = 64;
    if off {
        return Some(vec![url.to_string()]);
    }
    let mut done = vec![String::new()];
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest.get(open..).and_then(|r| r.find('}')) else {
            break;
        };
        let prefix = rest.get(..open).unwrap_or("");
        let set = rest.get(open + 1..open + len).unwrap_or("");
        let mut next = Vec::new();
        for d in &done {
            for alt in set.split(',') {
                if next.len() >= MAX {
                    return None;
                }
                next.push(format!("{d}{prefix}{alt}"));
            }
        }
        done = next;
        rest = rest.get(open + len + 1..).unwrap_or("");
    }
    Some(done.into_iter().map(|d| format!("{d}{rest}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_globs() {
        assert_eq!(
            globs("https://backboard.railway.{com,app}/graphql/v2", false),
            Some(vec![
                "https://backboard.railway.com/graphql/v2".to_string(),
                "https://backboard.railway.app/graphql/v2".to_string()
            ])
        );
        assert_eq!(
            globs("https://x/{a,b}", true),
            Some(vec!["https://x/{a,b}".to_string()])
        );
        assert_eq!(
            globs("https://x/{a", false),
            Some(vec!["https://x/{a".to_string()])
        );
        assert_eq!(globs(&"{a,b,c,d}".repeat(4), false), None);
        assert_eq!(form_filename("\"a;b\";type=x"), "a;b");
        assert_eq!(form_filename("q.graphql;type=x"), "q.graphql");
    }

    #[test]
    fn long_names() {
        assert_eq!(long("request"), (Request, false));
        assert_eq!(
            long("reques"),
            (Flag, false),
            "ambiguous with request-target"
        );
        assert_eq!(long("data-ra"), (DataRaw, false));
        assert_eq!(long("expand-data"), (Data, true));
        assert_eq!(long("no-buffer"), (Flag, false));
        assert_eq!(long("url"), (Url, false));
    }
}
