//! The one definition of a step's duration: the sum of the intervals it was open. A step opens at
//! its `step_started` and closes at the next `step_started` or `step_finished`, at any session
//! event (start, resume, pause, finish) or at the end of its log; so a walk paused overnight does
//! not count the night, and a step reopened with `b` or `j` adds each visit. The walk's summary,
//! every export and `compare` all read durations from here.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{Event, Record};

/// Open intervals of the steps of one log, fed its events in order.
#[derive(Debug, Clone, Default)]
pub struct StepTimes {
    /// The step open now (1-based) and since when.
    open: Option<(usize, DateTime<Utc>)>,
    /// Milliseconds each step (1-based) was open, for steps that were ever opened or finished.
    totals: BTreeMap<usize, i64>,
}

impl StepTimes {
    /// Takes one event of the log at its time.
    pub fn observe(&mut self, at: DateTime<Utc>, event: &Event) {
        match event {
            Event::StepStarted { step, .. } => {
                self.close(at);
                self.totals.entry(*step).or_insert(0);
                self.open = Some((*step, at));
            }
            Event::StepFinished { step, .. } => {
                self.close(at);
                self.totals.entry(*step).or_insert(0);
            }
            Event::SessionStarted { .. }
            | Event::SessionResumed { .. }
            | Event::SessionPaused { .. }
            | Event::SessionFinished { .. } => self.close(at),
            _ => {}
        }
    }

    /// Takes one record: its event at its `ts` (a record whose time cannot be read changes nothing).
    pub fn observe_record(&mut self, record: &Record) {
        if let Ok(at) = DateTime::parse_from_rfc3339(&record.ts) {
            self.observe(at.with_timezone(&Utc), &record.event);
        }
    }

    /// The end of the log (its last event's time): closes the step still open.
    pub fn end(&mut self, at: DateTime<Utc>) {
        self.close(at);
    }

    fn close(&mut self, at: DateTime<Utc>) {
        if let Some((step, since)) = self.open.take() {
            let ms = (at - since).num_milliseconds().max(0);
            *self.totals.entry(step).or_insert(0) += ms;
        }
    }

    /// Milliseconds step `step` (1-based) was open, counting the open interval up to `now` when
    /// given; `None` for a step never started nor finished.
    pub fn ms(&self, step: usize, now: Option<DateTime<Utc>>) -> Option<i64> {
        let mut total = self.totals.get(&step).copied()?;
        if let (Some((open, since)), Some(now)) = (self.open, now)
            && open == step
        {
            total += (now - since).num_milliseconds().max(0);
        }
        Some(total)
    }

    /// Every step's total so far, 1-based.
    pub fn totals(&self) -> impl Iterator<Item = (usize, i64)> + '_ {
        self.totals.iter().map(|(s, ms)| (*s, *ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + s, 0).single().unwrap()
    }

    fn started(step: usize) -> Event {
        Event::StepStarted {
            step,
            step_id: format!("s{step}"),
            title: String::new(),
        }
    }

    #[test]
    fn a_step_adds_each_visit_and_a_pause_stops_the_clock() {
        let mut t = StepTimes::default();
        t.observe(at(0), &started(1));
        t.observe(at(10), &started(2)); // 1 open 10 s, left without finishing
        t.observe(at(15), &started(1)); // back: 2 open 5 s
        t.observe(
            at(20),
            &Event::SessionPaused {
                reason: String::new(),
                signal: None,
            },
        ); // 1 open 5 s more
        t.observe(
            at(3600),
            &Event::SessionResumed {
                runbook: crate::event::RunbookRef {
                    path: String::new(),
                    title: String::new(),
                    sha256: String::new(),
                    steps: 2,
                    ..Default::default()
                },
                tool_version: String::new(),
                hostname: String::new(),
                mode: crate::event::Mode::Live,
                runbook_changed: false,
                changed_steps: Vec::new(),
                forced: false,
                step: 1,
            },
        );
        t.observe(at(3601), &started(1));
        t.end(at(3603));
        assert_eq!(t.ms(1, None), Some(17_000));
        assert_eq!(t.ms(2, None), Some(5_000));
        assert_eq!(t.ms(3, None), None);
    }
}
