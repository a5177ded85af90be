//! pivotflow: find network pivots (lateral movement chains) in NetFlow v5/v9/IPFIX data.
//!
//! Data flow:
//! ```text
//! capture  UDP socket | pcap file → Datagram → decode (netflow_parser, scoped per exporter
//!          + observation domain) → normalize (FlowRecord, absolute UTC) → batch (Arrow)
//!          → sink (journal + hourly Parquet: <data>/date=YYYY-MM-DD/hour=HH/*.parquet)
//! ```
//! Modules: `cli` (raw arguments), `config` (validated settings), `error`, `schema` (the one
//! flow schema), `capture` (the collector), `synth` (synthetic export traffic), `sql` (DataFusion SQL over the store), `pivot` (chains → GraphML/JSON,
//! nightly reports).

pub mod capture;
pub mod cli;
pub mod config;
pub mod error;
pub mod fsutil;
pub mod pivot;
pub mod progress;
pub mod schema;
pub mod services;
pub mod sql;
pub mod synth;
