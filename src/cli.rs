//! The command-line interface: clap definitions only, no behaviour.
//!
//! Everything a user can type is declared here so that the completions in `completions/`
//! and the man page in `man/` can be generated from one place (see `tests/generated.rs`).
//! Dispatch lives in [`crate::run`].

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

pub mod hot;

/// The exit codes and what each means, shown in `--help` and in the man page's EXIT STATUS.
pub const EXIT_CODES: &[(u8, &str)] = &[
    (
        crate::exit::OK,
        "ok: the line was analysed and every part of it could be checked",
    ),
    (
        crate::exit::FAILURE,
        "guardsh itself failed (an unreadable file, output that cannot be written, an internal error)",
    ),
    (
        crate::exit::USAGE,
        "usage error: the arguments were not understood; for `hook`, the agents' \"block\": the payload could not be read, guardsh failed, or Windsurf is refused a command",
    ),
    (
        crate::exit::CANNOT_BE_CHECKED,
        "explain: the line cannot be checked (it does not parse, or a size, nesting or work limit was hit)",
    ),
    (
        crate::exit::CONFIRM,
        "check: the line needs a human's typed confirmation before it may run",
    ),
    (
        crate::exit::DENY,
        "check: the line is refused (destructive, or it cannot be checked)",
    ),
    (
        crate::exit::CONFIG,
        "a rule pack or configuration file is broken (the message names file, line and column)",
    ),
    (
        crate::exit::HOOK_BROKEN,
        "doctor: an installed hook does not answer as it should",
    ),
    (
        crate::exit::INCOMPLETE,
        "gate: the line is not finished (an open quote, a trailing `&&` or `\\`, a here-document): the shell keeps reading",
    ),
    (
        crate::exit::REFUSED,
        "shell mode, shims and `gate`: the line was refused and nothing of it ran (also `approve` refusing)",
    ),
];

/// The subcommands' names: an argv whose first word is none of these (and is a shell option
/// or a script) is a shell invocation. Kept in step with [`Commands`] by a test.
pub const SUBCOMMANDS: &[&str] = &[
    "explain",
    "check",
    "test",
    "approve",
    "log",
    "shell",
    "help",
    "hook",
    "install",
    "uninstall",
    "doctor",
    "run",
    "shim",
    "alias",
    "config",
    "init",
    "gate",
    "setup",
    "confine",
    "mcp",
    "backup",
    "backups",
    "restore",
];

/// Said after the exit codes: how errors look.
pub const ERRORS_NOTE: &str =
    "Errors are reported on standard error as one line starting with `guardsh:`.";

/// The exit-code table under every subcommand's long help, built once: clap builds every
/// subcommand's help on each run, and formatting the table a dozen times was 9% of a short
/// `guardsh check`.
fn exit_codes_help() -> &'static str {
    static HELP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let mut help = String::from("Exit codes:\n");
        for (code, meaning) in EXIT_CODES {
            help.push_str(&format!("  {code}  {meaning}\n"));
        }
        help.push('\n');
        help.push_str(ERRORS_NOTE);
        help
    });
    &HELP
}

const ABOUT: &str = "A shell guard that refuses destructive commands before they run";

const LONG_ABOUT: &str = "\
A shell guard that refuses destructive commands before they run.

guardsh parses a command line the way bash will and finds every simple command inside it: \
through pipelines, lists, substitutions, subshells, heredocs, nested shells (`bash -c`, `eval`) \
and wrappers (`sudo`, `env`, `xargs`…). What cannot be known before the shell runs is reported \
as unknown, never guessed.

Called as a shell (`guardsh -c CMD [$0 args…]`, `guardsh -lc CMD`, `guardsh script.sh`, a script \
on standard input, or through a link named bash, zsh or sh), guardsh judges the whole text \
first and then either runs the real shell with the very same arguments, or refuses and runs \
nothing. A line that needs confirmation runs only after a person types the phrase shown on \
the terminal (`/dev/tty`, never standard input), or with a single-use approval granted by \
`guardsh approve`. `guardsh --dry-run -c CMD` (or GUARDSH_DRY_RUN=1) only reports. The real \
shell is GUARDSH_SHELL, `shell:` in ~/.config/guardsh/config.yaml, or bash on PATH (never \
guardsh itself). Every decision is appended to ~/.local/state/guardsh/audit.jsonl.";

/// `guardsh`: the top-level command line.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "guardsh",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = exit_codes_help(),
    propagate_version = true,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set.
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorChoice::Auto,
        global = true
    )]
    pub color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Commands,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when standard output is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always colour, even into a pipe or with `NO_COLOR` set.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Commands {
    /// Show every command a line would run, where it sits, and what cannot be known.
    #[command(
        long_about = "Show every command a shell line would run, where it sits, and what cannot be known.

Each simple command is printed with its argv after quote removal, its place in the line \
(pipeline stage, substitution, nested shell, wrapper…), its assignments, redirections and \
heredoc bodies, followed by the unknowns: constructs whose meaning only appears when the \
shell runs them. Untrusted text is escaped: control characters, terminal escapes and bidi \
overrides are shown as `\\x1b`, `\\u{202e}`…, never sent to the terminal as they are.

Examples:
  guardsh explain 'cd app && sudo bash -c \"railway volume delete pg-data\"'
  guardsh explain --json -- \"$LINE\"
  guardsh explain --file deploy.sh
  printf '%s' \"$LINE\" | guardsh explain -",
        override_usage = "guardsh explain [OPTIONS] <LINE>\n       guardsh explain [OPTIONS] --file <PATH>",
        after_long_help = exit_codes_help()
    )]
    Explain(ExplainArgs),

    /// Decide whether a line may run: allow, warn, confirm or deny. Runs nothing.
    #[command(
        long_about = "Decide whether a shell line may run, and say why. Runs nothing.

Every command the line would run is matched against the rule packs; the strictest finding \
wins (allow < warn < confirm < deny). What cannot be known before the shell runs counts as \
at least confirm when it could hide a destructive command, and a line that cannot be \
checked at all is refused. `--json` prints the stable machine interface:
  {\"decision\": \"allow|warn|confirm|deny\",
   \"matches\": [{\"rule\", \"severity\", \"command\", \"message\", \"suggestion\"}],
   \"unknown\": [{\"kind\", \"text\", \"severity\"}]}

Examples:
  guardsh check 'railway volume delete --volume pg-data --yes'
  guardsh check --json -- \"$LINE\"
  guardsh check --file deploy.sh",
        override_usage = "guardsh check [OPTIONS] <LINE>\n       guardsh check [OPTIONS] --file <PATH>",
        after_long_help = exit_codes_help()
    )]
    Check(CheckArgs),

    /// Run the examples of rule packs: each `block` line must match its rule, each `allow`
    /// line must not.
    #[command(
        long_about = "Run the examples of rule packs: each `block` line must be matched by its \
rule, each `allow` line must not be. With no PACK, the built-in packs are tested; otherwise the \
given YAML files, on their own.

Exit status is 0 when every example holds, 1 when one does not, 6 when a pack is broken.

Examples:
  guardsh test
  guardsh test ~/.config/guardsh/packs/mine.yaml",
        after_long_help = exit_codes_help()
    )]
    Test(TestArgs),

    /// Approve, once, a command that was refused for want of a person's confirmation.
    #[command(
        long_about = "Approve, once, a command that shell mode refused because it needs a person's \
typed confirmation and had no terminal to ask on.

The refusal gave a short request id. Run this in a terminal of your own (not through the \
agent): it shows the exact command and directory and asks for the phrase. The approval is \
single-use, bound to that command and directory, and expires after five minutes. It refuses \
to run inside a shell guardsh guards, and without a terminal.

Examples:
  guardsh approve 3f9a1c2e",
        after_long_help = exit_codes_help()
    )]
    Approve(ApproveArgs),

    /// Take, without running LINE, every backup its destructive commands need.
    #[command(
        long_about = "Take, without running LINE, every backup that LINE's destructive commands need, \
and print their ids. The same backups guardsh takes on its own right before a confirmed or \
approved destructive line runs: files and directories about to be deleted or overwritten, a \
git repository's uncommitted work, branch tips and the remote branch of a force push, the \
PostgreSQL, MySQL or SQLite database a client's statements destroy, Terraform state, the \
Kubernetes objects `kubectl delete` names, and a Railway volume's files. Backups live in \
guardsh's protected state, which no guarded tree can write; `guardsh restore ID` puts one \
back. Exits 1, saying why, when a backup LINE needs cannot be taken.

`--json` prints {\"backups\": [{\"id\", \"kind\", \"target\", \"bytes\", \"location\"}]}.

Examples:
  guardsh backup -- \"psql -h db -d app -c 'DROP TABLE orders'\"
  guardsh backup -- rm -rf build dist
  guardsh backup --json -- 'git reset --hard'",
        after_long_help = exit_codes_help()
    )]
    Backup(BackupArgs),

    /// List, show and prune the backups guardsh took.
    #[command(subcommand)]
    Backups(BackupsCommands),

    /// Put a backup back where it was taken from.
    #[command(
        long_about = "Put backup ID back where it was taken from: files at their paths (whatever is \
there now is moved aside to PATH.guardsh-before-restore), a repository's uncommitted work \
applied again, branches and remote branches reset to their tips, a database restored from \
its dump, Terraform state pushed, Kubernetes objects created, a Railway volume's files \
uploaded. Every stored file is checked against the checksum recorded when it was taken. \
Asks on the terminal unless --yes. Refused inside a tree guardsh guards: restoring \
overwrites things too, so it is a person's step.

Examples:
  guardsh backups list
  guardsh restore 20261207-101500-3f9a1c",
        after_long_help = exit_codes_help()
    )]
    Restore(RestoreArgs),

    /// Show recent decisions from the audit log.
    #[command(
        long_about = "Show recent decisions from the audit log (~/.local/state/guardsh/audit.jsonl): \
time, directory, mode, decision, outcome and the command.

Examples:
  guardsh log
  guardsh log --decision deny --decision confirm -n 50
  guardsh log --json",
        after_long_help = exit_codes_help()
    )]
    Log(LogArgs),

    /// Set guardsh up as a shell: links named bash, zsh and sh that guard, then run the real one.
    #[command(subcommand)]
    Shell(ShellCommands),

    /// Run one program, guarded: decided as `check` decides, then exec'd or refused.
    #[command(
        long_about = "Run one program, guarded: the command is rebuilt from its arguments, decided \
exactly as `guardsh check` decides, and the real program (found on PATH after guardsh's own \
directories) is exec'd, or the call is refused (exit 126). What a shim does, without a link.

Examples:
  guardsh run -- railway volume list
  guardsh run -- psql -c 'SELECT 1'",
        after_long_help = exit_codes_help()
    )]
    Run(RunArgs),

    /// Start a program (the agent itself) inside the kernel boundary, judging nothing.
    #[command(
        long_about = "Start a program inside the kernel boundary that guardsh puts around every \
command it starts, without judging the program: meant for the agent itself, so that its own \
tools (file edits, language servers, anything it runs without a shell) cannot change \
guardsh's protected state either. Its commands still go through guardsh as its shell or hook. \
Needs the protected directory (`sudo guardsh setup`) and a kernel with Landlock; without \
them it refuses to start the program rather than pretend (exit 126). A person approves the \
agent's requests from a terminal of their own, outside it.

Examples:
  guardsh confine -- claude
  guardsh confine -- codex --full-auto",
        after_long_help = exit_codes_help()
    )]
    Confine(RunArgs),

    /// Manage shims: links named after dangerous CLIs that guard each call.
    #[command(subcommand)]
    Shim(ShimCommands),

    /// Print alias lines (`alias railway='guardsh run -- railway'`) for the covered CLIs on PATH.
    Alias(AliasArgs),

    /// Show the configuration in effect: each layer, what it sets, and what was ignored.
    #[command(subcommand)]
    Config(ConfigCommands),
    /// Print the shell integration for an interactive bash, zsh or fish: each line typed is
    /// checked before it runs.
    #[command(
        long_about = "Print the shell integration for an interactive shell, to be evaluated by \
its startup file:
  bash  (~/.bashrc)               eval \"$(guardsh init bash)\"
  zsh   (~/.zshrc)                eval \"$(guardsh init zsh)\"
  fish  (~/.config/fish/config.fish)  guardsh init fish | source

It puts the shim directory (~/.local/share/guardsh/shims) first on PATH, once, and binds \
Enter (bash: `bind -x` on Return and Control-J in the emacs and vi keymaps; zsh: the \
`accept-line` widgets; fish: the Enter bindings) so that the whole line is checked by \
`guardsh gate` before the shell runs it. A refused line does not run and stays in the \
editing buffer; a line that needs confirmation asks for the typed phrase on the terminal. \
Evaluating it twice changes nothing. The scripts call this guardsh binary by its absolute \
path: evaluate it again after moving the binary.",
        after_long_help = exit_codes_help()
    )]
    Init(InitArgs),

    /// Decide on one interactive command line, asking on the terminal if it needs
    /// confirmation; runs nothing. Called by the `guardsh init` scripts on Enter.
    #[command(
        long_about = "Decide on one command line typed at an interactive shell, as shell mode \
decides, and say whether the shell may run it. Runs nothing itself: the `guardsh init` scripts \
call it when Enter is pressed. A line that needs confirmation asks for the typed phrase on the \
terminal (/dev/tty, never standard input); a refusal is explained on standard error. Every \
decision is written to the audit log (mode `interactive`).

Exit status: 0 the shell may run the line (allowed, warned, confirmed or approved); 126 \
refused; 8 the line is not finished and the shell should keep reading (bash and zsh syntax; \
checked with `bash -n`, which runs nothing); 6 the configuration or a pack is broken.

Example:
  guardsh gate --shell bash -- 'railway volume delete pg-data'",
        after_long_help = exit_codes_help()
    )]
    Gate(GateArgs),

    /// Answer an AI agent's pre-execution hook: read its JSON on standard input, decide as
    /// `check` does, and reply in that agent's format.
    #[command(
        long_about = "Answer an AI coding agent's pre-execution hook. The agent's JSON payload is \
read from standard input; a shell command in it is decided exactly as `guardsh check` decides, \
and the answer is written in the agent's own format: nothing (or the agent's \"no opinion\") for \
a command that may run, a refusal with a reason written for the model for one that may not, and \
the agent's own confirmation prompt (`ask`) for one that needs a person, where the agent really \
shows one (interactive Claude Code, Gemini CLI). A payload guardsh cannot read is refused, never \
let through. Edits to the files that hold guardsh's hooks, configuration and log are refused too.

`guardsh install AGENT` writes this command into the agent's settings; you rarely run it \
yourself except to try it:
  echo '{\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"}}' | guardsh hook claude-code

Exit status follows the agent's protocol: 0 with the answer on standard output, or 2 (the \
protocols' \"block\") with the reason on standard error when the payload cannot be read or \
guardsh fails, and for every refusal to Windsurf.",
        after_long_help = exit_codes_help()
    )]
    Hook(HookArgs),

    /// Serve the Model Context Protocol on standard input and output: tools that run, check
    /// and explain shell commands, guarded.
    #[command(
        long_about = "Serve the Model Context Protocol (MCP) on standard input and output, for \
agents that take tools from MCP servers. Standard output carries the protocol only; guardsh's \
notices go to standard error. Three tools:

  run_command      {command, cwd?, timeout?}: judged exactly as shell mode judges \
`guardsh -c`, then run with bash inside the same kernel boundary; answers JSON with \
exit_code, signal, stdout, stderr, timed_out, truncated, decision, protection. A refused \
command (deny, or confirm without a person's approval) runs nothing and is answered as a \
tool error with the findings, the safer path and, for confirm, the request id a person \
approves with `guardsh approve ID`. Every decision goes to the audit log (mode `mcp`).
  check_command    {command, cwd?}: the JSON of `guardsh check --json`.
  explain_command  {command, cwd?}: the JSON of `guardsh explain --json`.

`guardsh install AGENT --mcp` registers it in an agent's settings.

Example (an agent's settings):
  \"mcpServers\": {\"guardsh\": {\"command\": \"/usr/local/bin/guardsh\", \"args\": [\"mcp\"]}}",
        after_long_help = exit_codes_help()
    )]
    Mcp,

    /// Write guardsh's hook into an agent's settings (merged, with a backup).
    #[command(
        long_about = "Write guardsh's hook into an agent's settings file, merged into what is \
there (nothing else is lost, key order and TOML comments are kept), with a backup of the old \
file next to it (`<file>.guardsh-backup-<timestamp>`). Running it again changes nothing. The \
hook calls this guardsh binary by its absolute path. Where the agent has a fail-closed setting \
(Cursor `failClosed`, Claude Code `onFailure`), it is set.

Files: claude-code ~/.claude/settings.json or .claude/settings.json; cursor \
~/.cursor/hooks.json or .cursor/hooks.json; codex ~/.codex/config.toml or .codex/config.toml; \
gemini ~/.gemini/settings.json or .gemini/settings.json; copilot ~/.copilot/hooks/guardsh.json \
or .github/hooks/guardsh.json. Project scope is the current directory. Windsurf and Cline hooks \
are installed by hand (see the README).

With --mcp, `guardsh mcp` is registered as the MCP server `guardsh` ({\"command\": <this \
guardsh>, \"args\": [\"mcp\"]}) instead: claude-code ~/.claude.json, .mcp.json or \
/etc/claude-code/managed-mcp.json; cursor ~/.cursor/mcp.json or .cursor/mcp.json; codex \
[mcp_servers.guardsh] in its config.toml; gemini mcpServers in its settings.json; copilot \
~/.copilot/mcp-config.json (user scope only). `guardsh uninstall AGENT --mcp` removes it.

System scope writes the agent's system-wide settings, which a user cannot change and a project \
cannot override, so an agent cannot unhook guardsh by rewriting its own settings: claude-code \
/etc/claude-code/managed-settings.json; cursor /etc/cursor/hooks.json; codex \
/etc/codex/config.toml; gemini /etc/gemini-cli/settings.json. Copilot CLI has no documented \
system location guardsh knows. It needs root (`sudo guardsh install AGENT --scope system`); the \
directory is made root-owned 0755 and the file 0644. See docs/agent-settings.md.

Examples:
  guardsh install claude-code
  guardsh install cursor --scope project --dry-run
  sudo guardsh install claude-code --scope system
  guardsh install claude-code --mcp",
        after_long_help = exit_codes_help()
    )]
    Install(InstallArgs),

    /// Remove guardsh's hook from an agent's settings, and nothing else (with a backup).
    #[command(
        long_about = "Remove exactly guardsh's entries from an agent's settings file, with a \
backup of the old file next to it. Everything else in the file is kept. An agent cannot run \
this: from inside an agent, guardsh refuses it; a person runs it in their own terminal.

Examples:
  guardsh uninstall claude-code
  guardsh uninstall codex --dry-run",
        after_long_help = exit_codes_help()
    )]
    Uninstall(InstallArgs),

    /// Check that the installed hooks answer: a harmless and a destructive probe per agent.
    #[command(
        long_about = "For each agent whose settings exist (user, project and \
system-wide), say whether guardsh's hook is installed and whether it works: the installed hook command is run with the agent's payload for \
a harmless probe (`ls`), which must pass, and a destructive one (`railway volume delete x \
--yes`), which must be refused. It states the protection level once (kernel, or parse-only and \
why), then per agent which protection holds: confined-shell (guardsh is the agent's shell and the \
level is kernel), system-hook (in the agent's system-wide settings, which the user cannot \
change), user-hook (the agent's user can remove it), or none; and which settings would still \
switch the hook off. Also says whether the shell mode and shims are available, and what holds in \
hook-only mode.

Exit status is 0 when every installed hook works, 7 when one does not.",
        after_long_help = exit_codes_help()
    )]
    Doctor(DoctorArgs),

    /// Create the protected directory the kernel boundary keeps out of every guarded tree
    /// (run once, as root).
    #[command(
        long_about = "Create /srv/guardsh/<uid> for a user: the directory that holds what guardsh \
trusts (approvals, trust records, the audit log, shims, shell links and a copy of guardsh \
itself), which no process tree guardsh starts can change, by any spelling: guardsh puts a \
Landlock boundary around each one. Run once as root (`sudo guardsh setup`); the user is the \
one sudo was called by, or --user. Run it again after installing a new guardsh, to refresh \
the protected copy. The audit log is made append-only (the inode flag `chattr +a` sets). With \
--capability, the protected copy is given CAP_SYS_ADMIN and CAP_LINUX_IMMUTABLE (permitted, \
not effective; needs setcap from libcap2-bin), which guardsh raises only to enter the \
boundary without no_new_privs, so that sudo keeps working inside guarded commands, and to \
make each guarded command's own log append-only.",
        after_long_help = exit_codes_help()
    )]
    Setup(SetupArgs),
}

/// `guardsh setup`.
#[derive(Debug, Clone, Args)]
pub struct SetupArgs {
    /// The user to set up (default: the one who ran sudo, else the current user).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Give the protected copy CAP_SYS_ADMIN and CAP_LINUX_IMMUTABLE (permitted only): sudo
    /// works in guarded commands, and their logs are append-only.
    #[arg(long)]
    pub capability: bool,
}

/// `guardsh shim …`.
#[derive(Debug, Clone, Subcommand)]
pub enum ShimCommands {
    /// Link programs' names to guardsh in the shim directory (put it first on PATH).
    Add(ShimAddArgs),
    /// List the programs shimmed.
    List(ShimDirArgs),
    /// Remove shims (only links to guardsh are removed).
    Remove(ShimRemoveArgs),
}

/// `guardsh shim add`.
#[derive(Debug, Clone, Args)]
pub struct ShimAddArgs {
    /// Program names (`railway psql kubectl terraform`).
    #[arg(value_name = "PROGRAM")]
    pub names: Vec<String>,
    /// Also add every program the built-in packs cover that is on PATH (general tools such
    /// as rm, python3 or curl-free shells are left out).
    #[arg(long)]
    pub recommended: bool,
    /// The shim directory (default: ~/.local/share/guardsh/shims).
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// `guardsh shim list`.
#[derive(Debug, Clone, Args)]
pub struct ShimDirArgs {
    /// The shim directory (default: ~/.local/share/guardsh/shims).
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// `guardsh shim remove`.
#[derive(Debug, Clone, Args)]
pub struct ShimRemoveArgs {
    /// Program names.
    #[arg(value_name = "PROGRAM", required = true)]
    pub names: Vec<String>,
    /// The shim directory (default: ~/.local/share/guardsh/shims).
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// `guardsh run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The program to run, guarded, and its arguments.
    #[arg(
        value_name = "PROGRAM",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub argv: Vec<OsString>,
}

/// `guardsh config …`.
#[derive(Debug, Clone, Subcommand)]
pub enum ConfigCommands {
    /// Print the effective configuration and where each part came from: built-in packs,
    /// then /etc/guardsh (only when root owns it and nobody else can write it), then
    /// ~/.config/guardsh, then .guardsh.yaml found upward from the working directory (which
    /// can only tighten). Exit 6 when a file is broken.
    #[command(
        after_long_help = "Examples:\n  guardsh config show\n  guardsh config show --json | jq .protected"
    )]
    Show(ConfigShowArgs),
    /// Trust the exact content of the user's configuration and login startup files, so that
    /// what they loosen takes effect (run by a person, outside any guarded command).
    #[command(
        long_about = "Record the exact content (SHA-256) of ~/.config/guardsh/config.yaml, the \
user's packs in ~/.config/guardsh/guards/ and the login shell's startup files, in the \
protected directory. What a user file loosens (allow entries, lower severities, a shell, \
packs that allow) counts only while its content is the trusted one; a change makes it \
untrusted again, and the loosening is ignored with a warning while its tightening still \
applies. A login startup file that is trusted is not judged again before a login shell \
starts. Refused inside a guarded command: only a person outside the boundary can trust.",
        after_long_help = "Examples:\n  guardsh config trust\n  guardsh config show --json | jq .trust"
    )]
    Trust,
}

/// `guardsh config show`.
#[derive(Debug, Clone, Args)]
pub struct ConfigShowArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `guardsh alias`.
#[derive(Debug, Clone, Args)]
pub struct AliasArgs {
    /// The shell to print aliases for.
    #[arg(value_name = "SHELL", value_parser = ["bash", "zsh", "fish"])]
    pub shell: String,
}

/// The interactive shells `guardsh init` supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum InitShell {
    /// GNU bash 4 or newer.
    Bash,
    /// zsh.
    Zsh,
    /// fish 3 or newer.
    Fish,
}

/// `guardsh init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The shell to print the integration for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: InitShell,
}

/// `guardsh gate`.
#[derive(Debug, Clone, Args)]
pub struct GateArgs {
    /// The shell the line was typed at: bash and zsh lines that are not finished are told
    /// apart from broken ones (fish tells its scripts itself).
    #[arg(long, value_enum, value_name = "SHELL", default_value_t = InitShell::Bash)]
    pub shell: InitShell,

    /// The whole command line, as one argument (put `--` before it).
    #[arg(value_name = "LINE", allow_hyphen_values = true)]
    pub line: OsString,
}

/// `guardsh shell …`.
#[derive(Debug, Clone, Subcommand)]
pub enum ShellCommands {
    /// Create links named bash, zsh and sh to guardsh in a directory of their own, and print
    /// the line to give an agent (Claude Code accepts only a shell whose path names bash or
    /// zsh, and Codex recognises shells by name).
    Install(ShellInstallArgs),
}

/// `guardsh shell install`.
#[derive(Debug, Clone, Args)]
pub struct ShellInstallArgs {
    /// Where to create the links (default: ~/.local/share/guardsh/bin).
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// `guardsh approve`.
#[derive(Debug, Clone, Args)]
pub struct ApproveArgs {
    /// The request id the refusal printed.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Run it without the backup guardsh would take first: a mistake is then permanent
    /// (logged as such).
    #[arg(long)]
    pub no_backup: bool,
}

/// `guardsh backup`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// The line whose backups to take (one argument, or words joined as a shell would
    /// quote them).
    #[arg(
        value_name = "LINE",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub line: Vec<String>,
}

/// `guardsh backups …`.
#[derive(Debug, Clone, Subcommand)]
pub enum BackupsCommands {
    /// List the backups, oldest first.
    List(BackupsListArgs),
    /// Show one backup: what, where, how it is restored, and whether its files are intact.
    Show(BackupsShowArgs),
    /// Remove backups older than the retention (`backup.keep_days` in the config, 30 days).
    Prune(BackupsPruneArgs),
}

/// `guardsh backups list`.
#[derive(Debug, Clone, Args)]
pub struct BackupsListArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `guardsh backups show`.
#[derive(Debug, Clone, Args)]
pub struct BackupsShowArgs {
    /// The backup's id.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `guardsh backups prune`.
#[derive(Debug, Clone, Args)]
pub struct BackupsPruneArgs {
    /// Remove backups older than this many days instead.
    #[arg(long, value_name = "DAYS")]
    pub older_than: Option<u64>,
}

/// `guardsh restore`.
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// The backup's id (`guardsh backups list`).
    #[arg(value_name = "ID")]
    pub id: String,
    /// Do not ask on the terminal first.
    #[arg(long)]
    pub yes: bool,
}

/// `guardsh log`.
#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Show only these decisions (allow, warn, confirm, deny); repeat for several.
    #[arg(long, value_name = "DECISION", value_parser = ["allow", "warn", "confirm", "deny"])]
    pub decision: Vec<String>,

    /// How many of the most recent entries to show.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 20)]
    pub limit: usize,

    /// Print the entries as JSON lines, as they are stored.
    #[arg(long)]
    pub json: bool,
}

/// The agents whose hook protocol `guardsh hook` speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum Agent {
    /// Claude Code, PreToolUse.
    #[value(alias = "claude")]
    ClaudeCode,
    /// Cursor, beforeShellExecution.
    Cursor,
    /// OpenAI Codex CLI, PreToolUse.
    Codex,
    /// Gemini CLI, BeforeTool.
    Gemini,
    /// GitHub Copilot CLI, preToolUse.
    Copilot,
    /// Windsurf (Cascade), pre_run_command.
    Windsurf,
    /// Cline, PreToolUse.
    Cline,
}

/// The agents whose settings `guardsh install` can edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum SettingsAgent {
    /// Claude Code: ~/.claude/settings.json.
    #[value(alias = "claude")]
    ClaudeCode,
    /// Cursor: ~/.cursor/hooks.json.
    Cursor,
    /// OpenAI Codex CLI: ~/.codex/config.toml.
    Codex,
    /// Gemini CLI: ~/.gemini/settings.json.
    Gemini,
    /// GitHub Copilot CLI: ~/.copilot/hooks/guardsh.json.
    Copilot,
}

impl From<SettingsAgent> for Agent {
    fn from(a: SettingsAgent) -> Self {
        match a {
            SettingsAgent::ClaudeCode => Agent::ClaudeCode,
            SettingsAgent::Cursor => Agent::Cursor,
            SettingsAgent::Codex => Agent::Codex,
            SettingsAgent::Gemini => Agent::Gemini,
            SettingsAgent::Copilot => Agent::Copilot,
        }
    }
}

/// Whose settings: the user's, the project's in the current directory, or the machine's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum Scope {
    /// The user's settings, for every project.
    User,
    /// The project's settings, in the current directory.
    Project,
    /// The agent's system-wide (managed) settings, which a user cannot change and a project
    /// cannot override (needs root).
    System,
}

/// `guardsh hook`.
#[derive(Debug, Clone, Args)]
pub struct HookArgs {
    /// The agent whose protocol is spoken.
    #[arg(value_enum, value_name = "AGENT")]
    pub agent: Agent,
}

/// `guardsh install` and `guardsh uninstall`.
#[derive(Debug, Clone, Args)]
pub struct InstallArgs {
    /// The agent whose settings are edited.
    #[arg(value_enum, value_name = "AGENT")]
    pub agent: SettingsAgent,

    /// The user's settings, the project's in the current directory, or the system-wide
    /// settings a user cannot change (root only).
    #[arg(long, value_enum, value_name = "SCOPE", default_value_t = Scope::User)]
    pub scope: Scope,

    /// Print the change (a unified diff) and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Register guardsh's MCP server (`guardsh mcp`) in the agent's MCP settings instead of
    /// its hook.
    #[arg(long)]
    pub mcp: bool,
}

/// `guardsh doctor`.
#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `guardsh test`.
#[derive(Debug, Clone, Args)]
pub struct TestArgs {
    /// Pack files to test (YAML); none tests the built-in packs.
    #[arg(value_name = "PACK", value_hint = clap::ValueHint::FilePath)]
    pub packs: Vec<PathBuf>,
}

/// `guardsh check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Print the decision as one JSON object (the stable machine interface).
    #[arg(long)]
    pub json: bool,

    /// Read the shell text from PATH instead of the command line (`-` reads standard input).
    #[arg(long, short = 'f', value_name = "PATH", value_hint = clap::ValueHint::FilePath)]
    pub file: Option<PathBuf>,

    /// The command line to check, as one argument (quote it); `-` reads standard input.
    #[arg(
        value_name = "LINE",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    pub line: Option<OsString>,
}

/// `guardsh explain`.
#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// Print the analysis as one JSON object: `{"commands": […], "unknowns": […],
    /// "cannot_be_checked": bool}`.
    #[arg(long)]
    pub json: bool,

    /// Read the shell text from PATH instead of the command line (`-` reads standard input).
    #[arg(long, short = 'f', value_name = "PATH", value_hint = clap::ValueHint::FilePath)]
    pub file: Option<PathBuf>,

    /// The command line to analyse, as one argument (quote it); `-` reads standard input.
    #[arg(
        value_name = "LINE",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    pub line: Option<OsString>,
}

/// The clap command, for generating completions and the man page.
pub fn command() -> clap::Command {
    Cli::command()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_consistent() {
        command().debug_assert();
    }

    #[test]
    fn subcommand_list_is_complete() {
        let mut names: Vec<String> = command()
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .collect();
        names.push("help".to_owned());
        names.sort();
        let mut listed: Vec<String> = SUBCOMMANDS.iter().map(|s| (*s).to_owned()).collect();
        listed.sort();
        assert_eq!(names, listed);
    }

    #[test]
    fn parses_explain_forms() {
        let cli = Cli::try_parse_from(["guardsh", "explain", "echo hi"]).expect("parses");
        let Commands::Explain(args) = cli.command else {
            panic!("explain expected");
        };
        assert_eq!(args.line.as_deref(), Some("echo hi".as_ref()));
        assert!(!args.json);
        assert_eq!(cli.color, ColorChoice::Auto);

        let cli = Cli::try_parse_from([
            "guardsh", "explain", "--json", "--color", "never", "-f", "-",
        ])
        .expect("parses");
        let Commands::Explain(args) = cli.command else {
            panic!("explain expected");
        };
        assert!(args.json);
        assert_eq!(args.file.as_deref(), Some("-".as_ref()));
        assert_eq!(cli.color, ColorChoice::Never);

        let cli = Cli::try_parse_from(["guardsh", "--color=always", "explain", "--", "-rf"])
            .expect("parses");
        assert_eq!(cli.color, ColorChoice::Always);
    }

    #[test]
    fn rejects_bad_usage() {
        for argv in [
            &["guardsh", "explain"][..],
            &["guardsh", "explain", "-f", "x", "echo hi"],
            &["guardsh", "explain", "echo", "hi"],
            &["guardsh", "--color", "sometimes", "explain", "x"],
            &["guardsh", "bogus"],
        ] {
            let err = Cli::try_parse_from(argv).expect_err("must be refused");
            assert_eq!(err.exit_code(), 2, "{argv:?}");
        }
    }
}
