//! Pivot rules: which services count, what an established hop is, the continuation window,
//! search limits and trusted hosts.

use std::time::Duration;

use ipnet::IpNet;

pub use crate::services::{Service, default_services, parse_service};

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

/// What counts as a hop and a chain, and how chains are scored (validated `pivots`/`report` options).
#[derive(Debug, Clone)]
pub struct PivotRules {
    /// Services of interest.
    pub services: Vec<Service>,
    /// Packets required in each direction for a session to count as an established hop.
    pub min_packets_each_way: i64,
    /// Bytes required in both directions together.
    pub min_bytes: i64,
    /// h2 may start this long before h1 (exporter clocks differ).
    pub skew: Duration,
    /// h2 may start this long after h1 ended (0 = during the session).
    pub slack: Duration,
    /// Longest chain followed (hops); longer ones are cut and counted.
    pub max_hops: usize,
    /// Continuations followed per hop (the earliest first); the rest are counted as truncated.
    pub max_fanout: usize,
    /// Chains reported at most; the search stops there and says so.
    pub max_chains: usize,
    /// Known jump hosts / admin stations: flagged, never alerts.
    pub trusted: Vec<IpNet>,
    /// Leave chains through trusted hosts out of the outputs (they are still counted).
    pub hide_trusted: bool,
    /// Leave non-alert chains out of the GraphML (they are still counted).
    pub hide_routine: bool,
    /// Days of history before the period that the rarity score reads.
    pub history_days: usize,
    /// Flows arriving this long before a period's start are read too, so that a chain whose
    /// sessions straddle the start (an SSH session still open at midnight, exported when it
    /// ends) is seen whole; a chain the period before saw (`hops::AtStart`) is left out (0:
    /// only the period's flows).
    pub lookback: Duration,
    /// The zone the network works in: a report's day runs from its midnight to the next,
    /// and weekends and working hours (the `off_hours` flag) are its.
    pub timezone: chrono_tz::Tz,
    /// `--timezone` was given (UTC by choice): no note that the admins' working day looks like
    /// another zone's.
    pub timezone_given: bool,
    /// Score at which an untrusted chain is an alert.
    pub alert_threshold: f64,
    /// How the candidate join pairs hops.
    pub join: JoinStrategy,
    /// Time bucket of the bucketed candidate join.
    pub bucket: Duration,
    /// Host names and roles (`--inventory`, `--hosts-file`) shown next to addresses.
    pub inventory: std::sync::Arc<crate::inventory::Inventory>,
    /// Who held which address when (`--leases`): flow records' addresses are named by it as
    /// they are read.
    pub leases: Option<std::sync::Arc<super::leases::Leases>>,
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
            lookback: Duration::from_secs(12 * 3600),
            timezone: chrono_tz::Tz::UTC,
            timezone_given: false,
            alert_threshold: DEFAULT_ALERT_THRESHOLD,
            join: JoinStrategy::Bucket,
            bucket: Duration::from_secs(300),
            inventory: Default::default(),
            leases: None,
        }
    }
}

impl PivotRules {
    /// True when `addr` parses and lies in a `--trusted` network.
    pub fn is_trusted(&self, addr: &str) -> bool {
        addr.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| self.trusted.iter().any(|n: &IpNet| n.contains(&ip)))
    }
}
