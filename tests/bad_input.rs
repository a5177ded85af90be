//! Bad input: corrupt and truncated pcaps, garbage datagrams. Clear errors, no panic, and
//! everything good before the bad point is kept.

use std::path::Path;

use crate::support::{run, store_rows, tempdir, testdata};

fn capture(pcap: &Path, data: &Path) -> std::process::Output {
    run(&["capture", "--pcap", pcap.to_str().unwrap(), "--data", data.to_str().unwrap()])
}

#[test]
fn truncated_pcap_names_file_and_offset_and_keeps_earlier_flows() {
    let src = testdata().join("lab/s1_onehop/export-v9.pcap");
    let bytes = std::fs::read(&src).unwrap();
    let dir = tempdir("truncated");
    let cut = dir.join("cut.pcap");
    // Cut in the middle of the last packet.
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    let full = store_rows(&{
        let d = dir.join("full");
        assert!(capture(&src, &d).status.success());
        d
    });
    let out = capture(&cut, &dir.join("data"));
    assert_eq!(out.status.code(), Some(3), "bad input exit code");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.pcap") && err.contains("truncated at byte offset"), "{err}");
    let rows = store_rows(&dir.join("data"));
    assert!(
        !rows.is_empty() && rows.len() < full.len(),
        "earlier flows kept: {} of {}",
        rows.len(),
        full.len()
    );
}

#[test]
fn corrupt_record_header_is_reported_with_offset() {
    let src = testdata().join("lab/s1_onehop/export-v5.pcap");
    let mut bytes = std::fs::read(&src).unwrap();
    // Second record header (after the 24-byte file header and the first record): make its
    // captured length absurd.
    let first_len = u32::from_le_bytes(bytes[32..36].try_into().unwrap()) as usize;
    let second = 24 + 16 + first_len;
    bytes[second + 8..second + 12].copy_from_slice(&0xfff0_0000u32.to_le_bytes());
    let dir = tempdir("corrupt");
    let bad = dir.join("bad.pcap");
    std::fs::write(&bad, &bytes).unwrap();
    let out = capture(&bad, &dir.join("data"));
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.pcap") && err.contains(&format!("offset {second}")), "{err}");
    assert!(!store_rows(&dir.join("data")).is_empty(), "the first datagram's flows are kept");
}

#[test]
fn not_a_pcap_is_a_clear_error() {
    let dir = tempdir("notpcap");
    let f = dir.join("notes.txt");
    std::fs::write(&f, "hello, this is not a capture file at all").unwrap();
    let out = capture(&f, &dir.join("data"));
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a pcap or pcapng file"));
}

#[test]
fn invalid_captures_do_not_stop_the_run() {
    // The deliberately invalid third-party captures, all in one run, after a good one.
    let tp = testdata().join("thirdparty/pcap");
    let dir = tempdir("invalid-mix");
    let mut args = vec!["capture".to_string()];
    for name in [
        "akvorado__nfv5",
        "logstash__netflow5_test_invalid01",
        "logstash__netflow9_test_invalid01",
        "logstash__netflow9_test_0length_fields",
    ] {
        args.push("--pcap".into());
        args.push(tp.join(format!("{name}.pcap")).display().to_string());
    }
    args.extend(["--data".into(), dir.join("data").display().to_string()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&argv);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(store_rows(&dir.join("data")).len() >= 29, "the good capture's 29 flows are there");
}

#[test]
fn errors_reach_stderr_even_with_logging_off_and_set_the_exit_code() {
    let o = std::process::Command::new(crate::support::bin())
        .args(["report", "--data", "/nonexistent", "--day", "last tuesday", "--out", "/tmp/x"])
        .env("PIVOTFLOW_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("pivotflow: error: invalid --day: \"last tuesday\""), "{err}");
    assert!(o.stdout.is_empty());
}

/// `synth --days` on a network too small for its attacks used to search forever for a Linux
/// server that did not exist (300 hosts, the first attack night): now a usage error naming
/// `--hosts` and the minimum, before anything is written. (Fewer days, no attacks: allowed, as
/// the three-day test stores use.)
#[test]
fn synth_days_on_too_few_hosts_is_a_usage_error_not_a_hang() {
    let dir = tempdir("synth-few-hosts");
    let data = dir.join("flows");
    let o = run(&[
        "synth",
        "--days",
        "9",
        "--hosts",
        "300",
        "--flows",
        "5000",
        "--parquet",
        data.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--hosts") && err.contains("300") && err.contains("1000"), "{err}");
    assert!(!data.exists(), "nothing written");
}

/// `pivotflow schema | head -0`, `pivots ... | head -1`: output to a reader that already left
/// ends quietly with exit 0 (`print!` used to panic with "failed printing to stdout", exit 1).
#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    let data = crate::sql_fixture::store("closed-pipe");
    let out = crate::support::tempdir("closed-pipe-out");
    let runs: [Vec<String>; 2] = [
        vec!["schema".into()],
        vec![
            "pivots".into(),
            "--data".into(),
            data.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ],
    ];
    for args in runs {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader); // every write to the pipe fails with EPIPE
        let o = std::process::Command::new(crate::support::bin())
            .args(&args)
            .env("PIVOTFLOW_LOG", "off")
            .stdout(writer)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
    assert!(out.join("chains.json").is_file(), "pivots wrote its outputs before printing");
}
