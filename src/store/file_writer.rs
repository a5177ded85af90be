//! Hour files written off the decoder thread.
//!
//! Turning a closed hour (up to `--max-rows-per-file` rows) into a sorted zstd Parquet file
//! takes a second or two here. Done inline, the decoder stopped for that long and a live burst
//! overflowed the datagram queue meanwhile (scripts/bench.sh, live ingest). Now the decoder
//! hands the hour over and goes on. At most one hour waits while another is written; beyond
//! that `submit` blocks, so a writer that cannot keep up shows as queue-full drops (counted),
//! never as memory growing without bound.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::thread::JoinHandle;

use datafusion::arrow::array::{AsArray, RecordBatch};

use super::WriteTally;
use super::admin::AdminPorts;
use super::batch::{records_to_batch, sort_by_flow_start};
use super::journal::Segment;
use super::parquet_file::{WriterSettings, write_parquet};
use super::record::FlowRecord;
use crate::error::{Error, Result};
use crate::schema::{self, flow_schema};

/// One closed hour to write.
pub struct HourJob {
    /// The hour's Parquet file.
    pub path: PathBuf,
    /// Its records, in flush order.
    pub chunks: Vec<Vec<FlowRecord>>,
    /// The hour's journal segment: removed once the Parquet file is in place.
    pub segment: Option<Segment>,
    /// Compression and encodings.
    pub writer: WriterSettings,
    /// The store root and the ports of its admin layout: the hour file's piece is written
    /// right after it (see `store::admin`). `None`: no layout.
    pub admin: Option<(PathBuf, AdminPorts)>,
}

/// What a finished job adds to the capture statistics.
#[derive(Debug, Default)]
pub struct Written {
    /// The file written.
    pub path: PathBuf,
    /// Rows in it.
    pub rows: u64,
    /// Rows per exporter address.
    pub per_exporter: HashMap<IpAddr, u64>,
}

impl Written {
    /// Add this file to the tally.
    pub fn apply(self, stats: &mut dyn WriteTally) {
        if self.rows > 0 {
            stats.file_written(self.rows, &self.per_exporter);
            tracing::info!(file = %self.path.display(), rows = self.rows, "wrote hour file");
        }
    }
}

/// Rows per exporter address in a batch of the flow schema.
pub fn rows_per_exporter(batch: &RecordBatch) -> HashMap<IpAddr, u64> {
    let mut counts: HashMap<IpAddr, u64> = HashMap::new();
    let Some(col) = batch.column_by_name(schema::EXPORTER_ADDR) else { return counts };
    let mut by_text: HashMap<&str, u64> = HashMap::new();
    for v in col.as_string::<i32>().iter().flatten() {
        *by_text.entry(v).or_default() += 1;
    }
    for (addr, n) in by_text {
        if let Ok(ip) = addr.parse::<IpAddr>() {
            *counts.entry(ip).or_default() += n;
        }
    }
    counts
}

/// Sort the batches of one hour by flow start into one batch.
pub fn sort_batches(batches: &[RecordBatch]) -> Result<RecordBatch> {
    let all = datafusion::arrow::compute::concat_batches(&flow_schema(), batches)
        .map_err(|e| Error::arrow("concatenating hour", e))?;
    sort_by_flow_start(&all)
}

/// The work itself: records → columns (arrival order, sequential reads) → one sort → Parquet
/// (temp name, fsync, rename) → its admin-layout piece → journal segment removed.
pub fn write_hour(job: HourJob) -> Result<Written> {
    let HourJob { path, chunks, segment, writer, admin } = job;
    let mut done = Written { path, ..Written::default() };
    if chunks.iter().any(|c| !c.is_empty()) {
        // Columns are built in arrival order, then sorted with one `take`: measured faster
        // than gathering records in sorted order, whose random reads miss the cache.
        let arrival: Vec<RecordBatch> =
            chunks.iter().map(|c| records_to_batch(c)).collect::<Result<Vec<_>>>()?;
        drop(chunks);
        let sorted = sort_batches(&arrival)?;
        drop(arrival);
        done.rows = write_parquet(&done.path, std::slice::from_ref(&sorted), writer)?;
        if let Some((root, ports)) = &admin {
            super::admin::write_piece(root, &done.path, &sorted, ports, writer)?;
        }
        done.per_exporter = rows_per_exporter(&sorted);
    }
    if let Some(seg) = segment {
        seg.remove()?;
    }
    Ok(done)
}

/// A thread that writes hour files in the order they were submitted.
pub struct FileWriter {
    jobs: Option<SyncSender<HourJob>>,
    done: Receiver<Result<Written>>,
    thread: Option<JoinHandle<()>>,
}

impl FileWriter {
    /// Start the writer thread (one hour file at a time, one queued).
    pub fn spawn() -> Result<Self> {
        let (jobs, rx) = sync_channel::<HourJob>(1);
        let (tx, done) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("pivotflow-write".into())
            .spawn(move || {
                for job in rx {
                    if tx.send(write_hour(job)).is_err() {
                        return;
                    }
                }
            })
            .map_err(|e| Error::io("writer thread", e))?;
        Ok(FileWriter { jobs: Some(jobs), done, thread: Some(thread) })
    }

    /// Hand an hour over; blocks while one hour waits and another is being written.
    pub fn submit(&mut self, job: HourJob) -> Result<()> {
        let dead = || Error::Internal { detail: "the Parquet writer thread stopped".into() };
        self.jobs.as_ref().ok_or_else(dead)?.send(job).map_err(|_| dead())
    }

    /// Account for the hours written so far (without waiting); the first error is returned.
    pub fn collect(&mut self, stats: &mut dyn WriteTally) -> Result<()> {
        loop {
            match self.done.try_recv() {
                Ok(done) => done?.apply(stats),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return Ok(()),
            }
        }
    }

    /// Wait until every submitted hour is written.
    pub fn finish(&mut self, stats: &mut dyn WriteTally) -> Result<()> {
        drop(self.jobs.take());
        if let Some(t) = self.thread.take() {
            t.join().map_err(|_| Error::Internal {
                detail: "the Parquet writer thread panicked".into(),
            })?;
        }
        self.collect(stats)
    }
}
