//! `runbook`: walk Markdown runbooks step by step and keep a faithful incident log.
//!
//! The flow, module by module: [`source`] loads a file, [`markdown`] parses it into the
//! [`runbook`] model, [`check`] lints it, [`walk`] walks it with an operator, writing the
//! [`incident_log`]; [`runner`] runs its commands; [`commands`] holds each subcommand;
//! [`wiring`] chooses the real implementations behind each interface.

pub mod check;
pub mod cli;
pub mod cloudwatch;
pub mod commands;
pub mod config;
pub mod digest;
pub mod error;
pub mod export;
pub mod incident_log;
pub mod markdown;
pub mod runbook;
pub mod runner;
pub mod source;
pub mod span;
pub mod terminal;
pub mod walk;
pub mod wiring;
