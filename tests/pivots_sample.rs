//! The shipped sample data: capture → pivots finds exactly the injected chains of the truth
//! files (one crosses an hour boundary, one is a cycle), none of the decoys, the benign admin
//! work through jump hosts flagged as trusted, and the same chains when all three exports (v5,
//! v9, IPFIX duplicates of one network) are captured together.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::{capture_pcaps, chain_keys, pivots_json, tempdir};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(name)
}

type ChainKey = (Vec<String>, bool);

/// Chain keys of the reported chains with `trusted == flag`.
fn keys_flagged(report: &serde_json::Value, flag: bool) -> BTreeSet<ChainKey> {
    let chains: Vec<_> = report["chains"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["trusted"].as_bool().unwrap() == flag)
        .cloned()
        .collect();
    chain_keys(&serde_json::json!({ "chains": chains }))
}

fn truth_chains(format: &str) -> (BTreeSet<ChainKey>, serde_json::Value) {
    let t: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sample(&format!("{format}.truth.json"))).unwrap(),
    )
    .unwrap();
    (chain_keys(&t), t)
}

/// `--trusted CIDR` for each of the truth's trusted CIDRs.
fn trusted_args(truth: &serde_json::Value) -> Vec<&str> {
    truth["trusted"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| ["--trusted", c.as_str().unwrap()])
        .collect()
}

/// Capture the pcaps and run pivots with the truth's trusted CIDRs: (untrusted chains, report).
fn found(
    pcaps: &[&Path],
    name: &str,
    truth: &serde_json::Value,
) -> (BTreeSet<ChainKey>, serde_json::Value) {
    let cap = capture_pcaps(name, pcaps);
    let out = tempdir(&format!("{name}-out"));
    let r = pivots_json(&cap.data, &out, &trusted_args(truth));
    // Every benign admin chain is reported, flagged trusted; no trusted chain leaves the
    // admin side's subnets at its start (they all begin at an admin station).
    let trusted = keys_flagged(&r, true);
    let benign = chain_keys(&serde_json::json!({ "chains": truth["benign"] }));
    assert!(!benign.is_empty());
    assert!(trusted.is_superset(&benign), "{name}: {trusted:?} lacks some of {benign:?}");
    assert!(trusted.iter().all(|(hosts, _)| hosts[0].starts_with("10.8.")), "{name}: {trusted:?}");
    (keys_flagged(&r, false), r)
}

#[test]
fn sample_data_chains_equal_truth_and_decoys_are_absent() {
    for format in ["v5", "v9", "ipfix"] {
        let (want, truth) = truth_chains(format);
        assert_eq!(want.len(), 4, "3 chains and a cycle in the truth");
        let (got, report) =
            found(&[&sample(&format!("{format}.pcap"))], &format!("sample-{format}"), &truth);
        assert_eq!(got, want, "{format}");
        let untrusted =
            report["chains"].as_array().unwrap().iter().filter(|c| c["trusted"] == false).count();
        assert_eq!(untrusted, want.len(), "{format}: no duplicates");
        // Without history every score is small; the injected chains still rank above the
        // trusted admin work (trusted loses ties).
        let top: Vec<bool> = report["chains"].as_array().unwrap()[..untrusted]
            .iter()
            .map(|c| c["trusted"].as_bool().unwrap())
            .collect();
        assert!(
            top.iter().all(|t| !t),
            "{format}: trusted chains ranked among the top {untrusted}"
        );
        crate::support::assert_no_decoy(&truth, &got, format);
        // The first chain straddles 11:00: its hops start on both sides of the boundary.
        let first = &truth["chains"][0]["hops"];
        let boundary = 1_795_777_200_000i64;
        assert!(
            first[0]["start_ms"].as_i64().unwrap() < boundary
                && first[1]["start_ms"].as_i64().unwrap() >= boundary
        );
    }
}

#[test]
fn three_exports_of_one_network_do_not_double_chains_or_edges() {
    let (want, truth) = truth_chains("ipfix");
    let pcaps = [sample("v5.pcap"), sample("v9.pcap"), sample("ipfix.pcap")];
    let refs: Vec<&Path> = pcaps.iter().map(PathBuf::as_path).collect();
    let (got, report) = found(&refs, "sample-all", &truth);
    assert_eq!(got, want);
    let hops: usize = report["chains"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["trusted"] == false)
        .map(|c| c["hops"].as_array().unwrap().len())
        .sum();
    assert_eq!(hops, 2 + 3 + 4 + 2, "each hop once");
}

#[test]
fn hide_trusted_leaves_only_the_injected_chains_and_counts_the_rest() {
    let (want, truth) = truth_chains("ipfix");
    let cap = capture_pcaps("sample-hide-trusted", &[&sample("ipfix.pcap")]);
    let out = tempdir("sample-hide-trusted-out");
    let mut args = trusted_args(&truth);
    args.push("--hide-trusted");
    let r = pivots_json(&cap.data, &out, &args);
    assert_eq!(chain_keys(&r), want);
    let hidden = r["trusted_hidden"].as_u64().unwrap();
    assert!(hidden >= truth["benign"].as_array().unwrap().len() as u64, "{hidden}");
    let ranks: Vec<u64> =
        r["chains"].as_array().unwrap().iter().map(|c| c["rank"].as_u64().unwrap()).collect();
    assert_eq!(ranks, (1..=want.len() as u64).collect::<Vec<_>>(), "ranks renumbered");
    // The files hold the same chains as stdout.
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("chains.json")).unwrap()).unwrap();
    assert_eq!(chain_keys(&file), want);
}

/// `pivots --json` without `--out` writes no file and prints the report, the same as
/// chains.json, to stdout for pipes (`| jq .chains[0]`); `--html -` prints the page instead;
/// `--per-chain` needs `--out` (a usage error naming it); two outputs for stdout are an error.
#[test]
fn pivots_json_without_out_goes_to_stdout_only() {
    let data = capture_pcaps("pivots-stdout", &[&sample("ipfix.pcap")]).data;
    let out = tempdir("pivots-stdout-out");
    let with_files = pivots_json(&data, &out, &[]);
    let cwd = tempdir("pivots-stdout-cwd");
    let o = std::process::Command::new(crate::support::bin())
        .args(["pivots", "--data", data.to_str().unwrap(), "--json"])
        .current_dir(&cwd)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let piped: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(piped, with_files, "the same report as with --out");
    assert!(piped["chains"][0]["hosts"].is_array(), "jq .chains[0] has a chain");
    let written = std::fs::read_dir(&cwd).unwrap().count();
    assert_eq!(written, 0, "no file written without --out");
    let o = crate::support::run(&["pivots", "--data", data.to_str().unwrap(), "--per-chain"]);
    assert_eq!(o.status.code(), Some(2), "--per-chain without --out: a usage error");
    assert!(String::from_utf8_lossy(&o.stderr).contains("--out"), "names --out");
    // `--html -`: the page on stdout instead of the table, without links to absent files.
    let o = std::process::Command::new(crate::support::bin())
        .args(["pivots", "--data", data.to_str().unwrap(), "--html", "-"])
        .current_dir(&cwd)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(page.trim_start().starts_with("<!DOCTYPE html>"), "{}", &page[..page.len().min(200)]);
    assert!(page.contains("</html>") && !page.contains("chains.json"), "no dead links");
    assert_eq!(std::fs::read_dir(&cwd).unwrap().count(), 0, "no file written");
    // Two outputs for stdout are refused, naming them.
    let o = crate::support::run(&[
        "pivots",
        "--data",
        data.to_str().unwrap(),
        "--json",
        "--events",
        "-",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--events -"), "names the options");
}
