//! The walk engine: steps, actions, safety gates and events. Pure: it reaches the world only through `ports`.

pub mod ports;

use std::time::Duration;

/// `1h02m`, `3m05s`, `12s`, `250ms`.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis() as u64;
    let s = ms / 1000;
    match s {
        0 => format!("{ms}ms"),
        1..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}
