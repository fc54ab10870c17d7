//! Model check of the notifier handshake (`src/notify.rs`) under loom: an
//! event loop that polls, arms the notifier, and sleeps until it is called
//! never sleeps through a result (loom reports the lost wake-up as a
//! deadlock), and the notifier runs at most once per arming.
//!
//! The result queue is a loom atomic counter: a send is an increment, the
//! poll's drain a swap to zero, and the re-check after arming a load (the
//! handshake's fences order any atomic accesses to one location, so the
//! channel's own orderings do not matter). The notifier and the `arm`/
//! `fire` steps are the pool's own code, through `__loom::Notify`.
//!
//! Run with `cargo xtask loom`.
#![cfg(loom)]

use std::sync::Arc;

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::{Condvar, Mutex};
use loom::thread;
use threadpool_core::__loom::Notify;

mod loom_common;
use loom_common::model;

/// The event loop's side: a flag the notifier sets and a condvar it
/// sleeps on, as a `Condvar`-based loop (or a winit proxy) would.
struct Loop {
    woken: Mutex<bool>,
    condvar: Condvar,
    calls: AtomicUsize,
}

impl Loop {
    fn sleep(&self) {
        let mut woken = self.woken.lock().unwrap();
        while !*woken {
            woken = self.condvar.wait(woken).unwrap();
        }
        *woken = false;
    }
}

/// `producers` threads each send `each` results; the owner polls, arms
/// and sleeps until it has taken them all.
fn run(producers: usize, each: usize) {
    let event_loop = Arc::new(Loop {
        woken: Mutex::new(false),
        condvar: Condvar::new(),
        calls: AtomicUsize::new(0),
    });
    let wake = Arc::clone(&event_loop);
    let notify = Arc::new(Notify::new(move || {
        wake.calls.fetch_add(1, Ordering::SeqCst);
        *wake.woken.lock().unwrap() = true;
        wake.condvar.notify_one();
    }));
    let queue = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..producers)
        .map(|_| {
            let (notify, queue) = (Arc::clone(&notify), Arc::clone(&queue));
            thread::spawn(move || {
                for _ in 0..each {
                    queue.fetch_add(1, Ordering::Release); // the send
                    notify.results_sent();
                }
            })
        })
        .collect();
    let total = producers * each;
    let mut taken = 0;
    let mut arms = 0;
    loop {
        taken += queue.swap(0, Ordering::Acquire); // `poll` drains
        if taken == total {
            break;
        }
        notify.arm_notifier(|| queue.load(Ordering::Acquire) > 0);
        arms += 1;
        event_loop.sleep(); // a lost wake-up deadlocks here
    }
    for t in threads {
        t.join().unwrap();
    }
    let calls = event_loop.calls.load(Ordering::SeqCst);
    assert!(calls <= arms, "{calls} notifier calls for {arms} arms");
}

#[test]
fn one_producer_two_results_no_lost_wake_up() {
    model("notify: one producer, two results", || run(1, 2));
}

#[test]
fn two_producers_one_result_each_no_lost_wake_up() {
    model("notify: two producers, one result each", || run(2, 1));
}

#[test]
fn two_producers_two_results_each_no_lost_wake_up() {
    model("notify: two producers, two results each", || run(2, 2));
}
