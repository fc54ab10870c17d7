//! The state a pool's threads share: the queues, the worker registry, the
//! counters, and the sleep state.

use crate::sync::thread::{self, ThreadId};
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::ptr::NonNull;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Select, Sender};
use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use crossbeam_utils::{Backoff, CachePadded};

use crate::error::{PutErrorKind, SpawnError};
use crate::id::RequestId;
use crate::request::{SendCallbacks, StateType};
use crate::results::{Link, ResultStack};
use crate::sleep::Sleep;
use crate::stats::PoolStats;
use crate::sync::{
    Arc, AtomicBool, AtomicU64, AtomicUsize, Condvar, Mutex, Ordering, fence, lock, wait,
    wait_timeout,
};
use crate::task::{Envelope, Job, JobKind, drop_quietly};
use crate::threads::WorkerThread;
use crate::worker::{self, WorkerContext};

/// What the result queue carries.
pub(crate) enum Message {
    /// A finished request.
    Done(Envelope),
    /// A running request reported progress (`progress.rs`).
    Progress(RequestId),
    /// The last worker thread left: a blocked poller re-checks whether any
    /// thread can still produce a result.
    Recheck,
}

/// A caller-chosen id registered as outstanding while a put is under way:
/// unregistered again on drop (the put failed or unwound) unless kept.
pub(crate) struct ChosenId {
    shared: Arc<Shared>,
    chosen: u64,
}

impl ChosenId {
    /// Registers `id` if it is a chosen one (automatic ids need nothing:
    /// `Ok(None)`); `Err` if it is outstanding already.
    pub(crate) fn register(shared: &Arc<Shared>, id: RequestId) -> Result<Option<Self>, ()> {
        let Some(chosen) = id.chosen() else {
            return Ok(None);
        };
        if !lock(&shared.chosen_ids).insert(chosen) {
            return Err(());
        }
        Ok(Some(ChosenId {
            shared: Arc::clone(shared),
            chosen,
        }))
    }

    /// The put succeeded: the id stays registered until the callback runs.
    pub(crate) fn keep(self) {
        std::mem::forget(self);
    }
}

impl Drop for ChosenId {
    fn drop(&mut self) {
        lock(&self.shared.chosen_ids).remove(&self.chosen);
    }
}

/// How long a put may block on a full request queue.
#[derive(Clone, Copy)]
pub(crate) enum PutMode {
    Block,
    Until(Instant),
    Try,
}

/// Per-worker request counters. Each is written only by its worker (a load
/// and a store, no RMW) and read by anyone who asks for statistics.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) started: AtomicU64,
    pub(crate) completed: AtomicU64,
    pub(crate) panicked: AtomicU64,
}

impl Counters {
    /// Adds one to a counter only this thread writes.
    #[inline]
    pub(crate) fn bump(counter: &AtomicU64) {
        // Relaxed: the counters are statistics; no data is published through them.
        counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    fn add_to(&self, totals: &mut [u64; 3]) {
        totals[0] += self.started.load(Ordering::Relaxed);
        totals[1] += self.completed.load(Ordering::Relaxed);
        totals[2] += self.panicked.load(Ordering::Relaxed);
    }
}

/// How many waits for room in the request queue one worker may nest
/// (`Shared::wait_for_slot_on_worker`) before a put from a job goes in over
/// the bound instead.
pub(crate) const MAX_NESTED_WAITS: u32 = 8;

thread_local! {
    /// How deep the current worker is in nested waits for room.
    static NESTED_WAITS: Cell<u32> = const { Cell::new(0) };
}

/// How a wait in [`ResultRoom::wait`] ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RoomWait {
    /// The condition holds: there is room.
    Room,
    /// The reason to stop (shutdown) holds.
    Stopped,
    /// The deadline passed.
    TimedOut,
}

/// Where puts from threads outside the pool wait while the result queue is
/// at its bound (`result_queue_size`), until the polling thread takes
/// results off it.
///
/// Workers never wait on the result queue: it is unbounded underneath, and
/// the bound holds back producers instead. So no thread of the pool ever
/// waits for the polling thread, and the polling thread may block on them
/// (`install`, `join`, `scope`, joining dismissed workers, a put waiting
/// for room in the request queue) without a deadlock.
///
/// The handshake is the sleep protocol's, with `waiters` for `sleepers`: a
/// waiter counts itself, issues a SeqCst fence, and checks for room under
/// the lock; the poller takes results, issues a SeqCst fence, and if it
/// sees a waiter, notifies under the lock. Of the two fences, whichever
/// comes second is followed by a read that sees the other side's write:
/// either the waiter sees the room, or the poller sees the waiter (and the
/// lock keeps its notify from falling between the waiter's check and its
/// wait). Model-checked in `tests/loom_liveness.rs`.
pub(crate) struct ResultRoom {
    waiters: AtomicUsize,
    lock: Mutex<()>,
    changed: Condvar,
}

impl ResultRoom {
    pub(crate) fn new() -> Self {
        ResultRoom {
            waiters: AtomicUsize::new(0),
            lock: Mutex::new(()),
            changed: Condvar::new(),
        }
    }

    /// Waits until `has_room` or `stop` holds, or `deadline` passes
    /// (under loom, the deadline is not modelled: it waits for a notify).
    pub(crate) fn wait(
        &self,
        has_room: impl Fn() -> bool,
        stop: impl Fn() -> bool,
        deadline: Option<Instant>,
    ) -> RoomWait {
        self.waiters.fetch_add(1, Ordering::SeqCst);
        // Pairs with the fence in `made_room`.
        fence(Ordering::SeqCst);
        let mut guard = lock(&self.lock);
        let end = loop {
            if stop() {
                break RoomWait::Stopped;
            }
            if has_room() {
                break RoomWait::Room;
            }
            match deadline {
                None => guard = wait(&self.changed, guard),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break RoomWait::TimedOut;
                    }
                    guard = wait_timeout(&self.changed, guard, deadline - now);
                }
            }
        };
        drop(guard);
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        end
    }

    /// Called after room was made (results taken off the queue): wakes the
    /// waiters, if any. A fence and a load when none waits.
    pub(crate) fn made_room(&self) {
        // Pairs with the fence in `wait`.
        fence(Ordering::SeqCst);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            let _guard = lock(&self.lock);
            self.changed.notify_all();
        }
    }

    /// Wakes every waiter to re-check `stop`, which the caller made true
    /// first; taking the lock orders that write before their next check.
    pub(crate) fn wake_all(&self) {
        let _guard = lock(&self.lock);
        self.changed.notify_all();
    }
}

/// What a worker thread and the registry both hold.
pub(crate) struct WorkerState {
    pub(crate) index: usize,
    /// Set once, by `dismiss_workers`; the worker leaves after its current job.
    pub(crate) dismissed: AtomicBool,
    pub(crate) counters: CachePadded<Counters>,
}

struct WorkerEntry {
    state: Arc<WorkerState>,
    stealer: Stealer<Job>,
    /// How to wait for its thread (`None`: an adopted thread).
    handle: Option<WorkerThread>,
}

#[derive(Default)]
struct Registry {
    /// Worker threads that have not left yet, dismissed ones included.
    workers: Vec<WorkerEntry>,
    /// Threads of dismissed workers not yet joined.
    dismissed: Vec<WorkerThread>,
    /// Counters of workers that have left: [started, completed, panicked].
    retired: [u64; 3],
    next_index: usize,
    /// `in_place_scope`s running on threads outside the pool: while there
    /// are any, `dismiss` keeps the last worker, which their queued jobs
    /// borrowing the callers' stacks need.
    outside_scopes: usize,
}

/// The stealers of all live workers, as each worker last saw them.
pub(crate) type StealerSet = Arc<[(usize, Stealer<Job>)]>;

pub(crate) struct ThreadConfig {
    pub(crate) name: String,
    pub(crate) stack_size: Option<usize>,
    /// The most non-dismissed workers at once.
    pub(crate) max_workers: usize,
    /// How worker threads are started, and their deques' order (`threads.rs`).
    pub(crate) spawn: crate::threads::SpawnConfig,
}

pub(crate) struct Shared {
    pub(crate) injector: Injector<Job>,
    /// Requests put through the `ThreadPool`: its polling thread is their
    /// only producer, so they go onto a deque it owns (`Core::outbox`),
    /// FIFO, which workers steal from like the injector. A push there is
    /// a store, where the injector's takes two atomic read-modify-writes
    /// on lines every worker reads. Workers search it right after the
    /// injector, and every count of queued work includes it (`queued`).
    /// Its buffer grows with the largest backlog and keeps that size until
    /// the pool is dropped: 16 bytes a slot, against the 64 or more of
    /// each queued request's cell.
    ///
    /// A steal from it, unlike one from the injector, pins crossbeam-epoch,
    /// and every 128 pins a thread walks the list of every thread that
    /// ever pinned: with requests taken one at a time, a share of the
    /// pool's width per request. Measured against the injector at 256 and
    /// 1,024 workers (`wide` in the benchmark suite), the outbox still
    /// costs the polling thread less, so it is used at every width.
    pub(crate) outbox: Stealer<Job>,
    /// The owning end of `outbox`, until the `ThreadPool` takes it
    /// (`take_outbox`); a pool without one never pushes there.
    outbox_owner: Mutex<Option<Worker<Job>>>,
    stealers: Mutex<StealerSet>,
    /// Bumped whenever `stealers` changes; workers compare it with the
    /// version of their snapshot.
    stealers_version: AtomicUsize,
    pub(crate) sleep: Sleep,
    /// Jobs addressed to one worker each (`inbox.rs`).
    pub(crate) inbox: crate::inbox::Inboxes,
    /// Workers whose own deque may hold jobs: each owner counts itself
    /// before it pushes onto an empty deque and uncounts itself when its
    /// own pop finds the deque empty (only the owner pushes there, so the
    /// count never misses a non-empty deque). While it is zero, nobody
    /// scans the deques: with requests alone, the injector is all there is.
    pub(crate) local_queues: CachePadded<AtomicUsize>,
    registry: Mutex<Registry>,
    /// Non-dismissed workers.
    active: AtomicUsize,
    /// Worker threads still in their loop, dismissed ones finishing a job
    /// included: the threads that can still produce a result.
    pub(crate) alive: AtomicUsize,
    /// The cores this process may run on (`available_parallelism`), read
    /// once: a pool with no more workers than this lets idle workers wait
    /// longer between searches (`worker::Idle`).
    pub(crate) cores: usize,
    /// Bumped after every push that patient idle workers should not wait
    /// out their gap for (`worker::Idle`): onto the injector from outside
    /// the pool (an `install`, a spawn, a put through a handle) and onto a
    /// worker's own deque. Not by the polling thread's puts, whose stream
    /// the gap is for. Padded: spinning workers read it.
    pub(crate) hurried: CachePadded<AtomicUsize>,
    /// Requests put through the `ThreadPool` since the pool started. Only
    /// its (single) polling thread writes it, with a load and a store.
    /// Padded: every put writes it, and workers read nearby fields.
    local_submitted: CachePadded<AtomicU64>,
    /// Requests put through handles, from any thread.
    remote_submitted: CachePadded<AtomicU64>,
    pub(crate) shutdown: AtomicBool,
    /// False for pools built with `build_handle`: nothing receives results.
    pub(crate) has_poller: bool,
    /// The polling side's state type, which `_with` callbacks must take.
    state: Option<StateType>,
    /// The result queue (`results.rs`). Always unbounded: a worker never
    /// waits to hand in a result (see `ResultRoom`).
    pub(crate) results: ResultStack,
    /// Rung when the polling thread waits for a message and one came
    /// (`results.rs`, "Waiting for a message"): a channel of one `()`.
    bell: Sender<()>,
    /// `result_queue_size`: how many results may wait unpolled before
    /// puts from threads outside the pool wait. `None`: unbounded.
    pub(crate) result_bound: Option<usize>,
    /// Where those puts wait for the polling thread to make room.
    pub(crate) room: ResultRoom,
    /// The thread that owns the `ThreadPool` and polls it (`None` for a
    /// pool made by `build_handle`). A `ThreadPool` is not `Send`, so it
    /// never moves to another thread.
    owner: Option<ThreadId>,
    /// The bounded request queue's slots: a put sends a token, a worker that
    /// starts a request receives one. `None` when the queue is unbounded.
    pub(crate) slots: Option<(Sender<()>, Receiver<()>)>,
    /// Wakes puts through handles blocked on a full request queue: its
    /// sender is dropped at shutdown (for good) and when the last worker
    /// leaves (replaced by a fresh channel), which disconnects the
    /// receivers the waiting puts hold. It carries no messages.
    putter_signal: Mutex<(Option<Sender<()>>, Receiver<()>)>,
    /// Caller-chosen ids of outstanding requests.
    pub(crate) chosen_ids: Mutex<HashSet<u64>>,
    /// Callbacks of outstanding requests put through a `PoolHandle`.
    pub(crate) remote: Mutex<HashMap<RequestId, SendCallbacks>>,
    /// Padded like `submitted`: written by every remote put and delivery.
    pub(crate) remote_outstanding: CachePadded<AtomicUsize>,
    pub(crate) config: ThreadConfig,
    /// Wakes the polling side: its notifier, async waiters (`notify.rs`).
    pub(crate) notify: crate::notify::Notify,
    /// Cancelled requests, for the statistics (`cancel.rs`).
    pub(crate) cancels: crate::cancel::Cancels,
}

impl Shared {
    pub(crate) fn new(
        config: ThreadConfig,
        queue_size: usize,
        bell: Sender<()>,
        result_bound: Option<usize>,
        state: Option<StateType>,
        notifier: Option<crate::notify::NotifyFn>,
    ) -> Arc<Shared> {
        let (signal_tx, signal_rx) = crossbeam_channel::bounded(0);
        let outbox = Worker::new_fifo();
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Arc::new(Shared {
            injector: Injector::new(),
            outbox: outbox.stealer(),
            outbox_owner: Mutex::new(Some(outbox)),
            stealers: Mutex::new(Arc::from(Vec::new())),
            stealers_version: AtomicUsize::new(0),
            sleep: Sleep::new(cores),
            inbox: crate::inbox::Inboxes::default(),
            local_queues: CachePadded::new(AtomicUsize::new(0)),
            registry: Mutex::new(Registry::default()),
            active: AtomicUsize::new(0),
            alive: AtomicUsize::new(0),
            cores,
            hurried: CachePadded::new(AtomicUsize::new(0)),
            local_submitted: CachePadded::new(AtomicU64::new(0)),
            remote_submitted: CachePadded::new(AtomicU64::new(0)),
            shutdown: AtomicBool::new(false),
            has_poller: state.is_some(),
            state,
            results: ResultStack::new(result_bound.is_some()),
            bell,
            result_bound,
            room: ResultRoom::new(),
            owner: state.is_some().then(|| thread::current().id()),
            slots: (queue_size > 0).then(|| crossbeam_channel::bounded(queue_size)),
            putter_signal: Mutex::new((Some(signal_tx), signal_rx)),
            chosen_ids: Mutex::new(HashSet::new()),
            remote: Mutex::new(HashMap::new()),
            remote_outstanding: CachePadded::new(AtomicUsize::new(0)),
            config,
            notify: crate::notify::Notify::new(notifier),
            cancels: crate::cancel::Cancels::default(),
        })
    }

    /// Pushes a job: onto the current worker's own deque when called from a
    /// job of this pool, else onto the injector; then wakes a sleeper.
    #[inline]
    pub(crate) fn push(self: &Arc<Self>, job: Job) {
        if let Err(job) = worker::push_local(self, job) {
            self.injector.push(job);
            self.hurry();
            self.sleep.notify_queued(|| self.injector.len());
        }
    }

    /// Pushes a request put through a handle, counting it as submitted
    /// first (so that `queued`, submitted minus started, stays >= 0).
    pub(crate) fn submit_remote(self: &Arc<Self>, envelope: Envelope) {
        // Relaxed: a statistic; the push that follows publishes the job.
        self.remote_submitted.fetch_add(1, Ordering::Relaxed);
        self.push(envelope.into_job());
    }

    /// Pushes a request put through the `ThreadPool` (by its polling
    /// thread, the only writer of `local_submitted`) onto its `outbox`.
    #[inline]
    pub(crate) fn submit_local(&self, outbox: &Worker<Job>, envelope: Envelope) {
        self.count_local_submitted();
        outbox.push(envelope.into_job());
        self.sleep.notify_queued(|| self.queued());
    }

    /// Tells patient idle workers that a job they should not wait for was
    /// pushed (`hurried`).
    #[inline]
    pub(crate) fn hurry(&self) {
        // Relaxed: a hint to cut a spin short; the push itself is what a
        // search finds, and the notify that follows is what wakes sleepers.
        self.hurried.fetch_add(1, Ordering::Relaxed);
    }

    /// The owning end of the outbox, for the `ThreadPool` (once).
    pub(crate) fn take_outbox(&self) -> Worker<Job> {
        lock(&self.outbox_owner)
            .take()
            .expect("one `ThreadPool` per pool takes the outbox")
    }

    /// Jobs waiting in the injector and the outbox: the queues every
    /// worker searches first.
    #[inline]
    pub(crate) fn queued(&self) -> usize {
        self.injector.len() + self.outbox.len()
    }

    /// Counts a request put by the polling thread; call before pushing it.
    #[inline]
    pub(crate) fn count_local_submitted(&self) {
        Counters::bump(&self.local_submitted);
    }

    /// Whether any queue holds a job some worker could take.
    pub(crate) fn has_work(&self) -> bool {
        self.has_work_in(&self.stealers())
    }

    /// Like [`has_work`](Self::has_work), with a worker's own snapshot of
    /// the stealers (no lock). The one full scan of every deque a worker
    /// makes before it sleeps; a snapshot older than a new worker misses
    /// only that worker's deque, which its awake owner empties itself.
    pub(crate) fn has_work_in(&self, stealers: &[(usize, Stealer<Job>)]) -> bool {
        !self.injector.is_empty()
            || !self.outbox.is_empty()
            || (self.any_local_queue() && stealers.iter().any(|(_, s)| !s.is_empty()))
    }

    /// Whether some worker's own deque may hold jobs (see `local_queues`).
    #[inline]
    pub(crate) fn any_local_queue(&self) -> bool {
        // SeqCst: read after the fence of a sleeper's re-check, it pairs
        // with the increment a pusher makes before its push and fence.
        self.local_queues.load(Ordering::SeqCst) > 0
    }

    pub(crate) fn stealers(&self) -> StealerSet {
        Arc::clone(&lock(&self.stealers))
    }

    /// The stealer snapshot, if it changed since `version`.
    pub(crate) fn stealers_since(&self, version: usize) -> Option<(usize, StealerSet)> {
        // Acquire: pairs with the Release in `publish_stealers`.
        let now = self.stealers_version.load(Ordering::Acquire);
        (now != version).then(|| (now, self.stealers()))
    }

    fn publish_stealers(&self, registry: &Registry) {
        let set: Vec<_> = registry
            .workers
            .iter()
            .map(|w| (w.state.index, w.stealer.clone()))
            .collect();
        *lock(&self.stealers) = Arc::from(set);
        // Release: pairs with the Acquire in `stealers_since`.
        self.stealers_version.fetch_add(1, Ordering::Release);
    }

    /// Takes one token of the bounded request queue, as `mode` allows, for
    /// a put through a handle. Returns whether a token was taken (`false`:
    /// the queue is unbounded, or a worker's put went in over the bound).
    pub(crate) fn acquire_slot(self: &Arc<Self>, mode: PutMode) -> Result<bool, PutErrorKind> {
        match &self.slots {
            None => Ok(false),
            Some((slots, _)) if slots.try_send(()).is_ok() => Ok(true),
            Some(_) => worker::with_current(self, |current| match current {
                Some(context) => self.wait_for_slot_on_worker(context, mode),
                None => self.wait_for_slot(mode, || self.putter_signal(), drop),
            }),
        }
    }

    /// Waits for a token of the bounded request queue on a worker of this
    /// pool (a job putting through a handle), as `mode` allows, running
    /// queued jobs meanwhile as a `join` does.
    ///
    /// Only a worker starting a request frees a token, so a worker that
    /// simply blocked here could wait for itself (with one worker, for
    /// ever). Running the queued requests itself frees their tokens. Such
    /// runs nest (a request run here may put and wait in turn); past
    /// [`MAX_NESTED_WAITS`] the put goes in over the bound instead, so the
    /// stack stays bounded. With nothing to run here, the requests holding
    /// the tokens are being started by other workers or are being pushed
    /// by their putters; it waits for a token, looking for work again at
    /// growing intervals (a push wakes sleeping workers, not this one).
    /// See `worker/README.md`, "A job that waits for room".
    fn wait_for_slot_on_worker(
        &self,
        context: &WorkerContext,
        mode: PutMode,
    ) -> Result<bool, PutErrorKind> {
        /// The longest wait for a token between two searches for work.
        const RECHECK: Duration = Duration::from_millis(10);
        let Some((slots, _)) = &self.slots else {
            return Ok(false);
        };
        let backoff = Backoff::new();
        let mut interval = Duration::from_micros(50);
        loop {
            if slots.try_send(()).is_ok() {
                return Ok(true);
            }
            if self.shutdown.load(Ordering::SeqCst) {
                return Err(PutErrorKind::ShutDown);
            }
            let deadline = match mode {
                PutMode::Try => return Err(PutErrorKind::Full),
                PutMode::Until(deadline) if Instant::now() >= deadline => {
                    return Err(PutErrorKind::Timeout);
                }
                PutMode::Until(deadline) => Some(deadline),
                PutMode::Block => None,
            };
            let depth = NESTED_WAITS.get();
            if depth >= MAX_NESTED_WAITS {
                // Over the bound rather than deeper down the stack.
                return Ok(false);
            }
            if let Some(job) = context.find_work(backoff.is_completed()) {
                NESTED_WAITS.set(depth + 1);
                // `execute` never unwinds: user code runs under `catch_unwind`.
                context.execute(job);
                NESTED_WAITS.set(depth);
                backoff.reset();
                interval = Duration::from_micros(50);
                continue;
            }
            if !backoff.is_completed() {
                backoff.snooze();
                continue;
            }
            let mut until = Instant::now() + interval;
            if let Some(deadline) = deadline {
                until = until.min(deadline);
            }
            let mut select = Select::new();
            select.send(slots);
            if let Ok(op) = select.select_deadline(until)
                && op.send(slots, ()).is_ok()
            {
                return Ok(true);
            }
            interval = (interval * 2).min(RECHECK);
        }
    }

    /// For a put through a handle: waits, as `mode` allows, while
    /// `result_bound` results wait unpolled, if the calling thread is
    /// outside the pool. The polling thread (a callback putting follow-up
    /// work) and the pool's workers (a job putting) never wait here: they
    /// would wait for themselves, or for a poller blocked on them. See
    /// [`ResultRoom`].
    pub(crate) fn wait_for_result_room(
        self: &Arc<Self>,
        mode: PutMode,
    ) -> Result<(), PutErrorKind> {
        let Some(bound) = self.result_bound else {
            return Ok(());
        };
        if self.unpolled_results() < bound || self.is_pool_thread() {
            return Ok(());
        }
        let deadline = match mode {
            PutMode::Try => return Err(PutErrorKind::Full),
            PutMode::Block => None,
            PutMode::Until(deadline) => Some(deadline),
        };
        let end = self.room.wait(
            || self.unpolled_results() < bound,
            // SeqCst: pairs with the store in `shut_down`, which then
            // wakes every waiter (`ResultRoom::wake_all`).
            || self.shutdown.load(Ordering::SeqCst),
            deadline,
        );
        match end {
            RoomWait::Room => Ok(()),
            RoomWait::Stopped => Err(PutErrorKind::ShutDown),
            RoomWait::TimedOut => Err(PutErrorKind::Timeout),
        }
    }

    /// Results waiting in the result queue (a `Recheck` takes no room: a
    /// poller with nothing outstanding never takes it off). May count one
    /// too many for a moment (`results.rs`), while its producer pushes it.
    pub(crate) fn unpolled_results(&self) -> usize {
        self.results.unpolled()
    }

    /// Hands a message to the polling thread, ringing its bell if it waits
    /// and calling its notifier if armed (`notify.rs`); `counts`: it takes
    /// room in the result bound. Returns `false` if the polling side is
    /// gone (the message was dropped here). Never waits.
    #[inline]
    pub(crate) fn send(&self, link: NonNull<Link>, counts: bool) -> bool {
        match self.results.push(link, counts) {
            Ok(ring) => {
                if ring {
                    self.ring();
                }
                // The push's fence is the notifier's W1 too.
                self.notify.results_sent_fenced();
                true
            }
            Err(link) => {
                // SAFETY: the queue handed the link back untaken.
                let message = unsafe { crate::results::decode(link) };
                // The value's destructor is user code.
                drop_quietly(message);
                false
            }
        }
    }

    /// Wakes the polling thread waiting on its bell.
    #[cold]
    pub(crate) fn ring(&self) {
        // Full: a ring is pending already, which is all it needs.
        let _ = self.bell.try_send(());
    }

    /// Whether the calling thread is the pool's polling thread or one of
    /// its workers.
    fn is_pool_thread(self: &Arc<Self>) -> bool {
        self.owner == Some(thread::current().id())
            || worker::with_current(self, |current| current.is_some())
    }

    /// Called by the polling thread after it took results off the queue:
    /// wakes the puts waiting for room, if any wait.
    #[inline]
    pub(crate) fn made_room(&self) {
        if self.result_bound.is_some() {
            self.room.made_room();
        }
    }

    /// The receiver a put through a handle waits on beside the slots: it
    /// disconnects at shutdown and when the last worker leaves.
    fn putter_signal(&self) -> Receiver<()> {
        lock(&self.putter_signal).1.clone()
    }

    /// Called by the last worker to leave, after `alive` dropped to 0:
    /// wakes the puts through handles waiting for a slot, which no worker
    /// is left to free, so that they return `NoWorkersAvailable`.
    fn wake_putters(&self) {
        let mut signal = lock(&self.putter_signal);
        if signal.0.is_some() {
            // Dropping the old sender disconnects the old receivers; a put
            // that takes the new one after this sees `alive == 0` (the
            // lock orders the decrement before its load).
            let (tx, rx) = crossbeam_channel::bounded(0);
            *signal = (Some(tx), rx);
        }
    }

    /// Waits for a token of the bounded request queue as `mode` allows,
    /// handing every message that arrives on `other()` meanwhile to
    /// `on_other` (the polling thread runs callbacks there, which is what
    /// keeps two bounded queues from deadlocking). `other` is asked again
    /// every round: a put through a handle waits on a signal that is
    /// replaced whenever it fires.
    pub(crate) fn wait_for_slot<M>(
        &self,
        mode: PutMode,
        other: impl Fn() -> Receiver<M>,
        mut on_other: impl FnMut(M),
    ) -> Result<bool, PutErrorKind> {
        let Some((slots, _)) = &self.slots else {
            return Ok(false);
        };
        let mut receiver = other();
        if !matches!(mode, PutMode::Try) && !self.shutdown.load(Ordering::SeqCst) {
            // Workers free a slot every job: retry briefly before blocking,
            // or a producer faster than the workers would sleep and be woken
            // once per request.
            let backoff = Backoff::new();
            while !backoff.is_completed() {
                backoff.snooze();
                if slots.try_send(()).is_ok() {
                    return Ok(true);
                }
                while let Ok(message) = receiver.try_recv() {
                    on_other(message);
                }
            }
        }
        loop {
            receiver = other();
            if self.shutdown.load(Ordering::SeqCst) {
                return Err(PutErrorKind::ShutDown);
            }
            if let PutMode::Try = mode {
                return Err(PutErrorKind::Full);
            }
            // With no worker left, nothing will ever make room.
            if self.alive.load(Ordering::SeqCst) == 0 && receiver.is_empty() {
                return Err(PutErrorKind::NoWorkersAvailable);
            }
            let mut select = Select::new();
            let send = select.send(slots);
            select.recv(&receiver);
            let op = match mode {
                PutMode::Until(deadline) => select
                    .select_deadline(deadline)
                    .map_err(|_| PutErrorKind::Timeout)?,
                _ => select.select(),
            };
            if op.index() == send {
                if op.send(slots, ()).is_ok() {
                    return Ok(true);
                }
            } else if let Ok(message) = op.recv(&receiver) {
                on_other(message);
            }
        }
    }

    /// Gives a token of the bounded request queue back.
    pub(crate) fn release_slot(&self) {
        if let Some((_, slots)) = &self.slots {
            let _ = slots.try_recv();
            self.notify.room_made();
        }
    }

    /// Whether callbacks that take state `wanted` may be put: it is the
    /// polling side's state type, or `()`, which needs no state.
    pub(crate) fn accepts_state(&self, wanted: StateType) -> bool {
        wanted.id == std::any::TypeId::of::<()>() || self.state.is_some_and(|s| s.id == wanted.id)
    }

    /// The name of the polling side's state type, for error messages.
    pub(crate) fn state_name(&self) -> &'static str {
        self.state.map_or("(none)", |s| s.name)
    }

    /// Starts `n` worker threads.
    ///
    /// They start in batches that double as the pool grows. Each batch's
    /// stealers are published once, before any of its threads runs (so a
    /// sleeper's re-check, `has_work`, always sees a deque a thread can
    /// push onto): O(n) stealer copies in all, not one set per worker.
    pub(crate) fn create_workers(self: &Arc<Self>, n: usize) -> Result<(), SpawnError> {
        if self.shutdown.load(Ordering::SeqCst) {
            return Err(SpawnError::shut_down());
        }
        let limit = self.config.max_workers;
        if self
            .workers()
            .checked_add(n)
            .is_none_or(|total| total > limit)
        {
            return Err(SpawnError::too_many(n, limit));
        }
        if self.config.name.contains('\0') && n > 0 {
            // The standard library panics on such a name; refuse it instead.
            return Err(SpawnError::os(
                0,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the thread name contains a NUL byte",
                ),
            ));
        }
        let mut created = 0;
        while created < n {
            let mut registry = lock(&self.registry);
            let batch = (n - created).min(registry.workers.len().max(16));
            let started = self.spawn_batch(&mut registry, batch);
            created += started.map_err(|(started, err)| SpawnError::os(created + started, err))?;
        }
        Ok(())
    }

    /// An `in_place_scope` starts on a thread outside the pool: until
    /// [`leave_outside_scope`](Self::leave_outside_scope), `dismiss` keeps
    /// the last worker. `false` (and nothing counted) if the pool has no
    /// worker that is not dismissed.
    pub(crate) fn enter_outside_scope(&self) -> bool {
        let mut registry = lock(&self.registry);
        if self.active.load(Ordering::SeqCst) == 0 {
            return false;
        }
        registry.outside_scopes += 1;
        true
    }

    /// The `in_place_scope` counted by `enter_outside_scope` has ended.
    pub(crate) fn leave_outside_scope(&self) {
        lock(&self.registry).outside_scopes -= 1;
    }

    /// Dismissed worker threads not joined yet.
    pub(crate) fn dismissed_workers(&self) -> usize {
        lock(&self.registry).dismissed.len()
    }

    /// Starts `n` worker threads under the registry lock; returns how many
    /// started, also when one fails to.
    fn spawn_batch(
        self: &Arc<Self>,
        registry: &mut Registry,
        n: usize,
    ) -> Result<usize, (usize, std::io::Error)> {
        let first = registry.workers.len();
        let mut contexts = Vec::with_capacity(n);
        for k in 0..n {
            let deque = crate::threads::new_deque(&self.config.spawn);
            let state = Arc::new(WorkerState {
                index: registry.next_index + k,
                dismissed: AtomicBool::new(false),
                counters: CachePadded::new(Counters::default()),
            });
            registry.workers.push(WorkerEntry {
                state: Arc::clone(&state),
                stealer: deque.stealer(),
                handle: None,
            });
            contexts.push(WorkerContext::new(Arc::clone(self), state, deque));
        }
        // Count the threads as alive before they run, so no poller sees
        // zero workers while one is starting.
        self.alive.fetch_add(n, Ordering::SeqCst);
        self.active.fetch_add(n, Ordering::SeqCst);
        self.publish_stealers(registry);
        for (started, context) in contexts.into_iter().enumerate() {
            let index = registry.next_index;
            match crate::threads::spawn_worker(&self.config, index, context) {
                Ok(handle) => {
                    registry.next_index += 1;
                    registry.workers[first + started].handle = handle;
                }
                Err(err) => {
                    // This thread and the ones after it never ran: nothing
                    // was pushed onto their deques.
                    let unstarted = n - started;
                    registry.workers.truncate(first + started);
                    self.publish_stealers(registry);
                    self.active.fetch_sub(unstarted, Ordering::SeqCst);
                    self.alive.fetch_sub(unstarted, Ordering::SeqCst);
                    return Err((started, err));
                }
            }
        }
        Ok(n)
    }

    /// Dismisses up to `n` workers, newest first; each finishes its current
    /// job, hands its queued jobs back and leaves. Returns how many were
    /// dismissed. With `join`, waits for them to leave.
    pub(crate) fn dismiss_workers(self: &Arc<Self>, n: usize, join: bool) -> usize {
        // A worker of this pool cannot wait for its peers: one may be
        // waiting for a job this thread runs (a stolen half of a `join`).
        // Their handles stay for `join_all_dismissed_workers`/`shutdown`.
        let join = join && !worker::with_current(self, |current| current.is_some());
        let (dismissed, handles) = self.dismiss(n, join);
        join_all(handles);
        dismissed
    }

    /// Dismisses up to `n` workers, newest first, and returns how many. With
    /// `join`, also returns their handles for the caller to join; without,
    /// keeps them for `join_all_dismissed_workers`.
    pub(crate) fn dismiss(&self, n: usize, join: bool) -> (usize, Vec<WorkerThread>) {
        let mut handles = Vec::new();
        let mut dismissed = 0;
        {
            let mut registry = lock(&self.registry);
            let mut kept = Vec::new();
            // `active` changes only under this lock.
            let floor = usize::from(registry.outside_scopes > 0);
            for entry in registry.workers.iter_mut().rev() {
                if dismissed == n || self.active.load(Ordering::SeqCst) <= floor {
                    break;
                }
                if entry.state.dismissed.load(Ordering::Relaxed) {
                    continue;
                }
                // The worker reads the flag between jobs and, before it
                // waits, under the sleep lock; `notify_all` below orders it
                // (see the sleep note).
                entry.state.dismissed.store(true, Ordering::SeqCst);
                self.active.fetch_sub(1, Ordering::SeqCst);
                dismissed += 1;
                if let Some(handle) = entry.handle.take() {
                    if join {
                        handles.push(handle);
                    } else {
                        kept.push(handle);
                    }
                }
            }
            registry.dismissed.extend(kept);
        }
        self.sleep.notify_all();
        (dismissed, handles)
    }

    /// Joins every dismissed worker not joined yet.
    pub(crate) fn join_all_dismissed_workers(&self) {
        join_all(self.take_dismissed());
    }

    /// The handles of dismissed workers not joined yet.
    pub(crate) fn take_dismissed(&self) -> Vec<WorkerThread> {
        std::mem::take(&mut lock(&self.registry).dismissed)
    }

    /// Called by a worker thread as it leaves its loop.
    pub(crate) fn worker_left(&self, state: &WorkerState) {
        {
            let mut registry = lock(&self.registry);
            if let Some(at) = registry
                .workers
                .iter()
                .position(|w| w.state.index == state.index)
            {
                let entry = registry.workers.swap_remove(at);
                if !entry.state.dismissed.load(Ordering::Relaxed) {
                    // Left because of shutdown.
                    self.active.fetch_sub(1, Ordering::SeqCst);
                }
                let mut retired = registry.retired;
                entry.state.counters.add_to(&mut retired);
                registry.retired = retired;
                if let Some(handle) = entry.handle {
                    // Not dismissed: keep the handle for `shutdown` to join.
                    registry.dismissed.push(handle);
                }
            }
            self.publish_stealers(&registry);
        }
        if self.alive.fetch_sub(1, Ordering::SeqCst) == 1 {
            // No thread can produce a result or free a slot any more: wake
            // a poller blocked on the result queue, and the puts through
            // handles blocked on a full request queue.
            self.send(crate::results::recheck_notice(), false);
            self.wake_putters();
        }
    }

    /// Stops the workers: each leaves after its current job; queued jobs are
    /// dropped with the last reference to the pool. Wakes blocked putters.
    pub(crate) fn shut_down(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
        drop(lock(&self.putter_signal).0.take());
        self.room.wake_all();
        self.sleep.notify_all();
    }

    /// After shutdown, on the polling thread: drops the callbacks of remote
    /// requests and, when no worker is left to drain the injector, the
    /// requests waiting there (fork-join and spawned jobs stay, since a
    /// thread may be waiting for them).
    pub(crate) fn discard_queued_requests(&self) {
        // The callbacks of remote requests wait for nothing a worker does.
        let remote = std::mem::take(&mut *lock(&self.remote));
        self.remote_outstanding
            .fetch_sub(remote.len(), Ordering::SeqCst);
        drop_quietly(remote);
        self.discard_queued_jobs();
    }

    /// When no worker is left to drain the injector after shutdown, drops
    /// the requests waiting there (fork-join and spawned jobs stay).
    pub(crate) fn discard_queued_jobs(&self) {
        if self.alive.load(Ordering::SeqCst) > 0 {
            // The workers' shutdown drain drops the requests; taking jobs
            // out from under it could let it finish early and strand a
            // fork-join job.
            return;
        }
        let mut keep = Vec::new();
        loop {
            match self.injector.steal().or_else(|| self.outbox.steal()) {
                Steal::Success(job) if job.kind() == JobKind::Request => {
                    if job.holds_slot() {
                        self.release_slot();
                    }
                    // Dropping a job drops its captured values quietly.
                    drop(job);
                }
                Steal::Success(job) => keep.push(job),
                Steal::Retry => {}
                Steal::Empty => break,
            }
        }
        for job in keep {
            self.injector.push(job);
        }
    }

    /// Drops the callbacks of remote request `id`, put as the pool shut
    /// down, and the queued requests if no worker is left to drain them.
    pub(crate) fn abandon_remote(&self, id: RequestId) {
        let callbacks = lock(&self.remote).remove(&id);
        if let Some(callbacks) = callbacks {
            self.remote_outstanding.fetch_sub(1, Ordering::SeqCst);
            drop_quietly(callbacks);
        }
        self.discard_queued_jobs();
    }

    /// Takes the raw job `id` back out of the injector, if it is still
    /// there and no worker could take it: for an `install` whose pool lost
    /// its last worker. Returns whether it was taken back (and so will
    /// never run).
    pub(crate) fn take_back(&self, id: *const ()) -> bool {
        let mut found = None;
        let mut others = Vec::new();
        loop {
            match self.injector.steal() {
                Steal::Success(job) if job.id() == id => found = Some(job),
                Steal::Success(job) => others.push(job),
                Steal::Retry => {}
                Steal::Empty => break,
            }
        }
        // The other jobs belong to other waiters (other `install` callers),
        // and a worker may have started while they were out of the
        // injector, searched it empty and gone to sleep: wake one for each,
        // as any push does (tests/loom_take_back.rs shows the hang without).
        let pushed_back = others.len();
        for job in others {
            self.injector.push(job);
        }
        self.sleep.notify_many(pushed_back);
        match found {
            Some(job) if self.alive.load(Ordering::SeqCst) > 0 => {
                // A worker appeared meanwhile: let it run the job after all.
                self.injector.push(job);
                self.sleep.notify_one();
                false
            }
            Some(_) => true,
            None => false,
        }
    }

    /// The join handles of every worker thread, live or dismissed, not
    /// joined yet.
    pub(crate) fn take_all_handles(&self) -> Vec<WorkerThread> {
        let mut registry = lock(&self.registry);
        let mut handles = std::mem::take(&mut registry.dismissed);
        handles.extend(registry.workers.iter_mut().filter_map(|w| w.handle.take()));
        handles
    }

    pub(crate) fn workers(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }

    /// The indices of the workers that have not left and are not
    /// dismissed, ascending: the ones a job may be addressed to.
    pub(crate) fn live_worker_indices(&self) -> Vec<usize> {
        let registry = lock(&self.registry);
        let mut live: Vec<usize> = registry
            .workers
            .iter()
            // Relaxed: the flag is only written under this lock.
            .filter(|w| !w.state.dismissed.load(Ordering::Relaxed))
            .map(|w| w.state.index)
            .collect();
        live.sort_unstable();
        live
    }

    pub(crate) fn stats(&self) -> PoolStats {
        let registry = lock(&self.registry);
        let mut totals = registry.retired;
        for worker in &registry.workers {
            worker.state.counters.add_to(&mut totals);
        }
        let [started, completed, panicked] = totals;
        let submitted = self.local_submitted.load(Ordering::Relaxed)
            + self.remote_submitted.load(Ordering::Relaxed);
        // Relaxed: statistics, as above.
        let dequeued = self.cancels.dequeued.load(Ordering::Relaxed);
        PoolStats {
            workers: self.active.load(Ordering::SeqCst),
            queued: submitted.saturating_sub(started + dequeued),
            cancelled: self.cancels.reported.load(Ordering::Relaxed),
            running: started.saturating_sub(completed + panicked),
            completed,
            panicked,
        }
    }
}

fn join_all(handles: impl IntoIterator<Item = WorkerThread>) {
    for handle in handles {
        // A job may dismiss its own worker; that thread cannot join itself.
        if !handle.is_current() {
            handle.join();
        }
    }
}

/// Other workers' deques a search round tries, at most, before it gives up
/// the round (see `steal_work`).
pub(crate) const STEAL_ATTEMPTS: usize = 4;

/// Jobs a worker takes from the injector at once, at most (crossbeam's own
/// cap).
const MAX_BATCH: usize = 32;

/// How [`steal_work`] searches; see there.
pub(crate) struct Search {
    pub(crate) random: u32,
    pub(crate) victims: usize,
    pub(crate) full_shares: bool,
    /// The most workers a queue's length is shared among: every worker,
    /// or the cores for a worker of a wider pool whose jobs run quickly
    /// (`Pace` in `worker/mod.rs`).
    pub(crate) sharers: usize,
}

/// Takes a job for a worker whose own deque is empty: a batch from the
/// injector or the outbox (into `deque`; which of the two is tried first
/// is decided by a bit of `random`), else one job from another worker's
/// deque, trying the deques from a `random` one on, at most `victims` of
/// them; retries while any source tried reports a lost race.
///
/// The batch is the worker's share of the queue (its length over the
/// number of workers, or over `sharers` if fewer, between 1 and 32), so
/// that a few workers do not carry off a burst of long requests while the
/// others find nothing. With `full_shares` the outbox counts as empty,
/// while the injector is, until it holds a full batch for every sharer (a
/// patient worker's look right after a job: `Idle` in `worker/mod.rs`),
/// unless the request queue is bounded below two such batches. `took`
/// hears how many jobs a batch from the injector or the outbox held.
/// `victims` bounds a round's cost on a wide pool: a worker searches a few
/// deques per round and all of them only before it sleeps, and none while
/// no deque may hold a job (`Shared::local_queues`). `mark_local` counts
/// the worker's own deque there before a batch lands on it.
pub(crate) fn steal_work(
    shared: &Shared,
    deque: &Worker<Job>,
    own_index: usize,
    stealers: &[(usize, Stealer<Job>)],
    search: Search,
    mark_local: impl Fn(),
    took: impl Fn(usize),
) -> Option<Job> {
    let Search {
        random,
        victims,
        full_shares,
        sharers,
    } = search;
    let n = stealers.len();
    let sharers = n.min(sharers).max(1);
    // Where the look at other deques starts, and which shared queue comes
    // first: from independent bits of one random number.
    let start = (random as usize).checked_rem(n).unwrap_or(0);
    let outbox_first = random & 1 << 20 != 0;
    let victims = if shared.any_local_queue() {
        victims.min(n)
    } else {
        0
    };
    // How many of `queued` jobs to take at once: a fair share, which
    // lands on this worker's deque beyond the first.
    // The jobs of the last batch taken that land on the deque.
    let batched = std::cell::Cell::new(0);
    let share = |queued: usize| {
        let share = (queued / sharers).clamp(1, MAX_BATCH);
        if share > 1 {
            mark_local();
        }
        batched.set(share - 1);
        share
    };
    let from_injector = || match shared.injector.len() {
        0 => Steal::Empty,
        queued => shared
            .injector
            .steal_batch_with_limit_and_pop(deque, share(queued)),
    };
    // `len` first, as `is_empty` below: a steal pins the epoch.
    // A stream of requests is taken in full batches, or after a wait; but
    // only while the injector is empty, whose jobs would otherwise be
    // taken meanwhile, every time, while a short outbox waits; and not
    // with a bounded request queue less than twice as long, where the
    // putting thread would wait for room while the worker waits for more.
    let fewest = || {
        if !full_shares || !shared.injector.is_empty() {
            return 1;
        }
        let full = MAX_BATCH * sharers;
        let bound = shared
            .slots
            .as_ref()
            .and_then(|(slots, _)| slots.capacity());
        if bound.is_none_or(|bound| bound >= 2 * full) {
            full
        } else {
            1
        }
    };
    let from_outbox = || match shared.outbox.len() {
        queued if queued < fewest() => Steal::Empty,
        queued => shared
            .outbox
            .steal_batch_with_limit_and_pop(deque, share(queued)),
    };
    loop {
        let mut retry = false;
        // Either first, by the caller's coin: a stream of puts into one
        // must not keep the other's requests waiting.
        let taken = if outbox_first {
            from_outbox().or_else(from_injector)
        } else {
            from_injector().or_else(from_outbox)
        };
        match taken {
            Steal::Success(job) => {
                let landed = batched.get();
                took(landed + 1);
                if landed > 0 {
                    // The rest of the batch is now on this worker's deque,
                    // a push like any other, so a fenced notify follows:
                    // while it moved it was in no queue, and a worker's
                    // re-check then may have found nothing and slept
                    // (tests/loom_wake_deques.rs). The idle and cap rules
                    // may skip it, as for a put: an idle worker awake then
                    // owes it, and the hand-on that idle rule ends with
                    // looks at the deques too (`WorkerContext::end_idle`).
                    shared.sleep.notify_queued(|| landed);
                }
                return Some(job);
            }
            Steal::Retry => retry = true,
            Steal::Empty => {}
        }
        for i in 0..victims {
            let (index, stealer) = &stealers[(start + i) % n];
            // `is_empty` first: `steal` pins the epoch even on an empty
            // deque, and every so many pins crossbeam-epoch walks the list
            // of every thread that ever pinned, O(workers).
            if *index == own_index || stealer.is_empty() {
                continue;
            }
            match stealer.steal() {
                Steal::Success(job) => return Some(job),
                Steal::Retry => retry = true,
                Steal::Empty => {}
            }
        }
        if !retry {
            return None;
        }
    }
}
