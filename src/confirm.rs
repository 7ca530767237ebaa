//! Talking to the human: a typed confirmation on the controlling terminal.
//!
//! The answer is read from `/dev/tty`, never from standard input: standard input belongs to
//! the command (and to whoever feeds it, such as `yes |` or an agent). With no controlling
//! terminal, the usual case under an agent, there is no one to ask and the answer is no.
//! The prompt is written here rather than with a prompt library so that it is plain which
//! file descriptor is read: a library that falls back to stdin when there is no terminal
//! would let the agent confirm its own command.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};

use crate::decision::{Decision, Verdict};

/// The longest answer read; a longer line is a wrong answer.
const MAX_ANSWER: u64 = 1024;

/// What the human said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// They typed the phrase.
    Confirmed,
    /// They typed something else (or nothing).
    Refused,
    /// There is no terminal to ask on; the text says why.
    NoTerminal(String),
}

/// The phrase a human types to confirm: the last two words of the first command that needs
/// the confirmation, without options (`delete pg-data`, `reset HEAD~3`), or the program and
/// its last word. It names the target, so that confirming means reading what will go.
pub fn phrase_for(verdict: &Verdict) -> String {
    let command = verdict
        .matches
        .iter()
        .filter(|m| m.severity >= Decision::Confirm)
        .map(|m| m.command.as_str())
        .next();
    let Some(command) = command else {
        return "run it".to_owned();
    };
    let words = shell_words::split(command)
        .unwrap_or_else(|_| command.split_whitespace().map(str::to_owned).collect());
    let plain: Vec<&String> = words
        .iter()
        .skip(1)
        .filter(|w| !w.starts_with('-') && !w.is_empty() && w.len() <= 64 && !w.contains('\n'))
        .collect();
    let picked: Vec<&str> = match plain.as_slice() {
        [] => words.first().map(String::as_str).into_iter().collect(),
        [one] => words
            .first()
            .map(String::as_str)
            .into_iter()
            .chain([one.as_str()])
            .collect(),
        [.., a, b] => vec![a.as_str(), b.as_str()],
    };
    let phrase = picked
        .iter()
        .map(|w| crate::term::escape(w).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    if phrase.is_empty() {
        "run it".to_owned()
    } else {
        phrase
    }
}

fn open_tty() -> io::Result<File> {
    OpenOptions::new().read(true).write(true).open("/dev/tty")
}

/// True when there is a controlling terminal to ask on.
pub fn have_terminal() -> bool {
    open_tty().is_ok()
}

/// Show `summary` on the terminal and ask for `phrase`.
pub fn ask(summary: &str, phrase: &str) -> Answer {
    let tty = match open_tty() {
        Ok(t) => t,
        Err(e) => return Answer::NoTerminal(format!("no terminal to ask on ({e})")),
    };
    ask_on(tty, summary, phrase)
}

/// The terminal's mode as it was, put back when dropped.
struct CookedMode<'a> {
    tty: &'a File,
    saved: rustix::termios::Termios,
}

impl Drop for CookedMode<'_> {
    fn drop(&mut self) {
        let _ = rustix::termios::tcsetattr(
            self.tty,
            rustix::termios::OptionalActions::Drain,
            &self.saved,
        );
    }
}

/// A line editor (readline, ZLE, fish) that runs `guardsh gate` from a key binding keeps the
/// terminal in raw mode: no echo, and Enter arrives as `\r` without ending a line. The answer
/// is a typed line, so the terminal is put in canonical mode with echo while it is read.
fn cooked(tty: &File) -> Option<CookedMode<'_>> {
    use rustix::termios::{InputModes, LocalModes, OptionalActions, tcgetattr, tcsetattr};
    let saved = tcgetattr(tty).ok()?;
    let mut mode = saved.clone();
    mode.local_modes |= LocalModes::ICANON | LocalModes::ECHO | LocalModes::ECHOE;
    mode.input_modes |= InputModes::ICRNL;
    mode.input_modes -= InputModes::INLCR | InputModes::IGNCR;
    if mode.local_modes == saved.local_modes && mode.input_modes == saved.input_modes {
        return None;
    }
    tcsetattr(tty, OptionalActions::Drain, &mode).ok()?;
    Some(CookedMode { tty, saved })
}

/// Ask on an open terminal (a pseudo-terminal in tests).
pub fn ask_on(mut tty: File, summary: &str, phrase: &str) -> Answer {
    let reader = match tty.try_clone() {
        Ok(r) => r,
        Err(e) => return Answer::NoTerminal(format!("cannot read the terminal ({e})")),
    };
    let _mode = cooked(&reader);
    let prompt = format!(
        "{summary}guardsh: a person must confirm this. Type `{phrase}` and Enter to run it; anything else refuses:\n> "
    );
    if tty
        .write_all(prompt.as_bytes())
        .and_then(|()| tty.flush())
        .is_err()
    {
        return Answer::NoTerminal("cannot write to the terminal".to_owned());
    }
    let mut line = String::new();
    let read = BufReader::new((&reader).take(MAX_ANSWER)).read_line(&mut line);
    match read {
        Ok(0) => Answer::Refused,
        Ok(_) if line.trim_end_matches(['\n', '\r']).trim() == phrase => Answer::Confirmed,
        Ok(_) => {
            let _ = tty.write_all(b"guardsh: that is not the phrase; refused.\n");
            Answer::Refused
        }
        Err(e) => Answer::NoTerminal(format!("cannot read the terminal ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Match;

    fn v(command: &str) -> Verdict {
        Verdict {
            decision: Decision::Confirm,
            matches: vec![Match {
                rule: "r".to_owned(),
                severity: Decision::Confirm,
                command: command.to_owned(),
                message: String::new(),
                suggestion: String::new(),
                environment: None,
            }],
            unknown: Vec::new(),
            environments: Vec::new(),
            backups: Vec::new(),
            effects: Vec::new(),
        }
    }

    #[test]
    fn phrases_name_the_target() {
        assert_eq!(
            phrase_for(&v("railway volume delete --volume pg-data --yes")),
            "delete pg-data"
        );
        assert_eq!(phrase_for(&v("git reset --hard")), "git reset");
        assert_eq!(phrase_for(&v("rm -rf ~/.ssh")), "rm ~/.ssh");
        assert_eq!(phrase_for(&v("terraform destroy")), "terraform destroy");
        let none = Verdict {
            decision: Decision::Confirm,
            matches: Vec::new(),
            unknown: Vec::new(),
            environments: Vec::new(),
            backups: Vec::new(),
            effects: Vec::new(),
        };
        assert_eq!(phrase_for(&none), "run it");
    }
}
