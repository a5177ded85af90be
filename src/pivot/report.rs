//! report: pivots over one day (or a range) into `<reports>/YYYY-MM-DD/` with pivots.graphml,
//! chains.json and summary.md, written atomically and idempotently: the folder is built under
//! a hidden temporary name and swapped in, so a rerun replaces it and a reader never sees half.

use std::path::{Path, PathBuf};

use chrono::{Duration as ChronoDuration, NaiveDate, Utc};

use super::{PivotReport, summary_table, write_outputs};
use crate::error::{Error, Result};
use crate::pivot::rules::PivotRules;
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

pub fn day_range(day: NaiveDate) -> TimeRange {
    let start = day.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis();
    TimeRange { since_ms: Some(start), until_ms: Some(start + 86_400_000) }
}

/// Markdown summary for a human reader.
pub fn summary_markdown(label: &str, report: &PivotReport, rules: &PivotRules) -> String {
    let mut s = format!("# Pivot report {label}\n\n");
    s.push_str(&format!(
        "{} chains{} from {} remote-administration hops ({} continuations). Services: {}. \
         Generated {}.\n\n",
        report.chains.len(),
        report.hidden_note(),
        report.hops,
        report.continuations,
        rules
            .services
            .iter()
            .map(|v| format!("{} {}/{}", v.name, if v.proto == 6 { "tcp" } else { "udp" }, v.port))
            .collect::<Vec<_>>()
            .join(", "),
        Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
    ));
    let t = &report.truncations;
    if t.max_hops > 0 || t.fanout > 0 || t.max_chains_reached {
        s.push_str(&format!(
            "**Search was cut:** {} chains at --max-hops, {} continuations over --max-fanout{}.\n\n",
            t.max_hops,
            t.fanout,
            t.chain_limit_note()
        ));
    }
    if report.chains.is_empty() {
        s.push_str("No pivot chains.\n");
        return s;
    }
    s.push_str("| rank | chain | score | start (UTC) | services | path | flags |\n|---|---|---|---|---|---|---|\n");
    for c in &report.chains {
        s.push_str(&format!(
            "| {} | {} | {:.2} | {} | {} | {} | {} |\n",
            c.rank,
            c.id,
            c.score,
            c.start,
            c.services.join(", "),
            c.hosts.join(" → "),
            c.flags.join(", ")
        ));
    }
    s.push_str(
        "\nOpen `pivots.graphml` in Cytoscape or Gephi; `chains.json` has every hop for scripts.\n",
    );
    s
}

/// Write a finished report folder to `<reports>/<label>/`, replacing an earlier one.
pub fn publish(
    reports: &Path,
    label: &str,
    report: &PivotReport,
    rules: &PivotRules,
) -> Result<PathBuf> {
    std::fs::create_dir_all(reports).map_err(|e| Error::io(reports, e))?;
    let final_dir = reports.join(label);
    let tmp = reports.join(format!(".{label}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    write_outputs(&tmp, report, rules, false)?;
    std::fs::write(tmp.join("summary.md"), summary_markdown(label, report, rules))
        .map_err(|e| Error::io(&tmp, e))?;
    let old = reports.join(format!(".{label}.old-{}", std::process::id()));
    if final_dir.exists() {
        std::fs::rename(&final_dir, &old).map_err(|e| Error::io(&final_dir, e))?;
    }
    std::fs::rename(&tmp, &final_dir).map_err(|e| Error::io(&final_dir, e))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(final_dir)
}

/// `pivotflow report`.
pub fn run(a: &crate::cli::ReportArgs) -> Result<()> {
    let today = Utc::now().date_naive();
    let (label, range) = match (&a.day, &a.since) {
        (Some(d), _) => {
            let day = parse_day(d, today)?;
            (day.format("%Y-%m-%d").to_string(), day_range(day))
        }
        (None, Some(since)) => {
            let now = Utc::now().timestamp_millis();
            let r = TimeRange::parse(Some(since), a.until.as_deref(), now)?;
            let label = super::model::iso(r.since_ms.unwrap_or(now))[..10].to_string();
            (label, r)
        }
        (None, None) => {
            let day = parse_day("yesterday", today)?;
            (day.format("%Y-%m-%d").to_string(), day_range(day))
        }
    };
    let rules = super::rules_from(&a.pivots)?;
    let settings = crate::sql::context::SqlSettings::default();
    let runtime = settings.runtime()?;
    let report = runtime.block_on(super::find(&a.pivots.data, range, &rules, &settings))?;
    let dir = publish(&a.out, &label, &report, &rules)?;
    tracing::info!(folder = %dir.display(), chains = report.chains.len(), "report written");
    print!("{}", summary_table(&report));
    Ok(())
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
        let r = day_range(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
        assert_eq!(r.since_ms, Some(1_795_737_600_000));
        assert_eq!(r.until_ms, Some(1_795_737_600_000 + 86_400_000));
    }
}
