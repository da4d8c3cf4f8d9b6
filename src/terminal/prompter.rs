//! The real prompters: the operator's terminal, and nobody at all (`--yes` without a terminal).

use std::io::Write;

use console::{Key, Term};

use super::Paint;
use super::render::{notice_line, question, render};
use crate::human::visible;
use crate::walk::ports::{Answer, Menu, Prompter, Tone};
use crate::walk::screen::Screen;

/// Prompts on the real terminal.
pub struct TerminalPrompter {
    term: Term,
    paint: Paint,
}

impl TerminalPrompter {
    pub fn new(paint: Paint) -> Self {
        TerminalPrompter {
            term: Term::stderr(),
            paint,
        }
    }
}

impl Prompter for TerminalPrompter {
    fn show(&mut self, screen: Screen<'_>) {
        write_block(&render(&screen, self.paint));
    }

    fn notice(&mut self, tone: Tone, text: &str) {
        write_block(&notice_line(self.paint, tone, text));
    }

    fn choose(&mut self, menu: &Menu<'_>) -> Answer<usize> {
        let keys: Vec<String> = menu
            .choices
            .iter()
            .map(|c| format!("{} {}", self.paint.bold(&c.key.to_string()), c.label))
            .collect();
        let Some(default) = menu.choices.get(menu.default) else {
            return Answer::Cancelled;
        };
        let prompt = question(&menu.question, self.paint);
        let _ = self.term.write_line(&format!("  {prompt}"));
        let _ = self.term.write_str(&format!(
            "  {}  {}› ",
            keys.join("  "),
            self.paint.dim(&format!("(Enter: {}) ", default.label))
        ));
        loop {
            match self.term.read_key() {
                Ok(Key::Enter) => {
                    let _ = self.term.write_line(&default.key.to_string());
                    return Answer::Given(menu.default);
                }
                Ok(Key::Char(c)) => {
                    if let Some(i) = menu.choices.iter().position(|choice| choice.key == c) {
                        let _ = self.term.write_line(&c.to_string());
                        return Answer::Given(i);
                    }
                }
                Ok(Key::CtrlC | Key::Escape) => {
                    let _ = self.term.write_line("");
                    return Answer::Cancelled;
                }
                Ok(_) => {}
                Err(_) => {
                    let _ = self.term.write_line("");
                    return Answer::Unavailable;
                }
            }
        }
    }

    fn ask_text(&mut self, question: &str, default: Option<&str>) -> Answer<String> {
        // The default is shown as text (control characters visible) but given back as it is.
        let prompt = match default {
            Some(d) => format!("{} [{}]", visible(question), visible(d)),
            None => visible(question).into_owned(),
        };
        let input = dialoguer::Input::<String>::new()
            .with_prompt(prompt)
            .allow_empty(true);
        match answer(input.interact_text_on(&self.term)) {
            Answer::Given(typed) if typed.is_empty() => {
                Answer::Given(default.unwrap_or_default().to_string())
            }
            other => other,
        }
    }

    fn ask_secret(&mut self, question: &str) -> Answer<String> {
        answer(
            dialoguer::Password::new()
                .with_prompt(format!("{} (hidden)", visible(question)))
                .allow_empty_password(true)
                .interact_on(&self.term),
        )
    }

    fn confirm(&mut self, question: &str, default: bool) -> Answer<bool> {
        let hint = if default { "[Y/n]" } else { "[y/N]" };
        let _ = self
            .term
            .write_str(&format!("  {} {hint} ", visible(question)));
        loop {
            match self.term.read_key() {
                Ok(Key::Char('y' | 'Y')) => {
                    let _ = self.term.write_line("y");
                    return Answer::Given(true);
                }
                Ok(Key::Char('n' | 'N')) => {
                    let _ = self.term.write_line("n");
                    return Answer::Given(false);
                }
                Ok(Key::Enter) => {
                    let _ = self.term.write_line(if default { "y" } else { "n" });
                    return Answer::Given(default);
                }
                Ok(Key::CtrlC | Key::Escape) => {
                    let _ = self.term.write_line("");
                    return Answer::Cancelled;
                }
                Ok(_) => {}
                Err(_) => return Answer::Unavailable,
            }
        }
    }
}

fn answer<T>(result: dialoguer::Result<T>) -> Answer<T> {
    match result {
        Ok(v) => Answer::Given(v),
        Err(dialoguer::Error::IO(e))
            if e.kind() == std::io::ErrorKind::UnexpectedEof
                || e.kind() == std::io::ErrorKind::NotConnected =>
        {
            Answer::Unavailable
        }
        Err(_) => Answer::Cancelled,
    }
}

/// Nobody at the keyboard (`--yes` without a terminal): shows everything, answers nothing.
pub struct UnattendedPrompter {
    paint: Paint,
}

impl UnattendedPrompter {
    pub fn new(paint: Paint) -> Self {
        UnattendedPrompter { paint }
    }
}

impl Prompter for UnattendedPrompter {
    fn show(&mut self, screen: Screen<'_>) {
        write_block(&render(&screen, self.paint));
    }

    fn notice(&mut self, tone: Tone, text: &str) {
        write_block(&notice_line(self.paint, tone, text));
    }

    fn choose(&mut self, _: &Menu<'_>) -> Answer<usize> {
        Answer::Unavailable
    }

    fn ask_text(&mut self, _: &str, _: Option<&str>) -> Answer<String> {
        Answer::Unavailable
    }

    fn ask_secret(&mut self, _: &str) -> Answer<String> {
        Answer::Unavailable
    }

    fn confirm(&mut self, _: &str, _: bool) -> Answer<bool> {
        Answer::Unavailable
    }
}

fn write_block(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = err.write_all(b"\n");
    }
    let _ = err.flush();
}
