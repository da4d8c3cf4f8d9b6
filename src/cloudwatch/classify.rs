//! Turns SDK errors into a [`LookupError`]: a kind the walk can act on and one lowercase line naming the region.

use std::error::Error as StdError;
use std::time::Duration;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudwatch::error::{ProvideErrorMetadata, SdkError};

use crate::event::LookupErrorKind;
use crate::human;
pub(crate) use crate::sdk_error::one_line;
use crate::sdk_error::{lacks_credentials, no_credentials_message, root_cause};
use crate::walk::ports::LookupError;

/// The one message for missing credentials, naming the profile to log in with.
pub(crate) fn no_credentials(profile: Option<&str>) -> LookupError {
    LookupError {
        kind: LookupErrorKind::NoCredentials,
        message: no_credentials_message(profile),
    }
}

/// No credentials provider answered within `limit` (an unreachable SSO portal or instance metadata).
pub(crate) fn no_credentials_within(profile: Option<&str>, limit: Duration) -> LookupError {
    let message = no_credentials(profile).message.replacen(
        "no AWS credentials:",
        &format!(
            "no AWS credentials found within {}:",
            human::duration(limit)
        ),
        1,
    );
    LookupError {
        kind: LookupErrorKind::NoCredentials,
        message,
    }
}

/// Our own timeout: the region did not answer in time.
pub(crate) fn timed_out(region: &str, after: Duration) -> LookupError {
    LookupError {
        kind: LookupErrorKind::Timeout,
        message: format!("no answer from {region} within {}", human::duration(after)),
    }
}

/// The kind a CloudWatch error code stands for (`AccessDenied`, `Throttling`, `InvalidParameterValue`, ...).
pub(crate) fn kind_of_code(code: &str) -> LookupErrorKind {
    let lower = code.to_ascii_lowercase();
    let lower = lower.strip_suffix("exception").unwrap_or(&lower);
    if matches!(
        lower,
        "expiredtoken"
            | "invalidclienttokenid"
            | "unrecognizedclient"
            | "missingauthenticationtoken"
            | "signaturedoesnotmatch"
    ) {
        LookupErrorKind::NoCredentials
    } else if lower.starts_with("accessdenied")
        || lower == "unauthorizedoperation"
        || lower.contains("notauthorized")
    {
        LookupErrorKind::AccessDenied
    } else if lower.starts_with("throttl")
        || lower == "requestlimitexceeded"
        || lower.starts_with("toomanyrequests")
    {
        LookupErrorKind::Throttled
    } else if lower.starts_with("invalid")
        || lower == "missingparameter"
        || lower.starts_with("validation")
    {
        LookupErrorKind::Invalid
    } else {
        LookupErrorKind::Other
    }
}

/// A service's error code and message as one of our errors.
pub(crate) fn from_code(
    code: &str,
    message: Option<&str>,
    region: &str,
    profile: Option<&str>,
) -> LookupError {
    let kind = kind_of_code(code);
    let detail = match message.map(one_line).filter(|m| !m.is_empty()) {
        Some(m) => format!("{code}: {m}"),
        None => code.to_string(),
    };
    let message = match kind {
        LookupErrorKind::NoCredentials => format!(
            "credentials rejected in {region} ({detail}): run `aws sso login --profile {}`, or set AWS_PROFILE / AWS_ACCESS_KEY_ID",
            profile.unwrap_or("NAME")
        ),
        LookupErrorKind::AccessDenied => format!("access denied in {region}: {detail}"),
        LookupErrorKind::Throttled => format!("throttled in {region}: {detail}"),
        LookupErrorKind::Invalid => format!("invalid request in {region}: {detail}"),
        _ => format!("cloudwatch error in {region}: {detail}"),
    };
    LookupError { kind, message }
}

/// Classifies any SDK error of an operation.
pub(crate) fn from_sdk<E, R>(
    err: &SdkError<E, R>,
    region: &str,
    profile: Option<&str>,
) -> LookupError
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    let as_std: &(dyn StdError + 'static) = err;
    if lacks_credentials(as_std) {
        return no_credentials(profile);
    }
    match err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            match inner.code() {
                Some(code) => from_code(code, inner.message(), region, profile),
                None => LookupError {
                    kind: LookupErrorKind::Other,
                    message: format!("cloudwatch error in {region}: {}", root_cause(inner)),
                },
            }
        }
        SdkError::TimeoutError(_) => LookupError {
            kind: LookupErrorKind::Timeout,
            message: format!("no answer from {region}: the request timed out"),
        },
        SdkError::DispatchFailure(failure) => {
            let cause = failure
                .as_connector_error()
                .map_or_else(|| root_cause(as_std), |c| root_cause(c));
            if failure.is_timeout() {
                LookupError {
                    kind: LookupErrorKind::Timeout,
                    message: format!("no answer from {region}: {cause}"),
                }
            } else if cause.contains("identity") || cause.contains("auth scheme") {
                no_credentials(profile)
            } else {
                LookupError {
                    kind: LookupErrorKind::Endpoint,
                    message: format!("cannot reach CloudWatch in {region}: {cause}"),
                }
            }
        }
        SdkError::ResponseError(_) => LookupError {
            kind: LookupErrorKind::Other,
            message: format!("unreadable answer from {region}: {}", root_cause(as_std)),
        },
        SdkError::ConstructionFailure(_) => {
            let cause = root_cause(as_std);
            let kind = if cause.contains("endpoint") {
                LookupErrorKind::Endpoint
            } else {
                LookupErrorKind::Invalid
            };
            LookupError {
                kind,
                message: format!("cannot build the request for {region}: {cause}"),
            }
        }
        _ => LookupError {
            kind: LookupErrorKind::Other,
            message: format!("cloudwatch error in {region}: {}", root_cause(as_std)),
        },
    }
}

/// A credentials provider's answer to the up-front check.
pub(crate) fn from_credentials_error(err: &CredentialsError, profile: Option<&str>) -> LookupError {
    match err {
        CredentialsError::Unhandled(_) => LookupError {
            kind: LookupErrorKind::NoCredentials,
            message: format!("{} ({})", no_credentials(profile).message, root_cause(err)),
        },
        _ => no_credentials(profile),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        use crate::event::LookupErrorKind::*;
        for (code, kind) in [
            ("AccessDenied", AccessDenied),
            ("AccessDeniedException", AccessDenied),
            ("UnauthorizedOperation", AccessDenied),
            ("NotAuthorized", AccessDenied),
            ("UserNotAuthorizedException", AccessDenied),
            ("Throttling", Throttled),
            ("ThrottlingException", Throttled),
            ("RequestLimitExceeded", Throttled),
            ("InvalidParameterValue", Invalid),
            ("InvalidParameterCombination", Invalid),
            ("MissingParameter", Invalid),
            ("ValidationError", Invalid),
            ("ExpiredToken", NoCredentials),
            ("ExpiredTokenException", NoCredentials),
            ("InvalidClientTokenId", NoCredentials),
            ("UnrecognizedClientException", NoCredentials),
            ("InternalServiceError", Other),
            ("ResourceNotFound", Other),
        ] {
            assert_eq!(kind_of_code(code), kind, "{code}");
        }
    }

    #[test]
    fn messages_are_one_lowercase_line_with_the_region() {
        let e = from_code(
            "Throttling",
            Some("Rate exceeded\nslow down"),
            "eu-west-2",
            None,
        );
        assert_eq!(
            e.message,
            "throttled in eu-west-2: Throttling: Rate exceeded slow down"
        );
        let e = from_code("AccessDenied", None, "us-east-2", None);
        assert_eq!(e.message, "access denied in us-east-2: AccessDenied");
        assert!(
            no_credentials(Some("prod"))
                .message
                .contains("aws sso login --profile prod")
        );
        assert_eq!(
            timed_out("eu-west-2", Duration::from_secs(10)).message,
            "no answer from eu-west-2 within 10s"
        );
    }

    #[test]
    fn long_messages_are_cut() {
        assert_eq!(one_line(&"x ".repeat(500)).chars().count(), 300);
    }

    #[test]
    fn credential_errors() {
        let e = from_credentials_error(&CredentialsError::not_loaded_no_source(), Some("dev"));
        assert_eq!(e.kind, LookupErrorKind::NoCredentials);
        assert!(
            e.message
                .starts_with("no AWS credentials: run `aws sso login --profile dev`")
        );
        let e = no_credentials_within(None, Duration::from_secs(5));
        assert!(
            e.message.starts_with(
                "no AWS credentials found within 5s: run `aws sso login --profile NAME`"
            )
        );
    }
}
