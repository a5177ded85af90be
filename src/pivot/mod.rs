//! pivots: remote-administration chains A→B→C… from the flow store, stage by stage
//! (`pipeline::find` runs them in order):
//!
//! ```text
//! store → service-port flows → possible pivot hosts → hops → continuations   (hops)
//!   → chains (chains, petgraph) → scored chains and incidents (score: the scorer, the
//!   night's support `peers`, the chain `model`, `incident` grouping; history: the facts of
//!   earlier nights, the `baseline` the scorer asks, acknowledgements `ack`)
//!   → PivotReport → renderers (render: stdout `text`, `markdown`, `html`, `graphml`,
//!     chains.json, SIEM `events`, `syslog`) → day folders (report)
//! ```

pub mod chains;
pub(crate) mod columns;
mod engine;
pub mod history;
pub mod hops;
pub mod leases;
pub mod outcome;
mod pipeline;
pub mod render;
pub mod report;
pub mod rules;
pub mod score;

use crate::error::{Error, Result};
use crate::sql::context::SqlSettings;
use crate::sql::timerange::TimeRange;
pub use engine::Facts;
pub use outcome::PivotReport;
pub use pipeline::{HistoryAt, find};
use rules::PivotRules;

/// `pivotflow pivots`, validated.
#[derive(Debug)]
pub struct PivotsConfig {
    /// Root of the flow store.
    pub data: std::path::PathBuf,
    /// Services, thresholds, limits, trusted hosts.
    pub rules: PivotRules,
    /// The period (arrival time).
    pub range: TimeRange,
    /// Output folder (`None`: nothing is written, stdout is the output).
    pub out: Option<std::path::PathBuf>,
    /// Also one GraphML per chain.
    pub per_chain: bool,
    /// `--events FILE`: alert incidents appended as ECS JSON lines.
    pub events: Option<std::path::PathBuf>,
    /// `--syslog URL`: alert incidents sent as RFC 5424 messages.
    pub syslog: Option<render::syslog::Target>,
    /// `--html FILE`: the HTML report.
    pub html: Option<std::path::PathBuf>,
    /// JSON on stdout instead of the table.
    pub json: bool,
    /// Memory and parallelism of the SQL stages.
    pub settings: SqlSettings,
    /// The history folder and the day it is read for (the day of `--since`).
    pub history: Option<(std::path::PathBuf, chrono::NaiveDate)>,
}

/// `pivotflow pivots`.
pub fn run(c: &PivotsConfig) -> Result<()> {
    let runtime = c.settings.runtime()?;
    let history_at = c.history.as_ref().map(|(dir, day)| HistoryAt { dir, day: *day });
    let report = c.settings.block_on(
        &runtime,
        "pivots",
        find(&c.data, c.range, &c.rules, &c.settings, history_at, Facts::Skip),
    )?;
    // Without --out nothing is written: the table (or the JSON) on stdout is the output.
    if let Some(out) = &c.out {
        render::write_outputs(out, &report, &c.rules, c.per_chain)?;
    }
    let stdout = std::path::Path::new("-");
    let mut text = None;
    if let Some(file) = &c.html {
        // Links to chains.json and the GraphML: relative when the page sits beside them, none
        // without --out.
        let href = |name: &str| match &c.out {
            None => String::new(),
            Some(out) if file.parent().map(|p| p.join("x")) == Some(out.join("x")) => name.into(),
            Some(out) => out.join(name).display().to_string(),
        };
        let (json, graphml) = (href("chains.json"), href("pivots.graphml"));
        if file == stdout {
            text = Some(render::html::render(&report, "Pivot chains", &json, &graphml)?);
        } else {
            render::html::write(file, &report, "Pivot chains", &json, &graphml)?;
        }
    }
    // The period's label in events: its start (a pivots period is not a report day).
    let label = report
        .since_ms
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(|| "all".to_string(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    if let Some(file) = &c.events {
        if file == stdout {
            text = Some(render::events::lines(&label, &report)?);
        } else {
            render::events::append(file, &label, &report)?;
        }
    }
    if let Some(target) = &c.syslog {
        render::syslog::send(target, &label, &report)?;
    }
    let text = match text {
        Some(t) => t,
        None if c.json => {
            serde_json::to_string_pretty(&report).map_err(|e| Error::io("json", e.into()))? + "\n"
        }
        None => render::text::summary_table(&report),
    };
    crate::sql::print::print_text(&text)?;
    report.incomplete_error("the chains leave them out")
}
