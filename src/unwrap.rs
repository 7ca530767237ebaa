//! Wrappers and nested shells: `sudo`/`env`/`timeout`/`xargs`/`find -exec` … are peeled to
//! the command they run; `bash -c`, `eval`, `ssh host …`, heredocs fed to shells … are
//! re-parsed under the same budget.
//!
//! The work is a queue, not recursion: every command found (at the top level, peeled from
//! a wrapper, or parsed from nested text) is appended to the result and examined in turn,
//! so a wrapper inside a nested shell inside a wrapper unwraps like any other. Scripts read
//! from standard input or from files wait until everything else is found, because what
//! feeds them (`echo … |`, `> x.sh`) may itself be found late.
//!
//! Layout: `wrappers.rs` (what a program runs: the dispatch, `sudo`, `env`, `timeout` …),
//! `jobs.rs` (`xargs`, `find -exec`, `parallel`, `watch`), `packages.rs` (`npx` and other
//! runners), `shells.rs` (shells, `eval`, `su -c`), `remote.rs` (`ssh`, `docker exec`,
//! `kubectl exec`, `railway`), `stdin.rs` (where a shell's commands come from when they are
//! not in its arguments), `opts.rs` (a small getopt), `text.rs` (`echo`/`printf`/`sudo -s`
//! text), `positional.rs` (`"$@"`).

mod carriers;
mod git;
mod jobs;
mod launchers;
mod names;
mod opts;
mod packages;
mod positional;
mod remote;
mod sed;
mod shells;
mod stdin;
mod text;
mod values;
mod wrappers;

#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::parse::{
    self, Budget, Command, Limits, Place, RedirectKind, Script, Unknown, UnknownKind, Word,
};
use wrappers::{Input, Step};

/// Shells reading standard input or files, per analysis: each may scan the whole result.
const MAX_DEFERRED: usize = 1024;

/// Analyse a top-level command line: parse it, peel wrappers, re-parse nested shells.
///
/// Never panics; every problem is a fatal [`crate::parse::Unknown`] in the result.
pub fn analyze(text: &str, limits: &Limits) -> Script {
    analyze_with_args(text, None, limits)
}

/// Analyse text run as `bash -c TEXT ARGS…` (guardsh as a shell), where `args[0]` is `$0`:
/// `"$@"`, `$1` … in the text are read as these arguments (this is how Codex's
/// `bash -c '. "$1" && shift && exec "$@"' codex-shell-snapshot SNAP bash -lc CMD` shows
/// `CMD`). With `None`, the same as [`analyze`].
pub fn analyze_with_args(text: &str, args: Option<&[String]>, limits: &Limits) -> Script {
    let text = without_nul(text);
    let text = text.as_ref();
    let mut engine = Engine::new(*limits);
    let mut top = parse::parse_script(text, &[], &mut engine.budget);
    if let Some(args) = args {
        let words: Vec<Word> = args.iter().map(Word::literal).collect();
        positional::substitute(&mut top, &words, text, 0);
    }
    engine.add(top, 0, None);
    engine.run();
    engine.out
}

/// The text as bash reads it: bash drops NUL bytes from a script it reads (`r\0m` on its
/// standard input runs `rm`), and in an argument a NUL ends the string, which leaves less
/// to run than guardsh reads. Every input path (an argument, `-s`, `check --file`, a
/// hook's JSON with `\u0000`) comes through here.
fn without_nul(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\0') {
        std::borrow::Cow::Owned(text.replace('\0', ""))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// One piece of shell text that was parsed: the line itself, or text a command ran.
#[derive(Debug)]
struct Level {
    /// Nested shells between the line and this text (0 for the line).
    depth: usize,
    /// Length of the place chain the text was parsed under.
    prefix: usize,
    /// The command that ran the text.
    parent: Option<usize>,
    /// The text is what that command read from its standard input, so a shell inside it
    /// that reads standard input gets the rest of the same stream, already parsed.
    from_stdin: bool,
}

/// What the engine knows about each command of the result, by index.
#[derive(Debug, Clone, Copy)]
struct Meta {
    level: usize,
    /// The top-level command this one was found through, for source order.
    root: usize,
    /// Its output is that of what it runs (a peeled wrapper, a shell whose text we read).
    transparent: bool,
}

struct Engine {
    budget: Budget,
    out: Script,
    meta: Vec<Meta>,
    levels: Vec<Level>,
    /// Commands by the pipeline stages they sit in, to find what feeds a pipe quickly.
    by_stage: HashMap<(usize, usize), Vec<usize>>,
    /// The last stage of each pipeline (only it writes where the pipeline's output goes).
    last_stage: HashMap<usize, usize>,
    deferred: Vec<(usize, Step)>,
    deferred_total: usize,
    /// Script files already parsed, with their arguments: each pair is parsed once.
    read_files: HashSet<(PathBuf, Option<Vec<String>>)>,
    /// Every script file looked at (command, name as written), checked again at the end
    /// against writers found later.
    looked_at: RefCell<Vec<(usize, String)>>,
    /// How many script files were looked up (each lookup scans the line).
    lookups: Cell<usize>,
    /// Checks names.rs made that read the whole line (bounded, see there).
    name_scans: Cell<usize>,
    /// A limit was hit: stop looking.
    stopped: bool,
}

impl Engine {
    fn new(limits: Limits) -> Self {
        Engine {
            budget: Budget::new(limits),
            out: Script::default(),
            meta: Vec::new(),
            levels: vec![Level {
                depth: 0,
                prefix: 0,
                parent: None,
                from_stdin: false,
            }],
            by_stage: HashMap::new(),
            last_stage: HashMap::new(),
            deferred: Vec::new(),
            deferred_total: 0,
            read_files: HashSet::new(),
            looked_at: RefCell::new(Vec::new()),
            lookups: Cell::new(0),
            name_scans: Cell::new(0),
            stopped: false,
        }
    }

    /// Append a parsed script's commands and unknowns, found at `level`.
    fn add(&mut self, script: Script, level: usize, root: Option<usize>) {
        if script.unknowns.iter().any(|u| u.kind == UnknownKind::Limit) {
            self.stopped = true;
        }
        for cmd in script.commands {
            let index = self.out.commands.len();
            self.push(
                cmd,
                Meta {
                    level,
                    root: root.unwrap_or(index),
                    transparent: false,
                },
            );
        }
        self.out.unknowns.extend(script.unknowns);
    }

    fn push(&mut self, cmd: Command, meta: Meta) {
        let index = self.out.commands.len();
        for p in &cmd.places {
            if let Place::Pipeline { pipeline, stage } = p {
                self.by_stage
                    .entry((*pipeline, *stage))
                    .or_default()
                    .push(index);
                let last = self.last_stage.entry(*pipeline).or_insert(*stage);
                *last = (*last).max(*stage);
            }
        }
        self.meta.push(meta);
        self.out.commands.push(cmd);
    }

    /// Examine every command, the ones found along the way included, until nothing is new.
    fn run(&mut self) {
        let mut next = 0;
        loop {
            while next < self.out.commands.len() && !self.stopped {
                self.examine(next);
                next += 1;
            }
            if self.stopped {
                return;
            }
            match self.next_deferred() {
                Some((i, step)) => self.deferred_step(i, step),
                None => break,
            }
        }
        self.recheck_files();
    }

    /// The next shell reading standard input or a file. A shell reading a pipe waits for
    /// the earlier stages of that pipe to be complete.
    fn next_deferred(&mut self) -> Option<(usize, Step)> {
        if self.deferred.is_empty() {
            return None;
        }
        let mut earliest: HashMap<usize, usize> = HashMap::new();
        for (j, _) in &self.deferred {
            for (id, stage) in self.stages_of(*j) {
                let e = earliest.entry(id).or_insert(stage);
                *e = (*e).min(stage);
            }
        }
        let pick = self
            .deferred
            .iter()
            .position(|(i, step)| {
                !matches!(step, Step::Stdin { .. })
                    || self
                        .stages_of(*i)
                        .all(|(id, stage)| earliest.get(&id).is_none_or(|&e| e >= stage))
            })
            .unwrap_or(0);
        (pick < self.deferred.len()).then(|| self.deferred.remove(pick))
    }

    fn stages_of(&self, i: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.out
            .commands
            .get(i)
            .into_iter()
            .flat_map(|c| c.places.iter())
            .filter_map(|p| match p {
                Place::Pipeline { pipeline, stage } => Some((*pipeline, *stage)),
                _ => None,
            })
    }

    /// A script file read early may be written by a command found later.
    fn recheck_files(&mut self) {
        let looked_at = std::mem::take(&mut *self.looked_at.borrow_mut());
        let mut done = HashSet::new();
        for (i, name) in looked_at {
            if !done.insert(name.clone()) || !stdin::written_in_line(self, &name) {
                continue;
            }
            let (source, places) = match self.out.commands.get(i) {
                Some(c) => (c.source.clone(), c.places.clone()),
                None => continue,
            };
            self.unknown(
                UnknownKind::HiddenScript,
                format!(
                    "`{source}` runs a script written and then run in the same line (`{name}`)"
                ),
                &places,
            );
        }
    }

    fn examine(&mut self, i: usize) {
        let Some(cmd) = self.out.commands.get(i).cloned() else {
            return;
        };
        let peel = wrappers::peel(&cmd);
        if let Some(m) = self.meta.get_mut(i) {
            m.transparent = peel.transparent && !peel.steps.is_empty();
        }
        for step in peel.steps {
            match step {
                Step::Stdin { .. } | Step::File { .. } | Step::Setup { .. } => {
                    self.deferred_total += 1;
                    if self.deferred_total > MAX_DEFERRED {
                        self.unknown(
                            UnknownKind::Limit,
                            format!(
                                "more than {MAX_DEFERRED} shells reading standard input or files"
                            ),
                            &cmd.places,
                        );
                        return;
                    }
                    self.deferred.push((i, step));
                }
                // A wrapper that peels to the very same argv would be peeled again for
                // ever (a bug of ours, such as `dir/!` once was): stop, and say so.
                Step::Run { ref argv, .. } if *argv == cmd.argv => {
                    self.unknown(
                        UnknownKind::Limit,
                        format!("`{}` unwraps to itself", cmd.source),
                        &cmd.places,
                    );
                }
                step => self.apply(i, &cmd, step),
            }
        }
        if let Some(out) = crate::payload::code::shell_out(&cmd, &self.out) {
            self.interpreter(i, &cmd, out);
        }
        for step in git::steps(&cmd, &self.out) {
            self.apply(i, &cmd, step);
        }
        for step in sed::steps(&cmd) {
            self.apply(i, &cmd, step);
        }
        for step in values::steps(&cmd) {
            self.apply(i, &cmd, step);
        }
        for step in carriers::steps(&cmd) {
            self.apply(i, &cmd, step);
        }
        for step in names::steps(self, i, &cmd) {
            self.apply(i, &cmd, step);
        }
    }

    /// Shell commands that interpreter code runs (`os.system`, `execSync`, `system`,
    /// backquotes): nested scripts. A string that does not parse as shell hides a script,
    /// like a file that does not parse; it does not make the whole line unreadable.
    fn interpreter(&mut self, i: usize, cmd: &Command, out: crate::payload::code::ShellOut) {
        if out.code_unknown {
            self.unknown(
                UnknownKind::DynamicScript,
                format!(
                    "`{}` runs interpreter code that is only known when the line runs",
                    cmd.source
                ),
                &cmd.places,
            );
        }
        let via = format!("{} code", cmd.program().unwrap_or("interpreter"));
        for (text, dynamic) in out.scripts {
            self.nested(
                i,
                cmd,
                Nested {
                    text: &text,
                    dynamic,
                    via: via.clone(),
                    args: None,
                    input: None,
                    from_stdin: false,
                    from_file: true,
                    piped: false,
                },
            );
        }
    }

    fn apply(&mut self, i: usize, cmd: &Command, step: Step) {
        match step {
            Step::Run {
                argv,
                assignments,
                via,
            } => self.push_peeled(i, cmd, argv, assignments, via),
            Step::Script {
                text,
                dynamic,
                via,
                args,
                input,
            } => self.nested(
                i,
                cmd,
                Nested {
                    text: &text,
                    dynamic,
                    via,
                    args,
                    input,
                    from_stdin: false,
                    from_file: false,
                    piped: false,
                },
            ),
            Step::Stdin { .. } | Step::File { .. } | Step::Setup { .. } => {
                self.deferred_step(i, step)
            }
            Step::Unknown { kind, why } => self.unknown(kind, why, &cmd.places),
        }
    }

    fn unknown(&mut self, kind: UnknownKind, text: String, places: &[Place]) {
        if kind == UnknownKind::Limit {
            self.stopped = true;
        }
        self.out.unknowns.push(Unknown {
            kind,
            text,
            places: places.to_vec(),
        });
    }

    fn push_peeled(
        &mut self,
        i: usize,
        cmd: &Command,
        argv: Vec<Word>,
        assignments: Vec<parse::Assignment>,
        via: String,
    ) {
        let Some(first) = argv.first() else {
            return;
        };
        if let Err(msg) = self.budget.charge_command() {
            self.unknown(UnknownKind::Limit, msg, &cmd.places);
            return;
        }
        let mut places = cmd.places.clone();
        places.push(Place::Wrapper { via });
        let kind = if first.brace {
            Some(UnknownKind::BraceProgram)
        } else if first.dynamic || first.glob {
            Some(UnknownKind::DynamicProgram)
        } else {
            None
        };
        if let Some(kind) = kind {
            self.out.unknowns.push(Unknown {
                kind,
                // What runs, as the parser reports a dynamic program (`$EDITOR notes.md`).
                text: argv
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                places: places.clone(),
            });
        }
        let mut all_assignments = cmd.assignments.clone();
        all_assignments.extend(assignments);
        let meta = self.meta.get(i).copied().unwrap_or(Meta {
            level: 0,
            root: i,
            transparent: false,
        });
        self.push(
            Command {
                argv,
                assignments: all_assignments,
                redirects: cmd.redirects.clone(),
                places,
                source: cmd.source.clone(),
            },
            Meta {
                transparent: false,
                ..meta
            },
        );
    }

    /// Parse text that command `i` runs, one nested shell deeper.
    fn nested(&mut self, i: usize, cmd: &Command, n: Nested<'_>) {
        let meta = self.meta.get(i).copied().unwrap_or(Meta {
            level: 0,
            root: i,
            transparent: false,
        });
        let depth = self
            .levels
            .get(meta.level)
            .map_or(0, |l| l.depth)
            .saturating_add(1);
        let max = self.budget.limits.max_nested_shells;
        if depth > max {
            self.unknown(
                UnknownKind::Limit,
                format!("shells nested more than {max} deep"),
                &cmd.places,
            );
            return;
        }
        let mut places = cmd.places.clone();
        places.push(Place::Nested { via: n.via.clone() });
        let mut script = parse::parse_script(&without_nul(n.text), &places, &mut self.budget);
        if n.from_file {
            for u in &mut script.unknowns {
                if u.kind == UnknownKind::ParseError {
                    u.kind = UnknownKind::HiddenScript;
                    u.text = format!(
                        "`{}` runs a script that does not parse: {}",
                        cmd.source, u.text
                    );
                }
            }
        }
        if n.dynamic {
            // The text as written is only a sketch of what will run: keep what it shows,
            // mark what it cannot.
            if script
                .unknowns
                .iter()
                .any(|u| u.kind == UnknownKind::ParseError)
            {
                script.commands.clear();
                script
                    .unknowns
                    .retain(|u| u.kind != UnknownKind::ParseError);
            }
            for c in &mut script.commands {
                for w in &mut c.argv {
                    if w.text.contains(['$', '`']) {
                        w.dynamic = true;
                    }
                }
            }
            // Text piped in from a program's output is hidden; text written in the line
            // with expansions in it is dynamic.
            let (kind, what) = if n.piped {
                (UnknownKind::HiddenScript, "reads commands that are")
            } else {
                (UnknownKind::DynamicScript, "runs text that is")
            };
            self.out.unknowns.push(Unknown {
                kind,
                text: format!("`{}` {what} only known when the line runs", cmd.source),
                places: cmd.places.clone(),
            });
        }
        if let Some(args) = &n.args {
            positional::substitute(&mut script, args, n.text, places.len());
        }
        if let Some(input) = &n.input {
            mark_input(&mut script, input, places.len());
        }
        let level = self.levels.len();
        self.levels.push(Level {
            depth,
            prefix: places.len(),
            parent: Some(i),
            from_stdin: n.from_stdin,
        });
        self.add(script, level, Some(meta.root));
    }

    /// A shell reading standard input or a file, now that everything else is found.
    fn deferred_step(&mut self, i: usize, step: Step) {
        let Some(cmd) = self.out.commands.get(i).cloned() else {
            return;
        };
        match step {
            Step::Stdin { via, args } => match stdin::source(self, i) {
                stdin::Source::Text {
                    text,
                    dynamic,
                    from,
                } => self.nested(
                    i,
                    &cmd,
                    Nested {
                        text: &text,
                        dynamic,
                        via: format!("{via} {from}"),
                        args,
                        input: None,
                        from_stdin: true,
                        from_file: false,
                        piped: from == "|",
                    },
                ),
                stdin::Source::Nothing => {}
                // `ssh host` with no command and nothing piped in is an interactive login:
                // what runs there is typed by whoever holds the terminal, each line then
                // its own command.
                stdin::Source::Line if via == "ssh" => {}
                stdin::Source::Line => self.unknown(
                    UnknownKind::HiddenScript,
                    format!("`{}` reads commands from {}", cmd.source, stdin::LINE_INPUT),
                    &cmd.places,
                ),
                stdin::Source::Hidden(why) => self.unknown(
                    UnknownKind::HiddenScript,
                    format!("`{}` reads commands from {why}", cmd.source),
                    &cmd.places,
                ),
            },
            Step::File { path, via, args } => match stdin::read_script(self, i, &path) {
                stdin::Read::Text(text, file) => {
                    // Each file once per set of arguments: a script that runs itself is read,
                    // not followed.
                    let key_args = args
                        .as_ref()
                        .map(|a| a.iter().map(|w| w.text.clone()).collect());
                    if self.read_files.insert((file, key_args)) {
                        self.nested(
                            i,
                            &cmd,
                            Nested {
                                text: &text,
                                dynamic: false,
                                via,
                                args,
                                input: None,
                                from_stdin: false,
                                from_file: true,
                                piped: false,
                            },
                        );
                    }
                }
                stdin::Read::Stdin => self.deferred_step(i, Step::Stdin { via, args }),
                stdin::Read::Skip => {}
                stdin::Read::Hidden(why) => self.unknown(
                    UnknownKind::HiddenScript,
                    format!("`{}` runs {why}", cmd.source),
                    &cmd.places,
                ),
            },
            Step::Setup { program } => {
                if let Some(how) = self.renames(&program) {
                    self.unknown(
                        UnknownKind::HiddenScript,
                        format!(
                            "`{}` runs what `{program}` prints, but the line itself {how}: what \
                             that prints is only known when the line runs",
                            cmd.source
                        ),
                        &cmd.places,
                    );
                }
            }
            other => self.apply(i, &cmd, other),
        }
    }

    /// How the line gives `program` a meaning other than the installed tool's, if it does:
    /// a function of that name, an alias or hash naming it, a change of PATH, or a file of
    /// that name written, copied or linked. Read over every command the line runs.
    fn renames(&self, program: &str) -> Option<&'static str> {
        let names_it = |w: &Word| {
            w.text == program || w.text.rsplit('/').next() == Some(program) && w.text.contains('/')
        };
        for c in &self.out.commands {
            if c.places
                .iter()
                .any(|p| matches!(p, Place::Function { name } if name == program))
            {
                return Some("defines a function of that name");
            }
            if c.assignments.iter().any(|a| a.name == "PATH")
                || c.args().any(|a| a.starts_with("PATH=") || a == "PATH")
            {
                return Some("changes PATH");
            }
            match c.program() {
                Some("alias" | "hash" | "enable" | "unalias")
                    if c.args().skip(1).any(|a| {
                        a.split('=').next() == Some(program) || a.ends_with(&format!("/{program}"))
                    }) =>
                {
                    return Some("makes an alias or hash of that name");
                }
                _ => {}
            }
            let writes_it = c.redirects.iter().any(|r| {
                matches!(
                    r.kind,
                    RedirectKind::Output
                        | RedirectKind::Clobber
                        | RedirectKind::Append
                        | RedirectKind::OutputBoth
                        | RedirectKind::ReadWrite
                ) && names_it(&r.target)
            }) || (!matches!(c.program(), Some(p) if p == program)
                && c.argv.iter().skip(1).any(names_it));
            if writes_it {
                return Some("writes, copies or names a file of that name");
            }
        }
        None
    }
}

/// Text to parse one nested shell deeper, and how.
struct Nested<'t> {
    text: &'t str,
    dynamic: bool,
    via: String,
    args: Option<Vec<Word>>,
    input: Option<Input>,
    from_stdin: bool,
    /// The text is a file's: a syntax error in it hides that script, it does not make
    /// the line itself unreadable.
    from_file: bool,
    /// The text is another program's output, read through a pipe.
    piped: bool,
}

/// Items a program adds to the text it runs (`parallel cmd ::: …` from standard input):
/// words holding a replacement string are only known at run time; without one, the items
/// are appended to the last command of the text.
fn mark_input(script: &mut Script, input: &Input, prefix: usize) {
    let mut placed = false;
    for c in &mut script.commands {
        for w in &mut c.argv {
            if input
                .placeholders
                .iter()
                .any(|p| w.text.contains(p.as_str()))
            {
                // The item's value, only known at run time: spelt as a variable, so that
                // rules judge `rm -rf {}` as the unguarded `rm -rf $item` it is (a bare
                // `{}` is left to find's and xargs' own rules).
                for p in &input.placeholders {
                    w.text = w.text.replace(p.as_str(), "${item}");
                }
                w.dynamic = true;
                placed = true;
            }
        }
    }
    if placed {
        return;
    }
    let last = script
        .commands
        .iter_mut()
        .rev()
        .find(|c| c.places.len() == prefix);
    if let Some(c) = last {
        c.argv.push(Word {
            dynamic: true,
            ..Word::literal(input.label)
        });
    }
}
