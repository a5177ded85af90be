//! Validated settings per subcommand, built from the raw arguments of `cli` with one shared set
//! of parsers (`parse`). The modes take these, never `cli` types.

pub mod capture;
pub mod cluster;
pub mod index;
pub mod parse;
pub mod pivot;
pub mod sql;
pub mod synth;
