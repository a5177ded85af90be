//! summary.md of a report day: incidents first, with their reasons and possible origins.

use crate::pivot::outcome::PivotReport;
use crate::pivot::rules::PivotRules;
use crate::pivot::score::incident::Incident;
use chrono::Utc;

/// Rows of other incidents listed in summary.md (all of them are in chains.json).
const SUMMARY_ROUTINE_ROWS: usize = 50;

/// summary.md of a report day folder.
pub fn file(
    report: &PivotReport,
    frame: &super::Frame<'_>,
    path: &std::path::Path,
    w: &mut dyn std::io::Write,
) -> crate::error::Result<()> {
    w.write_all(summary_markdown(frame.label, report, frame.rules).as_bytes())
        .map_err(|e| crate::error::Error::io(path, e))
}

/// Markdown summary for a human reader: alert incidents first, each with its reasons and
/// possible origins, then the top of the other incidents.
pub fn summary_markdown(label: &str, report: &PivotReport, rules: &PivotRules) -> String {
    let mut s = head(label, report, rules);
    if report.chains.is_empty() {
        s.push_str("No pivot chains.\n");
        return s;
    }
    if !report.acknowledged.is_empty() {
        s.push_str("## Acknowledged patterns in force\n\n");
        for a in &report.acknowledged {
            s.push_str(&format!(
                "- {} ({}), acknowledged {}: {}\n",
                a.id, a.cause, a.acknowledged_at, a.reason
            ));
        }
        s.push('\n');
    }
    s.push_str("## Alert incidents\n\n");
    if report.alerts == 0 {
        s.push_str("None.\n\n");
    }
    for i in report.incidents.iter().filter(|i| i.alert) {
        alert_incident(&mut s, i, report);
    }
    let rest: Vec<_> = report.incidents.iter().filter(|i| !i.alert).collect();
    s.push_str(&format!("## Other incidents ({})\n\n", rest.len()));
    if !rest.is_empty() {
        s.push_str("| rank | incident | score | first (UTC) | chains | cause | path | strongest reason or acknowledgement |\n|---|---|---|---|---|---|---|---|\n");
    }
    for i in rest.iter().take(SUMMARY_ROUTINE_ROWS) {
        s.push_str(&format!(
            "| {} | {} | {:.2} | {} | {} | {} | {} | {} |\n",
            i.rank,
            i.id,
            i.score,
            i.first,
            i.chain_count,
            report.annotate(&i.cause),
            report.path_label(&i.path, " → "),
            report.annotate(&i.note())
        ));
    }
    if rest.len() > SUMMARY_ROUTINE_ROWS {
        s.push_str(&format!("\n{} more in `chains.json`.\n", rest.len() - SUMMARY_ROUTINE_ROWS));
    }
    s.push_str(
        "\nOpen `pivots.graphml` in Cytoscape or Gephi; `chains.json` has every chain and hop for scripts.\n",
    );
    s
}

/// The title, unreadable files, what was found and the search cuts.
fn head(label: &str, report: &PivotReport, rules: &PivotRules) -> String {
    let mut s = format!("# Pivot report {label}\n\n");
    if report.timezone != "UTC" {
        s.push_str(&format!("The network's day in {} (`--timezone`).\n\n", report.timezone));
    }
    if let Some(note) = report.no_data_note() {
        s.push_str(&format!("**{note}.**\n\n"));
    }
    if let Some(hint) = &report.timezone_hint {
        s.push_str(&format!("**Time zone?** {hint}.\n\n"));
    }
    for (title, files) in [
        ("store files that could not be read were left out", &report.incomplete_files),
        (
            "history days that could not be read were left out of the baseline",
            &report.history_unreadable,
        ),
    ] {
        if !files.is_empty() {
            s.push_str(&format!("**INCOMPLETE: {title}:**\n\n"));
            for u in files {
                s.push_str(&format!("- `{}`: {}\n", u.path.display(), u.why));
            }
            s.push('\n');
        }
    }
    let found = report.found();
    let (lead, rest) = found.split_once(" (").unwrap_or((&found, ""));
    s.push_str(&format!(
        "**{lead}** ({rest}; alert threshold {}. Services: {}. Generated {}.\n\n",
        report.alert_threshold,
        rules
            .services
            .iter()
            .map(|v| format!("{} {}/{}", v.name, if v.proto == 6 { "tcp" } else { "udp" }, v.port))
            .collect::<Vec<_>>()
            .join(", "),
        Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
    ));
    if let Some(note) = report.hours_note() {
        s.push_str(&format!("**Partial period:** {note}.\n\n"));
    }
    let t = &report.truncations;
    if t.max_hops > 0 || t.fanout > 0 || t.max_chains_reached {
        s.push_str(&format!(
            "**Search was cut:** {} chains at --max-hops, {} continuations over --max-fanout{}.\n\n",
            t.max_hops,
            t.fanout,
            t.chain_limit_note()
        ));
    }
    s
}

/// One alert incident: its cause, times, path, reasons, possible origins and chains.
fn alert_incident(s: &mut String, i: &Incident, report: &PivotReport) {
    s.push_str(&format!(
        "### {}. {} (score {:.2}): {}\n\n{} – {} UTC; {} chain{}; path {}\n\n",
        i.rank,
        i.id,
        i.score,
        report.annotate(&i.cause),
        i.first,
        i.last,
        i.chain_count,
        if i.chain_count == 1 { "" } else { "s" },
        report.path_label(&i.path, " → "),
    ));
    for r in &i.reasons {
        s.push_str(&format!("- {}\n", report.annotate(r)));
    }
    if i.origins.len() > 1 {
        s.push_str(
            "\nPossible origins (sessions into the same host at the time), most unusual for its own history first:\n\n",
        );
        for o in &i.origins {
            let why = if o.reasons.is_empty() {
                "routine for it".to_string()
            } else {
                report.annotate(&o.reasons.join("; "))
            };
            s.push_str(&format!(
                "- {} ({}, {:.2}): {why}\n",
                report.label(&o.host),
                o.chain,
                o.score
            ));
        }
    }
    s.push_str(&format!("\nChains: {}\n\n", i.chains.join(", ")));
}
