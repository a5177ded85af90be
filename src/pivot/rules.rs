//! Pivot rules: which services count, what an established hop is, the continuation window,
//! search limits and trusted hosts.

use std::time::Duration;

use ipnet::IpNet;

use crate::error::{Error, Result};

/// One service of interest: name, IP protocol number, port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub proto: u8,
    pub port: u16,
}

/// SSH tcp/22, RDP tcp/3389 and udp/3389, WinRM tcp/5985 and tcp/5986 (`crate::services`).
pub fn default_services() -> Vec<Service> {
    crate::services::ADMIN_SERVICES
        .iter()
        .map(|&(name, proto, port)| Service { name: name.to_string(), proto, port })
        .collect()
}

/// Parse `NAME=PROTO/PORT[,PORT…]`, e.g. `vnc=tcp/5900,5901`.
pub fn parse_service(text: &str) -> Result<Vec<Service>> {
    let bad = || {
        Error::config(
            "--service",
            format!("{text:?} is not NAME=PROTO/PORT[,PORT...] (e.g. vnc=tcp/5900,5901)"),
        )
    };
    let (name, spec) = text.split_once('=').ok_or_else(bad)?;
    let (proto, ports) = spec.split_once('/').ok_or_else(bad)?;
    let proto = match proto.trim().to_ascii_lowercase().as_str() {
        "tcp" => 6,
        "udp" => 17,
        other => other.parse::<u8>().map_err(|_| bad())?,
    };
    ports
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<u16>()
                .map(|port| Service { name: name.trim().to_string(), proto, port })
                .map_err(|_| bad())
        })
        .collect()
}

/// How queries/pivot_hops*.sql pair hops (same result, different cost).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum JoinStrategy {
    /// Equi-join on (pivot host, time bucket): queries/pivot_hops.sql.
    Bucket,
    /// Hash join on the pivot host, window as a filter: queries/pivot_hops_plain.sql.
    Plain,
}

/// Default `--alert-threshold` (see BENCHMARKS.md, "Alerts"): one strong finding (a host that
/// never administered or relayed, 3) plus anything else, or two medium ones.
pub const DEFAULT_ALERT_THRESHOLD: f64 = 3.5;

#[derive(Debug, Clone)]
pub struct PivotRules {
    pub services: Vec<Service>,
    /// Packets required in each direction for a session to count as an established hop.
    pub min_packets_each_way: i64,
    /// Bytes required in both directions together.
    pub min_bytes: i64,
    /// h2 may start this long before h1 (exporter clocks differ).
    pub skew: Duration,
    /// h2 may start this long after h1 ended (0 = during the session).
    pub slack: Duration,
    pub max_hops: usize,
    /// Continuations followed per hop (the earliest first); the rest are counted as truncated.
    pub max_fanout: usize,
    /// Chains reported at most; the search stops there and says so.
    pub max_chains: usize,
    pub trusted: Vec<IpNet>,
    /// Leave chains through trusted hosts out of the outputs (they are still counted).
    pub hide_trusted: bool,
    /// Leave non-alert chains out of the GraphML (they are still counted).
    pub hide_routine: bool,
    /// Days of history before the period that the rarity score reads.
    pub history_days: usize,
    /// Score at which an untrusted chain is an alert.
    pub alert_threshold: f64,
    pub join: JoinStrategy,
    /// Time bucket of the bucketed candidate join.
    pub bucket: Duration,
}

impl Default for PivotRules {
    fn default() -> Self {
        PivotRules {
            services: default_services(),
            min_packets_each_way: 2,
            min_bytes: 0,
            skew: Duration::from_secs(2),
            slack: Duration::ZERO,
            max_hops: 8,
            max_fanout: 32,
            max_chains: 100_000,
            trusted: Vec::new(),
            hide_trusted: false,
            hide_routine: false,
            history_days: 28,
            alert_threshold: DEFAULT_ALERT_THRESHOLD,
            join: JoinStrategy::Bucket,
            bucket: Duration::from_secs(300),
        }
    }
}

impl PivotRules {
    pub fn is_trusted(&self, addr: &str) -> bool {
        addr.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| self.trusted.iter().any(|n: &IpNet| n.contains(&ip)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_specs() {
        let v = parse_service("vnc=tcp/5900,5901").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1], Service { name: "vnc".into(), proto: 6, port: 5901 });
        assert_eq!(parse_service("x=udp/1").unwrap()[0].proto, 17);
        assert!(parse_service("vnc:tcp/5900").is_err());
        assert!(parse_service("vnc=tcp/http").is_err());
    }
}
