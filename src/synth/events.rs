//! Routine change on the multi-day network: what real networks do every week and an alerting
//! rule must not take for an attack. Each event changes `Routines` at the start of its day and
//! is listed in that day's truth (`routine_events`).
//!
//! | kind | what changes |
//! |---|---|
//! | `station-replaced` | an admin's station gets a new address (a new laptop); the old one goes quiet |
//! | `new-admin` | a new admin joins a team: the team's jump hosts, servers its colleagues use |
//! | `servers-commissioned` | 2–4 new servers of a team; 2–5 of its admins start working on them |
//! | `bastion-replaced` | a jump host is replaced by a new one; half its admins move that day, the rest the next |
//! | `new-build-host` | CI starts building on a new build host (which fetches from git over SSH) |
//! | `maintenance-weekend` | a Saturday on which one or two whole teams work (daytime, or 18–23 h) |
//! | `holiday` | a weekday on which only the on-call admins work |
//!
//! Schedule: from day 3 on, every weekday one event (two from 10 000 hosts) of the first four
//! kinds in a shuffled cycle; one bastion replacement on a weekday between days 4 and 12; one
//! holiday on another weekday; one maintenance Saturday.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::network::Role;
use super::routines::{Admin, DayMode, Routines, Shape, Team};

/// A routine change, as the truth lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RoutineEvent {
    /// Its kind (see the module doc).
    pub kind: String,
    /// The hosts it adds or changes (old address first where one is replaced).
    pub hosts: Vec<String>,
    /// What happened, in words.
    pub note: String,
}

const CYCLE: &[&str] = &["station-replaced", "new-admin", "servers-commissioned", "new-build-host"];

/// The events of each day (index 0 = day 1): `days` as (weekend, saturday).
pub fn schedule(seed: u64, days: &[(bool, bool)], hosts: u32) -> Vec<Vec<&'static str>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xe7e7_0003);
    let mut out: Vec<Vec<&'static str>> = vec![Vec::new(); days.len()];
    let per_weekday = if hosts >= 10_000 { 2 } else { 1 };
    let mut cycle: Vec<&'static str> = Vec::new();
    let weekdays: Vec<usize> = (2..days.len()).filter(|&d| !days[d].0).collect();
    for &d in &weekdays {
        for _ in 0..per_weekday {
            if cycle.is_empty() {
                cycle = CYCLE.to_vec();
                cycle.shuffle(&mut rng);
            }
            out[d].push(cycle.pop().expect("refilled"));
        }
    }
    let bastion_days: Vec<usize> =
        weekdays.iter().copied().filter(|&d| (3..12).contains(&d)).collect();
    let mut bastion = None;
    if !bastion_days.is_empty() {
        let d = bastion_days[rng.random_range(0..bastion_days.len())];
        out[d].push("bastion-replaced");
        bastion = Some(d);
    }
    let holidays: Vec<usize> = weekdays.iter().copied().filter(|&d| Some(d) != bastion).collect();
    if !holidays.is_empty() {
        out[holidays[rng.random_range(0..holidays.len())]].push("holiday");
    }
    let saturdays: Vec<usize> = (2..days.len()).filter(|&d| days[d].1).collect();
    if !saturdays.is_empty() {
        out[saturdays[rng.random_range(0..saturdays.len())]].push("maintenance-weekend");
    }
    out
}

/// A new host index of `role` at `site` (under `sites`), from the role's next free one.
fn next_index(r: &mut Routines, role: Role, site: u32) -> u32 {
    loop {
        let n = match role {
            Role::AdminStation => &mut r.next_station,
            Role::Server => &mut r.next_server,
            _ => &mut r.next_jump,
        };
        let i = *n;
        *n += 1;
        if r.net.site(i) == site {
            return i;
        }
    }
}

fn a_team(rng: &mut ChaCha8Rng) -> Team {
    [Team::Linux, Team::Windows][rng.random_range(0..2)]
}

/// Apply `kind` to `r` at the start of the day `day_start`; `tomorrow` collects what happens
/// the next day (the second half of a bastion migration).
pub fn apply(
    r: &mut Routines,
    kind: &str,
    seed: u64,
    day_start: i64,
    tomorrow: &mut Vec<(usize, usize)>,
) -> RoutineEvent {
    let mut rng =
        ChaCha8Rng::seed_from_u64(seed ^ day_start as u64 ^ 0xc4a7_6e00 ^ kind.len() as u64);
    let (hosts, note) = match kind {
        "station-replaced" => station_replaced(r, &mut rng),
        "new-admin" => new_admin(r, &mut rng),
        "servers-commissioned" => servers_commissioned(r, &mut rng),
        "bastion-replaced" => bastion_replaced(r, &mut rng, tomorrow),
        "new-build-host" => new_build_host(r),
        "maintenance-weekend" => maintenance_weekend(r, &mut rng),
        _ => holiday(r),
    };
    RoutineEvent { kind: kind.into(), hosts, note }
}

/// An admin's station replaced: a new host starts doing what a host that went quiet did.
fn station_replaced(r: &mut Routines, rng: &mut ChaCha8Rng) -> (Vec<String>, String) {
    let active: Vec<usize> = (0..r.admins.len()).filter(|&i| !r.admins[i].retired).collect();
    let i = active[rng.random_range(0..active.len())];
    let site = r.admins[i].site;
    let n = next_index(r, Role::AdminStation, site);
    let (old, new) = (r.admins[i].station, r.station(n));
    r.admins[i].station = new;
    r.admins[i].new_station = true;
    (
        vec![old.to_string(), new.to_string()],
        format!("{:?} admin's station {old} replaced by {new}; {old} goes quiet", r.admins[i].team),
    )
}

/// A new admin joins a team and works like two of its members (their jump hosts, servers).
fn new_admin(r: &mut Routines, rng: &mut ChaCha8Rng) -> (Vec<String>, String) {
    let team = a_team(rng);
    let peers = r.team(team);
    let p = peers[rng.random_range(0..peers.len())];
    let q = peers[rng.random_range(0..peers.len())];
    let site = r.admins[p].site;
    let n = next_index(r, Role::AdminStation, site);
    let mut ws: Vec<u32> = Vec::new();
    for &x in r.admins[p].working_set.iter().take(3).chain(r.admins[q].working_set.iter().take(2)) {
        if !ws.contains(&x) {
            ws.push(x);
        }
    }
    let station = r.station(n);
    let jumps = r.admins[p].jumps.clone();
    r.admins.push(Admin {
        station,
        team,
        jumps,
        working_set: ws,
        late: false,
        site,
        retired: false,
        new_station: true,
    });
    (
        vec![station.to_string()],
        format!("a new {team:?} admin at {station}, working like {}", r.admins[p].station),
    )
}

/// New servers of a team at one site, taken on by some of its admins there.
fn servers_commissioned(r: &mut Routines, rng: &mut ChaCha8Rng) -> (Vec<String>, String) {
    let team = a_team(rng);
    let members = r.team(team);
    let site = r.admins[members[rng.random_range(0..members.len())]].site;
    let mut new = Vec::new();
    let count = rng.random_range(2..=4usize);
    while new.len() < count {
        loop {
            let n = next_index(r, Role::Server, site);
            if r.administers(team, n) {
                new.push(n);
                break;
            }
        }
    }
    let mut at_site: Vec<usize> =
        members.iter().copied().filter(|&i| r.admins[i].site == site).collect();
    at_site.shuffle(rng);
    let k = rng.random_range(2..=5).min(at_site.len().max(1));
    for &i in at_site.iter().take(k) {
        for &s in new.iter().rev() {
            r.admins[i].working_set.insert(0, s);
        }
    }
    let hosts: Vec<String> = new.iter().map(|&s| r.server(s).to_string()).collect();
    (
        hosts.clone(),
        format!("{} new {team:?} servers ({}) taken on by {k} admins", new.len(), hosts.join(", ")),
    )
}

/// A jump host replaced: half of its admins move today, the rest tomorrow (`tomorrow`).
fn bastion_replaced(
    r: &mut Routines,
    rng: &mut ChaCha8Rng,
    tomorrow: &mut Vec<(usize, usize)>,
) -> (Vec<String>, String) {
    let old = match r.shape {
        Shape::Teams => [0usize, 2][rng.random_range(0..2)],
        Shape::Sites => {
            let sites = r.sites() as usize;
            [sites, rng.random_range(0..sites)][rng.random_range(0..2)]
        }
    };
    let site = r.net.site(old as u32);
    let n = next_index(r, Role::JumpHost, site);
    let addr = r.net.host(Role::JumpHost, n, false);
    let relay = r.jumps[old].relay;
    r.jumps.push(super::routines::Jump { addr, relay });
    let new = r.jumps.len() - 1;
    let users: Vec<usize> =
        (0..r.admins.len()).filter(|&i| r.admins[i].jumps.contains(&old)).collect();
    for (k, &i) in users.iter().enumerate() {
        if k % 2 == 0 {
            migrate(&mut r.admins[i], old, new);
        }
    }
    tomorrow.push((old, new));
    (
        vec![r.jumps[old].addr.to_string(), addr.to_string()],
        format!(
            "jump host {} replaced by {addr}: half of its {} admins move today, the rest tomorrow",
            r.jumps[old].addr,
            users.len()
        ),
    )
}

/// A new CI build host (it fetches from git over SSH).
fn new_build_host(r: &mut Routines) -> (Vec<String>, String) {
    let n = loop {
        let n = next_index(r, Role::Server, 0);
        if !r.net.windows(n) {
            break n;
        }
    };
    r.build_hosts.push(n);
    let a = r.server(n);
    (
        vec![a.to_string()],
        format!("CI builds on a new build host {a} too (it fetches from git over SSH)"),
    )
}

/// A maintenance day: one or two teams work, by day or in the evening.
fn maintenance_weekend(r: &mut Routines, rng: &mut ChaCha8Rng) -> (Vec<String>, String) {
    let mut teams = vec![a_team(rng)];
    if rng.random_bool(0.5) {
        teams.push(Team::Dba);
    }
    let evening = rng.random_bool(0.3);
    let hosts: Vec<String> =
        teams.iter().flat_map(|&t| r.team(t)).map(|i| r.admins[i].station.to_string()).collect();
    let note = format!(
        "maintenance: the {teams:?} teams work {}",
        if evening { "18:00–23:00" } else { "09:00–17:00" }
    );
    r.mode = DayMode::Maintenance { teams, evening };
    (hosts, note)
}

/// A public holiday: only the on-call admins work.
fn holiday(r: &mut Routines) -> (Vec<String>, String) {
    r.mode = DayMode::Holiday;
    (Vec::new(), "a public holiday: only the on-call admins work".into())
}

fn migrate(a: &mut Admin, old: usize, new: usize) {
    for j in &mut a.jumps {
        if *j == old {
            *j = new;
        }
    }
}

/// The second half of the migrations started the day before.
pub fn finish_migrations(r: &mut Routines, pending: &[(usize, usize)]) {
    for &(old, new) in pending {
        for a in &mut r.admins {
            migrate(a, old, new);
        }
        if r.deploy_bastion == old {
            r.deploy_bastion = new;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_applies_and_is_scheduled_on_fitting_days() {
        // 14 days from a Monday.
        let days: Vec<(bool, bool)> = (0..14).map(|d| (d % 7 >= 5, d % 7 == 5)).collect();
        let s = schedule(3, &days, 3000);
        assert!(s[0].is_empty() && s[1].is_empty(), "nothing on the first two days");
        let all: Vec<&str> = s.iter().flatten().copied().collect();
        for k in CYCLE.iter().chain(&["bastion-replaced", "holiday", "maintenance-weekend"]) {
            assert!(all.contains(k), "{k} in {s:?}");
        }
        for (d, evs) in s.iter().enumerate() {
            for e in evs {
                assert_eq!(*e == "maintenance-weekend", days[d].1, "{e} on day {d}");
            }
        }
        for shape in [Shape::Teams, Shape::Sites] {
            let mut r = Routines::new(3, 3000, shape);
            let mut later = Vec::new();
            for k in CYCLE.iter().chain(&["bastion-replaced", "holiday", "maintenance-weekend"]) {
                let before = (r.admins.len(), r.jumps.len(), r.build_hosts.len());
                let e = apply(&mut r, k, 3, 1_793_577_600_000, &mut later);
                assert_eq!(e.kind, *k);
                match *k {
                    "new-admin" => assert_eq!(r.admins.len(), before.0 + 1),
                    "bastion-replaced" => {
                        assert_eq!((r.jumps.len(), later.len()), (before.1 + 1, 1))
                    }
                    "new-build-host" => assert_eq!(r.build_hosts.len(), before.2 + 1),
                    "servers-commissioned" | "station-replaced" => assert!(!e.hosts.is_empty()),
                    _ => {}
                }
            }
        }
    }
}
