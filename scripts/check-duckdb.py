#!/usr/bin/env python3
"""Run pivotflow's shipped SQL unchanged in DuckDB, the portability check behind "keep the SQL
standard so DuckDB, Spark or a distributed DataFusion can read the store".

Usage: check-duckdb.py STORE QUERIES_DIR GOLDEN_DIR CASES_JSON
  CASES_JSON: {"query name": {"param": "value", ...}, ...}; each query's output must equal
  GOLDEN_DIR/<name>.csv (the golden output pivotflow itself is tested against). The sessions
  view and both continuation joins (queries/pivot_hops*.sql) are checked too.
Prints one line per mismatch and exits 1 if there is any.
"""
import csv, io, json, re, sys

import duckdb

store, queries, golden, cases = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
con = duckdb.connect()
con.execute(
    f"CREATE VIEW flows AS SELECT * FROM read_parquet('{store}/date=*/hour=*/*.parquet', "
    "hive_partitioning = true, hive_types_autocast = false)"
)
con.execute("CREATE TABLE services (name VARCHAR, proto INTEGER, port INTEGER)")
con.executemany(
    "INSERT INTO services VALUES (?, ?, ?)",
    [("ssh", 6, 22), ("rdp", 6, 3389), ("rdp", 17, 3389), ("winrm", 6, 5985), ("winrm", 6, 5986)],
)


def sql_of(name, params):
    text = open(f"{queries}/{name}.sql").read()
    for key, value in params.items():
        literal = value if re.fullmatch(r"-?\d+", value) else "'" + value.replace("'", "''") + "'"
        text = re.sub(r"\$" + key + r"\b", literal, text)
    return text.strip().rstrip(";")


con.execute(sql_of("sessions", {}))
failures = 0


def csv_of(cur):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([d[0] for d in cur.description])
    for row in cur.fetchall():
        w.writerow(["" if v is None else v for v in row])
    return out.getvalue()


# The sessions view itself, as its golden test queries it.
got = csv_of(con.execute("SELECT * FROM sessions ORDER BY start_ms, client_addr"))
if got != open(f"{golden}/sessions.csv").read():
    failures += 1
    print(f"sessions view: DuckDB differs\n{got}")

# The continuation joins (bucketed and plain) over the fixture's hops: S1 -> S2 -> S3.
con.execute(
    "CREATE TABLE hops AS SELECT row_number() OVER (ORDER BY start_ms, client_addr, client_port, "
    "server_addr) - 1 AS hop_id, * FROM (" + sql_of("hops", {"min_packets": "2", "min_bytes": "0"}) + ")"
)
for name in ["pivot_hops", "pivot_hops_plain"]:
    pairs = con.execute(sql_of(name, {"skew_ms": "2000", "slack_ms": "0", "bucket_ms": "300000"})).fetchall()
    if pairs != [(0, 1), (1, 2)]:
        failures += 1
        print(f"{name}: DuckDB gives {pairs}, expected [(0, 1), (1, 2)]")
for name, params in cases.items():
    try:
        got = csv_of(con.execute(sql_of(name, params)))
    except Exception as e:  # noqa: BLE001 - report any engine error as a failure
        got = f"error: {e}"
    want = open(f"{golden}/{name}.csv").read()
    if got != want:
        failures += 1
        print(f"{name}: DuckDB differs\n--- DuckDB\n{got}\n--- golden\n{want}")
sys.exit(1 if failures else 0)
