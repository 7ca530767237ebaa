//! Generic HTTP: a `DELETE`, or a GraphQL mutation whose name says it deletes, sent to any
//! host that is not this machine. The packs name the control-plane APIs they know; an API
//! no pack knows deletes just as fast.

use super::{Effect, Judged, is_loopback, names_production};
use crate::parse::Command;
use crate::payload::http;
use crate::rules::Severity;

/// Words in a mutation's name that say it destroys.
const DESTROY: &[&str] = &[
    "delete", "destroy", "drop", "remove", "purge", "wipe", "erase", "truncate",
];

/// The remote hosts of a request's URLs; `?` for a URL whose host is only known at run time.
fn remote_hosts(req: &http::Request) -> Vec<String> {
    let mut out = Vec::new();
    for u in &req.urls {
        let (host, _) = crate::rules::split_url(u);
        let host = if host.is_empty() || host.contains(['$', '`']) {
            "?".to_owned()
        } else {
            host
        };
        if !is_loopback(&host) && !out.contains(&host) {
            out.push(host);
        }
    }
    if req.urls.is_empty() && req.hidden {
        out.push("?".to_owned());
    }
    out
}

/// Judge the request `cmd` makes, if any.
/// Only the clients and interpreters the HTTP reader knows make requests it can see: the
/// request is asked for only for them.
pub fn may_request(cmd: &Command) -> bool {
    cmd.program().is_some_and(|p| {
        matches!(
            p,
            "curl"
                | "wget"
                | "http"
                | "https"
                | "xh"
                | "xhs"
                | "gh"
                | "railway"
                | "node"
                | "nodejs"
                | "bun"
                | "deno"
        ) || crate::payload::code::is_python(p)
    })
}

/// Judge `req`, the request a command makes.
pub fn judge(req: Option<&http::Request>, out: &mut Vec<Judged>) {
    let Some(req) = req else {
        return;
    };
    let hosts = remote_hosts(req);
    let Some(host) = hosts.first() else {
        return;
    };
    let production =
        hosts.iter().any(|h| names_production(h)) || req.urls.iter().any(|u| names_production(u));
    let severity = if production {
        Severity::Deny
    } else {
        Severity::Confirm
    };
    if req.method == "DELETE" {
        out.push(Judged {
            id: "effects.http.delete",
            severity,
            message: format!(
                "sends an HTTP DELETE to {host}: an API deletes at once, with no prompt and \
                 usually no undo"
            ),
            suggestion: "GET the resource first to see what it is, use the service's CLI (which \
                         confirms), or ask a human"
                .to_owned(),
            effect: Effect::Mutates {
                platform: host.clone(),
                operation: "DELETE".to_owned(),
                forced: false,
                production,
            },
        });
        return;
    }
    // `projectScheduleDeleteCancel`, `volumeUndelete`: undoing a delete is not one.
    let destroying = req.mutations.iter().find(|m| {
        let lower = m.to_ascii_lowercase();
        DESTROY.iter().any(|d| lower.contains(d))
            && !["cancel", "undelete", "undo", "restore", "recover"]
                .iter()
                .any(|u| lower.contains(u))
    });
    if let Some(m) = destroying {
        out.push(Judged {
            id: "effects.http.mutation",
            severity,
            message: format!(
                "runs the GraphQL mutation `{m}` on {host}, whose name says it destroys data"
            ),
            suggestion: "query the object first, and ask a human to run the mutation".to_owned(),
            effect: Effect::Mutates {
                platform: host.clone(),
                operation: m.clone(),
                forced: false,
                production,
            },
        });
    }
}
