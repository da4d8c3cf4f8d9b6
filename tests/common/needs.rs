//! Tests that need something the repository does not hold (the runbook corpus, the AWS emulator,
//! Chromium): when it is missing they are reported as ignored, with the reason printed, and under
//! `CI=true` they fail instead. Never a silent pass.
//!
//! A test binary using this sets `harness = false` and lists its tests in `main`, because the
//! built-in harness can only ignore a test at compile time.

use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};

/// One test: its name and body, given what it needs.
pub type Test<T> = (&'static str, fn(&T));

/// Runs `tests` with `needed` (what the tests need, or why it is missing), reporting them as
/// ignored when it is missing outside CI and as failed under `CI=true`.
pub fn run<T: Send + Sync + 'static>(
    what: &str,
    needed: Result<T, String>,
    tests: &[Test<T>],
) -> ExitCode {
    let args = Arguments::from_args();
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let trials = match needed {
        Ok(value) => {
            let value = Arc::new(value);
            tests
                .iter()
                .map(|&(name, body)| {
                    let value = Arc::clone(&value);
                    Trial::test(name, move || {
                        body(&value);
                        Ok(())
                    })
                })
                .collect()
        }
        Err(why) if in_ci => tests
            .iter()
            .map(|&(name, _)| {
                let message = format!("{what} is missing under CI=true: {why}");
                Trial::test(name, move || Err(Failed::from(message)))
            })
            .collect(),
        Err(why) => {
            eprintln!("ignored: {} test(s) need {what}: {why}", tests.len());
            tests
                .iter()
                .map(|&(name, _)| Trial::test(name, || Ok(())).with_ignored_flag(true))
                .collect()
        }
    };
    libtest_mimic::run(&args, trials).exit_code()
}

/// `[("name", name), ...]` from function names, so a test is written once.
#[macro_export]
macro_rules! tests {
    ($($name:ident),* $(,)?) => {
        &[$((stringify!($name), $name as fn(&_))),*]
    };
}
