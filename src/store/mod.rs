//! store: the flow store on disk, shared by capture, synth, sql and the pivot history.
//!
//! ```text
//! FlowRecord (record) → Arrow batch (batch) → journal segment while the hour is open (journal)
//!   → sorted hour file <data>/date=YYYY-MM-DD/hour=HH/*.parquet (partition, parquet_file),
//!     written on a background thread (file_writer) by the hourly sink (sink);
//!   whole days deleted by --retention (retention); every file appears atomically (atomic);
//!   next to each hour file its flows on admin-service ports (admin: the admin layout).
//! ```
//! The store knows nothing of sockets, export formats or SQL: it takes records and returns
//! what it wrote through `WriteTally`, which capture's statistics implement.

pub mod admin;
pub mod atomic;
pub mod batch;
pub mod check;
pub mod file_writer;
pub mod journal;
pub mod objects;
pub mod parquet_file;
pub mod partition;
pub mod record;
pub mod retention;
pub mod sink;
pub mod upload;

use std::collections::HashMap;
use std::net::IpAddr;

/// What the store reports as it writes, for the caller to count.
pub trait WriteTally {
    /// A Parquet file with `rows` rows was written, `per_exporter` of them from each exporter.
    fn file_written(&mut self, rows: u64, per_exporter: &HashMap<IpAddr, u64>);
    /// Rows of an earlier run's journal were written to Parquet on start.
    fn rows_recovered(&mut self, rows: u64);
}

/// A tally that only adds up (for writers that keep no other statistics, e.g. synth).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Parquet files written.
    pub files: u64,
    /// Rows in them.
    pub rows: u64,
    /// Rows recovered from an earlier run's journal.
    pub rows_recovered: u64,
}

impl WriteTally for Totals {
    fn file_written(&mut self, rows: u64, _per_exporter: &HashMap<IpAddr, u64>) {
        self.files += 1;
        self.rows += rows;
    }

    fn rows_recovered(&mut self, rows: u64) {
        self.rows_recovered += rows;
    }
}
