//! Lost wake-ups for work on a worker's own deque: a burst that a worker
//! takes partly as a batch onto its deque on a pool wider than the machine
//! (the cap rule), and a spawn onto a deque followed by a put (the idle
//! rule). Both need the idle rule's hand-on to look at the deques.
//!
//! The body runs under a watchdog: a hang fails the test instead of
//! stalling the run, and the watchdog then opens the gate itself so that
//! the pool can finish and be dropped.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use threadpool_core::{ThreadPool, WorkRequest};

/// Generous bound for "did not hang": a correct pool finishes a round in
/// milliseconds; only a lost wake-up (or a deadlock) reaches it.
const HANG: Duration = Duration::from_secs(20);

/// A one-way gate: `wait` blocks the calling thread until `open`. It
/// counts the threads waiting at it, and the requests that did nothing.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    changed: Condvar,
    /// Threads blocked in `wait` now.
    waiting: AtomicUsize,
    /// Requests of the round that do nothing and have run.
    idle_done: AtomicUsize,
    /// Whether the opener ran.
    opened_by_request: AtomicBool,
}

impl Gate {
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.changed.notify_all();
    }

    fn wait(&self) {
        let mut open = self.open.lock().unwrap();
        self.waiting.fetch_add(1, Ordering::SeqCst);
        while !*open {
            open = self.changed.wait(open).unwrap();
        }
        self.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `rounds` rounds of `round` on a pool of `workers` workers under a
/// watchdog; each round gets a fresh gate and ends when every request it
/// put has finished. On a hang the test fails with what the gate saw,
/// after opening the gate to let the pool finish.
fn run_rounds(
    workers: usize,
    rounds: usize,
    round: impl Fn(&mut ThreadPool<'static>, &Arc<Gate>) + Send + 'static,
) {
    let (done_tx, done_rx) = mpsc::channel();
    let gates: Arc<Mutex<Option<Arc<Gate>>>> = Arc::default();
    let finished_rounds = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let runner = {
        let gates = Arc::clone(&gates);
        let finished_rounds = Arc::clone(&finished_rounds);
        let stop = Arc::clone(&stop);
        thread::spawn(move || {
            let mut pool = ThreadPool::new(workers).unwrap();
            for _ in 0..rounds {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                // Only to let every worker go to sleep first: an awake
                // worker only makes a hang less likely; nothing here
                // asserts a timing.
                thread::sleep(Duration::from_millis(20));
                let gate = Arc::new(Gate::default());
                *gates.lock().unwrap() = Some(Arc::clone(&gate));
                round(&mut pool, &gate);
                pool.wait().unwrap();
                finished_rounds.fetch_add(1, Ordering::SeqCst);
            }
            let _ = done_tx.send(());
        })
    };
    match done_rx.recv_timeout(HANG) {
        Ok(()) => runner.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(payload) = runner.join() {
                std::panic::resume_unwind(payload);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            let gate = gates.lock().unwrap().clone().unwrap();
            let opened = gate.opened_by_request.load(Ordering::SeqCst);
            let waiting = gate.waiting.load(Ordering::SeqCst);
            let idle_done = gate.idle_done.load(Ordering::SeqCst);
            let round = finished_rounds.load(Ordering::SeqCst);
            // Free the pool: the requests at the gate return, and the
            // worker whose deque holds the opener runs it itself.
            stop.store(true, Ordering::SeqCst);
            gate.open();
            let recovered = done_rx.recv_timeout(HANG).is_ok();
            panic!(
                "round {round} of {rounds} hung for {HANG:?} with {workers} workers: \
                 {waiting} requests wait at the gate (so {} workers are free), \
                 {idle_done} do-nothing requests ran, the opener ran: {opened}; \
                 once the watchdog opened the gate the round finished: {recovered}",
                workers - waiting
            );
        }
    }
}

/// A request that waits at `gate`.
fn waiter(gate: &Arc<Gate>) -> WorkRequest<'static, ()> {
    let gate = Arc::clone(gate);
    WorkRequest::new(move || gate.wait())
}

/// The job that opens `gate`.
fn opener(gate: &Arc<Gate>) -> impl FnOnce() + Send + 'static {
    let gate = Arc::clone(gate);
    move || {
        gate.opened_by_request.store(true, Ordering::SeqCst);
        gate.open();
    }
}

/// One round on `workers` workers, all asleep: one batch put (one wake-up
/// call at its end) of `2 * workers` requests, in this order:
///
/// - `W0`, which waits at the gate,
/// - `S`, which opens the gate,
/// - `workers` requests that do nothing,
/// - `workers - 2` requests that wait at the gate.
///
/// With `2 * workers` queued, the first worker to look takes its share, two
/// of them: `W0` runs on it and `S` lands on its own deque. At most
/// `workers - 1` requests wait at the gate at once, so one worker is always
/// free to steal `S`: a pool that wakes a worker whenever one is needed
/// finishes every round.
fn batch_round(workers: usize) -> impl Fn(&mut ThreadPool<'static>, &Arc<Gate>) + Send + 'static {
    move |pool, gate| {
        let mut requests = vec![waiter(gate), WorkRequest::new(opener(gate))];
        for _ in 0..workers {
            let gate = Arc::clone(gate);
            requests.push(WorkRequest::new(move || {
                gate.idle_done.fetch_add(1, Ordering::SeqCst);
            }));
        }
        for _ in 0..workers - 2 {
            requests.push(waiter(gate));
        }
        assert_eq!(pool.put_requests(requests).unwrap(), 2 * workers);
    }
}

/// The burst above on a pool eight times wider than the machine (so that
/// the cap rule binds), in one batch put (at most 64 requests, so the put
/// wakes workers once, at its end).
#[test]
fn a_batch_on_a_deque_is_not_left_behind_by_the_cap() {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let workers = (cores * 8 + 8).min(32);
    run_rounds(workers, 20, batch_round(workers));
}

/// The idle rule and a push onto a worker's own deque (older than the cap
/// rule): a request spawns the opener from its worker (onto that worker's
/// own deque, whose fenced `notify_one` claims a sleeper and counts it
/// idle) and waits at the gate. As soon as the spawn is done the polling
/// thread puts one more request that waits at the gate: it sees the
/// claimed worker idle and one request queued, and skips its wake-up. The
/// claimed worker looks at the shared queues before other deques, takes
/// that request, and its hand-on must see the opener on the first worker's
/// deque, or every other worker sleeps while two wait at the gate.
#[test]
fn a_spawn_onto_a_deque_keeps_its_wake_up_when_a_put_follows() {
    let workers = 4;
    run_rounds(workers, 20, |pool, gate| {
        let spawned = Arc::new(AtomicBool::new(false));
        let handle = pool.handle();
        {
            let gate = Arc::clone(gate);
            let spawned = Arc::clone(&spawned);
            pool.put_request(WorkRequest::new(move || {
                handle.spawn(opener(&gate));
                spawned.store(true, Ordering::SeqCst);
                gate.wait();
            }))
            .unwrap();
        }
        // A spin, not a wait: the put must follow the spawn closely, before
        // the worker that the spawn woke looks for work.
        while !spawned.load(Ordering::SeqCst) {
            std::hint::spin_loop();
        }
        pool.put_request(waiter(gate)).unwrap();
    });
}
