//! Splits a console session (`$ cmd` lines followed by their output) into commands and expected output.

/// One prompt of a console block.
#[derive(Debug, PartialEq, Eq)]
pub struct Prompt {
    /// The command without its `$ `, continuation lines and heredoc bodies included as written.
    pub code: String,
    /// 0-based line of the `$` within the block.
    pub line: usize,
    /// 0-based char column of the `$` within that line.
    pub column: usize,
    /// The lines after the command up to the next prompt, if any.
    pub expected_output: Option<String>,
}

/// Whether a block's first meaningful line is a `$ ` prompt.
pub fn starts_with_prompt(code: &str) -> bool {
    code.lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| prompt_body(l).is_some())
}

fn prompt_body(trimmed_line: &str) -> Option<&str> {
    if trimmed_line == "$" {
        return Some("");
    }
    trimmed_line.strip_prefix("$ ")
}

/// Reads every prompt of a console block.
pub fn split(code: &str) -> Vec<Prompt> {
    let lines: Vec<&str> = code.split_inclusive('\n').collect();
    let mut prompts: Vec<Prompt> = Vec::new();
    let mut output = String::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let Some(body) = prompt_body(trimmed) else {
            if !prompts.is_empty() {
                output.push_str(raw);
            }
            i += 1;
            continue;
        };
        flush_output(&mut prompts, &mut output);
        let column = line[..line.len() - trimmed.len()].chars().count();
        let start_line = i;
        let mut command = body.to_string();
        let mut last = line;
        i += 1;
        // Backslash continuations belong to the command.
        while ends_with_continuation(last) && i < lines.len() {
            last = lines[i].trim_end_matches(['\n', '\r']);
            command.push('\n');
            command.push_str(last);
            i += 1;
        }
        // So do heredoc bodies, up to their delimiter.
        for delimiter in heredoc_delimiters(&command) {
            while i < lines.len() {
                let l = lines[i].trim_end_matches(['\n', '\r']);
                command.push('\n');
                command.push_str(l);
                i += 1;
                if l.trim_start_matches('\t') == delimiter || l.trim() == delimiter {
                    break;
                }
            }
        }
        if command.trim().is_empty() {
            continue;
        }
        prompts.push(Prompt {
            code: command,
            line: start_line,
            column,
            expected_output: None,
        });
    }
    flush_output(&mut prompts, &mut output);
    prompts
}

fn flush_output(prompts: &mut [Prompt], output: &mut String) {
    if let Some(last) = prompts.last_mut()
        && !output.trim().is_empty()
    {
        let text = output.trim_end_matches(['\n', '\r']);
        // Blank lines between a prompt and its output are layout, not output.
        let text = text.trim_start_matches(['\n', '\r']);
        last.expected_output = Some(text.to_string());
    }
    output.clear();
}

fn ends_with_continuation(line: &str) -> bool {
    let backslashes = line.len() - line.trim_end_matches('\\').len();
    backslashes % 2 == 1
}

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
    fn prompts_and_output() {
        let p = split("$ oc get nodes\nNAME STATUS\nm1   Ready\n\n$ etcdctl version\n");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].code, "oc get nodes");
        assert_eq!(
            p[0].expected_output.as_deref(),
            Some("NAME STATUS\nm1   Ready")
        );
        assert_eq!(p[1].code, "etcdctl version");
        assert_eq!(p[1].line, 4);
        assert_eq!(p[1].expected_output, None);
    }

    #[test]
    fn continuations_and_heredocs_stay_in_the_command() {
        let p = split("$ kubectl get pods \\\n    -n x\nout\n$ cat <<'EOF' > f\na $B\nEOF\n");
        assert_eq!(p[0].code, "kubectl get pods \\\n    -n x");
        assert_eq!(p[0].expected_output.as_deref(), Some("out"));
        assert_eq!(p[1].code, "cat <<'EOF' > f\na $B\nEOF");
    }

    #[test]
    fn blank_lines_before_output_are_not_output() {
        let p = split("$ ls\n\nfile\n\n");
        assert_eq!(p[0].expected_output.as_deref(), Some("file"));
    }

    #[test]
    fn detects_prompt_blocks() {
        assert!(starts_with_prompt("\n  $ ls\n"));
        assert!(starts_with_prompt("# list files\n$ ls\n"));
        assert!(!starts_with_prompt("ls $HOME\n"));
        assert!(!starts_with_prompt("$HOME/bin/x\n"));
    }

    #[test]
    fn heredoc_delimiters_are_found() {
        assert_eq!(heredoc_delimiters("cat <<-\"END\" | x <<< y"), vec!["END"]);
        assert_eq!(heredoc_delimiters("cat <<EOF"), vec!["EOF"]);
    }
}
