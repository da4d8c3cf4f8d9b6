use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::span::Span;

/// A CloudWatch lookup in a step: a metric (or metric-math expression), or a list of alarms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lookup {
    /// 1-based position among the step's lookups.
    pub index: usize,
    #[serde(flatten)]
    pub span: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Full region names given by the block; empty means `--region`, then the runbook's, then the default.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    #[serde(flatten)]
    pub query: LookupQuery,
}

/// What to ask CloudWatch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LookupQuery {
    Metric {
        #[serde(flatten)]
        metric: MetricStat,
        period_s: u32,
        window_s: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        expect: Option<Expect>,
    },
    /// Metric math over named queries.
    Expression {
        expression: String,
        queries: Vec<NamedQuery>,
        period_s: u32,
        window_s: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        expect: Option<Expect>,
    },
    Alarms {
        /// Alarm name prefix.
        prefix: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        state: Option<AlarmState>,
    },
}

/// One metric and the statistic to read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricStat {
    pub namespace: String,
    pub metric: String,
    /// In the order written; values may hold `$VARS`, resolved from the session's variables.
    pub dimensions: Vec<Dimension>,
    /// `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount`, `p99`, `tm90`, ...
    pub stat: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    pub name: String,
    pub value: String,
}

/// A query that an expression refers to by `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedQuery {
    pub id: String,
    #[serde(flatten)]
    pub metric: MetricStat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

impl AlarmState {
    pub fn parse(text: &str) -> Option<AlarmState> {
        match text.trim().to_ascii_uppercase().as_str() {
            "OK" => Some(AlarmState::Ok),
            "ALARM" => Some(AlarmState::Alarm),
            "INSUFFICIENT_DATA" => Some(AlarmState::InsufficientData),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

impl fmt::Display for AlarmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A comparison the latest datapoint must pass: `< 10`, `>= 0.99`, `== 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Expect {
    pub op: CmpOp,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Expect {
    /// Reads `< 10`, `<=5`, `> 0.5`, `== 0`, `!= 3`.
    pub fn parse(text: &str) -> Option<Expect> {
        let t = text.trim();
        let (op, rest) = [
            ("<=", CmpOp::Le),
            (">=", CmpOp::Ge),
            ("==", CmpOp::Eq),
            ("!=", CmpOp::Ne),
            ("<", CmpOp::Lt),
            (">", CmpOp::Gt),
            ("=", CmpOp::Eq),
        ]
        .iter()
        .find_map(|(p, op)| t.strip_prefix(p).map(|rest| (*op, rest)))?;
        let value: f64 = rest.trim().parse().ok()?;
        value.is_finite().then_some(Expect { op, value })
    }

    pub fn holds(&self, x: f64) -> bool {
        match self.op {
            CmpOp::Lt => x < self.value,
            CmpOp::Le => x <= self.value,
            CmpOp::Gt => x > self.value,
            CmpOp::Ge => x >= self.value,
            CmpOp::Eq => x == self.value,
            CmpOp::Ne => x != self.value,
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        };
        write!(f, "{op} {}", self.value)
    }
}

impl Serialize for Expect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Read back from the log as written: `< 10`.
impl<'de> Deserialize<'de> for Expect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Expect::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("bad expectation `{text}`")))
    }
}

/// Statistics CloudWatch accepts: the five standard ones and the extended ones (`p99`, `tm90`, `wm50`, `tc80`, `ts95`, `iqm`).
pub fn is_statistic(stat: &str) -> bool {
    if matches!(
        stat,
        "Average" | "Sum" | "Minimum" | "Maximum" | "SampleCount" | "IQM" | "iqm"
    ) {
        return true;
    }
    let lower = stat.to_ascii_lowercase();
    ["p", "tm", "wm", "tc", "ts", "pr"].iter().any(|prefix| {
        lower.strip_prefix(prefix).is_some_and(|n| {
            !n.is_empty()
                && n.parse::<f64>().is_ok_and(|v| (0.0..=100.0).contains(&v))
                && n.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectations() {
        let e = Expect::parse("< 10").unwrap();
        assert!(e.holds(9.0) && !e.holds(10.0));
        assert_eq!(Expect::parse(">=0.99").unwrap().to_string(), ">= 0.99");
        assert!(Expect::parse("about 3").is_none());
        assert!(Expect::parse("< NaN").is_none());
    }

    #[test]
    fn statistics() {
        for s in ["Sum", "p99", "p99.9", "tm90", "SampleCount"] {
            assert!(is_statistic(s), "{s}");
        }
        for s in ["sum", "p", "p101", "median", "Avg"] {
            assert!(!is_statistic(s), "{s}");
        }
    }
}
