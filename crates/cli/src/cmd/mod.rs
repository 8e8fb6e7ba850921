pub mod case;
pub mod demo;
pub mod ingest;
pub mod link;
#[cfg(feature = "sql")]
pub mod sql;
pub mod synth;
pub mod targets;
