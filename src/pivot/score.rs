//! Rarity scoring: how unusual each part of a chain is, measured against the history
//! (`history::Baseline`), with a sentence for every finding.
//!
//! A chain's parts are its hops (client → server over a service), each together with its link
//! to the previous hop (the inbound session into the hop's client, open while it opened this
//! one): what a pivot host did as a client and as a relay is one fact about that host. Each
//! part collects findings, each with a weight; a part's score is the sum of its findings.
//! **A chain is only as routine as its least routine part**: its score is the highest part
//! score, plus 0.25 per hop beyond two (a tie-breaker, never an alert by itself).
//!
//! | finding | part | weight |
//! |---|---|---|
//! | client has not opened an admin session in the history | hop | 3 |
//! | client never used this service (it used others) | hop | 2.5 |
//! | client → server over service never seen | hop | min(2, s(client's new-server days)) |
//! | server never received this service | hop | 1 |
//! | first hop: started `d` ≥ 2 hours from any UTC hour the client ever started one | hop | min(2, d/2) × min(1, active days/5) |
//! | first hop on a weekend: client never active on the history's `w` weekend days | hop | min(2, log2(w + 2)) |
//! | pivot has not relayed (opened a session while one into it was open) | link | 3 |
//! | pivot never relayed onward over this service (it relayed over others) | link | 2.5 |
//! | pivot never relayed to this server over this service | link | min(2, s(pivot's new-target days)) |
//! | the link returns to a host already on the chain (cycle) | link | 1 |
//!
//! `s(n of m days)` is the surprise of something new for that actor, in bits, from its own
//! record: −log2((n + 1) / (m + 2)) over its active days after its first in the window. An
//! automation host that reaches new servers every day scores ~0 for a new server; an admin who
//! has used the same three servers for weeks scores the cap. Every weight is scaled by
//! min(1, days of history / 7) (cold start), and with no history there are no history findings.

use chrono::{Datelike, TimeZone, Timelike, Utc};
use serde::Serialize;

use super::history::Baseline;
use super::hops::Hop;

/// Days of history at which findings reach full weight.
pub const WARM_DAYS: usize = 7;

/// One reason a chain is unusual.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub weight: f64,
    pub text: String,
}

/// Scores chains against a baseline.
pub struct Scorer<'a> {
    b: &'a Baseline,
    conf: f64,
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 { format!("{n} {one}") } else { format!("{n} {one}s") }
}

impl<'a> Scorer<'a> {
    pub fn new(b: &'a Baseline) -> Self {
        let conf = (b.days as f64 / WARM_DAYS as f64).min(1.0);
        Scorer { b, conf }
    }

    fn span(&self) -> String {
        format!("in {} of history", plural(self.b.days, "day"))
    }

    fn push(&self, out: &mut Vec<Finding>, weight: f64, text: String) {
        out.push(Finding { weight: (weight * self.conf * 100.0).round() / 100.0, text });
    }

    /// Findings of one hop; `first` adds the time-of-week findings of the chain's origin.
    pub fn hop(&self, h: &Hop, first: bool) -> Vec<Finding> {
        let mut out = Vec::new();
        if self.b.days == 0 {
            return out;
        }
        let b = self.b;
        let (c, s, v) = (&h.client_addr, &h.server_addr, &h.service);
        let days = b.client_days.get(c).copied().unwrap_or(0);
        if days == 0 {
            self.push(
                &mut out,
                3.0,
                format!("{c} had not opened an admin session {}", self.span()),
            );
        } else {
            if !b.client_services.contains(&(c.clone(), v.clone())) {
                let mut used: Vec<&str> = b
                    .client_services
                    .iter()
                    .filter(|(x, _)| x == c)
                    .map(|(_, v)| v.as_str())
                    .collect();
                used.sort_unstable();
                self.push(
                    &mut out,
                    2.5,
                    format!(
                        "{c} never used {v} as a client {} (used {})",
                        self.span(),
                        used.join(", ")
                    ),
                );
            }
            if !b.pairs.contains(&(c.clone(), s.clone(), v.clone())) {
                let n = b.client_new_pairs.get(c).copied().unwrap_or_default();
                self.push(
                    &mut out,
                    n.surprise().min(2.0),
                    format!(
                        "{c} → {s} {v}: pair never seen {} ({c} reached a new server on {} of {} active days)",
                        self.span(),
                        n.novel_days,
                        n.eligible_days
                    ),
                );
            }
        }
        if !b.server_services.contains(&(s.clone(), v.clone())) {
            self.push(&mut out, 1.0, format!("{s} never received {v} {}", self.span()));
        }
        if first && days > 0 {
            self.time_of_week(&mut out, c, h.start_ms, days);
        }
        out
    }

    /// When the origin of a chain started it: hours away from any hour it ever started an admin
    /// session in, and a weekend when it never worked on one.
    fn time_of_week(&self, out: &mut Vec<Finding>, c: &str, start_ms: i64, days: u32) {
        let b = self.b;
        let t = Utc.timestamp_millis_opt(start_ms).single().unwrap_or_default();
        let hour = t.hour() as i32;
        let mask = b.client_hours.get(c).copied().unwrap_or(0);
        let away = (0..24)
            .filter(|h| mask & (1 << h) != 0)
            .map(|h: i32| (h - hour).rem_euclid(24).min((hour - h).rem_euclid(24)))
            .min()
            .unwrap_or(0);
        if away >= 2 {
            // 1 at two hours away, 2 from four hours on; full weight from 5 active days.
            let w = (0.5 * f64::from(away)).min(2.0) * (f64::from(days) / 5.0).min(1.0);
            self.push(
                out,
                w,
                format!(
                    "{c} started it at {} UTC, {away} hours from any hour it started an admin session on its {} with them",
                    t.format("%H:%M"),
                    plural(days as usize, "day")
                ),
            );
        }
        let weekend = t.weekday().number_from_monday() >= 6;
        if weekend && b.weekend_days > 0 && !b.client_weekend.contains(c) {
            // Surprise of weekend work never seen on w weekend days: log2(w + 2), at most 2.
            let w = ((b.weekend_days as f64) + 2.0).log2().min(2.0);
            self.push(
                out,
                w,
                format!(
                    "{c} started it on a {}; it had no admin session on the {} in the history",
                    t.format("%A"),
                    plural(b.weekend_days, "weekend day")
                ),
            );
        }
    }

    /// Findings of the link `into` → `out` (pivot = `out.client_addr`).
    pub fn link(&self, into: &Hop, out_hop: &Hop, closes_cycle: bool) -> Vec<Finding> {
        let mut out = Vec::new();
        if closes_cycle {
            out.push(Finding {
                weight: 1.0,
                text: format!(
                    "{} → {} returns to a host already on the chain",
                    out_hop.client_addr, out_hop.server_addr
                ),
            });
        }
        if self.b.days == 0 {
            return out;
        }
        let b = self.b;
        let (p, t, v) = (&out_hop.client_addr, &out_hop.server_addr, &out_hop.service);
        let days = b.pivot_days.get(p).copied().unwrap_or(0);
        if days == 0 {
            self.push(
                &mut out,
                3.0,
                format!(
                    "{p} relayed ({} in from {} while {v} out to {t}) and had not relayed {}",
                    into.service,
                    into.client_addr,
                    self.span()
                ),
            );
        } else if !b.pivot_services.contains(&(p.clone(), v.clone())) {
            let mut used: Vec<&str> =
                b.pivot_services.iter().filter(|(x, _)| x == p).map(|(_, v)| v.as_str()).collect();
            used.sort_unstable();
            self.push(
                &mut out,
                2.5,
                format!(
                    "{p} never relayed onward over {v} {} (relayed over {})",
                    self.span(),
                    used.join(", ")
                ),
            );
        } else if !b.pivot_targets.contains(&(p.clone(), t.clone(), v.clone())) {
            let n = b.pivot_new_targets.get(p).copied().unwrap_or_default();
            self.push(
                &mut out,
                n.surprise().min(2.0),
                format!(
                    "{p} never relayed to {t} {v} {} (new targets on {} of {} relaying days)",
                    self.span(),
                    n.novel_days,
                    n.eligible_days
                ),
            );
        }
        out
    }

    /// Score of a chain of `hops` (in chain order), all its findings (strongest first) and the
    /// index of the deciding hop (the one of the least routine part).
    pub fn chain(&self, hops: &[&Hop], cycle: bool) -> (f64, Vec<Finding>, usize) {
        // A part: a hop with how it continues the chain (the pivot's findings as a client and
        // as a relay are one fact about that host).
        let mut parts: Vec<Vec<Finding>> = Vec::new();
        for (i, h) in hops.iter().enumerate() {
            let mut part = self.hop(h, i == 0);
            if i > 0 {
                let closes = cycle && i + 1 == hops.len();
                part.extend(self.link(hops[i - 1], h, closes));
            }
            parts.push(part);
        }
        let (deciding, best) = parts
            .iter()
            .map(|p| p.iter().map(|f| f.weight).sum::<f64>())
            .enumerate()
            .fold((0, 0.0), |acc, (i, w)| if w > acc.1 { (i, w) } else { acc });
        let mut all: Vec<Finding> =
            parts.into_iter().flatten().filter(|f| f.weight > 0.0).collect();
        all.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        all.dedup_by(|a, b| a.text == b.text);
        let score = best + 0.25 * (hops.len().saturating_sub(2)) as f64;
        ((score * 100.0).round() / 100.0, all, deciding)
    }
}

/// Day of week name of epoch ms, for tests and texts.
pub fn weekday(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default().format("%A").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pivot::history::{Baseline, DayFacts};
    use chrono::NaiveDate;

    fn hop(c: &str, s: &str, v: &str, start: i64) -> Hop {
        Hop {
            client_addr: c.into(),
            server_addr: s.into(),
            service: v.into(),
            start_ms: start,
            end_ms: start + 3_600_000,
            sessions: 1,
            ..Hop::default()
        }
    }

    /// 7 weekdays of A → J → S over ssh around 10:00, from 2026-11-02 (a Monday) on.
    fn routine() -> Baseline {
        let mut days = Vec::new();
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        for k in 0..7 {
            let d = d0 + chrono::Duration::days(k);
            let t = d.and_hms_opt(10, 0, 0).unwrap().and_utc().timestamp_millis();
            let hops = vec![hop("A", "J", "ssh", t), hop("J", "S", "ssh", t + 60_000)];
            days.push((d, DayFacts::from_hops(&hops, &[(0, 1)])));
        }
        Baseline::from_days(&days, 7)
    }

    fn at(day: u32, hour: u32) -> i64 {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    #[test]
    fn the_routine_path_scores_zero_and_one_new_hop_makes_it_unusual() {
        let b = routine();
        let s = Scorer::new(&b);
        let (h1, h2) = (hop("A", "J", "ssh", at(9, 10)), hop("J", "S", "ssh", at(9, 10) + 60_000));
        let (score, reasons, _) = s.chain(&[&h1, &h2], false);
        assert_eq!((score, reasons.len()), (0.0, 0), "{reasons:?}");
        // The same path plus S → X: S never opened an admin session, never relayed.
        let h3 = hop("S", "X", "rdp", at(9, 10) + 120_000);
        let (score, reasons, deciding) = s.chain(&[&h1, &h2, &h3], false);
        assert_eq!(deciding, 2);
        assert_eq!(
            score, 7.25,
            "S → X with its link: 3 + 3 + 1, plus 0.25 for the third hop: {reasons:?}"
        );
        assert!(reasons.iter().any(|r| r.text.starts_with("S had not opened an admin session")));
        // A new target over a service J never relayed.
        let h2b = hop("J", "T", "rdp", at(9, 10) + 60_000);
        let (score, reasons, _) = s.chain(&[&h1, &h2b], false);
        assert!(score >= 3.5, "{score} {reasons:?}");
        assert!(reasons.iter().any(|r| r.text.contains("never relayed onward over rdp")));
    }

    #[test]
    fn time_of_week_findings_need_a_history_of_the_client() {
        let b = routine();
        let s = Scorer::new(&b);
        // 2026-11-15 is a Sunday; 03:00 is far from 10:00.
        let h = hop("A", "J", "ssh", at(15, 3));
        assert_eq!(weekday(h.start_ms), "Sunday");
        let f = s.hop(&h, true);
        assert_eq!(f.len(), 1, "no weekend in the history yet: only the hour counts: {f:?}");
        assert!(f[0].text.contains("03:00 UTC, 7 hours from"), "{f:?}");
        assert_eq!(f[0].weight, 2.0);
        // An hour from the usual is no finding, two hours away is a weak one.
        assert!(s.hop(&hop("A", "J", "ssh", at(10, 11)), true).is_empty());
        assert_eq!(s.hop(&hop("A", "J", "ssh", at(10, 12)), true)[0].weight, 1.0);
    }

    #[test]
    fn cold_start_scales_and_no_history_has_no_findings() {
        let empty = Baseline::default();
        let s = Scorer::new(&empty);
        let (h1, h2) = (hop("W", "B", "ssh", 0), hop("B", "C", "ssh", 60_000));
        assert_eq!(s.chain(&[&h1, &h2], false), (0.0, vec![], 0));
        let mut b = routine();
        b.days = 2;
        let s = Scorer::new(&b);
        let f = s.hop(&h1, false);
        assert_eq!(f[0].weight, (3.0f64 * 2.0 / 7.0 * 100.0).round() / 100.0);
    }
}
