//! git: uncommitted work before `reset --hard`, `checkout -- …`, `restore`, `clean` and
//! `stash drop/clear`; branch tips before `branch -D`; the remote branch before a force
//! push. Each is kept twice: under a private ref (`refs/guardsh/backups/<id>…`, which keeps
//! the objects from garbage collection and which no branch listing shows) and as a bundle
//! in the store, which survives the repository's `.git` being removed.

use std::path::{Path, PathBuf};

use super::store::{Draft, Record};
use super::{Context, Error, Insure, Restore, base_dir, run_tool};
use crate::exec::Tool;

/// git's global options that take a value as the next word.
const GLOBAL_WITH_VALUE: &[&str] = &[
    "-C",
    "-c",
    "--git-dir",
    "--work-tree",
    "--namespace",
    "--exec-path",
    "--config-env",
    "--super-prefix",
    "--list-cmds",
];

/// Commits guardsh makes carry this identity: a repository without `user.email` set (a CI
/// checkout) must still be insurable.
fn identity() -> Vec<(String, String)> {
    [
        ("GIT_AUTHOR_NAME", "guardsh"),
        ("GIT_AUTHOR_EMAIL", "guardsh@localhost"),
        ("GIT_COMMITTER_NAME", "guardsh"),
        ("GIT_COMMITTER_EMAIL", "guardsh@localhost"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// A git command read: where it runs, its subcommand and that subcommand's words.
struct Call {
    /// The directory git starts in (after `-C`).
    dir: PathBuf,
    sub: String,
    args: Vec<String>,
}

fn read_call(need: &Insure, ctx: &Context) -> Result<Call, Error> {
    let mut dir = base_dir(need, ctx)?;
    let mut elsewhere = false;
    let mut words = need.argv.iter().skip(1);
    let mut sub = None;
    while let Some(w) = words.next() {
        if w == "-C" {
            if let Some(d) = words.next() {
                dir = dir.join(d);
            }
        } else if GLOBAL_WITH_VALUE.contains(&w.as_str()) {
            elsewhere |= w == "--git-dir" || w == "--work-tree";
            words.next();
        } else if w.starts_with("--git-dir=") || w.starts_with("--work-tree=") {
            elsewhere = true;
        } else if !w.starts_with('-') {
            sub = Some(w.clone());
            break;
        }
    }
    let unplannable = |why: &str| Error::Unplannable {
        command: need.command.clone(),
        why: why.to_owned(),
    };
    let sub = sub.ok_or_else(|| unplannable("no git subcommand found"))?;
    if elsewhere {
        return Err(unplannable(
            "it names its repository with --git-dir or --work-tree, which guardsh does not follow; run `guardsh backup` where the repository is, or approve with `--no-backup`",
        ));
    }
    Ok(Call {
        dir,
        sub,
        args: words.cloned().collect(),
    })
}

/// Run git in `dir`; its standard output, trimmed.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let env = identity();
    let out = run_tool(
        "git",
        &args,
        Tool {
            env: &env,
            cwd: Some(dir),
            ..Tool::default()
        },
    )?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn top_level(dir: &Path) -> Result<PathBuf, String> {
    git(dir, &["rev-parse", "--show-toplevel"]).map(PathBuf::from)
}

fn private_ref(id: &str, name: &str) -> String {
    format!("refs/guardsh/backups/{id}/{name}")
}

/// Bundle `refs` into the draft, leaving out what `exclude` (rev-list arguments) reaches.
/// A bundle with nothing new in it is no bundle, not a failure.
fn bundle(repo: &Path, draft: &Draft, refs: &[String], exclude: &[&str]) -> Result<(), String> {
    if refs.is_empty() {
        return Ok(());
    }
    let file = draft.data.join("git.bundle");
    let file = file.to_string_lossy().into_owned();
    let mut args: Vec<&str> = vec!["bundle", "create", "-q", &file];
    args.extend(refs.iter().map(String::as_str));
    args.extend_from_slice(exclude);
    match git(repo, &args) {
        Ok(_) => Ok(()),
        Err(e) if e.contains("empty bundle") => Ok(()),
        Err(e) => Err(e),
    }
}

/// Uncommitted work, untracked files the command removes, and stash entries it drops.
pub fn take_work(need: &Insure, ctx: &Context, draft: &Draft) -> Result<(Restore, String), Error> {
    let call = read_call(need, ctx)?;
    let failed = |why: String| Error::Failed {
        command: need.command.clone(),
        why,
    };
    let repo = top_level(&call.dir).map_err(failed)?;
    let head = git(&repo, &["rev-parse", "--verify", "-q", "HEAD"]).unwrap_or_default();
    let mut refs = Vec::new();
    let commit = if head.is_empty() {
        None
    } else {
        let c = git(&repo, &["stash", "create", "guardsh backup"]).map_err(failed)?;
        (!c.is_empty()).then_some(c)
    };
    if let Some(c) = &commit {
        let r = private_ref(&draft.id, "work");
        git(&repo, &["update-ref", &r, c]).map_err(failed)?;
        refs.push(r);
    }
    let mut untracked = Vec::new();
    if call.sub == "clean" {
        untracked = take_untracked(&call, draft).map_err(failed)?;
    }
    let mut stashes = Vec::new();
    if call.sub == "stash" {
        stashes = dropped_stashes(&call, &repo).map_err(failed)?;
        for (i, s) in stashes.iter().enumerate() {
            let r = private_ref(&draft.id, &format!("stash-{i}"));
            git(&repo, &["update-ref", &r, s]).map_err(failed)?;
            refs.push(r);
        }
    }
    let exclude: Vec<&str> = if head.is_empty() {
        Vec::new()
    } else {
        vec!["--not", "HEAD"]
    };
    bundle(&repo, draft, &refs, &exclude).map_err(failed)?;
    let target = format!(
        "{} ({})",
        repo.display(),
        match (&commit, untracked.len(), stashes.len()) {
            (None, 0, 0) => "no uncommitted work".to_owned(),
            (c, u, s) => {
                let mut parts = Vec::new();
                if c.is_some() {
                    parts.push("uncommitted work".to_owned());
                }
                if u > 0 {
                    parts.push(format!("{u} untracked files"));
                }
                if s > 0 {
                    parts.push(format!("{s} stash entries"));
                }
                parts.join(", ")
            }
        }
    );
    Ok((
        Restore::GitWork {
            repo,
            commit,
            head,
            untracked,
            stashes,
        },
        target,
    ))
}

/// What `git clean` would remove, copied aside (its own dry run, with the same selection).
fn take_untracked(call: &Call, draft: &Draft) -> Result<Vec<(PathBuf, String)>, String> {
    let mut args: Vec<String> = vec!["clean".to_owned(), "-n".to_owned()];
    let mut rest = call.args.iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "-f" | "--force" | "-i" | "--interactive" | "-n" | "--dry-run" | "-q" | "--quiet" => {}
            "-e" | "--exclude" => {
                args.push(a.clone());
                args.extend(rest.next().cloned());
            }
            // Bundled flags: `-fdx` → `-dx` (the dry run decides, not force); `-e` ends
            // a bundle with its value.
            s if s.starts_with('-') && !s.starts_with("--") && s.len() > 2 && !s.contains('e') => {
                let kept: String = s.chars().skip(1).filter(|c| !"fniq".contains(*c)).collect();
                if !kept.is_empty() {
                    args.push(format!("-{kept}"));
                }
            }
            _ => args.push(a.clone()),
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let listing = git(&call.dir, &args)?;
    let mut out = Vec::new();
    for (i, line) in listing.lines().enumerate() {
        let Some(rel) = line.strip_prefix("Would remove ") else {
            continue;
        };
        let path = call.dir.join(rel.trim_end_matches('/'));
        let stored = format!("untracked/{i}");
        let dest = draft.data.join(&stored);
        std::fs::create_dir_all(draft.data.join("untracked")).map_err(|e| e.to_string())?;
        super::files::copy_into(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
        out.push((path, stored));
    }
    Ok(out)
}

/// The commits of the stash entries `git stash drop|clear|pop` removes, newest first.
fn dropped_stashes(call: &Call, repo: &Path) -> Result<Vec<String>, String> {
    let verb = call.args.first().map_or("", String::as_str);
    match verb {
        "clear" => Ok(git(repo, &["stash", "list", "--format=%H"])?
            .lines()
            .map(str::to_owned)
            .collect()),
        "drop" | "pop" => {
            let which = call
                .args
                .iter()
                .skip(1)
                .find(|a| !a.starts_with('-'))
                .map_or("stash@{0}", String::as_str);
            let which = if which.chars().all(|c| c.is_ascii_digit()) {
                format!("stash@{{{which}}}")
            } else {
                which.to_owned()
            };
            Ok(git(repo, &["rev-parse", "--verify", "-q", &which])
                .ok()
                .filter(|s| !s.is_empty())
                .into_iter()
                .collect())
        }
        _ => Ok(Vec::new()),
    }
}

/// Tips of the branches `git branch -D|-d|-M|-f` names.
pub fn take_branches(
    need: &Insure,
    ctx: &Context,
    draft: &Draft,
) -> Result<(Restore, String), Error> {
    let call = read_call(need, ctx)?;
    let failed = |why: String| Error::Failed {
        command: need.command.clone(),
        why,
    };
    let repo = top_level(&call.dir).map_err(failed)?;
    let mut branches = Vec::new();
    let mut refs = Vec::new();
    for name in call.args.iter().filter(|a| !a.starts_with('-')) {
        let full = format!("refs/heads/{name}");
        let Ok(sha) = git(&repo, &["rev-parse", "--verify", "-q", &full]) else {
            continue;
        };
        if sha.is_empty() {
            continue;
        }
        let r = private_ref(&draft.id, &format!("branch/{name}"));
        git(&repo, &["update-ref", &r, &sha]).map_err(failed)?;
        refs.push(r);
        branches.push((name.clone(), sha));
    }
    // What the remotes already have needs no copy in the bundle.
    bundle(&repo, draft, &refs, &["--not", "--remotes"]).map_err(failed)?;
    let names: Vec<&str> = branches.iter().map(|(n, _)| n.as_str()).collect();
    let target = format!("{}: branches {}", repo.display(), names.join(", "));
    Ok((Restore::GitBranch { repo, branches }, target))
}

/// git push's options that take a value as the next word.
const PUSH_WITH_VALUE: &[&str] = &["-o", "--push-option", "--receive-pack", "--exec", "--repo"];

/// The remote branches a force push replaces, fetched under a private ref first.
pub fn take_remote(
    need: &Insure,
    ctx: &Context,
    draft: &Draft,
) -> Result<(Restore, String), Error> {
    let call = read_call(need, ctx)?;
    let failed = |why: String| Error::Failed {
        command: need.command.clone(),
        why,
    };
    let unplannable = |why: String| Error::Unplannable {
        command: need.command.clone(),
        why,
    };
    let repo = top_level(&call.dir).map_err(failed)?;
    let mut operands = Vec::new();
    let mut words = call.args.iter();
    while let Some(w) = words.next() {
        if PUSH_WITH_VALUE.contains(&w.as_str()) {
            words.next();
        } else if matches!(w.as_str(), "--all" | "--mirror" | "--tags" | "--branches") {
            return Err(unplannable(format!(
                "`{w}` replaces every ref on the remote; copy the remote first (`git clone --mirror URL`), or approve with `--no-backup`"
            )));
        } else if !w.starts_with('-') {
            operands.push(w.clone());
        }
    }
    let current = || git(&repo, &["symbolic-ref", "--short", "-q", "HEAD"]).ok();
    let remote = match operands.first() {
        Some(r) => r.clone(),
        None => current()
            .and_then(|b| git(&repo, &["config", &format!("branch.{b}.remote")]).ok())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "origin".to_owned()),
    };
    let mut names = Vec::new();
    for spec in operands.iter().skip(1) {
        let spec = spec.trim_start_matches('+');
        let dst = spec.rsplit_once(':').map_or(spec, |(_, d)| d);
        let dst = if dst == "HEAD" || dst.is_empty() {
            current().unwrap_or_default()
        } else {
            dst.trim_start_matches("refs/heads/").to_owned()
        };
        if !dst.is_empty() {
            names.push(dst);
        }
    }
    if operands.len() < 2 {
        names.extend(current());
    }
    if names.is_empty() {
        return Err(unplannable(
            "it is not known which remote branch the push replaces".to_owned(),
        ));
    }
    let mut branches = Vec::new();
    let mut refs = Vec::new();
    for name in names {
        let listed = git(
            &repo,
            &["ls-remote", &remote, &format!("refs/heads/{name}")],
        )
        .map_err(failed)?;
        let Some(sha) = listed.split_whitespace().next().map(str::to_owned) else {
            // Not on the remote yet: the push replaces nothing.
            continue;
        };
        let r = private_ref(&draft.id, &format!("remote/{name}"));
        git(
            &repo,
            &[
                "fetch",
                "-q",
                "--no-tags",
                &remote,
                &format!("+refs/heads/{name}:{r}"),
            ],
        )
        .map_err(failed)?;
        refs.push(r);
        branches.push((name, sha));
    }
    bundle(&repo, draft, &refs, &[]).map_err(failed)?;
    let listed: Vec<String> = branches
        .iter()
        .map(|(b, c)| format!("{b} at {c:.12}"))
        .collect();
    let target = format!("{remote}: {}", listed.join(", "));
    Ok((
        Restore::GitRemote {
            repo,
            remote,
            branches,
        },
        target,
    ))
}

/// Make `r` exist in `repo`, from the bundle when the repository lost it.
fn have_ref(repo: &Path, data: &Path, r: &str) -> Result<(), String> {
    if git(repo, &["rev-parse", "--verify", "-q", r]).is_ok_and(|s| !s.is_empty()) {
        return Ok(());
    }
    let file = data.join("git.bundle");
    if !file.is_file() {
        return Err(format!(
            "{r} is gone from the repository and the backup has no bundle"
        ));
    }
    let file = file.to_string_lossy().into_owned();
    git(repo, &["fetch", "-q", &file, &format!("{r}:{r}")]).map(|_| ())
}

/// Put a git backup back.
pub fn restore(record: &Record, data: &Path) -> Result<(), String> {
    match &record.restore {
        Restore::GitWork {
            repo,
            commit,
            untracked,
            stashes,
            ..
        } => {
            if let Some(c) = commit {
                let r = private_ref(&record.id, "work");
                have_ref(repo, data, &r)?;
                git(repo, &["stash", "apply", "--index", "-q", c]).map_err(|e| {
                    format!(
                        "{e}; the work is kept as commit {c}: commit or stash what changed since, then restore again (or `git stash apply --index {c}` by hand)"
                    )
                })?;
            }
            super::files::restore(untracked, data)?;
            for (i, s) in stashes.iter().enumerate().rev() {
                let r = private_ref(&record.id, &format!("stash-{i}"));
                have_ref(repo, data, &r)?;
                git(repo, &["stash", "store", "-m", "restored by guardsh", s])?;
            }
            Ok(())
        }
        Restore::GitBranch { repo, branches } => {
            for (name, sha) in branches {
                have_ref(
                    repo,
                    data,
                    &private_ref(&record.id, &format!("branch/{name}")),
                )?;
                git(repo, &["update-ref", &format!("refs/heads/{name}"), sha])?;
            }
            Ok(())
        }
        Restore::GitRemote {
            repo,
            remote,
            branches,
        } => {
            for (name, sha) in branches {
                have_ref(
                    repo,
                    data,
                    &private_ref(&record.id, &format!("remote/{name}")),
                )?;
                git(
                    repo,
                    &[
                        "push",
                        "-q",
                        "--force",
                        remote,
                        &format!("{sha}:refs/heads/{name}"),
                    ],
                )?;
            }
            Ok(())
        }
        _ => Err("not a git backup".to_owned()),
    }
}
