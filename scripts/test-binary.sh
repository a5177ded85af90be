#!/usr/bin/env bash
# Build the integration-test binary (debug) and print its path, for scripts that run one long
# test directly (cargo would hold the target folder's lock for the whole run).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivotflow-target}"
cargo test --test tests --no-run --message-format=json 2>/dev/null | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "tests" and m.get("executable"):
        print(m["executable"])'
