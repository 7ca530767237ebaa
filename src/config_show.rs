//! `guardsh config show`: the configuration in effect and where each part came from, so a
//! person can see why a command is allowed or refused, and what a project file tried.

use std::path::PathBuf;

use serde::Serialize;

use crate::config::{self, Layers, Origin, Places};
use crate::environment::{DEFAULT_WORDS, Protected};
use crate::rules::{Severity, builtin};
use crate::term::escape;

/// One place a layer is looked for.
#[derive(Debug, Serialize)]
pub struct Place {
    /// Which layer.
    pub origin: Origin,
    /// The file or directory.
    pub path: PathBuf,
    /// `in effect`, `absent`, or `ignored: why`.
    pub status: String,
    /// Whether what the file loosens applies: a system file, or a user file whose exact
    /// content a person trusted with `guardsh config trust`. Never a project file.
    pub trusted: bool,
    /// The hex SHA-256 of each file read there (one for a config file, one per pack in a
    /// `guards/` directory), so a fleet tool can compare machines against the policy it
    /// shipped. Empty when nothing is there.
    pub files: Vec<FileHash>,
}

/// One file of a layer and the hash of its content.
#[derive(Debug, Serialize)]
pub struct FileHash {
    /// The file.
    pub path: PathBuf,
    /// Hex SHA-256 of its content, or `None` when it could not be read (the error is in
    /// `error`).
    pub sha256: Option<String>,
    /// Why it could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How much of guardsh's promise the kernel keeps on this machine.
#[derive(Debug, Serialize)]
pub struct Protection {
    /// `kernel` or `parse-only`.
    pub level: &'static str,
    /// Why it is parse-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where `guardsh config trust` records live, and whether the kernel keeps them out of
    /// the agent's reach.
    pub trust_records: Option<TrustRecords>,
}

/// Where the trust records are.
#[derive(Debug, Serialize)]
pub struct TrustRecords {
    /// The file.
    pub path: PathBuf,
    /// Kept in the protected directory (true), or in the user's state directory, where the
    /// agent could change them (false).
    pub protected: bool,
}

/// A severity override and what came of it.
#[derive(Debug, Serialize)]
pub struct Override {
    /// The rule.
    pub rule: String,
    /// What the file asks for.
    pub severity: String,
    /// The file.
    pub origin: Origin,
    /// The file's path.
    pub path: PathBuf,
    /// `applied`, `ignored: …`, or `unknown rule`.
    pub status: String,
}

/// An allow entry.
#[derive(Debug, Serialize)]
pub struct Allow {
    /// The file.
    pub origin: Origin,
    /// The file's path.
    pub path: PathBuf,
    /// The entry.
    #[serde(flatten)]
    pub entry: config::AllowEntry,
    /// `current`, `expired`, or `unknown rule`.
    pub status: String,
}

/// A pack from the configuration.
#[derive(Debug, Serialize)]
pub struct Pack {
    /// Which layer.
    pub origin: Origin,
    /// The file.
    pub path: PathBuf,
    /// The pack's name.
    pub pack: String,
    /// How many rules it adds.
    pub rules: usize,
}

/// Everything `config show` reports.
#[derive(Debug, Serialize)]
pub struct Report {
    /// guardsh's version.
    pub version: &'static str,
    /// The protection level and where trust is kept.
    pub protection: Protection,
    /// The system file that locks the policy (`locked: true`): user files then only
    /// tighten, like project files.
    pub locked_by: Option<PathBuf>,
    /// Where each layer was looked for.
    pub places: Vec<Place>,
    /// The real shell shell mode runs, and where that comes from.
    pub shell: String,
    /// Built-in packs and how many rules they hold.
    pub builtin_packs: usize,
    /// Built-in rules.
    pub builtin_rules: usize,
    /// Packs the configuration adds.
    pub packs: Vec<Pack>,
    /// Words that make an environment name protected, whatever the config says.
    pub protected_words: Vec<String>,
    /// Protected names from the configuration.
    pub protected: Protected,
    /// Severity overrides.
    pub overrides: Vec<Override>,
    /// Allow entries.
    pub allow: Vec<Allow>,
    /// What was ignored.
    pub warnings: Vec<String>,
}

/// Build the report for the real places.
pub fn report() -> Result<Report, config::Error> {
    report_for(&Places::real())
}

/// Build the report for `places`.
pub fn report_for(places: &Places) -> Result<Report, config::Error> {
    let layers = config::load_layers(places)?;
    let all = builtin::all()?;
    let mut warnings = layers.warnings.clone();
    let places_list = list_places(places, &layers);
    // A rule's own severity, built in or from a pack of the configuration.
    let base = |id: &str| {
        all.rules()
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.severity)
            .or_else(|| {
                layers
                    .packs
                    .iter()
                    .flat_map(|p| &p.pack.rules)
                    .find(|r| r.id == id)
                    .map(|r| r.severity)
            })
    };
    let known = |id: &str| base(id).is_some();
    let mut overrides = Vec::new();
    let mut rules: Vec<&String> = layers
        .layers
        .iter()
        .flat_map(|l| l.config.overrides.keys())
        .collect();
    rules.sort();
    rules.dedup();
    for rule in rules {
        let own = base(rule);
        // An unknown rule's overrides are listed as such; the base only orders the steps.
        for step in layers.override_steps(rule, own.unwrap_or(Severity::Warn)) {
            let status = if own.is_none() {
                "unknown rule: no pack has it".to_owned()
            } else if step.holds {
                "applied".to_owned()
            } else {
                warnings.push(step.ignored_because(rule));
                format!(
                    "ignored: a project file can only raise a severity (it is {})",
                    config::severity_name(step.before)
                )
            };
            overrides.push(Override {
                rule: rule.clone(),
                severity: config::severity_name(step.asked).to_owned(),
                origin: step.layer.origin,
                path: step.layer.path.clone(),
                status,
            });
        }
    }
    let now = crate::clock::now();
    let mut allow = Vec::new();
    for l in &layers.layers {
        for e in &l.config.allow {
            let status = match &e.rule {
                Some(r) if !known(r) => "unknown rule: no pack has it".to_owned(),
                _ if !e.current(now) => "expired".to_owned(),
                _ => "current".to_owned(),
            };
            allow.push(Allow {
                origin: l.origin,
                path: l.path.clone(),
                entry: e.clone(),
                status,
            });
        }
    }
    let shell = match layers
        .layers
        .iter()
        .rev()
        .find(|l| l.config.shell.is_some())
    {
        Some(l) => format!(
            "{} (from {})",
            l.config
                .shell
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            l.path.display()
        ),
        None => "bash on PATH (the default; GUARDSH_SHELL overrides)".to_owned(),
    };
    let level = crate::confine::level();
    Ok(Report {
        version: env!("CARGO_PKG_VERSION"),
        protection: Protection {
            level: level.name(),
            reason: match level {
                crate::confine::Level::Kernel => None,
                crate::confine::Level::ParseOnly(why) => Some(why),
            },
            trust_records: crate::trust::records_path()
                .map(|(path, protected)| TrustRecords { path, protected }),
        },
        locked_by: layers.locked_by.clone(),
        places: places_list,
        shell,
        builtin_packs: builtin::pack_names().len(),
        builtin_rules: all.rules().len(),
        packs: layers
            .packs
            .iter()
            .map(|p| Pack {
                origin: p.origin,
                path: p.path.clone(),
                pack: p.pack.pack.clone(),
                rules: p.pack.rules.len(),
            })
            .collect(),
        protected_words: DEFAULT_WORDS.iter().map(|w| (*w).to_owned()).collect(),
        protected: layers.protected(),
        overrides,
        allow,
        warnings,
    })
}

fn list_places(places: &Places, layers: &Layers) -> Vec<Place> {
    let mut out = Vec::new();
    let trusted_of = |path: &PathBuf, origin: Origin| -> bool {
        match layers.layers.iter().find(|l| &l.path == path) {
            Some(l) => l.trusted,
            None => origin == Origin::System,
        }
    };
    let status_of = |path: &PathBuf| -> String {
        if let Some(l) = layers.layers.iter().find(|l| &l.path == path) {
            return if l.trusted || l.origin == Origin::Project {
                "in effect".to_owned()
            } else {
                "in effect, not trusted: what it loosens is ignored until `guardsh config trust`"
                    .to_owned()
            };
        }
        let shown = path.display().to_string();
        if let Some(w) = layers.warnings.iter().find(|w| w.starts_with(&shown)) {
            return w.strip_prefix(&shown).unwrap_or(w).trim_start().to_owned();
        }
        if path.exists() {
            "in effect".to_owned()
        } else {
            "absent".to_owned()
        }
    };
    for (origin, dir) in [
        (Origin::System, &places.system),
        (Origin::User, &places.user),
    ] {
        let Some(dir) = dir else { continue };
        for p in [dir.join("config.yaml"), dir.join("guards")] {
            out.push(Place {
                origin,
                status: status_of(&p),
                trusted: trusted_of(&p, origin),
                files: hashes(&p),
                path: p,
            });
        }
    }
    let project = places
        .cwd
        .as_deref()
        .and_then(config::find_project_file)
        .unwrap_or_else(|| PathBuf::from(config::PROJECT_FILE));
    out.push(Place {
        origin: Origin::Project,
        status: if project.is_absolute() {
            status_of(&project)
        } else {
            "absent (none in the working directory or its parents)".to_owned()
        },
        trusted: false,
        files: if project.is_absolute() {
            hashes(&project)
        } else {
            Vec::new()
        },
        path: project,
    });
    out
}

/// The hash of the config file at `path`, or of each pack in the `guards/` directory at
/// `path`, read with the same caps as loading them.
fn hashes(path: &std::path::Path) -> Vec<FileHash> {
    let one = |p: PathBuf| match crate::capped::read(&p, crate::capped::CONFIG) {
        Ok(bytes) => FileHash {
            path: p,
            sha256: Some(crate::trust::digest(&bytes)),
            error: None,
        },
        Err(e) => FileHash {
            path: p,
            sha256: None,
            error: Some(e.to_string()),
        },
    };
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                        .collect()
                })
                .unwrap_or_default();
            files.sort();
            files.into_iter().map(one).collect()
        }
        Ok(_) => vec![one(path.to_path_buf())],
        Err(_) => Vec::new(),
    }
}

fn origin_name(o: Origin) -> &'static str {
    match o {
        Origin::System => "system",
        Origin::User => "user",
        Origin::Project => "project",
    }
}

/// The report for a person.
pub fn render_human(r: &Report) -> String {
    let mut out = format!(
        "protection: {}{}\n",
        r.protection.level,
        r.protection
            .reason
            .as_deref()
            .map(|w| format!(" ({})", escape(w)))
            .unwrap_or_default()
    );
    if let Some(by) = &r.locked_by {
        out.push_str(&format!(
            "policy locked by {}: user files only tighten\n",
            escape(&by.display().to_string())
        ));
    }
    out.push_str("layers (later ones apply on top; a project file can only tighten):\n");
    out.push_str(&format!(
        "  built-in  {} packs, {} rules\n",
        r.builtin_packs, r.builtin_rules
    ));
    for p in &r.places {
        out.push_str(&format!(
            "  {:<8}  {}  ({})\n",
            origin_name(p.origin),
            escape(&p.path.display().to_string()),
            escape(&p.status)
        ));
    }
    out.push_str(&format!("shell: {}\n", escape(&r.shell)));
    if !r.packs.is_empty() {
        out.push_str("packs from the configuration:\n");
        for p in &r.packs {
            out.push_str(&format!(
                "  {:<8}  {} ({} rules) from {}\n",
                origin_name(p.origin),
                escape(&p.pack),
                p.rules,
                escape(&p.path.display().to_string())
            ));
        }
    }
    out.push_str(&format!(
        "protected environments: any name with the word {}",
        r.protected_words.join(", ")
    ));
    let lists = [
        ("names", &r.protected.names),
        ("railway_environments", &r.protected.railway_environments),
        ("kube_contexts", &r.protected.kube_contexts),
        ("database_hosts", &r.protected.database_hosts),
        ("cloud_profiles", &r.protected.cloud_profiles),
        ("terraform_workspaces", &r.protected.terraform_workspaces),
    ];
    out.push('\n');
    for (name, list) in lists {
        if !list.is_empty() {
            let shown: Vec<String> = list.iter().map(|n| escape(n).into_owned()).collect();
            out.push_str(&format!("  {name}: {}\n", shown.join(", ")));
        }
    }
    if !r.overrides.is_empty() {
        out.push_str("overrides:\n");
        for o in &r.overrides {
            out.push_str(&format!(
                "  {}: {}  [{} {}]  {}\n",
                escape(&o.rule),
                o.severity,
                origin_name(o.origin),
                escape(&o.path.display().to_string()),
                escape(&o.status)
            ));
        }
    }
    if !r.allow.is_empty() {
        out.push_str("allowed:\n");
        for a in &r.allow {
            let what = match (&a.entry.rule, &a.entry.command) {
                (Some(rule), _) => format!("rule {rule}"),
                (_, Some(cmd)) => format!("command `{cmd}`"),
                _ => String::new(),
            };
            let expires = a
                .entry
                .expires
                .as_deref()
                .map(|d| format!(", until {d}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {}  ({}{})  [{} {}]  {}\n",
                escape(&what),
                escape(&a.entry.reason),
                escape(&expires),
                origin_name(a.origin),
                escape(&a.path.display().to_string()),
                escape(&a.status)
            ));
        }
    }
    for w in &r.warnings {
        out.push_str(&format!("warning: {}\n", escape(w)));
    }
    out
}
