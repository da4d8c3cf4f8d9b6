//! Integration tests through the `runbook` binary.

mod control_chars;
mod errors;
mod generate;
mod keys;
mod kill;
mod list_and_check;
mod run;
mod samples;
mod show;
mod terminal;
mod terminal_input;
mod test;
mod variable_order;
