//! Chains as reported: hops, hosts, flags, the rarity score, alert and reasons.
//!
//! Score: see `score` (the least routine part of a chain against the history). A chain is an
//! **alert** when its score reaches `--alert-threshold` and it touches no `--trusted` host
//! (trusted chains are kept, flagged, never alerts, their score × 0.25). Chains with the same
//! hosts in order whose time spans overlap are one entry listing all their hops.

use std::collections::BTreeMap;

use serde::Serialize;

use super::peers::Night;
use super::{About, Scorer};
use crate::pivot::chains::RawChain;
use crate::pivot::history::{Baseline, WorkingDay};
use crate::pivot::hops::Hop;
use crate::pivot::rules::PivotRules;

/// Epoch ms as RFC 3339 UTC with milliseconds (empty when out of range).
pub fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// One pivot chain as reported: hosts, hops, score, alert and reasons.
#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    /// `chain-N`, numbered by start time (stable across score changes).
    pub id: String,
    /// Position in the report: alerts first, then by score.
    pub rank: usize,
    /// Rarity score (see `score`); ≥ the alert threshold makes an alert.
    pub score: f64,
    /// Score at or above `--alert-threshold`, no trusted host, not folded into another alert.
    pub alert: bool,
    /// Why the chain is unusual, strongest first (empty for a routine chain).
    pub reasons: Vec<String>,
    /// What each of `reasons` is about (the same order): an incident lists one reason per
    /// novelty.
    #[serde(skip)]
    pub reason_keys: Vec<About>,
    /// Hosts in order; for a cycle the last host repeats an earlier one.
    pub hosts: Vec<String>,
    /// Distinct services of its hops, sorted.
    pub services: Vec<String>,
    /// Earliest hop start, UTC epoch ms.
    pub start_ms: i64,
    /// Latest hop end, UTC epoch ms.
    pub end_ms: i64,
    /// `start_ms` as ISO 8601 UTC.
    pub start: String,
    /// `end_ms` as ISO 8601 UTC.
    pub end: String,
    /// Bytes of all hops, both directions.
    pub bytes: i64,
    /// The last hop returns to a host already on the chain.
    pub cycle: bool,
    /// A host is in `--trusted`.
    pub trusted: bool,
    /// The search stopped extending it at `--max-hops`.
    pub truncated: bool,
    /// A hop starts before 07:00 or from 19:00 UTC.
    pub off_hours: bool,
    /// Hops whose client → server over service pair is not in the history.
    pub new_pairs: usize,
    /// `alert`, `cycle`, `trusted`, `truncated`, `off_hours`, `folded` as they apply.
    pub flags: Vec<String>,
    /// Other alert chains with the same deciding hop (the least routine part), folded into
    /// this one: flows cannot tell which of the sessions into a busy host led on, so they are
    /// one alert listing every possible origin.
    pub alternatives: Vec<String>,
    /// Set on a chain folded into another alert (then `alert` is false).
    pub folded_into: Option<String>,
    /// The deciding hop as `client → server service`, for alerts.
    pub deciding_hop: String,
    /// The same as (client, server, service).
    #[serde(skip)]
    pub deciding: (String, String, String),
    /// Start of the deciding hop, UTC epoch ms.
    #[serde(skip)]
    pub deciding_start_ms: i64,
    /// The novelty that decided the score (none: routine).
    #[serde(skip)]
    pub novelty: Option<About>,
    /// The incident it belongs to (`incident-N`).
    pub incident: String,
    /// How its origin's own history judges it: the origin part's score.
    pub origin_score: f64,
    /// The origin part's findings (empty: routine for the origin).
    pub origin_reasons: Vec<String>,
    /// Every hop, in path order; more hops than hosts − 1 when parallel sessions along the same
    /// path were merged into this entry.
    pub hops: Vec<Hop>,
}

/// Outside 07:00–19:00 in the network's zone.
fn off_hours(ms: i64, zone: chrono_tz::Tz) -> bool {
    use chrono::Timelike;
    let t = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().with_timezone(&zone);
    !(7..19).contains(&t.hour())
}

/// Raw chains with the same hosts in order and overlapping spans, as one list of hop indices
/// each (in time order), flags ORed.
fn merge_same_path(raw: &[RawChain], hops: &[Hop]) -> Vec<RawChain> {
    let path = |r: &RawChain| {
        let mut hosts = vec![hops[r.hops[0]].client_addr.clone()];
        hosts.extend(r.hops.iter().map(|&i| hops[i].server_addr.clone()));
        hosts
    };
    let span = |r: &RawChain| {
        (
            r.hops.iter().map(|&i| hops[i].start_ms).min().unwrap_or(0),
            r.hops.iter().map(|&i| hops[i].end_ms).max().unwrap_or(0),
        )
    };
    let mut groups: BTreeMap<Vec<String>, Vec<(i64, i64, RawChain)>> = BTreeMap::new();
    for r in raw {
        let (s, e) = span(r);
        groups.entry(path(r)).or_default().push((s, e, r.clone()));
    }
    let mut out = Vec::new();
    for (hosts, mut list) in groups {
        let first = out.len();
        list.sort_by_key(|x| (x.0, x.1));
        let mut cur: Option<(i64, i64, RawChain)> = None;
        for (s, e, r) in list {
            match &mut cur {
                Some((_, ce, c)) if s <= *ce => {
                    *ce = (*ce).max(e);
                    for h in r.hops {
                        if !c.hops.contains(&h) {
                            c.hops.push(h);
                        }
                    }
                    c.cycle |= r.cycle;
                    c.truncated |= r.truncated;
                }
                _ => {
                    out.extend(cur.take().map(|x| x.2));
                    cur = Some((s, e, r));
                }
            }
        }
        out.extend(cur.map(|x| x.2));
        // Hops in path order (parallel hops at one position by start).
        let pos = |i: usize| hosts.iter().position(|h| *h == hops[i].client_addr).unwrap_or(0);
        for r in &mut out[first..] {
            r.hops.sort_by_key(|&i| (pos(i), hops[i].start_ms, i));
        }
    }
    out
}

/// Turn raw chains into ranked, flagged, scored chains against `baseline` (an empty baseline:
/// no history findings, cold start), and the working day of their origins (`peers::Night`).
pub fn build(
    raw: &[RawChain],
    hops: &[Hop],
    pairs: &[(usize, usize)],
    rules: &PivotRules,
    baseline: &Baseline,
) -> (Vec<Chain>, Option<WorkingDay>) {
    let merged = merge_same_path(raw, hops);
    // The path of each: first hop, then each next host (parallel hops share a position).
    let paths: Vec<Vec<&Hop>> = merged.iter().map(|r| path_of(r, hops)).collect();
    let t = std::time::Instant::now();
    let night = Night::new(&paths, hops, pairs, baseline);
    tracing::debug!(elapsed_ms = t.elapsed().as_millis() as u64, "night's support found");
    let scorer = Scorer::new(baseline, &night);
    let mut keyed: Vec<(Chain, DecidingKey)> = merged
        .iter()
        .zip(&paths)
        .map(|(r, path)| scored(r, path, hops, rules, baseline, &scorer))
        .collect::<Vec<_>>();
    // Ids follow time (stable across score changes); rank follows score.
    tracing::debug!(elapsed_ms = t.elapsed().as_millis() as u64, "chains scored");
    keyed.sort_by(|a, b| (a.0.start_ms, &a.0.hosts).cmp(&(b.0.start_ms, &b.0.hosts)));
    for (i, (c, _)) in keyed.iter_mut().enumerate() {
        c.id = format!("chain-{}", i + 1);
    }
    let mut chains = fold_alternatives(keyed);
    rank(&mut chains);
    (chains, night.working())
}

/// The path of a chain: its first hop, then one hop to each next host (parallel hops of a
/// merged entry share a position).
fn path_of<'h>(r: &RawChain, hops: &'h [Hop]) -> Vec<&'h Hop> {
    let mut path: Vec<&Hop> = Vec::new();
    for &i in &r.hops {
        let h = &hops[i];
        if path.iter().all(|p| (&p.client_addr, &p.server_addr) != (&h.client_addr, &h.server_addr))
        {
            path.push(h);
        }
    }
    path
}

/// Hops of `path` whose (client, server, service) the history never saw (0 without history).
fn new_pairs(path: &[&Hop], baseline: &Baseline) -> usize {
    if baseline.days == 0 {
        return 0;
    }
    path.iter()
        .filter(|h| {
            !baseline.pairs.contains(&(
                h.client_addr.clone(),
                h.server_addr.clone(),
                h.service.clone(),
            ))
        })
        .count()
}

/// One chain as reported: its hosts, services, times and flags, its score and findings, the
/// deciding hop (the key its alternatives are folded by).
fn scored(
    r: &RawChain,
    path: &[&Hop],
    hops: &[Hop],
    rules: &PivotRules,
    baseline: &Baseline,
    scorer: &Scorer<'_>,
) -> (Chain, DecidingKey) {
    let hs: Vec<Hop> = r.hops.iter().map(|&i| hops[i].clone()).collect();
    let mut hosts = vec![path[0].client_addr.clone()];
    hosts.extend(path.iter().map(|h| h.server_addr.clone()));
    let mut services: Vec<String> = hs.iter().map(|h| h.service.clone()).collect();
    services.sort();
    services.dedup();
    let bytes: i64 = hs.iter().map(|h| h.bytes_c2s + h.bytes_s2c).sum();
    let trusted = hosts.iter().any(|h| rules.is_trusted(h));
    let off = hs.iter().any(|h| off_hours(h.start_ms, rules.timezone));
    let cs = scorer.chain(path, r.cycle);
    let mut score = cs.score;
    let d = path[cs.deciding];
    let deciding_hop = format!("{} → {} {}", d.client_addr, d.server_addr, d.service);
    let deciding = (d.client_addr.clone(), d.server_addr.clone(), d.service.clone());
    let deciding_key = (deciding.clone(), d.start_ms);
    let deciding_start_ms = d.start_ms;
    let new_pairs = new_pairs(path, baseline);
    if trusted {
        score = (score * 25.0).round() / 100.0;
    }
    let alert = !trusted && score >= rules.alert_threshold;
    let flags = [
        (alert, "alert"),
        (r.cycle, "cycle"),
        (trusted, "trusted"),
        (r.truncated, "truncated"),
        (off, "off_hours"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| name.to_string())
    .collect();
    let start_ms = hs.iter().map(|h| h.start_ms).min().unwrap_or(0);
    let end_ms = hs.iter().map(|h| h.end_ms).max().unwrap_or(0);
    let (reasons, reason_keys) = cs.findings.into_iter().map(|f| (f.text, f.about)).unzip();
    let chain = Chain {
        id: String::new(),
        rank: 0,
        score,
        alert,
        reasons,
        reason_keys,
        hosts,
        services,
        start_ms,
        end_ms,
        start: iso(start_ms),
        end: iso(end_ms),
        bytes,
        cycle: r.cycle,
        trusted,
        truncated: r.truncated,
        off_hours: off,
        new_pairs,
        flags,
        alternatives: Vec::new(),
        folded_into: None,
        deciding_hop,
        deciding,
        deciding_start_ms,
        novelty: if cs.score > 0.0 { cs.novelty } else { None },
        incident: String::new(),
        origin_score: cs.origin_score,
        origin_reasons: cs.origin_findings.into_iter().map(|f| f.text).collect(),
        hops: hs,
    };
    (chain, deciding_key)
}

/// A deciding hop: (client, server, service) and its start.
type DecidingKey = ((String, String, String), i64);

/// Alerts sharing a deciding hop become one: the highest scored (then earliest) stays the
/// alert and lists the others as `alternatives`; they stay in the list, not alerts, with
/// `folded_into` and the flag `folded`. Input and output in id order.
fn fold_alternatives(keyed: Vec<(Chain, DecidingKey)>) -> Vec<Chain> {
    let mut by_score: Vec<usize> = (0..keyed.len()).filter(|&i| keyed[i].0.alert).collect();
    // The leader: highest score, then the origin its own history finds most unusual.
    by_score.sort_by(|&a, &b| {
        keyed[b]
            .0
            .score
            .total_cmp(&keyed[a].0.score)
            .then(keyed[b].0.origin_score.total_cmp(&keyed[a].0.origin_score))
            .then(a.cmp(&b))
    });
    let mut leader: BTreeMap<&DecidingKey, usize> = BTreeMap::new();
    let mut folds: Vec<(usize, usize)> = Vec::new();
    for i in by_score {
        match leader.get(&keyed[i].1) {
            Some(&l) => folds.push((i, l)),
            None => {
                leader.insert(&keyed[i].1, i);
            }
        }
    }
    let mut chains: Vec<Chain> = keyed.into_iter().map(|(c, _)| c).collect();
    folds.sort_unstable();
    for (i, l) in folds {
        let (id, leader_id) = (chains[i].id.clone(), chains[l].id.clone());
        let c = &mut chains[i];
        c.alert = false;
        c.flags.retain(|f| f != "alert");
        c.flags.push("folded".into());
        c.folded_into = Some(leader_id);
        chains[l].alternatives.push(id);
    }
    chains
}

/// Order alerts first, then by score (ties: untrusted before trusted, then earlier first), and
/// number the ranks from 1.
pub fn rank(chains: &mut [Chain]) {
    chains.sort_by(|a, b| {
        b.alert
            .cmp(&a.alert)
            .then(b.score.total_cmp(&a.score))
            .then(a.trusted.cmp(&b.trusted))
            .then(a.start_ms.cmp(&b.start_ms))
    });
    for (i, c) in chains.iter_mut().enumerate() {
        c.rank = i + 1;
    }
}
