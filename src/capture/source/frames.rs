//! Link-layer frames → UDP datagrams (source address, ports, payload), with IP reassembly.
//!
//! Packet layers are parsed with `etherparse` (Ethernet, 802.1Q/QinQ, IPv4/IPv6, UDP) and
//! fragments reassembled with its `IpDefragPool`; only the two Linux cooked headers and the
//! BSD loopback header are peeled here because etherparse has no SLL2/loopback slicer.

use std::net::{IpAddr, SocketAddr};

use etherparse::defrag::IpDefragPool;
use etherparse::{EtherType, NetSlice, SlicedPacket, TransportSlice, UdpSlice};

/// Link types (pcap LINKTYPE_* numbers) we understand.
pub const LINKTYPE_NULL: i32 = 0;
/// Ethernet II (with VLAN tags).
pub const LINKTYPE_ETHERNET: i32 = 1;
/// Raw IPv4 or IPv6, no link header.
pub const LINKTYPE_RAW: i32 = 101;
/// OpenBSD loopback: a 4-byte address family in network order.
pub const LINKTYPE_LOOP: i32 = 108;
/// Linux cooked capture v1 (`tcpdump -i any`).
pub const LINKTYPE_LINUX_SLL: i32 = 113;
/// Raw IPv4.
pub const LINKTYPE_IPV4: i32 = 228;
/// Raw IPv6.
pub const LINKTYPE_IPV6: i32 = 229;
/// Linux cooked capture v2.
pub const LINKTYPE_LINUX_SLL2: i32 = 276;
/// Some BSD pcaps use 12/14 for raw IP.
const DLT_RAW_ALT: [i32; 2] = [12, 14];

/// A UDP datagram found in a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpDatagram {
    /// Sender (the exporter) address and port.
    pub src: SocketAddr,
    /// Destination port (matched against `--port`).
    pub dst_port: u16,
    /// UDP payload, reassembled if the IP packet was fragmented.
    pub payload: Vec<u8>,
}

/// What one frame turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum FrameOutcome {
    /// A whole UDP datagram (reassembled if it came in fragments).
    Udp(UdpDatagram),
    /// A fragment kept until the rest of its datagram arrives.
    FragmentHeld,
    /// Not UDP over IP (ARP, TCP, ICMP, …): not an error.
    NotUdp,
    /// Layers could not be parsed; the text says which.
    Malformed(String),
    /// The file's link type (pcap LINKTYPE_* number) is not one we read.
    UnsupportedLinkType(i32),
}

/// Fragments older than this (in capture time) are abandoned.
const FRAGMENT_TIMEOUT_MS: i64 = 30_000;

/// Frame decoder holding in-progress IP reassemblies.
pub struct FrameDecoder {
    defrag: IpDefragPool<i64, ()>,
    last_sweep_ms: i64,
    /// Reassemblies abandoned (timeout or end of input).
    pub fragments_abandoned: u64,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        FrameDecoder {
            defrag: IpDefragPool::new(),
            last_sweep_ms: i64::MIN,
            fragments_abandoned: 0,
        }
    }
}

fn ether_type_at(data: &[u8], at: usize) -> Option<EtherType> {
    data.get(at..at + 2).map(|b| EtherType(u16::from_be_bytes([b[0], b[1]])))
}

/// What a frame's link layer holds, for the IP slicers (strict for export datagrams, lax for
/// metered packets): the one place that knows the link types.
#[derive(Debug, PartialEq, Eq)]
pub enum Link<'a> {
    /// An Ethernet frame (VLAN tags included).
    Ethernet(&'a [u8]),
    /// A bare IP packet (raw IP; loopback after its 4-byte family header).
    Ip(&'a [u8]),
    /// The payload of a Linux cooked header, with its EtherType.
    EtherType(EtherType, &'a [u8]),
    /// The link header is cut short (what is missing).
    Truncated(&'static str),
    /// A link type we do not read.
    Unsupported(i32),
}

/// The link layer of one frame of `linktype`.
pub fn link(linktype: i32, frame: &[u8]) -> Link<'_> {
    match linktype {
        LINKTYPE_ETHERNET => Link::Ethernet(frame),
        LINKTYPE_RAW | LINKTYPE_IPV4 | LINKTYPE_IPV6 => Link::Ip(frame),
        t if DLT_RAW_ALT.contains(&t) => Link::Ip(frame),
        LINKTYPE_NULL | LINKTYPE_LOOP => match frame.get(4..) {
            Some(rest) => Link::Ip(rest),
            None => Link::Truncated("loopback header truncated"),
        },
        LINKTYPE_LINUX_SLL => match (ether_type_at(frame, 14), frame.get(16..)) {
            (Some(et), Some(rest)) => Link::EtherType(et, rest),
            _ => Link::Truncated("SLL header truncated"),
        },
        LINKTYPE_LINUX_SLL2 => match (ether_type_at(frame, 0), frame.get(20..)) {
            (Some(et), Some(rest)) => Link::EtherType(et, rest),
            _ => Link::Truncated("SLL2 header truncated"),
        },
        other => Link::Unsupported(other),
    }
}

impl FrameDecoder {
    /// Decode one captured frame of `linktype` captured at `ts_ms`.
    pub fn decode(&mut self, linktype: i32, frame: &[u8], ts_ms: i64) -> FrameOutcome {
        let sliced = match link(linktype, frame) {
            Link::Ethernet(f) => SlicedPacket::from_ethernet(f),
            Link::Ip(ip) => SlicedPacket::from_ip(ip),
            Link::EtherType(et, rest) => SlicedPacket::from_ether_type(et, rest),
            Link::Truncated(why) => return FrameOutcome::Malformed(why.into()),
            Link::Unsupported(other) => return FrameOutcome::UnsupportedLinkType(other),
        };
        let sliced = match sliced {
            Ok(s) => s,
            Err(e) => return FrameOutcome::Malformed(e.to_string()),
        };
        let src_ip: IpAddr = match &sliced.net {
            Some(NetSlice::Ipv4(v4)) => v4.header().source_addr().into(),
            Some(NetSlice::Ipv6(v6)) => v6.header().source_addr().into(),
            _ => return FrameOutcome::NotUdp,
        };
        if let Some(TransportSlice::Udp(udp)) = &sliced.transport {
            return FrameOutcome::Udp(UdpDatagram {
                src: SocketAddr::new(src_ip, udp.source_port()),
                dst_port: udp.destination_port(),
                payload: udp.payload().to_vec(),
            });
        }
        self.sweep(ts_ms);
        match self.defrag.process_sliced_packet(&sliced, ts_ms, ()) {
            Ok(Some(reassembled)) => {
                let out = if reassembled.ip_number == etherparse::IpNumber::UDP {
                    match UdpSlice::from_slice(&reassembled.payload) {
                        Ok(udp) => FrameOutcome::Udp(UdpDatagram {
                            src: SocketAddr::new(src_ip, udp.source_port()),
                            dst_port: udp.destination_port(),
                            payload: udp.payload().to_vec(),
                        }),
                        Err(e) => FrameOutcome::Malformed(format!("reassembled UDP: {e}")),
                    }
                } else {
                    FrameOutcome::NotUdp
                };
                self.defrag.return_buf(reassembled);
                out
            }
            // Not a fragment (TCP, ICMP, …) or a fragment waiting for its siblings.
            Ok(None) => {
                if is_fragment(&sliced) {
                    FrameOutcome::FragmentHeld
                } else {
                    FrameOutcome::NotUdp
                }
            }
            Err(e) => FrameOutcome::Malformed(format!("IP reassembly: {e}")),
        }
    }

    /// Abandon reassemblies older than the timeout (capture time).
    fn sweep(&mut self, now_ms: i64) {
        if now_ms < self.last_sweep_ms.saturating_add(1000) {
            return;
        }
        self.last_sweep_ms = now_ms;
        self.fragments_abandoned += retain_counting(&mut self.defrag, |ts| {
            now_ms.saturating_sub(*ts) <= FRAGMENT_TIMEOUT_MS
        });
    }

    /// End of input: every reassembly still open is abandoned.
    pub fn finish(&mut self) {
        self.fragments_abandoned += retain_counting(&mut self.defrag, |_| false);
    }
}

/// `IpDefragPool::retain` takes an `Fn` and asks the predicate once more (an `any` pre-check)
/// before filtering, so the removed count is the number of `false` answers minus that one.
fn retain_counting(pool: &mut IpDefragPool<i64, ()>, keep: impl Fn(&i64) -> bool) -> u64 {
    let refused = std::cell::Cell::new(0u64);
    pool.retain(|ts| {
        let k = keep(ts);
        refused.set(refused.get() + u64::from(!k));
        k
    });
    refused.get().saturating_sub(1)
}

fn is_fragment(sliced: &SlicedPacket) -> bool {
    match &sliced.net {
        Some(NetSlice::Ipv4(v4)) => v4.header().is_fragmenting_payload(),
        Some(NetSlice::Ipv6(v6)) => v6.is_payload_fragmented(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::PacketBuilder;

    fn udp_frame(payload: &[u8]) -> Vec<u8> {
        let builder = PacketBuilder::ethernet2([1; 6], [2; 6])
            .single_vlan(etherparse::VlanId::try_new(10).unwrap())
            .ipv4([192, 0, 2, 1], [192, 0, 2, 254], 64)
            .udp(40000, 2055);
        let mut out = Vec::new();
        builder.write(&mut out, payload).unwrap();
        out
    }

    #[test]
    fn vlan_ethernet_udp() {
        let mut d = FrameDecoder::default();
        let f = udp_frame(b"hello");
        match d.decode(LINKTYPE_ETHERNET, &f, 0) {
            FrameOutcome::Udp(u) => {
                assert_eq!(u.src, "192.0.2.1:40000".parse().unwrap());
                assert_eq!(u.dst_port, 2055);
                assert_eq!(u.payload, b"hello");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    /// An IPv4/UDP packet without link header.
    fn ip_udp(payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        PacketBuilder::ipv4([192, 0, 2, 7], [192, 0, 2, 254], 64)
            .udp(4000, 4739)
            .write(&mut out, payload)
            .unwrap();
        out
    }

    fn expect_udp(outcome: FrameOutcome, payload: &[u8]) {
        match outcome {
            FrameOutcome::Udp(u) => {
                assert_eq!(u.src, "192.0.2.7:4000".parse().unwrap());
                assert_eq!(u.payload, payload);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn cooked_loopback_and_raw_link_types() {
        let ip = ip_udp(b"payload");
        let mut d = FrameDecoder::default();
        expect_udp(d.decode(LINKTYPE_RAW, &ip, 0), b"payload");
        expect_udp(d.decode(LINKTYPE_IPV4, &ip, 0), b"payload");
        let mut lo = 2u32.to_le_bytes().to_vec(); // AF_INET, host byte order
        lo.extend_from_slice(&ip);
        expect_udp(d.decode(LINKTYPE_NULL, &lo, 0), b"payload");
        let mut sll = vec![0u8; 14];
        sll.extend_from_slice(&0x0800u16.to_be_bytes());
        sll.extend_from_slice(&ip);
        expect_udp(d.decode(LINKTYPE_LINUX_SLL, &sll, 0), b"payload");
        let mut sll2 = 0x0800u16.to_be_bytes().to_vec();
        sll2.extend_from_slice(&[0u8; 18]);
        sll2.extend_from_slice(&ip);
        expect_udp(d.decode(LINKTYPE_LINUX_SLL2, &sll2, 0), b"payload");
        assert_eq!(d.decode(147, &ip, 0), FrameOutcome::UnsupportedLinkType(147));
    }

    #[test]
    fn qinq_is_unwrapped() {
        let mut out = Vec::new();
        PacketBuilder::ethernet2([1; 6], [2; 6])
            .double_vlan(
                etherparse::VlanId::try_new(100).unwrap(),
                etherparse::VlanId::try_new(200).unwrap(),
            )
            .ipv4([192, 0, 2, 7], [192, 0, 2, 254], 64)
            .udp(4000, 4739)
            .write(&mut out, b"qinq")
            .unwrap();
        expect_udp(FrameDecoder::default().decode(LINKTYPE_ETHERNET, &out, 0), b"qinq");
    }

    /// Split an IPv4/UDP packet into two fragments at `at` bytes of IP payload (multiple of 8).
    fn fragment(ip: &[u8], at: usize) -> (Vec<u8>, Vec<u8>) {
        let (header, _) = etherparse::Ipv4Header::from_slice(ip).unwrap();
        let body = &ip[header.header_len()..];
        let mut first = header.clone();
        first.more_fragments = true;
        first.total_len = (header.header_len() + at) as u16;
        first.header_checksum = first.calc_header_checksum();
        let mut second = header.clone();
        second.fragment_offset = etherparse::IpFragOffset::try_new((at / 8) as u16).unwrap();
        second.total_len = (header.header_len() + body.len() - at) as u16;
        second.header_checksum = second.calc_header_checksum();
        let mut a = first.to_bytes().to_vec();
        a.extend_from_slice(&body[..at]);
        let mut b = second.to_bytes().to_vec();
        b.extend_from_slice(&body[at..]);
        (a, b)
    }

    #[test]
    fn ip_fragments_are_reassembled_in_any_order() {
        let payload: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
        let ip = ip_udp(&payload);
        let (a, b) = fragment(&ip, 1480);
        let mut d = FrameDecoder::default();
        assert_eq!(d.decode(LINKTYPE_RAW, &b, 0), FrameOutcome::FragmentHeld);
        expect_udp(d.decode(LINKTYPE_RAW, &a, 1), &payload);
        // A lone fragment is abandoned (and counted) at the end of input.
        assert_eq!(d.decode(LINKTYPE_RAW, &a, 2), FrameOutcome::FragmentHeld);
        d.finish();
        assert_eq!(d.fragments_abandoned, 1);
    }

    #[test]
    fn truncated_frame_is_malformed_not_panic() {
        let mut d = FrameDecoder::default();
        let f = udp_frame(b"hello");
        for cut in 0..f.len() {
            let _ = d.decode(LINKTYPE_ETHERNET, &f[..cut], 0);
            let _ = d.decode(LINKTYPE_LINUX_SLL2, &f[..cut], 0);
        }
    }
}
