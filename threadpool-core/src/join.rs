//! Fork-join on the pool: [`PoolHandle::join`], [`PoolHandle::scope`] and
//! [`PoolHandle::install`].
//!
//! A forked closure lives in a [`StackJob`] on the stack of the thread that
//! forks it; only a [`Job`] (two pointers) goes into the queue, so forking
//! allocates nothing. The forking thread never returns before the job has
//! finished or has been taken back unrun, which is what keeps the pointer
//! valid. A worker that waits for a stolen job keeps running other jobs, so
//! nested fork-join cannot deadlock, even on a single worker.

use std::any::Any;
use std::cell::UnsafeCell;
use std::marker::PhantomData;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::ptr::NonNull;
use std::time::Duration;

use crate::handle::PoolHandle;
use crate::latch::{CountLatch, ForkLatch, Latch, LockLatch, WorkerLatch};
use crate::registry::Shared;
use crate::sync::{Arc, Mutex, Ordering, lock};
use crate::task::{AbortOnUnwind, Job, JobKind, JobVTable, Runner, discard_nothing, drop_quietly};
use crate::worker::{self, WorkerContext};

/// How long a thread outside the pool watches an `install`'s latch before
/// it blocks: about what a sleep and a wake-up cost the two threads.
const INSTALL_SPIN: Duration = Duration::from_micros(50);

/// A closure, its result and a latch, on the stack of the thread that waits.
///
/// No state says which of the three holds what: the owner knows from how
/// the job went. The closure is there until the job runs or the owner takes
/// it back ([`take_func`](Self::take_func), [`drop_func`](Self::drop_func));
/// the result once the latch is set, until the owner takes it
/// ([`take_result`](Self::take_result), [`drop_result`](Self::drop_result)).
/// Dropping the job drops neither: building and forking one stores the
/// closure, nothing more (a fork's latch is made only if it is promoted).
///
/// `repr(C)` with the latch first: the fork list reaches a promoted fork's
/// [`ForkLatch`] through the job's data pointer, without its types.
#[repr(C)]
struct StackJob<L, F, R> {
    latch: L,
    func: UnsafeCell<ManuallyDrop<F>>,
    result: UnsafeCell<MaybeUninit<std::thread::Result<R>>>,
}

/// What a [`StackJob`] holds: a closure that the job runs as it is, or
/// one that is handed the worker that runs it ([`WithWorker`]).
trait ForkFn<R>: Send {
    /// Runs it on `runner`, whichever worker took the job.
    fn call(self, runner: &WorkerContext) -> R;
}

impl<R, F: FnOnce() -> R + Send> ForkFn<R> for F {
    #[inline]
    fn call(self, _: &WorkerContext) -> R {
        self()
    }
}

/// A closure that takes the context of the worker running it: the job of
/// an [`install_on`](PoolHandle::install_on) from outside the pool.
struct WithContext<F>(F);

impl<R, F: FnOnce(&WorkerContext) -> R + Send> ForkFn<R> for WithContext<F> {
    fn call(self, runner: &WorkerContext) -> R {
        (self.0)(runner)
    }
}

/// The second half of a [`Worker::join`], which takes the [`Worker`] running
/// it: run in place, the joining worker; stolen, the thief.
struct WithWorker<F>(F);

impl<R, F: FnOnce(Worker<'_>) -> R + Send> ForkFn<R> for WithWorker<F> {
    fn call(self, runner: &WorkerContext) -> R {
        (self.0)(Worker::new(runner))
    }
}

impl<L: Latch + Sync, F: ForkFn<R>, R: Send> StackJob<L, F, R> {
    #[inline]
    fn new(latch: L, func: F) -> Self {
        StackJob {
            latch,
            func: UnsafeCell::new(ManuallyDrop::new(func)),
            result: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// # Safety
    ///
    /// The job must not move or be dropped until the returned `Job` has
    /// run (its latch is set) or has been taken back unrun.
    #[inline]
    unsafe fn as_job(&self) -> Job {
        // SAFETY: `run_job` matches `Self`; the caller keeps `self` alive
        // and in place as `Job::new` requires; `F: Send`, `R: Send`,
        // `L: Sync` (the runner sets the latch the owner reads), and the
        // cells are touched by one thread at a time (the runner until the
        // latch is set, the owner after). Dropping the job unrun drops
        // nothing: the frame owns the closure.
        unsafe {
            Job::new(
                NonNull::from(self).cast(),
                const {
                    &JobVTable {
                        run: Self::run_job,
                        discard: discard_nothing,
                        kind: JobKind::Fork,
                    }
                },
            )
        }
    }

    /// # Safety
    ///
    /// As for `execute`.
    unsafe fn run_job(this: NonNull<()>, runner: &dyn Runner) {
        // SAFETY: the caller's contract.
        unsafe { Self::execute(this.as_ptr(), runner.context()) }
    }

    /// # Safety
    ///
    /// `this` is a `*const Self` from `as_job`, run at most once, and its
    /// closure was not taken back.
    unsafe fn execute(this: *const (), runner: &WorkerContext) {
        // SAFETY: the caller's contract; until the latch is set, only this
        // thread touches the cells.
        unsafe {
            let this = this.cast::<Self>();
            let func = ManuallyDrop::take(&mut *(*this).func.get());
            (*(*this).result.get()).write(catch_unwind(AssertUnwindSafe(|| func.call(runner))));
            Latch::set(&raw const (*this).latch);
        }
    }

    /// The closure, taken back unrun: read out in place rather than by
    /// moving the whole job (a copy of the frame that stalls on the stores
    /// that just built it).
    ///
    /// # Safety
    ///
    /// No other thread has the job (it was taken back unrun), and the
    /// closure was not taken before.
    #[inline]
    unsafe fn take_func(&self) -> F {
        // SAFETY: the caller's contract: this thread alone touches the
        // cell, which still holds the closure.
        unsafe { ManuallyDrop::take(&mut *self.func.get()) }
    }

    /// Drops the closure of a job taken back unrun.
    ///
    /// # Safety
    ///
    /// As for [`take_func`](Self::take_func).
    unsafe fn drop_func(&self) {
        // SAFETY: the caller's contract.
        unsafe { ManuallyDrop::drop(&mut *self.func.get()) }
    }

    /// The result of a job that ran, read out in place; resumes its panic.
    ///
    /// # Safety
    ///
    /// The job ran (its latch is set), and the result was not taken.
    unsafe fn take_result(&self) -> R {
        // SAFETY: the caller's contract: the runner wrote the result
        // before it set the latch, and it is read once.
        match unsafe { (*self.result.get()).assume_init_read() } {
            Ok(value) => value,
            Err(payload) => resume_unwind(payload),
        }
    }

    /// Drops the result of a job that ran.
    ///
    /// # Safety
    ///
    /// As for [`take_result`](Self::take_result), and the result was not
    /// taken.
    unsafe fn drop_result(&self) {
        // SAFETY: the caller's contract.
        unsafe { (*self.result.get()).assume_init_drop() }
    }
}

impl PoolHandle {
    /// Runs `a` and `b`, potentially in parallel, and returns both results.
    ///
    /// Called on a worker of this pool, `a` runs at once and `b` is noted
    /// on the worker's own list of forks, at the cost of a push and a pop;
    /// if nobody stole `b` the worker then runs it itself. Every 100 µs
    /// of fork-join work (a heartbeat, checked on the clock as forks are
    /// made: no timer thread, nothing while the pool is idle) and at the
    /// first two nested forks of a job, the worker moves its oldest fork
    /// onto its deque, where an idle worker may steal it. Called from outside
    /// the pool, the whole `join` first moves onto a worker (see
    /// [`install`](Self::install)). Forking allocates nothing.
    ///
    /// `a` must not block waiting for something `b` does (a channel, a
    /// lock `b` releases, or another pool's `install`): as with rayon's
    /// `join`, `b` may end up waiting for the same thread, which runs it
    /// only once `a` returns.
    ///
    /// # Panics
    ///
    /// If either closure panics, `join` waits for the other one (if it
    /// started) and then resumes the panic, `a`'s first. Called from
    /// outside the pool, panics as [`install`](Self::install) does when no
    /// worker can run it (the message names `PoolHandle::join`).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{PoolHandle, ThreadPool};
    ///
    /// fn fib(pool: &PoolHandle, n: u64) -> u64 {
    ///     if n < 2 {
    ///         return n;
    ///     }
    ///     let (a, b) = pool.join(|| fib(pool, n - 1), || fib(pool, n - 2));
    ///     a + b
    /// }
    ///
    /// let pool = ThreadPool::new(2)?;
    /// assert_eq!(fib(&pool.handle(), 20), 6765);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn join<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        let on_worker = worker::with_current(&self.shared, |current| match current {
            Some(context) => Ok(join_on_worker(context, a, b, |b| b())),
            None => Err((a, b)),
        });
        match on_worker {
            Ok(results) => results,
            Err((a, b)) => self.install_for("PoolHandle::join", || self.join(a, b)),
        }
    }

    /// Runs `op` on a worker of this pool and returns its result; the
    /// counterpart of rayon's `ThreadPool::install`.
    ///
    /// On a worker of this pool `op` runs in place; elsewhere the calling
    /// thread waits until a worker has run it: it watches for the result
    /// for about 50 µs (a short job is then over without a sleep and a
    /// wake-up on either side), then blocks. Inside `op`,
    /// [`join`](Self::join) and [`scope`](Self::scope) fork onto this pool.
    ///
    /// A worker of *another* pool that calls `install` blocks its own pool
    /// meanwhile (it runs none of that pool's jobs while it waits): `op`
    /// must not wait in turn for work of the calling pool whose every
    /// worker may be blocked this way, or neither finishes.
    ///
    /// # Panics
    ///
    /// Resumes the panic of `op`. Called from outside the pool, panics if
    /// the pool is shut down (by its owner or through any handle) or has
    /// no workers, where waiting would never end (also when the last
    /// worker goes, dismissed or shut down, before one has taken the job).
    /// The message names the function called: `PoolHandle::install`, or
    /// `PoolHandle::join` and `PoolHandle::scope` for those.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::builder().num_workers(1).thread_name("calc").build()?;
    /// let name = pool.handle().install(|| std::thread::current().name().map(str::to_owned));
    /// assert_eq!(name.as_deref(), Some("calc-0"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn install<R, OP>(&self, op: OP) -> R
    where
        OP: FnOnce() -> R + Send,
        R: Send,
    {
        self.install_for("PoolHandle::install", op)
    }

    /// Runs `op` on a worker of this pool, as [`install`](Self::install)
    /// does, and hands it that [`Worker`]: for fork-join computations that
    /// pass the worker down to [`Worker::join`] rather than look it up at
    /// every fork, which makes a fork cheaper still.
    ///
    /// # Panics
    ///
    /// As [`install`](Self::install) (the message names
    /// `PoolHandle::with_worker`).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, Worker};
    ///
    /// fn sum(worker: Worker<'_>, items: &[u64]) -> u64 {
    ///     if items.len() <= 1_000 {
    ///         return items.iter().sum();
    ///     }
    ///     let (left, right) = items.split_at(items.len() / 2);
    ///     let (a, b) = worker.join(|w| sum(w, left), |w| sum(w, right));
    ///     a + b
    /// }
    ///
    /// let pool = ThreadPool::new(2)?;
    /// let items: Vec<u64> = (1..=100_000).collect();
    /// assert_eq!(pool.handle().with_worker(|w| sum(w, &items)), 5_000_050_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_worker<R, OP>(&self, op: OP) -> R
    where
        OP: FnOnce(Worker<'_>) -> R + Send,
        R: Send,
    {
        self.install_on("PoolHandle::with_worker", |context| {
            op(Worker::new(context))
        })
    }

    /// [`install`](Self::install) on behalf of the public function
    /// `caller`, which a panic names.
    pub(crate) fn install_for<R, OP>(&self, caller: &str, op: OP) -> R
    where
        OP: FnOnce() -> R + Send,
        R: Send,
    {
        self.install_on(caller, |_| op())
    }

    /// [`install_for`](Self::install_for) for an `op` that is handed the
    /// worker running it: this thread's, if it is a worker of this pool,
    /// else the one that takes the job (which need not be the thread's
    /// `CURRENT`: a thread that released itself from the pool still runs
    /// its jobs while it waits inside one).
    pub(crate) fn install_on<R, OP>(&self, caller: &str, op: OP) -> R
    where
        OP: FnOnce(&WorkerContext) -> R + Send,
        R: Send,
    {
        let op = match worker::with_current(&self.shared, |current| match current {
            Some(context) => Ok(op(context)),
            None => Err(op),
        }) {
            Ok(value) => return value,
            Err(op) => WithContext(op),
        };
        assert!(!self.is_shut_down(), "{caller}: the pool is shut down");
        assert!(
            self.shared.alive.load(Ordering::SeqCst) > 0,
            "{caller}: the pool has no workers to run the job"
        );
        let job = StackJob::new(LockLatch::new(), op);
        // SAFETY: `job` stays on this stack frame until its latch is set
        // (the loop below ends only then) or it has been taken back unrun
        // (`take_back` found it in the injector: then no thread has it).
        let job_ref = unsafe { job.as_job() };
        let id = job_ref.id();
        self.shared.push(job_ref);
        // Workers run queued raw jobs even while the pool shuts down, but a
        // pool can lose its last worker (dismissed, or gone at shutdown)
        // after the checks above: then take the job back and say so, rather
        // than wait for ever. Checked at growing intervals, only while no
        // worker has finished the job.
        // A short job is over before a sleep and a wake-up would be: watch
        // the latch for a while first, then block.
        let mut interval = Duration::from_millis(1);
        let done = job.latch.spin(INSTALL_SPIN);
        while !done && !job.latch.wait_timeout(interval) {
            interval = (interval * 2).min(Duration::from_millis(100));
            if self.shared.alive.load(Ordering::SeqCst) == 0 && self.shared.take_back(id) {
                // SAFETY: taken back unrun: no other thread has the job.
                unsafe { job.drop_func() };
                panic!(
                    "{caller}: the pool lost its last worker before running the job{}",
                    if self.is_shut_down() {
                        " (it shut down)"
                    } else {
                        ""
                    }
                );
            }
        }
        // SAFETY: the latch is set: the job ran.
        unsafe { job.take_result() }
    }

    /// Creates a scope in which jobs that borrow from the enclosing stack
    /// frame can be spawned; returns once every spawned job has finished.
    ///
    /// The scope's body runs on a worker of this pool (see
    /// [`install`](Self::install)); jobs spawned with [`Scope::spawn`] go on
    /// that worker's deque and may be stolen by others.
    ///
    /// # Panics
    ///
    /// Once every job has finished, resumes the first panic among the body
    /// and the jobs. Called from outside the pool, panics as
    /// [`install`](Self::install) does when no worker can run the body (the
    /// message names `PoolHandle::scope`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2)?;
    /// let numbers: Vec<u64> = (1..=100).collect();
    /// let total = AtomicU64::new(0);
    /// pool.handle().scope(|s| {
    ///     for chunk in numbers.chunks(10) {
    ///         let total = &total;
    ///         s.spawn(move |_| {
    ///             total.fetch_add(chunk.iter().sum(), Ordering::Relaxed);
    ///         });
    ///     }
    /// });
    /// assert_eq!(total.into_inner(), 5050);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scope<'scope, OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce(&Scope<'scope>) -> R + Send,
        R: Send,
    {
        self.install_on("PoolHandle::scope", |context| {
            {
                let scope = Scope {
                    shared: Arc::clone(&self.shared),
                    // SAFETY: the scope holds the pool's shared state, so its
                    // sleep state outlives the latch.
                    count: unsafe { CountLatch::new(&self.shared.sleep) },
                    panic: Mutex::new(None),
                    marker: PhantomData,
                };
                let result = catch_unwind(AssertUnwindSafe(|| op(&scope)));
                // The scope's jobs use `scope` and what it borrows until the
                // count reaches zero: nothing may unwind meanwhile.
                let abort = AbortOnUnwind;
                // SAFETY: `scope` lives on this frame until `wait_for` below
                // has seen the count reach zero.
                unsafe { Latch::set(&raw const scope.count) };
                context.wait_for(scope.count.latch());
                abort.disarm();
                if let Some(payload) = lock(&scope.panic).take() {
                    resume_unwind(payload);
                }
                match result {
                    Ok(value) => value,
                    Err(payload) => resume_unwind(payload),
                }
            }
        })
    }
}

/// The worker thread a fork-join computation runs on, handed down from
/// call to call: the fastest way to fork.
///
/// [`PoolHandle::join`] first looks up which worker of which pool the
/// calling thread is (a thread-local and a compare), on every call. A
/// computation that gets a `Worker` from [`PoolHandle::with_worker`] and
/// passes it on, as each half of [`Worker::join`] is handed one, forks
/// without that look-up. Each half gets the worker that runs it: the same
/// one, or a thief that stole the half.
///
/// A `Worker` is a pointer. It cannot leave its thread (it is neither
/// `Send` nor `Sync`) nor outlive the call it was handed to. So a closure
/// that runs elsewhere (a half of a `join`, a job spawned on a scope) does
/// not capture it: each half of [`Worker::join`] is handed its own, and
/// code that has none calls [`PoolHandle::with_worker`], which on a worker
/// of the pool runs in place and costs a thread-local look-up, no more. A
/// struct of parameters that carries the worker down the recursion is
/// rebuilt in each half with the worker that half was given:
///
/// ```
/// use threadpool_core::{ThreadPool, Worker};
///
/// #[derive(Clone, Copy)]
/// struct Search<'w, 'a> {
///     worker: Worker<'w>,
///     needle: u32,
///     haystack: &'a [u32],
/// }
///
/// impl<'a> Search<'_, 'a> {
///     fn count(self) -> usize {
///         let Search { worker, needle, haystack } = self;
///         if haystack.len() <= 64 {
///             return haystack.iter().filter(|&&x| x == needle).count();
///         }
///         let (left, right) = haystack.split_at(haystack.len() / 2);
///         let (a, b) = worker.join(
///             |w| Search { worker: w, needle, haystack: left }.count(),
///             |w| Search { worker: w, needle, haystack: right }.count(),
///         );
///         a + b
///     }
/// }
///
/// let pool = ThreadPool::new(2)?;
/// let haystack: Vec<u32> = (0..10_000).map(|i| i % 7).collect();
/// let count = pool.with_worker(|w| Search { worker: w, needle: 3, haystack: &haystack }.count());
/// assert_eq!(count, 1_429);
///
/// // In a job spawned on a scope: `with_worker` again, in place.
/// let handle = pool.handle();
/// let mut counts = [0; 4];
/// pool.scope(|s| {
///     for (i, slot) in counts.iter_mut().enumerate() {
///         let (handle, haystack) = (&handle, &haystack);
///         s.spawn(move |_| {
///             *slot = handle.with_worker(|w| Search { worker: w, needle: i as u32, haystack }.count());
///         });
///     }
/// });
/// assert_eq!(counts, [1_429; 4]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Neither of these compiles:
///
/// ```compile_fail
/// # let pool = threadpool_core::ThreadPool::new(1).unwrap();
/// let worker = pool.handle().with_worker(|w| w); // does not outlive the call
/// ```
///
/// ```compile_fail,E0277
/// # let pool = threadpool_core::ThreadPool::new(1).unwrap();
/// pool.handle().with_worker(|w| std::thread::scope(|s| {
///     s.spawn(move || w.index()); // not `Send`
/// }));
/// ```
///
/// # Examples
///
/// ```
/// use threadpool_core::{ThreadPool, Worker};
///
/// fn fib(worker: Worker<'_>, n: u64) -> u64 {
///     if n < 2 {
///         return n;
///     }
///     let (a, b) = worker.join(|w| fib(w, n - 1), |w| fib(w, n - 2));
///     a + b
/// }
///
/// let pool = ThreadPool::new(2)?;
/// assert_eq!(pool.handle().with_worker(|w| fib(w, 20)), 6765);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy)]
pub struct Worker<'w> {
    /// The worker's context, on its loop's stack. A raw pointer, not a
    /// reference, so that what makes a `Worker` neither `Send` nor `Sync`
    /// is this field alone, which the compiler then names.
    context: *const WorkerContext,
    marker: PhantomData<&'w ()>,
}

// A panic caught around code that holds a `Worker` leaves the worker as it
// was: the pool's own state behind it changes only in pool code, between
// calls into user code, and a `join` whose half unwinds puts its fork
// list back first (`Unwinding`).
impl std::panic::UnwindSafe for Worker<'_> {}
impl std::panic::RefUnwindSafe for Worker<'_> {}

impl std::fmt::Debug for Worker<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("index", &self.index())
            .finish_non_exhaustive()
    }
}

impl<'w> Worker<'w> {
    /// The worker `context` runs.
    #[inline]
    fn new(context: &'w WorkerContext) -> Self {
        Worker {
            context,
            marker: PhantomData,
        }
    }

    #[inline]
    fn context(self) -> &'w WorkerContext {
        // SAFETY: made from a `&'w WorkerContext` (`new`).
        unsafe { &*self.context }
    }

    /// Runs `a` and `b`, potentially in parallel, and returns both results;
    /// as [`PoolHandle::join`] does on a worker, and each closure is handed
    /// the worker that runs it.
    ///
    /// `a` must not block waiting for something `b` does: see
    /// [`PoolHandle::join`].
    ///
    /// # Panics
    ///
    /// If either closure panics, waits for the other one (if it started)
    /// and then resumes the panic, `a`'s first.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2)?;
    /// let numbers: Vec<u64> = (1..=1_000).collect();
    /// let (left, right) = numbers.split_at(500);
    /// let (a, b) = pool.handle().with_worker(|w| {
    ///     w.join(|_| left.iter().sum::<u64>(), |_| right.iter().sum::<u64>())
    /// });
    /// assert_eq!(a + b, 500_500);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn join<A, B, RA, RB>(self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce(Worker<'_>) -> RA + Send,
        B: FnOnce(Worker<'_>) -> RB + Send,
        RA: Send,
        RB: Send,
    {
        join_on_worker(
            self.context(),
            move || a(self),
            WithWorker(b),
            |b| (b.0)(self),
        )
    }

    /// This worker's index in its pool: what
    /// [`PoolHandle::current_thread_index`] says on its thread, unless the
    /// thread released itself from the pool
    /// ([`PoolHandle::release_current_thread`]) while it still runs a job
    /// of it.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1)?;
    /// assert_eq!(pool.handle().with_worker(|w| w.index()), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn index(self) -> usize {
        self.context().index()
    }

    /// This worker's pool: for [`PoolHandle::scope`], puts and spawns from
    /// inside the computation. A borrow, not a clone: free.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2)?;
    /// let count = AtomicUsize::new(0);
    /// pool.handle().with_worker(|w| {
    ///     w.handle().scope(|s| {
    ///         for _ in 0..4 {
    ///             s.spawn(|_| {
    ///                 count.fetch_add(1, Ordering::Relaxed);
    ///             });
    ///         }
    ///     })
    /// });
    /// assert_eq!(count.into_inner(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle(self) -> &'w PoolHandle {
        PoolHandle::lend(&self.context().shared)
    }
}

/// Forks `b` onto the worker's fork list, runs `a`, then runs `b` itself if
/// it is still there; if a heartbeat promoted it onto the deque meanwhile,
/// takes it back from there or waits for whoever stole it. `a` always runs
/// on this thread; `here` runs `b` on it.
#[inline]
fn join_on_worker<A, B, RA, RB>(
    context: &WorkerContext,
    a: A,
    b: B,
    here: impl FnOnce(B) -> RB,
) -> (RA, RB)
where
    A: FnOnce() -> RA,
    B: ForkFn<RB>,
    RB: Send,
{
    let job_b = StackJob::new(ForkLatch::new(), b);
    // SAFETY: `job_b` stays on this frame until it is taken back unrun
    // (off the fork list or popped from the deque below) or has run (its
    // latch is set, awaited below); if `a` unwinds, `Unwinding` does the
    // same before the frame goes. Its data starts with its `ForkLatch`
    // (`repr(C)`), and only this frame reads the latch, after `pop_fork`
    // found the fork promoted (so the latch was made).
    unsafe { context.push_fork_local(job_b.as_job()) };

    let unwinding = Unwinding {
        context,
        job_b: &job_b,
    };
    let value_a = a();
    std::mem::forget(unwinding);

    if context.pop_fork() {
        // Nobody could steal `b`: run it here.
        // SAFETY: still on the fork list: no other thread has `job_b`.
        (value_a, here(unsafe { job_b.take_func() }))
    } else {
        (value_a, join_promoted(context, &job_b, here))
    }
}

/// The rest of a `join` whose fork was promoted: runs `b` if it is taken
/// back, else returns (or resumes the panic of) what the thief left.
#[cold]
#[inline(never)]
fn join_promoted<F, R>(
    context: &WorkerContext,
    job_b: &StackJob<ForkLatch, F, R>,
    here: impl FnOnce(F) -> R,
) -> R
where
    F: ForkFn<R>,
    R: Send,
{
    if take_back_or_wait(context, job_b) {
        // SAFETY: taken back unrun: no other thread has `job_b`.
        here(unsafe { job_b.take_func() })
    } else {
        // SAFETY: `take_back_or_wait` returned once the latch was set.
        unsafe { job_b.take_result() }
    }
}

/// Takes the fork of a `join` back, or waits for it, while its `a` unwinds:
/// the unwind then drops what `b` left (its closure or its result) and goes
/// on with `a`'s panic. Forgotten when `a` returns; dropping it is the
/// unwind's landing pad, not code on the path of every `join`.
struct Unwinding<'a, F: ForkFn<R>, R: Send> {
    context: &'a WorkerContext,
    job_b: &'a StackJob<ForkLatch, F, R>,
}

impl<F: ForkFn<R>, R: Send> Drop for Unwinding<'_, F, R> {
    // Inlined into the landing pad, so that the guard's two pointers need
    // no stack slots of their own on the path of every `join`.
    #[inline(always)]
    fn drop(&mut self) {
        unwind_join(self.context, self.job_b);
    }
}

/// What [`Unwinding`] does.
#[cold]
#[inline(never)]
fn unwind_join<F, R>(context: &WorkerContext, job_b: &StackJob<ForkLatch, F, R>)
where
    F: ForkFn<R>,
    R: Send,
{
    if context.pop_fork() || take_back_or_wait(context, job_b) {
        // SAFETY: taken back unrun: no other thread has `job_b`. A panic
        // of the closure's destructor here aborts, as any panic in a
        // destructor during an unwind does.
        unsafe { job_b.drop_func() };
    } else {
        // SAFETY: `take_back_or_wait` returned once the latch was set;
        // nothing took the result.
        unsafe { job_b.drop_result() };
    }
}

/// For a fork that a heartbeat promoted onto the deque: takes it back if
/// it is still there (`true`), else runs other jobs until whoever stole it
/// has run it (`false`). Out of line: the common case, a fork still on the
/// fork list, stays small.
#[cold]
#[inline(never)]
fn take_back_or_wait<F, R>(context: &WorkerContext, job_b: &StackJob<ForkLatch, F, R>) -> bool {
    let job_b_id: *const () = std::ptr::from_ref(job_b).cast();
    // Until `b` is taken back or has run, a thief may be using `job_b`:
    // nothing may unwind out of the caller's frame meanwhile.
    let abort = AbortOnUnwind;
    // SAFETY: the fork was promoted (the callers' `pop_fork` said so),
    // which made its latch.
    let latch = unsafe { job_b.latch.get() };
    let taken_back = loop {
        if latch.probe() {
            break false;
        }
        match context.pop() {
            // Dropping the popped `Fork` job drops nothing.
            Some(job) if job.id() == job_b_id => break true,
            // Pushed by `a` above `b` and not taken: run it.
            Some(job) => context.execute(job),
            None => {
                // Stolen: run other jobs until the thief is done.
                context.wait_for(latch);
                break false;
            }
        }
    };
    abort.disarm();
    taken_back
}

/// A scope for spawning jobs that borrow from the stack; see
/// [`PoolHandle::scope`].
///
/// # Examples
///
/// ```
/// use std::sync::Mutex;
/// use threadpool_core::ThreadPool;
///
/// let pool = ThreadPool::new(2)?;
/// let log = Mutex::new(Vec::new());
/// pool.handle().scope(|s| {
///     s.spawn(|s| {
///         log.lock().unwrap().push("outer");
///         s.spawn(|_| log.lock().unwrap().push("inner"));
///     });
/// });
/// let mut log = log.into_inner()?;
/// log.sort();
/// assert_eq!(log, ["inner", "outer"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Scope<'scope> {
    shared: Arc<Shared>,
    count: CountLatch,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    /// Invariant in `'scope`, as borrowed data must outlive exactly it.
    marker: PhantomData<fn(&'scope ()) -> &'scope ()>,
}

/// Counts a scope's job down when dropped; its last act on the scope.
struct CountDown(*const CountLatch);

impl Drop for CountDown {
    fn drop(&mut self) {
        // SAFETY: the count is live until it reaches zero (the scope's
        // owner waits for that), and this is the job's last touch of it.
        unsafe { Latch::set(self.0) };
    }
}

/// A pointer to a scope that jobs of that scope carry to other threads.
struct ScopePtr<'scope>(*const Scope<'scope>);

// SAFETY: `Scope` is `Sync` (an `Arc` of the `Sync` shared state, a latch of
// atomics, a mutex), and the scope outlives every job holding the pointer:
// the owner waits for the count of unfinished jobs to reach zero first.
unsafe impl Send for ScopePtr<'_> {}

impl<'scope> Scope<'scope> {
    /// Spawns a job that may borrow anything that outlives the scope. The
    /// job gets the scope, to spawn more.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2)?;
    /// let count = AtomicUsize::new(0);
    /// pool.handle().scope(|s| {
    ///     for _ in 0..10 {
    ///         s.spawn(|_| {
    ///             count.fetch_add(1, Ordering::Relaxed);
    ///         });
    ///     }
    /// });
    /// assert_eq!(count.into_inner(), 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn<F>(&self, job: F)
    where
        F: FnOnce(&Scope<'scope>) + Send + 'scope,
    {
        self.count.increment();
        let scope = ScopePtr(self);
        let job = move || {
            let scope = scope;
            // Counts the job down however it ends: the scope's owner waits
            // for the count.
            // SAFETY: see `ScopePtr`: the scope outlives this job.
            let _count_down = CountDown(unsafe { &raw const (*scope.0).count });
            // SAFETY: see `ScopePtr`: the scope outlives this job.
            let this = unsafe { &*scope.0 };
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| job(this))) {
                let surplus = {
                    let mut first = lock(&this.panic);
                    match *first {
                        None => {
                            *first = Some(payload);
                            None
                        }
                        Some(_) => Some(payload),
                    }
                };
                // Only the first panic is resumed; dropping a later one is
                // user code, kept from unwinding past the count-down.
                if let Some(payload) = surplus {
                    drop_quietly(payload);
                }
            }
        };
        // SAFETY: the job borrows only data that outlives `'scope`, and the
        // scope does not return before the job has run (the count above), so
        // the job cannot outlive its borrows. Queued jobs are always run,
        // never dropped, while a scope waits: shutdown runs spawned jobs
        // rather than dropping them.
        let job = unsafe { Job::spawned_unchecked(job) };
        self.shared.push(job);
    }
}

impl<'scope> Scope<'scope> {
    /// A scope on `shared`'s pool whose body runs wherever the caller is:
    /// for [`PoolHandle::in_place_scope`] (`threads.rs`). End it with
    /// [`complete`](Self::complete).
    pub(crate) fn new(shared: &Arc<Shared>) -> Self {
        Scope {
            shared: Arc::clone(shared),
            // SAFETY: the scope holds the pool's shared state, so its sleep
            // state outlives the latch.
            count: unsafe { CountLatch::new(&shared.sleep) },
            panic: Mutex::new(None),
            marker: PhantomData,
        }
    }

    /// Ends a scope made by [`new`](Self::new) whose body ended with
    /// `body`: counts the body done, waits with `wait` until the latch
    /// it is given is set (every job has finished), then resumes the first
    /// panic of a job, else the body's, or returns the body's value.
    pub(crate) fn complete<R>(
        &self,
        body: std::thread::Result<R>,
        wait: impl FnOnce(&WorkerLatch),
    ) -> R {
        // The scope's jobs use it and what it borrows until the count
        // reaches zero: nothing may unwind meanwhile.
        let abort = AbortOnUnwind;
        // SAFETY: `self` outlives this call, which returns only once the
        // count has reached zero (`wait`).
        unsafe { Latch::set(&raw const self.count) };
        wait(self.count.latch());
        assert!(self.count.latch().probe(), "a scope's wait returned early");
        abort.disarm();
        if let Some(payload) = lock(&self.panic).take() {
            resume_unwind(payload);
        }
        match body {
            Ok(value) => value,
            Err(payload) => resume_unwind(payload),
        }
    }
}
