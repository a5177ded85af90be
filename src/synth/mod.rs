//! synth: deterministic synthetic export traffic for benchmarks, sample data and tests.
//!
//! The network (`network`, `rhythm`): workstations, servers, domain controllers, jump hosts and
//! admin stations with a day/night rhythm. What happens on it: background traffic (`traffic`),
//! legitimate admin work through jump hosts (`admin`), injected pivot chains and decoys with
//! ground truth (`scenario`), each connection reported per direction and cut by the active
//! timeout (`session`). The exporter side (`encode`, `export`): v5/v9/IPFIX encoding,
//! several exporters with duplicates, template schedule, loss and reordering. Outputs: pcap,
//! UDP at a rate, or Parquet straight into a flow store.

pub mod admin;
pub mod attacks;
pub mod config;
pub mod days;
pub mod encode;
pub mod export;
pub mod network;
pub mod pcap_out;
pub mod rhythm;
pub mod routines;
pub mod scenario;
pub mod session;
pub mod store_out;
pub mod stream;
pub mod traffic;

pub use config::{ExporterBehaviour, SynthConfig, config_from_args};
pub use export::{DatagramOut, UdpSender, export, write_pcap};
pub use store_out::{write_store, write_store_from};
pub use stream::{assign_exporters, exported, flows, merge_by_end};

use crate::error::Result;

/// What was written.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SynthSummary {
    /// Records handed to the network (duplicates included, lost datagrams' records included).
    pub flows_exported: u64,
    pub flows_skipped_v6_in_v5: u64,
    pub datagrams: u64,
    /// Of those, dropped on the way by `--loss` (datagrams and the records in them).
    pub datagrams_lost: u64,
    pub flows_lost: u64,
    /// Datagrams sent after their successor by `--reorder`.
    pub datagrams_reordered: u64,
    /// Records sent by a second exporter too (`--duplicates`).
    pub flows_duplicated: u64,
}

impl SynthSummary {
    /// One line for the terminal.
    pub fn describe(&self, to_store: bool) -> String {
        if to_store {
            return format!(
                "{} flows written to the flow store ({} of them duplicates from a second exporter)",
                self.flows_exported, self.flows_duplicated
            );
        }
        let mut s = format!("{} flows in {} datagrams", self.flows_exported, self.datagrams);
        for (n, what) in [
            (self.flows_duplicated, "flows sent by a second exporter too"),
            (self.flows_skipped_v6_in_v5, "IPv6 flows skipped (v5 cannot carry them)"),
            (self.datagrams_lost, "datagrams lost on purpose"),
            (self.flows_lost, "flows in lost datagrams"),
            (self.datagrams_reordered, "datagrams reordered"),
        ] {
            if n > 0 {
                s += &format!("; {n} {what}");
            }
        }
        s
    }
}

/// `pivotflow synth`: validate arguments, write the truth file, then the pcap / store / UDP.
pub fn run_cli(a: &crate::cli::SynthArgs) -> Result<SynthSummary> {
    use crate::error::Error;
    let cfg = config_from_args(a)?;
    if let (Some(days), Some(dir)) = (a.days, &a.parquet) {
        if days == 0 {
            return Err(Error::config("--days", "must be at least 1"));
        }
        let (summary, truth) = days::write(&cfg, days, a.attacks_from.max(1), dir)?;
        if let Some(path) = &a.truth {
            let json = serde_json::to_string_pretty(&truth).expect("truth serializes") + "\n";
            std::fs::write(path, json).map_err(|e| Error::io(path, e))?;
        }
        return Ok(summary);
    }
    if let Some(path) = &a.truth {
        let truth = flows(&cfg).1;
        let json = serde_json::to_string_pretty(&truth).expect("truth serializes") + "\n";
        std::fs::write(path, json).map_err(|e| Error::io(path, e))?;
    }
    match (&a.pcap, &a.parquet, a.send) {
        (Some(pcap), _, _) => write_pcap(&cfg, pcap),
        (None, Some(dir), _) => write_store(&cfg, dir),
        (None, None, Some(target)) => export(&cfg, &mut UdpSender::new(target, a.rate)?),
        (None, None, None) => {
            Err(Error::config("synth", "give --pcap FILE, --parquet DIR or --send ADDR:PORT"))
        }
    }
}
