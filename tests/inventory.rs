//! Hosts with names (`--inventory`, `--hosts-file`, issue 22): every host the inventory knows is
//! shown with its name and role in the stdout table, summary.md, index.html, GraphML,
//! chains.json and the SIEM events; hosts it does not know show their address only; `sql` has a
//! `hosts` table; a malformed line is an error naming it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::{capture_sample, run, tempdir};

fn sample_inventory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join("inventory.csv")
}

fn ok(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn every_known_host_shows_its_name_and_role_in_every_output() {
    let dir = tempdir("inventory");
    let data = dir.join("flows");
    capture_sample(&data);
    let out = dir.join("out");
    let inv = sample_inventory();
    let hosts_file = dir.join("hosts");
    // A cached reverse-DNS export: names the unnamed, never overrides the inventory.
    std::fs::write(
        &hosts_file,
        "# getent hosts\n10.250.0.3 app-03.example.org app-03\n10.9.0.1 other-name\n",
    )
    .unwrap();
    let table = ok(&run(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--day",
        "2026-11-27",
        "--out",
        out.to_str().unwrap(),
        "--inventory",
        inv.to_str().unwrap(),
        "--hosts-file",
        hosts_file.to_str().unwrap(),
    ]));
    let day = out.join("2026-11-27");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(day.join("chains.json")).unwrap()).unwrap();
    let hosts = report["hosts"].as_object().unwrap();
    let on_chains: BTreeSet<&str> = report["chains"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["hosts"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()))
        .collect();
    assert!(!on_chains.is_empty());
    let summary = std::fs::read_to_string(day.join("summary.md")).unwrap();
    let html = std::fs::read_to_string(day.join("index.html")).unwrap();
    let graphml = std::fs::read_to_string(day.join("pivots.graphml")).unwrap();
    let mut known = 0;
    for addr in &on_chains {
        // The inventory's word, looked up here independently: own line, else the network.
        let expect = match *addr {
            "10.9.0.1" => Some(("jump-01", "jump host")),
            "10.32.0.1" => Some(("db-01", "database server")),
            "10.250.0.1" => Some(("ws-finance-01", "Windows workstation")),
            "10.250.0.2" => Some(("web-02, staging", "Linux server")),
            "10.250.0.3" => Some(("app-03.example.org", "")),
            a if a.starts_with("10.8.") => Some(("", "admin workstation")),
            a if a.starts_with("10.32.") => Some(("", "server")),
            _ => None,
        };
        match expect {
            Some((name, role)) => {
                known += 1;
                let h = &hosts[*addr];
                assert_eq!(h["name"].as_str().unwrap_or(""), name, "{addr}: {h}");
                assert_eq!(h["role"].as_str().unwrap_or(""), role, "{addr}: {h}");
                let label = match (name, role) {
                    ("", r) => format!("{addr} ({r})"),
                    (n, "") => format!("{n} ({addr})"),
                    (n, r) => format!("{n} ({addr}, {r})"),
                };
                assert!(table.contains(&label), "stdout lacks {label}");
                assert!(summary.contains(&label), "summary.md lacks {label}");
                let escaped = label.replace('&', "&amp;");
                assert!(html.contains(&escaped), "index.html lacks {label}");
                if !name.is_empty() {
                    assert!(graphml.contains(&format!("<data key=\"n_host_name\">{name}</data>")));
                }
            }
            None => {
                assert!(hosts.get(*addr).is_none(), "{addr} is not in the inventory");
                // Shown as the bare address, never with a made-up name.
                assert!(
                    table.contains(&format!("-> {addr}")) || table.contains(&format!("{addr} ->"))
                );
                assert!(!table.contains(&format!("({addr}")), "{addr} shown with a name");
            }
        }
    }
    assert!(known >= 5, "the sample's chains cross inventory hosts: {known}");
    assert_eq!(hosts["10.250.0.1"]["extra"]["location"], "HQ", "other columns are kept");
    assert_eq!(hosts["10.32.0.16"]["entry"], "10.32.0.0/16", "the network it matched");

    // sql: the inventory as a table, joinable with sessions.
    let got = ok(&run(&[
        "sql",
        "--data",
        data.to_str().unwrap(),
        "--inventory",
        inv.to_str().unwrap(),
        "SELECT h.name, count(*) AS n FROM sessions s JOIN hosts h ON h.address = s.client_addr \
         WHERE h.name = 'jump-01' GROUP BY h.name",
    ]));
    assert!(got.starts_with("name,n\njump-01,"), "{got}");
    let got = ok(&run(&[
        "sql",
        "--data",
        data.to_str().unwrap(),
        "--inventory",
        inv.to_str().unwrap(),
        "SELECT address, role, location FROM hosts WHERE owner = 'DBA team'",
    ]));
    assert_eq!(got, "address,role,location\n10.32.0.1,database server,DC1\n");
}

#[test]
fn alert_events_carry_the_names_of_their_hosts() {
    let data = crate::support::synth_three_days("inventory-events");
    let out = tempdir("inventory-events-out");
    let args = |extra: &[&str]| {
        let mut a =
            vec!["report", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()];
        a.extend(["--alert-threshold", "0.01"]);
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    // Two nights, so the second is scored against a history.
    let plain: Vec<String> = args(&["--since", "2026-11-02", "--until", "2026-11-03"]);
    ok(&run(&plain.iter().map(String::as_str).collect::<Vec<_>>()));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("2026-11-03").join("chains.json")).unwrap(),
    )
    .unwrap();
    let alert = report["incidents"].as_array().unwrap().iter().find(|i| i["alert"] == true);
    let alert = alert.expect("an alert incident at this threshold");
    let path: Vec<&str> =
        alert["path"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
    let inv = out.join("inventory.csv");
    std::fs::write(
        &inv,
        format!(
            "ip,hostname,type\n{},origin-ws,workstation\n{},target-srv,server\n",
            path[0],
            path[path.len() - 1]
        ),
    )
    .unwrap();
    let events = out.join("events.jsonl");
    let named = args(&[
        "--day",
        "2026-11-03",
        "--inventory",
        inv.to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
    ]);
    ok(&run(&named.iter().map(String::as_str).collect::<Vec<_>>()));
    let text = std::fs::read_to_string(&events).unwrap();
    let e: serde_json::Value = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["pivotflow"]["incident"] == alert["id"])
        .expect("the incident's event");
    assert_eq!(e["source"]["domain"], "origin-ws", "{e}");
    assert_eq!(e["destination"]["domain"], "target-srv", "{e}");
    let related: Vec<&str> =
        e["related"]["hosts"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
    assert!(related.contains(&"origin-ws") && related.contains(&"target-srv"), "{e}");
    assert_eq!(e["pivotflow"]["hosts"][path[0]]["role"], "workstation");
}

#[test]
fn a_malformed_inventory_line_is_an_error_naming_the_line() {
    let dir = tempdir("inventory-bad");
    let data = dir.join("flows");
    std::fs::create_dir_all(&data).unwrap();
    for (text, line, what) in [
        ("address,name\n10.0.0.1,a\n10.0.0.256,b\n", "line 3", "10.0.0.256"),
        ("address,name,role\n10.0.0.1,a,r\n10.0.0.2,b\n", "line 3", "found record with 2 fields"),
        ("name,role\nx,y\n", "line 1", "no address column"),
    ] {
        let inv = dir.join("inv.csv");
        std::fs::write(&inv, text).unwrap();
        for cmd in ["pivots", "sql"] {
            let mut args =
                vec![cmd, "--data", data.to_str().unwrap(), "--inventory", inv.to_str().unwrap()];
            if cmd == "sql" {
                args.push("SELECT 1");
            }
            let o = run(&args);
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{cmd}: {err}");
            assert!(err.contains(&format!("--inventory {}", inv.display())), "{err}");
            assert!(err.contains(line) && err.contains(what), "{cmd}: {err}");
        }
    }
    let hosts = dir.join("hosts");
    std::fs::write(&hosts, "10.0.0.1 a\nnot-an-address b\n").unwrap();
    let o =
        run(&["pivots", "--data", data.to_str().unwrap(), "--hosts-file", hosts.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("line 2") && err.contains("not-an-address"), "{err}");
}
