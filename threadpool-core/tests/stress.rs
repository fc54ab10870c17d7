//! Stress tests: many threads putting, polling, resizing and dropping at
//! once. Short enough to run under ThreadSanitizer (`cargo xtask tsan`) and
//! miri (`cargo xtask miri`, with smaller counts); each checks that every
//! request got exactly one callback.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use threadpool_core::{PutErrorKind, SendWorkRequest, ThreadPool, WorkRequest};

/// Scales a count down under miri, which runs a thousand times slower.
fn scaled(n: usize) -> usize {
    if cfg!(miri) { n / 50 + 2 } else { n }
}

#[test]
fn producers_on_many_threads_with_a_bounded_queue() {
    let threads = 4;
    let per_thread = scaled(500);
    let mut pool = ThreadPool::builder()
        .num_workers(3)
        .queue_size(8)
        .build()
        .unwrap();
    let handle = pool.handle();
    let delivered = Arc::new(AtomicUsize::new(0));
    let producers: Vec<_> = (0..threads)
        .map(|t| {
            let handle = handle.clone();
            let delivered = Arc::clone(&delivered);
            std::thread::spawn(move || {
                for i in 0..per_thread {
                    let delivered = Arc::clone(&delivered);
                    let request =
                        SendWorkRequest::new(move || t * per_thread + i).on_result(move |_, _| {
                            delivered.fetch_add(1, Ordering::SeqCst);
                        });
                    handle.put_request(request).unwrap();
                }
            })
        })
        .collect();
    // Poll while the producers put, so the bounded queue keeps moving.
    while producers.iter().any(|p| !p.is_finished()) {
        let _ = pool.poll();
        std::thread::yield_now();
    }
    for producer in producers {
        producer.join().unwrap();
    }
    pool.wait().unwrap();
    assert_eq!(delivered.load(Ordering::SeqCst), threads * per_thread);
}

#[test]
fn resizing_while_requests_run() {
    let n = scaled(2000);
    let sum = Cell::new(0_usize);
    let mut pool = ThreadPool::new(2).unwrap();
    let handle = pool.handle();
    let resizer = std::thread::spawn(move || {
        for round in 0..scaled(100) {
            handle.create_workers(2).unwrap();
            handle.dismiss_workers(2, round % 3 == 0);
        }
        handle.join_all_dismissed_workers();
    });
    for i in 0..n {
        pool.put_request(WorkRequest::new(move || i).on_result(|_, v| sum.set(sum.get() + v)))
            .unwrap();
        if i % 64 == 0 {
            let _ = pool.poll();
        }
    }
    resizer.join().unwrap();
    pool.wait().unwrap();
    assert_eq!(sum.get(), n * (n - 1) / 2);
}

#[test]
fn jobs_that_submit_jobs() {
    let depth = 3;
    let fan_out = if cfg!(miri) { 2 } else { 6 };
    let mut pool = ThreadPool::new(3).unwrap();
    let handle = pool.handle();
    let ran = Arc::new(AtomicUsize::new(0));
    fn tree(handle: threadpool_core::PoolHandle, ran: Arc<AtomicUsize>, depth: u32, fan_out: u32) {
        ran.fetch_add(1, Ordering::SeqCst);
        if depth == 0 {
            return;
        }
        for _ in 0..fan_out {
            let (h, r) = (handle.clone(), Arc::clone(&ran));
            handle.spawn(move || tree(h, r, depth - 1, fan_out));
        }
    }
    let (h, r) = (handle.clone(), Arc::clone(&ran));
    let request = WorkRequest::new(move || tree(h, r, depth, fan_out));
    pool.put_request(request).unwrap();
    pool.wait().unwrap();
    let total: usize = (0..=depth).map(|d| (fan_out as usize).pow(d)).sum();
    // Spawned jobs have no callback: their count is the signal.
    while ran.load(Ordering::SeqCst) < total {
        std::thread::yield_now();
    }
    pool.shutdown().unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), total);
}

#[test]
fn panicking_jobs_and_puts_of_every_kind() {
    let n = scaled(1000);
    let results = Cell::new(0);
    let exceptions = Cell::new(0);
    let handed_back = Cell::new(0);
    let mut pool = ThreadPool::builder()
        .num_workers(2)
        .queue_size(4)
        .result_queue_size(4)
        .build()
        .unwrap();
    for i in 0..n {
        let request = WorkRequest::new(move || {
            if i % 7 == 0 {
                panic!("job {i}");
            }
            i
        })
        .on_result(|_, _| results.set(results.get() + 1))
        .on_exception(|_, _| exceptions.set(exceptions.get() + 1));
        let put = match i % 3 {
            0 => pool.offer_timeout(request, std::time::Duration::MAX),
            1 => pool.offer_timeout(request, std::time::Duration::from_micros(50)),
            _ => pool.offer(request),
        };
        if let Err(err) = put {
            assert!(matches!(
                err.kind(),
                PutErrorKind::Full | PutErrorKind::Timeout
            ));
            drop(err.into_request());
            handed_back.set(handed_back.get() + 1);
            let _ = pool.poll();
        }
    }
    pool.wait().unwrap();
    drop(pool);
    assert_eq!(results.get() + exceptions.get() + handed_back.get(), n);
}

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Counts live values captured by jobs.
struct Tracked;

impl Tracked {
    fn new() -> Self {
        LIVE.fetch_add(1, Ordering::SeqCst);
        Tracked
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

#[test]
fn dropping_pools_with_work_in_flight_leaks_nothing() {
    for round in 0..scaled(50) {
        let mut pool = ThreadPool::new(2).unwrap();
        let handle = pool.handle();
        for i in 0..50 {
            let tracked = Tracked::new();
            let back = Tracked::new();
            let request = WorkRequest::new(move || {
                let _keep = &tracked;
                back
            })
            .on_result(|_, _| ());
            pool.put_request(request).unwrap();
            if i % 10 == round % 10 {
                let _ = pool.poll();
            }
        }
        let tracked = Tracked::new();
        handle.spawn(move || drop(tracked));
        drop(pool);
        // Further puts are refused and handed back.
        let err = handle.put_request(SendWorkRequest::new(|| ())).unwrap_err();
        assert_eq!(err.kind(), PutErrorKind::ShutDown);
    }
    // The workers of the dropped pools drop what they still hold as they
    // leave; the count reaching zero is the signal they did.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while LIVE.load(Ordering::SeqCst) != 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} captured values never dropped",
            LIVE.load(Ordering::SeqCst)
        );
        std::thread::yield_now();
    }
}
