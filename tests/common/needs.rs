//! Tests that need something the repository does not hold (the runbook corpus, the AWS emulator,
//! Chromium): when it is missing they are reported as ignored, with the reason printed, and under
//! `CI=true` they fail instead. Never a silent pass.
//!
//! A test binary using this sets `harness = false` and lists its tests in `main`, because the
//! built-in harness can only ignore a test at compile time.

use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};

/// One test that needs a `T`: its name and body.
pub type Test<T> = (&'static str, fn(&T));

/// The tests of one binary, grouped by what they need.
#[derive(Default)]
pub struct Suite {
    trials: Vec<Trial>,
}

impl Suite {
    /// Tests that need nothing beyond the repository.
    #[allow(
        dead_code,
        reason = "each test binary compiles this file; not all have plain tests"
    )]
    pub fn plain(mut self, tests: &[(&'static str, fn())]) -> Self {
        for &(name, body) in tests {
            self.trials.push(Trial::test(name, move || {
                body();
                Ok(())
            }));
        }
        self
    }

    /// Tests that need `what`: `needed` is it, or why it is missing.
    pub fn needing<T: Send + Sync + 'static>(
        mut self,
        what: &str,
        needed: Result<T, String>,
        tests: &[Test<T>],
    ) -> Self {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        match needed {
            Ok(value) => {
                let value = Arc::new(value);
                for &(name, body) in tests {
                    let value = Arc::clone(&value);
                    self.trials.push(Trial::test(name, move || {
                        body(&value);
                        Ok(())
                    }));
                }
            }
            Err(why) if in_ci => {
                for &(name, _) in tests {
                    let message = format!("{what} is missing under CI=true: {why}");
                    self.trials
                        .push(Trial::test(name, move || Err(Failed::from(message))));
                }
            }
            Err(why) => {
                eprintln!("ignored: {} test(s) need {what}: {why}", tests.len());
                for &(name, _) in tests {
                    self.trials
                        .push(Trial::test(name, || Ok(())).with_ignored_flag(true));
                }
            }
        }
        self
    }

    /// Runs the tests as `cargo test` asked (filters, `--exact`, `--include-ignored`, ...).
    pub fn run(self) -> ExitCode {
        libtest_mimic::run(&Arguments::from_args(), self.trials).exit_code()
    }
}

/// `[("name", name), ...]` from function names, so each test is named once.
#[macro_export]
macro_rules! tests {
    ($($name:ident),* $(,)?) => {
        &[$((stringify!($name), $name as _)),*]
    };
}
