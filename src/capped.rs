//! Reading the files guardsh did not write itself (config files, packs, scripts, startup
//! files, agents' settings, approval records), every one through here: only a regular
//! file is read, its size is checked before a byte is read, and at most the cap is kept.
//!
//! A decision must stay cheap and must always come: a 4 GB `.guardsh.yaml` once cost 16 s
//! and 4 GB of memory per command, and a FIFO in its place hung guardsh for ever. A file
//! that is not a regular file or is over its cap is an error naming the path, and every
//! caller fails closed on it (a config error stops everything, a script is refused).

use std::io::{self, Read as _};
use std::os::unix::fs::{FileTypeExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};

/// Config files and packs (`config.yaml`, `.guardsh.yaml`, `guards/*.yaml`). The largest
/// built-in pack is under 60 KiB; 1 MiB leaves room for a big hand-written one while a
/// parse of the worst file stays in milliseconds.
pub const CONFIG: u64 = 1 << 20;

/// Approval and request records (`approve.rs`). Each holds one command line, which may be
/// as long as [`crate::parse::Limits::max_input_bytes`] (4 MiB) and up to six bytes per
/// byte once JSON-escaped (`\u0001`), plus the summary shown to the person: the same bound
/// the agent hooks put on a payload carrying one command. A smaller cap would refuse to
/// approve a long line that guardsh itself was willing to judge.
pub const RECORD: u64 = 6 * (4 << 20) + (1 << 20);

/// The trust records (`trust.rs`): one path and one SHA-256 per trusted file, so a few
/// hundred bytes per file; 256 KiB is a thousand trusted files.
pub const TRUST: u64 = 256 << 10;

/// Login startup files (`startup.rs`) and `/etc/passwd`: shell text judged before a login
/// shell starts, as long as a command line may be (a larger one cannot be judged whole).
pub const STARTUP: u64 = 4 << 20;

/// Agents' settings files that `guardsh install` and `doctor` read and rewrite. These can
/// carry an agent's whole permission lists; 16 MiB is far above any seen, and a rewrite of
/// a larger file is refused rather than risked.
pub const SETTINGS: u64 = 16 << 20;

/// Small state files the environment inference reads (kubeconfig, a CLI's linked
/// project): a huge one is no signal, and the inference runs on every decision.
pub const STATE: u64 = 4 << 20;

/// A file that was not read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Larger than the cap (by its size before reading, or it grew while being read).
    #[error(
        "{} is {size} bytes, more than the {cap} bytes guardsh reads from such a file",
        path.display()
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size (at least `cap + 1` when it grew while being read).
        size: u64,
        /// The cap it exceeds.
        cap: u64,
    },
    /// A FIFO, a device, a socket or a directory: reading it could block for ever, act (a
    /// device), or give different bytes to guardsh and to the program that reads it next.
    #[error("{} is {kind}, not a regular file", path.display())]
    NotRegular {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        kind: Kind,
    },
    /// It cannot be opened or read (missing, no permission, not UTF-8 for a text read).
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

impl Error {
    /// Nothing is there (or a parent is not a directory): callers that look for optional
    /// files treat this as absent, the way a shell skips a startup file that is not there.
    pub fn is_missing(&self) -> bool {
        matches!(self, Error::Io { source, .. } if matches!(
            source.kind(),
            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
        ))
    }

    /// The file it is about.
    pub fn path(&self) -> &Path {
        match self {
            Error::TooLarge { path, .. }
            | Error::NotRegular { path, .. }
            | Error::Io { path, .. } => path,
        }
    }
}

/// What a path is when it is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A directory.
    Directory,
    /// A named pipe.
    Fifo,
    /// A Unix socket.
    Socket,
    /// A character device (`/dev/null`, a terminal).
    CharDevice,
    /// A block device (a disk).
    BlockDevice,
    /// Anything else the platform has.
    Other,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Directory => "a directory",
            Kind::Fifo => "a FIFO (named pipe)",
            Kind::Socket => "a socket",
            Kind::CharDevice => "a character device",
            Kind::BlockDevice => "a block device",
            Kind::Other => "a special file",
        })
    }
}

fn kind_of(t: std::fs::FileType) -> Option<Kind> {
    if t.is_file() {
        return None;
    }
    Some(if t.is_dir() {
        Kind::Directory
    } else if t.is_fifo() {
        Kind::Fifo
    } else if t.is_socket() {
        Kind::Socket
    } else if t.is_char_device() {
        Kind::CharDevice
    } else if t.is_block_device() {
        Kind::BlockDevice
    } else {
        Kind::Other
    })
}

/// The regular file at `path` opened for reading, checked as [`read`] checks it but with
/// no size cap: for a log that is read line by line and never held whole (`guardsh log`).
pub fn open(path: &Path) -> Result<std::fs::File, Error> {
    open_checked(path, u64::MAX).map(|(file, _)| file)
}

fn open_checked(path: &Path, cap: u64) -> Result<(std::fs::File, std::fs::Metadata), Error> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    // Look before opening: opening a device can act (a watchdog arms, a tape rewinds).
    let before = std::fs::metadata(path).map_err(io_err)?;
    check(path, &before, cap)?;
    // O_NONBLOCK: a FIFO swapped in between the look and the open must not hang the open
    // (on a regular file the flag changes nothing). O_NOCTTY: a terminal swapped in must
    // not become guardsh's controlling terminal.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(io_err)?;
    // What was opened is what counts: the same checks on the open file.
    let meta = file.metadata().map_err(io_err)?;
    check(path, &meta, cap)?;
    Ok((file, meta))
}

/// The bytes of the regular file at `path` (symbolic links followed), at most `cap` of
/// them, or why not.
pub fn read(path: &Path, cap: u64) -> Result<Vec<u8>, Error> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let (file, meta) = open_checked(path, cap)?;
    let (bytes, over) = read_stream(file, cap, meta.len()).map_err(io_err)?;
    if over {
        // It grew while being read.
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            cap,
        });
    }
    Ok(bytes)
}

/// [`read`], with a file that is not there (or under a non-directory) as `None`.
pub fn read_optional(path: &Path, cap: u64) -> Result<Option<Vec<u8>>, Error> {
    match read(path, cap) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.is_missing() => Ok(None),
        Err(e) => Err(e),
    }
}

/// [`read`] for text: bytes that are not UTF-8 are an [`Error::Io`] of kind
/// `InvalidData`, as `std::fs::read_to_string` gives.
pub fn read_text(path: &Path, cap: u64) -> Result<String, Error> {
    String::from_utf8(read(path, cap)?).map_err(|_| Error::Io {
        path: path.to_path_buf(),
        source: io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ),
    })
}

/// [`read_text`], with a file that is not there (or under a non-directory) as `None`.
pub fn read_optional_text(path: &Path, cap: u64) -> Result<Option<String>, Error> {
    match read_text(path, cap) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.is_missing() => Ok(None),
        Err(e) => Err(e),
    }
}

/// At most `cap + 1` bytes of a stream (standard input, a pipe, an open file); true when
/// there were more than `cap`, and then the bytes kept are `cap + 1`. `size_hint` is what
/// to allocate up front (the file's size, or 0 for a stream), never more than the cap.
pub fn read_stream(reader: impl io::Read, cap: u64, size_hint: u64) -> io::Result<(Vec<u8>, bool)> {
    let limit = cap.saturating_add(1);
    let room = usize::try_from(size_hint.min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(room);
    reader.take(limit).read_to_end(&mut bytes)?;
    let over = bytes.len() as u64 > cap;
    Ok((bytes, over))
}

fn check(path: &Path, meta: &std::fs::Metadata, cap: u64) -> Result<(), Error> {
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(Error::NotRegular {
            path: path.to_path_buf(),
            kind,
        });
    }
    if meta.len() > cap {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            cap,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "guardsh-capped-{name}-{}-{}",
            std::process::id(),
            crate::clock::now()
        ));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    /// `f` on another thread, failing the test if it has not returned within `limit`.
    fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(limit).expect("returned in time")
    }

    #[test]
    fn a_small_regular_file_is_read_whole() {
        let dir = scratch("small");
        let p = dir.join("a.yaml");
        std::fs::write(&p, b"rules: []\n").expect("write");
        assert_eq!(read(&p, CONFIG).expect("reads"), b"rules: []\n");
        assert_eq!(
            read_optional_text(&p, CONFIG).expect("reads").as_deref(),
            Some("rules: []\n")
        );
        // Exactly at the cap is fine; one byte over is not.
        std::fs::write(&p, vec![b'x'; 16]).expect("write");
        assert_eq!(read(&p, 16).expect("at the cap").len(), 16);
        assert!(matches!(
            read(&p, 15),
            Err(Error::TooLarge {
                size: 16,
                cap: 15,
                ..
            })
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_missing_file_is_missing_and_optional() {
        let dir = scratch("missing");
        let p = dir.join("nope.yaml");
        assert!(read(&p, CONFIG).is_err_and(|e| e.is_missing()));
        assert!(read_optional(&p, CONFIG).expect("no error").is_none());
        let under_file = dir.join("file");
        std::fs::write(&under_file, b"x").expect("write");
        assert!(
            read_optional(&under_file.join("x.yaml"), CONFIG)
                .expect("no error")
                .is_none()
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_huge_sparse_file_is_refused_without_reading_it() {
        let dir = scratch("sparse");
        let p = dir.join(".guardsh.yaml");
        let f = std::fs::File::create(&p).expect("create");
        // 5 GB of nothing on disk: reading it would take seconds and gigabytes.
        f.set_len(5 << 30).expect("set_len");
        let start = Instant::now();
        let err = read(&p, CONFIG).expect_err("refused");
        assert!(
            start.elapsed() < Duration::from_millis(200),
            "{:?}",
            start.elapsed()
        );
        match &err {
            Error::TooLarge { size, cap, .. } => {
                assert_eq!(*size, 5 << 30);
                assert_eq!(*cap, CONFIG);
            }
            other => panic!("{other:?}"),
        }
        let shown = err.to_string();
        assert!(
            shown.contains(".guardsh.yaml") && shown.contains("5368709120"),
            "{shown}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_fifo_is_refused_and_does_not_hang() {
        let dir = scratch("fifo");
        let p = dir.join("config.yaml");
        // Test-only: make the FIFO with the system's mkfifo (the library has no unsafe).
        #[allow(clippy::disallowed_methods)]
        let made = std::process::Command::new("mkfifo").arg(&p).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let q = p.clone();
        let got = within(Duration::from_secs(5), move || read(&q, CONFIG));
        assert!(
            matches!(
                &got,
                Err(Error::NotRegular {
                    kind: Kind::Fifo,
                    ..
                })
            ),
            "{got:?}"
        );
        let q = p.clone();
        let got = within(Duration::from_secs(5), move || read_optional(&q, CONFIG));
        assert!(got.is_err(), "a FIFO is not an absent file");
        let shown = read(&p, CONFIG).expect_err("refused").to_string();
        assert!(shown.contains("config.yaml is a FIFO"), "{shown}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn directories_and_devices_are_not_regular() {
        let dir = scratch("dir");
        let cases: &[(&Path, Kind)] = &[
            (&dir, Kind::Directory),
            (Path::new("/dev/null"), Kind::CharDevice),
            (Path::new("/dev/zero"), Kind::CharDevice),
        ];
        for (p, want) in cases {
            match read(p, CONFIG) {
                Err(Error::NotRegular { kind, path }) => {
                    assert_eq!(kind, *want, "{}", p.display());
                    assert_eq!(path, *p);
                }
                other => panic!("{}: {other:?}", p.display()),
            }
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_symlink_to_a_regular_file_is_read_and_to_a_device_is_not() {
        let dir = scratch("link");
        let target = dir.join("real.yaml");
        std::fs::write(&target, b"x: 1\n").expect("write");
        let good = dir.join("good.yaml");
        let bad = dir.join("bad.yaml");
        std::os::unix::fs::symlink(&target, &good).expect("symlink");
        std::os::unix::fs::symlink("/dev/zero", &bad).expect("symlink");
        assert_eq!(read(&good, CONFIG).expect("reads"), b"x: 1\n");
        assert!(matches!(
            read(&bad, CONFIG),
            Err(Error::NotRegular {
                kind: Kind::CharDevice,
                ..
            })
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_stream_keeps_at_most_one_byte_over_the_cap() {
        let (b, over) = read_stream(&b"abcdef"[..], 4, 0).expect("reads");
        assert_eq!((b.as_slice(), over), (&b"abcde"[..], true));
        let (b, over) = read_stream(&b"abcd"[..], 4, 100).expect("reads");
        assert_eq!((b.as_slice(), over), (&b"abcd"[..], false));
        // An endless stream ends at the cap.
        let (b, over) = read_stream(io::repeat(b'y'), 1000, 0).expect("reads");
        assert_eq!((b.len(), over), (1001, true));
    }

    #[test]
    fn invalid_utf8_is_an_io_error_for_text() {
        let dir = scratch("utf8");
        let p = dir.join("c.yaml");
        std::fs::write(&p, b"\xff\xfe").expect("write");
        let err = read_optional_text(&p, CONFIG).expect_err("not text");
        assert!(
            matches!(&err, Error::Io { source, .. } if source.kind() == io::ErrorKind::InvalidData)
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_record_cap_holds_the_longest_command_guardsh_judges() {
        let longest = crate::parse::Limits::default().max_input_bytes as u64;
        // JSON escapes a control byte as six (`\u0001`); the summary needs room too.
        assert!(
            RECORD >= longest * 6 + (64 << 10),
            "{RECORD} < {}",
            longest * 6
        );
    }
}
