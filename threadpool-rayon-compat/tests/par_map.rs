//! `par_map` and `par_map_unordered`: order, laziness, bounded memory,
//! panics, cancellation, and pools of one worker.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use threadpool_core::{PoolHandle, ThreadPoolBuilder};
use threadpool_rayon_compat::ParMap;

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
