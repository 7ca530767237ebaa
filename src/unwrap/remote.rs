//! Programs that run a command somewhere else: `ssh host …` (a remote shell parses the
//! joined words), `docker exec`/`run`, `kubectl exec`, `railway run`/`ssh`.

use super::opts::{self, Scan, Spec};
use super::wrappers::{Peel, Step, from, joined_text, shell_text};
use crate::parse::Word;

/// `Some` when `name` is one of these programs.
pub(super) fn peel(name: &str, argv: &[Word]) -> Option<Peel> {
    Some(match name {
        "ssh" => ssh(argv),
        "docker" | "podman" | "nerdctl" => container(name, argv),
        "docker-compose" | "podman-compose" => compose(name, argv, 1),
        "kubectl" | "oc" => kubectl(name, argv),
        "railway" => railway(argv),
        _ => return None,
    })
}

fn ssh(argv: &[Word]) -> Peel {
    let spec = Spec {
        short_val: "BbcDEeFIiJLlmOopQRSWw",
        ..Spec::default()
    };
    let first = opts::scan(argv, 1, &spec);
    // OpenSSH reads options after the host too, up to the first word of the command.
    let second = if first.dashdash {
        None
    } else {
        Some(opts::scan(argv, first.rest.saturating_add(1), &spec))
    };
    let mut steps = Vec::new();
    let all_opts = first
        .opts
        .iter()
        .chain(second.iter().flat_map(|s| s.opts.iter()));
    for o in all_opts.clone() {
        if o.name != "o" {
            continue;
        }
        let Some(value) = &o.value else { continue };
        let (key, val) = match value.text.split_once(['=', ' ', '\t']) {
            Some((k, v)) => (
                k.trim().to_ascii_lowercase(),
                v.trim_start_matches(['=', ' ']),
            ),
            None => continue,
        };
        let via = match key.as_str() {
            "remotecommand" => "ssh RemoteCommand",
            // Run locally, by the user's shell.
            "proxycommand" => "ssh ProxyCommand",
            "localcommand" => "ssh LocalCommand",
            _ => continue,
        };
        if val.eq_ignore_ascii_case("none") {
            continue;
        }
        steps.push(shell_text(
            &Word {
                text: val.to_string(),
                ..value.clone()
            },
            via,
        ));
    }
    let no_command = all_opts.clone().any(|o| {
        matches!(o.name.as_str(), "N" | "W" | "V" | "s" | "G" | "Q")
            || (o.name == "O" && o.value.is_some())
    });
    if first.rest >= argv.len() || no_command {
        return Peel {
            steps,
            transparent: true,
        };
    }
    let cmd_start = match &second {
        Some(s) => s.rest,
        None => first.rest.saturating_add(1),
    };
    let command = from(argv, cmd_start);
    if command.is_empty() {
        if !steps
            .iter()
            .any(|s| matches!(s, Step::Script { via, .. } if via == "ssh RemoteCommand"))
        {
            // The remote login shell reads ssh's standard input.
            steps.push(Step::Stdin {
                via: "ssh".to_string(),
                args: None,
            });
        }
    } else {
        // The remote shell parses the arguments joined with spaces.
        steps.push(joined_text(command, "ssh", None));
    }
    Peel {
        steps,
        transparent: true,
    }
}

/// Options of `docker`/`podman` before the subcommand.
const CONTAINER_GLOBAL: Spec<'static> = Spec {
    short_val: "Hcl",
    short_opt: "",
    long_val: &[
        "host",
        "context",
        "config",
        "log-level",
        "tlscacert",
        "tlscert",
        "tlskey",
        "connection",
        "url",
        "root",
        "runroot",
        "storage-driver",
        "identity",
        "cgroup-manager",
        "namespace",
        "address",
    ],
    permute: false,
};

fn container(name: &str, argv: &[Word]) -> Peel {
    let s = opts::scan(argv, 1, &CONTAINER_GLOBAL);
    let mut sub = s.rest;
    if argv.get(sub).is_some_and(|w| w.text == "container") {
        sub += 1;
    }
    match argv.get(sub).map(|w| w.text.as_str()) {
        Some("exec") => exec_like(argv, sub + 1, &format!("{name} exec"), &EXEC),
        Some("run") => run_like(argv, sub + 1, &format!("{name} run"), &RUN),
        Some("compose") => compose(&format!("{name} compose"), argv, sub + 1),
        _ => Peel::none(),
    }
}

const EXEC: Spec<'static> = Spec {
    short_val: "euw",
    short_opt: "",
    long_val: &["env", "env-file", "user", "workdir", "detach-keys"],
    permute: false,
};

const RUN: Spec<'static> = Spec {
    short_val: "acehlmpuvw",
    short_opt: "",
    long_val: &[
        "add-host",
        "annotation",
        "attach",
        "blkio-weight",
        "cap-add",
        "cap-drop",
        "cgroup-parent",
        "cgroupns",
        "cidfile",
        "cpu-period",
        "cpu-quota",
        "cpu-shares",
        "cpus",
        "cpuset-cpus",
        "cpuset-mems",
        "detach-keys",
        "device",
        "dns",
        "dns-option",
        "dns-search",
        "domainname",
        "entrypoint",
        "env",
        "env-file",
        "expose",
        "gpus",
        "group-add",
        "health-cmd",
        "health-interval",
        "health-retries",
        "health-start-period",
        "health-timeout",
        "hostname",
        "ip",
        "ip6",
        "ipc",
        "isolation",
        "label",
        "label-file",
        "link",
        "log-driver",
        "log-opt",
        "mac-address",
        "memory",
        "memory-reservation",
        "memory-swap",
        "mount",
        "name",
        "network",
        "net",
        "network-alias",
        "pid",
        "pids-limit",
        "platform",
        "publish",
        "pull",
        "restart",
        "runtime",
        "security-opt",
        "shm-size",
        "stop-signal",
        "stop-timeout",
        "storage-opt",
        "sysctl",
        "tmpfs",
        "ulimit",
        "user",
        "userns",
        "uts",
        "volume",
        "volume-driver",
        "volumes-from",
        "workdir",
        "pod",
        "arch",
        "os",
        "variant",
    ],
    permute: false,
};

/// `… exec [opts] TARGET CMD…`: the command after the target.
fn exec_like(argv: &[Word], start: usize, via: &str, spec: &Spec<'_>) -> Peel {
    let s = opts::scan(argv, start, spec);
    Peel::run(from(argv, s.rest.saturating_add(1)), via)
}

/// Long options of `run` known to take no value.
const RUN_FLAGS: &[&str] = &[
    "rm",
    "detach",
    "interactive",
    "tty",
    "privileged",
    "init",
    "read-only",
    "no-healthcheck",
    "oom-kill-disable",
    "publish-all",
    "sig-proxy",
    "quiet",
    "help",
    "disable-content-trust",
    "use-api-socket",
    "no-deps",
    "service-ports",
    "build",
    "use-aliases",
    "remove-orphans",
    "quiet-pull",
    "no-TTY",
    "replace",
    "rmi",
    "tls-verify",
];

/// `… run [opts] IMAGE [CMD…]`, with `--entrypoint` in front of CMD. A long option guardsh
/// does not know could take a value or not: both readings are reported.
fn run_like(argv: &[Word], start: usize, via: &str, spec: &Spec<'_>) -> Peel {
    let s = opts::scan(argv, start, spec);
    let unknown: Vec<&str> = s
        .opts
        .iter()
        .filter(|o| o.name.len() > 1 && o.value.is_none() && !RUN_FLAGS.contains(&o.name.as_str()))
        .map(|o| o.name.as_str())
        .take(4)
        .collect();
    let mut peel = run_one(argv, &s, via);
    if !unknown.is_empty() {
        let mut long_val: Vec<&str> = spec.long_val.to_vec();
        long_val.extend(&unknown);
        let other = opts::scan(
            argv,
            start,
            &Spec {
                long_val: &long_val,
                ..*spec
            },
        );
        if other.rest != s.rest {
            peel.steps.extend(run_one(argv, &other, via).steps);
            peel.transparent = !peel.steps.is_empty();
        }
    }
    peel
}

fn run_one(argv: &[Word], s: &Scan, via: &str) -> Peel {
    let mut cmd: Vec<Word> = Vec::new();
    if let Some(ep) = s.value(&["entrypoint"]).filter(|w| !w.text.is_empty()) {
        cmd.push(ep.clone());
    }
    if s.rest >= argv.len() {
        return Peel::none();
    }
    cmd.extend_from_slice(from(argv, s.rest.saturating_add(1)));
    // `-v /:/host … rm -rf /host/etc` deletes the host's /etc: a path inside a bind mount
    // is read as the host path it is.
    let mounts = bind_mounts(s);
    if !mounts.is_empty() {
        for w in cmd.iter_mut().skip(1) {
            if let Some(host) = on_host(&w.text, &mounts) {
                w.text = host;
            }
        }
    }
    Peel::run(&cmd, via)
}

/// The bind mounts of a `run`: (host path, container path), from `-v SRC:DST[:opts]`,
/// `--volume` and `--mount type=bind,source=…,target=…`. Named volumes are left out.
fn bind_mounts(s: &Scan) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for o in &s.opts {
        let Some(v) = &o.value else {
            continue;
        };
        match o.name.as_str() {
            "v" | "volume" => {
                let mut parts = v.text.splitn(3, ':');
                if let (Some(src), Some(dst)) = (parts.next(), parts.next())
                    && (src.starts_with('/') || src.starts_with('~') || src.starts_with('$'))
                    && dst.starts_with('/')
                {
                    out.push((src.to_owned(), dst.to_owned()));
                }
            }
            "mount" => {
                let field = |k: &str| {
                    v.text.split(',').find_map(|kv| {
                        let (key, val) = kv.split_once('=')?;
                        [k, &format!("{k}s")].contains(&key).then(|| val.to_owned())
                    })
                };
                let src = field("source").or_else(|| field("src"));
                let dst = field("target")
                    .or_else(|| field("destination"))
                    .or_else(|| field("dst"));
                if let (Some(src), Some(dst)) = (src, dst)
                    && src.starts_with('/')
                {
                    out.push((src, dst));
                }
            }
            _ => {}
        }
    }
    out
}

/// `path` inside the container as the host path a bind mount makes it, if it is in one.
fn on_host(path: &str, mounts: &[(String, String)]) -> Option<String> {
    // The deepest mount point wins, as in the container.
    let (src, dst) = mounts
        .iter()
        .filter(|(_, dst)| {
            let d = dst.trim_end_matches('/');
            path == d || path.starts_with(&format!("{d}/")) || d.is_empty()
        })
        .max_by_key(|(_, dst)| dst.len())?;
    let rest = &path[dst.trim_end_matches('/').len()..];
    let base = src.trim_end_matches('/');
    Some(if base.is_empty() {
        if rest.is_empty() {
            "/".to_owned()
        } else {
            rest.to_owned()
        }
    } else {
        format!("{base}{rest}")
    })
}

/// `docker compose [opts] exec|run …`.
fn compose(via: &str, argv: &[Word], start: usize) -> Peel {
    let s = opts::scan(
        argv,
        start,
        &Spec {
            short_val: "fp",
            long_val: &[
                "file",
                "project-name",
                "profile",
                "env-file",
                "project-directory",
                "ansi",
                "progress",
                "parallel",
            ],
            ..Spec::default()
        },
    );
    match argv.get(s.rest).map(|w| w.text.as_str()) {
        Some("exec") => exec_like(
            argv,
            s.rest + 1,
            &format!("{via} exec"),
            &Spec {
                short_val: "euw",
                long_val: &["env", "user", "workdir", "index"],
                ..Spec::default()
            },
        ),
        Some("run") => run_like(
            argv,
            s.rest + 1,
            &format!("{via} run"),
            &Spec {
                short_val: "eluvpw",
                long_val: &[
                    "env",
                    "label",
                    "name",
                    "entrypoint",
                    "user",
                    "volume",
                    "publish",
                    "workdir",
                    "env-from-file",
                    "cap-add",
                    "cap-drop",
                    "pull",
                ],
                ..Spec::default()
            },
        ),
        _ => Peel::none(),
    }
}

/// `kubectl [global] exec|debug|run … -- CMD…`; `oc rsh POD [CMD…]`.
fn kubectl(name: &str, argv: &[Word]) -> Peel {
    const LONG: &[&str] = &[
        "namespace",
        "context",
        "kubeconfig",
        "cluster",
        "user",
        "server",
        "token",
        "as",
        "as-group",
        "as-uid",
        "request-timeout",
        "cache-dir",
        "certificate-authority",
        "client-certificate",
        "client-key",
        "tls-server-name",
        "password",
        "username",
        "profile",
        "profile-output",
        "container",
        "filename",
        "pod-running-timeout",
        "image",
        "target",
        "selector",
        "copy-to",
        "env",
        "overrides",
        "restart",
        "port",
        "labels",
        "attach",
    ];
    let spec = Spec {
        short_val: "nscflv",
        long_val: LONG,
        permute: true,
        ..Spec::default()
    };
    let s = opts::scan(argv, 1, &spec);
    let Some(&sub) = s.operands.first() else {
        return Peel::none();
    };
    // Everything after `--` is the command.
    let after_dashdash = argv
        .iter()
        .position(|w| w.text == "--")
        .map(|p| from(argv, p + 1));
    let sub_name = argv.get(sub).map(|w| w.text.as_str()).unwrap_or("");
    let via = format!("{name} {sub_name}");
    match sub_name {
        "exec" => match after_dashdash {
            Some(cmd) => Peel::run(cmd, &via),
            // The old form `kubectl exec POD CMD…`.
            None => {
                let cmd: Vec<Word> = s
                    .operands
                    .iter()
                    .skip(2)
                    .filter_map(|&i| argv.get(i).cloned())
                    .collect();
                Peel::run(&cmd, &via)
            }
        },
        "debug" | "run" => match after_dashdash {
            Some(cmd) => Peel::run(cmd, &via),
            None => Peel::none(),
        },
        "rsh" if name == "oc" => {
            let cmd: Vec<Word> = match after_dashdash {
                Some(cmd) => cmd.to_vec(),
                None => s
                    .operands
                    .iter()
                    .skip(2)
                    .filter_map(|&i| argv.get(i).cloned())
                    .collect(),
            };
            if cmd.is_empty() {
                Peel::one(Step::Stdin { via, args: None })
            } else {
                Peel::run(&cmd, &via)
            }
        }
        _ => Peel::none(),
    }
}

fn railway(argv: &[Word]) -> Peel {
    let global = Spec {
        short_val: "sep",
        long_val: &["service", "environment", "project"],
        ..Spec::default()
    };
    let s = opts::scan(argv, 1, &global);
    let sub = s.rest;
    match argv.get(sub).map(|w| w.text.as_str()) {
        Some("run" | "local") => {
            let r = opts::scan(argv, sub + 1, &global);
            Peel::run(from(argv, r.rest), "railway run")
        }
        Some("ssh") => {
            let r = opts::scan(
                argv,
                sub + 1,
                &Spec {
                    short_val: "psedi",
                    long_val: &[
                        "project",
                        "service",
                        "environment",
                        "deployment-instance",
                        "identity-file",
                        "session",
                    ],
                    ..Spec::default()
                },
            );
            let cmd = from(argv, r.rest);
            if cmd.is_empty() {
                Peel::one(Step::Stdin {
                    via: "railway ssh".to_string(),
                    args: None,
                })
            } else {
                // The command runs in the remote container's shell.
                Peel::one(joined_text(cmd, "railway ssh", None))
            }
        }
        Some("shell") => Peel::one(Step::Stdin {
            via: "railway shell".to_string(),
            args: None,
        }),
        _ => Peel::none(),
    }
}

#[cfg(test)]
mod mount_tests {
    use super::on_host;

    #[test]
    fn container_paths_in_bind_mounts_are_host_paths() {
        let m = vec![
            ("/".to_owned(), "/host".to_owned()),
            ("/srv/app".to_owned(), "/app".to_owned()),
            ("/srv/app/data".to_owned(), "/app/data".to_owned()),
        ];
        assert_eq!(on_host("/host/etc", &m).as_deref(), Some("/etc"));
        assert_eq!(on_host("/host", &m).as_deref(), Some("/"));
        assert_eq!(on_host("/app/src", &m).as_deref(), Some("/srv/app/src"));
        assert_eq!(
            on_host("/app/data/x", &m).as_deref(),
            Some("/srv/app/data/x")
        );
        assert_eq!(on_host("/hostname", &m), None);
        assert_eq!(on_host("/etc", &m), None);
    }
}
