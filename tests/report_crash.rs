//! `report` killed at every step (issue 21): the process aborts (`PIVOTFLOW_FAULT`, as a crash
//! or `kill -9` would) after the day's history link is made, after its report folder (with the
//! day's history inside) is built, and after that folder is swapped in. Each time the day's
//! folder stays readable (the old report or the new one, never none), its history and report
//! are from one run, byte for byte what an uninterrupted run writes, and the next run leaves no
//! temporary folder. A history partition in the layout of earlier versions (a folder of its own)
//! is moved into the report folder and linked.

use std::path::Path;
use std::process::Command;

use crate::support::{bin, tempdir};

const DAYS: [&str; 3] = ["2026-11-02", "2026-11-03", "2026-11-04"];

fn report(data: &Path, out: &Path, args: &[&str], fault: Option<&str>) -> std::process::Output {
    let mut c = Command::new(bin());
    c.args(["--quiet", "report", "--data"]).arg(data).arg("--out").arg(out).args(args);
    c.env("PIVOTFLOW_LOG", "warn");
    if let Some(f) = fault {
        c.env("PIVOTFLOW_FAULT", f);
    }
    c.output().unwrap()
}

/// Every file of the day's report folder and history partition, by name (not index.html and
/// summary.md, which say when they were generated).
fn day_files(out: &Path, day: &str) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for dir in [out.join(day), out.join("history").join(format!("date={day}"))] {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            // The report folder's history/ is read through history/date=D.
            if e.file_name() == "index.html" || e.file_name() == "summary.md" || e.path().is_dir() {
                continue;
            }
            let name = format!(
                "{}/{}",
                dir.file_name().unwrap().to_string_lossy(),
                e.file_name().to_string_lossy()
            );
            v.push((name, std::fs::read(e.path()).unwrap()));
        }
    }
    v.sort();
    v
}

fn chains(out: &Path, day: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join(day).join("chains.json"))
        .unwrap_or_else(|e| panic!("{day}: no readable report folder: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn assert_same(got: &[(String, Vec<u8>)], want: &[(String, Vec<u8>)], what: &str) {
    let differ: Vec<&String> =
        got.iter().zip(want).filter(|(g, w)| g != w).map(|(g, _)| &g.0).collect();
    assert!(got.len() == want.len() && differ.is_empty(), "{what}: differ: {differ:?}");
}

#[test]
fn a_report_killed_at_any_step_leaves_a_readable_day_with_history_and_report_from_one_run() {
    let data = crate::support::synth_three_days("report-crash-data");
    let range = ["--since", DAYS[0], "--until", DAYS[2]];
    // The killed run reports the last day with other settings, so that its history and report
    // differ from the first run's (alerted hops are kept in the history).
    let rerun = ["--day", DAYS[2], "--alert-threshold", "0.01"];
    // What uninterrupted runs write: the first run, and the first run then the rerun.
    let clean = tempdir("report-crash-clean");
    assert!(report(&data, &clean, &range, None).status.success());
    let old = day_files(&clean, DAYS[2]);
    assert!(report(&data, &clean, &rerun, None).status.success());
    let new = day_files(&clean, DAYS[2]);
    assert_ne!(old, new, "the rerun writes another history and report");
    for fault in ["history-linked", "report-folder-built", "report-written"] {
        let out = tempdir(&format!("report-crash-{fault}"));
        assert!(report(&data, &out, &range, None).status.success());
        let killed = report(&data, &out, &rerun, Some(fault));
        assert!(!killed.status.success(), "{fault}: the fault point was not reached");
        let before = chains(&out, DAYS[2]); // readable: the old report or the new one
        let threshold = before["alert_threshold"].as_f64().unwrap();
        // History and report of the day are one run's, whichever: old before the swap, new after.
        let now = day_files(&out, DAYS[2]);
        match threshold {
            3.5 if fault != "report-written" => assert_same(&now, &old, fault),
            0.01 if fault == "report-written" => assert_same(&now, &new, fault),
            t => panic!("{fault}: a report of threshold {t}"),
        }
        // The next run, of another day, cleans up and leaves the day as it was.
        let next = report(&data, &out, &["--day", DAYS[1]], None);
        assert!(next.status.success(), "{fault}: {}", String::from_utf8_lossy(&next.stderr));
        assert_same(&day_files(&out, DAYS[2]), &now, fault);
        let hidden: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(hidden.is_empty(), "{fault}: temporary folders left: {hidden:?}");
    }
}

#[test]
fn a_history_partition_of_the_earlier_layout_is_moved_into_its_report_folder() {
    let data = crate::support::synth_three_days("report-layout-data");
    let range = ["--since", DAYS[0], "--until", DAYS[2]];
    let out = tempdir("report-layout");
    assert!(report(&data, &out, &range, None).status.success());
    let want = day_files(&out, DAYS[1]);
    // The earlier layout: history/date=D a folder of its own, no facts in the report folder.
    let link = out.join("history").join(format!("date={}", DAYS[1]));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    let facts = out.join(DAYS[1]).join("history");
    std::fs::remove_file(&link).unwrap();
    std::fs::rename(&facts, &link).unwrap();
    assert_same(&day_files(&out, DAYS[1]), &want, "the earlier layout reads the same");
    // A later day reads it, and a rerun of the day moves it into the report folder.
    assert!(report(&data, &out, &["--day", DAYS[2]], None).status.success());
    assert!(report(&data, &out, &["--day", DAYS[1]], None).status.success());
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(facts.join("hops.parquet").is_file());
    assert_same(&day_files(&out, DAYS[1]), &want, "after the move");
    // A link lost between moving and linking is made again by the next run.
    std::fs::remove_file(&link).unwrap();
    assert!(report(&data, &out, &["--day", DAYS[2]], None).status.success());
    assert_same(&day_files(&out, DAYS[1]), &want, "after the repair");
}
