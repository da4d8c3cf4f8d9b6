//! Shell state carried between commands, on scripted ports: where the next command starts, what
//! it inherits, what is asked, what the log keeps and what a resume restores.

use std::path::PathBuf;

use super::Ending;
use super::ports::{CommandOutcome, ShellAfter};
use super::scripted::{Harness, ScriptedRunner, opts};
use crate::event::{EnvChange, Event, Mode};

const CARRY: &str = "# Carry

## Move

```bash
cd /srv/app && export FOO=1 API_TOKEN=tok-123 && unset OLD
```

## Use

```bash
echo $FOO $BAR
```

```bash
ls
```
";

/// What `cd /srv/app && export ...` leaves.
fn moved() -> CommandOutcome {
    CommandOutcome {
        exit_code: Some(0),
        shell: Some(ShellAfter {
            cwd: Some("/srv/app".into()),
            changed: vec![
                ("API_TOKEN".into(), Some("tok-123".into())),
                ("FOO".into(), Some("1".into())),
                ("OLD".into(), None),
            ],
        }),
        ..CommandOutcome::default()
    }
}

fn finished(h: &Harness) -> Vec<(Option<String>, Vec<EnvChange>)> {
    h.log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::CommandFinished {
                cwd_after,
                env_changed,
                ..
            } => Some((cwd_after.clone(), env_changed.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn later_commands_start_where_the_last_cd_left_with_its_exports() {
    let mut h = Harness::new([]);
    h.runner = ScriptedRunner::default().on("cd /srv/app", [moved()]);
    let ending = h.walk(CARRY, opts(Mode::Live, true, false));
    assert_eq!(ending, Ending::Finished { failed: 0 });
    let [first, second, third] = &h.runner.ran[..] else {
        panic!("three commands run: {:?}", h.ran());
    };
    assert_eq!(first.cwd, PathBuf::from("/"));
    for later in [second, third] {
        assert_eq!(later.cwd, PathBuf::from("/srv/app"));
        assert!(later.env.contains(&("FOO".into(), "1".into())));
        assert_eq!(later.unset, ["OLD"]);
        assert!(
            later.secrets.contains(&"tok-123".to_string()),
            "a value exported under a credential's name is redacted like a secret"
        );
    }
    // FOO was exported by the first command: never asked. BAR is nobody's: asked.
    let screen = h.ui.screen();
    assert!(!screen.contains("? FOO"), "{screen}");
    assert!(screen.contains("? BAR"), "{screen}");
    let logged = finished(&h);
    assert_eq!(logged[0].0.as_deref(), Some("/srv/app"));
    assert_eq!(
        logged[0].1,
        [
            EnvChange {
                name: "API_TOKEN".into(),
                value: None,
                unset: false,
                redacted: true
            },
            EnvChange {
                name: "FOO".into(),
                value: Some("1".into()),
                unset: false,
                redacted: false
            },
            EnvChange {
                name: "OLD".into(),
                value: None,
                unset: true,
                redacted: false
            },
        ]
    );
    assert_eq!(
        logged[1],
        (None, Vec::new()),
        "nothing changed, nothing logged"
    );
    // The runbook's text holds the value (command_started); what the command left does not.
    let finished: Vec<_> = h
        .log
        .records
        .iter()
        .filter(|r| matches!(r.event, Event::CommandFinished { .. }))
        .collect();
    let json = serde_json::to_string(&finished).unwrap();
    assert!(json.contains("\"env_changed\""), "{json}");
    assert!(!json.contains("tok-123"), "{json}");
}

#[test]
fn a_cwd_annotation_wins_for_its_own_command_only() {
    let text = CARRY.replace("```bash\nls", "<!-- runbook: cwd=/etc -->\n```bash\nls");
    let mut h = Harness::new([]);
    h.runner = ScriptedRunner::default().on("cd /srv/app", [moved()]);
    h.walk(&text, opts(Mode::Live, true, false));
    assert_eq!(h.runner.ran[1].cwd, PathBuf::from("/srv/app"));
    assert_eq!(h.runner.ran[2].cwd, PathBuf::from("/etc"));
}

#[test]
fn a_rehearsal_carries_only_what_ran() {
    // The `cd` is not readonly: not run in a rehearsal, so nothing carries.
    let text = CARRY.replace("```bash\nls", "<!-- runbook: readonly -->\n```bash\nls");
    let mut h = Harness::new([]);
    h.runner = ScriptedRunner::default().on("cd /srv/app", [moved()]);
    h.walk(&text, opts(Mode::Rehearsal, true, false));
    assert_eq!(h.ran(), ["ls"]);
    assert_eq!(h.runner.ran[0].cwd, PathBuf::from("/"));
}

#[test]
fn resume_restores_the_directory_and_variables_from_the_log() {
    // The first walk stops at the second step (its command fails under --yes).
    let mut h = Harness::new([]);
    h.runner = ScriptedRunner::default()
        .on("cd /srv/app", [moved()])
        .on("echo", [ScriptedRunner::exit(1)]);
    let ending = h.walk(CARRY, opts(Mode::Live, true, false));
    assert!(matches!(ending, Ending::Stopped { .. }), "{ending:?}");
    // A new process: the runner and the walk know only the log.
    h.runner = ScriptedRunner::default();
    h.resume(CARRY, opts(Mode::Live, true, false));
    let resumed = h.runner.ran.last().expect("a command ran after the resume");
    assert_eq!(resumed.cwd, PathBuf::from("/srv/app"));
    assert!(resumed.env.contains(&("FOO".into(), "1".into())));
    assert_eq!(resumed.unset, ["OLD"]);
    assert!(
        !resumed.env.iter().any(|(n, _)| n == "API_TOKEN"),
        "a redacted value cannot be restored"
    );
}

#[test]
fn a_short_flag_under_a_credential_name_is_logged_redacted_but_not_hunted_in_output() {
    let mut h = Harness::new([]);
    let flag = CommandOutcome {
        exit_code: Some(0),
        shell: Some(ShellAfter {
            cwd: Some("/srv/app1".into()),
            changed: vec![("AUTH_ENABLED".into(), Some("1".into()))],
        }),
        ..CommandOutcome::default()
    };
    h.runner = ScriptedRunner::default().on("cd /srv/app", [flag]);
    h.walk(CARRY, opts(Mode::Live, true, false));
    assert!(!h.runner.ran[1].secrets.contains(&"1".to_string()));
    let logged = finished(&h);
    assert_eq!(logged[0].0.as_deref(), Some("/srv/app1"));
    assert!(logged[0].1[0].redacted);
}
