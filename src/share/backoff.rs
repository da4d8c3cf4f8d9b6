//! How long the shipper waits before trying again: exponential, capped, with jitter, so
//! responders who lost the network together do not all come back in the same millisecond.

use std::time::Duration;

/// Exponential backoff with "equal jitter": each wait is between half and all of
/// `base · 2^attempt`, capped at `cap` (at `hurried_cap` once the walk is ending).
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    hurried_cap: Duration,
    attempt: u32,
    hurried: bool,
    seed: u64,
}

impl Default for Backoff {
    /// 250 ms doubling up to 4 s; 1 s while the walk waits for the backlog at its end.
    fn default() -> Self {
        Backoff::new(
            Duration::from_millis(250),
            Duration::from_secs(4),
            Duration::from_secs(1),
        )
    }
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration, hurried_cap: Duration) -> Backoff {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id()).rotate_left(32);
        Backoff {
            base,
            cap,
            hurried_cap,
            attempt: 0,
            hurried: false,
            seed: seed | 1,
        }
    }

    /// The wait before the next attempt after a failure.
    pub fn next_delay(&mut self) -> Duration {
        let cap = if self.hurried {
            self.hurried_cap
        } else {
            self.cap
        };
        let ceiling = self
            .base
            .saturating_mul(1u32 << self.attempt.min(16))
            .min(cap);
        self.attempt = self.attempt.saturating_add(1);
        let half = ceiling / 2;
        let spread = u64::try_from((ceiling - half).as_micros()).unwrap_or(u64::MAX);
        half + Duration::from_micros(self.random() % spread.max(1))
    }

    /// After a success: start again from `base`.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The walk is ending: shorter waits, starting over.
    pub fn hurry(&mut self) {
        self.hurried = true;
        self.attempt = 0;
    }

    /// xorshift64: jitter needs no more.
    fn random(&mut self) -> u64 {
        let mut x = self.seed;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed = x;
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_within_jitter_up_to_the_cap_and_start_over_after_a_success() {
        let ms = Duration::from_millis;
        let mut backoff = Backoff::new(ms(250), ms(4000), ms(1000));
        for ceiling in [250, 500, 1000, 2000, 4000, 4000, 4000] {
            let d = backoff.next_delay();
            assert!(
                d >= ms(ceiling / 2) && d <= ms(ceiling),
                "{d:?} vs {ceiling}"
            );
        }
        backoff.reset();
        assert!(backoff.next_delay() <= ms(250));
        for _ in 0..5 {
            backoff.next_delay();
        }
        backoff.hurry();
        for _ in 0..10 {
            assert!(backoff.next_delay() <= ms(1000));
        }
    }

    #[test]
    fn two_responders_do_not_wait_the_same() {
        let ms = Duration::from_millis;
        let mut a = Backoff::new(ms(250), ms(4000), ms(1000));
        let mut b = a.clone();
        b.seed = b.seed.wrapping_mul(3) | 1;
        let waits_a: Vec<Duration> = (0..6).map(|_| a.next_delay()).collect();
        let waits_b: Vec<Duration> = (0..6).map(|_| b.next_delay()).collect();
        assert_ne!(waits_a, waits_b);
    }
}
