//! `pivotflow index`: the store and the services whose ports the admin layout keeps.

use std::path::PathBuf;

use crate::cli::IndexArgs;
use crate::error::{Error, Result};
use crate::store::admin::AdminPorts;

/// The store folder and the ports to keep (`--service`, else SSH, RDP and WinRM).
pub fn index(args: &IndexArgs) -> Result<(PathBuf, AdminPorts)> {
    super::parse::local_store("--data", &args.data)?;
    if !args.data.is_dir() {
        return Err(Error::config(
            "--data",
            format!("{} is not a flow store folder", args.data.display()),
        ));
    }
    Ok((args.data.clone(), super::parse::admin_ports(&args.service)?))
}
