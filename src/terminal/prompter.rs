//! The real prompters: the operator's terminal, and nobody at all (`--yes` without a terminal).
//!
//! Every question on the terminal first discards pending input, so nothing typed before it was
//! shown answers it (keys pressed while a command ran, a terminal's reply to a query in command
//! output). Keys are read raw, one at a time: Ctrl-C is `Interrupted` (the walk asks whether to
//! pause), Ctrl-D or a closed terminal `Unavailable`, and an escape sequence is swallowed whole.
//! A SIGTERM, SIGHUP or SIGQUIT wakes the wait for a key (the runner's self-pipe) and answers
//! every question `Interrupted` without a word, so the walk records the signal and ends.

use std::io::Write;
use std::time::Duration;

use console::{Key, Term};

use super::Paint;
use super::render::{menu_prompt, notice_line, render_noted};
use super::wrap::wrap;
use crate::human::visible;
use crate::walk::ports::{Answer, Menu, Prompter, Termination, Tone};
use crate::walk::screen::Screen;

/// A line for every step header, filled in once the walk knows it (sharing starts after the
/// prompter exists): how sharing stands.
pub type HeaderNote = std::sync::Arc<std::sync::OnceLock<Box<dyn Fn() -> String + Send + Sync>>>;

fn note_of(note: &HeaderNote) -> Option<String> {
    note.get().map(|f| f())
}

/// Prompts on the real terminal.
pub struct TerminalPrompter {
    term: Term,
    paint: Paint,
    note: HeaderNote,
}

impl TerminalPrompter {
    pub fn new(paint: Paint) -> Self {
        TerminalPrompter {
            term: Term::stderr(),
            paint,
            note: HeaderNote::default(),
        }
    }

    /// Shows `note` in every step header once it is set.
    pub fn with_header_note(mut self, note: HeaderNote) -> Self {
        self.note = note;
        self
    }
}

impl Prompter for TerminalPrompter {
    fn termination(&self) -> Option<Termination> {
        ended()
    }

    fn show(&mut self, screen: Screen<'_>) {
        let note = note_of(&self.note);
        write_block(&render_noted(
            &screen,
            self.paint,
            self.width(),
            note.as_deref(),
        ));
    }

    fn notice(&mut self, tone: Tone, text: &str) {
        write_block(&wrap(
            &notice_line(self.paint, tone, text),
            self.width(),
            "",
            "    ",
        ));
    }

    fn choose(&mut self, menu: &Menu<'_>) -> Answer<usize> {
        let Some(default) = menu.choices.get(menu.default) else {
            return Answer::Cancelled;
        };
        // Before the question is drawn: a key pressed once it shows is an answer.
        let _raw = RawQuestion::enter();
        if let Some(answer) = self.open() {
            return answer;
        }
        let _ = self
            .term
            .write_str(&menu_prompt(menu, self.paint, self.width()));
        loop {
            match self.read_key() {
                Some(Ok(Key::Enter)) => {
                    let _ = self.term.write_line(&default.key.to_string());
                    return Answer::Given(menu.default);
                }
                Some(Ok(Key::Char(c))) if menu.choices.iter().any(|choice| choice.key == c) => {
                    let _ = self.term.write_line(&c.to_string());
                    return Answer::Given(
                        menu.choices
                            .iter()
                            .position(|choice| choice.key == c)
                            .unwrap_or(menu.default),
                    );
                }
                Some(Ok(Key::Escape)) => {
                    let _ = self.term.write_line("");
                    return Answer::Cancelled;
                }
                key => {
                    if let Some(answer) = self.special(key) {
                        return answer;
                    }
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
        let _raw = RawQuestion::enter();
        if let Some(answer) = self.open() {
            return answer;
        }
        match answer(input.interact_text_on(&self.term)) {
            Answer::Given(typed) if typed.is_empty() => {
                Answer::Given(default.unwrap_or_default().to_string())
            }
            other => other,
        }
    }

    /// Read raw, key by key, rather than by a cooked-mode line read, so that Ctrl-C reaches the
    /// walk (a SIGINT would only set the runner's flag) and nothing is echoed.
    fn ask_secret(&mut self, question: &str) -> Answer<String> {
        // Before the question is drawn: a key pressed once it shows is an answer.
        let _raw = RawQuestion::enter();
        if let Some(answer) = self.open() {
            return answer;
        }
        let _ = self
            .term
            .write_str(&format!("{} (hidden): ", visible(question)));
        let mut typed = String::new();
        loop {
            match self.read_key() {
                Some(Ok(Key::Enter)) => {
                    let _ = self.term.write_line("");
                    return Answer::Given(typed);
                }
                Some(Ok(Key::Backspace)) => {
                    typed.pop();
                }
                Some(Ok(Key::Char(c))) if !c.is_control() => typed.push(c),
                key => {
                    if let Some(answer) = self.special(key) {
                        return answer;
                    }
                }
            }
        }
    }

    fn confirm(&mut self, question: &str, default: bool) -> Answer<bool> {
        let hint = if default { "[Y/n]" } else { "[y/N]" };
        // Before the question is drawn: a key pressed once it shows is an answer.
        let _raw = RawQuestion::enter();
        if let Some(answer) = self.open() {
            return answer;
        }
        let _ = self
            .term
            .write_str(&format!("  {} {hint} ", visible(question)));
        loop {
            match self.read_key() {
                Some(Ok(Key::Char('y' | 'Y'))) => {
                    let _ = self.term.write_line("y");
                    return Answer::Given(true);
                }
                Some(Ok(Key::Char('n' | 'N'))) => {
                    let _ = self.term.write_line("n");
                    return Answer::Given(false);
                }
                Some(Ok(Key::Enter)) => {
                    let _ = self.term.write_line(if default { "y" } else { "n" });
                    return Answer::Given(default);
                }
                Some(Ok(Key::Escape)) => {
                    let _ = self.term.write_line("");
                    return Answer::Cancelled;
                }
                key => {
                    if let Some(answer) = self.special(key) {
                        return answer;
                    }
                }
            }
        }
    }
}

impl TerminalPrompter {
    /// The next key; `None` when a signal that ends the walk came first, or the log file was
    /// deleted or replaced. The wait polls stdin and the runner's signal self-pipe, so such a
    /// signal wakes it at once, however it falls; the log is looked at twice a second.
    fn read_key(&self) -> Option<std::io::Result<Key>> {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        const LOG_CHECK: Timespec = Timespec {
            tv_sec: 0,
            tv_nsec: 500_000_000,
        };
        let stdin = rustix::stdio::stdin();
        loop {
            if must_stop() {
                return None;
            }
            let Some(wake) = crate::runner::wake_fd().filter(|_| rustix::termios::isatty(stdin))
            else {
                return Some(self.term.read_key_raw());
            };
            let mut fds = [
                PollFd::from_borrowed_fd(stdin, PollFlags::IN),
                PollFd::from_borrowed_fd(wake, PollFlags::IN),
            ];
            match poll(&mut fds, Some(&LOG_CHECK)) {
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(_) => return Some(self.term.read_key_raw()),
            }
            if !fds[1].revents().is_empty() {
                crate::runner::drain_wake_pipe();
            }
            if !fds[0].revents().is_empty() {
                return Some(self.term.read_key_raw());
            }
        }
    }

    /// The terminal's width now (it may have been resized), to wrap prose at.
    fn width(&self) -> Option<usize> {
        self.term.size_checked().map(|(_, cols)| usize::from(cols))
    }

    /// Opens a question: pending input is discarded; a Ctrl-C that came while no question was
    /// open (output printing, lookups running) is answered here, as a Ctrl-C at this question.
    fn open<T>(&self) -> Option<Answer<T>> {
        if must_stop() {
            return Some(Answer::Interrupted);
        }
        discard_typeahead();
        if crate::runner::take_interrupt() {
            let _ = self.term.write_line("^C");
            return Some(Answer::Interrupted);
        }
        None
    }

    /// What a key every raw question treats alike means: Ctrl-C, Ctrl-D, end of input; an
    /// escape sequence (a terminal's reply, a function key) is swallowed whole. `None`: ignore it.
    fn special<T>(&self, key: Option<std::io::Result<Key>>) -> Option<Answer<T>> {
        // The walk is ending: say nothing (after SIGHUP nobody is there to read it).
        let Some(key) = key.filter(|_| ended().is_none()) else {
            return Some(Answer::Interrupted);
        };
        match key {
            Ok(Key::CtrlC) => {
                let _ = self.term.write_line("^C");
                Some(Answer::Interrupted)
            }
            Ok(Key::Char('\x04')) => {
                let _ = self.term.write_line("");
                Some(Answer::Unavailable)
            }
            Err(_) => {
                let answer = input_gone();
                if matches!(answer, Answer::Unavailable) {
                    let _ = self.term.write_line("");
                }
                Some(answer)
            }
            Ok(Key::UnknownEscSeq(_)) => {
                // The key reader took the sequence's first bytes only: its tail (`4;1R`, `c`)
                // would read as keys. It arrives in one burst; drop whatever is pending.
                std::thread::sleep(Duration::from_millis(10));
                discard_typeahead();
                None
            }
            Ok(_) => None,
        }
    }
}

/// The terminal in raw mode for the whole of a question, output processing kept: a Ctrl-C
/// pressed at any moment of it is a key the question reads, never a signal it would miss
/// (the key reader alone leaves raw mode between keys). Restored when dropped.
struct RawQuestion {
    saved: Option<rustix::termios::Termios>,
}

impl RawQuestion {
    fn enter() -> RawQuestion {
        use rustix::termios::{OptionalActions, isatty, tcgetattr, tcsetattr};
        let stdin = rustix::stdio::stdin();
        let saved = isatty(stdin).then(|| tcgetattr(stdin).ok()).flatten();
        if let Some(saved) = &saved {
            let mut raw = saved.clone();
            raw.make_raw();
            raw.output_modes = saved.output_modes;
            let _ = tcsetattr(stdin, OptionalActions::Now, &raw);
        }
        RawQuestion { saved }
    }
}

impl Drop for RawQuestion {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            let stdin = rustix::stdio::stdin();
            let _ = rustix::termios::tcsetattr(stdin, rustix::termios::OptionalActions::Now, saved);
        }
    }
}

/// Drops input typed before a question was shown: keys pressed while a command ran or output
/// printed, and replies a terminal sent to queries in that output, so none of it answers.
fn discard_typeahead() {
    let stdin = rustix::stdio::stdin();
    if rustix::termios::isatty(stdin) {
        let _ = rustix::termios::tcflush(stdin, rustix::termios::QueueSelector::IFlush);
    }
}

fn answer<T>(result: dialoguer::Result<T>) -> Answer<T> {
    match result {
        Ok(v) => Answer::Given(v),
        Err(dialoguer::Error::IO(e))
            if e.kind() == std::io::ErrorKind::UnexpectedEof
                || e.kind() == std::io::ErrorKind::NotConnected =>
        {
            input_gone()
        }
        // dialoguer reads keys with Ctrl-C as a signal: it raises SIGINT (which only sets the
        // runner's flag here) and reports the read as interrupted.
        Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
            // That SIGINT was this Ctrl-C: it must not count again at the next question.
            crate::runner::take_interrupt();
            Answer::Interrupted
        }
        Err(_) => Answer::Cancelled,
    }
}

/// The signal that ended the walk, once one came.
fn ended() -> Option<Termination> {
    crate::runner::termination().map(|number| Termination {
        signal: crate::runner::signal_name(number),
        number,
    })
}

/// The terminal gave end of input or an error: closed, most likely. Its SIGHUP can reach us a
/// moment after the read fails, and must win (a recorded signal, not a skipped `confirm`): wait
/// for it briefly.
fn input_gone<T>() -> Answer<T> {
    let deadline = std::time::Instant::now() + Duration::from_millis(100);
    while ended().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    if ended().is_some() {
        Answer::Interrupted
    } else {
        Answer::Unavailable
    }
}

/// No question can be answered any more: a signal is ending the walk, or its log is gone (the
/// walk then fails to record its pause and stops with the log's error).
fn must_stop() -> bool {
    ended().is_some() || crate::incident_log::lost().is_some()
}

/// Nobody at the keyboard (`--yes` without a terminal): shows everything, answers nothing.
pub struct UnattendedPrompter {
    paint: Paint,
    note: HeaderNote,
}

impl UnattendedPrompter {
    pub fn new(paint: Paint) -> Self {
        UnattendedPrompter {
            paint,
            note: HeaderNote::default(),
        }
    }

    /// Shows `note` in every step header once it is set.
    pub fn with_header_note(mut self, note: HeaderNote) -> Self {
        self.note = note;
        self
    }
}

impl Prompter for UnattendedPrompter {
    fn termination(&self) -> Option<Termination> {
        ended()
    }

    fn show(&mut self, screen: Screen<'_>) {
        let note = note_of(&self.note);
        write_block(&render_noted(&screen, self.paint, None, note.as_deref()));
    }

    fn notice(&mut self, tone: Tone, text: &str) {
        write_block(&notice_line(self.paint, tone, text));
    }

    fn choose(&mut self, _: &Menu<'_>) -> Answer<usize> {
        unanswered()
    }

    fn ask_text(&mut self, _: &str, _: Option<&str>) -> Answer<String> {
        unanswered()
    }

    fn ask_secret(&mut self, _: &str) -> Answer<String> {
        unanswered()
    }

    fn confirm(&mut self, _: &str, _: bool) -> Answer<bool> {
        unanswered()
    }
}

/// Nobody answers; once a signal ends the walk, `Interrupted`, so the walk leaves at once.
fn unanswered<T>() -> Answer<T> {
    if ended().is_some() {
        Answer::Interrupted
    } else {
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
