//! Golden outputs of every shipped query and the sessions view on the fixture of
//! `sql_fixture.rs`; expected files in tests/golden/ were worked out by hand from the fixture.

use std::path::Path;

use crate::sql_fixture;
use crate::support::run;

fn sql(data: &Path, args: &[&str]) -> String {
    let mut argv = vec!["sql", "--data", data.to_str().unwrap()];
    if !args.contains(&"--format") {
        argv.extend(["--format", "csv"]);
    }
    argv.extend_from_slice(args);
    let out = run(&argv);
    assert!(out.status.success(), "sql {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

pub(crate) fn golden(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name))
        .unwrap()
}

pub(crate) fn query(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("queries").join(name).display().to_string()
}

#[test]
fn sessions_view_merges_directions_splits_and_duplicates() {
    let data = sql_fixture::store("sql-sessions");
    let got = sql(&data, &["SELECT * FROM sessions ORDER BY start_ms, client_addr"]);
    assert_eq!(got, golden("sessions.csv"));
}

#[test]
fn an_admin_port_used_as_ephemeral_port_does_not_make_a_server() {
    use sql_fixture::rec;
    let e = "192.0.2.1";
    // 10.0.0.10 queries SNMP from source port 3389; 10.0.0.12 opens SSH from source port 3389.
    // The answers' records start 1 ms earlier (exporter timing), so "earliest sender is the
    // client" alone would get both wrong.
    let records = [
        rec(e, "10.0.0.10", 3389, "10.0.0.11", 161, 17, 1_000, 1_100, 2, 180),
        rec(e, "10.0.0.11", 161, "10.0.0.10", 3389, 17, 999, 1_100, 2, 400),
        rec(e, "10.0.0.12", 3389, "10.0.0.13", 22, 6, 2_000, 9_000, 20, 3_000),
        rec(e, "10.0.0.13", 22, "10.0.0.12", 3389, 6, 1_999, 9_000, 25, 9_000),
    ];
    let data = crate::support::tempdir("sql-ephemeral-admin-port");
    sql_fixture::write_store(&data, &records);
    let got = sql(
        &data,
        &[
            "SELECT client_addr, client_port, server_addr, server_port FROM sessions ORDER BY start_ms",
        ],
    );
    assert_eq!(
        got,
        "client_addr,client_port,server_addr,server_port\n\
         10.0.0.10,3389,10.0.0.11,161\n\
         10.0.0.12,3389,10.0.0.13,22\n"
    );
}

/// Every shipped query with the parameters its golden output was made with.
pub(crate) const CASES: &[(&str, &[&str])] = &[
    ("top_talkers", &[]),
    ("top_services", &[]),
    ("admin_sessions", &["--param", "host=10.0.0.2"]),
    // 10:04 is after S1 but before S6 reuses S1's pair: only the next hour's pair is new.
    ("new_pairs", &["--param", "period_start=2026-11-27T10:04:00Z"]),
    ("exporter_health", &[]),
    ("flows_by_hour", &[]),
    // S6 (2 packets out, none back) is a scan-like session, not a hop.
    ("hops", &["--param", "min_packets=2", "--param", "min_bytes=0"]),
    // .2 and .3 both serve (ssh, rdp) and connect onward (rdp, winrm); .1 only connects.
    ("pivot_hosts", &["--param", "min_packets=2"]),
    // The same two here (a superset of pivot_hosts in general; cluster tests compare chains).
    ("pivot_host_candidates", &["--param", "min_packets=2"]),
    // S1 and S6 share a 5-tuple: one connection; S3's duplicate records are one too.
    ("admin_pairs", &["--param", "min_packets=2"]),
];

#[test]
fn every_shipped_query_matches_its_golden_output() {
    let data = sql_fixture::store("sql-queries");
    let cases = CASES;
    let mut shipped: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("queries"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".sql").to_string())
            // sessions: its own golden test above; pivot_hops: needs the hops table, tested below.
            .filter(|n| n != "sessions" && !n.starts_with("pivot_hops"))
            .collect();
    shipped.sort();
    let mut covered: Vec<String> = cases.iter().map(|(n, _)| n.to_string()).collect();
    covered.sort();
    assert_eq!(shipped, covered, "every file in queries/ needs a golden test");
    for (name, params) in cases {
        let file = query(&format!("{name}.sql"));
        let mut args = vec!["-f", file.as_str()];
        args.extend_from_slice(params);
        assert_eq!(sql(&data, &args), golden(&format!("{name}.csv")), "query {name}");
    }
}

#[test]
fn shipped_sql_runs_unchanged_in_duckdb_with_the_same_output() {
    // Portability: the store is plain hive-partitioned Parquet and the SQL standard enough that
    // a second engine gives the same answers (scripts/check-duckdb.py; .ci/run installs duckdb).
    let data = sql_fixture::store("sql-duckdb");
    let cases: serde_json::Map<String, serde_json::Value> = CASES
        .iter()
        .map(|(name, args)| {
            let params: serde_json::Map<String, serde_json::Value> = args
                .chunks(2)
                .map(|kv| {
                    let (k, v) = kv[1].split_once('=').unwrap();
                    (k.to_string(), serde_json::Value::from(v))
                })
                .collect();
            (name.to_string(), serde_json::Value::Object(params))
        })
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3")
        .arg(root.join("scripts/check-duckdb.py"))
        .arg(&data)
        .arg(root.join("queries"))
        .arg(root.join("tests/golden"))
        .arg(serde_json::Value::Object(cases).to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn since_until_select_arrival_hours() {
    let data = sql_fixture::store("sql-range");
    let q = "SELECT count(*) AS n FROM flows";
    assert_eq!(sql(&data, &[q]), "n\n20\n");
    assert_eq!(sql(&data, &[q, "--since", "2026-11-27T11:00:00Z"]), "n\n2\n");
    assert_eq!(sql(&data, &[q, "--until", "2026-11-27T11:00:00Z"]), "n\n18\n");
    // Arrival 10:00:04 .. 10:00:07 (exclusive): S5's first record (4.0 s), S7 (5.0, 5.0),
    // S5's second (4.5 s), S3 (7.0 s) is excluded, S7's reply arrives at 5.001 s.
    assert_eq!(
        sql(&data, &[q, "--since", "2026-11-27T10:00:04Z", "--until", "2026-11-27T10:00:07Z"]),
        "n\n5\n"
    );
}

#[test]
fn output_formats() {
    let data = sql_fixture::store("sql-formats");
    let q = "SELECT src_addr, bytes FROM flows WHERE bytes = 80000";
    assert_eq!(sql(&data, &[q, "--format", "tsv"]), "src_addr\tbytes\n10.0.0.9\t80000\n");
    assert_eq!(
        sql(&data, &[q, "--format", "json"]),
        "[{\"src_addr\":\"10.0.0.9\",\"bytes\":80000}]\n"
    );
    assert_eq!(
        sql(&data, &[q, "--format", "ndjson"]),
        "{\"src_addr\":\"10.0.0.9\",\"bytes\":80000}\n"
    );
    let table = sql(&data, &[q, "--format", "table"]);
    assert!(table.contains("| 10.0.0.9 | 80000 |"), "{table}");
    let out = data.join("result.parquet");
    sql(&data, &[q, "--format", "parquet", "--output", out.to_str().unwrap()]);
    let rows: usize = crate::support::read_parquet(&out).iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 1);
    assert_eq!(sql(&data, &["SELECT src_addr FROM flows WHERE bytes < 0"]), "src_addr\n");
}

#[test]
fn sql_errors_name_the_query_and_position_and_exit_5() {
    let data = sql_fixture::store("sql-errors");
    let out = run(&["sql", "--data", data.to_str().unwrap(), "SELEC count(*) FROM flows"]);
    assert_eq!(out.status.code(), Some(5));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("query (command line)") && err.contains("Line: 1, Column"), "{err}");
    let f = query("admin_sessions.sql");
    let out = run(&["sql", "--data", data.to_str().unwrap(), "-f", &f]);
    assert_eq!(out.status.code(), Some(5), "missing $host must fail");
    assert!(String::from_utf8_lossy(&out.stderr).contains("admin_sessions.sql"));
}

#[test]
fn params_are_bound_not_pasted() {
    let data = sql_fixture::store("sql-params");
    // A value that would break out of a string literal if pasted stays one harmless value.
    let q = "SELECT count(*) AS n FROM flows WHERE src_addr = $host";
    assert_eq!(sql(&data, &[q, "--param", "host=10.0.0.1' OR '1'='1"]), "n\n0\n");
    assert_eq!(sql(&data, &[q, "--param", "host=10.0.0.1"]), "n\n3\n");
    assert_eq!(
        sql(&data, &["SELECT count(*) AS n FROM flows WHERE dst_port = $p", "--param", "p=22"]),
        "n\n3\n"
    );
}

#[test]
fn memory_limit_failure_is_a_clear_error() {
    let data = sql_fixture::store("sql-memory");
    let q = "SELECT a.src_addr, count(*) FROM flows a CROSS JOIN flows b CROSS JOIN flows c GROUP BY 1 ORDER BY 2";
    let out = run(&["sql", "--data", data.to_str().unwrap(), q, "--memory-limit", "1K"]);
    assert_eq!(out.status.code(), Some(5));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--memory-limit"), "{err}");
}

#[test]
fn closed_pipe_is_a_normal_end() {
    let data = sql_fixture::store("sql-pipe");
    let mut child = std::process::Command::new(crate::support::bin())
        .args(["sql", "--data", data.to_str().unwrap(), "--format", "csv"])
        .arg("SELECT * FROM flows a CROSS JOIN flows b CROSS JOIN flows c")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before any row is written
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn pivot_hops_links_hops_that_leave_a_target_during_its_session() {
    use pivotflow::pivot::{hops, rules::PivotRules};
    use pivotflow::sql::context::{SqlSettings, flow_context};
    let data = sql_fixture::store("sql-pivot-hops");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (hops, pairs) = rt.block_on(async {
        let ctx = flow_context(&data, Default::default(), &SqlSettings::default()).await.unwrap();
        hops::load(&ctx, &PivotRules::default()).await.unwrap()
    });
    assert_eq!(hops.len(), 4);
    // ssh 10.0.0.1→.2, then rdp .2→.3 starts inside it, then winrm .3→.4 inside the rdp session.
    assert_eq!(pairs, vec![(0, 1), (1, 2)]);
    let out = crate::support::tempdir("sql-pivot-hops-out");
    let r = crate::support::pivots_json(&data, &out, &[]);
    assert_eq!(
        r["chains"][0]["hosts"],
        serde_json::json!(["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"])
    );
    assert_eq!(r["chains"][0]["services"], serde_json::json!(["rdp", "ssh", "winrm"]));
    assert_eq!(r["chains"].as_array().unwrap().len(), 1);
}

#[test]
fn pivots_history_reaches_back_as_far_as_history_days_says() {
    use sql_fixture::{T, rec};
    let e = "192.0.2.1";
    // The same chain A → B → C twice: two days before the period and inside it.
    let chain = |t: i64| {
        vec![
            rec(e, "10.1.0.1", 50000, "10.1.0.2", 22, 6, t, t + 600_000, 50, 5_000),
            rec(e, "10.1.0.2", 22, "10.1.0.1", 50000, 6, t, t + 600_000, 60, 50_000),
            rec(e, "10.1.0.2", 50001, "10.1.0.3", 22, 6, t + 60_000, t + 300_000, 40, 4_000),
            rec(e, "10.1.0.3", 22, "10.1.0.2", 50001, 6, t + 60_000, t + 300_000, 45, 40_000),
        ]
    };
    let mut records = chain(-2 * 86_400_000);
    records.extend(chain(0));
    // The day between has traffic, but not this chain (a day without any data is no history).
    let t = -86_400_000;
    records.push(rec(e, "10.1.0.7", 50007, "10.1.0.8", 22, 6, t, t + 60_000, 20, 2_000));
    records.push(rec(e, "10.1.0.8", 22, "10.1.0.7", 50007, 6, t, t + 60_000, 20, 9_000));
    let data = crate::support::tempdir("pivots-history");
    sql_fixture::write_store(&data, &records);
    // `report` keeps the history of the two days before.
    let reports = crate::support::tempdir("pivots-history-reports");
    let o = crate::support::run(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--out",
        reports.to_str().unwrap(),
        "--since",
        "2026-11-25",
        "--until",
        "2026-11-26",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let history = reports.join("history");
    let since = chrono::DateTime::from_timestamp_millis(T - 3_600_000).unwrap().to_rfc3339();
    let new_pairs = |days: &str| {
        let out = crate::support::tempdir(&format!("pivots-history-out-{days}"));
        let args =
            ["--since", &since, "--history", history.to_str().unwrap(), "--history-days", days];
        let r = crate::support::pivots_json(&data, &out, &args);
        assert_eq!(r["chains"].as_array().unwrap().len(), 1, "{r}");
        r["chains"][0]["new_pairs"].as_u64().unwrap()
    };
    assert_eq!(new_pairs("28"), 0, "both pairs were seen two days before");
    assert_eq!(new_pairs("1"), 2, "a one-day history does not reach them");
}

#[test]
fn exporter_health_median_equals_median_on_varied_delays() {
    use sql_fixture::rec;
    // Three exporters with odd, even (middle values of odd sum: truncation) and negative
    // delays, each repeated so the histogram has counts above one.
    let mut records = Vec::new();
    let delays: [(&str, &[i64]); 3] = [
        ("192.0.2.1", &[5, 900, 900, 1_200, 40_000]),
        ("192.0.2.2", &[0, 3, 4, 1_001, 1_001, 7_001]),
        ("192.0.2.3", &[-5_000, -1_500, 10, 10, 11, 250, 251, 252]),
    ];
    for (e, ds) in delays {
        for (i, d) in ds.iter().enumerate() {
            let mut r = rec(e, "10.0.0.1", 40_000 + i as u16, "10.0.0.2", 22, 6, 0, 100, 3, 300);
            r.received_ms = r.flow_end_ms + d;
            records.push(r);
        }
    }
    let data = crate::support::tempdir("sql-health-median");
    sql_fixture::write_store(&data, &records);
    let got = sql(&data, &["-f", &query("exporter_health.sql")]);
    let want = sql(
        &data,
        &["SELECT exporter_addr, CAST(median(received_ms - flow_end_ms) AS BIGINT) AS p50, \
           SUM(CASE WHEN flow_end_ms > received_ms + 1000 THEN 1 ELSE 0 END) AS ahead \
           FROM flows GROUP BY exporter_addr ORDER BY exporter_addr"],
    );
    let cols = |text: &str, idx: &[usize]| -> Vec<String> {
        text.lines()
            .skip(1)
            .map(|l| {
                let v: Vec<&str> = l.split(',').collect();
                idx.iter().map(|i| v[*i]).collect::<Vec<_>>().join(",")
            })
            .collect()
    };
    // exporter, p50, clock_ahead; the medians are 900, 502 (= (4 + 1001) / 2 truncated) and
    // 10 (= (10 + 11) / 2 truncated).
    assert_eq!(cols(&got, &[0, 6, 8]), cols(&want, &[0, 1, 2]));
    assert_eq!(cols(&want, &[1, 2]), ["900,0", "502,0", "10,2"]);
}
