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

/// A NetFlow v9 message (source id 0) with the given flowsets: (flowset id, body).
fn v9_message(flowsets: &[(u16, Vec<u8>)], sequence: u32) -> Vec<u8> {
    let mut msg = vec![0x00, 0x09];
    msg.extend_from_slice(&(flowsets.len() as u16).to_be_bytes()); // count (records + templates)
    msg.extend_from_slice(&60_000u32.to_be_bytes()); // sys uptime ms
    msg.extend_from_slice(&1_795_000_000u32.to_be_bytes()); // unix secs
    msg.extend_from_slice(&sequence.to_be_bytes());
    msg.extend_from_slice(&0u32.to_be_bytes()); // source id
    for (id, body) in flowsets {
        msg.extend_from_slice(&id.to_be_bytes());
        msg.extend_from_slice(&((4 + body.len()) as u16).to_be_bytes());
        msg.extend_from_slice(body);
    }
    msg
}

/// A v9 template flowset body: template 256 with these (type, length) fields.
fn v9_template(fields: &[(u16, u16)]) -> Vec<u8> {
    let mut t = vec![0x01, 0x00];
    t.extend_from_slice(&(fields.len() as u16).to_be_bytes());
    for (id, len) in fields {
        t.extend_from_slice(&id.to_be_bytes());
        t.extend_from_slice(&len.to_be_bytes());
    }
    t
}

/// Decode the messages in turn as one exporter; the records' sources and the errors counted.
fn decode_v9(messages: &[Vec<u8>]) -> (Vec<String>, CaptureStats) {
    let (out, stats) = decode_v9_records(messages);
    (out.iter().map(|r| r.src_addr.to_string()).collect(), stats)
}

fn decode_v9_records(
    messages: &[Vec<u8>],
) -> (Vec<pivotflow::capture::normalize::FlowRecord>, CaptureStats) {
    let mut d = Decoder::new(HoldLimits::default(), ScopeLimits::default());
    let mut stats = CaptureStats::default();
    let mut out = Vec::new();
    for (k, payload) in messages.iter().enumerate() {
        let dg = Datagram {
            exporter: "192.0.2.9:2055".parse().unwrap(),
            received_ms: 1_795_000_000_000 + k as i64,
            payload: payload.clone(),
        };
        d.decode(&dg, &mut stats, &mut out);
    }
    (out, stats)
}

/// PATCHES.md 3: PAN-OS 8.1 sends a data flowset followed by zero padding up to a large
/// datagram; the records decode and the padding is no error (it was `partial`, none stored).
#[test]
fn v9_data_followed_by_zero_padding_decodes() {
    let fixed = [(8u16, 4u16), (12, 4), (2, 4), (1, 4), (4, 1)];
    let mut records = Vec::new();
    for host in [1u8, 2, 3] {
        records.extend_from_slice(&[10, 0, 0, host, 10, 0, 0, 9]);
        records.extend_from_slice(&5u32.to_be_bytes());
        records.extend_from_slice(&500u32.to_be_bytes());
        records.push(6);
    }
    records.push(0); // the flowset's own padding to 4 bytes
    let mut data = v9_message(&[(256, records)], 2);
    data.extend(std::iter::repeat_n(0u8, 1200)); // the datagram's zero padding
    let (sources, stats) = decode_v9(&[v9_message(&[(0, v9_template(&fixed))], 1), data]);
    let e = &stats.exporters[&"192.0.2.9".parse().unwrap()];
    assert!(e.decode_errors.is_empty(), "{:?}", e.decode_errors);
    assert_eq!(sources, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
}

/// PATCHES.md 2: H3C NetStream v9 templates with a variable-length field (length 65535, the
/// value prefixed by its length as in IPFIX: one octet, or 255 and two octets) decode, and the
/// fields after it are read at the right offset.
#[test]
fn v9_variable_length_fields_decode() {
    // src, dst, interface name (IE 82, variable), packets, bytes, protocol
    let fields = [(8u16, 4u16), (12, 4), (82, 65535), (2, 4), (1, 4), (4, 1)];
    let mut records = Vec::new();
    for (host, name) in [(1u8, "GE1/0/1".as_bytes().to_vec()), (2, vec![b'x'; 300]), (3, vec![])] {
        records.extend_from_slice(&[10, 0, 0, host, 10, 0, 0, 9]);
        if name.len() < 255 {
            records.push(name.len() as u8);
        } else {
            records.push(255);
            records.extend_from_slice(&(name.len() as u16).to_be_bytes());
        }
        records.extend_from_slice(&name);
        records.extend_from_slice(&5u32.to_be_bytes());
        records.extend_from_slice(&500u32.to_be_bytes());
        records.push(6);
    }
    let msg = v9_message(&[(0, v9_template(&fields)), (256, records)], 1);
    let (out, stats) = decode_v9_records(&[msg]);
    let e = &stats.exporters[&"192.0.2.9".parse().unwrap()];
    assert!(e.decode_errors.is_empty(), "{:?}", e.decode_errors);
    let sources: Vec<String> = out.iter().map(|r| r.src_addr.to_string()).collect();
    assert_eq!(sources, ["10.0.0.1", "10.0.0.2", "10.0.0.3"], "all three records");
    assert!(out.iter().all(|r| r.packets == 5 && r.bytes == 500 && r.proto == 6), "offsets");
}
