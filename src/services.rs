//! The remote-administration services pivotflow looks at by default, defined once: the pivot
//! rules (`pivot::rules::default_services`, what `--service` replaces) and the generator's admin
//! work, routines and injected chains all use these.

/// (name, IP protocol number, server port).
pub type Svc = (&'static str, u8, u16);

pub const SSH: Svc = ("ssh", 6, 22);
pub const RDP: Svc = ("rdp", 6, 3389);
/// RDP's UDP transport (RDP 8+), next to its TCP connection.
pub const RDP_UDP: Svc = ("rdp", 17, 3389);
/// WinRM over HTTP.
pub const WINRM: Svc = ("winrm", 6, 5985);
/// WinRM over HTTPS.
pub const WINRM_TLS: Svc = ("winrm", 6, 5986);

/// The default list, in the order `--help` and the README give it.
pub const ADMIN_SERVICES: &[Svc] = &[SSH, RDP, RDP_UDP, WINRM, WINRM_TLS];
