//! History: compact per-day facts about remote administration, kept by `report` beside the
//! reports, so a night can tell routine from new without rescanning months of flows.
//!
//! ```text
//! <reports>/history/date=YYYY-MM-DD/hops.parquet    one row per (client, server, service):
//!                                                   every established admin connection
//!                                                   (queries/admin_pairs.sql)
//! <reports>/history/date=YYYY-MM-DD/links.parquet   one row per (in_client, pivot, out_server,
//!                                                   in_service, out_service) continuation
//! <reports>/history/date=YYYY-MM-DD/hosts.idx       hops.parquet's facts by host (`index`): a
//!                                                   cache, so a night reads only its hosts' facts
//! ```
//!
//! A day's partition is built under a hidden name and renamed into place (a reader never sees
//! half of it); a day with flows but no admin sessions still gets one (empty files), so it counts
//! as a day of history; `report` writes none for a day without data. Reading for day D takes the partitions of the `days` days before D only: never D
//! itself or later, so rerunning an old day gives the same result.
//!
//! Columns (hops): `client`, `server`, `service` (text), `connections` (count), `first_ms`,
//! `last_ms` (UTC epoch ms of the first start / last end), `hours` (bit h set = a connection
//! started in UTC hour h). Links: `in_client`, `pivot`,
//! `out_server`, `in_service`, `out_service` (text), `links` (count of continuation pairs),
//! `first_ms` (earliest outbound start).
//!
//! Code: the facts model here; `store` writes and reads a day's facts (Parquet, the link from
//! `history/date=D` into the day's report folder); `index` the host index beside them;
//! `baseline` turns the days read into what the scorer asks (`Baseline`), `learn` learning it
//! on numbered names.

pub mod ack;
mod baseline;
mod connections;
mod index;
mod learn;
mod store;

pub use baseline::*;
pub use connections::{AdminConnections, admin_facts};
pub use store::*;

use std::collections::BTreeMap;

// The baseline's maps and sets use hashbrown's default (foldhash) hasher: a month of history
// at 100 M flows a day is millions of lookups, and SipHash was a third of the night.
use hashbrown::{HashMap, HashSet};

use chrono::Datelike;

use super::columns::{Origin, ints, strings};
use super::hops::Hop;
use crate::error::Result;

/// One day's facts about one (client, server, service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HopFact {
    /// The host that opened the connections.
    pub client: String,
    /// The host they went to.
    pub server: String,
    /// Service name (`ssh`, `rdp`, `winrm`, or a `--service` name).
    pub service: String,
    /// Established connections that day.
    pub connections: i64,
    /// Start of the first, UTC epoch ms (0 when read for a baseline: `read_day_about`).
    pub first_ms: i64,
    /// End of the last, UTC epoch ms (0 when read for a baseline).
    pub last_ms: i64,
    /// Bit h set: a connection started in UTC hour h.
    pub hours: i32,
    /// This (client, server, service) was the deciding hop of an alert that day.
    pub alerted: bool,
}

/// One day's facts about one continuation pattern: `in_client` → `pivot` → `out_server`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkFact {
    /// Client of the inbound session into the pivot.
    pub in_client: String,
    /// The host that relayed.
    pub pivot: String,
    /// Server of the outbound session.
    pub out_server: String,
    /// Service of the inbound session.
    pub in_service: String,
    /// Service of the outbound session.
    pub out_service: String,
    /// Continuation pairs of this pattern that day.
    pub links: i64,
    /// Earliest outbound start, UTC epoch ms.
    pub first_ms: i64,
    /// Of `links`, those whose outbound hop had this inbound session as its only possible
    /// parent: what the inbound client itself did (on a busy jump host most continuations are
    /// ambiguous: every session open at the time is a candidate).
    pub sole: i64,
    /// Of `sole`, those whose outbound hop started within `PROMPT_MS` of its parent session's
    /// start: a hop right after the login (ProxyJump, `ssh -J`), how a relay is used.
    pub prompt: i64,
    /// The outbound hop was the deciding hop of an alert that day.
    pub alerted: bool,
}

/// What one day adds to the history.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DayFacts {
    /// One fact per (client, server, service).
    pub hops: Vec<HopFact>,
    /// One fact per continuation pattern.
    pub links: Vec<LinkFact>,
    /// Hosts of interest with more than `BUSY_FACTS` counterparts that day, summed up instead
    /// of listed (only read, never written): their facts with hosts of no interest are left out.
    pub busy: Vec<BusyFact>,
}

/// A busy host's day, summed up: a server that thousands of clients reached (or a client that
/// reached thousands of servers) gets a new counterpart every day; which ones does not matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusyFact {
    /// The host.
    pub host: String,
    /// As a server (else as a client).
    pub as_server: bool,
    /// Services of the facts left out, sorted.
    pub services: Vec<String>,
    /// Their UTC hours (bit h).
    pub hours: i32,
    /// Their connections.
    pub connections: i64,
}

/// Counterparts a host of interest may have in one day before its facts with hosts of no
/// interest are summed up (`BusyFact`) instead of kept one by one.
pub const BUSY_FACTS: usize = 200;

/// What a day's read about the hosts of interest does with one hop fact: keep it, sum it into
/// its client's or its server's `BusyFact`, or leave it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    Keep,
    SumIntoClient,
    SumIntoServer,
    Skip,
}

/// The rule both readers follow (`store::read_hop_facts` on the Parquet columns,
/// `index::read_about` on the host index): a fact is kept when both ends are hosts of interest
/// or an end of interest is not busy in its role (more than `BUSY_FACTS` counterparts that
/// day); otherwise it is summed into its busy end of interest (the client, when both could
/// take it); a fact without a host of interest is left out.
pub(crate) fn fate(
    (client_watched, client_busy): (bool, bool),
    (server_watched, server_busy): (bool, bool),
) -> Fate {
    let kept_for_client = client_watched && (server_watched || !client_busy);
    let kept_for_server = server_watched && !server_busy;
    if kept_for_client || kept_for_server {
        Fate::Keep
    } else if client_watched {
        Fate::SumIntoClient
    } else if server_watched {
        Fate::SumIntoServer
    } else {
        Fate::Skip
    }
}

/// Saturday or Sunday: weekend work is judged against earlier weekends.
pub(crate) fn is_weekend(d: impl Datelike) -> bool {
    d.weekday().number_from_monday() >= 6
}

/// Whether epoch ms `ms` falls on a weekend day in `zone` (false for a time chrono cannot hold).
pub(crate) fn weekend_at(ms: i64, zone: chrono_tz::Tz) -> bool {
    chrono::DateTime::from_timestamp_millis(ms)
        .is_some_and(|t| is_weekend(t.with_timezone(&zone).date_naive()))
}

/// The UTC hour of day (0-23) of epoch ms `ms`: the hours the history counts in.
pub(crate) fn hour_of(ms: i64) -> i32 {
    ms.div_euclid(3_600_000).rem_euclid(24) as i32
}

/// Fold (client, server, service, hour, connections, first_ms, last_ms) rows of
/// queries/admin_pairs.sql into one fact per (client, server, service), in a fixed order.
pub fn hop_facts(
    rows: impl IntoIterator<Item = (String, String, String, i64, i64, i64, i64)>,
) -> Vec<HopFact> {
    let mut h: BTreeMap<(String, String, String), HopFact> = BTreeMap::new();
    for (client, server, service, hour, n, first, last) in rows {
        let f = h.entry((client.clone(), server.clone(), service.clone())).or_insert(HopFact {
            client,
            server,
            service,
            connections: 0,
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            hours: 0,
            alerted: false,
        });
        f.connections += n;
        f.first_ms = f.first_ms.min(first);
        f.last_ms = f.last_ms.max(last);
        f.hours |= 1 << hour.rem_euclid(24);
    }
    h.into_values().collect()
}

/// Hosts that are the client of one established admin connection and the server of another
/// (the possible pivot hosts of queries/pivot_hosts.sql, which aggregates the same
/// connections), sorted.
pub fn pivot_hosts_of<'a>(facts: impl Iterator<Item = &'a HopFact> + Clone) -> Vec<String> {
    let clients: std::collections::HashSet<&str> =
        facts.clone().map(|f| f.client.as_str()).collect();
    let both: std::collections::BTreeSet<&str> =
        facts.map(|f| f.server.as_str()).filter(|s| clients.contains(s)).collect();
    both.into_iter().map(String::from).collect()
}

/// Every established admin connection in `flows` (queries/admin_pairs.sql), as history facts.
pub async fn admin_pairs(
    ctx: &datafusion::prelude::SessionContext,
    rules: &super::rules::PivotRules,
) -> Result<Vec<HopFact>> {
    let params = [(
        "min_packets".to_string(),
        datafusion::common::ScalarValue::Int64(Some(rules.min_packets_each_way)),
    )]
    .into_iter()
    .collect();
    let (_, batches) = crate::sql::run_query(
        ctx,
        "queries/admin_pairs.sql",
        super::hops::ADMIN_PAIRS_SQL,
        &params,
    )
    .await?;
    // One fact per (client, server, service, hour) row, strings moved, not copied (a 100 M-flow
    // night has over a million); then merged per (client, server, service) like `hop_facts`.
    let mut facts = Vec::new();
    for b in &batches {
        let q = Origin::Query("queries/admin_pairs.sql");
        let (c, s, v) =
            (strings(b, q, "client")?, strings(b, q, "server")?, strings(b, q, "service")?);
        let (h, n) = (ints(b, q, "hour")?, ints(b, q, "connections")?);
        let (f, l) = (ints(b, q, "first_ms")?, ints(b, q, "last_ms")?);
        for (i, ((client, server), service)) in c.into_iter().zip(s).zip(v).enumerate() {
            facts.push(HopFact {
                client,
                server,
                service,
                connections: n[i],
                first_ms: f[i],
                last_ms: l[i],
                hours: 1 << h[i].rem_euclid(24),
                alerted: false,
            });
        }
    }
    Ok(merge_facts(facts))
}

/// Facts of one (client, server, service) merged into one, in key order (as `hop_facts`):
/// queries/admin_pairs.sql returns its rows in that order already, so the sort is a check; the
/// parts of `connections::admin_facts` are merged the same way.
fn merge_facts(mut facts: Vec<HopFact>) -> Vec<HopFact> {
    fn key(f: &HopFact) -> (&str, &str, &str) {
        (f.client.as_str(), f.server.as_str(), f.service.as_str())
    }
    if !facts.is_sorted_by(|a, b| key(a) <= key(b)) {
        facts.sort_by(|a, b| key(a).cmp(&key(b)));
    }
    let mut out: Vec<HopFact> = Vec::with_capacity(facts.len());
    for f in facts {
        match out.last_mut() {
            Some(last) if key(last) == key(&f) => {
                last.connections += f.connections;
                last.first_ms = last.first_ms.min(f.first_ms);
                last.last_ms = last.last_ms.max(f.last_ms);
                last.hours |= f.hours;
            }
            _ => out.push(f),
        }
    }
    out
}

impl DayFacts {
    /// Facts of a day's `hops` (as the admin connections) and candidate continuations
    /// (parent, child). `pivots` takes the hop facts from queries/admin_pairs.sql instead, which
    /// also sees connections that touch no possible pivot host.
    pub fn from_hops(hops: &[Hop], pairs: &[(usize, usize)]) -> Self {
        let rows = hops.iter().map(|x| {
            let (c, s, v) = (x.client_addr.clone(), x.server_addr.clone(), x.service.clone());
            (c, s, v, i64::from(hour_of(x.start_ms)), x.sessions.max(1), x.start_ms, x.end_ms)
        });
        DayFacts { hops: hop_facts(rows), links: links(hops, pairs), busy: Vec::new() }
    }
}

impl DayFacts {
    /// Mark what the alerts showed as `alerted`: the hop facts of their deciding hops
    /// (client, server, service), and the link facts of those hops and of every relay step
    /// of an alert chain (`steps`: inbound client, relay, outbound server), so that no part of
    /// an alert teaches a relay its pattern (a cycle's first step would otherwise make its
    /// relay a known relay). Returns the hop facts marked.
    pub fn mark_alerted(
        &mut self,
        deciding: &HashSet<(String, String, String)>,
        steps: &HashSet<(String, String, String)>,
    ) -> usize {
        // Looked up by borrowed keys: a night has a million hop facts and a handful of alerts.
        let deciding: HashSet<(&str, &str, &str)> =
            deciding.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
        let steps: HashSet<(&str, &str, &str)> =
            steps.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
        let mut n = 0;
        for f in &mut self.hops {
            f.alerted = !deciding.is_empty()
                && deciding.contains(&(f.client.as_str(), f.server.as_str(), f.service.as_str()));
            n += usize::from(f.alerted);
        }
        for l in &mut self.links {
            l.alerted = deciding.contains(&(
                l.pivot.as_str(),
                l.out_server.as_str(),
                l.out_service.as_str(),
            )) || steps.contains(&(
                l.in_client.as_str(),
                l.pivot.as_str(),
                l.out_server.as_str(),
            ));
        }
        n
    }
}

/// How soon after its parent session's start an outbound hop is "right after the login"
/// (`LinkFact::prompt`), in ms.
pub const PROMPT_MS: i64 = 120_000;

/// Did a hop starting at `start_ms` start right after the login of a session into its relay
/// that started at `parent_start_ms` (within `PROMPT_MS`)?
pub fn prompt(parent_start_ms: i64, start_ms: i64) -> bool {
    (0..=PROMPT_MS).contains(&(start_ms - parent_start_ms))
}

/// Link facts of candidate continuations (parent, child) between `hops`, in a fixed order.
pub fn links(hops: &[Hop], pairs: &[(usize, usize)]) -> Vec<LinkFact> {
    let mut parents: HashMap<usize, u32> = HashMap::new();
    for &(_, c) in pairs {
        *parents.entry(c).or_default() += 1;
    }
    let mut l: BTreeMap<(&str, &str, &str, &str, &str), LinkFact> = BTreeMap::new();
    for &(p, c) in pairs {
        let sole = parents.get(&c) == Some(&1);
        let (p, c) = (&hops[p], &hops[c]);
        let right_after = sole && prompt(p.start_ms, c.start_ms);
        let key = (&*p.client_addr, &*p.server_addr, &*c.server_addr, &*p.service, &*c.service);
        let f = l.entry(key).or_insert(LinkFact {
            in_client: p.client_addr.clone(),
            pivot: p.server_addr.clone(),
            out_server: c.server_addr.clone(),
            in_service: p.service.clone(),
            out_service: c.service.clone(),
            links: 0,
            first_ms: i64::MAX,
            sole: 0,
            prompt: 0,
            alerted: false,
        });
        f.links += 1;
        f.sole += i64::from(sole);
        f.prompt += i64::from(right_after);
        f.first_ms = f.first_ms.min(c.start_ms);
    }
    l.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::path::PathBuf;

    /// The busy-host rule, end by end: (watched, busy) for the client, then the server.
    #[test]
    fn a_fact_is_kept_unless_its_only_watched_ends_are_busy() {
        use Fate::*;
        let (quiet, busy, none) = ((true, false), (true, true), (false, false));
        for (client, server, want) in [
            (quiet, quiet, Keep),
            (quiet, busy, Keep),
            (busy, quiet, Keep),
            (busy, busy, Keep),
            (quiet, none, Keep),
            (none, quiet, Keep),
            (busy, none, SumIntoClient),
            (none, busy, SumIntoServer),
            (none, none, Skip),
        ] {
            assert_eq!(fate(client, server), want, "client {client:?} server {server:?}");
        }
    }

    #[test]
    fn merged_facts_equal_hop_facts_in_any_row_order_and_give_the_pivot_hosts() {
        let rows = [
            ("b", "c", "ssh", 3, 1, 30, 40),
            ("a", "b", "rdp", 9, 2, 10, 20),
            ("b", "c", "ssh", 1, 4, 5, 8),
            ("a", "b", "ssh", 23, 1, 1, 2),
            ("b", "c", "ssh", 3, 1, 50, 60),
        ];
        let owned = |r: &(&str, &str, &str, i64, i64, i64, i64)| {
            (r.0.to_string(), r.1.to_string(), r.2.to_string(), r.3, r.4, r.5, r.6)
        };
        let facts = |rows: &[(&str, &str, &str, i64, i64, i64, i64)]| {
            rows.iter()
                .map(|r| HopFact {
                    client: r.0.into(),
                    server: r.1.into(),
                    service: r.2.into(),
                    connections: r.4,
                    first_ms: r.5,
                    last_ms: r.6,
                    hours: 1 << r.3,
                    alerted: false,
                })
                .collect::<Vec<_>>()
        };
        let want = hop_facts(rows.iter().map(owned));
        assert_eq!(want.len(), 3);
        assert_eq!(merge_facts(facts(&rows)), want, "unsorted rows");
        let mut sorted = rows.to_vec();
        sorted.sort();
        assert_eq!(merge_facts(facts(&sorted)), want, "sorted rows");
        assert_eq!(pivot_hosts_of(want.iter()), ["b"], "b is client of c and server of a");
    }

    /// An empty temporary history folder for one test (`pivotflow-history{suffix}-PID`).
    fn fresh_dir(suffix: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("pivotflow-history{suffix}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn hop(c: &str, s: &str, start: i64) -> Hop {
        Hop {
            client_addr: c.into(),
            server_addr: s.into(),
            service: "ssh".into(),
            start_ms: start,
            end_ms: start + 600_000,
            sessions: 1,
            ..Hop::default()
        }
    }

    #[test]
    fn a_day_round_trips_and_a_rewrite_replaces_it() {
        let dir = fresh_dir("");
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let hops =
            vec![hop("A", "J", 3_600_000), hop("J", "S", 3_700_000), hop("A", "J", 7_300_000)];
        let facts = DayFacts::from_hops(&hops, &[(0, 1)]);
        assert_eq!(facts.hops.len(), 2);
        assert_eq!(facts.hops[0].connections, 2);
        assert_eq!(facts.hops[0].hours, 0b110, "hours 1 and 2");
        assert_eq!(facts.links.len(), 1);
        write_day(&dir, day, &facts).unwrap();
        assert_eq!(read_day(&dir, day).unwrap(), facts);
        write_day(&dir, day, &DayFacts::default()).unwrap();
        assert_eq!(read_day(&dir, day).unwrap(), DayFacts::default());
        // The report day itself and later days are never read.
        write_day(&dir, day, &facts).unwrap();
        assert_eq!(load_about(&dir, day, 7, None).unwrap().days, 0);
        let b = load_about(&dir, day + chrono::Duration::days(1), 7, None).unwrap();
        assert_eq!((b.days, b.client_days["A"], b.pivot_days["J"]), (1, 1, 1));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_alerted_pattern_stays_out_of_the_baseline_until_alerted_on_three_days() {
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let deciding: HashSet<(String, String, String)> =
            [("J".to_string(), "T".to_string(), "ssh".to_string())].into();
        let day = |k: i64, alerted: bool| {
            let hops = vec![hop("A", "J", 0), hop("J", "T", 60_000)];
            let mut f = DayFacts::from_hops(&hops, &[(0, 1)]);
            if alerted {
                assert_eq!(f.mark_alerted(&deciding, &HashSet::new()), 1);
            }
            (d0 + chrono::Duration::days(k), f)
        };
        let knows = |days: &[(NaiveDate, DayFacts)]| {
            let b = Baseline::from_days(days, 28);
            (
                b.pairs.contains(&("J".into(), "T".into(), "ssh".into())),
                b.pivot_days.contains_key("J"),
                b.withheld,
            )
        };
        assert_eq!(knows(&[day(0, true)]), (false, false, 1), "an alert teaches nothing");
        assert_eq!(knows(&[day(0, true), day(1, true)]), (false, false, 2));
        assert_eq!(
            knows(&[day(0, true), day(1, true), day(2, true)]),
            (true, true, 2),
            "learned on the third"
        );
        assert_eq!(knows(&[day(0, false)]), (true, true, 0));
        // The round trip keeps the mark.
        let dir = fresh_dir("-alerted");
        let (d, f) = day(0, true);
        write_day(&dir, d, &f).unwrap();
        assert_eq!(read_day(&dir, d).unwrap(), f);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_alert_chains_relay_steps_stay_out_of_the_baseline_too() {
        // An alert decided by its first hop (A → J): the relay step A → J → T is part of the
        // alert too, and must not make J a known relay (a cycle's first step did).
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let deciding: HashSet<(String, String, String)> =
            [("A".to_string(), "J".to_string(), "ssh".to_string())].into();
        let steps: HashSet<(String, String, String)> =
            [("A".to_string(), "J".to_string(), "T".to_string())].into();
        let day = |k: i64, alerted: bool| {
            let hops = vec![hop("A", "J", 0), hop("J", "T", 60_000)];
            let mut f = DayFacts::from_hops(&hops, &[(0, 1)]);
            if alerted {
                f.mark_alerted(&deciding, &steps);
                assert!(f.links.iter().all(|l| l.alerted));
            }
            (d0 + chrono::Duration::days(k), f)
        };
        let relays = |days: &[(NaiveDate, DayFacts)]| {
            Baseline::from_days(days, 28).pivot_days.contains_key("J")
        };
        assert!(!relays(&[day(0, true)]), "an alert's relay step teaches nothing");
        assert!(!relays(&[day(0, true), day(1, true)]));
        assert!(relays(&[day(0, true), day(1, true), day(2, true)]), "learned on the third");
        assert!(relays(&[day(0, false)]));
    }

    #[test]
    fn the_baseline_about_some_hosts_answers_like_the_full_one_for_them() {
        let dir = fresh_dir("-about");
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let hosts = ["A", "B", "J", "K", "S", "T", "X"];
        for k in 0..6u32 {
            // A varied week: each day a different mix of sessions and continuations.
            let mut hops = Vec::new();
            for (i, c) in hosts.iter().enumerate() {
                let s = hosts[(i + 1 + (k as usize) % 3) % hosts.len()];
                hops.push(hop(c, s, i64::from(k * 7 + i as u32) * 3_600_000 % 86_400_000));
            }
            let pairs: Vec<(usize, usize)> = (0..hops.len())
                .flat_map(|p| (0..hops.len()).map(move |c| (p, c)))
                .filter(|&(p, c)| p != c && hops[c].client_addr == hops[p].server_addr)
                .collect();
            write_day(
                &dir,
                d0 + chrono::Duration::days(i64::from(k)),
                &DayFacts::from_hops(&hops, &pairs),
            )
            .unwrap();
        }
        let day = d0 + chrono::Duration::days(6);
        let full = load_about(&dir, day, 28, None).unwrap();
        let interest: std::collections::HashSet<String> = ["J".to_string(), "S".to_string()].into();
        let about = load_about(&dir, day, 28, Some(&interest)).unwrap();
        assert_eq!(about.days, full.days);
        for h in &interest {
            assert_eq!(about.client_days.get(h), full.client_days.get(h), "{h}");
            assert_eq!(about.client_new_pairs.get(h), full.client_new_pairs.get(h), "{h}");
            assert_eq!(about.server_new_clients.get(h), full.server_new_clients.get(h), "{h}");
            assert_eq!(about.pivot_days.get(h), full.pivot_days.get(h), "{h}");
            assert_eq!(about.pivot_new_targets.get(h), full.pivot_new_targets.get(h), "{h}");
            assert_eq!(about.pivot_new_inbound.get(h), full.pivot_new_inbound.get(h), "{h}");
            assert_eq!(about.client_hours.get(h), full.client_hours.get(h), "{h}");
            for other in hosts {
                for key in [(h.clone(), other.to_string()), (other.to_string(), h.clone())] {
                    let k3 = (key.0.clone(), key.1.clone(), "ssh".to_string());
                    assert_eq!(about.pairs.contains(&k3), full.pairs.contains(&k3), "{k3:?}");
                }
                let t = (h.clone(), other.to_string(), "ssh".to_string());
                assert_eq!(about.pivot_targets.contains(&t), full.pivot_targets.contains(&t));
                let i = (h.clone(), other.to_string());
                assert_eq!(about.pivot_inbound.contains(&i), full.pivot_inbound.contains(&i));
            }
        }
        assert!(about.pairs.len() < full.pairs.len(), "facts about other hosts were skipped");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A day of hop facts with a busy server (S0, BUSY_FACTS + 30 clients), a busy client
    /// (C0, BUSY_FACTS + 20 servers), several services and hours, some alerted; in client order
    /// as `report` writes them, or shuffled.
    fn index_day(sorted: bool) -> DayFacts {
        let mut x: u64 = 0x9e37_79b9;
        let mut next = move |n: u64| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % n
        };
        let services = ["ssh", "rdp", "winrm"];
        let mut keys: std::collections::BTreeSet<(String, String, String)> = Default::default();
        for i in 0..BUSY_FACTS + 30 {
            keys.insert((format!("10.1.{}.{}", i / 200, i % 200), "S0".into(), "ssh".into()));
        }
        for i in 0..BUSY_FACTS + 20 {
            keys.insert(("C0".into(), format!("10.2.{}.{}", i / 200, i % 200), "rdp".into()));
        }
        keys.insert(("C0".into(), "S0".into(), "winrm".into()));
        for _ in 0..400 {
            let (c, s) = (format!("H{}", next(40)), format!("H{}", next(40)));
            keys.insert((c, s, services[next(3) as usize].into()));
            keys.insert((format!("H{}", next(40)), "S0".into(), services[next(3) as usize].into()));
        }
        let mut hops: Vec<HopFact> = keys
            .into_iter()
            .map(|(client, server, service)| HopFact {
                client,
                server,
                service,
                connections: 1 + next(5) as i64,
                first_ms: 1_000,
                last_ms: 2_000,
                hours: 1 << next(24) | 1 << next(24),
                alerted: next(10) == 0,
            })
            .collect();
        if !sorted {
            for i in (1..hops.len()).rev() {
                hops.swap(i, next(i as u64 + 1) as usize);
            }
        }
        DayFacts { hops, links: Vec::new(), busy: Vec::new() }
    }

    #[test]
    fn the_host_index_reads_what_the_parquet_file_gives() {
        let dir = fresh_dir("-index");
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let index = day_dir(&dir, d0).join("hosts.idx");
        let sets: [&[&str]; 5] = [
            &["S0"],
            &["C0"],
            &["S0", "C0", "H3", "H7"],
            &["H1", "H2", "10.1.0.5", "10.2.0.9", "nobody"],
            &["H0", "H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8", "H9", "S0"],
        ];
        for sorted in [true, false] {
            write_day(&dir, d0, &index_day(sorted)).unwrap();
            assert!(index.is_file(), "write_day writes the index");
            let bytes = std::fs::read(&index).unwrap();
            for set in sets {
                let interest: std::collections::HashSet<String> =
                    set.iter().map(|h| h.to_string()).collect();
                let indexed = read_day_about(&dir, d0, Some(&interest)).unwrap();
                let (hops, busy) = index::read_about(&day_dir(&dir, d0), &interest)
                    .unwrap()
                    .expect("read from the index");
                assert_eq!((&hops, &busy), (&indexed.hops, &indexed.busy));
                std::fs::remove_file(&index).unwrap();
                let parquet = read_day_about(&dir, d0, Some(&interest)).unwrap();
                std::fs::write(&index, &bytes).unwrap();
                // A busy host alone keeps no single fact: all are summed up.
                assert!(set.len() < 2 || !parquet.hops.is_empty(), "{set:?}");
                assert_eq!(indexed, parquet, "sorted {sorted}, interest {set:?}");
                let busy = set.contains(&"S0") || set.contains(&"C0");
                assert_eq!(!parquet.busy.is_empty(), busy, "{set:?}: {:?}", parquet.busy);
            }
        }
        // Another hops.parquet than the index was built from (same day rewritten by a version
        // without the index): the Parquet file is read.
        let interest: std::collections::HashSet<String> = ["S0".into(), "H3".into()].into();
        let other = fresh_dir("-index-other");
        let mut facts = index_day(true);
        facts.hops.truncate(facts.hops.len() / 2);
        write_day(&other, d0, &facts).unwrap();
        let hops = day_dir(&dir, d0).join("hops.parquet");
        std::fs::copy(day_dir(&other, d0).join("hops.parquet"), &hops).unwrap();
        let stale = read_day_about(&dir, d0, Some(&interest)).unwrap();
        assert!(index::read_about(&day_dir(&dir, d0), &interest).unwrap().is_none());
        std::fs::remove_file(&index).unwrap();
        assert_eq!(stale, read_day_about(&dir, d0, Some(&interest)).unwrap());
        // A damaged index (cut short, or garbage of the right size): the Parquet file again.
        write_day(&dir, d0, &index_day(true)).unwrap();
        let good = read_day_about(&dir, d0, Some(&interest)).unwrap();
        let bytes = std::fs::read(&index).unwrap();
        for damaged in [bytes[..bytes.len() / 2].to_vec(), {
            let mut b = bytes.clone();
            b[64..].iter_mut().for_each(|x| *x = 0xff);
            b
        }] {
            std::fs::write(&index, &damaged).unwrap();
            let e = index::read_about(&day_dir(&dir, d0), &interest).unwrap_err().to_string();
            assert!(e.contains("hosts.idx"), "{e}");
            assert_eq!(read_day_about(&dir, d0, Some(&interest)).unwrap(), good);
        }
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&other);
    }

    #[test]
    fn a_busy_server_is_summed_up_and_its_pairs_with_hosts_of_interest_kept() {
        let dir = fresh_dir("-busy");
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        for k in 0..3 {
            // S has BUSY_FACTS + 50 clients a day (a popular server); A reaches S and J.
            let mut hops: Vec<Hop> = (0..BUSY_FACTS + 50)
                .map(|i| hop(&format!("10.64.{}.{}", i / 250, i % 250 + 1), "S", 3_600_000))
                .collect();
            hops.push(hop("A", "S", 7_200_000));
            hops.push(hop("A", "J", 7_200_000));
            write_day(&dir, d0 + chrono::Duration::days(k), &DayFacts::from_hops(&hops, &[]))
                .unwrap();
        }
        let interest: std::collections::HashSet<String> = ["S".to_string(), "A".to_string()].into();
        let f = read_day_about(&dir, d0, Some(&interest)).unwrap();
        assert_eq!(f.hops.len(), 2, "only A → S and A → J are kept: {:?}", f.hops);
        // The baseline's read leaves the times out (it never asks them); read_day keeps them.
        assert!(f.hops.iter().all(|h| h.first_ms == 0 && h.last_ms == 0), "{:?}", f.hops);
        let all = read_day(&dir, d0).unwrap();
        assert!(
            all.hops.iter().any(|h| h.client == "A" && h.first_ms == 7_200_000),
            "{:?}",
            &all.hops[..3]
        );
        assert_eq!(f.busy.len(), 1);
        assert!(f.busy[0].as_server && f.busy[0].host == "S" && f.busy[0].services == ["ssh"]);
        let b = load_about(&dir, d0 + chrono::Duration::days(3), 28, Some(&interest)).unwrap();
        let full = load_about(&dir, d0 + chrono::Duration::days(3), 28, None).unwrap();
        // What the score asks about S and A is the same as with every fact read, but that a
        // busy day counts as a day with a new client (here the same 250 every day: the one
        // thing the summary cannot know; a new client of a busy server is never surprising).
        assert_eq!(b.server_days.get("S"), full.server_days.get("S"));
        assert_eq!(full.server_new_clients["S"], Novelty { eligible_days: 2, novel_days: 0 });
        assert_eq!(b.server_new_clients["S"], Novelty { eligible_days: 2, novel_days: 2 });
        assert_eq!(b.client_days.get("A"), full.client_days.get("A"));
        assert!(b.pairs.contains(&("A".into(), "S".into(), "ssh".into())));
        assert!(b.busy.contains("S") && !b.busy.contains("A"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn novelty_counts_only_days_after_the_first() {
        let d0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let day = |k: i64, servers: &[&str]| {
            let hops: Vec<Hop> = servers.iter().map(|s| hop("A", s, 0)).collect();
            (d0 + chrono::Duration::days(k), DayFacts::from_hops(&hops, &[]))
        };
        // Day 0: S1 (first day, not counted); day 1: S1 again; day 2: S2 new; day 3: S1.
        let b = Baseline::from_days(
            &[day(0, &["S1"]), day(1, &["S1"]), day(2, &["S2"]), day(3, &["S1"])],
            7,
        );
        assert_eq!(b.client_new_pairs["A"], Novelty { eligible_days: 3, novel_days: 1 });
        assert!((b.client_new_pairs["A"].surprise() - (5f64 / 2.0).log2()).abs() < 1e-9);
        assert!(Novelty { eligible_days: 6, novel_days: 6 }.surprise() < 0.2);
    }
}
