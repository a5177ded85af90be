#!/usr/bin/env bash
# kill -9 during live ingest, many times (issue 11): runs the integration test
# kill_9_during_ingest_loses_at_most_the_last_flush with the release binary, KILLS rounds
# (default 20) at RATE flows/s (default 200000). Prints the rows lost per kill.
# Usage: scripts/crash.sh [KILLS] [RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivotflow-target}"
cargo build --release --quiet
bin=$(scripts/test-binary.sh)
PIVOTFLOW_KILLS="${1:-20}" PIVOTFLOW_KILL_RATE="${2:-200000}" \
PIVOTFLOW_BIN="$CARGO_TARGET_DIR/release/pivotflow" \
    "$bin" --exact live_capture::kill_9_during_ingest_loses_at_most_the_last_flush --nocapture
