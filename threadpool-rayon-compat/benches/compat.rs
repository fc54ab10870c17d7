//! Side by side with rayon, in one run: 10 million cheap items
//! `map` + `collect`, 100,000 items of about 10 µs each, and fork-join
//! `fib` with `join` down to the leaves; each with its sequential baseline.
//!
//! `cargo bench -p threadpool-rayon-compat -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

const CHEAP_ITEMS: u64 = 10_000_000;
const HEAVY_ITEMS: u64 = 100_000;
/// Rounds of `heavy` that take about 10 µs on the benchmark machine.
const HEAVY_ROUNDS: u32 = 11_000;
const FIB_N: u32 = 25;

fn cheap(n: u64) -> u64 {
    n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (n >> 7)
}

/// About 10 µs of dependent arithmetic that the compiler cannot skip.
fn heavy(seed: u64) -> u64 {
    let mut x = seed;
    for _ in 0..HEAVY_ROUNDS {
        x = black_box(x)
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
    }
    x >> 60
}

fn fib_seq(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    fib_seq(n - 1) + fib_seq(n - 2)
}

fn fib_ours(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let (a, b) = threadpool_rayon_compat::join(|| fib_ours(n - 1), || fib_ours(n - 2));
    a + b
}

/// `fib` on `threadpool-core`'s `PoolHandle::join` directly: the share of
/// the compat layer's `join` (finding the current pool) in `fib_ours`.
fn fib_core(pool: &threadpool_core::PoolHandle, n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let (a, b) = pool.join(|| fib_core(pool, n - 1), || fib_core(pool, n - 2));
    a + b
}

fn fib_rayon(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let (a, b) = rayon::join(|| fib_rayon(n - 1), || fib_rayon(n - 2));
    a + b
}

fn map_collect(c: &mut Criterion) {
    let mut group = c.benchmark_group("map_collect_10m");
    group.bench_function("sequential", |b| {
        b.iter(|| (0..CHEAP_ITEMS).map(cheap).collect::<Vec<u64>>());
    });
    group.bench_function("rayon", |b| {
        use rayon::prelude::*;
        b.iter(|| {
            (0..CHEAP_ITEMS)
                .into_par_iter()
                .map(cheap)
                .collect::<Vec<u64>>()
        });
    });
    group.bench_function("compat", |b| {
        use threadpool_rayon_compat::prelude::*;
        b.iter(|| {
            (0..CHEAP_ITEMS)
                .into_par_iter()
                .map(cheap)
                .collect::<Vec<u64>>()
        });
    });
    group.finish();
}

fn heavy_items(c: &mut Criterion) {
    let mut group = c.benchmark_group("heavy_100k_x_10us");
    group.sample_size(10);
    group.bench_function("sequential", |b| {
        b.iter(|| (0..HEAVY_ITEMS).map(heavy).sum::<u64>());
    });
    group.bench_function("rayon", |b| {
        use rayon::prelude::*;
        b.iter(|| (0..HEAVY_ITEMS).into_par_iter().map(heavy).sum::<u64>());
    });
    group.bench_function("compat", |b| {
        use threadpool_rayon_compat::prelude::*;
        b.iter(|| (0..HEAVY_ITEMS).into_par_iter().map(heavy).sum::<u64>());
    });
    group.finish();
}

fn fib(c: &mut Criterion) {
    let mut group = c.benchmark_group("fib_25_join");
    group.bench_function("sequential", |b| b.iter(|| fib_seq(black_box(FIB_N))));
    group.bench_function("rayon", |b| b.iter(|| fib_rayon(black_box(FIB_N))));
    group.bench_function("compat", |b| b.iter(|| fib_ours(black_box(FIB_N))));
    let pool = threadpool_core::ThreadPoolBuilder::new()
        .build_handle()
        .unwrap();
    group.bench_function("core_join", |b| {
        b.iter(|| pool.install(|| fib_core(&pool, black_box(FIB_N))));
    });
    pool.shutdown();
    group.finish();
}

fn heavy_calibration(c: &mut Criterion) {
    let mut group = c.benchmark_group("heavy_one_item");
    group.measurement_time(Duration::from_secs(1));
    group.bench_function("sequential", |b| b.iter(|| heavy(black_box(7))));
    group.finish();
}

criterion_group!(benches, heavy_calibration, map_collect, heavy_items, fib);
criterion_main!(benches);
