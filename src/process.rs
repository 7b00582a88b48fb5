//! What the process sets up for itself before anything else runs (the CLI and the app alike).
//!
//! - **No core dumps.** The conversion token is in memory while a send runs; a crash must not
//!   write it to a core file. The core size limit is set to 0 and, on Linux, the process is
//!   marked not dumpable (`PR_SET_DUMPABLE` 0), which also stops a core handler behind a pipe
//!   (`systemd-coredump`, apport: those ignore the size limit) and other processes of the same
//!   user from reading its memory through `/proc` or `ptrace`.
//! - **`SIGXFSZ` ignored.** Past the file size limit (`ulimit -f`) a write then fails with an
//!   error the command reports (and the history append undoes), instead of the signal killing
//!   the process silently mid-line.

/// Applies the settings above; what cannot be applied is returned, one line each, for stderr.
pub fn harden() -> Vec<String> {
    #[cfg(not(unix))]
    return Vec::new();
    #[cfg(unix)]
    {
        let mut problems = Vec::new();
        let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: setrlimit reads the struct it is given; signal installs a libc disposition.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) } != 0 {
            problems.push(format!("core dumps could not be turned off: {}", std::io::Error::last_os_error()));
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        // SAFETY: prctl(PR_SET_DUMPABLE, 0) takes plain integers.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            problems.push(format!(
                "the process could not be marked not dumpable: {}",
                std::io::Error::last_os_error()
            ));
        }
        // SAFETY: SIG_IGN is a valid disposition for SIGXFSZ.
        unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
        problems
    }
}
