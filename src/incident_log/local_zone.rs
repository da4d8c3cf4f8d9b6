//! The operator's local time zone (`TZ`, else `/etc/localtime`), read through the C library, for
//! times of day typed at the prompt (`mitigated at 14:05`).

// The crate denies unsafe code; `localtime_r` needs FFI, kept to the one function below.
#![allow(unsafe_code)]

use chrono::{DateTime, FixedOffset, Offset, Utc};

/// The local zone's offset from UTC at `t` (DST included); UTC when the C library cannot say.
pub fn offset_at(t: DateTime<Utc>) -> FixedOffset {
    let secs: libc::time_t = t.timestamp();
    let mut tm = std::mem::MaybeUninit::<libc::tm>::uninit();
    // SAFETY: both pointers are valid locals for the call; `tm` is read only when it returned it.
    let filled = unsafe { libc::localtime_r(&secs, tm.as_mut_ptr()) };
    if filled.is_null() {
        return utc();
    }
    // SAFETY: a non-null result means `tm` was filled.
    let gmtoff = unsafe { tm.assume_init() }.tm_gmtoff;
    i32::try_from(gmtoff)
        .ok()
        .and_then(FixedOffset::east_opt)
        .unwrap_or_else(utc)
}

fn utc() -> FixedOffset {
    Utc.fix()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_is_within_a_day() {
        let o = offset_at(Utc::now()).local_minus_utc();
        assert!(o.abs() < 86_400, "{o}");
    }
}
