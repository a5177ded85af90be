//! One connection as an exporter reports it: a record per direction, and long connections cut
//! into several records by the exporter's active timeout (a Cisco-style flow cache exports a
//! long flow every `active_timeout` while it lasts, then once more at its end).

use std::net::IpAddr;

use super::encode::SynthFlow;
use serde::Serialize;

/// A connection between a client and a server port.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The side that opens the connection.
    pub client: IpAddr,
    /// The side that serves it.
    pub server: IpAddr,
    /// Client (ephemeral) port.
    pub client_port: u16,
    /// Service port.
    pub server_port: u16,
    /// IP protocol number.
    pub proto: u8,
    /// First packet, UTC epoch ms.
    pub start_ms: i64,
    /// Last packet, UTC epoch ms.
    pub end_ms: i64,
    /// Client → server packets and bytes.
    pub packets: u32,
    /// Client → server bytes.
    pub bytes: u32,
    /// Server → client; `None` = the server never answered (no reverse record at all).
    pub reply: Option<(u32, u32)>,
    /// TCP flags of the client's and the server's records (0 for UDP).
    pub flags: (u8, u8),
    /// Input and output interface of the client → server records.
    pub interfaces: (u16, u16),
}

/// A session as the truth files describe it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TruthHop {
    /// Client address.
    pub client: String,
    /// Server address.
    pub server: String,
    /// Service name.
    pub service: String,
    /// IP protocol number.
    pub proto: u8,
    /// Server port.
    pub port: u16,
    /// Session start, UTC epoch ms.
    pub start_ms: i64,
    /// Session end, UTC epoch ms.
    pub end_ms: i64,
}

/// Report `c` as the exporter does (its records into `out`) and describe it as a truth hop of
/// `service`.
pub fn report(
    c: &Connection,
    service: &str,
    active_timeout_ms: i64,
    out: &mut Vec<SynthFlow>,
) -> TruthHop {
    out.extend(records(c, active_timeout_ms));
    TruthHop {
        client: c.client.to_string(),
        server: c.server.to_string(),
        service: service.into(),
        proto: c.proto,
        port: c.server_port,
        start_ms: c.start_ms,
        end_ms: c.end_ms,
    }
}

/// The records an exporter with `active_timeout_ms` (0 = never cut) sends for `c`, in end-time
/// order. Packets and bytes are spread over the pieces by their share of the duration; every
/// piece carries at least one packet.
pub fn records(c: &Connection, active_timeout_ms: i64) -> Vec<SynthFlow> {
    let mut out = Vec::new();
    let dur = (c.end_ms - c.start_ms).max(0);
    let pieces = if active_timeout_ms > 0 && dur > active_timeout_ms {
        ((dur + active_timeout_ms - 1) / active_timeout_ms) as u32
    } else {
        1
    };
    let mut push = |src, dst, sp, dp, flags, packets: u32, bytes: u32, inf: (u16, u16)| {
        let pieces = pieces.min(packets.max(1));
        let (mut p_left, mut b_left) = (packets, bytes);
        for k in 0..pieces {
            let start = c.start_ms + i64::from(k) * active_timeout_ms;
            let last = k + 1 == pieces;
            let end = if last { c.end_ms } else { start + active_timeout_ms };
            let (p, b) = if last {
                (p_left, b_left)
            } else {
                let share = (end - start) as f64 / dur as f64;
                let p = ((f64::from(packets) * share) as u32).clamp(1, p_left - (pieces - k - 1));
                (p, ((f64::from(bytes) * share) as u32).min(b_left))
            };
            p_left -= p;
            b_left -= b;
            out.push(SynthFlow {
                start_ms: start,
                end_ms: end,
                src,
                dst,
                src_port: sp,
                dst_port: dp,
                proto: c.proto,
                tcp_flags: flags,
                tos: 0,
                packets: p,
                bytes: b,
                in_if: inf.0,
                out_if: inf.1,
            });
        }
    };
    push(
        c.client,
        c.server,
        c.client_port,
        c.server_port,
        c.flags.0,
        c.packets,
        c.bytes,
        c.interfaces,
    );
    if let Some((packets, bytes)) = c.reply {
        let rev = (c.interfaces.1, c.interfaces.0);
        push(c.server, c.client, c.server_port, c.client_port, c.flags.1, packets, bytes, rev);
    }
    out.sort_by_key(|f| f.end_ms);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(start: i64, end: i64) -> Connection {
        Connection {
            client: "10.0.0.1".parse().unwrap(),
            server: "10.0.0.2".parse().unwrap(),
            client_port: 40000,
            server_port: 22,
            proto: 6,
            start_ms: start,
            end_ms: end,
            packets: 100,
            bytes: 9000,
            reply: Some((120, 48000)),
            flags: (0x1b, 0x1b),
            interfaces: (1, 2),
        }
    }

    #[test]
    fn long_connections_are_cut_at_the_active_timeout_and_counters_are_kept() {
        let c = conn(0, 75 * 60_000);
        let r = records(&c, 30 * 60_000);
        assert_eq!(r.len(), 6, "3 pieces each way");
        let fwd: Vec<_> = r.iter().filter(|f| f.dst_port == 22).collect();
        assert_eq!(fwd.iter().map(|f| f.packets).sum::<u32>(), 100);
        assert_eq!(fwd.iter().map(|f| f.bytes).sum::<u32>(), 9000);
        assert_eq!(
            fwd.iter().map(|f| (f.start_ms, f.end_ms)).collect::<Vec<_>>(),
            vec![(0, 1_800_000), (1_800_000, 3_600_000), (3_600_000, 4_500_000)]
        );
        let rev: u32 = r.iter().filter(|f| f.src_port == 22).map(|f| f.bytes).sum();
        assert_eq!(rev, 48000);
        assert!(r.windows(2).all(|w| w[0].end_ms <= w[1].end_ms));
    }

    #[test]
    fn short_or_unanswered_connections_are_one_record() {
        let mut c = conn(0, 10_000);
        c.reply = None;
        c.packets = 1;
        let r = records(&c, 30 * 60_000);
        assert_eq!(r.len(), 1);
        // A one-packet flow is never cut into empty pieces.
        let mut long = conn(0, 90 * 60_000);
        long.packets = 1;
        long.reply = None;
        assert_eq!(records(&long, 30 * 60_000).len(), 1);
    }
}
