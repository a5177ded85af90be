#!/usr/bin/env bash
# What CI runs, and what to run before every commit: format, lints, all tests.
# Tests read the shared golden captures from $PIVOTFLOW_TESTDATA (default ../shared/testdata).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivotflow-target}"
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked --all-targets
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet
