//! What the operator approves, on the terminal: the whole command as it will run, where and how,
//! and how its earlier runs ended; and the earlier outcomes of a step met again.

use std::time::Duration;

use super::Paint;
use super::step::describe_command;
use crate::human::{self, visible};
use crate::runbook::Step;
use crate::walk::approval::Approval;
use crate::walk::state::Past;

/// The command block put up for approval:
///
/// ```text
///   ┌ DANGER · step 2 · command 1 (restart-fs) · attempt 2 · edited
///   │ sudo systemctl restart freeswitch
///   │ echo done on fs-1
///   └ in /srv · bash · timeout 2m
/// ```
pub fn approval_view(a: &Approval<'_>, paint: Paint) -> String {
    let mut head = vec![if a.danger {
        "DANGER".to_string()
    } else {
        "Approve".to_string()
    }];
    head.push(format!("step {}", a.step));
    head.push(match &a.command.annotations.name {
        Some(name) => format!("command {} ({name})", a.command.index),
        None => format!("command {}", a.command.index),
    });
    if a.attempt > 1 {
        head.push(format!("attempt {}", a.attempt));
    }
    if a.edited {
        head.push("EDITED (not the runbook's text)".into());
    }
    let tags = describe_command(a.command);
    if !tags.is_empty() {
        head.push(tags);
    }
    let head = head.join(" · ");
    let bar = |s: &str| {
        if a.danger {
            paint.red(s)
        } else {
            paint.cyan(s)
        }
    };
    let mut out = format!("\n  {} {}\n", bar("┌"), bar(&head));
    let body = a.text.strip_suffix('\n').unwrap_or(&a.text);
    for line in body.split('\n') {
        out.push_str(&format!("  {} {}\n", bar("│"), visible(line)));
    }
    if !a.unset.is_empty() {
        out.push_str(&format!(
            "  {} {}\n",
            bar("│"),
            paint.yellow(&format!(
                "not set, run as written: ${}",
                a.unset.join(", $")
            ))
        ));
    }
    if let Some(past) = a.past {
        out.push_str(&format!(
            "  {} {}\n",
            bar("│"),
            paint.dim(&format!("before: {}", past_text(past)))
        ));
    }
    let how = match &a.runner {
        Some(r) => format!("piped to `{}`", visible(r)),
        None => "bash -c".to_string(),
    };
    let timeout = a.timeout.map_or_else(
        || "no timeout".to_string(),
        |t: Duration| format!("timeout {}", human::duration(t)),
    );
    out.push_str(&format!(
        "  {} {}\n",
        bar("└"),
        paint.dim(&format!("in {} · {how} · {timeout}", visible(&a.cwd)))
    ));
    out
}

/// A step met again: how each of its commands ended before.
pub fn earlier_view(step: &Step, past: &[(usize, &Past)], paint: Paint) -> String {
    let mut out = format!("  {}\n", paint.bold("Before, in this step:"));
    for (n, p) in past {
        let first = step
            .commands
            .get(n - 1)
            .map(|c| c.code.lines().next().unwrap_or("").trim().to_string())
            .unwrap_or_default();
        out.push_str(&format!(
            "    ({n}) {}  {}\n",
            visible(&first),
            paint.dim(&past_text(p))
        ));
    }
    out
}

/// `exit 0 at 03:04:05 (attempt 2)`, `skipped at 03:04:05: no time`, `done by hand at 03:04:05`.
pub fn past_text(past: &Past) -> String {
    match past {
        Past::Ran {
            exit_code,
            signal,
            success,
            timed_out,
            interrupted,
            attempt,
            at,
        } => {
            let how = if *timed_out {
                "timed out".to_string()
            } else if *interrupted {
                "interrupted".to_string()
            } else {
                match (exit_code, signal) {
                    (_, Some(sig)) => format!("killed by {sig}"),
                    (Some(code), None) => format!("exit {code}"),
                    (None, None) => "ended".to_string(),
                }
            };
            let word = if *success { "ran" } else { "failed" };
            let attempt = if *attempt > 1 {
                format!(" (attempt {attempt})")
            } else {
                String::new()
            };
            format!("{word}: {how} at {}{attempt}", human::clock(at))
        }
        Past::Started { attempt, at } => format!(
            "started at {} (attempt {attempt}), outcome unknown",
            human::clock(at)
        ),
        Past::Skipped { reason, at } => {
            format!("skipped at {}: {}", human::clock(at), visible(reason))
        }
        Past::DoneByHand { at } => format!("done by hand at {}", human::clock(at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(visible("a\x1b[2Jb\rc\u{9b}"), "a^[[2Jb^Mc<U+009B>");
    }
}
