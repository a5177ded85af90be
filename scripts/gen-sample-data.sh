#!/usr/bin/env bash
# Regenerate sample-data/ byte for byte (the generator is seeded and deterministic): the
# `sample` scenario (see `pivotflow synth --help`): 70 minutes of a 300-host network seen by 2
# exporters, with admin work through jump hosts, 3 injected pivot chains (one crossing the 11:00
# hour boundary), a cycle and three decoys; truth files say what must (not) be found.
# Usage: scripts/gen-sample-data.sh [path/to/pivotflow]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-}"
if [ -z "$BIN" ]; then
    cargo build --quiet
    BIN="${CARGO_TARGET_DIR:-$HOME/.cache/pivotflow-target}/debug/pivotflow"
fi
"$BIN" synth --scenario sample --format v5 --pcap sample-data/v5.pcap --truth sample-data/v5.truth.json
"$BIN" synth --scenario sample --format v9 --pcap sample-data/v9.pcap --truth sample-data/v9.truth.json --uptime-before-wrap-ms 300000
"$BIN" synth --scenario sample --format ipfix --pcap sample-data/ipfix.pcap --truth sample-data/ipfix.truth.json
