//! Hops and candidate continuations, from the SQL files `queries/hops.sql` and
//! `queries/pivot_hops.sql` run over the `sessions` view.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema};
use datafusion::catalog::MemTable;
use datafusion::common::ScalarValue;
use datafusion::prelude::{SessionContext, col, lit};
use serde::Serialize;

use super::rules::PivotRules;
use crate::error::{Error, Result};
use crate::sql::run_query;

pub const HOPS_SQL: &str = include_str!("../../queries/hops.sql");
pub const PIVOT_HOPS_SQL: &str = include_str!("../../queries/pivot_hops.sql");
pub const PIVOT_HOSTS_SQL: &str = include_str!("../../queries/pivot_hosts.sql");

/// Columns of `flows` that the sessions view and queries/pivot_hosts.sql read.
const SESSION_COLUMNS: &[&str] = &[
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
];

/// Replace `flows` (already restricted to service ports) by an in-memory copy of the columns
/// the pivot queries read: pivot_hosts.sql reads flows several times, and each read was a
/// full Parquet scan (~3 s per 100 M flows here). Returns the rows kept.
pub async fn materialize_service_flows(ctx: &SessionContext) -> Result<usize> {
    let err = |e: datafusion::error::DataFusionError| Error::Query {
        name: "service-port flows".into(),
        detail: e.to_string(),
    };
    let flows =
        ctx.table("flows").await.map_err(err)?.select_columns(SESSION_COLUMNS).map_err(err)?;
    let schema = Arc::new(flows.schema().as_arrow().clone());
    let batches = flows.collect().await.map_err(err)?;
    let rows = batches.iter().map(RecordBatch::num_rows).sum();
    let table = MemTable::try_new(schema, vec![batches]).map_err(err)?;
    let _ = ctx.deregister_table("sessions");
    let _ = ctx.deregister_table("flows");
    ctx.register_table("flows", Arc::new(table)).map_err(err)?;
    Ok(rows)
}

/// Keep only flows touching a possible pivot host (queries/pivot_hosts.sql) and rebuild the
/// `sessions` view over them. Returns the number of such hosts.
pub async fn restrict_to_pivot_hosts(ctx: &SessionContext, rules: &PivotRules) -> Result<usize> {
    let params =
        [("min_packets".to_string(), ScalarValue::Int64(Some(rules.min_packets_each_way)))]
            .into_iter()
            .collect();
    let (_, batches) = run_query(ctx, "queries/pivot_hosts.sql", PIVOT_HOSTS_SQL, &params).await?;
    let mut hosts = Vec::new();
    for b in &batches {
        hosts.extend(strings(b, "host")?);
    }
    let err = |e: datafusion::error::DataFusionError| Error::Query {
        name: "pivot hosts".into(),
        detail: e.to_string(),
    };
    let list: Vec<datafusion::prelude::Expr> = hosts.iter().map(|h| lit(h.clone())).collect();
    let flows = ctx.table("flows").await.map_err(err)?;
    let keep =
        col("src_addr").in_list(list.clone(), false).or(col("dst_addr").in_list(list, false));
    // Materialized once: the sessions view reads it three times (windows, roles, join), and
    // re-scanning Parquet with the host filter each time dominated the run.
    let restricted = flows.filter(keep).map_err(err)?;
    let schema = Arc::new(restricted.schema().as_arrow().clone());
    let batches = restricted.collect().await.map_err(err)?;
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    tracing::info!(rows, "flow records touching possible pivot hosts");
    let table = MemTable::try_new(schema, vec![batches]).map_err(err)?;
    let _ = ctx.deregister_table("sessions");
    let _ = ctx.deregister_table("flows");
    ctx.register_table("flows", Arc::new(table)).map_err(err)?;
    for (name, sql) in crate::sql::context::VIEWS {
        ctx.sql(sql).await.map_err(|e| Error::Query {
            name: format!("queries/{name}.sql"),
            detail: e.to_string(),
        })?;
    }
    Ok(hosts.len())
}

/// One remote-administration session that looks established.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Hop {
    pub client_addr: String,
    pub client_port: i64,
    pub server_addr: String,
    pub server_port: i64,
    pub proto: i64,
    pub service: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub packets_c2s: i64,
    pub bytes_c2s: i64,
    pub packets_s2c: i64,
    pub bytes_s2c: i64,
    pub exporters: String,
}

fn column<'a>(b: &'a RecordBatch, name: &str) -> Result<&'a Arc<dyn Array>> {
    b.column_by_name(name).ok_or_else(|| Error::Query {
        name: "queries/hops.sql".into(),
        detail: format!("no column {name}"),
    })
}

fn strings(b: &RecordBatch, name: &str) -> Result<Vec<String>> {
    let a = cast(column(b, name)?, &DataType::Utf8).map_err(|e| Error::arrow(name, e))?;
    Ok(a.as_string::<i32>().iter().map(|v| v.unwrap_or_default().to_string()).collect())
}

fn ints(b: &RecordBatch, name: &str) -> Result<Vec<i64>> {
    let a = cast(column(b, name)?, &DataType::Int64).map_err(|e| Error::arrow(name, e))?;
    Ok(a.as_primitive::<Int64Type>().iter().map(|v| v.unwrap_or(0)).collect())
}

fn hops_from(batches: &[RecordBatch]) -> Result<Vec<Hop>> {
    let mut out = Vec::new();
    for b in batches {
        let (ca, sa, sv, ex) = (
            strings(b, "client_addr")?,
            strings(b, "server_addr")?,
            strings(b, "service")?,
            strings(b, "exporters")?,
        );
        let (cp, sp, pr) = (ints(b, "client_port")?, ints(b, "server_port")?, ints(b, "proto")?);
        let (st, en) = (ints(b, "start_ms")?, ints(b, "end_ms")?);
        let (pc, bc, ps, bs) = (
            ints(b, "packets_c2s")?,
            ints(b, "bytes_c2s")?,
            ints(b, "packets_s2c")?,
            ints(b, "bytes_s2c")?,
        );
        for i in 0..b.num_rows() {
            out.push(Hop {
                client_addr: ca[i].clone(),
                client_port: cp[i],
                server_addr: sa[i].clone(),
                server_port: sp[i],
                proto: pr[i],
                service: sv[i].clone(),
                start_ms: st[i],
                end_ms: en[i],
                packets_c2s: pc[i],
                bytes_c2s: bc[i],
                packets_s2c: ps[i],
                bytes_s2c: bs[i],
                exporters: ex[i].clone(),
            });
        }
    }
    Ok(out)
}

/// `flows` restricted to the service ports of `rules` (either direction of a record).
pub fn service_port_filter(rules: &PivotRules) -> Option<datafusion::prelude::Expr> {
    rules
        .services
        .iter()
        .map(|s| {
            let port = lit(i32::from(s.port));
            col("proto")
                .eq(lit(i32::from(s.proto)))
                .and(col("src_port").eq(port.clone()).or(col("dst_port").eq(port)))
        })
        .reduce(datafusion::prelude::Expr::or)
}

/// Run hops.sql (the `services` table must hold `rules.services`), register its result as table `hops` (with `hop_id` = index), run
/// pivot_hops.sql. Returns the hops (sorted by start) and the (parent, child) index pairs.
pub async fn load(
    ctx: &SessionContext,
    rules: &PivotRules,
) -> Result<(Vec<Hop>, Vec<(usize, usize)>)> {
    let params = [
        ("min_packets".to_string(), ScalarValue::Int64(Some(rules.min_packets_each_way))),
        ("min_bytes".to_string(), ScalarValue::Int64(Some(rules.min_bytes))),
    ]
    .into_iter()
    .collect();
    let (_, batches) = run_query(ctx, "queries/hops.sql", HOPS_SQL, &params).await?;
    let hops = hops_from(&batches)?;
    let schema = Arc::new(Schema::new(vec![
        Field::new("hop_id", DataType::Int64, false),
        Field::new("client_addr", DataType::Utf8, false),
        Field::new("server_addr", DataType::Utf8, false),
        Field::new("start_ms", DataType::Int64, false),
        Field::new("end_ms", DataType::Int64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from_iter_values(0..hops.len() as i64)),
            Arc::new(StringArray::from_iter_values(hops.iter().map(|h| h.client_addr.as_str()))),
            Arc::new(StringArray::from_iter_values(hops.iter().map(|h| h.server_addr.as_str()))),
            Arc::new(Int64Array::from_iter_values(hops.iter().map(|h| h.start_ms))),
            Arc::new(Int64Array::from_iter_values(hops.iter().map(|h| h.end_ms))),
        ],
    )
    .map_err(|e| Error::arrow("hops table", e))?;
    let table = MemTable::try_new(schema, vec![vec![batch]])
        .map_err(|e| Error::Query { name: "hops".into(), detail: e.to_string() })?;
    let _ = ctx.deregister_table("hops");
    ctx.register_table("hops", Arc::new(table))
        .map_err(|e| Error::Query { name: "hops".into(), detail: e.to_string() })?;
    let params = [
        ("skew_ms".to_string(), ScalarValue::Int64(Some(rules.skew.as_millis() as i64))),
        ("slack_ms".to_string(), ScalarValue::Int64(Some(rules.slack.as_millis() as i64))),
    ]
    .into_iter()
    .collect();
    let (_, batches) = run_query(ctx, "queries/pivot_hops.sql", PIVOT_HOPS_SQL, &params).await?;
    let mut pairs = Vec::new();
    for b in &batches {
        let (p, c) = (ints(b, "parent_id")?, ints(b, "child_id")?);
        pairs.extend(p.into_iter().zip(c).map(|(p, c)| (p as usize, c as usize)));
    }
    Ok((hops, pairs))
}
