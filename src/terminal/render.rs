//! How each thing the walk shows looks on a terminal: header, step, lookup table, command,
//! outcome, guard alarm, help, menu questions, notices and the summary table.

use std::time::Duration;

use super::Paint;
use super::lookup_table::lookup_table;
use super::step::{StepLayout, command_block, item_line, prose, rehearsal_banner, step_view};
use super::wrap::wrap;
use crate::event::{Mode, StepStatus};
use crate::human::{self, visible};
use crate::runbook::{AlarmState, Runbook};
use crate::walk::actions::Action;
use crate::walk::ports::{CommandOutcome, GuardAlarm, GuardNews, Menu, Tone};
use crate::walk::screen::{Header, Question, Resuming, RowStatus, Screen, Summary, SummaryRow};
use crate::walk::screen::{Tally, VariableRow, VariableState};
use crate::walk::state::ItemStatus;

/// `screen` laid out for the terminal, prose wrapped to `width` columns (`None`: not a terminal,
/// lines kept whole).
pub fn render(screen: &Screen<'_>, paint: Paint, width: Option<usize>) -> String {
    render_noted(screen, paint, width, None)
}

/// As [`render`], with `note` (how sharing stands: `shared`, `offline since 14:02`) after the
/// place in every step header.
pub fn render_noted(
    screen: &Screen<'_>,
    paint: Paint,
    width: Option<usize>,
    note: Option<&str>,
) -> String {
    match *screen {
        Screen::Header(header) => header_view(&header, paint, width),
        Screen::Resuming(resuming) => resuming_view(&resuming, paint, width),
        Screen::Step {
            step,
            total,
            elapsed,
            progress,
            tally,
            mode,
        } => {
            let mut place = progress_line(step.index, total, tally, elapsed);
            if let Some(note) = note {
                place.push_str(" · ");
                place.push_str(note);
            }
            let layout = StepLayout {
                place: &place,
                mode,
                width,
            };
            step_view(step, layout, progress, paint)
        }
        Screen::Lookup { outcomes } => lookup_table(outcomes, paint),
        Screen::Command { command, status } => command_block(command, status, paint),
        Screen::Outcome {
            command,
            outcome,
            success,
        } => {
            let how = describe_outcome(outcome);
            if success {
                notice_line(paint, Tone::Success, &format!("command {command} {how}"))
            } else {
                notice_line(
                    paint,
                    Tone::Error,
                    &format!("command {command} failed: {how}"),
                )
            }
        }
        Screen::GuardAlarm(g) => guard_banner(g, paint),
        Screen::Help => help()
            .lines()
            .map(|line| format!("{}\n", wrap(line, width, "", "     ")))
            .collect(),
        Screen::Approval(approval) => super::approval::approval_view(approval, paint),
        Screen::Earlier { step, past } => super::approval::earlier_view(step, past, paint),
        Screen::Context { runbook } => context_view(runbook, paint, width),
        Screen::Steps {
            runbook,
            rows,
            current,
        } => wrap_lines(
            &steps_view(runbook, rows, current, paint),
            width,
            "        ",
        ),
        Screen::Variables { rows } => wrap_lines(&variables_view(rows, paint), width, "      "),
    }
}

/// Each line of `text` wrapped to `width` on its own, continuation lines indented by `rest`.
fn wrap_lines(text: &str, width: Option<usize>, rest: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        out.push_str(&wrap(body, width, "", rest));
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// `Step 3/12 · 2 done · 1 skipped · T+04:12`: where the walk stands, from the session's state.
pub fn progress_line(index: usize, total: usize, tally: Tally, elapsed: Duration) -> String {
    let mut parts = vec![
        format!("Step {index}/{total}"),
        format!("{} done", tally.done),
    ];
    for (n, word) in [
        (tally.skipped, "skipped"),
        (tally.failed, "failed"),
        (tally.rehearsed, "rehearsed"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    let ms = i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX);
    parts.push(human::t_plus(ms));
    parts.join(" · ")
}

/// The description and the introduction (the title is on the header above).
fn context_view(runbook: &Runbook, paint: Paint, width: Option<usize>) -> String {
    let mut out = format!("\n{}\n", paint.bold("── About this runbook"));
    if let Some(d) = runbook
        .front_matter
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        out.push_str(&prose(d.trim(), paint, width));
    }
    if let Some(intro) = runbook.introduction_text().filter(|t| !t.trim().is_empty()) {
        out.push_str(&prose(intro, paint, width));
    }
    out
}

/// Every step with its status mark, the current one pointed at.
fn steps_view(runbook: &Runbook, rows: &[SummaryRow], current: usize, paint: Paint) -> String {
    let width = rows.len().to_string().len();
    let mut out = String::from("\n");
    for row in rows {
        let (mark, word) = match row.status {
            RowStatus::Finished(StepStatus::Done) => (paint.green("✔"), "done"),
            RowStatus::Finished(StepStatus::Skipped) => (paint.yellow("↷"), "skipped"),
            RowStatus::Finished(StepStatus::Failed) => (paint.red("✘"), "failed"),
            RowStatus::Finished(StepStatus::Rehearsed) => (paint.cyan("◌"), "rehearsed"),
            RowStatus::InProgress => ("▸".to_string(), "in progress"),
            RowStatus::NotStarted => ("·".to_string(), "not started"),
        };
        let here = if row.step == current { "→" } else { " " };
        out.push_str(&format!(
            "  {here} {:>width$} {mark} {}  {}\n",
            row.step,
            visible(&row.title),
            paint.dim(&format!(
                "[{}] {word}",
                runbook
                    .steps
                    .get(row.step - 1)
                    .map_or("", |s| s.id.as_str())
            ))
        ));
    }
    out
}

/// Each variable: its value (a secret hidden), where the value came from, its description.
fn variables_view(rows: &[VariableRow<'_>], paint: Paint) -> String {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut out = String::from("\n");
    for row in rows {
        let value = match row.state {
            VariableState::Set {
                value: Some(v),
                source,
            } => format!(
                "{}  {}",
                visible(v),
                paint.dim(&format!("({})", source.as_str()))
            ),
            VariableState::Set {
                value: None,
                source,
            } => format!(
                "{}  {}",
                paint.dim("[secret, hidden]"),
                paint.dim(&format!("({})", source.as_str()))
            ),
            VariableState::Empty => paint.dim("(left empty)"),
            VariableState::NotSet => paint.dim("(not asked yet: asked when a command needs it)"),
        };
        let about = row
            .description
            .map(|d| format!("  {}", paint.dim(&visible(&format!("— {d}")))))
            .unwrap_or_default();
        let name = format!("{:<width$}", row.name);
        out.push_str(&format!("  {}  {value}{about}\n", paint.bold(&name)));
    }
    out
}

/// A guard alarm that entered ALARM is a red banner; one back to OK is a plain line. Both give
/// the alarm's own state-change time, not when the walk noticed.
fn guard_banner(g: &GuardAlarm, paint: Paint) -> String {
    let since = g
        .alarm
        .since
        .as_deref()
        .map(|t| format!(" since {} UTC", human::clock(t)))
        .unwrap_or_default();
    if g.alarm.state == AlarmState::Alarm {
        paint.red(&visible(&format!(
            "\n  ▲▲ GUARD ALARM {} in {}{since}: {} ▲▲\n",
            g.alarm.name, g.region, g.alarm.reason
        )))
    } else {
        notice_line(
            paint,
            Tone::Success,
            &visible(&format!(
                "guard alarm {} in {} is {}{since}",
                g.alarm.name, g.region, g.alarm.state
            )),
        )
    }
}

/// One line for guard news shown while a command runs, between the command's own output.
pub fn guard_status_line(news: &GuardNews, paint: Paint) -> String {
    match news {
        GuardNews::Alarm(g) => guard_banner(g, paint).trim_matches('\n').to_string(),
        GuardNews::Unavailable { region, error } => notice_line(
            paint,
            Tone::Warning,
            &format!(
                "guard alarms cannot be read in {region}: {}; the walk does not see them until they can",
                error.message.replace(&format!(" in {region}"), "")
            ),
        ),
        GuardNews::Recovered { region } => notice_line(
            paint,
            Tone::Success,
            &format!("guard alarms can be read again in {region}"),
        ),
    }
}

fn header_view(h: &Header<'_>, paint: Paint, width: Option<usize>) -> String {
    let (mode, banner) = match h.mode {
        Mode::Live => ("live", String::new()),
        Mode::Rehearsal => (
            "REHEARSAL (only `readonly` commands run)",
            format!("{}\n", rehearsal_banner(paint)),
        ),
    };
    let rb = h.runbook;
    let facts = format!(
        "{} · sha256 {} · mode {mode} · incident {} · operator {}",
        rb.path,
        &rb.sha256[..12.min(rb.sha256.len())],
        h.incident.unwrap_or("-"),
        h.operator,
    );
    format!(
        "{banner}{}\n{}\n{}",
        wrap(&paint.bold(&visible(&rb.title)), width, "", ""),
        wrap(&paint.dim(&visible(&facts)), width, "", "  "),
        paint.dim(&format!("log {}", visible(h.log)))
    )
}

fn resuming_view(r: &Resuming<'_>, paint: Paint, width: Option<usize>) -> String {
    let title = paint.bold(&visible(&format!("Resuming: {}", r.title)));
    let facts = paint.dim(&visible(&format!(
        "incident {} · operator {} · continuing at step {} · log {}",
        r.incident.unwrap_or("-"),
        r.operator,
        r.step,
        r.log
    )));
    format!(
        "{}\n{}",
        wrap(&title, width, "", ""),
        wrap(&facts, width, "", "  ")
    )
}

/// Every key of the step menu with what it does, from the walk's one table of actions.
pub fn help() -> String {
    Action::ALL
        .iter()
        .map(|a| format!("  {}  {}\n", a.key(), a.help()))
        .collect()
}

/// A menu as the operator sees it: the question, then each key and its label, wrapped between
/// keys (never inside a label) to `width`, ending with what Enter does and the cursor.
pub fn menu_prompt(menu: &Menu<'_>, paint: Paint, width: Option<usize>) -> String {
    // Non-breaking spaces hold a key to its label while wrapping; plain ones on screen.
    let glue = |text: &str| text.replace(' ', "\u{a0}");
    let keys: Vec<String> = menu
        .choices
        .iter()
        .map(|c| format!("{}\u{a0}{}", paint.bold(&c.key.to_string()), glue(c.label)))
        .collect();
    let default = menu
        .choices
        .get(menu.default)
        .map_or_else(String::new, |d| {
            paint.dim(&glue(&format!("(Enter: {})", d.label)))
        });
    let line = format!("{}  {default}\u{a0}›", keys.join("  "));
    let text = format!(
        "{}\n{} ",
        wrap(&question(&menu.question, paint), width, "  ", "    "),
        wrap(&line, width, "  ", "  ")
    );
    text.replace('\u{a0}', " ")
}

/// The line above a menu's keys.
pub fn question(question: &Question<'_>, paint: Paint) -> String {
    match *question {
        Question::NextItem { item: None, .. } => {
            "nothing left to run: press Enter to mark the step done".into()
        }
        Question::NextItem {
            step,
            item: Some(item),
        } => format!(
            "next: {}",
            item_line(step, item, ItemStatus::Pending, paint)
        ),
        Question::CommandFailed { command } => format!("command {command} failed"),
        Question::NoteKind => "kind of note".into(),
    }
}

/// A one-line message with its tone's mark; control characters in it (a runbook's text, an
/// operator's answer) are shown, not obeyed.
pub fn notice_line(paint: Paint, tone: Tone, text: &str) -> String {
    let text = visible(text);
    match tone {
        Tone::Info => format!("  {}", paint.dim(&format!("· {text}"))),
        Tone::Success => format!("  {} {text}", paint.green("✔")),
        Tone::Warning => format!("  {} {text}", paint.yellow("!")),
        Tone::Error => format!("  {} {text}", paint.red("✘")),
    }
}

/// How a command ended: `exit 0 in 1.2s`, `timed out after 5m`, `could not start: ...`.
fn describe_outcome(o: &CommandOutcome) -> String {
    let took = human::duration(Duration::from_millis(o.duration_ms));
    if let Some(e) = &o.spawn_error {
        return format!("could not start: {e}");
    }
    if o.timed_out {
        return format!("timed out after {took}");
    }
    if o.interrupted {
        return format!("interrupted after {took}");
    }
    match (&o.exit_code, &o.signal) {
        (_, Some(sig)) => format!("killed by {sig} after {took}"),
        (Some(code), None) => format!("exit {code} in {took}"),
        (None, None) => format!("ended after {took}"),
    }
}

/// The summary table: step, status, duration, title; plain text for stdout.
pub fn summary_table(summary: &Summary) -> String {
    let mut rows = vec![[
        "STEP".to_string(),
        "STATUS".to_string(),
        "DURATION".to_string(),
        "TITLE".to_string(),
    ]];
    for row in &summary.rows {
        let status = match row.status {
            RowStatus::Finished(StepStatus::Done) => "done",
            RowStatus::Finished(StepStatus::Skipped) => "skipped",
            RowStatus::Finished(StepStatus::Failed) => "failed",
            RowStatus::Finished(StepStatus::Rehearsed) => "rehearsed",
            RowStatus::InProgress => "in progress",
            RowStatus::NotStarted => "not started",
        };
        let duration = row.duration.map_or_else(|| "-".into(), human::duration);
        rows.push([
            row.step.to_string(),
            status.into(),
            duration,
            visible(&row.title).into_owned(),
        ]);
    }
    let widths: Vec<usize> = (0..3)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        out.push_str(&format!(
            "{:>w0$}  {:<w1$}  {:>w2$}  {}\n",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::wrap::display_width as width_of;
    use super::*;
    use crate::walk::actions::MenuOption;
    use crate::walk::screen::Question;

    fn step_menu(paint: Paint, width: Option<usize>) -> String {
        let menu = Menu {
            question: Question::NoteKind,
            choices: Action::ALL.iter().map(|a| a.choice()).collect(),
            default: 0,
        };
        menu_prompt(&menu, paint, width)
    }

    #[test]
    fn the_menu_fits_sixty_columns_breaking_between_keys() {
        for paint in [Paint { enabled: false }, Paint { enabled: true }] {
            let text = step_menu(paint, Some(60));
            assert!(text.lines().count() > 2, "{text}");
            for line in text.lines() {
                assert!(width_of(line) <= 60, "{line:?} in\n{text}");
            }
        }
        let plain = step_menu(Paint { enabled: false }, Some(60));
        // A label is never cut: `run all`, `hand over` and `(Enter: run)` stay whole.
        for whole in [
            "a run all",
            "d done by hand",
            "h hand over",
            "(Enter: run) › ",
        ] {
            assert!(plain.contains(whole), "{whole:?} in\n{plain}");
        }
        assert_eq!(
            step_menu(Paint { enabled: false }, None).lines().count(),
            2,
            "without a width: the question, then the keys on one line"
        );
    }
}
