//! The operator's terminal: the walk's prompter (single-key menus, questions and hidden input on
//! stderr, with dialoguer and console) and how everything the walk shows is laid out.

mod approval;
mod editor;
mod lookup_table;
mod paint;
mod prompter;
mod render;
mod step;
mod wrap;

pub use editor::TerminalEditor;
pub use lookup_table::lookup_table;
pub use paint::Paint;
pub use prompter::{HeaderNote, TerminalPrompter, UnattendedPrompter};
pub use render::{
    guard_status_line, help, menu_prompt, notice_line, question, render, summary_table,
};

use std::io::IsTerminal;

/// Whether `run` can ask anything: stdin and stderr both terminals. dialoguer refuses without a
/// terminal on stderr, and hangs when stdin is redirected while stderr is one.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Colours only on a terminal, and never with `NO_COLOR` set.
pub fn paint() -> Paint {
    Paint {
        enabled: std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

#[cfg(test)]
mod tests;
