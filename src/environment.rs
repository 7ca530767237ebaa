//! Which environment a command acts on, and whether it is protected (production).
//!
//! The incident had no separation between environments: a token meant for staging deleted
//! production's volume. Each program's pack says where the program is told its environment
//! (`environment:` in `guards/*.yaml`); this module reads those signals in the order the
//! CLIs themselves honour them — a flag on the command, a variable the line sets, the
//! process's variables, then the state the CLI keeps (Railway's linked environment,
//! kubectl's current context, Terraform's workspace) — and names the first one found.
//!
//! A name is protected when one of its words is `prod`, `production` or `live`
//! (`prod-eu`, `envs/prod`, `db.prod.internal`), or when the config lists it. A value only
//! known at run time (`--environment "$TARGET"`) counts as protected: it may be production.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::parse::{Command, Word};
use crate::rules::glob;
use crate::rules::raw::{EnvironmentKind, EnvironmentSpec, Linked};

/// Words that make an environment name protected, whatever the config says.
pub const DEFAULT_WORDS: &[&str] = &["prod", "production", "live"];

/// The names the config protects beyond [`DEFAULT_WORDS`], as globs.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Protected {
    /// Protected whatever the kind.
    pub names: Vec<String>,
    /// Railway environments.
    pub railway_environments: Vec<String>,
    /// Kubernetes contexts.
    pub kube_contexts: Vec<String>,
    /// Database hosts.
    pub database_hosts: Vec<String>,
    /// Cloud profiles, projects and subscriptions.
    pub cloud_profiles: Vec<String>,
    /// Terraform workspaces and configuration directories.
    pub terraform_workspaces: Vec<String>,
}

impl Protected {
    /// Is `name`, of `kind`, a protected environment?
    pub fn protects(&self, kind: EnvironmentKind, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        if lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| DEFAULT_WORDS.contains(&w))
        {
            return true;
        }
        let listed = match kind {
            EnvironmentKind::Railway => &self.railway_environments,
            EnvironmentKind::Kube => &self.kube_contexts,
            EnvironmentKind::Database => &self.database_hosts,
            EnvironmentKind::Cloud => &self.cloud_profiles,
            EnvironmentKind::Terraform => &self.terraform_workspaces,
            EnvironmentKind::App => &self.names,
        };
        self.names
            .iter()
            .chain(listed)
            .any(|g| glob::matches(g, name) || glob::matches(&g.to_ascii_lowercase(), &lower))
    }

    /// Add another layer's names (layers only ever add protection).
    pub fn extend(&mut self, other: &Protected) {
        for (mine, theirs) in [
            (&mut self.names, &other.names),
            (&mut self.railway_environments, &other.railway_environments),
            (&mut self.kube_contexts, &other.kube_contexts),
            (&mut self.database_hosts, &other.database_hosts),
            (&mut self.cloud_profiles, &other.cloud_profiles),
            (&mut self.terraform_workspaces, &other.terraform_workspaces),
        ] {
            for n in theirs {
                if !mine.contains(n) {
                    mine.push(n.clone());
                }
            }
        }
    }
}

/// What a decision may look at besides the line itself.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Names protected beyond the defaults.
    pub protected: Protected,
    /// Read the process's variables and the state the CLIs keep on disk. Off for pack
    /// examples and `guardsh test`, whose results must not depend on the machine.
    pub process: bool,
    /// The directory the command runs in (the process's own when `None`): where Railway's
    /// link and Terraform's workspace are looked up.
    pub cwd: Option<PathBuf>,
}

impl Context {
    /// The line alone: flags and the variables the line sets, default names only.
    pub fn line_only() -> &'static Context {
        static LINE_ONLY: Context = Context {
            protected: Protected {
                names: Vec::new(),
                railway_environments: Vec::new(),
                kube_contexts: Vec::new(),
                database_hosts: Vec::new(),
                cloud_profiles: Vec::new(),
                terraform_workspaces: Vec::new(),
            },
            process: false,
            cwd: None,
        };
        &LINE_ONLY
    }

    /// The line, the process's variables and the CLIs' state, with these protected names.
    pub fn process(protected: Protected, cwd: Option<PathBuf>) -> Context {
        Context {
            protected,
            process: true,
            cwd,
        }
    }

    fn cwd(&self) -> Option<PathBuf> {
        self.cwd.clone().or_else(|| std::env::current_dir().ok())
    }
}

/// The environment one command acts on, and how guardsh knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The program (`railway`).
    pub program: String,
    /// The kind of name.
    pub kind: EnvironmentKind,
    /// The name as found (`production`, `prod-eu`, `db.prod.internal`), or the word that
    /// will give it at run time (`$TARGET`).
    pub name: String,
    /// Where it was found: `flag --environment`, `variable RAILWAY_ENVIRONMENT`,
    /// `linked: ~/.railway/config.json`.
    pub source: String,
    /// Protected: rules get stricter.
    pub protected: bool,
}

/// The environment `cmd` (running `program`, canonical name) acts on, if any signal names it.
/// `line_env` holds the variables the line sets (`rules::script_env`).
pub fn infer(
    cmd: &Command,
    program: &str,
    spec: &EnvironmentSpec,
    line_env: &[(String, String)],
    ctx: &Context,
) -> Option<Target> {
    let found = from_flags(cmd, spec)
        .or_else(|| from_vars(cmd, spec, line_env, ctx))
        .or_else(|| from_linked(cmd, spec, line_env, ctx))?;
    let (name, source, dynamic) = found;
    Some(Target {
        program: program.to_owned(),
        kind: spec.kind,
        protected: dynamic || ctx.protected.protects(spec.kind, &name),
        name,
        source,
    })
}

/// (name, source, only known at run time)
type Found = (String, String, bool);

/// The words after argv[0], up to `--` (what follows is another program's, or operands).
fn options(cmd: &Command) -> impl Iterator<Item = &Word> {
    cmd.argv.iter().skip(1).take_while(|w| w.text != "--")
}

/// The value of option `flag` in `cmd`: `--flag v`, `--flag=v`, or `-fv` for a one-letter
/// option.
fn flag_value<'a>(cmd: &'a Command, flag: &str) -> Option<(String, bool)> {
    let words: Vec<&'a Word> = options(cmd).collect();
    for (i, w) in words.iter().enumerate() {
        if w.text == flag {
            let v = words.get(i + 1)?;
            return Some((v.text.clone(), v.dynamic));
        }
        if let Some(v) = w.text.strip_prefix(flag) {
            if let Some(v) = v.strip_prefix('=') {
                return Some((v.to_owned(), w.dynamic));
            }
            let short = flag.len() == 2 && flag.starts_with('-') && !flag.starts_with("--");
            if short && !v.is_empty() && !w.text.starts_with("--") {
                return Some((v.to_owned(), w.dynamic));
            }
        }
    }
    None
}

fn from_flags(cmd: &Command, spec: &EnvironmentSpec) -> Option<Found> {
    for flag in &spec.flags {
        if let Some((v, dynamic)) = flag_value(cmd, flag) {
            return Some((v, format!("flag {flag}"), dynamic));
        }
    }
    for flag in &spec.host_flags {
        if let Some((v, dynamic)) = flag_value(cmd, flag) {
            let host = host_of(&v).unwrap_or(v);
            return Some((host, format!("flag {flag}"), dynamic));
        }
    }
    for flag in &spec.path_flags {
        if let Some((v, dynamic)) = flag_value(cmd, flag) {
            return Some((v, format!("flag {flag}"), dynamic));
        }
    }
    if spec.url_operands {
        for w in options(cmd) {
            if !w.text.starts_with('-')
                && let Some(host) = host_of(&w.text).filter(|_| looks_like_url(&w.text))
            {
                return Some((host, "connection string operand".to_owned(), w.dynamic));
            }
        }
    }
    None
}

fn looks_like_url(s: &str) -> bool {
    s.contains("://") || s.split_whitespace().any(|p| p.starts_with("host="))
}

/// The host of a URL (`postgres://u:p@db.prod:5432/app`), of a `host=… port=…` connection
/// string, or `None` when `s` is neither.
pub fn host_of(s: &str) -> Option<String> {
    if let Some((_, rest)) = s.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = if let Some(v6) = hostport.strip_prefix('[') {
            v6.split(']').next().unwrap_or("")
        } else {
            // Several hosts (`h1:5432,h2:5432`): the first names the cluster.
            let first = hostport.split(',').next().unwrap_or("");
            first.split(':').next().unwrap_or("")
        };
        return (!host.is_empty()).then(|| host.to_owned());
    }
    s.split_whitespace()
        .find_map(|p| p.strip_prefix("host="))
        .map(|h| h.trim_matches(['\'', '"']).to_owned())
        .filter(|h| !h.is_empty())
}

/// A variable's value for `cmd`: its own prefix assignment, then the line's, then (with
/// `ctx.process`) the process's.
fn var(
    cmd: &Command,
    name: &str,
    line_env: &[(String, String)],
    ctx: &Context,
) -> Option<(String, String, bool)> {
    if let Some(a) = cmd.assignments.iter().rev().find(|a| a.name == name) {
        return Some((
            a.value.text.clone(),
            format!("assignment {name}="),
            a.value.dynamic,
        ));
    }
    if let Some((_, v)) = line_env.iter().rev().find(|(n, _)| n == name) {
        return Some((
            v.clone(),
            format!("variable {name} set on the line"),
            v.contains('$'),
        ));
    }
    if ctx.process
        && let Some(v) = std::env::var_os(name).filter(|v| !v.is_empty())
    {
        return Some((
            v.to_string_lossy().into_owned(),
            format!("variable {name}"),
            false,
        ));
    }
    None
}

fn from_vars(
    cmd: &Command,
    spec: &EnvironmentSpec,
    line_env: &[(String, String)],
    ctx: &Context,
) -> Option<Found> {
    for name in &spec.vars {
        if let Some((v, source, dynamic)) =
            var(cmd, name, line_env, ctx).filter(|v| !v.0.is_empty())
        {
            return Some((v, source, dynamic));
        }
    }
    for name in &spec.host_vars {
        if let Some((v, source, dynamic)) =
            var(cmd, name, line_env, ctx).filter(|v| !v.0.is_empty())
        {
            let host = host_of(&v).unwrap_or(v);
            return Some((host, source, dynamic));
        }
    }
    None
}

fn from_linked(
    cmd: &Command,
    spec: &EnvironmentSpec,
    line_env: &[(String, String)],
    ctx: &Context,
) -> Option<Found> {
    let linked = spec.linked?;
    match linked {
        // The workspace variable is part of the line's own signals; only the file is state.
        Linked::Terraform => {
            if let Some((v, source, dynamic)) = var(cmd, "TF_WORKSPACE", line_env, ctx) {
                return Some((v, source, dynamic));
            }
            if !ctx.process {
                return None;
            }
            let base = ctx.cwd()?;
            let dir = flag_value(cmd, "-chdir")
                .filter(|(_, dynamic)| !dynamic)
                .map_or_else(|| base.clone(), |(v, _)| base.join(v));
            let file = dir.join(".terraform").join("environment");
            let name = read_small(&file)?.trim().to_owned();
            (!name.is_empty() && name != "default")
                .then(|| (name, format!("workspace in {}", file.display()), false))
        }
        Linked::Railway => {
            // A project token acts on the one environment it was made for, which only
            // Railway's API knows: the incident's token could have been production's.
            if let Some((_, source, _)) =
                var(cmd, "RAILWAY_TOKEN", line_env, ctx).filter(|v| !v.0.is_empty())
            {
                return Some((
                    "the environment of RAILWAY_TOKEN".to_owned(),
                    format!("{source} (a project token; only Railway knows its environment)"),
                    true,
                ));
            }
            if !ctx.process {
                return None;
            }
            railway_linked(&ctx.cwd()?)
        }
        Linked::Kubeconfig if ctx.process => {
            let files: Vec<PathBuf> = match flag_value(cmd, "--kubeconfig") {
                Some((_, true)) => return None,
                Some((v, false)) => vec![PathBuf::from(v)],
                None => match var(cmd, "KUBECONFIG", line_env, ctx) {
                    Some((v, _, false)) => std::env::split_paths(&v).collect(),
                    Some((_, _, true)) => return None,
                    None => vec![home()?.join(".kube").join("config")],
                },
            };
            files.iter().find_map(|f| {
                let ctxname = kube_current_context(f)?;
                Some((
                    ctxname,
                    format!("current context in {}", f.display()),
                    false,
                ))
            })
        }
        Linked::Kubeconfig => None,
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// State files are small; a huge, special or unreadable one is no signal.
fn read_small(path: &Path) -> Option<String> {
    crate::capped::read_text(path, crate::capped::STATE).ok()
}

fn kube_current_context(path: &Path) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Kubeconfig {
        #[serde(rename = "current-context", default)]
        current_context: Option<String>,
    }
    let text = read_small(path)?;
    let k: Kubeconfig = serde_yaml::from_str(&text).ok()?;
    k.current_context.filter(|c| !c.is_empty())
}

/// The environment Railway's CLI has linked to the working directory or its closest
/// linked parent, as `railway link` records it.
fn railway_linked(cwd: &Path) -> Option<Found> {
    #[derive(serde::Deserialize)]
    struct Config {
        #[serde(default)]
        projects: std::collections::BTreeMap<String, Project>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Project {
        #[serde(default)]
        environment: Option<String>,
        #[serde(default)]
        environment_name: Option<String>,
    }
    let file = home()?.join(".railway").join("config.json");
    let config: Config = serde_json::from_str(&read_small(&file)?).ok()?;
    let mut dir = cwd.to_path_buf();
    loop {
        if let Some(p) = dir.to_str().and_then(|d| config.projects.get(d)) {
            let name = p
                .environment_name
                .clone()
                .or_else(|| p.environment.clone())?;
            return Some((name, format!("linked in {}", file.display()), false));
        }
        if !dir.pop() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_words_protect_whole_words_only() {
        let p = Protected::default();
        for name in [
            "production",
            "prod",
            "prod-eu",
            "envs/prod",
            "db.prod.internal",
            "LIVE",
            "arn:aws:eks:eu-west-1:1:cluster/prod-main",
        ] {
            assert!(p.protects(EnvironmentKind::Kube, name), "{name}");
        }
        for name in ["staging", "products", "preprod-x", "livestream", "dev"] {
            assert!(!p.protects(EnvironmentKind::Kube, name), "{name}");
        }
    }

    #[test]
    fn config_names_protect_by_kind() {
        let p = Protected {
            kube_contexts: vec!["gke_*_main".into()],
            names: vec!["Blue".into()],
            ..Protected::default()
        };
        assert!(p.protects(EnvironmentKind::Kube, "gke_acme_main"));
        assert!(!p.protects(EnvironmentKind::Railway, "gke_acme_main"));
        assert!(p.protects(EnvironmentKind::Railway, "blue"));
    }

    #[test]
    fn hosts_of_urls_and_conninfo() {
        assert_eq!(
            host_of("postgres://u:p@db.prod.io:5432/app?sslmode=require").as_deref(),
            Some("db.prod.io")
        );
        assert_eq!(host_of("postgresql://[::1]:5/x").as_deref(), Some("::1"));
        assert_eq!(
            host_of("host=10.0.0.1 dbname=app").as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(host_of("mydb"), None);
        assert_eq!(host_of("postgres:///app"), None);
    }
}
