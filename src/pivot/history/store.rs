//! A day's facts on disk: Parquet schemas, writing a day into its report folder and linking
//! it from `history/date=D`, reading the days back (all facts, or those about some hosts).

use std::collections::BTreeMap;

use hashbrown::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::{
    Array, AsArray, BooleanArray, Int32Array, Int64Array, PrimitiveArray, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Int64Type, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::{Error, Result};
use crate::pivot::columns::{Origin, texts, typed};

use super::*;

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
        i("prompt"),
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

/// `<history>/date=YYYY-MM-DD`.
pub fn day_dir(history: &Path, day: NaiveDate) -> PathBuf {
    history.join(format!("date={}", day.format("%Y-%m-%d")))
}

/// Write `batch` to `path` (atomically): each row group's columns encoded on threads of their
/// own, then appended in order. The end of a night is a write of ~1.2 M hop facts at 100 M
/// flows, and one thread encoding eight columns left the other core idle.
fn write_file(path: &Path, batch: &RecordBatch) -> Result<()> {
    use parquet::arrow::arrow_writer::{ArrowColumnChunk, compute_leaves};
    let tmp = crate::store::atomic::temp_path(path);
    let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let perr = |e| Error::Parquet { path: path.to_path_buf(), source: e };
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .set_created_by(concat!("pivotflow ", env!("CARGO_PKG_VERSION")).to_string())
        .build();
    let rows_per_group = props.max_row_group_row_count().unwrap_or(usize::MAX).max(1);
    let w = ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(perr)?;
    let (mut writer, columns) = w.into_serialized_writer().map_err(perr)?;
    let schema = batch.schema();
    let (mut start, mut group) = (0, 0);
    while start < batch.num_rows() {
        let part = batch.slice(start, (batch.num_rows() - start).min(rows_per_group));
        let writers = columns.create_column_writers(group).map_err(perr)?;
        // One writer per field: the facts' columns are flat (a nested one has several leaves).
        if writers.len() != schema.fields().len() {
            return Err(Error::Internal { detail: format!("{}: nested columns", path.display()) });
        }
        let chunks: Vec<parquet::errors::Result<ArrowColumnChunk>> = std::thread::scope(|s| {
            let encoding: Vec<_> = writers
                .into_iter()
                .zip(part.columns().iter().zip(schema.fields()))
                .map(|(mut w, (column, field))| {
                    s.spawn(move || {
                        for leaf in compute_leaves(field, column)? {
                            w.write(&leaf)?;
                        }
                        w.close()
                    })
                })
                .collect();
            encoding
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(parquet::errors::ParquetError::General(
                            "a column encoder panicked".into(),
                        ))
                    })
                })
                .collect()
        });
        let mut row_group = writer.next_row_group().map_err(perr)?;
        for chunk in chunks {
            chunk.map_err(perr)?.append_to_row_group(&mut row_group).map_err(perr)?;
        }
        row_group.close().map_err(perr)?;
        start += part.num_rows();
        group += 1;
    }
    let file = writer.into_inner().map_err(perr)?;
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
            int(l, |f| f.prompt),
        ],
    )
    .map_err(|e| Error::arrow("history links", e))?;
    // The host index is built while the Parquet files are encoded (`index::Built`).
    let (parquet, built) = std::thread::scope(|s| {
        let built = s.spawn(|| super::index::build_for(&facts.hops));
        let parquet = write_file(&tmp.join("hops.parquet"), &hops)
            .and_then(|()| write_file(&tmp.join("links.parquet"), &links));
        (parquet, built.join())
    });
    parquet?;
    let built =
        built.map_err(|_| Error::Internal { detail: "building the host index panicked".into() })?;
    super::index::write(tmp, built)
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
/// them): a filter on hosts then tests each distinct address once, not each row. Columns in
/// `skip` are not read at all.
fn read_file_dict(path: &Path, dict: &[&str], skip: &[&str]) -> Result<Vec<RecordBatch>> {
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
    let builder =
        ParquetRecordBatchReaderBuilder::try_new_with_options(file, options).map_err(perr)?;
    let kept =
        (0..schema.fields().len()).filter(|&i| !skip.contains(&schema.field(i).name().as_str()));
    let mask = parquet::arrow::ProjectionMask::roots(builder.parquet_schema(), kept);
    // Big batches: each carries its row group's whole dictionary, tested once per batch.
    let reader = builder.with_projection(mask).with_batch_size(1 << 20).build().map_err(perr)?;
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
    read_day_with(history, day, None, Times::Read)
}

/// Whether hop facts' `first_ms`/`last_ms` are read: the baseline never asks them, and they
/// are two thirds of a day's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Times {
    /// Read them.
    Read,
    /// Leave them 0.
    Skip,
}

/// Read the partition of `day` for a baseline, keeping only facts about the hosts in
/// `interest` (hop facts whose client or server is one, link facts whose pivot or inbound
/// client is one; `None` keeps everything) and leaving hop facts' times 0 (`Times::Skip`).
pub fn read_day_about(
    history: &Path,
    day: NaiveDate,
    interest: Option<&std::collections::HashSet<String>>,
) -> Result<DayFacts> {
    read_day_with(history, day, interest, Times::Skip)
}

/// Read the partition of `day`: the facts about `interest` (see `read_day_about`), with or
/// without the hop facts' times. Rows are tested on the column buffers, so facts about other
/// hosts cost no allocation.
fn read_day_with(
    history: &Path,
    day: NaiveDate,
    interest: Option<&std::collections::HashSet<String>>,
    times: Times,
) -> Result<DayFacts> {
    let dir = day_dir(history, day);
    // The facts about some hosts, from the day's host index when it has one for its facts.
    if let (Some(set), Times::Skip) = (interest, times) {
        match super::index::read_about(&dir, set) {
            Ok(Some((hops, busy))) => {
                let links = read_link_facts(&dir.join("links.parquet"), interest)?;
                return Ok(DayFacts { hops, links, busy });
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "reading the day's hops.parquet instead"),
        }
    }
    let (hops, busy) = read_hop_facts(&dir.join("hops.parquet"), interest, times)?;
    let links = read_link_facts(&dir.join("links.parquet"), interest)?;
    Ok(DayFacts { hops, links, busy })
}

/// A day's hop facts about `interest` (see `read_day_about`), and the busy hosts' facts with
/// hosts of no interest summed up (`BusyFact`).
fn read_hop_facts(
    path: &Path,
    interest: Option<&std::collections::HashSet<String>>,
    times: Times,
) -> Result<(Vec<HopFact>, Vec<BusyFact>)> {
    let wanted = |h: &str| of_interest(interest, h);
    let mut hops = Vec::new();
    let o = Origin::File(path);
    let skip: &[&str] = if times == Times::Skip { &["first_ms", "last_ms"] } else { &[] };
    let batches = read_file_dict(path, &["client", "server", "service"], skip)?;
    // Per batch: which dictionary values are hosts of interest (tested once each).
    let mut masks: Vec<(Vec<bool>, Vec<bool>)> = Vec::with_capacity(batches.len());
    for b in &batches {
        let (_, cv) = dict_column(b, o, "client")?;
        let (_, sv) = dict_column(b, o, "server")?;
        let m = |v: &StringArray| (0..v.len()).map(|i| wanted(v.value(i))).collect::<Vec<bool>>();
        masks.push((m(cv), m(sv)));
    }
    let count =
        if interest.is_some() { counterparts(&batches, &masks, o)? } else { HashMap::new() };
    let busy_as = |h: &str, server: bool| {
        count.get(h).is_some_and(|n| if server { n.1 } else { n.0 } > BUSY_FACTS)
    };
    let mut summed: BTreeMap<(String, bool), BusyFact> = BTreeMap::new();
    for (b, (mc, ms)) in batches.iter().zip(&masks) {
        let ((ck, cv), (sk, sv)) = (dict_column(b, o, "client")?, dict_column(b, o, "server")?);
        let (vk, vv) = dict_column(b, o, "service")?;
        let n = typed::<Int64Type>(b, o, "connections")?;
        let (f, l) = match times {
            Times::Read => (
                Some(typed::<Int64Type>(b, o, "first_ms")?),
                Some(typed::<Int64Type>(b, o, "last_ms")?),
            ),
            Times::Skip => (None, None),
        };
        let hours = typed::<Int32Type>(b, o, "hours")?;
        // `alerted` is missing in partitions written before it: false.
        let alerted = b.column_by_name("alerted").and_then(|a| a.as_boolean_opt());
        // Per dictionary value, tested once: a watched host busy as client / as server.
        let busy = |values: &StringArray, mask: &[bool], server: bool| -> Vec<bool> {
            (0..values.len()).map(|k| mask[k] && busy_as(values.value(k), server)).collect()
        };
        let (busy_c, busy_s) = (busy(cv, mc, false), busy(sv, ms, true));
        // A busy host's facts with hosts of no interest, summed per dictionary value in this
        // batch, then into `summed` once per host (its services sorted).
        let mut batch_sums: HashMap<(usize, bool), (Vec<String>, i32, i64)> = HashMap::new();
        let mut order: Vec<(usize, bool)> = Vec::new();
        for i in 0..b.num_rows() {
            let (c, s) = (ck.value(i) as usize, sk.value(i) as usize);
            let key = match super::fate((mc[c], busy_c[c]), (ms[s], busy_s[s])) {
                super::Fate::Skip => continue,
                super::Fate::Keep => None,
                super::Fate::SumIntoClient => Some((c, false)),
                super::Fate::SumIntoServer => Some((s, true)),
            };
            let v = vk.value(i) as usize;
            if let Some(key) = key {
                let (services, h, c) = batch_sums.entry(key).or_insert_with(|| {
                    order.push(key);
                    Default::default()
                });
                let vi = vv.value(v);
                if !services.iter().any(|x| x == vi) {
                    services.push(vi.to_string());
                }
                *h |= hours.value(i);
                *c += n.value(i);
                continue;
            }
            hops.push(HopFact {
                client: cv.value(c).to_string(),
                server: sv.value(s).to_string(),
                service: vv.value(v).to_string(),
                connections: n.value(i),
                first_ms: f.map_or(0, |f| f.value(i)),
                last_ms: l.map_or(0, |l| l.value(i)),
                hours: hours.value(i),
                alerted: alerted.is_some_and(|a| a.value(i)),
            });
        }
        for key in order {
            let Some((services, h, c)) = batch_sums.remove(&key) else { continue };
            let host = if key.1 { sv.value(key.0) } else { cv.value(key.0) };
            let e = summed.entry((host.to_string(), key.1)).or_insert_with(|| BusyFact {
                host: host.to_string(),
                as_server: key.1,
                services: Vec::new(),
                hours: 0,
                connections: 0,
            });
            for v in services {
                if !e.services.contains(&v) {
                    e.services.push(v);
                }
            }
            e.services.sort_unstable();
            e.hours |= h;
            e.connections += c;
        }
    }
    Ok((hops, summed.into_values().collect()))
}

/// Per host of interest: its facts as client and as server (to sum up the busy ones).
fn counterparts<'b>(
    batches: &'b [RecordBatch],
    masks: &[(Vec<bool>, Vec<bool>)],
    o: Origin,
) -> Result<HashMap<&'b str, (usize, usize)>> {
    let mut count: HashMap<&str, (usize, usize)> = HashMap::new();
    for (b, (mc, ms)) in batches.iter().zip(masks) {
        let ((ck, cv), (sk, sv)) = (dict_column(b, o, "client")?, dict_column(b, o, "server")?);
        // Counted per dictionary value first, then added once per host.
        let (mut as_client, mut as_server) = (vec![0usize; cv.len()], vec![0usize; sv.len()]);
        for i in 0..b.num_rows() {
            let (c, s) = (ck.value(i) as usize, sk.value(i) as usize);
            as_client[c] += usize::from(mc[c]);
            as_server[s] += usize::from(ms[s]);
        }
        for (k, n) in as_client.into_iter().enumerate().filter(|x| x.1 > 0) {
            count.entry(cv.value(k)).or_default().0 += n;
        }
        for (k, n) in as_server.into_iter().enumerate().filter(|x| x.1 > 0) {
            count.entry(sv.value(k)).or_default().1 += n;
        }
    }
    Ok(count)
}

/// Whether facts about `h` are kept: it is in `interest`, or there is no interest set.
fn of_interest(interest: Option<&std::collections::HashSet<String>>, h: &str) -> bool {
    interest.is_none_or(|set| set.contains(h))
}

/// A day's link facts whose pivot or inbound client is of interest (`of_interest`).
fn read_link_facts(
    path: &Path,
    interest: Option<&std::collections::HashSet<String>>,
) -> Result<Vec<LinkFact>> {
    let wanted = |h: &str| of_interest(interest, h);
    let mut links = Vec::new();
    let o = Origin::File(path);
    for b in read_file(path)? {
        let (a, p, t) =
            (texts(&b, o, "in_client")?, texts(&b, o, "pivot")?, texts(&b, o, "out_server")?);
        let (vi, vo) = (texts(&b, o, "in_service")?, texts(&b, o, "out_service")?);
        let (n, f) = (typed::<Int64Type>(&b, o, "links")?, typed::<Int64Type>(&b, o, "first_ms")?);
        // `sole` is missing in partitions written before it: count every link as its own.
        let sole = b.column_by_name("sole").and_then(|a| a.as_primitive_opt::<Int64Type>());
        // `prompt` likewise: none (no hop counts as right after its login).
        let prompt = b.column_by_name("prompt").and_then(|a| a.as_primitive_opt::<Int64Type>());
        // `alerted` likewise: false.
        let alerted = b.column_by_name("alerted").and_then(|a| a.as_boolean_opt());
        for i in 0..b.num_rows() {
            if !wanted(p.value(i)) && !wanted(a.value(i)) {
                continue;
            }
            links.push(LinkFact {
                in_client: a.value(i).to_string(),
                pivot: p.value(i).to_string(),
                out_server: t.value(i).to_string(),
                in_service: vi.value(i).to_string(),
                out_service: vo.value(i).to_string(),
                links: n.value(i),
                first_ms: f.value(i),
                sole: sole.map_or(n.value(i), |s| s.value(i)),
                prompt: prompt.map_or(0, |s| s.value(i)),
                alerted: alerted.is_some_and(|a| a.value(i)),
            });
        }
    }
    Ok(links)
}
