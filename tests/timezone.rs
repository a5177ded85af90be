//! `--timezone`: a network in Los Angeles, through the binary. Its admin works weekdays at
//! 16:30 local time — 00:30 UTC the next day, so in UTC every Friday evening is Saturday work.
//! Judged in its own zone it never worked a weekend, and a Saturday session says so.

use std::path::Path;

use crate::alerts::report;
use crate::sql_fixture::{T, ssh_session as session, write_store};
use crate::support::tempdir;
use pivotflow::store::record::FlowRecord;

const HOUR: i64 = 3_600_000;
const MIN: i64 = 60_000;

/// `hh:mm` local time in Los Angeles (UTC−8 in late November) on 2026-11-`day`, relative to
/// `T` (2026-11-27T10:00Z).
fn la(day: i64, hh: i64, mm: i64) -> i64 {
    (day - 27) * 24 * HOUR - 10 * HOUR + 8 * HOUR + hh * HOUR + mm * MIN
}

/// 2026-11-16 (Monday) to 2026-11-28 (Saturday): 10.8.0.5 through 10.9.0.1 to 10.32.0.1 on
/// weekdays at 16:30 and on the last Saturday at 16:30; 10.8.0.9 through 10.9.0.2 to 10.32.0.2
/// every day at 12:00 (so that weekends have flows: days of history).
fn store(root: &Path) {
    let t = chrono::DateTime::from_timestamp_millis(T + la(27, 2, 0)).unwrap();
    assert_eq!(t.to_rfc3339(), "2026-11-27T10:00:00+00:00", "02:00 in Los Angeles");
    let mut r = Vec::new();
    let mut port = 40_000;
    let mut chain = |r: &mut Vec<FlowRecord>, a: &str, j: &str, s: &str, start: i64| {
        port += 2;
        r.extend(session(a, port, j, start, start + 50 * MIN));
        r.extend(session(j, port + 1, s, start + 5 * MIN, start + 40 * MIN));
    };
    for day in 16..=28 {
        chain(&mut r, "10.8.0.9", "10.9.0.2", "10.32.0.2", la(day, 12, 0));
        let weekday = !matches!(day, 21 | 22);
        if weekday || day == 28 {
            chain(&mut r, "10.8.0.5", "10.9.0.1", "10.32.0.1", la(day, 16, 30));
        }
    }
    write_store(root, &r);
}

/// The reasons of the chain 10.8.0.5 → 10.9.0.1 → 10.32.0.1 in a night's chains.json.
fn reasons(out: &Path, day: &str) -> Vec<String> {
    let text = std::fs::read_to_string(out.join(day).join("chains.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    let hosts = serde_json::json!(["10.8.0.5", "10.9.0.1", "10.32.0.1"]);
    let c = r["chains"].as_array().unwrap().iter().find(|c| c["hosts"] == hosts);
    let c = c.unwrap_or_else(|| panic!("no chain {hosts} on {day}: {r}"));
    c["reasons"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

#[test]
fn weekends_and_report_days_are_the_networks_own() {
    let data = tempdir("tz-store");
    store(&data);

    // In Los Angeles: the report days are its days (the Saturday session in 2026-11-28), and
    // the admin never worked its weekend (21, 22): full weight.
    let local = tempdir("tz-local");
    let days = ["--since", "2026-11-16", "--until", "2026-11-28"];
    let mut args = days.to_vec();
    args.extend(["--timezone", "America/Los_Angeles"]);
    let o = report(&data, &local, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let why = reasons(&local, "2026-11-28");
    let weekend =
        "10.8.0.5 started it on a Saturday; it had no admin session on the 2 weekend days";
    assert!(why.iter().any(|r| r.starts_with(weekend)), "{why:?}");
    // The outputs say whose day it is.
    let day = local.join("2026-11-28");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(day.join("chains.json")).unwrap()).unwrap();
    assert_eq!(json["timezone"], "America/Los_Angeles");
    let md = std::fs::read_to_string(day.join("summary.md")).unwrap();
    assert!(md.contains("The network's day in America/Los_Angeles"), "{md}");
    let html = std::fs::read_to_string(day.join("index.html")).unwrap();
    assert!(html.contains("weekends in America&#x2f;Los_Angeles"), "{html}");

    // In UTC the same session is on Sunday the 29th, and the Friday evenings were Saturdays
    // (the 21st and the 28th): it "worked" 2 of 3 weekend days.
    let utc = tempdir("tz-utc");
    let o = report(&data, &utc, &["--since", "2026-11-16", "--until", "2026-11-29"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let why = reasons(&utc, "2026-11-29");
    let weekend =
        "10.8.0.5 started it on a Sunday; it had admin sessions on 2 of the 3 weekend days";
    assert!(why.iter().any(|r| r.starts_with(weekend)), "{why:?}");

    // A zone that does not exist is named.
    let o = report(&data, &utc, &["--day", "2026-11-28", "--timezone", "Mars/Olympus"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--timezone") && err.contains("Mars/Olympus"), "{err}");
}

/// 2026-11-16 to 2026-11-27: three admins (10.8.0.5–7) through 10.9.0.1, each weekday one
/// session at 10:00, 12:00, 13:00 or 15:00 in Los Angeles (18:00–23:00 UTC), in turn.
fn la_team(root: &Path) {
    let mut r = Vec::new();
    let mut port = 40_000;
    for day in (16..=27).filter(|d| !matches!(d, 21 | 22)) {
        for k in 0..3 {
            let hour = [10, 12, 13, 15][(day + k) as usize % 4];
            let (a, s) = (format!("10.8.0.{}", 5 + k), format!("10.32.0.{}", 1 + k));
            let start = la(day, hour, 0);
            port += 2;
            r.extend(session(&a, port, "10.9.0.1", start, start + 50 * MIN));
            r.extend(session("10.9.0.1", port + 1, &s, start + 5 * MIN, start + 40 * MIN));
        }
    }
    write_store(root, &r);
}

#[test]
fn a_working_day_far_from_utc_is_pointed_out_until_the_zone_is_given() {
    let data = tempdir("tz-hint-store");
    la_team(&data);
    let days = ["--since", "2026-11-16", "--until", "2026-11-28"];
    let json = |out: &Path| -> serde_json::Value {
        let text = std::fs::read_to_string(out.join("2026-11-27/chains.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    };

    // Without --timezone: the admins' hours (18:00–24:00 UTC, middle 20:30) are UTC−8's
    // working day, and every output says so.
    let out = tempdir("tz-hint-utc");
    let o = report(&data, &out, &days);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let hint = json(&out)["timezone_hint"].as_str().map(str::to_string);
    let hint = hint.unwrap_or_else(|| panic!("no timezone_hint: {}", json(&out)));
    assert!(
        hint.contains("the 3 origins") && hint.contains("between 18:00 and 00:00 UTC"),
        "{hint}"
    );
    assert!(hint.contains("about UTC-8") && hint.contains("e.g. America/Los_Angeles"), "{hint}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("a working day of about UTC-8"), "{stderr}");
    let md = std::fs::read_to_string(out.join("2026-11-27/summary.md")).unwrap();
    assert!(md.contains("**Time zone?** The admin sessions of the 3 origins"), "{md}");
    let html = std::fs::read_to_string(out.join("2026-11-27/index.html")).unwrap();
    assert!(html.contains(r#"id="timezone-hint""#), "{html}");
    // The first night has no history to read hours from.
    let first = std::fs::read_to_string(out.join("2026-11-16/chains.json")).unwrap();
    assert!(!first.contains("timezone_hint"), "{first}");

    // With the zone, or with UTC chosen, nothing to point out.
    for zone in ["America/Los_Angeles", "UTC"] {
        let out = tempdir("tz-hint-given");
        let mut args = days.to_vec();
        args.extend(["--timezone", zone]);
        let o = report(&data, &out, &args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(json(&out).get("timezone_hint"), None, "{zone}");
        assert!(!String::from_utf8_lossy(&o.stderr).contains("working day of about"), "{zone}");
    }
}
