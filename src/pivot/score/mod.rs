//! Rarity scoring: how unusual each host of a chain behaved, measured against the history
//! (`history::Baseline`) and tonight as a whole (`peers::Night`), with a sentence for every
//! finding.
//!
//! A chain's parts are its hosts, each with what it did in this chain: the origin opened the
//! first hop (when, and what it reached through the relays); a pivot received the inbound hop,
//! relayed, and opened the outbound hop; the target received the last hop. New pairs are judged
//! from each side's own record: a new server for a client that reaches new servers every day is
//! routine, a new client for a jump host that serves the same team for weeks is not. Every
//! finding is about one **novelty** (a new client of a host, a host relaying for the first time,
//! a new target or service of a host, an unusual time, a new kind of target reached): findings
//! about the same novelty seen from two sides (a relay's new inbound client is also its new
//! client) count once, at the larger weight. A part's score is the sum over its novelties; **a
//! chain is only as routine as its least routine host**: its score is the highest part score,
//! plus 0.25 per hop beyond two (a tie-breaker, never an alert by itself).
//!
//! Every finding, its novelty, the host it is about and its weight are tabled once, in the
//! README ("Incidents and alerts"); the functions below say which finding each computes.
//!
//! `s(n of m days)` is the surprise of something new for that host, in bits, from its own
//! record: −log2((n + 1) / (m + 2)) over its active days after its first in the window. An
//! automation host that reaches new servers every day scores ~0 for a new server; an admin who
//! has used the same three servers for weeks scores the cap. `g` adds the surprise of a new
//! **kind** of server (network group and service, `history::kind`) among the host's days with a
//! new server, at most 1.5: a new server next to the ones a host always reaches adds nothing.
//!
//! Support from the night (`peers`): a new host that is the twin of a known one (a
//! replacement) has its new-host findings weighed at a quarter; a new client among the relay's
//! regular clients' group that reached only the relay's routine targets at a half; an unusual
//! time that `peers::SHARED_TIME` other origins share (or, outside the night's working day, a
//! team's window into the same relay: `Night::shared_time`) at a half. Every weight is scaled by
//! min(1, days of history / 7) (cold start), and with no history there are no history findings.

pub mod incident;
pub mod model;
pub mod peers;

use chrono::{TimeZone, Timelike, Utc};
use serde::Serialize;

use crate::pivot::history::{Baseline, Novelty, group, kind};
use crate::pivot::hops::{Hop, Unlinked, unlinked};
use peers::{Night, Support};

/// Days of history at which findings reach full weight.
pub const WARM_DAYS: usize = 7;

/// What a finding is about: findings with the same novelty count once in a part, and a night's
/// chains decided by the same novelty are one incident.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct About {
    /// `new client`, `new relay`, `new service`, `new target`, `new server`, `time`, `reach`,
    /// `cycle`.
    pub kind: &'static str,
    /// The host whose behaviour is new (the new client, the relay, the origin).
    pub host: String,
    /// What it is new towards (the target, the service), when that is part of it.
    pub other: String,
}

/// One reason a chain is unusual.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// How much it adds to the chain's score.
    pub weight: f64,
    /// The sentence shown to the analyst.
    pub text: String,
    /// The novelty it is about.
    #[serde(skip)]
    pub about: About,
}

/// The score of one chain and what decided it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChainScore {
    /// The chain's score.
    pub score: f64,
    /// Every finding with a weight, strongest first, each sentence once.
    pub findings: Vec<Finding>,
    /// Index (in path order) of the deciding hop: the one the least routine host opened, or
    /// received for the target.
    pub deciding: usize,
    /// The novelty that weighs most in the deciding part (none for a routine chain).
    pub novelty: Option<About>,
    /// The origin's own part: its score and findings (how its own history judges it).
    pub origin_score: f64,
    /// The origin part's findings.
    pub origin_findings: Vec<Finding>,
}

/// Scores chains against a baseline and the night.
pub struct Scorer<'a> {
    b: &'a Baseline,
    night: &'a Night,
    conf: f64,
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 { format!("{n} {one}") } else { format!("{n} {one}s") }
}

fn about(kind: &'static str, host: &str, other: &str) -> About {
    About { kind, host: host.to_string(), other: other.to_string() }
}

/// Extra surprise of a new kind among a host's days with something new (at most 1.5).
fn kind_surprise(n: Option<&Novelty>) -> f64 {
    n.copied().unwrap_or_default().surprise().min(1.5)
}

/// Weight of "never used this service" for a host with `days` active days in that role: the
/// surprise of a first use after that many days, log2(days + 2), at most 4.
fn service_weight(days: u32) -> f64 {
    (f64::from(days) + 2.0).log2().min(4.0)
}

/// Confidence in a host's own record of `days` active days: new pairs of a host seen on one
/// or two days say little (it is still showing what it does), from `WARM_HOST_DAYS` on full.
fn warm(days: u32) -> f64 {
    (f64::from(days) / WARM_HOST_DAYS).min(1.0)
}

/// Days a relay must have opened sessions over a service itself for a short session of its
/// over that service (under two minutes) to count as possibly its own work.
pub const OWN_DAYS: u32 = 1;

/// Cap on a relay's surprise at a new target (bits).
pub const PAIR_CAP: f64 = 4.0;

/// Weight of the finding that names a recognized routine change (never an alert by itself).
pub const CHANGE_WEIGHT: f64 = 0.05;

/// Weight of "it had not relayed", under the alert threshold alone: a first relay alerts with a
/// second finding (a new target, a new client, an unusual origin). 3.5 (an alert by itself) was
/// tried on 2026-12-08: no change on 54 tuning networks and the 15 of `FRESH=1`, two more noise
/// incidents on twelve fresher ones (a build agent whose relaying the history had never seen).
pub const NEW_RELAY_WEIGHT: f64 = 3.0;

/// Known clients from which a relay is a shared jump host: a first session to it is a
/// weaker novelty (the team's other jump host, a new bastion everyone moves to).
pub const SHARED_RELAY: usize = 5;

/// Active days from which a host's own record weighs fully.
pub const WARM_HOST_DAYS: f64 = 3.0;

/// Sum over novelties of the largest weight each.
fn part_score(findings: &[Finding]) -> f64 {
    let mut best: std::collections::BTreeMap<&About, f64> = std::collections::BTreeMap::new();
    for f in findings {
        let w = best.entry(&f.about).or_default();
        *w = w.max(f.weight);
    }
    best.values().sum()
}

impl<'a> Scorer<'a> {
    /// A scorer over this baseline and night; fewer than `WARM_DAYS` days scale the weights down.
    pub fn new(b: &'a Baseline, night: &'a Night) -> Self {
        let conf = (b.days as f64 / WARM_DAYS as f64).min(1.0);
        Scorer { b, night, conf }
    }

    fn span(&self) -> String {
        format!("in {} of history", plural(self.b.days, "day"))
    }

    fn push(&self, out: &mut Vec<Finding>, weight: f64, text: String, about: About) {
        out.push(Finding { weight: (weight * self.conf * 100.0).round() / 100.0, text, about });
    }

    /// Weigh the findings of a part by the night's support, adding the sentence that says why:
    /// a new host that is a twin (a quarter) or joins its peers' group (a half), a brand-new
    /// server reached through usual relays (a half; a quarter when two origins or more reach it
    /// tonight), a new target of `origin` that its peers reach routinely (a half).
    fn discount(&self, part: &mut Vec<Finding>, origin: &str) {
        let mut notes: Vec<String> = Vec::new();
        for f in part.iter_mut() {
            let (mut factor, mut note) = (1.0, None);
            let a = &f.about;
            // What a new or young host did (its first hops, what it reached, the way it came into
            // a relay) weighs by the same support as the host itself.
            let subject = match a.kind {
                "new client" | "new relay" | "new server" | "reach" => Some(a.host.as_str()),
                _ => None,
            };
            if let Some(host) = subject {
                let support = self.night.clients.get(host).or_else(|| self.night.relays.get(host));
                if let Some(s) = support {
                    factor = match s {
                        Support::Twin { .. } => 0.25,
                        Support::Peers { .. } => 0.5,
                    };
                    note = Some(s.describe(host));
                }
            }
            let target = match a.kind {
                "new target" | "reach" => Some(&a.other),
                "new server" => Some(&a.host),
                _ => None,
            };
            if let Some(&n) = target.and_then(|t| self.night.fresh.get(t)) {
                let fr = if n >= 2 { 0.25 } else { 0.5 };
                if fr < factor {
                    factor = fr;
                    note = Some(format!(
                        "{} is a new server (no admin session to or from it {}), reached through usual relays by {} tonight: commissioned?",
                        target.map_or("", |t| t.as_str()),
                        self.span(),
                        plural(n, "origin")
                    ));
                }
            }
            if a.kind == "new target" && a.host == origin && factor > 0.5 {
                let users = self.b.clients_of.get(&a.other).map_or(0, Vec::len);
                if users >= SHARED_RELAY && self.days_of(&self.b.pivot_days, &a.other) > 0 {
                    factor = 0.5;
                    note =
                        Some(format!("{} is a jump host that {users} known clients use", a.other));
                }
            }
            if a.kind == "new target" && a.host == origin && factor > 0.5 {
                let co = self.night.co_clients(self.b, &a.host, &a.other);
                if !co.is_empty() {
                    factor = 0.5;
                    note = Some(format!(
                        "hosts that share {}'s servers reach {} routinely ({})",
                        a.host,
                        a.other,
                        co.join(", ")
                    ));
                }
            }
            if factor < 1.0 {
                f.weight = (f.weight * factor * 100.0).round() / 100.0;
                if let Some(n) = note
                    && !notes.contains(&n)
                {
                    notes.push(n);
                }
            }
        }
        for text in notes {
            part.push(Finding { weight: 0.0, text, about: about("support", origin, "") });
        }
    }

    /// `h`, then the known host it is a twin of (`Night::twin`).
    fn selves<'s>(&'s self, h: &'s str) -> impl Iterator<Item = &'s str> + 's {
        std::iter::once(h).chain(self.night.twin(h))
    }

    /// Active days of `h` (or of its twin, if more) in `map`.
    fn days_of(&self, map: &hashbrown::HashMap<String, u32>, h: &str) -> u32 {
        self.selves(h).map(|x| map.get(x).copied().unwrap_or(0)).max().unwrap_or(0)
    }

    /// The novelty record of `h`, or of its twin when that one is longer.
    fn novelty_of(&self, map: &hashbrown::HashMap<String, Novelty>, h: &str) -> Novelty {
        self.selves(h)
            .filter_map(|x| map.get(x).copied())
            .max_by_key(|n| n.eligible_days)
            .unwrap_or_default()
    }

    /// Everything `h` (or its twin) is paired with in `set`, sorted.
    fn listed(&self, list: usize, h: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .selves(h)
            .filter_map(|x| self.b.service_lists[list].get(x))
            .flatten()
            .cloned()
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// `(h, v)` in `set`, for `h` or its twin.
    fn has2(&self, set: &hashbrown::HashSet<(String, String)>, h: &str, v: &str) -> bool {
        self.selves(h).any(|x| set.contains(&(x.to_string(), v.to_string())))
    }

    /// `(h, a, v)` in `set`, for `h` or its twin.
    fn has3(
        &self,
        set: &hashbrown::HashSet<(String, String, String)>,
        h: &str,
        a: &str,
        v: &str,
    ) -> bool {
        self.selves(h).any(|x| set.contains(&(x.to_string(), a.to_string(), v.to_string())))
    }

    /// Does another relay that `c` uses relay `v_in` onward over `v` for a session alone (the
    /// way `c` works elsewhere)?
    fn origin_relays_pattern(&self, c: &str, v_in: &str, v: &str) -> bool {
        self.selves(c).any(|x| {
            self.b.servers_of.get(x).is_some_and(|servers| {
                servers.iter().any(|r| self.has3(&self.b.relay_patterns, r, v_in, v))
            })
        })
    }

    /// Has `c` reached `s` over `v` in the history, counting a twin as the host it replaces?
    fn known_pair(&self, c: &str, s: &str, v: &str) -> bool {
        let has = |c: &str, s: &str| {
            self.b.pairs.contains(&(c.to_string(), s.to_string(), v.to_string()))
        };
        has(c, s)
            || self.night.twin(s).is_some_and(|y| has(c, y))
            || self.night.twin(c).is_some_and(|y| has(y, s))
    }

    /// What the client of `h` did by opening it.
    pub fn client_side(&self, h: &Hop) -> Vec<Finding> {
        let mut out = Vec::new();
        if self.b.days == 0 {
            return out;
        }
        let b = self.b;
        let (c, s, v) = (&h.client_addr, &h.server_addr, &h.service);
        if self.days_of(&b.client_days, c) == 0 {
            self.push(
                &mut out,
                3.0,
                format!("{c} had not opened an admin session {}", self.span()),
                about("new client", c, ""),
            );
            return out;
        }
        let days = self.days_of(&b.client_days, c);
        if !self.has2(&b.client_services, c, v) {
            let used = self.listed(0, c);
            self.push(
                &mut out,
                service_weight(days),
                format!(
                    "{c} never used {v} as a client {} (used {})",
                    self.span(),
                    used.join(", ")
                ),
                about("new service", c, v),
            );
        }
        if !self.known_pair(c, s, v) {
            let n = self.novelty_of(&b.client_new_pairs, c);
            let k = kind(s, v);
            let new_kind = !self.has2(&b.client_groups, c, &k);
            let g = if new_kind {
                kind_surprise(Some(&self.novelty_of(&b.client_new_groups, c)))
            } else {
                0.0
            };
            self.push(
                &mut out,
                (n.surprise().min(2.0) + g) * warm(days),
                format!(
                    "{c} → {s} {v}: {c} never reached {s} over {v} {} (it reached a new server on {} of {} active days){}",
                    self.span(),
                    n.novel_days,
                    n.eligible_days,
                    if new_kind { format!("; nor any {k} before") } else { String::new() }
                ),
                about("new target", c, s),
            );
        }
        out
    }

    /// What the origin of a chain did by opening its first hop (`path[0]`), when, and what it
    /// reached through the relays.
    pub fn origin(&self, path: &[&Hop]) -> Vec<Finding> {
        let h = path[0];
        let mut out = self.client_side(h);
        self.peers_use_service(&mut out, h);
        let days = self.days_of(&self.b.client_days, &h.client_addr);
        if self.b.days > 0 && days > 0 {
            self.time_of_week(&mut out, h, days);
            self.reach(&mut out, path);
        }
        out
    }

    /// An origin that never used the first hop's service as a client, to a server that hosts
    /// sharing its jump hosts reach over that service routinely (a move to another team's
    /// work, a tool its peers use): the finding weighs half, and says so.
    fn peers_use_service(&self, out: &mut Vec<Finding>, h: &Hop) {
        let (c, s, v) = (&h.client_addr, &h.server_addr, &h.service);
        let Some(k) = out.iter().position(|f| f.about.kind == "new service" && f.about.host == *c)
        else {
            return;
        };
        let b = self.b;
        let peers = self.night.co_clients_where(b, c, |x| {
            b.pairs.contains(&(x.to_string(), s.to_string(), v.to_string()))
        });
        if peers.is_empty() {
            return;
        }
        out[k].weight = (out[k].weight * 0.5 * 100.0).round() / 100.0;
        self.push(
            out,
            0.0,
            format!(
                "hosts that share {c}'s jump hosts reach {s} over {v} routinely ({})",
                peers.join(", ")
            ),
            about("support", c, ""),
        );
    }

    /// What the origin reached through the relays, judged from its own record of reaching
    /// things through relays (none: no finding).
    fn reach(&self, out: &mut Vec<Finding>, path: &[&Hop]) {
        let b = self.b;
        let o = &path[0].client_addr;
        let days = self.days_of(&b.reach_days, o);
        let mut best: Option<Finding> = None;
        // Beyond a hop that may be its relay's own work, nothing was reached through the relays.
        let reached = (1..path.len())
            .take_while(|&k| self.coincidence(path[k - 1], path[k]).is_none())
            .count();
        for (k, h) in path.iter().enumerate().skip(1).take(reached) {
            let (t, v) = (&h.server_addr, &h.service);
            if t == o || self.has3(&b.reach, o, t, v) {
                continue;
            }
            // The chain's own session into the relay: its start tells, on a relay used
            // ProxyJump-style, which other sessions can still have led to the hop.
            let own_start = path[k - 1].start_ms;
            let explained = self.night.explainer(b, o, h, own_start);
            // When the origin was the only session into the relay (the hop is its own), what it
            // ever opened as a client counts too: an ssh-only admin relaying rdp.
            let alone = self.night.only_parent(o, h);
            // Never even a possible parent of a session out over `v` (ambiguous ones included).
            let never = !self.has2(&b.reach_any_services, o, v);
            let as_client = alone && never && !self.has2(&b.client_services, o, v);
            if days == 0 && !as_client {
                continue;
            }
            let (w, text) = if !self.has2(&b.reach_services, o, v) && (never || days > 0) {
                let (ws, ts) = self.new_service_reached(h, o, days, never, as_client);
                // A new server too: a second novelty, as on a first hop (service, server).
                if days > 0 && !self.has2(&b.reach_any, o, t) {
                    let (wt, tt) = self.new_target_reached(h, o, days);
                    (ws + wt, format!("{ts}; {tt}"))
                } else {
                    (ws, ts)
                }
            } else if days == 0 {
                continue;
            } else {
                let (w, clause) = self.new_target_reached(h, o, days);
                (w, format!("{o} reached {t} {v} through {}; {clause}", h.client_addr))
            };
            // Another session into the relay at the time explains the hop routinely, or
            // makes it less unusual than it is for `o`: flows cannot tell which session led
            // on, so the hop is only as unusual as for its least surprising possible parent.
            let (w, text) = match (explained, self.likelier_parent(o, h, own_start)) {
                (Some((x, why)), _) => (
                    w * 0.25,
                    format!("{text}; but {x} was also in {} at the time: {why}", h.client_addr),
                ),
                (None, Some((x, wx))) if wx < w => (
                    wx.max(w * 0.25),
                    format!(
                        "{text}; but {x} was also in {} at the time, for which it is less unusual",
                        h.client_addr
                    ),
                ),
                (None, _) => (w, text),
            };
            if best.as_ref().is_none_or(|f| w > f.weight) {
                best = Some(Finding { weight: w, text, about: about("reach", o, t) });
            }
        }
        if let Some(f) = best {
            self.push(out, f.weight, f.text, f.about);
        }
    }

    /// Among the other possible parents of hop `h` (sessions into its relay at the time that
    /// can have led to it), the one for which reaching its target that way is least unusual,
    /// and how unusual (before the history's confidence): 0 when it reached the target
    /// before, its surprise at a new server when it uses the service, at a new service when
    /// it does not, 3 for a host without history.
    fn likelier_parent(&self, o: &str, h: &Hop, own_start: i64) -> Option<(String, f64)> {
        let b = self.b;
        let (t, v) = (&h.server_addr, &h.service);
        let mut best: Option<(String, f64)> = None;
        for (x, _, _) in self.night.other_parents(b, o, h, own_start) {
            let client_days = self.days_of(&b.client_days, x);
            let days = self.days_of(&b.reach_days, x);
            let w = if self.known_pair(x, t, v) || self.has3(&b.reach, x, t, v) {
                0.0
            } else if client_days == 0 {
                3.0
            } else if self.has2(&b.reach_services, x, v) || self.has2(&b.client_services, x, v) {
                if days > 0 {
                    self.new_target_reached(h, x, days).0
                } else {
                    self.novelty_of(&b.client_new_pairs, x).surprise().min(2.0) * warm(client_days)
                }
            } else {
                service_weight(days.max(client_days))
            };
            if best.as_ref().is_none_or(|(_, bw)| w < *bw) {
                best = Some((x.clone(), w));
            }
        }
        best
    }

    /// The finding "`o` never reached anything over this service through a relay" for hop `h`
    /// (`never`: not even as one of several possible parents; `as_client`: it was the only
    /// session into the relay and never opened the service itself either).
    fn new_service_reached(
        &self,
        h: &Hop,
        o: &str,
        days: u32,
        never: bool,
        as_client: bool,
    ) -> (f64, String) {
        let b = self.b;
        let (t, v) = (&h.server_addr, &h.service);
        // Possibly reached over `v` before, in continuations with several possible
        // parents: the claim "never" is uncertain, half.
        let uncertain = if never { 1.0 } else { 0.5 };
        let used = self.listed(2, o);

        // Never a client over this service either (or alone in the relay): every day it
        // opened sessions (none over this service) is one observation.
        let w = if as_client || !self.has2(&b.client_services, o, v) {
            service_weight(days.max(self.days_of(&b.client_days, o)))
        } else {
            service_weight(days)
        };
        (
            w * uncertain,
            format!(
                "{o} reached {t} over {v} through {}; it never reached anything over {v} through a relay {}{}{}{}{}",
                h.client_addr,
                self.span(),
                // Nothing at all when it never was the only session into a relay that went on.
                if used.is_empty() {
                    String::new()
                } else {
                    format!(" (it reached {})", used.join(", "))
                },
                if as_client {
                    format!(
                        ", and it was the only session into {}, never a {v} client itself",
                        h.client_addr
                    )
                } else {
                    String::new()
                },
                if self.has2(&b.reach_group_any, o, &group(t)) {
                    String::new()
                } else {
                    format!(", nor anything in {}", group(t))
                },
                if never {
                    ""
                } else {
                    " (though it was one of several sessions into a relay when one went out over it)"
                }
            ),
        )
    }

    /// The finding "`o` never reached this target through a relay", weighed by how often it
    /// reaches new targets.
    /// (The sentence's clause "it never reached … through a relay", without who reached what.)
    fn new_target_reached(&self, h: &Hop, o: &str, days: u32) -> (f64, String) {
        let t = &h.server_addr;
        let n = self.novelty_of(&self.b.reach_new_targets, o);
        (
            n.surprise().min(2.0) * warm(days),
            format!(
                "it never reached {t} through a relay {} (a new target on {} of {} such days)",
                self.span(),
                n.novel_days,
                n.eligible_days,
            ),
        )
    }

    /// What the server of `h` saw by receiving it.
    pub fn server_side(&self, h: &Hop) -> Vec<Finding> {
        let mut out = Vec::new();
        if self.b.days == 0 {
            return out;
        }
        let b = self.b;
        let (c, s, v) = (&h.client_addr, &h.server_addr, &h.service);
        if !self.has2(&b.server_services, s, v) {
            self.push(
                &mut out,
                1.0,
                format!("{s} never received {v} {}", self.span()),
                about("new server", s, v),
            );
        }
        let days = self.days_of(&b.server_days, s);
        if days > 0 && !self.known_pair(c, s, v) {
            let n = self.novelty_of(&b.server_new_clients, s);
            self.push(
                &mut out,
                n.surprise().min(2.0) * warm(days),
                format!(
                    "{c} → {s} {v}: {s} never had {v} from {c} {} (it got a new client on {} of {} active days)",
                    self.span(),
                    n.novel_days,
                    n.eligible_days
                ),
                about("new client", c, s),
            );
        }
        out
    }

    /// When the origin of a chain started it: hours away from any hour it ever started an admin
    /// session in, and a weekend when it never worked on one.
    fn time_of_week(&self, out: &mut Vec<Finding>, first: &Hop, days: u32) {
        let (b, c, start_ms) = (self.b, first.client_addr.as_str(), first.start_ms);
        let t = Utc.timestamp_millis_opt(start_ms).single().unwrap_or_default();
        let hour = t.hour() as i32;
        let mask = self.selves(c).fold(0, |m, x| m | b.client_hours.get(x).copied().unwrap_or(0));
        let away = (0..24)
            .filter(|h| mask & (1 << h) != 0)
            .map(|h: i32| (h - hour).rem_euclid(24).min((hour - h).rem_euclid(24)))
            .min()
            .unwrap_or(0);
        let (factor, note) = match self.night.shared_time(c, &first.server_addr, start_ms) {
            Some(n) => (0.5, format!("; {n} other origins started at such a time tonight")),
            None => (1.0, String::new()),
        };
        self.unusual_hour(out, c, t, (away, days), (factor, &note));
        self.weekend_work(out, c, t, away, factor, note);
    }

    /// The finding "`c` started at an hour two or more hours from any it ever started an admin
    /// session" (`away` hours), weighed by its days and sessions, times `factor` (half when
    /// other origins started at such an hour tonight, which `note` says).
    fn unusual_hour(
        &self,
        out: &mut Vec<Finding>,
        c: &str,
        t: chrono::DateTime<Utc>,
        (away, days): (i32, u32),
        (factor, note): (f64, &str),
    ) {
        let b = self.b;
        if away >= 2 {
            // 0.6 per hour away: 1.2 at two hours, 2.4 at four, 3.5 from six hours on; full
            // weight from 5 active days.
            let sessions: i64 = self
                .selves(c)
                .map(|x| b.client_sessions.get(x).copied().unwrap_or(0))
                .max()
                .unwrap_or(0);
            let w = (0.6 * f64::from(away)).min(3.5)
                * (f64::from(days) / 5.0).min(1.0)
                * (sessions as f64 / 10.0).min(1.0);
            // In the network's zone when it has one (`--timezone`), with the UTC time the
            // history's hours are counted in.
            let at = if b.zone == chrono_tz::Tz::UTC {
                format!("{} UTC", t.format("%H:%M"))
            } else {
                let local = t.with_timezone(&b.zone).format("%H:%M");
                format!("{local} in {} ({} UTC)", b.zone.name(), t.format("%H:%M"))
            };
            self.push(
                out,
                w * factor,
                format!(
                    "{c} started it at {at}, {away} hours from any hour it started an admin session on its {} with them{note}",
                    plural(days as usize, "day")
                ),
                about("time", c, ""),
            );
        }
    }

    /// The finding "`c` started it on a weekend day" judged by the share of weekend days it
    /// worked, halved when colleagues sharing its servers work weekends at its usual hours.
    fn weekend_work(
        &self,
        out: &mut Vec<Finding>,
        c: &str,
        t: chrono::DateTime<Utc>,
        away: i32,
        factor: f64,
        note: String,
    ) {
        let b = self.b;
        let t = t.with_timezone(&b.zone);
        let weekend = crate::pivot::history::is_weekend(t);
        let worked = self
            .selves(c)
            .map(|x| b.client_weekend_days.get(x).copied().unwrap_or(0))
            .max()
            .unwrap_or(0);
        if weekend && b.weekend_days > 0 && (worked as usize) < b.weekend_days {
            // Surprise of weekend work seen on k of the w weekend days: −log2((k + 1)/(w + 2)),
            // at most 2 (k = 0: log2(w + 2), never worked one).
            let w = -((f64::from(worked) + 1.0) / (b.weekend_days as f64 + 2.0)).log2();
            let w = w.min(2.0);
            // Weekend work at its usual hours that colleagues also do at weekends (on call).
            let team = if away >= 2 {
                Vec::new()
            } else {
                self.night.co_clients_where(b, c, |x| b.client_weekend.contains(x))
            };
            let (factor, note) = if team.is_empty() {
                (factor, note)
            } else {
                (
                    0.5 * factor,
                    format!(
                        "{note}; hosts sharing its servers work at weekends ({})",
                        team.join(", ")
                    ),
                )
            };
            self.push(
                out,
                w * factor,
                if worked == 0 {
                    format!(
                        "{c} started it on a {}; it had no admin session on the {} in the history{note}",
                        t.format("%A"),
                        plural(b.weekend_days, "weekend day")
                    )
                } else {
                    format!(
                        "{c} started it on a {}; it had admin sessions on {worked} of the {} in the history{note}",
                        t.format("%A"),
                        plural(b.weekend_days, "weekend day")
                    )
                },
                about("weekend", c, ""),
            );
        }
    }

    /// What the pivot (`out_hop.client_addr`) did by relaying `into` onward as `out_hop`.
    pub fn link(&self, into: &Hop, out_hop: &Hop, closes_cycle: bool) -> Vec<Finding> {
        let mut out = Vec::new();
        let (p, t, v) = (&out_hop.client_addr, &out_hop.server_addr, &out_hop.service);
        if closes_cycle {
            out.push(Finding {
                weight: 1.0,
                text: format!("{p} → {t} returns to a host already on the chain"),
                about: about("cycle", p, t),
            });
        }
        if self.b.days == 0 {
            return out;
        }
        let b = self.b;
        let days = self.days_of(&b.pivot_days, p);
        if days == 0 {
            self.push(
                &mut out,
                NEW_RELAY_WEIGHT,
                format!(
                    "{p} relayed ({} in from {} while {v} out to {t}) and had not relayed {}",
                    into.service,
                    into.client_addr,
                    self.span()
                ),
                about("new relay", p, ""),
            );
        } else if !self.has2(&b.pivot_services, p, v) {
            let used = self.listed(1, p);
            self.push(
                &mut out,
                service_weight(days),
                format!(
                    "{p} never relayed onward over {v} {} (relayed over {})",
                    self.span(),
                    used.join(", ")
                ),
                about("new service", p, v),
            );
        } else if let Some(f) = self.pattern(into, out_hop) {
            out.push(f);
        }
        if days > 0 && self.has2(&b.pivot_services, p, v) && !self.has3(&b.pivot_targets, p, t, v) {
            self.relay_new_target(&mut out, out_hop, days);
        }
        if days > 0 && !self.selves(&into.client_addr).any(|c| self.has2(&b.pivot_inbound, p, c)) {
            self.relay_new_client(&mut out, into, p, days);
        }
        out
    }

    /// The finding "relay `p` never relayed to this target over this service": the relay's
    /// own surprise at a new target plus half the target's at a new client.
    fn relay_new_target(&self, out: &mut Vec<Finding>, out_hop: &Hop, days: u32) {
        let b = self.b;
        let (p, t, v) = (&out_hop.client_addr, &out_hop.server_addr, &out_hop.service);
        // The relay's own surprise at a new target, and half the target's at a new client
        // (a server with a steady set of clients that never had this relay): a stable relay
        // reaching an established server it never reached is a target never reached from
        // it; a relay that reaches new servers daily, or a brand-new server, is not.
        let n = self.novelty_of(&b.pivot_new_targets, p);
        let tn = self.novelty_of(&b.server_new_clients, t);
        let t_days = self.days_of(&b.server_days, t);
        let target_side = if t_days > 0 && !self.known_pair(p, t, v) {
            (0.5 * tn.surprise()).min(1.5) * warm(t_days)
        } else {
            0.0
        };
        self.push(
            out,
            n.surprise().min(PAIR_CAP) * warm(days) + target_side,
            format!(
                "{p} never relayed to {t} {v} {} (new targets on {} of {} relaying days; {t} got a new client on {} of {} active days)",
                self.span(),
                n.novel_days,
                n.eligible_days,
                tn.novel_days,
                tn.eligible_days
            ),
            about("new target", p, t),
        );
    }

    /// The finding "relay `p` never relayed for this inbound client".
    fn relay_new_client(&self, out: &mut Vec<Finding>, into: &Hop, p: &str, days: u32) {
        let b = self.b;
        let n = self.novelty_of(&b.pivot_new_inbound, p);
        self.push(
            out,
            n.surprise().min(2.0) * warm(days),
            format!(
                "{p} never relayed for {} {} (a new inbound client on {} of {} relaying days)",
                into.client_addr,
                self.span(),
                n.novel_days,
                n.eligible_days
            ),
            about("new client", &into.client_addr, p),
        );
    }

    /// The relay of `out_hop` relayed a session that came in over `into.service` onward over
    /// `out_hop.service`, which it never did for a session alone (it relayed both services,
    /// but never this way round), and no other session into it at the time explains it.
    fn pattern(&self, into: &Hop, out_hop: &Hop) -> Option<Finding> {
        let b = self.b;
        let (p, v_in, v) = (&out_hop.client_addr, &into.service, &out_hop.service);
        let alone = self
            .selves(p)
            .filter_map(|x| b.pattern_count.get(&(x.to_string(), v.clone())).copied())
            .max()?;
        if self.has3(&b.relay_patterns, p, v_in, v)
            || self.has2(&b.reach_services, &into.client_addr, v)
            || self.has3(&b.reach, &into.client_addr, &out_hop.server_addr, v)
            || self.origin_relays_pattern(&into.client_addr, v_in, v)
        {
            return None;
        }
        if self.night.explainer(b, &into.client_addr, out_hop, into.start_ms).is_some() {
            return None;
        }
        let mut usual: Vec<String> = b
            .relay_patterns
            .iter()
            .filter(|(x, _, _)| self.selves(p).any(|s| s == x))
            .map(|(_, a, o)| format!("{a} → {o}"))
            .collect();
        usual.sort_unstable();
        usual.dedup();
        // Each continuation out over `v` with one possible parent is one observation of what a
        // lone session is relayed as. A new or young inbound client's ways are not known yet.
        let young = match self.night.clients.get(&into.client_addr) {
            Some(Support::Twin { .. }) => 0.25,
            Some(Support::Peers { .. }) => 0.5,
            None => 1.0,
        };
        // Never `v_in → v` in `alone` observations is only as surprising as `v_in` sessions
        // are common among the lone sessions it relays: had none come in over `v_in`, the
        // absence says nothing (the novelty is the `v_in` session itself).
        let (ins, total) = self
            .selves(p)
            .map(|x| {
                let ins = b.pattern_in_count.get(&(x.to_string(), v_in.clone())).copied();
                (ins.unwrap_or(0), b.pattern_total.get(x).copied().unwrap_or(0))
            })
            .max_by_key(|&(_, t)| t)
            .unwrap_or((0, 0));
        let share = if total > 0 { ins as f64 / total as f64 } else { 1.0 };
        let w = (alone as f64 * share + 2.0).log2().min(4.0) * young;
        Some(Finding {
            weight: (w * self.conf * 100.0).round() / 100.0,
            text: format!(
                "{p} relayed a {v_in} session from {} onward over {v} to {}; it never did that for a session alone {} ({alone} {v} sessions out for one session alone, {}% of the lone sessions it relayed came in over {v_in}; it relays {}), and no other session into it at the time explains it",
                into.client_addr,
                out_hop.server_addr,
                self.span(),
                (share * 100.0).round(),
                usual.join(", ")
            ),
            about: about("pattern", p, &format!("{v_in} → {v}")),
        })
    }

    /// Why `out_hop` may be its relay's own work rather than a continuation of `into`: the
    /// session in was thin and the next one outlived it; the next one outlived it by more than
    /// twice its length (and five minutes); or the next one is short and thin, of the kind the
    /// relay opens itself every few days (`OWN_DAYS`).
    fn coincidence(&self, into: &Hop, out_hop: &Hop) -> Option<String> {
        let (p, v) = (&out_hop.client_addr, &out_hop.service);
        match unlinked(into, out_hop) {
            Some(Unlinked::Thin { outlived }) => {
                return Some(format!(
                    "the session into {p} was short ({} packets in, {} s) and {p} → {} outlived it by {} s: perhaps unrelated",
                    into.packets_c2s,
                    (into.end_ms - into.start_ms) / 1000,
                    out_hop.server_addr,
                    outlived / 1000
                ));
            }
            Some(Unlinked::Outlived { outlived, len }) => {
                return Some(format!(
                    "{p} → {} outlived the session into {p} by {} s (that one lasted {} s): perhaps unrelated",
                    out_hop.server_addr,
                    outlived / 1000,
                    len / 1000
                ));
            }
            None => {}
        }
        let own = self
            .selves(p)
            .map(|x| {
                self.b.client_service_days.get(&(x.to_string(), v.clone())).copied().unwrap_or(0)
            })
            .max()
            .unwrap_or(0);
        if own >= OWN_DAYS && out_hop.end_ms - out_hop.start_ms < 120_000 {
            return Some(format!(
                "{p} → {} was short ({} packets, {} s), and {p} opens {v} sessions itself (on {own} days): perhaps unrelated",
                out_hop.server_addr,
                out_hop.packets_c2s,
                (out_hop.end_ms - out_hop.start_ms) / 1000
            ));
        }
        None
    }

    /// Score of a chain of `hops` (in path order), all its findings (strongest first), the
    /// deciding hop and novelty, and how the origin's own record judges it.
    pub fn chain(&self, hops: &[&Hop], cycle: bool) -> ChainScore {
        let n = hops.len();
        // Parts by host: origin, pivots 1..n-1, target; with the hop each one decides.
        let origin = &hops[0].client_addr;
        let mut parts: Vec<(Vec<Finding>, usize)> = Vec::new();
        parts.push((self.origin(hops), 0));
        for k in 1..n {
            let mut part = self.server_side(hops[k - 1]);
            part.extend(self.link(hops[k - 1], hops[k], cycle && k + 1 == n));
            part.extend(self.client_side(hops[k]));
            parts.push((part, k));
        }
        parts.push((self.server_side(hops[n - 1]), n - 1));
        // How the first relay relayed the origin's session and what the origin reached are two
        // records of one event (the origin doing something new through the relay): one part.
        if n > 1 {
            let (moved, kept): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut parts[1].0)
                .into_iter()
                .partition(|f| f.about.kind == "pattern");
            parts[1].0 = kept;
            parts[0].0.extend(moved);
        }
        for (part, _) in &mut parts {
            self.discount(part, origin);
        }
        self.name_changes(&mut parts, hops);
        self.halve_coincidences(&mut parts, hops);
        let scored: Vec<f64> = parts.iter().map(|(p, _)| part_score(p)).collect();
        let best_part =
            (0..parts.len()).fold(0, |acc, i| if scored[i] > scored[acc] { i } else { acc });
        let best = scored[best_part];
        let novelty = parts[best_part]
            .0
            .iter()
            .filter(|f| f.weight > 0.0)
            .max_by(|a, b| a.weight.total_cmp(&b.weight).then(b.about.cmp(&a.about)))
            .map(|f| f.about.clone());
        let origin_score = (scored[0] * 100.0).round() / 100.0;
        let mut origin_findings: Vec<Finding> =
            parts[0].0.iter().filter(|f| f.weight > 0.0).cloned().collect();
        origin_findings.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        let deciding = parts[best_part].1;
        let mut all: Vec<Finding> = parts
            .into_iter()
            .flat_map(|(p, _)| p)
            .filter(|f| f.weight > 0.0 || f.about.kind == "support")
            .collect();
        all.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        let mut seen = std::collections::HashSet::new();
        all.retain(|f| seen.insert(f.text.clone()));
        let score = if best > 0.0 {
            best + 0.25 * (n.saturating_sub(2)) as f64
        } else {
            0.25 * (n.saturating_sub(2)) as f64
        };
        ChainScore {
            score: (score * 100.0).round() / 100.0,
            findings: all,
            deciding,
            novelty,
            origin_score,
            origin_findings,
        }
    }

    /// Routine change the night recognizes (a replacement, a new member of a team, a
    /// commissioned server) is named by a finding of its own in the part of the host it is
    /// about, too light to alert: the chains it touches make one incident that says what
    /// changed.
    fn name_changes(&self, parts: &mut [(Vec<Finding>, usize)], hops: &[&Hop]) {
        let origin = &hops[0].client_addr;
        let last = parts.len() - 1;
        for (k, (part, _)) in parts.iter_mut().enumerate() {
            let host = if k == 0 { origin } else { &hops[k - 1].server_addr };
            let support =
                if k == 0 { self.night.clients.get(host) } else { self.night.relays.get(host) };
            let text = match (support, self.night.fresh.get(host)) {
                (Some(s), _) => s.describe(host),
                (None, Some(&n)) if k == last => format!(
                    "{host} is a new server (no admin session to or from it {}), reached through usual relays by {} tonight: commissioned?",
                    self.span(),
                    plural(n, "origin")
                ),
                _ => continue,
            };
            part.push(Finding { weight: CHANGE_WEIGHT, text, about: about("change", host, "") });
        }
    }

    /// A relay's part weighs half when its next session looks like its own work that happened
    /// to start during someone's session (see `coincidence`), which the part then says.
    fn halve_coincidences(&self, parts: &mut [(Vec<Finding>, usize)], hops: &[&Hop]) {
        let origin = &hops[0].client_addr;
        let n = hops.len();
        for k in 1..n {
            if let Some(why) = self.coincidence(hops[k - 1], hops[k]) {
                let part = &mut parts[k].0;
                for f in part.iter_mut() {
                    f.weight = (f.weight * 0.5 * 100.0).round() / 100.0;
                }
                part.push(Finding { weight: 0.0, text: why, about: about("support", origin, "") });
            }
        }
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

    /// The baseline of 7 days from 2026-11-02 (a Monday) on: `day(k, at)` gives day `k`'s hops
    /// and continuation pairs, `at(h)` being hour `h` of that day in epoch ms.
    fn week(day: impl Fn(i64, &dyn Fn(u32) -> i64) -> (Vec<Hop>, Vec<(usize, usize)>)) -> Baseline {
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let days: Vec<_> = (0..7)
            .map(|k| {
                let d = d0 + chrono::Duration::days(k);
                let at = |h: u32| d.and_hms_opt(h, 0, 0).unwrap().and_utc().timestamp_millis();
                let (hops, pairs) = day(k, &at);
                (d, DayFacts::from_hops(&hops, &pairs))
            })
            .collect();
        Baseline::from_days(&days, 7)
    }

    /// 7 weekdays of A → J → S over ssh around 10:00, from 2026-11-02 (a Monday) on.
    fn routine() -> Baseline {
        week(|_, at| {
            let t = at(10);
            (vec![hop("A", "J", "ssh", t), hop("J", "S", "ssh", t + 60_000)], vec![(0, 1)])
        })
    }

    fn at(day: u32, hour: u32) -> i64 {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    fn score(b: &Baseline, path: &[&Hop], cycle: bool) -> ChainScore {
        let hops: Vec<Hop> = path.iter().map(|h| (*h).clone()).collect();
        let pairs: Vec<(usize, usize)> = (1..hops.len()).map(|k| (k - 1, k)).collect();
        let night = Night::new(&[path.to_vec()], &hops, &pairs, b);
        Scorer::new(b, &night).chain(path, cycle)
    }

    #[test]
    fn the_routine_path_scores_zero_and_one_new_hop_makes_it_unusual() {
        let b = routine();
        let (h1, h2) = (hop("A", "J", "ssh", at(9, 10)), hop("J", "S", "ssh", at(9, 10) + 60_000));
        let s = score(&b, &[&h1, &h2], false);
        assert_eq!((s.score, s.findings.len()), (0.0, 0), "{:?}", s.findings);
        // The same path plus S → X: S never opened an admin session, never relayed.
        let h3 = hop("S", "X", "rdp", at(9, 10) + 120_000);
        let s = score(&b, &[&h1, &h2, &h3], false);
        assert_eq!(s.deciding, 2);
        assert_eq!(s.score, 6.25, "S: 3 + 3, plus 0.25 for the third hop: {:?}", s.findings);
        assert!(s.findings.iter().any(|r| r.text.starts_with("S had not opened an admin session")));
        assert_eq!(s.novelty.unwrap().kind, "new client");
        // A new target over a service J never relayed: J's part decides.
        let h2b = hop("J", "T", "rdp", at(9, 10) + 60_000);
        let s = score(&b, &[&h1, &h2b], false);
        assert_eq!(s.deciding, 1);
        assert!(s.score >= 3.5, "{} {:?}", s.score, s.findings);
        assert!(s.findings.iter().any(|r| r.text.contains("never relayed onward over rdp")));
        // The origin's own record: it never reached anything over rdp through a relay.
        assert!(
            s.origin_findings.iter().any(|r| r.text.contains("never reached anything over rdp"))
        );
    }

    /// The origin's "reach" finding for the chain `hops[0]`, `hops[1]` among tonight's `hops`
    /// and continuations `pairs`.
    fn origin_reach(b: &Baseline, hops: &[Hop], pairs: &[(usize, usize)]) -> Finding {
        let night = Night::new(&[vec![&hops[0], &hops[1]]], hops, pairs, b);
        let s = Scorer::new(b, &night).chain(&[&hops[0], &hops[1]], false);
        s.origin_findings.into_iter().find(|f| f.about.kind == "reach").expect("a reach finding")
    }

    #[test]
    fn another_session_explains_a_hop_only_when_it_can_have_led_to_it() {
        let thick = |mut h: Hop| {
            (h.packets_c2s, h.packets_s2c) = (100, 100);
            h
        };
        // 7 days: A reaches S through J, O reaches T through J.
        let mut days = Vec::new();
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        for k in 0..7 {
            let d = d0 + chrono::Duration::days(k);
            let t = d.and_hms_opt(10, 0, 0).unwrap().and_utc().timestamp_millis();
            let hops = vec![
                thick(hop("A", "J", "ssh", t)),
                thick(hop("J", "S", "ssh", t + 60_000)),
                thick(hop("O", "J", "ssh", t + 7_200_000)),
                thick(hop("J", "T", "ssh", t + 7_260_000)),
            ];
            days.push((d, DayFacts::from_hops(&hops, &[(0, 1), (2, 3)])));
        }
        let b = Baseline::from_days(&days, 7);
        // Tonight O reaches S through J, while A was in J too.
        let t = at(9, 10);
        let reach = |a_end: i64| {
            let mut a_in = thick(hop("A", "J", "ssh", t - 60_000));
            a_in.end_ms = a_end;
            let hops =
                vec![thick(hop("O", "J", "ssh", t)), thick(hop("J", "S", "ssh", t + 60_000)), a_in];
            let pairs = [(0, 1), (2, 1)];
            origin_reach(&b, &hops, &pairs)
        };
        // A's session lasted as long as J → S: A may have led to it and reaches S routinely.
        let explained = reach(t + 3_700_000);
        assert!(explained.text.contains("but A was also in J at the time"), "{}", explained.text);
        // A's session ended three minutes after it began, an hour before J → S did: it cannot
        // have led to it (the rule of a chain's own link), so O's reach stands alone.
        let alone = reach(t + 120_000);
        assert!(!alone.text.contains("was also in"), "{}", alone.text);
        assert!(alone.weight >= 4.0 * explained.weight, "{} vs {}", alone.weight, explained.weight);
    }

    #[test]
    fn on_a_relay_used_proxyjump_style_a_hop_right_after_a_login_is_that_sessions() {
        let thick = |mut h: Hop| {
            (h.packets_c2s, h.packets_s2c) = (100, 100);
            h.end_ms = h.start_ms + 3_600_000;
            h
        };
        // 7 days: A reaches S through J, D reaches T through J, each alone in J, the hop
        // `delay` after the login.
        let b = |delay: i64| {
            history(|t| {
                let hops = vec![
                    thick(hop("A", "J", "ssh", t)),
                    thick(hop("J", "S", "ssh", t + delay)),
                    thick(hop("D", "J", "ssh", t + 7_200_000)),
                    thick(hop("J", "T", "ssh", t + 7_200_000 + delay)),
                ];
                (hops, vec![(0, 1), (2, 3)])
            })
        };
        let (prompt, late) = (b(30_000), b(1_800_000));
        assert!(prompt.prompt_relay("J") && !late.prompt_relay("J"));
        // Tonight D has been in J for an hour; A logs in, and J → T follows 40 s later.
        let t = at(9, 10);
        let tonight = vec![
            thick(hop("A", "J", "ssh", t)),
            thick(hop("J", "T", "ssh", t + 40_000)),
            thick(hop("D", "J", "ssh", t - 3_000_000)),
        ];
        let pairs = [(0, 1), (2, 1)];
        // Where hops follow logins, J → T is A's: nothing of D's explains it.
        let alone = origin_reach(&prompt, &tonight, &pairs);
        assert!(!alone.text.contains("was also in"), "{}", alone.text);
        // Where they come anywhere in a session, D (who reaches T routinely) may have led to it.
        let explained = origin_reach(&late, &tonight, &pairs);
        assert!(explained.text.contains("but D was also in J at the time"), "{}", explained.text);
        assert!(alone.weight >= 4.0 * explained.weight, "{} vs {}", alone.weight, explained.weight);
        // A login of D's as recent as A's keeps it a possible parent.
        let mut both = tonight.clone();
        both[2] = thick(hop("D", "J", "ssh", t + 10_000));
        let shared = origin_reach(&prompt, &both, &pairs);
        assert!(shared.text.contains("but D was also in J at the time"), "{}", shared.text);
    }

    #[test]
    fn an_origin_that_never_reached_anything_through_a_relay_lists_nothing_it_reached() {
        // 7 days: A reaches S through J; M administers S directly and never goes through a relay.
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let days: Vec<_> = (0..7)
            .map(|k| {
                let d = d0 + chrono::Duration::days(k);
                let t = d.and_hms_opt(10, 0, 0).unwrap().and_utc().timestamp_millis();
                let hops = vec![
                    hop("A", "J", "ssh", t),
                    hop("J", "S", "ssh", t + 60_000),
                    hop("M", "S", "ssh", t + 7_200_000),
                ];
                (d, DayFacts::from_hops(&hops, &[(0, 1)]))
            })
            .collect();
        let b = Baseline::from_days(&days, 7);
        // Tonight M, alone in J, goes on over rdp: it never reached anything through a relay.
        let t = at(9, 10);
        let hops = vec![hop("M", "J", "ssh", t), hop("J", "T", "rdp", t + 60_000)];
        let f = origin_reach(&b, &hops, &[(0, 1)]);
        assert!(f.text.contains("never reached anything over rdp through a relay"), "{}", f.text);
        assert!(f.text.contains("the only session into J"), "{}", f.text);
        assert!(!f.text.contains("(it reached"), "{}", f.text);
    }

    #[test]
    fn a_new_client_of_a_jump_host_counts_once_and_its_group_of_regular_clients_halves_it() {
        let b = routine();
        // W → J (J only ever served A) → S (routine for J).
        let (h1, h2) = (hop("W", "J", "ssh", at(9, 10)), hop("J", "S", "ssh", at(9, 10) + 60_000));
        let s = score(&b, &[&h1, &h2], false);
        assert!(
            s.findings.iter().any(|r| r.text.starts_with("J never relayed for W")),
            "{:?}",
            s.findings
        );
        assert!(
            s.findings.iter().any(|r| r.text.contains("J never had ssh from W")),
            "{:?}",
            s.findings
        );
        // "never had ssh from W" and "never relayed for W" are one novelty: the larger counts.
        assert!(s.score <= 3.0, "{} {:?}", s.score, s.findings);
        // 10.8.0.7, next to a regular client 10.8.0.1, reaching only J's routine target.
        let b = week(|_, at| {
            let t = at(10);
            (vec![hop("10.8.0.1", "J", "ssh", t), hop("J", "S", "ssh", t + 60_000)], vec![(0, 1)])
        });
        let (n1, n2) =
            (hop("10.8.0.7", "J", "ssh", at(9, 10)), hop("J", "S", "ssh", at(9, 10) + 60_000));
        // Next to a regular client, doing what it did: its twin; routine, and named as a change.
        let s = score(&b, &[&n1, &n2], false);
        assert_eq!(s.origin_score, CHANGE_WEIGHT, "{:?}", s.findings);
        assert_eq!(s.novelty.as_ref().map(|a| a.kind), Some("change"));
        assert!(
            s.findings.iter().any(|f| f.text.contains("a replacement or twin of 10.8.0.1")),
            "{:?}",
            s.findings
        );
        // The same next to nobody J knows: a new client, unsupported.
        let (w1, w2) =
            (hop("10.64.0.7", "J", "ssh", at(9, 10)), hop("J", "S", "ssh", at(9, 10) + 60_000));
        assert_eq!(score(&b, &[&w1, &w2], false).origin_score, 3.0, "another group: no support");
        // A new client in the group that also reached a target J's clients never had through
        // J: no twin; a peer of the group, halved.
        let t = hop("J", "T", "ssh", at(9, 10) + 90_000);
        let s = score(&b, &[&n1, &t], false);
        assert!(s.findings.iter().all(|f| !f.text.contains("twin")), "{:?}", s.findings);
    }

    #[test]
    fn time_of_week_findings_need_a_history_of_the_client() {
        let b = routine();
        let night = Night::default();
        let s = Scorer::new(&b, &night);
        // 2026-11-15 is a Sunday; 03:00 is far from 10:00.
        let h = hop("A", "J", "ssh", at(15, 3));
        assert_eq!(weekday(h.start_ms), "Sunday");
        let f = s.origin(&[&h]);
        assert_eq!(f.len(), 1, "no weekend in the history yet: only the hour counts: {f:?}");
        assert!(f[0].text.contains("03:00 UTC, 7 hours from"), "{f:?}");
        // 0.6 per hour away, at most 3.5; A opened 7 sessions: × 7/10.
        assert_eq!(f[0].weight, 2.45);
        // An hour from the usual is no finding, two hours away is a weak one.
        assert!(s.origin(&[&hop("A", "J", "ssh", at(10, 11))]).is_empty());
        assert_eq!(s.origin(&[&hop("A", "J", "ssh", at(10, 12))])[0].weight, 0.84);
        // In the network's zone (`--timezone`) the time reads as its, the weight is the same.
        let b = Baseline { zone: chrono_tz::Asia::Tokyo, ..routine() };
        let f = Scorer::new(&b, &night).origin(&[&h]);
        assert!(f[0].text.contains("at 12:00 in Asia/Tokyo (03:00 UTC), 7 hours from"), "{f:?}");
        assert_eq!(f[0].weight, 2.45);
    }

    #[test]
    fn a_teams_window_at_night_is_shared_time_though_some_of_it_worked_nights_before() {
        // A, B, C and D work through J at 10:00 and 14:00; B, C and D were called at 20:00
        // once. Tonight all four come in within 21 minutes after 20:26, outside the working
        // day of tonight's origins (10:00–15:00): a team's window. 20:00 is unusual for A
        // alone, so the maintenance-window rule (others unusual too) does not see it.
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let mut days = Vec::new();
        for k in 0..7 {
            let d = d0 + chrono::Duration::days(k);
            let t = |h: u32| d.and_hms_opt(h, 0, 0).unwrap().and_utc().timestamp_millis();
            let mut hops = Vec::new();
            for c in ["A", "B", "C", "D"] {
                hops.extend([hop(c, "J", "ssh", t(10)), hop(c, "J", "ssh", t(14))]);
                if k == 2 && c != "A" {
                    hops.push(hop(c, "J", "ssh", t(20)));
                }
            }
            days.push((d, DayFacts::from_hops(&hops, &[])));
        }
        let b = Baseline::from_days(&days, 7);
        let min = 60_000;
        let tonight = [("B", 26), ("C", 28), ("A", 31), ("D", 47)]
            .map(|(c, m)| hop(c, "J", "ssh", at(11, 20) + m * min));
        let hour_finding = |firsts: &[&Hop]| {
            let paths: Vec<Vec<&Hop>> = firsts.iter().map(|h| vec![*h]).collect();
            let night = Night::new(&paths, &[], &[], &b);
            let f = Scorer::new(&b, &night).origin(&[&tonight[2]]);
            f.into_iter().find(|f| f.text.contains("20:31 UTC")).unwrap()
        };
        let team = hour_finding(&tonight.iter().collect::<Vec<_>>());
        assert!(team.text.contains("; 3 other origins started at such a time tonight"), "{team:?}");
        assert_eq!(team.weight, 1.75, "3.5 (6 hours away), halved");
        // Two others are not a team's window: full weight.
        let two = hour_finding(&[&tonight[0], &tonight[1], &tonight[2]]);
        assert_eq!(two.weight, 3.5, "{two:?}");
    }

    #[test]
    fn weekend_work_is_judged_by_the_share_of_weekend_days_a_host_worked() {
        // A works every day at 10:00; B on weekdays and on the Saturday only; C never at weekends.
        let mut days = Vec::new();
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        for k in 0..7 {
            let d = d0 + chrono::Duration::days(k);
            let t = d.and_hms_opt(10, 0, 0).unwrap().and_utc().timestamp_millis();
            let mut hops = vec![hop("A", "J", "ssh", t)];
            if k != 6 {
                hops.push(hop("B", "J", "ssh", t));
            }
            if k < 5 {
                hops.push(hop("C", "J", "ssh", t));
            }
            days.push((d, DayFacts::from_hops(&hops, &[])));
        }
        let b = Baseline::from_days(&days, 7);
        let night = Night::default();
        let s = Scorer::new(&b, &night);
        let weekend = |c: &str| {
            let f = s.origin(&[&hop(c, "J", "ssh", at(14, 10))]); // a Saturday, its usual hour
            f.iter().find(|f| f.text.contains("Saturday")).map(|f| (f.weight, f.text.clone()))
        };
        assert_eq!(weekend("A"), None, "worked both weekend days");
        let (w, text) = weekend("B").expect("worked one of two");
        assert_eq!(w, 1.0, "−log2(2/4)");
        assert!(text.contains("admin sessions on 1 of the 2 weekend days"), "{text}");
        let (w, text) = weekend("C").expect("never worked one");
        assert_eq!(w, 2.0, "log2(4)");
        assert!(text.contains("no admin session on the 2 weekend days"), "{text}");
    }

    #[test]
    fn cold_start_scales_and_no_history_has_no_findings() {
        let empty = Baseline::default();
        let (h1, h2) = (hop("W", "B", "ssh", 0), hop("B", "C", "ssh", 60_000));
        assert_eq!(score(&empty, &[&h1, &h2], false).score, 0.0);
        let mut b = routine();
        b.days = 2;
        let night = Night::default();
        let s = Scorer::new(&b, &night);
        let f = s.client_side(&h1);
        assert_eq!(f[0].weight, (3.0f64 * 2.0 / 7.0 * 100.0).round() / 100.0);
    }

    /// 7 days of history from `day_hops` (each day: its hops and continuations, from a start
    /// time at 10:00 that day).
    fn history(day_hops: impl Fn(i64) -> (Vec<Hop>, Vec<(usize, usize)>)) -> Baseline {
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let days: Vec<_> = (0..7)
            .map(|k| {
                let d = d0 + chrono::Duration::days(k);
                let t = d.and_hms_opt(10, 0, 0).unwrap().and_utc().timestamp_millis();
                let (hops, pairs) = day_hops(t);
                (d, DayFacts::from_hops(&hops, &pairs))
            })
            .collect();
        Baseline::from_days(&days, 7)
    }

    #[test]
    fn a_relay_pattern_weighs_by_how_common_its_inbound_service_is_among_lone_sessions() {
        // J relays lone ssh sessions onward over ssh (7 a day); `k` lone winrm sessions a day
        // onward over winrm. C opens winrm sessions elsewhere and never relayed.
        let pattern_weight = |k: usize| {
            let b = history(|t| {
                let mut hops = Vec::new();
                let mut pairs = Vec::new();
                for i in 0..7 {
                    let s = t + i as i64 * 4_000_000;
                    hops.push(hop("A", "J", "ssh", s));
                    hops.push(hop("J", "S", "ssh", s + 60_000));
                    pairs.push((hops.len() - 2, hops.len() - 1));
                }
                for i in 0..k {
                    let s = t + 30_000_000 + i as i64 * 4_000_000;
                    hops.push(hop("B", "J", "winrm", s));
                    hops.push(hop("J", "W", "winrm", s + 60_000));
                    pairs.push((hops.len() - 2, hops.len() - 1));
                }
                hops.push(hop("C", "X", "winrm", t));
                (hops, pairs)
            });
            let (h1, h2) =
                (hop("C", "J", "winrm", at(9, 10)), hop("J", "S", "ssh", at(9, 10) + 60_000));
            let s = score(&b, &[&h1, &h2], false);
            s.findings
                .into_iter()
                .find(|f| f.about.kind == "pattern")
                .unwrap_or_else(|| panic!("a pattern finding with {k} winrm sessions a day"))
        };
        let (rare, common) = (pattern_weight(1), pattern_weight(7));
        assert!(
            rare.text.contains("13% of the lone sessions it relayed came in over winrm"),
            "{}",
            rare.text
        );
        assert!(common.text.contains("50% of the lone sessions"), "{}", common.text);
        // 49 ssh out, none from winrm: expected 6.1 of them with winrm that rare, 24.5 when
        // half the lone sessions come in over winrm.
        assert_eq!(
            rare.weight,
            (49.0f64 / 8.0 + 2.0).log2().min(4.0).mul_add(100.0, 0.0).round() / 100.0
        );
        assert_eq!(common.weight, 4.0);
    }

    #[test]
    fn a_new_first_hop_service_that_peers_use_to_that_server_weighs_half() {
        // A reaches S through J over ssh; P1 and P2 use J over `peer_service`.
        let new_service = |peer_service: &str| {
            let b = history(|t| {
                let hops = vec![
                    hop("A", "J", "ssh", t),
                    hop("J", "S", "ssh", t + 60_000),
                    hop("P1", "J", peer_service, t + 7_200_000),
                    hop("P2", "J", peer_service, t + 14_400_000),
                ];
                (hops, vec![(0, 1)])
            });
            let (h1, h2) =
                (hop("A", "J", "rdp", at(9, 10)), hop("J", "S", "ssh", at(9, 10) + 60_000));
            let s = score(&b, &[&h1, &h2], false);
            let f = s.origin_findings.iter().find(|f| f.about.kind == "new service").cloned();
            (f.expect("A never used rdp as a client").weight, s.findings)
        };
        let (alone, _) = new_service("ssh");
        let (peers, findings) = new_service("rdp");
        assert_eq!(peers, (alone * 0.5 * 100.0).round() / 100.0, "{alone} {peers}");
        assert!(
            findings
                .iter()
                .any(|f| f.text
                    == "hosts that share A's jump hosts reach J over rdp routinely (P1, P2)"),
            "{findings:?}"
        );
    }

    #[test]
    fn a_relayed_hop_is_only_as_unusual_as_for_its_least_surprising_possible_parent() {
        // A reaches S through J over ssh; O opens rdp to X every day and never relayed; Z
        // reaches U over rdp (U is an established server).
        let b = history(|t| {
            let hops = vec![
                hop("A", "J", "ssh", t),
                hop("J", "S", "ssh", t + 60_000),
                hop("O", "X", "rdp", t),
                hop("Z", "U", "rdp", t),
            ];
            (hops, vec![(0, 1)])
        });
        // Tonight J → U over rdp while A is in J, and O too or not.
        let reach = |with_o: bool| {
            let t = at(9, 10);
            let mut hops = vec![hop("A", "J", "ssh", t), hop("J", "U", "rdp", t + 60_000)];
            let mut pairs = vec![(0, 1)];
            if with_o {
                hops.push(hop("O", "J", "ssh", t - 60_000));
                pairs.push((2, 1));
            }
            for h in &mut hops {
                (h.packets_c2s, h.packets_s2c) = (100, 100);
            }
            origin_reach(&b, &hops, &pairs)
        };
        let (alone, shared) = (reach(false), reach(true));
        // A never used rdp at all in 7 days: 7 days of evidence, plus a new target.
        assert!(alone.weight >= 3.5, "{} {}", alone.weight, alone.text);
        assert!(!alone.text.contains("was also in"), "{}", alone.text);
        // O opens rdp sessions itself: for O, J → U is only a new server (its surprise at one,
        // capped at 2), less than A's new service, so the hop weighs that much.
        assert!(
            shared.text.contains("but O was also in J at the time, for which it is less unusual"),
            "{}",
            shared.text
        );
        assert!(shared.weight <= 2.0 && shared.weight >= alone.weight * 0.25, "{}", shared.weight);
    }
}
