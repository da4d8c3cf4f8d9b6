//! AWS region names: the full names, and the short forms teams use in workspace names (`euw2`, `apse1`).

/// Every commercial region this tool knows, with its short name.
const REGIONS: &[(&str, &str)] = &[
    ("us-east-1", "use1"),
    ("us-east-2", "use2"),
    ("us-west-1", "usw1"),
    ("us-west-2", "usw2"),
    ("af-south-1", "afs1"),
    ("ap-east-1", "ape1"),
    ("ap-south-1", "aps1"),
    ("ap-south-2", "aps2"),
    ("ap-southeast-1", "apse1"),
    ("ap-southeast-2", "apse2"),
    ("ap-southeast-3", "apse3"),
    ("ap-southeast-4", "apse4"),
    ("ap-southeast-5", "apse5"),
    ("ap-southeast-7", "apse7"),
    ("ap-northeast-1", "apne1"),
    ("ap-northeast-2", "apne2"),
    ("ap-northeast-3", "apne3"),
    ("ca-central-1", "cac1"),
    ("ca-west-1", "caw1"),
    ("eu-central-1", "euc1"),
    ("eu-central-2", "euc2"),
    ("eu-west-1", "euw1"),
    ("eu-west-2", "euw2"),
    ("eu-west-3", "euw3"),
    ("eu-south-1", "eus1"),
    ("eu-south-2", "eus2"),
    ("eu-north-1", "eun1"),
    ("il-central-1", "ilc1"),
    ("me-south-1", "mes1"),
    ("me-central-1", "mec1"),
    ("mx-central-1", "mxc1"),
    ("sa-east-1", "sae1"),
    ("us-gov-east-1", "usge1"),
    ("us-gov-west-1", "usgw1"),
];

/// The full region name for `name` (full or short, any case), or `None` when unknown.
pub fn normalize(name: &str) -> Option<&'static str> {
    let lower = name.trim().to_ascii_lowercase();
    REGIONS
        .iter()
        .find(|(full, short)| *full == lower || *short == lower)
        .map(|(full, _)| *full)
}

/// The short name of a full region name, for narrow table headers.
pub fn short(full: &str) -> &str {
    REGIONS
        .iter()
        .find(|(f, _)| *f == full)
        .map_or(full, |(_, s)| s)
}

/// `unknown region `x`; ...` with a hint, for messages.
pub fn unknown_message(name: &str) -> String {
    format!("unknown region `{name}`: use a name like `eu-west-2` or its short form `euw2`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_and_short_names() {
        assert_eq!(normalize("euw2"), Some("eu-west-2"));
        assert_eq!(normalize("APSE1"), Some("ap-southeast-1"));
        assert_eq!(normalize("us-east-2"), Some("us-east-2"));
        assert_eq!(normalize("euw9"), None);
        assert_eq!(short("ap-southeast-2"), "apse2");
    }
}
