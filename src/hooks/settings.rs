//! Adding and removing guardsh's hook in an agent's settings text: JSON (key order kept,
//! indentation as found) and Codex's TOML (comments and layout kept by `toml_edit`).
//!
//! Pure text in, text out; reading, backups and writing are `install.rs`'s. guardsh's
//! entries are recognised by their command, `<…/guardsh> hook <agent>`, so that an
//! install from another path replaces the old one and an uninstall removes exactly them.

use serde_json::{Map, Value};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

/// How an agent's JSON settings hold hooks: `hooks.<event>` is a list of handlers, or of
/// groups `{"matcher": …, "hooks": [handlers]}` when the agent filters by tool name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonSpec {
    /// The key under `hooks`.
    pub event: &'static str,
    /// The tool-name matcher of guardsh's group; `None`: handlers sit in the list directly.
    pub matcher: Option<&'static str>,
    /// The handler field holding the command line (`command`; Copilot's `bash`).
    pub command_key: &'static str,
    /// The file carries `"version": 1` at the top.
    pub version: bool,
    /// guardsh's handler, for a command line.
    pub handler: fn(&str) -> Value,
}

/// What to do with the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// It is already as it should be.
    Unchanged,
    /// Write this text.
    Write(String),
    /// Nothing but guardsh's entry was in it: delete it.
    Remove,
}

/// Settings guardsh will not edit, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Invalid(pub String);

/// Is this command line one of guardsh's hooks (`/path/to/guardsh hook <agent>`)?
pub(crate) fn is_guardsh_command(command: &str) -> bool {
    let Ok(argv) = shell_words::split(command) else {
        return false;
    };
    let program = argv
        .first()
        .and_then(|p| std::path::Path::new(p).file_name())
        .and_then(|n| n.to_str());
    matches!(program, Some("guardsh" | "guardsh.exe"))
        && argv.get(1).map(String::as_str) == Some("hook")
}

/// The command line an installed hook runs.
pub(crate) fn hook_command(exe: &std::path::Path, agent: &str) -> String {
    format!(
        "{} hook {agent}",
        shell_words::quote(&exe.to_string_lossy())
    )
}

// --- JSON -----------------------------------------------------------------------------------

/// Add guardsh's hook to `old` (absent: a new file).
pub(crate) fn install_json(
    old: Option<&str>,
    spec: &JsonSpec,
    command: &str,
) -> Result<Outcome, Invalid> {
    let (mut root, indent) = parse_json(old)?;
    let before = root.clone();
    let Value::Object(obj) = &mut root else {
        return Err(Invalid("the top level is not a JSON object".into()));
    };
    let entry = match spec.matcher {
        Some(matcher) => {
            serde_json::json!({"matcher": matcher, "hooks": [(spec.handler)(command)]})
        }
        None => (spec.handler)(command),
    };
    if spec.version && !obj.contains_key("version") {
        obj.shift_insert(0, "version".into(), Value::from(1));
    }
    let list = hook_list(obj, spec.event)?;
    // Exactly one guardsh entry, as it would be written: leave it where the user has it.
    let ours = handlers(list, spec)
        .into_iter()
        .filter(|h| is_ours(h, spec))
        .count();
    if ours != 1 || !list.contains(&entry) {
        remove_ours(list, spec);
        list.push(entry);
    }
    if old.is_some_and(|o| !o.trim().is_empty()) && root == before {
        return Ok(Outcome::Unchanged);
    }
    Ok(Outcome::Write(render_json(&root, &indent)))
}

/// Remove guardsh's hooks from `old`.
pub(crate) fn uninstall_json(old: &str, spec: &JsonSpec) -> Result<Outcome, Invalid> {
    let (mut root, indent) = parse_json(Some(old))?;
    let Value::Object(obj) = &mut root else {
        return Err(Invalid("the top level is not a JSON object".into()));
    };
    let Some(Value::Object(hooks)) = obj.get_mut("hooks") else {
        return Ok(Outcome::Unchanged);
    };
    let Some(Value::Array(list)) = hooks.get_mut(spec.event) else {
        return Ok(Outcome::Unchanged);
    };
    if remove_ours(list, spec) == 0 {
        return Ok(Outcome::Unchanged);
    }
    // Containers guardsh emptied go too; shift_remove keeps the order of what stays.
    if list.is_empty() {
        hooks.shift_remove(spec.event);
    }
    if hooks.is_empty() {
        obj.shift_remove("hooks");
    }
    let only_version =
        spec.version && obj.len() == 1 && obj.get("version") == Some(&Value::from(1));
    if obj.is_empty() || only_version {
        return Ok(Outcome::Remove);
    }
    Ok(Outcome::Write(render_json(&root, &indent)))
}

/// guardsh's hooks in the file, by their command lines (for `doctor`).
pub(crate) fn json_commands(text: &str, spec: &JsonSpec) -> Result<Vec<String>, Invalid> {
    let (root, _) = parse_json(Some(text))?;
    let mut found = Vec::new();
    if let Some(Value::Array(list)) = root.get("hooks").and_then(|h| h.get(spec.event)) {
        for handler in handlers(list, spec) {
            if let Some(cmd) = handler.get(spec.command_key).and_then(Value::as_str)
                && is_guardsh_command(cmd)
            {
                found.push(cmd.to_owned());
            }
        }
    }
    Ok(found)
}

pub(crate) fn parse_json(old: Option<&str>) -> Result<(Value, String), Invalid> {
    match old {
        Some(text) if !text.trim().is_empty() => {
            let value = serde_json::from_str(text).map_err(|e| {
                Invalid(format!(
                    "not valid JSON ({e}); guardsh edits only plain JSON, without comments: add the hook by hand"
                ))
            })?;
            Ok((value, indent_of(text)))
        }
        _ => Ok((Value::Object(Map::new()), "  ".into())),
    }
}

/// `hooks.<event>`, created when missing.
fn hook_list<'a>(
    obj: &'a mut Map<String, Value>,
    event: &str,
) -> Result<&'a mut Vec<Value>, Invalid> {
    let Value::Object(hooks) = obj
        .entry("hooks")
        .or_insert_with(|| Value::Object(Map::new()))
    else {
        return Err(Invalid("`hooks` is not an object".into()));
    };
    let Value::Array(list) = hooks
        .entry(event)
        .or_insert_with(|| Value::Array(Vec::new()))
    else {
        return Err(Invalid(format!("`hooks.{event}` is not a list")));
    };
    Ok(list)
}

/// Every handler in the list: in groups, or the entries themselves.
fn handlers<'a>(list: &'a [Value], spec: &JsonSpec) -> Vec<&'a Value> {
    match spec.matcher {
        Some(_) => list
            .iter()
            .filter_map(|g| g.get("hooks").and_then(Value::as_array))
            .flatten()
            .collect(),
        None => list.iter().collect(),
    }
}

fn is_ours(handler: &Value, spec: &JsonSpec) -> bool {
    handler
        .get(spec.command_key)
        .and_then(Value::as_str)
        .is_some_and(is_guardsh_command)
}

/// Remove guardsh's handlers, and groups left empty by that. Returns how many went.
fn remove_ours(list: &mut Vec<Value>, spec: &JsonSpec) -> usize {
    let before = handlers(list, spec).len();
    match spec.matcher {
        Some(_) => list.retain_mut(|group| match group.get_mut("hooks") {
            Some(Value::Array(hs)) => {
                let had = hs.len();
                hs.retain(|h| !is_ours(h, spec));
                !(hs.is_empty() && had > 0)
            }
            _ => true,
        }),
        None => list.retain(|h| !is_ours(h, spec)),
    }
    before - handlers(list, spec).len()
}

/// The indentation the file uses (its first indented line), so a rewrite keeps it.
fn indent_of(text: &str) -> String {
    text.lines()
        .skip(1)
        .find_map(|line| {
            let trimmed = line.trim_start_matches([' ', '\t']);
            (trimmed.len() < line.len()).then(|| line[..line.len() - trimmed.len()].to_owned())
        })
        .unwrap_or_else(|| "  ".into())
}

pub(crate) fn render_json(value: &Value, indent: &str) -> String {
    use serde::Serialize as _;
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serialising a Value into memory cannot fail.
    let _ = value.serialize(&mut ser);
    let mut text = String::from_utf8_lossy(&out).into_owned();
    text.push('\n');
    text
}

// --- TOML (Codex) ---------------------------------------------------------------------------

/// Codex's hook event.
const CODEX_EVENT: &str = "PreToolUse";
/// Seconds Codex waits for the hook.
const CODEX_TIMEOUT: i64 = 30;

/// Add guardsh's hook to Codex's `config.toml`: `[[hooks.PreToolUse]]` with one
/// `[[hooks.PreToolUse.hooks]]` handler, no matcher (every tool comes to guardsh).
pub(crate) fn install_toml(old: Option<&str>, command: &str) -> Result<Outcome, Invalid> {
    let mut doc = parse_toml(old)?;
    let groups = toml_groups(&mut doc)?;
    let ours = groups.iter().filter(|g| toml_group_has_ours(g)).count();
    let exact = groups.iter().any(|g| toml_group_is(g, command));
    if ours == 1 && exact {
        return Ok(Outcome::Unchanged);
    }
    remove_toml_ours(groups);
    let mut handler = Table::new();
    handler.insert("type", toml_edit::value("command"));
    handler.insert("command", toml_edit::value(command));
    handler.insert("timeout", toml_edit::value(CODEX_TIMEOUT));
    let mut handlers = ArrayOfTables::new();
    handlers.push(handler);
    let mut group = Table::new();
    group.insert("hooks", Item::ArrayOfTables(handlers));
    groups.push(group);
    Ok(Outcome::Write(doc.to_string()))
}

/// Remove guardsh's hooks from Codex's `config.toml`.
pub(crate) fn uninstall_toml(old: &str) -> Result<Outcome, Invalid> {
    let mut doc = parse_toml(Some(old))?;
    let Some(hooks) = doc.get_mut("hooks").and_then(Item::as_table_mut) else {
        return Ok(Outcome::Unchanged);
    };
    let Some(groups) = hooks
        .get_mut(CODEX_EVENT)
        .and_then(Item::as_array_of_tables_mut)
    else {
        return Ok(Outcome::Unchanged);
    };
    if remove_toml_ours(groups) == 0 {
        return Ok(Outcome::Unchanged);
    }
    if groups.is_empty() {
        hooks.remove(CODEX_EVENT);
    }
    if hooks.is_empty() {
        doc.remove("hooks");
    }
    let text = doc.to_string();
    if text.trim().is_empty() {
        return Ok(Outcome::Remove);
    }
    Ok(Outcome::Write(text))
}

/// guardsh's hook commands in Codex's `config.toml` (for `doctor`).
pub(crate) fn toml_commands(text: &str) -> Result<Vec<String>, Invalid> {
    let doc = parse_toml(Some(text))?;
    let mut found = Vec::new();
    if let Some(groups) = doc
        .get("hooks")
        .and_then(|h| h.get(CODEX_EVENT))
        .and_then(Item::as_array_of_tables)
    {
        for group in groups.iter() {
            for handler in toml_handlers(group) {
                if let Some(cmd) = handler.get("command").and_then(Item::as_str)
                    && is_guardsh_command(cmd)
                {
                    found.push(cmd.to_owned());
                }
            }
        }
    }
    Ok(found)
}

/// The top-level table `key`, created without a header of its own when missing (only its
/// sub-tables, `[[hooks.PreToolUse]]` or `[mcp_servers.guardsh]`, appear). Another spelling
/// (an inline `key = {…}`) is left to the user: guardsh will not rewrite what it cannot
/// keep; `what` names what they then add by hand.
pub(crate) fn implicit_table<'d>(
    doc: &'d mut DocumentMut,
    key: &str,
    what: &str,
) -> Result<&'d mut Table, Invalid> {
    doc.entry(key)
        .or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(true);
            Item::Table(t)
        })
        .as_table_mut()
        .ok_or_else(|| {
            Invalid(format!(
                "`{key}` is not a table ([{key}]); add {what} by hand"
            ))
        })
}

pub(crate) fn parse_toml(old: Option<&str>) -> Result<DocumentMut, Invalid> {
    old.unwrap_or("")
        .parse::<DocumentMut>()
        .map_err(|e| Invalid(format!("not valid TOML: {}", e.to_string().trim())))
}

/// `hooks.PreToolUse` as an array of tables, created when missing. Other spellings (an
/// inline `hooks = {…}`) are left to the user: guardsh will not rewrite what it cannot keep.
fn toml_groups(doc: &mut DocumentMut) -> Result<&mut ArrayOfTables, Invalid> {
    implicit_table(doc, "hooks", "the hook")?
        .entry(CODEX_EVENT)
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(|| {
            Invalid(format!(
                "`hooks.{CODEX_EVENT}` is not an array of tables ([[hooks.{CODEX_EVENT}]]); add the hook by hand"
            ))
        })
}

fn toml_handlers(group: &Table) -> Vec<&Table> {
    group
        .get("hooks")
        .and_then(Item::as_array_of_tables)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn toml_is_ours(handler: &Table) -> bool {
    handler
        .get("command")
        .and_then(Item::as_str)
        .is_some_and(is_guardsh_command)
}

fn toml_group_has_ours(group: &Table) -> bool {
    toml_handlers(group).into_iter().any(toml_is_ours)
}

/// The group is exactly guardsh's: no matcher, one handler, as `install_toml` writes it.
fn toml_group_is(group: &Table, command: &str) -> bool {
    let handlers = toml_handlers(group);
    group.len() == 1
        && handlers.len() == 1
        && handlers.first().is_some_and(|h| {
            h.len() == 3
                && h.get("type").and_then(Item::as_str) == Some("command")
                && h.get("command").and_then(Item::as_str) == Some(command)
                && h.get("timeout").and_then(Item::as_integer) == Some(CODEX_TIMEOUT)
        })
}

/// Remove guardsh's handlers, and groups left empty by that. Returns how many went.
fn remove_toml_ours(groups: &mut ArrayOfTables) -> usize {
    let mut removed = 0;
    for group in groups.iter_mut() {
        if let Some(handlers) = group
            .get_mut("hooks")
            .and_then(Item::as_array_of_tables_mut)
        {
            let before = handlers.len();
            handlers.retain(|h| !toml_is_ours(h));
            removed += before - handlers.len();
        }
    }
    groups.retain(|g| {
        !g.get("hooks")
            .and_then(Item::as_array_of_tables)
            .is_some_and(|h| h.is_empty())
    });
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guardsh_commands_are_recognised() {
        for yes in [
            "/usr/local/bin/guardsh hook claude-code",
            "'/home/me/my tools/guardsh' hook cursor",
            "guardsh hook codex",
        ] {
            assert!(is_guardsh_command(yes), "{yes}");
        }
        for no in [
            "guardsh check x",
            "/usr/bin/other hook claude-code",
            "my-guardsh-wrapper hook x",
            "echo guardsh hook",
            "'unterminated",
        ] {
            assert!(!is_guardsh_command(no), "{no}");
        }
        assert_eq!(
            hook_command(std::path::Path::new("/a b/guardsh"), "cursor"),
            "'/a b/guardsh' hook cursor"
        );
    }

    #[test]
    fn indentation_is_detected() {
        assert_eq!(indent_of("{\n    \"a\": 1\n}"), "    ");
        assert_eq!(indent_of("{\n\t\"a\": 1\n}"), "\t");
        assert_eq!(indent_of("{}"), "  ");
    }

    #[test]
    fn toml_shapes_guardsh_will_not_rewrite() {
        let inline = "hooks = { PreToolUse = [] }\n";
        assert!(install_toml(Some(inline), "guardsh hook codex").is_err());
        let wrong = "[hooks]\nPreToolUse = \"x\"\n";
        assert!(install_toml(Some(wrong), "guardsh hook codex").is_err());
        assert!(install_toml(Some("not toml ["), "guardsh hook codex").is_err());
    }

    #[test]
    fn json_shapes_guardsh_will_not_rewrite() {
        let spec = crate::hooks::claude::SPEC;
        for bad in [
            "[]",
            "{\"hooks\": []}",
            "{\"hooks\": {\"PreToolUse\": {}}}",
            "{ // c\n}",
        ] {
            assert!(
                install_json(Some(bad), &spec, "guardsh hook claude-code").is_err(),
                "{bad}"
            );
        }
    }
}
