//! A chain whose sessions straddle midnight, through the binary: the parent session is exported
//! when it ends (after midnight, as Zeek and end-of-flow exporters do), its child before. Each
//! night reads only what arrived that day, so without the look-back neither night had both.

use std::collections::BTreeSet;
use std::path::Path;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::alerts::report;
use crate::sql_fixture::{T, ssh_session as session, write_store};
use crate::support::{run, tempdir};

const HOUR: i64 = 3_600_000;
const MIN: i64 = 60_000;
/// Midnight between 2026-11-26 and 2026-11-27, relative to `T` (10:00 on the 27th).
const MIDNIGHT: i64 = -10 * HOUR;

/// 10.8.0.5 → 10.9.0.1 from 22:00 to 00:30, and 10.9.0.1 → 10.32.0.1 from 23:00 to 23:30
/// (straddling); 10.8.0.6 → 10.9.0.2 → 10.32.0.2 from 18:00 to 20:00 (the 26th's alone);
/// 10.8.0.7 → 10.9.0.3 from 22:00 to 00:20 exported in two pieces (an active timeout: one to
/// 23:30 before midnight, the rest after) carrying 10.9.0.3 → 10.32.0.3 from 22:30 to 23:00
/// (the 26th saw it whole enough).
pub fn store(root: &Path) {
    let mut r = Vec::new();
    r.extend(session("10.8.0.7", 50_004, "10.9.0.3", MIDNIGHT - 2 * HOUR, MIDNIGHT - 30 * MIN));
    r.extend(session("10.8.0.7", 50_004, "10.9.0.3", MIDNIGHT - 30 * MIN, MIDNIGHT + 20 * MIN));
    r.extend(session("10.9.0.3", 50_005, "10.32.0.3", MIDNIGHT - 90 * MIN, MIDNIGHT - HOUR));
    r.extend(session("10.8.0.5", 50_000, "10.9.0.1", MIDNIGHT - 2 * HOUR, MIDNIGHT + 30 * MIN));
    r.extend(session("10.9.0.1", 50_001, "10.32.0.1", MIDNIGHT - HOUR, MIDNIGHT - 30 * MIN));
    r.extend(session("10.8.0.6", 50_002, "10.9.0.2", MIDNIGHT - 6 * HOUR, MIDNIGHT - 4 * HOUR));
    r.extend(session(
        "10.9.0.2",
        50_003,
        "10.32.0.2",
        MIDNIGHT - 5 * HOUR,
        MIDNIGHT - 4 * HOUR - 30 * MIN,
    ));
    assert_eq!(pivotflow::store::partition::HourPartition::of(T + MIDNIGHT).key(), "2026112700");
    write_store(root, &r);
}

/// The paths of a night's chains.
fn paths(out: &Path, day: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(out.join(day).join("chains.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    r["chains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let hosts: Vec<&str> =
                c["hosts"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
            hosts.join(" -> ")
        })
        .collect()
}

/// The (client, server) pairs of a night's history facts.
fn facts(out: &Path, day: &str) -> BTreeSet<(String, String)> {
    let file = std::fs::File::open(out.join(day).join("history/hops.parquet")).unwrap();
    let mut pairs = BTreeSet::new();
    for b in ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap() {
        let b = b.unwrap();
        let text = |name: &str| {
            let c = b.column_by_name(name).unwrap();
            let c = c.as_any().downcast_ref::<datafusion::arrow::array::StringArray>().unwrap();
            c.iter().map(|v| v.unwrap_or_default().to_string()).collect::<Vec<_>>()
        };
        pairs.extend(text("client").into_iter().zip(text("server")));
    }
    pairs
}

fn pair(c: &str, s: &str) -> (String, String) {
    (c.to_string(), s.to_string())
}

#[test]
fn a_chain_straddling_midnight_is_reported_once_by_the_night_it_ends_in() {
    let data = tempdir("lookback-store");
    store(&data);
    let days = ["--since", "2026-11-26", "--until", "2026-11-27"];
    let straddling = "10.8.0.5 -> 10.9.0.1 -> 10.32.0.1";
    let evening = "10.8.0.6 -> 10.9.0.2 -> 10.32.0.2";
    let pieces = "10.8.0.7 -> 10.9.0.3 -> 10.32.0.3";

    let out = tempdir("lookback-out");
    let o = report(&data, &out, &days);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The 26th had the child but not yet its parent; the 27th reads the evening before as
    // well and reports the chain, and not the 26th's chains again (the one whose parent was
    // exported in pieces included: the 26th saw the child inside the first piece).
    let both = BTreeSet::from([evening.to_string(), pieces.to_string()]);
    assert_eq!(paths(&out, "2026-11-26"), both);
    assert_eq!(paths(&out, "2026-11-27"), BTreeSet::from([straddling.to_string()]));
    // The night's counts are its own arrivals: two hops (the parent and the pieced session),
    // their four records.
    let text = std::fs::read_to_string(out.join("2026-11-27/chains.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!((r["hops"].as_u64(), r["service_flows"].as_u64()), (Some(2), Some(4)), "{r}");
    // Each night's history facts are its own arrivals only: the child is the 26th's.
    let (f26, f27) = (facts(&out, "2026-11-26"), facts(&out, "2026-11-27"));
    assert!(f26.contains(&pair("10.9.0.1", "10.32.0.1")), "{f26:?}");
    assert!(!f26.contains(&pair("10.8.0.5", "10.9.0.1")), "{f26:?}");
    assert_eq!(f27, BTreeSet::from([pair("10.8.0.5", "10.9.0.1"), pair("10.8.0.7", "10.9.0.3")]));

    // `pivots` over the 27th alike.
    let o = run(&[
        "pivots",
        "--data",
        data.to_str().unwrap(),
        "--since",
        "2026-11-27",
        "--until",
        "2026-11-28",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let hosts: Vec<&serde_json::Value> =
        r["chains"].as_array().unwrap().iter().map(|c| &c["hosts"]).collect();
    assert_eq!(hosts, [&serde_json::json!(["10.8.0.5", "10.9.0.1", "10.32.0.1"])]);

    // Without the look-back the straddling chain is in neither night.
    let off = tempdir("lookback-off");
    let mut args = days.to_vec();
    args.extend(["--lookback", "0s"]);
    let o = report(&data, &off, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(paths(&off, "2026-11-26"), both);
    assert!(paths(&off, "2026-11-27").is_empty());
    // A look-back shorter than the gap between the child's arrival and midnight misses it too.
    let short = tempdir("lookback-short");
    let mut args = days.to_vec();
    args.extend(["--lookback", "20m"]);
    let o = report(&data, &short, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(paths(&short, "2026-11-27").is_empty());
}
