//! Brace expansion of rule globs: `{,./}dist{,/}` stands for `dist`, `dist/`, `./dist`,
//! `./dist/`. Kept apart from matching so that build.rs can expand the built-in packs'
//! patterns at build time with this very code (see `glob::builtin_alternatives`).

/// At most this many alternatives are tried for one glob; braces beyond are literal text.
const MAX_ALTERNATIVES: usize = 4096;

/// The plain patterns `pattern` stands for, earlier groups varying slowest.
///
/// Each pattern is expanded once per process, and only patterns of the configuration's
/// packs at all: the built-in packs' are expanded by build.rs with this function.
pub fn expansions(pattern: &str) -> Vec<String> {
    let mut plain = Vec::new();
    expand(pattern, &mut plain);
    plain
}

/// The plain patterns `pattern`'s brace groups stand for, appended to `out`.
fn expand(pattern: &str, out: &mut Vec<String>) {
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
