//! Walks and `runbook lookup` in a real pseudo-terminal against the emulator, as an operator at a
//! keyboard meets them: TERM=xterm-256color, colours on, spinners drawn, credentials present.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use aws_sdk_cloudwatch::types::StateValue;
use expectrl::{ControlCode, Expect, Regex};

use super::{put_alarm, put_metric, set_state, unique};
use crate::emulator::{Emulator, Shared};

type Pty = expectrl::session::OsSession;

/// How long one region may take (`--aws-timeout`); a table must be on screen within this + 1 s.
const AWS_TIMEOUT: Duration = Duration::from_secs(3);

/// `runbook ARGS --aws-endpoint URL` in a fresh pty in `dir`, as an operator's terminal runs it:
/// colours on, a 256-colour TERM, credentials in the environment, nothing from `~/.aws`.
fn spawn(emu: &Emulator, dir: &Path, args: &[&str], credentials: bool) -> Pty {
    let mut session = crate::pty::spawn_aws(dir, &emu.url, args, credentials);
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

/// `q` at a menu pauses the walk (answering the pause question when there is one); exit 3.
fn quit(p: &mut Pty) {
    p.send("q").unwrap();
    let seen = p.expect(Regex("walk paused|Pause the walk")).unwrap();
    if String::from_utf8_lossy(seen.as_bytes()).contains("Pause the walk") {
        p.send("y").unwrap();
        p.expect("walk paused").unwrap();
    }
    assert_eq!(crate::pty::exit_code(p), Some(3));
}

/// Waits at most `limit` for `text`; returns how long it took. Called first after spawning, it
/// measures from the start of the process.
fn within(p: &mut Pty, text: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    p.set_expect_timeout(Some(limit));
    if let Err(e) = p.expect(text) {
        panic!("`{text}` not on screen within {limit:?}: {e}");
    }
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    started.elapsed()
}

fn events(dir: &Path) -> Vec<serde_json::Value> {
    let logs = dir.join("logs");
    let log = std::fs::read_dir(&logs)
        .expect("log dir")
        .map(|e| e.expect("entry").path())
        .next()
        .expect("a log");
    std::fs::read_to_string(log)
        .expect("read log")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

/// A step with a metric lookup in two regions and an alarm lookup, then a step with a command.
fn lookup_runbook(dir: &Path, metric: &str, label: &str, regions: &str) {
    let text = format!(
        "# Watched\n\n## Look\n```cloudwatch\nnamespace: Runbook/Test\nmetric: {metric}\ndimensions:\n  Service: api\nstat: Sum\nregions: [{regions}]\nexpect: \"< 10\"\nlabel: {label}\n```\n\n## Act\n```bash\necho acted\n```\n"
    );
    std::fs::write(dir.join("rb.md"), text).unwrap();
}

/// Item 1 of issue 10: with credentials and an endpoint, the step's table is on screen within the
/// timeout plus one second, and the menu answers, twenty times in a row.
pub fn a_walks_lookups_show_their_table_in_a_terminal_twenty_times_in_a_row(emu: &Shared) {
    let metric = unique("Errors");
    put_metric(emu, "eu-west-2", "Runbook/Test", &metric, 3.0, 60);
    put_metric(emu, "eu-central-1", "Runbook/Test", &metric, 4.0, 60);
    let dir = tempfile::tempdir().unwrap();
    lookup_runbook(dir.path(), &metric, "api errors now", "euw2, euc1");
    let timeout = AWS_TIMEOUT.as_secs().to_string() + "s";
    for round in 1..=20 {
        let mut p = spawn(
            emu,
            dir.path(),
            &[
                "run",
                "rb.md",
                "--aws-timeout",
                &timeout,
                "--log-dir",
                "logs",
            ],
            true,
        );
        // From the start of the process: the step is shown at once, its lookups right after.
        let took = within(
            &mut p,
            "api errors now",
            AWS_TIMEOUT + Duration::from_secs(1),
        );
        p.expect("(Enter:").unwrap();
        // The menu answers: the help, then quit.
        p.send("?").unwrap();
        p.expect("show what each key does").unwrap();
        p.expect("(Enter:").unwrap();
        quit(&mut p);
        eprintln!("round {round}: table {took:?} after start");
    }
}

/// The same for `runbook lookup` on a terminal: the table within the timeout plus one second
/// of starting, and a clean exit, twenty times in a row.
pub fn runbook_lookup_shows_its_tables_in_a_terminal_twenty_times_in_a_row(emu: &Shared) {
    let metric = unique("Errors");
    put_metric(emu, "eu-west-2", "Runbook/Test", &metric, 1.0, 60);
    put_metric(emu, "eu-central-1", "Runbook/Test", &metric, 2.0, 60);
    let dir = tempfile::tempdir().unwrap();
    lookup_runbook(dir.path(), &metric, "api errors by region", "euw2, euc1");
    let timeout = AWS_TIMEOUT.as_secs().to_string() + "s";
    for _ in 0..20 {
        let mut p = spawn(
            emu,
            dir.path(),
            &["lookup", "rb.md", "--aws-timeout", &timeout],
            true,
        );
        within(
            &mut p,
            "api errors by region",
            AWS_TIMEOUT + Duration::from_secs(1),
        );
        assert_eq!(crate::pty::exit_code(&mut p), Some(0));
    }
}

/// Ctrl-C while a region does not answer cancels the lookups at once; the walk goes on to its
/// prompt and the keys work.
pub fn ctrl_c_cancels_slow_lookups_and_the_walk_goes_on(emu: &Shared) {
    let slow = "il-central-1";
    emu.delay(slow, 30_000);
    let dir = tempfile::tempdir().unwrap();
    lookup_runbook(dir.path(), &unique("Slow"), "slow region errors", slow);
    let mut p = spawn(
        emu,
        dir.path(),
        &["run", "rb.md", "--aws-timeout", "30s", "--log-dir", "logs"],
        true,
    );
    p.expect("Step 1/2").unwrap();
    // The spinner says the region is being asked.
    p.expect("il-central-1 …").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // Keys typed while the spinners run are not echoed over them (nor is the Ctrl-C).
    p.send("xyz").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    p.send(ControlCode::EndOfText).unwrap();
    let shown = p.expect("cancelled by the operator (Ctrl-C)").unwrap();
    let shown = String::from_utf8_lossy(shown.before()).into_owned();
    assert!(
        !shown.contains("xyz") && !shown.contains("^C"),
        "keys echoed over the spinners: {shown:?}"
    );
    p.expect("(Enter:").unwrap();
    p.send("l").unwrap();
    // `l` asks again: the region is still slow, and a second Ctrl-C cancels that too.
    p.expect("il-central-1 …").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    p.send(ControlCode::EndOfText).unwrap();
    within(
        &mut p,
        "cancelled by the operator (Ctrl-C)",
        Duration::from_secs(2),
    );
    p.expect("(Enter:").unwrap();
    quit(&mut p);
    emu.delay(slow, 0);
    let cancelled = events(dir.path())
        .into_iter()
        .filter(|e| e["type"] == "lookup_result")
        .filter(|e| {
            e["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("cancelled by the operator"))
        })
        .count();
    assert_eq!(cancelled, 2);
}

/// Issue 11 item 6: SIGTERM while a region does not answer cancels the lookups at once, logs
/// them as cancelled, and ends the walk as a recorded pause, exit 143.
pub fn a_signal_while_lookups_run_cancels_them_and_ends_the_walk(emu: &Shared) {
    // Not the region of the Ctrl-C test: the suite runs both at once, and each resets its
    // region's delay when done.
    let slow = "ap-northeast-3";
    emu.delay(slow, 30_000);
    let dir = tempfile::tempdir().unwrap();
    lookup_runbook(dir.path(), &unique("Signal"), "slow region", slow);
    let mut p = spawn(
        emu,
        dir.path(),
        &["run", "rb.md", "--aws-timeout", "30s", "--log-dir", "logs"],
        true,
    );
    p.expect("ap-northeast-3 …").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let sent = Instant::now();
    let pid = p.get_process().pid().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(crate::pty::exit_code(&mut p), Some(143));
    emu.delay(slow, 0);
    assert!(
        sent.elapsed() < Duration::from_secs(3),
        "{:?}",
        sent.elapsed()
    );
    let all = events(dir.path());
    let kinds: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "session_started",
            "step_started",
            "lookup_result",
            "session_paused"
        ]
    );
    let message = all[2]["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("cancelled by SIGTERM after "),
        "{message}"
    );
    assert_eq!(all[3]["reason"], "signal");
    assert_eq!(all[3]["signal"], "SIGTERM");
}

/// Item 10: a guard alarm that fires while a command runs is a status line at once, logged once
/// with the alarm's own time, not shown again at the next prompt; the next command asks first.
pub fn a_guard_alarm_firing_during_a_command_is_a_status_line_and_logged_once(emu: &Shared) {
    let region = "eu-south-2";
    let prefix = unique("guard");
    let name = format!("{prefix}-calls");
    put_alarm(emu, region, &name, StateValue::Ok);
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "---\nregions: [{region}]\nguard_alarms: [{prefix}]\n---\n# Guarded\n\n## Work\n```bash\necho started; sleep 3; echo finished\n```\n\n```bash\necho second\n```\n"
    );
    std::fs::write(dir.path().join("rb.md"), text).unwrap();
    let mut p = spawn(
        emu,
        dir.path(),
        &[
            "run",
            "rb.md",
            "--guard-interval",
            "200ms",
            "--log-dir",
            "logs",
        ],
        true,
    );
    p.expect("(Enter:").unwrap();
    p.send("\r").unwrap();
    p.expect("started").unwrap();
    set_state(emu, region, &name, StateValue::Alarm);
    let status = p.expect(Regex("GUARD ALARM [^ ]+ in [a-z0-9-]+")).unwrap();
    let status = String::from_utf8_lossy(status.as_bytes()).into_owned();
    assert!(status.contains(&name), "{status}");
    // Shown while the command still runs: its last line comes after.
    p.expect("finished").unwrap();
    p.expect("(Enter:").unwrap();
    p.send("\r").unwrap();
    let asked = p.expect("Run command 2 anyway?").unwrap();
    let before = String::from_utf8_lossy(asked.before()).into_owned();
    assert!(
        !before.contains("GUARD ALARM"),
        "shown twice, at the prompt too:\n{before}"
    );
    p.send("y").unwrap();
    p.expect("second").unwrap();
    p.expect(Regex("walk finished|Step 2")).unwrap();
    crate::pty::exit_code(&mut p);
    let logged: Vec<serde_json::Value> = events(dir.path())
        .into_iter()
        .filter(|e| e["type"] == "guard_alarm")
        .collect();
    assert_eq!(logged.len(), 1, "{logged:#?}");
    assert_eq!(logged[0]["alarm"], name.as_str());
    let since = logged[0]["since"].as_str().expect("the alarm's own time");
    assert!(
        since < logged[0]["ts"].as_str().unwrap(),
        "fired ({since}) before it was logged"
    );
    for e in events(dir.path()) {
        super::binary::validate(&e);
    }
}

/// A guard that cannot read its alarms says so (and logs it) once, and again when it can.
pub fn a_blind_guard_says_so_and_says_when_it_sees_again(emu: &Shared) {
    let region = "ap-southeast-3";
    let prefix = unique("blind");
    put_alarm(emu, region, &format!("{prefix}-db"), StateValue::Ok);
    emu.fail(region, "AccessDenied", 403);
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "---\nregions: [{region}]\nguard_alarms: [{prefix}]\n---\n# Guarded\n\n## Work\n```bash\necho started; sleep 2; echo finished\n```\n"
    );
    std::fs::write(dir.path().join("rb.md"), text).unwrap();
    let mut p = spawn(
        emu,
        dir.path(),
        &[
            "run",
            "rb.md",
            "--guard-interval",
            "200ms",
            "--log-dir",
            "logs",
        ],
        true,
    );
    p.expect("Step 1/1").unwrap();
    p.expect(format!("guard alarms cannot be read in {region}").as_str())
        .unwrap();
    p.expect("(Enter:").unwrap();
    p.send("\r").unwrap();
    p.expect("started").unwrap();
    emu.control("fail", &format!(r#"{{"region":"{region}","status":0}}"#));
    p.expect(format!("guard alarms can be read again in {region}").as_str())
        .unwrap();
    p.expect("finished").unwrap();
    p.expect(Regex("walk finished")).unwrap();
    crate::pty::exit_code(&mut p);
    let all = events(dir.path());
    let guard: Vec<&str> = all
        .iter()
        .filter_map(|e| e["type"].as_str())
        .filter(|t| t.starts_with("guard_"))
        .collect();
    assert_eq!(guard, ["guard_unavailable", "guard_recovered"]);
    let blind = all
        .iter()
        .find(|e| e["type"] == "guard_unavailable")
        .unwrap();
    assert_eq!(blind["error"]["kind"], "access_denied");
    for e in &all {
        super::binary::validate(e);
    }
}

/// Item 13: without credentials the step says so in one line, naming the runbook's own
/// profile; after the operator logs in, `l` runs the lookups again and they answer.
pub fn no_credentials_is_one_line_and_l_retries_after_login(emu: &Shared) {
    let metric = unique("Errors");
    put_metric(emu, "eu-west-2", "Runbook/Test", &metric, 5.0, 60);
    put_metric(emu, "eu-central-1", "Runbook/Test", &metric, 6.0, 60);
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "---\nprofile: oncall-ro\nregions: [euw2, euc1]\n---\n# Watched\n\n## Look\n```cloudwatch\nnamespace: Runbook/Test\nmetric: {metric}\ndimensions:\n  Service: api\nstat: Sum\nlabel: errors after login\n```\n\n```cloudwatch\nalarms: nothing-\n```\n\n## Act\n```bash\necho acted\n```\n"
    );
    std::fs::write(dir.path().join("rb.md"), text).unwrap();
    // An SSO profile not logged in: it exists, without credentials (a profile in neither file
    // is another message, `no AWS profile`).
    std::fs::write(
        dir.path().join("aws-config"),
        "[profile oncall-ro]\nregion = eu-west-2\n",
    )
    .unwrap();
    let mut p = spawn(
        emu,
        dir.path(),
        &["run", "rb.md", "--log-dir", "logs"],
        false,
    );
    p.expect("Step 1/2").unwrap();
    let said = p
        .expect("lookups not run: no AWS credentials: run `aws sso login --profile oncall-ro`")
        .unwrap();
    drop(said);
    let menu = p.expect("(Enter:").unwrap();
    let between = String::from_utf8_lossy(menu.before()).into_owned();
    assert!(
        !between.contains("no AWS credentials") && !between.contains("[lookup"),
        "one line, no table of errors:\n{between}"
    );
    // The operator logs in (here: the profile's keys appear), then asks again.
    std::fs::write(
        dir.path().join("aws-credentials"),
        "[oncall-ro]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    p.send("l").unwrap();
    p.expect("errors after login").unwrap();
    p.expect("(Enter:").unwrap();
    quit(&mut p);
    let answered: Vec<String> = events(dir.path())
        .iter()
        .filter(|e| e["type"] == "lookup_result" && e["lookup"] == 1 && e["error"].is_null())
        .map(|e| e["region"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        answered,
        ["eu-west-2", "eu-central-1"],
        "the runbook's regions"
    );
}
