//! A step as the operator reads it: the Markdown body rendered for a terminal, each code block
//! labelled by its command with its annotations and status.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::Paint;
use super::wrap::{display_width, wrap};
use crate::event::Mode;
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

/// How a step is laid out: its place in the walk, and the room on screen.
#[derive(Debug, Clone, Copy)]
pub struct StepLayout<'a> {
    /// `Step 3/12 · 2 done · 1 skipped · T+04:12`: where the walk stands.
    pub place: &'a str,
    pub mode: Mode,
    /// Columns to wrap prose at; `None` keeps lines whole (not a terminal).
    pub width: Option<usize>,
}

/// `── Step 3/12 · 2 done · T+04:12  Group › Title  [id]` and the rendered body; in a rehearsal, a banner
/// above the header of every step.
pub fn step_view(
    step: &Step,
    layout: StepLayout<'_>,
    progress: &StepProgress,
    paint: Paint,
) -> String {
    let mut out = String::from("\n");
    if layout.mode == Mode::Rehearsal {
        out.push_str(&rehearsal_banner(paint));
        out.push('\n');
    }
    let crumb = if step.breadcrumb.is_empty() {
        String::new()
    } else {
        paint.dim(&visible(&format!("{} › ", step.breadcrumb.join(" › "))))
    };
    let header = format!(
        "{}  {}{}  {}",
        paint.bold(&format!("── {}", layout.place)),
        crumb,
        paint.bold(&visible(&step.title)),
        paint.dim(&visible(&format!("[{}]", step.id))),
    );
    out.push_str(&wrap(&header, layout.width, "", "   "));
    out.push('\n');
    out.push_str(&render_body(step, progress, paint, layout.width));
    out
}

/// Markdown that is not a step (the introduction, a description) rendered as a step's body is;
/// its code blocks are shown as text, never as commands.
pub fn prose(markdown: &str, paint: Paint, width: Option<usize>) -> String {
    let step = Step {
        index: 0,
        id: String::new(),
        title: String::new(),
        breadcrumb: std::sync::Arc::from([]),
        level: 0,
        span: crate::span::Span::FILE,
        body: markdown.to_string(),
        commands: Vec::new(),
        checklist: Vec::new(),
        lookups: Vec::new(),
    };
    let progress = StepProgress::default();
    render_body(&step, &progress, paint, width)
}

/// The mark of a rehearsal, on every step: reversed yellow, or plainly worded without colour.
pub fn rehearsal_banner(paint: Paint) -> String {
    if paint.enabled {
        format!(
            "{} {}",
            paint.banner(" REHEARSAL "),
            paint.yellow("only `readonly` commands run")
        )
    } else {
        "[REHEARSAL: only `readonly` commands run]".to_string()
    }
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
            format!(
                "{} [{}] {}",
                mark(status, paint),
                check.number,
                visible(&check.text)
            )
        }
    }
}

/// A command as shown before it runs: its label and its code.
pub fn command_block(command: &Command, status: ItemStatus, paint: Paint) -> String {
    let mut out = String::new();
    let kind = match command.kind {
        CommandKind::Script | CommandKind::Console => "run".to_string(),
        CommandKind::Manual => manual_label(command),
        CommandKind::Reference => "for reference".to_string(),
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
    // Not an item: no mark, as nothing is to be done with it.
    let marked = match command.kind {
        CommandKind::Reference => " ".to_string(),
        _ => mark(status, paint),
    };
    out.push_str(&format!("  {marked} {label}\n"));
    let program_prompt = command.program.as_ref().map(|p| format!("{p}> "));
    let prompt = match (&program_prompt, command.kind) {
        (Some(p), _) => p.as_str(),
        (None, CommandKind::Console) => "$ ",
        (None, CommandKind::Manual)
            if command
                .place
                .as_deref()
                .is_some_and(|p| p.ends_with("as root")) =>
        {
            "# "
        }
        (None, CommandKind::Manual) if command.place.is_some() => "$ ",
        _ => "",
    };
    // A statement of a longer block: the comment above it says what it is for. (A block kept
    // whole shows its comments in its code already.)
    if let Some(label) = &command.label
        && !command.code.trim_start().starts_with('#')
    {
        for line in label.lines() {
            out.push_str(&format!(
                "    │ {}\n",
                paint.dim(&visible(&format!("# {line}")))
            ));
        }
    }
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

/// The body's text as it is laid out: each line wrapped to the width when it is flushed, with
/// the block quote's bars and a list item's hanging indent on every line of it.
struct Body {
    out: String,
    /// The line being gathered, before wrapping.
    line: String,
    /// Before the first line of what is gathered (a list bullet) and before the others.
    first: String,
    rest: String,
    quote: usize,
    width: Option<usize>,
}

impl Body {
    fn flush(&mut self) {
        if !self.line.trim().is_empty() {
            let bars = "│ ".repeat(self.quote);
            let text = std::mem::take(&mut self.line);
            self.out.push_str(&wrap(
                &text,
                self.width,
                &format!("{bars}{}", self.first),
                &format!("{bars}{}", self.rest),
            ));
            self.out.push('\n');
            // More of the same list item (a second paragraph) hangs under its text.
            self.first.clone_from(&self.rest);
        }
        self.line.clear();
    }

    /// A line kept whole (a table row): it is not prose.
    fn flush_unwrapped(&mut self) {
        let width = self.width.take();
        self.flush();
        self.width = width;
    }
}

fn render_body(step: &Step, progress: &StepProgress, paint: Paint, width: Option<usize>) -> String {
    let mut b = Body {
        out: String::new(),
        line: String::new(),
        first: String::new(),
        rest: String::new(),
        quote: 0,
        width,
    };
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut block = 0usize;
    let mut lookups_seen = 0usize;
    let mut in_code = false;
    let mut raw_code = false;
    let mut link: Option<String> = None;
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(&step.body, options) {
        match event {
            Event::Start(Tag::Heading { .. }) => b.flush(),
            Event::End(TagEnd::Heading(_)) => {
                let text = std::mem::take(&mut b.line);
                b.line = paint.bold(text.trim());
                b.flush();
            }
            Event::Start(Tag::Paragraph) if lists.is_empty() => {
                b.flush();
                b.out.push('\n');
            }
            Event::End(TagEnd::Paragraph) => b.flush(),
            Event::Start(Tag::List(start)) => {
                b.flush();
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                b.flush();
                let depth = lists.len().saturating_sub(1);
                let bullet = match lists.last_mut() {
                    Some(Some(n)) => {
                        let b = format!("{n}.");
                        *n += 1;
                        b
                    }
                    _ => "•".to_string(),
                };
                b.first = format!("{}{bullet} ", "  ".repeat(depth + 1));
                b.rest = " ".repeat(display_width(&b.first));
            }
            Event::End(TagEnd::Item) => {
                b.flush();
                b.first.clear();
                b.rest.clear();
            }
            Event::TaskListMarker(done) => b.line.push_str(if done { "[x] " } else { "[ ] " }),
            Event::Start(Tag::BlockQuote(_)) => {
                b.flush();
                b.quote += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                b.flush();
                b.quote = b.quote.saturating_sub(1);
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                b.flush();
                in_code = true;
                let commands: Vec<&Command> =
                    step.commands.iter().filter(|c| c.block == block).collect();
                if commands.is_empty() {
                    // A `cloudwatch` block: its results are shown as a table below the step.
                    let lookup = matches!(&kind, CodeBlockKind::Fenced(info)
                        if info.trim_start().starts_with("cloudwatch"));
                    // Any other block without commands (in an introduction) is shown as text.
                    raw_code = !lookup;
                    if lookup {
                        lookups_seen += 1;
                        let label = step
                            .lookups
                            .get(lookups_seen - 1)
                            .and_then(|l| l.label.clone())
                            .map_or_else(
                                || "CloudWatch lookup".into(),
                                |l| visible(&l).into_owned(),
                            );
                        b.out.push_str(&format!(
                            "  {} {label}\n",
                            paint.cyan(&format!("[lookup {lookups_seen}]"))
                        ));
                    }
                } else {
                    for c in commands {
                        let status = progress.status_of(Item::Command(c.index));
                        b.out.push_str(&command_block(c, status, paint));
                    }
                }
                block += 1;
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                raw_code = false;
            }
            Event::Text(t) if in_code && raw_code => {
                b.flush();
                for text_line in t.lines() {
                    b.out.push_str(&format!("    │ {}\n", visible(text_line)));
                }
            }
            Event::Text(t) if !in_code => b.line.push_str(&visible(&t)),
            Event::Code(t) => b.line.push_str(&paint.cyan(&visible(&t))),
            Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis) => {}
            Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => {}
            Event::Start(Tag::Link { dest_url, .. }) => link = Some(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = link.take() {
                    b.line.push(' ');
                    b.line.push_str(&paint.dim(&format!("<{}>", visible(&url))));
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                b.line.push_str(&format!("[image {}] ", visible(&dest_url)));
            }
            Event::SoftBreak => b.line.push(' '),
            Event::HardBreak => b.flush(),
            Event::Rule => {
                b.flush();
                b.out.push_str(&paint.dim("────────\n"));
            }
            Event::Start(Tag::TableRow | Tag::TableHead) => b.flush(),
            Event::End(TagEnd::TableCell) => b.line.push_str(" │ "),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                b.line = format!("  {}", b.line.trim_end().trim_end_matches('│'));
                b.flush_unwrapped();
            }
            _ => {}
        }
    }
    b.flush();
    b.out
}

/// A command's annotations in one line: `DANGER · confirm · timeout 5m · cwd /srv · | psql`.
/// "do by hand", "do by hand on db1 as root", "do by hand in mysql".
fn manual_label(command: &Command) -> String {
    let mut label = "do by hand".to_string();
    if let Some(p) = &command.program {
        label.push_str(&format!(" in {p}"));
    }
    if let Some(p) = &command.place {
        label.push_str(&format!(" {p}"));
    }
    label
}

pub fn describe_command(command: &Command) -> String {
    let mut tags = Vec::new();
    if command.guessed {
        // Read as shell from its content, not its label: it is asked for before it runs.
        tags.push("guessed shell · confirm".to_string());
    }
    let a = &command.annotations;
    for (on, label) in [
        (a.danger, "DANGER"),
        (a.confirm, "confirm"),
        (a.readonly, "readonly"),
        (command.interactive, "interactive"),
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
    fn reference_blocks_have_no_mark_and_remote_commands_say_where() {
        let rb = runbook(
            "## Fix\n```mermaid\ngraph TD\n```\n```console\n$ ssh db1\n$ sudo -i\n# systemctl restart pg\n```\n```\nmysql> SELECT 1;\n```\n```\nkubectl get pods\n```\n",
        );
        let state = SessionState::new(&rb, "op");
        let layout = StepLayout {
            place: "Step 1/1",
            mode: Mode::Live,
            width: Some(80),
        };
        let view = step_view(
            &rb.steps[0],
            layout,
            &state.steps[0],
            Paint { enabled: false },
        );
        assert_eq!(
            view,
            "\n── Step 1/1  Fix  [fix]\n    (1) mermaid · for reference\n    │ graph TD\n  · (2) console · run · interactive\n    │ $ ssh db1\n  · (3) console · do by hand on db1\n    │ $ sudo -i\n  · (4) console · do by hand on db1 as root\n    │ # systemctl restart pg\n  · (5) · do by hand in mysql\n    │ mysql> SELECT 1;\n  · (6) · run · guessed shell · confirm\n    │ kubectl get pods\n"
        );
    }

    #[test]
    fn code_blocks_are_labelled_with_their_commands() {
        let rb = runbook(
            "## Check\nLook at **it**:\n\n```console {readonly}\n$ uptime\n up 3 days\n$ df -h\n```\n\n1. Then `this`\n",
        );
        let state = SessionState::new(&rb, "op");
        let layout = StepLayout {
            place: "Step 1/1 · 0 done · T+00:00",
            mode: Mode::Live,
            width: Some(80),
        };
        let view = step_view(
            &rb.steps[0],
            layout,
            &state.steps[0],
            Paint { enabled: false },
        );
        assert_eq!(
            view,
            "\n── Step 1/1 · 0 done · T+00:00  Check  [check]\n\nLook at it:\n  · (1) console · run · readonly\n    │ $ uptime\n    │  up 3 days\n  · (2) console · run · readonly\n    │ $ df -h\n  1. Then this\n"
        );
    }

    fn view(text: &str, mode: Mode, width: Option<usize>, paint: Paint) -> String {
        let rb = runbook(text);
        let state = SessionState::new(&rb, "op");
        let layout = StepLayout {
            place: "Step 1/1 · 0 done · T+00:00",
            mode,
            width,
        };
        step_view(&rb.steps[0], layout, &state.steps[0], paint)
    }

    const PROSE: &str = "## Fail over the primary database cluster\nImpact: writes fail for 30-60 seconds while the writer moves; see the [failover guide](https://wiki.example.com/databases/aurora/failover-procedure-with-proxysql) first.\n\n1. Get approval from the incident commander before going further with this step\n2. 東京リージョンの書き込みが数秒間失敗します。アプリケーションの再試行を確認してください。\n\n> Work from the bastion host, never from a laptop on the VPN\n";

    #[test]
    fn prose_wraps_at_word_boundaries_to_the_width() {
        let plain = Paint { enabled: false };
        for width in [60, 120] {
            let text = view(PROSE, Mode::Live, Some(width), plain);
            for line in text.lines() {
                // The URL alone is longer than 60 columns: on a line of its own, whole.
                if line.contains("https://") && display_width(line) > width {
                    assert_eq!(
                        line.trim(),
                        "<https://wiki.example.com/databases/aurora/failover-procedure-with-proxysql>"
                    );
                    continue;
                }
                assert!(
                    display_width(line) <= width,
                    "{line:?} over {width} in\n{text}"
                );
            }
            // No word is cut; a list item hangs under its text; a quote keeps its bar.
            assert!(text.contains("seconds"), "{text}");
            assert!(text.contains("│ Work from the bastion"), "{text}");
        }
        let text = view(PROSE, Mode::Live, Some(60), plain);
        assert!(text.contains("  1. Get approval from the incident commander before going\n     further with this step"), "{text}");
        assert!(text.contains("  2. 東京リージョンの書き込みが数秒間失敗します。アプリケー\n     ションの再試行を確認してください。"), "{text}");
        // Without a terminal, lines stay whole.
        let whole = view(PROSE, Mode::Live, None, plain);
        assert!(whole.contains(
            "  1. Get approval from the incident commander before going further with this step\n"
        ));
    }

    #[test]
    fn a_rehearsal_marks_every_step_and_looks_unlike_a_live_walk() {
        let text = "## Check\nLook.\n";
        let plain = Paint { enabled: false };
        let colour = Paint { enabled: true };
        assert!(
            view(text, Mode::Rehearsal, None, plain)
                .starts_with("\n[REHEARSAL: only `readonly` commands run]\n── Step 1/1")
        );
        assert!(!view(text, Mode::Live, None, plain).contains("REHEARSAL"));
        let banner = view(text, Mode::Rehearsal, Some(60), colour);
        assert!(
            banner.starts_with("\n\x1b[1;30;43m REHEARSAL \x1b[0m"),
            "{banner:?}"
        );
        assert!(!view(text, Mode::Live, Some(60), colour).contains("REHEARSAL"));
    }
}

#[cfg(test)]
mod label_tests {
    use super::*;

    #[test]
    fn a_statement_shows_the_comment_above_it_before_its_code() {
        let text = "## A\n```bash\n# Fail over to A\nfailover a\n# Watch DNS\nwatch dig x\n```\n";
        let parsed = crate::markdown::parse("rb.md", text);
        let c = &parsed.runbook.steps[0].commands[1];
        let shown = command_block(c, ItemStatus::Pending, Paint { enabled: false });
        assert!(
            shown.contains("    │ # Watch DNS\n    │ watch dig x\n"),
            "{shown}"
        );
        assert!(shown.contains("interactive"), "{shown}");
    }
}
