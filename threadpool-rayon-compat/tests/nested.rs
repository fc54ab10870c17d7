//! Nested parallelism on a pool of one worker: `join`, `scope`, parallel
//! iterators and `par_map` called from inside jobs of the same pool, where
//! a thread that blocked instead of helping would deadlock.

use threadpool_rayon_compat::prelude::*;
use threadpool_rayon_compat::{ThreadPool, ThreadPoolBuilder, current_num_threads, join, scope};

fn one_worker() -> ThreadPool {
    ThreadPoolBuilder::new().num_threads(1).build().unwrap()
}

fn fib(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let (a, b) = join(|| fib(n - 1), || fib(n - 2));
    a + b
}

#[test]
fn nested_joins() {
    assert_eq!(one_worker().install(|| fib(18)), 2584);
}

#[test]
fn par_iter_inside_par_iter() {
    let pool = one_worker();
    let rows: Vec<Vec<u64>> = (0..20_u64).map(|r| (0..r).collect()).collect();
    let total: u64 = pool.install(|| {
        rows.par_iter()
            .map(|row| row.par_iter().map(|x| x * 2).sum::<u64>())
            .sum()
    });
    assert_eq!(total, rows.iter().flatten().map(|x| x * 2).sum::<u64>());
}

#[test]
fn join_and_par_iter_inside_scope() {
    let pool = one_worker();
    let v: Vec<u32> = (0..1_000).collect();
    let (mut a, mut b) = (0, 0);
    pool.install(|| {
        scope(|s| {
            s.spawn(|_| a = v.par_iter().filter(|x| *x % 2 == 0).count());
            s.spawn(|_| b = join(|| v.par_iter().sum::<u32>(), || 1).0 as usize);
        });
    });
    assert_eq!((a, b), (500, 499_500));
}

#[test]
fn par_map_inside_par_iter() {
    let pool = one_worker();
    let sums: Vec<u32> = pool.install(|| {
        (0..30_u32)
            .into_par_iter()
            .map(|n| (0..n).par_map(|m| m + 1).max_in_flight(2).sum::<u32>())
            .collect()
    });
    let expected: Vec<u32> = (0..30_u32).map(|n| (1..=n).sum()).collect();
    assert_eq!(sums, expected);
}

#[test]
fn par_iter_inside_par_map() {
    let pool = one_worker();
    let out: Vec<u64> = pool.install(|| {
        (0..30_u64)
            .par_map(|n| (0..n).into_par_iter().map(|m| m * m).sum::<u64>())
            .collect()
    });
    let expected: Vec<u64> = (0..30_u64).map(|n| (0..n).map(|m| m * m).sum()).collect();
    assert_eq!(out, expected);
}

#[test]
fn current_num_threads_follows_install() {
    let one = one_worker();
    let three = ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    assert_eq!(one.install(current_num_threads), 1);
    assert_eq!(three.install(current_num_threads), 3);
    // Also inside jobs that other workers of the pool stole.
    let seen: Vec<usize> = three.install(|| {
        (0..64)
            .into_par_iter()
            .map(|_| current_num_threads())
            .collect()
    });
    assert!(seen.iter().all(|n| *n == 3));
    assert_eq!(one.install(|| three.install(current_num_threads)), 3);
}

#[test]
fn a_panic_in_a_parallel_iterator_reaches_the_caller_and_the_pool_survives() {
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.install(|| {
            (0..1_000_u32)
                .into_par_iter()
                .for_each(|n| assert!(n != 777, "777"));
        });
    }));
    assert!(outcome.is_err());
    assert_eq!(
        pool.install(|| (0..10_u32).into_par_iter().sum::<u32>()),
        45
    );
}

#[test]
fn a_dropped_pool_stops_its_workers_and_leaves_the_global_pool_alone() {
    let pool = one_worker();
    assert_eq!(pool.install(|| 1 + 1), 2);
    drop(pool);
    assert_eq!((0..100_u32).into_par_iter().sum::<u32>(), 4950);
}
