//! A rehearsal checks the ground before its first step: every program the runbook's commands run
//! is on `PATH`, and every `cwd` exists. What is missing is listed; the rehearsal goes on.

use std::path::Path;

use super::approval::redact;
use super::engine::Walk;
use super::ports::Tone;
use super::variables::expand;

impl Walk<'_, '_> {
    /// Lists, as one warning block, what the runbook's commands need and this machine lacks.
    pub(super) fn check_ground(&mut self) {
        let vars = self.variables();
        let secrets = self.secrets();
        // (what is missing, where it is needed), in the runbook's order.
        let mut missing: Vec<(String, Vec<String>)> = Vec::new();
        let mut note = |what: String, at: String| match missing.iter_mut().find(|(w, _)| *w == what)
        {
            Some((_, places)) => places.push(at),
            None => missing.push((what, vec![at])),
        };
        for step in &self.runbook.steps {
            for command in step.commands.iter().filter(|c| c.runnable) {
                let at = format!("step {} command {}", step.index, command.index);
                let programs = match &command.annotations.runner {
                    // The block is the runner's input, not bash: only the runner must exist.
                    Some(runner) => runner
                        .split_whitespace()
                        .take(1)
                        .map(str::to_string)
                        .collect(),
                    None => crate::check::programs(&command.code),
                };
                for program in programs {
                    if !self.ports.env.has_program(&program) {
                        note(format!("`{program}` is not on PATH"), at.clone());
                    }
                }
                if let Some(written) = &command.annotations.cwd {
                    let dir = expand(written, &vars, self.ports.env);
                    // A `$VAR` not known yet cannot be checked; the run itself will tell.
                    if dir.contains('$') {
                        continue;
                    }
                    let path = self.opts.cwd.join(Path::new(&dir));
                    if !self.ports.env.is_dir(&path) {
                        // Named as written when its value would spell out a secret.
                        let shown = if redact(&dir, &secrets) == dir {
                            dir
                        } else {
                            redact(written, &secrets)
                        };
                        note(format!("working directory `{shown}` does not exist"), at);
                    }
                }
            }
        }
        if missing.is_empty() {
            return;
        }
        let mut text = format!(
            "rehearsal check: {} missing on this machine (the rehearsal goes on):",
            crate::human::count(missing.len(), "thing", "things")
        );
        for (what, places) in &missing {
            text.push_str(&format!("\n      {what} ({})", places.join(", ")));
        }
        self.ports.ui.notice(Tone::Warning, &text);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::ports::Environment;
    use super::super::scripted::{Harness, Reply, opts};
    use crate::event::Mode;

    /// A machine with `ls` and `/srv` only.
    struct Bare;

    impl Environment for Bare {
        fn var(&self, _: &str) -> Option<String> {
            None
        }
        fn has_program(&self, program: &str) -> bool {
            program == "ls"
        }
        fn is_dir(&self, dir: &Path) -> bool {
            dir == Path::new("/srv")
        }
    }

    const NEEDY: &str = "# Needy\n\n## One\n```bash {cwd=/srv/app}\nkubectl get pods | grep x\n```\n\n## Two\n```bash {cwd=/srv readonly}\nls; kubectl logs x\n```\n\n```sql {runner=\"psql -X\"}\nselect 1;\n```\n";

    #[test]
    fn a_rehearsal_lists_missing_programs_and_directories_once_before_the_first_step() {
        let mut h = Harness::new([Reply::Key('q')]);
        let ending = h.walk_in(NEEDY, opts(Mode::Rehearsal, false, false), &Bare);
        let screen = h.ui.screen();
        let block = "Warning: rehearsal check: 4 things missing on this machine (the rehearsal goes on):\n      `kubectl` is not on PATH (step 1 command 1, step 2 command 1)\n      `grep` is not on PATH (step 1 command 1)\n      working directory `/srv/app` does not exist (step 1 command 1)\n      `psql` is not on PATH (step 2 command 2)";
        assert!(screen.contains(block), "{screen}");
        assert!(
            screen.find(block) < screen.find("[step 1/2"),
            "before the first step:\n{screen}"
        );
        assert!(
            matches!(ending, super::super::Ending::Paused { .. }),
            "{ending:?}"
        );

        // A live walk does not check: the commands themselves will tell.
        let mut h = Harness::new([Reply::Key('q')]);
        h.walk_in(NEEDY, opts(Mode::Live, false, false), &Bare);
        assert!(!h.ui.screen().contains("rehearsal check"));
    }
}
