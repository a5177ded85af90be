//! Host identity over time (`--leases FILE`): which host held an address when.
//!
//! Admin laptops on a DHCP or VPN pool get a new address every few days; the history is kept
//! per host name, and an address that changes is a new host to it: every finding that needs
//! the host's own record (the hour it works, the weekend it never worked, the services it
//! never used) is lost on the day its address changes. With the leases, `pivots` and `report`
//! name the flow records' addresses by the identity that held them at the record's start, as
//! the flows are read, so every later stage (hops, chains, the history's facts, the scores) sees
//! one host where the network saw several addresses.
//!
//! The file is CSV with a header row: `address`, `identity` (a MAC address, a host name, an
//! asset tag: any text; `#` starts a comment line), `from` and `until` (RFC 3339, or seconds
//! since the epoch as Zeek's `ts` writes them; an empty `until` is open-ended). A lease covers
//! `from` ≤ t < `until`. Where leases of one address overlap, the later one supersedes: the
//! earlier ends where it starts (a DHCP server that hands a released address to another host
//! logs the first lease for its whole lease time). Addresses outside every lease keep their
//! address as their name. A Zeek `dhcp.log` gives the file with
//! `zeek-cut ts assigned_addr mac lease_time < dhcp.log | awk -v OFS=, 'BEGIN {print "address,identity,from,until"} {print $2, $3, $1, $1 + $4}'`.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use hashbrown::HashMap;

use crate::error::{Error, Result};
use crate::sql::text::{text_column, texts};

/// One lease: `identity` held the address from `from_ms` (inclusive) to `until_ms` (exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lease {
    from_ms: i64,
    until_ms: i64,
    identity: Arc<str>,
}

/// The leases of a file, by address (canonical text, as the store writes addresses), each
/// address's leases sorted by start and not overlapping.
#[derive(Debug, Clone, Default)]
pub struct Leases {
    by_address: HashMap<String, Vec<Lease>>,
}

/// Columns renamed: both ends of a flow record.
const ADDRESS_COLUMNS: [&str; 2] = ["src_addr", "dst_addr"];

/// A time of the file: RFC 3339, or seconds since the epoch (fractions allowed).
fn instant(text: &str) -> std::result::Result<i64, String> {
    if let Ok(s) = text.parse::<f64>() {
        if !s.is_finite() || s.abs() > 1e13 {
            return Err(format!("{text:?} is not a time"));
        }
        return Ok((s * 1000.0).round() as i64);
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|e| format!("{text:?} is neither RFC 3339 nor seconds since the epoch: {e}"))
}

impl Leases {
    /// Read `path` (see the module). Errors name the file and line (exit 2).
    pub fn load(path: &Path) -> Result<Leases> {
        let what = || format!("--leases {}", path.display());
        let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text).map_err(|detail| Error::config(what(), detail))
    }

    fn parse(text: &[u8]) -> std::result::Result<Leases, String> {
        let mut reader =
            csv::ReaderBuilder::new().comment(Some(b'#')).trim(csv::Trim::All).from_reader(text);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| format!("header: {e}"))?
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        let column = |name: &str| {
            header.iter().position(|h| h == name).ok_or_else(|| {
                format!(
                    "line 1: no column {name:?} in the header {header:?} (wanted address, identity, from, until)"
                )
            })
        };
        let (a, i, f, u) =
            (column("address")?, column("identity")?, column("from")?, column("until")?);
        let mut leases = Leases::default();
        for record in reader.records() {
            let record = record.map_err(|e| {
                format!("line {}: {e}", e.position().map_or(0, csv::Position::line))
            })?;
            let line = record.position().map_or(0, csv::Position::line);
            let field = |k: usize| record.get(k).unwrap_or("");
            let address: std::net::IpAddr = field(a)
                .parse()
                .map_err(|_| format!("line {line}: address {:?} is not an IP address", field(a)))?;
            let identity = field(i);
            if identity.is_empty() {
                return Err(format!("line {line}: empty identity for {address}"));
            }
            let from_ms = instant(field(f)).map_err(|e| format!("line {line}: from: {e}"))?;
            let until_ms = match field(u) {
                "" => i64::MAX,
                t => instant(t).map_err(|e| format!("line {line}: until: {e}"))?,
            };
            if until_ms <= from_ms {
                return Err(format!(
                    "line {line}: the lease of {address} to {identity} ends before it starts"
                ));
            }
            leases.by_address.entry(address.to_string()).or_default().push(Lease {
                from_ms,
                until_ms,
                identity: identity.into(),
            });
        }
        for list in leases.by_address.values_mut() {
            // Stable: of two leases starting at once, the later line supersedes.
            list.sort_by_key(|l| l.from_ms);
            let mut kept: Vec<Lease> = Vec::with_capacity(list.len());
            for l in list.drain(..) {
                if let Some(last) = kept.last_mut() {
                    last.until_ms = last.until_ms.min(l.from_ms);
                    if last.until_ms <= last.from_ms {
                        kept.pop();
                    }
                }
                kept.push(l);
            }
            *list = kept;
        }
        Ok(leases)
    }

    /// Addresses with at least one lease.
    pub fn addresses(&self) -> usize {
        self.by_address.len()
    }

    /// Who held `address` at `at_ms`, if a lease says.
    pub fn identity(&self, address: &str, at_ms: i64) -> Option<&str> {
        let list = self.by_address.get(address)?;
        let k = list.partition_point(|l| l.from_ms <= at_ms);
        let l = list.get(k.checked_sub(1)?)?;
        (at_ms < l.until_ms).then_some(&*l.identity)
    }

    /// `batches` (flow records with `src_addr`, `dst_addr`, `flow_start_ms`) with every leased
    /// address named by its identity at the record's start; returns the records renamed too.
    pub fn apply(&self, batches: Vec<RecordBatch>) -> Result<(Vec<RecordBatch>, usize)> {
        let err = |detail: String| Error::Query { name: "--leases".into(), detail };
        let mut renamed = 0;
        let mut out = Vec::with_capacity(batches.len());
        for batch in batches {
            let column = |name: &str| {
                batch.column_by_name(name).ok_or_else(|| err(format!("no column {name}")))
            };
            let start =
                cast(column("flow_start_ms")?, &DataType::Int64).map_err(|e| err(e.to_string()))?;
            let start = start.as_primitive::<Int64Type>();
            let mut columns = batch.columns().to_vec();
            for name in ADDRESS_COLUMNS {
                let k = batch.schema().index_of(name).map_err(|e| err(e.to_string()))?;
                let original = &columns[k];
                let text = text_column(original).map_err(|e| err(e.to_string()))?;
                let t = texts(&text);
                let named: Vec<Option<&str>> = (0..batch.num_rows())
                    .map(|r| {
                        if text.is_null(r) {
                            return None;
                        }
                        let a = t.value(r);
                        Some(self.identity(a, start.value(r)).unwrap_or(a))
                    })
                    .collect();
                let changed = (0..batch.num_rows())
                    .filter(|&r| !text.is_null(r) && named[r] != Some(t.value(r)))
                    .count();
                if changed == 0 {
                    continue;
                }
                renamed += changed;
                let array: ArrayRef = Arc::new(StringArray::from(named));
                columns[k] = if original.data_type() == &DataType::Utf8 {
                    array
                } else {
                    cast(&array, original.data_type()).map_err(|e| err(e.to_string()))?
                };
            }
            out.push(
                RecordBatch::try_new(batch.schema(), columns).map_err(|e| err(e.to_string()))?,
            );
        }
        Ok((out, renamed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leases(text: &str) -> Leases {
        Leases::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn a_lease_covers_from_up_to_until_and_a_later_one_supersedes() {
        let l = leases(
            "address,identity,from,until\n\
             # a comment\n\
             10.8.1.1, alice, 2026-11-20T08:00:00Z, 2026-11-21T08:00:00Z\n\
             10.8.1.1, bob, 2026-11-20T20:00:00Z, 2026-11-20T22:00:00Z\n\
             10.8.1.2, alice, 1795680000.5,\n",
        );
        let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis();
        assert_eq!(l.identity("10.8.1.1", t("2026-11-20T07:59:59Z")), None);
        assert_eq!(l.identity("10.8.1.1", t("2026-11-20T08:00:00Z")), Some("alice"));
        // Bob's lease cuts Alice's short: the address was handed on.
        assert_eq!(l.identity("10.8.1.1", t("2026-11-20T20:00:00Z")), Some("bob"));
        assert_eq!(l.identity("10.8.1.1", t("2026-11-20T21:59:59Z")), Some("bob"));
        assert_eq!(l.identity("10.8.1.1", t("2026-11-20T23:00:00Z")), None);
        // Epoch seconds with a fraction, open-ended.
        assert_eq!(l.identity("10.8.1.2", 1_795_680_000_499), None);
        assert_eq!(l.identity("10.8.1.2", 1_795_680_000_500), Some("alice"));
        assert_eq!(l.identity("10.8.1.2", i64::MAX - 1), Some("alice"));
        assert_eq!(l.identity("10.8.1.3", 0), None);
    }

    #[test]
    fn addresses_are_canonical_and_bad_lines_are_named() {
        let l = leases("Address,Identity,From,Until\n2001:DB8::0001,x,0,10\n");
        assert_eq!(l.identity("2001:db8::1", 5), Some("x"));
        let bad = |text: &str| Leases::parse(text.as_bytes()).unwrap_err();
        assert!(bad("address,identity,from\n").contains("no column \"until\""));
        assert!(bad("address,identity,from,until\nfoo,x,0,1\n").starts_with("line 2: address"));
        assert!(bad("address,identity,from,until\n10.0.0.1,,0,1\n").contains("empty identity"));
        assert!(
            bad("address,identity,from,until\n10.0.0.1,x,yesterday,1\n").contains("line 2: from")
        );
        assert!(bad("address,identity,from,until\n10.0.0.1,x,5,5\n").contains("ends before"));
        assert!(bad("address,identity,from,until\n10.0.0.1,x,NaN,5\n").contains("not a time"));
    }
}
