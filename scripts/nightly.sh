#!/usr/bin/env bash
# Nightly pivot report for yesterday (UTC): REPORTS/YYYY-MM-DD/{pivots.graphml,chains.json,summary.md}.
# Rerunning replaces that day's folder. Use from cron or a systemd timer (see README).
#
# Usage: scripts/nightly.sh DATA_DIR REPORTS_DIR [extra pivot options, e.g. --trusted 10.0.9.0/24]
set -euo pipefail
DATA="${1:?usage: nightly.sh DATA_DIR REPORTS_DIR [options]}"
REPORTS="${2:?usage: nightly.sh DATA_DIR REPORTS_DIR [options]}"
shift 2
BIN="${PIVOTFLOW_BIN:-pivotflow}"
exec "$BIN" --quiet report --data "$DATA" --day yesterday --out "$REPORTS" "$@"
