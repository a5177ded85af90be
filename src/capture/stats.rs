//! Capture statistics: per-exporter counters and collector-wide drops, printed and saved as JSON.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

pub use super::decode::tally::{DecodeErrorKind, DecodeTally, ExporterStats};

/// Everything a capture run counts.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct CaptureStats {
    /// Counters per exporter address.
    pub exporters: BTreeMap<IpAddr, ExporterStats>,
    /// pcap packets that were not UDP export datagrams (other traffic, unrecognised content).
    pub packets_not_netflow: u64,
    /// pcap packets whose link/IP/UDP layers could not be parsed.
    pub packets_malformed: u64,
    /// IP fragments still waiting for their other parts when input ended (or timed out).
    pub fragments_incomplete: u64,
    /// Datagrams from sources outside `--allow-exporter`.
    pub datagrams_not_allowed: u64,
    /// Datagrams dropped because the decoder queue was full (live mode overload).
    pub datagrams_queue_full: u64,
    /// Parquet files written, and rows in them.
    pub files_written: u64,
    /// Day folders deleted by `--retention`.
    pub days_deleted: u64,
    /// Rows in those files.
    pub rows_written: u64,
    /// Rows recovered from the journal of an earlier run that did not shut down cleanly.
    pub rows_recovered: u64,
    /// Idle scopes whose decoder state was dropped to make room for a new one (`--max-scopes`).
    pub scopes_evicted: u64,
    /// Scopes that never proved themselves (one datagram) dropped to make room for a new one.
    pub scopes_displaced: u64,
    /// v5 datagrams decoded without a scope because the table was full of proven, active
    /// scopes (their records are kept; their sequence numbers are not checked).
    pub v5_without_scope: u64,
    /// Exporters whose counters were folded into `::` to make room for new addresses in the
    /// statistics (those that had sent one datagram; see `EXPORTERS_TRACKED`).
    pub exporters_folded: u64,
    /// New addresses admitted to the statistics since the last fold (folding again before any
    /// new address came in would find nothing new to fold).
    #[serde(skip)]
    admitted_since_fold: usize,
    /// Whether the statistics ever filled up (the first fold is always tried).
    #[serde(skip)]
    folded_once: bool,
    /// Peak resident memory of the capture process when the counters were written (KiB,
    /// from /proc/self/status `VmHWM`; absent where that is not available).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_rss_kib: Option<u64>,
    /// `--packets`: what the flow meter counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meter: Option<super::meter::MeterStats>,
    /// `--zeek`: what reading the conn logs counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zeek: Option<super::zeek::ZeekStats>,
    /// `--upload`: the copies to the object store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload: Option<crate::store::upload::UploadStats>,
}

/// Exporter addresses counted one by one. When the table is full, the exporters that sent only
/// one datagram are folded into `OTHER_EXPORTERS` to make room (the busiest stay listed,
/// whoever came first); when none can be folded, new addresses are counted under it (spoofed
/// source addresses cannot grow the statistics without bound).
pub const EXPORTERS_TRACKED: usize = 16_384;

/// The key of the exporters beyond `EXPORTERS_TRACKED`: `::` (no real exporter has it).
pub const OTHER_EXPORTERS: IpAddr = IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED);

/// Exporters listed one per line in the summary; the stats JSON has them all.
const SUMMARY_EXPORTERS: usize = 50;

impl CaptureStats {
    /// The counters of one exporter (created on first use; beyond `EXPORTERS_TRACKED`
    /// addresses, after folding one-datagram exporters, the shared `OTHER_EXPORTERS` entry).
    pub fn exporter(&mut self, addr: IpAddr) -> &mut ExporterStats {
        let full = self.exporters.len() >= EXPORTERS_TRACKED;
        let room =
            !full || self.exporters.contains_key(&addr) || self.fold_one_datagram_exporters();
        let key = if room { addr } else { OTHER_EXPORTERS };
        if key == addr && !self.exporters.contains_key(&addr) {
            self.admitted_since_fold += 1;
        }
        self.exporters.entry(key).or_default()
    }

    /// Fold the exporters that sent at most one datagram into `OTHER_EXPORTERS`; true when
    /// that made room. Tried again only after new addresses were admitted since the last
    /// fold, so a flood costs one pass over the table per table's worth of new addresses.
    fn fold_one_datagram_exporters(&mut self) -> bool {
        if self.folded_once && self.admitted_since_fold == 0 {
            return false;
        }
        self.folded_once = true;
        self.admitted_since_fold = 0;
        let quiet: Vec<IpAddr> = self
            .exporters
            .iter()
            .filter(|(a, e)| **a != OTHER_EXPORTERS && e.datagrams <= 1)
            .map(|(a, _)| *a)
            .collect();
        let mut other = self.exporters.remove(&OTHER_EXPORTERS).unwrap_or_default();
        for a in &quiet {
            if let Some(e) = self.exporters.remove(a) {
                other.add(&e);
            }
        }
        self.exporters.insert(OTHER_EXPORTERS, other);
        self.exporters_folded += quiet.len() as u64;
        if !quiet.is_empty() {
            tracing::warn!(
                folded = quiet.len(),
                "exporter statistics full: exporters that sent one datagram folded into '::'"
            );
        }
        self.exporters.len() < EXPORTERS_TRACKED
    }

    /// Sum of records over all exporters.
    pub fn total_records(&self) -> u64 {
        self.exporters.values().map(|e| e.records).sum()
    }

    /// Human summary, one line per exporter plus the collector-wide counters.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        if let Some(m) = &self.meter {
            out.push_str(&super::meter::summary(m));
            out.push('\n');
        }
        if let Some(z) = &self.zeek {
            out.push_str(&super::zeek::summary(z));
            out.push('\n');
        }
        let mut busiest: Vec<_> = self.exporters.iter().collect();
        busiest.sort_by_key(|(_, e)| std::cmp::Reverse(e.datagrams));
        if busiest.len() > SUMMARY_EXPORTERS {
            out.push_str(&format!(
                "{} exporters; the {SUMMARY_EXPORTERS} that sent most (all in --stats-json):\n",
                busiest.len()
            ));
            busiest.truncate(SUMMARY_EXPORTERS);
            busiest.sort_by_key(|(addr, _)| **addr);
        }
        for (addr, e) in busiest {
            let errors: u64 = e.decode_errors.values().sum();
            out.push_str(&format!(
                "exporter {addr}: datagrams={} records={} no_addr={} errors={} seq_gaps={} seq_lost={} \
                 held_sets={} replayed_records={} expired_sets={} rows_written={}",
                e.datagrams,
                e.records,
                e.records_without_addresses,
                errors,
                e.sequence_gaps,
                e.sequence_lost,
                e.held_sets,
                e.replayed_records,
                e.expired_sets,
                e.rows_written
            ));
            if errors > 0 {
                let kinds: Vec<String> =
                    e.decode_errors.iter().map(|(k, n)| format!("{}={n}", k.as_str())).collect();
                out.push_str(&format!(" ({})", kinds.join(", ")));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "total: records={} rows_written={} files_written={} rows_recovered={} not_netflow={} malformed={} \
             fragments_incomplete={} not_allowed={} queue_full={} scopes_evicted={} \
             scopes_displaced={} v5_without_scope={} exporters_folded={}",
            self.total_records(),
            self.rows_written,
            self.files_written,
            self.rows_recovered,
            self.packets_not_netflow,
            self.packets_malformed,
            self.fragments_incomplete,
            self.datagrams_not_allowed,
            self.datagrams_queue_full,
            self.scopes_evicted,
            self.scopes_displaced,
            self.v5_without_scope,
            self.exporters_folded
        ));
        if let Some(u) = &self.upload {
            out.push_str(&format!(
                "\nupload: files={} bytes={} failures={} pending={}",
                u.files, u.bytes, u.failures, u.pending
            ));
            if let Some(e) = &u.last_error {
                out.push_str(&format!(" last_error={e}"));
            }
        }
        out
    }
}

impl DecodeTally for CaptureStats {
    fn exporter(&mut self, addr: IpAddr) -> &mut ExporterStats {
        CaptureStats::exporter(self, addr)
    }

    fn scope_dropped(&mut self, idle: bool) {
        if idle {
            self.scopes_evicted += 1;
        } else {
            self.scopes_displaced += 1;
        }
    }

    fn v5_without_scope(&mut self) {
        self.v5_without_scope += 1;
    }
}

impl crate::store::WriteTally for CaptureStats {
    fn file_written(&mut self, rows: u64, per_exporter: &std::collections::HashMap<IpAddr, u64>) {
        self.files_written += 1;
        self.rows_written += rows;
        for (ip, n) in per_exporter {
            self.exporter(*ip).rows_written += n;
        }
    }

    fn rows_recovered(&mut self, rows: u64) {
        self.rows_recovered += rows;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_error_kinds_keep_their_json_names() {
        for k in DecodeErrorKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str(), "{k:?}");
        }
        let mut s = CaptureStats::default();
        s.error("192.0.2.1".parse().unwrap(), DecodeErrorKind::DataSetUndecodable);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["exporters"]["192.0.2.1"]["decode_errors"]["data_set_undecodable"], 1);
        assert!(s.summary().contains("(data_set_undecodable=1)"), "{}", s.summary());
    }

    /// A full statistics table folds the one-datagram exporters into `::` (their counters
    /// summed, nothing lost) and admits the newcomer; a busy exporter that came later stays
    /// listed, and with only busy exporters left the newcomer goes to `::`.
    #[test]
    fn a_full_table_keeps_the_busiest_exporters() {
        let mut s = CaptureStats::default();
        let ip = |i: u32| IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
        for i in 0..EXPORTERS_TRACKED as u32 - 1 {
            let e = s.exporter(ip(i));
            e.datagrams += 1;
            e.records += 2;
        }
        let busy = ip(1_000_000);
        s.exporter(busy).datagrams += 5; // the last free place
        s.exporter(busy).records += 7;
        let late = ip(2_000_000);
        s.exporter(late).datagrams += 3;
        assert_eq!(s.exporters_folded, EXPORTERS_TRACKED as u64 - 1);
        assert_eq!(s.exporters.len(), 3, "busy, late and ::");
        assert_eq!(s.exporters[&busy].records, 7);
        assert_eq!(s.exporters[&OTHER_EXPORTERS].records, 2 * (EXPORTERS_TRACKED as u64 - 1));
        assert_eq!(s.total_records(), 2 * (EXPORTERS_TRACKED as u64 - 1) + 7);
        // Fill again with busy exporters: nothing to fold, a newcomer is counted under `::`.
        for i in 0..EXPORTERS_TRACKED as u32 {
            s.exporter(ip(3_000_000 + i)).datagrams += 2;
        }
        let before = s.exporters[&OTHER_EXPORTERS].datagrams;
        s.exporter(ip(9_000_000)).datagrams += 1;
        assert!(!s.exporters.contains_key(&ip(9_000_000)));
        assert_eq!(s.exporters[&OTHER_EXPORTERS].datagrams, before + 1);
        assert!(s.exporters.len() <= EXPORTERS_TRACKED + 1);
    }
}
