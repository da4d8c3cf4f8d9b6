//! Integration tests through the `runbook` binary.

mod approve;
mod context;
mod control_chars;
mod errors;
mod generate;
mod head;
mod keys;
mod kill;
mod list_and_check;
mod rehearse;
mod resume_place;
mod run;
mod samples;
mod secrets;
mod show;
mod special_files;
mod terminal;
mod terminal_input;
mod test;
mod variable_order;
