//! Model checks, under loom, of the protocols that keep the pool live with
//! bounded queues (see `src/worker/README.md`, "Liveness with bounded
//! queues"):
//!
//! - the result-room handshake (`ResultRoom` in `src/registry.rs`, the
//!   pool's own code): a put from outside the pool that waits for the
//!   poller to make room is never left waiting once room is made, or once
//!   the pool shuts down;
//! - blocking on the polling thread while results are unpolled: workers
//!   never wait on the result queue, so the poller may block on one of them
//!   (`install`) with the queue at its bound, while an outside producer
//!   waits for room; every result is delivered once, in each worker's order;
//! - a worker that waits for room in the request queue runs queued work
//!   meanwhile (`Shared::wait_for_slot_on_worker`), nesting at most to a
//!   limit and then putting over the bound: no deadlock with one worker;
//! - the wake-up on unwind of `put_requests` (`Unwoken` in `src/pool.rs`):
//!   requests pushed before the iterator panicked still wake a sleeper
//!   (the pool's own `Sleep`).
//!
//! loom cannot instrument `crossbeam-channel` or `crossbeam-deque`, so the
//! queues are loom mutexes around `VecDeque`s, as in the other models.
//! A loom deadlock (every thread blocked) fails a model.
//!
//! Run with `cargo xtask loom`.
#![cfg(loom)]

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::{Condvar, Mutex};
use loom::thread;
use threadpool_core::__loom::{ResultRoom, Sleep};

mod loom_common;
use loom_common::model;

/// A queue with a blocking receive: the stand-in for a channel.
struct Queue<T> {
    items: Mutex<VecDeque<T>>,
    changed: Condvar,
}

impl<T> Queue<T> {
    fn new() -> Self {
        Queue {
            items: Mutex::new(VecDeque::new()),
            changed: Condvar::new(),
        }
    }

    fn push(&self, item: T) {
        self.items.lock().unwrap().push_back(item);
        self.changed.notify_all();
    }

    fn len(&self) -> usize {
        self.items.lock().unwrap().len()
    }

    /// Blocks until an item arrives or `closed` holds.
    fn pop(&self, closed: &AtomicBool) -> Option<T> {
        let mut items = self.items.lock().unwrap();
        loop {
            if let Some(item) = items.pop_front() {
                return Some(item);
            }
            if closed.load(Ordering::SeqCst) {
                return None;
            }
            items = self.changed.wait(items).unwrap();
        }
    }

    fn close(&self, closed: &AtomicBool) {
        let _items = self.items.lock().unwrap();
        closed.store(true, Ordering::SeqCst);
        self.changed.notify_all();
    }
}

/// A producer waits for room while the poller takes the one result off a
/// queue at its bound of one: the producer always gets in. The queue's
/// length is an atomic written with Release and read with Acquire, weaker
/// than the channel's own SeqCst indices, so that only the fences of
/// `ResultRoom::wait` and `made_room` make one side see the other.
#[test]
fn a_producer_waiting_for_result_room_is_woken_when_room_is_made() {
    model("liveness::result_room_wake_up", || {
        let queued = Arc::new(AtomicUsize::new(1));
        let room = Arc::new(ResultRoom::new());
        let producer = {
            let (queued, room) = (Arc::clone(&queued), Arc::clone(&room));
            thread::spawn(move || room.wait(|| queued.load(Ordering::Acquire) < 1, || false))
        };
        // The poller takes the result, then makes room.
        queued.fetch_sub(1, Ordering::Release);
        room.made_room();
        assert!(producer.join().unwrap(), "woken for room");
    });
}

/// Two producers wait for room at once, and the poller takes two results
/// one after the other: both get in.
#[test]
fn two_producers_waiting_for_result_room_both_get_in() {
    model("liveness::result_room_two_producers", || {
        let queued = Arc::new(AtomicUsize::new(2));
        let room = Arc::new(ResultRoom::new());
        let producers = [1, 0].map(|at_most| {
            let (queued, room) = (Arc::clone(&queued), Arc::clone(&room));
            thread::spawn(move || room.wait(|| queued.load(Ordering::Acquire) <= at_most, || false))
        });
        for _ in 0..2 {
            queued.fetch_sub(1, Ordering::Release);
            room.made_room();
        }
        for producer in producers {
            assert!(producer.join().unwrap());
        }
    });
}

/// A producer waits for room that never comes (the poller does not poll)
/// and the pool shuts down: it is released, seeing the shutdown.
#[test]
fn shutdown_releases_a_producer_waiting_for_result_room() {
    model("liveness::result_room_shutdown", || {
        let room = Arc::new(ResultRoom::new());
        let shutdown = Arc::new(AtomicBool::new(false));
        let producer = {
            let (room, shutdown) = (Arc::clone(&room), Arc::clone(&shutdown));
            thread::spawn(move || room.wait(|| false, || shutdown.load(Ordering::SeqCst)))
        };
        // `Shared::shut_down`: the flag first, then the wake-up.
        shutdown.store(true, Ordering::SeqCst);
        room.wake_all();
        assert!(!producer.join().unwrap(), "released by the shutdown");
    });
}

enum Job {
    Request(usize),
    /// An `install` job: sets the latch its caller blocks on.
    Install,
}

/// The polling thread blocks in `install` with the result queue at its
/// bound (one) and not polled, while an outside producer waits for room:
/// the worker hands in its results without waiting, runs the install job,
/// and once the poller takes the results, the producer gets in. Every
/// result is delivered once, the worker's in the order it produced them.
#[test]
fn blocking_on_the_polling_thread_while_results_are_unpolled() {
    model("liveness::blocking_poller_with_full_results", || {
        const BOUND: usize = 1;
        let jobs = Arc::new(Queue::new());
        let results = Arc::new(Queue::new());
        let room = Arc::new(ResultRoom::new());
        let closed = Arc::new(AtomicBool::new(false));
        let latch = Arc::new(Queue::new());
        let worker = {
            let (jobs, results, closed, latch) = (
                Arc::clone(&jobs),
                Arc::clone(&results),
                Arc::clone(&closed),
                Arc::clone(&latch),
            );
            thread::spawn(move || {
                while let Some(job) = jobs.pop(&closed) {
                    match job {
                        // `run_request`: the send never waits.
                        Job::Request(id) => results.push(id),
                        Job::Install => latch.push(()),
                    }
                }
            })
        };
        let producer = {
            let (jobs, results, room) =
                (Arc::clone(&jobs), Arc::clone(&results), Arc::clone(&room));
            thread::spawn(move || {
                // `PoolHandle::put` from outside: room first, then the push.
                assert!(room.wait(|| results.len() < BOUND, || false));
                jobs.push(Job::Request(2));
            })
        };
        jobs.push(Job::Request(0));
        jobs.push(Job::Request(1));
        // `install` on the polling thread: push, block on the latch; no
        // polling meanwhile.
        jobs.push(Job::Install);
        let never = AtomicBool::new(false);
        assert_eq!(latch.pop(&never), Some(()));
        // `wait`: take every result, making room after each.
        let mut delivered = Vec::new();
        while delivered.len() < 3 {
            delivered.push(results.pop(&never).unwrap());
            room.made_room();
        }
        producer.join().unwrap();
        jobs.close(&closed);
        worker.join().unwrap();
        let mine: Vec<_> = delivered.iter().copied().filter(|&id| id < 2).collect();
        assert_eq!(mine, [0, 1], "the worker's order");
        let mut all = delivered;
        all.sort_unstable();
        assert_eq!(all, [0, 1, 2], "each result once");
    });
}

/// The bounded request queue of `loom_slots.rs`, with the queue of jobs:
/// a slot is taken by a put and given back when a worker starts the job.
struct Slots {
    bound: usize,
    taken: Mutex<usize>,
    /// Notified when a slot is given back or a job is pushed: the stand-in
    /// for the worker's wait for a token with re-checks for work at growing
    /// intervals (a timeout always comes; the model wakes on the events a
    /// timeout would find).
    changed: Condvar,
    queue: Mutex<VecDeque<usize>>,
    ran: [AtomicUsize; 6],
    /// The deepest nesting of waits for room seen.
    deepest: AtomicUsize,
    /// Jobs put over the bound (past the nesting limit).
    over_bound: AtomicUsize,
}

/// The pool's `MAX_NESTED_WAITS`, small enough for the model to reach.
const MAX_NESTED: usize = 1;

impl Slots {
    fn new(bound: usize) -> Arc<Self> {
        Arc::new(Slots {
            bound,
            taken: Mutex::new(0),
            changed: Condvar::new(),
            queue: Mutex::new(VecDeque::new()),
            ran: [0; 6].map(AtomicUsize::new),
            deepest: AtomicUsize::new(0),
            over_bound: AtomicUsize::new(0),
        })
    }

    fn try_take(&self) -> bool {
        let mut taken = self.taken.lock().unwrap();
        if *taken < self.bound {
            *taken += 1;
            true
        } else {
            false
        }
    }

    fn push(&self, job: usize, holds_slot: bool) {
        self.queue
            .lock()
            .unwrap()
            .push_back(job * 2 + usize::from(holds_slot));
        let _taken = self.taken.lock().unwrap();
        self.changed.notify_all();
    }

    /// `run_request`: give the slot back, then run.
    fn run(&self, entry: usize, depth: usize) {
        let (job, holds_slot) = (entry / 2, entry % 2 == 1);
        if holds_slot {
            let mut taken = self.taken.lock().unwrap();
            assert!(*taken > 0, "a started request found no token");
            *taken -= 1;
            self.changed.notify_all();
        }
        self.ran[job].fetch_add(1, Ordering::SeqCst);
        // Job 0 puts jobs 1 and 2 from the worker; job 1 (run nested
        // while job 0 waits) puts jobs 3 and 4.
        match job {
            0 => {
                self.put_on_worker(1, depth);
                self.put_on_worker(2, depth);
            }
            1 => {
                self.put_on_worker(3, depth);
                self.put_on_worker(4, depth);
            }
            _ => {}
        }
    }

    /// `Shared::wait_for_slot_on_worker`: take a slot; else run a queued
    /// job nested (up to the limit), else wait for a slot or a push.
    fn put_on_worker(&self, job: usize, depth: usize) {
        loop {
            if self.try_take() {
                self.push(job, true);
                return;
            }
            if depth >= MAX_NESTED {
                self.over_bound.fetch_add(1, Ordering::SeqCst);
                self.push(job, false);
                return;
            }
            let queued = self.queue.lock().unwrap().pop_front();
            if let Some(entry) = queued {
                self.deepest.fetch_max(depth + 1, Ordering::SeqCst);
                self.run(entry, depth + 1);
                continue;
            }
            let taken = self.taken.lock().unwrap();
            let nothing_queued = self.queue.lock().unwrap().is_empty();
            if *taken == self.bound && nothing_queued {
                drop(self.changed.wait(taken).unwrap());
            }
        }
    }

    fn all_ran(&self) -> bool {
        self.ran.iter().all(|ran| ran.load(Ordering::SeqCst) > 0)
    }

    /// The worker loop, until every job ran (then the poller's `wait`,
    /// which joins the worker here, would return).
    fn worker(&self) {
        loop {
            let queued = self.queue.lock().unwrap().pop_front();
            if let Some(entry) = queued {
                self.run(entry, 0);
                continue;
            }
            let taken = self.taken.lock().unwrap();
            if self.all_ran() {
                return;
            }
            if self.queue.lock().unwrap().is_empty() {
                drop(self.changed.wait(taken).unwrap());
            }
        }
    }

    /// A blocking put from outside the pool (the poller's): waits for a
    /// slot, running nothing.
    fn put_from_outside(&self, job: usize) {
        loop {
            if self.try_take() {
                self.push(job, true);
                return;
            }
            let taken = self.taken.lock().unwrap();
            if *taken == self.bound {
                drop(self.changed.wait(taken).unwrap());
            }
        }
    }
}

/// One worker, a request queue of one slot, and the poller putting job 5
/// at the same time: job 0 puts two jobs from the worker; the first, run
/// nested while job 0 waits for room, puts two more, past the nesting
/// limit if the queue is still full. The worker runs queued jobs while it
/// waits, and past the limit puts over the bound: every job runs exactly
/// once, nothing deadlocks, and every slot comes back.
#[test]
fn a_worker_waiting_for_room_runs_queued_work() {
    model("liveness::worker_waits_for_room", || {
        let slots = Slots::new(1);
        assert!(slots.try_take());
        slots.push(0, true);
        let worker = {
            let slots = Arc::clone(&slots);
            thread::spawn(move || slots.worker())
        };
        slots.put_from_outside(5);
        worker.join().unwrap();
        for (job, ran) in slots.ran.iter().enumerate() {
            assert_eq!(ran.load(Ordering::SeqCst), 1, "job {job}");
        }
        assert!(slots.deepest.load(Ordering::SeqCst) <= MAX_NESTED);
        assert_eq!(*slots.taken.lock().unwrap(), 0, "tokens left behind");
    });
}

/// `put_requests`: the batch pushes two requests without waking anyone
/// (it wakes once per 64, or at the end), then the iterator panics. The
/// guard's drop, during the unwind, wakes a sleeper for both: the sleeping
/// worker runs them.
#[test]
fn the_wake_up_on_unwind_reaches_a_sleeping_worker() {
    // The panic is on purpose, once per interleaving: keep stderr quiet.
    // (Chained: loom's coroutines filter their own panics in the hook
    // they installed.)
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !info.to_string().contains("the iterator fails") {
            previous(info);
        }
    }));
    model("liveness::wake_up_on_unwind", || {
        struct Pool {
            injector: Mutex<VecDeque<usize>>,
            sleep: Sleep,
            ran: AtomicUsize,
        }
        /// `Unwoken` of `Core::put_requests`.
        struct Unwoken<'p> {
            pool: &'p Pool,
            count: usize,
        }
        impl Drop for Unwoken<'_> {
            fn drop(&mut self) {
                self.pool.sleep.notify_many(std::mem::take(&mut self.count));
            }
        }
        let pool = Arc::new(Pool {
            injector: Mutex::new(VecDeque::new()),
            sleep: Sleep::new(),
            ran: AtomicUsize::new(0),
        });
        let worker = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                // Runs the two requests, then leaves; a lost wake-up leaves
                // it asleep and the join below blocked: a loom deadlock.
                // Counted idle while it searches and sleeps, as a worker
                // is (`Sleep::start_idle`, `end_idle`).
                let mut idle = false;
                while pool.ran.load(Ordering::SeqCst) < 2 {
                    let job = pool.injector.lock().unwrap().pop_front();
                    if job.is_some() {
                        if idle {
                            pool.sleep.end_idle(|| pool.injector.lock().unwrap().len());
                            idle = false;
                        }
                        pool.ran.fetch_add(1, Ordering::SeqCst);
                        continue;
                    }
                    if !idle {
                        pool.sleep.start_idle();
                        idle = true;
                    }
                    if pool
                        .sleep
                        .sleep(|| !pool.injector.lock().unwrap().is_empty(), || false)
                    {
                        pool.sleep.woken(|| pool.injector.lock().unwrap().len());
                    }
                }
                if idle {
                    pool.sleep.end_idle(|| 0);
                }
            })
        };
        let unwound = catch_unwind(AssertUnwindSafe(|| {
            let mut unwoken = Unwoken {
                pool: &pool,
                count: 0,
            };
            for n in 0..3 {
                if n == 2 {
                    panic!("the iterator fails");
                }
                pool.injector.lock().unwrap().push_back(n);
                unwoken.count += 1;
            }
        }));
        assert!(unwound.is_err());
        // The poller's `wait` returns once both ran.
        worker.join().unwrap();
        assert_eq!(pool.ran.load(Ordering::SeqCst), 2);
    });
}
