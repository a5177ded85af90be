#!/usr/bin/env bash
# Fuzz the datagram path (frames, decode, normalize, hold/replay, sequence) and the pcap reader
# for DURATION (default 30m; suffix s/m/h) with a fresh seed, in the debug build of the tests
# (overflow checks on: an arithmetic overflow is a crash too).
# Prints executions and crashes; a crash leaves its input in $PIVOTFLOW_FUZZ_CRASHES (default
# /tmp) and exits non-zero: add the file to tests/fuzz-regressions/.
# Usage: scripts/fuzz.sh [DURATION] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
d="${1:-30m}"
case "$d" in
    *h) secs=$(( ${d%h} * 3600 )) ;;
    *m) secs=$(( ${d%m} * 60 )) ;;
    *s) secs=${d%s} ;;
    *) secs=$d ;;
esac
seed="${2:-$(date +%s)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivotflow-target}"
echo "fuzz: ${secs}s, seed $seed"
bin=$(scripts/test-binary.sh)
PIVOTFLOW_FUZZ_SECS=$secs PIVOTFLOW_FUZZ_SEED=$seed \
    "$bin" --exact fuzz::fuzz_datagram_path_and_pcap_reader --nocapture
