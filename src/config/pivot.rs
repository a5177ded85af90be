//! `pivots` and `report`: validated settings from their raw arguments.

use chrono::NaiveDate;

use super::parse::{cidr, duration, size};
use crate::cli::{PivotRulesArgs, PivotsArgs, ReportArgs};
use crate::error::{Error, Result};
use crate::pivot::PivotsConfig;
use crate::pivot::report::{ReportConfig, parse_day};
use crate::pivot::rules::PivotRules;
use crate::sql::context::SqlSettings;
use crate::sql::timerange::TimeRange;

/// The `--config` file: the lists that are tedious on a command line.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PivotConfigFile {
    /// Services, as `--service` takes them (`ssh=tcp/22`).
    #[serde(default)]
    pub services: Vec<String>,
    /// Trusted networks, as `--trusted` takes them (CIDR).
    #[serde(default)]
    pub trusted: Vec<String>,
}

/// The rules `--service`, `--trusted`, `--config` and the other rule options describe.
pub fn rules(a: &PivotRulesArgs) -> Result<PivotRules> {
    let mut r = PivotRules::default();
    let file = match &a.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            serde_json::from_str::<PivotConfigFile>(&text)
                .map_err(|e| Error::config(format!("--config {}", path.display()), e.to_string()))?
        }
        None => PivotConfigFile::default(),
    };
    let services = if a.service.is_empty() { &file.services } else { &a.service };
    if !services.is_empty() {
        r.services = crate::services::parse_services(services)?;
    }
    r.trusted = file
        .trusted
        .iter()
        .chain(&a.trusted)
        .map(|t| cidr("--trusted", t))
        .collect::<Result<Vec<_>>>()?;
    r.skew = duration("--skew", &a.skew)?;
    r.slack = duration("--slack", &a.slack)?;
    r.lookback = duration("--lookback", &a.lookback)?;
    if let Some(zone) = &a.timezone {
        r.timezone = zone.parse().map_err(|e| {
            Error::config(
                "--timezone",
                format!("{zone:?}: {e} (an IANA zone name such as Europe/Berlin)"),
            )
        })?;
        r.timezone_given = true;
    }
    r.join = a.join;
    r.hide_trusted = a.hide_trusted;
    r.hide_routine = a.hide_routine;
    r.history_days = a.history_days;
    if !a.alert_threshold.is_finite() {
        return Err(Error::config("--alert-threshold", "must be a number"));
    }
    r.alert_threshold = a.alert_threshold;
    r.bucket = duration("--bucket", &a.bucket)?;
    if r.bucket.as_millis() == 0 {
        return Err(Error::config("--bucket", "must be longer than 0"));
    }
    r.max_hops = a.max_hops.max(2);
    r.max_fanout = a.max_fanout.max(1);
    r.min_packets_each_way = a.min_packets;
    r.min_bytes = a.min_bytes;
    r.inventory = std::sync::Arc::new(crate::inventory::Inventory::load(
        a.inventory.as_deref(),
        a.hosts_file.as_deref(),
    )?);
    if let Some(path) = &a.leases {
        if a.cluster.is_some() {
            return Err(Error::config(
                "--leases",
                "not with --cluster yet: the addresses are renamed as this process reads the flows",
            ));
        }
        r.leases = Some(std::sync::Arc::new(crate::pivot::leases::Leases::load(path)?));
    }
    Ok(r)
}

/// `--memory-limit`, `--cluster` and `--timeout` on top of the default SQL settings.
fn settings(memory_limit: Option<&str>, a: &PivotRulesArgs) -> Result<SqlSettings> {
    let mut s = SqlSettings::default();
    if let Some(m) = memory_limit {
        s.memory_limit_bytes = size("--memory-limit", m)?;
    }
    s.cluster = super::parse::cluster(a.cluster.as_deref())?;
    s.cluster_timeout = super::parse::cluster_timeout(&a.timeout)?;
    Ok(s)
}

/// `--syslog URL`, parsed.
fn syslog(a: &PivotRulesArgs) -> Result<Option<crate::pivot::render::syslog::Target>> {
    a.syslog.as_deref().map(crate::pivot::render::syslog::Target::parse).transpose()
}
impl PivotsConfig {
    /// Validate `pivots`' arguments; `now_ms` anchors relative `--since`/`--until`.
    pub fn from_args(a: &PivotsArgs, now_ms: i64) -> Result<Self> {
        let range = TimeRange::parse(a.since.as_deref(), a.until.as_deref(), now_ms)?;
        // The rules once: they read the --inventory and --leases files.
        let rules = rules(&a.rules)?;
        let zone = rules.timezone;
        let history = match (&a.history, range.since_ms) {
            (Some(dir), Some(since)) => Some((
                dir.clone(),
                chrono::DateTime::from_timestamp_millis(since)
                    .ok_or_else(|| Error::config("--since", "out of range"))?
                    .with_timezone(&zone)
                    .date_naive(),
            )),
            _ => None,
        };
        let dash = |p: &Option<std::path::PathBuf>| p.as_deref() == Some(std::path::Path::new("-"));
        let to_stdout = [a.json, dash(&a.html), dash(&a.events)].iter().filter(|x| **x).count();
        if to_stdout > 1 {
            return Err(Error::config(
                "--json, --html -, --events -",
                "only one of them can write to stdout",
            ));
        }
        Ok(PivotsConfig {
            data: a.rules.data.clone(),
            rules,
            range,
            out: a.out.clone(),
            per_chain: a.per_chain,
            html: a.html.clone(),
            json: a.json,
            events: a.events.clone(),
            syslog: syslog(&a.rules)?,
            settings: settings(a.memory_limit.as_deref(), &a.rules)?,
            history,
        })
    }
}

impl ReportConfig {
    /// Validate `report`'s arguments; `now_ms` resolves `--day yesterday|today` (in the
    /// network's `--timezone`).
    pub fn from_args(a: &ReportArgs, now_ms: i64) -> Result<Self> {
        // The rules once: they read the --inventory and --leases files.
        let rules = rules(&a.pivots)?;
        let zone = rules.timezone;
        let now = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
        let today: NaiveDate = now.with_timezone(&zone).date_naive();
        let days = match (&a.day, &a.since) {
            (Some(d), _) => vec![parse_day(d, today)?],
            (None, Some(since)) => {
                let first = parse_day(since, today)?;
                let last = parse_day(a.until.as_deref().unwrap_or("yesterday"), today)?;
                if last < first {
                    return Err(Error::config(
                        "--until",
                        format!("{last} is before --since {first}"),
                    ));
                }
                first.iter_days().take_while(|d| *d <= last).collect()
            }
            (None, None) => vec![parse_day("yesterday", today)?],
        };
        if a.events.as_deref() == Some(std::path::Path::new("-")) {
            return Err(Error::config(
                "--events -",
                "report appends to a file, one night after another (pivots --events - prints)",
            ));
        }
        Ok(ReportConfig {
            data: a.pivots.data.clone(),
            rules,
            days,
            out: a.out.clone(),
            events: a.events.clone(),
            syslog: syslog(&a.pivots)?,
            settings: settings(a.memory_limit.as_deref(), &a.pivots)?,
        })
    }
}

impl crate::pivot::history::ack::AckConfig {
    /// Validate `pivotflow ack` arguments.
    pub fn from_args(a: &crate::cli::AckArgs) -> crate::error::Result<Self> {
        use crate::pivot::history::ack::{AckAction, parse_id};
        let action = if a.list {
            AckAction::List
        } else if let Some(id) = &a.undo {
            let (day, incident) = parse_id(id, a.day.as_deref())?;
            AckAction::Undo {
                id: format!("{}/{incident}", day.format("%Y-%m-%d")),
                reason: a.reason.clone(),
            }
        } else {
            let text = a.incident.as_deref().unwrap_or_default();
            let (day, incident) = parse_id(text, a.day.as_deref())?;
            let reason = a.reason.clone().unwrap_or_default();
            if reason.trim().is_empty() {
                return Err(crate::error::Error::config("--reason", "say why it is known-good"));
            }
            AckAction::Add { day, incident, reason }
        };
        Ok(crate::pivot::history::ack::AckConfig { reports: a.reports.clone(), action })
    }
}
