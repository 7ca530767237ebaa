//! `guardsh` with no command, at a terminal: the real shell, interactive, with the line
//! checks of `guardsh init` loaded after the person's own startup files.
//!
//! Each shell is told differently: bash reads a startup file of guardsh's (`--rcfile`) that
//! sources the person's own and then the integration; zsh reads its startup files from a
//! directory of guardsh's (`ZDOTDIR`) whose files source the person's; fish runs an init
//! command after its configuration (`-C`). The files are written under guardsh's state
//! directory, private to the user.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::cli::InitShell;

/// How to start the real shell with the integration loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    /// The arguments for the real shell.
    pub args: Vec<OsString>,
    /// Variables to set for it.
    pub env: Vec<(OsString, OsString)>,
}

/// The shell kind of the real shell's program name, when guardsh can load its integration.
pub fn shell_kind(shell: &Path) -> Option<InitShell> {
    match shell.file_name()?.to_str()? {
        "bash" => Some(InitShell::Bash),
        "zsh" => Some(InitShell::Zsh),
        "fish" => Some(InitShell::Fish),
        _ => None,
    }
}

/// The arguments and variables that start `kind` interactively with the integration, from
/// the arguments guardsh was given (`login`: called as a login shell). `dir` is where the
/// startup files go; `script` is the integration (`guardsh init`'s output).
pub fn prepare(
    kind: InitShell,
    args: &[OsString],
    login: bool,
    dir: &Path,
    script: &str,
) -> std::io::Result<Start> {
    write_private(&dir.join("init"), script)?;
    // Quoted as the integration scripts quote their own paths.
    let quote = |p: &Path| match kind {
        InitShell::Fish => super::fish_quote(&p.display().to_string()),
        InitShell::Bash | InitShell::Zsh => super::posix_quote(&p.display().to_string()),
    };
    let init = quote(&dir.join("init"));
    match kind {
        InitShell::Bash => {
            // bash ignores --rcfile in a login shell: the file does the login reading
            // itself, and the shell starts as an interactive non-login one.
            let login = login || args.iter().any(|a| a == "-l" || a == "--login");
            let norc = args.iter().any(|a| a == "--norc");
            let mut rest: Vec<OsString> = Vec::new();
            let mut own_rc = None;
            let mut it = args.iter();
            while let Some(a) = it.next() {
                if a == "--rcfile" || a == "--init-file" {
                    own_rc = it.next().map(PathBuf::from);
                } else if a != "-l" && a != "--login" && a != "--norc" {
                    rest.push(a.clone());
                }
            }
            let mut rc = String::from(
                "# Written by guardsh: the person's startup files, then guardsh's line checks.\n",
            );
            if login {
                rc.push_str(
                    "[ -r /etc/profile ] && . /etc/profile\n\
                     for __guardsh_f in ~/.bash_profile ~/.bash_login ~/.profile; do\n\
                     \x20 if [ -r \"$__guardsh_f\" ]; then . \"$__guardsh_f\"; break; fi\n\
                     done\nunset __guardsh_f\n",
                );
            } else if let Some(own) = own_rc {
                rc.push_str(&format!("[ -r {0} ] && . {0}\n", quote(&own)));
            } else if !norc {
                rc.push_str("[ -r ~/.bashrc ] && . ~/.bashrc\n");
            }
            rc.push_str(&format!(". {init}\n"));
            let file = dir.join("bashrc");
            write_private(&file, &rc)?;
            let mut out = vec![OsString::from("--rcfile"), file.into_os_string()];
            out.extend(rest);
            if !out.iter().any(|a| a == "-i") {
                out.push(OsString::from("-i"));
            }
            Ok(Start {
                args: out,
                env: Vec::new(),
            })
        }
        InitShell::Zsh => {
            // zsh reads .zshenv, .zprofile (login), .zshrc and .zlogin (login) from ZDOTDIR:
            // each of guardsh's sources the person's own from where it was, and .zshrc then
            // loads the integration.
            let original = std::env::var_os("ZDOTDIR")
                .filter(|v| !v.is_empty())
                .or_else(|| std::env::var_os("HOME"))
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."));
            let own = quote(&original);
            for name in [".zshenv", ".zprofile", ".zshrc", ".zlogin"] {
                let mut text = format!(
                    "# Written by guardsh.\n__guardsh_zdot=$ZDOTDIR; ZDOTDIR={own}\n\
                     [ -r \"$ZDOTDIR/{name}\" ] && . \"$ZDOTDIR/{name}\"\n"
                );
                if name == ".zshrc" {
                    // The person's files have run; later ones are read from their place.
                    text.push_str(&format!(". {init}\n"));
                } else {
                    text.push_str("ZDOTDIR=$__guardsh_zdot\n");
                }
                text.push_str("unset __guardsh_zdot\n");
                write_private(&dir.join(name), &text)?;
            }
            Ok(Start {
                args: args.to_vec(),
                env: vec![(OsString::from("ZDOTDIR"), dir.as_os_str().to_owned())],
            })
        }
        InitShell::Fish => {
            let mut out = args.to_vec();
            out.push(OsString::from("-C"));
            out.push(OsString::from(format!("source {init}")));
            Ok(Start {
                args: out,
                env: Vec::new(),
            })
        }
    }
}

/// Write `text` to `path`, readable by its owner only, replacing what was there.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("guardsh-start-{name}-{}", std::process::id()))
    }

    #[test]
    fn bash_reads_the_persons_file_then_the_checks() {
        let d = dir("bash");
        let s = prepare(InitShell::Bash, &[], false, &d, "echo init").expect("writes");
        assert_eq!(s.args[0], "--rcfile");
        assert!(s.args.iter().any(|a| a == "-i"));
        let rc = std::fs::read_to_string(d.join("bashrc")).expect("rc");
        let bashrc = rc.find("~/.bashrc").expect("sources ~/.bashrc");
        let init = rc.find("/init'").expect("then the integration");
        assert!(bashrc < init, "{rc}");
        // A login shell reads the profile files instead, and is started without -l (bash
        // would skip --rcfile).
        let s = prepare(InitShell::Bash, &["-l".into()], false, &d, "x").expect("writes");
        assert!(!s.args.iter().any(|a| a == "-l"));
        let rc = std::fs::read_to_string(d.join("bashrc")).expect("rc");
        assert!(
            rc.contains("/etc/profile") && rc.contains(".bash_profile"),
            "{rc}"
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn zsh_and_fish() {
        let d = dir("zsh");
        let s = prepare(InitShell::Zsh, &[], false, &d, "x").expect("writes");
        assert_eq!(s.env[0].0, "ZDOTDIR");
        let zshrc = std::fs::read_to_string(d.join(".zshrc")).expect("zshrc");
        assert!(zshrc.contains("/init'"), "{zshrc}");
        let s = prepare(InitShell::Fish, &[], false, &d, "x").expect("writes");
        assert_eq!(s.args[0], "-C");
        let _ = std::fs::remove_dir_all(&d);
    }
}
