//! Liveness of a worker that waits inside a job (`wait_for`: a `scope`, a
//! `join` whose half was stolen) that it ran straight after another: a
//! patient worker (of a pool no wider than the machine, or a quick worker
//! of a wider one, `Pace`) searches right after a job with the full-batch
//! rule, under which the outbox counts as empty until it holds a full
//! batch for every sharer; a worker waiting inside a job must not.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;

use threadpool_core::{Scope, ThreadPool, WorkRequest};

use common::watchdog;

/// Spawns a job that waits for `released` once it runs on a worker other
/// than `owner`; on `owner` it spawns itself again and yields, so that the
/// other worker steals it.
fn spawn_away<'s>(
    s: &Scope<'s>,
    owner: usize,
    handle: &'s threadpool_core::PoolHandle,
    away: &'s AtomicBool,
    released: &'s AtomicBool,
) {
    s.spawn(move |s| {
        if handle.current_thread_index() == Some(owner) {
            spawn_away(s, owner, handle, away, released);
            thread::yield_now();
            return;
        }
        away.store(true, Ordering::SeqCst);
        while !released.load(Ordering::SeqCst) {
            thread::yield_now();
        }
    });
}

/// Two workers on the machine's cores (patient). Request A, put by the
/// polling thread, spawns job B onto its worker W's own deque, so W runs B
/// straight after A. B opens a scope whose one job
/// moves to the other worker X and waits there until request C has run. C
/// is put by the polling thread once X waits: it lies in the outbox, which
/// only W can serve, while W waits for its scope. A worker that searched
/// there with the main loop's full-batch rule would count the outbox (one
/// request, fewer than a full batch for every worker) as empty, re-check,
/// see work, cancel its sleep and search again, for ever (counted idle, it
/// also keeps the put from waking anybody); W must take C.
#[test]
fn a_worker_waiting_in_a_scope_runs_an_outbox_request_its_scope_needs() {
    watchdog("scope-needs-outbox", || {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let workers = cores.max(2);
        for round in 0..20 {
            let mut pool = ThreadPool::new(workers).unwrap();
            let handle = Arc::new(pool.handle());
            let away = Arc::new(AtomicBool::new(false));
            let released = Arc::new(AtomicBool::new(false));
            let owner = Arc::new(AtomicUsize::new(usize::MAX));
            {
                let (handle, away, released, owner) = (
                    Arc::clone(&handle),
                    Arc::clone(&away),
                    Arc::clone(&released),
                    Arc::clone(&owner),
                );
                pool.put_request(WorkRequest::new(move || {
                    let inner = Arc::clone(&handle);
                    handle.spawn(move || {
                        let me = inner.current_thread_index().unwrap();
                        owner.store(me, Ordering::SeqCst);
                        inner.scope(|s| spawn_away(s, me, &inner, &away, &released));
                    });
                    0_u32
                }))
                .unwrap();
            }
            while !away.load(Ordering::SeqCst) {
                thread::yield_now();
            }
            {
                let released = Arc::clone(&released);
                pool.put_request(WorkRequest::new(move || {
                    released.store(true, Ordering::SeqCst);
                    1_u32
                }))
                .unwrap();
            }
            pool.wait().unwrap();
            assert!(released.load(Ordering::SeqCst), "round {round}");
            drop(pool);
        }
    });
}

/// The same in a pool wider than the machine, after a stream of tiny
/// requests has made its workers quick (`Pace`): a quick worker is patient
/// and searches with the full-batch rule after a job. All workers but two
/// wait for C; W's scope job waits for C on X; C, in the outbox, is left
/// to W while it waits for its scope. Whether W is still quick when it runs
/// B depends on the run, so some rounds do not reach the case; a round
/// that hangs fails the test.
#[test]
fn a_quick_worker_of_a_wide_pool_waiting_in_a_scope_runs_an_outbox_request_its_scope_needs() {
    watchdog("wide-scope-needs-outbox", || {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let workers = cores * 8 + 8;
        for round in 0..20 {
            let mut pool = ThreadPool::new(workers).unwrap();
            let handle = Arc::new(pool.handle());
            let away = Arc::new(AtomicBool::new(false));
            let released = Arc::new(AtomicBool::new(false));
            for i in 0..20_000_u32 {
                pool.put_request(WorkRequest::new(move || std::hint::black_box(i)))
                    .unwrap();
            }
            for _ in 0..workers - 2 {
                let released = Arc::clone(&released);
                pool.put_request(WorkRequest::new(move || {
                    while !released.load(Ordering::SeqCst) {
                        thread::yield_now();
                    }
                    0
                }))
                .unwrap();
            }
            {
                let (handle, away, released) = (
                    Arc::clone(&handle),
                    Arc::clone(&away),
                    Arc::clone(&released),
                );
                pool.put_request(WorkRequest::new(move || {
                    let inner = Arc::clone(&handle);
                    handle.spawn(move || {
                        let me = inner.current_thread_index().unwrap();
                        inner.scope(|s| spawn_away(s, me, &inner, &away, &released));
                    });
                    0
                }))
                .unwrap();
            }
            while !away.load(Ordering::SeqCst) {
                thread::yield_now();
            }
            {
                let released = Arc::clone(&released);
                pool.put_request(WorkRequest::new(move || {
                    released.store(true, Ordering::SeqCst);
                    1
                }))
                .unwrap();
            }
            pool.wait().unwrap();
            assert!(released.load(Ordering::SeqCst), "round {round}");
        }
    });
}

/// Pairs of requests that wait on each other (each first one blocks until
/// its partner, put right after it, has run), put straight after a stream
/// of tiny requests that made the workers of a wide pool quick: a quick
/// worker takes a batch of them onto its own deque and blocks in the first;
/// the rest, partners included, are stolen by workers woken for them. As
/// many pairs as half the workers, so that every first one may block at once.
#[test]
fn requests_that_wait_on_each_other_right_after_a_stream_run_in_a_wide_pool() {
    watchdog("pairs-after-stream", || {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let workers = cores * 8 + 8;
        let mut pool = ThreadPool::new(workers).unwrap();
        for round in 0..5 {
            for i in 0..20_000_u32 {
                pool.put_request(WorkRequest::new(move || std::hint::black_box(i)))
                    .unwrap();
            }
            for _ in 0..workers / 2 {
                let (tx, rx) = mpsc::channel::<u32>();
                pool.put_request(WorkRequest::new(move || rx.recv().unwrap()))
                    .unwrap();
                pool.put_request(WorkRequest::new(move || {
                    tx.send(1).unwrap();
                    0
                }))
                .unwrap();
            }
            pool.wait().unwrap();
            let expected = (round + 1) * (20_000 + 2 * (workers / 2) as u64);
            assert_eq!(pool.stats().completed, expected, "round {round}");
        }
    });
}
