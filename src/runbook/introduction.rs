//! The text between a runbook's title and its first step: impact, where to work from, whom to ask.

use serde::Serialize;

use crate::span::Span;

/// The introduction as written, and where it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Introduction {
    /// Its Markdown, as written (several parts, such as text above the title and below it, are
    /// joined by a blank line).
    pub text: String,
    #[serde(flatten)]
    pub span: Span,
}
