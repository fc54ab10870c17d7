//! Model checks of the sleep/wake protocol (`src/sleep/README.md`) with the
//! pool's own `Sleep`, under loom.
//!
//! The queues are stood in for by a loom atomic counting queued jobs: a push
//! is a Release increment (crossbeam's injector and deque publish a push
//! with a Release store of their tail), a take is a decrement that succeeds
//! only when a job is there, and `has_work` is an Acquire load. A wake-up
//! lost anywhere leaves a worker waiting on the condvar for good, which loom
//! reports as a deadlock.
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

/// A queue of indistinguishable jobs, as the sleep protocol sees it.
struct Queue {
    jobs: AtomicUsize,
}

impl Queue {
    fn new(jobs: usize) -> Self {
        Queue {
            jobs: AtomicUsize::new(jobs),
        }
    }

    /// Release: pairs with the Acquire in `take` and `has_work`.
    fn push(&self) {
        self.jobs.fetch_add(1, Ordering::Release);
    }

    fn take(&self) -> bool {
        let mut n = self.jobs.load(Ordering::Acquire);
        while n > 0 {
            match self
                .jobs
                .compare_exchange(n, n - 1, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return true,
                Err(now) => n = now,
            }
        }
        false
    }

    fn has_work(&self) -> bool {
        self.jobs.load(Ordering::Acquire) > 0
    }

    fn len(&self) -> usize {
        self.jobs.load(Ordering::Acquire)
    }
}

struct Pool {
    queue: Queue,
    sleep: Sleep,
    ran: AtomicUsize,
    /// Set once every expected job ran, so idle workers may leave.
    done: AtomicBool,
}

impl Pool {
    fn new(jobs: usize) -> Arc<Self> {
        Arc::new(Pool {
            queue: Queue::new(jobs),
            sleep: Sleep::new(),
            ran: AtomicUsize::new(0),
            done: AtomicBool::new(false),
        })
    }

    /// The submitter's side: push onto the injector, then wake one sleeper
    /// unless enough idle workers are awake (`Shared::push`).
    fn submit(&self) {
        self.queue.push();
        self.sleep.notify_queued(|| self.queue.len());
    }

    /// The worker loop of `src/worker/mod.rs`, without the spin: take a job
    /// (ending the idle count, which may pass a skipped wake-up on) or
    /// count as idle and sleep, until `done`. The thread that runs the last
    /// job sets `done` and wakes everyone (as a dismissal would).
    fn work(&self, expected: usize) {
        self.work_with(expected, || {});
    }

    /// `work`, running `job` for every job taken.
    fn work_with(&self, expected: usize, job: impl Fn()) {
        let mut idle = false;
        loop {
            if self.done.load(Ordering::SeqCst) {
                if idle {
                    self.sleep.end_idle(|| self.queue.len());
                }
                return;
            }
            if self.queue.take() {
                if idle {
                    idle = false;
                    self.sleep.end_idle(|| self.queue.len());
                }
                job();
                if self.ran.fetch_add(1, Ordering::SeqCst) + 1 == expected {
                    self.done.store(true, Ordering::SeqCst);
                    self.sleep.notify_all();
                }
                continue;
            }
            if !idle {
                idle = true;
                self.sleep.start_idle();
            }
            if self.sleep.sleep(
                || self.queue.has_work(),
                || self.done.load(Ordering::SeqCst),
            ) {
                // As `main_loop`: keep the wake-ups the cap rule held back
                // going.
                self.sleep.woken(|| self.queue.len());
            }
        }
    }
}

/// Two workers, each running `job` for every job it takes, and two puts
/// from this thread: both jobs run, and nobody sleeps for good.
fn two_workers_two_puts(pool: &Arc<Pool>, job: impl Fn(&Pool) + Clone + Send + 'static) {
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let pool = Arc::clone(pool);
            let job = job.clone();
            thread::spawn(move || pool.work_with(2, || job(&pool)))
        })
        .collect();
    pool.submit();
    pool.submit();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(pool.ran.load(Ordering::SeqCst), 2);
}

/// (a) One worker goes to sleep while one request is put: the request runs.
#[test]
fn put_while_worker_goes_to_sleep() {
    model("sleep::put_while_worker_goes_to_sleep", || {
        let pool = Pool::new(0);
        let worker = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.work(1))
        };
        pool.submit();
        worker.join().unwrap();
        assert_eq!(pool.ran.load(Ordering::SeqCst), 1);
    });
}

/// Two workers race to sleep while one request is put: the claim made for
/// it wakes a worker that finds it, whichever worker the claim hit.
#[test]
fn put_while_two_workers_go_to_sleep() {
    model("sleep::put_while_two_workers_go_to_sleep", || {
        let pool = Pool::new(0);
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let pool = Arc::clone(&pool);
                thread::spawn(move || pool.work(1))
            })
            .collect();
        pool.submit();
        for worker in workers {
            worker.join().unwrap();
        }
        assert_eq!(pool.ran.load(Ordering::SeqCst), 1);
    });
}

/// Two submitters and one worker: two claims can hit one sleeper count;
/// the worker that cancels after being claimed consumes the token, and the
/// second job still runs.
#[test]
fn two_puts_one_sleeping_worker() {
    model("sleep::two_puts_one_sleeping_worker", || {
        let pool = Pool::new(0);
        let worker = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.work(2))
        };
        let submitter = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.submit())
        };
        pool.submit();
        submitter.join().unwrap();
        worker.join().unwrap();
        assert_eq!(pool.ran.load(Ordering::SeqCst), 2);
    });
}

/// A batch put (`put_requests`): two pushes, then `notify_many(2)`, with
/// two workers going to sleep.
#[test]
fn batch_put_wakes_enough_workers() {
    model("sleep::batch_put_wakes_enough_workers", || {
        let pool = Pool::new(0);
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let pool = Arc::clone(&pool);
                thread::spawn(move || pool.work(2))
            })
            .collect();
        pool.queue.push();
        pool.queue.push();
        pool.sleep.notify_many(2);
        for worker in workers {
            worker.join().unwrap();
        }
        assert_eq!(pool.ran.load(Ordering::SeqCst), 2);
    });
}

/// A reason to leave set before `notify_all` is never missed by a worker
/// going to sleep at the same time, and the sleeper count ends balanced.
#[test]
fn leave_is_never_missed() {
    model("sleep::leave_is_never_missed", || {
        let pool = Pool::new(0);
        let worker = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.work(usize::MAX))
        };
        pool.done.store(true, Ordering::SeqCst);
        pool.sleep.notify_all();
        worker.join().unwrap();
    });
}

/// A job pushes a request onto its own worker's deque (a put or spawn
/// through a `PoolHandle` from inside a job) and then blocks until that
/// request has run, so the pushing worker cannot run it itself; a second
/// worker is going to sleep meanwhile. Every push is followed by the fenced
/// `notify_one` (an unfenced variant lost this wake-up to store buffering):
/// the request always runs.
#[test]
fn fenced_push_by_a_blocked_worker_is_run() {
    model("sleep::fenced_push_by_a_blocked_worker_is_run", || {
        let pool = Pool::new(0);
        let thief = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.work(1))
        };
        pool.queue.push();
        pool.sleep.notify_one();
        thief.join().unwrap();
        assert_eq!(pool.ran.load(Ordering::SeqCst), 1);
    });
}

/// The idle rule: a submitter that sees an idle worker awake skips the
/// wake-up, and that worker owes it. Here one worker is idle (not asleep)
/// while two jobs are put one after the other; the second put sees the
/// first job's taker still counted idle, or sees it gone and wakes the
/// sleeper. Either way the second worker is woken when needed, or the first
/// runs both: both jobs run, and nobody sleeps for good.
#[test]
fn put_skipped_for_an_idle_worker_is_passed_on() {
    model("sleep::put_skipped_for_an_idle_worker_is_passed_on", || {
        two_workers_two_puts(&Pool::new(0), |_| {});
    });
}

/// The idle rule's hand-on: the first job taken blocks until the other one
/// has run, so only the second worker can run that one. The taker, still
/// counted idle, can make the second put skip its wake-up; ending its idle
/// count it must then wake the sleeping worker (without that hand-on, this
/// model never ends).
#[test]
fn put_skipped_for_a_worker_that_then_blocks_is_passed_on() {
    model(
        "sleep::put_skipped_for_a_worker_that_then_blocks_is_passed_on",
        || {
            let blocker = Arc::new(AtomicBool::new(false));
            two_workers_two_puts(&Pool::new(0), move |pool| {
                if !blocker.swap(true, Ordering::SeqCst) {
                    // The first job waits for the second.
                    while pool.ran.load(Ordering::SeqCst) == 0 {
                        thread::yield_now();
                    }
                }
            });
        },
    );
}

/// The cap rule (at most one wake-up in flight here, while an idle worker
/// is awake): two jobs that each wait until the other has started, so both
/// workers must run at once, put while both may be asleep. The second put
/// may skip its wake-up because the first one is still in flight; the
/// worker that wake-up reaches then starts the next one (`woken`), or the
/// idle rule's hand-on does when it takes its job. Both jobs run.
#[test]
fn wake_up_held_back_by_the_cap_is_started_by_the_woken_worker() {
    model(
        "sleep::wake_up_held_back_by_the_cap_is_started_by_the_woken_worker",
        || {
            let started = Arc::new(AtomicUsize::new(0));
            two_workers_two_puts(&Pool::new(0), move |_| {
                started.fetch_add(1, Ordering::SeqCst);
                while started.load(Ordering::SeqCst) < 2 {
                    thread::yield_now();
                }
            });
        },
    );
}
