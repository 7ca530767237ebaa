//! What the kernel boundary costs on its own: building the Landlock rules around the
//! protected directory (listing its ancestors, one rule per sibling) and entering the
//! domain, each timed in a fresh child process against a child that does nothing, in
//! shuffled rounds. Figures, not pass/fail.
//!
//!     cargo bench --bench confine                 # 300 rounds
//!     GUARDSH_BENCH_RUNS=1000 cargo bench --bench confine
//!
//! It uses the real protected directory when `sudo guardsh setup` made one, else a
//! directory of the same depth under the target directory (its ancestors differ, so the
//! rule count does too: both are printed).

#![allow(unsafe_code)]

use std::path::PathBuf;
use std::time::Instant;

use landlock::RulesetCreatedAttr as _;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Row {
    Nothing,
    Build,
    BuildAndEnter,
}

fn child(row: Row, dir: &std::path::Path) -> i32 {
    match row {
        Row::Nothing => 0,
        Row::Build => i32::from(guardsh::confine::rules_around(dir, None).is_err()),
        Row::BuildAndEnter => match guardsh::confine::rules_around(dir, None) {
            // Entered without no_new_privs only when this process may (root): the cost
            // of the call is the same either way.
            Ok(r) => i32::from(
                r.no_new_privs(!rustix::process::geteuid().is_root())
                    .restrict_self()
                    .is_err(),
            ),
            Err(_) => 1,
        },
    }
}

/// One run of `row` in a new child, in microseconds.
fn once(row: Row, dir: &std::path::Path) -> f64 {
    let start = Instant::now();
    // SAFETY: the bench is single-threaded; the child only runs guardsh's code and
    // _exits, never returning into the parent's state.
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Child) => {
            let code = child(row, dir);
            // SAFETY: _exit ends the child without running the parent's destructors.
            unsafe { libc::_exit(code) }
        }
        Ok(nix::unistd::ForkResult::Parent { child }) => {
            match nix::sys::wait::waitpid(child, None) {
                Ok(nix::sys::wait::WaitStatus::Exited(_, 0)) => {}
                other => panic!("{row:?}: the child ended with {other:?}"),
            }
        }
        Err(e) => panic!("fork: {e}"),
    }
    start.elapsed().as_secs_f64() * 1e6
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::var("GUARDSH_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let (dir, what) = match guardsh::state::protected() {
        Ok(p) => (p.dir().to_path_buf(), "the protected directory"),
        Err(_) => {
            let d = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/bench-protected")
                .join(rustix::process::geteuid().as_raw().to_string());
            std::fs::create_dir_all(d.join("approvals")).expect("mkdir");
            (d, "a stand-in (no `sudo guardsh setup` here)")
        }
    };
    if let Err(e) = guardsh::confine::rules_around(&dir, None) {
        eprintln!("no Landlock here ({e}): nothing to time");
        return;
    }
    let rows = [Row::Nothing, Row::Build, Row::BuildAndEnter];
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); rows.len()];
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..runs {
        // A new order each round: the machine's speed drifts, rows meet the same machine.
        let mut order = [0usize, 1, 2];
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        for i in order {
            samples[i].push(once(rows[i], &dir));
        }
    }
    let m: Vec<f64> = samples.iter_mut().map(|s| median(s)).collect();
    println!(
        "kernel boundary around {} ({what}), medians of {runs} rounds:",
        dir.display()
    );
    println!("  fork + exit                         {:8.1} µs", m[0]);
    println!("  fork + build the rules + exit       {:8.1} µs", m[1]);
    println!("  fork + build + enter the domain     {:8.1} µs", m[2]);
    println!(
        "  building the rules: {:.1} µs; entering the domain: {:.1} µs; together {:.1} µs",
        m[1] - m[0],
        m[2] - m[1],
        m[2] - m[0]
    );
}
