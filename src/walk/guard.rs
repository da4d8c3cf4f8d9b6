//! Guard alarms during the walk: the background poll's news, logged once and shown once at the
//! walk's safe points (before each prompt and each command), and the alarms still firing that
//! the next command is decided against.

use super::engine::Walk;
use super::ports::{GuardAlarm, GuardNews, GuardUpdate, Tone};
use super::screen::Screen;
use crate::event::{Event, LogError, LoggedLookupError};
use crate::runbook::AlarmState;

/// What the walk knows of the guard between polls.
#[derive(Debug, Default)]
pub struct GuardWatch {
    /// Alarms that entered ALARM and that no command has been decided against yet.
    pub(super) firing: Vec<GuardAlarm>,
    /// Regions whose guard alarms cannot be read, for the step menu's reminder.
    pub(super) blind: Vec<String>,
}

impl Walk<'_, '_> {
    /// Takes the guard's news: logs each change once (an alarm with its own state-change time),
    /// shows what the operator has not seen yet, and keeps newly firing alarms for the decision
    /// before the next command.
    pub(super) fn poll_guard(&mut self) -> Result<(), LogError> {
        let Some(metrics) = self.ports.metrics.as_deref_mut() else {
            return Ok(());
        };
        let updates = metrics.guard_news();
        if updates.is_empty() {
            return Ok(());
        }
        // Regions that fail alike are one line: `no credentials` in six regions is one problem.
        let mut unavailable: Vec<(String, Vec<String>)> = Vec::new();
        let mut recovered: Vec<String> = Vec::new();
        for GuardUpdate { news, shown } in updates {
            match news {
                GuardNews::Alarm(g) => {
                    self.log(Event::GuardAlarm {
                        region: g.region.clone(),
                        alarm: g.alarm.name.clone(),
                        state: g.alarm.state,
                        reason: g.alarm.reason.clone(),
                        since: g.alarm.since.clone(),
                    })?;
                    let watch = &mut self.guard;
                    watch
                        .firing
                        .retain(|f| !(f.region == g.region && f.alarm.name == g.alarm.name));
                    if !shown {
                        self.ports.ui.show(Screen::GuardAlarm(&g));
                    }
                    if g.alarm.state == AlarmState::Alarm {
                        self.guard.firing.push(g);
                    }
                }
                GuardNews::Unavailable { region, error } => {
                    self.log(Event::GuardUnavailable {
                        region: region.clone(),
                        error: LoggedLookupError {
                            kind: error.kind,
                            message: error.message.clone(),
                        },
                    })?;
                    if !self.guard.blind.contains(&region) {
                        self.guard.blind.push(region.clone());
                    }
                    if shown {
                        continue;
                    }
                    // The region in the message is noise once regions are grouped.
                    let message = error.message.replace(&format!(" in {region}"), "");
                    match unavailable.iter_mut().find(|(m, _)| *m == message) {
                        Some((_, regions)) => regions.push(region),
                        None => unavailable.push((message, vec![region])),
                    }
                }
                GuardNews::Recovered { region } => {
                    self.log(Event::GuardRecovered {
                        region: region.clone(),
                    })?;
                    self.guard.blind.retain(|r| *r != region);
                    if !shown {
                        recovered.push(region);
                    }
                }
            }
        }
        for (message, regions) in unavailable {
            self.ports.ui.notice(
                Tone::Warning,
                &format!(
                    "guard alarms cannot be read in {}: {message}; the walk does not see them until they can",
                    regions.join(", ")
                ),
            );
        }
        if !recovered.is_empty() {
            self.ports.ui.notice(
                Tone::Success,
                &format!("guard alarms can be read again in {}", recovered.join(", ")),
            );
        }
        Ok(())
    }

    /// The alarms that fired since the last command decision, handed over once.
    pub(super) fn take_firing(&mut self) -> Vec<GuardAlarm> {
        std::mem::take(&mut self.guard.firing)
    }
}

#[cfg(test)]
mod tests {
    use super::super::ports::LookupError;
    use super::super::scripted::{Harness, Reply, ScriptedMetrics, WATCHED, opts};
    use super::*;
    use crate::event::{AlarmInfo, LookupErrorKind, Mode};

    fn news(name: &str, state: AlarmState, since: &str) -> GuardNews {
        GuardNews::Alarm(GuardAlarm {
            region: "eu-west-2".into(),
            alarm: AlarmInfo {
                name: name.into(),
                state,
                reason: "threshold crossed".into(),
                since: Some(since.into()),
            },
        })
    }

    fn guard_events(h: &Harness) -> Vec<serde_json::Value> {
        h.log
            .events()
            .into_iter()
            .map(|e| serde_json::to_value(e).unwrap())
            // What the guard saw; the operator's `guard_override` is the decision, counted apart.
            .filter(|e| {
                e["type"].as_str().unwrap().starts_with("guard_") && e["type"] != "guard_override"
            })
            .collect()
    }

    #[test]
    fn news_already_shown_as_a_status_line_is_logged_once_with_its_own_time_and_not_shown_again() {
        let mut h = Harness::new([Reply::Enter, Reply::Yes]);
        h.metrics = Some(ScriptedMetrics::default().news(
            vec![news(
                "freeswitch-calls",
                AlarmState::Alarm,
                "2026-11-22T02:58:00Z",
            )],
            true,
        ));
        h.walk(WATCHED, opts(Mode::Live, false, false));
        let screen = h.ui.screen();
        assert!(!screen.contains("[guard alarm"), "shown twice:\n{screen}");
        // Still firing: the operator decides before the command runs.
        assert!(
            screen.contains(
                "? Guard alarm in ALARM: freeswitch-calls (eu-west-2). Run command 1 anyway?"
            ),
            "{screen}"
        );
        assert_eq!(h.ran(), ["restart it"]);
        let logged = guard_events(&h);
        assert_eq!(logged.len(), 1, "{logged:?}");
        assert_eq!(logged[0]["since"], "2026-11-22T02:58:00Z");
        assert_eq!(logged[0]["state"], "ALARM");
        let types = h.log.types();
        let overrides: Vec<_> = types.iter().filter(|t| *t == "guard_override").collect();
        assert_eq!(overrides.len(), 1, "{types:?}");
    }

    #[test]
    fn an_alarm_that_clears_before_the_command_does_not_hold_it() {
        let mut h = Harness::new([Reply::Enter]);
        h.metrics = Some(
            ScriptedMetrics::default()
                .news(
                    vec![news(
                        "freeswitch-x",
                        AlarmState::Alarm,
                        "2026-11-22T03:00:01Z",
                    )],
                    false,
                )
                .news(
                    vec![news("freeswitch-x", AlarmState::Ok, "2026-11-22T03:00:09Z")],
                    false,
                ),
        );
        h.walk(WATCHED, opts(Mode::Live, false, false));
        assert_eq!(h.ran(), ["restart it"]);
        let screen = h.ui.screen();
        assert!(!screen.contains("Run command 1 anyway?"), "{screen}");
        assert_eq!(
            screen
                .matches("[guard alarm freeswitch-x in eu-west-2]")
                .count(),
            2
        );
        let states: Vec<(String, String)> = guard_events(&h)
            .iter()
            .map(|e| (e["state"].to_string(), e["since"].to_string()))
            .collect();
        assert_eq!(
            states,
            [
                ("\"ALARM\"".into(), "\"2026-11-22T03:00:01Z\"".into()),
                ("\"OK\"".into(), "\"2026-11-22T03:00:09Z\"".into())
            ]
        );
    }

    #[test]
    fn a_blind_guard_is_one_line_for_all_its_regions_and_is_logged_per_region_until_it_recovers() {
        let unavailable = |region: &str| GuardNews::Unavailable {
            region: region.into(),
            error: LookupError {
                kind: LookupErrorKind::NoCredentials,
                message: "no AWS credentials: run `aws sso login --profile oncall`".into(),
            },
        };
        let recovered = |region: &str| GuardNews::Recovered {
            region: region.into(),
        };
        let mut h = Harness::new([Reply::Enter]);
        h.metrics = Some(
            ScriptedMetrics::default()
                .news(
                    vec![unavailable("eu-west-2"), unavailable("us-east-1")],
                    false,
                )
                .news(vec![recovered("eu-west-2"), recovered("us-east-1")], false),
        );
        h.walk(WATCHED, opts(Mode::Live, false, false));
        let screen = h.ui.screen();
        assert_eq!(
            screen.matches("guard alarms cannot be read").count(),
            1,
            "{screen}"
        );
        assert!(screen.contains(
            "Warning: guard alarms cannot be read in eu-west-2, us-east-1: no AWS credentials: run `aws sso login --profile oncall`; the walk does not see them until they can"
        ), "{screen}");
        assert!(
            screen.contains("Success: guard alarms can be read again in eu-west-2, us-east-1"),
            "{screen}"
        );
        let logged: Vec<String> = guard_events(&h)
            .iter()
            .map(|e| format!("{} {}", e["type"], e["region"]))
            .collect();
        assert_eq!(
            logged,
            [
                "\"guard_unavailable\" \"eu-west-2\"",
                "\"guard_unavailable\" \"us-east-1\"",
                "\"guard_recovered\" \"eu-west-2\"",
                "\"guard_recovered\" \"us-east-1\""
            ]
        );
        let first = &guard_events(&h)[0];
        assert_eq!(first["error"]["kind"], "no_credentials");
    }
}
