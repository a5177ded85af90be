//! Attacks on the multi-day network (`routines`), on real hosts of it, of six kinds:
//!
//! | kind | what |
//! |---|---|
//! | `workstation-path` | a workstation reaches a Linux server over SSH and goes on to another server |
//! | `hijacked-admin` | a Linux admin's station, through its usual jump host, to a Windows server over RDP (its team never does) |
//! | `long-chain` | workstation → four servers in a row, none of which ever relays |
//! | `off-hours-weekend` | a Linux admin who is never on call, at 02:00–04:00 on a weekend, its usual path to a usual server |
//! | `cycle` | workstation → server → server → back to the first server |
//! | `extra-hop` | an admin's routine path to a working-set server, then one hop further from that server |
//!
//! Decoys that must not be reported as chains come with them: a next hop after the first
//! session ended, a next "hop" that is a lone SYN, and two sessions into a host that never
//! connects onward.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::encode::SynthFlow;
use super::network::{Network, Role};
use super::routines::{HOUR, MIN, RDP, Routines, SSH, server, service_of, session, windows};
use super::scenario::{Decoy, TruthChain, TruthHop};
use super::session::{Connection, records};

/// The attack kinds `--days` injects, in rotation.
pub const KINDS: &[&str] = &[
    "workstation-path",
    "hijacked-admin",
    "long-chain",
    "extra-hop",
    "cycle",
    "off-hours-weekend",
];

fn workstation(r: &Routines, rng: &mut ChaCha8Rng) -> std::net::IpAddr {
    Network::addr(Role::Workstation, rng.random_range(0..r.net.workstations), false)
}

fn any_server(r: &Routines, rng: &mut ChaCha8Rng, linux: bool) -> u32 {
    loop {
        let n = rng.random_range(0..r.net.servers.saturating_sub(40));
        if windows(n) != linux {
            return n;
        }
    }
}

/// Hops of a chain along `hosts` with `svcs`, each starting inside the previous one.
fn chain(
    rng: &mut ChaCha8Rng,
    hosts: &[std::net::IpAddr],
    svcs: &[super::routines::Svc],
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

/// The attack of `kind` on the day starting at `day_start` (`weekend`: Saturday or Sunday).
pub fn attack(
    r: &Routines,
    kind: &str,
    seed: u64,
    day_start: i64,
    timeout: i64,
    out: &mut Vec<SynthFlow>,
) -> TruthChain {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ day_start as u64 ^ kind.len() as u64);
    let work = day_start + rng.random_range(9 * HOUR..16 * HOUR);
    let week = super::routines::week_of(day_start);
    // A Linux admin who works day hours only and was never on call in the weeks so far.
    let candidates: Vec<&super::routines::Admin> = r
        .admins
        .iter()
        .filter(|a| a.linux && !a.late && !r.ever_on_call(a.station, week))
        .collect();
    // A small network may have none left: then any Linux admin.
    let candidates = if candidates.is_empty() {
        r.admins.iter().filter(|a| a.linux).collect()
    } else {
        candidates
    };
    let linux_admin = |rng: &mut ChaCha8Rng, _week: i64| {
        candidates[rng.random_range(0..candidates.len())].clone()
    };
    let (hosts, svcs, start, cycle) = match kind {
        "workstation-path" => {
            let (a, b) = (any_server(r, &mut rng, true), any_server(r, &mut rng, false));
            (
                vec![workstation(r, &mut rng), server(a), server(b)],
                vec![SSH, service_of(b, &mut rng)],
                work,
                false,
            )
        }
        "hijacked-admin" => {
            let a = linux_admin(&mut rng, week);
            let t = any_server(r, &mut rng, false);
            (vec![r.station(a.station), r.jump(a.jumps[0]), server(t)], vec![SSH, RDP], work, false)
        }
        "long-chain" => {
            let mut h = vec![workstation(r, &mut rng)];
            let mut used = Vec::new();
            while used.len() < 4 {
                let s = any_server(r, &mut rng, true);
                if !used.contains(&s) {
                    used.push(s);
                    h.push(server(s));
                }
            }
            (h, vec![SSH; 4], work, false)
        }
        "extra-hop" => {
            let a = linux_admin(&mut rng, week);
            let s = a.working_set[0];
            let x = any_server(r, &mut rng, true);
            (
                vec![r.station(a.station), r.jump(a.jumps[0]), server(s), server(x)],
                vec![SSH, SSH, SSH],
                work,
                false,
            )
        }
        "cycle" => {
            let (a, b) = (any_server(r, &mut rng, true), any_server(r, &mut rng, true));
            (
                vec![workstation(r, &mut rng), server(a), server(b), server(a)],
                vec![SSH; 3],
                work,
                true,
            )
        }
        _ => {
            // off-hours-weekend
            let a = linux_admin(&mut rng, week);
            let at = day_start + rng.random_range(2 * HOUR..4 * HOUR);
            (
                vec![r.station(a.station), r.jump(a.jumps[0]), server(a.working_set[0])],
                vec![SSH, SSH],
                at,
                false,
            )
        }
    };
    let hops = chain(&mut rng, &hosts, &svcs, start, timeout, out);
    TruthChain {
        id: format!("attack-{kind}"),
        hosts: hosts.iter().map(|h| h.to_string()).collect(),
        cycle,
        hops,
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
        server(any_server(r, &mut rng, true)),
        server(any_server(r, &mut rng, true)),
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
        server(any_server(r, &mut rng, true)),
        server(any_server(r, &mut rng, true)),
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
    let (w, a, x) =
        (workstation(r, &mut rng), server(any_server(r, &mut rng, true)), workstation(r, &mut rng));
    let h1 = session(&mut rng, (w, a), SSH, (t, t + 30 * MIN), timeout, out);
    let h2 = session(&mut rng, (x, a), SSH, (t + 5 * MIN, t + 20 * MIN), timeout, out);
    decoys.push(Decoy {
        id: "receive-only-host".into(),
        why: "the middle host only receives".into(),
        hops: vec![h1, h2],
    });
    decoys
}
