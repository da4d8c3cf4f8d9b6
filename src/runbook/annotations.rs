use serde::Serialize;

use crate::span::Span;

/// Where a block's annotations were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnotationSource {
    /// `` ```bash {name=x confirm} ``
    InfoString,
    /// `` ```sh {"name":"x"} `` (Runme)
    Json,
    /// `<!-- runbook: danger -->` on the line before the block.
    Comment,
}

/// The places a block's annotations came from, in the order they were met, each at most once.
///
/// A fixed array rather than a `Vec`: a runbook has thousands of annotated blocks, and there are
/// only three sources. Serialized as a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnnotationSources([Option<AnnotationSource>; 3]);

impl AnnotationSources {
    pub fn one(source: AnnotationSource) -> Self {
        AnnotationSources([Some(source), None, None])
    }

    pub fn is_empty(&self) -> bool {
        self.0[0].is_none()
    }

    pub fn contains(&self, source: AnnotationSource) -> bool {
        self.0.contains(&Some(source))
    }

    /// Adds `source` after the others, unless it is there already.
    pub fn insert(&mut self, source: AnnotationSource) {
        if let Some(slot) = self.0.iter_mut().find(|s| s.is_none_or(|s| s == source)) {
            *slot = Some(source);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = AnnotationSource> + '_ {
        self.0.iter().map_while(|s| *s)
    }
}

impl Serialize for AnnotationSources {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// What the author said about how a block may be run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Annotations {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Always ask before running, even under `--yes`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub confirm: bool,
    /// Needs a typed confirmation; never run automatically.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub danger: bool,
    /// Changes nothing, so it may run during a rehearsal.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub readonly: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Needs the operator's terminal (ssh, psql, top): `Some(false)` when the author said it
    /// does not, which overrides detection; `None` when not said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interactive: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// Program the block is piped into (`mysql -h $DB`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner: Option<String>,
    /// Exit codes that count as success; empty means 0.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expect_exit: Vec<i32>,
    #[serde(skip_serializing_if = "AnnotationSources::is_empty")]
    pub sources: AnnotationSources,
    /// Where the annotation text starts, for messages.
    #[serde(skip)]
    pub span: Option<Span>,
    /// Keep the block one command, for scripts that must run as one shell.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub whole: bool,
}

impl Annotations {
    /// Keys accepted in every annotation form.
    pub const KEYS: &[&str] = &[
        "name",
        "confirm",
        "danger",
        "readonly",
        "timeout",
        "interactive",
        "cwd",
        "runner",
        "expect_exit",
        "whole",
    ];

    pub fn is_empty(&self) -> bool {
        self == &Annotations::default()
    }

    /// Lays `other` over `self`: what `other` sets wins.
    pub fn merge(&mut self, other: Annotations) {
        self.name = other.name.or(self.name.take());
        self.confirm |= other.confirm;
        self.danger |= other.danger;
        self.readonly |= other.readonly;
        self.timeout_ms = other.timeout_ms.or(self.timeout_ms);
        self.interactive = other.interactive.or(self.interactive);
        self.cwd = other.cwd.or(self.cwd.take());
        self.runner = other.runner.or(self.runner.take());
        if !other.expect_exit.is_empty() {
            self.expect_exit = other.expect_exit;
        }
        for s in other.sources.iter() {
            self.sources.insert(s);
        }
        self.span = self.span.or(other.span);
        self.whole |= other.whole;
    }
}
