//! The generator's pcaps decode to exactly the records it says it exported: all formats,
//! several exporters with duplicates, uptime wrapping during the capture, data before the
//! first template, reordered datagrams; and with loss, exactly the lost records are missing
//! and the collector's sequence accounting says how many.

use pivotflow::synth::encode::{ExportFormat, SynthFlow};
use pivotflow::synth::traffic::TrafficParams;
use pivotflow::synth::{ExporterBehaviour, SynthConfig, exported, write_pcap};

use crate::support::{Captured, capture_pcaps, tempdir};

type Key = (String, String, i32, i32, i32, i64, i64, i64, i64);

fn config(format: ExportFormat, behaviour: ExporterBehaviour) -> SynthConfig {
    SynthConfig {
        traffic: TrafficParams {
            flows: 3000,
            hosts: 500,
            seed: 42,
            start_ms: 1_795_820_000_000,
            span_ms: 20 * 60_000,
            ipv6_share: if format == ExportFormat::V5 { 0.0 } else { 0.2 },
        },
        format,
        exporters: 3,
        behaviour,
        batch_flows: 100,
        chains: 2,
        admin: Default::default(),
    }
}

fn key(f: &SynthFlow) -> Key {
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
}

fn decoded(cap: &Captured) -> Vec<Key> {
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
    ours.sort();
    ours
}

#[test]
fn generated_pcaps_decode_to_the_generated_flows() {
    for format in [ExportFormat::V5, ExportFormat::V9, ExportFormat::Ipfix] {
        let cfg = config(
            format,
            ExporterBehaviour {
                uptime_before_wrap_ms: Some(5 * 60_000),
                duplicates: 0.1,
                reorder: 0.05,
                first_template_after: 3,
                template_interval_ms: 60_000,
                ..ExporterBehaviour::default()
            },
        );
        let dir = tempdir(&format!("synth-{format:?}"));
        let pcap = dir.join("x.pcap");
        let summary = write_pcap(&cfg, &pcap).unwrap();
        let generated: Vec<_> = exported(&cfg).collect();
        assert!(generated.len() > 3300, "background, admin work, injected scenario, duplicates");
        assert_eq!(summary.flows_exported, generated.len() as u64);
        let duplicates = generated.iter().filter(|g| g.1).count() as u64;
        assert!(duplicates > 200 && duplicates == summary.flows_duplicated, "{duplicates}");
        assert!(summary.datagrams_reordered > 0);
        let cap = capture_pcaps(&format!("synth-cap-{format:?}"), &[&pcap]);
        let ours = decoded(&cap);
        let mut truth: Vec<Key> = generated.iter().map(|(_, _, f)| key(f)).collect();
        truth.sort();
        assert_eq!(ours.len(), truth.len(), "{format:?}");
        assert!(ours == truth, "{format:?}: decoded flows differ from generated ones");
        // Reordering is not loss.
        assert_eq!(cap.exporter_total("sequence_lost"), 0, "{format:?}");
        assert_eq!(cap.exporter_total("sequence_gaps"), 0, "{format:?}");
        assert!(cap.exporter_total("sequence_reordered") > 0, "{format:?}");
        if format != ExportFormat::V5 {
            assert!(cap.exporter_total("held_sets") > 0, "{format:?}: data before templates");
        }
        assert_eq!(cap.stats["exporters"].as_object().unwrap().len(), 3);
    }
}

#[test]
fn lost_datagrams_are_exactly_the_missing_records_and_sequence_numbers_say_so() {
    for format in [ExportFormat::V5, ExportFormat::V9, ExportFormat::Ipfix] {
        let cfg = config(format, ExporterBehaviour { loss: 0.05, ..ExporterBehaviour::default() });
        let dir = tempdir(&format!("synth-loss-{format:?}"));
        let pcap = dir.join("x.pcap");
        let summary = write_pcap(&cfg, &pcap).unwrap();
        assert!(summary.datagrams_lost > 0, "{format:?}");
        let cap = capture_pcaps(&format!("synth-loss-cap-{format:?}"), &[&pcap]);
        assert_eq!(
            cap.rows.len() as u64,
            summary.flows_exported - summary.flows_lost,
            "{format:?}: every record of a delivered datagram decodes"
        );
        // v5 and IPFIX count records, v9 counts datagrams.
        let want = match format {
            ExportFormat::V9 => summary.datagrams_lost,
            _ => summary.flows_lost,
        };
        assert_eq!(cap.exporter_total("sequence_lost"), want, "{format:?}");
    }
}

#[test]
fn shipped_sample_pcaps_regenerate_byte_for_byte_and_decode_to_the_exported_records() {
    use clap::Parser;
    use pivotflow::cli::{Cli, Command};
    let sample = |name: &str| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(name)
    };
    // The same options as scripts/gen-sample-data.sh.
    for (format, extra) in
        [("v5", None), ("v9", Some("--uptime-before-wrap-ms=300000")), ("ipfix", None)]
    {
        let dir = tempdir(&format!("sample-regen-{format}"));
        let regenerated = dir.join("x.pcap");
        let mut args =
            vec!["pivotflow", "synth", "--scenario", "sample", "--format", format, "--pcap"];
        args.push(regenerated.to_str().unwrap());
        args.extend(extra);
        let Command::Synth(a) = Cli::try_parse_from(&args).unwrap().command else {
            panic!("parsed as synth")
        };
        let cfg = pivotflow::config::synth::config_from_args(&a).unwrap();
        write_pcap(&cfg, &regenerated).unwrap();
        let shipped = sample(&format!("{format}.pcap"));
        assert!(
            std::fs::read(&regenerated).unwrap() == std::fs::read(&shipped).unwrap(),
            "{format}: sample-data is stale; run scripts/gen-sample-data.sh"
        );
        let cap = capture_pcaps(&format!("sample-cap-{format}"), &[&shipped]);
        let mut want: Vec<Key> = exported(&cfg).map(|(_, _, f)| key(&f)).collect();
        want.sort();
        assert!(decoded(&cap) == want, "{format}: captured rows differ from the exported records");
    }
}
