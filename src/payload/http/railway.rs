//! `railway api [QUERY]`: the Railway CLI sends a GraphQL document to its backboard with the
//! stored credentials and no confirmation (railwayapp/cli `src/commands/api.rs`). The
//! document is the QUERY argument, `--file PATH` (`-` for standard input), or a piped
//! standard input; `--operation-name` picks the operation. `railway api schema|search|
//! describe` only read the schema.

use super::{Ctx, Val, body};

/// Read `railway api …` into the request; other `railway` commands are not HTTP requests
/// here (the railway pack matches them by their subcommands).
pub(super) fn read(ctx: &mut Ctx<'_>) -> Option<()> {
    let args = ctx.args();
    // Skip flags before the subcommand (`railway --json api …`).
    let at = args.iter().position(|w| !w.text.starts_with('-'))?;
    if args.get(at).map(|w| w.text.as_str()) != Some("api") {
        return None;
    }
    let args = args.get(at + 1..).unwrap_or(&[]);
    let mut query = None;
    let mut file = None;
    let mut operation = None;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let t = w.text.as_str();
        let (name, inline) = match t.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(Val::part(w, v))),
            _ => (t, None),
        };
        let value = |i: &mut usize| {
            inline.clone().or_else(|| {
                let v = args.get(*i).map(Val::of);
                *i += 1;
                v
            })
        };
        match name {
            "-h" | "--help" => return None,
            "-f" | "--file" => file = value(&mut i),
            "--operation-name" => operation = value(&mut i),
            "--variables" | "--var" | "--raw-var" => {
                value(&mut i);
            }
            _ if name.starts_with("-f") && name.len() > 2 => {
                file = Some(Val::part(w, t.get(2..).unwrap_or("")));
            }
            _ if query.is_none() && !name.starts_with("--") => {
                if matches!(t, "schema" | "search" | "describe") {
                    return None;
                }
                query = Some(Val::of(w));
            }
            _ => {}
        }
    }

    let env = ctx
        .cmd
        .assignments
        .iter()
        .rev()
        .find(|a| a.name == "RAILWAY_ENV")
        .map(|a| a.value.text.as_str());
    let host = match env {
        Some("staging") => "railway-staging.com",
        Some("dev" | "develop") => "railway-develop.com",
        _ => "railway.com",
    };
    ctx.url(&Val {
        text: format!("https://backboard.{host}/graphql/v2"),
        dynamic: false,
    });
    ctx.req.method = "POST".to_string();

    let doc = match (query, file) {
        (Some(q), _) => Some(q),
        (None, Some(f)) => ctx.at_source(&f, "the GraphQL document"),
        (None, None) => ctx.stdin("the GraphQL document", true),
    };
    if let Some(doc) = doc {
        if doc.dynamic {
            ctx.req
                .hide("a GraphQL document with shell expansions in it");
        }
        if let Some(op) = operation.as_ref().filter(|o| o.dynamic) {
            ctx.req.hide(format!(
                "the operation name `{}`, known only at run time",
                op.text
            ));
        }
        let op = operation
            .as_ref()
            .filter(|o| !o.dynamic)
            .map(|o| o.text.as_str());
        body::document(&doc.text, op, true, &mut ctx.req);
    }
    Some(())
}
