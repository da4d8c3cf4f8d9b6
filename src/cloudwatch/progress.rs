//! One spinner per region on stderr while lookups run (`eu-west-2 …`, then `eu-west-2 ✔ 400ms` or `✘ timeout`).

use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::event::LookupErrorKind;
use crate::human;
use crate::walk::ports::LookupError;

struct RegionBar {
    region: String,
    bar: ProgressBar,
    pending: usize,
    failed: Option<LookupErrorKind>,
}

/// The spinners of one `lookup` call; cleared when dropped.
pub(crate) struct Progress {
    multi: MultiProgress,
    bars: Vec<RegionBar>,
    started: Instant,
    /// Keys typed while the spinners turn are not echoed over them.
    _quiet: crate::tty::QuietKeys,
}

/// Short words for the spinner line.
fn word(kind: LookupErrorKind) -> &'static str {
    match kind {
        LookupErrorKind::NoCredentials => "no credentials",
        LookupErrorKind::AccessDenied => "access denied",
        LookupErrorKind::Throttled => "throttled",
        LookupErrorKind::Timeout => "timeout",
        LookupErrorKind::Endpoint => "unreachable",
        LookupErrorKind::Invalid => "invalid",
        LookupErrorKind::Other => "error",
    }
}

impl Progress {
    /// Spinners for `regions` (one per distinct region, in order); `None` when not shown.
    pub(crate) fn start<'a>(
        show: bool,
        regions: impl Iterator<Item = &'a str>,
    ) -> Option<Progress> {
        if !show {
            return None;
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("  {spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let mut bars: Vec<RegionBar> = Vec::new();
        for region in regions {
            if let Some(existing) = bars.iter_mut().find(|b| b.region == region) {
                existing.pending += 1;
                continue;
            }
            let bar = multi.add(ProgressBar::new_spinner().with_style(style.clone()));
            bar.set_message(format!("{region} …"));
            bar.enable_steady_tick(Duration::from_millis(100));
            bars.push(RegionBar {
                region: region.to_string(),
                bar,
                pending: 1,
                failed: None,
            });
        }
        Some(Progress {
            multi,
            bars,
            started: Instant::now(),
            _quiet: crate::tty::QuietKeys::new(),
        })
    }

    /// One request in `region` finished; the region's line shows its result once all of its requests have.
    pub(crate) fn finished(&mut self, region: &str, result: Result<(), &LookupError>) {
        let Some(b) = self.bars.iter_mut().find(|b| b.region == region) else {
            return;
        };
        b.pending = b.pending.saturating_sub(1);
        if let Err(e) = result {
            b.failed.get_or_insert(e.kind);
        }
        if b.pending == 0 {
            let text = match b.failed {
                None => format!("{} ✔ {}", b.region, human::duration(self.started.elapsed())),
                Some(kind) => format!("{} ✘ {}", b.region, word(kind)),
            };
            b.bar.finish_with_message(text);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        for b in &self.bars {
            b.bar.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}
