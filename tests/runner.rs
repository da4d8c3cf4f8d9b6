//! `PtyRunner` end to end: real bash on a real pseudo-terminal, output captured in memory.
//!
//! The pty's line discipline turns every `\n` a command prints into `\r\n` (ONLCR), so the
//! expected outputs below carry `\r\n`: that is what a terminal receives and what the log keeps.

#[allow(dead_code, reason = "the AWS terminal is for the emulator tests")]
#[path = "common/pty.rs"]
mod pty;

use std::io::Write;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use runbook::runner::{PtyRunner, take_interrupt};
use runbook::walk::ports::{CommandOutcome, CommandRunner, CommandSpec};

/// SIGINT and descriptor counts are process-wide: those tests run alone, the others share.
static EXCLUSIVE: RwLock<()> = RwLock::new(());

fn shared() -> RwLockReadGuard<'static, ()> {
    EXCLUSIVE
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn alone() -> RwLockWriteGuard<'static, ()> {
    EXCLUSIVE
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A sink the test can read back.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Sink {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Counts bytes without keeping them.
#[derive(Clone, Default)]
struct Counter(Arc<Mutex<u64>>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0.lock().unwrap() += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn spec(code: &str) -> CommandSpec {
    CommandSpec {
        code: code.to_string(),
        runner: None,
        cwd: std::env::current_dir().unwrap(),
        env: Vec::new(),
        timeout: Some(Duration::from_secs(20)),
        interactive: false,
        no_input: false,
        secrets: Vec::new(),
        unset: Vec::new(),
    }
}

/// Runs `code` on `runner` while this process gets a SIGINT (a Ctrl-C) 300 ms in.
fn run_with_ctrl_c(runner: &mut PtyRunner, code: &str) -> CommandOutcome {
    let raiser = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(300));
        signal_hook::low_level::raise(signal_hook::consts::SIGINT).unwrap();
    });
    let outcome = runner.run(&spec(code));
    raiser.join().unwrap();
    outcome
}

fn assert_within(started: Instant, limit: Duration) {
    let took = started.elapsed();
    assert!(took < limit, "took {took:?}, limit {limit:?}");
}

/// Runs `spec`; returns the outcome and what the sink received.
fn run(spec: &CommandSpec) -> (CommandOutcome, String) {
    let sink = Sink::default();
    let mut runner = PtyRunner::with_output(Box::new(sink.clone()));
    let outcome = runner.run(spec);
    (outcome, sink.text())
}

fn process_alive(pid: i32) -> bool {
    // A zombie waiting for init to reap it counts as dead.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn wait_dead(pid: i32) -> bool {
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        if !process_alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn exit_codes() {
    let _g = shared();
    let (ok, shown) = run(&spec("true"));
    assert_eq!(ok.exit_code, Some(0));
    assert_eq!(ok.signal, None);
    assert_eq!(ok.spawn_error, None);
    assert_eq!((ok.output.as_str(), ok.bytes, ok.truncated), ("", 0, false));
    assert_eq!(shown, "");
    let (three, _) = run(&spec("exit 3"));
    assert_eq!(three.exit_code, Some(3));
    assert!(!three.timed_out && !three.interrupted);
}

#[test]
fn killed_by_a_signal() {
    let _g = shared();
    let (outcome, _) = run(&spec("kill -9 $$"));
    assert_eq!(outcome.exit_code, None);
    assert_eq!(outcome.signal.as_deref(), Some("SIGKILL"));
    assert!(!outcome.timed_out);
}

#[test]
fn output_is_shown_and_captured_with_crlf() {
    let _g = shared();
    let (outcome, shown) = run(&spec(
        "echo hello; printf 'a\\nb\\n' >&2; printf 'no newline'",
    ));
    assert_eq!(outcome.output, "hello\r\na\r\nb\r\nno newline");
    assert_eq!(shown, outcome.output);
    assert_eq!(outcome.bytes, outcome.output.len() as u64);
    assert_eq!(outcome.exit_code, Some(0));
}

#[test]
fn runs_on_a_terminal_it_controls() {
    let _g = shared();
    let (outcome, _) = run(&spec(
        "test -t 0 && test -t 1 && test -t 2 && echo tty; exec 3</dev/tty && echo ctty; stty size",
    ));
    assert_eq!(outcome.output, "tty\r\nctty\r\n24 80\r\n");
}

#[test]
fn commands_start_with_default_signal_handling() {
    let _g = shared();
    // This process ignores SIGPIPE (Rust does) and handles SIGINT: a command must see neither.
    // `yes` dies of SIGPIPE (141) when `head` is done; with SIGPIPE ignored it would exit 1.
    let (outcome, _) = run(&spec(
        "yes | head -n 1 >/dev/null; echo pipe ${PIPESTATUS[0]}; \
         grep -E '^Sig(Blk|Ign):' /proc/self/status | tr -s '\t' ' '",
    ));
    let lines: Vec<&str> = outcome.output.split("\r\n").collect();
    assert_eq!(lines[..2], ["pipe 141", "SigBlk: 0000000000000000"]);
    let ignored = lines[2].strip_prefix("SigIgn: ").expect("a SigIgn line");
    let ignored = u64::from_str_radix(ignored, 16).unwrap();
    // glibc's posix_spawn leaves its two internal signals (32, 33) ignored; none other may be.
    for signal in 1..=31 {
        assert_eq!(
            ignored & (1 << (signal - 1)),
            0,
            "signal {signal} is ignored"
        );
    }
}

#[test]
fn bash_is_found_in_the_absolute_directories_of_the_path() {
    let _g = shared();
    let bin = tempfile::tempdir().unwrap();
    let bash = bin.path().join("bash");
    std::fs::write(&bash, "#!/bin/sh\necho \"fake bash\"\n").unwrap();
    std::fs::set_permissions(&bash, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let real = std::env::var("PATH").unwrap();
    // A relative entry naming a directory with a `bash` in it is skipped; an absolute one is used.
    let mut s = spec("echo real bash");
    s.cwd = bin.path().parent().unwrap().to_path_buf();
    let relative = bin
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    s.env = vec![("PATH".into(), format!("{relative}:{real}"))];
    assert_eq!(run(&s).0.output, "real bash\r\n");
    s.env = vec![("PATH".into(), format!("{}:{real}", bin.path().display()))];
    assert_eq!(run(&s).0.output, "fake bash\r\n");
}

#[test]
fn environment_is_inherited_plus_session_variables() {
    let _g = shared();
    let mut s = spec("printf '%s|' \"$GREETING\" \"$OTHER\"; test -n \"$PATH\" && echo path");
    s.env = vec![
        ("GREETING".into(), "hi there".into()),
        ("OTHER".into(), "é".into()),
    ];
    let (outcome, _) = run(&s);
    assert_eq!(outcome.output, "hi there|é|path\r\n");
}

#[test]
fn working_directory_is_honoured() {
    let _g = shared();
    let dir = tempfile::tempdir().unwrap();
    let mut s = spec("pwd -P");
    s.cwd = dir.path().to_path_buf();
    let (outcome, _) = run(&s);
    let expected = dir.path().canonicalize().unwrap();
    assert_eq!(outcome.output, format!("{}\r\n", expected.display()));
}

#[test]
fn missing_working_directory_is_a_spawn_error() {
    let _g = shared();
    let mut s = spec("echo never");
    s.cwd = "/nope/not/here".into();
    let (outcome, shown) = run(&s);
    assert_eq!(
        outcome.spawn_error.as_deref(),
        Some("working directory `/nope/not/here` does not exist")
    );
    assert_eq!(outcome.exit_code, None);
    assert_eq!(shown, "");
}

#[test]
fn a_missing_working_directory_named_by_a_secret_is_not_spelled_out() {
    let _g = shared();
    let mut s = spec("echo never");
    s.cwd = "/nope/hunter2-token".into();
    s.secrets = vec!["hunter2-token".into()];
    let (outcome, _) = run(&s);
    assert_eq!(
        outcome.spawn_error.as_deref(),
        Some("working directory `/nope/[REDACTED]` does not exist")
    );
}

#[test]
fn missing_bash_is_a_spawn_error() {
    let _g = shared();
    let mut s = spec("true");
    s.env = vec![("PATH".into(), "/nonexistent".into())];
    let (outcome, _) = run(&s);
    assert_eq!(
        outcome.spawn_error.as_deref(),
        Some("cannot run `bash`: not found on the PATH")
    );
    assert_eq!(outcome.exit_code, None);
}

#[test]
fn a_nul_byte_in_a_variable_is_a_spawn_error_that_does_not_show_the_value() {
    let _g = shared();
    let mut s = spec("echo never");
    s.env = vec![("TOKEN".into(), "hunter2\0rest".into())];
    s.secrets = vec!["hunter2\0rest".into()];
    let (outcome, shown) = run(&s);
    assert_eq!(
        outcome.spawn_error.as_deref(),
        Some("cannot run `bash`: the value of `TOKEN` contains a NUL byte")
    );
    assert_eq!(shown, "");
}

#[test]
fn runner_reads_the_block_on_stdin() {
    let _g = shared();
    let mut s = spec("echo one\necho two\n");
    s.runner = Some("cat".into());
    let (outcome, _) = run(&s);
    assert_eq!(outcome.output, "echo one\r\necho two\r\n");
    assert_eq!(outcome.exit_code, Some(0));

    let mut s = spec("a\nb\nc\n");
    s.runner = Some("wc -l".into());
    let (outcome, _) = run(&s);
    assert_eq!(outcome.output.trim(), "3");

    let mut s = spec("echo from-python-like-runner\n");
    s.runner = Some("bash -s".into());
    let (outcome, _) = run(&s);
    assert_eq!(outcome.output, "from-python-like-runner\r\n");
}

#[test]
fn runner_with_a_large_block_does_not_deadlock() {
    let _g = shared();
    // 400 KB in, echoed back out: both directions must make progress together.
    let block = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n".repeat(6400);
    let mut s = spec(&block);
    s.runner = Some("cat".into());
    let (outcome, _) = run(&s);
    assert_eq!(outcome.exit_code, Some(0));
    assert_eq!(outcome.bytes, 6400 * 65);
}

#[test]
fn timeout_kills_the_whole_group() {
    let _g = shared();
    let mut s = spec("trap '' TERM; sleep 100 & echo $!; sleep 101 & echo $!; wait");
    s.timeout = Some(Duration::from_millis(300));
    let started = Instant::now();
    let (outcome, _) = run(&s);
    let elapsed = started.elapsed();
    assert!(outcome.timed_out);
    assert!(!outcome.interrupted);
    assert_eq!(outcome.signal.as_deref(), Some("SIGKILL"));
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    assert!(
        elapsed >= Duration::from_millis(2300),
        "SIGTERM was ignored, so 2 s grace"
    );
    let pids: Vec<i32> = outcome
        .output
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 2);
    for pid in pids {
        assert!(wait_dead(pid), "process {pid} survived");
    }
}

#[test]
fn timeout_sigterm_is_enough_for_a_polite_group() {
    let _g = shared();
    let mut s = spec("sleep 100 & echo $!; sleep 100; wait");
    s.timeout = Some(Duration::from_millis(200));
    let started = Instant::now();
    let (outcome, _) = run(&s);
    assert!(outcome.timed_out);
    assert_eq!(outcome.signal.as_deref(), Some("SIGTERM"));
    assert_within(started, Duration::from_secs(2));
    let pid: i32 = outcome.output.trim().parse().unwrap();
    assert!(wait_dead(pid), "background process {pid} survived");
}

#[test]
fn huge_output_is_bounded() {
    let _g = shared();
    let counter = Counter::default();
    let mut runner = PtyRunner::with_output(Box::new(counter.clone()));
    let outcome = runner.run(&spec("head -c 20000000 /dev/zero | tr '\\0' x"));
    assert_eq!(outcome.exit_code, Some(0));
    assert!(outcome.truncated);
    assert_eq!(outcome.bytes, 20_000_000);
    assert_eq!(*counter.0.lock().unwrap(), 20_000_000);
    let marker = format!("\n[… {} bytes omitted …]\n", 20_000_000 - 1024 * 1024);
    assert_eq!(outcome.output.len(), 1024 * 1024 + marker.len());
    assert!(outcome.output.contains(&marker));
    assert!(outcome.output.starts_with("xxxx") && outcome.output.ends_with("xxxx"));
}

#[test]
fn secrets_are_redacted_live_and_in_the_log() {
    let _g = shared();
    let mut s = spec("echo \"token=$TOKEN\"; echo done");
    s.env = vec![("TOKEN".into(), "s3cr3t-value".into())];
    s.secrets = vec!["s3cr3t-value".into(), String::new()];
    let (outcome, shown) = run(&s);
    assert_eq!(outcome.output, "token=[REDACTED]\r\ndone\r\n");
    assert_eq!(shown, outcome.output);
    assert_eq!(outcome.redactions, 1);
}

#[test]
fn a_multi_line_secret_is_redacted_through_the_terminals_crlf() {
    let _g = shared();
    let pem = "-----BEGIN KEY-----\nMIIEvQIBADANBg\n-----END KEY-----";
    let mut s = spec("printf '%s\\n' \"$KEY\"; echo done");
    s.env = vec![("KEY".into(), pem.into())];
    s.secrets = vec![pem.into()];
    let (outcome, shown) = run(&s);
    assert_eq!(outcome.output, "[REDACTED]\r\ndone\r\n");
    assert_eq!(shown, outcome.output);
    assert_eq!(outcome.redactions, 1);
}

#[test]
fn secrets_split_across_writes_are_redacted() {
    let _g = shared();
    let mut s = spec("printf 'abc'; sleep 0.1; printf 'def'; printf ' abcabc'");
    s.secrets = vec!["abcdef".into()];
    let (outcome, shown) = run(&s);
    assert_eq!(outcome.output, "[REDACTED] abcabc");
    assert_eq!(shown, outcome.output);
    assert_eq!(outcome.redactions, 1);
}

#[test]
fn commands_reading_stdin_get_end_of_input() {
    let _g = shared();
    let started = Instant::now();
    let (cat, _) = run(&spec("cat"));
    assert_eq!(cat.exit_code, Some(0));
    assert_eq!(cat.output, "");
    let (read, _) = run(&spec("read x; echo \"status=$? x=[$x]\""));
    assert_eq!(read.output, "status=1 x=[]\r\n");
    assert_within(started, Duration::from_secs(3));
}

#[test]
fn interactive_without_a_terminal_does_not_hang() {
    let _g = shared();
    if rustix::termios::isatty(rustix::stdio::stdin()) {
        return; // Would forward the operator's keyboard; covered by the expectrl tests.
    }
    let mut s = spec("cat; echo after");
    s.interactive = true;
    let (outcome, _) = run(&s);
    assert_eq!(outcome.output, "after\r\n");
}

#[test]
fn lingering_background_process_does_not_hold_us() {
    let _g = shared();
    // Ignores the hangup and keeps the pty open after bash exits.
    let started = Instant::now();
    let (outcome, _) = run(&spec("(trap '' HUP; sleep 3; echo late) & echo started"));
    assert_eq!(outcome.exit_code, Some(0));
    assert_eq!(outcome.output, "started\r\n");
    assert_within(started, Duration::from_secs(1));
}

#[test]
fn ctrl_c_interrupts_the_command_not_the_process() {
    let _g = alone();
    let mut runner = PtyRunner::with_output(Box::new(Sink::default()));
    let started = Instant::now();
    let outcome = run_with_ctrl_c(&mut runner, "sleep 30");
    assert!(outcome.interrupted);
    assert!(!outcome.timed_out);
    assert_eq!(outcome.signal.as_deref(), Some("SIGINT"));
    assert_within(started, Duration::from_secs(3));
    // The command consumed it.
    assert!(!take_interrupt());

    // Between commands, the walk reads the flag.
    signal_hook::low_level::raise(signal_hook::consts::SIGINT).unwrap();
    assert!(take_interrupt());
    assert!(!take_interrupt());

    // A stale Ctrl-C does not interrupt the next command.
    signal_hook::low_level::raise(signal_hook::consts::SIGINT).unwrap();
    let outcome = runner.run(&spec("sleep 0.2; echo fine"));
    assert!(!outcome.interrupted);
    assert_eq!(outcome.output, "fine\r\n");
}

#[test]
fn ctrl_c_escalates_to_sigkill() {
    let _g = alone();
    let mut runner = PtyRunner::with_output(Box::new(Sink::default()));
    let started = Instant::now();
    let outcome = run_with_ctrl_c(&mut runner, "trap '' INT; sleep 30");
    assert!(outcome.interrupted);
    assert_eq!(outcome.signal.as_deref(), Some("SIGKILL"));
    assert_within(started, Duration::from_secs(4));
}

#[test]
fn no_descriptor_leaks_and_no_zombies() {
    let _g = alone();
    let fds = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    let mut runner = PtyRunner::with_output(Box::new(Sink::default()));
    runner.run(&spec("true")); // Signal plumbing is set up once, on first use.
    let before = fds();
    for code in ["true", "exit 4", "echo x", "cat"] {
        runner.run(&spec(code));
    }
    let mut s = spec("a\n");
    s.runner = Some("cat".into());
    runner.run(&s);
    assert_eq!(fds(), before);
    // Our children are all reaped.
    let me = std::process::id().to_string();
    let zombies: Vec<_> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("stat")).ok())
        .filter(|stat| {
            let rest = stat.rsplit_once(')').map_or("", |(_, r)| r).trim_start();
            let mut fields = rest.split_whitespace();
            fields.next() == Some("Z") && fields.next() == Some(me.as_str())
        })
        .collect();
    assert!(zombies.is_empty(), "{zombies:?}");
}

const HELPER_ENV: &str = "RUNBOOK_RUNNER_TEST_HELPER";

/// Run inside a pseudo-terminal by [`interactive_command_gets_the_keyboard`]: a real operator
/// terminal for [`PtyRunner::new`].
#[test]
#[ignore = "helper, run by interactive_command_gets_the_keyboard"]
fn interactive_helper() {
    if std::env::var_os(HELPER_ENV).is_none() {
        return;
    }
    let modes = || {
        let t = rustix::termios::tcgetattr(rustix::stdio::stdin()).unwrap();
        (
            t.input_modes,
            t.output_modes,
            t.control_modes,
            t.local_modes,
        )
    };
    let before = modes();
    let mut s = spec("read -p 'name? ' x; echo \"hi $x\"; sleep 30; echo never");
    s.interactive = true;
    let outcome = PtyRunner::new().run(&s);
    eprintln!(
        "\nOUTCOME signal={:?} interrupted={} restored={}",
        outcome.signal,
        outcome.interrupted,
        modes() == before
    );
}

#[test]
fn interactive_command_gets_the_keyboard() {
    use expectrl::Expect;
    let _g = shared();
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", "interactive_helper", "--ignored", "--nocapture"])
        .env(HELPER_ENV, "1");
    let mut session = pty::spawn(command, 80, 24);
    session.set_expect_timeout(Some(Duration::from_secs(10)));
    session.expect("name? ").unwrap();
    session.send("bob\r").unwrap();
    session.expect("hi bob").unwrap();
    // Ctrl-C is a byte for the command's terminal (ours is raw): it ends `sleep` there.
    std::thread::sleep(Duration::from_millis(200));
    session.send("\x03").unwrap();
    session
        .expect("OUTCOME signal=Some(\"SIGINT\") interrupted=false restored=true")
        .unwrap();
}

/// Runs `codes` one after another the way the walk does: each starts in the directory and with
/// the variables the previous ones left.
fn run_carrying(codes: &[&str]) -> Vec<(CommandOutcome, String)> {
    use runbook::walk::carried::Carried;
    let mut carried = Carried::default();
    codes
        .iter()
        .map(|code| {
            let mut spec = spec(code);
            if let Some(dir) = &carried.cwd {
                spec.cwd.clone_from(dir);
            }
            spec.env = carried
                .set_vars()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            spec.unset = carried.unset_names();
            let ran = run(&spec);
            if let Some(after) = &ran.0.shell {
                carried.take(after);
            }
            ran
        })
        .collect()
}

#[test]
fn cd_carries_to_the_next_command() {
    let _g = shared();
    let ran = run_carrying(&["cd /tmp", "pwd"]);
    let tmp = std::fs::canonicalize("/tmp").unwrap();
    assert_eq!(
        ran[0].0.shell.as_ref().unwrap().cwd.as_deref(),
        Some(tmp.as_path())
    );
    assert_eq!(ran[1].1, format!("{}\r\n", tmp.display()));
    assert_eq!(
        ran[1].0.shell.as_ref().unwrap().cwd,
        None,
        "pwd did not move"
    );
}

#[test]
fn exported_and_unset_variables_carry() {
    let _g = shared();
    let ran = run_carrying(&[
        "export FOO=1; export GONE_LATER=x",
        "echo $FOO",
        "unset GONE_LATER; set -a; BAR=2",
        "echo \"${GONE_LATER-unset} $BAR\"",
    ]);
    let first = ran[0].0.shell.as_ref().unwrap();
    assert_eq!(
        first.changed,
        [
            ("FOO".to_string(), Some("1".to_string())),
            ("GONE_LATER".to_string(), Some("x".to_string())),
        ]
    );
    assert_eq!(ran[1].1, "1\r\n");
    assert_eq!(
        ran[2].0.shell.as_ref().unwrap().changed,
        [
            ("BAR".to_string(), Some("2".to_string())),
            ("GONE_LATER".to_string(), None),
        ]
    );
    assert_eq!(ran[3].1, "unset 2\r\n");
}

#[test]
fn shell_variables_set_without_export_carry_but_arrays_namerefs_and_bash_own_do_not() {
    let _g = shared();
    let ran = run_carrying(&[
        "TARGET=/srv/app; arr=(1 2); for i in a b; do :; done; declare -n r=TARGET; ls >/dev/null",
        "echo \"$TARGET $i ${arr-none} ${r-none} ${COLUMNS-none}\"",
    ]);
    assert_eq!(
        ran[0].0.shell.as_ref().unwrap().changed,
        [
            ("TARGET".to_string(), Some("/srv/app".to_string())),
            ("i".to_string(), Some("b".to_string())),
        ]
    );
    assert_eq!(ran[1].1, "/srv/app b none none none\r\n");
}

#[test]
fn the_state_file_is_not_open_in_the_commands_programs() {
    let _g = shared();
    // `export` makes it run under the wrapper; `ls` is a program it starts; `exit` leaves
    // through the EXIT trap, which must still find the file.
    let ran = run_carrying(&[
        "export SEEN=1; ls -l /proc/self/fd/ | grep -c -- ' 63 -> ' ; sleep 0.1 & wait; exit 4",
        "echo $SEEN",
    ]);
    assert_eq!(ran[0].0.exit_code, Some(4));
    assert_eq!(
        ran[0].1, "0\r\n",
        "the command's programs do not hold fd 63"
    );
    assert_eq!(ran[1].1, "1\r\n", "the state was still captured");
}

#[test]
fn a_failing_command_still_carries_its_directory() {
    let _g = shared();
    let ran = run_carrying(&["cd /tmp && false", "pwd", "cd / ; exit 3", "pwd"]);
    let tmp = std::fs::canonicalize("/tmp").unwrap();
    assert_eq!(ran[0].0.exit_code, Some(1));
    assert_eq!(ran[1].1, format!("{}\r\n", tmp.display()));
    assert_eq!(ran[2].0.exit_code, Some(3), "`exit` keeps its status");
    assert_eq!(ran[3].1, "/\r\n");
}

#[test]
fn set_e_and_set_u_do_not_stop_the_capture_and_the_text_runs_unchanged() {
    let _g = shared();
    let ran = run_carrying(&[
        "set -eu\ncd /tmp\nexport A=1\nfalse\necho never",
        "echo \"$A $0 $#\"",
    ]);
    assert_eq!(ran[0].0.exit_code, Some(1));
    assert!(!ran[0].1.contains("never"));
    assert_eq!(
        ran[1].1, "1 bash 0\r\n",
        "$0 and the arguments are bash's as before"
    );
}

#[test]
fn a_command_killed_by_a_signal_leaves_no_state() {
    let _g = shared();
    let (outcome, _) = run(&spec("cd /tmp; kill -9 $$"));
    assert_eq!(outcome.signal.as_deref(), Some("SIGKILL"));
    assert_eq!(outcome.shell, None);
}

#[test]
fn set_x_does_not_trace_the_capture() {
    let _g = shared();
    let (outcome, shown) = run(&spec("set -x; export API_TOKEN=very-secret; true"));
    assert_eq!(outcome.exit_code, Some(0));
    assert!(!shown.contains("__runbook"), "{shown}");
    assert!(
        !shown.contains("compgen") && !shown.contains("printf"),
        "only the command's own trace: {shown}"
    );
    let changed = &outcome.shell.as_ref().unwrap().changed;
    assert_eq!(
        changed,
        &[("API_TOKEN".to_string(), Some("very-secret".to_string()))]
    );
}
