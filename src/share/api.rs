//! The CloudWatch Logs calls a shipper makes, behind a trait: the SDK for walks, a fake in unit
//! tests (no emulator can fail or stall in the middle of a batch on cue).

use std::error::Error as StdError;

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;

use super::client::{ShareSettings, connect};
use super::item::{Item, seq_of};
use crate::sdk_error::root_cause;

/// How many of a stream's last events are read to find its highest `seq` (events of the same
/// millisecond may come back in any order).
const TAIL_EVENTS: i32 = 100;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The log group or stream does not exist.
    NotFound,
    /// The log group or stream exists already: fine when creating it.
    AlreadyExists,
    /// Anything else (network, throttling, credentials, the service): retried. Lowercase, one line.
    Failed(String),
}

/// Events of a request CloudWatch Logs refused for their time (older than the group's
/// retention or 14 days, more than 2 hours ahead), by index; the others are stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rejected {
    /// Events from this index on are too new.
    pub too_new_from: Option<usize>,
    /// Events up to this index are too old.
    pub too_old_to: Option<usize>,
    /// Events up to this index are past the group's retention.
    pub expired_to: Option<usize>,
}

impl Rejected {
    /// Whether event `index` of the request was refused.
    pub fn contains(&self, index: usize) -> bool {
        self.too_new_from.is_some_and(|i| index >= i)
            || self.too_old_to.is_some_and(|i| index <= i)
            || self.expired_to.is_some_and(|i| index <= i)
    }
}

/// The calls: CreateLogGroup, CreateLogStream, GetLogEvents (the tail), PutLogEvents.
pub trait LogsApi {
    fn create_group(&mut self, group: &str) -> Result<(), ApiError>;
    fn create_stream(&mut self, group: &str, stream: &str) -> Result<(), ApiError>;
    /// The highest `seq` among the stream's last events; `None` for an empty stream,
    /// [`ApiError::NotFound`] when the stream (or group) does not exist.
    fn last_seq(&mut self, group: &str, stream: &str) -> Result<Option<u64>, ApiError>;
    /// Stores `events` (in time order, within PutLogEvents' limits) at the end of the stream.
    fn put(&mut self, group: &str, stream: &str, events: &[Item]) -> Result<Rejected, ApiError>;
    /// The region requests go to, once known.
    fn region(&self) -> Option<String>;
}

/// The SDK, on a current-thread runtime of the shipper's own thread; the client is built at the
/// first call, so a walk's start never waits for AWS set-up.
pub struct SdkLogs {
    runtime: tokio::runtime::Runtime,
    settings: ShareSettings,
    client: Option<Client>,
}

impl SdkLogs {
    pub fn new(settings: ShareSettings) -> std::io::Result<SdkLogs> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(SdkLogs {
            runtime,
            settings,
            client: None,
        })
    }

    fn client(&mut self) -> Client {
        if let Some(client) = &self.client {
            return client.clone();
        }
        let connected = self.runtime.block_on(connect(&self.settings));
        // The shipper retries on its own schedule (and keeps going offline); SDK retries would
        // only hide how long the network has been gone.
        let config = connected
            .config()
            .to_builder()
            .retry_config(aws_sdk_cloudwatchlogs::config::retry::RetryConfig::disabled())
            .build();
        let client = Client::from_conf(config);
        self.client = Some(client.clone());
        client
    }
}

impl LogsApi for SdkLogs {
    fn create_group(&mut self, group: &str) -> Result<(), ApiError> {
        let client = self.client();
        let call = client.create_log_group().log_group_name(group).send();
        self.runtime
            .block_on(call)
            .map(drop)
            .map_err(|e| classify(&e))
    }

    fn create_stream(&mut self, group: &str, stream: &str) -> Result<(), ApiError> {
        let client = self.client();
        let call = client
            .create_log_stream()
            .log_group_name(group)
            .log_stream_name(stream)
            .send();
        self.runtime
            .block_on(call)
            .map(drop)
            .map_err(|e| classify(&e))
    }

    fn last_seq(&mut self, group: &str, stream: &str) -> Result<Option<u64>, ApiError> {
        let client = self.client();
        let call = client
            .get_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .start_from_head(false)
            .limit(TAIL_EVENTS)
            .send();
        let out = self.runtime.block_on(call).map_err(|e| classify(&e))?;
        Ok(out
            .events()
            .iter()
            .filter_map(|e| e.message().and_then(seq_of))
            .max())
    }

    fn put(&mut self, group: &str, stream: &str, events: &[Item]) -> Result<Rejected, ApiError> {
        let client = self.client();
        let events: Vec<InputLogEvent> = events
            .iter()
            .filter_map(|item| {
                InputLogEvent::builder()
                    .timestamp(item.ts_millis)
                    .message(item.message.clone())
                    .build()
                    .ok()
            })
            .collect();
        let call = client
            .put_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .set_log_events(Some(events))
            .send();
        let out = self.runtime.block_on(call).map_err(|e| classify(&e))?;
        let index = |i: Option<i32>| i.and_then(|i| usize::try_from(i).ok());
        Ok(out
            .rejected_log_events_info()
            .map(|r| Rejected {
                too_new_from: index(r.too_new_log_event_start_index()),
                too_old_to: index(r.too_old_log_event_end_index()),
                expired_to: index(r.expired_log_event_end_index()),
            })
            .unwrap_or_default())
    }

    fn region(&self) -> Option<String> {
        let client = self.client.as_ref()?;
        client.config().region().map(ToString::to_string)
    }
}

/// The error's kind by its code, else one lowercase line saying why.
fn classify<E, R>(err: &SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    match err.code() {
        Some("ResourceNotFoundException") => return ApiError::NotFound,
        Some("ResourceAlreadyExistsException") => return ApiError::AlreadyExists,
        _ => {}
    }
    let reason = match err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            match (inner.code(), inner.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_string(),
                _ => root_cause(inner),
            }
        }
        SdkError::TimeoutError(_) => "no answer in time".to_string(),
        SdkError::DispatchFailure(failure) => {
            let cause = failure
                .as_connector_error()
                .map_or_else(|| root_cause(err), |c| root_cause(c));
            format!("cannot reach CloudWatch Logs: {cause}")
        }
        _ => root_cause(err),
    };
    ApiError::Failed(reason.lines().next().unwrap_or_default().to_string())
}
