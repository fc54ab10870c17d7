//! The worker thread: its loop, its own deque, and the thread-local that lets
//! a running job reach that deque.
//!
//! Dismissal and hand-back are described in
//! `README.md`
//! beside this file; sleeping in `../sleep/README.md`.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use crossbeam_deque::Worker;

use crate::latch::{ForkLatch, WorkerLatch};
use crate::registry::{
    Counters, STEAL_ATTEMPTS, Search, Shared, StealerSet, WorkerState, steal_work,
};
use crate::sync::{Arc, Ordering};
use crate::task::{Job, JobKind, Runner, TaskBox};

thread_local! {
    /// The worker this thread runs and its pool, if it is a pool's worker
    /// thread: set by `main_loop` for as long as the context lives on its
    /// stack, null otherwise. A `Cell` of two pointers has no destructor, so
    /// reading it is two loads, and the pool is compared without first
    /// reading the context (this sits on every `join`).
    static CURRENT: Cell<Current> = const { Cell::new(Current::NONE) };
}

/// What `CURRENT` holds.
#[derive(Clone, Copy)]
struct Current {
    /// The shared state of the worker's pool (`Arc::as_ptr`).
    pool: *const Shared,
    context: *const WorkerContext,
}

impl Current {
    const NONE: Current = Current {
        pool: std::ptr::null(),
        context: std::ptr::null(),
    };
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
    /// Whether this worker's jobs run quickly, for a pool wider than the
    /// machine.
    pace: Pace,
}

/// Whether the jobs a worker of a pool wider than the machine runs are
/// quick, judged on the clock once per batch it takes from the injector or
/// the outbox.
///
/// A batch is the worker's share of a queue: its length over every worker,
/// so that a burst of requests that block (the pool is wide for them) is
/// spread over all of them. Tiny requests make a poor fit: only as many
/// workers as the machine has cores run at once, a share over all of them
/// is one request, and a steal per request kept the outbox's lines moving
/// between the thieves and the putting thread (at 256 workers, 3.5
/// requests per steal and 130-230 ns per put, against 32 per steal and
/// 60-80 ns on 2 workers). So a worker whose last batch ran at under
/// [`QUICK_JOB`] a job, measured from one batch to the next without a wait
/// between, shares a queue among the cores only, and waits for requests to
/// gather as a patient worker does (see [`Idle`]). It goes back to sharing
/// among all workers when a batch runs slower, and whenever it sleeps.
/// A slow job in a quick batch keeps the rest of the batch waiting on the
/// worker's deque until an idle worker steals them.
struct Pace {
    quick: Cell<bool>,
    /// The last batch taken since the worker last waited: when, and how
    /// many jobs it held.
    last: Cell<Option<(Instant, usize)>>,
}

/// The time a job may take on average for its worker to count as quick
/// (see [`Pace`]): a batch of 32 such jobs delays its last one by about
/// what a wake-up costs.
const QUICK_JOB: Duration = Duration::from_micros(1);

impl Pace {
    fn new() -> Self {
        Pace {
            quick: Cell::new(false),
            last: Cell::new(None),
        }
    }

    /// The worker took a batch of `jobs` from a shared queue.
    fn took(&self, jobs: usize) {
        let now = Instant::now();
        if let Some((then, count)) = self.last.get() {
            let count = u32::try_from(count).unwrap_or(u32::MAX);
            self.quick
                .set(now.duration_since(then) < QUICK_JOB.saturating_mul(count));
        }
        self.last.set(Some((now, jobs)));
    }

    /// The worker found no work and waits: the time until its next batch
    /// says nothing about its jobs.
    fn waited(&self) {
        self.last.set(None);
    }

    /// The worker slept: it starts again sharing among all workers.
    fn slept(&self) {
        self.quick.set(false);
        self.last.set(None);
    }
}

/// The forked halves of the `join`s running on one worker, oldest first.
///
/// A fork costs a push onto this list and a pop: two stores and a
/// decrement, then a load and a compare, no atomics, no bounds check (the
/// countdown keeps room, see below): only this thread sees the list. Every
/// [`HEARTBEAT`] (checked on the clock every [`BEAT_CHECK`] forks) the
/// oldest fork still on the list is promoted onto the worker's deque, where
/// idle workers can steal it; the oldest, as it holds the most work. This is
/// heartbeat scheduling: the cost of making work stealable is paid once per
/// heartbeat, not once per fork, and an idle pool runs no timer at all. See
/// `README.md`.
///
/// One counter, `countdown`, decides when a fork leaves the fast path:
/// every [`BEAT_CHECK`] forks (the look at the clock), and at each fork
/// made while the list holds fewer than [`PROMOTE_DEPTH`] (set to 1 when a
/// slow path leaves fewer, and when the list falls below that many, which
/// always happens on the slow side of `pop_fork`: the entries at the bottom
/// are always promoted). Each slow path leaves at least [`BEAT_CHECK`] free
/// slots, so the `countdown` pushes until the next one always fit. (A job
/// that a worker runs while it waits inside a `join`, above forks of its
/// own, gets no fork promoted at once: the list already holds two.)
struct Forks {
    /// The first of the slots: an allocation of `capacity` of them, owned
    /// like a `Vec`'s. Slots from here to `top` hold forks (those below
    /// `promoted` were moved out onto the deque), the rest nothing. Only
    /// the owning thread touches them (`WorkerContext` is not `Sync`), and
    /// never while user code runs.
    base: Cell<*mut Job>,
    capacity: Cell<usize>,
    /// Just past the newest fork.
    top: Cell<*mut Job>,
    /// Slots below this one hold promoted forks (moved onto the deque); the
    /// rest do not.
    promoted: Cell<*mut Job>,
    /// Forks left until the next slow path; at most the free slots.
    countdown: Cell<u32>,
    /// When a fork was last promoted (or the clock last looked at, at start).
    last_beat: Cell<Instant>,
}

// SAFETY: the slots are owned like a `Vec<Job>`'s and `Job` is `Send`; the
// raw pointers only point into them.
unsafe impl Send for Forks {}

/// How often a worker running `join`s promotes one fork.
const HEARTBEAT: Duration = Duration::from_micros(100);

/// Forks between two looks at the clock: reading it costs about as much as
/// several forks.
const BEAT_CHECK: u32 = 256;

/// How many nested forks of a job are promoted as soon as they are made
/// (see [`Forks`]).
const PROMOTE_DEPTH: usize = 2;

impl Forks {
    fn new() -> Self {
        let (base, capacity) = Self::allocate(2 * BEAT_CHECK as usize);
        Forks {
            base: Cell::new(base),
            capacity: Cell::new(capacity),
            top: Cell::new(base),
            promoted: Cell::new(base),
            // The first fork takes the slow path: it is a job's first.
            countdown: Cell::new(1),
            last_beat: Cell::new(Instant::now()),
        }
    }

    /// Room for at least `capacity` forks: the first slot and how many.
    fn allocate(capacity: usize) -> (*mut Job, usize) {
        let mut slots = std::mem::ManuallyDrop::new(Vec::<Job>::with_capacity(capacity));
        (slots.as_mut_ptr(), slots.capacity())
    }

    /// Forks on the list, promoted ones included.
    fn len(&self) -> usize {
        // SAFETY: both point into the one allocation, `top` not below `base`.
        unsafe { self.top.get().offset_from_unsigned(self.base.get()) }
    }

    /// Promoted forks on the list.
    fn promoted_len(&self) -> usize {
        // SAFETY: as in `len`.
        unsafe { self.promoted.get().offset_from_unsigned(self.base.get()) }
    }

    /// Makes room for at least [`BEAT_CHECK`] more forks.
    fn reserve(&self) {
        let len = self.len();
        let capacity = self.capacity.get();
        if capacity - len >= BEAT_CHECK as usize {
            return;
        }
        let (base, grown) = Self::allocate(2 * capacity);
        let promoted = self.promoted_len();
        let old = self.base.get();
        // SAFETY: both allocations have room for `len` forks and are
        // distinct. The forks move bitwise, as `Job`s do; then the old
        // allocation is freed as the empty `Vec` it was made from, without
        // reading its slots.
        unsafe {
            std::ptr::copy_nonoverlapping(old, base, len);
            drop(Vec::from_raw_parts(old, 0, capacity));
            self.top.set(base.add(len));
            self.promoted.set(base.add(promoted));
        }
        self.base.set(base);
        self.capacity.set(grown);
    }
}

impl Drop for Forks {
    fn drop(&mut self) {
        // SAFETY: the allocation `allocate` made, freed once, without
        // dropping its slots: forks own nothing, and none is left when the
        // worker's loop ends.
        drop(unsafe { Vec::from_raw_parts(self.base.get(), 0, self.capacity.get()) });
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
            pace: Pace::new(),
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
        self.search(all, false)
    }

    /// [`find_work`](Self::find_work) for the main loop, which says with
    /// `full_shares` whether the outbox counts as empty until it holds a
    /// full batch for every sharer (`steal_work`): only there, right after
    /// a job, where a worker that waits a gap and looks again loses
    /// nothing. A worker waiting inside a job (a scope, a stolen fork, a
    /// poll) never does, as the job it waits for may be the one request in
    /// the outbox (tests/liveness.rs).
    fn search(&self, all: bool, full_shares: bool) -> Option<Job> {
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
        let victims = if all { usize::MAX } else { STEAL_ATTEMPTS };
        // Only a pool wider than the machine has a choice of sharers.
        let wide = stealers.len() > self.shared.cores;
        let sharers = if wide && self.pace.quick.get() {
            self.shared.cores
        } else {
            usize::MAX
        };
        steal_work(
            &self.shared,
            &self.deque,
            self.state.index,
            stealers,
            Search {
                random: x,
                victims,
                full_shares,
                sharers,
            },
            || self.mark_local(),
            |jobs| {
                if wide {
                    self.pace.took(jobs);
                }
            },
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
    ///
    /// The hand-on looks at every queue, the workers' deques too (counted
    /// as one job when any holds one): a wake-up skipped for this worker
    /// may be owed to a job no longer in the injector (moved onto a deque
    /// by a batch), or this worker may have been woken for a job on a deque
    /// and found another first (tests/loom_wake_deques.rs).
    #[inline]
    fn end_idle(&self, counted: &Cell<bool>) {
        if counted.get() {
            counted.set(false);
            let shared = &self.shared;
            // The deques are looked at only while the shared queues are
            // empty: a job there is reason enough to wake a sleeper.
            shared.sleep.end_idle(|| match shared.queued() {
                0 => usize::from(self.has_local_work()),
                queued => queued,
            });
        }
    }

    /// Whether some worker's deque (this one's included) holds a job, by
    /// this worker's stealer snapshot; no deque is looked at while none is
    /// counted in `Shared::local_queues`.
    fn has_local_work(&self) -> bool {
        if !self.shared.any_local_queue() {
            return false;
        }
        self.refresh_stealers();
        self.stealers.borrow().1.iter().any(|(_, s)| !s.is_empty())
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
        self.shared.hurry();
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
        self.shared.hurry();
        self.shared.sleep.notify_fork();
    }

    /// Records the forked half of a `join` on this worker's fork list (not
    /// stealable yet); every so often (see [`Forks`]) takes the slow path,
    /// which may promote the oldest fork there onto the deque. Pair with
    /// [`pop_fork`](Self::pop_fork).
    ///
    /// # Safety
    ///
    /// `job`'s data points to a `repr(C)` value that starts with a
    /// [`ForkLatch`], not yet made: promoting the fork makes it, and
    /// whoever runs the job sets it.
    #[inline]
    pub(crate) unsafe fn push_fork_local(&self, job: Job) {
        let forks = &self.forks;
        let top = forks.top.get();
        // SAFETY: `top` is a free slot: the last slow path left at least
        // `countdown` free slots above the `top` of then, and every push
        // since then (fewer than that) took one of them. Only this thread
        // touches the slots (see `Forks::base`).
        unsafe {
            top.write(job);
            forks.top.set(top.add(1));
        }
        let left = forks.countdown.get() - 1;
        forks.countdown.set(left);
        if left == 0 {
            self.fork_slow();
        }
    }

    /// The slow path of a fork: promotes the first two nested forks of a
    /// job at once, looks at the clock otherwise, and makes room for the
    /// next run of forks.
    #[cold]
    #[inline(never)]
    fn fork_slow(&self) {
        let len = self.forks.len();
        if len <= PROMOTE_DEPTH {
            // The first forks of a job this worker took (made with fewer
            // than `PROMOTE_DEPTH` forks below them, all promoted) are
            // promoted at once: nested `join`s of long closures that fork
            // nothing more still run them in parallel, and a stolen job
            // shares its biggest halves straight away.
            self.promote();
        } else {
            self.beat();
        }
        self.forks.reserve();
        // The next fork takes the slow path too while it is one of those.
        self.forks
            .countdown
            .set(if len < PROMOTE_DEPTH { 1 } else { BEAT_CHECK });
    }

    /// Looks at the clock; promotes the oldest fork if a heartbeat passed.
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
        let forks = &self.forks;
        let at = forks.promoted.get();
        if at == forks.top.get() {
            // Every fork on the list is promoted already.
            return;
        }
        // SAFETY: slots from `promoted` to `top` hold forks that were
        // pushed and not moved out; this one moves out now, and `promoted`
        // moves past it so it is not read again. This thread only.
        let job = unsafe {
            forks.promoted.set(at.add(1));
            at.read()
        };
        // SAFETY: `push_fork_local`'s contract: the job's data starts with
        // its latch, not made yet; nobody else can reach it before the
        // push below, and this worker's pool outlives whoever sets it.
        unsafe { ForkLatch::init(job.id().cast(), &self.shared.sleep) };
        self.push_fork(job);
    }

    /// Takes the newest fork off the fork list: `true` if it was still
    /// there (the caller runs it), `false` if it was promoted onto the
    /// deque (a thief may have it; the caller looks there and waits).
    ///
    /// The entry is left in its slot, not read: a fork job owns nothing,
    /// and the caller has the job itself.
    #[inline]
    pub(crate) fn pop_fork(&self) -> bool {
        let forks = &self.forks;
        // SAFETY: the caller pushed a fork that is still on the list, so
        // `top` is above `base`.
        let top = unsafe { forks.top.get().sub(1) };
        forks.top.set(top);
        if top < forks.promoted.get() {
            self.popped_promoted(top);
            return false;
        }
        true
    }

    /// `pop_fork` found its fork promoted: promoted forks are the oldest,
    /// so it was the last one. If fewer than [`PROMOTE_DEPTH`] forks are
    /// left, the next fork is one of a job's first: its push takes the
    /// slow path.
    #[cold]
    #[inline(never)]
    fn popped_promoted(&self, top: *mut Job) {
        self.forks.promoted.set(top);
        // Every fork left is promoted (they are the oldest): if fewer than
        // `PROMOTE_DEPTH`, the next fork is promoted at once too. No slow
        // path leaves fewer free slots than one.
        if self.forks.len() < PROMOTE_DEPTH {
            self.forks.countdown.set(1);
        }
    }

    /// Whether this worker waits for requests to gather (see [`Idle`]):
    /// in a pool no wider than the machine, or when its jobs are quick
    /// ([`Pace`]).
    fn is_patient(&self) -> bool {
        // Relaxed: a hint; a stale count costs one round of the other kind.
        self.pace.quick.get() || self.shared.alive.load(Ordering::Relaxed) <= self.shared.cores
    }

    /// This worker's index in its pool.
    pub(crate) fn index(&self) -> usize {
        self.state.index
    }

    /// Whether this worker has jobs of its own waiting: on its deque, or
    /// forks of its running `join`s not promoted yet (`threads.rs`).
    pub(crate) fn has_local_jobs(&self) -> bool {
        // Forks from `promoted` up to `top` are still on the list.
        !self.deque.is_empty() || self.forks.top.get() != self.forks.promoted.get()
    }

    /// Promotes every fork still on the fork list onto the deque, oldest
    /// first, so that a yield can run one (`threads.rs`).
    pub(crate) fn promote_all(&self) {
        // `promote` moves `promoted` one slot on towards `top` each time.
        while self.forks.promoted.get() != self.forks.top.get() {
            self.promote();
        }
    }

    /// Jobs on this worker's own deque.
    pub(crate) fn queued_locally(&self) -> usize {
        self.deque.len()
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
            if idle.snooze(None) {
                // Searched again at the top of the loop.
            } else if latch.prepare_to_sleep() {
                let shared = &self.shared;
                let leave = || latch.probe() || self.has_addressed();
                if shared.sleep.sleep(|| self.has_work(), leave) {
                    shared.sleep.woken(|| shared.queued());
                }
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

    /// The shutdown drain of the main loop, for a worker that runs no loop
    /// (an adopted thread): until no queue it can reach holds a job, drops
    /// requests and runs everything else.
    pub(crate) fn drain_at_shutdown(&self) {
        while let Some(job) = self.find_work(true) {
            self.execute_at_shutdown(job);
        }
    }

    fn hand_back_jobs(&self) {
        while let Some(job) = self.pop() {
            self.shared.injector.push(job);
        }
    }
}

impl Runner for WorkerContext {
    fn context(&self) -> &WorkerContext {
        self
    }

    /// Runs a request's job and sends the cell to the result queue: the
    /// part of running a request that does not depend on its types.
    fn run_request(&self, mut task: TaskBox, holds_slot: bool) {
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
        // Never waits: the queue is unbounded, and the result bound holds
        // back puts instead, so no worker waits for the polling thread
        // (README.md, "Liveness with bounded queues"). The cell goes as it
        // is, its callbacks' slot in its header (`results.rs`).
        // Wakes the owner's event loop too, if it asked (notify.rs).
        self.shared.send(task.into_link(), true);
    }
}

/// How a worker that found no work waits before it sleeps: rounds of
/// spins, then a few rounds that yield the CPU, each followed by a new
/// search.
///
/// The spins grow so that an idle worker does not poll other workers'
/// deques in a tight loop (that pulls their cache lines away and slows the
/// owners' pops); the yield rounds are few, since each is a context switch
/// on a busy machine, and an idle pool should cost next to nothing.
///
/// A *patient* worker (one of a pool no wider than the machine, or a quick
/// one, see [`Pace`], waiting in its main loop) spins one round of [`PATIENT_GAP`](Self::PATIENT_GAP)
/// hints instead, then yields. Each search reads the injector's head and tail, and
/// every read pulls those lines away from a thread that is putting
/// requests, so its next push waits for them: idle workers searching every
/// few dozen nanoseconds took half the polling thread's time in a stream
/// of tiny requests (`submit` in the benchmark suite). Searching every
/// couple of microseconds lets requests gather, and the next search takes
/// them as a batch (`steal_work`). A worker of a wider pool that is not
/// quick keeps the short spins: the pool has sleepers, and a backlog that
/// gathers makes the putting thread wake them (`Sleep::notify_queued`),
/// which a burst of requests that block needs. The gap is cut
/// short by any other push (an `install` or a spawn from outside, a put
/// through a handle, a job pushed onto a worker's deque: `Shared::hurry`),
/// whose caller may be waiting for just that job.
///
/// A patient worker that just ran a job also looks at the outbox that
/// way: while the injector is empty, it takes from it only a full batch
/// for every worker (32 requests each), and otherwise waits one gap first
/// and then takes what is there.
/// A worker that runs tiny requests faster than they are put would
/// otherwise find one or two queued each time it looks, and a steal every
/// few hundred nanoseconds kept the outbox's lines moving between it and
/// the putting thread (the put path ran at 110-190 ns per request with
/// batches of 3, at 50-120 with batches of 30).
struct Idle {
    round: u32,
}

impl Idle {
    /// Rounds of spinning (1, 2, 4, ... 32 spin-loop hints) before yielding.
    const SPINS: u32 = 6;
    /// Spin-loop hints between two searches of a patient worker: about
    /// 2.5 µs where one hint takes 20 ns, as on current x86 server cores.
    const PATIENT_GAP: u32 = 128;
    /// Rounds of spinning of a patient worker before it yields: one. The
    /// gap is long enough for a stream of requests to gather, and a worker
    /// that spun longer took a core from the threads that do the work (on
    /// two cores, the worker running a small `install` and its caller).
    const PATIENT_SPINS: u32 = 1;
    /// Spin-loop hints between two looks at `Shared::hurried` in that gap.
    const PATIENT_LOOK: u32 = 8;
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

    /// Waits one round; returns false once it is time to sleep. `patient`:
    /// see [`Idle`].
    fn snooze(&mut self, patient: Option<&crate::sync::AtomicUsize>) -> bool {
        if self.round >= Self::ROUNDS {
            return false;
        }
        let spins = if patient.is_some() {
            Self::PATIENT_SPINS
        } else {
            Self::SPINS
        };
        if self.round < spins {
            match patient {
                Some(hurried) => {
                    // Cut short by a push that should not wait (`Shared::hurried`).
                    // Relaxed: a hint, see `Shared::hurry`.
                    let seen = hurried.load(Ordering::Relaxed);
                    for _ in 0..Self::PATIENT_GAP / Self::PATIENT_LOOK {
                        for _ in 0..Self::PATIENT_LOOK {
                            std::hint::spin_loop();
                        }
                        if hurried.load(Ordering::Relaxed) != seen {
                            break;
                        }
                    }
                }
                None => {
                    for _ in 0..1_u32 << self.round {
                        std::hint::spin_loop();
                    }
                }
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
        CURRENT.set(Current::NONE);
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
    CURRENT.set(Current {
        pool: Arc::as_ptr(&context.shared),
        context,
    });
    let _leave = Leave(context);
    let shared = &context.shared;
    shared.config.spawn.worker_started(context.index());
    let mut idle = Idle::new();
    // Whether the next search takes from the outbox only full batches.
    let mut full_shares = false;
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
        if let Some(job) = context.search(idle.is_last_round(), full_shares) {
            context.end_idle(&context.idle);
            context.execute(job);
            idle.reset();
            // A patient worker that keeps up with a stream of requests
            // would take them one or two at a time, each steal pulling the
            // outbox's lines away from the putting thread: it takes them
            // in full batches, or after one patient wait (see `Idle`).
            full_shares = context.is_patient();
            continue;
        }
        full_shares = false;
        context.pace.waited();
        // Stay awake a little before sleeping: bursts of work then find
        // the worker awake, and submitters see it idle and wake nobody.
        context.start_idle(&context.idle);
        if idle.snooze(context.is_patient().then_some(&*shared.hurried)) {
            continue;
        }
        if shared.sleep.sleep(
            || context.has_work(),
            || context.should_leave() || context.has_addressed(),
        ) {
            shared.sleep.woken(|| shared.queued());
        }
        context.pace.slept();
        idle.reset();
    }
    // After the last job, before `_leave` hands back what is queued here
    // and counts the thread out (so a join of it waits for the handler).
    shared.config.spawn.worker_exiting(context.index());
}

/// The worker the calling thread runs, if any (null: none).
#[inline]
pub(crate) fn current_ptr() -> *const WorkerContext {
    CURRENT.get().context
}

/// Makes `context` the calling thread's worker (null: none): for a thread
/// the pool adopts instead of starting (`threads.rs`).
///
/// # Safety
///
/// `*context` stays alive, and is used by this thread only, until
/// `CURRENT` is set to something else.
pub(crate) unsafe fn set_current(context: *const WorkerContext) {
    let current = if context.is_null() {
        Current::NONE
    } else {
        Current {
            // SAFETY: the caller's contract: `*context` is alive.
            pool: Arc::as_ptr(unsafe { &(*context).shared }),
            context,
        }
    };
    CURRENT.set(current);
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
    let current = CURRENT.get().context;
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
    if current.pool == Arc::as_ptr(shared) {
        // SAFETY: `pool` is not null (an `Arc`'s pointer never is), so
        // `context` points to the `WorkerContext` on the stack of this
        // thread's `main_loop`, which outlives every job the loop runs;
        // `Leave` clears both before the context goes. The reference does
        // not escape `f`.
        f(Some(unsafe { &*current.context }))
    } else {
        f(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ThreadConfig;
    use crate::sync::AtomicBool;
    use crate::task::{JobVTable, discard_nothing};
    use crossbeam_utils::CachePadded;
    use std::ptr::NonNull;

    /// A worker context with no thread behind it, for driving its fork list.
    fn context() -> WorkerContext {
        let (bell, _) = crossbeam_channel::bounded(1);
        let config = ThreadConfig {
            name: "test".to_owned(),
            stack_size: None,
            max_workers: 1,
            spawn: Default::default(),
        };
        let shared = Shared::new(config, 0, bell, None, None, None);
        let state = Arc::new(WorkerState {
            index: 0,
            dismissed: AtomicBool::new(false),
            counters: CachePadded::new(Counters::default()),
        });
        WorkerContext::new(shared, state, Worker::new_lifo())
    }

    /// Fork jobs like `join`'s: each one's data is a latch of its own; they
    /// own nothing, and running one does nothing.
    struct Forker {
        latches: Box<[ForkLatch]>,
        next: Cell<usize>,
    }

    impl Forker {
        fn new(n: usize) -> Forker {
            Forker {
                latches: (0..n).map(|_| ForkLatch::new()).collect(),
                next: Cell::new(0),
            }
        }

        /// Pushes the next fork onto `context`'s fork list.
        fn push(&self, context: &WorkerContext) {
            unsafe fn run_nothing(_: NonNull<()>, _: &dyn Runner) {}
            let latch = &self.latches[self.next.get()];
            self.next.set(self.next.get() + 1);
            // SAFETY: the functions do nothing with the data, which is a
            // latch that outlives the context (declared before it in each
            // test), unmade, and used by no other job.
            unsafe {
                let job = Job::new(
                    NonNull::from(latch).cast(),
                    &JobVTable {
                        run: run_nothing,
                        discard: discard_nothing,
                        kind: JobKind::Fork,
                    },
                );
                context.push_fork_local(job);
            }
        }
    }

    #[test]
    fn heartbeat_promotes_the_oldest_local_fork_and_pop_fork_tells_which() {
        let forker = Forker::new(4 * BEAT_CHECK as usize);
        let context = context();
        // The first two nested forks are promoted at once.
        forker.push(&context);
        assert_eq!(context.deque.len(), 1);
        forker.push(&context);
        assert_eq!(context.deque.len(), PROMOTE_DEPTH);
        forker.push(&context);
        forker.push(&context);
        assert_eq!(
            context.deque.len(),
            PROMOTE_DEPTH,
            "deeper forks stay local"
        );
        // Make the next fork look at the clock, a heartbeat after the last.
        context.forks.countdown.set(1);
        context.forks.last_beat.set(Instant::now() - 2 * HEARTBEAT);
        forker.push(&context);
        assert_eq!(context.deque.len(), 3, "a heartbeat promotes one fork");
        assert_eq!(context.forks.promoted_len(), 3);
        // Newest first: two local forks, then the three promoted ones.
        assert!(context.pop_fork());
        assert!(context.pop_fork());
        assert!(!context.pop_fork());
        assert_eq!(context.forks.promoted_len(), 2);
        assert!(!context.pop_fork());
        assert!(!context.pop_fork());
        assert_eq!(context.forks.promoted_len(), 0);
        // Without a heartbeat (the last one is made to lie in the future),
        // no promotion but the first two forks'.
        context
            .forks
            .last_beat
            .set(Instant::now() + Duration::from_secs(3_600));
        forker.push(&context);
        forker.push(&context);
        for _ in 0..3 * BEAT_CHECK {
            forker.push(&context);
            assert!(context.pop_fork());
        }
        assert_eq!(context.deque.len(), 5);
        // The list fell below two forks through a promoted one: the next
        // fork is one of a job's first again, promoted at once.
        assert!(!context.pop_fork());
        forker.push(&context);
        assert_eq!(context.deque.len(), 6);
        assert!(!context.pop_fork());
        assert!(!context.pop_fork());
    }

    #[test]
    fn the_fork_list_grows_past_its_first_capacity_and_keeps_its_forks() {
        let forker = Forker::new(3 * 2 * BEAT_CHECK as usize);
        let context = context();
        // No heartbeat passes (the last one lies in the future): only the
        // first two forks are promoted.
        context
            .forks
            .last_beat
            .set(Instant::now() + Duration::from_secs(3_600));
        let capacity = |context: &WorkerContext| context.forks.capacity.get();
        let depth = 3 * 2 * BEAT_CHECK as usize;
        assert!(capacity(&context) < depth);
        for _ in 0..depth {
            forker.push(&context);
        }
        assert!(capacity(&context) >= depth);
        assert_eq!(context.forks.len(), depth);
        assert_eq!(context.deque.len(), PROMOTE_DEPTH);
        for _ in PROMOTE_DEPTH..depth {
            assert!(context.pop_fork());
        }
        for _ in 0..PROMOTE_DEPTH {
            assert!(!context.pop_fork());
        }
        assert_eq!(context.forks.len(), 0);
    }

    #[test]
    fn a_worker_is_quick_after_a_fast_batch_until_a_slow_one_or_a_sleep() {
        let pace = Pace::new();
        assert!(!pace.quick.get(), "a worker starts sharing among all");
        // A batch so large that no delay makes it slow: the next one
        // judges it quick.
        pace.took(usize::MAX);
        pace.took(1);
        assert!(pace.quick.get(), "a fast batch makes the worker quick");
        // One job that ran for a millisecond makes it slow again.
        std::thread::sleep(Duration::from_millis(1));
        pace.took(usize::MAX);
        assert!(!pace.quick.get(), "a slow batch ends it");
        pace.took(1);
        assert!(pace.quick.get());
        // A wait between two batches says nothing about the jobs.
        pace.waited();
        std::thread::sleep(Duration::from_millis(1));
        pace.took(1);
        assert!(pace.quick.get(), "time spent waiting is not counted");
        pace.slept();
        assert!(!pace.quick.get(), "a worker that slept starts over");
    }
}
