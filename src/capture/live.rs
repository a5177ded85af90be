//! Live collection: UDP sockets (`source::udp`) → bounded queue → decoder thread, until
//! SIGINT/SIGTERM. The decoder thread journals every `flush_interval`, writes an hour's
//! Parquet file `close_grace` after the hour ends, writes the stats every `stats_interval`
//! and applies `--retention` on the flush timer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;

use super::source::Datagram;
use super::source::udp::{bind, now_ms, receive};
use super::stats::CaptureStats;
use super::{CaptureConfig, Pipeline};
use crate::error::{Error, Result};

/// Decoder thread: drain the queue, flush on a timer, finish when the queue closes.
fn decode_loop(
    mut pipeline: Pipeline,
    rx: Receiver<Datagram>,
    full: Arc<AtomicU64>,
) -> Result<CaptureStats> {
    let flush_every = pipeline.config.flush_interval;
    let stats_every = pipeline.config.stats_interval;
    let grace_ms = pipeline.config.close_grace.as_millis() as i64;
    let mut next_flush = Instant::now() + flush_every;
    let mut next_stats = Instant::now() + stats_every;
    let mut next_retention = Instant::now();
    loop {
        let timeout = next_flush.saturating_duration_since(Instant::now());
        match rx.recv_timeout(timeout) {
            Ok(dg) => pipeline.process(&dg)?,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if Instant::now() >= next_flush {
            pipeline.stats.datagrams_queue_full = full.load(Ordering::Relaxed);
            pipeline.flush(Some(now_ms() - grace_ms))?;
            next_flush = Instant::now() + flush_every;
            // Retention rides on the flush timer: nothing extra per datagram.
            if let Some(keep) = pipeline.config.retention
                && Instant::now() >= next_retention
            {
                let cutoff = now_ms() - keep.as_millis() as i64;
                pipeline.stats.days_deleted +=
                    crate::store::retention::delete_days_before(&pipeline.config.data, cutoff)?;
                next_retention = Instant::now() + Duration::from_secs(3600);
            }
        }
        if !stats_every.is_zero() && Instant::now() >= next_stats {
            tracing::info!("stats:\n{}", pipeline.stats.summary());
            pipeline.write_stats_json()?;
            next_stats = Instant::now() + stats_every;
        }
    }
    pipeline.stats.datagrams_queue_full = full.load(Ordering::Relaxed);
    pipeline.finish()?;
    Ok(pipeline.stats)
}

/// SIGINT and SIGTERM handlers. Installed *before* the collector says it is listening, so a
/// service manager (or a test) that signals right after startup gets a clean shutdown, not
/// the default action that would kill the process with unwritten flows.
struct Shutdown {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Shutdown {
    fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Shutdown {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    async fn wait(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

/// Run the live collector until SIGINT or SIGTERM, then write everything. If the decoder stops
/// first (a write error: disk full, journal not writable; or a bug), the sockets close and its
/// error is returned, so the process exits non-zero and a service manager can restart it.
pub fn run_live(config: CaptureConfig, addrs: &[SocketAddr]) -> Result<CaptureStats> {
    let sockets =
        addrs.iter().map(|a| bind(*a, config.recv_buffer_bytes)).collect::<Result<Vec<_>>>()?;
    let (tx, rx) = sync_channel::<Datagram>(config.queue_datagrams);
    let full = Arc::new(AtomicU64::new(0));
    let pipeline = Pipeline::new(config, true)?;
    // Dropped when the decoder thread ends, however it ends (error or panic): the sockets must
    // not keep receiving into nothing while the process looks alive.
    let (decoder_alive, decoder_ended) = tokio::sync::oneshot::channel::<()>();
    let decoder = {
        let full = full.clone();
        std::thread::Builder::new()
            .name("pivotflow-decode".into())
            .spawn(move || {
                let _alive = decoder_alive;
                decode_loop(pipeline, rx, full)
            })
            .map_err(|e| Error::io("decoder thread", e))?
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("tokio runtime", e))?;
    runtime.block_on(async {
        let mut shutdown = Shutdown::install().map_err(|e| Error::io("signal handlers", e))?;
        let mut tasks = Vec::new();
        for (socket, addr) in sockets.into_iter().zip(addrs) {
            let socket = UdpSocket::from_std(socket)
                .map_err(|e| Error::Listen { addr: *addr, source: e })?;
            tracing::info!(%addr, "listening");
            tasks.push(tokio::spawn(receive(socket, tx.clone(), full.clone())));
        }
        drop(tx);
        tokio::select! {
            _ = shutdown.wait() => tracing::info!("shutting down: writing buffered flows"),
            _ = decoder_ended => tracing::error!("the decoder stopped: closing the sockets"),
        }
        for t in &tasks {
            t.abort();
        }
        for t in tasks {
            let _ = t.await;
        }
        Ok::<(), Error>(())
    })?;
    drop(runtime);
    decoder.join().map_err(|_| Error::Internal { detail: "the decoder thread panicked".into() })?
}
