//! The collector's validated settings (built from its arguments by `config::capture`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;

use super::decode::hold::HoldLimits;
use crate::store::parquet_file::WriterSettings;

/// Where export datagrams come from.
#[derive(Debug, Clone)]
pub enum Source {
    Pcap(Vec<PathBuf>),
    Udp(Vec<SocketAddr>),
}

#[derive(Debug, Clone)]
pub struct CaptureConfig {
    pub source: Source,
    pub data: PathBuf,
    /// pcap mode: only UDP datagrams to these destination ports (empty = any port).
    pub ports: Vec<u16>,
    /// Exporters allowed to send (empty = everyone).
    pub allow: Vec<IpNet>,
    pub hold: HoldLimits,
    pub flush_interval: Duration,
    pub stats_interval: Duration,
    pub stats_json: Option<PathBuf>,
    pub writer: WriterSettings,
    pub max_rows_per_file: usize,
    /// Live mode: an hour's file is written this long after the hour ends (late datagrams).
    pub close_grace: Duration,
    pub recv_buffer_bytes: usize,
    pub queue_datagrams: usize,
    /// Live mode: delete day folders older than this (checked at start and hourly).
    pub retention: Option<Duration>,
}
