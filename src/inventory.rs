//! Host names and roles (`--inventory FILE`, `--hosts-file FILE`): what an address means to the
//! people who read the report.
//!
//! The inventory is CSV with a header row: an address column (`address`, `addr`, `ip`, `cidr`
//! or `network`: one address or a CIDR network), `name` (or `hostname`), `role` (or `type`),
//! `owner` (or `team`); every other column is kept as it is. `#` starts a comment line. An
//! address takes the entry of its own line if there is one, else of the narrowest network
//! containing it. A hosts file (hosts(5): `address name [aliases…]`, e.g. a cached `getent
//! hosts` or reverse DNS export) gives names where the inventory has none; nothing is looked up
//! on the network.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;

use ipnet::IpNet;
use serde::Serialize;

use crate::error::{Error, Result};

/// What the inventory says about one host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HostInfo {
    /// Its name (empty: unnamed).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Its role (`workstation`, `jump host`, `database server`, …; empty: unknown).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub role: String,
    /// Its owner or team (empty: unknown).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub owner: String,
    /// The inventory entry it matched: the address itself or the network (CIDR).
    pub entry: String,
    /// The other columns of that line, by header.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
    /// A host named by its lease (`--leases`): the addresses it had in the period's flows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
}

impl HostInfo {
    /// `name (addr)`, `role` after it when known: how a host is shown to a person; a host
    /// named by its lease and unknown to the inventory as `identity (its addresses)`.
    pub fn label(&self, addr: &str) -> String {
        if self.name.is_empty() && self.role.is_empty() && !self.addresses.is_empty() {
            return format!("{addr} ({})", self.addresses.join(", "));
        }
        match (self.name.is_empty(), self.role.is_empty()) {
            (true, true) => addr.to_string(),
            (true, false) => format!("{addr} ({})", self.role),
            (false, true) => format!("{} ({addr})", self.name),
            (false, false) => format!("{} ({addr}, {})", self.name, self.role),
        }
    }
}

/// The loaded inventory.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Single addresses.
    hosts: HashMap<IpAddr, HostInfo>,
    /// Networks, narrowest first.
    networks: Vec<(IpNet, HostInfo)>,
    /// Header of the inventory's extra columns, in file order (for the SQL table).
    pub extra_columns: Vec<String>,
}

const ADDRESS: &[&str] = &["address", "addr", "ip", "cidr", "network"];
const NAME: &[&str] = &["name", "hostname"];
const ROLE: &[&str] = &["role", "type"];
const OWNER: &[&str] = &["owner", "team"];

impl Inventory {
    /// Load `--inventory` and `--hosts-file` (either may be absent). Errors name the file and
    /// line (exit 2).
    pub fn load(inventory: Option<&Path>, hosts_file: Option<&Path>) -> Result<Inventory> {
        let mut inv = Inventory::default();
        if let Some(path) = inventory {
            inv.read_csv(path)?;
        }
        if let Some(path) = hosts_file {
            inv.read_hosts_file(path)?;
        }
        inv.networks.sort_by_key(|(n, _)| std::cmp::Reverse(n.prefix_len()));
        Ok(inv)
    }

    /// No entries at all.
    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty() && self.networks.is_empty()
    }

    /// The entry for `addr`: its own line, else the narrowest network containing it.
    pub fn lookup(&self, addr: &str) -> Option<&HostInfo> {
        let ip: IpAddr = addr.parse().ok()?;
        self.hosts
            .get(&ip)
            .or_else(|| self.networks.iter().find(|(n, _)| n.contains(&ip)).map(|(_, h)| h))
    }

    /// Every entry, addresses first then networks, each sorted (the `hosts` SQL table).
    pub fn entries(&self) -> Vec<&HostInfo> {
        let mut hosts: Vec<(&IpAddr, &HostInfo)> = self.hosts.iter().collect();
        hosts.sort_by_key(|(a, _)| **a);
        let mut nets: Vec<&(IpNet, HostInfo)> = self.networks.iter().collect();
        nets.sort_by_key(|(n, _)| *n);
        hosts.into_iter().map(|(_, h)| h).chain(nets.into_iter().map(|(_, h)| h)).collect()
    }

    fn read_csv(&mut self, path: &Path) -> Result<()> {
        let what = || format!("--inventory {}", path.display());
        let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_slice());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| Error::config(what(), format!("header: {e}")))?
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
        let Some(addr_col) = find(ADDRESS) else {
            return Err(Error::config(
                what(),
                format!(
                    "line 1: no address column (one of {}) in the header {header:?}",
                    ADDRESS.join(", ")
                ),
            ));
        };
        let (name_col, role_col, owner_col) = (find(NAME), find(ROLE), find(OWNER));
        let known = [Some(addr_col), name_col, role_col, owner_col];
        let extra: Vec<(usize, String)> = header
            .iter()
            .enumerate()
            .filter(|(i, _)| !known.contains(&Some(*i)))
            .map(|(i, h)| (i, h.clone()))
            .collect();
        self.extra_columns = extra.iter().map(|(_, h)| h.clone()).collect();
        let mut first_line: HashMap<String, u64> = HashMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                Error::config(what(), format!("line {line}: {e}"))
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let cell =
                |c: Option<usize>| c.and_then(|i| record.get(i)).unwrap_or_default().to_string();
            let entry = cell(Some(addr_col));
            let info = HostInfo {
                name: cell(name_col),
                role: cell(role_col),
                owner: cell(owner_col),
                entry: entry.clone(),
                extra: extra
                    .iter()
                    .filter_map(|(i, h)| {
                        let v = record.get(*i)?;
                        (!v.is_empty()).then(|| (h.clone(), v.to_string()))
                    })
                    .collect(),
                addresses: Vec::new(),
            };
            let key = self
                .add(&entry, info)
                .map_err(|why| Error::config(what(), format!("line {line}: {entry:?} {why}")))?;
            if let Some(first) = first_line.get(&key) {
                tracing::warn!(
                    "{}: line {line}: {key} again (first on line {first}); the first line is kept",
                    path.display()
                );
            } else {
                first_line.insert(key, line);
            }
        }
        Ok(())
    }

    /// Add one entry unless its address or network is there already; the canonical key.
    fn add(&mut self, entry: &str, info: HostInfo) -> std::result::Result<String, String> {
        if let Ok(ip) = entry.parse::<IpAddr>() {
            self.hosts.entry(ip).or_insert(info);
            return Ok(ip.to_string());
        }
        let net: IpNet = entry.parse().map_err(|_| "is not an address or CIDR network")?;
        if net.trunc() != net {
            return Err(format!("has host bits set (the network is {})", net.trunc()));
        }
        if net.prefix_len() == net.max_prefix_len() {
            self.hosts.entry(net.addr()).or_insert(info);
            return Ok(net.addr().to_string());
        }
        if !self.networks.iter().any(|(n, _)| *n == net) {
            self.networks.push((net, info));
        }
        Ok(net.to_string())
    }

    fn read_hosts_file(&mut self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default();
            let mut words = line.split_whitespace();
            let Some(addr) = words.next() else { continue };
            let ip: IpAddr = addr.parse().map_err(|_| {
                Error::config(
                    format!("--hosts-file {}", path.display()),
                    format!("line {}: {addr:?} is not an address", i + 1),
                )
            })?;
            let Some(name) = words.next() else {
                return Err(Error::config(
                    format!("--hosts-file {}", path.display()),
                    format!("line {}: {addr} has no name", i + 1),
                ));
            };
            // The inventory's own line wins; a name fills an unnamed entry.
            let e = self
                .hosts
                .entry(ip)
                .or_insert_with(|| HostInfo { entry: ip.to_string(), ..HostInfo::default() });
            if e.name.is_empty() {
                e.name = name.to_string();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(csv: &str) -> Result<Inventory> {
        let dir = std::env::temp_dir().join(format!("pivotflow-inv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!(
            "{:x}.csv",
            csv.len() * 31 + csv.bytes().map(usize::from).sum::<usize>()
        ));
        std::fs::write(&path, csv).unwrap();
        let inventory = Inventory::load(Some(&path), None);
        // Leave nothing behind (the folder goes with the last test's file; tests run at once).
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_dir(&dir);
        inventory
    }

    #[test]
    fn addresses_win_over_networks_and_the_narrowest_network_wins() {
        let inv = load(
            "# site inventory\nAddress,Name,Role,Team,rack\n10.0.0.0/8,,corporate,,\n\
             10.1.2.0/24,,database servers,dba,R7\n10.1.2.7,db-07,Windows server,dba,R7\n",
        )
        .unwrap();
        assert_eq!(
            inv.lookup("10.1.2.7").unwrap().label("10.1.2.7"),
            "db-07 (10.1.2.7, Windows server)"
        );
        let net = inv.lookup("10.1.2.9").unwrap();
        assert_eq!((net.role.as_str(), net.entry.as_str()), ("database servers", "10.1.2.0/24"));
        assert_eq!(net.extra.get("rack").map(String::as_str), Some("R7"));
        assert_eq!(inv.lookup("10.9.9.9").unwrap().role, "corporate");
        assert!(inv.lookup("192.168.1.1").is_none());
        assert_eq!(inv.extra_columns, ["rack"]);
    }

    #[test]
    fn malformed_lines_are_errors_naming_the_line() {
        let e = load("address,name\n10.0.0.1,a\n10.0.0.300,b\n").unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("10.0.0.300"), "{e}");
        let e = load("address,name\n10.0.0.1,a,extra\n").unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        let e = load("host,name\n10.0.0.1,a\n").unwrap_err().to_string();
        assert!(e.contains("no address column"), "{e}");
        let e = load("address,name\n10.0.0.1/8,a\n").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("10.0.0.0/8"), "{e}");
    }
}
