//! The worker thread: its loop, its own deque, and the thread-local that lets
//! a running job reach that deque.
//!
//! Dismissal and hand-back are described in
//! `README.md`
//! beside this file; sleeping in `../sleep/README.md`.

use std::cell::{Cell, RefCell, UnsafeCell};
use std::time::{Duration, Instant};

use crossbeam_deque::Worker;

use crate::latch::WorkerLatch;
use crate::registry::{
    Counters, Message, STEAL_ATTEMPTS, Shared, StealerSet, WorkerState, steal_work,
};
use crate::sync::{Arc, Ordering};
use crate::task::{Envelope, Job, JobKind, Runner, Task, drop_quietly};

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
    state: Arc<WorkerState>,
    deque: Worker<Job>,
    /// The other workers' stealers as last seen, and the version seen.
    stealers: RefCell<(usize, StealerSet)>,
    /// State of a xorshift generator that picks where stealing starts.
    rng: Cell<u32>,
    /// Whether the main loop counts this worker as idle in the sleep state
    /// (`Sleep::start_idle`), so that leaving the loop ends it.
    idle: Cell<bool>,
    /// The forks of `join` running on this thread, for heartbeat promotion.
    forks: Forks,
    /// Whether this worker counts in `Shared::local_queues`.
    local: Cell<bool>,
}

/// The forked halves of the `join`s running on one worker, oldest first:
/// `None` once promoted onto the worker's deque.
///
/// A fork costs a push onto this list and a pop, no atomics: only this
/// thread sees the list. Every [`HEARTBEAT`] (checked on the clock every
/// [`BEAT_CHECK`] forks) the oldest fork still on the list is promoted onto
/// the worker's deque, where idle workers can steal it; the oldest, as it
/// holds the most work. This is heartbeat scheduling: the cost of making
/// work stealable is paid once per heartbeat, not once per fork, and an idle
/// pool runs no timer at all. See `README.md`.
struct Forks {
    /// Only the owning thread touches it (`WorkerContext` is not `Sync`),
    /// and never while user code runs with a borrow of it.
    list: UnsafeCell<Vec<Option<Job>>>,
    /// Entries below this index are promoted (`None`); the rest are not.
    promoted: Cell<usize>,
    /// Forks left until the next look at the clock.
    countdown: Cell<u32>,
    /// When a fork was last promoted (or the clock last looked at, at start).
    last_beat: Cell<Instant>,
}

/// How often a worker running `join`s promotes one fork.
const HEARTBEAT: Duration = Duration::from_micros(100);

/// Forks between two looks at the clock: reading it costs about as much as
/// several forks.
const BEAT_CHECK: u32 = 256;

impl Forks {
    fn new() -> Self {
        Forks {
            list: UnsafeCell::new(Vec::with_capacity(64)),
            promoted: Cell::new(0),
            countdown: Cell::new(BEAT_CHECK),
            last_beat: Cell::new(Instant::now()),
        }
    }
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
            idle: Cell::new(false),
            forks: Forks::new(),
            local: Cell::new(false),
        }
    }

    fn should_leave(&self) -> bool {
        // Relaxed: a stale `false` costs one more loop round; the flags are
        // re-read under the sleep lock before a worker waits.
        self.state.dismissed.load(Ordering::Relaxed) || self.shared.shutdown.load(Ordering::Relaxed)
    }

    /// Finds a job in the canonical order: own deque, injector, others
    /// (a few of them from a random one on, or with `all` every one).
    pub(crate) fn find_work(&self, all: bool) -> Option<Job> {
        if let Some(job) = self.pop() {
            return Some(job);
        }
        if let Some(job) = self.take_addressed() {
            return Some(job); // sent to this worker (`inbox.rs`)
        }
        self.refresh_stealers();
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
        let victims = if all { usize::MAX } else { STEAL_ATTEMPTS };
        steal_work(
            &self.shared,
            &self.deque,
            self.state.index,
            stealers,
            start,
            victims,
            || self.mark_local(),
        )
    }

    /// Counts this worker's deque in `Shared::local_queues` before a push
    /// onto it, if it is not counted yet.
    #[inline]
    fn mark_local(&self) {
        if !self.local.get() {
            self.local.set(true);
            // SeqCst: before the push and the pusher's fence; pairs with
            // the load in `Shared::any_local_queue` after a sleeper's fence.
            self.shared.local_queues.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// This worker's own pop found its deque empty: uncounts it.
    #[cold]
    fn unmark_local(&self) {
        if self.local.get() {
            self.local.set(false);
            self.shared.local_queues.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Takes the current stealer set if it changed since this worker's copy.
    fn refresh_stealers(&self) {
        let mut seen = self.stealers.borrow_mut();
        if let Some(fresh) = self.shared.stealers_since(seen.0) {
            *seen = fresh;
        }
    }

    /// Whether any queue holds work, by this worker's stealer snapshot:
    /// the re-check before it sleeps.
    fn has_work(&self) -> bool {
        self.refresh_stealers();
        self.shared.has_work_in(&self.stealers.borrow().1)
    }

    /// Counts this worker idle in the sleep state, if it is not yet.
    #[inline]
    fn start_idle(&self, counted: &Cell<bool>) {
        if !counted.get() {
            counted.set(true);
            self.shared.sleep.start_idle();
        }
    }

    /// Ends this worker's idle count, if it has one (it found work or
    /// leaves), passing on a wake-up a submitter may have skipped for it.
    #[inline]
    fn end_idle(&self, counted: &Cell<bool>) {
        if counted.get() {
            counted.set(false);
            let injector = &self.shared.injector;
            self.shared.sleep.end_idle(|| injector.len());
        }
    }

    /// Runs one job. Never unwinds: user code runs under `catch_unwind`.
    pub(crate) fn execute(&self, job: Job) {
        job.run(self);
    }

    /// Pushes a job forked by the running job onto this worker's deque and
    /// wakes a sleeper to steal it, if any sleeps.
    pub(crate) fn push(&self, job: Job) {
        self.mark_local();
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
    fn push_fork(&self, job: Job) {
        self.mark_local();
        self.deque.push(job);
        self.shared.sleep.notify_fork();
    }

    /// Records the forked half of a `join` on this worker's fork list (not
    /// stealable yet), and on a heartbeat promotes the oldest fork there
    /// onto the deque. Pair with [`pop_fork`](Self::pop_fork).
    #[inline]
    pub(crate) fn push_fork_local(&self, job: Job) {
        // SAFETY: see `Forks::list`: this thread only, no user code runs
        // while the reference lives.
        let outermost = unsafe {
            let list = &mut *self.forks.list.get();
            list.push(Some(job));
            list.len() == 1
        };
        if outermost {
            // The first fork of a job this worker took is promoted at
            // once: a `join` of two long closures that fork nothing more
            // still runs them in parallel, and a stolen job shares its
            // biggest half straight away.
            self.promote();
            return;
        }
        let left = self.forks.countdown.get() - 1;
        if left == 0 {
            self.forks.countdown.set(BEAT_CHECK);
            self.beat();
        } else {
            self.forks.countdown.set(left);
        }
    }

    /// Looks at the clock; promotes the oldest fork if a heartbeat passed.
    #[cold]
    #[inline(never)]
    fn beat(&self) {
        let now = Instant::now();
        if now.duration_since(self.forks.last_beat.get()) < HEARTBEAT {
            return;
        }
        self.forks.last_beat.set(now);
        self.promote();
    }

    /// Moves the oldest fork still on the fork list onto the deque.
    fn promote(&self) {
        let at = self.forks.promoted.get();
        // SAFETY: see `Forks::list`; `push_fork` runs no user code.
        let job = unsafe {
            let list = &mut *self.forks.list.get();
            match list.get_mut(at) {
                Some(entry) => entry.take(),
                None => None,
            }
        };
        if let Some(job) = job {
            self.forks.promoted.set(at + 1);
            self.push_fork(job);
        }
    }

    /// Takes the newest fork off the fork list: `true` if it was still
    /// there (the caller runs it), `false` if it was promoted onto the
    /// deque (a thief may have it; the caller looks there and waits).
    #[inline]
    pub(crate) fn pop_fork(&self) -> bool {
        // SAFETY: see `Forks::list`.
        let entry = unsafe { (*self.forks.list.get()).pop() };
        match entry {
            Some(Some(job)) => {
                // A fork job owns nothing; skip its no-op discard.
                std::mem::forget(job);
                true
            }
            _ => {
                // Promoted forks are the oldest: this one was the last.
                // SAFETY: see `Forks::list`.
                let len = unsafe { (*self.forks.list.get()).len() };
                self.forks.promoted.set(len);
                false
            }
        }
    }

    /// This worker's index in its pool.
    pub(crate) fn index(&self) -> usize {
        self.state.index
    }

    /// Whether this worker has jobs of its own waiting: on its deque, or
    /// forks of its running `join`s not promoted yet (`threads.rs`).
    pub(crate) fn has_local_jobs(&self) -> bool {
        // SAFETY: see `Forks::list`; no user code runs meanwhile.
        let forks = unsafe { (*self.forks.list.get()).len() };
        !self.deque.is_empty() || forks > self.forks.promoted.get()
    }

    /// Promotes every fork still on the fork list onto the deque, oldest
    /// first, so that a yield can run one (`threads.rs`).
    pub(crate) fn promote_all(&self) {
        loop {
            let at = self.forks.promoted.get();
            // SAFETY: see `Forks::list`; no user code runs meanwhile.
            let len = unsafe { (*self.forks.list.get()).len() };
            if at >= len {
                break;
            }
            self.promote();
            if self.forks.promoted.get() == at {
                break;
            }
        }
    }

    /// Pops the job this worker pushed last.
    #[inline]
    pub(crate) fn pop(&self) -> Option<Job> {
        let job = self.deque.pop();
        if job.is_none() {
            self.unmark_local();
        }
        job
    }

    /// Runs other jobs until `latch` is set: what a worker does while it
    /// waits for a job it forked and another worker stole.
    pub(crate) fn wait_for(&self, latch: &WorkerLatch) {
        let mut idle = Idle::new();
        let counted = Cell::new(false);
        while !latch.probe() {
            if let Some(job) = self.find_work(idle.is_last_round()) {
                self.end_idle(&counted);
                self.execute(job);
                idle.reset();
                continue;
            }
            self.start_idle(&counted);
            if idle.snooze() {
                // Searched again at the top of the loop.
            } else if latch.prepare_to_sleep() {
                let shared = &self.shared;
                let leave = || latch.probe() || self.has_addressed();
                shared.sleep.sleep(|| self.has_work(), leave);
                if latch.probe() && self.has_work() {
                    // Leaving for the latch, this worker may have taken a
                    // wake-up meant for that work: pass it on.
                    shared.sleep.notify_one();
                }
            }
        }
        self.end_idle(&counted);
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
        while let Some(job) = self.pop() {
            self.shared.injector.push(job);
        }
    }
}

impl Runner for WorkerContext {
    /// Runs a request's job and sends the cell to the result queue: the
    /// part of running a request that does not depend on its types.
    fn run_request(&self, mut task: Box<dyn Task>, filed: u32, holds_slot: bool) {
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
        // Wakes the owner's event loop if it asked (notify.rs).
        self.shared.notify.results_sent();
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

    /// Whether the next search is the last before sleeping: that one
    /// tries every deque, the others a few.
    fn is_last_round(&self) -> bool {
        self.round >= Self::ROUNDS
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
        // Leaving, this worker owes any wake-up a submitter skipped for it.
        context.end_idle(&context.idle);
        // Hand the own deque and inbox back, leave the registry, and pass
        // on any wake-up this worker may have consumed.
        context.hand_back_addressed();
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
        // Relaxed: pairs with nothing; the flag is re-read under the sleep
        // lock before the worker waits (`Sleep::sleep`'s `leave`).
        if shared.shutdown.load(Ordering::Relaxed) {
            // Drain: drop requests, run fork-join jobs, leave when empty.
            match context.find_work(true) {
                Some(job) => context.execute_at_shutdown(job),
                None => break,
            }
            continue;
        }
        // Only dismissal: a shutdown that lands after the check above is
        // seen there on the next round, so the drain always runs.
        // Relaxed: a stale `false` costs one more round (see `should_leave`).
        if context.state.dismissed.load(Ordering::Relaxed) {
            break;
        }
        if let Some(job) = context.find_work(idle.is_last_round()) {
            context.end_idle(&context.idle);
            context.execute(job);
            idle.reset();
            continue;
        }
        // Stay awake a little before sleeping: bursts of work then find
        // the worker awake, and submitters see it idle and wake nobody.
        context.start_idle(&context.idle);
        if idle.snooze() {
            continue;
        }
        shared.sleep.sleep(
            || context.has_work(),
            || context.should_leave() || context.has_addressed(),
        );
        idle.reset();
    }
}

/// The worker the calling thread runs, if any (null: none).
pub(crate) fn current_ptr() -> *const WorkerContext {
    CURRENT.get()
}

/// Makes `context` the calling thread's worker (null: none): for a thread
/// the pool adopts instead of starting (`threads.rs`).
///
/// # Safety
///
/// `*context` stays alive, and is used by this thread only, until
/// `CURRENT` is set to something else.
pub(crate) unsafe fn set_current(context: *const WorkerContext) {
    CURRENT.set(context);
}

/// The dismissal protocol's last steps for `context` (see `Leave`), for a
/// worker that runs no loop: one whose thread the pool adopted, or one
/// that never started (`threads.rs`). Clears the calling thread's
/// `CURRENT`.
pub(crate) fn leave(context: &WorkerContext) {
    drop(Leave(context));
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

/// Calls `f` with the shared state of the pool this thread is a worker
/// of, if any.
#[inline]
pub(crate) fn with_current_pool<R>(f: impl FnOnce(Option<&Arc<Shared>>) -> R) -> R {
    let current = CURRENT.get();
    // SAFETY: as in `with_current`: the context outlives every job its
    // loop runs, and the reference does not escape `f`.
    let context = unsafe { current.as_ref() };
    f(context.map(|context| &context.shared))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ThreadConfig;
    use crate::sync::AtomicBool;
    use crossbeam_utils::CachePadded;

    /// A worker context with no thread behind it, for driving its fork list.
    fn context() -> WorkerContext {
        let (results, _) = crossbeam_channel::unbounded();
        let config = ThreadConfig {
            name: "test".to_owned(),
            stack_size: None,
            max_workers: 1,
            spawn: Default::default(),
        };
        let shared = Shared::new(config, 0, results, None, None, None);
        let state = Arc::new(WorkerState {
            index: 0,
            dismissed: AtomicBool::new(false),
            counters: CachePadded::new(Counters::default()),
        });
        WorkerContext::new(shared, state, Worker::new_lifo())
    }

    /// A job that owns nothing (a zero-sized closure: no allocation), like
    /// a fork, which `pop_fork` forgets.
    fn fork() -> Job {
        Job::spawned(|| ())
    }

    #[test]
    fn heartbeat_promotes_the_oldest_local_fork_and_pop_fork_tells_which() {
        let context = context();
        // The outermost fork is promoted at once.
        context.push_fork_local(fork());
        assert_eq!(context.deque.len(), 1);
        context.push_fork_local(fork());
        context.push_fork_local(fork());
        assert_eq!(context.deque.len(), 1, "inner forks stay local");
        // Make the next fork look at the clock, a heartbeat after the last.
        context.forks.countdown.set(1);
        context.forks.last_beat.set(Instant::now() - 2 * HEARTBEAT);
        context.push_fork_local(fork());
        assert_eq!(context.deque.len(), 2, "a heartbeat promotes one fork");
        assert_eq!(context.forks.promoted.get(), 2);
        // Newest first: two local forks, then the two promoted ones.
        assert!(context.pop_fork());
        assert!(context.pop_fork());
        assert!(!context.pop_fork());
        assert_eq!(context.forks.promoted.get(), 1);
        assert!(!context.pop_fork());
        assert_eq!(context.forks.promoted.get(), 0);
        // Without a heartbeat (the last one is made to lie in the future),
        // no promotion but the outermost fork's.
        context
            .forks
            .last_beat
            .set(Instant::now() + Duration::from_secs(3_600));
        context.push_fork_local(fork());
        for _ in 0..3 * BEAT_CHECK {
            context.push_fork_local(fork());
            assert!(context.pop_fork());
        }
        assert!(!context.pop_fork());
        assert_eq!(context.deque.len(), 3);
    }
}
