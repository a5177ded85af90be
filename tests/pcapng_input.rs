//! pcapng input: the same capture written as pcapng (nanosecond timestamps) gives the same
//! rows, arrival times included, as the classic pcap.

use std::path::Path;

use crate::support::{capture_pcaps, tempdir, testdata};

fn block(kind: u32, body: &[u8]) -> Vec<u8> {
    let len = (12 + body.len()) as u32;
    let mut b = kind.to_le_bytes().to_vec();
    b.extend_from_slice(&len.to_le_bytes());
    b.extend_from_slice(body);
    b.extend_from_slice(&len.to_le_bytes());
    b
}

/// Rewrite a classic little-endian microsecond pcap as pcapng with if_tsresol = 9 (ns).
fn to_pcapng(pcap: &Path, out: &Path) {
    let d = std::fs::read(pcap).unwrap();
    let linktype = u32::from_le_bytes(d[20..24].try_into().unwrap());
    let mut ng = Vec::new();
    // Section header: byte-order magic, version 1.0, unknown section length.
    let mut shb = 0x1a2b_3c4du32.to_le_bytes().to_vec();
    shb.extend_from_slice(&1u16.to_le_bytes());
    shb.extend_from_slice(&0u16.to_le_bytes());
    shb.extend_from_slice(&(-1i64).to_le_bytes());
    ng.extend(block(0x0a0d_0d0a, &shb));
    // Interface description with option if_tsresol (code 9) = 9 → nanoseconds.
    let mut idb = (linktype as u16).to_le_bytes().to_vec();
    idb.extend_from_slice(&0u16.to_le_bytes());
    idb.extend_from_slice(&0u32.to_le_bytes());
    idb.extend_from_slice(&9u16.to_le_bytes());
    idb.extend_from_slice(&1u16.to_le_bytes());
    idb.extend_from_slice(&[9, 0, 0, 0]);
    idb.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
    ng.extend(block(1, &idb));
    let mut off = 24;
    while off + 16 <= d.len() {
        let u32_at = |i: usize| u32::from_le_bytes(d[i..i + 4].try_into().unwrap());
        let (sec, usec, caplen) = (u32_at(off), u32_at(off + 4), u32_at(off + 8) as usize);
        let frame = &d[off + 16..off + 16 + caplen];
        off += 16 + caplen;
        let ns = u64::from(sec) * 1_000_000_000 + u64::from(usec) * 1000;
        let mut epb = 0u32.to_le_bytes().to_vec();
        epb.extend_from_slice(&((ns >> 32) as u32).to_le_bytes());
        epb.extend_from_slice(&(ns as u32).to_le_bytes());
        epb.extend_from_slice(&(caplen as u32).to_le_bytes());
        epb.extend_from_slice(&(caplen as u32).to_le_bytes());
        epb.extend_from_slice(frame);
        while !epb.len().is_multiple_of(4) {
            epb.push(0);
        }
        ng.extend(block(6, &epb));
    }
    std::fs::write(out, ng).unwrap();
}

#[test]
fn pcapng_with_nanosecond_timestamps_matches_pcap() {
    let pcap = testdata().join("lab/s1_onehop/export-ipfix.pcap");
    let dir = tempdir("pcapng");
    let ng = dir.join("export-ipfix.pcapng");
    to_pcapng(&pcap, &ng);
    let mut a = capture_pcaps("pcapng-a", &[&pcap]).rows;
    let mut b = capture_pcaps("pcapng-b", &[&ng]).rows;
    a.sort();
    b.sort();
    assert!(!a.is_empty());
    assert_eq!(a, b);
}
