//! synth: deterministic synthetic export traffic for benchmarks, sample data and tests.
//!
//! The network (`network`, `rhythm`): workstations, servers, domain controllers, jump hosts and
//! admin stations with a day/night rhythm. What happens on it: background traffic (`traffic`),
//! legitimate admin work through jump hosts (`admin`), injected pivot chains and decoys with
//! ground truth (`scenario`), each connection reported per direction and cut by the active
//! timeout (`session`). The exporter side (`encode`, and `export` here): v5/v9/IPFIX encoding,
//! several exporters with duplicates, template schedule, loss and reordering. Outputs: pcap,
//! UDP at a rate, or Parquet straight into a flow store.

pub mod admin;
pub mod attacks;
pub mod days;
pub mod encode;
pub mod network;
pub mod pcap_out;
pub mod rhythm;
pub mod routines;
pub mod scenario;
pub mod session;
pub mod traffic;

use std::net::{Ipv4Addr, SocketAddrV4};

use encode::{ExportFormat, Exporter, SynthFlow};
use pcap_out::{PcapWriter, collector};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use traffic::{Traffic, TrafficParams};

use crate::error::Result;

/// How the simulated exporters behave (the defaults are a well-behaved exporter).
#[derive(Debug, Clone)]
pub struct ExporterBehaviour {
    /// Exporter uptime starts this close (ms) to the 32-bit wrap, to exercise wrap handling.
    pub uptime_before_wrap_ms: Option<u32>,
    /// Active timeout: connections longer than this are reported in several records.
    pub active_timeout_ms: i64,
    /// Share of records also exported by a second exporter (a flow crossing two devices).
    pub duplicates: f64,
    /// Share of export datagrams lost on the way (sequence numbers still advance).
    pub loss: f64,
    /// Share of export datagrams that arrive after the next one of the same exporter.
    pub reorder: f64,
    /// Template refresh: every N datagrams, and/or every `template_interval_ms` (0 = off).
    pub template_every: u32,
    pub template_interval_ms: i64,
    /// Data datagrams each exporter sends before its first template.
    pub first_template_after: u32,
}

impl Default for ExporterBehaviour {
    fn default() -> Self {
        ExporterBehaviour {
            uptime_before_wrap_ms: None,
            active_timeout_ms: 30 * 60_000,
            duplicates: 0.0,
            loss: 0.0,
            reorder: 0.0,
            template_every: 20,
            template_interval_ms: 0,
            first_template_after: 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SynthConfig {
    pub traffic: TrafficParams,
    pub format: ExportFormat,
    pub exporters: u32,
    pub behaviour: ExporterBehaviour,
    /// Flows per export batch (an exporter's flush of its cache).
    pub batch_flows: usize,
    /// Injected pivot chains (0 = none); decoys and a cycle come with them.
    pub chains: usize,
    pub admin: admin::AdminParams,
}

/// Every generated record in end-time order: background, admin work and the injected
/// scenario merged; plus the ground truth.
pub fn flows(cfg: &SynthConfig) -> (Box<dyn Iterator<Item = SynthFlow>>, scenario::Truth) {
    let t = &cfg.traffic;
    let background = Traffic::new(t.clone());
    let timeout = cfg.behaviour.active_timeout_ms;
    let admin = admin::build(t.seed, t.hosts, t.start_ms, t.span_ms, timeout, cfg.admin);
    let (injected, mut truth) = if cfg.chains > 0 {
        scenario::build(t.seed, cfg.chains, t.start_ms, t.span_ms, timeout)
    } else {
        (Vec::new(), scenario::Truth::default())
    };
    truth.benign = admin.chains;
    truth.trusted = network::TRUSTED_CIDRS.iter().map(|c| c.to_string()).collect();
    let mut extra = admin.flows;
    extra.extend(injected);
    extra.sort_by_key(|f| f.end_ms);
    (Box::new(merge_by_end(Box::new(background), extra)), truth)
}

/// Background records and `extra` (sorted by end) merged in end-time order.
pub fn merge_by_end(
    background: Box<dyn Iterator<Item = SynthFlow>>,
    extra: Vec<SynthFlow>,
) -> impl Iterator<Item = SynthFlow> {
    let mut background = background.peekable();
    let mut extra = extra.into_iter().peekable();
    std::iter::from_fn(move || match (background.peek(), extra.peek()) {
        (Some(b), Some(i)) if i.end_ms < b.end_ms => extra.next(),
        (Some(_), _) => background.next(),
        (None, _) => extra.next(),
    })
}

/// Every record as the exporters send it: `(exporter index, is a duplicate, record)`, round
/// robin over the exporters, and a `duplicates` share sent by the next exporter too.
pub fn exported(cfg: &SynthConfig) -> impl Iterator<Item = (usize, bool, SynthFlow)> {
    assign_exporters(cfg, flows(cfg).0)
}

/// `flows` as the exporters of `cfg` send them (see `exported`).
pub fn assign_exporters(
    cfg: &SynthConfig,
    flows: impl Iterator<Item = SynthFlow>,
) -> impl Iterator<Item = (usize, bool, SynthFlow)> {
    let n = cfg.exporters.max(1) as usize;
    let share = if n > 1 { cfg.behaviour.duplicates.clamp(0.0, 1.0) } else { 0.0 };
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.traffic.seed ^ 0xd0_b1e5);
    flows.enumerate().flat_map(move |(i, f)| {
        let idx = i % n;
        let dup = (share > 0.0 && rng.random_bool(share)).then(|| ((idx + 1) % n, true, f.clone()));
        std::iter::once((idx, false, f)).chain(dup)
    })
}

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

/// The network between exporters and collector: loses and reorders datagrams as configured
/// (seeded, so a run is repeatable) and keeps count.
struct Path {
    rng: ChaCha8Rng,
    loss: f64,
    reorder: f64,
    /// Per exporter: a datagram held back to be sent after the next one.
    held: Vec<Option<(i64, Vec<u8>, usize)>>,
    datagrams_lost: u64,
    flows_lost: u64,
    datagrams_reordered: u64,
}

impl Path {
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

/// Generate traffic, encode it per exporter and hand every datagram to `out`.
pub fn export(cfg: &SynthConfig, out: &mut dyn DatagramOut) -> Result<SynthSummary> {
    let n = cfg.exporters.max(1) as usize;
    let start = cfg.traffic.start_ms;
    let b = &cfg.behaviour;
    let mut exporters: Vec<Exporter> = (0..n)
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
        .collect();
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
    let mut path = Path {
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

/// Options a `--scenario` preset fills in when the command line does not.
#[derive(Debug, Clone, Copy)]
struct Preset {
    flows: u64,
    hosts: u32,
    exporters: u32,
    seed: u64,
    start: &'static str,
    span: &'static str,
    chains: usize,
    duplicates: f64,
    first_template_after: u32,
}

const DEFAULTS: Preset = Preset {
    flows: 10_000,
    hosts: 20_000,
    exporters: 2,
    seed: 1,
    start: "2026-11-27T10:00:00Z",
    span: "50m",
    chains: 0,
    duplicates: 0.0,
    first_template_after: 0,
};

fn preset(s: Option<crate::cli::SynthScenario>) -> Preset {
    match s {
        None => DEFAULTS,
        Some(crate::cli::SynthScenario::Sample) => Preset {
            flows: 2000,
            hosts: 300,
            exporters: 2,
            seed: 7,
            start: "2026-11-27T10:00:00Z",
            span: "70m",
            chains: 3,
            duplicates: 0.05,
            first_template_after: 2,
        },
    }
}

fn share(name: &str, v: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(crate::error::Error::config(name, format!("{v} is not a share between 0 and 1")))
    }
}

fn duration_ms(name: &str, text: &str) -> Result<i64> {
    humantime::parse_duration(text)
        .map(|d| d.as_millis() as i64)
        .map_err(|e| crate::error::Error::config(name, format!("{text:?}: {e}")))
}

/// The generator configuration `synth` options describe (a `--scenario` preset filled in).
pub fn config_from_args(a: &crate::cli::SynthArgs) -> Result<SynthConfig> {
    use crate::error::Error;
    let p = preset(a.scenario);
    let start = match (&a.start, a.days) {
        (Some(s), _) => s.as_str(),
        (None, Some(_)) => "2026-11-02T00:00:00Z",
        (None, None) => p.start,
    };
    let start_ms = chrono::DateTime::parse_from_rfc3339(start)
        .map_err(|e| Error::config("--start", format!("{start:?}: {e}")))?
        .timestamp_millis();
    let span_ms = duration_ms("--span", a.span.as_deref().unwrap_or(p.span))?.max(1);
    if a.parquet.is_some() && (a.loss > 0.0 || a.reorder > 0.0) {
        return Err(Error::config(
            "--loss/--reorder",
            "they act on export datagrams; --parquet writes flows without any (use --pcap or --send)",
        ));
    }
    let cfg = SynthConfig {
        traffic: TrafficParams {
            flows: a.flows.unwrap_or(p.flows),
            hosts: a.hosts.unwrap_or(p.hosts),
            seed: a.seed.unwrap_or(p.seed),
            start_ms,
            span_ms,
            ipv6_share: if a.format == ExportFormat::V5 {
                0.0
            } else {
                share("--ipv6-share", a.ipv6_share)?
            },
        },
        format: a.format,
        exporters: a.exporters.unwrap_or(p.exporters),
        behaviour: ExporterBehaviour {
            uptime_before_wrap_ms: a.uptime_before_wrap_ms,
            active_timeout_ms: duration_ms("--active-timeout", &a.active_timeout)?,
            duplicates: share("--duplicates", a.duplicates.unwrap_or(p.duplicates))?,
            loss: share("--loss", a.loss)?,
            reorder: share("--reorder", a.reorder)?,
            template_every: a.template_every.max(1),
            template_interval_ms: match &a.template_interval {
                Some(t) => duration_ms("--template-interval", t)?,
                None => 0,
            },
            first_template_after: a.first_template_after.unwrap_or(p.first_template_after),
        },
        batch_flows: 240,
        chains: a.chains.unwrap_or(p.chains),
        admin: admin::AdminParams {
            episodes_per_admin_hour: a.admin_rate,
            jump_hosts: a.jump_hosts,
        },
    };
    Ok(cfg)
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

/// Generate traffic and write it directly as a flow store (no export encoding): what
/// `capture` would have stored, with absolute times and arrival 1 s after each flow ends.
pub fn write_store(cfg: &SynthConfig, root: &std::path::Path) -> Result<SynthSummary> {
    write_store_from(cfg, exported(cfg), root)
}

/// Write `records` (exporter index, duplicate, record; in end-time order) as a flow store.
pub fn write_store_from(
    cfg: &SynthConfig,
    records: impl Iterator<Item = (usize, bool, SynthFlow)>,
    root: &std::path::Path,
) -> Result<SynthSummary> {
    use crate::store::parquet_file::WriterSettings;
    use crate::store::partition::HourPartition;
    use crate::store::record::{FlowRecord, TimeSource};
    use crate::store::sink::{HourlySink, SinkSettings};
    let settings = SinkSettings {
        root: root.to_path_buf(),
        writer: WriterSettings::default(),
        journal: false,
        max_rows_per_file: 2_000_000,
    };
    std::fs::create_dir_all(root).map_err(|e| crate::error::Error::io(root, e))?;
    let mut sink = HourlySink::new(settings).with_background_writer()?;
    let mut stats = crate::store::Totals::default();
    let version: u16 = match cfg.format {
        ExportFormat::V5 => 5,
        ExportFormat::V9 => 9,
        ExportFormat::Ipfix => 10,
    };
    let mut chunk = Vec::with_capacity(64 * 1024);
    let mut summary = SynthSummary::default();
    let progress = crate::progress::bar(cfg.traffic.flows, "synth");
    for (i, (e, duplicate, f)) in records.enumerate() {
        if i % 65_536 == 0 {
            progress.set_position(i as u64);
        }
        let e = e as u32;
        summary.flows_duplicated += u64::from(duplicate);
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
