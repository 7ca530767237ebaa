//! SQL (and Mongo / Redis commands) sent to a database client, classified by what it
//! destroys.
//!
//! Three steps, one file each:
//! - `clients`: which programs are database clients and where their statements are in
//!   the argv (`psql -c`, `mysql -e`, `sqlite3 DB SQL`, `redis-cli FLUSHALL` …), knowing
//!   which options take values so a host or user name is never read as SQL.
//! - `input`: the statements a client reads from files and from its standard input
//!   (heredoc, here-string, `< file`, an `echo`/`printf`/`cat` earlier in its pipeline).
//! - `classify` (with `lex`) for SQL, `nosql` for Mongo and Redis: what the text does.
//!
//! What cannot be seen (an unread file, stdin from another program, `-c "$SQL"`) sets
//! [`SqlPayload::hidden`] rather than being guessed at; a statement the parser rejects is
//! still read token by token, so a parse failure never hides a destructive statement.

mod classify;
mod clients;
mod input;
mod lex;
mod nosql;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::parse::{Command, Script};

/// A destructive kind of statement. Rules name these in `when: { sql: [...] }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SqlKind {
    /// `DROP DATABASE` (MySQL's `DROP SCHEMA` too: there it is the same statement)
    DropDatabase,
    /// `DROP SCHEMA` / `DROP KEYSPACE`
    DropSchema,
    /// `DROP TABLE` / `DROP COLLECTION` / `db.coll.drop()`; also `DROP OWNED`,
    /// `CREATE OR REPLACE TABLE`, and the drop of any other object with `CASCADE` (which
    /// takes dependent tables and columns with it)
    DropTable,
    /// `TRUNCATE`
    Truncate,
    /// `DELETE` with no `WHERE`, or a `WHERE` that is always true; `deleteMany({})`;
    /// ClickHouse `ALTER TABLE … DELETE WHERE 1`
    DeleteAll,
    /// `UPDATE` with no `WHERE`, or a `WHERE` that is always true; `updateMany({}, …)`;
    /// ClickHouse `ALTER TABLE … UPDATE … WHERE 1`
    UpdateAll,
    /// `ALTER TABLE … DROP [COLUMN] c` and `DROP PARTITION`, ClickHouse `CLEAR COLUMN`:
    /// the values in them are lost. Dropping a constraint, index, default or `NOT NULL`
    /// loses no data and is not reported.
    AlterDrop,
    /// Redis `FLUSHALL` / `FLUSHDB`
    Flush,
    /// `DROP` of an object that holds no rows itself (`VIEW`, `INDEX`, `SEQUENCE`,
    /// `FUNCTION`, `TYPE`, `ROLE` …) without `CASCADE`; Mongo `dropIndexes()`. Recreatable,
    /// but whatever depends on it breaks.
    DropObject,
    /// Privileges or ownership widened or handed over: `GRANT … TO PUBLIC`,
    /// `ALTER ROLE … SUPERUSER`, `REASSIGN OWNED`, `ALTER SYSTEM`.
    Privileges,
    /// The database file itself replaced or emptied: sqlite `.restore`, `.open --new`.
    ReplaceDatabase,
    /// Redis `DEL` / `UNLINK` whose keys are not visible (fed by `xargs`, or dynamic):
    /// the `--scan --pattern … | xargs redis-cli del` idiom.
    DeleteKeys,
    /// Redis server commands that lose data without touching keys one by one:
    /// `SHUTDOWN NOSAVE`, `CONFIG SET dir|dbfilename`, `DEBUG …`.
    ServerAdmin,
}

/// What a client invocation sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SqlPayload {
    /// Destructive statements found, in order.
    pub kinds: Vec<SqlKind>,
    /// Some of what the client runs could not be seen (an unread file, stdin from a
    /// program, a dynamic argument): rules may treat that as risky.
    pub hidden: bool,
    /// Some statement changes data or schema (`INSERT`, an `UPDATE` or `DELETE` with a
    /// narrow `WHERE`, `ALTER`, `CREATE`…), destructive or not: what a rule for a
    /// production database reads, where even a one-row write needs a person.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub writes: bool,
}

/// The most text classified for one command (all its arguments, files and stdin
/// together). Beyond it the rest counts as unseen: the work stays bounded.
const MAX_TEXT: usize = 1 << 20;

/// How deep `\i file` inside a file, a feeder's own stdin, or a `DO` body inside them may
/// nest before the rest counts as unseen.
const MAX_DEPTH: u32 = 8;

/// The stack of the thread that classifies a command. `sqlparser` recurses once per
/// nesting level of an expression, and in a debug build each level takes over 100 KiB of
/// stack: its recursion limit (see `classify`) bounds the depth, this bounds the room.
/// Only the pages touched are ever committed.
const CLASSIFY_STACK: usize = 64 << 20;

/// Does `cmd`, a database client, read statements from its standard input (no `-c`, no
/// script file, or `-f -`)? `false` for anything that is not a client.
pub fn reads_stdin(cmd: &Command) -> bool {
    clients::invocation(cmd).is_some_and(|inv| inv.stdin)
}

/// The SQL payload of `cmd`, or `None` when `cmd` is not a database client. `script` is
/// the whole analysis, for stdin fed from an earlier pipeline stage.
pub fn payload(cmd: &Command, script: &Script) -> Option<SqlPayload> {
    let inv = clients::invocation(cmd)?;
    if DEEP_MAIN.with(std::cell::Cell::get) && !BIG_STACK.with(std::cell::Cell::get) {
        let inline = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            classify_invocation(cmd, script, &inv, Reading::Inline)
        }));
        match inline {
            Ok(Some(p)) => return Some(p),
            // A statement too long for this stack: read on the deep one below.
            Ok(None) => {}
            // A bug of ours (a panic) must not let the statements through unread.
            Err(_) => {
                return Some(SqlPayload {
                    kinds: Vec::new(),
                    hidden: true,
                    writes: false,
                });
            }
        }
    }
    Some(
        match on_big_stack(|| classify_invocation(cmd, script, &inv, Reading::Parser)) {
            Ok(Some(Some(p))) => p,
            // A bug of ours (a panic) must not let the statements through unread (and a
            // deep-stack reading never asks for a deeper one).
            Ok(None | Some(None)) => SqlPayload {
                kinds: Vec::new(),
                hidden: true,
                writes: false,
            },
            // No thread to be had: read the statements from their tokens only, which
            // needs no deep stack.
            Err(()) => {
                classify_invocation(cmd, script, &inv, Reading::Tokens).unwrap_or(SqlPayload {
                    kinds: Vec::new(),
                    hidden: true,
                    writes: false,
                })
            }
        },
    )
}

std::thread_local! {
    /// This thread was started with [`CLASSIFY_STACK`] of stack: classify right here.
    static BIG_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// This is the process's main thread and its stack may grow to 8 MiB or more (see
    /// [`main_thread_stack_is_deep`]).
    static DEEP_MAIN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Statements up to this long are parsed on the main thread's own stack, when they are
/// nested 8 levels deep at most and the parser needs no more than 12 levels of recursion
/// (see `classify::INLINE_PARSE_DEPTH`): about 100 KiB of stack a level in a debug build,
/// far less in a release one. A statement this short cannot build an expression chain deep
/// enough to matter when it is dropped. Hostile statements at these limits fit in 1 MiB
/// (valgrind's `--main-stacksize`), against the 8 MiB the main thread may grow to. Longer
/// or deeper ones go to the deep-stack thread.
const INLINE_PARSE: usize = 4096;

/// Up to this many database clients in one decision, each reads its short statements on
/// the main thread; more share the one deep-stack thread (see [`needs_deep_thread`]).
const INLINE_CLIENTS: usize = 8;

/// Called by the binary on its main thread when the stack limit lets that stack grow to 8
/// MiB or more: short statements are then classified there, without starting a thread.
/// Starting the deep-stack thread (its fresh stack faults in page by page) was a fifth of
/// the time of a short line with a `psql` in it. Threads that never call this (test
/// harnesses, with 2 MiB stacks) keep classifying on the deep-stack thread.
pub fn main_thread_stack_is_deep() {
    DEEP_MAIN.with(|d| d.set(true));
}

/// How a payload is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// With the parser, on the deep-stack thread.
    Parser,
    /// With the parser for statements up to [`INLINE_PARSE`], on the main thread.
    Inline,
    /// From tokens only: no thread could be started.
    Tokens,
}

/// Run `f` with [`CLASSIFY_STACK`] of stack: here when this thread has it, else on a thread
/// of its own. `Err` when no thread could be started, `Ok(None)` when `f` panicked.
fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Result<Option<T>, ()> {
    if BIG_STACK.with(std::cell::Cell::get) {
        return Ok(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok());
    }
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("guardsh-sql".into())
            .stack_size(CLASSIFY_STACK)
            .spawn_scoped(s, || {
                BIG_STACK.with(|b| b.set(true));
                f()
            })
            .map(|h| h.join().ok())
            .map_err(|_| ())
    })
}

/// Is `cmd` a database client whose statements guardsh reads?
pub fn is_client(cmd: &Command) -> bool {
    clients::invocation(cmd).is_some()
}

/// Run `f`, work on `script` that classifies the SQL of its database clients (loading the
/// rules for it, deciding on it, reading its effects), where that classification needs no
/// thread per command: see [`with_stack_for_sql`]. Nested calls cost nothing.
pub fn on_stack_for<T: Send>(script: &Script, f: impl FnOnce() -> T + Send) -> T {
    let clients = script.commands.iter().filter(|c| is_client(c)).count();
    with_stack_for_sql(needs_deep_thread(clients), f)
}

/// Whether a decision with `clients` database-client commands needs the deep-stack thread
/// at all: not on a deep main thread with a few clients, whose short statements are read
/// right there (a long one still gets a thread of its own). Many clients share the one
/// deep thread, so that a script of long statements does not start a thread for each.
pub fn needs_deep_thread(clients: usize) -> bool {
    clients > 0 && !(DEEP_MAIN.with(std::cell::Cell::get) && clients <= INLINE_CLIENTS)
}

/// Run `f` (a whole decision) so that the SQL inside it is classified without a thread per
/// command: when `needed`, on one thread with [`CLASSIFY_STACK`] of stack, where every
/// classification then runs inline. A script of 3,000 `psql -c` lines spent 0.6 ms a line
/// starting threads (their fresh stacks fault page by page); now it starts one. A panic in
/// `f` is raised again here, as if `f` had run on this thread.
pub fn with_stack_for_sql<T: Send>(needed: bool, f: impl FnOnce() -> T + Send) -> T {
    if !needed || BIG_STACK.with(std::cell::Cell::get) {
        return f();
    }
    // Shared so that, if no thread can be started, the job is still here to run.
    let job = std::sync::Mutex::new(Some(f));
    let take = || job.lock().ok().and_then(|mut j| j.take());
    let outcome = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("guardsh-decide".into())
            .stack_size(CLASSIFY_STACK)
            .spawn_scoped(s, || {
                BIG_STACK.with(|b| b.set(true));
                take().map(|f| f())
            })
            .ok()
            .map(|h| h.join())
    });
    match outcome {
        Some(Ok(Some(v))) => v,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        // No thread to be had (or it found no job): decide here; each classification then
        // tries a thread of its own.
        Some(Ok(None)) | None => match take() {
            Some(f) => f(),
            None => std::panic::panic_any("guardsh: the decision was lost on its way to a thread"),
        },
    }
}

/// `None` when an [`Reading::Inline`] reading met a statement too long for it.
fn classify_invocation(
    cmd: &Command,
    script: &Script,
    inv: &clients::Invocation<'_>,
    reading: Reading,
) -> Option<SqlPayload> {
    let mut cx = Cx::new(cmd, script);
    cx.parser = reading != Reading::Tokens;
    cx.inline = reading == Reading::Inline;
    if inv.hidden {
        cx.hide();
    }
    for piece in &inv.texts {
        cx.classify(inv.lang, piece);
    }
    for file in &inv.files {
        if let Some(piece) = cx.read_file(file, cmd) {
            match inv.lang {
                // redis-cli --eval runs a Lua script.
                Lang::Redis => {
                    let text = cx.charge(&piece.text);
                    nosql::lua(&mut cx, text);
                }
                lang => cx.classify(lang, &piece),
            }
        }
    }
    if let Some(words) = &inv.redis {
        nosql::redis_argv(&mut cx, words);
    }
    if inv.stdin {
        for piece in input::stdin(&mut cx, cmd) {
            cx.classify(inv.lang, &piece);
        }
    }
    if cx.needs_big_stack {
        return None;
    }
    let writes = cx.writes || !cx.kinds.is_empty();
    Some(SqlPayload {
        kinds: cx.kinds,
        hidden: cx.hidden,
        writes,
    })
}

/// What `text`, SQL that `cmd` hands on as an argument although it is no client guardsh
/// knows (`snow sql -q "DROP TABLE users"`, `bq query 'DELETE …'`), would do on a server.
/// Read from its tokens, in a dialect-neutral (PostgreSQL) reading: no stack is needed and
/// the statement kinds are the same across servers.
pub fn of_text(cmd: &Command, script: &Script, text: &str, dynamic: bool) -> SqlPayload {
    let mut cx = Cx::new(cmd, script);
    cx.classify(
        Lang::Sql(Flavor::Postgres),
        &Piece {
            text: text.to_owned(),
            dynamic,
        },
    );
    let writes = cx.writes || !cx.kinds.is_empty();
    SqlPayload {
        kinds: cx.kinds,
        hidden: cx.hidden,
        writes,
    }
}

/// The language a client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    /// SQL in one server's flavour.
    Sql(Flavor),
    /// mongosh JavaScript.
    Mongo,
    /// Redis commands, one per line.
    Redis,
}

/// Whose SQL: decides the parser dialect, how strings and comments are read, and which
/// client commands exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// psql.
    Postgres,
    /// `cockroach sql` (PostgreSQL syntax, no psql meta-commands but `\` commands of its own).
    Cockroach,
    /// mysql / mariadb.
    MySql,
    /// sqlite3.
    Sqlite,
    /// duckdb.
    DuckDb,
    /// clickhouse-client.
    ClickHouse,
    /// cqlsh.
    Cql,
    /// sqlcmd.
    MsSql,
}

/// A piece of text a client runs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    /// The text.
    text: String,
    /// It came from a dynamic shell word: `$x`, `$(…)` in it are unknown expansions.
    dynamic: bool,
}

impl Piece {
    fn literal(text: impl Into<String>) -> Self {
        Piece {
            text: text.into(),
            dynamic: false,
        }
    }
}

/// What has been found so far for one command, and the limits on finding more.
struct Cx<'a> {
    /// The client command.
    cmd: &'a Command,
    /// The whole analysis it belongs to.
    script: &'a Script,
    kinds: Vec<SqlKind>,
    hidden: bool,
    /// A statement that changes data or schema was seen.
    writes: bool,
    /// Bytes of text still allowed.
    budget: usize,
    /// Current nesting (includes, feeders, `DO` bodies).
    depth: u32,
    /// `sqlparser` may be used (we run on a stack deep enough for it).
    parser: bool,
    /// We run on the main thread's stack: only statements up to [`INLINE_PARSE`] bytes
    /// may be parsed here.
    inline: bool,
    /// An inline reading met a longer statement: read it all again on the deep stack.
    needs_big_stack: bool,
}

impl<'a> Cx<'a> {
    fn new(cmd: &'a Command, script: &'a Script) -> Self {
        Cx {
            cmd,
            script,
            kinds: Vec::new(),
            hidden: false,
            writes: false,
            budget: MAX_TEXT,
            depth: 0,
            parser: false,
            inline: false,
            needs_big_stack: false,
        }
    }

    fn push(&mut self, kind: SqlKind) {
        self.kinds.push(kind);
    }

    fn hide(&mut self) {
        self.hidden = true;
    }

    /// Take `text` out of the budget: the part that fits (cut at a character boundary);
    /// anything cut off counts as unseen.
    fn charge<'t>(&mut self, text: &'t str) -> &'t str {
        if text.len() <= self.budget {
            self.budget -= text.len();
            return text;
        }
        self.hide();
        let mut end = self.budget;
        while end > 0 && !text.is_char_boundary(end) {
            end -= 1;
        }
        self.budget = 0;
        text.get(..end).unwrap_or("")
    }

    /// Run `f` one level deeper, or mark the text unseen when too deep already.
    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        if self.depth >= MAX_DEPTH {
            self.hide();
            return;
        }
        self.depth += 1;
        f(self);
        self.depth -= 1;
    }

    /// Classify one piece of text in `lang`.
    fn classify(&mut self, lang: Lang, piece: &Piece) {
        let text = self.charge(&piece.text);
        match lang {
            Lang::Sql(flavor) => classify::sql(self, text, piece.dynamic, flavor),
            Lang::Mongo => nosql::mongo(self, text, piece.dynamic),
            Lang::Redis => nosql::redis_lines(self, text, piece.dynamic),
        }
    }

    /// Read a file the client runs, named by `word` in `reader`'s argv (the client
    /// itself, or a `cat` feeding it). `None`, and the payload marked unseen, when the
    /// file cannot be read or is not what will run.
    fn read_file(&mut self, word: &crate::parse::Word, reader: &Command) -> Option<Piece> {
        let text = input::read_file(self, word, reader);
        if text.is_none() {
            self.hide();
        }
        text.map(Piece::literal)
    }
}
