//! `--leases`: an admin laptop on a DHCP pool keeps one history, through the binary.

use std::path::Path;

use crate::alerts::report;
use crate::sql_fixture::{T, ssh_session as session, write_store};
use crate::support::tempdir;

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
const MIN: i64 = 60_000;

/// The laptop's address on day `d` before the last (0: the last day).
fn address(d: i64) -> String {
    format!("10.8.1.{}", if d == 0 { 99 } else { 10 + d })
}

/// Eight days, 2026-11-20 .. 2026-11-27 (T is 10:00 on the last): Alice's laptop has a new
/// address every day and works at 09:00 and 14:00 through the jump host J = 10.9.0.1 on
/// S = 10.32.0.1; on the last day only at 22:00.
fn store(root: &Path) {
    let mut r = Vec::new();
    for d in (1..8).rev() {
        let t = -d * DAY;
        for (k, at) in [-HOUR, 4 * HOUR].into_iter().enumerate() {
            let p = 50_000 + 2 * k as u16;
            r.extend(session(&address(d), p, "10.9.0.1", t + at, t + at + 50 * MIN));
            r.extend(session("10.9.0.1", p + 1, "10.32.0.1", t + at + 5 * MIN, t + at + 40 * MIN));
        }
    }
    let at = 12 * HOUR;
    r.extend(session(&address(0), 50_100, "10.9.0.1", at, at + 50 * MIN));
    r.extend(session("10.9.0.1", 50_101, "10.32.0.1", at + 5 * MIN, at + 40 * MIN));
    write_store(root, &r);
}

/// The leases: each day's address to `alice` from 07:00 to 07:00 the next day.
fn leases(path: &Path) {
    let mut text = String::from("address,identity,from,until\n");
    for d in 0..8 {
        let from = (T - d * DAY - 3 * HOUR) / 1000;
        text.push_str(&format!("{},alice,{from},{}\n", address(d), from + 86_400));
    }
    std::fs::write(path, text).unwrap();
}

/// The same leases as Zeek's `dhcp.log` (TSV, gzip'd) would have them: a DISCOVER without an
/// address, then an ACK for a day to the laptop's MAC address.
fn dhcp_log(path: &Path) {
    let mut text = String::from(
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdhcp\n\
         #fields\tts\tuids\tclient_addr\tserver_addr\tmac\thost_name\tassigned_addr\tlease_time\tmsg_types\n\
         #types\ttime\tset[string]\taddr\taddr\tstring\tstring\taddr\tinterval\tvector[string]\n",
    );
    for d in (0..8).rev() {
        let from = (T - d * DAY - 3 * HOUR) / 1000;
        text.push_str(&format!("{}.000000\tC{d}a\t-\t-\t{MAC}\talice\t-\t-\tDISCOVER\n", from - 1));
        text.push_str(&format!(
            "{from}.000000\tC{d}b\t{a}\t10.8.0.254\t{MAC}\talice\t{a}\t86400.000000\tREQUEST,ACK\n",
            a = address(d)
        ));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
    std::fs::write(path, gz.finish().unwrap()).unwrap();
}

const MAC: &str = "00:00:5e:00:53:01";

fn evening_chain(out: &Path, origin: &str) -> serde_json::Value {
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("2026-11-27/chains.json")).unwrap())
            .unwrap();
    let hosts = serde_json::json!([origin, "10.9.0.1", "10.32.0.1"]);
    r["chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["hosts"] == hosts)
        .unwrap_or_else(|| panic!("no chain {hosts} in {r}"))
        .clone()
}

fn reasons(c: &serde_json::Value) -> Vec<String> {
    c["reasons"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

#[test]
fn a_laptop_whose_address_changes_daily_keeps_its_working_hours_with_leases() {
    let data = tempdir("leases-store");
    store(&data);
    let file = data.join("leases.csv");
    leases(&file);
    let days = ["--since", "2026-11-20", "--until", "2026-11-27"];

    // Without the leases every day's address is a new host: at best the twin rule lends it
    // yesterday's address's record (one day), too little to judge its working hours by.
    let plain = tempdir("leases-out-plain");
    let o = report(&data, &plain, &days);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let c = evening_chain(&plain, "10.8.1.99");
    assert!(
        !reasons(&c).iter().any(|r| r.contains("started it at") && !r.contains("on its 1 day ")),
        "{c}"
    );
    assert_eq!(c["alert"], false, "{c}");

    // With them the laptop is one host with seven days of working hours, and 22:00 is eight
    // hours from any of them: an alert.
    let leased = tempdir("leases-out");
    let mut args = days.to_vec();
    let f = file.to_str().unwrap();
    args.extend(["--leases", f]);
    let events = leased.join("events.jsonl");
    let e = events.to_str().unwrap();
    args.extend(["--events", e]);
    let o = report(&data, &leased, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let c = evening_chain(&leased, "alice");
    let why = reasons(&c);
    assert!(
        why.iter().any(|r| r.starts_with(
            "alice started it at 22:00 UTC, 8 hours from any hour it started an admin session on its 7 days with them"
        )),
        "{why:?}"
    );
    assert_eq!(c["alert"], true, "{c}");
    // The report says which address the identity had tonight (chains.json, and in the path).
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(leased.join("2026-11-27/chains.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        r["hosts"]["alice"],
        serde_json::json!({"entry": "lease", "addresses": ["10.8.1.99"]}),
        "{}",
        r["hosts"]
    );
    let md = std::fs::read_to_string(leased.join("2026-11-27/summary.md")).unwrap();
    assert!(md.contains("alice (10.8.1.99) → 10.9.0.1 → 10.32.0.1"), "{md}");
    // The SIEM event names the identity where ECS takes any text, never as an IP.
    let text = std::fs::read_to_string(&events).unwrap();
    let event: serde_json::Value = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["pivotflow"]["path"][0] == "alice")
        .unwrap_or_else(|| panic!("no event from alice in {text}"));
    assert_eq!(event["source"]["address"], "alice", "{event}");
    assert!(event["source"].get("ip").is_none(), "{event}");
    assert_eq!(event["destination"]["ip"], "10.32.0.1", "{event}");
    assert!(event["related"]["hosts"].as_array().unwrap().contains(&"alice".into()), "{event}");
    assert!(!event["related"]["ip"].as_array().unwrap().contains(&"alice".into()), "{event}");

    // The history keeps the identity, not the day's address.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let facts = pivotflow::pivot::history::read_day(&leased.join("history"), day).unwrap();
    let clients: std::collections::BTreeSet<&str> =
        facts.hops.iter().map(|f| f.client.as_str()).collect();
    assert_eq!(clients, ["10.9.0.1", "alice"].into(), "{:?}", facts.hops);

    // `sql --leases`: who held an address when, joined to the sessions.
    let o = crate::support::run(&[
        "sql",
        "--data",
        data.to_str().unwrap(),
        "--leases",
        f,
        "--format",
        "csv",
        "SELECT l.identity, count(*) AS n FROM sessions s JOIN leases l ON l.address = s.client_addr \
         AND s.start_ms >= l.from_ms AND (l.until_ms IS NULL OR s.start_ms < l.until_ms) \
         WHERE s.server_addr = '10.9.0.1' GROUP BY 1",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "identity,n\nalice,15\n",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // Zeek's dhcp.log (gzip'd) is read as it is: the laptop is its MAC address.
    let zeek = tempdir("leases-out-zeek");
    let log = data.join("dhcp.log.gz");
    dhcp_log(&log);
    let mut args = days.to_vec();
    args.extend(["--leases", log.to_str().unwrap()]);
    let o = report(&data, &zeek, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let c = evening_chain(&zeek, MAC);
    assert_eq!(c["alert"], true, "{c}");
    assert!(
        reasons(&c).iter().any(|r| r.contains("8 hours from any hour") && r.contains("7 days"))
    );

    // A bad lease file is named with its line, before anything runs (exit 2).
    std::fs::write(&file, "address,identity,from,until\n10.8.1.10,alice,tomorrow,\n").unwrap();
    let o = report(&data, &leased, &["--day", "2026-11-27", "--leases", f]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("leases.csv") && err.contains("line 2: from"), "{err}");
    // Not on a cluster yet: refused before anything is read.
    let o = report(
        &data,
        &leased,
        &["--day", "2026-11-27", "--leases", f, "--cluster", "df://127.0.0.1:1"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid --leases: not with --cluster"));
}
