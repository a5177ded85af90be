//! A small flow store with known answers, for the sql golden tests.
//!
//! T = 2026-11-27T10:00:00Z. Exporters E1 = 192.0.2.1, E2 = 192.0.2.2. Every record arrives
//! 1 s after it ends. Sessions:
//! - S1 ssh   10.0.0.1:50000 → 10.0.0.2:22, both directions (E1)
//! - S2 rdp   10.0.0.2:50001 → 10.0.0.3:3389, split by a 60 s active timeout (E1, 4 records)
//! - S3 winrm 10.0.0.3:50002 → 10.0.0.4:5985, reported by E1 and E2 (duplicates)
//! - S4 ssh   [2001:db8::10]:40000 → [2001:db8::20]:22 (IPv6, E1)
//! - S5 udp   10.0.0.6:45000 → 10.0.0.5:40000, no service port: the first sender is the client
//! - S6 ssh   10.0.0.1:50000 → 10.0.0.2:22 again 5 minutes later, one unanswered record
//! - S7 dns   10.0.0.7:33333 → 10.0.0.8:53, E2 reports the query twice (ingress + egress)
//! - S8 https 10.0.0.1:50010 → 10.0.0.9:443 in the next hour (E1)

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use pivotflow::store::batch::records_to_batch;
use pivotflow::store::parquet_file::{WriterSettings, write_parquet};
use pivotflow::store::partition::HourPartition;
use pivotflow::store::record::{FlowRecord, TimeSource};

pub const T: i64 = 1_795_773_600_000;

#[allow(clippy::too_many_arguments)]
pub fn rec(
    exp: &str,
    src: &str,
    sport: u16,
    dst: &str,
    dport: u16,
    proto: u8,
    start: i64,
    end: i64,
    packets: u64,
    bytes: u64,
) -> FlowRecord {
    FlowRecord {
        received_ms: T + end + 1000,
        flow_start_ms: T + start,
        flow_end_ms: T + end,
        time_source: TimeSource::Uptime,
        exporter_addr: exp.parse::<IpAddr>().unwrap(),
        exporter_name: None,
        observation_domain_id: 0,
        flow_version: 10,
        src_addr: src.parse().unwrap(),
        dst_addr: dst.parse().unwrap(),
        src_port: sport,
        dst_port: dport,
        proto,
        tcp_flags: 0,
        packets,
        bytes,
        in_if: Some(1),
        out_if: Some(2),
        sampling_interval: None,
        tos: None,
    }
}

/// An SSH session from `c`:`cport` to `s`:22, both ways (40 packets, 4 000 bytes there; 50 and
/// 40 000 back), each record arriving a second after it ends (`rec`): an exporter that reports a
/// session when it ends.
pub fn ssh_session(c: &str, cport: u16, s: &str, start: i64, end: i64) -> Vec<FlowRecord> {
    let e = "192.0.2.1";
    vec![
        rec(e, c, cport, s, 22, 6, start, end, 40, 4_000),
        rec(e, s, 22, c, cport, 6, start, end, 50, 40_000),
    ]
}

pub fn records() -> Vec<FlowRecord> {
    let (e1, e2) = ("192.0.2.1", "192.0.2.2");
    vec![
        // S1
        rec(e1, "10.0.0.1", 50000, "10.0.0.2", 22, 6, 1_000, 9_000, 10, 1_000),
        rec(e1, "10.0.0.2", 22, "10.0.0.1", 50000, 6, 1_100, 9_000, 8, 4_000),
        // S2
        rec(e1, "10.0.0.2", 50001, "10.0.0.3", 3389, 6, 2_000, 62_000, 100, 10_000),
        rec(e1, "10.0.0.2", 50001, "10.0.0.3", 3389, 6, 62_100, 122_000, 50, 5_000),
        rec(e1, "10.0.0.3", 3389, "10.0.0.2", 50001, 6, 2_000, 62_000, 80, 40_000),
        rec(e1, "10.0.0.3", 3389, "10.0.0.2", 50001, 6, 62_100, 122_000, 40, 20_000),
        // S3
        rec(e1, "10.0.0.3", 50002, "10.0.0.4", 5985, 6, 5_000, 6_000, 20, 2_000),
        rec(e2, "10.0.0.3", 50002, "10.0.0.4", 5985, 6, 5_000, 6_000, 20, 2_000),
        rec(e1, "10.0.0.4", 5985, "10.0.0.3", 50002, 6, 5_010, 6_000, 15, 3_000),
        rec(e2, "10.0.0.4", 5985, "10.0.0.3", 50002, 6, 5_010, 6_000, 15, 3_000),
        // S4
        rec(e1, "2001:db8::10", 40000, "2001:db8::20", 22, 6, 7_000, 8_000, 5, 500),
        rec(e1, "2001:db8::20", 22, "2001:db8::10", 40000, 6, 7_000, 8_000, 4, 800),
        // S5
        rec(e1, "10.0.0.6", 45000, "10.0.0.5", 40000, 17, 3_000, 3_000, 1, 100),
        rec(e1, "10.0.0.5", 40000, "10.0.0.6", 45000, 17, 3_500, 3_500, 1, 100),
        // S6
        rec(e1, "10.0.0.1", 50000, "10.0.0.2", 22, 6, 300_000, 301_000, 2, 120),
        // S7
        rec(e2, "10.0.0.7", 33333, "10.0.0.8", 53, 17, 4_000, 4_000, 1, 60),
        rec(e2, "10.0.0.7", 33333, "10.0.0.8", 53, 17, 4_000, 4_000, 1, 60),
        rec(e2, "10.0.0.8", 53, "10.0.0.7", 33333, 17, 4_001, 4_001, 1, 120),
        // S8 (next hour)
        rec(e1, "10.0.0.1", 50010, "10.0.0.9", 443, 6, 3_601_000, 3_610_000, 30, 30_000),
        rec(e1, "10.0.0.9", 443, "10.0.0.1", 50010, 6, 3_601_000, 3_610_000, 40, 80_000),
    ]
}

/// Write the fixture as a hive-partitioned store (one file per hour) and return its root.
pub fn store(name: &str) -> PathBuf {
    let root = crate::support::tempdir(name);
    write_store(&root, &records());
    root
}

pub fn write_store(root: &Path, records: &[FlowRecord]) {
    let mut by_hour: std::collections::BTreeMap<HourPartition, Vec<FlowRecord>> =
        Default::default();
    for r in records {
        by_hour.entry(HourPartition::of(r.received_ms)).or_default().push(r.clone());
    }
    for (hour, mut rows) in by_hour {
        rows.sort_by_key(|r| r.flow_start_ms);
        let path = hour.dir(root).join("flows-fixture-0000.parquet");
        write_parquet(&path, &[records_to_batch(&rows).unwrap()], WriterSettings::default())
            .unwrap();
    }
}
