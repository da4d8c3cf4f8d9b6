//! One lookup in one region: `GetMetricData` for metrics and expressions, `DescribeAlarms` for alarms.

use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    AlarmType, Dimension, Metric, MetricDataQuery, MetricStat, ScanBy, StateValue, StatusCode,
};

use crate::event::{AlarmInfo, LookupErrorKind};
use crate::runbook::{AlarmState, LookupQuery, NamedQuery};
use crate::walk::ports::{LookupData, LookupError};

use super::classify;
use super::time::rfc3339;

/// Pages of `GetMetricData` followed at most; a lookup shows recent points, not history.
const MAX_METRIC_PAGES: usize = 10;
/// Alarms listed at most per lookup.
pub(crate) const MAX_ALARMS: usize = 200;

/// Asks CloudWatch in `region` (through `client`) what `query` wants.
pub(crate) async fn run(
    client: &Client,
    query: &LookupQuery,
    region: &str,
    profile: Option<&str>,
) -> Result<LookupData, LookupError> {
    match query {
        LookupQuery::Metric {
            metric,
            period_s,
            window_s,
            ..
        } => {
            let queries = vec![
                MetricDataQuery::builder()
                    .id("m1")
                    .metric_stat(metric_stat(metric, *period_s))
                    .return_data(true)
                    .build(),
            ];
            metric_points(client, queries, "m1", *window_s, region, profile).await
        }
        LookupQuery::Expression {
            expression,
            queries,
            period_s,
            window_s,
            ..
        } => {
            let id = expression_id(queries);
            let mut all: Vec<MetricDataQuery> = queries
                .iter()
                .map(|q| {
                    MetricDataQuery::builder()
                        .id(&q.id)
                        .metric_stat(metric_stat(&q.metric, *period_s))
                        .return_data(false)
                        .build()
                })
                .collect();
            all.push(
                MetricDataQuery::builder()
                    .id(&id)
                    .expression(expression)
                    .period(clamp_i32(*period_s))
                    .return_data(true)
                    .build(),
            );
            metric_points(client, all, &id, *window_s, region, profile).await
        }
        LookupQuery::Alarms { prefix, state } => {
            let alarms = describe_alarms(client, prefix, *state, region, profile).await?;
            Ok(LookupData::Alarms { alarms })
        }
    }
}

/// `e1`, unless a named query already took it.
fn expression_id(queries: &[NamedQuery]) -> String {
    (1..)
        .map(|n| format!("e{n}"))
        .find(|id| queries.iter().all(|q| &q.id != id))
        .unwrap_or_else(|| "e1".into())
}

fn clamp_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn metric_stat(m: &crate::runbook::MetricStat, period_s: u32) -> MetricStat {
    let dimensions = m
        .dimensions
        .iter()
        .map(|d| Dimension::builder().name(&d.name).value(&d.value).build())
        .collect();
    MetricStat::builder()
        .metric(
            Metric::builder()
                .namespace(&m.namespace)
                .metric_name(&m.metric)
                .set_dimensions(Some(dimensions))
                .build(),
        )
        .period(clamp_i32(period_s))
        .stat(&m.stat)
        .build()
}

/// Runs `queries` over the last `window_s` seconds and returns the points of `want`, oldest first.
async fn metric_points(
    client: &Client,
    queries: Vec<MetricDataQuery>,
    want: &str,
    window_s: u32,
    region: &str,
    profile: Option<&str>,
) -> Result<LookupData, LookupError> {
    let now = SystemTime::now();
    let start = now
        .checked_sub(Duration::from_secs(u64::from(window_s)))
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let mut points: Vec<(DateTime, f64)> = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_METRIC_PAGES {
        let page = client
            .get_metric_data()
            .set_metric_data_queries(Some(queries.clone()))
            .start_time(DateTime::from(start))
            .end_time(DateTime::from(now))
            .scan_by(ScanBy::TimestampAscending)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify::from_sdk(&e, region, profile))?;
        for result in page
            .metric_data_results()
            .iter()
            .filter(|r| r.id() == Some(want))
        {
            check_status(result.status_code(), result.messages(), region)?;
            points.extend(
                result
                    .timestamps()
                    .iter()
                    .copied()
                    .zip(result.values().iter().copied()),
            );
        }
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => break,
        }
    }
    // CloudWatch honours ScanBy, but sort anyway: pages and emulators may not.
    points.sort_by_key(|p| p.0);
    Ok(LookupData::Metric {
        points: points.into_iter().map(|(t, v)| (rfc3339(&t), v)).collect(),
    })
}

/// A result CloudWatch marked `Forbidden` or `InternalError` is an error, with its messages.
fn check_status(
    status: Option<&StatusCode>,
    messages: &[aws_sdk_cloudwatch::types::MessageData],
    region: &str,
) -> Result<(), LookupError> {
    let detail = || {
        let text: Vec<String> = messages
            .iter()
            .map(|m| match (m.code(), m.value()) {
                (Some(c), Some(v)) => format!("{c}: {v}"),
                (Some(c), None) => c.to_string(),
                (None, Some(v)) => v.to_string(),
                (None, None) => String::new(),
            })
            .filter(|t| !t.is_empty())
            .collect();
        if text.is_empty() {
            String::new()
        } else {
            format!(": {}", classify::one_line(&text.join("; ")))
        }
    };
    match status {
        Some(StatusCode::Forbidden) => Err(LookupError {
            kind: LookupErrorKind::AccessDenied,
            message: format!("access denied in {region}{}", detail()),
        }),
        Some(StatusCode::InternalError) => Err(LookupError {
            kind: LookupErrorKind::Other,
            message: format!(
                "cloudwatch could not compute the result in {region}{}",
                detail()
            ),
        }),
        _ => Ok(()),
    }
}

/// Alarms whose names start with `prefix` (in `state` when given), at most [`MAX_ALARMS`], by name.
pub(crate) async fn describe_alarms(
    client: &Client,
    prefix: &str,
    state: Option<AlarmState>,
    region: &str,
    profile: Option<&str>,
) -> Result<Vec<AlarmInfo>, LookupError> {
    let mut alarms = Vec::new();
    let mut token: Option<String> = None;
    while alarms.len() < MAX_ALARMS {
        let page = client
            .describe_alarms()
            .alarm_name_prefix(prefix)
            .set_state_value(state.map(|s| StateValue::from(s.as_str())))
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .alarm_types(AlarmType::LogAlarm)
            .max_records(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify::from_sdk(&e, region, profile))?;
        for a in page.metric_alarms() {
            alarms.push(info(
                a.alarm_name(),
                a.state_value(),
                a.state_reason(),
                a.state_transitioned_timestamp(),
                a.state_updated_timestamp(),
            ));
        }
        for a in page.composite_alarms() {
            alarms.push(info(
                a.alarm_name(),
                a.state_value(),
                a.state_reason(),
                a.state_transitioned_timestamp(),
                a.state_updated_timestamp(),
            ));
        }
        for a in page.log_alarms() {
            alarms.push(info(
                a.alarm_name(),
                a.state_value(),
                a.state_reason(),
                a.state_transitioned_timestamp(),
                a.state_updated_timestamp(),
            ));
        }
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => break,
        }
    }
    // CloudWatch applies both filters; some emulators ignore the state when a prefix is given.
    if let Some(state) = state {
        alarms.retain(|a| a.state == state);
    }
    alarms.truncate(MAX_ALARMS);
    alarms.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(alarms)
}

/// `since` is when the state last changed (`StateTransitionedTimestamp`), else its last update.
fn info(
    name: Option<&str>,
    state: Option<&StateValue>,
    reason: Option<&str>,
    transitioned: Option<&DateTime>,
    updated: Option<&DateTime>,
) -> AlarmInfo {
    AlarmInfo {
        name: name.unwrap_or_default().to_string(),
        // CloudWatch has three states; a missing or unknown one tells no more than INSUFFICIENT_DATA.
        state: state
            .and_then(|s| AlarmState::parse(s.as_str()))
            .unwrap_or(AlarmState::InsufficientData),
        reason: reason.map(classify::one_line).unwrap_or_default(),
        since: transitioned.or(updated).map(rfc3339),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::MetricStat as Stat;

    fn named(id: &str) -> NamedQuery {
        NamedQuery {
            id: id.into(),
            metric: Stat {
                namespace: "AWS/EC2".into(),
                metric: "CPUUtilization".into(),
                dimensions: vec![],
                stat: "Average".into(),
            },
        }
    }

    #[test]
    fn expression_ids_do_not_clash() {
        assert_eq!(expression_id(&[named("m1"), named("m2")]), "e1");
        assert_eq!(expression_id(&[named("e1"), named("e2")]), "e3");
    }

    #[test]
    fn forbidden_results_are_access_denied() {
        let e = check_status(Some(&StatusCode::Forbidden), &[], "eu-west-2").unwrap_err();
        assert_eq!(e.kind, LookupErrorKind::AccessDenied);
        assert_eq!(e.message, "access denied in eu-west-2");
        assert!(check_status(Some(&StatusCode::PartialData), &[], "eu-west-2").is_ok());
    }
}
