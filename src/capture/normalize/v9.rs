//! NetFlow v9: template-driven records; FIRST/LAST_SWITCHED against the header's uptime.

use netflow_parser::variable_versions::v9::{FlowSetBody, V9};

use super::fields::RecordFields;
use super::time::uptime_to_epoch_ms;
use super::{
    FlowRecord, NormalizeCounts, PacketContext, TimeSource, complete_times, finish_record,
};

/// Resolve a v9 record's times: absolute fields first, then uptime, then the header clock.
pub fn v9_times(
    f: &RecordFields,
    sys_up_time: u32,
    unix_secs: u32,
    ctx: &PacketContext,
) -> (i64, i64, TimeSource) {
    if let Some((s, e)) = complete_times(f.start_abs_ms, f.end_abs_ms, f.duration_ms) {
        return (s, e, TimeSource::Absolute);
    }
    let header_ms = i64::from(unix_secs) * 1000;
    let start = f.start_uptime_ms.map(|u| uptime_to_epoch_ms(header_ms, sys_up_time, u));
    let end = f.end_uptime_ms.map(|u| uptime_to_epoch_ms(header_ms, sys_up_time, u));
    if let Some((s, e)) = complete_times(start, end, f.duration_ms) {
        return (s, e, TimeSource::Uptime);
    }
    if unix_secs != 0 {
        return (header_ms, header_ms, TimeSource::ExportTime);
    }
    (ctx.received_ms, ctx.received_ms, TimeSource::Arrival)
}

/// Append the data records of one v9 packet to `out`.
pub fn normalize_v9(p: &V9, ctx: &PacketContext, out: &mut Vec<FlowRecord>) -> NormalizeCounts {
    let h = &p.header;
    let mut counts = NormalizeCounts::default();
    for set in &p.flowsets {
        let FlowSetBody::Data(data) = &set.body else { continue };
        for rec in &data.fields {
            let mut f = RecordFields::default();
            for (field, value) in rec {
                f.apply(u16::from(*field), value);
            }
            let times = v9_times(&f, h.sys_up_time, h.unix_secs, ctx);
            match finish_record(&f, ctx, 9, h.source_id, times) {
                Some(r) => {
                    out.push(r);
                    counts.records += 1;
                }
                None => counts.without_addresses += 1,
            }
        }
    }
    counts
}
