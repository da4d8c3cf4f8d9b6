//! The shipper against a fake CloudWatch Logs: the SDK calls sit behind [`LogsApi`], and the
//! fake fails, stalls or loses answers on cue, which no emulator does deterministically.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::api::{ApiError, LogsApi, Rejected};
use super::backoff::Backoff;
use super::batch::{EVENT_OVERHEAD, MAX_EVENT_BYTES};
use super::item::Item;
use super::shipper::Shipper;

#[derive(Default)]
struct World {
    groups: BTreeSet<String>,
    streams: BTreeMap<String, Vec<Item>>,
    /// The next calls fail (the network is down).
    down: bool,
    /// The next puts are stored but their answers lost.
    lose_answers: usize,
    /// Events per put, in order.
    puts: Vec<usize>,
    /// The next stream creation hangs this long (a request the network swallows).
    hang: Duration,
}

#[derive(Clone, Default)]
struct Fake(Arc<Mutex<World>>);

impl Fake {
    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.0.lock().unwrap()
    }

    fn make(&self) -> super::shipper::MakeApi {
        let fake = self.clone();
        Box::new(move || Ok(Box::new(fake) as Box<dyn LogsApi>))
    }

    fn stored(&self, stream: &str) -> Vec<u64> {
        self.world()
            .streams
            .get(stream)
            .map(|s| s.iter().map(|i| i.seq).collect())
            .unwrap_or_default()
    }
}

fn down(w: &World) -> Result<(), ApiError> {
    if w.down {
        Err(ApiError::Failed(
            "cannot reach CloudWatch Logs: connection refused".into(),
        ))
    } else {
        Ok(())
    }
}

impl LogsApi for Fake {
    fn create_group(&mut self, group: &str) -> Result<(), ApiError> {
        let mut w = self.world();
        down(&w)?;
        if !w.groups.insert(group.to_string()) {
            return Err(ApiError::AlreadyExists);
        }
        Ok(())
    }

    fn create_stream(&mut self, group: &str, stream: &str) -> Result<(), ApiError> {
        let hang = std::mem::take(&mut self.world().hang);
        std::thread::sleep(hang);
        let mut w = self.world();
        down(&w)?;
        if !w.groups.contains(group) {
            return Err(ApiError::NotFound);
        }
        if w.streams.contains_key(stream) {
            return Err(ApiError::AlreadyExists);
        }
        w.streams.insert(stream.to_string(), Vec::new());
        Ok(())
    }

    fn last_seq(&mut self, _group: &str, stream: &str) -> Result<Option<u64>, ApiError> {
        let w = self.world();
        down(&w)?;
        let s = w.streams.get(stream).ok_or(ApiError::NotFound)?;
        Ok(s.iter().map(|i| i.seq).max())
    }

    fn put(&mut self, _group: &str, stream: &str, events: &[Item]) -> Result<Rejected, ApiError> {
        let mut w = self.world();
        down(&w)?;
        assert!(events.windows(2).all(|p| p[0].ts_millis <= p[1].ts_millis));
        let total: usize = events.iter().map(Item::cost).sum();
        assert!(
            events.len() <= 10_000 && total <= 1_048_576,
            "over the limits"
        );
        w.puts.push(events.len());
        let s = w.streams.get_mut(stream).ok_or(ApiError::NotFound)?;
        s.extend_from_slice(events);
        if w.lose_answers > 0 {
            w.lose_answers -= 1;
            return Err(ApiError::Failed("no answer in time".into()));
        }
        Ok(Rejected::default())
    }

    fn region(&self) -> Option<String> {
        Some("eu-west-2".into())
    }
}

fn lines(seqs: std::ops::RangeInclusive<u64>, len: usize) -> Vec<Item> {
    seqs.map(|seq| Item {
        seq,
        ts_millis: 1_000 + seq as i64,
        message: format!("{{\"seq\":{seq},\"pad\":\"{}\"}}", "x".repeat(len)),
    })
    .collect()
}

fn quick() -> Backoff {
    let ms = Duration::from_millis;
    Backoff::new(ms(2), ms(20), ms(5))
}

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn lines_are_batched_within_the_limits_and_stored_once_in_order() {
    let fake = Fake::default();
    let shipper = Shipper::start_with("/g".into(), fake.make(), quick());
    let stream: Arc<str> = Arc::from("INC-1/a");
    shipper.ship(&stream, lines(1..=12_000, 10));
    // 400 lines of ~10 KiB: 100 per request by the byte limit, not the count.
    shipper.ship(&stream, lines(12_001..=12_400, 10_460));
    let snap = shipper.drain(WAIT);
    assert_eq!(snap.backlog, 0);
    assert_eq!(snap.shipped, 12_400);
    assert_eq!(fake.stored("INC-1/a"), (1..=12_400).collect::<Vec<_>>());
    let puts = fake.world().puts.clone();
    assert!(puts.iter().all(|&n| n <= 10_000), "{puts:?}");
    assert!(puts.contains(&10_000), "{puts:?}");
    assert!(fake.world().groups.contains("/g"), "the group was created");
}

#[test]
fn offline_lines_wait_and_arrive_once_in_order_when_the_network_returns() {
    let fake = Fake::default();
    fake.world().down = true;
    let shipper = Shipper::start_with("/g".into(), fake.make(), quick());
    let stream: Arc<str> = Arc::from("INC-1/b");
    shipper.ship(&stream, lines(1..=5, 10));
    let snap = shipper.drain(Duration::from_millis(100));
    assert_eq!(snap.backlog, 5);
    assert!(snap.offline_since.is_some());
    assert!(snap.last_error.unwrap().contains("connection refused"));
    shipper.ship(&stream, lines(6..=8, 10));
    fake.world().down = false;
    let snap = shipper.drain(WAIT);
    assert_eq!(snap.backlog, 0);
    assert_eq!(snap.offline_since, None);
    assert_eq!(fake.stored("INC-1/b"), (1..=8).collect::<Vec<_>>());
}

#[test]
fn a_request_stored_but_unanswered_is_not_sent_again() {
    let fake = Fake::default();
    fake.world().lose_answers = 2;
    let shipper = Shipper::start_with("/g".into(), fake.make(), quick());
    let stream: Arc<str> = Arc::from("INC-1/c");
    shipper.ship(&stream, lines(1..=3, 10));
    assert_eq!(shipper.drain(WAIT).backlog, 0);
    shipper.ship(&stream, lines(4..=6, 10));
    assert_eq!(shipper.drain(WAIT).backlog, 0);
    assert_eq!(fake.stored("INC-1/c"), (1..=6).collect::<Vec<_>>());
}

#[test]
fn a_resumed_streams_tail_is_read_back_and_only_the_rest_shipped() {
    let fake = Fake::default();
    {
        let mut w = fake.world();
        w.groups.insert("/g".into());
        w.streams.insert("INC-1/old".into(), lines(1..=4, 10));
    }
    let shipper = Shipper::start_with("/g".into(), fake.make(), quick());
    shipper.ship_missing(&Arc::from("INC-1/old"), lines(1..=7, 10));
    shipper.ship_missing(&Arc::from("INC-1/never"), lines(8..=9, 10));
    let snap = shipper.drain(WAIT);
    assert_eq!((snap.backlog, snap.shipped, snap.found), (0, 5, 4));
    assert_eq!(fake.stored("INC-1/old"), (1..=7).collect::<Vec<_>>());
    assert_eq!(fake.stored("INC-1/never"), vec![8, 9]);
}

#[test]
fn a_line_over_the_event_limit_is_counted_unshareable_and_the_rest_shipped() {
    let fake = Fake::default();
    let shipper = Shipper::start_with("/g".into(), fake.make(), quick());
    let stream: Arc<str> = Arc::from("INC-1/d");
    let mut items = lines(1..=3, 10);
    items[1].message = "y".repeat(MAX_EVENT_BYTES - EVENT_OVERHEAD + 1);
    shipper.ship(&stream, items);
    let snap = shipper.drain(WAIT);
    assert_eq!((snap.backlog, snap.shipped, snap.unshareable), (0, 2, 1));
    assert_eq!(fake.stored("INC-1/d"), vec![1, 3]);
}

#[test]
fn shipping_never_blocks_the_sender_while_requests_fail() {
    let fake = Fake::default();
    fake.world().down = true;
    let shipper = Shipper::start_with("/g".into(), fake.make(), Backoff::default());
    let stream: Arc<str> = Arc::from("INC-1/e");
    let started = std::time::Instant::now();
    for seq in 1..=1000 {
        shipper.ship(&stream, lines(seq..=seq, 200));
    }
    // A correctness bound, not a speed goal: a thousand sends that waited on the network even
    // once would take seconds.
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(shipper.status().snapshot().backlog, 1000);
}

#[test]
fn lines_held_up_by_a_hanging_request_show_as_waiting_since_they_came() {
    let fake = Fake::default();
    fake.world().hang = Duration::from_secs(2);
    let shipper = Shipper::start_with("/g".into(), fake.make(), quick());
    let stream: Arc<str> = Arc::from("INC-1/f");
    let before = super::shipper::now_ms();
    shipper.ship(&stream, lines(1..=3, 10));
    // Past the linger, while the first request hangs: the header can tell how long lines wait.
    std::thread::sleep(Duration::from_millis(500));
    let snap = shipper.status().snapshot();
    assert_eq!(snap.backlog, 3);
    let since = snap.waiting_since.expect("the lines wait since they came");
    assert!(since >= before && since <= before + 100, "{since} {before}");
    assert_eq!(snap.header(since + 2_000), "shared · 3 behind");
    assert_eq!(shipper.drain(WAIT).backlog, 0);
    assert_eq!(shipper.status().snapshot().waiting_since, None);
}
