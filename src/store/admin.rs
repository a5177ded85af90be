//! The admin layout: next to every hour file, a small companion holding only its flows on
//! admin-service ports, so a night's `pivots`/`report` reads a few percent of the day.
//!
//! ```text
//! <data>/date=D/hour=H/NAME.parquet          every flow (the store)
//! <data>/.admin/date=D/hour=H/NAME.parquet    the same columns, only rows whose proto is one of
//!                                            the services' protocols and whose source or
//!                                            destination port is one of their ports
//! ```
//! A piece records in its Parquet key-value metadata which protocols and ports it kept and the
//! size in bytes of the hour file it was cut from. A reader uses an hour's pieces only when
//! every hour file of that hour has a piece, no piece is left without its hour file, each
//! piece was cut from a file of exactly the hour file's current size and kept at least the
//! protocols and ports asked for; otherwise it reads that hour from the store, and says so.
//! A stale or missing piece therefore costs time, never rows.
//!
//! Pieces are written after their hour file (capture, `synth --parquet`, journal recovery) and
//! by `pivotflow index` for stores written before the layout existed; every piece appears
//! atomically (temp name, fsync, rename).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use datafusion::arrow::array::{Array, AsArray, BooleanArray, RecordBatch};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::Int32Type;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::check::{Unreadable, hour_files_in, partition_of};
use super::parquet_file::{WriterSettings, write_parquet_with};
use crate::error::{Error, Result};
use crate::schema;

/// Folder of the layout under the store root.
pub const ADMIN_DIR: &str = ".admin";
/// Metadata key: the protocols and ports a piece kept, `6,17/22,3389,5985,5986`.
const KEY_PORTS: &str = "pivotflow.admin.ports";
/// Metadata key: byte size of the hour file the piece was cut from.
const KEY_SOURCE_BYTES: &str = "pivotflow.admin.source_bytes";

/// Which flows a piece keeps: proto in `protos` and (src_port or dst_port) in `ports` — the
/// same rows `pivots`' service-port filter keeps for these services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminPorts {
    protos: BTreeSet<u8>,
    ports: BTreeSet<u16>,
}

impl AdminPorts {
    /// The protocols and ports of `services`.
    pub fn of(services: &[crate::services::Service]) -> Self {
        AdminPorts {
            protos: services.iter().map(|s| s.proto).collect(),
            ports: services.iter().map(|s| s.port).collect(),
        }
    }

    /// The default services' (SSH, RDP, WinRM).
    pub fn default_services() -> Self {
        Self::of(&crate::services::default_services())
    }

    /// No service at all (nothing to keep).
    pub fn is_empty(&self) -> bool {
        self.protos.is_empty() || self.ports.is_empty()
    }

    /// Does a piece that kept `self` hold every row `wanted` keeps?
    pub fn covers(&self, wanted: &AdminPorts) -> bool {
        wanted.protos.is_subset(&self.protos) && wanted.ports.is_subset(&self.ports)
    }

    fn encode(&self) -> String {
        let join = |v: Vec<String>| v.join(",");
        format!(
            "{}/{}",
            join(self.protos.iter().map(u8::to_string).collect()),
            join(self.ports.iter().map(u16::to_string).collect())
        )
    }

    fn decode(text: &str) -> Option<Self> {
        let (protos, ports) = text.split_once('/')?;
        let list = |s: &str| -> Option<Vec<u64>> {
            s.split(',').filter(|t| !t.is_empty()).map(|t| t.parse().ok()).collect()
        };
        Some(AdminPorts {
            protos: list(protos)?.into_iter().map(u8::try_from).collect::<Result<_, _>>().ok()?,
            ports: list(ports)?.into_iter().map(u16::try_from).collect::<Result<_, _>>().ok()?,
        })
    }

    /// The rows of `batch` (flow schema) this keeps.
    fn mask(&self, batch: &RecordBatch) -> Result<BooleanArray> {
        let column = |name: &str| {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_primitive_opt::<Int32Type>())
                .ok_or_else(|| Error::Internal { detail: format!("flow batch lacks {name}") })
        };
        let (proto, src, dst) =
            (column(schema::PROTO)?, column(schema::SRC_PORT)?, column(schema::DST_PORT)?);
        let port_in = |a: &datafusion::arrow::array::Int32Array, i: usize| {
            a.is_valid(i) && u16::try_from(a.value(i)).is_ok_and(|p| self.ports.contains(&p))
        };
        Ok((0..batch.num_rows())
            .map(|i| {
                Some(
                    proto.is_valid(i)
                        && u8::try_from(proto.value(i)).is_ok_and(|p| self.protos.contains(&p))
                        && (port_in(src, i) || port_in(dst, i)),
                )
            })
            .collect())
    }
}

/// Where the piece of hour file `file` (`<root>/date=D/hour=H/NAME`) lives.
pub fn piece_path(root: &Path, file: &Path) -> Option<PathBuf> {
    let (date, hour) = partition_of(file.parent()?)?;
    Some(
        root.join(ADMIN_DIR)
            .join(format!("date={date}"))
            .join(format!("hour={hour}"))
            .join(file.file_name()?),
    )
}

/// Write the piece of hour file `file` from its (already sorted) rows, after the hour file
/// itself is in place. Returns the rows kept.
pub fn write_piece(
    root: &Path,
    file: &Path,
    rows: &RecordBatch,
    ports: &AdminPorts,
    writer: WriterSettings,
) -> Result<u64> {
    let Some(piece) = piece_path(root, file) else {
        return Err(Error::Internal {
            detail: format!("{} is not in an hour folder", file.display()),
        });
    };
    let bytes = std::fs::metadata(file).map_err(|e| Error::io(file, e))?.len();
    let kept = filter_record_batch(rows, &ports.mask(rows)?)
        .map_err(|e| Error::arrow("admin layout rows", e))?;
    let meta = [
        (KEY_PORTS.to_string(), ports.encode()),
        (KEY_SOURCE_BYTES.to_string(), bytes.to_string()),
    ];
    write_parquet_with(&piece, std::slice::from_ref(&kept), writer, &meta)
}

/// Whether the piece of `file` can stand in for it when `wanted` is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PieceState {
    /// Present, readable, cut from the file as it is now, covering `wanted`.
    Fresh,
    /// Something else; the text says what (for the log).
    Unusable(String),
}

/// Check the piece of `file` (one footer read).
pub fn piece_state(root: &Path, file: &Path, wanted: &AdminPorts) -> PieceState {
    let Some(piece) = piece_path(root, file) else {
        return PieceState::Unusable("not in an hour folder".into());
    };
    let size = match super::objects::size(file) {
        Ok(n) => n,
        Err(e) => return PieceState::Unusable(e.to_string()),
    };
    let footer = match super::objects::footer(&piece) {
        Ok(m) => m,
        Err(why) => {
            return PieceState::Unusable(format!("{}: unreadable piece: {why}", piece.display()));
        }
    };
    let meta = footer.file_metadata().key_value_metadata();
    let value = |key: &str| {
        meta.and_then(|kv| kv.iter().find(|e| e.key == key)).and_then(|e| e.value.clone())
    };
    let kept = value(KEY_PORTS).and_then(|t| AdminPorts::decode(&t));
    let source_bytes = value(KEY_SOURCE_BYTES).and_then(|t| t.parse::<u64>().ok());
    match (kept, source_bytes) {
        (Some(k), Some(b)) if b == size && k.covers(wanted) => PieceState::Fresh,
        (Some(k), Some(b)) if b == size => PieceState::Unusable(format!(
            "{} kept ports {} but {} are asked for",
            piece.display(),
            k.encode(),
            wanted.encode()
        )),
        (Some(_), Some(b)) => PieceState::Unusable(format!(
            "{} was cut from {} bytes, the hour file has {size} now",
            piece.display(),
            b
        )),
        _ => PieceState::Unusable(format!("{} lacks its layout metadata", piece.display())),
    }
}

/// What a reader of a period should read: per hour folder, the admin pieces or the store.
#[derive(Debug, Default, Clone)]
pub struct ReadPlan {
    /// Hours read from the layout, as (`YYYY-MM-DD`, `HH`).
    pub admin_hours: Vec<(String, String)>,
    /// Hours read from the store (no layout, or a piece stale, missing, unreadable or narrower).
    pub store_hours: Vec<(String, String)>,
    /// Why the first few store hours could not use the layout.
    pub why_store: Vec<String>,
    /// Store files of the store hours whose footer cannot be read (left out, named).
    pub unreadable: Vec<Unreadable>,
}

impl ReadPlan {
    /// "the admin layout for 24 of 24 hours" and the like, for the log.
    pub fn describe(&self) -> String {
        let total = self.admin_hours.len() + self.store_hours.len();
        format!(
            "admin layout for {} of {total} hours, the full store for {}",
            self.admin_hours.len(),
            self.store_hours.len()
        )
    }
}

/// Decide, hour by hour over `[since_ms, until_ms)`, whether `wanted`'s flows can be read from
/// the layout (see the module text). `None` for `wanted`: the store everywhere.
pub fn plan(
    root: &Path,
    since_ms: Option<i64>,
    until_ms: Option<i64>,
    wanted: Option<&AdminPorts>,
) -> Result<ReadPlan> {
    let files = super::check::hour_files(root, since_ms, until_ms)?;
    let mut by_hour: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for f in files {
        if let Some(dir) = f.parent() {
            by_hour.entry(dir.to_path_buf()).or_default().push(f);
        }
    }
    let hours: Vec<(PathBuf, Vec<PathBuf>)> = by_hour.into_iter().collect();
    // Each hour's checks (a listing, a size and a footer per file) are round trips on an object
    // store: hours are checked several at once there (`objects::par_map`), in order here.
    let wanted = wanted.filter(|w| !w.is_empty());
    let verdicts = super::objects::par_map(root, &hours, |(dir, files)| match wanted {
        None => Err("no service filter".to_string()),
        Some(w) => hour_verdict(root, dir, files, w),
    });
    let mut out = ReadPlan::default();
    for ((dir, files), verdict) in hours.iter().zip(verdicts) {
        let Some(hour) = partition_of(dir) else { continue };
        match verdict {
            Ok(()) => out.admin_hours.push(hour),
            Err(why) => {
                if out.why_store.len() < 5 {
                    out.why_store.push(why);
                }
                // The store's files of the hour are read instead: their footers, checked
                // (several at once on an object store) before the query meets them.
                out.unreadable.extend(super::check::unreadable(files));
                out.store_hours.push(hour);
            }
        }
    }
    Ok(out)
}

/// `Ok` when every file of the hour folder `dir` has a fresh piece and no piece is extra.
fn hour_verdict(
    root: &Path,
    dir: &Path,
    files: &[PathBuf],
    wanted: &AdminPorts,
) -> std::result::Result<(), String> {
    let Some(first) = files.first().and_then(|f| piece_path(root, f)) else {
        return Err(format!("{}: no files", dir.display()));
    };
    let piece_dir = first.parent().unwrap_or(root).to_path_buf();
    let pieces = hour_files_in(&piece_dir).unwrap_or_default();
    if pieces.is_empty() {
        return Err(format!("{}: not indexed", dir.display()));
    }
    let names = |v: &[PathBuf]| -> BTreeSet<std::ffi::OsString> {
        v.iter().filter_map(|p| p.file_name().map(|n| n.to_os_string())).collect()
    };
    if names(&pieces) != names(files) {
        return Err(format!(
            "{}: {} hour files but {} pieces",
            dir.display(),
            files.len(),
            pieces.len()
        ));
    }
    for f in files {
        if let PieceState::Unusable(why) = piece_state(root, f, wanted) {
            return Err(why);
        }
    }
    Ok(())
}

/// What `pivotflow index` did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IndexTally {
    /// Hour files whose piece was already fresh.
    pub fresh: u64,
    /// Pieces written (missing, stale or narrower before).
    pub written: u64,
    /// Rows in the pieces written.
    pub rows: u64,
    /// Pieces removed because their hour file is gone.
    pub orphans_removed: u64,
    /// Hour files that could not be read (`path: why`; their pieces are not written).
    pub unreadable: Vec<String>,
}

/// Give every hour file of the store a fresh piece for `ports` and remove pieces whose hour
/// file is gone. Idempotent; killed at any point, a rerun finishes the job (each piece appears
/// atomically and is checked before it is skipped).
pub fn index_store(
    root: &Path,
    ports: &AdminPorts,
    writer: WriterSettings,
    mut progress: impl FnMut(u64, u64),
) -> Result<IndexTally> {
    let files = super::check::hour_files(root, None, None)?;
    let mut tally = IndexTally::default();
    let total = files.len() as u64;
    for (i, f) in files.iter().enumerate() {
        progress(i as u64, total);
        if piece_state(root, f, ports) == PieceState::Fresh {
            tally.fresh += 1;
            continue;
        }
        match read_file(f) {
            Ok(batch) => {
                tally.rows += write_piece(root, f, &batch, ports, writer)?;
                tally.written += 1;
            }
            Err(e) => {
                tracing::error!(file = %f.display(), error = %e, "hour file unreadable: no piece written");
                tally.unreadable.push(format!("{}: {e}", f.display()));
            }
        }
    }
    progress(total, total);
    let wanted: BTreeSet<PathBuf> = files.iter().filter_map(|f| piece_path(root, f)).collect();
    let admin = root.join(ADMIN_DIR);
    for piece in super::check::hour_files(&admin, None, None)? {
        if !wanted.contains(&piece) {
            std::fs::remove_file(&piece).map_err(|e| Error::io(&piece, e))?;
            tracing::info!(piece = %piece.display(), "removed a piece whose hour file is gone");
            tally.orphans_removed += 1;
        }
    }
    Ok(tally)
}

/// `pivotflow index --data DIR [--service …]` (settings from `config::index`): index the
/// store, report on stderr. Exit 3 when
/// hour files could not be read (their hours stay read from the store).
pub fn run_index(data: &Path, ports: &AdminPorts) -> Result<IndexTally> {
    let bar = crate::progress::bar(0, "index");
    let tally = index_store(data, ports, WriterSettings::default(), |i, n| {
        bar.set_length(n);
        bar.set_position(i);
    })?;
    bar.finish_and_clear();
    eprintln!(
        "index: {} pieces written ({} rows), {} already fresh, {} orphan pieces removed, {} hour files unreadable (ports {})",
        tally.written,
        tally.rows,
        tally.fresh,
        tally.orphans_removed,
        tally.unreadable.len(),
        ports.encode()
    );
    if !tally.unreadable.is_empty() {
        return Err(Error::StoreFiles {
            what: "index (their hours are read from the store)".into(),
            files: tally.unreadable.clone(),
        });
    }
    Ok(tally)
}

/// Make sure `file` has a piece (journal recovery: the crash may have come between the hour
/// file and its piece).
pub fn ensure_piece(
    root: &Path,
    file: &Path,
    ports: &AdminPorts,
    writer: WriterSettings,
) -> Result<()> {
    if piece_state(root, file, ports) != PieceState::Fresh {
        let batch = read_file(file)?;
        write_piece(root, file, &batch, ports, writer)?;
    }
    Ok(())
}

/// Every row of a store file, as one batch of the flow schema.
fn read_file(path: &Path) -> Result<RecordBatch> {
    let err =
        |e: parquet::errors::ParquetError| Error::Parquet { path: path.to_path_buf(), source: e };
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(f).map_err(err)?.build().map_err(err)?;
    let batches = reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::arrow(format!("reading {}", path.display()), e))?;
    let batches: Vec<RecordBatch> = batches
        .into_iter()
        .map(|b| {
            RecordBatch::try_new(schema::flow_schema(), b.columns().to_vec())
                .map_err(|e| Error::arrow(format!("{} has not the flow schema", path.display()), e))
        })
        .collect::<Result<_>>()?;
    datafusion::arrow::compute::concat_batches(&schema::flow_schema(), &batches)
        .map_err(|e| Error::arrow("concatenating hour", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::Service;

    #[test]
    fn ports_round_trip_and_cover() {
        let all = AdminPorts::default_services();
        assert_eq!(all.encode(), "6,17/22,3389,5985,5986");
        assert_eq!(AdminPorts::decode(&all.encode()), Some(all.clone()));
        let ssh = AdminPorts::of(&[Service { name: "ssh".into(), proto: 6, port: 22 }]);
        assert!(all.covers(&ssh));
        assert!(!ssh.covers(&all));
        assert_eq!(AdminPorts::decode("6/99999"), None);
        assert_eq!(AdminPorts::decode("nonsense"), None);
    }

    #[test]
    fn piece_of_an_hour_file_mirrors_its_partition() {
        let root = Path::new("/d");
        assert_eq!(
            piece_path(root, Path::new("/d/date=2026-12-01/hour=07/r-1.parquet")),
            Some(PathBuf::from("/d/.admin/date=2026-12-01/hour=07/r-1.parquet"))
        );
        assert_eq!(piece_path(root, Path::new("/d/notes/x.parquet")), None);
    }
}
