//! The incident log: JSON Lines, hash-chained, fsync'd per event; writing, reading and verifying it.

mod event;

pub use event::*;
