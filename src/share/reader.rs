//! Reading a shared incident back from CloudWatch Logs: its streams, and each stream's messages
//! (the log lines, byte for byte), whole or from where an earlier read stopped.

use std::error::Error as StdError;

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::{ProvideErrorMetadata, SdkError};

use super::names;
use crate::sdk_error::{lacks_credentials, no_credentials_message, one_line, root_cause};

/// One session's stream as read: its name, its session id, and its messages in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    /// `<incident>/<session>`.
    pub name: String,
    pub session: String,
    /// The log lines, without their newline, as shipped.
    pub lines: Vec<String>,
}

/// Why a shared incident cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The group holds no stream of the incident.
    #[error(
        "no shared session of incident `{incident}` in log group `{group}`{region}: check the incident id, --share-group and --share-region"
    )]
    NoStreams {
        incident: String,
        group: String,
        /// ` (eu-west-2)`, or empty when unknown.
        region: String,
    },
    /// No region to read from.
    #[error("no AWS region for CloudWatch Logs: pass --share-region, or set AWS_REGION")]
    NoRegion,
    /// A request failed: one line, lowercase, naming what was asked.
    #[error("cannot read incident `{incident}` from CloudWatch Logs: {reason}")]
    Aws { incident: String, reason: String },
}

impl ReadError {
    /// 1 when the incident is not there (as for an export with no event); 2 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            ReadError::NoStreams { .. } => 1,
            ReadError::NoRegion | ReadError::Aws { .. } => 2,
        }
    }
}

/// Where an incident is read from.
pub struct Incident<'a> {
    pub client: &'a Client,
    pub group: &'a str,
    pub incident: &'a str,
    /// `--profile`, named in the message when there are no credentials.
    pub profile: Option<&'a str>,
}

impl Incident<'_> {
    fn region(&self) -> String {
        self.client
            .config()
            .region()
            .map_or_else(String::new, |r| format!(" ({r})"))
    }

    fn fail<E, R>(&self, err: &SdkError<E, R>) -> ReadError
    where
        E: ProvideErrorMetadata + StdError + 'static,
        R: std::fmt::Debug + 'static,
    {
        ReadError::Aws {
            incident: self.incident.to_string(),
            reason: reason(err, self.group, &self.region(), self.profile),
        }
    }

    /// The names of the incident's streams, sorted (DescribeLogStreams by prefix, every page).
    pub async fn stream_names(&self) -> Result<Vec<String>, ReadError> {
        if self.client.config().region().is_none() {
            return Err(ReadError::NoRegion);
        }
        let prefix = names::stream_prefix(self.incident);
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .describe_log_streams()
                .log_group_name(self.group)
                .log_stream_name_prefix(&prefix)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| self.fail(&e))?;
            out.extend(
                page.log_streams()
                    .iter()
                    .filter_map(|s| s.log_stream_name())
                    .filter(|n| names::session_of(n, self.incident).is_some())
                    .map(str::to_string),
            );
            match page.next_token() {
                Some(next) if Some(next) != token.as_deref() && !next.is_empty() => {
                    token = Some(next.to_string());
                }
                _ => break,
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The stream's messages after `from` (a forward token of an earlier read; `None`: from the
    /// head), and the token to read on from. Follows the forward token until it repeats.
    pub async fn read_on(
        &self,
        stream: &str,
        from: Option<String>,
    ) -> Result<(Vec<String>, Option<String>), ReadError> {
        let mut lines = Vec::new();
        let mut token = from;
        loop {
            let page = self
                .client
                .get_log_events()
                .log_group_name(self.group)
                .log_stream_name(stream)
                .start_from_head(true)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| self.fail(&e))?;
            lines.extend(
                page.events()
                    .iter()
                    .filter_map(|e| e.message())
                    .map(str::to_string),
            );
            let next = page.next_forward_token().map(str::to_string);
            // The end is the token coming back unchanged; an empty page is not the end (the
            // service may return one while more events are available through the token).
            if next.is_none() || next == token {
                break;
            }
            token = next;
        }
        Ok((lines, token))
    }

    /// Every stream of the incident, read whole; `NoStreams` when there is none.
    pub async fn read_all(&self) -> Result<Vec<(Stream, Option<String>)>, ReadError> {
        let names = self.stream_names().await?;
        if names.is_empty() {
            return Err(ReadError::NoStreams {
                incident: self.incident.to_string(),
                group: self.group.to_string(),
                region: self.region(),
            });
        }
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let (lines, token) = self.read_on(&name, None).await?;
            let session = names::session_of(&name, self.incident)
                .unwrap_or_default()
                .to_string();
            out.push((
                Stream {
                    name,
                    session,
                    lines,
                },
                token,
            ));
        }
        Ok(out)
    }
}

/// One line saying why a request failed.
fn reason<E, R>(err: &SdkError<E, R>, group: &str, region: &str, profile: Option<&str>) -> String
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    let as_std: &(dyn StdError + 'static) = err;
    let no_credentials = no_credentials_message(profile);
    if lacks_credentials(as_std) {
        return no_credentials;
    }
    match err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let code = inner.code().unwrap_or("unknown error");
            let message = inner
                .message()
                .map(|m| format!(": {}", one_line(m)))
                .unwrap_or_default();
            let lower = code.to_ascii_lowercase();
            if lower.starts_with("resourcenotfound") {
                format!("log group `{group}` does not exist{region} ({code}{message})")
            } else if lower.starts_with("accessdenied") || lower.contains("notauthorized") {
                format!("access denied to log group `{group}`{region} ({code}{message})")
            } else if matches!(
                lower.trim_end_matches("exception"),
                "expiredtoken" | "invalidclienttokenid" | "unrecognizedclient"
            ) {
                format!("credentials rejected{region} ({code}{message})")
            } else {
                format!("{code}{message}")
            }
        }
        SdkError::TimeoutError(_) => format!("no answer{region}: the request timed out"),
        SdkError::DispatchFailure(failure) => {
            let cause = failure
                .as_connector_error()
                .map_or_else(|| root_cause(as_std), |c| root_cause(c));
            if cause.contains("identity") || cause.contains("auth scheme") {
                no_credentials
            } else {
                format!("cannot reach CloudWatch Logs{region}: {cause}")
            }
        }
        _ => root_cause(as_std),
    }
}
