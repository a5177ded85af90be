//! Capture statistics: per-exporter counters and collector-wide drops, printed and saved as JSON.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

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
    pub decode_errors: BTreeMap<String, u64>,
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
    pub replayed_records: u64,
    /// Held data sets dropped (too old, or over the count/byte bounds) without a template.
    pub expired_sets: u64,
    pub expired_bytes: u64,
    /// Rows of this exporter written to Parquet.
    pub rows_written: u64,
}

/// Everything a capture run counts.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct CaptureStats {
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
    pub rows_written: u64,
    /// Rows recovered from the journal of an earlier run that did not shut down cleanly.
    pub rows_recovered: u64,
}

impl CaptureStats {
    pub fn exporter(&mut self, addr: IpAddr) -> &mut ExporterStats {
        self.exporters.entry(addr).or_default()
    }

    pub fn count_error(&mut self, addr: IpAddr, kind: &str) {
        *self.exporter(addr).decode_errors.entry(kind.to_string()).or_default() += 1;
    }

    /// Sum of records over all exporters.
    pub fn total_records(&self) -> u64 {
        self.exporters.values().map(|e| e.records).sum()
    }

    /// Human summary, one line per exporter plus the collector-wide counters.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for (addr, e) in &self.exporters {
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
                out.push_str(&format!(" ({:?})", e.decode_errors));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "total: records={} rows_written={} files_written={} rows_recovered={} not_netflow={} malformed={} \
             fragments_incomplete={} not_allowed={} queue_full={}",
            self.total_records(),
            self.rows_written,
            self.files_written,
            self.rows_recovered,
            self.packets_not_netflow,
            self.packets_malformed,
            self.fragments_incomplete,
            self.datagrams_not_allowed,
            self.datagrams_queue_full
        ));
        out
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
