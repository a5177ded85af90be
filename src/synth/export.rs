//! Export: records encoded per exporter into datagrams, through a lossy/reordering path
//! (`ExportPath`), to a pcap file or a live collector over UDP.

use std::net::{Ipv4Addr, SocketAddrV4};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::encode::{ExportFormat, Exporter, SynthFlow};
use super::pcap_out::{PcapWriter, collector};

use super::stream::exported;
use super::{SynthConfig, SynthSummary};
use crate::error::Result;

/// Generate traffic and write it as export datagrams into a pcap.
pub fn write_pcap(cfg: &SynthConfig, path: &std::path::Path) -> Result<SynthSummary> {
    let mut out = PcapWriter::create(path)?;
    let summary = export(cfg, &mut out)?;
    out.finish()?;
    Ok(summary)
}

/// Where encoded export datagrams go: a pcap file, or a live collector over UDP.
pub trait DatagramOut {
    /// Emit one datagram `from` an exporter `to` the collector at `ts_ms` (pcap timestamp).
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
    /// A sender to `target` pacing to `rate` flows/s (0 = as fast as possible).
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

/// The network between exporters and collector: loses and reorders datagrams as configured
/// (seeded, so a run is repeatable) and keeps count.
struct ExportPath {
    rng: ChaCha8Rng,
    loss: f64,
    reorder: f64,
    /// Per exporter: a datagram held back to be sent after the next one.
    held: Vec<Option<(i64, Vec<u8>, usize)>>,
    datagrams_lost: u64,
    flows_lost: u64,
    datagrams_reordered: u64,
}

impl ExportPath {
    fn send(
        &mut self,
        out: &mut dyn DatagramOut,
        idx: usize,
        (from, to): (SocketAddrV4, SocketAddrV4),
        ts_ms: i64,
        d: Vec<u8>,
        flows: usize,
    ) -> Result<()> {
        if self.loss > 0.0 && self.rng.random_bool(self.loss) {
            self.datagrams_lost += 1;
            self.flows_lost += flows as u64;
            return Ok(());
        }
        if self.reorder > 0.0 && self.held[idx].is_none() && self.rng.random_bool(self.reorder) {
            self.held[idx] = Some((ts_ms, d, flows));
            self.datagrams_reordered += 1;
            return Ok(());
        }
        out.send(from, to, ts_ms, &d, flows)?;
        if let Some((_, late, late_flows)) = self.held[idx].take() {
            out.send(from, to, ts_ms, &late, late_flows)?;
        }
        Ok(())
    }

    fn finish(
        &mut self,
        out: &mut dyn DatagramOut,
        idx: usize,
        ends: (SocketAddrV4, SocketAddrV4),
    ) -> Result<()> {
        if let Some((ts, late, flows)) = self.held[idx].take() {
            out.send(ends.0, ends.1, ts, &late, flows)?;
        }
        Ok(())
    }
}

/// The `n` exporters of `cfg`, each booted so that its uptime clock does what the behaviour
/// asks (wraps `uptime_before_wrap_ms` into the capture, else a day per exporter before it).
fn exporters(cfg: &SynthConfig, n: usize) -> Vec<Exporter> {
    let (start, b) = (cfg.traffic.start_ms, &cfg.behaviour);
    (0..n)
        .map(|i| {
            let boot = match b.uptime_before_wrap_ms {
                // uptime(start) = 2^32 - before: the clock wraps `before` ms into the capture
                Some(before) => start - (u32::MAX as i64 + 1 - i64::from(before)),
                None => start - 86_400_000 * (i as i64 + 1),
            };
            let mut e = Exporter::new(cfg.format, boot, i as u32, b.template_every);
            e.template_interval_ms = b.template_interval_ms;
            e.first_template_after = b.first_template_after;
            e
        })
        .collect()
}

/// Generate traffic, encode it per exporter and hand every datagram to `out`.
pub fn export(cfg: &SynthConfig, out: &mut dyn DatagramOut) -> Result<SynthSummary> {
    let n = cfg.exporters.max(1) as usize;
    let start = cfg.traffic.start_ms;
    let b = &cfg.behaviour;
    let mut exporters = exporters(cfg, n);
    let port = match cfg.format {
        ExportFormat::Ipfix => 4739,
        _ => 2055,
    };
    let ends = |idx: usize| {
        (
            SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 1 + idx as u8), 40_000 + idx as u16),
            collector(port),
        )
    };
    let mut path = ExportPath {
        rng: ChaCha8Rng::seed_from_u64(cfg.traffic.seed ^ 0x10_55),
        loss: b.loss.clamp(0.0, 1.0),
        reorder: b.reorder.clamp(0.0, 1.0),
        held: vec![None; n],
        datagrams_lost: 0,
        flows_lost: 0,
        datagrams_reordered: 0,
    };
    let mut buffers: Vec<Vec<SynthFlow>> = vec![Vec::new(); n];
    let mut summary = SynthSummary::default();
    let mut flush = |e: &mut Exporter,
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
        s.datagrams += datagrams.len() as u64;
        s.flows_skipped_v6_in_v5 += skipped as u64;
        s.flows_exported += (flows.len() - skipped) as u64;
        for (k, (d, count)) in datagrams.into_iter().enumerate() {
            path.send(out, idx, ends(idx), export_ms + 1 + k as i64 / 8, d, count)?;
        }
        flows.clear();
        Ok(())
    };
    let progress = crate::progress::bar(cfg.traffic.flows, "synth");
    for (i, (idx, duplicate, f)) in exported(cfg).enumerate() {
        if i % 65_536 == 0 {
            progress.set_position(i as u64);
        }
        summary.flows_duplicated += u64::from(duplicate);
        buffers[idx].push(f);
        if buffers[idx].len() >= cfg.batch_flows {
            flush(&mut exporters[idx], idx, &mut buffers[idx], out, &mut summary)?;
        }
    }
    for idx in 0..n {
        let mut b = std::mem::take(&mut buffers[idx]);
        flush(&mut exporters[idx], idx, &mut b, out, &mut summary)?;
    }
    for idx in 0..n {
        path.finish(out, idx, ends(idx))?;
    }
    summary.datagrams_lost = path.datagrams_lost;
    summary.flows_lost = path.flows_lost;
    summary.datagrams_reordered = path.datagrams_reordered;
    progress.finish_and_clear();
    Ok(summary)
}
