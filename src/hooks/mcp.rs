//! `guardsh install AGENT --mcp`: guardsh's MCP server (`guardsh mcp`) registered in the
//! settings where an agent lists its MCP servers, as one entry named `guardsh`.
//!
//! Pure text in, text out, like settings.rs; install.rs reads, backs up and writes. JSON
//! agents keep servers under `mcpServers.<name>` (`{"command": …, "args": […]}`), Codex
//! under `[mcp_servers.<name>]` in its config.toml. guardsh's entry is the one named
//! `guardsh` whose command is a guardsh binary run with `mcp`: an uninstall removes that
//! and nothing else, and leaves a `guardsh` entry a person wrote for something else alone.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use toml_edit::{Item, Table};

use super::paths::{Home, system_root};
use super::settings::{Invalid, Outcome, implicit_table, parse_json, parse_toml, render_json};
use crate::cli::{Scope, SettingsAgent};

/// The entry's name in every agent's list of servers.
pub(crate) const NAME: &str = "guardsh";

/// The file an agent reads its MCP servers from, for a scope; `None` where the agent has
/// no such file for that scope (Cursor and Copilot CLI have no system-wide one guardsh
/// knows of, Copilot CLI no project one).
pub(crate) fn file(
    home: &Home,
    agent: SettingsAgent,
    scope: Scope,
    project: &Path,
) -> Option<PathBuf> {
    Some(match (agent, scope) {
        // Claude Code keeps user-scope servers in ~/.claude.json (in CLAUDE_CONFIG_DIR when
        // that is set), project ones in .mcp.json, managed ones in managed-mcp.json.
        (SettingsAgent::ClaudeCode, Scope::User) => {
            if home.claude == home.home.join(".claude") {
                home.home.join(".claude.json")
            } else {
                home.claude.join(".claude.json")
            }
        }
        (SettingsAgent::ClaudeCode, Scope::Project) => project.join(".mcp.json"),
        (SettingsAgent::ClaudeCode, Scope::System) => {
            system_root().join("etc/claude-code/managed-mcp.json")
        }
        (SettingsAgent::Cursor, Scope::User) => home.home.join(".cursor/mcp.json"),
        (SettingsAgent::Cursor, Scope::Project) => project.join(".cursor/mcp.json"),
        (SettingsAgent::Cursor, Scope::System) => return None,
        // Codex and Gemini CLI list servers in the same files as their hooks.
        (SettingsAgent::Codex | SettingsAgent::Gemini, _) => {
            return home.settings_file(agent, scope, project);
        }
        (SettingsAgent::Copilot, Scope::User) => home.copilot.join("mcp-config.json"),
        (SettingsAgent::Copilot, _) => return None,
    })
}

/// The JSON entry for `exe`, in the agent's shape.
fn json_entry(agent: SettingsAgent, exe: &str) -> Value {
    match agent {
        // Copilot CLI wants the server's type and the tools it may use spelt out.
        SettingsAgent::Copilot => serde_json::json!({
            "type": "local", "command": exe, "args": ["mcp"], "tools": ["*"]
        }),
        _ => serde_json::json!({"command": exe, "args": ["mcp"]}),
    }
}

/// Is this entry guardsh's server: a guardsh binary run with the single argument `mcp`?
fn is_ours(command: Option<&str>, args: &[&str]) -> bool {
    let program = command
        .and_then(|c| Path::new(c).file_name())
        .and_then(|n| n.to_str());
    matches!(program, Some("guardsh" | "guardsh.exe")) && args == ["mcp"]
}

fn json_is_ours(entry: &Value) -> bool {
    let args: Vec<&str> = entry
        .get("args")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    is_ours(entry.get("command").and_then(Value::as_str), &args)
}

/// Register guardsh's server for `exe` in `old` (absent: a new file).
pub(crate) fn install(
    agent: SettingsAgent,
    old: Option<&str>,
    exe: &Path,
) -> Result<Outcome, Invalid> {
    let exe = exe.to_string_lossy();
    if agent == SettingsAgent::Codex {
        return install_toml(old, &exe);
    }
    let (mut root, indent) = parse_json(old)?;
    let Value::Object(obj) = &mut root else {
        return Err(Invalid("the top level is not a JSON object".into()));
    };
    let Value::Object(servers) = obj
        .entry("mcpServers")
        .or_insert_with(|| Value::Object(Map::new()))
    else {
        return Err(Invalid("`mcpServers` is not an object".into()));
    };
    let entry = json_entry(agent, &exe);
    if servers.get(NAME) == Some(&entry) {
        return Ok(Outcome::Unchanged);
    }
    if let Some(theirs) = servers.get(NAME).filter(|e| !json_is_ours(e)) {
        return Err(Invalid(format!(
            "`mcpServers.{NAME}` is already there and is not guardsh's server ({theirs}); \
             rename it, or add guardsh's by hand"
        )));
    }
    servers.insert(NAME.into(), entry);
    Ok(Outcome::Write(render_json(&root, &indent)))
}

/// Remove guardsh's server from `old`.
pub(crate) fn uninstall(agent: SettingsAgent, old: &str) -> Result<Outcome, Invalid> {
    if agent == SettingsAgent::Codex {
        return uninstall_toml(old);
    }
    let (mut root, indent) = parse_json(Some(old))?;
    let Value::Object(obj) = &mut root else {
        return Err(Invalid("the top level is not a JSON object".into()));
    };
    let Some(Value::Object(servers)) = obj.get_mut("mcpServers") else {
        return Ok(Outcome::Unchanged);
    };
    if !servers.get(NAME).is_some_and(json_is_ours) {
        return Ok(Outcome::Unchanged);
    }
    servers.shift_remove(NAME);
    if servers.is_empty() {
        obj.shift_remove("mcpServers");
    }
    if obj.is_empty() {
        return Ok(Outcome::Remove);
    }
    Ok(Outcome::Write(render_json(&root, &indent)))
}

/// `[mcp_servers.guardsh]` in Codex's config.toml.
fn install_toml(old: Option<&str>, exe: &str) -> Result<Outcome, Invalid> {
    let mut doc = parse_toml(old)?;
    let servers = implicit_table(&mut doc, "mcp_servers", "guardsh's server")?;
    if let Some(existing) = servers.get(NAME) {
        let Some(table) = existing.as_table() else {
            return Err(Invalid(format!(
                "`mcp_servers.{NAME}` is not a table; add guardsh's server by hand"
            )));
        };
        if !toml_is_ours(table) {
            return Err(Invalid(format!(
                "`mcp_servers.{NAME}` is already there and is not guardsh's server; rename it, \
                 or add guardsh's by hand"
            )));
        }
        if table.get("command").and_then(Item::as_str) == Some(exe) {
            return Ok(Outcome::Unchanged);
        }
    }
    let mut table = Table::new();
    table.insert("command", toml_edit::value(exe));
    let mut args = toml_edit::Array::new();
    args.push("mcp");
    table.insert("args", toml_edit::value(args));
    servers.insert(NAME, Item::Table(table));
    Ok(Outcome::Write(doc.to_string()))
}

fn uninstall_toml(old: &str) -> Result<Outcome, Invalid> {
    let mut doc = parse_toml(Some(old))?;
    let Some(servers) = doc.get_mut("mcp_servers").and_then(Item::as_table_mut) else {
        return Ok(Outcome::Unchanged);
    };
    if !servers
        .get(NAME)
        .and_then(Item::as_table)
        .is_some_and(toml_is_ours)
    {
        return Ok(Outcome::Unchanged);
    }
    servers.remove(NAME);
    if servers.is_empty() {
        doc.remove("mcp_servers");
    }
    if doc.as_table().is_empty() && doc.to_string().trim().is_empty() {
        return Ok(Outcome::Remove);
    }
    Ok(Outcome::Write(doc.to_string()))
}

fn toml_is_ours(table: &Table) -> bool {
    let args: Vec<&str> = table
        .get("args")
        .and_then(Item::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    is_ours(table.get("command").and_then(Item::as_str), &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXE: &str = "/opt/bin/guardsh";

    fn written(o: Result<Outcome, Invalid>) -> String {
        match o {
            Ok(Outcome::Write(text)) => text,
            other => panic!("a write expected: {other:?}"),
        }
    }

    #[test]
    fn json_agents_get_one_entry_kept_among_the_others() {
        let old = "{\n    \"theme\": \"dark\",\n    \"mcpServers\": {\"other\": {\"command\": \"x\"}}\n}\n";
        let new = written(install(
            SettingsAgent::ClaudeCode,
            Some(old),
            Path::new(EXE),
        ));
        let v: Value = serde_json::from_str(&new).expect("JSON");
        assert_eq!(
            v["mcpServers"]["guardsh"],
            serde_json::json!({"command": EXE, "args": ["mcp"]})
        );
        assert_eq!(v["mcpServers"]["other"]["command"], "x");
        assert_eq!(v["theme"], "dark");
        assert!(new.contains("\n    \"theme\""), "indentation kept: {new}");
        // Idempotent.
        assert_eq!(
            install(SettingsAgent::ClaudeCode, Some(&new), Path::new(EXE)),
            Ok(Outcome::Unchanged)
        );
        // Uninstall leaves exactly what was there.
        let back = written(uninstall(SettingsAgent::ClaudeCode, &new));
        let b: Value = serde_json::from_str(&back).expect("JSON");
        assert_eq!(b, serde_json::from_str::<Value>(old).expect("JSON"));
        // A new file holds only the entry, and goes when it is removed.
        let fresh = written(install(SettingsAgent::Cursor, None, Path::new(EXE)));
        assert_eq!(
            uninstall(SettingsAgent::Cursor, &fresh),
            Ok(Outcome::Remove)
        );
        let copilot = written(install(SettingsAgent::Copilot, None, Path::new(EXE)));
        assert!(copilot.contains("\"type\": \"local\""), "{copilot}");
    }

    #[test]
    fn someone_elses_guardsh_entry_is_left_alone() {
        let old = r#"{"mcpServers": {"guardsh": {"command": "/usr/bin/other", "args": []}}}"#;
        assert!(install(SettingsAgent::Gemini, Some(old), Path::new(EXE)).is_err());
        assert_eq!(
            uninstall(SettingsAgent::Gemini, old),
            Ok(Outcome::Unchanged)
        );
    }

    #[test]
    fn codex_gets_a_table_and_keeps_its_comments() {
        let old = "# mine\nmodel = \"o3\"\n";
        let new = written(install(SettingsAgent::Codex, Some(old), Path::new(EXE)));
        assert!(new.starts_with("# mine\nmodel = \"o3\"\n"), "{new}");
        assert!(
            new.contains("[mcp_servers.guardsh]\ncommand = \"/opt/bin/guardsh\"\nargs = [\"mcp\"]"),
            "{new}"
        );
        assert!(!new.contains("[mcp_servers]\n"), "{new}");
        assert_eq!(
            install(SettingsAgent::Codex, Some(&new), Path::new(EXE)),
            Ok(Outcome::Unchanged)
        );
        let back = written(uninstall(SettingsAgent::Codex, &new));
        assert_eq!(back.trim_end(), old.trim_end());
    }
}
