//! The work items of a step, in the order an operator meets them: commands, and checklist items after their nested commands.

use crate::runbook::{CommandKind, Step};

/// One thing to get done in a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    /// 1-based index into the step's commands.
    Command(usize),
    /// 1-based index into the step's checklist.
    Check(usize),
}

/// The step's items in walking order. A checklist item comes after the code blocks nested in it,
/// so the operator runs them and then confirms the item.
pub fn items(step: &Step) -> Vec<Item> {
    let mut keyed: Vec<(usize, u8, Item)> = step
        .commands
        .iter()
        // Reference blocks are shown, never done: not items.
        .filter(|c| c.kind != CommandKind::Reference)
        .map(|c| (c.span.start, 0, Item::Command(c.index)))
        .collect();
    for check in &step.checklist {
        let after = check
            .commands
            .iter()
            .filter_map(|i| step.commands.get(i - 1))
            .map(|c| c.span.start)
            .max()
            .unwrap_or(check.span.start);
        keyed.push((after, 1, Item::Check(check.index)));
    }
    keyed.sort_by_key(|(start, order, _)| (*start, *order));
    keyed.into_iter().map(|(_, _, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::parse;

    #[test]
    fn checklist_items_follow_their_commands() {
        let rb = parse(
            "t.md",
            "## A\n```bash\none\n```\n1. first\n   ```bash\n   two\n   ```\n2. second\n\n```python\nthree\n```\n",
        )
        .runbook;
        assert_eq!(
            items(&rb.steps[0]),
            [
                Item::Command(1),
                Item::Command(2),
                Item::Check(1),
                Item::Check(2),
                Item::Command(3)
            ]
        );
    }
}
