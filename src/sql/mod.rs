//! sql: ad-hoc DataFusion SQL over the flow store.
//!
//! `context` builds the session (table `flows`, automatic views from `queries/`), `params`
//! binds `$name` placeholders, `timerange` parses `--since/--until`, `print` writes results.

pub mod context;
pub mod params;
pub mod print;
pub mod sessions;
pub mod text;
pub mod timerange;

use std::collections::HashMap;
use std::io::{IsTerminal, Read};
use std::path::Path;

use datafusion::common::ScalarValue;
use datafusion::prelude::SessionContext;
use print::OutputFormat;

use crate::error::{Error, Result};
use context::flow_context;

/// Strip a trailing semicolon (statements in files end with one).
fn statement(text: &str) -> &str {
    text.trim().trim_end_matches(';').trim()
}

/// Run one statement and collect its result.
pub async fn run_query(
    ctx: &SessionContext,
    name: &str,
    sql: &str,
    params: &HashMap<String, ScalarValue>,
) -> Result<(datafusion::arrow::datatypes::SchemaRef, Vec<datafusion::arrow::array::RecordBatch>)> {
    let err = |e: datafusion::error::DataFusionError| query_error(name, e);
    let mut df = ctx.sql(statement(sql)).await.map_err(err)?;
    if !params.is_empty() {
        df = df.with_param_values(params.clone()).map_err(err)?;
    }
    let schema = df.schema().inner().clone();
    let batches = df.collect().await.map_err(err)?;
    Ok((schema, batches))
}

/// Name the query, and turn the memory-limit failure into advice.
fn query_error(name: &str, e: datafusion::error::DataFusionError) -> Error {
    let text = e.to_string();
    let detail = if text.contains("Resources exhausted") {
        format!(
            "{text}\nthe query needs more memory than --memory-limit allows: raise it, or narrow --since/--until"
        )
    } else {
        text
    };
    Error::Query { name: name.to_string(), detail }
}

fn default_format() -> OutputFormat {
    if std::io::stdout().is_terminal() { OutputFormat::Table } else { OutputFormat::Csv }
}

/// `pivotflow sql`, validated.
#[derive(Debug)]
pub struct SqlConfig {
    /// Root of the flow store.
    pub data: std::path::PathBuf,
    /// The query text given on the command line.
    pub query: Option<String>,
    /// `-f FILE`.
    pub file: Option<std::path::PathBuf>,
    /// `--since`/`--until`: which hour partitions the `flows` table covers.
    pub range: timerange::TimeRange,
    /// `--param NAME=VALUE`, typed.
    pub params: HashMap<String, ScalarValue>,
    /// Memory and parallelism.
    pub settings: context::SqlSettings,
    /// `None`: a table on a terminal, CSV otherwise.
    pub format: Option<OutputFormat>,
    /// `--output FILE`; stdout when `None`.
    pub output: Option<std::path::PathBuf>,
    /// `--inventory` / `--hosts-file`: registered as the `hosts` table.
    pub inventory: crate::inventory::Inventory,
    /// `--leases`: registered as the `leases` table.
    pub leases: Option<crate::pivot::leases::Leases>,
}

/// `pivotflow sql`.
pub fn run(c: &SqlConfig) -> Result<()> {
    let params = &c.params;
    let format = c.format.unwrap_or_else(default_format);
    // The statement first (None: the interactive prompt), so the session can be set up for it.
    let statement = match (&c.query, &c.file) {
        (Some(q), _) => Some(("(command line)".to_string(), q.clone())),
        (None, Some(f)) => Some((
            f.display().to_string(),
            std::fs::read_to_string(f).map_err(|e| Error::io(f, e))?,
        )),
        (None, None) if std::io::stdin().is_terminal() => None,
        (None, None) => {
            let mut q = String::new();
            std::io::stdin().read_to_string(&mut q).map_err(|e| Error::io("<stdin>", e))?;
            Some(("(stdin)".to_string(), q))
        }
    };
    // On a cluster, statements on the sessions view run with Ballista's static planner (see
    // `cluster::client_config`); so does the prompt, whose statements are not known yet.
    let mut settings = c.settings.clone();
    settings.cluster_adaptive =
        statement.as_ref().is_some_and(|(_, sql)| !sql.to_ascii_lowercase().contains("sessions"));
    let settings = &settings;
    let runtime = settings.runtime()?;
    let what = statement.as_ref().map_or("(prompt)", |(name, _)| name.as_str()).to_string();
    settings.block_on(&runtime, &what, async {
        let ctx = flow_context(&c.data, c.range, settings).await?;
        if !c.inventory.is_empty() {
            context::register_hosts(&ctx, &c.inventory).await?;
        }
        if let Some(leases) = &c.leases {
            leases.register(&ctx)?;
        }
        let Some((name, sql)) = &statement else {
            return interactive(&ctx, params, format).await;
        };
        let (schema, batches) = match run_query(&ctx, name, sql, params).await {
            Ok(result) => result,
            Err(e) => return Err(name_unreadable_files(c, e)),
        };
        print::write_batches(&schema, &batches, format, c.output.as_deref())
    })
}

/// A failed query over a store with unreadable files: name them (exit 3; the footers are only
/// checked after a failure, so a healthy store costs nothing extra).
fn name_unreadable_files(c: &SqlConfig, e: Error) -> Error {
    let files = crate::store::check::hour_files(&c.data, c.range.since_ms, c.range.until_ms)
        .map(|f| crate::store::check::unreadable(&f))
        .unwrap_or_default();
    if files.is_empty() {
        return e;
    }
    Error::StoreFiles {
        what: format!("{e}; the store has"),
        files: files.iter().map(ToString::to_string).collect(),
    }
}

/// Prompt with history; a statement ends with `;`. Errors are printed, the prompt goes on.
async fn interactive(
    ctx: &SessionContext,
    params: &HashMap<String, ScalarValue>,
    format: OutputFormat,
) -> Result<()> {
    let mut rl = rustyline::DefaultEditor::new()
        .map_err(|e| Error::io("terminal", std::io::Error::other(e)))?;
    let history = std::env::var_os("HOME").map(|h| Path::new(&h).join(".pivotflow_history"));
    if let Some(h) = &history {
        let _ = rl.load_history(h);
    }
    eprintln!("pivotflow sql: tables flows, sessions; end statements with ';', Ctrl-D to quit");
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() { "pivotflow> " } else { "       ...> " };
        match rl.readline(prompt) {
            Ok(line) => {
                buffer.push_str(&line);
                buffer.push('\n');
                if !line.trim_end().ends_with(';') {
                    continue;
                }
                let sql = std::mem::take(&mut buffer);
                let _ = rl.add_history_entry(sql.trim());
                match run_query(ctx, "(prompt)", &sql, params).await {
                    Ok((schema, batches)) => print::write_batches(&schema, &batches, format, None)?,
                    Err(e) => eprintln!("{e}"),
                }
            }
            Err(rustyline::error::ReadlineError::Interrupted) => buffer.clear(),
            Err(_) => break,
        }
    }
    if let Some(h) = &history {
        let _ = rl.save_history(h);
    }
    Ok(())
}
