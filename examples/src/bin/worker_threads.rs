//! Per-thread set-up on a pool that grows and shrinks: a batch of
//! "compression" jobs, each of which needs a scratch buffer that belongs to
//! its worker thread, on named threads with a bigger stack.
//!
//! - A spawn handler starts each worker thread itself with
//!   `ThreadBuilder::spawn`, which keeps the pool's thread name and stack
//!   size (`packer-0`, `packer-1`, ...).
//! - A start handler gives every worker its scratch buffer before its first
//!   job: the workers started at `build` and the ones `create_workers` adds
//!   while the batch runs. An exit handler counts the workers that left.
//! - The jobs' results come back to a callback on the main thread, which
//!   sums them into a tally the pool holds.
//! - `broadcast` then asks every live worker, on its own thread, how many
//!   jobs it ran and how large its scratch buffer grew; after
//!   `dismiss_workers(2, true)` it reaches exactly the workers left.
//!
//! It prints the total, one line per worker from each broadcast, and how
//! many workers the exit handler saw leave, then checks that every job
//! found its thread's buffer set up.
//!
//! Run it with `cargo run -p examples --bin worker_threads`.

use std::cell::{Cell, RefCell};
use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use threadpool_core::{ThreadPoolBuilder, WorkRequest};

/// Jobs in the batch.
const JOBS: u64 = 400;

thread_local! {
    /// This worker's scratch buffer; `None` until the start handler ran.
    static SCRATCH: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
    /// Jobs this worker ran.
    static RAN: Cell<u64> = const { Cell::new(0) };
}

/// "Compresses" a block made from `seed` in the thread's scratch buffer:
/// returns the number of runs of equal bytes, or `None` if the thread had
/// no buffer (its start handler did not run).
fn compress(seed: u64) -> Option<u64> {
    RAN.with(|ran| ran.set(ran.get() + 1));
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let buffer = scratch.as_mut()?;
        buffer.clear();
        buffer.extend((0..4096_u64).map(|i| ((i / (seed % 7 + 1)) % 251) as u8));
        let runs = 1 + buffer.windows(2).filter(|pair| pair[0] != pair[1]).count();
        Some(runs as u64)
    })
}

fn main() -> Result<(), Box<dyn Error>> {
    let left = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&left);
    let mut pool = ThreadPoolBuilder::new()
        .num_workers(2)
        .thread_name("packer")
        .stack_size(4 << 20)
        .spawn_handler(|thread| thread.spawn().map(drop))
        .start_handler(|_| {
            SCRATCH.with(|scratch| *scratch.borrow_mut() = Some(Vec::with_capacity(4096)));
        })
        .exit_handler(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        // The tally the callbacks fill in: total runs, jobs without a buffer.
        .build_with_state((0_u64, 0_u64))?;

    for seed in 0..JOBS {
        pool.put_request(WorkRequest::new(move || compress(seed)).on_result_with(
            |(total, missing): &mut (u64, u64), _, runs| match runs {
                Some(runs) => *total += runs,
                None => *missing += 1,
            },
        ))?;
        if seed == JOBS / 4 {
            // Two more workers join while the batch runs; the start
            // handler sets them up too.
            pool.create_workers(2)?;
        }
    }
    pool.wait()?;

    let report = |label: &str, pool: &threadpool_core::ThreadPool<'_, (u64, u64)>| {
        let mut lines = pool.broadcast(|_| {
            let name = std::thread::current().name().map(str::to_owned);
            let ran = RAN.with(Cell::get);
            let capacity = SCRATCH.with(|s| s.borrow().as_ref().map(Vec::capacity));
            (name, ran, capacity)
        });
        lines.sort_unstable_by_key(|(index, _)| *index);
        println!("{label}: {} workers", lines.len());
        for (index, (name, ran, capacity)) in &lines {
            let name = name.as_deref().unwrap_or("?");
            match capacity {
                Some(capacity) => println!(
                    "  worker {index}: thread {name}, {ran} jobs, scratch buffer of {capacity} bytes"
                ),
                None => println!("  worker {index}: thread {name}, {ran} jobs, no scratch buffer"),
            }
        }
        lines.len()
    };
    let before = report("after the batch", &pool);
    let dismissed = pool.dismiss_workers(2, true);
    let after = report("after dismissing 2", &pool);
    let (total, missing) = pool.shutdown()?;

    println!("total runs: {total}");
    println!(
        "workers that left: {} ({dismissed} dismissed, {after} at shutdown)",
        left.load(Ordering::SeqCst)
    );
    if missing > 0 {
        return Err(format!("{missing} jobs ran on a thread without its scratch buffer").into());
    }
    if before != 4 || after != 2 || left.load(Ordering::SeqCst) != 4 {
        return Err("the broadcasts or the exit handler saw the wrong workers".into());
    }
    println!("every job found its thread's scratch buffer");
    Ok(())
}
