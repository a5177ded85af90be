//! The `sessions` table computed natively: one streaming pass over `flows` into a hash table
//! keyed by connection, instead of the self-join and window functions of `queries/sessions.sql`.
//!
//! `queries/sessions.sql` stays the definition (portable to DuckDB, Spark, …) and the golden:
//! it is registered as `sessions_sql` next to this table, and the tests hold the two equal row
//! for row (fixtures, lab stores, generated stores). Every rule is the SQL's, step for step;
//! the comments name the CTE each step reproduces.
//!
//! - `rules`: the session rules — the connection key, a key's records, which endpoint serves
//!   (rule a), when a silence starts a new session (rule b), observation points (rule c).
//! - `build`: the one pass (flow batches → key table, columns by name) and the output batches.
//! - `exec`: the DataFusion plumbing (`TableProvider`, `ExecutionPlan`) around `build`.
//!
//! Memory: one entry per connection key (~130 bytes) plus the records of keys that have more
//! than one record in a direction (split, duplicated or reused connections), each address
//! text once. It is reserved in DataFusion's memory pool as it grows, so a store too large for
//! `--memory-limit` fails with a clear error instead of taking the machine down.

mod build;
mod exec;
mod rules;

pub use exec::SessionsTable;
pub use rules::SPLIT_GAP_MS;

/// Columns of `flows` the sessions are built from (the builder finds them by name).
pub const INPUT_COLUMNS: &[&str] = &[
    "flow_start_ms",
    "flow_end_ms",
    "packets",
    "bytes",
    "exporter_addr",
    "observation_domain_id",
    "proto",
    "src_addr",
    "dst_addr",
    "src_port",
    "dst_port",
    "tcp_flags",
];

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::arrow::util::pretty::pretty_format_batches;
    use datafusion::catalog::MemTable;
    use datafusion::prelude::SessionContext;
    use proptest::prelude::*;

    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray};
    use datafusion::arrow::datatypes::DataType;

    use super::*;

    /// (exporter, domain, src, sport, dst, dport, proto, start, duration, packets, bytes, flags)
    type Row = (u8, u8, u8, u8, u8, u8, u8, i64, i64, i64, i64, u8);

    const ADDRS: &[&str] = &["10.0.0.1", "10.0.0.2", "10.0.0.10", "2001:db8::1"];
    const PORTS: &[i32] = &[22, 161, 3389, 40000, 40001, 5985];
    const EXPORTERS: &[&str] = &["192.0.2.1", "192.0.2.10", "192.0.2.9"];
    /// Not exported, ACK, SYN+ACK, SYN, PSH+ACK, FIN+ACK.
    const FLAGS: &[i32] = &[0, 0x10, 0x12, 0x02, 0x18, 0x11];

    fn flows(rows: &[Row]) -> RecordBatch {
        let schema = Arc::new(Schema::new(
            INPUT_COLUMNS
                .iter()
                .map(|c| {
                    let t = match *c {
                        "exporter_addr" | "src_addr" | "dst_addr" => DataType::Utf8,
                        "proto" | "src_port" | "dst_port" | "tcp_flags" => DataType::Int32,
                        _ => DataType::Int64,
                    };
                    Field::new(*c, t, false)
                })
                .collect::<Vec<_>>(),
        ));
        let pick = |v: &[&'static str], i: u8| v[i as usize % v.len()];
        let port = |i: u8| PORTS[i as usize % PORTS.len()];
        let col64 = |f: &dyn Fn(&Row) -> i64| -> ArrayRef {
            Arc::new(Int64Array::from(rows.iter().map(f).collect::<Vec<_>>()))
        };
        let col32 = |f: &dyn Fn(&Row) -> i32| -> ArrayRef {
            Arc::new(Int32Array::from(rows.iter().map(f).collect::<Vec<_>>()))
        };
        let text = |f: &dyn Fn(&Row) -> &'static str| -> ArrayRef {
            Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
        };
        RecordBatch::try_new(
            schema,
            vec![
                col64(&|r| r.7),
                col64(&|r| r.7 + r.8),
                col64(&|r| r.9),
                col64(&|r| r.10),
                text(&|r| pick(EXPORTERS, r.0)),
                col64(&|r| i64::from(r.1 % 2)),
                col32(&|r| if r.6 % 3 == 0 { 17 } else { 6 }),
                text(&|r| pick(ADDRS, r.2)),
                text(&|r| pick(ADDRS, r.4)),
                col32(&|r| port(r.3)),
                col32(&|r| port(r.5)),
                col32(&|r| FLAGS[r.11 as usize % FLAGS.len()]),
            ],
        )
        .unwrap()
    }

    async fn both(batches: Vec<RecordBatch>, partitions: usize) -> (String, String) {
        let ctx = SessionContext::new_with_config(
            datafusion::prelude::SessionConfig::new().with_target_partitions(partitions),
        );
        let schema = batches[0].schema();
        // Spread over partitions so the operator sees several input streams.
        let parts: Vec<Vec<RecordBatch>> = (0..partitions)
            .map(|p| batches.iter().skip(p).step_by(partitions).cloned().collect())
            .collect();
        ctx.register_table("flows", Arc::new(MemTable::try_new(schema, parts).unwrap())).unwrap();
        crate::sql::context::register_sessions(&ctx, true).await.unwrap();
        let order = "ORDER BY client_addr, client_port, server_addr, server_port, proto, start_ms, \
                     end_ms, records, exporters, packets_c2s, bytes_c2s, packets_s2c, bytes_s2c";
        let mut out = Vec::new();
        for t in ["sessions", "sessions_sql"] {
            let df = ctx.sql(&format!("SELECT * FROM {t} {order}")).await.unwrap();
            out.push(pretty_format_batches(&df.collect().await.unwrap()).unwrap().to_string());
        }
        (out.remove(0), out.remove(0))
    }

    fn rows() -> impl Strategy<Value = Vec<Row>> {
        // Few addresses, ports and exporters so keys collide: splits, duplicates, reuse, ties.
        // Mostly two addresses and ports 22/40000, so the same 5-tuple and observer recur.
        let addr = || prop_oneof![3 => 0u8..2, 1 => 0u8..4];
        let port = || prop_oneof![3 => prop::sample::select(vec![0u8, 3]), 1 => 0u8..6];
        let row = (
            0u8..3,
            0u8..2,
            addr(),
            port(),
            addr(),
            port(),
            0u8..3,
            // Times on a coarse grid: equal starts and ends (ties) are frequent.
            prop_oneof![(0i64..8).prop_map(|k| k * 1_000), (0i64..400).prop_map(|k| k * 1_000)],
            prop_oneof![Just(0i64), (0i64..4).prop_map(|k| k * 1_000), 0i64..200_000],
            1i64..50,
            40i64..9_000,
            0u8..6,
        );
        prop::collection::vec(row, 1..60)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        /// The native table equals queries/sessions.sql row for row on generated flows.
        #[test]
        fn native_sessions_equal_the_sql_definition(rows in rows(), partitions in 1usize..4) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all()
                .thread_stack_size(8 << 20).build().unwrap();
            let batches: Vec<RecordBatch> = rows.chunks(7).map(flows).collect();
            let (native, sql) = rt.block_on(both(batches, partitions));
            prop_assert_eq!(native, sql);
        }
    }

    #[test]
    fn projection_and_filters_over_the_native_table() {
        let rows: Vec<Row> = vec![
            (0, 0, 0, 3, 1, 0, 1, 1_000, 5_000, 10, 900, 2),
            (0, 0, 1, 0, 0, 3, 1, 1_001, 5_000, 12, 3_000, 2),
            (1, 0, 0, 3, 1, 0, 1, 1_000, 5_000, 10, 900, 2),
            (0, 0, 0, 3, 1, 0, 1, 200_000, 5_000, 3, 200, 3),
            // 10.0.0.1:40000 → 10.0.0.10:22: quiet 95 s, then ACK-only records: one session.
            (0, 0, 0, 3, 2, 0, 1, 1_500, 1_000, 4, 400, 2),
            (0, 0, 0, 3, 2, 0, 1, 97_000, 1_000, 2, 200, 1),
            (0, 0, 2, 0, 0, 3, 1, 97_001, 1_000, 2, 300, 1),
        ];
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let ctx = SessionContext::new();
            let b = flows(&rows);
            ctx.register_table(
                "flows",
                Arc::new(MemTable::try_new(b.schema(), vec![vec![b]]).unwrap()),
            )
            .unwrap();
            crate::sql::context::register_sessions(&ctx, true).await.unwrap();
            let q = "SELECT server_port, records, packets_c2s, exporters FROM sessions \
                     WHERE client_addr = '10.0.0.1' ORDER BY start_ms";
            let got = ctx.sql(q).await.unwrap().collect().await.unwrap();
            let text = pretty_format_batches(&got).unwrap().to_string();
            // Two exporters saw the first connection (largest total counts once); 199 s later
            // the same 5-tuple is a new session.
            // (A SYN record 199 s later is a new connection on the same 5-tuple; an ACK-only one
            // 95 s later continues the quiet one.)
            let want = "+-------------+---------+-------------+----------------------+\n\
                        | server_port | records | packets_c2s | exporters            |\n\
                        +-------------+---------+-------------+----------------------+\n\
                        | 22          | 3       | 10          | 192.0.2.1,192.0.2.10 |\n\
                        | 22          | 3       | 6           | 192.0.2.1            |\n\
                        | 22          | 1       | 3           | 192.0.2.1            |\n\
                        +-------------+---------+-------------+----------------------+";
            assert_eq!(text, want);
            let plan = ctx.sql(&format!("EXPLAIN {q}")).await.unwrap().collect().await.unwrap();
            assert!(pretty_format_batches(&plan).unwrap().to_string().contains("SessionsExec"));
        });
    }
}
