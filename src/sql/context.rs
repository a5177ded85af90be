//! The DataFusion session over the flow store: table `flows`, the `sessions` view, settings.
//!
//! `flows` = every `*.parquet` below `--data` (hive partitions `date`, `hour`, both text) plus
//! the rows the live collector has journaled but not yet written as Parquet (the hour being
//! captured, at most one flush interval — default 1 s — old), restricted to `--since/--until`
//! on arrival time (`received_ms`), with the matching `date`/`hour` folders pruned.
//!
//! Settings, chosen for flow data on a small machine:
//! - target partitions = cores: scans and hash joins use every core;
//! - batch size 8192 rows (DataFusion's default; larger did not help group-bys here);
//! - Parquet filter pushdown and filter reordering on: flow queries are selective on ports
//!   and addresses, and row-level pushdown skips decoding most of the other columns;
//! - a memory limit (default: half the RAM) through a fair spill pool: sorts, aggregations and
//!   joins spill to disk under it, and a query that still cannot fit fails with a clear error
//!   instead of taking the machine down.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::MemTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::ListingOptions;
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{
    DataFrame, Expr, ParquetReadOptions, SessionConfig, SessionContext, col, lit,
};

use super::timerange::TimeRange;
use crate::error::{Error, Result};
use crate::schema::{self, PARTITION_DATE, PARTITION_HOUR, flow_schema};
use crate::store::journal;
use crate::store::partition::HourPartition;

/// queries/sessions.sql: the portable definition of `sessions`, registered as `sessions_sql`.
pub const SESSIONS_SQL: &str = include_str!("../../queries/sessions.sql");

/// Register `sessions_sql` (the view of queries/sessions.sql) and `sessions` over the current
/// `flows`: the native operator (`sql::sessions`, same rows, 4× faster at 10 M flows) when `native`, else
/// the same SQL view (on a cluster, where a plan must be serializable).
pub async fn register_sessions(ctx: &SessionContext, native: bool) -> Result<()> {
    let err = |e| df_err("queries/sessions.sql", e);
    let _ = ctx.deregister_table("sessions");
    let _ = ctx.deregister_table("sessions_sql");
    let renamed =
        SESSIONS_SQL.replacen("CREATE VIEW sessions AS", "CREATE VIEW sessions_sql AS", 1);
    if renamed == SESSIONS_SQL {
        return Err(Error::Query {
            name: "queries/sessions.sql".into(),
            detail: "does not start its statement with CREATE VIEW sessions AS".into(),
        });
    }
    ctx.sql(&renamed).await.map_err(err)?;
    if !native {
        ctx.sql(SESSIONS_SQL).await.map_err(err)?;
        return Ok(());
    }
    let schema = ctx.table("sessions_sql").await.map_err(err)?.schema().as_arrow().clone();
    let flows = ctx.table_provider("flows").await.map_err(err)?;
    let table = super::sessions::SessionsTable::new(flows, Arc::new(schema));
    ctx.register_table("sessions", Arc::new(table)).map_err(err)?;
    Ok(())
}

/// DataFusion session settings.
#[derive(Debug, Clone)]
pub struct SqlSettings {
    /// Memory pool size; spilling operators spill beyond it, others fail with exit 5.
    pub memory_limit_bytes: usize,
    /// Parallelism of scans and joins.
    pub target_partitions: usize,
    /// Rows per Arrow record batch.
    pub batch_size: usize,
    /// Run plans on this Ballista cluster (`df://HOST:PORT`) instead of in process.
    pub cluster: Option<String>,
    /// On a cluster: give up (exit 5, naming the cluster) when a run has no result after this.
    pub cluster_timeout: std::time::Duration,
    /// On a cluster: Ballista's adaptive planner (off for queries on the sessions view, see
    /// `cluster::client_config`).
    pub cluster_adaptive: bool,
}

impl Default for SqlSettings {
    fn default() -> Self {
        SqlSettings {
            memory_limit_bytes: default_memory_limit(),
            target_partitions: std::thread::available_parallelism().map_or(2, |n| n.get()),
            batch_size: 8192,
            cluster: None,
            cluster_timeout: std::time::Duration::from_secs(3600),
            cluster_adaptive: true,
        }
    }
}

/// Scan partitions at least, on an object store: each file is read as a few ranged requests
/// one after another, so a scan waits on round trips, not on cores.
pub const REMOTE_PARTITIONS: usize = 16;

impl SqlSettings {
    /// The settings for a session over the store at `data`: on an object store, in process,
    /// at least `REMOTE_PARTITIONS` scan partitions (16 files read at once instead of one per
    /// core; a cluster's executors keep theirs).
    pub fn for_store(&self, data: &Path) -> SqlSettings {
        let mut s = self.clone();
        if crate::store::objects::is_remote(data) && s.cluster.is_none() {
            s.target_partitions = s.target_partitions.max(REMOTE_PARTITIONS);
        }
        s
    }

    /// Run `work` on `runtime`; on a cluster, at most `cluster_timeout` (a job the scheduler
    /// cannot finish ends with an error naming the cluster and `what`, instead of a hang).
    pub fn block_on<T>(
        &self,
        runtime: &tokio::runtime::Runtime,
        what: &str,
        work: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        let Some(url) = &self.cluster else { return runtime.block_on(work) };
        let limit = self.cluster_timeout;
        runtime.block_on(async {
            tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
                Err(Error::Query {
                    name: format!("{what} on cluster {url}"),
                    detail: format!(
                        "no result after {} (--timeout); the job was left to the scheduler, whose log names it",
                        humantime::format_duration(limit)
                    ),
                })
            })
        })
    }

    /// The tokio runtime DataFusion runs on: one worker per target partition.
    pub fn runtime(&self) -> Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(self.target_partitions.max(1))
            // Deep plans (the sessions view, pivot joins) recurse when they are planned and, on
            // a cluster, encoded: 2 MiB stacks overflow in debug builds.
            .thread_stack_size(8 << 20)
            .enable_all()
            .build()
            .map_err(|e| Error::io("tokio runtime", e))
    }
}

/// Half of the physical memory (from /proc/meminfo), or 4 GiB when unknown.
pub fn default_memory_limit() -> usize {
    let total_kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<usize>().ok())
    });
    total_kib.map_or(4 << 30, |k| k * 1024 / 2)
}

fn df_err(context: &str, e: datafusion::error::DataFusionError) -> Error {
    Error::Query { name: context.to_string(), detail: e.to_string() }
}

/// The stored columns as `flows` reads them: text as `Utf8View` (string views). A dictionary-
/// encoded text page then decodes without copying each value: at 100 M flows the service-port
/// scan of `pivots` took 2.0–2.2 s instead of 3.5–3.8 s and top_talkers 7.7 s instead of 11.6 s.
pub fn read_schema() -> SchemaRef {
    Arc::new(Schema::new(
        flow_schema()
            .fields()
            .iter()
            .map(|f| {
                let f = f.as_ref().clone();
                match f.data_type() {
                    DataType::Utf8 => f.with_data_type(DataType::Utf8View),
                    _ => f,
                }
            })
            .collect::<Vec<_>>(),
    ))
}

/// Schema of `flows`: the stored columns (as read), then the partition columns.
pub fn flows_schema() -> SchemaRef {
    let mut fields: Vec<Field> =
        read_schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new(PARTITION_DATE, DataType::Utf8, false));
    fields.push(Field::new(PARTITION_HOUR, DataType::Utf8, false));
    Arc::new(Schema::new(fields))
}

/// Rows journaled by a running (or crashed) collector, with partition columns added.
fn journal_batches(root: &Path) -> Result<Vec<RecordBatch>> {
    let mut out = Vec::new();
    if crate::store::objects::is_remote(root) {
        return Ok(out); // a collector journals locally; an object store holds finished hours
    }
    for left in journal::leftovers(root)? {
        let (date, hour) = left.id.hour.folder_values();
        for b in left.batches {
            let n = b.num_rows();
            let mut cols: Vec<ArrayRef> = b
                .columns()
                .iter()
                .zip(read_schema().fields())
                .map(|(c, f)| datafusion::arrow::compute::cast(c, f.data_type()))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| Error::arrow("journal rows", e))?;
            cols.push(Arc::new(StringArray::from(vec![date.as_str(); n])));
            cols.push(Arc::new(StringArray::from(vec![hour.as_str(); n])));
            out.push(
                RecordBatch::try_new(flows_schema(), cols)
                    .map_err(|e| Error::arrow("journal rows", e))?,
            );
        }
    }
    Ok(out)
}

/// Filter selecting `range` on arrival time, with an equivalent predicate on the partition
/// columns so whole folders are skipped.
fn range_filter(range: TimeRange) -> Option<Expr> {
    let mut parts = Vec::new();
    if let Some(s) = range.since_ms {
        let (d, h) = HourPartition::of(s).folder_values();
        let folder = col(PARTITION_DATE)
            .gt(lit(d.clone()))
            .or(col(PARTITION_DATE).eq(lit(d)).and(col(PARTITION_HOUR).gt_eq(lit(h))));
        parts.push(folder.and(col(schema::RECEIVED_MS).gt_eq(lit(s))));
    }
    if let Some(u) = range.until_ms {
        let (d, h) = HourPartition::of(u - 1).folder_values();
        let folder = col(PARTITION_DATE)
            .lt(lit(d.clone()))
            .or(col(PARTITION_DATE).eq(lit(d)).and(col(PARTITION_HOUR).lt_eq(lit(h))));
        parts.push(folder.and(col(schema::RECEIVED_MS).lt(lit(u))));
    }
    parts.into_iter().reduce(Expr::and)
}

/// A session with `flows` (over the store at `data`) and the automatic views registered.
pub async fn flow_context(
    data: &Path,
    range: TimeRange,
    settings: &SqlSettings,
) -> Result<SessionContext> {
    flow_context_filtered(data, range, settings, None, &[], AdminRead::default()).await
}

/// `flows` without the hour folders that hold an excluded file, plus the other files of those
/// folders read one by one (their `date`/`hour` columns from the folder names).
async fn without_files(
    ctx: &SessionContext,
    flows: DataFrame,
    exclude: &[PathBuf],
    schema: &SchemaRef,
) -> Result<DataFrame> {
    let err = |e| df_err("flows without unreadable files", e);
    let folders: BTreeSet<&Path> = exclude.iter().filter_map(|p| p.parent()).collect();
    let mut flows = flows;
    for dir in folders {
        let Some((date, hour)) = crate::store::check::partition_of(dir) else { continue };
        let here = col(PARTITION_DATE)
            .eq(lit(date.clone()))
            .and(col(PARTITION_HOUR).eq(lit(hour.clone())));
        flows = flows.filter(!here).map_err(err)?;
        let good: Vec<String> = crate::store::check::hour_files_in(dir)?
            .into_iter()
            .filter(|f| !exclude.contains(f))
            .map(|f| f.display().to_string())
            .collect();
        if good.is_empty() {
            continue;
        }
        let rest = ctx
            .read_parquet(good, ParquetReadOptions::default().schema(schema))
            .await
            .map_err(err)?
            .with_column(PARTITION_DATE, lit(date))
            .map_err(err)?
            .with_column(PARTITION_HOUR, lit(hour))
            .map_err(err)?;
        flows = flows.union(rest).map_err(err)?;
    }
    Ok(flows)
}

/// Which hours of a period to read from the admin layout (`store::admin::plan`).
#[derive(Debug, Clone, Copy, Default)]
pub struct AdminRead<'a> {
    /// The hours (`YYYY-MM-DD`, `HH`).
    pub hours: &'a [(String, String)],
    /// True when these are all the period's hours with files: the store is not read at all.
    pub only: bool,
}

/// `flows` with the hours `admin.hours` read from the admin layout (`<data>/.admin/`, the same
/// partitioning) instead of the store. Both sides are pruned by partition values, so each
/// hour's files are read from one side only; when the layout covers every hour the store side
/// is left out of the plan (Ballista 55's scheduler loops on a stage whose tasks differ in
/// shape, as a union with a side pruned to no files makes them).
async fn with_admin_hours(
    ctx: &SessionContext,
    flows: DataFrame,
    data: &Path,
    options: ListingOptions,
    admin: AdminRead<'_>,
    schema: SchemaRef,
) -> Result<DataFrame> {
    let err = |e| df_err("flows from the admin layout", e);
    let dir = data.join(crate::store::admin::ADMIN_DIR);
    let url = crate::store::objects::table_url(&dir)?;
    ctx.register_listing_table("flows_admin", &url, options, Some(schema), None)
        .await
        .map_err(err)?;
    let key = || {
        datafusion::functions::string::expr_fn::concat(vec![
            col(PARTITION_DATE),
            lit("/"),
            col(PARTITION_HOUR),
        ])
    };
    let keys: Vec<Expr> = admin.hours.iter().map(|(d, h)| lit(format!("{d}/{h}"))).collect();
    let from_layout = ctx
        .table("flows_admin")
        .await
        .map_err(err)?
        .filter(key().in_list(keys.clone(), false))
        .map_err(err)?;
    if admin.only {
        return Ok(from_layout);
    }
    flows.filter(key().in_list(keys, true)).map_err(err)?.union(from_layout).map_err(err)
}

/// The `services` table (name, proto, port) used by queries/hops.sql, as a view over VALUES:
/// plain SQL, so a plan that uses it can be shipped to another engine (an in-memory table cannot
/// cross to a Ballista executor).
pub async fn register_services(
    ctx: &SessionContext,
    services: &[crate::services::Service],
) -> Result<()> {
    ctx.sql(&services_view_sql(services)).await.map_err(|e| df_err("services", e))?;
    Ok(())
}

/// The `hosts` table of `--inventory` / `--hosts-file`: one row per entry (`address`: the
/// address or the CIDR network as written, canonical; `name`, `role`, `owner`, then the
/// inventory's other columns, all text, NULL when empty). A view over VALUES, as `services`.
pub async fn register_hosts(
    ctx: &SessionContext,
    inventory: &crate::inventory::Inventory,
) -> Result<()> {
    let quote = |s: &str| {
        if s.is_empty() {
            "CAST(NULL AS VARCHAR)".to_string()
        } else {
            format!("'{}'", s.replace('\'', "''"))
        }
    };
    let extra = &inventory.extra_columns;
    let rows: Vec<String> = inventory
        .entries()
        .iter()
        .map(|h| {
            let mut cells = vec![quote(&h.entry), quote(&h.name), quote(&h.role), quote(&h.owner)];
            cells.extend(extra.iter().map(|c| quote(h.extra.get(c).map_or("", String::as_str))));
            format!("({})", cells.join(", "))
        })
        .collect();
    let mut names = vec!["address".to_string(), "name".into(), "role".into(), "owner".into()];
    names.extend(extra.iter().cloned());
    let columns: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("CAST(column{} AS VARCHAR) AS \"{}\"", i + 1, n.replace('"', "\"\"")))
        .collect();
    let values = if rows.is_empty() {
        let nulls = vec!["CAST(NULL AS VARCHAR)"; names.len()].join(", ");
        format!("SELECT * FROM (VALUES ({nulls})) WHERE false")
    } else {
        format!("SELECT * FROM (VALUES {})", rows.join(", "))
    };
    let sql =
        format!("CREATE OR REPLACE VIEW hosts AS SELECT {} FROM ({values})", columns.join(", "));
    ctx.sql(&sql).await.map_err(|e| df_err("hosts (--inventory)", e))?;
    Ok(())
}

/// `CREATE OR REPLACE VIEW services …` for these services (names quoted as SQL strings).
fn services_view_sql(services: &[crate::services::Service]) -> String {
    let rows: Vec<String> = services
        .iter()
        .map(|s| format!("('{}', {}, {})", s.name.replace('\'', "''"), s.proto, s.port))
        .collect();
    let values = if rows.is_empty() {
        "SELECT * FROM (VALUES ('', 0, 0)) WHERE false".to_string()
    } else {
        format!("SELECT * FROM (VALUES {})", rows.join(", "))
    };
    format!(
        "CREATE OR REPLACE VIEW services AS SELECT CAST(column1 AS VARCHAR) AS name, \
         CAST(column2 AS INT) AS proto, CAST(column3 AS INT) AS port FROM ({values})"
    )
}

fn session_parts(
    settings: &SqlSettings,
) -> Result<(SessionConfig, Arc<datafusion::execution::runtime_env::RuntimeEnv>)> {
    let mut config = SessionConfig::new()
        .with_target_partitions(settings.target_partitions.max(1))
        .with_batch_size(settings.batch_size.max(1024))
        .with_information_schema(true);
    config.options_mut().execution.parquet.pushdown_filters = true;
    config.options_mut().execution.parquet.reorder_filters = true;
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(FairSpillPool::new(settings.memory_limit_bytes)))
        .with_object_store_registry(crate::store::objects::Registry::new())
        .build_arc()
        .map_err(|e| df_err("session", e))?;
    Ok((config, runtime))
}

/// An in-process session with these settings (also on a cluster, for the small tables the client
/// keeps: pivots' flows of possible pivot hosts, hops).
pub fn local_session(settings: &SqlSettings) -> Result<SessionContext> {
    let (config, runtime) = session_parts(settings)?;
    Ok(SessionContext::new_with_config_rt(config, runtime))
}

/// Like [`flow_context`], with `flows` further restricted by `filter` (pivots: service ports
/// only, so every later step costs in proportion to admin traffic, not all traffic), without
/// the store files in `exclude` (unreadable ones, see `store::check`), and the hours in
/// `admin.hours` (`YYYY-MM-DD`, `HH`) read from the admin layout instead of the store (only
/// where `store::admin::plan` found it holds every row `filter` keeps).
pub async fn flow_context_filtered(
    data: &Path,
    range: TimeRange,
    settings: &SqlSettings,
    filter: Option<Expr>,
    exclude: &[PathBuf],
    admin: AdminRead<'_>,
) -> Result<SessionContext> {
    crate::store::objects::check_store(data)?;
    let settings = &settings.for_store(data);
    let ctx = match &settings.cluster {
        None => local_session(settings)?,
        Some(url) => {
            let (config, runtime) = session_parts(settings)?;
            let state = datafusion::execution::SessionStateBuilder::new()
                .with_config(crate::cluster::client_config(config, settings.cluster_adaptive))
                .with_runtime_env(runtime)
                .with_default_features()
                .build();
            crate::cluster::remote_context(url, state).await?
        }
    };

    let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
        .with_file_extension(".parquet")
        .with_table_partition_cols(vec![
            (PARTITION_DATE.to_string(), DataType::Utf8),
            (PARTITION_HOUR.to_string(), DataType::Utf8),
        ]);
    let url = crate::store::objects::table_url(data)?;
    // On a cluster pivots' flows are read as plain Utf8, not string views: Ballista ships a
    // filtered view array with every buffer it points into (a 9 449-row result of the
    // service-port flows came back as 23 GB and the client was killed at 22 GB RSS).
    let schema =
        if settings.cluster.is_some() && filter.is_some() { flow_schema() } else { read_schema() };
    ctx.register_listing_table("flows_stored", &url, options.clone(), Some(schema.clone()), None)
        .await
        .map_err(|e| df_err("registering flows", e))?;
    let mut flows = ctx.table("flows_stored").await.map_err(|e| df_err("flows", e))?;
    if !admin.hours.is_empty() {
        flows = with_admin_hours(&ctx, flows, data, options.clone(), admin, schema.clone()).await?;
    }
    if !exclude.is_empty() {
        flows = without_files(&ctx, flows, exclude, &schema).await?;
    }
    let journal = journal_batches(data)?;
    if !journal.is_empty() && settings.cluster.is_some() {
        return Err(Error::config(
            "--cluster",
            "the store has rows of an open hour still in the live journal (<data>/.journal), \
             which executors cannot read: give --until before the current hour, or query locally",
        ));
    }
    if !journal.is_empty() {
        let mem =
            MemTable::try_new(flows_schema(), vec![journal]).map_err(|e| df_err("journal", e))?;
        ctx.register_table("flows_journal", Arc::new(mem)).map_err(|e| df_err("journal", e))?;
        let j = ctx.table("flows_journal").await.map_err(|e| df_err("journal", e))?;
        flows = flows.union(j).map_err(|e| df_err("flows", e))?;
    }
    if let Some(f) = range_filter(range) {
        flows = flows.filter(f).map_err(|e| df_err("--since/--until", e))?;
    }
    if let Some(f) = filter {
        flows = flows.filter(f).map_err(|e| df_err("flow filter", e))?;
    }
    register_services(&ctx, &crate::services::default_services()).await?;
    ctx.register_table("flows", flows.into_view()).map_err(|e| df_err("flows", e))?;
    register_sessions(&ctx, settings.cluster.is_none()).await?;
    Ok(ctx)
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::util::pretty::pretty_format_batches;

    use super::*;
    use crate::services::Service;

    #[tokio::test]
    async fn services_view_holds_the_services_with_their_types() {
        let ctx = SessionContext::new();
        let odd = Service { name: "it's".into(), proto: 17, port: 3389 };
        register_services(&ctx, &[crate::services::default_services()[0].clone(), odd])
            .await
            .unwrap();
        let df = ctx.sql("SELECT * FROM services ORDER BY port").await.unwrap();
        let schema = df.schema().inner().clone();
        assert_eq!(schema.field(1).data_type(), &DataType::Int32);
        let text = pretty_format_batches(&df.collect().await.unwrap()).unwrap().to_string();
        assert!(
            text.contains("| ssh  | 6     | 22   |") && text.contains("| it's | 17    | 3389 |"),
            "{text}"
        );
        register_services(&ctx, &[]).await.unwrap();
        let n = ctx.sql("SELECT count(*) FROM services").await.unwrap().collect().await.unwrap();
        assert!(pretty_format_batches(&n).unwrap().to_string().contains("| 0 "));
    }
}
