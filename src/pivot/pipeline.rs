//! `find`, stage by stage: the store's service-port flows → the night's admin connections →
//! the flows of possible pivot hosts → hops and continuations (`hops`) → chains (`chains`) →
//! the baseline about their hosts (`history`) → scored chains (`model`) → incidents
//! (`incident`) → the night's history facts. Each stage is one function with what it needs in
//! and what the next one needs out; `find` only runs them in order and logs their times.

use std::path::Path;

use datafusion::prelude::SessionContext;

use super::chains::find_chains;
use super::engine::Engine;
use super::engine::Facts;
use super::history::ack;
use super::hops::Hop;
use super::outcome::{PivotReport, known_hosts};
use super::rules::PivotRules;
use super::score::incident;
use super::score::model::{self, Chain};
use super::{history, hops};
use crate::error::Result;
use crate::sql::context::{AdminRead, SqlSettings, flow_context_filtered};
use crate::sql::timerange::TimeRange;
use crate::store::check::Unreadable;

/// Where the history is and which day it is scored for: the partitions of the
/// `rules.history_days` days before `day` in `dir` are read.
#[derive(Debug, Clone, Copy)]
pub struct HistoryAt<'a> {
    /// The history folder (`REPORTS/history`).
    pub dir: &'a Path,
    /// The day being scored; only earlier days are read.
    pub day: chrono::NaiveDate,
}

/// Find the chains in `data` over `range` and score them against the history (none: cold).
/// (Its length is the stages in order and the report's fields, one per line.)
pub async fn find(
    data: &Path,
    range: TimeRange,
    rules: &PivotRules,
    settings: &SqlSettings,
    history_at: Option<HistoryAt<'_>>,
    gather: Facts,
) -> Result<PivotReport> {
    let t0 = std::time::Instant::now();
    let ms = || t0.elapsed().as_millis() as u64;
    let progress = crate::progress::spinner("pivots: finding possible pivot hosts");
    // With a period start, the flows of the look-back before it are read too, so that a chain
    // whose sessions straddle the start is seen whole (`lookback_from`).
    let since = lookback_from(range, rules);
    let (ctx, mut unreadable, hours_with_flows) = open_store(data, range, rules, settings).await?;
    // The look-back's flows in a session of their own (so that the period's are read as
    // without it); on a cluster the look-back and the period together, where the candidate
    // pivot hosts and their flows are asked.
    let mut earlier = None;
    if let Some(s) = since {
        let from = Some(s - rules.lookback.as_millis() as i64);
        let until = if settings.cluster.is_some() { range.until_ms } else { Some(s) };
        let (c, more, _) =
            open_store(data, TimeRange { since_ms: from, until_ms: until }, rules, settings)
                .await?;
        for u in more {
            if !unreadable.iter().any(|x| x.path == u.path) {
                unreadable.push(u);
            }
        }
        earlier = Some(c);
    }
    let engine = Engine::new(ctx, settings, rules, since, earlier).await?;
    let service_rows = engine.service_rows(since).await?;
    let held = engine.held();
    tracing::info!(service_rows, elapsed_ms = ms(), "flows on service ports read");
    let admin = engine.admin_connections(rules, gather, since).await?;
    if gather == Facts::Gather {
        let n = admin.facts.len();
        tracing::info!(admin_pairs = n, elapsed_ms = ms(), "admin connections for the history");
    }
    let (ctx, pivot_hosts) =
        engine.pivot_host_flows(settings, rules, &admin, gather == Facts::Gather).await?;
    tracing::info!(pivot_hosts, elapsed_ms = ms(), "possible pivot hosts found");
    progress.set_message("pivots: sessions, hops and continuations");
    let (all_hops, pairs) = hops::load(&ctx, rules).await?;
    // What the period before saw of the hops: a continuation it saw, and a chain of those
    // alone, were its to report (its facts, its chains).
    let at_start = match since {
        Some(s) => hops::at_start(&ctx, &all_hops, s).await?,
        None => vec![hops::AtStart { in_period: true, before: None }; all_hops.len()],
    };
    let seen_before = |(p, c): (usize, usize)| at_start[p].continued_before(&at_start[c], rules);
    progress.set_message("pivots: chains");
    let period_hops = at_start.iter().filter(|a| a.in_period).count();
    let period_pairs: Vec<(usize, usize)> =
        pairs.iter().copied().filter(|&pair| !seen_before(pair)).collect();
    let continuations = period_pairs.len();
    tracing::info!(
        hops = period_hops,
        continuations,
        earlier_hops = all_hops.len() - period_hops,
        elapsed_ms = ms(),
        "hops and continuations"
    );
    let (mut raw, truncations) = find_chains(&all_hops, &pairs, rules);
    raw.retain(|r| !r.hops.windows(2).all(|w| seen_before((w[0], w[1]))));
    tracing::info!(chains = raw.len(), elapsed_ms = ms(), "chains assembled");
    let baseline = baseline_about(history_at, &raw, &all_hops, rules)?;
    // The working day of tonight's origins as the scoring saw it (trusted chains included),
    // for the time-zone hint.
    let (mut chains, working) = model::build(&raw, &all_hops, &pairs, rules, &baseline);
    tracing::info!(chains = chains.len(), elapsed_ms = ms(), "chains merged, scored and ranked");
    let before = chains.len();
    if rules.hide_trusted {
        chains.retain(|c| !c.trusted);
        model::rank(&mut chains);
    }
    let timezone_hint =
        if rules.timezone_given { None } else { working.and_then(super::outcome::timezone_hint) };
    if let Some(hint) = &timezone_hint {
        tracing::warn!("{hint}");
    }
    let incidents = incident::group(&mut chains, &baseline.acks, baseline.zone, baseline.days == 0);
    tracing::debug!(incidents = incidents.len(), elapsed_ms = ms(), "incidents grouped");
    let alerted: std::collections::HashSet<&str> =
        incidents.iter().filter(|i| i.alert).map(|i| i.id.as_str()).collect();
    let facts = match gather {
        Facts::Gather => day_facts(admin.facts, &all_hops, &period_pairs, &alerted, &chains, rules),
        Facts::Skip => history::DayFacts::default(),
    };
    tracing::debug!(elapsed_ms = ms(), "the night's history facts gathered");
    progress.finish_and_clear();
    let hosts = known_hosts(&rules.inventory, &held, &chains);
    Ok(PivotReport {
        since_ms: range.since_ms,
        timezone: rules.timezone.name().to_string(),
        until_ms: range.until_ms,
        service_flows: service_rows,
        hours_with_flows,
        hops: period_hops,
        continuations,
        truncations,
        trusted_hidden: before - chains.len(),
        alerts: alerted.len(),
        alert_chains: chains.iter().filter(|c| c.alert).count(),
        routine_hidden: if rules.hide_routine {
            chains.iter().filter(|c| !alerted.contains(c.incident.as_str())).count()
        } else {
            0
        },
        alert_threshold: rules.alert_threshold,
        history_days: baseline.days,
        history_withheld: baseline.withheld,
        history_days_wanted: baseline.days_wanted,
        incomplete_files: unreadable,
        history_unreadable: baseline.unreadable,
        timezone_hint,
        acknowledged: baseline.acks.iter().map(ack::AckInForce::from).collect(),
        incidents,
        chains,
        hosts,
        facts,
    })
}

/// The period's start when flows before it are read too: a start, and a look-back longer than 0.
fn lookback_from(range: TimeRange, rules: &PivotRules) -> Option<i64> {
    range.since_ms.filter(|_| !rules.lookback.is_zero())
}

/// The store's service-port flows of `range` as `flows` (with `services`) in a session:
/// hour by hour the admin layout where it holds every service-port flow, else the store;
/// unreadable store files are left out and returned (exit 3 after the outputs are written),
/// with the number of hours of the period that have flow files.
async fn open_store(
    data: &Path,
    range: TimeRange,
    rules: &PivotRules,
    settings: &SqlSettings,
) -> Result<(SessionContext, Vec<Unreadable>, usize)> {
    let t0 = std::time::Instant::now();
    let wanted =
        (!rules.services.is_empty()).then(|| crate::store::admin::AdminPorts::of(&rules.services));
    let plan = crate::store::admin::plan(data, range.since_ms, range.until_ms, wanted.as_ref())?;
    let unreadable = plan.unreadable.clone();
    let hours_with_flows = plan.admin_hours.len() + plan.store_hours.len();
    tracing::info!(
        read = %plan.describe(),
        unreadable = unreadable.len(),
        elapsed_ms = t0.elapsed().as_millis() as u64,
        "store checked"
    );
    let layout_kept = crate::store::objects::is_dir(&data.join(crate::store::admin::ADMIN_DIR));
    if layout_kept && wanted.is_some() && !plan.store_hours.is_empty() {
        for why in &plan.why_store {
            tracing::warn!(why = %why, "admin layout not usable for an hour: read from the store (`pivotflow index` repairs it)");
        }
    }
    for u in &unreadable {
        tracing::error!(file = %u.path.display(), why = %u.why, "store file unreadable: left out");
    }
    let exclude: Vec<_> = unreadable.iter().map(|u| u.path.clone()).collect();
    let mut admin = AdminRead { hours: &plan.admin_hours, only: plan.store_hours.is_empty() };
    if settings.cluster.is_some() && !admin.only && !admin.hours.is_empty() {
        // A union of layout and store hours makes Ballista 55 loop (see `with_admin_hours`).
        tracing::warn!(
            "on a cluster the admin layout is read only when it covers every hour: reading the full store"
        );
        admin = AdminRead::default();
    }
    let filter = hops::service_port_filter(rules);
    let ctx = flow_context_filtered(data, range, settings, filter, &exclude, admin).await?;
    crate::sql::context::register_services(&ctx, &rules.services).await?;
    Ok((ctx, unreadable, hours_with_flows))
}

/// The history about tonight's chain hosts only (exact for every lookup the score makes); an
/// empty baseline without history (cold start).
fn baseline_about(
    history_at: Option<HistoryAt<'_>>,
    raw: &[super::chains::RawChain],
    all_hops: &[Hop],
    rules: &PivotRules,
) -> Result<history::Baseline> {
    let Some(h) = history_at else {
        return Ok(history::Baseline {
            days_wanted: rules.history_days,
            zone: rules.timezone,
            ..Default::default()
        });
    };
    let interest: std::collections::HashSet<String> = raw
        .iter()
        .flat_map(|r| r.hops.iter())
        .flat_map(|&i| [all_hops[i].client_addr.clone(), all_hops[i].server_addr.clone()])
        .collect();
    let t = std::time::Instant::now();
    let mut b = history::load_about(h.dir, h.day, rules.history_days, Some(&interest))?;
    b.zone = rules.timezone;
    tracing::info!(
        days = b.days,
        hosts = interest.len(),
        elapsed_ms = t.elapsed().as_millis() as u64,
        "history read for the chains' hosts"
    );
    Ok(b)
}

/// What the night adds to the history: its admin connections and continuation patterns, the
/// deciding hops and relay steps of every alert-grade chain of an `alerted` incident marked
/// (what was alerted does not become routine by itself: `history::ALERTS_BEFORE_ROUTINE`).
fn day_facts(
    admin_pairs: Vec<history::HopFact>,
    all_hops: &[Hop],
    pairs: &[(usize, usize)],
    alerted: &std::collections::HashSet<&str>,
    chains: &[Chain],
    rules: &PivotRules,
) -> history::DayFacts {
    let mut facts = history::DayFacts {
        hops: admin_pairs,
        links: history::links(all_hops, pairs),
        busy: Vec::new(),
    };
    let alerts: Vec<&Chain> = chains
        .iter()
        .filter(|c| {
            alerted.contains(c.incident.as_str()) && !c.trusted && c.score >= rules.alert_threshold
        })
        .collect();
    let deciding = alerts.iter().map(|c| c.deciding.clone()).collect();
    let steps = alerts
        .iter()
        .flat_map(|c| c.hosts.windows(3))
        .map(|w| (w[0].clone(), w[1].clone(), w[2].clone()))
        .collect();
    facts.mark_alerted(&deciding, &steps);
    facts
}
