//! `FlowRecord`: one normalized flow, the row type between decoding and the Arrow batch.

use std::net::IpAddr;

/// Where a record's `flow_start_ms`/`flow_end_ms` came from (column `time_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeSource {
    /// The exporter sent absolute timestamps (IPFIX IE 150–157, or v9 fields 152/153).
    Absolute,
    /// Derived from exporter uptime (v5/v9 First/Last, IPFIX IE 21/22 + IE 160).
    Uptime,
    /// The record had no usable time: the export header's time is used.
    ExportTime,
    /// Neither the record nor the header had a time: arrival time at the collector.
    Arrival,
    /// Metered from raw packets (`capture --packets`): first and last packet's capture time.
    Packets,
    /// Read from a Zeek conn log (`capture --zeek`): `ts` and `ts + duration`.
    Zeek,
}

impl TimeSource {
    /// The value stored in the `time_source` column.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeSource::Absolute => "absolute",
            TimeSource::Uptime => "uptime",
            TimeSource::ExportTime => "export_time",
            TimeSource::Arrival => "arrival",
            TimeSource::Packets => "packets",
            TimeSource::Zeek => "zeek",
        }
    }
}

/// One flow record in the store's schema (see `schema.rs` for units and meaning).
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRecord {
    /// Arrival at the collector (pcap mode: the packet timestamp), UTC epoch ms.
    pub received_ms: i64,
    /// First packet of the flow, UTC epoch ms (see `time_source`).
    pub flow_start_ms: i64,
    /// Last packet of the flow, UTC epoch ms.
    pub flow_end_ms: i64,
    /// Where the flow times came from.
    pub time_source: TimeSource,
    /// The exporter: source address of the export datagram.
    pub exporter_addr: IpAddr,
    /// A sensor known by name rather than address (a Zeek log's `_system_name`, `_node_name`
    /// or `@system`): stored in `exporter_addr` instead of the address. `Arc<String>`, not
    /// `Arc<str>`: a thin pointer keeps the record at 144 bytes (136 without it).
    pub exporter_name: Option<std::sync::Arc<String>>,
    /// IPFIX observation domain / v9 source id / v5 engine type and id.
    pub observation_domain_id: u32,
    /// Export protocol version: 5, 9 or 10 (IPFIX).
    pub flow_version: u16,
    /// Source address of the flow.
    pub src_addr: IpAddr,
    /// Destination address of the flow.
    pub dst_addr: IpAddr,
    /// Source port (0 when the protocol has none).
    pub src_port: u16,
    /// Destination port (ICMP: type × 256 + code when exported that way; 0 when none).
    pub dst_port: u16,
    /// IP protocol number (6 TCP, 17 UDP, …).
    pub proto: u8,
    /// TCP flags ORed over the flow.
    pub tcp_flags: u16,
    /// Packets as exported (never multiplied by `sampling_interval`).
    pub packets: u64,
    /// Layer-3 bytes as exported (never multiplied by `sampling_interval`).
    pub bytes: u64,
    /// Input interface index, when exported.
    pub in_if: Option<u32>,
    /// Output interface index, when exported.
    pub out_if: Option<u32>,
    /// Packet sampling interval announced with the record (1 in N), when known.
    pub sampling_interval: Option<u32>,
    /// IP type of service / DSCP byte, when exported.
    pub tos: Option<u8>,
}
