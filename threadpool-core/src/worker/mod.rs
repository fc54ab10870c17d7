//! The worker thread: its loop, its own deque, and the thread-local that lets
//! a running job reach that deque.
//!
//! Dismissal and hand-back are described in
//! [`README.md`](https://github.com/threadpool-rs/threadpool/blob/main/threadpool-core/src/worker/README.md)
//! beside this file; sleeping in `../sleep/README.md`.

use std::cell::{Cell, RefCell};

use crossbeam_deque::Worker;

use crate::handle::PoolHandle;
use crate::latch::WorkerLatch;
use crate::registry::{Counters, Message, Shared, StealerSet, WorkerState, steal_work};
use crate::sync::{Arc, Ordering};
use crate::task::{Envelope, Job, JobKind, Task, drop_quietly};

thread_local! {
    /// The worker this thread runs, if it is a pool's worker thread: set by
    /// `main_loop` for as long as the context lives on its stack, null
    /// otherwise. A `Cell` of a pointer has no destructor, so reading it is
    /// a single load (it sits on every `join`).
    static CURRENT: Cell<*const WorkerContext> = const { Cell::new(std::ptr::null()) };
}

/// Everything a worker thread owns.
pub(crate) struct WorkerContext {
    pub(crate) shared: Arc<Shared>,
    /// A handle on the same pool, lent to jobs by `PoolHandle::with_current`.
    handle: PoolHandle,
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
            handle: PoolHandle::new(Arc::clone(&shared)),
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
        {
            let mut seen = self.stealers.borrow_mut();
            if let Some(fresh) = self.shared.stealers_since(seen.0) {
                *seen = fresh;
            }
        }
        // Borrowed, not cloned: an `Arc` clone here would be an atomic RMW
        // on a line every idle worker touches. `find_work` runs no jobs, so
        // nothing re-enters while the borrow is held.
        let seen = self.stealers.borrow();
        let stealers = &seen.1;
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng.set(x);
        let start = if stealers.is_empty() {
            0
        } else {
            x as usize % stealers.len()
        };
        steal_work(&self.shared, &self.deque, self.state.index, stealers, start)
    }

    /// Runs one job. Never unwinds: user code runs under `catch_unwind`.
    pub(crate) fn execute(&self, job: Job) {
        job.run(self);
    }

    /// Runs a request's job and sends the cell to the result queue: the
    /// part of running a request that does not depend on its types.
    pub(crate) fn run_request(&self, mut task: Box<dyn Task>, filed: u32, holds_slot: bool) {
        if holds_slot {
            self.shared.release_slot();
        }
        let counters = &self.state.counters;
        Counters::bump(&counters.started);
        #[cfg(feature = "tracing")]
        let _span = tracing::trace_span!("request", id = %task.id()).entered();
        if task.run() {
            Counters::bump(&counters.completed);
        } else {
            Counters::bump(&counters.panicked);
        }
        let envelope = Envelope {
            task,
            filed,
            holds_slot: false,
        };
        // Never waits: the channel is unbounded, and the result bound holds
        // back puts instead, so no worker waits for the polling thread
        // (README.md, "Liveness with bounded queues").
        if let Err(unsent) = self.shared.results.send(Message::Done(envelope)) {
            // The pool is gone; the value's destructor is user code.
            drop_quietly(unsent);
        }
    }

    /// Pushes a job forked by the running job onto this worker's deque and
    /// wakes a sleeper to steal it, if any sleeps.
    pub(crate) fn push(&self, job: Job) {
        self.deque.push(job);
        // The full, fenced notify: the job that pushed may block until this
        // job has run (a spawn or put from a job, then a wait for its
        // effect), so a sleeper must not miss it (tests/loom_sleep.rs).
        self.shared.sleep.notify_one();
    }

    /// Pushes the forked half of a `join` onto this worker's deque, waking a
    /// sleeper without a fence.
    ///
    /// A sleeper may then miss the job; the forking worker still runs it
    /// itself, because fork-join never returns before its forked jobs are
    /// done and runs its own deque's jobs while it waits. The fence, a full
    /// barrier on every fork, is what fork-join cannot afford. The price:
    /// the forking closure must not block waiting for the forked one (as
    /// with rayon's `join`), since it might wait for a thief that sleeps.
    #[inline]
    pub(crate) fn push_fork(&self, job: Job) {
        self.deque.push(job);
        self.shared.sleep.notify_one_unfenced();
    }

    /// Pops the job this worker pushed last.
    #[inline]
    pub(crate) fn pop(&self) -> Option<Job> {
        self.deque.pop()
    }

    /// Runs other jobs until `latch` is set: what a worker does while it
    /// waits for a job it forked and another worker stole.
    pub(crate) fn wait_for(&self, latch: &WorkerLatch) {
        let mut idle = Idle::new();
        while !latch.probe() {
            if let Some(job) = self.find_work() {
                self.execute(job);
                idle.reset();
            } else if idle.snooze() {
                // Searched again at the top of the loop.
            } else if latch.prepare_to_sleep() {
                let shared = &self.shared;
                shared.sleep.sleep(|| shared.has_work(), || latch.probe());
                if latch.probe() && shared.has_work() {
                    // Leaving for the latch, this worker may have taken a
                    // wake-up meant for that work: pass it on.
                    shared.sleep.notify_one();
                }
            }
        }
    }

    /// At shutdown: drops a request unrun, runs anything else. Fork-join
    /// jobs (`join`, `scope`, `install`) have a thread waiting for them, so
    /// they run even now; see README.md.
    fn execute_at_shutdown(&self, job: Job) {
        if job.kind() == JobKind::Request {
            if job.holds_slot() {
                self.shared.release_slot();
            }
            // Dropping a job drops its captured values quietly.
            drop(job);
        } else {
            self.execute(job);
        }
    }

    fn hand_back_jobs(&self) {
        while let Some(job) = self.deque.pop() {
            self.shared.injector.push(job);
        }
    }
}

/// How a worker that found no work waits before it sleeps: rounds of
/// growing spins, then a few rounds that yield the CPU, each followed by a
/// new search.
///
/// The spins grow so that an idle worker does not poll other workers'
/// deques in a tight loop (that pulls their cache lines away and slows the
/// owners' pops); the yield rounds are few, since each is a context switch
/// on a busy machine, and an idle pool should cost next to nothing.
struct Idle {
    round: u32,
}

impl Idle {
    /// Rounds of spinning (1, 2, 4, ... 32 spin-loop hints) before yielding.
    const SPINS: u32 = 6;
    /// Rounds, spinning and yielding, before sleeping.
    const ROUNDS: u32 = 10;

    fn new() -> Self {
        Idle { round: 0 }
    }

    fn reset(&mut self) {
        self.round = 0;
    }

    /// Waits one round; returns false once it is time to sleep.
    fn snooze(&mut self) -> bool {
        if self.round >= Self::ROUNDS {
            return false;
        }
        if self.round < Self::SPINS {
            for _ in 0..1_u32 << self.round {
                std::hint::spin_loop();
            }
        } else {
            std::thread::yield_now();
        }
        self.round += 1;
        true
    }
}

/// Leaves the pool when the worker loop ends, even by unwinding (which the
/// loop should never do): clears `CURRENT`, then runs the dismissal
/// protocol's last steps, so that no job is stranded on the deque and
/// `alive` always drops (worker/README.md).
struct Leave<'c>(&'c WorkerContext);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        CURRENT.set(std::ptr::null());
        let context = self.0;
        let shared = &context.shared;
        // Hand the own deque back, leave the registry, and pass on any
        // wake-up this worker may have consumed.
        context.hand_back_jobs();
        shared.worker_left(&context.state);
        // SeqCst: pairs with the shutdown store. A request a handle pushed
        // after this worker's drain found the queues empty is dropped here
        // once no worker is left (its putter, seeing a worker still alive,
        // left it to the drain).
        if shared.shutdown.load(Ordering::SeqCst) {
            shared.discard_queued_jobs();
        }
        if shared.has_work() {
            shared.sleep.notify_one();
        }
    }
}

/// The body of every worker thread.
pub(crate) fn main_loop(context: WorkerContext) {
    let context = &context;
    CURRENT.set(context);
    let _leave = Leave(context);
    let shared = &context.shared;
    let mut idle = Idle::new();
    loop {
        if shared.shutdown.load(Ordering::Relaxed) {
            // Drain: drop requests, run fork-join jobs, leave when empty.
            match context.find_work() {
                Some(job) => context.execute_at_shutdown(job),
                None => break,
            }
            continue;
        }
        if context.should_leave() {
            break;
        }
        if let Some(job) = context.find_work() {
            context.execute(job);
            idle.reset();
            continue;
        }
        // Stay awake a little before sleeping: bursts of work then find
        // the worker awake.
        if idle.snooze() {
            continue;
        }
        shared
            .sleep
            .sleep(|| shared.has_work(), || context.should_leave());
        idle.reset();
    }
}

/// Pushes `job` onto the current thread's own deque if it is a worker of
/// `shared`'s pool (and wakes a sleeper to steal it); hands it back otherwise.
pub(crate) fn push_local(shared: &Arc<Shared>, job: Job) -> Result<(), Job> {
    with_current(shared, |current| match current {
        Some(context) => {
            context.push(job);
            Ok(())
        }
        None => Err(job),
    })
}

/// Calls `f` with a handle on the pool this thread is a worker of, if any.
#[inline]
pub(crate) fn with_current_handle<R>(f: impl FnOnce(Option<&PoolHandle>) -> R) -> R {
    let current = CURRENT.get();
    // SAFETY: as in `with_current`: the context outlives every job its
    // loop runs, and the reference does not escape `f`.
    let context = unsafe { current.as_ref() };
    f(context.map(|context| &context.handle))
}

/// Calls `f` with the current worker if this thread is one of `shared`'s.
#[inline]
pub(crate) fn with_current<R>(
    shared: &Arc<Shared>,
    f: impl FnOnce(Option<&WorkerContext>) -> R,
) -> R {
    let current = CURRENT.get();
    // SAFETY: a non-null `CURRENT` points to the `WorkerContext` on the
    // stack of this thread's `main_loop`, which outlives every job the loop
    // runs; `Leave` nulls it before the context goes. The reference
    // does not escape `f`.
    let context = unsafe { current.as_ref() };
    match context {
        Some(context) if Arc::ptr_eq(&context.shared, shared) => f(Some(context)),
        _ => f(None),
    }
}
