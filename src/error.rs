//! Typed errors with the context a human needs (file, byte offset, address, query).

use std::net::SocketAddr;
use std::path::PathBuf;

/// Every error pivotflow reports, with the context a human needs; `exit_code` maps it to the
/// process exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read, written, created or renamed (exit 4).
    #[error("{path}: {source}")]
    Io {
        /// The file or folder (or a named stream such as `<stdout>`).
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },

    /// An input file is neither pcap nor pcapng (exit 3).
    #[error("{path}: not a pcap or pcapng file (unrecognised header)")]
    NotPcap {
        /// The input file.
        path: PathBuf,
    },

    /// A pcap/pcapng file ends in the middle of a block; earlier flows were kept (exit 3).
    #[error(
        "{path}: truncated at byte offset {offset}: {detail}; flows before that point were kept"
    )]
    PcapTruncated {
        /// The input file.
        path: PathBuf,
        /// Byte offset where the file ends early.
        offset: u64,
        /// The reader's words.
        detail: String,
    },

    /// A pcap/pcapng block could not be parsed; earlier flows were kept (exit 3).
    #[error("{path}: corrupt at byte offset {offset}: {detail}; flows before that point were kept")]
    PcapCorrupt {
        /// The input file.
        path: PathBuf,
        /// Byte offset of the bad block.
        offset: u64,
        /// The reader's words.
        detail: String,
    },

    /// A pcap's link layer is not one pivotflow reads (exit 3).
    #[error(
        "{path}: unsupported link type {linktype} (supported: Ethernet, raw IP, Linux SLL/SLL2, loopback)"
    )]
    LinkType {
        /// The input file.
        path: PathBuf,
        /// The pcap link type number.
        linktype: i32,
    },

    /// A Parquet file could not be written or read (exit 4).
    #[error("parquet {path}: {source}")]
    Parquet {
        /// The Parquet file.
        path: PathBuf,
        /// The parquet crate's error.
        source: parquet::errors::ParquetError,
    },

    /// Building or converting Arrow data failed (exit 4).
    #[error("arrow {context}: {source}")]
    Arrow {
        /// What was being built (a column, a table).
        context: String,
        /// The arrow crate's error.
        source: datafusion::arrow::error::ArrowError,
    },

    /// A UDP socket could not be opened (exit 4).
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },

    /// An option or configuration value is invalid (exit 2).
    #[error("invalid {what}: {detail}")]
    Config {
        /// The option (`--skew`, `--config FILE`, …).
        what: String,
        /// What is wrong with it, quoting the value.
        detail: String,
    },

    /// A query failed: SQL error, missing parameter, memory limit (exit 5).
    #[error("query {name}: {detail}")]
    Query {
        /// The query file (`queries/hops.sql`) or `(command line)`.
        name: String,
        /// DataFusion's words.
        detail: String,
    },

    /// Something that should not happen (a bug): exit code 1.
    #[error("internal error: {detail}")]
    Internal {
        /// What happened.
        detail: String,
    },
}

impl Error {
    /// An `Io` error at `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    /// A `Config` error about option `what`.
    pub fn config(what: impl Into<String>, detail: impl Into<String>) -> Self {
        Error::Config { what: what.into(), detail: detail.into() }
    }

    /// An `Arrow` error while building `context`.
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

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
