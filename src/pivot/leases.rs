//! Host identity over time (`--leases FILE`): which host held an address when.
//!
//! Admin laptops on a DHCP or VPN pool get a new address every few days; the history is kept
//! per host, a host is its address, and an address that changes is a new host: every finding
//! that needs the host's own record (the hour it works, the weekend it never worked, the
//! services it never used) is lost on the day its address changes. With the leases, `pivots` and `report`
//! name the flow records' addresses by the identity that held them at the record's start, as
//! the flows are read, so every later stage (hops, chains, the history's facts, the scores) sees
//! one host where the network saw several addresses.
//!
//! The file is CSV with a header row: `address`, `identity` (a MAC address, a host name, an
//! asset tag: any text; `#` starts a comment line), `from` and `until` (RFC 3339, or seconds
//! since the epoch as Zeek's `ts` writes them; an empty `until` is open-ended) — or Zeek's
//! `dhcp.log` itself (TSV or JSON lines, plain or gzip): each entry with an `assigned_addr` and a
//! `lease_time` is a lease from `ts` to `ts + lease_time` to its `mac` (else its `host_name`);
//! other entries (discover, request, no address) are not leases. A lease covers
//! `from` ≤ t < `until`. Where leases of one address overlap, the later one supersedes: the
//! earlier ends where it starts (a DHCP server that hands a released address to another host
//! logs the first lease for its whole lease time; a renewal continues it). Addresses outside
//! every lease keep their address as their name.

use std::io::BufRead;
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

/// The addresses each identity held in the flows read (identity → addresses).
pub type Held = std::collections::BTreeMap<String, std::collections::BTreeSet<String>>;

/// Why a lease file could not be read: the file (I/O), or a line of it.
enum Bad {
    Io(std::io::Error),
    Line(String),
}

/// A CSV reader's error: the file's, or its line's.
fn csv_bad(e: csv::Error) -> Bad {
    let detail = format!("line {}: {e}", e.position().map_or(1, csv::Position::line));
    match e.into_kind() {
        csv::ErrorKind::Io(e) => Bad::Io(e),
        _ => Bad::Line(detail),
    }
}

/// A lease as a `dhcp.log` entry gives it: address, identity, (from, until) in ms.
type DhcpLease<'a> = (&'a str, &'a str, (i64, i64));

/// Columns renamed: both ends of a flow record.
const ADDRESS_COLUMNS: [&str; 2] = ["src_addr", "dst_addr"];

/// A time of the file, in ms: RFC 3339, or seconds since the epoch (fractions allowed), read
/// as the Zeek reader reads `ts` (`capture::zeek::parse_seconds_us`).
fn instant(text: &str) -> std::result::Result<i64, String> {
    crate::capture::zeek::parse_seconds_us(text)
        .map(|us| us.div_euclid(1000))
        .ok_or_else(|| format!("{text:?} is not a time (RFC 3339 or seconds since the epoch)"))
}

impl Leases {
    /// Read `path` (see the module), line by line. Errors name the file and line (exit 2; an
    /// I/O failure exit 4).
    pub fn load(path: &Path) -> Result<Leases> {
        let what = || format!("--leases {}", path.display());
        Self::parse(&mut *crate::capture::zeek::open(path)?).map_err(|e| match e {
            Bad::Io(e) => Error::io(path, e),
            Bad::Line(detail) => Error::config(what(), detail),
        })
    }

    /// A lease file: Zeek's `dhcp.log` (TSV from its `#separator` line, JSON lines from a `{`),
    /// else CSV.
    fn parse(input: &mut dyn BufRead) -> std::result::Result<Leases, Bad> {
        let head = input.fill_buf().map_err(Bad::Io)?;
        let mut leases = if head.starts_with(b"#separator") {
            Self::zeek_tsv(input)?
        } else if head.trim_ascii_start().starts_with(b"{") {
            Self::zeek_json(input)?
        } else {
            Self::csv(input)?
        };
        leases.settle();
        Ok(leases)
    }

    /// Add a lease of `address` (text, as the log has it) read on `line`. A lease that renews
    /// the address's last one (same identity, starting within it) continues it instead of
    /// adding another: a year of DHCP renewals is one entry per stint.
    fn add(
        &mut self,
        line: u64,
        address: &str,
        identity: &str,
        (from_ms, until_ms): (i64, i64),
    ) -> std::result::Result<(), String> {
        let address: std::net::IpAddr = address
            .parse()
            .map_err(|_| format!("line {line}: address {address:?} is not an IP address"))?;
        if identity.is_empty() {
            return Err(format!("line {line}: empty identity for {address}"));
        }
        if until_ms <= from_ms {
            return Err(format!(
                "line {line}: the lease of {address} to {identity} ends before it starts"
            ));
        }
        let list = self.by_address.entry(address.to_string()).or_default();
        match list.last_mut() {
            // What `settle` makes of the two: the later lease's end.
            Some(last)
                if *last.identity == *identity
                    && last.from_ms <= from_ms
                    && from_ms <= last.until_ms =>
            {
                last.until_ms = until_ms;
            }
            _ => list.push(Lease { from_ms, until_ms, identity: identity.into() }),
        }
        Ok(())
    }

    /// The lease of a `dhcp.log` entry: (address, identity, from, until) when it assigned an
    /// address for a time, None for the other messages.
    fn dhcp_entry<'a>(
        line: u64,
        field: impl Fn(&str) -> Option<&'a str>,
    ) -> std::result::Result<Option<DhcpLease<'a>>, String> {
        let (Some(address), Some(lease)) = (field("assigned_addr"), field("lease_time")) else {
            return Ok(None);
        };
        let Some(identity) = field("mac").or_else(|| field("host_name")) else {
            return Ok(None);
        };
        let ts = field("ts").ok_or_else(|| format!("line {line}: ts is unset"))?;
        let from = instant(ts).map_err(|e| format!("line {line}: ts: {e}"))?;
        let us = crate::capture::zeek::parse_seconds_us(lease)
            .filter(|us| *us >= 0 && !lease.contains('T'))
            .ok_or_else(|| {
                format!("line {line}: lease_time {lease:?} is not a number of seconds")
            })?;
        Ok(Some((address, identity, (from, from + us.div_euclid(1000)))))
    }

    /// Each line of `input` with its number (empty ones left out), at most
    /// `capture::zeek::MAX_LINE_BYTES` each.
    fn lines(
        input: &mut dyn BufRead,
        mut each: impl FnMut(u64, &str) -> std::result::Result<(), String>,
    ) -> std::result::Result<(), Bad> {
        let mut buf = Vec::new();
        let mut n = 0u64;
        while let Some(whole) = crate::capture::zeek::next_line(input, &mut buf).map_err(Bad::Io)? {
            n += 1;
            if !whole {
                return Err(Bad::Line(format!(
                    "line {n}: longer than {} bytes",
                    crate::capture::zeek::MAX_LINE_BYTES
                )));
            }
            let line = String::from_utf8_lossy(&buf);
            if !line.trim().is_empty() {
                each(n, &line).map_err(Bad::Line)?;
            }
        }
        Ok(())
    }

    fn zeek_tsv(input: &mut dyn BufRead) -> std::result::Result<Leases, Bad> {
        use crate::capture::zeek::tsv::{Layout, Set};
        let mut layout = Layout::default();
        let mut leases = Leases::default();
        Self::lines(input, |n, line| {
            if line.starts_with('#') {
                let set = layout.read(line).map_err(|e| format!("line {n}: {e}"))?;
                match layout.path.as_deref() {
                    Some(path) if set == Set::Path && path != "dhcp" => {
                        Err(format!("line {n}: a {path} log, not Zeek's dhcp.log"))
                    }
                    _ => Ok(()),
                }?;
                return Ok(());
            }
            if layout.fields.is_empty() {
                return Err(format!("line {n}: a data line before any #fields header"));
            }
            let v = layout.split(line);
            let field = |name: &str| {
                let k = layout.fields.iter().position(|f| f == name)?;
                v.get(k).and_then(|s| layout.value(s)).filter(|s| !s.is_empty())
            };
            if let Some((a, i, span)) = Self::dhcp_entry(n, field)? {
                leases.add(n, a, i, span)?;
            }
            Ok(())
        })?;
        Ok(leases)
    }

    fn zeek_json(input: &mut dyn BufRead) -> std::result::Result<Leases, Bad> {
        let mut leases = Leases::default();
        Self::lines(input, |n, line| {
            let entry: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)
                .map_err(|e| format!("line {n}: not a JSON object: {e}"))?;
            // Numbers as their text: `ts` and `lease_time` are numbers (or an ISO time).
            let texts: HashMap<&str, String> = entry
                .iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) => Some((k.as_str(), s.clone())),
                    serde_json::Value::Number(x) => Some((k.as_str(), x.to_string())),
                    _ => None,
                })
                .collect();
            if let Some((a, i, span)) = Self::dhcp_entry(n, |k| texts.get(k).map(String::as_str))? {
                leases.add(n, a, i, span)?;
            }
            Ok(())
        })?;
        Ok(leases)
    }

    fn csv(input: &mut dyn BufRead) -> std::result::Result<Leases, Bad> {
        let mut reader =
            csv::ReaderBuilder::new().comment(Some(b'#')).trim(csv::Trim::All).from_reader(input);
        let header: Vec<String> =
            reader.headers().map_err(csv_bad)?.iter().map(|h| h.to_ascii_lowercase()).collect();
        let column = |name: &str| {
            header.iter().position(|h| h == name).ok_or_else(|| {
                Bad::Line(format!(
                    "line 1: no column {name:?} in the header {header:?} (wanted address, identity, from, until)"
                ))
            })
        };
        let (a, i, f, u) =
            (column("address")?, column("identity")?, column("from")?, column("until")?);
        let mut leases = Leases::default();
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_bad(e)),
            }
            let line = record.position().map_or(0, csv::Position::line);
            let field = |k: usize| record.get(k).unwrap_or("");
            let from_ms =
                instant(field(f)).map_err(|e| Bad::Line(format!("line {line}: from: {e}")))?;
            let until_ms = match field(u) {
                "" => i64::MAX,
                t => instant(t).map_err(|e| Bad::Line(format!("line {line}: until: {e}")))?,
            };
            leases.add(line, field(a), field(i), (from_ms, until_ms)).map_err(Bad::Line)?;
        }
        Ok(leases)
    }

    /// Each address's leases in order of start, a later one cutting an earlier one short.
    fn settle(&mut self) {
        for list in self.by_address.values_mut() {
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
    }

    /// Register the leases as the table `leases` of `ctx`: `address`, `identity` (text),
    /// `from_ms`, `until_ms` (UTC epoch ms; NULL: open-ended), one row per stint (renewals
    /// folded, an earlier lease cut where a later one of the address starts), by address and
    /// start.
    pub fn register(&self, ctx: &datafusion::prelude::SessionContext) -> Result<()> {
        use datafusion::arrow::array::Int64Array;
        use datafusion::arrow::datatypes::{Field, Schema};
        let err = |detail: String| Error::Query { name: "leases (--leases)".into(), detail };
        let mut addresses: Vec<&String> = self.by_address.keys().collect();
        addresses.sort_unstable();
        let rows: Vec<(&str, &Lease)> = addresses
            .into_iter()
            .flat_map(|a| self.by_address[a].iter().map(move |l| (a.as_str(), l)))
            .collect();
        let schema = Arc::new(Schema::new(vec![
            Field::new("address", DataType::Utf8, false),
            Field::new("identity", DataType::Utf8, false),
            Field::new("from_ms", DataType::Int64, false),
            Field::new("until_ms", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(StringArray::from_iter_values(rows.iter().map(|(a, _)| *a))),
                Arc::new(StringArray::from_iter_values(rows.iter().map(|(_, l)| &*l.identity))),
                Arc::new(Int64Array::from_iter_values(rows.iter().map(|(_, l)| l.from_ms))),
                Arc::new(Int64Array::from_iter(
                    rows.iter().map(|(_, l)| (l.until_ms != i64::MAX).then_some(l.until_ms)),
                )),
            ],
        )
        .map_err(|e| err(e.to_string()))?;
        let table = datafusion::datasource::MemTable::try_new(schema, vec![vec![batch]])
            .map_err(|e| err(e.to_string()))?;
        ctx.register_table("leases", Arc::new(table)).map_err(|e| err(e.to_string()))?;
        Ok(())
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
    /// address named by its identity at the record's start; with them, how many records were
    /// renamed and the addresses each identity had in them (with `since`, in the records that
    /// arrived from then on, by `received_ms`: the period's, not the look-back's).
    pub fn apply(
        &self,
        batches: Vec<RecordBatch>,
        since: Option<i64>,
    ) -> Result<(Vec<RecordBatch>, usize, Held)> {
        let err = |detail: String| Error::Query { name: "--leases".into(), detail };
        let mut renamed = 0;
        let mut held = Held::new();
        let mut out = Vec::with_capacity(batches.len());
        for batch in batches {
            let column = |name: &str| {
                batch.column_by_name(name).ok_or_else(|| err(format!("no column {name}")))
            };
            let start =
                cast(column("flow_start_ms")?, &DataType::Int64).map_err(|e| err(e.to_string()))?;
            let start = start.as_primitive::<Int64Type>();
            let received = match since {
                Some(s) => Some((
                    cast(column("received_ms")?, &DataType::Int64)
                        .map_err(|e| err(e.to_string()))?,
                    s,
                )),
                None => None,
            };
            let in_period = |r: usize| {
                received.as_ref().is_none_or(|(a, s)| a.as_primitive::<Int64Type>().value(r) >= *s)
            };
            let mut columns = batch.columns().to_vec();
            for name in ADDRESS_COLUMNS {
                let k = batch.schema().index_of(name).map_err(|e| err(e.to_string()))?;
                let original = &columns[k];
                let text = text_column(original).map_err(|e| err(e.to_string()))?;
                let t = texts(&text);
                // One pass: each row's name, and what was renamed (counted, and the address
                // kept for its identity).
                let mut changed = 0;
                let mut named: Vec<Option<&str>> = Vec::with_capacity(batch.num_rows());
                for r in 0..batch.num_rows() {
                    if text.is_null(r) {
                        named.push(None);
                        continue;
                    }
                    let a = t.value(r);
                    let name = self.identity(a, start.value(r)).unwrap_or(a);
                    if name != a {
                        changed += 1;
                        if in_period(r) && !held.get(name).is_some_and(|x| x.contains(a)) {
                            held.entry(name.to_string()).or_default().insert(a.to_string());
                        }
                    }
                    named.push(Some(name));
                }
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
        Ok((out, renamed, held))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<Leases, String> {
        Leases::parse(&mut text.as_bytes()).map_err(|e| match e {
            Bad::Io(e) => e.to_string(),
            Bad::Line(s) => s,
        })
    }

    fn leases(text: &str) -> Leases {
        parse(text).unwrap()
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
    fn zeek_dhcp_logs_give_their_acknowledged_leases_tsv_and_json_alike() {
        let tsv = "#separator \\x09\n\
            #set_separator\t,\n\
            #empty_field\t(empty)\n\
            #unset_field\t-\n\
            #path\tdhcp\n\
            #fields\tts\tuids\tclient_addr\tserver_addr\tmac\thost_name\tassigned_addr\tlease_time\tmsg_types\n\
            #types\ttime\tset[string]\taddr\taddr\tstring\tstring\taddr\tinterval\tvector[string]\n\
            1795680000.000000\tC1\t-\t-\t00:11:22:33:44:55\talice\t-\t-\tDISCOVER\n\
            1795680001.000000\tC2\t10.0.1.5\t10.0.0.1\t00:11:22:33:44:55\talice\t10.0.1.5\t3600.000000\tREQUEST,ACK\n\
            1795683000.000000\tC3\t10.0.1.5\t10.0.0.1\t00:11:22:33:44:55\talice\t10.0.1.5\t3600.000000\tREQUEST,ACK\n\
            1795690000.000000\tC4\t-\t10.0.0.1\t-\tbob-pc\t10.0.1.6\t60.000000\tACK\n";
        let json = "{\"ts\":1795680001.0,\"mac\":\"00:11:22:33:44:55\",\"assigned_addr\":\"10.0.1.5\",\"lease_time\":3600.0}\n\
            {\"ts\":\"2026-11-26T08:50:00Z\",\"mac\":\"00:11:22:33:44:55\",\"assigned_addr\":\"10.0.1.5\",\"lease_time\":3600}\n\
            {\"ts\":1795680000.0,\"mac\":\"00:11:22:33:44:55\",\"msg_types\":[\"DISCOVER\"]}\n\
            {\"ts\":1795690000.0,\"host_name\":\"bob-pc\",\"assigned_addr\":\"10.0.1.6\",\"lease_time\":60}\n";
        for l in [leases(tsv), leases(json)] {
            assert_eq!(l.identity("10.0.1.5", 1_795_680_000_999), None);
            assert_eq!(l.identity("10.0.1.5", 1_795_680_001_000), Some("00:11:22:33:44:55"));
            // The renewal continues the lease past the first one's end.
            assert_eq!(l.identity("10.0.1.5", 1_795_686_599_999), Some("00:11:22:33:44:55"));
            assert_eq!(l.identity("10.0.1.5", 1_795_686_600_000), None);
            // Without a MAC, the host name.
            assert_eq!(l.identity("10.0.1.6", 1_795_690_059_000), Some("bob-pc"));
            assert_eq!(l.addresses(), 2);
            // A renewal continues the stint: one entry, not one per message.
            assert_eq!(l.by_address["10.0.1.5"].len(), 1);
        }
        let bad = |text: &str| parse(text).unwrap_err();
        assert!(bad("#separator \\x09\n#path\tconn\n").contains("a conn log, not Zeek's dhcp.log"));
        assert!(
            bad("{\"ts\":1,\"mac\":\"m\",\"assigned_addr\":\"10.0.0.1\",\"lease_time\":\"x\"}\n")
                .contains("line 1: lease_time")
        );
        assert!(bad("{\"ts\":1}\nnot json\n").starts_with("line 2: not a JSON object"));
    }

    #[test]
    fn addresses_are_canonical_and_bad_lines_are_named() {
        let l = leases("Address,Identity,From,Until\n2001:DB8::0001,x,0,10\n");
        assert_eq!(l.identity("2001:db8::1", 5), Some("x"));
        let bad = |text: &str| parse(text).unwrap_err();
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
