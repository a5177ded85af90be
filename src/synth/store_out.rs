//! Records written straight into a flow store, as `capture` would have stored them.

use std::net::Ipv4Addr;

use super::encode::{ExportFormat, SynthFlow};

use super::stream::exported;
use super::{SynthConfig, SynthSummary};
use crate::error::Result;

/// Generate traffic and write it directly as a flow store (no export encoding): what
/// `capture` would have stored, with absolute times and arrival 1 s after each flow ends.
pub fn write_store(cfg: &SynthConfig, root: &std::path::Path) -> Result<SynthSummary> {
    write_store_from(cfg, exported(cfg), root)
}

/// Write `records` (exporter index, duplicate, record; in end-time order) as a flow store.
pub fn write_store_from(
    cfg: &SynthConfig,
    records: impl Iterator<Item = (usize, bool, SynthFlow)>,
    root: &std::path::Path,
) -> Result<SynthSummary> {
    use crate::store::parquet_file::WriterSettings;
    use crate::store::partition::HourPartition;
    use crate::store::record::{FlowRecord, TimeSource};
    use crate::store::sink::{HourlySink, SinkSettings};
    let settings = SinkSettings {
        root: root.to_path_buf(),
        writer: WriterSettings::default(),
        journal: false,
        max_rows_per_file: 2_000_000,
        admin: Some(crate::store::admin::AdminPorts::default_services()),
    };
    std::fs::create_dir_all(root).map_err(|e| crate::error::Error::io(root, e))?;
    let mut sink = HourlySink::new(settings).with_background_writer()?;
    let mut stats = crate::store::Totals::default();
    let version: u16 = match cfg.format {
        ExportFormat::V5 => 5,
        ExportFormat::V9 => 9,
        ExportFormat::Ipfix => 10,
    };
    let mut chunk = Vec::with_capacity(64 * 1024);
    let mut summary = SynthSummary::default();
    let progress = crate::progress::bar(cfg.traffic.flows, "synth");
    for (i, (e, duplicate, f)) in records.enumerate() {
        if i % 65_536 == 0 {
            progress.set_position(i as u64);
        }
        let e = e as u32;
        summary.flows_duplicated += u64::from(duplicate);
        chunk.push(FlowRecord {
            received_ms: f.end_ms + 1000,
            flow_start_ms: f.start_ms,
            flow_end_ms: f.end_ms,
            time_source: TimeSource::Absolute,
            exporter_addr: std::net::IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1 + e as u8)),
            exporter_name: None,
            observation_domain_id: e,
            flow_version: version,
            src_addr: f.src,
            dst_addr: f.dst,
            src_port: f.src_port,
            dst_port: f.dst_port,
            proto: f.proto,
            tcp_flags: u16::from(f.tcp_flags),
            packets: u64::from(f.packets),
            bytes: u64::from(f.bytes),
            in_if: Some(u32::from(f.in_if)),
            out_if: Some(u32::from(f.out_if)),
            sampling_interval: None,
            tos: Some(f.tos),
        });
        summary.flows_exported += 1;
        if chunk.len() == chunk.capacity() {
            // Flows come in arrival order: every hour before this chunk's first arrival is done.
            let first = HourPartition::of(chunk[0].received_ms).start_ms;
            sink.push(&mut chunk)?;
            chunk.reserve(64 * 1024);
            sink.close_hours_before(first, &mut stats)?;
            sink.write_full_hours(&mut stats)?;
        }
    }
    sink.push(&mut chunk)?;
    sink.close_all(&mut stats)?;
    progress.finish_and_clear();
    Ok(summary)
}
