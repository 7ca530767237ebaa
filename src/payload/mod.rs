//! What a command carries inside: SQL sent to a database client, an HTTP request (and the
//! GraphQL operation in its body), code given to an interpreter. Rules match on these
//! through the `sql`, `http` and `code` conditions of a pack; [`readings`] reads each
//! command's once per line.

pub mod code;
pub mod http;
pub mod readings;
pub mod sql;
