//! PutLogEvents' limits, and how many queued lines the next request may carry.

use super::item::Item;

/// At most this many events in one request.
pub const MAX_EVENTS: usize = 10_000;
/// At most this many bytes in one request, counting [`EVENT_OVERHEAD`] per event.
pub const MAX_BATCH_BYTES: usize = 1_048_576;
/// What CloudWatch Logs adds to each message's size when counting.
pub const EVENT_OVERHEAD: usize = 26;
/// The largest event (message and overhead) CloudWatch Logs takes.
pub const MAX_EVENT_BYTES: usize = 262_144;
/// The events of one request must lie within 24 hours of each other.
pub const MAX_SPAN_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// Whether a line can be an event at all; one that cannot is reported, never split (each
/// message must be a whole log line, so the chain can be verified from CloudWatch alone).
pub fn fits(item: &Item) -> bool {
    item.cost() <= MAX_EVENT_BYTES
}

/// How many items from the front of `queue` the next PutLogEvents carries: as many as the
/// limits allow, in `seq` order, ending before an event older than the one before it (a
/// request's events must be in time order; the next request starts with it). At least one when
/// `queue` is not empty; every item must [`fits`].
pub fn next_batch<'a>(queue: impl IntoIterator<Item = &'a Item>) -> usize {
    let mut count = 0;
    let mut bytes = 0;
    let mut first_ts = None;
    let mut last_ts = i64::MIN;
    for item in queue {
        let first = *first_ts.get_or_insert(item.ts_millis);
        let over = count == MAX_EVENTS
            || bytes + item.cost() > MAX_BATCH_BYTES
            || item.ts_millis < last_ts
            || item.ts_millis - first >= MAX_SPAN_MILLIS;
        if over && count > 0 {
            break;
        }
        count += 1;
        bytes += item.cost();
        last_ts = item.ts_millis;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(seq: u64, ts: i64, len: usize) -> Item {
        Item {
            seq,
            ts_millis: ts,
            message: "x".repeat(len),
        }
    }

    #[test]
    fn a_batch_holds_at_most_ten_thousand_events() {
        let queue: Vec<Item> = (1..=25_000).map(|s| item(s, 1000, 10)).collect();
        assert_eq!(next_batch(&queue), 10_000);
        assert_eq!(next_batch(&queue[10_000..]), 10_000);
        assert_eq!(next_batch(&queue[20_000..]), 5_000);
    }

    #[test]
    fn a_batch_counts_26_bytes_per_event_against_the_megabyte() {
        // 4 events of (262,118 + 26) bytes fill 1,048,576 exactly; a fifth of 1 byte does not fit.
        let big = MAX_EVENT_BYTES - EVENT_OVERHEAD;
        let mut queue: Vec<Item> = (1..=4).map(|s| item(s, 1000, big)).collect();
        queue.push(item(5, 1000, 1));
        assert!(queue.iter().all(fits));
        assert_eq!(next_batch(&queue), 4);
        assert_eq!(next_batch(&queue[4..]), 1);
        // Without the overhead, the fifth would have been taken.
        let small: Vec<Item> = (1..=100).map(|s| item(s, 1000, 10_460)).collect();
        assert_eq!(next_batch(&small), 1_048_576 / (10_460 + 26));
    }

    #[test]
    fn a_batch_ends_before_an_event_out_of_time_order_or_a_day_later() {
        let queue = [
            item(1, 5000, 1),
            item(2, 5000, 1),
            item(3, 4000, 1),
            item(4, 4001, 1),
        ];
        assert_eq!(next_batch(&queue), 2);
        assert_eq!(next_batch(&queue[2..]), 2);
        let day = [
            item(1, 0, 1),
            item(2, MAX_SPAN_MILLIS - 1, 1),
            item(3, MAX_SPAN_MILLIS, 1),
        ];
        assert_eq!(next_batch(&day), 2);
    }

    #[test]
    fn a_line_over_the_event_limit_does_not_fit_and_one_at_it_does() {
        assert!(fits(&item(1, 0, MAX_EVENT_BYTES - EVENT_OVERHEAD)));
        assert!(!fits(&item(1, 0, MAX_EVENT_BYTES - EVENT_OVERHEAD + 1)));
        assert_eq!(next_batch(std::iter::empty()), 0);
    }
}
