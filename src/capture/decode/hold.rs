//! Hold buffer for data sets that arrive before their template.
//!
//! Each held set keeps the header bytes of the datagram that carried it and that datagram's
//! arrival time, so when the template arrives it is decoded exactly as if it had been
//! understood on arrival: uptime arithmetic uses *its own* header, `received_ms` its own arrival.
//! Bounded by count, bytes and age; whatever leaves unreplayed is counted as expired.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::scope::ScopeKey;
use crate::capture::normalize::PacketContext;

/// Limits of the hold buffer (all exporters together).
#[derive(Debug, Clone, Copy)]
pub struct HoldLimits {
    /// Data sets held at most.
    pub max_sets: usize,
    /// Bytes held at most.
    pub max_bytes: usize,
    /// Held data older than this (arrival time) is dropped as expired.
    pub max_age_ms: i64,
}

impl Default for HoldLimits {
    fn default() -> Self {
        // A template refresh interval is typically 10 s–5 min; 10 min covers slow exporters.
        HoldLimits { max_sets: 20_000, max_bytes: 64 << 20, max_age_ms: 10 * 60 * 1000 }
    }
}

/// One data set waiting for template `template_id`.
#[derive(Debug, Clone)]
pub struct HeldSet {
    /// The export header of the datagram it came in.
    pub header: Vec<u8>,
    /// The template it waits for.
    pub template_id: u16,
    /// The set body (after its 4-byte set header).
    pub body: Vec<u8>,
    /// Arrival context (exporter, arrival time).
    pub ctx: PacketContext,
}

impl HeldSet {
    fn size(&self) -> usize {
        self.header.len() + self.body.len()
    }

    /// A datagram holding only this set: the original header (IPFIX length fixed) + the set.
    pub fn to_datagram(&self) -> Vec<u8> {
        let set_len = 4 + self.body.len();
        let mut out = Vec::with_capacity(self.header.len() + set_len);
        out.extend_from_slice(&self.header);
        if out.len() >= 4 && out[..2] == [0, 10] {
            let total = (self.header.len() + set_len).min(usize::from(u16::MAX)) as u16;
            out[2..4].copy_from_slice(&total.to_be_bytes());
        }
        out.extend_from_slice(&self.template_id.to_be_bytes());
        out.extend_from_slice(&(set_len.min(usize::from(u16::MAX)) as u16).to_be_bytes());
        out.extend_from_slice(&self.body);
        out
    }
}

/// What left the buffer without being replayed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Dropped {
    /// Data sets dropped.
    pub sets: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// Data sets waiting for their template, per (scope, template id), within `HoldLimits`.
#[derive(Debug, Default)]
pub struct HoldBuffer {
    limits: HoldLimits,
    held: HashMap<(ScopeKey, u16), Vec<HeldSet>>,
    sets: usize,
    bytes: usize,
}

impl HoldBuffer {
    /// An empty buffer with these bounds.
    pub fn new(limits: HoldLimits) -> Self {
        HoldBuffer { limits, ..Default::default() }
    }

    /// True when no set is held.
    pub fn is_empty(&self) -> bool {
        self.sets == 0
    }

    /// Hold a set. Returns false (and keeps nothing) when the bounds are reached.
    pub fn hold(&mut self, scope: ScopeKey, set: HeldSet) -> bool {
        let size = set.size();
        if self.sets + 1 > self.limits.max_sets || self.bytes + size > self.limits.max_bytes {
            return false;
        }
        self.sets += 1;
        self.bytes += size;
        self.held.entry((scope, set.template_id)).or_default().push(set);
        true
    }

    /// Template ids this scope is waiting for.
    pub fn waiting_templates(&self, scope: &ScopeKey) -> Vec<u16> {
        self.held.keys().filter(|(s, _)| s == scope).map(|(_, t)| *t).collect()
    }

    /// Remove and return the sets waiting for `template_id` in `scope`, oldest first.
    pub fn take(&mut self, scope: &ScopeKey, template_id: u16) -> Vec<HeldSet> {
        match self.held.entry((*scope, template_id)) {
            Entry::Occupied(e) => {
                let sets = e.remove();
                self.sets -= sets.len();
                self.bytes -= sets.iter().map(HeldSet::size).sum::<usize>();
                sets
            }
            Entry::Vacant(_) => Vec::new(),
        }
    }

    /// Drop sets older than the age limit relative to `now_ms`; returns what was dropped per
    /// exporter scope.
    pub fn expire(&mut self, now_ms: i64) -> Vec<(ScopeKey, Dropped)> {
        let max_age = self.limits.max_age_ms;
        let mut dropped = Vec::new();
        self.held.retain(|(scope, _), sets| {
            let before = sets.len();
            let mut d = Dropped::default();
            sets.retain(|s| {
                let keep = now_ms.saturating_sub(s.ctx.received_ms) <= max_age;
                if !keep {
                    d.sets += 1;
                    d.bytes += s.size() as u64;
                }
                keep
            });
            if sets.len() != before {
                dropped.push((*scope, d));
            }
            !sets.is_empty()
        });
        for (_, d) in &dropped {
            self.sets -= d.sets as usize;
            self.bytes -= d.bytes as usize;
        }
        dropped
    }

    /// Empty the buffer (end of input): everything still held is expired.
    pub fn drain_all(&mut self) -> Vec<(ScopeKey, Dropped)> {
        self.expire(i64::MAX)
    }

    /// Drop everything held for `scope` (its state was evicted); what was dropped.
    pub fn drain_scope(&mut self, scope: &ScopeKey) -> Dropped {
        let mut d = Dropped::default();
        for id in self.waiting_templates(scope) {
            for s in self.take(scope, id) {
                d.sets += 1;
                d.bytes += s.size() as u64;
            }
        }
        d
    }
}
