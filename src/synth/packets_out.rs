//! The generated traffic as a tap would capture it: every flow record becomes its packets
//! (Ethernet/IPv4-or-6/TCP-UDP-ICMP, snaplen-cut like `tcpdump -s`), written in time order.
//!
//! A record of `p` packets and `b` bytes gives `p` packets spread evenly over its span with
//! `b / p` layer-3 bytes each (the first ones one byte larger for the remainder; never less
//! than the headers). TCP: the first packet of a record carries its SYN (if the record has
//! one), the last its FIN/RST, the others ACK (+PSH). No duplicates: a tap sees each packet once.

use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::IpAddr;
use std::path::Path;

use etherparse::{IpNumber, PacketBuilder};

use super::SynthConfig;
use super::SynthSummary;
use super::encode::SynthFlow;
use crate::error::{Error, Result};

/// Bytes of each frame kept in the file (the rest is counted by its IP length only).
pub const SNAPLEN: usize = 128;

/// One record's next packet, for the time-ordered merge (earliest first).
struct Next {
    ts_ms: i64,
    flow: usize,
    index: u32,
}

impl PartialEq for Next {
    fn eq(&self, o: &Self) -> bool {
        (self.ts_ms, self.flow, self.index) == (o.ts_ms, o.flow, o.index)
    }
}
impl Eq for Next {}
impl PartialOrd for Next {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Next {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (o.ts_ms, o.flow, o.index).cmp(&(self.ts_ms, self.flow, self.index))
    }
}

fn packet_time(f: &SynthFlow, i: u32) -> i64 {
    let n = i64::from(f.packets.max(1));
    if n == 1 {
        return f.start_ms;
    }
    f.start_ms + (f.end_ms - f.start_ms).max(0) * i64::from(i) / (n - 1)
}

/// Write every generated record's packets into `path`; the summary counts records and packets.
pub fn write_packets(cfg: &SynthConfig, path: &Path) -> Result<SynthSummary> {
    let mut flows: Vec<SynthFlow> = super::stream::flows(cfg).0.filter(|f| f.packets > 0).collect();
    flows.sort_by_key(|f| (f.start_ms, f.end_ms));
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let io = |e| Error::io(path, e);
    out.write_all(&super::pcap_out::file_header(SNAPLEN as u32)).map_err(io)?;
    let mut summary = SynthSummary { flows_exported: flows.len() as u64, ..Default::default() };
    let mut heap = BinaryHeap::new();
    let mut started = 0;
    let mut frame = Vec::with_capacity(2048);
    let payload = vec![0u8; 65_536];
    let progress = crate::progress::bar(flows.len() as u64, "synth packets");
    loop {
        // Records join the merge when their first packet is due.
        let due = heap.peek().map_or(i64::MAX, |n: &Next| n.ts_ms);
        if started < flows.len() && flows[started].start_ms <= due {
            heap.push(Next { ts_ms: flows[started].start_ms, flow: started, index: 0 });
            started += 1;
            if started % 65_536 == 0 {
                progress.set_position(started as u64);
            }
            continue;
        }
        let Some(Next { ts_ms, flow, index }) = heap.pop() else { break };
        let f = &flows[flow];
        frame.clear();
        build_frame(f, index, &payload, &mut frame)?;
        let wire = frame.len();
        let kept = wire.min(SNAPLEN);
        out.write_all(&super::pcap_out::record_header(ts_ms, kept, wire)).map_err(io)?;
        out.write_all(&frame[..kept]).map_err(io)?;
        summary.datagrams += 1;
        if index + 1 < f.packets {
            heap.push(Next { ts_ms: packet_time(f, index + 1), flow, index: index + 1 });
        }
    }
    progress.finish_and_clear();
    out.flush().map_err(io)?;
    Ok(summary)
}

/// Packet `i` of record `f` as an Ethernet frame (full length; the caller cuts it).
fn build_frame(f: &SynthFlow, i: u32, payload: &[u8], frame: &mut Vec<u8>) -> Result<()> {
    let n = f.packets.max(1);
    let share = f.bytes / n + u32::from(i < f.bytes % n);
    let base = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
    let ip = match (f.src, f.dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => base.ipv4(s.octets(), d.octets(), 64),
        (IpAddr::V6(s), IpAddr::V6(d)) => base.ipv6(s.octets(), d.octets(), 64),
        _ => return Err(Error::config("synth --packets", "a record mixes IPv4 and IPv6")),
    };
    let ip_header = if f.src.is_ipv4() { 20 } else { 40 };
    let err = |e: etherparse::err::packet::BuildWriteError| {
        Error::config("synth --packets", e.to_string())
    };
    match IpNumber(f.proto) {
        IpNumber::TCP => {
            let mut t = ip.tcp(f.src_port, f.dst_port, 1 + i, 65_535);
            let last = i + 1 == n;
            if i == 0 && f.tcp_flags & 0x02 != 0 {
                t = t.syn();
            }
            if i > 0 || f.tcp_flags & 0x02 == 0 {
                t = t.ack(1);
            }
            if last && f.tcp_flags & 0x01 != 0 {
                t = t.fin();
            }
            if last && f.tcp_flags & 0x04 != 0 {
                t = t.rst();
            }
            let len = (share as usize).saturating_sub(ip_header + 20).min(payload.len());
            t.write(frame, &payload[..len]).map_err(err)
        }
        IpNumber::UDP => {
            let len = (share as usize).saturating_sub(ip_header + 8).min(payload.len());
            ip.udp(f.src_port, f.dst_port).write(frame, &payload[..len]).map_err(err)
        }
        IpNumber::ICMP if f.src.is_ipv4() => {
            let len = (share as usize).saturating_sub(ip_header + 8).min(payload.len());
            let (t, c) = ((f.dst_port >> 8) as u8, f.dst_port as u8);
            ip.icmpv4_raw(t, c, [0; 4]).write(frame, &payload[..len]).map_err(err)
        }
        other => Err(Error::config(
            "synth --packets",
            format!("no packet builder for IP protocol {}", other.0),
        )),
    }
}
