//! Injected pivot scenarios with ground truth: chains of remote-administration sessions where
//! each next hop starts while the previous session is open, plus decoys that must not count.
//!
//! Hosts come from 10.250.0.0/16, apart from the background's roles (`network`), so the truth is
//! exact: the background never forms a hop pair with them. Sessions are reported like any other
//! connection (a record per direction, cut by the exporter's active timeout).

use std::net::{IpAddr, Ipv4Addr};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::encode::SynthFlow;
use super::session::Connection;
use crate::services::{RDP, RDP_UDP, SSH, Svc, WINRM, WINRM_TLS};

/// (service name, proto, port)
/// Order matters: chain c's hop h uses SERVICES[(c + h) % 5] (the sample data depends on it).
const SERVICES: &[Svc] = &[SSH, RDP, WINRM, WINRM_TLS, RDP_UDP];

pub use super::session::TruthHop;

/// An injected (or routine) chain: what pivotflow should find.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TruthChain {
    /// Stable name (`synth-chain-…`, `benign-admin-…`, `attack-…`, `routine-…`).
    pub id: String,
    /// Hosts in order; a cycle ends on a host already on the chain.
    pub hosts: Vec<String>,
    /// The last hop returns to a host already on the chain.
    pub cycle: bool,
    /// The sessions, in order.
    pub hops: Vec<TruthHop>,
}

/// Traffic that looks like a chain but is not one (must not be reported).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Decoy {
    /// Stable name.
    pub id: String,
    /// Why it is not a chain.
    pub why: String,
    /// Its sessions.
    pub hops: Vec<TruthHop>,
}

/// Everything a detector run on the generated data should report, and what it must not.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Truth {
    /// Injected pivot chains (and the cycle): each must be reported, unflagged.
    pub chains: Vec<TruthChain>,
    /// Must not be reported.
    pub decoys: Vec<Decoy>,
    /// Legitimate admin work through jump hosts (`admin`): reported as chains, and flagged as
    /// trusted when the `trusted` CIDRs are given. Concurrent admins on one jump host form
    /// further such chains that are not listed here (flows cannot tell who typed what).
    pub benign: Vec<TruthChain>,
    /// The admin side's CIDRs (jump hosts, admin stations), for `pivots --trusted`.
    pub trusted: Vec<String>,
}

struct Builder {
    rng: ChaCha8Rng,
    next_host: u32,
    flows: Vec<SynthFlow>,
    active_timeout_ms: i64,
}

impl Builder {
    fn host(&mut self) -> IpAddr {
        self.next_host += 1;
        IpAddr::V4(Ipv4Addr::new(10, 250, (self.next_host >> 8) as u8, self.next_host as u8))
    }

    /// A session: a record each way (established) or a lone SYN (`established = false`).
    fn session(
        &mut self,
        client: IpAddr,
        server: IpAddr,
        svc: usize,
        start: i64,
        end: i64,
        established: bool,
    ) -> TruthHop {
        let (name, proto, port) = SERVICES[svc];
        let packets = if established { self.rng.random_range(20..400) } else { 1 };
        let flags = if proto == 6 { if established { 0x1b } else { 0x02 } } else { 0 };
        let c = Connection {
            client,
            server,
            client_port: self.rng.random_range(32768..61000),
            server_port: port,
            proto,
            start_ms: start,
            end_ms: end,
            packets,
            bytes: packets * 90,
            reply: established.then_some((packets + 3, packets * 400)),
            flags: (flags, flags),
            interfaces: (3, 4),
        };
        super::session::report(&c, name, self.active_timeout_ms, &mut self.flows)
    }
}

/// The three decoys, `slot` apart after `base`: a next hop that starts after the first session
/// ended, a next "hop" that is a scan, two sessions into a host that never connects onward.
fn decoys(b: &mut Builder, base: i64, slot: i64, truth: &mut Truth) {
    // Decoy: the next hop starts after the first session ended.
    let (x, y, z) = (b.host(), b.host(), b.host());
    let d1 = b.session(x, y, 0, base + slot, base + slot + 120_000, true);
    let d2 = b.session(y, z, 1, base + slot + 180_000, base + slot + 400_000, true);
    truth.decoys.push(Decoy {
        id: "child-after-parent-ended".into(),
        why: "the second session starts after the first ended".into(),
        hops: vec![d1, d2],
    });
    // Decoy: the next "hop" is a scan (one SYN, no answer).
    let (x, y, z) = (b.host(), b.host(), b.host());
    let d1 = b.session(x, y, 2, base + 2 * slot, base + 2 * slot + 600_000, true);
    let d2 = b.session(y, z, 0, base + 2 * slot + 60_000, base + 2 * slot + 60_000, false);
    truth.decoys.push(Decoy {
        id: "scan-only-next-hop".into(),
        why: "the next hop is a lone SYN, not a session".into(),
        hops: vec![d1, d2],
    });
    // Decoy: two sessions into the same host, which never connects onward.
    let (x, y, z) = (b.host(), b.host(), b.host());
    let d1 = b.session(x, y, 0, base + 3 * slot, base + 3 * slot + 600_000, true);
    let d2 = b.session(z, y, 1, base + 3 * slot + 60_000, base + 3 * slot + 300_000, true);
    truth.decoys.push(Decoy {
        id: "receive-only-host".into(),
        why: "the middle host only receives".into(),
        hops: vec![d1, d2],
    });
}

/// Scenario at `start_ms` + offsets: `chains` chains of 2–5 hops (the first crosses an hour
/// boundary when the span allows), one cycle, and three decoys (child after the parent ended,
/// scan-only next hop, chain "through" a host that only received).
pub fn build(
    seed: u64,
    chains: usize,
    start_ms: i64,
    span_ms: i64,
    active_timeout_ms: i64,
) -> (Vec<SynthFlow>, Truth) {
    let mut b = Builder {
        rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_cafe),
        next_host: 0,
        flows: Vec::new(),
        active_timeout_ms,
    };
    let mut truth = Truth::default();
    let slot = (span_ms / (chains as i64 + 4)).max(20 * 60_000);
    for c in 0..chains {
        let len = 2 + c % 4;
        let mut t = start_ms + slot * c as i64 + 60_000;
        if c == 0 {
            // Straddle the first hour boundary inside the span: parent before, child after it.
            let boundary = (start_ms / 3_600_000 + 1) * 3_600_000;
            if boundary - 60_000 > start_ms && boundary < start_ms + span_ms {
                t = boundary - 60_000;
            }
        }
        let mut hosts: Vec<IpAddr> = (0..=len).map(|_| b.host()).collect();
        let mut hops = Vec::new();
        let mut end = t + 3_600_000;
        for h in 0..len {
            let svc = (c + h) % SERVICES.len();
            // Each hop starts inside its parent and ends before it.
            let hop = b.session(hosts[h], hosts[h + 1], svc, t, end, true);
            hops.push(hop);
            t += 90_000 + b.rng.random_range(0..30_000);
            end -= 60_000;
        }
        truth.chains.push(TruthChain {
            id: format!("synth-chain-{}", c + 1),
            hosts: hosts.drain(..).map(|h| h.to_string()).collect(),
            cycle: false,
            hops,
        });
    }
    let base = start_ms + slot * chains as i64 + 60_000;
    // Cycle A→B→A.
    let (a, bh) = (b.host(), b.host());
    let h1 = b.session(a, bh, 0, base, base + 600_000, true);
    let h2 = b.session(bh, a, 0, base + 60_000, base + 300_000, true);
    truth.chains.push(TruthChain {
        id: "synth-cycle".into(),
        hosts: vec![a.to_string(), bh.to_string(), a.to_string()],
        cycle: true,
        hops: vec![h1, h2],
    });
    decoys(&mut b, base, slot, &mut truth);
    let mut flows = b.flows;
    flows.sort_by_key(|f| f.end_ms);
    (flows, truth)
}
