//! Free variables of any case: asked when a command needs them, unless the block or an earlier
//! command of the step sets them.

use super::scripted::{Harness, opts};
use crate::event::Mode;
use crate::markdown::parse;

const FREE: &str = "# Free

## Check the hosts

```bash
ssh $host uptime -c ${cluster}
```

```bash
for h in a b; do echo $h; done
```

```bash
export X=1
```

```bash
echo $X
```
";

#[test]
fn lower_case_free_variables_are_undeclared_variables() {
    let runbook = parse("rb.md", FREE).runbook;
    let names: Vec<&str> = runbook.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["host", "cluster"]);
    let uses: Vec<&Vec<String>> = runbook.steps[0].commands.iter().map(|c| &c.uses).collect();
    assert_eq!(uses[0], &["host", "cluster"]);
    assert!(uses[1].is_empty(), "a loop variable is the loop's");
    assert!(uses[3].is_empty(), "set by an earlier command of the step");
}

#[test]
fn the_walk_asks_for_host_and_nothing_for_loop_or_exported_variables() {
    let mut h = Harness::new([]);
    h.walk(FREE, opts(Mode::Live, true, false));
    let screen = h.ui.screen();
    assert!(screen.contains("? host (used by a command"), "{screen}");
    assert!(screen.contains("? cluster (used by a command"), "{screen}");
    let questions = screen.lines().filter(|l| l.starts_with("? ")).count();
    assert_eq!(questions, 2, "{screen}");
    assert_eq!(h.runner.ran.len(), 4);
}
