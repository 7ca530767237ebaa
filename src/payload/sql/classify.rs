//! What a text of SQL does: statements found by our own tokenizer (which knows each
//! server's strings, comments and client commands), each classified from `sqlparser`'s
//! syntax tree when the parser accepts it and from its tokens when it does not.
//!
//! The token reading is the safety net and is deliberately position-independent: a
//! destructive phrase (`DROP TABLE`, `TRUNCATE t`, `DELETE FROM t` without a real `WHERE`)
//! counts wherever it stands in a statement the parser rejected, so vendor syntax, psql
//! meta-commands or a typo next to it cannot hide it. The parser adds precision where the
//! tokens alone would over-report (bodies of `CREATE FUNCTION`/`TRIGGER` that do not run
//! now, `INSERT … ON CONFLICT DO UPDATE`).
//!
//! Where a server setting changes how text is read (backslash escapes in MySQL or
//! PostgreSQL strings, nested comments), every reading is classified and the findings
//! added up.

use std::panic::{AssertUnwindSafe, catch_unwind};

use sqlparser::ast::{Expr, ObjectType, Query, SetExpr, Statement};
use sqlparser::dialect::{
    ClickHouseDialect, Dialect, DuckDbDialect, GenericDialect, MsSqlDialect, MySqlDialect,
    PostgreSqlDialect, SQLiteDialect,
};
use sqlparser::parser::Parser;

use super::lex::{Lexed, Lexing, Meta, Tok, Token, lex};
use super::{Cx, Flavor, Lang, Piece, SqlKind};

/// Statements longer than this are read from tokens only: the parser's work stays small.
const MAX_PARSE: usize = 64 * 1024;
/// Statements nested deeper than this are read from tokens only: the parser recurses per
/// level, and a deep enough nesting would exhaust the stack before its own limit.
const MAX_PARSE_DEPTH: u32 = 16;
/// The parser's own recursion limit, below its default of 50 for the same reason.
const PARSER_RECURSION: usize = 32;
/// On the main thread's stack (see `super::INLINE_PARSE`), statements nested deeper than
/// this, or needing more parser recursion than the next, are left to the deep-stack thread:
/// a debug build needs about 100 KiB of stack per level.
const INLINE_PARSE_DEPTH: u32 = 8;
/// See [`INLINE_PARSE_DEPTH`].
const INLINE_PARSER_RECURSION: usize = 12;
/// How deep the always-true evaluation of a `WHERE` goes.
const MAX_TRUTH_DEPTH: u32 = 32;

/// The parser gave up at its recursion limit.
struct TooDeep;

/// How `flavor`'s server and client read text.
fn lexing(flavor: Flavor, shell: bool) -> Lexing {
    let plain = Lexing {
        backslash_escapes: false,
        nested_comments: false,
        dollar_quotes: false,
        hash_comments: false,
        backticks: false,
        brackets: false,
        double_quote_strings: false,
        exec_comments: false,
        dash_comment_needs_space: false,
        meta: Meta::None,
        shell,
    };
    match flavor {
        Flavor::Postgres => Lexing {
            nested_comments: true,
            dollar_quotes: true,
            meta: Meta::Psql,
            ..plain
        },
        Flavor::Cockroach => Lexing {
            nested_comments: true,
            dollar_quotes: true,
            meta: Meta::Psql,
            ..plain
        },
        Flavor::MySql => Lexing {
            backslash_escapes: true,
            hash_comments: true,
            backticks: true,
            double_quote_strings: true,
            exec_comments: true,
            dash_comment_needs_space: true,
            meta: Meta::MySql,
            ..plain
        },
        Flavor::Sqlite => Lexing {
            backticks: true,
            brackets: true,
            meta: Meta::Dot,
            ..plain
        },
        Flavor::DuckDb => Lexing {
            nested_comments: true,
            dollar_quotes: true,
            meta: Meta::Dot,
            ..plain
        },
        Flavor::ClickHouse => Lexing {
            backslash_escapes: true,
            backticks: true,
            ..plain
        },
        Flavor::Cql => Lexing {
            dollar_quotes: true,
            ..plain
        },
        Flavor::MsSql => Lexing {
            nested_comments: true,
            brackets: true,
            meta: Meta::SqlCmd,
            ..plain
        },
    }
}

fn dialect(flavor: Flavor) -> Box<dyn Dialect> {
    match flavor {
        Flavor::Postgres | Flavor::Cockroach => Box::new(PostgreSqlDialect {}),
        Flavor::MySql => Box::new(MySqlDialect {}),
        Flavor::Sqlite => Box::new(SQLiteDialect {}),
        Flavor::DuckDb => Box::new(DuckDbDialect {}),
        Flavor::ClickHouse => Box::new(ClickHouseDialect {}),
        Flavor::MsSql => Box::new(MsSqlDialect {}),
        Flavor::Cql => Box::new(GenericDialect {}),
    }
}

/// Where a statement is being read: decides which statements run dynamic SQL.
#[derive(Debug, Clone, Copy)]
struct Ctx {
    flavor: Flavor,
    /// Inside a PL/pgSQL body (`DO $$ … $$`): `EXECUTE` runs a string.
    plpgsql: bool,
}

/// Classify `text`, SQL for `flavor`'s client. `dynamic`: it came from a shell word with
/// expansions still in it.
pub(super) fn sql(cx: &mut Cx<'_>, text: &str, dynamic: bool, flavor: Flavor) {
    let ctx = Ctx {
        flavor,
        plpgsql: false,
    };
    let base = lexing(flavor, dynamic);
    let lexed = lex(text, base);
    let use_parser = cx.parser;
    statements(cx, text, &lexed, ctx, use_parser);
    let mut readings = Vec::new();
    if lexed.backslash_in_string
        && matches!(flavor, Flavor::Postgres | Flavor::Cockroach | Flavor::MySql)
    {
        readings.push(Lexing {
            backslash_escapes: !base.backslash_escapes,
            ..base
        });
    }
    if lexed.comment_in_comment {
        readings.push(Lexing {
            nested_comments: !base.nested_comments,
            ..base
        });
    }
    for reading in readings {
        let other = lex(text, reading);
        if other.tokens == lexed.tokens {
            continue;
        }
        let before = cx.kinds.len();
        statements(cx, text, &other, ctx, false);
        let found = cx.kinds.split_off(before);
        for k in found {
            if !cx.kinds.contains(&k) {
                cx.push(k);
            }
        }
    }
}

/// Split the tokens into statements and classify each; run the client commands.
fn statements(cx: &mut Cx<'_>, text: &str, lexed: &Lexed, ctx: Ctx, use_parser: bool) {
    let mut current: Vec<&Token> = Vec::new();
    let mut meta_inside = false;
    let tokens = lexed.tokens.iter().chain(std::iter::once(&END));
    for t in tokens {
        match &t.tok {
            Tok::Meta { name, args } => {
                client_command(cx, name, args, ctx);
                meta_inside |= !current.is_empty();
            }
            Tok::End => {
                if !current.is_empty() {
                    let parse_ok = use_parser && !meta_inside && !lexed.exec_comment;
                    statement(cx, text, &current, ctx, parse_ok);
                }
                current.clear();
                meta_inside = false;
            }
            _ => current.push(t),
        }
    }
}

/// The end sentinel closing the last statement.
static END: Token = Token {
    tok: Tok::End,
    start: 0,
    end: 0,
    depth: 0,
};

fn statement(cx: &mut Cx<'_>, text: &str, toks: &[&Token], ctx: Ctx, parse_ok: bool) {
    let Some(first) = toks.first() else {
        return;
    };
    // `-c "$SQL"`, `:query`: the statement itself is unknown.
    if matches!(first.tok, Tok::Expansion | Tok::Var) {
        cx.hide();
    }
    if writes(toks) {
        cx.writes = true;
    }
    // PostgreSQL's `COPY … FROM PROGRAM 'cmd'` / `TO PROGRAM 'cmd'` runs cmd on the
    // server's shell: a command guardsh does not see.
    if first.word().is_some_and(|w| w.eq_ignore_ascii_case("COPY"))
        && toks.windows(2).any(|p| {
            p[0].word()
                .is_some_and(|w| w.eq_ignore_ascii_case("FROM") || w.eq_ignore_ascii_case("TO"))
                && p[1]
                    .word()
                    .is_some_and(|w| w.eq_ignore_ascii_case("PROGRAM"))
        })
    {
        cx.hide();
    }
    let parse_ok = parse_ok
        && !ctx.plpgsql
        && toks
            .iter()
            .all(|t| !matches!(t.tok, Tok::Expansion | Tok::Var) && t.depth <= MAX_PARSE_DEPTH);
    if parse_ok {
        let start = first.start;
        let end = toks.last().map_or(start, |t| t.end);
        let inline_ok = end.saturating_sub(start) <= super::INLINE_PARSE
            && toks.iter().all(|t| t.depth <= INLINE_PARSE_DEPTH);
        if cx.inline && !inline_ok {
            // Too long or too nested to parse on the main thread's stack: the whole
            // payload is read again on the deep one, and this reading is thrown away.
            cx.needs_big_stack = true;
        } else if end.saturating_sub(start) <= MAX_PARSE
            && let Some(src) = text.get(start..end)
        {
            let limit = if cx.inline {
                INLINE_PARSER_RECURSION
            } else {
                PARSER_RECURSION
            };
            match parsed(src, ctx.flavor, limit) {
                Ok(Some(kinds)) => {
                    for k in kinds {
                        cx.push(k);
                    }
                    return;
                }
                // The deep stack's limit may let the parser through where this one did
                // not: read it there, not from tokens here.
                Err(TooDeep) if cx.inline => cx.needs_big_stack = true,
                Ok(None) | Err(TooDeep) => {}
            }
        }
    }
    scan(cx, toks, ctx);
}

/// Statements that change data or schema, by their first word; a `WITH` may lead to a
/// data-changing statement, so its words are read too. `SELECT … FOR UPDATE` only locks.
const WRITE_WORDS: &[&str] = &[
    "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE", "ALTER", "CREATE", "DROP",
    "TRUNCATE", "GRANT", "REVOKE", "COPY", "LOAD", "RENAME", "VACUUM", "REINDEX", "CLUSTER",
    "IMPORT", "CALL", "EXEC", "EXECUTE", "DO",
];

fn writes(toks: &[&Token]) -> bool {
    let is_write = |t: &Token| {
        t.word()
            .is_some_and(|w| WRITE_WORDS.iter().any(|k| w.eq_ignore_ascii_case(k)))
    };
    match toks.first() {
        Some(f) if f.is("WITH") => toks
            .windows(2)
            .any(|p| p[1].depth == f.depth && is_write(p[1]) && !p[0].is("FOR")),
        Some(f) => is_write(f),
        None => false,
    }
}

/// A client's own command (`\i f`, `source f`, `.read f`, `:r f`, `\gexec` …).
fn client_command(cx: &mut Cx<'_>, name: &str, args: &str, ctx: Ctx) {
    let include = matches!(
        (ctx.flavor, name),
        (
            Flavor::Postgres | Flavor::Cockroach,
            "i" | "include" | "ir" | "include_relative"
        ) | (Flavor::MySql, "." | "source")
            | (Flavor::Sqlite | Flavor::DuckDb, "read")
            | (Flavor::MsSql, "r")
    );
    if include {
        let path = first_arg(args);
        if path.starts_with('|') {
            // sqlite `.read |cmd` runs a program and reads its output.
            cx.hide();
        } else if !path.is_empty() {
            include_file(cx, &path, ctx.flavor);
        }
        return;
    }
    let shell = matches!(
        (ctx.flavor, name),
        (Flavor::Postgres | Flavor::Cockroach, "!" | "|" | "gexec")
            | (Flavor::MySql, "!" | "system")
            | (Flavor::Sqlite | Flavor::DuckDb, "shell" | "system")
            | (Flavor::MsSql, "!!")
    );
    // Output piped to a program (`\o |sh`, `\g |sh`) may run it too.
    let piped = matches!(ctx.flavor, Flavor::Postgres | Flavor::Cockroach)
        && matches!(name, "o" | "out" | "g" | "gx")
        && args.starts_with('|');
    if shell || piped {
        cx.hide();
        return;
    }
    if matches!(ctx.flavor, Flavor::Sqlite | Flavor::DuckDb) {
        let replaces = name == "restore"
            || (name == "open"
                && args
                    .split_whitespace()
                    .any(|a| matches!(a, "--new" | "-new")));
        if replaces {
            cx.push(SqlKind::ReplaceDatabase);
        }
    }
}

/// The first argument of a client command line, without its quotes.
fn first_arg(args: &str) -> String {
    let args = args.trim();
    for q in ['\'', '"'] {
        if let Some(rest) = args.strip_prefix(q) {
            return rest.split(q).next().unwrap_or("").to_string();
        }
    }
    args.split_whitespace().next().unwrap_or("").to_string()
}

fn include_file(cx: &mut Cx<'_>, path: &str, flavor: Flavor) {
    let cmd = cx.cmd;
    cx.nested(
        |cx| match super::input::read_path(cx, std::path::Path::new(path), cmd) {
            Some(text) => cx.classify(Lang::Sql(flavor), &Piece::literal(text)),
            None => cx.hide(),
        },
    );
}

// ---------------------------------------------------------------------------------------
// The parser's reading.

/// Kinds found by the parser in `src`, or `None` when it rejects `src` or a statement in
/// it is of a sort read from tokens instead; `Err` when it stopped at `recursion`.
fn parsed(src: &str, flavor: Flavor, recursion: usize) -> Result<Option<Vec<SqlKind>>, TooDeep> {
    let d = dialect(flavor);
    // The parser is third-party code fed untrusted text: a panic in it must cost only
    // its opinion, never the guard.
    let Ok(result) = catch_unwind(AssertUnwindSafe(|| {
        Parser::new(d.as_ref())
            .with_recursion_limit(recursion)
            .try_with_sql(src)
            .and_then(|mut p| p.parse_statements())
    })) else {
        return Ok(None);
    };
    let statements = match result {
        Ok(s) => s,
        Err(sqlparser::parser::ParserError::RecursionLimitExceeded) => return Err(TooDeep),
        Err(_) => return Ok(None),
    };
    // Our tokenizer saw a statement here; a parser that reads none reads the text
    // differently from the server.
    if statements.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for s in &statements {
        if !stmt(s, flavor, &mut out) {
            return Ok(None);
        }
    }
    Ok(Some(out))
}

/// Add what `s` destroys to `out`. False when `s` is of a sort left to the token reading.
fn stmt(s: &Statement, flavor: Flavor, out: &mut Vec<SqlKind>) -> bool {
    match s {
        Statement::Query(q) => query(q, flavor, out),
        Statement::Insert(i) => i.source.as_ref().is_none_or(|q| query(q, flavor, out)),
        Statement::Update(u) => {
            if all_rows(u.selection.as_ref(), flavor) {
                out.push(SqlKind::UpdateAll);
            }
            true
        }
        Statement::Delete(d) => {
            if all_rows(d.selection.as_ref(), flavor) {
                out.push(SqlKind::DeleteAll);
            }
            true
        }
        Statement::Truncate(_) => {
            out.push(SqlKind::Truncate);
            true
        }
        Statement::Drop {
            object_type,
            cascade,
            ..
        } => {
            out.push(match object_type {
                ObjectType::Table => SqlKind::DropTable,
                ObjectType::Database => SqlKind::DropDatabase,
                ObjectType::Schema if flavor == Flavor::MySql => SqlKind::DropDatabase,
                ObjectType::Schema => SqlKind::DropSchema,
                _ if *cascade => SqlKind::DropTable,
                _ => SqlKind::DropObject,
            });
            true
        }
        Statement::CreateTable(c) => {
            if c.or_replace {
                out.push(SqlKind::DropTable);
            }
            c.query.as_ref().is_none_or(|q| query(q, flavor, out))
        }
        // Definitions: their bodies run later, if ever.
        Statement::CreateView(_)
        | Statement::CreateIndex(_)
        | Statement::CreateFunction(_)
        | Statement::CreateTrigger(_)
        | Statement::CreateProcedure { .. }
        // Transactions and session settings change no data.
        | Statement::StartTransaction { .. }
        | Statement::Commit { .. }
        | Statement::Rollback { .. }
        | Statement::Savepoint { .. }
        | Statement::Set(_)
        | Statement::Use(_)
        | Statement::ShowTables { .. }
        | Statement::Comment { .. } => true,
        _ => false,
    }
}

/// A query, with data-modifying statements in its `WITH` clauses or body.
fn query(q: &Query, flavor: Flavor, out: &mut Vec<SqlKind>) -> bool {
    if let Some(with) = &q.with {
        for cte in &with.cte_tables {
            if !query(&cte.query, flavor, out) {
                return false;
            }
        }
    }
    set_expr(&q.body, flavor, out)
}

fn set_expr(e: &SetExpr, flavor: Flavor, out: &mut Vec<SqlKind>) -> bool {
    match e {
        SetExpr::Select(_) | SetExpr::Values(_) | SetExpr::Table(_) => true,
        SetExpr::Query(q) => query(q, flavor, out),
        SetExpr::SetOperation { left, right, .. } => {
            set_expr(left, flavor, out) && set_expr(right, flavor, out)
        }
        SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => stmt(s, flavor, out),
        _ => false,
    }
}

/// No `WHERE`, or one that is always true. The expression is printed and read by the
/// same evaluation as the token reading uses, so both readings agree.
fn all_rows(selection: Option<&Expr>, flavor: Flavor) -> bool {
    let Some(e) = selection else {
        return true;
    };
    let lexed = lex(&e.to_string(), lexing(flavor, false));
    let toks: Vec<&Token> = lexed.tokens.iter().collect();
    truth(&toks, 0) == Some(true)
}

// ---------------------------------------------------------------------------------------
// The token reading.

/// Words that start a statement: a `WHERE` after one of these belongs to it.
const STATEMENT_WORDS: &[&str] = &[
    "SELECT", "INSERT", "UPDATE", "DELETE", "DROP", "TRUNCATE", "ALTER", "CREATE", "GRANT",
    "MERGE", "EXEC", "EXECUTE",
];

/// Words after which a `WHERE` condition ends.
const WHERE_ENDS: &[&str] = &[
    "RETURNING",
    "ORDER",
    "LIMIT",
    "OPTION",
    "OUTPUT",
    "SETTINGS",
    "GROUP",
    "HAVING",
    "WINDOW",
    "UNION",
];

/// Words before `DELETE` / `UPDATE` that make it not a statement: `ON DELETE CASCADE`,
/// `BEFORE UPDATE ON`, `GRANT DELETE`, `DO UPDATE SET` (an upsert), `THEN DELETE` (MERGE,
/// bounded by its join), `ON DUPLICATE KEY UPDATE`, `FOR UPDATE`.
const NOT_A_STATEMENT_AFTER: &[&str] = &[
    "ON", "BEFORE", "AFTER", "FOR", "OF", "OR", "INSTEAD", "GRANT", "REVOKE", "THEN", "DO", "KEY",
];

/// Words after `TRUNCATE` that make it a column or function name, not the statement.
const NOT_TRUNCATED: &[&str] = &[
    "FROM", "ON", "AS", "AND", "OR", "WHERE", "IS", "IN", "THEN", "END", "ELSE", "WHEN", "LIKE",
    "TO", "BY", "ASC", "DESC", "NULL", "NOT", "LIMIT", "ORDER", "GROUP", "HAVING", "UNION", "INTO",
    "SET", "VALUES", "SELECT",
];

/// Objects whose `DROP` loses no rows by itself (with `CASCADE` it may).
const OBJECTS: &[&str] = &[
    "VIEW",
    "MATERIALIZED",
    "FOREIGN",
    "EXTERNAL",
    "INDEX",
    "SEQUENCE",
    "TYPE",
    "DOMAIN",
    "FUNCTION",
    "PROCEDURE",
    "ROUTINE",
    "AGGREGATE",
    "OPERATOR",
    "TRIGGER",
    "EXTENSION",
    "USER",
    "ROLE",
    "GROUP",
    "RULE",
    "POLICY",
    "SERVER",
    "PUBLICATION",
    "SUBSCRIPTION",
    "EVENT",
    "TABLESPACE",
    "DICTIONARY",
    "COLLATION",
    "CONVERSION",
    "LANGUAGE",
    "STATISTICS",
    "TEXT",
    "CAST",
    "ACCESS",
    "TRANSFORM",
    "SYNONYM",
    "PACKAGE",
    "LOGIN",
    "QUOTA",
    "PROFILE",
    "ROW",
    "SETTINGS",
    "MACRO",
    "SECRET",
    "STREAM",
];

/// What follows `ALTER TABLE … DROP` without losing data.
const KEEPS_DATA: &[&str] = &[
    "CONSTRAINT",
    "INDEX",
    "KEY",
    "PRIMARY",
    "FOREIGN",
    "CHECK",
    "DEFAULT",
    "NOT",
    "IDENTITY",
    "EXPRESSION",
    "PROJECTION",
    "STATISTICS",
    "TRIGGER",
    "PERIOD",
    "UNIQUE",
    "FULLTEXT",
    "SPATIAL",
];

fn word_at<'t>(toks: &[&'t Token], i: usize) -> Option<&'t str> {
    toks.get(i).and_then(|t| t.word())
}

/// Read one statement from its tokens.
fn scan(cx: &mut Cx<'_>, toks: &[&Token], ctx: Ctx) {
    let Some(first) = toks.iter().position(|t| !t.is_op("(")) else {
        return;
    };
    let head = word_at(toks, first).unwrap_or("");
    let second = word_at(toks, first + 1).unwrap_or("");
    let has = |w: &str| toks.iter().any(|t| t.is(w));
    let postgres = matches!(ctx.flavor, Flavor::Postgres | Flavor::Cockroach);
    let mut in_alter = false;
    match head {
        // EXPLAIN runs the statement only with ANALYZE.
        "EXPLAIN" | "DESCRIBE" | "DESC" if !has("ANALYZE") && !has("ANALYSE") => return,
        "DO" if postgres => {
            let other_language = toks.windows(2).any(|w| {
                w[0].is("LANGUAGE")
                    && !matches!(w[1].word(), Some("PLPGSQL" | "SQL"))
                    && !matches!(&w[1].tok, Tok::Str(s) | Tok::Ident(s) if s.eq_ignore_ascii_case("plpgsql"))
            });
            if other_language {
                cx.hide();
            }
            for t in toks {
                if let Tok::Str(body) = &t.tok {
                    plpgsql(cx, body);
                }
            }
            return;
        }
        "CREATE" => {
            let words: Vec<&str> = toks.iter().filter_map(|t| t.word()).take(8).collect();
            if words.starts_with(&["CREATE", "OR", "REPLACE", "TABLE"]) {
                cx.push(SqlKind::DropTable);
            }
            if words.iter().any(|w| matches!(*w, "ROLE" | "USER")) && has("SUPERUSER") {
                cx.push(SqlKind::Privileges);
            }
            // Only CREATE TABLE … AS runs a query now; other definitions hold bodies that
            // run later, if ever.
            let object = words
                .iter()
                .skip(1)
                .find(|w| {
                    !matches!(
                        **w,
                        "OR" | "REPLACE"
                            | "TEMP"
                            | "TEMPORARY"
                            | "UNLOGGED"
                            | "GLOBAL"
                            | "LOCAL"
                            | "IF"
                            | "NOT"
                            | "EXISTS"
                    )
                })
                .copied();
            if object != Some("TABLE") {
                return;
            }
        }
        "GRANT" => {
            let public = toks.windows(3).any(|w| {
                (w[0].is("TO") || w[0].is_op(",")) && w[1].is("PUBLIC") && !w[2].is_op(".")
            }) || toks.last().is_some_and(|t| t.is("PUBLIC"));
            if public {
                cx.push(SqlKind::Privileges);
            }
        }
        "REASSIGN" => cx.push(SqlKind::Privileges),
        "ALTER" => {
            in_alter = true;
            match second {
                "SYSTEM" => cx.push(SqlKind::Privileges),
                "ROLE" | "USER" if has("SUPERUSER") => cx.push(SqlKind::Privileges),
                _ => {}
            }
            let table = toks.iter().skip(first + 1).take(3).any(|t| t.is("TABLE"));
            if table {
                alter_table(cx, toks, first);
            }
        }
        "PREPARE" if ctx.flavor == Flavor::MySql => {
            // PREPARE s FROM 'sql' | @var
            if let Some(k) = toks.iter().position(|t| t.is("FROM")) {
                match toks.get(k + 1).map(|t| &t.tok) {
                    Some(Tok::Str(s)) => nested_sql(cx, s, ctx),
                    _ => cx.hide(),
                }
            }
            return;
        }
        "SOURCE" if ctx.flavor == Flavor::Cql => {
            if let Some(Tok::Str(path)) = toks.get(first + 1).map(|t| &t.tok) {
                include_file(cx, path, ctx.flavor);
            }
            return;
        }
        _ => {}
    }
    for i in 0..toks.len() {
        let Some(w) = toks[i].word() else {
            continue;
        };
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        let after_not_statement = prev.is_some_and(|p| {
            p.is_op(",") || p.word().is_some_and(|w| NOT_A_STATEMENT_AFTER.contains(&w))
        });
        match w {
            "DROP" if !in_alter => {
                if let Some(k) = drop_kind(toks, i, i == first, ctx.flavor) {
                    cx.push(k);
                }
            }
            "TRUNCATE" if !prev.is_some_and(|p| p.is_op(".")) => {
                // At the start it is the statement, whatever follows (`'TRUNCATE ' || t`
                // built for EXECUTE has no table name in the text).
                let truncates = i == first
                    || match toks.get(i + 1).map(|t| &t.tok) {
                        Some(Tok::Word(n)) => !NOT_TRUNCATED.contains(&n.as_str()),
                        Some(Tok::Ident(_)) => true,
                        _ => false,
                    };
                if truncates {
                    cx.push(SqlKind::Truncate);
                }
            }
            "DELETE" if !after_not_statement && !in_alter => {
                let next = toks.get(i + 1);
                let at_start = i == first || prev.is_some_and(|p| p.is("BEGIN") || p.is_op(")"));
                let deletes = next.is_some_and(|n| {
                    n.is("FROM")
                        || (at_start
                            && (matches!(&n.tok, Tok::Ident(_))
                                || n.word().is_some_and(|w| w != "WHERE")))
                });
                if deletes {
                    rows(cx, toks, i, SqlKind::DeleteAll);
                }
            }
            "UPDATE" if !after_not_statement && !in_alter => {
                if let Some(set) = clause(toks, i, "SET") {
                    rows(cx, toks, set, SqlKind::UpdateAll);
                }
            }
            "EXEC" | "EXECUTE" => dynamic_sql(cx, toks, i, ctx),
            _ => {}
        }
    }
}

/// The kind of `DROP …` at `i`, if it drops something.
fn drop_kind(toks: &[&Token], i: usize, at_start: bool, flavor: Flavor) -> Option<SqlKind> {
    let mut j = i + 1;
    while matches!(word_at(toks, j), Some("TEMPORARY" | "TEMP")) {
        j += 1;
    }
    let object = word_at(toks, j)?;
    let cascade = || {
        toks.iter()
            .skip(j)
            .any(|t| t.is("CASCADE") && t.depth == toks[i].depth)
    };
    Some(match object {
        "DATABASE" => SqlKind::DropDatabase,
        // In MySQL and MariaDB a schema is a database.
        "SCHEMA" if flavor == Flavor::MySql => SqlKind::DropDatabase,
        "SCHEMA" | "KEYSPACE" => SqlKind::DropSchema,
        // DROP OWNED drops every object the role owns, tables included.
        "TABLE" | "TABLES" | "COLUMNFAMILY" | "COLLECTION" | "OWNED" => SqlKind::DropTable,
        o if OBJECTS.contains(&o) || at_start => {
            if cascade() {
                SqlKind::DropTable
            } else {
                SqlKind::DropObject
            }
        }
        _ => return None,
    })
}

/// The index of `word` after `i` in the same clause level, before another statement.
fn clause(toks: &[&Token], i: usize, word: &str) -> Option<usize> {
    let depth = toks.get(i)?.depth;
    for (j, t) in toks.iter().enumerate().skip(i + 1) {
        if t.depth < depth {
            return None;
        }
        if t.depth == depth {
            if t.is(word) {
                return Some(j);
            }
            if t.word().is_some_and(|w| STATEMENT_WORDS.contains(&w)) {
                return None;
            }
        }
    }
    None
}

/// After a `DELETE` or `UPDATE … SET` at `i`: report `kind` when there is no `WHERE` or
/// an always-true one; an entirely dynamic one is unseen.
fn rows(cx: &mut Cx<'_>, toks: &[&Token], i: usize, kind: SqlKind) {
    let Some(w) = clause(toks, i, "WHERE") else {
        cx.push(kind);
        return;
    };
    let Some(depth) = toks.get(w).map(|t| t.depth) else {
        return;
    };
    let mut cond = Vec::new();
    for t in toks.iter().skip(w + 1) {
        if t.depth < depth {
            break;
        }
        if t.depth == depth
            && t.word()
                .is_some_and(|x| WHERE_ENDS.contains(&x) || STATEMENT_WORDS.contains(&x))
        {
            break;
        }
        cond.push(*t);
    }
    if !cond.is_empty() && cond.iter().all(|t| t.tok == Tok::Expansion) {
        cx.hide();
    } else if truth(&cond, 0) == Some(true) {
        cx.push(kind);
    }
}

/// `ALTER TABLE …`: dropped columns and partitions, ClickHouse mutations.
fn alter_table(cx: &mut Cx<'_>, toks: &[&Token], first: usize) {
    let depth = toks.get(first).map_or(0, |t| t.depth);
    for (j, t) in toks.iter().enumerate() {
        if t.depth != depth {
            continue;
        }
        let next = toks.get(j + 1);
        match t.word() {
            Some("DROP") => {
                let loses_data = match next.map(|n| &n.tok) {
                    Some(Tok::Word(w)) => !KEEPS_DATA.contains(&w.as_str()),
                    Some(Tok::Ident(_)) => true,
                    _ => false,
                };
                if loses_data {
                    cx.push(SqlKind::AlterDrop);
                }
            }
            Some("CLEAR") if next.is_some_and(|n| n.is("COLUMN")) => cx.push(SqlKind::AlterDrop),
            // ClickHouse mutations: ALTER TABLE t DELETE WHERE …, UPDATE c = v WHERE ….
            Some("DELETE") if next.is_some_and(|n| n.is("WHERE")) => {
                rows(cx, toks, j, SqlKind::DeleteAll);
            }
            Some("UPDATE")
                if !toks
                    .get(j.wrapping_sub(1))
                    .is_some_and(|p| p.is("ON") || p.is_op(",")) =>
            {
                rows(cx, toks, j, SqlKind::UpdateAll);
            }
            _ => {}
        }
    }
}

/// `EXECUTE` / `EXEC` running a string: read every string literal in its argument, and
/// mark it unseen unless the argument is literal text only.
fn dynamic_sql(cx: &mut Cx<'_>, toks: &[&Token], i: usize, ctx: Ctx) {
    let mut j = i + 1;
    if ctx.flavor == Flavor::MsSql {
        // EXEC ('…'), EXEC sp_executesql N'…'; EXEC proc runs a stored procedure.
        let paren = toks.get(j).is_some_and(|t| t.is_op("("));
        let executesql = toks.get(j).is_some_and(|t| t.is("SP_EXECUTESQL"));
        if !paren && !executesql {
            return;
        }
        j += 1;
    } else if !ctx.plpgsql {
        // Top-level PostgreSQL/MySQL EXECUTE runs a statement PREPAREd in the same input,
        // which is read where it is prepared.
        return;
    }
    let depth = toks.get(i).map_or(0, |t| t.depth);
    let mut literal_only = true;
    let mut any = false;
    while let Some(t) = toks.get(j) {
        let ends = t.depth < depth
            || (t.depth == depth
                && (t.is("INTO") || t.is("USING") || t.is_op(",") || t.is_op(")")));
        if ends {
            break;
        }
        match &t.tok {
            Tok::Str(s) => {
                any = true;
                nested_sql(cx, s, ctx);
            }
            _ => literal_only = false,
        }
        j += 1;
    }
    if !any || !literal_only {
        cx.hide();
    }
}

/// A string literal run as SQL (by `EXECUTE`, `PREPARE … FROM`, `EXEC (…)`): plain SQL of
/// the same server, even when it is run from a PL/pgSQL body.
fn nested_sql(cx: &mut Cx<'_>, text: &str, ctx: Ctx) {
    cx.nested(|cx| {
        let text = cx.charge(text);
        let flavor = if ctx.plpgsql {
            Flavor::Postgres
        } else {
            ctx.flavor
        };
        sql(cx, text, false, flavor);
    });
}

/// A PL/pgSQL body (`DO $$ … $$`): its statements run now.
fn plpgsql(cx: &mut Cx<'_>, body: &str) {
    cx.nested(|cx| {
        let body = cx.charge(body);
        plpgsql_body(cx, body);
    });
}

fn plpgsql_body(cx: &mut Cx<'_>, body: &str) {
    let ctx = Ctx {
        flavor: Flavor::Postgres,
        plpgsql: true,
    };
    let lexed = lex(
        body,
        Lexing {
            meta: Meta::None,
            ..lexing(Flavor::Postgres, false)
        },
    );
    statements(cx, body, &lexed, ctx, false);
}

// ---------------------------------------------------------------------------------------
// Always-true conditions.

/// Whether a condition is always true (`Some(true)`), always false, or depends on the row
/// (`None`). Only what is plain from the text counts: literals compared, `TRUE`, a
/// non-zero number (MySQL), an expression compared with itself (`id = id`),
/// `col IS NOT NULL`, `LIKE '%'`, combined with `AND`, `OR`, `NOT` and parentheses.
fn truth(t: &[&Token], depth: u32) -> Option<bool> {
    if depth > MAX_TRUTH_DEPTH {
        return None;
    }
    let t = strip_parens(t);
    let base = t.iter().map(|x| x.depth).min()?;
    let ors = split_at(t, "OR", base);
    if ors.len() > 1 {
        let v: Vec<Option<bool>> = ors.iter().map(|p| truth(p, depth + 1)).collect();
        return if v.contains(&Some(true)) {
            Some(true)
        } else if v.iter().all(|x| *x == Some(false)) {
            Some(false)
        } else {
            None
        };
    }
    let between = t.iter().any(|x| x.depth == base && x.is("BETWEEN"));
    if !between {
        let ands = split_at(t, "AND", base);
        if ands.len() > 1 {
            let v: Vec<Option<bool>> = ands.iter().map(|p| truth(p, depth + 1)).collect();
            return if v.iter().all(|x| *x == Some(true)) {
                Some(true)
            } else if v.contains(&Some(false)) {
                Some(false)
            } else {
                None
            };
        }
    }
    if t.first().is_some_and(|x| x.is("NOT")) {
        return truth(t.get(1..)?, depth + 1).map(|b| !b);
    }
    atom(t, base)
}

fn strip_parens<'a, 't>(mut t: &'a [&'t Token]) -> &'a [&'t Token] {
    while t.len() >= 2
        && t.first().is_some_and(|x| x.is_op("("))
        && t.last().is_some_and(|x| x.is_op(")"))
    {
        let d = t[0].depth;
        let inner = &t[1..t.len() - 1];
        if inner.iter().all(|x| x.depth > d) {
            t = inner;
        } else {
            break;
        }
    }
    t
}

fn split_at<'a, 't>(t: &'a [&'t Token], word: &str, base: u32) -> Vec<&'a [&'t Token]> {
    t.split(|x| x.depth == base && x.is(word)).collect()
}

/// A literal's value as a number or a string.
#[derive(PartialEq)]
enum Lit {
    Num(f64),
    Str(String),
    Bool(bool),
}

fn literal(t: &Token) -> Option<Lit> {
    match &t.tok {
        Tok::Num(n) => n.parse::<f64>().ok().map(Lit::Num),
        Tok::Str(s) => Some(Lit::Str(s.clone())),
        Tok::Word(w) if w == "TRUE" => Some(Lit::Bool(true)),
        Tok::Word(w) if w == "FALSE" => Some(Lit::Bool(false)),
        _ => None,
    }
}

fn atom(t: &[&Token], base: u32) -> Option<bool> {
    if let [one] = t {
        return match literal(one)? {
            Lit::Bool(b) => Some(b),
            // MySQL and ClickHouse take a number as a condition; PostgreSQL refuses it.
            Lit::Num(n) => Some(n != 0.0),
            Lit::Str(_) => None,
        };
    }
    let n = t.len();
    let words: Vec<Option<&str>> = t.iter().map(|x| x.word()).collect();
    let lhs_plain = |k: usize| {
        k > 0
            && t.get(..k).is_some_and(|l| {
                l.iter().all(|x| {
                    matches!(
                        x.tok,
                        Tok::Word(_) | Tok::Ident(_) | Tok::Num(_) | Tok::Str(_)
                    ) || x.is_op(".")
                })
            })
    };
    // x IS NOT NULL: every row with a value (catalogue: a key column is all rows).
    if n >= 4 && words[n - 3..] == [Some("IS"), Some("NOT"), Some("NULL")] && lhs_plain(n - 3) {
        return Some(true);
    }
    if n >= 3
        && words[n - 2] == Some("LIKE")
        && matches!(&t[n - 1].tok, Tok::Str(p) if !p.is_empty() && p.chars().all(|c| c == '%'))
        && lhs_plain(n - 2)
    {
        return Some(true);
    }
    let op = t.iter().position(|x| {
        x.depth == base
            && matches!(&x.tok, Tok::Op(o) if matches!(o.as_str(), "=" | "==" | "<>" | "!=" | "<" | "<=" | ">" | ">="))
    })?;
    let (lhs, rhs) = (t.get(..op)?, t.get(op + 1..)?);
    if lhs.is_empty() || rhs.is_empty() {
        return None;
    }
    let Tok::Op(o) = &t[op].tok else {
        return None;
    };
    let o = o.as_str();
    let same = lhs.len() == rhs.len() && lhs.iter().zip(rhs).all(|(a, b)| a.tok == b.tok);
    if same {
        return Some(matches!(o, "=" | "==" | "<=" | ">="));
    }
    let (&[l], &[r]) = (lhs, rhs) else {
        return None;
    };
    let (l, r) = (literal(l)?, literal(r)?);
    let ord = match (&l, &r) {
        (Lit::Num(a), Lit::Num(b)) => a.partial_cmp(b)?,
        (Lit::Str(a), Lit::Str(b)) => a.cmp(b),
        (Lit::Bool(a), Lit::Bool(b)) => a.cmp(b),
        _ => return None,
    };
    use std::cmp::Ordering::{Equal, Greater, Less};
    Some(match o {
        "=" | "==" => ord == Equal,
        "<>" | "!=" => ord != Equal,
        "<" => ord == Less,
        "<=" => ord != Greater,
        ">" => ord == Greater,
        ">=" => ord != Less,
        _ => return None,
    })
}
