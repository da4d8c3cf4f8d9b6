//! How far sharing has got, kept in atomics the shipper updates and the step header reads
//! without waiting for it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Lines waiting less than this are in flight, not "behind".
const BEHIND_AFTER_MILLIS: i64 = 2_000;

/// Written by the shipper's thread (and `queued` by the walk's), read by anyone.
#[derive(Debug, Default)]
pub struct ShareStatus {
    /// Lines handed to the shipper.
    queued: AtomicU64,
    /// Lines sent and stored in CloudWatch Logs.
    shipped: AtomicU64,
    /// Lines a stream held already (read back on resume): settled, not sent again.
    found: AtomicU64,
    /// Lines that can never be shared (too large, refused for their time): reported.
    unshareable: AtomicU64,
    /// `seq` of the last line stored.
    shipped_seq: AtomicU64,
    /// Epoch ms since requests fail; 0 while they succeed.
    offline_since: AtomicI64,
    /// Epoch ms since the oldest line still waiting was handed over; 0 when none waits.
    waiting_since: AtomicI64,
    last_error: Mutex<Option<String>>,
    region: Mutex<Option<String>>,
}

/// A moment's view of [`ShareStatus`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Lines sent and stored.
    pub shipped: u64,
    /// Lines their stream held already.
    pub found: u64,
    pub unshareable: u64,
    /// Lines handed over and not yet settled (stored, or found unshareable).
    pub backlog: u64,
    pub shipped_seq: u64,
    /// Epoch ms.
    pub offline_since: Option<i64>,
    /// Epoch ms.
    pub waiting_since: Option<i64>,
    pub last_error: Option<String>,
    pub region: Option<String>,
}

impl ShareStatus {
    pub fn queued(&self, lines: u64) {
        self.queued.fetch_add(lines, Ordering::Release);
    }

    pub fn shipped(&self, lines: u64, last_seq: u64) {
        self.shipped.fetch_add(lines, Ordering::Release);
        self.shipped_seq.store(last_seq, Ordering::Release);
    }

    pub fn found(&self, lines: u64) {
        self.found.fetch_add(lines, Ordering::Release);
    }

    pub fn unshareable(&self, lines: u64) {
        self.unshareable.fetch_add(lines, Ordering::Release);
    }

    /// A request failed at `now_ms`: offline from then, unless already.
    pub fn failed(&self, now_ms: i64, reason: &str) {
        let _ = self.offline_since.compare_exchange(
            0,
            now_ms.max(1),
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(reason.to_string());
        }
    }

    /// A request succeeded: online again.
    pub fn online(&self) {
        self.offline_since.store(0, Ordering::Release);
    }

    pub fn waiting_since(&self, epoch_ms: Option<i64>) {
        self.waiting_since
            .store(epoch_ms.unwrap_or(0), Ordering::Release);
    }

    pub fn set_region(&self, region: Option<String>) {
        if let Ok(mut r) = self.region.lock() {
            *r = region;
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        let done = self.shipped.load(Ordering::Acquire)
            + self.found.load(Ordering::Acquire)
            + self.unshareable.load(Ordering::Acquire);
        let queued = self.queued.load(Ordering::Acquire);
        let nonzero = |v: i64| (v != 0).then_some(v);
        Snapshot {
            shipped: self.shipped.load(Ordering::Acquire),
            found: self.found.load(Ordering::Acquire),
            unshareable: self.unshareable.load(Ordering::Acquire),
            backlog: queued.saturating_sub(done),
            shipped_seq: self.shipped_seq.load(Ordering::Acquire),
            offline_since: nonzero(self.offline_since.load(Ordering::Acquire)),
            waiting_since: nonzero(self.waiting_since.load(Ordering::Acquire)),
            last_error: self.last_error.lock().ok().and_then(|e| e.clone()),
            region: self.region.lock().ok().and_then(|r| r.clone()),
        }
    }
}

impl Snapshot {
    /// What the step header says: `shared`, `shared · 12 behind` (lines waiting over 2 s),
    /// `offline since 14:02` (local time).
    pub fn header(&self, now_ms: i64) -> String {
        if let Some(since) = self.offline_since {
            return format!("offline since {}", local_hh_mm(since));
        }
        match self.waiting_since {
            Some(since) if self.backlog > 0 && now_ms - since >= BEHIND_AFTER_MILLIS => {
                format!("shared · {} behind", self.backlog)
            }
            _ => "shared".to_string(),
        }
    }
}

/// `HH:MM` of epoch milliseconds in the machine's time zone (UTC when it cannot be read), by the
/// same reading of the zone as back-dated notes.
pub fn local_hh_mm(epoch_ms: i64) -> String {
    let Some(t) = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(epoch_ms) else {
        return "--:--".to_string();
    };
    t.with_timezone(&crate::incident_log::local_offset_at(t))
        .format("%H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_says_shared_behind_only_after_two_seconds_and_offline_first() {
        let status = ShareStatus::default();
        status.queued(12);
        status.waiting_since(Some(10_000));
        let snap = status.snapshot();
        assert_eq!(snap.backlog, 12);
        assert_eq!(snap.header(11_000), "shared");
        assert_eq!(snap.header(12_000), "shared · 12 behind");
        status.shipped(12, 40);
        status.waiting_since(None);
        assert_eq!(status.snapshot().header(99_000), "shared");
        status.failed(3_600_000, "cannot reach CloudWatch Logs");
        status.failed(7_200_000, "still not");
        let snap = status.snapshot();
        assert_eq!(snap.offline_since, Some(3_600_000));
        assert_eq!(snap.last_error.as_deref(), Some("still not"));
        assert!(snap.header(0).starts_with("offline since "));
        status.online();
        assert_eq!(status.snapshot().offline_since, None);
    }

    #[test]
    fn local_time_is_hours_and_minutes() {
        let text = local_hh_mm(1_795_316_645_678);
        assert_eq!(text.len(), 5);
        assert_eq!(text.as_bytes()[2], b':', "{text}");
    }
}
