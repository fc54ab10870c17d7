//! Model checks of the wake-up for a job addressed to one worker
//! (`src/inbox.rs`) under loom, with the pool's own `Sleep`: the sender
//! adds the job to the worker's inbox and calls `notify_all`; a sleeping
//! worker's `leave` condition includes "my inbox is not empty", so it
//! leaves its sleep and takes the job, while the other workers go back to
//! sleep. The inboxes and the shared queue are stood in for by counters. A
//! wake-up lost anywhere leaves a worker waiting on the condvar for good,
//! which loom reports as a deadlock.
//!
//! Run with `cargo xtask loom` (which sets `--cfg loom` and the preemption
//! bound).
#![cfg(loom)]

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::thread;
use std::sync::Arc;
use threadpool_core::__loom::Sleep;

mod loom_common;
use loom_common::model;

/// Takes one job off a counter of jobs, if there is one.
fn take(jobs: &AtomicUsize) -> bool {
    let mut n = jobs.load(Ordering::SeqCst);
    while n > 0 {
        match jobs.compare_exchange(n, n - 1, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => return true,
            Err(now) => n = now,
        }
    }
    false
}

struct Pool {
    /// The shared queue's jobs.
    queue: AtomicUsize,
    /// Each worker's inbox.
    inbox: [AtomicUsize; 2],
    sleep: Sleep,
    /// Addressed jobs run by each worker, and shared jobs run in all.
    ran_addressed: [AtomicUsize; 2],
    ran_shared: AtomicUsize,
    /// Set once every expected job ran, so idle workers may leave.
    done: AtomicBool,
    expected: usize,
}

impl Pool {
    fn new(expected: usize) -> Arc<Self> {
        Arc::new(Pool {
            queue: AtomicUsize::new(0),
            inbox: [AtomicUsize::new(0), AtomicUsize::new(0)],
            sleep: Sleep::new(),
            ran_addressed: [AtomicUsize::new(0), AtomicUsize::new(0)],
            ran_shared: AtomicUsize::new(0),
            done: AtomicBool::new(false),
            expected,
        })
    }

    /// `Shared::push_to_worker`: into the inbox, then wake every sleeper.
    fn send_to(&self, worker: usize) {
        self.inbox[worker].fetch_add(1, Ordering::SeqCst);
        self.sleep.notify_all();
    }

    /// `Shared::push` from outside the pool.
    fn submit(&self) {
        self.queue.fetch_add(1, Ordering::SeqCst);
        self.sleep
            .notify_queued(|| self.queue.load(Ordering::SeqCst));
    }

    /// Counts a job run; the last one ends the model's work.
    fn ran(&self, counter: &AtomicUsize) {
        counter.fetch_add(1, Ordering::SeqCst);
        let total = self.ran_shared.load(Ordering::SeqCst)
            + self.ran_addressed[0].load(Ordering::SeqCst)
            + self.ran_addressed[1].load(Ordering::SeqCst);
        if total == self.expected && !self.done.swap(true, Ordering::SeqCst) {
            self.sleep.notify_all();
        }
    }

    /// The worker loop of `src/worker/mod.rs` without the spin: its own
    /// inbox first (`find_work`), then the shared queue, else count as
    /// idle and sleep with the inbox in the `leave` condition.
    fn work(&self, me: usize) {
        let mut idle = false;
        let queued = || self.queue.load(Ordering::SeqCst);
        loop {
            if self.done.load(Ordering::SeqCst) {
                if idle {
                    self.sleep.end_idle(queued);
                }
                return;
            }
            let addressed = take(&self.inbox[me]);
            if addressed || take(&self.queue) {
                if idle {
                    idle = false;
                    self.sleep.end_idle(queued);
                }
                if addressed {
                    self.ran(&self.ran_addressed[me]);
                } else {
                    self.ran(&self.ran_shared);
                }
                continue;
            }
            if !idle {
                idle = true;
                self.sleep.start_idle();
            }
            if self.sleep.sleep(
                || self.queue.load(Ordering::SeqCst) > 0,
                || self.done.load(Ordering::SeqCst) || self.inbox[me].load(Ordering::SeqCst) > 0,
            ) {
                self.sleep.woken(|| self.queue.load(Ordering::SeqCst));
            }
        }
    }
}

/// Two workers going to sleep; a job is sent to worker 1: worker 1 runs
/// it, whatever the interleaving, and worker 0 never does.
#[test]
fn an_addressed_job_reaches_its_sleeping_worker() {
    model(
        "inbox::an_addressed_job_reaches_its_sleeping_worker",
        || {
            let pool = Pool::new(1);
            let workers: Vec<_> = (0..2)
                .map(|me| {
                    let pool = Arc::clone(&pool);
                    thread::spawn(move || pool.work(me))
                })
                .collect();
            pool.send_to(1);
            for worker in workers {
                worker.join().unwrap();
            }
            assert_eq!(pool.ran_addressed[1].load(Ordering::SeqCst), 1);
            assert_eq!(pool.ran_addressed[0].load(Ordering::SeqCst), 0);
        },
    );
}

/// One worker going to sleep; a job is sent to it while a shared job is
/// put from another thread: the addressed wake-up (which issues no token)
/// and the claim of the shared put do not lose each other, and both jobs
/// run.
#[test]
fn an_addressed_job_and_a_shared_put_both_run() {
    model("inbox::an_addressed_job_and_a_shared_put_both_run", || {
        let pool = Pool::new(2);
        let worker = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.work(0))
        };
        let submitter = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.submit())
        };
        pool.send_to(0);
        submitter.join().unwrap();
        worker.join().unwrap();
        assert_eq!(pool.ran_addressed[0].load(Ordering::SeqCst), 1);
        assert_eq!(pool.ran_shared.load(Ordering::SeqCst), 1);
    });
}
