//! `command-in-info-string`: a command written on the fence line (```` ```bash kubectl get pods ````)
//! is part of the info string, not of the block, so it is neither shown as a command nor run.

use crate::runbook::{Diagnostic, DiagnosticCode};
use crate::span::LineIndex;

/// Shell languages: words after one of them that are not annotations are a command.
const SHELLS: &[&str] = &[
    "bash",
    "sh",
    "shell",
    "zsh",
    "console",
    "shell-session",
    "terminal",
];

/// Programs people type that are no fence language: ```` ```kubectl get pods ````.
const PROGRAMS: &[&str] = &[
    "kubectl",
    "oc",
    "aws",
    "gcloud",
    "az",
    "docker",
    "podman",
    "helm",
    "curl",
    "wget",
    "ssh",
    "sudo",
    "systemctl",
    "git",
    "terraform",
    "psql",
    "mysql",
    "redis-cli",
    "gitlab-ctl",
    "knife",
    "ansible",
    "ansible-playbook",
    "make",
    "cd",
    "ls",
    "cat",
    "echo",
    "export",
];

/// An error at the command when `info` (the whole info string, trimmed, starting at byte
/// `offset` of the file) holds one after its language.
pub fn check(info: &str, offset: usize, index: &LineIndex<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let Some((lang, rest)) = info.split_once(char::is_whitespace) else {
        return;
    };
    let command = rest.trim_start();
    let first = command.split_whitespace().next().unwrap_or("");
    // Annotations (`{…}`), attributes (`title="x"`) and flags of other tools are not commands.
    let looks_like_command = !command.starts_with(['{', ',', '[', '(', '.', '#', '"', '\''])
        && !first.contains('=')
        && first.starts_with(|c: char| c.is_ascii_alphabetic())
        && (PROGRAMS.contains(&first)
            // A word of its own (`install.sh`, `linenums`) may be a title or a renderer's flag.
            || (command.split_whitespace().nth(1).is_some()
                && first
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')));
    let lang = lang.to_ascii_lowercase();
    let shell = SHELLS.contains(&lang.as_str());
    // A program as the language (```` ```curl -s host/x ````): the whole info string is the
    // command, whatever its first argument looks like.
    let program_lang = !shell && PROGRAMS.contains(&lang.as_str());
    if !((looks_like_command && shell) || program_lang) {
        return;
    }
    let (start, shown) = if shell {
        (offset + (info.len() - command.len()), command)
    } else {
        (offset, info)
    };
    diagnostics.push(Diagnostic::error(
        DiagnosticCode::CommandInInfoString,
        index.span(start, start + shown.len()),
        format!(
            "`{shown}` is on the fence line, in the info string, so it is not part of the block: it is never shown as a command or run; move it into the block on a line of its own"
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::markdown::parse;

    fn at(text: &str) -> Vec<(u32, u32, String)> {
        parse("t.md", text)
            .diagnostics
            .into_iter()
            .filter(|d| d.code.as_str() == "command-in-info-string")
            .map(|d| (d.span.line, d.span.column, d.message))
            .collect()
    }

    #[test]
    fn a_command_after_the_language_or_as_the_language_is_an_error_at_it() {
        let found = at(
            "# T\n\n## A\n\n```bash kubectl get pods -n prod\n```\n\n- x\n\n  ```kubectl delete pod x\n  ```\n",
        );
        let places: Vec<(u32, u32)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(places, [(5, 9), (10, 6)]);
        assert!(
            found[0]
                .2
                .starts_with("`kubectl get pods -n prod` is on the fence line")
        );
        assert!(
            found[1]
                .2
                .starts_with("`kubectl delete pod x` is on the fence line")
        );
    }

    #[test]
    fn annotations_attributes_and_other_languages_are_not_commands() {
        for text in [
            "## A\n```bash {name=x confirm}\nls\n```\n",
            "## A\n```bash title=\"install.sh\"\nls\n```\n",
            "## A\n```python main.py\nprint()\n```\n",
            "## A\n```yaml hl_lines 2\nx: 1\n```\n",
            "## A\n```bash\nls\n```\n",
            "## A\n```bash install.sh\nls\n```\n",
            "## A\n```bash hl_lines 2\nls\n```\n",
        ] {
            assert!(at(text).is_empty(), "{text}");
        }
    }
}
