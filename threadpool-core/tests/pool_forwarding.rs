//! The fork-join and per-worker calls are reachable on a `ThreadPool`
//! itself (`join`, `install`, `scope`, `in_place_scope`, `broadcast`,
//! `worker_indices`), not only on its `PoolHandle`, and mix with its
//! requests. Each body runs under a watchdog, so a hang fails the test
//! instead of stalling it.

mod common;
use common::watchdog;

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use threadpool_core::{ThreadPool, WorkRequest};

fn fib(n: u32, pool: &threadpool_core::PoolHandle) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let (a, b) = pool.join(|| fib(n - 1, pool), || fib(n - 2, pool));
    a + b
}

#[test]
fn fork_join_calls_on_a_thread_pool_with_state() {
    watchdog("pool_forwarding", || {
        let mut pool = ThreadPool::with_state(3, 0_u64).unwrap();
        let handle = pool.handle();
        assert_eq!(pool.join(|| fib(18, &handle), || 7), (2584, 7));
        assert!(pool.install(|| handle.is_worker_thread()));
        let hits = AtomicUsize::new(0);
        pool.scope(|s| {
            for _ in 0..10 {
                s.spawn(|_| {
                    hits.fetch_add(1, Ordering::Relaxed);
                });
            }
        });
        let log = RefCell::new(Vec::new()); // not `Sync`: the body stays here
        let mut chunks = vec![0_u32; 8];
        pool.in_place_scope(|s| {
            for (i, chunk) in chunks.iter_mut().enumerate() {
                s.spawn(move |_| *chunk = i as u32 * 2);
            }
            log.borrow_mut().push("spawned");
        });
        assert_eq!(chunks, [0, 2, 4, 6, 8, 10, 12, 14]);
        assert_eq!(log.into_inner(), ["spawned"]);
        assert_eq!(hits.into_inner(), 10);
        assert_eq!(pool.worker_indices(), [0, 1, 2]);
        assert_eq!(pool.broadcast(|i| i + 1), [(0, 1), (1, 2), (2, 3)]);
        // Requests and their callbacks alongside.
        pool.put_request(WorkRequest::new(|| 5).on_result_with(|sum: &mut u64, _, n| *sum += n))
            .unwrap();
        pool.wait().unwrap();
        assert_eq!(pool.shutdown().unwrap(), 5);
    });
}
