use serde::Serialize;

use super::{FrontMatter, Introduction, Step, Variable};

/// A whole runbook: its metadata, variables and ordered steps.
#[derive(Debug, Clone, Serialize)]
pub struct Runbook {
    pub title: String,
    /// The path as the user gave it.
    pub path: String,
    /// Hex sha256 of the file's bytes, so logs can tell which version was walked.
    pub sha256: String,
    #[serde(flatten)]
    pub front_matter: FrontMatter,
    /// Markdown between the title and the first step, when it holds no commands nor checklist
    /// items (such an introduction is the first step, titled "Introduction").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introduction: Option<Introduction>,
    pub variables: Vec<Variable>,
    pub steps: Vec<Step>,
}

impl Runbook {
    /// The introduction's Markdown, if any.
    pub fn introduction_text(&self) -> Option<&str> {
        self.introduction.as_ref().map(|i| i.text.as_str())
    }

    /// Commands across all steps; reference blocks (shown, never done) are not commands.
    pub fn command_count(&self) -> usize {
        self.steps
            .iter()
            .flat_map(|s| &s.commands)
            .filter(|c| c.kind != super::CommandKind::Reference)
            .count()
    }

    /// The step with this 1-based index or id.
    pub fn find_step(&self, key: &str) -> Option<&Step> {
        match key.parse::<usize>() {
            Ok(n) => self.steps.get(n.checked_sub(1)?),
            Err(_) => self.steps.iter().find(|s| s.id == key),
        }
    }
}
