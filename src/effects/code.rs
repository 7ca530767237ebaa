//! Code handed to an interpreter that guardsh cannot read as written: a payload decoded and
//! then executed (`exec(base64.b64decode(…))`, `eval(atob(…))`, PowerShell's
//! `-EncodedCommand`), and content downloaded straight into an interpreter (`curl … |
//! python3`, `python3 <(curl …)`), which is `curl … | sh` in another language. Code that is
//! on the line is read by `payload::code` (its shell-outs are unwrapped into commands, its
//! deletes judged by the packs); this is what is left unknown.

use super::{Effect, Judged};
use crate::parse::{Command, Script};
use crate::rules::Severity;

/// Interpreters that run a program read from standard input or a file operand.
fn is_interpreter(p: &str) -> bool {
    crate::payload::code::is_python(p)
        || matches!(
            p,
            "node"
                | "nodejs"
                | "bun"
                | "deno"
                | "perl"
                | "ruby"
                | "php"
                | "lua"
                | "luajit"
                | "tclsh"
                | "wish"
                | "Rscript"
                | "julia"
                | "pwsh"
                | "powershell"
                | "osascript"
                | "irb"
                | "jshell"
                | "groovy"
                | "elixir"
                | "erl"
        )
}

/// Programs that fetch content from the network.
fn downloads(p: &str) -> bool {
    matches!(
        p,
        "curl" | "wget" | "fetch" | "http" | "https" | "xh" | "aria2c" | "lwp-request" | "GET"
    )
}

/// Programs that decode what they are given (`base64 -d`, `xxd -r`).
fn decodes(c: &Command) -> bool {
    let args: Vec<&str> = c.args().skip(1).collect();
    match c.program() {
        Some("base64" | "base32" | "basenc") => {
            args.iter().any(|a| matches!(*a, "-d" | "--decode" | "-D"))
        }
        Some("xxd") => args.contains(&"-r"),
        Some("openssl") => {
            args.iter().any(|a| *a == "base64" || *a == "enc") && args.contains(&"-d")
        }
        Some("gunzip" | "zcat" | "uudecode") => true,
        _ => false,
    }
}

/// Calls that run text as code, and calls that decode text.
/// `deno run https://…`, `bun run https://…`: a program fetched from the network and run.
fn runs_remote(program: &str, args: &[crate::parse::Word]) -> bool {
    matches!(program, "deno" | "bun")
        && args.first().is_some_and(|w| w.text == "run")
        && args
            .iter()
            .skip(1)
            .find(|w| !w.text.starts_with('-'))
            .is_some_and(|w| w.text.starts_with("https://") || w.text.starts_with("http://"))
}

const RUNS: &[&str] = &[
    "exec(",
    "eval(",
    "eval ",
    "Function(",
    "compile(",
    "system(",
    "instance_eval",
    "runInThisContext",
    "vm.run",
    "Invoke-Expression",
    "load(",
    "loadstring(",
    "iex ",
];
const DECODES: &[&str] = &[
    "b64decode",
    "base64",
    "atob(",
    "decode_base64",
    "decode64",
    "unpack(\"m",
    "unpack('m",
    "fromhex",
    "fromCharCode",
    "decompress",
    "codecs.decode",
    "rot13",
    "unhexlify",
    "FromBase64String",
    "unb64",
    "base64_decode",
];

fn unknown(interpreter: &str, code: &str, why: &str, out: &mut Vec<Judged>) {
    out.push(Judged {
        id: "effects.exec.unseen",
        severity: Severity::Confirm,
        message: format!(
            "`{interpreter}` runs {code}: {why}, so what it does is only known when it runs"
        ),
        suggestion: "decode or download it to a file first, read it, and run the file".to_owned(),
        effect: Effect::Executes {
            interpreter: interpreter.to_owned(),
            code: code.to_owned(),
        },
    });
}

/// A program downloaded as the line runs, handed to `interpreter`: `curl … | sh` in another
/// language.
fn downloaded(interpreter: &str, out: &mut Vec<Judged>) {
    unknown(
        interpreter,
        "a program downloaded as the line runs",
        "nobody has read it",
        out,
    );
}

/// Judge the code `cmd` hands an interpreter.
pub fn judge(
    cmd: &Command,
    script: &Script,
    code: Option<&crate::payload::code::Code>,
    out: &mut Vec<Judged>,
) {
    let Some(program) = cmd.program() else {
        return;
    };
    if !is_interpreter(program) {
        return;
    }
    let args = cmd.argv.get(1..).unwrap_or(&[]);
    if runs_remote(program, args) {
        unknown(
            program,
            "a program fetched from a URL",
            "nobody has read it",
            out,
        );
        return;
    }
    // PowerShell: `-EncodedCommand`, and any unique prefix of it (`-enc`, `-e`, `-ec`).
    if matches!(program, "pwsh" | "powershell") {
        let encoded = args.iter().any(|w| {
            let t = w.text.trim_start_matches('-').to_ascii_lowercase();
            w.text.starts_with('-')
                && (t == "ec"
                    || (!t.is_empty() && "encodedcommand".starts_with(&t) && t.starts_with('e')))
        });
        if encoded {
            unknown(
                program,
                "a base64-encoded command",
                "PowerShell decodes it itself",
                out,
            );
            return;
        }
    }
    // `python3 <(curl …)`: a process substitution that downloads, as the program (the first
    // operand; `python3 -m json.tool <(curl …)` reads it as data).
    if let Some(w) = args.iter().find(|w| {
        !w.text.starts_with('-') || matches!(w.text.as_str(), "-m" | "-c" | "-e" | "-r" | "--eval")
    }) && let Some(inner) = w.text.strip_prefix("<(").or(w.text.strip_prefix("$("))
        && inner
            .split_whitespace()
            .next()
            .is_some_and(|p| downloads(crate::parse::program_name(p)))
    {
        downloaded(program, out);
        return;
    }
    // Standard input fed by a download or a decoder, and no program of its own on the line.
    if let Some((pipeline, stage)) = cmd.pipeline_stage()
        && let Some(before) = stage.checked_sub(1)
    {
        let runs_stdin =
            args.iter().all(|w| w.text.starts_with('-')) || args.iter().any(|w| w.text == "-");
        let feeders = script
            .commands
            .iter()
            .filter(|c| c.pipeline_stage() == Some((pipeline, before)));
        for f in feeders {
            let p = f.program().unwrap_or("");
            if runs_stdin && downloads(p) {
                downloaded(program, out);
                return;
            }
            if runs_stdin && decodes(f) {
                unknown(
                    program,
                    "a decoded payload",
                    "it is encoded on the line",
                    out,
                );
                return;
            }
        }
    }
    // Decode-and-execute inside the code itself.
    let Some(text) = code.map(|c| c.text.as_str()) else {
        return;
    };
    let runs = RUNS.iter().any(|r| text.contains(r));
    let decoded = DECODES.iter().any(|d| text.contains(d));
    if runs && decoded {
        unknown(
            program,
            "a decoded payload",
            "the code decodes text and executes it",
            out,
        );
    }
}
