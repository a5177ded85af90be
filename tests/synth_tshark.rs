//! The generator's v9 and IPFIX output decodes the same in an independent decoder: tshark
//! (apt-get install tshark; `.ci/run` installs it) sees every generated flow with the same
//! addresses, ports, protocol, counters and start times.

use std::collections::BTreeMap;
use std::process::Command;

use pivotflow::synth::encode::ExportFormat;
use pivotflow::synth::traffic::TrafficParams;
use pivotflow::synth::{ExporterBehaviour, SynthConfig, flows, write_pcap};

use crate::support::tempdir;

const START: i64 = 1_795_820_000_000;

fn multiset<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeMap<T, usize> {
    let mut m = BTreeMap::new();
    for i in items {
        *m.entry(i).or_default() += 1;
    }
    m
}

/// Every value of each field over the whole capture, as tshark prints them.
fn tshark_fields(pcap: &std::path::Path, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new("tshark");
    cmd.args([
        "-r",
        pcap.to_str().unwrap(),
        "-d",
        "udp.port==2055,cflow",
        "-d",
        "udp.port==4739,cflow",
    ]);
    cmd.args(["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=;"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("tshark is required for this test: apt-get install tshark");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut cols = vec![Vec::new(); fields.len()];
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        for (i, cell) in line.split('\t').enumerate() {
            cols[i].extend(cell.split(';').filter(|v| !v.is_empty()).map(str::to_string));
        }
    }
    cols
}

#[test]
fn tshark_decodes_generated_v9_and_ipfix_identically() {
    for format in [ExportFormat::V9, ExportFormat::Ipfix] {
        let cfg = SynthConfig {
            traffic: TrafficParams {
                flows: 500,
                hosts: 200,
                seed: 3,
                start_ms: START,
                span_ms: 600_000,
                ipv6_share: 0.2,
            },
            format,
            exporters: 1,
            behaviour: ExporterBehaviour::default(),
            batch_flows: 100,
            chains: 2,
            admin: Default::default(),
        };
        let dir = tempdir(&format!("tshark-{format:?}"));
        let pcap = dir.join("x.pcap");
        write_pcap(&cfg, &pcap).unwrap();
        let generated: Vec<_> = flows(&cfg).0.collect();
        let time_field =
            if format == ExportFormat::Ipfix { "cflow.abstimestart" } else { "cflow.timestart" };
        let f = tshark_fields(
            &pcap,
            &[
                "cflow.srcaddr",
                "cflow.srcaddrv6",
                "cflow.dstaddr",
                "cflow.dstaddrv6",
                "cflow.srcport",
                "cflow.dstport",
                "cflow.protocol",
                "cflow.packets",
                "cflow.octets",
                time_field,
            ],
        );
        let src: Vec<String> = f[0].iter().chain(&f[1]).cloned().collect();
        let dst: Vec<String> = f[2].iter().chain(&f[3]).cloned().collect();
        assert_eq!(src.len(), generated.len(), "{format:?}: record count");
        assert_eq!(
            multiset(src),
            multiset(generated.iter().map(|g| g.src.to_string())),
            "{format:?} src"
        );
        assert_eq!(
            multiset(dst),
            multiset(generated.iter().map(|g| g.dst.to_string())),
            "{format:?} dst"
        );
        let nums = |i: usize| multiset(f[i].iter().map(|v| v.parse::<u64>().unwrap()));
        assert_eq!(
            nums(4),
            multiset(generated.iter().map(|g| u64::from(g.src_port))),
            "{format:?} sport"
        );
        assert_eq!(
            nums(5),
            multiset(generated.iter().map(|g| u64::from(g.dst_port))),
            "{format:?} dport"
        );
        assert_eq!(
            nums(6),
            multiset(generated.iter().map(|g| u64::from(g.proto))),
            "{format:?} proto"
        );
        assert_eq!(
            nums(7),
            multiset(generated.iter().map(|g| u64::from(g.packets))),
            "{format:?} packets"
        );
        assert_eq!(
            nums(8),
            multiset(generated.iter().map(|g| u64::from(g.bytes))),
            "{format:?} bytes"
        );
        let starts: Vec<i64> = f[9]
            .iter()
            .map(|t| match format {
                // "Nov 27, 2026 09:59:58.734000000 UTC"
                ExportFormat::Ipfix => chrono::NaiveDateTime::parse_from_str(
                    t.trim_end_matches(" UTC"),
                    "%b %d, %Y %H:%M:%S%.f",
                )
                .unwrap()
                .and_utc()
                .timestamp_millis(),
                // Seconds of exporter uptime; the synthetic exporter booted one day before START.
                _ => START - 86_400_000 + (t.parse::<f64>().unwrap() * 1000.0).round() as i64,
            })
            .collect();
        assert_eq!(
            multiset(starts),
            multiset(generated.iter().map(|g| g.start_ms)),
            "{format:?} start times"
        );
    }
}
