//! `--since` / `--until`: RFC 3339 instants, plain dates, or durations before now (`24h`, `7d`).

use crate::error::{Error, Result};

/// A half-open range of arrival time `[since, until)`, in epoch ms; `None` = unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    /// Inclusive start.
    pub since_ms: Option<i64>,
    /// Exclusive end.
    pub until_ms: Option<i64>,
}

/// Parse one bound. `now_ms` anchors relative forms.
pub fn parse_instant(what: &str, text: &str, now_ms: i64) -> Result<i64> {
    let t = text.trim();
    if t == "now" {
        return Ok(now_ms);
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp_millis());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp_millis());
    }
    if let Ok(d) = humantime::parse_duration(t) {
        return Ok(now_ms - d.as_millis() as i64);
    }
    Err(Error::config(
        what,
        format!(
            "{t:?} is not RFC 3339 (2026-11-27T00:00:00Z), a date (2026-11-27), or a duration before now (24h, 7d)"
        ),
    ))
}

impl TimeRange {
    /// Parse `--since`/`--until` (each optional); fails when since is not before until.
    pub fn parse(since: Option<&str>, until: Option<&str>, now_ms: i64) -> Result<Self> {
        let since_ms = since.map(|s| parse_instant("--since", s, now_ms)).transpose()?;
        let until_ms = until.map(|s| parse_instant("--until", s, now_ms)).transpose()?;
        if let (Some(s), Some(u)) = (since_ms, until_ms)
            && s >= u
        {
            return Err(Error::config("--since/--until", "since must be before until"));
        }
        Ok(TimeRange { since_ms, until_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_829_532_069;

    #[test]
    fn forms() {
        assert_eq!(parse_instant("x", "2026-11-27T00:00:00Z", NOW).unwrap(), 1_795_737_600_000);
        assert_eq!(parse_instant("x", "2026-11-27", NOW).unwrap(), 1_795_737_600_000);
        assert_eq!(parse_instant("x", "24h", NOW).unwrap(), NOW - 86_400_000);
        assert_eq!(parse_instant("x", "7d", NOW).unwrap(), NOW - 7 * 86_400_000);
        assert!(parse_instant("x", "yesterdayish", NOW).is_err());
    }

    #[test]
    fn since_must_precede_until() {
        assert!(TimeRange::parse(Some("1h"), Some("2h"), NOW).is_err());
        assert!(TimeRange::parse(Some("2h"), Some("1h"), NOW).is_ok());
    }
}
