//! The collector's validated settings (built from its arguments by `config::capture`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;

use super::decode::ScopeLimits;
use super::decode::hold::HoldLimits;
use crate::store::parquet_file::WriterSettings;

/// Where export datagrams come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// pcap/pcapng files, read in order.
    Pcap(Vec<PathBuf>),
    /// UDP sockets to listen on.
    Udp(Vec<SocketAddr>),
    /// Raw packet captures to meter flows from (merged by packet time).
    Packets(Vec<PathBuf>, super::meter::MeterSettings),
    /// Zeek conn logs (TSV or JSON lines, plain or gzip; `-` is stdin), read in order.
    Zeek(Vec<PathBuf>),
}

/// `pivotflow capture`, validated.
#[derive(Debug, Clone)]
pub struct CaptureConfig {
    /// Where export datagrams come from.
    pub source: Source,
    /// Root of the flow store.
    pub data: PathBuf,
    /// pcap mode: only UDP datagrams to these destination ports (empty = any port).
    pub ports: Vec<u16>,
    /// Exporters allowed to send (empty = everyone).
    pub allow: Vec<IpNet>,
    /// Bounds on data held while waiting for templates.
    pub hold: HoldLimits,
    /// Bounds on per-scope decoder state (scopes, templates, template fields).
    pub scopes: ScopeLimits,
    /// Live mode: how often received flows are journaled (the most a crash loses).
    pub flush_interval: Duration,
    /// Live mode: how often the statistics are logged.
    pub stats_interval: Duration,
    /// Where the statistics JSON is written, if anywhere.
    pub stats_json: Option<PathBuf>,
    /// `--upload`: the object store prefix finished hour files are copied to.
    pub upload: Option<PathBuf>,
    /// Parquet writer settings.
    pub writer: WriterSettings,
    /// An hour with more rows is written as several files.
    pub max_rows_per_file: usize,
    /// Ports of the admin layout written next to every hour file (`None`: `--no-admin-layout`).
    pub admin: Option<crate::store::admin::AdminPorts>,
    /// Live mode: an hour's file is written this long after the hour ends (late datagrams).
    pub close_grace: Duration,
    /// Live mode: socket receive buffer asked of the kernel.
    pub recv_buffer_bytes: usize,
    /// Live mode: datagrams queued between sockets and decoder before drops.
    pub queue_datagrams: usize,
    /// Live mode: delete day folders older than this (checked at start and hourly).
    pub retention: Option<Duration>,
}
