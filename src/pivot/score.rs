//! Rarity scoring: how unusual each host of a chain behaved, measured against the history
//! (`history::Baseline`), with a sentence for every finding.
//!
//! A chain's parts are its hosts, each with what it did in this chain: the origin opened the
//! first hop (and when); a pivot received the inbound hop, relayed, and opened the outbound hop;
//! the target received the last hop. New pairs are judged from each side's own record: a new
//! server for a client that reaches new servers every day is routine, a new client for a jump host
//! that serves the same team for weeks is not. A part's score is the sum of its findings;
//! **a chain is only as routine as its least routine host**: its score is the highest part
//! score, plus 0.25 per hop beyond two (a tie-breaker, never an alert by itself).
//!
//! | finding | host | weight |
//! |---|---|---|
//! | it had not opened an admin session in the history | origin, pivot (as client) | 3 |
//! | it never used this service as a client (it used others) | origin, pivot | 2.5 |
//! | it never reached this server over this service | origin, pivot | min(2, s(its days with a new server)) |
//! | first hop: started `d` ≥ 2 hours from any UTC hour it ever started one | origin | min(2, d/2) × min(1, active days/5) |
//! | first hop on a weekend, never active on the history's `w` weekend days | origin | min(2, log2(w + 2)) |
//! | it never received this service | pivot, target | 1 |
//! | it never had this client over this service | pivot, target | min(2, s(its days with a new client)) |
//! | it had not relayed (opened a session while one into it was open) | pivot | 3 |
//! | it never relayed onward over this service (it relayed over others) | pivot | 2.5 |
//! | it never relayed to this server over this service | pivot | min(2, s(its relaying days with a new target)) |
//! | it never relayed for this inbound client | pivot | min(2, s(its relaying days with a new inbound client)) |
//! | the chain returns to a host already on it (cycle) | pivot | 1 |
//!
//! `s(n of m days)` is the surprise of something new for that host, in bits, from its own
//! record: −log2((n + 1) / (m + 2)) over its active days after its first in the window. An
//! automation host that reaches new servers every day scores ~0 for a new server; an admin who
//! has used the same three servers for weeks scores the cap. Every weight is scaled by
//! min(1, days of history / 7) (cold start), and with no history there are no history findings.

use chrono::{TimeZone, Timelike, Utc};
use serde::Serialize;

use super::history::Baseline;
use super::hops::Hop;

/// Days of history at which findings reach full weight.
pub const WARM_DAYS: usize = 7;

/// One reason a chain is unusual.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// How much it adds to the chain's score.
    pub weight: f64,
    /// The sentence shown to the analyst.
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
    /// A scorer over this baseline; fewer than `WARM_DAYS` days scale the weights down.
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

    /// What the client of `h` did by opening it.
    pub fn client_side(&self, h: &Hop) -> Vec<Finding> {
        let mut out = Vec::new();
        if self.b.days == 0 {
            return out;
        }
        let b = self.b;
        let (c, s, v) = (&h.client_addr, &h.server_addr, &h.service);
        if !b.client_days.contains_key(c) {
            self.push(
                &mut out,
                3.0,
                format!("{c} had not opened an admin session {}", self.span()),
            );
            return out;
        }
        if !b.client_services.contains(&(c.clone(), v.clone())) {
            let mut used: Vec<&str> =
                b.client_services.iter().filter(|(x, _)| x == c).map(|(_, v)| v.as_str()).collect();
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
                    "{c} → {s} {v}: {c} never reached {s} over {v} {} (it reached a new server on {} of {} active days)",
                    self.span(),
                    n.novel_days,
                    n.eligible_days
                ),
            );
        }
        out
    }

    /// What the origin of a chain did by opening its first hop `h`, and when.
    pub fn origin(&self, h: &Hop) -> Vec<Finding> {
        let mut out = self.client_side(h);
        let days = self.b.client_days.get(&h.client_addr).copied().unwrap_or(0);
        if self.b.days > 0 && days > 0 {
            self.time_of_week(&mut out, &h.client_addr, h.start_ms, days);
        }
        out
    }

    /// What the server of `h` saw by receiving it.
    pub fn server_side(&self, h: &Hop) -> Vec<Finding> {
        let mut out = Vec::new();
        if self.b.days == 0 {
            return out;
        }
        let b = self.b;
        let (c, s, v) = (&h.client_addr, &h.server_addr, &h.service);
        if !b.server_services.contains(&(s.clone(), v.clone())) {
            self.push(&mut out, 1.0, format!("{s} never received {v} {}", self.span()));
        }
        if b.server_days.contains_key(s) && !b.pairs.contains(&(c.clone(), s.clone(), v.clone())) {
            let n = b.server_new_clients.get(s).copied().unwrap_or_default();
            self.push(
                &mut out,
                n.surprise().min(2.0),
                format!(
                    "{c} → {s} {v}: {s} never had {v} from {c} {} (it got a new client on {} of {} active days)",
                    self.span(),
                    n.novel_days,
                    n.eligible_days
                ),
            );
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
        let weekend = super::history::is_weekend(t);
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

    /// What the pivot (`out_hop.client_addr`) did by relaying `into` onward as `out_hop`.
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
            self.new_target(&mut out, p, t, v);
        }
        if days > 0 && !b.pivot_inbound.contains(&(p.clone(), into.client_addr.clone())) {
            let n = b.pivot_new_inbound.get(p).copied().unwrap_or_default();
            self.push(
                &mut out,
                n.surprise().min(2.0),
                format!(
                    "{p} never relayed for {} {} (a new inbound client on {} of {} relaying days)",
                    into.client_addr,
                    self.span(),
                    n.novel_days,
                    n.eligible_days
                ),
            );
        }
        out
    }

    fn new_target(&self, out: &mut Vec<Finding>, p: &str, t: &str, v: &str) {
        let n = self.b.pivot_new_targets.get(p).copied().unwrap_or_default();
        self.push(
            out,
            n.surprise().min(2.0),
            format!(
                "{p} never relayed to {t} {v} {} (new targets on {} of {} relaying days)",
                self.span(),
                n.novel_days,
                n.eligible_days
            ),
        );
    }

    /// Score of a chain of `hops` (in path order), all its findings (strongest first) and the
    /// index of the deciding hop (the one the least routine host opened, or received for the
    /// target).
    pub fn chain(&self, hops: &[&Hop], cycle: bool) -> (f64, Vec<Finding>, usize) {
        let n = hops.len();
        // Parts by host: origin, pivots 1..n-1, target; with the hop each one decides.
        let mut parts: Vec<(Vec<Finding>, usize)> = Vec::new();
        parts.push((self.origin(hops[0]), 0));
        for k in 1..n {
            let mut part = self.server_side(hops[k - 1]);
            part.extend(self.link(hops[k - 1], hops[k], cycle && k + 1 == n));
            part.extend(self.client_side(hops[k]));
            parts.push((part, k));
        }
        parts.push((self.server_side(hops[n - 1]), n - 1));
        let (deciding, best) = parts
            .iter()
            .map(|(p, hop)| (*hop, p.iter().map(|f| f.weight).sum::<f64>()))
            .fold((0, 0.0), |acc, (i, w)| if w > acc.1 { (i, w) } else { acc });
        let mut all: Vec<Finding> =
            parts.into_iter().flat_map(|(p, _)| p).filter(|f| f.weight > 0.0).collect();
        all.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        all.dedup_by(|a, b| a.text == b.text);
        let score = best + 0.25 * (n.saturating_sub(2)) as f64;
        ((score * 100.0).round() / 100.0, all, deciding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pivot::history::{Baseline, DayFacts};
    use chrono::NaiveDate;

    fn weekday(ms: i64) -> String {
        Utc.timestamp_millis_opt(ms).single().unwrap_or_default().format("%A").to_string()
    }

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
        assert_eq!(score, 6.25, "S: 3 + 3, plus 0.25 for the third hop: {reasons:?}");
        assert!(reasons.iter().any(|r| r.text.starts_with("S had not opened an admin session")));
        // A new target over a service J never relayed: J's part decides.
        let h2b = hop("J", "T", "rdp", at(9, 10) + 60_000);
        let (score, reasons, deciding) = s.chain(&[&h1, &h2b], false);
        assert_eq!(deciding, 1);
        assert!(score >= 3.5, "{score} {reasons:?}");
        assert!(reasons.iter().any(|r| r.text.contains("never relayed onward over rdp")));
    }

    #[test]
    fn a_new_client_relayed_by_a_jump_host_with_a_stable_team_is_unusual() {
        let b = routine();
        let s = Scorer::new(&b);
        // W → J (J only ever served A) → S (routine for J).
        let (h1, h2) = (hop("W", "J", "ssh", at(9, 10)), hop("J", "S", "ssh", at(9, 10) + 60_000));
        let (score, reasons, deciding) = s.chain(&[&h1, &h2], false);
        assert_eq!(deciding, 1, "J's part: {reasons:?}");
        assert!(score >= 3.5, "{score} {reasons:?}");
        assert!(reasons.iter().any(|r| r.text.starts_with("J never relayed for W")), "{reasons:?}");
        assert!(reasons.iter().any(|r| r.text.contains("J never had ssh from W")), "{reasons:?}");
    }

    #[test]
    fn time_of_week_findings_need_a_history_of_the_client() {
        let b = routine();
        let s = Scorer::new(&b);
        // 2026-11-15 is a Sunday; 03:00 is far from 10:00.
        let h = hop("A", "J", "ssh", at(15, 3));
        assert_eq!(weekday(h.start_ms), "Sunday");
        let f = s.origin(&h);
        assert_eq!(f.len(), 1, "no weekend in the history yet: only the hour counts: {f:?}");
        assert!(f[0].text.contains("03:00 UTC, 7 hours from"), "{f:?}");
        assert_eq!(f[0].weight, 2.0);
        // An hour from the usual is no finding, two hours away is a weak one.
        assert!(s.origin(&hop("A", "J", "ssh", at(10, 11))).is_empty());
        assert_eq!(s.origin(&hop("A", "J", "ssh", at(10, 12)))[0].weight, 1.0);
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
        let f = s.client_side(&h1);
        assert_eq!(f[0].weight, (3.0f64 * 2.0 / 7.0 * 100.0).round() / 100.0);
    }
}
