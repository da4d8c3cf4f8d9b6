//! Headless Chromium (Debian's `/usr/bin/chromium`): load an exported page from a file, dump its
//! DOM after load and take a screenshot, every run bounded by a timeout and killed with its
//! whole process group.
//!
//! "No console errors and no network request" is checked three ways: Chromium's own log on stderr
//! (`--enable-logging=stderr`: every console message is a `CONSOLE` line, and the page writes
//! none), the page's counters (`window.onerror` and CSP violations into `data-errors`, the
//! Resource Timing entries into `data-resources`, read back from the dumped DOM), and a scan of
//! the HTML for any `http(s)://` in a `src`, `href` or CSS `url()`. A deliberately bad page checks
//! that the first two would notice.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const TIMEOUT: Duration = Duration::from_secs(60);

/// The installed browser's path.
pub struct Chromium(PathBuf);

impl std::ops::Deref for Chromium {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

/// The browser, or why there is none.
pub fn chromium() -> Result<Chromium, String> {
    let path = PathBuf::from(CHROMIUM);
    if path.exists() {
        Ok(Chromium(path))
    } else {
        Err(format!("{CHROMIUM} is not installed"))
    }
}

pub struct Page {
    pub dom: String,
    pub stderr: String,
    pub screenshot: Vec<u8>,
}

impl Page {
    /// Rendered, with no console message, no error and no resource loaded.
    pub fn assert_clean(&self) {
        let console: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
            .collect();
        assert!(
            console.is_empty(),
            "console messages:\n{}",
            console.join("\n")
        );
        assert!(
            self.dom.contains("data-ready=\"1\""),
            "the page's script did not run to the end"
        );
        assert!(
            self.dom.contains("data-errors=\"0\""),
            "errors on the page: {}",
            root_tag(&self.dom)
        );
        assert!(
            self.dom.contains("data-resources=\"0\""),
            "resources requested: {}",
            root_tag(&self.dom)
        );
        assert!(
            self.screenshot.len() > 1000,
            "screenshot of {} bytes",
            self.screenshot.len()
        );
        assert!(
            self.screenshot.starts_with(b"\x89PNG"),
            "the screenshot is not a PNG"
        );
    }
}

fn root_tag(dom: &str) -> &str {
    let start = dom.find("<html").unwrap_or(0);
    let end = dom[start..].find('>').map_or(dom.len(), |e| start + e + 1);
    &dom[start..end]
}

fn base_args(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--enable-logging=stderr",
        "--v=0",
    ]
    .iter()
    .map(ToString::to_string)
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// Runs chromium with `args`, output to files, killed (with its process group) after [`TIMEOUT`].
fn run(chromium: &Path, args: &[String], work: &Path) -> (String, String) {
    use std::os::unix::process::CommandExt;
    let out_path = work.join("stdout");
    let err_path = work.join("stderr");
    let mut child = Command::new(chromium)
        .args(args)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).expect("stdout file"))
        .stderr(fs::File::create(&err_path).expect("stderr file"))
        .process_group(0)
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // Chromium leaves helpers behind at times: end the whole group either way.
    let pid = rustix::process::Pid::from_child(&child);
    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    let _ = child.wait();
    let stdout = fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = fs::read_to_string(&err_path).unwrap_or_default();
    match status {
        None => panic!("chromium did not finish within {TIMEOUT:?}: {args:?}\n{stderr}"),
        Some(s) if !s.success() => panic!("chromium failed ({s}): {args:?}\n{stderr}"),
        Some(_) => (stdout, stderr),
    }
}

/// Loads `file` twice in fresh profiles: once dumping the DOM, once taking a screenshot.
pub fn open(chromium: &Path, file: &Path) -> Page {
    let work = tempfile::tempdir().expect("chromium dir");
    let url = format!("file://{}", file.display());
    let mut args = base_args(&work.path().join("profile-dom"));
    args.extend(["--dump-dom".to_string(), url.clone()]);
    let (dom, stderr) = run(chromium, &args, work.path());
    let shot = work.path().join("shot.png");
    let mut args = base_args(&work.path().join("profile-shot"));
    args.extend([
        format!("--screenshot={}", shot.display()),
        "--window-size=1280,2000".to_string(),
        "--hide-scrollbars".to_string(),
        url,
    ]);
    let (_, shot_err) = run(chromium, &args, work.path());
    Page {
        dom,
        stderr: format!("{stderr}{shot_err}"),
        screenshot: fs::read(&shot).unwrap_or_default(),
    }
}

/// The HTML names no remote resource: no `http(s)://` as a `src`, `href`, `action` or CSS `url()`.
pub fn assert_no_remote_resources(html: &str) {
    let re = regex_lite::Regex::new(r#"(?i)(src|href|action|poster|data)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//|@import"#)
        .expect("regex");
    let found: Vec<&str> = re.find_iter(html).map(|m| m.as_str()).collect();
    assert!(found.is_empty(), "remote resources: {found:?}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "a URL in the page"
    );
}

/// The checks above notice a page that logs, throws and fetches.
pub fn self_check(chromium: &Path, dir: &Path) {
    let html = fs::read_to_string(dir.join("torn.html")).expect("page");
    let bad = html.replacen(
        "<h1>",
        "<img src=\"http://127.0.0.1:9/x.png\"><script>console.error('boom'); throw new Error('bad')</script><h1>",
        1,
    );
    let path = dir.join("bad.html");
    fs::write(&path, bad).expect("bad page");
    let page = open(chromium, &path);
    assert!(
        page.stderr.contains(":CONSOLE"),
        "console lines are not seen:\n{}",
        page.stderr
    );
    assert!(
        !page.dom.contains("data-errors=\"0\""),
        "errors are not counted"
    );
    assert!(
        !page.dom.contains("data-resources=\"0\""),
        "requests are not counted"
    );
}
