//! The night's established admin connections as history facts, computed natively from the
//! service-port flows already in memory: the records routed to slices by connection, each
//! slice summed in a small hash table (both directions in one entry, hosts numbered by their
//! IPv4 address where they have one), instead of queries/admin_pairs.sql's two aggregates,
//! join and third aggregate. On a 100 M-flow night's 5.3 M service-port flows, 2 cores, the
//! stage's log time in single runs: 1.3–1.8 s; 1.7–1.9 s with one table of millions of entries
//! (a wait on memory at nearly every record), 2.5–2.8 s with a table per direction and every
//! address looked up by text — but the whole report only 0.97× in 15 farm-bench pairs against
//! the last of those (the kernel zeroing fresh memory is much of the CPU time on this VM).
//! `pivots`, which needs only the possible pivot hosts, keeps queries/pivot_hosts.sql.
//!
//! queries/admin_pairs.sql stays the definition (portable, and what a cluster runs): the rules
//! below are its steps, and debug builds (every test) check that both give the same facts.
//!
//! - client → server: records whose destination is a service (proto, port) and whose source
//!   port is not a lower well-known port, summed per (client, server, client port, port,
//!   proto): packets, first start, last end.
//! - server → client: records whose source is a service, the same way round, packets summed.
//! - A connection has records both ways, with at least `min_packets` each way (one fact per
//!   service named on its port);
//!   its hour is that of its first start (UTC), and the facts fold connections per (client,
//!   server, service): count, first start, last end, hours seen.

use datafusion::arrow::array::{ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Int32Type, Int64Type};
use hashbrown::HashMap;

use super::HopFact;
use crate::error::{Error, Result};
use crate::pivot::columns::{Origin, cast_to, text};
use crate::services::Service;
use crate::sql::text::texts;

/// Hosts by number: an IPv4 address written canonically (as `Ipv4Addr` prints it) is its own
/// number, below 2^32, without a table lookup; any other text is numbered from 2^32 on,
/// borrowed from the batches.
#[derive(Default)]
struct Hosts<'a> {
    ids: HashMap<&'a str, u64>,
    texts: Vec<&'a str>,
}

/// The value of `s` when it is an IPv4 address in canonical dotted-decimal form (four parts,
/// each 0–255 without leading zeros): exactly the texts `Ipv4Addr`'s `Display` gives back.
fn canonical_ipv4(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.len() < 7 || b.len() > 15 {
        return None;
    }
    let (mut value, mut part, mut digits, mut parts) = (0u32, 0u32, 0u32, 0u32);
    for &c in b.iter().chain(std::iter::once(&b'.')) {
        if c == b'.' {
            if digits == 0 || part > 255 || parts == 4 {
                return None;
            }
            value = value << 8 | part;
            (part, digits, parts) = (0, 0, parts + 1);
        } else if c.is_ascii_digit() {
            if digits == 3 || (digits == 1 && part == 0) {
                return None;
            }
            part = part * 10 + u32::from(c - b'0');
            digits += 1;
        } else {
            return None;
        }
    }
    (parts == 4).then_some(value)
}

impl<'a> Hosts<'a> {
    fn id(&mut self, s: &'a str) -> u64 {
        if let Some(v) = canonical_ipv4(s) {
            return u64::from(v);
        }
        let next = (1u64 << 32) + self.texts.len() as u64;
        *self.ids.entry(s).or_insert_with(|| {
            self.texts.push(s);
            next
        })
    }

    fn text(&self, id: u64) -> String {
        match u32::try_from(id) {
            Ok(v) => std::net::Ipv4Addr::from(v).to_string(),
            Err(_) => self.texts[(id - (1u64 << 32)) as usize].to_string(),
        }
    }
}

/// A connection: (client, server, client port << 32 | service port << 8 | proto). The
/// service side's (proto, port) is a configured service, so it fits 24 bits.
type ConnKey = (u64, u64, u64);

fn conn_key(client: u64, server: u64, client_port: i32, port: i32, proto: i32) -> ConnKey {
    let lo = u64::from(client_port as u32) << 32 | ((port as u64) & 0xffff) << 8;
    (client, server, lo | (proto as u64) & 0xff)
}

/// Both directions of a connection: packets client → server (and the first start and last
/// end of those records), packets back, whether any record came back.
#[derive(Clone, Copy)]
struct Side {
    c2s: i64,
    s2c: i64,
    start: i64,
    end: i64,
    to_server: bool,
    back: bool,
}

impl Default for Side {
    fn default() -> Self {
        Side { c2s: 0, s2c: 0, start: i64::MAX, end: i64::MIN, to_server: false, back: false }
    }
}

impl Side {
    fn add(&mut self, r: &Record) {
        if r.to_server {
            self.c2s += r.packets;
            self.start = self.start.min(r.start);
            self.end = self.end.max(r.end);
            self.to_server = true;
        } else {
            self.s2c += r.packets;
            self.back = true;
        }
    }

    fn established(&self, min_packets: i64) -> bool {
        self.to_server && self.back && self.c2s >= min_packets && self.s2c >= min_packets
    }
}

/// A connection as its records in the period have it, and as all its records read (with the
/// look-back before the period: `find` reads earlier flows to see chains whole).
#[derive(Clone, Copy, Default)]
struct Conn {
    period: Side,
    all: Side,
}

/// The night's admin connections: the facts of the period's records, and the facts of the
/// connections that are established only with records of the look-back before the period
/// (they are no facts of the night, but their hosts may be pivots of a chain the night ends).
#[derive(Debug, Default, PartialEq)]
pub struct AdminConnections {
    /// Facts of the period (what the history keeps).
    pub facts: Vec<HopFact>,
    /// Facts of the connections established only with earlier records.
    pub earlier: Vec<HopFact>,
}

impl AdminConnections {
    /// The possible pivot hosts over every record read: client of one established connection
    /// and server of another (`history::pivot_hosts_of`).
    pub fn pivot_hosts(&self) -> Vec<String> {
        super::pivot_hosts_of(self.facts.iter().chain(&self.earlier))
    }
}

/// Facts of every established admin connection in `batches` (the service-port flows, with
/// `src_addr`, `dst_addr`, `src_port`, `dst_port`, `proto`, `packets`, `flow_start_ms`,
/// `flow_end_ms`), as queries/admin_pairs.sql and `hop_facts` give them, in (client, server,
/// service) order. With a period start `since` (and `received_ms`), the facts are those of the
/// records that arrived from then on, as admin_pairs.sql gives them over those records alone;
/// the connections established only with the earlier records too (the look-back) come apart
/// (`AdminConnections::earlier`).
///
/// The connections are cut into parts by client port, one part per core (both directions of a
/// connection have the same client port, so each part holds whole connections); each part is
/// counted and folded on its own thread and the parts' facts merged (connections add, times
/// take the outer bounds, hours unite): on a 100 M-flow night's 5.3 M service-port flows
/// this stage took 1.5 s on one core.
pub fn admin_facts(
    batches: &[RecordBatch],
    services: &[Service],
    min_packets: i64,
    since: Option<i64>,
) -> Result<AdminConnections> {
    // Every batch's columns first: the address texts are borrowed from them.
    let columns = columns(batches, since)?;
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // A part per core, none for fewer than ~64 K rows each (a thread costs more than that).
    let parts = cores.min(rows / 65_536).clamp(1, 16) as i32;
    if parts == 1 {
        let (facts, earlier) = part_facts(&columns, services, min_packets, rows, (0, 1));
        return Ok(AdminConnections { facts, earlier });
    }
    let parts: Vec<(Vec<HopFact>, Vec<HopFact>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..parts)
            .map(|part| {
                let columns = &columns;
                s.spawn(move || {
                    part_facts(columns, services, min_packets, rows / parts as usize, (part, parts))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect::<std::thread::Result<Vec<_>>>()
    })
    .map_err(|_| Error::Internal {
        detail: "admin connections: a worker thread panicked".into(),
    })?;
    let (facts, earlier): (Vec<_>, Vec<_>) = parts.into_iter().unzip();
    Ok(AdminConnections { facts: merge_parts(facts), earlier: merge_parts(earlier) })
}

/// Facts of several parts as one list in (client, server, service) order, the facts of one
/// (client, server, service) in several parts added up.
fn merge_parts(parts: Vec<Vec<HopFact>>) -> Vec<HopFact> {
    super::merge_facts(parts.into_iter().flatten().collect())
}

/// The facts of the connections whose client port is `part.0` modulo `part.1`, of the period
/// and of those established only with earlier records (`AdminConnections`); `rows` (the
/// part's share of the records) sizes the slices.
fn part_facts(
    columns: &[Columns],
    services: &[Service],
    min_packets: i64,
    rows: usize,
    (part, parts): (i32, i32),
) -> (Vec<HopFact>, Vec<HopFact>) {
    let (service_names, named) = service_ids(services);
    let is_service = ServicePorts::of(&named);
    let mut hosts = Hosts::default();
    // Records are first routed to slices by connection (writes in order, per slice), then each
    // slice is summed in a table small enough for the cache (one table of millions of entries
    // waits on memory at nearly every record: 1.8 s of a 100 M-flow night's 5.3 M records).
    let per_slice = rows / SLICES * 5 / 4 + 16;
    let mut slices: Vec<Vec<Record>> = (0..SLICES).map(|_| Vec::with_capacity(per_slice)).collect();
    let mine = |client_port: i32| client_port.rem_euclid(parts) == part;
    for (src, dst, [sport, dport, proto], [packets, start, end], period) in columns {
        let (src, dst) = (texts(src), texts(dst));
        let (sport, dport) = (sport.as_primitive::<Int32Type>(), dport.as_primitive::<Int32Type>());
        let proto = proto.as_primitive::<Int32Type>();
        let packets = packets.as_primitive::<Int64Type>();
        let (start, end) = (start.as_primitive::<Int64Type>(), end.as_primitive::<Int64Type>());
        let received = period.as_ref().map(|(r, since)| (r.as_primitive::<Int64Type>(), *since));
        for i in 0..proto.len() {
            let (sp, dp, p) = (sport.value(i), dport.value(i), proto.value(i));
            let well_known_below = |x: i32, other: i32| (1..=1023).contains(&x) && x < other;
            let to_service = is_service.has(p, dp) && !well_known_below(sp, dp) && mine(sp);
            let from_service = is_service.has(p, sp) && !well_known_below(dp, sp) && mine(dp);
            if !to_service && !from_service {
                continue;
            }
            let (s, d) = (hosts.id(src.value(i)), hosts.id(dst.value(i)));
            let (packets, start, end) = (packets.value(i), start.value(i), end.value(i));
            let period = received.is_none_or(|(r, since)| r.value(i) >= since);
            let record = |key, to_server| Record { key, packets, start, end, to_server, period };
            if to_service {
                let key = conn_key(s, d, sp, dp, p);
                slices[slice_of(&key)].push(record(key, true));
            }
            if from_service {
                let key = conn_key(d, s, dp, sp, p);
                slices[slice_of(&key)].push(record(key, false));
            }
        }
    }
    let mut established: Vec<(ConnKey, i64, i64)> = Vec::new();
    let mut earlier: Vec<(ConnKey, i64, i64)> = Vec::new();
    let mut conns: HashMap<ConnKey, Conn> =
        HashMap::with_capacity(slices.iter().map(Vec::len).max().unwrap_or(0));
    for slice in slices {
        for r in &slice {
            let e = conns.entry(r.key).or_default();
            e.all.add(r);
            if r.period {
                e.period.add(r);
            }
        }
        drop(slice);
        for (key, c) in conns.drain() {
            if c.period.established(min_packets) {
                established.push((key, c.period.start, c.period.end));
            } else if c.all.established(min_packets) {
                earlier.push((key, c.all.start, c.all.end));
            }
        }
    }
    (
        fold(established, &hosts, &service_names, &named),
        fold(earlier, &hosts, &service_names, &named),
    )
}

/// Slices of a part's records (a power of two): at 5.3 M records on 2 cores, ~40 K
/// connections each.
const SLICES: usize = 64;

/// The slice of a connection: the top bits of a multiplicative hash of its key.
fn slice_of(k: &ConnKey) -> usize {
    let h = (k.0 ^ k.1.rotate_left(21) ^ k.2.rotate_left(42)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (64 - SLICES.trailing_zeros())) as usize
}

/// One flow record of a connection, as routed to its slice.
#[derive(Clone, Copy)]
struct Record {
    key: ConnKey,
    packets: i64,
    start: i64,
    end: i64,
    to_server: bool,
    /// Arrived in the period (not in the look-back before it).
    period: bool,
}

/// Service numbers by (proto, port).
type ServiceIds = HashMap<(i32, i32), Vec<u32>>;

/// Service names by (proto, port), numbered once per name (RDP's tcp/3389 and udp/3389 are one
/// service); a port may carry several names.
fn service_ids(services: &[Service]) -> (Vec<&str>, ServiceIds) {
    let mut service_names: Vec<&str> = Vec::new();
    let mut named: HashMap<(i32, i32), Vec<u32>> = HashMap::new();
    for s in services {
        let v = match service_names.iter().position(|n| *n == s.name) {
            Some(v) => v as u32,
            None => {
                service_names.push(&s.name);
                (service_names.len() - 1) as u32
            }
        };
        let ids = named.entry((i32::from(s.proto), i32::from(s.port))).or_default();
        if !ids.contains(&v) {
            ids.push(v);
        }
    }
    (service_names, named)
}

/// Whether (proto, port) is a service, by two array lookups (tested twice per flow record):
/// per protocol number a bit per port.
struct ServicePorts(Vec<Option<Box<[u64; 1024]>>>);

impl ServicePorts {
    fn of(named: &ServiceIds) -> Self {
        let mut by_proto: Vec<Option<Box<[u64; 1024]>>> = vec![None; 256];
        for &(proto, port) in named.keys() {
            let (Ok(proto), Ok(port)) = (u8::try_from(proto), u16::try_from(port)) else {
                continue;
            };
            let bits = by_proto[usize::from(proto)].get_or_insert_with(|| Box::new([0; 1024]));
            bits[usize::from(port) / 64] |= 1 << (port % 64);
        }
        ServicePorts(by_proto)
    }

    fn has(&self, proto: i32, port: i32) -> bool {
        let (Ok(proto), Ok(port)) = (u8::try_from(proto), u16::try_from(port)) else {
            return false;
        };
        self.0[usize::from(proto)]
            .as_ref()
            .is_some_and(|bits| bits[usize::from(port) / 64] & (1 << (port % 64)) != 0)
    }
}

/// Address columns and (src port, dst port, proto), (packets, start, end) of each batch, by
/// name, and with a period start its arrival times (`received_ms`) and that start.
type Columns = (ArrayRef, ArrayRef, [ArrayRef; 3], [ArrayRef; 3], Option<(ArrayRef, i64)>);

fn columns(batches: &[RecordBatch], since: Option<i64>) -> Result<Vec<Columns>> {
    let q = Origin::Query("admin connections");
    let mut columns = Vec::with_capacity(batches.len());
    for b in batches {
        let int = |name: &str, t: &DataType| cast_to(b, q, name, t);
        columns.push((
            text(b, q, "src_addr")?,
            text(b, q, "dst_addr")?,
            [
                int("src_port", &DataType::Int32)?,
                int("dst_port", &DataType::Int32)?,
                int("proto", &DataType::Int32)?,
            ],
            [
                int("packets", &DataType::Int64)?,
                int("flow_start_ms", &DataType::Int64)?,
                int("flow_end_ms", &DataType::Int64)?,
            ],
            match since {
                Some(s) => Some((int("received_ms", &DataType::Int64)?, s)),
                None => None,
            },
        ));
    }
    Ok(columns)
}

/// The established connections (both directions, `min_packets` each way) folded into facts per
/// (client, server, service) in text order: each host ranked once, then one integer sort and
/// a merge of neighbours (no third table).
fn fold(
    established: Vec<(ConnKey, i64, i64)>,
    hosts: &Hosts<'_>,
    service_names: &[&str],
    named: &ServiceIds,
) -> Vec<HopFact> {
    // The hosts of established connections, numbered densely and ranked by text.
    let mut dense: HashMap<u64, u32> = HashMap::new();
    for &((client, server, _), _, _) in &established {
        for h in [client, server] {
            let n = dense.len() as u32;
            dense.entry(h).or_insert(n);
        }
    }
    let mut texts = vec![String::new(); dense.len()];
    for (&h, &n) in &dense {
        texts[n as usize] = hosts.text(h);
    }
    let rank = |texts: &[&str]| -> (Vec<u32>, Vec<u32>) {
        let mut order: Vec<u32> = (0..texts.len() as u32).collect();
        order.sort_unstable_by_key(|&i| texts[i as usize]);
        let mut rank = vec![0u32; texts.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        (rank, order)
    };
    let host_texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let ((host_rank, by_rank), (service_rank, service_by_rank)) =
        (rank(&host_texts), rank(service_names));
    let mut keyed: Vec<((u32, u32, u32), i64, i64)> = Vec::with_capacity(established.len());
    for ((client, server, lo), start, end) in established {
        let (port, proto) = (((lo >> 8) & 0xffff) as i32, (lo & 0xff) as i32);
        let (c, s) = (host_rank[dense[&client] as usize], host_rank[dense[&server] as usize]);
        for &v in named.get(&(proto, port)).into_iter().flatten() {
            keyed.push(((c, s, service_rank[v as usize]), start, end));
        }
    }
    keyed.sort_unstable_by_key(|&(k, start, _)| (k, start));
    let mut out: Vec<HopFact> = Vec::new();
    let mut last_key = None;
    for ((c, s, v), start, end) in keyed {
        // The SQL's CAST(FLOOR(start_ms / 3600000) AS BIGINT) % 24: integer division.
        let hour = ((start / 3_600_000) % 24).rem_euclid(24) as u32;
        if last_key != Some((c, s, v)) {
            last_key = Some((c, s, v));
            out.push(HopFact {
                client: host_texts[by_rank[c as usize] as usize].to_string(),
                server: host_texts[by_rank[s as usize] as usize].to_string(),
                service: service_names[service_by_rank[v as usize] as usize].to_string(),
                connections: 0,
                first_ms: i64::MAX,
                last_ms: i64::MIN,
                hours: 0,
                alerted: false,
            });
        }
        let f = out.last_mut().expect("pushed above");
        f.connections += 1;
        f.first_ms = f.first_ms.min(start);
        f.last_ms = f.last_ms.max(end);
        f.hours |= 1i32 << hour;
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Int32Array, Int64Array, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};

    use super::*;

    /// (src, dst, sport, dport, proto, packets, start_ms)
    type Row = (&'static str, &'static str, i32, i32, i32, i64, i64);

    fn batch(rows: &[Row]) -> RecordBatch {
        let f = |n: &str, t: DataType| Field::new(n, t, false);
        let schema = Arc::new(Schema::new(vec![
            f("src_addr", DataType::Utf8),
            f("dst_addr", DataType::Utf8),
            f("src_port", DataType::Int32),
            f("dst_port", DataType::Int32),
            f("proto", DataType::Int32),
            f("packets", DataType::Int64),
            f("flow_start_ms", DataType::Int64),
            f("flow_end_ms", DataType::Int64),
        ]));
        let s = |k: fn(&Row) -> &'static str| {
            Arc::new(StringArray::from(rows.iter().map(k).collect::<Vec<_>>())) as _
        };
        let i = |k: fn(&Row) -> i32| {
            Arc::new(Int32Array::from(rows.iter().map(k).collect::<Vec<_>>())) as _
        };
        let l = |k: fn(&Row) -> i64| {
            Arc::new(Int64Array::from(rows.iter().map(k).collect::<Vec<_>>())) as _
        };
        RecordBatch::try_new(
            schema,
            vec![
                s(|r| r.0),
                s(|r| r.1),
                i(|r| r.2),
                i(|r| r.3),
                i(|r| r.4),
                l(|r| r.5),
                l(|r| r.6),
                l(|r| r.6 + 60_000),
            ],
        )
        .unwrap()
    }

    #[test]
    fn established_connections_fold_per_client_server_and_service() {
        const H: i64 = 3_600_000;
        let rows: &[Row] = &[
            // a → j ssh at 01:00 and 05:00, both ways: two connections, hours 1 and 5.
            ("10.0.0.1", "10.0.0.9", 40000, 22, 6, 30, H),
            ("10.0.0.9", "10.0.0.1", 22, 40000, 6, 30, H),
            ("10.0.0.1", "10.0.0.9", 40001, 22, 6, 30, 5 * H),
            ("10.0.0.9", "10.0.0.1", 22, 40001, 6, 30, 5 * H),
            // j → s rdp over tcp and udp: one service, two connections.
            ("10.0.0.9", "10.0.0.5", 50000, 3389, 6, 30, 2 * H),
            ("10.0.0.5", "10.0.0.9", 3389, 50000, 6, 30, 2 * H),
            ("10.0.0.9", "10.0.0.5", 50001, 3389, 17, 30, 2 * H),
            ("10.0.0.5", "10.0.0.9", 3389, 50001, 17, 30, 2 * H),
            // One way only (a scan): no connection.
            ("10.0.0.7", "10.0.0.9", 40002, 22, 6, 30, H),
            // Too few packets back: no connection.
            ("10.0.0.8", "10.0.0.9", 40003, 22, 6, 30, H),
            ("10.0.0.9", "10.0.0.8", 22, 40003, 6, 2, H),
            // 10.0.0.6:22 ⇄ 10.0.0.9:3389: a source port that is a lower well-known port is not a
            // client (not rdp from .6), so it reads as ssh from .9 (port 3389) to .6.
            ("10.0.0.6", "10.0.0.9", 22, 3389, 6, 30, H),
            ("10.0.0.9", "10.0.0.6", 3389, 22, 6, 30, H),
        ];
        let facts =
            admin_facts(&[batch(rows)], &crate::services::default_services(), 5, None).unwrap();
        assert!(facts.earlier.is_empty());
        let facts = facts.facts;
        let got: Vec<_> = facts
            .iter()
            .map(|f| {
                (f.client.as_str(), f.server.as_str(), f.service.as_str(), f.connections, f.hours)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("10.0.0.1", "10.0.0.9", "ssh", 2, 0b100010),
                ("10.0.0.9", "10.0.0.5", "rdp", 2, 0b100),
                ("10.0.0.9", "10.0.0.6", "ssh", 1, 0b10),
            ]
        );
        assert_eq!((facts[0].first_ms, facts[0].last_ms), (H, 5 * H + 60_000));
    }

    /// `batch(rows)` with `received_ms` = each record's end (start + 60 s).
    fn with_arrival(rows: &[Row]) -> RecordBatch {
        use datafusion::arrow::array::ArrayRef;
        let b = batch(rows);
        let mut fields: Vec<Field> =
            b.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
        fields.push(Field::new("received_ms", DataType::Int64, false));
        let mut columns: Vec<ArrayRef> = b.columns().to_vec();
        columns.push(Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.6 + 60_000))));
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
    }

    /// With a period start, the facts are the connections of the records that arrived from then
    /// on; a connection established only with earlier records (the look-back) is no fact of
    /// the period, but its hosts count for the possible pivot hosts.
    #[test]
    fn the_look_back_gives_pivot_hosts_but_no_facts() {
        const H: i64 = 3_600_000;
        let since = 10 * H;
        let rows: &[Row] = &[
            // a → j, both records before the period: earlier only.
            ("10.0.0.1", "10.0.0.9", 40000, 22, 6, 30, 8 * H),
            ("10.0.0.9", "10.0.0.1", 22, 40000, 6, 30, 8 * H),
            // j → s, both in the period: a fact.
            ("10.0.0.9", "10.0.0.5", 40001, 22, 6, 30, 11 * H),
            ("10.0.0.5", "10.0.0.9", 22, 40001, 6, 30, 11 * H),
            // b → s: the way there before the period, back in it: established only with both.
            ("10.0.0.2", "10.0.0.5", 40002, 22, 6, 30, 9 * H),
            ("10.0.0.5", "10.0.0.2", 22, 40002, 6, 30, 10 * H),
        ];
        let services = crate::services::default_services();
        let c = admin_facts(&[with_arrival(rows)], &services, 5, Some(since)).unwrap();
        let pairs = |f: &[HopFact]| -> Vec<(String, String)> {
            f.iter().map(|f| (f.client.clone(), f.server.clone())).collect()
        };
        assert_eq!(pairs(&c.facts), [("10.0.0.9".into(), "10.0.0.5".into())]);
        assert_eq!(
            pairs(&c.earlier),
            [("10.0.0.1".into(), "10.0.0.9".into()), ("10.0.0.2".into(), "10.0.0.5".into())]
        );
        assert_eq!(c.facts[0].first_ms, 11 * H);
        // j serves a (before) and opens j → s (in the period): a possible pivot host.
        assert_eq!(c.pivot_hosts(), ["10.0.0.9"]);
        // Without a start every record is the period's.
        let all = admin_facts(&[with_arrival(rows)], &services, 5, None).unwrap();
        assert!(all.earlier.is_empty());
        assert_eq!(all.facts.len(), 3);
        assert_eq!(all.pivot_hosts(), ["10.0.0.9"]);
    }

    /// A host's number is its IPv4 address only when the text is exactly what `Ipv4Addr`
    /// prints (so the facts give the store's text back); anything else goes through the table.
    #[test]
    fn only_canonical_ipv4_texts_are_their_own_numbers() {
        for s in ["0.0.0.0", "10.0.0.1", "192.168.100.200", "255.255.255.255", "1.22.3.0"] {
            let v = canonical_ipv4(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(std::net::Ipv4Addr::from(v).to_string(), s);
        }
        for s in [
            "010.0.0.1",
            "10.0.0",
            "10.0.0.1.2",
            "256.0.0.1",
            "10.0.0.",
            ".10.0.0.1",
            "1.2.3.4 ",
            "fe80::1",
            "10.0.0.1000",
            "host-a",
            "1..2.3",
            "00.1.2.3",
        ] {
            assert_eq!(canonical_ipv4(s), None, "{s}");
        }
        let mut hosts = Hosts::default();
        let (a, b, c) = (hosts.id("10.0.0.1"), hosts.id("fe80::1"), hosts.id("010.0.0.1"));
        assert_eq!(
            (hosts.text(a), hosts.text(b), hosts.text(c)),
            ("10.0.0.1".into(), "fe80::1".into(), "010.0.0.1".into())
        );
        assert_eq!(hosts.id("fe80::1"), b);
    }

    /// Cut into parts by client port and merged, the facts are those of one pass, whatever
    /// the number of parts (the parallel path runs only on big nights, so it is checked here).
    #[test]
    fn parts_merge_to_the_facts_of_one_pass() {
        const H: i64 = 3_600_000;
        let hosts = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.9", "10.0.0.5"];
        let mut rows: Vec<Row> = Vec::new();
        for k in 0..300i32 {
            let (c, sv) = (hosts[k as usize % 3], hosts[3 + k as usize % 2]);
            let (port, proto) = [(22, 6), (3389, 6), (3389, 17), (5985, 6)][k as usize % 4];
            let cport = 40_000 + k * 7;
            let at = i64::from(k % 24) * H + i64::from(k) * 1000;
            rows.push((c, sv, cport, port, proto, 10 + i64::from(k % 5), at));
            rows.push((sv, c, port, cport, proto, 3 + i64::from(k % 7), at + 10));
        }
        let batches = [batch(&rows[..250]), batch(&rows[250..])];
        let columns = columns(&batches, None).unwrap();
        let services = crate::services::default_services();
        let (one, none) = part_facts(&columns, &services, 5, rows.len(), (0, 1));
        assert!(none.is_empty());
        assert!(one.len() > 5 && one.iter().any(|f| f.connections > 1), "{one:?}");
        for parts in [2, 3, 7] {
            let cut = (0..parts).map(|p| part_facts(&columns, &services, 5, 100, (p, parts)).0);
            assert_eq!(merge_parts(cut.collect()), one, "{parts} parts");
        }
    }
}
