//! Model checks, under loom, of two ways a wake-up is lost when the work
//! it was owed for sits on a worker's own deque: the sleep protocol's
//! ledger of wake-ups still owed (`Sleep::notify_queued`'s `queued`, the
//! idle rule's and the cap rule's `queued() <= idle`, `hand_on`'s and
//! `woken`'s re-reads) counts the injector only.
//!
//! Unlike `loom_sleep.rs`, the jobs here are told apart: some wait at a
//! gate that only another one opens, as requests that wait for each other
//! do, so every one needs a worker of its own at the same time. The queues
//! are `VecDeque`s under loom mutexes (stronger than crossbeam's deques:
//! a model that hangs with them hangs with weaker queues too). A lost
//! wake-up leaves a worker waiting on the sleep condvar while the others
//! wait at the gate, which loom reports as a deadlock.
//!
//! Run one model with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p threadpool-core --release --test loom_cap_review -- --test-threads=1 --nocapture`.
#![cfg(loom)]

use std::collections::VecDeque;
use std::sync::Arc;

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::{Condvar, Mutex};
use loom::thread;
use threadpool_core::__loom::Sleep;

mod loom_common;
use loom_common::model;

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Job {
    /// Waits at the gate until `Open` ran.
    Wait,
    /// Opens the gate.
    Open,
    /// Pushes `Open` onto its own worker's deque (a spawn or a put through
    /// a handle from a job: `WorkerContext::push`, then the fenced
    /// `notify_one`), then pushes a `Wait` onto the injector (a put
    /// through a handle from outside, here made by the same job for a
    /// smaller model: `Shared::push`'s `notify_queued`), then waits at the
    /// gate.
    SpawnThenPut,
}

/// How a search takes from the injector.
#[derive(Clone, Copy, PartialEq)]
enum Batches {
    /// One job at a time.
    Never,
    /// A batch of two once the injector holds `BATCH_AT`, moved onto the
    /// searcher's deque in one step (under the injector's lock): the
    /// second job is always in one queue or the other.
    Atomic,
    /// The same batch in two steps, as crossbeam's
    /// `steal_batch_with_limit_and_pop` does: the batch is claimed from
    /// the injector (its head moves), then published on the deque (its
    /// back moves); in between it is in neither.
    Split,
}

/// Injector length at which a search takes a batch of two, one to run and
/// one onto its own deque (`steal_work`'s share: the queue over the
/// workers, here lowered to the smallest queue that shows it).
const BATCH_AT: usize = 3;

struct Pool {
    injector: Mutex<VecDeque<Job>>,
    /// The workers' own deques: the owner pops the newest, thieves take
    /// the oldest.
    locals: Vec<Mutex<VecDeque<Job>>>,
    sleep: Sleep,
    gate: Mutex<bool>,
    gate_changed: Condvar,
    ran: AtomicUsize,
    /// Set once every expected job ran, so that idle workers leave.
    done: AtomicBool,
    expected: usize,
    batches: Batches,
}

impl Pool {
    fn new(workers: usize, expected: usize, batches: Batches) -> Arc<Self> {
        Arc::new(Pool {
            injector: Mutex::new(VecDeque::new()),
            locals: (0..workers).map(|_| Mutex::new(VecDeque::new())).collect(),
            sleep: Sleep::new(),
            gate: Mutex::new(false),
            gate_changed: Condvar::new(),
            ran: AtomicUsize::new(0),
            done: AtomicBool::new(false),
            expected,
            batches,
        })
    }

    /// The protocol's `Shared::queued`: the injector's length.
    fn queued(&self) -> usize {
        self.injector.lock().unwrap().len()
    }

    /// Every queue a worker can take from (`Shared::has_work_in`).
    fn has_work(&self) -> bool {
        !self.injector.lock().unwrap().is_empty()
            || self.locals.iter().any(|l| !l.lock().unwrap().is_empty())
    }

    /// `find_work`: own deque, the injector (maybe a batch), then the
    /// other deques.
    fn find(&self, me: usize) -> Option<Job> {
        if let Some(job) = self.locals[me].lock().unwrap().pop_back() {
            return Some(job);
        }
        {
            let mut injector = self.injector.lock().unwrap();
            if self.batches != Batches::Never && injector.len() >= BATCH_AT {
                let first = injector.pop_front();
                let second = injector.pop_front().unwrap();
                let mut local = self.locals[me].lock().unwrap();
                if self.batches == Batches::Split {
                    drop(local);
                    drop(injector);
                    local = self.locals[me].lock().unwrap();
                }
                // Lands on this worker's deque with no notify after it,
                // as in `steal_work`.
                local.push_back(second);
                return first;
            }
            if let Some(job) = injector.pop_front() {
                return Some(job);
            }
        }
        (0..self.locals.len())
            .filter(|&other| other != me)
            .find_map(|other| self.locals[other].lock().unwrap().pop_front())
    }

    fn wait_at_gate(&self) {
        let mut open = self.gate.lock().unwrap();
        while !*open {
            open = self.gate_changed.wait(open).unwrap();
        }
    }

    fn run(&self, me: usize, job: Job) {
        match job {
            Job::Wait => self.wait_at_gate(),
            Job::Open => {
                *self.gate.lock().unwrap() = true;
                self.gate_changed.notify_all();
            }
            Job::SpawnThenPut => {
                self.locals[me].lock().unwrap().push_back(Job::Open);
                self.sleep.notify_one();
                self.injector.lock().unwrap().push_back(Job::Wait);
                self.sleep.notify_queued(|| self.queued());
                self.wait_at_gate();
            }
        }
    }

    /// `main_loop` without the spin: take a job (ending the idle count,
    /// which may pass a skipped wake-up on) or count as idle and sleep,
    /// and after a claim's wake-up start the next one (`woken`).
    fn work(&self, me: usize) {
        let mut idle = false;
        loop {
            if self.done.load(Ordering::SeqCst) {
                if idle {
                    self.sleep.end_idle(|| self.queued());
                }
                return;
            }
            if let Some(job) = self.find(me) {
                if idle {
                    idle = false;
                    self.sleep.end_idle(|| self.queued());
                }
                self.run(me, job);
                if self.ran.fetch_add(1, Ordering::SeqCst) + 1 == self.expected {
                    self.done.store(true, Ordering::SeqCst);
                    self.sleep.notify_all();
                }
                continue;
            }
            if !idle {
                idle = true;
                self.sleep.start_idle();
            }
            if self
                .sleep
                .sleep(|| self.has_work(), || self.done.load(Ordering::SeqCst))
            {
                self.sleep.woken(|| self.queued());
            }
        }
    }
}

fn spawn_workers(pool: &Arc<Pool>) -> Vec<thread::JoinHandle<()>> {
    (0..pool.locals.len())
        .map(|me| {
            let pool = Arc::clone(pool);
            thread::spawn(move || pool.work(me))
        })
        .collect()
}

/// The cap rule and a batch: three workers going to sleep, and one batch
/// put (`put_requests`: three pushes, then `notify_many(3)`) of `Wait`,
/// `Open`, `Wait`. Three workers suffice: one for each `Wait`, one for
/// `Open`. The put starts one wake-up (the cap is 1 here); the woken
/// worker starts the next (`woken`: 3 queued, 1 idle) and takes `Wait`
/// with `Open` as a batch, `Open` onto its own deque. The second woken
/// worker sees 1 queued and itself idle, skips, takes the last `Wait`, and
/// its `hand_on` reads an empty injector: the third worker sleeps for ever
/// while `Open` waits on a deque.
///
/// The batch moves in one step here, so that only the cap rule is at
/// fault: with the cap check removed from `notify_queued` this model
/// passes.
#[test]
fn batch_on_a_deque_with_the_cap() {
    model("cap_review::batch_on_a_deque_with_the_cap", || {
        let pool = Pool::new(3, 3, Batches::Atomic);
        let workers = spawn_workers(&pool);
        pool.injector
            .lock()
            .unwrap()
            .extend([Job::Wait, Job::Open, Job::Wait]);
        pool.sleep.notify_many(3);
        for worker in workers {
            worker.join().unwrap();
        }
        assert_eq!(pool.ran.load(Ordering::SeqCst), 3);
    });
}

/// The same put without batches: each job is taken from the injector one
/// by one, and the chain of wake-ups (`woken`, `hand_on`) reaches a worker
/// for each. Shows the model itself is live, so that the deadlock above is
/// the batch's.
#[test]
fn same_put_without_batches() {
    model("cap_review::same_put_without_batches", || {
        let pool = Pool::new(3, 3, Batches::Never);
        let workers = spawn_workers(&pool);
        pool.injector
            .lock()
            .unwrap()
            .extend([Job::Wait, Job::Open, Job::Wait]);
        pool.sleep.notify_many(3);
        for worker in workers {
            worker.join().unwrap();
        }
        assert_eq!(pool.ran.load(Ordering::SeqCst), 3);
    });
}

/// The idle rule and a push onto a worker's own deque (older than the cap
/// rule): worker 0 runs `SpawnThenPut` (already on its deque), the other
/// two go to sleep. The `notify_one` for `Open` claims a sleeper and counts
/// it idle; the put of `Wait` then sees that worker idle and 1 queued, and
/// skips. The claimed worker searches the injector before other deques,
/// takes `Wait`, and its `hand_on` reads an empty injector: the third
/// worker sleeps for ever while `Open` waits on worker 0's deque.
#[test]
fn own_deque_push_then_injector_put() {
    model("cap_review::own_deque_push_then_injector_put", || {
        let pool = Pool::new(3, 3, Batches::Never);
        pool.locals[0].lock().unwrap().push_back(Job::SpawnThenPut);
        let workers = spawn_workers(&pool);
        for worker in workers {
            worker.join().unwrap();
        }
        assert_eq!(pool.ran.load(Ordering::SeqCst), 3);
    });
}

/// A batch in flight (older than the cap rule, and without any wake-up
/// skipped): `Wait`, `Open`, `Wait` are queued before the three workers
/// start. One takes `Wait` and `Open` as a batch; while `Open` is between
/// the injector and its deque, another takes the last `Wait`, and the
/// third re-checks every queue, finds nothing, and sleeps. No notify
/// follows the batch's landing on the deque, so nobody wakes it: both
/// `Wait`s block with `Open` on a deque.
#[test]
fn batch_in_flight_is_missed_by_a_re_check() {
    model(
        "cap_review::batch_in_flight_is_missed_by_a_re_check",
        || {
            let pool = Pool::new(3, 3, Batches::Split);
            pool.injector
                .lock()
                .unwrap()
                .extend([Job::Wait, Job::Open, Job::Wait]);
            let workers = spawn_workers(&pool);
            for worker in workers {
                worker.join().unwrap();
            }
            assert_eq!(pool.ran.load(Ordering::SeqCst), 3);
        },
    );
}
