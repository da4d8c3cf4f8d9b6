//! Sharing an incident through CloudWatch Logs: each walk session ships its log lines, byte for
//! byte, to its own stream `<incident>/<session>`, and anyone can read the incident back.

pub mod client;
pub mod join;
pub mod names;
pub mod reader;
