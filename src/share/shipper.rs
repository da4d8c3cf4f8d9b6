//! The shipper: a background thread that ships log lines to CloudWatch Logs, so a walk never
//! waits for the network. The walk hands lines over an unbounded channel (a send never blocks);
//! the thread batches them per stream, creates the group and stream when missing, retries with
//! backoff while offline, and reads a stream's tail back whenever it cannot know what the stream
//! holds (a resumed log, a request that failed midway), so no line is sent twice or lost.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use super::api::{ApiError, LogsApi};
use super::backoff::Backoff;
use super::batch::{fits, next_batch};
use super::item::Item;
use super::status::{ShareStatus, Snapshot};

/// How long lines wait for more to go with them: a walk commits several times a step, and one
/// request per commit would cost CPU the walk shares (and requests the service counts), while
/// a responder reading the timeline cannot tell 200 ms.
const LINGER: Duration = Duration::from_millis(200);

/// How often `drain` looks at the backlog.
const DRAIN_POLL: Duration = Duration::from_millis(10);

/// Builds the API on the shipper's thread (the SDK's set-up never runs on the walk's).
pub type MakeApi = Box<dyn FnOnce() -> Result<Box<dyn LogsApi>, String> + Send>;

/// The walk's handle on the shipper's thread.
pub struct Shipper {
    tx: Sender<Msg>,
    /// The shipper's thread, unparked to hurry it; `None` when it could not start.
    thread: Option<std::thread::Thread>,
    status: Arc<ShareStatus>,
    group: String,
}

enum Msg {
    /// Lines of one stream in `seq` order. `check`: the stream may hold some already (a log
    /// being resumed), so its tail is read first.
    Lines {
        stream: Arc<str>,
        items: Vec<Item>,
        check: bool,
        at: i64,
    },
    /// The walk is ending: retry now, and sooner.
    Hurry,
}

impl Shipper {
    /// Starts the thread; nothing is sent before the first lines.
    pub fn start(group: String, make_api: MakeApi) -> Shipper {
        Shipper::start_with(group, make_api, Backoff::default())
    }

    /// As [`start`](Self::start), with another backoff (tests).
    pub fn start_with(group: String, make_api: MakeApi, backoff: Backoff) -> Shipper {
        let (tx, rx) = channel();
        let status = Arc::new(ShareStatus::default());
        let worker_status = Arc::clone(&status);
        let worker_group = group.clone();
        let spawned =
            std::thread::Builder::new()
                .name("share".into())
                .spawn(move || match make_api() {
                    Ok(api) => Worker {
                        api,
                        group: worker_group,
                        streams: Vec::new(),
                        status: worker_status,
                        backoff,
                        hurried: false,
                    }
                    .run(&rx),
                    Err(reason) => worker_status.failed(now_ms(), &reason),
                });
        let thread = match spawned {
            Ok(handle) => Some(handle.thread().clone()),
            Err(e) => {
                status.failed(now_ms(), &format!("cannot start the sharing thread: {e}"));
                None
            }
        };
        Shipper {
            tx,
            thread,
            status,
            group,
        }
    }

    /// Ships `items`, lines of `stream` new to it, in `seq` order. Never blocks.
    pub fn ship(&self, stream: &Arc<str>, items: Vec<Item>) {
        self.send(stream, items, false);
    }

    /// Ships the lines of `stream` it does not hold yet: its last `seq` is read back first.
    pub fn ship_missing(&self, stream: &Arc<str>, items: Vec<Item>) {
        self.send(stream, items, true);
    }

    fn send(&self, stream: &Arc<str>, items: Vec<Item>, check: bool) {
        if items.is_empty() {
            return;
        }
        self.status.queued(items.len() as u64);
        let msg = Msg::Lines {
            stream: Arc::clone(stream),
            items,
            check,
            at: now_ms(),
        };
        if self.tx.send(msg).is_err() {
            // The thread is gone (it could not start): the lines stay counted as not shared.
            self.status.failed(
                now_ms(),
                "the sharing thread stopped; nothing more is shipped",
            );
        }
    }

    /// The status, for the step header.
    pub fn status(&self) -> Arc<ShareStatus> {
        Arc::clone(&self.status)
    }

    pub fn group(&self) -> &str {
        &self.group
    }

    /// Wakes the thread from a linger or backoff.
    fn wake(&self) {
        if let Some(thread) = &self.thread {
            thread.unpark();
        }
    }

    /// Waits until every line handed over is settled, or `timeout` passed; the status then.
    pub fn drain(&self, timeout: Duration) -> Snapshot {
        let _ = self.tx.send(Msg::Hurry);
        self.wake();
        let deadline = Instant::now() + timeout;
        loop {
            let snapshot = self.status.snapshot();
            if snapshot.backlog == 0 || Instant::now() >= deadline {
                return snapshot;
            }
            std::thread::sleep(DRAIN_POLL.min(deadline.saturating_duration_since(Instant::now())));
        }
    }
}

impl Drop for Shipper {
    /// The channel closes: the thread sends what it holds and stops, without sleeping out its
    /// linger first.
    fn drop(&mut self) {
        let (closed, _) = channel();
        drop(std::mem::replace(&mut self.tx, closed));
        self.wake();
    }
}

/// A message if one is waiting, without waiting.
fn try_now(rx: &Receiver<Msg>) -> Result<Msg, RecvTimeoutError> {
    rx.try_recv().map_err(|e| match e {
        std::sync::mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
        std::sync::mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
    })
}

/// Epoch milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// What the thread knows of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// What it holds is unknown: read its tail before the next put.
    Check,
    /// It does not exist: create it (and the group, when that is missing too).
    Missing,
    /// It holds every line shipped before the queue's first.
    Ready,
}

struct Stream {
    name: Arc<str>,
    state: State,
    /// Lines not yet stored, each with when it was handed over (epoch ms).
    queue: VecDeque<(Item, i64)>,
}

struct Worker {
    api: Box<dyn LogsApi>,
    group: String,
    /// In the order first seen: earlier sessions of a resumed log before the new one.
    streams: Vec<Stream>,
    status: Arc<ShareStatus>,
    backoff: Backoff,
    /// The walk is ending: send at once, never linger.
    hurried: bool,
}

impl Worker {
    fn run(mut self, rx: &Receiver<Msg>) {
        let mut retry_at: Option<Instant> = None;
        let mut open = true;
        loop {
            let busy = self.streams.iter().any(|s| !s.queue.is_empty());
            if !busy && !open {
                return;
            }
            if open {
                let got = match (busy, retry_at) {
                    (false, _) => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                    (true, Some(at)) => {
                        // Sleep out the linger or backoff instead of waiting on the channel:
                        // a send to a receiver not blocked in `recv` wakes nobody, so the walk's
                        // commits cost it no system call and this thread one wake-up per
                        // request, not one per commit. `drain` unparks it to hurry it.
                        std::thread::park_timeout(at.saturating_duration_since(Instant::now()));
                        try_now(rx)
                    }
                    (true, None) => try_now(rx),
                };
                match got {
                    Ok(msg) => {
                        self.take(msg, &mut retry_at);
                        while let Ok(msg) = rx.try_recv() {
                            self.take(msg, &mut retry_at);
                        }
                        self.note_waiting();
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => open = false,
                }
            } else if let Some(at) = retry_at {
                // Nobody can hurry us any more: sleep out the backoff.
                std::thread::sleep(at.saturating_duration_since(Instant::now()));
            }
            if retry_at.is_some_and(|at| Instant::now() < at) {
                continue;
            }
            if self.streams.iter().any(|s| !s.queue.is_empty()) {
                match self.step() {
                    Ok(()) => {
                        retry_at = None;
                        self.backoff.reset();
                        self.status.online();
                    }
                    Err(reason) => {
                        self.status.failed(now_ms(), &reason);
                        retry_at = Some(Instant::now() + self.backoff.next_delay());
                    }
                }
                self.status.set_region(self.api.region());
            }
            self.note_waiting();
        }
    }

    /// Tells the status since when the oldest line waits: after lines arrive too, so a request
    /// that hangs (the network swallowing it) still shows the walk falling behind.
    fn note_waiting(&self) {
        let oldest = self
            .streams
            .iter()
            .filter_map(|s| s.queue.front().map(|(_, at)| *at))
            .min();
        self.status.waiting_since(oldest);
    }

    fn take(&mut self, msg: Msg, retry_at: &mut Option<Instant>) {
        let (name, items, check, at) = match msg {
            Msg::Lines {
                stream,
                items,
                check,
                at,
            } => (stream, items, check, at),
            Msg::Hurry => {
                self.backoff.hurry();
                self.hurried = true;
                *retry_at = None;
                return;
            }
        };
        let idle = self.streams.iter().all(|s| s.queue.is_empty());
        if idle && retry_at.is_none() && !self.hurried {
            *retry_at = Some(Instant::now() + LINGER);
        }
        let index = match self.streams.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                self.streams.push(Stream {
                    name,
                    state: if check { State::Check } else { State::Missing },
                    queue: VecDeque::new(),
                });
                self.streams.len() - 1
            }
        };
        let stream = &mut self.streams[index];
        for item in items {
            if fits(&item) {
                stream.queue.push_back((item, at));
            } else {
                // Larger than CloudWatch Logs takes: only in the local log, and said at the end.
                self.status.unshareable(1);
            }
        }
    }

    /// One call for the first stream with lines waiting; `Err` with the reason when it failed.
    fn step(&mut self) -> Result<(), String> {
        let Some(stream) = self.streams.iter_mut().find(|s| !s.queue.is_empty()) else {
            return Ok(());
        };
        let group = self.group.as_str();
        match stream.state {
            State::Check => match self.api.last_seq(group, &stream.name) {
                Ok(last) => {
                    let last = last.unwrap_or(0);
                    let mut found = 0;
                    while stream.queue.front().is_some_and(|(i, _)| i.seq <= last) {
                        stream.queue.pop_front();
                        found += 1;
                    }
                    self.status.found(found);
                    stream.state = State::Ready;
                    Ok(())
                }
                Err(ApiError::NotFound) => {
                    stream.state = State::Missing;
                    Ok(())
                }
                Err(ApiError::AlreadyExists) => Ok(()),
                Err(ApiError::Failed(reason)) => Err(reason),
            },
            State::Missing => match self.api.create_stream(group, &stream.name) {
                Ok(()) | Err(ApiError::AlreadyExists) => {
                    stream.state = State::Ready;
                    Ok(())
                }
                Err(ApiError::NotFound) => match self.api.create_group(group) {
                    Ok(()) | Err(ApiError::AlreadyExists) => Ok(()),
                    Err(ApiError::NotFound) => Err(format!("cannot create log group `{group}`")),
                    Err(ApiError::Failed(reason)) => Err(reason),
                },
                Err(ApiError::Failed(reason)) => Err(reason),
            },
            State::Ready => {
                let count = next_batch(stream.queue.iter().map(|(i, _)| i));
                let batch: Vec<Item> = stream
                    .queue
                    .iter()
                    .take(count)
                    .map(|(i, _)| i.clone())
                    .collect();
                match self.api.put(group, &stream.name, &batch) {
                    Ok(rejected) => {
                        let refused = (0..count).filter(|&i| rejected.contains(i)).count();
                        stream.queue.drain(..count);
                        let last_seq = batch.last().map_or(0, |i| i.seq);
                        self.status.shipped((count - refused) as u64, last_seq);
                        self.status.unshareable(refused as u64);
                        Ok(())
                    }
                    Err(ApiError::NotFound) => {
                        stream.state = State::Missing;
                        Ok(())
                    }
                    Err(ApiError::AlreadyExists) => Ok(()),
                    Err(ApiError::Failed(reason)) => {
                        // The request may have been stored before its answer was lost.
                        stream.state = State::Check;
                        Err(reason)
                    }
                }
            }
        }
    }
}
