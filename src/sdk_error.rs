//! Reading an AWS SDK error, for CloudWatch lookups and shared incidents alike: its chain of
//! causes, the cause worth showing, and whether it is about credentials. Each caller words its
//! own message around these.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;

/// The error and its sources, outermost first.
pub(crate) fn chain<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |e: &&'a (dyn StdError + 'static)| (*e).source())
}

/// The innermost causes, one line: they say what went wrong with a connection ("connection
/// refused"), where the SDK's outer layers say only "dispatch failure". The last two levels
/// when the outer adds something: "io error: connection refused" reads better than either.
pub(crate) fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let texts: Vec<String> = chain(err)
        .map(ToString::to_string)
        .filter(|t| !t.is_empty())
        .collect();
    match texts.as_slice() {
        [] => "unknown error".into(),
        [only] => one_line(only),
        [.., outer, inner] if !outer.contains(inner.as_str()) => {
            one_line(&format!("{outer}: {inner}"))
        }
        [.., inner] => one_line(inner),
    }
}

/// Whether the SDK found no credentials (anywhere in the chain).
pub(crate) fn lacks_credentials(err: &(dyn StdError + 'static)) -> bool {
    chain(err).any(|e| e.downcast_ref::<CredentialsError>().is_some())
}

/// The one message for missing credentials, naming the profile to log in with.
pub(crate) fn no_credentials_message(profile: Option<&str>) -> String {
    format!(
        "no AWS credentials: run `aws sso login --profile {}`, or set AWS_PROFILE / AWS_ACCESS_KEY_ID",
        profile.unwrap_or("NAME")
    )
}

/// `text` on one line (whitespace runs as one space), cut at 300 characters.
pub(crate) fn one_line(text: &str) -> String {
    let mut line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 300 {
        line = line.chars().take(299).collect::<String>() + "…";
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Layer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref().map(|l| l as &(dyn StdError + 'static))
        }
    }

    fn layers(texts: &[&'static str]) -> Layer {
        texts
            .iter()
            .rev()
            .fold(None, |inner, t| Some(Layer(t, inner.map(Box::new))))
            .unwrap()
    }

    #[test]
    fn the_cause_is_the_last_two_levels_unless_the_outer_repeats_the_inner() {
        let err = layers(&["dispatch failure", "io error", "connection refused"]);
        assert_eq!(root_cause(&err), "io error: connection refused");
        let err = layers(&[
            "request failed",
            "io error: connection refused",
            "connection refused",
        ]);
        assert_eq!(root_cause(&err), "connection refused");
        let err = layers(&["dispatch failure"]);
        assert_eq!(root_cause(&err), "dispatch failure");
        let err = layers(&["error: connection\n  reset", "connection\n  reset"]);
        assert_eq!(root_cause(&err), "connection reset");
        assert!(!lacks_credentials(&err));
    }

    #[test]
    fn long_causes_are_cut_on_one_line() {
        let long = "x ".repeat(400);
        let line = one_line(&long);
        assert_eq!(line.chars().count(), 300);
        assert!(line.ends_with('…') && !line.contains('\n'));
    }
}
