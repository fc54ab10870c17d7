//! Behaviour of the request/callback pool: one test per promise the API
//! makes. No test asserts a timing; waits are on real signals.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

use threadpool_core::{
    PollError, PutErrorKind, RequestId, SendWorkRequest, ThreadPool, WorkRequest, make_requests,
    make_requests_with,
};

/// Generous bound for "did not hang": a correct pool answers in
/// microseconds; only a lost wake-up or a deadlock reaches it.
const HANG: Duration = Duration::from_secs(120);

/// Keeps the standard panic hook quiet for panics the tests cause on
/// purpose (worker threads named `threadpool-*` or `t-*`).
fn quiet_worker_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let name = thread::current().name().unwrap_or("").to_owned();
            if !(name.starts_with("threadpool-") || name.starts_with("t-")) {
                default(info);
            }
        }));
    });
}

#[test]
fn new_starts_workers_at_once() {
    let pool = ThreadPool::new(3).unwrap();
    assert_eq!(pool.workers(), 3);
    assert_eq!(pool.stats().workers, 3);
}

#[test]
fn builder_sets_names_and_bounds() {
    let names = RefCell::new(HashSet::new());
    let mut pool = ThreadPool::builder()
        .num_workers(2)
        .thread_name("t-named")
        .stack_size(1 << 20)
        .queue_size(4)
        .result_queue_size(4)
        .build()
        .unwrap();
    let barrier = Arc::new(Barrier::new(2));
    for _ in 0..2 {
        let barrier = Arc::clone(&barrier);
        let request = WorkRequest::new(move || {
            barrier.wait(); // both workers busy at once
            thread::current().name().unwrap().to_owned()
        })
        .on_result(|_, name| {
            names.borrow_mut().insert(name);
        });
        pool.put_request(request).unwrap();
    }
    pool.wait().unwrap();
    drop(pool);
    let names = names.into_inner();
    assert_eq!(
        names,
        HashSet::from(["t-named-0".to_owned(), "t-named-1".to_owned()])
    );
}

#[test]
fn a_thread_that_cannot_be_spawned_is_an_error_not_a_panic() {
    let err = ThreadPool::builder()
        .num_workers(2)
        .stack_size(1 << 60)
        .build()
        .unwrap_err();
    assert_eq!(err.created(), 0);
    assert!(err.to_string().contains("could not start a worker thread"));
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn callbacks_receive_id_and_value_on_the_polling_thread() {
    let me = thread::current().id();
    let seen = RefCell::new(Vec::new());
    let mut pool = ThreadPool::new(4).unwrap();
    for n in 0..100_u64 {
        let request = WorkRequest::new(move || (n * 2, thread::current().id()))
            .with_id(n)
            .on_result(|id, (value, worker)| {
                assert_eq!(
                    thread::current().id(),
                    me,
                    "callback ran off the polling thread"
                );
                assert_ne!(worker, me, "job ran on the polling thread");
                seen.borrow_mut().push((id, value));
            });
        pool.put_request(request).unwrap();
    }
    pool.wait().unwrap();
    drop(pool);
    let mut seen = seen.into_inner();
    seen.sort();
    let expected: Vec<_> = (0..100).map(|n| (RequestId::new(n), n * 2)).collect();
    assert_eq!(seen, expected);
}

#[test]
fn callbacks_may_mutate_borrowed_state_without_locks() {
    let mut histogram = [0_u32; 10];
    let mut pool = ThreadPool::new(2).unwrap();
    for request in make_requests(
        |n: u64| n % 10,
        0..1000,
        |_, bucket| {
            histogram[bucket as usize] += 1;
        },
    ) {
        pool.put_request(request).unwrap();
    }
    pool.shutdown().unwrap();
    assert_eq!(histogram, [100; 10]);
}

#[test]
fn exception_callback_gets_the_panic_with_its_message() {
    quiet_worker_panics();
    let got = RefCell::new(Vec::new());
    let mut pool = ThreadPool::new(2).unwrap();
    let request = WorkRequest::new(|| -> u8 { panic!("bad {}", 42) })
        .with_id(9)
        .on_result(|_, _| panic!("no value for a panicked job"))
        .on_exception(|id, panic| {
            got.borrow_mut().push((
                id,
                panic.panic().and_then(|p| p.message()).map(str::to_owned),
            ))
        });
    pool.put_request(request).unwrap();
    pool.wait().unwrap();
    drop(pool);
    assert_eq!(
        got.into_inner(),
        [(RequestId::new(9), Some("bad 42".to_owned()))]
    );
}

#[test]
fn ten_percent_panicking_jobs_give_exactly_that_many_exception_callbacks() {
    quiet_worker_panics();
    let (ok, failed) = (Cell::new(0), Cell::new(0));
    let mut pool = ThreadPool::new(4).unwrap();
    let requests = make_requests_with(
        |n: u32| {
            if n.is_multiple_of(10) {
                panic!("job {n} fails")
            } else {
                n
            }
        },
        0..10_000,
        |_, _| ok.set(ok.get() + 1),
        |_, _| failed.set(failed.get() + 1),
    );
    pool.put_requests(requests).unwrap();
    pool.wait().unwrap();
    assert_eq!((ok.get(), failed.get()), (9_000, 1_000));
    assert_eq!(pool.workers(), 4, "a panicking job took down its worker");
    let stats = pool.stats();
    assert_eq!((stats.completed, stats.panicked), (9_000, 1_000));
}

/// The default exception callback prints the id and message to stderr; the
/// test re-runs itself as a child process to read that stderr.
#[test]
fn default_exception_callback_reports_on_stderr_and_can_be_switched_off() {
    if std::env::var_os("THREADPOOL_CHILD").is_some() {
        // Only the pool's own report should reach stderr.
        std::panic::set_hook(Box::new(|_| {}));
        let mut pool = ThreadPool::new(1).unwrap();
        pool.put_request(WorkRequest::new(|| -> u8 { panic!("reported") }).with_id(77))
            .unwrap();
        pool.put_request(WorkRequest::new(|| -> u8 { panic!("silenced") }).ignore_exception())
            .unwrap();
        pool.wait().unwrap();
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "default_exception_callback_reports_on_stderr_and_can_be_switched_off",
            "--nocapture",
        ])
        .env("THREADPOOL_CHILD", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed: {stderr}");
    let reports: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("threadpool: request"))
        .collect();
    assert_eq!(reports, ["threadpool: request 77 panicked: reported"]);
}

#[test]
fn duplicate_outstanding_id_is_refused_and_handed_back() {
    let value = Cell::new(0);
    let mut pool = ThreadPool::new(0).unwrap();
    pool.put_request(WorkRequest::new(|| 1).with_id(5)).unwrap();
    let err = pool
        .put_request(WorkRequest::new(|| 2).with_id(5))
        .unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::DuplicateId);
    assert_eq!(
        err.to_string(),
        "request 5 not queued: a request with the same id is outstanding"
    );
    let err = pool
        .offer_timeout(WorkRequest::new(|| 2).with_id(5), Duration::MAX)
        .unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::DuplicateId);
    let back = err.into_request();
    assert_eq!(back.id(), RequestId::new(5));
    // Once the first is delivered, the id is free again.
    pool.create_workers(1).unwrap();
    pool.wait().unwrap();
    pool.put_request(back.on_result(|_, v| value.set(v)))
        .unwrap();
    pool.wait().unwrap();
    assert_eq!(
        value.get(),
        2,
        "the handed-back request is the same request"
    );
}

#[test]
fn a_timed_out_put_hands_back_the_same_request() {
    let (release, gate) = mpsc::channel::<()>();
    let got = Cell::new(0);
    let mut pool = ThreadPool::builder()
        .num_workers(1)
        .queue_size(1)
        .build()
        .unwrap();
    let started = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&started);
    pool.put_request(WorkRequest::new(move || {
        flag.store(true, Ordering::SeqCst);
        gate.recv().unwrap();
    }))
    .unwrap();
    while !started.load(Ordering::SeqCst) {
        thread::yield_now();
    }
    pool.put_request(WorkRequest::new(|| 0_u32)).unwrap(); // fills the queue
    let request = WorkRequest::new(|| 4242_u32)
        .with_id(31)
        .on_result(|_, v| got.set(v));
    let err = pool
        .offer_timeout(request, Duration::from_millis(1))
        .unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::Timeout);
    let request = err.into_request();
    assert_eq!(request.id(), RequestId::new(31));
    // Non-blocking put: the same.
    let err = pool.offer(request).unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::Full);
    let request = err.into_request();
    release.send(()).unwrap();
    pool.put_request(request).unwrap();
    pool.wait().unwrap();
    assert_eq!(got.get(), 4242);
}

#[test]
fn wait_with_zero_workers_returns_no_workers_available() {
    let mut pool = ThreadPool::new(0).unwrap();
    assert_eq!(
        pool.wait(),
        Ok(()),
        "nothing outstanding: wait returns at once"
    );
    pool.put_request(WorkRequest::new(|| ())).unwrap();
    assert_eq!(pool.wait(), Err(PollError::NoWorkersAvailable));
    assert_eq!(pool.poll_blocking(), Err(PollError::NoWorkersAvailable));
    assert_eq!(pool.poll(), Ok(0), "a non-blocking poll just finds nothing");
    pool.create_workers(1).unwrap();
    assert_eq!(pool.wait(), Ok(()));
    assert_eq!(pool.poll(), Err(PollError::NoResultsPending));
}

#[test]
fn wait_returns_no_workers_available_when_the_last_worker_is_dismissed_meanwhile() {
    let mut pool = ThreadPool::new(1).unwrap();
    let handle = pool.handle();
    let (release, gate) = mpsc::channel::<()>();
    // The worker is busy while another thread dismisses it; the queued
    // request then has no worker, and `wait` must notice instead of hanging.
    let (started_tx, started) = mpsc::channel();
    pool.put_request(WorkRequest::new(move || {
        started_tx.send(()).unwrap();
        gate.recv().unwrap()
    }))
    .unwrap();
    pool.put_request(WorkRequest::new(|| ())).unwrap();
    started.recv().unwrap();
    let dismisser = thread::spawn(move || {
        handle.dismiss_workers(1, false);
        release.send(()).unwrap();
    });
    // The gate opens only after the dismissal, so the worker leaves after
    // its first job, handing the second back: nobody can run it.
    assert_eq!(pool.wait(), Err(PollError::NoWorkersAvailable));
    dismisser.join().unwrap();
    assert_eq!(
        pool.outstanding(),
        1,
        "the queued request waits for a worker"
    );
    pool.create_workers(1).unwrap();
    pool.wait().unwrap();
}

#[test]
fn poll_reports_no_results_pending_and_runs_only_what_is_ready() {
    let done = Cell::new(false);
    let mut pool = ThreadPool::new(1).unwrap();
    assert_eq!(pool.poll(), Err(PollError::NoResultsPending));
    let (release, gate) = mpsc::channel::<()>();
    pool.put_request(
        WorkRequest::new(move || gate.recv().unwrap()).on_result(|_, ()| done.set(true)),
    )
    .unwrap();
    assert_eq!(pool.poll(), Ok(0));
    assert_eq!(pool.poll_timeout(Duration::ZERO), Err(PollError::Timeout));
    assert!(!done.get());
    release.send(()).unwrap();
    assert_eq!(pool.poll_timeout(HANG), Ok(1));
    assert!(done.get());
    assert_eq!(pool.poll(), Err(PollError::NoResultsPending));
}

#[test]
fn requests_from_other_threads_run_their_send_callbacks_on_the_polling_thread() {
    let me = thread::current().id();
    let (tx, rx) = mpsc::channel();
    let mut pool = ThreadPool::new(2).unwrap();
    let producers: Vec<_> = (0..4)
        .map(|p| {
            let handle = pool.handle();
            let tx = tx.clone();
            thread::spawn(move || {
                for n in 0..250_u64 {
                    let tx = tx.clone();
                    let request = SendWorkRequest::new(move || p * 1000 + n)
                        .on_result(move |_, v| tx.send((v, thread::current().id())).unwrap());
                    handle.put_request(request).unwrap();
                }
            })
        })
        .collect();
    for producer in producers {
        producer.join().unwrap();
    }
    drop(tx);
    pool.wait().unwrap();
    let got: Vec<_> = rx.iter().collect();
    assert_eq!(got.len(), 1000);
    assert!(got.iter().all(|(_, thread)| *thread == me));
    let values: HashSet<_> = got.iter().map(|(v, _)| *v).collect();
    assert_eq!(values.len(), 1000);
}

#[test]
fn a_put_from_a_handle_with_a_duplicate_id_is_refused() {
    let pool = ThreadPool::new(0).unwrap();
    let handle = pool.handle();
    handle
        .put_request(SendWorkRequest::new(|| ()).with_id(1))
        .unwrap();
    let mut pool = pool;
    let err = pool
        .put_request(WorkRequest::new(|| ()).with_id(1))
        .unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::DuplicateId);
    let err = handle
        .offer(SendWorkRequest::new(|| ()).with_id(1))
        .unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::DuplicateId);
    assert_eq!(err.into_request().id(), RequestId::new(1));
}

#[test]
fn one_million_requests_reach_exactly_one_callback_each_while_the_pool_resizes() {
    const N: usize = 1_000_000;
    let mut seen = vec![0_u8; N];
    let mut pool = ThreadPool::new(2).unwrap();
    let handle = pool.handle();
    let stop = Arc::new(AtomicBool::new(false));
    let resizes = Arc::new(AtomicUsize::new(0));
    let resizer = {
        let (stop, resizes) = (Arc::clone(&stop), Arc::clone(&resizes));
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                handle.create_workers(2).unwrap();
                handle.dismiss_workers(2, true);
                resizes.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let requests = make_requests(|n: usize| n, 0..N, |_, n| seen[n] += 1);
    for request in requests {
        pool.put_request(request).unwrap();
    }
    pool.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    resizer.join().unwrap();
    assert_eq!(pool.workers(), 2);
    drop(pool);
    assert!(
        seen.iter().all(|&count| count == 1),
        "a request was lost or delivered twice"
    );
    assert!(resizes.load(Ordering::Relaxed) > 0);
}

#[test]
fn dismissed_workers_finish_their_job_and_queued_requests_wait_for_new_workers() {
    let finished = Cell::new(0);
    let queued = Cell::new(0);
    let mut pool = ThreadPool::new(2).unwrap();
    let (release, gate) = mpsc::channel::<()>();
    let gate = Arc::new(std::sync::Mutex::new(gate));
    let running = Arc::new(AtomicUsize::new(0));
    for _ in 0..2 {
        let (gate, running) = (Arc::clone(&gate), Arc::clone(&running));
        let request = WorkRequest::new(move || {
            running.fetch_add(1, Ordering::SeqCst);
            gate.lock().unwrap().recv().unwrap();
        })
        .on_result(|_, ()| finished.set(finished.get() + 1));
        pool.put_request(request).unwrap();
    }
    while running.load(Ordering::SeqCst) < 2 {
        thread::yield_now();
    }
    for n in 0..50 {
        pool.put_request(
            WorkRequest::new(move || n).on_result(|_, _| queued.set(queued.get() + 1)),
        )
        .unwrap();
    }
    assert_eq!(pool.dismiss_workers(2, false), 2);
    assert_eq!(pool.workers(), 0);
    release.send(()).unwrap();
    release.send(()).unwrap();
    pool.join_all_dismissed_workers();
    // Both running jobs finished; the 50 queued ones wait.
    assert_eq!(pool.wait(), Err(PollError::NoWorkersAvailable));
    assert_eq!(finished.get(), 2);
    assert_eq!(queued.get(), 0);
    assert_eq!(pool.stats().queued, 50);
    pool.create_workers(1).unwrap();
    pool.wait().unwrap();
    assert_eq!(queued.get(), 50);
}

#[test]
fn jobs_queued_on_a_dismissed_workers_deque_are_handed_back() {
    // A job on the only worker forks 100 requests onto its own deque, then
    // dismisses its worker; the requests must run on the next worker.
    let mut pool = ThreadPool::new(1).unwrap();
    let handle = pool.handle();
    let (tx, rx) = mpsc::channel();
    let inner = handle.clone();
    pool.put_request(WorkRequest::new(move || {
        for n in 0..100 {
            let tx = tx.clone();
            inner
                .put_request(
                    SendWorkRequest::new(move || n).on_result(move |_, n| tx.send(n).unwrap()),
                )
                .unwrap();
        }
        inner.dismiss_workers(1, true); // never joins its own thread
    }))
    .unwrap();
    assert_eq!(pool.wait(), Err(PollError::NoWorkersAvailable));
    pool.join_all_dismissed_workers();
    assert_eq!(pool.stats().queued, 100);
    pool.create_workers(2).unwrap();
    pool.wait().unwrap();
    let mut got: Vec<i32> = rx.try_iter().collect();
    got.sort();
    assert_eq!(got, (0..100).collect::<Vec<_>>());
}

#[test]
fn jobs_put_from_a_job_run_on_the_same_worker_when_others_are_busy() {
    let mut pool = ThreadPool::new(2).unwrap();
    let handle = pool.handle();
    let (release, gate) = mpsc::channel::<()>();
    let started = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&started);
    pool.put_request(WorkRequest::new(move || {
        flag.store(true, Ordering::SeqCst);
        gate.recv().unwrap();
    }))
    .unwrap();
    while !started.load(Ordering::SeqCst) {
        thread::yield_now();
    }
    let (tx, rx) = mpsc::channel();
    pool.put_request(WorkRequest::new(move || {
        let me = thread::current().id();
        let tx = tx.clone();
        handle
            .put_request(
                SendWorkRequest::new(move || thread::current().id())
                    .on_result(move |_, ran_on| tx.send(ran_on == me).unwrap()),
            )
            .unwrap();
    }))
    .unwrap();
    // Poll until the nested request's callback has run (it runs here).
    let same = loop {
        if let Ok(same) = rx.try_recv() {
            break same;
        }
        pool.poll_timeout(HANG).unwrap();
    };
    assert!(
        same,
        "the nested request left its worker although the other was busy"
    );
    release.send(()).unwrap();
    pool.wait().unwrap();
}

#[test]
fn counters_track_queued_running_completed_and_panicked() {
    quiet_worker_panics();
    let mut pool = ThreadPool::new(0).unwrap();
    for n in 0..10 {
        pool.put_request(
            WorkRequest::new(move || if n < 3 { panic!("n") } else { n }).ignore_exception(),
        )
        .unwrap();
    }
    let stats = pool.stats();
    assert_eq!(
        (
            stats.workers,
            stats.queued,
            stats.running,
            stats.completed,
            stats.panicked
        ),
        (0, 10, 0, 0, 0)
    );
    pool.create_workers(2).unwrap();
    pool.wait().unwrap();
    let stats = pool.stats();
    assert_eq!(
        (
            stats.workers,
            stats.queued,
            stats.running,
            stats.completed,
            stats.panicked
        ),
        (2, 0, 0, 7, 3)
    );
    // Counters of dismissed workers are kept.
    pool.dismiss_workers(2, true);
    let stats = pool.stats();
    assert_eq!((stats.workers, stats.completed, stats.panicked), (0, 7, 3));
}

#[test]
fn a_blocked_put_keeps_draining_results_so_both_bounds_cannot_deadlock() {
    // Python's module deadlocks here: the caller blocks in put while the
    // workers block on a full result queue.
    let delivered = Cell::new(0);
    let me = thread::current().id();
    let mut pool = ThreadPool::builder()
        .num_workers(2)
        .queue_size(1)
        .result_queue_size(1)
        .build()
        .unwrap();
    for n in 0..10_000_u32 {
        let request = WorkRequest::new(move || n).on_result(|_, _| {
            assert_eq!(thread::current().id(), me);
            delivered.set(delivered.get() + 1);
        });
        pool.put_request(request).unwrap();
    }
    pool.wait().unwrap();
    assert_eq!(delivered.get(), 10_000);
}

#[test]
fn a_put_on_a_full_queue_with_no_workers_returns_instead_of_hanging() {
    let mut pool = ThreadPool::builder()
        .num_workers(0)
        .queue_size(1)
        .build()
        .unwrap();
    pool.put_request(WorkRequest::new(|| ())).unwrap();
    let err = pool
        .offer_timeout(WorkRequest::new(|| ()).with_id(2), Duration::MAX)
        .unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::NoWorkersAvailable);
    assert_eq!(err.into_request().id(), RequestId::new(2));
}

#[test]
fn no_wake_up_is_lost_when_work_arrives_as_workers_fall_asleep() {
    // Each round leaves the workers with nothing to do, so they head for
    // sleep exactly when the next request comes. A lost wake-up hangs here.
    let got = Cell::new(None);
    let mut pool = ThreadPool::new(3).unwrap();
    for round in 0..20_000_u32 {
        pool.put_request(WorkRequest::new(move || round).on_result(|_, v| got.set(Some(v))))
            .unwrap();
        assert_eq!(
            pool.poll_timeout(HANG),
            Ok(1),
            "round {round} got no result"
        );
        assert_eq!(got.get(), Some(round));
    }
}

#[test]
fn dropping_the_pool_never_waits_for_running_jobs() {
    let (release, gate) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel();
    let dropped = Arc::new(AtomicUsize::new(0));
    struct CountDrop(Arc<AtomicUsize>);
    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let mut pool = ThreadPool::new(1).unwrap();
    let handle = pool.handle();
    pool.put_request(WorkRequest::new(move || {
        started_tx.send(()).unwrap();
        gate.recv().unwrap();
    }))
    .unwrap();
    started.recv().unwrap();
    for _ in 0..10 {
        let token = CountDrop(Arc::clone(&dropped));
        pool.put_request(WorkRequest::new(move || drop(token)))
            .unwrap();
    }
    drop(pool); // returns although a job is running
    assert!(handle.is_shut_down());
    let err = handle.put_request(SendWorkRequest::new(|| ())).unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::ShutDown);
    release.send(()).unwrap();
    // The queued requests are dropped unrun, their captures with them, once
    // the last reference to the pool goes: here, the handle.
    drop(handle);
    let mut spins = 0_u64;
    while dropped.load(Ordering::SeqCst) < 10 {
        thread::yield_now();
        spins += 1;
        assert!(spins < 1 << 40);
    }
}

#[test]
fn shutdown_finishes_queued_work_and_joins_the_workers() {
    let done = Cell::new(0);
    let mut pool = ThreadPool::new(2).unwrap();
    let handle = pool.handle();
    pool.dismiss_workers(1, false); // a dismissed, unjoined worker too
    for n in 0..1000 {
        pool.put_request(WorkRequest::new(move || n).on_result(|_, _| done.set(done.get() + 1)))
            .unwrap();
    }
    pool.shutdown().unwrap();
    assert_eq!(done.get(), 1000);
    assert_eq!(handle.workers(), 0, "shutdown joined every worker");
}

#[test]
fn a_callback_panic_propagates_and_the_next_poll_delivers_the_rest() {
    let delivered = Cell::new(0);
    let mut pool = ThreadPool::new(1).unwrap();
    pool.put_request(WorkRequest::new(|| 0).on_result(|_, _| panic!("callback failed")))
        .unwrap();
    for n in 1..=10 {
        pool.put_request(
            WorkRequest::new(move || n).on_result(|_, _| delivered.set(delivered.get() + 1)),
        )
        .unwrap();
    }
    let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pool.wait()));
    assert!(first.is_err(), "the callback's panic reaches the caller");
    pool.wait().unwrap();
    assert_eq!(delivered.get(), 10);
}

#[test]
fn create_and_dismiss_report_counts() {
    let mut pool = ThreadPool::new(1).unwrap();
    pool.create_workers(4).unwrap();
    assert_eq!(pool.workers(), 5);
    assert_eq!(pool.dismiss_workers(3, true), 3);
    assert_eq!(pool.workers(), 2);
    assert_eq!(pool.dismiss_workers(10, false), 2);
    assert_eq!(pool.dismiss_workers(1, false), 0);
    pool.join_all_dismissed_workers();
    assert_eq!(pool.workers(), 0);
}
