//! A step as the operator reads it: the Markdown body rendered for a terminal, each code block
//! labelled by its command with its annotations and status.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::Paint;
use crate::human::visible;
use crate::runbook::{Command, CommandKind, Step};
use crate::walk::items::Item;
use crate::walk::state::{ItemStatus, StepProgress};

/// The mark shown beside an item.
pub fn mark(status: ItemStatus, paint: Paint) -> String {
    match status {
        ItemStatus::Pending => "·".to_string(),
        ItemStatus::Done => paint.green("✔"),
        ItemStatus::Rehearsed => paint.cyan("◌"),
        ItemStatus::Skipped => paint.yellow("↷"),
        ItemStatus::Failed => paint.red("✘"),
    }
}

/// `Step 3/12  Group › Title  (elapsed 4m05s)` and the rendered body.
pub fn step_view(
    step: &Step,
    total: usize,
    elapsed: &str,
    progress: &StepProgress,
    paint: Paint,
) -> String {
    let mut out = String::new();
    let crumb = if step.breadcrumb.is_empty() {
        String::new()
    } else {
        paint.dim(&visible(&format!("{} › ", step.breadcrumb.join(" › "))))
    };
    out.push_str(&format!(
        "\n{} {}{}  {}\n",
        paint.bold(&format!("── Step {}/{total}", step.index)),
        crumb,
        paint.bold(&visible(&step.title)),
        paint.dim(&visible(&format!("[{}] elapsed {elapsed}", step.id))),
    ));
    out.push_str(&render_body(step, progress, paint));
    out
}

/// One line per command and checklist item with its status, for the progress of a step.
pub fn item_line(step: &Step, item: Item, status: ItemStatus, paint: Paint) -> String {
    match item {
        Item::Command(i) => {
            let c = &step.commands[i - 1];
            let first = c.code.lines().next().unwrap_or("").trim();
            let more = if c.code.trim_end().lines().count() > 1 {
                " …"
            } else {
                ""
            };
            format!("{} ({i}) {}{more}", mark(status, paint), visible(first))
        }
        Item::Check(i) => {
            let check = &step.checklist[i - 1];
            format!("{} [{i}] {}", mark(status, paint), visible(&check.text))
        }
    }
}

/// A command as shown before it runs: its label and its code.
pub fn command_block(command: &Command, status: ItemStatus, paint: Paint) -> String {
    let mut out = String::new();
    let kind = match command.kind {
        CommandKind::Script => "run",
        CommandKind::Console => "run",
        CommandKind::Manual => "do by hand",
    };
    let lang = if command.lang.is_empty() {
        String::new()
    } else {
        format!(" {}", command.lang)
    };
    let tags = describe_command(command);
    let tags = if tags.is_empty() {
        String::new()
    } else {
        format!(" · {tags}")
    };
    let label = visible(&format!("({}){lang} · {kind}{tags}", command.index)).into_owned();
    let label = if command.annotations.danger {
        paint.red(&label)
    } else {
        paint.cyan(&label)
    };
    out.push_str(&format!("  {} {label}\n", mark(status, paint)));
    let prompt = if command.kind == CommandKind::Console {
        "$ "
    } else {
        ""
    };
    for (k, line) in command.code.trim_end_matches('\n').lines().enumerate() {
        let p = if k == 0 {
            prompt
        } else if prompt.is_empty() {
            ""
        } else {
            "  "
        };
        // The code is shown as it runs: an ESC or CR in it is visible (`^[`, `^M`), so nothing
        // can hide a part of the command from the operator who approves it.
        out.push_str(&format!("    │ {p}{}\n", visible(line)));
    }
    if let Some(expected) = &command.expected_output {
        for line in expected.lines() {
            out.push_str(&format!("    │ {}\n", paint.dim(&visible(line))));
        }
    }
    out
}

fn render_body(step: &Step, progress: &StepProgress, paint: Paint) -> String {
    let mut out = String::new();
    let mut line = String::new();
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut quote = 0usize;
    let mut block = 0usize;
    let mut lookups_seen = 0usize;
    let mut in_code = false;
    let mut link: Option<String> = None;
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
    let flush = |out: &mut String, line: &mut String, quote: usize| {
        if !line.trim().is_empty() {
            out.push_str(&"│ ".repeat(quote));
            out.push_str(line.trim_end());
            out.push('\n');
        }
        line.clear();
    };
    for event in Parser::new_ext(&step.body, options) {
        match event {
            Event::Start(Tag::Heading { .. }) => flush(&mut out, &mut line, quote),
            Event::End(TagEnd::Heading(_)) => {
                let text = std::mem::take(&mut line);
                out.push_str(&paint.bold(text.trim()));
                out.push('\n');
            }
            Event::Start(Tag::Paragraph) if lists.is_empty() => {
                flush(&mut out, &mut line, quote);
                out.push('\n');
            }
            Event::End(TagEnd::Paragraph) => flush(&mut out, &mut line, quote),
            Event::Start(Tag::List(start)) => {
                flush(&mut out, &mut line, quote);
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                flush(&mut out, &mut line, quote);
                let depth = lists.len().saturating_sub(1);
                let bullet = match lists.last_mut() {
                    Some(Some(n)) => {
                        let b = format!("{n}.");
                        *n += 1;
                        b
                    }
                    _ => "•".to_string(),
                };
                line.push_str(&format!("{}{bullet} ", "  ".repeat(depth + 1)));
            }
            Event::End(TagEnd::Item) => flush(&mut out, &mut line, quote),
            Event::TaskListMarker(done) => line.push_str(if done { "[x] " } else { "[ ] " }),
            Event::Start(Tag::BlockQuote(_)) => {
                flush(&mut out, &mut line, quote);
                quote += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                flush(&mut out, &mut line, quote);
                quote = quote.saturating_sub(1);
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                flush(&mut out, &mut line, quote);
                in_code = true;
                let commands: Vec<&Command> =
                    step.commands.iter().filter(|c| c.block == block).collect();
                if commands.is_empty() {
                    // A `cloudwatch` block: its results are shown as a table below the step.
                    if let CodeBlockKind::Fenced(info) = kind
                        && info.trim_start().starts_with("cloudwatch")
                    {
                        lookups_seen += 1;
                        let label = step
                            .lookups
                            .get(lookups_seen - 1)
                            .and_then(|l| l.label.clone())
                            .map_or_else(
                                || "CloudWatch lookup".into(),
                                |l| visible(&l).into_owned(),
                            );
                        out.push_str(&format!(
                            "  {} {label}\n",
                            paint.cyan(&format!("[lookup {lookups_seen}]"))
                        ));
                    }
                } else {
                    for c in commands {
                        let status = progress.status_of(Item::Command(c.index));
                        out.push_str(&command_block(c, status, paint));
                    }
                }
                block += 1;
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) if !in_code => line.push_str(&visible(&t)),
            Event::Code(t) => line.push_str(&paint.cyan(&visible(&t))),
            Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis) => {}
            Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => {}
            Event::Start(Tag::Link { dest_url, .. }) => link = Some(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = link.take() {
                    line.push_str(&paint.dim(&format!(" <{}>", visible(&url))));
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                line.push_str(&format!("[image {}] ", visible(&dest_url)));
            }
            Event::SoftBreak => line.push(' '),
            Event::HardBreak => flush(&mut out, &mut line, quote),
            Event::Rule => {
                flush(&mut out, &mut line, quote);
                out.push_str(&paint.dim("────────\n"));
            }
            Event::Start(Tag::TableRow | Tag::TableHead) => {
                flush(&mut out, &mut line, quote);
            }
            Event::End(TagEnd::TableCell) => line.push_str(" │ "),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                line = format!("  {}", line.trim_end().trim_end_matches('│'));
                flush(&mut out, &mut line, quote);
            }
            _ => {}
        }
    }
    flush(&mut out, &mut line, quote);
    out
}

/// A command's annotations in one line: `DANGER · confirm · timeout 5m · cwd /srv · | psql`.
pub fn describe_command(command: &Command) -> String {
    let mut tags = Vec::new();
    let a = &command.annotations;
    for (on, label) in [
        (a.danger, "DANGER"),
        (a.confirm, "confirm"),
        (a.readonly, "readonly"),
        (a.interactive, "interactive"),
    ] {
        if on {
            tags.push(label.to_string());
        }
    }
    if let Some(t) = a.timeout_ms {
        tags.push(format!("timeout {}", crate::human::duration_ms(t)));
    }
    if let Some(c) = &a.cwd {
        tags.push(format!("cwd {c}"));
    }
    if let Some(r) = &a.runner {
        tags.push(format!("| {r}"));
    }
    tags.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::parse;
    use crate::runbook::Runbook;
    use crate::walk::state::SessionState;

    fn runbook(text: &str) -> Runbook {
        parse("t.md", text).runbook
    }

    #[test]
    fn code_blocks_are_labelled_with_their_commands() {
        let rb = runbook(
            "## Check\nLook at **it**:\n\n```console {readonly}\n$ uptime\n up 3 days\n$ df -h\n```\n\n1. Then `this`\n",
        );
        let state = SessionState::new(&rb, "op");
        let view = step_view(
            &rb.steps[0],
            1,
            "0s",
            &state.steps[0],
            Paint { enabled: false },
        );
        assert_eq!(
            view,
            "\n── Step 1/1 Check  [check] elapsed 0s\n\nLook at it:\n  · (1) console · run · readonly\n    │ $ uptime\n    │  up 3 days\n  · (2) console · run · readonly\n    │ $ df -h\n  1. Then this\n"
        );
    }
}
