//! THE flow schema: every column of the flow store, its Arrow type, unit and meaning.
//!
//! Rust code and SQL use exactly these names. Types are signed (`Int32`/`Int64`) on purpose:
//! unsigned Parquet logical types are handled unevenly by Spark and older readers, and every
//! value here fits the signed type one size up (ports in Int32, 32-bit counters in Int64).

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

/// One column of the flow store.
pub struct Column {
    /// Column name (snake_case, the unit in the name when it is not a count).
    pub name: &'static str,
    /// Arrow type as stored.
    pub data_type: DataType,
    /// Whether the column may be null.
    pub nullable: bool,
    /// Meaning and unit, printed in the README and `pivotflow schema`.
    pub doc: &'static str,
}

/// Column `received_ms`: arrival time at the collector (pcap: packet timestamp), epoch ms UTC.
pub const RECEIVED_MS: &str = "received_ms";
/// Column `flow_start_ms`: first packet of the flow, epoch ms UTC (see time_source).
pub const FLOW_START_MS: &str = "flow_start_ms";
/// Column `flow_end_ms`: last packet of the flow, epoch ms UTC (see time_source).
pub const FLOW_END_MS: &str = "flow_end_ms";
/// Column `time_source`: where the flow times came from: absolute | uptime | export_time | arrival | packets | zeek.
pub const TIME_SOURCE: &str = "time_source";
/// Column `exporter_addr`: IP address the export datagram came from, canonical text.
pub const EXPORTER_ADDR: &str = "exporter_addr";
/// Column `observation_domain_id`: IPFIX observation domain, v9 source id, v5 engine_type<<8|engine_id.
pub const OBSERVATION_DOMAIN_ID: &str = "observation_domain_id";
/// Column `flow_version`: export protocol version: 5, 9 or 10 (IPFIX).
pub const FLOW_VERSION: &str = "flow_version";
/// Column `src_addr`: source IPv4/IPv6 address, canonical text (RFC 5952 for IPv6).
pub const SRC_ADDR: &str = "src_addr";
/// Column `dst_addr`: destination IPv4/IPv6 address, canonical text.
pub const DST_ADDR: &str = "dst_addr";
/// Column `src_port`: source transport port, 0 when the protocol has none.
pub const SRC_PORT: &str = "src_port";
/// Column `dst_port`: destination transport port (ICMP: type*256+code when exported that way), 0 when none.
pub const DST_PORT: &str = "dst_port";
/// Column `proto`: IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6).
pub const PROTO: &str = "proto";
/// Column `tcp_flags`: OR of TCP flags seen in the flow, 0 when not exported.
pub const TCP_FLAGS: &str = "tcp_flags";
/// Column `packets`: packets as exported (raw, never multiplied by sampling_interval).
pub const PACKETS: &str = "packets";
/// Column `bytes`: layer-3 bytes as exported (raw, never multiplied by sampling_interval).
pub const BYTES: &str = "bytes";
/// Column `in_if`: ingress interface index (SNMP ifIndex), null when not exported.
pub const IN_IF: &str = "in_if";
/// Column `out_if`: egress interface index (SNMP ifIndex), null when not exported.
pub const OUT_IF: &str = "out_if";
/// Column `sampling_interval`: 1-in-N packet sampling announced in the record/header, null when unknown.
pub const SAMPLING_INTERVAL: &str = "sampling_interval";
/// Column `tos`: IP type-of-service / DSCP+ECN byte, null when not exported.
pub const TOS: &str = "tos";

/// Hive partition columns added by the directory layout (`date=YYYY-MM-DD/hour=HH`), not
/// stored inside the Parquet files.
pub const PARTITION_DATE: &str = "date";
/// The hour partition column (`hour=HH`, UTC).
pub const PARTITION_HOUR: &str = "hour";

/// All stored columns, in file order.
pub fn columns() -> Vec<Column> {
    use DataType::*;
    let c = |name, data_type, nullable, doc| Column { name, data_type, nullable, doc };
    vec![
        c(
            RECEIVED_MS,
            Int64,
            false,
            "arrival time at the collector (pcap: packet timestamp; --packets: packet time the record ended; Zeek: ts + duration, when Zeek logged it), epoch ms UTC",
        ),
        c(FLOW_START_MS, Int64, false, "first packet of the flow, epoch ms UTC (see time_source)"),
        c(FLOW_END_MS, Int64, false, "last packet of the flow, epoch ms UTC (see time_source)"),
        c(
            TIME_SOURCE,
            Utf8,
            false,
            "where the flow times came from: absolute | uptime | export_time | arrival | packets (metered from a packet capture) | zeek (a Zeek conn log: ts, ts + duration)",
        ),
        c(
            EXPORTER_ADDR,
            Utf8,
            false,
            "IP address the export datagram came from, canonical text; 0.0.0.0 when metered from packets; for a Zeek log the sensor its lines name (_system_name, _node_name, @system), else 0.0.0.0",
        ),
        c(
            OBSERVATION_DOMAIN_ID,
            Int64,
            false,
            "IPFIX observation domain, v9 source id, v5 engine_type<<8|engine_id",
        ),
        c(
            FLOW_VERSION,
            Int32,
            false,
            "export protocol version: 5, 9 or 10 (IPFIX); 0 when metered from packets (capture --packets) or read from a Zeek conn log",
        ),
        c(SRC_ADDR, Utf8, false, "source IPv4/IPv6 address, canonical text (RFC 5952 for IPv6)"),
        c(DST_ADDR, Utf8, false, "destination IPv4/IPv6 address, canonical text"),
        c(SRC_PORT, Int32, false, "source transport port, 0 when the protocol has none"),
        c(
            DST_PORT,
            Int32,
            false,
            "destination transport port (ICMP: type*256+code when exported that way), 0 when none",
        ),
        c(PROTO, Int32, false, "IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6)"),
        c(TCP_FLAGS, Int32, false, "OR of TCP flags seen in the flow, 0 when not exported"),
        c(
            PACKETS,
            Int64,
            false,
            "packets as exported (raw, never multiplied by sampling_interval)",
        ),
        c(
            BYTES,
            Int64,
            false,
            "layer-3 bytes as exported (raw, never multiplied by sampling_interval)",
        ),
        c(IN_IF, Int64, true, "ingress interface index (SNMP ifIndex), null when not exported"),
        c(OUT_IF, Int64, true, "egress interface index (SNMP ifIndex), null when not exported"),
        c(
            SAMPLING_INTERVAL,
            Int64,
            true,
            "1-in-N packet sampling announced in the record/header, null when unknown",
        ),
        c(TOS, Int32, true, "IP type-of-service / DSCP+ECN byte, null when not exported"),
    ]
}

/// Arrow schema of the stored columns (no partition columns).
pub fn flow_schema() -> SchemaRef {
    let fields: Vec<Field> =
        columns().into_iter().map(|c| Field::new(c.name, c.data_type, c.nullable)).collect();
    Arc::new(Schema::new(fields))
}

/// Markdown table of the schema, for the README and `pivotflow schema`.
pub fn markdown_table() -> String {
    let mut out = String::from("| column | type | null | meaning |\n|---|---|---|---|\n");
    for c in columns() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.name,
            c.data_type,
            if c.nullable { "yes" } else { "no" },
            c.doc
        ));
    }
    out.push_str(&format!(
        "| `{PARTITION_DATE}` | partition | no | arrival date, `YYYY-MM-DD` UTC (directory) |\n\
         | `{PARTITION_HOUR}` | partition | no | arrival hour, `HH` UTC (directory) |\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_snake_case() {
        let cols = columns();
        let mut names: Vec<_> = cols.iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), cols.len());
        assert!(names.iter().all(|n| n.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
    }

    #[test]
    fn markdown_lists_every_column() {
        let md = markdown_table();
        for c in columns() {
            assert!(md.contains(&format!("`{}`", c.name)), "{} missing", c.name);
        }
    }
}
