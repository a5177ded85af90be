//! `--syslog unix:///dev/log|udp://HOST:PORT`: every alert incident as an RFC 5424 syslog
//! message whose MSG is the same ECS JSON object `--events` writes (one datagram each).
//!
//! `<132>1 2026-11-03T07:00:01.123Z host pivotflow 4242 alert - {"@timestamp":…}`: facility
//! local0 (16), severity warning (4); no structured data; no BOM before the JSON, so receivers
//! (rsyslog, syslog-ng, Vector, Logstash) can parse the message as JSON as it is. A rerun of a day
//! sends its events again with the same `event.id` (a SIEM deduplicates by it).

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::pivot::outcome::PivotReport;

/// Where syslog messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A local syslog daemon's datagram socket (`unix:///dev/log`).
    Unix(PathBuf),
    /// A syslog receiver over UDP (`udp://HOST:PORT`, RFC 5426).
    Udp(String),
}

impl Target {
    /// Parse `--syslog`.
    pub fn parse(text: &str) -> Result<Target> {
        if let Some(path) = text.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(Error::config("--syslog", format!("{text:?}: no socket path")));
            }
            return Ok(Target::Unix(PathBuf::from(path)));
        }
        if let Some(hostport) = text.strip_prefix("udp://") {
            if hostport
                .rsplit_once(':')
                .is_none_or(|(h, p)| h.is_empty() || p.parse::<u16>().is_err())
            {
                return Err(Error::config("--syslog", format!("{text:?}: give udp://HOST:PORT")));
            }
            return Ok(Target::Udp(hostport.to_string()));
        }
        Err(Error::config("--syslog", format!("{text:?}: give unix:///dev/log or udp://HOST:PORT")))
    }

    fn url(&self) -> String {
        match self {
            Target::Unix(p) => format!("unix://{}", p.display()),
            Target::Udp(h) => format!("udp://{h}"),
        }
    }
}

/// Facility local0 (16) × 8 + severity warning (4).
const PRI: u8 = 132;

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && h.is_ascii() && !h.contains(' '))
        .unwrap_or_else(|| "-".into())
}

/// The RFC 5424 message carrying one event.
pub fn message(event_json: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "<{PRI}>1 {} {} pivotflow {} alert - {event_json}",
        now.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
        hostname(),
        std::process::id()
    )
}

/// Send every alert incident of `report` (day `label`) to `target`; returns how many.
pub fn send(target: &Target, label: &str, report: &PivotReport) -> Result<usize> {
    let lines = super::events::lines(label, report)?;
    let err = |e: std::io::Error| Error::io(target.url(), e);
    let now = chrono::Utc::now();
    let mut n = 0;
    match target {
        Target::Unix(path) => {
            let socket = std::os::unix::net::UnixDatagram::unbound().map_err(err)?;
            for line in lines.lines() {
                socket.send_to(message(line, now).as_bytes(), path).map_err(err)?;
                n += 1;
            }
        }
        Target::Udp(hostport) => {
            let addr = std::net::ToSocketAddrs::to_socket_addrs(hostport.as_str())
                .map_err(err)?
                .next()
                .ok_or_else(|| err(std::io::Error::other("no address")))?;
            let local = if addr.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
            let socket = std::net::UdpSocket::bind(local).map_err(err)?;
            for line in lines.lines() {
                socket.send_to(message(line, now).as_bytes(), addr).map_err(err)?;
                n += 1;
            }
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_bad_ones_name_the_option() {
        assert_eq!(Target::parse("unix:///dev/log").unwrap(), Target::Unix("/dev/log".into()));
        assert_eq!(
            Target::parse("udp://127.0.0.1:514").unwrap(),
            Target::Udp("127.0.0.1:514".into())
        );
        for bad in ["tcp://x:1", "udp://x", "udp://:514", "unix://", "/dev/log"] {
            assert!(Target::parse(bad).unwrap_err().to_string().contains("--syslog"), "{bad}");
        }
    }

    #[test]
    fn a_message_is_rfc5424_with_the_event_as_its_text() {
        let t = chrono::DateTime::from_timestamp_millis(1_794_000_000_123).unwrap();
        let m = message("{\"a\":1}", t);
        let parts: Vec<&str> = m.splitn(8, ' ').collect();
        assert_eq!(parts[0], "<132>1");
        assert_eq!(parts[1], "2026-11-06T21:20:00.123Z");
        assert_eq!((parts[3], parts[5], parts[6]), ("pivotflow", "alert", "-"));
        assert_eq!(parts[7], "{\"a\":1}");
    }
}
