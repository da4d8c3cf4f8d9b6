//! Reads the optional YAML front matter at the top of a runbook (Hugo-style `title`/`weight` included).

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::runbook::{Diagnostic, DiagnosticCode, FrontMatter, Variable};
use crate::span::{LineIndex, Span};

/// The front matter's place in the file and what it says.
pub struct ParsedFrontMatter {
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
    pub title: Option<String>,
    pub front_matter: FrontMatter,
    pub variables: Vec<Variable>,
}

/// Finds and reads the front matter; without one, everything is the body.
pub fn parse(
    text: &str,
    index: &LineIndex<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> ParsedFrontMatter {
    let mut out = ParsedFrontMatter {
        body_start: 0,
        title: None,
        front_matter: FrontMatter::default(),
        variables: Vec::new(),
    };
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first = index.line_text(0).trim_start_matches('\u{feff}').trim_end();
    let toml = first == "+++";
    if first != "---" && !toml {
        out.body_start = bom;
        return out;
    }
    let closers: &[&str] = if toml { &["+++"] } else { &["---", "..."] };
    let mut line = 1;
    let yaml_start = index.line_start(1).unwrap_or(text.len());
    let close = loop {
        let Some(start) = index.line_start(line) else {
            break None;
        };
        if start >= text.len() {
            break None;
        }
        if closers.contains(&index.line_text(line).trim_end()) {
            break Some((start, line));
        }
        line += 1;
    };
    let Some((yaml_end, close_line)) = close else {
        diagnostics.push(Diagnostic::error(
            DiagnosticCode::FrontMatter,
            index.span(bom, bom + 3),
            format!("front matter opened with `{first}` is never closed"),
        ));
        out.body_start = text.len();
        return out;
    };
    out.body_start = index.line_start(close_line + 1).unwrap_or(text.len());
    if toml {
        diagnostics.push(Diagnostic::warning(
            DiagnosticCode::FrontMatter,
            index.span(bom, bom + 3),
            "TOML front matter (`+++`) is not read; use YAML between `---` lines",
        ));
        return out;
    }
    let yaml = &text[yaml_start..yaml_end];
    let ctx = Ctx {
        yaml,
        yaml_start,
        index,
        keys: key_offsets(yaml, yaml_start),
    };
    let map = match ctx.read(diagnostics) {
        Some(map) => map,
        None => return out,
    };
    for (key, value) in map {
        let span = ctx.key_span(&key, 0);
        let fm = &mut out.front_matter;
        match key.as_str() {
            "title" => out.title = ctx.string(&key, &value, span, diagnostics),
            "description" => fm.description = ctx.string(&key, &value, span, diagnostics),
            "service" => fm.service = ctx.string(&key, &value, span, diagnostics),
            "severity" => fm.severity = ctx.string(&key, &value, span, diagnostics),
            "owners" => fm.owners = ctx.strings(&key, &value, span, diagnostics),
            "tags" => fm.tags = ctx.strings(&key, &value, span, diagnostics),
            "regions" => fm.regions = ctx.strings(&key, &value, span, diagnostics),
            "guard_alarms" => fm.guard_alarms = ctx.strings(&key, &value, span, diagnostics),
            "profile" => fm.profile = ctx.string(&key, &value, span, diagnostics),
            "share" => fm.share = ctx.flag(&key, &value, span, diagnostics),
            "variables" => out.variables = ctx.variables(value, span, diagnostics),
            _ => {
                fm.extra.insert(key, value);
            }
        }
    }
    out
}

struct Ctx<'a> {
    yaml: &'a str,
    yaml_start: usize,
    index: &'a LineIndex<'a>,
    /// Where each `key:` is first written, top-level and nested apart: see [`key_offsets`].
    keys: HashMap<(bool, &'a str), usize>,
}

/// The offset of the first `key:` (or `"key":`) line for each key, keyed by whether it is
/// top-level (not indented) or nested (indented by 2 or more), read in one pass: looking each key
/// up by scanning the lines made many variables quadratic (40,000 took 45 s).
fn key_offsets(yaml: &str, yaml_start: usize) -> HashMap<(bool, &str), usize> {
    let mut keys = HashMap::new();
    let mut offset = yaml_start;
    for line in lines_inclusive(yaml) {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if indent != 1 {
            let top = indent == 0;
            let start = offset + indent;
            if let Some(colon) = body.find(':') {
                keys.entry((top, body[..colon].trim_end())).or_insert(start);
            }
            if let Some(quoted) = body.strip_prefix('"')
                && let Some(q) = quoted.find('"')
                && quoted[q + 1..].starts_with(':')
            {
                keys.entry((top, &quoted[..q])).or_insert(start);
            }
        }
        offset += line.len();
    }
    keys
}

impl Ctx<'_> {
    fn read(&self, diagnostics: &mut Vec<Diagnostic>) -> Option<Map<String, Value>> {
        if self.yaml.trim().is_empty() {
            return Some(Map::new());
        }
        // Most front matter is simple; the fast reader gives up on anything else.
        if let Some(map) = super::simple_yaml::parse(self.yaml) {
            return Some(map);
        }
        match serde_saphyr::from_str::<Value>(self.yaml) {
            Ok(Value::Object(map)) => Some(map),
            Ok(Value::Null) => Some(Map::new()),
            Ok(_) => {
                diagnostics.push(Diagnostic::error(
                    DiagnosticCode::FrontMatter,
                    self.index.span(self.yaml_start, self.yaml_start),
                    "front matter must be a mapping of `key: value` lines",
                ));
                None
            }
            Err(e) => {
                let (line, column) = e
                    .location()
                    .map(|l| (l.line() as usize, l.column() as usize))
                    .unwrap_or((1, 1));
                let line_start = self
                    .index
                    .line_start(self.index.line_of(self.yaml_start) + line.saturating_sub(1))
                    .unwrap_or(self.yaml_start);
                let line_text = self.index.line_text(self.index.line_of(line_start));
                let col_bytes: usize = line_text
                    .chars()
                    .take(column.saturating_sub(1))
                    .map(char::len_utf8)
                    .sum();
                diagnostics.push(Diagnostic::error(
                    DiagnosticCode::FrontMatter,
                    self.index
                        .span(line_start + col_bytes, line_start + col_bytes),
                    format!("invalid YAML in front matter: {}", yaml_message(&e)),
                ));
                None
            }
        }
    }

    /// Span of `key:` at the given indentation, found by reading the lines (YAML values carry no positions).
    fn key_span(&self, key: &str, indent: usize) -> Span {
        // The index answers exactly as the scan below for keys it can hold (no `:` or `"` inside,
        // no surrounding space); the scan stays for the others.
        let plain = (indent == 0 || indent == 2)
            && !key.contains([':', '"'])
            && key.trim() == key
            && !key.is_empty();
        if plain && let Some(&start) = self.keys.get(&(indent == 0, key)) {
            return self.index.span(start, start + key.len());
        }
        if plain {
            return self.index.span(self.yaml_start, self.yaml_start);
        }
        let mut offset = self.yaml_start;
        for line in lines_inclusive(self.yaml) {
            let body = line.trim_start_matches(' ');
            let this_indent = line.len() - body.len();
            let unquoted = body
                .strip_prefix(key)
                .and_then(|r| r.trim_start().strip_prefix(':'));
            let quoted = body
                .strip_prefix('"')
                .and_then(|r| r.strip_prefix(key))
                .and_then(|r| r.strip_prefix("\":"));
            if (indent == 0 || this_indent >= indent)
                && (this_indent == 0) == (indent == 0)
                && (unquoted.is_some() || quoted.is_some())
            {
                let start = offset + this_indent;
                return self.index.span(start, start + key.len());
            }
            offset += line.len();
        }
        self.index.span(self.yaml_start, self.yaml_start)
    }

    fn string(
        &self,
        key: &str,
        value: &Value,
        span: Span,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => None,
            _ => {
                diagnostics.push(Diagnostic::error(
                    DiagnosticCode::FrontMatter,
                    span,
                    format!("`{key}` must be text, not {}", kind(value)),
                ));
                None
            }
        }
    }

    fn strings(
        &self,
        key: &str,
        value: &Value,
        span: Span,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<String> {
        match value {
            Value::Array(items) => items
                .iter()
                .filter_map(|v| self.string(key, v, span, diagnostics))
                .collect(),
            Value::String(s) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            other => self
                .string(key, other, span, diagnostics)
                .into_iter()
                .collect(),
        }
    }

    fn variables(
        &self,
        value: Value,
        span: Span,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<Variable> {
        let map = match value {
            Value::Object(map) => map,
            other => {
                if !other.is_null() {
                    diagnostics.push(Diagnostic::error(
                        DiagnosticCode::FrontMatter,
                        span,
                        format!(
                            "`variables` must map names to their descriptions, not {}",
                            kind(&other)
                        ),
                    ));
                }
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(map.len());
        // Taken entry by entry, so each declaration is freed once it is a variable: the values
        // and the variables are never both whole in memory (40,000 variables).
        for (name, decl) in map {
            let (name, decl) = (&name, &decl);
            let name_span = self.key_span(name, 2);
            if !is_variable_name(name) {
                diagnostics.push(Diagnostic::error(
                    DiagnosticCode::FrontMatter,
                    name_span,
                    format!(
                        "variable name `{name}` is not a shell name: use letters, digits and `_`"
                    ),
                ));
                continue;
            }
            let mut var = Variable {
                name: name.clone(),
                declared: true,
                // `secret: false` below is the only way out for a credential-like name.
                secret: crate::runbook::secret_by_name(name),
                required: false,
                description: None,
                default: None,
                pattern: None,
                span: name_span,
            };
            match decl {
                Value::Null => {}
                Value::String(s) => var.description = Some(s.clone()),
                Value::Object(fields) => {
                    for (field, v) in fields {
                        let field_span = self.field_span(name_span, field);
                        match field.as_str() {
                            "description" => var.description = self.string(field, v, field_span, diagnostics),
                            "default" => var.default = self.string(field, v, field_span, diagnostics),
                            "pattern" => {
                                var.pattern = self.string(field, v, field_span, diagnostics);
                                if let Some(p) = &var.pattern
                                    && let Err(first) = compiled(p)
                                {
                                    diagnostics.push(Diagnostic::error(
                                        DiagnosticCode::FrontMatter,
                                        field_span,
                                        format!("`pattern` of `{name}` is not a valid regular expression: {first}"),
                                    ));
                                    var.pattern = None;
                                }
                            }
                            "secret" => var.secret = self.flag(field, v, field_span, diagnostics),
                            "required" => var.required = self.flag(field, v, field_span, diagnostics),
                            other => diagnostics.push(Diagnostic::error(
                                DiagnosticCode::FrontMatter,
                                field_span,
                                format!(
                                    "unknown key `{other}` in variable `{name}`; known: description, default, secret, pattern, required"
                                ),
                            )),
                        }
                    }
                }
                other => diagnostics.push(Diagnostic::error(
                    DiagnosticCode::FrontMatter,
                    name_span,
                    format!("variable `{name}` must have a description or a mapping of settings, not {}", kind(other)),
                )),
            }
            if let (Some(p), Some(d)) = (&var.pattern, &var.default)
                && let Ok(Some(re)) = compiled(p)
                && !re.is_match(d)
            {
                diagnostics.push(Diagnostic::error(
                    DiagnosticCode::FrontMatter,
                    name_span,
                    format!("default `{d}` of `{name}` does not match its pattern `{p}`"),
                ));
            }
            out.push(var);
        }
        out
    }

    /// The span of a field under a variable: the first `field:` line after the variable's own line.
    fn field_span(&self, var_span: Span, field: &str) -> Span {
        let mut line = var_span.line as usize; // 0-based next line
        while let Some(start) = self.index.line_start(line) {
            if start >= self.yaml_start + self.yaml.len() {
                break;
            }
            let text = self.index.line_text(line);
            let body = text.trim_start();
            if body
                .strip_prefix(field)
                .is_some_and(|r| r.trim_start().starts_with(':'))
            {
                let col = text.len() - body.len();
                return self.index.span(start + col, start + col + field.len());
            }
            line += 1;
        }
        var_span
    }

    fn flag(
        &self,
        key: &str,
        value: &Value,
        span: Span,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> bool {
        match value {
            Value::Bool(b) => *b,
            other => {
                diagnostics.push(Diagnostic::error(
                    DiagnosticCode::FrontMatter,
                    span,
                    format!("`{key}` must be `true` or `false`, not {}", kind(other)),
                ));
                false
            }
        }
    }
}

/// `text.split_inclusive('\n')`, found with memchr: `key_span` walks the lines once per key.
fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', rest.as_bytes()).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// A variable's `pattern`, compiled to match a whole value (`None` if that fails), or why the
/// pattern is not a valid regular expression.
///
/// Cached per thread by pattern text: a tree of runbooks repeats the same few patterns, and
/// compiling them would otherwise cost more than reading the front matter.
fn compiled(pattern: &str) -> Result<Option<regex_lite::Regex>, String> {
    thread_local! {
        static CACHE: RefCell<HashMap<String, Result<Option<regex_lite::Regex>, String>>> =
            RefCell::new(HashMap::new());
    }
    CACHE.with(|cache| {
        if let Some(hit) = cache.borrow().get(pattern) {
            return hit.clone();
        }
        let result = match regex_lite::Regex::new(pattern) {
            Ok(_) => Ok(regex_lite::Regex::new(&format!("^(?:{pattern})$")).ok()),
            Err(e) => {
                let first = e.to_string();
                Err(first.lines().last().unwrap_or("").trim().to_lowercase())
            }
        };
        cache
            .borrow_mut()
            .insert(pattern.to_string(), result.clone());
        result
    })
}

fn is_variable_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn kind(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::String(s) => format!("`{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

/// serde-saphyr's message without its own location, snippet or configuration hints.
pub(super) fn yaml_message(e: &serde_saphyr::Error) -> String {
    let full = e.to_string();
    let mut first = full
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("syntax error")
        .trim();
    first = first.strip_prefix("error: ").unwrap_or(first);
    // "line 2 column 9: unclosed bracket" counts from the front matter, not the file: drop it.
    if let Some(rest) = first.strip_prefix("line ")
        && let Some(colon) = rest.find(": ")
        && rest[..colon]
            .split(' ')
            .all(|w| w == "column" || w.bytes().all(|b| b.is_ascii_digit()))
    {
        first = &rest[colon + 2..];
    }
    if let Some(i) = first.find(" at line ") {
        first = &first[..i];
    }
    if let Some(i) = first.find(", set DuplicateKeyPolicy") {
        first = &first[..i];
    }
    if let Some(key) = first.strip_prefix("duplicate mapping key: ") {
        return format!("duplicate key `{key}`");
    }
    let mut chars = first.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "syntax error".into(),
    }
}
