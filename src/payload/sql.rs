//! SQL (and Mongo / Redis commands) sent to a database client, classified by what it
//! destroys.

use serde::{Deserialize, Serialize};

use crate::parse::{Command, Script};

/// A destructive kind of statement. Rules name these in `when: { sql: [...] }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SqlKind {
    /// `DROP DATABASE`
    DropDatabase,
    /// `DROP SCHEMA` / `DROP KEYSPACE`
    DropSchema,
    /// `DROP TABLE` / `DROP COLLECTION` / `db.coll.drop()`
    DropTable,
    /// `TRUNCATE`
    Truncate,
    /// `DELETE` with no `WHERE`, or a `WHERE` that is always true; `deleteMany({})`
    DeleteAll,
    /// `UPDATE` with no `WHERE`, or a `WHERE` that is always true; `updateMany({}, …)`
    UpdateAll,
    /// `ALTER TABLE … DROP …`
    AlterDrop,
    /// Redis `FLUSHALL` / `FLUSHDB`
    Flush,
}

/// What a client invocation sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SqlPayload {
    /// Destructive statements found, in order.
    pub kinds: Vec<SqlKind>,
    /// Some of what the client runs could not be seen (an unread file, stdin from a
    /// program, a dynamic argument): rules may treat that as risky.
    pub hidden: bool,
}

/// The SQL payload of `cmd`, or `None` when `cmd` is not a database client. `script` is
/// the whole analysis, for stdin fed from an earlier pipeline stage.
pub fn payload(cmd: &Command, script: &Script) -> Option<SqlPayload> {
    let _ = (cmd, script);
    None
}
