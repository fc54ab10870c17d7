//! Submit → callback: tiny requests put from the main thread, their results
//! summed on the main thread, side by side with the `threadpool` crate
//! (`execute` + a channel) and rayon (`spawn` + a channel).
//!
//! `cargo bench -p threadpool-core --bench submit`

use std::cell::Cell;
use std::hint::black_box;
use std::sync::mpsc;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use threadpool_core::{ThreadPool, WorkRequest};

const WORKERS: usize = 2;

fn expected(n: u64) -> u64 {
    n * (n - 1) / 2
}

/// One request per item; the callbacks add to `sum`, which outlives the pool.
fn ours<'a>(pool: &mut ThreadPool<'a>, sum: &'a Cell<u64>, n: u64) -> u64 {
    for i in 0..n {
        let request =
            WorkRequest::new(move || black_box(i)).on_result(|_, v| sum.set(sum.get() + v));
        pool.put_request(request).unwrap();
    }
    pool.wait().unwrap();
    sum.replace(0)
}

/// The same requests through `put_requests`, which wakes workers per batch.
fn ours_batched<'a>(pool: &mut ThreadPool<'a>, sum: &'a Cell<u64>, n: u64) -> u64 {
    pool.put_requests(
        (0..n).map(|i| {
            WorkRequest::new(move || black_box(i)).on_result(|_, v| sum.set(sum.get() + v))
        }),
    )
    .unwrap();
    pool.wait().unwrap();
    sum.replace(0)
}

fn threadpool_crate(pool: &threadpool::ThreadPool, n: u64) -> u64 {
    let (tx, rx) = mpsc::channel();
    for i in 0..n {
        let tx = tx.clone();
        pool.execute(move || tx.send(black_box(i)).unwrap());
    }
    drop(tx);
    rx.iter().sum()
}

fn rayon_spawn(pool: &rayon::ThreadPool, n: u64) -> u64 {
    let (tx, rx) = mpsc::channel();
    for i in 0..n {
        let tx = tx.clone();
        pool.spawn(move || tx.send(black_box(i)).unwrap());
    }
    drop(tx);
    rx.iter().sum()
}

fn submit_callback(c: &mut Criterion) {
    let n: u64 = std::env::var("SUBMIT_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut group = c.benchmark_group("submit_callback");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n));

    let sum = Cell::new(0);
    let mut ours_pool = ThreadPool::new(WORKERS).unwrap();
    let tp = threadpool::ThreadPool::new(WORKERS);
    let rp = rayon::ThreadPoolBuilder::new()
        .num_threads(WORKERS)
        .build()
        .unwrap();

    group.bench_with_input(BenchmarkId::new("threadpool-core", n), &n, |b, &n| {
        b.iter(|| assert_eq!(ours(&mut ours_pool, &sum, n), expected(n)))
    });
    group.bench_with_input(
        BenchmarkId::new("threadpool-core-batched", n),
        &n,
        |b, &n| b.iter(|| assert_eq!(ours_batched(&mut ours_pool, &sum, n), expected(n))),
    );
    group.bench_with_input(BenchmarkId::new("threadpool-crate", n), &n, |b, &n| {
        b.iter(|| assert_eq!(threadpool_crate(&tp, n), expected(n)))
    });
    group.bench_with_input(BenchmarkId::new("rayon-spawn", n), &n, |b, &n| {
        b.iter(|| assert_eq!(rayon_spawn(&rp, n), expected(n)))
    });
    group.finish();
}

criterion_group!(benches, submit_callback);
criterion_main!(benches);
