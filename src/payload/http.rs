//! HTTP requests made by `curl`, `wget`, HTTPie/`xh`, `gh api`, `railway api`: method, URL,
//! body, and the GraphQL operation the body carries.

use serde::Serialize;

use crate::parse::{Command, Script};

/// One HTTP request a command makes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Request {
    /// Upper-case method (`GET`, `POST`, `DELETE`).
    pub method: String,
    /// The URLs requested (host and path are what rules read).
    pub urls: Vec<String>,
    /// GraphQL root fields of `mutation` operations in the body (`volumeDelete`), with JSON
    /// escapes decoded, aliases and fragments seen through.
    pub mutations: Vec<String>,
    /// Part of the request could not be seen (a body from a file, stdin or a variable).
    pub hidden: bool,
}

/// The request `cmd` makes, or `None` when it is not an HTTP client.
pub fn request(cmd: &Command, script: &Script) -> Option<Request> {
    let _ = (cmd, script);
    None
}
