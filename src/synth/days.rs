//! Several days of one network (`synth --days N`, `--shape teams|sites`): background traffic
//! per day (a weekend day carries 40 % of a weekday's flows), the routines of `routines` with
//! their drift and the routine change of `events`, and from day `attacks_from` on one attack a
//! day (the shape's kinds in turn) plus the off-hours attack on weekend days, the first attack
//! again on the last day (when the run has a week of attacks), and the decoys. Written straight
//! into a flow store; the truth lists per day the attacks, decoys, routine events and routine
//! chains.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::attacks;
use super::events::{self, RoutineEvent};
use super::routines::{Routines, Shape};
use super::scenario::{Decoy, TruthChain};
use super::traffic::{Traffic, TrafficParams};
use super::{SynthConfig, SynthSummary};
use crate::error::{Error, Result};

/// What happened on one day.
#[derive(Debug, Serialize)]
pub struct DayTruth {
    /// YYYY-MM-DD.
    pub date: String,
    /// Saturday or Sunday (less admin work).
    pub weekend: bool,
    /// Attack chains: each must be an alert.
    pub attacks: Vec<TruthChain>,
    /// Must not be reported at all.
    pub decoys: Vec<Decoy>,
    /// Routine change that day (`events`): each may make at most one incident, naming it.
    pub routine_events: Vec<RoutineEvent>,
    /// Routine admin, automation, deployment and DBA chains (concurrent sessions on a jump
    /// host form further such chains that are not listed).
    pub routine: Vec<TruthChain>,
}

/// Truth of a multi-day run.
#[derive(Debug, Serialize)]
pub struct DaysTruth {
    /// The network's shape.
    pub shape: Shape,
    /// One entry per day, oldest first.
    pub days: Vec<DayTruth>,
}

/// Attack kinds of day `d` (1-based): one of the shape's rotation in turn, plus the off-hours
/// weekend chain on Saturdays and Sundays.
pub fn kinds_of(shape: Shape, d: u32, attacks_from: u32, weekend: bool) -> Vec<&'static str> {
    if d < attacks_from {
        return Vec::new();
    }
    let rotation = attacks::kinds(shape);
    let mut k = vec![rotation[(d - attacks_from) as usize % rotation.len()]];
    if weekend {
        k.push(attacks::WEEKEND_KIND);
    }
    k
}

/// Options of a multi-day run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaysPlan {
    /// Days to generate.
    pub days: u32,
    /// First day (1-based) with attacks.
    pub attacks_from: u32,
    /// The network's shape.
    pub shape: Shape,
}

/// Fewest hosts `--days` accepts when it reaches `--attacks-from`: a tenth of the hosts are servers, 48 of them in fixed roles
/// (automation, CI, git, backup, application and database servers), and the attacks need Linux
/// and Windows servers outside those (a long chain four distinct Linux servers). With fewer,
/// the generator would search forever for a server that does not exist.
pub const MIN_HOSTS: u32 = 1000;

/// Generate `days` days from `cfg` (its start's date, its flows per weekday) into `root`.
pub fn write(
    cfg: &SynthConfig,
    plan: DaysPlan,
    root: &std::path::Path,
) -> Result<(SynthSummary, DaysTruth)> {
    let DaysPlan { days, attacks_from, shape } = plan;
    let t = &cfg.traffic;
    let first = chrono::DateTime::from_timestamp_millis(t.start_ms)
        .ok_or_else(|| Error::config("--start", "out of range"))?
        .date_naive();
    let timeout = cfg.behaviour.active_timeout_ms;
    let mut routines = Routines::new(t.seed, t.hosts, shape);
    let mut truth = DaysTruth { shape, days: Vec::new() };
    let mut all: Vec<Box<dyn Iterator<Item = super::encode::SynthFlow>>> = Vec::new();
    let date_of = |d: u32| first + chrono::Duration::days(i64::from(d - 1));
    // Not pivot::history::is_weekend: the generator shares no rule with the detector it tests.
    let weekday = |d: u32| date_of(d).weekday().number_from_monday();
    let calendar: Vec<(bool, bool)> =
        (1..=days).map(|d| (weekday(d) >= 6, weekday(d) == 6)).collect();
    let schedule = events::schedule(t.seed, &calendar, t.hosts);
    let mut migrating: Vec<(usize, usize)> = Vec::new();
    let mut first_attack: Option<TruthChain> = None;
    for d in 1..=days {
        let date: NaiveDate = date_of(d);
        let weekend = calendar[(d - 1) as usize].0;
        let day_start = date.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis();
        events::finish_migrations(&mut routines, &std::mem::take(&mut migrating));
        let routine_events: Vec<RoutineEvent> = schedule[(d - 1) as usize]
            .iter()
            .map(|k| events::apply(&mut routines, k, t.seed, day_start, &mut migrating))
            .collect();
        let mut extra = Vec::new();
        let routine = routines.day(day_start, weekend, timeout, &mut extra);
        let mut attacks: Vec<TruthChain> = kinds_of(shape, d, attacks_from, weekend)
            .into_iter()
            .map(|k| attacks::attack(&routines, k, t.seed, day_start, timeout, &mut extra))
            .collect();
        if first_attack.is_none() {
            first_attack = attacks.first().cloned();
        }
        if d == days
            && days >= attacks_from + 6
            && let Some(a) = &first_attack
        {
            attacks.push(attacks::repeat(a, t.seed, day_start, timeout, &mut extra));
        }
        let decoys = if d >= attacks_from {
            attacks::decoys(&routines, t.seed, day_start, timeout, &mut extra)
        } else {
            Vec::new()
        };
        extra.sort_by_key(|f| f.end_ms);
        let flows = if weekend { t.flows * 2 / 5 } else { t.flows };
        let background = Traffic::new(TrafficParams {
            flows,
            start_ms: day_start,
            span_ms: 86_400_000,
            seed: t.seed.wrapping_add(u64::from(d)),
            ..t.clone()
        })
        .with_plan(routines.net.plan);
        all.push(Box::new(super::merge_by_end(Box::new(background), extra)));
        truth.days.push(DayTruth {
            date: date.to_string(),
            weekend,
            attacks,
            decoys,
            routine_events,
            routine,
        });
    }
    let flows = all.into_iter().flatten();
    let summary = super::write_store_from(cfg, super::assign_exporters(cfg, flows), root)?;
    Ok((summary, truth))
}
