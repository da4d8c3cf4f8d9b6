use std::sync::Arc;

use serde::Serialize;

use super::{ChecklistItem, Command, Lookup};
use crate::span::Span;

/// One heading section with content of its own: the unit an operator works through.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// 1-based position in the runbook.
    pub index: usize,
    /// From `<!-- runbook: step id=... -->`, else derived from the title.
    pub id: String,
    pub title: String,
    /// Titles of the enclosing headings, outermost first.
    pub breadcrumb: Arc<[String]>,
    /// Heading level (1-6); 0 for a step made of text outside any heading.
    pub level: u8,
    #[serde(flatten)]
    pub span: Span,
    /// The section's Markdown below its heading, as written.
    pub body: String,
    pub commands: Vec<Command>,
    pub checklist: Vec<ChecklistItem>,
    /// CloudWatch lookups (`cloudwatch` blocks), run when the step is shown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lookups: Vec<Lookup>,
}

impl Step {
    /// `Group › Subgroup › Title`.
    pub fn full_title(&self) -> String {
        let mut parts: Vec<&str> = self.breadcrumb.iter().map(String::as_str).collect();
        parts.push(&self.title);
        parts.join(" › ")
    }
}
