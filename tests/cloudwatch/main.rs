//! CloudWatch lookups through the real AWS SDK, against moto behind the test-only CBOR translator.
//!
//! Each test uses its own regions (delays and failures are injected per region) and unique
//! names, so the tests run in parallel against one emulator. Timings are correctness bounds
//! (one slow region must not hold up the others), not speed goals.

mod binary;
#[allow(
    dead_code,
    reason = "the CloudWatch Logs client is for the sharing tests"
)]
mod emulator;
#[path = "../common/needs.rs"]
mod needs;
mod profiles;
#[path = "../common/pty.rs"]
mod pty;
mod terminal;

use std::time::{Duration, Instant, SystemTime};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::config::{Credentials, SharedCredentialsProvider};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension as SdkDimension, MetricDatum, StateValue, Statistic,
};

use runbook::cloudwatch::{AwsSettings, CloudWatch};
use runbook::event::LookupErrorKind;
use runbook::runbook::{AlarmState, Dimension, Lookup, LookupQuery, MetricStat, NamedQuery, Span};
use runbook::walk::ports::{GuardNews, LookupData, LookupOutcome, LookupRequest, Metrics};

use binary::{
    a_secret_dimension_is_redacted_in_lookup_json_the_log_and_the_exports,
    a_walk_logs_lookup_results_that_follow_the_schema,
    lookup_prints_per_region_verdicts_as_json_events,
};
use emulator::{Emulator, Shared, unique};
use profiles::a_profile_in_neither_aws_file_is_named_as_such;
use terminal::{
    a_blind_guard_says_so_and_says_when_it_sees_again,
    a_guard_alarm_firing_during_a_command_is_a_status_line_and_logged_once,
    a_signal_while_lookups_run_cancels_them_and_ends_the_walk,
    a_walks_lookups_show_their_table_in_a_terminal_twenty_times_in_a_row,
    ctrl_c_cancels_slow_lookups_and_the_walk_goes_on,
    no_credentials_is_one_line_and_l_retries_after_login,
    runbook_lookup_shows_its_tables_in_a_terminal_twenty_times_in_a_row,
};

fn credentials() -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new("testing", "testing", None, None, "tests"))
}

/// A configuration for the emulator, with explicit dummy credentials (no process-global env).
fn config(emu: &Emulator, region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .credentials_provider(credentials())
        .endpoint_url(&emu.url)
        .build()
}

fn settings(timeout: Duration) -> AwsSettings {
    AwsSettings {
        timeout,
        ..AwsSettings::default()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn seed_client(emu: &Emulator, region: &str) -> Client {
    Client::new(&config(emu, region))
}

/// Puts `value` for `namespace`/`metric` (dimension `Service=api`) `ago` seconds back.
fn put_metric(emu: &Emulator, region: &str, namespace: &str, metric: &str, value: f64, ago: u64) {
    let client = seed_client(emu, region);
    let at = SystemTime::now() - Duration::from_secs(ago);
    runtime()
        .block_on(
            client
                .put_metric_data()
                .namespace(namespace)
                .metric_data(
                    MetricDatum::builder()
                        .metric_name(metric)
                        .dimensions(SdkDimension::builder().name("Service").value("api").build())
                        .timestamp(DateTime::from(at))
                        .value(value)
                        .build(),
                )
                .send(),
        )
        .expect("put metric data");
}

fn put_alarm(emu: &Emulator, region: &str, name: &str, state: StateValue) {
    let client = seed_client(emu, region);
    let rt = runtime();
    rt.block_on(
        client
            .put_metric_alarm()
            .alarm_name(name)
            .namespace("Runbook/Test")
            .metric_name("Errors")
            .statistic(Statistic::Sum)
            .period(60)
            .evaluation_periods(1)
            .threshold(1.0)
            .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
            .send(),
    )
    .expect("put metric alarm");
    set_state(emu, region, name, state);
}

fn set_state(emu: &Emulator, region: &str, name: &str, state: StateValue) {
    let client = seed_client(emu, region);
    runtime()
        .block_on(
            client
                .set_alarm_state()
                .alarm_name(name)
                .state_value(state.clone())
                .state_reason(format!("test set {}", state.as_str()))
                .send(),
        )
        .expect("set alarm state");
}

fn lookup(query: LookupQuery) -> Lookup {
    Lookup {
        index: 1,
        span: Span::FILE,
        label: None,
        regions: Vec::new(),
        query,
    }
}

fn metric_query(namespace: &str, metric: &str) -> LookupQuery {
    LookupQuery::Metric {
        metric: stat(namespace, metric),
        period_s: 60,
        window_s: 900,
        expect: None,
    }
}

fn stat(namespace: &str, metric: &str) -> MetricStat {
    MetricStat {
        namespace: namespace.into(),
        metric: metric.into(),
        dimensions: vec![Dimension {
            name: "Service".into(),
            value: "api".into(),
        }],
        stat: "Sum".into(),
    }
}

fn requests(query: &LookupQuery, regions: &[&str]) -> Vec<LookupRequest> {
    regions
        .iter()
        .map(|r| LookupRequest {
            step: 1,
            lookup: lookup(query.clone()),
            region: r.to_string(),
        })
        .collect()
}

fn values(outcome: &LookupOutcome) -> Vec<f64> {
    match &outcome.result {
        Ok(LookupData::Metric { points }) => points.iter().map(|p| p.1).collect(),
        other => panic!("{}: expected points, got {other:?}", outcome.request.region),
    }
}

fn kind(outcome: &LookupOutcome) -> LookupErrorKind {
    match &outcome.result {
        Err(e) => e.kind,
        Ok(data) => panic!(
            "{}: expected an error, got {data:?}",
            outcome.request.region
        ),
    }
}

fn metric_data_is_read_back_per_region_without_mixing(emu: &Shared) {
    let ns = unique("Runbook/Fanout");
    let regions = ["us-east-2", "eu-west-2", "ap-southeast-1"];
    for (i, region) in regions.iter().enumerate() {
        put_metric(emu, region, &ns, "Requests", (i + 1) as f64 * 10.0, 120);
    }
    let mut cw =
        CloudWatch::connect_with(settings(Duration::from_secs(10)), config(emu, "us-east-2"));
    let outcomes = cw.lookup(&requests(&metric_query(&ns, "Requests"), &regions));
    assert_eq!(outcomes.len(), 3);
    for (i, outcome) in outcomes.iter().enumerate() {
        assert_eq!(
            outcome.request.region, regions[i],
            "outcomes come back in request order"
        );
        assert_eq!(
            values(outcome),
            vec![(i + 1) as f64 * 10.0],
            "{}",
            regions[i]
        );
        let Ok(LookupData::Metric { points }) = &outcome.result else {
            unreachable!()
        };
        assert!(
            points[0].0.ends_with('Z') && points[0].0.contains('T'),
            "RFC 3339 UTC: {}",
            points[0].0
        );
    }
    assert_eq!(cw.default_region().as_deref(), Some("us-east-2"));
}

fn points_come_oldest_first(emu: &Shared) {
    let ns = unique("Runbook/Order");
    let region = "ca-west-1";
    for (value, ago) in [(3.0, 130), (1.0, 430), (2.0, 250)] {
        put_metric(emu, region, &ns, "Requests", value, ago);
    }
    let mut cw = CloudWatch::connect_with(settings(Duration::from_secs(10)), config(emu, region));
    let outcomes = cw.lookup(&requests(&metric_query(&ns, "Requests"), &[region]));
    assert_eq!(values(&outcomes[0]), vec![1.0, 2.0, 3.0]);
}

fn expression_lookup_returns_only_the_expression(emu: &Shared) {
    let ns = unique("Runbook/Expr");
    let region = "eu-central-1";
    put_metric(emu, region, &ns, "Errors", 7.0, 120);
    // moto evaluates only expressions that name one query; real CloudWatch does full metric math.
    let query = LookupQuery::Expression {
        expression: "errors".into(),
        queries: vec![NamedQuery {
            id: "errors".into(),
            metric: stat(&ns, "Errors"),
        }],
        period_s: 60,
        window_s: 900,
        expect: None,
    };
    let mut cw = CloudWatch::connect_with(settings(Duration::from_secs(10)), config(emu, region));
    let outcomes = cw.lookup(&requests(&query, &[region]));
    assert_eq!(values(&outcomes[0]), vec![7.0]);
}

fn alarms_are_listed_by_prefix_and_state(emu: &Shared) {
    let region = "us-west-2";
    let prefix = unique("api");
    put_alarm(emu, region, &format!("{prefix}-5xx"), StateValue::Alarm);
    put_alarm(emu, region, &format!("{prefix}-latency"), StateValue::Alarm);
    put_alarm(emu, region, &format!("{prefix}-healthy"), StateValue::Ok);
    put_alarm(emu, region, &unique("other"), StateValue::Alarm);
    let mut cw = CloudWatch::connect_with(settings(Duration::from_secs(10)), config(emu, region));

    let firing = LookupQuery::Alarms {
        prefix: prefix.clone(),
        state: Some(AlarmState::Alarm),
    };
    let all = LookupQuery::Alarms {
        prefix: prefix.clone(),
        state: None,
    };
    let mut reqs = requests(&firing, &[region]);
    reqs.extend(requests(&all, &[region]));
    let outcomes = cw.lookup(&reqs);

    let Ok(LookupData::Alarms { alarms }) = &outcomes[0].result else {
        panic!("{:?}", outcomes[0])
    };
    let names: Vec<&str> = alarms.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [format!("{prefix}-5xx"), format!("{prefix}-latency")]
    );
    assert!(
        alarms
            .iter()
            .all(|a| a.state == AlarmState::Alarm && a.reason == "test set ALARM"),
        "{alarms:?}"
    );
    assert!(
        alarms
            .iter()
            .all(|a| a.since.as_deref().is_some_and(|s| s.ends_with('Z'))),
        "{alarms:?}"
    );

    let Ok(LookupData::Alarms { alarms }) = &outcomes[1].result else {
        panic!("{:?}", outcomes[1])
    };
    let states: Vec<(&str, &str)> = alarms
        .iter()
        .map(|a| (a.name.as_str(), a.state.as_str()))
        .collect();
    assert_eq!(states.len(), 3, "{states:?}");
    assert!(
        states.contains(&(&format!("{prefix}-healthy"), "OK")),
        "{states:?}"
    );
}

fn a_slow_region_does_not_delay_the_others(emu: &Shared) {
    let (slow, fast) = ("ca-central-1", ["eu-north-1", "sa-east-1"]);
    let ns = unique("Runbook/Slow");
    for region in [slow, fast[0], fast[1]] {
        put_metric(emu, region, &ns, "Requests", 1.0, 120);
    }
    emu.delay(slow, 2000);
    // Spinners are on (they draw nothing when stderr is not a terminal, as under cargo test).
    let settings = AwsSettings {
        show_progress: true,
        ..settings(Duration::from_secs(10))
    };
    let mut cw = CloudWatch::connect_with(settings, config(emu, slow));
    let started = Instant::now();
    let outcomes = cw.lookup(&requests(
        &metric_query(&ns, "Requests"),
        &[slow, fast[0], fast[1]],
    ));
    let wall = started.elapsed();
    assert_eq!(values(&outcomes[0]), vec![1.0]);
    assert!(
        outcomes[0].duration_ms >= 2000,
        "the slow region waited: {}ms",
        outcomes[0].duration_ms
    );
    for o in &outcomes[1..] {
        assert_eq!(values(o), vec![1.0]);
        assert!(
            o.duration_ms < 1000,
            "{} answered in {}ms while the slow one was pending",
            o.request.region,
            o.duration_ms
        );
    }
    assert!(
        wall < Duration::from_millis(3500),
        "all at once, not one after another: {wall:?}"
    );
}

fn a_region_slower_than_the_timeout_times_out(emu: &Shared) {
    let region = "ap-northeast-1";
    emu.delay(region, 4000);
    let mut cw = CloudWatch::connect_with(settings(Duration::from_secs(1)), config(emu, region));
    let started = Instant::now();
    let outcomes = cw.lookup(&requests(
        &metric_query("Runbook/Timeout", "Requests"),
        &[region],
    ));
    let wall = started.elapsed();
    assert_eq!(kind(&outcomes[0]), LookupErrorKind::Timeout);
    let Err(e) = &outcomes[0].result else {
        unreachable!()
    };
    assert_eq!(e.message, "no answer from ap-northeast-1 within 1s");
    assert!(
        (900..2000).contains(&outcomes[0].duration_ms),
        "{}ms",
        outcomes[0].duration_ms
    );
    assert!(wall < Duration::from_secs(2), "{wall:?}");
}

fn an_unreachable_endpoint_is_an_endpoint_error(emu: &Shared) {
    let region = "eu-south-1";
    let closed = format!("http://127.0.0.1:{}", emulator::closed_port());
    let settings = AwsSettings {
        endpoint: Some(closed),
        ..settings(Duration::from_secs(10))
    };
    let mut cw = CloudWatch::connect_with(settings, config(emu, region));
    let outcomes = cw.lookup(&requests(
        &metric_query("Runbook/Closed", "Requests"),
        &[region],
    ));
    assert_eq!(
        kind(&outcomes[0]),
        LookupErrorKind::Endpoint,
        "{:?}",
        outcomes[0].result
    );
    let Err(e) = &outcomes[0].result else {
        unreachable!()
    };
    assert!(
        e.message.contains(region) && !e.message.contains('\n'),
        "{}",
        e.message
    );
}

fn throttling_and_access_denied_are_classified(emu: &Shared) {
    let (throttled, denied) = ("ap-south-1", "eu-west-3");
    emu.fail(throttled, "Throttling", 400);
    emu.fail(denied, "AccessDenied", 403);
    let mut cw =
        CloudWatch::connect_with(settings(Duration::from_secs(10)), config(emu, throttled));
    let mut reqs = requests(
        &metric_query("Runbook/Fail", "Requests"),
        &[throttled, denied],
    );
    reqs.extend(requests(
        &LookupQuery::Alarms {
            prefix: "x".into(),
            state: None,
        },
        &[denied],
    ));
    let outcomes = cw.lookup(&reqs);
    assert_eq!(
        kind(&outcomes[0]),
        LookupErrorKind::Throttled,
        "{:?}",
        outcomes[0].result
    );
    assert_eq!(
        kind(&outcomes[1]),
        LookupErrorKind::AccessDenied,
        "{:?}",
        outcomes[1].result
    );
    assert_eq!(
        kind(&outcomes[2]),
        LookupErrorKind::AccessDenied,
        "{:?}",
        outcomes[2].result
    );
    for o in &outcomes {
        let Err(e) = &o.result else { unreachable!() };
        assert!(e.message.contains(&o.request.region), "{}", e.message);
    }
}

fn no_credentials_is_one_quick_clear_error(emu: &Shared) {
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(&emu.url)
        .build();
    let settings = AwsSettings {
        profile: Some("oncall".into()),
        ..settings(Duration::from_secs(10))
    };
    let mut cw = CloudWatch::connect_with(settings, config);
    let started = Instant::now();
    let outcomes = cw.lookup(&requests(
        &metric_query("Runbook/NoCreds", "Requests"),
        &["eu-west-1", "eu-west-2"],
    ));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    for o in &outcomes {
        assert_eq!(kind(o), LookupErrorKind::NoCredentials);
        let Err(e) = &o.result else { unreachable!() };
        assert_eq!(
            e.message,
            "no AWS credentials: run `aws sso login --profile oncall`, or set AWS_PROFILE / AWS_ACCESS_KEY_ID"
        );
    }
}

/// Polls `cw` until some guard news arrives (at most 5 s).
fn news_within(cw: &mut CloudWatch) -> Vec<GuardNews> {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let news: Vec<GuardNews> = cw.guard_news().into_iter().map(|u| u.news).collect();
        if !news.is_empty() || Instant::now() > until {
            return news;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn guard_alarms_report_each_change_once_with_its_own_time(emu: &Shared) {
    let region = "us-west-1";
    let prefix = unique("guard");
    let name = format!("{prefix}-db");
    put_alarm(emu, region, &name, StateValue::Ok);
    let settings = AwsSettings {
        guard_prefixes: vec![prefix.clone()],
        guard_regions: vec!["usw1".into()],
        guard_interval: Duration::from_millis(200),
        ..settings(Duration::from_secs(5))
    };
    let mut cw = CloudWatch::connect_with(settings, config(emu, "eu-west-1"));
    std::thread::sleep(Duration::from_millis(600));
    assert!(
        cw.guard_news().is_empty(),
        "nothing is news while the alarm is OK"
    );

    set_state(emu, region, &name, StateValue::Alarm);
    let fired = news_within(&mut cw);
    assert_eq!(fired.len(), 1, "{fired:?}");
    let GuardNews::Alarm(g) = &fired[0] else {
        panic!("{fired:?}")
    };
    assert_eq!(
        (g.region.as_str(), g.alarm.name.as_str()),
        (region, name.as_str())
    );
    assert_eq!(g.alarm.state, AlarmState::Alarm);
    // The alarm's own state-change time, not when the poll saw it.
    assert!(
        g.alarm.since.as_deref().is_some_and(|t| t.ends_with('Z')),
        "{g:?}"
    );

    std::thread::sleep(Duration::from_millis(700));
    assert!(cw.guard_news().is_empty(), "reported once");

    set_state(emu, region, &name, StateValue::Ok);
    let cleared = news_within(&mut cw);
    assert!(
        matches!(&cleared[..], [GuardNews::Alarm(g)] if g.alarm.state == AlarmState::Ok),
        "leaving ALARM is news: {cleared:?}"
    );

    let started = Instant::now();
    drop(cw);
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "the poll stops promptly: {:?}",
        started.elapsed()
    );
}

fn a_guard_that_cannot_poll_says_so_once_and_again_when_it_recovers(emu: &Shared) {
    let region = "me-south-1";
    let prefix = unique("blind");
    put_alarm(emu, region, &format!("{prefix}-db"), StateValue::Alarm);
    emu.fail(region, "AccessDenied", 403);
    let settings = AwsSettings {
        guard_prefixes: vec![prefix.clone()],
        guard_regions: vec![region.into()],
        guard_interval: Duration::from_millis(200),
        ..settings(Duration::from_secs(5))
    };
    let mut cw = CloudWatch::connect_with(settings, config(emu, region));
    let news = news_within(&mut cw);
    let [GuardNews::Unavailable { region: r, error }] = &news[..] else {
        panic!("{news:?}")
    };
    assert_eq!(
        (r.as_str(), error.kind),
        (region, LookupErrorKind::AccessDenied)
    );
    std::thread::sleep(Duration::from_millis(700));
    assert!(cw.guard_news().is_empty(), "said once, not at every poll");

    emu.control("fail", &format!(r#"{{"region":"{region}","status":0}}"#));
    let news = news_within(&mut cw);
    assert!(
        matches!(&news[..], [GuardNews::Recovered { region: r }, GuardNews::Alarm(g)]
            if r == region && g.alarm.state == AlarmState::Alarm),
        "recovered, then the alarm that fires: {news:?}"
    );
}

/// The standard environment variables, through [`CloudWatch::connect`], in a child process so
/// this test's environment cannot leak into the others.
fn connect_reads_the_standard_environment(emu: &Shared) {
    const CHILD: &str = "RUNBOOK_CLOUDWATCH_ENV_CHILD";
    if let Ok(var) = std::env::var(CHILD) {
        // In the child: `var` names the endpoint variable under test; the rest is set by the parent.
        let prefix = std::env::var("RUNBOOK_CLOUDWATCH_PREFIX").expect("prefix");
        let mut cw = CloudWatch::connect(settings(Duration::from_secs(10)));
        assert_eq!(cw.default_region().as_deref(), Some("af-south-1"));
        let outcomes = cw.lookup(&requests(
            &LookupQuery::Alarms {
                prefix: prefix.clone(),
                state: None,
            },
            &["af-south-1"],
        ));
        let Ok(LookupData::Alarms { alarms }) = &outcomes[0].result else {
            panic!("{var}: {:?}", outcomes[0])
        };
        assert_eq!(alarms.len(), 1, "{var}: {alarms:?}");
        return;
    }
    let prefix = unique("env");
    put_alarm(emu, "af-south-1", &format!("{prefix}-a"), StateValue::Alarm);
    let home = tempfile::tempdir().expect("tempdir");
    for var in ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDWATCH"] {
        let child_run = child(&["connect_reads_the_standard_environment"], home.path())
            .env(CHILD, var)
            .env(var, &emu.url)
            .env("RUNBOOK_CLOUDWATCH_PREFIX", &prefix)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "af-south-1")
            .output()
            .expect("run the child test");
        assert!(
            child_run.status.success(),
            "{var} was not honoured:\n{}",
            String::from_utf8_lossy(&child_run.stdout)
        );
    }
}

/// With no credentials anywhere, the real provider chain gives `NoCredentials` quickly.
fn connect_without_any_credentials() {
    const CHILD: &str = "RUNBOOK_CLOUDWATCH_NOCREDS_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let mut cw = CloudWatch::connect(settings(Duration::from_secs(10)));
        let started = Instant::now();
        let outcomes = cw.lookup(&requests(
            &metric_query("Runbook/X", "Y"),
            &["eu-west-2", "us-east-2"],
        ));
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        for o in &outcomes {
            let Err(e) = &o.result else {
                panic!("{:?}", o.result)
            };
            assert_eq!(e.kind, LookupErrorKind::NoCredentials, "{}", e.message);
            assert!(
                e.message
                    .starts_with("no AWS credentials: run `aws sso login --profile NAME`"),
                "{}",
                e.message
            );
        }
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let child_run = child(&["connect_without_any_credentials"], home.path())
        .env(CHILD, "1")
        .env("AWS_REGION", "eu-west-2")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", emulator::closed_port()),
        )
        .output()
        .expect("run the child test");
    assert!(
        child_run.status.success(),
        "{}",
        String::from_utf8_lossy(&child_run.stdout)
    );
}

/// This test binary, running one test, with every `AWS_*` variable removed and `HOME` in `home`.
fn child(filter: &[&str], home: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(std::env::current_exe().expect("current exe"));
    cmd.args(filter)
        .args(["--exact", "--nocapture", "--test-threads=1"]);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"));
    cmd
}

fn main() -> std::process::ExitCode {
    needs::Suite::default()
        .plain(tests![
            connect_without_any_credentials,
            a_profile_in_neither_aws_file_is_named_as_such,
        ])
        .needing(
            "the AWS emulator (moto; scripts/test installs it)",
            emulator::available(),
            tests![
                metric_data_is_read_back_per_region_without_mixing,
                points_come_oldest_first,
                expression_lookup_returns_only_the_expression,
                alarms_are_listed_by_prefix_and_state,
                a_slow_region_does_not_delay_the_others,
                a_region_slower_than_the_timeout_times_out,
                an_unreachable_endpoint_is_an_endpoint_error,
                throttling_and_access_denied_are_classified,
                no_credentials_is_one_quick_clear_error,
                guard_alarms_report_each_change_once_with_its_own_time,
                a_guard_that_cannot_poll_says_so_once_and_again_when_it_recovers,
                connect_reads_the_standard_environment,
                lookup_prints_per_region_verdicts_as_json_events,
                a_walk_logs_lookup_results_that_follow_the_schema,
                a_secret_dimension_is_redacted_in_lookup_json_the_log_and_the_exports,
                a_walks_lookups_show_their_table_in_a_terminal_twenty_times_in_a_row,
                runbook_lookup_shows_its_tables_in_a_terminal_twenty_times_in_a_row,
                ctrl_c_cancels_slow_lookups_and_the_walk_goes_on,
                a_signal_while_lookups_run_cancels_them_and_ends_the_walk,
                a_guard_alarm_firing_during_a_command_is_a_status_line_and_logged_once,
                a_blind_guard_says_so_and_says_when_it_sees_again,
                no_credentials_is_one_line_and_l_retries_after_login,
            ],
        )
        .run()
}
