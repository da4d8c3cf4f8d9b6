//! The operator's terminal: single-key menus, questions and hidden input on stderr (dialoguer, console).

mod paint;

pub use paint::Paint;

use std::io::{IsTerminal, Write};

use console::{Key, Term};

use crate::walk::ports::{Answer, MenuEntry, Prompter, Tone};

/// Whether `run` can ask anything: stdin and stderr both terminals. dialoguer refuses without a
/// terminal on stderr, and hangs when stdin is redirected while stderr is one.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Colours only on a terminal, and never with `NO_COLOR` set.
pub fn paint() -> Paint {
    Paint {
        enabled: std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

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
    fn show(&mut self, text: &str) {
        write_block(text);
    }

    fn notice(&mut self, tone: Tone, text: &str) {
        write_block(&notice_line(self.paint, tone, text));
    }

    fn choose(&mut self, prompt: &str, entries: &[MenuEntry], default: char) -> Answer<char> {
        let keys: Vec<String> = entries
            .iter()
            .map(|e| format!("{} {}", self.paint.bold(&e.key.to_string()), e.label))
            .collect();
        let default_label = entries
            .iter()
            .find(|e| e.key == default)
            .map_or("", |e| e.label);
        let _ = self.term.write_line(&format!("  {prompt}"));
        let _ = self.term.write_str(&format!(
            "  {}  {}› ",
            keys.join("  "),
            self.paint.dim(&format!("(Enter: {default_label}) "))
        ));
        loop {
            match self.term.read_key() {
                Ok(Key::Enter) => {
                    let _ = self.term.write_line(&default.to_string());
                    return Answer::Given(default);
                }
                Ok(Key::Char(c)) if entries.iter().any(|e| e.key == c) => {
                    let _ = self.term.write_line(&c.to_string());
                    return Answer::Given(c);
                }
                Ok(Key::CtrlC) | Ok(Key::Escape) => {
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
        let mut input = dialoguer::Input::<String>::new()
            .with_prompt(question)
            .allow_empty(true);
        if let Some(d) = default {
            input = input.default(d.to_string()).show_default(true);
        }
        answer(input.interact_text_on(&self.term))
    }

    fn ask_secret(&mut self, question: &str) -> Answer<String> {
        answer(
            dialoguer::Password::new()
                .with_prompt(format!("{question} (hidden)"))
                .allow_empty_password(true)
                .interact_on(&self.term),
        )
    }

    fn confirm(&mut self, question: &str, default: bool) -> Answer<bool> {
        let hint = if default { "[Y/n]" } else { "[y/N]" };
        let _ = self.term.write_str(&format!("  {question} {hint} "));
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
                Ok(Key::CtrlC) | Ok(Key::Escape) => {
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
    fn show(&mut self, text: &str) {
        write_block(text);
    }

    fn notice(&mut self, tone: Tone, text: &str) {
        write_block(&notice_line(self.paint, tone, text));
    }

    fn choose(&mut self, _: &str, _: &[MenuEntry], _: char) -> Answer<char> {
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

fn notice_line(paint: Paint, tone: Tone, text: &str) -> String {
    match tone {
        Tone::Info => format!("  {}", paint.dim(&format!("· {text}"))),
        Tone::Success => format!("  {} {text}", paint.green("✔")),
        Tone::Warning => format!("  {} {text}", paint.yellow("!")),
        Tone::Error => format!("  {} {text}", paint.red("✘")),
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
