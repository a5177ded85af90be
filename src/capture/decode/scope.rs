//! The template scope of the decoder (see `decode`): (exporter IP, export version, observation
//! domain / source id). Shared by the decoder and the hold buffer.

use std::net::IpAddr;

/// Template scope (see module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeKey {
    /// Source address of the export datagrams.
    pub exporter: IpAddr,
    /// Export version (9 or 10; 5 has no templates but is tracked the same way).
    pub version: u16,
    /// Observation domain (IPFIX) or source id (v9); engine type/id for v5.
    pub domain: u32,
}

/// Bounds on the decoder's per-scope state, whatever the network sends (NetFlow/IPFIX have no
/// authentication: anyone who reaches the port can spoof exporters and send templates).
/// Template memory is at most about `max_scopes × max_templates × max_template_fields × 32`
/// bytes; the defaults give a few MB per busy scope and room for hundreds of real exporters.
#[derive(Debug, Clone, Copy)]
pub struct ScopeLimits {
    /// Scopes (exporter, version, domain) kept at most. When the table is full a new scope
    /// takes the place of the oldest scope that never proved itself (one datagram so far:
    /// `scopes_displaced`), else of the least recently seen one if that one has been idle for
    /// `idle_ms` (`scopes_evicted`); otherwise a v9/IPFIX datagram is refused
    /// (`scope_table_full`) and a v5 one is decoded without a scope (v5 has no templates;
    /// only its sequence numbers go unchecked: `v5_without_scope`). A scope that has sent
    /// twice is never displaced by a newcomer, only evicted when idle: spoofed one-datagram
    /// sources cannot lock real exporters out, whoever came first.
    pub max_scopes: usize,
    /// Templates kept per scope and export version (least recently used ones are forgotten).
    pub max_templates: usize,
    /// Fields per template at most; a longer template is a decode error (real ones have < 100).
    pub max_template_fields: usize,
    /// A scope idle this long (arrival time) may be evicted when the table is full.
    pub idle_ms: i64,
}

impl Default for ScopeLimits {
    fn default() -> Self {
        ScopeLimits {
            max_scopes: 1024,
            max_templates: 256,
            max_template_fields: 256,
            idle_ms: 60 * 60 * 1000,
        }
    }
}
