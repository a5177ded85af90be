//! Pivot chains on the lab captures (real SSH/RDP/WinRM pivots exported by softflowd, pmacct
//! and nfdump) equal the truth files: every chain found with its hosts in order and its cycle
//! flag, every required link present, no forbidden link, nothing else reported.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{capture_pcaps, chain_keys, lab_exports, pivots_json, run, tempdir, testdata};

/// (client, server, server port) of a truth hop.
fn hop_key(h: &serde_json::Value) -> (String, String, i64) {
    (
        h["client"].as_str().unwrap().to_string(),
        h["server"].as_str().unwrap().to_string(),
        h["dport"].as_i64().unwrap(),
    )
}

fn run_pivots(data: &Path, out: &Path) -> serde_json::Value {
    let stdout = pivots_json(data, out, &[]);
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("chains.json")).unwrap()).unwrap();
    assert_eq!(stdout, file, "stdout JSON and chains.json agree");
    assert!(out.join("pivots.graphml").exists());
    file
}

fn check_scenario(scenario: &str) -> String {
    let dir = testdata().join("lab").join(scenario);
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).unwrap()).unwrap();
    let want = chain_keys(&truth);
    let mut report = String::new();
    let exports = lab_exports(scenario);
    assert!(exports.len() >= 8, "{scenario}: exports missing");
    for pcap in exports {
        let name = format!("{scenario}-{}", pcap.file_stem().unwrap().to_string_lossy());
        let cap = capture_pcaps(&format!("piv-{name}"), &[&pcap]);
        let report_json = run_pivots(&cap.data, &tempdir(&format!("piv-out-{name}")));
        let chains = report_json["chains"].as_array().unwrap();
        let got = chain_keys(&report_json);
        if got != want || chains.len() != want.len() {
            report.push_str(&format!("{name}: chains {got:?}, truth {want:?}\n"));
        }
        // Consecutive hops of reported chains = links; compare with required/forbidden links.
        let mut links = BTreeSet::new();
        for c in chains {
            let hops = c["hops"].as_array().unwrap();
            for w in hops.windows(2) {
                let k = |h: &serde_json::Value| {
                    (
                        h["client_addr"].as_str().unwrap().to_string(),
                        h["server_addr"].as_str().unwrap().to_string(),
                        h["server_port"].as_i64().unwrap(),
                    )
                };
                links.insert((k(&w[0]), k(&w[1])));
            }
        }
        for l in truth["pivot_links"].as_array().unwrap() {
            if !links.contains(&(hop_key(&l["first"]), hop_key(&l["second"]))) {
                report.push_str(&format!(
                    "{name}: missing link {:?} -> {:?}\n",
                    hop_key(&l["first"]),
                    hop_key(&l["second"])
                ));
            }
        }
        for l in truth["forbidden_links"].as_array().unwrap() {
            if links.contains(&(hop_key(&l["first"]), hop_key(&l["second"]))) {
                report.push_str(&format!("{name}: forbidden link {} reported\n", l["id"]));
            }
        }
    }
    report
}

#[test]
fn lab_chains_equal_truth_for_every_exporter() {
    let report = check_scenario("s1_onehop") + &check_scenario("s4_cycles");
    assert!(report.is_empty(), "{report}");
}

#[test]
fn graphml_loads_in_networkx_and_igraph_with_typed_attributes() {
    let pcap = testdata().join("lab/s4_cycles/export-ipfix.pcap");
    let cap = capture_pcaps("piv-graphml", &[&pcap]);
    let out = tempdir("piv-graphml-out");
    run_pivots(&cap.data, &out);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check-graphml.py");
    let o = std::process::Command::new("python3")
        .arg(&script)
        .arg(out.join("pivots.graphml"))
        .output()
        .expect("python3");
    assert!(
        o.status.success(),
        "GraphML check failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("networkx: 5 nodes, 5 edges") && text.contains("igraph: 5 nodes, 5 edges"),
        "{text}"
    );
}

#[test]
fn report_writes_the_day_folder_and_a_rerun_replaces_it() {
    let pcap = testdata().join("lab/s1_onehop/export-v9.pcap");
    let cap = capture_pcaps("rep-cap", &[&pcap]);
    let reports = tempdir("rep-out");
    let args = [
        "report",
        "--data",
        cap.data.to_str().unwrap(),
        "--day",
        "2026-11-28",
        "--out",
        reports.to_str().unwrap(),
    ];
    for _ in 0..2 {
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let day = reports.join("2026-11-28");
    for f in ["pivots.graphml", "chains.json", "summary.md"] {
        assert!(day.join(f).exists(), "{f}");
    }
    // Only the day folder and the history: no temporary or old folders left behind by the rerun.
    let names = |dir: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&reports), vec!["2026-11-28", "history"]);
    assert_eq!(names(&reports.join("history")), vec!["date=2026-11-28"]);
    let summary = std::fs::read_to_string(day.join("summary.md")).unwrap();
    assert!(summary.contains("10.20.2.11 → 10.20.1.21 → 10.20.1.22"), "{summary}");
    // Another day has no flows: an empty report, not an error.
    let o = run(&[
        "report",
        "--data",
        cap.data.to_str().unwrap(),
        "--day",
        "2026-11-01",
        "--out",
        reports.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(
        std::fs::read_to_string(reports.join("2026-11-01/summary.md"))
            .unwrap()
            .contains("No pivot chains")
    );
}

#[test]
fn trusted_hosts_are_kept_flagged_and_ranked_down() {
    let pcap = testdata().join("lab/s4_cycles/export-ipfix.pcap");
    let cap = capture_pcaps("piv-trusted", &[&pcap]);
    let out = tempdir("piv-trusted-out");
    let r = pivots_json(&cap.data, &out, &["--trusted", "10.20.1.52/32"]);
    let chains = r["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 2);
    let trusted: Vec<_> = chains.iter().filter(|c| c["trusted"].as_bool().unwrap()).collect();
    assert_eq!(trusted.len(), 1);
    assert!(trusted[0]["hosts"].as_array().unwrap().iter().any(|h| h == "10.20.1.52"));
    assert_eq!(trusted[0]["rank"], 2, "the trusted chain ranks last");
}

#[test]
fn config_file_sets_services_and_trusted_hosts() {
    let pcap = testdata().join("lab/s4_cycles/export-ipfix.pcap");
    let cap = capture_pcaps("piv-config", &[&pcap]);
    let dir = tempdir("piv-config-out");
    // Only SSH: the RDP and WinRM hops of the 3-cycle disappear, the SSH 2-cycle stays.
    let cfg = dir.join("pivots.json");
    std::fs::write(&cfg, r#"{"services": ["ssh=tcp/22"], "trusted": ["10.20.1.51"]}"#).unwrap();
    let r = pivots_json(&cap.data, &dir.join("o"), &["--config", cfg.to_str().unwrap()]);
    let chains = r["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 1);
    assert_eq!(chains[0]["hosts"], serde_json::json!(["10.20.2.21", "10.20.1.51", "10.20.2.21"]));
    assert_eq!(chains[0]["trusted"], true);
    // A typo in the file is a clear error, not a silent default.
    std::fs::write(&cfg, r#"{"service": ["ssh=tcp/22"]}"#).unwrap();
    let o = run(&[
        "pivots",
        "--data",
        cap.data.to_str().unwrap(),
        "--out",
        dir.join("o").to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown field"));
}
