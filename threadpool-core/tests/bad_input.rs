//! Edge values for every public entry point that takes a number or an id:
//! each gives its documented result or a clear error, never a hang or a
//! panic inside the pool.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use threadpool_core::{
    PollError, PutErrorKind, SendWorkRequest, SpawnErrorKind, ThreadPool, ThreadPoolBuilder,
    WorkRequest, make_requests,
};

/// Runs the ignored test `name` of this binary in a child process: for
/// inputs whose failure mode may be an abort, which would take every other
/// test down with it.
fn in_child(name: &str) -> std::process::ExitStatus {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--ignored", "--test-threads=1"])
        .status()
        .unwrap()
}

/// Holds a pool's only worker until dropped (or sent to).
fn gate() -> (mpsc::Sender<()>, impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel::<()>();
    (tx, move || {
        let _ = rx.recv();
    })
}

#[test]
fn zero_workers() {
    let ran = Cell::new(false);
    let mut pool = ThreadPool::new(0).unwrap();
    assert_eq!(pool.workers(), 0);
    assert_eq!(pool.poll(), Err(PollError::NoResultsPending));
    pool.put_request(WorkRequest::new(|| ()).on_result(|_, ()| ran.set(true)))
        .unwrap();
    assert_eq!(pool.poll(), Ok(0));
    assert_eq!(pool.poll_blocking(), Err(PollError::NoWorkersAvailable));
    assert_eq!(
        pool.poll_timeout(Duration::MAX),
        Err(PollError::NoWorkersAvailable)
    );
    assert_eq!(pool.wait(), Err(PollError::NoWorkersAvailable));
    pool.create_workers(1).unwrap();
    pool.wait().unwrap();
    assert!(ran.get());
}

#[test]
fn zero_workers_with_a_full_bounded_queue() {
    let mut pool = ThreadPool::builder()
        .num_workers(0)
        .queue_size(1)
        .build()
        .unwrap();
    pool.put_request(WorkRequest::new(|| ())).unwrap();
    // Full, and no worker to empty it: each put variant returns at once.
    let err = pool
        .offer_timeout(WorkRequest::new(|| ()).with_id(1), Duration::MAX)
        .unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::NoWorkersAvailable);
    assert_eq!(err.into_request().id().chosen(), Some(1));
    let err = pool
        .put_request_timeout(WorkRequest::new(|| ()), Duration::MAX)
        .unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::NoWorkersAvailable);
    let err = pool.try_put_request(WorkRequest::new(|| ())).unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::Full);
    let err = pool
        .handle()
        .put_request(SendWorkRequest::new(|| ()))
        .unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::NoWorkersAvailable);
    // The id of a refused request is free again.
    pool.create_workers(1).unwrap();
    pool.put_request(WorkRequest::new(|| ()).with_id(1))
        .unwrap();
    pool.wait().unwrap();
}

#[test]
fn create_and_dismiss_zero_and_huge_counts() {
    let mut pool = ThreadPool::new(2).unwrap();
    pool.create_workers(0).unwrap();
    assert_eq!(pool.workers(), 2);
    assert_eq!(pool.dismiss_workers(0, true), 0);
    assert_eq!(pool.dismiss_workers(0, false), 0);
    assert_eq!(pool.workers(), 2);
    assert_eq!(pool.dismiss_workers(usize::MAX, true), 2);
    assert_eq!(pool.dismiss_workers(usize::MAX, true), 0);
    assert_eq!(pool.handle().dismiss_workers(usize::MAX, false), 0);
    pool.join_all_dismissed_workers();
    pool.join_all_dismissed_workers();
    assert_eq!(pool.workers(), 0);
}

#[test]
fn huge_worker_counts_are_refused_before_any_thread_starts() {
    let err = ThreadPool::new(usize::MAX).unwrap_err();
    assert_eq!(
        (err.kind(), err.created()),
        (SpawnErrorKind::TooManyWorkers, 0)
    );
    assert!(err.to_string().contains("ThreadPoolBuilder::max_workers"));
    let mut pool = ThreadPool::new(1).unwrap();
    let err = pool.create_workers(usize::MAX).unwrap_err();
    assert_eq!(err.kind(), SpawnErrorKind::TooManyWorkers);
    let err = pool
        .create_workers(ThreadPoolBuilder::DEFAULT_MAX_WORKERS)
        .unwrap_err();
    assert_eq!(err.kind(), SpawnErrorKind::TooManyWorkers);
    assert_eq!(pool.workers(), 1);
}

#[test]
#[cfg_attr(miri, ignore = "miri does not model stack limits")]
fn a_worker_the_system_refuses_is_an_os_error() {
    let err = ThreadPool::builder()
        .num_workers(3)
        .stack_size(usize::MAX)
        .build()
        .unwrap_err();
    assert_eq!((err.kind(), err.created()), (SpawnErrorKind::Os, 0));
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn zero_stack_size_gets_the_minimum_a_worker_needs() {
    let mut pool = ThreadPool::builder()
        .num_workers(1)
        .stack_size(0)
        .build()
        .unwrap();
    let mut got = 0;
    pool.put_request(WorkRequest::new(|| 6 * 7).on_result(|_, n| got = n))
        .unwrap();
    pool.shutdown().unwrap();
    assert_eq!(got, 42);
}

#[test]
fn zero_queue_bounds_mean_unbounded() {
    let mut pool = ThreadPool::builder()
        .num_workers(0)
        .queue_size(0)
        .result_queue_size(0)
        .build()
        .unwrap();
    let n = if cfg!(miri) { 20 } else { 10_000 };
    for _ in 0..n {
        pool.try_put_request(WorkRequest::new(|| ())).unwrap();
    }
    pool.create_workers(2).unwrap();
    pool.wait().unwrap();
    assert_eq!(pool.stats().completed, n);
}

#[test]
fn queue_bounds_of_one() {
    let mut n = 0;
    let mut pool = ThreadPool::builder()
        .num_workers(2)
        .queue_size(1)
        .result_queue_size(1)
        .build()
        .unwrap();
    let count = if cfg!(miri) { 10 } else { 200 };
    for request in make_requests(|x: u32| x, 0..count, |_, _| n += 1) {
        pool.put_request(request).unwrap();
    }
    pool.wait().unwrap();
    drop(pool);
    assert_eq!(n, count);
}

/// Builds pools with huge queue bounds; run by
/// [`huge_queue_bounds_are_refused_or_unbounded`] in a child process.
#[test]
#[ignore = "run in a child process by huge_queue_bounds_are_refused_or_unbounded"]
fn huge_queue_bounds_child() {
    for bound in [usize::MAX, usize::MAX / 2, 1 << 40] {
        let built = catch_unwind(|| {
            let mut pool = ThreadPool::builder()
                .num_workers(1)
                .queue_size(bound)
                .result_queue_size(bound)
                .build()
                .unwrap();
            pool.put_request(WorkRequest::new(|| ())).unwrap();
            pool.wait().unwrap();
        });
        assert!(built.is_ok(), "queue bound {bound} panicked");
    }
}

#[test]
#[cfg_attr(miri, ignore = "miri cannot start processes")]
fn huge_queue_bounds_are_refused_or_unbounded() {
    let status = in_child("huge_queue_bounds_child");
    assert!(status.success(), "child: {status}");
}

#[test]
fn zero_and_huge_put_timeouts() {
    let mut pool = ThreadPool::builder()
        .num_workers(1)
        .queue_size(1)
        .build()
        .unwrap();
    let (open, wait) = gate();
    pool.put_request(WorkRequest::new(wait)).unwrap();
    while pool.stats().running == 0 {
        std::thread::yield_now();
    }
    pool.put_request(WorkRequest::new(|| ())).unwrap(); // fills the queue
    let err = pool
        .offer_timeout(WorkRequest::new(|| ()).with_id(5), Duration::ZERO)
        .unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::Timeout);
    assert_eq!(err.into_request().id().chosen(), Some(5));
    let err = pool
        .handle()
        .put_request_timeout(SendWorkRequest::new(|| ()).with_id(5), Duration::ZERO)
        .unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::Timeout);
    // A timeout too long for `Instant` blocks like `put_request`: it
    // returns once the gate opens and the queue drains.
    let opener = std::thread::spawn(move || open.send(()).unwrap());
    pool.put_request_timeout(WorkRequest::new(|| ()).with_id(5), Duration::MAX)
        .unwrap();
    opener.join().unwrap();
    pool.wait().unwrap();
    assert_eq!(pool.stats().completed, 3);
}

#[test]
fn zero_and_huge_poll_timeouts() {
    let mut pool = ThreadPool::new(1).unwrap();
    assert_eq!(
        pool.poll_timeout(Duration::ZERO),
        Err(PollError::NoResultsPending)
    );
    assert_eq!(
        pool.poll_timeout(Duration::MAX),
        Err(PollError::NoResultsPending)
    );
    let (open, wait) = gate();
    pool.put_request(WorkRequest::new(wait)).unwrap();
    assert_eq!(pool.poll_timeout(Duration::ZERO), Err(PollError::Timeout));
    open.send(()).unwrap();
    assert_eq!(pool.poll_timeout(Duration::MAX), Ok(1));
}

#[test]
fn duplicate_ids_are_refused_while_outstanding() {
    let seen = Cell::new(0);
    let mut pool = ThreadPool::new(0).unwrap();
    for id in [0, 1, u64::MAX] {
        pool.put_request(
            WorkRequest::new(|| ())
                .with_id(id)
                .on_result(|_, ()| seen.set(seen.get() + 1)),
        )
        .unwrap();
        let err = pool
            .offer_timeout(WorkRequest::new(|| ()).with_id(id), Duration::MAX)
            .unwrap_err();
        assert_eq!(err.kind(), PutErrorKind::DuplicateId);
        assert_eq!(err.into_request().id().chosen(), Some(id));
        let err = pool
            .try_put_request(WorkRequest::new(|| ()).with_id(id))
            .unwrap_err();
        assert_eq!(err.kind(), PutErrorKind::DuplicateId);
        let err = pool
            .handle()
            .offer(SendWorkRequest::new(|| ()).with_id(id))
            .unwrap_err();
        assert_eq!(err.kind(), PutErrorKind::DuplicateId);
        assert_eq!(err.into_request().id().chosen(), Some(id));
    }
    // `put_requests` stops at the duplicate and says which.
    let batch = [10, 11, 10].map(|id| WorkRequest::new(|| ()).with_id(id));
    let err = pool.put_requests(batch).unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::DuplicateId);
    assert_eq!(err.id().chosen(), Some(10));
    pool.create_workers(1).unwrap();
    pool.wait().unwrap();
    assert_eq!(seen.get(), 3);
    // Delivered: the ids are free again.
    for id in [0, 1, u64::MAX, 10, 11] {
        pool.put_request(WorkRequest::new(|| ()).with_id(id))
            .unwrap();
    }
    pool.wait().unwrap();
}

#[test]
fn chosen_ids_do_not_collide_with_automatic_ones() {
    let got = std::cell::RefCell::new(Vec::new());
    let mut pool = ThreadPool::new(1).unwrap();
    let auto = pool
        .put_request(WorkRequest::new(|| "auto").on_result(|_, s| got.borrow_mut().push(s)))
        .unwrap();
    assert_eq!(auto.chosen(), None);
    let chosen = pool
        .put_request(
            WorkRequest::new(|| "chosen")
                .with_id(auto.as_u64())
                .on_result(|_, s| got.borrow_mut().push(s)),
        )
        .unwrap();
    assert_ne!(auto, chosen);
    pool.wait().unwrap();
    drop(pool);
    let mut got = got.into_inner();
    got.sort();
    assert_eq!(got, ["auto", "chosen"]);
}

#[test]
fn empty_batches() {
    let mut pool = ThreadPool::new(1).unwrap();
    assert_eq!(
        pool.put_requests(std::iter::empty::<WorkRequest<'_, ()>>()),
        Ok(0)
    );
    for request in make_requests(|x: u32| x, 0..0, |_, _| unreachable!()) {
        pool.put_request(request).unwrap();
    }
    assert_eq!(pool.wait(), Ok(()));
}

/// A callback that panics while `put_request` waits for a slot: the panic
/// reaches the caller, and the id of the request being put is free again.
#[test]
fn callback_panic_during_a_blocking_put_frees_the_id() {
    for attempt in 0..100_u64 {
        let mut pool = ThreadPool::builder()
            .num_workers(1)
            .queue_size(1)
            .build()
            .unwrap();
        let (open_q, wait_q) = gate();
        let (open_p, wait_p) = gate();
        // Q runs and its callback panics; P waits in the queue, holding
        // the slot, until Q is done.
        pool.put_request(WorkRequest::new(wait_q).on_result(|_, ()| panic!("callback")))
            .unwrap();
        while pool.stats().running == 0 {
            std::thread::yield_now();
        }
        pool.put_request(WorkRequest::new(wait_p)).unwrap();
        let opener = std::thread::spawn(move || open_q.send(()).unwrap());
        let put = catch_unwind(AssertUnwindSafe(|| {
            pool.put_request(WorkRequest::new(|| ()).with_id(42))
                .map(|_| ())
        }));
        opener.join().unwrap();
        drop(open_p);
        if put.is_ok() {
            // The put took the slot before Q's result came: try again.
            let _ = catch_unwind(AssertUnwindSafe(|| pool.wait()));
            continue;
        }
        let again = pool.put_request(WorkRequest::new(|| ()).with_id(42));
        assert!(again.is_ok(), "attempt {attempt}: {:?}", again);
        pool.wait().unwrap();
        return;
    }
    panic!("the callback never ran inside the put");
}
