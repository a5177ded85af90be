//! The remote-administration services pivotflow looks at, defined once: the default list
//! (what `--service` replaces), the `services` table the SQL joins on, the pivot rules and the
//! generator's admin work, routines and injected chains all use these.

use crate::error::{Error, Result};

/// (name, IP protocol number, server port).
pub type Svc = (&'static str, u8, u16);

/// SSH.
pub const SSH: Svc = ("ssh", 6, 22);
/// RDP over TCP.
pub const RDP: Svc = ("rdp", 6, 3389);
/// RDP's UDP transport (RDP 8+), next to its TCP connection.
pub const RDP_UDP: Svc = ("rdp", 17, 3389);
/// WinRM over HTTP.
pub const WINRM: Svc = ("winrm", 6, 5985);
/// WinRM over HTTPS.
pub const WINRM_TLS: Svc = ("winrm", 6, 5986);

/// The default list, in the order `--help` and the README give it.
pub const ADMIN_SERVICES: &[Svc] = &[SSH, RDP, RDP_UDP, WINRM, WINRM_TLS];

/// One service of interest: name, IP protocol number, port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Name shown in reports (`ssh`, `rdp`, `winrm`, or the user's).
    pub name: String,
    /// IP protocol number (6 TCP, 17 UDP).
    pub proto: u8,
    /// Server port.
    pub port: u16,
}

/// SSH tcp/22, RDP tcp/3389 and udp/3389, WinRM tcp/5985 and tcp/5986.
pub fn default_services() -> Vec<Service> {
    ADMIN_SERVICES
        .iter()
        .map(|&(name, proto, port)| Service { name: name.to_string(), proto, port })
        .collect()
}

/// Parse every `--service` given (each `NAME=PROTO/PORT[,PORT…]`) into one list.
pub fn parse_services(specs: &[String]) -> Result<Vec<Service>> {
    let lists = specs.iter().map(|s| parse_service(s)).collect::<Result<Vec<_>>>()?;
    Ok(lists.concat())
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
