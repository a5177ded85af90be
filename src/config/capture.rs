//! `capture`: validated settings from its raw arguments.

use std::net::IpAddr;

use crate::capture::decode::ScopeLimits;
use crate::capture::decode::hold::HoldLimits;
use crate::capture::meter::MeterSettings;
use crate::capture::{CaptureConfig, Source};
use crate::cli::CaptureArgs;
use crate::error::{Error, Result};
use crate::store::parquet_file::WriterSettings;

use super::parse::{cidr, duration, duration_ms, positive};

impl CaptureConfig {
    /// Validate `capture`'s arguments (exit 2 with the offending option on error).
    pub fn from_args(a: &CaptureArgs) -> Result<Self> {
        let source = source_of(a)?;
        // Options of another source are refused rather than silently ignored.
        refuse_foreign_options(a, &source)?;
        let allow = a
            .allow_exporter
            .iter()
            .map(|s| cidr("--allow-exporter", s))
            .collect::<Result<Vec<_>>>()?;
        let flush_interval = duration("--flush-interval", &a.flush_interval)?;
        if flush_interval.is_zero() {
            return Err(Error::config("--flush-interval", "must be greater than zero"));
        }
        if !(1..=22).contains(&a.zstd_level) {
            return Err(Error::config(
                "--zstd-level",
                format!("{} is outside 1..=22", a.zstd_level),
            ));
        }
        Ok(CaptureConfig {
            source,
            data: super::parse::local_store("--data", &a.data)?,
            ports: a.port.clone(),
            allow,
            hold: HoldLimits {
                max_sets: a.hold_max_sets,
                max_bytes: a.hold_max_bytes,
                max_age_ms: duration("--hold-max-age", &a.hold_max_age)?.as_millis() as i64,
            },
            scopes: ScopeLimits {
                max_scopes: positive("--max-scopes", a.max_scopes)?,
                max_templates: positive("--max-templates", a.max_templates)?,
                max_template_fields: positive("--max-template-fields", a.max_template_fields)?,
                idle_ms: duration("--scope-idle", &a.scope_idle)?.as_millis() as i64,
            },
            flush_interval,
            stats_interval: duration("--stats-interval", &a.stats_interval)?,
            stats_json: a.stats_json.clone(),
            upload: match &a.upload {
                Some(u) if !crate::store::objects::is_remote(u) => {
                    return Err(Error::config(
                        "--upload",
                        format!("{} is not an object store URL (s3://BUCKET/PREFIX)", u.display()),
                    ));
                }
                u => u.clone(),
            },
            writer: WriterSettings {
                zstd_level: a.zstd_level,
                row_group_rows: a.row_group_rows.max(1),
                tuned_encodings: !a.writer_defaults,
            },
            max_rows_per_file: a.max_rows_per_file.max(1),
            admin: admin_ports(a)?,
            close_grace: duration("--close-grace", &a.close_grace)?,
            recv_buffer_bytes: a.recv_buffer,
            queue_datagrams: a.queue.max(1),
            retention: match (&a.retention, a.listen.is_empty()) {
                (Some(_), true) => {
                    return Err(Error::config(
                        "--retention",
                        "applies to a live collector (--listen) only; it would delete by today's date",
                    ));
                }
                (Some(r), false) => Some(duration("--retention", r)?),
                (None, _) => None,
            },
        })
    }

    /// True when `--allow-exporter` is empty or one of its networks contains `ip`.
    pub fn exporter_allowed(&self, ip: IpAddr) -> bool {
        self.allow.is_empty() || self.allow.iter().any(|n| n.contains(&ip))
    }
}

/// The one source given (`--pcap`, `--listen`, `--packets` or `--zeek`) with its settings.
fn source_of(a: &CaptureArgs) -> Result<Source> {
    let given =
        [!a.pcap.is_empty(), !a.listen.is_empty(), !a.packets.is_empty(), !a.zeek.is_empty()];
    Ok(match given {
        [true, false, false, false] => Source::Pcap(a.pcap.clone()),
        [false, true, false, false] => Source::Udp(a.listen.clone()),
        [false, false, true, false] => Source::Packets(a.packets.clone(), meter_settings(a)?),
        [false, false, false, true] => {
            if a.zeek.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
                return Err(Error::config("--zeek", "stdin (-) given more than once"));
            }
            Source::Zeek(a.zeek.clone())
        }
        [false, false, false, false] => {
            return Err(Error::config(
                "source",
                "give --listen ADDR:PORT, --pcap FILE (NetFlow/IPFIX exports), --packets FILE (raw packets) or --zeek FILE (Zeek conn logs)",
            ));
        }
        _ => {
            return Err(Error::config(
                "source",
                "use one of --listen, --pcap, --packets and --zeek, not several",
            ));
        }
    })
}

/// The packet meter's settings (`--packets`): flow timeouts and the flow table's bound.
fn meter_settings(a: &CaptureArgs) -> Result<MeterSettings> {
    let active_ms = duration_ms("--active-timeout", &a.active_timeout)?;
    let inactive_ms = duration_ms("--inactive-timeout", &a.inactive_timeout)?;
    if active_ms <= 0 || inactive_ms <= 0 {
        return Err(Error::config(
            if active_ms <= 0 { "--active-timeout" } else { "--inactive-timeout" },
            "must be greater than zero",
        ));
    }
    let max_flows = positive("--max-flows", a.max_flows)?;
    Ok(MeterSettings { active_ms, inactive_ms, max_flows })
}

/// An error naming the first option given that belongs to another source than `source`.
fn refuse_foreign_options(a: &CaptureArgs, source: &Source) -> Result<()> {
    let (mode, applies): (&str, &[&str]) = match source {
        Source::Udp(_) => ("--listen", &[]),
        Source::Pcap(_) => ("--pcap", &["port"]),
        Source::Packets(..) => ("--packets", &["active_timeout", "inactive_timeout", "max_flows"]),
        Source::Zeek(_) => ("--zeek", &[]),
    };
    const LIVE: &[&str] =
        &["flush_interval", "stats_interval", "close_grace", "recv_buffer", "queue", "retention"];
    const EXPORTS: &[&str] = &[
        "allow_exporter",
        "hold_max_sets",
        "hold_max_bytes",
        "hold_max_age",
        "max_scopes",
        "max_templates",
        "max_template_fields",
        "scope_idle",
    ];
    const PER_SOURCE: &[(&str, &str)] = &[
        ("port", "--pcap"),
        ("active_timeout", "--packets"),
        ("inactive_timeout", "--packets"),
        ("max_flows", "--packets"),
    ];
    for given in &a.given {
        let g = given.as_str();
        let wrong = if LIVE.contains(&g) {
            (!matches!(source, Source::Udp(_))).then_some("--listen")
        } else if EXPORTS.contains(&g) {
            (!matches!(source, Source::Udp(_) | Source::Pcap(_))).then_some("--listen or --pcap")
        } else if let Some((_, owner)) = PER_SOURCE.iter().find(|(o, _)| *o == g) {
            (!applies.contains(&g)).then_some(*owner)
        } else {
            None
        };
        if let Some(owner) = wrong {
            return Err(Error::config(
                format!("--{}", g.replace('_', "-")),
                format!("applies to {owner} only, not to {mode}"),
            ));
        }
    }
    Ok(())
}

/// The ports the admin layout keeps (`--service`, else the default services), or none
/// (`--no-admin-layout`; both together are a contradiction).
fn admin_ports(a: &CaptureArgs) -> Result<Option<crate::store::admin::AdminPorts>> {
    if a.no_admin_layout {
        if !a.service.is_empty() {
            return Err(Error::config(
                "--service",
                "names what the admin layout keeps, but --no-admin-layout turns it off",
            ));
        }
        return Ok(None);
    }
    super::parse::admin_ports(&a.service).map(Some)
}
