//! `a` (run all): a step's commands in order, stopping at the first failure.

use super::scripted::{Harness, Reply, ScriptedRunner, opts};
use crate::event::{Event, Mode};

/// One step whose block's statements are three commands (written as three blocks until the
/// statement split lands: the walk sees the same list of commands either way).
const STEP: &str = "# Run all

## Deploy

```bash
first
```

```bash
second
```

```bash
third
```
";

#[test]
fn run_all_stops_at_the_first_failure_and_leaves_the_rest_pending() {
    let mut h = Harness::new([Reply::Key('a'), Reply::Key('q')]);
    h.runner = ScriptedRunner::default().on("second", [ScriptedRunner::exit(2)]);
    h.walk(STEP, opts(Mode::Live, false, false));
    assert_eq!(h.ran(), ["first", "second"], "`third` must not run");
    let screen = h.ui.screen();
    assert!(
        screen.contains("Warning: command 2 failed: run all stopped; command 3 is left pending"),
        "{screen}"
    );
    // Back at the step menu, not the failure menu: the operator chooses what next.
    let last_menu = h.ui.menus.last().expect("a menu after the failure");
    assert!(
        last_menu.contains('a') && last_menu.contains('r'),
        "{last_menu:?}"
    );
    let skipped_or_done = h.log.events().into_iter().any(|e| {
        matches!(
            e,
            Event::CommandSkipped { command: 3, .. } | Event::CommandDone { command: 3, .. }
        )
    });
    assert!(!skipped_or_done, "the third command stays pending");
}

#[test]
fn run_all_after_a_failure_goes_on_from_the_failed_command() {
    let mut h = Harness::new([Reply::Key('a'), Reply::Key('a')]);
    h.runner = ScriptedRunner::default().on("second", [ScriptedRunner::exit(2)]);
    h.walk(STEP, opts(Mode::Live, false, false));
    assert_eq!(h.ran(), ["first", "second", "second", "third"]);
}
