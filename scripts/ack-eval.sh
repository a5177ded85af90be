#!/usr/bin/env bash
# Issue 20's `ack` as an analyst would use it, measured: every false alert acknowledged the
# morning after, attacks never.
#
#   scripts/ack-eval.sh NETDIR [BIN]
#
# NETDIR holds `flows/` and `truth.json` (a network of scripts/tune.sh or scripts/bench.sh).
# Night by night, each a `report --day` of its own as a nightly job runs it, into
# NETDIR/reports-ack (made afresh); after each night, every alert incident of that night that
# holds no attack (scripts/eval-alerts.py --noise for that night alone) is acknowledged
# (`pivotflow ack --reason "analyst: routine"`), so it is routine from the next night on. Then
# scripts/eval-alerts.py over nights 8-14 into NETDIR/eval-ack.md and one line: attacks in alert
# incidents, alert incidents a night (max, mean), noise incidents, acknowledgements made.
# Compare with the same network's line in scripts/tune.sh (no acknowledgements).
set -euo pipefail
cd "$(dirname "$0")/.."
A=${1:?usage: scripts/ack-eval.sh NETDIR [BIN]}
if [ -n "${2:-}" ]; then
    BIN=$2
else
    cargo build --release --quiet
    BIN="${CARGO_TARGET_DIR:-target}/release/pivotflow"
fi
R="$A/reports-ack"
rm -rf "$R"
mapfile -t days < <(python3 -c 'import json, sys; [print(d["date"]) for d in json.load(open(sys.argv[1]))["days"]]' "$A/truth.json")
acks=0
for k in "${!days[@]}"; do
    night=$((k + 1)) day=${days[$k]}
    if ! PIVOTFLOW_LOG=off "$BIN" report --data "$A/flows" --day "$day" --out "$R" > /dev/null 2> "$A/err-ack.txt"; then
        echo "$A: report --day $day failed: $(tail -1 "$A/err-ack.txt")" >&2
        exit 1
    fi
    # The night's alert incidents without an attack: "- DAY incident-N score …" lines.
    while read -r id; do
        PIVOTFLOW_LOG=off "$BIN" ack --reports "$R" "$id" --reason "analyst: routine" > /dev/null
        acks=$((acks + 1))
    done < <( (python3 scripts/eval-alerts.py "$A/truth.json" "$R" "$night" "$night" --noise || true) \
        | awk '/^- [0-9-]+ incident-/ {print $2 "/" $3}')
done
python3 scripts/eval-alerts.py "$A/truth.json" "$R" 8 14 --noise --json "$A/eval-ack.json" > "$A/eval-ack.md" || true
python3 - "$A/eval-ack.json" "$(basename "$A")" "$acks" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]:22s} found {e['found']}/{e['attacks']} max {e['alerts_max']} "
      f"mean {e['alerts_mean']:.2f} noise {e['noise']} decoys {e['decoys']} acks {sys.argv[3]}")
PY
