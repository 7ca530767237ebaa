#!/usr/bin/env python3
"""Pathological input: each case must get an answer within a bounded time and memory, and
the answer must never be an allow of something unchecked. Prints wall time and peak
resident memory of each whole guardsh process.

Run from the repository root after `cargo build --release`:

    python3 benches/pathological.py [--guardsh PATH]

Figures, not pass/fail on time: a wrong answer (an allow, a crash) exits non-zero.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

MB = 1024 * 1024


def measure(argv, stdin_path=None, env=None):
    """Run argv; return (exit code, seconds, peak RSS in MiB)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    took = time.perf_counter() - t0
    if stdin_path:
        stdin.close()
    code = os.waitstatus_to_exitcode(status)
    return code, took, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--guardsh", default="target/release/guardsh")
    args = ap.parse_args()
    g = os.path.abspath(args.guardsh)
    if not os.access(g, os.X_OK):
        sys.exit(f"{g} not found: run `cargo build --release` first")
    tmp = tempfile.mkdtemp(prefix="guardsh-patho-")

    def write(name, *chunks):
        """Write (chunk, times) pairs or bytes, streaming: a child's peak RSS counts the
        memory it was forked with, so this process must stay small."""
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            for c in chunks:
                data, times = c if isinstance(c, tuple) else (c, 1)
                for _ in range(times):
                    f.write(data)
        return path

    # A stand-in shell for shell mode: if guardsh ever let a case through, it would only
    # record, never run anything.
    recorder = write("recorder.sh", b"#!/bin/sh\necho ran >> \"$0.ran\"\ncat >/dev/null\n")
    os.chmod(recorder, 0o755)
    env = dict(os.environ, GUARDSH_SHELL=recorder,
               XDG_STATE_HOME=os.path.join(tmp, "state"),
               XDG_CONFIG_HOME=os.path.join(tmp, "config"))

    line_10mb = write("line10mb.sh", b"echo ", (b"a" * 1024, 10 * 1024), b"; rm -rf /\n")
    million = write("million.sh", (b"true\n", 1_000_000), b"rm -rf /\n")
    million_semi = write("million-semi.sh", (b"a;", 1_000_000), b"rm -rf /\n")
    nested = write("nested.sh", b"echo ", (b"$(", 100_000), b"x", (b")", 100_000), b"\n")
    heredoc = write("heredoc100mb.sh", b"cat <<EOF\n", (b"x" * 1023 + b"\n", 100 * 1024),
                    b"EOF\nrm -rf /\n")
    check_cases = [
        ("10 MB line", ["check", "--file", line_10mb]),
        ("1,000,000 commands, one per line", ["check", "--file", million]),
        ("1,000,000 commands joined by ;", ["check", "--file", million_semi]),
        ("100,000 nested $(", ["check", "--file", nested]),
    ]
    print(f"{'case':<48} {'exit':>4} {'seconds':>8} {'peak MiB':>9}  answer")
    failed = False
    for label, a in check_cases:
        code, took, rss = measure([g] + a, env=env)
        ok = code in (4, 5)
        failed |= not ok
        print(f"{label:<48} {code:>4} {took:>8.3f} {rss:>9.1f}  "
              f"{'refused' if ok else 'WRONG: not refused'}")
    code, took, rss = measure([g, "-s"], stdin_path=heredoc, env=env)
    ok = code == 126 and not os.path.exists(recorder + ".ran")
    failed |= not ok
    print(f"{'100 MB heredoc on stdin, shell mode -s':<48} {code:>4} {took:>8.3f} {rss:>9.1f}  "
          f"{'refused, nothing ran' if ok else 'WRONG'}")
    for f in os.listdir(tmp):
        p = os.path.join(tmp, f)
        if os.path.isfile(p):
            os.remove(p)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
