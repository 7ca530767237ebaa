//! Checks every built-in pack in `guards/` against the schema before the binary exists, and
//! embeds them split by program, as JSON, so that a run parses only the rules for the
//! programs its line names: start-up does not grow with the number of packs.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

#[allow(dead_code, missing_docs)]
#[path = "src/rules/raw.rs"]
mod raw;

// The runtime's own brace expansion, so the table below is what a run would compute.
#[path = "src/rules/glob/expand.rs"]
#[allow(dead_code)]
mod expand;

/// The bucket of rules on an HTTP request with no subcommand (emitted for builtin.rs).
const HTTP_BUCKET: &str = "@http";
/// The bucket of rules on a truncating redirection with no subcommand (emitted too).
const REDIRECT_BUCKET: &str = "@redirect";
/// The bucket of rules on SQL statements with no subcommand (emitted too).
const SQL_BUCKET: &str = "@sql";

fn main() {
    // guardsh starts once per command an agent runs, so start-up is its hot path. A
    // position-independent executable makes the loader apply ~12,000 relative relocations
    // (clap's and serde's tables) on every start, a third of a short `guardsh check`; linked
    // as a fixed-address executable there are none. Only this package's binaries are
    // affected (proc macros and build scripts stay position-independent), and Rust code with
    // `unsafe` forbidden loses little from a fixed main-binary address; libraries keep ASLR.
    // On x86_64 this flag is also the mark by which `.cargo/cc-static` finds the binary's
    // link and makes it static (no loader, no shared libraries at all).
    // Not with `+crt-static`: that build is a static position-independent executable with no
    // loader at all, and `-no-pie` on top of it yields a binary that crashes at start.
    let crt_static = std::env::var("CARGO_CFG_TARGET_FEATURE")
        .is_ok_and(|f| f.split(',').any(|x| x == "crt-static"));
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu")
        && !crt_static
    {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
    println!("cargo::rerun-if-changed=guards");
    println!("cargo::rerun-if-changed=src/rules/raw.rs");
    println!("cargo::rerun-if-changed=src/rules/glob/expand.rs");
    let dir = Path::new("guards");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();

    // (program, first subcommand word or `*`) → (pack name → pack holding those rules)
    let mut by_program: BTreeMap<(String, String), BTreeMap<String, raw::Pack>> = BTreeMap::new();
    // program → the options that take a value, from every pack (to find its first operand)
    let mut options_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut pack_names = Vec::new();
    let mut packs = Vec::new();
    for path in &files {
        println!("cargo::rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
        let pack: raw::Pack = serde_yaml::from_str(&text).unwrap_or_else(|e| {
            let (line, col) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            fail(&format!("{}:{line}:{col}: {e}", path.display()))
        });
        packs.push(pack);
    }
    // A program's other names hold for every pack: `python3.12` must reach the django pack's
    // rules for `python3` even when only the http pack lists the alias (the loader maps
    // aliases across all packs it loads, so the index must too).
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pack in &packs {
        for (program, spec) in &pack.programs {
            let list = aliases.entry(program.clone()).or_default();
            for a in &spec.aliases {
                if !list.contains(a) {
                    list.push(a.clone());
                }
            }
        }
    }
    for pack in &packs {
        pack_names.push(pack.pack.clone());
        let names_of = |program: &str| -> Vec<String> {
            let mut names = vec![program.to_string()];
            if let Some(a) = aliases.get(program) {
                names.extend(a.iter().cloned());
            }
            names
        };
        for rule in &pack.rules {
            // The rule's bucket: the first subcommand word it needs, each alternative, or
            // `*` when it names none. A run loads the bucket of the command's first operand
            // and `*`, so `git status` never parses the `git push` rules.
            let firsts: Vec<String> = match rule.path.first() {
                Some(step) => raw::alternatives(step),
                // Rules on an HTTP request and no subcommand (the GraphQL mutations name
                // curl, python, railway…) sit apart: they can only match a command that
                // makes a request, so `railway volume delete` or `python3 manage.py test`
                // need not parse the 44 Railway API rules.
                None if rule.when.http.is_some() => vec![HTTP_BUCKET.to_owned()],
                // Likewise rules on a redirection that empties a file (`> ~/.claude/…`),
                // which `git`, `cat`, `echo`… lines mostly do not have.
                None if !rule.when.redirect_truncates.is_empty() => {
                    vec![REDIRECT_BUCKET.to_owned()]
                }
                // And rules on the SQL a client runs, which only destructive or unseen
                // statements can match: `psql -c 'SELECT …'` need not parse them.
                None if !rule.when.sql.is_empty()
                    || rule.when.sql_hidden
                    || rule.when.sql_writes =>
                {
                    vec![SQL_BUCKET.to_owned()]
                }
                None => vec!["*".to_owned()],
            };
            for program in rule.program.iter() {
                for (name, first) in names_of(program)
                    .into_iter()
                    .flat_map(|n| firsts.iter().map(move |f| (n.clone(), f.clone())))
                {
                    let options = options_of.entry(name.clone()).or_default();
                    for o in pack
                        .programs
                        .get(program)
                        .map(|p| p.options_with_value.as_slice())
                        .unwrap_or(&[])
                    {
                        if !options.contains(o) {
                            options.push(o.clone());
                        }
                    }
                    let slot = by_program
                        .entry((name, first))
                        .or_default()
                        .entry(pack.pack.clone())
                        .or_insert_with(|| raw::Pack {
                            pack: pack.pack.clone(),
                            description: String::new(),
                            programs: BTreeMap::new(),
                            rules: Vec::new(),
                        });
                    let mut spec = pack.programs.get(program).cloned().unwrap_or_default();
                    if let Some(a) = aliases.get(program) {
                        spec.aliases.clone_from(a);
                    }
                    // What only build.rs reads (command carriers) stays out of the runtime
                    // copy; the rest of the spec goes with the bucket.
                    spec.command_options.clear();
                    spec.command_env.clear();
                    spec.source_env.clear();
                    spec.harmless_verbs.clear();
                    spec.shell_setup.clear();
                    spec.runs_command = None;
                    if !spec.aliases.is_empty()
                        || !spec.options_with_value.is_empty()
                        || !spec.options_with_command.is_empty()
                        || !spec.help_flags.is_empty()
                        || spec.long_options_abbreviate
                        || spec.environment.is_some()
                    {
                        slot.programs.insert(program.to_string(), spec);
                    }
                    // Examples are for `guardsh test`, kept apart (EXAMPLES below): a run
                    // that only matches would parse them for nothing.
                    // A bucket's copy of a rule names only the program it is filed under: a
                    // rule on thirty programs would otherwise bring thirty names (and index
                    // entries) into every run that loads it. The loader merges the copies a
                    // run loads, so each rule names every program of the line it is on.
                    if let Some(copy) = slot.rules.iter_mut().find(|r| r.id == rule.id) {
                        copy.program.add(program);
                    } else {
                        let mut runtime = rule.clone();
                        runtime.examples = raw::Examples::default();
                        runtime.program = raw::OneOrMany::One(program.to_owned());
                        slot.rules.push(runtime);
                    }
                }
            }
        }
    }

    let mut out = format!(
        "/// The bucket of rules on an HTTP request that name no subcommand.\n\
         const HTTP_BUCKET: &str = {HTTP_BUCKET:?};\n\
         /// The bucket of rules on a truncating redirection that name no subcommand.\n\
         const REDIRECT_BUCKET: &str = {REDIRECT_BUCKET:?};\n\
         /// The bucket of rules on SQL statements that name no subcommand.\n\
         const SQL_BUCKET: &str = {SQL_BUCKET:?};\n"
    );
    let buckets = by_program
        .iter()
        .map(|((program, first), packs)| (format!("{program}\t{first}"), bucket_code(packs)));
    keyed(
        &mut out,
        "Built-in rules by program and first subcommand word (`*`: rules that name none), \
         keyed `program<TAB>word`.",
        "BY_PROGRAM",
        "Bucket",
        buckets,
    );
    keyed(
        &mut out,
        "Each program's options that take a value, from every pack.",
        "OPTIONS",
        "&[&str]",
        options_of
            .iter()
            .map(|(program, options)| (program.clone(), format!("&{options:?}"))),
    );
    // Options and variables that carry a command, by program name and alias.
    let mut carriers: BTreeMap<String, Vec<(String, String, String, usize)>> = BTreeMap::new();
    let mut command_env: Vec<String> = Vec::new();
    let mut source_env: Vec<String> = Vec::new();
    let mut harmless: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut setup: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pack in &packs {
        for (program, spec) in &pack.programs {
            let mut names = vec![program.clone()];
            names.extend(aliases.get(program).into_iter().flatten().cloned());
            for name in names {
                let list = carriers.entry(name).or_default();
                for c in &spec.command_options {
                    let entry = (
                        c.option.clone(),
                        c.prefix.to_ascii_lowercase(),
                        c.after.clone(),
                        c.skip,
                    );
                    if !list.contains(&entry) {
                        list.push(entry);
                    }
                }
            }
            command_env.extend(spec.command_env.iter().cloned());
            source_env.extend(spec.source_env.iter().cloned());
            // Word lists kept for the program and each of its other names.
            let per_name = |table: &mut BTreeMap<String, Vec<String>>, words: &[String]| {
                if words.is_empty() {
                    return;
                }
                let names =
                    std::iter::once(program).chain(aliases.get(program).into_iter().flatten());
                for name in names {
                    let list = table.entry(name.clone()).or_default();
                    list.extend(words.iter().cloned());
                    list.sort();
                    list.dedup();
                }
            };
            per_name(&mut setup, &spec.shell_setup);
            per_name(&mut harmless, &spec.harmless_verbs);
        }
    }
    carriers.retain(|_, list| !list.is_empty());
    // Launchers: where the command they run starts, by program name and alias.
    let mut launchers: BTreeMap<String, String> = BTreeMap::new();
    for pack in &packs {
        for (program, spec) in &pack.programs {
            let Some(l) = &spec.runs_command else {
                continue;
            };
            let mut words: Vec<(String, usize)> = spec
                .options_with_value
                .iter()
                .map(|o| (o.clone(), 1))
                .chain(l.option_words.iter().map(|(o, n)| (o.clone(), *n)))
                .collect();
            words.sort();
            words.dedup();
            let value = format!("(&{:?}, {}, &{words:?})", l.subcommands, l.operands);
            let mut names = vec![program.clone()];
            names.extend(aliases.get(program).into_iter().flatten().cloned());
            for name in names {
                launchers.insert(name, value.clone());
            }
        }
    }
    keyed(
        &mut out,
        "Launchers, from every pack: (subcommands the command follows, the launcher's own \
         operands before it, options and how many words each takes).",
        "LAUNCHERS",
        "Launcher",
        launchers.into_iter(),
    );
    keyed(
        &mut out,
        "Each program's options whose value is a command it runs: (option, value prefix, \
         marker the command follows, words skipped), from every pack.",
        "COMMAND_OPTIONS",
        "&[(&str, &str, &str, usize)]",
        carriers
            .iter()
            .map(|(program, list)| (program.clone(), format!("&{list:?}"))),
    );
    keyed(
        &mut out,
        "Each program's subcommand words the generic CLI reading leaves alone (`*`: all), \
         from every pack.",
        "HARMLESS_VERBS",
        "&[&str]",
        harmless
            .iter()
            .map(|(program, list)| (program.clone(), format!("&{list:?}"))),
    );
    keyed(
        &mut out,
        "Each program's subcommand words after which it prints its own shell set-up (`*`: \
         any), from every pack.",
        "SHELL_SETUP",
        "&[&str]",
        setup
            .iter()
            .map(|(program, list)| (program.clone(), format!("&{list:?}"))),
    );
    command_env.sort();
    command_env.dedup();
    let _ = writeln!(
        out,
        "/// Variables whose value is a command a program runs, from every pack (sorted).\n\
         pub static COMMAND_ENV: &[&str] = &{command_env:?};"
    );
    source_env.sort();
    source_env.dedup();
    let _ = writeln!(
        out,
        "/// Variables whose value names a file a shell reads as code when it starts, from \
         every pack (sorted).\n\
         pub static SOURCE_ENV: &[&str] = &{source_env:?};"
    );
    out.push_str(
        "/// Each built-in rule's examples, by rule id (sorted), as JSON.\n\
         pub static EXAMPLES: &[(&str, &str)] = &[\n",
    );
    let mut examples: BTreeMap<&str, String> = BTreeMap::new();
    for pack in &packs {
        for rule in &pack.rules {
            let json =
                serde_json::to_string(&rule.examples).unwrap_or_else(|e| fail(&e.to_string()));
            examples.insert(&rule.id, json);
        }
    }
    for (id, json) in &examples {
        let _ = writeln!(out, "    ({id:?}, {json:?}),");
    }
    // Every string of the packs (examples aside) with a brace in it, expanded: the globs
    // among them are then never expanded at run time (see glob::builtin_alternatives).
    // Strings that are not globs cost a few bytes and are never looked up.
    let mut braced: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pack in &packs {
        let mut value = serde_json::to_value(pack).unwrap_or_else(|e| fail(&e.to_string()));
        strip_examples(&mut value);
        collect_braced(&value, &mut braced);
    }
    out.push_str("];\n");
    keyed(
        &mut out,
        "Brace patterns of the built-in packs with their expansions.",
        "GLOB_EXPANSIONS",
        "&[&str]",
        braced
            .iter()
            .map(|(pattern, alternatives)| (pattern.clone(), format!("&{alternatives:?}"))),
    );
    out.push_str("/// Names of the built-in packs.\npub static PACKS: &[&str] = &[");
    for name in &pack_names {
        let _ = write!(out, "{name:?}, ");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|e| fail(&e.to_string())))
        .join("builtin.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| fail(&format!("{}: {e}", dest.display())));
}

/// A bucket as Rust code (a `Bucket`, see rules/builtin.rs): each pack's reading of its
/// programs' options, and each rule as JSON with what it needs of a command's words to
/// match at all, so that a run parses only the rules a command's words leave possible.
fn bucket_code(packs: &BTreeMap<String, raw::Pack>) -> String {
    let mut code = String::from("Bucket { programs: &[");
    for pack in packs.values().filter(|p| !p.programs.is_empty()) {
        let _ = write!(code, "({:?}, {:?}), ", pack.pack, json(&pack.programs));
    }
    code.push_str("], rules: &[");
    for pack in packs.values() {
        for rule in &pack.rules {
            let flags_any: Vec<String> = rule
                .when
                .flags_any
                .iter()
                .flat_map(|f| raw::alternatives(f))
                .collect();
            let flags_all: Vec<String> = rule
                .when
                .flags_all
                .iter()
                .map(|group| format!("&{:?}", raw::alternatives(group)))
                .collect();
            let _ = write!(
                code,
                "\n        Embedded {{ pack: {:?}, flags_any: &{flags_any:?}, flags_all: &[{}], \
                 operand_glob: &{:?}, json: {:?} }},",
                pack.pack,
                flags_all.join(", "),
                rule.when.operand_glob,
                json(rule),
            );
        }
    }
    code.push_str("\n    ] }");
    code
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| fail(&e.to_string()))
}

/// Emit `name`, a `Keyed` table (see rules/builtin.rs) of `entries`, (key, value as Rust
/// code), sorted here by key: the keys end to end in one string, their ends, the values.
fn keyed(
    out: &mut String,
    doc: &str,
    name: &str,
    value_type: &str,
    entries: impl Iterator<Item = (String, String)>,
) {
    let mut entries: Vec<(String, String)> = entries.collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut keys = String::new();
    let mut ends = Vec::new();
    for (key, _) in &entries {
        keys.push_str(key);
        ends.push(u32::try_from(keys.len()).unwrap_or_else(|_| fail("keys too long")));
    }
    let _ = writeln!(
        out,
        "/// {doc}\npub static {name}: Keyed<{value_type}> = Keyed {{\n    keys: {keys:?},\n    \
         ends: &{ends:?},\n    values: &["
    );
    for (_, value) in &entries {
        let _ = writeln!(out, "        {value},");
    }
    out.push_str("    ],\n};\n");
}

/// Drop every `examples` member: example lines are shell text, not globs.
fn strip_examples(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("examples");
            map.values_mut().for_each(strip_examples);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_examples),
        _ => {}
    }
}

/// Every string in `value` with a brace group, and its expansion.
fn collect_braced(value: &serde_json::Value, out: &mut BTreeMap<String, Vec<String>>) {
    match value {
        serde_json::Value::String(s) if s.contains('{') => {
            // `operand_at`, `option_value` and `env` conditions are `key=glob`: the glob
            // is what gets matched.
            let glob = s.split_once('=').map(|(_, g)| g);
            for g in std::iter::once(s.as_str()).chain(glob) {
                if g.contains('{') && !out.contains_key(g) {
                    out.insert(g.to_owned(), expand::expansions(g));
                }
            }
        }
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_braced(v, out)),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_braced(v, out)),
        _ => {}
    }
}

fn fail(message: &str) -> ! {
    // A broken built-in pack must stop the build: it would otherwise disable protection.
    eprintln!("error: built-in pack: {message}");
    std::process::exit(1);
}
