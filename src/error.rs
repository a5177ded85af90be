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

    /// Lines of a Zeek log that could not be read; every other line was stored (exit 3).
    #[error(
        "{path}: line {line}: {detail}; {bad} bad line(s) in all were skipped (counted as lines_bad), every other line was stored"
    )]
    ZeekLines {
        /// The log (or `-` for stdin).
        path: PathBuf,
        /// The first bad line's number (1-based).
        line: u64,
        /// What is wrong with it.
        detail: String,
        /// Bad lines in all the logs of the run.
        bad: u64,
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

    /// Store files (or history days) that cannot be read (exit 3): `sql` stops; `pivots` and
    /// `report` finish without them and exit with this after writing their outputs.
    #[error("{what}: {} unreadable file(s): {}", .files.len(), .files.join("; "))]
    StoreFiles {
        /// What happened because of them.
        what: String,
        /// `path: why` of each.
        files: Vec<String>,
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
            | Error::LinkType { .. }
            | Error::ZeekLines { .. }
            | Error::StoreFiles { .. } => 3,
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

impl Error {
    /// Output stopped because the reader went away (`pivotflow sql ... | head`): a normal end of
    /// output, not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// The one exit policy: success 0; a closed output pipe 0, quietly; an error is printed on stderr
/// (whatever the log level, `PIVOTFLOW_LOG=off` included) and exits with its code; a panic (a
/// bug) exits 1 after Rust printed it.
pub fn exit_with(run: impl FnOnce() -> Result<std::process::ExitCode>) -> std::process::ExitCode {
    let e = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(Ok(code)) => return code,
        Ok(Err(e)) if e.is_broken_pipe() => return std::process::ExitCode::SUCCESS,
        Ok(Err(e)) => e,
        Err(_) => Error::Internal { detail: "a panic (see above): please report it".into() },
    };
    eprintln!("pivotflow: error: {e}");
    std::process::ExitCode::from(e.exit_code() as u8)
}

#[cfg(test)]
mod tests {
    use std::process::ExitCode;

    use super::*;

    #[test]
    fn every_outcome_has_its_exit_code() {
        assert_eq!(exit_with(|| Ok(ExitCode::SUCCESS)), ExitCode::SUCCESS);
        assert_eq!(exit_with(|| Err(Error::config("--x", "bad"))), ExitCode::from(2));
        let gone = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(exit_with(|| Err(Error::io("<stdout>", gone))), ExitCode::SUCCESS);
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert_eq!(exit_with(|| Err(Error::io("/data/x.parquet", full))), ExitCode::from(4));
        // A bug: the panic is caught (its message printed by the hook) and exits 1.
        assert_eq!(exit_with(|| panic!("on purpose")), ExitCode::from(1));
    }
}
