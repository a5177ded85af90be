#!/usr/bin/env bash
# The tuning networks of issue 20: where alert weights and thresholds are chosen. Never tune on
# the evaluation seeds `scripts/bench.sh alerts` reports (21-25).
#
#   scripts/tune.sh [DIR] [BIN]
#
# Generates (once) into DIR (default /tmp/pivotflow-tune) the 29 tuning networks — `synth` teams
# and sites, seeds 11-13 at 3 000 and 20 000 hosts and 16-19 at 3 000; `scripts/othernet.py`
# (an independent generator) seeds 11-13 and 16-18 at 3 000 hosts, 14 and 19 at 20 000, 15 at
# 6 000; 14 days, 1 M flows a weekday, routine change from day 3, attacks from day 8 — then runs
# `report` over the 14 nights of each from an empty reports folder (no --trusted) and
# `scripts/eval-alerts.py` on nights 8-14, two networks at a time. Prints one line per network
# and the totals: attacks in alert incidents, alert incidents a night (max, mean), noise
# incidents (alert incidents without an attack), decoys in alerts. Each network's eval.md lists
# its misses and noise with their reasons. Generating takes ~25 min on 2 cores, a run ~1 min.
#
# SHAPES=1 runs, instead, networks shaped differently from both (a check that the rules do not
# depend on the generators' numbers, not a place to tune): `othernet` with six jump hosts, more
# admins, longer and more sessions, more evening workers (seeds 31, 32 at 3 000 hosts, 33 at
# 6 000), and `synth` with three times the admin work, a single bastion or half the admin work
# (seeds 41-44 at 3 000), five extremes (seeds 51-55, see EXTRA below) and admin laptops whose
# address changes every day (seeds 61, 62, 64 at 30 %, 50 %, 30 %, 65 at 50 %), then the same
# networks read with their DHCP leases (`leased-61-3000` etc.: `report --leases`), and
# `othernet` seed 12 moved to Los Angeles time (`zoned-12-3000`: every timestamp + 8 h, PST in
# the whole period) read with `--timezone America/Los_Angeles` — its line must be that of
# `unzoned-12-3000`, the same network left in UTC (`othernet-12-3000` was generated before
# othernet.py's on-call rota stopped depending on Python's hash salt: another network); and
# three networks of `scripts/campus.py`, a third generator (`campus-71-3000` was read while
# writing two rules; 72 and 73 are checks only).
#
# NETS="othernet-91-3000 campus-92-3000 teams-93-3000 ..." runs exactly those networks instead
# (SHAPE-SEED-HOSTS, generated into DIR as above): more tuning networks when a rule moves none of
# the usual ones. FRESH=1 runs the twenty-seven first used so on 2026-12-08 (othernet 91-98,
# campus 91-93, teams 91-92, sites 93-94, all at 3 000 hosts; then seeds 101-112: othernet,
# campus, teams and sites at 3 000, 6 000 and 20 000). Never the evaluation seeds 21-25.
# SWEEP=1 prints, after the totals, the threshold's frontier over the networks run
# (`scripts/sweep-alerts.py`: attacks and noise incidents at thresholds 2.8-4.5, read off the
# reports): whether a rule moved attacks or only the balance a threshold sets.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/pivotflow-tune}
if [ -n "${2:-}" ]; then
    BIN=$2
else
    cargo build --release --quiet
    BIN="${CARGO_TARGET_DIR:-target}/release/pivotflow"
fi
mkdir -p "$DIR"

GIVEN=${NETS:-}
NETS=()
for seed in 11 12 13; do for hosts in 3000 20000; do for shape in teams sites; do
    NETS+=("$shape-$seed-$hosts")
done; done; done
for seed in 16 17 18 19; do for shape in teams sites; do NETS+=("$shape-$seed-3000"); done; done
for spec in 11-3000 12-3000 13-3000 16-3000 17-3000 18-3000 14-20000 19-20000 15-6000; do
    NETS+=("othernet-$spec")
done
declare -A EXTRA=()
if [ "${SHAPES:-0}" = 1 ]; then
    NETS=(othershape-31-3000 othershape-32-3000 othershape-33-6000
          teams-41-3000 sites-42-3000 teams-43-3000 sites-44-3000
          othershape-51-3000 othershape-52-3000 othershape-53-3000 teams-54-3000 sites-55-3000
          othershape-61-3000 othershape-62-3000 othershape-64-3000 othershape-65-3000
          leased-61-3000 leased-62-3000 leased-64-3000 leased-65-3000 zoned-12-3000 unzoned-12-3000
          campus-71-3000 campus-72-3000 campus-73-20000)
    for n in othershape-31-3000 othershape-32-3000 othershape-33-6000; do
        EXTRA[$n]="--jumps 6 --workstations-per-admin 80 --preferred-jump 0.6 --session-minutes 10-180 --episodes-max 6 --evening-share 0.2"
    done
    EXTRA[teams-41-3000]="--admin-rate 1.5"
    EXTRA[sites-42-3000]="--admin-rate 1.5"
    EXTRA[teams-43-3000]="--jump-hosts 1"
    EXTRA[sites-44-3000]="--admin-rate 0.25"
    # Extremes: one jump host for everyone; three times the admins with sessions up to 4 hours;
    # 40 % evening workers with up to 8 sessions a day nearly always through their own jump
    # host; `synth` with three times the admin work, and `sites` with one jump host and twice it.
    EXTRA[othershape-51-3000]="--jumps 1"
    EXTRA[othershape-52-3000]="--workstations-per-admin 40 --session-minutes 30-240"
    EXTRA[othershape-53-3000]="--evening-share 0.4 --episodes-max 8 --preferred-jump 0.95"
    EXTRA[teams-54-3000]="--admin-rate 3"
    EXTRA[sites-55-3000]="--jump-hosts 1 --admin-rate 2"
    # Admin laptops on a DHCP or VPN pool: a new address every day for 30 % / 50 % of the admins.
    EXTRA[othershape-61-3000]="--dhcp-share 0.3"
    EXTRA[othershape-62-3000]="--dhcp-share 0.5"
    EXTRA[othershape-64-3000]="--dhcp-share 0.3"
    EXTRA[othershape-65-3000]="--dhcp-share 0.5"
    EXTRA[leased-61-3000]="--dhcp-share 0.3"
    EXTRA[leased-62-3000]="--dhcp-share 0.5"
    EXTRA[leased-64-3000]="--dhcp-share 0.3"
    EXTRA[leased-65-3000]="--dhcp-share 0.5"
fi

if [ "${FRESH:-0}" = 1 ]; then
    GIVEN="othernet-91-3000 othernet-92-3000 othernet-93-3000 othernet-94-3000 othernet-95-3000
           othernet-96-3000 othernet-97-3000 othernet-98-3000 campus-91-3000 campus-92-3000
           campus-93-3000 teams-91-3000 teams-92-3000 sites-93-3000 sites-94-3000
           othernet-101-3000 othernet-102-6000 othernet-103-3000 othernet-104-3000
           campus-105-3000 campus-106-6000 teams-107-3000 sites-108-3000 teams-109-20000
           sites-110-3000 othernet-111-3000 othernet-112-3000"
fi
if [ -n "$GIVEN" ]; then read -ra NETS <<< "$(echo $GIVEN)"; fi

generate() {  # generate NAME: the network's flows and truth, unless already there
    local name=$1 A="$DIR/$1" shape seed hosts
    IFS=- read -r shape seed hosts <<< "$name"
    [ -f "$A/truth.json" ] && return
    rm -rf "$A"; mkdir -p "$A"
    local extra; read -ra extra <<< "${EXTRA[$name]:-}"
    if [ "$shape" = leased ]; then
        python3 scripts/othernet.py --seed "$seed" --hosts "$hosts" --out "$A/flows" --truth "$A/truth.json" \
            "${extra[@]}" --leases-out "$A/leases.csv"
    elif [ "$shape" = campus ]; then
        python3 scripts/campus.py --seed "$seed" --hosts "$hosts" --out "$A/flows" --truth "$A/truth.json"
    elif [ "$shape" = zoned ]; then
        python3 scripts/othernet.py --seed "$seed" --hosts "$hosts" --out "$A/utc" --truth "$A/truth.json"
        python3 - "$A" <<'PY'
import sys, duckdb
a, h = sys.argv[1], 8 * 3_600_000
duckdb.connect().execute(f"""COPY (SELECT * REPLACE (received_ms + {h} AS received_ms,
    flow_start_ms + {h} AS flow_start_ms, flow_end_ms + {h} AS flow_end_ms),
  strftime(to_timestamp((received_ms + {h}) / 1000), '%Y-%m-%d') AS date,
  strftime(to_timestamp((received_ms + {h}) / 1000), '%H') AS hour
  FROM read_parquet('{a}/utc/*/*/*.parquet', hive_partitioning = false) ORDER BY received_ms)
  TO '{a}/flows' (FORMAT parquet, PARTITION_BY (date, hour), FILENAME_PATTERN 'flows-zoned-{{i}}')""")
PY
        rm -rf "$A/utc"
    elif [ "$shape" = othernet ] || [ "$shape" = othershape ] || [ "$shape" = unzoned ]; then
        python3 scripts/othernet.py --seed "$seed" --hosts "$hosts" --out "$A/flows" --truth "$A/truth.json" \
            "${extra[@]}"
    else
        "$BIN" --quiet synth --days 14 --flows 1000000 --hosts "$hosts" --seed "$seed" --shape "$shape" \
            "${extra[@]}" --parquet "$A/flows" --truth "$A/truth.json" > /dev/null
    fi
}

run() {  # run NAME: 14 nights from an empty reports folder, then the evaluation of nights 8-14
    local name=$1 A="$DIR/$1"
    rm -rf "$A/reports"
    local leases=()
    if [ -f "$A/leases.csv" ]; then leases=(--leases "$A/leases.csv"); fi
    local zone=()
    case $name in zoned-*) zone=(--timezone America/Los_Angeles) ;; esac
    if ! PIVOTFLOW_LOG=off "$BIN" report --data "$A/flows" --since 2026-11-02 --until 2026-11-15 \
        --out "$A/reports" "${leases[@]}" "${zone[@]}" > /dev/null 2> "$A/err.txt"; then
        echo "$name: report failed: $(tail -1 "$A/err.txt")"
        return
    fi
    # eval-alerts.py exits 1 when an aim is missed; its JSON is what this line reads.
    python3 scripts/eval-alerts.py "$A/truth.json" "$A/reports" 8 14 --noise --json "$A/eval.json" \
        "${leases[@]}" > "$A/eval.md" || true
    python3 - "$A/eval.json" "$name" <<'PY' || echo "$name: evaluation failed (see $A/eval.md)"
import json, sys
e = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]:22s} found {e['found']}/{e['attacks']} max {e['alerts_max']} "
      f"mean {e['alerts_mean']:.2f} noise {e['noise']} decoys {e['decoys']}")
PY
}

for n in "${NETS[@]}"; do generate "$n"; done
export -f run
export DIR BIN
printf "%s\n" "${NETS[@]}" | xargs -P 2 -I{} bash -c "run {} > \"\$DIR/{}/line.txt\""
for n in "${NETS[@]}"; do cat "$DIR/$n/line.txt"; done | sort > "$DIR/last.txt"
cat "$DIR/last.txt"
awk '{split($3, a, "/"); f += a[1]; t += a[2]; n += $9; d += $11}
     END {print "TOTAL found " f "/" t " noise " n " decoys " d}' "$DIR/last.txt"
if [ "${SWEEP:-0}" = 1 ]; then
    python3 scripts/sweep-alerts.py "${NETS[@]/#/$DIR/}"
fi
