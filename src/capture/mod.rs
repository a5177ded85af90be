//! capture: export datagrams (UDP sockets or pcap files) → decode → normalize → hourly Parquet;
//! raw packets (`meter`) and Zeek conn logs (`zeek`) feed the same sink.
//!
//! ```text
//! pcap file ─ frames (link/IP/UDP, reassembly) ─┐
//! UDP sockets (tokio) ──────────────────────────┴─ Datagram ─ decode ─ normalize ─ sink (journal, Parquet)
//! ```
//! This module is the only one that knows every stage; each stage takes and returns plain data.

pub mod decode;
pub mod live;
pub mod meter;
pub mod normalize;
pub mod settings;
pub mod source;
pub mod stats;
pub mod zeek;

use std::io::Write;
use std::path::Path;

use crate::store::sink::{HourlySink, SinkSettings};
use decode::Decoder;
use source::frames::{FrameDecoder, FrameOutcome};
use source::{Datagram, sniff_header};
use stats::CaptureStats;

use crate::error::{Error, Result};
pub use settings::{CaptureConfig, Source};

/// Records decoded before they are handed to the sink.
const BATCH_ROWS: usize = 64 * 1024;

/// Decoder + sink + counters: everything after a datagram has been received.
pub struct Pipeline {
    config: CaptureConfig,
    decoder: Decoder,
    sink: HourlySink,
    /// Counters of this run (written as the stats JSON).
    pub stats: CaptureStats,
    records: Vec<normalize::FlowRecord>,
    /// `--upload`: the thread copying finished hours to the object store.
    upload: Option<crate::store::upload::Uploader>,
}

impl Pipeline {
    /// A pipeline writing into `config.data`; `journal` makes every flush durable (live mode).
    pub fn new(config: CaptureConfig, journal: bool) -> Result<Self> {
        let settings = SinkSettings {
            root: config.data.clone(),
            writer: config.writer,
            journal,
            max_rows_per_file: config.max_rows_per_file,
            admin: config.admin.clone(),
        };
        // A store that cannot be written is found now, not at the first flush: a read-only
        // mount, a folder owned by someone else (exit 4 before any socket is opened).
        let mut writable = vec![config.data.clone()];
        if journal {
            writable.push(config.data.join(crate::store::journal::JOURNAL_DIR));
        }
        for dir in &writable {
            let probe = dir.join(".pivotflow-write-probe");
            std::fs::create_dir_all(dir)
                .and_then(|_| std::fs::write(&probe, b""))
                .and_then(|_| std::fs::remove_file(&probe))
                .map_err(|e| Error::io(dir, e))?;
        }
        let mut stats = CaptureStats::default();
        let recovered = crate::store::sink::recover_journal(&settings, &mut stats)?;
        if recovered > 0 {
            tracing::warn!(
                rows = recovered,
                "recovered flows journaled by a run that did not shut down cleanly"
            );
        }
        let upload = match &config.upload {
            Some(dest) => {
                crate::store::objects::check_store(dest)?; // credentials, endpoint, bucket: now
                Some(crate::store::upload::Uploader::spawn(config.data.clone(), dest.clone())?)
            }
            None => None,
        };
        Ok(Pipeline {
            upload,
            decoder: Decoder::new(config.hold, config.scopes),
            sink: HourlySink::new(settings).with_background_writer()?,
            stats,
            records: Vec::with_capacity(BATCH_ROWS),
            config,
        })
    }

    /// Decode one datagram and buffer its flows.
    pub fn process(&mut self, dg: &Datagram) -> Result<()> {
        if !self.config.exporter_allowed(dg.exporter.ip()) {
            self.stats.datagrams_not_allowed += 1;
            return Ok(());
        }
        self.decoder.decode(dg, &mut self.stats, &mut self.records);
        if self.records.len() >= BATCH_ROWS {
            self.sink.push(&mut self.records)?;
            self.records.reserve(BATCH_ROWS);
            self.sink.write_full_hours(&mut self.stats)?;
        }
        Ok(())
    }

    /// Hand records made elsewhere (the packet meter) to the sink.
    pub fn push_records(&mut self, records: &mut Vec<normalize::FlowRecord>) -> Result<()> {
        self.sink.push(records)?;
        self.sink.write_full_hours(&mut self.stats)
    }

    /// Make buffered flows durable (journal) and write hours that ended before `cutoff_ms`.
    pub fn flush(&mut self, cutoff_ms: Option<i64>) -> Result<()> {
        self.sink.push(&mut self.records)?;
        self.sink.flush(&mut self.stats)?;
        if let Some(cutoff) = cutoff_ms {
            self.sink.close_hours_before(cutoff, &mut self.stats)?;
        }
        if let Some(u) = &mut self.upload {
            u.wake_after(self.stats.files_written);
            self.stats.upload = Some(u.stats());
        }
        Ok(())
    }

    /// End of input: expire held data, write every hour.
    pub fn finish(&mut self) -> Result<()> {
        self.decoder.finish(&mut self.stats);
        self.sink.push(&mut self.records)?;
        self.sink.close_all(&mut self.stats)?;
        let uploaded = match self.upload.as_mut() {
            Some(u) => Some(u.finish()?),
            None => None,
        };
        self.stats.upload = uploaded.clone();
        self.write_stats_json()?;
        match uploaded {
            Some(u) if u.pending > 0 => Err(Error::io(
                self.config.upload.clone().unwrap_or_default(),
                std::io::Error::other(format!(
                    "{} file(s) not uploaded (kept in the local store; the next run with --upload copies them): {}",
                    u.pending,
                    u.last_error.unwrap_or_default()
                )),
            )),
            _ => Ok(()),
        }
    }

    /// Write the counters to `--stats-json`, if given (atomically).
    pub fn write_stats_json(&self) -> Result<()> {
        let Some(path) = &self.config.stats_json else { return Ok(()) };
        let mut stats = self.stats.clone();
        stats.peak_rss_kib = peak_rss_kib();
        let json = serde_json::to_string_pretty(&stats).expect("stats serialize");
        crate::store::atomic::write_atomic(path, |w| {
            writeln!(w, "{json}").map_err(|e| Error::io(path, e))
        })
    }
}

/// This process's peak resident memory so far (`VmHWM` of /proc/self/status, KiB; Linux).
/// Unlike a parent's `wait4` figure it never includes the memory of the process that started
/// it (Linux records the parent's peak for a child started with `posix_spawn`).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run a capture to completion (pcap) or until SIGINT/SIGTERM (UDP). Returns the statistics
/// and the first input error, if a pcap file was corrupt (its good part is written).
pub fn run(config: CaptureConfig) -> Result<(CaptureStats, Option<Error>)> {
    match config.source.clone() {
        Source::Pcap(files) => run_pcap(config, &files),
        Source::Udp(addrs) => live::run_live(config, &addrs).map(|s| (s, None)),
        Source::Packets(files, settings) => run_reader(
            config,
            |p| meter::run(&files, settings, p),
            |stats, m| stats.meter = Some(m),
        ),
        Source::Zeek(files) => {
            run_reader(config, |p| zeek::run(&files, p), |stats, z| stats.zeek = Some(z))
        }
    }
}

/// Run a reader that feeds the pipeline itself (the packet meter, the Zeek reader) and keeps its
/// own counters (`keep` files them in the statistics). Trouble that stops the reader (output, an
/// unreadable file) still writes what was read, then fails; its input errors come back with
/// the statistics.
fn run_reader<S>(
    config: CaptureConfig,
    read: impl FnOnce(&mut Pipeline) -> Result<(S, Option<Error>)>,
    keep: impl FnOnce(&mut CaptureStats, S),
) -> Result<(CaptureStats, Option<Error>)> {
    let mut pipeline = Pipeline::new(config, false)?;
    let (counters, input_error) = match read(&mut pipeline) {
        Ok(r) => r,
        Err(e) => {
            let _ = pipeline.finish();
            return Err(e);
        }
    };
    keep(&mut pipeline.stats, counters);
    pipeline.finish()?;
    Ok((pipeline.stats, input_error))
}

fn run_pcap(
    config: CaptureConfig,
    files: &[std::path::PathBuf],
) -> Result<(CaptureStats, Option<Error>)> {
    let ports = config.ports.clone();
    let mut pipeline = Pipeline::new(config, false)?;
    let mut first_error = None;
    for path in files {
        if let Err(e) = read_pcap_file(path, &ports, &mut pipeline) {
            tracing::error!("{e}");
            if matches!(e, Error::Io { .. } | Error::Parquet { .. } | Error::Arrow { .. }) {
                // Output trouble: nothing sensible to continue with.
                pipeline.finish()?;
                return Err(e);
            }
            first_error.get_or_insert(e);
        }
    }
    pipeline.finish()?;
    Ok((pipeline.stats, first_error))
}

/// Feed every export datagram of one pcap file into the pipeline.
fn read_pcap_file(path: &Path, ports: &[u16], pipeline: &mut Pipeline) -> Result<()> {
    let mut frames = FrameDecoder::default();
    let mut sink_error = None;
    let mut unsupported_linktype = None;
    tracing::info!(file = %path.display(), "reading");
    let read = source::pcap::read_frames(path, |linktype, frame, ts_ms| {
        if sink_error.is_some() {
            return;
        }
        match frames.decode(linktype, frame, ts_ms) {
            FrameOutcome::Udp(udp) => {
                let wanted = ports.is_empty() || ports.contains(&udp.dst_port);
                if !wanted || sniff_header(&udp.payload).is_none() {
                    pipeline.stats.packets_not_netflow += 1;
                    return;
                }
                let dg = Datagram { exporter: udp.src, received_ms: ts_ms, payload: udp.payload };
                if let Err(e) = pipeline.process(&dg) {
                    sink_error = Some(e);
                }
            }
            FrameOutcome::FragmentHeld => {}
            FrameOutcome::NotUdp => pipeline.stats.packets_not_netflow += 1,
            FrameOutcome::Malformed(why) => {
                pipeline.stats.packets_malformed += 1;
                tracing::debug!(file = %path.display(), "malformed frame: {why}");
            }
            FrameOutcome::UnsupportedLinkType(t) => {
                pipeline.stats.packets_malformed += 1;
                unsupported_linktype.get_or_insert(t);
            }
        }
    });
    frames.finish();
    pipeline.stats.fragments_incomplete += frames.fragments_abandoned;
    if let Some(e) = sink_error {
        return Err(e);
    }
    read?;
    if let Some(linktype) = unsupported_linktype {
        return Err(Error::LinkType { path: path.to_path_buf(), linktype });
    }
    Ok(())
}
