//! The runbook model: what a parsed Markdown runbook means, independent of how it is shown or walked.

mod annotations;
mod checklist_item;
mod command;
mod diagnostic;
mod front_matter;
mod introduction;
mod lookup;
mod placeholder;
pub mod region;
#[allow(clippy::module_inception)]
mod runbook;
mod step;
mod variable;

pub use annotations::{AnnotationSource, AnnotationSources, Annotations};
pub use checklist_item::ChecklistItem;
pub use command::{Command, CommandKind};
pub use diagnostic::{Diagnostic, DiagnosticCode, Severity};
pub use front_matter::FrontMatter;
pub use introduction::Introduction;
pub use lookup::{
    AlarmState, CmpOp, Dimension, Expect, Lookup, LookupQuery, MetricStat, NamedQuery, is_statistic,
};
pub use placeholder::{HeredocBody, Placeholder, fill_placeholders, heredoc_bodies};
pub use runbook::Runbook;
pub use step::Step;
pub use variable::{Variable, secret_by_name};

pub use crate::span::Span;
