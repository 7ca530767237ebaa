//! Databases: a dump of the database the line's client connects to, taken with the
//! connection settings the line itself uses (its options, the variables it sets, and the
//! environment guardsh runs in), before the client's destructive statements run.
//!
//! - PostgreSQL: `pg_dump -Fc` of the whole database; restored with `pg_restore --clean
//!   --if-exists --single-transaction`, which puts every table back as it was, rows and all.
//! - MySQL and MariaDB: `mysqldump --single-transaction --routines --triggers` of the
//!   database; restored by feeding the dump to `mysql`.
//! - SQLite: the file, copied by SQLite's own online backup (`.backup`), which is
//!   consistent even while another process writes; restored with `.restore`.
//!
//! The whole database rather than the tables the statements name: the statements' targets
//! are not yet among what the SQL reader reports, and a whole dump is never too little.

use std::path::Path;

use super::store::{Draft, Record};
use super::{Context, Error, Insure, Restore, absolute, base_dir, run_tool};
use crate::exec::Tool;

/// The database engine a client program talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Postgres,
    Mysql,
    Sqlite,
}

fn engine_of(argv: &[String]) -> Option<Engine> {
    let program = crate::parse::program_name(argv.first()?);
    match program {
        "psql" => Some(Engine::Postgres),
        "mysql" | "mariadb" => Some(Engine::Mysql),
        "sqlite3" => Some(Engine::Sqlite),
        _ => None,
    }
}

/// psql's options that take a value, and which of them say where to connect.
const PSQL_WITH_VALUE: &[&str] = &[
    "-c",
    "--command",
    "-d",
    "--dbname",
    "-f",
    "--file",
    "-F",
    "--field-separator",
    "-h",
    "--host",
    "-L",
    "--log-file",
    "-o",
    "--output",
    "-p",
    "--port",
    "-P",
    "--pset",
    "-R",
    "--record-separator",
    "-T",
    "--table-attr",
    "-U",
    "--username",
    "-v",
    "--set",
    "--variable",
];

/// mysql's options that take a value as the next word (`-p` does not: its value is
/// attached, or it asks for one).
const MYSQL_WITH_VALUE: &[&str] = &[
    "-e",
    "--execute",
    "-h",
    "--host",
    "-P",
    "--port",
    "-u",
    "--user",
    "-S",
    "--socket",
    "-D",
    "--database",
    "--defaults-file",
    "--defaults-extra-file",
    "--login-path",
    "--protocol",
    "--default-character-set",
    "--ssl-ca",
    "--ssl-cert",
    "--ssl-key",
    "--ssl-mode",
];

/// sqlite3's options that take a value.
const SQLITE_WITH_VALUE: &[&str] = &[
    "-cmd",
    "--cmd",
    "-init",
    "--init",
    "-separator",
    "--separator",
    "-newline",
    "--newline",
    "-nullvalue",
    "--nullvalue",
    "-vfs",
    "--vfs",
    "-maxsize",
    "--maxsize",
    "-mmap",
    "--mmap",
    "-lookaside",
    "--lookaside",
    "-pagecache",
    "--pagecache",
    "-heap",
    "--heap",
];

/// A client's argv split into options (name, value) and operands.
fn split<'a>(
    argv: &'a [String],
    with_value: &[&str],
) -> (Vec<(String, Option<String>)>, Vec<&'a str>) {
    let mut options = Vec::new();
    let mut operands = Vec::new();
    let mut words = argv.iter().skip(1);
    let mut only_operands = false;
    while let Some(w) = words.next() {
        if only_operands || !w.starts_with('-') || w == "-" {
            operands.push(w.as_str());
        } else if w == "--" {
            only_operands = true;
        } else if let Some((name, value)) = w.split_once('=').filter(|_| w.starts_with("--")) {
            options.push((name.to_owned(), Some(value.to_owned())));
        } else if with_value.contains(&w.as_str()) {
            options.push((w.clone(), words.next().cloned()));
        } else if !w.starts_with("--")
            && w.len() > 2
            && with_value.contains(&w.get(..2).unwrap_or(""))
        {
            // `-hdb.local`, `-U postgres` written `-Upostgres`.
            options.push((
                w.get(..2).unwrap_or("").to_owned(),
                w.get(2..).map(str::to_owned),
            ));
        } else {
            options.push((w.clone(), None));
        }
    }
    (options, operands)
}

/// Take the dump `need` asks for.
pub fn take(need: &Insure, ctx: &Context, draft: &Draft) -> Result<(Restore, String), Error> {
    let failed = |why: String| Error::Failed {
        command: need.command.clone(),
        why,
    };
    let unplannable = |why: String| Error::Unplannable {
        command: need.command.clone(),
        why,
    };
    let env = need.env.clone();
    let cwd = base_dir(need, ctx)?;
    let how = || Tool {
        env: &env,
        cwd: Some(&cwd),
        ..Tool::default()
    };
    let Some(engine) = engine_of(&need.argv) else {
        return Err(unplannable(
            "guardsh knows how to dump PostgreSQL (psql), MySQL and MariaDB, and SQLite \
             databases, not this client's; dump it yourself, or approve with `--no-backup`"
                .to_owned(),
        ));
    };
    match engine {
        Engine::Postgres => {
            let mut args = postgres_connection(&need.argv);
            if !args.iter().any(|a| a == "-d") {
                let mut probe = args.clone();
                probe.extend(
                    ["-X", "-A", "-t", "-c", "SELECT current_database()"].map(str::to_owned),
                );
                let out = run_tool("psql", &probe, how()).map_err(failed)?;
                let db = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                if db.is_empty() {
                    return Err(unplannable(
                        "the server did not name the database".to_owned(),
                    ));
                }
                args.extend(["-d".to_owned(), db]);
            }
            let dump = draft.data.join("database.dump");
            let mut dump_args = vec!["-F".to_owned(), "c".to_owned(), "-f".to_owned()];
            dump_args.push(dump.to_string_lossy().into_owned());
            dump_args.extend(args.iter().cloned());
            run_tool("pg_dump", &dump_args, how()).map_err(failed)?;
            let target = format!("PostgreSQL database {}", describe_connection(&args));
            Ok((
                Restore::Database {
                    engine: "postgres".to_owned(),
                    args,
                    env: need.env.clone(),
                    dump: "database.dump".to_owned(),
                },
                target,
            ))
        }
        Engine::Mysql => {
            let (args, db) = mysql_connection(&need.argv);
            let Some(db) = db else {
                return Err(unplannable(
                    "the line names no database, and a dump of every database is not taken \
                     on its own; run `mysqldump --all-databases` yourself, or approve with \
                     `--no-backup`"
                        .to_owned(),
                ));
            };
            let dump = draft.data.join("database.sql");
            let file = std::fs::File::create(&dump).map_err(|e| failed(e.to_string()))?;
            let mut dump_args = args.clone();
            dump_args.extend(
                [
                    "--single-transaction",
                    "--routines",
                    "--triggers",
                    "--databases",
                ]
                .map(str::to_owned),
            );
            dump_args.push(db.clone());
            run_tool(
                "mysqldump",
                &dump_args,
                Tool {
                    env: &env,
                    cwd: Some(&cwd),
                    stdout: Some(file),
                    stdin: None,
                },
            )
            .map_err(failed)?;
            Ok((
                Restore::Database {
                    engine: "mysql".to_owned(),
                    args,
                    env: need.env.clone(),
                    dump: "database.sql".to_owned(),
                },
                format!("MySQL database {db}"),
            ))
        }
        Engine::Sqlite => {
            let (_, operands) = split(&need.argv, SQLITE_WITH_VALUE);
            let Some(file) = operands
                .first()
                .filter(|f| !f.is_empty() && **f != ":memory:")
            else {
                return Err(unplannable("it names no database file".to_owned()));
            };
            let path = absolute(&cwd, file);
            let copy = draft.data.join("database.sqlite");
            if path.is_file() {
                let cmd = format!(".backup '{}'", copy.to_string_lossy().replace('\'', "''"));
                let path_arg = path.to_string_lossy().into_owned();
                run_tool("sqlite3", &[path_arg, cmd], how()).map_err(failed)?;
            }
            Ok((
                Restore::Database {
                    engine: "sqlite".to_owned(),
                    args: vec![path.to_string_lossy().into_owned()],
                    env: Vec::new(),
                    dump: "database.sqlite".to_owned(),
                },
                format!("SQLite database {}", path.display()),
            ))
        }
    }
}

/// The options of a psql argv that say where to connect, written as pg_dump and pg_restore
/// take them: `-h`, `-p`, `-U`, `-d` (a database name, a URL or a `key=value` string), and
/// psql's positional database and user.
fn postgres_connection(argv: &[String]) -> Vec<String> {
    let (options, operands) = split(argv, PSQL_WITH_VALUE);
    let mut out = Vec::new();
    for (name, value) in options {
        let short = match name.as_str() {
            "-h" | "--host" => "-h",
            "-p" | "--port" => "-p",
            "-U" | "--username" => "-U",
            "-d" | "--dbname" => "-d",
            "-w" | "--no-password" => {
                out.push("-w".to_owned());
                continue;
            }
            _ => continue,
        };
        if let Some(v) = value {
            out.retain(|a: &String| a != short);
            out.extend([short.to_owned(), v]);
        }
    }
    let has = |o: &str, out: &[String]| out.iter().any(|a| a == o);
    if let Some(db) = operands.first()
        && !has("-d", &out)
    {
        out.extend(["-d".to_owned(), (*db).to_owned()]);
    }
    if let Some(user) = operands.get(1)
        && !has("-U", &out)
    {
        out.extend(["-U".to_owned(), (*user).to_owned()]);
    }
    out
}

/// The connection options of a mysql argv, and the database it uses.
fn mysql_connection(argv: &[String]) -> (Vec<String>, Option<String>) {
    let (options, operands) = split(argv, MYSQL_WITH_VALUE);
    let mut out = Vec::new();
    let mut db = operands.first().map(|d| (*d).to_owned());
    for (name, value) in options {
        match name.as_str() {
            "-D" | "--database" => db = value,
            "-h" | "--host" | "-P" | "--port" | "-u" | "--user" | "-S" | "--socket"
            | "--protocol" | "--login-path" | "--ssl-mode" | "--ssl-ca" | "--ssl-cert"
            | "--ssl-key" => {
                if let Some(v) = value {
                    out.push(format!("{}={v}", long_mysql(&name)));
                }
            }
            // Defaults files must come first, as mysqldump reads them.
            "--defaults-file" | "--defaults-extra-file" => {
                if let Some(v) = value {
                    out.insert(0, format!("{name}={v}"));
                }
            }
            n if n.starts_with("-p") || n.starts_with("--password") => {
                let v = value.or_else(|| n.get(2..).filter(|p| !p.is_empty()).map(str::to_owned));
                if let Some(v) = v {
                    out.push(format!("--password={v}"));
                }
            }
            _ => {}
        }
    }
    (out, db)
}

fn long_mysql(name: &str) -> &str {
    match name {
        "-h" => "--host",
        "-P" => "--port",
        "-u" => "--user",
        "-S" => "--socket",
        other => other,
    }
}

/// `-h db -d app` → `app on db`, for messages; passwords in URLs are not shown.
fn describe_connection(args: &[String]) -> String {
    let value = |o: &str| {
        args.iter()
            .position(|a| a == o)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let db = value("-d").unwrap_or_default();
    let db = match db.split_once('@') {
        Some((_, host)) if db.contains("://") => format!("…@{host}"),
        _ => db,
    };
    match value("-h") {
        Some(h) => format!("{db} on {h}"),
        None => db,
    }
}

/// Put a database dump back.
pub fn restore(record: &Record, data: &Path) -> Result<(), String> {
    let Restore::Database {
        engine,
        args,
        env,
        dump,
    } = &record.restore
    else {
        return Err("not a database backup".to_owned());
    };
    let file = data.join(dump);
    let how = |stdin: Option<std::fs::File>| Tool {
        env,
        cwd: Some(&record.cwd),
        stdout: None,
        stdin,
    };
    match engine.as_str() {
        "postgres" => {
            let mut a = vec![
                "--clean".to_owned(),
                "--if-exists".to_owned(),
                "--single-transaction".to_owned(),
                "--exit-on-error".to_owned(),
            ];
            a.extend(args.iter().cloned());
            a.push(file.to_string_lossy().into_owned());
            run_tool("pg_restore", &a, how(None)).map(|_| ())
        }
        "mysql" => {
            let input = std::fs::File::open(&file).map_err(|e| e.to_string())?;
            run_tool("mysql", args, how(Some(input))).map(|_| ())
        }
        "sqlite" => {
            let db = args.first().cloned().unwrap_or_default();
            if !file.is_file() {
                // The file did not exist when the backup was taken.
                return Ok(());
            }
            let cmd = format!(".restore '{}'", file.to_string_lossy().replace('\'', "''"));
            run_tool("sqlite3", &[db, cmd], how(None)).map(|_| ())
        }
        other => Err(format!("unknown database engine `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<String> {
        line.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn psql_connection_options_become_pg_dump_ones() {
        assert_eq!(
            postgres_connection(&argv("psql -h /run/pg -U app -c DROP app_db")),
            argv("-h /run/pg -U app -d app_db")
        );
        assert_eq!(
            postgres_connection(&argv("psql --host=db.local -p5433 app bob -w")),
            argv("-h db.local -p 5433 -w -d app -U bob")
        );
        assert_eq!(
            postgres_connection(&argv("psql postgres://u@h/app -c x")),
            argv("-d postgres://u@h/app")
        );
        assert!(postgres_connection(&argv("psql -c x")).is_empty());
    }

    #[test]
    fn mysql_connection_keeps_the_database_and_credentials() {
        let (args, db) = mysql_connection(&argv("mysql -h db -u root -psecret shop -e x"));
        assert_eq!(args, argv("--host=db --user=root --password=secret"));
        assert_eq!(db.as_deref(), Some("shop"));
        let (_, db) = mysql_connection(&argv("mysql -D shop -e x"));
        assert_eq!(db.as_deref(), Some("shop"));
        assert_eq!(mysql_connection(&argv("mysql -e x")).1, None);
    }

    #[test]
    fn urls_lose_their_password_in_messages() {
        assert_eq!(
            describe_connection(&argv("-d postgres://u:pw@h/app")),
            "…@h/app"
        );
        assert_eq!(describe_connection(&argv("-h db -d app")), "app on db");
    }
}
