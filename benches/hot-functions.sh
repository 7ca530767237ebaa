#!/bin/sh
# Writes .cargo/hot-functions.txt: the functions typical guardsh runs execute, in the order
# they are first met, for .cargo/cc-static to lay out together at the start of the binary's
# text (fewer code pages faulted in per run). Run from the repository root after
# `cargo build --release`, when the hot path has changed much; needs valgrind.
#
#   sh benches/hot-functions.sh
#
# Names are kept without the hash rustc appends to a symbol (`17h…E`), so the list keeps
# matching across most code changes; a function it misses merely keeps its usual place.
set -eu
bin=${1:-target/release/guardsh}
out=.cargo/hot-functions.txt
[ -x "$bin" ] || { echo "$bin not found: run cargo build --release first" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# What agents send most: short allowed lines, a refusal, a line with SQL and a heredoc,
# a hook payload, and shell mode. callgrind writes a profile at exit, not at exec, so shell
# mode is given a "real shell" it cannot exec: the run goes all the way to the execve, then
# exits with 126 and leaves its profile.
compound=$(cat <<'LINE'
cd /srv/app && psql "$DATABASE_URL" <<'EOF'
SELECT id FROM users WHERE created_at > now() - interval '1 day';
EOF
git add -A && git commit -m "$(cat <<'MSG'
fix: tidy
MSG
)" && git push origin main 2>&1 | tee push.log
LINE
)
n=0
run() {
    n=$((n + 1))
    valgrind --tool=callgrind --demangle=no \
        --callgrind-out-file="$tmp/cg.$n" "$@" >/dev/null 2>&1 || true
}
run "$bin" check 'git status'
run "$bin" check 'ls -la && cargo test 2>&1 | tail -5'
run "$bin" check 'rm -rf ~'
run "$bin" check 'railway volume delete --volume pg-data --yes'
run "$bin" check "$compound"
printf '%s' '{"tool_name":"Bash","tool_input":{"command":"git status"}}' >"$tmp/payload"
run "$bin" hook claude-code <"$tmp/payload"
: >"$tmp/not-executable"
GUARDSH_SHELL="$tmp/not-executable" run "$bin" -c 'npm test'
GUARDSH_SHELL="$tmp/not-executable" run "$bin" -c true

# callgrind names each function once per file, as `fn=(id) name` or `cfn=(id) name`.
for f in "$tmp"/cg.*; do
    sed -n -E 's/^c?fn=\([0-9]+\) (_Z.*|_R.*)$/\1/p' "$f"
done | sed -E 's/17h[0-9a-f]{16}E$//' | awk '!seen[$0]++' >"$out"
echo "$out: $(wc -l <"$out") functions"
