//! The walk engine: steps, actions, safety gates and events. Pure: it reaches the operator, the
//! shell, CloudWatch, the clock, the log and the environment only through [`ports`], and says
//! what to show as [`screen`] data, never how it looks.

pub mod actions;
pub mod approval;
mod asking;
pub mod carried;
pub mod claimed_time;
pub mod context;
mod edit;
mod engine;
mod execute;
mod guard;
pub mod items;
pub mod lookups;
mod pause;
pub mod ports;
mod preflight;
pub mod safety;
pub mod screen;
#[cfg(test)]
pub mod scripted;
pub mod state;
pub mod variables;

pub use engine::{Ending, Ports, SessionInfo, Walk, WalkOptions, outline};
pub use lookups::{lookup_event, lookup_requests, no_credentials, redact_outcomes, verdict};
pub use pause::{END_OF_INPUT, PAUSE_QUESTION, PAUSED_BY_CTRL_C, PAUSED_BY_OPERATOR};

/// Reason logged for commands a rehearsal does not run.
pub const REHEARSAL_REASON: &str = "rehearsal: only `readonly` commands run";

/// Reason logged for a command a killed walk started and never saw end, skipped under `--yes`.
pub const OUTCOME_UNKNOWN: &str = "outcome unknown";

#[cfg(test)]
mod approval_tests;
#[cfg(test)]
mod carried_tests;
#[cfg(test)]
mod free_vars_tests;
#[cfg(test)]
mod run_all_tests;
#[cfg(test)]
mod secrets_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod transcript_tests;
