//! Zeek's JSON-lines log format: one object a line with Zeek's keys (`id.orig_h`), the
//! flattened spelling some pipelines write (`id_orig_h`), or a nested `id` object.

use serde::Deserialize;

use super::conn::Conn;
use super::{parse_count, parse_seconds_us};

/// A number as Zeek writes it, or as a pipeline re-wrote it (a string; an ISO 8601 time).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Num {
    Int(u64),
    Float(f64),
    Text(String),
}

impl Num {
    fn seconds_us(&self) -> Option<i64> {
        match self {
            Num::Int(n) => i64::try_from(*n).ok()?.checked_mul(1_000_000),
            Num::Float(f) if f.is_finite() && f.abs() < 1e12 => Some((f * 1e6).round() as i64),
            Num::Float(_) => None,
            Num::Text(s) => parse_seconds_us(s),
        }
    }

    fn count(&self) -> Option<u64> {
        match self {
            Num::Int(n) => Some(*n),
            Num::Float(f) if *f >= 0.0 && f.fract() == 0.0 && *f < 1e19 => Some(*f as u64),
            Num::Float(_) => None,
            Num::Text(s) => parse_count(s),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct Id {
    orig_h: Option<String>,
    orig_p: Option<Num>,
    resp_h: Option<String>,
    resp_p: Option<Num>,
}

/// The keys read; any others are ignored.
#[derive(Debug, Default, Deserialize)]
struct Entry {
    #[serde(rename = "_path")]
    path: Option<String>,
    ts: Option<Num>,
    #[serde(rename = "id.orig_h", alias = "id_orig_h")]
    orig_h: Option<String>,
    #[serde(rename = "id.orig_p", alias = "id_orig_p")]
    orig_p: Option<Num>,
    #[serde(rename = "id.resp_h", alias = "id_resp_h")]
    resp_h: Option<String>,
    #[serde(rename = "id.resp_p", alias = "id_resp_p")]
    resp_p: Option<Num>,
    id: Option<Id>,
    proto: Option<String>,
    duration: Option<Num>,
    conn_state: Option<String>,
    history: Option<String>,
    orig_pkts: Option<Num>,
    orig_ip_bytes: Option<Num>,
    orig_bytes: Option<Num>,
    resp_pkts: Option<Num>,
    resp_ip_bytes: Option<Num>,
    resp_bytes: Option<Num>,
    #[serde(rename = "_system_name")]
    system_name: Option<String>,
    #[serde(rename = "_node_name")]
    node_name: Option<String>,
    #[serde(rename = "@system")]
    at_system: Option<String>,
}

/// What a JSON line was.
pub enum Line {
    /// A conn entry.
    Conn(Box<Conn>),
    /// An entry of another log (`_path` is not `conn`).
    OtherLog,
}

/// Parse one JSON line. Errors name the field.
pub fn line(text: &str) -> Result<Line, String> {
    let e: Entry = serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))?;
    if e.path.as_deref().is_some_and(|p| p != "conn") {
        return Ok(Line::OtherLog);
    }
    let id = e.id.unwrap_or_default();
    let orig_h = e.orig_h.or(id.orig_h).ok_or("id.orig_h is missing")?;
    let resp_h = e.resp_h.or(id.resp_h).ok_or("id.resp_h is missing")?;
    let port = |n: Option<Num>, name: &str| -> Result<u16, String> {
        let n = n.ok_or_else(|| format!("{name} is missing"))?;
        n.count().and_then(|p| u16::try_from(p).ok()).ok_or_else(|| format!("{name} {n:?}"))
    };
    let count = |n: &Option<Num>, name: &str| -> Result<Option<u64>, String> {
        n.as_ref().map(|n| n.count().ok_or_else(|| format!("{name} {n:?}"))).transpose()
    };
    let ts = e.ts.ok_or("ts is missing")?;
    let conn = Conn {
        ts_us: ts.seconds_us().ok_or_else(|| format!("ts {ts:?} is not a time"))?,
        duration_us: match &e.duration {
            Some(d) => d.seconds_us().ok_or_else(|| format!("duration {d:?}"))?,
            None => 0,
        },
        orig_h: Some(orig_h.parse().map_err(|_| format!("id.orig_h {orig_h:?}"))?),
        orig_p: port(e.orig_p.or(id.orig_p), "id.orig_p")?,
        resp_h: Some(resp_h.parse().map_err(|_| format!("id.resp_h {resp_h:?}"))?),
        resp_p: port(e.resp_p.or(id.resp_p), "id.resp_p")?,
        proto: e.proto.ok_or("proto is missing")?,
        conn_state: e.conn_state.unwrap_or_default(),
        history: e.history.unwrap_or_default(),
        orig_pkts: count(&e.orig_pkts, "orig_pkts")?.unwrap_or(0),
        orig_bytes: match count(&e.orig_ip_bytes, "orig_ip_bytes")? {
            Some(b) => b,
            None => count(&e.orig_bytes, "orig_bytes")?.unwrap_or(0),
        },
        resp_pkts: count(&e.resp_pkts, "resp_pkts")?.unwrap_or(0),
        resp_bytes: match count(&e.resp_ip_bytes, "resp_ip_bytes")? {
            Some(b) => b,
            None => count(&e.resp_bytes, "resp_bytes")?.unwrap_or(0),
        },
        sensor: e.system_name.or(e.node_name).or(e.at_system),
    };
    Ok(Line::Conn(Box::new(conn)))
}
