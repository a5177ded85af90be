//! The ranked summary on stdout: incidents first, then every chain.

use crate::pivot::outcome::PivotReport;

/// Ranked summary for a human: incidents first (alerts with their reasons and possible
/// origins), then every chain.
pub fn summary_table(report: &PivotReport) -> String {
    let mut s = String::new();
    if let Some(note) = report.no_data_note() {
        s.push_str(&format!("{note}\n"));
    }
    for u in &report.incomplete_files {
        s.push_str(&format!("INCOMPLETE: store file left out (unreadable): {u}\n"));
    }
    for u in &report.history_unreadable {
        s.push_str(&format!("INCOMPLETE: history day left out (unreadable): {u}\n"));
    }
    s += &format!(
        "{}; truncated: max-hops {}, fan-out {}{}\n",
        report.found(),
        report.truncations.max_hops,
        report.truncations.fanout,
        report.truncations.chain_limit_note()
    );
    // Below the incidents' line, which leads the table (a partial day is context, not news).
    if let Some(note) = report.hours_note() {
        s.push_str(&format!("Partial period: {note}\n"));
    }
    if let Some(hint) = &report.timezone_hint {
        s.push_str(&format!("Time zone? {hint}\n"));
    }
    for a in &report.acknowledged {
        s += &format!(
            "acknowledged {} ({}) at {}: {}\n",
            a.id, a.cause, a.acknowledged_at, a.reason
        );
    }
    // Without a chain the line above says it all: no empty tables under it.
    if report.chains.is_empty() {
        return s;
    }
    incidents(&mut s, report);
    s.push('\n');
    s.push_str(&format!(
        "{:>4}  {:<9} {:>6}  {:<24}  {:<18} {:<12} {}\n",
        "rank", "chain", "score", "start", "services", "incident", "path / flags"
    ));
    for c in &report.chains {
        s.push_str(&format!(
            "{:>4}  {:<9} {:>6.2}  {:<24}  {:<18} {:<12} {}{}\n",
            c.rank,
            c.id,
            c.score,
            c.start,
            c.services.join(","),
            c.incident,
            report.path_label(&c.hosts, " -> "),
            if c.flags.is_empty() { String::new() } else { format!("  [{}]", c.flags.join(",")) }
        ));
    }
    s
}

/// The incidents, ranked; an alert's reasons and possible origins under it.
fn incidents(s: &mut String, report: &PivotReport) {
    s.push_str(&format!(
        "{:>4}  {:<12} {:>6}  {:<24} {:>6}  {}\n",
        "rank", "incident", "score", "first", "chains", "cause: path / flags"
    ));
    for i in &report.incidents {
        s.push_str(&format!(
            "{:>4}  {:<12} {:>6.2}  {:<24} {:>6}  {}: {}{}\n",
            i.rank,
            i.id,
            i.score,
            i.first,
            i.chain_count,
            report.annotate(&i.cause),
            report.path_label(&i.path, " -> "),
            match (&i.acknowledged, i.alert) {
                (Some(a), _) => format!("  [acknowledged {a}]"),
                (None, true) => "  [alert]".to_string(),
                (None, false) => String::new(),
            }
        ));
        if i.alert {
            for r in &i.reasons {
                s.push_str(&format!("{:>18}- {}\n", "", report.annotate(r)));
            }
            if i.origins.len() > 1 {
                let o: Vec<String> = i
                    .origins
                    .iter()
                    .map(|o| format!("{} ({:.2})", report.label(&o.host), o.score))
                    .collect();
                s.push_str(&format!(
                    "{:>18}- possible origins, most unusual for its own history first: {}\n",
                    "",
                    o.join(", ")
                ));
            }
        }
    }
}
