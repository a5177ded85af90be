//! `capture --upload s3://bucket/prefix`: the finished hour files (and their admin pieces) of
//! the local store, copied to an object store that `sql`, `pivots` and `report` read.
//!
//! The local store stays the one that is written (atomically, journaled); the copy follows it.
//! A pass compares the hour folders of the local store with the bucket (one listing per
//! folder) and puts every visible file that is missing there or has another size. A file that
//! fails (after the client's retries) is counted and stays local; the next pass tries it again.
//! A live collector makes a pass over the whole store when it starts (what an earlier run left
//! behind), then one after every flush over the folders written since the last pass, and a last
//! one when it stops; a pcap/Zeek/packets run makes one pass at the end. Memory: one file at a
//! time.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::check::hour_files_in;
use super::objects;
use crate::error::{Error, Result};

/// What the uploads did so far.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UploadStats {
    /// Files put to the object store.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Uploads that failed (each file once per pass; it is tried again at the next pass).
    pub failures: u64,
    /// Files that failed at the last pass and are still only local.
    pub pending: u64,
    /// The last failure (file, URL and what the object store said).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// The hour folders (`date=D/hour=H`, and the same under `.admin/`) of the local store, with
/// the newest modification time of their files (the walk readers make, `check::hour_files`).
fn hour_folders(root: &Path) -> Result<Vec<(PathBuf, SystemTime)>> {
    let mut newest: std::collections::BTreeMap<PathBuf, SystemTime> = Default::default();
    for base in [root.to_path_buf(), root.join(super::admin::ADMIN_DIR)] {
        for f in super::check::hour_files(&base, None, None)? {
            let modified = std::fs::metadata(&f).and_then(|m| m.modified());
            let (Some(dir), Ok(t)) = (f.parent(), modified) else { continue };
            let e = newest.entry(dir.to_path_buf()).or_insert(t);
            *e = (*e).max(t);
        }
    }
    Ok(newest.into_iter().collect())
}

/// One pass: put every visible file of the hour folders changed at or after `since` (all when
/// `None`) that the object store at `dest` lacks or holds with another size.
pub fn pass(
    root: &Path,
    dest: &Path,
    since: Option<SystemTime>,
    stats: &mut UploadStats,
) -> Result<()> {
    stats.pending = 0;
    for (folder, newest) in hour_folders(root)? {
        if since.is_some_and(|s| newest < s) {
            continue;
        }
        let rel = folder.strip_prefix(root).unwrap_or(&folder);
        let remote_folder = dest.join(rel);
        let there: std::collections::HashMap<PathBuf, u64> = match objects::list_sizes(
            &remote_folder,
        ) {
            Ok(v) => v.into_iter().collect(),
            Err(e) => {
                let files = hour_files_in(&folder).map_or(0, |f| f.len()) as u64;
                stats.failures += files;
                stats.pending += files;
                stats.last_error = Some(e.to_string());
                tracing::error!(folder = %remote_folder.display(), error = %e, "upload: cannot list the destination; tried again at the next pass");
                continue;
            }
        };
        // A folder deleted meanwhile (`--retention`) or unreadable is skipped, not fatal.
        for file in hour_files_in(&folder).unwrap_or_default() {
            let Ok(size) = std::fs::metadata(&file).map(|m| m.len()) else { continue };
            let url = remote_folder.join(file.file_name().unwrap_or_default());
            if there.get(&url) == Some(&size) {
                continue;
            }
            match objects::put_file(&file, &url) {
                Ok(()) => {
                    stats.files += 1;
                    stats.bytes += size;
                    tracing::info!(file = %file.display(), to = %url.display(), bytes = size, "uploaded");
                }
                Err(e) => {
                    stats.failures += 1;
                    stats.pending += 1;
                    stats.last_error = Some(format!("{}: {e}", file.display()));
                    tracing::error!(file = %file.display(), error = %e, "upload failed; tried again at the next pass");
                }
            }
        }
    }
    Ok(())
}

/// A thread making upload passes when asked (see the module text).
pub struct Uploader {
    wake: Option<SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
    stats: Arc<Mutex<UploadStats>>,
    files_seen: u64,
}

impl Uploader {
    /// Start it; its first pass covers the whole store.
    pub fn spawn(root: PathBuf, dest: PathBuf) -> Result<Self> {
        let (wake, rx): (SyncSender<()>, Receiver<()>) = sync_channel(1);
        let stats = Arc::new(Mutex::new(UploadStats::default()));
        let shared = stats.clone();
        let thread = std::thread::Builder::new()
            .name("pivotflow-upload".into())
            .spawn(move || {
                let mut since = None;
                loop {
                    let started = SystemTime::now();
                    let mut s = shared.lock().unwrap_or_else(|e| e.into_inner()).clone();
                    if let Err(e) = pass(&root, &dest, since, &mut s) {
                        // The local store could not be listed: counted, the next pass retries.
                        tracing::error!(error = %e, "upload pass failed; tried again at the next pass");
                        s.failures += 1;
                        s.pending += 1;
                        s.last_error = Some(e.to_string());
                    }
                    // A folder that failed is passed again whatever its time.
                    since = (s.pending == 0).then_some(started);
                    *shared.lock().unwrap_or_else(|e| e.into_inner()) = s;
                    if rx.recv().is_err() {
                        return Ok(()); // stopped: the last pass was made above
                    }
                }
            })
            .map_err(|e| Error::io("upload thread", e))?;
        Ok(Uploader { wake: Some(wake), thread: Some(thread), stats, files_seen: 0 })
    }

    /// Ask for a pass when `files_written` (the capture's count of hour files) grew since the
    /// last call; never blocks (passes asked for meanwhile merge into one).
    pub fn wake_after(&mut self, files_written: u64) {
        if files_written == self.files_seen {
            return;
        }
        self.files_seen = files_written;
        if let Some(w) = &self.wake {
            let _ = w.try_send(());
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> UploadStats {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Make a last pass and stop; the counters after it.
    pub fn finish(&mut self) -> Result<UploadStats> {
        if let Some(w) = self.wake.take() {
            let _ = w.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join()
                .map_err(|_| Error::Internal { detail: "the upload thread panicked".into() })??;
        }
        Ok(self.stats())
    }
}
