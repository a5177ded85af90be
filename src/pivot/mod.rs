//! pivots: remote-administration chains A→B→C… from the flow store.
//!
//! ```text
//! flows (service ports only) → sessions view → queries/hops.sql (established admin sessions)
//!   → queries/pivot_hops.sql (continuations) → chains (petgraph) → model (score, flags)
//!   → pivots.graphml + chains.json + ranked summary on stdout
//! ```

pub mod ack;
pub mod chains;
pub(crate) mod columns;
pub mod events;
pub mod graphml;
pub mod history;
pub mod hops;
pub mod html;
pub mod incident;
pub mod model;
pub mod peers;
mod pipeline;
pub mod report;
pub mod rules;
pub mod score;
pub mod syslog;

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::sql::context::SqlSettings;
use crate::sql::timerange::TimeRange;
use chains::Truncations;
use model::Chain;
pub use pipeline::find;
use rules::PivotRules;

/// Everything one run found.
#[derive(Debug, Serialize)]
pub struct PivotReport {
    /// Period start (arrival time), UTC epoch ms.
    pub since_ms: Option<i64>,
    /// Period end (exclusive), UTC epoch ms.
    pub until_ms: Option<i64>,
    /// Flow records on service ports read for the period (0: no data, e.g. the collector was
    /// down; `report` then keeps no history for the day).
    pub service_flows: usize,
    /// Hops touching possible pivot hosts (after merging transports).
    pub hops: usize,
    /// Candidate continuation pairs.
    pub continuations: usize,
    /// Every cut the chain search made.
    pub truncations: Truncations,
    /// Chains through trusted hosts left out by `--hide-trusted`.
    pub trusted_hidden: usize,
    /// Alert incidents: incidents with an alert chain (the unit an analyst reads).
    pub alerts: usize,
    /// Alert chains (untrusted, score at or above the threshold, not folded into another).
    pub alert_chains: usize,
    /// Chains left out of the GraphML by `--hide-routine` (all chains stay in chains.json).
    pub routine_hidden: usize,
    /// The `--alert-threshold` in force.
    pub alert_threshold: f64,
    /// Days of history the score read, and how many it asked for.
    pub history_days: usize,
    /// Alerted patterns of earlier days kept out of the baseline (they alert again until seen
    /// as alerts on `history::ALERTS_BEFORE_ROUTINE` days).
    pub history_withheld: usize,
    /// Days of history asked for (`--history-days`).
    pub history_days_wanted: usize,
    /// Store files of the period that could not be read and were left out (the chains are
    /// incomplete; `pivots` and `report` exit 3).
    pub incomplete_files: Vec<crate::store::check::Unreadable>,
    /// Acknowledgements in force (`pivotflow ack`): patterns analysts marked known-good.
    pub acknowledged: Vec<ack::AckInForce>,
    /// The incidents (chains grouped by root cause), ranked: alerts first.
    pub incidents: Vec<incident::Incident>,
    /// The chains, ranked.
    pub chains: Vec<Chain>,
    /// What `--inventory`/`--hosts-file` say about the hosts of the incidents and chains, by
    /// address (absent without an inventory; hosts it does not know are not listed).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub hosts: std::collections::BTreeMap<String, crate::inventory::HostInfo>,
    /// What this period adds to the history (written by `report`).
    #[serde(skip)]
    pub facts: history::DayFacts,
}

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
    pub syslog: Option<syslog::Target>,
    /// `--html FILE`: the HTML report.
    pub html: Option<std::path::PathBuf>,
    /// JSON on stdout instead of the table.
    pub json: bool,
    /// Memory and parallelism of the SQL stages.
    pub settings: SqlSettings,
    /// The history folder and the day it is read for (the day of `--since`).
    pub history: Option<(std::path::PathBuf, chrono::NaiveDate)>,
}

/// Where the history is and which day it is scored for: the partitions of the
/// `rules.history_days` days before `day` in `dir` are read.
#[derive(Debug, Clone, Copy)]
pub struct HistoryAt<'a> {
    /// The history folder (`REPORTS/history`).
    pub dir: &'a Path,
    /// The day being scored; only earlier days are read.
    pub day: chrono::NaiveDate,
}

/// What `find` hands back besides the chains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facts {
    /// Also gather the period's history facts (`report` keeps them): the night's admin
    /// connections (`history::admin_facts`; on a cluster queries/admin_pairs.sql), which also
    /// give the possible pivot hosts.
    Gather,
    /// Chains only (`pivots`).
    Skip,
}

/// The inventory's entries for every host on a chain (incidents' hosts and origins are on
/// their chains).
fn known_hosts(
    inventory: &crate::inventory::Inventory,
    chains: &[Chain],
) -> std::collections::BTreeMap<String, crate::inventory::HostInfo> {
    let mut out = std::collections::BTreeMap::new();
    if inventory.is_empty() {
        return out;
    }
    for h in chains.iter().flat_map(|c| &c.hosts) {
        if !out.contains_key(h)
            && let Some(info) = inventory.lookup(h)
        {
            out.insert(h.clone(), info.clone());
        }
    }
    out
}

impl PivotReport {
    /// A host as a person reads it: `name (address, role)` when the inventory knows it, else
    /// the address.
    pub fn label(&self, addr: &str) -> String {
        self.hosts.get(addr).map_or_else(|| addr.to_string(), |h| h.label(addr))
    }

    /// `text` (a cause, a reason) with every address the inventory knows labelled: whole
    /// address tokens only (`10.0.0.1` never matches inside `10.0.0.12`).
    pub fn annotate(&self, text: &str) -> String {
        if self.hosts.is_empty() {
            return text.to_string();
        }
        let is_addr_char = |c: char| c.is_ascii_hexdigit() || c == '.' || c == ':';
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(is_addr_char) {
            out.push_str(&rest[..start]);
            let run_len =
                rest[start..].find(|c: char| !is_addr_char(c)).unwrap_or(rest.len() - start);
            let run = &rest[start..start + run_len];
            // A sentence's full stop or a list's colon after the address is not part of it.
            let token = run.trim_end_matches(['.', ':']);
            let preceded_by_word =
                out.chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_');
            match self.hosts.get(token) {
                Some(h) if !preceded_by_word => {
                    out.push_str(&h.label(token));
                    out.push_str(&run[token.len()..]);
                }
                _ => out.push_str(run),
            }
            rest = &rest[start + run_len..];
        }
        out.push_str(rest);
        out
    }

    /// A path of hosts, each labelled, joined by `sep`.
    pub fn path_label(&self, hosts: &[String], sep: &str) -> String {
        hosts.iter().map(|h| self.label(h)).collect::<Vec<_>>().join(sep)
    }

    /// `Err(StoreFiles)` (exit 3) when store files were left out, naming them.
    pub fn incomplete_error(&self, what: &str) -> Result<()> {
        if self.incomplete_files.is_empty() {
            return Ok(());
        }
        Err(Error::StoreFiles {
            what: what.to_string(),
            files: self.incomplete_files.iter().map(ToString::to_string).collect(),
        })
    }

    /// " (+N through trusted hosts, hidden)" when `--hide-trusted` left chains out, and
    /// " (N routine chains not in the GraphML)" for `--hide-routine`.
    pub fn hidden_note(&self) -> String {
        let mut s = String::new();
        if self.trusted_hidden > 0 {
            s += &format!(" (+{} through trusted hosts, hidden)", self.trusted_hidden);
        }
        if self.routine_hidden > 0 {
            s += &format!(" ({} routine chains not in the GraphML)", self.routine_hidden);
        }
        s
    }

    /// "history: 3 of 28 days (cold start: findings weigh 3/7)" and the like.
    pub fn history_note(&self) -> String {
        let mut s = format!("history: {} of {} days", self.history_days, self.history_days_wanted);
        if self.history_withheld > 0 {
            s.push_str(&format!(
                ", {} alerted hop patterns kept out of it (they alert until alerted on {} days)",
                self.history_withheld,
                history::ALERTS_BEFORE_ROUTINE
            ));
        }
        if self.history_days == 0 {
            s.push_str(" (no history: chains are ranked by length only, none is an alert)");
        } else if self.history_days < score::WARM_DAYS {
            s.push_str(&format!(
                " (cold start: findings weigh {}/{} until {} days are kept)",
                self.history_days,
                score::WARM_DAYS,
                score::WARM_DAYS
            ));
        }
        s
    }
}

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

/// Ranked summary for a human: incidents first (alerts with their reasons and possible
/// origins), then every chain.
pub fn summary_table(report: &PivotReport) -> String {
    let mut s = String::new();
    for u in &report.incomplete_files {
        s.push_str(&format!("INCOMPLETE: store file left out (unreadable): {u}\n"));
    }
    s += &format!(
        "{} alert incidents ({} alert chains) among {} incidents, {} chains{} from {} hops ({} continuations); {}; truncated: max-hops {}, fan-out {}{}\n",
        report.alerts,
        report.alert_chains,
        report.incidents.len(),
        report.chains.len(),
        report.hidden_note(),
        report.hops,
        report.continuations,
        report.history_note(),
        report.truncations.max_hops,
        report.truncations.fanout,
        report.truncations.chain_limit_note()
    );
    for a in &report.acknowledged {
        s += &format!(
            "acknowledged {} ({}) at {}: {}\n",
            a.id, a.cause, a.acknowledged_at, a.reason
        );
    }
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
        write_outputs(out, &report, &c.rules, c.per_chain)?;
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
            text = Some(html::render(&report, "Pivot chains", &json, &graphml)?);
        } else {
            html::write(file, &report, "Pivot chains", &json, &graphml)?;
        }
    }
    // The period's label in events: its start (a pivots period is not a report day).
    let label = report
        .since_ms
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(|| "all".to_string(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    if let Some(file) = &c.events {
        if file == stdout {
            text = Some(events::lines(&label, &report)?);
        } else {
            events::append(file, &label, &report)?;
        }
    }
    if let Some(target) = &c.syslog {
        syslog::send(target, &label, &report)?;
    }
    let text = match text {
        Some(t) => t,
        None if c.json => {
            serde_json::to_string_pretty(&report).map_err(|e| Error::io("json", e.into()))? + "\n"
        }
        None => summary_table(&report),
    };
    crate::sql::print::print_text(&text)?;
    report.incomplete_error("the chains leave them out")
}
