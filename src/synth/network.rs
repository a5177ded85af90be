//! The synthetic network: how many hosts play which role and which address each one has.
//!
//! Roles live in their own subnets so an analyst reading a result (and the truth file) can tell
//! them apart at a glance, and so the admin side can be named as `--trusted` CIDRs:
//!
//! | role | IPv4 | IPv6 |
//! |---|---|---|
//! | workstations | 10.64.0.0/10 | 2001:db8:1::/48 |
//! | servers | 10.32.0.0/11 | 2001:db8:2::/48 |
//! | domain controllers (DNS, Kerberos, LDAP, NTP) | 10.10.0.0/16 | 2001:db8:3::/48 |
//! | jump hosts | 10.9.0.0/16 | — |
//! | admin stations | 10.8.0.0/16 | — |
//!
//! Injected pivot scenarios use 10.250.0.0/16 (see `scenario`), apart from all of these.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What a host of the synthetic network is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Users' machines: clients of everything.
    Workstation,
    /// Web, file, mail, database and application servers.
    Server,
    /// DNS, Kerberos, LDAP, NTP.
    DomainController,
    /// Bastions admins go through.
    JumpHost,
    /// Where admins work from.
    AdminStation,
}

/// CIDRs of the admin side (jump hosts and admin stations): what a user would pass as
/// `pivots --trusted`, and what the truth file lists as `trusted`.
pub const TRUSTED_CIDRS: &[&str] = &["10.8.0.0/16", "10.9.0.0/16"];

/// Host counts per role for a network of `hosts` hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    /// Workstations.
    pub workstations: u32,
    /// Servers.
    pub servers: u32,
    /// Domain controllers.
    pub domain_controllers: u32,
    /// Jump hosts.
    pub jump_hosts: u32,
    /// Admin stations.
    pub admin_stations: u32,
}

impl Network {
    /// Roughly a tenth servers, one admin station per 200 hosts, a jump host and a domain
    /// controller per 5 000 (at least two of each), the rest workstations.
    pub fn new(hosts: u32) -> Self {
        let hosts = hosts.max(40);
        let servers = hosts / 10;
        let domain_controllers = 2 + hosts / 5000;
        let jump_hosts = 2 + hosts / 5000;
        let admin_stations = 2 + hosts / 200;
        Network {
            workstations: hosts - servers - domain_controllers - jump_hosts - admin_stations,
            servers,
            domain_controllers,
            jump_hosts,
            admin_stations,
        }
    }

    /// The same network with `n` jump hosts (e.g. one busy bastion); the difference is taken
    /// from or given to the workstations.
    pub fn with_jump_hosts(mut self, n: u32) -> Self {
        let n = n.clamp(1, self.jump_hosts + self.workstations - 1);
        self.workstations = self.workstations + self.jump_hosts - n;
        self.jump_hosts = n;
        self
    }

    /// Address of host `n` (0-based) of a role; one-to-one within each role.
    pub fn addr(role: Role, n: u32, v6: bool) -> IpAddr {
        let (v4_base, v6_net) = match role {
            Role::Workstation => (0x0a40_0000u32, 1u16),
            Role::Server => (0x0a20_0000, 2),
            Role::DomainController => (0x0a0a_0000, 3),
            Role::JumpHost => (0x0a09_0000, 4),
            Role::AdminStation => (0x0a08_0000, 5),
        };
        if v6 && matches!(role, Role::Workstation | Role::Server | Role::DomainController) {
            IpAddr::V6(Ipv6Addr::new(
                0x2001,
                0xdb8,
                v6_net,
                (n >> 16) as u16,
                0,
                0,
                0,
                (n & 0xffff) as u16 + 1,
            ))
        } else {
            // Workstations have a /10 (4 M addresses), servers a /11; the rest a /16.
            IpAddr::V4(Ipv4Addr::from(v4_base + (n & 0x001f_ffff) + 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_add_up_and_addresses_do_not_collide() {
        let net = Network::new(20_000);
        let total = net.workstations
            + net.servers
            + net.domain_controllers
            + net.jump_hosts
            + net.admin_stations;
        assert_eq!(total, 20_000);
        let mut seen = std::collections::HashSet::new();
        for (role, count) in [
            (Role::Workstation, net.workstations),
            (Role::Server, net.servers),
            (Role::DomainController, net.domain_controllers),
            (Role::JumpHost, net.jump_hosts),
            (Role::AdminStation, net.admin_stations),
        ] {
            for n in 0..count {
                assert!(seen.insert(Network::addr(role, n, false)), "{role:?} {n}");
            }
        }
        let trusted: Vec<ipnet::IpNet> = TRUSTED_CIDRS.iter().map(|c| c.parse().unwrap()).collect();
        assert!(trusted.iter().any(|t| t.contains(&Network::addr(Role::JumpHost, 3, false))));
        assert!(!trusted.iter().any(|t| t.contains(&Network::addr(Role::Server, 3, false))));
    }
}
