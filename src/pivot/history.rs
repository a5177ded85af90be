//! History: compact per-day facts about remote administration, kept by `report` beside the
//! reports, so a night can tell routine from new without rescanning months of flows.
//!
//! ```text
//! <reports>/history/date=YYYY-MM-DD/hops.parquet    one row per (client, server, service):
//!                                                   every established admin connection
//!                                                   (queries/admin_pairs.sql)
//! <reports>/history/date=YYYY-MM-DD/links.parquet   one row per (in_client, pivot, out_server,
//!                                                   in_service, out_service) continuation
//! ```
//!
//! A day's partition is built under a hidden name and renamed into place (a reader never sees
//! half of it); a day with flows but no admin sessions still gets one (empty files), so it counts
//! as a day of history; `report` writes none for a day without data. Reading for day D takes the partitions of the `days` days before D only: never D
//! itself or later, so rerunning an old day gives the same result.
//!
//! Columns (hops): `client`, `server`, `service` (text), `connections` (count), `first_ms`,
//! `last_ms` (UTC epoch ms of the first start / last end), `hours` (bit h set = a connection
//! started in UTC hour h). Links: `in_client`, `pivot`,
//! `out_server`, `in_service`, `out_service` (text), `links` (count of continuation pairs),
//! `first_ms` (earliest outbound start).

use std::collections::BTreeMap;

// The baseline's maps and sets use hashbrown's default (foldhash) hasher: a month of history
// at 100 M flows a day is millions of lookups, and SipHash was a third of the night.
use hashbrown::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use datafusion::arrow::array::{
    Array, AsArray, BooleanArray, Int32Array, Int64Array, PrimitiveArray, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Int64Type, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::columns::{Origin, ints, strings, texts, typed};
use super::hops::Hop;
use crate::error::{Error, Result};

/// One day's facts about one (client, server, service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HopFact {
    /// The host that opened the connections.
    pub client: String,
    /// The host they went to.
    pub server: String,
    /// Service name (`ssh`, `rdp`, `winrm`, or a `--service` name).
    pub service: String,
    /// Established connections that day.
    pub connections: i64,
    /// Start of the first, UTC epoch ms.
    pub first_ms: i64,
    /// End of the last, UTC epoch ms.
    pub last_ms: i64,
    /// Bit h set: a connection started in UTC hour h.
    pub hours: i32,
    /// This (client, server, service) was the deciding hop of an alert that day.
    pub alerted: bool,
}

/// One day's facts about one continuation pattern: `in_client` → `pivot` → `out_server`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkFact {
    /// Client of the inbound session into the pivot.
    pub in_client: String,
    /// The host that relayed.
    pub pivot: String,
    /// Server of the outbound session.
    pub out_server: String,
    /// Service of the inbound session.
    pub in_service: String,
    /// Service of the outbound session.
    pub out_service: String,
    /// Continuation pairs of this pattern that day.
    pub links: i64,
    /// Earliest outbound start, UTC epoch ms.
    pub first_ms: i64,
    /// Of `links`, those whose outbound hop had this inbound session as its only possible
    /// parent: what the inbound client itself did (on a busy jump host most continuations are
    /// ambiguous: every session open at the time is a candidate).
    pub sole: i64,
    /// The outbound hop was the deciding hop of an alert that day.
    pub alerted: bool,
}

/// What one day adds to the history.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DayFacts {
    /// One fact per (client, server, service).
    pub hops: Vec<HopFact>,
    /// One fact per continuation pattern.
    pub links: Vec<LinkFact>,
    /// Hosts of interest with more than `BUSY_FACTS` counterparts that day, summed up instead
    /// of listed (only read, never written): their facts with hosts of no interest are left out.
    pub busy: Vec<BusyFact>,
}

/// A busy host's day, summed up: a server that thousands of clients reached (or a client that
/// reached thousands of servers) gets a new counterpart every day; which ones does not matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusyFact {
    /// The host.
    pub host: String,
    /// As a server (else as a client).
    pub as_server: bool,
    /// Services of the facts left out.
    pub services: Vec<String>,
    /// Their UTC hours (bit h).
    pub hours: i32,
    /// Their connections.
    pub connections: i64,
}

/// Counterparts a host of interest may have in one day before its facts with hosts of no
/// interest are summed up (`BusyFact`) instead of kept one by one.
pub const BUSY_FACTS: usize = 200;

/// Saturday or Sunday: weekend work is judged against earlier weekends.
pub(crate) fn is_weekend(d: impl Datelike) -> bool {
    d.weekday().number_from_monday() >= 6
}

fn hour_of(ms: i64) -> i32 {
    ms.div_euclid(3_600_000).rem_euclid(24) as i32
}

/// Fold (client, server, service, hour, connections, first_ms, last_ms) rows of
/// queries/admin_pairs.sql into one fact per (client, server, service), in a fixed order.
pub fn hop_facts(
    rows: impl IntoIterator<Item = (String, String, String, i64, i64, i64, i64)>,
) -> Vec<HopFact> {
    let mut h: BTreeMap<(String, String, String), HopFact> = BTreeMap::new();
    for (client, server, service, hour, n, first, last) in rows {
        let f = h.entry((client.clone(), server.clone(), service.clone())).or_insert(HopFact {
            client,
            server,
            service,
            connections: 0,
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            hours: 0,
            alerted: false,
        });
        f.connections += n;
        f.first_ms = f.first_ms.min(first);
        f.last_ms = f.last_ms.max(last);
        f.hours |= 1 << hour.rem_euclid(24);
    }
    h.into_values().collect()
}

/// Every established admin connection in `flows` (queries/admin_pairs.sql), as history facts.
pub async fn admin_pairs(
    ctx: &datafusion::prelude::SessionContext,
    rules: &super::rules::PivotRules,
) -> Result<Vec<HopFact>> {
    let params = [(
        "min_packets".to_string(),
        datafusion::common::ScalarValue::Int64(Some(rules.min_packets_each_way)),
    )]
    .into_iter()
    .collect();
    let (_, batches) = crate::sql::run_query(
        ctx,
        "queries/admin_pairs.sql",
        super::hops::ADMIN_PAIRS_SQL,
        &params,
    )
    .await?;
    let mut rows = Vec::new();
    for b in &batches {
        let q = Origin::Query("queries/admin_pairs.sql");
        let (c, s, v) =
            (strings(b, q, "client")?, strings(b, q, "server")?, strings(b, q, "service")?);
        let (h, n) = (ints(b, q, "hour")?, ints(b, q, "connections")?);
        let (f, l) = (ints(b, q, "first_ms")?, ints(b, q, "last_ms")?);
        for i in 0..b.num_rows() {
            rows.push((c[i].clone(), s[i].clone(), v[i].clone(), h[i], n[i], f[i], l[i]));
        }
    }
    Ok(hop_facts(rows))
}

impl DayFacts {
    /// Facts of a day's `hops` (as the admin connections) and candidate continuations
    /// (parent, child). `pivots` takes the hop facts from queries/admin_pairs.sql instead, which
    /// also sees connections that touch no possible pivot host.
    pub fn from_hops(hops: &[Hop], pairs: &[(usize, usize)]) -> Self {
        let rows = hops.iter().map(|x| {
            let (c, s, v) = (x.client_addr.clone(), x.server_addr.clone(), x.service.clone());
            (c, s, v, i64::from(hour_of(x.start_ms)), x.sessions.max(1), x.start_ms, x.end_ms)
        });
        DayFacts { hops: hop_facts(rows), links: links(hops, pairs), busy: Vec::new() }
    }
}

impl DayFacts {
    /// Mark the facts of the alerts' deciding hops (client, server, service) as `alerted`.
    pub fn mark_alerted(&mut self, deciding: &HashSet<(String, String, String)>) -> usize {
        let mut n = 0;
        for f in &mut self.hops {
            f.alerted = deciding.contains(&(f.client.clone(), f.server.clone(), f.service.clone()));
            n += usize::from(f.alerted);
        }
        for l in &mut self.links {
            l.alerted =
                deciding.contains(&(l.pivot.clone(), l.out_server.clone(), l.out_service.clone()));
        }
        n
    }
}

/// Link facts of candidate continuations (parent, child) between `hops`, in a fixed order.
pub fn links(hops: &[Hop], pairs: &[(usize, usize)]) -> Vec<LinkFact> {
    let mut parents: HashMap<usize, u32> = HashMap::new();
    for &(_, c) in pairs {
        *parents.entry(c).or_default() += 1;
    }
    let mut l: BTreeMap<(&str, &str, &str, &str, &str), LinkFact> = BTreeMap::new();
    for &(p, c) in pairs {
        let sole = parents.get(&c) == Some(&1);
        let (p, c) = (&hops[p], &hops[c]);
        let key = (&*p.client_addr, &*p.server_addr, &*c.server_addr, &*p.service, &*c.service);
        let f = l.entry(key).or_insert(LinkFact {
            in_client: p.client_addr.clone(),
            pivot: p.server_addr.clone(),
            out_server: c.server_addr.clone(),
            in_service: p.service.clone(),
            out_service: c.service.clone(),
            links: 0,
            first_ms: i64::MAX,
            sole: 0,
            alerted: false,
        });
        f.links += 1;
        f.sole += i64::from(sole);
        f.first_ms = f.first_ms.min(c.start_ms);
    }
    l.into_values().collect()
}

fn hop_schema() -> SchemaRef {
    let t = |n: &str| Field::new(n, DataType::Utf8, false);
    let i = |n: &str| Field::new(n, DataType::Int64, false);
    Arc::new(Schema::new(vec![
        t("client"),
        t("server"),
        t("service"),
        i("connections"),
        i("first_ms"),
        i("last_ms"),
        Field::new("hours", DataType::Int32, false),
        Field::new("alerted", DataType::Boolean, false),
    ]))
}

fn link_schema() -> SchemaRef {
    let t = |n: &str| Field::new(n, DataType::Utf8, false);
    let i = |n: &str| Field::new(n, DataType::Int64, false);
    Arc::new(Schema::new(vec![
        t("in_client"),
        t("pivot"),
        t("out_server"),
        t("in_service"),
        t("out_service"),
        i("links"),
        i("first_ms"),
        Field::new("alerted", DataType::Boolean, false),
        i("sole"),
    ]))
}

fn text<'a, T>(rows: &'a [T], f: impl Fn(&'a T) -> &'a str) -> Arc<dyn Array> {
    Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
}

fn int<T>(rows: &[T], f: impl Fn(&T) -> i64) -> Arc<dyn Array> {
    Arc::new(Int64Array::from_iter_values(rows.iter().map(f)))
}

fn flag<T>(rows: &[T], f: impl Fn(&T) -> bool) -> Arc<dyn Array> {
    Arc::new(BooleanArray::from(rows.iter().map(f).collect::<Vec<bool>>()))
}

/// `alerted` of row `i`; false when the column is missing (a partition written before it).
fn alerted_at(b: &RecordBatch, i: usize) -> bool {
    b.column_by_name("alerted")
        .and_then(|a| a.as_boolean_opt().map(|a| a.value(i)))
        .unwrap_or(false)
}

/// `<history>/date=YYYY-MM-DD`.
pub fn day_dir(history: &Path, day: NaiveDate) -> PathBuf {
    history.join(format!("date={}", day.format("%Y-%m-%d")))
}

fn write_file(path: &Path, batch: &RecordBatch) -> Result<()> {
    let tmp = crate::store::atomic::temp_path(path);
    let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let perr = |e| Error::Parquet { path: path.to_path_buf(), source: e };
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .set_created_by(concat!("pivotflow ", env!("CARGO_PKG_VERSION")).to_string())
        .build();
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(perr)?;
    w.write(batch).map_err(perr)?;
    let file = w.into_inner().map_err(perr)?;
    crate::store::atomic::commit(file, &tmp, path)
}

/// Write (or replace) the partition of `day` as a folder of its own: built under a hidden
/// name, then swapped into place in one step (`store::atomic::replace_dir`). `report` keeps a
/// day's facts inside its report folder instead (see [`link_day`]). Returns its size in bytes.
pub fn write_day(history: &Path, day: NaiveDate, facts: &DayFacts) -> Result<u64> {
    std::fs::create_dir_all(history).map_err(|e| Error::io(history, e))?;
    let dir = day_dir(history, day);
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("date").to_string();
    let tmp = history.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    write_facts(&tmp, facts)?;
    crate::store::atomic::replace_dir(&tmp, &dir)?;
    Ok(dir_size(&dir))
}

/// The folder of a day's facts inside its report folder (`<reports>/<day>/history`).
pub const FACTS_DIR: &str = "history";

/// Where `<reports>/history/date=D` points: the facts inside the day's report folder.
fn link_target(day: NaiveDate) -> PathBuf {
    Path::new("..").join(day.format("%Y-%m-%d").to_string()).join(FACTS_DIR)
}

/// Make `<history>/date=D` the link to `../D/history`, the facts inside the day's report
/// folder, so that one swap of that folder replaces the day's report and history together.
/// Readers of `history/` follow the link; a day whose report folder has no facts (no flows on
/// service ports) reads as absent. A partition written as a folder by an earlier version is
/// first moved into the report folder, when that folder has no facts yet.
pub fn link_day(history: &Path, day: NaiveDate) -> Result<()> {
    std::fs::create_dir_all(history).map_err(|e| Error::io(history, e))?;
    let link = day_dir(history, day);
    let meta = std::fs::symlink_metadata(&link);
    if meta.as_ref().is_ok_and(|m| m.is_dir()) {
        let facts = history.join(link_target(day));
        let report = facts.parent().unwrap_or(history);
        if report.is_dir() && !facts.exists() {
            std::fs::rename(&link, &facts).map_err(|e| Error::io(&link, e))?;
            crate::store::atomic::sync_dir(report);
        } else {
            // No report folder to move it into: its replacement arrives in one step.
            let old = history.join(format!(".{}.old-{}", day, std::process::id()));
            std::fs::rename(&link, &old).map_err(|e| Error::io(&link, e))?;
            let r = crate::store::atomic::replace_symlink(&link_target(day), &link);
            let _ = std::fs::remove_dir_all(&old);
            return r;
        }
    }
    crate::store::atomic::replace_symlink(&link_target(day), &link)
}

/// Links for report folders that hold facts but whose link is missing (a run killed between
/// moving an old partition and linking it): made again.
pub fn repair_links(reports: &Path, history: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(reports) else { return Ok(()) };
    for e in entries.flatten() {
        let Some(day) = e.file_name().to_str().and_then(|n| n.parse::<NaiveDate>().ok()) else {
            continue;
        };
        let link = day_dir(history, day);
        if e.path().join(FACTS_DIR).is_dir() && std::fs::symlink_metadata(&link).is_err() {
            tracing::warn!(day = %day, "history link missing: made again");
            link_day(history, day)?;
        }
    }
    Ok(())
}

/// Write the day's facts (`hops.parquet`, `links.parquet`) into the new folder `dir`.
pub fn write_facts(dir: &Path, facts: &DayFacts) -> Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tmp = dir;
    let h = &facts.hops;
    let hops = RecordBatch::try_new(
        hop_schema(),
        vec![
            text(h, |f| &f.client),
            text(h, |f| &f.server),
            text(h, |f| &f.service),
            int(h, |f| f.connections),
            int(h, |f| f.first_ms),
            int(h, |f| f.last_ms),
            Arc::new(Int32Array::from_iter_values(h.iter().map(|f| f.hours))),
            flag(h, |f| f.alerted),
        ],
    )
    .map_err(|e| Error::arrow("history hops", e))?;
    let l = &facts.links;
    let links = RecordBatch::try_new(
        link_schema(),
        vec![
            text(l, |f| &f.in_client),
            text(l, |f| &f.pivot),
            text(l, |f| &f.out_server),
            text(l, |f| &f.in_service),
            text(l, |f| &f.out_service),
            int(l, |f| f.links),
            int(l, |f| f.first_ms),
            flag(l, |f| f.alerted),
            int(l, |f| f.sole),
        ],
    )
    .map_err(|e| Error::arrow("history links", e))?;
    write_file(&tmp.join("hops.parquet"), &hops)?;
    write_file(&tmp.join("links.parquet"), &links)
}

/// Bytes of the files in `dir` (the history kept for a day).
pub fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| rd.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

fn read_file(path: &Path) -> Result<Vec<RecordBatch>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let perr = |e| Error::Parquet { path: path.to_path_buf(), source: e };
    let reader =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(perr)?.build().map_err(perr)?;
    reader.map(|b| b.map_err(|e| Error::arrow(path.display().to_string(), e))).collect()
}

/// Read `path` with its text columns `dict` as dictionaries (Int32 keys, as Parquet stores
/// them): a filter on hosts then tests each distinct address once, not each row.
fn read_file_dict(path: &Path, dict: &[&str]) -> Result<Vec<RecordBatch>> {
    let perr = |e| Error::Parquet { path: path.to_path_buf(), source: e };
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let schema = ParquetRecordBatchReaderBuilder::try_new(file).map_err(perr)?.schema().clone();
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            if dict.contains(&f.name().as_str()) && f.data_type() == &DataType::Utf8 {
                let d = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
                Field::new(f.name(), d, f.is_nullable())
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    let options = parquet::arrow::arrow_reader::ArrowReaderOptions::new()
        .with_schema(Arc::new(Schema::new(fields)));
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    // Big batches: each carries its row group's whole dictionary, tested once per batch.
    let reader = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options)
        .map_err(perr)?
        .with_batch_size(1 << 20)
        .build()
        .map_err(perr)?;
    reader.map(|b| b.map_err(|e| Error::arrow(path.display().to_string(), e))).collect()
}

/// A dictionary column's keys and values, or an error naming the column.
fn dict_column<'a>(
    b: &'a RecordBatch,
    o: Origin,
    name: &str,
) -> Result<(&'a PrimitiveArray<Int32Type>, &'a StringArray)> {
    let a = b
        .column_by_name(name)
        .ok_or_else(|| Error::config(format!("{o:?}"), format!("no column {name}")))?;
    let d = a
        .as_dictionary_opt::<Int32Type>()
        .ok_or_else(|| Error::config(format!("{o:?}"), format!("column {name} is not text")))?;
    let values = d
        .values()
        .as_string_opt::<i32>()
        .ok_or_else(|| Error::config(format!("{o:?}"), format!("column {name} is not text")))?;
    Ok((d.keys(), values))
}

/// Read the partition of `day` (an error names the file when it is unreadable).
pub fn read_day(history: &Path, day: NaiveDate) -> Result<DayFacts> {
    read_day_about(history, day, None)
}

/// Read the partition of `day`, keeping only facts about the hosts in `interest` (hop facts
/// whose client or server is one, link facts whose pivot or inbound client is one); `None`
/// keeps everything.
/// Rows are tested on the column buffers, so facts about other hosts cost no allocation.
pub fn read_day_about(
    history: &Path,
    day: NaiveDate,
    interest: Option<&std::collections::HashSet<String>>,
) -> Result<DayFacts> {
    let wanted = |h: &str| interest.is_none_or(|set| set.contains(h));
    let dir = day_dir(history, day);
    let mut facts = DayFacts::default();
    let path = dir.join("hops.parquet");
    let o = Origin::File(&path);
    let batches = read_file_dict(&path, &["client", "server", "service"])?;
    // Per batch: which dictionary values are hosts of interest (tested once each).
    let mut masks: Vec<(Vec<bool>, Vec<bool>)> = Vec::with_capacity(batches.len());
    for b in &batches {
        let (_, cv) = dict_column(b, o, "client")?;
        let (_, sv) = dict_column(b, o, "server")?;
        let m = |v: &StringArray| (0..v.len()).map(|i| wanted(v.value(i))).collect::<Vec<bool>>();
        masks.push((m(cv), m(sv)));
    }
    // Counterparts per host of interest, to sum up the busy ones.
    let mut count: HashMap<&str, (usize, usize)> = HashMap::new();
    if interest.is_some() {
        for (b, (mc, ms)) in batches.iter().zip(&masks) {
            let ((ck, cv), (sk, sv)) = (dict_column(b, o, "client")?, dict_column(b, o, "server")?);
            for i in 0..b.num_rows() {
                let (c, s) = (ck.value(i) as usize, sk.value(i) as usize);
                if mc[c] {
                    count.entry(cv.value(c)).or_default().0 += 1;
                }
                if ms[s] {
                    count.entry(sv.value(s)).or_default().1 += 1;
                }
            }
        }
    }
    let busy_as = |h: &str, server: bool| {
        count.get(h).is_some_and(|n| if server { n.1 } else { n.0 } > BUSY_FACTS)
    };
    let mut summed: BTreeMap<(String, bool), BusyFact> = BTreeMap::new();
    for (b, (mc, ms)) in batches.iter().zip(&masks) {
        let ((ck, cv), (sk, sv)) = (dict_column(b, o, "client")?, dict_column(b, o, "server")?);
        let (vk, vv) = dict_column(b, o, "service")?;
        let (n, f, l) = (
            typed::<Int64Type>(b, o, "connections")?,
            typed::<Int64Type>(b, o, "first_ms")?,
            typed::<Int64Type>(b, o, "last_ms")?,
        );
        let hours = typed::<Int32Type>(b, o, "hours")?;
        for i in 0..b.num_rows() {
            let (c, s) = (ck.value(i) as usize, sk.value(i) as usize);
            let (wc, ws) = (mc[c], ms[s]);
            if !wc && !ws {
                continue;
            }
            let (ci, si, vi) = (cv.value(c), sv.value(s), vv.value(vk.value(i) as usize));
            // Keep the row when both ends are watched, or when a watched end is not
            // busy in that role; otherwise it is summed into the busy host's fact.
            let client_kept = wc && (ws || !busy_as(ci, false));
            let keep = client_kept || (ws && !busy_as(si, true));
            if !keep {
                let (host, as_server) = if wc { (ci, false) } else { (si, true) };
                let e = summed.entry((host.to_string(), as_server)).or_insert_with(|| BusyFact {
                    host: host.to_string(),
                    as_server,
                    services: Vec::new(),
                    hours: 0,
                    connections: 0,
                });
                if !e.services.iter().any(|x| x == vi) {
                    e.services.push(vi.to_string());
                }
                e.hours |= hours.value(i);
                e.connections += n.value(i);
                continue;
            }
            facts.hops.push(HopFact {
                client: ci.to_string(),
                server: si.to_string(),
                service: vi.to_string(),
                connections: n.value(i),
                first_ms: f.value(i),
                last_ms: l.value(i),
                hours: hours.value(i),
                alerted: alerted_at(b, i),
            });
        }
    }
    facts.busy = summed.into_values().collect();
    let path = dir.join("links.parquet");
    let o = Origin::File(&path);
    for b in read_file(&path)? {
        let (a, p, t) =
            (texts(&b, o, "in_client")?, texts(&b, o, "pivot")?, texts(&b, o, "out_server")?);
        let (vi, vo) = (texts(&b, o, "in_service")?, texts(&b, o, "out_service")?);
        let (n, f) = (typed::<Int64Type>(&b, o, "links")?, typed::<Int64Type>(&b, o, "first_ms")?);
        // `sole` is missing in partitions written before it: count every link as its own.
        let sole = b.column_by_name("sole").and_then(|a| a.as_primitive_opt::<Int64Type>());
        for i in 0..b.num_rows() {
            if !wanted(p.value(i)) && !wanted(a.value(i)) {
                continue;
            }
            facts.links.push(LinkFact {
                in_client: a.value(i).to_string(),
                pivot: p.value(i).to_string(),
                out_server: t.value(i).to_string(),
                in_service: vi.value(i).to_string(),
                out_service: vo.value(i).to_string(),
                links: n.value(i),
                first_ms: f.value(i),
                sole: sole.map_or(n.value(i), |s| s.value(i)),
                alerted: alerted_at(&b, i),
            });
        }
    }
    Ok(facts)
}

/// Novelty record of one actor: on how many of its active days (after its first) it did
/// something new of one kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Novelty {
    /// Days active with at least one earlier active day in the window.
    pub eligible_days: u32,
    /// Of those, days with something new.
    pub novel_days: u32,
}

impl Novelty {
    /// Surprise in bits of "something new today" for this actor, from its own record with a
    /// Laplace prior: -log2((novel + 1) / (eligible + 2)). 1 bit with no record; near 0 for an
    /// actor that does new things every day; large for one that never does.
    pub fn surprise(&self) -> f64 {
        let p = (f64::from(self.novel_days) + 1.0) / (f64::from(self.eligible_days) + 2.0);
        -p.log2()
    }

    fn record(&mut self, was_active_before: bool, novel: bool) {
        if was_active_before {
            self.eligible_days += 1;
            self.novel_days += u32::from(novel);
        }
    }
}

/// What the history says, ready for scoring.
#[derive(Debug, Default)]
pub struct Baseline {
    /// Days of history read (partitions present before the report day, within the window).
    pub days: usize,
    /// Days the window asks for.
    pub days_wanted: usize,
    /// Weekend days among `days`.
    pub weekend_days: usize,
    /// Days each host opened an admin session (as a hop client).
    pub client_days: HashMap<String, u32>,
    /// (client, service) pairs seen.
    pub client_services: HashSet<(String, String)>,
    /// Per client: bit h set when it started a connection in UTC hour h.
    pub client_hours: HashMap<String, u32>,
    /// Clients seen opening connections on a Saturday or Sunday.
    pub client_weekend: HashSet<String>,
    /// Per client: weekend days (of `weekend_days`) it opened connections on.
    pub client_weekend_days: HashMap<String, u32>,
    /// Per client: days it reached a new (server, service).
    pub client_new_pairs: HashMap<String, Novelty>,
    /// (client, server, service) seen.
    pub pairs: HashSet<(String, String, String)>,
    /// (server, service) pairs seen.
    pub server_services: HashSet<(String, String)>,
    /// Per server: days it had a connection from a new (client, service).
    pub server_new_clients: HashMap<String, Novelty>,
    /// Days each host served an admin connection.
    pub server_days: HashMap<String, u32>,
    /// Days each host relayed (was the pivot of a continuation).
    pub pivot_days: HashMap<String, u32>,
    /// (pivot, outbound service) pairs it relayed over.
    pub pivot_services: HashSet<(String, String)>,
    /// (pivot, outbound server, service) it relayed to.
    pub pivot_targets: HashSet<(String, String, String)>,
    /// Per pivot: relaying days with a new target.
    pub pivot_new_targets: HashMap<String, Novelty>,
    /// (pivot, inbound client) pairs it relayed for.
    pub pivot_inbound: HashSet<(String, String)>,
    /// Per pivot: relaying days with a new inbound client.
    pub pivot_new_inbound: HashMap<String, Novelty>,
    /// Days each (client, server, service) was the deciding hop of an alert.
    pub alerted_days: HashMap<(String, String, String), u32>,
    /// Alerted hop facts left out of the baseline (not yet alerted on `ALERTS_BEFORE_ROUTINE`
    /// days).
    pub withheld: usize,
    /// Per client: of its days with a new server, those on which a new server was in a
    /// network group (`group`) and service it never reached before.
    pub client_new_groups: HashMap<String, Novelty>,
    /// (client, group/service) reached.
    pub client_groups: HashSet<(String, String)>,
    /// Days each host reached something through a relay (was the only possible inbound client
    /// of a continuation: `LinkFact::sole`).
    pub reach_days: HashMap<String, u32>,
    /// (origin, end target, service): what a host itself reached through a relay.
    pub reach: HashSet<(String, String, String)>,
    /// (origin, service) reached through a relay.
    pub reach_services: HashSet<(String, String)>,
    /// (origin, group/service of the end target) reached through a relay.
    pub reach_groups: HashSet<(String, String)>,
    /// Per origin: reaching days with a new end target.
    pub reach_new_targets: HashMap<String, Novelty>,
    /// Per origin: of its reaching days with a new end target, those with a new group.
    pub reach_new_groups: HashMap<String, Novelty>,
    /// Clients of each server (from `pairs`), sorted.
    pub clients_of: HashMap<String, Vec<String>>,
    /// Servers of each client (from `pairs`), sorted.
    pub servers_of: HashMap<String, Vec<String>>,
    /// Relays each host reached things through, and what: in_client → (pivot, out_server).
    pub reached_via: HashMap<String, Vec<(String, String)>>,
    /// Services per client, per relay (outbound) and per origin reaching through relays: the
    /// lists the findings name ("it used ssh, rdp").
    pub service_lists: [HashMap<String, Vec<String>>; 3],
    /// Hosts with more than `BUSY_FACTS` counterparts on a day (busy servers, scanners): their
    /// facts with hosts of no interest were summed up, so their lists are not complete.
    pub busy: HashSet<String>,
    /// Acknowledgements in force (`ack`), oldest first.
    pub acks: Vec<super::ack::Ack>,
    /// (pivot, inbound service, outbound service) of continuations with one possible parent:
    /// what a relay routinely relays for one session alone.
    pub relay_patterns: HashSet<(String, String, String)>,
    /// Continuations with one possible parent per (pivot, outbound service): how often a
    /// relay was seen relaying a lone session onward over that service.
    pub pattern_count: HashMap<(String, String), i64>,
    /// Admin connections each host opened (over the days read).
    pub client_sessions: HashMap<String, i64>,
    /// Days each (client, service) opened a connection.
    pub client_service_days: HashMap<(String, String), u32>,
    /// (origin, end target) of every continuation, ambiguous ones included: what a host may
    /// have reached through a relay.
    pub reach_any: HashSet<(String, String)>,
    /// (origin, outbound service) of every continuation, ambiguous ones included.
    pub reach_any_services: HashSet<(String, String)>,
    /// (origin, network group of the end target), any service: groups a host reached through
    /// a relay.
    pub reach_group_any: HashSet<(String, String)>,
}

/// The network group of an address: its /24 (IPv4) or /64 (IPv6); anything else is its own
/// group. Hosts of one group usually share a role (a VLAN): a new server in a group a client
/// always reaches is less surprising than one in a group it never touched.
pub fn group(addr: &str) -> String {
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => {
            let o = a.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        Ok(std::net::IpAddr::V6(a)) => {
            let s = a.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Err(_) => addr.to_string(),
    }
}

/// `group` of a server and the service: the unit of "the same kind of server".
pub fn kind(server: &str, service: &str) -> String {
    format!("{} {service}", group(server))
}

/// An alert's deciding hop stays out of the baseline (so it alerts again) until it has been
/// alerted on this many days; from then on the recurring pattern counts as routine.
pub const ALERTS_BEFORE_ROUTINE: u32 = 3;

impl Baseline {
    /// Build from the facts of consecutive earlier days, oldest first.
    pub fn from_days(days: &[(NaiveDate, DayFacts)], days_wanted: usize) -> Self {
        let mut b = Baseline { days: days.len(), days_wanted, ..Baseline::default() };
        for (date, all) in days {
            let facts = &b.learnable(all);
            let weekend = is_weekend(*date);
            b.weekend_days += usize::from(weekend);
            // Per client: active before today? anything new today?
            let mut new_pair: BTreeMap<&str, bool> = BTreeMap::new();
            for f in &facts.hops {
                let key = (f.client.clone(), f.server.clone(), f.service.clone());
                let novel = !b.pairs.contains(&key);
                *new_pair.entry(&f.client).or_default() |= novel;
            }
            for x in all.busy.iter().filter(|x| !x.as_server) {
                new_pair.insert(&x.host, true);
            }
            for (client, novel) in new_pair {
                let before = b.client_days.contains_key(client);
                b.client_new_pairs.entry(client.to_string()).or_default().record(before, novel);
            }
            // Of the clients' days with a new server: was one in a new group?
            let mut new_group: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
            for f in &facts.hops {
                let e = new_group.entry(&f.client).or_default();
                if !b.pairs.contains(&(f.client.clone(), f.server.clone(), f.service.clone())) {
                    e.0 = true;
                    e.1 |=
                        !b.client_groups.contains(&(f.client.clone(), kind(&f.server, &f.service)));
                }
            }
            for (client, (novel, novel_group)) in new_group {
                if b.client_days.contains_key(client) && novel {
                    b.client_new_groups
                        .entry(client.to_string())
                        .or_default()
                        .record(true, novel_group);
                }
            }
            // What each origin reached through relays: new end target, new group.
            let mut new_reach: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
            for l in facts.links.iter().filter(|l| l.sole > 0) {
                let e = new_reach.entry(&l.in_client).or_default();
                if !b.reach.contains(&(
                    l.in_client.clone(),
                    l.out_server.clone(),
                    l.out_service.clone(),
                )) {
                    e.0 = true;
                    e.1 |= !b
                        .reach_groups
                        .contains(&(l.in_client.clone(), kind(&l.out_server, &l.out_service)));
                }
            }
            for (origin, (novel, novel_group)) in new_reach {
                let before = b.reach_days.contains_key(origin);
                b.reach_new_targets.entry(origin.to_string()).or_default().record(before, novel);
                if before && novel {
                    b.reach_new_groups
                        .entry(origin.to_string())
                        .or_default()
                        .record(true, novel_group);
                }
            }
            let mut new_client: BTreeMap<&str, bool> = BTreeMap::new();
            for f in &facts.hops {
                let key = (f.client.clone(), f.server.clone(), f.service.clone());
                *new_client.entry(&f.server).or_default() |= !b.pairs.contains(&key);
            }
            for x in all.busy.iter().filter(|x| x.as_server) {
                new_client.insert(&x.host, true);
            }
            for (server, novel) in new_client {
                let before = b.server_days.contains_key(server);
                b.server_new_clients.entry(server.to_string()).or_default().record(before, novel);
            }
            let mut new_inbound: BTreeMap<&str, bool> = BTreeMap::new();
            for l in &facts.links {
                let novel = !b.pivot_inbound.contains(&(l.pivot.clone(), l.in_client.clone()));
                *new_inbound.entry(&l.pivot).or_default() |= novel;
            }
            for (pivot, novel) in new_inbound {
                let before = b.pivot_days.contains_key(pivot);
                b.pivot_new_inbound.entry(pivot.to_string()).or_default().record(before, novel);
            }
            let mut new_target: BTreeMap<&str, bool> = BTreeMap::new();
            for l in &facts.links {
                let novel = !b.pivot_targets.contains(&(
                    l.pivot.clone(),
                    l.out_server.clone(),
                    l.out_service.clone(),
                ));
                *new_target.entry(&l.pivot).or_default() |= novel;
            }
            for (pivot, novel) in new_target {
                let before = b.pivot_days.contains_key(pivot);
                b.pivot_new_targets.entry(pivot.to_string()).or_default().record(before, novel);
            }
            // Now fold today in.
            let mut clients: HashSet<&str> = HashSet::new();
            let mut servers: HashSet<&str> = HashSet::new();
            for f in &facts.hops {
                clients.insert(&f.client);
                servers.insert(&f.server);
                b.client_services.insert((f.client.clone(), f.service.clone()));
                *b.client_hours.entry(f.client.clone()).or_default() |= f.hours as u32;
                if weekend {
                    b.client_weekend.insert(f.client.clone());
                }
                let key = (f.client.clone(), f.server.clone(), f.service.clone());
                b.pairs.insert(key);
                b.server_services.insert((f.server.clone(), f.service.clone()));
                b.client_groups.insert((f.client.clone(), kind(&f.server, &f.service)));
                *b.client_sessions.entry(f.client.clone()).or_default() += f.connections;
            }
            for x in &all.busy {
                b.busy.insert(x.host.clone());
                if x.as_server {
                    servers.insert(&x.host);
                    for v in &x.services {
                        b.server_services.insert((x.host.clone(), v.clone()));
                    }
                } else {
                    clients.insert(&x.host);
                    *b.client_hours.entry(x.host.clone()).or_default() |= x.hours as u32;
                    *b.client_sessions.entry(x.host.clone()).or_default() += x.connections;
                    if weekend {
                        b.client_weekend.insert(x.host.clone());
                    }
                    for v in &x.services {
                        b.client_services.insert((x.host.clone(), v.clone()));
                    }
                }
            }
            if weekend {
                for c in &clients {
                    *b.client_weekend_days.entry(c.to_string()).or_default() += 1;
                }
            }
            for c in clients {
                *b.client_days.entry(c.to_string()).or_default() += 1;
            }
            let mut used: HashSet<(&str, &str)> = HashSet::new();
            for f in &facts.hops {
                used.insert((&f.client, &f.service));
            }
            for x in all.busy.iter().filter(|x| !x.as_server) {
                for v in &x.services {
                    used.insert((&x.host, v));
                }
            }
            for (c, v) in used {
                *b.client_service_days.entry((c.to_string(), v.to_string())).or_default() += 1;
            }
            for x in servers {
                *b.server_days.entry(x.to_string()).or_default() += 1;
            }
            let mut pivots: HashSet<&str> = HashSet::new();
            for l in &facts.links {
                pivots.insert(&l.pivot);
                b.pivot_inbound.insert((l.pivot.clone(), l.in_client.clone()));
                b.pivot_services.insert((l.pivot.clone(), l.out_service.clone()));
                b.pivot_targets.insert((
                    l.pivot.clone(),
                    l.out_server.clone(),
                    l.out_service.clone(),
                ));
            }
            for p in pivots {
                *b.pivot_days.entry(p.to_string()).or_default() += 1;
            }
            for l in &facts.links {
                b.reach_any.insert((l.in_client.clone(), l.out_server.clone()));
                b.reach_any_services.insert((l.in_client.clone(), l.out_service.clone()));
            }
            let mut origins: HashSet<&str> = HashSet::new();
            for l in facts.links.iter().filter(|l| l.sole > 0) {
                origins.insert(&l.in_client);
                *b.pattern_count.entry((l.pivot.clone(), l.out_service.clone())).or_default() +=
                    l.sole;
                b.reach_group_any.insert((l.in_client.clone(), group(&l.out_server)));
                b.relay_patterns.insert((
                    l.pivot.clone(),
                    l.in_service.clone(),
                    l.out_service.clone(),
                ));
                b.reach.insert((l.in_client.clone(), l.out_server.clone(), l.out_service.clone()));
                b.reach_services.insert((l.in_client.clone(), l.out_service.clone()));
                b.reach_groups.insert((l.in_client.clone(), kind(&l.out_server, &l.out_service)));
                let via = b.reached_via.entry(l.in_client.clone()).or_default();
                let x = (l.pivot.clone(), l.out_server.clone());
                if !via.contains(&x) {
                    via.push(x);
                }
            }
            for o in origins {
                *b.reach_days.entry(o.to_string()).or_default() += 1;
            }
        }
        for (c, s, _) in &b.pairs {
            b.clients_of.entry(s.clone()).or_default().push(c.clone());
            b.servers_of.entry(c.clone()).or_default().push(s.clone());
        }
        for v in b.clients_of.values_mut().chain(b.servers_of.values_mut()) {
            v.sort_unstable();
            v.dedup();
        }
        for v in b.reached_via.values_mut() {
            v.sort_unstable();
        }
        let mut lists: [HashMap<String, Vec<String>>; 3] = Default::default();
        for (k, set) in
            [&b.client_services, &b.pivot_services, &b.reach_services].into_iter().enumerate()
        {
            for (h, v) in set {
                lists[k].entry(h.clone()).or_default().push(v.clone());
            }
        }
        for m in &mut lists {
            for v in m.values_mut() {
                v.sort_unstable();
            }
        }
        b.service_lists = lists;
        b
    }
}

impl Baseline {
    /// The facts of a day the baseline may learn from: everything but alerted facts whose
    /// pattern has not yet been alerted on `ALERTS_BEFORE_ROUTINE` days (counting this one).
    fn learnable(&mut self, facts: &DayFacts) -> DayFacts {
        let mut out = DayFacts::default();
        let mut learned: HashSet<(String, String, String)> = HashSet::new();
        for f in &facts.hops {
            let key = (f.client.clone(), f.server.clone(), f.service.clone());
            if f.alerted {
                let n = self.alerted_days.entry(key.clone()).or_default();
                *n += 1;
                if *n < ALERTS_BEFORE_ROUTINE {
                    self.withheld += 1;
                    continue;
                }
                learned.insert(key);
            }
            out.hops.push(f.clone());
        }
        out.links = facts
            .links
            .iter()
            .filter(|l| {
                !l.alerted
                    || learned.contains(&(
                        l.pivot.clone(),
                        l.out_server.clone(),
                        l.out_service.clone(),
                    ))
            })
            .cloned()
            .collect();
        out
    }
}

/// Read the history of the `days` days before `day` (only those present) into a baseline,
/// with only the facts about the hosts in `interest` (`None`: all; see `read_day_about`): every
/// lookup the scorer makes is keyed by a host of the chains being scored, so the baseline of
/// tonight's chain hosts is exact while months of history about everyone else are skipped.
pub fn load_about(
    history: &Path,
    day: NaiveDate,
    days: usize,
    interest: Option<&std::collections::HashSet<String>>,
) -> Result<Baseline> {
    let present: Vec<NaiveDate> = (1..=days as i64)
        .rev()
        .map(|k| day - chrono::Duration::days(k))
        .filter(|d| day_dir(history, *d).is_dir())
        .collect();
    // The days are read on all cores (each a Parquet decode and a filter), kept in order.
    let workers =
        std::thread::available_parallelism().map_or(1, |n| n.get()).min(present.len().max(1));
    let mut read: Vec<Option<Result<DayFacts>>> = (0..present.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let chunks: Vec<_> = read.chunks_mut(present.len().div_ceil(workers).max(1)).collect();
        let mut start = 0;
        for chunk in chunks {
            let days = &present[start..start + chunk.len()];
            start += chunk.len();
            scope.spawn(move || {
                for (slot, d) in chunk.iter_mut().zip(days) {
                    *slot = Some(read_day_about(history, *d, interest));
                }
            });
        }
    });
    let mut facts = Vec::with_capacity(present.len());
    for (d, r) in present.into_iter().zip(read) {
        facts.push((d, r.expect("every day read")?));
    }
    tracing::debug!(
        hop_facts = facts.iter().map(|f| f.1.hops.len()).sum::<usize>(),
        link_facts = facts.iter().map(|f| f.1.links.len()).sum::<usize>(),
        busy = facts.iter().map(|f| f.1.busy.len()).sum::<usize>(),
        "history days read"
    );
    // Acknowledged patterns count as learned on their day (see `ack`).
    let acks = super::ack::Acks::load(history)?;
    let in_force = acks.in_force(day, days);
    super::ack::apply(&mut facts, &in_force);
    let mut b = Baseline::from_days(&facts, days);
    b.acks = in_force.into_iter().cloned().collect();
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty temporary history folder for one test (`pivotflow-history{suffix}-PID`).
    fn fresh_dir(suffix: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("pivotflow-history{suffix}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn hop(c: &str, s: &str, start: i64) -> Hop {
        Hop {
            client_addr: c.into(),
            server_addr: s.into(),
            service: "ssh".into(),
            start_ms: start,
            end_ms: start + 600_000,
            sessions: 1,
            ..Hop::default()
        }
    }

    #[test]
    fn a_day_round_trips_and_a_rewrite_replaces_it() {
        let dir = fresh_dir("");
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let hops =
            vec![hop("A", "J", 3_600_000), hop("J", "S", 3_700_000), hop("A", "J", 7_300_000)];
        let facts = DayFacts::from_hops(&hops, &[(0, 1)]);
        assert_eq!(facts.hops.len(), 2);
        assert_eq!(facts.hops[0].connections, 2);
        assert_eq!(facts.hops[0].hours, 0b110, "hours 1 and 2");
        assert_eq!(facts.links.len(), 1);
        write_day(&dir, day, &facts).unwrap();
        assert_eq!(read_day(&dir, day).unwrap(), facts);
        write_day(&dir, day, &DayFacts::default()).unwrap();
        assert_eq!(read_day(&dir, day).unwrap(), DayFacts::default());
        // The report day itself and later days are never read.
        write_day(&dir, day, &facts).unwrap();
        assert_eq!(load_about(&dir, day, 7, None).unwrap().days, 0);
        let b = load_about(&dir, day + chrono::Duration::days(1), 7, None).unwrap();
        assert_eq!((b.days, b.client_days["A"], b.pivot_days["J"]), (1, 1, 1));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_alerted_pattern_stays_out_of_the_baseline_until_alerted_on_three_days() {
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let deciding: HashSet<(String, String, String)> =
            [("J".to_string(), "T".to_string(), "ssh".to_string())].into();
        let day = |k: i64, alerted: bool| {
            let hops = vec![hop("A", "J", 0), hop("J", "T", 60_000)];
            let mut f = DayFacts::from_hops(&hops, &[(0, 1)]);
            if alerted {
                assert_eq!(f.mark_alerted(&deciding), 1);
            }
            (d0 + chrono::Duration::days(k), f)
        };
        let knows = |days: &[(NaiveDate, DayFacts)]| {
            let b = Baseline::from_days(days, 28);
            (
                b.pairs.contains(&("J".into(), "T".into(), "ssh".into())),
                b.pivot_days.contains_key("J"),
                b.withheld,
            )
        };
        assert_eq!(knows(&[day(0, true)]), (false, false, 1), "an alert teaches nothing");
        assert_eq!(knows(&[day(0, true), day(1, true)]), (false, false, 2));
        assert_eq!(
            knows(&[day(0, true), day(1, true), day(2, true)]),
            (true, true, 2),
            "learned on the third"
        );
        assert_eq!(knows(&[day(0, false)]), (true, true, 0));
        // The round trip keeps the mark.
        let dir = fresh_dir("-alerted");
        let (d, f) = day(0, true);
        write_day(&dir, d, &f).unwrap();
        assert_eq!(read_day(&dir, d).unwrap(), f);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_baseline_about_some_hosts_answers_like_the_full_one_for_them() {
        let dir = fresh_dir("-about");
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let hosts = ["A", "B", "J", "K", "S", "T", "X"];
        for k in 0..6u32 {
            // A varied week: each day a different mix of sessions and continuations.
            let mut hops = Vec::new();
            for (i, c) in hosts.iter().enumerate() {
                let s = hosts[(i + 1 + (k as usize) % 3) % hosts.len()];
                hops.push(hop(c, s, i64::from(k * 7 + i as u32) * 3_600_000 % 86_400_000));
            }
            let pairs: Vec<(usize, usize)> = (0..hops.len())
                .flat_map(|p| (0..hops.len()).map(move |c| (p, c)))
                .filter(|&(p, c)| p != c && hops[c].client_addr == hops[p].server_addr)
                .collect();
            write_day(
                &dir,
                d0 + chrono::Duration::days(i64::from(k)),
                &DayFacts::from_hops(&hops, &pairs),
            )
            .unwrap();
        }
        let day = d0 + chrono::Duration::days(6);
        let full = load_about(&dir, day, 28, None).unwrap();
        let interest: std::collections::HashSet<String> = ["J".to_string(), "S".to_string()].into();
        let about = load_about(&dir, day, 28, Some(&interest)).unwrap();
        assert_eq!(about.days, full.days);
        for h in &interest {
            assert_eq!(about.client_days.get(h), full.client_days.get(h), "{h}");
            assert_eq!(about.client_new_pairs.get(h), full.client_new_pairs.get(h), "{h}");
            assert_eq!(about.server_new_clients.get(h), full.server_new_clients.get(h), "{h}");
            assert_eq!(about.pivot_days.get(h), full.pivot_days.get(h), "{h}");
            assert_eq!(about.pivot_new_targets.get(h), full.pivot_new_targets.get(h), "{h}");
            assert_eq!(about.pivot_new_inbound.get(h), full.pivot_new_inbound.get(h), "{h}");
            assert_eq!(about.client_hours.get(h), full.client_hours.get(h), "{h}");
            for other in hosts {
                for key in [(h.clone(), other.to_string()), (other.to_string(), h.clone())] {
                    let k3 = (key.0.clone(), key.1.clone(), "ssh".to_string());
                    assert_eq!(about.pairs.contains(&k3), full.pairs.contains(&k3), "{k3:?}");
                }
                let t = (h.clone(), other.to_string(), "ssh".to_string());
                assert_eq!(about.pivot_targets.contains(&t), full.pivot_targets.contains(&t));
                let i = (h.clone(), other.to_string());
                assert_eq!(about.pivot_inbound.contains(&i), full.pivot_inbound.contains(&i));
            }
        }
        assert!(about.pairs.len() < full.pairs.len(), "facts about other hosts were skipped");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_busy_server_is_summed_up_and_its_pairs_with_hosts_of_interest_kept() {
        let dir = fresh_dir("-busy");
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        for k in 0..3 {
            // S has BUSY_FACTS + 50 clients a day (a popular server); A reaches S and J.
            let mut hops: Vec<Hop> = (0..BUSY_FACTS + 50)
                .map(|i| hop(&format!("10.64.{}.{}", i / 250, i % 250 + 1), "S", 3_600_000))
                .collect();
            hops.push(hop("A", "S", 7_200_000));
            hops.push(hop("A", "J", 7_200_000));
            write_day(&dir, d0 + chrono::Duration::days(k), &DayFacts::from_hops(&hops, &[]))
                .unwrap();
        }
        let interest: std::collections::HashSet<String> = ["S".to_string(), "A".to_string()].into();
        let f = read_day_about(&dir, d0, Some(&interest)).unwrap();
        assert_eq!(f.hops.len(), 2, "only A → S and A → J are kept: {:?}", f.hops);
        assert_eq!(f.busy.len(), 1);
        assert!(f.busy[0].as_server && f.busy[0].host == "S" && f.busy[0].services == ["ssh"]);
        let b = load_about(&dir, d0 + chrono::Duration::days(3), 28, Some(&interest)).unwrap();
        let full = load_about(&dir, d0 + chrono::Duration::days(3), 28, None).unwrap();
        // What the score asks about S and A is the same as with every fact read, but that a
        // busy day counts as a day with a new client (here the same 250 every day: the one
        // thing the summary cannot know; a new client of a busy server is never surprising).
        assert_eq!(b.server_days.get("S"), full.server_days.get("S"));
        assert_eq!(full.server_new_clients["S"], Novelty { eligible_days: 2, novel_days: 0 });
        assert_eq!(b.server_new_clients["S"], Novelty { eligible_days: 2, novel_days: 2 });
        assert_eq!(b.client_days.get("A"), full.client_days.get("A"));
        assert!(b.pairs.contains(&("A".into(), "S".into(), "ssh".into())));
        assert!(b.busy.contains("S") && !b.busy.contains("A"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn novelty_counts_only_days_after_the_first() {
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let day = |k: i64, servers: &[&str]| {
            let hops: Vec<Hop> = servers.iter().map(|s| hop("A", s, 0)).collect();
            (d0 + chrono::Duration::days(k), DayFacts::from_hops(&hops, &[]))
        };
        // Day 0: S1 (first day, not counted); day 1: S1 again; day 2: S2 new; day 3: S1.
        let b = Baseline::from_days(
            &[day(0, &["S1"]), day(1, &["S1"]), day(2, &["S2"]), day(3, &["S1"])],
            7,
        );
        assert_eq!(b.client_new_pairs["A"], Novelty { eligible_days: 3, novel_days: 1 });
        assert!((b.client_new_pairs["A"].surprise() - (5f64 / 2.0).log2()).abs() < 1e-9);
        assert!(Novelty { eligible_days: 6, novel_days: 6 }.surprise() < 0.2);
    }
}
