//! The introduction: the text before the first step. Kept as text to show, or, when it holds
//! commands, checklist items or lookups, made the first step so that none of them is lost.

use std::sync::Arc;

use super::Section;
use crate::runbook::{Command, CommandKind, Introduction, Step};
use crate::span::{LineIndex, Span};

/// The title of the step an introduction with work in it becomes.
pub const INTRODUCTION_TITLE: &str = "Introduction";

/// What the text before the first step turns out to be.
pub enum Settled {
    None,
    /// Only text: shown before the first step.
    Text(Introduction),
    /// It holds work: a step of its own (its id as its annotation gives it).
    Step(Box<Step>, Option<(String, Span)>),
}

/// Settles the introduction from the sections before the first step (those with content, in
/// order). With no step at all, the introduction is the runbook's only step, named `title`;
/// otherwise it is a step only when it holds something to do.
pub fn settle(
    sections: Vec<Section>,
    text: &str,
    index: &LineIndex<'_>,
    no_steps: bool,
    title: &str,
) -> Settled {
    // Badges and comments above the title are decoration, not an introduction.
    let sections: Vec<Section> = sections
        .into_iter()
        .filter(|s| {
            !(s.commands.is_empty()
                && s.checklist.is_empty()
                && s.lookups.is_empty()
                && super::only_badges(s.body(text)))
        })
        .collect();
    let joined = sections
        .iter()
        .map(|s| s.body(text))
        .collect::<Vec<_>>()
        .join("\n\n");
    let Some(first) = sections.first() else {
        return Settled::None;
    };
    let rest = &text[first.content_start..];
    let at = first.content_start + (rest.len() - rest.trim_start().len());
    let span = index.span(at, at);
    let holds_work = sections.iter().any(|s| {
        s.commands.iter().any(is_work) || !s.checklist.is_empty() || !s.lookups.is_empty()
    });
    if !no_steps && !holds_work {
        return if joined.trim().is_empty() {
            Settled::None
        } else {
            Settled::Text(Introduction { text: joined, span })
        };
    }
    let section = merge(sections);
    let (mut step, id) = section.into_step(text, index, Arc::from([]));
    step.body = joined.trim_end().to_string();
    if no_steps {
        step.title = title.to_string();
    } else {
        step.title = INTRODUCTION_TITLE.to_string();
        step.level = 0;
        step.span = span;
    }
    Settled::Step(Box::new(step), id)
}

/// Whether a block of the introduction is something to do rather than something to read.
fn is_work(command: &Command) -> bool {
    command.kind != CommandKind::Reference
}

/// One section holding the commands, checklist items and lookups of all, renumbered in order.
fn merge(sections: Vec<Section>) -> Section {
    let mut parts = sections.into_iter();
    let mut first = parts.next().expect("called with at least one section");
    for mut s in parts {
        let (commands, checks, blocks) =
            (first.commands.len(), first.checklist.len(), first.blocks);
        let (tops, lookups) = (first.top_items, first.lookups.len());
        for c in &mut s.commands {
            c.index += commands;
            c.block += blocks;
            c.checklist_item = c.checklist_item.map(|i| i + checks);
        }
        for item in &mut s.checklist {
            item.index += checks;
            item.commands.iter_mut().for_each(|c| *c += commands);
            // `2.1` of the second part follows the first part's top-level items.
            let (top, nested) = item.number.split_once('.').unwrap_or((&item.number, ""));
            let top = top.parse::<usize>().unwrap_or(0) + tops;
            item.number = if nested.is_empty() {
                top.to_string()
            } else {
                format!("{top}.{nested}")
            };
        }
        for l in &mut s.lookups {
            l.index += lookups;
        }
        first.commands.append(&mut s.commands);
        first.checklist.append(&mut s.checklist);
        first.lookups.append(&mut s.lookups);
        first.blocks += s.blocks;
        first.top_items += s.top_items;
        first.step_id = first.step_id.take().or(s.step_id);
        first.content_end = s.content_end;
    }
    first
}
