//! Normalization: decoded v5 / v9 / IPFIX packets → `FlowRecord`s with absolute UTC times.
//!
//! Time rules, in order of preference (the column `time_source` says which one applied):
//! 1. absolute times in the record (IPFIX IE 150–157, v9 fields 152/153) → `absolute`;
//! 2. uptime stamps (v5/v9 First/Last, IPFIX IE 21/22) with the header's uptime (v5/v9) or the
//!    exporter's systemInitTimeMilliseconds (IPFIX IE 160, from an options record or the record)
//!    → `uptime`; IPFIX IE 158/159 (delta µs before export) also count as `uptime`;
//! 3. the export header's time → `export_time`;
//! 4. the arrival time → `arrival`.

pub mod fields;
pub mod ipfix;
pub mod time;
pub mod v5;
pub mod v9;

use std::net::IpAddr;

pub use crate::store::record::{FlowRecord, TimeSource};

/// What normalization needs to know about the datagram that carried the records.
#[derive(Debug, Clone, Copy)]
pub struct PacketContext {
    /// Source address of the datagram.
    pub exporter: IpAddr,
    /// Arrival time (epoch ms): the time base of exporters without a usable clock.
    pub received_ms: i64,
}

/// Outcome counters of normalizing one packet.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NormalizeCounts {
    /// Data records turned into rows.
    pub records: u64,
    /// Data records without a source or destination address (not flows; e.g. NAT or
    /// application-statistics records): counted, not stored.
    pub without_addresses: u64,
    /// Extra rows for the reverse direction of RFC 5103 biflow records (IPFIX).
    pub reverse_rows: u64,
}

/// Build a record from accumulated fields, or `None` when it has no addresses.
fn finish_record(
    f: &fields::RecordFields,
    ctx: &PacketContext,
    version: u16,
    domain: u32,
    (flow_start_ms, flow_end_ms, time_source): (i64, i64, TimeSource),
) -> Option<FlowRecord> {
    let (src_addr, dst_addr) = (f.src_addr?, f.dst_addr?);
    let (src_port, dst_port) = f.ports();
    Some(FlowRecord {
        received_ms: ctx.received_ms,
        flow_start_ms,
        flow_end_ms,
        time_source,
        exporter_addr: ctx.exporter,
        exporter_name: None,
        observation_domain_id: domain,
        flow_version: version,
        src_addr,
        dst_addr,
        src_port,
        dst_port,
        proto: f.proto.unwrap_or(0),
        tcp_flags: f.tcp_flags.unwrap_or(0),
        packets: f.packets.unwrap_or(0),
        bytes: f.octets.unwrap_or(0),
        in_if: f.in_if,
        out_if: f.out_if,
        sampling_interval: f.sampling_interval,
        tos: f.tos,
    })
}

/// Fill a missing end from start + duration, a missing start from the end, and order them.
fn complete_times(
    start: Option<i64>,
    end: Option<i64>,
    duration_ms: Option<u64>,
) -> Option<(i64, i64)> {
    match (start, end) {
        (Some(s), Some(e)) => Some((s, e)),
        (Some(s), None) => Some((s, s + duration_ms.unwrap_or(0) as i64)),
        (None, Some(e)) => Some((e - duration_ms.unwrap_or(0) as i64, e)),
        (None, None) => None,
    }
}
