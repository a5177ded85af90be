//! Background traffic: a deterministic stream of plausible flows (skewed server popularity,
//! heavy-tailed sizes and durations) for benchmarks and sample data.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::encode::SynthFlow;

#[derive(Debug, Clone)]
pub struct TrafficParams {
    pub flows: u64,
    pub hosts: u32,
    pub seed: u64,
    pub start_ms: i64,
    pub span_ms: i64,
    /// Share of IPv6 flows (0.0–1.0).
    pub ipv6_share: f64,
}

/// (port, proto, weight) of the services in the background mix.
const SERVICES: &[(u16, u8, u32)] = &[
    (443, 6, 40),
    (80, 6, 10),
    (53, 17, 20),
    (445, 6, 6),
    (123, 17, 3),
    (389, 6, 4),
    (88, 6, 3),
    (3389, 6, 1),
    (22, 6, 2),
    (5985, 6, 1),
    (8080, 6, 3),
    (25, 6, 2),
    (161, 17, 2),
    (514, 17, 3),
];

pub struct Traffic {
    p: TrafficParams,
    rng: ChaCha8Rng,
    i: u64,
    total_weight: u32,
}

impl Traffic {
    pub fn new(p: TrafficParams) -> Self {
        let rng = ChaCha8Rng::seed_from_u64(p.seed);
        Traffic { total_weight: SERVICES.iter().map(|s| s.2).sum(), p, rng, i: 0 }
    }

    /// Host number → address, one-to-one (10.0.0.1 upward; 2001:db8:1::/48 for IPv6), so
    /// background clients and servers never share an address by accident.
    fn host(&self, n: u32, v6: bool) -> IpAddr {
        if v6 {
            IpAddr::V6(Ipv6Addr::new(
                0x2001,
                0xdb8,
                1,
                (n >> 16) as u16,
                0,
                0,
                0,
                (n & 0xffff) as u16,
            ))
        } else {
            IpAddr::V4(Ipv4Addr::from(0x0a00_0000u32 + (n & 0x00ff_ffff) + 1))
        }
    }

    fn service(&mut self) -> (u16, u8) {
        let mut pick = self.rng.random_range(0..self.total_weight);
        for &(port, proto, w) in SERVICES {
            if pick < w {
                return (port, proto);
            }
            pick -= w;
        }
        (443, 6)
    }
}

impl Iterator for Traffic {
    type Item = SynthFlow;

    fn next(&mut self) -> Option<SynthFlow> {
        if self.i >= self.p.flows {
            return None;
        }
        let i = self.i;
        self.i += 1;
        let hosts = self.p.hosts.max(2);
        let client = self.rng.random_range(0..hosts);
        // Server popularity is skewed: u^4 concentrates on a few busy servers.
        let u: f64 = self.rng.random();
        let server = ((u.powi(4) * f64::from(hosts / 10 + 1)) as u32).min(hosts - 1);
        let v6 = self.rng.random_bool(self.p.ipv6_share.clamp(0.0, 1.0));
        let (port, proto) = self.service();
        // Flows end in generation order (exporters report flows as they end).
        let end_ms =
            self.p.start_ms + (i as i128 * self.p.span_ms as i128 / self.p.flows as i128) as i64;
        let dur_ms = (self.rng.random::<f64>().powi(3) * 120_000.0) as i64;
        let packets = 1 + (1.0 / (1.0 - self.rng.random::<f64>() * 0.999)).powf(1.2) as u32;
        let bytes = packets.saturating_mul(self.rng.random_range(40..1400));
        let (tcp_flags, sport) = match proto {
            6 => (if packets > 2 { 0x1b } else { 0x02 }, self.rng.random_range(32768..61000)),
            _ => (0, self.rng.random_range(1024..65535)),
        };
        Some(SynthFlow {
            start_ms: end_ms - dur_ms,
            end_ms,
            src: self.host(client + hosts / 10 + 1, v6),
            dst: self.host(server, v6),
            src_port: sport,
            dst_port: port,
            proto,
            tcp_flags,
            tos: 0,
            packets,
            bytes,
            in_if: 1,
            out_if: 2,
        })
    }
}
