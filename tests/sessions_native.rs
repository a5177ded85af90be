//! The native `sessions` table equals `sessions_sql` (queries/sessions.sql, the portable
//! definition) row for row on real and generated stores: every lab scenario with all its
//! exporters in one store (duplicates across observation points), the SQL fixture, and a
//! synthetic day with duplicates, active-timeout splits and IPv6.

use std::path::Path;

use crate::support::{capture_pcaps, lab_exports, run, tempdir};

/// Rows of sessions, of sessions_sql, and of each side missing from the other (multisets).
fn compare(data: &Path) -> Vec<u64> {
    let q = "SELECT (SELECT COUNT(*) FROM sessions) AS native, \
             (SELECT COUNT(*) FROM sessions_sql) AS portable, \
             (SELECT COUNT(*) FROM (SELECT * FROM sessions EXCEPT ALL SELECT * FROM sessions_sql)) AS only_native, \
             (SELECT COUNT(*) FROM (SELECT * FROM sessions_sql EXCEPT ALL SELECT * FROM sessions)) AS only_portable";
    let out = run(&["sql", "--data", data.to_str().unwrap(), "--format", "csv", q]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().nth(1).unwrap_or_else(|| panic!("no result row: {text}"));
    line.split(',').map(|v| v.parse().unwrap()).collect()
}

fn assert_equal(what: &str, data: &Path) {
    let c = compare(data);
    assert!(c[0] > 0, "{what}: no sessions at all");
    assert_eq!(c, vec![c[0], c[0], 0, 0], "{what}: native, portable, only native, only portable");
}

#[test]
fn native_sessions_equal_the_sql_view_on_every_lab_store() {
    for scenario in ["s1_onehop", "s4_cycles"] {
        let exports = lab_exports(scenario);
        let refs: Vec<&Path> = exports.iter().map(|p| p.as_path()).collect();
        let cap = capture_pcaps(&format!("sessions-native-{scenario}"), &refs);
        assert_equal(scenario, &cap.data);
    }
}

#[test]
fn native_sessions_equal_the_sql_view_on_the_fixture_and_a_synthetic_day() {
    assert_equal("sql fixture", &crate::sql_fixture::store("sessions-native-fixture"));
    let dir = tempdir("sessions-native-synth");
    let data = dir.join("flows");
    let out = run(&[
        "synth",
        "--flows",
        "40000",
        "--hosts",
        "400",
        "--exporters",
        "3",
        "--duplicates",
        "0.2",
        "--active-timeout",
        "20s",
        "--ipv6-share",
        "0.2",
        "--chains",
        "5",
        "--seed",
        "11",
        "--parquet",
        data.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_equal("synthetic day", &data);
}
