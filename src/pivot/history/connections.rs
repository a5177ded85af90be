//! The night's established admin connections as history facts, computed natively from the
//! service-port flows already in memory: one pass per direction into hash tables keyed by
//! connection, instead of queries/admin_pairs.sql's two aggregates, join and third aggregate
//! (on a 100 M-flow night's 5.3 M service-port flows 1.3 s instead of 2.1–2.5 s; `pivots`,
//! which needs only the possible pivot hosts, keeps the cheaper queries/pivot_hosts.sql).
//!
//! queries/admin_pairs.sql stays the definition (portable, and what a cluster runs): the rules
//! below are its steps, and debug builds (every test) check that both give the same facts.
//!
//! - `c2s`: records whose destination is a service (proto, port) and whose source port is not
//!   a lower well-known port, summed per (client, server, client port, port, proto, service):
//!   packets, first start, last end.
//! - `s2c`: records whose source is a service, the same way round, packets summed.
//! - A connection is a `c2s` entry whose `s2c` entry exists, both with at least `min_packets`;
//!   its hour is that of its first start (UTC), and the facts fold connections per (client,
//!   server, service): count, first start, last end, hours seen.

use datafusion::arrow::array::{ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int32Type, Int64Type};
use hashbrown::HashMap;

use super::HopFact;
use crate::error::{Error, Result};
use crate::services::Service;
use crate::sql::text::{text_column, texts};

/// Addresses by number, borrowed from the batches.
#[derive(Default)]
struct Names<'a> {
    ids: HashMap<&'a str, u32>,
    texts: Vec<&'a str>,
}

impl<'a> Names<'a> {
    fn id(&mut self, s: &'a str) -> u32 {
        let next = self.texts.len() as u32;
        *self.ids.entry(s).or_insert_with(|| {
            self.texts.push(s);
            next
        })
    }
}

/// (client, server, client port, port, proto).
type ConnKey = (u32, u32, i32, i32, i32);

/// Sum of one direction of a connection: packets, first start, last end.
#[derive(Clone, Copy)]
struct Side {
    packets: i64,
    start: i64,
    end: i64,
}

/// Facts of every established admin connection in `batches` (the service-port flows, with
/// `src_addr`, `dst_addr`, `src_port`, `dst_port`, `proto`, `packets`, `flow_start_ms`,
/// `flow_end_ms`), as queries/admin_pairs.sql and `hop_facts` give them, in (client, server,
/// service) order.
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
) -> Result<Vec<HopFact>> {
    // Every batch's columns first: the address texts are borrowed from them.
    let columns = columns(batches)?;
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // A part per core, none for fewer than ~64 K rows each (a thread costs more than that).
    let parts = cores.min(rows / 65_536).clamp(1, 16) as i32;
    if parts == 1 {
        return Ok(part_facts(&columns, services, min_packets, rows, (0, 1)));
    }
    let facts: Vec<Vec<HopFact>> = std::thread::scope(|s| {
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
    Ok(merge_parts(facts))
}

/// Facts of several parts as one list in (client, server, service) order, the facts of one
/// (client, server, service) in several parts added up.
fn merge_parts(parts: Vec<Vec<HopFact>>) -> Vec<HopFact> {
    super::merge_facts(parts.into_iter().flatten().collect())
}

/// The facts of the connections whose client port is `part.0` modulo `part.1`; `rows` sizes
/// the tables.
fn part_facts(
    columns: &[Columns],
    services: &[Service],
    min_packets: i64,
    rows: usize,
    (part, parts): (i32, i32),
) -> Vec<HopFact> {
    let (service_names, named) = service_ids(services);
    let mut names = Names::default();
    // Sized once for the rows (about two thirds are client → server records): growing a table
    // of millions rehashes it again and again.
    let mut c2s: HashMap<(ConnKey, u32), Side> = HashMap::with_capacity(rows * 2 / 3);
    let mut s2c: HashMap<ConnKey, i64> = HashMap::with_capacity(rows / 2);
    let mine = |client_port: i32| client_port.rem_euclid(parts) == part;
    for (src, dst, [sport, dport, proto], [packets, start, end]) in columns {
        let (src, dst) = (texts(src), texts(dst));
        let (sport, dport) = (sport.as_primitive::<Int32Type>(), dport.as_primitive::<Int32Type>());
        let proto = proto.as_primitive::<Int32Type>();
        let packets = packets.as_primitive::<Int64Type>();
        let (start, end) = (start.as_primitive::<Int64Type>(), end.as_primitive::<Int64Type>());
        for i in 0..proto.len() {
            let (sp, dp, p) = (sport.value(i), dport.value(i), proto.value(i));
            let well_known_below = |x: i32, other: i32| (1..=1023).contains(&x) && x < other;
            let to_service = named.get(&(p, dp)).filter(|_| !well_known_below(sp, dp) && mine(sp));
            let from_service =
                named.contains_key(&(p, sp)) && !well_known_below(dp, sp) && mine(dp);
            if to_service.is_none() && !from_service {
                continue;
            }
            let (s, d) = (names.id(src.value(i)), names.id(dst.value(i)));
            if let Some(svcs) = to_service {
                for &v in svcs {
                    let e = c2s.entry(((s, d, sp, dp, p), v)).or_insert(Side {
                        packets: 0,
                        start: i64::MAX,
                        end: i64::MIN,
                    });
                    e.packets += packets.value(i);
                    e.start = e.start.min(start.value(i));
                    e.end = e.end.max(end.value(i));
                }
            }
            if from_service {
                *s2c.entry((d, s, dp, sp, p)).or_default() += packets.value(i);
            }
        }
    }
    fold(c2s, s2c, &names.texts, &service_names, min_packets)
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

/// Address columns and (src port, dst port, proto), (packets, start, end) of each batch, by
/// name.
type Columns = (ArrayRef, ArrayRef, [ArrayRef; 3], [ArrayRef; 3]);

fn columns(batches: &[RecordBatch]) -> Result<Vec<Columns>> {
    let err = |detail: String| Error::Query { name: "admin connections".into(), detail };
    let mut columns = Vec::with_capacity(batches.len());
    for b in batches {
        let column =
            |name: &str| b.column_by_name(name).ok_or_else(|| err(format!("no column {name}")));
        let int = |name: &str, t: &DataType| -> Result<ArrayRef> {
            cast(column(name)?, t).map_err(|e| err(e.to_string()))
        };
        let text = |name: &str| text_column(column(name)?).map_err(|e| err(e.to_string()));
        columns.push((
            text("src_addr")?,
            text("dst_addr")?,
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
        ));
    }
    Ok(columns)
}

/// The established connections (both directions, `min_packets` each way) folded into facts per
/// (client, server, service) in text order: each name ranked once, then one integer sort and a
/// merge of neighbours (no third table).
fn fold(
    c2s: HashMap<(ConnKey, u32), Side>,
    s2c: HashMap<ConnKey, i64>,
    hosts: &[&str],
    service_names: &[&str],
    min_packets: i64,
) -> Vec<HopFact> {
    let rank = |texts: &[&str]| -> Vec<u32> {
        let mut order: Vec<u32> = (0..texts.len() as u32).collect();
        order.sort_unstable_by_key(|&i| texts[i as usize]);
        let mut rank = vec![0u32; texts.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        rank
    };
    let (host_rank, service_rank) = (rank(hosts), rank(service_names));
    let mut conns: Vec<((u32, u32, u32), Side)> = Vec::with_capacity(s2c.len());
    for (((client, server, cport, port, p), v), side) in c2s {
        let back = s2c.get(&(client, server, cport, port, p)).copied();
        if side.packets < min_packets || back.is_none_or(|b| b < min_packets) {
            continue;
        }
        let key =
            (host_rank[client as usize], host_rank[server as usize], service_rank[v as usize]);
        conns.push((key, side));
    }
    drop(s2c);
    conns.sort_unstable_by_key(|(k, side)| (*k, side.start));
    let (mut by_rank, mut service_by_rank) =
        (vec![0u32; hosts.len()], vec![0u32; service_names.len()]);
    for (i, &r) in host_rank.iter().enumerate() {
        by_rank[r as usize] = i as u32;
    }
    for (i, &r) in service_rank.iter().enumerate() {
        service_by_rank[r as usize] = i as u32;
    }
    let mut out: Vec<HopFact> = Vec::new();
    let mut last_key = None;
    for ((c, s, v), side) in conns {
        // The SQL's CAST(FLOOR(start_ms / 3600000) AS BIGINT) % 24: integer division.
        let hour = ((side.start / 3_600_000) % 24).rem_euclid(24) as u32;
        if last_key != Some((c, s, v)) {
            last_key = Some((c, s, v));
            out.push(HopFact {
                client: hosts[by_rank[c as usize] as usize].to_string(),
                server: hosts[by_rank[s as usize] as usize].to_string(),
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
        f.first_ms = f.first_ms.min(side.start);
        f.last_ms = f.last_ms.max(side.end);
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
        let facts = admin_facts(&[batch(rows)], &crate::services::default_services(), 5).unwrap();
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
        let columns = columns(&batches).unwrap();
        let services = crate::services::default_services();
        let one = part_facts(&columns, &services, 5, rows.len(), (0, 1));
        assert!(one.len() > 5 && one.iter().any(|f| f.connections > 1), "{one:?}");
        for parts in [2, 3, 7] {
            let cut = (0..parts).map(|p| part_facts(&columns, &services, 5, 100, (p, parts)));
            assert_eq!(merge_parts(cut.collect()), one, "{parts} parts");
        }
    }
}
