//! [`StatusLines`]: lines another part of the tool asks to show while a command runs (guard news
//! from the background poll), drawn by the runner between the command's own output.

use std::sync::{Arc, Mutex, PoisonError};

/// A mailbox shared by the runner and whoever has news. Cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct StatusLines(Arc<Mutex<Inner>>);

#[derive(Debug, Default)]
struct Inner {
    /// A command is running and its output is drawn line by line (not a full-screen program).
    open: bool,
    lines: Vec<String>,
}

impl StatusLines {
    /// Queues `line` to be drawn at once when a command is running; `false` when none is, so the
    /// caller shows it some other way. A line accepted here is always drawn.
    pub fn offer(&self, line: &str) -> bool {
        let mut inner = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.open {
            inner.lines.push(line.to_string());
        }
        inner.open
    }

    /// A command starts: lines are accepted until [`close`](Self::close).
    pub(super) fn open(&self) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).open = true;
    }

    /// The lines waiting to be drawn.
    pub(super) fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner).lines)
    }

    /// The command ended: no more lines are accepted; returns the last ones to draw.
    pub(super) fn close(&self) -> Vec<String> {
        let mut inner = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        inner.open = false;
        std::mem::take(&mut inner.lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_accepted_only_while_a_command_runs_and_never_lost() {
        let status = StatusLines::default();
        assert!(!status.offer("before"), "no command: the caller shows it");
        status.open();
        assert!(status.offer("one"));
        assert_eq!(status.take(), ["one"]);
        assert!(status.offer("two"));
        assert_eq!(status.close(), ["two"], "accepted, so drawn at the end");
        assert!(!status.offer("after"));
        assert!(status.take().is_empty());
    }
}
