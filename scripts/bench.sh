#!/usr/bin/env bash
# Capture benchmark (release build, outside CI): pcap → Parquet flows/s for v5, v9 and
# IPFIX, bytes per flow on disk and peak RSS, plus a sweep of the Parquet writer settings.
# Writes the table to BENCHMARKS.md (with the machine description) and prints it.
#
# Usage: scripts/bench.sh [FLOWS]     (default 1000000; data in ${BENCH_DIR:-/tmp/pivotflow-bench})
set -euo pipefail
cd "$(dirname "$0")/.."
FLOWS="${1:-1000000}"
DIR="${BENCH_DIR:-/tmp/pivotflow-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivotflow-target}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/pivotflow"
mkdir -p "$DIR"
command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc; }

# run NAME FLOWS CMD...: one table row pinned to one core; the median of 3 runs by wall time
# (this VM shows occasional multi-second system-time spikes), with that run's CPU and peak RSS.
# The command's output folder (last argument of --data) is emptied before each run.
ROWS=()
run() {
    local name="$1" flows="$2"; shift 2
    local store="" prev="" a
    for a in "$@"; do [ "$prev" = "--data" ] && store="$a"; prev="$a"; done
    : > "$DIR/runs.txt"
    for _ in 1 2 3; do
        [ -n "$store" ] && rm -rf "$store"
        local t0 t1
        t0=$(date +%s.%N)
        /usr/bin/time -f "%U %S %M" -o "$DIR/time.txt" taskset -c 0 "$@" >/dev/null 2>"$DIR/stderr.txt" || { cat "$DIR/stderr.txt"; exit 1; }
        t1=$(date +%s.%N)
        read -r user sys rss < "$DIR/time.txt"
        echo "$(echo "$t1 - $t0" | bc -l) $(echo "$user + $sys" | bc -l) $rss" >> "$DIR/runs.txt"
    done
    read -r wall cpu rss < <(sort -n "$DIR/runs.txt" | sed -n 2p)
    ROWS+=("$(printf '| %s | %d | %.2f | %.2f | %.0f | %.0f |' "$name" "$flows" "$wall" "$cpu" "$(echo "$flows / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)")")
}

parquet_bytes() { find "$1" -name '*.parquet' -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }

SIZES=()
for fmt in v5 v9 ipfix; do
    pcap="$DIR/$fmt-$FLOWS.pcap"
    [ -f "$pcap" ] || "$BIN" synth --flows "$FLOWS" --format "$fmt" --hosts 20000 --exporters 4 --seed 7 --pcap "$pcap" 2>/dev/null
    run "capture --pcap ($fmt)" "$FLOWS" "$BIN" capture --pcap "$pcap" --data "$DIR/store-$fmt"
    b=$(parquet_bytes "$DIR/store-$fmt")
    SIZES+=("$(printf '| %s | default (zstd 3, tuned encodings, 1 Mi rows/group) | %d | %.1f |' "$fmt" "$b" "$(echo "$b / $FLOWS" | bc -l)")")
done

# Writer settings sweep on the IPFIX capture (same rows each time).
pcap="$DIR/ipfix-$FLOWS.pcap"
sweep() {
    local label="$1"; shift
    run "capture ipfix, $label" "$FLOWS" "$BIN" capture --pcap "$pcap" --data "$DIR/sweep" "$@"
    b=$(parquet_bytes "$DIR/sweep")
    SIZES+=("$(printf '| ipfix | %s | %d | %.1f |' "$label" "$b" "$(echo "$b / $FLOWS" | bc -l)")")
}
sweep "parquet default encodings, zstd 3" --writer-defaults
sweep "zstd 1" --zstd-level 1
sweep "zstd 9" --zstd-level 9
sweep "zstd 19" --zstd-level 19
sweep "row groups of 128 Ki rows" --row-group-rows 131072

# Live UDP ingest: synth --send at a target rate into a release collector on loopback; flows
# stored vs flows sent (kernel drops + queue drops both show up as the difference).
LIVE=()
LIVE_FLOWS=$(( FLOWS < 1000000 ? FLOWS : 1000000 ))
for rate in 100000 250000 500000 0; do
    store="$DIR/live-$rate"; rm -rf "$store"
    port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$BIN" -q capture --listen "127.0.0.1:$port" --data "$store" --stats-json "$DIR/live-stats.json" --stats-interval 0s 2>/dev/null &
    pid=$!
    sleep 1
    t0=$(date +%s.%N)
    "$BIN" synth --send "127.0.0.1:$port" --rate "$rate" --flows "$LIVE_FLOWS" --format ipfix --exporters 4 --seed 7 2>/dev/null
    t1=$(date +%s.%N)
    sleep 2
    kill -TERM "$pid"; wait "$pid" || true
    stored=$(python3 -c "import json; s=json.load(open('$DIR/live-stats.json')); print(sum(e['records'] for e in s['exporters'].values()))")
    queue=$(python3 -c "import json; print(json.load(open('$DIR/live-stats.json'))['datagrams_queue_full'])")
    sent_rate=$(echo "$LIVE_FLOWS / ($t1 - $t0)" | bc -l)
    LIVE+=("$(printf '| %s | %d | %.0f | %d | %.3f %% | %d |' "$([ "$rate" = 0 ] && echo "as fast as possible" || echo "$rate")" "$LIVE_FLOWS" "$sent_rate" "$stored" "$(echo "100 * ($LIVE_FLOWS - $stored) / $LIVE_FLOWS" | bc -l)" "$queue")")
done

{
    echo "# Benchmarks"
    echo
    echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)."
    echo "Date: $(date -u +%Y-%m-%dT%H:%MZ). Command: \`scripts/bench.sh $FLOWS\` (release build, each run pinned to one core with taskset, median of 3 runs)."
    echo "Input: \`pivotflow synth\` pcaps (4 exporters, 20 000 hosts, seed 7; IPFIX/v9 10 % IPv6)."
    echo
    echo "## Capture: pcap → Parquet"
    echo
    echo "| command | flows | wall s | CPU s | flows/s | peak RSS MiB |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "## Live UDP ingest (loopback, synth --send → capture --listen, IPFIX)"
    echo
    echo "| target flows/s | flows sent | achieved send flows/s | flows stored | lost | queue-full drops |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${LIVE[@]}"
    echo
    echo "## Bytes per flow on disk"
    echo
    echo "| format | writer settings | Parquet bytes | bytes/flow |"
    echo "|---|---|---|---|"
    printf '%s\n' "${SIZES[@]}"
} > BENCHMARKS.md
cat BENCHMARKS.md
