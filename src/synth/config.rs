//! The generator configuration: exporter behaviour, `--scenario` presets, and `synth` options
//! turned into a validated `SynthConfig`.

use super::encode::ExportFormat;
use super::traffic::TrafficParams;

use super::admin;

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
    /// Template refresh interval in ms (0 = off).
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

/// Everything one synth run generates and how it is exported.
#[derive(Debug, Clone)]
pub struct SynthConfig {
    /// Background traffic.
    pub traffic: TrafficParams,
    /// v5, v9 or IPFIX.
    pub format: ExportFormat,
    /// Number of exporters (each its own source address, sequence and templates).
    pub exporters: u32,
    /// Timeouts, templates, loss, duplicates, reordering.
    pub behaviour: ExporterBehaviour,
    /// Flows per export batch (an exporter's flush of its cache).
    pub batch_flows: usize,
    /// Injected pivot chains (0 = none); decoys and a cycle come with them.
    pub chains: usize,
    /// Admin sessions through jump hosts (routine pivots).
    pub admin: admin::AdminParams,
}
