#!/usr/bin/env bash
# Regenerate docs/report.png: the HTML report of the shipped sample data (report over
# sample-data/, day 2026-11-27) as headless Chromium shows it. Needs Debian's `chromium`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivotflow-target}"
cargo build --quiet
bin="$CARGO_TARGET_DIR/debug/pivotflow"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" -q capture --pcap sample-data/v5.pcap --pcap sample-data/v9.pcap --pcap sample-data/ipfix.pcap --data "$tmp/data"
"$bin" -q report --data "$tmp/data" --day 2026-11-27 --out "$tmp/reports" > /dev/null
mkdir -p docs
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,1250 \
    --screenshot="$PWD/docs/report.png" "file://$tmp/reports/2026-11-27/index.html" 2> /dev/null
ls -l docs/report.png "$tmp/reports/2026-11-27/index.html"
