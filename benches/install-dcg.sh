#!/usr/bin/env bash
# Install destructive_command_guard (dcg), the peer guard the benchmarks compare against, from
# its crate on crates.io, on the stable toolchain this project uses.
#
#   bash benches/install-dcg.sh [VERSION] [PREFIX]     # default 0.16.0, /opt/dcg
#
# `cargo install destructive_command_guard --locked` does not build here as published:
# its lock file pins a webpki-roots release the registry no longer serves, its
# `.cargo/config.toml` passes a nightly-only `-Z threads` flag, and one build dependency
# (vergen-lib) declares rust-version 1.96. So the crate is fetched through cargo, unpacked,
# and installed from its source with those three things undone. The default features
# (rich terminal output) are left off: the hook's decision does not depend on them.
# Skipped when PREFIX/bin/dcg already answers.
set -euo pipefail

version="${1:-0.16.0}"
prefix="${2:-/opt/dcg}"

if "$prefix/bin/dcg" --version >/dev/null 2>&1; then
    echo "dcg already installed: $("$prefix/bin/dcg" --version 2>&1 | head -1)"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Fetch the crate's source through cargo (the registry is the only network needed).
mkdir -p "$work/fetch/src"
cat >"$work/fetch/Cargo.toml" <<EOF
[package]
name = "fetch-dcg"
version = "0.0.0"
edition = "2021"

[dependencies]
destructive_command_guard = { version = "=$version", default-features = false }
EOF
echo 'fn main() {}' >"$work/fetch/src/main.rs"
(cd "$work/fetch" && cargo fetch --quiet)

crate="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"destructive_command_guard-$version.crate" | head -1)"
tar -xzf "$crate" -C "$work"
src="$work/destructive_command_guard-$version"

rm -rf "$src/.cargo" "$src/rust-toolchain.toml"
(cd "$src" && cargo update --quiet -p webpki-roots --precise 1.0.10)
cargo install --path "$src" --locked --root "$prefix" --no-default-features \
    --ignore-rust-version
"$prefix/bin/dcg" --version
