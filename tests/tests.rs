//! The one integration test binary (each extra binary would link DataFusion again).

mod support;

mod admin_layout;
mod alerts;
mod bad_input;
#[cfg(feature = "cluster")]
mod cluster;
mod damaged_store;
mod decode_patches;
mod disk;
mod events;
mod fuzz;
mod golden_decode;
mod hostile;
mod html_report;
mod incidents;
mod inventory;
mod leases;
mod live_capture;
mod lookback;
mod packets_capture;
mod pcapng_input;
mod pivots_lab;
mod pivots_sample;
mod readme;
mod report_crash;
mod s3_store;
mod sessions_native;
mod sql_fixture;
mod sql_golden;
mod synth_roundtrip;
mod synth_tshark;
mod timezone;
mod zeek;
