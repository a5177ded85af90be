//! Hourly Parquet sink: rows buffered per arrival hour, journaled (live mode), and written as
//! one sorted Parquet file per hour when the hour closes.
//!
//! Steady state is one file per hour. More appear when an hour exceeds `max_rows_per_file`
//! (memory bound), when a restart recovers a journal, when late held records arrive after
//! their hour closed, or when several runs (pcap files) cover the same hour.

use std::collections::BTreeMap;
use std::path::PathBuf;

use datafusion::arrow::array::RecordBatch;

use super::WriteTally;
use super::admin::AdminPorts;
use super::batch::records_iter_to_batch;
use super::file_writer::{FileWriter, HourJob, rows_per_exporter, sort_batches, write_hour};
use super::journal::{self, Segment, SegmentId};
use super::parquet_file::{WriterSettings, write_parquet};
use super::partition::HourPartition;
use super::record::FlowRecord;
use crate::error::{Error, Result};

/// Where and how the hourly sink writes.
#[derive(Debug, Clone)]
pub struct SinkSettings {
    /// Root of the flow store (`--data`).
    pub root: PathBuf,
    /// Parquet writer settings.
    pub writer: WriterSettings,
    /// Journal every flush (live mode). Off for pcap input, which can simply be re-read.
    pub journal: bool,
    /// An open hour is written out as a further file once it holds this many rows (bounds memory).
    pub max_rows_per_file: usize,
    /// Write the admin layout for these ports next to every hour file (`store::admin`).
    pub admin: Option<AdminPorts>,
}

/// Rows of one hour are kept as records until the hour closes, in the chunks the decoder
/// produced (moved, never copied); at close they go to `file_writer` as they are.
struct HourBuffer {
    seq: u32,
    chunks: Vec<Vec<FlowRecord>>,
    rows: usize,
    /// The first `journaled` rows are already in the journal segment.
    journaled: usize,
    segment: Option<Segment>,
}

impl HourBuffer {
    /// Rows from flat index `start` on, in arrival order.
    fn rows_from(&self, start: usize) -> impl Iterator<Item = &FlowRecord> {
        let mut skip = start;
        self.chunks.iter().flat_map(move |c| {
            let from = skip.min(c.len());
            skip -= from;
            c[from..].iter()
        })
    }
}

/// Buffers records per arrival hour and writes each hour's Parquet file when the hour closes.
pub struct HourlySink {
    settings: SinkSettings,
    run: String,
    next_seq: u32,
    hours: BTreeMap<HourPartition, HourBuffer>,
    /// Writes closed hours on its own thread (`with_background_writer`); else inline.
    background: Option<FileWriter>,
}

/// Unique run id: start time and process id, so runs never overwrite each other's files.
fn run_id() -> String {
    format!("{}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ"), std::process::id())
}

impl HourlySink {
    /// A sink with nothing buffered.
    pub fn new(settings: SinkSettings) -> Self {
        HourlySink {
            settings,
            run: run_id(),
            next_seq: 0,
            hours: BTreeMap::new(),
            background: None,
        }
    }

    /// Write closed hours on a background thread (see `file_writer`).
    pub fn with_background_writer(mut self) -> Result<Self> {
        self.background = Some(FileWriter::spawn()?);
        Ok(self)
    }

    fn buffer(&mut self, hour: HourPartition) -> &mut HourBuffer {
        let next_seq = &mut self.next_seq;
        self.hours.entry(hour).or_insert_with(|| {
            let seq = *next_seq;
            *next_seq += 1;
            HourBuffer { seq, chunks: Vec::new(), rows: 0, journaled: 0, segment: None }
        })
    }

    /// Buffer records (taken out of `records`, which is left empty).
    pub fn push(&mut self, records: &mut Vec<FlowRecord>) -> Result<()> {
        let Some(first) = records.first() else { return Ok(()) };
        let hour = HourPartition::of(first.received_ms);
        if records.iter().all(|r| HourPartition::of(r.received_ms) == hour) {
            // The common case: the whole chunk belongs to one hour; move it as is.
            let chunk = std::mem::take(records);
            let buf = self.buffer(hour);
            buf.rows += chunk.len();
            buf.chunks.push(chunk);
            return Ok(());
        }
        let mut by_hour: BTreeMap<HourPartition, Vec<FlowRecord>> = BTreeMap::new();
        for r in records.drain(..) {
            by_hour.entry(HourPartition::of(r.received_ms)).or_default().push(r);
        }
        for (hour, chunk) in by_hour {
            let buf = self.buffer(hour);
            buf.rows += chunk.len();
            buf.chunks.push(chunk);
        }
        Ok(())
    }

    /// Write hours over the row limit and, in journal mode, make new rows durable.
    pub fn flush(&mut self, stats: &mut dyn WriteTally) -> Result<()> {
        if let Some(w) = self.background.as_mut() {
            w.collect(stats)?;
        }
        let full: Vec<HourPartition> = self
            .hours
            .iter()
            .filter(|(_, b)| b.rows >= self.settings.max_rows_per_file)
            .map(|(h, _)| *h)
            .collect();
        for hour in full {
            self.close_hour(hour, stats)?;
        }
        if !self.settings.journal {
            return Ok(());
        }
        for (hour, buf) in self.hours.iter_mut() {
            if buf.journaled == buf.rows {
                continue;
            }
            if buf.segment.is_none() {
                let id = SegmentId { run: self.run.clone(), hour: *hour, seq: buf.seq };
                buf.segment = Some(Segment::create(&self.settings.root, id)?);
            }
            let batch =
                records_iter_to_batch(buf.rows_from(buf.journaled), buf.rows - buf.journaled)?;
            buf.segment.as_mut().expect("segment just created").append(&batch)?;
            buf.journaled = buf.rows;
        }
        Ok(())
    }

    /// pcap mode: bound memory without a timer (live mode calls `flush` every interval).
    pub fn write_full_hours(&mut self, stats: &mut dyn WriteTally) -> Result<()> {
        if self.hours.values().any(|b| b.rows >= self.settings.max_rows_per_file) {
            self.flush(stats)?;
        }
        Ok(())
    }

    /// Write every hour that ended at or before `cutoff_ms`.
    pub fn close_hours_before(&mut self, cutoff_ms: i64, stats: &mut dyn WriteTally) -> Result<()> {
        let done: Vec<HourPartition> =
            self.hours.keys().filter(|h| h.end_ms() <= cutoff_ms).copied().collect();
        for hour in done {
            self.close_hour(hour, stats)?;
        }
        Ok(())
    }

    /// Write everything (end of input, shutdown).
    pub fn close_all(&mut self, stats: &mut dyn WriteTally) -> Result<()> {
        let all: Vec<HourPartition> = self.hours.keys().copied().collect();
        for hour in all {
            self.close_hour(hour, stats)?;
        }
        if let Some(w) = self.background.as_mut() {
            w.finish(stats)?;
        }
        Ok(())
    }

    fn close_hour(&mut self, hour: HourPartition, stats: &mut dyn WriteTally) -> Result<()> {
        let Some(mut buf) = self.hours.remove(&hour) else { return Ok(()) };
        let id = SegmentId { run: self.run.clone(), hour, seq: buf.seq };
        let job = HourJob {
            path: id.parquet_path(&self.settings.root),
            chunks: std::mem::take(&mut buf.chunks),
            segment: buf.segment.take(),
            writer: self.settings.writer,
            admin: self.settings.admin.clone().map(|p| (self.settings.root.clone(), p)),
        };
        match self.background.as_mut() {
            Some(w) => w.submit(job),
            None => {
                write_hour(job)?.apply(stats);
                Ok(())
            }
        }
    }
}

/// Turn journal segments left by a crashed run into the Parquet files they would have become.
pub fn recover_journal(settings: &SinkSettings, stats: &mut dyn WriteTally) -> Result<u64> {
    let mut recovered = 0;
    for left in journal::leftovers(&settings.root)? {
        let path = left.id.parquet_path(&settings.root);
        let rows: usize = left.batches.iter().map(RecordBatch::num_rows).sum();
        if left.torn_tail {
            tracing::warn!(journal = %left.path.display(), "journal ends in a torn write (process killed mid-flush); recovering the complete part");
        }
        // The file exists when the crash came between the rename and the journal delete.
        if rows > 0 && !path.exists() {
            let sorted = sort_batches(&left.batches)?;
            write_parquet(&path, std::slice::from_ref(&sorted), settings.writer)?;
            stats.file_written(rows as u64, &rows_per_exporter(&sorted));
            recovered += rows as u64;
            tracing::info!(file = %path.display(), rows, "recovered journal of an earlier run");
        }
        // The crash may also have come between the hour file and its admin piece.
        if let Some(ports) = &settings.admin
            && path.exists()
        {
            super::admin::ensure_piece(&settings.root, &path, ports, settings.writer)?;
        }
        std::fs::remove_file(&left.path).map_err(|e| Error::io(&left.path, e))?;
    }
    stats.rows_recovered(recovered);
    Ok(recovered)
}
