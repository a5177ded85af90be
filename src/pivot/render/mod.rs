//! The outputs of `pivots` and `report`, each a renderer of the `PivotReport`: the stdout
//! table and the files (`write_outputs`), Markdown, HTML, GraphML, SIEM events (ECS JSON lines)
//! and syslog.

pub mod events;
pub mod graphml;
pub mod html;
pub mod markdown;
pub mod syslog;
pub mod text;

use std::io::Write;
use std::path::Path;

use super::rules::PivotRules;
use super::score::model::Chain;
use crate::error::{Error, Result};
use crate::pivot::outcome::PivotReport;

/// Write pivots.graphml, chains.json (and per-chain GraphML) into `out`. With
/// `rules.hide_routine` the GraphML holds the alerts only.
pub fn write_outputs(
    out: &Path,
    report: &PivotReport,
    rules: &PivotRules,
    per_chain: bool,
) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let trusted = |a: &str| rules.is_trusted(a);
    // References, not copies: a busy jump host makes tens of thousands of chains.
    let alert_incidents: std::collections::BTreeSet<&str> =
        report.incidents.iter().filter(|i| i.alert).map(|i| i.id.as_str()).collect();
    let shown: Vec<&Chain> = report
        .chains
        .iter()
        .filter(|c| !rules.hide_routine || alert_incidents.contains(c.incident.as_str()))
        .collect();
    let alerts: Vec<(String, String)> = report
        .incidents
        .iter()
        .filter(|i| i.alert)
        .map(|i| (i.id.clone(), i.cause.clone()))
        .collect();
    crate::store::atomic::write_atomic(&out.join("pivots.graphml"), |w| {
        graphml::write_graphml(w, &shown, trusted, &alerts, &report.hosts)
    })?;
    let json = out.join("chains.json");
    crate::store::atomic::write_atomic(&json, |w| {
        serde_json::to_writer_pretty(&mut *w, report).map_err(|e| Error::io(&json, e.into()))?;
        writeln!(w).map_err(|e| Error::io(&json, e))
    })?;
    if per_chain {
        let dir = out.join("chains");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        for c in &shown {
            crate::store::atomic::write_atomic(&dir.join(format!("{}.graphml", c.id)), |w| {
                graphml::write_graphml(w, &[*c], trusted, &alerts, &report.hosts)
            })?;
        }
    }
    Ok(())
}
