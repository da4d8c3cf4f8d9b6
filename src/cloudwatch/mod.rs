//! CloudWatch: step lookups and guard alarms through the AWS SDK, read-only.
//!
//! [`CloudWatch::connect`] is the only entry point that touches AWS: it builds a small tokio
//! runtime on a thread of its own, loads one shared SDK configuration and makes one client per
//! region on first use. Every request runs concurrently with its own timeout, and every problem
//! becomes a per-request [`LookupError`](crate::walk::ports::LookupError): nothing here fails as a
//! whole or panics.

mod classify;
mod client;
mod engine;
mod guard;
mod profiles;
mod progress;
mod query;
mod settings;
mod time;

pub use client::{Cancel, CloudWatch};
pub use guard::Announce;
pub use settings::AwsSettings;
