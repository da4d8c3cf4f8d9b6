//! The life of one running command as a pure state machine: when to signal it, when to stop
//! reading its pty, and how it ended.
//!
//! No I/O and no clock of its own: the driver ([`super::supervise`]) feeds it events with the
//! time it saw them and carries out the [`Action`]s it returns, so every transition is tested
//! below without a process.

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use rustix::process::Signal;

/// How long a signalled command gets before SIGKILL.
pub const GRACE: Duration = Duration::from_secs(2);
/// After the command exits, how long a silent pty is still read (a background process may
/// keep it open), and how long at most.
pub const DRAIN_SILENCE: Duration = Duration::from_millis(100);
pub const DRAIN_MAX: Duration = Duration::from_secs(2);

/// Why we are stopping the command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopCause {
    /// The operator pressed Ctrl-C: SIGINT first.
    CtrlC,
    /// The step's timeout passed: SIGTERM first.
    Timeout,
    /// The walk itself was told to end (SIGTERM, SIGHUP, SIGQUIT): that signal, or SIGTERM, first.
    Ending,
}

/// What we did to stop the command, kept for the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stop {
    pub cause: StopCause,
    /// The last signal sent to the group; reported when the exit status shows none.
    pub sent: Signal,
}

/// How the command's leader ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Status(ExitStatus),
    /// Reaped elsewhere (SIGCHLD ignored?): it is gone, its status unknown.
    Unknown,
}

/// Where the command is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Runs; nothing sent to it.
    Running,
    /// A polite signal went to the group (SIGINT for Ctrl-C, SIGTERM at the timeout); SIGKILL
    /// follows at `kill_at`.
    Stopping { stop: Stop, kill_at: Instant },
    /// SIGKILL went to the group; waiting for the leader to exit.
    Killing { stop: Stop },
    /// The leader is reaped; the pty is read until it closes or goes quiet, for a bounded time.
    Draining {
        exit: Exit,
        stop: Option<Stop>,
        exited_at: Instant,
    },
    /// Nothing more to read: the outcome is known.
    Finished { exit: Exit, stop: Option<Stop> },
}

/// What the driver saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Ctrl-C on the operator's terminal (the SIGINT flag was set).
    CtrlC,
    /// The walk is ending on a signal: stop the command with `signal` first, as Ctrl-C does.
    Terminate(Signal),
    /// The clock was read: the timeout, the grace period and the drain limits are checked.
    Tick,
    /// The pty gave output.
    Output,
    /// Reading the pty met end of file or EIO: every slave descriptor is closed.
    PtyClosed,
    /// The leader exited; not reaped yet, so its pid (the group id) is still ours.
    LeaderExited,
    /// The leader was reaped.
    Reaped(Exit),
}

/// What the driver must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send the signal to the command's process group (and to the pty's foreground group).
    SignalGroup(Signal),
    /// The command is gone: stop feeding it input and clear the spinner.
    StopInput,
}

/// How the command ended, for its outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// `None` when killed by a signal or when the status is unknown.
    pub exit_code: Option<i32>,
    /// The signal that ended it, or else the last one we sent.
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub interrupted: bool,
}

/// One command's state with the facts the transitions read.
#[derive(Clone, Debug)]
pub struct Machine {
    state: State,
    /// When the step's timeout passes, if it has one.
    timeout_at: Option<Instant>,
    /// A Ctrl-C arrived while the command ran (also after a timeout).
    interrupted: bool,
    /// The pty has not reported end of file or EIO.
    pty_open: bool,
    last_output: Instant,
}

impl Machine {
    /// A command started at `started`, to be stopped `timeout` later.
    pub fn new(started: Instant, timeout: Option<Duration>) -> Machine {
        Machine {
            state: State::Running,
            timeout_at: timeout.map(|t| started + t),
            interrupted: false,
            pty_open: true,
            last_output: started,
        }
    }

    #[cfg(test)]
    pub fn state(&self) -> State {
        self.state
    }

    pub fn pty_open(&self) -> bool {
        self.pty_open
    }

    pub fn last_output(&self) -> Instant {
        self.last_output
    }

    /// The leader has not been reaped: its exit is watched for, and Ctrl-C is the command's
    /// (once it has exited, a Ctrl-C belongs to the walk).
    pub fn awaits_exit(&self) -> bool {
        matches!(
            self.state,
            State::Running | State::Stopping { .. } | State::Killing { .. }
        )
    }

    /// The transition function: the new state is kept, the action returned.
    pub fn on(&mut self, event: Event, now: Instant) -> Option<Action> {
        match event {
            Event::CtrlC => self.interrupt(StopCause::CtrlC, Signal::INT, now),
            Event::Terminate(signal) => self.interrupt(StopCause::Ending, signal, now),
            Event::Tick => self.tick(now),
            Event::Output => {
                self.last_output = now;
                None
            }
            Event::PtyClosed => {
                self.pty_open = false;
                if let State::Draining { exit, stop, .. } = self.state {
                    self.state = State::Finished { exit, stop };
                }
                None
            }
            // Kill what is left of a group we are stopping before reaping frees its id.
            Event::LeaderExited => match self.state {
                State::Stopping { .. } | State::Killing { .. } => {
                    Some(Action::SignalGroup(Signal::KILL))
                }
                _ => None,
            },
            Event::Reaped(exit) => self.reaped(exit, now),
        }
    }

    /// Ctrl-C, or the walk's own ending: `sent` to the group, SIGKILL after the grace period.
    fn interrupt(&mut self, cause: StopCause, sent: Signal, now: Instant) -> Option<Action> {
        match self.state {
            State::Running => {
                self.interrupted = true;
                self.state = State::Stopping {
                    stop: Stop { cause, sent },
                    kill_at: now + GRACE,
                };
                Some(Action::SignalGroup(sent))
            }
            // Already on the way out: the first deadline stands.
            State::Stopping { .. } | State::Killing { .. } => {
                self.interrupted = true;
                None
            }
            State::Draining { .. } | State::Finished { .. } => None,
        }
    }

    fn tick(&mut self, now: Instant) -> Option<Action> {
        match self.state {
            State::Running if self.timeout_at.is_some_and(|t| now >= t) => {
                self.state = State::Stopping {
                    stop: Stop {
                        cause: StopCause::Timeout,
                        sent: Signal::TERM,
                    },
                    kill_at: now + GRACE,
                };
                Some(Action::SignalGroup(Signal::TERM))
            }
            State::Stopping { stop, kill_at } if now >= kill_at => {
                let sent = Signal::KILL;
                self.state = State::Killing {
                    stop: Stop { sent, ..stop },
                };
                Some(Action::SignalGroup(sent))
            }
            State::Draining {
                exit,
                stop,
                exited_at,
            } if self.drained(exited_at, now) => {
                self.state = State::Finished { exit, stop };
                None
            }
            _ => None,
        }
    }

    fn reaped(&mut self, exit: Exit, now: Instant) -> Option<Action> {
        let stop = match self.state {
            State::Running => None,
            State::Stopping { stop, .. } | State::Killing { stop } => Some(stop),
            State::Draining { .. } | State::Finished { .. } => return None,
        };
        self.state = State::Draining {
            exit,
            stop,
            exited_at: now,
        };
        Some(Action::StopInput)
    }

    fn drained(&self, exited_at: Instant, now: Instant) -> bool {
        !self.pty_open
            || now >= exited_at + DRAIN_MAX
            || now >= self.last_output.max(exited_at) + DRAIN_SILENCE
    }

    /// When the next [`Event::Tick`] could change the state, if ever without other events.
    pub fn next_deadline(&self) -> Option<Instant> {
        match self.state {
            State::Running => self.timeout_at,
            State::Stopping { kill_at, .. } => Some(kill_at),
            State::Killing { .. } | State::Finished { .. } => None,
            State::Draining { exited_at, .. } => {
                Some((exited_at + DRAIN_MAX).min(self.last_output.max(exited_at) + DRAIN_SILENCE))
            }
        }
    }

    /// How the command ended; `None` until [`State::Finished`].
    pub fn verdict(&self) -> Option<Verdict> {
        let State::Finished { exit, stop } = self.state else {
            return None;
        };
        let status = match exit {
            Exit::Status(status) => Some(status),
            Exit::Unknown => None,
        };
        Some(Verdict {
            exit_code: status.and_then(|s| s.code()),
            signal: status
                .and_then(|s| s.signal())
                .or(stop.map(|s| s.sent.as_raw())),
            timed_out: stop.is_some_and(|s| s.cause == StopCause::Timeout),
            interrupted: self.interrupted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUT: Duration = Duration::from_secs(10);
    const MS: Duration = Duration::from_millis(1);

    fn exited(code: i32) -> Exit {
        Exit::Status(ExitStatus::from_raw(code << 8))
    }

    fn killed_by(signal: Signal) -> Exit {
        Exit::Status(ExitStatus::from_raw(signal.as_raw()))
    }

    /// A machine started at `t0`, with the timeout.
    fn start() -> (Machine, Instant) {
        let t0 = Instant::now();
        (Machine::new(t0, Some(TIMEOUT)), t0)
    }

    fn ctrl_c_stop() -> Stop {
        Stop {
            cause: StopCause::CtrlC,
            sent: Signal::INT,
        }
    }

    fn timeout_stop() -> Stop {
        Stop {
            cause: StopCause::Timeout,
            sent: Signal::TERM,
        }
    }

    /// Runs the command to its end: exit, reap, the pty closes.
    fn finish(m: &mut Machine, exit: Exit, now: Instant) -> Verdict {
        m.on(Event::LeaderExited, now);
        assert_eq!(m.on(Event::Reaped(exit), now), Some(Action::StopInput));
        m.on(Event::PtyClosed, now);
        m.verdict().expect("finished")
    }

    // Running.

    #[test]
    fn running_ticks_until_the_timeout_do_nothing() {
        let (mut m, t0) = start();
        assert_eq!(m.on(Event::Tick, t0), None);
        assert_eq!(m.on(Event::Tick, t0 + TIMEOUT - MS), None);
        assert_eq!(m.state(), State::Running);
        assert_eq!(m.next_deadline(), Some(t0 + TIMEOUT));
        assert!(m.awaits_exit());
        assert_eq!(m.verdict(), None);
    }

    #[test]
    fn without_a_timeout_running_never_times_out() {
        let t0 = Instant::now();
        let mut m = Machine::new(t0, None);
        assert_eq!(m.on(Event::Tick, t0 + Duration::from_secs(86_400)), None);
        assert_eq!(m.state(), State::Running);
        assert_eq!(m.next_deadline(), None);
    }

    #[test]
    fn ctrl_c_while_running_sends_sigint_and_starts_the_grace_period() {
        let (mut m, t0) = start();
        let now = t0 + 300 * MS;
        assert_eq!(
            m.on(Event::CtrlC, now),
            Some(Action::SignalGroup(Signal::INT))
        );
        let kill_at = now + GRACE;
        assert_eq!(
            m.state(),
            State::Stopping {
                stop: ctrl_c_stop(),
                kill_at
            }
        );
        assert_eq!(m.next_deadline(), Some(kill_at));
        assert!(m.awaits_exit());
    }

    #[test]
    fn timeout_while_running_sends_sigterm_and_starts_the_grace_period() {
        let (mut m, t0) = start();
        let now = t0 + TIMEOUT;
        assert_eq!(
            m.on(Event::Tick, now),
            Some(Action::SignalGroup(Signal::TERM))
        );
        assert_eq!(
            m.state(),
            State::Stopping {
                stop: timeout_stop(),
                kill_at: now + GRACE
            }
        );
    }

    #[test]
    fn leader_exit_while_running_waits_for_the_reaping() {
        let (mut m, t0) = start();
        assert_eq!(m.on(Event::LeaderExited, t0 + MS), None);
        assert_eq!(m.state(), State::Running);
        assert!(m.awaits_exit());
    }

    #[test]
    fn reaped_while_running_drains_and_stops_input() {
        let (mut m, t0) = start();
        let now = t0 + 5 * MS;
        assert_eq!(m.on(Event::Reaped(exited(0)), now), Some(Action::StopInput));
        assert_eq!(
            m.state(),
            State::Draining {
                exit: exited(0),
                stop: None,
                exited_at: now
            }
        );
        assert!(!m.awaits_exit());
    }

    #[test]
    fn pty_closed_while_running_keeps_waiting_for_the_exit() {
        let (mut m, t0) = start();
        assert_eq!(m.on(Event::PtyClosed, t0 + MS), None);
        assert_eq!(m.state(), State::Running);
        assert!(!m.pty_open());
        // Exit after the close: finished at the first tick, no drain.
        m.on(Event::Reaped(exited(0)), t0 + 2 * MS);
        assert_eq!(m.on(Event::Tick, t0 + 2 * MS), None);
        assert!(matches!(m.state(), State::Finished { .. }));
    }

    #[test]
    fn output_moves_the_last_output_time() {
        let (mut m, t0) = start();
        assert_eq!(m.last_output(), t0);
        assert_eq!(m.on(Event::Output, t0 + 7 * MS), None);
        assert_eq!(m.last_output(), t0 + 7 * MS);
        assert_eq!(m.state(), State::Running);
    }

    // Stopping.

    #[test]
    fn second_ctrl_c_changes_nothing() {
        let (mut m, t0) = start();
        m.on(Event::CtrlC, t0);
        let before = m.state();
        assert_eq!(m.on(Event::CtrlC, t0 + GRACE / 2), None);
        assert_eq!(m.state(), before);
    }

    #[test]
    fn the_timeout_passing_while_stopping_for_ctrl_c_sends_nothing() {
        let (mut m, t0) = start();
        let pressed = t0 + TIMEOUT - MS;
        m.on(Event::CtrlC, pressed);
        assert_eq!(m.on(Event::Tick, t0 + TIMEOUT), None);
        assert_eq!(
            m.state(),
            State::Stopping {
                stop: ctrl_c_stop(),
                kill_at: pressed + GRACE
            }
        );
        let verdict = finish(&mut m, exited(130), t0 + TIMEOUT + MS);
        assert!(verdict.interrupted && !verdict.timed_out);
    }

    #[test]
    fn ctrl_c_while_stopping_for_the_timeout_is_recorded_but_sends_nothing() {
        let (mut m, t0) = start();
        m.on(Event::Tick, t0 + TIMEOUT);
        let before = m.state();
        assert_eq!(m.on(Event::CtrlC, t0 + TIMEOUT + MS), None);
        assert_eq!(m.state(), before);
        let verdict = finish(&mut m, killed_by(Signal::TERM), t0 + TIMEOUT + 2 * MS);
        assert!(verdict.interrupted && verdict.timed_out);
        assert_eq!(verdict.signal, Some(Signal::TERM.as_raw()));
    }

    #[test]
    fn the_walk_ending_stops_the_command_like_ctrl_c_with_its_own_signal() {
        let (mut m, t0) = start();
        assert_eq!(
            m.on(Event::Terminate(Signal::HUP), t0),
            Some(Action::SignalGroup(Signal::HUP))
        );
        assert_eq!(
            m.on(Event::CtrlC, t0 + MS),
            None,
            "the first deadline stands"
        );
        assert_eq!(
            m.on(Event::Tick, t0 + GRACE),
            Some(Action::SignalGroup(Signal::KILL))
        );
        m.on(Event::Reaped(killed_by(Signal::KILL)), t0 + GRACE + MS);
        m.on(Event::PtyClosed, t0 + GRACE + MS);
        let verdict = m.verdict().unwrap();
        assert!(verdict.interrupted && !verdict.timed_out);
        assert_eq!(verdict.signal, Some(Signal::KILL.as_raw()));
    }

    #[test]
    fn grace_period_over_sends_sigkill() {
        let (mut m, t0) = start();
        m.on(Event::CtrlC, t0);
        assert_eq!(m.on(Event::Tick, t0 + GRACE - MS), None);
        assert_eq!(
            m.on(Event::Tick, t0 + GRACE),
            Some(Action::SignalGroup(Signal::KILL))
        );
        let stop = Stop {
            cause: StopCause::CtrlC,
            sent: Signal::KILL,
        };
        assert_eq!(m.state(), State::Killing { stop });
        assert_eq!(m.next_deadline(), None);
        assert!(m.awaits_exit());
    }

    #[test]
    fn leader_exit_while_stopping_kills_the_group_before_the_reaping() {
        let (mut m, t0) = start();
        m.on(Event::CtrlC, t0);
        assert_eq!(
            m.on(Event::LeaderExited, t0 + MS),
            Some(Action::SignalGroup(Signal::KILL))
        );
        // Not reaped yet: still stopping, and what was sent last is still SIGINT.
        assert!(matches!(m.state(), State::Stopping { .. }));
        assert_eq!(
            m.on(Event::Reaped(killed_by(Signal::INT)), t0 + MS),
            Some(Action::StopInput)
        );
        assert_eq!(
            m.state(),
            State::Draining {
                exit: killed_by(Signal::INT),
                stop: Some(ctrl_c_stop()),
                exited_at: t0 + MS
            }
        );
    }

    #[test]
    fn a_stopped_command_that_exits_normally_reports_the_signal_sent() {
        let (mut m, t0) = start();
        m.on(Event::Tick, t0 + TIMEOUT);
        let verdict = finish(&mut m, exited(0), t0 + TIMEOUT + MS);
        assert_eq!(verdict.exit_code, Some(0));
        assert_eq!(verdict.signal, Some(Signal::TERM.as_raw()));
        assert!(verdict.timed_out && !verdict.interrupted);
    }

    // Killing.

    #[test]
    fn killing_waits_for_the_exit_whatever_the_clock_or_the_keyboard() {
        let (mut m, t0) = start();
        m.on(Event::Tick, t0 + TIMEOUT);
        m.on(Event::Tick, t0 + TIMEOUT + GRACE);
        let killing = m.state();
        assert_eq!(m.on(Event::Tick, t0 + TIMEOUT + 10 * GRACE), None);
        assert_eq!(m.on(Event::CtrlC, t0 + TIMEOUT + 10 * GRACE), None);
        assert_eq!(m.on(Event::Output, t0 + TIMEOUT + 10 * GRACE), None);
        assert_eq!(m.state(), killing);
        assert_eq!(
            m.on(Event::LeaderExited, t0 + TIMEOUT + 11 * GRACE),
            Some(Action::SignalGroup(Signal::KILL))
        );
        let verdict = finish(&mut m, killed_by(Signal::KILL), t0 + TIMEOUT + 11 * GRACE);
        assert_eq!(verdict.exit_code, None);
        assert_eq!(verdict.signal, Some(Signal::KILL.as_raw()));
        assert!(verdict.timed_out && verdict.interrupted);
    }

    // Draining.

    #[test]
    fn output_still_buffered_after_the_exit_is_read_until_silence() {
        let (mut m, t0) = start();
        let exit_at = t0 + 10 * MS;
        m.on(Event::Reaped(exited(0)), exit_at);
        assert_eq!(m.next_deadline(), Some(exit_at + DRAIN_SILENCE));
        m.on(Event::Tick, exit_at + 50 * MS);
        m.on(Event::Output, exit_at + 60 * MS);
        // Quiet for less than the silence since the last output: still draining.
        m.on(Event::Tick, exit_at + 150 * MS);
        assert!(matches!(m.state(), State::Draining { .. }));
        assert_eq!(m.next_deadline(), Some(exit_at + 60 * MS + DRAIN_SILENCE));
        m.on(Event::Tick, exit_at + 60 * MS + DRAIN_SILENCE);
        assert_eq!(
            m.state(),
            State::Finished {
                exit: exited(0),
                stop: None
            }
        );
    }

    #[test]
    fn draining_stops_at_its_limit_even_with_output_flowing() {
        let (mut m, t0) = start();
        m.on(Event::Reaped(exited(0)), t0);
        let mut now = t0;
        while now < t0 + DRAIN_MAX {
            m.on(Event::Output, now);
            m.on(Event::Tick, now);
            assert!(matches!(m.state(), State::Draining { .. }));
            now += 50 * MS;
        }
        assert_eq!(m.next_deadline(), Some(t0 + DRAIN_MAX));
        m.on(Event::Tick, t0 + DRAIN_MAX);
        assert!(matches!(m.state(), State::Finished { .. }));
    }

    #[test]
    fn end_of_file_or_eio_while_draining_finishes() {
        let (mut m, t0) = start();
        m.on(Event::Reaped(exited(4)), t0);
        assert_eq!(m.on(Event::PtyClosed, t0 + MS), None);
        let verdict = m.verdict().expect("finished");
        assert_eq!(verdict.exit_code, Some(4));
        assert_eq!(verdict.signal, None);
        assert!(!verdict.timed_out && !verdict.interrupted);
    }

    #[test]
    fn ctrl_c_after_the_exit_is_not_the_commands() {
        let (mut m, t0) = start();
        m.on(Event::Reaped(exited(0)), t0);
        assert!(!m.awaits_exit());
        let draining = m.state();
        assert_eq!(m.on(Event::CtrlC, t0 + MS), None);
        assert_eq!(m.state(), draining);
        m.on(Event::PtyClosed, t0 + MS);
        assert!(!m.verdict().expect("finished").interrupted);
    }

    #[test]
    fn exit_events_after_the_reaping_change_nothing() {
        let (mut m, t0) = start();
        m.on(Event::Reaped(exited(1)), t0);
        let draining = m.state();
        assert_eq!(m.on(Event::LeaderExited, t0 + MS), None);
        assert_eq!(m.on(Event::Reaped(exited(2)), t0 + MS), None);
        assert_eq!(m.state(), draining);
    }

    // Finished.

    #[test]
    fn finished_ignores_everything() {
        let (mut m, t0) = start();
        m.on(Event::Reaped(exited(0)), t0);
        m.on(Event::PtyClosed, t0);
        let done = m.state();
        for event in [
            Event::CtrlC,
            Event::Tick,
            Event::Output,
            Event::PtyClosed,
            Event::LeaderExited,
            Event::Reaped(exited(9)),
        ] {
            assert_eq!(m.on(event, t0 + TIMEOUT + GRACE), None, "{event:?}");
            assert_eq!(m.state(), done, "{event:?}");
        }
        assert_eq!(m.next_deadline(), None);
        assert!(!m.awaits_exit());
    }

    #[test]
    fn unknown_status_has_no_exit_code() {
        let (mut m, t0) = start();
        let verdict = finish(&mut m, Exit::Unknown, t0);
        assert_eq!(verdict.exit_code, None);
        assert_eq!(verdict.signal, None);
        let (mut m, t0) = start();
        m.on(Event::CtrlC, t0);
        let verdict = finish(&mut m, Exit::Unknown, t0);
        assert_eq!(verdict.exit_code, None);
        assert_eq!(verdict.signal, Some(Signal::INT.as_raw()));
    }

    #[test]
    fn killed_by_its_own_signal() {
        let (mut m, t0) = start();
        let verdict = finish(&mut m, killed_by(Signal::KILL), t0);
        assert_eq!(verdict.exit_code, None);
        assert_eq!(verdict.signal, Some(Signal::KILL.as_raw()));
        assert!(!verdict.timed_out && !verdict.interrupted);
    }
}
