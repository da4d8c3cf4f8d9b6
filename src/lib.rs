//! `runbook`: walk Markdown runbooks step by step and keep a faithful incident log.
//!
//! The flow, module by module: [`source`] loads a file, [`markdown`] parses it into the
//! [`runbook`] model, [`check`] lints it; [`commands`] shows the results; [`wiring`]
//! chooses the real implementations behind each interface.

pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod markdown;
pub mod runbook;
pub mod source;
pub mod span;
pub mod wiring;
