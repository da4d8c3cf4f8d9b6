//! Reads `cloudwatch` blocks (YAML, readable on GitHub as it is) into lookups, with every problem at its line.

use serde_json::{Map, Value};

use crate::human::parse_duration;
use crate::runbook::{
    AlarmState, Diagnostic, DiagnosticCode, Dimension, Expect, Lookup, LookupQuery, MetricStat,
    NamedQuery, is_statistic, region,
};
use crate::span::{LineIndex, Span};

const METRIC_KEYS: &[&str] = &[
    "namespace",
    "metric",
    "dimensions",
    "stat",
    "period",
    "window",
    "regions",
    "expect",
    "label",
];
const EXPRESSION_KEYS: &[&str] = &[
    "expression",
    "queries",
    "period",
    "window",
    "regions",
    "expect",
    "label",
];
const ALARM_KEYS: &[&str] = &["alarms", "state", "regions", "label"];
const QUERY_KEYS: &[&str] = &["namespace", "metric", "dimensions", "stat"];

const DEFAULT_PERIOD_S: u32 = 60;
const DEFAULT_WINDOW_S: u32 = 30 * 60;

/// Where the block's text sits in the file, to point at its lines.
pub struct BlockPlace<'a> {
    /// 0-based file line of the block's first content line.
    pub first_line: usize,
    /// The fence, for problems with the whole block.
    pub span: Span,
    pub index: &'a LineIndex<'a>,
}

impl BlockPlace<'_> {
    /// The span of `key` (or `- key`) on the first block line at or after `from` that starts with it.
    fn key_span(&self, code: &str, key: &str, from: usize) -> (Span, usize) {
        for (k, line) in code.lines().enumerate().skip(from) {
            let body = line.trim_start().trim_start_matches("- ");
            let unquoted = body
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'));
            let quoted = body
                .strip_prefix('"')
                .and_then(|r| r.strip_prefix(key))
                .is_some_and(|r| r.starts_with("\":"));
            if unquoted || quoted {
                let file_line = self.first_line + k;
                let text = self.index.line_text(file_line);
                let col = text.find(body).unwrap_or(0);
                if let Some(start) = self.index.line_start(file_line) {
                    return (self.index.span(start + col, start + col + key.len()), k);
                }
            }
        }
        (self.span, from)
    }
}

/// The lookup a block describes; `None` (with diagnostics) when it cannot be read.
pub fn parse(
    code: &str,
    place: &BlockPlace<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Lookup> {
    let map = match serde_saphyr::from_str::<Value>(code) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            diagnostics.push(Diagnostic::error(
                DiagnosticCode::BadLookup,
                place.span,
                "a `cloudwatch` block holds `key: value` lines (`namespace:`, `metric:`, ... or `alarms:`)",
            ));
            return None;
        }
        Err(e) => {
            let line = e.location().map_or(1, |l| l.line() as usize);
            let column = e.location().map_or(1, |l| l.column() as usize);
            let file_line = place.first_line + line.saturating_sub(1);
            let text = place.index.line_text(file_line);
            let col: usize = text
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            let at = place
                .index
                .line_start(file_line)
                .map_or(place.span, |s| place.index.span(s + col, s + col));
            diagnostics.push(Diagnostic::error(
                DiagnosticCode::BadLookup,
                at,
                format!(
                    "invalid YAML in `cloudwatch` block: {}",
                    super::front_matter::yaml_message(&e)
                ),
            ));
            return None;
        }
    };
    let mut r = Reader {
        code,
        place,
        diagnostics,
        ok: true,
    };
    let (kind, keys) = if map.contains_key("alarms") {
        ("alarms", ALARM_KEYS)
    } else if map.contains_key("expression") {
        ("expression", EXPRESSION_KEYS)
    } else {
        ("metric", METRIC_KEYS)
    };
    for key in map.keys() {
        if !keys.contains(&key.as_str()) {
            let span = r.key(key);
            let hint = if METRIC_KEYS.contains(&key.as_str())
                || ALARM_KEYS.contains(&key.as_str())
                || EXPRESSION_KEYS.contains(&key.as_str())
            {
                format!(
                    "`{key}` does not go in an {kind} lookup; its keys are: {}",
                    keys.join(", ")
                )
            } else {
                format!(
                    "unknown key `{key}` in `cloudwatch` block; known: {}",
                    keys.join(", ")
                )
            };
            r.error(span, hint);
        }
    }
    let label = r.text(&map, "label");
    let regions = r.regions(&map);
    let query = match kind {
        "alarms" => {
            let prefix = r.text(&map, "alarms").unwrap_or_default();
            let state = r.text(&map, "state").and_then(|s| {
                let parsed = AlarmState::parse(&s);
                if parsed.is_none() {
                    let span = r.key("state");
                    r.error(
                        span,
                        format!(
                            "unknown alarm state `{s}`: use `OK`, `ALARM` or `INSUFFICIENT_DATA`"
                        ),
                    );
                }
                parsed
            });
            LookupQuery::Alarms { prefix, state }
        }
        "expression" => {
            let expression = r.text(&map, "expression").unwrap_or_default();
            let queries = r.queries(&map);
            let (period_s, window_s) = r.period_window(&map);
            let expect = r.expect(&map);
            LookupQuery::Expression {
                expression,
                queries,
                period_s,
                window_s,
                expect,
            }
        }
        _ => {
            let metric = r.metric_stat(&map, 0, place.span);
            let (period_s, window_s) = r.period_window(&map);
            let expect = r.expect(&map);
            LookupQuery::Metric {
                metric: metric?,
                period_s,
                window_s,
                expect,
            }
        }
    };
    r.ok.then_some(Lookup {
        index: 0,
        span: place.span,
        label,
        regions,
        query,
    })
}

struct Reader<'a, 'b> {
    code: &'a str,
    place: &'a BlockPlace<'b>,
    diagnostics: &'a mut Vec<Diagnostic>,
    ok: bool,
}

impl Reader<'_, '_> {
    fn key(&self, key: &str) -> Span {
        self.place.key_span(self.code, key, 0).0
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.ok = false;
        self.diagnostics
            .push(Diagnostic::error(DiagnosticCode::BadLookup, span, message));
    }

    fn text(&mut self, map: &Map<String, Value>, key: &str) -> Option<String> {
        match map.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => None,
            _ => {
                let span = self.key(key);
                self.error(span, format!("`{key}` must be text"));
                None
            }
        }
    }

    fn regions(&mut self, map: &Map<String, Value>) -> Vec<String> {
        let names: Vec<String> = match map.get("regions") {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::String(s)) => s
                .split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
            Some(_) => {
                let span = self.key("regions");
                self.error(span, "`regions` must be a list such as `[eu-west-2, euc1]`");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for name in names {
            match region::normalize(&name) {
                Some(full) if !out.iter().any(|r| r == full) => out.push(full.to_string()),
                Some(_) => {}
                None => {
                    let span = self.key("regions");
                    self.error(span, region::unknown_message(&name));
                }
            }
        }
        out
    }

    fn seconds(&mut self, map: &Map<String, Value>, key: &str, default: u32) -> u32 {
        let Some(text) = self.text(map, key) else {
            return default;
        };
        let span = self.key(key);
        match parse_duration(&text) {
            Ok(ms) if ms.is_multiple_of(1000) && ms / 1000 <= u64::from(u32::MAX) => {
                (ms / 1000) as u32
            }
            Ok(_) => {
                self.error(span, format!("`{key}` must be whole seconds, not `{text}`"));
                default
            }
            Err(message) => {
                self.error(span, message);
                default
            }
        }
    }

    fn period_window(&mut self, map: &Map<String, Value>) -> (u32, u32) {
        let period = self.seconds(map, "period", DEFAULT_PERIOD_S);
        let window = self.seconds(map, "window", DEFAULT_WINDOW_S);
        if !(matches!(period, 1 | 5 | 10 | 30) || period.is_multiple_of(60)) {
            let span = self.key("period");
            self.error(
                span,
                "CloudWatch periods are 1s, 5s, 10s, 30s or a multiple of 1m",
            );
        } else if window < period {
            let span = self.key("window");
            self.error(span, "`window` must be at least one `period` long");
        }
        (period, window)
    }

    fn expect(&mut self, map: &Map<String, Value>) -> Option<Expect> {
        let text = self.text(map, "expect")?;
        let parsed = Expect::parse(&text);
        if parsed.is_none() {
            let span = self.key("expect");
            self.error(
                span,
                format!(
                    "bad `expect` `{text}`: write a comparison such as `< 10`, `>= 0.99` or `== 0`"
                ),
            );
        }
        parsed
    }

    /// `namespace`, `metric`, `dimensions`, `stat` from `map` (the block, or one named query).
    fn metric_stat(
        &mut self,
        map: &Map<String, Value>,
        from_line: usize,
        at: Span,
    ) -> Option<MetricStat> {
        let namespace = self.text(map, "namespace");
        let metric = self.text(map, "metric");
        let (Some(namespace), Some(metric)) = (namespace, metric) else {
            self.error(at, "a metric lookup needs `namespace` and `metric` (or `expression` with `queries`, or `alarms`)");
            return None;
        };
        let stat = self.text(map, "stat").unwrap_or_else(|| "Average".into());
        if !is_statistic(&stat) {
            let span = self.place.key_span(self.code, "stat", from_line).0;
            self.error(
                span,
                format!("unknown statistic `{stat}`: use Average, Sum, Minimum, Maximum, SampleCount, or a percentile such as p99"),
            );
        }
        let dimensions = match map.get("dimensions") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(dims)) => dims
                .iter()
                .map(|(name, value)| Dimension {
                    name: name.clone(),
                    value: match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    },
                })
                .collect(),
            Some(_) => {
                let span = self.place.key_span(self.code, "dimensions", from_line).0;
                self.error(span, "`dimensions` must map names to values, such as `LoadBalancer: app/voice-api/50dc6c495c0c9188`");
                Vec::new()
            }
        };
        Some(MetricStat {
            namespace,
            metric,
            dimensions,
            stat,
        })
    }

    fn queries(&mut self, map: &Map<String, Value>) -> Vec<NamedQuery> {
        let entries: Vec<(String, Map<String, Value>)> = match map.get("queries") {
            Some(Value::Object(named)) => named
                .iter()
                .filter_map(|(id, v)| v.as_object().map(|m| (id.clone(), m.clone())))
                .collect(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_object())
                .map(|m| {
                    (
                        m.get("id")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                        m.clone(),
                    )
                })
                .collect(),
            _ => {
                let span = self.key("expression");
                self.error(span, "an `expression` needs `queries`: a mapping from ids to `namespace`, `metric`, `dimensions`, `stat`");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (id, mut m) in entries {
            let (span, line) = self.place.key_span(self.code, &id, 0);
            let valid_id = id.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid_id {
                self.error(span, format!("query id `{id}` must start with a lowercase letter and hold only letters, digits and `_`"));
            }
            m.remove("id");
            for key in m.keys() {
                if !QUERY_KEYS.contains(&key.as_str()) {
                    let at = self.place.key_span(self.code, key, line).0;
                    self.error(
                        at,
                        format!(
                            "unknown key `{key}` in query `{id}`; known: {}",
                            QUERY_KEYS.join(", ")
                        ),
                    );
                }
            }
            if let Some(metric) = self.metric_stat(&m, line, span) {
                out.push(NamedQuery { id, metric });
            }
        }
        out
    }
}
