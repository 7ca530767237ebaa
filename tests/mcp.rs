//! `guardsh mcp`, driven by a real MCP client that nobody on the project wrote: the
//! official Python SDK (`pip install mcp`), started from a script this test writes, against
//! the server that `guardsh install claude-code --mcp` registered. It lists the tools, calls
//! each, and asks run_command for destructive lines that must not run: stand-ins on PATH
//! and a marker in the (temporary) home prove that nothing did. And `install --mcp` itself.
//!
//! Without the Python package the end-to-end test is skipped, visibly; under CI (CI=true)
//! it fails instead, and .ci/run installs the package.

// These tests start guardsh, python3 and stand-in programs on purpose.
#![allow(clippy::disallowed_methods)]

#[allow(dead_code)] // this binary uses part of it
#[path = "common/e2e.rs"]
mod e2e;
#[path = "common/guarded.rs"]
mod guarded;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use e2e::{GUARDSH, Scratch, path_with, require, text};
use serde_json::{Value, json};

/// The client: connects to the server named in the spec file, initialises, lists the tools,
/// makes each call in turn and prints one JSON object. Attribute names are read in both of
/// the SDK's spellings (1.x camelCase, 2.x snake_case).
const CLIENT: &str = r#"
import asyncio, json, os, sys
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

def attr(o, *names):
    for n in names:
        if hasattr(o, n):
            return getattr(o, n)
    return None

async def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    params = StdioServerParameters(command=spec["command"], args=spec["args"], env=dict(os.environ))
    out = {}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            out["server"] = attr(init, "server_info", "serverInfo").name
            out["protocol"] = attr(init, "protocol_version", "protocolVersion")
            listed = await session.list_tools()
            out["tools"] = [t.name for t in listed.tools]
            results = []
            for call in spec["calls"]:
                r = await session.call_tool(call["name"], call["arguments"])
                texts = [c.text for c in r.content if getattr(c, "type", "") == "text"]
                results.append({"is_error": bool(attr(r, "is_error", "isError")), "text": "".join(texts)})
            out["results"] = results
    print(json.dumps(out))

asyncio.run(main())
"#;

/// A python3 that can import the SDK: its absolute path (a pyenv shim would need the real
/// HOME) and the directory the `mcp` package sits in (which may be a user site).
fn python_with_mcp() -> Option<(PathBuf, PathBuf)> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, os, mcp.client.stdio, mcp; \
             print(sys.executable); print(os.path.dirname(os.path.dirname(mcp.__file__)))",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let stdout = text(&out.stdout);
    let mut lines = stdout.lines();
    Some((PathBuf::from(lines.next()?), PathBuf::from(lines.next()?)))
}

/// An executable stand-in named `name` that records in `marker` that it ran.
fn stand_in(dir: &Path, name: &str, marker: &Path) {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!("#!/bin/sh\necho \"{name} $*\" >> '{}'\n", marker.display()),
    )
    .expect("write the stand-in");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// `guardsh ARGS` in the scratch, with `fakebin` first on PATH.
fn guardsh(s: &Scratch, fakebin: &Path, args: &[&str]) -> std::process::Output {
    let mut c = s.cmd(GUARDSH, &path_with(&[fakebin]));
    c.args(args);
    c.output().expect("guardsh runs")
}

/// The JSON object printed on standard output.
fn json_out(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON expected ({e}): {}\n{}",
            text(&o.stdout),
            text(&o.stderr)
        )
    })
}

#[test]
fn an_mcp_client_lists_the_tools_runs_the_harmless_and_is_refused_the_destructive() {
    let Some((python, site)) = require(
        python_with_mcp(),
        "mcp",
        "python3 with the MCP SDK is missing (python3 -m pip install mcp)",
    ) else {
        return;
    };
    let s = Scratch::new("mcp");
    let home = s.dir.join("home");
    let fakebin = s.dir.join("fakebin");
    let work = s.dir.join("work");
    std::fs::create_dir_all(&fakebin).expect("mkdir");
    std::fs::create_dir_all(&work).expect("mkdir");
    let keep = home.join("keep.txt");
    std::fs::write(&keep, "still here").expect("marker");
    let ran = s.dir.join("ran");
    stand_in(&fakebin, "railway", &ran);
    stand_in(&fakebin, "git", &ran);
    // A program that tries to write among the approvals (a forged one). Its command line
    // names nothing of guardsh's: only the kernel boundary can stop it.
    let forged = s.protected.dir().join("approvals/forged.json");
    std::fs::write(
        fakebin.join("probe"),
        format!(
            "#!/bin/sh\nif touch '{}' 2>/dev/null; then echo wrote; else echo denied; fi\n",
            forged.display()
        ),
    )
    .expect("write the probe");
    std::fs::set_permissions(
        fakebin.join("probe"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");

    // The server the client starts is the one install registered.
    let o = guardsh(&s, &fakebin, &["install", "claude-code", "--mcp"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let settings: Value = serde_json::from_str(
        &std::fs::read_to_string(home.join(".claude.json")).expect("~/.claude.json written"),
    )
    .expect("JSON");
    let server = &settings["mcpServers"]["guardsh"];
    assert_eq!(server["args"], json!(["mcp"]), "{settings}");

    let protection = json_out(&guardsh(&s, &fakebin, &["check", "--json", "ls"]))["protection"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let calls = json!([
        {"name": "run_command", "arguments": {"command": "echo hi"}},
        {"name": "run_command", "arguments": {"command": "pwd; exit 3", "cwd": work, "timeout": 30}},
        {"name": "run_command", "arguments": {"command": "rm -rf ~"}},
        {"name": "run_command", "arguments": {"command": "railway volume delete pg-data --yes"}},
        {"name": "run_command", "arguments": {"command": "git reset --hard", "cwd": work}},
        {"name": "run_command", "arguments": {"command": "probe"}},
        {"name": "check_command", "arguments": {"command": "rm -rf ~"}},
        {"name": "explain_command", "arguments": {"command": "echo a | wc -l"}},
    ]);
    let spec = json!({"command": server["command"], "args": server["args"], "calls": calls});
    let spec_path = s.dir.join("spec.json");
    std::fs::write(&spec_path, spec.to_string()).expect("write the spec");
    let script = s.dir.join("client.py");
    std::fs::write(&script, CLIENT).expect("write the client");
    let mut c = s.cmd(&python, &path_with(&[&fakebin]));
    c.arg(&script).arg(&spec_path).env("PYTHONPATH", &site);
    let o = c.output().expect("python3 runs");
    assert!(
        o.status.success(),
        "the client failed:\n{}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let out = json_out(&o);
    assert_eq!(out["server"], "guardsh");
    assert_eq!(
        out["tools"],
        json!(["run_command", "check_command", "explain_command"])
    );
    let results = out["results"].as_array().expect("results");
    let result = |i: usize| -> (bool, String) {
        let r = &results[i];
        (
            r["is_error"].as_bool().unwrap_or(true),
            r["text"].as_str().unwrap_or_default().to_owned(),
        )
    };
    let ran_json = |i: usize| -> Value {
        let (error, t) = result(i);
        assert!(!error, "call {i} is no error: {t}");
        serde_json::from_str(&t).unwrap_or_else(|e| panic!("call {i}: JSON expected ({e}): {t}"))
    };

    // An ordinary command runs, and its output comes back.
    let hi = ran_json(0);
    assert_eq!(hi["stdout"], "hi\n");
    assert_eq!(hi["exit_code"], 0);
    assert_eq!(hi["decision"], "allow");
    assert_eq!(hi["protection"], protection.as_str());
    // In the directory asked for, with its exit status.
    let pwd = ran_json(1);
    assert_eq!(pwd["stdout"], format!("{}\n", work.display()));
    assert_eq!(pwd["exit_code"], 3);

    // Denied: a tool error that says what was found, and nothing ran.
    let (error, t) = result(2);
    assert!(error, "rm -rf ~ is refused: {t}");
    assert!(
        t.contains("refused, nothing ran") && t.contains("fs.rm.home"),
        "{t}"
    );
    assert!(t.contains("safer:"), "{t}");
    assert_eq!(
        std::fs::read_to_string(&keep).ok().as_deref(),
        Some("still here")
    );
    let (error, t) = result(3);
    assert!(error && t.contains("railway.volume.delete"), "{t}");
    // Confirm-level: refused too, with a request a person can approve out of band.
    let (error, t) = result(4);
    assert!(error && t.contains("git.reset.hard"), "{t}");
    let request = t
        .split("`guardsh approve ")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("a request id in: {t}"))
        .to_owned();
    assert!(!request.is_empty());
    assert!(
        !ran.exists(),
        "a stand-in ran: {}",
        std::fs::read_to_string(&ran).unwrap_or_default()
    );

    // Inside the boundary, nothing can write guardsh's protected state.
    let probe = ran_json(5);
    if protection == "kernel" {
        assert_eq!(probe["stdout"], "denied\n", "{probe}");
        assert!(!forged.exists());
    } else {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr().lock(),
            "NOTE mcp: protection is {protection} here, so the kernel boundary was not probed"
        );
    }

    // check_command and explain_command answer exactly what the CLI answers.
    let (error, t) = result(6);
    assert!(!error, "{t}");
    let cli = json_out(&guardsh(&s, &fakebin, &["check", "--json", "rm -rf ~"]));
    assert_eq!(serde_json::from_str::<Value>(&t).expect("JSON"), cli);
    let (error, t) = result(7);
    assert!(!error, "{t}");
    let cli = json_out(&guardsh(
        &s,
        &fakebin,
        &["explain", "--json", "echo a | wc -l"],
    ));
    assert_eq!(serde_json::from_str::<Value>(&t).expect("JSON"), cli);

    // Every decision is in the audit log, in mode mcp, with the command's directory.
    let audit: Vec<Value> = s
        .audit()
        .into_iter()
        .filter(|e| e["mode"] == "mcp")
        .collect();
    let find = |command: &str| {
        audit
            .iter()
            .find(|e| e["command"] == command)
            .unwrap_or_else(|| panic!("{command} audited: {audit:?}"))
    };
    assert_eq!(find("echo hi")["outcome"], "ran");
    assert_eq!(find("rm -rf ~")["outcome"], "refused");
    let reset = find("git reset --hard");
    assert_eq!(reset["outcome"], "refused");
    assert_eq!(reset["request"], request.as_str());
    assert_eq!(reset["cwd"], work.display().to_string());
    // The boundary is each command's own: the server, which entered none, still writes the
    // protected log itself, after commands ran inside theirs (not a tree's spool).
    if protection == "kernel" {
        let main = &s.protected.logs()[0];
        assert!(
            main.lines().any(|l| l.contains("\"mode\":\"mcp\"")
                && l.contains("\"command\":\"git reset --hard\"")),
            "the refusal is in the protected log: {main}"
        );
    }
}

#[test]
fn install_mcp_registers_and_removes_only_guardsh_s_server() {
    let s = Scratch::new("mcp-install");
    let home = s.dir.join("home");
    let fakebin = s.dir.join("fakebin");
    std::fs::create_dir_all(&fakebin).expect("mkdir");
    // Claude Code's file has much else in it, which stays.
    std::fs::write(
        home.join(".claude.json"),
        "{\n  \"numStartups\": 3,\n  \"mcpServers\": {\n    \"db\": {\"command\": \"db-mcp\"}\n  }\n}\n",
    )
    .expect("write");
    let o = guardsh(
        &s,
        &fakebin,
        &["install", "claude-code", "--mcp", "--dry-run"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("nothing written"),
        "{}",
        text(&o.stdout)
    );
    for agent in ["claude-code", "codex", "gemini", "cursor", "copilot"] {
        let o = guardsh(&s, &fakebin, &["install", agent, "--mcp"]);
        assert_eq!(o.status.code(), Some(0), "{agent}: {}", text(&o.stderr));
        assert!(
            text(&o.stdout).contains("MCP server"),
            "{}",
            text(&o.stdout)
        );
        // Again: nothing to change.
        let o = guardsh(&s, &fakebin, &["install", agent, "--mcp"]);
        assert!(
            text(&o.stdout).contains("already installed"),
            "{}",
            text(&o.stdout)
        );
    }
    let claude: Value =
        serde_json::from_str(&std::fs::read_to_string(home.join(".claude.json")).expect("read"))
            .expect("JSON");
    assert_eq!(claude["numStartups"], 3);
    assert_eq!(claude["mcpServers"]["db"]["command"], "db-mcp");
    let command = claude["mcpServers"]["guardsh"]["command"]
        .as_str()
        .expect("a command");
    assert!(Path::new(command).is_absolute(), "{command}");
    let codex = std::fs::read_to_string(home.join(".codex/config.toml")).expect("read");
    assert!(
        codex.contains("[mcp_servers.guardsh]") && codex.contains("args = [\"mcp\"]"),
        "{codex}"
    );
    for file in [
        ".gemini/settings.json",
        ".cursor/mcp.json",
        ".copilot/mcp-config.json",
    ] {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(home.join(file)).expect(file))
            .expect("JSON");
        assert_eq!(v["mcpServers"]["guardsh"]["args"], json!(["mcp"]), "{file}");
    }
    // No project file of MCP servers for Copilot CLI: a usage error, nothing written.
    let o = guardsh(
        &s,
        &fakebin,
        &["install", "copilot", "--mcp", "--scope", "project"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));

    let o = guardsh(&s, &fakebin, &["uninstall", "claude-code", "--mcp"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let claude: Value =
        serde_json::from_str(&std::fs::read_to_string(home.join(".claude.json")).expect("read"))
            .expect("JSON");
    assert!(claude["mcpServers"].get("guardsh").is_none(), "{claude}");
    assert_eq!(claude["mcpServers"]["db"]["command"], "db-mcp");
    let o = guardsh(&s, &fakebin, &["uninstall", "codex", "--mcp"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(!home.join(".codex/config.toml").exists());
}
