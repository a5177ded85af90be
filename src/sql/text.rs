//! Text columns as Arrow hands them over (Utf8 or Utf8View), read without copying: the native
//! `sessions` operator and the native admin connections (`pivot::history::admin`) share it.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;

/// Text columns as they may arrive: Utf8 or Utf8View (others are cast to Utf8 first).
pub enum Texts<'a> {
    /// Utf8.
    Plain(&'a StringArray),
    /// Utf8View.
    View(&'a datafusion::arrow::array::StringViewArray),
}

impl<'a> Texts<'a> {
    /// Row `i`'s text.
    pub fn value(&self, i: usize) -> &'a str {
        match self {
            Texts::Plain(a) => a.value(i),
            Texts::View(a) => a.value(i),
        }
    }
}

/// `c` as Utf8 or Utf8View (other types are cast to Utf8).
pub fn text_column(c: &ArrayRef) -> DfResult<ArrayRef> {
    Ok(match c.data_type() {
        DataType::Utf8 | DataType::Utf8View => Arc::clone(c),
        _ => cast(c, &DataType::Utf8)?,
    })
}

/// A reader of a column `text_column` returned.
pub fn texts(c: &ArrayRef) -> Texts<'_> {
    match c.data_type() {
        DataType::Utf8View => Texts::View(c.as_string_view()),
        _ => Texts::Plain(c.as_string::<i32>()),
    }
}
