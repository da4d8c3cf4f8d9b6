//! Fan-out: one lookup in six regions at once should take about as long as in one region.
//!
//! Starts moto behind the test-only CBOR translator (as `tests/cloudwatch` does), seeds one
//! metric in six regions, makes every region answer 200 ms late, then compares the best of 5
//! wall times of `CloudWatch::lookup` for one region and for all six. Sequential requests would
//! take about 6×; the bound is 1.3×.
//!
//! Run: `cargo bench --bench lookup_fanout` (after `scripts/test` has made `.venv`, or with
//! `RUNBOOK_TEST_PYTHON` and `RUNBOOK_TEST_MOTO` set).

#[allow(dead_code)]
#[path = "../tests/cloudwatch/emulator.rs"]
mod emulator;

use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudwatch::config::{Credentials, SharedCredentialsProvider};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension as SdkDimension, MetricDatum};

use runbook::cloudwatch::{AwsSettings, CloudWatch};
use runbook::runbook::{Dimension, Lookup, LookupQuery, MetricStat, Span};
use runbook::walk::ports::{LookupRequest, Metrics};

const REGIONS: [&str; 6] = [
    "us-east-2",
    "us-west-2",
    "eu-west-2",
    "eu-central-1",
    "ap-southeast-1",
    "ap-southeast-2",
];
const DELAY_MS: u64 = 200;
const RUNS: usize = 5;
const BOUND: f64 = 1.3;
const NAMESPACE: &str = "Runbook/Bench";

fn config(url: &str, region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "bench",
        )))
        .endpoint_url(url)
        .build()
}

fn seed(url: &str) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    for (i, region) in REGIONS.iter().enumerate() {
        let client = aws_sdk_cloudwatch::Client::new(&config(url, region));
        let datum = MetricDatum::builder()
            .metric_name("Requests")
            .dimensions(SdkDimension::builder().name("Service").value("api").build())
            .timestamp(DateTime::from(SystemTime::now() - Duration::from_secs(120)))
            .value(i as f64)
            .build();
        rt.block_on(
            client
                .put_metric_data()
                .namespace(NAMESPACE)
                .metric_data(datum)
                .send(),
        )
        .map_err(|e| format!("seeding {region}: {e}"))?;
    }
    Ok(())
}

fn requests(regions: &[&str]) -> Vec<LookupRequest> {
    let query = LookupQuery::Metric {
        metric: MetricStat {
            namespace: NAMESPACE.into(),
            metric: "Requests".into(),
            dimensions: vec![Dimension {
                name: "Service".into(),
                value: "api".into(),
            }],
            stat: "Sum".into(),
        },
        period_s: 60,
        window_s: 900,
        expect: None,
    };
    regions
        .iter()
        .map(|r| LookupRequest {
            step: 1,
            lookup: Lookup {
                index: 1,
                span: Span::FILE,
                label: None,
                regions: Vec::new(),
                query: query.clone(),
            },
            region: r.to_string(),
        })
        .collect()
}

/// Best wall time of `RUNS` lookups; every outcome must succeed.
fn best(cw: &mut CloudWatch, requests: &[LookupRequest]) -> Result<Duration, String> {
    let mut best = Duration::MAX;
    for _ in 0..RUNS {
        let started = Instant::now();
        let outcomes = cw.lookup(requests);
        best = best.min(started.elapsed());
        if let Some(failed) = outcomes.iter().find(|o| o.result.is_err()) {
            return Err(format!("{}: {:?}", failed.request.region, failed.result));
        }
    }
    Ok(best)
}

fn main() -> ExitCode {
    let emu = match emulator::available() {
        Ok(emu) => emu,
        Err(why) => {
            eprintln!(
                "error: this benchmark needs the AWS emulator (scripts/test installs it): {why}"
            );
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = seed(&emu.url) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    for region in REGIONS {
        emu.delay(region, DELAY_MS);
    }
    let settings = AwsSettings {
        timeout: Duration::from_secs(10),
        ..AwsSettings::default()
    };
    let mut cw = CloudWatch::connect_with(settings, config(&emu.url, REGIONS[0]));
    // Warm up: credentials check, clients and connections for every region.
    let _ = cw.lookup(&requests(&REGIONS));
    let (one, all) = match (
        best(&mut cw, &requests(&REGIONS[..1])),
        best(&mut cw, &requests(&REGIONS)),
    ) {
        (Ok(one), Ok(all)) => (one, all),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: a lookup failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ratio = all.as_secs_f64() / one.as_secs_f64();
    let verdict = if ratio <= BOUND { "PASS" } else { "FAIL" };
    println!("lookup fan-out, every region answering {DELAY_MS} ms late, best of {RUNS}:");
    println!(
        "  1 region  ({}): {:>7.1} ms",
        REGIONS[0],
        one.as_secs_f64() * 1000.0
    );
    println!(
        "  6 regions at once:      {:>7.1} ms",
        all.as_secs_f64() * 1000.0
    );
    println!("  ratio {ratio:.2}× (sequential would be ~6×): {verdict} (bound ≤ {BOUND}×)");
    println!("reproduce: cargo bench --bench lookup_fanout");
    if verdict == "PASS" {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
