//! The report model: everything one run found (`PivotReport`), built once by
//! `pipeline::find` and formatted by every renderer (`render`) and the day folders (`report`):
//! host labels, header notes and paths are asked here, never derived by a renderer.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::chains::Truncations;
use super::rules::PivotRules;
use super::score::model::Chain;
use super::{history, score};
use crate::error::{Error, Result};

/// Everything one run found.
#[derive(Debug, Serialize)]
pub struct PivotReport {
    /// Period start (arrival time), UTC epoch ms.
    pub since_ms: Option<i64>,
    /// Period end (exclusive), UTC epoch ms.
    pub until_ms: Option<i64>,
    /// The zone the network works in (`--timezone`): a report's day is its day, weekends and
    /// working hours are its.
    pub timezone: String,
    /// Flow records on service ports read for the period (0: no data, e.g. the collector was
    /// down; `report` then keeps no history for the day).
    pub service_flows: usize,
    /// Hours of the period with flow files in the store (an hour without one: the collector
    /// was down, or there was no traffic at all).
    pub hours_with_flows: usize,
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
    /// History days of the window that could not be read (each day's folder and why): left out
    /// of the baseline, so the scores are incomplete too; `report` exits 3. Absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history_unreadable: Vec<crate::store::check::Unreadable>,
    /// Without `--timezone`: when the admin sessions of the chains' origins keep, in their
    /// history, a working day far from UTC's (its middle 4 hours or more from 12:30 UTC), the
    /// sentence that says so and which zone it looks like (weekends and working hours are
    /// judged in UTC until the zone is given). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone_hint: Option<String>,
    /// Acknowledgements in force (`pivotflow ack`): patterns analysts marked known-good.
    pub acknowledged: Vec<history::ack::AckInForce>,
    /// The incidents (chains grouped by root cause), ranked: alerts first.
    pub incidents: Vec<score::incident::Incident>,
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

/// The note for a working day `day` read in UTC (`PivotReport::timezone_hint`): `None` when
/// its middle is less than 4 hours from 12:30 UTC (the middle of 08:00–17:00 in UTC or a zone
/// near it, whose weekends and evenings UTC days judge well enough).
pub fn timezone_hint(day: history::WorkingDay) -> Option<String> {
    // From the middle to 12:30, the short way round: the zone's offset from UTC.
    let ahead = (12.5 - day.middle).rem_euclid(24.0);
    let offset = if ahead > 12.0 { ahead - 24.0 } else { ahead };
    if offset.abs() < 4.0 {
        return None;
    }
    let offset = offset.round() as i32;
    // A zone of that standard offset (the offset read off hours is ±1 anyway: summer time).
    let example = match offset {
        -12 | -11 => "Pacific/Pago_Pago",
        -10 => "Pacific/Honolulu",
        -9 => "America/Anchorage",
        -8 => "America/Los_Angeles",
        -7 => "America/Denver",
        -6 => "America/Chicago",
        -5 => "America/New_York",
        -4 => "America/Halifax",
        4 => "Asia/Dubai",
        5 => "Asia/Karachi",
        6 => "Asia/Dhaka",
        7 => "Asia/Bangkok",
        8 => "Asia/Singapore",
        9 => "Asia/Tokyo",
        10 => "Australia/Brisbane",
        11 => "Pacific/Noumea",
        _ => "Pacific/Auckland",
    };
    Some(format!(
        "The admin sessions of the {} origins on these chains started mostly between {:02}:00 and \
         {:02}:00 UTC in their history, a working day of about UTC{offset:+}, but weekends, \
         working hours and the report's days are UTC's: set --timezone to the network's zone \
         (e.g. {example}), or --timezone UTC to keep UTC",
        day.hosts, day.from, day.to,
    ))
}

/// The inventory's entries for every host on a chain (incidents' hosts and origins are on
/// their chains), and for a host named by its lease (`--leases`) the addresses it had in the
/// period's flows (`held`; an entry of its own, `lease`, when the inventory does not know it).
pub(crate) fn known_hosts(
    inventory: &crate::inventory::Inventory,
    held: &super::leases::Held,
    chains: &[Chain],
) -> std::collections::BTreeMap<String, crate::inventory::HostInfo> {
    let mut out = std::collections::BTreeMap::new();
    if inventory.is_empty() && held.is_empty() {
        return out;
    }
    for h in chains.iter().flat_map(|c| &c.hosts) {
        if out.contains_key(h) {
            continue;
        }
        let addresses: Vec<String> = held.get(h).into_iter().flatten().cloned().collect();
        let info = match inventory.lookup(h) {
            Some(info) => crate::inventory::HostInfo { addresses, ..info.clone() },
            None if !addresses.is_empty() => crate::inventory::HostInfo {
                entry: "lease".into(),
                addresses,
                ..Default::default()
            },
            None => continue,
        };
        out.insert(h.clone(), info);
    }
    out
}

impl PivotReport {
    /// What was found, the one sentence the stdout table and summary.md open with: alert
    /// incidents and chains among all (with what was left out), the hops and continuations
    /// they came from, and the history they were judged against.
    pub fn found(&self) -> String {
        format!(
            "{} alert incidents ({} alert chains) among {} incidents and {} chains{} from {} \
             remote-administration hops ({} continuations); {}",
            self.alerts,
            self.alert_chains,
            self.incidents.len(),
            self.chains.len(),
            self.hidden_note(),
            self.hops,
            self.continuations,
            self.history_note()
        )
    }

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

    /// `Err(StoreFiles)` (exit 3) when store files or history days were left out, naming them.
    pub fn incomplete_error(&self, what: &str) -> Result<()> {
        let files = self.left_out();
        if files.is_empty() {
            return Ok(());
        }
        Err(Error::StoreFiles { what: what.to_string(), files })
    }

    /// `path: why` of every store file and history day left out.
    pub fn left_out(&self) -> Vec<String> {
        self.incomplete_files
            .iter()
            .chain(&self.history_unreadable)
            .map(ToString::to_string)
            .collect()
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

    /// When the period had no flow on a service port: the sentence that says so (a night with
    /// nothing to judge must not read as a quiet one).
    pub fn no_data_note(&self) -> Option<String> {
        (self.service_flows == 0).then(|| {
            "NO DATA: not one flow on a service port in this period (collector down, not \
             captured yet, or no remote administration at all): nothing could be judged"
                .to_string()
        })
    }

    /// Whole hours in the period (none when it is open at either end).
    pub fn period_hours(&self) -> Option<usize> {
        match (self.since_ms, self.until_ms) {
            (Some(s), Some(u)) if u > s => Some(((u - s) / 3_600_000) as usize),
            _ => None,
        }
    }

    /// "12 of 24" (hours with flow files of the period's hours), or the count alone.
    pub fn hours_fact(&self) -> String {
        match self.period_hours() {
            Some(h) => format!("{} of {h}", self.hours_with_flows),
            None => self.hours_with_flows.to_string(),
        }
    }

    /// When some but not all hours of a bounded period have flow files: the sentence that says
    /// so (a partial day must not read as a whole one).
    pub fn hours_note(&self) -> Option<String> {
        let h = self.period_hours()?;
        (self.hours_with_flows > 0 && self.hours_with_flows < h).then(|| {
            format!(
                "flows in {} of the period's {h} hours (no flow file in the others: collector \
                 down, or no traffic)",
                self.hours_with_flows
            )
        })
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

/// One host of a [`Graph`]: its roles over every chain through it, its times and alerts.
#[derive(Debug, Default)]
pub struct GraphHost {
    /// First hop start and last hop end touching it (UTC epoch ms).
    pub first: i64,
    /// See `first`.
    pub last: i64,
    /// The chains through it.
    pub chains: BTreeSet<String>,
    /// It starts a chain.
    pub origin: bool,
    /// It relays a chain.
    pub pivot: bool,
    /// It ends a chain.
    pub target: bool,
    /// `--trusted`.
    pub trusted: bool,
    /// On an alert chain.
    pub alert: bool,
    /// The incidents of its chains.
    pub incidents: BTreeSet<String>,
    /// On a chain of an alert incident.
    pub alert_incident: bool,
}

impl GraphHost {
    /// Its one role: a host that relays in any chain is a pivot; else an origin; else a target.
    pub fn role(&self) -> &'static str {
        if self.pivot {
            "pivot"
        } else if self.origin {
            "origin"
        } else {
            "target"
        }
    }
}

/// One hop of a [`Graph`]: the hop, the chains through it, its position on the first chain,
/// and the alert facts of those chains.
#[derive(Debug)]
pub struct GraphHop<'r> {
    /// The hop (its flows' facts).
    pub hop: &'r super::hops::Hop,
    /// The chains through it.
    pub chains: BTreeSet<String>,
    /// Its position on the path of the first chain (0: leaves the origin).
    pub index: usize,
    /// On an alert chain.
    pub alert: bool,
    /// The highest score of its chains.
    pub score: f64,
    /// The reasons of its alert chains, each once.
    pub reasons: Vec<String>,
    /// The incidents of its chains.
    pub incidents: BTreeSet<String>,
    /// On a chain of an alert incident.
    pub alert_incident: bool,
}

/// A hop's identity: (client, client port, server, server port, proto, start).
pub type HopKey = (String, i64, String, i64, i64, i64);

/// Some chains as one graph: each host once with its roles, each hop once with its chains.
#[derive(Debug, Default)]
pub struct Graph<'r> {
    /// The hosts, by address.
    pub hosts: BTreeMap<String, GraphHost>,
    /// The hops, by identity.
    pub hops: BTreeMap<HopKey, GraphHop<'r>>,
}

impl PivotReport {
    /// The chains an output that draws the graph shows (with `--hide-routine`, those of alert
    /// incidents only) and the alert incidents (id, cause).
    pub fn shown(&self, rules: &PivotRules) -> (Vec<&Chain>, Vec<(String, String)>) {
        // References, not copies: a busy jump host makes tens of thousands of chains.
        let alert_incidents: BTreeSet<&str> =
            self.incidents.iter().filter(|i| i.alert).map(|i| i.id.as_str()).collect();
        let shown = self
            .chains
            .iter()
            .filter(|c| !rules.hide_routine || alert_incidents.contains(c.incident.as_str()))
            .collect();
        let alerts = self
            .incidents
            .iter()
            .filter(|i| i.alert)
            .map(|i| (i.id.clone(), i.cause.clone()))
            .collect();
        (shown, alerts)
    }

    /// `chains` as one graph; `alerts` are the alert incidents (id, cause) of [`Self::shown`].
    pub fn graph<'r>(
        &self,
        chains: &[&'r Chain],
        rules: &PivotRules,
        alerts: &[(String, String)],
    ) -> Graph<'r> {
        let alert_ids: BTreeSet<&str> = alerts.iter().map(|(id, _)| id.as_str()).collect();
        let mut g = Graph::default();
        for &c in chains {
            let last = c.hosts.len() - 1;
            let alert_incident = alert_ids.contains(c.incident.as_str());
            for h in &c.hops {
                // Position on the path (parallel hops of a merged entry share one).
                let i = c.hosts.iter().position(|x| *x == h.client_addr).unwrap_or(0);
                for (addr, role) in [
                    (&h.client_addr, if i == 0 { 0 } else { 1 }),
                    (&h.server_addr, if i + 1 >= last { 2 } else { 1 }),
                ] {
                    let n = g.hosts.entry(addr.clone()).or_insert_with(|| GraphHost {
                        first: i64::MAX,
                        last: i64::MIN,
                        ..GraphHost::default()
                    });
                    n.first = n.first.min(h.start_ms);
                    n.last = n.last.max(h.end_ms);
                    n.chains.insert(c.id.clone());
                    match role {
                        0 => n.origin = true,
                        1 => n.pivot = true,
                        _ => n.target = true,
                    }
                    n.trusted = rules.is_trusted(addr);
                    n.alert |= c.alert;
                    n.incidents.insert(c.incident.clone());
                    n.alert_incident |= alert_incident;
                }
                let key = (
                    h.client_addr.clone(),
                    h.client_port,
                    h.server_addr.clone(),
                    h.server_port,
                    h.proto,
                    h.start_ms,
                );
                let e = g.hops.entry(key).or_insert_with(|| GraphHop {
                    hop: h,
                    chains: BTreeSet::new(),
                    index: i,
                    alert: false,
                    score: f64::MIN,
                    reasons: Vec::new(),
                    incidents: BTreeSet::new(),
                    alert_incident: false,
                });
                e.chains.insert(c.id.clone());
                e.incidents.insert(c.incident.clone());
                e.alert_incident |= alert_incident;
                e.alert |= c.alert;
                e.score = e.score.max(c.score);
                if c.alert {
                    for r in &c.reasons {
                        if !e.reasons.contains(r) {
                            e.reasons.push(r.clone());
                        }
                    }
                }
            }
        }
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(from: u32, to: u32, middle: f64) -> history::WorkingDay {
        history::WorkingDay { from, to, middle, hosts: 4 }
    }

    #[test]
    fn a_working_day_far_from_utcs_names_a_zone_like_it() {
        assert_eq!(timezone_hint(day(8, 17, 12.4)), None, "UTC");
        assert_eq!(timezone_hint(day(11, 20, 15.5)), None, "UTC+3 is near enough (Moscow)");
        assert_eq!(timezone_hint(day(4, 13, 8.6)), None, "3.9 hours: not yet");
        let la = timezone_hint(day(16, 2, 20.5)).unwrap();
        assert!(la.contains("between 16:00 and 02:00 UTC"), "{la}");
        assert!(la.contains("about UTC-8") && la.contains("e.g. America/Los_Angeles"), "{la}");
        assert!(la.contains("4 origins") && la.contains("--timezone UTC to keep UTC"), "{la}");
        let tokyo = timezone_hint(day(22, 8, 3.4)).unwrap();
        assert!(tokyo.contains("about UTC+9") && tokyo.contains("Asia/Tokyo"), "{tokyo}");
    }
}
