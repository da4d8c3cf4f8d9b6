//! Guard alarms: a background poll of `DescribeAlarms` (state ALARM) that queues alarms newly in ALARM.
//!
//! An alarm already in ALARM at the first poll is reported too: the walk should know before a
//! command runs. One that leaves ALARM and comes back is reported again. A poll that fails (no
//! credentials, throttled, timeout) changes nothing and is simply retried at the next interval.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudwatch::Client;
use tokio::task::JoinSet;

use crate::event::AlarmInfo;
use crate::runbook::AlarmState;
use crate::walk::ports::GuardAlarm;

use super::engine::STOP_CHECK;
use super::query;

/// Which alarms are in ALARM per region, and what newly entered it.
#[derive(Debug, Default)]
pub(crate) struct GuardState {
    in_alarm: BTreeMap<String, BTreeSet<String>>,
}

impl GuardState {
    /// Records one region's poll; `None` (a failed poll) keeps what was known. Returns the new ones.
    pub(crate) fn record(
        &mut self,
        region: &str,
        polled: Option<Vec<AlarmInfo>>,
    ) -> Vec<GuardAlarm> {
        let Some(alarms) = polled else {
            return Vec::new();
        };
        let known = self.in_alarm.entry(region.to_string()).or_default();
        let mut now = BTreeSet::new();
        let mut fresh = Vec::new();
        for alarm in alarms {
            if !now.insert(alarm.name.clone()) {
                continue;
            }
            if !known.contains(&alarm.name) {
                fresh.push(GuardAlarm {
                    region: region.to_string(),
                    alarm,
                });
            }
        }
        *known = now;
        fresh
    }
}

/// Newly fired guard alarms, filled by the poll and drained by `guard_alarms()`.
pub(crate) type Queue = Arc<Mutex<Vec<GuardAlarm>>>;

/// What the poll needs.
pub(crate) struct Guard {
    pub clients: Vec<(String, Client)>,
    pub prefixes: Vec<String>,
    pub interval: Duration,
    pub timeout: Duration,
    pub queue: Queue,
    pub stop: Arc<AtomicBool>,
}

/// Every prefix in one region, in ALARM; `None` when any request failed or took too long.
async fn poll_region(
    client: Client,
    prefixes: Vec<String>,
    region: String,
    timeout: Duration,
) -> (String, Option<Vec<AlarmInfo>>) {
    let all = async {
        let mut found = Vec::new();
        for prefix in &prefixes {
            found.extend(
                query::describe_alarms(&client, prefix, Some(AlarmState::Alarm), &region, None)
                    .await
                    .ok()?,
            );
        }
        Some(found)
    };
    let found = tokio::time::timeout(timeout, all).await.ok().flatten();
    (region, found)
}

/// Polls until the stop flag is set, checking it at least every 100 ms.
pub(crate) async fn run(guard: Guard) {
    let mut state = GuardState::default();
    while !guard.stop.load(Ordering::Relaxed) {
        let mut polls = JoinSet::new();
        for (region, client) in &guard.clients {
            polls.spawn(poll_region(
                client.clone(),
                guard.prefixes.clone(),
                region.clone(),
                guard.timeout,
            ));
        }
        while let Some(done) = polls.join_next().await {
            let Ok((region, found)) = done else { continue };
            let fresh = state.record(&region, found);
            if !fresh.is_empty()
                && let Ok(mut queue) = guard.queue.lock()
            {
                queue.extend(fresh);
            }
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

    fn alarm(name: &str) -> AlarmInfo {
        AlarmInfo {
            name: name.into(),
            state: AlarmState::Alarm,
            reason: "threshold crossed".into(),
            since: None,
        }
    }

    fn names(fired: &[GuardAlarm]) -> Vec<String> {
        fired
            .iter()
            .map(|g| format!("{}/{}", g.region, g.alarm.name))
            .collect()
    }

    #[test]
    fn reports_alarms_once_and_again_after_they_clear() {
        let mut s = GuardState::default();
        assert_eq!(
            names(&s.record("eu-west-2", Some(vec![alarm("a")]))),
            ["eu-west-2/a"]
        );
        assert!(s.record("eu-west-2", Some(vec![alarm("a")])).is_empty());
        // Same name in another region is another alarm.
        assert_eq!(
            names(&s.record("us-east-2", Some(vec![alarm("a")]))),
            ["us-east-2/a"]
        );
        // A failed poll forgets nothing.
        assert!(s.record("eu-west-2", None).is_empty());
        assert!(
            s.record("eu-west-2", Some(vec![alarm("a"), alarm("b")]))
                .len()
                == 1
        );
        // Cleared, then back.
        assert!(s.record("eu-west-2", Some(vec![alarm("b")])).is_empty());
        assert_eq!(
            names(&s.record("eu-west-2", Some(vec![alarm("a"), alarm("b")]))),
            ["eu-west-2/a"]
        );
    }

    #[test]
    fn duplicates_from_overlapping_prefixes_count_once() {
        let mut s = GuardState::default();
        assert_eq!(
            s.record("eu-west-2", Some(vec![alarm("api-5xx"), alarm("api-5xx")]))
                .len(),
            1
        );
    }
}
