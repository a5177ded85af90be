//! The generator configuration: exporter behaviour, `--scenario` presets, and `synth` options
//! turned into a validated `SynthConfig`.

use super::encode::ExportFormat;
use super::traffic::TrafficParams;

use super::admin;
use crate::error::Result;

/// How the simulated exporters behave (the defaults are a well-behaved exporter).
#[derive(Debug, Clone)]
pub struct ExporterBehaviour {
    /// Exporter uptime starts this close (ms) to the 32-bit wrap, to exercise wrap handling.
    pub uptime_before_wrap_ms: Option<u32>,
    /// Active timeout: connections longer than this are reported in several records.
    pub active_timeout_ms: i64,
    /// Share of records also exported by a second exporter (a flow crossing two devices).
    pub duplicates: f64,
    /// Share of export datagrams lost on the way (sequence numbers still advance).
    pub loss: f64,
    /// Share of export datagrams that arrive after the next one of the same exporter.
    pub reorder: f64,
    /// Template refresh: every N datagrams, and/or every `template_interval_ms` (0 = off).
    pub template_every: u32,
    pub template_interval_ms: i64,
    /// Data datagrams each exporter sends before its first template.
    pub first_template_after: u32,
}

impl Default for ExporterBehaviour {
    fn default() -> Self {
        ExporterBehaviour {
            uptime_before_wrap_ms: None,
            active_timeout_ms: 30 * 60_000,
            duplicates: 0.0,
            loss: 0.0,
            reorder: 0.0,
            template_every: 20,
            template_interval_ms: 0,
            first_template_after: 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SynthConfig {
    pub traffic: TrafficParams,
    pub format: ExportFormat,
    pub exporters: u32,
    pub behaviour: ExporterBehaviour,
    /// Flows per export batch (an exporter's flush of its cache).
    pub batch_flows: usize,
    /// Injected pivot chains (0 = none); decoys and a cycle come with them.
    pub chains: usize,
    pub admin: admin::AdminParams,
}

/// Options a `--scenario` preset fills in when the command line does not.
#[derive(Debug, Clone, Copy)]
struct Preset {
    flows: u64,
    hosts: u32,
    exporters: u32,
    seed: u64,
    start: &'static str,
    span: &'static str,
    chains: usize,
    duplicates: f64,
    first_template_after: u32,
}

const DEFAULTS: Preset = Preset {
    flows: 10_000,
    hosts: 20_000,
    exporters: 2,
    seed: 1,
    start: "2026-11-27T10:00:00Z",
    span: "50m",
    chains: 0,
    duplicates: 0.0,
    first_template_after: 0,
};

fn preset(s: Option<crate::cli::SynthScenario>) -> Preset {
    match s {
        None => DEFAULTS,
        Some(crate::cli::SynthScenario::Sample) => Preset {
            flows: 2000,
            hosts: 300,
            exporters: 2,
            seed: 7,
            start: "2026-11-27T10:00:00Z",
            span: "70m",
            chains: 3,
            duplicates: 0.05,
            first_template_after: 2,
        },
    }
}

fn share(name: &str, v: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(crate::error::Error::config(name, format!("{v} is not a share between 0 and 1")))
    }
}

fn duration_ms(name: &str, text: &str) -> Result<i64> {
    humantime::parse_duration(text)
        .map(|d| d.as_millis() as i64)
        .map_err(|e| crate::error::Error::config(name, format!("{text:?}: {e}")))
}

/// The generator configuration `synth` options describe (a `--scenario` preset filled in).
pub fn config_from_args(a: &crate::cli::SynthArgs) -> Result<SynthConfig> {
    use crate::error::Error;
    let p = preset(a.scenario);
    let start = match (&a.start, a.days) {
        (Some(s), _) => s.as_str(),
        (None, Some(_)) => "2026-11-02T00:00:00Z",
        (None, None) => p.start,
    };
    let start_ms = chrono::DateTime::parse_from_rfc3339(start)
        .map_err(|e| Error::config("--start", format!("{start:?}: {e}")))?
        .timestamp_millis();
    let span_ms = duration_ms("--span", a.span.as_deref().unwrap_or(p.span))?.max(1);
    if a.parquet.is_some() && (a.loss > 0.0 || a.reorder > 0.0) {
        return Err(Error::config(
            "--loss/--reorder",
            "they act on export datagrams; --parquet writes flows without any (use --pcap or --send)",
        ));
    }
    let cfg = SynthConfig {
        traffic: TrafficParams {
            flows: a.flows.unwrap_or(p.flows),
            hosts: a.hosts.unwrap_or(p.hosts),
            seed: a.seed.unwrap_or(p.seed),
            start_ms,
            span_ms,
            ipv6_share: if a.format == ExportFormat::V5 {
                0.0
            } else {
                share("--ipv6-share", a.ipv6_share)?
            },
        },
        format: a.format,
        exporters: a.exporters.unwrap_or(p.exporters),
        behaviour: ExporterBehaviour {
            uptime_before_wrap_ms: a.uptime_before_wrap_ms,
            active_timeout_ms: duration_ms("--active-timeout", &a.active_timeout)?,
            duplicates: share("--duplicates", a.duplicates.unwrap_or(p.duplicates))?,
            loss: share("--loss", a.loss)?,
            reorder: share("--reorder", a.reorder)?,
            template_every: a.template_every.max(1),
            template_interval_ms: match &a.template_interval {
                Some(t) => duration_ms("--template-interval", t)?,
                None => 0,
            },
            first_template_after: a.first_template_after.unwrap_or(p.first_template_after),
        },
        batch_flows: 240,
        chains: a.chains.unwrap_or(p.chains),
        admin: admin::AdminParams {
            episodes_per_admin_hour: a.admin_rate,
            jump_hosts: a.jump_hosts,
        },
    };
    Ok(cfg)
}
