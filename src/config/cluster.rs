//! `cluster`: the role from its raw arguments.

use crate::cli::ClusterCommand;
use crate::cluster::ClusterRole;

/// The scheduler or executor `pivotflow cluster …` asks for.
pub fn role(c: &ClusterCommand) -> ClusterRole {
    match *c {
        ClusterCommand::Scheduler { bind } => ClusterRole::Scheduler { bind },
        ClusterCommand::Executor { scheduler, bind, grpc_port, slots } => {
            ClusterRole::Executor { scheduler, bind, grpc_port, slots }
        }
    }
}
