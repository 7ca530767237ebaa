//! Mongo shell JavaScript and Redis commands, classified by what they destroy.
//!
//! The JavaScript is read as tokens (strings and comments skipped), looking for the calls
//! that drop or empty: `db.dropDatabase()`, `db.c.drop()`, `deleteMany({})`,
//! `remove({})`, `updateMany({}, …)`, and their `runCommand({drop: …})` forms. A filter
//! held in a variable cannot be judged and counts as unseen.

use crate::parse::{Place, Word, program_name};

use super::{Cx, Lang, Piece, SqlKind};

#[derive(Debug, Clone, PartialEq)]
enum Js {
    Name(String),
    Str(String),
    Punct(char),
    /// A newline or `;`: where a statement may start.
    Break,
    /// A shell expansion left in a dynamic word.
    Expansion,
}

fn js_tokens(text: &str, shell: bool) -> Vec<Js> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' | b';' => {
                out.push(Js::Break);
                i += 1;
            }
            _ if c.is_ascii_whitespace() => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(b.len());
            }
            b'\'' | b'"' | b'`' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != c {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                let end = i.min(b.len());
                out.push(Js::Str(text.get(start..end).unwrap_or("").to_string()));
                i = (i + 1).min(b.len());
            }
            b'$' if shell
                && b.get(i + 1).is_some_and(|n| {
                    n.is_ascii_alphabetic() || matches!(n, b'_' | b'{' | b'(')
                }) =>
            {
                i += 1;
                if matches!(b.get(i), Some(b'{' | b'(')) {
                    let close = if b[i] == b'{' { b'}' } else { b')' };
                    while i < b.len() && b[i] != close {
                        i += 1;
                    }
                    i = (i + 1).min(b.len());
                } else {
                    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                        i += 1;
                    }
                }
                out.push(Js::Expansion);
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 => {
                let start = i;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] == b'$'
                        || b[i] >= 0x80)
                {
                    i += 1;
                }
                out.push(Js::Name(text.get(start..i).unwrap_or("").to_string()));
            }
            _ => {
                out.push(Js::Punct(char::from(c)));
                i += 1;
            }
        }
    }
    out
}

/// What the first argument of a call starting at `open` (the `(`) filters on.
enum Filter {
    /// `()` or `({})`: every document.
    Empty,
    /// A literal filter with conditions.
    Some,
    /// A variable or expression: unknown.
    Unknown,
}

fn filter(t: &[Js], open: usize) -> Filter {
    match (t.get(open + 1), t.get(open + 2)) {
        (Some(Js::Punct(')')), _) => Filter::Empty,
        (Some(Js::Punct('{')), Some(Js::Punct('}'))) => Filter::Empty,
        (Some(Js::Punct('{')), _) => Filter::Some,
        _ => Filter::Unknown,
    }
}

/// Classify mongosh JavaScript.
pub(super) fn mongo(cx: &mut Cx<'_>, text: &str, dynamic: bool) {
    let t = js_tokens(text, dynamic);
    let name = |i: usize| match t.get(i) {
        Some(Js::Name(n)) => Some(n.as_str()),
        _ => None,
    };
    let punct = |i: usize, c: char| t.get(i) == Some(&Js::Punct(c));
    let mut at_start = true;
    for i in 0..t.len() {
        if at_start && t[i] == Js::Expansion {
            cx.hide();
        }
        at_start = t[i] == Js::Break;
        let key = match &t[i] {
            Js::Name(n) | Js::Str(n) => Some(n.as_str()),
            _ => None,
        };
        // runCommand({dropDatabase: 1}), runCommand({drop: "users"})
        if punct(i + 1, ':') && i > 0 && (punct(i - 1, '{') || punct(i - 1, ',')) {
            match key {
                Some("dropDatabase") => cx.push(SqlKind::DropDatabase),
                Some("drop") => cx.push(SqlKind::DropTable),
                _ => {}
            }
        }
        let Some(n) = name(i) else {
            continue;
        };
        let call = punct(i + 1, '(');
        let method = i > 0 && punct(i - 1, '.') && call;
        // Any collection write, narrow or not, is a write for a production database.
        if method
            && [
                "insert",
                "update",
                "delete",
                "remove",
                "replace",
                "drop",
                "rename",
                "bulkWrite",
            ]
            .iter()
            .any(|w| n.starts_with(w))
        {
            cx.writes = true;
        }
        match n {
            "dropDatabase" if call => cx.push(SqlKind::DropDatabase),
            "drop" if method => cx.push(SqlKind::DropTable),
            "dropIndexes" | "dropIndex" if method => cx.push(SqlKind::DropObject),
            "deleteMany" | "remove" if method => match filter(&t, i + 1) {
                Filter::Empty => cx.push(SqlKind::DeleteAll),
                Filter::Unknown => cx.hide(),
                Filter::Some => {}
            },
            "updateMany" if method => match filter(&t, i + 1) {
                Filter::Empty => cx.push(SqlKind::UpdateAll),
                Filter::Unknown => cx.hide(),
                Filter::Some => {}
            },
            // update({}, …, {multi: true})
            "update" if method => {
                let multi = t
                    .iter()
                    .skip(i)
                    .take_while(|x| **x != Js::Break)
                    .any(|x| *x == Js::Name("multi".into()));
                if multi && matches!(filter(&t, i + 1), Filter::Empty) {
                    cx.push(SqlKind::UpdateAll);
                }
            }
            // load("file.js") runs another script.
            "load" if call && !(i > 0 && punct(i - 1, '.')) => match t.get(i + 2) {
                Some(Js::Str(path)) => {
                    let path = path.clone();
                    let cmd = cx.cmd;
                    cx.nested(|cx| {
                        match super::input::read_path(cx, std::path::Path::new(&path), cmd) {
                            Some(text) => cx.classify(Lang::Mongo, &Piece::literal(text)),
                            None => cx.hide(),
                        }
                    });
                }
                _ => cx.hide(),
            },
            _ => {}
        }
    }
}

/// One Redis command: its words, each with whether it is dynamic.
/// Redis commands that change keys (the common ones; the destructive ones are kinds).
const REDIS_WRITES: &[&str] = &[
    "SET", "SETEX", "SETNX", "MSET", "DEL", "UNLINK", "EXPIRE", "PEXPIRE", "PERSIST", "RENAME",
    "HSET", "HDEL", "HMSET", "LPUSH", "RPUSH", "LPOP", "RPOP", "LREM", "LTRIM", "SADD", "SREM",
    "ZADD", "ZREM", "INCR", "DECR", "INCRBY", "APPEND", "FLUSHALL", "FLUSHDB", "XADD", "XDEL",
    "GETDEL", "COPY", "MOVE", "RESTORE", "EVAL", "EVALSHA", "FCALL",
];

fn redis_command(cx: &mut Cx<'_>, words: &[(&str, bool)], args_unseen: bool) {
    let Some(&(name, dynamic)) = words.first() else {
        return;
    };
    if dynamic {
        cx.hide();
        return;
    }
    let arg = |k: usize| words.get(k).map(|(w, _)| w.to_ascii_uppercase());
    let upper = name.to_ascii_uppercase();
    if REDIS_WRITES.contains(&upper.as_str()) {
        cx.writes = true;
    }
    match upper.as_str() {
        "FLUSHALL" | "FLUSHDB" => cx.push(SqlKind::Flush),
        "SHUTDOWN" if words.iter().any(|(w, _)| w.eq_ignore_ascii_case("nosave")) => {
            cx.push(SqlKind::ServerAdmin);
        }
        "DEBUG" => cx.push(SqlKind::ServerAdmin),
        "CONFIG"
            if arg(1).as_deref() == Some("SET")
                && matches!(arg(2).as_deref(), Some("DIR" | "DBFILENAME")) =>
        {
            cx.push(SqlKind::ServerAdmin);
        }
        "DEL" | "UNLINK" if args_unseen || words.iter().skip(1).any(|(_, d)| *d) => {
            cx.push(SqlKind::DeleteKeys);
        }
        "EVAL" | "EVAL_RO" => match words.get(1) {
            Some((_, true)) | None => cx.hide(),
            Some((script, false)) => lua(cx, script),
        },
        "EVALSHA" | "EVALSHA_RO" | "FCALL" | "FCALL_RO" => cx.hide(),
        _ => {}
    }
}

/// A Lua script run by the server: `redis.call('FLUSHALL')` anywhere in it.
pub(super) fn lua(cx: &mut Cx<'_>, script: &str) {
    let lower = script.to_ascii_lowercase();
    let has = |w: &str| {
        lower.match_indices(w).any(|(p, _)| {
            let before = lower.as_bytes().get(p.wrapping_sub(1)).copied();
            let after = lower.as_bytes().get(p + w.len()).copied();
            let part = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
            !part(before) && !part(after)
        })
    };
    if has("flushall") || has("flushdb") {
        cx.push(SqlKind::Flush);
    }
}

/// The command given in redis-cli's argv (or a `--eval` script's effect).
pub(super) fn redis_argv(cx: &mut Cx<'_>, words: &[&Word]) {
    let unseen = cx
        .cmd
        .places
        .iter()
        .any(|p| matches!(p, Place::Wrapper { via } if program_name(via) == "xargs"));
    let words: Vec<(&str, bool)> = words
        .iter()
        .map(|w| (w.text.as_str(), !w.is_literal()))
        .collect();
    redis_command(cx, &words, unseen);
}

/// Commands redis-cli reads from stdin: one per line, or RESP frames (`--pipe`).
pub(super) fn redis_lines(cx: &mut Cx<'_>, text: &str, dynamic: bool) {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    while let Some(line) = lines.next() {
        // RESP: `*N` then N bulk strings, each `$len` and its line.
        if let Some(n) = line.strip_prefix('*').and_then(|n| n.parse::<usize>().ok()) {
            let mut words = Vec::new();
            while words.len() < n {
                let Some(l) = lines.next() else { break };
                if l.starts_with('$')
                    && l.get(1..).unwrap_or("").bytes().all(|b| b.is_ascii_digit())
                {
                    continue;
                }
                words.push(l);
            }
            let words: Vec<(&str, bool)> = words.iter().map(|w| (*w, false)).collect();
            redis_command(cx, &words, false);
            continue;
        }
        let parts = shell_words::split(line)
            .unwrap_or_else(|_| line.split_whitespace().map(String::from).collect());
        let words: Vec<(&str, bool)> = parts
            .iter()
            .map(|w| (w.as_str(), dynamic && (w.contains('$') || w.contains('`'))))
            .collect();
        redis_command(cx, &words, false);
    }
}
