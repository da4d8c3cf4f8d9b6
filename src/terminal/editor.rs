//! The operator's editor for `e`: `$VISUAL`, else `$EDITOR`, else `vi`, on a private temporary
//! file; with neither variable set, a one-line command is edited in place at a line prompt,
//! which is quicker than a full-screen editor and needs no knowledge of `vi`.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::process::Command;

use console::Term;

use crate::walk::ports::Editor;

/// Edits on the operator's terminal.
pub struct TerminalEditor {
    term: Term,
    /// `$VISUAL`, else `$EDITOR`, as given (a command line: `code -w` works); `None` when unset.
    editor: Option<String>,
}

impl TerminalEditor {
    pub fn new(editor: Option<String>) -> Self {
        TerminalEditor {
            term: Term::stderr(),
            editor: editor.filter(|e| !e.trim().is_empty()),
        }
    }

    /// At a line prompt, the text already typed in.
    fn inline(&self, text: &str) -> Result<Option<String>, String> {
        let line = text.trim_end_matches('\n');
        match dialoguer::Input::<String>::new()
            .with_prompt("Edit the command (Enter runs nothing yet; Esc keeps it as it was)")
            .with_initial_text(line)
            .allow_empty(true)
            .interact_text_on(&self.term)
        {
            Ok(edited) if edited != line => Ok(Some(edited)),
            Ok(_) | Err(_) => Ok(None),
        }
    }

    /// In the editor, on a file only the operator can read (the text may hold a value they typed).
    fn external(&self, program: &str, text: &str) -> Result<Option<String>, String> {
        let path = temp_path();
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| {
                format!(
                    "cannot create `{}`: {}",
                    path.display(),
                    crate::human::io_reason(&e)
                )
            })?;
        file.write_all(text.as_bytes()).map_err(|e| {
            format!(
                "cannot write `{}`: {}",
                path.display(),
                crate::human::io_reason(&e)
            )
        })?;
        drop(file);
        // Through `sh`, so an editor given with arguments (`code -w`, `emacsclient -t`) works.
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("{program} \"$1\""))
            .arg("sh")
            .arg(&path)
            .status();
        let result = match status {
            Ok(s) if s.success() => std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read the edit back: {}", crate::human::io_reason(&e)))
                .map(|edited| (edited != text).then_some(edited)),
            Ok(s) => Err(format!(
                "`{program}` ended with {s}; the command is unchanged"
            )),
            Err(e) => Err(format!(
                "cannot start `{program}`: {}",
                crate::human::io_reason(&e)
            )),
        };
        let _ = std::fs::remove_file(&path);
        result
    }
}

impl Editor for TerminalEditor {
    fn edit(&mut self, text: &str) -> Result<Option<String>, String> {
        let one_line = !text.trim_end_matches('\n').contains('\n');
        match &self.editor {
            None if one_line => self.inline(text),
            Some(program) => self.external(program, text),
            None => self.external("vi", text),
        }
    }
}

fn temp_path() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::env::temp_dir().join(format!("runbook-edit-{}-{nanos}.sh", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_editor_with_arguments_edits_the_file_and_a_failing_one_changes_nothing() {
        let mut e = TerminalEditor::new(Some("sed -i s/old/new/".into()));
        assert_eq!(e.edit("echo old\n"), Ok(Some("echo new\n".into())));
        assert_eq!(e.edit("echo same\n"), Ok(None));
        let mut e = TerminalEditor::new(Some("false".into()));
        let err = e.edit("echo old\n").unwrap_err();
        assert!(
            err.starts_with("`false` ended with exit status: 1"),
            "{err}"
        );
    }
}
