//! `synth`: validated settings from its raw arguments (a `--scenario` preset filled in).

use super::parse::{duration_ms, share};
use crate::cli::SynthArgs;
use crate::error::{Error, Result};
use crate::synth::admin;
use crate::synth::encode::ExportFormat;
use crate::synth::traffic::TrafficParams;
use crate::synth::{ExporterBehaviour, SynthConfig, SynthOutput, SynthRun};

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

/// The generator configuration `synth` options describe (a `--scenario` preset filled in).
pub fn config_from_args(a: &SynthArgs) -> Result<SynthConfig> {
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

impl SynthRun {
    /// Validate `synth`'s arguments over the scenario's (or the built-in) defaults.
    pub fn from_args(a: &SynthArgs) -> Result<Self> {
        let output = match (&a.pcap, &a.parquet, a.send, &a.packets) {
            (Some(p), _, _, _) => SynthOutput::Pcap(p.clone()),
            (None, Some(dir), _, _) => {
                SynthOutput::Store(super::parse::local_store("--parquet", dir)?)
            }
            (None, None, Some(target), _) => SynthOutput::Send(target, a.rate),
            (None, None, None, Some(p)) => SynthOutput::Packets(p.clone()),
            (None, None, None, None) => {
                return Err(Error::config(
                    "synth",
                    "give --pcap FILE, --parquet DIR, --send ADDR:PORT or --packets FILE",
                ));
            }
        };
        if a.packets.is_some() && a.days.is_some() {
            return Err(Error::config("--packets", "writes one period; --days needs --parquet"));
        }
        let days = match a.days {
            Some(0) => return Err(Error::config("--days", "must be at least 1")),
            Some(n) => Some(crate::synth::days::DaysPlan {
                days: n,
                attacks_from: a.attacks_from.max(1),
                shape: match a.shape {
                    crate::cli::SynthShape::Teams => crate::synth::routines::Shape::Teams,
                    crate::cli::SynthShape::Sites => crate::synth::routines::Shape::Sites,
                },
            }),
            None => None,
        };
        let cfg = config_from_args(a)?;
        let min = crate::synth::days::MIN_HOSTS;
        let attacks = days.as_ref().is_some_and(|d| d.days >= d.attacks_from);
        if attacks && cfg.traffic.hosts < min {
            return Err(Error::config(
                "--hosts",
                format!(
                    "{} is too few for --days with attacks (from day --attacks-from on): they need at least {min} hosts (a tenth are servers, 48 of them in fixed roles)",
                    cfg.traffic.hosts
                ),
            ));
        }
        Ok(SynthRun { cfg, output, truth: a.truth.clone(), days })
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::DEFAULTS;

    /// The options a `--scenario` may fill in are `Option`s, so clap cannot print their defaults:
    /// the help text states them, and must state the ones used here.
    #[test]
    fn synth_help_states_the_defaults_it_uses() {
        let cli = crate::cli::Cli::command();
        let synth = cli.find_subcommand("synth").unwrap();
        let d = DEFAULTS;
        let stated = [
            ("flows", d.flows.to_string()),
            ("hosts", d.hosts.to_string()),
            ("exporters", d.exporters.to_string()),
            ("seed", d.seed.to_string()),
            ("start", d.start.to_string()),
            ("span", d.span.to_string()),
            ("chains", d.chains.to_string()),
            ("duplicates", d.duplicates.to_string()),
            ("first_template_after", d.first_template_after.to_string()),
        ];
        for (id, value) in stated {
            let arg = synth.get_arguments().find(|a| a.get_id() == id).unwrap();
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            assert!(help.ends_with(&format!("[default: {value}]")), "--{id}: {help:?}");
        }
    }
}
