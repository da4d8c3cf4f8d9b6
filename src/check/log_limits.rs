//! Events a walk of the runbook would log that one log line cannot hold ([`MAX_LINE_BYTES`]):
//! `check` reports each as an error where it is written, and `run` refuses the runbook before it
//! starts, so the two agree; the log's limit stays, so reading a log stays bounded in memory.

use serde::Serialize;

use crate::human;
use crate::incident_log::MAX_LINE_BYTES;
use crate::runbook::{Diagnostic, DiagnosticCode, Runbook};

/// Room for what every line holds besides the runbook's text (`v`, `seq`, `ts`, `operator`,
/// `session`, `prev`, `hash`, the event's other members) and values known only at run time
/// (host name, incident, operator): generous, as a line just under the limit must still fit.
const LINE_OVERHEAD: usize = 64 * 1024;

/// Bytes of `value` as JSON, counted without building the text.
fn json_len(value: &impl Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail; an unserializable value counts as nothing.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// At least [`json_len`] of a value, cheap to compute: a byte of a string is at most six of
/// JSON (`\u001f`). It settles nearly every event without serializing it.
trait JsonBound {
    fn json_bound(&self) -> usize;
}

impl JsonBound for String {
    fn json_bound(&self) -> usize {
        6 * self.len() + 2
    }
}

impl<T: JsonBound> JsonBound for Option<T> {
    fn json_bound(&self) -> usize {
        self.as_ref().map_or(4, T::json_bound) // `null`
    }
}

impl<T: JsonBound + ?Sized> JsonBound for &T {
    fn json_bound(&self) -> usize {
        (**self).json_bound()
    }
}

/// A tuple is an array: brackets and commas.
impl<A: JsonBound, B: JsonBound> JsonBound for (A, B) {
    fn json_bound(&self) -> usize {
        self.0.json_bound() + self.1.json_bound() + 3
    }
}

impl<A: JsonBound, B: JsonBound, C: JsonBound, D: JsonBound> JsonBound for (A, B, C, D) {
    fn json_bound(&self) -> usize {
        self.0.json_bound() + self.1.json_bound() + self.2.json_bound() + self.3.json_bound() + 5
    }
}

/// Whether an event of at most `bound` bytes of runbook text surely fits a log line.
fn fits(bound: usize) -> bool {
    bound + LINE_OVERHEAD <= MAX_LINE_BYTES
}

/// An error unless an event of `len` bytes of runbook text fits a log line. `what` is only
/// written for an error: most runbooks have none, and each of their items would cost a string.
fn too_large(len: usize, what: impl FnOnce() -> String, fix: &str) -> Option<String> {
    (len + LINE_OVERHEAD > MAX_LINE_BYTES).then(|| {
        format!(
            "{what} would be logged as an event of {}, more than the {} a log line holds: {fix}",
            human::size(len as u64),
            human::size(MAX_LINE_BYTES as u64),
            what = what(),
        )
    })
}

/// [`too_large`] for `value`, serialized only when its [`JsonBound`] does not settle it.
fn too_large_value(
    value: &(impl Serialize + JsonBound),
    what: impl FnOnce() -> String,
    fix: &str,
) -> Option<String> {
    if fits(value.json_bound()) {
        return None;
    }
    too_large(json_len(value), what, fix)
}

/// One error per event the walk would log that exceeds the log's line limit.
pub fn log_limits(runbook: &Runbook) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut error = |span, message: Option<String>| {
        if let Some(m) = message {
            out.push(Diagnostic::error(DiagnosticCode::EventTooLarge, span, m));
        }
    };
    // `session_started` (and `session_resumed`) carry every step's id, title and digest, and the
    // variables with their defaults.
    let outline_bound: usize = runbook
        .steps
        .iter()
        .map(|s| (&s.id, &s.title).json_bound() + 96)
        .sum::<usize>()
        + runbook
            .variables
            .iter()
            .map(|v| (&v.name, &v.default).json_bound() + 64)
            .sum::<usize>()
        + runbook.title.json_bound()
        + runbook.path.json_bound();
    if !fits(outline_bound) {
        let outline: usize = runbook
            .steps
            .iter()
            .map(|s| json_len(&(&s.id, &s.title)) + 96)
            .sum::<usize>()
            + runbook
                .variables
                .iter()
                .map(|v| json_len(&(&v.name, &v.default)) + 64)
                .sum::<usize>()
            + json_len(&runbook.title)
            + json_len(&runbook.path);
        error(
            crate::span::Span::FILE,
            too_large(
                outline,
                || {
                    format!(
                        "the start of a walk (the ids and titles of {} and the variables)",
                        human::count(runbook.steps.len(), "step", "steps")
                    )
                },
                "split the runbook",
            ),
        );
    }
    for step in &runbook.steps {
        error(
            step.span,
            too_large_value(
                &(&step.id, &step.title),
                || format!("the title of step {}", step.index),
                "shorten it",
            ),
        );
        for item in &step.checklist {
            error(
                item.span,
                too_large_value(
                    &item.text,
                    || format!("checklist item {} of step {}", item.number, step.index),
                    "shorten it",
                ),
            );
        }
        for command in step.commands.iter().filter(|c| c.runnable) {
            let a = &command.annotations;
            error(
                command.span,
                too_large_value(
                    &(&command.code, &a.name, &a.cwd, &a.runner),
                    || format!("command {} of step {}", command.index, step.index),
                    "split it, or run it from a script file",
                ),
            );
        }
        // A lookup's query is of many shapes, and lookups are few: measured as it is.
        for lookup in &step.lookups {
            error(
                lookup.span,
                too_large(
                    json_len(&(&lookup.query, &lookup.label)),
                    || format!("lookup {} of step {}", lookup.index, step.index),
                    "shorten it",
                ),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::parse;

    fn messages(text: &str) -> Vec<String> {
        log_limits(&parse("t.md", text).runbook)
            .into_iter()
            .map(|d| d.render("t.md"))
            .collect()
    }

    proptest::proptest! {
        /// The bound is one: never less than the JSON's length.
        #[test]
        fn the_bound_is_at_least_the_json_length(
            a in "(.|[\\x00-\\x1f\"\\\\\u{7f}-\u{a0}\u{2028}\u{2029}])*",
            b in proptest::option::of(".*"),
            c in proptest::option::of("[\\x00-\\x1f]*"),
        ) {
            proptest::prop_assert!(a.json_bound() >= json_len(&a));
            proptest::prop_assert!((&a, &b).json_bound() >= json_len(&(&a, &b)));
            let four = (&a, &b, &c, &None::<String>);
            proptest::prop_assert!(four.json_bound() >= json_len(&four));
        }
    }

    #[test]
    fn ordinary_runbooks_fit() {
        assert!(messages("## A\n```bash\necho hi\n```\n- [ ] done\n").is_empty());
    }

    #[test]
    fn a_command_whose_json_would_pass_the_line_limit_is_an_error_where_it_is() {
        // 8.5 MiB of `"` is 17 MiB as JSON (`\"`).
        let code = "\"".repeat(17 << 19);
        let text = format!("# T\n\n## Big\n\n```bash\n{code}\n```\n");
        assert_eq!(
            messages(&text),
            [
                "t.md:5:1: error: command 1 of step 1 would be logged as an event of 17 MiB, more than the 16 MiB a log line holds: split it, or run it from a script file"
            ]
        );
        // The same bytes as plain text fit.
        let text = format!("# T\n\n## Big\n\n```bash\n{}\n```\n", "a".repeat(17 << 19));
        assert!(messages(&text).is_empty());
    }

    #[test]
    fn an_outline_too_large_for_the_first_line_is_an_error_at_the_top() {
        let title = "t".repeat(200);
        let mut text = String::new();
        for i in 0..40_000 {
            text.push_str(&format!("## {title} {i}\nx\n"));
        }
        let m = messages(&text);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].starts_with("t.md:1:1: error: the start of a walk (the ids and titles of 40000 steps and the variables) would be logged as an event of "),
            "{m:?}"
        );
        assert!(m[0].ends_with(", more than the 16 MiB a log line holds: split the runbook"));
    }
}
