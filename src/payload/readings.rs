//! Each command's payloads (SQL, HTTP request, interpreter code), read once per line and shared by everything that asks: the
//! rule loader (which loads the rules on SQL and HTTP only when a command carries some),
//! rule matching, and the generic effect readers. Reading SQL or an HTTP body can mean
//! classifying a megabyte of statements; before this, the loader and the matcher each did
//! it for the same command.

use std::cell::OnceCell;

use super::{code, http, sql};
use crate::parse::{Command, Script, Word};

/// The payloads of every command of one analysed line, each read on first use.
pub struct Readings<'s> {
    script: &'s Script,
    sql: Vec<OnceCell<Option<sql::SqlPayload>>>,
    http: Vec<OnceCell<Option<http::Request>>>,
    code: Vec<OnceCell<Option<Vec<Word>>>>,
    source: Vec<OnceCell<Option<code::Code>>>,
}

impl<'s> Readings<'s> {
    /// Nothing read yet.
    pub fn new(script: &'s Script) -> Self {
        let n = script.commands.len();
        Readings {
            script,
            sql: (0..n).map(|_| OnceCell::new()).collect(),
            http: (0..n).map(|_| OnceCell::new()).collect(),
            code: (0..n).map(|_| OnceCell::new()).collect(),
            source: (0..n).map(|_| OnceCell::new()).collect(),
        }
    }

    /// The script these are the readings of.
    pub fn script(&self) -> &'s Script {
        self.script
    }

    /// Which command of the script `cmd` is, by identity.
    pub fn index_of(&self, cmd: &Command) -> Option<usize> {
        self.script
            .commands
            .iter()
            .position(|c| std::ptr::eq(c, cmd))
    }

    fn command(&self, i: usize) -> Option<&'s Command> {
        self.script.commands.get(i)
    }

    /// The SQL command `i` sends, if it is a database client.
    pub fn sql(&self, i: usize) -> Option<&sql::SqlPayload> {
        let cmd = self.command(i)?;
        self.sql
            .get(i)?
            .get_or_init(|| sql::payload(cmd, self.script))
            .as_ref()
    }

    /// The HTTP request command `i` makes, if any.
    pub fn http(&self, i: usize) -> Option<&http::Request> {
        let cmd = self.command(i)?;
        self.http
            .get(i)?
            .get_or_init(|| http::request(cmd, self.script))
            .as_ref()
    }

    /// The code command `i` hands an interpreter, when it is on the line.
    pub fn code(&self, i: usize) -> Option<&code::Code> {
        let cmd = self.command(i)?;
        self.source
            .get(i)?
            .get_or_init(|| code::source(cmd, self.script))
            .as_ref()
    }

    /// The paths command `i`'s interpreter code deletes.
    pub fn code_deletes(&self, i: usize) -> &[Word] {
        let Some(cmd) = self.command(i) else {
            return &[];
        };
        self.code
            .get(i)
            .map(|c| c.get_or_init(|| code::deletes(cmd, self.script)))
            .and_then(|c| c.as_deref())
            .unwrap_or(&[])
    }
}
