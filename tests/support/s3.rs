//! An S3-compatible server for the tests: `moto_server` (PyPI `moto[server]`, installed by
//! `.ci/run`) on a free port of 127.0.0.1, with helpers to fill a bucket from a local store and
//! to run pivotflow against it with the usual AWS environment variables.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use object_store::aws::AmazonS3Builder;
use object_store::{ObjectStore, ObjectStoreExt};

/// A running moto server; killed on drop.
pub struct S3Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free TCP port on 127.0.0.1 (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl S3Server {
    /// Start one and wait until it answers.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Start one with `env` set (`INITIAL_NO_AUTH_ACTION_COUNT=0`: every request must be signed
    /// by a key the server knows, so the test keys are refused).
    pub fn start_with(env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server (PyPI `moto[server]`; .ci/run installs it)");
        let server = S3Server { child, endpoint: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(200));
        }
        server
    }

    /// The environment pivotflow (and its cluster processes) read the store with.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }

    fn client(&self, bucket: &str) -> Arc<dyn ObjectStore> {
        Arc::new(
            AmazonS3Builder::new()
                .with_endpoint(&self.endpoint)
                .with_allow_http(true)
                .with_bucket_name(bucket)
                .with_access_key_id("testing")
                .with_secret_access_key("testing")
                .with_region("us-east-1")
                .build()
                .unwrap(),
        )
    }

    /// Create `bucket` (moto: an unsigned `PUT /bucket`).
    pub fn create_bucket(&self, bucket: &str) {
        use std::io::{Read, Write};
        let host = self.endpoint.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(host).unwrap();
        write!(s, "PUT /{bucket} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "create bucket {bucket}: {reply}");
    }

    /// Put `bytes` at `key` of `bucket`.
    pub fn put(&self, bucket: &str, key: &str, bytes: Vec<u8>) {
        let store = self.client(bucket);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(store.put(&object_store::path::Path::from(key), bytes.into())).unwrap();
    }

    /// Copy every file under local folder `dir` (hidden ones too: the admin layout) to
    /// `bucket` under `prefix`, keeping relative paths.
    pub fn upload(&self, dir: &Path, bucket: &str, prefix: &str) {
        fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                if e.file_type().unwrap().is_dir() {
                    walk(&e.path(), out);
                } else {
                    out.push(e.path());
                }
            }
        }
        let mut files = Vec::new();
        walk(dir, &mut files);
        assert!(!files.is_empty(), "nothing to upload in {}", dir.display());
        for f in files {
            let rel = f.strip_prefix(dir).unwrap().to_str().unwrap().to_string();
            self.put(bucket, &format!("{prefix}/{rel}"), std::fs::read(&f).unwrap());
        }
    }

    /// `pivotflow ARGS` with this server's AWS environment and `log` as `PIVOTFLOW_LOG`.
    pub fn run(&self, args: &[&str], log: &str) -> Output {
        let mut cmd = Command::new(super::bin());
        cmd.args(args).env("PIVOTFLOW_LOG", log).env_remove("AWS_PROFILE");
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd.output().expect("run pivotflow")
    }
}
