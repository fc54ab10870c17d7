//! What several behaviour tests share.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// Runs `f`, aborting the process if it takes more than 60 s: a hang fails
/// the run instead of stalling it (an abort, since a hung `f` cannot be
/// unwound from another thread).
pub fn watchdog<R>(name: &'static str, f: impl FnOnce() -> R) -> R {
    let (done, finished) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if finished.recv_timeout(Duration::from_secs(60)) == Err(RecvTimeoutError::Timeout) {
            eprintln!("{name}: hung for 60 s");
            std::process::abort();
        }
    });
    let result = f();
    drop(done);
    result
}
