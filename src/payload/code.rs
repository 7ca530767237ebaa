//! Code given to an interpreter on the line: `python -c`, `node -e`/`-p`, `bun -e`,
//! `deno eval`, `perl -e`/`-E`, `ruby -e`, or the same interpreters reading a heredoc, a
//! here-string or a pipe on standard input. [`source`] finds that code; [`deletes`] reads it
//! for recursive deletes (`shutil.rmtree`, `fs.rmSync(…, {recursive: true})`, `rmtree`,
//! `FileUtils.rm_rf`) and says which path each one removes, so that rules can judge the path
//! with the same classes they use for `rm`.
//!
//! Best effort, not a parser for four languages: calls are found by name at identifier
//! boundaries in the code with its string literals blanked out, and the first argument is
//! read as a literal, a well-known home or working-directory expression, or else as a
//! dynamic value (which the rules treat like `rm -rf "$dir"`: not a reason to refuse on its
//! own). A script file (`python cleanup.py`) is not read.

use crate::parse::{Command, Script, Word};

use super::http::input::{Reader, Source};

/// The largest code read; anything longer is not analysed for deletes.
const MAX_CODE: usize = 1 << 20;
/// At most this many deletes are kept for one command.
const MAX_DELETES: usize = 256;

/// The language of an interpreter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// `python`, `python3`, `python3.12`.
    Python,
    /// `node`, `nodejs`, `bun`, `deno eval`.
    Js,
    /// `perl`.
    Perl,
    /// `ruby`.
    Ruby,
    /// `php -r`.
    Php,
    /// `lua -e`, `luajit -e`.
    Lua,
    /// An awk program (`awk`, `gawk`, `mawk`, `nawk`): `system()` runs shell text.
    Awk,
    /// Tcl (`tclsh`, `wish`): `exec` runs a program, `file delete` removes files.
    Tcl,
}

/// Code an interpreter runs, as the shell passes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// The language.
    pub lang: Lang,
    /// The code.
    pub text: String,
    /// The code contains shell expansions, made before the interpreter sees it.
    pub dynamic: bool,
}

/// Is `p` a Python interpreter's name (`python`, `python3`, `python3.12`)?
pub fn is_python(p: &str) -> bool {
    p.strip_prefix("python")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The code `cmd` hands an interpreter, when it is on the line (an argument, a heredoc, a
/// here-string, or a pipe from `echo`/`printf`/`cat` guardsh can reproduce).
pub fn source(cmd: &Command, script: &Script) -> Option<Code> {
    let program = cmd.program()?;
    let args = cmd.argv.get(1..).unwrap_or(&[]);
    if is_python(program) {
        return python(cmd, script, args);
    }
    match program {
        "node" | "nodejs" | "bun" => node(cmd, script, args),
        "deno" => {
            if args.first().map(|w| w.text.as_str()) != Some("eval") {
                return None;
            }
            let code = args.get(1..)?.iter().find(|w| !w.text.starts_with('-'))?;
            Some(of(Lang::Js, code))
        }
        "perl" => letters_e(cmd, script, args, Lang::Perl, "eE", "IMmxCdDlF"),
        "ruby" => letters_e(cmd, script, args, Lang::Ruby, "e", "IrCEFxK"),
        "php" => php(cmd, script, args),
        "lua" | "luajit" | "lua5.1" | "lua5.3" | "lua5.4" => {
            letters_e(cmd, script, args, Lang::Lua, "e", "l")
        }
        "awk" | "gawk" | "mawk" | "nawk" | "busybox-awk" => awk(args),
        // `tclsh` alone reads its script from standard input; a file is not read here.
        // A first argument that starts with `-` (other than `-encoding`) is handed to the
        // script from standard input as its `argv`.
        "tclsh" | "wish" | "tclsh8.6" => match args.first() {
            None => stdin(cmd, script, Lang::Tcl),
            Some(w) if w.text.starts_with('-') && w.text != "-encoding" => {
                stdin(cmd, script, Lang::Tcl)
            }
            Some(_) => None,
        },
        _ => None,
    }
}

fn of(lang: Lang, w: &Word) -> Code {
    Code {
        lang,
        text: w.text.clone(),
        dynamic: !w.is_literal(),
    }
}

fn part(lang: Lang, w: &Word, text: &str) -> Code {
    Code {
        lang,
        text: text.to_string(),
        dynamic: !w.is_literal(),
    }
}

/// Code from standard input (`python3 - <<'EOF'`); `None` when guardsh cannot see it.
fn stdin(cmd: &Command, script: &Script, lang: Lang) -> Option<Code> {
    match Reader::new(script).stdin(cmd, script) {
        Source::Text { text, dynamic } => Some(Code {
            lang,
            text,
            dynamic,
        }),
        _ => None,
    }
}

fn python(cmd: &Command, script: &Script, args: &[Word]) -> Option<Code> {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let t = w.text.as_str();
        if t == "-" || !t.starts_with('-') {
            // A script file (not read here) or `-`: standard input.
            return (t == "-")
                .then(|| stdin(cmd, script, Lang::Python))
                .flatten();
        }
        if t.starts_with("--") {
            continue;
        }
        let letters = t.get(1..).unwrap_or("");
        for (k, c) in letters.char_indices() {
            let rest = letters.get(k + c.len_utf8()..).unwrap_or("");
            match c {
                'c' if rest.is_empty() => return args.get(i).map(|v| of(Lang::Python, v)),
                'c' => return Some(part(Lang::Python, w, rest)),
                // `-m module` runs a module, not code from the line.
                'm' => return None,
                'W' | 'X' => {
                    if rest.is_empty() {
                        i += 1;
                    }
                    break;
                }
                _ => {}
            }
        }
    }
    stdin(cmd, script, Lang::Python)
}

fn node(cmd: &Command, script: &Script, args: &[Word]) -> Option<Code> {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let t = w.text.as_str();
        if let Some(code) = t.strip_prefix("--eval=").or(t.strip_prefix("--print=")) {
            return Some(part(Lang::Js, w, code));
        }
        match t {
            "-e" | "--eval" | "-p" | "--print" | "-pe" | "-ep" => {
                return args.get(i).map(|v| of(Lang::Js, v));
            }
            "-r" | "--require" | "--import" | "--input-type" | "-C" | "--conditions"
            | "--loader" => i += 1,
            "-" => return stdin(cmd, script, Lang::Js),
            _ if t.starts_with('-') => {}
            // A script file: not read here.
            _ => return None,
        }
    }
    stdin(cmd, script, Lang::Js)
}

/// `php -r CODE` (also `-rCODE`, `--run CODE`); `php` alone reads standard input.
fn php(cmd: &Command, script: &Script, args: &[Word]) -> Option<Code> {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let t = w.text.as_str();
        match t {
            "-r" | "--run" => return args.get(i).map(|v| of(Lang::Php, v)),
            "-d" | "-c" | "-z" => i += 1,
            _ if t.starts_with("-r") => return Some(part(Lang::Php, w, &t[2..])),
            _ if t.starts_with('-') => {}
            // A script file: not read here.
            _ => return None,
        }
    }
    stdin(cmd, script, Lang::Php)
}

/// An awk program: the first operand after the options, unless `-f` names a file.
fn awk(args: &[Word]) -> Option<Code> {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let t = w.text.as_str();
        match t {
            "-f" | "--file" => return None,
            "-F" | "-v" | "--assign" | "--field-separator" | "-i" | "--include" | "-l"
            | "--load" => i += 1,
            "--" => return args.get(i).map(|v| of(Lang::Awk, v)),
            _ if t.starts_with("-f") && !t.starts_with("--") => return None,
            _ if t.starts_with('-') => {}
            _ => return Some(of(Lang::Awk, w)),
        }
    }
    None
}

/// Perl and Ruby: clustered letters (`-le`, `-pi -e`), `-e` may repeat (the pieces are
/// joined by newlines), `valued` letters take the rest of the word or the next one.
fn letters_e(
    cmd: &Command,
    script: &Script,
    args: &[Word],
    lang: Lang,
    e: &str,
    valued: &str,
) -> Option<Code> {
    let mut pieces: Vec<&Word> = Vec::new();
    let mut inline: Vec<(usize, String)> = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let t = w.text.as_str();
        if t == "--" || t == "-" || !t.starts_with('-') {
            break;
        }
        if t.starts_with("--") {
            continue;
        }
        let letters = t.get(1..).unwrap_or("");
        for (k, c) in letters.char_indices() {
            let rest = letters.get(k + c.len_utf8()..).unwrap_or("");
            if e.contains(c) {
                if rest.is_empty() {
                    if let Some(v) = args.get(i) {
                        pieces.push(v);
                        i += 1;
                    }
                } else {
                    inline.push((pieces.len(), rest.to_string()));
                    pieces.push(w);
                }
                break;
            }
            if valued.contains(c) {
                break;
            }
        }
    }
    if pieces.is_empty() {
        // `perl script.pl` is not read; `perl` alone or `perl -` reads standard input.
        let first = args
            .iter()
            .find(|w| !w.text.starts_with('-') || w.text == "-");
        return match first {
            Some(w) if w.text != "-" => None,
            _ => stdin(cmd, script, lang),
        };
    }
    let mut text = String::new();
    let mut dynamic = false;
    for (k, w) in pieces.iter().enumerate() {
        if k > 0 {
            text.push('\n');
        }
        match inline.iter().find(|(at, _)| *at == k) {
            Some((_, rest)) => text.push_str(rest),
            None => text.push_str(&w.text),
        }
        dynamic |= !w.is_literal();
    }
    Some(Code {
        lang,
        text,
        dynamic,
    })
}

/// The paths `cmd`'s interpreter code deletes recursively, each as a word the path classes
/// can judge: a literal path, `~` for the home directory however the code names it, `.` for
/// the working directory, or a dynamic word for anything computed. `None` when `cmd` runs
/// no visible code.
pub fn deletes(cmd: &Command, script: &Script) -> Option<Vec<Word>> {
    let code = source(cmd, script)?;
    if code.text.len() > MAX_CODE {
        return None;
    }
    let blank = blank_literals(&code.text, code.lang);
    let mut out = Vec::new();
    // `from shutil import rmtree as wipe`: the new name deletes too.
    let renamed: Vec<Call> = renamed_imports(&blank, calls(code.lang))
        .into_iter()
        .map(|(name, needs_recursive)| Call {
            name: Box::leak(name.into_boxed_str()),
            needs_recursive,
        })
        .collect();
    for call in calls(code.lang).iter().chain(renamed.iter()) {
        let mut from = 0;
        while let Some(at) = find_call(&blank, call.name, from) {
            from = at + call.name.len();
            let Some(args) = call_args(&code.text, &blank, from, code.lang) else {
                continue;
            };
            if call.needs_recursive && !(args.contains("recursive") && args.contains("true")) {
                continue;
            }
            for w in first_arg_paths(args, code.lang) {
                if out.len() < MAX_DELETES {
                    let mut w = w;
                    w.dynamic |= code.dynamic;
                    out.push(w);
                }
            }
        }
    }
    Some(out)
}

/// What interpreter code hands to a shell or runs as a program: `os.system("…")`,
/// `subprocess.run([...])`, `execSync("…")`, Perl's and Ruby's `system`, backquotes, `qx`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShellOut {
    /// Shell text the code runs (an argv list is written back as one quoted line), with
    /// whether it holds expansions made at run time (the shell's or the language's).
    pub scripts: Vec<(String, bool)>,
    /// The whole code is only known when the line runs (`python3 -c "$CODE"`).
    pub code_unknown: bool,
}

/// The shell commands `cmd`'s interpreter code runs; `None` when it runs no visible code.
pub fn shell_out(cmd: &Command, script: &Script) -> Option<ShellOut> {
    let code = source(cmd, script)?;
    let mut out = ShellOut::default();
    let head = code.text.trim_start();
    if code.dynamic && (head.starts_with('$') || head.starts_with('`')) {
        out.code_unknown = true;
        return Some(out);
    }
    if code.text.len() > MAX_CODE {
        out.code_unknown = true;
        return Some(out);
    }
    if code.lang == Lang::Tcl {
        out.scripts = tcl_commands(&code.text, code.dynamic);
        return Some(out);
    }
    let blank = blank_literals(&code.text, code.lang);
    // Generic names (`run`, `exec`) count only when the code loads the module that makes
    // them run programs: `asyncio.run(main())` and `/re/.exec(s)` are not commands.
    let has = |m: &str| code.text.contains(m);
    let mut names: Vec<&str> = Vec::new();
    match code.lang {
        Lang::Python => {
            if has("os") {
                names.extend(["system", "popen", "spawnl", "spawnlp", "execl", "execlp"]);
                names.extend(["execv", "execvp"]);
            }
            if has("subprocess") {
                names.extend(["run", "call", "check_call", "check_output", "Popen"]);
                names.extend(["getoutput", "getstatusoutput"]);
            }
        }
        Lang::Js => {
            if has("child_process") {
                names.extend(["execSync", "exec", "spawnSync", "spawn"]);
                names.extend(["execFileSync", "execFile"]);
            }
            // Bun's own spawn takes the argv as a list: `Bun.spawnSync(['rm', '-rf', d])`.
            if has("Bun.spawn") {
                names.extend(["spawnSync", "spawn"]);
            }
        }
        Lang::Perl => names.extend(["system", "exec"]),
        Lang::Php => names.extend([
            "system",
            "exec",
            "shell_exec",
            "passthru",
            "popen",
            "proc_open",
        ]),
        Lang::Lua => names.extend(["execute", "popen"]),
        Lang::Awk => names.push("system"),
        Lang::Tcl => {}
        Lang::Ruby => {
            names.extend(["system", "exec", "spawn"]);
            if has("Open3") {
                names.extend(["capture2", "capture2e", "capture3", "popen3", "popen2"]);
            }
        }
    }
    for name in names {
        let mut from = 0;
        while let Some(at) = find_call(&blank, name, from) {
            from = at + name.len();
            let Some(args) = call_args(&code.text, &blank, from, code.lang) else {
                continue;
            };
            if out.scripts.len() >= MAX_DELETES {
                break;
            }
            if let Some(found) = command_of(args, code.lang) {
                out.scripts.push((found.0, found.1 || code.dynamic));
            }
        }
    }
    // awk runs a string as a command when it is piped: `"cmd" | getline`, `print | "cmd"`.
    if code.lang == Lang::Awk {
        for (text, dynamic) in awk_pipes(&code.text) {
            if out.scripts.len() < MAX_DELETES {
                out.scripts.push((text, dynamic || code.dynamic));
            }
        }
    }
    // Backquotes run shell text in Perl, Ruby and PHP; `%x(…)` and `qx(…)`/`qx{…}` too.
    if matches!(code.lang, Lang::Perl | Lang::Ruby | Lang::Php) {
        for (text, dynamic) in backquoted(&code.text, code.lang) {
            if out.scripts.len() < MAX_DELETES {
                out.scripts.push((text, dynamic || code.dynamic));
            }
        }
    }
    Some(out)
}

/// The commands an awk program pipes to or from: the string literal before `| getline`
/// and the one after `print … |` (or `printf … |`). Anything but a literal there is a
/// command computed when the program runs.
fn awk_pipes(code: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let b = code.as_bytes();
    let mut i = 0;
    while let Some(k) = code.get(i..).and_then(|r| r.find('|')).map(|k| k + i) {
        i = k + 1;
        // `||` is a boolean or.
        if b.get(k + 1) == Some(&b'|') || (k > 0 && b[k - 1] == b'|') {
            i = k + 2;
            continue;
        }
        let after = code[k + 1..].trim_start();
        if after.starts_with("getline") {
            let before = code[..k].trim_end();
            out.push(
                match before
                    .strip_suffix('"')
                    .and_then(|r| r.rfind('"').map(|q| &r[q + 1..]))
                {
                    Some(lit) if !lit.contains('\\') => (lit.to_owned(), false),
                    _ => ("$computed_command".to_owned(), true),
                },
            );
        } else if let Some(rest) = after.strip_prefix('"') {
            // `print … | "cmd"`: only after a print statement on the same line.
            let stmt_start = code[..k].rfind([';', '{', '\n']).map_or(0, |p| p + 1);
            let stmt = code[stmt_start..k].trim_start();
            if stmt.starts_with("print")
                && let Some(end) = rest.find('"')
            {
                out.push((rest[..end].to_owned(), false));
            }
        }
        if out.len() >= MAX_DELETES {
            break;
        }
    }
    out
}

/// Tcl's commands that run programs or delete: `exec PROG ARGS…` is an argv, `file delete
/// [-force] [--] PATH…` is `rm -rf PATH…`. Tcl's `$env(HOME)` is the shell's `$HOME`.
fn tcl_commands(code: &str, dynamic: bool) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for stmt in code.split(['\n', ';']) {
        let stmt = stmt.trim().replace("$env(HOME)", "$HOME");
        let Ok(words) = shell_words::split(&stmt) else {
            if stmt.starts_with("exec") || stmt.starts_with("file") {
                out.push(("$computed_command".to_owned(), true));
            }
            continue;
        };
        let computed = dynamic || stmt.contains(['[', '$']);
        match words.first().map(String::as_str) {
            Some("exec") if words.len() > 1 => {
                let argv: Vec<&str> = words[1..]
                    .iter()
                    .map(String::as_str)
                    .filter(|w| {
                        *w != "--"
                            && !w.starts_with('<')
                            && !w.starts_with('>')
                            && !w.starts_with('2')
                    })
                    .collect();
                out.push((argv.join(" "), computed));
            }
            Some("file") if words.get(1).is_some_and(|w| w == "delete") => {
                let paths: Vec<&str> = words[2..]
                    .iter()
                    .map(String::as_str)
                    .filter(|w| *w != "-force" && *w != "--")
                    .collect();
                if !paths.is_empty() {
                    out.push((format!("rm -rf {}", paths.join(" ")), computed));
                }
            }
            _ => {}
        }
        if out.len() >= MAX_DELETES {
            break;
        }
    }
    out
}

/// The command a call's arguments name: a string literal is shell text; a list literal
/// (or several string arguments, as Perl's `system LIST` and Ruby's `system(cmd, args…)`) is
/// an argv, written back as a quoted line. Anything computed is `$…` text, dynamic.
fn command_of(args: &str, lang: Lang) -> Option<(String, bool)> {
    let parts = split_top(args, lang);
    let first = parts.first()?.trim();
    if first.is_empty() {
        return None;
    }
    let words = |items: &[&str]| -> (String, bool) {
        let mut argv = Vec::new();
        let mut dynamic = false;
        for item in items {
            let item = item.trim();
            if item.is_empty() || item.contains(['=', ':']) && !item.starts_with(['"', '\'']) {
                // `shell=True`, `{ stdio: 'inherit' }`: options, not words.
                continue;
            }
            match literal(item, lang) {
                Some(w) => {
                    dynamic |= w.dynamic;
                    argv.push(w.text);
                }
                None => {
                    dynamic = true;
                    argv.push("$computed_word".to_string());
                }
            }
        }
        (shell_words::join(argv), dynamic)
    };
    if let Some(inner) = first.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        let items = split_top(inner, lang);
        // `spawn("git", ["push", …])`-style calls take the program first, then a list.
        return Some(words(&items));
    }
    let head = literal(first, lang);
    match (head, parts.get(1).map(|p| p.trim())) {
        // `spawn("git", ["push", "--force"])`, `execFile("rm", ["-rf", "/"])`.
        (Some(program), Some(list)) if list.starts_with('[') => {
            let inner = list.trim_start_matches('[').trim_end_matches(']');
            let mut items: Vec<&str> = vec![first];
            items.extend(split_top(inner, lang));
            let _ = program;
            Some(words(&items))
        }
        // Perl `system("rm", "-rf", "/")`, Ruby `system("rm", "-rf", "/")`: an argv.
        (Some(_), Some(next))
            if matches!(lang, Lang::Perl | Lang::Ruby) && literal(next, lang).is_some() =>
        {
            Some(words(&parts))
        }
        (Some(w), _) => Some((w.text, w.dynamic)),
        // A command computed by the code: known only when it runs.
        (None, _) => Some(("$computed_command".to_string(), true)),
    }
}

/// Text between backquotes, `qx(…)`/`qx{…}` (Perl) and `%x(…)` (Ruby).
fn backquoted(code: &str, lang: Lang) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() && out.len() < MAX_DELETES {
        let (open_len, close) = match bytes.get(i..) {
            Some([b'`', ..]) => (1, b'`'),
            Some([b'q', b'x', b'(', ..]) if lang == Lang::Perl => (3, b')'),
            Some([b'q', b'x', b'{', ..]) if lang == Lang::Perl => (3, b'}'),
            Some([b'%', b'x', b'(', ..]) if lang == Lang::Ruby => (3, b')'),
            Some([b'%', b'x', b'{', ..]) if lang == Lang::Ruby => (3, b'}'),
            _ => {
                i += 1;
                continue;
            }
        };
        let start = i + open_len;
        let Some(len) = bytes
            .get(start..)
            .and_then(|r| r.iter().position(|&b| b == close))
        else {
            break;
        };
        if let Some(text) = code.get(start..start + len) {
            let dynamic = match lang {
                Lang::Perl | Lang::Php => text.contains(['$', '@']),
                _ => text.contains("#{"),
            };
            out.push((text.to_string(), dynamic));
        }
        i = start + len + 1;
    }
    out
}

/// Names that `X as Y` imports give the deleting calls (Python's `rmtree as wipe`).
fn renamed_imports(blank: &str, calls: &[Call]) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for call in calls {
        let needle = format!("{} as ", call.name);
        let mut from = 0;
        while let Some(pos) = blank.get(from..).and_then(|t| t.find(&needle)) {
            let start = from + pos + needle.len();
            let name: String = blank
                .get(start..)
                .unwrap_or("")
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && out.len() < 16 {
                out.push((name, call.needs_recursive));
            }
            from = start;
        }
    }
    out
}

/// A call that deletes a tree (or, for some names, one file).
struct Call {
    name: &'static str,
    /// Only with an options argument saying `recursive: true` (`fs.rmSync`).
    needs_recursive: bool,
}

const fn call(name: &'static str) -> Call {
    Call {
        name,
        needs_recursive: false,
    }
}

const fn recursive(name: &'static str) -> Call {
    Call {
        name,
        needs_recursive: true,
    }
}

fn calls(lang: Lang) -> &'static [Call] {
    const PYTHON: &[Call] = &[
        call("rmtree"),
        call("removedirs"),
        call("remove"),
        call("unlink"),
    ];
    const JS: &[Call] = &[
        recursive("rmSync"),
        recursive("rm"),
        recursive("rmdirSync"),
        recursive("rmdir"),
        call("rimraf"),
        call("rimrafSync"),
        call("removeSync"),
        call("remove"),
        call("emptyDirSync"),
        call("emptyDir"),
        call("unlinkSync"),
    ];
    const PERL: &[Call] = &[call("rmtree"), call("remove_tree"), call("unlink")];
    const PHP: &[Call] = &[call("unlink")];
    const LUA: &[Call] = &[call("remove")];
    const RUBY: &[Call] = &[
        call("rm_rf"),
        call("rm_r"),
        call("rmtree"),
        call("remove_dir"),
        call("remove_entry"),
        call("remove_entry_secure"),
        call("rm"),
        call("rm_f"),
        call("unlink"),
    ];
    match lang {
        Lang::Python => PYTHON,
        Lang::Js => JS,
        Lang::Perl => PERL,
        Lang::Ruby => RUBY,
        Lang::Php => PHP,
        Lang::Lua => LUA,
        Lang::Awk | Lang::Tcl => &[],
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// The next offset at or after `from` where `name` stands as a whole identifier in `blank`.
fn find_call(blank: &str, name: &str, from: usize) -> Option<usize> {
    let bytes = blank.as_bytes();
    let mut start = from;
    while let Some(pos) = blank.get(start..).and_then(|s| s.find(name)) {
        let at = start + pos;
        let end = at + name.len();
        let before_ok = at == 0 || bytes.get(at - 1).is_none_or(|&b| !is_ident(b));
        let after_ok = bytes.get(end).is_none_or(|&b| !is_ident(b));
        if before_ok && after_ok {
            return Some(at);
        }
        start = end;
    }
    None
}

/// The argument text of the call whose name ends at `from`: inside `( … )`, or up to the end
/// of the statement for Perl's and Ruby's calls without parentheses. Taken from `code` (with
/// its literals), bounded by the structure of `blank`.
fn call_args<'c>(code: &'c str, blank: &str, from: usize, lang: Lang) -> Option<&'c str> {
    let rest = blank.get(from..)?;
    let skipped = rest.len() - rest.trim_start().len();
    let start = from + skipped;
    let bytes = blank.as_bytes();
    if bytes.get(start) == Some(&b'(') {
        let mut depth = 0usize;
        for (k, &b) in bytes.iter().enumerate().skip(start) {
            match b {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return code.get(start + 1..k);
                    }
                }
                _ => {}
            }
        }
        return code.get(start + 1..);
    }
    // `rmtree "/x";`, `FileUtils.rm_rf Dir.home`: an argument must follow on the line. Only
    // Perl and Ruby call without parentheses (`rmtree as wipe` in Python is an import).
    if skipped == 0 || start >= bytes.len() || !matches!(lang, Lang::Perl | Lang::Ruby) {
        return None;
    }
    // To the end of the statement: `;`, a newline, or a `}` that closes an outer block.
    let mut depth = 0usize;
    let mut end = bytes.len();
    for (k, &b) in bytes.iter().enumerate().skip(start) {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth > 0 => depth -= 1,
            b';' | b'\n' | b')' | b']' | b'}' => {
                end = k;
                break;
            }
            _ => {}
        }
    }
    let args = code.get(start..end)?;
    let first = args.trim_start().chars().next()?;
    // A method reference or an operator (`x.rmtree = 1`, `rm_r if`) is not a call.
    (first == '"'
        || first == '\''
        || first == '$'
        || first == '['
        || first.is_alphabetic()
        || first == '_')
        .then_some(args)
}

/// Split `args` at top-level commas (outside brackets and string literals).
fn split_top(args: &str, lang: Lang) -> Vec<&str> {
    let blank = blank_literals(args, lang);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (k, b) in blank.bytes().enumerate() {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                out.push(args.get(start..k).unwrap_or(""));
                start = k + 1;
            }
            _ => {}
        }
    }
    out.push(args.get(start..).unwrap_or(""));
    out
}

/// The paths named by a call's first argument (several when it is a list).
fn first_arg_paths(args: &str, lang: Lang) -> Vec<Word> {
    let Some(first) = split_top(args, lang).into_iter().next() else {
        return Vec::new();
    };
    let mut first = first.trim();
    // A keyword argument: `rmtree(path='/tmp')`.
    if let Some((key, value)) = first.split_once('=')
        && !key.is_empty()
        && key.trim().chars().all(|c| c.is_alphanumeric() || c == '_')
        && !value.starts_with('=')
    {
        first = value.trim();
    }
    if let Some(inner) = first.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        return split_top(inner, lang)
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| path_word(s.trim(), lang))
            .collect();
    }
    vec![path_word(first, lang)]
}

/// Expressions that name the home directory, in any of the languages.
const HOME_EXPRS: &[&str] = &[
    "Path.home()",
    "pathlib.Path.home()",
    "os.environ['HOME']",
    "os.environ[\"HOME\"]",
    "os.environ.get('HOME')",
    "os.environ.get(\"HOME\")",
    "os.getenv('HOME')",
    "os.getenv(\"HOME\")",
    "process.env.HOME",
    "process.env['HOME']",
    "process.env[\"HOME\"]",
    "os.homedir()",
    "require('os').homedir()",
    "require(\"os\").homedir()",
    "Deno.env.get('HOME')",
    "Deno.env.get(\"HOME\")",
    "ENV['HOME']",
    "ENV[\"HOME\"]",
    "ENV.fetch('HOME')",
    "ENV.fetch(\"HOME\")",
    "Dir.home",
    "Dir.home()",
    "$ENV{HOME}",
    "$ENV{'HOME'}",
    "$ENV{\"HOME\"}",
    "getenv('HOME')",
    "getenv(\"HOME\")",
    "os.getenv(\"HOME\")",
    "$_SERVER['HOME']",
    "os.homedir",
];

/// Expressions that name the working directory.
const CWD_EXPRS: &[&str] = &[
    "os.getcwd()",
    "Path.cwd()",
    "pathlib.Path.cwd()",
    "process.cwd()",
    "Deno.cwd()",
    "Dir.pwd",
    "Dir.pwd()",
    "getcwd()",
    "cwd()",
    "__dirname",
];

/// One argument expression as a path word.
fn path_word(expr: &str, lang: Lang) -> Word {
    let e = expr.trim();
    let compact: String = e.chars().filter(|c| !c.is_whitespace()).collect();
    if HOME_EXPRS.contains(&compact.as_str()) {
        return Word::literal("~");
    }
    if CWD_EXPRS.contains(&compact.as_str()) {
        return Word::literal(".");
    }
    // `os.environ["HOME"] + "/projects"`, PHP's and Perl's `getenv("HOME") . "/x"`: the
    // home directory with a literal tail is that path below it.
    for join in ['+', '.'] {
        if join == '.' && !matches!(lang, Lang::Php | Lang::Perl) {
            continue;
        }
        let parts = split_on(&compact, join);
        if parts.len() > 1 && HOME_EXPRS.contains(&parts[0].as_str()) {
            let mut tail = String::new();
            for p in &parts[1..] {
                match literal(p, lang) {
                    Some(w) if !w.dynamic => tail.push_str(&w.text),
                    _ => return dynamic(e),
                }
            }
            return Word::literal(format!("~/{}", tail.trim_start_matches('/')));
        }
    }
    // Interpolation of the home directory at the start: `"$ENV{HOME}/Documents"`,
    // `"#{Dir.home}/src"`, `` `${os.homedir()}/x` ``.
    if let Some(w) = literal(e, lang)
        && w.dynamic
    {
        for home in [
            "$ENV{HOME}",
            "#{Dir.home}",
            "#{ENV['HOME']}",
            "${os.homedir()}",
            "${process.env.HOME}",
            "$HOME",
        ] {
            if let Some(rest) = w.text.strip_prefix(home)
                && !rest.contains(['$', '#', '{'])
            {
                return Word::literal(format!("~/{}", rest.trim_start_matches('/')));
            }
        }
    }
    // `os.path.expanduser("~/x")`, `File.expand_path("~")`, `Path("/x")`, `Pathname.new("/")`,
    // `path.resolve("/")`: a wrapper around one literal names that literal.
    for wrapper in [
        "os.path.expanduser(",
        "expanduser(",
        "os.path.abspath(",
        "os.path.realpath(",
        "os.path.join(",
        "pathlib.Path(",
        "Path(",
        "File.expand_path(",
        "Pathname.new(",
        "Pathname(",
        "path.resolve(",
        "path.join(",
    ] {
        if let Some(inner) = compact
            .strip_prefix(wrapper)
            .and_then(|s| s.strip_suffix(')'))
        {
            let parts = split_top(inner, lang);
            if parts.len() == 1
                && let Some(w) = parts.first().and_then(|p| literal(p.trim(), lang))
            {
                return w;
            }
            // `os.path.join(os.environ["HOME"])` or a join of several parts: judged from
            // its first part, the rest computed.
            let head = parts.first().map(|p| path_word(p, lang));
            return match head {
                Some(h) if parts.len() > 1 && parts.iter().skip(1).all(|p| is_empty_lit(p)) => h,
                Some(h) if parts.len() == 1 => h,
                _ => dynamic(e),
            };
        }
    }
    literal(e, lang).unwrap_or_else(|| dynamic(e))
}

/// `s` split at `sep` outside quotes and brackets.
fn split_on(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) => {
                cur.push(c);
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' | '`' => {
                    quote = Some(c);
                    cur.push(c);
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    cur.push(c);
                }
                ')' | ']' | '}' => {
                    depth -= 1;
                    cur.push(c);
                }
                c if c == sep && depth == 0 => out.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            },
        }
    }
    out.push(cur);
    out
}

fn is_empty_lit(s: &str) -> bool {
    matches!(s.trim(), "''" | "\"\"")
}

fn dynamic(e: &str) -> Word {
    let mut w = Word::literal(e);
    w.dynamic = true;
    w
}

/// A string literal's value, when `s` is exactly one literal. Interpolation (`f"{x}"`,
/// `` `${x}` ``, Perl/Ruby `"$x"`/`"#{x}"`) makes it dynamic.
fn literal(s: &str, lang: Lang) -> Option<Word> {
    let mut s = s;
    let mut fmt = false;
    if lang == Lang::Python {
        let prefix_len = s.find(['\'', '"']).filter(|&k| k <= 3).filter(|&k| {
            s.get(..k)
                .is_some_and(|p| p.chars().all(|c| "rRbBfFuU".contains(c)))
        })?;
        fmt = s.get(..prefix_len).is_some_and(|p| p.contains(['f', 'F']));
        s = s.get(prefix_len..)?;
    }
    let q = s.chars().next()?;
    if !matches!(q, '\'' | '"' | '`') || s.len() < 2 || !s.ends_with(q) {
        return None;
    }
    let inner = s.get(1..s.len() - 1)?;
    if inner.contains(q) && !inner.contains('\\') {
        return None;
    }
    let interpolated = match (lang, q) {
        (Lang::Python, _) => fmt && inner.contains('{'),
        (Lang::Js, '`') => inner.contains("${"),
        (Lang::Perl | Lang::Php, '"') => inner.contains(['$', '@']),
        (Lang::Ruby, '"') => inner.contains("#{"),
        _ => false,
    };
    let text = inner.replace("\\\\", "\\").replace(['\\'], "");
    let mut w = Word::literal(text);
    w.dynamic = interpolated;
    Some(w)
}

/// `code` with the insides of its string literals and its comments replaced by spaces (the
/// quotes kept), byte for byte, so that offsets in the result are offsets in `code`.
fn blank_literals(code: &str, lang: Lang) -> String {
    let bytes = code.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    let hash_comments = matches!(
        lang,
        Lang::Python | Lang::Perl | Lang::Ruby | Lang::Php | Lang::Awk
    );
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\'' | b'"' | b'`' => {
                let q = b;
                let mut j = i + 1;
                while let Some(&c) = bytes.get(j) {
                    if c == b'\\' {
                        j += 2;
                        continue;
                    }
                    if c == q {
                        break;
                    }
                    j += 1;
                }
                let end = j.min(bytes.len());
                for o in out.get_mut(i + 1..end).unwrap_or(&mut []) {
                    *o = b' ';
                }
                i = end + 1;
            }
            b'#' if hash_comments && !(lang == Lang::Perl && i > 0 && bytes[i - 1] == b'$') => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    if let Some(o) = out.get_mut(i) {
                        *o = b' ';
                    }
                    i += 1;
                }
            }
            b'/' if matches!(lang, Lang::Js | Lang::Php) && bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    if let Some(o) = out.get_mut(i) {
                        *o = b' ';
                    }
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    // Only ASCII was replaced, and only inside runs that started and ended on ASCII quotes,
    // so the result is still UTF-8; fall back to a lossy copy all the same.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Limits;
    use crate::unwrap::analyze;

    fn paths(line: &str) -> Vec<(String, bool)> {
        let script = analyze(line, &Limits::default());
        script
            .commands
            .iter()
            .filter_map(|c| deletes(c, &script))
            .flatten()
            .map(|w| (w.text, w.dynamic))
            .collect()
    }

    fn lit(t: &str) -> (String, bool) {
        (t.to_string(), false)
    }

    #[test]
    fn recursive_deletes_are_found_in_each_language() {
        let cases: &[(&str, Vec<(String, bool)>)] = &[
            (
                r#"python3 -c 'import shutil; shutil.rmtree("/")'"#,
                vec![lit("/")],
            ),
            (
                r#"python -c "import shutil,os; shutil.rmtree(os.path.expanduser('~'))""#,
                vec![lit("~")],
            ),
            (
                "python3 -c 'from shutil import rmtree; from pathlib import Path; rmtree(Path.home())'",
                vec![lit("~")],
            ),
            (
                r#"node -e 'require("fs").rmSync(process.env.HOME, {recursive: true, force: true})'"#,
                vec![lit("~")],
            ),
            (
                r#"node -e 'fs.rmSync("/etc", { recursive: true })'"#,
                vec![lit("/etc")],
            ),
            (
                r#"perl -MFile::Path -e 'rmtree("/home/alice")'"#,
                vec![lit("/home/alice")],
            ),
            (
                r#"perl -e 'use File::Path qw(remove_tree); remove_tree $ENV{HOME}'"#,
                vec![lit("~")],
            ),
            (
                r#"ruby -rfileutils -e 'FileUtils.rm_rf("/")'"#,
                vec![lit("/")],
            ),
            (r#"ruby -e 'FileUtils.rm_rf Dir.home'"#, vec![lit("~")]),
            (
                r#"ruby -e 'FileUtils.rm_rf(["/usr", "/var"])'"#,
                vec![lit("/usr"), lit("/var")],
            ),
            (
                "python3 - <<'EOF'\nimport shutil\nshutil.rmtree('/var/lib/postgresql')\nEOF",
                vec![lit("/var/lib/postgresql")],
            ),
            (
                r#"python3 -c 'import shutil; shutil.rmtree(build_dir)'"#,
                vec![("build_dir".to_string(), true)],
            ),
            (
                r#"python3 -c 'from shutil import rmtree as wipe; wipe("/etc")'"#,
                vec![lit("/etc")],
            ),
            (
                r#"python3 -c 'import shutil; shutil.rmtree(path="/")'"#,
                vec![lit("/")],
            ),
            (
                r#"python3 -c 'import os; os.remove("/etc/passwd")'"#,
                vec![lit("/etc/passwd")],
            ),
            (
                r#"perl -e "unlink '/etc/passwd'""#,
                vec![lit("/etc/passwd")],
            ),
        ];
        for (line, want) in cases {
            assert_eq!(&paths(line), want, "{line}");
        }
    }

    #[test]
    fn data_and_non_recursive_calls_are_not_deletes() {
        for line in [
            r#"python3 -c 'print("shutil.rmtree(\"/\")")'"#,
            r#"node -e 'fs.rmSync("/tmp/x.txt")'"#,
            r#"node -e 'fs.rm("a", () => {})'"#,
            r#"node -e 'const form = 1; perform(x)'"#,
            r#"ruby -e 'puts "FileUtils.rm_rf /"'"#,
            "python3 -c 'x = 1  # shutil.rmtree(\"/\")'",
            "python3 cleanup.py /",
            "python3 -m http.server",
            "perl script.pl -e x",
        ] {
            assert_eq!(paths(line), Vec::<(String, bool)>::new(), "{line}");
        }
    }

    fn shell(line: &str) -> (Vec<(String, bool)>, bool) {
        let script = analyze(line, &Limits::default());
        let cmd = script
            .commands
            .iter()
            .find(|c| source(c, &script).is_some());
        match cmd.and_then(|c| shell_out(c, &script)) {
            Some(o) => (o.scripts, o.code_unknown),
            None => (Vec::new(), false),
        }
    }

    #[test]
    fn shell_commands_in_interpreter_code_are_found() {
        type Case<'a> = (&'a str, &'a [(&'a str, bool)], bool);
        let cases: &[Case<'_>] = &[
            (
                r#"python3 -c 'import os; os.system("rm -rf /")'"#,
                &[("rm -rf /", false)],
                false,
            ),
            (
                r#"python3 -c 'import subprocess; subprocess.run(["git", "push", "-f"])'"#,
                &[("git push -f", false)],
                false,
            ),
            (
                r#"node -e 'require("child_process").spawnSync("rm", ["-rf", dir])'"#,
                &[("rm -rf '$computed_word'", true)],
                false,
            ),
            (
                r#"perl -e 'system("rm", "-rf", "/")'"#,
                &[("rm -rf /", false)],
                false,
            ),
            (r#"perl -e 'print qx(ls -l)'"#, &[("ls -l", false)], false),
            (
                r#"ruby -e 'puts `git status`'"#,
                &[("git status", false)],
                false,
            ),
            (
                r#"python3 -c 'import os; os.system(cmd)'"#,
                &[("$computed_command", true)],
                false,
            ),
            (r#"python3 -c "$CODE""#, &[], true),
            // Generic names count only with the module that makes them run programs.
            (
                r#"python3 -c 'import asyncio; asyncio.run(main())'"#,
                &[],
                false,
            ),
            (r#"node -e 'console.log(/a/.exec("abc"))'"#, &[], false),
            (
                r#"python3 -c 'print("os.system(\"rm -rf /\")")'"#,
                &[],
                false,
            ),
        ];
        for (line, want, unknown) in cases {
            let want: Vec<(String, bool)> = want.iter().map(|(t, d)| (t.to_string(), *d)).collect();
            assert_eq!(shell(line), (want, *unknown), "{line}");
        }
    }

    #[test]
    fn shell_expansions_in_the_code_make_its_paths_dynamic() {
        assert_eq!(
            paths(r#"python3 -c "import shutil; shutil.rmtree('$TARGET')""#),
            vec![("$TARGET".to_string(), true)]
        );
    }
}
