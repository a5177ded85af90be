//! The admin layout (`<data>/.admin/`): `pivots` reads it where it is fresh and falls back to
//! the store hour by hour where a piece is missing, damaged, outdated, orphaned or narrower —
//! always with the chains of the store itself. `index` builds and repairs it.

use std::path::{Path, PathBuf};

use pivotflow::store::admin::{AdminPorts, PieceState, piece_path, piece_state};

use crate::support::{bin, parquet_files, tempdir};

/// `capture` the sample exports (v5, v9, IPFIX) into `data`, a run each: three files an hour.
fn capture(data: &Path, extra: &[&str]) {
    for f in ["v5", "v9", "ipfix"] {
        let pcap = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("sample-data/{f}.pcap"));
        let o = std::process::Command::new(bin())
            .args(["--quiet", "capture", "--pcap"])
            .arg(pcap)
            .arg("--data")
            .arg(data)
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
}

/// `pivots --out OUT` over `data` (info log): chains.json's bytes and the log.
fn pivots(data: &Path, out: &Path, extra: &[&str]) -> (Vec<u8>, String) {
    let o = std::process::Command::new(bin())
        .args(["pivots", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra)
        .env("PIVOTFLOW_LOG", "info")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{log}");
    (std::fs::read(out.join("chains.json")).unwrap(), log)
}

fn index(data: &Path, extra: &[&str]) -> String {
    let o = std::process::Command::new(bin())
        .args(["index", "--data"])
        .arg(data)
        .args(extra)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    err
}

/// "admin layout for A of N hours" as (A, N).
fn hours_read(log: &str) -> (usize, usize) {
    let at = log.find("admin layout for ").expect("pivots names what it read");
    let words: Vec<&str> = log[at..].split_whitespace().collect();
    (words[3].parse().unwrap(), words[5].parse().unwrap())
}

fn copy_dir(from: &Path, to: &Path) {
    let o = std::process::Command::new("cp").arg("-a").arg(from).arg(to).output().unwrap();
    assert!(o.status.success());
}

/// The store's hour files (pieces are below the hidden `.admin` and not listed).
fn hour_files(data: &Path) -> Vec<PathBuf> {
    parquet_files(data)
}

/// One way to spoil a piece, applied to a copy of the store.
type Damage = Box<dyn Fn(&Path)>;

#[test]
fn layout_gives_the_stores_chains_and_falls_back_hour_by_hour_when_a_piece_is_not_fresh() {
    let dir = tempdir("admin-fallback");
    let (with, without) = (dir.join("with"), dir.join("without"));
    capture(&with, &[]);
    capture(&without, &["--no-admin-layout"]);
    assert!(!without.join(".admin").exists());
    let files = hour_files(&with);
    assert_eq!(files.len(), 9, "three runs × three hours");
    let ports = AdminPorts::default_services();
    for f in &files {
        assert_eq!(piece_state(&with, f, &ports), PieceState::Fresh, "{}", f.display());
    }
    let (reference, log) = pivots(&without, &dir.join("o-ref"), &[]);
    assert_eq!(hours_read(&log), (0, 3), "{log}");
    let (got, log) = pivots(&with, &dir.join("o-with"), &[]);
    assert_eq!(hours_read(&log), (3, 3), "{log}");
    assert_eq!(got, reference, "chains read from the layout differ from the store's");
    // The same flows either way (sql reads the store; the layout is never counted twice).
    let count = |d: &Path| {
        let o = std::process::Command::new(bin())
            .args(["sql", "--data"])
            .arg(d)
            .arg("SELECT count(*) AS n FROM flows")
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert_eq!(count(&with), count(&without));

    // Each way a piece can stop standing for its hour file: that hour is read from the store,
    // the others from the layout, and the chains stay the store's.
    let pick = |d: &Path, i: usize| hour_files(d)[i].clone();
    let damages: Vec<(&str, Damage)> = vec![
        (
            "removed",
            Box::new(move |d: &Path| {
                std::fs::remove_file(piece_path(d, &pick(d, 0)).unwrap()).unwrap()
            }),
        ),
        (
            "garbage",
            Box::new(move |d: &Path| {
                std::fs::write(piece_path(d, &pick(d, 4)).unwrap(), b"PAR1 not parquet").unwrap()
            }),
        ),
        (
            "truncated",
            Box::new(move |d: &Path| {
                let p = piece_path(d, &pick(d, 8)).unwrap();
                let bytes = std::fs::read(&p).unwrap();
                std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap()
            }),
        ),
        (
            "orphan",
            Box::new(move |d: &Path| {
                let p = piece_path(d, &pick(d, 0)).unwrap();
                std::fs::copy(&p, p.with_file_name("gone-since.parquet")).unwrap();
            }),
        ),
        (
            "another hour's piece",
            Box::new(move |d: &Path| {
                std::fs::copy(
                    piece_path(d, &pick(d, 3)).unwrap(),
                    piece_path(d, &pick(d, 0)).unwrap(),
                )
                .unwrap();
            }),
        ),
    ];
    for (what, damage) in &damages {
        let d = dir.join(format!("damaged-{}", what.replace(' ', "-")));
        copy_dir(&with, &d);
        damage(&d);
        let (got, log) = pivots(&d, &dir.join(format!("o-{}", what.replace(' ', "-"))), &[]);
        assert_eq!(hours_read(&log), (2, 3), "{what}: {log}");
        assert!(log.contains("admin layout not usable for an hour"), "{what}: {log}");
        assert_eq!(got, reference, "{what}: chains differ from the store's");
    }

    // Outdated: an hour file rewritten after its piece was cut (here: another run's file of
    // the same hour copied over it), and a new hour file without a piece.
    let outdated = dir.join("outdated");
    let plain = dir.join("outdated-plain");
    copy_dir(&with, &outdated);
    copy_dir(&without, &plain);
    for d in [&outdated, &plain] {
        let files = hour_files(d);
        std::fs::copy(&files[1], &files[0]).unwrap();
    }
    let (expected, _) = pivots(&plain, &dir.join("o-outdated-plain"), &[]);
    let (got, log) = pivots(&outdated, &dir.join("o-outdated"), &[]);
    assert_eq!(hours_read(&log), (2, 3), "{log}");
    assert!(log.contains("was cut from"), "{log}");
    assert_eq!(got, expected);
    for d in [&outdated, &plain] {
        let f = hour_files(d)[5].clone();
        std::fs::copy(&f, f.with_file_name("late-run.parquet")).unwrap();
    }
    let (expected, _) = pivots(&plain, &dir.join("o-late-plain"), &[]);
    let (got, log) = pivots(&outdated, &dir.join("o-late"), &[]);
    assert_eq!(hours_read(&log), (1, 3), "{log}");
    assert_eq!(got, expected);
    // index repairs both, and then every hour is read from the layout again.
    let said = index(&outdated, &[]);
    assert!(said.contains("2 pieces written"), "{said}");
    let (got, log) = pivots(&outdated, &dir.join("o-repaired"), &[]);
    assert_eq!(hours_read(&log), (3, 3), "{log}");
    assert_eq!(got, expected);
}

#[test]
fn index_builds_the_layout_of_an_old_store_once_and_keeps_it_true() {
    let dir = tempdir("admin-index");
    let data = dir.join("flows");
    capture(&data, &["--no-admin-layout"]);
    let (reference, _) = pivots(&data, &dir.join("o-ref"), &[]);
    let said = index(&data, &[]);
    assert!(said.contains("9 pieces written"), "{said}");
    let said = index(&data, &[]);
    assert!(said.contains("0 pieces written") && said.contains("9 already fresh"), "{said}");
    let (got, log) = pivots(&data, &dir.join("o-indexed"), &[]);
    assert_eq!(hours_read(&log), (3, 3), "{log}");
    assert_eq!(got, reference);

    // Services: a subset of the kept ports is read from the layout; others are not.
    let (_, log) = pivots(&data, &dir.join("o-ssh"), &["--service", "ssh=tcp/22"]);
    assert_eq!(hours_read(&log), (3, 3), "{log}");
    let vnc = ["--service", "vnc=tcp/5900", "--service", "ssh=tcp/22"];
    let (plain_vnc, log) = pivots(&data, &dir.join("o-vnc"), &vnc);
    assert_eq!(hours_read(&log), (0, 3), "pieces without port 5900 cannot stand in: {log}");
    let said = index(&data, &vnc);
    assert!(said.contains("9 pieces written"), "{said}");
    let (got, log) = pivots(&data, &dir.join("o-vnc-indexed"), &vnc);
    assert_eq!(hours_read(&log), (3, 3), "{log}");
    assert_eq!(got, plain_vnc);
    let (_, log) = pivots(&data, &dir.join("o-default-narrow"), &[]);
    assert_eq!(hours_read(&log), (0, 3), "pieces without RDP/WinRM cannot stand in: {log}");

    // An hour file deleted by hand: its piece is an orphan until index removes it.
    let gone = hour_files(&data)[2].clone();
    std::fs::remove_file(&gone).unwrap();
    let said = index(&data, &[]);
    assert!(said.contains("8 pieces written") && said.contains("1 orphan"), "{said}");
    assert!(!piece_path(&data, &gone).unwrap().exists());
    // A store file that cannot be read is named, exit 3, and its hour stays on the store.
    std::fs::write(&hour_files(&data)[0], b"not parquet").unwrap();
    let o =
        std::process::Command::new(bin()).args(["index", "--data"]).arg(&data).output().unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&hour_files(&data)[0].display().to_string())
    );
}

#[test]
fn synth_parquet_writes_the_layout_too() {
    let data = crate::support::synth_three_days("admin-synth");
    let ports = AdminPorts::default_services();
    let files = hour_files(&data);
    assert!(files.len() >= 72);
    for f in &files {
        assert_eq!(piece_state(&data, f, &ports), PieceState::Fresh, "{}", f.display());
    }
}

#[test]
fn capture_keeps_the_services_it_is_given() {
    let dir = tempdir("admin-capture-services");
    let data = dir.join("flows");
    let vnc = ["--service", "vnc=tcp/5900", "--service", "ssh=tcp/22"];
    capture(&data, &vnc);
    let (_, log) = pivots(&data, &dir.join("o-vnc"), &vnc);
    assert_eq!(hours_read(&log), (3, 3), "{log}");
    let (_, log) = pivots(&data, &dir.join("o-default"), &[]);
    assert_eq!(hours_read(&log), (0, 3), "RDP and WinRM were not kept: {log}");
    let o = std::process::Command::new(bin())
        .args(["capture", "--no-admin-layout", "--service", "vnc=tcp/5900", "--pcap"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/v5.pcap"))
        .arg("--data")
        .arg(dir.join("refused"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--service"));
}
