//! Shell text a console session and a script share: where a heredoc's body ends.

/// Delimiters of `<<EOF`, `<<-'EOF'`, `<< "EOF"` in a command (not `<<<` here-strings).
pub fn heredoc_delimiters(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = command;
    while let Some(pos) = rest.find("<<") {
        let after = &rest[pos + 2..];
        if after.starts_with('<') {
            rest = after.trim_start_matches('<');
            continue;
        }
        let after = after.strip_prefix('-').unwrap_or(after).trim_start();
        let (word, consumed) = match after.chars().next() {
            Some(q @ ('\'' | '"')) => {
                let inner = &after[1..];
                match inner.find(q) {
                    Some(end) => (&inner[..end], end + 2),
                    None => ("", after.len()),
                }
            }
            _ => {
                let end = after
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            }
        };
        if !word.is_empty() {
            out.push(word.to_string());
        }
        rest = &after[consumed.min(after.len())..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredoc_delimiters_are_found() {
        assert_eq!(heredoc_delimiters("cat <<-\"END\" | x <<< y"), vec!["END"]);
        assert_eq!(heredoc_delimiters("cat <<EOF"), vec!["EOF"]);
    }
}
