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
use crate::error::{Error, Result};
use crate::pivot::outcome::PivotReport;

/// What a file renderer gets besides the report.
pub struct Frame<'a> {
    /// The day (`YYYY-MM-DD`) of a report folder, or empty for a `pivots` run.
    pub label: &'a str,
    /// The page title.
    pub title: &'a str,
    /// The rules of the run (trusted hosts, `--hide-routine`, services).
    pub rules: &'a PivotRules,
}

/// A renderer of one file: the report formatted into `w` (`path` names the file in errors).
pub type FileRenderer = fn(&PivotReport, &Frame<'_>, &Path, &mut dyn Write) -> Result<()>;

/// The files `pivots --out` writes.
pub const RUN_FILES: &[(&str, FileRenderer)] =
    &[("pivots.graphml", graphml::file), ("chains.json", json_file)];

/// The files of a report day folder (`report`). Adding an output to the day folders is a
/// renderer file in `render/` and one line here.
pub const DAY_FILES: &[(&str, FileRenderer)] = &[
    ("pivots.graphml", graphml::file),
    ("chains.json", json_file),
    ("summary.md", markdown::file),
    ("index.html", html::file),
];

/// Write each of `files` into `out` (created if missing), each atomically.
pub fn write_files(
    out: &Path,
    files: &[(&str, FileRenderer)],
    report: &PivotReport,
    frame: &Frame<'_>,
) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    for (name, render) in files {
        let path = out.join(name);
        crate::store::atomic::write_atomic(&path, |w| render(report, frame, &path, w))?;
    }
    Ok(())
}

/// chains.json: the whole report as JSON.
fn json_file(report: &PivotReport, _: &Frame<'_>, path: &Path, w: &mut dyn Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut *w, report).map_err(|e| Error::io(path, e.into()))?;
    writeln!(w).map_err(|e| Error::io(path, e))
}

/// Write pivots.graphml, chains.json (and with `per_chain` one GraphML per chain) into `out`.
/// With `rules.hide_routine` the GraphML holds the alerts only.
pub fn write_outputs(
    out: &Path,
    report: &PivotReport,
    rules: &PivotRules,
    per_chain: bool,
) -> Result<()> {
    write_files(out, RUN_FILES, report, &Frame { label: "", title: "Pivot chains", rules })?;
    if per_chain {
        let (shown, alerts) = report.shown(rules);
        let dir = out.join("chains");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        for c in &shown {
            crate::store::atomic::write_atomic(&dir.join(format!("{}.graphml", c.id)), |w| {
                let graph = report.graph(&[*c], rules, &alerts);
                graphml::write_graphml(w, &graph, &alerts, &report.hosts)
            })?;
        }
    }
    Ok(())
}
