//! Table-driven cases: real command lines through the real parser, then `payload`.

use std::path::PathBuf;

use super::SqlKind::*;
use super::*;
use crate::parse::{Limits, Place};
use crate::unwrap::analyze;

/// The payloads of the clients in `line`, added up.
fn run(line: &str) -> SqlPayload {
    let script = analyze(line, &Limits::default());
    let found: Vec<SqlPayload> = script
        .commands
        .iter()
        .filter_map(|c| payload(c, &script))
        .collect();
    assert!(!found.is_empty(), "{line}: no client found");
    SqlPayload {
        kinds: found.iter().flat_map(|p| p.kinds.clone()).collect(),
        hidden: found.iter().any(|p| p.hidden),
        writes: found.iter().any(|p| p.writes),
    }
}

/// Check a table of `(line, kinds, hidden)`; report every failure at once.
fn check(cases: &[(String, Vec<SqlKind>, bool)]) {
    let mut failures = Vec::new();
    for (line, kinds, hidden) in cases {
        let got = run(line);
        if got.kinds != *kinds || got.hidden != *hidden {
            failures.push(format!(
                "{line}\n    want {kinds:?} hidden={hidden}\n    got  {:?} hidden={}",
                got.kinds, got.hidden
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn table(cases: &[(&str, &[SqlKind], bool)]) -> Vec<(String, Vec<SqlKind>, bool)> {
    cases
        .iter()
        .map(|(l, k, h)| ((*l).to_string(), k.to_vec(), *h))
        .collect()
}

#[test]
fn psql() {
    check(&table(&[
        ("psql -c 'DROP TABLE users'", &[DropTable], false),
        ("psql --command='drop table users'", &[DropTable], false),
        (
            "psql -U admin -d app -c 'TRUNCATE orders'",
            &[Truncate],
            false,
        ),
        ("psql -h db -p 5432 -U drop -d truncate app", &[], false),
        (
            "psql -c 'SELECT 1' -c 'DROP DATABASE app'",
            &[DropDatabase],
            false,
        ),
        ("psql -Xqc 'DROP SCHEMA s CASCADE'", &[DropSchema], false),
        (
            "psql -c 'DROP DATABASE IF EXISTS app WITH (FORCE)'",
            &[DropDatabase],
            false,
        ),
        ("psql -c 'SELECT 1; DROP TABLE x'", &[DropTable], false),
        ("psql -c \"SELECT 'DROP DATABASE x'\"", &[], false),
        ("psql -c 'SELECT * FROM drop_table_log'", &[], false),
        ("psql -c '-- DROP TABLE x\nSELECT 1'", &[], false),
        ("psql -c '/* DROP TABLE x */ SELECT 1'", &[], false),
        ("psql -c 'select \"DROP TABLE x\" from t'", &[], false),
        ("psql -c 'DELETE FROM users'", &[DeleteAll], false),
        ("psql -c 'DELETE FROM users WHERE id = 5'", &[], false),
        ("psql -c 'delete from users where 1=1'", &[DeleteAll], false),
        (
            "psql -c 'DELETE FROM users WHERE true'",
            &[DeleteAll],
            false,
        ),
        (
            "psql -c \"DELETE FROM users WHERE 'a'='a'\"",
            &[DeleteAll],
            false,
        ),
        (
            "psql -c 'DELETE FROM users WHERE id = id'",
            &[DeleteAll],
            false,
        ),
        (
            "psql -c 'DELETE FROM users WHERE id = 5 OR 1 = 1'",
            &[DeleteAll],
            false,
        ),
        (
            "psql -c 'DELETE FROM users WHERE id = 5 AND 1 = 1'",
            &[],
            false,
        ),
        (
            "psql -c 'UPDATE users SET admin = true'",
            &[UpdateAll],
            false,
        ),
        (
            "psql -c 'UPDATE users SET admin = true WHERE id = 7'",
            &[],
            false,
        ),
        (
            "psql -c 'UpDaTe users SET a = 1 WHERE (1 = 1)'",
            &[UpdateAll],
            false,
        ),
        (
            "psql -c 'INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET n = 2'",
            &[],
            false,
        ),
        (
            "psql -c 'ALTER TABLE users DROP COLUMN ssn'",
            &[AlterDrop],
            false,
        ),
        (
            "psql -c 'ALTER TABLE users DROP CONSTRAINT users_pkey'",
            &[],
            false,
        ),
        (
            "psql -c 'ALTER TABLE users ALTER COLUMN a DROP DEFAULT'",
            &[],
            false,
        ),
        ("psql -c 'DROP INDEX users_email_idx'", &[DropObject], false),
        ("psql -c 'DROP VIEW v CASCADE'", &[DropTable], false),
        (
            "psql -c 'TRUNCATE TABLE a, b RESTART IDENTITY'",
            &[Truncate],
            false,
        ),
        (
            "psql -c 'BEGIN; DELETE FROM users; ROLLBACK;'",
            &[DeleteAll],
            false,
        ),
        (
            "psql -c 'WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d'",
            &[DeleteAll],
            false,
        ),
        ("psql -c 'EXPLAIN DELETE FROM users'", &[], false),
        (
            "psql -c 'EXPLAIN ANALYZE DELETE FROM users'",
            &[DeleteAll],
            false,
        ),
        (
            "psql -c 'CREATE FUNCTION f() RETURNS void AS $$ DELETE FROM users $$ LANGUAGE sql'",
            &[],
            false,
        ),
        (
            "psql -c 'DO $$ BEGIN DROP TABLE x; END $$'",
            &[DropTable],
            false,
        ),
        (
            "psql -c \"DO \\$\\$ BEGIN EXECUTE 'TRUNCATE ' || t; END \\$\\$\"",
            &[Truncate],
            true,
        ),
        ("psql -c '\\c other' -c 'DROP TABLE x'", &[DropTable], false),
        ("psql -c '\\dt'", &[], false),
        ("psql -c 'SELECT 1 \\gexec'", &[], true),
        (
            "psql -c 'GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC'",
            &[Privileges],
            false,
        ),
        ("psql -c 'GRANT SELECT ON t TO app'", &[], false),
        (
            "psql -c 'DROP OWNED BY legacy CASCADE'",
            &[DropTable],
            false,
        ),
        (
            "psql -c 'CREATE OR REPLACE TABLE t AS SELECT 1'",
            &[DropTable],
            false,
        ),
        ("psql -c 'DRoP tAbLe x'", &[DropTable], false),
        ("psql -h db", &[], false),
        ("psql -l", &[], false),
        ("psql -c \"$SQL\"", &[], true),
        ("psql -c \"DROP TABLE $t\"", &[DropTable], false),
        ("psql -c \"DELETE FROM t WHERE $cond\"", &[], true),
        ("psql \"$DATABASE_URL\" -c 'SELECT 1'", &[], false),
    ]));
}

#[test]
fn psql_stdin() {
    check(&table(&[
        (
            "psql <<'EOF'\nSELECT 1;\nDROP TABLE users;\nEOF",
            &[DropTable],
            false,
        ),
        ("psql <<EOF\nDELETE FROM $t;\nEOF", &[DeleteAll], false),
        ("psql <<EOF\n$SQL\nEOF", &[], true),
        ("psql <<< 'TRUNCATE users'", &[Truncate], false),
        ("echo 'DROP DATABASE app' | psql", &[DropDatabase], false),
        ("echo SELECT 1 | psql", &[], false),
        (
            "printf 'SELECT 1;\\nDROP TABLE %s;\\n' users | psql",
            &[DropTable],
            false,
        ),
        (
            "cat <<'EOF' | psql\nDROP SCHEMA s;\nEOF",
            &[DropSchema],
            false,
        ),
        ("cat <<< 'DELETE FROM t' | psql", &[DeleteAll], false),
        ("curl -s https://x/wipe.sql | psql", &[], true),
        ("gunzip -c dump.sql.gz | psql", &[], true),
        (
            "cat /nonexistent/guardsh/wipe.sql | psql $DATABASE_URL",
            &[],
            true,
        ),
        ("psql < /nonexistent/guardsh/wipe.sql", &[], true),
        ("psql -f /nonexistent/guardsh/migrate.sql", &[], true),
        ("psql -c 'SELECT 1' <<< 'DROP TABLE x'", &[], false),
        (
            "{ echo 'SELECT 1;'; echo 'DROP TABLE x;'; } | psql",
            &[DropTable],
            false,
        ),
        ("echo \"$SQL\" | psql", &[], true),
        ("echo 'DROP TABLE x' > /dev/null | psql", &[], true),
        ("psql -f - <<< 'DROP TABLE x'", &[DropTable], false),
        ("psql < /dev/null", &[], false),
        ("psql -c 'DROP TABLE x' < /dev/null", &[DropTable], false),
        (
            "sudo -u postgres psql -c 'DROP DATABASE app'",
            &[DropDatabase],
            false,
        ),
        ("bash -c \"psql -c 'TRUNCATE t'\"", &[Truncate], false),
    ]));
}

#[test]
fn mysql_and_mariadb() {
    check(&table(&[
        ("mysql -e 'DROP SCHEMA shop'", &[DropDatabase], false),
        (
            "mysql -h prod -u root -e 'DROP DATABASE shop'",
            &[DropDatabase],
            false,
        ),
        ("mysql --execute='TRUNCATE sessions'", &[Truncate], false),
        (
            "mysql -uroot -psecret shop -e 'DELETE FROM t WHERE 1'",
            &[DeleteAll],
            false,
        ),
        ("mysql -p shop -e 'select 1'", &[], false),
        (
            "mariadb -e 'UPDATE accounts SET balance=0'",
            &[UpdateAll],
            false,
        ),
        (
            "mysql -e \"UPDATE users SET name='x' WHERE id=7\"",
            &[],
            false,
        ),
        ("mysql -e 'SELECT TRUNCATE(1.5, 0)'", &[], false),
        ("mysql -e '# DROP TABLE x\nSELECT 1'", &[], false),
        ("mysql -e '/*!40101 DROP TABLE x */'", &[DropTable], false),
        (
            "mysql -e \"SELECT 'a\\\\'; DROP TABLE x; -- '\"",
            &[DropTable],
            false,
        ),
        (
            "mysql -e 'INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE n = 2'",
            &[],
            false,
        ),
        (
            "mysql -e \"PREPARE s FROM 'DROP TABLE x'\"",
            &[DropTable],
            false,
        ),
        ("mysql -e 'PREPARE s FROM @q'", &[], true),
        (
            "printf 'DROP TABLE users;\\n' | mysql shop",
            &[DropTable],
            false,
        ),
        (
            "mysql shop <<'EOF'\nsource /nonexistent/guardsh/x.sql\nEOF",
            &[],
            true,
        ),
        ("mysql -e 'ALTER TABLE t DROP c'", &[AlterDrop], false),
        ("mysql -e 'ALTER TABLE t DROP INDEX i'", &[], false),
        ("mysql shop", &[], false),
    ]));
}

#[test]
fn sqlite_duckdb_cockroach_clickhouse_cqlsh_sqlcmd() {
    check(&table(&[
        ("sqlite3 app.db 'DROP TABLE orders;'", &[DropTable], false),
        (
            "sqlite3 data/app.db 'DELETE FROM users'",
            &[DeleteAll],
            false,
        ),
        ("sqlite3 app.db .tables", &[], false),
        (
            "sqlite3 prod.db '.restore old.db'",
            &[ReplaceDatabase],
            false,
        ),
        ("sqlite3 -csv -header app.db 'SELECT * FROM t'", &[], false),
        ("sqlite3 app.db < /nonexistent/guardsh/x.sql", &[], true),
        ("echo 'DROP TABLE t;' | sqlite3 app.db", &[DropTable], false),
        (
            "sqlite3 app.db '.read /nonexistent/guardsh/x.sql'",
            &[],
            true,
        ),
        (
            "sqlite3 -cmd 'PRAGMA x' app.db <<< 'DELETE FROM t'",
            &[DeleteAll],
            false,
        ),
        ("duckdb local.duckdb -c 'DROP TABLE t'", &[DropTable], false),
        ("duckdb -csv local.duckdb 'SELECT 1'", &[], false),
        ("duckdb local.duckdb 'TRUNCATE t'", &[Truncate], false),
        (
            "cockroach sql --url $URL -e 'DROP DATABASE bank CASCADE'",
            &[DropDatabase],
            false,
        ),
        (
            "cockroach sql --insecure --execute='DELETE FROM t'",
            &[DeleteAll],
            false,
        ),
        (
            "clickhouse-client -q 'DROP DATABASE analytics'",
            &[DropDatabase],
            false,
        ),
        (
            "clickhouse client --query 'TRUNCATE TABLE logs'",
            &[Truncate],
            false,
        ),
        (
            "clickhouse-client --multiquery -q 'SELECT 1; DROP TABLE t'",
            &[DropTable],
            false,
        ),
        ("clickhouse-client -h ch -u drop -q 'SELECT 1'", &[], false),
        (
            "clickhouse-client -q 'ALTER TABLE events DELETE WHERE 1'",
            &[DeleteAll],
            false,
        ),
        (
            "clickhouse-client -q \"ALTER TABLE users UPDATE email = '' WHERE 1\"",
            &[UpdateAll],
            false,
        ),
        (
            "clickhouse-client -q 'ALTER TABLE e DELETE WHERE ts < 5'",
            &[],
            false,
        ),
        (
            "clickhouse-client -q 'ALTER TABLE logs DROP PARTITION 202401'",
            &[AlterDrop],
            false,
        ),
        (
            "echo 'DROP TABLE t' | clickhouse-client",
            &[DropTable],
            false,
        ),
        ("cqlsh -e 'DROP KEYSPACE metrics'", &[DropSchema], false),
        (
            "cqlsh prod-node -e 'TRUNCATE app.events'",
            &[Truncate],
            false,
        ),
        ("cqlsh -e 'DELETE FROM t WHERE id = 1'", &[], false),
        (
            "sqlcmd -S db -Q 'DROP DATABASE Sales'",
            &[DropDatabase],
            false,
        ),
        (
            "sqlcmd -Q 'SELECT 1\nGO\nTRUNCATE TABLE t'",
            &[Truncate],
            false,
        ),
        ("sqlcmd -Q \"EXEC('DROP TABLE t')\"", &[DropTable], false),
        ("sqlcmd -Q 'EXEC (@sql)'", &[], true),
        ("sqlcmd -Q 'EXEC dbo.report'", &[], false),
        ("sqlcmd -Q 'DELETE users'", &[DeleteAll], false),
    ]));
}

#[test]
fn mongo_and_redis() {
    check(&table(&[
        (
            "mongosh \"$MONGO_URL\" --eval 'db.dropDatabase()'",
            &[DropDatabase],
            false,
        ),
        (
            "mongosh app --eval 'db.users.deleteMany({})'",
            &[DeleteAll],
            false,
        ),
        (
            "mongosh app --eval 'db.users.deleteMany({age: {$gt: 90}})'",
            &[],
            false,
        ),
        (
            "mongosh app --eval 'db.users.deleteMany(filter)'",
            &[],
            true,
        ),
        ("mongo prod --eval 'db.orders.drop()'", &[DropTable], false),
        ("mongosh --eval 'db.stats()'", &[], false),
        (
            "mongosh --eval 'db.users.updateMany({}, {$set: {x: 1}})'",
            &[UpdateAll],
            false,
        ),
        (
            "mongosh --eval 'db.runCommand({dropDatabase: 1})'",
            &[DropDatabase],
            false,
        ),
        (
            "mongosh --eval \"db.users.find({name: 'db.dropDatabase()'})\"",
            &[],
            false,
        ),
        (
            "echo 'db.logs.remove({})' | mongosh app",
            &[DeleteAll],
            false,
        ),
        ("mongosh app /nonexistent/guardsh/wipe.js", &[], true),
        ("redis-cli -u \"$REDIS_URL\" FLUSHALL", &[Flush], false),
        ("redis-cli -n 2 flushdb async", &[Flush], false),
        ("redis-cli -h h -n 0 -a drop FLUSHALL", &[Flush], false),
        ("redis-cli -h flushall GET k", &[], false),
        ("echo FLUSHALL | redis-cli -h prod-redis", &[Flush], false),
        ("printf 'SET a 1\\nflushdb\\n' | redis-cli", &[Flush], false),
        ("redis-cli INFO keyspace", &[], false),
        ("redis-cli SHUTDOWN NOSAVE", &[ServerAdmin], false),
        ("redis-cli CONFIG SET dir /tmp", &[ServerAdmin], false),
        (
            "redis-cli EVAL \"return redis.call('flushall')\" 0",
            &[Flush],
            false,
        ),
        ("redis-cli --scan --pattern 'session:*'", &[], false),
        ("redis-cli $CMD", &[], true),
        ("redis-cli", &[], false),
        ("valkey-cli FLUSHALL", &[Flush], false),
    ]));
}

/// A directory of test files, removed at the end.
struct Files(PathBuf);

impl Files {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("guardsh-sql-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Files(dir)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write test file");
        p.display().to_string()
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn files() {
    let f = Files::new("files");
    let wipe = f.write("wipe.sql", "SELECT 1;\n-- comment\nDROP TABLE users;\n");
    let safe = f.write("safe.sql", "SELECT * FROM drop_table_log;\n");
    let include = f.write("include.sql", &format!("\\i {wipe}\nSELECT 1;\n"));
    let js = f.write("wipe.js", "db.getSiblingDB('app').dropDatabase()\n");
    let redis = f.write("cmds.txt", "GET a\nFLUSHALL\n");
    let lua = f.write("s.lua", "return redis.call('FLUSHDB')\n");
    let big = f.write("big.sql", &"SELECT 1;\n".repeat(120_000));
    let cases = vec![
        (format!("psql -f {wipe}"), vec![DropTable], false),
        (format!("psql --file={safe}"), vec![], false),
        (format!("psql < {wipe}"), vec![DropTable], false),
        (format!("cat {wipe} | psql"), vec![DropTable], false),
        (format!("cat {safe} | psql"), vec![], false),
        (format!("psql -f {include}"), vec![DropTable], false),
        (format!("psql -f {big}"), vec![], true),
        (format!("mysql shop < {wipe}"), vec![DropTable], false),
        (
            format!("sqlite3 app.db '.read {wipe}'"),
            vec![DropTable],
            false,
        ),
        (format!("sqlite3 app.db < {safe}"), vec![], false),
        (format!("cqlsh -f {wipe}"), vec![DropTable], false),
        (format!("sqlcmd -i {safe},{wipe}"), vec![DropTable], false),
        (
            format!("clickhouse-client --queries-file {wipe}"),
            vec![DropTable],
            false,
        ),
        (format!("mongosh app {js}"), vec![DropDatabase], false),
        (
            format!("mongosh --eval 'load(\"{js}\")'"),
            vec![DropDatabase],
            false,
        ),
        (format!("redis-cli < {redis}"), vec![Flush], false),
        (format!("redis-cli --eval {lua} k , a"), vec![Flush], false),
        // The line may change the file before the client reads it.
        (
            format!("cp /tmp/other.sql {safe} && psql -f {safe}"),
            vec![],
            true,
        ),
        (
            format!("echo 'DROP TABLE x' > {safe}; psql -f {safe}"),
            vec![],
            true,
        ),
        // A `cd` makes a relative name mean another file.
        ("cd /tmp && psql -f wipe.sql".to_string(), vec![], true),
        // Not a regular file: never read (it could block).
        ("psql -f /dev/stdin".to_string(), vec![], true),
    ];
    check(&cases);
}

#[test]
fn xargs_fed_redis_delete() {
    let script = analyze("redis-cli del", &Limits::default());
    let mut cmd = script.commands[0].clone();
    cmd.places.push(Place::Wrapper {
        via: "xargs".into(),
    });
    let p = payload(&cmd, &script).expect("a client");
    assert_eq!(p.kinds, vec![DeleteKeys]);
    assert!(p.hidden);
}

#[test]
fn not_clients() {
    for line in [
        "ls -l",
        "psql-wrapper -c 'DROP TABLE x'",
        "cockroach start",
        "clickhouse server",
    ] {
        let script = analyze(line, &Limits::default());
        assert!(
            script
                .commands
                .iter()
                .all(|c| payload(c, &script).is_none()),
            "{line}"
        );
    }
}

/// Every `examples:` line of the catalogue's `sql` / `sql_client` entries (and the
/// platform entries for postgres, mysql, sqlite, redis, mongodb, clickhouse, cassandra)
/// whose destruction travels as a payload.
#[test]
fn catalogue_examples() {
    check(&table(&[
        // sql.drop_database
        (
            "psql \"$DATABASE_URL\" -c 'DROP DATABASE app WITH (FORCE)'",
            &[DropDatabase],
            false,
        ),
        ("mysql -e 'DROP SCHEMA shop'", &[DropDatabase], false),
        ("cqlsh -e 'DROP KEYSPACE metrics'", &[DropSchema], false),
        // sql.drop_table
        ("psql -c 'DROP TABLE users CASCADE'", &[DropTable], false),
        ("sqlite3 app.db 'DROP TABLE orders;'", &[DropTable], false),
        // sql.truncate
        (
            "psql -c 'TRUNCATE orders, payments CASCADE'",
            &[Truncate],
            false,
        ),
        (
            "clickhouse-client -q 'TRUNCATE TABLE events'",
            &[Truncate],
            false,
        ),
        // sql.delete_no_where
        ("psql -c 'DELETE FROM users'", &[DeleteAll], false),
        (
            "mysql -e 'DELETE FROM sessions WHERE 1=1'",
            &[DeleteAll],
            false,
        ),
        // sql.update_no_where
        (
            "psql -c \"UPDATE users SET email = 'test@example.com'\"",
            &[UpdateAll],
            false,
        ),
        (
            "mysql -e 'UPDATE accounts SET balance=0'",
            &[UpdateAll],
            false,
        ),
        // sql.alter_drop
        (
            "psql -c 'ALTER TABLE users DROP COLUMN ssn'",
            &[AlterDrop],
            false,
        ),
        (
            "clickhouse-client -q 'ALTER TABLE logs DROP PARTITION 202401'",
            &[AlterDrop],
            false,
        ),
        // sql.bulk_delete_ch
        (
            "clickhouse-client -q 'ALTER TABLE events DELETE WHERE 1'",
            &[DeleteAll],
            false,
        ),
        (
            "clickhouse-client -q \"ALTER TABLE users UPDATE email = '' WHERE 1\"",
            &[UpdateAll],
            false,
        ),
        // sql.grant_public
        (
            "psql -c 'GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC'",
            &[Privileges],
            false,
        ),
        ("psql -c 'ALTER ROLE app SUPERUSER'", &[Privileges], false),
        // DROP OWNED drops the role's tables too: reported as the stricter kind.
        (
            "psql -c 'DROP OWNED BY legacy_user CASCADE'",
            &[DropTable],
            false,
        ),
        // psql.destructive (the file does not exist here: unseen)
        ("psql \"$DATABASE_URL\" -f migrate.sql", &[], true),
        (
            "psql -h prod-db -U admin -c 'DROP TABLE x'",
            &[DropTable],
            false,
        ),
        ("cat wipe.sql | psql $DATABASE_URL", &[], true),
        // mysql.destructive
        (
            "mysql -h prod -u root -e 'DROP DATABASE shop'",
            &[DropDatabase],
            false,
        ),
        ("mysql shop < reset.sql", &[], true),
        // sqlite.destructive
        (
            "sqlite3 data/app.db 'DELETE FROM users'",
            &[DeleteAll],
            false,
        ),
        (
            "sqlite3 prod.db '.restore old.db'",
            &[ReplaceDatabase],
            false,
        ),
        // mongosh.destructive
        (
            "mongosh \"$MONGO_URL\" --eval 'db.dropDatabase()'",
            &[DropDatabase],
            false,
        ),
        (
            "mongosh app --eval 'db.users.deleteMany({})'",
            &[DeleteAll],
            false,
        ),
        ("mongo prod --eval 'db.orders.drop()'", &[DropTable], false),
        // redis.flush
        ("redis-cli -u \"$REDIS_URL\" FLUSHALL", &[Flush], false),
        ("redis-cli -n 2 flushdb async", &[Flush], false),
        ("echo FLUSHALL | redis-cli -h prod-redis", &[Flush], false),
        // redis.bulk_del: the keys come from xargs, unseen.
        (
            "redis-cli --scan --pattern 'session:*' | xargs redis-cli del",
            &[DeleteKeys],
            true,
        ),
        ("redis-cli SHUTDOWN NOSAVE", &[ServerAdmin], false),
        // postgres.pg_restore.clean: a dump piped into psql is unseen.
        ("pg_dump --clean staging | psql $PROD_URL", &[], true),
        // cqlsh.destructive
        (
            "cqlsh prod-node -e 'DROP KEYSPACE analytics'",
            &[DropSchema],
            false,
        ),
        ("cqlsh -e 'TRUNCATE app.events'", &[Truncate], false),
        // clickhouse.destructive
        (
            "clickhouse-client -q 'DROP DATABASE analytics'",
            &[DropDatabase],
            false,
        ),
        (
            "clickhouse client --query 'TRUNCATE TABLE logs'",
            &[Truncate],
            false,
        ),
        // benign look-alikes: sql.where, sql.readonly
        ("psql -c 'DELETE FROM sessions WHERE id = 42'", &[], false),
        (
            "mysql -e \"UPDATE users SET name='x' WHERE id=7\"",
            &[],
            false,
        ),
        ("psql -c '\\dt'", &[], false),
        ("sqlite3 app.db '.tables'", &[], false),
        ("redis-cli INFO keyspace", &[], false),
        ("mongosh --eval 'db.stats()'", &[], false),
        // sql.transaction_preview: statements inside BEGIN … ROLLBACK still count here.
        (
            "psql -c 'BEGIN; DELETE FROM users WHERE created_at < now() - interval ''1 year''; ROLLBACK;'",
            &[],
            false,
        ),
    ]));
}

/// Odd, hostile and huge inputs: no panic, bounded time, and never a silent pass of what
/// the reading cannot follow.
#[test]
fn hostile_inputs_do_not_panic() {
    let deep = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
    let nots = format!("DELETE FROM t WHERE {}true", "NOT ".repeat(5000));
    let unary = format!("SELECT {}1", "-".repeat(5000));
    let texts = [
        deep.as_str(),
        nots.as_str(),
        unary.as_str(),
        "'",
        "\"",
        "/*",
        "$$",
        "$a$",
        "E'\\",
        "\\",
        "é'ü\"ß`[",
        "DROP",
        "DELETE",
        "UPDATE x SET",
        "ALTER TABLE",
        "WHERE",
        "DO $$",
        "EXECUTE",
        "\u{202e}DROP TABLE x",
    ];
    let all = || {
        for flavor in [
            Flavor::Postgres,
            Flavor::Cockroach,
            Flavor::MySql,
            Flavor::Sqlite,
            Flavor::DuckDb,
            Flavor::ClickHouse,
            Flavor::Cql,
            Flavor::MsSql,
        ] {
            for text in texts {
                for dynamic in [false, true] {
                    let script = analyze("psql", &Limits::default());
                    let mut cx = Cx::new(&script.commands[0], &script);
                    cx.parser = true;
                    cx.classify(
                        Lang::Sql(flavor),
                        &Piece {
                            text: text.to_string(),
                            dynamic,
                        },
                    );
                    cx.classify(Lang::Mongo, &Piece::literal(text));
                    cx.classify(Lang::Redis, &Piece::literal(text));
                }
            }
        }
        // The deep NOT chain is still judged (from tokens), not silently passed.
        let script = analyze("psql", &Limits::default());
        let mut cx = Cx::new(&script.commands[0], &script);
        cx.parser = true;
        cx.classify(
            Lang::Sql(Flavor::Postgres),
            &Piece::literal(format!("SELECT 1; {nots}; DELETE FROM t")),
        );
        cx.kinds
    };
    let kinds = on_big_stack(all).expect("a thread").expect("no panic");
    assert_eq!(kinds, vec![DeleteAll]);
}

#[test]
fn text_beyond_the_budget_is_unseen() {
    let script = analyze("psql", &Limits::default());
    let mut cx = Cx::new(&script.commands[0], &script);
    let filler = "SELECT 1;".repeat(MAX_TEXT / 9 + 10);
    cx.classify(Lang::Sql(Flavor::Postgres), &Piece::literal(filler));
    cx.classify(Lang::Sql(Flavor::Postgres), &Piece::literal("DROP TABLE x"));
    assert!(cx.hidden);
}

#[test]
fn a_multibyte_cut_is_safe() {
    let script = analyze("psql", &Limits::default());
    let mut cx = Cx::new(&script.commands[0], &script);
    cx.budget = 3;
    assert_eq!(cx.charge("éé"), "é");
    assert!(cx.hidden);
}
