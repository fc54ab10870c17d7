//! Liveness: the calls that once hung, each named for the hang it guards
//! against. Every body runs under a watchdog ([`within`]): a hang fails the
//! test (after `HANG`) instead of stalling the run. No test asserts a
//! timing; waits are on real signals (counters, channels, joins).

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use threadpool_core::{
    PoolHandle, PutErrorKind, SendWorkRequest, ThreadPool, ThreadPoolBuilder, WorkRequest,
};

/// Generous bound for "did not hang": a correct pool answers in
/// microseconds; only a deadlock or a lost wake-up reaches it.
const HANG: Duration = Duration::from_secs(60);

/// Runs `body` on its own thread and fails the test if it has not
/// finished within [`HANG`]; a panic of the body fails the test too.
fn within(what: &str, body: impl FnOnce() + Send + 'static) {
    let (done_tx, done_rx) = mpsc::channel();
    let runner = thread::Builder::new()
        .name(format!("t-{what}"))
        .spawn(move || {
            body();
            let _ = done_tx.send(());
        })
        .unwrap();
    match done_rx.recv_timeout(HANG) {
        Ok(()) => runner.join().unwrap(),
        // The sender went without a message: the body panicked.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(payload) = runner.join() {
                std::panic::resume_unwind(payload);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: hung for {HANG:?}"),
    }
}

/// Waits (yielding) until `done` holds, or fails after [`HANG`] (the
/// watchdog of the body that calls it would fire first).
fn until(mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < HANG, "a condition never came true");
        thread::yield_now();
    }
}

/// One worker, a result queue bounded at one, and three requests whose
/// results the polling thread does not take yet: the worker has finished
/// at least two, so the result queue is at its bound. Returns the pool and
/// the log its callbacks write.
fn full_result_queue() -> (ThreadPool<'static, Vec<u32>>, PoolHandle) {
    let mut pool = ThreadPoolBuilder::new()
        .num_workers(1)
        .result_queue_size(1)
        .build_with_state(Vec::new())
        .unwrap();
    for n in 1..=3_u32 {
        pool.put_request(
            WorkRequest::new(move || n).on_result_with(|log: &mut Vec<u32>, _, n| log.push(n)),
        )
        .unwrap();
    }
    // Before the fix, the worker waited here to hand in its second result.
    until(|| pool.stats().completed >= 2);
    let handle = pool.handle();
    (pool, handle)
}

/// Every result reaches its callback once, in the order the one worker
/// produced them.
fn all_three_delivered_in_order(mut pool: ThreadPool<'static, Vec<u32>>) {
    if pool.workers() == 0 {
        pool.create_workers(1).unwrap();
    }
    pool.wait().unwrap();
    assert_eq!(pool.state(), &[1, 2, 3]);
}

#[test]
fn install_on_the_polling_thread_while_the_result_queue_is_full() {
    within("install", || {
        let (pool, handle) = full_result_queue();
        assert_eq!(handle.install(|| 6 * 7), 42);
        all_three_delivered_in_order(pool);
    });
}

#[test]
fn join_on_the_polling_thread_while_the_result_queue_is_full() {
    within("join", || {
        let (pool, handle) = full_result_queue();
        assert_eq!(handle.join(|| 1, || 2), (1, 2));
        all_three_delivered_in_order(pool);
    });
}

#[test]
fn scope_on_the_polling_thread_while_the_result_queue_is_full() {
    within("scope", || {
        let (pool, handle) = full_result_queue();
        let spawned = AtomicUsize::new(0);
        handle.scope(|s| {
            for _ in 0..4 {
                s.spawn(|_| {
                    spawned.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(spawned.into_inner(), 4);
        all_three_delivered_in_order(pool);
    });
}

#[test]
fn handle_dismiss_workers_with_join_on_the_polling_thread_while_the_result_queue_is_full() {
    within("dismiss_workers", || {
        let (pool, handle) = full_result_queue();
        assert_eq!(handle.dismiss_workers(1, true), 1);
        assert_eq!(pool.dismissed_workers(), 0, "joined");
        all_three_delivered_in_order(pool);
    });
}

#[test]
fn handle_join_all_dismissed_workers_on_the_polling_thread_while_the_result_queue_is_full() {
    within("join_all_dismissed_workers", || {
        let (pool, handle) = full_result_queue();
        assert_eq!(handle.dismiss_workers(1, false), 1);
        handle.join_all_dismissed_workers();
        assert_eq!(pool.dismissed_workers(), 0);
        all_three_delivered_in_order(pool);
    });
}

/// The crawler pattern: a callback, on the polling thread, puts follow-up
/// requests through a handle into bounded queues. Before the fix, the
/// callback waited for room in the request queue while the only worker
/// waited for room in the result queue, which only the callback's thread
/// empties.
#[test]
fn a_callback_putting_follow_up_work_into_bounded_queues() {
    within("crawler", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .queue_size(1)
            .result_queue_size(1)
            .build()
            .unwrap();
        let handle = pool.handle();
        let seen = Rc::new(RefCell::new(Vec::new()));
        let log = Rc::clone(&seen);
        pool.put_request(WorkRequest::new(|| 0_u32).on_result(move |_, seed| {
            log.borrow_mut().push(seed);
            for n in 1..=5_u32 {
                handle
                    .put_request(SendWorkRequest::new(move || n))
                    .unwrap_or_else(|refused| panic!("follow-up {n}: {}", refused));
            }
        }))
        .unwrap();
        pool.wait().unwrap();
        assert_eq!(pool.outstanding(), 0);
        assert_eq!(pool.stats().completed, 6);
        assert_eq!(*seen.borrow(), [0]);
    });
}

/// The same, with the follow-ups' own callbacks counting their results:
/// each follow-up is delivered exactly once.
#[test]
fn follow_up_work_put_by_callbacks_is_delivered_exactly_once() {
    within("crawler, exactly once", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .queue_size(1)
            .result_queue_size(1)
            .build_with_state(vec![0_u32; 6])
            .unwrap();
        let handle = pool.handle();
        pool.put_request(WorkRequest::new(|| 0_usize).on_result_with(
            move |hits: &mut Vec<u32>, _, seed| {
                hits[seed] += 1;
                for n in 1..=5_usize {
                    handle
                        .put_request(
                            SendWorkRequest::new(move || n)
                                .on_result_with(|hits: &mut Vec<u32>, _, n| hits[n] += 1),
                        )
                        .unwrap_or_else(|refused| panic!("follow-up {n}: {}", refused));
                }
            },
        ))
        .unwrap();
        pool.wait().unwrap();
        assert_eq!(pool.state(), &[1; 6]);
    });
}

/// A job puts through a handle into a full request queue, with one
/// worker. Before the fix the job's worker waited for a slot that only a
/// worker starting a request frees: itself. Now it runs the queued
/// requests meanwhile.
#[test]
fn a_job_putting_into_a_full_request_queue_with_one_worker() {
    within("job put", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .queue_size(1)
            .build_with_state(0_u32)
            .unwrap();
        let handle = pool.handle();
        pool.put_request(
            WorkRequest::new(move || {
                for n in 1..=3_u32 {
                    handle
                        .put_request(
                            SendWorkRequest::new(move || n)
                                .on_result_with(|sum: &mut u32, _, n| *sum += n),
                        )
                        .unwrap_or_else(|refused| panic!("put {n}: {}", refused));
                }
                100_u32
            })
            .on_result_with(|sum: &mut u32, _, n| *sum += n),
        )
        .unwrap();
        pool.wait().unwrap();
        assert_eq!(*pool.state(), 106);
    });
}

thread_local! {
    /// How many requests of the test below run nested on this thread now.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Jobs that each put two children into a full request queue, to a depth
/// of 10 (2,047 requests), on one worker: the waits for room run queued
/// requests nested on the worker's stack, but only so deep; past that a
/// put goes in over the bound instead, so all finish and the nesting stays
/// shallow.
#[test]
fn jobs_putting_children_into_a_full_queue_finish_with_shallow_nesting() {
    fn node(handle: PoolHandle, depth: u32, max_nesting: Arc<AtomicUsize>) -> usize {
        let nesting = DEPTH.get() + 1;
        DEPTH.set(nesting);
        max_nesting.fetch_max(nesting, Ordering::SeqCst);
        if depth < 10 {
            for _ in 0..2 {
                let (h, m) = (handle.clone(), Arc::clone(&max_nesting));
                handle
                    .put_request(SendWorkRequest::new(move || node(h, depth + 1, m)))
                    .unwrap_or_else(|refused| panic!("{}", refused));
            }
        }
        DEPTH.set(nesting - 1);
        1
    }
    within("tree", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .queue_size(1)
            .result_queue_size(1)
            .build()
            .unwrap();
        let max_nesting = Arc::new(AtomicUsize::new(0));
        let (handle, m) = (pool.handle(), Arc::clone(&max_nesting));
        pool.put_request(WorkRequest::new(move || node(handle, 0, m)))
            .unwrap();
        pool.wait().unwrap();
        assert_eq!(pool.stats().completed, 2047);
        let deepest = max_nesting.load(Ordering::SeqCst);
        // The outermost request plus at most 8 nested waits (the pool's
        // limit), each running one request.
        assert!(deepest <= 9, "requests nested {deepest} deep");
    });
}

/// `put_requests` with an iterator that panics after yielding some
/// requests, while the workers sleep: the requests already pushed must
/// still wake a worker (the batch defers its wake-ups to the end, which an
/// unwind skipped before the fix), or `wait` hangs.
#[test]
fn put_requests_with_a_panicking_iterator_wakes_the_workers() {
    within("panicking iterator", || {
        for attempt in 0..100 {
            let mut pool = ThreadPool::with_state(2, 0_u32).unwrap();
            // Idle until the workers have gone to sleep (their spin is short).
            for _ in 0..1000 {
                thread::yield_now();
            }
            let requests = (0..4_u32).map(|n| {
                if n == 3 {
                    panic!("the iterator fails");
                }
                WorkRequest::new(move || n).on_result_with(|seen: &mut u32, _, _| *seen += 1)
            });
            let put = catch_unwind(AssertUnwindSafe(|| pool.put_requests(requests)));
            assert!(put.is_err(), "attempt {attempt}: the panic came through");
            pool.wait().unwrap();
            assert_eq!(*pool.state(), 3, "attempt {attempt}");
        }
    });
}

/// After `PoolHandle::shutdown`, the pool's own puts are refused and hand
/// the request back; nothing is left outstanding for `wait` to wait on.
#[test]
fn put_request_after_a_handle_shutdown_is_refused() {
    within("put after shutdown", || {
        let mut pool = ThreadPool::new(1).unwrap();
        pool.handle().shutdown();
        let err = pool.put_request(WorkRequest::new(|| ())).unwrap_err();
        assert_eq!(err.kind(), PutErrorKind::ShutDown);
        let refused = pool.offer(WorkRequest::new(|| 5).with_id(9)).unwrap_err();
        assert_eq!(refused.kind(), PutErrorKind::ShutDown);
        assert_eq!(refused.into_request().id().chosen(), Some(9));
        assert_eq!(pool.outstanding(), 0);
        pool.wait().unwrap();
    });
}

/// Puts from a thread outside the pool without blocking until one is
/// refused as `Full`; returns how many went in.
fn try_puts_until_full(handle: &PoolHandle) -> usize {
    thread::scope(|s| {
        s.spawn(|| {
            let mut put = 0;
            loop {
                match handle.try_put_request(SendWorkRequest::new(|| ())) {
                    Ok(_) => put += 1,
                    Err(refused) => {
                        assert_eq!(refused.kind(), PutErrorKind::Full);
                        return put;
                    }
                }
                thread::yield_now();
            }
        })
        .join()
        .unwrap()
    })
}

/// The back-pressure of a bounded result queue falls on producers outside
/// the pool: with the bound's worth of results unpolled, their
/// non-blocking put is refused as `Full` (the request queue is unbounded
/// here), and once the owner polls, it goes in again. The owner's own
/// thread is not held back.
#[test]
fn a_full_result_queue_holds_back_outside_producers_until_the_owner_polls() {
    within("result back-pressure", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .result_queue_size(2)
            .build()
            .unwrap();
        let handle = pool.handle();
        // Refused only once two results wait: at least two went in.
        let put = try_puts_until_full(&handle);
        assert!(put >= 2, "{put} puts before the first refusal");
        // The owner's thread (a callback putting follow-up work) may put.
        assert!(handle.try_put_request(SendWorkRequest::new(|| ())).is_ok());
        pool.wait().unwrap();
        let put_after = try_puts_until_full(&handle);
        assert!(put_after >= 2, "room again after polling");
        pool.wait().unwrap();
        assert_eq!(pool.stats().completed as usize, put + 1 + put_after);
    });
}

/// A producer that puts into bounded queues while the owner does not poll
/// (here: the owner joins it first) would wait for ever; with the timed
/// put it gets its request back instead. The documented remedy.
#[test]
fn an_outside_producer_with_a_timed_put_returns_while_the_owner_does_not_poll() {
    within("timed put", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .queue_size(1)
            .result_queue_size(1)
            .build()
            .unwrap();
        let handle = pool.handle();
        let producer = thread::spawn(move || {
            let mut timed_out = 0;
            for n in 0..4_u32 {
                let request = SendWorkRequest::new(move || n);
                match handle.put_request_timeout(request, Duration::from_millis(20)) {
                    Ok(_) => {}
                    Err(refused) => {
                        assert_eq!(refused.kind(), PutErrorKind::Timeout);
                        timed_out += 1;
                    }
                }
            }
            timed_out
        });
        // The owner joins before polling: the timed puts are what ends it.
        let timed_out = producer.join().unwrap();
        assert!(timed_out >= 1, "at most one result fits the bound");
        pool.wait().unwrap();
        assert_eq!(pool.stats().completed, 4 - timed_out);
    });
}

/// A producer waiting for room in the result queue is released with
/// `ShutDown` when the pool goes, not left waiting.
#[test]
fn dropping_the_pool_releases_a_producer_waiting_for_result_room() {
    within("shutdown releases", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .result_queue_size(1)
            .build()
            .unwrap();
        let handle = pool.handle();
        let (full_tx, full_rx) = mpsc::channel();
        let producer = thread::spawn(move || {
            // At the bound once this is refused; the owner is not polling.
            try_puts_until_full(&handle);
            full_tx.send(()).unwrap();
            handle
                .put_request(SendWorkRequest::new(|| ()))
                .map(drop)
                .map_err(|refused| refused.kind())
        });
        full_rx.recv().unwrap();
        drop(pool);
        assert_eq!(producer.join().unwrap(), Err(PutErrorKind::ShutDown));
    });
}

/// Many outside `install` callers while the pool loses its last worker and
/// gains a new one: each call returns its value or panics saying the pool
/// lost its worker; none waits for ever (the hand-back of other callers'
/// jobs in `take_back` wakes a worker; `tests/loom_take_back.rs`).
#[test]
fn install_callers_racing_the_last_worker_leaving_and_a_new_one_starting() {
    within("install race", || {
        let mut pool = ThreadPool::new(1).unwrap();
        let handle = pool.handle();
        for _ in 0..200 {
            thread::scope(|s| {
                let callers: Vec<_> = (0..2)
                    .map(|i| {
                        let handle = handle.clone();
                        s.spawn(move || catch_unwind(AssertUnwindSafe(|| handle.install(|| i))))
                    })
                    .collect();
                pool.dismiss_workers(1, true);
                pool.create_workers(1).unwrap();
                for (i, caller) in callers.into_iter().enumerate() {
                    match caller.join().unwrap() {
                        Ok(value) => assert_eq!(value, i),
                        Err(payload) => {
                            let message = payload
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                                .unwrap_or_default();
                            assert!(
                                message.contains("no workers")
                                    || message.contains("lost its last worker"),
                                "{message}"
                            );
                        }
                    }
                }
            });
        }
    });
}

/// A callback's put waits for room in a full request queue while the last
/// worker, dismissed, leaves: no worker is left to free a slot, so the put
/// returns `NoWorkersAvailable` with the request, instead of waiting for
/// ever (it waited on a signal only a shutdown fired).
#[test]
fn a_callback_put_waiting_for_room_returns_when_the_last_worker_leaves() {
    within("last worker leaves", || {
        for attempt in 0..20 {
            let mut pool = ThreadPoolBuilder::new()
                .num_workers(1)
                .queue_size(1)
                .build_with_state(Vec::<PutErrorKind>::new())
                .unwrap();
            let handle = pool.handle();
            let (gate_tx, gate_rx) = mpsc::channel::<()>();
            // The seed's result waits unpolled; then the worker blocks in
            // the second request, and the third holds the queue's one slot.
            pool.put_request(WorkRequest::new(|| ()).on_result_with(
                move |kinds: &mut Vec<PutErrorKind>, _, ()| {
                    // Let the worker finish and leave once this put waits
                    // (idling first gives it the time to start waiting).
                    thread::spawn(move || {
                        for _ in 0..1000 {
                            thread::yield_now();
                        }
                        gate_tx.send(()).unwrap();
                    });
                    match handle.put_request(SendWorkRequest::new(|| ())) {
                        Ok(_) => panic!("a slot with no worker to free it"),
                        Err(refused) => kinds.push(refused.kind()),
                    }
                },
            ))
            .unwrap();
            until(|| pool.stats().completed == 1);
            pool.put_request(WorkRequest::new(move || gate_rx.recv().unwrap()))
                .unwrap();
            until(|| pool.stats().running == 1);
            pool.put_request(WorkRequest::new(|| ())).unwrap();
            assert_eq!(pool.dismiss_workers(1, false), 1);
            // Runs the seed's callback; the third request stays queued,
            // with no worker left.
            while pool.state().is_empty() {
                pool.poll().unwrap();
                thread::yield_now();
            }
            assert_eq!(
                pool.state(),
                &[PutErrorKind::NoWorkersAvailable],
                "attempt {attempt}"
            );
            pool.create_workers(1).unwrap();
            pool.wait().unwrap();
        }
    });
}

/// The last worker to leave queues a note for a blocked poller on the
/// result queue. It is no result: a poller with nothing outstanding never
/// takes it off, so it must not count against the result bound, or an
/// outside producer would wait for room that polling cannot make.
#[test]
fn the_last_workers_note_takes_no_room_in_a_bounded_result_queue() {
    within("recheck takes no room", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .result_queue_size(1)
            .build()
            .unwrap();
        let handle = pool.handle();
        // Through the handle: the pool's own dismissal would take the note
        // off while it joins.
        assert_eq!(handle.dismiss_workers(1, true), 1);
        pool.create_workers(1).unwrap();
        assert!(
            pool.poll().is_err(),
            "nothing outstanding: nothing taken off"
        );
        // The owner joins the producer without polling: the put must not
        // wait.
        thread::spawn(move || {
            handle
                .put_request(SendWorkRequest::new(|| 7))
                .unwrap_or_else(|refused| panic!("{refused}"));
        })
        .join()
        .unwrap();
        pool.wait().unwrap();
        assert_eq!(pool.stats().completed, 1);
    });
}

/// A burst of requests that can only finish together (each waits at a
/// barrier for all the others) on a pool far wider than the machine, put
/// while every worker sleeps: every request needs its own worker awake at
/// the same time. Puts start at most as many wake-ups at a time as the
/// machine has cores (the sleep note's cap rule); the rest are started by
/// the workers those wake-ups reach. A wake-up the cap held back and
/// nobody started leaves the barrier short, and the watchdog fires.
#[test]
fn a_burst_that_needs_every_worker_of_a_wide_pool_at_once_runs() {
    within("wide-burst", || {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let workers = cores * 8 + 8;
        let mut pool = ThreadPool::new(workers).unwrap();
        for round in 0..3 {
            // Let every worker go to sleep (a worker that is still awake
            // only makes the test easier).
            thread::sleep(Duration::from_millis(20));
            let barrier = Arc::new(std::sync::Barrier::new(workers));
            for _ in 0..workers {
                let barrier = Arc::clone(&barrier);
                pool.put_request(WorkRequest::new(move || {
                    barrier.wait();
                }))
                .unwrap();
            }
            pool.wait().unwrap();
            assert_eq!(pool.stats().completed, ((round + 1) * workers) as u64);
        }
    });
}

/// A stream of tiny requests makes the workers of a wide pool *quick*: each
/// then takes its share of the outbox among the cores only, up to 32
/// requests at once onto its own deque (`Pace` in `worker/mod.rs`). A
/// burst of requests that must all run at the same time, put straight
/// after the stream, still runs: the workers that wait in the barrier
/// leave the rest of their batches to idle workers, who steal them from
/// their deques (woken for them as for any job that lands on a deque).
/// A batch stranded on a blocked worker's deque leaves the barrier short,
/// and the watchdog fires.
#[test]
fn a_burst_that_needs_every_worker_right_after_a_stream_of_tiny_requests_runs() {
    within("quick-then-burst", || {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let workers = cores * 8 + 8;
        let mut pool = ThreadPool::new(workers).unwrap();
        let mut expected = 0_u64;
        for _ in 0..3 {
            for i in 0..20_000_u64 {
                pool.put_request(WorkRequest::new(move || std::hint::black_box(i)))
                    .unwrap();
            }
            let barrier = Arc::new(std::sync::Barrier::new(workers));
            for _ in 0..workers {
                let barrier = Arc::clone(&barrier);
                pool.put_request(WorkRequest::new(move || {
                    barrier.wait();
                    0
                }))
                .unwrap();
            }
            pool.wait().unwrap();
            expected += 20_000 + workers as u64;
            assert_eq!(pool.stats().completed, expected);
        }
    });
}
