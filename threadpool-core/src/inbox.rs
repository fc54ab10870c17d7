//! Jobs addressed to one worker: each worker's inbox, and the handle's
//! calls that fill them ([`PoolHandle::spawn_on_worker`],
//! [`PoolHandle::run_on_workers`], [`PoolHandle::broadcast`]), with
//! [`PoolHandle::worker_indices`], the addresses there are.
//!
//! A worker looks in its inbox when it looks for work (`find_work`, right
//! after its own deque), so it takes its addressed jobs in its main loop
//! and also while it waits for a latch (`wait_for`): a worker blocked in a
//! `join`, a `scope` or a `run_on_workers` of its own still runs the jobs
//! sent to it, which is what lets workers address jobs to each other at the
//! same time without deadlock.
//!
//! Waking: a push wakes every sleeping worker (`Sleep::notify_all`, no
//! tokens), and a sleeping worker's `leave` condition includes "my inbox is
//! not empty" (checked under the sleep lock, so the wake-up cannot be
//! missed; see `sleep/README.md`). The workers not addressed go back to
//! sleep. The sleep module has no wake-up aimed at one worker, and
//! addressed jobs are rare (broadcasts), so the extra wake-ups cost little.
//!
//! An address is checked when the job is sent: an index that is no live
//! worker's (never started, dismissed, left) is refused with an
//! [`UnknownWorker`] error, and nothing is queued. A worker that leaves the
//! pool after that check (dismissed, released, or at shutdown after its
//! drain) moves what is left in its inbox to the pool's shared queue, where
//! any worker takes it, so no addressed job is ever stranded: a
//! `spawn_on_worker` job then runs on another thread, and a
//! `run_on_workers` call sees that it is not on its worker and reports
//! [`UnknownWorker`] (with [`has_left`](UnknownWorker::has_left)) instead
//! of running there.

use std::collections::VecDeque;
use std::error::Error;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use crate::handle::PoolHandle;
use crate::latch::{CountLatch, Latch};
use crate::registry::Shared;
use crate::sync::{Arc, AtomicUsize, Mutex, Ordering, lock};
use crate::task::{AbortOnUnwind, Job};
use crate::worker::WorkerContext;

/// The inboxes of all the workers of one pool.
pub(crate) struct Inboxes {
    /// Jobs in all inboxes: while it is zero, a worker looking for work
    /// skips the lock. Written under `boxes`' lock.
    pending: AtomicUsize,
    boxes: Mutex<Boxes>,
}

/// Indexed by worker index (indices are never reused), grown on demand.
#[derive(Default)]
struct Boxes {
    queues: Vec<VecDeque<Job>>,
    /// Workers that have left: their inbox takes no more jobs.
    closed: Vec<bool>,
}

impl Default for Inboxes {
    fn default() -> Self {
        Inboxes {
            pending: AtomicUsize::new(0),
            boxes: Mutex::new(Boxes::default()),
        }
    }
}

impl Inboxes {
    /// Adds `job` to worker `index`'s inbox; hands it back if that worker
    /// has left.
    fn push(&self, index: usize, job: Job) -> Result<(), Job> {
        let mut boxes = lock(&self.boxes);
        if boxes.closed.get(index) == Some(&true) {
            return Err(job);
        }
        if boxes.queues.len() <= index {
            boxes.queues.resize_with(index + 1, VecDeque::new);
        }
        boxes.queues[index].push_back(job);
        self.pending.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// Takes the oldest job of worker `index`'s inbox.
    fn take(&self, index: usize) -> Option<Job> {
        if self.pending.load(Ordering::SeqCst) == 0 {
            return None;
        }
        let mut boxes = lock(&self.boxes);
        let job = boxes.queues.get_mut(index)?.pop_front()?;
        self.pending.fetch_sub(1, Ordering::SeqCst);
        Some(job)
    }

    /// Whether worker `index`'s inbox holds a job.
    fn has(&self, index: usize) -> bool {
        self.pending.load(Ordering::SeqCst) != 0
            && lock(&self.boxes)
                .queues
                .get(index)
                .is_some_and(|inbox| !inbox.is_empty())
    }

    /// Closes worker `index`'s inbox for good and empties it: under the
    /// lock, so every push either lands before (and is taken here) or is
    /// handed back to its sender.
    fn close(&self, index: usize) -> VecDeque<Job> {
        let mut boxes = lock(&self.boxes);
        if boxes.closed.len() <= index {
            boxes.closed.resize(index + 1, false);
        }
        boxes.closed[index] = true;
        let jobs = boxes
            .queues
            .get_mut(index)
            .map(std::mem::take)
            .unwrap_or_default();
        self.pending.fetch_sub(jobs.len(), Ordering::SeqCst);
        jobs
    }
}

impl Shared {
    /// Sends `job` to worker `index` and wakes the sleeping workers so that
    /// it, if it sleeps, sees it (module documentation); if that worker has
    /// left, pushes the job onto the shared queue instead.
    fn push_to_worker(self: &Arc<Self>, index: usize, job: Job) {
        match self.inbox.push(index, job) {
            Ok(()) => self.sleep.notify_all(),
            Err(job) => {
                self.injector.push(job);
                self.sleep.notify_queued(|| self.injector.len());
            }
        }
    }
}

impl WorkerContext {
    /// The oldest job addressed to this worker, if any: `find_work`'s
    /// second place to look.
    #[inline]
    pub(crate) fn take_addressed(&self) -> Option<Job> {
        self.shared.inbox.take(self.index())
    }

    /// Whether a job addressed to this worker waits: part of the `leave`
    /// condition of a sleeping worker.
    pub(crate) fn has_addressed(&self) -> bool {
        self.shared.inbox.has(self.index())
    }

    /// On leaving the pool: closes this worker's inbox and moves the jobs
    /// still in it to the shared queue, so that they still run.
    pub(crate) fn hand_back_addressed(&self) {
        let jobs = self.shared.inbox.close(self.index());
        let n = jobs.len();
        for job in jobs {
            self.shared.injector.push(job);
        }
        if n > 0 {
            self.shared.sleep.notify_many(n);
        }
    }
}

/// Counts one job of a `run_on_workers` down when dropped: that job's last
/// touch of the count.
struct CountDown(*const CountLatch);

impl Drop for CountDown {
    fn drop(&mut self) {
        // SAFETY: the count is live until it reaches zero (the caller of
        // `run_on_workers` waits for that), and this is the job's last
        // touch of it.
        unsafe { Latch::set(self.0) };
    }
}

/// The count of a `run_on_workers`, carried by its jobs to their workers.
struct CountPtr(*const CountLatch);

// SAFETY: `CountLatch` is `Sync` (atomics), and it outlives every job that
// holds the pointer: `run_on_workers` waits for the count to reach zero.
unsafe impl Send for CountPtr {}

/// Why a job addressed to one worker
/// ([`PoolHandle::spawn_on_worker`], [`PoolHandle::run_on_workers`]) was
/// refused: no live worker of the pool has that index, or the worker left
/// the pool before it ran the call. Indices are never reused; the live ones
/// are [`PoolHandle::worker_indices`].
///
/// # Examples
///
/// ```
/// use threadpool_core::ThreadPoolBuilder;
///
/// let pool = ThreadPoolBuilder::new().num_workers(2).build_handle()?;
/// let err = pool.run_on_workers(&[0, 1, 2], |i| i).unwrap_err();
/// assert_eq!((err.index(), err.has_left()), (2, false));
/// assert!(err.to_string().contains("no live worker has index 2"));
/// pool.shutdown();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownWorker {
    index: usize,
    reason: UnknownReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum UnknownReason {
    /// Not live when the job was sent; the live indices then.
    NotLive(Vec<usize>),
    /// Live when the job was sent, gone before it ran the call.
    Left,
    /// The pool has shut down.
    ShutDown,
}

impl UnknownWorker {
    fn not_live(index: usize, live: Vec<usize>) -> Self {
        UnknownWorker {
            index,
            reason: UnknownReason::NotLive(live),
        }
    }

    /// The index that was refused.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(1).build_handle()?;
    /// assert_eq!(pool.spawn_on_worker(7, || ()).unwrap_err().index(), 7);
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// Whether the worker was live when the call was sent and left the
    /// pool (dismissed or released) before it ran it: the call did not run
    /// (the other calls of the same `run_on_workers` did). `false`: the
    /// index was refused up front, and nothing was sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(2).build_handle()?;
    /// pool.dismiss_workers(1, true);
    /// let err = pool.run_on_workers(&[1], |i| i).unwrap_err();
    /// assert!(!err.has_left()); // refused up front: worker 1 was dismissed
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn has_left(&self) -> bool {
        self.reason == UnknownReason::Left
    }
}

impl fmt::Display for UnknownWorker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let index = self.index;
        match &self.reason {
            UnknownReason::NotLive(live) => write!(
                f,
                "no live worker has index {index} (the live workers are {live:?}; indices are \
                 not reused after a resize, see PoolHandle::worker_indices)"
            ),
            UnknownReason::Left => {
                write!(f, "worker {index} left the pool before it ran the call")
            }
            UnknownReason::ShutDown => write!(f, "no worker {index}: the pool has shut down"),
        }
    }
}

impl Error for UnknownWorker {}

/// What became of one call of a `run_on_workers`.
enum Outcome<R> {
    Ran(std::thread::Result<R>),
    /// Its worker left before taking it; another worker took it from the
    /// shared queue and did not run it.
    Left,
}

impl PoolHandle {
    /// Refuses an address that is no live worker's (module documentation).
    fn check_addresses(&self, workers: &[usize]) -> Result<(), UnknownWorker> {
        if self.is_shut_down() {
            return Err(UnknownWorker {
                index: workers.first().copied().unwrap_or(0),
                reason: UnknownReason::ShutDown,
            });
        }
        let live = self.shared.live_worker_indices();
        match workers.iter().find(|i| live.binary_search(i).is_err()) {
            Some(&index) => Err(UnknownWorker::not_live(index, live)),
            None => Ok(()),
        }
    }

    /// Runs `job` on worker `index` of this pool (one of
    /// [`worker_indices`](Self::worker_indices), the index of
    /// [`current_thread_index`](Self::current_thread_index)), with no
    /// result: the worker takes it when it next looks for work, in its loop
    /// or while it waits in a `join`, `scope` or `install`. A panic is
    /// reported on stderr, as with [`spawn`](Self::spawn). If that worker
    /// leaves the pool after this call and before it takes the job, the
    /// job runs on whichever worker takes it from the pool's queue.
    ///
    /// # Errors
    ///
    /// [`UnknownWorker`] if no live worker has that index (one never
    /// started, dismissed, or gone), or the pool has shut down: the job is
    /// dropped unrun.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(3).build_handle()?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let on = pool.clone();
    /// pool.spawn_on_worker(2, move || tx.send(on.current_thread_index()).unwrap())?;
    /// assert_eq!(rx.recv()?, Some(2));
    /// // Worker 3 never existed: refused, not queued for ever.
    /// assert_eq!(pool.spawn_on_worker(3, || ()).unwrap_err().index(), 3);
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn_on_worker(
        &self,
        index: usize,
        job: impl FnOnce() + Send + 'static,
    ) -> Result<(), UnknownWorker> {
        self.check_addresses(&[index])?;
        self.shared.push_to_worker(index, Job::spawned(job));
        Ok(())
    }

    /// Runs `op(index)` on worker `index` for each index in `workers`, and
    /// returns the results in that order: rayon's `broadcast` for a chosen
    /// set of workers (taken from [`worker_indices`](Self::worker_indices);
    /// [`broadcast`](Self::broadcast) runs on all of them). `op` may borrow
    /// from the caller.
    ///
    /// The calls need not run at the same time: each worker makes its call
    /// when it next looks for work. The caller waits on a worker of this
    /// pool (moving there as [`install`](Self::install) does if it is none),
    /// and runs other jobs of the pool while it waits, the jobs addressed
    /// to it included; so workers may call this from inside parallel work,
    /// all at once, or from inside `op`. A worker that never looks for work
    /// (a thread adopted by `use_current_thread` that is not blocked on the
    /// pool, or one busy with a job that waits for this call) holds it up.
    ///
    /// # Errors
    ///
    /// [`UnknownWorker`] if an index is no live worker's (checked before
    /// anything is sent: then no call runs), or if a worker left the pool
    /// after the check and before it made its call (then that call did not
    /// run, the others did, and [`UnknownWorker::has_left`] is true).
    ///
    /// # Panics
    ///
    /// If an `op` call panics, the first such panic is resumed here once
    /// every call has ended. Called from outside the pool, panics as
    /// [`install`](Self::install) does when no worker can run the wait (the
    /// message names `PoolHandle::run_on_workers`).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(3).build_handle()?;
    /// let base = 10;
    /// let seen = pool.run_on_workers(&[2, 0], |i| (i, pool.current_thread_index(), base + i))?;
    /// assert_eq!(seen, [(2, Some(2), 12), (0, Some(0), 10)]);
    /// // From inside parallel work on every worker at once:
    /// let all: Vec<Vec<usize>> = pool.install(|| {
    ///     let (a, b) = pool.join(
    ///         || pool.run_on_workers(&[0, 1, 2], |i| i),
    ///         || pool.run_on_workers(&[0, 1, 2], |i| i * 2),
    ///     );
    ///     vec![a.unwrap(), b.unwrap()]
    /// });
    /// assert_eq!(all, [vec![0, 1, 2], vec![0, 2, 4]]);
    /// // An index past the last worker is refused, not waited for.
    /// assert!(pool.run_on_workers(&[0, 3], |i| i).is_err());
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_on_workers<R, OP>(&self, workers: &[usize], op: OP) -> Result<Vec<R>, UnknownWorker>
    where
        OP: Fn(usize) -> R + Sync,
        R: Send,
    {
        if workers.is_empty() {
            return Ok(Vec::new());
        }
        self.check_addresses(workers)?;
        let mut results = Vec::with_capacity(workers.len());
        let mut left = None;
        for (outcome, &index) in self
            .run_calls("PoolHandle::run_on_workers", workers, op)
            .into_iter()
            .zip(workers)
        {
            match outcome {
                Some(value) => results.push(value),
                None => {
                    left.get_or_insert(index);
                }
            }
        }
        match left {
            Some(index) => Err(UnknownWorker {
                index,
                reason: UnknownReason::Left,
            }),
            None => Ok(results),
        }
    }

    /// Runs `op(index)` once on every worker of this pool, as it is at the
    /// call (the indices of [`worker_indices`](Self::worker_indices)), and
    /// returns each worker's index and result, by index: rayon's
    /// `broadcast`, for the workers there are now (after a resize too). `op`
    /// may borrow from the caller. A worker that leaves the pool before it
    /// makes its call (dismissed meanwhile) is left out of the results.
    /// After the pool has shut down, returns no results.
    ///
    /// It waits, and may be called from anywhere, as
    /// [`run_on_workers`](Self::run_on_workers) is (a worker adopted by
    /// `use_current_thread` makes its call only while it blocks on the
    /// pool or yields).
    ///
    /// # Panics
    ///
    /// As `run_on_workers`: the first panic of an `op` call is resumed
    /// here once every call has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::Cell;
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// thread_local! { static CACHE: Cell<Option<usize>> = const { Cell::new(None) }; }
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(3).build_handle()?;
    /// pool.dismiss_workers(1, true);
    /// pool.create_workers(1)?; // worker 3: indices are not reused
    /// // Set up a thread-local on every worker there is now.
    /// let seen = pool.broadcast(|index| {
    ///     CACHE.set(Some(index));
    ///     pool.current_thread_index()
    /// });
    /// assert_eq!(seen, [(0, Some(0)), (1, Some(1)), (3, Some(3))]);
    /// let ready = pool.broadcast(|_| CACHE.get().is_some());
    /// assert!(ready.iter().all(|&(_, ready)| ready));
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn broadcast<R, OP>(&self, op: OP) -> Vec<(usize, R)>
    where
        OP: Fn(usize) -> R + Sync,
        R: Send,
    {
        if self.is_shut_down() {
            return Vec::new();
        }
        let workers = self.shared.live_worker_indices();
        if workers.is_empty() {
            return Vec::new();
        }
        self.run_calls("PoolHandle::broadcast", &workers, op)
            .into_iter()
            .zip(workers)
            .filter_map(|(outcome, index)| outcome.map(|value| (index, value)))
            .collect()
    }

    /// The indices of this pool's workers, ascending: the workers that
    /// have not left and are not dismissed, which
    /// [`run_on_workers`](Self::run_on_workers) and
    /// [`spawn_on_worker`](Self::spawn_on_worker) take. Indices are given
    /// in the order workers start and never reused, so after a resize they
    /// need not be `0..workers()`. A snapshot: workers may come and go
    /// right after.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(3).build_handle()?;
    /// assert_eq!(pool.worker_indices(), [0, 1, 2]);
    /// pool.dismiss_workers(1, true); // the newest, worker 2
    /// pool.create_workers(1)?;
    /// assert_eq!(pool.worker_indices(), [0, 1, 3]);
    /// assert_eq!(pool.run_on_workers(&pool.worker_indices(), |i| i)?, [0, 1, 3]);
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn worker_indices(&self) -> Vec<usize> {
        self.shared.live_worker_indices()
    }

    /// Sends `op(index)` to each worker of `workers` and waits for every
    /// call: its result, or `None` for a worker that left before it made
    /// its call. Resumes the first panic of a call. `caller` names the
    /// public function in `install`'s panics.
    fn run_calls<R, OP>(&self, caller: &str, workers: &[usize], op: OP) -> Vec<Option<R>>
    where
        OP: Fn(usize) -> R + Sync,
        R: Send,
    {
        let slots: Vec<Mutex<Option<Outcome<R>>>> =
            workers.iter().map(|_| Mutex::new(None)).collect();
        self.install_on(caller, |context| {
            {
                // SAFETY: `self` holds the pool's shared state, so its sleep
                // state outlives the latch.
                let count = unsafe { CountLatch::new(&self.shared.sleep) };
                // The jobs use `count`, `op` and `slots` until the count
                // reaches zero: nothing may unwind out of here meanwhile.
                let abort = AbortOnUnwind;
                for (slot, &index) in slots.iter().zip(workers) {
                    count.increment();
                    let count_ptr = CountPtr(&raw const count);
                    let op = &op;
                    let job = move || {
                        let count_ptr = count_ptr;
                        let _count_down = CountDown(count_ptr.0);
                        // Handed back by a worker that left (indices are
                        // never reused, so no other worker has this one).
                        let outcome = if self.current_thread_index() == Some(index) {
                            Outcome::Ran(catch_unwind(AssertUnwindSafe(|| op(index))))
                        } else {
                            Outcome::Left
                        };
                        *lock(slot) = Some(outcome);
                    };
                    // SAFETY: the job borrows `self`, `op` and `slots`,
                    // which live until this frame has seen the count reach
                    // zero, that is until the job has run; queued jobs are
                    // run, not dropped, at shutdown, and a leaving worker
                    // hands its addressed jobs to the shared queue.
                    let job = unsafe { Job::spawned_unchecked(job) };
                    self.shared.push_to_worker(index, job);
                }
                // SAFETY: `count` lives on this frame until `wait_for` below
                // has seen it reach zero.
                unsafe { Latch::set(&raw const count) };
                context.wait_for(count.latch());
                abort.disarm();
            }
        });
        let mut first_panic = None;
        let mut results = Vec::with_capacity(slots.len());
        for slot in slots {
            let outcome = slot
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .expect("every addressed job ran before the count reached zero");
            match outcome {
                Outcome::Ran(Ok(value)) => results.push(Some(value)),
                Outcome::Ran(Err(payload)) => {
                    first_panic.get_or_insert(payload);
                }
                Outcome::Left => results.push(None),
            }
        }
        if let Some(payload) = first_panic {
            resume_unwind(payload);
        }
        results
    }
}
