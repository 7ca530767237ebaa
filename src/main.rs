//! The `guardsh` binary: hands argv to [`guardsh::run`] and returns its exit code.
//!
//! guardsh starts once for every command an agent runs, so the binary defines the C `main`
//! itself instead of going through Rust's runtime start-up. That start-up reads
//! `/proc/self/maps` to place a guard page under the main thread's stack and maps a signal
//! stack for a "stack overflow" message: about a tenth of a millisecond and eight page faults
//! on every run, for a message. A stack overflow here still ends the process (by SIGSEGV,
//! without the message); the SQL parser, the one deep recursion, runs on the main thread
//! only within bounds measured to fit (see `payload::sql`). What guardsh relies on from
//! that start-up is done here: SIGPIPE is caught and does nothing, so a closed pipe is a
//! write error that guardsh reports rather than a silent death, and the standard
//! descriptors are made to exist, so that a file guardsh opens (the audit log) can never
//! become its standard output. Arguments are read from the `argv` the C runtime passes
//! (std's own copy is filled before `main` by glibc, but not by every libc).

#![no_main]
#![allow(unsafe_code)]

use std::io::Write as _;
use std::os::fd::{AsRawFd as _, IntoRawFd as _};

/// The process entry point, called by the C runtime.
#[unsafe(no_mangle)]
extern "C" fn main(argc: std::ffi::c_int, argv: *const *const std::ffi::c_char) -> std::ffi::c_int {
    ignore_sigpipe();
    tune_malloc();
    ensure_standard_fds();
    if main_stack_may_grow_to(8 << 20) {
        guardsh::payload::sql::main_thread_stack_is_deep();
    }
    let code = guardsh::run(arguments(argc, argv));
    // Rust's runtime flushes standard output after `main`; without it, this does. A failure
    // here has nowhere left to be reported.
    let _ = std::io::stdout().flush();
    std::ffi::c_int::from(code)
}

/// The C runtime's `argc`/`argv` as the arguments Rust would give: bytes, not text.
fn arguments(
    argc: std::ffi::c_int,
    argv: *const *const std::ffi::c_char,
) -> Vec<std::ffi::OsString> {
    use std::os::unix::ffi::OsStrExt as _;
    let count = usize::try_from(argc).unwrap_or(0);
    if argv.is_null() {
        return Vec::new();
    }
    (0..count)
        .map_while(|i| {
            // SAFETY: the C runtime passes `argc` pointers in `argv`, each to a
            // NUL-terminated string that lives as long as the process; a null one (which
            // it never passes before index `argc`) ends the list.
            let arg = unsafe { *argv.add(i) };
            if arg.is_null() {
                return None;
            }
            // SAFETY: as above, `arg` points to a NUL-terminated string.
            let bytes = unsafe { std::ffi::CStr::from_ptr(arg) }.to_bytes();
            Some(std::ffi::OsStr::from_bytes(bytes).to_owned())
        })
        .collect()
}

/// Writing to a closed pipe returns EPIPE instead of killing guardsh, as under Rust's
/// runtime, which ignores SIGPIPE. Here a handler that does nothing does it instead: a
/// handler, unlike an ignored signal, is reset by exec, so the real shell guardsh execs
/// gets SIGPIPE as guardsh's caller left it, ignored only if the caller ignored it (std's
/// Command resets it to the default instead, even then). With SA_RESTART, no system call is
/// cut short by it.
fn ignore_sigpipe() {
    extern "C" fn nothing(_: std::ffi::c_int) {}
    // SAFETY: sigaction reads and writes `sigaction` structs through pointers to live
    // locals; the handler does nothing, so it is async-signal-safe; no other thread exists
    // yet.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
        {
            // Ignored by the caller: it stays so, for guardsh and the shell.
            return;
        }
        let mut quiet: libc::sigaction = std::mem::zeroed();
        quiet.sa_sigaction = nothing as extern "C" fn(std::ffi::c_int) as libc::sighandler_t;
        quiet.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut quiet.sa_mask);
        if libc::sigaction(libc::SIGPIPE, &quiet, std::ptr::null_mut()) != 0 {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        }
    }
}

/// Whether the main thread's stack may grow to `bytes` (the soft stack limit, which the
/// kernel applies to the main thread only).
fn main_stack_may_grow_to(bytes: u64) -> bool {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit through a pointer to a live local.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut limit) } == 0;
    ok && (limit.rlim_cur == libc::RLIM_INFINITY || limit.rlim_cur >= bytes)
}

/// glibc's allocator is tuned for long-running, many-threaded programs; guardsh lives a
/// millisecond and runs one helper thread at most (the SQL classifier's). One arena: the
/// helper allocates from the heap the main thread has already touched instead of mapping
/// an arena of its own. No trimming and no per-allocation mappings: memory freed and
/// allocated again reuses the same pages instead of faulting fresh ones.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_malloc() {
    // SAFETY: mallopt only changes allocator parameters; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
    }
}

/// Other allocators keep their defaults.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}

/// Descriptors 0, 1 and 2 that were closed by the caller are opened on `/dev/null` (as
/// Rust's runtime does), so that no file guardsh opens later takes their place.
fn ensure_standard_fds() {
    for _ in 0..3 {
        let Ok(null) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
        else {
            return;
        };
        if null.as_raw_fd() > 2 {
            return;
        }
        // It filled a closed standard descriptor: keep it open for the process's life.
        let _ = null.into_raw_fd();
    }
}
