//! Package and environment runners: `npx`/`pnpm dlx`/`bunx`/`yarn dlx`/`npm exec` (a
//! package name stands for the binary it installs) and `doppler run`/`uv run`/`bundle exec`…

use super::opts::{self, Scan, Spec};
use super::wrappers::{Peel, from, joined_text, shell_text};
use crate::parse::Word;

/// The binary an npm package spec runs (`@railway/cli@3` → `railway`).
pub(super) fn package_binary(spec: &str) -> String {
    // Not a registry name (a path, URL, `github:` or `user/repo` spec): keep it as written.
    let scoped = spec.starts_with('@');
    let looks_local = spec.starts_with('.')
        || spec.starts_with('/')
        || spec.contains(':')
        || (!scoped && spec.contains('/'));
    if looks_local {
        return spec.to_string();
    }
    let name = match spec.get(1..).and_then(|s| s.find('@')) {
        Some(at) => spec.get(..at + 1).unwrap_or(spec),
        None => spec,
    };
    const TABLE: &[(&str, &str)] = &[
        ("@railway/cli", "railway"),
        ("netlify-cli", "netlify"),
        ("firebase-tools", "firebase"),
        ("@neondatabase/cli", "neonctl"),
        ("neonctl", "neonctl"),
        ("@planetscale/cli", "pscale"),
        ("supabase", "supabase"),
        ("prisma", "prisma"),
        ("vercel", "vercel"),
        ("wrangler", "wrangler"),
        ("@cloudflare/wrangler", "wrangler"),
        ("heroku", "heroku"),
        ("aws-cdk", "cdk"),
        ("@angular/cli", "ng"),
        ("@nestjs/cli", "nest"),
        ("@vue/cli", "vue"),
        ("sequelize-cli", "sequelize"),
    ];
    if let Some((_, bin)) = TABLE.iter().find(|(pkg, _)| *pkg == name) {
        return bin.to_string();
    }
    if name.starts_with("@aws-cdk/") {
        return "cdk".to_string();
    }
    match name.strip_prefix('@').and_then(|s| s.split_once('/')) {
        Some((scope, "cli")) => scope.to_string(),
        Some((_, pkg)) => pkg.to_string(),
        None => name.to_string(),
    }
}

/// `npx`, `pnpx`, `bunx`, `pnpm dlx`, `yarn dlx`, `npm exec`: options from `start`, then a
/// package (or, with `--package`, a binary) and its arguments.
pub(super) fn npx(argv: &[Word], start: usize, via: &str) -> Peel {
    let s = opts::scan(
        argv,
        start,
        &Spec {
            short_val: "pcw",
            long_val: &["package", "call", "workspace", "prefix", "registry"],
            ..Spec::default()
        },
    );
    if let Some(script) = s.value(&["c", "call"]) {
        return Peel::one(shell_text(script, &format!("{via} -c")));
    }
    let rest = from(argv, s.rest);
    if s.has(&["shell-mode"]) && !rest.is_empty() {
        return Peel::one(joined_text(rest, &format!("{via} --shell-mode"), None));
    }
    let Some((first, args)) = rest.split_first() else {
        return Peel::none();
    };
    let program = if s.has(&["p", "package"]) || !first.is_literal() {
        first.clone()
    } else {
        Word {
            text: package_binary(&first.text),
            ..first.clone()
        }
    };
    let mut cmd = vec![program];
    cmd.extend_from_slice(args);
    Peel::run(&cmd, via)
}

/// The first word that is not an option, skipping the values of `long_val`/`short_val`.
fn subcommand(argv: &[Word], spec: &Spec<'_>) -> Option<usize> {
    let s = opts::scan(argv, 1, spec);
    (s.rest < argv.len() && !s.dashdash).then_some(s.rest)
}

pub(super) fn npm(argv: &[Word]) -> Peel {
    let Some(sub) = subcommand(
        argv,
        &Spec {
            short_val: "wC",
            long_val: &["prefix", "workspace", "registry", "userconfig", "cache"],
            ..Spec::default()
        },
    ) else {
        return Peel::none();
    };
    match argv.get(sub).map(|w| w.text.as_str()) {
        Some("exec" | "x") => npx(argv, sub + 1, "npm exec"),
        _ => Peel::none(),
    }
}

pub(super) fn pnpm(argv: &[Word]) -> Peel {
    let Some(sub) = subcommand(
        argv,
        &Spec {
            short_val: "CF",
            long_val: &["dir", "filter", "reporter", "workspace"],
            ..Spec::default()
        },
    ) else {
        return Peel::none();
    };
    match argv.get(sub).map(|w| w.text.as_str()) {
        Some("dlx") => npx(argv, sub + 1, "pnpm dlx"),
        Some("exec") => {
            let s = opts::scan(argv, sub + 1, &Spec::default());
            let rest = from(argv, s.rest);
            if s.has(&["c", "shell-mode"]) {
                if rest.is_empty() {
                    return Peel::none();
                }
                return Peel::one(joined_text(rest, "pnpm exec -c", None));
            }
            Peel::run(rest, "pnpm exec")
        }
        _ => Peel::none(),
    }
}

pub(super) fn yarn(argv: &[Word]) -> Peel {
    match argv.get(1).map(|w| w.text.as_str()) {
        Some("dlx") => npx(argv, 2, "yarn dlx"),
        // Yarn (berry) runs `yarn exec` text with its own POSIX-like shell.
        Some("exec") if argv.len() > 2 => Peel::one(joined_text(from(argv, 2), "yarn exec", None)),
        _ => Peel::none(),
    }
}

/// Tools that run a command with extra environment or tooling: `doppler run -- cmd`,
/// `uv run cmd`, `bundle exec cmd` …
pub(super) fn runner(name: &str, argv: &[Word]) -> Peel {
    struct R {
        program: &'static str,
        sub: &'static str,
        short_val: &'static str,
        long_val: &'static [&'static str],
        /// Operands before the command (`aws-vault exec PROFILE cmd`).
        skip: usize,
        /// The command only follows `--` (`mise exec tool@1 -- cmd`).
        needs_dashdash: bool,
        /// An option whose value is shell text.
        text_opt: &'static [&'static str],
    }
    const RUNNERS: &[R] = &[
        R {
            program: "doppler",
            sub: "run",
            short_val: "pc",
            long_val: &["project", "config", "token", "scope", "mount", "fallback"],
            skip: 0,
            needs_dashdash: false,
            text_opt: &["command"],
        },
        R {
            program: "op",
            sub: "run",
            short_val: "",
            long_val: &["env-file", "account", "config", "session"],
            skip: 0,
            needs_dashdash: false,
            text_opt: &[],
        },
        R {
            program: "infisical",
            sub: "run",
            short_val: "",
            long_val: &["env", "path", "projectId", "token", "domain"],
            skip: 0,
            needs_dashdash: false,
            text_opt: &["command"],
        },
        R {
            program: "dotenvx",
            sub: "run",
            short_val: "fe",
            long_val: &["env-file", "env", "env-keys-file", "convention"],
            skip: 0,
            needs_dashdash: false,
            text_opt: &[],
        },
        R {
            program: "aws-vault",
            sub: "exec",
            short_val: "dtrn",
            long_val: &["duration", "mfa-token", "region", "prompt", "backend"],
            skip: 1,
            needs_dashdash: false,
            text_opt: &[],
        },
        R {
            program: "uv",
            sub: "run",
            short_val: "pw",
            long_val: &[
                "with",
                "with-requirements",
                "with-editable",
                "python",
                "package",
                "env-file",
                "extra",
                "group",
                "directory",
                "project",
                "index",
                "index-url",
                "extra-index-url",
                "script",
                "module",
            ],
            skip: 0,
            needs_dashdash: false,
            text_opt: &[],
        },
        R {
            program: "poetry",
            sub: "run",
            short_val: "CP",
            long_val: &["directory", "project"],
            skip: 0,
            needs_dashdash: false,
            text_opt: &[],
        },
        R {
            program: "pipenv",
            sub: "run",
            short_val: "",
            long_val: &["python"],
            skip: 0,
            needs_dashdash: false,
            text_opt: &[],
        },
        R {
            program: "bundle",
            sub: "exec",
            short_val: "",
            long_val: &["gemfile"],
            skip: 0,
            needs_dashdash: false,
            text_opt: &[],
        },
        R {
            program: "direnv",
            sub: "exec",
            short_val: "",
            long_val: &[],
            skip: 1,
            needs_dashdash: false,
            text_opt: &[],
        },
        R {
            program: "mise",
            sub: "exec",
            short_val: "Cj",
            long_val: &["cd", "jobs"],
            skip: 0,
            needs_dashdash: true,
            text_opt: &["command"],
        },
        R {
            program: "mise",
            sub: "x",
            short_val: "Cj",
            long_val: &["cd", "jobs"],
            skip: 0,
            needs_dashdash: true,
            text_opt: &["command"],
        },
    ];
    let Some(sub) = argv.get(1) else {
        return Peel::none();
    };
    let Some(r) = RUNNERS
        .iter()
        .find(|r| r.program == name && r.sub == sub.text)
    else {
        return Peel::none();
    };
    let via = format!("{} {}", r.program, r.sub);
    let long_val: Vec<&str> = r.long_val.iter().chain(r.text_opt).copied().collect();
    let s: Scan = opts::scan(
        argv,
        2,
        &Spec {
            short_val: r.short_val,
            long_val: &long_val,
            ..Spec::default()
        },
    );
    if let Some(t) = s.value(r.text_opt) {
        return Peel::one(shell_text(t, &via));
    }
    if r.needs_dashdash {
        return match argv.iter().skip(2).position(|w| w.text == "--") {
            Some(p) => Peel::run(from(argv, p + 3), &via),
            None => Peel::none(),
        };
    }
    let start = if s.dashdash {
        s.rest
    } else {
        s.rest.saturating_add(r.skip)
    };
    let rest = from(argv, start);
    // `aws-vault exec PROFILE -- cmd`: the `--` may follow the skipped operands.
    let rest = match rest.first() {
        Some(w) if w.text == "--" && !s.dashdash => from(rest, 1),
        _ => rest,
    };
    Peel::run(rest, &via)
}
