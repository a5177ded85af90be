//! Incidents: a night's chains grouped by root cause, the unit an analyst reads.
//!
//! Chains are one incident when they share the novelty that decided their score (the same new
//! host; the same host doing what it never did — an unusual time, a service it never used as a
//! client or relay, something it never reached through a relay; the same relay → target:
//! `score::About`), the same deciding hop (flows cannot tell which of the sessions into a busy
//! host led on: every possible origin is in the incident), or the same path (a path repeated
//! during the night). Routine chains (no finding) are grouped by their first relay ("routine
//! work through J"); with no history at all nothing is routine yet, and chains without a
//! finding are grouped by path.
//!
//! An incident's score is its strongest chain's, it is an alert when one of its chains is, and
//! it lists its reasons once (one per novelty, the strongest chain's sentence), its chains,
//! hosts and times, and every possible origin with how that origin's own history judges it
//! (`origins`, most unusual first).

use std::collections::BTreeMap;

use serde::Serialize;

use super::About;
use super::model::{Chain, iso};

/// How one possible origin's own history judges the incident.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OriginView {
    /// The origin host.
    pub host: String,
    /// Its strongest chain in the incident.
    pub chain: String,
    /// Its own part's score (what it did by opening the first hop, when, what it reached).
    pub score: f64,
    /// Its own findings (empty: routine for it).
    pub reasons: Vec<String>,
}

/// One root cause of a night.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    /// `incident-N`, numbered by first start.
    pub id: String,
    /// Position in the report: alerts first, then by score.
    pub rank: usize,
    /// One of its chains is an alert.
    pub alert: bool,
    /// Its strongest chain's score.
    pub score: f64,
    /// What decided it, in a few words (`new host 10.8.0.9`, `10.9.0.1 → 10.32.0.7: new
    /// target`, `routine work through 10.9.0.1`).
    pub cause: String,
    /// Its reasons, each once, the strongest chain's first.
    pub reasons: Vec<String>,
    /// Its chains, strongest first.
    pub chains: Vec<String>,
    /// How many.
    pub chain_count: usize,
    /// The strongest chain's path.
    pub path: Vec<String>,
    /// Every host of its chains, in order of first appearance.
    pub hosts: Vec<String>,
    /// Earliest hop start, UTC epoch ms.
    pub first_ms: i64,
    /// Latest hop end, UTC epoch ms.
    pub last_ms: i64,
    /// `first_ms` as ISO 8601 UTC.
    pub first: String,
    /// `last_ms` as ISO 8601 UTC.
    pub last: String,
    /// Every possible origin, most unusual for its own history first.
    pub origins: Vec<OriginView>,
    /// Chains through trusted hosts only.
    pub trusted: bool,
    /// The acknowledgement (`DAY/incident-N`) whose pattern covers every hop of its strongest
    /// chain: known-good, shown, never an alert.
    pub acknowledged: Option<String>,
}

impl Incident {
    /// One line for tables: the acknowledgement that covers it, or its strongest reason.
    pub fn note(&self) -> String {
        match &self.acknowledged {
            Some(a) => format!("acknowledged ({a})"),
            None => self.reasons.first().cloned().unwrap_or_else(|| "routine".into()),
        }
    }
}

/// The grouping key of a chain's deciding novelty (`cold`: no history, nothing is routine yet:
/// chains without a finding are grouped by path).
fn key(c: &Chain, cold: bool) -> (String, String, String) {
    match &c.novelty {
        None if cold => {
            ("unjudged".into(), c.hosts.get(1).cloned().unwrap_or_default(), c.hosts.join(" "))
        }
        None => ("routine".into(), c.hosts.get(1).cloned().unwrap_or_default(), String::new()),
        Some(a) => novelty_key(a),
    }
}

/// The grouping key of a novelty: what a host did unlike itself tonight (an unusual time, a
/// service it never used, something it never reached through a relay) is one cause, the
/// host; a new host is one, whatever side it was new on.
fn novelty_key(a: &About) -> (String, String, String) {
    let class = match a.kind {
        "new client" | "new relay" | "new server" | "change" => "new host",
        "time" | "weekend" | "reach" | "new service" => "host",
        k => k,
    };
    let other = match class {
        "new host" | "host" => String::new(),
        _ => a.other.clone(),
    };
    (class.to_string(), a.host.clone(), other)
}

/// Words for what decided an incident: its strongest chain's novelty (none: routine, or no
/// history to judge it).
fn cause(lead: &Chain, k: &(String, String, String)) -> String {
    let (class, host, _) = k;
    match (&lead.novelty, class.as_str()) {
        (_, "routine") => format!("routine work through {host}"),
        (_, "unjudged") => format!("chain through {host} (no history to judge it yet)"),
        (None, _) => format!("chain through {host}"),
        (Some(a), _) => {
            let (h, o) = (&a.host, &a.other);
            match a.kind {
                "new client" | "new relay" | "new server" => format!("new host {h}"),
                "change" => format!(
                    "routine change: {}",
                    lead.reasons
                        .iter()
                        .find(|r| r.starts_with(h.as_str()))
                        .cloned()
                        .unwrap_or_else(|| format!("new host {h}"))
                ),
                "new service" => format!("{h} uses {o} for the first time"),
                "new target" => format!("{h} → {o}: new target"),
                "time" | "weekend" => format!("{h} at an unusual time"),
                "reach" => format!("{h} reaches {o} through a relay for the first time"),
                "pattern" => format!("{h} relays {o} for a lone session for the first time"),
                "cycle" => format!("cycle through {h}"),
                k => format!("{k} {h} {o}"),
            }
        }
    }
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (a, b) = (find(parent, a), find(parent, b));
    if a != b {
        parent[a.max(b)] = a.min(b);
    }
}

/// The chains of each incident, by the union-find root of the chains' groups: the same
/// deciding novelty (`keys`), and for chains with a novelty the same path or the same deciding
/// hop.
fn members(chains: &[Chain], keys: &[(String, String, String)]) -> BTreeMap<usize, Vec<usize>> {
    let n = chains.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let mut by_key: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut by_hop: BTreeMap<(&(String, String, String), i64), usize> = BTreeMap::new();
    let mut by_path: BTreeMap<&[String], usize> = BTreeMap::new();
    for i in 0..n {
        if let Some(&j) = by_key.get(&keys[i]) {
            union(&mut parent, i, j);
        } else {
            by_key.insert(keys[i].clone(), i);
        }
        if chains[i].novelty.is_none() {
            continue;
        }
        match by_path.get(chains[i].hosts.as_slice()) {
            Some(&j) => union(&mut parent, i, j),
            None => {
                by_path.insert(&chains[i].hosts, i);
            }
        }
        match by_hop.get(&(&chains[i].deciding, chains[i].deciding_start_ms)) {
            Some(&j) => union(&mut parent, i, j),
            None => {
                by_hop.insert((&chains[i].deciding, chains[i].deciding_start_ms), i);
            }
        }
    }
    // An alert chain whose findings include the novelty that decided another alert chain is
    // the same incident: the other is a part of it (another possible origin of its later
    // hops, flows cannot tell which session into the relay led on).
    let mut decided: BTreeMap<&(String, String, String), usize> = BTreeMap::new();
    for i in (0..n).filter(|&i| chains[i].alert && chains[i].novelty.is_some()) {
        decided.entry(&keys[i]).or_insert(i);
    }
    for j in (0..n).filter(|&j| chains[j].alert) {
        for a in &chains[j].reason_keys {
            if let Some(&i) = decided.get(&novelty_key(a)) {
                union(&mut parent, i, j);
            }
        }
    }
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        members.entry(r).or_default().push(i);
    }
    members
}

/// Group `chains` into incidents (each chain's `incident` set), ranked: alerts first, then
/// score, then first start. An incident whose strongest chain an acknowledgement in `acks`
/// covers (the same hops at the hours and on the kind of day it had, in `zone`:
/// `ack::covering`) is marked and never an alert.
pub fn group(
    chains: &mut [Chain],
    acks: &[crate::pivot::history::ack::Ack],
    zone: chrono_tz::Tz,
    cold: bool,
) -> Vec<Incident> {
    let keys: Vec<_> = chains.iter().map(|c| key(c, cold)).collect();
    let mut out: Vec<(Incident, Vec<usize>)> = members(chains, &keys)
        .into_values()
        .map(|mut m| {
            m.sort_by(|&a, &b| {
                chains[b]
                    .alert
                    .cmp(&chains[a].alert)
                    .then(chains[b].score.total_cmp(&chains[a].score))
                    .then(chains[b].origin_score.total_cmp(&chains[a].origin_score))
                    .then(chains[a].start_ms.cmp(&chains[b].start_ms))
            });
            (build(chains, &m, &keys[m[0]]), m)
        })
        .collect();
    out.sort_by(|a, b| (a.0.first_ms, &a.0.cause).cmp(&(b.0.first_ms, &b.0.cause)));
    for (i, (inc, m)) in out.iter_mut().enumerate() {
        inc.id = format!("incident-{}", i + 1);
        for &c in m.iter() {
            chains[c].incident = inc.id.clone();
        }
    }
    let acks: Vec<&crate::pivot::history::ack::Ack> = acks.iter().collect();
    for (inc, m) in &mut out {
        let lead = &chains[m[0]];
        let hops: Vec<crate::pivot::history::ack::TimedHop> = lead
            .hops
            .iter()
            .map(|h| (h.client_addr.clone(), h.server_addr.clone(), h.service.clone(), h.start_ms))
            .collect();
        if let Some(a) = crate::pivot::history::ack::covering(&acks, &hops, zone) {
            inc.acknowledged = Some(a.id.clone());
            inc.alert = false;
            for &c in m.iter() {
                chains[c].alert = false;
                chains[c].flags.retain(|f| f != "alert");
                chains[c].flags.push("acknowledged".into());
            }
        }
    }
    let mut incidents: Vec<Incident> = out.into_iter().map(|x| x.0).collect();
    rank(&mut incidents);
    incidents
}

/// Order alerts first, then by score (ties: untrusted first, then earlier), ranks from 1.
pub fn rank(incidents: &mut [Incident]) {
    incidents.sort_by(|a, b| {
        b.alert
            .cmp(&a.alert)
            .then(b.score.total_cmp(&a.score))
            .then(a.trusted.cmp(&b.trusted))
            .then(a.first_ms.cmp(&b.first_ms))
            .then(a.id.cmp(&b.id))
    });
    for (i, c) in incidents.iter_mut().enumerate() {
        c.rank = i + 1;
    }
}

/// Reasons kept per incident (the rest are in its chains).
const MAX_REASONS: usize = 12;

fn build(chains: &[Chain], m: &[usize], k: &(String, String, String)) -> Incident {
    let lead = &chains[m[0]];
    let mut reasons: Vec<String> = Vec::new();
    // One reason per novelty: the strongest chain's sentence (the same unusual hour, the same
    // new service, seen from several chains, differs only in its times); notes that support
    // or excuse a finding are kept each once as written.
    let mut novelties: std::collections::BTreeSet<&About> = std::collections::BTreeSet::new();
    let mut more = 0;
    for &i in m {
        let c = &chains[i];
        for (j, r) in c.reasons.iter().enumerate() {
            let novelty = c.reason_keys.get(j).filter(|a| !matches!(a.kind, "support" | "change"));
            if reasons.contains(r) || novelty.is_some_and(|a| novelties.contains(a)) {
                continue;
            }
            if let Some(a) = novelty {
                novelties.insert(a);
            }
            if reasons.len() < MAX_REASONS {
                reasons.push(r.clone());
            } else {
                more += 1;
            }
        }
    }
    if more > 0 {
        reasons.push(format!("(+{more} more reasons in its chains)"));
    }
    let mut hosts: Vec<String> = Vec::new();
    for &i in m {
        for h in &chains[i].hosts {
            if !hosts.contains(h) {
                hosts.push(h.clone());
            }
        }
    }
    let mut origins: BTreeMap<&str, &Chain> = BTreeMap::new();
    for &i in m {
        let c = &chains[i];
        let e = origins.entry(&c.hosts[0]).or_insert(c);
        if (c.origin_score, c.score) > (e.origin_score, e.score) {
            *e = c;
        }
    }
    let mut origins: Vec<OriginView> = origins
        .into_iter()
        .map(|(h, c)| OriginView {
            host: h.to_string(),
            chain: c.id.clone(),
            score: c.origin_score,
            reasons: c.origin_reasons.clone(),
        })
        .collect();
    origins.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.host.cmp(&b.host)));
    let first_ms = m.iter().map(|&i| chains[i].start_ms).min().unwrap_or(0);
    let last_ms = m.iter().map(|&i| chains[i].end_ms).max().unwrap_or(0);
    Incident {
        id: String::new(),
        rank: 0,
        alert: m.iter().any(|&i| chains[i].alert),
        score: lead.score,
        cause: cause(lead, k),
        reasons,
        chains: m.iter().map(|&i| chains[i].id.clone()).collect(),
        chain_count: m.len(),
        path: lead.hosts.clone(),
        hosts,
        first_ms,
        last_ms,
        first: iso(first_ms),
        last: iso(last_ms),
        origins,
        trusted: m.iter().all(|&i| chains[i].trusted),
        acknowledged: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(hosts: &[&str], kind: &'static str, host: &str, other: &str, start: i64) -> Chain {
        let deciding = (hosts[0].to_string(), hosts[1].to_string(), "ssh".to_string());
        Chain {
            id: format!("chain-{start}"),
            rank: 0,
            score: 4.0,
            alert: true,
            reasons: vec![format!("{kind} {host} {other} at {start}")],
            reason_keys: vec![About { kind, host: host.into(), other: other.into() }],
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            services: vec!["ssh".into()],
            start_ms: start,
            end_ms: start + 60_000,
            start: iso(start),
            end: iso(start + 60_000),
            bytes: 0,
            cycle: false,
            trusted: false,
            truncated: false,
            off_hours: false,
            new_pairs: 0,
            flags: vec!["alert".into()],
            alternatives: Vec::new(),
            folded_into: None,
            deciding_hop: String::new(),
            deciding,
            deciding_start_ms: start,
            novelty: Some(About { kind, host: host.into(), other: other.into() }),
            incident: String::new(),
            origin_score: 4.0,
            origin_reasons: Vec::new(),
            hops: Vec::new(),
        }
    }

    #[test]
    fn an_alert_chain_that_holds_another_alerts_deciding_novelty_is_one_incident_with_it() {
        // W → A → B → C → D: A relayed for the first time (its deciding novelty), and so did
        // B. X, logged into B at the time, is another possible origin of B → C → D: that chain
        // was decided by B's novelty, which the first chain holds as well. Y → B → E at
        // another time, decided by B's new target E, stays apart; so does a non-alert chain
        // whose findings hold A's novelty.
        let mut long = chain(&["W", "A", "B", "C", "D"], "new relay", "A", "", 1_000);
        long.reason_keys.push(About { kind: "new relay", host: "B".into(), other: String::new() });
        let other_origin = chain(&["X", "B", "C", "D"], "new relay", "B", "", 1_500);
        let apart = chain(&["Y", "B", "E"], "new target", "B", "E", 9_000);
        let mut quiet = chain(&["V", "Q", "R"], "new target", "Q", "R", 9_500);
        quiet.reason_keys.push(About { kind: "new relay", host: "A".into(), other: String::new() });
        (quiet.alert, quiet.score) = (false, 1.0);
        let mut chains = vec![long, other_origin, apart, quiet];
        let incidents = group(&mut chains, &[], chrono_tz::Tz::UTC, false);
        let of = |i: usize| chains[i].incident.clone();
        assert_eq!(of(0), of(1), "{incidents:#?}");
        assert_ne!(of(0), of(2));
        assert_ne!(of(0), of(3));
        let merged = incidents.iter().find(|i| i.id == of(0)).unwrap();
        let origins: Vec<&str> = merged.origins.iter().map(|o| o.host.as_str()).collect();
        assert!(origins.contains(&"W") && origins.contains(&"X"), "{origins:?}");
    }

    #[test]
    fn what_one_host_did_unlike_itself_is_one_incident() {
        // X at an unusual hour through J, X's first winrm session through K, and X reaching
        // something new through L: different paths and deciding hops, one host — one cause.
        // A new target of relay J is its own cause.
        let mut chains = vec![
            chain(&["X", "J", "T1"], "time", "X", "", 1_000),
            chain(&["X", "K", "T2"], "new service", "X", "winrm", 2_000),
            chain(&["X", "L", "T3"], "reach", "X", "", 3_000),
            chain(&["Y", "J", "T4"], "new target", "J", "T4", 4_000),
            chain(&["Z", "M", "T5"], "new service", "Z", "rdp", 5_000),
        ];
        let incidents = group(&mut chains, &[], chrono_tz::Tz::UTC, false);
        assert_eq!(incidents.len(), 3, "{incidents:#?}");
        let of = |i: usize| chains[i].incident.clone();
        assert_eq!((of(0) == of(1), of(1) == of(2)), (true, true));
        assert_ne!(of(0), of(3));
        assert_ne!(of(0), of(4));
        assert_ne!(of(3), of(4));
        // One reason per novelty: X's unusual hour seen from two chains is listed once.
        let mut chains = vec![
            chain(&["X", "J", "T1"], "time", "X", "", 1_000),
            chain(&["X", "J", "T2"], "time", "X", "", 2_000),
            chain(&["X", "K", "T3"], "new service", "X", "winrm", 3_000),
        ];
        let incidents = group(&mut chains, &[], chrono_tz::Tz::UTC, false);
        assert_eq!(incidents.len(), 1);
        assert_eq!(incidents[0].reasons.len(), 2, "{:?}", incidents[0].reasons);
    }
}
