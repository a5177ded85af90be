//! Hops and candidate continuations, from the SQL files `queries/hops.sql` and
//! `queries/pivot_hops.sql` run over the `sessions` view.

use std::sync::Arc;

use datafusion::arrow::array::{Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::MemTable;
use datafusion::common::ScalarValue;
use datafusion::prelude::{SessionContext, col, lit};
use serde::Serialize;

use super::columns::{Origin, ints, strings, text};
use super::rules::{JoinStrategy, PivotRules};
use crate::error::{Error, Result};
use crate::sql::run_query;
use crate::sql::text::texts;

/// Established admin connections (hops) in the range, one row per connection and transport.
pub const HOPS_SQL: &str = include_str!("../../queries/hops.sql");
/// Candidate pairs of hops (in to a host, out from it while the first is open), time-bucketed join.
pub const PIVOT_HOPS_SQL: &str = include_str!("../../queries/pivot_hops.sql");
/// The same candidate pairs by a plain hash join (the benchmark's reference).
pub const PIVOT_HOPS_PLAIN_SQL: &str = include_str!("../../queries/pivot_hops_plain.sql");
/// Hosts that both received and opened an admin connection in the range.
pub const PIVOT_HOSTS_SQL: &str = include_str!("../../queries/pivot_hosts.sql");
/// A superset of the possible pivot hosts by two aggregates per host: the definition of
/// `candidates_and_count`'s hosts (`pivots`, locally and on a cluster).
pub const PIVOT_HOST_CANDIDATES_SQL: &str = include_str!("../../queries/pivot_host_candidates.sql");
/// Every established admin connection of the range, aggregated per (client, server, service): the history's facts.
pub const ADMIN_PAIRS_SQL: &str = include_str!("../../queries/admin_pairs.sql");

/// Columns of `flows` that the sessions table and queries/pivot_hosts.sql read.
const SESSION_COLUMNS: &[&str] = crate::sql::sessions::INPUT_COLUMNS;
/// The arrival time: what tells the period's records from those of the look-back before it.
const RECEIVED: &str = crate::schema::RECEIVED_MS;

/// Read `flows` of `store` (already restricted to service ports) into memory, the columns
/// the pivot queries read, as `flows` (with `services`) of `target`, a new in-process session:
/// pivot_hosts.sql reads flows several times, and each read was a full Parquet scan (~3 s per
/// 100 M flows here). Returns the rows, and the addresses each leased identity had in them
/// (`--leases`: the rows name them by the identity). With `earlier` (the period's start and a
/// session over the look-back before it) the records of the look-back that can be on a chain
/// with the period's are added (`Reach`).
pub async fn materialize_service_flows(
    store: &SessionContext,
    earlier: Option<(i64, &SessionContext)>,
    target: &SessionContext,
    rules: &PivotRules,
) -> Result<(Vec<RecordBatch>, super::leases::Held)> {
    let err = |e: datafusion::error::DataFusionError| Error::Query {
        name: "service-port flows".into(),
        detail: e.to_string(),
    };
    let columns: Vec<&str> = SESSION_COLUMNS.iter().copied().chain([RECEIVED]).collect();
    let flows = store.table("flows").await.map_err(err)?.select_columns(&columns).map_err(err)?;
    let schema = Arc::new(flows.schema().as_arrow().clone());
    let since = earlier.map(|(s, _)| s);
    let named = |batches: Vec<RecordBatch>| -> Result<(Vec<RecordBatch>, super::leases::Held)> {
        match &rules.leases {
            Some(leases) => {
                let (batches, renamed, held) = leases.apply(batches, since)?;
                tracing::info!(renamed, identities = held.len(), "leased addresses named");
                Ok((batches, held))
            }
            None => Ok((batches, super::leases::Held::new())),
        }
    };
    let (mut batches, held) = named(flows.collect().await.map_err(err)?)?;
    if let Some((s, look_back)) = earlier {
        let tolerance = continuation_tolerance(rules);
        let mut reach = Reach::default();
        reach.straddling(&batches, s, tolerance)?;
        if let Some(first) = reach.first() {
            // Only records that ended after the earliest straddling start can be on a chain
            // with the period's: the rest is not read.
            let ended = col("flow_end_ms").gt_eq(lit(first - tolerance));
            let earlier = look_back.table("flows").await.map_err(err)?;
            let earlier =
                earlier.select_columns(&columns).map_err(err)?.filter(ended).map_err(err)?;
            let (earlier, _) = named(earlier.collect().await.map_err(err)?)?;
            let read: usize = earlier.iter().map(RecordBatch::num_rows).sum();
            let kept = reach.earlier_records(&earlier, tolerance)?;
            let rows: usize = kept.iter().map(RecordBatch::num_rows).sum();
            tracing::info!(read, kept = rows, "look-back records");
            batches.extend(kept);
        }
    }
    let table = MemTable::try_new(schema, vec![batches.clone()]).map_err(err)?;
    target.register_table("flows", Arc::new(table)).map_err(err)?;
    crate::sql::context::register_services(target, &rules.services).await?;
    Ok((batches, held))
}

/// How far apart in time two records can be and still be on one chain: the continuation
/// window's `--skew` and `--slack`, and the silence one session's records may have.
fn continuation_tolerance(rules: &PivotRules) -> i64 {
    (rules.skew + rules.slack).as_millis() as i64 + crate::sql::sessions::SPLIT_GAP_MS
}

/// Per host, the earliest start of a record that can be on a chain with the period's records.
/// A chain's hops follow each other in time through the host they share (a child starts
/// within its parent's span, give or take the tolerance), and a record of the look-back ended
/// before the period: so a hop of the period can only be on a chain with one of the look-back
/// if it started before the period's start (plus the tolerance) — it straddles the start.
/// From those, a look-back record is reachable when it touches a host reached and ended no
/// earlier than that host's earliest start (less the tolerance); its start then reaches both
/// its hosts, until nothing more is reached. Every record of such a chain is reached (a
/// superset: hosts, not sessions, are followed).
#[derive(Default)]
struct Reach(std::collections::HashMap<String, i64>);

impl Reach {
    /// `host` reached by a record that started at `start`.
    fn reach(&mut self, host: &str, start: i64) {
        match self.0.get_mut(host) {
            Some(m) => *m = (*m).min(start),
            None => {
                self.0.insert(host.to_string(), start);
            }
        }
    }

    fn reaches(&self, host: &str, end: i64, tolerance: i64) -> bool {
        self.0.get(host).is_some_and(|&m| end >= m - tolerance)
    }

    fn first(&self) -> Option<i64> {
        self.0.values().copied().min()
    }

    /// The hosts of the period's records that started before `since` (plus the tolerance).
    fn straddling(&mut self, period: &[RecordBatch], since: i64, tolerance: i64) -> Result<()> {
        let q = Origin::Query("service-port flows");
        for b in period {
            let start = ints(b, q, "flow_start_ms")?;
            let (src, dst) = (text(b, q, "src_addr")?, text(b, q, "dst_addr")?);
            let (src, dst) = (texts(&src), texts(&dst));
            for i in (0..b.num_rows()).filter(|&i| start[i] < since + tolerance) {
                self.reach(src.value(i), start[i]);
                self.reach(dst.value(i), start[i]);
            }
        }
        Ok(())
    }

    /// The records of `earlier` (the look-back) that are reached, as batches.
    fn earlier_records(
        &mut self,
        earlier: &[RecordBatch],
        tolerance: i64,
    ) -> Result<Vec<RecordBatch>> {
        use datafusion::arrow::array::BooleanArray;
        let q = Origin::Query("look-back flows");
        let mut columns = Vec::with_capacity(earlier.len());
        for b in earlier {
            let (start, end) = (ints(b, q, "flow_start_ms")?, ints(b, q, "flow_end_ms")?);
            columns.push((text(b, q, "src_addr")?, text(b, q, "dst_addr")?, start, end));
        }
        let mut kept: Vec<Vec<bool>> = earlier.iter().map(|b| vec![false; b.num_rows()]).collect();
        loop {
            let mut more = false;
            for ((src, dst, start, end), kept) in columns.iter().zip(&mut kept) {
                let (src, dst) = (texts(src), texts(dst));
                for i in 0..kept.len() {
                    if kept[i]
                        || !(self.reaches(src.value(i), end[i], tolerance)
                            || self.reaches(dst.value(i), end[i], tolerance))
                    {
                        continue;
                    }
                    kept[i] = true;
                    self.reach(src.value(i), start[i]);
                    self.reach(dst.value(i), start[i]);
                    more = true;
                }
            }
            if !more {
                break;
            }
        }
        earlier
            .iter()
            .zip(kept)
            .map(|(b, k)| {
                datafusion::arrow::compute::filter_record_batch(b, &BooleanArray::from(k))
                    .map_err(|e| Error::arrow("look-back flows", e))
            })
            .collect()
    }
}

/// Rows of `batch` that arrived at or after `since` (the period's, not the look-back's).
pub fn arrived_from(batch: &RecordBatch, since: i64) -> Result<usize> {
    let received = received(batch)?;
    Ok(received.values().iter().filter(|&&r| r >= since).count())
}

fn received(batch: &RecordBatch) -> Result<&Int64Array> {
    batch.column_by_name(RECEIVED).and_then(|c| c.as_any().downcast_ref::<Int64Array>()).ok_or_else(
        || Error::Query {
            name: "service-port flows".into(),
            detail: format!("no Int64 column {RECEIVED}"),
        },
    )
}

/// A session whose `flows` are the rows of `batches` that arrived at or after `since` (debug
/// builds check the native admin connections of the period against queries/admin_pairs.sql).
#[cfg(debug_assertions)]
pub async fn arrived_session(
    batches: &[RecordBatch],
    since: i64,
    rules: &PivotRules,
) -> Result<SessionContext> {
    use datafusion::arrow::compute::{filter_record_batch, kernels::cmp::gt_eq};
    let err = |e: datafusion::error::DataFusionError| Error::Query {
        name: "service-port flows".into(),
        detail: e.to_string(),
    };
    let mut kept = Vec::with_capacity(batches.len());
    for b in batches {
        let mask = gt_eq(received(b)?, &Int64Array::new_scalar(since))
            .map_err(|e| Error::arrow("period rows", e))?;
        kept.push(filter_record_batch(b, &mask).map_err(|e| Error::arrow("period rows", e))?);
    }
    let schema = match batches.first() {
        Some(b) => b.schema(),
        None => return Err(Error::Internal { detail: "no service-port flows to filter".into() }),
    };
    let ctx = SessionContext::new();
    let table = MemTable::try_new(schema, vec![kept]).map_err(err)?;
    ctx.register_table("flows", Arc::new(table)).map_err(err)?;
    crate::sql::context::register_services(&ctx, &rules.services).await?;
    Ok(ctx)
}

/// A hop at the period's start: whether a record of it arrived in the period, and the span of
/// its records that arrived before (what the period before saw of it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AtStart {
    /// A record of it arrived at or after the start.
    pub in_period: bool,
    /// First start and last end of its records that arrived before the start.
    pub before: Option<(i64, i64)>,
}

impl AtStart {
    /// Whether the period before saw `child` continue `self` (both had records then, and the
    /// child started within what was then the parent's span): a chain of such links alone
    /// was that period's to report.
    pub fn continued_before(&self, child: &AtStart, rules: &PivotRules) -> bool {
        match (self.before, child.before) {
            (Some((start, end)), Some((child_start, _))) => {
                let (skew, slack) = (rules.skew.as_millis() as i64, rules.slack.as_millis() as i64);
                start - skew <= child_start && child_start <= end + slack
            }
            _ => false,
        }
    }
}

/// `hops` at the period's start `since` (in `ctx`'s `flows`, the flows of the possible pivot
/// hosts): a hop's records are those between its two hosts, either way, that start within it.
pub async fn at_start(ctx: &SessionContext, hops: &[Hop], since: i64) -> Result<Vec<AtStart>> {
    let err = |e: datafusion::error::DataFusionError| Error::Query {
        name: "hops at the period's start".into(),
        detail: e.to_string(),
    };
    let batches = ctx
        .table("flows")
        .await
        .map_err(err)?
        .select_columns(&["src_addr", "dst_addr", "flow_start_ms", "flow_end_ms", RECEIVED])
        .map_err(err)?
        .collect()
        .await
        .map_err(err)?;
    let q = Origin::Query("records at the period's start");
    type Record = (i64, i64, bool);
    let mut records: std::collections::HashMap<(String, String), Vec<Record>> = Default::default();
    for b in &batches {
        let (src, dst) = (strings(b, q, "src_addr")?, strings(b, q, "dst_addr")?);
        let (start, end) = (ints(b, q, "flow_start_ms")?, ints(b, q, "flow_end_ms")?);
        let received = ints(b, q, RECEIVED)?;
        for i in 0..b.num_rows() {
            let (a, z) = (src[i].clone(), dst[i].clone());
            let key = if a <= z { (a, z) } else { (z, a) };
            records.entry(key).or_default().push((start[i], end[i], received[i] >= since));
        }
    }
    Ok(hops
        .iter()
        .map(|h| {
            let (a, z) = (h.client_addr.clone(), h.server_addr.clone());
            let key = if a <= z { (a, z) } else { (z, a) };
            let mut at = AtStart::default();
            let within = records.get(&key).into_iter().flatten();
            for &(start, end, in_period) in
                within.filter(|r| (h.start_ms..=h.end_ms).contains(&r.0))
            {
                if in_period {
                    at.in_period = true;
                } else {
                    let (s, e) = at.before.unwrap_or((start, end));
                    at.before = Some((s.min(start), e.max(end)));
                }
            }
            at
        })
        .collect())
}

/// Rows of `flows`, counted by a query of their own: what `candidates_and_count`'s count is
/// checked against (debug builds).
pub async fn count_flows(ctx: &SessionContext) -> Result<usize> {
    let err = |e: datafusion::error::DataFusionError| Error::Query {
        name: "service-port flows".into(),
        detail: e.to_string(),
    };
    let n = ctx.table("flows").await.map_err(err)?.count().await.map_err(err)?;
    Ok(n)
}

/// The possible pivot hosts (queries/pivot_hosts.sql run in `ctx`), sorted.
pub async fn pivot_hosts(ctx: &SessionContext, rules: &PivotRules) -> Result<Vec<String>> {
    hosts_by(ctx, rules, "queries/pivot_hosts.sql", PIVOT_HOSTS_SQL).await
}

/// A superset of the possible pivot hosts (queries/pivot_host_candidates.sql run in `ctx`),
/// sorted: the definition `candidates_and_count` (one scan, what `pivots` runs) is checked
/// against (debug builds).
pub async fn pivot_host_candidates(
    ctx: &SessionContext,
    rules: &PivotRules,
) -> Result<Vec<String>> {
    hosts_by(ctx, rules, "queries/pivot_host_candidates.sql", PIVOT_HOST_CANDIDATES_SQL).await
}

/// queries/pivot_host_candidates.sql's hosts and the rows of `flows`, from one scan (on a
/// cluster, one job): one aggregate by source address of the packets of each role (serving on
/// a service port, opening a connection to one), each role tested exactly per configured
/// service ((proto, port) pairs) instead of joined with `services`, and the rows. The hosts of
/// both roles with `min_packets` each are the candidates, sorted; the rows add up to the
/// count. (Two aggregates, two joins with `services` and a join, plus a count as a second
/// job, read the service-port flows three times on a cluster.) Debug builds check both
/// against the query and the count.
pub async fn candidates_and_count(
    ctx: &SessionContext,
    rules: &PivotRules,
) -> Result<(usize, Vec<String>)> {
    use datafusion::functions_aggregate::expr_fn::{count, sum};
    use datafusion::prelude::{Expr, when};
    let err = |e: datafusion::error::DataFusionError| Error::Query {
        name: "candidate pivot hosts".into(),
        detail: e.to_string(),
    };
    let is_service = |port: &str| -> Expr {
        rules
            .services
            .iter()
            .map(|s| {
                col("proto").eq(lit(i32::from(s.proto))).and(col(port).eq(lit(i32::from(s.port))))
            })
            .reduce(Expr::or)
            .unwrap_or(lit(false))
    };
    // The other port a lower well-known port than the service's: that side is no client.
    let below = |x: &str, other: &str| col(x).between(lit(1), lit(1023)).and(col(x).lt(col(other)));
    let served = is_service("src_port").and(std::ops::Not::not(below("dst_port", "src_port")));
    let opened = is_service("dst_port").and(std::ops::Not::not(below("src_port", "dst_port")));
    // No ELSE: a host without rows of a role sums to NULL, as SUM over no rows in the query.
    let packets_if = |cond: Expr| when(cond, col("packets")).end().map_err(err);
    let by_host = ctx
        .table("flows")
        .await
        .map_err(err)?
        .aggregate(
            vec![col("src_addr").alias("host")],
            vec![
                sum(packets_if(served)?).alias("served"),
                sum(packets_if(opened)?).alias("opened"),
                count(lit(1)).alias("rows"),
            ],
        )
        .map_err(err)?;
    let batches = by_host.collect().await.map_err(err)?;
    let (o, m) = (Origin::Query("candidate pivot hosts"), rules.min_packets_each_way);
    let (mut rows, mut hosts) = (0usize, Vec::new());
    for b in &batches {
        use datafusion::arrow::array::{Array, AsArray, Int64Array};
        use datafusion::arrow::datatypes::Int64Type;
        let cast = |name: &str, t: &DataType| {
            let c = b.column_by_name(name).ok_or_else(|| o.error(format!("no column {name}")))?;
            datafusion::arrow::compute::cast(c, t)
                .map_err(|e| o.error(format!("column {name}: {e}")))
        };
        let host = cast("host", &DataType::Utf8)?;
        let [served, opened, n] = [
            cast("served", &DataType::Int64)?,
            cast("opened", &DataType::Int64)?,
            cast("rows", &DataType::Int64)?,
        ];
        let host = host.as_string::<i32>();
        let (served, opened, n) = (
            served.as_primitive::<Int64Type>(),
            opened.as_primitive::<Int64Type>(),
            n.as_primitive::<Int64Type>(),
        );
        let enough = |a: &Int64Array, i: usize| a.is_valid(i) && a.value(i) >= m;
        for i in 0..b.num_rows() {
            rows += n.value(i) as usize;
            if host.is_valid(i) && enough(served, i) && enough(opened, i) {
                hosts.push(host.value(i).to_string());
            }
        }
    }
    hosts.sort_unstable();
    #[cfg(debug_assertions)]
    {
        assert_eq!(
            hosts,
            pivot_host_candidates(ctx, rules).await?,
            "candidates: one scan vs the query"
        );
        assert_eq!(rows, count_flows(ctx).await?, "service-port flows: one scan vs a count");
    }
    Ok((rows, hosts))
}

/// The `host` column of query `name` (`sql`) run in `ctx` with `min_packets`.
async fn hosts_by(
    ctx: &SessionContext,
    rules: &PivotRules,
    name: &'static str,
    sql: &str,
) -> Result<Vec<String>> {
    let params =
        [("min_packets".to_string(), ScalarValue::Int64(Some(rules.min_packets_each_way)))]
            .into_iter()
            .collect();
    let (_, batches) = run_query(ctx, name, sql, &params).await?;
    let mut hosts = Vec::new();
    for b in &batches {
        hosts.extend(strings(b, Origin::Query(name), "host")?);
    }
    Ok(hosts)
}

/// Keep only flows touching `hosts` (the possible pivot hosts, or candidates for them: `label`
/// says which, in the log), and register them (few: thousands of the period's millions) as
/// `flows` in `target` with the `services` and `sessions` views over them: the hop and chain
/// stages run there. `target` is a new in-process session (on a cluster, on the client), so
/// each session's `flows` means one thing. Returns the number of hosts.
pub async fn restrict_to_hosts(
    ctx: &SessionContext,
    target: &SessionContext,
    rules: &PivotRules,
    hosts: &[String],
    label: &str,
) -> Result<usize> {
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
    // On a cluster this is what comes back to the client for the hop and chain stages.
    let bytes: usize = batches.iter().map(RecordBatch::get_array_memory_size).sum();
    tracing::info!(rows, bytes, "flow records touching {label}");
    let table = MemTable::try_new(schema, vec![batches]).map_err(err)?;
    target.register_table("flows", Arc::new(table)).map_err(err)?;
    crate::sql::context::register_services(target, &rules.services).await?;
    crate::sql::context::register_sessions(target, true).await?;
    Ok(hosts.len())
}

/// One remote-administration session that looks established.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Hop {
    /// The host that opened the session.
    pub client_addr: String,
    /// Its (ephemeral) port; the first connection's when several were merged.
    pub client_port: i64,
    /// The host that served it.
    pub server_addr: String,
    /// The service port.
    pub server_port: i64,
    /// IP protocol number of the first connection (6 TCP, 17 UDP).
    pub proto: i64,
    /// Service name from the services list.
    pub service: String,
    /// Session start, UTC epoch ms.
    pub start_ms: i64,
    /// Session end, UTC epoch ms.
    pub end_ms: i64,
    /// Packets client → server.
    pub packets_c2s: i64,
    /// Bytes client → server.
    pub bytes_c2s: i64,
    /// Packets server → client.
    pub packets_s2c: i64,
    /// Bytes server → client.
    pub bytes_s2c: i64,
    /// Exporters that reported it, comma-separated.
    pub exporters: String,
    /// Connections merged into this hop (the TCP and UDP transports of one RDP session).
    pub sessions: i64,
    /// `proto/port` of each merged connection, e.g. `tcp/3389+udp/3389`.
    pub transports: String,
}

fn transport(proto: i64, port: i64) -> String {
    match proto {
        6 => format!("tcp/{port}"),
        17 => format!("udp/{port}"),
        p => format!("{p}/{port}"),
    }
}

/// The transports of one connection are one hop: a session of the same client, server and
/// service over another protocol (RDP's UDP next to its TCP) that overlaps in time joins it.
/// Parallel sessions over the same transport stay separate hops (merging them would widen the
/// hop's window and its continuations past `--max-fanout`); chains along the same path that
/// overlap are one entry instead (`model`). Input and output sorted by start; counters are
/// summed, the span is the union.
pub fn merge_overlapping(hops: Vec<Hop>) -> Vec<Hop> {
    let mut open: std::collections::HashMap<(String, String, String), usize> = Default::default();
    let mut out: Vec<Hop> = Vec::with_capacity(hops.len());
    for h in hops {
        let key = (h.client_addr.clone(), h.server_addr.clone(), h.service.clone());
        if let Some(&i) = open.get(&key) {
            let m = &mut out[i];
            let same_transport = m.transports.split('+').any(|t| t == h.transports);
            if h.start_ms <= m.end_ms && !same_transport {
                m.end_ms = m.end_ms.max(h.end_ms);
                m.packets_c2s += h.packets_c2s;
                m.bytes_c2s += h.bytes_c2s;
                m.packets_s2c += h.packets_s2c;
                m.bytes_s2c += h.bytes_s2c;
                m.sessions += h.sessions;
                m.transports = format!("{}+{}", m.transports, h.transports);
                if !m.exporters.split(',').any(|e| h.exporters == e) && !h.exporters.is_empty() {
                    m.exporters = format!("{},{}", m.exporters, h.exporters);
                }
                continue;
            }
        }
        open.insert(key, out.len());
        out.push(h);
    }
    out
}

fn hops_from(batches: &[RecordBatch]) -> Result<Vec<Hop>> {
    let q = Origin::Query("queries/hops.sql");
    let mut out = Vec::new();
    for b in batches {
        let (ca, sa, sv, ex) = (
            strings(b, q, "client_addr")?,
            strings(b, q, "server_addr")?,
            strings(b, q, "service")?,
            strings(b, q, "exporters")?,
        );
        let (cp, sp, pr) =
            (ints(b, q, "client_port")?, ints(b, q, "server_port")?, ints(b, q, "proto")?);
        let (st, en) = (ints(b, q, "start_ms")?, ints(b, q, "end_ms")?);
        let (pc, bc, ps, bs) = (
            ints(b, q, "packets_c2s")?,
            ints(b, q, "bytes_c2s")?,
            ints(b, q, "packets_s2c")?,
            ints(b, q, "bytes_s2c")?,
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
                sessions: 1,
                transports: transport(pr[i], sp[i]),
            });
        }
    }
    Ok(out)
}

/// `flows` restricted to the service ports of `rules` (either direction of a record): a
/// superset (`proto IN (…) AND (src_port IN (…) OR dst_port IN (…))`, so e.g. udp/22 passes
/// too) that the exact (proto, port) joins of pivot_hosts.sql and hops.sql narrow down. IN lists
/// scan ~12 % faster than one OR term per service (100 M flows: 3.35 s → 2.96 s).
pub fn service_port_filter(rules: &PivotRules) -> Option<datafusion::prelude::Expr> {
    if rules.services.is_empty() {
        return None;
    }
    let mut protos: Vec<u8> = rules.services.iter().map(|s| s.proto).collect();
    let mut ports: Vec<u16> = rules.services.iter().map(|s| s.port).collect();
    protos.sort_unstable();
    protos.dedup();
    ports.sort_unstable();
    ports.dedup();
    let protos: Vec<_> = protos.into_iter().map(|p| lit(i32::from(p))).collect();
    let ports: Vec<_> = ports.into_iter().map(|p| lit(i32::from(p))).collect();
    Some(col("proto").in_list(protos, false).and(
        col("src_port").in_list(ports.clone(), false).or(col("dst_port").in_list(ports, false)),
    ))
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
    let hops = merge_overlapping(hops_from(&batches)?);
    let pairs = candidate_pairs(ctx, &hops, rules).await?;
    Ok((hops, pairs))
}

/// Register `hops` as table `hops` (with `hop_id` = index) and run the candidate join of
/// `rules.join`: the (parent, child) index pairs.
pub async fn candidate_pairs(
    ctx: &SessionContext,
    hops: &[Hop],
    rules: &PivotRules,
) -> Result<Vec<(usize, usize)>> {
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
    let mut params: std::collections::HashMap<String, ScalarValue> = [
        ("skew_ms".to_string(), ScalarValue::Int64(Some(rules.skew.as_millis() as i64))),
        ("slack_ms".to_string(), ScalarValue::Int64(Some(rules.slack.as_millis() as i64))),
    ]
    .into_iter()
    .collect();
    let (name, sql) = match rules.join {
        JoinStrategy::Bucket => {
            params.insert(
                "bucket_ms".into(),
                ScalarValue::Int64(Some(rules.bucket.as_millis().max(1) as i64)),
            );
            ("queries/pivot_hops.sql", PIVOT_HOPS_SQL)
        }
        JoinStrategy::Plain => ("queries/pivot_hops_plain.sql", PIVOT_HOPS_PLAIN_SQL),
    };
    let t0 = std::time::Instant::now();
    let (_, batches) = run_query(ctx, name, sql, &params).await?;
    let mut pairs = Vec::new();
    for b in &batches {
        let q = Origin::Query(name);
        let (p, c) = (ints(b, q, "parent_id")?, ints(b, q, "child_id")?);
        pairs.extend(p.into_iter().zip(c).map(|(p, c)| (p as usize, c as usize)));
    }
    tracing::info!(
        hops = hops.len(),
        pairs = pairs.len(),
        join = ?rules.join,
        join_ms = t0.elapsed().as_millis() as u64,
        "candidate join"
    );
    Ok(pairs)
}

/// Packets in either direction below which a session is thin (a probe, a failed login).
pub const THIN_PACKETS: i64 = 20;

/// Why a session into a relay cannot have led to a hop out of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unlinked {
    /// The session in was thin and the hop outlived it by more than a minute: `outlived` ms.
    Thin {
        /// ms the hop ran on after the session in ended.
        outlived: i64,
    },
    /// The hop outlived the session in by more than twice its length and five minutes.
    Outlived {
        /// ms the hop ran on after the session in ended.
        outlived: i64,
        /// Length of the session in, ms.
        len: i64,
    },
}

/// Can the session `into` a relay have led to `hop` out of it? The one rule for both a
/// chain's own link and another session that might explain the hop: not when `into` was thin
/// and the hop outlived it by more than a minute, nor when the hop outlived it by more than
/// twice its length (and five minutes).
pub fn unlinked(into: &Hop, hop: &Hop) -> Option<Unlinked> {
    let outlived = hop.end_ms - into.end_ms;
    let len = into.end_ms - into.start_ms;
    if thin(into) && outlived > 60_000 {
        return Some(Unlinked::Thin { outlived });
    }
    (outlived > (2 * len).max(300_000)).then_some(Unlinked::Outlived { outlived, len })
}

/// Candidate continuations (parent, child) of `hops` whose parent can have led to the child
/// (`unlinked`): what the history and the night count as possible parents.
pub fn linked<'h>(
    hops: &'h [Hop],
    pairs: &'h [(usize, usize)],
) -> impl Iterator<Item = (usize, usize)> + 'h {
    pairs.iter().copied().filter(|&(p, c)| unlinked(&hops[p], &hops[c]).is_none())
}

/// Is this session thin (fewer than `THIN_PACKETS` packets in either direction)?
pub fn thin(h: &Hop) -> bool {
    h.packets_c2s < THIN_PACKETS || h.packets_s2c < THIN_PACKETS
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Records (src, dst, start, end) as a batch of the look-back reader's columns.
    fn records(rows: &[(&str, &str, i64, i64)]) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("src_addr", DataType::Utf8, false),
            Field::new("dst_addr", DataType::Utf8, false),
            Field::new("flow_start_ms", DataType::Int64, false),
            Field::new("flow_end_ms", DataType::Int64, false),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
                Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
                Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.2))),
                Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.3))),
            ],
        )
        .unwrap()
    }

    /// From the hops straddling the period's start, the look-back records of a chain are
    /// reached host by host however far back (x → p ended two hours before any straddling
    /// start, through p → q); records of other hosts, or that ended before a host was
    /// reached, are not.
    #[test]
    fn look_back_records_are_those_reached_from_the_straddling_hops() {
        const H: i64 = 3_600_000;
        let since = 24 * H;
        let period = records(&[
            ("q", "y", 23 * H, 25 * H), // straddles the start: q, y reached at 23:00
            ("a", "b", 24 * H + 5, 24 * H + 10), // starts in the period: reaches nothing
        ]);
        let earlier = records(&[
            ("x", "p", 20 * H, 21 * H), // reached through p (p → q starts at 20:30)
            ("p", "q", 20 * H + H / 2, 23 * H), // touches q, ended after 23:00
            ("a", "c", 22 * H, 23 * H + H / 2), // a was reached only in the period's own time
            ("z", "w", 22 * H, 23 * H + H / 2), // no host reached
            ("q", "v", 10 * H, 11 * H), // q's, but ended long before q was reached
        ]);
        let mut reach = Reach::default();
        reach.straddling(&[period], since, 60_000).unwrap();
        assert_eq!(reach.first(), Some(23 * H));
        let kept = reach.earlier_records(&[earlier], 60_000).unwrap();
        let got: Vec<(String, String)> = kept
            .iter()
            .flat_map(|b| {
                let (s, d) = (texts(b.column(0)), texts(b.column(1)));
                (0..b.num_rows()).map(move |i| (s.value(i).to_string(), d.value(i).to_string()))
            })
            .collect();
        assert_eq!(got, [("x".to_string(), "p".to_string()), ("p".into(), "q".into())]);
    }

    fn hop(client: u8, server: u8, start_ms: i64, len_ms: i64) -> Hop {
        Hop {
            client_addr: format!("10.0.0.{client}"),
            server_addr: format!("10.0.0.{server}"),
            start_ms,
            end_ms: start_ms + len_ms,
            ..Hop::default()
        }
    }

    fn pairs(
        hops: &[Hop],
        join: JoinStrategy,
        bucket_ms: u64,
        skew: u64,
        slack: u64,
    ) -> Vec<(usize, usize)> {
        let rules = PivotRules {
            join,
            bucket: std::time::Duration::from_millis(bucket_ms),
            skew: std::time::Duration::from_millis(skew),
            slack: std::time::Duration::from_millis(slack),
            ..PivotRules::default()
        };
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(candidate_pairs(&SessionContext::new(), hops, &rules)).unwrap()
    }

    /// The rule, written out: h2 leaves h1's target and starts inside h1's window.
    fn brute_force(hops: &[Hop], skew: i64, slack: i64) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (i, p) in hops.iter().enumerate() {
            for (j, c) in hops.iter().enumerate() {
                if i != j
                    && c.client_addr == p.server_addr
                    && c.start_ms >= p.start_ms - skew
                    && c.start_ms <= p.end_ms + slack
                {
                    out.push((i, j));
                }
            }
        }
        out
    }

    #[test]
    fn tcp_and_udp_transports_of_one_rdp_connection_are_one_hop() {
        let rdp = |proto: i64, start: i64, end: i64| Hop {
            client_addr: "10.0.0.1".into(),
            server_addr: "10.0.0.2".into(),
            service: "rdp".into(),
            proto,
            server_port: 3389,
            start_ms: start,
            end_ms: end,
            packets_c2s: 10,
            bytes_c2s: 1000,
            exporters: "192.0.2.1".into(),
            sessions: 1,
            transports: transport(proto, 3389),
            ..Hop::default()
        };
        let ssh = Hop { service: "ssh".into(), ..rdp(6, 1_500, 1_600) };
        let merged = merge_overlapping(vec![
            rdp(6, 1_000, 9_000),
            ssh.clone(),
            rdp(17, 1_200, 9_500),
            rdp(6, 20_000, 21_000), // later, not overlapping: a hop of its own
            rdp(6, 20_500, 22_000), // a parallel TCP session: a hop of its own too
        ]);
        assert_eq!(merged.len(), 4);
        let m = &merged[0];
        assert_eq!((m.start_ms, m.end_ms, m.sessions), (1_000, 9_500, 2));
        assert_eq!(
            (m.transports.as_str(), m.packets_c2s, m.bytes_c2s),
            ("tcp/3389+udp/3389", 20, 2000)
        );
        assert_eq!(m.exporters, "192.0.2.1");
        assert_eq!(merged[1], ssh);
        assert_eq!((merged[2].start_ms, merged[2].sessions), (20_000, 1));
        assert_eq!((merged[3].start_ms, merged[3].transports.as_str()), (20_500, "tcp/3389"));
    }

    #[test]
    fn window_edges_are_inclusive_in_both_joins() {
        // Parent 10.0.0.1 → .2 from 10 000 to 20 000; children of .2 at the edges.
        let hops = vec![
            hop(1, 2, 10_000, 10_000),
            hop(2, 3, 8_000, 5),  // exactly start - skew: in
            hop(2, 4, 7_999, 5),  // 1 ms before: out
            hop(2, 5, 20_500, 5), // exactly end + slack: in
            hop(2, 6, 20_501, 5), // 1 ms after: out
        ];
        for join in [JoinStrategy::Bucket, JoinStrategy::Plain] {
            assert_eq!(pairs(&hops, join, 1000, 2000, 500), vec![(0, 1), (0, 3)], "{join:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn bucket_join_equals_plain_join_and_the_rule(
            raw in proptest::collection::vec((0u8..6, 0u8..6, 0i64..100_000, 0i64..40_000), 1..60),
            bucket_ms in prop_oneof![Just(1u64), Just(777), Just(5_000), Just(1_000_000)],
            skew in 0u64..3000,
            slack in 0u64..3000,
        ) {
            let hops: Vec<Hop> = raw.iter().map(|&(c, s, t, l)| hop(c, s, t, l)).collect();
            let want = brute_force(&hops, skew as i64, slack as i64);
            prop_assert_eq!(&pairs(&hops, JoinStrategy::Plain, bucket_ms, skew, slack), &want);
            prop_assert_eq!(&pairs(&hops, JoinStrategy::Bucket, bucket_ms, skew, slack), &want);
        }
    }
}
