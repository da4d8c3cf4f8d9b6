//! Walks of transcripts, reference blocks and guessed scripts: what runs, what is logged.

use super::scripted::{Harness, Reply, opts};
use super::state::SessionState;
use crate::event::{Event, Mode};
use crate::markdown::parse;

fn started(h: &Harness) -> Vec<usize> {
    h.log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::CommandStarted { command, .. } => Some(*command),
            _ => None,
        })
        .collect()
}

fn done_by_hand(h: &Harness) -> Vec<(usize, usize)> {
    h.log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::CommandDone { step, command, .. } => Some((*step, *command)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_transcript_runs_only_its_commands_never_a_prompt_or_its_output() {
    let rb = "# T\n\n## Look\n```bash\n$> be knife ssh 'role:db' uptime\ndb1: up 3 days\n> slowlog get 10\n```\n";
    let mut h = Harness::new([]);
    h.walk(rb, opts(Mode::Live, true, false));
    // Before, bash ran `$> be …` (a file `be`) and `> slowlog …` (a file `slowlog`).
    assert_eq!(h.ran(), ["be knife ssh 'role:db' uptime"]);
    assert!(h.ran().iter().all(|c| !c.starts_with(['$', '>'])));
}

#[test]
fn a_root_prompt_block_is_done_by_hand_as_root_never_run() {
    let rb = "# T\n\n## Restart\n```bash\n# gitlab-ctl restart consul\n```\n";
    let parsed = parse("rb.md", rb).runbook;
    assert_eq!(
        parsed.steps[0].commands[0].place.as_deref(),
        Some("as root")
    );
    let mut h = Harness::new([]);
    h.walk(rb, opts(Mode::Live, true, false));
    assert!(h.ran().is_empty());
    assert!(started(&h).is_empty());
    assert_eq!(done_by_hand(&h), [(1, 1)]);
}

#[test]
fn a_comment_only_block_is_no_item_and_gets_no_tick() {
    let rb = "# T\n\n## Watch\n```bash\n# nothing to run: watch the graph for ten minutes\n```\n```bash\nuptime\n```\n";
    let parsed = parse("rb.md", rb).runbook;
    let state = SessionState::new(&parsed, "alice");
    // Only the `uptime` block is an item: the comment is shown, never ticked nor counted.
    assert_eq!(state.steps[0].items.len(), 1);
    let mut h = Harness::new([]);
    h.walk(rb, opts(Mode::Live, true, false));
    assert_eq!(h.ran(), ["uptime"]);
    assert_eq!(started(&h), [2]);
    assert!(done_by_hand(&h).is_empty());
}

#[test]
fn commands_after_ssh_are_manual_on_that_host_and_never_run_locally() {
    let rb = "# T\n\n## Restart\n```bash\nssh db1\nsudo su\nsystemctl restart postgres\n```\n";
    let parsed = parse("rb.md", rb).runbook;
    let places: Vec<Option<&str>> = parsed.steps[0]
        .commands
        .iter()
        .map(|c| c.place.as_deref())
        .collect();
    assert_eq!(places, [None, Some("on db1"), Some("on db1 as root")]);
    let mut h = Harness::new([]);
    h.walk(rb, opts(Mode::Live, true, false));
    assert_eq!(h.ran(), ["ssh db1"]);
    assert_eq!(done_by_hand(&h), [(1, 2), (1, 3)]);
    // The log says where they were done.
    let logged: Vec<Option<&str>> = h
        .log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::CommandDone { place, .. } => Some(place.as_deref()),
            _ => None,
        })
        .collect();
    assert_eq!(logged, [Some("on db1"), Some("on db1 as root")]);
}

#[test]
fn a_guessed_script_under_yes_is_skipped_and_logged() {
    let rb = "# T\n\n## Look\n```\nkubectl get pods -n web\n```\n";
    let mut h = Harness::new([]);
    h.walk(rb, opts(Mode::Live, true, false));
    assert!(h.ran().is_empty());
    let skipped = h.log.events().into_iter().find_map(|e| match e {
        Event::CommandSkipped {
            reason, automatic, ..
        } => Some((reason.clone(), *automatic)),
        _ => None,
    });
    let (reason, automatic) = skipped.expect("the guessed script is logged as skipped");
    assert!(reason.contains("guessed as shell"), "{reason}");
    assert!(automatic);
}

#[test]
fn a_guessed_script_runs_once_confirmed() {
    let rb = "# T\n\n## Look\n```\nkubectl get pods -n web\n```\n";
    let mut h = Harness::new([Reply::Enter, Reply::Yes, Reply::Key('q')]);
    h.walk(rb, opts(Mode::Live, false, false));
    assert_eq!(h.ran(), ["kubectl get pods -n web"]);
    assert!(
        h.log
            .events()
            .iter()
            .any(|e| matches!(e, Event::CommandApproved { .. }))
    );
}
