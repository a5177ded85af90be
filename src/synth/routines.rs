//! Routine administration over many days: the stable habits a history should learn.
//!
//! - **Teams.** Admin stations belong to a Linux team (SSH) or a Windows team (RDP to the jump
//!   host, RDP or WinRM onward). Each admin has a home jump host of its team (sometimes the
//!   team's other one) and a working set of 3–8 servers of its team's kind, used with Zipf
//!   preference (the k-th server with weight 1/k). On a work day an admin adds a new server
//!   with probability 0.15 and drops its least used one with 0.05 (drift).
//! - **Rhythm.** Admins work on weekdays (85 %) between 08:00 and 18:00 UTC (a tenth of them
//!   until 21:00); at weekends only the team's on-call admin of the week works, in the daytime.
//! - **Automation.** Two operators open a session to an automation host every weekday morning;
//!   while it is open the automation host reaches 20–60 Linux servers (a fresh sample daily).
//! - **Deployments.** Two CI runners open SSH to a deploy bastion 4–10 times a weekday (0–2 at
//!   weekends), which then reaches 3–8 of 20 application servers.
//! - **DBAs.** Eight DBA stations RDP into a management server and go on to 10 database servers
//!   over RDP or WinRM.
//!
//! Servers with an index divisible by 3 run Windows (RDP/WinRM), the others Linux (SSH).

use std::net::IpAddr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::encode::SynthFlow;
use super::network::{Network, Role};
use super::scenario::{TruthChain, TruthHop};
use super::session::{Connection, report};

pub use crate::services::{RDP, SSH, Svc, WINRM};

/// An hour in ms.
pub const HOUR: i64 = 3_600_000;
/// A minute in ms.
pub const MIN: i64 = 60_000;

/// Is server `n` a Windows server?
pub fn windows(n: u32) -> bool {
    n.is_multiple_of(3)
}

/// The service an admin uses to reach server `n`.
pub fn service_of(n: u32, rng: &mut ChaCha8Rng) -> Svc {
    if windows(n) { if rng.random_bool(0.7) { RDP } else { WINRM } } else { SSH }
}

/// Address of server `n`.
pub fn server(n: u32) -> IpAddr {
    Network::addr(Role::Server, n, false)
}

/// One established admin session (`packets` client → server, a few more back) as the exporter
/// reports it, and its truth hop. The draws: packets, client port, bytes, reply bytes.
pub fn session_with(
    rng: &mut ChaCha8Rng,
    (client, server): (IpAddr, IpAddr),
    svc: Svc,
    (start, end): (i64, i64),
    packets: std::ops::Range<u32>,
    active_timeout_ms: i64,
    out: &mut Vec<SynthFlow>,
) -> TruthHop {
    let (name, proto, port) = svc;
    let packets = rng.random_range(packets);
    let c = Connection {
        client,
        server,
        client_port: rng.random_range(32768..61000),
        server_port: port,
        proto,
        start_ms: start,
        end_ms: end,
        packets,
        bytes: packets * rng.random_range(60..200),
        reply: Some((packets + 5, packets * rng.random_range(200..1200))),
        flags: (0x1b, 0x1b),
        interfaces: (5, 6),
    };
    report(&c, name, active_timeout_ms, out)
}

/// `session_with` 30–2000 packets: the routines' and attacks' sessions.
pub fn session(
    rng: &mut ChaCha8Rng,
    ends: (IpAddr, IpAddr),
    svc: Svc,
    window: (i64, i64),
    active_timeout_ms: i64,
    out: &mut Vec<SynthFlow>,
) -> TruthHop {
    session_with(rng, ends, svc, window, 30..2000, active_timeout_ms, out)
}

/// A sub-session inside the parent window `[start, end)` (at least 2.5 minutes long): starts
/// 20 s in or later, ends 30 s before the parent or earlier.
pub fn inside(rng: &mut ChaCha8Rng, start: i64, end: i64) -> (i64, i64) {
    let s = rng.random_range(start + 20_000..end - 120_000);
    let e = rng.random_range(s + 30_000..=end - 30_000);
    (s, e)
}

/// One team admin: its station, team, jump hosts and drifting working set.
#[derive(Debug, Clone)]
pub struct Admin {
    /// Admin station index (role `AdminStation`).
    pub station: u32,
    /// Linux team (SSH) or Windows team (RDP/WinRM).
    pub linux: bool,
    /// Jump host indices of the admin's team, home first.
    pub jumps: Vec<u32>,
    /// Servers, most used first.
    pub working_set: Vec<u32>,
    /// Works until 21:00 instead of 18:00.
    pub late: bool,
}

/// The roles of a multi-day network and the admins' state.
pub struct Routines {
    /// Host counts per role.
    pub net: Network,
    /// The team admins and their state.
    pub admins: Vec<Admin>,
    /// Admin station indices of the DBAs.
    pub dba_stations: Vec<u32>,
    /// Admin stations that use the automation host.
    pub operators: Vec<u32>,
    /// Server index of the automation host.
    pub automation: u32,
    /// Server indices of the CI runners.
    pub ci_runners: Vec<u32>,
    /// Server indices the deployments reach.
    pub app_servers: Vec<u32>,
    /// Server indices the DBAs reach.
    pub db_servers: Vec<u32>,
    /// Jump host index of the deploy bastion.
    pub deploy_bastion: u32,
    /// Jump host index of the DBAs' management server.
    pub mgmt: u32,
    /// Week number (since the epoch, Monday-based) of the first generated day.
    pub first_week: Option<i64>,
    rng: ChaCha8Rng,
}

/// Monday-based week number of epoch ms `t`.
pub fn week_of(t: i64) -> i64 {
    (t.div_euclid(24 * HOUR) + 3).div_euclid(7)
}

fn pick_server(rng: &mut ChaCha8Rng, servers: u32, linux: bool, avoid: &[u32]) -> u32 {
    loop {
        let n = rng.random_range(0..servers.saturating_sub(40).max(1));
        if windows(n) != linux && !avoid.contains(&n) {
            return n;
        }
    }
}

impl Routines {
    /// The network of `hosts` hosts with its teams (needs at least 4 jump hosts: two team
    /// bastions, a deploy bastion and a management server).
    pub fn new(seed: u64, hosts: u32) -> Self {
        let net = Network::new(hosts).with_jump_hosts(6);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0707_0001);
        let servers = net.servers;
        let dba = 8.min(net.admin_stations / 4);
        let team_admins = net.admin_stations - dba;
        let (linux_j, windows_j) = ([0u32, 1], [2u32, 3]);
        let admins = (0..team_admins)
            .map(|a| {
                let linux = a % 2 == 0;
                let team = if linux { linux_j } else { windows_j };
                let home = team[(a / 2 % 2) as usize];
                let other = team[1 - (a / 2 % 2) as usize];
                let n = rng.random_range(3..=8);
                let mut ws = Vec::new();
                while ws.len() < n {
                    let s = pick_server(&mut rng, servers, linux, &ws);
                    ws.push(s);
                }
                Admin {
                    station: a,
                    linux,
                    jumps: vec![home, other],
                    working_set: ws,
                    late: a % 10 == 3,
                }
            })
            .collect();
        // The last 40 servers hold the fixed roles.
        let base = servers.saturating_sub(40);
        Routines {
            admins,
            dba_stations: (team_admins..net.admin_stations).collect(),
            operators: vec![0, 2],
            automation: base,
            ci_runners: vec![base + 1, base + 2],
            app_servers: (base + 4..base + 24).filter(|n| !windows(*n)).collect(),
            db_servers: (base + 24..base + 40).filter(|n| windows(*n)).collect(),
            deploy_bastion: 4,
            mgmt: 5,
            first_week: None,
            net,
            rng,
        }
    }

    /// Address of jump host `n`.
    pub fn jump(&self, n: u32) -> IpAddr {
        Network::addr(Role::JumpHost, n, false)
    }

    /// Address of admin station `n`.
    pub fn station(&self, n: u32) -> IpAddr {
        Network::addr(Role::AdminStation, n, false)
    }

    /// Was `station` on call in any generated week up to `week`?
    pub fn ever_on_call(&self, station: u32, week: i64) -> bool {
        let first = self.first_week.unwrap_or(week);
        (first..=week)
            .any(|w| self.on_call(true, w) == station || self.on_call(false, w) == station)
    }

    /// The team's on-call admin in week `week`.
    pub fn on_call(&self, linux: bool, week: i64) -> u32 {
        let team: Vec<u32> =
            self.admins.iter().filter(|a| a.linux == linux).map(|a| a.station).collect();
        team[week.rem_euclid(team.len() as i64) as usize]
    }

    /// Generate day `day_start` (UTC midnight, epoch ms); `weekend` days are quieter. Call for
    /// consecutive days in order: the admins' working sets drift from day to day.
    pub fn day(
        &mut self,
        day_start: i64,
        weekend: bool,
        timeout: i64,
        out: &mut Vec<SynthFlow>,
    ) -> Vec<TruthChain> {
        let mut chains = Vec::new();
        let week = week_of(day_start);
        self.first_week.get_or_insert(week);
        let oncall = [self.on_call(true, week), self.on_call(false, week)];
        let mut rng = self.rng.clone();
        let servers = self.net.servers;
        let mut admins = std::mem::take(&mut self.admins);
        for a in admins.iter_mut() {
            let works = if weekend {
                oncall.contains(&a.station) && rng.random_bool(0.7)
            } else {
                rng.random_bool(0.85)
            };
            if !works {
                continue;
            }
            if rng.random_bool(0.15) {
                let s = pick_server(&mut rng, servers, a.linux, &a.working_set);
                a.working_set.push(s);
            }
            if a.working_set.len() > 3 && rng.random_bool(0.05) {
                a.working_set.pop();
            }
            let episodes = if weekend { 1 } else { rng.random_range(1..=4) };
            let until = if a.late { 21 } else { 18 };
            for _ in 0..episodes {
                let start = day_start + rng.random_range(8 * HOUR..(until * HOUR - 30 * MIN));
                let end = start + rng.random_range(15..=90) * MIN;
                let jump = a.jumps[usize::from(rng.random_bool(0.2))];
                let in_svc = if a.linux { SSH } else { RDP };
                let parent = session(
                    &mut rng,
                    (self.station(a.station), self.jump(jump)),
                    in_svc,
                    (start, end),
                    timeout,
                    out,
                );
                let targets = rng.random_range(1..=3).min(a.working_set.len());
                let mut used: Vec<u32> = Vec::new();
                while used.len() < targets {
                    // Zipf: the k-th server with weight 1/k.
                    let h: f64 = (1..=a.working_set.len()).map(|k| 1.0 / k as f64).sum();
                    let mut x = rng.random::<f64>() * h;
                    let mut k = 0;
                    while k + 1 < a.working_set.len() && x > 1.0 / (k + 1) as f64 {
                        x -= 1.0 / (k + 1) as f64;
                        k += 1;
                    }
                    if !used.contains(&a.working_set[k]) {
                        used.push(a.working_set[k]);
                    } else if used.len() + 1 >= a.working_set.len() {
                        break;
                    }
                }
                for s in used {
                    let svc = service_of(s, &mut rng);
                    let w = inside(&mut rng, start, end);
                    let child =
                        session(&mut rng, (self.jump(jump), server(s)), svc, w, timeout, out);
                    chains.push(routine_chain("admin", &parent, child));
                }
            }
        }
        self.admins = admins;
        if !weekend {
            // Operators on the automation host; it fans out while they are logged in.
            for &op in &self.operators {
                let start = day_start + rng.random_range(8 * HOUR..10 * HOUR);
                let end = start + rng.random_range(60..=120) * MIN;
                let auto = server(self.automation);
                let parent =
                    session(&mut rng, (self.station(op), auto), SSH, (start, end), timeout, out);
                for _ in 0..rng.random_range(20..=60) {
                    let s = pick_server(&mut rng, servers, true, &[]);
                    let w = inside(&mut rng, start, end);
                    let w = (w.0, (w.0 + rng.random_range(1..5) * MIN).min(w.1));
                    let child = session(&mut rng, (auto, server(s)), SSH, w, timeout, out);
                    chains.push(routine_chain("automation", &parent, child));
                }
            }
            // DBAs.
            for &d in &self.dba_stations {
                if !rng.random_bool(0.8) {
                    continue;
                }
                for _ in 0..rng.random_range(1..=3) {
                    let start = day_start + rng.random_range(8 * HOUR..17 * HOUR);
                    let end = start + rng.random_range(20..=90) * MIN;
                    let parent = session(
                        &mut rng,
                        (self.station(d), self.jump(self.mgmt)),
                        RDP,
                        (start, end),
                        timeout,
                        out,
                    );
                    let db = self.db_servers[rng.random_range(0..self.db_servers.len())];
                    let svc = if rng.random_bool(0.6) { RDP } else { WINRM };
                    let w = inside(&mut rng, start, end);
                    let child =
                        session(&mut rng, (self.jump(self.mgmt), server(db)), svc, w, timeout, out);
                    chains.push(routine_chain("dba", &parent, child));
                }
            }
        }
        // Deployments, every day (fewer at weekends).
        let deploys = if weekend { rng.random_range(0..=2) } else { rng.random_range(4..=10) };
        for _ in 0..deploys {
            let runner = self.ci_runners[rng.random_range(0..self.ci_runners.len())];
            let start = day_start + rng.random_range(6 * HOUR..22 * HOUR);
            let end = start + rng.random_range(5..=15) * MIN;
            let bastion = self.jump(self.deploy_bastion);
            let parent =
                session(&mut rng, (server(runner), bastion), SSH, (start, end), timeout, out);
            for _ in 0..rng.random_range(3..=8) {
                let app = self.app_servers[rng.random_range(0..self.app_servers.len())];
                let w = inside(&mut rng, start, end);
                let child = session(&mut rng, (bastion, server(app)), SSH, w, timeout, out);
                chains.push(routine_chain("deploy", &parent, child));
            }
        }
        self.rng = rng;
        chains
    }
}

fn routine_chain(kind: &str, parent: &TruthHop, child: TruthHop) -> TruthChain {
    TruthChain {
        id: format!("routine-{kind}"),
        hosts: vec![parent.client.clone(), parent.server.clone(), child.server.clone()],
        cycle: false,
        hops: vec![parent.clone(), child],
    }
}
