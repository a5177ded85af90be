//! Regression tests for the patched netflow_parser (vendor/netflow_parser/PATCHES.md), through
//! pivotflow's decoder.

use pivotflow::capture::decode::hold::HoldLimits;
use pivotflow::capture::decode::{Decoder, ScopeLimits};
use pivotflow::capture::source::Datagram;
use pivotflow::capture::stats::CaptureStats;

/// An IPFIX message: a template (src, dst, packets, bytes, protocol, IE 497 variable length)
/// and a data set of two records whose IE 497 is empty (length octet 0), as Huawei sends.
fn empty_varlen_message() -> Vec<u8> {
    let fields: [(u16, u16); 6] = [(8, 4), (12, 4), (2, 4), (1, 4), (4, 1), (497, 65535)];
    let mut template = vec![0x01, 0x00]; // template id 256
    template.extend_from_slice(&(fields.len() as u16).to_be_bytes());
    for (id, len) in fields {
        template.extend_from_slice(&id.to_be_bytes());
        template.extend_from_slice(&len.to_be_bytes());
    }
    let mut records = Vec::new();
    for host in [1u8, 2] {
        records.extend_from_slice(&[10, 0, 0, host, 10, 0, 0, 9]);
        records.extend_from_slice(&5u32.to_be_bytes());
        records.extend_from_slice(&500u32.to_be_bytes());
        records.push(6);
        records.push(0); // IE 497: zero length
    }
    let mut sets = Vec::new();
    for (id, body) in [(2u16, &template), (256u16, &records)] {
        sets.extend_from_slice(&id.to_be_bytes());
        sets.extend_from_slice(&((4 + body.len()) as u16).to_be_bytes());
        sets.extend_from_slice(body);
    }
    let mut msg = vec![0x00, 0x0a];
    msg.extend_from_slice(&((16 + sets.len()) as u16).to_be_bytes());
    msg.extend_from_slice(&1_795_000_000u32.to_be_bytes()); // export time
    msg.extend_from_slice(&1u32.to_be_bytes()); // sequence
    msg.extend_from_slice(&0u32.to_be_bytes()); // observation domain
    msg.extend_from_slice(&sets);
    msg
}

#[test]
fn ipfix_records_ending_in_an_empty_variable_length_field_decode() {
    let mut d = Decoder::new(HoldLimits::default(), ScopeLimits::default());
    let mut stats = CaptureStats::default();
    let mut out = Vec::new();
    let dg = Datagram {
        exporter: "192.0.2.1:4739".parse().unwrap(),
        received_ms: 1_795_000_000_000,
        payload: empty_varlen_message(),
    };
    d.decode(&dg, &mut stats, &mut out);
    let e = &stats.exporters[&dg.exporter.ip()];
    assert!(e.decode_errors.is_empty(), "{:?}", e.decode_errors);
    let sources: Vec<String> = out.iter().map(|r| r.src_addr.to_string()).collect();
    assert_eq!(sources, ["10.0.0.1", "10.0.0.2"], "both records, none dropped");
    assert!(out.iter().all(|r| r.packets == 5 && r.bytes == 500));
}
