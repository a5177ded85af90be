//! Learning the baseline with names as numbers. A month of history is hundreds of thousands of
//! facts, each a dozen set and map operations on (host, host, service) keys: with the names as
//! text every one hashed and compared strings (~0.9 µs a fact, most of a 100 M-flow night's
//! learning). Here each day's facts are first numbered on the thread that read them (`Day::of`:
//! the day's own table of names), the learner maps the day's numbers to its own once per name
//! and learns on integer keys, and `Learner::finish` writes the result back as text into the
//! `Baseline` the scorer reads: the same baseline, built by the same rules in the same order.

use chrono::NaiveDate;
use hashbrown::{HashMap, HashSet};

use super::{ALERTS_BEFORE_ROUTINE, Baseline, DayFacts, Novelty, group, is_weekend, kind};

/// A name (host, service, network group or server kind) as a number.
type Id = u32;

/// One hop fact, numbered (see `HopFact`).
#[derive(Clone, Copy)]
struct Hop {
    client: Id,
    server: Id,
    service: Id,
    connections: i64,
    hours: i32,
    alerted: bool,
}

/// One link fact, numbered (see `LinkFact`).
#[derive(Clone, Copy)]
struct Link {
    in_client: Id,
    pivot: Id,
    out_server: Id,
    in_service: Id,
    out_service: Id,
    links: i64,
    sole: i64,
    prompt: i64,
    alerted: bool,
}

impl Link {
    /// The same link with its names renumbered by `m`.
    fn renamed(&self, m: impl Fn(Id) -> Id) -> Link {
        let [in_client, pivot, out_server, in_service, out_service] =
            [self.in_client, self.pivot, self.out_server, self.in_service, self.out_service].map(m);
        Link { in_client, pivot, out_server, in_service, out_service, ..*self }
    }
}

/// One busy host's summed facts, numbered (see `BusyFact`).
#[derive(Clone)]
struct Busy {
    host: Id,
    as_server: bool,
    services: Vec<Id>,
    hours: i32,
    connections: i64,
}

/// A day's facts with its names numbered in its own table `names`, in order of first
/// appearance (the learner maps them to its numbers).
pub(super) struct Day {
    names: Vec<String>,
    hops: Vec<Hop>,
    links: Vec<Link>,
    busy: Vec<Busy>,
}

impl Day {
    /// Number the names of `facts` (each distinct name hashed once per fact, no copy but one
    /// per distinct name).
    pub(super) fn of(facts: &DayFacts) -> Day {
        let mut table = Numbering::default();
        let hops = facts
            .hops
            .iter()
            .map(|f| Hop {
                client: table.id(&f.client),
                server: table.id(&f.server),
                service: table.id(&f.service),
                connections: f.connections,
                hours: f.hours,
                alerted: f.alerted,
            })
            .collect();
        let links = facts
            .links
            .iter()
            .map(|l| Link {
                in_client: table.id(&l.in_client),
                pivot: table.id(&l.pivot),
                out_server: table.id(&l.out_server),
                in_service: table.id(&l.in_service),
                out_service: table.id(&l.out_service),
                links: l.links,
                sole: l.sole,
                prompt: l.prompt,
                alerted: l.alerted,
            })
            .collect();
        let busy = facts
            .busy
            .iter()
            .map(|x| Busy {
                host: table.id(&x.host),
                as_server: x.as_server,
                services: x.services.iter().map(|v| table.id(v)).collect(),
                hours: x.hours,
                connections: x.connections,
            })
            .collect();
        Day { names: table.names.into_iter().map(str::to_string).collect(), hops, links, busy }
    }

    /// Hop facts and link facts of the day (for the log).
    pub(super) fn sizes(&self) -> (usize, usize, usize) {
        (self.hops.len(), self.links.len(), self.busy.len())
    }
}

/// Names numbered in order of first appearance, borrowed from the facts they come from (a
/// day's table here; the host index's names too).
#[derive(Default)]
pub(super) struct Numbering<'a> {
    ids: HashMap<&'a str, Id>,
    /// The names, by number.
    pub(super) names: Vec<&'a str>,
}

impl<'a> Numbering<'a> {
    /// The number of `s`, a new one when it is new.
    pub(super) fn id(&mut self, s: &'a str) -> Id {
        let next = self.names.len() as Id;
        *self.ids.entry(s).or_insert_with(|| {
            self.names.push(s);
            next
        })
    }
}

/// The baseline being learned, day after day, on numbers (the fields mean what `Baseline`'s
/// of the same names do).
#[derive(Default)]
pub(super) struct Learner {
    ids: HashMap<String, Id>,
    names: Vec<String>,
    /// `kind(server, service)` of every (server, service) met, as a number.
    kinds: HashMap<(Id, Id), Id>,
    /// `group(host)` of every host met, as a number.
    groups: HashMap<Id, Id>,
    weekend_days: usize,
    client_days: HashMap<Id, u32>,
    client_services: HashSet<(Id, Id)>,
    client_hours: HashMap<Id, u32>,
    client_weekend: HashSet<Id>,
    client_weekend_days: HashMap<Id, u32>,
    client_new_pairs: HashMap<Id, Novelty>,
    pairs: HashSet<(Id, Id, Id)>,
    server_services: HashSet<(Id, Id)>,
    server_new_clients: HashMap<Id, Novelty>,
    server_days: HashMap<Id, u32>,
    pivot_days: HashMap<Id, u32>,
    pivot_services: HashSet<(Id, Id)>,
    pivot_targets: HashSet<(Id, Id, Id)>,
    pivot_new_targets: HashMap<Id, Novelty>,
    pivot_inbound: HashSet<(Id, Id)>,
    pivot_new_inbound: HashMap<Id, Novelty>,
    alerted_days: HashMap<(Id, Id, Id), u32>,
    alerted_steps: HashMap<(Id, Id, Id), u32>,
    withheld: usize,
    client_new_groups: HashMap<Id, Novelty>,
    client_groups: HashSet<(Id, Id)>,
    reach_days: HashMap<Id, u32>,
    reach: HashSet<(Id, Id, Id)>,
    reach_services: HashSet<(Id, Id)>,
    reach_new_targets: HashMap<Id, Novelty>,
    reached_via: HashMap<Id, Vec<(Id, Id)>>,
    busy: HashSet<Id>,
    relay_patterns: HashSet<(Id, Id, Id)>,
    pattern_count: HashMap<(Id, Id), i64>,
    pattern_in_count: HashMap<(Id, Id), i64>,
    pattern_total: HashMap<Id, i64>,
    pattern_prompt: HashMap<Id, i64>,
    pivot_links: HashMap<Id, i64>,
    client_sessions: HashMap<Id, i64>,
    client_service_days: HashMap<(Id, Id), u32>,
    reach_any: HashSet<(Id, Id)>,
    reach_any_services: HashSet<(Id, Id)>,
    reach_group_any: HashSet<(Id, Id)>,
}

impl Learner {
    fn intern(&mut self, s: &str) -> Id {
        if let Some(&n) = self.ids.get(s) {
            return n;
        }
        let n = self.names.len() as Id;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), n);
        n
    }

    fn kind(&mut self, server: Id, service: Id) -> Id {
        if let Some(&k) = self.kinds.get(&(server, service)) {
            return k;
        }
        let text = kind(&self.names[server as usize], &self.names[service as usize]);
        let k = self.intern(&text);
        self.kinds.insert((server, service), k);
        k
    }

    fn group(&mut self, host: Id) -> Id {
        if let Some(&g) = self.groups.get(&host) {
            return g;
        }
        let text = group(&self.names[host as usize]);
        let g = self.intern(&text);
        self.groups.insert(host, g);
        g
    }

    /// Fold in one day, after the days before it.
    pub(super) fn learn_day(&mut self, date: NaiveDate, day: &Day) {
        // The day's numbers as the learner's.
        let to: Vec<Id> = day.names.iter().map(|n| self.intern(n)).collect();
        let m = |i: Id| to[i as usize];
        let hops: Vec<Hop> = day
            .hops
            .iter()
            .map(|f| Hop { client: m(f.client), server: m(f.server), service: m(f.service), ..*f })
            .collect();
        let links: Vec<Link> = day.links.iter().map(|l| l.renamed(m)).collect();
        let busy: Vec<Busy> = day
            .busy
            .iter()
            .map(|x| Busy {
                host: m(x.host),
                services: x.services.iter().map(|&v| m(v)).collect(),
                ..x.clone()
            })
            .collect();
        let (hops, links) = self.learnable(&hops, &links);
        let weekend = is_weekend(date);
        self.weekend_days += usize::from(weekend);
        // Whether each fact's (client, server, service) was known before today.
        let known: Vec<bool> =
            hops.iter().map(|f| self.pairs.contains(&(f.client, f.server, f.service))).collect();
        // What was new today is judged against the days before, then today is folded in.
        self.client_novelty(&hops, &busy, &known);
        self.reach_novelty(&links);
        self.server_novelty(&hops, &busy, &known);
        self.pivot_novelty(&links);
        self.fold_connections(&hops, &busy, &known, weekend);
        self.fold_links(&links);
    }

    /// The facts of a day the baseline may learn from: every fact but alerted ones whose
    /// pattern has not yet been alerted on `ALERTS_BEFORE_ROUTINE` days, counting this one; a
    /// link fact once its deciding hop is learned or its relay step was part of an alert on
    /// that many days (each counted once a day).
    fn learnable(&mut self, hops: &[Hop], links: &[Link]) -> (Vec<Hop>, Vec<Link>) {
        let mut out = Vec::with_capacity(hops.len());
        let mut learned: HashSet<(Id, Id, Id)> = HashSet::new();
        for f in hops {
            if f.alerted {
                let key = (f.client, f.server, f.service);
                if !alerted_once_more(&mut self.alerted_days, key) {
                    self.withheld += 1;
                    continue;
                }
                learned.insert(key);
            }
            out.push(*f);
        }
        let steps: HashSet<(Id, Id, Id)> = links
            .iter()
            .filter(|l| l.alerted)
            .map(|l| (l.in_client, l.pivot, l.out_server))
            .collect();
        let mut routine_steps: HashSet<(Id, Id, Id)> = HashSet::new();
        for step in steps {
            if alerted_once_more(&mut self.alerted_steps, step) {
                routine_steps.insert(step);
            }
        }
        let links = links
            .iter()
            .filter(|l| {
                !l.alerted
                    || learned.contains(&(l.pivot, l.out_server, l.out_service))
                    || routine_steps.contains(&(l.in_client, l.pivot, l.out_server))
            })
            .copied()
            .collect();
        (out, links)
    }

    /// Per client: a day with a new (server, service), and of those, one in a new kind.
    fn client_novelty(&mut self, hops: &[Hop], busy: &[Busy], known: &[bool]) {
        let mut new_pair: HashMap<Id, bool> = HashMap::new();
        for (f, &known) in hops.iter().zip(known) {
            *new_pair.entry(f.client).or_default() |= !known;
        }
        for x in busy.iter().filter(|x| !x.as_server) {
            new_pair.insert(x.host, true);
        }
        for (client, novel) in new_pair {
            let before = self.client_days.contains_key(&client);
            self.client_new_pairs.entry(client).or_default().record(before, novel);
        }
        // Of the clients' days with a new server: was one in a new group?
        let mut new_group: HashMap<Id, (bool, bool)> = HashMap::new();
        for (f, &known) in hops.iter().zip(known) {
            let novel_group = !known && {
                let k = self.kind(f.server, f.service);
                !self.client_groups.contains(&(f.client, k))
            };
            let e = new_group.entry(f.client).or_default();
            if !known {
                e.0 = true;
                e.1 |= novel_group;
            }
        }
        for (client, (novel, novel_group)) in new_group {
            if self.client_days.contains_key(&client) && novel {
                self.client_new_groups.entry(client).or_default().record(true, novel_group);
            }
        }
    }

    /// Per origin: a reaching day with a new end target.
    fn reach_novelty(&mut self, links: &[Link]) {
        let mut new_reach: HashMap<Id, bool> = HashMap::new();
        for l in links.iter().filter(|l| l.sole > 0) {
            let novel = !self.reach.contains(&(l.in_client, l.out_server, l.out_service));
            *new_reach.entry(l.in_client).or_default() |= novel;
        }
        for (origin, novel) in new_reach {
            let before = self.reach_days.contains_key(&origin);
            self.reach_new_targets.entry(origin).or_default().record(before, novel);
        }
    }

    /// Per server: a day with a new (client, service); a busy server's day always counts.
    fn server_novelty(&mut self, hops: &[Hop], busy: &[Busy], known: &[bool]) {
        let mut new_client: HashMap<Id, bool> = HashMap::new();
        for (f, &known) in hops.iter().zip(known) {
            *new_client.entry(f.server).or_default() |= !known;
        }
        for x in busy.iter().filter(|x| x.as_server) {
            new_client.insert(x.host, true);
        }
        for (server, novel) in new_client {
            let before = self.server_days.contains_key(&server);
            self.server_new_clients.entry(server).or_default().record(before, novel);
        }
    }

    /// Per relay: a relaying day with a new inbound client, and one with a new target.
    fn pivot_novelty(&mut self, links: &[Link]) {
        let mut new_inbound: HashMap<Id, bool> = HashMap::new();
        let mut new_target: HashMap<Id, bool> = HashMap::new();
        for l in links {
            *new_inbound.entry(l.pivot).or_default() |=
                !self.pivot_inbound.contains(&(l.pivot, l.in_client));
            *new_target.entry(l.pivot).or_default() |=
                !self.pivot_targets.contains(&(l.pivot, l.out_server, l.out_service));
        }
        for (pivot, novel) in new_inbound {
            let before = self.pivot_days.contains_key(&pivot);
            self.pivot_new_inbound.entry(pivot).or_default().record(before, novel);
        }
        for (pivot, novel) in new_target {
            let before = self.pivot_days.contains_key(&pivot);
            self.pivot_new_targets.entry(pivot).or_default().record(before, novel);
        }
    }

    /// Fold a day's admin connections (and its busy hosts' summaries) in.
    fn fold_connections(&mut self, hops: &[Hop], busy: &[Busy], known: &[bool], weekend: bool) {
        let mut clients: HashSet<Id> = HashSet::new();
        let mut servers: HashSet<Id> = HashSet::new();
        for (f, &known) in hops.iter().zip(known) {
            clients.insert(f.client);
            servers.insert(f.server);
            self.client_services.insert((f.client, f.service));
            *self.client_hours.entry(f.client).or_default() |= f.hours as u32;
            if weekend {
                self.client_weekend.insert(f.client);
            }
            if !known {
                self.pairs.insert((f.client, f.server, f.service));
            }
            self.server_services.insert((f.server, f.service));
            let k = self.kind(f.server, f.service);
            self.client_groups.insert((f.client, k));
            *self.client_sessions.entry(f.client).or_default() += f.connections;
        }
        for x in busy {
            self.busy.insert(x.host);
            if x.as_server {
                servers.insert(x.host);
                for &v in &x.services {
                    self.server_services.insert((x.host, v));
                }
            } else {
                clients.insert(x.host);
                *self.client_hours.entry(x.host).or_default() |= x.hours as u32;
                *self.client_sessions.entry(x.host).or_default() += x.connections;
                if weekend {
                    self.client_weekend.insert(x.host);
                }
                for &v in &x.services {
                    self.client_services.insert((x.host, v));
                }
            }
        }
        if weekend {
            for &c in &clients {
                *self.client_weekend_days.entry(c).or_default() += 1;
            }
        }
        for c in clients {
            *self.client_days.entry(c).or_default() += 1;
        }
        let mut used: HashSet<(Id, Id)> = hops.iter().map(|f| (f.client, f.service)).collect();
        for x in busy.iter().filter(|x| !x.as_server) {
            used.extend(x.services.iter().map(|&v| (x.host, v)));
        }
        for key in used {
            *self.client_service_days.entry(key).or_default() += 1;
        }
        for x in servers {
            *self.server_days.entry(x).or_default() += 1;
        }
    }

    /// Fold a day's continuation patterns in: what relays relayed, what origins reached.
    fn fold_links(&mut self, links: &[Link]) {
        let mut pivots: HashSet<Id> = HashSet::new();
        for l in links {
            pivots.insert(l.pivot);
            *self.pivot_links.entry(l.pivot).or_default() += l.links;
            self.pivot_inbound.insert((l.pivot, l.in_client));
            self.pivot_services.insert((l.pivot, l.out_service));
            self.pivot_targets.insert((l.pivot, l.out_server, l.out_service));
            self.reach_any.insert((l.in_client, l.out_server));
            self.reach_any_services.insert((l.in_client, l.out_service));
        }
        for p in pivots {
            *self.pivot_days.entry(p).or_default() += 1;
        }
        let mut origins: HashSet<Id> = HashSet::new();
        for l in links.iter().filter(|l| l.sole > 0) {
            origins.insert(l.in_client);
            *self.pattern_count.entry((l.pivot, l.out_service)).or_default() += l.sole;
            *self.pattern_in_count.entry((l.pivot, l.in_service)).or_default() += l.sole;
            *self.pattern_total.entry(l.pivot).or_default() += l.sole;
            *self.pattern_prompt.entry(l.pivot).or_default() += l.prompt;
            let g = self.group(l.out_server);
            self.reach_group_any.insert((l.in_client, g));
            self.relay_patterns.insert((l.pivot, l.in_service, l.out_service));
            self.reach.insert((l.in_client, l.out_server, l.out_service));
            self.reach_services.insert((l.in_client, l.out_service));
            let via = self.reached_via.entry(l.in_client).or_default();
            if !via.contains(&(l.pivot, l.out_server)) {
                via.push((l.pivot, l.out_server));
            }
        }
        for o in origins {
            *self.reach_days.entry(o).or_default() += 1;
        }
    }

    /// What was learned, as text, into `b` (its `days`, `days_wanted` and `acks` are the
    /// caller's; the indexes are built after: `Baseline::index`).
    pub(super) fn finish(self, b: &mut Baseline) {
        let n = &self.names;
        let t = |i: &Id| n[*i as usize].clone();
        let t2 = |(a, b): &(Id, Id)| (t(a), t(b));
        let t3 = |(a, b, c): &(Id, Id, Id)| (t(a), t(b), t(c));
        fn map<K, T, V: Copy>(m: &HashMap<K, V>, f: impl Fn(&K) -> T) -> HashMap<T, V>
        where
            T: std::hash::Hash + Eq,
        {
            m.iter().map(|(k, v)| (f(k), *v)).collect()
        }
        fn set<K, T>(s: &HashSet<K>, f: impl Fn(&K) -> T) -> HashSet<T>
        where
            T: std::hash::Hash + Eq,
        {
            s.iter().map(f).collect()
        }
        b.weekend_days = self.weekend_days;
        b.client_days = map(&self.client_days, t);
        b.client_services = set(&self.client_services, t2);
        b.client_hours = map(&self.client_hours, t);
        b.client_weekend = set(&self.client_weekend, t);
        b.client_weekend_days = map(&self.client_weekend_days, t);
        b.client_new_pairs = map(&self.client_new_pairs, t);
        b.pairs = set(&self.pairs, t3);
        b.server_services = set(&self.server_services, t2);
        b.server_new_clients = map(&self.server_new_clients, t);
        b.server_days = map(&self.server_days, t);
        b.pivot_days = map(&self.pivot_days, t);
        b.pivot_services = set(&self.pivot_services, t2);
        b.pivot_targets = set(&self.pivot_targets, t3);
        b.pivot_new_targets = map(&self.pivot_new_targets, t);
        b.pivot_inbound = set(&self.pivot_inbound, t2);
        b.pivot_new_inbound = map(&self.pivot_new_inbound, t);
        b.alerted_days = map(&self.alerted_days, t3);
        b.alerted_steps = map(&self.alerted_steps, t3);
        b.withheld = self.withheld;
        b.client_new_groups = map(&self.client_new_groups, t);
        b.client_groups = set(&self.client_groups, t2);
        b.reach_days = map(&self.reach_days, t);
        b.reach = set(&self.reach, t3);
        b.reach_services = set(&self.reach_services, t2);
        b.reach_new_targets = map(&self.reach_new_targets, t);
        b.reached_via =
            self.reached_via.iter().map(|(o, via)| (t(o), via.iter().map(t2).collect())).collect();
        b.busy = set(&self.busy, t);
        b.relay_patterns = set(&self.relay_patterns, t3);
        b.pattern_count = map(&self.pattern_count, t2);
        b.pattern_in_count = map(&self.pattern_in_count, t2);
        b.pattern_total = map(&self.pattern_total, t);
        b.pattern_prompt = map(&self.pattern_prompt, t);
        b.pivot_links = map(&self.pivot_links, t);
        b.client_sessions = map(&self.client_sessions, t);
        b.client_service_days = map(&self.client_service_days, t2);
        b.reach_any = set(&self.reach_any, t2);
        b.reach_any_services = set(&self.reach_any_services, t2);
        b.reach_group_any = set(&self.reach_group_any, t2);
    }
}

/// Count one more day on which `key` (a hop or relay-step pattern) was part of an alert; true
/// once that makes `ALERTS_BEFORE_ROUTINE` days: from then on it is learned as routine.
fn alerted_once_more(days: &mut HashMap<(Id, Id, Id), u32>, key: (Id, Id, Id)) -> bool {
    let n = days.entry(key).or_default();
    *n += 1;
    *n >= ALERTS_BEFORE_ROUTINE
}
