//! Where a store's files are read from: a local folder, or an S3-compatible object store
//! (`--data s3://bucket/prefix`).
//!
//! Readers name store files by path either way: a local path, or the object's URL
//! (`s3://bucket/prefix/date=D/hour=H/NAME.parquet`, a `Path` whose text is the URL, so every
//! message names the object as the user would). The few things a reader asks of the files
//! before DataFusion reads them — the folders and files under a folder, a file's size, a
//! Parquet footer — go through this module, which asks the filesystem or the object store.
//!
//! The object store is DataFusion's `object_store` (the same crate DataFusion reads it with),
//! configured from the usual AWS environment variables (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`/`AWS_DEFAULT_REGION`,
//! `AWS_ENDPOINT_URL` for a server other than AWS, e.g. MinIO; a plain `http://` endpoint is
//! allowed because the user named it). Each request gives up after bounded retries and time
//! (`client_limits`: 5 s to connect, 3 retries within 30 s), so a wrong endpoint is an error
//! naming the URL (exit 4), never a hang.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use datafusion::execution::object_store::{DefaultObjectStoreRegistry, ObjectStoreRegistry};
use object_store::aws::AmazonS3Builder;
use object_store::{ObjectStore, ObjectStoreExt};
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};

use crate::error::{Error, Result};

/// The URL scheme of a store on S3.
pub const S3_SCHEME: &str = "s3://";

/// True when `p` names an object store location (`s3://…`), not a local path.
pub fn is_remote(p: &Path) -> bool {
    p.to_str().is_some_and(|s| s.starts_with(S3_SCHEME))
}

/// `s3://bucket/a/b` → (`s3://bucket`, `a/b`), the key without leading or trailing slashes.
fn split(p: &Path) -> Result<(String, object_store::path::Path)> {
    let text = p.to_str().unwrap_or_default();
    let rest = text.strip_prefix(S3_SCHEME).unwrap_or(text);
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(Error::config("--data", format!("{text}: no bucket (s3://BUCKET/PREFIX)")));
    }
    let key = object_store::path::Path::parse(key.trim_matches('/'))
        .map_err(|e| Error::config("--data", format!("{text}: {e}")))?;
    Ok((format!("{S3_SCHEME}{bucket}"), key))
}

/// Timeouts and retries of every object store request: a few tries within seconds, not
/// object_store's default of ten retries over three minutes (a wrong endpoint would look hung).
fn client_limits() -> (object_store::ClientOptions, object_store::RetryConfig) {
    let options = object_store::ClientOptions::new()
        .with_connect_timeout(Duration::from_secs(5))
        .with_timeout(Duration::from_secs(120));
    let retry = object_store::RetryConfig {
        max_retries: 3,
        retry_timeout: Duration::from_secs(30),
        backoff: object_store::BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            base: 2.0,
        },
    };
    (options, retry)
}

/// A client for the bucket of `bucket_url` (`s3://bucket`), from the AWS environment.
fn build_s3(bucket_url: &str) -> Result<Arc<dyn ObjectStore>> {
    let (mut options, retry) = client_limits();
    let endpoint = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT"]
        .iter()
        .find_map(|k| std::env::var(k).ok());
    if endpoint.is_some_and(|e| e.starts_with("http://")) {
        options = options.with_allow_http(true);
    }
    let store = AmazonS3Builder::from_env()
        .with_url(bucket_url)
        .with_client_options(options)
        .with_retry(retry)
        .build()
        .map_err(|e| Error::config("--data", format!("{bucket_url}: {e}")))?;
    Ok(Arc::new(store))
}

/// Object store clients built so far, by bucket URL.
type Clients = Mutex<HashMap<String, Arc<dyn ObjectStore>>>;

fn client(bucket_url: &str, cache: &Clients) -> Result<Arc<dyn ObjectStore>> {
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = cache.get(bucket_url) {
        return Ok(s.clone());
    }
    let store = build_s3(bucket_url)?;
    cache.insert(bucket_url.to_string(), store.clone());
    Ok(store)
}

/// The clients and runtime this module's own requests use (listing, sizes, footers): one
/// runtime for the whole process, so pooled connections outlive any query's runtime.
fn io() -> Result<&'static (tokio::runtime::Runtime, Clients)> {
    static IO: OnceLock<(tokio::runtime::Runtime, Clients)> = OnceLock::new();
    // One builder at a time: a runtime built in a race and dropped inside a query's runtime
    // would panic.
    static BUILDING: Mutex<()> = Mutex::new(());
    if let Some(io) = IO.get() {
        return Ok(io);
    }
    let _one = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(io) = IO.get() {
        return Ok(io);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("pivotflow-s3")
        .enable_all()
        .build()
        .map_err(|e| Error::io("tokio runtime (object store)", e))?;
    Ok(IO.get_or_init(|| (rt, Mutex::new(HashMap::new()))))
}

/// Run one object store request of `p`'s bucket to completion from synchronous code (also
/// from inside a query's runtime: the request runs on this module's runtime).
fn request<T, F>(
    p: &Path,
    f: impl FnOnce(Arc<dyn ObjectStore>, object_store::path::Path) -> F,
) -> Result<T>
where
    F: std::future::Future<Output = object_store::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let (bucket, key) = split(p)?;
    let (rt, clients) = io()?;
    let store = client(&bucket, clients)?;
    let task = rt.spawn(f(store, key));
    let wait = || futures::executor::block_on(task);
    let joined = match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(wait)
        }
        _ => wait(),
    };
    joined
        .map_err(|e| Error::Internal { detail: format!("object store request: {e}") })?
        .map_err(|e| remote_error(p, e))
}

/// An object store error as an I/O error naming the URL (exit 4).
fn remote_error(p: &Path, e: object_store::Error) -> Error {
    Error::io(p, std::io::Error::other(e.to_string()))
}

/// One entry of a folder: its path and whether it is a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The path (local) or URL (`s3://…`).
    pub path: PathBuf,
    /// A folder (an object store: a common prefix).
    pub dir: bool,
}

/// Requests to an object store in flight at once for one `par_map` (each is a round trip of
/// tens of milliseconds to a real region; a night's checks are ~150 of them).
const IN_FLIGHT: usize = 16;

/// `f` over `items`, results in `items`' order. When `within` (any path of the store the
/// items are in: its root, a folder or a file) is remote, up to `IN_FLIGHT` items at once
/// (their requests wait on the network, not on a core); locally one after another (a footer
/// read from the page cache costs microseconds).
pub fn par_map<T: Sync, R: Send>(within: &Path, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if !is_remote(within) || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..IN_FLIGHT.min(items.len()))
            .map(|_| {
                scope.spawn(|| {
                    // Each worker takes the next item when it is free: results carry their index.
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { return mine };
                        mine.push((i, f(item)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The entries of folder `dir`, sorted by path. A local folder that cannot be read is an
/// error; an object store prefix with nothing under it is empty.
pub fn list(dir: &Path) -> Result<Vec<Entry>> {
    let mut out = if is_remote(dir) {
        let (url, listed) = listing(dir)?;
        let dirs = listed.common_prefixes.iter().map(|k| Entry { path: url(k), dir: true });
        let files = listed.objects.iter().map(|o| Entry { path: url(&o.location), dir: false });
        dirs.chain(files).collect()
    } else {
        std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .map(|path| Entry { dir: path.is_dir(), path })
            .collect::<Vec<_>>()
    };
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The objects directly under prefix `dir` of an object store with their sizes.
pub fn list_sizes(dir: &Path) -> Result<Vec<(PathBuf, u64)>> {
    let (url, listed) = listing(dir)?;
    Ok(listed.objects.iter().map(|o| (url(&o.location), o.size)).collect())
}

/// What is directly under prefix `dir` of an object store (one request), and how to turn a
/// key of it into its URL.
fn listing(
    dir: &Path,
) -> Result<(impl Fn(&object_store::path::Path) -> PathBuf, object_store::ListResult)> {
    let listed = request(dir, |store, key| async move {
        let prefix = (!key.as_ref().is_empty()).then_some(key);
        store.list_with_delimiter(prefix.as_ref()).await
    })?;
    let (bucket, _) = split(dir)?;
    Ok((move |k: &object_store::path::Path| PathBuf::from(format!("{bucket}/{k}")), listed))
}

/// Put local file `file` at object store URL `url` (one request; the whole file in memory).
pub fn put_file(file: &Path, url: &Path) -> Result<()> {
    let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
    request(url, |store, key| async move { store.put(&key, bytes.into()).await.map(|_| ()) })
}

/// True when `dir` is a folder (an object store: a prefix with at least one object under it).
pub fn is_dir(dir: &Path) -> bool {
    if is_remote(dir) { list(dir).is_ok_and(|e| !e.is_empty()) } else { dir.is_dir() }
}

/// The size of `file` in bytes.
pub fn size(file: &Path) -> Result<u64> {
    if is_remote(file) {
        request(file, |store, key| async move { store.head(&key).await.map(|m| m.size) })
    } else {
        Ok(std::fs::metadata(file).map_err(|e| Error::io(file, e))?.len())
    }
}

/// Bytes read from an object's end in one request, enough for the footer of an hour file or
/// an admin piece (a few KB); a bigger footer costs a second request.
const FOOTER_GUESS: u64 = 64 * 1024;

/// The Parquet footer of `file` (one read locally; on an object store one request for the
/// object's last `FOOTER_GUESS` bytes, a second only for a bigger footer), or what was wrong
/// with it.
pub fn footer(file: &Path) -> std::result::Result<ParquetMetaData, String> {
    if !is_remote(file) {
        let f = std::fs::File::open(file).map_err(|e| e.to_string())?;
        return ParquetMetaDataReader::new().parse_and_finish(&f).map_err(|e| e.to_string());
    }
    let bytes = request(file, |store, key| async move {
        let options = object_store::GetOptions {
            range: Some(object_store::GetRange::Suffix(FOOTER_GUESS)),
            ..Default::default()
        };
        let got = store.get_opts(&key, options).await?;
        let (size, start) = (got.meta.size, got.range.start);
        let tail = got.bytes().await?;
        if size < 12 || tail.len() < 8 {
            return Ok(None);
        }
        let end = tail.len();
        let len = u64::from(u32::from_le_bytes([
            tail[end - 8],
            tail[end - 7],
            tail[end - 6],
            tail[end - 5],
        ]));
        if &tail[end - 4..] != b"PAR1" || len + 8 > size {
            return Ok(None);
        }
        let from = size - 8 - len;
        if from >= start {
            let at = usize::try_from(from - start).unwrap_or(usize::MAX).min(end - 8);
            return Ok(Some(tail.slice(at..end - 8)));
        }
        store.get_range(&key, from..size - 8).await.map(Some)
    })
    .map_err(|e| e.to_string())?;
    let Some(bytes) = bytes else {
        return Err("not a Parquet file (no footer)".to_string());
    };
    ParquetMetaDataReader::decode_metadata(&bytes).map_err(|e| e.to_string())
}

/// The URL DataFusion lists folder `dir` with: a local folder's canonical path, or the object
/// store URL, with a trailing slash.
pub fn table_url(dir: &Path) -> Result<String> {
    if is_remote(dir) {
        let text = dir.to_str().unwrap_or_default().trim_end_matches('/');
        return Ok(format!("{text}/"));
    }
    Ok(format!("{}/", dir.canonicalize().map_err(|e| Error::io(dir, e))?.display()))
}

/// Check that the store at `root` can be read: a local folder exists, an object store prefix
/// can be listed (credentials, endpoint and bucket are right). The error names `root`.
pub fn check_store(root: &Path) -> Result<()> {
    if is_remote(root) {
        return list(root).map(|_| ());
    }
    if !root.is_dir() {
        return Err(Error::config(
            "--data",
            format!("{} is not a flow store folder", root.display()),
        ));
    }
    Ok(())
}

/// A DataFusion object store registry that builds an S3 client from the AWS environment the
/// first time a query reads an `s3://` URL of a bucket (a local session, a cluster's scheduler
/// and executors alike); every other URL as DataFusion's default registry does.
#[derive(Debug, Default)]
pub struct Registry {
    default: DefaultObjectStoreRegistry,
    s3: Clients,
}

impl Registry {
    /// A registry (one per runtime environment).
    pub fn new() -> Arc<Self> {
        Arc::new(Registry::default())
    }
}

impl ObjectStoreRegistry for Registry {
    fn register_store(
        &self,
        url: &url::Url,
        store: Arc<dyn ObjectStore>,
    ) -> Option<Arc<dyn ObjectStore>> {
        self.default.register_store(url, store)
    }

    fn get_store(&self, url: &url::Url) -> datafusion::error::Result<Arc<dyn ObjectStore>> {
        if url.scheme() != "s3" {
            return self.default.get_store(url);
        }
        let bucket = format!("{S3_SCHEME}{}", url.host_str().unwrap_or_default());
        client(&bucket, &self.s3)
            .map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_map_keeps_the_order_and_overlaps_remote_items_only() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let items: Vec<usize> = (0..40).collect();
        for (root, overlap) in [("s3://b/p", true), ("/tmp/local", false)] {
            let (now, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
            let out = par_map(Path::new(root), &items, |i| {
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(n, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
                now.fetch_sub(1, Ordering::SeqCst);
                i * 2
            });
            assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>(), "{root}");
            let most = most.load(Ordering::SeqCst);
            assert!(
                if overlap { most > 1 && most <= IN_FLIGHT } else { most == 1 },
                "{root}: {most}"
            );
        }
    }

    #[test]
    fn urls_split_into_bucket_and_key() {
        let (b, k) = split(Path::new("s3://flows/site-a/date=2026-11-27/")).unwrap();
        assert_eq!((b.as_str(), k.as_ref()), ("s3://flows", "site-a/date=2026-11-27"));
        let (b, k) = split(Path::new("s3://flows")).unwrap();
        assert_eq!((b.as_str(), k.as_ref()), ("s3://flows", ""));
        assert!(split(Path::new("s3:///x")).is_err(), "no bucket");
        assert!(is_remote(Path::new("s3://flows")) && !is_remote(Path::new("/data/s3:")));
        assert_eq!(table_url(Path::new("s3://flows/a/")).unwrap(), "s3://flows/a/");
        // A URL kept as a path still joins and splits as the URL.
        let f = Path::new("s3://flows/a").join("date=2026-11-27").join("hour=10");
        assert_eq!(f.to_str(), Some("s3://flows/a/date=2026-11-27/hour=10"));
        assert_eq!(
            f.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()),
            Some("date=2026-11-27")
        );
    }

    #[test]
    fn a_local_footer_and_listing() {
        let dir = std::env::temp_dir().join(format!("pivotflow-objects-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("x.parquet"), b"PAR1 not really").unwrap();
        let entries = list(&dir).unwrap();
        assert_eq!(entries.len(), 2);
        assert!(entries[0].dir && !entries[1].dir, "{entries:?}");
        assert_eq!(size(&dir.join("x.parquet")).unwrap(), 15);
        assert!(footer(&dir.join("x.parquet")).is_err());
        assert!(is_dir(&dir) && !is_dir(&dir.join("nope")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
