//! A damaged flow store (issue 11): a truncated and a garbage `.parquet` file beside good ones, a
//! stray non-Parquet file, an empty hour folder, a leftover hidden temp file. `sql` ignores the
//! stray and temp files and names the corrupt ones in its error; `pivots` and `report` finish
//! with the rest, name every unreadable file (chains.json `incomplete_files`, summary.md) and
//! exit 3, so a nightly job never looks complete when it is not.

use std::path::{Path, PathBuf};

use crate::sql_fixture;
use crate::support::{run, tempdir};

/// The fixture's first hour folder (10:00) and its one good file.
fn hour10(root: &Path) -> (PathBuf, PathBuf) {
    let dir = root.join("date=2026-11-27/hour=10");
    let good = dir.join("flows-fixture-0000.parquet");
    assert!(good.is_file());
    (dir, good)
}

/// Harmless clutter only: stray file, empty hour folder, hidden temp file.
fn clutter(root: &Path) {
    let (dir, good) = hour10(root);
    std::fs::write(dir.join("README.txt"), "notes, not flows").unwrap();
    std::fs::create_dir_all(root.join("date=2026-11-27/hour=23")).unwrap();
    std::fs::copy(&good, dir.join(".flows-x.parquet.tmp")).unwrap();
}

/// Two unreadable files beside the good one: a truncated copy and garbage.
fn corrupt(root: &Path) -> Vec<PathBuf> {
    let (dir, good) = hour10(root);
    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.join("flows-truncated.parquet");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let garbage = dir.join("flows-garbage.parquet");
    std::fs::write(&garbage, b"this is not parquet at all").unwrap();
    vec![truncated, garbage]
}

fn count(root: &Path) -> std::process::Output {
    run(&[
        "sql",
        "--data",
        root.to_str().unwrap(),
        "--format",
        "csv",
        "SELECT count(*) AS n FROM flows",
    ])
}

#[test]
fn sql_ignores_clutter_and_names_corrupt_files() {
    let clean = sql_fixture::store("damaged-sql-clean");
    let expected = count(&clean);
    assert!(expected.status.success());
    let root = sql_fixture::store("damaged-sql");
    clutter(&root);
    let o = count(&root);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.stdout, expected.stdout, "stray, temp and empty folders change nothing");
    let bad = corrupt(&root);
    let o = count(&root);
    assert_eq!(o.status.code(), Some(3), "bad input");
    let err = String::from_utf8_lossy(&o.stderr);
    for f in &bad {
        assert!(err.contains(&f.display().to_string()), "names {}: {err}", f.display());
    }
}

#[test]
fn pivots_and_report_finish_without_unreadable_files_and_exit_3() {
    let clean = sql_fixture::store("damaged-pivots-clean");
    let clean_out = tempdir("damaged-pivots-clean-out");
    let reference = crate::support::pivots_json(&clean, &clean_out, &[]);
    assert!(!reference["chains"].as_array().unwrap().is_empty());

    let root = sql_fixture::store("damaged-pivots");
    clutter(&root);
    let bad = corrupt(&root);
    let out = tempdir("damaged-pivots-out");
    let o = run(&[
        "pivots",
        "--data",
        root.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let listed: Vec<&str> = report["incomplete_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["path"].as_str().unwrap())
        .collect();
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("chains.json")).unwrap()).unwrap();
    assert_eq!(written["incomplete_files"], report["incomplete_files"], "chains.json names them");
    for f in &bad {
        let f = f.to_str().unwrap();
        assert!(listed.contains(&f), "{f} in incomplete_files: {listed:?}");
        assert!(err.contains(f), "{f} on stderr: {err}");
    }
    // The good file in the same hour folder is still read: the same chains as the clean store.
    assert_eq!(report["chains"], reference["chains"]);

    let reports = tempdir("damaged-report-out");
    let o = run(&[
        "report",
        "--data",
        root.to_str().unwrap(),
        "--day",
        "2026-11-27",
        "--out",
        reports.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(reports.join("2026-11-27/summary.md")).unwrap();
    assert!(md.contains("INCOMPLETE"), "{md}");
    for f in &bad {
        assert!(md.contains(&f.display().to_string()), "summary.md names {}", f.display());
    }
}
