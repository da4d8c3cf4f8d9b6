//! [`CloudWatch`]: the real [`Metrics`], one shared SDK configuration and one client per region.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_cloudwatch::Client;

use crate::event::LookupErrorKind;

use crate::walk::ports::{GuardUpdate, LookupError, LookupOutcome, LookupRequest, Metrics};

use super::classify;
use super::engine::{self, Engine};
use super::guard::{self, Announce, Announcer, Guard, Queue};
use super::progress::Progress;
use super::query;
use super::settings::AwsSettings;

/// The longest the up-front credentials check may take.
const CREDENTIALS_CHECK: Duration = Duration::from_secs(5);
/// The longest a walk's start waits for the guard's first round of polls.
const FIRST_ROUND_WAIT: Duration = Duration::from_secs(3);
/// How often a running `lookup` asks whether the operator cancelled it.
const CANCEL_CHECK: Duration = Duration::from_millis(50);
/// Extra time the caller waits for the runtime beyond a request's own timeout before giving up on it.
const GRACE: Duration = Duration::from_secs(2);

/// CloudWatch, read-only, for lookups and guard alarms. Built by [`CloudWatch::connect`].
pub struct CloudWatch {
    engine: Result<Engine, String>,
    config: Option<SdkConfig>,
    clients: HashMap<String, Client>,
    timeout: Duration,
    show_progress: bool,
    profile: Option<String>,
    credentials_ok: bool,
    /// Credentials were looked for before (and not found).
    checked_once: bool,
    guard: Queue,
    announcer: Announcer,
    /// Asked while lookups run: `true` cancels those still pending (the operator's Ctrl-C).
    cancel: Option<Cancel>,
    /// How the configuration was loaded, to load it again after a failed credentials check:
    /// the SDK reads profile files once, so a login (or a new profile) is only seen by a new load.
    reload: Option<AwsSettings>,
    /// The configuration the guard poll builds its clients from at each poll.
    shared: SharedConfig,
}

/// The current SDK configuration, shared with the guard poll.
pub(super) type SharedConfig = Arc<std::sync::Mutex<Option<SdkConfig>>>;

/// Who asked to stop what is running, if anyone (reading the flag clears it): `by the operator
/// (Ctrl-C)`, or the signal ending the walk.
pub type Cancel = Arc<dyn Fn() -> Option<String> + Send + Sync>;

impl CloudWatch {
    /// Loads the SDK configuration the usual way (profile, SSO, environment, `AWS_ENDPOINT_URL*`),
    /// with `settings.profile` and `settings.endpoint` when given, and starts the guard poll.
    /// Never fails: problems surface as per-request errors.
    pub fn connect(settings: AwsSettings) -> CloudWatch {
        let runtime = match engine::runtime() {
            Ok(rt) => rt,
            Err(e) => return CloudWatch::broken(&settings, e.to_string()),
        };
        let config = runtime.block_on(loader(&settings).load());
        let mut cloudwatch = CloudWatch::start(runtime, settings.clone(), config, true);
        cloudwatch.reload = Some(settings);
        cloudwatch
    }

    /// Like [`connect`](CloudWatch::connect), with a configuration the caller built (credentials,
    /// region, endpoint); `settings.endpoint`, when set, still overrides the configuration's.
    pub fn connect_with(settings: AwsSettings, config: SdkConfig) -> CloudWatch {
        match engine::runtime() {
            Ok(runtime) => CloudWatch::start(runtime, settings, config, false),
            Err(e) => CloudWatch::broken(&settings, e.to_string()),
        }
    }

    fn broken(settings: &AwsSettings, reason: String) -> CloudWatch {
        CloudWatch {
            engine: Err(reason),
            config: None,
            clients: HashMap::new(),
            timeout: settings.timeout,
            show_progress: false,
            profile: settings.profile.clone(),
            credentials_ok: false,
            checked_once: false,
            guard: Queue::default(),
            announcer: Announcer::default(),
            cancel: None,
            reload: None,
            shared: SharedConfig::default(),
        }
    }

    /// `from_files`: the configuration was loaded from the shared AWS files (and the
    /// environment), not built by the caller.
    fn start(
        runtime: tokio::runtime::Runtime,
        settings: AwsSettings,
        config: SdkConfig,
        from_files: bool,
    ) -> CloudWatch {
        let config = match &settings.endpoint {
            Some(url) => config.into_builder().endpoint_url(url).build(),
            None => config,
        };
        let engine = match Engine::start(runtime) {
            Ok(engine) => engine,
            Err(e) => return CloudWatch::broken(&settings, e.to_string()),
        };
        let profile = settings
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
        let queue = Queue::default();
        let announcer = Announcer::default();
        let regions: Vec<String> = if settings.guard_regions.is_empty() {
            config
                .region()
                .map(ToString::to_string)
                .into_iter()
                .collect()
        } else {
            settings
                .guard_regions
                .iter()
                .map(|r| {
                    crate::runbook::region::normalize(r).map_or_else(|| r.clone(), str::to_string)
                })
                .collect()
        };
        let shared: SharedConfig = Arc::new(std::sync::Mutex::new(Some(config.clone())));
        let (told, first_round) = mpsc::channel();
        let guarded = !settings.guard_prefixes.is_empty() && !regions.is_empty();
        if guarded {
            engine.spawn(guard::run(Guard {
                regions: regions.clone(),
                config: Arc::clone(&shared),
                prefixes: settings.guard_prefixes.clone(),
                interval: settings.guard_interval.max(Duration::from_millis(100)),
                timeout: settings.timeout,
                profile: profile.clone(),
                check_profile: from_files,
                queue: Arc::clone(&queue),
                announcer: Arc::clone(&announcer),
                stop: engine.stop_flag(),
                first_round: Some(told),
            }));
            // The first step (and its first command) should know which guard alarms already fire.
            let _ = first_round.recv_timeout(settings.timeout.min(FIRST_ROUND_WAIT));
        }
        CloudWatch {
            engine: Ok(engine),
            config: Some(config),
            clients: HashMap::new(),
            timeout: settings.timeout,
            show_progress: settings.show_progress,
            profile,
            credentials_ok: false,
            checked_once: false,
            guard: queue,
            announcer,
            cancel: None,
            reload: None,
            shared,
        }
    }

    /// Lets the operator cancel lookups that are still running: `cancel` is asked every 50 ms,
    /// and pending requests end as cancelled when it says so.
    pub fn cancel_on(&mut self, cancel: Cancel) {
        self.cancel = Some(cancel);
    }

    /// Lets the guard poll show its news at once (a status line while a command runs): `announce`
    /// says whether it could, and news it could not show waits for the walk's next safe point.
    pub fn announce_guard_news(&mut self, announce: Announce) {
        if let Ok(mut slot) = self.announcer.lock() {
            *slot = Some(announce);
        }
    }

    fn client(&mut self, region: &str) -> Option<Client> {
        let config = self.config.as_ref()?;
        Some(
            self.clients
                .entry(region.to_string())
                .or_insert_with(|| region_client(config, region))
                .clone(),
        )
    }

    /// Looks for credentials once per `lookup` call until some are found, so a missing login is
    /// one clear message rather than N timeouts. A provider that finds nothing within the check's
    /// limit (the smaller of the timeout and 5 s) counts as no credentials; the next `lookup`
    /// checks again.
    fn check_credentials(&mut self) -> Result<(), LookupError> {
        if self.credentials_ok {
            return Ok(());
        }
        let Ok(engine) = &self.engine else {
            return Ok(());
        };
        if self.checked_once {
            // A later try: the operator may have logged in since; read the profiles again.
            if let Some(settings) = &self.reload {
                let (tx, rx) = mpsc::channel();
                let loading = loader(settings);
                engine.spawn(async move {
                    let _ = tx.send(loading.load().await);
                });
                if let Ok(config) = rx.recv_timeout(CREDENTIALS_CHECK) {
                    let config = match &settings.endpoint {
                        Some(url) => config.into_builder().endpoint_url(url).build(),
                        None => config,
                    };
                    if let Ok(mut shared) = self.shared.lock() {
                        *shared = Some(config.clone());
                    }
                    self.config = Some(config);
                    self.clients.clear();
                }
            }
        }
        self.checked_once = true;
        // A profile the files do not name is a typo, not a missing login (as the AWS CLI says
        // too, even with keys in the environment). Only when the files were read: a
        // configuration the caller built has no profile files behind it.
        if let (Some(_), Some(profile)) = (&self.reload, &self.profile)
            && let Some(error) = super::profiles::missing(profile)
        {
            return Err(error);
        }
        let Ok(engine) = &self.engine else {
            return Ok(());
        };
        let Some(provider) = self
            .config
            .as_ref()
            .and_then(SdkConfig::credentials_provider)
        else {
            return Err(classify::no_credentials(self.profile.as_deref()));
        };
        let limit = self.timeout.min(CREDENTIALS_CHECK);
        let (tx, rx) = mpsc::channel();
        engine.spawn(async move {
            let answer = tokio::time::timeout(limit, provider.provide_credentials()).await;
            let _ = tx.send(answer);
        });
        match rx.recv_timeout(limit + GRACE) {
            Ok(Ok(Ok(_))) => {
                self.credentials_ok = true;
                Ok(())
            }
            Ok(Ok(Err(e))) => Err(classify::from_credentials_error(
                &e,
                self.profile.as_deref(),
            )),
            Ok(Err(_)) | Err(_) => Err(classify::no_credentials_within(
                self.profile.as_deref(),
                limit,
            )),
        }
    }
}

/// The SDK's usual loader with the settings' profile and endpoint.
fn loader(settings: &AwsSettings) -> aws_config::ConfigLoader {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &settings.endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    loader
}

/// A CloudWatch client for `region` from the shared configuration.
pub(super) fn region_client(config: &SdkConfig, region: &str) -> Client {
    let conf = aws_sdk_cloudwatch::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .build();
    Client::from_conf(conf)
}

fn fail_all(requests: &[LookupRequest], error: &LookupError) -> Vec<LookupOutcome> {
    requests
        .iter()
        .map(|r| LookupOutcome {
            request: r.clone(),
            result: Err(error.clone()),
            duration_ms: 0,
        })
        .collect()
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Metrics for CloudWatch {
    fn lookup(&mut self, requests: &[LookupRequest]) -> Vec<LookupOutcome> {
        if requests.is_empty() {
            return Vec::new();
        }
        if let Err(reason) = &self.engine {
            let error = LookupError {
                kind: LookupErrorKind::Other,
                message: reason.clone(),
            };
            return fail_all(requests, &error);
        }
        if let Err(error) = self.check_credentials() {
            return fail_all(requests, &error);
        }
        // A Ctrl-C from before these lookups started is not about them.
        if let Some(cancel) = &self.cancel {
            cancel();
        }
        let started = Instant::now();
        let mut progress = Progress::start(
            self.show_progress,
            requests.iter().map(|r| r.region.as_str()),
        );
        let (tx, rx) = mpsc::channel();
        for (i, request) in requests.iter().enumerate() {
            let Some(client) = self.client(&request.region) else {
                continue;
            };
            let (tx, query, region, profile, timeout) = (
                tx.clone(),
                request.lookup.query.clone(),
                request.region.clone(),
                self.profile.clone(),
                self.timeout,
            );
            if let Ok(engine) = &self.engine {
                engine.spawn(async move {
                    let start = Instant::now();
                    let answer = query::run(&client, &query, &region, profile.as_deref());
                    let result = match tokio::time::timeout(timeout, answer).await {
                        Ok(result) => result,
                        Err(_) => Err(classify::timed_out(&region, timeout)),
                    };
                    let _ = tx.send((i, result, start.elapsed()));
                });
            }
        }
        drop(tx);
        let mut results: Vec<Option<(Result<_, LookupError>, Duration)>> =
            vec![None; requests.len()];
        let deadline = started + self.timeout + GRACE;
        let mut cancelled = None;
        while results.iter().any(Option::is_none) {
            if let Some(by) = self.cancel.as_ref().and_then(|asked| asked()) {
                cancelled = Some(by);
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let wait = (deadline - now).min(CANCEL_CHECK);
            let (i, result, took) = match rx.recv_timeout(wait) {
                Ok(done) => done,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            if let Some(p) = progress.as_mut() {
                p.finished(&requests[i].region, result.as_ref().map(|_| ()));
            }
            results[i] = Some((result, took));
        }
        drop(progress);
        requests
            .iter()
            .zip(results)
            .map(|(request, done)| {
                let (result, took) = done.unwrap_or_else(|| {
                    let error = if let Some(by) = &cancelled {
                        LookupError {
                            kind: LookupErrorKind::Other,
                            message: format!(
                                "cancelled {by} after {}",
                                crate::human::duration(started.elapsed())
                            ),
                        }
                    } else {
                        classify::timed_out(&request.region, self.timeout)
                    };
                    (Err(error), started.elapsed())
                });
                LookupOutcome {
                    request: request.clone(),
                    result,
                    duration_ms: millis(took),
                }
            })
            .collect()
    }

    fn default_region(&self) -> Option<String> {
        self.config.as_ref()?.region().map(ToString::to_string)
    }

    fn guard_news(&mut self) -> Vec<GuardUpdate> {
        match self.guard.lock() {
            Ok(mut queue) => std::mem::take(&mut *queue),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }
}
