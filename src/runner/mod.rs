//! Runs commands with bash in a pseudo-terminal: live output, timeouts, Ctrl-C, bounded capture, redaction.
