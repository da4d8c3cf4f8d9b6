//! The events of a walk and where they go: the line format of the incident log, the clock and
//! the log sink. Shared by the walk, which produces events, and the incident log, which keeps them.

mod lookup;
mod record;
mod sink;
mod step_time;

pub use lookup::{AlarmInfo, LookupErrorKind, Verdict};
pub use record::*;
pub use sink::{Clock, EventLog, LogError};
pub use step_time::StepTimes;
