//! Query results to stdout (or a file): aligned table, csv, tsv, json, ndjson, parquet.
//! A closed pipe (`| head`) ends output quietly: it is a normal end, not an error.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::util::pretty::pretty_format_batches;

use crate::error::{Error, Result};

/// How `sql` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for a terminal.
    Table,
    /// Comma-separated with a header row.
    Csv,
    /// Tab-separated with a header row.
    Tsv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A Parquet file (needs --output).
    Parquet,
}

fn io_err(e: io::Error) -> Error {
    Error::io("<stdout>", e)
}

/// Write `text` to stdout and flush (a closed pipe comes back as an error that
/// `Error::is_broken_pipe` recognises; `print!` would panic).
pub fn print_text(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|_| out.flush()).map_err(io_err)
}

/// Write all batches in `format`. Returns Ok when the reader closed the pipe early.
pub fn write_batches(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    format: OutputFormat,
    output: Option<&Path>,
) -> Result<()> {
    let result = match (format, output) {
        (OutputFormat::Parquet, None) => {
            return Err(Error::config(
                "--format parquet",
                "needs --output FILE (binary output is not sent to a terminal)",
            ));
        }
        (OutputFormat::Parquet, Some(path)) => return write_parquet(schema, batches, path),
        (_, Some(path)) => {
            let file = File::create(path).map_err(|e| Error::io(path, e))?;
            write_text(schema, batches, format, io::BufWriter::new(file))
        }
        (_, None) => write_text(schema, batches, format, io::BufWriter::new(io::stdout().lock())),
    };
    match result {
        Err(e) if e.is_broken_pipe() => Ok(()),
        other => other,
    }
}

fn arrow_to_io(e: datafusion::arrow::error::ArrowError) -> Error {
    match e {
        datafusion::arrow::error::ArrowError::IoError(_, source) => io_err(source),
        other => Error::arrow("formatting results", other),
    }
}

fn write_text<W: Write>(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    format: OutputFormat,
    mut out: W,
) -> Result<()> {
    match format {
        OutputFormat::Table => {
            if batches.iter().all(|b| b.num_rows() == 0) {
                let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                writeln!(out, "(no rows; columns: {})", names.join(", ")).map_err(io_err)?;
            } else {
                let table = pretty_format_batches(batches)
                    .map_err(|e| Error::arrow("formatting table", e))?;
                writeln!(out, "{table}").map_err(io_err)?;
            }
        }
        OutputFormat::Csv | OutputFormat::Tsv => {
            let delimiter = if format == OutputFormat::Csv { b',' } else { b'\t' };
            let mut w = arrow_csv::WriterBuilder::new()
                .with_header(true)
                .with_delimiter(delimiter)
                .build(&mut out);
            if batches.is_empty() {
                w.write(&RecordBatch::new_empty(schema.clone())).map_err(arrow_to_io)?;
            }
            for b in batches {
                w.write(b).map_err(arrow_to_io)?;
            }
        }
        OutputFormat::Json => {
            let mut w = arrow_json::ArrayWriter::new(&mut out);
            for b in batches {
                w.write(b).map_err(arrow_to_io)?;
            }
            w.finish().map_err(arrow_to_io)?;
            drop(w);
            if batches.iter().all(|b| b.num_rows() == 0) {
                write!(out, "[]").map_err(io_err)?;
            }
            writeln!(out).map_err(io_err)?;
        }
        OutputFormat::Ndjson => {
            let mut w = arrow_json::LineDelimitedWriter::new(&mut out);
            for b in batches {
                w.write(b).map_err(arrow_to_io)?;
            }
            w.finish().map_err(arrow_to_io)?;
        }
        OutputFormat::Parquet => unreachable!("handled by write_batches"),
    }
    out.flush().map_err(io_err)
}

fn write_parquet(schema: &SchemaRef, batches: &[RecordBatch], path: &Path) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .build();
    let err = |e| Error::Parquet { path: path.to_path_buf(), source: e };
    let mut w =
        parquet::arrow::ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(err)?;
    for b in batches {
        w.write(b).map_err(err)?;
    }
    w.close().map_err(err)?;
    Ok(())
}
