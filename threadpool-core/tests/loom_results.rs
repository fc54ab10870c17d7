//! Model checks of result delivery under loom: every completed request's
//! result reaches exactly one poll, and `wait` neither hangs nor gives up
//! while a result can still come.
//!
//! loom cannot instrument `crossbeam-channel`, so the result queue is a
//! loom mutex and condvar around a `VecDeque` with the channel's `len`,
//! `try_recv`, `is_empty` and blocking `recv`. The rest follows the pool:
//! a worker sends `Done` and only then leaves `alive` (invariant D3 of
//! `src/worker/README.md`), the last to leave sends `Recheck`; the poller
//! runs `ThreadPool::wait`, `poll_until`, `poll` and `handle_message` step
//! by step, including the shared table and counter of requests put through
//! a `PoolHandle`.
//!
//! The `bell_*` models drive the result queue itself (`src/results.rs`:
//! the intrusive stack, the poller's bell handshake, closing), with the
//! pool's own code and a loom mutex and condvar for the bell channel.
//!
//! Run with `cargo xtask loom`.
#![cfg(loom)]

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::{Condvar, Mutex};
use loom::thread;

mod loom_common;
use loom_common::model;

enum Message {
    Done { id: usize, remote: bool },
    Recheck,
}

#[derive(Debug, PartialEq)]
enum PollError {
    NoResultsPending,
    NoWorkersAvailable,
}

const JOBS: usize = 2;

/// What the pool's threads share.
struct Shared {
    jobs: Mutex<VecDeque<(usize, bool)>>,
    jobs_changed: Condvar,
    results: Mutex<VecDeque<Message>>,
    results_changed: Condvar,
    alive: AtomicUsize,
    remote: Mutex<HashSet<usize>>,
    remote_outstanding: AtomicUsize,
}

impl Shared {
    fn new(workers: usize) -> Arc<Self> {
        Arc::new(Shared {
            jobs: Mutex::new(VecDeque::new()),
            jobs_changed: Condvar::new(),
            results: Mutex::new(VecDeque::new()),
            results_changed: Condvar::new(),
            alive: AtomicUsize::new(workers),
            remote: Mutex::new(HashSet::new()),
            remote_outstanding: AtomicUsize::new(0),
        })
    }

    fn send(&self, message: Message) {
        self.results.lock().unwrap().push_back(message);
        self.results_changed.notify_one();
    }

    fn push(&self, id: usize, remote: bool) {
        self.jobs.lock().unwrap().push_back((id, remote));
        self.jobs_changed.notify_one();
    }

    /// A worker that runs `n` requests, then leaves (is dismissed).
    fn worker(&self, n: usize) {
        for _ in 0..n {
            let (id, remote) = {
                let mut jobs = self.jobs.lock().unwrap();
                loop {
                    if let Some(job) = jobs.pop_front() {
                        break job;
                    }
                    jobs = self.jobs_changed.wait(jobs).unwrap();
                }
            };
            self.send(Message::Done { id, remote });
        }
        // `Shared::worker_left`: the last result is queued before `alive`
        // drops; the last thread out wakes a blocked poller.
        if self.alive.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.send(Message::Recheck);
        }
    }

    /// `PoolHandle::put`: count and file the callbacks, then push.
    fn put_remote(&self, id: usize) {
        self.remote_outstanding.fetch_add(1, Ordering::SeqCst);
        self.remote.lock().unwrap().insert(id);
        self.push(id, true);
    }
}

/// The polling side: `ThreadPool`'s own table and the receiver.
struct Poller {
    shared: Arc<Shared>,
    pending: HashSet<usize>,
    delivered: [usize; JOBS],
}

impl Poller {
    fn put_local(&mut self, id: usize) {
        self.pending.insert(id);
        self.shared.push(id, false);
    }

    fn outstanding(&self) -> usize {
        self.pending.len() + self.shared.remote_outstanding.load(Ordering::SeqCst)
    }

    fn handle_message(&mut self, message: Message) -> bool {
        let Message::Done { id, remote } = message else {
            return false;
        };
        let filed = if remote {
            let filed = self.shared.remote.lock().unwrap().remove(&id);
            self.shared
                .remote_outstanding
                .fetch_sub(1, Ordering::SeqCst);
            filed
        } else {
            self.pending.remove(&id)
        };
        assert!(filed, "an outstanding request has its callbacks filed");
        self.delivered[id] += 1;
        true
    }

    fn poll(&mut self) -> Result<usize, PollError> {
        if self.outstanding() == 0 {
            return Err(PollError::NoResultsPending);
        }
        let mut ran = 0;
        let len = self.shared.results.lock().unwrap().len();
        for _ in 0..len {
            let message = self.shared.results.lock().unwrap().pop_front();
            match message {
                Some(message) => ran += usize::from(self.handle_message(message)),
                None => break,
            }
        }
        Ok(ran)
    }

    fn poll_blocking(&mut self) -> Result<usize, PollError> {
        loop {
            let ran = self.poll()?;
            if ran > 0 {
                return Ok(ran);
            }
            if self.shared.alive.load(Ordering::SeqCst) == 0
                && self.shared.results.lock().unwrap().is_empty()
            {
                return Err(PollError::NoWorkersAvailable);
            }
            let message = {
                let mut results = self.shared.results.lock().unwrap();
                loop {
                    if let Some(message) = results.pop_front() {
                        break message;
                    }
                    results = self.shared.results_changed.wait(results).unwrap();
                }
            };
            if self.handle_message(message) {
                return Ok(1 + self.poll().unwrap_or(0));
            }
        }
    }

    fn wait(&mut self) -> Result<(), PollError> {
        loop {
            match self.poll_blocking() {
                Ok(_) => {}
                Err(PollError::NoResultsPending) => return Ok(()),
                Err(err) => return Err(err),
            }
        }
    }
}

fn poller(shared: &Arc<Shared>) -> Poller {
    Poller {
        shared: Arc::clone(shared),
        pending: HashSet::new(),
        delivered: [0; JOBS],
    }
}

fn spawn_worker(shared: &Arc<Shared>, n: usize) -> thread::JoinHandle<()> {
    let shared = Arc::clone(shared);
    thread::spawn(move || shared.worker(n))
}

/// (d) Two workers each complete a request and leave while the poller
/// waits: `wait` returns `Ok` with each result delivered exactly once.
#[test]
fn every_result_reaches_exactly_one_poll() {
    model("results::every_result_reaches_exactly_one_poll", || {
        let shared = Shared::new(2);
        let mut poller = poller(&shared);
        poller.put_local(0);
        poller.put_local(1);
        let workers = [spawn_worker(&shared, 1), spawn_worker(&shared, 1)];
        assert_eq!(poller.wait(), Ok(()));
        assert_eq!(poller.delivered, [1, 1]);
        for worker in workers {
            worker.join().unwrap();
        }
        assert_eq!(poller.poll(), Err(PollError::NoResultsPending));
    });
}

/// The only worker completes one request and leaves with the other still
/// queued: `wait` delivers the first and then reports `NoWorkersAvailable`
/// rather than hanging or dropping it.
#[test]
fn wait_ends_when_the_last_worker_leaves() {
    model("results::wait_ends_when_the_last_worker_leaves", || {
        let shared = Shared::new(1);
        let mut poller = poller(&shared);
        poller.put_local(0);
        poller.put_local(1);
        let worker = spawn_worker(&shared, 1);
        assert_eq!(poller.wait(), Err(PollError::NoWorkersAvailable));
        worker.join().unwrap();
        assert_eq!(poller.delivered, [1, 0]);
        assert_eq!(poller.outstanding(), 1);
    });
}

/// A request put through a `PoolHandle` on another thread races its own
/// completion and a local request's: its callbacks are always filed when
/// its result arrives, and both results are delivered once.
#[test]
fn remote_and_local_results_are_delivered_once() {
    model(
        "results::remote_and_local_results_are_delivered_once",
        || {
            let shared = Shared::new(1);
            let mut poller = poller(&shared);
            let worker = spawn_worker(&shared, 2);
            let handle = {
                let shared = Arc::clone(&shared);
                thread::spawn(move || shared.put_remote(1))
            };
            poller.put_local(0);
            // Poll without blocking while the handle's put may be in flight.
            let _ = poller.poll();
            handle.join().unwrap();
            assert_eq!(poller.wait(), Ok(()));
            worker.join().unwrap();
            assert_eq!(poller.delivered, [1, 1]);
        },
    );
}

/// The bell: a flag under a lock, as the pool's channel of one `()`.
struct Bell {
    rung: Mutex<bool>,
    changed: Condvar,
}

impl Bell {
    fn new() -> Arc<Self> {
        Arc::new(Bell {
            rung: Mutex::new(false),
            changed: Condvar::new(),
        })
    }

    fn ring(&self) {
        *self.rung.lock().unwrap() = true;
        self.changed.notify_one();
    }

    fn wait(&self) {
        let mut rung = self.rung.lock().unwrap();
        while !*rung {
            rung = self.changed.wait(rung).unwrap();
        }
        *rung = false;
    }
}

/// A producer: pushes `values`, ringing when the push says so.
fn produce(
    queue: &Arc<threadpool_core::__loom::ResultQueue>,
    bell: &Arc<Bell>,
    values: Vec<u64>,
) -> thread::JoinHandle<()> {
    let (queue, bell) = (Arc::clone(queue), Arc::clone(bell));
    thread::spawn(move || {
        for value in values {
            if queue.push(value).expect("the queue is open") {
                bell.ring();
            }
        }
    })
}

/// The poller's `recv` loop (`Core::recv`) until `n` values arrived.
fn receive(
    queue: &threadpool_core::__loom::ResultQueue,
    receiver: &mut threadpool_core::__loom::ResultReceiver,
    bell: &Bell,
    n: usize,
) -> Vec<u64> {
    let mut got = Vec::new();
    while got.len() < n {
        if let Some(value) = receiver.try_recv(queue) {
            got.push(value);
            continue;
        }
        if queue.arm() {
            continue;
        }
        bell.wait();
        queue.disarm();
    }
    got
}

#[test]
fn bell_a_waiting_poller_gets_every_result_once_in_each_producers_order() {
    model("bell_two_producers", || {
        use threadpool_core::__loom::{ResultQueue, ResultReceiver};
        let queue = Arc::new(ResultQueue::new());
        let bell = Bell::new();
        let a = produce(&queue, &bell, vec![1, 2]);
        let b = produce(&queue, &bell, vec![11]);
        let mut receiver = ResultReceiver::new();
        // A lost ring leaves the poller waiting for ever: loom reports it.
        let got = receive(&queue, &mut receiver, &bell, 3);
        a.join().unwrap();
        b.join().unwrap();
        let mut sorted = got.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [1, 2, 11], "each value once");
        let at = |v| got.iter().position(|&g| g == v).unwrap();
        assert!(at(1) < at(2), "a producer's results keep their order");
        assert_eq!(queue.unpolled(), 0);
        assert_eq!(receiver.try_recv(&queue), None);
    });
}

#[test]
fn bell_one_producer_two_waits() {
    model("bell_one_producer_two_waits", || {
        use threadpool_core::__loom::{ResultQueue, ResultReceiver};
        let queue = Arc::new(ResultQueue::new());
        let bell = Bell::new();
        let a = produce(&queue, &bell, vec![1]);
        let mut receiver = ResultReceiver::new();
        assert_eq!(receive(&queue, &mut receiver, &bell, 1), [1]);
        // A second wait after the first one's ring was consumed (or is
        // still pending): the next value still arrives.
        let b = produce(&queue, &bell, vec![2]);
        assert_eq!(receive(&queue, &mut receiver, &bell, 1), [2]);
        a.join().unwrap();
        b.join().unwrap();
    });
}

#[test]
fn bell_closing_drops_each_message_exactly_once() {
    model("bell_close", || {
        use threadpool_core::__loom::{ResultQueue, ResultReceiver};
        let queue = Arc::new(ResultQueue::new());
        let producer = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                [1, 2]
                    .into_iter()
                    .filter(|&value| queue.push(value).is_err())
                    .count()
            })
        };
        let mut receiver = ResultReceiver::new();
        let received = usize::from(receiver.try_recv(&queue).is_some());
        let dropped = receiver.close(&queue);
        let refused = producer.join().unwrap();
        assert_eq!(
            received + dropped + refused,
            2,
            "taken, dropped or refused, once"
        );
        assert_eq!(queue.unpolled(), 0, "a refused push takes its count back");
    });
}
