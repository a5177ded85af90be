//! `--features cluster` (issue 13): a Ballista scheduler and two executors started as child
//! processes of the built binary on 127.0.0.1; every shipped query and the sessions view give
//! byte-identical output through `sql --cluster` and locally (the golden files).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::sql_golden::{CASES, golden, query};
use crate::support::run;

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
    let sched = port();
    let spawn = |args: &[String]| {
        Command::new(crate::support::bin())
            .arg("cluster")
            .args(args)
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
        let o = run(&[
            "sql",
            "--data",
            data.to_str().unwrap(),
            "--cluster",
            &url,
            "--format",
            "csv",
            "SELECT count(*) AS n FROM flows",
        ]);
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

fn sql(data: &Path, cluster: &str, args: &[&str]) -> String {
    let mut argv =
        vec!["sql", "--data", data.to_str().unwrap(), "--cluster", cluster, "--format", "csv"];
    argv.extend_from_slice(args);
    let o = run(&argv);
    assert!(o.status.success(), "sql --cluster {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
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

#[test]
fn an_unreachable_cluster_is_an_error_naming_it() {
    let data = crate::sql_fixture::store("cluster-down");
    let url = format!("df://127.0.0.1:{}", port());
    let o = run(&["sql", "--data", data.to_str().unwrap(), "--cluster", &url, "SELECT 1"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains(&url) || err.contains("127.0.0.1"), "{err}");
}
