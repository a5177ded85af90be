#!/usr/bin/env bash
# Pivot benchmark (release build, outside CI): `pivotflow pivots` end to end on 10 M and 100 M
# synthetic flows with 50 injected chains, checks that every injected chain is found, and runs
# the naive candidate-hop self-join on flow records in DuckDB on the same files, same run.
# Appends its table to BENCHMARKS.md.
#
# Usage: scripts/bench-pivots.sh [SIZES...]   (default: 10000000 100000000)
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a SIZES <<< "${*:-10000000 100000000}"
DIR="${BENCH_DIR:-/tmp/pivotflow-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivotflow-target}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/pivotflow"
mkdir -p "$DIR"
python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb
command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc; }

cat > "$DIR/naive_join.py" <<'PY'
import sys, duckdb
store = sys.argv[1]
con = duckdb.connect()
con.execute(f"CREATE VIEW flows AS SELECT * FROM read_parquet('{store}/**/*.parquet', hive_partitioning = true, hive_types_autocast = false)")
# The naive candidate-hop self-join: admin-port flow records joined on the pivot host, with
# the continuation window, no sessions, no time buckets.
n = con.execute("""
  WITH a AS (SELECT src_addr, dst_addr, flow_start_ms, flow_end_ms FROM flows
             WHERE (proto = 6 AND dst_port IN (22, 3389, 5985, 5986)) OR (proto = 17 AND dst_port = 3389))
  SELECT count(*) FROM a h1 JOIN a h2 ON h2.src_addr = h1.dst_addr
  WHERE h2.flow_start_ms BETWEEN h1.flow_start_ms - 2000 AND h1.flow_end_ms
""").fetchone()[0]
print(n)
PY

cat > "$DIR/check_truth.py" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1])); found = json.load(open(sys.argv[2]))
want = {(tuple(c["hosts"]), c["cycle"]) for c in truth["chains"]}
got = {(tuple(c["hosts"]), c["cycle"]) for c in found["chains"]}
missing = want - got
print(f"{len(want) - len(missing)}/{len(want)}")
sys.exit(1 if missing else 0)
PY

# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh  # the script has cd-ed to the repository root

ROWS=()
for n in "${SIZES[@]}"; do
    store="$DIR/pivots-$n"
    if [ ! -d "$store" ]; then
        "$BIN" synth --flows "$n" --hosts 20000 --exporters 4 --seed 7 --span 6h --chains 50 \
            --parquet "$store" --truth "$DIR/pivots-$n.truth.json" 2>/dev/null
    fi
    read -r pf_s pf_rss < <(median3 "$BIN" -q pivots --data "$store" --out "$DIR/pivots-out-$n")
    found=$(python3 "$DIR/check_truth.py" "$DIR/pivots-$n.truth.json" "$DIR/pivots-out-$n/chains.json")
    read -r dk_s dk_rss < <(median3 python3 "$DIR/naive_join.py" "$store")
    pairs=$(python3 "$DIR/naive_join.py" "$store")
    ROWS+=("$(printf '| %d | %.2f | %d | %s | %.2f | %d | %s | %.2f |' "$n" "$pf_s" "$pf_rss" "$found" "$dk_s" "$dk_rss" "$pairs" "$(echo "$pf_s / $dk_s" | bc -l)")")
done

{
    echo
    echo "## Pivots end to end vs DuckDB's naive candidate-hop self-join"
    echo
    echo "Date: $(date -u +%Y-%m-%dT%H:%MZ). Command: \`scripts/bench-pivots.sh ${SIZES[*]}\`; both cores, same files"
    echo "(\`pivotflow synth --parquet --chains 50\`, 6 h, 20 000 hosts), median of 3 runs, process start included."
    echo "pivotflow = filter to service ports → sessions → hops → continuation join → petgraph → GraphML/JSON;"
    echo "DuckDB = only the join of admin-port flow records on the pivot host with the time window (count)."
    echo
    echo "| flows | pivotflow s | pivotflow RSS MiB | injected chains found | DuckDB naive join s | DuckDB RSS MiB | naive candidate pairs | ratio |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
} >> BENCHMARKS.md
tail -n $(( ${#ROWS[@]} + 9 )) BENCHMARKS.md
