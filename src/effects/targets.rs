//! Local targets written over by mechanisms the packs' `rm` and `dd` rules do not name:
//! a redirection or `tee` onto a block device or a credential file, and an archive
//! extracted over a system directory, the home directory or a credential directory.

use super::{Effect, Judged};
use crate::parse::{Command, RedirectKind, Script, Word};
use crate::rules::{PathClass, Severity, classes};

fn device(w: &Word) -> bool {
    classes::is_in(w, PathClass::Device)
}

/// A credential file or directory (keys, cloud credentials), or the file that says who may
/// log in (`authorized_keys`: overwritten, its owners are locked out).
fn credential(w: &Word) -> bool {
    let t = w.text.as_str();
    (t.starts_with('~')
        || t.starts_with("$HOME")
        || t.starts_with("${HOME")
        || t.starts_with("/home/")
        || t.starts_with("/root"))
        && (super::sends::credential_path(t).is_some() || t.ends_with(".ssh/authorized_keys"))
}

/// A system file or a service's data written over by a redirection (`> /etc/hosts`,
/// `: > /var/lib/redis/dump.rdb`); the streams and terminals under /dev and /proc are not.
fn system_file(w: &Word) -> bool {
    let t = w.text.as_str();
    !(t.starts_with("/dev/") || t.starts_with("/proc/") || t == "/dev")
        && (classes::is_in(w, PathClass::System) || classes::is_in(w, PathClass::DbData))
}

fn push(
    id: &'static str,
    severity: Severity,
    target: &Word,
    class: &str,
    how: &str,
    message: String,
    out: &mut Vec<Judged>,
) {
    out.push(Judged {
        id,
        severity,
        message,
        suggestion: match class {
            "device" => "check the device with `lsblk` and ask a human to run it".to_owned(),
            "credential" => "leave credentials alone; if one must change, ask a human".to_owned(),
            _ => "extract into a new, empty directory and move what you need".to_owned(),
        },
        effect: Effect::Overwrites {
            target: target.text.clone(),
            class: class.to_owned(),
            how: how.to_owned(),
        },
    });
}

/// Judge what `cmd` writes over.
pub fn judge(cmd: &Command, _script: &Script, out: &mut Vec<Judged>) {
    for r in &cmd.redirects {
        let writes = matches!(
            r.kind,
            RedirectKind::Output
                | RedirectKind::Clobber
                | RedirectKind::OutputBoth
                | RedirectKind::ReadWrite
                | RedirectKind::Append
        );
        // Only an absolute path or one from home or a variable can be a device, a
        // credential or a system file: `> notes.md` is none of them.
        if !writes || !r.target.text.starts_with(['/', '~', '$']) {
            continue;
        }
        if device(&r.target) {
            push(
                "effects.write.device",
                Severity::Deny,
                &r.target,
                "device",
                "redirection",
                format!(
                    "writes onto the block device {} through a redirection, replacing its partitions and file systems",
                    r.target.text
                ),
                out,
            );
        } else if r.kind != RedirectKind::Append && credential(&r.target) {
            push(
                "effects.write.credential",
                Severity::Deny,
                &r.target,
                "credential",
                "redirection",
                format!(
                    "overwrites the credential file {}: a key or token that is gone cannot be recovered",
                    r.target.text
                ),
                out,
            );
        } else if r.kind != RedirectKind::Append && system_file(&r.target) {
            push(
                "effects.write.system",
                Severity::Confirm,
                &r.target,
                "system",
                "redirection",
                format!(
                    "overwrites {} through a redirection: a system file or a service's data, replaced whole",
                    r.target.text
                ),
                out,
            );
        }
    }
    let Some(program) = cmd.program() else {
        return;
    };
    let args = cmd.argv.get(1..).unwrap_or(&[]);
    match program {
        "tee" => {
            for w in args.iter().filter(|w| !w.text.starts_with('-')) {
                if device(w) {
                    push(
                        "effects.write.device",
                        Severity::Deny,
                        w,
                        "device",
                        "tee",
                        format!("writes onto the block device {} with tee", w.text),
                        out,
                    );
                } else if credential(w)
                    && !args.iter().any(|a| a.text == "-a" || a.text == "--append")
                {
                    push(
                        "effects.write.credential",
                        Severity::Deny,
                        w,
                        "credential",
                        "tee",
                        format!("overwrites the credential file {} with tee", w.text),
                        out,
                    );
                }
            }
        }
        "cp" | "install" | "mv" => {
            if let Some(dest) = args.iter().rev().find(|w| !w.text.starts_with('-'))
                && args.iter().filter(|w| !w.text.starts_with('-')).count() >= 2
            {
                if credential(dest) {
                    push(
                        "effects.write.credential",
                        Severity::Deny,
                        dest,
                        "credential",
                        program,
                        format!(
                            "writes over the credential file {} with {program}",
                            dest.text
                        ),
                        out,
                    );
                } else if device(dest) {
                    push(
                        "effects.write.device",
                        Severity::Deny,
                        dest,
                        "device",
                        program,
                        format!("writes onto the block device {} with {program}", dest.text),
                        out,
                    );
                }
            }
        }
        "tar" | "bsdtar" | "unzip" | "7z" | "cpio" => extraction(program, args, out),
        _ => {}
    }
}

/// `tar -x … -C DIR`, `unzip … -d DIR`: what lands in DIR replaces files of the same name.
fn extraction(program: &str, args: &[Word], out: &mut Vec<Judged>) {
    let extracting = match program {
        "unzip" => true,
        "7z" => args.first().is_some_and(|w| w.text == "x" || w.text == "e"),
        _ => args.iter().any(|w| {
            w.text == "--extract"
                || w.text == "x"
                || (w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('x'))
                || (!w.text.starts_with('-') && w.text.len() <= 6 && w.text.starts_with('x'))
        }),
    };
    if !extracting {
        return;
    }
    let mut dir = None;
    for (k, w) in args.iter().enumerate() {
        let t = w.text.as_str();
        if let Some(d) = t.strip_prefix("--directory=").or(t
            .strip_prefix("-C")
            .filter(|d| !d.is_empty() && program != "unzip"))
        {
            dir = Some(Word {
                text: d.to_owned(),
                ..w.clone()
            });
        } else if (t == "-C" && program != "unzip")
            || t == "--directory"
            || (t == "-d" && program == "unzip")
        {
            dir = args.get(k + 1).cloned();
        } else if program == "7z"
            && let Some(d) = t.strip_prefix("-o")
        {
            dir = Some(Word {
                text: d.to_owned(),
                ..w.clone()
            });
        }
    }
    let Some(dir) = dir else {
        return;
    };
    let class = if credential(&dir) {
        "credential"
    } else if classes::is_in(&dir, PathClass::Home) && !dir.text.trim_end_matches('/').contains('/')
        || dir.text.trim_end_matches('/') == "~"
        || dir.text.trim_end_matches('/') == "$HOME"
    {
        "home"
    } else if classes::is_in(&dir, PathClass::DbData) {
        "db_data"
    } else if classes::is_in(&dir, PathClass::System) {
        "system"
    } else {
        return;
    };
    push(
        "effects.extract.over",
        Severity::Confirm,
        &dir,
        class,
        program,
        format!(
            "extracts an archive over {} ({class}): files of the same name there are replaced without a copy",
            dir.text
        ),
        out,
    );
}
