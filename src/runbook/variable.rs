use serde::Serialize;

use crate::span::Span;

/// A value commands need, declared in front matter or found in their text.
#[derive(Debug, Clone, Serialize)]
pub struct Variable {
    pub name: String,
    /// Declared in front matter; otherwise detected in a command.
    pub declared: bool,
    /// Never logged or echoed; asked with hidden input.
    pub secret: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Regular expression a value must match in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Where it is declared, else its first use.
    #[serde(flatten)]
    pub span: Span,
}

impl Variable {
    /// A variable a command (or lookup) reads without the front matter declaring it.
    pub fn undeclared(name: &str, span: Span) -> Self {
        Variable {
            name: name.to_string(),
            declared: false,
            secret: false,
            required: false,
            description: None,
            default: None,
            pattern: None,
            span,
        }
    }
}
