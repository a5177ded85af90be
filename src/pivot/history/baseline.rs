//! The baseline: the days of history read, folded into what the scorer asks (per-host novelty
//! records, pairs, hours, weekends, reach and relay patterns, busy hosts, acknowledgements).

// The baseline's maps and sets use hashbrown's default (foldhash) hasher: a month of history
// at 100 M flows a day is millions of lookups, and SipHash was a third of the night.
use hashbrown::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;

use crate::error::{Error, Result};

use super::learn::{Day, Learner};
use super::*;

/// Novelty record of one actor: on how many of its active days (after its first) it did
/// something new of one kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Novelty {
    /// Days active with at least one earlier active day in the window.
    pub eligible_days: u32,
    /// Of those, days with something new.
    pub novel_days: u32,
}

impl Novelty {
    /// Surprise in bits of "something new today" for this actor, from its own record with a
    /// Laplace prior: -log2((novel + 1) / (eligible + 2)). 1 bit with no record; near 0 for an
    /// actor that does new things every day; large for one that never does.
    pub fn surprise(&self) -> f64 {
        let p = (f64::from(self.novel_days) + 1.0) / (f64::from(self.eligible_days) + 2.0);
        -p.log2()
    }

    pub(super) fn record(&mut self, was_active_before: bool, novel: bool) {
        if was_active_before {
            self.eligible_days += 1;
            self.novel_days += u32::from(novel);
        }
    }
}

/// What the history says, ready for scoring.
#[derive(Debug, Default)]
pub struct Baseline {
    /// The zone the network works in (`--timezone`): its days are the history's days, and
    /// weekends are judged in it.
    pub zone: chrono_tz::Tz,
    /// Days of history read (partitions present before the report day, within the window,
    /// less those in `unreadable`).
    pub days: usize,
    /// Days of the window whose facts could not be read (a damaged or truncated file): left
    /// out of the baseline, named in the report, and the night exits 3.
    pub unreadable: Vec<crate::store::check::Unreadable>,
    /// Days the window asks for.
    pub days_wanted: usize,
    /// Weekend days among `days`.
    pub weekend_days: usize,
    /// Days each host opened an admin session (as a hop client).
    pub client_days: HashMap<String, u32>,
    /// (client, service) pairs seen.
    pub client_services: HashSet<(String, String)>,
    /// Per client: bit h set when it started a connection in UTC hour h.
    pub client_hours: HashMap<String, u32>,
    /// Clients seen opening connections on a Saturday or Sunday.
    pub client_weekend: HashSet<String>,
    /// Per client: weekend days (of `weekend_days`) it opened connections on.
    pub client_weekend_days: HashMap<String, u32>,
    /// Per client: days it reached a new (server, service).
    pub client_new_pairs: HashMap<String, Novelty>,
    /// (client, server, service) seen.
    pub pairs: HashSet<(String, String, String)>,
    /// (server, service) pairs seen.
    pub server_services: HashSet<(String, String)>,
    /// Per server: days it had a connection from a new (client, service).
    pub server_new_clients: HashMap<String, Novelty>,
    /// Days each host served an admin connection.
    pub server_days: HashMap<String, u32>,
    /// Days each host relayed (was the pivot of a continuation).
    pub pivot_days: HashMap<String, u32>,
    /// (pivot, outbound service) pairs it relayed over.
    pub pivot_services: HashSet<(String, String)>,
    /// (pivot, outbound server, service) it relayed to.
    pub pivot_targets: HashSet<(String, String, String)>,
    /// Per pivot: relaying days with a new target.
    pub pivot_new_targets: HashMap<String, Novelty>,
    /// (pivot, inbound client) pairs it relayed for.
    pub pivot_inbound: HashSet<(String, String)>,
    /// Per pivot: relaying days with a new inbound client.
    pub pivot_new_inbound: HashMap<String, Novelty>,
    /// Days each (client, server, service) was the deciding hop of an alert.
    pub alerted_days: HashMap<(String, String, String), u32>,
    /// Days each relay step (inbound client, relay, outbound server) was part of an alert.
    pub alerted_steps: HashMap<(String, String, String), u32>,
    /// Alerted hop facts left out of the baseline (not yet alerted on `ALERTS_BEFORE_ROUTINE`
    /// days).
    pub withheld: usize,
    /// Per client: of its days with a new server, those on which a new server was in a
    /// network group (`group`) and service it never reached before.
    pub client_new_groups: HashMap<String, Novelty>,
    /// (client, group/service) reached.
    pub client_groups: HashSet<(String, String)>,
    /// Days each host reached something through a relay (was the only possible inbound client
    /// of a continuation: `LinkFact::sole`).
    pub reach_days: HashMap<String, u32>,
    /// (origin, end target, service): what a host itself reached through a relay.
    pub reach: HashSet<(String, String, String)>,
    /// (origin, service) reached through a relay.
    pub reach_services: HashSet<(String, String)>,
    /// Per origin: reaching days with a new end target.
    pub reach_new_targets: HashMap<String, Novelty>,
    /// Clients of each server (from `pairs`), sorted.
    pub clients_of: HashMap<String, Vec<String>>,
    /// Servers of each client (from `pairs`), sorted.
    pub servers_of: HashMap<String, Vec<String>>,
    /// Relays each host reached things through, and what: in_client → (pivot, out_server).
    pub reached_via: HashMap<String, Vec<(String, String)>>,
    /// Services per client, per relay (outbound) and per origin reaching through relays: the
    /// lists the findings name ("it used ssh, rdp").
    pub service_lists: [HashMap<String, Vec<String>>; 3],
    /// Hosts with more than `BUSY_FACTS` counterparts on a day (busy servers, scanners): their
    /// facts with hosts of no interest were summed up, so their lists are not complete.
    pub busy: HashSet<String>,
    /// Acknowledgements in force (`ack`), oldest first.
    pub acks: Vec<crate::pivot::history::ack::Ack>,
    /// (pivot, inbound service, outbound service) of continuations with one possible parent:
    /// what a relay routinely relays for one session alone.
    pub relay_patterns: HashSet<(String, String, String)>,
    /// Continuations with one possible parent per (pivot, outbound service): how often a
    /// relay was seen relaying a lone session onward over that service.
    pub pattern_count: HashMap<(String, String), i64>,
    /// Continuations with one possible parent per (pivot, inbound service): how often a lone
    /// session that came in over that service was relayed onward (over anything).
    pub pattern_in_count: HashMap<(String, String), i64>,
    /// Continuations with one possible parent per pivot (`pattern_in_count` summed).
    pub pattern_total: HashMap<String, i64>,
    /// Of `pattern_total`, continuations that started within `PROMPT_MS` of their parent
    /// session's start (`LinkFact::prompt`): a relay used ProxyJump-style.
    pub pattern_prompt: HashMap<String, i64>,
    /// Continuations per pivot, ambiguous ones included (`LinkFact::links` summed).
    pub pivot_links: HashMap<String, i64>,
    /// Admin connections each host opened (over the days read).
    pub client_sessions: HashMap<String, i64>,
    /// Days each (client, service) opened a connection.
    pub client_service_days: HashMap<(String, String), u32>,
    /// (origin, end target) of every continuation, ambiguous ones included: what a host may
    /// have reached through a relay.
    pub reach_any: HashSet<(String, String)>,
    /// (origin, outbound service) of every continuation, ambiguous ones included.
    pub reach_any_services: HashSet<(String, String)>,
    /// (origin, network group of the end target), any service: groups a host reached through
    /// a relay.
    pub reach_group_any: HashSet<(String, String)>,
}

/// The network group of an address: its /24 (IPv4) or /64 (IPv6); anything else is its own
/// group. Hosts of one group usually share a role (a VLAN): a new server in a group a client
/// always reaches is less surprising than one in a group it never touched.
pub fn group(addr: &str) -> String {
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => {
            let o = a.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        Ok(std::net::IpAddr::V6(a)) => {
            let s = a.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Err(_) => addr.to_string(),
    }
}

/// `group` of a server and the service: the unit of "the same kind of server".
pub fn kind(server: &str, service: &str) -> String {
    format!("{} {service}", group(server))
}

/// An alert's deciding hop stays out of the baseline (so it alerts again) until it has been
/// alerted on this many days; from then on the recurring pattern counts as routine.
pub const ALERTS_BEFORE_ROUTINE: u32 = 3;

/// When a set of hosts works: the busiest ten UTC hours in which they started admin sessions
/// in the history (`Baseline::working_day`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkingDay {
    /// The first hour of the ten with a session in it (UTC, 0–23).
    pub from: u32,
    /// The hour after the last with one (UTC, 0–23: `from` to `to` may wrap past midnight).
    pub to: u32,
    /// Their middle: the mean of the hours in them, each as often as counted (UTC, 0 ≤ h < 24).
    pub middle: f64,
    /// Hosts counted.
    pub hosts: usize,
}

impl WorkingDay {
    /// `hour` (UTC, 0–23) lies from `from` up to `to`.
    pub fn holds(&self, hour: i64) -> bool {
        let (from, to, h) = (i64::from(self.from), i64::from(self.to), hour.rem_euclid(24));
        if from < to { (from..to).contains(&h) } else { h >= from || h < to }
    }
}

/// Hours of the working-day window (`WorkingDay`), and the share of all counts it must hold.
const WORKING_HOURS: usize = 10;
const WORKING_SHARE: f64 = 0.6;

/// Lone continuations a relay must have relayed, and the share of them that started right
/// after their parent's login (`LinkFact::prompt`), for it to count as used ProxyJump-style
/// (`Baseline::prompt_relay`). A relay whose onward sessions start anywhere in the inbound
/// session has a share of about `PROMPT_MS` over the sessions' length (a few percent for
/// sessions of an hour).
pub const PROMPT_LINKS: i64 = 10;
/// See `PROMPT_LINKS`.
pub const PROMPT_SHARE: f64 = 0.5;

impl Baseline {
    /// Is `relay` used ProxyJump-style: most of its lone continuations in the history started
    /// within `PROMPT_MS` of their parent session's start (at least `PROMPT_LINKS` of them)?
    pub fn prompt_relay(&self, relay: &str) -> bool {
        self.prompt_record(relay).unwrap_or(false)
    }

    /// What `relay`'s own record says of `prompt_relay`; `None` with fewer than `PROMPT_LINKS`
    /// lone continuations (too short a record to tell).
    pub fn prompt_record(&self, relay: &str) -> Option<bool> {
        let total = self.pattern_total.get(relay).copied().unwrap_or(0);
        let prompt = self.pattern_prompt.get(relay).copied().unwrap_or(0);
        (total >= PROMPT_LINKS).then_some(prompt as f64 >= PROMPT_SHARE * total as f64)
    }

    /// The busiest ten UTC hours of `clients`' admin sessions in the history: each client's
    /// hours (`client_hours`) counted once, only clients that keep a working day (sessions in
    /// 2 to 16 of the 24 hours: not a host that works around the clock, such as automation or
    /// monitoring). `None` with fewer than 3 such clients, or when those ten hours hold less
    /// than 60 % of the counts (no daily rhythm to read).
    pub fn working_day<'a>(
        &self,
        clients: impl IntoIterator<Item = &'a str>,
    ) -> Option<WorkingDay> {
        let mut seen = HashSet::new();
        let mut per_hour = [0usize; 24];
        let mut hosts = 0;
        for c in clients {
            let Some(&mask) = self.client_hours.get(c) else { continue };
            if !(2..=16).contains(&mask.count_ones()) || !seen.insert(c) {
                continue;
            }
            hosts += 1;
            for (h, n) in per_hour.iter_mut().enumerate() {
                *n += (mask >> h & 1) as usize;
            }
        }
        let total: usize = per_hour.iter().sum();
        let window = |s: usize| (0..WORKING_HOURS).map(|k| per_hour[(s + k) % 24]).sum::<usize>();
        // The earliest start among equally busy windows: the same answer on every run.
        let start = (0..24).max_by_key(|&s| (window(s), std::cmp::Reverse(s)))?;
        let busy = window(start);
        if hosts < 3 || (busy as f64) < WORKING_SHARE * total as f64 {
            return None;
        }
        let later: usize = (0..WORKING_HOURS).map(|k| k * per_hour[(start + k) % 24]).sum();
        let middle = (start as f64 + later as f64 / busy as f64) % 24.0;
        let used: Vec<usize> =
            (0..WORKING_HOURS).filter(|&k| per_hour[(start + k) % 24] > 0).collect();
        let (&first, &last) = (used.first()?, used.last()?);
        Some(WorkingDay {
            from: ((start + first) % 24) as u32,
            to: ((start + last + 1) % 24) as u32,
            middle,
            hosts,
        })
    }

    /// Build from the facts of consecutive earlier days, oldest first.
    pub fn from_days(days: &[(NaiveDate, DayFacts)], days_wanted: usize) -> Self {
        let mut b = Baseline { days: days.len(), days_wanted, ..Baseline::default() };
        let mut learner = Learner::default();
        for (date, all) in days {
            learner.learn_day(*date, &Day::of(all));
        }
        learner.finish(&mut b);
        b.index();
        b
    }

    /// The indexes built once after the last day: clients and servers of each host, sorted
    /// lists of what each host reached and used.
    fn index(&mut self) {
        for (c, s, _) in &self.pairs {
            self.clients_of.entry(s.clone()).or_default().push(c.clone());
            self.servers_of.entry(c.clone()).or_default().push(s.clone());
        }
        for v in self.clients_of.values_mut().chain(self.servers_of.values_mut()) {
            v.sort_unstable();
            v.dedup();
        }
        for v in self.reached_via.values_mut() {
            v.sort_unstable();
        }
        let mut lists: [HashMap<String, Vec<String>>; 3] = Default::default();
        for (k, set) in [&self.client_services, &self.pivot_services, &self.reach_services]
            .into_iter()
            .enumerate()
        {
            for (h, v) in set {
                lists[k].entry(h.clone()).or_default().push(v.clone());
            }
        }
        for m in &mut lists {
            for v in m.values_mut() {
                v.sort_unstable();
            }
        }
        self.service_lists = lists;
    }
}

/// Read the history of the `days` days before `day` (only those present) into a baseline,
/// with only the facts about the hosts in `interest` (`None`: all; see `read_day_about`): every
/// lookup the scorer makes is keyed by a host of the chains being scored, so the baseline of
/// tonight's chain hosts is exact while months of history about everyone else are skipped.
pub fn load_about(
    history: &Path,
    day: NaiveDate,
    days: usize,
    interest: Option<&std::collections::HashSet<String>>,
) -> Result<Baseline> {
    let present: Vec<NaiveDate> = (1..=days as i64)
        .rev()
        .map(|k| day - chrono::Duration::days(k))
        .filter(|d| day_dir(history, *d).is_dir())
        .collect();
    // Acknowledged patterns count as learned on their day (see `ack`).
    let acks = crate::pivot::history::ack::Acks::load(history)?;
    let in_force = acks.in_force(day, days);
    // The days are read on all cores (each a Parquet decode and a filter; reader k takes days
    // k, k + readers, ...), and learned oldest first on this thread as soon as they are read:
    // learning is one thread's work, and it ran after the reading with a core idle.
    let readers =
        std::thread::available_parallelism().map_or(1, |n| n.get()).min(present.len().max(1));
    let t0 = std::time::Instant::now();
    let read: Vec<std::sync::OnceLock<Result<Day>>> =
        (0..present.len()).map(|_| std::sync::OnceLock::new()).collect();
    let ready = (std::sync::Mutex::new(()), std::sync::Condvar::new());
    let mut b = Baseline { days: present.len(), days_wanted: days, ..Baseline::default() };
    // Days that cannot be read, and why: left out rather than failing every night of the
    // window until they age out (the night is scored on the other days, names them, exits 3).
    let mut failed: Vec<(NaiveDate, String)> = Vec::new();
    let (mut hop_facts, mut link_facts, mut busy) = (0, 0, 0);
    let mut learner = Learner::default();
    std::thread::scope(|scope| {
        for k in 0..readers {
            let (read, ready, present, in_force) = (&read, &ready, &present, &in_force);
            scope.spawn(move || {
                for i in (k..present.len()).step_by(readers) {
                    // A slot is always filled (a panic becomes an error): the learner waits on it.
                    let facts = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        read_day_about(history, present[i], interest).map(|f| {
                            let mut one = [(present[i], f)];
                            crate::pivot::history::ack::apply(&mut one, in_force);
                            let [(_, f)] = one;
                            // Numbered here, on the reading thread (see `learn`).
                            Day::of(&f)
                        })
                    }))
                    .unwrap_or_else(|_| {
                        Err(Error::Internal {
                            detail: format!("reading the history of {}", present[i]),
                        })
                    });
                    let _ = read[i].set(facts);
                    let _guard = ready.0.lock();
                    ready.1.notify_all();
                }
            });
        }
        for (i, date) in present.iter().enumerate() {
            let mut guard = ready.0.lock().unwrap_or_else(|e| e.into_inner());
            while read[i].get().is_none() {
                guard = ready.1.wait(guard).unwrap_or_else(|e| e.into_inner());
            }
            drop(guard);
            match read[i].get() {
                Some(Ok(facts)) => {
                    let (h, l, x) = facts.sizes();
                    (hop_facts, link_facts, busy) = (hop_facts + h, link_facts + l, busy + x);
                    learner.learn_day(*date, facts);
                }
                Some(Err(e)) => failed.push((*date, e.to_string())),
                None => unreachable!("waited until day {i} was read"),
            }
        }
    });
    b.days -= failed.len();
    for (date, why) in failed {
        tracing::warn!(day = %date, error = %why, "history day left out: unreadable");
        b.unreadable.push(crate::store::check::Unreadable {
            path: day_dir(history, date),
            why: format!(
                "{why} (left out of the baseline; `pivotflow report --day {date}` rebuilds it \
                 while the store still holds that day's flows)"
            ),
        });
    }
    learner.finish(&mut b);
    b.index();
    tracing::debug!(
        hop_facts,
        link_facts,
        busy,
        elapsed_ms = t0.elapsed().as_millis() as u64,
        "history days read and learned"
    );
    b.acks = in_force.into_iter().cloned().collect();
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A baseline whose clients started sessions in these UTC hours.
    fn hours(clients: &[(&str, &[u32])]) -> Baseline {
        let mut b = Baseline::default();
        for (c, hs) in clients {
            b.client_hours.insert(c.to_string(), hs.iter().fold(0, |m, h| m | 1 << h));
        }
        b
    }

    #[test]
    fn the_working_day_is_read_off_the_clients_that_keep_one() {
        // Three admins working 10:00–15:00 in Los Angeles (18:00–23:00 UTC), one of them
        // twice in the list; a host at work around the clock and one on another network.
        let all: Vec<u32> = (0..24).collect();
        let b = hours(&[
            ("a", &[18, 20, 21, 23]),
            ("b", &[18, 20, 21, 23]),
            ("c", &[19, 22]),
            ("cron", &all),
            ("elsewhere", &[9]),
        ]);
        let day = b.working_day(["a", "b", "a", "c", "cron", "unknown"]).unwrap();
        assert_eq!(day.hosts, 3, "a once, b, c; not the host at work around the clock");
        assert_eq!((day.from, day.to), (18, 0), "the hours with sessions");
        assert!((day.middle - 20.5).abs() < 1e-9, "{}", day.middle);
        // A working day across midnight UTC (Tokyo, 09:00–18:00: 00:00–09:00 UTC) wraps.
        let b = hours(&[("a", &[23, 1, 2]), ("b", &[0, 3]), ("c", &[22, 0, 6])]);
        let day = b.working_day(["a", "b", "c"]).unwrap();
        assert_eq!((day.from, day.to), (22, 7));
        assert!((day.middle - 1.125).abs() < 1e-9, "{}", day.middle);
        // Two clients are too few; clients with no daily rhythm have no working day.
        assert_eq!(b.working_day(["a", "b"]), None);
        let b = hours(&[("a", &[0, 8, 16]), ("b", &[2, 10, 18]), ("c", &[4, 12, 20])]);
        assert_eq!(b.working_day(["a", "b", "c"]), None, "no ten hours hold 60 %");
    }
}
