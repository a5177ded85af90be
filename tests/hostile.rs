//! Hostile exporters (issue 11, bounded memory): NetFlow has no authentication, so anyone who
//! reaches the collector can spoof exporters, flood templates or send data that never gets a
//! template. Each case is a pcap built here, captured by the binary; the test checks the peak
//! RSS of the capture process (from the kernel's accounting, `wait4`), that every refusal is
//! counted, and that a legitimate exporter sending at the same time loses no record.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::process::Command;

use pivotflow::synth::pcap_out::{PcapWriter, collector};

use crate::support::{Row, capture_pcaps, store_rows, tempdir, testdata};

/// Peak RSS (the capture's own VmHWM) every hostile case must stay under: RELIABILITY.md states
/// the measured figures (86–167 MiB in debug builds); this is that bound with headroom.
const RSS_LIMIT_MIB: u64 = 256;

/// The legitimate exporter's address in the hostile pcaps.
const LEGIT: Ipv4Addr = Ipv4Addr::new(10, 255, 0, 1);

fn ipfix_header(len: usize, export_s: u32, seq: u32, domain: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(len);
    h.extend_from_slice(&10u16.to_be_bytes());
    h.extend_from_slice(&(len as u16).to_be_bytes());
    h.extend_from_slice(&export_s.to_be_bytes());
    h.extend_from_slice(&seq.to_be_bytes());
    h.extend_from_slice(&domain.to_be_bytes());
    h
}

/// An IPFIX datagram with one template set: template `id` with `fields` fields (source and
/// destination IPv4 address, 4 bytes each, alternating), and when `data` a data record for it.
fn template_datagram(id: u16, fields: usize, data: bool, seq: u32) -> Vec<u8> {
    let set_len = 4 + 4 + 4 * fields;
    let data_len = if data { 4 + 4 * fields } else { 0 };
    let mut d = ipfix_header(16 + set_len + data_len, 1_795_000_000, seq, 0);
    d.extend_from_slice(&2u16.to_be_bytes());
    d.extend_from_slice(&(set_len as u16).to_be_bytes());
    d.extend_from_slice(&id.to_be_bytes());
    d.extend_from_slice(&(fields as u16).to_be_bytes());
    for k in 0..fields {
        let ie: u16 = if k % 2 == 0 { 8 } else { 12 }; // source/destinationIPv4Address
        d.extend_from_slice(&ie.to_be_bytes());
        d.extend_from_slice(&4u16.to_be_bytes());
    }
    if data {
        d.extend_from_slice(&id.to_be_bytes());
        d.extend_from_slice(&((4 + 4 * fields) as u16).to_be_bytes());
        d.extend(std::iter::repeat_n(10u8, 4 * fields));
    }
    d
}

/// An IPFIX datagram with one data set for template `id` (never defined) of `bytes` bytes.
fn orphan_data_datagram(id: u16, bytes: usize, seq: u32) -> Vec<u8> {
    let mut d = ipfix_header(16 + 4 + bytes, 1_795_000_000, seq, 0);
    d.extend_from_slice(&id.to_be_bytes());
    d.extend_from_slice(&((4 + bytes) as u16).to_be_bytes());
    d.extend(std::iter::repeat_n(0xab, bytes));
    d
}

/// A pcap of the legitimate exporter's datagrams (lab v9 capture, its own times, sent from
/// `LEGIT`) with `hostile(i)` → (source, payload) datagrams spread evenly between them.
fn hostile_pcap(
    name: &str,
    legit: &[(i64, Vec<u8>)],
    count: usize,
    hostile: impl Fn(usize) -> (Ipv4Addr, Vec<u8>),
) -> PathBuf {
    let path = tempdir(name).join("hostile.pcap");
    let mut w = PcapWriter::create(&path).unwrap();
    let to = collector(2055);
    let per_legit = count.div_ceil(legit.len().max(1));
    let mut next = 0;
    for (ts, payload) in legit {
        // The legitimate exporter speaks first: its scope exists before the flood.
        w.write_datagram(SocketAddrV4::new(LEGIT, 40000), to, *ts, payload).unwrap();
        for _ in 0..per_legit {
            if next == count {
                break;
            }
            let (from, p) = hostile(next);
            w.write_datagram(SocketAddrV4::new(from, 50000), to, *ts, &p).unwrap();
            next += 1;
        }
    }
    w.finish().unwrap();
    path
}

/// `capture --pcap PCAP`: its stats JSON and peak RSS in MiB (the kernel's account of the
/// finished child, through wait4, which reaps it: clippy cannot see that).
#[allow(clippy::zombie_processes)]
fn capture_measured(pcap: &Path, data: &Path, extra: &[&str]) -> (serde_json::Value, u64) {
    let stats = data.with_extension("stats.json");
    let child = Command::new(crate::support::bin())
        .arg("capture")
        .arg("--pcap")
        .arg(pcap)
        .arg("--data")
        .arg(data)
        .arg("--stats-json")
        .arg(&stats)
        .args(extra)
        .env("PIVOTFLOW_LOG", "warn")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: plain wait4 on our own child; the rusage struct is written by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "capture failed: {status}");
    let _ = usage.ru_maxrss; // includes this test process's own peak (posix_spawn): not used
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    // The capture's own peak (VmHWM), which the parent's wait4 figure is not: Linux records the
    // spawning process's peak for a child started with posix_spawn.
    let peak_mib = s["peak_rss_kib"].as_u64().expect("peak_rss_kib in the stats") / 1024;
    (s, peak_mib)
}

/// Flow content of the legitimate exporter's rows (its address differs from the reference run).
fn legit_rows(data: &Path) -> Vec<Row> {
    let mut v: Vec<Row> = store_rows(data)
        .into_iter()
        .filter(|r| r.exporter == LEGIT.to_string())
        .map(|r| Row { exporter: String::new(), ..r })
        .collect();
    v.sort();
    v
}

fn reference_rows(pcap: &Path) -> Vec<Row> {
    // One folder per call: the tests run in parallel in one process (one PID), and a shared
    // "hostile-ref" folder was removed under another test's capture now and then.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let reference = capture_pcaps(&format!("hostile-ref-{k}"), &[pcap]);
    let mut v: Vec<Row> =
        reference.rows.into_iter().map(|r| Row { exporter: String::new(), ..r }).collect();
    v.sort();
    assert!(!v.is_empty());
    v
}

fn decode_errors(stats: &serde_json::Value, kind: &str) -> u64 {
    stats["exporters"]
        .as_object()
        .unwrap()
        .values()
        .map(|e| e["decode_errors"][kind].as_u64().unwrap_or(0))
        .sum()
}

/// 100 000 spoofed exporters, one template each: the scope table stops at --max-scopes (each
/// spoofed scope, one datagram, makes room for the next: displaced, counted), the statistics at
/// EXPORTERS_TRACKED addresses (one-datagram exporters folded into `::`), and the real exporter,
/// which spoke first and keeps speaking, keeps every record and its own statistics.
#[test]
fn spoofed_exporters_cannot_grow_memory() {
    let lab = testdata().join("lab/s1_onehop/export-v9.pcap");
    let legit = crate::support::export_datagrams(&lab);
    let n = 100_000;
    let pcap = hostile_pcap("hostile-spoof", &legit, n, |i| {
        let ip = Ipv4Addr::from(0x0a00_0000 + i as u32 + 1); // 10.0.0.1 …
        (ip, template_datagram(256, 12, true, 0))
    });
    let data = tempdir("hostile-spoof-out").join("data");
    let (stats, peak) = capture_measured(&pcap, &data, &[]);
    eprintln!("hostile: {n} spoofed exporters: peak RSS {peak} MiB");
    assert!(peak < RSS_LIMIT_MIB, "peak RSS {peak} MiB");
    // Nothing is refused: every spoofed scope took the place of an older one-datagram scope.
    assert_eq!(decode_errors(&stats, "scope_table_full"), 0);
    let displaced = stats["scopes_displaced"].as_u64().unwrap() as usize;
    // 1024 scopes (--max-scopes): the real exporter's k (one per source id) and 1024 - k
    // spoofed ones; each later spoofed scope displaced one: n - (1024 - k).
    let k = displaced + 1024 - n;
    assert!((1..=8).contains(&k), "{displaced} scopes displaced");
    let records: u64 = stats["exporters"]
        .as_object()
        .unwrap()
        .values()
        .map(|e| e["records"].as_u64().unwrap())
        .sum();
    let legit_records = stats["exporters"][LEGIT.to_string()]["records"].as_u64().unwrap();
    assert_eq!(records - legit_records, n as u64, "each spoofed datagram gave its record");
    let tracked = stats["exporters"].as_object().unwrap().len();
    assert!(tracked <= pivotflow::capture::stats::EXPORTERS_TRACKED + 1, "{tracked} exporters");
    assert!(stats["exporters_folded"].as_u64().unwrap() > (n - 16_384) as u64 / 2);
    assert_eq!(legit_rows(&data), reference_rows(&lab), "the real exporter lost nothing");
}

/// `flood` spoofed one-datagram IPFIX exporters (template + record each) before the real
/// exporter's first datagram, then `between` more before each of its datagrams (a flood that
/// goes on: the collector restarted in the middle of it).
fn flood_first_pcap(name: &str, legit: &[(i64, Vec<u8>)], flood: usize, between: usize) -> PathBuf {
    let path = tempdir(name).join("flood-first.pcap");
    let mut w = PcapWriter::create(&path).unwrap();
    let to = collector(2055);
    let t0 = legit.first().map_or(0, |(t, _)| *t);
    let mut next = 0u32;
    let mut spoof = |w: &mut PcapWriter, ts: i64, k: usize| {
        for _ in 0..k {
            next += 1;
            let from = Ipv4Addr::from(0x7f10_0000 + next); // 127.16.0.1 … (127.16.0.0/12)
            let d = template_datagram(256, 2, true, 0);
            w.write_datagram(SocketAddrV4::new(from, 50000), to, ts, &d).unwrap();
        }
    };
    spoof(&mut w, t0 - 60_000, flood);
    for (ts, payload) in legit {
        spoof(&mut w, *ts, between);
        w.write_datagram(SocketAddrV4::new(LEGIT, 40000), to, *ts, payload).unwrap();
    }
    w.finish().unwrap();
    path
}

/// Issue 21: a flood of 100 000 spoofed exporters comes *first* and fills the scope table and the
/// statistics; then a real exporter starts (v5, and IPFIX with its own template), alone or
/// with the flood going on (200 new spoofed sources before each of its datagrams). It stores
/// every record, its statistics are its own (not folded into `::`), nothing of it is refused,
/// and memory stays within the bound RELIABILITY.md states.
#[test]
fn a_flood_first_cannot_lock_out_a_real_exporter() {
    for (export, between) in [
        ("export-v5.pcap", 0),
        ("export-ipfix.pcap", 0),
        ("export-v5.pcap", 200),
        ("export-ipfix.pcap", 200),
    ] {
        let lab = testdata().join("lab/s1_onehop").join(export);
        let legit = crate::support::export_datagrams(&lab);
        let name = format!("hostile-first-{between}-{export}");
        let pcap = flood_first_pcap(&name, &legit, 100_000, between);
        let data = tempdir(&format!("{name}-out")).join("data");
        let (stats, peak) = capture_measured(&pcap, &data, &[]);
        eprintln!("hostile: flood first, {between} between, {export}: peak RSS {peak} MiB");
        assert!(peak < RSS_LIMIT_MIB, "peak RSS {peak} MiB");
        let e = &stats["exporters"][LEGIT.to_string()];
        assert_eq!(e["datagrams"].as_u64(), Some(legit.len() as u64), "{export}: {e}");
        assert_eq!(e["decode_errors"]["scope_table_full"].as_u64(), None, "{export}: {e}");
        assert_eq!(
            legit_rows(&data),
            reference_rows(&lab),
            "{export}: the real exporter lost records"
        );
    }
}

/// One exporter sending 65 535 templates over every id (256–65 535, 256 fields each), plus
/// templates of the largest size a UDP datagram can carry (16 370 fields): templates stay
/// within --max-templates per scope, oversized ones are counted decode errors, and the real
/// exporter keeps every record.
#[test]
fn a_template_flood_stays_bounded() {
    let lab = testdata().join("lab/s1_onehop/export-v9.pcap");
    let legit = crate::support::export_datagrams(&lab);
    let (flood, huge) = (65_535usize, 64usize);
    let spoofer = Ipv4Addr::new(10, 0, 0, 9);
    let pcap = hostile_pcap("hostile-templates", &legit, flood + huge, |i| {
        if i < flood {
            (spoofer, template_datagram(256u16.wrapping_add(i as u16).max(256), 256, false, 0))
        } else {
            let max_fields = (65_507 - 16 - 8) / 4; // 65 507: the largest UDP payload over IPv4
            (spoofer, template_datagram(300 + i as u16 % 100, max_fields, false, 0))
        }
    });
    let data = tempdir("hostile-templates-out").join("data");
    let (stats, peak) = capture_measured(&pcap, &data, &[]);
    eprintln!("hostile: {flood} templates of 256 fields + {huge} of 16 370: peak RSS {peak} MiB");
    assert!(peak < RSS_LIMIT_MIB, "peak RSS {peak} MiB");
    let e = &stats["exporters"][spoofer.to_string()];
    assert_eq!(e["datagrams"], (flood + huge) as u64);
    let too_large = e["decode_errors"]["template_too_large"].as_u64().unwrap_or(0);
    assert_eq!(too_large, huge as u64, "every oversized template is a counted error: {e}");
    assert_eq!(legit_rows(&data), reference_rows(&lab), "the real exporter lost nothing");
}

/// A stream of data sets whose template never comes (60 000 ids, 1 200 bytes each): the hold
/// buffer stops at its bounds, everything it refuses or expires is counted.
#[test]
fn data_without_templates_stays_bounded() {
    let lab = testdata().join("lab/s1_onehop/export-v9.pcap");
    let legit = crate::support::export_datagrams(&lab);
    let n = 80_000usize;
    let spoofer = Ipv4Addr::new(10, 0, 0, 7);
    let pcap = hostile_pcap("hostile-orphans", &legit, n, |i| {
        (spoofer, orphan_data_datagram(256 + (i % 60_000) as u16, 1200, i as u32))
    });
    let data = tempdir("hostile-orphans-out").join("data");
    let (stats, peak) = capture_measured(&pcap, &data, &[]);
    eprintln!("hostile: {n} template-less data sets of 1200 bytes: peak RSS {peak} MiB");
    assert!(peak < RSS_LIMIT_MIB, "peak RSS {peak} MiB");
    let e = &stats["exporters"][spoofer.to_string()];
    let held = e["held_sets"].as_u64().unwrap();
    let full = e["decode_errors"]["hold_buffer_full"].as_u64().unwrap_or(0);
    assert_eq!(held + full, n as u64, "every set was held or refused, counted: {e}");
    eprintln!("hostile: {held} sets held, {full} refused (hold_buffer_full)");
    assert!(full > 0, "the bound was reached: {e}");
    assert_eq!(e["expired_sets"].as_u64().unwrap(), n as u64, "all of it expired, counted: {e}");
    assert_eq!(legit_rows(&data), reference_rows(&lab), "the real exporter lost nothing");
}

/// A v5 exporter never needs table space: with the scope table full of exporters that have
/// proved themselves and are active (`--max-scopes 2`), its datagrams are decoded without a
/// scope (counted `v5_without_scope`, sequence numbers unchecked) and it keeps every record,
/// while a new IPFIX exporter is refused (`scope_table_full`, counted).
#[test]
fn v5_is_never_refused_for_table_space() {
    let lab = testdata().join("lab/s1_onehop/export-v5.pcap");
    let legit = crate::support::export_datagrams(&lab);
    let path = tempdir("hostile-v5-full").join("full.pcap");
    let mut w = PcapWriter::create(&path).unwrap();
    let to = collector(2055);
    let t0 = legit.first().map_or(0, |(t, _)| *t);
    for k in 1..=2u8 {
        for seq in 0..2 {
            let d = template_datagram(256, 2, true, seq);
            w.write_datagram(SocketAddrV4::new(Ipv4Addr::new(10, 9, 0, k), 4739), to, t0, &d)
                .unwrap();
        }
    }
    let late = Ipv4Addr::new(10, 9, 0, 3);
    w.write_datagram(SocketAddrV4::new(late, 4739), to, t0, &template_datagram(256, 2, true, 0))
        .unwrap();
    for (ts, payload) in &legit {
        w.write_datagram(SocketAddrV4::new(LEGIT, 40000), to, *ts, payload).unwrap();
    }
    w.finish().unwrap();
    let data = tempdir("hostile-v5-full-out").join("data");
    let (stats, _) = capture_measured(&path, &data, &["--max-scopes", "2"]);
    assert_eq!(stats["v5_without_scope"].as_u64(), Some(legit.len() as u64), "{stats}");
    assert_eq!(stats["exporters"][late.to_string()]["decode_errors"]["scope_table_full"], 1);
    assert_eq!(legit_rows(&data), reference_rows(&lab), "the v5 exporter lost records");
}
