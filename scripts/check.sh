#!/usr/bin/env bash
# What CI runs, and what to run before every commit: format, lints, all tests.
# Tests read the shared golden captures from $PIVOTFLOW_TESTDATA (default ../shared/testdata).
# The default build and the `cluster` feature (Ballista) are both linted; the tests run once,
# with the feature, which adds the cluster tests to all the others.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivotflow-target}"
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
cargo clippy --all-targets --locked --features cluster -- -D warnings
cargo test --locked --all-targets --features cluster
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet
