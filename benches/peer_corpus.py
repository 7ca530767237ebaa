#!/usr/bin/env python3
"""Run the peer project's test corpus through guardsh and compare the verdicts.

The peer project `destructive_command_guard` (dcg) ships its regression corpus in its
crate source (`tests/corpus/**/*.toml`, about 700 command lines, each with the verdict
dcg expects: `deny` or `allow`). This script fetches that crate through cargo (nothing
else touches the network), runs every command line through `guardsh check --json`, and
reports where guardsh's block/allow agrees with dcg's expectation, where it does not,
and whether a disagreement is on a platform guardsh has no pack for yet (a pack gap)
or on one it covers (a policy difference or a bug).

    python3 benches/peer_corpus.py                      # fetch 0.16.0, compare, report
    python3 benches/peer_corpus.py --corpus DIR         # use an unpacked corpus, no cargo
    python3 benches/peer_corpus.py --dcg-version 0.17.0 --out results.json

Python 3.11+ (tomllib), standard library only. Exit status: 0 when the comparison ran
(whatever the agreement), 1 when it could not run (no corpus, no guardsh, guardsh
errors on a line).

How the corpus is read (dcg's own harnesses: tests/regression_corpus.rs,
tests/cross_pack_corpus.rs, tests/golden_*.rs, src/packs/test_helpers.rs):

* true_positives/, false_positives/, bypass_attempts/, edge_cases/: `[[case]]` with
  `command`, `expected` ("deny"/"allow"), optional `rule_id` ("pack:pattern") and
  `[case.log]` (decision, mode, pack_id, pattern_name, rule_id, reason_contains). Judged
  with dcg's default pack set. dcg asserts `expected` in edge_cases/ too.
* cross_pack_fp/: same fields plus `issue` and `dialects` (posix, ps, cmd, unknown;
  default all four), judged with *every* dcg pack force-enabled, opt-in ones included.
  Cases whose dialects leave out "posix" are PowerShell/cmd.exe shapes: they are run
  and kept in the JSON, but left out of the agreement figures (guardsh reads bash).
* canonical.toml: `id`, `category`, `input_kind`, `command`, `expected_decision`,
  `expected_log` (same keys as `[case.log]`). `input_kind = "hook_json"` cases carry a
  raw hook payload instead of a command line; guardsh has no hook mode yet, so they are
  skipped.

guardsh's decision maps to block for `confirm`/`deny` (exit 4/5) and allow for
`allow`/`warn` (exit 0).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    sys.exit("peer_corpus.py: needs Python 3.11 or newer (tomllib)")

REPO = Path(__file__).resolve().parent.parent
CRATE = "destructive_command_guard"
DEFAULT_VERSION = "0.16.0"

BLOCK = {"confirm", "deny"}
ALLOW = {"allow", "warn"}

# Programs that appear in guards/*.yaml only for narrow side rules (a redirection that
# empties a database file or .env): naming them does not make a line "covered".
INCIDENTAL = {"echo", "printf", "cat", ":", "true", "false", "xargs"}

# Fallback program heuristic (used only when `guardsh explain` lists no command, e.g.
# the line does not parse): words skipped before the program name.
WRAPPERS = {
    "sudo", "doas", "env", "command", "builtin", "exec", "nohup", "time", "nice",
    "ionice", "timeout", "stdbuf", "setsid", "chrt", "taskset", "xargs", "watch",
}
KEYWORDS = {"if", "then", "else", "elif", "do", "while", "until", "!", "function", "{", "}"}


def log(msg: str) -> None:
    print(f"peer_corpus: {msg}", file=sys.stderr)


# --------------------------------------------------------------------------- fetching


def cargo_home() -> Path:
    return Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")


def find_in_cargo_home(version: str) -> Path | None:
    """The unpacked crate in the registry source cache, or the .crate unpacked by us."""
    name = f"{CRATE}-{version}"
    for d in sorted(glob.glob(str(cargo_home() / "registry" / "src" / "*" / name))):
        corpus = Path(d) / "tests" / "corpus"
        if corpus.is_dir():
            return corpus
    return None


def unpack_cached_crate(version: str, dest: Path) -> Path | None:
    """If cargo downloaded the .crate but did not unpack it, unpack it into dest."""
    name = f"{CRATE}-{version}"
    for f in sorted(glob.glob(str(cargo_home() / "registry" / "cache" / "*" / f"{name}.crate"))):
        with tarfile.open(f, "r:gz") as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(f"{name}/tests/corpus/")]
            kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(dest, members=members, **kwargs)
        corpus = dest / name / "tests" / "corpus"
        if corpus.is_dir():
            return corpus
    return None


def fetch_corpus(version: str, workdir: Path, vendor: bool) -> Path:
    """Fetch the crate through cargo (a throwaway project depending on it) and locate
    tests/corpus. Only cargo touches the network."""
    if not vendor:
        found = find_in_cargo_home(version)
        if found:
            log(f"using cached crate source {found}")
            return found
    proj = workdir / "fetch"
    (proj / "src").mkdir(parents=True, exist_ok=True)
    (proj / "src" / "lib.rs").write_text("")
    (proj / "Cargo.toml").write_text(
        "[package]\n"
        'name = "guardsh-peer-corpus-fetch"\n'
        'version = "0.0.0"\n'
        'edition = "2021"\n'
        "publish = false\n\n"
        "[workspace]\n\n"
        "[dependencies]\n"
        f'{CRATE} = {{ version = "={version}", default-features = false }}\n'
    )
    manifest = str(proj / "Cargo.toml")
    if vendor:
        cmd = ["cargo", "vendor", "--manifest-path", manifest, "--versioned-dirs",
               str(workdir / "vendor")]
    else:
        cmd = ["cargo", "fetch", "--manifest-path", manifest]
    log(f"fetching {CRATE} {version}: {' '.join(cmd)}")
    r = subprocess.run(cmd, cwd=proj, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        sys.exit(f"peer_corpus.py: `{' '.join(cmd)}` failed (exit {r.returncode})")
    if vendor:
        for cand in (workdir / "vendor" / f"{CRATE}-{version}", workdir / "vendor" / CRATE):
            if (cand / "tests" / "corpus").is_dir():
                return cand / "tests" / "corpus"
    else:
        found = find_in_cargo_home(version) or unpack_cached_crate(version, workdir)
        if found:
            return found
    sys.exit(f"peer_corpus.py: fetched {CRATE} {version} but found no tests/corpus in it "
             f"(looked under {cargo_home()}/registry and {workdir})")


# ----------------------------------------------------------------------------- corpus


def pack_of(rule_id: str | None) -> str | None:
    if rule_id and ":" in rule_id:
        return rule_id.split(":", 1)[0]
    return None


def load_corpus(corpus: Path) -> list[dict]:
    cases = []
    files = sorted(corpus.rglob("*.toml"))
    if not files:
        sys.exit(f"peer_corpus.py: no .toml files under {corpus}")
    for path in files:
        rel = path.relative_to(corpus).as_posix()
        category = rel.split("/", 1)[0] if "/" in rel else rel.removesuffix(".toml")
        with path.open("rb") as f:
            data = tomllib.load(f)
        for n, c in enumerate(data.get("case", []), 1):
            log_fields = c.get("log") or c.get("expected_log") or {}
            expected = c.get("expected") or c.get("expected_decision") or log_fields.get("decision")
            rule_id = c.get("rule_id") or log_fields.get("rule_id")
            dcg_pack = log_fields.get("pack_id") or pack_of(rule_id)
            dialects = c.get("dialects")
            case = {
                "file": rel,
                "category": category,
                "index": n,
                "id": c.get("id"),
                "description": c.get("description") or c.get("id") or "",
                "command": c.get("command"),
                "expected": expected,
                "dcg_rule_id": rule_id,
                "dcg_pack": dcg_pack,
                "dcg_mode": log_fields.get("mode"),
                "dcg_category": c.get("category"),
                "issue": c.get("issue"),
                "dialects": dialects,
                "dcg_pack_set": "all" if category == "cross_pack_fp" else "default",
                "scope": "posix",
            }
            if c.get("input_kind", "command") != "command" or case["command"] is None:
                case["scope"] = "skipped"
                case["skip_reason"] = (f"input_kind {c.get('input_kind')!r}: a raw hook payload, "
                                       "not a command line (guardsh has no hook mode yet)")
            elif expected not in ("allow", "deny"):
                case["scope"] = "skipped"
                case["skip_reason"] = f"unknown expectation {expected!r}"
            elif dialects is not None and "posix" not in dialects:
                case["scope"] = "non-posix"
                case["skip_reason"] = f"dialects {dialects}: a PowerShell/cmd.exe shape"
            cases.append(case)
    return cases


# ------------------------------------------------------------------- covered programs


def yaml_list_or_scalar(text: str) -> list[str]:
    text = text.strip()
    if text.startswith("["):
        text = text.strip("[]")
        items = [i.strip() for i in text.split(",")]
    else:
        items = [text]
    out = []
    for i in items:
        i = i.split(" #", 1)[0].strip().strip("\"'")
        if i:
            out.append(i)
    return out


def covered_programs(guards: Path) -> dict[str, set[str]]:
    """program name -> packs naming it, from the `program:` fields of guards/*.yaml and
    the `aliases:` of the `programs:` section (a small line parser, no PyYAML)."""
    table: dict[str, set[str]] = defaultdict(set)
    files = sorted(guards.glob("*.yaml"))
    if not files:
        sys.exit(f"peer_corpus.py: no guards/*.yaml under {guards}")
    for path in files:
        lines = path.read_text().splitlines()
        pack = path.stem
        for l in lines:
            m = re.match(r"^pack:\s*(\S+)", l)
            if m:
                pack = m.group(1).strip("\"'")
                break
        i = 0
        while i < len(lines):
            m = re.match(r"^\s*(?:-\s+)?(program|aliases):\s*(.*)$", lines[i])
            if m:
                value = m.group(2)
                # an inline list may continue over the next lines
                while value.strip().startswith("[") and "]" not in value and i + 1 < len(lines):
                    i += 1
                    value += " " + lines[i].strip()
                for p in yaml_list_or_scalar(value):
                    table[p].add(pack)
            i += 1
    return table


# ------------------------------------------------------------------------ running


def run_guardsh(guardsh: str, args: list[str], cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([guardsh, *args], cwd=cwd, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=60)


def heuristic_programs(line: str) -> list[str]:
    """First word of each segment after wrappers and assignments: a fallback for lines
    `guardsh explain` lists no command for."""
    progs = []
    for seg in re.split(r"\|\||&&|\$\(|[;&|\n()`]", line):
        try:
            words = shlex.split(seg)
        except ValueError:
            words = seg.split()
        i = 0
        while i < len(words):
            w = words[i]
            base = os.path.basename(w)
            if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w) or base in KEYWORDS:
                i += 1
                continue
            if base in WRAPPERS:
                i += 1
                while i < len(words) and (words[i].startswith("-") or
                                          (base == "timeout" and re.match(r"^\d", words[i]))):
                    i += 1
                continue
            progs.append(base.lstrip("\\"))
            break
    return progs


def check_line(guardsh: str, line: str, cwd: str) -> dict:
    # `--` so a line starting with `-` is not read as an option.
    r = run_guardsh(guardsh, ["check", "--json", "--", line], cwd)
    out: dict = {"exit": r.returncode}
    if r.returncode not in (0, 4, 5):
        out["error"] = (r.stderr or r.stdout).strip()
        return out
    try:
        v = json.loads(r.stdout)
    except json.JSONDecodeError as e:
        out["error"] = f"unreadable JSON ({e}): {r.stdout[:200]!r}"
        return out
    out["decision"] = v.get("decision")
    out["matches"] = [{"rule": m.get("rule"), "severity": m.get("severity"),
                       "command": m.get("command")} for m in v.get("matches", [])]
    out["unknown"] = [{"kind": u.get("kind"), "severity": u.get("severity"),
                       "text": u.get("text")} for u in v.get("unknown", [])]

    e = run_guardsh(guardsh, ["explain", "--json", "--", line], cwd)
    programs, truncating = [], False
    try:
        ex = json.loads(e.stdout)
        for c in ex.get("commands", []):
            argv = c.get("argv") or []
            if argv:
                programs.append(os.path.basename(argv[0].get("text", "")))
            for rd in c.get("redirects") or []:
                if rd.get("kind") in ("output", "clobber"):
                    truncating = True
    except (json.JSONDecodeError, AttributeError):
        pass
    out["programs_from"] = "explain" if programs else "heuristic"
    if not programs:
        programs = heuristic_programs(line)
    out["programs"] = list(dict.fromkeys(programs))
    out["truncating_redirect"] = truncating
    return out


def normalise_program(p: str) -> str:
    """`C:\\Program Files\\Git\\bin\\git.exe` and `gIt.ExE` count as git for coverage
    (guardsh itself may still not treat them as git: that is what the report shows)."""
    p = re.split(r"[\\/]", p)[-1]
    low = p.lower()
    return low[:-4] if low.endswith(".exe") else p


def classify(case: dict, table: dict[str, set[str]]) -> None:
    g = case["guardsh"]
    decision = g.get("decision")
    case["got"] = "block" if decision in BLOCK else "allow" if decision in ALLOW else "error"
    case["want"] = "block" if case["expected"] == "deny" else "allow"
    case["agree"] = case["got"] == case["want"]
    packs = set()
    for p in g.get("programs", []):
        p = normalise_program(p)
        if p not in INCIDENTAL or (g.get("truncating_redirect") and p in table):
            packs |= table.get(p, set())
    rules = [m["rule"] for m in g.get("matches", [])]
    for r in rules:
        packs.add(r.split(".", 1)[0])
    case["guardsh_packs"] = sorted(packs)
    if case["got"] == "block" and not rules:
        # refused only for what cannot be known before the shell runs (a dynamic
        # program, a parse error): a guardsh principle, not a platform question
        case["coverage"] = "unknowns"
    else:
        case["coverage"] = "covered" if packs else "uncovered"
    if case["agree"]:
        case["direction"] = None
    elif case["want"] == "block":
        case["direction"] = "guardsh-allows"  # dcg blocks, guardsh lets it run
    else:
        case["direction"] = "guardsh-blocks"  # dcg allows, guardsh refuses


# ----------------------------------------------------------------------- reporting


def esc(s: str) -> str:
    """One line, terminal-safe and pasteable: the line itself when every character is
    printable, else bash's $'...' quoting (\\n, \\xNN, \\uNNNN for control, bidi and
    invisible characters)."""
    if all(ch.isprintable() for ch in s):
        return s
    out = []
    for ch in s:
        if ch in "\\'":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "$'" + "".join(out) + "'"


def pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:5.1f}%" if b else "   -  "


def table_rows(title: str, groups: dict[str, list[dict]]) -> list[str]:
    width = max([len(title) - 2] + [len(k) for k in groups])
    lines = [f"{title:<{width + 2}} {'agree':>6} {'cases':>6} {'rate':>7}   "
             f"{'dcg blocks/guardsh allows':>25} {'dcg allows/guardsh blocks':>25}"]
    for key in sorted(groups):
        cs = groups[key]
        a = sum(c["agree"] for c in cs)
        ga = sum(c["direction"] == "guardsh-allows" for c in cs)
        gb = sum(c["direction"] == "guardsh-blocks" for c in cs)
        lines.append(f"  {key:<{width}} {a:>6} {len(cs):>6} {pct(a, len(cs)):>7}   {ga:>25} {gb:>25}")
    return lines


def describe_got(c: dict) -> str:
    g = c["guardsh"]
    bits = [g.get("decision", "?")]
    rules = list(dict.fromkeys(m["rule"] for m in g.get("matches", [])))
    kinds = list(dict.fromkeys(u["kind"] for u in g.get("unknown", [])))
    if rules:
        bits.append("rules=" + ",".join(rules))
    if kinds:
        bits.append("unknown=" + ",".join(kinds))
    return " ".join(bits)


BUCKETS = (
    ("covered", "on platforms guardsh covers"),
    ("uncovered", "on platforms guardsh does not cover (yet)"),
    ("unknowns", "refused only as unknowable (no rule matched)"),
)


def report(cases: list[dict], meta: dict) -> str:
    scored = [c for c in cases if c["scope"] == "posix"]
    out = []
    a = sum(c["agree"] for c in scored)
    out.append(f"dcg {meta['dcg_version']} corpus vs guardsh ({meta['guardsh']})")
    out.append(f"corpus: {meta['corpus']}")
    out.append(f"{len(cases)} cases read; {len(scored)} compared; "
               f"{sum(c['scope'] == 'non-posix' for c in cases)} PowerShell/cmd-only and "
               f"{sum(c['scope'] == 'skipped' for c in cases)} hook-payload cases left out")
    out.append("")
    out.append(f"AGREEMENT: {a}/{len(scored)} = {pct(a, len(scored)).strip()}  "
               "(guardsh block = confirm/deny, allow = allow/warn)")
    for want in ("block", "allow"):
        cs = [c for c in scored if c["want"] == want]
        k = sum(c["agree"] for c in cs)
        out.append(f"  dcg expects {want:<5}: {k}/{len(cs)} = {pct(k, len(cs)).strip()}")
    out.append("")
    by = defaultdict(list)
    for c in scored:
        by[c["category"]].append(c)
    out += table_rows("by corpus directory", by)
    out.append("")
    by = defaultdict(list)
    for c in scored:
        by[c["file"]].append(c)
    out += table_rows("by corpus file", by)
    out.append("")
    by = defaultdict(list)
    for c in scored:
        by[c["dcg_pack"] or "(no pack given)"].append(c)
    out += table_rows("by dcg pack (rule_id / log.pack_id)", by)
    out.append("")
    dis = [c for c in scored if not c["agree"]]
    cov = Counter((c["coverage"], c["direction"]) for c in dis)
    out.append(f"DISAGREEMENTS: {len(dis)}")
    for cv, label in BUCKETS:
        out.append(f"  {label:<44} {sum(v for (k, _), v in cov.items() if k == cv):>4}"
                   f"   (dcg blocks, guardsh allows: {cov[(cv, 'guardsh-allows')]};"
                   f" dcg allows, guardsh blocks: {cov[(cv, 'guardsh-blocks')]})")
    out.append("  covered = the line names a program from guards/*.yaml `program:` "
               f"(not counting {', '.join(sorted(INCIDENTAL))}), or a guardsh rule matched;")
    out.append("  a program named there may still be covered only in part (gh: `gh api`; "
               "python/node/perl: HTTP calls and tree deletions)")
    errors = [c for c in cases if c.get("got") == "error"]
    if errors:
        out.append(f"  guardsh FAILED on {len(errors)} lines (see 'error' in the JSON)")
    for cv, label in BUCKETS:
        for d, title in (("guardsh-allows", "dcg blocks, guardsh allows"),
                         ("guardsh-blocks", "dcg allows, guardsh blocks")):
            sel = [c for c in dis if c["coverage"] == cv and c["direction"] == d]
            if not sel:
                continue
            out.append("")
            out.append(f"-- {label}: {title} ({len(sel)})")
            out.append("   file | expected | got | guardsh rules/unknowns | programs | command")
            for c in sorted(sel, key=lambda c: (c["file"], c["index"])):
                out.append(f"   {c['file']}#{c['index']} | {c['expected']}"
                           f"{'(' + c['dcg_rule_id'] + ')' if c['dcg_rule_id'] else ''}"
                           f" | {c['got']} | {describe_got(c)}"
                           f" | {','.join(c['guardsh'].get('programs', []))}"
                           f" | {esc(c['command'])}")
    np = [c for c in cases if c["scope"] == "non-posix"]
    if np:
        k = sum(c["agree"] for c in np)
        out.append("")
        out.append(f"-- PowerShell/cmd-only cases (not scored): guardsh agrees on {k}/{len(np)}")
        for c in np:
            if not c["agree"]:
                out.append(f"   {c['file']}#{c['index']} | {c['expected']} | {c['got']} | "
                           f"{describe_got(c)} | {esc(c['command'])}")
    return "\n".join(out)


# ---------------------------------------------------------------------------- main


def corpus_version(path: str) -> str:
    m = re.search(re.escape(CRATE) + r"-(\d[^/\\]*)", path)
    return m.group(1) if m else "unknown (--corpus)"


def find_guardsh(arg: str | None, build: bool) -> str:
    path = Path(arg) if arg else REPO / "target" / "release" / "guardsh"
    if path.is_file() and os.access(path, os.X_OK):
        return str(path)
    if arg:
        sys.exit(f"peer_corpus.py: {path} is not an executable")
    if not build:
        sys.exit(f"peer_corpus.py: {path} does not exist; run `cargo build --release` in "
                 f"{REPO} first, or pass --build or --guardsh PATH")
    log("building guardsh: cargo build --release")
    r = subprocess.run(["cargo", "build", "--release", "--bin", "guardsh"], cwd=REPO)
    if r.returncode != 0 or not path.is_file():
        sys.exit("peer_corpus.py: `cargo build --release` failed")
    return str(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dcg-version", "--version", dest="version", default=DEFAULT_VERSION,
                    help=f"crate version to fetch (default {DEFAULT_VERSION})")
    ap.add_argument("--corpus", type=Path,
                    help="an unpacked tests/corpus directory; skips fetching")
    ap.add_argument("--vendor", action="store_true",
                    help="fetch with `cargo vendor` into a temporary directory instead of "
                         "`cargo fetch` into $CARGO_HOME (always downloads)")
    ap.add_argument("--guardsh", help="guardsh binary (default target/release/guardsh)")
    ap.add_argument("--build", action="store_true",
                    help="run `cargo build --release` if the default binary is missing")
    ap.add_argument("--guards", type=Path, default=REPO / "guards",
                    help="rule packs whose programs count as covered (default guards/)")
    ap.add_argument("--out", type=Path, help="full results as JSON (default: a temp file)")
    ap.add_argument("--jobs", type=int, default=max(2, (os.cpu_count() or 2) * 2),
                    help="guardsh processes run at once")
    ap.add_argument("--quiet", action="store_true", help="print only the summary lines")
    args = ap.parse_args()

    guardsh = os.path.abspath(find_guardsh(args.guardsh, args.build))
    table = covered_programs(args.guards)

    with tempfile.TemporaryDirectory(prefix="guardsh-peer-") as tmp:
        tmpdir = Path(tmp)
        corpus = args.corpus.resolve() if args.corpus else fetch_corpus(args.version, tmpdir, args.vendor)
        if not corpus.is_dir():
            sys.exit(f"peer_corpus.py: {corpus} is not a directory")
        cases = load_corpus(corpus)

        # guardsh runs in an empty directory, so a payload reader (`psql -f x.sql`,
        # `curl -d @body.json`) sees the same missing files on every machine.
        runcwd = tmpdir / "cwd"
        runcwd.mkdir()
        t0 = time.monotonic()
        todo = [c for c in cases if c["scope"] != "skipped"]
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(check_line, guardsh, c["command"], str(runcwd)): c for c in todo}
            for fut in concurrent.futures.as_completed(futures):
                c = futures[fut]
                try:
                    c["guardsh"] = fut.result()
                except subprocess.TimeoutExpired:
                    c["guardsh"] = {"error": "timed out after 60 s"}
                classify(c, table)
        elapsed = time.monotonic() - t0

        corpus_str = str(corpus)
        if str(tmpdir) in corpus_str:
            corpus_str = f"{CRATE}-{args.version}/tests/corpus (unpacked in a temp dir)"

    meta = {
        "dcg_crate": CRATE,
        "dcg_version": corpus_version(corpus_str) if args.corpus else args.version,
        "corpus": corpus_str,
        "guardsh": guardsh,
        "guards": str(args.guards),
        "covered_programs": {p: sorted(v) for p, v in sorted(table.items())},
        "incidental_programs": sorted(INCIDENTAL),
        "seconds": round(elapsed, 2),
    }
    text = report(cases, meta)
    scored = [c for c in cases if c["scope"] == "posix"]
    a = sum(c["agree"] for c in scored)
    dis = [c for c in scored if not c["agree"]]
    summary = {
        "cases": len(cases),
        "compared": len(scored),
        "agree": a,
        "agreement": round(a / len(scored), 4) if scored else None,
        "disagree_covered": sum(c["coverage"] == "covered" for c in dis),
        "disagree_uncovered": sum(c["coverage"] == "uncovered" for c in dis),
        "disagree_unknowns": sum(c["coverage"] == "unknowns" for c in dis),
        "non_posix": sum(c["scope"] == "non-posix" for c in cases),
        "skipped": sum(c["scope"] == "skipped" for c in cases),
        "errors": sum(c.get("got") == "error" for c in cases),
    }
    out_path = args.out
    if out_path is None:
        fd, name = tempfile.mkstemp(prefix="guardsh-peer-corpus-", suffix=".json")
        os.close(fd)
        out_path = Path(name)
    out_path.write_text(json.dumps({"meta": meta, "summary": summary, "cases": cases},
                                   indent=1, ensure_ascii=False) + "\n")
    if args.quiet:
        lines = text.split("\n")
        start = next(i for i, l in enumerate(lines) if l.startswith("DISAGREEMENTS"))
        end = lines.index("", start)
        print("\n".join(lines[:8] + lines[start:end]))
    else:
        print(text)
    print("")
    print(f"{len(todo)} lines checked in {elapsed:.1f} s; full results: {out_path}")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
