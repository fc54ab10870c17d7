//! The programs a new user wrote from the README and the crate docs alone,
//! in the first trial of the request API (a Python script's port, a
//! producer thread, a `#[work_request]` directory checksum, resizing under
//! load, a rayon-style pipeline, an application struct, a crawler, `?` on
//! every call), kept as they were written, so that they keep compiling and
//! working. Each runs under a watchdog: a hang fails the test.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

macro_rules! trial {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #![allow(dead_code)]
                include!(concat!("trial/", stringify!($name), ".rs"));
                pub fn run() {
                    super::watchdog(stringify!($name), || super::Outcome::check(main()));
                }
            }
            #[test]
            fn $name() {
                $name::run();
            }
        )*
    };
}

/// What a program's `main` returns: `()` or a `Result`, which must be `Ok`.
trait Outcome {
    fn check(self);
}

impl Outcome for () {
    fn check(self) {}
}

impl<E: std::fmt::Debug> Outcome for Result<(), E> {
    fn check(self) {
        self.expect("the program's main returned an error");
    }
}

/// Runs `body` on a thread of its own; fails if it has not finished in 60 s.
fn watchdog(name: &str, body: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let runner = thread::spawn(move || {
        body();
        let _ = done.send(());
    });
    match finished.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => runner.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            std::panic::resume_unwind(runner.join().unwrap_err())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name} hung for 60 s"),
    }
}

trial!(
    a_port, b_producer, c_dirwalk, d_resize, e_rayon, f_app, g_crawler, h_errors
);
