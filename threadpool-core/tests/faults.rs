//! Faults: threads that cannot be spawned, callbacks that panic on the
//! polling thread, panics with payloads that are not strings, results that
//! panic when dropped, and a thousand workers created and dismissed.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind, panic_any};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use threadpool_core::{PollError, ThreadPool, WorkRequest};

/// A stack no system can give a thread.
const ABSURD_STACK: usize = 1 << 60;

#[test]
#[cfg_attr(miri, ignore = "miri does not model stack limits")]
fn builder_reports_a_thread_that_cannot_be_spawned() {
    let err = ThreadPool::builder()
        .num_workers(3)
        .stack_size(ABSURD_STACK)
        .build()
        .unwrap_err();
    assert_eq!(err.created(), 0);
    assert!(std::error::Error::source(&err).is_some());
    assert!(!err.to_string().is_empty());
}

#[test]
#[cfg_attr(miri, ignore = "miri does not model stack limits")]
fn create_workers_reports_a_thread_that_cannot_be_spawned() {
    let ran = Cell::new(false);
    let mut pool = ThreadPool::builder()
        .num_workers(0)
        .stack_size(ABSURD_STACK)
        .build()
        .unwrap();
    let err = pool.create_workers(2).unwrap_err();
    assert_eq!(err.created(), 0);
    assert_eq!(pool.workers(), 0);
    // The pool still answers: the request waits, and nothing hangs.
    pool.put_request(WorkRequest::new(|| ()).on_result(|_, ()| ran.set(true)))
        .unwrap();
    assert_eq!(pool.wait(), Err(PollError::NoWorkersAvailable));
    assert_eq!(pool.handle().create_workers(1).unwrap_err().created(), 0);
    drop(pool);
    assert!(!ran.get());
}

const PARTIAL_SPAWN_CHILD: &str = "partial_spawn_failure_child";

/// Runs [`partial_spawn_failure_child`] in a child process whose address
/// space is limited, so that worker threads with a large stack can be
/// started only a few at a time.
#[test]
#[cfg_attr(miri, ignore = "miri cannot start processes")]
fn create_workers_keeps_the_workers_it_started() {
    let exe = std::env::current_exe().unwrap();
    // 1.5 GiB of address space: room for the test binary and a few
    // 256 MiB stacks, not for sixteen.
    let status = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1572864 && exec \"$0\" \"$@\"")
        .arg(exe)
        .args([
            "--exact",
            PARTIAL_SPAWN_CHILD,
            "--ignored",
            "--test-threads=1",
        ])
        .status()
        .unwrap();
    assert!(status.success(), "child: {status}");
}

/// Only meaningful under the address-space limit its parent test sets.
#[test]
#[ignore = "run by create_workers_keeps_the_workers_it_started"]
fn partial_spawn_failure_child() {
    let done = Cell::new(0);
    let mut pool = ThreadPool::builder()
        .num_workers(0)
        .stack_size(256 << 20)
        .build()
        .unwrap();
    let err = pool.create_workers(16).unwrap_err();
    let started = err.created();
    assert!((1..16).contains(&started), "started {started}");
    assert_eq!(pool.workers(), started);
    for n in 0..100_u64 {
        pool.put_request(WorkRequest::new(move || n).on_result(|_, _| done.set(done.get() + 1)))
            .unwrap();
    }
    pool.wait().unwrap();
    pool.shutdown().unwrap();
    assert_eq!(done.get(), 100);
}

/// Puts `n` requests returning their index; `on_result` counts them in
/// `delivered` and panics for index `bad`.
fn put_counted<'a>(pool: &mut ThreadPool<'a>, n: u64, bad: u64, delivered: &'a Cell<u64>) {
    for i in 0..n {
        let request = WorkRequest::new(move || i).on_result(move |_, value| {
            delivered.set(delivered.get() + 1);
            if value == bad {
                panic!("callback {value} fails");
            }
        });
        pool.put_request(request).unwrap();
    }
}

#[test]
fn callback_panic_reaches_wait_and_the_next_wait_delivers_the_rest() {
    let delivered = Cell::new(0);
    let mut pool = ThreadPool::new(2).unwrap();
    put_counted(&mut pool, 20, 7, &delivered);
    let panic = catch_unwind(AssertUnwindSafe(|| pool.wait())).unwrap_err();
    assert_eq!(panic.downcast_ref::<String>().unwrap(), "callback 7 fails");
    pool.wait().unwrap();
    assert_eq!(delivered.get(), 20);
    assert_eq!(pool.outstanding(), 0);
    assert_eq!(pool.poll(), Err(PollError::NoResultsPending));
}

#[test]
fn callback_panic_reaches_poll_and_the_next_poll_delivers_the_rest() {
    let delivered = Cell::new(0);
    let mut pool = ThreadPool::new(1).unwrap();
    put_counted(&mut pool, 10, 0, &delivered);
    // Most results are likely queued behind the failing callback by now;
    // nothing below depends on it.
    while pool.stats().completed < 10 {
        std::thread::yield_now();
    }
    let mut panics = 0;
    loop {
        match catch_unwind(AssertUnwindSafe(|| pool.poll())) {
            Err(_) => panics += 1,
            Ok(Err(PollError::NoResultsPending)) => break,
            Ok(polled) => {
                polled.unwrap();
            }
        }
    }
    assert_eq!(panics, 1);
    assert_eq!(delivered.get(), 10);
}

#[test]
fn exception_callback_panic_reaches_wait_and_the_rest_are_delivered() {
    let exceptions = Cell::new(0);
    let results = Cell::new(0);
    let mut pool = ThreadPool::new(2).unwrap();
    for i in 0..10_u32 {
        let request = WorkRequest::new(move || -> u32 {
            if i % 2 == 0 {
                panic!("job {i}");
            }
            i
        })
        .on_result(|_, _| results.set(results.get() + 1))
        .on_exception(|_, panic| {
            exceptions.set(exceptions.get() + 1);
            if panic.panic().and_then(|p| p.message()) == Some("job 4") {
                panic!("exception callback fails");
            }
        });
        pool.put_request(request).unwrap();
    }
    assert!(catch_unwind(AssertUnwindSafe(|| pool.wait())).is_err());
    pool.wait().unwrap();
    assert_eq!(exceptions.get(), 5);
    assert_eq!(results.get(), 5);
    assert_eq!(pool.outstanding(), 0);
}

#[derive(Debug, PartialEq)]
struct Code(u32);

#[test]
fn panic_payloads_that_are_not_strings_reach_the_exception_callback() {
    let payloads = std::cell::RefCell::new(Vec::new());
    let mut pool = ThreadPool::new(2).unwrap();
    pool.put_request(
        WorkRequest::new(|| panic_any(Code(404))).on_exception(|_, panic| {
            let panic = panic.panic().expect("a panic");
            assert_eq!(panic.message(), None);
            payloads
                .borrow_mut()
                .push(panic.payload().downcast_ref::<Code>().map(|c| c.0));
        }),
    )
    .unwrap();
    pool.put_request(
        WorkRequest::new(|| panic_any(7_u8)).on_exception(|_, panic| {
            let panic = panic.panic().expect("a panic");
            payloads
                .borrow_mut()
                .push(panic.payload().downcast_ref::<u8>().map(|&c| u32::from(c)));
        }),
    )
    .unwrap();
    // The default exception handler reports a payload without a message.
    pool.put_request(WorkRequest::new(|| panic_any(())))
        .unwrap();
    pool.put_request(WorkRequest::new(|| panic_any(1.5_f64)).ignore_exception())
        .unwrap();
    pool.wait().unwrap();
    assert_eq!(pool.stats().panicked, 4);
    drop(pool);
    let mut payloads = payloads.into_inner();
    payloads.sort();
    assert_eq!(payloads, [Some(7), Some(404)]);
}

static BOMBS_DROPPED: AtomicUsize = AtomicUsize::new(0);

/// A value whose destructor panics.
struct Bomb(u32);

impl Drop for Bomb {
    fn drop(&mut self) {
        BOMBS_DROPPED.fetch_add(1, Ordering::SeqCst);
        panic!("bomb {} went off", self.0);
    }
}

#[test]
fn result_that_panics_when_dropped_reaches_the_poller() {
    let delivered = Cell::new(0);
    let mut pool = ThreadPool::new(2).unwrap();
    // No `on_result`: the pool drops the value on the polling thread.
    pool.put_request(WorkRequest::new(|| Bomb(1))).unwrap();
    // The callback drops it.
    pool.put_request(WorkRequest::new(|| Bomb(2)).on_result(|_, bomb| drop(bomb)))
        .unwrap();
    for n in 0..10 {
        pool.put_request(
            WorkRequest::new(move || n).on_result(|_, _| delivered.set(delivered.get() + 1)),
        )
        .unwrap();
    }
    let mut panics = 0;
    loop {
        match catch_unwind(AssertUnwindSafe(|| pool.wait())) {
            Ok(waited) => break waited.unwrap(),
            Err(_) => panics += 1,
        }
    }
    assert_eq!(panics, 2);
    assert_eq!(BOMBS_DROPPED.load(Ordering::SeqCst), 2);
    assert_eq!(delivered.get(), 10);
    assert_eq!(pool.outstanding(), 0);
}

#[test]
fn thousand_workers_created_and_dismissed() {
    let rounds = if cfg!(miri) { 4 } else { 1000 };
    let sum = Cell::new(0_u64);
    let mut pool = ThreadPool::new(1).unwrap();
    for round in 0..rounds {
        pool.create_workers(1).unwrap();
        pool.put_request(WorkRequest::new(move || round).on_result(|_, n| sum.set(sum.get() + n)))
            .unwrap();
        assert_eq!(pool.dismiss_workers(1, round % 2 == 0), 1);
    }
    pool.join_all_dismissed_workers();
    assert_eq!(pool.workers(), 1);
    pool.create_workers(rounds as usize).unwrap();
    assert_eq!(pool.workers(), rounds as usize + 1);
    assert_eq!(pool.dismiss_workers(rounds as usize, true), rounds as usize);
    assert_eq!(pool.workers(), 1);
    pool.wait().unwrap();
    drop(pool);
    assert_eq!(sum.get(), (0..rounds).sum());
}

/// A worker dismissed with `join` from the polling thread while it waits
/// for room in a full, bounded result queue: only the polling thread makes
/// room, and it is busy joining. A watchdog turns the hang into a failure.
#[test]
fn dismiss_with_join_while_the_result_queue_is_full() {
    let watchdog_done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&watchdog_done);
    std::thread::spawn(move || {
        std::thread::park_timeout(std::time::Duration::from_secs(30));
        if !flag.load(Ordering::SeqCst) {
            eprintln!("dismiss_workers(1, true) hung");
            std::process::abort();
        }
    });
    let mut pool = ThreadPool::builder()
        .num_workers(1)
        .result_queue_size(1)
        .build()
        .unwrap();
    pool.put_request(WorkRequest::new(|| 1)).unwrap();
    pool.put_request(WorkRequest::new(|| 2)).unwrap();
    // Both ran: the first result fills the queue, the worker waits to send
    // the second.
    while pool.stats().completed < 2 {
        std::thread::yield_now();
    }
    assert_eq!(pool.dismiss_workers(1, true), 1);
    watchdog_done.store(true, Ordering::SeqCst);
    pool.create_workers(1).unwrap();
    pool.wait().unwrap();
}

/// `put_requests` into a bounded queue while the workers sleep: the batch
/// pushes its first request and defers the wake-up (it wakes workers once
/// per 64 requests or at the end), then blocks for a slot that only a
/// worker starting that request can free. A watchdog turns the hang into a
/// failure; each attempt lets the worker fall asleep first.
#[test]
fn batch_put_into_a_bounded_queue_wakes_workers_before_blocking() {
    let progress = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&progress);
    std::thread::spawn(move || {
        let mut last = usize::MAX;
        loop {
            std::thread::park_timeout(std::time::Duration::from_secs(10));
            let now = seen.load(Ordering::SeqCst);
            if now == usize::MAX {
                return;
            }
            if now == last {
                eprintln!("put_requests hung at attempt {now}");
                std::process::abort();
            }
            last = now;
        }
    });
    for attempt in 0..if cfg!(miri) { 3 } else { 200 } {
        progress.store(attempt, Ordering::SeqCst);
        let mut pool = ThreadPool::builder()
            .num_workers(1)
            .queue_size(1)
            .build()
            .unwrap();
        // Idle until the worker has gone to sleep (its spin is short).
        for _ in 0..1000 {
            std::thread::yield_now();
        }
        let batch = (0..3).map(|n| WorkRequest::new(move || n));
        assert_eq!(pool.put_requests(batch), Ok(3));
        pool.wait().unwrap();
    }
    progress.store(usize::MAX, Ordering::SeqCst);
}

static HOLDERS_DROPPED: AtomicUsize = AtomicUsize::new(0);

struct Holder(#[allow(dead_code)] threadpool_core::PoolHandle);

impl Drop for Holder {
    fn drop(&mut self) {
        HOLDERS_DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

/// A queued job that holds a `PoolHandle` (to submit more work) keeps the
/// pool's shared state alive, and the shared state holds the job: dropping
/// the pool must still drop the job and its captured values.
#[test]
fn dropping_a_pool_drops_queued_jobs_that_hold_a_handle() {
    let mut pool = ThreadPool::new(0).unwrap();
    let holder = Holder(pool.handle());
    pool.put_request(WorkRequest::new(move || drop(holder)))
        .unwrap();
    drop(pool);
    // No worker exists, so nothing runs concurrently: the drop is done.
    assert_eq!(HOLDERS_DROPPED.load(Ordering::SeqCst), 1);
}

/// A thread name the operating system cannot take is an error from the
/// builder, not a panic.
#[test]
fn a_thread_name_with_a_nul_byte_is_an_error() {
    let err = ThreadPool::builder()
        .num_workers(1)
        .thread_name("bad\0name")
        .build()
        .unwrap_err();
    assert_eq!(err.created(), 0);
    assert!(err.to_string().contains("NUL"), "{err}");
}
