//! Where agents keep their settings, and where guardsh keeps its own files.
//!
//! `$HOME` and the XDG variables come from the `directories` crate, so a test (or a user)
//! with another `HOME` gets another set of files. The agents' own overrides are honoured:
//! `CLAUDE_CONFIG_DIR`, `CODEX_HOME`, `COPILOT_HOME`.
//!
//! The agents' system-wide settings are at fixed places under `/etc`, each from the agent's
//! own documentation (docs/agent-settings.md has the sources).

use std::path::{Path, PathBuf};

use crate::cli::{Scope, SettingsAgent};

/// The directories one user's files live in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Home {
    /// `$HOME`.
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME` or `~/.config` (guardsh's configuration is in `guardsh/` there).
    pub config: PathBuf,
    /// `$XDG_STATE_HOME` or `~/.local/state` (guardsh's audit log is in `guardsh/` there).
    pub state: PathBuf,
    /// Claude Code's directory: `$CLAUDE_CONFIG_DIR` or `~/.claude`.
    pub claude: PathBuf,
    /// Codex's directory: `$CODEX_HOME` or `~/.codex`.
    pub codex: PathBuf,
    /// Copilot CLI's directory: `$COPILOT_HOME` or `~/.copilot`.
    pub copilot: PathBuf,
}

impl Home {
    /// The current user's directories, or `None` when there is no home directory.
    pub fn detect() -> Option<Home> {
        let base = directories::BaseDirs::new()?;
        let home = base.home_dir().to_path_buf();
        let state = base
            .state_dir()
            .map_or_else(|| home.join(".local/state"), Path::to_path_buf);
        Some(Home {
            config: base.config_dir().to_path_buf(),
            state,
            claude: env_dir("CLAUDE_CONFIG_DIR").unwrap_or_else(|| home.join(".claude")),
            codex: env_dir("CODEX_HOME").unwrap_or_else(|| home.join(".codex")),
            copilot: env_dir("COPILOT_HOME").unwrap_or_else(|| home.join(".copilot")),
            home,
        })
    }

    /// The settings file guardsh's hook goes into; `None` for a system scope the agent does
    /// not have.
    pub fn settings_file(
        &self,
        agent: SettingsAgent,
        scope: Scope,
        project: &Path,
    ) -> Option<PathBuf> {
        Some(match (agent, scope) {
            (_, Scope::System) => return system_settings_file(agent),
            (SettingsAgent::ClaudeCode, Scope::User) => self.claude.join("settings.json"),
            (SettingsAgent::ClaudeCode, Scope::Project) => project.join(".claude/settings.json"),
            (SettingsAgent::Cursor, Scope::User) => self.home.join(".cursor/hooks.json"),
            (SettingsAgent::Cursor, Scope::Project) => project.join(".cursor/hooks.json"),
            (SettingsAgent::Codex, Scope::User) => self.codex.join("config.toml"),
            (SettingsAgent::Codex, Scope::Project) => project.join(".codex/config.toml"),
            (SettingsAgent::Gemini, Scope::User) => self.home.join(".gemini/settings.json"),
            (SettingsAgent::Gemini, Scope::Project) => project.join(".gemini/settings.json"),
            // Copilot reads every *.json in its hooks directory: guardsh has a file of its own.
            (SettingsAgent::Copilot, Scope::User) => self.copilot.join("hooks/guardsh.json"),
            (SettingsAgent::Copilot, Scope::Project) => project.join(".github/hooks/guardsh.json"),
        })
    }

    /// The agent's own directory: its existence says the agent is set up for this user.
    pub fn agent_dir(&self, agent: SettingsAgent) -> PathBuf {
        match agent {
            SettingsAgent::ClaudeCode => self.claude.clone(),
            SettingsAgent::Cursor => self.home.join(".cursor"),
            SettingsAgent::Codex => self.codex.clone(),
            SettingsAgent::Gemini => self.home.join(".gemini"),
            SettingsAgent::Copilot => self.copilot.clone(),
        }
    }
}

/// The agent's system-wide settings file: read by the agent for every user, above the user's
/// and the project's settings, and writable only by root. `None` where guardsh found no
/// documented place (Copilot CLI documents "policy" hooks, but not where they live on Linux).
pub(crate) fn system_settings_file(agent: SettingsAgent) -> Option<PathBuf> {
    let relative = match agent {
        // Managed settings: above every other layer; a `disableAllHooks` below them leaves
        // managed hooks running.
        SettingsAgent::ClaudeCode => "etc/claude-code/managed-settings.json",
        // The enterprise hooks file.
        SettingsAgent::Cursor => "etc/cursor/hooks.json",
        // The system config layer; Codex counts its hooks as managed (trusted by policy, not
        // disabled from the user's hook list).
        SettingsAgent::Codex => "etc/codex/config.toml",
        // The system settings file, which overrides the user's and the project's.
        SettingsAgent::Gemini => "etc/gemini-cli/settings.json",
        SettingsAgent::Copilot => return None,
    };
    Some(system_root().join(relative))
}

pub(crate) use crate::paths::system_root;

/// An absolute directory from an environment variable.
fn env_dir(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os(name)?);
    dir.is_absolute().then_some(dir)
}

/// Every agent whose settings guardsh edits.
pub(crate) const SETTINGS_AGENTS: [SettingsAgent; 5] = [
    SettingsAgent::ClaudeCode,
    SettingsAgent::Cursor,
    SettingsAgent::Codex,
    SettingsAgent::Gemini,
    SettingsAgent::Copilot,
];

/// The name `guardsh hook` and `install` know an agent by.
pub(crate) fn agent_name(agent: SettingsAgent) -> &'static str {
    match agent {
        SettingsAgent::ClaudeCode => "claude-code",
        SettingsAgent::Cursor => "cursor",
        SettingsAgent::Codex => "codex",
        SettingsAgent::Gemini => "gemini",
        SettingsAgent::Copilot => "copilot",
    }
}
