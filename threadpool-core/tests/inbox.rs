//! Jobs addressed to one worker (`PoolHandle::spawn_on_worker`,
//! `PoolHandle::run_on_workers`): each runs on its worker, also when every
//! worker is busy waiting (from inside `join`s, from every worker at once,
//! nested); an index no live worker has is refused, and a call for a
//! worker that leaves after the check is reported, never stranded. Each body runs
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
            let seen = pool
                .run_on_workers(&[3, 1, 2, 0, 1], |i| (i, pool.current_thread_index()))
                .unwrap();
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
        assert!(pool.run_on_workers(&[], |i| i).unwrap().is_empty());
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
            let nested = pool
                .run_on_workers(&all, |outer| {
                    pool.run_on_workers(&all, |inner| outer * 10 + inner)
                        .unwrap()
                })
                .unwrap();
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
                        pool.run_on_workers(all, |_| calls.fetch_add(1, Ordering::Relaxed))
                            .unwrap();
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
        assert_eq!(pool.run_on_workers(&[2], |i| i).unwrap(), [2]);
        pool.shutdown();
    });
}

#[test]
fn spawn_on_worker_runs_there_and_an_index_that_left_is_refused() {
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
            })
            .unwrap();
        }
        let mut got: Vec<_> = (0..4).map(|_| rx.recv().unwrap()).collect();
        got.sort_unstable();
        assert_eq!(
            got,
            [(0, Some(0)), (0, Some(0)), (1, Some(1)), (1, Some(1))]
        );
        // After a worker left, calls for it are refused, not run elsewhere.
        assert_eq!(pool.dismiss_workers(1, true), 1);
        let err = pool.run_on_workers(&[0, 1], |i| i).unwrap_err();
        assert_eq!((err.index(), err.has_left()), (1, false));
        assert_eq!(pool.spawn_on_worker(1, || ()).unwrap_err().index(), 1);
        assert_eq!(pool.run_on_workers(&[0], |i| i).unwrap(), [0]);
        pool.shutdown();
    });
}

#[test]
fn an_index_no_live_worker_has_is_refused_instead_of_waited_for() {
    common::watchdog("inbox", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(2)
            .build_handle()
            .unwrap();
        let ran = AtomicUsize::new(0);
        // One past the end: refused before anything is sent.
        let err = pool
            .run_on_workers(&[0, 1, 2], |_| ran.fetch_add(1, Ordering::Relaxed))
            .unwrap_err();
        assert_eq!((err.index(), err.has_left()), (2, false));
        assert!(err.to_string().contains("[0, 1]"), "{err}");
        assert_eq!(ran.load(Ordering::Relaxed), 0);
        assert_eq!(pool.spawn_on_worker(2, || ()).unwrap_err().index(), 2);
        // From inside the pool too.
        let inside = pool.install(|| pool.run_on_workers(&[5], |i| i));
        assert_eq!(inside.unwrap_err().index(), 5);
        pool.shutdown();
        let err = pool.spawn_on_worker(0, || ()).unwrap_err();
        assert!(err.to_string().contains("shut down"), "{err}");
    });
}

/// A worker dismissed while a call addressed to it is queued, after the
/// address was checked: the call is reported, never stranded.
#[test]
fn a_call_for_a_worker_dismissed_after_the_check_is_reported_not_stranded() {
    common::watchdog("inbox", || {
        for _ in 0..20 {
            let pool = ThreadPoolBuilder::new()
                .num_workers(3)
                .build_handle()
                .unwrap();
            // Keep worker 2 (the newest, which `dismiss_workers(1)` takes)
            // busy until it is dismissed.
            let (busy_tx, busy) = channel();
            let (release, release_rx) = channel::<()>();
            pool.spawn_on_worker(2, move || {
                busy_tx.send(()).unwrap();
                release_rx.recv().unwrap();
            })
            .unwrap();
            busy.recv().unwrap();
            let (queued_tx, queued) = channel();
            let queued_tx = std::sync::Mutex::new(queued_tx);
            let ran = AtomicUsize::new(0);
            let result = std::thread::scope(|s| {
                let caller = s.spawn(|| {
                    // Sent in order: by the time worker 0 makes its call,
                    // the call for worker 2 is in its inbox.
                    pool.run_on_workers(&[2, 0], |i| {
                        if i == 0 {
                            queued_tx.lock().unwrap().send(()).unwrap();
                        }
                        ran.fetch_add(1, Ordering::Relaxed);
                        i
                    })
                });
                queued.recv().unwrap();
                assert_eq!(pool.dismiss_workers(1, false), 1);
                // Worker 2 finishes its job, sees the dismissal and leaves,
                // handing the call back to the shared queue.
                release.send(()).unwrap();
                caller.join().unwrap()
            });
            let err = result.unwrap_err();
            assert_eq!((err.index(), err.has_left()), (2, true));
            assert_eq!(ran.into_inner(), 1, "only worker 0's call ran");
            assert_eq!(pool.workers(), 2);
            pool.shutdown();
        }
    });
}

/// After a resize the indices are no longer `0..workers()`: `broadcast` and
/// `worker_indices` still reach every current worker, once each.
#[test]
fn broadcast_and_worker_indices_follow_a_resize() {
    use std::cell::Cell;
    thread_local! {
        static READY: Cell<Option<usize>> = const { Cell::new(None) };
    }
    common::watchdog("inbox", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(3)
            .build_handle()
            .unwrap();
        assert_eq!(pool.worker_indices(), [0, 1, 2]);
        assert_eq!(pool.dismiss_workers(1, true), 1);
        pool.create_workers(2).unwrap();
        assert_eq!(pool.worker_indices(), [0, 1, 3, 4]);
        let calls = AtomicUsize::new(0);
        let seen = pool.broadcast(|index| {
            calls.fetch_add(1, Ordering::Relaxed);
            READY.set(Some(index));
            pool.current_thread_index()
        });
        assert_eq!(
            seen,
            [(0, Some(0)), (1, Some(1)), (3, Some(3)), (4, Some(4))]
        );
        assert_eq!(calls.into_inner(), 4);
        // Every current worker got its set-up, on its own thread.
        let ready = pool
            .run_on_workers(&pool.worker_indices(), |i| (i, READY.get()))
            .unwrap();
        assert_eq!(
            ready,
            [(0, Some(0)), (1, Some(1)), (3, Some(3)), (4, Some(4))]
        );
        // From inside the pool, and nested.
        let nested = pool.install(|| pool.broadcast(|_| pool.broadcast(|i| i).len()));
        assert!(nested.iter().all(|&(_, n)| n == 4));
        pool.shutdown();
        assert!(pool.broadcast(|i| i).is_empty());
        assert!(
            ThreadPoolBuilder::new()
                .num_workers(0)
                .build_handle()
                .unwrap()
                .broadcast(|i| i)
                .is_empty()
        );
    });
}
