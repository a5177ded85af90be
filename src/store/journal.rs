//! Write-ahead journal: what the live collector received but has not yet put in Parquet.
//!
//! Every flush interval (default 1 s) the new rows of each open hour are appended as one
//! Arrow IPC stream message to `<data>/.journal/<run>-<hour>-<seq>.arrows` and fsynced.
//! When the hour's Parquet file is safely renamed into place, the journal file is deleted.
//! After a crash (`kill -9`, power loss) the next start turns every journal file into the
//! Parquet file it would have become (same name), so at most one flush interval is lost.
//! A torn last message (killed mid-write) is ignored: everything before it is recovered.

use std::fs::{self, File, OpenOptions};
use std::io::BufReader;
use std::path::{Path, PathBuf};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::ipc::reader::StreamReader;
use datafusion::arrow::ipc::writer::StreamWriter;

use super::partition::HourPartition;
use crate::error::{Error, Result};
use crate::schema::flow_schema;

/// Folder of the journal below the store root (hidden: no reader lists it).
pub const JOURNAL_DIR: &str = ".journal";

/// Identity of one journal segment; maps 1:1 to the Parquet file it becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentId {
    /// Run id (start time and process id) of the capture that wrote it.
    pub run: String,
    /// The hour partition it belongs to.
    pub hour: HourPartition,
    /// Sequence number of the file within the run.
    pub seq: u32,
}

impl SegmentId {
    /// The journal file name of this segment.
    pub fn file_name(&self) -> String {
        format!("{}-{}-{:04}.arrows", self.run, self.hour.key(), self.seq)
    }

    /// `flows-<run>-<seq>.parquet` in the hour folder.
    pub fn parquet_path(&self, root: &Path) -> PathBuf {
        self.hour.dir(root).join(format!("flows-{}-{:04}.parquet", self.run, self.seq))
    }

    fn parse(name: &str) -> Option<Self> {
        let stem = name.strip_suffix(".arrows")?;
        let mut parts = stem.rsplitn(3, '-');
        let seq = parts.next()?.parse().ok()?;
        let hour = HourPartition::from_key(parts.next()?)?;
        let run = parts.next()?.to_string();
        Some(SegmentId { run, hour, seq })
    }
}

/// An open journal segment being appended to.
pub struct Segment {
    /// Which file it will become.
    pub id: SegmentId,
    path: PathBuf,
    writer: StreamWriter<File>,
}

impl Segment {
    /// Create the segment file under `<root>/.journal`.
    pub fn create(root: &Path, id: SegmentId) -> Result<Self> {
        let dir = root.join(JOURNAL_DIR);
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join(id.file_name());
        let file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let writer = StreamWriter::try_new(file, &flow_schema())
            .map_err(|e| Error::arrow(path.display().to_string(), e))?;
        Ok(Segment { id, path, writer })
    }

    /// Append and make durable.
    pub fn append(&mut self, batch: &RecordBatch) -> Result<()> {
        let ctx = || self.path.display().to_string();
        self.writer.write(batch).map_err(|e| Error::arrow(ctx(), e))?;
        self.writer.flush().map_err(|e| Error::arrow(ctx(), e))?;
        self.writer.get_ref().sync_data().map_err(|e| Error::io(&self.path, e))
    }

    /// The Parquet file now holds everything: drop the journal.
    pub fn remove(self) -> Result<()> {
        drop(self.writer);
        fs::remove_file(&self.path).map_err(|e| Error::io(&self.path, e))
    }
}

/// A journal segment left by an earlier run, with the rows it still holds.
pub struct Leftover {
    /// Which file it becomes.
    pub id: SegmentId,
    /// The journal file.
    pub path: PathBuf,
    /// The complete messages it holds.
    pub batches: Vec<RecordBatch>,
    /// The last message was torn (the process died while writing it).
    pub torn_tail: bool,
}

/// Read every segment left in `<root>/.journal`.
pub fn leftovers(root: &Path) -> Result<Vec<Leftover>> {
    let dir = root.join(JOURNAL_DIR);
    let Ok(entries) = fs::read_dir(&dir) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&dir, e))?;
        let path = entry.path();
        let Some(id) = path.file_name().and_then(|n| n.to_str()).and_then(SegmentId::parse) else {
            continue;
        };
        let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let mut batches = Vec::new();
        let mut torn_tail = false;
        match StreamReader::try_new(BufReader::new(file), None) {
            Ok(reader) => {
                for b in reader {
                    match b {
                        Ok(b) => batches.push(b),
                        Err(_) => {
                            torn_tail = true;
                            break;
                        }
                    }
                }
            }
            // Killed before the schema message was complete: nothing to recover.
            Err(_) => torn_tail = true,
        }
        out.push(Leftover { id, path, batches, torn_tail });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_names_round_trip() {
        let id = SegmentId {
            run: "20261128T013212Z-123".into(),
            hour: HourPartition::of(1_795_829_532_069),
            seq: 3,
        };
        assert_eq!(SegmentId::parse(&id.file_name()), Some(id.clone()));
        assert!(
            id.parquet_path(Path::new("d"))
                .ends_with("date=2026-11-28/hour=01/flows-20261128T013212Z-123-0003.parquet")
        );
    }
}
