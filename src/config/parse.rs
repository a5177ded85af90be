//! The one set of parsers for option values, each error naming the option and the text.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

use crate::error::{Error, Result};

/// A duration such as `30s`, `5m`, `28d` (humantime).
pub fn duration(what: &str, text: &str) -> Result<Duration> {
    humantime::parse_duration(text).map_err(|e| Error::config(what, format!("{text:?}: {e}")))
}

/// A duration in milliseconds.
pub fn duration_ms(what: &str, text: &str) -> Result<i64> {
    duration(what, text).map(|d| d.as_millis() as i64)
}

/// A CIDR (`10.0.9.0/24`) or a single address (`10.0.9.5`, a /32 or /128).
pub fn cidr(what: &str, text: &str) -> Result<IpNet> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|e| Error::config(what, format!("{text:?}: {e}")))
}

/// `--cluster URL`, else `$PIVOTFLOW_CLUSTER`, else none (run locally); `df://HOST:PORT`.
pub fn cluster(given: Option<&str>) -> Result<Option<String>> {
    let url = given.map(String::from).or_else(|| std::env::var("PIVOTFLOW_CLUSTER").ok());
    match url {
        Some(u) if !u.starts_with("df://") => {
            Err(Error::config("--cluster", format!("{u:?}: give the scheduler as df://HOST:PORT")))
        }
        other => Ok(other),
    }
}

/// `--timeout` of a cluster run: a duration longer than zero.
pub fn cluster_timeout(text: &str) -> Result<std::time::Duration> {
    let d = duration("--timeout", text)?;
    if d.is_zero() { Err(Error::config("--timeout", "must be longer than 0")) } else { Ok(d) }
}

/// `path` for an option that writes a local store (`capture --data`, `index --data`,
/// `synth --parquet`): an object store URL is refused with what to do instead.
pub fn local_store(what: &str, path: &std::path::Path) -> Result<std::path::PathBuf> {
    if crate::store::objects::is_remote(path) {
        return Err(Error::config(
            what,
            format!(
                "{} is an object store: {what} writes a local store folder (sql, pivots and \
                 report read s3:// stores; copy finished hours there, e.g. with `aws s3 sync`)",
                path.display()
            ),
        ));
    }
    Ok(path.to_path_buf())
}

/// A count that must be at least 1 (a limit of 0 would refuse everything).
pub fn positive(what: &str, n: usize) -> Result<usize> {
    if n == 0 { Err(Error::config(what, "must be at least 1")) } else { Ok(n) }
}

/// A share between 0 and 1.
pub fn share(what: &str, v: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(Error::config(what, format!("{v} is not a share between 0 and 1")))
    }
}

/// A byte size: `4G`, `512M`, `1.5GiB`, `1000000` (K/M/G/T are powers of 1024).
pub fn size(what: &str, text: &str) -> Result<usize> {
    let t = text.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| Error::config(what, format!("{text:?} is not a size like 4G or 512M")))?;
    let mult = match unit.trim().to_ascii_lowercase().trim_end_matches("ib").trim_end_matches('b') {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(Error::config(what, format!("{text:?}: unknown unit"))),
    };
    Ok((n * mult) as usize)
}

/// The ports an admin layout keeps for `--service` specs: theirs, or the default services'.
pub fn admin_ports(specs: &[String]) -> Result<crate::store::admin::AdminPorts> {
    if specs.is_empty() {
        return Ok(crate::store::admin::AdminPorts::default_services());
    }
    Ok(crate::store::admin::AdminPorts::of(&crate::services::parse_services(specs)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(duration_ms("x", "5m").unwrap(), 300_000);
        assert!(duration("--skew", "soon").unwrap_err().to_string().contains("--skew"));
        assert_eq!(cidr("x", "10.0.9.5").unwrap().to_string(), "10.0.9.5/32");
        assert_eq!(cidr("x", "10.0.9.0/24").unwrap().to_string(), "10.0.9.0/24");
        assert!(cidr("--trusted", "10.0.9").is_err());
        assert!(share("x", 1.5).is_err());
        assert_eq!(size("x", "4G").unwrap(), 4 << 30);
        assert_eq!(size("x", "512MiB").unwrap(), 512 << 20);
        assert_eq!(size("x", "1000").unwrap(), 1000);
        assert!(size("--memory-limit", "lots").is_err());
    }
}
