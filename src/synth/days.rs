//! Several days of one network (`synth --days N`): background traffic per day (a weekend day
//! carries 40 % of a weekday's flows), the routines of `routines` with their drift, and from
//! day `attacks_from` on one attack a day (kinds in turn) plus the off-hours attack on weekend
//! days, and the decoys. Written straight into a flow store; the truth lists per day the
//! attacks, decoys and routine chains.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::attacks::{self, KINDS};
use super::routines::Routines;
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
    /// Routine admin, automation, deployment and DBA chains (concurrent sessions on a jump
    /// host form further such chains that are not listed).
    pub routine: Vec<TruthChain>,
}

/// Truth of a multi-day run.
#[derive(Debug, Serialize)]
pub struct DaysTruth {
    /// One entry per day, oldest first.
    pub days: Vec<DayTruth>,
}

/// Attack kinds of day `d` (1-based): one of the first five in turn, plus the off-hours
/// weekend chain on Saturdays and Sundays.
pub fn kinds_of(d: u32, attacks_from: u32, weekend: bool) -> Vec<&'static str> {
    if d < attacks_from {
        return Vec::new();
    }
    let mut k = vec![KINDS[((d - attacks_from) % 5) as usize]];
    if weekend {
        k.push(KINDS[5]);
    }
    k
}

/// Generate `days` days from `cfg` (its start's date, its flows per weekday) into `root`.
pub fn write(
    cfg: &SynthConfig,
    days: u32,
    attacks_from: u32,
    root: &std::path::Path,
) -> Result<(SynthSummary, DaysTruth)> {
    let t = &cfg.traffic;
    let first = chrono::DateTime::from_timestamp_millis(t.start_ms)
        .ok_or_else(|| Error::config("--start", "out of range"))?
        .date_naive();
    let timeout = cfg.behaviour.active_timeout_ms;
    let mut routines = Routines::new(t.seed, t.hosts);
    let mut truth = DaysTruth { days: Vec::new() };
    let mut all: Vec<Box<dyn Iterator<Item = super::encode::SynthFlow>>> = Vec::new();
    for d in 1..=days {
        let date: NaiveDate = first + chrono::Duration::days(i64::from(d - 1));
        // Not pivot::history::is_weekend: the generator shares no rule with the detector it tests.
        let weekend = date.weekday().number_from_monday() >= 6;
        let day_start = date.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis();
        let mut extra = Vec::new();
        let routine = routines.day(day_start, weekend, timeout, &mut extra);
        let attacks: Vec<TruthChain> = kinds_of(d, attacks_from, weekend)
            .into_iter()
            .map(|k| attacks::attack(&routines, k, t.seed, day_start, timeout, &mut extra))
            .collect();
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
        });
        all.push(Box::new(super::merge_by_end(Box::new(background), extra)));
        truth.days.push(DayTruth { date: date.to_string(), weekend, attacks, decoys, routine });
    }
    let flows = all.into_iter().flatten();
    let summary = super::write_store_from(cfg, super::assign_exporters(cfg, flows), root)?;
    Ok((summary, truth))
}
