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

#[cfg(test)]
mod tests {
    use super::*;

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
