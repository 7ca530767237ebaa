//! Progress of a backup or restore that takes longer than a moment: one line on standard
//! error, redrawn in place, when standard error is a terminal; nothing otherwise (an agent
//! reading stderr, a log). Hand-written rather than a progress-bar crate: one line of
//! bytes and percent is all a backup needs, and guardsh's start-up pays for every crate.

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

/// A progress line.
pub struct Progress {
    what: String,
    total: u64,
    done: u64,
    started: Instant,
    last: Option<Instant>,
    on: bool,
}

/// Nothing is drawn for work shorter than this.
const QUIET_FOR: Duration = Duration::from_millis(500);
/// Nor redrawn more often.
const EVERY: Duration = Duration::from_millis(100);

impl Progress {
    /// Start reporting on `what`, of `total` bytes (0 when not known).
    pub fn new(what: &str, total: u64) -> Progress {
        Progress {
            what: crate::term::escape(what).into_owned(),
            total,
            done: 0,
            started: Instant::now(),
            last: None,
            on: std::io::stderr().is_terminal(),
        }
    }

    /// `bytes` more are done.
    pub fn add(&mut self, bytes: u64) {
        self.done = self.done.saturating_add(bytes);
        if !self.on || self.started.elapsed() < QUIET_FOR {
            return;
        }
        if self.last.is_some_and(|l| l.elapsed() < EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        let line = if self.total > 0 {
            format!(
                "\rguardsh: {}: {} of {} ({}%)\x1b[K",
                self.what,
                human(self.done),
                human(self.total),
                self.done.saturating_mul(100) / self.total
            )
        } else {
            format!("\rguardsh: {}: {}\x1b[K", self.what, human(self.done))
        };
        let _ = std::io::stderr().write_all(line.as_bytes());
    }

    /// The work is finished: clear the line if one was drawn.
    pub fn done(&mut self) {
        if self.last.take().is_some() {
            let _ = std::io::stderr().write_all(b"\r\x1b[K");
        }
    }
}

/// Bytes for a person: `12.3 MB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "kB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{v:.1} {}", UNITS.get(unit).copied().unwrap_or("B"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_like_a_person_writes_them() {
        assert_eq!(super::human(999), "999 bytes");
        assert_eq!(super::human(12_345_678), "12.3 MB");
    }
}
