#!/usr/bin/env bash
# Local vs cluster (issue 13): a Ballista scheduler and two executors (release build with
# --features cluster) on 127.0.0.1, against in-process runs on the same 100 M-flow day of the
# benchmark data. On this 2-core machine this measures correctness and overhead, not speed-up.
# Writes a block between <!-- cluster --> markers in BENCHMARKS.md.
# Usage: scripts/bench-cluster.sh [FLOWS] (default 100000000; the day must exist in $BENCH_DIR,
#        made by scripts/bench.sh; CLUSTER_DATA=DIR measures another store, named in the block)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000000}"
DIR="${BENCH_DIR:-/tmp/pivotflow-bench}"
DATA="${CLUSTER_DATA:-$DIR/day-$N}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivotflow-target}"
cargo build --release --features cluster --quiet
BIN="$CARGO_TARGET_DIR/release/pivotflow"
[ -d "$DATA" ] || { echo "no $DATA: run scripts/bench.sh first" >&2; exit 1; }
P=$((40000 + RANDOM % 10000))
"$BIN" cluster scheduler --bind 127.0.0.1:$P > "$DIR/cluster-sched.log" 2>&1 &
PIDS=($!)
sleep 1
for k in 1 2; do
    "$BIN" cluster executor --scheduler 127.0.0.1:$P --bind 127.0.0.1:$((P + 2 * k)) \
        --grpc-port $((P + 2 * k + 1)) --slots 1 > "$DIR/cluster-exec$k.log" 2>&1 &
    PIDS+=($!)
done
trap 'kill "${PIDS[@]}" 2> /dev/null || true' EXIT
sleep 3
URL="df://127.0.0.1:$P"
timed() {  # timed LOG CMD...: wall seconds and peak RSS MiB of one run (stderr in LOG)
    local log=$1 t0 t1
    shift
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$DIR/rss.txt" "$@" > /dev/null 2> "$log" || { cat "$log" >&2; exit 1; }
    t1=$(date +%s.%N)
    printf '%.2f %d\n' "$(echo "$t1 - $t0" | bc -l)" $(( $(cat "$DIR/rss.txt") / 1024 ))
}
ROWS=()
for q in queries/top_talkers.sql queries/flows_by_hour.sql; do
    read -r ls lr < <(timed "$DIR/q" "$BIN" -q sql --data "$DATA" --format csv -f "$q")
    read -r cs cr < <(timed "$DIR/q" "$BIN" -q sql --data "$DATA" --format csv --cluster "$URL" -f "$q")
    ROWS+=("| sql -f $q | $N | $ls | $lr | $cs | $cr | the result only |")
done
for mode in local cluster; do
    extra=(); [ "$mode" = cluster ] && extra=(--cluster "$URL")
    rm -rf "$DIR/pc-$mode"
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$DIR/rss.txt" "$BIN" -v pivots --data "$DATA" --out "$DIR/pc-$mode" \
        --trusted 10.8.0.0/16 --trusted 10.9.0.0/16 "${extra[@]}" > /dev/null 2> "$DIR/pc-$mode.log"
    t1=$(date +%s.%N)
    eval "${mode}_s=$(printf '%.2f' "$(echo "$t1 - $t0" | bc -l)") ${mode}_r=$(( $(cat "$DIR/rss.txt") / 1024 ))"
done
cmp -s "$DIR/pc-local/chains.json" "$DIR/pc-cluster/chains.json" && same=identical || same=DIFFERENT
back=$(grep -o 'flow records touching candidate pivot hosts rows=[0-9]* bytes=[0-9]*' "$DIR/pc-cluster.log" | head -1 | sed 's/.*rows=//; s/ bytes=/ rows, /')
read_from=$(grep -o 'admin layout for [0-9]* of [0-9]* hours' "$DIR/pc-cluster.log" | head -1)
ROWS+=("| pivots (one day) | $N | $local_s | $local_r | $cluster_s | $cluster_r | ${back} bytes of flows of candidate pivot hosts; chains.json $same; ${read_from:-no layout} |")
# The ratio as farm-bench takes it: cluster and local runs in turn, medians and the median of
# the pairwise ratios (one run each above is noisy on a shared 2-core VM).
PAIRS="farm-bench is not installed: no paired runs."
if command -v farm-bench > /dev/null; then
    out=$(farm-bench -n 11 --warmup 2 --timeout 900 \
        --vs "$BIN pivots --data $DATA --out $DIR/pp-local --trusted 10.8.0.0/16 --trusted 10.9.0.0/16" \
        -- "$BIN" pivots --data "$DATA" --out "$DIR/pp-cluster" --trusted 10.8.0.0/16 \
        --trusted 10.9.0.0/16 --cluster "$URL" 2>&1)
    med() { echo "$out" | awk -v k="$1" '$0 ~ "^"k {print $(NF-1)}'; }
    PAIRS="\`pivots\` in 11 pairs after 2 warm-up pairs (farm-bench, cluster and local in turn): cluster $(med 'A wall s') s, local $(med 'B wall s') s (medians), cluster/local **$(med 'A/B wall')×** (median of the pairs' ratios)."
fi
if [ -d "$DATA/.admin" ]; then
    mv "$DATA/.admin" "$DATA/.admin-off"
    for mode in local cluster; do
        extra=(); [ "$mode" = cluster ] && extra=(--cluster "$URL")
        rm -rf "$DIR/pf-$mode"
        t0=$(date +%s.%N)
        /usr/bin/time -f "%M" -o "$DIR/rss.txt" "$BIN" -v pivots --data "$DATA" --out "$DIR/pf-$mode" \
            --trusted 10.8.0.0/16 --trusted 10.9.0.0/16 "${extra[@]}" > /dev/null 2> "$DIR/pf-$mode.log" \
            || { mv "$DATA/.admin-off" "$DATA/.admin"; exit 1; }
        t1=$(date +%s.%N)
        eval "${mode}_s=$(printf '%.2f' "$(echo "$t1 - $t0" | bc -l)") ${mode}_r=$(( $(cat "$DIR/rss.txt") / 1024 ))"
    done
    mv "$DATA/.admin-off" "$DATA/.admin"
    cmp -s "$DIR/pf-cluster/chains.json" "$DIR/pc-local/chains.json" && same=identical || same=DIFFERENT
    ROWS+=("| pivots (one day), full store (layout moved away) | $N | $local_s | $local_r | $cluster_s | $cluster_r | chains.json $same |")
fi
BLOCK="$(cat <<MD
<!-- cluster -->
## Cluster: local vs Ballista (scheduler + 2 executors on this machine)

\`scripts/bench-cluster.sh\` ($(date -u +%FT%H:%MZ), at $(git rev-parse --short HEAD 2>/dev/null || echo '?')), release build with \`--features cluster\`, one
run each, on \`$DATA\`. Two cores serve the client, the scheduler and both executors: this shows correctness
and overhead, not speed-up. What comes back to the client is the last column.

| command | flows | local s | local RSS MiB | cluster s | client RSS MiB | shipped back |
|---|---|---|---|---|---|---|
$(printf '%s\n' "${ROWS[@]}")

$PAIRS

How the work splits: the scheduler cuts each query into stages at its exchanges (repartitions,
sorts, joins); a stage runs as one task per partition (file groups of the hour files for scans,
hash partitions after a shuffle) on whichever executor has a free slot, and shuffle files move
between stages over Arrow Flight. On a real cluster the scans and the aggregates over them
spread over the executors' cores and disks; the client keeps only pivots' small stages.
\`pivots\` on a cluster asks one job for the candidate pivot hosts and the service-port count
(one aggregate by source address: the hosts of queries/pivot_host_candidates.sql, which as two
aggregates, their joins and a count job read the flows three times), then a second for those
hosts' flows, and keeps the possible pivot hosts among them in process (queries/pivot_hosts.sql
over a few thousand rows): the 5-tuple aggregates and join of pivot_hosts.sql, 2.35 s of a 3.0 s
cluster night when they ran on the executors, no longer cross the cluster. With the admin layout (\`.admin/\`, issue 24) each read is of
the pieces only; the last row is the same command with the layout moved away.
<!-- /cluster -->
MD
)"
python3 - "$BLOCK" <<'PY'
import sys
block = sys.argv[1]
path = "BENCHMARKS.md"
text = open(path).read()
a, b = "<!-- cluster -->", "<!-- /cluster -->"
if a in text and b in text:
    text = text[: text.index(a)] + block + text[text.index(b) + len(b):]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
echo "$BLOCK"
