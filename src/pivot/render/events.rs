//! Alert events for a SIEM (`report --events FILE`, `pivots --events FILE`): one JSON object
//! per line per alert incident, shaped after the Elastic Common Schema (ECS 8) so Filebeat,
//! Vector, Fluent Bit or Wazuh can ship the file as it is.
//!
//! - `@timestamp` is the incident's first hop start; `event.kind` `alert`, `event.category`
//!   `network`, `event.type` `connection`, `event.id` a stable id (below), `event.start`/`end`,
//!   `event.risk_score` the incident's score; `rule.name` `pivotflow lateral movement`,
//!   `rule.description` its cause; `message` its reasons; `source.address` (and `.ip`) the
//!   origin and `destination.address` (and `.ip`) the last host of its strongest chain;
//!   `related.ip` every host (a host named by `--leases` is no IP: `*.address` and
//!   `related.hosts` only);
//!   `pivotflow.*` the day, incident, score, path, chains, reasons, possible origins and the
//!   strongest chain's hops.
//! - **Stable ids**: `event.id` is a hash of the day, the strongest chain's path and the
//!   incident's cause, so a rerun of a day finds its events already in the file and appends
//!   none of them again (the file is read for the ids it holds).
//! - **Whole lines**: a night's new events go out in one `write` to a file opened for
//!   appending, then fsynced; readers that follow the file (they read up to the last newline)
//!   never take half an event.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::pivot::outcome::PivotReport;
use crate::pivot::score::incident::Incident;

/// `event.id` of an incident of day `label`: 16 hex digits of FNV-1a over the day, the path of
/// its strongest chain and its cause (stable across reruns, different for different incidents).
pub fn event_id(label: &str, i: &Incident) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [label, &i.path.join(">"), &i.cause] {
        for b in part.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("pivotflow-{label}-{h:016x}")
}

/// The ECS event of one alert incident.
pub fn event(label: &str, report: &PivotReport, i: &Incident) -> Value {
    let strongest = i.chains.first().and_then(|id| report.chains.iter().find(|c| &c.id == id));
    let hops: Vec<Value> = strongest
        .map(|c| {
            c.hops
                .iter()
                .map(|h| {
                    json!({
                        "client": h.client_addr, "server": h.server_addr, "service": h.service,
                        "start_ms": h.start_ms, "end_ms": h.end_ms,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let origins: Vec<Value> = i
        .origins
        .iter()
        .map(|o| json!({ "host": o.host, "score": o.score, "reasons": o.reasons }))
        .collect();
    // The inventory's names (ECS `*.domain`, `related.hosts`) and entries for the hosts.
    let name = |addr: Option<&String>| {
        addr.and_then(|a| report.hosts.get(a))
            .filter(|h| !h.name.is_empty())
            .map(|h| h.name.clone())
    };
    let known: BTreeMap<&String, &crate::inventory::HostInfo> =
        i.hosts.iter().filter_map(|h| report.hosts.get(h).map(|info| (h, info))).collect();
    let names: Vec<&str> =
        known.values().filter(|h| !h.name.is_empty()).map(|h| h.name.as_str()).collect();
    // A host named by its lease (`--leases`) is no IP: ECS `*.ip` fields are typed `ip`, so it
    // goes to `*.address` (any text) and `related.hosts` instead.
    let is_ip = |h: &&String| h.parse::<std::net::IpAddr>().is_ok();
    let end = |host: Option<&String>| {
        let mut e = json!({ "address": host });
        if host.is_some_and(|h| is_ip(&h)) {
            e["ip"] = json!(host);
        }
        if let Some(n) = name(host) {
            e["domain"] = json!(n);
        }
        e
    };
    let (source, destination) = (end(i.path.first()), end(i.path.last()));
    let (ips, identities): (Vec<&String>, Vec<&String>) = i.hosts.iter().partition(is_ip);
    let mut related = json!({ "ip": ips });
    let hosts: Vec<&str> = names.into_iter().chain(identities.iter().map(|h| h.as_str())).collect();
    if !hosts.is_empty() {
        related["hosts"] = json!(hosts);
    }
    let mut event = json!({
        "@timestamp": i.first,
        "event": {
            "kind": "alert",
            "category": ["network"],
            "type": ["connection"],
            "id": event_id(label, i),
            "dataset": "pivotflow.incident",
            "start": i.first,
            "end": i.last,
            "risk_score": i.score,
        },
        "rule": { "name": "pivotflow lateral movement", "description": i.cause },
        "message": i.reasons.join("; "),
        "source": source,
        "destination": destination,
        "related": related,
        "pivotflow": {
            "day": label,
            "incident": i.id,
            "score": i.score,
            "cause": i.cause,
            "path": i.path,
            "chains": i.chains,
            "chain_count": i.chain_count,
            "reasons": i.reasons,
            "origins": origins,
            "hops": hops,
        },
    });
    if !known.is_empty() {
        event["pivotflow"]["hosts"] = json!(known);
    }
    event
}

/// `event.id`s already in `file` (none when it does not exist). A line that is not an event
/// (hand-edited, cut by a crash) is skipped.
fn ids_in(file: &Path) -> Result<std::collections::HashSet<String>> {
    let f = match std::fs::File::open(file) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Default::default()),
        Err(e) => return Err(Error::io(file, e)),
    };
    let mut ids = std::collections::HashSet::new();
    for line in std::io::BufReader::new(f).lines() {
        let line = line.map_err(|e| Error::io(file, e))?;
        if let Ok(v) = serde_json::from_str::<Value>(&line)
            && let Some(id) = v["event"]["id"].as_str()
        {
            ids.insert(id.to_string());
        }
    }
    Ok(ids)
}

/// Every alert incident of `report` (day `label`) as JSON lines (`--events -`).
pub fn lines(label: &str, report: &PivotReport) -> Result<String> {
    let mut out = String::new();
    for i in report.incidents.iter().filter(|i| i.alert && i.acknowledged.is_none()) {
        out.push_str(
            &serde_json::to_string(&event(label, report, i))
                .map_err(|e| Error::io("events", e.into()))?,
        );
        out.push('\n');
    }
    Ok(out)
}

/// Append the alert incidents of `report` (day `label`) that `file` does not hold yet, as JSON
/// lines in one write; returns how many were appended.
pub fn append(file: &Path, label: &str, report: &PivotReport) -> Result<usize> {
    let have = ids_in(file)?;
    let mut buf = Vec::new();
    let mut n = 0;
    for i in report.incidents.iter().filter(|i| i.alert && i.acknowledged.is_none()) {
        if have.contains(&event_id(label, i)) {
            continue;
        }
        serde_json::to_writer(&mut buf, &event(label, report, i))
            .map_err(|e| Error::io(file, e.into()))?;
        buf.push(b'\n');
        n += 1;
    }
    if n == 0 {
        return Ok(0);
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .map_err(|e| Error::io(file, e))?;
    f.write_all(&buf).and_then(|()| f.sync_all()).map_err(|e| Error::io(file, e))?;
    Ok(n)
}
