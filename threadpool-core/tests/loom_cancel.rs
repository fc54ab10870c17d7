//! Model check of cancellation's state machine (`src/cancel.rs`) under
//! loom: a worker starting a cancellable request races `ThreadPool::cancel`
//! on the polling thread, and exactly one of them wins. Either the job runs
//! (and `cancel` signals it, so its outcome is reported as cancelled), or it
//! never runs (and `cancel` took it out, reporting it at once); never both,
//! never neither. The control block is the pool's own, through
//! `__loom::Control`.
//!
//! Run with `cargo xtask loom`.
#![cfg(loom)]

use std::sync::Arc;

use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;
use threadpool_core::__loom::Control;
use threadpool_core::CancelOutcome;

mod loom_common;
use loom_common::model;

#[test]
fn a_cancel_racing_a_start_has_exactly_one_winner() {
    model("cancel: racing a worker's start", || {
        let control = Arc::new(Control::new());
        let ran = Arc::new(AtomicBool::new(false));
        let saw_cancel = Arc::new(AtomicBool::new(false));
        let worker = {
            let (control, ran, saw_cancel) = (
                Arc::clone(&control),
                Arc::clone(&ran),
                Arc::clone(&saw_cancel),
            );
            thread::spawn(move || {
                if control.start() {
                    ran.store(true, Ordering::SeqCst);
                    // The job checks its token once, cooperatively.
                    saw_cancel.store(control.is_cancelled(), Ordering::SeqCst);
                }
            })
        };
        let first = control.cancel();
        let second = control.cancel();
        worker.join().unwrap();
        let ran = ran.load(Ordering::SeqCst);
        match first {
            CancelOutcome::Dequeued => assert!(!ran, "a dequeued job never runs"),
            CancelOutcome::Signalled => assert!(ran, "only a started job is signalled"),
            CancelOutcome::NotFound => panic!("an outstanding request is always found"),
        }
        assert_eq!(second, CancelOutcome::NotFound, "cancelled once");
        assert!(control.is_cancelled());
        if first == CancelOutcome::Dequeued {
            assert!(!saw_cancel.load(Ordering::SeqCst));
        }
    });
}

#[test]
fn the_worker_and_the_canceller_agree_on_the_winner() {
    model("cancel: the two sides agree", || {
        let control = Arc::new(Control::new());
        let worker = {
            let control = Arc::clone(&control);
            thread::spawn(move || control.start())
        };
        let outcome = control.cancel();
        let started = worker.join().unwrap();
        // Exactly one winner, whichever order the two took.
        assert_eq!(started, outcome == CancelOutcome::Signalled);
        assert_eq!(!started, outcome == CancelOutcome::Dequeued);
    });
}
