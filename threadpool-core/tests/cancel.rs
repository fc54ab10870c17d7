//! Cancellation: `cancel` and `cancel_all` on queued and running requests,
//! what is reported, what is counted, and a cancel racing a job's start and
//! finish (exactly one outcome each, under a watchdog).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};

use threadpool_core::{
    CancelOutcome, Exception, Progress, RequestId, SendWorkRequest, ThreadPool, WorkRequest,
};

mod common;
use common::watchdog;

/// A gate that jobs wait at until it is opened.
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

/// What the callbacks saw, per request.
#[derive(Debug, PartialEq)]
enum Seen {
    Value(u32),
    Cancelled,
    Other(String),
}

type Log = HashMap<RequestId, Vec<Seen>>;

fn logged(request: WorkRequest<'static, u32>) -> WorkRequest<'static, u32> {
    request
        .on_result_with(|log: &mut Log, id, v| log.entry(id).or_default().push(Seen::Value(v)))
        .on_exception_with(|log: &mut Log, id, exc| {
            let seen = match exc {
                Exception::Cancelled => Seen::Cancelled,
                other => Seen::Other(other.to_string()),
            };
            log.entry(id).or_default().push(seen);
        })
}

#[test]
fn queued_requests_are_taken_out_unrun_and_reported_once() {
    watchdog(
        "queued_requests_are_taken_out_unrun_and_reported_once",
        || {
            let gate = Gate::default();
            let ran = Arc::new(Mutex::new(Vec::new()));
            let mut pool = ThreadPool::with_state(1, Log::new()).unwrap();
            let (started_tx, started) = mpsc::channel();
            let blocker = gate.clone();
            pool.put_request(logged(WorkRequest::new(move || {
                started_tx.send(()).unwrap();
                blocker.pass();
                99
            })))
            .unwrap();
            started.recv().unwrap(); // the only worker is busy: the rest queue
            let ids: Vec<_> = (0..6_u32)
                .map(|n| {
                    let ran = Arc::clone(&ran);
                    pool.put_request(logged(
                        WorkRequest::new(move || {
                            ran.lock().unwrap().push(n);
                            n
                        })
                        .cancellable(),
                    ))
                    .unwrap()
                })
                .collect();
            for &id in ids.iter().step_by(2) {
                assert_eq!(pool.cancel(id), CancelOutcome::Dequeued);
                // Reported at once, on this thread.
                assert_eq!(pool.state()[&id], [Seen::Cancelled]);
                assert_eq!(pool.cancel(id), CancelOutcome::NotFound, "cancelled once");
            }
            assert_eq!(pool.stats().cancelled, 3);
            assert_eq!(pool.stats().queued, 3, "cancelled requests are not queued");
            assert_eq!(pool.outstanding(), 4);
            gate.open();
            pool.wait().unwrap();
            let mut ran = ran.lock().unwrap().clone();
            ran.sort();
            assert_eq!(ran, [1, 3, 5], "a cancelled job never runs");
            for (i, id) in ids.iter().enumerate() {
                let expected = if i % 2 == 0 {
                    Seen::Cancelled
                } else {
                    Seen::Value(i as u32)
                };
                assert_eq!(pool.state()[id], [expected], "request {i}: one outcome");
            }
            let stats = pool.stats();
            assert_eq!((stats.completed, stats.cancelled, stats.queued), (4, 3, 0));
        },
    );
}

#[test]
fn a_running_job_sees_its_token_and_is_reported_cancelled() {
    watchdog(
        "a_running_job_sees_its_token_and_is_reported_cancelled",
        || {
            let mut pool = ThreadPool::with_state(2, Log::new()).unwrap();
            let (started_tx, started) = mpsc::channel();
            let id = pool
                .put_request(logged(WorkRequest::with_cancel(move |token| {
                    started_tx.send(()).unwrap();
                    let mut turns = 0;
                    while !token.is_cancelled() {
                        turns += 1;
                        std::thread::yield_now();
                    }
                    turns
                })))
                .unwrap();
            started.recv().unwrap();
            assert_eq!(pool.cancel(id), CancelOutcome::Signalled);
            assert_eq!(pool.cancel(id), CancelOutcome::NotFound);
            pool.wait().unwrap();
            assert_eq!(pool.state()[&id], [Seen::Cancelled]);
            let stats = pool.stats();
            assert_eq!((stats.cancelled, stats.completed), (1, 1));
        },
    );
}

#[test]
fn a_cancelled_job_that_panics_is_reported_as_cancelled_only() {
    watchdog(
        "a_cancelled_job_that_panics_is_reported_as_cancelled_only",
        || {
            let mut pool = ThreadPool::with_state(1, Log::new()).unwrap();
            let (started_tx, started) = mpsc::channel();
            let id = pool
                .put_request(logged(WorkRequest::with_cancel(move |token| {
                    started_tx.send(()).unwrap();
                    while !token.is_cancelled() {
                        std::thread::yield_now();
                    }
                    panic!("stopped")
                })))
                .unwrap();
            started.recv().unwrap();
            assert_eq!(pool.cancel(id), CancelOutcome::Signalled);
            pool.wait().unwrap();
            assert_eq!(pool.state()[&id], [Seen::Cancelled]);
        },
    );
}

#[test]
fn cancel_finds_nothing_for_plain_unknown_or_delivered_requests() {
    let mut pool = ThreadPool::new(1).unwrap();
    let plain = pool.put_request(WorkRequest::new(|| 1)).unwrap();
    assert_eq!(pool.cancel(plain), CancelOutcome::NotFound);
    assert_eq!(pool.cancel(RequestId::new(12345)), CancelOutcome::NotFound);
    let done = pool
        .put_request(WorkRequest::new(|| 2).cancellable())
        .unwrap();
    pool.wait().unwrap();
    assert_eq!(pool.cancel(done), CancelOutcome::NotFound);
    assert_eq!(pool.stats().cancelled, 0);
}

#[test]
fn cancel_all_reaches_local_and_remote_requests_and_frees_bounded_slots() {
    watchdog(
        "cancel_all_reaches_local_and_remote_requests_and_frees_bounded_slots",
        || {
            let cancelled = Arc::new(AtomicUsize::new(0));
            let mut pool = ThreadPool::builder()
                .num_workers(0)
                .queue_size(4)
                .build()
                .unwrap();
            for n in 0..2_u32 {
                let cancelled = Arc::clone(&cancelled);
                pool.put_request(WorkRequest::new(move || n).cancellable().on_exception(
                    move |_, exc| {
                        assert!(exc.is_cancelled());
                        cancelled.fetch_add(1, Ordering::SeqCst);
                    },
                ))
                .unwrap();
            }
            let handle = pool.handle();
            let counter = Arc::clone(&cancelled);
            std::thread::spawn(move || {
                for n in 0..2_u32 {
                    let counter = Arc::clone(&counter);
                    handle
                        .put_request(SendWorkRequest::with_cancel(move |_| n).on_exception(
                            move |_, exc| {
                                assert!(exc.is_cancelled());
                                counter.fetch_add(1, Ordering::SeqCst);
                            },
                        ))
                        .unwrap();
                }
            })
            .join()
            .unwrap();
            assert_eq!(pool.outstanding(), 4);
            assert_eq!(pool.cancel_all(), 4);
            assert_eq!(cancelled.load(Ordering::SeqCst), 4);
            assert_eq!(pool.outstanding(), 0);
            assert_eq!(pool.cancel_all(), 0);
            // Their slots of the bounded queue are free again at once:
            // with no worker to make room, four new requests fit.
            for n in 0..4_u32 {
                pool.try_put_request(WorkRequest::new(move || n)).unwrap();
            }
            assert!(
                pool.try_put_request(WorkRequest::new(|| 4)).is_err(),
                "full"
            );
            pool.create_workers(1).unwrap();
            pool.wait().unwrap();
            let stats = pool.stats();
            assert_eq!((stats.completed, stats.cancelled, stats.queued), (4, 4, 0));
        },
    );
}

#[test]
fn a_cancelled_request_delivers_no_more_progress() {
    watchdog("a_cancelled_request_delivers_no_more_progress", || {
        let mut pool = ThreadPool::with_state(1, Vec::<u32>::new()).unwrap();
        let (step_tx, step) = mpsc::channel::<()>();
        let (reported_tx, reported) = mpsc::channel::<()>();
        let id = pool
            .put_request(
                WorkRequest::with_progress(move |p: Progress<u32>| {
                    p.report(1);
                    reported_tx.send(()).unwrap();
                    step.recv().unwrap();
                    p.report(2);
                    reported_tx.send(()).unwrap();
                    p.is_cancelled()
                })
                .on_progress_with(|seen: &mut Vec<u32>, _, v| seen.push(v))
                .on_result_with(|_: &mut Vec<u32>, _, _| unreachable!("cancelled")),
            )
            .unwrap();
        reported.recv().unwrap();
        while pool.state().is_empty() {
            pool.poll().unwrap();
            std::thread::yield_now();
        }
        assert_eq!(pool.cancel(id), CancelOutcome::Signalled);
        step_tx.send(()).unwrap();
        reported.recv().unwrap();
        pool.wait().unwrap();
        assert_eq!(pool.state(), &[1], "nothing after the cancel");
    });
}

/// A cancel racing each job's start and finish: cancels land before the
/// start, while the job runs, and after it returned (its result not yet
/// delivered). Whichever wins, every request gets exactly one outcome, a
/// job cancelled before it started never runs, and the counts add up.
#[test]
fn cancel_racing_start_and_finish_gives_exactly_one_outcome() {
    watchdog(
        "cancel_racing_start_and_finish_gives_exactly_one_outcome",
        || {
            let rounds = if cfg!(miri) { 30 } else { 3_000_u32 };
            // A bounded queue: each slot goes back exactly once, whoever
            // wins (checked at the end).
            let bound = 8;
            let mut pool = ThreadPool::builder()
                .num_workers(3)
                .queue_size(bound)
                .build_with_state(Log::new())
                .unwrap();
            let mut outcomes = HashMap::new();
            let mut ran = HashMap::new();
            for round in 0..rounds {
                let started = Arc::new(AtomicBool::new(false));
                let finished = Arc::new(AtomicBool::new(false));
                let (start_flag, finish_flag) = (Arc::clone(&started), Arc::clone(&finished));
                let request = WorkRequest::with_cancel(move |token| {
                    start_flag.store(true, Ordering::SeqCst);
                    // Uneven lengths; a cancelled job stops early.
                    let mut value = round;
                    for _ in 0..round % 97 {
                        if token.is_cancelled() {
                            value = u32::MAX;
                            break;
                        }
                        std::hint::spin_loop();
                    }
                    finish_flag.store(true, Ordering::SeqCst);
                    value
                });
                let id = pool.put_request(logged(request)).unwrap();
                let at = match round % 3 {
                    // Races the worker's start (and, for short jobs, its end).
                    0 => None,
                    // The job has started: it is running or has returned.
                    1 => Some(&started),
                    // The job has returned; its result waits to be polled.
                    _ => Some(&finished),
                };
                if let Some(flag) = at {
                    while !flag.load(Ordering::SeqCst) {
                        std::thread::yield_now();
                    }
                }
                let outcome = pool.cancel(id);
                if at.is_some() {
                    assert_eq!(outcome, CancelOutcome::Signalled, "{id}: started");
                }
                outcomes.insert(id, outcome);
                ran.insert(id, started);
                if round % 50 == 0 {
                    let _ = pool.poll(); // nothing may be outstanding
                }
            }
            pool.wait().unwrap();
            let log = pool.state();
            assert_eq!(log.len(), rounds as usize, "every request reported");
            let (mut dequeued, mut signalled) = (0, 0);
            for (id, outcome) in &outcomes {
                assert_eq!(log[id], [Seen::Cancelled], "{id}: {outcome:?}");
                match outcome {
                    CancelOutcome::Dequeued => {
                        dequeued += 1;
                        assert!(!ran[id].load(Ordering::SeqCst), "{id} ran after Dequeued");
                    }
                    CancelOutcome::Signalled => signalled += 1,
                    CancelOutcome::NotFound => panic!("{id}: not found before its callbacks ran"),
                }
            }
            eprintln!("{dequeued} cancels before the start, {signalled} after it");
            let stats = pool.stats();
            assert_eq!(stats.cancelled, u64::from(rounds));
            assert_eq!(stats.completed, signalled, "only signalled jobs ran");
            assert_eq!(dequeued + signalled, u64::from(rounds));
            assert!(
                signalled >= u64::from(rounds) * 2 / 3,
                "the waited-for cancels"
            );
            assert_eq!((stats.queued, stats.running), (0, 0));
            // No slot leaked: with no worker to make room, exactly `bound`
            // requests fit.
            pool.dismiss_workers(3, true);
            for n in 0..bound as u32 {
                pool.try_put_request(logged(WorkRequest::new(move || n)))
                    .unwrap();
            }
            assert!(
                pool.try_put_request(WorkRequest::new(|| 0)).is_err(),
                "full"
            );
        },
    );
}
