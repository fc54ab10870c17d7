//! The async calls on real executors: tokio's current-thread and
//! multi-thread runtimes (with and without a `LocalSet`) and a plain
//! `block_on` (pollster). The async put waits for room in a bounded queue,
//! the waits run callbacks on the awaiting thread, and nothing hangs.
#![cfg(not(loom))]

use std::future::Future;
use std::pin::pin;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread::ThreadId;

use threadpool_core::{PollError, PutErrorKind, ThreadPool, WorkRequest};

mod common;
use common::watchdog;

/// A gate jobs wait at until it is opened.
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    fn pass(&self) {
        let mut open = self.0.0.lock().unwrap();
        while !*open {
            open = self.0.1.wait(open).unwrap();
        }
    }

    fn open(&self) {
        *self.0.0.lock().unwrap() = true;
        self.0.1.notify_all();
    }
}

/// What the callbacks record: the value sum and the threads they ran on.
#[derive(Default)]
struct Seen {
    sum: u64,
    threads: Vec<ThreadId>,
}

fn request(n: u64) -> WorkRequest<'static, u64> {
    WorkRequest::new(move || n).on_result_with(|seen: &mut Seen, _, n| {
        seen.sum += n;
        seen.threads.push(std::thread::current().id());
    })
}

/// Puts 1..=n with the async put into a pool whose queue holds 2, awaits
/// the rest, and checks the sum and that every callback ran on the thread
/// that awaited.
async fn put_and_wait(pool: &mut ThreadPool<'static, Seen>, n: u64) {
    for k in 1..=n {
        pool.put_request_async(request(k)).await.unwrap();
    }
    pool.wait_async().await.unwrap();
    let me = std::thread::current().id();
    assert_eq!(pool.state().sum, n * (n + 1) / 2);
    assert!(
        pool.state().threads.iter().all(|&t| t == me),
        "callbacks on the awaiting thread"
    );
}

fn bounded_pool() -> ThreadPool<'static, Seen> {
    ThreadPool::builder()
        .num_workers(2)
        .queue_size(2)
        .build_with_state(Seen::default())
        .unwrap()
}

#[test]
fn async_put_and_wait_on_tokio_current_thread() {
    watchdog("async_put_and_wait_on_tokio_current_thread", || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut pool = bounded_pool();
        rt.block_on(put_and_wait(&mut pool, 500));
    });
}

#[test]
fn async_put_and_wait_on_tokio_multi_thread() {
    watchdog("async_put_and_wait_on_tokio_multi_thread", || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        // The pool is not `Send`: `block_on` runs the future on this
        // thread, so it may hold the pool, while other tasks run on the
        // runtime's workers.
        let mut pool = bounded_pool();
        let side = rt.spawn(async { (1..=10_u64).sum::<u64>() });
        rt.block_on(async {
            put_and_wait(&mut pool, 500).await;
            assert_eq!(side.await.unwrap(), 55);
        });
    });
}

#[test]
fn async_put_and_wait_in_a_local_set_on_tokio_multi_thread() {
    watchdog(
        "async_put_and_wait_in_a_local_set_on_tokio_multi_thread",
        || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .build()
                .unwrap();
            let local = tokio::task::LocalSet::new();
            local.block_on(&rt, async {
                // A `!Send` task of its own, beside others on this thread.
                let task = tokio::task::spawn_local(async {
                    let mut pool = bounded_pool();
                    put_and_wait(&mut pool, 300).await;
                    pool.state().sum
                });
                assert_eq!(task.await.unwrap(), 300 * 301 / 2);
            });
        },
    );
}

#[test]
fn async_put_and_wait_on_a_plain_block_on() {
    watchdog("async_put_and_wait_on_a_plain_block_on", || {
        let mut pool = bounded_pool();
        pollster::block_on(put_and_wait(&mut pool, 500));
    });
}

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn the_async_put_waits_while_the_queue_is_full_and_resumes_when_room_is_made() {
    watchdog(
        "the_async_put_waits_while_the_queue_is_full_and_resumes_when_room_is_made",
        || {
            let gate = Gate::default();
            let mut pool = ThreadPool::builder()
                .num_workers(1)
                .queue_size(1)
                .build_with_state(Seen::default())
                .unwrap();
            let (started_tx, started) = mpsc::channel();
            let blocker = gate.clone();
            pool.put_request(WorkRequest::new(move || {
                started_tx.send(()).unwrap();
                blocker.pass();
                0
            }))
            .unwrap();
            started.recv().unwrap();
            pool.put_request(request(1)).unwrap(); // fills the queue
            {
                let mut put = pin!(pool.put_request_async(request(2)));
                assert!(poll_once(put.as_mut()).is_pending(), "the queue is full");
                gate.open();
                // Woken by the worker that frees the slot (or by a result).
                let id = pollster::block_on(put).unwrap();
                assert!(id.chosen().is_none());
            }
            pollster::block_on(pool.wait_async()).unwrap();
            assert_eq!(pool.state().sum, 3);
        },
    );
}

#[test]
fn the_async_put_drains_a_bounded_result_queue_while_it_waits() {
    watchdog(
        "the_async_put_drains_a_bounded_result_queue_while_it_waits",
        || {
            let mut pool = ThreadPool::builder()
                .num_workers(2)
                .queue_size(1)
                .result_queue_size(1)
                .build_with_state(Seen::default())
                .unwrap();
            pollster::block_on(put_and_wait(&mut pool, 1_000));
        },
    );
}

#[test]
fn poll_async_resolves_per_batch_and_reports_the_pools_errors() {
    watchdog(
        "poll_async_resolves_per_batch_and_reports_the_pools_errors",
        || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            let mut pool = ThreadPool::with_state(2, Seen::default()).unwrap();
            rt.block_on(async {
                assert_eq!(pool.poll_async().await, Err(PollError::NoResultsPending));
                for k in 1..=20 {
                    pool.put_request(request(k)).unwrap();
                }
                let mut ran = 0;
                while pool.outstanding() > 0 {
                    ran += pool.poll_async().await.unwrap();
                }
                assert_eq!((ran, pool.state().sum), (20, 210));
                pool.dismiss_workers(2, true);
                pool.put_request(request(1)).unwrap();
                assert_eq!(pool.poll_async().await, Err(PollError::NoWorkersAvailable));
                assert_eq!(pool.wait_async().await, Err(PollError::NoWorkersAvailable));
            });
        },
    );
}

#[test]
fn the_async_put_into_a_full_queue_without_workers_is_refused() {
    let mut pool = ThreadPool::builder()
        .num_workers(0)
        .queue_size(1)
        .build_with_state(Seen::default())
        .unwrap();
    pool.put_request(request(1)).unwrap();
    let err = pollster::block_on(pool.put_request_async(request(2))).unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::NoWorkersAvailable);
}
