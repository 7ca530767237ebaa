//! Data that leaves the machine, and where it goes: the incident's precursor was an agent
//! hunting for a token with broader rights. Credentials (key and credential files, `.env`
//! files, environment dumps, variables named like tokens) flowing to a network sink on a
//! host other than the credential's own service are refused; a platform's token sent to
//! that platform's API is ordinary work. Searching the home directory or the disk for
//! secrets is reported.

use super::{Effect, Judged, is_loopback};
use crate::parse::{Command, RedirectKind, Script, Word};
use crate::rules::Severity;

/// Files (as path endings) that hold credentials.
const CREDENTIAL_FILES: &[&str] = &[
    ".aws/credentials",
    ".aws/config",
    ".aws",
    ".ssh",
    ".kube/config",
    ".kube",
    ".netrc",
    ".config/gh/hosts.yml",
    ".docker/config.json",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    ".pgpass",
    ".config/gcloud",
    ".azure",
    ".gnupg",
    ".vault-token",
    ".terraform.d/credentials.tfrc.json",
    ".railway/config.json",
    ".config/railway",
    "credentials.json",
    "service-account.json",
];

/// Is `text` (a path as written, or a word holding one) a credential file?
pub fn credential_path(text: &str) -> Option<String> {
    let t = text
        .trim_start_matches('@')
        .trim_matches(|c| c == '"' || c == '\'');
    let t = t.trim_end_matches('/');
    let base = t.rsplit('/').next().unwrap_or(t);
    // Private keys: `id_rsa`, `id_ed25519`, not their `.pub` halves.
    if base.starts_with("id_") && !base.ends_with(".pub") && t.contains(".ssh") {
        return Some(t.to_owned());
    }
    if base.ends_with(".pem") && !base.contains("cert") && !base.contains("chain")
        || base.ends_with(".key") && !base.ends_with(".pub.key")
    {
        return Some(t.to_owned());
    }
    // `.env`, `.env.local`, `.env.production`, not `.env.example`.
    if base == ".env"
        || base.strip_prefix(".env.").is_some_and(|s| {
            !matches!(
                s,
                "example" | "sample" | "template" | "dist" | "defaults" | "test"
            )
        })
    {
        return Some(t.to_owned());
    }
    // In ~/.ssh only the private keys (and the directory as a whole) are secrets: its
    // config, known hosts and their copies are not.
    if let Some((_, inside)) = t.split_once(".ssh/")
        && !inside.is_empty()
        && (!base.starts_with("id_") || base.ends_with(".pub"))
        && !base.ends_with(".pem")
        && !base.ends_with(".key")
    {
        return None;
    }
    // The public halves and the bookkeeping beside the keys are not secrets.
    if base.ends_with(".pub")
        || base.starts_with("known_hosts")
        || matches!(base, "authorized_keys" | "config" | "environment") && t.contains(".ssh")
    {
        return None;
    }
    CREDENTIAL_FILES
        .iter()
        .find(|f| t == **f || t.ends_with(&format!("/{f}")) || t.contains(&format!("/{f}/")))
        .map(|_| t.to_owned())
}

/// A credential path anywhere in a word's text (`token=$(cat ~/.netrc)`, `f=@~/.kube/config`).
fn credential_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '=' | '(' | ')' | '\'' | '"' | ',' | ';'))
        .find_map(credential_path)
}

/// Variables named like secrets, with the service that owns them when the name says it
/// (`GITHUB_TOKEN` → `github`). `None` for names that hold no secret.
fn secret_var(name: &str) -> Option<Option<String>> {
    let upper = name.to_ascii_uppercase();
    let secret = [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|s| upper.contains(s));
    if !secret {
        return None;
    }
    let first = upper.split('_').next().unwrap_or("");
    let owner = match first {
        "" | "TOKEN" | "SECRET" | "API" | "ACCESS" | "AUTH" | "PRIVATE" | "PASSWORD" | "APP"
        | "MY" | "BEARER" | "CLIENT" | "DB" | "DATABASE" => None,
        "GH" => Some("github".to_owned()),
        "AWS" => Some("amazonaws".to_owned()),
        "GCP" | "GOOGLE" | "GCLOUD" => Some("googleapis".to_owned()),
        "NPM" => Some("npmjs".to_owned()),
        "HF" | "HUGGINGFACE" => Some("huggingface".to_owned()),
        "CF" => Some("cloudflare".to_owned()),
        "DO" => Some("digitalocean".to_owned()),
        "AZURE" | "ARM" => Some("azure".to_owned()),
        other => Some(other.to_ascii_lowercase()),
    };
    Some(owner)
}

/// The variables a word expands (`$X`, `${X}`, `${X:-…}`).
fn vars_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let mut j = i + 1;
            if b.get(j) == Some(&b'{') {
                j += 1;
            }
            let start = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > start {
                out.push(text[start..j].to_owned());
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// What a command outputs that holds secrets (`env`, `printenv`, `cat ~/.netrc`, `aws
/// configure export-credentials`), as a short description.
fn emits_secrets(cmd: &Command) -> Option<String> {
    let program = cmd.program()?;
    let args: Vec<&str> = cmd.args().skip(1).collect();
    match program {
        "env" | "printenv" if args.iter().all(|a| a.starts_with('-')) => {
            return Some(format!("the `{program}` dump of every variable"));
        }
        "export" | "set" | "declare" if args.is_empty() || args == ["-p"] || args == ["-x"] => {
            return Some(format!("the `{program}` dump of every variable"));
        }
        "aws"
            if args.first() == Some(&"configure") && args.get(1) == Some(&"export-credentials") =>
        {
            return Some("AWS credentials".to_owned());
        }
        "kubectl" if args.contains(&"--raw") || args.contains(&"--flatten") => {
            return Some("the kubeconfig with its keys".to_owned());
        }
        "gh" if args.first() == Some(&"auth") && args.get(1) == Some(&"token") => {
            return Some("the GitHub token".to_owned());
        }
        _ => {}
    }
    // Readers and encoders of a credential file: cat, base64, tar, gpg, xxd, head…
    for w in cmd.argv.iter().skip(1) {
        if let Some(p) = credential_path(&w.text) {
            return Some(p);
        }
    }
    for r in &cmd.redirects {
        if r.kind == RedirectKind::Input
            && let Some(p) = credential_path(&r.target.text)
        {
            return Some(p);
        }
    }
    // `echo "$AWS_SECRET_ACCESS_KEY"`
    if matches!(program, "echo" | "printf" | "cat") {
        for w in cmd.argv.iter().skip(1) {
            if let Some(v) = vars_in(&w.text)
                .into_iter()
                .find(|v| secret_var(v).is_some())
            {
                return Some(format!("${v}"));
            }
        }
    }
    None
}

/// What feeds `cmd`'s standard input that holds secrets: a redirection from a credential
/// file, a here-string naming one, or an earlier pipeline stage that emits them.
fn fed_secrets(cmd: &Command, script: &Script) -> Option<String> {
    for r in &cmd.redirects {
        if matches!(r.kind, RedirectKind::Input)
            && r.fd.is_none_or(|fd| fd == 0)
            && let Some(p) = credential_path(&r.target.text)
        {
            return Some(p);
        }
        if let Some(body) = r.stdin_body()
            && let Some(p) = credential_in(&body.text)
        {
            return Some(p);
        }
    }
    let (pipeline, stage) = cmd.pipeline_stage()?;
    // Back through the stages that only re-encode what they read (`cat ~/.netrc | base64 |
    // curl -d @-`): the secret is still what leaves.
    let mut at = stage;
    for _ in 0..MAX_HOPS {
        at = at.checked_sub(1)?;
        let feeders: Vec<&Command> = script
            .commands
            .iter()
            .filter(|c| c.pipeline_stage() == Some((pipeline, at)))
            .collect();
        if let Some(found) = feeders.iter().find_map(|c| emits_secrets(c)) {
            return Some(found);
        }
        let passes_on = !feeders.is_empty()
            && feeders.iter().all(|c| {
                matches!(
                    c.program(),
                    Some(
                        "base64"
                            | "base32"
                            | "basenc"
                            | "gzip"
                            | "xz"
                            | "zstd"
                            | "bzip2"
                            | "lz4"
                            | "xxd"
                            | "od"
                            | "hexdump"
                            | "tr"
                            | "rev"
                            | "openssl"
                            | "gpg"
                            | "age"
                            | "head"
                            | "tail"
                            | "sort"
                            | "uniq"
                            | "tee"
                            | "cat"
                            | "jq"
                            | "yq"
                            | "sed"
                            | "awk"
                            | "grep"
                            | "cut"
                            | "tar"
                            | "zip"
                            | "iconv"
                    )
                ) && c
                    .argv
                    .iter()
                    .skip(1)
                    .all(|w| credential_path(&w.text).is_none())
            });
        if !passes_on {
            return None;
        }
    }
    None
}

/// How many re-encoding stages are followed back to a secret.
const MAX_HOPS: usize = 8;

/// The hosts of the URLs among `words` (`https://x/…`), and of `host:`-style remotes.
fn url_hosts(words: &[Word]) -> Vec<String> {
    words
        .iter()
        .filter(|w| w.text.contains("://"))
        .map(|w| crate::rules::split_url(&w.text).0)
        .collect()
}

/// `user@host:path` or `host:path` (scp, rsync); `None` for a local path.
fn remote_of(text: &str) -> Option<String> {
    if text.starts_with('/') || text.starts_with('.') || text.starts_with('~') {
        return None;
    }
    if text.contains("://") {
        return Some(crate::rules::split_url(text).0);
    }
    let (host, _) = text.split_once(':')?;
    let host = host.rsplit('@').next().unwrap_or(host);
    (!host.is_empty() && !host.contains('/')).then(|| host.to_owned())
}

fn deny(data: String, host: String, how: &str, out: &mut Vec<Judged>) {
    out.push(Judged {
        id: "effects.send.credential",
        severity: Severity::Deny,
        message: format!(
            "sends {data} to {host} ({how}): a credential leaving the machine for a host that \
             is not its own service is how a narrow token becomes an attacker's"
        ),
        suggestion: "do not move credentials; if a service needs access, ask a human to issue a \
                     scoped token for it"
            .to_owned(),
        effect: Effect::Sends {
            data,
            host,
            credential: true,
        },
    });
}

/// Judge what `cmd` sends, and whether it hunts for secrets.
pub fn judge(
    cmd: &Command,
    script: &Script,
    env: &[(String, String)],
    code: Option<&crate::payload::code::Code>,
    out: &mut Vec<Judged>,
) {
    let Some(program) = cmd.program() else {
        return;
    };
    let args = cmd.argv.get(1..).unwrap_or(&[]);
    match program {
        "curl" | "wget" | "http" | "https" | "xh" | "xhs" => {
            http_client(cmd, script, &with_line_vars(args, env), out)
        }
        "nc" | "ncat" | "netcat" | "socat" | "telnet" => {
            let host = args
                .iter()
                .find(|w| !w.text.starts_with('-') && !w.text.chars().all(|c| c.is_ascii_digit()))
                .map(|w| w.text.clone())
                .unwrap_or_else(|| "?".to_owned());
            if !is_loopback(&host)
                && let Some(data) = fed_secrets(cmd, script)
            {
                deny(data, host, program, out);
            }
        }
        "sftp" => {
            // `sftp [user@]host`, with `put FILE` from a here-string, heredoc or batch input.
            let Some(host) = args
                .iter()
                .rev()
                .find(|w| !w.text.starts_with('-'))
                .map(|w| {
                    w.text
                        .rsplit('@')
                        .next()
                        .unwrap_or(&w.text)
                        .split(':')
                        .next()
                        .unwrap_or("")
                        .to_owned()
                })
                .filter(|h| !h.is_empty() && !is_loopback(h))
            else {
                return;
            };
            if let Some(data) = fed_secrets(cmd, script) {
                deny(data, host, "sftp", out);
            }
        }
        "scp" | "rsync" | "rclone" => {
            let operands: Vec<&Word> = args.iter().filter(|w| !w.text.starts_with('-')).collect();
            let remote = operands.iter().rev().find_map(|w| remote_of(&w.text));
            let Some(host) = remote.filter(|h| !is_loopback(h)) else {
                return;
            };
            let source = operands
                .iter()
                .rev()
                .skip(1)
                .find_map(|w| credential_path(&w.text))
                .or_else(|| fed_secrets(cmd, script));
            if let Some(data) = source {
                deny(data, host, program, out);
            }
        }
        "ssh" => {
            let host = args
                .iter()
                .find(|w| !w.text.starts_with('-'))
                .map(|w| w.text.clone());
            if let Some(host) = host
                && let Some(data) = fed_secrets(cmd, script)
                && !data.ends_with(".pub")
            {
                deny(data, host, "ssh's standard input", out);
            }
        }
        "gh" if args.first().is_some_and(|w| w.text == "gist") => {
            let data = args
                .iter()
                .skip(2)
                .find_map(|w| credential_path(&w.text))
                .or_else(|| fed_secrets(cmd, script));
            if let Some(data) = data {
                deny(data, "gist.github.com".to_owned(), "a gist", out);
            }
        }
        "grep" | "egrep" | "rg" | "ag" | "find" | "fd" => hunt(cmd, program, args, out),
        _ => interpreter(code, out),
    }
}

/// `args` with the variables the line itself set written out (`F=~/.ssh/id_rsa; curl -F
/// "f=@$F" …`, `TOKEN=$GITHUB_TOKEN; curl "…?t=$TOKEN"`), so a secret passed through a
/// variable of the line is still seen. `env` is the line's assignments, worked out once.
fn with_line_vars(args: &[Word], env: &[(String, String)]) -> Vec<Word> {
    if !args.iter().any(|w| w.text.contains('$')) {
        return args.to_vec();
    }
    args.iter()
        .map(|w| {
            let mut text = w.text.clone();
            for (name, value) in env.iter().rev() {
                for form in [format!("${{{name}}}"), format!("${name}")] {
                    if text.contains(&form)
                        && (form.ends_with('}')
                            || !text.split(&form).skip(1).any(|r| {
                                r.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                            }))
                    {
                        text = text.replace(&form, value);
                    }
                }
            }
            Word { text, ..w.clone() }
        })
        .collect()
}

fn http_client(cmd: &Command, script: &Script, args: &[Word], out: &mut Vec<Judged>) {
    let hosts = url_hosts(args);
    let host = hosts.first().cloned().unwrap_or_else(|| "?".to_owned());
    if hosts.iter().all(|h| is_loopback(h)) && !hosts.is_empty() {
        return;
    }
    let mut prev = "";
    for w in args {
        let option_value = matches!(
            prev,
            "-d" | "--data"
                | "--data-binary"
                | "--data-raw"
                | "--data-urlencode"
                | "--json"
                | "-F"
                | "--form"
                | "-T"
                | "--upload-file"
                | "--post-file"
                | "--body-file"
        ) || w.text.starts_with("--post-file=")
            || w.text.starts_with("--body-file=");
        // The environment's dump substituted into what is sent: `--post-data="$(env)"`.
        if [
            "$(env)",
            "$(printenv)",
            "`env`",
            "`printenv`",
            "$(env |",
            "$(printenv |",
            "$(set)",
        ]
        .iter()
        .any(|d| w.text.contains(d))
        {
            deny(
                "the `env` dump of every variable".to_owned(),
                host.clone(),
                "a request",
                out,
            );
            return;
        }
        // A file sent as the body, a form part or an upload: `@path`, `-T path`.
        if option_value || w.text.contains('@') {
            let file = w
                .text
                .split_once('@')
                .map_or(w.text.as_str(), |(_, f)| f)
                .trim_start_matches("--post-file=")
                .trim_start_matches("--body-file=");
            let file = file.split(';').next().unwrap_or(file);
            if option_value || w.text.starts_with('@') || w.text.contains("=@") {
                if let Some(p) = credential_path(file).or_else(|| credential_in(&w.text)) {
                    deny(p, host.clone(), "the request body", out);
                    return;
                }
                if file == "-"
                    && let Some(data) = fed_secrets(cmd, script)
                {
                    deny(
                        data,
                        host.clone(),
                        "the request body, from standard input",
                        out,
                    );
                    return;
                }
            }
        }
        // A token in a header, the URL, the body or the credentials: fine for its own
        // service, refused anywhere else.
        for v in vars_in(&w.text) {
            let Some(owner) = secret_var(&v) else {
                continue;
            };
            let in_url_or_body = w.text.contains("://") || option_value;
            let Some(owner) = owner else {
                continue;
            };
            // The service's own host has its name as a label (`api.github.com`,
            // `backboard.railway.com`, `s3.amazonaws.com`, a self-hosted `gitlab.corp`);
            // `api.example-not-railway.com` does not.
            let own = !hosts.is_empty()
                && hosts.iter().all(|h| {
                    h.to_ascii_lowercase()
                        .split('.')
                        .any(|label| label == owner)
                });
            if !own
                && (in_url_or_body
                    || prev == "-H"
                    || prev == "--header"
                    || prev == "-u"
                    || prev == "--user")
            {
                deny(
                    format!("${v}"),
                    host.clone(),
                    "a request to another service",
                    out,
                );
                return;
            }
        }
        prev = w.text.as_str();
    }
    // `--data-binary @-` and friends were read above; a body on standard input that a
    // redirection or a pipe fills (`curl -T - … < ~/.netrc`).
    let reads_stdin = args.windows(2).any(|p| {
        matches!(
            p[0].text.as_str(),
            "-T" | "--upload-file" | "-d" | "--data" | "--data-binary" | "-F" | "--form"
        ) && (p[1].text == "-" || p[1].text == "@-" || p[1].text.ends_with("=@-"))
    });
    if reads_stdin && let Some(data) = fed_secrets(cmd, script) {
        deny(data, host, "the request body, from standard input", out);
    }
}

/// Calls that send over the network, in the interpreters `payload::code` reads.
const NETWORK_CALLS: &[&str] = &[
    "requests.post",
    "requests.put",
    "requests.request",
    "httpx.post",
    "urlopen(",
    "urllib.request",
    "http.client",
    "fetch(",
    "axios.",
    "http.request",
    "https.request",
    "Net::HTTP",
    "HTTP.post",
    "LWP::UserAgent",
    "curl_exec",
    "socket.",
    "smtplib",
    "ftplib",
    "paramiko",
];

/// Interpreter code that reads a credential file and sends something over the network.
fn interpreter(code: Option<&crate::payload::code::Code>, out: &mut Vec<Judged>) {
    let Some(code) = code else {
        return;
    };
    if !NETWORK_CALLS.iter().any(|c| code.text.contains(c)) {
        return;
    }
    let Some(data) = credential_in(&code.text) else {
        return;
    };
    let host = code
        .text
        .split(['\'', '"', '`'])
        .find(|s| s.contains("://"))
        .map(|u| crate::rules::split_url(u).0)
        .unwrap_or_else(|| "?".to_owned());
    if is_loopback(&host) {
        return;
    }
    deny(data, host, "interpreter code", out);
}

/// Words that say a search looks for secrets.
fn secret_pattern(text: &str) -> bool {
    let l = text.to_ascii_lowercase();
    [
        "token",
        "secret",
        "password",
        "passwd",
        "api_key",
        "apikey",
        "akia",
        "private key",
        "id_",
        ".pem",
        "credential",
        "bearer",
    ]
    .iter()
    .any(|s| l.contains(s))
}

fn hunt(cmd: &Command, program: &str, args: &[Word], out: &mut Vec<Judged>) {
    let wide = |t: &str| {
        matches!(
            t.trim_end_matches('/'),
            "~" | "" | "/home" | "$HOME" | "${HOME}" | "/root" | "/Users"
        ) || t.starts_with("~/.config")
            || t == "/"
    };
    let Some(under) = args.iter().find(|w| wide(&w.text)).map(|w| w.text.clone()) else {
        return;
    };
    if !args.iter().any(|w| secret_pattern(&w.text)) {
        return;
    }
    out.push(Judged {
        id: "effects.hunt.credentials",
        severity: Severity::Warn,
        message: format!(
            "`{program}` searches {under} for credentials: looking for a token with broader \
             rights is how the incident this guard exists for began"
        ),
        suggestion: "use the credential this task was given; if it does not work, ask a human \
                     instead of looking for another"
            .to_owned(),
        effect: Effect::Hunts { under },
    });
    let _ = cmd;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_paths() {
        for p in [
            "~/.aws/credentials",
            "$HOME/.ssh/id_ed25519",
            ".env",
            "~/.kube/config",
            "@.env.production",
            "~/.ssh/",
        ] {
            assert!(credential_path(p).is_some(), "{p}");
        }
        for p in [
            "~/.ssh/id_ed25519.pub",
            ".env.example",
            "dist/app.tar.gz",
            "notes.md",
        ] {
            assert!(credential_path(p).is_none(), "{p}");
        }
    }

    #[test]
    fn secret_variables() {
        assert_eq!(secret_var("GITHUB_TOKEN"), Some(Some("github".to_owned())));
        assert_eq!(
            secret_var("AWS_SECRET_ACCESS_KEY"),
            Some(Some("amazonaws".to_owned()))
        );
        assert_eq!(secret_var("API_KEY"), Some(None));
        assert_eq!(secret_var("AWS_REGION"), None);
        assert_eq!(vars_in("t=${GITHUB_TOKEN}&x=$Y"), vec!["GITHUB_TOKEN", "Y"]);
    }
}
