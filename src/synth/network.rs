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

/// How addresses are laid out over the roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Plan {
    /// One subnet per role (the table above).
    #[default]
    Roles,
    /// `n` sites, site `s` in 172.(16+s).0.0/16, hosts spread over the sites in turn: user
    /// floors 172.x.0–99.0/24 (one admin station in four is a laptop among the workstations, at
    /// .251–.254), servers by function (web, app, db, file, infra) from 172.x.100.0 in blocks
    /// of 20 /24s, the IT VLAN 172.x.200.0/24 (admin desks) and 172.x.201.0/24 (jump hosts),
    /// domain controllers 172.x.250.0/24. IPv6 addresses follow `Roles`.
    Sites(u32),
}

/// Server functions of the `Sites` plan, in the order of their address blocks.
pub const FUNCTIONS: &[&str] = &["web", "app", "db", "file", "infra"];

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
    /// Address layout.
    pub plan: Plan,
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
            plan: Plan::Roles,
        }
    }

    /// The same network with another address layout.
    pub fn with_plan(mut self, plan: Plan) -> Self {
        self.plan = match plan {
            Plan::Sites(n) => Plan::Sites(n.max(1)),
            p => p,
        };
        self
    }

    /// Address of host `n` of a role under this network's plan; one-to-one within each role
    /// (also for `n` beyond the role's count: hosts added later).
    pub fn host(&self, role: Role, n: u32, v6: bool) -> IpAddr {
        match self.plan {
            Plan::Sites(k) if !v6 => sites_addr(k, role, n),
            _ => Self::addr(role, n, v6),
        }
    }

    /// Site of host `n` of a role (0 under `Roles`).
    pub fn site(&self, n: u32) -> u32 {
        match self.plan {
            Plan::Sites(k) => n % k,
            Plan::Roles => 0,
        }
    }

    /// Function of server `n` (index into `FUNCTIONS`; under `Roles` servers have none: 0).
    pub fn function(&self, n: u32) -> usize {
        match self.plan {
            Plan::Sites(k) => ((n / k) % 5) as usize,
            Plan::Roles => 0,
        }
    }

    /// Does server `n` run Windows (RDP/WinRM) rather than Linux (SSH)? `Roles`: every third;
    /// `Sites`: file servers, every other database server and every third infra server.
    pub fn windows(&self, n: u32) -> bool {
        match self.plan {
            Plan::Roles => n.is_multiple_of(3),
            Plan::Sites(k) => {
                let j = n / k / 5;
                match self.function(n) {
                    2 => j.is_multiple_of(2),
                    3 => true,
                    4 => j.is_multiple_of(3),
                    _ => false,
                }
            }
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

/// Address of host `n` of `role` under `Plan::Sites(k)`.
fn sites_addr(k: u32, role: Role, n: u32) -> IpAddr {
    let (site, i) = (n % k, n / k);
    let b = 16 + (site % 16) as u8;
    let at = |third: u32, fourth: u32| IpAddr::V4(Ipv4Addr::new(172, b, third as u8, fourth as u8));
    match role {
        Role::Workstation => at((i / 250) % 100, i % 250 + 1),
        Role::Server => {
            let (f, j) = (i % 5, i / 5);
            at(100 + f * 20 + (j / 250) % 20, j % 250 + 1)
        }
        Role::DomainController => at(250, i % 250 + 1),
        Role::JumpHost => at(201, i % 250 + 1),
        // One in four is a laptop on a user floor, after the workstations' .1–.250.
        Role::AdminStation if i % 4 == 3 => {
            let r = i / 4;
            at(r % 100, 251 + (r / 100) % 4)
        }
        Role::AdminStation => at(200, i % 250 + 1),
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

    #[test]
    fn the_sites_plan_gives_distinct_addresses_per_site_and_function() {
        let net = Network::new(20_000).with_plan(Plan::Sites(6));
        let mut seen = std::collections::HashSet::new();
        for (role, count) in [
            (Role::Workstation, net.workstations),
            (Role::Server, net.servers + 200),
            (Role::DomainController, net.domain_controllers),
            (Role::JumpHost, net.jump_hosts + 10),
            (Role::AdminStation, net.admin_stations + 20),
        ] {
            for n in 0..count {
                assert!(seen.insert(net.host(role, n, false)), "{role:?} {n}");
            }
        }
        assert_eq!(net.host(Role::Server, 7, false).to_string(), "172.17.120.1");
        assert_eq!(FUNCTIONS[net.function(7)], "app");
        assert_eq!(net.site(7), 1);
        assert!(net.windows(6 * 3) && !net.windows(0), "file servers run Windows, web Linux");
    }
}
