//! The baseline: the days of history read, folded into what the scorer asks (per-host novelty
//! records, pairs, hours, weekends, reach and relay patterns, busy hosts, acknowledgements).

// The baseline's maps and sets use hashbrown's default (foldhash) hasher: a month of history
// at 100 M flows a day is millions of lookups, and SipHash was a third of the night.
use hashbrown::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;

use crate::error::{Error, Result};

use super::*;

/// A borrowed two-string key: looks up a `(String, String)` set or map without building the
/// owned key (it hashes like the tuple). Learning a month of history is mostly lookups of
/// keys already known, and copying each key cost more than the lookup.
#[derive(Hash)]
struct K2<'a>(&'a str, &'a str);

impl hashbrown::Equivalent<(String, String)> for K2<'_> {
    fn equivalent(&self, k: &(String, String)) -> bool {
        self.0 == k.0 && self.1 == k.1
    }
}

/// A borrowed three-string key (see `K2`).
#[derive(Hash)]
struct K3<'a>(&'a str, &'a str, &'a str);

impl hashbrown::Equivalent<(String, String, String)> for K3<'_> {
    fn equivalent(&self, k: &(String, String, String)) -> bool {
        self.0 == k.0 && self.1 == k.1 && self.2 == k.2
    }
}

/// Insert `(a, b)` unless present, copying the strings only when new.
fn put2(set: &mut HashSet<(String, String)>, a: &str, b: &str) {
    if !set.contains(&K2(a, b)) {
        set.insert((a.to_string(), b.to_string()));
    }
}

/// Insert `(a, b, c)` unless present, copying the strings only when new.
fn put3(set: &mut HashSet<(String, String, String)>, a: &str, b: &str, c: &str) {
    if !set.contains(&K3(a, b, c)) {
        set.insert((a.to_string(), b.to_string(), c.to_string()));
    }
}

/// The entry of `key` in a map by host, copying the key only when new.
fn slot<'m, V: Default>(map: &'m mut HashMap<String, V>, key: &str) -> &'m mut V {
    map.entry_ref(key).or_default()
}

/// `kind(server, service)` for every fact of the history, computed once per distinct pair.
#[derive(Default)]
struct Kinds<'a>(HashMap<(&'a str, &'a str), String>);

impl<'a> Kinds<'a> {
    fn of(&mut self, server: &'a str, service: &'a str) -> &str {
        self.0.entry((server, service)).or_insert_with(|| kind(server, service))
    }
}

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

    fn record(&mut self, was_active_before: bool, novel: bool) {
        if was_active_before {
            self.eligible_days += 1;
            self.novel_days += u32::from(novel);
        }
    }
}

/// What the history says, ready for scoring.
#[derive(Debug, Default)]
pub struct Baseline {
    /// Days of history read (partitions present before the report day, within the window).
    pub days: usize,
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
    /// (origin, group/service of the end target) reached through a relay.
    pub reach_groups: HashSet<(String, String)>,
    /// Per origin: reaching days with a new end target.
    pub reach_new_targets: HashMap<String, Novelty>,
    /// Per origin: of its reaching days with a new end target, those with a new group.
    pub reach_new_groups: HashMap<String, Novelty>,
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

impl Baseline {
    /// Build from the facts of consecutive earlier days, oldest first.
    pub fn from_days(days: &[(NaiveDate, DayFacts)], days_wanted: usize) -> Self {
        let mut b = Baseline { days: days.len(), days_wanted, ..Baseline::default() };
        let mut kinds = Kinds::default();
        for (date, all) in days {
            b.learn_day(*date, all, &mut kinds);
        }
        b.index();
        b
    }

    /// Fold in one day, after the days before it (`from_days`; `load_about` as they are read).
    fn learn_day<'a>(&mut self, date: NaiveDate, all: &'a DayFacts, kinds: &mut Kinds<'a>) {
        let facts = &self.learnable(all);
        let weekend = is_weekend(date);
        self.weekend_days += usize::from(weekend);
        // Whether each fact's (client, server, service) was known before today.
        let known: Vec<bool> = facts
            .hops
            .iter()
            .map(|f| self.pairs.contains(&K3(&f.client, &f.server, &f.service)))
            .collect();
        // What was new today is judged against the days before, then today is folded in.
        self.client_novelty(facts, all, &known, kinds);
        self.reach_novelty(facts, kinds);
        self.server_novelty(facts, all, &known);
        self.pivot_novelty(facts);
        self.fold_connections(facts, all, &known, weekend, kinds);
        self.fold_links(facts, kinds);
    }

    /// Per client: a day with a new (server, service), and of those, one in a new kind.
    fn client_novelty<'a>(
        &mut self,
        facts: &Learnable<'a>,
        all: &'a DayFacts,
        known: &[bool],
        kinds: &mut Kinds<'a>,
    ) {
        // Per client: active before today? anything new today?
        let mut new_pair: HashMap<&str, bool> = HashMap::new();
        for (f, &known) in facts.hops.iter().zip(known) {
            *new_pair.entry(&f.client).or_default() |= !known;
        }
        for x in all.busy.iter().filter(|x| !x.as_server) {
            new_pair.insert(&x.host, true);
        }
        for (client, novel) in new_pair {
            let before = self.client_days.contains_key(client);
            slot(&mut self.client_new_pairs, client).record(before, novel);
        }
        // Of the clients' days with a new server: was one in a new group?
        let mut new_group: HashMap<&str, (bool, bool)> = HashMap::new();
        for (f, &known) in facts.hops.iter().zip(known) {
            let e = new_group.entry(&f.client).or_default();
            if !known {
                e.0 = true;
                e.1 |=
                    !self.client_groups.contains(&K2(&f.client, kinds.of(&f.server, &f.service)));
            }
        }
        for (client, (novel, novel_group)) in new_group {
            if self.client_days.contains_key(client) && novel {
                slot(&mut self.client_new_groups, client).record(true, novel_group);
            }
        }
    }

    /// Per origin: a reaching day with a new end target, and of those, one in a new kind.
    fn reach_novelty<'a>(&mut self, facts: &Learnable<'a>, kinds: &mut Kinds<'a>) {
        // What each origin reached through relays: new end target, new group.
        let mut new_reach: HashMap<&str, (bool, bool)> = HashMap::new();
        for l in facts.links.iter().filter(|l| l.sole > 0) {
            let e = new_reach.entry(&l.in_client).or_default();
            if !self.reach.contains(&K3(&l.in_client, &l.out_server, &l.out_service)) {
                e.0 = true;
                e.1 |= !self
                    .reach_groups
                    .contains(&K2(&l.in_client, kinds.of(&l.out_server, &l.out_service)));
            }
        }
        for (origin, (novel, novel_group)) in new_reach {
            let before = self.reach_days.contains_key(origin);
            slot(&mut self.reach_new_targets, origin).record(before, novel);
            if before && novel {
                slot(&mut self.reach_new_groups, origin).record(true, novel_group);
            }
        }
    }

    /// Per server: a day with a new (client, service); a busy server's day always counts.
    fn server_novelty(&mut self, facts: &Learnable<'_>, all: &DayFacts, known: &[bool]) {
        let mut new_client: HashMap<&str, bool> = HashMap::new();
        for (f, &known) in facts.hops.iter().zip(known) {
            *new_client.entry(&f.server).or_default() |= !known;
        }
        for x in all.busy.iter().filter(|x| x.as_server) {
            new_client.insert(&x.host, true);
        }
        for (server, novel) in new_client {
            let before = self.server_days.contains_key(server);
            slot(&mut self.server_new_clients, server).record(before, novel);
        }
    }

    /// Per relay: a relaying day with a new inbound client, and one with a new target.
    fn pivot_novelty(&mut self, facts: &Learnable<'_>) {
        let mut new_inbound: HashMap<&str, bool> = HashMap::new();
        for l in &facts.links {
            let novel = !self.pivot_inbound.contains(&K2(&l.pivot, &l.in_client));
            *new_inbound.entry(&l.pivot).or_default() |= novel;
        }
        for (pivot, novel) in new_inbound {
            let before = self.pivot_days.contains_key(pivot);
            slot(&mut self.pivot_new_inbound, pivot).record(before, novel);
        }
        let mut new_target: HashMap<&str, bool> = HashMap::new();
        for l in &facts.links {
            let novel = !self.pivot_targets.contains(&K3(&l.pivot, &l.out_server, &l.out_service));
            *new_target.entry(&l.pivot).or_default() |= novel;
        }
        for (pivot, novel) in new_target {
            let before = self.pivot_days.contains_key(pivot);
            slot(&mut self.pivot_new_targets, pivot).record(before, novel);
        }
    }

    /// Fold a day's admin connections (and its busy hosts' summaries) in.
    fn fold_connections<'a>(
        &mut self,
        facts: &Learnable<'a>,
        all: &'a DayFacts,
        known: &[bool],
        weekend: bool,
        kinds: &mut Kinds<'a>,
    ) {
        let mut clients: HashSet<&str> = HashSet::new();
        let mut servers: HashSet<&str> = HashSet::new();
        for (f, &known) in facts.hops.iter().zip(known) {
            clients.insert(&f.client);
            servers.insert(&f.server);
            put2(&mut self.client_services, &f.client, &f.service);
            *slot(&mut self.client_hours, &f.client) |= f.hours as u32;
            if weekend && !self.client_weekend.contains(f.client.as_str()) {
                self.client_weekend.insert(f.client.clone());
            }
            if !known {
                put3(&mut self.pairs, &f.client, &f.server, &f.service);
            }
            put2(&mut self.server_services, &f.server, &f.service);
            put2(&mut self.client_groups, &f.client, kinds.of(&f.server, &f.service));
            *slot(&mut self.client_sessions, &f.client) += f.connections;
        }
        for x in &all.busy {
            if !self.busy.contains(x.host.as_str()) {
                self.busy.insert(x.host.clone());
            }
            if x.as_server {
                servers.insert(&x.host);
                for v in &x.services {
                    put2(&mut self.server_services, &x.host, v);
                }
            } else {
                clients.insert(&x.host);
                *slot(&mut self.client_hours, &x.host) |= x.hours as u32;
                *slot(&mut self.client_sessions, &x.host) += x.connections;
                if weekend && !self.client_weekend.contains(x.host.as_str()) {
                    self.client_weekend.insert(x.host.clone());
                }
                for v in &x.services {
                    put2(&mut self.client_services, &x.host, v);
                }
            }
        }
        if weekend {
            for c in &clients {
                *slot(&mut self.client_weekend_days, c) += 1;
            }
        }
        for c in clients {
            *slot(&mut self.client_days, c) += 1;
        }
        let mut used: HashSet<(&str, &str)> = HashSet::new();
        for f in &facts.hops {
            used.insert((&f.client, &f.service));
        }
        for x in all.busy.iter().filter(|x| !x.as_server) {
            for v in &x.services {
                used.insert((&x.host, v));
            }
        }
        for (c, v) in used {
            match self.client_service_days.get_mut(&K2(c, v)) {
                Some(n) => *n += 1,
                None => {
                    self.client_service_days.insert((c.to_string(), v.to_string()), 1);
                }
            }
        }
        for x in servers {
            *slot(&mut self.server_days, x) += 1;
        }
    }

    /// Fold a day's continuation patterns in: what relays relayed, what origins reached.
    fn fold_links<'a>(&mut self, facts: &Learnable<'a>, kinds: &mut Kinds<'a>) {
        let mut pivots: HashSet<&str> = HashSet::new();
        for l in &facts.links {
            pivots.insert(&l.pivot);
            *slot(&mut self.pivot_links, &l.pivot) += l.links;
            put2(&mut self.pivot_inbound, &l.pivot, &l.in_client);
            put2(&mut self.pivot_services, &l.pivot, &l.out_service);
            put3(&mut self.pivot_targets, &l.pivot, &l.out_server, &l.out_service);
        }
        for p in pivots {
            *slot(&mut self.pivot_days, p) += 1;
        }
        for l in &facts.links {
            put2(&mut self.reach_any, &l.in_client, &l.out_server);
            put2(&mut self.reach_any_services, &l.in_client, &l.out_service);
        }
        let mut origins: HashSet<&str> = HashSet::new();
        for l in facts.links.iter().filter(|l| l.sole > 0) {
            origins.insert(&l.in_client);
            *self.pattern_count.entry((l.pivot.clone(), l.out_service.clone())).or_default() +=
                l.sole;
            *self.pattern_in_count.entry((l.pivot.clone(), l.in_service.clone())).or_default() +=
                l.sole;
            *slot(&mut self.pattern_total, &l.pivot) += l.sole;
            self.reach_group_any.insert((l.in_client.clone(), group(&l.out_server)));
            put3(&mut self.relay_patterns, &l.pivot, &l.in_service, &l.out_service);
            put3(&mut self.reach, &l.in_client, &l.out_server, &l.out_service);
            put2(&mut self.reach_services, &l.in_client, &l.out_service);
            put2(&mut self.reach_groups, &l.in_client, kinds.of(&l.out_server, &l.out_service));
            let via = slot(&mut self.reached_via, &l.in_client);
            if !via.iter().any(|(p, t)| *p == l.pivot && *t == l.out_server) {
                via.push((l.pivot.clone(), l.out_server.clone()));
            }
        }
        for o in origins {
            *slot(&mut self.reach_days, o) += 1;
        }
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

impl Baseline {
    /// The facts of a day the baseline may learn from: everything but alerted facts whose
    /// pattern has not yet been alerted on `ALERTS_BEFORE_ROUTINE` days (counting this one).
    fn learnable<'a>(&mut self, facts: &'a DayFacts) -> Learnable<'a> {
        let mut out = Learnable::default();
        let mut learned: HashSet<(String, String, String)> = HashSet::new();
        for f in &facts.hops {
            if f.alerted {
                let key = (f.client.clone(), f.server.clone(), f.service.clone());
                if !alerted_once_more(&mut self.alerted_days, key.clone()) {
                    self.withheld += 1;
                    continue;
                }
                learned.insert(key);
            }
            out.hops.push(f);
        }
        // A link fact is learned once its deciding hop is, or once its relay step was part of
        // an alert on `ALERTS_BEFORE_ROUTINE` days (counted once a day).
        let mut steps: HashSet<(&str, &str, &str)> = HashSet::new();
        for l in facts.links.iter().filter(|l| l.alerted) {
            steps.insert((&l.in_client, &l.pivot, &l.out_server));
        }
        let mut routine_steps: HashSet<(&str, &str, &str)> = HashSet::new();
        for (a, p, t) in steps {
            if alerted_once_more(&mut self.alerted_steps, (a.into(), p.into(), t.into())) {
                routine_steps.insert((a, p, t));
            }
        }
        out.links = facts
            .links
            .iter()
            .filter(|l| {
                !l.alerted
                    || learned.contains(&(
                        l.pivot.clone(),
                        l.out_server.clone(),
                        l.out_service.clone(),
                    ))
                    || routine_steps.contains(&(
                        l.in_client.as_str(),
                        l.pivot.as_str(),
                        l.out_server.as_str(),
                    ))
            })
            .collect();
        out
    }
}

/// Count one more day on which `key` (a hop or relay-step pattern) was part of an alert; true
/// once that makes `ALERTS_BEFORE_ROUTINE` days: from then on it is learned as routine.
fn alerted_once_more(
    days: &mut HashMap<(String, String, String), u32>,
    key: (String, String, String),
) -> bool {
    let n = days.entry(key).or_default();
    *n += 1;
    *n >= ALERTS_BEFORE_ROUTINE
}

/// The facts of a day the baseline learns from (see `Baseline::learnable`), borrowed: the
/// baseline is built from hundreds of thousands of facts, and copying each cost more than
/// learning it.
#[derive(Default)]
struct Learnable<'a> {
    hops: Vec<&'a HopFact>,
    links: Vec<&'a LinkFact>,
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
    let read: Vec<std::sync::OnceLock<Result<DayFacts>>> =
        (0..present.len()).map(|_| std::sync::OnceLock::new()).collect();
    let ready = (std::sync::Mutex::new(()), std::sync::Condvar::new());
    let mut b = Baseline { days: present.len(), days_wanted: days, ..Baseline::default() };
    let mut failed: Option<usize> = None;
    let (mut hop_facts, mut link_facts, mut busy) = (0, 0, 0);
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
                            f
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
        let mut kinds = Kinds::default();
        for (i, date) in present.iter().enumerate() {
            let mut guard = ready.0.lock().unwrap_or_else(|e| e.into_inner());
            while read[i].get().is_none() {
                guard = ready.1.wait(guard).unwrap_or_else(|e| e.into_inner());
            }
            drop(guard);
            match read[i].get() {
                Some(Ok(facts)) => {
                    (hop_facts, link_facts) =
                        (hop_facts + facts.hops.len(), link_facts + facts.links.len());
                    busy += facts.busy.len();
                    b.learn_day(*date, facts, &mut kinds);
                }
                Some(Err(_)) => {
                    failed = Some(i);
                    break;
                }
                None => unreachable!("waited until day {i} was read"),
            }
        }
    });
    if let Some(i) = failed {
        let e = read.into_iter().nth(i).and_then(std::sync::OnceLock::into_inner);
        return Err(e
            .and_then(|r| r.err())
            .unwrap_or_else(|| Error::Internal { detail: "a history day failed to read".into() }));
    }
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
