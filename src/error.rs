//! Typed errors with the context a human needs (file, byte offset, address, query).

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },

    #[error("{path}: not a pcap or pcapng file (unrecognised header)")]
    NotPcap { path: PathBuf },

    #[error(
        "{path}: truncated at byte offset {offset}: {detail}; flows before that point were kept"
    )]
    PcapTruncated { path: PathBuf, offset: u64, detail: String },

    #[error("{path}: corrupt at byte offset {offset}: {detail}; flows before that point were kept")]
    PcapCorrupt { path: PathBuf, offset: u64, detail: String },

    #[error(
        "{path}: unsupported link type {linktype} (supported: Ethernet, raw IP, Linux SLL/SLL2, loopback)"
    )]
    LinkType { path: PathBuf, linktype: i32 },

    #[error("parquet {path}: {source}")]
    Parquet { path: PathBuf, source: parquet::errors::ParquetError },

    #[error("arrow {context}: {source}")]
    Arrow { context: String, source: datafusion::arrow::error::ArrowError },

    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },

    #[error("invalid {what}: {detail}")]
    Config { what: String, detail: String },

    #[error("query {name}: {detail}")]
    Query { name: String, detail: String },

    /// Something that should not happen (a bug): exit code 1.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub fn config(what: impl Into<String>, detail: impl Into<String>) -> Self {
        Error::Config { what: what.into(), detail: detail.into() }
    }

    pub fn arrow(context: impl Into<String>, source: datafusion::arrow::error::ArrowError) -> Self {
        Error::Arrow { context: context.into(), source }
    }

    /// Process exit code for this error (documented in `--help`).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Internal { .. } => 1,
            Error::Config { .. } => 2,
            Error::NotPcap { .. }
            | Error::PcapTruncated { .. }
            | Error::PcapCorrupt { .. }
            | Error::LinkType { .. } => 3,
            Error::Io { .. }
            | Error::Parquet { .. }
            | Error::Arrow { .. }
            | Error::Listen { .. } => 4,
            Error::Query { .. } => 5,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
