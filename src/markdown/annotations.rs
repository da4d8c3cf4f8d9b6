//! Reads block annotations: `{name=x confirm}` and Runme's `{"name":"x"}` after a fence's language, and `<!-- runbook: ... -->` comments.

use std::borrow::Cow;

use crate::human::parse_duration;
use crate::runbook::{
    AnnotationSource, AnnotationSources, Annotations, Diagnostic, DiagnosticCode,
};
use crate::span::{LineIndex, Span};
use crate::suggest::edit_distance;

/// What an HTML comment addressed to this tool says.
pub enum CommentAnnotation {
    /// Annotations for the code block that follows.
    Block(Annotations),
    /// `step id=...`: names the enclosing step.
    Step { id: Option<(String, Span)> },
}

/// A fence's info string split into its language and annotations.
pub struct InfoString {
    pub lang: Cow<'static, str>,
    pub annotations: Annotations,
}

/// Reads a fence info string that starts at byte `offset` of the file.
pub fn parse_info_string(
    info: &str,
    offset: usize,
    index: &LineIndex<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> InfoString {
    let info_trimmed = info.trim_start();
    let lead = info.len() - info_trimmed.len();
    let lang_end = info_trimmed
        .find(|c: char| c.is_whitespace() || c == '{' || c == ',')
        .unwrap_or(info_trimmed.len());
    let lang = lang_name(&info_trimmed[..lang_end]);
    let rest = &info_trimmed[lang_end..];
    let rest_trimmed = rest.trim_start();
    let rest_offset = offset + lead + lang_end + (rest.len() - rest_trimmed.len());
    let mut annotations = Annotations::default();
    if let Some(body) = rest_trimmed.strip_prefix('{') {
        let span = index.span(rest_offset, rest_offset + rest_trimmed.len());
        let Some(close) = body.rfind('}') else {
            diagnostics.push(Diagnostic::error(
                DiagnosticCode::BadAnnotation,
                span,
                "annotations opened with `{` are not closed with `}`",
            ));
            return InfoString { lang, annotations };
        };
        let inner = &body[..close];
        if inner.trim_start().starts_with('"') {
            annotations = parse_json(rest_trimmed, span, diagnostics);
        } else {
            annotations = parse_pairs(
                inner,
                rest_offset + 1,
                index,
                AnnotationSource::InfoString,
                diagnostics,
            );
        }
        annotations.span = Some(span);
    }
    InfoString { lang, annotations }
}

/// Languages runbooks use most, kept as static strings: a runbook has thousands of blocks.
const COMMON_LANGS: &[&str] = &[
    "",
    "bash",
    "sh",
    "shell",
    "zsh",
    "console",
    "shell-session",
    "shellsession",
    "terminal",
    "sql",
    "mysql",
    "psql",
    "yaml",
    "yml",
    "json",
    "text",
    "txt",
    "plaintext",
    "cloudwatch",
    "promql",
    "python",
    "hcl",
    "terraform",
    "toml",
    "ini",
    "xml",
    "html",
    "diff",
    "go",
];

/// A fence's language, lower-cased.
fn lang_name(word: &str) -> Cow<'static, str> {
    match COMMON_LANGS.iter().find(|l| l.eq_ignore_ascii_case(word)) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(word.to_ascii_lowercase()),
    }
}

/// Reads `<!-- runbook: ... -->`; `None` when the comment is not addressed to this tool.
pub fn parse_comment(
    html: &str,
    offset: usize,
    index: &LineIndex<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(CommentAnnotation, Span)> {
    let trimmed = html.trim_start();
    let start = offset + (html.len() - trimmed.len());
    let inner = trimmed.strip_prefix("<!--")?;
    let body_rel = inner.len() - inner.trim_start().len();
    let inner = inner.trim_start().strip_prefix("runbook:")?;
    let end = super::find_comment_end(inner)?;
    let body = &inner[..end];
    let body_offset = start + 4 + body_rel + "runbook:".len();
    let span = index.span(start, start + 4 + body_rel + 8 + end + 3);
    let words = body.trim_start();
    let words_offset = body_offset + (body.len() - words.len());
    if let Some(after) = words.strip_prefix("step")
        && (after.is_empty() || after.starts_with(char::is_whitespace))
    {
        let mut id = None;
        for token in tokens(after, words_offset + 4) {
            let key_span = index.span(token.offset, token.offset + token.key.len());
            match (token.key, token.value) {
                ("id", Some(value)) if !value.is_empty() => {
                    id = Some((value.to_string(), key_span));
                }
                ("id", _) => diagnostics.push(Diagnostic::error(
                    DiagnosticCode::BadAnnotation,
                    key_span,
                    "`id` needs a value, as in `step id=drain-node`",
                )),
                (key, _) => diagnostics.push(Diagnostic::error(
                    DiagnosticCode::UnknownAnnotation,
                    key_span,
                    format!("unknown step annotation `{key}`; the only key is `id`"),
                )),
            }
        }
        return Some((CommentAnnotation::Step { id }, span));
    }
    let mut annotations = parse_pairs(
        body,
        body_offset,
        index,
        AnnotationSource::Comment,
        diagnostics,
    );
    annotations.span = Some(span);
    Some((CommentAnnotation::Block(annotations), span))
}

struct Token<'a> {
    key: &'a str,
    value: Option<&'a str>,
    offset: usize,
}

/// Splits `a=1 b="two words", c` into tokens, remembering where each key starts.
fn tokens(text: &str, offset: usize) -> impl Iterator<Item = Token<'_>> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let key_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && bytes[i] != b','
            && bytes[i] != b'='
        {
            i += 1;
        }
        let key = &text[key_start..i];
        let mut value = None;
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let value_start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                value = Some(&text[value_start..i.min(text.len())]);
                i = (i + 1).min(bytes.len());
            } else {
                let value_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b',' {
                    i += 1;
                }
                value = Some(&text[value_start..i]);
            }
        }
        Some(Token {
            key,
            value,
            offset: offset + key_start,
        })
    })
}

fn parse_pairs(
    text: &str,
    offset: usize,
    index: &LineIndex<'_>,
    source: AnnotationSource,
    diagnostics: &mut Vec<Diagnostic>,
) -> Annotations {
    let mut a = Annotations {
        sources: AnnotationSources::one(source),
        ..Annotations::default()
    };
    for token in tokens(text, offset) {
        if let Err(message) = apply(&mut a, token.key, token.value) {
            // Only an error needs the key's line and column.
            let span = index.span(token.offset, token.offset + token.key.len());
            let code = if Annotations::KEYS.contains(&token.key) {
                DiagnosticCode::BadAnnotation
            } else {
                DiagnosticCode::UnknownAnnotation
            };
            diagnostics.push(Diagnostic::error(code, span, message));
        }
    }
    a
}

fn parse_json(text: &str, span: Span, diagnostics: &mut Vec<Diagnostic>) -> Annotations {
    let mut a = Annotations {
        sources: AnnotationSources::one(AnnotationSource::Json),
        ..Annotations::default()
    };
    let map: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(text) {
        Ok(map) => map,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                DiagnosticCode::BadAnnotation,
                span,
                format!("annotations are not a valid JSON object: {e}"),
            ));
            return a;
        }
    };
    for (key, value) in &map {
        let text_value = match value {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Bool(true) => None,
            serde_json::Value::Bool(false) => Some("false".into()),
            other => Some(other.to_string()),
        };
        if !Annotations::KEYS.contains(&key.as_str()) {
            // Runme writes keys of its own (`id`, `background`, ...): not ours to reject.
            diagnostics.push(Diagnostic::warning(
                DiagnosticCode::UnknownAnnotation,
                span,
                format!("ignoring annotation `{key}`, which this tool does not use"),
            ));
            continue;
        }
        if let Err(message) = apply(&mut a, key, text_value.as_deref()) {
            diagnostics.push(Diagnostic::error(
                DiagnosticCode::BadAnnotation,
                span,
                message,
            ));
        }
    }
    a
}

/// Sets one key on `a`; the error message names the key and what it takes.
fn apply<'v>(a: &mut Annotations, key: &str, value: Option<&'v str>) -> Result<(), String> {
    let flag = |value: Option<&str>| -> Result<bool, String> {
        match value {
            None | Some("true" | "yes") => Ok(true),
            Some("false" | "no") => Ok(false),
            Some(other) => Err(format!(
                "`{key}` is a flag: write `{key}` or `{key}=false`, not `{other}`"
            )),
        }
    };
    let text = |value: Option<&'v str>| -> Result<&'v str, String> {
        match value {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(format!("`{key}` needs a value, as in `{key}=...`")),
        }
    };
    match key {
        "name" => a.name = Some(text(value)?.to_string()),
        "confirm" => a.confirm = flag(value)?,
        "danger" => a.danger = flag(value)?,
        "readonly" => a.readonly = flag(value)?,
        "interactive" => a.interactive = Some(flag(value)?),
        "whole" => a.whole = flag(value)?,
        "cwd" => a.cwd = Some(text(value)?.to_string()),
        "runner" => a.runner = Some(text(value)?.to_string()),
        "timeout" => a.timeout_ms = Some(parse_duration(text(value)?)?),
        "expect_exit" => {
            let v = text(value)?;
            a.expect_exit = v
                .split(['|', ';', '/'])
                .map(|code| {
                    code.trim().parse::<i32>().map_err(|_| {
                        format!("`expect_exit` takes exit codes such as `1` or `0|1`, not `{v}`")
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        _ => {
            return Err(match suggest(key) {
                Some(s) => format!("unknown annotation `{key}`; did you mean `{s}`?"),
                None => format!(
                    "unknown annotation `{key}`; known: {}",
                    Annotations::KEYS.join(", ")
                ),
            });
        }
    }
    Ok(())
}

fn suggest(key: &str) -> Option<&'static str> {
    Annotations::KEYS
        .iter()
        .copied()
        .filter(|k| edit_distance(k, key) <= 2)
        .min_by_key(|k| edit_distance(k, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(s: &str) -> (InfoString, Vec<Diagnostic>) {
        let index = LineIndex::new(s);
        let mut d = Vec::new();
        (parse_info_string(s, 0, &index, &mut d), d)
    }

    #[test]
    fn reads_language_and_pairs() {
        let (i, d) = info("bash {name=restart-fs confirm timeout=30s runner=\"mysql -h $DB\"}");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(i.lang, "bash");
        assert_eq!(i.annotations.name.as_deref(), Some("restart-fs"));
        assert!(i.annotations.confirm);
        assert_eq!(i.annotations.timeout_ms, Some(30_000));
        assert_eq!(i.annotations.runner.as_deref(), Some("mysql -h $DB"));
    }

    #[test]
    fn reads_runme_json() {
        let (i, d) = info(r#"sh {"name":"x","interactive":"false","background":true}"#);
        assert_eq!(i.annotations.name.as_deref(), Some("x"));
        assert_eq!(i.annotations.interactive, Some(false));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, crate::runbook::Severity::Warning);
    }

    #[test]
    fn unknown_key_is_an_error_at_the_key() {
        let (_, d) = info("bash {confrim}");
        assert_eq!(
            d[0].message,
            "unknown annotation `confrim`; did you mean `confirm`?"
        );
        assert_eq!(d[0].span.column, 7);
    }

    #[test]
    fn text_after_language_without_braces_is_not_ours() {
        let (i, d) = info("bash title=\"x.sh\"");
        assert!(d.is_empty());
        assert!(i.annotations.is_empty());
    }

    #[test]
    fn comments() {
        let text = "<!-- runbook: danger timeout=5m -->";
        let index = LineIndex::new(text);
        let mut d = Vec::new();
        let (c, _) = parse_comment(text, 0, &index, &mut d).unwrap();
        let CommentAnnotation::Block(a) = c else {
            panic!("not a block annotation")
        };
        assert!(a.danger);
        assert_eq!(a.timeout_ms, Some(300_000));
        let text = "<!-- runbook: step id=drain-node -->";
        let index = LineIndex::new(text);
        let (c, _) = parse_comment(text, 0, &index, &mut d).unwrap();
        let CommentAnnotation::Step { id } = c else {
            panic!("not a step annotation")
        };
        assert_eq!(id.unwrap().0, "drain-node");
        assert!(d.is_empty());
        assert!(parse_comment("<!-- just a comment -->", 0, &index, &mut d).is_none());
    }
}
