//! Shared helpers for the integration tests: locating test data, running the binary, reading
//! the flow store back.

#![allow(dead_code)]

pub mod s3;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{Int32Type, Int64Type};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// `PIVOTFLOW_TESTDATA` or `../shared/testdata`. Panics with instructions when missing: CI
/// must fail rather than skip.
pub fn testdata() -> PathBuf {
    let dir = std::env::var_os("PIVOTFLOW_TESTDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata"));
    assert!(
        dir.join("README.md").exists(),
        "test data not found at {} (set PIVOTFLOW_TESTDATA to the shared testdata folder)",
        dir.display()
    );
    dir
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_pivotflow"))
}

pub fn run(args: &[&str]) -> Output {
    Command::new(bin()).args(args).env("PIVOTFLOW_LOG", "warn").output().expect("run pivotflow")
}

/// `pivotflow pivots --data DATA --out OUT --json EXTRA…`: must succeed; its stdout JSON.
pub fn pivots_json(data: &Path, out: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["pivots", "--data", data.to_str().unwrap(), "--out"];
    args.extend([out.to_str().unwrap(), "--json"]);
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// No chain in `got` (hosts, cycle) contains every host of one of the truth's decoys.
pub fn assert_no_decoy(
    truth: &serde_json::Value,
    got: &std::collections::BTreeSet<(Vec<String>, bool)>,
    what: &str,
) {
    for d in truth["decoys"].as_array().unwrap() {
        let hosts: Vec<&str> = d["hops"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|h| [h["client"].as_str().unwrap(), h["server"].as_str().unwrap()])
            .collect();
        for (chain_hosts, _) in got {
            let all = hosts.iter().all(|h| chain_hosts.iter().any(|c| c == h));
            assert!(!all, "{what}: decoy {} reported", d["id"]);
        }
    }
}

/// The export captures of a lab scenario (`lab/<scenario>/export-*`), sorted.
pub fn lab_exports(scenario: &str) -> Vec<PathBuf> {
    let dir = testdata().join("lab").join(scenario);
    let mut exports: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("export-"))
        .collect();
    exports.sort();
    exports
}

/// A fresh folder `pivotflow-test-PID-NAME` in the temp dir. The tests leave theirs behind
/// (a failure's files are there to look at); the first call of a run removes the folders of
/// earlier runs whose process is gone, so they do not pile up (one run writes ~400 MB).
pub fn tempdir(name: &str) -> PathBuf {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(sweep_finished_runs);
    let dir = std::env::temp_dir().join(format!("pivotflow-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Remove `pivotflow-test-PID-*` folders whose process PID no longer runs (`/proc/PID`).
fn sweep_finished_runs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(rest) = name.strip_prefix("pivotflow-test-") else { continue };
        let Some((pid, _)) = rest.split_once('-') else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Every `*.parquet` file below `root` (skips hidden temp files and the journal).
pub fn parquet_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if name.ends_with(".parquet") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn read_parquet(path: &Path) -> Vec<RecordBatch> {
    let file = File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    reader.map(|b| b.unwrap()).collect()
}

/// One stored row, in comparable form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Row {
    pub version: i32,
    pub src_addr: String,
    pub dst_addr: String,
    pub src_port: i32,
    pub dst_port: i32,
    pub proto: i32,
    pub packets: i64,
    pub bytes: i64,
    pub tcp_flags: i32,
    pub first_ms: i64,
    pub last_ms: i64,
    pub received_ms: i64,
    pub time_source: String,
    pub exporter: String,
}

pub fn rows_of(batches: &[RecordBatch]) -> Vec<Row> {
    let mut out = Vec::new();
    for b in batches {
        let s = |n: &str| b.column_by_name(n).unwrap().as_string::<i32>().clone();
        let i32c = |n: &str| b.column_by_name(n).unwrap().as_primitive::<Int32Type>().clone();
        let i64c = |n: &str| b.column_by_name(n).unwrap().as_primitive::<Int64Type>().clone();
        let (src, dst, ts, exp) =
            (s("src_addr"), s("dst_addr"), s("time_source"), s("exporter_addr"));
        let (ver, sp, dp, pr, fl) = (
            i32c("flow_version"),
            i32c("src_port"),
            i32c("dst_port"),
            i32c("proto"),
            i32c("tcp_flags"),
        );
        let (pk, by, st, en, rc) = (
            i64c("packets"),
            i64c("bytes"),
            i64c("flow_start_ms"),
            i64c("flow_end_ms"),
            i64c("received_ms"),
        );
        for i in 0..b.num_rows() {
            assert!(!src.is_null(i));
            out.push(Row {
                version: ver.value(i),
                src_addr: src.value(i).to_string(),
                dst_addr: dst.value(i).to_string(),
                src_port: sp.value(i),
                dst_port: dp.value(i),
                proto: pr.value(i),
                packets: pk.value(i),
                bytes: by.value(i),
                tcp_flags: fl.value(i),
                first_ms: st.value(i),
                last_ms: en.value(i),
                received_ms: rc.value(i),
                time_source: ts.value(i).to_string(),
                exporter: exp.value(i).to_string(),
            });
        }
    }
    out
}

/// All rows of a flow store.
pub fn store_rows(root: &Path) -> Vec<Row> {
    parquet_files(root).iter().flat_map(|p| rows_of(&read_parquet(p))).collect()
}

/// Result of a capture run in a test.
pub struct Captured {
    pub data: PathBuf,
    pub rows: Vec<Row>,
    pub stats: serde_json::Value,
}

impl Captured {
    /// Sum of a per-exporter counter over all exporters.
    pub fn exporter_total(&self, counter: &str) -> u64 {
        self.stats["exporters"]
            .as_object()
            .unwrap()
            .values()
            .map(|e| e[counter].as_u64().unwrap())
            .sum()
    }

    /// Sum of one decode-error kind over all exporters.
    pub fn decode_errors(&self, kind: &str) -> u64 {
        self.stats["exporters"]
            .as_object()
            .unwrap()
            .values()
            .map(|e| e["decode_errors"][kind].as_u64().unwrap_or(0))
            .sum()
    }
}

/// Capture pcaps into a fresh store and return its rows and statistics; asserts success.
pub fn capture_pcaps(name: &str, pcaps: &[&Path]) -> Captured {
    let dir = tempdir(name);
    let data = dir.join("data");
    let stats_path = dir.join("stats.json");
    let mut args =
        vec!["capture".to_string(), "--stats-json".into(), stats_path.display().to_string()];
    for p in pcaps {
        args.push("--pcap".into());
        args.push(p.display().to_string());
    }
    args.push("--data".into());
    args.push(data.display().to_string());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&argv);
    assert!(out.status.success(), "capture failed: {}", String::from_utf8_lossy(&out.stderr));
    let rows = store_rows(&data);
    let stats = serde_json::from_str(&std::fs::read_to_string(&stats_path).unwrap()).unwrap();
    Captured { data, rows, stats }
}

/// (hosts in order, cycle) of every chain in a truth file or a `pivots` report: both have
/// `chains[].hosts` and `chains[].cycle`.
pub fn chain_keys(doc: &serde_json::Value) -> std::collections::BTreeSet<(Vec<String>, bool)> {
    doc["chains"]
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

/// `capture` the shipped sample data (v5, v9 and IPFIX exports of one network) into `data`.
pub fn capture_sample(data: &Path) {
    let mut args = vec!["capture".to_string()];
    for f in ["v5", "v9", "ipfix"] {
        args.push("--pcap".into());
        let pcap = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("sample-data/{f}.pcap"));
        args.push(pcap.display().to_string());
    }
    args.extend(["--data".into(), data.display().to_string()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(&argv);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The export datagrams (UDP payloads) of a pcap with their capture times (ms), in file order.
pub fn export_datagrams(pcap: &Path) -> Vec<(i64, Vec<u8>)> {
    use pivotflow::capture::source::frames::{FrameDecoder, FrameOutcome};
    let mut frames = FrameDecoder::default();
    let mut out = Vec::new();
    pivotflow::capture::source::pcap::read_frames(pcap, |lt, f, ts| {
        if let FrameOutcome::Udp(u) = frames.decode(lt, f, ts) {
            out.push((ts, u.payload));
        }
    })
    .unwrap();
    out
}

/// The UDP payloads of the export datagrams in a pcap, in file order.
pub fn payloads(pcap: &Path) -> Vec<Vec<u8>> {
    export_datagrams(pcap).into_iter().map(|(_, p)| p).collect()
}

/// A small 3-day `synth --days` store (300 hosts, 20 000 flows a weekday, seed 5; days
/// 2026-11-02 to 2026-11-04) in a fresh temp folder `name`.
pub fn synth_three_days(name: &str) -> PathBuf {
    let data = tempdir(name).join("flows");
    let o = Command::new(bin())
        .args(["--quiet", "synth", "--days", "3", "--flows", "20000", "--hosts", "300"])
        .args(["--seed", "5", "--parquet"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    data
}
