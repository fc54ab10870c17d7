//! The worker thread: its loop, its own deque, and the thread-local that lets
//! a running job reach that deque.
//!
//! Dismissal and hand-back are described in
//! [`README.md`](https://github.com/threadpool-rs/threadpool/blob/main/threadpool-core/src/worker/README.md)
//! beside this file; sleeping in `../sleep/README.md`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crossbeam_deque::Worker;
use crossbeam_utils::Backoff;

use crate::registry::{Counters, Message, Shared, StealerSet, WorkerState, find_work};
use crate::sync::{Arc, Ordering};
use crate::task::{Job, run_spawned};

thread_local! {
    /// The worker this thread runs, if it is a pool's worker thread.
    static CURRENT: RefCell<Option<Rc<WorkerContext>>> = const { RefCell::new(None) };
}

/// Everything a worker thread owns.
pub(crate) struct WorkerContext {
    pub(crate) shared: Arc<Shared>,
    state: Arc<WorkerState>,
    deque: Worker<Job>,
    /// The other workers' stealers as last seen, and the version seen.
    stealers: RefCell<(usize, StealerSet)>,
    /// State of a xorshift generator that picks where stealing starts.
    rng: Cell<u32>,
}

impl WorkerContext {
    pub(crate) fn new(shared: Arc<Shared>, state: Arc<WorkerState>, deque: Worker<Job>) -> Self {
        let seed = (state.index as u32).wrapping_mul(0x9E37_79B9) | 1;
        WorkerContext {
            shared,
            state,
            deque,
            stealers: RefCell::new((usize::MAX, Arc::from(Vec::new()))),
            rng: Cell::new(seed),
        }
    }

    fn should_leave(&self) -> bool {
        // Relaxed: a stale `false` costs one more loop round; the flags are
        // re-read under the sleep lock before a worker waits.
        self.state.dismissed.load(Ordering::Relaxed) || self.shared.shutdown.load(Ordering::Relaxed)
    }

    /// Finds a job in the canonical order: own deque, injector, others.
    pub(crate) fn find_work(&self) -> Option<Job> {
        if let Some(job) = self.deque.pop() {
            return Some(job);
        }
        let mut seen = self.stealers.borrow_mut();
        if let Some(fresh) = self.shared.stealers_since(seen.0) {
            *seen = fresh;
        }
        let stealers = Arc::clone(&seen.1);
        drop(seen);
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng.set(x);
        let start = if stealers.is_empty() { 0 } else { x as usize % stealers.len() };
        find_work(&self.shared, &self.deque, self.state.index, &stealers, start)
    }

    /// Runs one job. Never unwinds: user code runs under `catch_unwind`.
    pub(crate) fn execute(&self, job: Job) {
        match job {
            Job::Request(envelope) => {
                if envelope.holds_slot {
                    self.shared.release_slot();
                }
                let counters = &self.state.counters;
                Counters::bump(&counters.started);
                let mut envelope = envelope;
                if envelope.task.run() {
                    Counters::bump(&counters.completed);
                } else {
                    Counters::bump(&counters.panicked);
                }
                if let Err(unsent) = self.shared.results.send(Message::Done(envelope)) {
                    // The pool is gone; the value's destructor is user code.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(unsent)));
                }
            }
            Job::Spawned(job) => {
                run_spawned(job);
            }
            // SAFETY: whoever built the `JobRef` promised, in `JobRef::new`,
            // that it stays valid until executed, is executed once, and does
            // not unwind.
            Job::Raw(job) => unsafe { job.execute() },
        }
    }

    /// Runs jobs until `done` returns true: what a thread of this pool does
    /// while it waits for a job it forked (see `crate::join`).
    pub(crate) fn run_until(&self, done: impl Fn() -> bool) {
        let backoff = Backoff::new();
        while !done() {
            if let Some(job) = self.find_work() {
                self.execute(job);
                backoff.reset();
            } else if !backoff.is_completed() {
                backoff.snooze();
            } else {
                let shared = &self.shared;
                shared.sleep.sleep(|| shared.has_work(), &done);
                backoff.reset();
            }
        }
    }

    fn hand_back_jobs(&self) {
        while let Some(job) = self.deque.pop() {
            self.shared.injector.push(job);
        }
    }
}

/// The body of every worker thread.
pub(crate) fn main_loop(context: WorkerContext) {
    let context = Rc::new(context);
    CURRENT.with_borrow_mut(|current| *current = Some(Rc::clone(&context)));
    let shared = &context.shared;
    let backoff = Backoff::new();
    loop {
        if context.should_leave() {
            break;
        }
        if let Some(job) = context.find_work() {
            context.execute(job);
            backoff.reset();
            continue;
        }
        // Spin briefly before sleeping: bursts of work then find us awake.
        if !backoff.is_completed() {
            backoff.snooze();
            continue;
        }
        shared.sleep.sleep(|| shared.has_work(), || context.should_leave());
        backoff.reset();
    }
    CURRENT.with_borrow_mut(|current| *current = None);
    // Dismissal protocol, step 3: hand the own deque back, leave the
    // registry, and pass on any wake-up this worker may have consumed.
    context.hand_back_jobs();
    shared.worker_left(&context.state);
    if shared.has_work() {
        shared.sleep.notify_one();
    }
}

/// Pushes `job` onto the current thread's own deque if it is a worker of
/// `shared`'s pool; hands it back otherwise.
pub(crate) fn push_local(shared: &Arc<Shared>, job: Job) -> Result<(), Job> {
    CURRENT.with_borrow(|current| match current {
        Some(context) if Arc::ptr_eq(&context.shared, shared) => {
            context.deque.push(job);
            Ok(())
        }
        _ => Err(job),
    })
}

/// Calls `f` with the current worker if this thread is one of `shared`'s.
pub(crate) fn with_current<R>(
    shared: &Arc<Shared>,
    f: impl FnOnce(Option<&WorkerContext>) -> R,
) -> R {
    CURRENT.with_borrow(|current| match current {
        Some(context) if Arc::ptr_eq(&context.shared, shared) => f(Some(context)),
        _ => f(None),
    })
}

/// The index of the worker this thread runs, in any pool.
pub(crate) fn current_index() -> Option<usize> {
    CURRENT.with_borrow(|current| current.as_ref().map(|c| c.state.index))
}
