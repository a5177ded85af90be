//! Retention: a live collector deletes whole days older than `--retention`, so a service that
//! runs for months does not fill the disk.
//!
//! Only folders named exactly `date=YYYY-MM-DD` directly under the store root are considered,
//! and only when every hour of that day is older than the cutoff; anything else in the store is
//! left alone. Each deletion is logged and counted (`days_deleted`).

use std::path::Path;

use crate::error::{Error, Result};

/// The UTC day of a `date=YYYY-MM-DD` folder name, as epoch ms of its midnight.
fn day_start_ms(name: &str) -> Option<i64> {
    let date = name.strip_prefix("date=")?;
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    // Only the canonical spelling: "date=2026-1-5" is not ours.
    (d.format("%Y-%m-%d").to_string() == date)
        .then(|| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp_millis())
}

/// Delete the day folders under `root` that ended at or before `cutoff_ms`, and the same days
/// of the admin layout (`root/admin`, see `store::admin`). Returns how many store days went.
pub fn delete_days_before(root: &Path, cutoff_ms: i64) -> Result<u64> {
    let deleted = delete_days_in(root, cutoff_ms)?;
    delete_days_in(&root.join(super::admin::ADMIN_DIR), cutoff_ms)?;
    Ok(deleted)
}

fn delete_days_in(root: &Path, cutoff_ms: i64) -> Result<u64> {
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(Error::io(root, e)),
    };
    let mut deleted = 0;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(root, e))?;
        let name = entry.file_name();
        let Some(start) = name.to_str().and_then(day_start_ms) else { continue };
        if start + 86_400_000 > cutoff_ms || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        tracing::info!(folder = %path.display(), "retention: deleted day");
        deleted += 1;
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_day_folders_that_ended_before_the_cutoff_go() {
        let root = std::env::temp_dir().join(format!("pivotflow-retention-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for d in ["date=2026-01-01", "date=2026-11-26", "date=2026-11-27", "date=2026-1-5", "notes"]
        {
            std::fs::create_dir_all(root.join(d).join("hour=00")).unwrap();
        }
        for d in ["date=2026-11-26", "date=2026-11-27"] {
            std::fs::create_dir_all(root.join(".admin").join(d).join("hour=00")).unwrap();
        }
        // Cutoff 2026-11-27T12:00Z: 11-26 ended before it, 11-27 did not.
        let n = delete_days_before(&root, 1_795_780_800_000).unwrap();
        assert_eq!(n, 2);
        let mut left: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".admin", "date=2026-1-5", "date=2026-11-27", "notes"]);
        let admin: Vec<String> = std::fs::read_dir(root.join(".admin"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(admin, ["date=2026-11-27"], "the admin layout's old day goes with the store's");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
