//! IPFIX: absolute times (IE 150–157), or uptime (IE 21/22) with systemInitTimeMilliseconds;
//! RFC 5103 biflow records (reverse IEs, enterprise 29305) become two rows, one per direction,
//! so the `sessions` view sees traffic both ways as it does for unidirectional exporters.

use std::collections::HashMap;
use std::sync::OnceLock;

use netflow_parser::variable_versions::ipfix::lookup::{
    IANAIPFixField, IPFixField, ReverseInformationElement,
};
use netflow_parser::variable_versions::ipfix::{FlowSetBody, IPFix};

use super::fields::RecordFields;
use super::{
    FlowRecord, NormalizeCounts, PacketContext, TimeSource, complete_times, finish_record,
};

/// Information elements `RecordFields::apply` understands.
const WANTED_IES: &[u16] = &[
    1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 14, 21, 22, 27, 28, 32, 34, 50, 85, 86, 139, 150, 151, 152,
    153, 154, 155, 156, 157, 158, 159, 160, 161, 305,
];

/// netflow_parser maps IE numbers to enum variants but offers no way back; build the reverse
/// map once for the elements we use.
fn reverse_table() -> &'static HashMap<IANAIPFixField, u16> {
    static TABLE: OnceLock<HashMap<IANAIPFixField, u16>> = OnceLock::new();
    TABLE.get_or_init(|| WANTED_IES.iter().map(|&n| (IANAIPFixField::from(n), n)).collect())
}

/// Reverse (RFC 5103) counterparts of the elements the reverse row needs: counters, flags,
/// times. Same numbers as the forward IEs.
const REVERSE_IES: &[u16] = &[1, 2, 6, 21, 22, 150, 151, 152, 153, 154, 155, 156, 157, 161];

fn reverse_ie_table() -> &'static HashMap<ReverseInformationElement, u16> {
    static TABLE: OnceLock<HashMap<ReverseInformationElement, u16>> = OnceLock::new();
    TABLE.get_or_init(|| {
        REVERSE_IES.iter().map(|&n| (ReverseInformationElement::from(n), n)).collect()
    })
}

/// Forward IE number of a reverse (biflow) element we use.
fn reverse_number(field: &IPFixField) -> Option<u16> {
    match field {
        IPFixField::ReverseInformationElement(f) => reverse_ie_table().get(f).copied(),
        _ => None,
    }
}

/// The reverse direction of a biflow record: endpoints swapped, the reverse counters, flags and
/// times (the forward times when the record has no reverse ones). `None` when nothing flowed
/// back.
fn reverse_of(f: &RecordFields, r: &RecordFields) -> Option<RecordFields> {
    if r.packets.unwrap_or(0) == 0 && r.octets.unwrap_or(0) == 0 {
        return None;
    }
    let has_times = r.start_abs_ms.is_some()
        || r.end_abs_ms.is_some()
        || r.start_uptime_ms.is_some()
        || r.end_uptime_ms.is_some();
    let t = if has_times { r } else { f };
    Some(RecordFields {
        src_addr: f.dst_addr,
        dst_addr: f.src_addr,
        src_port: f.dst_port,
        dst_port: f.src_port,
        icmp_type_code: None,
        proto: f.proto,
        tcp_flags: r.tcp_flags,
        octets: r.octets,
        packets: r.packets,
        in_if: f.out_if,
        out_if: f.in_if,
        sampling_interval: f.sampling_interval,
        tos: f.tos,
        start_uptime_ms: t.start_uptime_ms,
        end_uptime_ms: t.end_uptime_ms,
        start_abs_ms: t.start_abs_ms,
        end_abs_ms: t.end_abs_ms,
        start_delta_us: f.start_delta_us,
        end_delta_us: f.end_delta_us,
        duration_ms: if has_times { r.duration_ms } else { f.duration_ms },
        system_init_ms: f.system_init_ms,
    })
}

/// IANA number of an IPFIX field we use; `None` for others, and for enterprise and reverse
/// (biflow) elements (the latter go through `reverse_number`).
fn iana_number(field: &IPFixField) -> Option<u16> {
    match field {
        IPFixField::IANA(IANAIPFixField::Unknown(n)) => Some(*n),
        IPFixField::IANA(f) => reverse_table().get(f).copied(),
        _ => None,
    }
}

/// systemInitTimeMilliseconds (IE 160) announced in the options records of this packet.
pub fn system_init_from_options(p: &IPFix) -> Option<i64> {
    let mut found = None;
    for set in &p.flowsets {
        match &set.body {
            FlowSetBody::OptionsData(d) => {
                for rec in &d.fields {
                    for (field, value) in rec {
                        if iana_number(field) == Some(160) {
                            found = value.as_u64().map(|v| v as i64);
                        }
                    }
                }
            }
            FlowSetBody::V9OptionsData(d) => {
                for rec in &d.fields {
                    for (field, value) in &rec.options_fields {
                        if u16::from(*field) == 160 {
                            found = value.as_u64().map(|v| v as i64);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// Resolve an IPFIX record's times (see the module docs of `normalize` for the order).
pub fn ipfix_times(
    f: &RecordFields,
    export_time: u32,
    system_init_ms: Option<i64>,
    ctx: &PacketContext,
) -> (i64, i64, TimeSource) {
    if let Some((s, e)) = complete_times(f.start_abs_ms, f.end_abs_ms, f.duration_ms) {
        return (s, e, TimeSource::Absolute);
    }
    let export_ms = i64::from(export_time) * 1000;
    if let Some(init) = f.system_init_ms.or(system_init_ms) {
        let start = f.start_uptime_ms.map(|u| init + i64::from(u));
        let end = f.end_uptime_ms.map(|u| init + i64::from(u));
        if let Some((s, e)) = complete_times(start, end, f.duration_ms) {
            return (s, e, TimeSource::Uptime);
        }
    }
    if export_time != 0 {
        let start = f.start_delta_us.map(|d| export_ms - (d / 1000) as i64);
        let end = f.end_delta_us.map(|d| export_ms - (d / 1000) as i64);
        if let Some((s, e)) = complete_times(start, end, f.duration_ms) {
            return (s, e, TimeSource::Uptime);
        }
        return (export_ms, export_ms, TimeSource::ExportTime);
    }
    (ctx.received_ms, ctx.received_ms, TimeSource::Arrival)
}

fn push(
    f: &RecordFields,
    p: &IPFix,
    init: Option<i64>,
    ctx: &PacketContext,
    out: &mut Vec<FlowRecord>,
    counts: &mut NormalizeCounts,
) {
    let h = &p.header;
    let times = ipfix_times(f, h.export_time, init, ctx);
    match finish_record(f, ctx, 10, h.observation_domain_id, times) {
        Some(r) => {
            out.push(r);
            counts.records += 1;
        }
        None => counts.without_addresses += 1,
    }
}

/// Append the data records of one IPFIX message to `out`. `system_init_ms` is the exporter's
/// boot time learned from earlier options records of the same observation domain.
pub fn normalize_ipfix(
    p: &IPFix,
    system_init_ms: Option<i64>,
    ctx: &PacketContext,
    out: &mut Vec<FlowRecord>,
) -> NormalizeCounts {
    let mut counts = NormalizeCounts::default();
    for set in &p.flowsets {
        match &set.body {
            FlowSetBody::Data(data) => {
                for rec in &data.fields {
                    let mut f = RecordFields::default();
                    let mut reverse = RecordFields::default();
                    for (field, value) in rec {
                        if let Some(ie) = iana_number(field) {
                            f.apply(ie, value);
                        } else if let Some(ie) = reverse_number(field) {
                            reverse.apply(ie, value);
                        }
                    }
                    push(&f, p, system_init_ms, ctx, out, &mut counts);
                    if let Some(r) = reverse_of(&f, &reverse) {
                        let before = counts.records;
                        push(&r, p, system_init_ms, ctx, out, &mut counts);
                        // Still one data record; the extra row is counted on its own.
                        counts.reverse_rows += counts.records - before;
                        counts.records = before;
                    }
                }
            }
            FlowSetBody::V9Data(data) => {
                for rec in &data.fields {
                    let mut f = RecordFields::default();
                    for (field, value) in rec {
                        f.apply(u16::from(*field), value);
                    }
                    push(&f, p, system_init_ms, ctx, out, &mut counts);
                }
            }
            _ => {}
        }
    }
    counts
}
