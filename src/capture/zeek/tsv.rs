//! Zeek's TSV log format: `#separator`, `#unset_field`, `#empty_field`, `#path`, `#fields`
//! header lines (again wherever a rotated or concatenated log starts), then one entry a line.

use super::conn::Conn;
use super::{SENSOR_FIELDS, parse_count, parse_seconds_us};

/// The layout lines of a Zeek TSV log, whatever the log (`conn.log` here, `dhcp.log` for
/// `--leases`): how to split a line, the unset and empty markers, `#path` and `#fields`.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub separator: String,
    pub unset: String,
    pub empty: String,
    /// `#path` (None before any).
    pub path: Option<String>,
    /// `#fields` (empty before any).
    pub fields: Vec<String>,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            separator: "\t".into(),
            unset: "-".into(),
            empty: "(empty)".into(),
            path: None,
            fields: Vec::new(),
        }
    }
}

/// What a `#…` line set.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Set {
    /// `#separator`: a new log starts (its own header follows).
    NewLog,
    /// `#path`.
    Path,
    /// `#fields`.
    Fields,
    /// Anything else (`#unset_field`, `#types`, `#open`, a comment).
    Other,
}

impl Layout {
    /// Take a `#…` line. Errors name what is wrong with it.
    pub fn read(&mut self, line: &str) -> Result<Set, String> {
        if let Some(v) = line.strip_prefix("#separator ") {
            let separator = unescape(v.trim_end());
            if separator.is_empty() {
                return Err("#separator is empty".into());
            }
            *self = Layout { separator, ..Layout::default() };
            return Ok(Set::NewLog);
        }
        let mut parts = line.split(self.separator.as_str());
        let key = parts.next().unwrap_or_default();
        let values: Vec<&str> = parts.collect();
        let first = values.first().copied();
        Ok(match key {
            "#unset_field" => {
                self.unset = first.unwrap_or("-").to_string();
                Set::Other
            }
            "#empty_field" => {
                self.empty = first.unwrap_or("(empty)").to_string();
                Set::Other
            }
            "#path" => {
                self.path = first.map(str::to_string);
                self.fields.clear();
                Set::Path
            }
            "#fields" => {
                self.fields = values.iter().map(|f| f.to_string()).collect();
                Set::Fields
            }
            _ => Set::Other,
        })
    }

    /// A data line's values.
    pub fn split<'a>(&self, line: &'a str) -> Vec<&'a str> {
        line.split(self.separator.as_str()).collect()
    }

    /// `v` unless it is the unset or the empty marker.
    pub fn value<'a>(&self, v: &'a str) -> Option<&'a str> {
        (v != self.unset && v != self.empty).then_some(v)
    }
}

/// The header of the conn log being read: its layout and where each field is.
#[derive(Debug, Clone, Default)]
pub struct Header {
    layout: Layout,
    /// Positions from `#fields`, once seen.
    index: Option<Index>,
    /// The fields are another log's (no conn fields, or `#path` not `conn`).
    other: bool,
}

#[derive(Debug, Clone, Default)]
struct Index {
    ts: usize,
    orig_h: usize,
    orig_p: usize,
    resp_h: usize,
    resp_p: usize,
    proto: usize,
    duration: Option<usize>,
    conn_state: Option<usize>,
    history: Option<usize>,
    orig_pkts: Option<usize>,
    orig_ip_bytes: Option<usize>,
    orig_bytes: Option<usize>,
    resp_pkts: Option<usize>,
    resp_ip_bytes: Option<usize>,
    resp_bytes: Option<usize>,
    sensor: Option<usize>,
}

/// What a data line was.
pub enum Line {
    /// A conn entry.
    Conn(Box<Conn>),
    /// A line of another log (`#path` is not `conn`).
    OtherLog,
}

/// `\x09` and friends in a header value (also `--leases`' reading of `dhcp.log`).
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\\x") {
        out.push_str(&rest[..i]);
        match rest.get(i + 2..i + 4).and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) => {
                out.push(char::from(b));
                rest = &rest[i + 4..];
            }
            None => {
                out.push_str("\\x");
                rest = &rest[i + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Header {
    /// Take a `#…` line. Errors name what is wrong with it.
    pub fn read(&mut self, line: &str) -> Result<(), String> {
        match self.layout.read(line)? {
            Set::NewLog | Set::Path => {
                self.index = None;
                self.other = false;
            }
            Set::Fields => {
                self.index = None;
                self.other = false;
                let fields: Vec<&str> = self.layout.fields.iter().map(String::as_str).collect();
                match (Index::of(&fields), self.layout.path.as_deref()) {
                    (Ok(index), _) => self.index = Some(index),
                    // Another log (`#path dns`), or no #path and not a conn log's fields.
                    (Err(_), Some(p)) if p != "conn" => self.other = true,
                    (Err(_), None) => self.other = true,
                    (Err(why), Some(_)) => return Err(why),
                }
            }
            Set::Other => {}
        }
        Ok(())
    }

    /// Parse a data line.
    pub fn line(&self, line: &str) -> Result<Line, String> {
        if self.other || self.layout.path.as_deref().is_some_and(|p| p != "conn") {
            return Ok(Line::OtherLog);
        }
        let Some(ix) = &self.index else {
            return Err("a data line before any #fields header".into());
        };
        let v = self.layout.split(line);
        let get = |i: usize| -> Option<&str> { self.layout.value(v.get(i)?) };
        let opt = |i: Option<usize>| i.and_then(get);
        let need = |i: usize, name: &str| get(i).ok_or_else(|| format!("{name} is unset"));
        let count = |i: Option<usize>, name: &str| -> Result<u64, String> {
            opt(i).map_or(Ok(0), |s| parse_count(s).ok_or_else(|| format!("{name} {s:?}")))
        };
        let addr = |i: usize, name: &str| -> Result<std::net::IpAddr, String> {
            let s = need(i, name)?;
            s.parse().map_err(|_| format!("{name} {s:?} is not an address"))
        };
        let port = |i: usize, name: &str| -> Result<u16, String> {
            let s = need(i, name)?;
            s.parse().map_err(|_| format!("{name} {s:?} is not a port"))
        };
        if v.len() < ix.min_len() {
            return Err(format!("{} fields, the #fields header names more", v.len()));
        }
        let ts = need(ix.ts, "ts")?;
        let bytes = |ip: Option<usize>, payload: Option<usize>, name: &str| {
            if opt(ip).is_some() { count(ip, name) } else { count(payload, name) }
        };
        let conn = Conn {
            ts_us: parse_seconds_us(ts).ok_or_else(|| format!("ts {ts:?} is not a time"))?,
            duration_us: match opt(ix.duration) {
                Some(d) => parse_seconds_us(d).ok_or_else(|| format!("duration {d:?}"))?,
                None => 0,
            },
            orig_h: Some(addr(ix.orig_h, "id.orig_h")?),
            orig_p: port(ix.orig_p, "id.orig_p")?,
            resp_h: Some(addr(ix.resp_h, "id.resp_h")?),
            resp_p: port(ix.resp_p, "id.resp_p")?,
            proto: need(ix.proto, "proto")?.to_string(),
            conn_state: opt(ix.conn_state).unwrap_or_default().to_string(),
            history: opt(ix.history).unwrap_or_default().to_string(),
            orig_pkts: count(ix.orig_pkts, "orig_pkts")?,
            orig_bytes: bytes(ix.orig_ip_bytes, ix.orig_bytes, "orig_ip_bytes")?,
            resp_pkts: count(ix.resp_pkts, "resp_pkts")?,
            resp_bytes: bytes(ix.resp_ip_bytes, ix.resp_bytes, "resp_ip_bytes")?,
            sensor: opt(ix.sensor).map(str::to_string),
        };
        Ok(Line::Conn(Box::new(conn)))
    }
}

impl Index {
    fn of(fields: &[&str]) -> Result<Index, String> {
        let at = |name: &str| fields.iter().position(|f| *f == name);
        let must = |name: &str| at(name).ok_or_else(|| format!("#fields lacks {name}"));
        Ok(Index {
            ts: must("ts")?,
            orig_h: must("id.orig_h")?,
            orig_p: must("id.orig_p")?,
            resp_h: must("id.resp_h")?,
            resp_p: must("id.resp_p")?,
            proto: must("proto")?,
            duration: at("duration"),
            conn_state: at("conn_state"),
            history: at("history"),
            orig_pkts: at("orig_pkts"),
            orig_ip_bytes: at("orig_ip_bytes"),
            orig_bytes: at("orig_bytes"),
            resp_pkts: at("resp_pkts"),
            resp_ip_bytes: at("resp_ip_bytes"),
            resp_bytes: at("resp_bytes"),
            sensor: SENSOR_FIELDS.iter().find_map(|name| at(name)),
        })
    }

    /// Fields a line needs at least (up to the last required one).
    fn min_len(&self) -> usize {
        [self.ts, self.orig_h, self.orig_p, self.resp_h, self.resp_p, self.proto]
            .into_iter()
            .max()
            .unwrap_or(0)
            + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layout_follows_its_header_lines_and_starts_over_at_a_separator() {
        let mut l = Layout::default();
        assert_eq!(l.read("#separator \\x7c").unwrap(), Set::NewLog);
        assert_eq!(l.separator, "|");
        assert_eq!(l.read("#unset_field|?").unwrap(), Set::Other);
        assert_eq!(l.read("#path|dhcp").unwrap(), Set::Path);
        assert_eq!(l.read("#fields|ts|mac").unwrap(), Set::Fields);
        assert_eq!((l.path.as_deref(), l.fields.len()), (Some("dhcp"), 2));
        assert_eq!(
            l.split("1.5|?").iter().map(|v| l.value(v)).collect::<Vec<_>>(),
            [Some("1.5"), None]
        );
        assert_eq!(l.value("(empty)"), None);
        // A rotated log's header: everything from the defaults again.
        assert_eq!(l.read("#separator \\x09").unwrap(), Set::NewLog);
        assert_eq!((l.separator.as_str(), l.unset.as_str(), l.path.clone()), ("\t", "-", None));
        assert!(l.fields.is_empty());
        assert_eq!(l.read("#separator ").unwrap_err(), "#separator is empty");
        // A new #path forgets the fields of the log before it.
        l.read("#fields\tts").unwrap();
        assert_eq!(l.read("#path\tconn").unwrap(), Set::Path);
        assert!(l.fields.is_empty());
    }
}
