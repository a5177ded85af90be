//! pivotflow: find network pivots (lateral movement chains) in NetFlow v5/v9/IPFIX data.
//!
//! Data flow:
//! ```text
//! capture  source (UDP socket | pcap file) → Datagram → decode (netflow_parser, scoped per
//!          exporter + observation domain) → normalize (FlowRecord, absolute UTC)
//!          → store (journal + hourly Parquet: <data>/date=YYYY-MM-DD/hour=HH/*.parquet)
//! sql      store → DataFusion (flows table, sessions view, queries/*.sql)
//! pivot    sql → hops → chains (petgraph) → score against history → GraphML / JSON / summary
//! synth    a synthetic network → export datagrams (pcap, UDP) or the store directly
//! ```
//! Arrows go one way: main → cli → config → modes (capture, sql, pivot, synth) → store → schema.
//! Modules: `cli` (raw arguments), `config` (validated settings), `error` (typed errors, exit
//! codes), `schema` (the one flow schema), `services` (the admin services), `store` (the flow
//! store on disk), `capture` (the collector), `sql` (DataFusion SQL over the store), `pivot`
//! (chains, alerts, reports), `synth` (synthetic traffic), `progress` (terminal progress).

#![warn(missing_docs)]

pub mod capture;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod error;
pub mod inventory;
pub mod pivot;
pub mod progress;
pub mod schema;
pub mod services;
pub mod sql;
pub mod store;
pub mod synth;
