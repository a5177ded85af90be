//! Decoding: export datagrams → normalized `FlowRecord`s, with templates scoped per exporter.
//!
//! Template scope key: (exporter IP address, export version, observation domain / source id).
//! The UDP source port is deliberately *not* part of the key: exporters that restart their
//! socket (new ephemeral port) keep their templates, as RFC 7011 §8 allows for a "same
//! exporter" and as nfdump does. Two exporters (different IPs) reusing a template id never mix,
//! nor do two observation domains of one exporter.

use std::collections::{BTreeSet, HashMap};

use netflow_parser::variable_versions::ipfix::{FlowSetBody as IpfixBody, IPFix};
use netflow_parser::variable_versions::v9::{FlowSetBody as V9Body, V9};
use netflow_parser::{NetflowError, NetflowPacket, NetflowParser};

pub mod hold;
pub mod scope;
pub mod sequence;
pub mod tally;
pub mod templates;

use super::normalize::{self, FlowRecord, NormalizeCounts, PacketContext};
use super::source::{Datagram, sniff_header};
use hold::{HeldSet, HoldBuffer, HoldLimits};
pub use scope::{ScopeKey, ScopeLimits};
use sequence::SequenceTracker;
use tally::{DecodeErrorKind, DecodeTally};

/// Per-scope decoder state.
struct Scope {
    parser: NetflowParser,
    sequence: SequenceTracker,
    /// IPFIX systemInitTimeMilliseconds learned from options records.
    system_init_ms: Option<i64>,
    /// Arrival time of its last datagram (idle scopes make room when the table is full).
    last_seen_ms: i64,
    /// Arrival time of its first datagram.
    first_seen_ms: i64,
    /// Datagrams decoded in this scope (one: not proven yet, see `ScopeLimits::max_scopes`).
    datagrams: u64,
}

fn new_parser(limits: &ScopeLimits) -> NetflowParser {
    NetflowParser::builder()
        // Keep the whole body of template-less sets (≤ 64 KiB by the wire format) so they can
        // be held and decoded later; the library's own pending cache stays off because it
        // would decode held data with the *template* packet's header times.
        .with_max_error_sample_size(usize::from(u16::MAX))
        .with_cache_size(limits.max_templates.max(1))
        .with_max_field_count(limits.max_template_fields.max(1))
        .build()
        .expect("parser limits are positive")
}

fn error_kind(e: &NetflowError) -> DecodeErrorKind {
    match e {
        NetflowError::Incomplete { .. } => DecodeErrorKind::Truncated,
        NetflowError::UnsupportedVersion { .. } => DecodeErrorKind::UnsupportedVersion,
        NetflowError::FilteredVersion { .. } => DecodeErrorKind::FilteredVersion,
        NetflowError::ParseError { .. } => DecodeErrorKind::ParseError,
        NetflowError::Partial { .. } => DecodeErrorKind::Partial,
        NetflowError::DecodedOutputLimitExceeded { .. } => DecodeErrorKind::OutputLimit,
        _ => DecodeErrorKind::Other,
    }
}

/// Stateful decoder for all exporters of one capture.
pub struct Decoder {
    scopes: HashMap<ScopeKey, Scope>,
    /// Scopes with one datagram so far, by its arrival: the first to make room.
    unproven: BTreeSet<(i64, ScopeKey)>,
    /// Decodes v5 datagrams that found no room in the scope table (v5 needs no state).
    v5_overflow: Option<NetflowParser>,
    limits: ScopeLimits,
    hold: HoldBuffer,
    /// Arrival time of the last expiry sweep of the hold buffer.
    last_expiry_ms: i64,
}

/// Template-less data sets found in one decoded packet.
type Missing = Vec<(u16, Vec<u8>)>;

impl Decoder {
    /// A decoder with no templates yet; template-less sets are held within `hold_limits`, scope
    /// state within `limits`.
    pub fn new(hold_limits: HoldLimits, limits: ScopeLimits) -> Self {
        Decoder {
            scopes: HashMap::new(),
            unproven: BTreeSet::new(),
            v5_overflow: None,
            limits,
            hold: HoldBuffer::new(hold_limits),
            last_expiry_ms: i64::MIN,
        }
    }

    /// Decode one datagram, appending its flows (and any held flows it unlocked) to `out`.
    pub fn decode(
        &mut self,
        dg: &Datagram,
        stats: &mut dyn DecodeTally,
        out: &mut Vec<FlowRecord>,
    ) {
        let exporter = dg.exporter.ip();
        {
            let es = stats.exporter(exporter);
            es.datagrams += 1;
            es.datagram_bytes += dg.payload.len() as u64;
        }
        self.expire_held(dg.received_ms, stats);
        let Some((version, header_len, domain)) = sniff_header(&dg.payload) else {
            stats.error(exporter, DecodeErrorKind::NotNetflow);
            return;
        };
        let key = ScopeKey { exporter, version, domain };
        let ctx = PacketContext { exporter, received_ms: dg.received_ms };
        if !self.scopes.contains_key(&key) && !self.make_room(dg.received_ms, stats) {
            if version == 5 {
                stats.v5_without_scope();
                self.decode_v5_without_scope(dg, &ctx, stats, out);
            } else {
                stats.error(exporter, DecodeErrorKind::ScopeTableFull);
            }
            return;
        }
        let limits = &self.limits;
        let scope = self.scopes.entry(key).or_insert_with(|| Scope {
            parser: new_parser(limits),
            sequence: SequenceTracker::default(),
            system_init_ms: None,
            last_seen_ms: dg.received_ms,
            first_seen_ms: dg.received_ms,
            datagrams: 0,
        });
        scope.last_seen_ms = scope.last_seen_ms.max(dg.received_ms);
        scope.datagrams += 1;
        match scope.datagrams {
            1 => {
                self.unproven.insert((scope.first_seen_ms, key));
            }
            2 => {
                self.unproven.remove(&(scope.first_seen_ms, key));
            }
            _ => {}
        }
        if version != 5 {
            let refused = templates::oversized(
                &dg.payload,
                version,
                header_len,
                self.limits.max_template_fields,
            );
            if refused > 0 {
                stats.errors(exporter, DecodeErrorKind::TemplateTooLarge, refused);
            }
        }
        let result = scope.parser.parse_bytes(&dg.payload);
        if let Some(e) = &result.error {
            let kind = if result.packets.is_empty() {
                error_kind(e)
            } else {
                DecodeErrorKind::TrailingBytes
            };
            stats.error(exporter, kind);
            tracing::debug!(%exporter, error = %e, "decode error");
        }
        let header = &dg.payload[..header_len];
        let learned_templates =
            account_packets(&result.packets, scope, &mut self.hold, key, header, &ctx, stats, out);
        if learned_templates {
            self.replay_held(key, stats, out);
        }
    }

    /// Decode held sets of `key` whose template is now known.
    fn replay_held(
        &mut self,
        key: ScopeKey,
        stats: &mut dyn DecodeTally,
        out: &mut Vec<FlowRecord>,
    ) {
        let Some(scope) = self.scopes.get_mut(&key) else { return };
        for template_id in self.hold.waiting_templates(&key) {
            let known = match key.version {
                9 => scope.parser.has_v9_template(template_id),
                _ => scope.parser.has_ipfix_template(template_id),
            };
            if !known {
                continue;
            }
            for set in self.hold.take(&key, template_id) {
                let result = scope.parser.parse_bytes(&set.to_datagram());
                let es = stats.exporter(key.exporter);
                es.replayed_sets += 1;
                if result.error.is_some() {
                    *es.decode_errors.entry(DecodeErrorKind::ReplayError).or_default() += 1;
                }
                for packet in &result.packets {
                    let (counts, _, _) = normalize_packet(packet, scope, &set.ctx, out);
                    let es = stats.exporter(key.exporter);
                    es.records += counts.records;
                    es.replayed_records += counts.records;
                    es.records_without_addresses += counts.without_addresses;
                    es.biflow_reverse_rows += counts.reverse_rows;
                }
            }
        }
    }

    /// Room for one more scope: true when the table has space, or a scope that never proved
    /// itself was displaced, or an idle scope was evicted (their held sets are dropped and
    /// counted as expired).
    fn make_room(&mut self, now_ms: i64, stats: &mut dyn DecodeTally) -> bool {
        if self.scopes.len() < self.limits.max_scopes {
            return true;
        }
        if let Some((_, key)) = self.unproven.pop_first() {
            self.drop_scope(key, stats);
            stats.scope_dropped(false);
            return true;
        }
        let Some((&oldest, seen)) =
            self.scopes.iter().map(|(k, s)| (k, s.last_seen_ms)).min_by_key(|&(_, t)| t)
        else {
            return false; // max_scopes 0
        };
        if now_ms.saturating_sub(seen) < self.limits.idle_ms {
            return false;
        }
        self.drop_scope(oldest, stats);
        stats.scope_dropped(true);
        true
    }

    fn drop_scope(&mut self, key: ScopeKey, stats: &mut dyn DecodeTally) {
        if let Some(s) = self.scopes.remove(&key)
            && s.datagrams == 1
        {
            self.unproven.remove(&(s.first_seen_ms, key));
        }
        count_expired(stats, &key, self.hold.drain_scope(&key));
    }

    /// A v5 datagram with no room for its scope: its records, without sequence checks.
    fn decode_v5_without_scope(
        &mut self,
        dg: &Datagram,
        ctx: &PacketContext,
        stats: &mut dyn DecodeTally,
        out: &mut Vec<FlowRecord>,
    ) {
        let limits = &self.limits;
        let parser = self.v5_overflow.get_or_insert_with(|| new_parser(limits));
        let result = parser.parse_bytes(&dg.payload);
        if let Some(e) = &result.error {
            let kind = if result.packets.is_empty() {
                error_kind(e)
            } else {
                DecodeErrorKind::TrailingBytes
            };
            stats.error(ctx.exporter, kind);
        }
        for packet in &result.packets {
            let mut records = NormalizeCounts::default();
            if let NetflowPacket::V5(v5) = packet {
                records = normalize::v5::normalize_v5(v5, ctx, out);
            }
            let es = stats.exporter(ctx.exporter);
            es.records += records.records;
            es.records_without_addresses += records.without_addresses;
        }
    }

    fn expire_held(&mut self, now_ms: i64, stats: &mut dyn DecodeTally) {
        // Sweep at most once per second of arrival time: expiry is by age, not exact.
        if self.hold.is_empty() || now_ms < self.last_expiry_ms.saturating_add(1000) {
            return;
        }
        self.last_expiry_ms = now_ms;
        for (scope, d) in self.hold.expire(now_ms) {
            count_expired(stats, &scope, d);
        }
    }

    /// End of input: whatever is still held can never be decoded; count it as expired.
    pub fn finish(&mut self, stats: &mut dyn DecodeTally) {
        for (scope, d) in self.hold.drain_all() {
            count_expired(stats, &scope, d);
        }
    }
}

/// Held sets of `scope` dropped without their template (too old, evicted, end of input).
fn count_expired(stats: &mut dyn DecodeTally, scope: &ScopeKey, d: hold::Dropped) {
    let es = stats.exporter(scope.exporter);
    es.expired_sets += d.sets;
    es.expired_bytes += d.bytes;
}

/// Normalize a datagram's parsed packets into `out` and count what each holds: records, rows
/// without addresses, reverse rows, undecodable data sets, sequence gaps, and data sets held
/// for a template not seen yet (or dropped when the hold buffer is full). True when a packet
/// taught its scope a template (held sets may now decode).
#[allow(clippy::too_many_arguments)]
fn account_packets(
    packets: &[NetflowPacket],
    scope: &mut Scope,
    hold: &mut HoldBuffer,
    key: ScopeKey,
    header: &[u8],
    ctx: &PacketContext,
    stats: &mut dyn DecodeTally,
    out: &mut Vec<FlowRecord>,
) -> bool {
    let exporter = key.exporter;
    let mut learned_templates = false;
    for packet in packets {
        let (counts, missing, templates) = normalize_packet(packet, scope, ctx, out);
        learned_templates |= templates;
        let es = stats.exporter(exporter);
        es.records += counts.records;
        es.records_without_addresses += counts.without_addresses;
        es.biflow_reverse_rows += counts.reverse_rows;
        let undecodable = count_undecodable(packet);
        if undecodable > 0 {
            *es.decode_errors.entry(DecodeErrorKind::DataSetUndecodable).or_default() +=
                undecodable;
        }
        check_sequence(packet, scope, !missing.is_empty(), es);
        for (template_id, body) in missing {
            let set = HeldSet { header: header.to_vec(), template_id, body, ctx: *ctx };
            let es = stats.exporter(exporter);
            if hold.hold(key, set) {
                es.held_sets += 1;
            } else {
                es.expired_sets += 1;
                *es.decode_errors.entry(DecodeErrorKind::HoldBufferFull).or_default() += 1;
            }
        }
    }
    learned_templates
}

/// Normalize one decoded packet; returns counts, template-less sets, and whether it defined
/// templates.
fn normalize_packet(
    packet: &NetflowPacket,
    scope: &mut Scope,
    ctx: &PacketContext,
    out: &mut Vec<FlowRecord>,
) -> (NormalizeCounts, Missing, bool) {
    match packet {
        NetflowPacket::V5(p) => (normalize::v5::normalize_v5(p, ctx, out), Vec::new(), false),
        NetflowPacket::V9(p) => {
            let (missing, templates) = v9_sets(p);
            (normalize::v9::normalize_v9(p, ctx, out), missing, templates)
        }
        NetflowPacket::IPFix(p) => {
            if let Some(init) = normalize::ipfix::system_init_from_options(p) {
                scope.system_init_ms = Some(init);
            }
            let (missing, templates) = ipfix_sets(p);
            (
                normalize::ipfix::normalize_ipfix(p, scope.system_init_ms, ctx, out),
                missing,
                templates,
            )
        }
        // v7 (Catalyst) is not a goal of this tool; counted as records = 0.
        _ => (NormalizeCounts::default(), Vec::new(), false),
    }
}

/// A data set whose body holds at least one byte beyond padding (≤ 3 bytes) but decoded to
/// no record: netflow_parser gives up silently on some templates (e.g. a trailing
/// variable-length field); we count it so it is never a silent loss.
fn undecodable(set_length: u16, records: usize) -> bool {
    records == 0 && set_length > 4 + 3
}

/// Data sets that decoded to nothing (see `undecodable`).
pub fn count_undecodable(packet: &NetflowPacket) -> u64 {
    match packet {
        NetflowPacket::V9(p) => p
            .flowsets
            .iter()
            .filter(|s| matches!(&s.body, V9Body::Data(d) if undecodable(s.header.length, d.fields.len())))
            .count() as u64,
        NetflowPacket::IPFix(p) => p
            .flowsets
            .iter()
            .filter(|s| match &s.body {
                IpfixBody::Data(d) => undecodable(s.header.length, d.fields.len()),
                IpfixBody::V9Data(d) => undecodable(s.header.length, d.fields.len()),
                _ => false,
            })
            .count() as u64,
        _ => 0,
    }
}

fn v9_sets(p: &V9) -> (Missing, bool) {
    let mut missing = Vec::new();
    let mut templates = false;
    for set in &p.flowsets {
        match &set.body {
            V9Body::NoTemplate(info) if !info.truncated => {
                missing.push((info.template_id, info.raw_data.clone()))
            }
            V9Body::Template(_) | V9Body::OptionsTemplate(_) => templates = true,
            _ => {}
        }
    }
    (missing, templates)
}

fn ipfix_sets(p: &IPFix) -> (Missing, bool) {
    let mut missing = Vec::new();
    let mut templates = false;
    for set in &p.flowsets {
        match &set.body {
            IpfixBody::NoTemplate(info) if !info.truncated => {
                missing.push((info.template_id, info.raw_data.clone()))
            }
            IpfixBody::Template(_)
            | IpfixBody::Templates(_)
            | IpfixBody::V9Template(_)
            | IpfixBody::V9Templates(_)
            | IpfixBody::OptionsTemplate(_)
            | IpfixBody::OptionsTemplates(_)
            | IpfixBody::V9OptionsTemplate(_)
            | IpfixBody::V9OptionsTemplates(_) => templates = true,
            _ => {}
        }
    }
    (missing, templates)
}

/// Number of data records (flows and options) in an IPFIX message, for its sequence number.
fn ipfix_data_records(p: &IPFix) -> u32 {
    p.flowsets
        .iter()
        .map(|s| match &s.body {
            IpfixBody::Data(d) => d.fields.len(),
            IpfixBody::OptionsData(d) => d.fields.len(),
            IpfixBody::V9Data(d) => d.fields.len(),
            IpfixBody::V9OptionsData(d) => d.fields.len(),
            _ => 0,
        })
        .sum::<usize>() as u32
}

/// Track export sequence numbers: v5 counts flows, v9 datagrams, IPFIX data records.
fn check_sequence(
    packet: &NetflowPacket,
    scope: &mut Scope,
    has_unknown_sets: bool,
    es: &mut tally::ExporterStats,
) {
    let (seq, advance) = match packet {
        NetflowPacket::V5(p) => (p.header.flow_sequence, Some(u32::from(p.header.count))),
        NetflowPacket::V9(p) => (p.header.sequence_number, Some(1)),
        // A message with template-less sets has an unknown record count: resync next time.
        NetflowPacket::IPFix(p) => {
            (p.header.sequence_number, (!has_unknown_sets).then(|| ipfix_data_records(p)))
        }
        _ => return,
    };
    scope.sequence.observe(seq, advance, es);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_rejects_short_and_inconsistent() {
        assert_eq!(sniff_header(&[0, 5]), None);
        // v5 claiming 2 records but carrying none
        let mut v5 = vec![0u8; 24];
        v5[1] = 5;
        v5[3] = 2;
        assert_eq!(sniff_header(&v5), None);
        // IPFIX whose length exceeds the datagram
        let mut ipfix = vec![0u8; 16];
        ipfix[1] = 10;
        ipfix[3] = 40;
        assert_eq!(sniff_header(&ipfix), None);
        ipfix[3] = 16;
        assert_eq!(sniff_header(&ipfix), Some((10, 16, 0)));
    }

    #[test]
    fn held_set_datagram_fixes_ipfix_length() {
        let mut header = vec![0u8; 16];
        header[1] = 10;
        let set = HeldSet {
            header,
            template_id: 300,
            body: vec![1, 2, 3, 4],
            ctx: PacketContext { exporter: "192.0.2.1".parse().unwrap(), received_ms: 0 },
        };
        let dg = set.to_datagram();
        assert_eq!(dg.len(), 24);
        assert_eq!(u16::from_be_bytes([dg[2], dg[3]]), 24);
        assert_eq!(u16::from_be_bytes([dg[16], dg[17]]), 300);
        assert_eq!(u16::from_be_bytes([dg[18], dg[19]]), 8);
    }
}

#[cfg(test)]
mod fuzz {
    //! Property tests: no input from the network can make the decoder panic.
    use super::*;
    use crate::capture::stats::CaptureStats;
    use crate::synth::encode::{ExportFormat, Exporter, SynthFlow};
    use proptest::prelude::*;

    fn dg(payload: Vec<u8>) -> Datagram {
        Datagram {
            exporter: "192.0.2.9:2055".parse().unwrap(),
            received_ms: 1_700_000_000_000,
            payload,
        }
    }

    fn valid_datagrams(format: ExportFormat) -> Vec<Vec<u8>> {
        let flow = SynthFlow {
            start_ms: 1_700_000_000_000,
            end_ms: 1_700_000_001_000,
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.0.2".parse().unwrap(),
            src_port: 1234,
            dst_port: 22,
            proto: 6,
            tcp_flags: 0x1b,
            tos: 0,
            packets: 10,
            bytes: 1000,
            in_if: 1,
            out_if: 2,
        };
        let mut e = Exporter::new(format, 1_699_000_000_000, 1, 1);
        e.encode(&vec![flow; 5], 1_700_000_002_000).0.into_iter().map(|(d, _)| d).collect()
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), version in prop_oneof![Just(5u16), Just(9), Just(10), any::<u16>()]) {
            let mut payload = bytes;
            if payload.len() >= 2 {
                payload[..2].copy_from_slice(&version.to_be_bytes());
            }
            let mut d = Decoder::new(HoldLimits::default(), ScopeLimits::default());
            let mut stats = CaptureStats::default();
            let mut out = Vec::new();
            d.decode(&dg(payload), &mut stats, &mut out);
            d.finish(&mut stats);
        }

        #[test]
        fn mutated_valid_datagrams_never_panic(format in prop_oneof![Just(ExportFormat::V5), Just(ExportFormat::V9), Just(ExportFormat::Ipfix)],
                                             flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
                                             cut in any::<usize>()) {
            let mut d = Decoder::new(HoldLimits::default(), ScopeLimits::default());
            let mut stats = CaptureStats::default();
            let mut out = Vec::new();
            for mut p in valid_datagrams(format) {
                for (at, v) in &flips {
                    let i = at % p.len();
                    p[i] = *v;
                }
                p.truncate(cut % (p.len() + 1));
                d.decode(&dg(p), &mut stats, &mut out);
            }
            d.finish(&mut stats);
        }
    }
}
