pub mod case;
pub mod chain;
mod chain_rpc;
pub mod classify;
pub mod demo;
pub mod enrich;
pub mod ingest;
pub mod link;
pub mod persona;
pub mod profile;
#[cfg(feature = "sql")]
pub mod sql;
pub mod synth;
pub mod targets;
