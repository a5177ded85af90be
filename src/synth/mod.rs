//! synth: deterministic synthetic export traffic for benchmarks, sample data and tests.
//!
//! Built so far: background traffic and the exporter side (v5/v9/IPFIX encoding, pcap
//! output). Not built yet (issue 3): pivot scenarios with truth files, `--send`, `--parquet`.

pub mod encode;
pub mod pcap_out;
pub mod traffic;

use std::net::{Ipv4Addr, SocketAddrV4};

use encode::{ExportFormat, Exporter, SynthFlow};
use pcap_out::{PcapWriter, collector};
use traffic::{Traffic, TrafficParams};

use crate::error::Result;

#[derive(Debug, Clone)]
pub struct SynthConfig {
    pub traffic: TrafficParams,
    pub format: ExportFormat,
    pub exporters: u32,
    /// Exporter uptime starts this close (ms) to the 32-bit wrap, to exercise wrap handling.
    pub uptime_before_wrap_ms: Option<u32>,
    /// Flows per export batch (an exporter's flush of its cache).
    pub batch_flows: usize,
}

/// What was written.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SynthSummary {
    pub flows_exported: u64,
    pub flows_skipped_v6_in_v5: u64,
    pub datagrams: u64,
}

/// Generate traffic and write it as export datagrams into a pcap.
pub fn write_pcap(cfg: &SynthConfig, path: &std::path::Path) -> Result<SynthSummary> {
    let mut out = PcapWriter::create(path)?;
    let n = cfg.exporters.max(1) as usize;
    let start = cfg.traffic.start_ms;
    let mut exporters: Vec<Exporter> = (0..n)
        .map(|i| {
            let boot = match cfg.uptime_before_wrap_ms {
                // uptime(start) = 2^32 - before: the clock wraps `before` ms into the capture
                Some(before) => start - (u32::MAX as i64 + 1 - i64::from(before)),
                None => start - 86_400_000 * (i as i64 + 1),
            };
            Exporter::new(cfg.format, boot, i as u32, 20)
        })
        .collect();
    let mut buffers: Vec<Vec<SynthFlow>> = vec![Vec::new(); n];
    let mut summary = SynthSummary::default();
    let flush = |e: &mut Exporter,
                 idx: usize,
                 flows: &mut Vec<SynthFlow>,
                 out: &mut PcapWriter,
                 s: &mut SynthSummary|
     -> Result<()> {
        if flows.is_empty() {
            return Ok(());
        }
        // Exporters flush on whole seconds here: v9 headers carry whole seconds only, and a
        // sub-second export time would shift uptime-derived times (see normalize::time).
        let last_end = flows.iter().map(|f| f.end_ms).max().unwrap_or(start);
        let export_ms = (last_end.div_euclid(1000) + 1) * 1000;
        let (datagrams, skipped) = e.encode(flows, export_ms);
        let from = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 1 + idx as u8), 40_000 + idx as u16);
        let port = match cfg.format {
            ExportFormat::Ipfix => 4739,
            _ => 2055,
        };
        for (k, d) in datagrams.iter().enumerate() {
            out.write_datagram(from, collector(port), export_ms + 1 + k as i64 / 8, d)?;
        }
        s.datagrams += datagrams.len() as u64;
        s.flows_skipped_v6_in_v5 += skipped as u64;
        s.flows_exported += (flows.len() - skipped) as u64;
        flows.clear();
        Ok(())
    };
    for (i, f) in Traffic::new(cfg.traffic.clone()).enumerate() {
        let idx = i % n;
        buffers[idx].push(f);
        if buffers[idx].len() >= cfg.batch_flows {
            flush(&mut exporters[idx], idx, &mut buffers[idx], &mut out, &mut summary)?;
        }
    }
    for idx in 0..n {
        let mut b = std::mem::take(&mut buffers[idx]);
        flush(&mut exporters[idx], idx, &mut b, &mut out, &mut summary)?;
    }
    out.finish()?;
    Ok(summary)
}

/// `pivotflow synth`: validate arguments and write the pcap.
pub fn run_cli(a: &crate::cli::SynthArgs) -> Result<SynthSummary> {
    use crate::error::Error;
    let start_ms = chrono::DateTime::parse_from_rfc3339(&a.start)
        .map_err(|e| Error::config("--start", format!("{:?}: {e}", a.start)))?
        .timestamp_millis();
    let span = humantime::parse_duration(&a.span)
        .map_err(|e| Error::config("--span", format!("{:?}: {e}", a.span)))?;
    let cfg = SynthConfig {
        traffic: TrafficParams {
            flows: a.flows,
            hosts: a.hosts,
            seed: a.seed,
            start_ms,
            span_ms: span.as_millis().max(1) as i64,
            ipv6_share: if a.format == ExportFormat::V5 { 0.0 } else { a.ipv6_share },
        },
        format: a.format,
        exporters: a.exporters,
        uptime_before_wrap_ms: a.uptime_before_wrap_ms,
        batch_flows: 240,
    };
    write_pcap(&cfg, &a.pcap)
}
