//! The notifier of `ThreadPoolBuilder::notify`: called once per batch of
//! results that arrive while nobody polls, never from inside a callback,
//! and never lost (an event loop that sleeps until it is called always
//! wakes up for its results).

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};

use threadpool_core::{PollError, Progress, ThreadPool, WorkRequest};

mod common;
use common::watchdog;

/// Runs `f`, aborting the process if it takes more than 60 s: a lost
/// wake-up hangs, and a hang must fail the test, not stall the run.
/// A notifier that counts its calls and wakes a `Condvar` sleeper.
#[derive(Default)]
struct Wake {
    calls: AtomicUsize,
    woken: Mutex<bool>,
    condvar: Condvar,
}

impl Wake {
    fn notifier(self: &Arc<Self>) -> impl Fn() + Send + Sync + 'static {
        let wake = Arc::clone(self);
        move || {
            wake.calls.fetch_add(1, Ordering::SeqCst);
            *wake.woken.lock().unwrap() = true;
            wake.condvar.notify_one();
        }
    }

    /// The event loop's sleep: until the notifier has been called.
    fn sleep(&self) {
        let mut woken = self.woken.lock().unwrap();
        while !*woken {
            woken = self.condvar.wait(woken).unwrap();
        }
        *woken = false;
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[test]
fn a_batch_of_results_calls_the_notifier_once() {
    watchdog("a_batch_of_results_calls_the_notifier_once", || {
        let wake = Arc::new(Wake::default());
        let mut pool = ThreadPool::builder()
            .num_workers(4)
            .notify(wake.notifier())
            .build_with_state(0_usize)
            .unwrap();
        let (open, gate) = gate();
        for _ in 0..100 {
            let gate = gate.clone();
            pool.put_request(
                WorkRequest::new(move || gate.pass())
                    .on_result_with(|n: &mut usize, _, ()| *n += 1),
            )
            .unwrap();
        }
        assert_eq!(pool.poll(), Ok(0), "every job waits at the gate");
        assert_eq!(wake.calls(), 0, "armed, nothing arrived yet");
        open();
        wake.sleep();
        // The first result took the flag; no poll has armed it again, so
        // the other 99 results (collected by `wait`, which never arms it)
        // cannot call the notifier.
        pool.wait().unwrap();
        assert_eq!(*pool.state(), 100);
        assert_eq!(wake.calls(), 1);
    });
}

#[test]
fn an_event_loop_that_sleeps_until_notified_never_misses_a_result() {
    watchdog(
        "an_event_loop_that_sleeps_until_notified_never_misses_a_result",
        || {
            let wake = Arc::new(Wake::default());
            let mut pool = ThreadPool::builder()
                .num_workers(2)
                .notify(wake.notifier())
                .build_with_state(0_u64)
                .unwrap();
            let rounds = 2_000_u64;
            for round in 0..rounds {
                // Jobs of uneven length: results land before, during and
                // after the loop's poll.
                for k in 0..(round % 3) + 1 {
                    pool.put_request(
                        WorkRequest::new(move || (0..(round * 7 + k) % 500).sum::<u64>())
                            .on_result_with(|n: &mut u64, _, _| *n += 1),
                    )
                    .unwrap();
                }
                loop {
                    match pool.poll() {
                        Err(PollError::NoResultsPending) => break,
                        Ok(_) if pool.outstanding() == 0 => break,
                        Ok(_) => wake.sleep(), // hangs if a wake-up is lost
                        Err(other) => panic!("{other}"),
                    }
                }
            }
            assert_eq!(*pool.state(), (0..rounds).map(|r| r % 3 + 1).sum::<u64>());
        },
    );
}

thread_local! {
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

#[test]
fn the_notifier_never_runs_inside_a_callback() {
    watchdog("the_notifier_never_runs_inside_a_callback", || {
        let inside = Arc::new(AtomicBool::new(false));
        let calls = Arc::new(AtomicUsize::new(0));
        let (seen_inside, counted) = (Arc::clone(&inside), Arc::clone(&calls));
        let mut pool = ThreadPool::builder()
            .num_workers(2)
            .notify(move || {
                if IN_CALLBACK.with(Cell::get) {
                    seen_inside.store(true, Ordering::SeqCst);
                }
                counted.fetch_add(1, Ordering::SeqCst);
            })
            .build()
            .unwrap();
        for n in 0..2_000_u32 {
            pool.put_request(WorkRequest::new(move || n).on_result(|_, _| {
                IN_CALLBACK.with(|c| c.set(true));
                // A slow callback: more results arrive while it runs.
                for _ in 0..200 {
                    std::hint::spin_loop();
                }
                IN_CALLBACK.with(|c| c.set(false));
            }))
            .unwrap();
            let _ = pool.poll();
        }
        while pool.outstanding() > 0 {
            let _ = pool.poll();
            std::thread::yield_now();
        }
        assert!(calls.load(Ordering::SeqCst) > 0, "the notifier ran");
        assert!(
            !inside.load(Ordering::SeqCst),
            "never from inside a callback"
        );
    });
}

#[test]
fn a_progress_value_wakes_the_loop_too() {
    watchdog("a_progress_value_wakes_the_loop_too", || {
        let wake = Arc::new(Wake::default());
        let mut pool = ThreadPool::builder()
            .num_workers(1)
            .notify(wake.notifier())
            .build_with_state(Vec::<u8>::new())
            .unwrap();
        let (tx, rx) = mpsc::channel::<()>();
        pool.put_request(
            WorkRequest::with_progress(move |p: Progress<u8>| {
                p.report(1);
                rx.recv().unwrap();
            })
            .on_progress_with(|seen: &mut Vec<u8>, _, v| seen.push(v)),
        )
        .unwrap();
        loop {
            let _ = pool.poll();
            if !pool.state().is_empty() {
                break;
            }
            wake.sleep(); // woken by the progress notice
        }
        assert_eq!(pool.state(), &[1]);
        tx.send(()).unwrap();
        pool.wait().unwrap();
    });
}

/// A gate every job waits at until it is opened once.
#[derive(Clone)]
struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    fn pass(&self) {
        let (open, condvar) = &*self.0;
        let mut open = open.lock().unwrap();
        while !*open {
            open = condvar.wait(open).unwrap();
        }
    }
}

fn gate() -> (impl FnOnce(), Gate) {
    let gate = Gate(Arc::new((Mutex::new(false), Condvar::new())));
    let opener = gate.clone();
    (
        move || {
            *opener.0.0.lock().unwrap() = true;
            opener.0.1.notify_all();
        },
        gate,
    )
}

#[test]
fn a_panicking_notifier_is_reported_and_takes_no_worker_down() {
    watchdog(
        "a_panicking_notifier_is_reported_and_takes_no_worker_down",
        || {
            let mut pool = ThreadPool::builder()
                .num_workers(1)
                .notify(|| panic!("notifier bug"))
                .build_with_state(0_u32)
                .unwrap();
            for round in 0..3 {
                pool.put_request(
                    WorkRequest::new(|| 1).on_result_with(|n: &mut u32, _, v| *n += v),
                )
                .unwrap();
                // Armed by the poll; the result's arrival calls the notifier.
                while pool.poll() == Ok(0) {
                    std::thread::yield_now();
                }
                assert_eq!(*pool.state(), round + 1);
                assert_eq!(pool.workers(), 1, "the worker survived the notifier");
            }
            pool.wait().unwrap();
            assert_eq!(pool.stats().completed, 3);
        },
    );
}
