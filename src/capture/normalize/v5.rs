//! NetFlow v5: fixed records, uptime-relative times against the header's uptime and clock.

use netflow_parser::static_versions::v5::V5;

use super::time::{uptime_to_epoch_ms, v5_header_epoch_ms};
use super::{FlowRecord, NormalizeCounts, PacketContext, TimeSource};

/// Append the records of one v5 packet to `out`.
pub fn normalize_v5(p: &V5, ctx: &PacketContext, out: &mut Vec<FlowRecord>) -> NormalizeCounts {
    let h = &p.header;
    let header_ms = v5_header_epoch_ms(h.unix_secs, h.unix_nsecs);
    // Low 14 bits: interval; top 2 bits: sampling mode. 0 means "not sampled / unknown".
    let interval = u32::from(h.sampling_interval & 0x3fff);
    let domain = (u32::from(h.engine_type) << 8) | u32::from(h.engine_id);
    for r in &p.flowsets {
        let start = uptime_to_epoch_ms(header_ms, h.sys_up_time, r.first);
        let end = uptime_to_epoch_ms(header_ms, h.sys_up_time, r.last);
        out.push(FlowRecord {
            received_ms: ctx.received_ms,
            flow_start_ms: start,
            flow_end_ms: end,
            time_source: TimeSource::Uptime,
            exporter_addr: ctx.exporter,
            exporter_name: None,
            observation_domain_id: domain,
            flow_version: 5,
            src_addr: r.src_addr.into(),
            dst_addr: r.dst_addr.into(),
            src_port: r.src_port,
            dst_port: r.dst_port,
            proto: r.protocol_number,
            tcp_flags: u16::from(r.tcp_flags),
            packets: u64::from(r.d_pkts),
            bytes: u64::from(r.d_octets),
            in_if: Some(u32::from(r.input)),
            out_if: Some(u32::from(r.output)),
            sampling_interval: (interval != 0).then_some(interval),
            tos: Some(r.tos),
        });
    }
    NormalizeCounts { records: p.flowsets.len() as u64, ..NormalizeCounts::default() }
}
