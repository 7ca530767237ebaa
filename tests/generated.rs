//! The committed completions and man pages must match what `cli.rs` generates today.
//!
//! Run with `GUARDSH_UPDATE_GENERATED=1 cargo test --test generated` to rewrite them.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap_complete::Shell;
use clap_mangen::Man;

const UPDATE_VAR: &str = "GUARDSH_UPDATE_GENERATED";

/// Every generated file: path from the crate root, and its content.
fn generated() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for (path, shell) in [
        ("completions/guardsh.bash", Shell::Bash),
        ("completions/_guardsh", Shell::Zsh),
        ("completions/guardsh.fish", Shell::Fish),
    ] {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut guardsh::cli::command(), "guardsh", &mut out);
        files.push((path.to_owned(), out));
    }

    // One page for guardsh and one per subcommand (the SUBCOMMANDS section points to them).
    // `guardsh help` is left out of the pages: `--help` says the same.
    let mut cmd = guardsh::cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = vec![cmd.clone()];
    pages.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    for page in pages {
        let has_subcommands = page.has_subcommands();
        let man = Man::new(page);
        let content = man_page(&man, has_subcommands);
        files.push((format!("man/{}", man.get_filename()), content));
    }
    files
}

/// A clap_mangen page with the exit codes in a real EXIT STATUS section instead of the
/// after-help text, which roff would run together.
/// One of clap_mangen's section renderers.
type Section = fn(&Man, &mut dyn std::io::Write) -> std::io::Result<()>;

fn man_page(man: &Man, has_subcommands: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut sections: Vec<Section> = vec![
        Man::render_title,
        Man::render_name_section,
        Man::render_synopsis_section,
        Man::render_description_section,
        Man::render_options_section,
    ];
    if has_subcommands {
        sections.push(Man::render_subcommands_section);
    }
    for render in sections {
        render(man, &mut out).expect("rendering into memory cannot fail");
    }
    writeln!(out, ".SH \"EXIT STATUS\"").expect("write to memory");
    for (code, meaning) in guardsh::cli::EXIT_CODES {
        writeln!(out, ".TP\n\\fB{code}\\fR\n{}", roff_text(meaning)).expect("write to memory");
    }
    writeln!(out, ".PP\n{}", roff_text(guardsh::cli::ERRORS_NOTE)).expect("write to memory");
    man.render_version_section(&mut out)
        .expect("rendering into memory cannot fail");
    out
}

/// Text for a roff line: backslashes and hyphens escaped, no leading control character.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn generated_files_are_fresh() {
    let update = std::env::var_os(UPDATE_VAR).is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (path, want) in generated() {
        let full = root().join(&path);
        if std::fs::read(&full).ok().as_deref() == Some(want.as_slice()) {
            continue;
        }
        if update {
            write(&full, &want);
        } else {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are stale or missing: {}\n\
         rerun with `{UPDATE_VAR}=1 cargo test --test generated` to rewrite them, then commit them",
        stale.join(", ")
    );
}

fn write(path: &Path, content: &[u8]) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create the directory for generated files");
    }
    std::fs::write(path, content).expect("write a generated file");
}
