#!/usr/bin/env bash
# SQL benchmark (release build, outside CI): group-by queries on 10 M and 100 M synthetic
# flows, pivotflow (DataFusion) next to DuckDB on the same files, in the same run.
# Appends its table to BENCHMARKS.md (run scripts/bench.sh first; it rewrites the file).
#
# Usage: scripts/bench-sql.sh [SIZES...]   (default: 10000000 100000000)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("${@:-10000000 100000000}")
read -r -a SIZES <<< "${SIZES[*]}"
DIR="${BENCH_DIR:-/tmp/pivotflow-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivotflow-target}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/pivotflow"
mkdir -p "$DIR"
python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb
command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc; }

# Queries run by both engines: the shipped files where the SQL is engine-neutral.
QUERIES=(top_talkers flows_by_hour)
ADHOC_NAME="flows per dst_port"
ADHOC="SELECT dst_port, proto, COUNT(*) AS flows, SUM(bytes) AS bytes FROM flows GROUP BY dst_port, proto ORDER BY flows DESC LIMIT 20"

ROWS=()
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh  # the script has cd-ed to the repository root

# duck.py STORE SQL: run SQL in DuckDB with `flows` as a view over the store.
cat > "$DIR/duck.py" <<'PY'
import sys, duckdb
store, sql = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"CREATE VIEW flows AS SELECT * FROM read_parquet('{store}/**/*.parquet', hive_partitioning = true, hive_types_autocast = false)")
con.execute(sql.strip().rstrip(';')).fetchall()
PY

for n in "${SIZES[@]}"; do
    store="$DIR/store-$n"
    if [ ! -d "$store" ]; then
        "$BIN" synth --flows "$n" --hosts 20000 --exporters 4 --seed 7 --span 6h --parquet "$store" 2>/dev/null
    fi
    for q in "${QUERIES[@]}" ADHOC; do
        if [ "$q" = ADHOC ]; then name="$ADHOC_NAME"; sql="$ADHOC"; else name="queries/$q.sql"; sql="$(cat "queries/$q.sql")"; fi
        read -r pf_s pf_rss < <(median3 "$BIN" -q sql --data "$store" --format csv -- "$sql")
        read -r dk_s dk_rss < <(median3 python3 "$DIR/duck.py" "$store" "$sql")
        ROWS+=("$(printf '| %s | %d | %.2f | %.0f | %.2f | %.0f | %.2f |' "$name" "$n" "$pf_s" "$pf_rss" "$dk_s" "$dk_rss" "$(echo "$pf_s / $dk_s" | bc -l)")")
    done
done

{
    echo
    echo "## SQL: group-by queries, pivotflow (DataFusion) vs DuckDB"
    echo
    echo "Date: $(date -u +%Y-%m-%dT%H:%MZ). Command: \`scripts/bench-sql.sh ${SIZES[*]}\`; both engines on both cores,"
    echo "same Parquet files (\`pivotflow synth --parquet\`, 6 h, 20 000 hosts), median of 3 runs, process start included."
    echo "DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)') from PyPI."
    echo
    echo "| query | flows | pivotflow s | pivotflow RSS MiB | DuckDB s | DuckDB RSS MiB | ratio (pivotflow / DuckDB) |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
} >> BENCHMARKS.md
tail -n $(( ${#ROWS[@]} + 8 )) BENCHMARKS.md
