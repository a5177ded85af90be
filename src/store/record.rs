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
}

impl TimeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeSource::Absolute => "absolute",
            TimeSource::Uptime => "uptime",
            TimeSource::ExportTime => "export_time",
            TimeSource::Arrival => "arrival",
        }
    }
}

/// One flow record in the store's schema (see `schema.rs` for units and meaning).
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRecord {
    pub received_ms: i64,
    pub flow_start_ms: i64,
    pub flow_end_ms: i64,
    pub time_source: TimeSource,
    pub exporter_addr: IpAddr,
    pub observation_domain_id: u32,
    pub flow_version: u16,
    pub src_addr: IpAddr,
    pub dst_addr: IpAddr,
    pub src_port: u16,
    pub dst_port: u16,
    pub proto: u8,
    pub tcp_flags: u16,
    pub packets: u64,
    pub bytes: u64,
    pub in_if: Option<u32>,
    pub out_if: Option<u32>,
    pub sampling_interval: Option<u32>,
    pub tos: Option<u8>,
}
