//! The HTTP reader's specification, as tables: each line is analysed the way guardsh
//! analyses a command line (`unwrap::analyze`), and the first HTTP request in it is
//! checked. Temporary files stand in for `@body.json` arguments.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Request, request};
use crate::parse::Limits;
use crate::unwrap::analyze;

/// The first HTTP request a line makes.
fn req(line: &str) -> Option<Request> {
    let script = analyze(line, &Limits::default());
    script.commands.iter().find_map(|c| request(c, &script))
}

/// A directory of files for one test, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "guardsh-http-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Temp(dir)
    }

    /// Write `text` to `name` and return the file's path.
    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("temp file");
        path.display().to_string()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a line must give: the method, the mutations (all of them when the request is not
/// hidden; at least these when it is, since an unreadable document lists every name), and
/// whether part of it is hidden. `method: ""` means no request at all.
struct Case {
    line: String,
    method: &'static str,
    mutations: &'static [&'static str],
    hidden: bool,
}

fn case(
    line: &str,
    method: &'static str,
    mutations: &'static [&'static str],
    hidden: bool,
) -> Case {
    Case {
        line: line.to_string(),
        method,
        mutations,
        hidden,
    }
}

/// Check every case and report all failures at once.
fn check(cases: &[Case]) {
    let mut failures = Vec::new();
    for c in cases {
        let got = req(&c.line);
        let ok = match &got {
            None => c.method.is_empty(),
            Some(r) => {
                let mutations_ok = if c.hidden {
                    c.mutations
                        .iter()
                        .all(|m| r.mutations.iter().any(|x| x == m))
                } else {
                    let mut a: Vec<&str> = r.mutations.iter().map(String::as_str).collect();
                    let mut b = c.mutations.to_vec();
                    a.sort_unstable();
                    b.sort_unstable();
                    a == b
                };
                r.method == c.method && r.hidden == c.hidden && mutations_ok
            }
        };
        if !ok {
            failures.push(format!("{}\n    got {got:?}", c.line));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

const RW: &str = "https://backboard.railway.com/graphql/v2";

#[test]
fn curl() {
    let t = Temp::new();
    let body = t.file(
        "body.json",
        r#"{"query":"mutation { volumeDelete(volumeId: \"v\") }"}"#,
    );
    // curl drops the newlines of `-d @file`: the comment would swallow the whole document
    // if only curl's version were read, so both are.
    let doc = t.file("doc.graphql", "mutation {\n  serviceDelete(id: \"s\")\n}\n");
    let big = t.file("big.json", &" ".repeat(super::MAX_BODY + 1));
    let gz = t.0.join("body.json.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe]).expect("temp file");
    let gz = gz.display();
    let cases = vec![
        case(
            r#"curl -X POST https://backboard.railway.app/graphql/v2 -H "Authorization: Bearer abc" -d '{"query":"mutation { volumeDelete(volumeId: \"3d2c\") }"}'"#,
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"curl {RW} --data-raw '{{"query":"mutation {{ volumeDelete(volumeId: \"v\") }}"}}'"#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(r#"curl {RW} --json '{{"query":"mutation {{ serviceDelete(id: \"s\") }}"}}'"#),
            "POST",
            &["serviceDelete"],
            false,
        ),
        case(
            &format!(
                "curl --data-binary @- {RW} <<'EOF'\n{{\"query\":\"mutation {{ projectDelete(id: \\\"p\\\") }}\"}}\nEOF"
            ),
            "POST",
            &["projectDelete"],
            false,
        ),
        case(
            &format!(
                r#"echo '{{"query":"mutation {{ environmentDelete(id: \"e\") }}"}}' | curl -sS -d @- {RW}"#
            ),
            "POST",
            &["environmentDelete"],
            false,
        ),
        case(
            &format!(
                r#"printf '%s' '{{"query":"mutation {{ volumeDelete(volumeId: \"v\") }}"}}' | curl --json @- {RW}"#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                "cat <<'EOF' | curl -d @- {RW}\n{{\"query\":\"mutation {{ userDelete }}\"}}\nEOF"
            ),
            "POST",
            &["userDelete"],
            false,
        ),
        case(
            &format!(
                r#"curl -d @- {RW} <<< '{{"query":"mutation {{ workspaceDelete(id: \"w\") }}"}}'"#
            ),
            "POST",
            &["workspaceDelete"],
            false,
        ),
        case(
            &format!("curl -d @{body} {RW}"),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!("curl --data @{doc} {RW}"),
            "POST",
            &["serviceDelete"],
            false,
        ),
        case(
            &format!("curl -T {body} -X POST {RW}"),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(&format!("curl -d @{big} {RW}"), "POST", &[], true),
        case(&format!("curl --data-binary @{gz} {RW}"), "POST", &[], true),
        case(
            &format!("cd /tmp && curl -d @body.json {RW}"),
            "POST",
            &[],
            true,
        ),
        case(&format!("CURL_HOME=. curl {RW}"), "GET", &[], true),
        case(
            &format!("curl -d @/nonexistent/guardsh/body.json {RW}"),
            "POST",
            &[],
            true,
        ),
        case(
            &format!("curl --json @payload-that-is-not-there.json {RW}"),
            "POST",
            &[],
            true,
        ),
        case(&format!("make-body | curl -d @- {RW}"), "POST", &[], true),
        case(&format!("curl -d @- {RW}"), "POST", &[], true),
        case(&format!(r#"curl -d "$BODY" {RW}"#), "POST", &[], true),
        case(
            &format!(
                r#"curl -d "{{\"query\":\"mutation {{ volumeDelete(volumeId: \\\"$VOL\\\") }}\"}}" {RW}"#
            ),
            "POST",
            &["volumeDelete"],
            true,
        ),
        // JSON escapes are undone before the document is read.
        case(
            &format!(
                r#"curl -d '{{"query":"mutation {{ \u0076olumeDelete(volumeId: \"v\") }}"}}' {RW}"#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"curl -d '{{"query":"mutation {{\n  x: volumeDelete(volumeId: \"v\")\n}}"}}' {RW}"#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"curl -d '{{"query":"mutation {{ ...F }} fragment F on Mutation {{ volumeDelete(volumeId: \"v\") }}"}}' {RW}"#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"curl -d '{{"query":"mutation {{ ... on Mutation {{ projectDelete(id: \"p\") }} }}"}}' {RW}"#
            ),
            "POST",
            &["projectDelete"],
            false,
        ),
        case(
            &format!(
                r#"curl -d '{{"query":"query Q {{ me {{ id }} }} mutation M {{ volumeDelete(volumeId: \"v\") }}","operationName":"Q"}}' {RW}"#
            ),
            "POST",
            &[],
            false,
        ),
        case(
            &format!(
                r#"curl -d '{{"query":"query Q {{ me {{ id }} }} mutation M {{ volumeDelete(volumeId: \"v\") }}","operationName":"M"}}' {RW}"#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"curl -d '{{"query":"query Q {{ me {{ id }} }} mutation M {{ volumeDelete(volumeId: \"v\") }}","operationName":"Nope"}}' {RW}"#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"curl -d '{{"query":"mutation A {{ serviceDelete(id: \"s\") }} mutation B {{ volumeDelete(volumeId: \"v\") }}"}}' {RW}"#
            ),
            "POST",
            &["serviceDelete", "volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"curl -d '[{{"query":"query {{ me {{ id }} }}"}},{{"query":"mutation {{ pluginDelete(id: \"p\") }}"}}]' {RW}"#
            ),
            "POST",
            &["pluginDelete"],
            false,
        ),
        // Queries that only mention a destructive field are not mutations.
        case(
            &format!(
                r#"curl -d '{{"query":"query {{ search(text: \"mutation {{ volumeDelete }}\") {{ id }} }}"}}' {RW}"#
            ),
            "POST",
            &[],
            false,
        ),
        case(
            &format!(
                r##"curl -d '{{"query":"# mutation {{ volumeDelete }}\nquery {{ me {{ id }} }}"}}' {RW}"##
            ),
            "POST",
            &[],
            false,
        ),
        case(
            &format!(r#"curl -d '{{"query":"{{ volumes {{ volumeDelete }} }}"}}' {RW}"#),
            "POST",
            &[],
            false,
        ),
        case(
            &format!(
                r#"curl -d '{{"query":"query {{ volume(id: \"v\") {{ name }} }}"}}' -d '{{"query":"mutation {{ volumeDelete(volumeId: \"v\") }}"}}' {RW}"#
            ),
            "POST",
            &["volumeDelete"],
            true,
        ),
        // A document that does not parse but mentions a mutation: hidden, every name counts.
        case(
            &format!(r#"curl -d '{{"query":"mutation {{ volumeDelete(volumeId: # ) }}"}}' {RW}"#),
            "POST",
            &["volumeDelete"],
            true,
        ),
        case(
            &format!(r#"curl -d 'query=mutation {{ volumeDelete(volumeId: "v") }}' {RW}"#),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"curl --data-urlencode 'query=mutation {{ volumeDelete(volumeId: "v") }}' {RW}"#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(r#"curl -F 'query=mutation {{ volumeDelete(volumeId: "v") }}' {RW}"#),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"curl -F 'operations={{"query":"mutation {{ volumeDelete(volumeId: \"v\") }}"}}' -F map='{{}}' {RW}"#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"curl -G --data-urlencode 'query=mutation {{ volumeDelete(volumeId: "v") }}' {RW}"#
            ),
            "GET",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                "curl '{RW}?query=mutation%20%7B%20volumeDelete(volumeId%3A%20%22v%22)%20%7D'"
            ),
            "GET",
            &["volumeDelete"],
            false,
        ),
        // Methods.
        case(
            "curl -X DELETE https://api.heroku.com/apps/x",
            "DELETE",
            &[],
            false,
        ),
        case(
            "curl -XDELETE https://api.vercel.com/v9/projects/x",
            "DELETE",
            &[],
            false,
        ),
        case(
            "curl -sSXDELETE https://api.vercel.com/v9/projects/x",
            "DELETE",
            &[],
            false,
        ),
        case(
            "curl --request=DELETE https://api.heroku.com/apps/x",
            "DELETE",
            &[],
            false,
        ),
        case(
            "curl --request delete https://api.heroku.com/apps/x",
            "DELETE",
            &[],
            false,
        ),
        case("curl -I https://example.com", "HEAD", &[], false),
        case(
            "curl -s https://api.heroku.com/apps/x -H 'Authorization: Bearer T'",
            "GET",
            &[],
            false,
        ),
        case("curl --data-ra x=1 https://example.com", "POST", &[], false),
        case(
            "curl -T notes.txt https://example.com/upload",
            "PUT",
            &[],
            true,
        ),
        case(
            "curl https://a.example -X GET --next -X DELETE https://b.example",
            "DELETE",
            &[],
            false,
        ),
        case(
            r#"curl -X "$METHOD" https://api.heroku.com/apps/x"#,
            "$METHOD",
            &[],
            true,
        ),
        case("curl -K cfg.txt https://example.com", "GET", &[], true),
        case("curl --version", "", &[], false),
        case("curl --help all", "", &[], false),
    ];
    check(&cases);
}

#[test]
fn wget() {
    let t = Temp::new();
    let body = t.file(
        "body.json",
        r#"{"query":"mutation { environmentDelete(id: \"e\") }"}"#,
    );
    check(&[
        case(
            "wget --method=DELETE https://api.heroku.com/apps/x",
            "DELETE",
            &[],
            false,
        ),
        case(
            "wget --method DELETE -O- https://api.heroku.com/apps/x",
            "DELETE",
            &[],
            false,
        ),
        case(
            &format!(
                r#"wget --post-data='{{"query":"mutation {{ volumeDelete(volumeId: \"v\") }}"}}' {RW}"#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"wget -q -O - --header='Content-Type: application/json' --method=POST --body-data='{{"query":"mutation {{ serviceDelete(id: \"s\") }}"}}' {RW}"#
            ),
            "POST",
            &["serviceDelete"],
            false,
        ),
        case(
            &format!("wget --post-file={body} {RW}"),
            "POST",
            &["environmentDelete"],
            false,
        ),
        case(
            &format!("wget --post-f {body} {RW}"),
            "POST",
            &["environmentDelete"],
            false,
        ),
        case(
            &format!("wget --post-file=/nonexistent/guardsh/b.json {RW}"),
            "POST",
            &[],
            true,
        ),
        case(
            "wget -e method=DELETE https://api.heroku.com/apps/x",
            "DELETE",
            &[],
            false,
        ),
        case("wget -i urls.txt", "GET", &[], true),
        case("wget -nv https://example.com/file.tgz", "GET", &[], false),
        case("wget --version", "", &[], false),
    ]);
}

#[test]
fn httpie_and_xh() {
    let t = Temp::new();
    let body = t.file("body.json", r#"{"query":"mutation { userDelete }"}"#);
    let doc = t.file("doc.graphql", "mutation { volumeDelete(volumeId: \"v\") }");
    check(&[
        case(
            r#"http DELETE https://api.digitalocean.com/v2/volumes/abc "Authorization:Bearer $DO_TOKEN""#,
            "DELETE",
            &[],
            false,
        ),
        case(
            &format!(
                r#"http POST {RW} 'Authorization:Bearer t' query='mutation {{ volumeDelete(volumeId: "v") }}'"#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(r#"http {RW} query='mutation {{ x: volumeDelete(volumeId: "v") }}'"#),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"http {RW} query='query Q {{ me {{ id }} }} mutation M {{ volumeDelete(volumeId: "v") }}' operationName=Q"#
            ),
            "POST",
            &[],
            false,
        ),
        case(
            &format!("http POST {RW} query=@{doc}"),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!(
                r#"http {RW} query='mutation D($id: String!) {{ volumeDelete(volumeId: $id) }}' variables:='{{"id": "v"}}'"#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            &format!("http {RW} < {body}"),
            "POST",
            &["userDelete"],
            false,
        ),
        case(&format!("http -I {RW} < {body}"), "GET", &[], false),
        case(
            &format!(r#"http --raw '{{"query":"mutation {{ serviceDelete(id: \"s\") }}"}}' {RW}"#),
            "POST",
            &["serviceDelete"],
            false,
        ),
        case(
            &format!(r#"echo '{{"query":"mutation {{ serviceDelete(id: \"s\") }}"}}' | http {RW}"#),
            "POST",
            &["serviceDelete"],
            false,
        ),
        case(
            "http -a user:pass GET https://example.com",
            "GET",
            &[],
            false,
        ),
        case("xh https://api.example.com/items", "GET", &[], false),
        case("xhs delete api.example.com/x", "DELETE", &[], false),
        case(
            "xh --offline DELETE https://api.heroku.com/apps/x",
            "",
            &[],
            false,
        ),
        case("http DELETE :3000/todos/1", "DELETE", &[], false),
        case(
            "http POST https://api.example.com/x name=$NAME",
            "POST",
            &[],
            true,
        ),
    ]);
}

#[test]
fn gh_api() {
    check(&[
        case("gh api -X DELETE repos/o/r", "DELETE", &[], false),
        case(
            "gh api --method DELETE repos/acme/app/git/refs/heads/main",
            "DELETE",
            &[],
            false,
        ),
        case("gh api --method=DELETE /repos/o/r", "DELETE", &[], false),
        case("gh api -XDELETE repos/$OWNER/$REPO", "DELETE", &[], false),
        case("gh api repos/o/r", "GET", &[], false),
        case("gh api repos/o/r/issues -f title=x", "POST", &[], false),
        case(
            r#"gh api graphql -f query='mutation { deleteRepository(input: {repositoryId: "x"}) { clientMutationId } }'"#,
            "POST",
            &["deleteRepository"],
            false,
        ),
        case(
            "gh api graphql -f query='query { viewer { login } }'",
            "POST",
            &[],
            false,
        ),
        case(
            "gh api graphql --input - <<'EOF'\n{\"query\":\"mutation { deleteRepository(input: {repositoryId: \\\"x\\\"}) { clientMutationId } }\"}\nEOF",
            "POST",
            &["deleteRepository"],
            false,
        ),
        case(
            "gh api graphql -F query=@/nonexistent/guardsh/q.graphql",
            "POST",
            &[],
            true,
        ),
        case("gh repo view", "", &[], false),
    ]);
}

#[test]
fn railway_api() {
    check(&[
        case(
            r#"railway api 'mutation { volumeDelete(volumeId: "v") }'"#,
            "POST",
            &["volumeDelete"],
            false,
        ),
        case("railway api 'query { me { name } }'", "POST", &[], false),
        case(
            r#"echo 'mutation{environmentDelete(id:"e1")}' | railway api"#,
            "POST",
            &["environmentDelete"],
            false,
        ),
        case(
            r#"railway api --operation-name A 'query A { me { id } } mutation B { volumeDelete(volumeId: "v") }'"#,
            "POST",
            &[],
            false,
        ),
        case(
            "railway api -f delete.graphql --var id=1",
            "POST",
            &[],
            true,
        ),
        case("railway api describe volumeDelete", "", &[], false),
        case("railway volume delete --yes", "", &[], false),
    ]);
}

#[test]
fn one_liners() {
    check(&[
        case(
            r#"python3 -c "import requests; requests.delete('https://api.heroku.com/apps/x', headers=h)""#,
            "DELETE",
            &[],
            false,
        ),
        case(
            &format!(
                r#"python -c "import requests; requests.post('{RW}', json={{'query': 'mutation {{ volumeDelete(volumeId: \"v\") }}'}})""#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            r#"python3 -c "import urllib.request as u; u.urlopen(u.Request('https://api.vercel.com/v9/projects/x', method='DELETE'))""#,
            "DELETE",
            &[],
            false,
        ),
        case(
            r#"python3 -c "import requests; requests.request('DELETE', 'https://api.heroku.com/apps/x')""#,
            "DELETE",
            &[],
            false,
        ),
        case(
            r#"python3 -c "import requests; requests.post(f'https://{host}/graphql', json=payload)""#,
            "POST",
            &[],
            true,
        ),
        case(
            r#"node -e "fetch('https://api.vercel.com/v9/projects/x', {method: 'DELETE'})""#,
            "DELETE",
            &[],
            false,
        ),
        case(
            &format!(
                r#"node -e "fetch('{RW}', {{method:'POST', headers: {{'Content-Type': 'application/json'}}, body: JSON.stringify({{query: 'mutation {{ volumeDelete(volumeId: \\\"v\\\") }}'}})}})""#
            ),
            "POST",
            &["volumeDelete"],
            false,
        ),
        case(
            r#"node -e "fetch(process.env.API + '/graphql', {method: 'POST', body})""#,
            "POST",
            &[],
            true,
        ),
        case(
            r#"node --eval "require('https').request({hostname: 'api.heroku.com', method: 'DELETE', path: '/apps/x'}).end()""#,
            "DELETE",
            &[],
            true,
        ),
        case(
            "python3 - <<'EOF'\nimport requests\nrequests.delete(\"https://api.heroku.com/apps/x\")\nEOF",
            "DELETE",
            &[],
            false,
        ),
        case("python3 -c \"print('hello')\"", "", &[], false),
        case("python3 script.py https://example.com", "", &[], false),
        case("ls -la", "", &[], false),
    ]);
}

#[test]
fn urls_are_kept_as_written() {
    let cases: &[(&str, &[&str], bool)] = &[
        (
            "curl -sSL -o out.txt -w '%{http_code}' -H 'Referer: https://evil.example' -u user:pass --connect-timeout 5 https://example.com/x",
            &["https://example.com/x"],
            false,
        ),
        (
            "curl -e https://ref.example -x http://proxy:8080 --url https://example.com -d a=b",
            &["https://example.com"],
            false,
        ),
        (
            "curl https://backboard.railway.{com,app}/graphql/v2",
            &[
                "https://backboard.railway.com/graphql/v2",
                "https://backboard.railway.app/graphql/v2",
            ],
            false,
        ),
        (
            r#"curl "$API/graphql/v2" -d x=1"#,
            &["$API/graphql/v2"],
            true,
        ),
        // The parser writes `${HOST}` as `$HOST`.
        (
            r#"curl "https://${HOST}/graphql/v2" -d x=1"#,
            &["https://$HOST/graphql/v2"],
            true,
        ),
        (
            r#"curl -X DELETE "https://api.heroku.com/apps/$APP""#,
            &["https://api.heroku.com/apps/$APP"],
            false,
        ),
        (
            "http DELETE :3000/todos/1",
            &["localhost:3000/todos/1"],
            false,
        ),
        (
            "xhs api.example.com/x",
            &["https://api.example.com/x"],
            false,
        ),
        (
            "gh api --hostname ghe.acme.com -X DELETE repos/o/r",
            &["https://ghe.acme.com/api/v3/repos/o/r"],
            false,
        ),
        (
            "gh api graphql -f query='{ viewer { login } }'",
            &["https://api.github.com/graphql"],
            false,
        ),
        (
            "wget -O out -U agent https://example.com/a",
            &["https://example.com/a"],
            false,
        ),
        (
            "railway api 'query { me { id } }'",
            &["https://backboard.railway.com/graphql/v2"],
            false,
        ),
        (
            "RAILWAY_ENV=staging railway api 'query { me { id } }'",
            &["https://backboard.railway-staging.com/graphql/v2"],
            false,
        ),
    ];
    for (line, urls, hidden) in cases {
        let r = req(line).unwrap_or_else(|| panic!("no request: {line}"));
        assert_eq!(r.urls, *urls, "{line}");
        assert_eq!(r.hidden, *hidden, "{line}: {:?}", r.hidden_why);
    }
}

/// What a catalogue example must give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// This mutation, nothing hidden.
    Mutation,
    /// `--json @payload.json`: hidden as written (the file is not there); with a file
    /// holding this mutation in its place, the mutation.
    File,
    /// This method.
    Method,
    /// This method, with the body hidden.
    Hidden,
}

#[test]
fn catalogue_examples() {
    let t = Temp::new();
    let mut failures = Vec::new();
    let mut counts = [0usize; 4];
    for (id, line, expect, want) in CATALOGUE {
        let r = req(line);
        let ok = match expect {
            Expect::Mutation => r
                .as_ref()
                .is_some_and(|r| !r.hidden && r.mutations.iter().any(|m| m == want)),
            Expect::Method => r.as_ref().is_some_and(|r| r.method == *want),
            Expect::Hidden => r.as_ref().is_some_and(|r| r.method == *want && r.hidden),
            Expect::File => {
                let body = format!(r#"{{"query":"mutation {{ {want}(id: \"x\") }}"}}"#);
                let path = t.file(&format!("{want}.json"), &body);
                let with_file = line.replace("@payload.json", &format!("@{path}"));
                r.as_ref().is_some_and(|r| r.hidden)
                    && req(&with_file)
                        .is_some_and(|r| !r.hidden && r.mutations.iter().any(|m| m == want))
            }
        };
        counts[*expect as usize] += usize::from(ok);
        if !ok {
            failures.push(format!("{id}: {line}\n    got {r:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} catalogue examples failed:\n{}",
        failures.len(),
        CATALOGUE.len(),
        failures.join("\n")
    );
    assert_eq!(counts.iter().sum::<usize>(), CATALOGUE.len());
}

/// No input makes the reader panic: every prefix and suffix of every test line, cut at any
/// character.
#[test]
fn never_panics() {
    let lines: Vec<&str> = CATALOGUE
        .iter()
        .map(|(_, l, _, _)| *l)
        .step_by(7)
        .chain([
            "curl -d @- https://x <<< '{\"query\":\"mutation { a }\"}'",
            "http POST :1 q:='{\"a\": [1' a\\=b=c x:=@/dev/null",
            "python3 -c \"f'''{x}''' r'\\\\' '\\u{1F600}' b'\\xff'\"",
            "node -e '`${a`'",
            "gh api -XDELETE",
            "wget -e method",
            "curl -F 'a=@\"x;y'",
            "curl -d '{\"query\":\"\\u00e9\\ud83d mutation é { x }\"}' é://é",
        ])
        .collect();
    for line in lines {
        for (i, _) in line.char_indices() {
            let _ = req(line.get(..i).unwrap_or(""));
            let _ = req(line.get(i..).unwrap_or(""));
        }
    }
}

/// Every `examples:` line of the catalogue's `http_graphql` and `http` entries
/// (reference/catalogue.yaml), with what `request` must find in it.
const CATALOGUE: &[(&str, &str, Expect, &str)] = &[
    (
        "railway.graphql.volumeDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { volumeDelete(volumeId: \"3d2c42fb-...\") }"}'"#,
        Expect::Mutation,
        "volumeDelete",
    ),
    (
        "railway.graphql.volumeDelete",
        r#"railway api 'mutation { volumeDelete(volumeId: "3d2c42fb-...") }'"#,
        Expect::Mutation,
        "volumeDelete",
    ),
    (
        "railway.graphql.volumeDelete",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains volumeDelete"#,
        Expect::File,
        "volumeDelete",
    ),
    (
        "railway.graphql.volumeInstanceBackupDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { volumeInstanceBackupDelete(volumeInstanceId: \"<vi>\", volumeInstanceBackupId: \"<b>\") }"}'"#,
        Expect::Mutation,
        "volumeInstanceBackupDelete",
    ),
    (
        "railway.graphql.volumeInstanceBackupDelete",
        r#"railway api 'mutation { volumeInstanceBackupDelete(volumeInstanceId: "<vi>", volumeInstanceBackupId: "<b>") }'"#,
        Expect::Mutation,
        "volumeInstanceBackupDelete",
    ),
    (
        "railway.graphql.volumeInstanceBackupDelete",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains volumeInstanceBackupDelete"#,
        Expect::File,
        "volumeInstanceBackupDelete",
    ),
    (
        "railway.graphql.volumeInstanceBackupRestore",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { volumeInstanceBackupRestore(volumeInstanceId: \"<vi>\", volumeInstanceBackupId: \"<b>\") }"}'"#,
        Expect::Mutation,
        "volumeInstanceBackupRestore",
    ),
    (
        "railway.graphql.volumeInstanceBackupRestore",
        r#"railway api 'mutation { volumeInstanceBackupRestore(volumeInstanceId: "<vi>", volumeInstanceBackupId: "<b>") }'"#,
        Expect::Mutation,
        "volumeInstanceBackupRestore",
    ),
    (
        "railway.graphql.volumeInstanceBackupRestore",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains volumeInstanceBackupRestore"#,
        Expect::File,
        "volumeInstanceBackupRestore",
    ),
    (
        "railway.graphql.volumeInstanceUpdate",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { volumeInstanceUpdate(volumeId: \"<id>\", environmentId: \"<env>\", input: { serviceId: null }) }"}'"#,
        Expect::Mutation,
        "volumeInstanceUpdate",
    ),
    (
        "railway.graphql.volumeInstanceUpdate",
        r#"railway api 'mutation { volumeInstanceUpdate(volumeId: "<id>", environmentId: "<env>", input: { serviceId: null }) }'"#,
        Expect::Mutation,
        "volumeInstanceUpdate",
    ),
    (
        "railway.graphql.projectDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { projectDelete(id: \"<projectId>\") }"}'"#,
        Expect::Mutation,
        "projectDelete",
    ),
    (
        "railway.graphql.projectDelete",
        r#"railway api 'mutation { projectDelete(id: "<projectId>") }'"#,
        Expect::Mutation,
        "projectDelete",
    ),
    (
        "railway.graphql.projectDelete",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains projectDelete"#,
        Expect::File,
        "projectDelete",
    ),
    (
        "railway.graphql.projectScheduleDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { projectScheduleDelete(id: \"<projectId>\") }"}'"#,
        Expect::Mutation,
        "projectScheduleDelete",
    ),
    (
        "railway.graphql.projectScheduleDelete",
        r#"railway api 'mutation { projectScheduleDelete(id: "<projectId>") }'"#,
        Expect::Mutation,
        "projectScheduleDelete",
    ),
    (
        "railway.graphql.projectScheduleDelete",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains projectScheduleDelete"#,
        Expect::File,
        "projectScheduleDelete",
    ),
    (
        "railway.graphql.projectScheduleDeleteForce",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { projectScheduleDeleteForce(id: \"<projectId>\") }"}'"#,
        Expect::Mutation,
        "projectScheduleDeleteForce",
    ),
    (
        "railway.graphql.projectScheduleDeleteForce",
        r#"railway api 'mutation { projectScheduleDeleteForce(id: "<projectId>") }'"#,
        Expect::Mutation,
        "projectScheduleDeleteForce",
    ),
    (
        "railway.graphql.projectScheduleDeleteForce",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains projectScheduleDeleteForce"#,
        Expect::File,
        "projectScheduleDeleteForce",
    ),
    (
        "railway.graphql.workspaceDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { workspaceDelete(id: \"<workspaceId>\") }"}'"#,
        Expect::Mutation,
        "workspaceDelete",
    ),
    (
        "railway.graphql.workspaceDelete",
        r#"railway api 'mutation { workspaceDelete(id: "<workspaceId>") }'"#,
        Expect::Mutation,
        "workspaceDelete",
    ),
    (
        "railway.graphql.workspaceDelete",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains workspaceDelete"#,
        Expect::File,
        "workspaceDelete",
    ),
    (
        "railway.graphql.userDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { userDelete }"}'"#,
        Expect::Mutation,
        "userDelete",
    ),
    (
        "railway.graphql.userDelete",
        r#"railway api 'mutation { userDelete }'"#,
        Expect::Mutation,
        "userDelete",
    ),
    (
        "railway.graphql.userDelete",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains userDelete"#,
        Expect::File,
        "userDelete",
    ),
    (
        "railway.graphql.environmentDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { environmentDelete(id: \"<envId>\") }"}'"#,
        Expect::Mutation,
        "environmentDelete",
    ),
    (
        "railway.graphql.environmentDelete",
        r#"railway api 'mutation { environmentDelete(id: "<envId>") }'"#,
        Expect::Mutation,
        "environmentDelete",
    ),
    (
        "railway.graphql.environmentDelete",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains environmentDelete"#,
        Expect::File,
        "environmentDelete",
    ),
    (
        "railway.graphql.serviceDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { serviceDelete(id: \"<serviceId>\", environmentId: \"<envId>\") }"}'"#,
        Expect::Mutation,
        "serviceDelete",
    ),
    (
        "railway.graphql.serviceDelete",
        r#"railway api 'mutation { serviceDelete(id: "<serviceId>", environmentId: "<envId>") }'"#,
        Expect::Mutation,
        "serviceDelete",
    ),
    (
        "railway.graphql.serviceDelete",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains serviceDelete"#,
        Expect::File,
        "serviceDelete",
    ),
    (
        "railway.graphql.pluginDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { pluginDelete(id: \"<pluginId>\", environmentId: \"<envId>\") }"}'"#,
        Expect::Mutation,
        "pluginDelete",
    ),
    (
        "railway.graphql.pluginDelete",
        r#"railway api 'mutation { pluginDelete(id: "<pluginId>", environmentId: "<envId>") }'"#,
        Expect::Mutation,
        "pluginDelete",
    ),
    (
        "railway.graphql.pluginDelete",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains pluginDelete"#,
        Expect::File,
        "pluginDelete",
    ),
    (
        "railway.graphql.pluginReset",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { pluginReset(id: \"<pluginId>\", input: { environmentId: \"<envId>\" }) }"}'"#,
        Expect::Mutation,
        "pluginReset",
    ),
    (
        "railway.graphql.pluginReset",
        r#"railway api 'mutation { pluginReset(id: "<pluginId>", input: { environmentId: "<envId>" }) }'"#,
        Expect::Mutation,
        "pluginReset",
    ),
    (
        "railway.graphql.pluginReset",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains pluginReset"#,
        Expect::File,
        "pluginReset",
    ),
    (
        "railway.graphql.environmentPatchCommit",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { environmentPatchCommit(environmentId: \"<env>\", patch: { services: { \"<svc>\": { isDeleted: true } } }) }"}'"#,
        Expect::Mutation,
        "environmentPatchCommit",
    ),
    (
        "railway.graphql.environmentPatchCommit",
        r#"railway api 'mutation { environmentPatchCommit(environmentId: "<env>", patch: { services: { "<svc>": { isDeleted: true } } }) }'"#,
        Expect::Mutation,
        "environmentPatchCommit",
    ),
    (
        "railway.graphql.environmentPatchCommit",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains environmentPatchCommit"#,
        Expect::File,
        "environmentPatchCommit",
    ),
    (
        "railway.graphql.environmentApplyChangeSet",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { environmentApplyChangeSet(environmentId: \"<env>\", input: {...}) }"}'"#,
        Expect::Mutation,
        "environmentApplyChangeSet",
    ),
    (
        "railway.graphql.environmentApplyChangeSet",
        r#"railway api 'mutation { environmentApplyChangeSet(environmentId: "<env>", input: {...}) }'"#,
        Expect::Mutation,
        "environmentApplyChangeSet",
    ),
    (
        "railway.graphql.variableCollectionUpsert",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { variableCollectionUpsert(input: { projectId: \"<p>\", environmentId: \"<e>\", serviceId: \"<s>\", variables: {...}, replace: true }) }"}'"#,
        Expect::Mutation,
        "variableCollectionUpsert",
    ),
    (
        "railway.graphql.variableCollectionUpsert",
        r#"railway api 'mutation { variableCollectionUpsert(input: { projectId: "<p>", environmentId: "<e>", serviceId: "<s>", variables: {...}, replace: true }) }'"#,
        Expect::Mutation,
        "variableCollectionUpsert",
    ),
    (
        "railway.graphql.variableCollectionUpsert",
        r#"curl https://backboard.railway.app/graphql/v2 -H "Project-Access-Token: $RAILWAY_TOKEN" --json @payload.json   # payload.json contains variableCollectionUpsert"#,
        Expect::File,
        "variableCollectionUpsert",
    ),
    (
        "railway.graphql.variableDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { variableDelete(input: { projectId: \"<p>\", environmentId: \"<e>\", name: \"API_KEY\" }) }"}'"#,
        Expect::Mutation,
        "variableDelete",
    ),
    (
        "railway.graphql.variableDelete",
        r#"railway api 'mutation { variableDelete(input: { projectId: "<p>", environmentId: "<e>", name: "API_KEY" }) }'"#,
        Expect::Mutation,
        "variableDelete",
    ),
    (
        "railway.graphql.deploymentRemove",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { deploymentRemove(id: \"<deploymentId>\") }"}'"#,
        Expect::Mutation,
        "deploymentRemove",
    ),
    (
        "railway.graphql.deploymentRemove",
        r#"railway api 'mutation { deploymentRemove(id: "<deploymentId>") }'"#,
        Expect::Mutation,
        "deploymentRemove",
    ),
    (
        "railway.graphql.deploymentStop",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { deploymentStop(id: \"<deploymentId>\") }"}'"#,
        Expect::Mutation,
        "deploymentStop",
    ),
    (
        "railway.graphql.deploymentStop",
        r#"railway api 'mutation { deploymentStop(id: "<deploymentId>") }'"#,
        Expect::Mutation,
        "deploymentStop",
    ),
    (
        "railway.graphql.sandboxDestroy",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { sandboxDestroy(id: \"<sb>\", environmentId: \"<env>\") }"}'"#,
        Expect::Mutation,
        "sandboxDestroy",
    ),
    (
        "railway.graphql.sandboxDestroy",
        r#"railway api 'mutation { sandboxDestroy(id: "<sb>", environmentId: "<env>") }'"#,
        Expect::Mutation,
        "sandboxDestroy",
    ),
    (
        "railway.graphql.sandboxCheckpointDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { sandboxCheckpointDelete(environmentId: \"<env>\", id: \"<cp>\") }"}'"#,
        Expect::Mutation,
        "sandboxCheckpointDelete",
    ),
    (
        "railway.graphql.sandboxCheckpointDelete",
        r#"railway api 'mutation { sandboxCheckpointDelete(environmentId: "<env>", id: "<cp>") }'"#,
        Expect::Mutation,
        "sandboxCheckpointDelete",
    ),
    (
        "railway.graphql.cloudAgentDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { cloudAgentDelete(id: \"<agent>\") }"}'"#,
        Expect::Mutation,
        "cloudAgentDelete",
    ),
    (
        "railway.graphql.cloudAgentDelete",
        r#"railway api 'mutation { cloudAgentDelete(id: "<agent>") }'"#,
        Expect::Mutation,
        "cloudAgentDelete",
    ),
    (
        "railway.graphql.customDomainDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { customDomainDelete(id: \"<domainId>\") }"}'"#,
        Expect::Mutation,
        "customDomainDelete",
    ),
    (
        "railway.graphql.customDomainDelete",
        r#"railway api 'mutation { customDomainDelete(id: "<domainId>") }'"#,
        Expect::Mutation,
        "customDomainDelete",
    ),
    (
        "railway.graphql.serviceDomainDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { serviceDomainDelete(id: \"<domainId>\") }"}'"#,
        Expect::Mutation,
        "serviceDomainDelete",
    ),
    (
        "railway.graphql.serviceDomainDelete",
        r#"railway api 'mutation { serviceDomainDelete(id: "<domainId>") }'"#,
        Expect::Mutation,
        "serviceDomainDelete",
    ),
    (
        "railway.graphql.tcpProxyDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { tcpProxyDelete(id: \"<proxyId>\") }"}'"#,
        Expect::Mutation,
        "tcpProxyDelete",
    ),
    (
        "railway.graphql.tcpProxyDelete",
        r#"railway api 'mutation { tcpProxyDelete(id: "<proxyId>") }'"#,
        Expect::Mutation,
        "tcpProxyDelete",
    ),
    (
        "railway.graphql.templateDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { templateDelete(id: \"<tmpl>\", input: { workspaceId: \"<ws>\" }) }"}'"#,
        Expect::Mutation,
        "templateDelete",
    ),
    (
        "railway.graphql.templateDelete",
        r#"railway api 'mutation { templateDelete(id: "<tmpl>", input: { workspaceId: "<ws>" }) }'"#,
        Expect::Mutation,
        "templateDelete",
    ),
    (
        "railway.graphql.templateUnpublish",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { templateUnpublish(id: \"<tmpl>\") }"}'"#,
        Expect::Mutation,
        "templateUnpublish",
    ),
    (
        "railway.graphql.templateUnpublish",
        r#"railway api 'mutation { templateUnpublish(id: "<tmpl>") }'"#,
        Expect::Mutation,
        "templateUnpublish",
    ),
    (
        "railway.graphql.templateRevert",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { templateRevert(input: {...}) }"}'"#,
        Expect::Mutation,
        "templateRevert",
    ),
    (
        "railway.graphql.templateRevert",
        r#"railway api 'mutation { templateRevert(input: {...}) }'"#,
        Expect::Mutation,
        "templateRevert",
    ),
    (
        "railway.graphql.disablePitrForHaCluster",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { disablePitrForHaCluster(input: {...}) }"}'"#,
        Expect::Mutation,
        "disablePitrForHaCluster",
    ),
    (
        "railway.graphql.disablePitrForHaCluster",
        r#"railway api 'mutation { disablePitrForHaCluster(input: {...}) }'"#,
        Expect::Mutation,
        "disablePitrForHaCluster",
    ),
    (
        "railway.graphql.bucketCredentialsReset",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { bucketCredentialsReset(projectId: \"<p>\", environmentId: \"<e>\", bucketId: \"<b>\") }"}'"#,
        Expect::Mutation,
        "bucketCredentialsReset",
    ),
    (
        "railway.graphql.bucketCredentialsReset",
        r#"railway api 'mutation { bucketCredentialsReset(projectId: "<p>", environmentId: "<e>", bucketId: "<b>") }'"#,
        Expect::Mutation,
        "bucketCredentialsReset",
    ),
    (
        "railway.graphql.pluginResetCredentials",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { pluginResetCredentials(id: \"<plugin>\", input: {...}) }"}'"#,
        Expect::Mutation,
        "pluginResetCredentials",
    ),
    (
        "railway.graphql.pluginResetCredentials",
        r#"railway api 'mutation { pluginResetCredentials(id: "<plugin>", input: {...}) }'"#,
        Expect::Mutation,
        "pluginResetCredentials",
    ),
    (
        "railway.graphql.privateNetworksForEnvironmentDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { privateNetworksForEnvironmentDelete(environmentId: \"<env>\") }"}'"#,
        Expect::Mutation,
        "privateNetworksForEnvironmentDelete",
    ),
    (
        "railway.graphql.privateNetworksForEnvironmentDelete",
        r#"railway api 'mutation { privateNetworksForEnvironmentDelete(environmentId: "<env>") }'"#,
        Expect::Mutation,
        "privateNetworksForEnvironmentDelete",
    ),
    (
        "railway.graphql.privateNetworkEndpointDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { privateNetworkEndpointDelete(id: \"<endpoint>\") }"}'"#,
        Expect::Mutation,
        "privateNetworkEndpointDelete",
    ),
    (
        "railway.graphql.privateNetworkEndpointDelete",
        r#"railway api 'mutation { privateNetworkEndpointDelete(id: "<endpoint>") }'"#,
        Expect::Mutation,
        "privateNetworkEndpointDelete",
    ),
    (
        "railway.graphql.railwayDomainDnsRecordDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { railwayDomainDnsRecordDelete(input: {...}) }"}'"#,
        Expect::Mutation,
        "railwayDomainDnsRecordDelete",
    ),
    (
        "railway.graphql.railwayDomainDnsRecordDelete",
        r#"railway api 'mutation { railwayDomainDnsRecordDelete(input: {...}) }'"#,
        Expect::Mutation,
        "railwayDomainDnsRecordDelete",
    ),
    (
        "railway.graphql.twoFactorInfoDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { twoFactorInfoDelete }"}'"#,
        Expect::Mutation,
        "twoFactorInfoDelete",
    ),
    (
        "railway.graphql.twoFactorInfoDelete",
        r#"railway api 'mutation { twoFactorInfoDelete }'"#,
        Expect::Mutation,
        "twoFactorInfoDelete",
    ),
    (
        "railway.graphql.apiTokenDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { apiTokenDelete(id: \"<token>\") }"}'"#,
        Expect::Mutation,
        "apiTokenDelete",
    ),
    (
        "railway.graphql.apiTokenDelete",
        r#"railway api 'mutation { apiTokenDelete(id: "<token>") }'"#,
        Expect::Mutation,
        "apiTokenDelete",
    ),
    (
        "railway.graphql.projectMemberRemove",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { projectMemberRemove(input: {...}) }"}'"#,
        Expect::Mutation,
        "projectMemberRemove",
    ),
    (
        "railway.graphql.projectMemberRemove",
        r#"railway api 'mutation { projectMemberRemove(input: {...}) }'"#,
        Expect::Mutation,
        "projectMemberRemove",
    ),
    (
        "railway.graphql.projectTransfer",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { projectTransfer(projectId: \"<p>\", input: {...}) }"}'"#,
        Expect::Mutation,
        "projectTransfer",
    ),
    (
        "railway.graphql.projectTransfer",
        r#"railway api 'mutation { projectTransfer(projectId: "<p>", input: {...}) }'"#,
        Expect::Mutation,
        "projectTransfer",
    ),
    (
        "railway.graphql.signalDelete",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { signalDelete(input: {...}) }"}'"#,
        Expect::Mutation,
        "signalDelete",
    ),
    (
        "railway.graphql.signalDelete",
        r#"railway api 'mutation { signalDelete(input: {...}) }'"#,
        Expect::Mutation,
        "signalDelete",
    ),
    (
        "railway.graphql.usageLimitRemove",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { usageLimitRemove(input: {...}) }"}'"#,
        Expect::Mutation,
        "usageLimitRemove",
    ),
    (
        "railway.graphql.usageLimitRemove",
        r#"railway api 'mutation { usageLimitRemove(input: {...}) }'"#,
        Expect::Mutation,
        "usageLimitRemove",
    ),
    (
        "railway.graphql.serviceDisconnect",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { serviceDisconnect(id: \"<svc>\") }"}'"#,
        Expect::Mutation,
        "serviceDisconnect",
    ),
    (
        "railway.graphql.serviceDisconnect",
        r#"railway api 'mutation { serviceDisconnect(id: "<svc>") }'"#,
        Expect::Mutation,
        "serviceDisconnect",
    ),
    (
        "railway.graphql.disableServiceCdn",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { disableServiceCdn(input: {...}) }"}'"#,
        Expect::Mutation,
        "disableServiceCdn",
    ),
    (
        "railway.graphql.disableServiceCdn",
        r#"railway api 'mutation { disableServiceCdn(input: {...}) }'"#,
        Expect::Mutation,
        "disableServiceCdn",
    ),
    (
        "railway.graphql.misc_low_impact",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $T" -d '{"query":"mutation { deploymentRollback(id: \"d1\") }"}'"#,
        Expect::Mutation,
        "deploymentRollback",
    ),
    (
        "railway.graphql.misc_low_impact",
        r#"railway api 'mutation { projectTokenDelete(id: "t1") }'"#,
        Expect::Mutation,
        "projectTokenDelete",
    ),
    (
        "http.curl.delete",
        r#"curl -X DELETE -H "Authorization: Bearer $HEROKU_API_KEY" https://api.heroku.com/apps/prod-app"#,
        Expect::Method,
        "DELETE",
    ),
    (
        "http.curl.delete",
        r#"http DELETE https://api.digitalocean.com/v2/volumes/abc "Authorization:Bearer $DO_TOKEN""#,
        Expect::Method,
        "DELETE",
    ),
    (
        "http.curl.delete",
        r#"curl -XDELETE https://api.vercel.com/v9/projects/my-app -H "Authorization: Bearer $VERCEL_TOKEN""#,
        Expect::Method,
        "DELETE",
    ),
    (
        "http.gh.api.delete",
        r#"gh api -X DELETE repos/acme/prod-infra"#,
        Expect::Method,
        "DELETE",
    ),
    (
        "http.gh.api.delete",
        r#"gh api --method DELETE repos/acme/app/git/refs/heads/main"#,
        Expect::Method,
        "DELETE",
    ),
    (
        "http.graphql.destructive",
        r#"curl -X POST https://api.example.com/graphql -H 'Authorization: Bearer T' -d '{"query":"mutation { deleteProject(id: \"p1\") }"}'"#,
        Expect::Mutation,
        "deleteProject",
    ),
    (
        "http.graphql.destructive",
        r#"http POST https://api.example.com/graphql Authorization:'Bearer T' query='mutation { destroyEnvironment(id: 1) { id } }'"#,
        Expect::Mutation,
        "destroyEnvironment",
    ),
    (
        "http.opaque_body",
        r#"curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $T" --data @payload.json"#,
        Expect::Hidden,
        "POST",
    ),
    (
        "http.opaque_body",
        r#"curl https://api.heroku.com/apps/x -X PATCH -d "$BODY""#,
        Expect::Hidden,
        "PATCH",
    ),
];
