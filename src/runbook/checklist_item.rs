use serde::Serialize;

use crate::span::Span;

/// An item of an ordered or task list in a step, confirmed on its own during a walk.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistItem {
    /// 1-based position among the step's checklist items.
    pub index: usize,
    /// Its number as written for people: `3`, or `3.1` for a task item nested in item 3.
    pub number: String,
    /// The item's text, without nested code blocks or lists.
    pub text: String,
    /// Whether the file already ticks it (`- [x]`); the walk still asks.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub checked: bool,
    #[serde(flatten)]
    pub span: Span,
    /// Indexes (in the step's `commands`) of the code blocks nested in this item.
    pub commands: Vec<usize>,
}
