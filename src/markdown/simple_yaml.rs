//! A fast reader for the plain YAML that front matter is nearly always written in.
//!
//! serde-saphyr is thorough, and most of `check`'s time on a tree of small runbooks went into it.
//! Front matter rarely needs more than `key: text`, lists and nested mappings, so this reads
//! that subset directly into the same `serde_json` values serde-saphyr would produce. It is
//! deliberately strict: anything it is not certain about (numbers, anchors, tags, comments after
//! values, tabs, multi-line plain text, ...) makes it give up with `None`, and the caller then
//! asks serde-saphyr, which also words every error. So a difference between the two can only
//! come from text this reader accepts; the tests compare both on such text.

use serde_json::{Map, Value};

/// What serde-saphyr reads from `yaml` as a mapping, if `yaml` is in the subset read here.
///
/// `None` means "not certain": parse it with serde-saphyr.
pub fn parse(yaml: &str) -> Option<Map<String, Value>> {
    if !plain_text(yaml) {
        return None;
    }
    let lines: Vec<Line<'_>> = yaml.lines().map(Line::new).collect();
    // Lines of spaces only: in block text their spaces may be content; not read here.
    if lines.iter().any(|l| l.is_blank() && l.indent > 0) {
        return None;
    }
    let mut reader = Reader { lines, pos: 0 };
    let map = reader.mapping(0)?;
    reader.skip_blank_and_comments();
    // Everything read, or else a line is indented less than the top level: give up.
    (reader.pos == reader.lines.len()).then_some(map)
}

/// No tabs, carriage returns, control characters, byte-order marks nor Unicode line or
/// paragraph separators: characters whose YAML meaning this reader does not model.
fn plain_text(yaml: &str) -> bool {
    if yaml.is_ascii() {
        return yaml
            .bytes()
            .all(|b| b == b'\n' || (b' '..=b'~').contains(&b));
    }
    yaml.chars().all(|c| {
        c == '\n'
            || (' '..='~').contains(&c)
            || (c >= '\u{a0}'
                && !matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ))
    })
}

struct Line<'a> {
    /// The whole line, without its line break.
    raw: &'a str,
    indent: usize,
    /// The line after its indentation.
    text: &'a str,
}

impl<'a> Line<'a> {
    fn new(raw: &'a str) -> Self {
        let text = raw.trim_start_matches(' ');
        Line {
            raw,
            indent: raw.len() - text.len(),
            text,
        }
    }

    fn is_blank(&self) -> bool {
        self.text.is_empty()
    }

    fn is_comment(&self) -> bool {
        self.text.starts_with('#')
    }
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn skip_blank_and_comments(&mut self) {
        while self
            .lines
            .get(self.pos)
            .is_some_and(|l| l.is_blank() || l.is_comment())
        {
            self.pos += 1;
        }
    }

    /// The next line with content, after blank lines and comments.
    fn peek(&mut self) -> Option<&Line<'a>> {
        self.skip_blank_and_comments();
        self.lines.get(self.pos)
    }

    /// A block mapping whose keys sit at `indent`.
    fn mapping(&mut self, indent: usize) -> Option<Map<String, Value>> {
        let mut map = Map::new();
        while let Some(line) = self.peek() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let text = line.text;
            self.pos += 1;
            let (key, rest) = key_and_rest(text)?;
            let value = if rest.is_empty() {
                self.nested(indent)?
            } else {
                self.inline(rest, indent)?
            };
            // Duplicate keys are an error for serde-saphyr: let it say so.
            if map.insert(key.to_string(), value).is_some() {
                return None;
            }
        }
        Some(map)
    }

    /// The value of `key:` with nothing after it: a nested mapping or list, or null.
    fn nested(&mut self, indent: usize) -> Option<Value> {
        let Some(next) = self.peek() else {
            return Some(Value::Null);
        };
        let is_item = next.text == "-" || next.text.starts_with("- ");
        if next.indent <= indent {
            // A list at the key's own indentation is valid YAML, but not read here.
            return if next.indent == indent && is_item {
                None
            } else {
                Some(Value::Null)
            };
        }
        let child = next.indent;
        if is_item {
            self.sequence(child).map(Value::Array)
        } else {
            self.mapping(child).map(Value::Object)
        }
    }

    /// A block list of scalars, its `- ` at `indent`.
    fn sequence(&mut self, indent: usize) -> Option<Vec<Value>> {
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let item = line.text.strip_prefix("- ")?.trim_start_matches(' ');
            self.pos += 1;
            // Only scalars: no nested lists, mappings nor block text.
            if item.starts_with(['-', '>', '|', '[']) {
                return None;
            }
            items.push(self.scalar_line(item, indent)?);
        }
        Some(items)
    }

    /// The value written after `key: `.
    fn inline(&mut self, text: &str, indent: usize) -> Option<Value> {
        match text.as_bytes()[0] {
            b'>' | b'|' => self.block_scalar(text, indent),
            b'[' => {
                let value = flow_sequence(text)?;
                self.nothing_more_indented(indent)?;
                Some(value)
            }
            _ => self.scalar_line(text, indent),
        }
    }

    /// A one-line scalar; the lines after it must not continue it.
    fn scalar_line(&mut self, text: &str, indent: usize) -> Option<Value> {
        let value = scalar(text)?;
        self.nothing_more_indented(indent)?;
        Some(value)
    }

    /// Fails when the next non-blank line (comments included) is indented past `indent`: it
    /// would continue a multi-line plain scalar, or be an error.
    fn nothing_more_indented(&self, indent: usize) -> Option<()> {
        let next = self.lines[self.pos..].iter().find(|l| !l.is_blank());
        next.is_none_or(|l| l.indent <= indent).then_some(())
    }

    /// `>` (folded) or `|` (literal) text, with `-` (strip) or default (clip) chomping.
    fn block_scalar(&mut self, header: &str, indent: usize) -> Option<Value> {
        let (folded, strip) = match header {
            ">" => (true, false),
            ">-" => (true, true),
            "|" => (false, false),
            "|-" => (false, true),
            // Keep (`+`), indentation indicators, comments: not read here.
            _ => return None,
        };
        // The first line sets the indentation; leading blank lines are not read here.
        let first = self.lines.get(self.pos)?;
        if first.is_blank() || first.indent <= indent {
            return None;
        }
        let content_indent = first.indent;
        let mut content: Vec<&str> = Vec::new();
        while let Some(line) = self.lines.get(self.pos) {
            if !line.is_blank() && line.indent < content_indent {
                break;
            }
            // More-indented lines fold differently, and trailing spaces are content: not read here.
            if (folded && line.indent > content_indent) || line.text.ends_with(' ') {
                return None;
            }
            // Blank lines are empty (see `parse`); literal text keeps indentation past the block's.
            let text = line.raw.get(content_indent..).unwrap_or("");
            content.push(text);
            self.pos += 1;
        }
        // Trailing blank lines are chomped in both clip and strip modes.
        while content.last().is_some_and(|l| l.is_empty()) {
            content.pop();
        }
        let mut out = String::new();
        for (i, line) in content.iter().enumerate() {
            if i > 0 {
                let previous = content[i - 1];
                out.push_str(match (folded, previous.is_empty(), line.is_empty()) {
                    (false, _, _) => "\n",
                    // Folding: a break between two lines of text reads as a space; the break
                    // before blank lines is dropped, and each blank line stands for one.
                    (true, false, false) => " ",
                    (true, false, true) => "",
                    (true, true, _) => "\n",
                });
            }
            out.push_str(line);
        }
        if !strip && !content.is_empty() {
            out.push('\n');
        }
        Some(Value::String(out))
    }
}

/// `key: rest` or `key:` → the key and the trimmed rest; `None` unless the key is a plain name.
fn key_and_rest(text: &str) -> Option<(&str, &str)> {
    let colon = text.find(':')?;
    let (key, after) = (&text[..colon], &text[colon + 1..]);
    if !is_plain_key(key) {
        return None;
    }
    if after.is_empty() {
        return Some((key, ""));
    }
    let rest = after.strip_prefix(' ')?.trim_matches(' ');
    Some((key, rest))
}

/// Letters, digits, `_` and `-`, starting with a letter or `_`, and no word YAML could read as
/// something other than text.
fn is_plain_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        && !special_word(key)
}

/// Words serde-saphyr may read as booleans or null, in any case.
fn special_word(word: &str) -> bool {
    ["y", "n", "yes", "no", "on", "off", "true", "false", "null"]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
}

/// A one-line scalar written in block context: quoted, or plain text starting with a letter.
fn scalar(text: &str) -> Option<Value> {
    match text.as_bytes()[0] {
        b'\'' => single_quoted(text).map(Value::String),
        b'"' => double_quoted(text).map(Value::String),
        b if b.is_ascii_alphabetic() => plain(text, false),
        // Numbers, `~`, indicators (`&`, `*`, `!`, `{`, `-`, ...): not read here.
        _ => None,
    }
}

/// Plain text: a string, or `true`/`false`. `flow` applies the stricter rules inside `[...]`.
fn plain(text: &str, flow: bool) -> Option<Value> {
    let text = text.trim_end_matches(' ');
    let first = *text.as_bytes().first()?;
    // A comment, a mapping, or (in a flow list) flow indicators and quotes: not read here.
    if !first.is_ascii_alphabetic()
        || text.contains(" #")
        || text.contains(": ")
        || text.ends_with(':')
        || (flow && text.contains(['[', ']', '{', '}', ',', '\'', '"', '#', ':']))
    {
        return None;
    }
    match text {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        // Other spellings of booleans and null depend on settings: leave them to serde-saphyr.
        t if special_word(t) => None,
        t => Some(Value::String(t.to_string())),
    }
}

/// `'text'` with `''` for a quote; nothing but spaces may follow.
fn single_quoted(text: &str) -> Option<String> {
    let inner = &text[1..];
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    loop {
        let q = rest.find('\'')?;
        out.push_str(&rest[..q]);
        rest = &rest[q + 1..];
        match rest.strip_prefix('\'') {
            Some(after) => {
                out.push('\'');
                rest = after;
            }
            None => break,
        }
    }
    rest.trim_start_matches(' ').is_empty().then_some(out)
}

/// `"text"` without escapes; nothing but spaces may follow.
fn double_quoted(text: &str) -> Option<String> {
    let inner = &text[1..];
    let q = inner.find('"')?;
    let (body, after) = (&inner[..q], &inner[q + 1..]);
    (!body.contains('\\') && after.trim_start_matches(' ').is_empty()).then(|| body.to_string())
}

/// `[a, b, c]` of plain words on one line.
fn flow_sequence(text: &str) -> Option<Value> {
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    if inner.trim_matches(' ').is_empty() {
        return Some(Value::Array(Vec::new()));
    }
    inner
        .split(',')
        .map(|item| plain(item.trim_matches(' '), true))
        .collect::<Option<Vec<_>>>()
        .map(Value::Array)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What serde-saphyr reads, as `Ctx::read` takes it: a mapping, or null for an empty one.
    fn saphyr(yaml: &str) -> Option<Map<String, Value>> {
        match serde_saphyr::from_str::<Value>(yaml) {
            Ok(Value::Object(map)) => Some(map),
            Ok(Value::Null) => Some(Map::new()),
            _ => None,
        }
    }

    /// When the fast reader answers, its answer is serde-saphyr's, keys in the same order.
    fn agrees(yaml: &str) -> bool {
        let Some(fast) = parse(yaml) else {
            return true;
        };
        let slow = saphyr(yaml);
        assert_eq!(Some(&fast), slow.as_ref(), "different readings of:\n{yaml}");
        let keys = |m: &Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&fast), keys(&slow.unwrap()), "key order of:\n{yaml}");
        true
    }

    fn reads(yaml: &str) {
        assert!(parse(yaml).is_some(), "the fast reader gave up on:\n{yaml}");
        agrees(yaml);
    }

    #[test]
    fn both_readers_keep_keys_in_the_order_written() {
        let yaml = "zeta: one\nalpha: two\nmike:\n  z: three\n  a: four\n";
        let keys = |m: &Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
        let nested = |m: &Map<String, Value>| keys(m["mike"].as_object().unwrap());
        let fast = parse(yaml).expect("plain front matter");
        let slow = saphyr(yaml).unwrap();
        for m in [&fast, &slow] {
            assert_eq!(keys(m), ["zeta", "alpha", "mike"]);
            assert_eq!(nested(m), ["z", "a"]);
        }
    }

    #[test]
    fn reads_typical_front_matter_as_serde_saphyr_does() {
        reads(
            "title: FreeSWITCH node unresponsive\n\
             description: One FreeSWITCH node stops answering SIP or ESL.\n\
             service: voice-freeswitch\n\
             severity: sev2\n\
             owners: [voice-platform, platform-oncall]\n\
             tags: [voice, freeswitch]\n\
             variables:\n\
             \x20 FS_HOST:\n\
             \x20   description: FreeSWITCH host to recover\n\
             \x20   pattern: '^fs-[a-z0-9]+-[a-z]-[0-9]{2}$'\n\
             \x20   required: true\n\
             \x20 AWS_REGION:\n\
             \x20   description: Region of the node\n\
             \x20   default: eu-west-2\n\
             \x20 HAPI_TOKEN:\n\
             \x20   description: hAPI bearer token\n",
        );
        reads(
            "title: redis degraded (generated runbook 7)\n\
             description: >\n\
             \x20 What to do when redis answers slowly or not at all. Generated for the\n\
             \x20 throughput benchmark; every destructive command is marked `danger`.\n\
             service: redis\n\
             severity: sev1\n\
             owners:\n\
             \x20 - team-3\n\
             tags: [generated, bench, redis]\n\
             variables:\n\
             \x20 NODE:\n\
             \x20   description: Node to work on\n\
             \x20   default: fs-01\n\
             \x20   pattern: '^[a-z0-9-]+$'\n\
             \x20 CLUSTER: Cluster the node belongs to\n\
             \x20 DB_PASSWORD:\n\
             \x20   secret: true\n\
             \x20   required: false\n",
        );
    }

    #[test]
    fn block_text_quotes_and_lists() {
        for yaml in [
            "a: |\n  one\n    two\n\n  three\n\nb: x\n",
            "a: |-\n  one\n  two\n",
            "a: >\n  one\n  two\n\n  three\n\n\n  four\n",
            "a: >-\n  one\n\n  two\nb: c\n",
            "a: 'it''s'\nb: \"quoted: yes\"\nc: it's \"fine\"\n",
            "a:\nb:\n  - x\n  - 'y z'\n  - \"w\"\nc: []\nd: [ x ,z ]\n",
            "# comment\na: b\n\n# another\nc:\n  # inside\n  d: e\n",
            "url: https://example.com/a#b\nz: a:b\n_under: x\nkebab-case: yy\n",
            "t: true\nf: false\nlist: [true, false, x]\n",
            "a: text in Ünïcödé — ok\n",
        ] {
            reads(yaml);
        }
    }

    #[test]
    fn gives_up_on_what_it_does_not_read() {
        for yaml in [
            "a: 1\n",
            "a: yes\n",
            "a: ~\n",
            "a: null\n",
            "a: x # comment\n",
            "a: x\n  continued\n",
            "a: &anchor x\nb: *anchor\n",
            "a: !tag x\n",
            "a: {b: c}\n",
            "a:\n- x\n",
            "a: b\na: c\n",
            "a: |+\n  x\n",
            "a: >\n  x\n    more\n",
            "a: \"esc\\n\"\n",
            "a: 'open\n  close'\n",
            "a:\tb\n",
            "a: b\r\n",
            "  a: b\n",
            "a: x\n  \n",
            "? complex\n: key\n",
            "a: -1\n",
            "a: [x, [y]]\n",
            "a: [x,]\n",
            "yes: x\n",
        ] {
            assert!(
                parse(yaml).is_none(),
                "read, but should have given up on:\n{yaml}"
            );
        }
    }

    /// Every front matter in the bundled runbooks and the shared corpus, where it is present.
    #[test]
    fn agrees_on_real_front_matter() {
        let mut dirs = vec![std::path::PathBuf::from("runbooks")];
        dirs.push(std::path::PathBuf::from("../shared/corpus"));
        let mut files = Vec::new();
        for dir in dirs.iter().filter(|d| d.is_dir()) {
            crate::source::markdown_files(std::slice::from_ref(dir))
                .map(|f| files.extend(f))
                .ok();
        }
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let Some(rest) = text.strip_prefix("---\n") else {
                continue;
            };
            if let Some(end) = rest.find("\n---\n") {
                agrees(&rest[..end + 1]);
            }
        }
    }

    /// Lines a front matter might hold, indented for a few levels, including what is not read.
    fn line() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec!["a", "b", "title", "NODE", "x-y", "_k", "on", "a b"]);
        let value = prop::sample::select(vec![
            "",
            " x",
            " two words",
            " true",
            " false",
            " True",
            " 1",
            " 'q''s'",
            " \"dq\"",
            " [a, b]",
            " []",
            " >",
            " |",
            " >-",
            " |-",
            " a: b",
            " x #c",
            " ~",
            " -x",
            " http://h:1/p",
            " 'open",
        ]);
        let item = prop::sample::select(vec![
            "- x",
            "- 'y'",
            "- a b",
            "-",
            "- - x",
            "text",
            "more text",
            "# c",
            "",
        ]);
        let indent = prop::sample::select(vec![0usize, 1, 2, 4]);
        prop_oneof![
            (indent.clone(), key, value).prop_map(|(i, k, v)| format!("{}{k}:{v}", " ".repeat(i))),
            (indent, item).prop_map(|(i, t)| format!("{}{t}", " ".repeat(i))),
        ]
    }

    /// Well-formed front matter of the shapes read here, so most cases take the fast path.
    fn mapping(depth: u32) -> BoxedStrategy<Vec<(String, Node)>> {
        let key = prop::sample::select(vec!["a", "b", "title", "NODE", "x-y", "_k", "tags"]);
        let scalar = prop::sample::select(vec![
            "x",
            "two  words",
            "true",
            "false",
            "'q''s'",
            "\"dq: x\"",
            "[a, b]",
            "[]",
            "[true, x]",
            "http://h:1/p#f",
            "it's",
            "text — ok",
            "Yes",
            "1",
            "a # c",
        ])
        .prop_map(|s| Node::Scalar(s.to_string()));
        let block_line = prop::sample::select(vec!["one", "two words", "", "  deeper", "# text"]);
        let block = (
            prop::sample::select(vec![">", "|", ">-", "|-"]),
            prop::collection::vec(block_line, 1..5),
        )
            .prop_map(|(h, l)| {
                Node::Block(h.to_string(), l.into_iter().map(String::from).collect())
            });
        let list = prop::collection::vec(
            prop::sample::select(vec!["x", "'y z'", "\"w\"", "a b"]).prop_map(String::from),
            0..3,
        )
        .prop_map(Node::List);
        let leaf = prop_oneof![4 => scalar, 1 => block, 1 => list];
        let value = if depth == 0 {
            leaf.boxed()
        } else {
            prop_oneof![3 => leaf, 1 => mapping(depth - 1).prop_map(Node::Map)].boxed()
        };
        prop::collection::vec((key.prop_map(String::from), value), 1..5).boxed()
    }

    #[derive(Debug, Clone)]
    enum Node {
        Scalar(String),
        Block(String, Vec<String>),
        List(Vec<String>),
        Map(Vec<(String, Node)>),
    }

    fn render(map: &[(String, Node)], indent: usize, step: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        for (key, node) in map {
            match node {
                Node::Scalar(s) => out.push_str(&format!("{pad}{key}: {s}\n")),
                Node::Block(header, lines) => {
                    out.push_str(&format!("{pad}{key}: {header}\n"));
                    for l in lines {
                        if l.is_empty() {
                            out.push('\n');
                        } else {
                            out.push_str(&format!("{pad}{}{l}\n", " ".repeat(step)));
                        }
                    }
                }
                Node::List(items) => {
                    out.push_str(&format!("{pad}{key}:\n"));
                    for i in items {
                        out.push_str(&format!("{pad}{}- {i}\n", " ".repeat(step)));
                    }
                }
                Node::Map(m) => {
                    out.push_str(&format!("{pad}{key}:\n"));
                    render(m, indent + step, step, out);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn agrees_with_serde_saphyr(lines in prop::collection::vec(line(), 1..12)) {
            let yaml = lines.join("\n") + "\n";
            prop_assert!(agrees(&yaml));
        }

        #[test]
        fn agrees_with_serde_saphyr_on_well_formed_text(
            map in mapping(2),
            step in 1usize..4,
        ) {
            let mut yaml = String::new();
            render(&map, 0, step, &mut yaml);
            prop_assert!(agrees(&yaml));
        }
    }
}
