//! The HTML report: one self-contained file (inline CSS, SVG and a few lines of script; no
//! network access, readable with scripts off) that shows the night before anyone reads it:
//! alert incidents first as cards (cause, reasons, every possible origin with how its own
//! history judges it, the strongest chain's path drawn and a timeline of its hops on one time
//! axis: the overlap that makes a pivot), the acknowledgements in force, an overview graph of
//! the alert chains, and tables of all incidents and all chains (sortable and filterable with
//! scripts on).
//!
//! Geometry is computed here; `report.html` (minijinja, autoescaped: every host name and reason
//! came from the network or the store) only places it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::pivot::outcome::PivotReport;
use crate::pivot::score::incident::Incident;
use crate::pivot::score::model::{Chain, iso};

const TEMPLATE: &str = include_str!("report.html");

/// Incidents drawn as cards when there is no alert.
pub const TOP_CHAINS: usize = 5;

/// Chains listed in the table at most (all of them stay in chains.json).
pub const TABLE_ROWS: usize = 2000;

/// Width of the drawings in SVG user units.
const WIDTH: f64 = 760.0;
/// Left end of the timeline's time axis, and its length (labels sit above the bars).
const TIMELINE_X0: f64 = 34.0;
const TIMELINE_W: f64 = WIDTH - TIMELINE_X0 - 40.0;
/// Height of one hop's row in the timeline (label above, bar below).
const ROW_H: f64 = 34.0;

#[derive(Serialize)]
struct Page {
    title: String,
    period: String,
    /// The network's zone when it is not UTC (a report's day is its day).
    zone: Option<String>,
    /// The working day looks like another zone's (`PivotReport::timezone_hint`).
    timezone_hint: Option<String>,
    /// Why there may be no alert, as one sentence.
    no_alert_note: String,
    generated: String,
    facts: Vec<(String, String)>,
    incomplete: Vec<String>,
    /// The period had no flow on a service port: the sentence that says so.
    no_data: Option<String>,
    /// History days left out of the baseline (unreadable), `path: why`.
    history_incomplete: Vec<String>,
    acks: Vec<crate::pivot::history::ack::AckInForce>,
    cards: Vec<Card>,
    /// The cards are alert incidents (else, with no alert, the top-ranked untrusted ones).
    cards_are_alerts: bool,
    overview: Option<Graph>,
    incidents: Vec<IncidentRow>,
    incidents_total: usize,
    rows: Vec<Row>,
    rows_total: usize,
    table_open: bool,
    json_href: String,
    graphml_href: String,
}

/// One incident drawn: its strongest chain's path and timeline.
#[derive(Serialize)]
struct Card {
    id: String,
    rank: usize,
    score: String,
    cause: String,
    first: String,
    last: String,
    chain: String,
    chain_count: usize,
    chains: String,
    path_text: String,
    reasons: Vec<String>,
    origins: Vec<crate::pivot::score::incident::OriginView>,
    flags: Vec<String>,
    path: Graph,
    timeline: Timeline,
}

#[derive(Serialize)]
struct IncidentRow {
    id: String,
    rank: usize,
    alert: bool,
    score: String,
    first: String,
    chains: usize,
    cause: String,
    path: String,
    note: String,
}

/// Boxes and arrows (the path of one chain, or the overview of all alerts).
#[derive(Serialize)]
struct Graph {
    width: f64,
    height: f64,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

#[derive(Serialize)]
struct Node {
    x: f64,
    y: f64,
    w: f64,
    /// In the box: the host's name when the inventory has one, else its address.
    label: String,
    /// On hover: name, address and role.
    title: String,
}

/// A host's box text: its inventory name, else its address.
fn short_label(report: &PivotReport, addr: &str) -> String {
    report
        .hosts
        .get(addr)
        .filter(|h| !h.name.is_empty())
        .map_or_else(|| addr.to_string(), |h| h.name.clone())
}

#[derive(Serialize)]
struct Edge {
    x1: f64,
    y1: f64,
    x2: f64,
    y2: f64,
    lx: f64,
    ly: f64,
    label: String,
}

/// Hops as bars on one time axis: x = x0 + (t − t0) × width / (t1 − t0).
#[derive(Serialize)]
struct Timeline {
    height: f64,
    x0: f64,
    width: f64,
    t0: i64,
    t1: i64,
    ticks: Vec<Tick>,
    bars: Vec<Bar>,
}

#[derive(Serialize)]
struct Tick {
    x: f64,
    label: String,
}

#[derive(Serialize)]
struct Bar {
    x: f64,
    w: f64,
    y: f64,
    /// Where its label starts (kept inside the drawing).
    lx: f64,
    label: String,
    title: String,
    start_ms: i64,
    end_ms: i64,
}

#[derive(Serialize)]
struct Row {
    id: String,
    rank: usize,
    alert: bool,
    score: String,
    start: String,
    services: String,
    path: String,
    flags: String,
    incident: String,
}

/// One decimal is plenty for SVG coordinates (and keeps the file small).
fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn hm(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Box width for a host label: a generous per-character width of 12 px monospace fonts (DejaVu
/// Sans Mono is 7.2 px, others up to 7.8) plus padding, so `192.168.130.175` or a long IPv6
/// address is never cut.
fn box_width(label: &str) -> f64 {
    (label.chars().count() as f64 * 8.0 + 18.0).max(70.0)
}

/// The chain's path, left to right; each arrow names the services of the hops between its hosts.
/// A path wider than the page widens the drawing (the browser scales it down as a whole, text
/// and boxes together) instead of squeezing the boxes under their labels.
fn path_graph(c: &Chain, report: &PivotReport) -> Graph {
    let gap = 70.0;
    let (y, h) = (34.0, 26.0);
    let mut nodes = Vec::new();
    let mut x = 0.0;
    for host in &c.hosts {
        let label = short_label(report, host);
        let w = box_width(&label);
        nodes.push(Node { x: r1(x), y, w: r1(w), label, title: report.label(host) });
        x += w + gap;
    }
    let total = x - gap;
    let edges = nodes
        .windows(2)
        .zip(c.hosts.windows(2))
        .map(|(n, pair)| {
            let mut services: Vec<&str> = c
                .hops
                .iter()
                .filter(|hp| hp.client_addr == pair[0] && hp.server_addr == pair[1])
                .map(|hp| hp.service.as_str())
                .collect();
            services.dedup();
            let (x1, x2) = (n[0].x + n[0].w, n[1].x);
            Edge {
                x1: r1(x1),
                y1: y + h / 2.0,
                x2: r1(x2),
                y2: y + h / 2.0,
                lx: r1((x1 + x2) / 2.0),
                ly: y - 6.0,
                label: services.join("+"),
            }
        })
        .collect();
    Graph { width: WIDTH.max(r1(total + 2.0)), height: y + h + 8.0, nodes, edges }
}

/// The hops of a chain on one time axis, in path order, one row each.
fn timeline(c: &Chain) -> Timeline {
    let t0 = c.hops.iter().map(|h| h.start_ms).min().unwrap_or(c.start_ms);
    let t1 = c.hops.iter().map(|h| h.end_ms).max().unwrap_or(c.end_ms).max(t0 + 1);
    let scale = TIMELINE_W / (t1 - t0) as f64;
    let bars = c
        .hops
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let x = TIMELINE_X0 + (h.start_ms - t0) as f64 * scale;
            let w = ((h.end_ms - h.start_ms) as f64 * scale).max(2.0);
            let label = format!("{} → {} {}", h.client_addr, h.server_addr, h.service);
            let text_w = label.chars().count() as f64 * 6.7;
            Bar {
                x: r1(x),
                w: r1(w),
                y: 20.0 + i as f64 * ROW_H,
                lx: r1(x.min(WIDTH - text_w - 4.0).max(2.0)),
                label,
                title: format!(
                    "{} → {} {} ({}), {} – {} UTC; client→server {} packets {} bytes, server→client {} packets {} bytes",
                    h.client_addr,
                    h.server_addr,
                    h.service,
                    h.transports,
                    iso(h.start_ms),
                    iso(h.end_ms),
                    h.packets_c2s,
                    h.bytes_c2s,
                    h.packets_s2c,
                    h.bytes_s2c
                ),
                start_ms: h.start_ms,
                end_ms: h.end_ms,
            }
        })
        .collect::<Vec<_>>();
    let axis_y = 20.0 + c.hops.len() as f64 * ROW_H;
    let ticks = (0..=4)
        .map(|k| {
            let t = t0 + (t1 - t0) * k / 4;
            Tick { x: r1(TIMELINE_X0 + (t - t0) as f64 * scale), label: hm(t) }
        })
        .collect();
    Timeline { height: axis_y + 22.0, x0: TIMELINE_X0, width: TIMELINE_W, t0, t1, ticks, bars }
}

/// The alert chains as one layered graph: a host's layer is its earliest position on any alert
/// path, its place in the layer the order hosts first appear in (ranked alerts first).
fn overview(alerts: &[&Chain], report: &PivotReport) -> Option<Graph> {
    if alerts.is_empty() {
        return None;
    }
    let mut layer: BTreeMap<&str, usize> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for c in alerts {
        for (i, h) in c.hosts.iter().enumerate() {
            let l = layer.entry(h).or_insert(i);
            *l = (*l).min(i);
            if !order.contains(&h.as_str()) {
                order.push(h);
            }
        }
    }
    let w = order.iter().map(|h| box_width(&short_label(report, h))).fold(160.0, f64::max);
    let (col_w, row_h) = (w + 30.0, 44.0);
    let mut in_layer: BTreeMap<usize, usize> = BTreeMap::new();
    let mut at: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    let mut nodes = Vec::new();
    for h in &order {
        let l = layer[h];
        let k = in_layer.entry(l).or_default();
        let (x, y) = (10.0 + l as f64 * col_w, 10.0 + *k as f64 * row_h);
        *k += 1;
        at.insert(h, (x, y));
        nodes.push(Node { x, y, w, label: short_label(report, h), title: report.label(h) });
    }
    let mut edges = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for c in alerts {
        for pair in c.hosts.windows(2) {
            if !seen.insert((pair[0].as_str(), pair[1].as_str())) {
                continue;
            }
            let ((ax, ay), (bx, by)) = (at[pair[0].as_str()], at[pair[1].as_str()]);
            let (x1, y1, x2, y2) = if bx > ax {
                (ax + w, ay + 13.0, bx, by + 13.0)
            } else {
                (ax + w / 2.0, ay + 26.0, bx + w / 2.0, by + 26.0) // back to an earlier layer
            };
            edges.push(Edge {
                x1,
                y1,
                x2,
                y2,
                lx: (x1 + x2) / 2.0,
                ly: (y1 + y2) / 2.0 - 4.0,
                label: String::new(),
            });
        }
    }
    let width = nodes.iter().map(|n| n.x + n.w).fold(0.0, f64::max) + 10.0;
    let height = nodes.iter().map(|n| n.y + 26.0).fold(0.0, f64::max) + 14.0;
    Some(Graph { width, height, nodes, edges })
}

/// Render the report as one HTML page. `title` names it (the day for `report`); `json_href`
/// and `graphml_href` link to chains.json and the GraphML written beside it.
pub fn render(
    report: &PivotReport,
    title: &str,
    json_href: &str,
    graphml_href: &str,
) -> Result<String> {
    let by_id: BTreeMap<&str, &Chain> = report.chains.iter().map(|c| (c.id.as_str(), c)).collect();
    let lead = |i: &Incident| i.chains.first().and_then(|id| by_id.get(id.as_str())).copied();
    let alert_incidents: Vec<&Incident> = report.incidents.iter().filter(|i| i.alert).collect();
    // No alert (no history yet, or a quiet night): the top-ranked untrusted incidents are
    // drawn instead, under a heading that says so.
    let carded: Vec<&Incident> = if alert_incidents.is_empty() {
        report
            .incidents
            .iter()
            .filter(|i| !i.trusted && i.acknowledged.is_none())
            .take(TOP_CHAINS)
            .collect()
    } else {
        alert_incidents.clone()
    };
    let alerts: Vec<&Chain> = report.chains.iter().filter(|c| c.alert).collect();
    let (facts, no_alert_note) = header(report);
    let range = |ms: Option<i64>| ms.map(iso).unwrap_or_else(|| "…".into());
    let page = Page {
        title: title.to_string(),
        period: match (report.since_ms, report.until_ms) {
            (None, None) => "all flows in the store".to_string(),
            (s, u) => format!("{} – {}", range(s), range(u)),
        },
        zone: (report.timezone != "UTC").then(|| report.timezone.clone()),
        timezone_hint: report.timezone_hint.clone(),
        no_alert_note,
        generated: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        facts,
        incomplete: report.incomplete_files.iter().map(ToString::to_string).collect(),
        no_data: report.no_data_note(),
        history_incomplete: report.history_unreadable.iter().map(ToString::to_string).collect(),
        acks: report.acknowledged.clone(),
        cards_are_alerts: !alert_incidents.is_empty(),
        cards: carded
            .iter()
            .filter_map(|i| lead(i).map(|c| (i, c)))
            .map(|(i, c)| card(i, c, report))
            .collect(),
        overview: overview(&alerts, report),
        incidents: report
            .incidents
            .iter()
            .take(TABLE_ROWS)
            .map(|i| incident_row(i, report))
            .collect(),
        incidents_total: report.incidents.len(),
        rows: report.chains.iter().take(TABLE_ROWS).map(|c| chain_row(c, report)).collect(),
        rows_total: report.chains.len(),
        table_open: report.chains.len() <= 50,
        json_href: json_href.to_string(),
        graphml_href: graphml_href.to_string(),
    };
    let mut env = minijinja::Environment::new();
    // The name ends in .html: every value is HTML-escaped unless marked safe (none is).
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| Error::Internal { detail: format!("report.html template: {e}") })?;
    env.get_template("report.html")
        .and_then(|t| t.render(&page))
        .map_err(|e| Error::Internal { detail: format!("rendering report.html: {e}") })
}

/// The page's header facts (what was read, found and left out) and the sentence shown when
/// no incident is an alert.
fn header(report: &PivotReport) -> (Vec<(String, String)>, String) {
    let t = &report.truncations;
    let history = report.history_note();
    let history = history.strip_prefix("history: ").unwrap_or(&history);
    // Without history the note under the heading says what that means; the fact stays short.
    let history = history
        .strip_suffix(" (no history: chains are ranked by length only, none is an alert)")
        .unwrap_or(history)
        .to_string();
    // Without data the banner above says why; the note does not say it again.
    let no_alert_note = if report.no_data_note().is_some() {
        "No flows on service ports: nothing to alert on.".to_string()
    } else if report.history_days == 0 {
        "No history yet: chains are ranked by length only, and none is an alert.".to_string()
    } else {
        format!("No incident is an alert (history: {history}).")
    };
    let mut facts = vec![
        ("flows on service ports".to_string(), report.service_flows.to_string()),
        ("hours with flows".into(), report.hours_fact()),
        ("hops".into(), report.hops.to_string()),
        ("chains".into(), report.chains.len().to_string()),
        ("incidents".into(), report.incidents.len().to_string()),
        ("alert incidents".into(), report.alerts.to_string()),
        ("history".into(), history.clone()),
    ];
    if report.trusted_hidden > 0 || report.routine_hidden > 0 {
        facts.push(("left out".into(), report.hidden_note().trim().to_string()));
    }
    if t.max_hops > 0 || t.fanout > 0 || t.max_chains_reached {
        facts.push((
            "search cut".into(),
            format!(
                "{} at --max-hops, {} over --max-fanout{}",
                t.max_hops,
                t.fanout,
                t.chain_limit_note()
            ),
        ));
    }
    (facts, no_alert_note)
}

/// An incident's card: its lead chain's path and timeline, its reasons and possible origins.
fn card(i: &Incident, c: &Chain, report: &PivotReport) -> Card {
    Card {
        id: i.id.clone(),
        rank: i.rank,
        score: format!("{:.2}", i.score),
        cause: report.annotate(&i.cause),
        first: i.first.clone(),
        last: i.last.clone(),
        chain: c.id.clone(),
        chain_count: i.chain_count,
        chains: i.chains.iter().take(30).cloned().collect::<Vec<_>>().join(", ")
            + if i.chains.len() > 30 { ", …" } else { "" },
        path_text: report.path_label(&c.hosts, " → "),
        reasons: i.reasons.iter().map(|r| report.annotate(r)).collect(),
        origins: i
            .origins
            .iter()
            .map(|o| crate::pivot::score::incident::OriginView {
                host: report.label(&o.host),
                reasons: o.reasons.iter().map(|r| report.annotate(r)).collect(),
                ..o.clone()
            })
            .collect(),
        flags: c.flags.iter().filter(|f| *f != "alert").cloned().collect(),
        path: path_graph(c, report),
        timeline: timeline(c),
    }
}

/// An incident's row in the incidents table.
fn incident_row(i: &Incident, report: &PivotReport) -> IncidentRow {
    IncidentRow {
        id: i.id.clone(),
        rank: i.rank,
        alert: i.alert,
        score: format!("{:.2}", i.score),
        first: i.first.clone(),
        chains: i.chain_count,
        cause: report.annotate(&i.cause),
        path: report.path_label(&i.path, " → "),
        note: report.annotate(&i.note()),
    }
}

/// A chain's row in the chains table.
fn chain_row(c: &Chain, report: &PivotReport) -> Row {
    Row {
        id: c.id.clone(),
        rank: c.rank,
        alert: c.alert,
        score: format!("{:.2}", c.score),
        start: c.start.clone(),
        services: c.services.join(","),
        path: report.path_label(&c.hosts, " → "),
        flags: c.flags.join(" "),
        incident: c.incident.clone(),
    }
}

/// index.html of a report day folder, linking its sibling chains.json and pivots.graphml.
pub fn file(
    report: &PivotReport,
    frame: &super::Frame<'_>,
    path: &Path,
    w: &mut dyn std::io::Write,
) -> Result<()> {
    let html = render(report, frame.title, "chains.json", "pivots.graphml")?;
    w.write_all(html.as_bytes()).map_err(|e| Error::io(path, e))
}

/// Write `render(..)` to `path` atomically.
pub fn write(
    path: &Path,
    report: &PivotReport,
    title: &str,
    json_href: &str,
    graphml_href: &str,
) -> Result<()> {
    let html = render(report, title, json_href, graphml_href)?;
    crate::store::atomic::write_atomic(path, |w| {
        use std::io::Write;
        w.write_all(html.as_bytes()).map_err(|e| Error::io(path, e))
    })
}
