//! Guard alarms: a background poll of `DescribeAlarms` by prefix that queues what changed.
//!
//! An alarm already in ALARM at the first poll is news too: the walk should know before a
//! command runs. One that leaves ALARM is news (with the time it left), and so is coming back.
//! A region whose poll fails (no credentials, endpoint, throttling, timeout) is news once, and
//! again when it answers: the walk must never go silently blind.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudwatch::Client;
use tokio::task::JoinSet;

use crate::event::AlarmInfo;
use crate::runbook::AlarmState;
use crate::walk::ports::{GuardAlarm, GuardNews, GuardUpdate, LookupError};

use super::classify;
use super::engine::STOP_CHECK;
use super::query;

/// What the last polls of one region said.
#[derive(Debug, Default)]
struct RegionState {
    /// Each alarm's state at the last good poll.
    states: BTreeMap<String, AlarmState>,
    /// The poll fails; reported once.
    unavailable: bool,
}

/// Which alarms are in which state per region, and whether each region can be read.
#[derive(Debug, Default)]
pub(crate) struct GuardState {
    regions: BTreeMap<String, RegionState>,
}

impl GuardState {
    /// Records one region's poll and returns what changed. A failed poll keeps what was known.
    pub(crate) fn record(
        &mut self,
        region: &str,
        polled: Result<Vec<AlarmInfo>, LookupError>,
    ) -> Vec<GuardNews> {
        let known = self.regions.entry(region.to_string()).or_default();
        let alarms = match polled {
            Ok(alarms) => alarms,
            Err(error) => {
                if known.unavailable {
                    return Vec::new();
                }
                known.unavailable = true;
                return vec![GuardNews::Unavailable {
                    region: region.to_string(),
                    error,
                }];
            }
        };
        let mut news = Vec::new();
        if std::mem::take(&mut known.unavailable) {
            news.push(GuardNews::Recovered {
                region: region.to_string(),
            });
        }
        let mut now = BTreeMap::new();
        for alarm in alarms {
            if now.contains_key(&alarm.name) {
                continue;
            }
            now.insert(alarm.name.clone(), alarm.state);
            let was = known.states.get(&alarm.name).copied();
            let entered = alarm.state == AlarmState::Alarm && was != Some(AlarmState::Alarm);
            let left = alarm.state != AlarmState::Alarm && was == Some(AlarmState::Alarm);
            if entered || left {
                news.push(GuardNews::Alarm(GuardAlarm {
                    region: region.to_string(),
                    alarm,
                }));
            }
        }
        known.states = now;
        news
    }
}

/// Guard news, filled by the poll and drained by `guard_news()`.
pub(crate) type Queue = Arc<Mutex<Vec<GuardUpdate>>>;

/// Shows news at once if it can (a status line while a command runs); says whether it did.
pub type Announce = Arc<dyn Fn(&GuardNews) -> bool + Send + Sync>;

/// Where the poll's announcer is: set after connecting, read at each piece of news.
pub(crate) type Announcer = Arc<Mutex<Option<Announce>>>;

/// What the poll needs.
pub(crate) struct Guard {
    pub regions: Vec<String>,
    /// Clients are made from it at each poll: a configuration loaded again after a login counts.
    pub config: super::client::SharedConfig,
    pub prefixes: Vec<String>,
    pub interval: Duration,
    pub timeout: Duration,
    /// For the no-credentials message.
    pub profile: Option<String>,
    /// The configuration came from the shared files: a `profile` they do not declare is
    /// refused, as the lookups refuse it.
    pub check_profile: bool,
    pub queue: Queue,
    pub announcer: Announcer,
    pub stop: Arc<AtomicBool>,
    /// Told when the first round of polls is in, so a walk starts knowing the guard's state.
    pub first_round: Option<std::sync::mpsc::Sender<()>>,
}

/// Every alarm of every prefix in one region, in any state.
async fn poll_region(
    client: Client,
    prefixes: Vec<String>,
    region: String,
    timeout: Duration,
    profile: Option<String>,
    check_profile: bool,
) -> (String, Result<Vec<AlarmInfo>, LookupError>) {
    // Not polled with whatever keys the environment holds: they may be another account's.
    if check_profile && let Some(error) = profile.as_deref().and_then(super::profiles::missing) {
        return (region, Err(error));
    }
    let all = async {
        let mut found = Vec::new();
        for prefix in &prefixes {
            found.extend(
                query::describe_alarms(&client, prefix, None, &region, profile.as_deref()).await?,
            );
        }
        Ok(found)
    };
    let found = match tokio::time::timeout(timeout, all).await {
        Ok(found) => found,
        Err(_) => Err(classify::timed_out(&region, timeout)),
    };
    (region, found)
}

/// Polls until the stop flag is set, checking it at least every 100 ms.
pub(crate) async fn run(mut guard: Guard) {
    let mut state = GuardState::default();
    while !guard.stop.load(Ordering::Relaxed) {
        let mut polls = JoinSet::new();
        let config = guard.config.lock().ok().and_then(|c| c.clone());
        for region in &guard.regions {
            let Some(config) = &config else { break };
            polls.spawn(poll_region(
                super::client::region_client(config, region),
                guard.prefixes.clone(),
                region.clone(),
                guard.timeout,
                guard.profile.clone(),
                guard.check_profile,
            ));
        }
        while let Some(done) = polls.join_next().await {
            let Ok((region, found)) = done else { continue };
            let news = state.record(&region, found);
            if news.is_empty() {
                continue;
            }
            let announce = guard.announcer.lock().ok().and_then(|a| a.clone());
            let updates: Vec<GuardUpdate> = news
                .into_iter()
                .map(|news| {
                    let shown = announce.as_ref().is_some_and(|show| show(&news));
                    GuardUpdate { news, shown }
                })
                .collect();
            if let Ok(mut queue) = guard.queue.lock() {
                queue.extend(updates);
            }
        }
        if let Some(told) = guard.first_round.take() {
            let _ = told.send(());
        }
        let mut waited = Duration::ZERO;
        while waited < guard.interval && !guard.stop.load(Ordering::Relaxed) {
            let step = STOP_CHECK.min(guard.interval - waited);
            tokio::time::sleep(step).await;
            waited += step;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::LookupErrorKind;

    fn alarm(name: &str, state: AlarmState, since: &str) -> AlarmInfo {
        AlarmInfo {
            name: name.into(),
            state,
            reason: "threshold crossed".into(),
            since: Some(since.into()),
        }
    }

    fn firing(name: &str) -> AlarmInfo {
        alarm(name, AlarmState::Alarm, "2026-11-22T03:00:00Z")
    }

    fn describe(news: &[GuardNews]) -> Vec<String> {
        news.iter()
            .map(|n| match n {
                GuardNews::Alarm(g) => format!(
                    "{}/{} {} since {}",
                    g.region,
                    g.alarm.name,
                    g.alarm.state,
                    g.alarm.since.as_deref().unwrap_or("-")
                ),
                GuardNews::Unavailable { region, error } => {
                    format!("{region} unavailable: {}", error.message)
                }
                GuardNews::Recovered { region } => format!("{region} recovered"),
            })
            .collect()
    }

    fn denied() -> LookupError {
        LookupError {
            kind: LookupErrorKind::NoCredentials,
            message: "no AWS credentials".into(),
        }
    }

    #[test]
    fn reports_alarms_once_and_again_after_they_clear() {
        let mut s = GuardState::default();
        assert_eq!(
            describe(&s.record("eu-west-2", Ok(vec![firing("a")]))),
            ["eu-west-2/a ALARM since 2026-11-22T03:00:00Z"]
        );
        assert!(s.record("eu-west-2", Ok(vec![firing("a")])).is_empty());
        // Same name in another region is another alarm.
        assert_eq!(
            describe(&s.record("us-east-2", Ok(vec![firing("a")]))),
            ["us-east-2/a ALARM since 2026-11-22T03:00:00Z"]
        );
        assert_eq!(
            s.record("eu-west-2", Ok(vec![firing("a"), firing("b")]))
                .len(),
            1
        );
        // Leaving ALARM is news, with the time it left.
        let ok = alarm("a", AlarmState::Ok, "2026-11-22T03:09:00Z");
        assert_eq!(
            describe(&s.record("eu-west-2", Ok(vec![ok, firing("b")]))),
            ["eu-west-2/a OK since 2026-11-22T03:09:00Z"]
        );
        let back = alarm("a", AlarmState::Alarm, "2026-11-22T03:12:00Z");
        assert_eq!(
            describe(&s.record("eu-west-2", Ok(vec![back, firing("b")]))),
            ["eu-west-2/a ALARM since 2026-11-22T03:12:00Z"]
        );
    }

    #[test]
    fn quiet_alarms_are_not_news() {
        let mut s = GuardState::default();
        let ok = alarm("a", AlarmState::Ok, "2026-11-22T03:00:00Z");
        let unknown = alarm("b", AlarmState::InsufficientData, "2026-11-22T03:00:00Z");
        assert!(s.record("eu-west-2", Ok(vec![ok, unknown])).is_empty());
    }

    #[test]
    fn a_region_that_cannot_be_read_is_news_once_and_again_when_it_recovers() {
        let mut s = GuardState::default();
        assert!(s.record("eu-west-2", Ok(vec![firing("a")])).len() == 1);
        assert_eq!(
            describe(&s.record("eu-west-2", Err(denied()))),
            ["eu-west-2 unavailable: no AWS credentials"]
        );
        assert!(s.record("eu-west-2", Err(denied())).is_empty(), "once");
        // What was known survives the outage: a still-firing alarm is not news again.
        assert_eq!(
            describe(&s.record("eu-west-2", Ok(vec![firing("a")]))),
            ["eu-west-2 recovered"]
        );
        assert!(s.record("eu-west-2", Ok(vec![firing("a")])).is_empty());
    }

    #[test]
    fn duplicates_from_overlapping_prefixes_count_once() {
        let mut s = GuardState::default();
        assert_eq!(
            s.record("eu-west-2", Ok(vec![firing("api-5xx"), firing("api-5xx")]))
                .len(),
            1
        );
    }
}
