//! Flows from raw packets (`capture --packets`): a flow meter over pcap/pcapng captures from a
//! tap, SPAN port or sensor, writing the same store as NetFlow capture.
//!
//! ```text
//! file 1 ─ reader thread (frames → Packet) ─┐
//! file 2 ─ reader thread ────────────────────┴─ merge by time ─ FlowTable ─ sink (hourly Parquet)
//! ```
//! Metered records have `flow_version` 0, `exporter_addr` 0.0.0.0, `observation_domain_id` 0
//! and `time_source` `packets` (README, schema).

pub mod packet;
pub mod table;

use std::collections::BinaryHeap;
use std::collections::binary_heap::PeekMut;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, sync_channel};

use packet::{Packet, Parsed};
pub use table::{FlowTable, MeterSettings, MeterStats};

use super::Pipeline;
use crate::error::{Error, Result};
use crate::store::record::FlowRecord;

/// Packets per message from a reader thread.
const CHUNK: usize = 4096;
/// Chunks a reader may be ahead of the merge (bounds memory: 4 × 4096 packets a file).
const CHUNKS_AHEAD: usize = 4;
/// Records handed to the sink at once.
const BATCH_ROWS: usize = 64 * 1024;

/// What a reader thread ends with: its counters and the file's error, if any.
struct ReaderEnd {
    stats: MeterStats,
    error: Option<Error>,
}

/// Read one file on its own thread: parsed packets in chunks, in file order.
fn spawn_reader(path: PathBuf) -> (Receiver<Vec<Packet>>, std::thread::JoinHandle<ReaderEnd>) {
    let (tx, rx) = sync_channel::<Vec<Packet>>(CHUNKS_AHEAD);
    let handle = std::thread::spawn(move || {
        let mut stats = MeterStats::default();
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut unsupported = None;
        let mut closed = false;
        tracing::info!(file = %path.display(), "metering packets");
        let read = crate::capture::source::pcap::read_frames_us(&path, |linktype, frame, ts_us| {
            stats.packets += 1;
            match packet::parse(linktype, frame, ts_us) {
                Parsed::Packet(p) => {
                    stats.packets_snaplen_cut += u64::from(p.cut);
                    stats.packets_fragment += u64::from(p.fragment);
                    chunk.push(p);
                    if chunk.len() == CHUNK && !closed {
                        closed = tx
                            .send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))
                            .is_err();
                    }
                }
                Parsed::NotIp => stats.packets_not_ip += 1,
                Parsed::Truncated => stats.packets_truncated += 1,
                Parsed::UnsupportedLinkType(t) => {
                    stats.packets_truncated += 1;
                    unsupported.get_or_insert(t);
                }
            }
        });
        if !chunk.is_empty() && !closed {
            let _ = tx.send(chunk);
        }
        let error = match (read, unsupported) {
            (Err(e), _) => Some(e),
            (Ok(()), Some(linktype)) => Some(Error::LinkType { path: path.clone(), linktype }),
            (Ok(()), None) => None,
        };
        ReaderEnd { stats, error }
    });
    (rx, handle)
}

/// One file's next packet, for the merge heap (earliest time first, then file order).
struct Head {
    packet: Packet,
    file: usize,
}

impl Head {
    fn order(&self) -> (i64, usize) {
        (self.packet.ts_us, self.file)
    }
}

impl PartialEq for Head {
    fn eq(&self, o: &Self) -> bool {
        self.order() == o.order()
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Head {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.order().cmp(&self.order()) // min-heap
    }
}

/// A file being merged: its channel and the chunk being consumed.
struct Input {
    rx: Receiver<Vec<Packet>>,
    chunk: std::vec::IntoIter<Packet>,
}

impl Input {
    fn next(&mut self) -> Option<Packet> {
        loop {
            if let Some(p) = self.chunk.next() {
                return Some(p);
            }
            self.chunk = self.rx.recv().ok()?.into_iter();
        }
    }
}

/// Meter every packet of `files` (merged by timestamp) into `pipeline`. Returns the counters
/// and the first file error (its good part is metered; the caller exits 3).
pub fn run(
    files: &[PathBuf],
    settings: MeterSettings,
    pipeline: &mut Pipeline,
) -> Result<(MeterStats, Option<Error>)> {
    let mut inputs = Vec::new();
    let mut handles = Vec::new();
    for f in files {
        let (rx, h) = spawn_reader(f.clone());
        inputs.push(Input { rx, chunk: Vec::new().into_iter() });
        handles.push(h);
    }
    // One packet per file in the heap: files stay in their own order, merged by time.
    let mut heads = BinaryHeap::new();
    for (file, input) in inputs.iter_mut().enumerate() {
        if let Some(packet) = input.next() {
            heads.push(Head { packet, file });
        }
    }
    let mut table = FlowTable::new(settings);
    let mut stats = MeterStats::default();
    let mut out: Vec<FlowRecord> = Vec::with_capacity(BATCH_ROWS);
    let mut sink_error = None;
    while let Some(mut head) = heads.peek_mut() {
        table.add(&head.packet, &mut stats, &mut out);
        // The file's next packet takes its place (one sift instead of a pop and a push).
        match inputs[head.file].next() {
            Some(packet) => head.packet = packet,
            None => drop(PeekMut::pop(head)),
        }
        if out.len() >= BATCH_ROWS
            && let Err(e) = pipeline.push_records(&mut out)
        {
            sink_error = Some(e);
            break;
        }
    }
    drop(inputs); // a reader still sending (after a sink error) sees the channel closed
    table.drain(&mut stats, &mut out);
    let mut first_error = None;
    for h in handles {
        let end = h
            .join()
            .map_err(|_| Error::Internal { detail: "packet reader thread panicked".into() })?;
        merge_reader_stats(&mut stats, &end.stats);
        if let Some(e) = end.error {
            tracing::error!("{e}");
            first_error.get_or_insert(e);
        }
    }
    if let Some(e) = sink_error {
        return Err(e);
    }
    pipeline.push_records(&mut out)?;
    Ok((stats, first_error))
}

fn merge_reader_stats(into: &mut MeterStats, r: &MeterStats) {
    into.packets += r.packets;
    into.packets_not_ip += r.packets_not_ip;
    into.packets_truncated += r.packets_truncated;
    into.packets_snaplen_cut += r.packets_snaplen_cut;
    into.packets_fragment += r.packets_fragment;
}

/// One line for the capture summary.
pub fn summary(s: &MeterStats) -> String {
    format!(
        "packets: read={} metered={} not_ip={} truncated={} snaplen_cut={} fragments={} out_of_order={}\n\
         flows: written={} inactive={} active={} tcp_end={} evicted={} end_of_input={}",
        s.packets,
        s.packets_metered,
        s.packets_not_ip,
        s.packets_truncated,
        s.packets_snaplen_cut,
        s.packets_fragment,
        s.packets_out_of_order,
        s.flows(),
        s.flows_inactive,
        s.flows_active,
        s.flows_tcp_end,
        s.flows_evicted,
        s.flows_end_of_input
    )
}
