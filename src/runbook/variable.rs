use serde::Serialize;

use crate::span::Span;

/// A value commands need, declared in front matter or found in their text.
#[derive(Debug, Clone, Serialize)]
pub struct Variable {
    pub name: String,
    /// Declared in front matter; otherwise detected in a command.
    pub declared: bool,
    /// Never logged or echoed; asked with hidden input.
    pub secret: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Regular expression a value must match in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Where it is declared, else its first use.
    #[serde(flatten)]
    pub span: Span,
}

impl Variable {
    /// A variable a command (or lookup) reads without the front matter declaring it.
    pub fn undeclared(name: &str, span: Span) -> Self {
        Variable {
            name: name.to_string(),
            declared: false,
            secret: secret_by_name(name),
            required: false,
            description: None,
            default: None,
            pattern: None,
            span,
        }
    }
}

/// Parts of a name that mark its value as a credential, as env-style names spell them.
const SECRET_NAME_PARTS: [&str; 8] = [
    "TOKEN",
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "API_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
    "AUTH",
];

/// Whether a variable's name says it holds a credential (`ADMIN_API_TOKEN`, `db_password`):
/// such a variable is secret unless the front matter declares `secret: false`. Case does not
/// matter, so a lower-case shell name is caught too; a false alarm (`AUTHOR`) only hides a value,
/// a miss would log a credential.
pub fn secret_by_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_NAME_PARTS.iter().any(|part| upper.contains(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_are_secret_whatever_their_case() {
        for name in [
            "ADMIN_API_TOKEN",
            "DB_PASSWORD",
            "MYSQL_PASSWD",
            "CLIENT_SECRET",
            "STRIPE_API_KEY",
            "SSH_PRIVATE_KEY",
            "GCP_CREDENTIALS",
            "REDIS_AUTH",
            "github_token",
            "Basic_Auth_Header",
        ] {
            assert!(secret_by_name(name), "{name}");
        }
        for name in ["NODE", "REGION", "KEY_PATTERN", "API_URL", "TOKE"] {
            assert!(!secret_by_name(name), "{name}");
        }
    }

    #[test]
    fn an_undeclared_variable_is_secret_by_its_name() {
        let span = Span::FILE;
        assert!(Variable::undeclared("ADMIN_API_TOKEN", span).secret);
        assert!(!Variable::undeclared("NODE", span).secret);
    }
}
