//! Fuzzing on stable Rust (issue 11): the whole path a datagram takes — link/IP/UDP frame
//! parsing, NetFlow v5/v9/IPFIX decoding, normalization, holding and replaying data that came
//! before its template, sequence tracking — and the pcap reader, fed mutations of every export
//! datagram in the test data. Mutations are structure-aware: bit flips, truncation, header and
//! set length/count fields set to extremes, set lengths below 4, template field lengths 0 and
//! 65 535, IPFIX variable-length prefixes 255 + u16, options templates with empty scopes,
//! splices of two datagrams.
//!
//! A panic anywhere fails the test after writing the input to `$PIVOTFLOW_FUZZ_CRASHES`
//! (default: the temp folder); each crash found becomes a file in `tests/fuzz-regressions/`,
//! replayed by `fuzz_regressions_do_not_panic`. The CI pass runs a fixed number of inputs from a
//! fixed seed (deterministic); `scripts/fuzz.sh DURATION` runs for a time with a fresh seed.
//! Env: PIVOTFLOW_FUZZ_SECS (run time instead of a count), PIVOTFLOW_FUZZ_SEED,
//! PIVOTFLOW_FUZZ_CASES (default 3 000).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pivotflow::capture::decode::hold::HoldLimits;
use pivotflow::capture::decode::{Decoder, ScopeLimits};
use pivotflow::capture::source::Datagram;
use pivotflow::capture::source::frames::FrameDecoder;
use pivotflow::capture::source::pcap::read_frames;
use pivotflow::capture::stats::CaptureStats;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::support::testdata;

/// Every capture of the test data (third-party exporters and the lab's exporters).
fn captures() -> Vec<PathBuf> {
    let td = testdata();
    let mut v: Vec<PathBuf> = std::fs::read_dir(td.join("thirdparty/pcap"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    for lab in ["s1_onehop", "s4_cycles"] {
        for e in std::fs::read_dir(td.join("lab").join(lab)).unwrap().flatten() {
            let p = e.path();
            let n = p.file_name().unwrap().to_str().unwrap().to_string();
            if n.starts_with("export-") && n.ends_with(".pcap") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

fn put_u16(d: &mut [u8], at: usize, v: u16) {
    if at + 2 <= d.len() {
        d[at..at + 2].copy_from_slice(&v.to_be_bytes());
    }
}

fn get_u16(d: &[u8], at: usize) -> Option<u16> {
    d.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]))
}

/// Offsets of the set headers (set id, length) of a v9/IPFIX datagram, as far as they parse.
fn set_offsets(d: &[u8]) -> Vec<usize> {
    let header = match get_u16(d, 0) {
        Some(9) => 20,
        Some(10) => 16,
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    let mut at = header;
    while let Some(len) = get_u16(d, at + 2) {
        out.push(at);
        if len < 4 {
            break;
        }
        at += usize::from(len);
    }
    out
}

const EXTREMES: [u16; 9] = [0, 1, 3, 4, 5, 255, 256, 0x7fff, 0xffff];

/// One structure-aware mutation of `d` (`other`: another datagram to splice with).
fn mutate(rng: &mut StdRng, d: &mut Vec<u8>, other: &[u8]) {
    let sets = set_offsets(d);
    let extreme = EXTREMES[rng.random_range(0..EXTREMES.len())];
    match rng.random_range(0..10) {
        0 if !d.is_empty() => {
            for _ in 0..rng.random_range(1..8) {
                let i = rng.random_range(0..d.len());
                d[i] ^= 1 << rng.random_range(0..8);
            }
        }
        1 => d.truncate(rng.random_range(0..=d.len())),
        // Header count (v5/v9) or length (IPFIX).
        2 => put_u16(d, 2, extreme),
        // A set's length, often below 4.
        3 if !sets.is_empty() => {
            let s = sets[rng.random_range(0..sets.len())];
            put_u16(d, s + 2, if rng.random_bool(0.5) { rng.random_range(0..4) } else { extreme });
        }
        // Template and options-template records: field count, scope count, field lengths.
        4 | 5 if !sets.is_empty() => {
            for &s in &sets {
                let id = get_u16(d, s).unwrap_or(0);
                if id > 3 {
                    continue;
                }
                match rng.random_range(0..4) {
                    0 => put_u16(d, s + 6, extreme), // field count
                    1 => put_u16(d, s + 8, 0),       // options: scope count/length 0
                    _ => {
                        // A field length (type, length pairs after the record header).
                        let first = s + if id == 1 || id == 3 { 10 } else { 8 };
                        let n = rng.random_range(0..16);
                        let v = if rng.random_bool(0.5) { 0 } else { 0xffff };
                        put_u16(d, first + 4 * n + 2, v);
                    }
                }
            }
        }
        // A variable-length prefix 255 + u16 inside a data set.
        6 if !sets.is_empty() => {
            let s = sets[rng.random_range(0..sets.len())];
            if get_u16(d, s).unwrap_or(0) >= 256 && s + 4 < d.len() {
                let at = rng.random_range(s + 4..d.len());
                d.splice(at..at, [255, (extreme >> 8) as u8, extreme as u8]);
            }
        }
        7 => {
            let at = rng.random_range(0..=d.len());
            let from = rng.random_range(0..=other.len());
            d.splice(at..at, other[from..].iter().copied());
        }
        8 if d.len() >= 4 => {
            let i = rng.random_range(0..d.len() - 1);
            d.swap(i, i + 1);
        }
        _ => {
            let i = rng.random_range(0..=d.len());
            d.insert(i, rng.random());
        }
    }
}

/// Feed a sequence of datagrams through the decoder (held sets replayed, sequences tracked).
fn decode_all(inputs: &[Vec<u8>]) {
    let mut decoder = Decoder::new(
        HoldLimits { max_sets: 64, max_bytes: 1 << 20, max_age_ms: 1000 },
        ScopeLimits { max_scopes: 4, max_templates: 8, max_template_fields: 64, idle_ms: 500 },
    );
    let mut stats = CaptureStats::default();
    let mut out = Vec::new();
    for (i, p) in inputs.iter().enumerate() {
        let dg = Datagram {
            exporter: format!("192.0.2.{}:2055", i % 3 + 1).parse().unwrap(),
            received_ms: 1_795_000_000_000 + i as i64 * 300,
            payload: p.clone(),
        };
        decoder.decode(&dg, &mut stats, &mut out);
    }
    decoder.finish(&mut stats);
    let _ = stats.summary();
}

/// Parse a pcap byte image: write it and read every frame through the frame decoder.
fn read_pcap_bytes(bytes: &[u8], path: &Path) {
    std::fs::write(path, bytes).unwrap();
    let mut frames = FrameDecoder::default();
    let _ = read_frames(path, |lt, f, ts| {
        let _ = frames.decode(lt, f, ts);
    });
}

fn crash_dir() -> PathBuf {
    std::env::var_os("PIVOTFLOW_FUZZ_CRASHES").map(PathBuf::from).unwrap_or_else(std::env::temp_dir)
}

/// Datagrams in a crash file: u32 length + bytes, repeated.
fn encode_case(inputs: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    for i in inputs {
        v.extend_from_slice(&(i.len() as u32).to_be_bytes());
        v.extend_from_slice(i);
    }
    v
}

fn decode_case(mut b: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while b.len() >= 4 {
        let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let end = (4 + n).min(b.len());
        out.push(b[4..end].to_vec());
        b = &b[end..];
    }
    out
}

#[test]
fn fuzz_datagram_path_and_pcap_reader() {
    let seed: u64 =
        std::env::var("PIVOTFLOW_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(11);
    let secs: Option<u64> = std::env::var("PIVOTFLOW_FUZZ_SECS").ok().and_then(|s| s.parse().ok());
    let cases: u64 =
        std::env::var("PIVOTFLOW_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let corpus: Vec<(PathBuf, Vec<Vec<u8>>)> = captures()
        .into_iter()
        .map(|p| {
            let d = crate::support::payloads(&p);
            (p, d)
        })
        .filter(|(_, d)| !d.is_empty())
        .collect();
    assert!(corpus.len() >= 30, "seed captures: {}", corpus.len());
    let mut rng = StdRng::seed_from_u64(seed);
    let deadline = secs.map(|s| Instant::now() + Duration::from_secs(s));
    let scratch = crate::support::tempdir("fuzz").join("case.pcap");
    let (mut executions, mut pcap_executions) = (0u64, 0u64);
    // Silence the panic hook's output for caught panics; they are reported below.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut crash = None;
    loop {
        let done = match deadline {
            Some(t) => Instant::now() >= t,
            None => executions >= cases,
        };
        if done {
            break;
        }
        let (pcap, dgs) = &corpus[rng.random_range(0..corpus.len())];
        if executions % 20 == 19 {
            // The pcap reader: the capture file itself, damaged.
            let mut bytes = std::fs::read(pcap).unwrap();
            for _ in 0..rng.random_range(1..4) {
                match rng.random_range(0..3) {
                    0 => bytes.truncate(rng.random_range(0..=bytes.len())),
                    1 if !bytes.is_empty() => {
                        let i = rng.random_range(0..bytes.len().min(256));
                        bytes[i] = rng.random();
                    }
                    _ if bytes.len() > 40 => {
                        // A record length field (incl_len of the first record) to an extreme.
                        let v: u32 = [0, 1, 65_535, 262_144, u32::MAX][rng.random_range(0..5)];
                        bytes[32..36].copy_from_slice(&v.to_le_bytes());
                    }
                    _ => {}
                }
            }
            if catch_unwind(AssertUnwindSafe(|| read_pcap_bytes(&bytes, &scratch))).is_err() {
                let path =
                    crash_dir().join(format!("pivotflow-fuzz-crash-{seed}-{executions}.pcap"));
                std::fs::write(&path, &bytes).unwrap();
                crash = Some(path);
                break;
            }
            pcap_executions += 1;
        }
        let mut inputs = dgs.clone();
        for _ in 0..rng.random_range(1..4) {
            let i = rng.random_range(0..inputs.len());
            let other = dgs[rng.random_range(0..dgs.len())].clone();
            mutate(&mut rng, &mut inputs[i], &other);
        }
        if rng.random_bool(0.2) {
            let i = rng.random_range(0..inputs.len());
            let d = inputs.remove(i);
            inputs.push(d); // data before its template, or a late template
        }
        if catch_unwind(AssertUnwindSafe(|| decode_all(&inputs))).is_err() {
            let path = crash_dir().join(format!("pivotflow-fuzz-crash-{seed}-{executions}.bin"));
            std::fs::write(&path, encode_case(&inputs)).unwrap();
            crash = Some(path);
            break;
        }
        executions += 1;
    }
    std::panic::set_hook(hook);
    eprintln!(
        "fuzz: seed {seed}: {executions} datagram sequences, {pcap_executions} damaged pcaps, {} crashes",
        u8::from(crash.is_some())
    );
    if let Some(path) = crash {
        panic!(
            "a panic on fuzzed input; input kept at {} (add it to tests/fuzz-regressions/)",
            path.display()
        );
    }
}

/// The packet meter (`capture --packets`): frames of the lab bridge captures, damaged (bit flips,
/// truncation, IP version/header length/total length and IPv6 next header set to extremes, VLAN
/// tags stacked), with clock jumps backwards, through the lax slicer and a 64-entry flow table
/// (so evictions run too). Every packet must end in exactly one record.
#[test]
fn fuzz_packet_meter() {
    use pivotflow::capture::meter::packet::{Parsed, parse};
    use pivotflow::capture::meter::{FlowTable, MeterSettings, MeterStats};
    let seed: u64 =
        std::env::var("PIVOTFLOW_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(11);
    let secs: Option<u64> = std::env::var("PIVOTFLOW_FUZZ_SECS").ok().and_then(|s| s.parse().ok());
    let cases: u64 =
        std::env::var("PIVOTFLOW_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let mut frames: Vec<(i32, Vec<u8>, i64)> = Vec::new();
    for lab in ["s1_onehop", "s4_cycles"] {
        let raw = testdata().join("lab").join(lab).join("raw.pcap");
        pivotflow::capture::source::pcap::read_frames_us(&raw, |lt, f, ts| {
            frames.push((lt, f.to_vec(), ts))
        })
        .unwrap();
    }
    assert!(frames.len() > 5000);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x9e37);
    let deadline = secs.map(|s| Instant::now() + Duration::from_secs(s));
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let (mut executions, mut crash) = (0u64, None);
    while deadline.map_or(executions < cases, |t| Instant::now() < t) {
        let start = rng.random_range(0..frames.len() - 64);
        let mut batch: Vec<(i32, Vec<u8>, i64)> = frames[start..start + 64].to_vec();
        for (lt, f, ts) in batch.iter_mut() {
            if rng.random_bool(0.3) {
                *ts -= rng.random_range(0..60_000_000); // clock jumps back up to a minute
            }
            if rng.random_bool(0.05) {
                *lt = [0, 101, 113, 276, 228, 229, 147][rng.random_range(0..7)];
            }
            match rng.random_range(0..6) {
                0 if !f.is_empty() => f.truncate(rng.random_range(0..f.len())),
                1 if !f.is_empty() => {
                    let i = rng.random_range(0..f.len());
                    f[i] ^= 1 << rng.random_range(0..8);
                }
                2 if f.len() > 24 => {
                    // Ethernet: IP version/IHL byte, total length, protocol.
                    f[14] = rng.random();
                    put_u16(f, 16, [0, 1, 19, 20, 65_535][rng.random_range(0..5)]);
                    f[23] = [0, 1, 6, 17, 44, 58, 255][rng.random_range(0..7)];
                }
                3 if f.len() > 14 => {
                    // Stacked VLAN tags in front of the payload.
                    let tags = rng.random_range(1..6);
                    for _ in 0..tags {
                        f.splice(12..12, [0x81, 0x00, 0x00, 0x0a]);
                    }
                }
                4 if f.len() > 60 => {
                    // IPv6 with an extension-header chain pointing at itself.
                    f[12..14].copy_from_slice(&[0x86, 0xdd]);
                    f[14] = 0x60;
                    f[20] = [0, 43, 44, 60, 59][rng.random_range(0..5)];
                }
                _ => {}
            }
        }
        let run = || {
            let settings = MeterSettings { active_ms: 30_000, inactive_ms: 5_000, max_flows: 64 };
            let (mut table, mut stats, mut out) =
                (FlowTable::new(settings), MeterStats::default(), Vec::new());
            let mut metered = 0u64;
            for (lt, f, ts) in &batch {
                if let Parsed::Packet(p) = parse(*lt, f, *ts) {
                    table.add(&p, &mut stats, &mut out);
                    metered += 1;
                }
            }
            table.drain(&mut stats, &mut out);
            let packets: u64 = out.iter().map(|r| r.packets).sum();
            assert_eq!(packets, metered, "every metered packet in exactly one record");
        };
        if catch_unwind(AssertUnwindSafe(run)).is_err() {
            let path = crash_dir().join(format!("pivotflow-fuzz-meter-{seed}-{executions}.txt"));
            let text: Vec<String> =
                batch.iter().map(|(lt, f, ts)| format!("{lt} {ts} {f:02x?}")).collect();
            std::fs::write(&path, text.join("\n")).unwrap();
            crash = Some(path);
            break;
        }
        executions += 1;
    }
    std::panic::set_hook(hook);
    eprintln!(
        "fuzz meter: seed {seed}: {executions} frame batches, {} crashes",
        u8::from(crash.is_some())
    );
    if let Some(path) = crash {
        panic!("a panic in the packet meter; input kept at {}", path.display());
    }
}

/// Every input a fuzz run ever crashed on stays a test: `.bin` (datagram sequences) and `.pcap`.
#[test]
fn fuzz_regressions_do_not_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let scratch = crate::support::tempdir("fuzz-regressions").join("case.pcap");
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = e.path();
        let bytes = std::fs::read(&p).unwrap();
        match p.extension().and_then(|x| x.to_str()) {
            Some("bin") => decode_all(&decode_case(&bytes)),
            Some("pcap") => read_pcap_bytes(&bytes, &scratch),
            _ => {}
        }
    }
}
