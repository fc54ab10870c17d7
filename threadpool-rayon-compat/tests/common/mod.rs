//! What several behaviour tests share.

use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

/// Runs `body`, aborting the test process if it takes more than a minute:
/// a hang fails the run instead of stalling it (an abort, since a hung
/// body cannot be unwound from another thread).
pub fn watchdog<R>(body: impl FnOnce() -> R) -> R {
    let (done, finished) = channel::<()>();
    let guard = std::thread::spawn(move || {
        if let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(Duration::from_secs(60)) {
            eprintln!("watchdog: the test hung");
            std::process::abort();
        }
    });
    let result = body();
    drop(done);
    guard.join().unwrap();
    result
}
