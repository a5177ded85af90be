//! Hourly Parquet sink: rows buffered per arrival hour, journaled (live mode), and written as
//! one sorted Parquet file per hour when the hour closes.
//!
//! Steady state is one file per hour. More appear when an hour exceeds `max_rows_per_file`
//! (memory bound), when a restart recovers a journal, when late held records arrive after
//! their hour closed, or when several runs (pcap files) cover the same hour.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::PathBuf;

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::compute::concat_batches;

use super::batch::{records_to_batch, sort_by_flow_start};
use super::journal::{self, Segment, SegmentId};
use super::normalize::FlowRecord;
use super::parquet_file::{WriterSettings, write_parquet};
use super::partition::HourPartition;
use super::stats::CaptureStats;
use crate::error::{Error, Result};
use crate::schema::{self, flow_schema};

#[derive(Debug, Clone)]
pub struct SinkSettings {
    pub root: PathBuf,
    pub writer: WriterSettings,
    /// Journal every flush (live mode). Off for pcap input, which can simply be re-read.
    pub journal: bool,
    pub max_rows_per_file: usize,
    /// Rows converted to Arrow at a time (bounds the row-oriented buffer).
    pub batch_rows: usize,
}

struct HourBuffer {
    seq: u32,
    pending: Vec<FlowRecord>,
    batches: Vec<RecordBatch>,
    /// `batches[..journaled]` are already in the journal segment.
    journaled: usize,
    rows: usize,
    segment: Option<Segment>,
}

pub struct HourlySink {
    settings: SinkSettings,
    run: String,
    next_seq: u32,
    hours: BTreeMap<HourPartition, HourBuffer>,
}

/// Unique run id: start time and process id, so runs never overwrite each other's files.
fn run_id() -> String {
    format!("{}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ"), std::process::id())
}

fn count_rows_per_exporter(batch: &RecordBatch, stats: &mut CaptureStats) {
    let Some(col) = batch.column_by_name(schema::EXPORTER_ADDR) else { return };
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for v in col.as_string::<i32>().iter().flatten() {
        *counts.entry(v).or_default() += 1;
    }
    for (addr, n) in counts {
        if let Ok(ip) = addr.parse::<IpAddr>() {
            stats.exporter(ip).rows_written += n;
        }
    }
}

impl HourlySink {
    pub fn new(settings: SinkSettings) -> Self {
        HourlySink { settings, run: run_id(), next_seq: 0, hours: BTreeMap::new() }
    }

    /// Buffer records (drained from `records`).
    pub fn push(&mut self, records: &mut Vec<FlowRecord>) -> Result<()> {
        for r in records.drain(..) {
            let hour = HourPartition::of(r.received_ms);
            let buf = match self.hours.get_mut(&hour) {
                Some(b) => b,
                None => {
                    let seq = self.next_seq;
                    self.next_seq += 1;
                    self.hours.entry(hour).or_insert(HourBuffer {
                        seq,
                        pending: Vec::new(),
                        batches: Vec::new(),
                        journaled: 0,
                        rows: 0,
                        segment: None,
                    })
                }
            };
            buf.pending.push(r);
            buf.rows += 1;
            if buf.pending.len() >= self.settings.batch_rows {
                buf.batches.push(records_to_batch(&buf.pending)?);
                buf.pending.clear();
            }
        }
        Ok(())
    }

    /// Rows buffered and not yet in Parquet.
    pub fn buffered_rows(&self) -> usize {
        self.hours.values().map(|b| b.rows).sum()
    }

    /// Convert pending rows and, in journal mode, make them durable.
    pub fn flush(&mut self, stats: &mut CaptureStats) -> Result<()> {
        let full: Vec<HourPartition> = self
            .hours
            .iter()
            .filter(|(_, b)| b.rows >= self.settings.max_rows_per_file)
            .map(|(h, _)| *h)
            .collect();
        for hour in full {
            self.close_hour(hour, stats)?;
        }
        for (hour, buf) in self.hours.iter_mut() {
            if !buf.pending.is_empty() {
                buf.batches.push(records_to_batch(&buf.pending)?);
                buf.pending.clear();
            }
            if !self.settings.journal || buf.journaled == buf.batches.len() {
                continue;
            }
            if buf.segment.is_none() {
                let id = SegmentId { run: self.run.clone(), hour: *hour, seq: buf.seq };
                buf.segment = Some(Segment::create(&self.settings.root, id)?);
            }
            let seg = buf.segment.as_mut().expect("segment just created");
            for b in &buf.batches[buf.journaled..] {
                seg.append(b)?;
            }
            buf.journaled = buf.batches.len();
        }
        Ok(())
    }

    /// Write every hour that ended at or before `cutoff_ms`.
    pub fn close_hours_before(&mut self, cutoff_ms: i64, stats: &mut CaptureStats) -> Result<()> {
        let done: Vec<HourPartition> =
            self.hours.keys().filter(|h| h.end_ms() <= cutoff_ms).copied().collect();
        for hour in done {
            self.close_hour(hour, stats)?;
        }
        Ok(())
    }

    /// Write everything (end of input, shutdown).
    pub fn close_all(&mut self, stats: &mut CaptureStats) -> Result<()> {
        let all: Vec<HourPartition> = self.hours.keys().copied().collect();
        for hour in all {
            self.close_hour(hour, stats)?;
        }
        Ok(())
    }

    fn close_hour(&mut self, hour: HourPartition, stats: &mut CaptureStats) -> Result<()> {
        let Some(mut buf) = self.hours.remove(&hour) else { return Ok(()) };
        if !buf.pending.is_empty() {
            buf.batches.push(records_to_batch(&buf.pending)?);
        }
        let id = SegmentId { run: self.run.clone(), hour, seq: buf.seq };
        if buf.rows > 0 {
            let sorted = sort_batches(&buf.batches)?;
            let path = id.parquet_path(&self.settings.root);
            let rows = write_parquet(&path, std::slice::from_ref(&sorted), self.settings.writer)?;
            count_rows_per_exporter(&sorted, stats);
            stats.files_written += 1;
            stats.rows_written += rows;
            tracing::info!(file = %path.display(), rows, "wrote hour file");
        }
        if let Some(seg) = buf.segment.take() {
            seg.remove()?;
        }
        Ok(())
    }
}

fn sort_batches(batches: &[RecordBatch]) -> Result<RecordBatch> {
    let all = concat_batches(&flow_schema(), batches)
        .map_err(|e| Error::arrow("concatenating hour", e))?;
    sort_by_flow_start(&all)
}

/// Turn journal segments left by a crashed run into the Parquet files they would have become.
pub fn recover_journal(settings: &SinkSettings, stats: &mut CaptureStats) -> Result<u64> {
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
            count_rows_per_exporter(&sorted, stats);
            stats.files_written += 1;
            stats.rows_written += rows as u64;
            recovered += rows as u64;
            tracing::info!(file = %path.display(), rows, "recovered journal of an earlier run");
        }
        std::fs::remove_file(&left.path).map_err(|e| Error::io(&left.path, e))?;
    }
    stats.rows_recovered += recovered;
    Ok(recovered)
}
