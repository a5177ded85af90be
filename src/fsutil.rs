//! Small file-system helpers shared by the modes.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Write a file through `write` into a temp name beside `path`, then rename it into place via a temp file and rename (readers never see half a file).
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<()>,
) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut w = std::io::BufWriter::new(file);
    write(&mut w)?;
    w.flush().map_err(|e| Error::io(&tmp, e))?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}
