//! Model checks of the bounded request queue's slot accounting under loom.
//!
//! The pool bounds requests put and not yet started with a
//! `crossbeam_channel::bounded(q)` of `()` used as a counting semaphore
//! (`Shared::acquire_slot`, `ThreadPool::acquire_slot`,
//! `Shared::release_slot`): a put sends a token (`try_send`, or a `Select`
//! send that blocks or has a deadline) *before* it pushes the job; a worker
//! receives one (`try_recv`) when it starts a request. loom cannot
//! instrument the channel, so the model keeps its state, the number of
//! tokens in it, under a loom mutex, with the channel's three ways to send
//! and its `try_recv`; a deadline is a timer thread that may fire at any
//! point. The puts and the worker follow the pool's code.
//!
//! Checked: the count never exceeds the bound; a worker's release always
//! finds the token its request took (so the count cannot drift); every put
//! either runs its job exactly once or hands the request back, never both;
//! every token is returned at the end.
//!
//! Run with `cargo xtask loom`.
#![cfg(loom)]

use std::collections::VecDeque;
use std::sync::Arc;

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::{Condvar, Mutex};
use loom::thread;

mod loom_common;
use loom_common::model;

#[derive(Debug, PartialEq)]
enum PutResult {
    Put,
    /// The request came back to the caller (`Full` or `Timeout`).
    HandedBack,
}

const JOBS: usize = 3;

struct Pool {
    bound: usize,
    /// Tokens in the slot channel.
    slots: Mutex<usize>,
    slots_changed: Condvar,
    /// The deadline of a timed put has passed.
    expired: AtomicBool,
    /// The scheduler's queues, as one.
    queue: Mutex<VecDeque<usize>>,
    queue_changed: Condvar,
    /// No more puts will come; the worker may leave once the queue is empty.
    closed: AtomicBool,
    ran: [AtomicUsize; JOBS],
}

impl Pool {
    fn new(bound: usize) -> Arc<Self> {
        Arc::new(Pool {
            bound,
            slots: Mutex::new(0),
            slots_changed: Condvar::new(),
            expired: AtomicBool::new(false),
            queue: Mutex::new(VecDeque::new()),
            queue_changed: Condvar::new(),
            closed: AtomicBool::new(false),
            ran: [
                AtomicUsize::new(0),
                AtomicUsize::new(0),
                AtomicUsize::new(0),
            ],
        })
    }

    /// `try_send(())` on the slot channel.
    fn try_acquire(&self) -> bool {
        let mut slots = self.slots.lock().unwrap();
        assert!(*slots <= self.bound);
        if *slots < self.bound {
            *slots += 1;
            true
        } else {
            false
        }
    }

    /// A `Select` send: blocks until a token fits, or, with a deadline,
    /// until the timer fires (then the send did not happen).
    fn acquire(&self, deadline: bool) -> bool {
        let mut slots = self.slots.lock().unwrap();
        loop {
            if *slots < self.bound {
                *slots += 1;
                return true;
            }
            if deadline && self.expired.load(Ordering::SeqCst) {
                return false;
            }
            slots = self.slots_changed.wait(slots).unwrap();
        }
    }

    /// `Shared::release_slot`: `try_recv()` on the slot channel.
    fn release(&self) {
        let mut slots = self.slots.lock().unwrap();
        assert!(*slots > 0, "a started request found no token to return");
        *slots -= 1;
        self.slots_changed.notify_all();
    }

    /// `register` then `submit`: take a slot (the fast `try_send` first, as
    /// the pool does), then push.
    fn put(&self, job: usize, mode: Mode) -> PutResult {
        let took = self.try_acquire()
            || match mode {
                Mode::Try => false,
                Mode::Block => self.acquire(false),
                Mode::Timeout => self.acquire(true),
            };
        if !took {
            return PutResult::HandedBack;
        }
        self.queue.lock().unwrap().push_back(job);
        self.queue_changed.notify_all();
        PutResult::Put
    }

    /// A worker: release the slot when a request starts, then run it.
    fn worker(&self) {
        loop {
            let job = {
                let mut queue = self.queue.lock().unwrap();
                loop {
                    if let Some(job) = queue.pop_front() {
                        break Some(job);
                    }
                    if self.closed.load(Ordering::SeqCst) {
                        break None;
                    }
                    queue = self.queue_changed.wait(queue).unwrap();
                }
            };
            let Some(job) = job else { return };
            self.release();
            self.ran[job].fetch_add(1, Ordering::SeqCst);
        }
    }

    fn close(&self) {
        let _queue = self.queue.lock().unwrap();
        self.closed.store(true, Ordering::SeqCst);
        self.queue_changed.notify_all();
    }

    fn expire(&self) {
        let _slots = self.slots.lock().unwrap();
        self.expired.store(true, Ordering::SeqCst);
        self.slots_changed.notify_all();
    }

    /// Every put ran once or came back, and every token was returned.
    fn check(&self, results: &[(usize, PutResult)]) {
        for (job, result) in results {
            let ran = self.ran[*job].load(Ordering::SeqCst);
            match result {
                PutResult::Put => assert_eq!(ran, 1, "job {job} was put"),
                PutResult::HandedBack => assert_eq!(ran, 0, "job {job} came back"),
            }
        }
        assert_eq!(*self.slots.lock().unwrap(), 0, "tokens left behind");
    }
}

#[derive(Clone, Copy)]
enum Mode {
    Block,
    Timeout,
    Try,
}

fn spawn_worker(pool: &Arc<Pool>) -> thread::JoinHandle<()> {
    let pool = Arc::clone(pool);
    thread::spawn(move || pool.worker())
}

/// (c) Blocking puts into a queue of one slot while a worker completes
/// requests: no slot lost or duplicated, every request runs once.
#[test]
fn blocking_puts_and_completions() {
    model("slots::blocking_puts_and_completions", || {
        let pool = Pool::new(1);
        let worker = spawn_worker(&pool);
        let results = vec![(0, pool.put(0, Mode::Block)), (1, pool.put(1, Mode::Block))];
        pool.close();
        worker.join().unwrap();
        pool.check(&results);
    });
}

/// A put with a deadline races the deadline and a completion: it either
/// takes the freed slot and its job runs, or times out and the request
/// comes back holding no slot.
#[test]
fn timed_put_races_deadline_and_completion() {
    model("slots::timed_put_races_deadline_and_completion", || {
        let pool = Pool::new(1);
        let first = pool.put(0, Mode::Block);
        let timer = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.expire())
        };
        let worker = spawn_worker(&pool);
        let second = pool.put(1, Mode::Timeout);
        pool.close();
        timer.join().unwrap();
        worker.join().unwrap();
        pool.check(&[(0, first), (1, second)]);
    });
}

/// Two threads put without blocking (`try_put_request`) and one blocks,
/// into one slot, while a worker completes: each request runs once or
/// comes back as `Full`.
#[test]
fn try_puts_from_two_threads() {
    model("slots::try_puts_from_two_threads", || {
        let pool = Pool::new(1);
        let worker = spawn_worker(&pool);
        let other = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.put(1, Mode::Try))
        };
        let mine = pool.put(0, Mode::Try);
        let third = pool.put(2, Mode::Block);
        let theirs = other.join().unwrap();
        pool.close();
        worker.join().unwrap();
        pool.check(&[(0, mine), (1, theirs), (2, third)]);
    });
}
