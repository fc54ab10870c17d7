//! Model check, under loom, of `Shared::take_back` (`src/registry.rs`):
//! the escape of an outside `install` caller whose pool has no worker left.
//!
//! Such a caller steals every job out of the injector looking for its own
//! and pushes the others back. Two callers doing this at once can each
//! hold the other's job; if a worker starts in that window, searches the
//! empty injector and goes to sleep, and the jobs are then pushed back
//! with no wake-up, the worker sleeps and both callers, seeing a worker
//! alive, wait on their latches for ever. The suspected hang is real:
//! [`without_the_wake_up_two_callers_and_a_new_worker_deadlock`] finds it.
//! The fix wakes a sleeper for every job pushed back, as any push does;
//! [`two_install_callers_and_a_new_worker_never_wait_for_ever`] checks it.
//!
//! The injector is a loom mutex around a `VecDeque` (one lock per steal or
//! push, as `crossbeam-deque` steals one job at a time); the sleep state
//! is the pool's own `Sleep`. The caller's wait with growing timeouts is
//! modelled as one check for a missing worker, then a wait on its latch:
//! once a worker is alive the later checks do nothing, and in the model
//! the worker stays.
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

const CALLERS: usize = 2;

struct Pool {
    injector: Mutex<VecDeque<usize>>,
    sleep: Sleep,
    alive: AtomicUsize,
    /// Each caller's `LockLatch`.
    latches: [(Mutex<bool>, Condvar); CALLERS],
    ran: [AtomicUsize; CALLERS],
    closed: AtomicBool,
    /// Whether `take_back` wakes for the jobs it pushes back (the fix).
    wake_on_push_back: bool,
}

impl Pool {
    fn new(wake_on_push_back: bool) -> Arc<Self> {
        Arc::new(Pool {
            injector: Mutex::new(VecDeque::new()),
            sleep: Sleep::new(),
            alive: AtomicUsize::new(0),
            latches: [(), ()].map(|()| (Mutex::new(false), Condvar::new())),
            ran: [(), ()].map(|()| AtomicUsize::new(0)),
            closed: AtomicBool::new(false),
            wake_on_push_back,
        })
    }

    fn push(&self, job: usize) {
        self.injector.lock().unwrap().push_back(job);
    }

    fn steal(&self) -> Option<usize> {
        self.injector.lock().unwrap().pop_front()
    }

    /// `Shared::take_back`.
    fn take_back(&self, id: usize) -> bool {
        let mut found = None;
        let mut others = Vec::new();
        while let Some(job) = self.steal() {
            if job == id {
                found = Some(job);
            } else {
                others.push(job);
            }
        }
        let pushed_back = others.len();
        for job in others {
            self.push(job);
        }
        if self.wake_on_push_back {
            self.sleep.notify_many(pushed_back);
        }
        match found {
            Some(job) if self.alive.load(Ordering::SeqCst) > 0 => {
                self.push(job);
                self.sleep.notify_one();
                false
            }
            Some(_) => true,
            None => false,
        }
    }

    /// `PoolHandle::install` from outside: push, then (its timeout) check
    /// for a missing worker once, then wait on the latch. True if it ran.
    fn install(&self, id: usize) -> bool {
        self.push(id);
        self.sleep.notify_one();
        if self.alive.load(Ordering::SeqCst) == 0 && self.take_back(id) {
            return false;
        }
        let (set, changed) = &self.latches[id];
        let mut set = set.lock().unwrap();
        while !*set {
            set = changed.wait(set).unwrap();
        }
        true
    }

    /// The worker loop: run jobs (setting their latches) until closed.
    fn worker(&self) {
        // Counted idle while it searches and sleeps, as a worker is
        // (`Sleep::start_idle`, `end_idle`).
        let mut idle = false;
        loop {
            if let Some(job) = self.steal() {
                if idle {
                    self.sleep.end_idle(|| self.injector.lock().unwrap().len());
                    idle = false;
                }
                self.ran[job].fetch_add(1, Ordering::SeqCst);
                let (set, changed) = &self.latches[job];
                *set.lock().unwrap() = true;
                changed.notify_all();
                continue;
            }
            if self.closed.load(Ordering::SeqCst) {
                if idle {
                    self.sleep.end_idle(|| 0);
                }
                return;
            }
            if !idle {
                self.sleep.start_idle();
                idle = true;
            }
            if self.sleep.sleep(
                || !self.injector.lock().unwrap().is_empty(),
                || self.closed.load(Ordering::SeqCst),
            ) {
                self.sleep.woken(|| self.injector.lock().unwrap().len());
            }
        }
    }
}

/// Two outside callers, a pool with no worker, and a worker created while
/// they take their jobs back; returns whether each caller's job ran.
fn scenario(pool: &Arc<Pool>) -> [bool; CALLERS] {
    let callers = [0, 1].map(|id| {
        let pool = Arc::clone(pool);
        thread::spawn(move || pool.install(id))
    });
    // `create_workers`: counted alive before the thread runs.
    pool.alive.fetch_add(1, Ordering::SeqCst);
    let worker = {
        let pool = Arc::clone(pool);
        thread::spawn(move || pool.worker())
    };
    let ran = callers.map(|caller| caller.join().unwrap());
    pool.closed.store(true, Ordering::SeqCst);
    pool.sleep.notify_all();
    worker.join().unwrap();
    ran
}

#[test]
fn two_install_callers_and_a_new_worker_never_wait_for_ever() {
    model("take_back::two_callers_and_a_new_worker", || {
        let pool = Pool::new(true);
        let ran = scenario(&pool);
        for (id, ran) in ran.into_iter().enumerate() {
            // Ran exactly once, or was taken back and never ran.
            assert_eq!(
                pool.ran[id].load(Ordering::SeqCst),
                usize::from(ran),
                "job {id}"
            );
        }
    });
}

/// The code before the fix: loom finds the interleaving where both callers
/// wait on their latches and the worker sleeps (a deadlock, which loom
/// reports by panicking).
#[test]
#[should_panic(expected = "deadlock")]
fn without_the_wake_up_two_callers_and_a_new_worker_deadlock() {
    model("take_back::without_the_wake_up", || {
        let pool = Pool::new(false);
        scenario(&pool);
    });
}
