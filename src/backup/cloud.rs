//! Remote state, copied into the store with the platform's own CLI, with the scope options
//! the line itself gives (context, namespace, project, environment, service):
//! - Terraform: `terraform state pull` before `destroy` or `apply`; `state push -force` back.
//! - Kubernetes: `kubectl get -o yaml` of exactly what `kubectl delete` names; restored by
//!   `kubectl create` of the same objects, stripped of what the server assigns.
//! - Railway: every file of each volume the line deletes (a volume named by `--volume`, or
//!   every volume of the project, environment or service being deleted), downloaded with
//!   `railway volume files download / DIR` off the volume: a volume-level backup is deleted
//!   with its volume, which is how the incident this tool exists for lost its backups.

use std::path::Path;

use super::store::{Draft, Record};
use super::{Context, Error, Insure, Restore, base_dir, run_tool};
use crate::exec::Tool;

fn failed(need: &Insure) -> impl Fn(String) -> Error + '_ {
    move |why| Error::Failed {
        command: need.command.clone(),
        why,
    }
}

fn unplannable(need: &Insure, why: String) -> Error {
    Error::Unplannable {
        command: need.command.clone(),
        why,
    }
}

/// The state before `terraform destroy|apply`.
pub fn take_terraform(
    need: &Insure,
    ctx: &Context,
    draft: &Draft,
) -> Result<(Restore, String), Error> {
    let dir = base_dir(need, ctx)?;
    // Global options come before the subcommand; only -chdir says where the state is.
    let args: Vec<String> = need
        .argv
        .iter()
        .skip(1)
        .take_while(|a| a.starts_with('-'))
        .filter(|a| a.starts_with("-chdir="))
        .cloned()
        .collect();
    let state = draft.data.join("terraform.tfstate");
    let file = std::fs::File::create(&state).map_err(|e| failed(need)(e.to_string()))?;
    let mut pull = args.clone();
    pull.extend(["state".to_owned(), "pull".to_owned()]);
    run_tool(
        "terraform",
        &pull,
        Tool {
            env: &need.env,
            cwd: Some(&dir),
            stdout: Some(file),
            stdin: None,
        },
    )
    .map_err(failed(need))?;
    let target = format!("Terraform state of {}", dir.display());
    Ok((
        Restore::Terraform {
            dir,
            args,
            state: "terraform.tfstate".to_owned(),
        },
        target,
    ))
}

/// kubectl's global options that say which cluster, user and namespace; they are kept.
const KUBE_SCOPE: &[&str] = &[
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-n",
    "--namespace",
    "-s",
    "--server",
    "--token",
    "--as",
    "--as-group",
];

/// `kubectl delete` options `get` does not take, and whether each takes a value.
const DELETE_ONLY: &[(&str, bool)] = &[
    ("--grace-period", true),
    ("--timeout", true),
    ("--cascade", true),
    ("--dry-run", true),
    ("--wait", false),
    ("--force", false),
    ("--now", false),
    ("--all", false),
    ("-i", false),
    ("--interactive", false),
    ("--raw", true),
    ("-o", true),
    ("--output", true),
];

/// The objects `kubectl delete` names, as `get -o yaml` prints them.
pub fn take_kubernetes(
    need: &Insure,
    ctx: &Context,
    draft: &Draft,
) -> Result<(Restore, String), Error> {
    let dir = base_dir(need, ctx)?;
    let mut scope = Vec::new();
    let mut get = Vec::new();
    let mut words = need.argv.iter().skip(1).peekable();
    let mut seen_delete = false;
    while let Some(w) = words.next() {
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) if w.starts_with("--") => (n, Some(v)),
            _ => (w.as_str(), None),
        };
        if !seen_delete && w == "delete" {
            seen_delete = true;
            continue;
        }
        if KUBE_SCOPE.contains(&name) {
            scope.push(w.clone());
            if inline.is_none()
                && let Some(v) = words.next()
            {
                scope.push(v.clone());
            }
            continue;
        }
        if let Some((_, takes)) = DELETE_ONLY.iter().find(|(n, _)| *n == name) {
            if *takes && inline.is_none() {
                words.next();
            }
            continue;
        }
        if seen_delete {
            get.push(w.clone());
        }
    }
    if !seen_delete {
        return Err(unplannable(need, "no `delete` found".to_owned()));
    }
    let objects = draft.data.join("objects.yaml");
    let file = std::fs::File::create(&objects).map_err(|e| failed(need)(e.to_string()))?;
    let mut args = scope.clone();
    args.push("get".to_owned());
    args.extend(get.iter().cloned());
    args.extend(["-o".to_owned(), "yaml".to_owned()]);
    run_tool(
        "kubectl",
        &args,
        Tool {
            env: &need.env,
            cwd: Some(&dir),
            stdout: Some(file),
            stdin: None,
        },
    )
    .map_err(failed(need))?;
    // What the server assigns must go before the objects can be created again.
    let text = crate::capped::read(&objects, 256 << 20).map_err(|e| failed(need)(e.to_string()))?;
    let mut doc: serde_yaml::Value =
        serde_yaml::from_slice(&text).map_err(|e| failed(need)(format!("kubectl's YAML: {e}")))?;
    strip_server_fields(&mut doc);
    let creatable = serde_yaml::to_string(&doc).map_err(|e| failed(need)(e.to_string()))?;
    std::fs::write(draft.data.join("create.yaml"), creatable)
        .map_err(|e| failed(need)(e.to_string()))?;
    let target = format!("Kubernetes objects: {}", get.join(" "));
    Ok((
        Restore::Kubernetes {
            args: scope,
            objects: "create.yaml".to_owned(),
        },
        target,
    ))
}

/// Remove `status` and the server's metadata from every object of a `get -o yaml` answer
/// (one object, or a `List` of them).
fn strip_server_fields(doc: &mut serde_yaml::Value) {
    if let Some(items) = doc
        .get_mut("items")
        .and_then(serde_yaml::Value::as_sequence_mut)
    {
        for item in items {
            strip_server_fields(item);
        }
        return;
    }
    if let Some(map) = doc.as_mapping_mut() {
        map.remove("status");
        if let Some(meta) = map
            .get_mut("metadata")
            .and_then(serde_yaml::Value::as_mapping_mut)
        {
            for field in [
                "resourceVersion",
                "uid",
                "creationTimestamp",
                "managedFields",
                "selfLink",
                "generation",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
            ] {
                meta.remove(field);
            }
        }
    }
}

/// Railway's scope options, before or after the subcommand.
const RAILWAY_SCOPE: &[&str] = &["-s", "--service", "-e", "--environment", "-p", "--project"];

/// The files of each volume the line deletes.
pub fn take_railway(
    need: &Insure,
    ctx: &Context,
    draft: &Draft,
) -> Result<(Restore, String), Error> {
    let dir = base_dir(need, ctx)?;
    let mut scope = Vec::new();
    let mut volume = None;
    let mut operands = Vec::new();
    let mut words = need.argv.iter().skip(1);
    while let Some(w) = words.next() {
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) if w.starts_with("--") => (n, Some(v.to_owned())),
            _ => (w.as_str(), None),
        };
        if RAILWAY_SCOPE.contains(&name) {
            let v = inline.or_else(|| words.next().cloned());
            if let Some(v) = v {
                scope.extend([name.to_owned(), v]);
            }
        } else if name == "-v" || name == "--volume" {
            volume = inline.or_else(|| words.next().cloned());
        } else if !w.starts_with('-') {
            operands.push(w.clone());
        }
    }
    // `railway environment delete staging` takes that environment's volumes with it.
    if let [group, verb, name, ..] = operands.as_slice()
        && matches!(verb.as_str(), "delete" | "remove" | "rm")
    {
        let flag = match group.as_str() {
            "environment" | "env" => Some("--environment"),
            "service" => Some("--service"),
            _ => None,
        };
        if let Some(flag) = flag {
            scope.retain(|s| s != flag);
            scope.extend([flag.to_owned(), name.clone()]);
        }
    }
    let deletes_volume = matches!(
        operands.as_slice(),
        [group, verb, ..] if matches!(group.as_str(), "volume" | "volumes")
            && matches!(verb.as_str(), "delete" | "remove" | "rm")
    );
    let volumes = match volume {
        // volumeDelete takes the volume's id, not an environment: the files of the one
        // instance `-e` names are all it loses only when it has no other.
        Some(v) if deletes_volume => {
            let listed = list_volumes(need, &dir, &scope)?;
            let (id, _) = listed
                .iter()
                .find(|(id, name)| id.eq_ignore_ascii_case(&v) || name.eq_ignore_ascii_case(&v))
                .ok_or_else(|| {
                    unplannable(need, format!("no volume {v} in the environment it names"))
                })?;
            only_here(need, &dir, &scope, id)?;
            vec![v]
        }
        Some(v) => vec![v],
        None => {
            let ids: Vec<String> = list_volumes(need, &dir, &scope)?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            // No --volume: the CLI asks a person on a terminal which one; the only one in
            // scope is what a backup can be planned for, and it too must live only here.
            if let [id] = ids.as_slice()
                && deletes_volume
            {
                only_here(need, &dir, &scope, id)?;
            }
            ids
        }
    };
    if volumes.is_empty() {
        return Ok((
            Restore::RailwayVolume {
                volume: String::new(),
                args: scope,
                files: String::new(),
            },
            "no Railway volume in scope".to_owned(),
        ));
    }
    if volumes.len() > 1 {
        return Err(unplannable(
            need,
            format!(
                "it deletes {} volumes ({}); back each up with `guardsh backup -- railway volume delete --volume NAME`, or approve with `--no-backup`",
                volumes.len(),
                volumes.join(", ")
            ),
        ));
    }
    let v = volumes.into_iter().next().unwrap_or_default();
    let local = draft.data.join("volume");
    let mut args = vec!["volume".to_owned()];
    args.extend(scope.iter().cloned());
    args.extend([
        "files".to_owned(),
        "--volume".to_owned(),
        v.clone(),
        "download".to_owned(),
        "/".to_owned(),
        local.to_string_lossy().into_owned(),
        "--json".to_owned(),
    ]);
    run_tool(
        "railway",
        &args,
        Tool {
            env: &need.env,
            cwd: Some(&dir),
            ..Tool::default()
        },
    )
    .map_err(failed(need))?;
    if !local.exists() {
        return Err(failed(need)(format!(
            "`railway volume files download` reported success but wrote nothing to {}",
            local.display()
        )));
    }
    Ok((
        Restore::RailwayVolume {
            volume: v.clone(),
            args: scope,
            files: "volume".to_owned(),
        },
        format!("Railway volume {v} (its files)"),
    ))
}

/// The volumes in `scope` (id, name), from `railway volume list --json`.
fn list_volumes(
    need: &Insure,
    dir: &Path,
    scope: &[String],
) -> Result<Vec<(String, String)>, Error> {
    let mut args = vec!["volume".to_owned()];
    args.extend(scope.iter().cloned());
    args.extend(["list".to_owned(), "--json".to_owned()]);
    let v = railway_json(need, dir, &args)?;
    Ok(v.get("volumes")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|vol| {
            let field = |k: &str| vol.get(k).and_then(serde_json::Value::as_str);
            let id = field("id").or_else(|| field("name"))?;
            Some((id.to_owned(), field("name").unwrap_or(id).to_owned()))
        })
        .collect())
}

/// `railway ARGS` in `dir`, its standard output read as JSON.
fn railway_json(need: &Insure, dir: &Path, args: &[String]) -> Result<serde_json::Value, Error> {
    let out = run_tool(
        "railway",
        args,
        Tool {
            env: &need.env,
            cwd: Some(dir),
            ..Tool::default()
        },
    )
    .map_err(failed(need))?;
    serde_json::from_slice(&out.stdout)
        .map_err(|e| failed(need)(format!("`railway {}`: {e}", args.join(" "))))
}

/// Refuse unless volume `id` has an instance in the one environment `scope` names (or the
/// linked one) and in no other: `volumeDelete` deletes it in each, and the backup holds
/// the files of one. Every environment's volumes are listed; one that cannot be is a
/// refusal too (a restricted production environment keeps its secrets from this token, not
/// its volume from the delete).
fn only_here(need: &Insure, dir: &Path, scope: &[String], id: &str) -> Result<(), Error> {
    if scope.iter().any(|s| s == "-p" || s == "--project") {
        return Err(unplannable(
            need,
            "`railway environment list` reads the linked project only, so the other environments of the project `--project` names cannot be checked for this volume; run it from a directory linked to that project".to_owned(),
        ));
    }
    let named = scope
        .iter()
        .position(|s| s == "-e" || s == "--environment")
        .and_then(|i| scope.get(i + 1));
    let listed = railway_json(
        need,
        dir,
        &["environment", "list", "--json"].map(str::to_owned),
    )?;
    let envs = listed
        .get("environments")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| {
            failed(need)("`railway environment list --json` listed no environments".to_owned())
        })?;
    let mut elsewhere = Vec::new();
    let mut here = false;
    for env in envs {
        let field = |k: &str| env.get(k).and_then(serde_json::Value::as_str).unwrap_or("");
        let (env_id, name) = (field("id"), field("name"));
        let this = match named {
            Some(n) => n.eq_ignore_ascii_case(env_id) || n.eq_ignore_ascii_case(name),
            None => env.get("isLinked").and_then(serde_json::Value::as_bool) == Some(true),
        };
        if this {
            here = true;
            continue;
        }
        let mut other: Vec<String> = scope
            .chunks(2)
            .filter(|pair| {
                !matches!(
                    pair.first().map(String::as_str),
                    Some("-e" | "--environment")
                )
            })
            .flatten()
            .cloned()
            .collect();
        other.extend(["--environment".to_owned(), name.to_owned()]);
        if list_volumes(need, dir, &other)?
            .iter()
            .any(|(v, _)| v.eq_ignore_ascii_case(id))
        {
            elsewhere.push(name.to_owned());
        }
    }
    if !here {
        return Err(unplannable(
            need,
            "the environment it acts on is not among `railway environment list --json`".to_owned(),
        ));
    }
    if !elsewhere.is_empty() {
        return Err(unplannable(
            need,
            format!(
                "volume {id} also has an instance in {}, and volumeDelete deletes the volume there too; the backup would hold one environment's files only",
                elsewhere.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Put Terraform state, Kubernetes objects or a volume's files back.
pub fn restore(record: &Record, data: &Path) -> Result<(), String> {
    match &record.restore {
        Restore::Terraform { dir, args, state } => {
            let mut a = args.clone();
            a.extend(["state", "push", "-force"].map(str::to_owned));
            a.push(data.join(state).to_string_lossy().into_owned());
            run_tool(
                "terraform",
                &a,
                Tool {
                    cwd: Some(dir),
                    ..Tool::default()
                },
            )
            .map(|_| ())
        }
        Restore::Kubernetes { args, objects } => {
            let mut a = args.clone();
            a.extend(["create".to_owned(), "-f".to_owned()]);
            a.push(data.join(objects).to_string_lossy().into_owned());
            run_tool(
                "kubectl",
                &a,
                Tool {
                    cwd: Some(&record.cwd),
                    ..Tool::default()
                },
            )
            .map(|_| ())
        }
        Restore::RailwayVolume {
            volume,
            args,
            files,
        } => {
            if volume.is_empty() {
                return Ok(());
            }
            let mut a = vec!["volume".to_owned()];
            a.extend(args.iter().cloned());
            a.extend(["files", "--volume"].map(str::to_owned));
            a.push(volume.clone());
            a.push("upload".to_owned());
            a.push(data.join(files).to_string_lossy().into_owned());
            a.extend([
                "/".to_owned(),
                "--overwrite".to_owned(),
                "--json".to_owned(),
            ]);
            run_tool(
                "railway",
                &a,
                Tool {
                    cwd: Some(&record.cwd),
                    ..Tool::default()
                },
            )
            .map(|_| ())
            .map_err(|e| {
                format!(
                    "{e}; a deleted volume must exist again first (`railway volume add --service SERVICE --mount-path PATH`, named {volume})"
                )
            })
        }
        _ => Err("not a Terraform, Kubernetes or Railway backup".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn server_fields_go_before_objects_are_created_again() {
        let mut doc: serde_yaml::Value = serde_yaml::from_str(
            "apiVersion: v1\nkind: List\nitems:\n- kind: ConfigMap\n  metadata:\n    name: app\n    uid: u1\n    resourceVersion: '7'\n  data: {a: b}\n  status: {}\n",
        )
        .expect("yaml");
        super::strip_server_fields(&mut doc);
        let text = serde_yaml::to_string(&doc).expect("yaml");
        assert!(
            text.contains("name: app") && text.contains("a: b"),
            "{text}"
        );
        assert!(
            !text.contains("uid") && !text.contains("resourceVersion") && !text.contains("status")
        );
    }
}
