//! Brace expansion of rule globs: `{,./}dist{,/}` stands for `dist`, `dist/`, `./dist`,
//! `./dist/`. Kept apart from matching so that build.rs can expand the built-in packs'
//! patterns at build time with this very code (see `glob::builtin_alternatives`).

/// At most this many alternatives are tried for one glob; braces beyond are literal text.
pub const MAX_ALTERNATIVES: usize = 4096;

/// The plain patterns `pattern` stands for, in [`expand`]'s order.
///
/// guardsh lives for one command, so each pattern is expanded once per process and that
/// first expansion is what counts: a line that writes with `tee` meets a dozen patterns
/// of tens of alternatives. [`expand`] splices each alternative into the pattern and scans
/// the result again, which cost about 27,000 instructions a pattern; reading the groups
/// once and multiplying them out costs a fraction. Patterns whose expansion would pass
/// [`MAX_ALTERNATIVES`] (where `expand` stops part-way) are left to `expand`, so the
/// answer is the same; a test compares the two on every short pattern.
pub fn expansions(pattern: &str) -> Vec<String> {
    let p: Vec<char> = pattern.chars().collect();
    let seq = pieces(&p);
    if count(&seq) <= MAX_ALTERNATIVES {
        let mut out = vec![Vec::new()];
        multiply(&seq, &mut out);
        return out.into_iter().map(|c| c.into_iter().collect()).collect();
    }
    let mut plain = Vec::new();
    expand(pattern, &mut plain);
    plain
}

/// A pattern read once: literal text, and brace groups with their alternatives.
enum Piece {
    Text(Vec<char>),
    Group(Vec<Vec<Piece>>),
}

/// `p` as pieces. A `{` that never closes, or whose group has no comma at its own level,
/// is literal text, and reading goes on inside it, as [`first_group`] does.
fn pieces(p: &[char]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = Vec::new();
    let mut i = 0;
    while i < p.len() {
        if p[i] == '{'
            && let Some((close, commas)) = group_at(p, i)
            && !commas.is_empty()
        {
            if !text.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut text)));
            }
            let mut alts = Vec::new();
            let mut start = i + 1;
            for end in commas.into_iter().chain([close]) {
                alts.push(pieces(&p[start..end]));
                start = end + 1;
            }
            out.push(Piece::Group(alts));
            i = close + 1;
            continue;
        }
        text.push(p[i]);
        i += 1;
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// The group opening at `p[open]`: the index of its `}` and of its top-level commas.
fn group_at(p: &[char], open: usize) -> Option<(usize, Vec<usize>)> {
    let mut depth = 0usize;
    let mut commas = Vec::new();
    for (i, &c) in p.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((i, commas));
                }
            }
            ',' if depth == 1 => commas.push(i),
            _ => {}
        }
    }
    None
}

/// How many plain patterns `seq` stands for, saturating.
fn count(seq: &[Piece]) -> usize {
    seq.iter().fold(1usize, |n, piece| match piece {
        Piece::Text(_) => n,
        Piece::Group(alts) => {
            n.saturating_mul(alts.iter().fold(0usize, |m, a| m.saturating_add(count(a))))
        }
    })
}

/// Extend every prefix in `out` by each expansion of `seq`, earlier groups varying
/// slowest (the order of [`expand`]).
fn multiply(seq: &[Piece], out: &mut Vec<Vec<char>>) {
    for piece in seq {
        match piece {
            Piece::Text(t) => {
                for o in out.iter_mut() {
                    o.extend_from_slice(t);
                }
            }
            Piece::Group(alts) => {
                let mut tails = Vec::new();
                for alt in alts {
                    let mut expanded = vec![Vec::new()];
                    multiply(alt, &mut expanded);
                    tails.extend(expanded);
                }
                let prefixes = std::mem::take(out);
                for prefix in &prefixes {
                    for tail in &tails {
                        let mut whole = Vec::with_capacity(prefix.len() + tail.len());
                        whole.extend_from_slice(prefix);
                        whole.extend_from_slice(tail);
                        out.push(whole);
                    }
                }
            }
        }
    }
}

/// The plain patterns `pattern`'s brace groups stand for, appended to `out`.
pub fn expand(pattern: &str, out: &mut Vec<String>) {
    if out.len() >= MAX_ALTERNATIVES {
        return;
    }
    let Some((open, close, commas)) = first_group(pattern) else {
        out.push(pattern.to_string());
        return;
    };
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    let mut start = open + 1;
    for end in commas.into_iter().chain([close]) {
        expand(&format!("{head}{}{tail}", &pattern[start..end]), out);
        start = end + 1;
    }
}

/// The first brace group with a comma at its own level: (index of `{`, index of `}`, indices
/// of its top-level commas).
fn first_group(p: &str) -> Option<(usize, usize, Vec<usize>)> {
    let bytes = p.as_bytes();
    for (open, _) in p.match_indices('{') {
        let mut depth = 0usize;
        let mut commas = Vec::new();
        for (i, &b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        if !commas.is_empty() {
                            return Some((open, i, commas));
                        }
                        break;
                    }
                }
                b',' if depth == 1 => commas.push(i),
                _ => {}
            }
        }
    }
    None
}
