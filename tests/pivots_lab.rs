//! Pivot chains on the lab captures (real SSH/RDP/WinRM pivots exported by softflowd, pmacct
//! and nfdump) equal the truth files: every chain found with its hosts in order and its cycle
//! flag, every required link present, no forbidden link, nothing else reported.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{capture_pcaps, run, tempdir, testdata};

/// (hosts in order, cycle) of each truth chain.
fn truth_chains(truth: &serde_json::Value) -> BTreeSet<(Vec<String>, bool)> {
    truth["chains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let hosts = c["hosts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap().to_string())
                .collect();
            (hosts, c["cycle"].as_bool().unwrap())
        })
        .collect()
}

/// (client, server, server port) of a truth hop.
fn hop_key(h: &serde_json::Value) -> (String, String, i64) {
    (
        h["client"].as_str().unwrap().to_string(),
        h["server"].as_str().unwrap().to_string(),
        h["dport"].as_i64().unwrap(),
    )
}

fn run_pivots(data: &Path, out: &Path) -> serde_json::Value {
    let o = run(&[
        "pivots",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
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
    let want = truth_chains(&truth);
    let mut report = String::new();
    let mut exports: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("export-"))
        .collect();
    exports.sort();
    assert!(exports.len() >= 8, "{scenario}: exports missing");
    for pcap in exports {
        let name = format!("{scenario}-{}", pcap.file_stem().unwrap().to_string_lossy());
        let cap = capture_pcaps(&format!("piv-{name}"), &[&pcap]);
        let report_json = run_pivots(&cap.data, &tempdir(&format!("piv-out-{name}")));
        let chains = report_json["chains"].as_array().unwrap();
        let got: BTreeSet<(Vec<String>, bool)> = chains
            .iter()
            .map(|c| {
                let hosts = c["hosts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h.as_str().unwrap().to_string())
                    .collect();
                (hosts, c["cycle"].as_bool().unwrap())
            })
            .collect();
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
