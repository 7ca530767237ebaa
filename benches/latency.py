#!/usr/bin/env python3
"""Whole-process latency of `guardsh check`, side by side with `bash -c true` and, when it
is installed, destructive_command_guard (dcg), in one run on the same machine.

Run from the repository root after `cargo build --release`:

    python3 benches/latency.py [--runs N] [--guardsh PATH] [--dcg PATH]

It prints medians and 90th percentiles in milliseconds. Figures, not pass/fail: speed
goals live here, never in timed tests.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

COMPOUND = (
    "cd /srv/app && psql \"$DATABASE_URL\" <<'EOF'\n"
    "SELECT id, email FROM users WHERE created_at > now() - interval '1 day';\n"
    "EOF\n"
    "git add -A && git commit -m \"$(cat <<'MSG'\nfix: tidy rm -rf handling\nMSG\n)\" && "
    "git push origin main 2>&1 | tee push.log"
)

DEPLOY = """deploy() {
  local env="$1"
  for svc in api worker web; do
    if [[ -f "services/$svc/Dockerfile" ]]; then
      echo "building $svc for $env"
      docker build -t "registry.example.com/$svc:$(git rev-parse --short HEAD)" "services/$svc"
    fi
    case "$env" in
      staging) kubectl --context staging apply -f "k8s/$svc.yaml" ;;
      *) echo "unknown env $env" >&2; return 1 ;;
    esac
  done
  cat > release-notes.md <<'NOTES'
Release notes: nothing destructive here, just text.
NOTES
}
deploy staging
"""


def once(argv, stdin=None):
    """One run of `argv`, output to /dev/null, standard input from the file `stdin` (or
    /dev/null). posix_spawn and waitpid for every row alike: subprocess's pipes and threads
    for `input=` would add their own cost to some rows only."""
    null = os.open(os.devnull, os.O_RDWR)
    src = os.open(stdin, os.O_RDONLY) if stdin else null
    actions = [(os.POSIX_SPAWN_DUP2, src, 0), (os.POSIX_SPAWN_DUP2, null, 1),
               (os.POSIX_SPAWN_DUP2, null, 2)]
    path = argv[0] if os.sep in argv[0] else shutil.which(argv[0])
    try:
        t0 = time.perf_counter()
        pid = os.posix_spawn(path, argv, os.environ, file_actions=actions)
        os.waitpid(pid, 0)
        return (time.perf_counter() - t0) * 1000
    finally:
        os.close(null)
        if stdin:
            os.close(src)


def summary(samples):
    samples = sorted(samples)
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]


def interleaved(rows, runs):
    """Time `rows` in rounds, one run of each per round: the machine's load changes from
    second to second, and rows timed one after another would each meet a different
    machine. Compare rows of one table, not tables."""
    samples = {label: [] for label, _, _ in rows}
    # A run is slower right after some others (after one that exec'd bash, by up to 0.4
    # ms here): a new order each round spreads that over every row.
    order = list(rows)
    shuffle = random.Random(0).shuffle
    for _ in range(runs):
        shuffle(order)
        for label, argv, stdin in order:
            samples[label].append(once(argv, stdin))
    return {label: summary(s) for label, s in samples.items()}


def claude_payload(line):
    return json.dumps({
        "session_id": "bench", "transcript_path": "/tmp/x", "cwd": os.getcwd(),
        "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": line, "description": "bench"},
    }).encode()


def payload_file(tmp, name, line):
    """A Claude Code hook payload for `line`, in a file to feed as standard input."""
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(claude_payload(line))
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--guardsh", default="target/release/guardsh")
    ap.add_argument("--dcg", default=shutil.which("dcg") or "/opt/dcg/bin/dcg")
    args = ap.parse_args()
    if not os.access(args.guardsh, os.X_OK):
        sys.exit(f"{args.guardsh} not found: run `cargo build --release` first")

    tmp = tempfile.mkdtemp(prefix="guardsh-bench-")
    scripts = {}
    for label, size in (("100 KB", 100 * 1024), ("1 MB", 1024 * 1024)):
        path = os.path.join(tmp, f"{size}.sh")
        with open(path, "w") as f:
            f.write(DEPLOY * (size // len(DEPLOY) + 1))
        scripts[label] = path

    # Time guardsh as installed: `cargo install` (or a package) copies the binary. The file
    # the linker wrote through mmap sits in the page cache in small pieces, so each page
    # fault maps fewer of its pages: measured here, a run of target/release/guardsh took
    # 92 faults and 1.22 ms where a copy of the same file took 77 and 0.89 ms.
    g = os.path.join(tmp, "guardsh")
    shutil.copy2(args.guardsh, g)
    rows = [
        ("/bin/true", ["/bin/true"], None),
        ("bash -c true", ["bash", "-c", "true"], None),
        # What any program pays to stand in front of bash and exec it: the floor under
        # shell mode's overhead on this machine.
        ("env bash -c true (exec hop, no checking)", ["env", "bash", "-c", "true"], None),
        ("guardsh check 'git status'", [g, "check", "git status"], None),
        ("guardsh check 'railway volume delete …' (deny)",
         [g, "check", "railway volume delete --volume pg-data --yes"], None),
        ("guardsh check heredoc + compound line", [g, "check", COMPOUND], None),
        ("guardsh hook claude-code, 'git status'", [g, "hook", "claude-code"],
         payload_file(tmp, "git-status.json", "git status")),
        ("guardsh check --file 100 KB script", [g, "check", "--file", scripts["100 KB"]], None),
        ("guardsh check --file 1 MB script", [g, "check", "--file", scripts["1 MB"]], None),
        # Shell mode: the whole cost an agent pays per command, against bash alone.
        ("guardsh -c true (shell mode, execs bash)", [g, "-c", "true"], None),
        ("guardsh -c heredoc + compound (dry run)", [g, "--dry-run", "-c", COMPOUND], None),
    ]
    have_dcg = os.access(args.dcg, os.X_OK)
    if have_dcg:
        rows += [
            ("dcg hook 'git status'", [args.dcg], payload_file(tmp, "gs.json", "git status")),
            ("dcg hook heredoc + compound line", [args.dcg],
             payload_file(tmp, "compound.json", COMPOUND)),
        ]

    # Time only what works: a usage error exits fast and would flatter every figure.
    for label, argv, stdin in rows:
        if argv[0] == g and argv[1] == "check":
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                                  check=False)
            if done.returncode not in (0, 4, 5) or not done.stdout:
                sys.exit(f"{label}: exit {done.returncode}: {done.stderr.decode()[:300]}")

    fast = [r for r in rows if "script" not in r[0]]
    slow = [r for r in rows if "script" in r[0]]
    timed = interleaved(fast, args.runs)
    timed.update(interleaved(slow, max(20, args.runs // 10)))
    results = {}
    print(f"{'command':<52} {'median ms':>10} {'p90 ms':>8}")
    for label, _, _ in rows:
        med, p90 = timed[label]
        results[label] = med
        print(f"{label:<52} {med:>10.2f} {p90:>8.2f}")

    print()
    gs = results["guardsh check 'git status'"]
    bash = results["bash -c true"]
    print(f"guardsh check 'git status' / bash -c true: {gs / bash:.2f}x"
          f" ({'faster' if gs < bash else 'slower'} than bash starts)")
    sm = results["guardsh -c true (shell mode, execs bash)"]
    hop = results["env bash -c true (exec hop, no checking)"]
    print(f"shell mode overhead: guardsh -c true - bash -c true = {sm - bash:.2f} ms"
          f" (any exec hop here: env bash -c true - bash -c true = {hop - bash:.2f} ms)")
    per_kb_100 = results["guardsh check --file 100 KB script"] / 100
    per_kb_1m = results["guardsh check --file 1 MB script"] / 1024
    print(f"per KB: 100 KB script {per_kb_100:.3f} ms, 1 MB script {per_kb_1m:.3f} ms"
          " (linear growth keeps these close)")
    if have_dcg:
        d = results["dcg hook 'git status'"]
        dc = results["dcg hook heredoc + compound line"]
        gc = results["guardsh check heredoc + compound line"]
        print(f"dcg / guardsh, 'git status': {d / gs:.1f}x; heredoc + compound: {dc / gc:.1f}x")
    else:
        print(f"dcg not found at {args.dcg}: `bash benches/install-dcg.sh` installs it"
              " to compare")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
