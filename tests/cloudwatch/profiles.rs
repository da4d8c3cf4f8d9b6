//! A profile that neither shared AWS file names is said as such, not as "no AWS credentials"
//! (no emulator needed: nothing is asked of AWS).

use std::path::Path;
use std::process::{Command, Output, Stdio};

const RUNBOOK: &str = "# Watched\n\n## Look\n```cloudwatch\nnamespace: Runbook/Test\nmetric: Errors\nstat: Sum\nregions: [euw2]\n```\n";

/// `runbook ARGS` in `dir` with no `AWS_*` from this process, `HOME` in `dir`, keys in the
/// environment (the AWS CLI refuses a missing profile even then), and `env` on top.
fn runbook(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_runbook"));
    cmd.args(args).current_dir(dir);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", dir)
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", crate::emulator::closed_port()),
        )
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run runbook")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn a_profile_in_neither_aws_file_is_named_as_such() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("rb.md"), RUNBOOK).expect("write runbook");
    std::fs::write(
        d.join("fm.md"),
        format!("---\nprofile: oncall-rw\n---\n{RUNBOOK}"),
    )
    .expect("write runbook");
    std::fs::write(
        d.join("config"),
        "[default]\nregion = eu-west-2\n[profile oncall-ro]\nregion = eu-west-2\n[sso-session nope]\n",
    )
    .expect("write config");
    std::fs::write(d.join("credentials"), "[ci]\naws_access_key_id = x\n").expect("write");
    let files = [
        ("AWS_CONFIG_FILE", d.join("config").display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            d.join("credentials").display().to_string(),
        ),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (config, credentials) = (files[0].1, files[1].1);
    let said = |profile: &str, config: &str, credentials: &str| {
        format!(
            "error: lookups not run: no AWS profile `{profile}` in `{config}` or `{credentials}`: check the name, or create it with `aws configure sso --profile {profile}`\n"
        )
    };

    // `--profile`, the front matter's `profile`, and `AWS_PROFILE`; the files as the variables
    // name them.
    for (args, env, profile) in [
        (
            &["lookup", "rb.md", "--profile", "nope"][..],
            vec![],
            "nope",
        ),
        (&["lookup", "fm.md"], vec![], "oncall-rw"),
        (&["lookup", "rb.md"], vec![("AWS_PROFILE", "nope")], "nope"),
    ] {
        let mut env = env;
        env.extend(files.iter().copied());
        let out = runbook(d, args, &env);
        assert_eq!(stderr(&out), said(profile, config, credentials), "{args:?}");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }

    // Without the variables: the default files, as `~/.aws/...`.
    let out = runbook(d, &["lookup", "rb.md", "--profile", "nope"], &[]);
    assert_eq!(
        stderr(&out),
        said("nope", "~/.aws/config", "~/.aws/credentials")
    );

    // The guard is not polled with the environment's keys either: the walk says so on a line
    // of its own, and goes on.
    std::fs::write(
        d.join("guarded.md"),
        "---\nprofile: nope\nregions: [euw2]\nguard_alarms: [w-]\n---\n# Guarded\n\n## Act\n```bash\necho acted\n```\n",
    )
    .expect("write runbook");
    let out = runbook(
        d,
        &["run", "--yes", "guarded.md", "--log-dir", "logs"],
        &files,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let line = format!(
        "  ! guard alarms cannot be read in eu-west-2: {}; the walk does not see them until they can",
        said("nope", config, credentials)
            .trim_end()
            .trim_start_matches("error: lookups not run: ")
    );
    assert!(
        stderr(&out).lines().any(|l| l == line),
        "{line}\n{}",
        stderr(&out)
    );

    // A profile either file names is not refused (the closed endpoint answers instead); nor is
    // the SDK's default chain when no profile is named.
    for (args, env) in [
        (&["lookup", "rb.md", "--profile", "oncall-ro"][..], vec![]),
        (&["lookup", "rb.md", "--profile", "ci"], vec![]),
        (&["lookup", "rb.md"], vec![]),
    ] {
        let mut env: Vec<(&str, &str)> = env;
        env.extend(files.iter().copied());
        let out = runbook(d, args, &env);
        assert!(
            !stderr(&out).contains("no AWS profile"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}
