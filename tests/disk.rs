//! Full disk and read-only store (issue 11), on a real 6 MiB tmpfs mounted in a private mount
//! namespace (`unshare --user --map-root-user --mount`: no root needed where user namespaces
//! are enabled, nothing mounted outside the test). The steps are in `support/full_disk.sh`.

use std::path::Path;
use std::process::Command;

use crate::support::{capture_pcaps, parquet_files, read_parquet, store_rows, tempdir, testdata};

fn text(out: &Path, name: &str) -> String {
    std::fs::read_to_string(out.join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .trim()
        .to_string()
}

#[test]
fn a_full_disk_or_read_only_store_fails_cleanly_and_loses_nothing_written() {
    let out = tempdir("disk");
    let big = out.join("big.pcap");
    let o = crate::support::run(&[
        "synth",
        "--pcap",
        big.to_str().unwrap(),
        "--flows",
        "200000",
        "--format",
        "ipfix",
        "--seed",
        "3",
        "--exporters",
        "1",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let small = testdata().join("lab/s1_onehop/export-ipfix.pcap");
    let reference = capture_pcaps("disk-ref", &[&big]);
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/full_disk.sh");
    let status = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "bash"])
        .arg(&script)
        .arg(crate::support::bin())
        .args([&small, &big, &out])
        .arg(port.to_string())
        .status()
        .expect("unshare (util-linux) runs the full-disk script");
    assert!(status.success() && !out.join("setup-error").exists(), "the tmpfs could not be set up");

    // 1. The first capture fits.
    assert_eq!(text(&out, "small.rc"), "0", "{}", text(&out, "small.err"));
    let before: Vec<_> = parquet_files(&out.join("store-before"));
    assert!(!before.is_empty());

    // 2. Disk full: exit 4 with the reason; no temp or half-written file; the first intact.
    let err = text(&out, "full.err");
    assert_eq!(text(&out, "full.rc"), "4", "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    let files = text(&out, "full.files");
    assert!(!files.contains(".tmp"), "a temp file was left: {files}");
    for f in parquet_files(&out.join("store-full")) {
        read_parquet(&f); // nothing visible is half-written
    }
    for f in &before {
        let same = out.join("store-full").join(f.strip_prefix(out.join("store-before")).unwrap());
        assert_eq!(
            std::fs::read(f).unwrap(),
            std::fs::read(&same).unwrap(),
            "{} changed",
            f.display()
        );
    }

    // 3. Space returns: the capture succeeds with every row. (Hours the failed run completed
    //    stay: its files are whole, and named flows-<run>-*, so a rerun can be told apart.)
    assert_eq!(text(&out, "again.rc"), "0", "{}", text(&out, "again.err"));
    let again = store_rows(&out.join("store-again"));
    let kept = store_rows(&out.join("store-full")).len();
    assert_eq!(again.len(), kept + reference.rows.len());

    // 4. Live: exits 4 by itself when the journal cannot grow; a restart recovers.
    let live_err = text(&out, "live.err");
    assert_eq!(text(&out, "live.rc"), "4", "the collector must exit, not hang: {live_err}");
    assert!(live_err.contains("No space left on device"), "{live_err}");
    assert_eq!(text(&out, "live2.rc"), "0", "{}", text(&out, "live2.err"));
    let live_rows = store_rows(&out.join("store-live"));
    assert!(live_rows.len() >= 20_000, "the journaled flows were recovered: {}", live_rows.len());

    // 5. Read-only store: a clear error at start, exit 4, in both modes.
    for name in ["ro", "ro-live"] {
        let err = text(&out, &format!("{name}.err"));
        assert_eq!(text(&out, &format!("{name}.rc")), "4", "{err}");
        assert!(err.contains("Read-only file system"), "{err}");
    }
}

/// The collector runs as an unprivileged user (the systemd unit in the README uses `User=`):
/// as root the test drops to `nobody` with setpriv, a live collector receives on a port above
/// 1024 and writes its store; run as another user it simply runs as that user.
#[test]
fn the_collector_runs_as_an_unprivileged_user() {
    let dir = tempdir("unprivileged");
    let data = dir.join("store");
    std::fs::create_dir_all(&data).unwrap();
    let mut cmd;
    if unsafe { libc::geteuid() } == 0 {
        // The test binary lives under /root (mode 700): link it where nobody can reach it.
        let bin = dir.join("pivotflow");
        if std::fs::hard_link(crate::support::bin(), &bin).is_err() {
            std::fs::copy(crate::support::bin(), &bin).unwrap();
        }
        for p in [&dir, &data] {
            std::os::unix::fs::chown(p, Some(65534), Some(65534)).unwrap();
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(&bin);
    } else {
        cmd = Command::new(crate::support::bin());
    }
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = cmd
        .args(["capture", "--listen", &format!("127.0.0.1:{port}"), "--flush-interval", "100ms"])
        .arg("--data")
        .arg(&data)
        .env("PIVOTFLOW_LOG", "warn")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let o = crate::support::run(&[
        "synth",
        "--send",
        &format!("127.0.0.1:{port}"),
        "--flows",
        "2000",
        "--format",
        "ipfix",
    ]);
    assert!(o.status.success());
    std::thread::sleep(std::time::Duration::from_millis(500));
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    // The link keeps a whole debug binary (1.2 GB) alive once cargo rebuilds: drop it now.
    let _ = std::fs::remove_file(dir.join("pivotflow"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(store_rows(&data).len() >= 2000, "the unprivileged collector stored the flows");
    if unsafe { libc::geteuid() } == 0 {
        use std::os::unix::fs::MetadataExt;
        for f in parquet_files(&data) {
            assert_eq!(
                std::fs::metadata(&f).unwrap().uid(),
                65534,
                "{} written by nobody",
                f.display()
            );
        }
    }
}
