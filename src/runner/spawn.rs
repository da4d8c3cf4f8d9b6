//! Starting a program as the leader of a new session whose controlling terminal is a given pty,
//! with `posix_spawn`.
//!
//! Why not `std::process::Command` with a `pre_exec` hook for `setsid` and `TIOCSCTTY`: a hook
//! makes std fork, which copies this process's page tables for every command; `posix_spawn`
//! starts the child without that copy (glibc uses `CLONE_VM | CLONE_VFORK`). Measured on the
//! 2-core bench machine with bash and a 15 MiB heap: 1.02 ms per `bash -c true` against 1.32 ms.
//!
//! The session comes from `POSIX_SPAWN_SETSID`, which glibc applies before the file actions; the
//! first file action then opens the pty by its path without `O_NOCTTY`, and opening a terminal
//! in a session that has none makes it the session's controlling terminal. All the unsafe code
//! of the crate is in this file and in `operator` (one `getpwuid_r`).

// The crate denies unsafe code; posix_spawn and its attribute types need FFI, kept to this file.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, OsStr};
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;
use std::ptr;

use rustix::process::Pid;

/// What to start, and where.
pub struct SpawnRequest<'a> {
    /// The program's path; not searched for on the `PATH`.
    pub program: &'a Path,
    /// `argv`, `argv[0]` included.
    pub args: &'a [&'a OsStr],
    /// The whole environment, as [`environment`] builds it.
    pub env: &'a [(Vec<u8>, Vec<u8>)],
    /// The working directory; this process's when `None`.
    pub cwd: Option<&'a Path>,
    /// The pty slave's path (`/dev/pts/N`): the child's stdout, stderr and controlling terminal.
    pub tty: &'a CStr,
    /// What the child reads.
    pub stdin: Stdin,
    /// A descriptor the child gets as the given fd number (the shell-state file), if any.
    pub extra_fd: Option<(BorrowedFd<'a>, i32)>,
}

/// Where a child's stdin comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stdin {
    /// The pty, like its stdout.
    Pty,
    /// A pipe this process writes to (a `runner` reads the block).
    Pipe,
    /// `/dev/null`: every read sees end of input.
    Null,
}

/// A started child.
pub struct Spawned {
    pub pid: Pid,
    /// The writing end of the stdin pipe, when asked for (close-on-exec).
    pub stdin: Option<OwnedFd>,
}

/// Starts the program described by `req`; the error is the one `exec` met, if that is what failed.
pub fn spawn(req: &SpawnRequest<'_>) -> io::Result<Spawned> {
    let program = cstring(req.program.as_os_str(), "the program's path")?;
    let args = req
        .args
        .iter()
        .map(|a| cstring(a, "the command"))
        .collect::<io::Result<Vec<_>>>()?;
    let env = req
        .env
        .iter()
        .map(|(name, value)| {
            let what = format!("the value of `{}`", String::from_utf8_lossy(name));
            let mut entry = name.clone();
            entry.push(b'=');
            entry.extend_from_slice(value);
            cstring(OsStr::from_bytes(&entry), &what)
        })
        .collect::<io::Result<Vec<_>>>()?;
    let cwd = req
        .cwd
        .map(|c| cstring(c.as_os_str(), "the working directory"))
        .transpose()?;
    let argv = null_terminated(&args);
    let envp = null_terminated(&env);
    let pipe = if req.stdin == Stdin::Pipe {
        Some(io::pipe()?)
    } else {
        None
    };

    let mut actions = FileActions::new()?;
    // fd 1 first: opening it makes the pty the new session's controlling terminal.
    actions.open(1, req.tty, libc::O_RDWR)?;
    actions.dup2(1, 2)?;
    match (&pipe, req.stdin) {
        (Some((reader, _)), _) => actions.dup2(reader.as_raw_fd(), 0)?,
        (None, Stdin::Null) => actions.open(0, c"/dev/null", libc::O_RDONLY)?,
        (None, _) => actions.dup2(1, 0)?,
    }
    if let Some((fd, to)) = req.extra_fd {
        actions.dup2(fd.as_raw_fd(), to)?;
    }
    if let Some(cwd) = &cwd {
        actions.chdir(cwd)?;
    }
    let attrs = Attributes::new()?;

    let mut pid: libc::pid_t = 0;
    // SAFETY: every pointer is valid for the call: `program`, `argv` and `envp` point to
    // NUL-terminated strings owned by the locals above, each array ends with a null pointer,
    // and the file actions and attributes are initialised and not yet destroyed.
    let rc = unsafe {
        libc::posix_spawn(
            &mut pid,
            program.as_ptr(),
            &actions.0,
            &attrs.0,
            argv.as_ptr().cast(),
            envp.as_ptr().cast(),
        )
    };
    if rc != 0 {
        return Err(io::Error::from_raw_os_error(rc));
    }
    let pid = Pid::from_raw(pid).ok_or_else(|| io::Error::other("posix_spawn gave pid 0"))?;
    // The reading end now belongs to the child only.
    Ok(Spawned {
        pid,
        stdin: pipe.map(|(_, writer)| OwnedFd::from(writer)),
    })
}

/// `s` for C; `what` names it in the error, which never quotes the text (it may hold a secret).
fn cstring(s: &OsStr, what: &str) -> io::Result<CString> {
    CString::new(s.as_bytes()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{what} contains a NUL byte"),
        )
    })
}

/// This process's environment with `overrides` set on top (later ones win) and `unset` left
/// out, as `(name, value)` bytes.
pub fn environment(overrides: &[(String, String)], unset: &[String]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut vars: Vec<(Vec<u8>, Vec<u8>)> = std::env::vars_os()
        .map(|(n, v)| (n.into_vec(), v.into_vec()))
        .filter(|(n, _)| !unset.iter().any(|u| u.as_bytes() == n.as_slice()))
        .collect();
    for (name, value) in overrides {
        match vars
            .iter_mut()
            .find(|(n, _)| n.as_slice() == name.as_bytes())
        {
            Some((_, v)) => *v = value.as_bytes().to_vec(),
            None => vars.push((name.as_bytes().to_vec(), value.as_bytes().to_vec())),
        }
    }
    vars
}

fn null_terminated(strings: &[CString]) -> Vec<*const libc::c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(ptr::null()))
        .collect()
}

fn check(rc: libc::c_int) -> io::Result<()> {
    // The posix_spawn functions return the error number rather than setting errno.
    match rc {
        0 => Ok(()),
        e => Err(io::Error::from_raw_os_error(e)),
    }
}

/// `posix_spawn_file_actions_t`, destroyed on drop.
struct FileActions(libc::posix_spawn_file_actions_t);

impl FileActions {
    fn new() -> io::Result<Self> {
        let mut raw = MaybeUninit::uninit();
        // SAFETY: `init` initialises the value it is given; it is used only if that succeeded.
        check(unsafe { libc::posix_spawn_file_actions_init(raw.as_mut_ptr()) })?;
        // SAFETY: initialised just above.
        Ok(FileActions(unsafe { raw.assume_init() }))
    }

    fn open(&mut self, fd: libc::c_int, path: &CStr, flags: libc::c_int) -> io::Result<()> {
        // SAFETY: `self.0` is initialised; glibc copies `path` into the actions.
        check(unsafe {
            libc::posix_spawn_file_actions_addopen(&mut self.0, fd, path.as_ptr(), flags, 0)
        })
    }

    fn dup2(&mut self, from: libc::c_int, to: libc::c_int) -> io::Result<()> {
        // SAFETY: `self.0` is initialised.
        check(unsafe { libc::posix_spawn_file_actions_adddup2(&mut self.0, from, to) })
    }

    fn chdir(&mut self, dir: &CStr) -> io::Result<()> {
        // SAFETY: `self.0` is initialised; glibc copies `dir` into the actions.
        check(unsafe { libc::posix_spawn_file_actions_addchdir_np(&mut self.0, dir.as_ptr()) })
    }
}

impl Drop for FileActions {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, destroyed only here.
        unsafe { libc::posix_spawn_file_actions_destroy(&mut self.0) };
    }
}

/// `posix_spawnattr_t` for a new session, an empty signal mask, and SIGPIPE back to its default
/// (Rust ignores it in this process; a command must not inherit that), destroyed on drop.
struct Attributes(libc::posix_spawnattr_t);

impl Attributes {
    fn new() -> io::Result<Self> {
        let mut raw = MaybeUninit::uninit();
        // SAFETY: `init` initialises the value it is given; it is used only if that succeeded.
        check(unsafe { libc::posix_spawnattr_init(raw.as_mut_ptr()) })?;
        // SAFETY: initialised just above.
        let mut attrs = Attributes(unsafe { raw.assume_init() });
        // SAFETY: `sigset_t` values are initialised by `sigemptyset` before any other use, and
        // every call gets pointers to initialised values owned by this function or `attrs`.
        unsafe {
            let mut empty = MaybeUninit::<libc::sigset_t>::uninit();
            libc::sigemptyset(empty.as_mut_ptr());
            let empty = empty.assume_init();
            let mut defaults = empty;
            libc::sigaddset(&mut defaults, libc::SIGPIPE);
            check(libc::posix_spawnattr_setsigmask(&mut attrs.0, &empty))?;
            check(libc::posix_spawnattr_setsigdefault(&mut attrs.0, &defaults))?;
            let flags = libc::POSIX_SPAWN_SETSID
                | libc::POSIX_SPAWN_SETSIGMASK as libc::c_short
                | libc::POSIX_SPAWN_SETSIGDEF as libc::c_short;
            check(libc::posix_spawnattr_setflags(&mut attrs.0, flags))?;
        }
        Ok(attrs)
    }
}

impl Drop for Attributes {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, destroyed only here.
        unsafe { libc::posix_spawnattr_destroy(&mut self.0) };
    }
}
