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
pub mod events;
pub mod export;
pub mod network;
pub mod packets_out;
pub mod pcap_out;
pub mod rhythm;
pub mod routines;
pub mod scenario;
pub mod session;
pub mod store_out;
pub mod stream;
pub mod traffic;

pub use config::{ExporterBehaviour, SynthConfig};
pub use export::{DatagramOut, UdpSender, export, write_pcap};
pub use store_out::{write_store, write_store_from};
pub use stream::{assign_exporters, exported, flows, merge_by_end};

use crate::error::Result;

/// What was written.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SynthSummary {
    /// Records handed to the network (duplicates included, lost datagrams' records included).
    pub flows_exported: u64,
    /// IPv6 records left out of a v5 export (v5 carries IPv4 only).
    pub flows_skipped_v6_in_v5: u64,
    /// Export datagrams built (`--packets`: packets written).
    pub datagrams: u64,
    /// Of those, dropped on the way by `--loss` (datagrams and the records in them).
    pub datagrams_lost: u64,
    /// Records in those lost datagrams.
    pub flows_lost: u64,
    /// Datagrams sent after their successor by `--reorder`.
    pub datagrams_reordered: u64,
    /// Records sent by a second exporter too (`--duplicates`).
    pub flows_duplicated: u64,
}

impl SynthSummary {
    /// One line for the terminal.
    pub fn describe(&self, output: &SynthOutput) -> String {
        match output {
            SynthOutput::Store(_) => {
                return format!(
                    "{} flows written to the flow store ({} of them duplicates from a second exporter)",
                    self.flows_exported, self.flows_duplicated
                );
            }
            SynthOutput::Packets(_) => {
                return format!(
                    "{} flow records as {} packets",
                    self.flows_exported, self.datagrams
                );
            }
            SynthOutput::Pcap(_) | SynthOutput::Send(..) => {}
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

/// Where `synth` writes.
#[derive(Debug, Clone)]
pub enum SynthOutput {
    /// Export datagrams into a pcap file.
    Pcap(std::path::PathBuf),
    /// Flow records straight into a flow store (no export encoding).
    Store(std::path::PathBuf),
    /// A live collector, at a rate in flows per second (0 = as fast as possible).
    Send(std::net::SocketAddr, u64),
    /// The traffic's raw packets into a pcap file (what a tap would capture).
    Packets(std::path::PathBuf),
}

/// `pivotflow synth`, validated.
#[derive(Debug, Clone)]
pub struct SynthRun {
    /// What to generate.
    pub cfg: SynthConfig,
    /// Where it goes.
    pub output: SynthOutput,
    /// `--truth FILE`: the ground truth as JSON.
    pub truth: Option<std::path::PathBuf>,
    /// `--days N` (into a store): days, first day with attacks, network shape.
    pub days: Option<days::DaysPlan>,
}

/// `pivotflow synth`: write the truth file, then the pcap / store / UDP.
pub fn run(r: &SynthRun) -> Result<SynthSummary> {
    use crate::error::Error;
    let cfg = &r.cfg;
    let write_truth = |json: String| match &r.truth {
        Some(path) => std::fs::write(path, json + "\n").map_err(|e| Error::io(path, e)),
        None => Ok(()),
    };
    if let (Some(plan), SynthOutput::Store(dir)) = (r.days, &r.output) {
        let (summary, truth) = days::write(cfg, plan, dir)?;
        write_truth(serde_json::to_string_pretty(&truth).expect("truth serializes"))?;
        return Ok(summary);
    }
    if r.truth.is_some() {
        write_truth(serde_json::to_string_pretty(&flows(cfg).1).expect("truth serializes"))?;
    }
    match &r.output {
        SynthOutput::Pcap(pcap) => write_pcap(cfg, pcap),
        SynthOutput::Store(dir) => write_store(cfg, dir),
        SynthOutput::Send(target, rate) => export(cfg, &mut UdpSender::new(*target, *rate)?),
        SynthOutput::Packets(path) => packets_out::write_packets(cfg, path),
    }
}
