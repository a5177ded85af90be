//! Live UDP collection through the built binary: same rows as pcap mode, data before
//! templates, and `kill -9` recovery from the journal.

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{
    Row, capture_pcaps, parquet_files, payloads, read_parquet, store_rows, tempdir, testdata,
};

fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running `pivotflow capture --listen`, ready to receive once `start` returns.
struct Collector {
    child: Child,
    port: u16,
    stderr_lines: mpsc::Receiver<String>,
}

impl Collector {
    fn start(data: &Path, port: u16, extra: &[&str]) -> Collector {
        Collector::start_with(&crate::support::bin(), data, port, extra)
    }

    /// `start` with another build of the binary (the crash script uses the release one).
    fn start_with(bin: &Path, data: &Path, port: u16, extra: &[&str]) -> Collector {
        let mut child = Command::new(bin)
            .args(["capture", "--listen", &format!("127.0.0.1:{port}"), "--data"])
            .arg(data)
            .args(["--flush-interval", &format!("{}ms", (FLUSH_INTERVAL_S * 1000.0) as u64)])
            .args(extra)
            .env("PIVOTFLOW_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let c = Collector { child, port, stderr_lines: rx };
        c.wait_for("listening");
        c
    }

    fn wait_for(&self, needle: &str) -> String {
        loop {
            match self.stderr_lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(e) => panic!("collector never logged {needle:?}: {e}"),
            }
        }
    }

    fn send(&self, payloads: &[Vec<u8>]) {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        for p in payloads {
            s.send_to(p, ("127.0.0.1", self.port)).unwrap();
            // Loopback never drops, but a burst can outrun a debug-build decoder's queue.
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// SIGTERM: the collector writes everything and exits 0.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "collector exit status {status}");
    }

    fn kill9(mut self) {
        self.child.kill().unwrap(); // SIGKILL
        let _ = self.child.wait();
    }
}

/// A failed test leaves no collector behind.
impl Drop for Collector {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Flow content only: arrival time and exporter differ between pcap and live runs.
fn flow_view(rows: &[Row]) -> Vec<Row> {
    let mut v: Vec<Row> =
        rows.iter().map(|r| Row { received_ms: 0, exporter: String::new(), ..r.clone() }).collect();
    v.sort();
    v
}

fn lab_v9() -> PathBuf {
    testdata().join("lab/s1_onehop/export-v9.pcap")
}

#[test]
fn udp_gives_the_same_rows_as_pcap_mode() {
    for pcap in [
        lab_v9(),
        testdata().join("lab/s1_onehop/export-ipfix.pcap"),
        testdata().join("lab/s1_onehop/export-v5.pcap"),
    ] {
        let reference = capture_pcaps("live-ref", &[&pcap]);
        assert!(!reference.rows.is_empty());
        let data = tempdir("live-udp");
        let c = Collector::start(&data, free_port(), &[]);
        c.send(&payloads(&pcap));
        // Let the decoder drain the queue before the signal.
        std::thread::sleep(Duration::from_millis(500));
        c.stop();
        assert_eq!(flow_view(&store_rows(&data)), flow_view(&reference.rows), "{}", pcap.display());
    }
}

#[test]
fn data_sent_before_its_template_decodes_fully() {
    let pcap = lab_v9();
    let reference = capture_pcaps("live-ref-dbt", &[&pcap]);
    let mut p = payloads(&pcap);
    // The first datagram carries the templates: send it last.
    let first = p.remove(0);
    p.push(first);
    let data = tempdir("live-dbt");
    let stats = data.join("stats.json");
    let c = Collector::start(
        &data.join("store"),
        free_port(),
        &["--stats-json", stats.to_str().unwrap()],
    );
    c.send(&p);
    std::thread::sleep(Duration::from_millis(500));
    c.stop();
    assert_eq!(flow_view(&store_rows(&data.join("store"))), flow_view(&reference.rows));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(stats).unwrap()).unwrap();
    let e = &s["exporters"]["127.0.0.1"];
    assert_eq!(e["held_sets"], p.len() as u64 - 1, "every data-only datagram was held");
    assert!(e["replayed_records"].as_u64().unwrap() > 0);
    assert_eq!(e["expired_sets"], 0);
}

#[test]
fn kill_9_loses_nothing_that_was_flushed_and_restart_recovers_it() {
    let pcap = lab_v9();
    let reference = capture_pcaps("live-ref-k9", &[&pcap]);
    let data = tempdir("live-kill9");
    let port = free_port();
    let c = Collector::start(&data, port, &[]);
    c.send(&payloads(&pcap));
    // More than the 200 ms flush interval: everything is journaled.
    std::thread::sleep(Duration::from_millis(1200));
    c.kill9();
    let journal: Vec<_> = std::fs::read_dir(data.join(".journal")).unwrap().flatten().collect();
    assert!(!journal.is_empty(), "journal segment expected after kill -9");
    // Every file that exists is readable (no half-written Parquet is ever visible).
    for f in parquet_files(&data) {
        read_parquet(&f);
    }
    let c = Collector::start(&data, port, &[]);
    c.stop();
    assert_eq!(flow_view(&store_rows(&data)), flow_view(&reference.rows));
    assert_eq!(
        std::fs::read_dir(data.join(".journal")).unwrap().count(),
        0,
        "journal emptied after recovery"
    );
    // The recovered hour files have their admin-layout pieces too.
    let ports = pivotflow::store::admin::AdminPorts::default_services();
    for f in parquet_files(&data) {
        assert_eq!(
            pivotflow::store::admin::piece_state(&data, &f, &ports),
            pivotflow::store::admin::PieceState::Fresh,
            "{}",
            f.display()
        );
    }
}

#[test]
fn datagrams_from_outside_the_allow_list_are_dropped_and_counted() {
    let data = tempdir("live-allow");
    let stats = data.join("stats.json");
    let c = Collector::start(
        &data.join("store"),
        free_port(),
        &["--allow-exporter", "192.0.2.0/24", "--stats-json", stats.to_str().unwrap()],
    );
    c.send(&payloads(&lab_v9()));
    std::thread::sleep(Duration::from_millis(300));
    c.stop();
    assert!(store_rows(&data.join("store")).is_empty());
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(stats).unwrap()).unwrap();
    assert_eq!(s["datagrams_not_allowed"], payloads(&lab_v9()).len() as u64);
}

/// The process runs without transparent huge pages (`no_huge_pages` in main.rs: zeroing fresh
/// 2 MiB pages was half of a large report's CPU time). Read from the running collector's
/// /proc status, where the kernel reports it (Linux 5.0 and later).
#[test]
fn the_collector_runs_without_transparent_huge_pages() {
    let data = tempdir("live-thp");
    let c = Collector::start(&data.join("store"), free_port(), &[]);
    let status = std::fs::read_to_string(format!("/proc/{}/status", c.child.id())).unwrap();
    c.stop();
    let line = status.lines().find(|l| l.starts_with("THP_enabled:"));
    if let Some(line) = line {
        assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
    } else {
        assert!(!std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists());
    }
}

#[test]
fn sql_sees_the_hour_still_being_captured() {
    let pcap = lab_v9();
    let expected = capture_pcaps("live-ref-sql", &[&pcap]).rows.len();
    let data = tempdir("live-sql");
    let c = Collector::start(&data, free_port(), &[]);
    c.send(&payloads(&pcap));
    // Past one flush interval (200 ms): the rows are in the journal, not yet in Parquet.
    std::thread::sleep(Duration::from_millis(1000));
    assert!(parquet_files(&data).is_empty(), "the hour is still open");
    let out = crate::support::run(&[
        "sql",
        "--data",
        data.to_str().unwrap(),
        "--format",
        "csv",
        "SELECT count(*) AS n FROM flows",
    ]);
    c.stop();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("n\n{expected}\n"));
}

#[test]
fn synth_send_feeds_a_live_collector_without_loss() {
    let dir = tempdir("live-send");
    let common = [
        "--flows",
        "3000",
        "--format",
        "ipfix",
        "--seed",
        "9",
        "--exporters",
        "3",
        "--chains",
        "1",
    ];
    // Reference: the same generated traffic through a pcap.
    let pcap = dir.join("ref.pcap");
    let mut args = vec!["synth", "--pcap", pcap.to_str().unwrap()];
    args.extend_from_slice(&common);
    assert!(crate::support::run(&args).status.success());
    let reference = capture_pcaps("live-send-ref", &[&pcap]);
    let store = dir.join("store");
    let c = Collector::start(&store, free_port(), &[]);
    let target = format!("127.0.0.1:{}", c.port);
    let mut args = vec!["synth", "--send", target.as_str(), "--rate", "30000"];
    args.extend_from_slice(&common);
    let o = crate::support::run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::thread::sleep(Duration::from_millis(500));
    c.stop();
    assert_eq!(flow_view(&store_rows(&store)).len(), reference.rows.len());
    assert_eq!(flow_view(&store_rows(&store)), flow_view(&reference.rows));
}

#[test]
fn retention_deletes_old_days_and_keeps_recent_ones() {
    let data = tempdir("live-retention");
    let today = chrono::Utc::now().format("date=%Y-%m-%d").to_string();
    for day in ["date=2020-01-01", today.as_str()] {
        let hour = data.join(day).join("hour=00");
        std::fs::create_dir_all(&hour).unwrap();
        std::fs::write(hour.join("flows-x.parquet"), b"placeholder").unwrap();
    }
    let c = Collector::start(&data, free_port(), &["--retention", "30d"]);
    // The check runs on the decoder thread at start, maybe before "listening" was logged.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while data.join("date=2020-01-01").exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    c.stop();
    assert!(!data.join("date=2020-01-01").exists(), "a day older than 30 days is deleted");
    assert!(data.join(&today).join("hour=00/flows-x.parquet").exists(), "today is kept");
    // pcap mode refuses: it would delete by today's date, not the capture's.
    let o = crate::support::run(&[
        "capture",
        "--pcap",
        "x.pcap",
        "--data",
        data.to_str().unwrap(),
        "--retention",
        "1d",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--retention"));
}

/// A collector that can no longer store flows exits non-zero and says why (it used to close its
/// decoder and keep running silently until a signal came, so `Restart=always` never fired).
#[test]
fn a_collector_that_cannot_write_exits_with_an_error() {
    let data = tempdir("live-journal-broken");
    let mut c = Collector::start(&data, free_port(), &[]);
    // The journal folder is created on the first flush: a file in its place makes that fail,
    // for root too (permission bits would not stop root).
    let _ = std::fs::remove_dir(data.join(".journal"));
    std::fs::write(data.join(".journal"), b"not a folder").unwrap();
    c.send(&payloads(&lab_v9())[..3]);
    let line = c.wait_for("pivotflow: error:");
    assert!(line.contains(".journal"), "the error names the path: {line}");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = c.child.try_wait().unwrap() {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "collector still running after the error");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(4), "I/O failure exit code");
}

/// The collectors' `--flush-interval` in these tests (seconds).
const FLUSH_INTERVAL_S: f64 = 0.2;

/// `kill -9` during live ingest (issues 11, 21): each round streams one second of flows (the
/// rate's worth, a fixed count) from `synth --send` into a collector that writes a Parquet file
/// every 20 000 rows (so kills also land while a file is being written), kills it with SIGKILL
/// at a seeded moment 0–300 ms after the stream ended, and restarts it (journal recovery).
/// Afterwards every Parquet file reads, no row is stored twice, and each round lost (sent minus
/// stored) at most three flush intervals of the stream (rate × 3 × 200 ms: one not yet
/// journaled, one being journaled, one still in the socket buffer and queue), as the README
/// promises; one second is sent, so losing it all fails. Measured here (debug, 8 kills at
/// 50 000 flows/s): 0 to 20 034 rows, i.e. up to two intervals; one interval would be too tight.
/// CI: 3 rounds at 20 000 flows/s (debug build; ~3 800 rows lost per kill, under one interval
/// of 4 000). At 50 000 flows/s the debug decoder, sharing two cores with the rest of the
/// parallel test suite, fell behind once and a kill lost more than three intervals (the
/// README's bound assumes a collector that keeps up); alone it passed. `scripts/crash.sh` runs 20 rounds at 200 000
/// flows/s on the release binary (env PIVOTFLOW_KILLS, PIVOTFLOW_KILL_RATE, PIVOTFLOW_BIN) and
/// prints the rows lost per kill.
#[test]
fn kill_9_during_ingest_loses_at_most_the_last_flush() {
    use rand::{Rng, SeedableRng};
    let env = |k: &str, d: u64| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let (kills, rate) = (env("PIVOTFLOW_KILLS", 3), env("PIVOTFLOW_KILL_RATE", 20_000));
    let bin =
        std::env::var_os("PIVOTFLOW_BIN").map(PathBuf::from).unwrap_or_else(crate::support::bin);
    let data = tempdir("live-kill-ingest");
    let port = free_port();
    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    let mut losses = Vec::new();
    let mut stored_before = 0usize;
    for round in 0..kills {
        let c = Collector::start_with(&bin, &data, port, &["--max-rows-per-file", "20000"]);
        let flows = rate; // one second of stream: more than the bound, so the test can fail
        let out = Command::new(&bin)
            .args(["synth", "--send", &format!("127.0.0.1:{port}"), "--format", "ipfix"])
            .args(["--flows", &flows.to_string(), "--rate", &rate.to_string()])
            .args(["--seed", &(100 + round).to_string(), "--exporters", "1", "--span", "1m"])
            .env("PIVOTFLOW_LOG", "warn")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let summary = String::from_utf8_lossy(&out.stderr);
        let sent: usize = summary
            .split("synth: ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("synth summary: {summary}"));
        std::thread::sleep(Duration::from_millis(rng.random_range(0..300)));
        c.kill9();
        for f in parquet_files(&data) {
            read_parquet(&f); // every visible file is whole
        }
        // Restart: the journal becomes Parquet; count what this round kept.
        let c = Collector::start_with(&bin, &data, port, &[]);
        c.stop();
        let stored = store_rows(&data).len();
        losses.push(sent - (stored - stored_before).min(sent));
        stored_before = stored;
    }
    let rows = store_rows(&data);
    let distinct: std::collections::HashSet<&Row> = rows.iter().collect();
    assert_eq!(distinct.len(), rows.len(), "no row stored twice");
    eprintln!(
        "kill -9 during ingest: {kills} kills at {rate} flows/s, rows lost per kill: {losses:?}"
    );
    // The promise (README, Durability): at most three flush intervals of what was sent.
    let bound = (rate as f64 * 3.0 * FLUSH_INTERVAL_S) as usize;
    assert!(losses.iter().all(|&l| l <= bound), "loss per kill {losses:?} over {bound}");
}
