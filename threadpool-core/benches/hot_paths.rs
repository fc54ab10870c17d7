//! Criterion micro-benchmarks of the pool's hot paths: putting a request,
//! a worker stealing work, waking an idle worker, polling ready results.
//!
//! `cargo bench -p threadpool-core --bench hot_paths`

use std::cell::Cell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use threadpool_core::{ThreadPool, ThreadPoolBuilder, WorkRequest};

/// Requests per batch in the per-request benchmarks.
const BATCH: u64 = 1_000;

/// `put_request` alone: into a pool with no workers, so nothing competes
/// with the put; the batch is drained (unpolled) between samples.
fn put(c: &mut Criterion) {
    let mut group = c.benchmark_group("put");
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function("put_request", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut pool = ThreadPool::new(0).unwrap();
                let started = Instant::now();
                for i in 0..BATCH {
                    pool.put_request(WorkRequest::new(move || black_box(i)))
                        .unwrap();
                }
                total += started.elapsed();
                drop(pool);
            }
            total
        })
    });
    group.bench_function("put_requests", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut pool = ThreadPool::new(0).unwrap();
                let started = Instant::now();
                pool.put_requests((0..BATCH).map(|i| WorkRequest::new(move || black_box(i))))
                    .unwrap();
                total += started.elapsed();
                drop(pool);
            }
            total
        })
    });
    group.finish();
}

/// Work stealing: one job on a worker forks `BATCH` leaves with `join`, so
/// the other workers get their share only by stealing.
fn steal(c: &mut Criterion) {
    let pool = ThreadPoolBuilder::new()
        .num_workers(2)
        .build_handle()
        .unwrap();
    fn leaves(pool: &threadpool_core::PoolHandle, n: u64) -> u64 {
        if n <= 1 {
            return black_box(n);
        }
        let (a, b) = pool.join(|| leaves(pool, n / 2), || leaves(pool, n - n / 2));
        a + b
    }
    let mut group = c.benchmark_group("steal");
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function("join_tree", |b| {
        b.iter(|| assert_eq!(pool.install(|| leaves(&pool, BATCH)), BATCH))
    });
    group.finish();
    pool.shutdown();
}

/// Waking an idle worker: one request into a pool whose workers sleep,
/// until its callback has run on this thread.
fn wake(c: &mut Criterion) {
    let done = Cell::new(false);
    let mut pool = ThreadPool::new(2).unwrap();
    c.bench_function("wake/idle_worker_round_trip", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                // Let the workers finish spinning and go to sleep.
                std::thread::sleep(Duration::from_millis(1));
                let started = Instant::now();
                pool.put_request(WorkRequest::new(|| ()).on_result(|_, ()| done.set(true)))
                    .unwrap();
                pool.wait().unwrap();
                total += started.elapsed();
                assert!(done.replace(false));
            }
            total
        })
    });
}

/// `poll` with `BATCH` results already waiting: the callback side alone.
fn poll(c: &mut Criterion) {
    let sum = Cell::new(0_u64);
    let mut pool = ThreadPool::new(2).unwrap();
    let mut group = c.benchmark_group("poll");
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function("results_ready", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let before = pool.stats().completed;
                pool.put_requests(
                    (0..BATCH).map(|i| {
                        WorkRequest::new(move || i).on_result(|_, v| sum.set(sum.get() + v))
                    }),
                )
                .unwrap();
                while pool.stats().completed < before + BATCH {
                    std::hint::spin_loop();
                }
                let started = Instant::now();
                let mut ran = 0;
                while ran < BATCH as usize {
                    ran += pool.poll().unwrap();
                }
                total += started.elapsed();
            }
            assert_eq!(sum.replace(0), iters * (BATCH * (BATCH - 1) / 2));
            total
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = put, steal, wake, poll
}
criterion_main!(benches);
