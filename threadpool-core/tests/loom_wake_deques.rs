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
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p threadpool-core --release --test loom_wake_deques -- --test-threads=1 --nocapture`.
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
    fixes: Fixes,
}

/// The proposed fixes, each on or off in a model.
#[derive(Clone, Copy, Default)]
struct Fixes {
    /// A batch that landed on a worker's deque is followed by a fenced
    /// notify (`steal_work`), which the idle and cap rules may skip as for
    /// a put (`notify_queued`), so it needs `hand_on_sees_deques` too.
    notify_after_batch: bool,
    /// The idle rule's hand-on (`end_idle`) counts the jobs on the
    /// workers' deques too (as one when any holds one), not the injector
    /// only (`WorkerContext::end_idle`).
    hand_on_sees_deques: bool,
}

impl Pool {
    fn new(workers: usize, expected: usize, batches: Batches, fixes: Fixes) -> Arc<Self> {
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
            fixes,
        })
    }

    /// The protocol's `Shared::queued`: the injector's length.
    fn queued(&self) -> usize {
        self.injector.lock().unwrap().len()
    }

    /// Every queue a worker can take from (`Shared::has_work_in`).
    fn has_work(&self) -> bool {
        !self.injector.lock().unwrap().is_empty() || self.has_local_work()
    }

    fn has_local_work(&self) -> bool {
        self.locals.iter().any(|l| !l.lock().unwrap().is_empty())
    }

    /// What `end_idle`'s hand-on reads.
    fn queued_for_hand_on(&self) -> usize {
        if self.fixes.hand_on_sees_deques {
            self.queued() + usize::from(self.has_local_work())
        } else {
            self.queued()
        }
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
                if self.batches == Batches::Split {
                    drop(injector);
                    self.locals[me].lock().unwrap().push_back(second);
                } else {
                    self.locals[me].lock().unwrap().push_back(second);
                    drop(injector);
                }
                // Landed on this worker's deque with no notify after it, as
                // in `steal_work`, unless fixed.
                if self.fixes.notify_after_batch {
                    self.sleep.notify_queued(|| 1);
                }
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
                    self.sleep.end_idle(|| self.queued_for_hand_on());
                }
                return;
            }
            if let Some(job) = self.find(me) {
                if idle {
                    idle = false;
                    self.sleep.end_idle(|| self.queued_for_hand_on());
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

/// Runs `put` (which queues jobs and may wake workers) against three
/// workers and checks that all `expected` jobs ran; `prepare` sets up the
/// pool before the workers start.
fn check(
    name: &str,
    batches: Batches,
    fixes: Fixes,
    prepare: fn(&Pool),
    put: fn(&Pool),
    expected: usize,
) {
    model(name, move || {
        let pool = Pool::new(3, expected, batches, fixes);
        prepare(&pool);
        let workers = spawn_workers(&pool);
        put(&pool);
        for worker in workers {
            worker.join().unwrap();
        }
        assert_eq!(pool.ran.load(Ordering::SeqCst), expected);
    });
}

/// A batch put (`put_requests`: three pushes, then `notify_many(3)`) of
/// `Wait`, `Open`, `Wait`.
fn batch_put(pool: &Pool) {
    pool.injector
        .lock()
        .unwrap()
        .extend([Job::Wait, Job::Open, Job::Wait]);
    pool.sleep.notify_many(3);
}

fn nothing(_: &Pool) {}

/// The cap rule and a batch: three workers going to sleep and a batch put
/// of `Wait`, `Open`, `Wait`. Three workers suffice: one for each `Wait`,
/// one for `Open`. The put starts one wake-up (the cap is 1 here); the
/// woken worker starts the next (`woken`: 3 queued, 1 idle) and takes
/// `Wait` with `Open` as a batch, `Open` onto its own deque. The second
/// woken worker sees 1 queued and itself idle, skips, takes the last
/// `Wait`, and its `hand_on` reads an empty injector: the third worker
/// sleeps for ever while `Open` waits on a deque. Loom reports the
/// deadlock; this test asserts that it does.
///
/// The batch moves in one step here, so that only the cap rule is at
/// fault: with the cap check removed from `notify_queued` the same model
/// passes (checked by hand).
#[test]
#[should_panic(expected = "deadlock")]
fn batch_on_a_deque_with_the_cap_hangs() {
    check(
        "wake_deques::batch_on_a_deque_with_the_cap_hangs",
        Batches::Atomic,
        Fixes::default(),
        nothing,
        batch_put,
        3,
    );
}

/// The model above with the hand-on reading the deques too: the second
/// woken worker's hand-on sees `Open` and wakes the third worker.
#[test]
fn batch_on_a_deque_with_the_cap_and_a_hand_on_that_sees_deques() {
    check(
        "wake_deques::batch_on_a_deque_with_the_cap_and_a_hand_on_that_sees_deques",
        Batches::Atomic,
        Fixes {
            hand_on_sees_deques: true,
            ..Fixes::default()
        },
        nothing,
        batch_put,
        3,
    );
}

/// The same put without batches: each job is taken from the injector one
/// by one, and the chain of wake-ups (`woken`, `hand_on`) reaches a worker
/// for each. Shows that the model itself is live, so that the deadlocks
/// here are the deques'.
#[test]
fn same_put_without_batches() {
    check(
        "wake_deques::same_put_without_batches",
        Batches::Never,
        Fixes::default(),
        nothing,
        batch_put,
        3,
    );
}

/// Worker 0 starts with `SpawnThenPut` on its deque.
fn spawn_then_put(pool: &Pool) {
    pool.locals[0].lock().unwrap().push_back(Job::SpawnThenPut);
}

/// The idle rule and a push onto a worker's own deque (older than the cap
/// rule: this model deadlocks with the sleep module from before the cap rule
/// too): worker 0 runs `SpawnThenPut`, the other two go to sleep. The
/// `notify_one` for `Open` claims a sleeper and counts it idle; the put of
/// `Wait` then sees that worker idle and 1 queued, and skips. The claimed
/// worker searches the injector before other deques, takes `Wait`, and its
/// `hand_on` reads an empty injector: the third worker sleeps for ever
/// while `Open` waits on worker 0's deque.
#[test]
#[should_panic(expected = "deadlock")]
fn own_deque_push_then_injector_put_hangs() {
    check(
        "wake_deques::own_deque_push_then_injector_put_hangs",
        Batches::Never,
        Fixes::default(),
        spawn_then_put,
        nothing,
        3,
    );
}

/// The model above with the hand-on reading the deques too.
#[test]
fn own_deque_push_then_injector_put_with_a_hand_on_that_sees_deques() {
    check(
        "wake_deques::own_deque_push_then_injector_put_with_a_hand_on_that_sees_deques",
        Batches::Never,
        Fixes {
            hand_on_sees_deques: true,
            ..Fixes::default()
        },
        spawn_then_put,
        nothing,
        3,
    );
}

/// `Wait`, `Open`, `Wait` queued before the workers start.
fn queued_before(pool: &Pool) {
    pool.injector
        .lock()
        .unwrap()
        .extend([Job::Wait, Job::Open, Job::Wait]);
}

/// A batch in flight (older than the cap rule, and skips no wake-up): `Wait`, `Open`, `Wait` are queued
/// before the three workers start. One takes `Wait` and `Open` as a batch;
/// while `Open` is between the injector and its deque, another takes the
/// last `Wait`, and the third re-checks every queue, finds nothing, and
/// sleeps. No notify follows the batch's landing on the deque, so nobody
/// wakes it: both `Wait`s block with `Open` on a deque.
#[test]
#[should_panic(expected = "deadlock")]
fn batch_in_flight_is_missed_by_a_re_check_hangs() {
    check(
        "wake_deques::batch_in_flight_is_missed_by_a_re_check_hangs",
        Batches::Split,
        Fixes::default(),
        queued_before,
        nothing,
        3,
    );
}

/// The model above with the fenced notify after the batch landed: either
/// the third worker's re-check sees `Open` on the deque, or that notify
/// sees the third worker asleep and wakes it (or skips for an idle worker,
/// whose hand-on then sees `Open`).
#[test]
fn batch_in_flight_with_a_notify_after_the_batch() {
    check(
        "wake_deques::batch_in_flight_with_a_notify_after_the_batch",
        Batches::Split,
        Fixes {
            notify_after_batch: true,
            hand_on_sees_deques: true,
        },
        queued_before,
        nothing,
        3,
    );
}

/// Both fixes, a split batch and the cap: the batch put of the first model.
#[test]
fn batch_put_with_both_fixes() {
    check(
        "wake_deques::batch_put_with_both_fixes",
        Batches::Split,
        Fixes {
            notify_after_batch: true,
            hand_on_sees_deques: true,
        },
        nothing,
        batch_put,
        3,
    );
}
