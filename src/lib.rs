//! `runbook`: walk Markdown runbooks step by step and keep a faithful incident log.
//!
//! The flow, module by module, each depending only on those before it:
//! [`source`] loads a file; [`markdown`] parses it into the [`runbook`] model; [`check`] lints
//! it; [`walk`] walks it with an operator, producing [`event`]s that the [`incident_log`] keeps;
//! [`export`] turns logs into reports. Beside the flow: [`span`], [`digest`], [`human`] and
//! [`suggest`] (positions, hashes, text for people, did-you-mean) below everything; the adapters behind the walk's
//! interfaces, [`terminal`], [`runner`], [`cloudwatch`] and [`share`] (the incident shared
//! through CloudWatch Logs), chosen in [`wiring`]; and on top,
//! [`cli`] (arguments), [`config`] (validated settings), [`operator`] (who walks by default), [`commands`] (one per subcommand) and
//! [`error`] (rendered once).

pub mod check;
pub mod cli;
pub mod cloudwatch;
pub mod commands;
pub mod config;
pub mod digest;
pub mod error;
pub mod event;
pub mod export;
pub mod human;
pub mod incident_log;
pub mod markdown;
pub mod operator;
pub mod runbook;
pub mod runner;
pub(crate) mod sdk_error;
pub mod share;
pub mod signing;
pub mod source;
pub mod span;
pub mod suggest;
pub mod terminal;
pub mod tty;
pub mod walk;
pub mod wiring;
