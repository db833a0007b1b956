//! The process's limit on open files, raised to what the system allows at start.
//!
//! Every client connection, websocket and upstream connection is a file descriptor. Service
//! managers commonly start processes with a soft limit of 1,024 (systemd's default, and Docker's
//! since 25 with containerd's defaults) and a far higher hard limit: a gateway left at 1,024 stops
//! accepting at about a thousand websockets, with "Too many open files". A process may raise its own
//! soft limit up to the hard limit, so the gateway does (as Go's runtime does for every program).

/// The soft limit before and after raising it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OpenFiles {
    pub(crate) before: u64,
    pub(crate) after: u64,
}

/// Below this many, the gateway warns at start: fewer than a few thousand websockets fit.
const LOW: u64 = 4_096;

/// Raises the soft limit on open files to the hard limit; `None` when the system does not say
/// what its limits are.
#[cfg(unix)]
pub(crate) fn raise_to_hard_limit() -> Option<OpenFiles> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given, which lives for the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    let before = limit.rlim_cur;
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct it is given, which lives for the call.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = limit.rlim_max;
        }
    }
    Some(OpenFiles {
        before,
        after: limit.rlim_cur,
    })
}

#[cfg(not(unix))]
pub(crate) fn raise_to_hard_limit() -> Option<OpenFiles> {
    None
}

/// The soft limit in force now; `None` when the system does not say.
#[cfg(unix)]
pub(crate) fn current() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given, which lives for the call.
    (unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0).then_some(limit.rlim_cur)
}

#[cfg(not(unix))]
pub(crate) fn current() -> Option<u64> {
    None
}

/// Raises the limit and says so: at debug when all is well, a warning when it stays low.
pub(crate) fn raise_and_report() {
    match raise_to_hard_limit() {
        Some(files) if files.after < LOW => tracing::warn!(
            open_files = files.after,
            "the system allows this process only {} open files, so at most about that many client \
             connections and websockets; raise the hard limit (ulimit -Hn, LimitNOFILE= in systemd, \
             `ulimits: nofile` in Compose)",
            files.after
        ),
        Some(files) => tracing::debug!(
            before = files.before,
            open_files = files.after,
            "open files limit"
        ),
        None => {}
    }
}
