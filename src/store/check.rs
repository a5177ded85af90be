//! Which hour files a reader of the store would read, and which of them cannot be read.
//!
//! A store is written atomically by pivotflow, but it lives for months on a disk anyone may touch:
//! a truncated copy, a garbage file named `*.parquet`, a disk error. Readers list the visible
//! `*.parquet` files of the hour folders a time range covers (hidden and temporary files are
//! never read) and check each footer (one small read per file): `pivots` and `report` leave
//! unreadable files out and name them; `sql` names them in its error.

use std::path::{Path, PathBuf};

use super::objects;
use super::partition::HOUR_MS;
use crate::error::Result;

/// A store file that cannot be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unreadable {
    /// The file.
    pub path: PathBuf,
    /// What the Parquet reader said.
    pub why: String,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.why)
    }
}

/// The partition values (`YYYY-MM-DD`, `HH`) of an hour folder `…/date=D/hour=H`.
pub fn partition_of(hour_dir: &Path) -> Option<(String, String)> {
    let value = |p: &Path, key: &str| name(p).strip_prefix(key).map(String::from);
    Some((value(hour_dir.parent()?, "date=")?, value(hour_dir, "hour=")?))
}

/// Start (epoch ms) of an hour folder, from its partition values.
fn folder_start_ms(hour_dir: &Path) -> Option<i64> {
    let (date, hour) = partition_of(hour_dir)?;
    let date = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").ok()?;
    let hour: u32 = hour.parse().ok()?;
    Some(date.and_hms_opt(hour, 0, 0)?.and_utc().timestamp_millis())
}

fn name(p: &Path) -> &str {
    p.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// The visible `*.parquet` files of the hour folders overlapping `[since_ms, until_ms)`
/// (`None` = unbounded), sorted. Folders that are not hour partitions are not read. `root` is a
/// local folder or an object store URL (`store::objects`).
pub fn hour_files(
    root: &Path,
    since_ms: Option<i64>,
    until_ms: Option<i64>,
) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !objects::is_remote(root) && !root.is_dir() {
        return Ok(out); // the caller reports a missing store
    }
    for date_dir in objects::list(root)? {
        if !name(&date_dir.path).starts_with("date=") || !date_dir.dir {
            continue;
        }
        // A day wholly outside the range is not listed (on S3 each listing is a request).
        let day_start = name(&date_dir.path)
            .strip_prefix("date=")
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp_millis());
        if let Some(start) = day_start
            && (since_ms.is_some_and(|s| start + 24 * HOUR_MS <= s)
                || until_ms.is_some_and(|u| start >= u))
        {
            continue;
        }
        let hours: Vec<PathBuf> = objects::list(&date_dir.path)?
            .into_iter()
            .filter(|h| {
                folder_start_ms(&h.path).is_some_and(|start| {
                    h.dir
                        && since_ms.is_none_or(|s| start + HOUR_MS > s)
                        && until_ms.is_none_or(|u| start < u)
                })
            })
            .map(|h| h.path)
            .collect();
        // One listing per hour folder: on an object store several at once.
        for files in objects::par_map(root, &hours, |h| hour_files_in(h)) {
            out.extend(files?);
        }
    }
    Ok(out)
}

/// The visible `*.parquet` files of one hour folder, sorted.
pub fn hour_files_in(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(objects::list(dir)?
        .into_iter()
        .filter(|f| {
            let n = name(&f.path);
            n.ends_with(".parquet") && !n.starts_with('.') && !f.dir
        })
        .map(|f| f.path)
        .collect())
}

/// The files whose Parquet footer cannot be read (truncated, not Parquet, unreadable).
/// On an object store the footers are asked for several at once (`objects::par_map`).
pub fn unreadable(files: &[PathBuf]) -> Vec<Unreadable> {
    // The files are of one store: the first says whether it is remote.
    let Some(first) = files.first() else { return Vec::new() };
    objects::par_map(first, files, |path| {
        let why = match objects::footer(path) {
            Ok(m) if m.file_metadata().schema_descr().num_columns() > 0 => return None,
            Ok(_) => "no columns".to_string(),
            Err(e) => e,
        };
        Some(Unreadable { path: path.clone(), why })
    })
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_visible_parquet_files_of_hour_folders_in_range() {
        let root = std::env::temp_dir().join(format!("pivotflow-check-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let h10 = root.join("date=2026-11-27/hour=10");
        let h11 = root.join("date=2026-11-27/hour=11");
        for d in [&h10, &h11, &root.join("date=2026-11-27/hour=12"), &root.join("notes")] {
            std::fs::create_dir_all(d).unwrap();
        }
        for f in ["a.parquet", ".a.parquet.tmp", "README.txt", ".hidden.parquet"] {
            std::fs::write(h10.join(f), b"x").unwrap();
        }
        std::fs::write(h11.join("b.parquet"), b"PAR1garbage").unwrap();
        std::fs::write(root.join("notes/c.parquet"), b"x").unwrap();
        let ten = folder_start_ms(&h10).unwrap();
        assert_eq!(
            hour_files(&root, None, None).unwrap(),
            [h10.join("a.parquet"), h11.join("b.parquet")]
        );
        assert_eq!(hour_files(&root, Some(ten + HOUR_MS), None).unwrap(), [h11.join("b.parquet")]);
        assert_eq!(hour_files(&root, None, Some(ten + 1)).unwrap(), [h10.join("a.parquet")]);
        // Days wholly outside the range are skipped (not listed), days inside are read.
        let before = root.join("date=2026-11-26/hour=23");
        std::fs::create_dir_all(&before).unwrap();
        std::fs::write(before.join("z.parquet"), b"x").unwrap();
        assert_eq!(hour_files(&root, Some(ten), None).unwrap().len(), 2);
        assert_eq!(hour_files(&root, Some(ten - HOUR_MS * 11), None).unwrap().len(), 3);
        assert_eq!(hour_files(&root, None, None).unwrap().len(), 3);
        std::fs::remove_dir_all(root.join("date=2026-11-26")).unwrap();
        let bad = unreadable(&hour_files(&root, None, None).unwrap());
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert!(bad.iter().all(|u| !u.why.is_empty()));
        let _ = std::fs::remove_dir_all(&root);
    }
}
