//! How long `guardsh::unwrap::analyze` takes on the two sizes that matter: a typical agent
//! command line (every command guardsh checks pays this) and a large deploy script (the
//! worst case a hook may be handed with `bash script.sh`).
//!
//! `cargo bench --bench parse`; under `cargo test --all-targets` each case runs once.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use guardsh::parse::Limits;
use guardsh::unwrap::analyze;

/// An ~80-character line of the kind agents run all day.
const LINE: &str =
    "cd /srv/app && RAILS_ENV=production bundle exec rake db:migrate 2>&1 | tee log.txt";

/// One block of a realistic deploy script: functions, a for loop, `[[ ]]`, case, a heredoc
/// and `$( )`. `n` keeps the repeated blocks distinct.
fn deploy_block(n: usize) -> String {
    format!(
        r#"
# --- release {n} ---
log_{n}() {{
    printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "deploy-{n}" "$*" >&2
}}

check_host_{n}() {{
    local host="$1"
    if [[ -z "$host" || "$host" == *" "* ]]; then
        log_{n} "bad host: $host"
        return 1
    fi
    ssh -o BatchMode=yes "deploy@$host" true 2>/dev/null
}}

release_{n}() {{
    local env="${{1:-staging}}" version
    version="$(git describe --tags --always 2>/dev/null || echo unknown)"
    case "$env" in
        production|prod)
            hosts="web1.example.com web2.example.com"
            ;;
        staging)
            hosts="staging.example.com"
            ;;
        *)
            log_{n} "unknown environment: $env"
            return 2
            ;;
    esac
    for host in $hosts; do
        check_host_{n} "$host" || continue
        rsync -az --delete --exclude '.git' ./build/ "deploy@$host:/srv/app/releases/$version/"
        ssh "deploy@$host" "ln -sfn /srv/app/releases/$version /srv/app/current && sudo systemctl reload app"
    done
    cat > "/tmp/release-{n}.json" <<EOF
{{"version": "$version", "env": "$env", "hosts": "$hosts", "by": "$(whoami)"}}
EOF
    count=$(find ./build -type f | wc -l)
    if [[ $count -gt 0 && -f /tmp/release-{n}.json ]]; then
        log_{n} "released $version to $env ($count files)"
    fi
}}

release_{n} "${{DEPLOY_ENV:-staging}}" | tee -a deploy.log
"#
    )
}

/// About 100 KB of deploy script.
fn big_script() -> String {
    let mut script = String::from("#!/usr/bin/env bash\nset -euo pipefail\n");
    let mut n = 0;
    while script.len() < 100 * 1024 {
        script.push_str(&deploy_block(n));
        n += 1;
    }
    script
}

fn bench_analyze(c: &mut Criterion) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("analyze");

    group.throughput(Throughput::Bytes(LINE.len() as u64));
    group.bench_function("line_80b", |b| b.iter(|| analyze(black_box(LINE), &limits)));

    let script = big_script();
    group.throughput(Throughput::Bytes(script.len() as u64));
    group.sample_size(20);
    group.bench_function("deploy_script_100kb", |b| {
        b.iter(|| analyze(black_box(&script), &limits))
    });
    group.finish();
}

criterion_group!(benches, bench_analyze);
criterion_main!(benches);
