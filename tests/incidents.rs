//! Incidents and routine change, through the binary (issue 20): a small network with one shared
//! jump host, eight quiet days of routine, then two nights of change and attacks.
//!
//! Routine, every day: Linux admins A1, A2, A3 (10.8.0.1–3) SSH into the jump host J
//! (10.9.0.1) one after the other and go on over SSH to their servers S1–S4; Windows admins W1,
//! W2 (10.8.0.11–12) RDP into J and go on over RDP to V1, V2; an automation host M SSHes to X
//! (so X is a known server). Sessions into J never overlap: every continuation has one
//! possible parent.
//!
//! Night 9 (2026-11-24): A3's station is replaced by 10.8.0.33 (A3 goes quiet); a new Linux
//! admin 10.8.0.44 does what the team does; A1 and A2 start working on a new server C
//! (10.32.0.99); A1's session through J goes on over WinRM to V1 (J never relayed WinRM: a
//! hijacked station); A2's session through J goes on over RDP to V2 (J relays that daily for W2,
//! but A2 never did: a stolen laptop); a CI runner R reaches a build host K ten times, which
//! each time fetches from git G (the same new path all night).
//! Night 10 (2026-11-25): the WinRM hop from A1's session again; the CI path again.

use std::path::{Path, PathBuf};

use crate::alerts::report;
use crate::sql_fixture::{T, rec, write_store};
use crate::support::tempdir;
use pivotflow::store::record::FlowRecord;

const MIN: i64 = 60_000;

/// Epoch ms of 2026-11-`day` `h`:`m` UTC, relative to the fixture's T.
fn at(day: u32, h: u32, m: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(2026, 11, day)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
        - T
}

/// `client → server:port` from `start` for `minutes`, both directions, 40 packets each way.
fn session(
    r: &mut Vec<FlowRecord>,
    client: &str,
    server: &str,
    port: u16,
    start: i64,
    minutes: i64,
) {
    let cport = 40_000 + (r.len() % 20_000) as u16;
    let end = start + minutes * MIN;
    r.push(rec("192.0.2.1", client, cport, server, port, 6, start, end, 40, 4_000));
    r.push(rec("192.0.2.1", server, port, client, cport, 6, start, end, 45, 40_000));
}

const J: &str = "10.9.0.1";
const SSH: u16 = 22;
const RDP: u16 = 3389;
const WINRM: u16 = 5985;

/// One admin episode: into J at `h`:00 for an hour, then to each target in turn.
fn episode(
    r: &mut Vec<FlowRecord>,
    day: u32,
    h: u32,
    admin: &str,
    in_port: u16,
    targets: &[(&str, u16)],
) {
    session(r, admin, J, in_port, at(day, h, 0), 60);
    for (k, (t, port)) in targets.iter().enumerate() {
        session(r, J, t, *port, at(day, h, 5 + 15 * k as u32), 10);
    }
}

fn store(name: &str) -> PathBuf {
    let mut r = Vec::new();
    for day in 16..=25 {
        let last = day >= 24;
        episode(&mut r, day, 10, "10.8.0.1", SSH, &[("10.32.0.1", SSH), ("10.32.0.2", SSH)]);
        episode(&mut r, day, 11, "10.8.0.2", SSH, &[("10.32.0.2", SSH), ("10.32.0.3", SSH)]);
        // A3, replaced on the 24th by 10.8.0.33.
        let a3 = if last { "10.8.0.33" } else { "10.8.0.3" };
        episode(&mut r, day, 13, a3, SSH, &[("10.32.0.3", SSH), ("10.32.0.4", SSH)]);
        episode(&mut r, day, 14, "10.8.0.11", RDP, &[("10.32.1.1", RDP)]);
        episode(&mut r, day, 15, "10.8.0.12", RDP, &[("10.32.1.2", RDP)]);
        session(&mut r, "10.32.5.9", "10.32.0.50", SSH, at(day, 8, 0), 5);
    }
    // Night 9: a new admin, a new server for A1 and A2, a stolen laptop (A2 → J → V2 rdp).
    episode(&mut r, 24, 16, "10.8.0.44", SSH, &[("10.32.0.1", SSH), ("10.32.0.2", SSH)]);
    session(&mut r, J, "10.32.0.99", SSH, at(24, 10, 40), 10);
    session(&mut r, J, "10.32.0.99", SSH, at(24, 11, 40), 10);
    session(&mut r, J, "10.32.1.2", RDP, at(24, 11, 50), 5);
    // Nights 9 and 10: A1's session goes on over WinRM to V1; CI through K ten times.
    for day in [24, 25] {
        session(&mut r, J, "10.32.1.1", WINRM, at(day, 10, 50), 5);
        for k in 0..10 {
            let t = at(day, 18, 0) + k * 30 * MIN;
            session(&mut r, "10.32.5.1", "10.32.5.2", SSH, t, 10);
            session(&mut r, "10.32.5.2", "10.32.5.3", SSH, t + 2 * MIN, 3);
        }
    }
    // Night 11: A1's path to V1 over WinRM again, at 03:00 instead of 10:00.
    episode(&mut r, 26, 3, "10.8.0.1", SSH, &[("10.32.1.1", WINRM)]);
    let root = tempdir(name);
    write_store(&root, &r);
    root
}

fn json(out: &Path, day: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join(day).join("chains.json")).unwrap())
        .unwrap()
}

fn incidents(r: &serde_json::Value) -> &Vec<serde_json::Value> {
    r["incidents"].as_array().unwrap()
}

/// Incidents with a chain through `host`.
fn touching<'a>(r: &'a serde_json::Value, host: &str) -> Vec<&'a serde_json::Value> {
    incidents(r)
        .iter()
        .filter(|i| i["hosts"].as_array().unwrap().iter().any(|h| h == host))
        .collect()
}

/// The incident holding a chain whose path contains `hosts` in order.
fn holding<'a>(r: &'a serde_json::Value, hosts: &[&str]) -> &'a serde_json::Value {
    let chain = r["chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            let path: Vec<&str> =
                c["hosts"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
            path.windows(hosts.len()).any(|w| w == hosts)
        })
        .unwrap_or_else(|| panic!("no chain through {hosts:?}"));
    incidents(r).iter().find(|i| i["id"] == chain["incident"]).unwrap()
}

fn reasons(i: &serde_json::Value) -> String {
    i["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The store of `store`, reported night by night from 2026-11-16 to 2026-11-24: (data, reports).
fn eight_nights(data: &str, out: &str) -> (PathBuf, PathBuf) {
    let (data, out) = (store(data), tempdir(out));
    let o = report(&data, &out, &["--since", "2026-11-16", "--until", "2026-11-24"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (data, out)
}

#[test]
fn routine_change_makes_one_named_incident_and_attacks_are_alerts_on_consecutive_nights() {
    let (data, out) = eight_nights("incidents-store", "incidents-out");
    let night = json(&out, "2026-11-24");
    let alerts: Vec<&serde_json::Value> =
        incidents(&night).iter().filter(|i| i["alert"] == true).collect();
    assert_eq!(night["alerts"], alerts.len());
    // The replaced station, the new admin and the commissioned server: one incident each at
    // most, none an alert, and it names the change.
    for (host, says) in [
        ("10.8.0.33", "a replacement or twin of 10.8.0.3"),
        ("10.8.0.44", "10.8.0.44"),
        ("10.32.0.99", "10.32.0.99 is a new server"),
    ] {
        let t = touching(&night, host);
        assert_eq!(t.len(), 1, "{host}: {:#?}", t);
        assert_eq!(t[0]["alert"], false, "{host}: {}", reasons(t[0]));
        assert!(
            reasons(t[0]).contains(says) || t[0]["cause"].as_str().unwrap().contains(host),
            "{host}: {}",
            reasons(t[0])
        );
    }
    // The CI path ten times: one incident of ten chains.
    let ci = holding(&night, &["10.32.5.1", "10.32.5.2", "10.32.5.3"]);
    assert_eq!(ci["chain_count"], 10, "{ci:#}");
    assert_eq!(touching(&night, "10.32.5.2").len(), 1);
    // The hijacked station (routine first hop, WinRM onward from a jump host that never did)
    // and the stolen laptop (a hop J makes daily for W2, new for A2) are alerts.
    let hijack = holding(&night, &["10.8.0.1", J, "10.32.1.1"]);
    assert_eq!(hijack["alert"], true, "{}", reasons(hijack));
    assert!(reasons(hijack).contains("never relayed onward over winrm"), "{}", reasons(hijack));
    let stolen = holding(&night, &["10.8.0.2", J, "10.32.1.2"]);
    assert_eq!(stolen["alert"], true, "{}", reasons(stolen));
    assert!(reasons(stolen).contains("10.8.0.2 reached 10.32.1.2 over rdp"), "{}", reasons(stolen));
    assert!(alerts.len() <= 3, "{:#?}", alerts.iter().map(|i| &i["cause"]).collect::<Vec<_>>());
    // The hijack again the next night: still an alert (an alert teaches the baseline nothing).
    let o = report(&data, &out, &["--day", "2026-11-25"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let next = json(&out, "2026-11-25");
    assert_eq!(holding(&next, &["10.8.0.1", J, "10.32.1.1"])["alert"], true);
    // The stdout table leads with the incidents.
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.starts_with(&format!("{} alert incidents", next["alerts"])), "{stdout}");
}

#[test]
fn an_acknowledged_incident_is_routine_the_next_night_and_listed() {
    let (data, out) = eight_nights("incidents-ack-store", "incidents-ack-out");
    let night = json(&out, "2026-11-24");
    let ci = holding(&night, &["10.32.5.1", "10.32.5.2", "10.32.5.3"]);
    assert_eq!(ci["alert"], true, "the new build host is new: {}", reasons(ci));
    let id = format!("2026-11-24/{}", ci["id"].as_str().unwrap());
    let reports = out.to_str().unwrap();
    let o =
        crate::support::run(&["ack", "--reports", reports, &id, "--reason", "new CI build host"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with(&format!("acknowledged {id}")));
    // A rerun of the acknowledged night itself is unchanged.
    let before = std::fs::read(out.join("2026-11-24/chains.json")).unwrap();
    assert!(report(&data, &out, &["--day", "2026-11-24"]).status.success());
    assert!(before == std::fs::read(out.join("2026-11-24/chains.json")).unwrap());
    // The next night the same path is routine, marked, and the acknowledgement is listed.
    let o = report(&data, &out, &["--day", "2026-11-25"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let next = json(&out, "2026-11-25");
    let ci = holding(&next, &["10.32.5.1", "10.32.5.2", "10.32.5.3"]);
    assert_eq!(ci["alert"], false, "{ci:#}");
    assert_eq!(next["acknowledged"][0]["id"], id.as_str());
    assert_eq!(next["acknowledged"][0]["reason"], "new CI build host");
    let md = std::fs::read_to_string(out.join("2026-11-25/summary.md")).unwrap();
    assert!(md.contains(&id) && md.contains("new CI build host"), "{md}");
    let html = std::fs::read_to_string(out.join("2026-11-25/index.html")).unwrap();
    let shown = id.replace('/', "&#x2f;");
    assert!(
        html.contains(&shown) && html.contains("new CI build host"),
        "the HTML report lists it"
    );
    // A rerun is byte-identical; withdrawing the acknowledgement brings the alert back.
    let (j, g) = (out.join("2026-11-25/chains.json"), out.join("2026-11-25/pivots.graphml"));
    let (j0, g0) = (std::fs::read(&j).unwrap(), std::fs::read(&g).unwrap());
    assert!(report(&data, &out, &["--day", "2026-11-25"]).status.success());
    assert!(j0 == std::fs::read(&j).unwrap() && g0 == std::fs::read(&g).unwrap());
    let o = crate::support::run(&["ack", "--reports", reports, "--undo", &id]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = crate::support::run(&["ack", "--reports", reports, "--list"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("withdrawn"));
    assert!(report(&data, &out, &["--day", "2026-11-25"]).status.success());
    let again = json(&out, "2026-11-25");
    assert_eq!(holding(&again, &["10.32.5.1", "10.32.5.2", "10.32.5.3"])["alert"], true);
    // Bad input: an unknown incident, a malformed id.
    let o = crate::support::run(&[
        "ack",
        "--reports",
        reports,
        "2026-11-24/incident-999",
        "--reason",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no incident-999"));
    let o = crate::support::run(&[
        "ack",
        "--reports",
        reports,
        "yesterday/incident-1",
        "--reason",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // An acknowledgement covers what it showed at its hours: A1's first WinRM hop through J
    // (10:50) acknowledged, the same path at 03:00 two nights later is judged, not waved through.
    let a1 = holding(&night, &["10.8.0.1", J, "10.32.1.1"]);
    let id = format!("2026-11-24/{}", a1["id"].as_str().unwrap());
    let o = crate::support::run(&["ack", "--reports", reports, &id, "--reason", "A1 on V1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = report(&data, &out, &["--day", "2026-11-26"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let late = json(&out, "2026-11-26");
    let a1 = holding(&late, &["10.8.0.1", J, "10.32.1.1"]);
    assert_eq!(a1["alert"], true, "{a1:#}");
    assert!(a1.get("acknowledged").is_none_or(|a| a.is_null()), "{a1:#}");
    assert!(reasons(a1).contains("03:"), "judged by its hour: {}", reasons(a1));
}
