use serde::Serialize;
use serde_json::{Map, Value};

/// Metadata from the YAML front matter; every field is optional.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FrontMatter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Default regions for CloudWatch lookups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// The AWS profile lookups and guard alarms use, unless `--profile` names another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Every walk of this runbook shares its incident log through CloudWatch Logs (as `--share`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub share: bool,
    /// Alarm name prefixes watched during a whole walk.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub guard_alarms: Vec<String>,
    /// Keys this tool does not know (Hugo's `weight`, a team's own), kept as they were.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}
