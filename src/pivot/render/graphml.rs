//! GraphML output (directed): hosts as nodes, hops as edges, typed keys so Cytoscape, Gephi,
//! networkx and igraph keep numbers as numbers. Written with quick-xml (escaping included).

use std::collections::BTreeMap;
use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::error::{Error, Result};
use crate::pivot::outcome::{Graph, GraphHop, GraphHost, PivotReport};
use crate::pivot::score::model::iso;

/// (id, for, attr.name, attr.type)
const KEYS: &[(&str, &str, &str, &str)] = &[
    ("n_name", "node", "name", "string"),
    ("n_role", "node", "role", "string"),
    ("n_label", "node", "label", "string"),
    ("n_host_name", "node", "host_name", "string"),
    ("n_host_role", "node", "host_role", "string"),
    ("n_host_owner", "node", "host_owner", "string"),
    ("n_first_ms", "node", "first_seen_ms", "long"),
    ("n_last_ms", "node", "last_seen_ms", "long"),
    ("n_first", "node", "first_seen", "string"),
    ("n_last", "node", "last_seen", "string"),
    ("n_chains", "node", "chain_count", "int"),
    ("n_trusted", "node", "trusted", "boolean"),
    ("n_alert", "node", "alert", "boolean"),
    ("n_incidents", "node", "incident_ids", "string"),
    ("n_alert_incident", "node", "alert_incident", "boolean"),
    ("e_interaction", "edge", "interaction", "string"),
    ("e_proto", "edge", "proto", "int"),
    ("e_port", "edge", "port", "int"),
    ("e_start_ms", "edge", "start_ms", "long"),
    ("e_end_ms", "edge", "end_ms", "long"),
    ("e_start", "edge", "start", "string"),
    ("e_end", "edge", "end", "string"),
    ("e_bytes_c2s", "edge", "bytes_c2s", "long"),
    ("e_bytes_s2c", "edge", "bytes_s2c", "long"),
    ("e_packets_c2s", "edge", "packets_c2s", "long"),
    ("e_packets_s2c", "edge", "packets_s2c", "long"),
    ("e_chains", "edge", "chain_ids", "string"),
    ("e_hop_index", "edge", "hop_index", "int"),
    ("e_exporters", "edge", "exporters", "string"),
    ("e_transports", "edge", "transports", "string"),
    ("e_sessions", "edge", "sessions", "int"),
    ("e_alert", "edge", "alert", "boolean"),
    ("e_score", "edge", "max_chain_score", "double"),
    ("e_reasons", "edge", "reasons", "string"),
    ("e_incidents", "edge", "incident_ids", "string"),
    ("e_alert_incident", "edge", "alert_incident", "boolean"),
    ("g_alert_incidents", "graph", "alert_incidents", "string"),
];

fn xml_err(e: impl std::fmt::Display) -> Error {
    Error::io("GraphML", std::io::Error::other(e.to_string()))
}

fn data<W: Write>(w: &mut Writer<W>, key: &str, value: &str) -> Result<()> {
    let mut start = BytesStart::new("data");
    start.push_attribute(("key", key));
    w.write_event(Event::Start(start)).map_err(xml_err)?;
    w.write_event(Event::Text(BytesText::new(value))).map_err(xml_err)?;
    w.write_event(Event::End(BytesEnd::new("data"))).map_err(xml_err)
}

/// pivots.graphml: the chains shown (`PivotReport::shown`) as one graph.
pub fn file(
    report: &PivotReport,
    frame: &super::Frame<'_>,
    _: &std::path::Path,
    w: &mut dyn Write,
) -> Result<()> {
    let (shown, alerts) = report.shown(frame.rules);
    write_graphml(w, &report.graph(&shown, frame.rules, &alerts), &alerts, &report.hosts)
}

/// Write `graph` (`PivotReport::graph`: a hop shared by several chains is one edge whose
/// `chain_ids` lists them all; `incident_ids` name their incidents, `alert_incident` marks the
/// hosts and hops of the alert incidents) as one directed GraphML graph; `alerts` (id and
/// cause) are listed first as the graph's `alert_incidents`.
pub fn write_graphml<W: Write>(
    out: W,
    graph: &Graph<'_>,
    alerts: &[(String, String)],
    hosts: &BTreeMap<String, crate::inventory::HostInfo>,
) -> Result<()> {
    let mut w = Writer::new_with_indent(out, b' ', 2);
    write_head(&mut w, alerts)?;
    for (addr, n) in &graph.hosts {
        write_node(&mut w, addr, n, hosts)?;
    }
    for (i, e) in graph.hops.values().enumerate() {
        write_edge(&mut w, i, e)?;
    }
    w.write_event(Event::End(BytesEnd::new("graph"))).map_err(xml_err)?;
    w.write_event(Event::End(BytesEnd::new("graphml"))).map_err(xml_err)?;
    Ok(())
}

/// The XML declaration, the GraphML root with its keys, the graph element and its alert list.
fn write_head<W: Write>(w: &mut Writer<W>, alerts: &[(String, String)]) -> Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))).map_err(xml_err)?;
    let mut root = BytesStart::new("graphml");
    root.push_attribute(("xmlns", "http://graphml.graphdrawing.org/xmlns"));
    root.push_attribute(("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"));
    root.push_attribute((
        "xsi:schemaLocation",
        "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
    ));
    w.write_event(Event::Start(root)).map_err(xml_err)?;
    for (id, target, name, ty) in KEYS {
        let mut k = BytesStart::new("key");
        k.push_attribute(("id", *id));
        k.push_attribute(("for", *target));
        k.push_attribute(("attr.name", *name));
        k.push_attribute(("attr.type", *ty));
        w.write_event(Event::Empty(k)).map_err(xml_err)?;
    }
    let mut g = BytesStart::new("graph");
    g.push_attribute(("id", "pivots"));
    g.push_attribute(("edgedefault", "directed"));
    w.write_event(Event::Start(g)).map_err(xml_err)?;
    let listed: Vec<String> = alerts.iter().map(|(id, cause)| format!("{id}: {cause}")).collect();
    data(w, "g_alert_incidents", &listed.join(" | "))?;
    Ok(())
}

/// One host: its role over every chain, the inventory's word on it, its times and alerts.
fn write_node<W: Write>(
    w: &mut Writer<W>,
    addr: &str,
    n: &GraphHost,
    hosts: &BTreeMap<String, crate::inventory::HostInfo>,
) -> Result<()> {
    let mut s = BytesStart::new("node");
    s.push_attribute(("id", addr));
    w.write_event(Event::Start(s)).map_err(xml_err)?;
    data(w, "n_name", addr)?;
    data(w, "n_role", n.role())?;
    // The inventory's word on the host (empty when it has none); `label` for display.
    let known = hosts.get(addr);
    data(w, "n_label", &known.map_or_else(|| addr.to_string(), |h| h.label(addr)))?;
    data(w, "n_host_name", known.map_or("", |h| h.name.as_str()))?;
    data(w, "n_host_role", known.map_or("", |h| h.role.as_str()))?;
    data(w, "n_host_owner", known.map_or("", |h| h.owner.as_str()))?;
    data(w, "n_first_ms", &n.first.to_string())?;
    data(w, "n_last_ms", &n.last.to_string())?;
    data(w, "n_first", &iso(n.first))?;
    data(w, "n_last", &iso(n.last))?;
    data(w, "n_chains", &n.chains.len().to_string())?;
    data(w, "n_trusted", if n.trusted { "true" } else { "false" })?;
    data(w, "n_alert", if n.alert { "true" } else { "false" })?;
    data(w, "n_incidents", &n.incidents.iter().cloned().collect::<Vec<_>>().join(","))?;
    data(w, "n_alert_incident", if n.alert_incident { "true" } else { "false" })?;
    w.write_event(Event::End(BytesEnd::new("node"))).map_err(xml_err)?;
    Ok(())
}

/// One hop: its flows' facts, the chains and incidents through it.
fn write_edge<W: Write>(w: &mut Writer<W>, i: usize, e: &GraphHop<'_>) -> Result<()> {
    let h = e.hop;
    let mut s = BytesStart::new("edge");
    let id = format!("e{i}");
    s.push_attribute(("id", id.as_str()));
    s.push_attribute(("source", h.client_addr.as_str()));
    s.push_attribute(("target", h.server_addr.as_str()));
    w.write_event(Event::Start(s)).map_err(xml_err)?;
    data(w, "e_interaction", &h.service)?;
    data(w, "e_proto", &h.proto.to_string())?;
    data(w, "e_port", &h.server_port.to_string())?;
    data(w, "e_start_ms", &h.start_ms.to_string())?;
    data(w, "e_end_ms", &h.end_ms.to_string())?;
    data(w, "e_start", &iso(h.start_ms))?;
    data(w, "e_end", &iso(h.end_ms))?;
    data(w, "e_bytes_c2s", &h.bytes_c2s.to_string())?;
    data(w, "e_bytes_s2c", &h.bytes_s2c.to_string())?;
    data(w, "e_packets_c2s", &h.packets_c2s.to_string())?;
    data(w, "e_packets_s2c", &h.packets_s2c.to_string())?;
    data(w, "e_chains", &e.chains.iter().cloned().collect::<Vec<_>>().join(","))?;
    data(w, "e_hop_index", &e.index.to_string())?;
    data(w, "e_exporters", &h.exporters)?;
    data(w, "e_transports", &h.transports)?;
    data(w, "e_sessions", &h.sessions.to_string())?;
    data(w, "e_alert", if e.alert { "true" } else { "false" })?;
    data(w, "e_score", &e.score.to_string())?;
    data(w, "e_reasons", &e.reasons.join(" | "))?;
    data(w, "e_incidents", &e.incidents.iter().cloned().collect::<Vec<_>>().join(","))?;
    data(w, "e_alert_incident", if e.alert_incident { "true" } else { "false" })?;
    w.write_event(Event::End(BytesEnd::new("edge"))).map_err(xml_err)?;
    Ok(())
}
