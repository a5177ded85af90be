//! The template scope of the decoder (see `decode`): (exporter IP, export version, observation
//! domain / source id). Shared by the decoder and the hold buffer.

use std::net::IpAddr;

/// Template scope (see module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScopeKey {
    /// Source address of the export datagrams.
    pub exporter: IpAddr,
    /// Export version (9 or 10; 5 has no templates but is tracked the same way).
    pub version: u16,
    /// Observation domain (IPFIX) or source id (v9); engine type/id for v5.
    pub domain: u32,
}
