//! The statement split without a parser, for the blocks most runbooks hold: one plain command per
//! line. It gives up (None) on anything that may span lines; tree-sitter reads those.

use super::Statement;

/// Words that open, continue or close a compound command: a line holding one is not plain.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do",
    "done", "function", "{", "}", "in", "[[", "]]", "((", "))", "!",
];

/// One statement per non-blank, non-comment line, or `None` when some line may not be a whole
/// statement by itself (heredocs, open quotes or brackets, continuations, compound commands).
pub fn fast_statements(code: &str) -> Option<Vec<Statement>> {
    if memchr::memmem::find(code.as_bytes(), b"<<").is_some() {
        return None;
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for line in code.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.strip_suffix('\n').unwrap_or(line);
        let trimmed = body.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !plain_line(trimmed) {
            return None;
        }
        let lead = body.len() - body.trim_start().len();
        out.push(Statement {
            range: start + lead..start + lead + trimmed.len(),
        });
    }
    Some(out)
}

/// True when `line` (trimmed, not a comment) is surely one or more complete statements.
fn plain_line(line: &str) -> bool {
    let b = line.as_bytes();
    if b.iter().any(|&c| (c < 0x20 && c != b'\t') || c == 0x7f) {
        return false;
    }
    if memchr::memmem::find(b, b"()").is_some() {
        return false; // a function definition, whose body may follow
    }
    #[derive(PartialEq)]
    enum Q {
        None,
        Single,
        Double,
    }
    let mut q = Q::None;
    let mut parens = 0i32;
    let mut braces = 0i32;
    let mut code_end = b.len();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match q {
            Q::Single => {
                if c == b'\'' {
                    q = Q::None;
                }
            }
            Q::Double => match c {
                b'\\' => i += 1,
                b'"' => q = Q::None,
                // A substitution inside quotes may hold quotes of its own.
                b'`' => return false,
                b'$' if b.get(i + 1) == Some(&b'(') => return false,
                _ => {}
            },
            Q::None => match c {
                b'\\' => i += 1,
                b'\'' => q = Q::Single,
                b'"' => q = Q::Double,
                b'`' => return false,
                b'(' => parens += 1,
                b')' => {
                    parens -= 1;
                    if parens < 0 {
                        return false;
                    }
                }
                // At a word's start `{` may open a group: only `${X}` and `a{b,c}` are plain.
                b'{' if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'|' | b'&' | b';' | b'(') => {
                    return false;
                }
                b'{' => braces += 1,
                // A redirect must have a plain target after it, and a command before it.
                b'<' | b'>' => {
                    if i == 0 {
                        return false;
                    }
                    let mut j = i + 1;
                    while j < b.len() && matches!(b[j], b'<' | b'>' | b'&' | b'|') {
                        j += 1;
                    }
                    while j < b.len() && matches!(b[j], b' ' | b'\t') {
                        j += 1;
                    }
                    let target = b
                        .get(j)
                        .is_some_and(|&t| t.is_ascii_alphanumeric() || b"/$\"'.~_-+".contains(&t));
                    if !target {
                        return false;
                    }
                }
                b'}' => {
                    braces -= 1;
                    if braces < 0 {
                        return false;
                    }
                }
                b'#' => {
                    let before = if i == 0 { b' ' } else { b[i - 1] };
                    if before == b' ' || before == b'\t' {
                        code_end = i;
                        break;
                    }
                    if !before.is_ascii_alphanumeric() && !matches!(before, b'$' | b'{' | b'_') {
                        return false;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    if q != Q::None || parens != 0 || braces != 0 || i > b.len() {
        return false;
    }
    let code = line[..code_end].trim_end();
    if code.is_empty()
        || code.ends_with('\\')
        || code.ends_with('|')
        || code.ends_with('&')
        || code.ends_with(';')
        || code.ends_with('<')
        || code.ends_with('>')
    {
        return false;
    }
    let first = code.as_bytes()[0];
    if matches!(
        first,
        b'(' | b')' | b'{' | b'}' | b'!' | b';' | b'&' | b'|' | b'\\'
    ) {
        return false;
    }
    !code
        .split([' ', '\t', ';', '&', '|'])
        .any(|word| RESERVED.contains(&word))
}
