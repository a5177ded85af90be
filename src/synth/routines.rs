//! Routine administration over many days: the stable habits a history should learn, on one of
//! two network shapes.
//!
//! **`teams`** (one subnet per role, `Plan::Roles`): a Linux team (SSH) with two jump hosts and a
//! Windows team (RDP to its two jump hosts, RDP or WinRM onward); every team jump host relays
//! for its own team only. DBAs RDP into a management server and go on to the database servers.
//!
//! **`sites`** (`Plan::Sites`, 2–6 sites): every site has one local jump host that all teams
//! share (SSH and RDP in, anything out), and two central bastions serve everyone: an SSH-only
//! one for Linux work and an RDP one for Windows work. Admins work mostly on servers of their
//! own site; one in four works from a laptop on a user floor. Teams: Linux, Windows and DBAs
//! (database servers, Linux over SSH and Windows over RDP/WinRM, through a management server
//! or the local jump host).
//!
//! In both shapes:
//! - **Admins.** Each has a station, a team, its jump hosts (home first: 80 % of episodes under
//!   `teams`, 70 % under `sites`) and a working set of 3–8 servers of its team's kind, used with
//!   Zipf preference (the k-th server with weight 1/k). On a work day an admin adds a new server
//!   with probability 0.15 and drops its least used one with 0.05 (drift).
//! - **Rhythm.** Admins work on weekdays (85 %) between 08:00 and 18:00 UTC (a tenth of them
//!   until 21:00); at weekends and on holidays only each team's on-call admin of the week works.
//! - **Automation.** Two operators open a session to an automation host every weekday morning;
//!   while it is open it reaches 20–60 Linux servers (a fresh sample daily).
//! - **Deployments.** Two CI runners open SSH to a deploy bastion 4–10 times a weekday (0–2 at
//!   weekends), which then reaches 3–8 of 20 application servers.
//! - **Service traffic on admin ports.** Developers' workstations (1.5 %) push to and fetch from
//!   a git server over SSH several times a day; CI runners SSH into build hosts, which fetch
//!   from the git server over SSH during the build (a chain, every day); a backup server opens
//!   SSH (rsync) to 30–80 servers every night.
//!
//! Hosts added by routine change (`events`) take the next free index of their role.

use std::collections::HashSet;
use std::net::IpAddr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::encode::SynthFlow;
use super::network::{Network, Plan, Role};
use super::scenario::{TruthChain, TruthHop};
use super::session::{Connection, report};

pub use crate::services::{RDP, SSH, Svc, WINRM};

/// An hour in ms.
pub const HOUR: i64 = 3_600_000;
/// A minute in ms.
pub const MIN: i64 = 60_000;

/// Servers at the end of the range reserved for fixed roles (automation, CI, git, backup,
/// application and database servers).
const FIXED: u32 = 48;

/// The network's shape (`synth --shape`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// Role subnets, a Linux and a Windows team with jump hosts of their own.
    #[default]
    Teams,
    /// Several sites with shared local jump hosts and central bastions.
    Sites,
}

/// An admin's team: which servers it administers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Team {
    /// Linux servers over SSH.
    Linux,
    /// Windows servers over RDP or WinRM.
    Windows,
    /// Database servers.
    Dba,
}

/// What a jump host accepts and relays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relay {
    /// SSH in, SSH out.
    Ssh,
    /// RDP in, RDP or WinRM out.
    Rdp,
    /// Anything.
    Mixed,
}

/// A jump host.
#[derive(Debug, Clone)]
pub struct Jump {
    /// Its address.
    pub addr: IpAddr,
    /// What it relays.
    pub relay: Relay,
}

/// One admin: its station, team, jump hosts and drifting working set.
#[derive(Debug, Clone)]
pub struct Admin {
    /// Station address.
    pub station: IpAddr,
    /// Its team.
    pub team: Team,
    /// Indices into `Routines::jumps`, home first.
    pub jumps: Vec<usize>,
    /// Servers, most used first.
    pub working_set: Vec<u32>,
    /// Works until 21:00 instead of 18:00.
    pub late: bool,
    /// Home site (0 under `teams`).
    pub site: u32,
    /// Left (its station was replaced, or it left the team): generates nothing.
    pub retired: bool,
    /// Its station is new (a new admin, or a replaced station): attacks pick established
    /// admins with a usual path.
    pub new_station: bool,
}

/// What kind of day it is for the admins (set by `events` for one day).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DayMode {
    /// An ordinary weekday or weekend day.
    #[default]
    Normal,
    /// A public holiday on a weekday: only the on-call admins work.
    Holiday,
    /// A maintenance weekend day: (nearly) every admin of these teams works, in the daytime or
    /// (`evening`) from 18:00 to 23:00.
    Maintenance {
        /// The teams at work.
        teams: Vec<Team>,
        /// From 18:00 instead of 09:00.
        evening: bool,
    },
}

/// The roles of a multi-day network and the admins' state.
pub struct Routines {
    /// Host counts per role and the address plan.
    pub net: Network,
    /// The shape.
    pub shape: Shape,
    /// The admins (retired ones stay, so indices are stable).
    pub admins: Vec<Admin>,
    /// The jump hosts (replaced ones stay, unused).
    pub jumps: Vec<Jump>,
    /// Admins (indices) who use the automation host and check the backups.
    pub operators: Vec<usize>,
    /// Server index of the automation host.
    pub automation: u32,
    /// Server indices of the CI runners.
    pub ci_runners: Vec<u32>,
    /// Server indices the deployments reach.
    pub app_servers: Vec<u32>,
    /// Server index of the git server (SSH).
    pub git: u32,
    /// Server indices of the build hosts.
    pub build_hosts: Vec<u32>,
    /// Server index of the backup server.
    pub backup: u32,
    /// Workstation indices of the developers (git over SSH).
    pub developers: Vec<u32>,
    /// Jump index of the deploy bastion.
    pub deploy_bastion: usize,
    /// Jump index of the DBAs' management server.
    pub mgmt: usize,
    /// Week number (since the epoch, Monday-based) of the first generated day.
    pub first_week: Option<i64>,
    /// Stations that were on call in a generated week.
    pub oncall_log: HashSet<IpAddr>,
    /// Stations that worked on a weekend day or a holiday.
    pub weekend_log: HashSet<IpAddr>,
    /// Today's kind of day (reset after each day).
    pub mode: DayMode,
    /// Next free index per role for hosts that routine change adds.
    pub next_station: u32,
    /// Next free server index.
    pub next_server: u32,
    /// Next free jump host index.
    pub next_jump: u32,
    rng: ChaCha8Rng,
}

/// Monday-based week number of epoch ms `t`.
pub fn week_of(t: i64) -> i64 {
    (t.div_euclid(24 * HOUR) + 3).div_euclid(7)
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

/// Zipf pick among `n` items: the k-th with weight 1/(k+1).
fn zipf(rng: &mut ChaCha8Rng, n: usize) -> usize {
    let h: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
    let mut x = rng.random::<f64>() * h;
    let mut k = 0;
    while k + 1 < n && x > 1.0 / (k + 1) as f64 {
        x -= 1.0 / (k + 1) as f64;
        k += 1;
    }
    k
}

impl Routines {
    /// The network of `hosts` hosts of `shape` with its teams.
    pub fn new(seed: u64, hosts: u32, shape: Shape) -> Self {
        let sites = (hosts / 1000).clamp(2, 6);
        let net = match shape {
            Shape::Teams => Network::new(hosts).with_jump_hosts(6),
            Shape::Sites => {
                Network::new(hosts).with_jump_hosts(sites + 4).with_plan(Plan::Sites(sites))
            }
        };
        let rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0707_0001);
        let base = net.servers.saturating_sub(FIXED);
        let j = |n: u32, relay| Jump { addr: net.host(Role::JumpHost, n, false), relay };
        let (jumps, deploy_bastion, mgmt) = match shape {
            Shape::Teams => (
                vec![
                    j(0, Relay::Ssh),
                    j(1, Relay::Ssh),
                    j(2, Relay::Rdp),
                    j(3, Relay::Rdp),
                    j(4, Relay::Ssh),
                    j(5, Relay::Rdp),
                ],
                4,
                5,
            ),
            Shape::Sites => {
                // Local jump host of site s = index s; then the central SSH and RDP bastions,
                // the deploy bastion and the management server.
                let mut v: Vec<Jump> = (0..sites).map(|s| j(s, Relay::Mixed)).collect();
                v.extend([
                    j(sites, Relay::Ssh),
                    j(sites + 1, Relay::Rdp),
                    j(sites + 2, Relay::Ssh),
                    j(sites + 3, Relay::Mixed),
                ]);
                (v, sites as usize + 2, sites as usize + 3)
            }
        };
        let developers = {
            let mut r = ChaCha8Rng::seed_from_u64(seed ^ 0xde7e_1000);
            let n = (net.workstations * 3 / 200).max(20).min(net.workstations);
            let mut d: Vec<u32> = Vec::new();
            while d.len() < n as usize {
                let w = r.random_range(0..net.workstations);
                if !d.contains(&w) {
                    d.push(w);
                }
            }
            d
        };
        let mut r = Routines {
            admins: Vec::new(),
            jumps,
            operators: Vec::new(),
            automation: base,
            ci_runners: vec![base + 1, base + 2],
            git: base + 3,
            build_hosts: vec![base + 4, base + 5],
            backup: base + 6,
            app_servers: (base + 8..base + 28).collect(),
            developers,
            deploy_bastion,
            mgmt,
            first_week: None,
            oncall_log: HashSet::new(),
            weekend_log: HashSet::new(),
            mode: DayMode::Normal,
            next_station: net.admin_stations,
            next_server: net.servers,
            next_jump: net.jump_hosts,
            shape,
            net,
            rng,
        };
        r.hire_initial_admins();
        r
    }

    fn hire_initial_admins(&mut self) {
        let mut rng = self.rng.clone();
        let stations = self.net.admin_stations;
        let dba = match self.shape {
            Shape::Teams => 8.min(stations / 4),
            Shape::Sites => (stations / 8).max(2),
        };
        let team_admins = stations - dba;
        for a in 0..stations {
            // Teams alternate within each site (stations go round the sites in turn).
            let team = if a >= team_admins {
                Team::Dba
            } else if (a / self.sites()).is_multiple_of(2) {
                Team::Linux
            } else {
                Team::Windows
            };
            let site = self.net.site(a);
            let jumps = self.team_jumps(team, site, a);
            let mut admin = Admin {
                station: self.station(a),
                team,
                jumps,
                working_set: Vec::new(),
                late: a % 10 == 3,
                site,
                retired: false,
                new_station: false,
            };
            let n = rng.random_range(3..=8);
            while admin.working_set.len() < n {
                let s = self.pick_server(&mut rng, team, site, &admin.working_set);
                admin.working_set.push(s);
            }
            self.admins.push(admin);
        }
        // The first two Linux admins run the automation.
        self.operators = (0..self.admins.len())
            .filter(|&i| self.admins[i].team == Team::Linux)
            .take(2)
            .collect();
        self.rng = rng;
    }

    /// The jump hosts (home first) an admin of `team` at `site` uses; `a` spreads the teams'
    /// admins over their two jump hosts under `teams`.
    pub fn team_jumps(&self, team: Team, site: u32, a: u32) -> Vec<usize> {
        match self.shape {
            Shape::Teams => {
                let pair = match team {
                    Team::Linux => [0, 1],
                    Team::Windows => [2, 3],
                    Team::Dba => return vec![self.mgmt],
                };
                let home = (a / 2 % 2) as usize;
                vec![pair[home], pair[1 - home]]
            }
            Shape::Sites => {
                let sites = self.sites();
                let local = site as usize;
                match team {
                    Team::Linux => vec![local, sites as usize],
                    Team::Windows => vec![local, sites as usize + 1],
                    Team::Dba => vec![self.mgmt, local],
                }
            }
        }
    }

    /// Sites of the network (1 under `teams`).
    pub fn sites(&self) -> u32 {
        match self.net.plan {
            Plan::Sites(k) => k,
            Plan::Roles => 1,
        }
    }

    /// Servers before the fixed roles: what working sets and attacks draw from.
    pub fn ordinary_servers(&self) -> u32 {
        self.net.servers.saturating_sub(FIXED).max(1)
    }

    /// Is server `n` one that `team` administers?
    pub fn administers(&self, team: Team, n: u32) -> bool {
        let db = match self.shape {
            Shape::Teams => n >= self.net.servers.saturating_sub(20) && n < self.net.servers,
            Shape::Sites => self.net.function(n) == 2,
        };
        match team {
            Team::Dba => db,
            Team::Linux => !db && !self.net.windows(n),
            Team::Windows => !db && self.net.windows(n),
        }
    }

    /// A server `team` administers, not in `avoid`; under `sites` at `site` four times in five.
    pub fn pick_server(&self, rng: &mut ChaCha8Rng, team: Team, site: u32, avoid: &[u32]) -> u32 {
        let home = self.shape == Shape::Sites && rng.random_bool(0.8);
        let (lo, hi) = match (self.shape, team) {
            // Under `teams` the DBAs' servers are the last 20 of the fixed block.
            (Shape::Teams, Team::Dba) => {
                (self.net.servers.saturating_sub(20), self.net.servers.max(1))
            }
            _ => (0, self.ordinary_servers()),
        };
        for _ in 0..100_000 {
            let n = rng.random_range(lo..hi);
            if self.administers(team, n)
                && !avoid.contains(&n)
                && (!home || self.net.site(n) == site)
            {
                return n;
            }
        }
        lo
    }

    /// The service an admin uses to reach server `n`.
    pub fn service_of(&self, n: u32, rng: &mut ChaCha8Rng) -> Svc {
        if self.net.windows(n) { if rng.random_bool(0.7) { RDP } else { WINRM } } else { SSH }
    }

    /// The service an admin of `team` uses to log into jump host `j`.
    pub fn first_hop(&self, team: Team, j: usize) -> Svc {
        match (self.jumps[j].relay, team) {
            (Relay::Ssh, _) => SSH,
            (Relay::Rdp, _) | (Relay::Mixed, Team::Windows | Team::Dba) => RDP,
            (Relay::Mixed, Team::Linux) => SSH,
        }
    }

    /// Address of server `n`.
    pub fn server(&self, n: u32) -> IpAddr {
        self.net.host(Role::Server, n, false)
    }

    /// Address of jump host index `j` of `jumps`.
    pub fn jump(&self, j: usize) -> IpAddr {
        self.jumps[j].addr
    }

    /// Address of admin station number `n`.
    pub fn station(&self, n: u32) -> IpAddr {
        self.net.host(Role::AdminStation, n, false)
    }

    /// Address of workstation `n`.
    pub fn workstation(&self, n: u32) -> IpAddr {
        self.net.host(Role::Workstation, n, false)
    }

    /// The admins (indices) of a team still at work, in hiring order.
    pub fn team(&self, team: Team) -> Vec<usize> {
        (0..self.admins.len())
            .filter(|&i| self.admins[i].team == team && !self.admins[i].retired)
            .collect()
    }

    /// The team's on-call admin (index) in week `week`.
    pub fn on_call(&self, team: Team, week: i64) -> Option<usize> {
        let t = self.team(team);
        (!t.is_empty()).then(|| t[week.rem_euclid(t.len() as i64) as usize])
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
        let oncall: Vec<usize> = [Team::Linux, Team::Windows, Team::Dba]
            .into_iter()
            .filter_map(|t| self.on_call(t, week))
            .collect();
        for &i in &oncall {
            let s = self.admins[i].station;
            self.oncall_log.insert(s);
        }
        let mut rng = self.rng.clone();
        let mode = std::mem::take(&mut self.mode);
        let quiet = weekend || mode == DayMode::Holiday;
        let mut admins = std::mem::take(&mut self.admins);
        for (i, a) in admins.iter_mut().enumerate() {
            if a.retired {
                continue;
            }
            let (works, window, episodes) = match &mode {
                DayMode::Maintenance { teams, evening } if teams.contains(&a.team) => {
                    let w = if *evening { (18, 23) } else { (9, 17) };
                    (rng.random_bool(0.9), w, rng.random_range(2..=4))
                }
                _ if quiet => (oncall.contains(&i) && rng.random_bool(0.7), (8, 18), 1),
                _ => (
                    rng.random_bool(0.85),
                    (8, if a.late { 21 } else { 18 }),
                    rng.random_range(1..=4),
                ),
            };
            if !works {
                continue;
            }
            if weekend || mode != DayMode::Normal {
                self.weekend_log.insert(a.station);
            }
            if rng.random_bool(0.15) {
                let s = self.pick_server(&mut rng, a.team, a.site, &a.working_set);
                a.working_set.push(s);
            }
            if a.working_set.len() > 3 && rng.random_bool(0.05) {
                a.working_set.pop();
            }
            for _ in 0..episodes {
                let start =
                    day_start + rng.random_range(window.0 * HOUR..(window.1 * HOUR - 30 * MIN));
                self.admin_episode(&mut rng, a, start, timeout, out, &mut chains);
            }
        }
        self.admins = admins;
        if !quiet {
            self.automation_day(&mut rng, day_start, timeout, out, &mut chains);
        }
        self.deployments(&mut rng, day_start, quiet, timeout, out, &mut chains);
        self.rng = rng;
        self.services_on_admin_ports(day_start, quiet, timeout, out, &mut chains);
        chains
    }

    /// One work episode of admin `a` from `start`: a session into one of its jump hosts and,
    /// inside it, sessions to one to three servers of its working set.
    fn admin_episode(
        &self,
        rng: &mut ChaCha8Rng,
        a: &Admin,
        start: i64,
        timeout: i64,
        out: &mut Vec<SynthFlow>,
        chains: &mut Vec<TruthChain>,
    ) {
        let other = if self.shape == Shape::Teams { 0.2 } else { 0.3 };
        let end = start + rng.random_range(15..=90) * MIN;
        let j = a.jumps[usize::from(a.jumps.len() > 1 && rng.random_bool(other))];
        let parent = session(
            rng,
            (a.station, self.jump(j)),
            self.first_hop(a.team, j),
            (start, end),
            timeout,
            out,
        );
        let targets = rng.random_range(1..=3).min(a.working_set.len());
        let mut used: Vec<u32> = Vec::new();
        for _ in 0..10 {
            if used.len() >= targets {
                break;
            }
            let s = a.working_set[zipf(rng, a.working_set.len())];
            if !used.contains(&s) {
                used.push(s);
            }
        }
        for s in used {
            let svc = self.service_of(s, rng);
            let w = inside(rng, start, end);
            let child = session(rng, (self.jump(j), self.server(s)), svc, w, timeout, out);
            chains.push(routine_chain("admin", &parent, child));
        }
    }

    /// A working day of the automation host: its operators log in and it fans out over SSH.
    fn automation_day(
        &self,
        rng: &mut ChaCha8Rng,
        day_start: i64,
        timeout: i64,
        out: &mut Vec<SynthFlow>,
        chains: &mut Vec<TruthChain>,
    ) {
        // Operators on the automation host; it fans out while they are logged in.
        for &op in &self.operators {
            if self.admins[op].retired {
                continue;
            }
            let start = day_start + rng.random_range(8 * HOUR..10 * HOUR);
            let end = start + rng.random_range(60..=120) * MIN;
            let auto = self.server(self.automation);
            let station = self.admins[op].station;
            let parent = session(rng, (station, auto), SSH, (start, end), timeout, out);
            for _ in 0..rng.random_range(20..=60) {
                let s = self.pick_server(rng, Team::Linux, 0, &[]);
                let w = inside(rng, start, end);
                let w = (w.0, (w.0 + rng.random_range(1..5) * MIN).min(w.1));
                let child = session(rng, (auto, self.server(s)), SSH, w, timeout, out);
                chains.push(routine_chain("automation", &parent, child));
            }
        }
    }

    /// The day's deployments: a CI runner through the deploy bastion to app servers.
    fn deployments(
        &self,
        rng: &mut ChaCha8Rng,
        day_start: i64,
        quiet: bool,
        timeout: i64,
        out: &mut Vec<SynthFlow>,
        chains: &mut Vec<TruthChain>,
    ) {
        // Deployments, every day (fewer at weekends).
        let deploys = if quiet { rng.random_range(0..=2) } else { rng.random_range(4..=10) };
        for _ in 0..deploys {
            let runner = self.ci_runners[rng.random_range(0..self.ci_runners.len())];
            let start = day_start + rng.random_range(6 * HOUR..22 * HOUR);
            let end = start + rng.random_range(5..=15) * MIN;
            let bastion = self.jump(self.deploy_bastion);
            let parent =
                session(rng, (self.server(runner), bastion), SSH, (start, end), timeout, out);
            for _ in 0..rng.random_range(3..=8) {
                let app = self.app_servers[rng.random_range(0..self.app_servers.len())];
                let w = inside(rng, start, end);
                let child = session(rng, (bastion, self.server(app)), SSH, w, timeout, out);
                chains.push(routine_chain("deploy", &parent, child));
            }
        }
    }

    /// Git over SSH from developers and from build hosts during CI builds (a chain: runner →
    /// build host → git), and the nightly backup pulling over SSH. Own random stream: the
    /// admins' draws do not depend on it.
    fn services_on_admin_ports(
        &self,
        day_start: i64,
        quiet: bool,
        timeout: i64,
        out: &mut Vec<SynthFlow>,
        chains: &mut Vec<TruthChain>,
    ) {
        let mut rng =
            ChaCha8Rng::seed_from_u64(day_start as u64 ^ 0x617_5e55 ^ u64::from(self.git));
        let git = self.server(self.git);
        for &d in &self.developers {
            if quiet && !rng.random_bool(0.1) {
                continue;
            }
            let n = if quiet { 1 } else { rng.random_range(0..=4) };
            for _ in 0..n {
                let start = day_start + rng.random_range(8 * HOUR..19 * HOUR);
                let end = start + rng.random_range(10_000..180_000);
                session_with(
                    &mut rng,
                    (self.workstation(d), git),
                    SSH,
                    (start, end),
                    10..200,
                    timeout,
                    out,
                );
            }
        }
        let builds = if quiet { rng.random_range(0..=3) } else { rng.random_range(6..=16) };
        for _ in 0..builds {
            let runner = self.ci_runners[rng.random_range(0..self.ci_runners.len())];
            let build = self.build_hosts[rng.random_range(0..self.build_hosts.len())];
            let start = day_start + rng.random_range(7 * HOUR..21 * HOUR);
            let end = start + rng.random_range(3..=15) * MIN;
            let (r, b) = (self.server(runner), self.server(build));
            let parent = session(&mut rng, (r, b), SSH, (start, end), timeout, out);
            for _ in 0..rng.random_range(1..=2) {
                let s = rng.random_range(start + 20_000..end - 120_000);
                let w = (s, s + rng.random_range(20_000..90_000));
                let child = session_with(&mut rng, (b, git), SSH, w, 20..400, timeout, out);
                chains.push(routine_chain("build", &parent, child));
            }
        }
        let backup = self.server(self.backup);
        for _ in 0..rng.random_range(30..=80) {
            let s = rng.random_range(0..self.ordinary_servers());
            let start = day_start + rng.random_range(HOUR..4 * HOUR);
            let end = start + rng.random_range(1..=20) * MIN;
            session(&mut rng, (backup, self.server(s)), SSH, (start, end), timeout, out);
        }
        if !quiet
            && rng.random_bool(0.3)
            && let Some(&op) = self.operators.first()
        {
            let start = day_start + rng.random_range(9 * HOUR..10 * HOUR);
            let end = start + rng.random_range(10..=30) * MIN;
            let station = self.admins[op].station;
            session(&mut rng, (station, backup), SSH, (start, end), timeout, out);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_give_every_team_admins_servers_and_jump_hosts_that_fit() {
        for shape in [Shape::Teams, Shape::Sites] {
            let r = Routines::new(5, 3000, shape);
            for team in [Team::Linux, Team::Windows, Team::Dba] {
                assert!(!r.team(team).is_empty(), "{shape:?} {team:?}");
            }
            for a in &r.admins {
                assert!(a.working_set.iter().all(|&s| r.administers(a.team, s)), "{a:?}");
                for &j in &a.jumps {
                    // A jump host that relays SSH only never carries a Windows admin.
                    assert!(!(r.jumps[j].relay == Relay::Ssh && a.team == Team::Windows));
                }
            }
            let mut out = Vec::new();
            let day = 1_793_577_600_000; // 2026-11-02, a Monday
            let chains = Routines::new(5, 3000, shape).day(day, false, 30 * MIN, &mut out);
            for kind in ["routine-admin", "routine-automation", "routine-deploy", "routine-build"] {
                assert!(chains.iter().any(|c| c.id == kind), "{shape:?}: no {kind}");
            }
        }
    }
}
