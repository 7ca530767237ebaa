//! Bounds on the work one analysis may do, and the cheap pre-scans that keep the grammar
//! away from inputs it is known to get wrong or to spend too long on.

use serde::Serialize;

/// How much work one analysis may do. Hitting any of these makes the line "cannot be
/// checked", which every mode treats as a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Largest text handed to the grammar in one piece, in bytes.
    pub max_input_bytes: usize,
    /// Total bytes parsed in one analysis, nested shells and re-parsed operands included.
    pub max_total_bytes: usize,
    /// Deepest bracket / substitution / compound nesting the pre-scan accepts.
    pub max_nesting: usize,
    /// Deepest chain of nested shells (`bash -c 'eval "ssh h …"'`).
    pub max_nested_shells: usize,
    /// Most simple commands one analysis may report.
    pub max_commands: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 4 << 20,
            max_total_bytes: 16 << 20,
            max_nesting: 64,
            max_nested_shells: 16,
            max_commands: 200_000,
        }
    }
}

/// The work left for one analysis; shared by the top-level parse and every re-parse.
#[derive(Debug, Clone)]
pub struct Budget {
    /// The limits this budget enforces.
    pub limits: Limits,
    bytes_used: usize,
    commands: usize,
    pipelines: usize,
}

impl Budget {
    /// A fresh budget.
    pub fn new(limits: Limits) -> Self {
        Budget {
            limits,
            bytes_used: 0,
            commands: 0,
            pipelines: 0,
        }
    }

    /// Charge `len` bytes of parsing; `Err` names the limit that was hit.
    pub fn charge_bytes(&mut self, len: usize) -> Result<(), String> {
        if len > self.limits.max_input_bytes {
            return Err(format!(
                "input of {len} bytes is over the limit of {} bytes",
                self.limits.max_input_bytes
            ));
        }
        self.bytes_used = self.bytes_used.saturating_add(len);
        if self.bytes_used > self.limits.max_total_bytes {
            return Err(format!(
                "more than {} bytes of shell text to parse in one line",
                self.limits.max_total_bytes
            ));
        }
        Ok(())
    }

    /// A fresh pipeline number, unique within the analysis (nested shells included).
    pub fn next_pipeline(&mut self) -> usize {
        self.pipelines += 1;
        self.pipelines - 1
    }

    /// Charge one reported command; `Err` when there are too many.
    pub fn charge_command(&mut self) -> Result<(), String> {
        self.commands += 1;
        if self.commands > self.limits.max_commands {
            return Err(format!(
                "more than {} commands in one line",
                self.limits.max_commands
            ));
        }
        Ok(())
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(Limits::default())
    }
}

/// Over-approximate nesting depth, in one linear pass and without recursion.
///
/// Quoting is ignored on purpose: the count can only come out too high, which refuses a
/// line, never too low, which would let the grammar recurse deeper than we allow.
pub fn nesting_depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut depth: usize = 0;
    let mut max: usize = 0;
    let mut backticks_open = false;
    for &b in bytes {
        match b {
            b'(' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b'}' => depth = depth.saturating_sub(1),
            b'`' => {
                // Backticks do not nest without escaping; count an open pair as one level.
                backticks_open = !backticks_open;
                if backticks_open {
                    max = max.max(depth + 1);
                }
            }
            _ => {}
        }
    }
    max
}

/// True when a backquoted substitution contains an escaped backquote, i.e. backticks nest.
///
/// The grammar misreads nested escaped backticks (the one miss in the bake-off), so such a
/// line is not guessed at. Escaped backquotes outside any substitution (`"use \`x\`"` in a
/// commit message) are ordinary text and pass.
pub fn has_nested_backticks(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut in_single = false;
    let mut in_double = false;
    let mut in_backticks = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_single {
            if b == b'\'' {
                in_single = false;
            }
            i += 1;
            continue;
        }
        match b {
            b'\\' => {
                if in_backticks && bytes.get(i + 1) == Some(&b'`') {
                    return true;
                }
                i += 2;
                continue;
            }
            b'\'' if !in_double && !in_backticks => in_single = true,
            b'"' if !in_backticks => in_double = !in_double,
            b'`' => in_backticks = !in_backticks,
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_depth_counts_brackets() {
        assert_eq!(nesting_depth("ls"), 0);
        assert_eq!(nesting_depth("echo $(echo $(ls))"), 2);
        assert_eq!(nesting_depth("{ ( ls ) }"), 2);
        assert_eq!(nesting_depth("echo `ls`"), 1);
    }

    #[test]
    fn nested_backticks_are_seen_only_inside_substitutions() {
        assert!(has_nested_backticks("echo `echo \\`rm -rf /\\``"));
        assert!(!has_nested_backticks("git commit -m \"use \\`x\\`\""));
        assert!(!has_nested_backticks("echo `ls`"));
        assert!(!has_nested_backticks("echo '\\`'"));
    }

    #[test]
    fn budget_refuses_over_limit() {
        let mut b = Budget::new(Limits {
            max_input_bytes: 10,
            max_total_bytes: 15,
            ..Limits::default()
        });
        assert!(b.charge_bytes(11).is_err());
        assert!(b.charge_bytes(8).is_ok());
        assert!(b.charge_bytes(8).is_err());
    }
}
