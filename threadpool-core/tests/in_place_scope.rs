//! An `in_place_scope` called from outside the pool keeps the pool's last
//! worker while it runs: dismissing every worker from its body (or from
//! another thread) leaves one, so the borrowed jobs it queued still run
//! instead of aborting the process. Each body runs under a watchdog, so a
//! hang fails the test instead of stalling it.

mod common;
use common::watchdog;

use std::cell::RefCell;
use std::rc::Rc;

use threadpool_core::ThreadPoolBuilder;

#[test]
fn dismissing_the_last_worker_inside_an_in_place_scope_keeps_it_for_the_jobs() {
    watchdog("in_place_scope", || {
        for workers in [1, 3] {
            let mut pool = ThreadPoolBuilder::new()
                .num_workers(workers)
                .build_with_state(())
                .unwrap();
            let handle = pool.handle();
            let log = Rc::new(RefCell::new(Vec::new())); // not `Send`
            let words = ["a", "b c", "d e f", "g", "h i"];
            let mut counts = vec![0_usize; words.len()];
            handle.in_place_scope(|s| {
                for (count, text) in counts.iter_mut().zip(words) {
                    s.spawn(move |_| *count = text.split(' ').count());
                }
                // Every worker but one leaves; the one kept runs the jobs.
                assert_eq!(handle.dismiss_workers(workers + 1, false), workers - 1);
                assert_eq!(handle.workers(), 1);
                log.borrow_mut().push("body");
            });
            assert_eq!(counts, [1, 2, 3, 1, 2]);
            assert_eq!(*log.borrow(), ["body"]);
            // The scope is over: the last worker may go now.
            assert_eq!(pool.dismiss_workers(1, true), 1);
            assert_eq!(pool.workers(), 0);
            pool.join_all_dismissed_workers();
        }
    });
}

#[test]
fn the_last_worker_is_kept_against_dismissals_from_other_threads_too() {
    watchdog("in_place_scope", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(2)
            .build_handle()
            .unwrap();
        let mut total = 0_u64;
        pool.in_place_scope(|s| {
            let other = pool.clone();
            let dismissed = std::thread::spawn(move || other.dismiss_workers(2, true))
                .join()
                .unwrap();
            assert_eq!(dismissed, 1);
            let total = &mut total;
            s.spawn(move |_| *total = (1..=100).sum());
        });
        assert_eq!(total, 5050);
        assert_eq!(pool.dismiss_workers(1, true), 1);
        // No worker left: refused up front, with the function's name.
        let refused = std::panic::catch_unwind(|| pool.in_place_scope(|_| ())).unwrap_err();
        let message = refused
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| refused.downcast_ref::<&str>().map(|m| m.to_string()))
            .unwrap_or_default();
        assert!(message.contains("PoolHandle::in_place_scope"), "{message}");
        pool.shutdown();
    });
}
