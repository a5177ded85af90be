//! Writing one Parquet file atomically (`fsutil`: temp name, fsync, rename), with the store's
//! settings.
//!
//! Settings (measured with `scripts/bench.sh`, see BENCHMARKS.md):
//! - zstd level 3: ~2x smaller than snappy on flow data at a small CPU cost;
//! - dictionary encoding for the text and small-domain columns (addresses, exporter,
//!   time_source, ports, proto): flow data repeats them heavily;
//! - the three time columns are sorted/near-sorted integers: DELTA_BINARY_PACKED without
//!   dictionary makes them a few bits per row;
//! - row groups of 1 Mi rows, and the file declares its sort order (flow_start_ms) so
//!   DataFusion can use it.

use std::fs::{self, File};
use std::path::Path;

use datafusion::arrow::array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::metadata::{KeyValue, SortingColumn};
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use crate::error::{Error, Result};
use crate::schema::{self, flow_schema};

/// Writer knobs exposed for benchmarking.
#[derive(Debug, Clone, Copy)]
pub struct WriterSettings {
    /// zstd compression level.
    pub zstd_level: i32,
    /// Rows per row group.
    pub row_group_rows: usize,
    /// Per-column encodings above; false = parquet's defaults (benchmark baseline).
    pub tuned_encodings: bool,
}

impl Default for WriterSettings {
    fn default() -> Self {
        WriterSettings { zstd_level: 3, row_group_rows: 1 << 20, tuned_encodings: true }
    }
}

fn properties(settings: WriterSettings, metadata: &[(String, String)]) -> WriterProperties {
    let level = ZstdLevel::try_new(settings.zstd_level).unwrap_or_default();
    let start_idx = flow_schema().index_of(schema::FLOW_START_MS).unwrap_or(1) as u32;
    let mut b = WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_max_row_group_row_count(Some(settings.row_group_rows))
        .set_sorting_columns(Some(vec![SortingColumn {
            column_idx: start_idx as i32,
            descending: false,
            nulls_first: false,
        }]))
        .set_created_by(concat!("pivotflow ", env!("CARGO_PKG_VERSION")).to_string());
    if !metadata.is_empty() {
        b = b.set_key_value_metadata(Some(
            metadata.iter().map(|(k, v)| KeyValue::new(k.clone(), v.clone())).collect(),
        ));
    }
    if !settings.tuned_encodings {
        return b.build();
    }
    for col in [schema::RECEIVED_MS, schema::FLOW_START_MS, schema::FLOW_END_MS] {
        let path = ColumnPath::from(col);
        b = b
            .set_column_dictionary_enabled(path.clone(), false)
            .set_column_encoding(path, Encoding::DELTA_BINARY_PACKED);
    }
    b.build()
}

fn parquet_err(path: &Path, source: parquet::errors::ParquetError) -> Error {
    Error::Parquet { path: path.to_path_buf(), source }
}

/// Write `batches` (already sorted) to `path` atomically. Returns the rows written.
pub fn write_parquet(
    path: &Path,
    batches: &[RecordBatch],
    settings: WriterSettings,
) -> Result<u64> {
    write_parquet_with(path, batches, settings, &[])
}

/// [`write_parquet`] with key-value metadata in the footer (the admin layout's provenance).
pub fn write_parquet_with(
    path: &Path,
    batches: &[RecordBatch],
    settings: WriterSettings,
    metadata: &[(String, String)],
) -> Result<u64> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tmp = crate::store::atomic::temp_path(path);
    let write = || {
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut writer =
            ArrowWriter::try_new(file, flow_schema(), Some(properties(settings, metadata)))
                .map_err(|e| parquet_err(&tmp, e))?;
        let mut rows = 0u64;
        for b in batches {
            writer.write(b).map_err(|e| parquet_err(&tmp, e))?;
            rows += b.num_rows() as u64;
        }
        let file = writer.into_inner().map_err(|e| parquet_err(&tmp, e))?;
        crate::store::atomic::commit(file, &tmp, path)?;
        Ok(rows)
    };
    let written = write();
    if written.is_err() {
        // A full disk must not leave hidden temp files filling it further.
        let _ = fs::remove_file(&tmp);
    }
    written
}
