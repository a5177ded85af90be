//! What tonight's chains say about their hosts as a whole, before any chain is scored: which
//! new hosts are backed by the history of others, and which unusual times many origins share.
//!
//! Routine change looks new to a per-host history: a replaced laptop, a new admin, a new jump
//! host or build host has no record of its own. What tells it from an intruder is that it does
//! exactly what known hosts do:
//!
//! - **Twin** (a replacement): a host new in a role whose night matches one known host's record.
//!   A new client is the twin of a known client of the same relay when at least two of the
//!   (relay, target) pairs it reached tonight are pairs that host reached (or all of them, one
//!   at least, and both sit in one network group). A new relay is the twin of a known host that
//!   served the same clients and reached the same targets: shared clients + shared targets ≥ 3
//!   (at least one of each), or all of them (`MOST`: four fifths of its continuations tonight,
//!   by client and by target — a stray session open into it at the time does not count) when
//!   the new relay has no history at all or the known host relays too (an old build host, a
//!   bastion being replaced; not a host that works on its own, `works_on_its_own`). A twin
//!   uses the same services as the host it stands for; hosts with fewer than `YOUNG_DAYS` days
//!   in the role are looked for a twin too (a relay also when it meets more new clients tonight
//!   than it ever had: `outgrown`), and a twin's record counts as the host's own.
//! - **Peers** (a new member of a group): a new client whose network group (`history::group`)
//!   holds known clients of the relay it used, and which reached through it only targets that
//!   relay reaches routinely.
//! - **Commissioned server**: a brand-new server (no admin session to or from it in the
//!   history) reached through relays that are not new themselves.
//! - **Co-clients**: a known client's new server that at least `CO_CLIENTS` hosts sharing
//!   another of its servers (its jump hosts, usually) reach routinely: the second jump host of
//!   a team, a replaced bastion everyone moved to.
//! - **Shared unusual time**: an origin's unusual hour or first weekend is less telling when at
//!   least `SHARED_TIME` other origins start their first hops at such a time within an hour
//!   of it (a maintenance window): the finding weighs half.
//! - **Explained hop**: flows cannot tell which of the sessions open into a relay led to its
//!   next session. What an origin reached through a relay is no evidence against it when
//!   another session open into the relay at the time explains that hop routinely: the relay
//!   routinely relays that inbound service onward over this one when it was the only possible
//!   cause (`LinkFact::sole`), that client itself routinely reached the target, or it opens
//!   the hop's service itself and reached the target before (or the target is new to
//!   everyone). Without such an explanation, the hop is still only as unusual as for the
//!   least surprised of the other possible parents (`Scorer::likelier_parent`). A session
//!   that cannot have led to the hop is no possible parent (`hops::linked`: thin and outlived
//!   by a minute, or outlived by more than twice its length) — the rule a chain's own link is
//!   judged by, now also for the others in the relay tonight. On a relay used ProxyJump-style
//!   (`Baseline::prompt_relay`; a replacement bastion too young to show it is judged by its
//!   predecessor's record), a hop that followed the chain's own login within `PROMPT_MS`
//!   has no parent among the sessions open for longer (`Night::other_parents`). (The history's
//!   link facts still count every candidate as a possible parent: its claims that a host
//!   "never" did something stay conservative.)
//!
//! A host with a record of its own is judged by that record: what others do never excuses a
//! new kind of work it did alone (a stolen admin laptop reaching servers its owner never
//! administers stays an alert even when the relay reaches them for others daily, unless one of
//! those others was on the relay at the time).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::pivot::history::{Baseline, WorkingDay, group, prompt, weekend_at};
use crate::pivot::hops::{Hop, linked};

/// Other origins that must share an unusual time for it to weigh half.
pub const SHARED_TIME: usize = 2;

/// Known clients above which a host is a busy server rather than a jump host: it is not looked
/// through for twins, peers or co-clients (its clients are everyone).
pub const BUSY: usize = 2000;

/// Same network group (`history::group`) without allocating: the text before the last dot of
/// IPv4 addresses, else the parsed groups (a name with dots, as `--leases` gives, is a group of
/// its own).
fn same_group(a: &str, b: &str) -> bool {
    let v4 = |s: &str| s.parse::<std::net::Ipv4Addr>().is_ok();
    match (a.rsplit_once('.'), b.rsplit_once('.')) {
        (Some((x, _)), Some((y, _))) if v4(a) && v4(b) => x == y,
        _ => group(a) == group(b),
    }
}

/// Known clients of `r`, unless it is a busy server.
fn clients_of<'a>(b: &'a Baseline, r: &str) -> &'a [String] {
    match b.clients_of.get(r) {
        Some(c) if c.len() <= BUSY && !b.busy.contains(r) => c,
        _ => &[],
    }
}

/// Hosts sharing a server with a client that must reach its new server to support it.
pub const CO_CLIENTS: usize = 2;

/// Hosts with fewer active days in a role than this are still looked for a twin.
pub const YOUNG_DAYS: u32 = 3;

/// Whether relay `x` has more new inbound clients tonight than it ever had clients (and more
/// than `CO_CLIENTS`): a host still young in its role whatever its days (a bastion put in on
/// a Friday, its weekend days with a session or two, meets most of its users on Monday).
fn outgrown(b: &Baseline, x: &str, clients: &BTreeMap<&str, usize>) -> bool {
    let known = b.clients_of.get(x).map_or(&[][..], Vec::as_slice);
    let new =
        clients.keys().filter(|c| known.binary_search_by(|k| k.as_str().cmp(c)).is_err()).count();
    new > known.len().max(CO_CLIENTS)
}

/// A relayed hop tonight: (relay, target, service, start ms).
pub type HopKey = (String, String, String, i64);

/// The key of a relayed hop in `Night::parents`.
fn hop_key(h: &Hop) -> HopKey {
    (h.client_addr.clone(), h.server_addr.clone(), h.service.clone(), h.start_ms)
}

/// What backs a new host.
#[derive(Debug, Clone, PartialEq)]
pub enum Support {
    /// It does what this known host did (a replacement or a twin): `shared` relations in common.
    Twin {
        /// The known host.
        of: String,
        /// Relations (clients, targets, or relay → target pairs) in common.
        shared: usize,
    },
    /// Known clients of `relay` in its network group, and it reached only `relay`'s routine
    /// targets.
    Peers {
        /// The relay.
        relay: String,
        /// Its known clients in the same group (up to 3 named).
        peers: Vec<String>,
    },
}

impl Support {
    /// The sentence for the reasons.
    pub fn describe(&self, host: &str) -> String {
        match self {
            Support::Twin { of, shared } => format!(
                "{host} does what {of} did ({shared} of the same relations): a replacement or twin of {of}"
            ),
            Support::Peers { relay, peers } => format!(
                "{host} is in the network group of {relay}'s regular clients ({}) and reached through it only servers it routinely reaches: a new member of their team",
                peers.join(", ")
            ),
        }
    }
}

/// Tonight as a whole.
#[derive(Debug, Default)]
pub struct Night {
    /// New or young clients (fewer than `YOUNG_DAYS` days with an admin session in the
    /// history) with support.
    pub clients: HashMap<String, Support>,
    /// New or young relays (fewer than `YOUNG_DAYS` relaying days, or more new inbound clients
    /// tonight than they ever had: `outgrown`) with support.
    pub relays: HashMap<String, Support>,
    /// Brand-new servers (no admin session to or from them in the history) reached tonight
    /// through relays that are not new themselves, and by how many origins: commissioned
    /// servers.
    pub fresh: HashMap<String, usize>,
    /// The possible parents of each relayed hop tonight: (client, service, start ms) of every
    /// session into the relay that can have led to it (`hops::linked`; also those the chain
    /// search cut at `--max-fanout`), the latest start per client and service.
    pub parents: HashMap<HopKey, Vec<(String, String, i64)>>,
    /// Start hours (UTC, as hour of day) of origins whose first hop is at an unusual hour or on
    /// a weekend they never worked: (origin, hour), every such hour of each origin (a
    /// maintenance window's sessions spread over the evening: its earliest hour alone would
    /// leave a colleague's later session without company).
    unusual_times: Vec<(String, i64)>,
    /// The working day of tonight's origins (`Baseline::working_day`), if they keep one.
    working: Option<WorkingDay>,
    /// First hops started outside it: (origin, relay, start ms), a team's window at night.
    off_hours: Vec<(String, String, i64)>,
}

/// How close together the first hops of a team's window at night start, and how many others
/// make one (`Night::shared_time`).
const TEAM_WINDOW_MS: i64 = 30 * 60_000;
const TEAM_WINDOW: usize = 3;

/// Hours between two hours of day, around the clock.
fn hours_apart(a: i64, b: i64) -> i64 {
    let d = (a - b).rem_euclid(24);
    d.min(24 - d)
}

impl Night {
    /// The night of these chains (each a path of hops) against `b`; `hops` and `pairs` are
    /// every hop and candidate continuation (parent, child) of the night, chained or cut.
    pub fn new(paths: &[Vec<&Hop>], hops: &[Hop], pairs: &[(usize, usize)], b: &Baseline) -> Self {
        let mut night = Night::default();
        if b.days == 0 {
            return night;
        }
        for (p, c) in linked(hops, pairs) {
            let (p, c) = (&hops[p], &hops[c]);
            let parents = night.parents.entry(hop_key(c)).or_default();
            match parents.iter_mut().find(|(x, v, _)| *x == p.client_addr && *v == p.service) {
                Some(known) => known.2 = known.2.max(p.start_ms),
                None => parents.push((p.client_addr.clone(), p.service.clone(), p.start_ms)),
            }
        }
        // Tonight's relations.
        // Per relay: its continuations tonight by inbound client and by target.
        let mut inbound: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
        let mut onward: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
        let mut reach: BTreeMap<&str, BTreeSet<(&str, &str, &str)>> = BTreeMap::new();
        let mut unusual: BTreeSet<(&str, i64)> = BTreeSet::new();
        // Sessions each host opened tonight, per service (a twin uses the same services for
        // nearly all of them).
        let mut opened: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
        for p in paths {
            for h in p {
                *opened.entry(&h.client_addr).or_default().entry(&h.service).or_default() += 1;
            }
            for w in p.windows(2) {
                let relay = w[0].server_addr.as_str();
                *inbound.entry(relay).or_default().entry(&w[0].client_addr).or_default() += 1;
                *onward.entry(relay).or_default().entry(&w[1].server_addr).or_default() += 1;
                reach.entry(&w[0].client_addr).or_default().insert((
                    relay,
                    &w[1].server_addr,
                    &w[1].service,
                ));
            }
            let first = p[0];
            if let Some(h) = unusual_start(b, first) {
                unusual.insert((&first.client_addr, h));
            }
        }
        night.unusual_times = unusual.into_iter().map(|(o, h)| (o.to_string(), h)).collect();
        night.working = b.working_day(paths.iter().map(|p| p[0].client_addr.as_str()));
        if let Some(day) = night.working {
            let mut firsts: Vec<(String, String, i64)> = paths
                .iter()
                .map(|p| (&p[0].client_addr, &p[0].server_addr, p[0].start_ms))
                .filter(|(_, _, t)| !day.holds(hour_of(*t)))
                .map(|(o, r, t)| (o.clone(), r.clone(), t))
                .collect();
            firsts.sort();
            firsts.dedup();
            night.off_hours = firsts;
        }
        let young = |days: Option<&u32>| days.copied().unwrap_or(0) < YOUNG_DAYS;
        for (&x, pairs) in &reach {
            if !young(b.client_days.get(x)) {
                continue;
            }
            let svcs = &opened[x];
            if let Some(s) = client_twin(b, x, pairs, svcs).or_else(|| client_peers(b, x, pairs)) {
                night.clients.insert(x.to_string(), s);
            }
        }
        for (&x, clients) in &inbound {
            if !young(b.pivot_days.get(x)) && !outgrown(b, x, clients) {
                continue;
            }
            let targets = &onward[x];
            let svcs = opened.get(x).cloned().unwrap_or_default();
            if let Some(s) = relay_twin(b, x, clients, targets, &svcs) {
                night.relays.insert(x.to_string(), s);
            }
        }
        let mut fresh: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for p in paths {
            for w in p.windows(2) {
                let (relay, t) = (&w[1].client_addr, &w[1].server_addr);
                let usual = b.pivot_days.contains_key(relay) || night.relays.contains_key(relay);
                let brand_new = !b.server_days.contains_key(t) && !b.client_days.contains_key(t);
                if usual && brand_new {
                    fresh.entry(t).or_default().insert(&p[0].client_addr);
                }
            }
        }
        night.fresh = fresh.into_iter().map(|(t, o)| (t.to_string(), o.len())).collect();
        night
    }

    /// Hosts sharing another server with client `c` that reach `s` routinely (up to three;
    /// empty when fewer than `CO_CLIENTS`).
    pub fn co_clients(&self, b: &Baseline, c: &str, s: &str) -> Vec<String> {
        let Some(users) = b.clients_of.get(s) else { return Vec::new() };
        self.co_clients_where(b, c, |x| users.binary_search_by(|u| u.as_str().cmp(x)).is_ok())
    }

    /// Hosts sharing another server with client `c` (its jump hosts, usually) for which `pred`
    /// holds, up to three; empty when fewer than `CO_CLIENTS`.
    pub fn co_clients_where(
        &self,
        b: &Baseline,
        c: &str,
        pred: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        let Some(mine) = b.servers_of.get(c) else { return Vec::new() };
        let mut found: BTreeSet<&str> = BTreeSet::new();
        for m in mine.iter().filter(|m| b.pivot_days.contains_key(m.as_str())) {
            for x in clients_of(b, m) {
                if x != c && !found.contains(x.as_str()) && pred(x) {
                    found.insert(x);
                }
            }
        }
        if found.len() < CO_CLIENTS {
            return Vec::new();
        }
        found.into_iter().take(3).map(str::to_string).collect()
    }

    /// The working day of tonight's origins (`Baseline::working_day`), if they keep one.
    pub fn working(&self) -> Option<WorkingDay> {
        self.working
    }

    /// Was `origin` the only possible parent of `hop` (the session it is relayed from)?
    pub fn only_parent(&self, origin: &str, hop: &Hop) -> bool {
        self.parents.get(&hop_key(hop)).is_some_and(|p| p.iter().all(|(x, _, _)| x == origin))
    }

    /// The known host `x` stands for tonight, as a new client or relay doing its work (a
    /// replaced workstation or bastion): its record counts as `x`'s own.
    pub fn twin(&self, x: &str) -> Option<&str> {
        match self.clients.get(x).or_else(|| self.relays.get(x)) {
            Some(Support::Twin { of, .. }) => Some(of),
            _ => None,
        }
    }

    /// Is `relay` used ProxyJump-style (`Baseline::prompt_relay`)? A relay with too short a
    /// record of its own (fewer than `PROMPT_LINKS` continuations with one possible parent)
    /// that is tonight the twin of a known host (a bastion replaced) is used the way its
    /// predecessor was.
    pub fn prompt_relay(&self, b: &Baseline, relay: &str) -> bool {
        b.prompt_record(relay)
            .unwrap_or_else(|| self.twin(relay).is_some_and(|of| b.prompt_relay(of)))
    }

    /// The other possible parents of `hop` (not `origin`) that its timing leaves possible:
    /// on a relay used ProxyJump-style (`Night::prompt_relay`), a hop that started right
    /// after the chain's own session into the relay (`own_start`, within `PROMPT_MS`) is that
    /// session's, not one of a session open for longer (whose own hop right after its login
    /// came long before). Elsewhere every one.
    pub fn other_parents<'s>(
        &'s self,
        b: &Baseline,
        origin: &'s str,
        hop: &Hop,
        own_start: i64,
    ) -> impl Iterator<Item = &'s (String, String, i64)> + 's {
        let key = hop_key(hop);
        let at = hop.start_ms;
        let timed = self.prompt_relay(b, &hop.client_addr) && prompt(own_start, at);
        self.parents
            .get(&key)
            .into_iter()
            .flatten()
            .filter(move |(x, _, start)| x != origin && (!timed || prompt(*start, at)))
    }

    /// Another session into the relay of `hop` at the time that explains it routinely: its
    /// client (not `origin`), and why. Only sessions that can have led to the hop are parents
    /// (`hops::linked`).
    pub fn explainer(
        &self,
        b: &Baseline,
        origin: &str,
        hop: &Hop,
        own_start: i64,
    ) -> Option<(String, String)> {
        let relay = &hop.client_addr;
        for (x, in_service, _) in self.other_parents(b, origin, hop, own_start) {
            let pattern = (relay.clone(), in_service.clone(), hop.service.clone());
            if b.reach.contains(&(x.clone(), hop.server_addr.clone(), hop.service.clone())) {
                return Some((x.clone(), format!("{x} reaches {} routinely", hop.server_addr)));
            }
            if b.relay_patterns.contains(&pattern) {
                return Some((
                    x.clone(),
                    format!(
                        "{relay} relays {in_service} sessions onward over {} routinely",
                        hop.service
                    ),
                ));
            }
            if b.reach_services.contains(&(x.clone(), hop.service.clone())) {
                return Some((
                    x.clone(),
                    format!("{x} reaches servers over {} through relays routinely", hop.service),
                ));
            }
            // Its other relays relay its inbound service onward over this one for a lone session.
            let elsewhere = b.servers_of.get(x).into_iter().flatten().find(|r| {
                b.relay_patterns.contains(&(r.to_string(), in_service.clone(), hop.service.clone()))
            });
            // It opens this service itself and reached the target before (directly, or as one
            // of the sessions into a relay that went on to it), or the target is new to
            // everyone (whoever reaches it first reaches it anew).
            let (t, v) = (&hop.server_addr, &hop.service);
            let own = b.pairs.contains(&(x.clone(), t.clone(), v.clone()))
                || b.reach_any.contains(&(x.clone(), t.clone()));
            if b.client_services.contains(&(x.clone(), v.clone()))
                && (own || !b.server_days.contains_key(t.as_str()))
            {
                let why = if own {
                    format!("{x} opens {v} sessions itself and reaches {t}")
                } else {
                    format!("{x} opens {v} sessions itself and {t} is new to everyone")
                };
                return Some((x.clone(), why));
            }
            if let Some(r) = elsewhere {
                return Some((
                    x.clone(),
                    format!(
                        "{x} uses {r}, which relays {in_service} sessions onward over {} routinely",
                        hop.service
                    ),
                ));
            }
        }
        None
    }

    /// Whether `origin`'s first hop into `relay` at `start_ms` shares its time with others
    /// tonight, and how many: `SHARED_TIME` other origins that started within an hour of its
    /// hour at a time unusual for them (a maintenance window); or, when it started outside the
    /// working day of tonight's origins, `TEAM_WINDOW` other origins into the same relay within
    /// `TEAM_WINDOW_MS` of it, whatever their own hours (a team's window at night, some of whom
    /// have worked nights before).
    pub fn shared_time(&self, origin: &str, relay: &str, start_ms: i64) -> Option<usize> {
        let hour = hour_of(start_ms);
        let unusual = self
            .unusual_times
            .iter()
            .filter(|(o, h)| o != origin && hours_apart(*h, hour) <= 1)
            .map(|(o, _)| o)
            .collect::<BTreeSet<_>>()
            .len();
        if unusual >= SHARED_TIME {
            return Some(unusual);
        }
        if self.working.is_none_or(|day| day.holds(hour)) {
            return None;
        }
        let team: BTreeSet<&str> = self
            .off_hours
            .iter()
            .filter(|(o, r, t)| o != origin && r == relay && (t - start_ms).abs() <= TEAM_WINDOW_MS)
            .map(|(o, _, _)| o.as_str())
            .collect();
        (team.len() >= TEAM_WINDOW).then_some(team.len())
    }
}

/// The UTC hour of day of `ms` (`history::hour_of`), for hour arithmetic in i64.
fn hour_of(ms: i64) -> i64 {
    i64::from(crate::pivot::history::hour_of(ms))
}

/// The UTC hour of `h`'s start when it is unusual for its client: two hours or more from any
/// hour it ever started an admin session, or on a weekend when it never worked one.
pub fn unusual_start(b: &Baseline, h: &Hop) -> Option<i64> {
    let c = &h.client_addr;
    b.client_days.get(c)?;
    let hour = hour_of(h.start_ms);
    let mask = b.client_hours.get(c).copied().unwrap_or(0);
    let away = (0..24).filter(|k| mask & (1 << k) != 0).map(|k| hours_apart(k, hour)).min();
    let weekend =
        weekend_at(h.start_ms, b.zone) && b.weekend_days > 0 && !b.client_weekend.contains(c);
    (away.unwrap_or(0) >= 2 || weekend).then_some(hour)
}

/// A known client of the same relays that reached the same (relay, target) pairs.
fn client_twin(
    b: &Baseline,
    x: &str,
    pairs: &BTreeSet<(&str, &str, &str)>,
    svcs: &BTreeMap<&str, usize>,
) -> Option<Support> {
    let mut best: Option<(usize, &str)> = None;
    let relays: BTreeSet<&str> = pairs.iter().map(|p| p.0).collect();
    for r in relays {
        for y in clients_of(b, r) {
            let same = most(svcs, |v| b.client_services.contains(&(y.clone(), v.to_string())));
            if y == x || !same {
                continue;
            }
            let via = b.reached_via.get(y.as_str());
            let shared = pairs
                .iter()
                .filter(|(p, t, _)| {
                    via.is_some_and(|v| v.iter().any(|(vp, vt)| vp == p && vt == t))
                })
                .count();
            let enough =
                shared >= 2 || (shared >= 1 && shared == pairs.len() && group(y) == group(x));
            if enough && best.is_none_or(|(n, _)| shared > n) {
                best = Some((shared, y));
            }
        }
    }
    best.map(|(shared, y)| Support::Twin { of: y.to_string(), shared })
}

/// Known clients of the relay in `x`'s group, and only routine targets reached through it.
fn client_peers(b: &Baseline, x: &str, pairs: &BTreeSet<(&str, &str, &str)>) -> Option<Support> {
    let relays: BTreeSet<&str> = pairs.iter().map(|p| p.0).collect();
    for r in relays {
        let routine = pairs.iter().filter(|p| p.0 == r).all(|(p, t, v)| {
            b.pivot_targets.contains(&(p.to_string(), t.to_string(), v.to_string()))
        });
        let peers: Vec<String> = clients_of(b, r)
            .iter()
            .filter(|y| y.as_str() != x && same_group(y, x))
            .take(3)
            .cloned()
            .collect();
        if routine && !peers.is_empty() {
            return Some(Support::Peers { relay: r.to_string(), peers });
        }
    }
    None
}

/// Share (of 5) that counts as "all of it": of a relay's continuations tonight, those with
/// clients and targets of a known host for it to do what that host does (but for a stray
/// session); of a twin's sessions, those over services the known host used.
pub const MOST: usize = 4;

/// Do at least `MOST` fifths of the sessions counted in `n` (per host or per service) have
/// `ok` keys?
fn most(n: &BTreeMap<&str, usize>, ok: impl Fn(&str) -> bool) -> bool {
    let total: usize = n.values().sum();
    let good: usize = n.iter().filter(|(h, _)| ok(h)).map(|(_, k)| *k).sum();
    total > 0 && good * 5 >= total * MOST
}

/// A known host that served these clients and reached these targets.
fn relay_twin(
    b: &Baseline,
    x: &str,
    clients: &BTreeMap<&str, usize>,
    targets: &BTreeMap<&str, usize>,
    svcs: &BTreeMap<&str, usize>,
) -> Option<Support> {
    let brand_new = !b.server_days.contains_key(x) && !b.client_days.contains_key(x);
    // A host with an established record of its own (a workstation seen for days) that starts
    // relaying stands for another only if that one relayed for (nearly) every one of its inbound
    // clients to every one of its targets tonight (a server turned build agent); sharing
    // clients and servers is not enough (every workstation the helpdesk visits shares those).
    // "Nearly": `MOST` of tonight's continuations through it, by inbound client and by target
    // (a stray session that happened to be open into it at the time is no reason to doubt it).
    // A host that relayed on most of its days (a bastion, young or outgrown: `outgrown`) is a
    // relay in its own right, not a host with work of its own that started relaying.
    let days = b.server_days.get(x).max(b.client_days.get(x)).copied().unwrap_or(0);
    let relaying = b.pivot_days.get(x).copied().unwrap_or(0);
    let established = days >= YOUNG_DAYS && 2 * relaying < days;
    let relayed_all = |y: &str| {
        most(clients, |c| b.pivot_inbound.contains(&(y.to_string(), c.to_string())))
            && most(targets, |t| {
                svcs.keys().any(|v| {
                    b.pivot_targets.contains(&(y.to_string(), t.to_string(), v.to_string()))
                })
            })
    };
    let mut candidates: BTreeSet<&str> = BTreeSet::new();
    for c in clients.keys() {
        for y in b.servers_of.get(*c).into_iter().flatten() {
            if y != x {
                candidates.insert(y);
            }
        }
    }
    let mut best: Option<(usize, &str)> = None;
    for y in candidates {
        let same = most(svcs, |v| {
            b.client_services.contains(&(y.to_string(), v.to_string()))
                || b.pivot_services.contains(&(y.to_string(), v.to_string()))
        });
        if !same {
            continue;
        }
        if established && !relayed_all(y) {
            continue;
        }
        let served = b.clients_of.get(y);
        let reached = b.servers_of.get(y);
        let has = |list: Option<&Vec<String>>, x: &str| {
            list.is_some_and(|l| l.binary_search_by(|z| z.as_str().cmp(x)).is_ok())
        };
        let sc = clients.keys().filter(|c| has(served, c)).count();
        let st = targets.keys().filter(|t| has(reached, t)).count();
        let all = most(clients, |c| has(served, c)) && most(targets, |t| has(reached, t));
        // A host that relays itself (an old build host, the bastion being replaced) is a
        // twin for any host that does all it does tonight; one that mostly works on its own
        // (a config-management host whose fan-out met an admin's session) is no relay.
        let relays = b.pivot_days.contains_key(y) && !works_on_its_own(b, y);
        let enough = sc >= 1 && st >= 1 && (sc + st >= 3 || (all && (brand_new || relays)));
        if enough && best.is_none_or(|(n, _)| sc + st > n) {
            best = Some((sc + st, y));
        }
    }
    best.map(|(shared, y)| Support::Twin { of: y.to_string(), shared })
}

/// Sessions a host opened for each continuation through it (`OWN_WORK`), above which what it
/// reaches is its own work (hourly fan-out), not what its clients did through it. A relay opens
/// (nearly) every session while someone is in it: one continuation or more per session.
pub const OWN_WORK: i64 = 3;

/// Whether `y` opened `OWN_WORK` times more sessions than there were continuations through it
/// (ambiguous ones included): a host that works on its own, whose "continuations" are its work
/// meeting someone's session into it.
fn works_on_its_own(b: &Baseline, y: &str) -> bool {
    let own = b.client_sessions.get(y).copied().unwrap_or(0);
    let relayed = b.pivot_links.get(y).copied().unwrap_or(0);
    own > OWN_WORK * relayed.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_turned_build_agent_is_the_old_build_hosts_twin_despite_a_stray_session() {
        // Y, the old build host, relays for the CI runner C to the git server G. X, a server
        // for days, starts doing the same tonight: 11 continuations C → X → G, and one from a
        // workstation W whose session happened to be open into X at the time.
        let mut b = Baseline { days: 8, ..Baseline::default() };
        let s = |x: &str| x.to_string();
        b.server_days.insert(s("X"), 8);
        b.pivot_days.insert(s("Y"), 8);
        b.pivot_inbound.insert((s("Y"), s("C")));
        b.pivot_targets.insert((s("Y"), s("G"), s("ssh")));
        b.pivot_services.insert((s("Y"), s("ssh")));
        b.clients_of.insert(s("Y"), vec![s("C")]);
        b.servers_of.insert(s("Y"), vec![s("G")]);
        b.servers_of.insert(s("C"), vec![s("Y")]);
        let svcs: BTreeMap<&str, usize> = [("ssh", 12)].into();
        let targets: BTreeMap<&str, usize> = [("G", 12)].into();
        let twin = |clients: &[(&'static str, usize)]| {
            let clients: BTreeMap<&str, usize> = clients.iter().copied().collect();
            relay_twin(&b, "X", &clients, &targets, &svcs)
        };
        assert!(
            matches!(twin(&[("C", 11), ("W", 1)]), Some(Support::Twin { ref of, .. }) if of == "Y"),
            "one stray session among twelve"
        );
        assert_eq!(twin(&[("C", 1), ("W", 1)]), None, "half of it is not what Y does");
    }

    #[test]
    fn a_new_relay_is_no_twin_of_a_host_that_works_on_its_own() {
        // Y fans out to servers on its own all day (config management); once W's session into
        // Y was open while Y went to T. Tonight W goes through X, a server for days, to T.
        let s = |x: &str| x.to_string();
        let base = |own: i64, links: i64| {
            let mut b = Baseline { days: 8, ..Baseline::default() };
            b.server_days.insert(s("X"), 8);
            b.pivot_days.insert(s("Y"), 1);
            b.pivot_inbound.insert((s("Y"), s("W")));
            b.pivot_targets.insert((s("Y"), s("T"), s("ssh")));
            b.pivot_services.insert((s("Y"), s("ssh")));
            b.client_services.insert((s("Y"), s("ssh")));
            b.clients_of.insert(s("Y"), vec![s("W")]);
            b.servers_of.insert(s("Y"), vec![s("T")]);
            b.servers_of.insert(s("W"), vec![s("Y")]);
            b.client_sessions.insert(s("Y"), own);
            b.pivot_links.insert(s("Y"), links);
            b
        };
        let (svcs, targets, clients): (BTreeMap<&str, usize>, BTreeMap<&str, usize>, _) =
            ([("ssh", 1)].into(), [("T", 1)].into(), [("W", 1)].into());
        let twin = |b: &Baseline| relay_twin(b, "X", &clients, &targets, &svcs);
        // 2 400 sessions of its own a day, 30 of them while someone was in it: not a relay.
        assert_eq!(twin(&base(8 * 2400, 30)), None);
        // A jump host opens its sessions while someone is in it: X may stand for it.
        assert!(matches!(twin(&base(300, 320)), Some(Support::Twin { ref of, .. }) if of == "Y"));
    }

    fn hop(c: &str, s: &str, start_ms: i64) -> Hop {
        Hop {
            client_addr: c.into(),
            server_addr: s.into(),
            service: "ssh".into(),
            start_ms,
            end_ms: start_ms + 1_800_000,
            sessions: 1,
            ..Hop::default()
        }
    }

    /// The night of two-hop chains `hops[2k] → hops[2k + 1]`.
    fn two_hop_night(hops: &[Hop], b: &Baseline) -> Night {
        let pairs: Vec<(usize, usize)> = (0..hops.len() / 2).map(|k| (2 * k, 2 * k + 1)).collect();
        let paths: Vec<Vec<&Hop>> = pairs.iter().map(|&(p, c)| vec![&hops[p], &hops[c]]).collect();
        Night::new(&paths, hops, &pairs, b)
    }

    /// 2026-11-14 (a Saturday) at `h`:`m` UTC.
    fn sat(h: i64, m: i64) -> i64 {
        1_794_614_400_000 + (h * 60 + m) * 60_000
    }

    #[test]
    fn a_maintenance_window_spread_over_the_evening_is_shared_time_for_each_session() {
        // Three admins who work 09-17 on weekdays, in at a maintenance Saturday evening: A at
        // 19:05 and 22:10, B at 19:20 and 21:30, C at 22:15. C's 22:15 shares its time with
        // A's 22:10 and B's 21:30 (their earliest starts, 19:xx, are three hours away).
        let s = |x: &str| x.to_string();
        let mut b = Baseline { days: 8, weekend_days: 2, ..Baseline::default() };
        for o in ["A", "B", "C"] {
            b.client_days.insert(s(o), 8);
            b.client_hours.insert(s(o), (9..17).fold(0, |m, h| m | 1 << h));
        }
        let starts = [
            ("A", sat(19, 5)),
            ("A", sat(22, 10)),
            ("B", sat(19, 20)),
            ("B", sat(21, 30)),
            ("C", sat(22, 15)),
        ];
        let hops: Vec<Hop> =
            starts.iter().flat_map(|&(o, t)| [hop(o, "J", t), hop("J", "S", t + 60_000)]).collect();
        let night = two_hop_night(&hops, &b);
        assert_eq!(night.shared_time("C", "J", sat(22, 15)), Some(2));
        // At 19:05 only B is near: no window.
        assert_eq!(night.shared_time("A", "J", sat(19, 5)), None);
    }

    #[test]
    fn a_bastion_put_in_before_a_weekend_stands_for_the_one_it_replaced_on_monday() {
        // Y, the old bastion, relayed for A..E to S1..S3 for days, then went quiet. X took its
        // place on a Friday: three relaying days (Friday, and a session each weekend day), one
        // client. On Monday A..E all come through X to S1..S3.
        let s = |x: &str| x.to_string();
        let mut b = Baseline { days: 8, ..Baseline::default() };
        let admins = ["A", "B", "C", "D", "E"];
        let servers = ["S1", "S2", "S3"];
        b.pivot_days.insert(s("Y"), 4);
        b.server_days.insert(s("Y"), 4);
        b.client_services.insert((s("Y"), s("ssh")));
        b.pivot_services.insert((s("Y"), s("ssh")));
        b.clients_of.insert(s("Y"), admins.iter().map(|a| s(a)).collect());
        b.servers_of.insert(s("Y"), servers.iter().map(|t| s(t)).collect());
        for a in admins {
            b.pivot_inbound.insert((s("Y"), s(a)));
            b.servers_of.insert(s(a), vec![s("Y")]);
        }
        for t in servers {
            b.pivot_targets.insert((s("Y"), s(t), s("ssh")));
        }
        b.pivot_days.insert(s("X"), 3);
        b.server_days.insert(s("X"), 3);
        b.clients_of.insert(s("X"), vec![s("A")]);
        let monday = sat(48 + 10, 0);
        let hops: Vec<Hop> = admins
            .iter()
            .enumerate()
            .flat_map(|(k, a)| {
                let t = monday + k as i64 * 600_000;
                [hop(a, "X", t), hop("X", servers[k % 3], t + 60_000)]
            })
            .collect();
        let night = two_hop_night(&hops, &b);
        assert!(
            matches!(night.relays.get("X"), Some(Support::Twin { of, .. }) if of == "Y"),
            "{:?}",
            night.relays
        );
        // Two new clients are no reason to doubt a host's three days in the role.
        let few = two_hop_night(&hops[..4], &b);
        assert!(!few.relays.contains_key("X"), "{:?}", few.relays);
        // Y was used ProxyJump-style (hops right after the login); X has too few continuations
        // of its own to show how it is used, so it is judged by Y's record: a hop right after
        // E's login is E's, not that of D, who came in ten minutes before.
        assert!(!night.prompt_relay(&b, "X"));
        b.pattern_total.insert(s("Y"), 20);
        b.pattern_prompt.insert(s("Y"), 15);
        let mut night = two_hop_night(&hops, &b);
        assert!(night.prompt_relay(&b, "X"));
        let (e_in, e_out) = (&hops[8], &hops[9]);
        let d_in = ("D".to_string(), "ssh".to_string(), e_in.start_ms - 600_000);
        night.parents.get_mut(&hop_key(e_out)).unwrap().push(d_in);
        assert_eq!(night.other_parents(&b, "E", e_out, e_in.start_ms).count(), 0);
        // With a record of its own that says otherwise, X is judged by that.
        b.pattern_total.insert(s("X"), 12);
        b.pattern_prompt.insert(s("X"), 1);
        assert!(!night.prompt_relay(&b, "X"));
        assert_eq!(night.other_parents(&b, "E", e_out, e_in.start_ms).count(), 1);
    }
}
