use std::fmt;

use serde::Serialize;

use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A suggestion, worth knowing: neither counted nor failing `check` (even `--strict`), not
    /// printed by `run` or `show`. First, so that sorting puts it below a warning.
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// The rule a diagnostic comes from: a stable kebab-case name for `--json` consumers and docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticCode {
    /// A `\\` followed by spaces: the line is not continued as it looks.
    BackslashSpace,
    /// An annotation whose value cannot be read.
    BadAnnotation,
    /// A `cloudwatch` block that cannot be turned into a lookup.
    BadLookup,
    /// A command that changes or deletes things, without `confirm` or `danger`.
    DestructiveCommand,
    /// Two commands of one step share a `name`.
    DuplicateCommandName,
    /// Two steps share an `id`.
    DuplicateStepId,
    /// Front matter that cannot be read, or a key of the wrong type.
    FrontMatter,
    /// Nothing to walk: no heading is followed by text, a list or a code block.
    NoSteps,
    /// An annotation comment that no code block follows.
    OrphanAnnotation,
    /// An annotation key the tool does not know.
    UnknownAnnotation,
    /// A code block that is never closed.
    UnterminatedFence,
    /// A control character (ESC, CR, C1, a bidirectional override) that a terminal would obey.
    ControlCharacter,
    /// A command, title or outline a walk would log as an event longer than a log line may be.
    EventTooLarge,
    /// A file whose lines end in a lone CR (classic Mac OS), read with CR as line ends.
    CrLineEndings,
    /// A `<!-- runbook:` comment not closed before the next blank line.
    UnclosedAnnotationComment,
    /// A shell block that mixes commands with their output: not run.
    TranscriptInScript,
    /// A shell block holding only comments: nothing to run.
    CommentOnlyScript,
    /// An unlabelled block read as shell: confirmed before it runs.
    UnlabelledShell,
    /// An `&` inside an unquoted URL argument: it backgrounds the command and cuts the URL.
    UnquotedAmpersand,
    /// A command written in a fence's info string (```` ```bash kubectl get pods ````): it is lost.
    CommandInInfoString,
    /// A `<placeholder>` argument, asked for as a variable.
    Placeholder,
}

impl DiagnosticCode {
    pub const ALL: [DiagnosticCode; 21] = [
        DiagnosticCode::BackslashSpace,
        DiagnosticCode::BadAnnotation,
        DiagnosticCode::BadLookup,
        DiagnosticCode::DestructiveCommand,
        DiagnosticCode::DuplicateCommandName,
        DiagnosticCode::DuplicateStepId,
        DiagnosticCode::FrontMatter,
        DiagnosticCode::NoSteps,
        DiagnosticCode::OrphanAnnotation,
        DiagnosticCode::UnknownAnnotation,
        DiagnosticCode::UnterminatedFence,
        DiagnosticCode::ControlCharacter,
        DiagnosticCode::EventTooLarge,
        DiagnosticCode::CrLineEndings,
        DiagnosticCode::UnclosedAnnotationComment,
        DiagnosticCode::TranscriptInScript,
        DiagnosticCode::CommentOnlyScript,
        DiagnosticCode::UnlabelledShell,
        DiagnosticCode::UnquotedAmpersand,
        DiagnosticCode::CommandInInfoString,
        DiagnosticCode::Placeholder,
    ];

    /// The name as written in JSON output and the README: `front-matter`.
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticCode::BackslashSpace => "backslash-space",
            DiagnosticCode::BadAnnotation => "bad-annotation",
            DiagnosticCode::BadLookup => "bad-lookup",
            DiagnosticCode::DestructiveCommand => "destructive-command",
            DiagnosticCode::DuplicateCommandName => "duplicate-command-name",
            DiagnosticCode::DuplicateStepId => "duplicate-step-id",
            DiagnosticCode::FrontMatter => "front-matter",
            DiagnosticCode::NoSteps => "no-steps",
            DiagnosticCode::OrphanAnnotation => "orphan-annotation",
            DiagnosticCode::UnknownAnnotation => "unknown-annotation",
            DiagnosticCode::UnterminatedFence => "unterminated-fence",
            DiagnosticCode::ControlCharacter => "control-character",
            DiagnosticCode::EventTooLarge => "event-too-large",
            DiagnosticCode::CrLineEndings => "cr-line-endings",
            DiagnosticCode::UnclosedAnnotationComment => "unclosed-annotation-comment",
            DiagnosticCode::TranscriptInScript => "transcript-in-script",
            DiagnosticCode::CommentOnlyScript => "comment-only-script",
            DiagnosticCode::UnlabelledShell => "unlabelled-shell",
            DiagnosticCode::UnquotedAmpersand => "unquoted-ampersand",
            DiagnosticCode::CommandInInfoString => "command-in-info-string",
            DiagnosticCode::Placeholder => "placeholder",
        }
    }
}

impl fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem found in a runbook, at a place in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: DiagnosticCode,
    /// Lowercase, user values in backticks.
    pub message: String,
    #[serde(flatten)]
    pub span: Span,
}

impl Diagnostic {
    pub fn error(code: DiagnosticCode, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
        }
    }

    pub fn warning(code: DiagnosticCode, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            code,
            message: message.into(),
            span,
        }
    }

    pub fn info(code: DiagnosticCode, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Info,
            code,
            message: message.into(),
            span,
        }
    }

    /// `path:line:col: error: message`, the one format every diagnostic is shown in; a control
    /// character quoted from the runbook is shown, never obeyed.
    pub fn render(&self, path: &str) -> String {
        format!(
            "{}:{}:{}: {}: {}",
            crate::human::visible(path),
            self.span.line,
            self.span.column,
            self.severity,
            crate::human::visible(&self.message)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_names() {
        for code in DiagnosticCode::ALL {
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
    }
}
