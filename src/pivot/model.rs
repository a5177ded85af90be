//! Chains as reported: hops, hosts, flags and the ranking score.
//!
//! Score (higher = look first), as implemented:
//! `2 × hops + (distinct services − 1) + 1 per hop whose client→server:port pair was never
//! seen before the period (needs --since; the baseline is the stored data of `--baseline`, 30
//! days by default, before it)
//! + 1 if any hop starts off-hours (before 07:00 or from 19:00 UTC) + log10(1 + bytes) / 2`,
//! then × 0.25 when the chain touches a trusted host (`--trusted`): kept, ranked down, flagged.

use std::collections::HashSet;

use serde::Serialize;

use super::chains::RawChain;
use super::hops::Hop;
use super::rules::PivotRules;

pub fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    pub id: String,
    pub rank: usize,
    pub score: f64,
    /// Hosts in order; for a cycle the last host repeats an earlier one.
    pub hosts: Vec<String>,
    pub services: Vec<String>,
    pub start_ms: i64,
    pub end_ms: i64,
    pub start: String,
    pub end: String,
    pub bytes: i64,
    pub cycle: bool,
    pub trusted: bool,
    pub truncated: bool,
    pub off_hours: bool,
    pub new_pairs: usize,
    pub flags: Vec<String>,
    pub hops: Vec<Hop>,
}

fn off_hours(ms: i64) -> bool {
    let hour = ms.div_euclid(3_600_000).rem_euclid(24);
    !(7..19).contains(&hour)
}

/// Turn raw chains into ranked, flagged chains. `seen_before` holds the (client, server, port)
/// pairs of the baseline; `None` when there is no baseline (no pair counts as new).
pub fn build(
    raw: &[RawChain],
    hops: &[Hop],
    rules: &PivotRules,
    seen_before: Option<&HashSet<(String, String, i64)>>,
) -> Vec<Chain> {
    let mut chains: Vec<Chain> = raw
        .iter()
        .map(|r| {
            let hs: Vec<Hop> = r.hops.iter().map(|&i| hops[i].clone()).collect();
            let mut hosts = vec![hs[0].client_addr.clone()];
            hosts.extend(hs.iter().map(|h| h.server_addr.clone()));
            let mut services: Vec<String> = hs.iter().map(|h| h.service.clone()).collect();
            services.sort();
            services.dedup();
            let bytes: i64 = hs.iter().map(|h| h.bytes_c2s + h.bytes_s2c).sum();
            let trusted = hosts.iter().any(|h| rules.is_trusted(h));
            let off = hs.iter().any(|h| off_hours(h.start_ms));
            let new_pairs = seen_before.map_or(0, |seen| {
                hs.iter()
                    .filter(|h| {
                        !seen.contains(&(
                            h.client_addr.clone(),
                            h.server_addr.clone(),
                            h.server_port,
                        ))
                    })
                    .count()
            });
            let mut score = 2.0 * hs.len() as f64
                + (services.len() as f64 - 1.0)
                + new_pairs as f64
                + if off { 1.0 } else { 0.0 }
                + (1.0 + bytes.max(0) as f64).log10() / 2.0;
            if trusted {
                score *= 0.25;
            }
            let mut flags = Vec::new();
            for (on, name) in [
                (r.cycle, "cycle"),
                (trusted, "trusted"),
                (r.truncated, "truncated"),
                (off, "off_hours"),
            ] {
                if on {
                    flags.push(name.to_string());
                }
            }
            let start_ms = hs.iter().map(|h| h.start_ms).min().unwrap_or(0);
            let end_ms = hs.iter().map(|h| h.end_ms).max().unwrap_or(0);
            Chain {
                id: String::new(),
                rank: 0,
                score: (score * 100.0).round() / 100.0,
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
                hops: hs,
            }
        })
        .collect();
    // Ids follow time (stable across score changes); rank follows score.
    chains.sort_by(|a, b| (a.start_ms, &a.hosts).cmp(&(b.start_ms, &b.hosts)));
    for (i, c) in chains.iter_mut().enumerate() {
        c.id = format!("chain-{}", i + 1);
    }
    rank(&mut chains);
    chains
}

/// Order by score (ties: earlier first) and number the ranks from 1.
pub fn rank(chains: &mut [Chain]) {
    chains.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.start_ms.cmp(&b.start_ms)));
    for (i, c) in chains.iter_mut().enumerate() {
        c.rank = i + 1;
    }
}
