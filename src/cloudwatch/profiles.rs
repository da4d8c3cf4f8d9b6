//! Whether a named AWS profile exists in the shared config and credentials files, so that a
//! misspelt `--profile` is said as such rather than as "no AWS credentials".

use std::path::PathBuf;

use crate::event::LookupErrorKind;
use crate::walk::ports::LookupError;

/// One of the two shared files, where the SDK looks for it.
struct ProfileFile {
    path: PathBuf,
    /// As the operator knows it: the environment variable's value, or `~/.aws/...`.
    shown: String,
    /// The config file names profiles `[profile NAME]`; the credentials file `[NAME]`.
    config: bool,
}

/// The files the SDK reads: `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`, or their
/// defaults under `~/.aws/`.
fn files() -> [ProfileFile; 2] {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let locate = |var: &str, default: &str, config: bool| {
        let given = std::env::var(var).ok().filter(|v| !v.is_empty());
        let shown = given.clone().unwrap_or_else(|| format!("~/{default}"));
        // The SDK expands a leading `~/` in these variables too.
        let path = match (shown.strip_prefix("~/"), &home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(&shown),
        };
        ProfileFile {
            path,
            shown,
            config,
        }
    };
    [
        locate("AWS_CONFIG_FILE", ".aws/config", true),
        locate("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", false),
    ]
}

/// The profile names a file's text declares. Lenient (a bare `[NAME]` in the config file
/// counts too): a false "not found" would be worse than the SDK's own message.
fn names(text: &str, config: bool) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let inner = line.strip_prefix('[')?.split(']').next()?.trim();
            let mut words = inner.split_whitespace();
            let first = words.next()?;
            match (first, words.next(), words.next()) {
                ("profile", Some(name), None) => Some(name.to_string()),
                // `[sso-session NAME]`, `[services NAME]`: not profiles.
                (_, Some(_), _) => None,
                (name, None, _) if config || name != "profile" => Some(name.to_string()),
                _ => None,
            }
        })
        .collect()
}

/// `Some` error when `profile` is in neither shared file; `None` when it is in one (or a file
/// cannot be read for another reason than its absence: then the SDK says what is wrong).
pub(crate) fn missing(profile: &str) -> Option<LookupError> {
    let files = files();
    for f in &files {
        match std::fs::read_to_string(&f.path) {
            Ok(text) if names(&text, f.config).iter().any(|n| n == profile) => return None,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => return None,
        }
    }
    Some(LookupError {
        kind: LookupErrorKind::NoCredentials,
        message: format!(
            "no AWS profile `{profile}` in `{}` or `{}`: check the name, or create it with `aws configure sso --profile {profile}`",
            files[0].shown, files[1].shown
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn profile_names_of_each_file() {
        let config = "[default]\nregion = eu-west-2\n[profile oncall-ro]\nsso_session = corp\n\
                      [ profile  spaced ]\n[sso-session corp]\n[services local]\n# [profile commented]\n[bare]\n";
        assert_eq!(
            names(config, true),
            ["default", "oncall-ro", "spaced", "bare"]
        );
        let credentials = "[default]\naws_access_key_id = x\n[ci]\n; [gone]\n";
        assert_eq!(names(credentials, false), ["default", "ci"]);
    }
}
