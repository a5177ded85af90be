//! `pivotflow index`: the store and the services whose ports the admin layout keeps.

use std::path::PathBuf;

use crate::cli::IndexArgs;
use crate::error::{Error, Result};
use crate::store::admin::AdminPorts;

/// The store folder and the ports to keep (`--service`, else SSH, RDP and WinRM).
pub fn index(args: &IndexArgs) -> Result<(PathBuf, AdminPorts)> {
    if !args.data.is_dir() {
        return Err(Error::config(
            "--data",
            format!("{} is not a flow store folder", args.data.display()),
        ));
    }
    let services = if args.service.is_empty() {
        crate::services::default_services()
    } else {
        let lists: Vec<_> = args
            .service
            .iter()
            .map(|s| crate::services::parse_service(s))
            .collect::<Result<_>>()?;
        lists.concat()
    };
    Ok((args.data.clone(), AdminPorts::of(&services)))
}
