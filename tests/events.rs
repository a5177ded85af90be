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
