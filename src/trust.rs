//! Trust records: the exact content of a user file whose loosening a person accepted, the
//! `direnv allow` pattern. An agent may edit `~/.config/guardsh/config.yaml` (it lives in
//! the home directory, which the kernel boundary cannot close without breaking ordinary
//! work), but an edit changes the content's SHA-256, and an allow entry, a lower severity
//! or another shell counts only while the content is the one recorded. The records live in
//! the protected directory, so only a process outside every guarded tree writes them.
//!
//! Without a protected directory (parse-only) the records sit in the state directory,
//! where the agent's user can write: `guardsh doctor` and the docs say so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// Why trusting did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Asked from inside a guarded tree.
    #[error(
        "refused: trust is given by a person outside every command guardsh guards, and this \
         process is inside one (the kernel boundary keeps it from writing {0})"
    )]
    Inside(PathBuf),
    /// Without the kernel boundary, asked where a person is not the one asking.
    #[error(
        "refused: trust is given by a person at their own terminal, and {0} (parse-only \
         protection: see `guardsh doctor`)"
    )]
    NotAPerson(String),
    /// The records cannot be read or written.
    #[error("cannot use the trust records {}: {message}", path.display())]
    Records {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// The records: trusted content by absolute path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Records {
    /// Path → hex SHA-256 of the trusted content.
    pub files: BTreeMap<PathBuf, String>,
}

/// The hex SHA-256 of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let hash = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in hash.iter() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Where the records live, and whether the kernel keeps them.
pub fn records_path() -> Option<(PathBuf, bool)> {
    match crate::state::protected() {
        Ok(p) => Some((p.trust().join("trust.json"), true)),
        Err(_) => crate::paths::state_dir().map(|d| (d.join("trust.json"), false)),
    }
}

/// The records as stored (none when there are none or they cannot be read: nothing is
/// trusted then, the fail-closed answer).
pub fn load() -> Records {
    records_path()
        .and_then(|(p, _)| crate::capped::read(&p, crate::capped::TRUST).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

impl Records {
    /// Is `content` the trusted content of `path`?
    pub fn accepts(&self, path: &Path, content: &[u8]) -> bool {
        self.files.get(path).is_some_and(|h| *h == digest(content))
    }
}

/// Record `files` (path and current content) as trusted, replacing what was recorded for
/// them. Refused inside a guarded tree.
pub fn trust(files: &[(PathBuf, Vec<u8>)]) -> Result<PathBuf, Error> {
    let Some((path, kernel)) = records_path() else {
        return Err(Error::Records {
            path: PathBuf::from("~/.local/state/guardsh/trust.json"),
            message: "no home directory".to_owned(),
        });
    };
    if kernel
        && let Ok(p) = crate::state::protected()
        && crate::confine::inside(&p)
    {
        return Err(Error::Inside(p.trust()));
    }
    if !kernel && let Some(why) = crate::approve::not_a_person() {
        return Err(Error::NotAPerson(why));
    }
    let mut records = load();
    for (file, content) in files {
        records.files.insert(file.clone(), digest(content));
    }
    let records_err = |message: String| Error::Records {
        path: path.clone(),
        message,
    };
    let mut text = serde_json::to_vec_pretty(&records).map_err(|e| records_err(e.to_string()))?;
    text.push(b'\n');
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| records_err(e.to_string()))?;
    }
    let staged = path.with_extension("json.new");
    std::fs::write(&staged, &text).map_err(|e| records_err(e.to_string()))?;
    std::fs::rename(&staged, &path).map_err(|e| records_err(e.to_string()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_byte_is_not_trusted() {
        assert_eq!(
            digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let mut r = Records::default();
        r.files.insert(
            PathBuf::from("/h/.config/guardsh/config.yaml"),
            digest(b"allow: []"),
        );
        assert!(r.accepts(Path::new("/h/.config/guardsh/config.yaml"), b"allow: []"));
        assert!(!r.accepts(Path::new("/h/.config/guardsh/config.yaml"), b"allow: [] "));
        assert!(!r.accepts(Path::new("/elsewhere"), b"allow: []"));
    }
}
