//! A `<placeholder>` in a command, and the command text with values in their place.

use serde::Serialize;

/// A `<words-in-angle-brackets>` argument of a command: a value the operator is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placeholder {
    /// As written, brackets included: `<HO-ID>`.
    pub text: String,
    /// The session variable that holds its value: `HO_ID`.
    pub variable: String,
    /// Byte offset of its `<` in the command's code.
    pub offset: usize,
}

/// `code` with each placeholder replaced by its value, quoted for where it stands (unquoted,
/// in single or in double quotes), so the shell reads the value as one word, never as syntax.
/// `None` when a placeholder has no value, or an empty one: such a command must not run.
pub fn fill_placeholders(
    code: &str,
    placeholders: &[Placeholder],
    value: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    let b = code.as_bytes();
    let mut out = String::with_capacity(code.len());
    let mut quote: Option<u8> = None;
    let mut at = 0;
    let mut next = placeholders.iter().peekable();
    let mut i = 0;
    while i < b.len() {
        if let Some(p) = next.peek()
            && p.offset == i
        {
            let v = value(&p.variable).filter(|v| !v.is_empty())?;
            out.push_str(&code[at..i]);
            out.push_str(&quoted(&v, quote));
            i += p.text.len();
            at = i;
            next.next();
            continue;
        }
        let c = b[i];
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (None | Some(b'"'), b'\\') => i += 1,
            (None, b'\'' | b'"') => quote = Some(c),
            _ => {}
        }
        i += 1;
    }
    if next.peek().is_some() {
        return None; // an offset that is not in the code: never run a half-filled command
    }
    out.push_str(&code[at.min(code.len())..]);
    Some(out)
}

fn quoted(value: &str, quote: Option<u8>) -> String {
    match quote {
        Some(b'\'') => value.replace('\'', r"'\''"),
        Some(_) => {
            let mut s = String::with_capacity(value.len());
            for c in value.chars() {
                if matches!(c, '"' | '\\' | '$' | '`') {
                    s.push('\\');
                }
                s.push(c);
            }
            s
        }
        None if !value.is_empty()
            && value
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-_./:@%+=,".contains(&c)) =>
        {
            value.to_string()
        }
        None => format!("'{}'", value.replace('\'', r"'\''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str, variable: &str, offset: usize) -> Placeholder {
        Placeholder {
            text: text.into(),
            variable: variable.into(),
            offset,
        }
    }

    #[test]
    fn values_are_quoted_for_where_they_stand() {
        let code = r#"rmht verify <HO-ID> '<HO-ID>' "<HO-ID>""#;
        let ps = [
            p("<HO-ID>", "HO_ID", 12),
            p("<HO-ID>", "HO_ID", 21),
            p("<HO-ID>", "HO_ID", 31),
        ];
        let filled = fill_placeholders(code, &ps, |_| Some("a b'$x".into())).unwrap();
        assert_eq!(filled, r#"rmht verify 'a b'\''$x' 'a b'\''$x' "a b'\$x""#);
        let plain = fill_placeholders(code, &ps[..1], |_| Some("ho-123".into())).unwrap();
        assert!(plain.starts_with("rmht verify ho-123 '"), "{plain}");
    }

    #[test]
    fn an_unfilled_placeholder_gives_no_command() {
        let ps = [p("<HO-ID>", "HO_ID", 5)];
        assert_eq!(fill_placeholders("echo <HO-ID>", &ps, |_| None), None);
        assert_eq!(
            fill_placeholders("echo <HO-ID>", &ps, |_| Some(String::new())),
            None
        );
    }
}
