//! Which programs are database clients, and where in their argv the statements are.
//!
//! Each client has a table of the options it knows: those that carry SQL (`psql -c`), a
//! file of SQL (`psql -f`), a value that is not SQL (`-h HOST`, `-U USER`), or that make it
//! run nothing (`psql -l`). Reading the argv with the table is what keeps a host name from
//! being read as SQL and SQL from being skipped as a value (`psql -U admin -d app -c …`).

use crate::parse::{Command, Place, Word, program_name};

use super::{Flavor, Lang, Piece};

/// What an option does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// No value.
    Flag,
    /// Takes a value that is not SQL.
    Value,
    /// Takes a value only when attached (`-psecret`, `--password=secret`).
    Optional,
    /// Takes two values (sqlite3 `-pagecache SIZE N`).
    Value2,
    /// Its value is SQL (or script) text, run instead of reading stdin.
    Sql,
    /// Its value is SQL text run first; stdin is still read after it (`sqlite3 -cmd`,
    /// `mysql --init-command`, `sqlcmd -q`).
    SqlFirst,
    /// Its value names a file of SQL, run instead of reading stdin.
    File,
    /// Its value names a file of SQL run first; stdin is still read (`sqlite3 -init`).
    FileFirst,
    /// The client runs no statement at all (`psql -l`, `--version`).
    NoRun,
}

impl Role {
    fn takes_value(self) -> bool {
        matches!(
            self,
            Role::Value | Role::Value2 | Role::Sql | Role::SqlFirst | Role::File | Role::FileFirst
        )
    }
}

/// How one client's argv is read.
struct Spec {
    /// Options by name as written (`-c`, `--command`, `-cmd`), case-sensitive.
    opts: &'static [(&'static str, Role)],
    /// getopt style: short options bundle and take attached values (`-Xc SQL`, `-cSQL`).
    getopt: bool,
    /// A short option may carry its value attached without getopt bundling (`-Q"…"`).
    attached: bool,
    /// Long options may be written with one dash or two (`-cmd` / `--cmd`, sqlite3 style).
    dash_agnostic: bool,
    /// Options stop at the first operand (redis-cli: everything after is the command).
    stop_at_operand: bool,
}

/// One client invocation, read.
#[derive(Debug)]
pub(super) struct Invocation<'a> {
    /// What the client speaks.
    pub lang: Lang,
    /// Statement text given in the argv.
    pub texts: Vec<Piece>,
    /// Files of statements it runs.
    pub files: Vec<Word>,
    /// It reads statements from its standard input.
    pub stdin: bool,
    /// Something it runs cannot be seen from the argv (arguments added by `xargs`).
    pub hidden: bool,
    /// redis-cli: the command words from the argv.
    pub redis: Option<Vec<&'a Word>>,
}

/// Options and operands of an argv, in order.
struct Parsed<'a> {
    /// Option name as written (before any `=`), role, value.
    opts: Vec<(String, Role, Option<Word>)>,
    operands: Vec<&'a Word>,
}

impl Parsed<'_> {
    fn has(&self, role: Role) -> bool {
        self.opts.iter().any(|(_, r, _)| *r == role)
    }

    fn values<'s>(&'s self, roles: &'s [Role]) -> impl Iterator<Item = &'s Word> {
        self.opts
            .iter()
            .filter(move |(_, r, _)| roles.contains(r))
            .filter_map(|(_, _, v)| v.as_ref())
    }

    fn value_of(&self, name: &str) -> Option<&Word> {
        self.opts
            .iter()
            .find(|(n, _, _)| n == name)
            .and_then(|(_, _, v)| v.as_ref())
    }
}

/// A value written inline (`--command=…`, `-cSQL`): it is as dynamic as its word.
fn inline(text: &str, of: &Word) -> Word {
    Word {
        text: text.to_string(),
        ..of.clone()
    }
}

fn parse<'a>(args: &'a [Word], spec: &Spec) -> Parsed<'a> {
    let lookup = |name: &str| -> Option<Role> {
        let mut found = spec.opts.iter().find(|(n, _)| *n == name).map(|(_, r)| *r);
        // getopt_long takes a unique prefix of a long option (`psql --comma=…`): one that
        // names a single option the client is known to read is that option.
        if found.is_none() && spec.getopt && name.starts_with("--") && name.len() >= 4 {
            let mut prefixed = spec.opts.iter().filter(|(n, _)| n.starts_with(name));
            if let (Some((_, role)), None) = (prefixed.next(), prefixed.next()) {
                found = Some(*role);
            }
        }
        if found.is_none() && spec.dash_agnostic {
            let alt = match name.strip_prefix("--") {
                Some(rest) => format!("-{rest}"),
                None => format!("-{name}"),
            };
            return spec.opts.iter().find(|(n, _)| *n == alt).map(|(_, r)| *r);
        }
        found
    };
    let mut out = Parsed {
        opts: Vec::new(),
        operands: Vec::new(),
    };
    let mut i = 0;
    let mut operands_only = false;
    // Take the next argv word as a value.
    let next = |i: &mut usize| -> Option<Word> {
        let w = args.get(*i)?;
        *i += 1;
        Some(w.clone())
    };
    while i < args.len() {
        let w = &args[i];
        let t = w.text.as_str();
        i += 1;
        if operands_only || t.len() < 2 || !t.starts_with('-') {
            out.operands.push(w);
            operands_only |= spec.stop_at_operand;
            continue;
        }
        if t == "--" {
            operands_only = true;
            continue;
        }
        let (name, attached) = match t.strip_prefix("--").and_then(|r| r.split_once('=')) {
            Some((n, v)) => (format!("--{n}"), Some(v)),
            None => (t.to_string(), None),
        };
        if let Some(role) = lookup(&name) {
            let value = match (role, attached) {
                (_, Some(v)) => Some(inline(v, w)),
                (Role::Value2, None) => {
                    let v = next(&mut i);
                    i = (i + 1).min(args.len());
                    v
                }
                (r, None) if r.takes_value() => next(&mut i),
                _ => None,
            };
            out.opts.push((name, role, value));
            continue;
        }
        if t.starts_with("--") {
            out.opts.push((name, Role::Flag, None));
            continue;
        }
        // A short option: `-x`, a bundle `-Xc`, or `-xVALUE`.
        let body = t.get(1..).unwrap_or("");
        if !spec.getopt {
            let first_len = body.chars().next().map_or(0, char::len_utf8);
            let short = t.get(..1 + first_len).unwrap_or(t);
            let rest = t.get(1 + first_len..).unwrap_or("");
            match lookup(short) {
                Some(role) if spec.attached && role.takes_value() && !rest.is_empty() => {
                    out.opts
                        .push((short.to_string(), role, Some(inline(rest, w))));
                }
                _ => out.opts.push((name, Role::Flag, None)),
            }
            continue;
        }
        for (pos, c) in body.char_indices() {
            let role = lookup(&format!("-{c}")).unwrap_or(Role::Flag);
            let rest = body.get(pos + c.len_utf8()..).unwrap_or("");
            if role.takes_value() || role == Role::Optional {
                let value = if !rest.is_empty() {
                    Some(inline(rest, w))
                } else if role == Role::Optional {
                    None
                } else {
                    next(&mut i)
                };
                out.opts.push((format!("-{c}"), role, value));
                break;
            }
            out.opts.push((format!("-{c}"), role, None));
        }
    }
    out
}

const PSQL: Spec = Spec {
    opts: &[
        ("-c", Role::Sql),
        ("--command", Role::Sql),
        ("-f", Role::File),
        ("--file", Role::File),
        ("-d", Role::Value),
        ("--dbname", Role::Value),
        ("-h", Role::Value),
        ("--host", Role::Value),
        ("-p", Role::Value),
        ("--port", Role::Value),
        ("-U", Role::Value),
        ("--username", Role::Value),
        ("-v", Role::Value),
        ("--set", Role::Value),
        ("--variable", Role::Value),
        ("-o", Role::Value),
        ("--output", Role::Value),
        ("-L", Role::Value),
        ("--log-file", Role::Value),
        ("-P", Role::Value),
        ("--pset", Role::Value),
        ("-F", Role::Value),
        ("--field-separator", Role::Value),
        ("-R", Role::Value),
        ("--record-separator", Role::Value),
        ("-T", Role::Value),
        ("--table-attr", Role::Value),
        ("-l", Role::NoRun),
        ("--list", Role::NoRun),
        ("-V", Role::NoRun),
        ("--version", Role::NoRun),
        ("-?", Role::NoRun),
        ("--help", Role::NoRun),
    ],
    getopt: true,
    attached: true,
    dash_agnostic: false,
    stop_at_operand: false,
};

const MYSQL: Spec = Spec {
    opts: &[
        ("-e", Role::Sql),
        ("--execute", Role::Sql),
        // Run on connect, before anything else.
        ("--init-command", Role::SqlFirst),
        ("-h", Role::Value),
        ("--host", Role::Value),
        ("-u", Role::Value),
        ("--user", Role::Value),
        ("-P", Role::Value),
        ("--port", Role::Value),
        ("-D", Role::Value),
        ("--database", Role::Value),
        ("-S", Role::Value),
        ("--socket", Role::Value),
        ("--default-character-set", Role::Value),
        ("--login-path", Role::Value),
        ("--defaults-file", Role::Value),
        ("--defaults-extra-file", Role::Value),
        ("--defaults-group-suffix", Role::Value),
        ("--protocol", Role::Value),
        ("--plugin-dir", Role::Value),
        ("--default-auth", Role::Value),
        ("--bind-address", Role::Value),
        ("--tee", Role::Value),
        ("--prompt", Role::Value),
        ("--delimiter", Role::Value),
        ("--character-sets-dir", Role::Value),
        ("--connect-timeout", Role::Value),
        ("--max-allowed-packet", Role::Value),
        ("--net-buffer-length", Role::Value),
        ("--ssl-ca", Role::Value),
        ("--ssl-capath", Role::Value),
        ("--ssl-cert", Role::Value),
        ("--ssl-cipher", Role::Value),
        ("--ssl-key", Role::Value),
        ("--ssl-mode", Role::Value),
        ("--tls-version", Role::Value),
        ("--server-public-key-path", Role::Value),
        ("--compression-algorithms", Role::Value),
        ("--load-data-local-dir", Role::Value),
        ("-p", Role::Optional),
        ("--password", Role::Optional),
        ("--pager", Role::Optional),
        ("-V", Role::NoRun),
        ("--version", Role::NoRun),
        ("-?", Role::NoRun),
        ("--help", Role::NoRun),
    ],
    getopt: true,
    attached: true,
    dash_agnostic: false,
    stop_at_operand: false,
};

const SQLITE: Spec = Spec {
    opts: &[
        // Run before the SQL operands (or stdin), like them.
        ("-cmd", Role::SqlFirst),
        ("-init", Role::FileFirst),
        ("-separator", Role::Value),
        ("-newline", Role::Value),
        ("-nullvalue", Role::Value),
        ("-vfs", Role::Value),
        ("-maxsize", Role::Value),
        ("-mmap", Role::Value),
        ("-heap", Role::Value),
        ("-escape", Role::Value),
        ("-pagecache", Role::Value2),
        ("-lookaside", Role::Value2),
        // Archive mode works on files in a zip/sqlar archive, not on SQL.
        ("-A", Role::NoRun),
        ("-archive", Role::NoRun),
        ("-version", Role::NoRun),
        ("-help", Role::NoRun),
    ],
    getopt: false,
    attached: false,
    dash_agnostic: true,
    stop_at_operand: false,
};

const DUCKDB: Spec = Spec {
    opts: &[
        ("-c", Role::Sql),
        ("-s", Role::Sql),
        ("-cmd", Role::SqlFirst),
        ("-init", Role::FileFirst),
        ("-f", Role::File),
        ("-separator", Role::Value),
        ("-newline", Role::Value),
        ("-nullvalue", Role::Value),
        ("-storage_version", Role::Value),
        ("-version", Role::NoRun),
        ("-help", Role::NoRun),
    ],
    getopt: false,
    attached: false,
    dash_agnostic: true,
    stop_at_operand: false,
};

const COCKROACH: Spec = Spec {
    opts: &[
        ("-e", Role::Sql),
        ("--execute", Role::Sql),
        ("-f", Role::File),
        ("--file", Role::File),
        ("--url", Role::Value),
        ("--host", Role::Value),
        ("-p", Role::Value),
        ("--port", Role::Value),
        ("-u", Role::Value),
        ("--user", Role::Value),
        ("-d", Role::Value),
        ("--database", Role::Value),
        ("--certs-dir", Role::Value),
        ("--format", Role::Value),
        ("--set", Role::Value),
        ("--cluster-name", Role::Value),
        ("--watch", Role::Value),
    ],
    getopt: true,
    attached: true,
    dash_agnostic: false,
    stop_at_operand: false,
};

const CLICKHOUSE: Spec = Spec {
    opts: &[
        ("-q", Role::Sql),
        ("--query", Role::Sql),
        ("--queries-file", Role::File),
        ("-h", Role::Value),
        ("--host", Role::Value),
        ("--port", Role::Value),
        ("-u", Role::Value),
        ("--user", Role::Value),
        ("--password", Role::Value),
        ("-d", Role::Value),
        ("--database", Role::Value),
        ("-f", Role::Value),
        ("--format", Role::Value),
        ("-C", Role::Value),
        ("--config-file", Role::Value),
        ("--config", Role::Value),
        ("--connection", Role::Value),
        ("--history_file", Role::Value),
        ("--jwt", Role::Value),
        ("-V", Role::NoRun),
        ("--version", Role::NoRun),
    ],
    getopt: false,
    attached: true,
    dash_agnostic: false,
    stop_at_operand: false,
};

const CQLSH: Spec = Spec {
    opts: &[
        ("-e", Role::Sql),
        ("--execute", Role::Sql),
        ("-f", Role::File),
        ("--file", Role::File),
        ("-u", Role::Value),
        ("--username", Role::Value),
        ("-p", Role::Value),
        ("--password", Role::Value),
        ("-k", Role::Value),
        ("--keyspace", Role::Value),
        ("-b", Role::Value),
        ("--secure-connect-bundle", Role::Value),
        ("--cqlversion", Role::Value),
        ("--encoding", Role::Value),
        ("--cqlshrc", Role::Value),
        ("--connect-timeout", Role::Value),
        ("--request-timeout", Role::Value),
        ("--protocol-version", Role::Value),
        ("--consistency-level", Role::Value),
        ("--serial-consistency-level", Role::Value),
        ("--version", Role::NoRun),
    ],
    getopt: true,
    attached: true,
    dash_agnostic: false,
    stop_at_operand: false,
};

const SQLCMD: Spec = Spec {
    opts: &[
        // -Q runs and exits; -q runs and then reads stdin.
        ("-Q", Role::Sql),
        ("-q", Role::SqlFirst),
        ("-i", Role::File),
        ("-S", Role::Value),
        ("-U", Role::Value),
        ("-P", Role::Value),
        ("-d", Role::Value),
        ("-H", Role::Value),
        ("-o", Role::Value),
        ("-v", Role::Value),
        ("-s", Role::Value),
        ("-w", Role::Value),
        ("-h", Role::Value),
        ("-t", Role::Value),
        ("-l", Role::Value),
        ("-a", Role::Value),
        ("-f", Role::Value),
        ("-c", Role::Value),
        ("-y", Role::Value),
        ("-Y", Role::Value),
        ("-K", Role::Value),
        ("-M", Role::Value),
        ("-z", Role::Value),
        ("-Z", Role::Value),
        ("-?", Role::NoRun),
        ("--version", Role::NoRun),
    ],
    getopt: false,
    attached: true,
    dash_agnostic: false,
    stop_at_operand: false,
};

const MONGOSH: Spec = Spec {
    opts: &[
        ("--eval", Role::Sql),
        ("-f", Role::File),
        ("--file", Role::File),
        ("--host", Role::Value),
        ("--port", Role::Value),
        ("-u", Role::Value),
        ("--username", Role::Value),
        ("-p", Role::Value),
        ("--password", Role::Value),
        ("--authenticationDatabase", Role::Value),
        ("--authenticationMechanism", Role::Value),
        ("--gssapiServiceName", Role::Value),
        ("--sspiHostnameCanonicalization", Role::Value),
        ("--sspiRealmOverride", Role::Value),
        ("--tlsCAFile", Role::Value),
        ("--tlsCertificateKeyFile", Role::Value),
        ("--tlsCertificateKeyFilePassword", Role::Value),
        ("--tlsCRLFile", Role::Value),
        ("--tlsCertificateSelector", Role::Value),
        ("--tlsDisabledProtocols", Role::Value),
        ("--awsAccessKeyId", Role::Value),
        ("--awsSecretAccessKey", Role::Value),
        ("--awsSessionToken", Role::Value),
        ("--awsIamSessionToken", Role::Value),
        ("--keyVaultNamespace", Role::Value),
        ("--kmsURL", Role::Value),
        ("--apiVersion", Role::Value),
        ("--cryptSharedLibPath", Role::Value),
        ("--csfleLibraryPath", Role::Value),
        ("--browser", Role::Value),
        ("--oidcFlows", Role::Value),
        ("--oidcRedirectUri", Role::Value),
        ("--version", Role::NoRun),
        ("--help", Role::NoRun),
        ("--build-info", Role::NoRun),
    ],
    getopt: false,
    attached: false,
    dash_agnostic: false,
    stop_at_operand: false,
};

const REDIS: Spec = Spec {
    opts: &[
        ("-h", Role::Value),
        ("-p", Role::Value),
        ("-s", Role::Value),
        ("-a", Role::Value),
        ("-u", Role::Value),
        ("-n", Role::Value),
        ("-r", Role::Value),
        ("-i", Role::Value),
        ("-d", Role::Value),
        ("-D", Role::Value),
        ("-t", Role::Value),
        ("-X", Role::Value),
        ("--user", Role::Value),
        ("--pass", Role::Value),
        ("--cacert", Role::Value),
        ("--cacertdir", Role::Value),
        ("--cert", Role::Value),
        ("--key", Role::Value),
        ("--tls-ciphers", Role::Value),
        ("--tls-ciphersuites", Role::Value),
        ("--sni", Role::Value),
        ("--pattern", Role::Value),
        ("--quoted-pattern", Role::Value),
        ("--count", Role::Value),
        ("--rdb", Role::Value),
        ("--functions-rdb", Role::Value),
        ("--pipe-timeout", Role::Value),
        ("--memkeys-samples", Role::Value),
        ("--show-pushes", Role::Value),
        ("--intrinsic-latency", Role::Value),
        ("--lru-test", Role::Value),
        ("--cluster", Role::Value),
        // A Lua script file; the operands after it are its keys and arguments.
        ("--eval", Role::File),
        ("-v", Role::NoRun),
        ("--version", Role::NoRun),
        ("--help", Role::NoRun),
    ],
    getopt: false,
    attached: false,
    dash_agnostic: false,
    // `redis-cli SET k -n`: after the command name everything is an argument.
    stop_at_operand: true,
};

/// redis-cli modes that run no command of the user's and read no commands from stdin.
const REDIS_MODES: &[&str] = &[
    "--stat",
    "--latency",
    "--latency-history",
    "--latency-dist",
    "--bigkeys",
    "--memkeys",
    "--hotkeys",
    "--keystats",
    "--scan",
    "--rdb",
    "--functions-rdb",
    "--replica",
    "--intrinsic-latency",
    "--lru-test",
];

/// The client `cmd` runs, read from its argv; `None` when it is not a database client.
pub(super) fn invocation(cmd: &Command) -> Option<Invocation<'_>> {
    let first = cmd.argv.first()?;
    if !first.is_literal() {
        return None;
    }
    let program = program_name(&first.text);
    let args = cmd.argv.get(1..).unwrap_or(&[]);
    let sub = args
        .first()
        .filter(|w| w.is_literal())
        .map(|w| w.text.as_str());
    let (lang, spec, args) = match program {
        "psql" => (Lang::Sql(Flavor::Postgres), &PSQL, args),
        "mysql" | "mariadb" => (Lang::Sql(Flavor::MySql), &MYSQL, args),
        "sqlite3" | "sqlite" => (Lang::Sql(Flavor::Sqlite), &SQLITE, args),
        "duckdb" => (Lang::Sql(Flavor::DuckDb), &DUCKDB, args),
        "cockroach" if sub == Some("sql") => (
            Lang::Sql(Flavor::Cockroach),
            &COCKROACH,
            args.get(1..).unwrap_or(&[]),
        ),
        "clickhouse-client" => (Lang::Sql(Flavor::ClickHouse), &CLICKHOUSE, args),
        "clickhouse" if sub == Some("client") => (
            Lang::Sql(Flavor::ClickHouse),
            &CLICKHOUSE,
            args.get(1..).unwrap_or(&[]),
        ),
        "cqlsh" => (Lang::Sql(Flavor::Cql), &CQLSH, args),
        "sqlcmd" => (Lang::Sql(Flavor::MsSql), &SQLCMD, args),
        "mongosh" | "mongo" => (Lang::Mongo, &MONGOSH, args),
        "redis-cli" | "valkey-cli" | "keydb-cli" => (Lang::Redis, &REDIS, args),
        _ => return None,
    };
    let parsed = parse(args, spec);
    // `xargs` appends arguments read from its stdin, and gives the command an empty stdin.
    let xargs = cmd
        .places
        .iter()
        .any(|p| matches!(p, Place::Wrapper { via } if program_name(via) == "xargs"));
    let mut inv = Invocation {
        lang,
        texts: Vec::new(),
        files: Vec::new(),
        stdin: false,
        hidden: xargs,
        redis: None,
    };
    if parsed.has(Role::NoRun) {
        return Some(inv);
    }
    const SQL: &[Role] = &[Role::Sql, Role::SqlFirst];
    const FILE: &[Role] = &[Role::File, Role::FileFirst];
    inv.texts = parsed.values(SQL).map(piece).collect();
    let mut stdin_file = false;
    for w in parsed.values(FILE) {
        if w.text == "-" {
            stdin_file = true;
        } else if program == "sqlcmd" && w.is_literal() && w.text.contains(',') {
            // sqlcmd -i a.sql,b.sql
            inv.files.extend(
                w.text
                    .split(',')
                    .filter(|p| !p.is_empty())
                    .map(|p| inline(p, w)),
            );
        } else {
            inv.files.push(w.clone());
        }
    }
    // Statements given in the argv replace stdin; `-cmd`, `-init`, `--init-command` and
    // `sqlcmd -q` run first and stdin is still read after them.
    let replaced = parsed.has(Role::Sql) || parsed.has(Role::File);
    let operands = &parsed.operands;
    match lang {
        Lang::Sql(Flavor::Sqlite | Flavor::DuckDb) => {
            // `sqlite3 [DB] [SQL…]`: every operand after the database is run.
            let before = inv.texts.len();
            inv.texts.extend(operands.iter().skip(1).map(|w| piece(w)));
            inv.stdin = !replaced && inv.texts.len() == before;
        }
        Lang::Sql(Flavor::ClickHouse) => {
            // Operands are not documented as queries, but a query there must not pass
            // unread.
            inv.texts.extend(operands.iter().map(|w| piece(w)));
            inv.stdin = !replaced && operands.is_empty();
        }
        Lang::Sql(_) => inv.stdin = !replaced,
        Lang::Mongo => {
            for w in operands {
                let t = w.text.as_str();
                if t.ends_with(".js") || t.ends_with(".mongodb") {
                    inv.files.push((*w).clone());
                }
            }
            inv.stdin = !replaced && inv.files.is_empty();
        }
        Lang::Redis => {
            let mode = args.iter().any(|w| REDIS_MODES.contains(&w.text.as_str()));
            let data_from_stdin = args.iter().any(|w| w.text == "-x");
            let cluster = parsed.value_of("--cluster").map(|w| w.text.as_str());
            let has_script = parsed.has(Role::File);
            let command: Vec<&Word> = match cluster {
                // `--cluster call HOST:PORT CMD …` runs CMD on every node.
                Some("call") => operands.iter().skip(1).copied().collect(),
                Some(_) => Vec::new(),
                // `--eval script.lua keys , args`: the operands are the script's.
                None if has_script => Vec::new(),
                None => operands.clone(),
            };
            inv.stdin =
                command.is_empty() && !mode && !data_from_stdin && !has_script && cluster.is_none();
            inv.redis = Some(command);
        }
    }
    if stdin_file {
        inv.stdin = true;
    }
    if xargs {
        inv.stdin = false;
    }
    Some(inv)
}

fn piece(w: &Word) -> Piece {
    Piece {
        text: w.text.clone(),
        dynamic: !w.is_literal(),
    }
}
