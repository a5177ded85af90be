//! One captured frame → the fields a flow meter keeps (addresses, ports, flags, layer-3 length).
//!
//! Layers are sliced with etherparse's *lax* slicer: a frame cut by the capture's snaplen still
//! gives its headers, and the byte count comes from the IP header (total length, IPv6 payload
//! length + 40), i.e. the packet's size on the wire, not the captured part.

use std::net::IpAddr;

use etherparse::{IpNumber, LaxNetSlice, LaxSlicedPacket, TransportSlice};

use crate::capture::source::frames::{Link, link};

/// What a flow meter needs of one IP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet {
    /// Capture time, UTC epoch µs.
    pub ts_us: i64,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Source port (0 without one: ICMP, non-first fragments, other protocols).
    pub src_port: u16,
    /// Destination port; ICMP/ICMPv6: type × 256 + code, as exporters report it.
    pub dst_port: u16,
    /// IP protocol number (IPv6: after the extension headers).
    pub proto: u8,
    /// TCP flags (the low 8 bits: FIN SYN RST PSH ACK URG ECE CWR), 0 otherwise.
    pub tcp_flags: u8,
    /// Layer-3 bytes from the IP header (what the packet had on the wire).
    pub l3_bytes: u32,
    /// IPv4 TOS / IPv6 traffic class.
    pub tos: u8,
    /// The frame was shorter than its IP length (cut by the capture's snaplen).
    pub cut: bool,
    /// A fragment of a larger IP packet (only the first one carries the ports).
    pub fragment: bool,
}

impl Packet {
    /// Capture time, UTC epoch ms.
    pub fn ts_ms(&self) -> i64 {
        self.ts_us.div_euclid(1000)
    }
}

/// What a frame turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// An IP packet.
    Packet(Packet),
    /// Not IP (ARP, LLDP, STP, …): skipped and counted.
    NotIp,
    /// Too short for its link or IP header, or a raw-IP frame without a valid IP header:
    /// skipped and counted.
    Truncated,
    /// The file's link type is not one we read.
    UnsupportedLinkType(i32),
}

/// Parse one frame of link type `linktype` captured at `ts_us` (epoch µs).
pub fn parse(linktype: i32, frame: &[u8], ts_us: i64) -> Parsed {
    let sliced = match link(linktype, frame) {
        Link::Ethernet(f) => LaxSlicedPacket::from_ethernet(f).ok(),
        Link::Ip(ip) => from_ip(ip),
        Link::EtherType(et, rest) => Some(LaxSlicedPacket::from_ether_type(et, rest)),
        Link::Truncated(_) => None,
        Link::Unsupported(other) => return Parsed::UnsupportedLinkType(other),
    };
    let Some(sliced) = sliced else { return Parsed::Truncated };
    packet(&sliced, ts_us)
}

/// Raw IP (no link header): a start that is no IP header is a truncated or broken packet.
fn from_ip(data: &[u8]) -> Option<LaxSlicedPacket<'_>> {
    LaxSlicedPacket::from_ip(data).ok()
}

fn packet(s: &LaxSlicedPacket, ts_us: i64) -> Parsed {
    let (src, dst, l3_bytes, tos, payload) = match &s.net {
        Some(LaxNetSlice::Ipv4(v4)) => {
            let h = v4.header();
            let total = u32::from(h.total_len()).max(u32::from(h.ihl()) * 4);
            (
                IpAddr::from(h.source_addr()),
                IpAddr::from(h.destination_addr()),
                total,
                h.dcp().value() << 2 | h.ecn().value(),
                v4.payload(),
            )
        }
        Some(LaxNetSlice::Ipv6(v6)) => {
            let h = v6.header();
            (
                IpAddr::from(h.source_addr()),
                IpAddr::from(h.destination_addr()),
                u32::from(h.payload_length()) + 40,
                h.traffic_class(),
                v6.payload(),
            )
        }
        Some(LaxNetSlice::Arp(_)) => return Parsed::NotIp,
        None => {
            // An IP ether type whose header did not fit is a truncated packet; anything else
            // (no IP at all) is other traffic.
            return if s.stop_err.is_some() { Parsed::Truncated } else { Parsed::NotIp };
        }
    };
    let proto = payload.ip_number;
    let mut p = Packet {
        ts_us,
        src,
        dst,
        src_port: 0,
        dst_port: 0,
        proto: proto.0,
        tcp_flags: 0,
        l3_bytes,
        tos,
        cut: payload.incomplete,
        fragment: payload.fragmented,
    };
    transport_ports(s, payload, &mut p);
    Parsed::Packet(p)
}

/// Ports (ICMP: type × 256 + code as the destination port) and TCP flags of the packet's
/// transport header, into `p`.
fn transport_ports(
    s: &LaxSlicedPacket,
    payload: &etherparse::LaxIpPayloadSlice<'_>,
    p: &mut Packet,
) {
    let proto = payload.ip_number;
    match &s.transport {
        Some(TransportSlice::Tcp(t)) => {
            p.src_port = t.source_port();
            p.dst_port = t.destination_port();
            p.tcp_flags = t.slice().get(13).copied().unwrap_or(0);
        }
        Some(TransportSlice::Udp(u)) => {
            p.src_port = u.source_port();
            p.dst_port = u.destination_port();
        }
        Some(TransportSlice::Icmpv4(i)) => {
            p.dst_port = u16::from_be_bytes([i.type_u8(), i.code_u8()])
        }
        Some(TransportSlice::Icmpv6(i)) => {
            p.dst_port = u16::from_be_bytes([i.type_u8(), i.code_u8()])
        }
        None => {
            // A first fragment (or a header etherparse did not slice because the snaplen cut
            // it): the ports are the first four bytes of the transport header when present.
            let b = payload.payload;
            let first_fragment = !payload.fragmented || is_first_fragment(s);
            if first_fragment && b.len() >= 4 {
                match proto {
                    IpNumber::TCP | IpNumber::UDP | IpNumber::SCTP => {
                        p.src_port = u16::from_be_bytes([b[0], b[1]]);
                        p.dst_port = u16::from_be_bytes([b[2], b[3]]);
                        if proto == IpNumber::TCP {
                            p.tcp_flags = b.get(13).copied().unwrap_or(0);
                        }
                    }
                    IpNumber::ICMP | IpNumber::IPV6_ICMP => {
                        p.dst_port = u16::from_be_bytes([b[0], b[1]]);
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// IPv4 fragment with offset 0 (IPv6 fragments are treated as later fragments: no ports).
fn is_first_fragment(s: &LaxSlicedPacket) -> bool {
    match &s.net {
        Some(LaxNetSlice::Ipv4(v4)) => v4.header().fragments_offset().value() == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use etherparse::PacketBuilder;

    use super::*;
    use crate::capture::source::frames::{LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW};

    fn tcp_frame(flags_syn: bool, payload: &[u8]) -> Vec<u8> {
        let b = PacketBuilder::ethernet2([1; 6], [2; 6])
            .single_vlan(etherparse::VlanId::try_new(10).unwrap())
            .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
            .tcp(40000, 22, 1, 1000);
        let b = if flags_syn { b.syn() } else { b.ack(5).fin() };
        let mut out = Vec::new();
        b.write(&mut out, payload).unwrap();
        out
    }

    #[test]
    fn tcp_over_vlan_with_flags_and_wire_length_when_cut() {
        let frame = tcp_frame(false, &[0u8; 500]);
        let Parsed::Packet(p) = parse(LINKTYPE_ETHERNET, &frame[..80], 7) else { panic!() };
        assert_eq!((p.src_port, p.dst_port, p.proto), (40000, 22, 6));
        assert_eq!(p.tcp_flags, 0x11, "FIN+ACK");
        assert_eq!(p.l3_bytes, 20 + 20 + 500, "wire length, not the 80 captured bytes");
        assert!(p.cut && !p.fragment);
        let Parsed::Packet(p) = parse(LINKTYPE_ETHERNET, &tcp_frame(true, &[]), 7) else {
            panic!()
        };
        assert_eq!((p.tcp_flags, p.l3_bytes, p.cut), (0x02, 40, false));
    }

    #[test]
    fn icmp_type_code_in_dst_port_ipv6_udp_and_others() {
        let mut f = Vec::new();
        PacketBuilder::ip(etherparse::IpHeaders::Ipv4(
            etherparse::Ipv4Header::new(0, 64, IpNumber::ICMP, [10, 0, 0, 1], [10, 0, 0, 2])
                .unwrap(),
            Default::default(),
        ))
        .icmpv4_echo_request(1, 2)
        .write(&mut f, &[])
        .unwrap();
        let Parsed::Packet(p) = parse(LINKTYPE_RAW, &f, 0) else { panic!() };
        assert_eq!((p.proto, p.src_port, p.dst_port), (1, 0, 8 * 256));
        let mut f = Vec::new();
        PacketBuilder::ipv6(
            [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            [0xfe; 16],
            5,
        )
        .udp(53, 5353)
        .write(&mut f, &[1, 2, 3])
        .unwrap();
        // Linux cooked v2: ether type first, 20-byte header.
        let mut sll2 = vec![0x86, 0xdd];
        sll2.extend_from_slice(&[0; 18]);
        sll2.extend_from_slice(&f);
        let Parsed::Packet(p) = parse(LINKTYPE_LINUX_SLL2, &sll2, 0) else { panic!() };
        assert_eq!((p.proto, p.src_port, p.dst_port, p.l3_bytes), (17, 53, 5353, 40 + 8 + 3));
        assert_eq!(p.src.to_string(), "2001:db8::1");
        let arp = [vec![0xff; 12], vec![0x08, 0x06], vec![0; 28]].concat();
        assert_eq!(parse(LINKTYPE_ETHERNET, &arp, 0), Parsed::NotIp);
        assert_eq!(parse(LINKTYPE_ETHERNET, &[0; 10], 0), Parsed::Truncated);
        let ipv4_cut = [vec![0xff; 12], vec![0x08, 0x00], vec![0x45, 0]].concat();
        assert_eq!(parse(LINKTYPE_ETHERNET, &ipv4_cut, 0), Parsed::Truncated);
        assert_eq!(parse(147, &f, 0), Parsed::UnsupportedLinkType(147));
    }
}
