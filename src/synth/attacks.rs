//! Attacks on the multi-day network (`routines`), on real hosts of it:
//!
//! | kind | what |
//! |---|---|
//! | `workstation-path` | a workstation reaches a Linux server over SSH and goes on to another server |
//! | `hijacked-admin` | a Linux admin's station, through a jump host it uses that relays SSH only, to a Windows server over RDP |
//! | `stolen-laptop` | (`sites`) a Linux admin's laptop takes its usual first hop to its site's shared jump host, then reaches a Windows server the jump host reaches daily for the Windows team |
//! | `long-chain` | workstation → four servers in a row, none of which ever relays |
//! | `extra-hop` | an admin's routine path to a working-set server, then one hop further from that server |
//! | `cycle` | workstation → server → server → back to the first server |
//! | `off-hours-weekend` | a Linux admin who is never on call, at 02:00–04:00 on a weekend, its usual path to a usual server |
//!
//! Decoys that must not be reported as chains come with them: a next hop after the first
//! session ended, a next "hop" that is a lone SYN, and two sessions into a host that never
//! connects onward.

use std::net::IpAddr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::encode::SynthFlow;
use super::routines::{HOUR, MIN, RDP, Relay, Routines, SSH, Shape, Svc, Team, session};
use super::scenario::{Decoy, TruthChain, TruthHop};
use super::session::{Connection, records};

/// The attack kinds `--days` injects in rotation on the `teams` shape.
pub const KINDS: &[&str] =
    &["workstation-path", "hijacked-admin", "long-chain", "extra-hop", "cycle"];
/// The rotation on the `sites` shape.
pub const SITES_KINDS: &[&str] =
    &["workstation-path", "hijacked-admin", "stolen-laptop", "long-chain", "extra-hop", "cycle"];
/// The weekend attack, on Saturdays and Sundays besides the rotation.
pub const WEEKEND_KIND: &str = "off-hours-weekend";

fn workstation(r: &Routines, rng: &mut ChaCha8Rng) -> IpAddr {
    r.workstation(rng.random_range(0..r.net.workstations))
}

fn any_server(r: &Routines, rng: &mut ChaCha8Rng, linux: bool) -> u32 {
    loop {
        let n = rng.random_range(0..r.ordinary_servers());
        if r.net.windows(n) != linux {
            return n;
        }
    }
}

/// Hops of a chain along `hosts` with `svcs`, each starting inside the previous one.
fn chain(
    rng: &mut ChaCha8Rng,
    hosts: &[IpAddr],
    svcs: &[Svc],
    start: i64,
    timeout: i64,
    out: &mut Vec<SynthFlow>,
) -> Vec<TruthHop> {
    let (mut t, mut end) = (start, start + rng.random_range(60..=120) * MIN);
    let mut hops = Vec::new();
    for (i, svc) in svcs.iter().enumerate() {
        hops.push(session(rng, (hosts[i], hosts[i + 1]), *svc, (t, end), timeout, out));
        t += rng.random_range(2..6) * MIN;
        end -= rng.random_range(2..6) * MIN;
    }
    hops
}

/// An established Linux admin (its station in use since the first day, so it has a usual
/// path) who works day hours only and never worked a weekend or holiday so far (the
/// conditions are dropped in turn when a small network has none left).
fn linux_admin(r: &Routines, rng: &mut ChaCha8Rng) -> usize {
    let linux = r.team(Team::Linux);
    let established: Vec<usize> =
        linux.iter().copied().filter(|&i| !r.admins[i].new_station).collect();
    let quiet: Vec<usize> = established
        .iter()
        .copied()
        .filter(|&i| {
            let a = &r.admins[i];
            !a.late && !r.oncall_log.contains(&a.station) && !r.weekend_log.contains(&a.station)
        })
        .collect();
    let pool = [quiet, established, linux].into_iter().find(|p| !p.is_empty()).unwrap_or_default();
    pool[rng.random_range(0..pool.len())]
}

/// The path, services, start and cycle flag of an attack of `kind` on the day `day_start`.
type Plan = (Vec<IpAddr>, Vec<Svc>, i64, bool);

/// A Linux admin's station takes its owner's first hop, then reaches a Windows server the same
/// jump host reaches daily for the Windows team.
fn stolen_laptop(r: &Routines, rng: &mut ChaCha8Rng, work: i64) -> Plan {
    let o = &r.admins[linux_admin(r, rng)];
    let j = o.jumps[0];
    let targets: Vec<u32> = r
        .team(Team::Windows)
        .into_iter()
        .filter(|&w| r.admins[w].jumps.contains(&j))
        .flat_map(|w| r.admins[w].working_set.iter().take(2).copied())
        .collect();
    let t = if targets.is_empty() {
        any_server(r, rng, false)
    } else {
        targets[rng.random_range(0..targets.len())]
    };
    let svc = r.service_of(t, rng);
    (vec![o.station, r.jump(j), r.server(t)], vec![r.first_hop(Team::Linux, j), svc], work, false)
}

fn plan(r: &Routines, kind: &str, rng: &mut ChaCha8Rng, day_start: i64) -> Plan {
    let work = day_start + rng.random_range(9 * HOUR..16 * HOUR);
    match kind {
        "workstation-path" => {
            let (a, b) = (any_server(r, rng, true), any_server(r, rng, false));
            let svc = r.service_of(b, rng);
            (vec![workstation(r, rng), r.server(a), r.server(b)], vec![SSH, svc], work, false)
        }
        "hijacked-admin" => {
            let a = &r.admins[linux_admin(r, rng)];
            // Through a jump host of its own that relays SSH only.
            let j = a
                .jumps
                .iter()
                .copied()
                .find(|&j| r.jumps[j].relay == Relay::Ssh)
                .unwrap_or(a.jumps[0]);
            let t = any_server(r, rng, false);
            (vec![a.station, r.jump(j), r.server(t)], vec![SSH, RDP], work, false)
        }
        "stolen-laptop" => stolen_laptop(r, rng, work),
        "long-chain" => {
            let mut h = vec![workstation(r, rng)];
            let mut used = Vec::new();
            while used.len() < 4 {
                let s = any_server(r, rng, true);
                if !used.contains(&s) {
                    used.push(s);
                    h.push(r.server(s));
                }
            }
            (h, vec![SSH; 4], work, false)
        }
        "extra-hop" => {
            let a = &r.admins[linux_admin(r, rng)];
            let s = a.working_set[0];
            let x = any_server(r, rng, true);
            let j = a.jumps[0];
            (
                vec![a.station, r.jump(j), r.server(s), r.server(x)],
                vec![r.first_hop(Team::Linux, j), SSH, SSH],
                work,
                false,
            )
        }
        "cycle" => {
            let (a, b) = (any_server(r, rng, true), any_server(r, rng, true));
            (
                vec![workstation(r, rng), r.server(a), r.server(b), r.server(a)],
                vec![SSH; 3],
                work,
                true,
            )
        }
        _ => {
            // off-hours-weekend
            let a = &r.admins[linux_admin(r, rng)];
            let at = day_start + rng.random_range(2 * HOUR..4 * HOUR);
            let j = a.jumps[0];
            (
                vec![a.station, r.jump(j), r.server(a.working_set[0])],
                vec![r.first_hop(Team::Linux, j), SSH],
                at,
                false,
            )
        }
    }
}

/// The attack of `kind` on the day starting at `day_start`.
pub fn attack(
    r: &Routines,
    kind: &str,
    seed: u64,
    day_start: i64,
    timeout: i64,
    out: &mut Vec<SynthFlow>,
) -> TruthChain {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ day_start as u64 ^ kind.len() as u64);
    let (hosts, svcs, start, cycle) = plan(r, kind, &mut rng, day_start);
    let hops = chain(&mut rng, &hosts, &svcs, start, timeout, out);
    TruthChain {
        id: format!("attack-{kind}"),
        hosts: hosts.iter().map(|h| h.to_string()).collect(),
        cycle,
        hops,
    }
}

/// `earlier` again on the day starting at `day_start`, at a working hour: the attacker comes
/// back along the same path (`attack-repeat-…`).
pub fn repeat(
    earlier: &TruthChain,
    seed: u64,
    day_start: i64,
    timeout: i64,
    out: &mut Vec<SynthFlow>,
) -> TruthChain {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ day_start as u64 ^ 0x004e_9ea7);
    let hosts: Vec<IpAddr> = earlier.hosts.iter().filter_map(|h| h.parse().ok()).collect();
    let svcs: Vec<Svc> = earlier
        .hops
        .iter()
        .map(|h| {
            crate::services::ADMIN_SERVICES
                .iter()
                .copied()
                .find(|s| (s.1, s.2) == (h.proto, h.port))
                .unwrap_or(SSH)
        })
        .collect();
    let start = day_start + rng.random_range(9 * HOUR..16 * HOUR);
    let hops = chain(&mut rng, &hosts, &svcs, start, timeout, out);
    let kind = earlier.id.trim_start_matches("attack-");
    TruthChain {
        id: format!("attack-repeat-{kind}"),
        hosts: earlier.hosts.clone(),
        cycle: earlier.cycle,
        hops,
    }
}

/// The rotation of attack kinds of a shape.
pub fn kinds(shape: Shape) -> &'static [&'static str] {
    match shape {
        Shape::Teams => KINDS,
        Shape::Sites => SITES_KINDS,
    }
}

/// The three decoys of the day (see the module doc): none of them is a chain.
pub fn decoys(
    r: &Routines,
    seed: u64,
    day_start: i64,
    timeout: i64,
    out: &mut Vec<SynthFlow>,
) -> Vec<Decoy> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ day_start as u64 ^ 0xdec0);
    let mut decoys = Vec::new();
    let t = day_start + rng.random_range(9 * HOUR..15 * HOUR);
    let (w, a, b) = (
        workstation(r, &mut rng),
        r.server(any_server(r, &mut rng, true)),
        r.server(any_server(r, &mut rng, true)),
    );
    let h1 = session(&mut rng, (w, a), SSH, (t, t + 10 * MIN), timeout, out);
    let h2 = session(&mut rng, (a, b), SSH, (t + 15 * MIN, t + 25 * MIN), timeout, out);
    decoys.push(Decoy {
        id: "child-after-parent-ended".into(),
        why: "the second session starts after the first ended".into(),
        hops: vec![h1, h2],
    });
    let (w, a, b) = (
        workstation(r, &mut rng),
        r.server(any_server(r, &mut rng, true)),
        r.server(any_server(r, &mut rng, true)),
    );
    let h1 = session(&mut rng, (w, a), SSH, (t, t + 30 * MIN), timeout, out);
    let syn = Connection {
        client: a,
        server: b,
        client_port: rng.random_range(32768..61000),
        server_port: 22,
        proto: 6,
        start_ms: t + 5 * MIN,
        end_ms: t + 5 * MIN,
        packets: 1,
        bytes: 60,
        reply: None,
        flags: (0x02, 0),
        interfaces: (3, 4),
    };
    out.extend(records(&syn, timeout));
    let h2 = TruthHop {
        client: a.to_string(),
        server: b.to_string(),
        service: "ssh".into(),
        proto: 6,
        port: 22,
        start_ms: t + 5 * MIN,
        end_ms: t + 5 * MIN,
    };
    decoys.push(Decoy {
        id: "scan-only-next-hop".into(),
        why: "the next hop is a lone SYN, not a session".into(),
        hops: vec![h1, h2],
    });
    let (w, a, x) = (
        workstation(r, &mut rng),
        r.server(any_server(r, &mut rng, true)),
        workstation(r, &mut rng),
    );
    let h1 = session(&mut rng, (w, a), SSH, (t, t + 30 * MIN), timeout, out);
    let h2 = session(&mut rng, (x, a), SSH, (t + 5 * MIN, t + 20 * MIN), timeout, out);
    decoys.push(Decoy {
        id: "receive-only-host".into(),
        why: "the middle host only receives".into(),
        hops: vec![h1, h2],
    });
    decoys
}
