//! Integration tests through the `runbook` binary.

mod approve;
mod carry;
mod check_lints;
mod context;
mod control_chars;
mod damaged_log;
mod errors;
mod follow;
mod generate;
mod head;
mod keys;
mod kill;
mod list_and_check;
mod log_watch;
#[allow(dead_code, reason = "the AWS terminal is for the emulator tests")]
#[path = "../common/pty.rs"]
mod pty;
mod rehearse;
mod resume_place;
mod run;
mod samples;
mod secrets;
mod show;
mod signals;
mod special_files;
mod terminal;
mod terminal_input;
mod test;
mod variable_order;
