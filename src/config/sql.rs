//! `sql`: validated settings from its raw arguments.

use super::parse::size;
use crate::cli::SqlArgs;
use crate::error::Result;
use crate::sql::SqlConfig;
use crate::sql::context::SqlSettings;
use crate::sql::timerange::TimeRange;

impl SqlConfig {
    /// Validate `sql`'s arguments; `now_ms` anchors relative `--since`/`--until`.
    pub fn from_args(a: &SqlArgs, now_ms: i64) -> Result<Self> {
        let mut settings = SqlSettings::default();
        if let Some(m) = &a.memory_limit {
            settings.memory_limit_bytes = size("--memory-limit", m)?;
        }
        if let Some(p) = a.target_partitions {
            settings.target_partitions = p;
        }
        settings.cluster = super::parse::cluster(a.cluster.as_deref())?;
        let on_cluster = settings.cluster.is_some();
        settings.cluster_timeout = super::parse::cluster_timeout(&a.timeout)?;
        Ok(SqlConfig {
            data: a.data.clone(),
            query: a.query.clone(),
            file: a.file.clone(),
            range: TimeRange::parse(a.since.as_deref(), a.until.as_deref(), now_ms)?,
            params: crate::sql::params::parse_params(&a.param)?,
            settings,
            format: a.format,
            output: a.output.clone(),
            inventory: crate::inventory::Inventory::load(
                a.inventory.as_deref(),
                a.hosts_file.as_deref(),
            )?,
            leases: match &a.leases {
                Some(_) if on_cluster => {
                    return Err(crate::error::Error::config(
                        "--leases",
                        "not with --cluster yet: the `leases` table lives in this process",
                    ));
                }
                Some(path) => Some(crate::pivot::leases::Leases::load(path)?),
                None => None,
            },
        })
    }
}
