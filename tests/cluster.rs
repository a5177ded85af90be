//! `--features cluster` (issue 13): a Ballista scheduler and two executors started as child
//! processes of the built binary on 127.0.0.1; every shipped query and the sessions view give
//! byte-identical output through `sql --cluster` and locally (the golden files); `pivots` and
//! `report` on the sample data and a lab capture write byte-identical chains.json and GraphML;
//! the sessions view of every lab store returns on the cluster equal to local runs (Ballista's
//! adaptive planner looped forever on them); a job no executor runs ends at `--timeout`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::sql_golden::{CASES, golden, query};
use crate::support::{lab_exports, run, tempdir};

/// A free TCP port on 127.0.0.1 (bound and released).
fn port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Cluster {
    children: Vec<Child>,
    url: String,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn start(data: &Path) -> Cluster {
    start_with(data, &[])
}

/// A scheduler and two executors with `env` (e.g. an S3 server's) set; ready when a count
/// over `data` returns.
fn start_with(data: &Path, env: &[(&'static str, String)]) -> Cluster {
    let sched = port();
    let spawn = |args: &[String]| {
        Command::new(crate::support::bin())
            .arg("cluster")
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("PIVOTFLOW_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut children =
        vec![spawn(&["scheduler".into(), "--bind".into(), format!("127.0.0.1:{sched}")])];
    for _ in 0..2 {
        children.push(spawn(&[
            "executor".into(),
            "--scheduler".into(),
            format!("127.0.0.1:{sched}"),
            "--bind".into(),
            format!("127.0.0.1:{}", port()),
            "--grpc-port".into(),
            port().to_string(),
            "--slots".into(),
            "1".into(),
        ]));
    }
    let url = format!("df://127.0.0.1:{sched}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let o = Command::new(crate::support::bin())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("PIVOTFLOW_LOG", "warn")
            .args([
                "sql",
                "--data",
                data.to_str().unwrap(),
                "--cluster",
                &url,
                "--format",
                "csv",
                "SELECT count(*) AS n FROM flows",
            ])
            .output()
            .unwrap();
        if o.status.success() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "cluster not ready: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    Cluster { children, url }
}

/// `sql --format csv ARGS` on `cluster` (None: locally); must succeed; its stdout.
fn sql_at(data: &Path, cluster: Option<&str>, args: &[&str]) -> String {
    let mut argv = vec!["sql", "--data", data.to_str().unwrap(), "--format", "csv"];
    argv.extend(cluster.iter().flat_map(|c| ["--cluster", c]));
    argv.extend_from_slice(args);
    let o = run(&argv);
    assert!(o.status.success(), "sql {cluster:?} {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn sql(data: &Path, cluster: &str, args: &[&str]) -> String {
    sql_at(data, Some(cluster), args)
}

#[test]
fn shipped_queries_give_the_same_output_on_a_cluster() {
    let data = crate::sql_fixture::store("cluster-store");
    let c = start(&data);
    assert_eq!(
        sql(&data, &c.url, &["SELECT * FROM sessions ORDER BY start_ms, client_addr"]),
        golden("sessions.csv"),
        "sessions view"
    );
    for (name, params) in CASES {
        let file = query(&format!("{name}.sql"));
        let mut args = vec!["-f", file.as_str()];
        args.extend_from_slice(params);
        assert_eq!(sql(&data, &c.url, &args), golden(&format!("{name}.csv")), "{name}");
    }
}

/// `pivots` (and `report` with `extra = ["--day", …]`) locally and on the cluster: the same
/// chains.json and GraphML, byte for byte.
fn same_outputs(data: &Path, url: &str, cmd: &str, extra: &[&str], name: &str) {
    let mut files = Vec::new();
    for cluster in [None, Some(url)] {
        let out = crate::support::tempdir(&format!("{name}-{}", cluster.is_some()));
        let mut args = vec![cmd, "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        if let Some(u) = cluster {
            args.extend(["--cluster", u]);
        }
        let o = run(&args);
        assert!(o.status.success(), "{cmd} {args:?}: {}", String::from_utf8_lossy(&o.stderr));
        let dir = if cmd == "report" { out.join(extra[1]) } else { out };
        let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
        files.push((read("chains.json"), read("pivots.graphml")));
    }
    assert!(files[0] == files[1], "{name}: {cmd} differs between local and cluster");
}

#[test]
fn pivots_and_report_give_the_same_chains_on_a_cluster() {
    let dir = crate::support::tempdir("cluster-pivots");
    let sample = dir.join("sample");
    crate::support::capture_sample(&sample);
    let lab = dir.join("lab");
    let pcap = crate::support::testdata().join("lab/s4_cycles/export-ipfix.pcap");
    assert!(
        run(&["capture", "--pcap", pcap.to_str().unwrap(), "--data", lab.to_str().unwrap()])
            .status
            .success()
    );
    let c = start(&sample);
    same_outputs(&sample, &c.url, "pivots", &["--trusted", "10.8.0.0/16"], "cluster-sample");
    same_outputs(&lab, &c.url, "pivots", &[], "cluster-lab");
    same_outputs(&sample, &c.url, "report", &["--day", "2026-11-27"], "cluster-report");
    // A chain straddling midnight: the look-back is read on the cluster too, the night's
    // counts and facts are the period's there as well.
    let mid = dir.join("midnight");
    crate::lookback::store(&mid);
    same_outputs(&mid, &c.url, "report", &["--day", "2026-11-27"], "cluster-lookback");
    let out = crate::support::tempdir("cluster-lookback-check");
    let o = run(&[
        "report",
        "--data",
        mid.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--day",
        "2026-11-27",
        "--cluster",
        &c.url,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("2026-11-27/chains.json")).unwrap())
            .unwrap();
    assert_eq!(r["chains"][0]["hosts"], serde_json::json!(["10.8.0.5", "10.9.0.1", "10.32.0.1"]));
    assert_eq!((r["hops"].as_u64(), r["service_flows"].as_u64()), (Some(2), Some(4)), "{r}");
}

/// The store on S3 (moto on 127.0.0.1): the scheduler lists it and the executors read it with
/// the same AWS environment; `sql`, `pivots` and `report` give what the local store gives
/// locally.
#[test]
fn a_store_on_s3_gives_the_same_outputs_on_a_cluster() {
    let dir = crate::support::tempdir("cluster-s3");
    let sample = dir.join("sample");
    crate::support::capture_sample(&sample);
    let s3 = crate::support::s3::S3Server::start();
    s3.create_bucket("flows");
    s3.upload(&sample, "flows", "sample");
    let url = "s3://flows/sample";
    let c = start_with(Path::new(url), &s3.env());
    let q = "SELECT * FROM sessions ORDER BY start_ms, client_addr, server_addr";
    let local = sql_at(&sample, None, &["--", q]);
    let o =
        s3.run(&["sql", "--data", url, "--cluster", &c.url, "--format", "csv", "--", q], "warn");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), local, "sessions from S3 on the cluster");
    for (cmd, extra) in [("pivots", vec![]), ("report", vec!["--day", "2026-11-27"])] {
        let mut outputs = Vec::new();
        for (data, cluster) in [(sample.to_str().unwrap(), None), (url, Some(c.url.as_str()))] {
            let out = crate::support::tempdir(&format!("cluster-s3-{cmd}-{}", cluster.is_some()));
            let mut args = vec![cmd, "--data", data, "--out", out.to_str().unwrap()];
            args.extend(cluster.iter().flat_map(|u| ["--cluster", u]));
            args.extend(&extra);
            let o = s3.run(&args, "warn");
            assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
            let dir = if cmd == "report" { out.join("2026-11-27") } else { out };
            let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
            outputs.push((read("chains.json"), read("pivots.graphml")));
        }
        assert!(
            outputs[0] == outputs[1],
            "{cmd} from S3 on the cluster differs from the local store"
        );
    }
}

#[test]
fn an_unreachable_cluster_is_an_error_naming_it() {
    let data = crate::sql_fixture::store("cluster-down");
    let url = format!("df://127.0.0.1:{}", port());
    let o = run(&["sql", "--data", data.to_str().unwrap(), "--cluster", &url, "SELECT 1"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains(&url) || err.contains("127.0.0.1"), "{err}");
}

/// A second executor on one host with a gRPC port already taken fails at once, and the error
/// names `--grpc-port` and that port (Ballista's own error named the `--bind` address).
#[test]
fn a_taken_grpc_port_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let grpc = taken.local_addr().unwrap().port();
    let o = run(&[
        "cluster",
        "executor",
        "--scheduler",
        &format!("127.0.0.1:{}", port()),
        "--bind",
        &format!("127.0.0.1:{}", port()),
        "--grpc-port",
        &grpc.to_string(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains(&format!("--grpc-port 127.0.0.1:{grpc}")), "{err}");
}

fn local_sql(data: &Path, args: &[&str]) -> String {
    sql_at(data, None, args)
}

/// Every lab export of the test data as a store: the sessions view on the cluster equals the
/// local one (with Ballista's adaptive planner on, `SELECT count(*) FROM sessions` on the s1
/// pmacct IPFIX store never returned), and so do the shipped queries on that store.
#[test]
fn every_lab_store_gives_its_sessions_and_queries_on_a_cluster() {
    let dir = tempdir("cluster-labs");
    let mut stores = Vec::new();
    for scenario in ["s1_onehop", "s4_cycles"] {
        for pcap in lab_exports(scenario) {
            let name = pcap.file_stem().unwrap().to_string_lossy().to_string();
            let data = dir.join(format!("{scenario}-{name}"));
            let o = run(&[
                "capture",
                "--pcap",
                pcap.to_str().unwrap(),
                "--data",
                data.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            stores.push(data);
        }
    }
    assert!(stores.len() >= 18, "{} lab stores", stores.len());
    let c = start(&stores[0]);
    let q = "SELECT * FROM sessions ORDER BY start_ms, client_addr, client_port, server_addr, server_port, proto";
    for data in &stores {
        let local = local_sql(data, &[q]);
        assert!(local.lines().count() > 10, "{}: {local}", data.display());
        assert_eq!(sql(data, &c.url, &["--timeout", "2m", q]), local, "{}", data.display());
        let n = "SELECT count(*) AS n FROM sessions";
        assert_eq!(sql(data, &c.url, &["--timeout", "2m", n]), local_sql(data, &[n]));
    }
    let hung = stores.iter().find(|s| s.ends_with("s1_onehop-export-pmacct-ipfix")).unwrap();
    for (name, params) in CASES {
        let file = query(&format!("{name}.sql"));
        let mut args = vec!["-f", file.as_str()];
        args.extend_from_slice(params);
        assert_eq!(sql(hung, &c.url, &args), local_sql(hung, &args), "{name}");
    }
}

/// A job no executor can run (a scheduler alone) ends at `--timeout` with an error naming the
/// cluster and the query (exit 5) instead of waiting for ever.
#[test]
fn a_cluster_query_that_cannot_finish_ends_at_its_timeout() {
    let data = crate::sql_fixture::store("cluster-timeout");
    let sched = port();
    let mut scheduler = Command::new(crate::support::bin())
        .args(["cluster", "scheduler", "--bind", &format!("127.0.0.1:{sched}")])
        .env("PIVOTFLOW_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", sched)).is_err() {
        assert!(Instant::now() < deadline, "scheduler not listening");
        std::thread::sleep(Duration::from_millis(100));
    }
    let url = format!("df://127.0.0.1:{sched}");
    let t = Instant::now();
    let o = run(&[
        "sql",
        "--data",
        data.to_str().unwrap(),
        "--cluster",
        &url,
        "--timeout",
        "3s",
        "SELECT count(*) FROM flows",
    ]);
    let took = t.elapsed();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "{err}");
    assert!(
        err.contains(&url) && err.contains("--timeout") && err.contains("(command line)"),
        "{err}"
    );
    assert!(took < Duration::from_secs(25), "ended after {took:?}");
    // The same for pivots.
    let o =
        run(&["pivots", "--data", data.to_str().unwrap(), "--cluster", &url, "--timeout", "2s"]);
    let _ = scheduler.kill();
    let _ = scheduler.wait();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "{err}");
    assert!(err.contains("pivots on cluster") && err.contains("--timeout"), "{err}");
}
