//! `Test`: one case in a few lines: files in a temporary directory, arguments, and exact expectations.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_runbook");

/// The repository root, where `runbooks/` and `schemas/` live.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Test {
    dir: TempDir,
    args: Vec<String>,
    current_dir: Option<PathBuf>,
    envs: Vec<(String, String)>,
    status: i32,
    stdout: Option<String>,
    stdout_prefix: Option<String>,
    stderr: Option<String>,
}

impl Test {
    pub fn new() -> Self {
        Test {
            dir: tempfile::tempdir().expect("temporary directory"),
            args: Vec::new(),
            current_dir: None,
            envs: Vec::new(),
            status: 0,
            stdout: None,
            stdout_prefix: None,
            stderr: None,
        }
    }

    /// Writes `contents` to `name` (directories created) inside the test directory.
    pub fn file(self, name: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.dir.path().join(name);
        fs::create_dir_all(path.parent().expect("file has a parent")).expect("create dirs");
        fs::write(path, contents).expect("write test file");
        self
    }

    pub fn dir(self, name: &str) -> Self {
        fs::create_dir_all(self.dir.path().join(name)).expect("create dir");
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, args: I) -> Self {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_string()));
        self
    }

    /// Runs from the repository root instead of the test directory.
    pub fn in_repo(mut self) -> Self {
        self.current_dir = Some(repo());
        self
    }

    /// Runs from `dir` instead of the test directory.
    pub fn in_dir(mut self, dir: &Path) -> Self {
        self.current_dir = Some(dir.to_path_buf());
        self
    }

    /// Sets an environment variable for the run.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.envs.push((name.to_string(), value.to_string()));
        self
    }

    pub fn stdout_starts_with(mut self, prefix: &str) -> Self {
        self.stdout_prefix = Some(prefix.to_string());
        self
    }

    pub fn status(mut self, status: i32) -> Self {
        self.status = status;
        self
    }

    pub fn stdout(mut self, stdout: &str) -> Self {
        self.stdout = Some(stdout.to_string());
        self
    }

    pub fn stderr(mut self, stderr: &str) -> Self {
        self.stderr = Some(stderr.to_string());
        self
    }

    /// Like [`Test::run`], and keeps the test directory for checks of what the binary wrote.
    pub fn run_keep(mut self) -> (Output, TempDir) {
        let dir = std::mem::replace(
            &mut self.dir,
            tempfile::tempdir().expect("temporary directory"),
        );
        let current = self
            .current_dir
            .take()
            .unwrap_or_else(|| dir.path().to_path_buf());
        self.current_dir = Some(current);
        (self.run(), dir)
    }

    /// Runs the binary and checks status, stdout and stderr exactly; returns the output for more checks.
    pub fn run(self) -> Output {
        let output = Command::new(BIN)
            .args(&self.args)
            .current_dir(self.current_dir.as_deref().unwrap_or(self.dir.path()))
            .env_remove("RUNBOOK_LOG_DIR")
            .env_remove("RUNBOOK_SIGNING_KEY")
            .env("NO_COLOR", "1")
            .env("USER", "tester")
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .output()
            .expect("run runbook");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(self.status),
            "runbook {:?}\n--- stdout\n{stdout}--- stderr\n{stderr}",
            self.args
        );
        if let Some(expected) = &self.stdout {
            assert_eq!(&stdout, expected, "stdout of runbook {:?}", self.args);
        }
        if let Some(prefix) = &self.stdout_prefix {
            assert!(
                stdout.starts_with(prefix.as_str()),
                "stdout of runbook {:?}: {stdout}",
                self.args
            );
        }
        if let Some(expected) = &self.stderr {
            assert_eq!(&stderr, expected, "stderr of runbook {:?}", self.args);
        }
        output
    }
}

/// Validates `instance` against a schema in `schemas/`, listing every violation on failure.
pub fn assert_valid(schema_file: &str, instance: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(repo().join("schemas").join(schema_file)).expect("read schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema_file}: {errors:#?}");
}

pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}
