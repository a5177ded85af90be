//! The store on S3 (issue 24): a local store copied to an S3-compatible server (moto on
//! 127.0.0.1) answers `sql`, `pivots` and `report` with byte-identical outputs; an unreadable
//! object is named; a wrong endpoint, bucket or key is an error naming the URL (exit 4), not a
//! hang.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::support::s3::{S3Server, free_port};
use crate::support::{capture_sample, run, tempdir};

fn ok(o: &Output, what: &str) -> String {
    assert!(o.status.success(), "{what}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Every file under `dir` (relative path → bytes).
fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let kind = e.file_type().unwrap();
        if kind.is_symlink() {
            let to = std::fs::read_link(e.path()).unwrap();
            out.insert(name, format!("-> {}", to.display()).into_bytes());
        } else if kind.is_dir() {
            for (k, v) in files(&e.path()) {
                out.insert(format!("{name}/{k}"), v);
            }
        } else {
            out.insert(name, std::fs::read(e.path()).unwrap());
        }
    }
    out
}

/// `text` with the time of writing ("Generated 2026-…Z", "generated 2026-…Z") blanked: the one
/// thing two runs may differ in.
fn undated(text: &str) -> String {
    let mut out = text.to_string();
    for mark in ["Generated ", "generated "] {
        let mut from = 0;
        while let Some(i) = out[from..].find(mark) {
            let start = from + i + mark.len();
            let end = (start + 20).min(out.len());
            if out.is_char_boundary(end) {
                out.replace_range(start..end, "<time>");
            }
            from = start;
        }
    }
    out
}

/// Run `cmd --data DATA --out OUT EXTRA` and return OUT's files (and stderr).
fn outputs(
    s3: &S3Server,
    cmd: &str,
    data: &str,
    name: &str,
    extra: &[&str],
) -> (Vec<String>, String) {
    let out = tempdir(name);
    let mut args = vec![cmd, "--data", data, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = s3.run(&args, "info");
    ok(&o, &format!("{cmd} {data}"));
    let f = files(&out);
    assert!(!f.is_empty(), "{cmd} wrote nothing");
    let listed =
        f.iter().map(|(k, v)| format!("{k}: {}", undated(&String::from_utf8_lossy(v)))).collect();
    (listed, String::from_utf8_lossy(&o.stderr).to_string())
}

#[test]
fn sql_pivots_and_report_on_s3_equal_the_local_store() {
    let dir = tempdir("s3-equal");
    let sample = dir.join("sample");
    capture_sample(&sample);
    let s3 = S3Server::start();
    s3.create_bucket("flows");
    s3.upload(&sample, "flows", "site-a/sample");
    let url = "s3://flows/site-a/sample";
    let local = sample.to_str().unwrap();

    for q in [
        "SELECT count(*) AS n, sum(bytes) AS b, min(date), max(hour) FROM flows",
        "SELECT * FROM sessions ORDER BY start_ms, client_addr, server_addr",
    ] {
        let at =
            |data: &str| ok(&s3.run(&["sql", "--data", data, "--format", "csv", q], "warn"), q);
        let (here, there) = (at(local), at(url));
        assert!(here.lines().count() > 1, "{q}: {here}");
        assert_eq!(here, there, "{q}");
    }

    let extra = ["--trusted", "10.8.0.0/16"];
    let (here, _) = outputs(&s3, "pivots", local, "s3-pivots-local", &extra);
    let (there, log) = outputs(&s3, "pivots", url, "s3-pivots-s3", &extra);
    assert_eq!(here, there, "pivots outputs differ between the local store and S3");
    // The admin layout was read from the bucket too (one footer per piece).
    assert!(log.contains("admin layout for 3 of 3 hours"), "{log}");

    let day = ["--day", "2026-11-27"];
    let (here, _) = outputs(&s3, "report", local, "s3-report-local", &day);
    let (there, _) = outputs(&s3, "report", url, "s3-report-s3", &day);
    assert_eq!(here, there, "report outputs differ between the local store and S3");
}

#[test]
fn an_unreadable_object_is_named_and_the_rest_is_read() {
    let dir = tempdir("s3-damaged");
    let sample = dir.join("sample");
    capture_sample(&sample);
    let s3 = S3Server::start();
    s3.create_bucket("flows");
    s3.upload(&sample, "flows", "sample");
    let hour = crate::support::parquet_files(&sample)
        .into_iter()
        .find(|f| !f.to_string_lossy().contains(".admin"))
        .unwrap()
        .parent()
        .unwrap()
        .strip_prefix(&sample)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let key = format!("sample/{hour}/zz-garbage.parquet");
    s3.put("flows", &key, b"PAR1 this is not a parquet file".to_vec());
    let named = format!("s3://flows/{key}");
    // A good file whose footer is bigger than the first read from the object's end (64 KB):
    // the same rows as an hour file, with 200 KB of key-value metadata; read, not named.
    let original = crate::support::parquet_files(&sample)
        .into_iter()
        .find(|f| !f.to_string_lossy().contains(".admin"))
        .unwrap();
    let batches = crate::support::read_parquet(&original);
    let mut big = Vec::new();
    let meta = parquet::file::metadata::KeyValue::new("padding".into(), "x".repeat(200_000));
    let props = parquet::file::properties::WriterProperties::builder()
        .set_key_value_metadata(Some(vec![meta]))
        .build();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(&mut big, batches[0].schema(), Some(props)).unwrap();
    for b in &batches {
        w.write(b).unwrap();
    }
    w.close().unwrap();
    let big_key = format!("sample/{hour}/{}", original.file_name().unwrap().to_str().unwrap());
    s3.put("flows", &big_key, big);

    let o = s3.run(&["sql", "--data", "s3://flows/sample", "SELECT count(*) FROM flows"], "off");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains(&named), "{err}");

    let out = tempdir("s3-damaged-out");
    let o =
        s3.run(&["pivots", "--data", "s3://flows/sample", "--out", out.to_str().unwrap()], "off");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "outputs written, the night marked incomplete: {err}");
    assert!(err.contains(&named), "{err}");
    let chains = std::fs::read_to_string(out.join("chains.json")).unwrap();
    assert!(chains.contains(&named), "chains.json names the file left out");
    assert!(!chains.contains(&format!("s3://flows/{big_key}")), "a big footer is read: {chains}");
}

/// Run with a deadline: a hang fails the test instead of stalling it.
fn run_bounded(s3: &S3Server, env: &[(&str, String)], args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new(crate::support::bin());
    cmd.args(args).env("PIVOTFLOW_LOG", "off");
    for (k, v) in s3.env() {
        cmd.env(k, v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{args:?} did not end within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_wrong_endpoint_bucket_or_key_is_an_error_naming_the_url() {
    let s3 = S3Server::start();
    s3.create_bucket("flows");
    let closed = format!("http://127.0.0.1:{}", free_port());
    let out = tempdir("s3-wrong");
    let out = out.to_str().unwrap();
    type Env<'a> = &'a [(&'a str, String)];
    let cases: [(Env, Vec<&str>); 3] = [
        (
            &[("AWS_ENDPOINT_URL", closed.clone())],
            vec!["sql", "--data", "s3://flows/x", "SELECT 1"],
        ),
        (&[("AWS_ENDPOINT_URL", closed)], vec!["pivots", "--data", "s3://flows/x", "--out", out]),
        (
            &[],
            vec!["report", "--data", "s3://no-such-bucket/x", "--day", "2026-11-27", "--out", out],
        ),
    ];
    for (env, args) in cases {
        let o = run_bounded(&s3, env, &args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(4), "{args:?}: {err}");
        assert!(err.contains(args[2]), "{args:?}: the error names the URL: {err}");
    }
    // A key the server does not know: its 403 named with the URL.
    let strict = S3Server::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]);
    let o = run_bounded(&strict, &[], &["sql", "--data", "s3://flows/x", "SELECT 1"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains("s3://flows/x") && err.contains("InvalidAccessKeyId"), "{err}");
    // Writers refuse an object store with what to do instead (exit 2).
    let o = run(&[
        "capture",
        "--pcap",
        concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/v5.pcap"),
        "--data",
        "s3://flows/x",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("s3://flows/x") && err.contains("local store"), "{err}");
}

/// `capture --upload`: each run copies what the bucket lacks (its own hour files and admin
/// pieces, not the earlier run's again), counts it in the statistics, and the copy answers
/// like the local store; an unreachable destination stops the run before it reads anything.
#[test]
fn capture_uploads_finished_hours_and_only_what_is_missing() {
    let dir = tempdir("s3-upload");
    let data = dir.join("flows");
    let s3 = S3Server::start();
    s3.create_bucket("flows");
    let pcap = |n: &str| format!("{}/sample-data/{n}.pcap", env!("CARGO_MANIFEST_DIR"));
    let mut uploaded = 0;
    for (i, f) in ["v5", "v9"].iter().enumerate() {
        let stats = dir.join(format!("stats-{i}.json"));
        let p = pcap(f);
        let args = ["capture", "--pcap", &p, "--data", data.to_str().unwrap()];
        let more = ["--upload", "s3://flows/up", "--stats-json", stats.to_str().unwrap()];
        let o = s3.run(&[&args[..], &more[..]].concat(), "warn");
        ok(&o, "capture --upload");
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
        let put = doc["upload"]["files"].as_u64().unwrap();
        assert_eq!(doc["upload"]["pending"], 0, "{doc}");
        // Hour files and their admin pieces (under the hidden `.admin/`).
        let local = files(&data).keys().filter(|k| k.ends_with(".parquet")).count() as u64;
        assert_eq!(put, local - uploaded, "run {i} puts only the files the bucket lacks");
        uploaded += put;
    }
    let q = "SELECT count(*), sum(bytes), count(DISTINCT exporter_addr) FROM flows";
    let at = |d: &str| ok(&s3.run(&["sql", "--data", d, "--format", "csv", q], "warn"), q);
    assert_eq!(at(data.to_str().unwrap()), at("s3://flows/up"));

    let closed = format!("http://127.0.0.1:{}", free_port());
    let p = pcap("v5");
    let args =
        ["capture", "--pcap", &p, "--data", data.to_str().unwrap(), "--upload", "s3://flows/up"];
    let o = run_bounded(&s3, &[("AWS_ENDPOINT_URL", closed)], &args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains("s3://flows/up"), "{err}");
}
