//! pivotflow binary: parse the CLI, set up logging, dispatch, map errors to exit codes.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use pivotflow::cli::{Cli, Command};
use pivotflow::error::Error;
use pivotflow::sql::print::print_text;
use pivotflow::{capture, pivot, sql, synth};
use tracing_subscriber::EnvFilter;

// mimalloc reuses freed pages instead of returning them to the kernel: capture builds and drops
// hundreds of MB of Arrow buffers per hour file, and with the system allocator a third of the
// run was page-fault time (measured with perf, see BENCHMARKS.md). Without transparent huge
// pages (Cargo feature `no_thp`, and `no_huge_pages` below): see there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn init_logging(cli: &Cli) {
    let default = if cli.quiet {
        "warn"
    } else {
        match cli.verbose {
            0 => "info",
            1 => "info,pivotflow=debug",
            2 => "debug",
            _ => "trace",
        }
    };
    let filter =
        EnvFilter::try_from_env("PIVOTFLOW_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

/// Run one subcommand. Its error, if any, is the process's exit.
fn run(cli: Cli) -> Result<ExitCode, Error> {
    let now_ms = chrono::Utc::now().timestamp_millis();
    match cli.command {
        Command::Schema => print_text(&pivotflow::schema::markdown_table())?,
        Command::Pivots(args) => pivot::run(&pivot::PivotsConfig::from_args(&args, now_ms)?)?,
        Command::Report(args) => {
            pivot::report::run(&pivot::report::ReportConfig::from_args(&args, now_ms)?)?
        }
        Command::Sql(args) => sql::run(&sql::SqlConfig::from_args(&args, now_ms)?)?,
        Command::Index(args) => {
            let (data, ports) = pivotflow::config::index::index(&args)?;
            pivotflow::store::admin::run_index(&data, &ports)?;
        }
        Command::Ack(args) => {
            pivot::history::ack::run(&pivot::history::ack::AckConfig::from_args(&args)?)?
        }
        Command::Cluster(c) => pivotflow::cluster::run(&pivotflow::config::cluster::role(&c))?,
        Command::Synth(args) => {
            let run = synth::SynthRun::from_args(&args)?;
            let summary = synth::run(&run)?;
            eprintln!("synth: {}", summary.describe(&run.output));
        }
        Command::Capture(args) => {
            let (stats, input_error) = capture::run(capture::CaptureConfig::from_args(&args)?)?;
            eprintln!("{}", stats.summary());
            if let Some(e) = input_error {
                return Err(e);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// No transparent huge pages for this process. mimalloc asks for them by default, and a fault in
/// a fresh 2 MiB page makes the kernel zero (and, when memory is fragmented, first compact) the
/// whole page: in `perf` of a 100 M-flow `report`, half of all CPU samples were the kernel
/// clearing pages, and runs of one command swung from 3.1 to 4.9 s (`pivots` 0.6 ↔ 2.4 s) with
/// the state of free memory. With 4 KiB pages, 7 farm-bench pairs each: `report` 0.80× wall
/// and 1.3 GB peak instead of 2.1 GB, `pivots` 0.94× and 0.8 GB instead of 1.5 GB, both steady.
/// The `no_thp` feature stops mimalloc's `madvise`; this covers kernels set to THP `always`.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Exit codes, messages and panics: `pivotflow::error::exit_with`, the one exit policy.
fn main() -> ExitCode {
    no_huge_pages();
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // Which capture options were typed (not defaulted): `config::capture` refuses those that
    // do not apply to the chosen source.
    if let (Command::Capture(args), Some(("capture", sub))) =
        (&mut cli.command, matches.subcommand())
    {
        args.given = sub
            .ids()
            .filter(|id| {
                sub.value_source(id.as_str()) == Some(clap::parser::ValueSource::CommandLine)
            })
            .map(|id| id.to_string())
            .collect();
    }
    init_logging(&cli);
    pivotflow::error::exit_with(|| run(cli))
}
