#!/usr/bin/env bash
# Regenerate sample-data/ byte for byte (the generator is seeded and deterministic):
# background traffic of 2 exporters over 70 minutes, with 3 injected pivot chains (one crossing
# the 11:00 hour boundary), a cycle and three decoys; truth files say which chains must be found.
# Usage: scripts/gen-sample-data.sh [path/to/pivotflow]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-}"
if [ -z "$BIN" ]; then
    cargo build --quiet
    BIN="${CARGO_TARGET_DIR:-$HOME/.cache/pivotflow-target}/debug/pivotflow"
fi
common=(--flows 2000 --hosts 300 --exporters 2 --seed 7 --start 2026-11-27T10:00:00Z --span 70m --chains 3)
"$BIN" synth "${common[@]}" --format v5 --pcap sample-data/v5.pcap --truth sample-data/v5.truth.json
"$BIN" synth "${common[@]}" --format v9 --pcap sample-data/v9.pcap --truth sample-data/v9.truth.json --uptime-before-wrap-ms 300000
"$BIN" synth "${common[@]}" --format ipfix --pcap sample-data/ipfix.pcap --truth sample-data/ipfix.truth.json
