//! The template scope of the decoder (see `decode`): (exporter IP, export version, observation
//! domain / source id). Shared by the decoder and the hold buffer.

use std::net::IpAddr;

/// Template scope (see module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScopeKey {
    pub exporter: IpAddr,
    pub version: u16,
    pub domain: u32,
}
