//! One Zeek `conn.log` entry and the flow records it becomes.
//!
//! A Zeek connection is both directions at once; a flow record is one. Each connection becomes
//! the originator's record (`id.orig_h:orig_p → id.resp_h:resp_p`, `orig_pkts`, `orig_ip_bytes`)
//! and, when the responder sent packets, the reply (addresses and ports swapped, `resp_pkts`,
//! `resp_ip_bytes`). TCP flags come from `history` (else from `conn_state`), so the `sessions`
//! rules read them as they read an exporter's: see [`tcp_flags`].

use std::net::IpAddr;
use std::sync::Arc;

use crate::capture::meter::table::METER_EXPORTER;
use crate::store::record::{FlowRecord, TimeSource};

const FIN: u16 = 0x01;
const SYN: u16 = 0x02;
const RST: u16 = 0x04;
const ACK: u16 = 0x10;

/// The fields of a conn log entry pivotflow stores (Zeek's names).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conn {
    /// `ts`: first packet, µs since the epoch.
    pub ts_us: i64,
    /// `duration`: µs (unset: 0, a single packet).
    pub duration_us: i64,
    /// `id.orig_h`.
    pub orig_h: Option<IpAddr>,
    /// `id.orig_p` (ICMP: the type).
    pub orig_p: u16,
    /// `id.resp_h`.
    pub resp_h: Option<IpAddr>,
    /// `id.resp_p` (ICMP: the code).
    pub resp_p: u16,
    /// `proto`: tcp, udp, icmp (anything else is not stored, and counted).
    pub proto: String,
    /// `conn_state` (unset: empty).
    pub conn_state: String,
    /// `history` (unset: empty).
    pub history: String,
    /// `orig_pkts`.
    pub orig_pkts: u64,
    /// `orig_ip_bytes` (else `orig_bytes`, the payload, when a log lacks it).
    pub orig_bytes: u64,
    /// `resp_pkts`.
    pub resp_pkts: u64,
    /// `resp_ip_bytes` (else `resp_bytes`).
    pub resp_bytes: u64,
    /// The sensor named by the line (`_system_name`, `_node_name`, `@system`), if any.
    pub sensor: Option<String>,
}

/// Why a conn entry gives no record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// A transport Zeek calls `unknown_transport` (or anything but tcp/udp/icmp).
    UnknownProto,
    /// `id.orig_h` or `id.resp_h` unset.
    NoAddress,
}

/// Zeek history letters (upper case: originator, lower case: responder) → TCP flags of the
/// two directions. `S` SYN, `H` SYN+ACK, `A` pure ACK, `D` data (carries ACK), `F` FIN (with
/// ACK), `R` RST; the others (`C`, `G`, `T`, `W`, `I`, `Q`, `^`) carry no flag.
fn flags_from_history(history: &str) -> (u16, u16) {
    let mut out = (0u16, 0u16);
    for c in history.chars() {
        let side = if c.is_ascii_uppercase() { &mut out.0 } else { &mut out.1 };
        *side |= match c.to_ascii_uppercase() {
            'S' => SYN,
            'H' => SYN | ACK,
            'A' | 'D' => ACK,
            'F' => FIN | ACK,
            'R' => RST,
            _ => 0,
        };
    }
    out
}

/// Without `history`, from `conn_state` (Zeek's definitions): what each side must have sent.
fn flags_from_state(state: &str) -> (u16, u16) {
    let est = SYN | ACK;
    match state {
        "S0" => (SYN, 0),
        "REJ" => (SYN, RST | ACK),
        "S1" => (est, est),
        "SF" => (est | FIN, est | FIN),
        "S2" => (est | FIN, est),
        "S3" => (est, est | FIN),
        "RSTO" => (est | RST, est),
        "RSTR" => (est, est | RST),
        "RSTOS0" => (SYN | RST, 0),
        "RSTRH" => (0, est | RST),
        "SH" => (SYN | FIN, 0),
        "SHR" => (0, est | FIN),
        // OTH (midstream, no SYN seen) and anything unknown: data, no SYN.
        _ => (ACK, ACK),
    }
}

/// TCP flags of the originator's and the responder's record.
pub fn tcp_flags(history: &str, conn_state: &str) -> (u16, u16) {
    if history.is_empty() { flags_from_state(conn_state) } else { flags_from_history(history) }
}

fn proto_number(proto: &str, v6: bool) -> Option<u8> {
    match proto {
        "tcp" => Some(6),
        "udp" => Some(17),
        "icmp" if v6 => Some(58),
        "icmp" => Some(1),
        _ => None,
    }
}

impl Conn {
    /// The entry's flow records (one or two), appended to `out`. `sensor` is the interned
    /// sensor name when it is not an address. (Long because every `FlowRecord` field is
    /// written once, in one closure both directions use, with the rules for each direction
    /// next to it.)
    pub fn records(
        &self,
        sensor: Option<&Arc<String>>,
        out: &mut Vec<FlowRecord>,
    ) -> Result<usize, Skip> {
        let (Some(orig), Some(resp)) = (self.orig_h, self.resp_h) else {
            return Err(Skip::NoAddress);
        };
        let proto = proto_number(&self.proto, orig.is_ipv6()).ok_or(Skip::UnknownProto)?;
        let start_ms = self.ts_us.div_euclid(1000);
        let end_ms = (self.ts_us + self.duration_us.max(0)).div_euclid(1000);
        // A sensor named by its address is stored as one; a name goes in as text.
        let (exporter_addr, exporter_name) =
            match (self.sensor.as_deref().and_then(|s| s.parse::<IpAddr>().ok()), sensor) {
                (Some(ip), _) => (ip, None),
                (None, Some(name)) => (METER_EXPORTER, Some(name.clone())),
                (None, None) => (METER_EXPORTER, None),
            };
        let (orig_flags, resp_flags) =
            if proto == 6 { tcp_flags(&self.history, &self.conn_state) } else { (0, 0) };
        // ICMP: Zeek logs the type as orig_p and the code as resp_p; the store keeps
        // type × 256 + code in dst_port, as exporters do.
        let (sport, dport) = if proto == 1 || proto == 58 {
            (0, self.orig_p.saturating_mul(256).saturating_add(self.resp_p))
        } else {
            (self.orig_p, self.resp_p)
        };
        let record = |src, dst, src_port, dst_port, flags, packets, bytes, start: i64| {
            let end = end_ms.max(start);
            FlowRecord {
                received_ms: end,
                flow_start_ms: start,
                flow_end_ms: end,
                time_source: TimeSource::Zeek,
                exporter_addr,
                exporter_name: exporter_name.clone(),
                observation_domain_id: 0,
                flow_version: 0,
                src_addr: src,
                dst_addr: dst,
                src_port,
                dst_port,
                proto,
                tcp_flags: flags,
                packets,
                bytes,
                in_if: None,
                out_if: None,
                sampling_interval: None,
                tos: None,
            }
        };
        let before = out.len();
        // A connection whose originator sent nothing the log counts (counters switched off,
        // or a responder-only midstream capture) still leaves its originator's record, so the
        // connection is never lost.
        if self.orig_pkts > 0 || self.resp_pkts == 0 {
            out.push(record(
                orig,
                resp,
                sport,
                dport,
                orig_flags,
                self.orig_pkts,
                self.orig_bytes,
                start_ms,
            ));
        }
        if self.resp_pkts > 0 {
            // Zeek logs one start per connection; the responder's first packet came after the
            // originator's, so its record starts 1 ms later (within the connection): the
            // `sessions` rules then take Zeek's originator as the client on any port.
            let reply_start = if self.orig_pkts > 0 { start_ms + 1 } else { start_ms };
            let (rs, rd) = if proto == 1 || proto == 58 { (0, 0) } else { (dport, sport) };
            out.push(record(
                resp,
                orig,
                rs,
                rd,
                resp_flags,
                self.resp_pkts,
                self.resp_bytes,
                reply_start,
            ));
        }
        Ok(out.len() - before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(history: &str, state: &str) -> Conn {
        Conn {
            ts_us: 1_588_206_809_274_476,
            duration_us: 11_584,
            orig_h: Some("10.0.1.4".parse().unwrap()),
            orig_p: 60775,
            resp_h: Some("10.0.1.6".parse().unwrap()),
            resp_p: 5985,
            proto: "tcp".into(),
            conn_state: state.into(),
            history: history.into(),
            orig_pkts: 9,
            orig_bytes: 5091,
            resp_pkts: 6,
            resp_bytes: 678,
            sensor: None,
        }
    }

    #[test]
    fn a_connection_is_two_directed_records() {
        let mut out = Vec::new();
        assert_eq!(conn("ShADadFf", "SF").records(None, &mut out), Ok(2));
        let (o, r) = (&out[0], &out[1]);
        assert_eq!((o.flow_start_ms, o.flow_end_ms), (1_588_206_809_274, 1_588_206_809_286));
        assert_eq!((r.flow_start_ms, r.flow_end_ms), (1_588_206_809_275, 1_588_206_809_286));
        assert_eq!((o.src_port, o.dst_port, o.packets, o.bytes), (60775, 5985, 9, 5091));
        assert_eq!((r.src_port, r.dst_port, r.packets, r.bytes), (5985, 60775, 6, 678));
        assert_eq!((o.tcp_flags, r.tcp_flags), (SYN | ACK | FIN, SYN | ACK | FIN));
        assert_eq!(o.received_ms, o.flow_end_ms);
    }

    #[test]
    fn refused_and_unanswered_connections_are_not_established() {
        assert_eq!(tcp_flags("Sr", "REJ"), (SYN, RST));
        assert_eq!(tcp_flags("", "REJ"), (SYN, RST | ACK));
        assert_eq!(tcp_flags("S", "S0"), (SYN, 0));
        let mut out = Vec::new();
        let mut c = conn("S", "S0");
        (c.orig_pkts, c.resp_pkts, c.resp_bytes) = (3, 0, 0);
        assert_eq!(c.records(None, &mut out), Ok(1), "no reply record without reply packets");
        // Midstream (no SYN seen): flags without SYN, so the sessions rule joins it to the
        // connection it continues.
        assert_eq!(tcp_flags("DdA", "OTH"), (ACK, ACK));
        assert_eq!(tcp_flags("", "OTH"), (ACK, ACK));
    }

    #[test]
    fn icmp_keeps_type_and_code_and_unknown_transports_are_skipped() {
        let mut out = Vec::new();
        let mut c = conn("", "OTH");
        (c.proto, c.orig_p, c.resp_p) = ("icmp".into(), 8, 0);
        c.records(None, &mut out).unwrap();
        assert_eq!(
            (out[0].proto, out[0].src_port, out[0].dst_port, out[0].tcp_flags),
            (1, 0, 2048, 0)
        );
        c.proto = "unknown_transport".into();
        assert_eq!(c.records(None, &mut out), Err(Skip::UnknownProto));
    }
}
