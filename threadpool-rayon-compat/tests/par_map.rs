//! `par_map`, `par_map_unordered` and `par_map_scope`: order, laziness,
//! bounded memory, panics, cancellation, pools of one worker, pools that
//! cannot run jobs, and borrowing map functions.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use threadpool_core::{PoolHandle, ThreadPool, ThreadPoolBuilder, WorkRequest};
use threadpool_rayon_compat::{ParMap, par_map_scope, par_map_scope_in};

/// Runs `body` on its own thread and fails the test if it has not finished
/// within a minute: a hang fails instead of stalling the run. A panic of
/// `body` fails the test as it is.
fn with_watchdog<T: Send + 'static>(body: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, finished) = crossbeam_channel::bounded(1);
    let runner = std::thread::spawn(move || {
        let value = body();
        let _ = done.send(());
        value
    });
    match finished.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => runner.join().expect("the body finished"),
        Err(crossbeam_channel::RecvTimeoutError::Disconnected) => match runner.join() {
            Err(payload) => std::panic::resume_unwind(payload),
            Ok(_) => unreachable!("the body sends before it returns"),
        },
        Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
            panic!("watchdog: the test body did not finish within 60 s (a hang)")
        }
    }
}

/// The message of a panic payload.
fn message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("<not a string>")
}

fn pool(workers: usize) -> PoolHandle {
    ThreadPoolBuilder::new()
        .num_workers(workers)
        .build_handle()
        .unwrap()
}

/// Counts live values: +1 when made, -1 when dropped; remembers the peak.
#[derive(Default)]
struct Census {
    live: AtomicUsize,
    peak: AtomicUsize,
    /// Signalled after every drop.
    dropped: (Mutex<()>, Condvar),
}

impl Census {
    /// Waits until every counted value has been dropped.
    fn wait_until_none_live(&self) {
        let (lock, signal) = &self.dropped;
        let mut guard = lock.lock().unwrap();
        while self.live.load(Ordering::SeqCst) != 0 {
            guard = signal.wait(guard).unwrap();
        }
    }
}

struct Counted(Arc<Census>);

impl Counted {
    fn new(census: &Arc<Census>) -> Self {
        let live = census.live.fetch_add(1, Ordering::SeqCst) + 1;
        census.peak.fetch_max(live, Ordering::SeqCst);
        Counted(Arc::clone(census))
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
        // Taking the lock orders this drop after a waiter's check.
        let (lock, signal) = &self.0.dropped;
        drop(lock.lock().unwrap());
        signal.notify_all();
    }
}

/// Occupies the only worker of `pool` until the returned sender is dropped
/// or sent to; returns once the worker is occupied.
fn occupy(pool: &PoolHandle) -> crossbeam_channel::Sender<()> {
    let (release, released) = crossbeam_channel::bounded::<()>(0);
    let (started, has_started) = crossbeam_channel::bounded::<()>(0);
    pool.spawn(move || {
        started.send(()).unwrap();
        let _ = released.recv();
    });
    has_started.recv().unwrap();
    release
}

#[test]
fn results_come_in_input_order() {
    let pool = pool(2);
    let out: Vec<u64> = (0..2_000_u64)
        .par_map_in(&pool, |n| n.pow(2) % 1_013)
        .collect();
    let expected: Vec<u64> = (0..2_000_u64).map(|n| n.pow(2) % 1_013).collect();
    assert_eq!(out, expected);
    pool.shutdown();
}

#[test]
fn unordered_yields_every_result_once() {
    let pool = pool(2);
    let mut out: Vec<u32> = (0..1_000_u32)
        .par_map_unordered_in(&pool, |n| n * 3)
        .batch_size(7)
        .collect();
    out.sort_unstable();
    assert_eq!(out, (0..1_000_u32).map(|n| n * 3).collect::<Vec<_>>());
    pool.shutdown();
}

#[test]
fn an_endless_iterator_is_pulled_only_as_far_as_needed() {
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&pulled);
    let source = (0_u64..).inspect(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let first: Vec<u64> = source
        .par_map(|n| n + 1)
        .max_in_flight(4)
        .take(10)
        .collect();
    assert_eq!(first, (1..=10).collect::<Vec<_>>());
    // Ten yielded, and at most a window's worth pulled ahead.
    assert!(pulled.load(Ordering::SeqCst) <= 10 + 4);
}

#[test]
fn nothing_is_pulled_before_the_first_next() {
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&pulled);
    let iter = (0..100).inspect(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let mapped = iter.par_map(|n| n * 2);
    assert_eq!(pulled.load(Ordering::SeqCst), 0);
    drop(mapped);
}

#[test]
fn memory_is_flat_in_the_input_length() {
    let pool = pool(2);
    for ordered in [true, false] {
        let census = Arc::new(Census::default());
        let source_census = Arc::clone(&census);
        let items = (0..50_000).map(move |_| Counted::new(&source_census));
        let map_census = Arc::clone(&census);
        let f = move |item: Counted| {
            let result = Counted::new(&map_census);
            drop(item);
            result
        };
        let iter = if ordered {
            items.par_map_in(&pool, f)
        } else {
            items.par_map_unordered_in(&pool, f)
        };
        let mut seen = 0;
        for result in iter.max_in_flight(8) {
            drop(result);
            seen += 1;
        }
        assert_eq!(seen, 50_000);
        // The window, plus one input and one result for each thread in the
        // middle of `f`, plus the result the consumer holds.
        let bound = 8 + 2 * (2 + 1) + 1;
        let peak = census.peak.load(Ordering::SeqCst);
        assert!(peak <= bound, "peak {peak} live items (bound {bound})");
        assert_eq!(census.live.load(Ordering::SeqCst), 0);
    }
    pool.shutdown();
}

#[test]
fn a_panic_reaches_the_consumer_in_order_and_the_pool_survives() {
    let pool = pool(2);
    let mut iter = (0..100_u32)
        .par_map_in(&pool, |n| {
            assert!(n != 40, "item {n} is cursed");
            n
        })
        .max_in_flight(8);
    let mut yielded = Vec::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        for n in iter.by_ref() {
            yielded.push(n);
        }
    }));
    let payload = outcome.expect_err("the panic of item 40 reaches the consumer");
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(message.contains("item 40 is cursed"), "{message}");
    assert_eq!(yielded, (0..40).collect::<Vec<_>>());
    assert_eq!(iter.next(), None, "the iterator ends after a panic");
    drop(iter);
    // The pool still runs work.
    let again: Vec<u32> = (0..10_u32).par_map_in(&pool, |n| n + 1).collect();
    assert_eq!(again, (1..=10).collect::<Vec<_>>());
    pool.shutdown();
}

#[test]
fn an_unordered_panic_reaches_the_consumer() {
    let pool = pool(2);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        (0..100_u32)
            .par_map_unordered_in(&pool, |n| {
                assert!(n != 13, "unlucky");
                n
            })
            .count()
    }));
    assert!(outcome.is_err());
    pool.shutdown();
}

#[test]
fn items_in_flight_are_dropped_cleanly_after_a_panic() {
    let pool = pool(2);
    let census = Arc::new(Census::default());
    let source_census = Arc::clone(&census);
    let items = (0..1_000_u32).map(move |n| (n, Counted::new(&source_census)));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        items
            .par_map_in(&pool, |(n, counted)| {
                assert!(n != 20, "boom");
                counted
            })
            .max_in_flight(16)
            .for_each(drop);
    }));
    assert!(outcome.is_err());
    // Jobs still running drop their results; those not started dropped
    // their items already. Either way every item goes.
    census.wait_until_none_live();
    assert!(census.peak.load(Ordering::SeqCst) <= 16 + 2 * 3 + 1);
    pool.shutdown();
}

#[test]
fn dropping_the_iterator_cancels_what_has_not_started() {
    let pool = pool(1);
    let release = occupy(&pool);
    let census = Arc::new(Census::default());
    let source_census = Arc::clone(&census);
    let started = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&started);
    let mut iter = (0..1_000_u32)
        .map(move |n| (n, Counted::new(&source_census)))
        .par_map_in(&pool, move |(n, _counted)| {
            counter.fetch_add(1, Ordering::SeqCst);
            n
        })
        .batch_size(1)
        .max_in_flight(100);
    // The only worker is busy: the consumer maps the item it needs itself.
    assert_eq!(iter.next(), Some(0));
    assert_eq!(census.live.load(Ordering::SeqCst), 99);
    drop(iter);
    // The 99 issued items nobody started are dropped with the iterator.
    assert_eq!(census.live.load(Ordering::SeqCst), 0);
    release.send(()).unwrap();
    // The jobs of the cancelled items find their slots empty whenever
    // they run: only the consumer's item was ever mapped.
    assert_eq!(started.load(Ordering::SeqCst), 1);
    pool.shutdown();
}

#[test]
fn a_panic_drops_the_items_not_started_before_it_resumes() {
    let pool = pool(1);
    let release = occupy(&pool);
    let census = Arc::new(Census::default());
    let source_census = Arc::clone(&census);
    let items = (0..1_000_u32).map(move |n| (n, Counted::new(&source_census)));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        items
            .par_map_in(&pool, |(n, _counted)| {
                assert!(n != 5, "boom");
                n
            })
            .max_in_flight(50)
            .for_each(drop);
    }));
    assert!(outcome.is_err());
    assert_eq!(census.live.load(Ordering::SeqCst), 0);
    release.send(()).unwrap();
    pool.shutdown();
}

#[test]
fn nested_par_map_on_one_worker_does_not_deadlock() {
    let pool = pool(1);
    let inner_pool = pool.clone();
    let out: Vec<u32> = (0..20_u32)
        .par_map_in(&pool, move |n| {
            (0..n)
                .par_map_in(&inner_pool, |m| m * 2)
                .max_in_flight(3)
                .sum()
        })
        .max_in_flight(4)
        .collect();
    let expected: Vec<u32> = (0..20_u32).map(|n| (0..n).map(|m| m * 2).sum()).collect();
    assert_eq!(out, expected);
    pool.shutdown();
}

#[test]
fn par_map_inside_install_on_one_worker_does_not_deadlock() {
    let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let sums: Vec<u64> = pool.install(|| {
        (0..50_u64)
            .par_map(|n| n * n)
            .par_map_unordered(|n| n + 1)
            .collect()
    });
    let mut sums = sums;
    sums.sort_unstable();
    assert_eq!(sums, (0..50_u64).map(|n| n * n + 1).collect::<Vec<_>>());
}

#[test]
fn a_stream_larger_than_memory_could_hold_is_mapped_with_a_small_window() {
    // 2 million strings of 1 KiB would be 2 GiB; with a window of 64 only a
    // few are ever alive.
    let census = Arc::new(Census::default());
    let source_census = Arc::clone(&census);
    let lines = (0..2_000_000_u32).map(move |n| (n, Counted::new(&source_census)));
    let total: u64 = lines
        .par_map(|(n, _counted)| u64::from(n % 3))
        .batch_size(32)
        .max_in_flight(64)
        .sum();
    assert_eq!(total, (0..2_000_000_u64).map(|n| n % 3).sum());
    assert!(census.peak.load(Ordering::SeqCst) <= 64 + 32);
}

/// Both modes over a pool whose workers cannot run jobs; `batch_size` makes
/// every batch a job, so only the consumer can map them.
fn map_on_a_pool_that_runs_no_jobs(pool: &PoolHandle) {
    for batch in [None, Some(1), Some(4)] {
        let ordered = (0..100_u32).par_map_in(pool, |n| n * 2);
        let ordered = match batch {
            Some(size) => ordered.batch_size(size),
            None => ordered,
        };
        assert_eq!(
            ordered.collect::<Vec<_>>(),
            (0..100).map(|n| n * 2).collect::<Vec<_>>()
        );
        let unordered = (0..100_u32).par_map_unordered_in(pool, |n| n * 2);
        let unordered = match batch {
            Some(size) => unordered.batch_size(size),
            None => unordered,
        };
        let mut out: Vec<u32> = unordered.collect();
        out.sort_unstable();
        assert_eq!(out, (0..100).map(|n| n * 2).collect::<Vec<_>>());
    }
}

#[test]
fn unordered_finishes_on_a_pool_with_no_workers() {
    with_watchdog(|| {
        let pool = pool(0);
        map_on_a_pool_that_runs_no_jobs(&pool);
        pool.shutdown();
    });
}

#[test]
fn unordered_finishes_on_a_pool_whose_workers_are_all_dismissed() {
    with_watchdog(|| {
        let pool = pool(2);
        assert_eq!(pool.dismiss_workers(2, true), 2);
        assert_eq!(pool.workers(), 0);
        map_on_a_pool_that_runs_no_jobs(&pool);
        pool.shutdown();
    });
}

#[test]
fn unordered_finishes_on_a_pool_that_is_shut_down() {
    with_watchdog(|| {
        let pool = pool(2);
        pool.shutdown();
        map_on_a_pool_that_runs_no_jobs(&pool);
    });
}

/// An item whose `Drop` panics.
struct DropBomb;

impl Drop for DropBomb {
    fn drop(&mut self) {
        panic!("an item's drop panics");
    }
}

#[test]
fn a_panicking_drop_after_f_panicked_in_a_job_resumes_f_s_panic() {
    with_watchdog(|| {
        // Batches [0, 1] and [2, 3]. Whoever maps item 0 waits until item 2
        // has started, so two threads map the two batches; item 2 panics,
        // and item 3, dropped unmapped after it, panics in its `Drop`. The
        // consumer must still get item 2's panic, after items 0 and 1,
        // whichever thread mapped which batch.
        let pool = pool(1);
        let (started_2, wait_for_2) = crossbeam_channel::bounded::<()>(1);
        let items = (0..4_u32).map(|n| (n, if n == 3 { Some(DropBomb) } else { None }));
        let mut iter = items
            .par_map_in(&pool, move |(n, bomb): (u32, Option<DropBomb>)| {
                assert!(bomb.is_none(), "item 3 is never mapped");
                match n {
                    0 => wait_for_2.recv().expect("item 2 starts"),
                    2 => {
                        started_2.send(()).expect("item 0 waits");
                        panic!("f panics at item 2");
                    }
                    _ => {}
                }
                n
            })
            .batch_size(2)
            .max_in_flight(4);
        let mut yielded = Vec::new();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            for n in iter.by_ref() {
                yielded.push(n);
            }
        }));
        let payload = outcome.expect_err("item 2's panic reaches the consumer");
        assert_eq!(message(&*payload), "f panics at item 2");
        assert_eq!(yielded, [0, 1]);
        assert_eq!(iter.next(), None);
        pool.shutdown();
    });
}

#[test]
fn unordered_on_the_owner_thread_while_the_only_worker_waits_on_a_full_result_queue() {
    with_watchdog(|| {
        let mut pool = ThreadPool::builder()
            .num_workers(1)
            .result_queue_size(1)
            .build()
            .unwrap();
        let (returning, has_returned) = crossbeam_channel::unbounded::<()>();
        for _ in 0..3 {
            let returning = returning.clone();
            pool.put_request(WorkRequest::new(move || {
                let _ = returning.send(());
            }))
            .unwrap();
        }
        // The first result fills the queue; once the second request has
        // returned, its worker is stuck sending that result until this
        // thread polls, which it does only after the par_maps.
        has_returned.recv().unwrap();
        has_returned.recv().unwrap();
        let handle = pool.handle();
        let mut out: Vec<u64> = (0..200_u64)
            .par_map_unordered_in(&handle, |n| n + 1)
            .batch_size(3)
            .collect();
        out.sort_unstable();
        assert_eq!(out, (1..=200).collect::<Vec<_>>());
        let ordered: Vec<u64> = (0..200_u64)
            .par_map_in(&handle, |n| n + 1)
            .batch_size(3)
            .collect();
        assert_eq!(ordered, (1..=200).collect::<Vec<_>>());
        pool.wait().unwrap();
        assert_eq!(pool.stats().completed, 3);
    });
}

#[test]
fn default_settings_keep_the_order_for_cheap_and_dear_items() {
    let pool = pool(2);
    // Cheap items: mapped inline in growing batches.
    let out: Vec<u64> = (0..300_000_u64).par_map_in(&pool, |n| n ^ 0x55).collect();
    assert!(out.iter().copied().eq((0..300_000_u64).map(|n| n ^ 0x55)));
    // Dearer items (a few µs of work each): batches go to jobs.
    let work =
        |n: u64| (0..2_000_u64).fold(n, |acc, k| std::hint::black_box(acc.wrapping_mul(31) ^ k));
    let out: Vec<u64> = (0..3_000_u64).par_map_in(&pool, work).collect();
    assert_eq!(out, (0..3_000_u64).map(work).collect::<Vec<_>>());
    pool.shutdown();
}

#[test]
fn default_settings_keep_memory_flat_on_an_endless_iterator() {
    let pool = pool(2);
    let census = Arc::new(Census::default());
    let source_census = Arc::clone(&census);
    // Cheap at first, then dear: the window follows the cost, and stays
    // bounded whichever mode it is in.
    let items = (0_u64..).map(move |n| (n, Counted::new(&source_census)));
    let taken: u64 = items
        .par_map_in(&pool, |(n, counted)| {
            if n > 50_000 {
                let spin = (0..500_u64).fold(n, |acc, k| std::hint::black_box(acc ^ k));
                std::hint::black_box(spin);
            }
            drop(counted);
            n
        })
        .take(100_000)
        .map(|n| n % 2)
        .sum();
    assert_eq!(taken, 50_000);
    // The adaptive window never exceeds its largest batch times the batches
    // per thread (a few tens of thousands of items), far from 100,000.
    let peak = census.peak.load(Ordering::SeqCst);
    assert!(peak <= 40_000, "peak {peak} live items");
    pool.shutdown();
}

#[test]
fn a_scoped_par_map_borrows_its_function_items_and_results() {
    let pool = pool(2);
    let config = String::from(",");
    let lines: Vec<String> = (0..1_000)
        .map(|n| format!("{n},{},{}", n + 1, n + 2))
        .collect();
    let fields: Vec<Vec<&str>> = par_map_scope_in(&pool, |s| {
        s.par_map(&lines, |line| {
            line.split(config.as_str()).collect::<Vec<&str>>()
        })
        .collect()
    });
    assert_eq!(fields.len(), 1_000);
    assert_eq!(fields[7], ["7", "8", "9"]);
    let mut unordered: Vec<usize> = par_map_scope_in(&pool, |s| {
        s.par_map_unordered(&lines, |line| line.len())
            .batch_size(16)
            .collect()
    });
    unordered.sort_unstable();
    let mut expected: Vec<usize> = lines.iter().map(String::len).collect();
    expected.sort_unstable();
    assert_eq!(unordered, expected);
    pool.shutdown();
}

#[test]
fn a_scoped_par_map_resumes_a_panic_in_order_and_the_scope_ends() {
    let pool = pool(2);
    let limit = 30_u32;
    let mut yielded = Vec::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        par_map_scope_in(&pool, |s| {
            for n in s
                .par_map(0..100_u32, |n| {
                    assert!(n < limit, "over the limit");
                    n
                })
                .batch_size(4)
            {
                yielded.push(n);
            }
        });
    }));
    let payload = outcome.expect_err("the panic leaves the scope");
    assert_eq!(message(&*payload), "over the limit");
    assert_eq!(yielded, (0..30).collect::<Vec<_>>());
    pool.shutdown();
}

#[test]
fn a_scoped_par_map_dropped_early_leaves_no_job_behind() {
    let pool = pool(2);
    let census = Arc::new(Census::default());
    let source_census = Arc::clone(&census);
    let started = AtomicUsize::new(0);
    let first: Vec<u32> = par_map_scope_in(&pool, |s| {
        s.par_map(
            (0..10_000_u32).map(move |n| (n, Counted::new(&source_census))),
            |(n, _counted)| {
                started.fetch_add(1, Ordering::SeqCst);
                n
            },
        )
        .batch_size(8)
        .take(20)
        .collect()
    });
    assert_eq!(first, (0..20).collect::<Vec<_>>());
    // The scope has returned: every job is done, every item dropped.
    assert_eq!(census.live.load(Ordering::SeqCst), 0);
    assert!(started.load(Ordering::SeqCst) < 10_000);
    pool.shutdown();
}

#[test]
fn par_map_scope_uses_the_current_pool() {
    // Three threads: not the global pool's size on a machine of 1, 2 or 4
    // cores, so the sizes seen tell which pool ran the work.
    let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let suffix = String::from("!");
    let seen: Vec<(String, usize, usize)> = pool.install(|| {
        par_map_scope(|s| {
            s.par_map(0..4, |n| {
                (
                    format!("{n}{suffix}"),
                    threadpool_rayon_compat::current_num_threads(),
                )
            })
            .map(|(v, in_f)| (v, in_f, threadpool_rayon_compat::current_num_threads()))
            .collect()
        })
    });
    for (n, (text, in_f, in_consumer)) in seen.iter().enumerate() {
        assert_eq!(text, &format!("{n}!"));
        assert_eq!((*in_f, *in_consumer), (3, 3));
    }
}

/// A source that hides its length (`size_hint` is `(0, None)`).
struct Unsized<I>(I);

impl<I: Iterator> Iterator for Unsized<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        self.0.next()
    }
}

#[test]
fn collect_into_a_vec_matches_a_sequential_map_for_every_kind_of_source() {
    with_watchdog(|| {
        let pool = pool(2);
        let f = |n: u64| format!("{}", n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40);
        let expected = |len: u64| (0..len).map(f).collect::<Vec<_>>();
        for len in [0, 1, 2, 4_095, 4_096, 4_097, 100_000] {
            let exact: Vec<String> = (0..len).par_map_in(&pool, f).collect();
            assert_eq!(exact, expected(len), "exact length {len}");
            let hidden: Vec<String> = Unsized(0..len).par_map_in(&pool, f).collect();
            assert_eq!(hidden, expected(len), "hidden length {len}");
            let installed: Vec<String> = pool.install(|| (0..len).par_map(f).collect());
            assert_eq!(installed, expected(len), "installed, length {len}");
            let scoped: Vec<String> = par_map_scope_in(&pool, |s| s.par_map(0..len, f).collect());
            assert_eq!(scoped, expected(len), "scoped, length {len}");
            let mut unordered: Vec<String> = (0..len).par_map_unordered_in(&pool, f).collect();
            let mut sorted = expected(len);
            unordered.sort_unstable();
            sorted.sort_unstable();
            assert_eq!(unordered, sorted, "unordered, length {len}");
        }
        // Dear items go to jobs; their batches are moved into the `Vec`.
        let work = |n: u64| {
            (0..2_000_u64).fold(n, |acc, k| std::hint::black_box(acc.wrapping_mul(31) ^ k))
        };
        let dear: Vec<u64> = Unsized(0..3_000_u64).par_map_in(&pool, work).collect();
        assert_eq!(dear, (0..3_000_u64).map(work).collect::<Vec<_>>());
        // A collect after some `next`s gets the rest.
        let mut iter = (0..10_000_u64).par_map_in(&pool, f);
        let first = iter.next();
        let rest: Vec<String> = iter.collect();
        assert_eq!(first.as_deref(), Some(f(0).as_str()));
        assert_eq!(rest, expected(10_000)[1..]);
        pool.shutdown();
    });
}

#[test]
fn a_panic_while_collecting_into_a_vec_drops_everything_collected() {
    with_watchdog(|| {
        let pool = pool(2);
        for at in [3_u64, 60_000] {
            let census = Arc::new(Census::default());
            let map_census = Arc::clone(&census);
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let v: Vec<Counted> = (0..100_000_u64)
                    .par_map_in(&pool, move |n| {
                        assert!(n != at, "item {n} panics");
                        Counted::new(&map_census)
                    })
                    .collect();
                v.len()
            }));
            let payload = outcome.expect_err("the panic reaches the caller of collect");
            assert_eq!(message(&*payload), format!("item {at} panics"));
            // The results collected, and those of jobs still running, are
            // all dropped.
            census.wait_until_none_live();
            assert!(census.peak.load(Ordering::SeqCst) >= at as usize);
        }
        pool.shutdown();
    });
}

#[test]
fn collect_into_other_collections_stays_lazy() {
    with_watchdog(|| {
        let pool = pool(2);
        // An endless source: a `Result` stops pulling at the first error,
        // which only works if nothing collects the whole source first.
        let first_error: Result<Vec<u64>, u64> = (0_u64..)
            .par_map_in(&pool, |n| if n < 20_000 { Ok(n) } else { Err(n) })
            .collect();
        assert_eq!(first_error, Err(20_000));
        let set: std::collections::BTreeSet<u64> =
            (0..1_000_u64).par_map_in(&pool, |n| n % 10).collect();
        assert_eq!(set, (0..10).collect());
        let text: String = "abc"
            .chars()
            .par_map_in(&pool, |c| c.to_ascii_uppercase())
            .collect();
        assert_eq!(text, "ABC");
        pool.shutdown();
    });
}
