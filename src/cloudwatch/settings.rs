//! What [`CloudWatch::connect`](super::CloudWatch::connect) needs to know: profile, endpoint, limits, guard alarms.

use std::time::Duration;

/// How to reach CloudWatch and what to watch in the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSettings {
    /// Named profile (`--profile`); `None` uses the SDK's usual chain (`AWS_PROFILE`, `default`).
    pub profile: Option<String>,
    /// Endpoint URL for every region (an emulator, a VPC endpoint). `AWS_ENDPOINT_URL` and
    /// `AWS_ENDPOINT_URL_CLOUDWATCH` work too, as in every AWS SDK.
    pub endpoint: Option<String>,
    /// How long one region may take to answer one lookup.
    pub timeout: Duration,
    /// Draw one spinner per region on stderr while lookups run (only when stderr is a terminal).
    pub show_progress: bool,
    /// Alarm name prefixes watched in the background; empty means no guard.
    pub guard_prefixes: Vec<String>,
    /// Regions the guard alarms are watched in; empty means the default region.
    pub guard_regions: Vec<String>,
    /// How often the guard alarms are polled.
    pub guard_interval: Duration,
}

impl Default for AwsSettings {
    fn default() -> Self {
        AwsSettings {
            profile: None,
            endpoint: None,
            timeout: Duration::from_secs(10),
            show_progress: false,
            guard_prefixes: Vec::new(),
            guard_regions: Vec::new(),
            guard_interval: Duration::from_secs(30),
        }
    }
}
