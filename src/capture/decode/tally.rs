//! What the decoder counts, and where it says so: [`DecodeTally`], which capture's statistics
//! implement (as the store reports its writes through `store::WriteTally`). The decoder counts
//! each thing where it decides it and never sees the capture's other counters.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

/// Where the decoder counts what it decided.
pub trait DecodeTally {
    /// The counters of exporter `addr` (the tally decides how many exporters it keeps apart).
    fn exporter(&mut self, addr: IpAddr) -> &mut ExporterStats;

    /// `n` decode errors of `kind` from exporter `addr`.
    fn errors(&mut self, addr: IpAddr, kind: DecodeErrorKind, n: u64) {
        *self.exporter(addr).decode_errors.entry(kind).or_default() += n;
    }

    /// One decode error of `kind` from exporter `addr`.
    fn error(&mut self, addr: IpAddr, kind: DecodeErrorKind) {
        self.errors(addr, kind, 1);
    }

    /// A scope's state was dropped to make room for a new one: an `idle` proven scope
    /// (evicted), else one that never proved itself (displaced).
    fn scope_dropped(&mut self, idle: bool);

    /// A v5 datagram was decoded without a scope (the table was full of active scopes).
    fn v5_without_scope(&mut self);
}

/// Why a datagram, or part of one, was not decoded (a key of `decode_errors` in the stats JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecodeErrorKind {
    /// Not a NetFlow v5/v9/IPFIX header.
    NotNetflow,
    /// The datagram ends inside a record or set.
    Truncated,
    /// A version the parser does not decode.
    UnsupportedVersion,
    /// A version filtered out by the parser's configuration.
    FilteredVersion,
    /// The parser rejected the content.
    ParseError,
    /// Decoded in part: the rest was rejected.
    Partial,
    /// The parser's output limit was reached.
    OutputLimit,
    /// Bytes after the last complete export packet.
    TrailingBytes,
    /// Data sets the parser returned no records for although their template is known.
    DataSetUndecodable,
    /// Template-less data dropped because the hold buffer was full.
    HoldBufferFull,
    /// Held data failed to decode when its template arrived.
    ReplayError,
    /// A template with more fields than `--max-template-fields`, refused (the parser would drop
    /// it silently).
    TemplateTooLarge,
    /// A datagram of a new scope refused: the scope table is full and no scope is idle
    /// (`--max-scopes`; spoofed exporters cannot grow the decoder's state).
    ScopeTableFull,
    /// Any other parser error.
    Other,
}

impl DecodeErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [DecodeErrorKind; 14] = [
        DecodeErrorKind::NotNetflow,
        DecodeErrorKind::Truncated,
        DecodeErrorKind::UnsupportedVersion,
        DecodeErrorKind::FilteredVersion,
        DecodeErrorKind::ParseError,
        DecodeErrorKind::Partial,
        DecodeErrorKind::OutputLimit,
        DecodeErrorKind::TrailingBytes,
        DecodeErrorKind::DataSetUndecodable,
        DecodeErrorKind::HoldBufferFull,
        DecodeErrorKind::ReplayError,
        DecodeErrorKind::TemplateTooLarge,
        DecodeErrorKind::ScopeTableFull,
        DecodeErrorKind::Other,
    ];

    /// The name in the stats JSON and the summary (`truncated`, `data_set_undecodable`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DecodeErrorKind::NotNetflow => "not_netflow",
            DecodeErrorKind::Truncated => "truncated",
            DecodeErrorKind::UnsupportedVersion => "unsupported_version",
            DecodeErrorKind::FilteredVersion => "filtered_version",
            DecodeErrorKind::ParseError => "parse_error",
            DecodeErrorKind::Partial => "partial",
            DecodeErrorKind::OutputLimit => "output_limit",
            DecodeErrorKind::TrailingBytes => "trailing_bytes",
            DecodeErrorKind::DataSetUndecodable => "data_set_undecodable",
            DecodeErrorKind::HoldBufferFull => "hold_buffer_full",
            DecodeErrorKind::ReplayError => "replay_error",
            DecodeErrorKind::TemplateTooLarge => "template_too_large",
            DecodeErrorKind::ScopeTableFull => "scope_table_full",
            DecodeErrorKind::Other => "other",
        }
    }
}

/// Counters for one exporter (keyed by its IP address).
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct ExporterStats {
    /// Export datagrams received from this exporter (after the allow-list).
    pub datagrams: u64,
    /// Their payload bytes.
    pub datagram_bytes: u64,
    /// Flow records decoded and normalized (rows handed to the writer).
    pub records: u64,
    /// Data records that carried no source/destination address (not flows): counted, not stored.
    pub records_without_addresses: u64,
    /// Extra rows made for the reverse direction of IPFIX biflow (RFC 5103) records.
    pub biflow_reverse_rows: u64,
    /// Datagrams or parts of them that failed to decode, by kind.
    pub decode_errors: BTreeMap<DecodeErrorKind, u64>,
    /// Sequence-number jumps forward (each one a loss event).
    pub sequence_gaps: u64,
    /// Units lost according to sequence numbers: v5 flows, v9 datagrams, IPFIX data records.
    pub sequence_lost: u64,
    /// Datagrams whose sequence number went backwards (reordered or duplicated).
    pub sequence_reordered: u64,
    /// Data sets held because their template had not arrived yet.
    pub held_sets: u64,
    /// Held data sets decoded after their template arrived, and the records they gave.
    pub replayed_sets: u64,
    /// Records those replayed sets gave.
    pub replayed_records: u64,
    /// Held data sets dropped (too old, or over the count/byte bounds) without a template.
    pub expired_sets: u64,
    /// Bytes of those dropped sets.
    pub expired_bytes: u64,
    /// Rows of this exporter written to Parquet.
    pub rows_written: u64,
}

impl ExporterStats {
    /// Add another exporter's counters (folding it into `OTHER_EXPORTERS`).
    pub fn add(&mut self, o: &ExporterStats) {
        self.datagrams += o.datagrams;
        self.datagram_bytes += o.datagram_bytes;
        self.records += o.records;
        self.records_without_addresses += o.records_without_addresses;
        self.biflow_reverse_rows += o.biflow_reverse_rows;
        for (k, n) in &o.decode_errors {
            *self.decode_errors.entry(*k).or_default() += n;
        }
        self.sequence_gaps += o.sequence_gaps;
        self.sequence_lost += o.sequence_lost;
        self.sequence_reordered += o.sequence_reordered;
        self.held_sets += o.held_sets;
        self.replayed_sets += o.replayed_sets;
        self.replayed_records += o.replayed_records;
        self.expired_sets += o.expired_sets;
        self.expired_bytes += o.expired_bytes;
        self.rows_written += o.rows_written;
    }
}
