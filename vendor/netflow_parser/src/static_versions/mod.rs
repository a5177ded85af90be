pub mod v5;
pub mod v7;
