//! No secret value reaches the log or the screen through what the walk logs besides command
//! output: a `cwd` that reads one, a lookup dimension, an error message, or text the operator typed.

use super::ports::LookupError;
use super::scripted::{Harness, RB, Reply, ScriptedMetrics, ScriptedRunner, opts};
use crate::event::{Event, LookupErrorKind, Mode};

/// The preset secret `TOKEN`'s value (see `preset_values`).
const SECRET: &str = "s3cret";

/// The whole log as JSON lines, as it would be on disk.
fn log_text(h: &Harness) -> String {
    h.log
        .records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_no_secret(h: &Harness) {
    let log = log_text(h);
    assert!(!log.contains(SECRET), "secret in the log:\n{log}");
    let screen = h.ui.screen();
    assert!(!screen.contains(SECRET), "secret on the screen:\n{screen}");
}

#[test]
fn a_cwd_reading_a_secret_is_logged_as_written() {
    let rb = "# C\n\n## Go\n```bash {cwd=/srv/$TOKEN/$NODE}\nls\n```\n\n## In place\n```bash {cwd=/srv/$NODE}\nls\n```\n";
    let mut h = Harness::new([]);
    h.walk(rb, opts(Mode::Live, true, false));
    // It ran where the value says.
    assert_eq!(
        h.runner.ran[0].cwd,
        std::path::Path::new("/srv/s3cret/fs-1")
    );
    let cwds: Vec<&str> = h
        .log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::CommandStarted { cwd, .. } => Some(cwd.as_str()),
            _ => None,
        })
        .collect();
    // A directory holding no secret is logged resolved, as before.
    assert_eq!(cwds, ["/srv/$TOKEN/$NODE", "/srv/fs-1"]);
    assert_no_secret(&h);
}

#[test]
fn a_secret_in_a_lookup_dimension_or_its_error_is_redacted() {
    let rb = "# L\n\n## Look\n```cloudwatch\nnamespace: AWS/ApplicationELB\nmetric: HTTPCode_Target_5XX_Count\ndimensions:\n  LoadBalancer: $LB\n  Key: key-$TOKEN\nstat: Sum\nregions: [eu-west-2]\n```\n\n```bash\nls\n```\n";
    let mut h = Harness::new([Reply::Key('q')]);
    h.metrics = Some(ScriptedMetrics::default().answer(
        1,
        "eu-west-2",
        Err(LookupError {
            kind: LookupErrorKind::Invalid,
            message: "no such dimension value `key-s3cret`".into(),
        }),
    ));
    h.walk(rb, opts(Mode::Live, false, false));
    // CloudWatch was asked with the real value.
    let asked = &h.metrics.as_ref().unwrap().asked;
    assert_eq!(asked.len(), 1);
    assert!(format!("{:?}", asked[0].lookup.query).contains("key-s3cret"));
    let result = h
        .log
        .records
        .iter()
        .map(|r| serde_json::to_value(&r.event).unwrap())
        .find(|e| e["type"] == "lookup_result")
        .unwrap();
    let dims = &result["query"]["dimensions"];
    assert!(dims.to_string().contains("key-[REDACTED]"), "{dims}");
    assert!(dims.to_string().contains("app/voice-api/1"), "{dims}");
    assert_eq!(
        result["error"]["message"],
        "no such dimension value `key-[REDACTED]`"
    );
    assert_no_secret(&h);
}

#[test]
fn text_the_operator_typed_is_redacted_before_it_is_logged() {
    let mut h = Harness::new([
        // Step 1: the command fails; skip it with a reason holding the secret.
        Reply::Enter,
        Reply::Key('s'),
        Reply::Text(format!("the token {SECRET} expired")),
        // A note, then skip the step, each with the secret pasted in.
        Reply::Key('n'),
        Reply::Key('o'),
        Reply::Text(format!("curl -H 'X: {SECRET}' says 401")),
        Reply::Key('s'),
        Reply::Text(format!("{SECRET}{SECRET} is wrong")),
        // Step 2: hand over to a "name" that is the secret.
        Reply::Key('h'),
        Reply::Text(SECRET.into()),
        Reply::Key('q'),
    ]);
    h.runner = ScriptedRunner::default().on("check", [ScriptedRunner::exit(1)]);
    h.walk(RB, opts(Mode::Live, false, false));
    let events = h.log.events();
    assert!(events.iter().any(|e| matches!(e,
        Event::CommandSkipped { reason, .. } if reason == "the token [REDACTED] expired")));
    assert!(events.iter().any(|e| matches!(e,
        Event::Note { text, .. } if text == "curl -H 'X: [REDACTED]' says 401")));
    assert!(events.iter().any(|e| matches!(e,
        Event::StepFinished { reason: Some(r), .. } if r == "[REDACTED][REDACTED] is wrong")));
    assert!(events.iter().any(|e| matches!(e,
        Event::Handoff { to, .. } if to == "[REDACTED]")));
    assert_eq!(h.log.records.last().unwrap().operator, "[REDACTED]");
    assert_no_secret(&h);
}
