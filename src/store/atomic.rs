//! The one way pivotflow makes a file appear: write under a hidden temporary name beside it,
//! flush and fsync, rename into place, fsync the folder. A reader (DataFusion, DuckDB globs,
//! Spark, a person) never sees half a file, and after a crash the file is either the old one or
//! the new one. Used for Parquet hour files, history partitions, stats JSON and pivot outputs.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Temp name for `path`: hidden and without its suffix (`.name.tmp`), so no reader that globs
/// `*.parquet` or lists visible files ever picks it up.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    path.with_file_name(format!(".{name}.tmp"))
}

/// fsync a folder (makes a rename in it durable); errors are ignored where the platform cannot.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Finish a file written at `tmp`: fsync it, rename it to `path`, fsync the folder.
pub fn commit(file: File, tmp: &Path, path: &Path) -> Result<()> {
    file.sync_all().map_err(|e| Error::io(tmp, e))?;
    drop(file);
    std::fs::rename(tmp, path).map_err(|e| Error::io(path, e))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// Write a file through `write` atomically (see the module doc). On an error the temporary
/// file is removed and an earlier file at `path` stays as it was.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<File>) -> Result<()>,
) -> Result<()> {
    let tmp = temp_path(path);
    let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut w = std::io::BufWriter::new(file);
    let written = write(&mut w).and_then(|()| {
        w.flush().map_err(|e| Error::io(&tmp, e))?;
        let file = w.into_inner().map_err(|e| Error::io(&tmp, e.into_error()))?;
        commit(file, &tmp, path)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Put the finished folder `tmp` at `dir` (a sibling), replacing an earlier one so that a
/// reader sees the old folder or the new one, never none and never a mix: the files in `tmp`
/// and `tmp` itself are fsynced, then the two are swapped in one step (`renameat2` with
/// `RENAME_EXCHANGE`, Linux ≥ 3.15 on ext4, xfs, btrfs, tmpfs…), the old folder (now at `tmp`)
/// removed and the parent fsynced. Where the filesystem cannot exchange, the old folder is
/// renamed away first (a reader may then briefly find no folder; said in the log).
pub fn replace_dir(tmp: &Path, dir: &Path) -> Result<()> {
    sync_tree(tmp)?;
    let parent = dir.parent().unwrap_or(Path::new("."));
    if dir.exists() {
        match exchange(tmp, dir) {
            Ok(()) => {
                let _ = std::fs::remove_dir_all(tmp);
                sync_dir(parent);
                return Ok(());
            }
            Err(e) => tracing::warn!(dir = %dir.display(), error = %e,
                "the filesystem cannot swap folders in one step: replacing in two"),
        }
        let old = tmp.with_extension("old");
        std::fs::rename(dir, &old).map_err(|e| Error::io(dir, e))?;
        std::fs::rename(tmp, dir).map_err(|e| Error::io(dir, e))?;
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(tmp, dir).map_err(|e| Error::io(dir, e))?;
    }
    sync_dir(parent);
    Ok(())
}

/// fsync every file and folder below `dir` (symbolic links are not followed), then `dir`.
fn sync_tree(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let (path, kind) = (entry.path(), entry.file_type().map_err(|e| Error::io(dir, e))?);
        if kind.is_dir() {
            sync_tree(&path)?;
        } else if kind.is_file() {
            File::open(&path).and_then(|f| f.sync_all()).map_err(|e| Error::io(&path, e))?;
        }
    }
    sync_dir(dir);
    Ok(())
}

/// Make `link` a symbolic link to `target` in one step (a link made under a temporary name,
/// renamed over the old link; the parent fsynced). `link` must not be a real folder.
#[cfg(unix)]
pub fn replace_symlink(target: &Path, link: &Path) -> Result<()> {
    if std::fs::read_link(link).is_ok_and(|t| t == target) {
        return Ok(());
    }
    let tmp = temp_path(link);
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, link).map_err(|e| Error::io(link, e))?;
    sync_dir(link.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// Swap two paths in one step (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths; renameat2 reads them and nothing else.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "no RENAME_EXCHANGE"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader polling the folder while it is replaced 200 times always finds it, each time
    /// whole (both files of one version), and no temporary folder is left.
    #[test]
    fn a_replaced_folder_is_never_missing_nor_mixed() {
        let root = std::env::temp_dir().join(format!("pf-replace-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let dir = root.join("2026-11-27");
        let write = |v: usize| {
            let tmp = root.join(".2026-11-27.tmp");
            std::fs::create_dir_all(&tmp).unwrap();
            std::fs::write(tmp.join("a"), v.to_string()).unwrap();
            std::fs::write(tmp.join("b"), v.to_string()).unwrap();
            replace_dir(&tmp, &dir).unwrap();
        };
        write(0);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (d, s) = (dir.clone(), stop.clone());
        let reader = std::thread::spawn(move || {
            let (mut reads, mut bad) = (0, 0);
            while !s.load(std::sync::atomic::Ordering::Relaxed) {
                let a = std::fs::read_to_string(d.join("a"));
                let b = std::fs::read_to_string(d.join("b"));
                match (a, b) {
                    // Two reads: a swap may fall between them (then b is newer), never older.
                    (Ok(a), Ok(b)) if b.parse::<u32>().unwrap() >= a.parse().unwrap() => {}
                    _ => bad += 1,
                }
                reads += 1;
            }
            (reads, bad)
        });
        for v in 1..=200 {
            write(v);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let (reads, bad) = reader.join().unwrap();
        assert!(reads > 0);
        assert_eq!(bad, 0, "{bad} of {reads} reads found the folder missing or mixed");
        assert_eq!(std::fs::read_to_string(dir.join("a")).unwrap(), "200");
        let left: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
        assert_eq!(left.len(), 1, "only the folder itself is left");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_visible_temp() {
        let dir = std::env::temp_dir().join(format!("pivotflow-fsutil-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.json");
        write_atomic(&path, |w| w.write_all(b"old").map_err(|e| Error::io("w", e))).unwrap();
        let failed = write_atomic(&path, |w| {
            w.write_all(b"half").map_err(|e| Error::io("w", e))?;
            Err(Error::config("test", "stop half way"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(temp_path(&path).file_name().unwrap(), ".out.json.tmp");
        assert!(!temp_path(&path).exists(), "the temp file is cleaned up");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
