//! Where the pivot stages run, decided once (`Engine`) instead of a branch in each stage.
//!
//! - `Local`: one process. The service-port flows are read once into memory, as `flows` of a
//!   session of their own; the night's admin connections are computed from them natively, the
//!   possible pivot hosts from those connections (`report`) or, for `pivots`, by
//!   queries/pivot_host_candidates.sql (asked as one aggregate by host,
//!   `hops::candidates_and_count`) and queries/pivot_hosts.sql over the candidates' flows only
//!   (`via_candidates`).
//! - `Cluster`: a Ballista cluster. The service-port flows stay on the executors (`flows` is the
//!   filtered view they scan); queries/admin_pairs.sql and queries/pivot_host_candidates.sql
//!   (a superset of the possible pivot hosts, by host; asked as one aggregate with the count,
//!   `hops::candidates_and_count`) run there, only the candidates' flows come back, and
//!   queries/pivot_hosts.sql keeps the possible pivot hosts among them here.
//!
//! Either way the hop and chain stages run in a new in-process session whose `flows` are the
//! flows of possible pivot hosts: a session's `flows` is never replaced by other rows (the
//! store's session: the store's service-port view; the engine's: those flows in memory).

use datafusion::arrow::array::RecordBatch;
use datafusion::prelude::SessionContext;

use super::rules::PivotRules;
use super::{history, hops};
use crate::error::Result;
use crate::sql::context::SqlSettings;

/// What `find` hands back besides the chains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facts {
    /// Also gather the period's history facts (`report` keeps them): the night's admin
    /// connections (`history::admin_facts`; on a cluster queries/admin_pairs.sql), which also
    /// give the possible pivot hosts.
    Gather,
    /// Chains only (`pivots`).
    Skip,
}

/// The session over the store's service-port flows, and where they live.
pub enum Engine {
    /// In this process, the flows in memory.
    Local {
        /// A session whose `flows` is the in-memory table of `service_flows`.
        ctx: SessionContext,
        /// The service-port flows of the period.
        service_flows: Vec<RecordBatch>,
        /// The addresses each leased identity had in them (`--leases`).
        held: super::leases::Held,
    },
    /// On a cluster, the flows on the executors.
    Cluster {
        /// The remote session; `flows` is the filtered view the executors scan.
        ctx: SessionContext,
        /// A remote session over the period's flows only, when `ctx` also reads a look-back
        /// before it (the night's counts and admin connections are the period's).
        period: Option<SessionContext>,
        /// How many service-port flows the period has.
        rows: usize,
        /// Candidate pivot hosts (queries/pivot_host_candidates.sql, a superset).
        hosts: Vec<String>,
    },
}

impl Engine {
    /// The engine for a session over the store's service-port flows (`open_store`): locally
    /// they are read into memory now (and the store's session is let go); on a cluster their
    /// count and the candidate pivot hosts are asked now, as one job with one scan
    /// (`hops::candidates_and_count`; as two jobs at once, the count and the query, they read
    /// the service-port flows three times).
    /// With a look-back (`since`: the period's start), `earlier` is a session over the flows
    /// of the look-back (locally; those that can be on a chain with the period's are read), on
    /// a cluster over the look-back and the period together (the candidate pivot hosts and
    /// their flows are asked there; `store`, the period's, gives the counts and facts).
    pub async fn new(
        store: SessionContext,
        settings: &SqlSettings,
        rules: &PivotRules,
        since: Option<i64>,
        earlier: Option<SessionContext>,
    ) -> Result<Self> {
        Ok(if settings.cluster.is_some() {
            let (ctx, period) = match earlier {
                Some(both) => (both, Some(store)),
                None => (store, None),
            };
            let (mut rows, hosts) = hops::candidates_and_count(&ctx, rules).await?;
            if let Some(p) = &period {
                rows = hops::count_flows(p).await?;
            }
            Engine::Cluster { ctx, period, rows, hosts }
        } else {
            let ctx = crate::sql::context::local_session(settings)?;
            let earlier = since.zip(earlier.as_ref());
            let (service_flows, held) =
                hops::materialize_service_flows(&store, earlier, &ctx, rules).await?;
            Engine::Local { ctx, service_flows, held }
        })
    }

    /// The session over the service-port flows (debug builds check the native admin
    /// connections against queries/admin_pairs.sql in it).
    #[cfg(debug_assertions)]
    fn ctx(&self) -> &SessionContext {
        match self {
            Engine::Local { ctx, .. } | Engine::Cluster { ctx, .. } => ctx,
        }
    }

    /// The addresses each leased identity had in the flows (`--leases`; none on a cluster).
    pub fn held(&self) -> super::leases::Held {
        match self {
            Engine::Local { held, .. } => held.clone(),
            Engine::Cluster { .. } => super::leases::Held::new(),
        }
    }

    /// How many service-port flow records the period (from `since` on) has.
    pub async fn service_rows(&self, since: Option<i64>) -> Result<usize> {
        match self {
            Engine::Local { service_flows, .. } => match since {
                None => Ok(service_flows.iter().map(RecordBatch::num_rows).sum()),
                Some(s) => service_flows.iter().map(|b| hops::arrived_from(b, s)).sum(),
            },
            Engine::Cluster { rows, .. } => Ok(*rows),
        }
    }

    /// The night's established admin connections (`report` only; none for `Facts::Skip`):
    /// natively from the flows in memory (`history::admin_facts`; debug builds check them
    /// against queries/admin_pairs.sql), on a cluster by queries/admin_pairs.sql there.
    pub async fn admin_connections(
        &self,
        rules: &PivotRules,
        gather: Facts,
        since: Option<i64>,
    ) -> Result<history::AdminConnections> {
        if gather == Facts::Skip {
            return Ok(history::AdminConnections::default());
        }
        match self {
            Engine::Local { service_flows, .. } => {
                let c = history::admin_facts(
                    service_flows,
                    &rules.services,
                    rules.min_packets_each_way,
                    since,
                )?;
                #[cfg(debug_assertions)]
                {
                    let by_sql = match since {
                        Some(_) if service_flows.is_empty() => Vec::new(),
                        None => history::admin_pairs(self.ctx(), rules).await?,
                        Some(s) => {
                            let period = hops::arrived_session(service_flows, s, rules).await?;
                            history::admin_pairs(&period, rules).await?
                        }
                    };
                    assert!(
                        c.facts == by_sql,
                        "admin connections: native and admin_pairs.sql differ"
                    );
                }
                Ok(c)
            }
            Engine::Cluster { ctx, period, .. } => Ok(history::AdminConnections {
                facts: history::admin_pairs(period.as_ref().unwrap_or(ctx), rules).await?,
                earlier: Vec::new(),
            }),
        }
    }

    /// A new session for the hop and chain stages, with `flows` the flows touching a possible
    /// pivot host (few), and how many such hosts there are. With the night's admin connections
    /// at hand (`report`, locally), the possible pivot hosts are the hosts that are client of
    /// one and server of another (what pivot_hosts.sql computes from the same two aggregates),
    /// so that query is not run again. The service-port flows in memory are let go.
    pub async fn pivot_host_flows(
        self,
        settings: &SqlSettings,
        rules: &PivotRules,
        admin: &history::AdminConnections,
        have_connections: bool,
    ) -> Result<(SessionContext, usize)> {
        let target = crate::sql::context::local_session(settings)?;
        match self {
            Engine::Local { ctx, service_flows, .. } => {
                drop(service_flows);
                let n = if have_connections {
                    let hosts = admin.pivot_hosts();
                    #[cfg(debug_assertions)]
                    {
                        let by_sql = hops::pivot_hosts(&ctx, rules).await?;
                        assert_eq!(
                            hosts, by_sql,
                            "pivot hosts: admin connections vs pivot_hosts.sql"
                        );
                    }
                    hops::restrict_to_hosts(&ctx, &target, rules, &hosts, POSSIBLE).await?
                } else {
                    let (_, hosts) = hops::candidates_and_count(&ctx, rules).await?;
                    via_candidates(&ctx, &target, settings, rules, &hosts).await?
                };
                Ok((target, n))
            }
            Engine::Cluster { ctx, hosts, .. } => {
                via_candidates(&ctx, &target, settings, rules, &hosts).await.map(|n| (target, n))
            }
        }
    }
}

/// Register in `target` the flows of the possible pivot hosts among `candidates` (a superset,
/// queries/pivot_host_candidates.sql): every flow of each candidate is taken from `ctx` (on a
/// cluster, that is what comes back), and queries/pivot_hosts.sql over those few rows keeps
/// exactly the hosts it keeps over the whole period, without its aggregates by 5-tuple and join
/// over every service-port flow (most of a cluster night's time when they ran there, and the
/// biggest step of a local one). Returns the number of possible pivot hosts.
async fn via_candidates(
    ctx: &SessionContext,
    target: &SessionContext,
    settings: &SqlSettings,
    rules: &PivotRules,
    candidates: &[String],
) -> Result<usize> {
    let of_candidates = crate::sql::context::local_session(settings)?;
    hops::restrict_to_hosts(ctx, &of_candidates, rules, candidates, "candidate pivot hosts")
        .await?;
    let hosts = hops::pivot_hosts(&of_candidates, rules).await?;
    // Debug builds (the tests) check the two steps against pivot_hosts.sql over everything.
    #[cfg(debug_assertions)]
    assert_eq!(hosts, hops::pivot_hosts(ctx, rules).await?, "pivot hosts: via candidates");
    hops::restrict_to_hosts(&of_candidates, target, rules, &hosts, POSSIBLE).await
}

/// How the log names the flows the hop and chain stages run on.
const POSSIBLE: &str = "possible pivot hosts";
