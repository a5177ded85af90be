//! report: pivots over one UTC day into `<reports>/YYYY-MM-DD/` with pivots.graphml,
//! chains.json and summary.md, written atomically and idempotently: the folder is built under
//! a hidden temporary name and swapped in, so a rerun replaces it and a reader never sees half.
//! Each day also adds its facts to `<reports>/history/` (see `history`), and the day is scored
//! against the history of the days before it only. A backfill (`--since`/`--until`) runs the
//! days oldest first, so each night sees the history the nightly job would have had.

use std::path::{Path, PathBuf};

use chrono::{Duration as ChronoDuration, NaiveDate, TimeZone};

use super::history;
use super::outcome::PivotReport;
use super::render::{DAY_FILES, Frame, text::summary_table, write_files};
use crate::error::{Error, Result};
use crate::pivot::rules::PivotRules;
use crate::sql::print::print_text;
use crate::sql::timerange::TimeRange;

/// `--day`: `yesterday`, `today`, or `YYYY-MM-DD` → that UTC day.
pub fn parse_day(text: &str, today: NaiveDate) -> Result<NaiveDate> {
    match text {
        "yesterday" => Ok(today - ChronoDuration::days(1)),
        "today" => Ok(today),
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|e| {
            Error::config("--day", format!("{d:?}: {e} (use YYYY-MM-DD, yesterday or today)"))
        }),
    }
}

/// The day `[00:00, next 00:00)` in `zone` as an arrival-time range (23 or 25 hours on the
/// days its clocks change; where a midnight does not exist, the day starts at the first
/// instant after it).
pub fn day_range(day: NaiveDate, zone: chrono_tz::Tz) -> TimeRange {
    let start = |d: NaiveDate| -> i64 {
        let midnight = d.and_hms_opt(0, 0, 0).expect("midnight");
        let local = (0..=3).find_map(|h| {
            zone.from_local_datetime(&(midnight + ChronoDuration::hours(h))).earliest()
        });
        local.map_or_else(|| midnight.and_utc().timestamp_millis(), |t| t.timestamp_millis())
    };
    TimeRange { since_ms: Some(start(day)), until_ms: Some(start(day + ChronoDuration::days(1))) }
}

/// Write a finished report folder to `<reports>/<label>/`, with the day's history `facts` in
/// its `history/` subfolder, replacing an earlier one in one step
/// (`store::atomic::replace_dir`): a reader sees the old report and history or the new ones.
pub fn publish(
    reports: &Path,
    label: &str,
    report: &PivotReport,
    rules: &PivotRules,
    facts: Option<&history::DayFacts>,
) -> Result<PathBuf> {
    std::fs::create_dir_all(reports).map_err(|e| Error::io(reports, e))?;
    let final_dir = reports.join(label);
    let tmp = reports.join(format!(".{label}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let title = format!("Pivot report {label}");
    let frame = Frame { label, title: &title, rules };
    // The history facts (a Parquet encode of every admin connection: ~0.3 s at 100 M flows)
    // are written on a thread of their own while the report files are rendered.
    let facts_dir = tmp.join(history::FACTS_DIR);
    let (files, facts) = std::thread::scope(|s| {
        let t0 = std::time::Instant::now();
        let ms = move || t0.elapsed().as_millis() as u64;
        let facts = s.spawn(move || {
            let r = facts.map_or(Ok(()), |f| history::write_facts(&facts_dir, f));
            tracing::debug!(elapsed_ms = ms(), "history facts written");
            r
        });
        let files = write_files(&tmp, DAY_FILES, report, &frame);
        tracing::debug!(elapsed_ms = ms(), "report files written");
        (files, facts.join())
    });
    files?;
    facts
        .map_err(|_| Error::Internal { detail: "writing the history facts panicked".into() })??;
    fault_point("report-folder-built");
    crate::store::atomic::replace_dir(&tmp, &final_dir)?;
    Ok(final_dir)
}

/// The marker of a day whose history and report were being replaced by an earlier version
/// (which swapped them in two steps); read so that such a day is reported again.
fn pending_path(history: &Path, day: NaiveDate) -> PathBuf {
    history.join(format!(".pending-{day}"))
}

fn pending_clear(history: &Path, day: NaiveDate) -> Result<()> {
    let path = pending_path(history, day);
    match std::fs::remove_file(&path) {
        Ok(()) => crate::store::atomic::sync_dir(history),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&path, e)),
    }
    Ok(())
}

/// The days to report: `days` and every day an earlier version's run left half replaced (its
/// marker in `history/`: killed between the day's history and its report), oldest first, so
/// that no later day reads a history its report does not match. Temporary folders of killed
/// runs are removed.
fn with_repairs(out: &Path, history: &Path, days: &[NaiveDate]) -> Vec<NaiveDate> {
    let entries = |dir: &Path| std::fs::read_dir(dir).into_iter().flatten().flatten();
    for e in entries(out) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.contains(".tmp-") && e.path().is_dir() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
    let mut all: std::collections::BTreeSet<NaiveDate> = days.iter().copied().collect();
    for e in entries(history) {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(d) = name.strip_prefix(".pending-").and_then(|d| d.parse().ok())
            && all.insert(d)
        {
            tracing::warn!(day = %d, "an earlier report run stopped between this day's history and its report: reporting it again");
        }
    }
    all.into_iter().collect()
}

/// Test hook: `PIVOTFLOW_FAULT=<point>` aborts the process at that point, as a crash or
/// `kill -9` would (used by tests/report_crash.rs; no effect otherwise).
fn fault_point(point: &str) {
    if std::env::var("PIVOTFLOW_FAULT").is_ok_and(|p| p == point) {
        eprintln!("pivotflow: PIVOTFLOW_FAULT={point}: aborting");
        std::process::abort();
    }
}

/// `pivotflow report`, validated.
#[derive(Debug)]
pub struct ReportConfig {
    /// Root of the flow store.
    pub data: PathBuf,
    /// Services, thresholds, limits, trusted hosts.
    pub rules: PivotRules,
    /// The days to report, oldest first.
    pub days: Vec<NaiveDate>,
    /// The reports folder (the history is kept in its `history/`).
    pub out: PathBuf,
    /// `--events FILE`: alert incidents appended as ECS JSON lines.
    pub events: Option<PathBuf>,
    /// `--syslog URL`: alert incidents sent as RFC 5424 messages.
    pub syslog: Option<super::render::syslog::Target>,
    /// Memory and parallelism of the SQL stages.
    pub settings: crate::sql::context::SqlSettings,
}

/// `pivotflow report`.
pub fn run(c: &ReportConfig) -> Result<()> {
    let (days, rules, settings) = (&c.days, &c.rules, &c.settings);
    let runtime = settings.runtime()?;
    let history_dir = c.out.join("history");
    let mut incomplete = Vec::new();
    let days = &with_repairs(&c.out, &history_dir, days);
    history::repair_links(&c.out, &history_dir)?;
    for day in days {
        let t0 = std::time::Instant::now();
        let report = settings.block_on(
            &runtime,
            &format!("report {day}"),
            super::find(
                &c.data,
                day_range(*day, rules.timezone),
                rules,
                settings,
                Some(super::HistoryAt { dir: &history_dir, day: *day }),
                super::Facts::Gather,
            ),
        )?;
        // A day without any flow on a service port has no data (collector down, or not yet
        // captured): it is not a day of history, or "never seen in N days" would overclaim.
        // The day's facts are kept inside its report folder (`history/`), linked from
        // `history/date=D`: one swap replaces report and history together.
        let facts = if report.service_flows > 0 {
            Some(&report.facts)
        } else {
            tracing::warn!(day = %day, "no flows on service ports: no history kept for this day");
            None
        };
        history::link_day(&history_dir, *day)?;
        fault_point("history-linked");
        let label = day.format("%Y-%m-%d").to_string();
        let dir = publish(&c.out, &label, &report, rules, facts)?;
        fault_point("report-written");
        pending_clear(&history_dir, *day)?;
        let history_bytes = history::dir_size(&dir.join(history::FACTS_DIR));
        if let Some(file) = &c.events {
            let n = super::render::events::append(file, &label, &report)?;
            tracing::info!(file = %file.display(), events = n, "alert events appended");
        }
        if let Some(target) = &c.syslog {
            let n = super::render::syslog::send(target, &label, &report)?;
            tracing::info!(events = n, "alert events sent to syslog");
        }
        tracing::info!(
            folder = %dir.display(),
            chains = report.chains.len(),
            alerts = report.alerts,
            history_days = report.history_days,
            history_bytes,
            elapsed_ms = t0.elapsed().as_millis() as u64,
            "report written"
        );
        let line = if days.len() == 1 {
            summary_table(&report)
        } else {
            format!(
                "{label}: {} alert incidents, {} incidents, {} chains; {}\n",
                report.alerts,
                report.incidents.len(),
                report.chains.len(),
                report.history_note()
            )
        };
        // The reports on disk are the job: a reader that closed stdout stops no backfill.
        print_text(&line).or_else(|e| if e.is_broken_pipe() { Ok(()) } else { Err(e) })?;
        // A broken history day is named by every later night of a backfill: once is enough.
        for f in report.left_out() {
            if !incomplete.contains(&f) {
                incomplete.push(f);
            }
        }
    }
    // A night with unreadable store files or history days must not look complete (exit 3),
    // but every day was reported from what could be read.
    if incomplete.is_empty() {
        Ok(())
    } else {
        Err(Error::StoreFiles { what: "the reports leave them out".into(), files: incomplete })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(parse_day("yesterday", today).unwrap().to_string(), "2026-11-27");
        assert_eq!(parse_day("2026-01-02", today).unwrap().to_string(), "2026-01-02");
        assert!(parse_day("last tuesday", today).is_err());
        let r = day_range(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(), chrono_tz::Tz::UTC);
        assert_eq!(r.since_ms, Some(1_795_737_600_000));
        assert_eq!(r.until_ms, Some(1_795_737_600_000 + 86_400_000));
        // Los Angeles: 08:00 UTC in November; the day the clocks go back has 25 hours.
        let la = chrono_tz::America::Los_Angeles;
        let r = day_range(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(), la);
        assert_eq!(r.since_ms, Some(1_795_737_600_000 + 8 * 3_600_000));
        let r = day_range(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), la);
        assert_eq!(r.until_ms.unwrap() - r.since_ms.unwrap(), 25 * 3_600_000);
    }
}
