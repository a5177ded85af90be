//! synth: deterministic synthetic export traffic for benchmarks, sample data and tests.
//!
//! Built so far: background traffic, injected pivot scenarios with truth (`scenario`), the
//! exporter side (v5/v9/IPFIX encoding), pcap and flow-store output. Not built yet (issue 3):
//! `--send`, jump-host admin work, duplicate exporters, loss/reordering.

pub mod encode;
pub mod pcap_out;
pub mod scenario;
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
    /// Injected pivot chains (0 = background only); decoys and a cycle come with them.
    pub chains: usize,
}

/// Background traffic merged (by flow end) with the injected scenario flows.
pub fn flows(cfg: &SynthConfig) -> (Box<dyn Iterator<Item = SynthFlow>>, scenario::Truth) {
    let background = Traffic::new(cfg.traffic.clone());
    if cfg.chains == 0 {
        return (Box::new(background), scenario::Truth::default());
    }
    let (injected, truth) =
        scenario::build(cfg.traffic.seed, cfg.chains, cfg.traffic.start_ms, cfg.traffic.span_ms);
    let mut background = background.peekable();
    let mut injected = injected.into_iter().peekable();
    let merged = std::iter::from_fn(move || match (background.peek(), injected.peek()) {
        (Some(b), Some(i)) if i.end_ms < b.end_ms => injected.next(),
        (Some(_), _) => background.next(),
        (None, _) => injected.next(),
    });
    (Box::new(merged), truth)
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
    let summary = export(cfg, &mut out)?;
    out.finish()?;
    Ok(summary)
}

/// Where encoded export datagrams go: a pcap file, or a live collector over UDP.
pub trait DatagramOut {
    fn send(
        &mut self,
        from: SocketAddrV4,
        to: SocketAddrV4,
        ts_ms: i64,
        payload: &[u8],
        flows: usize,
    ) -> Result<()>;
}

impl DatagramOut for PcapWriter {
    fn send(
        &mut self,
        from: SocketAddrV4,
        to: SocketAddrV4,
        ts_ms: i64,
        payload: &[u8],
        _flows: usize,
    ) -> Result<()> {
        self.write_datagram(from, to, ts_ms, payload)
    }
}

/// Sends datagrams to a collector at a target rate (flows per second; 0 = as fast as possible).
/// Every simulated exporter sends from the same local socket; the collector tells them apart
/// by their observation domain / source id.
pub struct UdpSender {
    socket: std::net::UdpSocket,
    target: std::net::SocketAddr,
    rate: u64,
    started: std::time::Instant,
    flows_sent: u64,
}

impl UdpSender {
    pub fn new(target: std::net::SocketAddr, rate: u64) -> Result<Self> {
        let bind: std::net::SocketAddr = if target.is_ipv6() {
            "[::]:0".parse().expect("literal")
        } else {
            "0.0.0.0:0".parse().expect("literal")
        };
        let socket = std::net::UdpSocket::bind(bind)
            .map_err(|e| crate::error::Error::Listen { addr: bind, source: e })?;
        Ok(UdpSender { socket, target, rate, started: std::time::Instant::now(), flows_sent: 0 })
    }
}

impl DatagramOut for UdpSender {
    fn send(
        &mut self,
        _from: SocketAddrV4,
        _to: SocketAddrV4,
        _ts_ms: i64,
        payload: &[u8],
        flows: usize,
    ) -> Result<()> {
        if self.rate > 0 {
            // Pace by flows: sleep until this datagram's flows are due.
            let due = std::time::Duration::from_secs_f64(self.flows_sent as f64 / self.rate as f64);
            if let Some(wait) = due.checked_sub(self.started.elapsed()) {
                std::thread::sleep(wait);
            }
        }
        self.socket
            .send_to(payload, self.target)
            .map_err(|e| crate::error::Error::io(format!("send to {}", self.target), e))?;
        self.flows_sent += flows as u64;
        Ok(())
    }
}

/// Generate traffic, encode it per exporter and hand every datagram to `out`.
pub fn export(cfg: &SynthConfig, out: &mut dyn DatagramOut) -> Result<SynthSummary> {
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
                 out: &mut dyn DatagramOut,
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
        // Flows per datagram, for pacing: spread evenly.
        let per = (flows.len() - skipped).div_ceil(datagrams.len().max(1));
        for (k, d) in datagrams.iter().enumerate() {
            out.send(from, collector(port), export_ms + 1 + k as i64 / 8, d, per)?;
        }
        s.datagrams += datagrams.len() as u64;
        s.flows_skipped_v6_in_v5 += skipped as u64;
        s.flows_exported += (flows.len() - skipped) as u64;
        flows.clear();
        Ok(())
    };
    let progress = crate::progress::bar(cfg.traffic.flows, "synth");
    for (i, f) in flows(cfg).0.enumerate() {
        if i % 65_536 == 0 {
            progress.set_position(i as u64);
        }
        let idx = i % n;
        buffers[idx].push(f);
        if buffers[idx].len() >= cfg.batch_flows {
            flush(&mut exporters[idx], idx, &mut buffers[idx], out, &mut summary)?;
        }
    }
    for idx in 0..n {
        let mut b = std::mem::take(&mut buffers[idx]);
        flush(&mut exporters[idx], idx, &mut b, out, &mut summary)?;
    }
    progress.finish_and_clear();
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
        chains: a.chains,
    };
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

/// Generate traffic and write it directly as a flow store (no export encoding): what
/// `capture` would have stored, with absolute times and arrival 1 s after each flow ends.
pub fn write_store(cfg: &SynthConfig, root: &std::path::Path) -> Result<SynthSummary> {
    use crate::capture::normalize::{FlowRecord, TimeSource};
    use crate::capture::parquet_file::WriterSettings;
    use crate::capture::partition::HourPartition;
    use crate::capture::sink::{HourlySink, SinkSettings};
    use crate::capture::stats::CaptureStats;
    let settings = SinkSettings {
        root: root.to_path_buf(),
        writer: WriterSettings::default(),
        journal: false,
        max_rows_per_file: 2_000_000,
        batch_rows: 64 * 1024,
    };
    std::fs::create_dir_all(root).map_err(|e| crate::error::Error::io(root, e))?;
    let mut sink = HourlySink::new(settings);
    let mut stats = CaptureStats::default();
    let n = cfg.exporters.max(1);
    let version: u16 = match cfg.format {
        ExportFormat::V5 => 5,
        ExportFormat::V9 => 9,
        ExportFormat::Ipfix => 10,
    };
    let mut chunk = Vec::with_capacity(64 * 1024);
    let mut summary = SynthSummary::default();
    let progress = crate::progress::bar(cfg.traffic.flows, "synth");
    for (i, f) in flows(cfg).0.enumerate() {
        if i % 65_536 == 0 {
            progress.set_position(i as u64);
        }
        let e = (i as u32) % n;
        chunk.push(FlowRecord {
            received_ms: f.end_ms + 1000,
            flow_start_ms: f.start_ms,
            flow_end_ms: f.end_ms,
            time_source: TimeSource::Absolute,
            exporter_addr: std::net::IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1 + e as u8)),
            observation_domain_id: e,
            flow_version: version,
            src_addr: f.src,
            dst_addr: f.dst,
            src_port: f.src_port,
            dst_port: f.dst_port,
            proto: f.proto,
            tcp_flags: u16::from(f.tcp_flags),
            packets: u64::from(f.packets),
            bytes: u64::from(f.bytes),
            in_if: Some(u32::from(f.in_if)),
            out_if: Some(u32::from(f.out_if)),
            sampling_interval: None,
            tos: Some(f.tos),
        });
        summary.flows_exported += 1;
        if chunk.len() == chunk.capacity() {
            // Flows come in arrival order: every hour before this chunk's first arrival is done.
            let first = HourPartition::of(chunk[0].received_ms).start_ms;
            sink.push(&mut chunk)?;
            chunk.reserve(64 * 1024);
            sink.close_hours_before(first, &mut stats)?;
            sink.write_full_hours(&mut stats)?;
        }
    }
    sink.push(&mut chunk)?;
    sink.close_all(&mut stats)?;
    progress.finish_and_clear();
    Ok(summary)
}
