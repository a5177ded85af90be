//! `FlowRecord`s → Arrow `RecordBatch` in the schema of `schema.rs`, and sorting by start time.

use std::fmt::Write;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int32Builder, Int64Builder, RecordBatch, StringBuilder};
use datafusion::arrow::compute::{SortOptions, sort_to_indices, take_record_batch};

use super::record::FlowRecord;
use crate::error::{Error, Result};
use crate::schema::{self, flow_schema};

/// Dotted-quad text of an IPv4 address without `fmt` machinery (the hot path of batch
/// building: `Display` for `Ipv4Addr` was ~10 % of capture CPU in a profile).
fn ipv4_text(a: std::net::Ipv4Addr, buf: &mut [u8; 15]) -> &str {
    let mut n = 0;
    for (i, o) in a.octets().into_iter().enumerate() {
        if i > 0 {
            buf[n] = b'.';
            n += 1;
        }
        if o >= 100 {
            buf[n] = b'0' + o / 100;
            n += 1;
        }
        if o >= 10 {
            buf[n] = b'0' + (o / 10) % 10;
            n += 1;
        }
        buf[n] = b'0' + o % 10;
        n += 1;
    }
    std::str::from_utf8(&buf[..n]).expect("ASCII digits and dots")
}

/// Append an address as canonical text (IPv6 per RFC 5952 via `Display`).
fn append_addr(builder: &mut StringBuilder, addr: std::net::IpAddr) {
    match addr {
        std::net::IpAddr::V4(a) => builder.append_value(ipv4_text(a, &mut [0u8; 15])),
        std::net::IpAddr::V6(a) => {
            let _ = write!(builder, "{a}");
            builder.append_value("");
        }
    }
}

/// Build one batch from records, in the given order.
pub fn records_to_batch(records: &[FlowRecord]) -> Result<RecordBatch> {
    records_iter_to_batch(records.iter(), records.len())
}

/// Build one batch from `n` records given by reference (e.g. in a sorted order).
pub fn records_iter_to_batch<'a>(
    records: impl Iterator<Item = &'a FlowRecord>,
    n: usize,
) -> Result<RecordBatch> {
    let i64s = || Int64Builder::with_capacity(n);
    let i32s = || Int32Builder::with_capacity(n);
    let (mut received, mut start, mut end) = (i64s(), i64s(), i64s());
    let mut time_source = StringBuilder::with_capacity(n, n * 8);
    let mut exporter = StringBuilder::with_capacity(n, n * 12);
    let mut domain = i64s();
    let mut version = i32s();
    let mut src = StringBuilder::with_capacity(n, n * 14);
    let mut dst = StringBuilder::with_capacity(n, n * 14);
    let (mut sport, mut dport, mut proto, mut flags) = (i32s(), i32s(), i32s(), i32s());
    let (mut packets, mut bytes, mut in_if, mut out_if, mut sampling) =
        (i64s(), i64s(), i64s(), i64s(), i64s());
    let mut tos = i32s();
    // Records arrive in runs from one exporter: format its address once per run.
    let mut last_exporter: Option<(std::net::IpAddr, String)> = None;
    for r in records {
        received.append_value(r.received_ms);
        start.append_value(r.flow_start_ms);
        end.append_value(r.flow_end_ms);
        time_source.append_value(r.time_source.as_str());
        match &last_exporter {
            _ if r.exporter_name.is_some() => {
                exporter.append_option(r.exporter_name.as_deref().map(String::as_str))
            }
            Some((addr, text)) if *addr == r.exporter_addr => exporter.append_value(text),
            _ => {
                let text = r.exporter_addr.to_string();
                exporter.append_value(&text);
                last_exporter = Some((r.exporter_addr, text));
            }
        }
        domain.append_value(i64::from(r.observation_domain_id));
        version.append_value(i32::from(r.flow_version));
        append_addr(&mut src, r.src_addr);
        append_addr(&mut dst, r.dst_addr);
        sport.append_value(i32::from(r.src_port));
        dport.append_value(i32::from(r.dst_port));
        proto.append_value(i32::from(r.proto));
        flags.append_value(i32::from(r.tcp_flags));
        packets.append_value(r.packets as i64);
        bytes.append_value(r.bytes as i64);
        in_if.append_option(r.in_if.map(i64::from));
        out_if.append_option(r.out_if.map(i64::from));
        sampling.append_option(r.sampling_interval.map(i64::from));
        tos.append_option(r.tos.map(i32::from));
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(received.finish()),
        Arc::new(start.finish()),
        Arc::new(end.finish()),
        Arc::new(time_source.finish()),
        Arc::new(exporter.finish()),
        Arc::new(domain.finish()),
        Arc::new(version.finish()),
        Arc::new(src.finish()),
        Arc::new(dst.finish()),
        Arc::new(sport.finish()),
        Arc::new(dport.finish()),
        Arc::new(proto.finish()),
        Arc::new(flags.finish()),
        Arc::new(packets.finish()),
        Arc::new(bytes.finish()),
        Arc::new(in_if.finish()),
        Arc::new(out_if.finish()),
        Arc::new(sampling.finish()),
        Arc::new(tos.finish()),
    ];
    RecordBatch::try_new(flow_schema(), columns).map_err(|e| Error::arrow("building flow batch", e))
}

/// Sort a batch by `flow_start_ms` (stable, so equal starts keep arrival order).
pub fn sort_by_flow_start(batch: &RecordBatch) -> Result<RecordBatch> {
    let col = batch.column_by_name(schema::FLOW_START_MS).expect("flow schema has flow_start_ms");
    let indices =
        sort_to_indices(col, Some(SortOptions { descending: false, nulls_first: false }), None)
            .map_err(|e| Error::arrow("sorting by flow_start_ms", e))?;
    take_record_batch(batch, &indices).map_err(|e| Error::arrow("sorting by flow_start_ms", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::record::TimeSource;
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::Int64Type;

    fn rec(start: i64, src: &str) -> FlowRecord {
        FlowRecord {
            received_ms: 10,
            flow_start_ms: start,
            flow_end_ms: start + 5,
            time_source: TimeSource::Uptime,
            exporter_addr: "192.0.2.1".parse().unwrap(),
            exporter_name: None,
            observation_domain_id: 7,
            flow_version: 9,
            src_addr: src.parse().unwrap(),
            dst_addr: "2001:db8::1".parse().unwrap(),
            src_port: 22,
            dst_port: 50000,
            proto: 6,
            tcp_flags: 0x1b,
            packets: 3,
            bytes: 180,
            in_if: None,
            out_if: Some(4),
            sampling_interval: None,
            tos: Some(0),
        }
    }

    #[test]
    fn batch_has_schema_and_canonical_addresses() {
        let b = records_to_batch(&[rec(5, "10.0.0.1"), rec(1, "2001:DB8:0:0::2")]).unwrap();
        assert_eq!(b.schema(), flow_schema());
        let src = b.column_by_name("src_addr").unwrap().as_string::<i32>();
        assert_eq!(src.value(0), "10.0.0.1");
        assert_eq!(src.value(1), "2001:db8::2");
        assert!(b.column_by_name("in_if").unwrap().is_null(0));
    }

    #[test]
    fn ipv4_text_matches_display() {
        for a in ["0.0.0.0", "255.255.255.255", "10.0.9.100", "192.168.1.10", "1.20.3.199"] {
            let ip: std::net::Ipv4Addr = a.parse().unwrap();
            assert_eq!(ipv4_text(ip, &mut [0u8; 15]), ip.to_string());
        }
    }

    #[test]
    fn sorting_orders_by_start() {
        let b = records_to_batch(&[rec(5, "10.0.0.1"), rec(1, "10.0.0.2"), rec(3, "10.0.0.3")])
            .unwrap();
        let s = sort_by_flow_start(&b).unwrap();
        let starts = s.column_by_name("flow_start_ms").unwrap().as_primitive::<Int64Type>();
        assert_eq!(starts.values().to_vec(), vec![1, 3, 5]);
    }
}
