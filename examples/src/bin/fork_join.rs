//! Fork-join with the worker handed down: a parallel merge sort of 2
//! million numbers and a recursive count over a binary tree, each written
//! twice, with `PoolHandle::join` (the worker looked up at every fork) and
//! with `Worker::join` (the worker passed from call to call, as each half
//! of a `join` is handed the worker that runs it, the one that forked it or
//! a thief). Both give the same results; the times show what a fork costs
//! each way.
//!
//! Run it with `cargo run --release -p examples --bin fork_join`.

use std::time::Instant;

use threadpool_core::{PoolHandle, ThreadPool, Worker};

/// Below this length a slice is sorted on the thread that holds it.
const SEQUENTIAL: usize = 4_096;

/// Sorts `items` with `scratch` (as long) as the merge buffer.
fn merge_sort(worker: Worker<'_>, items: &mut [u64], scratch: &mut [u64]) {
    if items.len() <= SEQUENTIAL {
        items.sort_unstable();
        return;
    }
    let middle = items.len() / 2;
    let (left, right) = items.split_at_mut(middle);
    let (left_scratch, right_scratch) = scratch.split_at_mut(middle);
    worker.join(
        |w| merge_sort(w, left, left_scratch),
        |w| merge_sort(w, right, right_scratch),
    );
    merge(items, middle, scratch);
}

/// The same sort, with the pool's own `join`.
fn merge_sort_pool(pool: &PoolHandle, items: &mut [u64], scratch: &mut [u64]) {
    if items.len() <= SEQUENTIAL {
        items.sort_unstable();
        return;
    }
    let middle = items.len() / 2;
    let (left, right) = items.split_at_mut(middle);
    let (left_scratch, right_scratch) = scratch.split_at_mut(middle);
    pool.join(
        || merge_sort_pool(pool, left, left_scratch),
        || merge_sort_pool(pool, right, right_scratch),
    );
    merge(items, middle, scratch);
}

/// Merges the sorted halves `items[..middle]` and `items[middle..]`.
fn merge(items: &mut [u64], middle: usize, scratch: &mut [u64]) {
    scratch.copy_from_slice(items);
    let (left, right) = scratch.split_at(middle);
    let (mut i, mut j) = (0, 0);
    for slot in items.iter_mut() {
        if j == right.len() || (i < left.len() && left[i] <= right[j]) {
            *slot = left[i];
            i += 1;
        } else {
            *slot = right[j];
            j += 1;
        }
    }
}

/// The nodes of a perfect binary tree of `depth` levels, counted with a
/// `join` at every node: the fork is nearly all the work.
fn count_nodes(worker: Worker<'_>, depth: u32) -> u64 {
    if depth == 0 {
        return 0;
    }
    let (a, b) = worker.join(|w| count_nodes(w, depth - 1), |w| count_nodes(w, depth - 1));
    a + b + 1
}

/// The same count, with the pool's own `join`.
fn count_nodes_pool(pool: &PoolHandle, depth: u32) -> u64 {
    if depth == 0 {
        return 0;
    }
    let (a, b) = pool.join(
        || count_nodes_pool(pool, depth - 1),
        || count_nodes_pool(pool, depth - 1),
    );
    a + b + 1
}

/// A reproducible sequence of pseudo-random numbers (xorshift).
fn numbers(count: usize) -> Vec<u64> {
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool = ThreadPool::new(std::thread::available_parallelism()?.get())?;
    let handle = pool.handle();

    let unsorted = numbers(2_000_000);
    let mut expected = unsorted.clone();
    expected.sort_unstable();

    let mut items = unsorted.clone();
    let mut scratch = vec![0; items.len()];
    let started = Instant::now();
    handle.with_worker(|w| merge_sort(w, &mut items, &mut scratch));
    let with_worker = started.elapsed();
    assert_eq!(items, expected);

    let mut items = unsorted;
    let started = Instant::now();
    handle.install(|| merge_sort_pool(&handle, &mut items, &mut scratch));
    let with_pool = started.elapsed();
    assert_eq!(items, expected);
    println!(
        "merge sort of {} numbers: sorted; Worker::join {:.1} ms, PoolHandle::join {:.1} ms",
        expected.len(),
        with_worker.as_secs_f64() * 1e3,
        with_pool.as_secs_f64() * 1e3,
    );

    const DEPTH: u32 = 22;
    let started = Instant::now();
    let nodes = handle.with_worker(|w| count_nodes(w, DEPTH));
    let with_worker = started.elapsed();
    let started = Instant::now();
    let nodes_pool = handle.install(|| count_nodes_pool(&handle, DEPTH));
    let with_pool = started.elapsed();
    assert_eq!(nodes, nodes_pool);
    println!(
        "binary tree of depth {DEPTH}: {nodes} nodes; Worker::join {:.2} ns per node, \
         PoolHandle::join {:.2} ns per node",
        with_worker.as_secs_f64() * 1e9 / nodes as f64,
        with_pool.as_secs_f64() * 1e9 / nodes as f64,
    );
    Ok(())
}
