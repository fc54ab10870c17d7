//! Fork-join on the pool: `join`, `scope` and `install`. Sizes are small
//! enough for miri (`cargo xtask miri` runs this file).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use threadpool_core::{PoolHandle, ThreadPool, ThreadPoolBuilder, Worker};

fn fib(pool: &PoolHandle, n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = pool.join(|| fib(pool, n - 1), || fib(pool, n - 2));
    a + b
}

#[test]
fn join_returns_both_results_from_inside_and_outside_the_pool() {
    let pool = ThreadPoolBuilder::new()
        .num_workers(2)
        .build_handle()
        .unwrap();
    // From outside: the join moves onto a worker first.
    assert_eq!(pool.join(|| 1 + 1, || "two"), (2, "two"));
    // Nested from inside, deep enough to fork and steal.
    assert_eq!(pool.install(|| fib(&pool, 12)), 144);
    pool.shutdown();
}

#[test]
fn nested_joins_never_deadlock_on_one_worker() {
    let pool = ThreadPoolBuilder::new()
        .num_workers(1)
        .build_handle()
        .unwrap();
    assert_eq!(fib(&pool, 10), 55);
    pool.shutdown();
}

#[test]
fn join_borrows_from_the_stack() {
    let pool = ThreadPool::new(2).unwrap();
    let handle = pool.handle();
    let mut left = [1_u32; 50];
    let right: Vec<u32> = (0..50).collect();
    let (a, b) = handle.join(
        || {
            left.iter_mut().for_each(|x| *x += 1);
            left.iter().sum::<u32>()
        },
        || right.iter().sum::<u32>(),
    );
    assert_eq!((a, b), (100, 1225));
    assert!(left.iter().all(|&x| x == 2));
}

#[test]
fn a_panic_in_either_half_reaches_the_caller_after_both_are_done() {
    let pool = ThreadPoolBuilder::new()
        .num_workers(2)
        .build_handle()
        .unwrap();
    let finished = AtomicUsize::new(0);
    let caught = catch_unwind(AssertUnwindSafe(|| {
        pool.install(|| {
            pool.join(
                || -> u8 { panic!("first half") },
                || finished.fetch_add(1, Ordering::SeqCst),
            )
        })
    }));
    let payload = caught.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"first half"));
    let caught = catch_unwind(AssertUnwindSafe(|| {
        pool.join(
            || finished.fetch_add(1, Ordering::SeqCst),
            || -> u8 { panic!("second half") },
        )
    }));
    assert_eq!(
        caught.unwrap_err().downcast_ref::<&str>(),
        Some(&"second half")
    );
    assert!(finished.load(Ordering::SeqCst) >= 1);
    // The pool is unharmed.
    assert_eq!(pool.join(|| 3, || 4), (3, 4));
    pool.shutdown();
}

#[test]
fn scope_runs_every_spawned_job_before_returning() {
    let pool = ThreadPool::new(2).unwrap();
    let handle = pool.handle();
    let hits = AtomicUsize::new(0);
    let log = Mutex::new(Vec::new());
    let numbers: Vec<u32> = (0..40).collect();
    handle.scope(|s| {
        for chunk in numbers.chunks(8) {
            let (hits, log) = (&hits, &log);
            s.spawn(move |s| {
                hits.fetch_add(chunk.len(), Ordering::SeqCst);
                s.spawn(move |_| log.lock().unwrap().push(chunk[0]));
            });
        }
    });
    assert_eq!(hits.into_inner(), 40);
    let mut log = log.into_inner().unwrap();
    log.sort();
    assert_eq!(log, [0, 8, 16, 24, 32]);
}

#[test]
fn a_panicking_scope_job_is_resumed_after_the_others_finish() {
    let pool = ThreadPoolBuilder::new()
        .num_workers(2)
        .build_handle()
        .unwrap();
    let done = AtomicUsize::new(0);
    let caught = catch_unwind(AssertUnwindSafe(|| {
        pool.scope(|s| {
            s.spawn(|_| panic!("scope job"));
            for _ in 0..4 {
                s.spawn(|_| {
                    done.fetch_add(1, Ordering::SeqCst);
                });
            }
        })
    }));
    assert_eq!(
        caught.unwrap_err().downcast_ref::<&str>(),
        Some(&"scope job")
    );
    assert_eq!(done.load(Ordering::SeqCst), 4);
    pool.shutdown();
}

#[test]
fn install_runs_on_a_worker_and_gives_back_the_value() {
    let pool = ThreadPoolBuilder::new()
        .num_workers(1)
        .thread_name("fj")
        .build_handle()
        .unwrap();
    let name = pool.install(|| std::thread::current().name().map(str::to_owned));
    assert_eq!(name.as_deref(), Some("fj-0"));
    assert!(pool.install(|| PoolHandle::current().is_some()));
    pool.shutdown();
}

#[test]
fn install_on_a_pool_without_workers_panics_instead_of_waiting() {
    let pool = ThreadPoolBuilder::new()
        .num_workers(0)
        .build_handle()
        .unwrap();
    let caught = catch_unwind(AssertUnwindSafe(|| pool.install(|| 1)));
    assert!(caught.is_err());
    pool.shutdown();
    let caught = catch_unwind(AssertUnwindSafe(|| pool.install(|| 1)));
    assert!(caught.is_err());
}

/// Counts its drops; what a `join` half returns or captures.
#[derive(Debug)]
struct Counted<'a>(&'a AtomicUsize);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn when_a_panics_b_is_dropped_once_whether_it_ran_or_was_taken_back() {
    for workers in [1, 2] {
        let pool = ThreadPoolBuilder::new()
            .num_workers(workers)
            .build_handle()
            .unwrap();
        // `b` captures a value: taken back unrun, its closure is dropped;
        // run by a thief, the value it returns is.
        let drops = AtomicUsize::new(0);
        let (inner_ran, outer_ran) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let caught = catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| {
                // The first two nested forks of a job (the one beside this
                // `a` and the outer `b`) are promoted at once; the inner
                // one stays on the fork list: the ways out of an
                // unwinding `a`.
                pool.join(
                    || {
                        pool.join(
                            || {
                                let counted = Counted(&drops);
                                pool.join(
                                    || -> u8 { panic!("inner a") },
                                    || {
                                        inner_ran.fetch_add(1, Ordering::SeqCst);
                                        counted
                                    },
                                )
                            },
                            || {
                                outer_ran.fetch_add(1, Ordering::SeqCst);
                                Counted(&drops)
                            },
                        )
                    },
                    || (),
                )
            })
        }));
        assert_eq!(
            caught.unwrap_err().downcast_ref::<&str>(),
            Some(&"inner a"),
            "{workers} workers"
        );
        // The inner `b` ran at most once (a thief may have taken it once it
        // was promoted) and is dropped once either way: its closure, with
        // the value it captured, or the value it returned. The outer `b`
        // either ran (its result dropped) or was dropped unrun (it owns
        // nothing then).
        let inner_ran = inner_ran.load(Ordering::SeqCst);
        assert!(inner_ran <= 1, "{workers} workers: b ran {inner_ran} times");
        let outer_ran = outer_ran.load(Ordering::SeqCst);
        assert!(outer_ran <= 1, "{workers} workers: b ran {outer_ran} times");
        assert_eq!(
            drops.load(Ordering::SeqCst),
            1 + outer_ran,
            "{workers} workers"
        );
        pool.shutdown();
    }
}

fn fib_on(worker: Worker<'_>, n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = worker.join(|w| fib_on(w, n - 1), |w| fib_on(w, n - 2));
    a + b
}

#[test]
fn worker_join_computes_what_pool_join_does_on_one_worker_and_on_several() {
    for workers in [1, 3] {
        let pool = ThreadPoolBuilder::new()
            .num_workers(workers)
            .build_handle()
            .unwrap();
        assert_eq!(
            pool.with_worker(|w| fib_on(w, 15)),
            610,
            "{workers} workers"
        );
        // Mixed with the pool's own `join` and `scope` inside.
        let total = AtomicUsize::new(0);
        pool.with_worker(|w| {
            let (a, ()) = w.join(
                |w| w.handle().join(|| fib(&pool, 10), || 1),
                |w| {
                    w.handle().scope(|s| {
                        for _ in 0..8 {
                            s.spawn(|_| {
                                total.fetch_add(1, Ordering::SeqCst);
                            });
                        }
                    });
                },
            );
            assert_eq!(a, (55, 1));
        });
        assert_eq!(total.load(Ordering::SeqCst), 8);
        pool.shutdown();
    }
}

/// Each half gets the worker that runs it: a half that was stolen gets the
/// thief, whose index the pool reports for the thread it runs on.
#[test]
fn each_half_of_a_worker_join_is_handed_the_worker_that_runs_it() {
    let pool = ThreadPoolBuilder::new()
        .num_workers(3)
        .build_handle()
        .unwrap();
    fn check(pool: &PoolHandle, worker: Worker<'_>, depth: u32) -> usize {
        assert_eq!(Some(worker.index()), pool.current_thread_index());
        if depth == 0 {
            return 1;
        }
        let (a, b) = worker.join(|w| check(pool, w, depth - 1), |w| check(pool, w, depth - 1));
        a + b
    }
    for _ in 0..5 {
        assert_eq!(pool.with_worker(|w| check(&pool, w, 6)), 64);
    }
    pool.shutdown();
}

#[test]
fn a_panic_in_either_half_of_a_worker_join_reaches_the_caller() {
    let pool = ThreadPool::new(2).unwrap();
    let handle = pool.handle();
    let finished = AtomicUsize::new(0);
    let caught = catch_unwind(AssertUnwindSafe(|| {
        handle.with_worker(|w| {
            w.join(
                |_| -> u8 { panic!("first half") },
                |_| finished.fetch_add(1, Ordering::SeqCst),
            )
        })
    }));
    assert_eq!(
        caught.unwrap_err().downcast_ref::<&str>(),
        Some(&"first half")
    );
    let caught = catch_unwind(AssertUnwindSafe(|| {
        handle.with_worker(|w| {
            w.join(
                |_| finished.fetch_add(1, Ordering::SeqCst),
                |_| -> u8 { panic!("second half") },
            )
        })
    }));
    assert_eq!(
        caught.unwrap_err().downcast_ref::<&str>(),
        Some(&"second half")
    );
    assert!(finished.load(Ordering::SeqCst) >= 1);
    assert_eq!(handle.with_worker(|w| w.join(|_| 3, |_| 4)), (3, 4));
}

#[test]
fn with_worker_on_a_pool_without_workers_panics_instead_of_waiting() {
    let pool = ThreadPoolBuilder::new()
        .num_workers(0)
        .build_handle()
        .unwrap();
    let caught = catch_unwind(AssertUnwindSafe(|| pool.with_worker(|w| w.index())));
    let payload = caught.unwrap_err();
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(message.contains("PoolHandle::with_worker"), "{message}");
    pool.shutdown();
}
