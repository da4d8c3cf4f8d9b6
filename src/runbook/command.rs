use std::borrow::Cow;

use serde::Serialize;

use super::{Annotations, Placeholder};
use crate::span::Span;

/// How a code block is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommandKind {
    /// A shell block, run whole as written.
    Script,
    /// One `$ ` prompt line (with continuations) of a console session.
    Console,
    /// Shown, never run: the operator marks it done by hand.
    Manual,
    /// Shown for reference only (a diagram, data, sample output, a block of comments): never an
    /// item, never done, never run.
    Reference,
}

/// A command of a step: a code block, or one prompt of a console block.
#[derive(Debug, Clone, Serialize)]
pub struct Command {
    /// 1-based position among the step's commands.
    pub index: usize,
    /// The fence's language, lowercased; empty when none.
    pub lang: Cow<'static, str>,
    /// Exactly the bytes to run (or show): never rewritten.
    pub code: String,
    #[serde(flatten)]
    pub span: Span,
    pub kind: CommandKind,
    pub runnable: bool,
    pub annotations: Annotations,
    /// For a console prompt: the lines printed after it in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_output: Option<String>,
    /// 0-based index of the code block (within the step) this command comes from; a console
    /// or multi-statement block gives several commands. Shown 1-based, as people count.
    #[serde(serialize_with = "one_based")]
    pub block: usize,
    /// 1-based index of the checklist item this block is nested in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checklist_item: Option<usize>,
    /// The session variables this command reads (its code, `runner` and `cwd`), in order of
    /// first use: a walk asks for them just before the command first runs.
    #[serde(skip)]
    pub uses: Vec<String>,
    /// An unlabelled block read as shell from its content: always confirmed before it runs.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub guessed: bool,
    /// Where a manual command is typed, when not in the local shell: "on HOST", "as root",
    /// "on HOST as root" (after `ssh HOST`, `sudo su`, or at such a prompt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The program a manual command is typed to, at its prompt: `mysql`, `psql`, `redis-cli`...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    /// The comment line(s) just above the statement in its block, without their `#`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Needs the operator's keyboard: detected from the code (`ssh host`, `psql`, `vim`), or
    /// as the `interactive` annotation says, which wins.
    pub interactive: bool,
    /// The `<placeholders>` in the code, in order: each is asked as its variable.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub placeholders: Vec<Placeholder>,
}

fn one_based<S: serde::Serializer>(block: &usize, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(*block as u64 + 1)
}

impl Command {
    /// A short name for messages: the annotation name, else `command N`.
    pub fn label(&self) -> String {
        match &self.annotations.name {
            Some(name) => name.clone(),
            None => format!("command {}", self.index),
        }
    }
}
