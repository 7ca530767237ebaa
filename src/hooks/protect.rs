//! Self-protection for file edits: the files that switch guardsh off when an agent changes
//! them. Shell commands that touch the same files are refused by the `guardsh-self` pack
//! (`guards/guardsh-self.yaml`); an agent's own edit tools (Claude Code's Edit and Write,
//! Gemini's write_file…) are not shell commands, so they are checked here.
//!
//! Those tools run in the agent's own process, outside any tree guardsh confines (unless the
//! agent was started with `guardsh confine`), so the kernel does not keep guardsh's protected
//! directory from them: this check, by path, is what stands in front of it there.

use std::path::{Component, Path, PathBuf};

use super::paths::Home;

/// What `path` is, if it is one of guardsh's protected files. Relative paths are read
/// against `cwd`; `..` is resolved, and so are symbolic links when the file (or its
/// directory) exists, so a link to a settings file is the settings file.
pub(crate) fn protected_file(
    path: &str,
    cwd: Option<&Path>,
    home: Option<&Home>,
) -> Option<&'static str> {
    let raw = expand_home(path, home);
    let absolute = if raw.is_absolute() {
        raw
    } else {
        let base = cwd
            .map(Path::to_path_buf)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        base.join(raw)
    };
    let lexical = normalise(&absolute);
    let mut candidates = vec![lexical.clone()];
    if let Some(real) = resolve(&lexical) {
        candidates.push(real);
    }
    candidates.iter().find_map(|p| classify(p, home))
}

/// `~` and `~/…` as the shell would read them.
fn expand_home(path: &str, home: Option<&Home>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(""), Some(h)) => h.home.clone(),
        (Some(rest), Some(h)) if rest.starts_with('/') => h.home.join(rest.trim_start_matches('/')),
        _ => PathBuf::from(path),
    }
}

/// `.` and `..` removed without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The real path: the file's, or its directory's plus its name when it does not exist yet.
fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(real) = path.canonicalize() {
        return Some(real);
    }
    let dir = path.parent()?.canonicalize().ok()?;
    Some(dir.join(path.file_name()?))
}

const SETTINGS: &str = "an agent's settings file that holds guardsh's hook";
const CONFIG: &str = "guardsh's own configuration";
const STATE: &str = "guardsh's audit log";
const BINARY: &str = "the guardsh program itself";
const PROTECTED: &str = "guardsh's protected state (approvals, trust records, audit log, shims)";
const LINKS: &str = "guardsh's shims or shell links";

/// The file, by where it is.
fn classify(path: &Path, home: Option<&Home>) -> Option<&'static str> {
    let names: Vec<&str> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => n.to_str(),
            _ => None,
        })
        .collect();
    let last =
        |n: usize| -> Option<&[&str]> { names.len().checked_sub(n).and_then(|i| names.get(i..)) };
    let settings = matches!(
        last(2),
        Some(
            [".claude", "settings.json" | "settings.local.json"]
                | [".cursor", "hooks.json"]
                | [".gemini", "settings.json"]
                | [".codex", "config.toml" | "hooks.json"]
                | [".windsurf", "hooks.json"]
        )
    ) || matches!(last(3), Some([".codeium", "windsurf", "hooks.json"] | [".github", "hooks", "guardsh.json"] | [".github", "copilot", "settings.json" | "settings.local.json"] | [".clinerules", "hooks", _] | ["Cline", "Hooks", _]))
        // Copilot CLI: every hook file, and the settings that can switch hooks off.
        || names.iter().rposition(|n| *n == ".copilot").is_some_and(|i| {
            matches!(names.get(i + 1..), Some(["hooks", ..] | ["settings.json" | "config.json"]))
        });
    if settings {
        return Some(SETTINGS);
    }
    // Everything under the protected root, whoever's: approvals, trust, the log, the
    // protected binary, shims and links.
    let root = crate::state::root();
    if path.starts_with(&root) || root.canonicalize().is_ok_and(|r| path.starts_with(r)) {
        return Some(PROTECTED);
    }
    // The agents' system-wide settings, where `install --scope system` puts the hook.
    if super::paths::SETTINGS_AGENTS
        .iter()
        .filter_map(|a| super::paths::system_settings_file(*a))
        .any(|f| same_file(path, &f))
    {
        return Some(SETTINGS);
    }
    if [crate::paths::shim_dir(), crate::paths::shell_bin_dir()]
        .into_iter()
        .flatten()
        .any(|d| path.starts_with(&d) || d.canonicalize().is_ok_and(|r| path.starts_with(r)))
        || contains_run(&names, &[".local", "share", "guardsh"])
    {
        return Some(LINKS);
    }
    if crate::paths::guardsh_binary().is_ok_and(|b| same_file(path, &b)) {
        return Some(BINARY);
    }
    if let Some(h) = home {
        // The agents' directories may be elsewhere ($CLAUDE_CONFIG_DIR…).
        let in_agent_dir = [
            (&h.claude, &["settings.json", "settings.local.json"][..]),
            (&h.codex, &["config.toml", "hooks.json"][..]),
            (&h.copilot, &["settings.json", "config.json"][..]),
        ]
        .iter()
        .any(|(dir, files)| {
            path.parent() == Some(dir.as_path())
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| files.contains(&n))
        }) || path.starts_with(h.copilot.join("hooks"));
        if in_agent_dir {
            return Some(SETTINGS);
        }
        if path.starts_with(h.config.join("guardsh")) {
            return Some(CONFIG);
        }
        if path.starts_with(h.state.join("guardsh")) {
            return Some(STATE);
        }
    }
    // The usual places, whatever XDG says today.
    if contains_run(&names, &[".config", "guardsh"]) {
        return Some(CONFIG);
    }
    if contains_run(&names, &[".local", "state", "guardsh"]) {
        return Some(STATE);
    }
    if matches!(last(2), Some(["bin", "guardsh" | "guardsh.exe"])) {
        return Some(BINARY);
    }
    let exe = std::env::current_exe().ok();
    let real_exe = exe.as_deref().and_then(|e| e.canonicalize().ok());
    if exe.as_deref() == Some(path) || real_exe.as_deref() == Some(path) {
        return Some(BINARY);
    }
    None
}

/// `path` names `file`, as written or after resolving links on either side.
fn same_file(path: &Path, file: &Path) -> bool {
    path == file || file.canonicalize().is_ok_and(|real| path == real)
}

/// `names` has `run` as consecutive components.
fn contains_run(names: &[&str], run: &[&str]) -> bool {
    names.windows(run.len()).any(|w| w == run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home() -> Home {
        Home {
            home: "/home/u".into(),
            config: "/home/u/.config".into(),
            state: "/home/u/.local/state".into(),
            claude: "/home/u/.claude".into(),
            codex: "/opt/codex-home".into(),
            copilot: "/home/u/.copilot".into(),
        }
    }

    #[test]
    fn protected_files() {
        let h = home();
        let cwd = Path::new("/work/app");
        for path in [
            "/home/u/.claude/settings.json",
            "~/.claude/settings.json",
            ".claude/settings.json",
            ".claude/settings.local.json",
            "src/../.claude/settings.json",
            "/home/u/.cursor/hooks.json",
            ".cursor/hooks.json",
            "/home/u/.gemini/settings.json",
            "/home/u/.codex/config.toml",
            "/opt/codex-home/config.toml",
            "/home/u/.copilot/hooks/guardsh.json",
            "/home/u/.copilot/hooks/other.json",
            "/home/u/.copilot/settings.json",
            ".github/hooks/guardsh.json",
            ".windsurf/hooks.json",
            "/home/u/.codeium/windsurf/hooks.json",
            ".clinerules/hooks/PreToolUse",
            "/home/u/.config/guardsh/config.toml",
            "/home/u/.config/guardsh/packs/mine.yaml",
            "/home/u/.local/state/guardsh/audit.log",
            "/usr/local/bin/guardsh",
            "/home/u/.cargo/bin/guardsh",
        ] {
            assert!(
                protected_file(path, Some(cwd), Some(&h)).is_some(),
                "{path}"
            );
        }
    }

    #[test]
    fn ordinary_files() {
        let h = home();
        let cwd = Path::new("/work/app");
        for path in [
            "src/main.rs",
            ".claude/commands/review.md",
            ".claude/agents/x.md",
            "docs/settings.json",
            ".github/workflows/ci.yml",
            ".github/hooks/other.json",
            "/home/u/.config/other/guardsh.toml",
            "target/debug/guardsh",
            "guardsh.md",
        ] {
            assert_eq!(protected_file(path, Some(cwd), Some(&h)), None, "{path}");
        }
    }

    #[test]
    fn no_home_still_knows_the_usual_places() {
        assert!(protected_file("/root/.claude/settings.json", None, None).is_some());
        assert!(protected_file("/root/.config/guardsh/x", None, None).is_some());
    }

    #[test]
    fn the_running_binary_is_protected() {
        let exe = std::env::current_exe().expect("test binary path");
        let exe = exe.to_str().expect("utf-8 path");
        assert_eq!(protected_file(exe, None, None), Some(BINARY));
    }
}
