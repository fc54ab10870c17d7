//! Model checks of dismissal and hand-back (`src/worker/README.md`) under
//! loom, with the pool's own `Sleep`.
//!
//! loom cannot instrument `crossbeam-deque`, so the model stands in for the
//! queues with loom mutexes holding job numbers: each worker's own deque
//! (the owner pushes and pops at the back, thieves steal at the front) and
//! the injector. The worker loop, the dismissal flag, the hand-back and the
//! passing on of a consumed wake-up follow `src/worker/mod.rs` and
//! `Shared::dismiss_workers` step by step. The test thread plays the
//! poller: it waits until every job ran, which hangs (a loom deadlock) if a
//! handed-back job is never picked up.
//!
//! Run with `cargo xtask loom`.
#![cfg(loom)]

use std::collections::VecDeque;
use std::sync::Arc;

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::{Condvar, Mutex};
use loom::thread;
use threadpool_core::__loom::Sleep;

mod loom_common;
use loom_common::model;

const WORKERS: usize = 2;
const JOBS: usize = 3;

struct Pool {
    injector: Mutex<VecDeque<usize>>,
    deques: [Mutex<VecDeque<usize>>; WORKERS],
    dismissed: [AtomicBool; WORKERS],
    sleep: Sleep,
    /// How often each job ran.
    ran: [AtomicUsize; JOBS],
    /// Jobs finished, for the poller to wait on (the result queue).
    finished: Mutex<usize>,
    finished_changed: Condvar,
}

impl Pool {
    fn new(local: [&[usize]; WORKERS]) -> Arc<Self> {
        Arc::new(Pool {
            injector: Mutex::new(VecDeque::new()),
            deques: local.map(|jobs| Mutex::new(jobs.iter().copied().collect())),
            dismissed: [AtomicBool::new(false), AtomicBool::new(false)],
            sleep: Sleep::new(),
            ran: [
                AtomicUsize::new(0),
                AtomicUsize::new(0),
                AtomicUsize::new(0),
            ],
            finished: Mutex::new(0),
            finished_changed: Condvar::new(),
        })
    }

    fn has_work(&self) -> bool {
        !self.injector.lock().unwrap().is_empty()
            || self.deques.iter().any(|d| !d.lock().unwrap().is_empty())
    }

    /// Own deque (LIFO), then the injector, then the others' deques (FIFO).
    fn find_work(&self, me: usize) -> Option<usize> {
        if let Some(job) = self.deques[me].lock().unwrap().pop_back() {
            return Some(job);
        }
        if let Some(job) = self.injector.lock().unwrap().pop_front() {
            return Some(job);
        }
        (0..WORKERS)
            .filter(|&other| other != me)
            .find_map(|other| self.deques[other].lock().unwrap().pop_front())
    }

    fn run(&self, job: usize) {
        self.ran[job].fetch_add(1, Ordering::SeqCst);
        *self.finished.lock().unwrap() += 1;
        self.finished_changed.notify_all();
    }

    fn should_leave(&self, me: usize) -> bool {
        // Relaxed, as in `WorkerContext::should_leave`: the flag is re-read
        // under the sleep lock before the worker waits.
        self.dismissed[me].load(Ordering::Relaxed)
    }

    fn queued(&self) -> usize {
        self.injector.lock().unwrap().len()
    }

    /// `worker::main_loop`, without the spin: idle from the first search
    /// that finds nothing until a job is found or the worker leaves.
    fn worker(&self, me: usize) {
        let mut idle = false;
        loop {
            if self.should_leave(me) {
                break;
            }
            if let Some(job) = self.find_work(me) {
                if idle {
                    idle = false;
                    self.sleep.end_idle(|| self.queued());
                }
                self.run(job);
                continue;
            }
            if !idle {
                idle = true;
                self.sleep.start_idle();
            }
            if self
                .sleep
                .sleep(|| self.has_work(), || self.should_leave(me))
            {
                self.sleep.woken(|| self.queued());
            }
        }
        if idle {
            self.sleep.end_idle(|| self.queued());
        }
        // Hand-back: every job of the own deque goes to the injector.
        loop {
            let Some(job) = self.deques[me].lock().unwrap().pop_back() else {
                break;
            };
            self.injector.lock().unwrap().push_back(job);
        }
        // Pass on a wake-up this worker may have consumed.
        if self.has_work() {
            self.sleep.notify_one();
        }
    }

    /// `Shared::dismiss_workers` for one worker: set its flag, then
    /// `notify_all` (which takes the sleep lock).
    fn dismiss(&self, worker: usize) {
        self.dismissed[worker].store(true, Ordering::SeqCst);
        self.sleep.notify_all();
    }

    /// The poller's `wait`: blocks until `n` jobs finished.
    fn wait_finished(&self, n: usize) {
        let mut finished = self.finished.lock().unwrap();
        while *finished < n {
            finished = self.finished_changed.wait(finished).unwrap();
        }
    }

    /// `Shared::push` from outside the pool: the injector, then the idle
    /// rule's wake-up.
    fn submit(&self, job: usize) {
        self.injector.lock().unwrap().push_back(job);
        self.sleep.notify_queued(|| self.queued());
    }

    fn assert_each_ran_once(&self, jobs: usize) {
        for job in 0..jobs {
            assert_eq!(self.ran[job].load(Ordering::SeqCst), 1, "job {job}");
        }
    }
}

fn start(pool: &Arc<Pool>, me: usize) -> thread::JoinHandle<()> {
    let pool = Arc::clone(pool);
    thread::spawn(move || pool.worker(me))
}

/// (b) Worker 0 is dismissed while two jobs sit in its own deque and
/// worker 1 is idle: both jobs run, exactly once each.
#[test]
fn dismissal_with_jobs_in_the_local_deque_loses_none() {
    model("dismiss::jobs_in_the_local_deque", || {
        let pool = Pool::new([&[0, 1], &[]]);
        let workers = [start(&pool, 0), start(&pool, 1)];
        pool.dismiss(0);
        pool.wait_finished(2);
        pool.dismiss(1);
        for worker in workers {
            worker.join().unwrap();
        }
        pool.assert_each_ran_once(2);
    });
}

/// A request is put while the worker its wake-up claims is being
/// dismissed: the dismissed worker may consume the token and leave, and
/// must pass the wake-up on so that the other worker runs the request.
#[test]
fn dismissed_worker_passes_on_a_consumed_wake_up() {
    model("dismiss::passes_on_a_consumed_wake_up", || {
        let pool = Pool::new([&[], &[]]);
        let workers = [start(&pool, 0), start(&pool, 1)];
        pool.submit(0);
        pool.dismiss(0);
        pool.wait_finished(1);
        pool.dismiss(1);
        for worker in workers {
            worker.join().unwrap();
        }
        pool.assert_each_ran_once(1);
    });
}

/// Invariant D2: when every worker has left, every job that did not run is
/// in the injector, where `create_workers` finds it.
#[test]
fn after_full_dismissal_every_job_is_in_the_injector() {
    model(
        "dismiss::full_dismissal_leaves_jobs_in_the_injector",
        || {
            let pool = Pool::new([&[0, 1], &[2]]);
            let workers = [start(&pool, 0), start(&pool, 1)];
            pool.dismiss(0);
            pool.dismiss(1);
            for worker in workers {
                worker.join().unwrap();
            }
            let injector = pool.injector.lock().unwrap();
            for job in 0..JOBS {
                let ran = pool.ran[job].load(Ordering::SeqCst);
                let queued = injector.iter().filter(|&&j| j == job).count();
                assert_eq!(
                    ran + queued,
                    1,
                    "job {job} ran {ran} times, queued {queued} times"
                );
            }
            assert!(pool.deques.iter().all(|d| d.lock().unwrap().is_empty()));
        },
    );
}
