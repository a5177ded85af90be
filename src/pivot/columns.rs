//! Named columns out of Arrow batches — query results (`queries/*.sql`) and history files — with
//! errors that say where the batch came from. Query results are cast to the type wanted (their
//! types follow DataFusion's inference); files are read as written and a wrong type is an error.

use std::path::Path;

use datafusion::arrow::array::{ArrayRef, AsArray, PrimitiveArray, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{ArrowPrimitiveType, DataType, Int64Type};

use crate::error::{Error, Result};

/// Where a batch came from, for error messages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin<'a> {
    /// The result of a shipped query (`queries/hops.sql`): a missing column is a query error.
    Query(&'a str),
    /// A file pivotflow wrote earlier (history): a missing or mistyped column names the file.
    File(&'a Path),
}

impl Origin<'_> {
    pub(crate) fn error(self, detail: String) -> Error {
        match self {
            Origin::Query(name) => Error::Query { name: name.to_string(), detail },
            Origin::File(path) => Error::config(path.display().to_string(), detail),
        }
    }
}

fn column<'a>(b: &'a RecordBatch, origin: Origin, name: &str) -> Result<&'a ArrayRef> {
    b.column_by_name(name).ok_or_else(|| origin.error(format!("no column {name}")))
}

/// A column as owned strings (nulls as empty), cast to text if needed.
pub(crate) fn strings(b: &RecordBatch, origin: Origin, name: &str) -> Result<Vec<String>> {
    let a = cast(column(b, origin, name)?, &DataType::Utf8)
        .map_err(|e| origin.error(format!("column {name}: {e}")))?;
    Ok(a.as_string::<i32>().iter().map(|v| v.unwrap_or_default().to_string()).collect())
}

/// A column as 64-bit integers (nulls as 0), cast if needed.
pub(crate) fn ints(b: &RecordBatch, origin: Origin, name: &str) -> Result<Vec<i64>> {
    let a = cast(column(b, origin, name)?, &DataType::Int64)
        .map_err(|e| origin.error(format!("column {name}: {e}")))?;
    Ok(a.as_primitive::<Int64Type>().iter().map(|v| v.unwrap_or(0)).collect())
}

/// A text column as Utf8 or a view of it, not copied (any other type cast to Utf8), for
/// `sql::text::texts` to read: flows as a session hands them over.
pub(crate) fn text(b: &RecordBatch, origin: Origin, name: &str) -> Result<ArrayRef> {
    crate::sql::text::text_column(column(b, origin, name)?)
        .map_err(|e| origin.error(format!("column {name}: {e}")))
}

/// A column cast to `to` (not copied when it already is), as an Arrow array.
pub(crate) fn cast_to(
    b: &RecordBatch,
    origin: Origin,
    name: &str,
    to: &DataType,
) -> Result<ArrayRef> {
    cast(column(b, origin, name)?, to).map_err(|e| origin.error(format!("column {name}: {e}")))
}

/// A text column, borrowed (no copy); any other type is an error.
pub(crate) fn texts<'a>(b: &'a RecordBatch, origin: Origin, name: &str) -> Result<&'a StringArray> {
    column(b, origin, name)?
        .as_string_opt::<i32>()
        .ok_or_else(|| origin.error(format!("column {name} is not text")))
}

/// A primitive column of exactly type `T`, borrowed; any other type is an error.
pub(crate) fn typed<'a, T: ArrowPrimitiveType>(
    b: &'a RecordBatch,
    origin: Origin,
    name: &str,
) -> Result<&'a PrimitiveArray<T>> {
    column(b, origin, name)?
        .as_primitive_opt::<T>()
        .ok_or_else(|| origin.error(format!("column {name} is not {}", T::DATA_TYPE)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Int32Array, StringArray};
    use datafusion::arrow::datatypes::{Field, Int32Type, Schema};

    use super::*;

    fn batch() -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("n", DataType::Int32, true),
            Field::new("s", DataType::Utf8, true),
        ]);
        let n: ArrayRef = Arc::new(Int32Array::from(vec![Some(7), None]));
        let s: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), None]));
        RecordBatch::try_new(Arc::new(schema), vec![n, s]).unwrap()
    }

    #[test]
    fn query_results_are_cast_and_files_are_strict() {
        let b = batch();
        let q = Origin::Query("queries/x.sql");
        assert_eq!(ints(&b, q, "n").unwrap(), vec![7, 0]);
        assert_eq!(strings(&b, q, "n").unwrap(), vec!["7".to_string(), String::new()]);
        let f = Origin::File(Path::new("/h/hops.parquet"));
        assert_eq!(typed::<Int32Type>(&b, f, "n").unwrap().value(0), 7);
        let e = typed::<Int64Type>(&b, f, "n").unwrap_err().to_string();
        assert!(e.contains("/h/hops.parquet") && e.contains("not Int64"), "{e}");
        let e = texts(&b, f, "n").unwrap_err().to_string();
        assert!(e.contains("not text"), "{e}");
        assert_eq!(text(&b, q, "s").unwrap().data_type(), &DataType::Utf8);
        let n = text(&b, q, "n").unwrap();
        assert_eq!(crate::sql::text::texts(&n).value(0), "7", "cast to text");
        assert_eq!(cast_to(&b, q, "n", &DataType::Int64).unwrap().data_type(), &DataType::Int64);
        let e = text(&b, q, "missing").unwrap_err().to_string();
        assert!(e.contains("queries/x.sql") && e.contains("no column missing"), "{e}");
        let e = ints(&b, q, "missing").unwrap_err().to_string();
        assert!(e.contains("queries/x.sql") && e.contains("no column missing"), "{e}");
    }
}
