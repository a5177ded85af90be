//! Zeek conn logs as a source (`capture --zeek FILE`): the same store as NetFlow and raw
//! packets, from the `conn.log` of a Zeek sensor (Security Onion, Malcolm, Corelight, …).
//!
//! ```text
//! file | file.gz | stdin ─ lines (≤ 1 MiB each) ─┬─ "#…"  TSV header (tsv.rs)
//!                                                ├─ "{…"  JSON entry (json.rs) ─┐
//!                                                └─ other TSV entry (tsv.rs) ───┴─ Conn ─ records (conn.rs) ─ sink
//! ```
//! Both of Zeek's formats are read, also mixed and concatenated (rotated logs, `cat`ed days):
//! every `#separator` line starts a new TSV header. A bad line is counted, named (file and
//! line) and skipped; the rest is stored, and the run exits 3 naming the first bad line.

pub mod conn;
pub mod json;
pub mod tsv;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::Pipeline;
use crate::error::{Error, Result};
use crate::store::record::FlowRecord;

/// Fields that name the sensor, in the order they are looked for: Corelight's and Zeek's own
/// (`Log::enable_local_logging` with node names), then the one SIEM shippers add.
pub const SENSOR_FIELDS: &[&str] = &["_system_name", "_node_name", "@system"];

/// A longer line is bad (bounds memory whatever a file holds).
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Records handed to the sink at once.
const BATCH_ROWS: usize = 64 * 1024;
/// Sensors counted by name; more are counted under `(other)`.
const SENSORS_TRACKED: usize = 1024;
/// Bad lines named in the log (all are counted).
const BAD_LINES_LOGGED: u64 = 20;

/// What reading the conn logs counted (`zeek` in `--stats-json`).
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct ZeekStats {
    /// Files (or stdin) read.
    pub files: u64,
    /// Lines read, headers included.
    pub lines: u64,
    /// TSV header and comment lines (`#…`).
    pub header_lines: u64,
    /// Empty lines.
    pub empty_lines: u64,
    /// Conn entries stored.
    pub connections: u64,
    /// Flow records they became (one per direction that carried packets).
    pub records: u64,
    /// Lines that could not be read (named in the log, the first one in the exit error).
    pub lines_bad: u64,
    /// Entries of another log (`#path`/`_path` not `conn`): not flows, skipped.
    pub lines_other_log: u64,
    /// Connections over a transport other than TCP, UDP and ICMP (`unknown_transport`).
    pub connections_unknown_proto: u64,
    /// Connections per sensor name (`-` for lines naming none).
    pub sensors: BTreeMap<String, u64>,
}

/// One-line summary for the capture's stderr report.
pub fn summary(s: &ZeekStats) -> String {
    format!(
        "zeek: files={} lines={} connections={} records={} bad_lines={} other_log_lines={} unknown_proto={} sensors={}",
        s.files,
        s.lines,
        s.connections,
        s.records,
        s.lines_bad,
        s.lines_other_log,
        s.connections_unknown_proto,
        s.sensors.len()
    )
}

/// The first bad line of a run, for the exit error.
struct FirstBad {
    path: PathBuf,
    line: u64,
    detail: String,
}

/// Reads conn logs into the pipeline; keeps the counters and the sensor names.
struct Reader<'a> {
    pipeline: &'a mut Pipeline,
    stats: ZeekStats,
    sensors: HashMap<String, Arc<String>>,
    records: Vec<FlowRecord>,
    first_bad: Option<FirstBad>,
}

/// Open a log: `-` is stdin; gzip is recognised by its magic bytes, whatever the name (also
/// `--leases`, which reads Zeek's `dhcp.log`).
pub(crate) fn open(path: &Path) -> Result<Box<dyn BufRead>> {
    let raw: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?)
    };
    let mut buffered = BufReader::with_capacity(1 << 16, raw);
    let head = buffered.fill_buf().map_err(|e| Error::io(path, e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(buffered),
        )))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Read one line into `buf` (without its newline), at most `MAX_LINE_BYTES`; a longer one is
/// consumed to its end and reported as `Ok(Some(false))`. `Ok(None)` at the end of input.
pub(crate) fn next_line(
    input: &mut dyn BufRead,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let n = Read::take(&mut *input, MAX_LINE_BYTES as u64 + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(Some(true));
    }
    if buf.len() <= MAX_LINE_BYTES {
        return Ok(Some(true)); // the last line, without a newline
    }
    // Too long: skip to the end of the line, in bounded pieces.
    loop {
        buf.clear();
        let n = Read::take(&mut *input, 1 << 16).read_until(b'\n', buf)?;
        if n == 0 || buf.last() == Some(&b'\n') {
            return Ok(Some(false));
        }
    }
}

impl Reader<'_> {
    fn bad(&mut self, path: &Path, line: u64, detail: String) {
        self.stats.lines_bad += 1;
        if self.stats.lines_bad <= BAD_LINES_LOGGED {
            tracing::warn!("{}: line {line}: {detail}; line skipped", path.display());
        }
        if self.first_bad.is_none() {
            self.first_bad = Some(FirstBad { path: path.to_path_buf(), line, detail });
        }
    }

    fn sensor(&mut self, name: Option<&str>) -> Option<Arc<String>> {
        // Counted without a new String per line once the sensor is known.
        let key = name.unwrap_or("-");
        let key =
            if self.stats.sensors.contains_key(key) || self.stats.sensors.len() < SENSORS_TRACKED {
                key
            } else {
                "(other)"
            };
        match self.stats.sensors.get_mut(key) {
            Some(n) => *n += 1,
            None => {
                self.stats.sensors.insert(key.to_string(), 1);
            }
        }
        let name = name?;
        if let Some(a) = self.sensors.get(name) {
            return Some(a.clone());
        }
        let interned = Arc::new(name.to_string());
        if self.sensors.len() < SENSORS_TRACKED {
            self.sensors.insert(name.to_string(), interned.clone());
        }
        Some(interned)
    }

    fn conn(&mut self, c: &conn::Conn) {
        let sensor = self.sensor(c.sensor.as_deref());
        match c.records(sensor.as_ref(), &mut self.records) {
            Ok(n) => {
                self.stats.connections += 1;
                self.stats.records += n as u64;
            }
            Err(conn::Skip::UnknownProto) => self.stats.connections_unknown_proto += 1,
            Err(conn::Skip::NoAddress) => {} // the parsers refuse such lines first
        }
    }

    fn file(&mut self, path: &Path) -> Result<()> {
        tracing::info!(file = %path.display(), "reading Zeek log");
        self.stats.files += 1;
        let mut input = open(path)?;
        let mut header = tsv::Header::default();
        let mut buf = Vec::with_capacity(4096);
        let mut n = 0u64;
        loop {
            let whole = match next_line(&mut input, &mut buf) {
                Ok(Some(whole)) => whole,
                Ok(None) => break,
                Err(e) => {
                    // A damaged gzip stream or a read error: what came before is kept.
                    self.bad(path, n + 1, format!("input unreadable from here: {e}"));
                    break;
                }
            };
            n += 1;
            self.stats.lines += 1;
            if !whole {
                self.bad(path, n, format!("longer than {MAX_LINE_BYTES} bytes"));
                continue;
            }
            let Ok(text) = std::str::from_utf8(&buf) else {
                self.bad(path, n, "not UTF-8".into());
                continue;
            };
            self.line(path, n, text, &mut header);
            if self.records.len() >= BATCH_ROWS {
                self.pipeline.push_records(&mut self.records)?;
            }
        }
        self.pipeline.push_records(&mut self.records)
    }

    fn line(&mut self, path: &Path, n: u64, text: &str, header: &mut tsv::Header) {
        if text.trim().is_empty() {
            self.stats.empty_lines += 1;
        } else if text.starts_with('#') {
            self.stats.header_lines += 1;
            if let Err(why) = header.read(text) {
                self.bad(path, n, why);
            }
        } else if text.starts_with('{') {
            match json::line(text) {
                Ok(json::Line::Conn(c)) => self.conn(&c),
                Ok(json::Line::OtherLog) => self.stats.lines_other_log += 1,
                Err(why) => self.bad(path, n, why),
            }
        } else {
            match header.line(text) {
                Ok(tsv::Line::Conn(c)) => self.conn(&c),
                Ok(tsv::Line::OtherLog) => self.stats.lines_other_log += 1,
                Err(why) => self.bad(path, n, why),
            }
        }
    }
}

/// Read every log into the pipeline. Returns the counters and, when lines were bad, the error
/// naming the first one (every other line was stored).
pub fn run(files: &[PathBuf], pipeline: &mut Pipeline) -> Result<(ZeekStats, Option<Error>)> {
    let mut reader = Reader {
        pipeline,
        stats: ZeekStats::default(),
        sensors: HashMap::new(),
        records: Vec::with_capacity(BATCH_ROWS),
        first_bad: None,
    };
    for path in files {
        reader.file(path)?;
    }
    let error = reader.first_bad.map(|b| Error::ZeekLines {
        path: b.path,
        line: b.line,
        detail: b.detail,
        bad: reader.stats.lines_bad,
    });
    Ok((reader.stats, error))
}

/// Seconds as Zeek writes them (`1588205198.899710`, `-`-free), or an ISO 8601 / RFC 3339
/// time (`2020-04-30T00:06:38.899710Z`, Zeek's `JSON::TS_ISO8601`), to µs since the epoch.
pub fn parse_seconds_us(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.contains('T') {
        let t = chrono::DateTime::parse_from_rfc3339(s).ok()?;
        return Some(t.timestamp_micros());
    }
    if s.contains(['e', 'E']) {
        let f: f64 = s.parse().ok()?;
        return (f.is_finite() && f.abs() < 1e12).then(|| (f * 1e6).round() as i64);
    }
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || int.len() > 12
    {
        return None;
    }
    let whole: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    // Six digits of µs, rounded on the seventh.
    let mut us: i64 = 0;
    for i in 0..6 {
        us = us * 10 + frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
    }
    if frac.as_bytes().get(6).is_some_and(|b| *b >= b'5') {
        us += 1;
    }
    let total = whole * 1_000_000 + us;
    Some(if neg { -total } else { total })
}

/// A count (`12`; `12.0` from a pipeline that made every number a float).
pub fn parse_count(s: &str) -> Option<u64> {
    let s = s.trim();
    s.parse().ok().or_else(|| s.strip_suffix(".0").and_then(|i| i.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_to_microseconds() {
        assert_eq!(parse_seconds_us("1588205198.899710"), Some(1_588_205_198_899_710));
        assert_eq!(parse_seconds_us("1588205198.89971"), Some(1_588_205_198_899_710));
        assert_eq!(parse_seconds_us("0.0015780925750732422"), Some(1578));
        assert_eq!(parse_seconds_us("1.5e-05"), Some(15));
        assert_eq!(parse_seconds_us("12"), Some(12_000_000));
        assert_eq!(parse_seconds_us("2020-04-30T00:06:38.899710Z"), Some(1_588_205_198_899_710));
        for bad in ["", ".", "x1", "1.2.3", "1e999", "9999999999999999"] {
            assert_eq!(parse_seconds_us(bad), None, "{bad}");
        }
        assert_eq!(parse_count("12.0"), Some(12));
        assert_eq!(parse_count("-1"), None);
    }

    #[test]
    fn long_lines_are_cut_and_skipped_without_holding_them() {
        let mut text = vec![b'x'; MAX_LINE_BYTES + 10];
        text.extend_from_slice(b"\nnext\r\nlast");
        let mut input = std::io::Cursor::new(text);
        let mut buf = Vec::new();
        assert_eq!(next_line(&mut input, &mut buf).unwrap(), Some(false));
        assert_eq!(next_line(&mut input, &mut buf).unwrap(), Some(true));
        assert_eq!(buf, b"next");
        assert_eq!(next_line(&mut input, &mut buf).unwrap(), Some(true));
        assert_eq!(buf, b"last");
        assert_eq!(next_line(&mut input, &mut buf).unwrap(), None);
    }
}
