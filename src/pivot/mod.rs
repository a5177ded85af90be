//! pivots: remote-administration chains A→B→C… from the flow store.
//!
//! ```text
//! flows (service ports only) → sessions view → queries/hops.sql (established admin sessions)
//!   → queries/pivot_hops.sql (continuations) → chains (petgraph) → model (score, flags)
//!   → pivots.graphml + chains.json + ranked summary on stdout
//! ```

pub mod chains;
pub mod graphml;
pub mod hops;
pub mod model;
pub mod report;
pub mod rules;

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::cli::{PivotRulesArgs, PivotsArgs};
use crate::error::{Error, Result};
use crate::sql::context::{SqlSettings, flow_context_filtered};
use crate::sql::timerange::TimeRange;
use chains::{Truncations, find_chains};
use model::Chain;
use rules::PivotRules;

/// Everything one run found.
#[derive(Debug, Serialize)]
pub struct PivotReport {
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    pub hops: usize,
    pub continuations: usize,
    pub truncations: Truncations,
    /// Chains through trusted hosts left out by `--hide-trusted`.
    pub trusted_hidden: usize,
    pub chains: Vec<Chain>,
}

/// The `--config` file: the lists that are tedious on a command line.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PivotConfigFile {
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub trusted: Vec<String>,
}

pub(crate) fn rules_from(a: &PivotRulesArgs) -> Result<PivotRules> {
    let mut r = PivotRules::default();
    let file = match &a.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            serde_json::from_str::<PivotConfigFile>(&text)
                .map_err(|e| Error::config(format!("--config {}", path.display()), e.to_string()))?
        }
        None => PivotConfigFile::default(),
    };
    let services = if a.service.is_empty() { &file.services } else { &a.service };
    if !services.is_empty() {
        r.services =
            services.iter().map(|s| rules::parse_service(s)).collect::<Result<Vec<_>>>()?.concat();
    }
    r.trusted = file
        .trusted
        .iter()
        .chain(&a.trusted)
        .map(|t| {
            t.parse::<ipnet::IpNet>()
                .or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|e| Error::config("--trusted", format!("{t:?}: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let dur = |what: &str, v: &str| {
        humantime::parse_duration(v).map_err(|e| Error::config(what, format!("{v:?}: {e}")))
    };
    r.skew = dur("--skew", &a.skew)?;
    r.slack = dur("--slack", &a.slack)?;
    r.join = a.join;
    r.hide_trusted = a.hide_trusted;
    r.baseline = match a.baseline.as_str() {
        "all" => None,
        b => Some(dur("--baseline", b)?),
    };
    r.bucket = dur("--bucket", &a.bucket)?;
    if r.bucket.as_millis() == 0 {
        return Err(Error::config("--bucket", "must be longer than 0"));
    }
    r.max_hops = a.max_hops.max(2);
    r.max_fanout = a.max_fanout.max(1);
    r.min_packets_each_way = a.min_packets;
    r.min_bytes = a.min_bytes;
    Ok(r)
}

/// Find the chains in `data` over `range`.
pub async fn find(
    data: &Path,
    range: TimeRange,
    rules: &PivotRules,
    settings: &SqlSettings,
) -> Result<PivotReport> {
    let filter = hops::service_port_filter(rules);
    let t0 = std::time::Instant::now();
    let progress = crate::progress::spinner("pivots: finding possible pivot hosts");
    let ctx = flow_context_filtered(data, range, settings, filter.clone()).await?;
    crate::sql::context::register_services(&ctx, &rules.services)?;
    let service_rows = hops::materialize_service_flows(&ctx).await?;
    tracing::info!(
        service_rows,
        elapsed_ms = t0.elapsed().as_millis() as u64,
        "flows on service ports read"
    );
    let pivot_hosts = hops::restrict_to_pivot_hosts(&ctx, rules).await?;
    tracing::info!(
        pivot_hosts,
        elapsed_ms = t0.elapsed().as_millis() as u64,
        "possible pivot hosts found"
    );
    progress.set_message("pivots: sessions, hops and continuations");
    let (all_hops, pairs) = hops::load(&ctx, rules).await?;
    progress.set_message("pivots: chains");
    tracing::info!(
        hops = all_hops.len(),
        continuations = pairs.len(),
        elapsed_ms = t0.elapsed().as_millis() as u64,
        "hops and continuations"
    );
    let (raw, truncations) = find_chains(&all_hops, &pairs, rules);
    // Baseline for "new pair": every stored admin session before the period.
    let seen_before = match range.since_ms {
        Some(since) => {
            let from = rules.baseline.map(|b| since - b.as_millis() as i64);
            let base = TimeRange { since_ms: from, until_ms: Some(since) };
            let bctx = flow_context_filtered(data, base, settings, filter).await?;
            crate::sql::context::register_services(&bctx, &rules.services)?;
            let (before, _) = hops::load(&bctx, rules).await?;
            Some(
                before
                    .into_iter()
                    .map(|h| (h.client_addr, h.server_addr, h.server_port))
                    .collect::<HashSet<_>>(),
            )
        }
        None => None,
    };
    let mut chains = model::build(&raw, &all_hops, rules, seen_before.as_ref());
    let before = chains.len();
    if rules.hide_trusted {
        chains.retain(|c| !c.trusted);
        model::rank(&mut chains);
    }
    progress.finish_and_clear();
    Ok(PivotReport {
        since_ms: range.since_ms,
        until_ms: range.until_ms,
        hops: all_hops.len(),
        continuations: pairs.len(),
        truncations,
        trusted_hidden: before - chains.len(),
        chains,
    })
}

impl PivotReport {
    /// " (+N through trusted hosts, hidden)" when `--hide-trusted` left chains out.
    pub fn hidden_note(&self) -> String {
        if self.trusted_hidden == 0 {
            return String::new();
        }
        format!(" (+{} through trusted hosts, hidden)", self.trusted_hidden)
    }
}

/// Write pivots.graphml, chains.json (and per-chain GraphML) into `out`.
pub fn write_outputs(
    out: &Path,
    report: &PivotReport,
    rules: &PivotRules,
    per_chain: bool,
) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let trusted = |a: &str| rules.is_trusted(a);
    crate::fsutil::write_atomic(&out.join("pivots.graphml"), |w| {
        graphml::write_graphml(w, &report.chains, trusted)
    })?;
    crate::fsutil::write_atomic(&out.join("chains.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, report)
            .map_err(|e| Error::io("chains.json", e.into()))?;
        writeln!(w).map_err(|e| Error::io("chains.json", e))
    })?;
    if per_chain {
        let dir = out.join("chains");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        for c in &report.chains {
            crate::fsutil::write_atomic(&dir.join(format!("{}.graphml", c.id)), |w| {
                graphml::write_graphml(w, std::slice::from_ref(c), trusted)
            })?;
        }
    }
    Ok(())
}

/// Ranked summary for a human.
pub fn summary_table(report: &PivotReport) -> String {
    let mut s = format!(
        "{} chains{} from {} hops ({} continuations); truncated: max-hops {}, fan-out {}{}\n",
        report.chains.len(),
        report.hidden_note(),
        report.hops,
        report.continuations,
        report.truncations.max_hops,
        report.truncations.fanout,
        report.truncations.chain_limit_note()
    );
    s.push_str(&format!(
        "{:>4}  {:<9} {:>6}  {:<24}  {:<18} {}\n",
        "rank", "chain", "score", "start", "services", "path / flags"
    ));
    for c in &report.chains {
        s.push_str(&format!(
            "{:>4}  {:<9} {:>6.2}  {:<24}  {:<18} {}{}\n",
            c.rank,
            c.id,
            c.score,
            c.start,
            c.services.join(","),
            c.hosts.join(" -> "),
            if c.flags.is_empty() { String::new() } else { format!("  [{}]", c.flags.join(",")) }
        ));
    }
    s
}

/// `pivotflow pivots`.
pub fn run(a: &PivotsArgs) -> Result<()> {
    let now = chrono::Utc::now().timestamp_millis();
    let range = TimeRange::parse(a.since.as_deref(), a.until.as_deref(), now)?;
    let rules = rules_from(&a.rules)?;
    let mut settings = SqlSettings::default();
    if let Some(m) = &a.memory_limit {
        settings.memory_limit_bytes = crate::sql::parse_size(m)?;
    }
    let runtime = settings.runtime()?;
    let report = runtime.block_on(find(&a.rules.data, range, &rules, &settings))?;
    write_outputs(&a.out, &report, &rules, a.per_chain)?;
    let text = if a.json {
        serde_json::to_string_pretty(&report).map_err(|e| Error::io("json", e.into()))? + "\n"
    } else {
        summary_table(&report)
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("<stdout>", e)),
        _ => Ok(()),
    }
}
