//! Liveness and differential tests against rayon for `broadcast` and
//! `spawn_broadcast` called where every worker is busy: from inside
//! parallel work, from every worker at once, and from inside a broadcast's
//! own closure. Each body runs under a watchdog, so a hang fails the test
//! instead of stalling it.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::channel;

use common::watchdog;

/// The shape of a program that hung before: a broadcast from each item of
/// a parallel iterator on a 2-thread pool, 4 items.
#[test]
fn broadcast_from_inside_parallel_work_answers_as_rayons_does() {
    watchdog(|| {
        let compat = {
            use threadpool_rayon_compat::prelude::*;
            let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .unwrap();
            pool.install(|| {
                (0..4)
                    .into_par_iter()
                    .map(|_| threadpool_rayon_compat::broadcast(|ctx| ctx.index()))
                    .collect::<Vec<_>>()
            })
        };
        let rayon = {
            use rayon::prelude::*;
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .unwrap();
            pool.install(|| {
                (0..4)
                    .into_par_iter()
                    .map(|_| rayon::broadcast(|ctx| ctx.index()))
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(compat, rayon);
        assert_eq!(compat.iter().map(Vec::len).sum::<usize>(), 8);
    });
}

/// Every worker broadcasts at the same time (each one from its own
/// broadcast call), many rounds, and a broadcast inside a broadcast's `op`.
#[test]
fn broadcasts_from_every_worker_at_once_and_nested_ones_all_finish() {
    watchdog(|| {
        for threads in [1, 2, 3, 4] {
            let compat = threadpool_rayon_compat::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let rayon = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for _ in 0..20 {
                let c = compat.broadcast(|outer| {
                    let outer = outer.index();
                    threadpool_rayon_compat::broadcast(|inner| (outer, inner.index()))
                });
                let r = rayon.broadcast(|outer| {
                    let outer = outer.index();
                    rayon::broadcast(|inner| (outer, inner.index()))
                });
                assert_eq!(c, r, "{threads} threads");
            }
            // Nested three deep: n^3 calls in all.
            let calls = AtomicUsize::new(0);
            compat.broadcast(|_| {
                threadpool_rayon_compat::broadcast(|_| {
                    threadpool_rayon_compat::broadcast(|_| calls.fetch_add(1, Ordering::Relaxed))
                })
            });
            assert_eq!(calls.into_inner(), threads.pow(3));
        }
    });
}

/// `join`s whose halves broadcast, with other parallel work around them:
/// every broadcast sees each worker once.
#[test]
fn broadcasts_mixed_with_joins_and_scopes_run_once_per_worker() {
    watchdog(|| {
        use threadpool_rayon_compat::prelude::*;
        let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let rounds: Vec<Vec<usize>> = pool.install(|| {
            (0..64)
                .into_par_iter()
                .map(|i| {
                    let (a, b) = threadpool_rayon_compat::join(
                        || (0..100u64).into_par_iter().sum::<u64>(),
                        || threadpool_rayon_compat::broadcast(|ctx| ctx.index() + i - i),
                    );
                    assert_eq!(a, 4950);
                    b
                })
                .collect()
        });
        for round in rounds {
            assert_eq!(round, [0, 1, 2]);
        }
        // A scope's broadcast from inside parallel work.
        let calls = AtomicUsize::new(0);
        pool.install(|| {
            (0..8).into_par_iter().for_each(|_| {
                threadpool_rayon_compat::scope(|s| {
                    s.spawn_broadcast(|_, _| {
                        calls.fetch_add(1, Ordering::Relaxed);
                    });
                });
            });
        });
        assert_eq!(calls.into_inner(), 8 * 3);
    });
}

/// `spawn_broadcast` from every worker at once, while all of them are busy
/// waiting on each other's results: every call arrives.
#[test]
fn spawn_broadcast_from_busy_workers_runs_once_per_worker() {
    watchdog(|| {
        let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let (tx, rx) = channel();
        pool.broadcast(|_| {
            let tx = std::sync::Mutex::new(tx.clone());
            threadpool_rayon_compat::spawn_broadcast(move |ctx| {
                tx.lock().unwrap().send(ctx.index()).unwrap();
            });
        });
        drop(tx);
        let mut got: Vec<usize> = rx.iter().collect();
        got.sort_unstable();
        assert_eq!(got, [0, 0, 1, 1]);
    });
}

/// A panic in one worker's call is resumed by `broadcast` after every
/// call ended, as in rayon.
#[test]
fn a_panicking_broadcast_op_resumes_after_all_calls_as_rayons_does() {
    watchdog(|| {
        let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let calls = AtomicUsize::new(0);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.broadcast(|ctx| {
                calls.fetch_add(1, Ordering::Relaxed);
                assert_ne!(ctx.index(), 1, "worker 1 refuses");
            })
        }));
        assert!(caught.is_err());
        assert_eq!(calls.load(Ordering::Relaxed), 3);
        let rayon = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rayon.broadcast(|ctx| assert_ne!(ctx.index(), 1, "worker 1 refuses"))
        }));
        assert!(caught.is_err());
        // The pool still works.
        assert_eq!(pool.broadcast(|ctx| ctx.index()), [0, 1, 2]);
    });
}
