//! Background traffic: a deterministic stream of plausible flow records, in end-time order.
//!
//! Workstations talk to servers (web, SMB, mail, syslog, SNMP, and now and then SSH/RDP/WinRM
//! straight to a server) and to domain controllers (DNS, Kerberos, LDAP, NTP); server popularity
//! is skewed, sizes and durations heavy-tailed, and the rate follows the day/night rhythm of
//! `rhythm`. Every answered connection is two records, one per direction, as unidirectional
//! exporters report them. A few percent are failed or scanning connections to admin ports: a
//! lone SYN, sometimes answered by a RST. Workstations never serve and servers never open admin
//! sessions, so the background alone forms no pivot hop pairs; the admin work through jump
//! hosts (`admin`) does, on purpose.

use std::collections::VecDeque;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::encode::SynthFlow;
use super::network::{Network, Role};
use super::rhythm::Clock;

/// Background traffic: how much, between how many hosts, over which time.
#[derive(Debug, Clone)]
pub struct TrafficParams {
    /// Background flow records to generate (both directions count).
    pub flows: u64,
    /// Hosts in the network.
    pub hosts: u32,
    /// Random seed (same seed, same output).
    pub seed: u64,
    /// First flow start, epoch ms.
    pub start_ms: i64,
    /// Time covered, ms.
    pub span_ms: i64,
    /// Share of IPv6 connections (0.0–1.0).
    pub ipv6_share: f64,
}

/// Where a service runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Host {
    Server,
    DomainController,
}

/// (port, proto, weight, runs on, answers)
const SERVICES: &[(u16, u8, u32, Host, bool)] = &[
    (443, 6, 40, Host::Server, true),
    (80, 6, 10, Host::Server, true),
    (53, 17, 20, Host::DomainController, true),
    (445, 6, 6, Host::Server, true),
    (123, 17, 3, Host::DomainController, true),
    (389, 6, 4, Host::DomainController, true),
    (88, 6, 3, Host::DomainController, true),
    (3389, 6, 1, Host::Server, true),
    (22, 6, 2, Host::Server, true),
    (5985, 6, 1, Host::Server, true),
    (8080, 6, 3, Host::Server, true),
    (25, 6, 2, Host::Server, true),
    (161, 17, 2, Host::Server, true),
    (514, 17, 3, Host::Server, false),
];

/// Admin ports that scans and failed connections aim at.
const ADMIN_PORTS: &[u16] = &[22, 3389, 5985, 5986];

/// Share of background connections that are a scan / failed connection to an admin port.
const SCAN_SHARE: f64 = 0.02;

/// The background generator: yields flow records in end-time order.
pub struct Traffic {
    p: TrafficParams,
    net: Network,
    clock: Clock,
    rng: ChaCha8Rng,
    emitted: u64,
    pending: VecDeque<SynthFlow>,
    total_weight: u32,
}

impl Traffic {
    /// A generator over these parameters.
    pub fn new(p: TrafficParams) -> Self {
        let rng = ChaCha8Rng::seed_from_u64(p.seed);
        Traffic {
            total_weight: SERVICES.iter().map(|s| s.2).sum(),
            net: Network::new(p.hosts),
            clock: Clock::new(p.start_ms, p.span_ms),
            p,
            rng,
            emitted: 0,
            pending: VecDeque::new(),
        }
    }

    /// The same generator over a network with another address layout.
    pub fn with_plan(mut self, plan: super::network::Plan) -> Self {
        self.net = self.net.with_plan(plan);
        self
    }

    fn service(&mut self) -> (u16, u8, Host, bool) {
        let mut pick = self.rng.random_range(0..self.total_weight);
        for &(port, proto, w, host, answers) in SERVICES {
            if pick < w {
                return (port, proto, host, answers);
            }
            pick -= w;
        }
        (443, 6, Host::Server, true)
    }

    /// A popular server: u^4 concentrates the traffic on a few busy ones.
    fn server(&mut self) -> u32 {
        let u: f64 = self.rng.random();
        ((u.powi(4) * f64::from(self.net.servers)) as u32).min(self.net.servers - 1)
    }

    /// A client → server record ending at `end_ms`; counters and flags are set by the caller.
    fn request(
        end_ms: i64,
        dur_ms: i64,
        (client, sport): (std::net::IpAddr, u16),
        (server, port): (std::net::IpAddr, u16),
        proto: u8,
    ) -> SynthFlow {
        SynthFlow {
            start_ms: end_ms - dur_ms,
            end_ms,
            src: client,
            dst: server,
            src_port: sport,
            dst_port: port,
            proto,
            tcp_flags: 0,
            tos: 0,
            packets: 1,
            bytes: 40,
            in_if: 1,
            out_if: 2,
        }
    }

    /// Queue the records of one background connection ending at `end_ms`.
    fn connection(&mut self, end_ms: i64) {
        let v6 = self.rng.random_bool(self.p.ipv6_share.clamp(0.0, 1.0));
        let client =
            self.net.host(Role::Workstation, self.rng.random_range(0..self.net.workstations), v6);
        let sport = self.rng.random_range(32768..61000);
        if self.rng.random_bool(SCAN_SHARE) {
            // A SYN to an admin port of some server; a third are refused with a RST.
            let port = ADMIN_PORTS[self.rng.random_range(0..ADMIN_PORTS.len())];
            let server =
                self.net.host(Role::Server, self.rng.random_range(0..self.net.servers), v6);
            let mut syn = Self::request(end_ms, 0, (client, sport), (server, port), 6);
            (syn.tcp_flags, syn.bytes) = (0x02, 60);
            if self.rng.random_bool(1.0 / 3.0) {
                let mut rst = syn.clone();
                (rst.src, rst.dst, rst.src_port, rst.dst_port, rst.tcp_flags, rst.bytes) =
                    (server, client, port, sport, 0x14, 40);
                (rst.in_if, rst.out_if) = (2, 1);
                self.pending.push_back(syn);
                self.pending.push_back(rst);
            } else {
                self.pending.push_back(syn);
            }
            return;
        }
        let (port, proto, host, answers) = self.service();
        let server = match host {
            Host::Server => {
                let n = self.server();
                self.net.host(Role::Server, n, v6)
            }
            Host::DomainController => self.net.host(
                Role::DomainController,
                self.rng.random_range(0..self.net.domain_controllers),
                v6,
            ),
        };
        let dur_ms = (self.rng.random::<f64>().powi(3) * 120_000.0) as i64;
        let packets = 1 + (1.0 / (1.0 - self.rng.random::<f64>() * 0.999)).powf(1.2) as u32;
        let bytes = packets.saturating_mul(self.rng.random_range(40..200));
        let sport = if proto == 6 { sport } else { self.rng.random_range(1024..65535) };
        let established = proto != 6 || packets > 2;
        let flags = if proto != 6 {
            0
        } else if established {
            0x1b
        } else {
            0x02
        };
        let mut fwd = Self::request(end_ms, dur_ms, (client, sport), (server, port), proto);
        fwd.tcp_flags = flags;
        (fwd.packets, fwd.bytes) = (packets, bytes);
        let reply = answers && established;
        self.pending.push_back(fwd.clone());
        if reply {
            // Replies carry the payload: heavier, with their own heavy tail.
            let rp = packets + self.rng.random_range(0..=packets / 2 + 1);
            let rb = rp.saturating_mul(self.rng.random_range(60..1400));
            let mut rev = fwd;
            (rev.src, rev.dst, rev.src_port, rev.dst_port) = (server, client, port, sport);
            (rev.packets, rev.bytes, rev.in_if, rev.out_if) = (rp, rb, 2, 1);
            self.pending.push_back(rev);
        }
    }
}

impl Iterator for Traffic {
    type Item = SynthFlow;

    fn next(&mut self) -> Option<SynthFlow> {
        if self.emitted >= self.p.flows {
            return None;
        }
        if self.pending.is_empty() {
            // Records end in generation order (exporters report flows as they end), spread
            // over the span by the day/night rhythm.
            let end_ms = self.clock.at(self.emitted as f64 / self.p.flows as f64);
            self.connection(end_ms);
        }
        self.emitted += 1;
        self.pending.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn params(flows: u64) -> TrafficParams {
        TrafficParams {
            flows,
            hosts: 2000,
            seed: 3,
            start_ms: 1_795_737_600_000,
            span_ms: 86_400_000,
            ipv6_share: 0.1,
        }
    }

    #[test]
    fn background_is_deterministic_ordered_and_two_way() {
        let a: Vec<SynthFlow> = Traffic::new(params(20_000)).collect();
        let b: Vec<SynthFlow> = Traffic::new(params(20_000)).collect();
        assert_eq!(a.len(), 20_000);
        assert!(a == b, "same seed, same flows");
        assert!(a.windows(2).all(|w| w[0].end_ms <= w[1].end_ms));
        let replies = a.iter().filter(|f| f.src_port < 1024 && f.dst_port >= 1024).count();
        assert!(replies > 6_000, "most connections have a reverse record: {replies}");
        let syns = a.iter().filter(|f| f.tcp_flags == 0x02 && ADMIN_PORTS.contains(&f.dst_port));
        assert!(syns.count() > 100, "scans and failed admin connections");
        // Servers never open connections to admin ports (no hop pairs in the background).
        let servers = ipnet::IpNet::from_str("10.32.0.0/11").unwrap();
        assert!(!a.iter().any(|f| servers.contains(&f.src) && ADMIN_PORTS.contains(&f.dst_port)));
    }
}
