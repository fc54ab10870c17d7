//! Jobs addressed to one worker (`PoolHandle::spawn_on_worker`,
//! `PoolHandle::run_on_workers`): each runs on its worker, also when every
//! worker is busy waiting (from inside `join`s, from every worker at once,
//! nested), and a job for a worker that left still runs. Each body runs
//! under a watchdog, so a hang fails the test instead of stalling it.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::channel;

use threadpool_core::ThreadPoolBuilder;

#[test]
fn run_on_workers_runs_each_call_on_its_worker() {
    common::watchdog("inbox", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(4)
            .build_handle()
            .unwrap();
        for _ in 0..50 {
            let seen = pool.run_on_workers(&[3, 1, 2, 0, 1], |i| (i, pool.current_thread_index()));
            assert_eq!(
                seen,
                [
                    (3, Some(3)),
                    (1, Some(1)),
                    (2, Some(2)),
                    (0, Some(0)),
                    (1, Some(1))
                ]
            );
        }
        assert!(pool.run_on_workers(&[], |i| i).is_empty());
        pool.shutdown();
    });
}

#[test]
fn run_on_workers_from_every_busy_worker_at_once_and_nested_finishes() {
    common::watchdog("inbox", || {
        for workers in [1, 2, 3] {
            let pool = ThreadPoolBuilder::new()
                .num_workers(workers)
                .build_handle()
                .unwrap();
            let all: Vec<usize> = (0..workers).collect();
            // Every worker calls it from inside a call, at the same time.
            let nested = pool.run_on_workers(&all, |outer| {
                pool.run_on_workers(&all, |inner| outer * 10 + inner)
            });
            for (outer, row) in nested.iter().enumerate() {
                let expected: Vec<usize> = (0..workers).map(|inner| outer * 10 + inner).collect();
                assert_eq!(row, &expected);
            }
            // From both halves of `join`s spread over the workers.
            let calls = AtomicUsize::new(0);
            pool.install(|| {
                fn tree(
                    pool: &threadpool_core::PoolHandle,
                    all: &[usize],
                    calls: &AtomicUsize,
                    depth: u32,
                ) {
                    if depth == 0 {
                        pool.run_on_workers(all, |_| calls.fetch_add(1, Ordering::Relaxed));
                        return;
                    }
                    pool.join(
                        || tree(pool, all, calls, depth - 1),
                        || tree(pool, all, calls, depth - 1),
                    );
                }
                tree(&pool, &all, &calls, 5);
            });
            assert_eq!(calls.into_inner(), 32 * workers);
            pool.shutdown();
        }
    });
}

#[test]
fn a_panicking_call_is_resumed_after_the_others_ran() {
    common::watchdog("inbox", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(3)
            .build_handle()
            .unwrap();
        let ran = AtomicUsize::new(0);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.run_on_workers(&[0, 1, 2], |i| {
                ran.fetch_add(1, Ordering::Relaxed);
                assert_ne!(i, 1, "worker 1 refuses");
            })
        }));
        let message = caught.unwrap_err();
        assert!(
            message
                .downcast_ref::<String>()
                .is_some_and(|m| m.contains("worker 1 refuses"))
        );
        assert_eq!(ran.into_inner(), 3);
        assert_eq!(pool.run_on_workers(&[2], |i| i), [2]);
        pool.shutdown();
    });
}

#[test]
fn spawn_on_worker_runs_there_and_a_job_for_a_worker_that_left_still_runs() {
    common::watchdog("inbox", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(2)
            .build_handle()
            .unwrap();
        let (tx, rx) = channel();
        for index in [0, 1, 1, 0] {
            let on = pool.clone();
            let tx = tx.clone();
            pool.spawn_on_worker(index, move || {
                tx.send((index, on.current_thread_index())).unwrap()
            });
        }
        let mut got: Vec<_> = (0..4).map(|_| rx.recv().unwrap()).collect();
        got.sort_unstable();
        assert_eq!(
            got,
            [(0, Some(0)), (0, Some(0)), (1, Some(1)), (1, Some(1))]
        );
        // After a worker left, calls for it run on the remaining one.
        assert_eq!(pool.dismiss_workers(1, true), 1);
        let left = pool.run_on_workers(&[0, 1], |i| i);
        assert_eq!(left, [0, 1]);
        let remaining = pool.install(|| pool.current_thread_index());
        let ran_on = pool.run_on_workers(&[0, 1], |_| pool.current_thread_index());
        assert_eq!(ran_on, [remaining, remaining]);
        pool.shutdown();
    });
}
