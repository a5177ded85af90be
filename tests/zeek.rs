//! Zeek conn logs as a source (`capture --zeek`): the OTRF APT29 logs (real Zeek output) give
//! their WinRM/RDP hops and no chain; TSV and JSON of the same log give the same store, also
//! rotated, concatenated, gzip'd and on stdin; bad lines are named and skipped; a lab scenario
//! written as a conn log gives exactly its truth chains.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{bin, chain_keys, pivots_json, run, store_rows, tempdir, testdata};

fn apt29() -> PathBuf {
    testdata().join("zeek").join("otrf-apt29")
}

/// `capture --zeek F…` into `data` (+ extra args); the process output.
fn capture(files: &[&Path], data: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["capture".to_string()];
    for f in files {
        args.extend(["--zeek".to_string(), f.display().to_string()]);
    }
    args.extend(["--data".to_string(), data.display().to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    run(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Every row of a store, sorted, as comparable text.
fn sorted_rows(data: &Path) -> Vec<String> {
    let mut rows: Vec<String> = store_rows(data).iter().map(|r| format!("{r:?}")).collect();
    rows.sort();
    rows
}

fn sql(data: &Path, query: &str) -> String {
    let o = run(&["sql", "--data", data.to_str().unwrap(), query]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn otrf_apt29_logs_give_their_remote_admin_hops_and_no_chain() {
    let dir = tempdir("zeek-apt29");
    let mut logs: Vec<PathBuf> = ["day1", "day2"]
        .iter()
        .flat_map(|d| std::fs::read_dir(apt29().join(d)).unwrap().flatten().map(|e| e.path()))
        .collect();
    logs.sort();
    let stats = dir.join("stats.json");
    let refs: Vec<&Path> = logs.iter().map(PathBuf::as_path).collect();
    let o = capture(&refs, &dir.join("flows"), &["--stats-json", stats.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let z = &s["zeek"];
    let lines: usize = logs
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap().lines().filter(|l| !l.is_empty()).count())
        .sum();
    assert_eq!(z["connections"].as_u64(), Some(lines as u64), "{z}");
    assert_eq!(z["lines_bad"].as_u64(), Some(0), "{z}");
    // Every row is from Zeek and names its sensor (the shipper's `@system`).
    let rows = store_rows(&dir.join("flows"));
    assert_eq!(rows.len() as u64, z["records"].as_u64().unwrap());
    assert!(rows.iter().all(|r| r.time_source == "zeek" && r.version == 0));
    let sensors: BTreeSet<&str> = rows.iter().map(|r| r.exporter.as_str()).collect();
    assert!(sensors.contains("bobs.bigwheel.local"), "{sensors:?}");

    // The test data's README table: established remote-admin connections, per pair. A
    // connection in two hosts' logs is one session (the sessions rules, as for two exporters).
    let got = sql(
        &dir.join("flows"),
        "SELECT client_addr, server_addr, server_port, count(*) AS n FROM sessions \
         WHERE server_port IN (22, 3389, 5985, 5986) AND packets_c2s >= 2 AND packets_s2c >= 2 \
         GROUP BY 1, 2, 3 ORDER BY 1, 2",
    );
    assert_eq!(
        got,
        "client_addr,server_addr,server_port,n\n\
         10.0.1.4,10.0.1.6,5985,4\n\
         10.0.1.5,10.0.0.4,5985,9\n\
         10.0.1.5,10.0.1.4,5985,9\n\
         172.18.39.2,10.0.1.5,3389,1\n"
    );
    // The steps were logged in separate windows: hops, but no chain.
    let report = pivots_json(&dir.join("flows"), &dir.join("out"), &[]);
    assert_eq!(report["hops"].as_u64(), Some(23), "{}", report["hops"]);
    assert_eq!(report["chains"].as_array().unwrap().len(), 0);
}

/// Zeek's TSV header for `fields`, as Zeek writes it.
fn tsv_header(path: &str, fields: &[&str]) -> String {
    let mut h = String::from("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n");
    h.push_str(&format!("#unset_field\t-\n#path\t{path}\n#open\t2020-05-01-00-00-00\n"));
    h.push_str(&format!("#fields\t{}\n", fields.join("\t")));
    h.push_str(&format!("#types\t{}\n", vec!["string"; fields.len()].join("\t")));
    h
}

/// One JSON entry (flattened keys, `@system`) as a TSV line of `fields`.
fn tsv_line(e: &serde_json::Value, fields: &[&str]) -> String {
    let cells: Vec<String> = fields
        .iter()
        .map(|f| {
            let key = match *f {
                "_system_name" => "@system".to_string(),
                f => f.replace('.', "_"),
            };
            match &e[key.as_str()] {
                serde_json::Value::Null => "-".into(),
                serde_json::Value::String(s) if s.is_empty() => "(empty)".into(),
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) if *f == "ts" || *f == "duration" => {
                    format!("{:.6}", n.as_f64().unwrap())
                }
                v => v.to_string(),
            }
        })
        .collect();
    cells.join("\t") + "\n"
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn tsv_and_json_of_one_log_give_identical_stores_rotated_gzipped_or_on_stdin() {
    let dir = tempdir("zeek-tsv-json");
    let json_log = apt29().join("day2").join("UTICA-A_conn.log");
    let entries: Vec<serde_json::Value> = std::fs::read_to_string(&json_log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let half = entries.len() / 2;
    // Part one: Zeek's usual field order, closed as a rotated log is, then a DNS log that is
    // not flows. Part two: another field order, without orig_ip_bytes' neighbours.
    let first = [
        "ts",
        "uid",
        "id.orig_h",
        "id.orig_p",
        "id.resp_h",
        "id.resp_p",
        "proto",
        "service",
        "duration",
        "orig_bytes",
        "resp_bytes",
        "conn_state",
        "missed_bytes",
        "history",
        "orig_pkts",
        "orig_ip_bytes",
        "resp_pkts",
        "resp_ip_bytes",
        "_system_name",
    ];
    let second = [
        "_system_name",
        "id.resp_p",
        "id.resp_h",
        "history",
        "resp_ip_bytes",
        "resp_pkts",
        "orig_ip_bytes",
        "orig_pkts",
        "conn_state",
        "duration",
        "proto",
        "id.orig_p",
        "uid",
        "id.orig_h",
        "ts",
    ];
    let mut a = tsv_header("conn", &first);
    for e in &entries[..half] {
        a.push_str(&tsv_line(e, &first));
    }
    a.push_str("#close\t2020-05-01-01-00-00\n");
    a.push_str(&tsv_header("dns", &["ts", "uid", "id.orig_h", "query"]));
    a.push_str("1588291200.000000\tCx\t10.0.1.5\texample.org\n");
    a.push_str("#close\t2020-05-01-01-00-00\n");
    let mut b = tsv_header("conn", &second);
    for e in &entries[half..] {
        b.push_str(&tsv_line(e, &second));
    }
    let part_a = dir.join("conn.00.log");
    std::fs::write(&part_a, &a).unwrap();

    let from_json = dir.join("json");
    let o = capture(&[&json_log], &from_json, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // TSV: part one from a file, part two gzip'd on stdin.
    let from_tsv = dir.join("tsv");
    let stats = dir.join("tsv-stats.json");
    let mut child = Command::new(bin())
        .args(["capture", "--zeek"])
        .arg(&part_a)
        .args(["--zeek", "-", "--data"])
        .arg(&from_tsv)
        .arg("--stats-json")
        .arg(&stats)
        .env("PIVOTFLOW_LOG", "warn")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&gzip(b.as_bytes())).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    assert_eq!(s["zeek"]["connections"].as_u64(), Some(entries.len() as u64), "{}", s["zeek"]);
    assert_eq!(s["zeek"]["lines_other_log"].as_u64(), Some(1), "the DNS line: {}", s["zeek"]);
    assert_eq!(s["zeek"]["lines_bad"].as_u64(), Some(0));

    let (j, t) = (sorted_rows(&from_json), sorted_rows(&from_tsv));
    assert_eq!(j.len(), t.len());
    assert!(j.len() > entries.len(), "replies are records too");
    for (x, y) in j.iter().zip(&t) {
        assert_eq!(x, y);
    }

    // Zeek's own JSON keys (`id.orig_h`) and a nested `id` object read the same.
    let dotted: String = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut e = e.as_object().unwrap().clone();
            let id: serde_json::Map<String, serde_json::Value> =
                ["orig_h", "orig_p", "resp_h", "resp_p"]
                    .iter()
                    .map(|k| (k.to_string(), e.remove(&format!("id_{k}")).unwrap()))
                    .collect();
            if i % 2 == 0 {
                for (k, v) in id {
                    e.insert(format!("id.{k}"), v);
                }
            } else {
                e.insert("id".into(), serde_json::Value::Object(id));
            }
            serde_json::Value::Object(e).to_string() + "\n"
        })
        .collect();
    let dotted_log = dir.join("dotted.log.gz");
    std::fs::write(&dotted_log, gzip(dotted.as_bytes())).unwrap();
    let from_dotted = dir.join("dotted");
    let o = capture(&[&dotted_log], &from_dotted, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(sorted_rows(&from_dotted), j);
}

#[test]
fn bad_lines_are_named_and_skipped_and_every_other_line_is_stored() {
    let dir = tempdir("zeek-bad");
    let good = apt29().join("day2").join("UTICA-C_conn.log");
    let text = std::fs::read_to_string(&good).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len();
    let cut = lines[6].len() / 2;
    lines[6].truncate(cut); // line 7: cut in the middle
    lines[11] = lines[11].replacen("\"id_resp_h\":\"", "\"id_resp_h\":\"999.", 1); // line 12
    let bad = dir.join("conn.log");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let stats = dir.join("stats.json");
    let o = capture(&[&bad], &dir.join("flows"), &["--stats-json", stats.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(&format!("{}: line 7:", bad.display())), "{stderr}");
    assert!(stderr.contains("line 12: id.resp_h"), "{stderr}");
    assert!(stderr.contains("2 bad line(s)"), "{stderr}");
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    assert_eq!(s["zeek"]["lines_bad"].as_u64(), Some(2));
    assert_eq!(s["zeek"]["connections"].as_u64(), Some(n as u64 - 2));

    // The same store as the log without those two lines.
    let mut kept: Vec<String> = text.lines().map(str::to_string).collect();
    kept.remove(11);
    kept.remove(6);
    let clean = dir.join("clean.log");
    std::fs::write(&clean, kept.join("\n")).unwrap(); // no newline at the end: still read
    let o = capture(&[&clean], &dir.join("clean"), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(sorted_rows(&dir.join("flows")), sorted_rows(&dir.join("clean")));

    // A file that does not exist is named (exit 4), not a bad line.
    let o = capture(&[&dir.join("missing.log")], &dir.join("m"), &[]);
    assert_eq!(o.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.log"));
    // --zeek with another source is a usage error.
    let o = run(&["capture", "--zeek", "x", "--pcap", "y", "--data", "d"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--zeek"));
}

/// (src, dst, src port, dst port, proto) → (packets, bytes, flags, first ms, last ms).
type Directed = BTreeMap<(String, String, u16, u16, u8), (u64, u64, u32, i64, i64)>;

/// softflowd's flows of a lab scenario (the test data's independent decode), per direction.
fn softflowd_directions(scenario: &str) -> Directed {
    let path = testdata().join("lab").join(scenario).join("expected/export-ipfix.expected.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut out = Directed::new();
    for line in lines {
        let v: Vec<&str> = line.split(',').collect();
        let key = (
            v[col("src_addr")].to_string(),
            v[col("dst_addr")].to_string(),
            v[col("src_port")].parse().unwrap(),
            v[col("dst_port")].parse().unwrap(),
            v[col("proto")].parse().unwrap(),
        );
        let flags = u32::from_str_radix(v[col("tcp_flags")].trim_start_matches("0x"), 16).unwrap();
        let (first, last): (i64, i64) =
            (v[col("first_ms")].parse().unwrap(), v[col("last_ms")].parse().unwrap());
        let e = out.entry(key).or_insert((0, 0, 0, first, last));
        e.0 += v[col("packets")].parse::<u64>().unwrap();
        e.1 += v[col("bytes")].parse::<u64>().unwrap();
        e.2 |= flags;
        e.3 = e.3.min(first);
        e.4 = e.4.max(last);
    }
    out
}

/// Zeek history letters for one side's TCP flags (upper case for the originator).
fn history(flags: u32, orig: bool) -> String {
    let mut h = String::new();
    for (bit, o, r) in [(0x02, 'S', 'h'), (0x10, 'A', 'a'), (0x08, 'D', 'd'), (0x01, 'F', 'f')] {
        if flags & bit != 0 {
            h.push(if orig { o } else { r });
        }
    }
    if flags & 0x04 != 0 {
        h.push(if orig { 'R' } else { 'r' });
    }
    h
}

/// The scenario as Zeek would log it: one conn entry per connection (the direction that
/// started first is the originator), TSV.
fn conn_log(scenario: &str) -> String {
    let dirs = softflowd_directions(scenario);
    let fields = [
        "ts",
        "uid",
        "id.orig_h",
        "id.orig_p",
        "id.resp_h",
        "id.resp_p",
        "proto",
        "duration",
        "conn_state",
        "history",
        "orig_pkts",
        "orig_ip_bytes",
        "resp_pkts",
        "resp_ip_bytes",
    ];
    let mut log = tsv_header("conn", &fields);
    let mut done = BTreeSet::new();
    for (k, o) in &dirs {
        let rev = (k.1.clone(), k.0.clone(), k.3, k.2, k.4);
        if done.contains(k) {
            continue;
        }
        let r = dirs.get(&rev).copied();
        // The originator: the side whose first packet came first; in the same millisecond,
        // the side sending to the lower port (the service).
        let (ok, ov, rv) = match r {
            Some(r) if (r.3, rev.3 >= rev.2) < (o.3, k.3 >= k.2) => (&rev, r, Some(*o)),
            _ => (k, *o, r),
        };
        done.insert(k.clone());
        done.insert(rev.clone());
        let ts = rv.map_or(ov.3, |r| r.3.min(ov.3));
        let end = rv.map_or(ov.4, |r| r.4.max(ov.4));
        let proto = match ok.4 {
            6 => "tcp",
            17 => "udp",
            _ => "icmp",
        };
        let (rp, rb, rf) = rv.map_or((0, 0, 0), |r| (r.0, r.1, r.2));
        let hist = if ok.4 == 6 { history(ov.2, true) + &history(rf, false) } else { "-".into() };
        log.push_str(&format!(
            "{}.{:03}000\tC{}\t{}\t{}\t{}\t{}\t{proto}\t{}.{:03}000\t-\t{}\t{}\t{}\t{}\t{}\n",
            ts / 1000,
            ts % 1000,
            done.len(),
            ok.0,
            ok.2,
            ok.1,
            ok.3,
            (end - ts) / 1000,
            (end - ts) % 1000,
            if hist.is_empty() { "-" } else { &hist },
            ov.0,
            ov.1,
            rp,
            rb,
        ));
    }
    log
}

#[test]
fn lab_scenarios_written_as_conn_logs_give_exactly_their_truth_chains() {
    for scenario in ["s1_onehop", "s4_cycles"] {
        let dir = tempdir(&format!("zeek-lab-{scenario}"));
        let log = dir.join("conn.log");
        std::fs::write(&log, conn_log(scenario)).unwrap();
        let o = capture(&[&log], &dir.join("flows"), &[]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let truth: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(testdata().join("lab").join(scenario).join("truth.json"))
                .unwrap(),
        )
        .unwrap();
        let report = pivots_json(&dir.join("flows"), &dir.join("out"), &[]);
        assert_eq!(chain_keys(&report), chain_keys(&truth), "{scenario}");
    }
}
