//! `report --events FILE` (issue 22): one ECS-shaped JSON line per alert incident, every line
//! parses on its own, ids are unique and stable, and a rerun of a day appends nothing twice.

use std::path::Path;
use std::process::Command;

use crate::support::{bin, tempdir};

const DAYS: [&str; 3] = ["2026-11-02", "2026-11-03", "2026-11-04"];

fn report(data: &Path, out: &Path, events: &Path, args: &[&str]) {
    let o = Command::new(bin())
        .args(["--quiet", "report", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .arg("--events")
        .arg(events)
        .args(["--alert-threshold", "0.01"]) // a small store: make its incidents alerts
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn alert_incidents_become_one_ecs_line_each_and_reruns_add_none() {
    let data = crate::support::synth_three_days("events-data");
    let out = tempdir("events-out");
    let events = out.join("alerts.jsonl");
    report(&data, &out, &events, &["--since", DAYS[0], "--until", DAYS[2]]);
    // The alert incidents of the three reports, by (day, path).
    let mut want = Vec::new();
    for day in DAYS {
        let r: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.join(day).join("chains.json")).unwrap(),
        )
        .unwrap();
        for i in r["incidents"].as_array().unwrap() {
            if i["alert"] == true && i["acknowledged"].is_null() {
                want.push((day.to_string(), i["path"].clone()));
            }
        }
    }
    assert!(!want.is_empty(), "the store has alert incidents at this threshold");
    let text = std::fs::read_to_string(&events).unwrap();
    assert!(text.ends_with('\n'), "whole lines");
    let mut got = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for line in text.lines() {
        let e: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}"));
        assert_eq!(e["event"]["kind"], "alert");
        assert_eq!(e["event"]["category"][0], "network");
        assert!(e["@timestamp"].as_str().is_some_and(|t| t.ends_with('Z')), "{line}");
        assert_eq!(e["rule"]["name"], "pivotflow lateral movement");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{line}");
        let path = e["pivotflow"]["path"].as_array().unwrap();
        assert_eq!(e["source"]["ip"], path[0]);
        assert_eq!(e["destination"]["ip"], path[path.len() - 1]);
        let related = e["related"]["ip"].as_array().unwrap();
        assert!(path.iter().all(|h| related.contains(h)), "{line}");
        assert!(!e["pivotflow"]["hops"].as_array().unwrap().is_empty(), "{line}");
        assert!(ids.insert(e["event"]["id"].as_str().unwrap().to_string()), "ids are unique");
        got.push((
            e["pivotflow"]["day"].as_str().unwrap().to_string(),
            e["pivotflow"]["path"].clone(),
        ));
    }
    assert_eq!(got, want, "one event per alert incident, in report order");
    // A rerun of the last day (and of all three) appends nothing.
    report(&data, &out, &events, &["--day", DAYS[2]]);
    report(&data, &out, &events, &["--since", DAYS[0], "--until", DAYS[2]]);
    assert_eq!(std::fs::read_to_string(&events).unwrap(), text, "no event twice");
}

/// `--syslog udp://…` and `unix://…`: one RFC 5424 datagram per alert incident, its text the
/// same ECS JSON object `--events` writes.
#[test]
fn alert_incidents_go_to_syslog_over_udp_and_a_unix_socket() {
    let data = crate::support::synth_three_days("syslog-data");
    let out = tempdir("syslog-out");
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_read_timeout(Some(std::time::Duration::from_millis(500))).unwrap();
    let url = format!("udp://{}", udp.local_addr().unwrap());
    let events = out.join("alerts.jsonl");
    report(&data, &out, &events, &["--since", DAYS[0], "--until", DAYS[2], "--syslog", &url]);
    let file_ids: Vec<String> = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["event"]["id"].to_string())
        .collect();
    assert!(!file_ids.is_empty());
    let receive = |read: &dyn Fn(&mut [u8]) -> Option<usize>| {
        let mut ids = Vec::new();
        let mut buf = vec![0u8; 1 << 16];
        while let Some(n) = read(&mut buf) {
            let m = std::str::from_utf8(&buf[..n]).unwrap();
            let parts: Vec<&str> = m.splitn(8, ' ').collect();
            assert_eq!(parts[0], "<132>1", "{m}");
            assert!(parts[1].ends_with('Z') && parts[1].contains('T'), "{m}");
            assert_eq!((parts[3], parts[5], parts[6]), ("pivotflow", "alert", "-"), "{m}");
            let e: serde_json::Value = serde_json::from_str(parts[7]).unwrap();
            assert_eq!(e["event"]["kind"], "alert");
            ids.push(e["event"]["id"].to_string());
        }
        ids
    };
    let got = receive(&|b| udp.recv(b).ok());
    assert_eq!(got, file_ids, "one datagram per alert incident, in the file's order");

    // A unix datagram socket (a local syslog daemon's /dev/log).
    let path = out.join("log.sock");
    let unix = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
    unix.set_read_timeout(Some(std::time::Duration::from_millis(500))).unwrap();
    let sock = format!("unix://{}", path.display());
    let again = out.join("again.jsonl");
    report(&data, &out, &again, &["--day", DAYS[2], "--syslog", &sock]);
    let want: Vec<String> = std::fs::read_to_string(&again)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["event"]["id"].to_string())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(receive(&|b| unix.recv(b).ok()), want);

    // No one listening at a unix path: an error naming it (exit 4).
    let o = Command::new(bin())
        .args(["--quiet", "report", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .args(["--day", DAYS[2], "--alert-threshold", "0.01", "--syslog"])
        .arg(format!("unix://{}", out.join("nobody.sock").display()))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains("nobody.sock"), "{err}");
}
