//! The adapter between shuck-parser's syntax tree and guardsh's flat command list.
//!
//! This is the only file that knows which grammar crate guardsh uses. The walk is
//! iterative (an explicit work stack), so deep trees cost heap, not stack; only re-parsed
//! operand text recurses, and that is bounded by the nesting pre-scan.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use shuck_ast as ast;
use shuck_parser::parser::{ParseStatus, Parser};

use super::limits::{MAX_PREFIX_CHAIN, has_nested_backticks, nesting_depth, prefix_chain};
use super::words;
use super::{
    Assignment, Budget, Command, Place, Redirect, RedirectKind, Script, Unknown, UnknownKind, Word,
};

/// Parse `text` and flatten it into `Script`. See [`super::parse_script`].
pub(super) fn parse(text: &str, outer: &[Place], budget: &mut Budget) -> Script {
    let mut script = Script::default();
    let fatal = |script: &mut Script, kind, msg: String| {
        script.unknowns.push(Unknown {
            kind,
            text: msg,
            places: outer.to_vec(),
        });
    };
    if let Err(msg) = budget.charge_bytes(text.len()) {
        fatal(&mut script, UnknownKind::Limit, msg);
        return script;
    }
    let depth = nesting_depth(text);
    if depth > budget.limits.max_nesting {
        fatal(
            &mut script,
            UnknownKind::Limit,
            format!(
                "nesting {depth} levels deep is over the limit of {}",
                budget.limits.max_nesting
            ),
        );
        return script;
    }
    let chain = prefix_chain(text);
    if chain > MAX_PREFIX_CHAIN {
        fatal(
            &mut script,
            UnknownKind::Limit,
            format!(
                "{chain} `time`/`coproc` prefixes in a row are over the limit of {MAX_PREFIX_CHAIN}"
            ),
        );
        return script;
    }
    if has_nested_backticks(text) {
        fatal(
            &mut script,
            UnknownKind::ParseError,
            "nested backquote substitutions (`…\\`…\\`…`) are not read with certainty; use $( ) instead"
                .to_string(),
        );
        return script;
    }
    let parsed = catch_unwind(AssertUnwindSafe(|| Parser::new(text).parse()));
    let result = match parsed {
        Ok(r) => r,
        Err(_) => {
            fatal(
                &mut script,
                UnknownKind::Internal,
                "the shell grammar failed on this input".to_string(),
            );
            return script;
        }
    };
    if result.status != ParseStatus::Clean {
        let msg = result
            .terminal_error
            .as_ref()
            .map(|e| e.to_string())
            .or_else(|| result.diagnostics.first().map(|d| d.message.clone()))
            .unwrap_or_else(|| "the line does not parse".to_string());
        fatal(&mut script, UnknownKind::ParseError, msg);
        return script;
    }
    let walked = catch_unwind(AssertUnwindSafe(|| {
        let mut shared = Shared {
            budget,
            script: &mut script,
            vars: HashMap::new(),
            word_vars: Vec::new(),
            failed: None,
        };
        let mut walker = Walker {
            src: text,
            shared: &mut shared,
        };
        walker.walk_seq(&result.file.body, Ctx::new(outer.to_vec()));
        let vars = std::mem::take(&mut shared.vars);
        let word_vars = std::mem::take(&mut shared.word_vars);
        let failed = shared.failed.take();
        (vars, word_vars, failed)
    }));
    match walked {
        Ok((vars, word_vars, failed)) => {
            if let Some(msg) = failed {
                script.commands.clear();
                fatal(&mut script, UnknownKind::Limit, msg);
                return script;
            }
            let vars = untaint(text, &script, vars);
            resolve(&mut script, &vars, word_vars);
        }
        Err(_) => {
            script.commands.clear();
            fatal(
                &mut script,
                UnknownKind::Internal,
                "internal error while reading the parsed line".to_string(),
            );
        }
    }
    script
}

/// What is known of a variable from literal assignments in the same text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Var {
    /// Every assignment gave this literal value.
    Known(String),
    /// Assigned more than one value, or a value that is not literal.
    Unknown,
}

/// State shared by the top-level walk and every re-parse of operand text.
struct Shared<'b> {
    budget: &'b mut Budget,
    script: &'b mut Script,
    vars: HashMap<String, Var>,
    /// Per command pushed, per word: the variable a whole word expands, for the resolver.
    word_vars: Vec<Vec<Option<VarUse>>>,
    failed: Option<String>,
}

/// The context a statement inherits from what encloses it.
#[derive(Clone)]
struct Ctx {
    places: Vec<Place>,
    /// Redirections of enclosing compound commands (`while …; done < f`).
    redirects: Vec<Redirect>,
}

impl Ctx {
    fn new(places: Vec<Place>) -> Self {
        Ctx {
            places,
            redirects: Vec::new(),
        }
    }

    fn with(&self, place: Place) -> Self {
        let mut c = self.clone();
        c.places.push(place);
        c
    }
}

enum Work<'a> {
    Stmt(&'a ast::Stmt, Ctx),
    Seq(&'a ast::StmtSeq, Ctx),
}

/// A whole word that is one variable expansion.
#[derive(Debug, Clone)]
struct VarUse {
    name: String,
    /// Inside double quotes: no field splitting or globbing.
    quoted: bool,
}

/// A word after conversion, plus what the variable resolver needs.
struct Converted {
    word: Word,
    /// The whole word is one plain variable expansion (`$a`, `${a}`, `"$a"`).
    var: Option<VarUse>,
}

struct Walker<'s, 'b, 'c> {
    src: &'s str,
    shared: &'c mut Shared<'b>,
}

impl<'s> Walker<'s, '_, '_> {
    fn walk_seq(&mut self, seq: &ast::StmtSeq, ctx: Ctx) {
        let mut stack: Vec<Work<'_>> = vec![Work::Seq(seq, ctx)];
        while let Some(work) = stack.pop() {
            if self.shared.failed.is_some() {
                return;
            }
            match work {
                Work::Seq(seq, ctx) => {
                    for stmt in seq.stmts.iter().rev() {
                        stack.push(Work::Stmt(stmt, ctx.clone()));
                    }
                }
                Work::Stmt(stmt, ctx) => {
                    let mut children = Vec::new();
                    self.stmt(stmt, ctx, &mut children);
                    stack.extend(children.into_iter().rev());
                }
            }
        }
    }

    fn stmt<'a>(&mut self, stmt: &'a ast::Stmt, mut ctx: Ctx, out: &mut Vec<Work<'a>>) {
        if stmt.negated {
            ctx.places.push(Place::Negated);
        }
        if matches!(stmt.terminator, Some(ast::StmtTerminator::Background(_))) {
            ctx.places.push(Place::Background);
        }
        for r in stmt.redirects.iter() {
            let converted = self.redirect(r, &ctx.places);
            ctx.redirects.push(converted);
        }
        match &stmt.command {
            ast::Command::Simple(sc) => {
                let mut words = Vec::with_capacity(sc.args.len() + 1);
                // A bare assignment has a name word with nothing in it.
                if !sc.name.parts.is_empty() && sc.name.span.start != sc.name.span.end {
                    words.push(&sc.name);
                }
                words.extend(sc.args.iter());
                // The node's own span runs on to the next operator (`a &&`); the command
                // as written is what its words, assignments and redirections cover.
                let span = covered_span(sc, &stmt.redirects);
                self.emit(words, &sc.assignments, &[], span, &ctx);
            }
            ast::Command::Builtin(b) => {
                let (name, first, extra, assigns, span) = match b {
                    ast::BuiltinCommand::Break(c) => {
                        ("break", &c.depth, &c.extra_args, &c.assignments, c.span)
                    }
                    ast::BuiltinCommand::Continue(c) => {
                        ("continue", &c.depth, &c.extra_args, &c.assignments, c.span)
                    }
                    ast::BuiltinCommand::Return(c) => {
                        ("return", &c.code, &c.extra_args, &c.assignments, c.span)
                    }
                    ast::BuiltinCommand::Exit(c) => {
                        ("exit", &c.code, &c.extra_args, &c.assignments, c.span)
                    }
                };
                let words: Vec<&ast::Word> = first.iter().chain(extra.iter()).collect();
                self.emit_named(name, words, assigns, span, &ctx);
            }
            ast::Command::Decl(d) => {
                let mut words = Vec::new();
                let mut decl_assigns = Vec::new();
                for op in &d.operands {
                    match op {
                        ast::DeclOperand::Flag(w) | ast::DeclOperand::Dynamic(w) => words.push(w),
                        ast::DeclOperand::Name(_) => {}
                        ast::DeclOperand::Assignment(a) => decl_assigns.push(a),
                    }
                }
                let variant = d.variant.as_str().to_string();
                // `export a=rm` assigns like `a=rm` does; keep them as assignments so the
                // resolver follows them, and show them as arguments too.
                let mut argv = vec![Converted {
                    word: Word::literal(variant),
                    var: None,
                }];
                let mut assignments = self.assignments(&d.assignments, &ctx.places);
                for a in decl_assigns {
                    let conv = self.assignment(a, &ctx.places);
                    argv.push(Converted {
                        word: Word {
                            text: format!("{}={}", conv.name, conv.value.text),
                            ..conv.value.clone()
                        },
                        var: None,
                    });
                    assignments.push(conv);
                }
                for w in words {
                    let c = self.word(w, &ctx.places);
                    argv.push(c);
                }
                self.push_command(argv, assignments, d.span, &ctx);
            }
            ast::Command::Binary(b) => match b.op {
                ast::BinaryOp::Pipe | ast::BinaryOp::PipeAll => {
                    let stages = pipeline_stages(stmt);
                    let id = self.shared.budget.next_pipeline();
                    for (i, s) in stages.into_iter().enumerate() {
                        out.push(Work::Stmt(
                            s,
                            ctx.with(Place::Pipeline {
                                pipeline: id,
                                stage: i,
                            }),
                        ));
                    }
                }
                ast::BinaryOp::And | ast::BinaryOp::Or => {
                    out.push(Work::Stmt(&b.left, ctx.clone()));
                    out.push(Work::Stmt(&b.right, ctx));
                }
            },
            ast::Command::Compound(c) => self.compound(c, ctx, out),
            ast::Command::Function(f) => {
                let name = f
                    .header
                    .entries
                    .first()
                    .map(|e| self.word(&e.word, &ctx.places).word.text)
                    .unwrap_or_default();
                out.push(Work::Stmt(&f.body, ctx.with(Place::Function { name })));
            }
            ast::Command::AnonymousFunction(f) => {
                for w in &f.args {
                    self.word(w, &ctx.places);
                }
                out.push(Work::Stmt(
                    &f.body,
                    ctx.with(Place::Function {
                        name: String::new(),
                    }),
                ));
            }
        }
    }

    fn compound<'a>(&mut self, c: &'a ast::CompoundCommand, ctx: Ctx, out: &mut Vec<Work<'a>>) {
        use ast::CompoundCommand as C;
        match c {
            C::If(i) => {
                let inner = ctx.with(Place::If);
                out.push(Work::Seq(&i.condition, inner.clone()));
                out.push(Work::Seq(&i.then_branch, inner.clone()));
                for (cond, body) in &i.elif_branches {
                    out.push(Work::Seq(cond, inner.clone()));
                    out.push(Work::Seq(body, inner.clone()));
                }
                if let Some(e) = &i.else_branch {
                    out.push(Work::Seq(e, inner));
                }
            }
            C::For(f) => {
                for w in f.words.iter().flatten() {
                    self.word(w, &ctx.places);
                }
                out.push(Work::Seq(&f.body, ctx.with(Place::Loop)));
            }
            C::Repeat(r) => {
                self.word(&r.count, &ctx.places);
                out.push(Work::Seq(&r.body, ctx.with(Place::Loop)));
            }
            C::Foreach(f) => {
                for w in &f.words {
                    self.word(w, &ctx.places);
                }
                out.push(Work::Seq(&f.body, ctx.with(Place::Loop)));
            }
            C::ArithmeticFor(f) => {
                for span in [f.init_span, f.condition_span, f.step_span]
                    .into_iter()
                    .flatten()
                {
                    self.scan_text(span.slice(self.src), &ctx.places, Place::Expansion);
                }
                out.push(Work::Seq(&f.body, ctx.with(Place::Loop)));
            }
            C::While(w) => {
                let inner = ctx.with(Place::Loop);
                out.push(Work::Seq(&w.condition, inner.clone()));
                out.push(Work::Seq(&w.body, inner));
            }
            C::Until(w) => {
                let inner = ctx.with(Place::Loop);
                out.push(Work::Seq(&w.condition, inner.clone()));
                out.push(Work::Seq(&w.body, inner));
            }
            C::Case(cc) => {
                self.word(&cc.word, &ctx.places);
                let inner = ctx.with(Place::Case);
                for item in &cc.cases {
                    for p in &item.patterns {
                        self.scan_text(p.span.slice(self.src), &ctx.places, Place::Expansion);
                    }
                    out.push(Work::Seq(&item.body, inner.clone()));
                }
            }
            C::Select(s) => {
                for w in &s.words {
                    self.word(w, &ctx.places);
                }
                out.push(Work::Seq(&s.body, ctx.with(Place::Loop)));
            }
            C::Subshell(seq) => out.push(Work::Seq(seq, ctx.with(Place::Subshell))),
            C::BraceGroup(seq) => out.push(Work::Seq(seq, ctx.with(Place::Group))),
            C::Arithmetic(a) => {
                self.scan_text(a.span.slice(self.src), &ctx.places, Place::Test);
            }
            C::Time(t) => {
                if let Some(cmd) = &t.command {
                    out.push(Work::Stmt(cmd, ctx));
                }
            }
            C::Conditional(cond) => {
                self.scan_text(cond.span.slice(self.src), &ctx.places, Place::Test);
            }
            C::Coproc(co) => out.push(Work::Stmt(&co.body, ctx.with(Place::Coproc))),
            C::Always(a) => {
                out.push(Work::Seq(&a.body, ctx.clone()));
                out.push(Work::Seq(&a.always_body, ctx));
            }
        }
    }

    fn emit_named(
        &mut self,
        name: &str,
        words: Vec<&ast::Word>,
        assigns: &[ast::Assignment],
        span: ast::Span,
        ctx: &Ctx,
    ) {
        let mut argv = vec![Converted {
            word: Word::literal(name),
            var: None,
        }];
        for w in words {
            argv.push(self.word(w, &ctx.places));
        }
        let assignments = self.assignments(assigns, &ctx.places);
        self.push_command(argv, assignments, span, ctx);
    }

    fn emit(
        &mut self,
        words: Vec<&ast::Word>,
        assigns: &[ast::Assignment],
        _extra: &[Redirect],
        span: ast::Span,
        ctx: &Ctx,
    ) {
        // Assignments are evaluated before the words in bash only for the environment;
        // for what runs, order does not matter.
        let assignments = self.assignments(assigns, &ctx.places);
        let mut argv: Vec<Converted> = Vec::with_capacity(words.len());
        let mut brace_program = false;
        for (i, w) in words.into_iter().enumerate() {
            let c = self.word(w, &ctx.places);
            if !c.word.brace {
                argv.push(c);
                continue;
            }
            match self.expand_braces(w, &ctx.places) {
                Some(alts) => {
                    brace_program |= i == 0;
                    argv.extend(alts);
                }
                None => argv.push(c),
            }
        }
        if brace_program {
            // Known here, but a line that hides its program in braces is hiding it on
            // purpose: report what it runs and mark it too.
            self.shared.script.unknowns.push(Unknown {
                kind: UnknownKind::BraceProgram,
                text: span.slice(self.src).to_string(),
                places: ctx.places.clone(),
            });
        }
        self.push_command(argv, assignments, span, ctx);
    }

    /// Brace-expand a word (bash does this first), when it holds no other expansion and
    /// the result stays small; each alternative is converted like any word.
    fn expand_braces(&mut self, w: &ast::Word, places: &[Place]) -> Option<Vec<Converted>> {
        let raw = w.span.slice(self.src);
        if raw.contains(['$', '`']) {
            return None;
        }
        let alts = words::expand_braces(raw, 256)?;
        let mut out = Vec::with_capacity(alts.len());
        for alt in alts {
            let parsed = Parser::parse_word_string(&alt);
            let mut sub = Walker {
                src: &alt,
                shared: &mut *self.shared,
            };
            let mut c = sub.word(&parsed, places);
            // What is left after expansion is literal text, braces and all.
            c.word.brace = false;
            if !c.word.text.is_empty() {
                out.push(c);
            }
        }
        Some(out)
    }

    fn push_command(
        &mut self,
        argv: Vec<Converted>,
        assignments: Vec<Assignment>,
        span: ast::Span,
        ctx: &Ctx,
    ) {
        if let Err(msg) = self.shared.budget.charge_command() {
            self.shared.failed = Some(msg);
            return;
        }
        // A bare assignment sets a shell variable; with a command it only sets that
        // command's environment, so only bare ones feed the resolver.
        if argv.is_empty()
            || matches!(
                argv[0].word.text.as_str(),
                "export" | "declare" | "typeset" | "local" | "readonly"
            )
        {
            for a in &assignments {
                self.note_var(&a.name, &a.value);
            }
        }
        let vars: Vec<Option<VarUse>> = argv.iter().map(|c| c.var.clone()).collect();
        let command = Command {
            argv: argv.into_iter().map(|c| c.word).collect(),
            assignments,
            redirects: ctx.redirects.clone(),
            places: ctx.places.clone(),
            source: span.slice(self.src).to_string(),
        };
        self.shared.script.commands.push(command);
        self.shared.word_vars.push(vars);
    }

    fn note_var(&mut self, name: &str, value: &Word) {
        let new = if value.is_literal() {
            Var::Known(value.text.clone())
        } else {
            Var::Unknown
        };
        self.shared
            .vars
            .entry(name.to_string())
            .and_modify(|old| {
                if *old != new {
                    *old = Var::Unknown;
                }
            })
            .or_insert(new);
    }

    fn assignments(&mut self, assigns: &[ast::Assignment], places: &[Place]) -> Vec<Assignment> {
        assigns.iter().map(|a| self.assignment(a, places)).collect()
    }

    fn assignment(&mut self, a: &ast::Assignment, places: &[Place]) -> Assignment {
        let mut name = a.target.name.as_str().to_string();
        if let Some(sub) = &a.target.subscript {
            let text = sub.syntax_text(self.src);
            self.scan_text(text, places, Place::Expansion);
            name.push('[');
            name.push_str(text);
            name.push(']');
        }
        let value = match &a.value {
            ast::AssignmentValue::Scalar(w) => self.word(w, places).word,
            ast::AssignmentValue::Compound(arr) => {
                let mut texts = Vec::new();
                for e in &arr.elements {
                    let w = match e {
                        ast::ArrayElem::Sequential(v)
                        | ast::ArrayElem::Keyed { value: v, .. }
                        | ast::ArrayElem::KeyedAppend { value: v, .. } => &v.word,
                    };
                    texts.push(self.word(w, places).word.text);
                }
                // An array's elements become separate words only when expanded: whatever
                // uses it is dynamic.
                Word {
                    text: texts.join(" "),
                    dynamic: true,
                    ..Word::literal("")
                }
            }
        };
        if a.append {
            // `a+=x` depends on the old value.
            return Assignment {
                name,
                value: Word {
                    dynamic: true,
                    ..value
                },
            };
        }
        Assignment { name, value }
    }

    fn redirect(&mut self, r: &ast::Redirect, places: &[Place]) -> Redirect {
        let kind = match r.kind {
            ast::RedirectKind::Output => RedirectKind::Output,
            ast::RedirectKind::Clobber => RedirectKind::Clobber,
            ast::RedirectKind::Append => RedirectKind::Append,
            ast::RedirectKind::Input => RedirectKind::Input,
            ast::RedirectKind::ReadWrite => RedirectKind::ReadWrite,
            ast::RedirectKind::HereDoc | ast::RedirectKind::HereDocStrip => RedirectKind::Heredoc,
            ast::RedirectKind::HereString => RedirectKind::HereString,
            ast::RedirectKind::DupOutput => RedirectKind::DupOutput,
            ast::RedirectKind::DupInput => RedirectKind::DupInput,
            ast::RedirectKind::OutputBoth => RedirectKind::OutputBoth,
        };
        match &r.target {
            ast::RedirectTarget::Word(w) => Redirect {
                fd: r.fd,
                kind,
                target: self.word(w, places).word,
                quoted: false,
            },
            ast::RedirectTarget::Heredoc(h) => {
                let raw_delimiter = h.delimiter.span.slice(self.src);
                let quoted_delimiter = raw_delimiter.contains(['\'', '"', '\\']);
                if !h.delimiter.expands_body
                    && !quoted_delimiter
                    && let Some(redirect) = self.reread_heredoc(h, r, places)
                {
                    return redirect;
                }
                let mut text = String::new();
                let mut dynamic = false;
                let mut inner = places.to_vec();
                inner.push(Place::HeredocBody);
                let mut line_start = true;
                for part in &h.body.parts {
                    match &part.kind {
                        ast::HeredocBodyPart::Literal(l) => {
                            let raw = part.span.slice(self.src);
                            if h.delimiter.expands_body && !raw.is_empty() {
                                // The grammar keeps `\<newline>` in an unquoted body; bash
                                // removes it (`DROP DATA\<newline>BASE`), so cook from source.
                                let strip = h.delimiter.strip_tabs;
                                unquoted_heredoc_literal(raw, strip, &mut line_start, &mut text);
                                continue;
                            }
                            text.push_str(l.as_str(self.src, part.span));
                        }
                        ast::HeredocBodyPart::Variable(_) => {
                            dynamic = true;
                            text.push_str(part.span.slice(self.src));
                        }
                        ast::HeredocBodyPart::CommandSubstitution { body, .. } => {
                            dynamic = true;
                            text.push_str(part.span.slice(self.src));
                            self.sub_seq(body, &inner, Place::CommandSubstitution);
                        }
                        ast::HeredocBodyPart::ArithmeticExpansion {
                            expression_word_ast,
                            ..
                        } => {
                            dynamic = true;
                            text.push_str(part.span.slice(self.src));
                            self.word(expression_word_ast, &inner);
                        }
                        ast::HeredocBodyPart::Parameter(p) => {
                            dynamic = true;
                            text.push_str(part.span.slice(self.src));
                            self.prompt_expansion(p.raw_body.slice(self.src), &inner);
                            self.scan_text(p.raw_body.slice(self.src), &inner, Place::Expansion);
                        }
                    }
                    line_start = false;
                }
                Redirect {
                    fd: r.fd,
                    kind,
                    target: Word {
                        text,
                        dynamic,
                        ..Word::literal("")
                    },
                    quoted: !h.delimiter.expands_body,
                }
            }
        }
    }

    /// Read again a heredoc the grammar took for quoted though its delimiter is not (the
    /// grammar's bug with a second heredoc on a line): its body alone, as the first and only
    /// heredoc of a synthetic line, so that its substitutions run and are seen. `None` when
    /// that cannot be done safely; the caller then keeps the grammar's reading, and the
    /// body is marked dynamic.
    fn reread_heredoc(
        &mut self,
        h: &ast::Heredoc,
        r: &ast::Redirect,
        places: &[Place],
    ) -> Option<Redirect> {
        const DELIM: &str = "__GUARDSH_HEREDOC_REREAD__";
        let mut body = String::new();
        for part in &h.body.parts {
            match &part.kind {
                ast::HeredocBodyPart::Literal(_) => body.push_str(part.span.slice(self.src)),
                _ => return None,
            }
        }
        if body.contains(DELIM) {
            return None;
        }
        if !body.is_empty() && !body.ends_with('\n') {
            body.push('\n');
        }
        let op = if h.delimiter.strip_tabs { "<<-" } else { "<<" };
        let synthetic = format!(": {op}{DELIM}\n{body}{DELIM}\n");
        self.shared.budget.charge_bytes(synthetic.len()).ok()?;
        let parsed = catch_unwind(AssertUnwindSafe(|| Parser::new(&synthetic).parse())).ok()?;
        if parsed.status != ParseStatus::Clean {
            return None;
        }
        let stmt = parsed.file.body.stmts.first()?;
        let again = stmt.redirects.first()?;
        let ast::RedirectTarget::Heredoc(h2) = &again.target else {
            return None;
        };
        if !h2.delimiter.expands_body {
            return None;
        }
        let mut sub = Walker {
            src: &synthetic,
            shared: &mut *self.shared,
        };
        let mut redirect = sub.redirect(again, places);
        redirect.fd = r.fd;
        Some(redirect)
    }

    /// Walk a substitution body found inside a word, right away (it is short-lived AST).
    fn sub_seq(&mut self, body: &ast::StmtSeq, places: &[Place], place: Place) {
        let mut p = places.to_vec();
        p.push(place);
        self.walk_seq(body, Ctx::new(p));
    }

    /// Look for substitutions in text the tree keeps unparsed (operands, patterns,
    /// arithmetic, `[[ ]]`): parse it as a word and walk what runs inside.
    fn scan_text(&mut self, text: &str, places: &[Place], place: Place) {
        if !(text.contains("$(")
            || text.contains('`')
            || text.contains("<(")
            || text.contains(">(")
            || text.contains("${"))
        {
            return;
        }
        if let Err(msg) = self.shared.budget.charge_bytes(text.len()) {
            self.shared.failed = Some(msg);
            return;
        }
        let word = Parser::parse_word_string(text);
        let mut p = places.to_vec();
        p.push(place);
        let mut sub = Walker {
            src: text,
            shared: &mut *self.shared,
        };
        sub.word(&word, &p);
    }

    /// Convert one word: quote removal, flags, and every substitution inside it walked.
    fn word(&mut self, w: &ast::Word, places: &[Place]) -> Converted {
        let mut word = Word::literal(String::new());
        let mut var = None;
        let single = w.parts.len() == 1;
        for (i, part) in w.parts.iter().enumerate() {
            if let Some(name) = self.part(part, false, i == 0, &mut word, places)
                && single
            {
                let quoted = matches!(part.kind, ast::WordPart::DoubleQuoted { .. });
                var = Some(VarUse { name, quoted });
            }
        }
        if w.brace_syntax.iter().any(|b| b.expands()) {
            word.brace = true;
        }
        if word.text.contains('\u{FFFD}') {
            word.dynamic = true;
        }
        // A lone `[` (the test command, or its argument) has no closing bracket: bash reads
        // it literally, never as a glob.
        if word.text == "[" {
            word.glob = false;
        }
        Converted { word, var }
    }

    /// Append one part to `word`. Returns the variable name when the part is a plain
    /// variable expansion.
    fn part(
        &mut self,
        part: &ast::WordPartNode,
        quoted: bool,
        first: bool,
        word: &mut Word,
        places: &[Place],
    ) -> Option<String> {
        use ast::WordPart as P;
        let raw = part.span.slice(self.src);
        match &part.kind {
            P::Literal(lit) if raw.is_empty() => {
                // Some nodes (`2>&1`'s target) carry their text without a source span.
                word.text.push_str(lit.as_str(self.src, part.span));
                None
            }
            P::Literal(_) => {
                if quoted {
                    words::double_quoted(raw, &mut word.text);
                } else {
                    if first && raw.starts_with('~') {
                        word.tilde = true;
                    }
                    let flags = words::unquoted(raw, &mut word.text);
                    word.glob |= flags.glob;
                }
                None
            }
            P::SingleQuoted { dollar, value } => {
                if *dollar {
                    let inner = raw
                        .strip_prefix("$'")
                        .and_then(|s| s.strip_suffix('\''))
                        .unwrap_or_else(|| value.slice(self.src));
                    words::ansi_c(inner, &mut word.text);
                } else {
                    let inner = raw
                        .strip_prefix('\'')
                        .and_then(|s| s.strip_suffix('\''))
                        .unwrap_or_else(|| value.slice(self.src));
                    word.text.push_str(inner);
                }
                None
            }
            P::DoubleQuoted { parts, .. } => {
                // Literal runs are cooked from the source between the other parts, not from
                // their own spans: shuck drops or empties a run that ends in `\$` (`"a\$"`
                // came back as "", hiding `psql -c "DROP …; -- \$"`'s payload).
                let open = if raw.starts_with("$\"") { 2 } else { 1 };
                let start = part.span.start.offset();
                let end = start + raw.len().saturating_sub(1);
                if raw.len() < open + 1 || !raw.ends_with('"') {
                    word.dynamic = true;
                    word.text.push_str(raw);
                    return None;
                }
                let mut pos = start + open;
                let mut name = None;
                let mut others = 0;
                let mut gap = false;
                for p in parts {
                    if matches!(p.kind, P::Literal(_)) {
                        continue;
                    }
                    let at = p.span.start.offset();
                    if at > pos {
                        gap |= self.dq_literal(pos, at, word);
                    }
                    others += 1;
                    name = self.part(p, true, false, word, places);
                    pos = pos.max(p.span.end.offset());
                }
                if end > pos {
                    gap |= self.dq_literal(pos, end, word);
                }
                if others == 1 && !gap { name } else { None }
            }
            P::Variable(name) => {
                word.dynamic = true;
                word.text.push_str(raw);
                Some(name.as_str().to_string())
            }
            P::CommandSubstitution { body, syntax } => {
                word.dynamic = true;
                word.text.push_str(raw);
                let place = match syntax {
                    ast::CommandSubstitutionSyntax::Backtick => Place::Backticks,
                    _ => Place::CommandSubstitution,
                };
                self.sub_seq(body, places, place);
                None
            }
            P::ProcessSubstitution { body, .. } => {
                word.dynamic = true;
                word.text.push_str(raw);
                self.sub_seq(body, places, Place::ProcessSubstitution);
                None
            }
            P::ArithmeticExpansion {
                expression_word_ast,
                ..
            } => {
                word.dynamic = true;
                word.text.push_str(raw);
                let mut p = places.to_vec();
                p.push(Place::Expansion);
                self.word(expression_word_ast, &p);
                None
            }
            P::ZshQualifiedGlob(_) => {
                word.glob = true;
                word.text.push_str(raw);
                None
            }
            P::Parameter(_)
            | P::ParameterExpansion { .. }
            | P::Length(_)
            | P::ArrayAccess(_)
            | P::ArrayLength(_)
            | P::ArrayIndices(_)
            | P::Substring { .. }
            | P::ArraySlice { .. }
            | P::IndirectExpansion { .. }
            | P::PrefixMatch { .. }
            | P::Transformation { .. } => {
                word.dynamic = true;
                word.text.push_str(raw);
                let inner = raw
                    .strip_prefix("${")
                    .and_then(|s| s.strip_suffix('}'))
                    .unwrap_or("");
                self.prompt_expansion(inner, places);
                self.scan_text(inner, places, Place::Expansion);
                match &part.kind {
                    P::Parameter(p) => match p.bourne() {
                        Some(ast::BourneParameterExpansion::Access { reference })
                            if reference.subscript.is_none() =>
                        {
                            Some(reference.name.as_str().to_string())
                        }
                        _ => None,
                    },
                    _ => None,
                }
            }
        }
    }
}

impl Walker<'_, '_, '_> {
    /// `${x@P}` expands the value as a prompt string, which runs the command substitutions
    /// in it: a script known only when the line runs.
    fn prompt_expansion(&mut self, inner: &str, places: &[Place]) {
        if inner.ends_with("@P") {
            self.shared.script.unknowns.push(Unknown {
                kind: UnknownKind::DynamicScript,
                text: format!(
                    "`${{{inner}}}` expands a value as a prompt, running the commands in it"
                ),
                places: places.to_vec(),
            });
        }
    }

    /// Cook `src[from..to]` as double-quoted text into `word`; true when it added text. A
    /// range that does not fall on character boundaries is kept raw and marked unknown.
    fn dq_literal(&self, from: usize, to: usize, word: &mut Word) -> bool {
        match self.src.get(from..to) {
            Some(raw) => words::double_quoted(raw, &mut word.text),
            None => word.dynamic = true,
        }
        true
    }
}

/// Cook a literal run of an unquoted heredoc body from its source: `\\` escapes only `$`,
/// `` ` ``, `\\` and a newline (which it removes, joining the lines); any other backslash
/// stays.
///
/// With `<<-` (`strip_tabs`), leading tabs of each line go; `line_start` carries across the
/// runs of one body (a run after an expansion starts mid-line).
fn unquoted_heredoc_literal(raw: &str, strip_tabs: bool, line_start: &mut bool, out: &mut String) {
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if strip_tabs && *line_start && c == '\t' {
            continue;
        }
        *line_start = c == '\n';
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('\n') => {
                chars.next();
            }
            Some(&e @ ('$' | '`' | '\\')) => {
                chars.next();
                out.push(e);
            }
            _ => out.push('\\'),
        }
    }
}

/// The stages of a pipeline, left to right, flattening however the tree nests them.
fn pipeline_stages(stmt: &ast::Stmt) -> Vec<&ast::Stmt> {
    let mut stages = Vec::new();
    let mut stack = vec![stmt];
    let mut top = true;
    while let Some(s) = stack.pop() {
        let is_pipe = matches!(
            &s.command,
            ast::Command::Binary(b) if matches!(b.op, ast::BinaryOp::Pipe | ast::BinaryOp::PipeAll)
        );
        if is_pipe && (top || (!s.negated && s.redirects.is_empty())) {
            if let ast::Command::Binary(b) = &s.command {
                stack.push(&b.right);
                stack.push(&b.left);
            }
        } else {
            stages.push(s);
        }
        top = false;
    }
    stages
}

/// Keep as known only the variables that nothing but a literal assignment can have set.
///
/// The resolver sees literal assignments only, but bash sets variables in many other ways:
/// `read a`, `mapfile a`, `printf -v a`, `for a in`, `getopts`, `${a:=x}`, `((a=1))`,
/// `unset a`, `a+=x`, `a[0]=x`, namerefs, `eval`/`source` text, and `IFS` changes how a value
/// splits. Rather than model each, fail closed on the text: a variable whose name appears
/// anywhere in the line other than as `name=` or as a read (`$name`, `${name}`,
/// `${name:-…}`) becomes unknown, and so do all of them when the line runs `eval`,
/// `source`, `.`, declares a nameref, or mentions `IFS`. An unknown variable in command
/// position is reported, never guessed.
fn untaint(text: &str, script: &Script, mut vars: HashMap<String, Var>) -> HashMap<String, Var> {
    let everything = text.contains("IFS")
        || script.commands.iter().any(|c| {
            let mut args = c.args();
            match args.next() {
                Some("eval" | "source" | "." | "let") => true,
                Some("declare" | "typeset" | "local" | "readonly" | "export") => {
                    args.any(|a| a.starts_with('-') && a.contains('n'))
                }
                _ => false,
            }
        });
    if everything {
        for var in vars.values_mut() {
            *var = Var::Unknown;
        }
        return vars;
    }
    if !vars.values().any(|v| matches!(v, Var::Known(_))) {
        return vars;
    }
    for name in written_otherwise(text, &vars) {
        if let Some(var) = vars.get_mut(name) {
            *var = Var::Unknown;
        }
    }
    vars
}

/// The known variables whose name appears in `text` as an identifier somewhere other than
/// a plain assignment `name=` or a read `$name` / `${name…}` that does not assign. One pass
/// over the text, whatever the number of variables.
fn written_otherwise<'t>(
    text: &'t str,
    vars: &HashMap<String, Var>,
) -> std::collections::HashSet<&'t str> {
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = std::collections::HashSet::new();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes.get(at).is_some_and(|&b| ident(b)) {
            at += 1;
            continue;
        }
        let mut end = at;
        while bytes.get(end).is_some_and(|&b| ident(b)) {
            end += 1;
        }
        let start = at;
        at = end;
        let Some(name) = text.get(start..end) else {
            continue;
        };
        if !matches!(vars.get(name), Some(Var::Known(_))) {
            continue;
        }
        let before = start.checked_sub(1).and_then(|i| bytes.get(i)).copied();
        let after = bytes.get(end).copied();
        let read = match before {
            Some(b'$') => true,
            // `${name}`, `${name:-x}`, `${#name}`; not `${name:=x}` / `${name=x}`.
            Some(b'{' | b'#' | b'!') => {
                let brace = text
                    .get(..start)
                    .is_some_and(|t| t.ends_with("${") || t.ends_with("${#") || t.ends_with("${!"));
                let rest = text.get(end..).unwrap_or("");
                brace && !rest.starts_with(":=") && !rest.starts_with('=')
            }
            _ => false,
        };
        let assignment = after == Some(b'=')
            && before.is_none_or(|b| b.is_ascii_whitespace() || b";&|".contains(&b));
        if !read && !assignment {
            out.insert(name);
        }
    }
    out
}

/// Follow simple literal assignments into later words (`a=rm; $a -rf /` is `rm -rf /`),
/// then mark what stays unknown in command position.
fn resolve(script: &mut Script, vars: &HashMap<String, Var>, word_vars: Vec<Vec<Option<VarUse>>>) {
    for (cmd, names) in script.commands.iter_mut().zip(word_vars) {
        if names.iter().any(Option::is_some) {
            let old = std::mem::take(&mut cmd.argv);
            for (word, name) in old.into_iter().zip(names) {
                match name.as_ref().and_then(|v| Some((v, vars.get(&v.name)?))) {
                    Some((v, Var::Known(value))) if v.quoted => {
                        cmd.argv.push(Word::literal(value.clone()));
                    }
                    Some((_, Var::Known(value))) => {
                        // Unquoted: the shell splits the value into fields and globs them.
                        for field in value.split([' ', '\t', '\n']).filter(|f| !f.is_empty()) {
                            let mut w = Word::literal(field);
                            w.glob = field.contains(['*', '?', '[']);
                            cmd.argv.push(w);
                        }
                    }
                    _ => cmd.argv.push(word),
                }
            }
        }
        let Some(first) = cmd.argv.first() else {
            continue;
        };
        let kind = if first.brace {
            Some(UnknownKind::BraceProgram)
        } else if first.dynamic || first.glob {
            Some(UnknownKind::DynamicProgram)
        } else {
            None
        };
        if let Some(kind) = kind {
            script.unknowns.push(Unknown {
                kind,
                text: cmd.source.clone(),
                places: cmd.places.clone(),
            });
        }
    }
}

/// The source range a simple command's parts cover, from its first part to its last.
fn covered_span(sc: &ast::SimpleCommand, redirects: &[ast::Redirect]) -> ast::Span {
    let spans = std::iter::once(sc.name.span)
        .filter(|s| s.start != s.end)
        .chain(sc.args.iter().map(|w| w.span))
        .chain(sc.assignments.iter().map(|a| a.span))
        .chain(redirects.iter().map(|r| r.span));
    spans
        .reduce(|a, b| {
            let start = if b.start.offset() < a.start.offset() {
                b.start
            } else {
                a.start
            };
            let end = if b.end.offset() > a.end.offset() {
                b.end
            } else {
                a.end
            };
            ast::Span::from_positions(start, end)
        })
        .unwrap_or(sc.span)
}
