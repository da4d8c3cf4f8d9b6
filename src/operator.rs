//! Who is at the keyboard when `--operator` is not given: `$USER`, else the account name from the
//! user database, else `uid:<n>`.

// The crate denies unsafe code; `getpwuid_r` needs FFI, kept to the one function below.
#![allow(unsafe_code)]

use std::ffi::CStr;

/// The operator's default name: `user` (the value of `$USER`) when set and not blank, else the
/// account name `account` gives for `uid`, else `uid:<uid>`. Never `unknown` when the database
/// knows the account: a container or a cron job often runs without `$USER`.
pub fn default_operator(
    user: Option<String>,
    uid: u32,
    account: impl FnOnce(u32) -> Option<String>,
) -> String {
    user.map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .or_else(|| account(uid).filter(|a| !a.is_empty()))
        .unwrap_or_else(|| format!("uid:{uid}"))
}

/// The operator's default name for this process: `$USER`, the effective user's account name, or
/// `uid:<n>`.
pub fn current() -> String {
    default_operator(
        std::env::var("USER").ok(),
        rustix::process::geteuid().as_raw(),
        account_name,
    )
}

/// The name of the account `uid` in the user database (`/etc/passwd`, LDAP... through NSS), if any.
pub fn account_name(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 1024];
    // ERANGE asks for a bigger buffer; past 1 MiB the entry is not worth having.
    while buf.len() <= 1 << 20 {
        let mut entry = std::mem::MaybeUninit::<libc::passwd>::uninit();
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call: `entry` and `found` are locals, `buf` is
        // writable for `buf.len()` bytes; `pw_name` points into `buf`, read before it is reused.
        let rc = unsafe {
            libc::getpwuid_r(
                uid,
                entry.as_mut_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut found,
            )
        };
        if rc == libc::ERANGE {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || found.is_null() {
            return None;
        }
        // SAFETY: `found` is non-null, so `entry` was filled and `pw_name` is a NUL-terminated
        // string inside `buf`, which is still alive.
        let name = unsafe { CStr::from_ptr((*found).pw_name) };
        return Some(name.to_string_lossy().into_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_wins_when_set() {
        assert_eq!(
            default_operator(Some("ana".into()), 1000, |_| Some("ops".into())),
            "ana"
        );
    }

    #[test]
    fn an_unset_or_blank_user_falls_back_to_the_account_name() {
        for user in [None, Some(String::new()), Some("  ".into())] {
            assert_eq!(
                default_operator(user, 1000, |uid| (uid == 1000).then(|| "ops".into())),
                "ops"
            );
        }
    }

    #[test]
    fn an_unknown_account_is_named_by_its_uid() {
        assert_eq!(default_operator(None, 4242, |_| None), "uid:4242");
        assert_eq!(
            default_operator(None, 4242, |_| Some(String::new())),
            "uid:4242"
        );
    }

    #[test]
    fn the_database_knows_root() {
        assert_eq!(account_name(0).as_deref(), Some("root"));
    }
}
