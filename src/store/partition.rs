//! Hour partitions of the store: `<data>/date=YYYY-MM-DD/hour=HH/`, by arrival time (UTC).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

/// One hour in milliseconds.
pub const HOUR_MS: i64 = 3_600_000;

/// One UTC hour of arrival time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HourPartition {
    /// Epoch ms of the first millisecond of the hour.
    pub start_ms: i64,
}

impl HourPartition {
    /// The hour containing `received_ms`.
    pub fn of(received_ms: i64) -> Self {
        HourPartition { start_ms: received_ms.div_euclid(HOUR_MS) * HOUR_MS }
    }

    /// Epoch ms just after the hour (exclusive end).
    pub fn end_ms(self) -> i64 {
        self.start_ms + HOUR_MS
    }

    fn datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.start_ms).unwrap_or_default()
    }

    /// Folder of this hour below the data root (hive style, zero padded).
    pub fn dir(self, root: &Path) -> PathBuf {
        let (date, hour) = self.folder_values();
        root.join(format!("date={date}")).join(format!("hour={hour}"))
    }

    /// Compact sortable key `YYYYMMDDHH`, used in journal file names.
    pub fn key(self) -> String {
        self.datetime().format("%Y%m%d%H").to_string()
    }

    /// The hour's folder names' values: `date` (`YYYY-MM-DD`) and `hour` (`HH`).
    pub fn folder_values(self) -> (String, String) {
        let t = self.datetime();
        (t.format("%Y-%m-%d").to_string(), t.format("%H").to_string())
    }

    /// Inverse of [`HourPartition::key`].
    pub fn from_key(key: &str) -> Option<Self> {
        let t =
            chrono::NaiveDateTime::parse_from_str(&format!("{key}0000"), "%Y%m%d%H%M%S").ok()?;
        Some(HourPartition { start_ms: t.and_utc().timestamp_millis() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hour_folder_is_hive_style_and_zero_padded() {
        // 2026-11-28T01:32:12.069Z
        let p = HourPartition::of(1_795_829_532_069);
        assert_eq!(p.dir(Path::new("d")), PathBuf::from("d/date=2026-11-28/hour=01"));
        assert_eq!(p.start_ms, 1_795_827_600_000);
        assert_eq!(p.key(), "2026112801");
        assert_eq!(HourPartition::from_key("2026112801"), Some(p));
    }

    #[test]
    fn last_millisecond_stays_in_its_hour() {
        let p = HourPartition::of(1_795_831_199_999);
        assert_eq!(p.key(), "2026112801");
        assert_eq!(HourPartition::of(1_795_831_200_000).key(), "2026112802");
    }

    #[test]
    fn times_before_1970_do_not_panic() {
        assert_eq!(HourPartition::of(-1).start_ms, -HOUR_MS);
    }
}
