//! Jobs addressed to one worker: each worker's inbox, and the handle's
//! calls that fill them ([`PoolHandle::spawn_on_worker`],
//! [`PoolHandle::run_on_workers`]).
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
//! A worker that leaves the pool (dismissed, released, or at shutdown after
//! its drain) moves what is left in its inbox to the pool's shared queue,
//! where any worker takes it: such a job still runs, on another thread.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use crate::handle::PoolHandle;
use crate::latch::{CountLatch, Latch};
use crate::registry::Shared;
use crate::sync::{Arc, AtomicUsize, Mutex, Ordering, lock};
use crate::task::{AbortOnUnwind, Job};
use crate::worker::{self, WorkerContext};

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

impl PoolHandle {
    /// Runs `job` on worker `index` of this pool (the index of
    /// [`current_thread_index`](Self::current_thread_index)), with no
    /// result: the worker takes it when it next looks for work, in its loop
    /// or while it waits in a `join`, `scope` or `install`. A panic is
    /// reported on stderr, as with [`spawn`](Self::spawn). If that worker
    /// has left the pool, or leaves before it takes the job, the job runs
    /// on whichever worker takes it from the pool's queue; a job for an
    /// index no worker has had yet waits for that worker to start. After
    /// the pool has shut down, the job is dropped unrun.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(3).build_handle()?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let on = pool.clone();
    /// pool.spawn_on_worker(2, move || tx.send(on.current_thread_index()).unwrap());
    /// assert_eq!(rx.recv()?, Some(2));
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn_on_worker(&self, index: usize, job: impl FnOnce() + Send + 'static) {
        if self.is_shut_down() {
            return;
        }
        self.shared.push_to_worker(index, Job::spawned(job));
    }

    /// Runs `op(index)` on worker `index` for each index in `workers`, and
    /// returns the results in that order: rayon's `broadcast` for a chosen
    /// set of workers. `op` may borrow from the caller.
    ///
    /// The calls need not run at the same time: each worker makes its call
    /// when it next looks for work. The caller waits on a worker of this
    /// pool (moving there as [`install`](Self::install) does if it is none),
    /// and runs other jobs of the pool while it waits, the jobs addressed
    /// to it included; so workers may call this from inside parallel work,
    /// all at once, or from inside `op`. A worker that never looks for work
    /// (a thread adopted by `use_current_thread` that is not blocked on the
    /// pool, or one busy with a job that waits for this call) holds it up;
    /// a call for a worker that has left runs on another worker (see
    /// [`spawn_on_worker`](Self::spawn_on_worker)).
    ///
    /// # Panics
    ///
    /// If an `op` call panics, the first such panic is resumed here once
    /// every call has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(3).build_handle()?;
    /// let base = 10;
    /// let seen = pool.run_on_workers(&[2, 0], |i| (i, pool.current_thread_index(), base + i));
    /// assert_eq!(seen, [(2, Some(2), 12), (0, Some(0), 10)]);
    /// // From inside parallel work on every worker at once:
    /// let all: Vec<Vec<usize>> = pool.install(|| {
    ///     let (a, b) = pool.join(
    ///         || pool.run_on_workers(&[0, 1, 2], |i| i),
    ///         || pool.run_on_workers(&[0, 1, 2], |i| i * 2),
    ///     );
    ///     vec![a, b]
    /// });
    /// assert_eq!(all, [vec![0, 1, 2], vec![0, 2, 4]]);
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_on_workers<R, OP>(&self, workers: &[usize], op: OP) -> Vec<R>
    where
        OP: Fn(usize) -> R + Sync,
        R: Send,
    {
        if workers.is_empty() {
            return Vec::new();
        }
        let slots: Vec<Mutex<Option<std::thread::Result<R>>>> =
            workers.iter().map(|_| Mutex::new(None)).collect();
        self.install(|| {
            worker::with_current(&self.shared, |current| {
                let context = current.expect("install runs on a worker of this pool");
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
                        let result = catch_unwind(AssertUnwindSafe(|| op(index)));
                        *lock(slot) = Some(result);
                    };
                    // SAFETY: the job borrows `op` and `slots`, which live
                    // until this frame has seen the count reach zero, that
                    // is until the job has run; queued jobs are run, not
                    // dropped, at shutdown, and a leaving worker hands its
                    // addressed jobs to the shared queue.
                    let job = unsafe { Job::spawned_unchecked(job) };
                    self.shared.push_to_worker(index, job);
                }
                // SAFETY: `count` lives on this frame until `wait_for` below
                // has seen it reach zero.
                unsafe { Latch::set(&raw const count) };
                context.wait_for(count.latch());
                abort.disarm();
            });
        });
        let mut first_panic = None;
        let mut results = Vec::with_capacity(slots.len());
        for slot in slots {
            let result = slot
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .expect("every addressed job ran before the count reached zero");
            match result {
                Ok(value) => results.push(value),
                Err(payload) => {
                    if first_panic.is_none() {
                        first_panic = Some(payload);
                    }
                }
            }
        }
        if let Some(payload) = first_panic {
            resume_unwind(payload);
        }
        results
    }
}
