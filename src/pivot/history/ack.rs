//! Acknowledgements: an analyst marks an incident known-good, and its pattern is routine from
//! the next night on.
//!
//! `pivotflow ack --reports DIR DAY/incident-N --reason TEXT` reads the incident from
//! `DIR/DAY/chains.json` and records its pattern in `DIR/history/acks.json`: every hop of its
//! chains as (client, server, service, UTC hours) and every continuation between them as
//! (inbound client, relay, outbound server, services), with the time and the reason. When the
//! history is read for a later night, these facts count as learned on the incident's day
//! (even where that day's alert kept them out of the baseline), so the same pattern is no
//! longer new; nights up to the incident's own day are scored as before (a rerun of them is
//! unchanged). `--undo` withdraws an acknowledgement (kept in the file with the time, so the
//! record shows what was acknowledged when); `--list` prints them. Each report lists the
//! acknowledgements in force and marks incidents whose every hop an acknowledgement covers.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{DayFacts, HopFact, LinkFact};
use crate::error::{Error, Result};

/// One hop of an acknowledged pattern.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct AckHop {
    /// Client address.
    pub client: String,
    /// Server address.
    pub server: String,
    /// Service name.
    pub service: String,
    /// Bit h set: a hop of the pattern started in UTC hour h.
    pub hours: i32,
}

/// One continuation of an acknowledged pattern.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct AckLink {
    /// Client of the inbound session.
    pub in_client: String,
    /// The relay.
    pub pivot: String,
    /// Server of the outbound session.
    pub out_server: String,
    /// Service of the inbound session.
    pub in_service: String,
    /// Service of the outbound session.
    pub out_service: String,
}

/// One acknowledgement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Ack {
    /// `YYYY-MM-DD/incident-N`.
    pub id: String,
    /// The report day the incident is from (YYYY-MM-DD).
    pub day: String,
    /// When it was acknowledged (RFC 3339 UTC).
    pub acknowledged_at: String,
    /// Why (the analyst's words).
    pub reason: String,
    /// The incident's cause, as the report said it.
    pub cause: String,
    /// Its hosts.
    pub hosts: Vec<String>,
    /// Its hops.
    pub hops: Vec<AckHop>,
    /// Its continuations.
    pub links: Vec<AckLink>,
    /// Set when withdrawn (RFC 3339 UTC); a withdrawn acknowledgement has no effect.
    #[serde(default)]
    pub undone_at: Option<String>,
    /// Why it was withdrawn.
    #[serde(default)]
    pub undo_reason: Option<String>,
}

impl Ack {
    /// `day` as a date (none when the file was edited into something else).
    pub fn date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.day, "%Y-%m-%d").ok()
    }
}

/// An acknowledgement in force for a report, as listed in it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AckInForce {
    /// `YYYY-MM-DD/incident-N`.
    pub id: String,
    /// When it was acknowledged.
    pub acknowledged_at: String,
    /// Why.
    pub reason: String,
    /// The incident's cause.
    pub cause: String,
}

impl From<&Ack> for AckInForce {
    fn from(a: &Ack) -> Self {
        AckInForce {
            id: a.id.clone(),
            acknowledged_at: a.acknowledged_at.clone(),
            reason: a.reason.clone(),
            cause: a.cause.clone(),
        }
    }
}

/// The acknowledgements file: `<history>/acks.json`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Acks {
    /// Oldest first.
    pub acks: Vec<Ack>,
}

/// `<history>/acks.json`.
pub fn path(history: &Path) -> PathBuf {
    history.join("acks.json")
}

impl Acks {
    /// Read the file (none: no acknowledgements); a damaged file is an error naming it.
    pub fn load(history: &Path) -> Result<Acks> {
        let p = path(history);
        match std::fs::read_to_string(&p) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| Error::config("acknowledgements", format!("{}: {e}", p.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Acks::default()),
            Err(e) => Err(Error::io(&p, e)),
        }
    }

    /// Write the file atomically.
    pub fn save(&self, history: &Path) -> Result<()> {
        std::fs::create_dir_all(history).map_err(|e| Error::io(history, e))?;
        let p = path(history);
        crate::store::atomic::write_atomic(&p, |w| {
            serde_json::to_writer_pretty(&mut *w, self).map_err(|e| Error::io(&p, e.into()))?;
            std::io::Write::write_all(w, b"\n").map_err(|e| Error::io(&p, e))
        })
    }

    /// Acknowledgements in force for the report of `day`: not withdrawn, of earlier days within
    /// the `window` days read.
    pub fn in_force(&self, day: NaiveDate, window: usize) -> Vec<&Ack> {
        let first = day - chrono::Duration::days(window as i64);
        self.acks
            .iter()
            .filter(|a| a.undone_at.is_none() && a.date().is_some_and(|d| d < day && d >= first))
            .collect()
    }
}

/// Count the facts of acknowledgements in force as learned on their day (un-withhold them,
/// or add them where the day's history lacks them). `days` are the history days read, oldest
/// first.
pub fn apply(days: &mut [(NaiveDate, DayFacts)], acks: &[&Ack]) {
    for a in acks {
        let Some((_, facts)) = days.iter_mut().find(|(d, _)| Some(*d) == a.date()) else {
            continue;
        };
        for h in &a.hops {
            match facts
                .hops
                .iter_mut()
                .find(|f| (&f.client, &f.server, &f.service) == (&h.client, &h.server, &h.service))
            {
                Some(f) => {
                    f.alerted = false;
                    f.hours |= h.hours;
                }
                None => facts.hops.push(HopFact {
                    client: h.client.clone(),
                    server: h.server.clone(),
                    service: h.service.clone(),
                    connections: 1,
                    first_ms: 0,
                    last_ms: 0,
                    hours: h.hours,
                    alerted: false,
                }),
            }
        }
        for l in &a.links {
            let key = (&l.in_client, &l.pivot, &l.out_server, &l.in_service, &l.out_service);
            match facts.links.iter_mut().find(|f| {
                (&f.in_client, &f.pivot, &f.out_server, &f.in_service, &f.out_service) == key
            }) {
                Some(f) => {
                    f.alerted = false;
                    f.sole = f.sole.max(1);
                }
                None => facts.links.push(LinkFact {
                    in_client: l.in_client.clone(),
                    pivot: l.pivot.clone(),
                    out_server: l.out_server.clone(),
                    in_service: l.in_service.clone(),
                    out_service: l.out_service.clone(),
                    links: 1,
                    first_ms: 0,
                    sole: 1,
                    prompt: 0,
                    alerted: false,
                }),
            }
        }
    }
}

/// A hop as an acknowledgement is checked against: client, server, service, start (UTC ms).
pub type TimedHop = (String, String, String, i64);

/// The acknowledgement that covers every hop of `hops`: the same hops, each started in a UTC hour
/// the acknowledged incident had for it, on the same kind of day (weekday or weekend, in
/// `zone`) as the incident's day. An acknowledged path used at another time is not covered: it
/// is judged by its score (against a history that has learned the acknowledged facts), so that a
/// path acknowledged on a weekday afternoon still alerts when it is used on a Sunday at 02:00.
pub fn covering<'a>(acks: &[&'a Ack], hops: &[TimedHop], zone: chrono_tz::Tz) -> Option<&'a Ack> {
    acks.iter().copied().find(|a| {
        let Some(day) = a.date() else { return false };
        let weekend = super::is_weekend(day);
        let known: std::collections::BTreeMap<(&str, &str, &str), i32> = a
            .hops
            .iter()
            .map(|h| ((h.client.as_str(), h.server.as_str(), h.service.as_str()), h.hours))
            .collect();
        !hops.is_empty()
            && hops.iter().all(|(c, s, v, start)| {
                let hour = super::hour_of(*start);
                known
                    .get(&(c.as_str(), s.as_str(), v.as_str()))
                    .is_some_and(|hours| hours & (1 << hour) != 0)
                    && super::weekend_at(*start, zone) == weekend
            })
    })
}

/// What `pivotflow ack` does.
#[derive(Debug, Clone, PartialEq)]
pub enum AckAction {
    /// Acknowledge `DAY/incident-N` with a reason.
    Add {
        /// The day of the report.
        day: NaiveDate,
        /// `incident-N`.
        incident: String,
        /// Why.
        reason: String,
    },
    /// Withdraw an acknowledgement.
    Undo {
        /// `DAY/incident-N`.
        id: String,
        /// Why (optional).
        reason: Option<String>,
    },
    /// Print the acknowledgements.
    List,
}

/// `pivotflow ack`, validated.
#[derive(Debug, Clone)]
pub struct AckConfig {
    /// The reports folder (`report --out`).
    pub reports: PathBuf,
    /// What to do.
    pub action: AckAction,
}

/// Split `DAY/incident-N` (or take `incident-N` with `day`).
pub fn parse_id(text: &str, day: Option<&str>) -> Result<(NaiveDate, String)> {
    let bad = |why: &str| {
        Error::config("INCIDENT", format!("{text:?}: {why} (use YYYY-MM-DD/incident-N)"))
    };
    let (d, inc) = match (text.split_once('/'), day) {
        (Some((d, i)), _) => (d.to_string(), i.to_string()),
        (None, Some(d)) => (d.to_string(), text.to_string()),
        (None, None) => return Err(bad("no day")),
    };
    let day =
        NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| bad("the day is not YYYY-MM-DD"))?;
    if !inc.starts_with("incident-") || inc["incident-".len()..].parse::<u32>().is_err() {
        return Err(bad("not incident-N"));
    }
    Ok((day, inc))
}

fn str_field<'a>(v: &'a serde_json::Value, k: &str) -> &'a str {
    v.get(k).and_then(serde_json::Value::as_str).unwrap_or_default()
}

/// The hop patterns (client, server, service, with the hours of the day they were seen) and
/// link patterns of these chains (chains.json entries), each once, sorted.
fn patterns<'a>(
    chains: impl Iterator<Item = &'a serde_json::Value>,
) -> (Vec<AckHop>, Vec<AckLink>) {
    let mut hops: std::collections::BTreeMap<(String, String, String), i32> = Default::default();
    let mut links: BTreeSet<AckLink> = BTreeSet::new();
    for c in chains {
        let Some(hs) = c.get("hops").and_then(|v| v.as_array()) else { continue };
        for h in hs {
            let start = h.get("start_ms").and_then(|v| v.as_i64()).unwrap_or(0);
            let hour = super::hour_of(start);
            let key = (
                str_field(h, "client_addr").to_string(),
                str_field(h, "server_addr").to_string(),
                str_field(h, "service").to_string(),
            );
            *hops.entry(key).or_default() |= 1 << hour;
        }
        for w in hs.windows(2) {
            if str_field(&w[0], "server_addr") != str_field(&w[1], "client_addr") {
                continue;
            }
            links.insert(AckLink {
                in_client: str_field(&w[0], "client_addr").to_string(),
                pivot: str_field(&w[0], "server_addr").to_string(),
                out_server: str_field(&w[1], "server_addr").to_string(),
                in_service: str_field(&w[0], "service").to_string(),
                out_service: str_field(&w[1], "service").to_string(),
            });
        }
    }
    let hops = hops
        .into_iter()
        .map(|((client, server, service), hours)| AckHop { client, server, service, hours })
        .collect();
    (hops, links.into_iter().collect())
}

/// Read `incident` from the report of `day` and build its acknowledgement.
pub fn from_report(
    reports: &Path,
    day: NaiveDate,
    incident: &str,
    reason: &str,
    now: &str,
) -> Result<Ack> {
    let file = reports.join(day.format("%Y-%m-%d").to_string()).join("chains.json");
    let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
    let r: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::config("report", format!("{}: {e}", file.display())))?;
    let empty = Vec::new();
    let incidents = r.get("incidents").and_then(|v| v.as_array()).unwrap_or(&empty);
    let inc = incidents.iter().find(|i| str_field(i, "id") == incident).ok_or_else(|| {
        Error::config(
            "INCIDENT",
            format!("no {incident} in {} ({} incidents)", file.display(), incidents.len()),
        )
    })?;
    let ids: BTreeSet<&str> = inc
        .get("chains")
        .and_then(|v| v.as_array())
        .unwrap_or(&empty)
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    let chains = r.get("chains").and_then(|v| v.as_array()).unwrap_or(&empty);
    let (hops, links) = patterns(chains.iter().filter(|c| ids.contains(str_field(c, "id"))));
    Ok(Ack {
        id: format!("{}/{incident}", day.format("%Y-%m-%d")),
        day: day.format("%Y-%m-%d").to_string(),
        acknowledged_at: now.to_string(),
        reason: reason.to_string(),
        cause: str_field(inc, "cause").to_string(),
        hosts: inc
            .get("hosts")
            .and_then(|v| v.as_array())
            .unwrap_or(&empty)
            .iter()
            .filter_map(|h| h.as_str().map(str::to_string))
            .collect(),
        hops,
        links,
        undone_at: None,
        undo_reason: None,
    })
}

/// `pivotflow ack`: one line on stdout saying what was done.
pub fn run(c: &AckConfig) -> Result<()> {
    let history = c.reports.join("history");
    let mut acks = Acks::load(&history)?;
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let line = match &c.action {
        AckAction::Add { day, incident, reason } => {
            let a = from_report(&c.reports, *day, incident, reason, &now)?;
            acks.acks.retain(|x| !(x.id == a.id && x.undone_at.is_none()));
            let line = format!(
                "acknowledged {} ({}; {} hops, {} continuations): routine from the night after {} on\n",
                a.id,
                a.cause,
                a.hops.len(),
                a.links.len(),
                a.day
            );
            acks.acks.push(a);
            acks.save(&history)?;
            line
        }
        AckAction::Undo { id, reason } => {
            let a =
                acks.acks.iter_mut().find(|a| &a.id == id && a.undone_at.is_none()).ok_or_else(
                    || Error::config("--undo", format!("{id}: no acknowledgement in force")),
                )?;
            a.undone_at = Some(now);
            a.undo_reason = reason.clone();
            acks.save(&history)?;
            format!(
                "withdrew {id}: nights after {} are scored without it again\n",
                id.split('/').next().unwrap_or("")
            )
        }
        AckAction::List => {
            let mut s = String::new();
            for a in &acks.acks {
                s += &format!(
                    "{}  {}  {}  {}{}\n",
                    a.id,
                    a.acknowledged_at,
                    a.cause,
                    a.reason,
                    a.undone_at.as_ref().map(|u| format!("  [withdrawn {u}]")).unwrap_or_default()
                );
            }
            if s.is_empty() {
                s = "no acknowledgements\n".into();
            }
            s
        }
    };
    crate::sql::print::print_text(&line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_a_day_and_an_incident() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 12).unwrap();
        assert_eq!(parse_id("2026-11-12/incident-3", None).unwrap(), (d, "incident-3".into()));
        assert_eq!(parse_id("incident-3", Some("2026-11-12")).unwrap(), (d, "incident-3".into()));
        assert!(parse_id("incident-3", None).is_err());
        assert!(parse_id("2026-13-12/incident-3", None).is_err());
        assert!(parse_id("2026-11-12/chain-3", None).is_err());
    }

    #[test]
    fn an_acknowledged_pattern_is_learned_on_its_day_even_when_withheld() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 12).unwrap();
        let mut facts = DayFacts::default();
        facts.hops.push(HopFact {
            client: "A".into(),
            server: "J".into(),
            service: "ssh".into(),
            connections: 2,
            first_ms: 0,
            last_ms: 0,
            hours: 1,
            alerted: true,
        });
        let a = Ack {
            id: "2026-11-12/incident-1".into(),
            day: "2026-11-12".into(),
            acknowledged_at: "t".into(),
            reason: "new admin".into(),
            cause: "new host A".into(),
            hosts: vec!["A".into(), "J".into(), "S".into()],
            hops: vec![
                AckHop { client: "A".into(), server: "J".into(), service: "ssh".into(), hours: 2 },
                AckHop { client: "J".into(), server: "S".into(), service: "ssh".into(), hours: 2 },
            ],
            links: vec![AckLink {
                in_client: "A".into(),
                pivot: "J".into(),
                out_server: "S".into(),
                in_service: "ssh".into(),
                out_service: "ssh".into(),
            }],
            undone_at: None,
            undo_reason: None,
        };
        let mut days = vec![(d, facts)];
        apply(&mut days, &[&a]);
        let f = &days[0].1;
        assert!(!f.hops[0].alerted && f.hops[0].hours == 3, "{:?}", f.hops[0]);
        assert_eq!(f.hops.len(), 2);
        assert_eq!((f.links.len(), f.links[0].sole), (1, 1));
        let acks = Acks { acks: vec![a.clone()] };
        assert_eq!(acks.in_force(d, 28).len(), 0, "not for its own day");
        assert_eq!(acks.in_force(d + chrono::Duration::days(1), 28).len(), 1);
        // Covered: the same hop at an hour the incident had (hours bit 1: 01:xx UTC) on a
        // weekday, as 2026-11-12 (a Thursday) was.
        let utc = chrono_tz::Tz::UTC;
        let at = |day: u32, hour: i64| {
            NaiveDate::from_ymd_opt(2026, 11, day)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis()
                + hour * 3_600_000
                + 600_000
        };
        let hop =
            |s: &str, start: i64| vec![("J".to_string(), s.to_string(), "ssh".to_string(), start)];
        assert!(covering(&[&a], &hop("S", at(13, 1)), utc).is_some());
        assert!(covering(&[&a], &hop("X", at(13, 1)), utc).is_none(), "another target");
        assert!(covering(&[&a], &hop("S", at(13, 14)), utc).is_none(), "another hour");
        assert!(covering(&[&a], &hop("S", at(15, 1)), utc).is_none(), "a Sunday");
        // The day's kind is the network's: 01:10 UTC on Monday the 16th is Sunday evening in
        // Los Angeles.
        let la: chrono_tz::Tz = "America/Los_Angeles".parse().unwrap();
        assert!(covering(&[&a], &hop("S", at(16, 1)), utc).is_some());
        assert!(covering(&[&a], &hop("S", at(16, 1)), la).is_none());
    }
}
