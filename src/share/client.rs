//! A CloudWatch Logs client on the same conventions as the metrics lookups: the SDK's default
//! credential chain (SSO included), `--profile`, `--aws-endpoint`, and the service's own
//! `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`. Built only when sharing or reading a shared incident.

use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_cloudwatchlogs::Client;

/// Where the incident is shared and how to reach it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareSettings {
    /// The log group (`--share-group`, default [`super::names::DEFAULT_GROUP`]).
    pub group: String,
    /// The region (`--share-region`); `None`: the SDK's default region.
    pub region: Option<String>,
    /// Named profile (`--profile`); `None`: the SDK's usual chain.
    pub profile: Option<String>,
    /// Endpoint for every AWS service (`--aws-endpoint`); the SDK also reads
    /// `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` and `AWS_ENDPOINT_URL` itself.
    pub endpoint: Option<String>,
    /// Longest wait for one request attempt.
    pub timeout: Duration,
}

/// Loads the SDK configuration and builds the client; call inside a tokio runtime.
pub async fn connect(settings: &ShareSettings) -> Client {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &settings.endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .build();
    let config = loader.timeout_config(timeouts).load().await;
    Client::new(&config)
}
