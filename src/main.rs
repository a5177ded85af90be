//! pivotflow binary: parse the CLI, set up logging, dispatch, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;
use pivotflow::capture;
use pivotflow::cli::{Cli, Command};
use pivotflow::config::CaptureConfig;
use pivotflow::error::Error;
use tracing_subscriber::EnvFilter;

// mimalloc reuses freed pages instead of returning them to the kernel: capture builds and drops
// hundreds of MB of Arrow buffers per hour file, and with the system allocator a third of the
// run was page-fault time (measured with perf, see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn init_logging(cli: &Cli) {
    let default = if cli.quiet {
        "warn"
    } else {
        match cli.verbose {
            0 => "info",
            1 => "info,pivotflow=debug",
            _ => "debug",
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

fn exit_with(e: &Error) -> ExitCode {
    tracing::error!("{e}");
    ExitCode::from(e.exit_code() as u8)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    match cli.command {
        Command::Schema => {
            print!("{}", pivotflow::schema::markdown_table());
            ExitCode::SUCCESS
        }
        Command::Pivots(args) => match pivotflow::pivot::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => exit_with(&e),
        },
        Command::Report(args) => match pivotflow::pivot::report::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => exit_with(&e),
        },
        Command::Sql(args) => match pivotflow::sql::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => exit_with(&e),
        },
        Command::Synth(args) => match pivotflow::synth::run_cli(&args) {
            Ok(summary) => {
                eprintln!("synth: {}", summary.describe(args.parquet.is_some()));
                ExitCode::SUCCESS
            }
            Err(e) => exit_with(&e),
        },
        Command::Capture(args) => {
            let config = match CaptureConfig::from_args(&args) {
                Ok(c) => c,
                Err(e) => return exit_with(&e),
            };
            match capture::run(config) {
                Ok((stats, input_error)) => {
                    eprintln!("{}", stats.summary());
                    match input_error {
                        Some(e) => exit_with(&e),
                        None => ExitCode::SUCCESS,
                    }
                }
                Err(e) => exit_with(&e),
            }
        }
    }
}
