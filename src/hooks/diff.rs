//! A unified diff of two small texts, for `install --dry-run`: settings files are a few
//! hundred lines at most, so a plain longest-common-subsequence table is enough. Past a
//! size where that table would be large, the whole new text is shown instead.

/// Lines of context around each change.
const CONTEXT: usize = 3;
/// Largest `old lines × new lines` table computed; beyond it the new text is shown whole.
const MAX_CELLS: usize = 4_000_000;

/// `old` → `new` as a unified diff with `---`/`+++` headers naming `path`.
pub(crate) fn unified(path: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut out = format!("--- {path}\n+++ {path}\n");
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        out.push_str("(too large to compare: the whole new content follows)\n");
        for line in &b {
            out.push_str(&format!("+{line}\n"));
        }
        return out;
    }
    let ops = edit_script(&a, &b);
    // Group changes with their context into hunks.
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Op::Same(..)))
        .map(|(i, _)| i)
        .collect();
    let mut i = 0;
    while i < changed.len() {
        let start = changed.get(i).copied().unwrap_or(0).saturating_sub(CONTEXT);
        let mut end = changed.get(i).copied().unwrap_or(0);
        while let Some(&next) = changed.get(i + 1) {
            if next <= end + 2 * CONTEXT + 1 {
                end = next;
                i += 1;
            } else {
                break;
            }
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        let hunk = ops.get(start..end).unwrap_or(&[]);
        let (a_start, b_start) = position(&ops, start);
        let a_len = hunk.iter().filter(|op| !matches!(op, Op::Add(_))).count();
        let b_len = hunk.iter().filter(|op| !matches!(op, Op::Del(_))).count();
        out.push_str(&format!(
            "@@ -{},{a_len} +{},{b_len} @@\n",
            a_start + usize::from(a_len > 0),
            b_start + usize::from(b_len > 0)
        ));
        for op in hunk {
            let (mark, line) = match op {
                Op::Same(l) => (' ', l),
                Op::Del(l) => ('-', l),
                Op::Add(l) => ('+', l),
            };
            out.push_str(&format!("{mark}{line}\n"));
        }
        i += 1;
    }
    out
}

enum Op<'a> {
    Same(&'a str),
    Del(&'a str),
    Add(&'a str),
}

/// Lines of the old and new text before op `index`.
fn position(ops: &[Op<'_>], index: usize) -> (usize, usize) {
    ops.iter().take(index).fold((0, 0), |(a, b), op| match op {
        Op::Same(_) => (a + 1, b + 1),
        Op::Del(_) => (a + 1, b),
        Op::Add(_) => (a, b + 1),
    })
}

fn edit_script<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Op<'a>> {
    // lcs[i][j]: longest common subsequence of a[i..] and b[j..].
    let width = b.len() + 1;
    let mut lcs = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            let v = if a.get(i) == b.get(j) {
                lcs.get(at(i + 1, j + 1)).copied().unwrap_or(0) + 1
            } else {
                let down = lcs.get(at(i + 1, j)).copied().unwrap_or(0);
                let right = lcs.get(at(i, j + 1)).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(cell) = lcs.get_mut(at(i, j)) {
                *cell = v;
            }
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::new();
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                ops.push(Op::Same(x));
                i += 1;
                j += 1;
            }
            (Some(x), Some(_))
                if lcs.get(at(i + 1, j)).copied().unwrap_or(0)
                    >= lcs.get(at(i, j + 1)).copied().unwrap_or(0) =>
            {
                ops.push(Op::Del(x));
                i += 1;
            }
            (_, Some(y)) => {
                ops.push(Op::Add(y));
                j += 1;
            }
            (Some(x), None) => {
                ops.push(Op::Del(x));
                i += 1;
            }
            (None, None) => break,
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nk\n";
        let diff = unified("f.json", old, new);
        assert_eq!(
            diff,
            "--- f.json\n+++ f.json\n@@ -2,9 +2,10 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n i\n j\n+k\n"
        );
    }

    #[test]
    fn far_apart_changes_are_separate_hunks() {
        let old: String = (0..30).map(|i| format!("{i}\n")).collect();
        let new: String = (0..30)
            .map(|i| match i {
                2 => "two\n".to_owned(),
                27 => "twenty-seven\n".to_owned(),
                _ => format!("{i}\n"),
            })
            .collect();
        let diff = unified("x", &old, &new);
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
    }

    #[test]
    fn new_file() {
        assert_eq!(
            unified("x", "", "a\nb\n"),
            "--- x\n+++ x\n@@ -0,0 +1,2 @@\n+a\n+b\n"
        );
    }

    #[test]
    fn equal_texts_have_no_hunks() {
        assert_eq!(unified("x", "a\n", "a\n"), "--- x\n+++ x\n");
    }
}
