//! Legitimate admin work: admins at admin stations open an SSH or RDP session to a jump host
//! and, while it is open, go on from the jump host to one to three servers over SSH, RDP or
//! WinRM. That is exactly the shape of a pivot, and a real network is full of it: the detector
//! must find it (it *is* a chain) and `--trusted` must mark it as expected. Sessions are long,
//! so the exporter's active timeout cuts them into several records.
//!
//! Episodes follow the day/night rhythm: about one every two activity-weighted hours per admin.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::encode::SynthFlow;
use super::network::{Network, Role};
use super::rhythm::Clock;
use super::scenario::{TruthChain, TruthHop};
use crate::services::{RDP, SSH, Svc, WINRM, WINRM_TLS};

/// (service name, proto, port) an admin uses to reach a jump host, and a jump host a server.
const TO_JUMP: &[Svc] = &[SSH, RDP];
const TO_SERVER: &[Svc] = &[SSH, RDP, WINRM, WINRM_TLS];

/// How much admin work there is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdminParams {
    /// Episodes per admin station per activity-weighted hour (default 0.5).
    pub episodes_per_admin_hour: f64,
    /// Jump hosts (default: the network's, 2 + 1 per 5 000 hosts).
    pub jump_hosts: Option<u32>,
}

impl Default for AdminParams {
    fn default() -> Self {
        AdminParams { episodes_per_admin_hour: 0.5, jump_hosts: None }
    }
}

/// Everything the admin work adds: its records (end-time order) and the chains it forms.
pub struct AdminWork {
    /// Flow records of the admin sessions.
    pub flows: Vec<SynthFlow>,
    /// The chains those sessions form (truth).
    pub chains: Vec<TruthChain>,
}

struct Hop {
    client: std::net::IpAddr,
    server: std::net::IpAddr,
    svc: Svc,
    start: i64,
    end: i64,
}

fn session(
    rng: &mut ChaCha8Rng,
    h: &Hop,
    active_timeout_ms: i64,
    out: &mut Vec<SynthFlow>,
) -> TruthHop {
    let ends = (h.client, h.server);
    super::routines::session_with(
        rng,
        ends,
        h.svc,
        (h.start, h.end),
        50..3000,
        active_timeout_ms,
        out,
    )
}

/// Generate the admin work of the run: jump-host sessions of admins, some chained.
pub fn build(
    seed: u64,
    hosts: u32,
    start_ms: i64,
    span_ms: i64,
    active_timeout_ms: i64,
    params: AdminParams,
) -> AdminWork {
    let mut net = Network::new(hosts);
    if let Some(n) = params.jump_hosts {
        net = net.with_jump_hosts(n);
    }
    let clock = Clock::new(start_ms, span_ms);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xad_0000_0001);
    let rate = params.episodes_per_admin_hour.max(0.0);
    let episodes = (f64::from(net.admin_stations) * rate * clock.weighted_hours()).round() as u64;
    let mut flows = Vec::new();
    let mut chains = Vec::new();
    for e in 0..episodes {
        let admin_n = rng.random_range(0..net.admin_stations);
        // Admins mostly use "their" jump host, sometimes another one.
        let jump_n = if rng.random_bool(0.8) {
            admin_n % net.jump_hosts
        } else {
            rng.random_range(0..net.jump_hosts)
        };
        let (admin, jump) = (
            Network::addr(Role::AdminStation, admin_n, false),
            Network::addr(Role::JumpHost, jump_n, false),
        );
        let start = clock.at(rng.random());
        let end = start + rng.random_range(10..=90) * 60_000;
        let first =
            Hop { client: admin, server: jump, svc: TO_JUMP[rng.random_range(0..2)], start, end };
        let parent = session(&mut rng, &first, active_timeout_ms, &mut flows);
        let targets = rng.random_range(1..=3);
        let mut servers: Vec<u32> = Vec::new();
        while servers.len() < targets {
            let s = rng.random_range(0..net.servers);
            if !servers.contains(&s) {
                servers.push(s);
            }
        }
        for (m, s) in servers.into_iter().enumerate() {
            // Starts at least 20 s into the parent, ends at least a minute before it.
            let sub_start = rng.random_range(start + 20_000..end - 4 * 60_000);
            let sub_end = rng.random_range(sub_start + 60_000..end - 60_000);
            let hop = Hop {
                client: jump,
                server: Network::addr(Role::Server, s, false),
                svc: TO_SERVER[rng.random_range(0..TO_SERVER.len())],
                start: sub_start,
                end: sub_end,
            };
            let child = session(&mut rng, &hop, active_timeout_ms, &mut flows);
            chains.push(TruthChain {
                id: format!("benign-admin-{}-{}", e + 1, m + 1),
                hosts: vec![parent.client.clone(), parent.server.clone(), child.server.clone()],
                cycle: false,
                hops: vec![parent.clone(), child],
            });
        }
    }
    flows.sort_by_key(|f| f.end_ms);
    AdminWork { flows, chains }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_nest_inside_their_jump_session_and_follow_the_rhythm() {
        let day = 1_795_737_600_000; // 2026-11-27T00:00:00Z
        let w = build(7, 20_000, day, 86_400_000, 30 * 60_000, AdminParams::default());
        // 102 admin stations × 0.5 × 13.8 weighted hours ≈ 704 episodes of 1–3 targets.
        assert!((1000..2200).contains(&w.chains.len()), "{}", w.chains.len());
        for c in &w.chains {
            let (p, k) = (&c.hops[0], &c.hops[1]);
            assert_eq!(p.server, k.client);
            assert!(k.start_ms > p.start_ms && k.end_ms < p.end_ms, "{}", c.id);
        }
        let night = w.chains.iter().filter(|c| (c.hops[0].start_ms - day) < 6 * 3_600_000).count();
        let noon = w
            .chains
            .iter()
            .filter(|c| (9..15).contains(&((c.hops[0].start_ms - day) / 3_600_000)))
            .count();
        assert!(night * 3 < noon, "night {night}, 09–15 {noon}");
        assert!(w.flows.windows(2).all(|x| x[0].end_ms <= x[1].end_ms));
        assert!(w.flows.len() > 4 * w.chains.len(), "two directions, cut by the active timeout");
    }
}
