//! Where requests queue: those put through the `ThreadPool` and those put
//! through a handle wait in different queues (the polling thread's outbox
//! and the shared injector), and workers take from both, so that neither
//! holds the other up.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use threadpool_core::{SendWorkRequest, ThreadPool, WorkRequest};

/// Jobs queued through the handle before the owner's request.
const THROUGH_HANDLE: usize = 4_000;

/// A pool of one worker, held busy by its first request until the sender
/// sends; and the count of jobs started, for the jobs to bump.
fn one_held_worker() -> (ThreadPool<'static>, mpsc::Sender<()>, Arc<AtomicUsize>) {
    let mut pool = ThreadPool::new(1).expect("pool starts");
    let (release, gate) = mpsc::channel::<()>();
    pool.put_request(WorkRequest::new(move || gate.recv().expect("released")))
        .expect("put");
    (pool, release, Arc::new(AtomicUsize::new(0)))
}

#[test]
fn the_owners_request_starts_before_a_long_queue_put_through_a_handle_drains() {
    common::watchdog("owner vs handle queue", || {
        // The one worker is busy until everything is queued.
        let (mut pool, release, started) = one_held_worker();
        let handle = pool.handle();
        for _ in 0..THROUGH_HANDLE {
            let started = Arc::clone(&started);
            handle
                .put_request(SendWorkRequest::new(move || {
                    started.fetch_add(1, Ordering::SeqCst);
                }))
                .expect("put through the handle");
        }
        let mut position = None;
        let counter = Arc::clone(&started);
        pool.put_request(
            WorkRequest::new(move || counter.fetch_add(1, Ordering::SeqCst))
                .on_result(|_, at| position = Some(at)),
        )
        .expect("put");
        release.send(()).expect("the worker waits");
        pool.wait().expect("wait");
        drop(pool);
        let position = position.expect("the owner's request ran");
        // The worker takes at most 32 jobs per look at a queue and picks
        // the queue it looks at first by a coin: the owner's request
        // waits for all the others only if some 125 coins in a row fell
        // the same way.
        assert!(
            position < THROUGH_HANDLE,
            "the owner's request started last, after all {THROUGH_HANDLE} put through the handle"
        );
        assert_eq!(started.load(Ordering::SeqCst), THROUGH_HANDLE + 1);
    });
}

#[test]
fn a_handles_request_starts_before_a_long_queue_put_by_the_owner_drains() {
    common::watchdog("handle vs owner queue", || {
        let (mut pool, release, started) = one_held_worker();
        let handle = pool.handle();
        for _ in 0..THROUGH_HANDLE {
            let started = Arc::clone(&started);
            pool.put_request(WorkRequest::new(move || {
                started.fetch_add(1, Ordering::SeqCst);
            }))
            .expect("put");
        }
        let (sender, positions) = mpsc::channel();
        let counter = Arc::clone(&started);
        handle
            .put_request(SendWorkRequest::new(move || {
                sender
                    .send(counter.fetch_add(1, Ordering::SeqCst))
                    .expect("the test waits");
            }))
            .expect("put through the handle");
        release.send(()).expect("the worker waits");
        pool.wait().expect("wait");
        drop(pool);
        let position = positions.recv().expect("the handle's request ran");
        assert!(
            position < THROUGH_HANDLE,
            "the handle's request started last, after all {THROUGH_HANDLE} put by the owner"
        );
    });
}
