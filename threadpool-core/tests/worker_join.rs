//! `Worker::join`: every half runs exactly once in irregular trees deeper
//! than a worker's first fork list, and a half is handed the worker that
//! runs it, also on a thread that stopped being a worker while a
//! computation of its pool is still on its stack (it keeps running that
//! pool's jobs while it waits there).

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use threadpool_core::ThreadPoolBuilder;

use common::watchdog;

/// The owner thread, adopted as worker 0, releases itself inside the first
/// half of a `Worker::join`; worker 1 runs the second half, which forks
/// again. The owner, now no worker (its `CURRENT` is null) but still
/// waiting on its own join through its retired context, may steal that
/// inner fork from worker 1's deque: the half must run, handed the context
/// that runs it, and the join must not panic.
#[test]
fn a_half_stolen_by_a_thread_that_released_itself_still_runs() {
    watchdog("released-thief", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(2)
            .use_current_thread()
            .build_handle()
            .unwrap();
        assert!(pool.is_worker_thread());
        let inner_forked = AtomicBool::new(false);
        let inner_ran = AtomicBool::new(false);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            pool.with_worker(|w| {
                w.join(
                    |_| {
                        // `b` was promoted at once (a job's first fork); the
                        // release hands it to the injector for worker 1.
                        assert!(pool.release_current_thread());
                        // Wait until worker 1 has forked the inner half, so
                        // that this thread finds it when it waits below.
                        while !inner_forked.load(Ordering::SeqCst) {
                            std::thread::yield_now();
                        }
                    },
                    |w1| {
                        w1.join(
                            |_| {
                                inner_forked.store(true, Ordering::SeqCst);
                                // Give the released thread the chance to
                                // steal the inner half (bounded: if nobody
                                // steals it, this worker runs it itself).
                                let until = Instant::now() + Duration::from_secs(10);
                                while !inner_ran.load(Ordering::SeqCst) && Instant::now() < until {
                                    std::thread::yield_now();
                                }
                            },
                            |_| inner_ran.store(true, Ordering::SeqCst),
                        )
                    },
                )
            })
        }));
        let message = outcome.as_ref().err().map(|payload| {
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default()
        });
        assert!(
            outcome.is_ok(),
            "the join panicked: {message:?} (inner half ran: {})",
            inner_ran.load(Ordering::SeqCst)
        );
        assert!(inner_ran.load(Ordering::SeqCst));
        pool.shutdown();
    });
}

/// As above, but the released owner thread then becomes the adopted worker
/// of a second pool, P2 (three workers), before it waits on its join of
/// P1's computation. The inner half of P1's computation that it steals
/// must be handed a `Worker` of P1 (not of P2, which its `CURRENT` names),
/// so that its forks go onto a deque of P1 and `handle()` is P1's.
#[test]
fn a_half_stolen_by_a_thread_adopted_by_another_pool_gets_a_worker_of_its_own_pool() {
    watchdog("thief-of-two-pools", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(2)
            .use_current_thread()
            .build_handle()
            .unwrap();
        let other = Mutex::new(None);
        let inner_forked = AtomicBool::new(false);
        let inner_ran = AtomicBool::new(false);
        let seen_workers = AtomicUsize::new(0);
        pool.with_worker(|w| {
            w.join(
                |_| {
                    assert!(pool.release_current_thread());
                    let p2 = ThreadPoolBuilder::new()
                        .num_workers(3)
                        .use_current_thread()
                        .build_handle()
                        .unwrap();
                    assert!(p2.is_worker_thread());
                    *other.lock().unwrap() = Some(p2);
                    while !inner_forked.load(Ordering::SeqCst) {
                        std::thread::yield_now();
                    }
                },
                |w1| {
                    w1.join(
                        |_| {
                            inner_forked.store(true, Ordering::SeqCst);
                            let until = Instant::now() + Duration::from_secs(10);
                            while !inner_ran.load(Ordering::SeqCst) && Instant::now() < until {
                                std::thread::yield_now();
                            }
                        },
                        |w2| {
                            seen_workers.store(w2.handle().workers(), Ordering::SeqCst);
                            inner_ran.store(true, Ordering::SeqCst);
                        },
                    )
                },
            )
        });
        assert!(inner_ran.load(Ordering::SeqCst));
        assert_eq!(
            seen_workers.load(Ordering::SeqCst),
            pool.workers(),
            "the half of P1's computation was handed a worker of another pool"
        );
        let p2 = other.lock().unwrap().take().unwrap();
        p2.release_current_thread();
        p2.shutdown();
        pool.shutdown();
    });
}

/// The children of a node of a random binary tree (`None`: a leaf): a
/// long spine of `depth` nodes down one side or the other, with twigs of
/// at most three levels beside it.
fn children(seed: u64, depth: u32) -> Option<((u64, u32), (u64, u32))> {
    let mut x = seed;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    if depth == 0 || (depth <= 3 && x.is_multiple_of(7)) {
        return None;
    }
    let twig = depth.min(3);
    let (da, db) = if x.is_multiple_of(3) {
        (twig, depth - 1)
    } else {
        (depth - 1, twig)
    };
    Some(((x.wrapping_mul(3), da), (x.wrapping_add(11), db)))
}

/// Runs the tree as nested `Worker::join`s, counting each leaf in `ran`;
/// returns the number of leaves.
fn tree(w: threadpool_core::Worker<'_>, seed: u64, depth: u32, ran: &AtomicUsize) -> usize {
    let Some(((sa, da), (sb, db))) = children(seed, depth) else {
        ran.fetch_add(1, Ordering::SeqCst);
        return 1;
    };
    let (a, b) = w.join(|w| tree(w, sa, da, ran), |w| tree(w, sb, db, ran));
    a + b
}

/// The number of leaves, counted without the pool.
fn leaves(seed: u64, depth: u32) -> usize {
    match children(seed, depth) {
        None => 1,
        Some(((sa, da), (sb, db))) => leaves(sa, da) + leaves(sb, db),
    }
}

/// Irregular nesting drives the fork list's countdown through every case:
/// promoted first forks at depth one and two, lists that drop below two
/// forks through a promoted pop and fill again, and growth past the first
/// allocation (512 slots). Every leaf runs exactly once, on one worker
/// (where promoted forks are always taken back) and on several.
#[test]
fn irregular_worker_joins_run_every_half_exactly_once() {
    watchdog("irregular-joins", || {
        let (depth, seeds) = if cfg!(miri) { (24, 1) } else { (700, 20) };
        for workers in [1, 3] {
            let pool = ThreadPoolBuilder::new()
                .num_workers(workers)
                .build_handle()
                .unwrap();
            for seed in 1..=seeds {
                let ran = AtomicUsize::new(0);
                let expected = leaves(seed, depth);
                let got = pool.with_worker(|w| tree(w, seed, depth, &ran));
                assert_eq!(got, expected, "{workers} workers, seed {seed}");
                assert_eq!(
                    ran.load(Ordering::SeqCst),
                    expected,
                    "{workers} workers, seed {seed}"
                );
            }
            pool.shutdown();
        }
    });
}

/// One spine past the first allocation's 512 fork slots, on one worker,
/// where every promoted fork is taken back: the list grows while promoted
/// forks sit at its bottom. Meant for miri too, which checks the pushes of
/// the fast path (no bounds check there); slow under miri, so its
/// watchdog is generous there (miri's clock counts interpreted steps).
#[test]
fn a_spine_of_joins_past_the_first_fork_list_runs_every_half_once() {
    let bound = Duration::from_secs(if cfg!(miri) { 36_000 } else { 60 });
    let (done, finished) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if finished.recv_timeout(bound) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
            eprintln!("spine: hung");
            std::process::abort();
        }
    });
    let pool = ThreadPoolBuilder::new()
        .num_workers(1)
        .build_handle()
        .unwrap();
    let ran = AtomicUsize::new(0);
    let expected = leaves(1, 560);
    assert_eq!(pool.with_worker(|w| tree(w, 1, 560, &ran)), expected);
    assert_eq!(ran.load(Ordering::SeqCst), expected);
    pool.shutdown();
    drop(done);
}

#[test]
#[cfg_attr(miri, ignore = "pure arithmetic, slow under miri")]
fn the_irregular_trees_are_deeper_than_the_first_fork_list() {
    // One spine of `depth` nested joins: past the 512 slots of the first
    // allocation, so the list grows while promoted forks sit below.
    fn spine(seed: u64, depth: u32) -> u32 {
        match children(seed, depth) {
            None => 0,
            Some(((sa, da), (sb, db))) => 1 + spine(sa, da).max(spine(sb, db)),
        }
    }
    assert!(spine(1, 700) >= 600);
    assert!(spine(1, 560) > 512);
}

/// The same for the body of an outside `with_worker` (and `scope`, which
/// finds its worker the same way): the released owner thread, waiting on
/// its join of the pool's computation, may take the `install` job of
/// another thread's `with_worker` from the injector while worker 1 is busy;
/// the body must then be handed the context running it, and the other
/// thread's call must return.
#[test]
fn an_outside_with_worker_taken_by_a_thread_that_released_itself_still_runs() {
    watchdog("released-install", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(2)
            .use_current_thread()
            .build_handle()
            .unwrap();
        let b_started = AtomicBool::new(false);
        let outside_done = AtomicBool::new(false);
        let outside = Mutex::new(None);
        std::thread::scope(|s| {
            s.spawn(|| {
                while !b_started.load(Ordering::SeqCst) {
                    std::thread::yield_now();
                }
                let got = catch_unwind(AssertUnwindSafe(|| pool.with_worker(|w| w.index())));
                *outside.lock().unwrap() = Some(got.map_err(|payload| {
                    payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default()
                }));
                outside_done.store(true, Ordering::SeqCst);
            });
            pool.with_worker(|w| {
                w.join(
                    |_| {
                        assert!(pool.release_current_thread());
                        while !b_started.load(Ordering::SeqCst) {
                            std::thread::yield_now();
                        }
                    },
                    |_| {
                        b_started.store(true, Ordering::SeqCst);
                        // Busy until the outside call is over (bounded: if
                        // this worker must run it, it does after the wait).
                        let until = Instant::now() + Duration::from_secs(10);
                        while !outside_done.load(Ordering::SeqCst) && Instant::now() < until {
                            std::thread::yield_now();
                        }
                    },
                )
            });
        });
        let outside = outside.lock().unwrap().take().unwrap();
        assert!(
            outside.is_ok(),
            "the outside with_worker failed: {outside:?}"
        );
        pool.shutdown();
    });
}
