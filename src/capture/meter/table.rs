//! The flow table: one entry per direction and 5-tuple, ended as an exporter ends its records.
//!
//! A record ends when (checked in this order, all on the packets' clock):
//! - the next packet of its key comes more than `inactive` after the last one (the old record
//!   is finished and the packet starts a new one), or a sweep finds it that idle;
//! - it has lasted `active` (long connections are reported in parts, as exporters do);
//! - it carried a TCP FIN or RST (that packet is its last);
//! - the table is full: the least recently seen eighth is finished early (counted);
//! - the input ends.

use std::net::{IpAddr, Ipv4Addr};

use hashbrown::HashMap;
use hashbrown::hash_map::Entry;
use serde::Serialize;

use super::packet::Packet;
use crate::store::record::{FlowRecord, TimeSource};

/// `exporter_addr` of metered flows (no exporter sent them): 0.0.0.0.
pub const METER_EXPORTER: IpAddr = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
/// `flow_version` of metered flows: 0 (no export protocol).
pub const METER_VERSION: u16 = 0;

const TCP_FIN: u8 = 0x01;
const TCP_RST: u8 = 0x04;

/// Timeouts and the table bound.
#[derive(Debug, Clone, Copy)]
pub struct MeterSettings {
    /// A record lasting this long is ended and a new one started (ms).
    pub active_ms: i64,
    /// A record idle this long is ended (ms).
    pub inactive_ms: i64,
    /// Most records open at once; beyond it the least recently seen are ended early.
    pub max_flows: usize,
}

/// What the meter counted.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct MeterStats {
    /// Frames read from the files.
    pub packets: u64,
    /// IP packets counted into flows.
    pub packets_metered: u64,
    /// Frames that were not IP (ARP, LLDP, …).
    pub packets_not_ip: u64,
    /// Frames too short for their link or IP header.
    pub packets_truncated: u64,
    /// IP packets cut by the snaplen: metered with their IP length.
    pub packets_snaplen_cut: u64,
    /// IP fragments (only first fragments carry ports; later ones meter under ports 0).
    pub packets_fragment: u64,
    /// Packets older than the newest already read (merged files overlap or a capture
    /// reordered): metered into their flow all the same.
    pub packets_out_of_order: u64,
    /// Records ended by each reason.
    pub flows_inactive: u64,
    /// Records ended by the active timeout.
    pub flows_active: u64,
    /// Records ended by a TCP FIN or RST.
    pub flows_tcp_end: u64,
    /// Records ended early because the table was full (`--max-flows`).
    pub flows_evicted: u64,
    /// Records still open when the input ended.
    pub flows_end_of_input: u64,
}

impl MeterStats {
    /// Records produced.
    pub fn flows(&self) -> u64 {
        self.flows_inactive
            + self.flows_active
            + self.flows_tcp_end
            + self.flows_evicted
            + self.flows_end_of_input
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    src: IpAddr,
    dst: IpAddr,
    src_port: u16,
    dst_port: u16,
    proto: u8,
}

#[derive(Debug, Clone, Copy)]
struct Open {
    first_ms: i64,
    last_ms: i64,
    packets: u64,
    bytes: u64,
    flags: u8,
    tos: u8,
}

impl Open {
    fn starting(ts: i64, tos: u8) -> Open {
        Open { first_ms: ts, last_ms: ts, packets: 0, bytes: 0, flags: 0, tos }
    }

    fn count(&mut self, p: &Packet, ts: i64) {
        self.first_ms = self.first_ms.min(ts);
        self.last_ms = self.last_ms.max(ts);
        self.packets += 1;
        self.bytes += u64::from(p.l3_bytes);
        self.flags |= p.tcp_flags;
    }
}

/// The table of open records.
pub struct FlowTable {
    settings: MeterSettings,
    open: HashMap<Key, Open>,
    /// Newest packet time seen (the meter's clock).
    now_ms: i64,
    last_sweep_ms: i64,
}

enum Why {
    Inactive,
    Active,
    TcpFinRst,
    Evicted,
    InputDone,
}

impl FlowTable {
    /// An empty table.
    pub fn new(settings: MeterSettings) -> Self {
        FlowTable { settings, open: HashMap::new(), now_ms: i64::MIN, last_sweep_ms: i64::MIN }
    }

    /// Records open now.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// True when no record is open.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// Count one packet; finished records are appended to `out`.
    pub fn add(&mut self, p: &Packet, stats: &mut MeterStats, out: &mut Vec<FlowRecord>) {
        let ts = p.ts_ms();
        if ts < self.now_ms {
            stats.packets_out_of_order += 1;
        } else {
            self.now_ms = ts;
        }
        stats.packets_metered += 1;
        let key = Key {
            src: p.src,
            dst: p.dst,
            src_port: p.src_port,
            dst_port: p.dst_port,
            proto: p.proto,
        };
        let s = self.settings;
        if self.open.len() >= s.max_flows && !self.open.contains_key(&key) {
            self.make_room(stats, out);
        }
        let now = self.now_ms;
        let ends = p.proto == 6 && p.tcp_flags & (TCP_FIN | TCP_RST) != 0;
        // One hash lookup per packet: the record is found (or made) once.
        match self.open.entry(key) {
            Entry::Occupied(mut e) => {
                let o = e.get_mut();
                let idle = ts.saturating_sub(o.last_ms) > s.inactive_ms;
                let long = ts.saturating_sub(o.first_ms) >= s.active_ms;
                if idle || long {
                    let old = std::mem::replace(o, Open::starting(ts, p.tos));
                    let why = if idle { Why::Inactive } else { Why::Active };
                    out.push(record(&key, &old, why, now, stats));
                }
                o.count(p, ts);
                if ends {
                    let o = e.remove();
                    out.push(record(&key, &o, Why::TcpFinRst, now, stats));
                }
            }
            Entry::Vacant(v) => {
                let mut o = Open::starting(ts, p.tos);
                o.count(p, ts);
                if ends {
                    out.push(record(&key, &o, Why::TcpFinRst, now, stats));
                } else {
                    v.insert(o);
                }
            }
        }
        // Idle records are found by a sweep every half inactive timeout of packet time.
        let every = (s.inactive_ms / 2).max(1_000);
        if self.now_ms.saturating_sub(self.last_sweep_ms) >= every {
            self.sweep(stats, out);
        }
    }

    /// End the records idle longer than the inactive timeout or older than the active one.
    pub fn sweep(&mut self, stats: &mut MeterStats, out: &mut Vec<FlowRecord>) {
        self.last_sweep_ms = self.now_ms;
        let (now, s) = (self.now_ms, self.settings);
        let mut ended = Vec::new();
        self.open.retain(|k, o| {
            let idle = now.saturating_sub(o.last_ms) > s.inactive_ms;
            let long = now.saturating_sub(o.first_ms) >= s.active_ms;
            if idle || long {
                ended.push((*k, *o, if idle { Why::Inactive } else { Why::Active }));
            }
            !(idle || long)
        });
        ended.sort_by_key(|(_, o, _)| (o.first_ms, o.last_ms));
        for (k, o, why) in ended {
            out.push(record(&k, &o, why, self.now_ms, stats));
        }
    }

    /// Full table: end the least recently seen eighth.
    fn make_room(&mut self, stats: &mut MeterStats, out: &mut Vec<FlowRecord>) {
        self.sweep(stats, out);
        if self.open.len() < self.settings.max_flows {
            return;
        }
        let mut seen: Vec<i64> = self.open.values().map(|o| o.last_ms).collect();
        let n = (seen.len() / 8).max(1);
        let (_, cut, _) = seen.select_nth_unstable(n - 1);
        let cut = *cut;
        let mut ended = Vec::new();
        self.open.retain(|k, o| {
            let evict = o.last_ms <= cut && ended.len() < n;
            if evict {
                ended.push((*k, *o));
            }
            !evict
        });
        for (k, o) in ended {
            out.push(record(&k, &o, Why::Evicted, self.now_ms, stats));
        }
    }

    /// End every open record (end of input), oldest first.
    pub fn drain(&mut self, stats: &mut MeterStats, out: &mut Vec<FlowRecord>) {
        let mut all: Vec<(Key, Open)> = self.open.drain().collect();
        all.sort_by_key(|(_, o)| (o.first_ms, o.last_ms));
        for (k, o) in all {
            out.push(record(&k, &o, Why::InputDone, self.now_ms, stats));
        }
    }
}

/// The stored record of `o`, ended for `why` at `now_ms` (packet clock); counted in `stats`.
fn record(k: &Key, o: &Open, why: Why, now_ms: i64, stats: &mut MeterStats) -> FlowRecord {
    match why {
        Why::Inactive => stats.flows_inactive += 1,
        Why::Active => stats.flows_active += 1,
        Why::TcpFinRst => stats.flows_tcp_end += 1,
        Why::Evicted => stats.flows_evicted += 1,
        Why::InputDone => stats.flows_end_of_input += 1,
    }
    FlowRecord {
        // Exported now, on the packets' clock (what a probe's export time would be).
        received_ms: now_ms.max(o.last_ms),
        flow_start_ms: o.first_ms,
        flow_end_ms: o.last_ms,
        time_source: TimeSource::Packets,
        exporter_addr: METER_EXPORTER,
        exporter_name: None,
        observation_domain_id: 0,
        flow_version: METER_VERSION,
        src_addr: k.src,
        dst_addr: k.dst,
        src_port: k.src_port,
        dst_port: k.dst_port,
        proto: k.proto,
        tcp_flags: u16::from(o.flags),
        packets: o.packets,
        bytes: o.bytes,
        in_if: None,
        out_if: None,
        sampling_interval: None,
        tos: Some(o.tos),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkt(ts: i64, sport: u16, dport: u16, flags: u8) -> Packet {
        Packet {
            ts_us: ts * 1000,
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.0.2".parse().unwrap(),
            src_port: sport,
            dst_port: dport,
            proto: 6,
            tcp_flags: flags,
            l3_bytes: 100,
            tos: 0,
            cut: false,
            fragment: false,
        }
    }

    fn table(max_flows: usize) -> FlowTable {
        FlowTable::new(MeterSettings { active_ms: 60_000, inactive_ms: 15_000, max_flows })
    }

    #[test]
    fn timeouts_fin_and_the_table_bound_end_records() {
        let (mut t, mut st, mut out) = (table(100), MeterStats::default(), Vec::new());
        // Idle 16 s: two records. Then a 70 s stream every 10 s: cut at the active timeout.
        t.add(&pkt(0, 1, 22, 0x02), &mut st, &mut out);
        t.add(&pkt(1_000, 1, 22, 0x10), &mut st, &mut out);
        t.add(&pkt(17_001, 1, 22, 0x10), &mut st, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].packets, out[0].bytes, out[0].tcp_flags), (2, 200, 0x12));
        assert_eq!((out[0].flow_start_ms, out[0].flow_end_ms), (0, 1_000));
        for i in 1..=7 {
            t.add(&pkt(17_001 + i * 10_000, 1, 22, 0x10), &mut st, &mut out);
        }
        assert_eq!(st.flows_active, 1, "{out:?}");
        // FIN ends the record with the FIN packet in it.
        t.add(&pkt(100_000, 2, 22, 0x02), &mut st, &mut out);
        t.add(&pkt(100_001, 2, 22, 0x11), &mut st, &mut out);
        assert_eq!(st.flows_tcp_end, 1);
        let fin = out.last().unwrap();
        assert_eq!((fin.src_port, fin.packets, fin.tcp_flags), (2, 2, 0x13));
        t.drain(&mut st, &mut out);
        assert_eq!(st.flows(), out.len() as u64);
        assert_eq!(out.iter().map(|r| r.packets).sum::<u64>(), 12);
        // Bounded: 1 000 flows through a 64-entry table, nothing lost, evictions counted.
        let (mut t, mut st, mut out) = (table(64), MeterStats::default(), Vec::new());
        for i in 0..1_000u16 {
            t.add(&pkt(i64::from(i), 1_000 + i, 22, 0), &mut st, &mut out);
            assert!(t.len() <= 64);
        }
        t.drain(&mut st, &mut out);
        assert!(st.flows_evicted >= 900, "{st:?}");
        assert_eq!(out.len(), 1_000);
    }
}
