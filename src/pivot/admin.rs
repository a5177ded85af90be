//! Tonight's admin connections for the history, computed natively from the service-port flows
//! already in memory: the same rows as queries/admin_pairs.sql (which stays the definition, runs
//! on a cluster and is the reference of the equality test), without DataFusion's two string
//! group-bys, the join and a `String` per cell. At 100 M flows (5.3 M service-port rows) the
//! query and the fold into facts took ~3.5 s of a night's report.
//!
//! The rules, as in the query: a record is client→server when its destination (proto, port) is
//! a service and its source port is not a lower well-known port (1–1023 below the destination
//! port); server→client when its source is a service port, the same way round. A connection is
//! a 5-tuple with at least `min_packets` packets each way (summed over its records and
//! exporters); its start is the earliest record start, its end the latest record end, its hour
//! the UTC hour of its start.

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::datatypes::{Int32Type, Int64Type};
use hashbrown::HashMap;

use super::columns::Origin;
use super::history::HopFact;
use super::rules::PivotRules;
use crate::error::Result;

/// Client, server, client port, server port, protocol.
type Key<'a> = (&'a str, &'a str, i32, i32, i32);

/// One direction of a connection: packets, first start, last end.
#[derive(Clone, Copy)]
struct Half {
    packets: i64,
    start: i64,
    end: i64,
}

impl Half {
    fn add(&mut self, packets: i64, start: i64, end: i64) {
        self.packets += packets;
        self.start = self.start.min(start);
        self.end = self.end.max(end);
    }
}

const NEW: Half = Half { packets: 0, start: i64::MAX, end: i64::MIN };

/// Is `port` a lower well-known port than `other` (the "other side is the server" rule)?
fn lower_well_known(port: i32, other: i32) -> bool {
    (1..=1023).contains(&port) && port < other
}

/// Every established admin connection in `batches` (the service-port flows, with the columns of
/// `sql::sessions::INPUT_COLUMNS`), as history facts in the order of `history::hop_facts`.
pub fn admin_pairs(batches: &[RecordBatch], rules: &PivotRules) -> Result<Vec<HopFact>> {
    let services: HashMap<(i32, i32), &str> = rules
        .services
        .iter()
        .rev() // the first definition of a (proto, port) wins
        .map(|s| ((i32::from(s.proto), i32::from(s.port)), s.name.as_str()))
        .collect();
    let mut c2s: HashMap<Key, (Half, &str)> = HashMap::new();
    let mut s2c: HashMap<Key, i64> = HashMap::new();
    let origin = Origin::Query("service-port flows");
    for b in batches {
        let text = |name| {
            super::columns::column(b, origin, name)?.as_string_view_opt().ok_or_else(|| {
                crate::error::Error::Query {
                    name: "service-port flows".into(),
                    detail: format!("column {name} is not Utf8View"),
                }
            })
        };
        let (src, dst) = (text("src_addr")?, text("dst_addr")?);
        let sport = super::columns::typed::<Int32Type>(b, origin, "src_port")?;
        let dport = super::columns::typed::<Int32Type>(b, origin, "dst_port")?;
        let proto = super::columns::typed::<Int32Type>(b, origin, "proto")?;
        let packets = super::columns::typed::<Int64Type>(b, origin, "packets")?;
        let start = super::columns::typed::<Int64Type>(b, origin, "flow_start_ms")?;
        let end = super::columns::typed::<Int64Type>(b, origin, "flow_end_ms")?;
        for i in 0..b.num_rows() {
            let (sp, dp, p) = (sport.value(i), dport.value(i), proto.value(i));
            if let Some(&v) = services.get(&(p, dp))
                && !lower_well_known(sp, dp)
            {
                let e = c2s.entry((src.value(i), dst.value(i), sp, dp, p)).or_insert((NEW, v));
                e.0.add(packets.value(i), start.value(i), end.value(i));
            }
            if services.contains_key(&(p, sp)) && !lower_well_known(dp, sp) {
                *s2c.entry((dst.value(i), src.value(i), dp, sp, p)).or_default() +=
                    packets.value(i);
            }
        }
    }
    let min = rules.min_packets_each_way;
    let mut facts: HashMap<(&str, &str, &str), HopFact> = HashMap::new();
    for (k, (c, v)) in c2s {
        if c.packets < min || s2c.get(&k).copied().unwrap_or(0) < min {
            continue;
        }
        let f = facts.entry((k.0, k.1, v)).or_insert_with(|| HopFact {
            client: k.0.to_string(),
            server: k.1.to_string(),
            service: v.to_string(),
            connections: 0,
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            hours: 0,
            alerted: false,
        });
        f.connections += 1;
        f.first_ms = f.first_ms.min(c.start);
        f.last_ms = f.last_ms.max(c.end);
        f.hours |= 1 << (c.start.div_euclid(3_600_000) % 24);
    }
    let mut out: Vec<HopFact> = facts.into_values().collect();
    // The order of `hop_facts` (by client, server, service): files are byte-identical.
    out.sort_unstable_by(|a, b| {
        (&a.client, &a.server, &a.service).cmp(&(&b.client, &b.server, &b.service))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Int32Array, Int64Array, StringViewArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::datasource::MemTable;
    use datafusion::prelude::SessionContext;

    use super::*;

    /// (src, dst, sport, dport, proto, packets, start, end) records with the cases the rules
    /// tell apart: both directions, two exporters' copies, too few packets one way, an admin
    /// port used as the client's port, the lower-port rule, a service on both ports, UDP RDP,
    /// the same pair in several hours and over two services.
    type Rec = (&'static str, &'static str, i32, i32, i32, i64, i64, i64);

    fn records() -> Vec<Rec> {
        let h = 3_600_000;
        vec![
            ("10.0.0.1", "10.0.0.9", 50000, 22, 6, 10, 5 * h, 5 * h + 60_000),
            ("10.0.0.9", "10.0.0.1", 22, 50000, 6, 12, 5 * h, 5 * h + 60_000),
            ("10.0.0.1", "10.0.0.9", 50000, 22, 6, 10, 5 * h + 1, 5 * h + 70_000), // 2nd exporter
            ("10.0.0.1", "10.0.0.9", 50001, 22, 6, 3, 9 * h, 9 * h + 1_000),
            ("10.0.0.9", "10.0.0.1", 22, 50001, 6, 3, 9 * h, 9 * h + 1_000),
            ("10.0.0.1", "10.0.0.9", 50002, 3389, 6, 40, 9 * h, 9 * h + 9_000),
            ("10.0.0.9", "10.0.0.1", 3389, 50002, 6, 30, 9 * h, 9 * h + 9_000),
            ("10.0.0.2", "10.0.0.9", 50003, 22, 6, 1, h, h + 10), // one packet: not established
            ("10.0.0.9", "10.0.0.2", 22, 50003, 6, 5, h, h + 10),
            ("10.0.0.3", "10.0.0.8", 22, 3389, 6, 9, 2 * h, 2 * h + 10), // lower port: not a client
            ("10.0.0.8", "10.0.0.3", 3389, 22, 6, 9, 2 * h, 2 * h + 10),
            ("10.0.0.4", "10.0.0.7", 3389, 5985, 6, 9, 3 * h, 3 * h + 10), // both service ports
            ("10.0.0.7", "10.0.0.4", 5985, 3389, 6, 9, 3 * h, 3 * h + 10),
            ("10.0.0.5", "10.0.0.6", 40000, 3389, 17, 8, 4 * h, 4 * h + 10), // rdp over udp
            ("10.0.0.6", "10.0.0.5", 3389, 40000, 17, 8, 4 * h, 4 * h + 10),
            ("10.0.0.5", "10.0.0.6", 40001, 80, 6, 8, 4 * h, 4 * h + 10), // no service
        ]
    }

    fn batch() -> RecordBatch {
        let r = records();
        let text = |f: fn(&Rec) -> &'static str| -> ArrayRef {
            Arc::new(StringViewArray::from_iter_values(r.iter().map(f)))
        };
        let int32 = |f: fn(&Rec) -> i32| -> ArrayRef {
            Arc::new(Int32Array::from_iter_values(r.iter().map(f)))
        };
        let int64 = |f: fn(&Rec) -> i64| -> ArrayRef {
            Arc::new(Int64Array::from_iter_values(r.iter().map(f)))
        };
        let schema = Schema::new(vec![
            Field::new("src_addr", DataType::Utf8View, false),
            Field::new("dst_addr", DataType::Utf8View, false),
            Field::new("src_port", DataType::Int32, false),
            Field::new("dst_port", DataType::Int32, false),
            Field::new("proto", DataType::Int32, false),
            Field::new("packets", DataType::Int64, false),
            Field::new("flow_start_ms", DataType::Int64, false),
            Field::new("flow_end_ms", DataType::Int64, false),
        ]);
        let columns = vec![
            text(|r| r.0),
            text(|r| r.1),
            int32(|r| r.2),
            int32(|r| r.3),
            int32(|r| r.4),
            int64(|r| r.5),
            int64(|r| r.6),
            int64(|r| r.7),
        ];
        RecordBatch::try_new(Arc::new(schema), columns).unwrap()
    }

    /// The native facts equal queries/admin_pairs.sql's, folded the way the query's rows are.
    #[tokio::test]
    async fn native_admin_pairs_equal_the_query() {
        let rules = PivotRules::default();
        let b = batch();
        let ctx = SessionContext::new();
        let table = MemTable::try_new(b.schema(), vec![vec![b.clone()]]).unwrap();
        ctx.register_table("flows", Arc::new(table)).unwrap();
        crate::sql::context::register_services(&ctx, &rules.services).await.unwrap();
        let sql = crate::pivot::history::admin_pairs(&ctx, &rules).await.unwrap();
        // Split into two batches: a connection's records may lie in different batches.
        let native = admin_pairs(&[b.slice(0, 7), b.slice(7, b.num_rows() - 7)], &rules).unwrap();
        assert_eq!(native, sql);
        let pairs: Vec<_> =
            native.iter().map(|f| (f.client.as_str(), f.service.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("10.0.0.1", "rdp"),
                ("10.0.0.1", "ssh"),
                ("10.0.0.4", "winrm"),
                ("10.0.0.5", "rdp"),
                ("10.0.0.7", "rdp"), // the same records read the other way round
                ("10.0.0.8", "ssh"), // port 22 is the server: 10.0.0.3 is no rdp client
            ]
        );
        let ssh = &native[1];
        assert_eq!((ssh.connections, ssh.hours), (2, (1 << 5) | (1 << 9)));
    }
}
