//! `pivotflow cluster`: an Apache DataFusion Ballista scheduler and executors embedded in the
//! binary (built with `--features cluster`), and the client side: a DataFusion session whose
//! plans run on a Ballista cluster (`sql --cluster df://HOST:PORT`).
//!
//! Embedded rather than the stock `ballista-scheduler`/`ballista-executor` binaries because our
//! plans need prost without its 100-level recursion limit and bigger thread stacks than 2 MiB
//! (deep plan decoding); both are set here.
//!
//! Security: a scheduler or executor runs whatever plan reaches it and reads any file it can, with
//! no authentication. Both bind to 127.0.0.1 unless another address is given explicitly.

use std::net::SocketAddr;

use crate::error::{Error, Result};

/// Stack of the cluster runtimes' threads (deep plans overflow the default 2 MiB in debug).
#[cfg(feature = "cluster")]
const STACK_BYTES: usize = 32 << 20;

/// `pivotflow cluster scheduler|executor`, validated.
#[derive(Debug, Clone)]
pub enum ClusterRole {
    /// Schedule jobs, listening on this address (gRPC).
    Scheduler {
        /// Where to listen.
        bind: SocketAddr,
    },
    /// Run tasks for the scheduler at `scheduler`, listening on `bind` (Arrow Flight) and
    /// `grpc` (the scheduler's calls).
    Executor {
        /// The scheduler.
        scheduler: SocketAddr,
        /// Arrow Flight address (results and shuffle data).
        bind: SocketAddr,
        /// gRPC port for the scheduler's calls, on the same host.
        grpc_port: u16,
        /// Tasks run at once (default: cores).
        slots: Option<usize>,
    },
}

#[cfg(feature = "cluster")]
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(STACK_BYTES)
        .build()
        .map_err(|e| Error::io("tokio runtime", e))
}

#[cfg(feature = "cluster")]
fn ballista_err(addr: SocketAddr, e: impl std::fmt::Display) -> Error {
    Error::io(format!("cluster {addr}"), std::io::Error::other(e.to_string()))
}

/// Run a scheduler or an executor until it stops (an error, or a signal).
#[cfg(feature = "cluster")]
pub fn run(role: &ClusterRole) -> Result<()> {
    use std::sync::Arc;
    let rt = runtime()?;
    match role.clone() {
        ClusterRole::Scheduler { bind } => rt.block_on(async move {
            use ballista_scheduler::cluster::BallistaCluster;
            use ballista_scheduler::config::SchedulerConfig;
            let config = SchedulerConfig {
                bind_host: bind.ip().to_string(),
                bind_port: bind.port(),
                external_host: bind.ip().to_string(),
                // Plans list the store's files here: s3:// stores need their client.
                override_session_builder: Some(Arc::new(|config| {
                    let state = ballista_core::utils::default_session_builder(config)?;
                    Ok(datafusion::execution::SessionStateBuilder::new_from_existing(state)
                        .with_runtime_env(object_store_runtime()?)
                        .build())
                })),
                ..Default::default()
            };
            let cluster = BallistaCluster::new_from_config(&config)
                .await
                .map_err(|e| ballista_err(bind, e))?;
            ballista_scheduler::scheduler_process::start_server(cluster, bind, Arc::new(config))
                .await
                .map_err(|e| ballista_err(bind, e))
        }),
        ClusterRole::Executor { scheduler, bind, grpc_port, slots } => rt.block_on(async move {
            // Ballista reports a taken port as the --bind address whichever it was: name it.
            port_free(bind, "--bind")?;
            port_free(SocketAddr::new(bind.ip(), grpc_port), "--grpc-port")?;
            use ballista_executor::executor_process::{
                ExecutorProcessConfig, start_executor_process,
            };
            let mut config = ExecutorProcessConfig {
                bind_host: bind.ip().to_string(),
                external_host: Some(bind.ip().to_string()),
                port: bind.port(),
                grpc_port,
                scheduler_host: scheduler.ip().to_string(),
                scheduler_port: scheduler.port(),
                // Results leave as whole record batches: at 100 M flows the flows of possible
                // pivot hosts were one 22.7 MB message, over the 16 MiB default ("encoded
                // message length too large"); the client accepts as much (`client_config`).
                grpc_max_encoding_message_size: 1 << 30,
                grpc_max_decoding_message_size: 1 << 30,
                // Tasks read the store: s3:// stores need their client (Ballista adds each
                // task's memory pool to this environment).
                override_runtime_producer: Some(Arc::new(|_| object_store_runtime())),
                ..Default::default()
            };
            if let Some(n) = slots {
                config.vcores = n.max(1);
            }
            start_executor_process(Arc::new(config)).await.map_err(|e| ballista_err(bind, e))
        }),
    }
}

/// A runtime environment whose object store registry reads `s3://` stores
/// (`store::objects::Registry`).
#[cfg(feature = "cluster")]
fn object_store_runtime()
-> datafusion::error::Result<std::sync::Arc<datafusion::execution::runtime_env::RuntimeEnv>> {
    datafusion::execution::runtime_env::RuntimeEnvBuilder::new()
        .with_object_store_registry(crate::store::objects::Registry::new())
        .build_arc()
}

/// Can this process listen on `addr`? An error names the option that gave it (a second
/// executor on one host needs its own `--bind` port and `--grpc-port`).
#[cfg(feature = "cluster")]
fn port_free(addr: SocketAddr, option: &str) -> Result<()> {
    match std::net::TcpListener::bind(addr) {
        Ok(_) => Ok(()),
        Err(e) => Err(Error::io(
            format!("{option} {addr}"),
            std::io::Error::new(
                e.kind(),
                format!("{e} (another executor on this host? give each its own {option})"),
            ),
        )),
    }
}

/// The client's session settings for a cluster: Ballista's, with its adaptive query planner
/// (AQE) on unless `adaptive` is false. Ballista 55's AQE replans a stage whose input turns out
/// empty and then cannot cancel the stage it replaced ("there are stages to be cancelled but
/// its not implemented"; "task metrics array size 8 does not equal with the stage metrics array
/// size 9"): on the `sessions` view of small lab stores the scheduler relaunched the tasks for
/// ever. The static planner runs those plans; it is not the default because it made other
/// queries several times slower at 100 M flows (top_talkers 64 s vs 11 s locally).
#[cfg(feature = "cluster")]
pub fn client_config(
    config: datafusion::prelude::SessionConfig,
    adaptive: bool,
) -> datafusion::prelude::SessionConfig {
    use ballista::prelude::SessionConfigExt;
    let mut config = config.upgrade_for_ballista().with_ballista_adaptive_query_planner(adaptive);
    // Results come back as Flight messages of whole record batches: at 100 M flows the flows of
    // possible pivot hosts arrived as a 22.7 MB message, over Ballista's 16 MiB default.
    let _ = config
        .options_mut()
        .set("ballista.client.grpc_max_message_size", &(1u64 << 30).to_string());
    config
}

/// Without `--features cluster`: the settings as they are (no cluster can be reached).
#[cfg(not(feature = "cluster"))]
pub fn client_config(
    config: datafusion::prelude::SessionConfig,
    _adaptive: bool,
) -> datafusion::prelude::SessionConfig {
    config
}

/// Without `--features cluster`: a clear refusal.
#[cfg(not(feature = "cluster"))]
pub fn run(_role: &ClusterRole) -> Result<()> {
    Err(not_built())
}

/// The error of every cluster option in a build without the feature.
pub fn not_built() -> Error {
    Error::config(
        "cluster",
        "this pivotflow was built without cluster support (cargo build --features cluster)",
    )
}

/// A session whose plans run on the cluster at `url` (`df://HOST:PORT`), with `state`'s settings.
#[cfg(feature = "cluster")]
pub async fn remote_context(
    url: &str,
    state: datafusion::execution::SessionState,
) -> Result<datafusion::prelude::SessionContext> {
    use ballista::prelude::SessionContextExt;
    // Ballista connects lazily, at the first query, and then reports a query error: check the
    // scheduler is there first, so a cluster that is down is an I/O failure naming it (exit 4).
    let hostport = url.trim_start_matches("df://");
    let reachable = std::net::ToSocketAddrs::to_socket_addrs(hostport).ok().and_then(|mut a| {
        a.find_map(|a| {
            std::net::TcpStream::connect_timeout(&a, std::time::Duration::from_secs(5)).ok()
        })
    });
    if reachable.is_none() {
        return Err(Error::io(
            format!("cluster {url}"),
            std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "no scheduler answers there",
            ),
        ));
    }
    datafusion::prelude::SessionContext::remote_with_state(url, state)
        .await
        .map_err(|e| Error::io(format!("cluster {url}"), std::io::Error::other(e.to_string())))
}

/// Without `--features cluster`: a clear refusal.
#[cfg(not(feature = "cluster"))]
pub async fn remote_context(
    _url: &str,
    _state: datafusion::execution::SessionState,
) -> Result<datafusion::prelude::SessionContext> {
    Err(not_built())
}
