//! Sharing an incident through CloudWatch Logs: each walk session ships its log lines, byte for
//! byte, to its own stream `<incident>/<session>`, and anyone can read the incident back.

pub mod api;
pub mod backoff;
pub mod batch;
pub mod client;
pub mod item;
pub mod join;
pub mod names;
pub mod reader;
pub mod shared_log;
pub mod shipper;
pub mod status;

pub use shared_log::SharedLog;
pub use shipper::Shipper;

#[cfg(test)]
mod shipper_tests;
