//! The generator's pcaps decode to exactly the flows it generated (all formats, several
//! exporters, exporter uptime wrapping during the capture).

use pivotflow::synth::encode::ExportFormat;
use pivotflow::synth::traffic::TrafficParams;
use pivotflow::synth::{SynthConfig, flows, write_pcap};

use crate::support::{capture_pcaps, tempdir};

type Key = (String, String, i32, i32, i32, i64, i64, i64, i64);

#[test]
fn generated_pcaps_decode_to_the_generated_flows() {
    for format in [ExportFormat::V5, ExportFormat::V9, ExportFormat::Ipfix] {
        let traffic = TrafficParams {
            flows: 3000,
            hosts: 500,
            seed: 42,
            start_ms: 1_795_820_000_000,
            span_ms: 20 * 60_000,
            ipv6_share: if format == ExportFormat::V5 { 0.0 } else { 0.2 },
        };
        let cfg = SynthConfig {
            traffic: traffic.clone(),
            format,
            exporters: 3,
            uptime_before_wrap_ms: Some(5 * 60_000),
            batch_flows: 100,
            chains: 2,
        };
        let dir = tempdir(&format!("synth-{format:?}"));
        let pcap = dir.join("x.pcap");
        let summary = write_pcap(&cfg, &pcap).unwrap();
        let generated: Vec<_> = flows(&cfg).0.collect();
        assert!(generated.len() > 3000, "background plus injected scenario flows");
        assert_eq!(summary.flows_exported, generated.len() as u64);
        let cap = capture_pcaps(&format!("synth-cap-{format:?}"), &[&pcap]);
        let mut ours: Vec<Key> = cap
            .rows
            .iter()
            .map(|r| {
                (
                    r.src_addr.clone(),
                    r.dst_addr.clone(),
                    r.src_port,
                    r.dst_port,
                    r.proto,
                    r.packets,
                    r.bytes,
                    r.first_ms,
                    r.last_ms,
                )
            })
            .collect();
        let mut truth: Vec<Key> = generated
            .into_iter()
            .map(|f| {
                (
                    f.src.to_string(),
                    f.dst.to_string(),
                    i32::from(f.src_port),
                    i32::from(f.dst_port),
                    i32::from(f.proto),
                    i64::from(f.packets),
                    i64::from(f.bytes),
                    f.start_ms,
                    f.end_ms,
                )
            })
            .collect();
        ours.sort();
        truth.sort();
        assert_eq!(ours.len(), truth.len(), "{format:?}");
        assert!(ours == truth, "{format:?}: decoded flows differ from generated ones");
        assert_eq!(cap.exporter_total("sequence_gaps"), 0, "{format:?}");
        assert_eq!(cap.stats["exporters"].as_object().unwrap().len(), 3);
    }
}
