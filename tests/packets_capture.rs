//! Flows metered from raw packets (`capture --packets`): the lab bridge captures give, per
//! 5-tuple and direction, exactly softflowd's packets, bytes and TCP flags (its IPFIX export of
//! the same traffic, decoded by nfdump/tshark in the test data) with times within 5 ms, and
//! `pivots` on them finds the truth chains. Several files are merged by time; truncated and
//! corrupt captures behave as in NetFlow pcap mode (file + offset, exit 3, good flows kept).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{chain_keys, pivots_json, run, store_rows, tempdir, testdata};

/// (src, dst, src port, dst port, proto)
type Key = (String, String, i32, i32, i32);

/// Per key: packets, bytes, TCP flags ORed, first ms, last ms, records.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Totals {
    packets: u64,
    bytes: u64,
    flags: i32,
    first: i64,
    last: i64,
    records: u64,
}

fn add(t: &mut Totals, packets: u64, bytes: u64, flags: i32, first: i64, last: i64) {
    if t.records == 0 {
        (t.first, t.last) = (first, last);
    }
    t.packets += packets;
    t.bytes += bytes;
    t.flags |= flags;
    t.first = t.first.min(first);
    t.last = t.last.max(last);
    t.records += 1;
}

fn meter(files: &[&Path], data: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["capture".to_string()];
    for f in files {
        args.extend(["--packets".to_string(), f.display().to_string()]);
    }
    args.extend(["--data".to_string(), data.display().to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&argv)
}

/// The metered store, per key (from the Parquet files as written).
fn metered(data: &Path) -> BTreeMap<Key, Totals> {
    let mut out: BTreeMap<Key, Totals> = BTreeMap::new();
    for r in store_rows(data) {
        assert_eq!(r.version, 0, "metered flows have flow_version 0");
        assert_eq!(r.exporter, "0.0.0.0");
        assert_eq!(r.time_source, "packets");
        let key = (r.src_addr.clone(), r.dst_addr.clone(), r.src_port, r.dst_port, r.proto);
        let t = out.entry(key).or_default();
        add(t, r.packets as u64, r.bytes as u64, r.tcp_flags, r.first_ms, r.last_ms);
    }
    out
}

/// softflowd's IPFIX export of the same traffic, as the test data's independent decode.
fn softflowd(scenario: &str) -> BTreeMap<Key, Totals> {
    let path = testdata().join("lab").join(scenario).join("expected/export-ipfix.expected.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (sa, da, sp, dp, pr) =
        (col("src_addr"), col("dst_addr"), col("src_port"), col("dst_port"), col("proto"));
    let (pk, by, fl, fi, la) =
        (col("packets"), col("bytes"), col("tcp_flags"), col("first_ms"), col("last_ms"));
    let mut out: BTreeMap<Key, Totals> = BTreeMap::new();
    for line in lines {
        let v: Vec<&str> = line.split(',').collect();
        let key = (
            v[sa].to_string(),
            v[da].to_string(),
            v[sp].parse().unwrap(),
            v[dp].parse().unwrap(),
            v[pr].parse().unwrap(),
        );
        let flags = i32::from_str_radix(v[fl].trim_start_matches("0x"), 16).unwrap();
        let t = out.entry(key).or_default();
        add(
            t,
            v[pk].parse().unwrap(),
            v[by].parse().unwrap(),
            flags,
            v[fi].parse().unwrap(),
            v[la].parse().unwrap(),
        );
    }
    out
}

#[test]
fn lab_captures_meter_like_softflowd_and_give_the_truth_chains() {
    for scenario in ["s1_onehop", "s4_cycles"] {
        let dir = tempdir(&format!("packets-{scenario}"));
        let raw = testdata().join("lab").join(scenario).join("raw.pcap");
        let stats = dir.join("stats.json");
        let out = meter(&[&raw], &dir.join("flows"), &["--stats-json", stats.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let ours = metered(&dir.join("flows"));
        let theirs = softflowd(scenario);
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>(),
            "{scenario}: the same 5-tuples and directions"
        );
        let mut records = (0, 0);
        for (k, o) in &ours {
            let t = &theirs[k];
            assert_eq!(
                (o.packets, o.bytes, o.flags),
                (t.packets, t.bytes, t.flags),
                "{scenario} {k:?}"
            );
            // softflowd stamped the packets on its own interface: a few ms apart.
            assert!(
                (o.first - t.first).abs() <= 5 && (o.last - t.last).abs() <= 5,
                "{scenario} {k:?}: times {o:?} vs {t:?}"
            );
            records.0 += o.records;
            records.1 += t.records;
        }
        // Documented difference: FIN/RST and the 15 s inactive timeout end records that
        // softflowd (1 h timeouts) keeps open; never fewer records than softflowd.
        assert!(records.0 >= records.1, "{scenario}: {records:?}");
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
        let m = &s["meter"];
        let total: u64 = theirs.values().map(|t| t.packets).sum();
        assert_eq!(m["packets_metered"].as_u64(), Some(total), "{m}");
        assert_eq!(
            m["packets"].as_u64().unwrap(),
            total
                + m["packets_not_ip"].as_u64().unwrap()
                + m["packets_truncated"].as_u64().unwrap(),
            "every frame accounted for: {m}"
        );
        assert!(m["packets_snaplen_cut"].as_u64().unwrap() > 0, "snaplen 160: {m}");
        // Pivots on the metered flows: exactly the truth chains.
        let truth: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(testdata().join("lab").join(scenario).join("truth.json"))
                .unwrap(),
        )
        .unwrap();
        let report = pivots_json(&dir.join("flows"), &dir.join("out"), &[]);
        assert_eq!(chain_keys(&report), chain_keys(&truth), "{scenario}");
    }
}

/// A classic pcap's 24-byte header and its records (16-byte header + data), as byte slices.
fn records(bytes: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= bytes.len() {
        let caplen = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        out.push(bytes[at..at + 16 + caplen].to_vec());
        at += 16 + caplen;
    }
    (bytes[..24].to_vec(), out)
}

fn write(path: &PathBuf, header: &[u8], recs: &[&Vec<u8>]) {
    let mut b = header.to_vec();
    for r in recs {
        b.extend_from_slice(r);
    }
    std::fs::write(path, b).unwrap();
}

#[test]
fn several_files_are_merged_by_packet_time() {
    let raw = testdata().join("lab/s4_cycles/raw.pcap");
    let (header, recs) = records(&std::fs::read(&raw).unwrap());
    let dir = tempdir("packets-merge");
    // Every other packet into each file: only a merge by time gives the one-file flows.
    let (a, b) = (dir.join("a.pcap"), dir.join("b.pcap"));
    write(&a, &header, &recs.iter().step_by(2).collect::<Vec<_>>());
    write(&b, &header, &recs.iter().skip(1).step_by(2).collect::<Vec<_>>());
    assert!(meter(&[&raw], &dir.join("one"), &[]).status.success());
    let out = meter(&[&b, &a], &dir.join("two"), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sorted = |d: &Path| {
        let mut rows: Vec<String> = store_rows(d)
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {} {} {} {} {} {} {}",
                    r.src_addr,
                    r.dst_addr,
                    r.src_port,
                    r.dst_port,
                    r.proto,
                    r.first_ms,
                    r.last_ms,
                    r.packets,
                    r.bytes,
                    r.tcp_flags
                )
            })
            .collect();
        rows.sort();
        rows
    };
    let (one, two) = (sorted(&dir.join("one")), sorted(&dir.join("two")));
    assert!(one.len() > 100);
    let differ: Vec<_> = one.iter().zip(&two).filter(|(a, b)| a != b).take(3).collect();
    assert!(
        one.len() == two.len() && differ.is_empty(),
        "{} vs {} rows: {differ:?}",
        one.len(),
        two.len()
    );
}

#[test]
fn truncated_and_corrupt_captures_name_file_and_offset_and_keep_earlier_flows() {
    let raw = testdata().join("lab/s1_onehop/raw.pcap");
    let bytes = std::fs::read(&raw).unwrap();
    let dir = tempdir("packets-bad");
    let cut = dir.join("cut.pcap");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = meter(&[&cut], &dir.join("cut"), &[]);
    assert_eq!(out.status.code(), Some(3), "bad input exit code");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.pcap") && err.contains("truncated at byte offset"), "{err}");
    let kept: i64 = store_rows(&dir.join("cut")).iter().map(|r| r.packets).sum();
    assert!(kept > 1000, "the first half's packets are metered: {kept}");

    let (header, recs) = records(&bytes);
    let mut broken: Vec<Vec<u8>> = recs.clone();
    let at = 24 + recs[..100].iter().map(Vec::len).sum::<usize>();
    broken[100][8..12].copy_from_slice(&0xfff0_0000u32.to_le_bytes());
    let bad = dir.join("bad.pcap");
    write(&bad, &header, &broken.iter().collect::<Vec<_>>());
    let out = meter(&[&bad], &dir.join("bad"), &[]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.pcap") && err.contains(&format!("offset {at}")), "{err}");
    let kept: i64 = store_rows(&dir.join("bad")).iter().map(|r| r.packets).sum();
    assert!(kept > 50 && kept <= 100, "the 100 packets before the bad record: {kept}");
}

#[test]
fn packets_with_pcap_or_a_zero_timeout_is_a_usage_error() {
    let raw = testdata().join("lab/s1_onehop/raw.pcap");
    let dir = tempdir("packets-usage");
    let d = dir.join("d");
    let r = raw.to_str().unwrap();
    let o = run(&["capture", "--packets", r, "--pcap", r, "--data", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not several"));
    let o = meter(&[&raw], &d, &["--inactive-timeout", "0s"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--inactive-timeout"));
}

/// An option of another source is refused, naming it, instead of being silently ignored; the
/// same option with its own source is accepted.
#[test]
fn options_of_another_source_are_refused() {
    let raw = testdata().join("lab/s1_onehop/raw.pcap");
    let dir = tempdir("packets-options");
    let d = dir.join("d");
    let (r, d) = (raw.to_str().unwrap(), d.to_str().unwrap());
    for (source, option, value, owner) in [
        ("--pcap", "--flush-interval", "2s", "--listen"),
        ("--pcap", "--active-timeout", "5m", "--packets"),
        ("--packets", "--max-scopes", "5", "--listen or --pcap"),
        ("--packets", "--port", "2055", "--pcap"),
        ("--zeek", "--queue", "10", "--listen"),
        ("--zeek", "--allow-exporter", "10.0.0.0/8", "--listen or --pcap"),
    ] {
        let o = run(&["capture", source, r, option, value, "--data", d]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{source} {option}: {err}");
        assert!(err.contains(&format!("invalid {option}: applies to {owner} only")), "{err}");
    }
    let o = run(&["capture", "--packets", r, "--active-timeout", "5m", "--data", d]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn synthetic_tap_capture_meters_back_to_the_generated_records() {
    let dir = tempdir("packets-synth");
    let (pcap, store) = (dir.join("tap.pcap"), dir.join("records"));
    let common = ["--flows", "3000", "--hosts", "200", "--seed", "5", "--chains", "2"];
    let mut a = vec!["synth", "--packets", pcap.to_str().unwrap()];
    a.extend(common);
    let out = run(&a);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut a = vec!["synth", "--exporters", "1", "--parquet", store.to_str().unwrap()];
    a.extend(common);
    assert!(run(&a).status.success());
    let out = meter(&[&pcap], &dir.join("flows"), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Per 5-tuple and direction: the generator's packets, and at least its bytes (a packet is
    // never smaller than its headers, so tiny shares round up).
    let per_key = |d: &Path| {
        let mut m: BTreeMap<Key, (i64, i64)> = BTreeMap::new();
        for r in store_rows(d) {
            let e = m.entry((r.src_addr, r.dst_addr, r.src_port, r.dst_port, r.proto)).or_default();
            e.0 += r.packets;
            e.1 += r.bytes;
        }
        m
    };
    let (metered, generated) = (per_key(&dir.join("flows")), per_key(&store));
    assert!(generated.len() > 3000);
    assert_eq!(metered.keys().collect::<Vec<_>>(), generated.keys().collect::<Vec<_>>());
    for (k, (p, b)) in &generated {
        let (mp, mb) = metered[k];
        assert!(mp == *p && mb >= *b, "{k:?}: metered {mp}/{mb}, generated {p}/{b}");
    }
}

#[test]
fn pivots_on_a_metered_synthetic_tap_find_the_injected_chains_and_no_decoy() {
    // In this network an injected 30-minute RDP hop has 20 packets, one every ~95 s: each
    // becomes its own record (15 s inactive timeout), and only the sessions' TCP rule (a record
    // without SYN continues its connection) keeps the hop one session. Without the rule this
    // finds 4 of the 5 chains (checked).
    let dir = tempdir("packets-synth-chains");
    let (pcap, truth_path) = (dir.join("tap.pcap"), dir.join("truth.json"));
    let out = run(&[
        "synth",
        "--flows",
        "20000",
        "--hosts",
        "300",
        "--chains",
        "4",
        "--seed",
        "3",
        "--packets",
        pcap.to_str().unwrap(),
        "--truth",
        truth_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(meter(&[&pcap], &dir.join("flows"), &[]).status.success());
    let trusted = ["--trusted", "10.8.0.0/16", "--trusted", "10.9.0.0/16"];
    let report = pivots_json(&dir.join("flows"), &dir.join("out"), &trusted);
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&truth_path).unwrap()).unwrap();
    let untrusted: Vec<serde_json::Value> = report["chains"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["trusted"] == false)
        .cloned()
        .collect();
    let got = chain_keys(&serde_json::json!({ "chains": untrusted }));
    assert_eq!(got, chain_keys(&truth));
    crate::support::assert_no_decoy(&truth, &got, "synthetic tap");
}
