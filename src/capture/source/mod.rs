//! source: where export datagrams come from — UDP sockets (`udp`) or pcap/pcapng files
//! (`pcap`, with link/IP/UDP layers and reassembly in `frames`) — and how a payload is
//! recognised as NetFlow/IPFIX by content (`sniff_header`).

pub mod frames;
pub mod pcap;
pub mod udp;

use std::net::SocketAddr;

/// One export datagram as it arrived (UDP payload), whatever the source.
#[derive(Debug, Clone)]
pub struct Datagram {
    /// Sender address and port.
    pub exporter: SocketAddr,
    /// Arrival time, epoch ms (the pcap timestamp for files).
    pub received_ms: i64,
    /// The UDP payload.
    pub payload: Vec<u8>,
}

/// Version, header length and scope domain of an export datagram, if it looks like one.
///
/// Used by the pcap reader to recognise NetFlow by content (version + consistent length)
/// on any UDP port.
pub fn sniff_header(payload: &[u8]) -> Option<(u16, usize, u32)> {
    if payload.len() < 4 {
        return None;
    }
    let version = u16::from_be_bytes([payload[0], payload[1]]);
    let be32 = |at: usize| {
        u32::from_be_bytes([payload[at], payload[at + 1], payload[at + 2], payload[at + 3]])
    };
    match version {
        5 if payload.len() >= 24 => {
            let count = usize::from(u16::from_be_bytes([payload[2], payload[3]]));
            (count > 0 && count <= 30 && payload.len() >= 24 + 48 * count)
                .then(|| (5, 24, (u32::from(payload[20]) << 8) | u32::from(payload[21])))
        }
        9 if payload.len() >= 20 => {
            // v9 has no length field: require the first flowset header to fit the datagram.
            let first_set_len =
                payload.get(22..24).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])));
            (payload.len() == 20
                || first_set_len.is_some_and(|l| l >= 4 && 20 + l <= payload.len()))
            .then(|| (9, 20, be32(16)))
        }
        10 if payload.len() >= 16 => {
            let len = usize::from(u16::from_be_bytes([payload[2], payload[3]]));
            (len >= 16 && len <= payload.len()).then(|| (10, 16, be32(12)))
        }
        _ => None,
    }
}
