//! The AWS emulator for these tests: moto's server behind the test-only CBOR translator, started once per test binary.
//!
//! Why a translator: from aws-sdk-cloudwatch 1.100 the SDK speaks Smithy RPCv2-CBOR, which moto
//! does not serve; `tests/aws/cbor_proxy.py` turns CBOR requests into the JSON 1.0 moto serves and
//! back, and injects per-region delays and failures (`POST /__proxy/delay {"region","ms"}`, ...).
//!
//! Cleaning up: both servers are started with `PR_SET_PDEATHSIG = SIGKILL`, so the kernel kills
//! them when this test process ends, however it ends (a static's destructor never runs, and a
//! panic or Ctrl-C would skip one anyway). The death signal fires when the *thread* that forked
//! them ends, so they are spawned from a keeper thread that lives as long as the process.
//!
//! Where they come from: `RUNBOOK_TEST_PYTHON` and `RUNBOOK_TEST_MOTO` (set by `scripts/test`),
//! else `.venv/bin/python` and `.venv/bin/moto_server` in the repository. Without them the tests
//! are reported as ignored with the reason (`CI=true`: failed); with them, an emulator that does
//! not start fails the test.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long moto and the translator may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running emulator.
pub struct Emulator {
    /// Where the SDK sends requests (the translator).
    pub url: String,
    /// The translator's `host:port`, for its control requests.
    addr: String,
}

static EMULATOR: OnceLock<Result<Emulator, String>> = OnceLock::new();

/// The emulator a test is given: started on first use, shared by every test of the binary.
pub struct Shared;

impl std::ops::Deref for Shared {
    type Target = Emulator;
    fn deref(&self) -> &Emulator {
        get()
    }
}

/// The emulator, if its programs exist here (checked before any test runs, started later).
pub fn available() -> Result<Shared, String> {
    tool("RUNBOOK_TEST_PYTHON", ".venv/bin/python")?;
    tool("RUNBOOK_TEST_MOTO", ".venv/bin/moto_server")?;
    Ok(Shared)
}

/// The shared emulator, started on first use; a test fails when it cannot start.
fn get() -> &'static Emulator {
    match EMULATOR.get_or_init(start) {
        Ok(e) => e,
        Err(why) => panic!("the AWS emulator did not start: {why}"),
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tool(var: &str, fallback: &str) -> Result<PathBuf, String> {
    let path = match std::env::var_os(var) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => repo().join(fallback),
    };
    if path.exists() {
        Ok(path)
    } else {
        Err(format!("{} not found (set {var})", path.display()))
    }
}

/// A command whose process the kernel kills when the spawning thread (the keeper) ends.
fn dying_with_us(program: &Path) -> Command {
    let mut cmd = Command::new(program);
    // SAFETY: only an async-signal-safe system call runs between fork and exec.
    #[allow(unsafe_code)]
    unsafe {
        cmd.pre_exec(|| {
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))
                .map_err(std::io::Error::from)
        });
    }
    cmd.stdin(Stdio::null());
    cmd
}

fn start() -> Result<Emulator, String> {
    let python = tool("RUNBOOK_TEST_PYTHON", ".venv/bin/python")?;
    let moto = tool("RUNBOOK_TEST_MOTO", ".venv/bin/moto_server")?;
    let proxy_script = repo().join("tests/aws/cbor_proxy.py");
    if !proxy_script.exists() {
        return Err(format!("{} not found", proxy_script.display()));
    }
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("aws-emulator".into())
        .spawn(move || {
            let started = spawn_both(&python, &moto, &proxy_script);
            let children = match started {
                Ok((children, emulator)) => {
                    let _ = tx.send(Ok(emulator));
                    children
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            // Keep the children (and this thread, their death-signal parent) for the process's life.
            let _children = children;
            loop {
                std::thread::park();
            }
        })
        .map_err(|e| e.to_string())?;
    rx.recv_timeout(START_TIMEOUT * 2)
        .map_err(|_| "the emulator did not start in time".to_string())?
}

fn spawn_both(python: &Path, moto: &Path, proxy: &Path) -> Result<(Vec<Child>, Emulator), String> {
    // moto_server -p 0 binds a free port and prints `Running on http://127.0.0.1:PORT` on stderr.
    let mut moto_child = dying_with_us(moto)
        .args(["-H", "127.0.0.1", "-p", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", moto.display()))?;
    let stderr = moto_child.stderr.take().ok_or("no stderr from moto")?;
    let moto_url = read_url(stderr, "Running on ")?;
    // The translator binds a free port and prints `listening 127.0.0.1:PORT` on stdout.
    let mut proxy_child = dying_with_us(python)
        .arg(proxy)
        .args(["--upstream", &moto_url, "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the CBOR translator: {e}"))?;
    let stdout = proxy_child
        .stdout
        .take()
        .ok_or("no stdout from the CBOR translator")?;
    let addr = read_url(stdout, "listening ")
        .map_err(|_| "the CBOR translator did not print its address".to_string())?;
    wait_listening(&addr)?;
    Ok((
        vec![moto_child, proxy_child],
        Emulator {
            url: format!("http://{addr}"),
            addr,
        },
    ))
}

/// Reads lines until one holds `marker` followed by a word (a URL, an address); keeps draining afterwards so the
/// server never blocks on a full pipe (werkzeug logs every request).
fn read_url(stream: impl Read + Send + 'static, marker: &str) -> Result<String, String> {
    let (tx, rx) = mpsc::channel();
    let marker = marker.to_string();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if !sent && let Some(at) = line.find(&marker) {
                let url: String = line[at + marker.len()..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                let _ = tx.send(url);
                sent = true;
            }
        }
    });
    rx.recv_timeout(START_TIMEOUT)
        .map_err(|_| "moto_server did not print its address".to_string())
}

fn wait_listening(addr: &str) -> Result<(), String> {
    let until = Instant::now() + START_TIMEOUT;
    while Instant::now() < until {
        if TcpStream::connect(addr).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("the CBOR translator did not listen on {addr}"))
}

/// A port on 127.0.0.1 where nothing listens.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

impl Emulator {
    /// `POST /__proxy/{what}` with a JSON body, to the translator.
    pub fn control(&self, what: &str, body: &str) {
        let mut stream = TcpStream::connect(&self.addr).expect("connect to the translator");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let request = format!(
            "POST /__proxy/{what} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .expect("send control request");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(
            answer.starts_with("HTTP/1.1 2") || answer.starts_with("HTTP/1.0 2"),
            "control {what} {body}: {answer}"
        );
    }

    /// Every request to `region` waits `ms` first.
    pub fn delay(&self, region: &str, ms: u64) {
        self.control("delay", &format!(r#"{{"region":"{region}","ms":{ms}}}"#));
    }

    /// Every request to `region` fails with `code` and HTTP `status`.
    pub fn fail(&self, region: &str, code: &str, status: u16) {
        self.control(
            "fail",
            &format!(r#"{{"region":"{region}","code":"{code}","status":{status}}}"#),
        );
    }
}

/// A name no other test (or earlier run against the same moto) uses.
pub fn unique(base: &str) -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{base}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

/// A current-thread runtime for a test's own SDK calls.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

impl Emulator {
    /// A CloudWatch Logs client for moto (JSON 1.1, no translation needed) in `region`.
    pub fn logs_client(&self, region: &str) -> aws_sdk_cloudwatchlogs::Client {
        use aws_config::{BehaviorVersion, Region, SdkConfig};
        use aws_sdk_cloudwatchlogs::config::{Credentials, SharedCredentialsProvider};
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "testing", "testing", None, None, "tests",
            )))
            .endpoint_url(&self.url)
            .build();
        aws_sdk_cloudwatchlogs::Client::new(&config)
    }
}
