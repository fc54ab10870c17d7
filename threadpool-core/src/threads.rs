//! How a pool's worker threads come to be, and what a worker may ask of
//! its own queue.
//!
//! - **Spawn hook.** By default the pool starts each worker with
//!   `std::thread::Builder`. With [`ThreadPoolBuilder::spawn_handler`] it
//!   hands each worker to a closure instead, as a [`ThreadBuilder`] whose
//!   [`run`](ThreadBuilder::run) is the worker's loop; the closure starts
//!   the thread any way it likes (with per-thread set-up, another
//!   runtime's context, ...), and [`ThreadBuilder::spawn`] starts it with
//!   the pool's name and stack size. The handler is `'static`, so it
//!   cannot start scoped threads (`std::thread::scope`); the
//!   rayon-compat crate's `ThreadPoolBuilder::build_scoped` can.
//! - **Adoption.** With [`ThreadPoolBuilder::use_current_thread`] worker 0
//!   is no new thread: the building thread becomes it. It runs no loop; it
//!   takes part in the pool's work while it blocks on the pool (`install`,
//!   `join`, `scope` and their waits, and its `ThreadPool`'s `wait`,
//!   `poll_blocking`, `poll_timeout` and bounded puts, run other jobs
//!   meanwhile) and when it yields ([`PoolHandle::yield_now`]). Its worker state lives in a
//!   thread-local of that thread until the pool lets it go
//!   ([`PoolHandle::release_current_thread`], dropping the pool's
//!   `ThreadPool` there) or the thread exits.
//! - **Queries and yields on the current worker:** whether it has jobs of
//!   its own waiting, running one pending job, its index.
//! - **In-place scope:** [`PoolHandle::in_place_scope`] runs the body on the
//!   calling thread, wherever it is, and its spawns on the pool.
//!
//! The spawn hook runs while the pool's registry of workers is locked (as
//! every thread start does): a handler must not call back into the pool it
//! starts threads for.
//!
//! A [`ThreadBuilder`] tells the pool what became of it through its
//! *fate*, a small state machine: [`SPAWNING`] while the handler runs,
//! [`HANDED`] once the handler returned `Ok` with the builder still unrun
//! (a thread of its own will run it), [`RUNNING`], [`DROPPED`] (dropped
//! unrun), and [`CANCELLED`] (the handler failed, and a builder it kept is
//! inert). A builder dropped before the handler returns counts as a thread
//! that never started, as a failed `std` spawn does; one dropped after it
//! was handed over leaves the pool itself, as a worker that ran no job.
//! The atomics here are the standard library's, under loom too: they take
//! part in none of the modelled protocols.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::thread::ThreadId;

use crossbeam_deque::Worker;

use crate::error::SpawnError;
use crate::handle::PoolHandle;
use crate::join::Scope;
use crate::pool::ThreadPoolBuilder;
use crate::registry::{Shared, ThreadConfig};
use crate::sync::{Arc, thread};
use crate::task::Job;
use crate::worker::{self, WorkerContext};

/// A spawn handler as the builder keeps it: shared by the builder's clones
/// and the pool, which calls it for every worker it starts.
type HandlerFn = dyn FnMut(ThreadBuilder) -> io::Result<()> + Send;

#[derive(Clone)]
struct SpawnHandler(Arc<Mutex<Box<HandlerFn>>>);

/// A start or exit handler: called with the worker's index on its thread.
#[derive(Clone)]
struct WorkerHook(std::sync::Arc<dyn Fn(usize) + Send + Sync>);

// The pool stays unwind-safe with a handler in it (as it was without):
// it catches a handler's panic and calls the handler again for other
// workers; what that panic left half-done in the handler's own captures
// is the handler's to mind, as with any closure called after a panic.
impl std::panic::RefUnwindSafe for WorkerHook {}
impl std::panic::UnwindSafe for WorkerHook {}

/// The builder's thread-start settings.
#[derive(Clone, Default)]
pub(crate) struct SpawnOptions {
    handler: Option<SpawnHandler>,
    use_current_thread: bool,
    breadth_first: bool,
    start: Option<WorkerHook>,
    exit: Option<WorkerHook>,
}

impl fmt::Debug for SpawnOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpawnOptions")
            .field("spawn_handler", &self.handler.is_some())
            .field("use_current_thread", &self.use_current_thread)
            .field("breadth_first", &self.breadth_first)
            .field("start_handler", &self.start.is_some())
            .field("exit_handler", &self.exit.is_some())
            .finish()
    }
}

impl SpawnOptions {
    /// The pool's copy of the settings.
    pub(crate) fn into_config(self) -> SpawnConfig {
        SpawnConfig {
            handler: self.handler,
            adopt: AtomicBool::new(self.use_current_thread),
            fifo: self.breadth_first,
            start: self.start,
            exit: self.exit,
        }
    }
}

/// The thread-start settings a pool keeps (in its `ThreadConfig`).
#[derive(Default)]
pub(crate) struct SpawnConfig {
    handler: Option<SpawnHandler>,
    /// Set until worker 0 has adopted the building thread (or the first
    /// start of workers ended without it).
    adopt: AtomicBool,
    /// Workers take their own jobs oldest first (`breadth_first`).
    fifo: bool,
    /// `start_handler` and `exit_handler`.
    start: Option<WorkerHook>,
    exit: Option<WorkerHook>,
}

impl SpawnConfig {
    /// Runs the start handler, if any, for worker `index` on its thread.
    pub(crate) fn worker_started(&self, index: usize) {
        if let Some(WorkerHook(start)) = &self.start {
            crate::notify::user_code("the start handler", || start(index));
        }
    }

    /// Runs the exit handler, if any, for worker `index` on its thread.
    pub(crate) fn worker_exiting(&self, index: usize) {
        if let Some(WorkerHook(exit)) = &self.exit {
            crate::notify::user_code("the exit handler", || exit(index));
        }
    }
}

/// A new worker's deque: newest first, or with `breadth_first` oldest first.
pub(crate) fn new_deque(config: &SpawnConfig) -> Worker<Job> {
    if config.fifo {
        Worker::new_fifo()
    } else {
        Worker::new_lifo()
    }
}

impl ThreadPoolBuilder {
    /// Starts every worker thread through `handler` instead of
    /// `std::thread::Builder`: the pool calls it once per worker with a
    /// [`ThreadBuilder`], and the handler starts a thread that calls
    /// [`ThreadBuilder::run`], as it likes (with per-thread set-up first,
    /// with another runtime's context, a thread of its own pool), and
    /// returns a `std::io::Result<()>`. [`ThreadBuilder::spawn`] starts it
    /// with the pool's [`thread_name`](Self::thread_name) and
    /// [`stack_size`](Self::stack_size) applied; a thread the handler
    /// starts in another way gets them only if the handler passes them on
    /// ([`ThreadBuilder::std_builder`]).
    ///
    /// The handler is `'static`: it cannot start a scoped thread
    /// (`std::thread::scope`), since it would outlive the scope. (The
    /// rayon-compat crate's `ThreadPoolBuilder::build_scoped` can; this
    /// builder cannot.)
    ///
    /// The pool knows when each such worker's `run` returns: dismissing
    /// workers with `join` waits for that, and
    /// [`dismissed_workers`](crate::ThreadPool::dismissed_workers) counts
    /// them until they are joined, as for the pool's own threads. (So a
    /// builder the handler keeps unrun holds those joins, and
    /// [`ThreadPool::shutdown`](crate::ThreadPool::shutdown), up until it
    /// is run or dropped.)
    ///
    /// An `Err` from the handler fails the start (`build` or
    /// `create_workers`) with a [`SpawnError`] of kind
    /// [`Os`](crate::SpawnErrorKind::Os), as a thread the system refused
    /// does; so does a handler that panics, or one that drops the
    /// `ThreadBuilder` unrun before it returns. A builder the handler kept
    /// after failing does nothing when run. A handler that runs the
    /// builder *and* fails has started a worker all the same: the pool
    /// keeps it, and the error is dropped. The handler runs while the
    /// pool's registry of workers is locked: it must not call back into
    /// the pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let started = Arc::new(Mutex::new(Vec::new()));
    /// let log = Arc::clone(&started);
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_workers(2)
    ///     .thread_name("hooked")
    ///     .spawn_handler(move |thread| -> std::io::Result<()> {
    ///         log.lock().unwrap().push((thread.index(), thread.name().to_owned()));
    ///         // Started with the pool's name and stack size.
    ///         thread.spawn()?;
    ///         Ok(())
    ///     })
    ///     .build_handle()?;
    /// assert_eq!(pool.join(|| 1, || 2), (1, 2));
    /// assert_eq!(*started.lock().unwrap(), [(0, "hooked-0".to_owned()), (1, "hooked-1".to_owned())]);
    /// let name = pool.install(|| std::thread::current().name().map(str::to_owned));
    /// assert!(name.is_some_and(|name| name.starts_with("hooked-")));
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn_handler<F>(mut self, handler: F) -> Self
    where
        F: FnMut(ThreadBuilder) -> Result<(), std::io::Error> + Send + 'static,
    {
        self.spawn.handler = Some(SpawnHandler(Arc::new(Mutex::new(Box::new(handler)))));
        self
    }

    /// Makes the building thread worker 0 of the pool, in place of a new
    /// thread: `num_workers(n)` then starts `n - 1` threads.
    ///
    /// That thread runs no worker loop. It takes part in the pool's work
    /// while it blocks on the pool: in `install` and `join` (which run in
    /// place there), in `scope`, and while any of them waits for a job
    /// another worker took, it runs other jobs of the pool; and when it
    /// yields ([`PoolHandle::yield_now`]). Jobs pushed from it (its forks,
    /// its spawns) go on its own deque, where the other workers steal them;
    /// jobs from elsewhere reach it only while it blocks or yields, so a
    /// pool whose only worker is this thread runs them only then.
    ///
    /// The blocking calls of its [`ThreadPool`](crate::ThreadPool) count
    /// as blocking on the pool: while `wait`, `poll_blocking` and
    /// `poll_timeout` wait for results, and while a put waits for room in
    /// a bounded request queue, the owner runs queued jobs (its own deque's
    /// first, then the pool's queue and the other workers'), its requests
    /// included. So a pool whose only worker is its owner (a deterministic
    /// single-threaded pool) finishes its requests in `wait`, and with
    /// started workers beside it the owner runs requests too. With nothing
    /// to run, the owner looks for jobs again every few milliseconds while
    /// it waits. `poll` never blocks: it runs the jobs addressed to the
    /// owner (its share of a [`PoolHandle::broadcast`] from another
    /// thread) and, when the owner is the pool's only worker, the jobs
    /// queued when it started, then delivers what is there (a frame loop
    /// on a single-threaded pool makes progress).
    ///
    /// It stays the pool's worker until the pool's
    /// [`ThreadPool`](crate::ThreadPool) is dropped on it, or
    /// [`PoolHandle::release_current_thread`] is called there, or it exits.
    /// A drop there while it is the pool's only worker first drains the
    /// pool as a worker does at shutdown: spawned and fork-join jobs run on
    /// it, queued requests are dropped.
    ///
    /// Building fails with
    /// [`SpawnErrorKind::CurrentThreadInPool`](crate::SpawnErrorKind::CurrentThreadInPool)
    /// if the building thread is a worker of a pool already.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(2).use_current_thread().build_handle()?;
    /// assert_eq!(pool.workers(), 2);
    /// assert_eq!(pool.current_thread_index(), Some(0));
    /// // `install` runs in place, on worker 0.
    /// let me = std::thread::current().id();
    /// assert_eq!(pool.install(|| std::thread::current().id()), me);
    /// assert!(pool.release_current_thread());
    /// assert_eq!(pool.current_thread_index(), None);
    /// pool.shutdown();
    ///
    /// // The owner as the only worker: `wait` runs the requests.
    /// use threadpool_core::WorkRequest;
    /// let mut pool = ThreadPoolBuilder::new().num_workers(1).use_current_thread().build_with_state(0)?;
    /// for n in 1..=4 {
    ///     pool.put_request(WorkRequest::new(move || n).on_result_with(|sum: &mut i32, _, n| *sum += n))?;
    /// }
    /// pool.wait()?;
    /// assert_eq!(*pool.state(), 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn use_current_thread(mut self) -> Self {
        self.spawn.use_current_thread = true;
        self
    }

    /// Makes every worker take the jobs of its own deque oldest first
    /// (breadth first) rather than newest first (depth first): spawned
    /// jobs, a scope's spawns, and the `join` halves a heartbeat made
    /// stealable. Stealing always takes the oldest job, either way. The
    /// second half of a `join` that nobody could steal yet still runs
    /// right after the first, on the same thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(1).breadth_first().build_handle()?;
    /// let order = Mutex::new(Vec::new());
    /// pool.scope(|s| {
    ///     for i in 0..4 {
    ///         let order = &order;
    ///         s.spawn(move |_| order.lock().unwrap().push(i));
    ///     }
    /// });
    /// assert_eq!(order.into_inner()?, [0, 1, 2, 3]);
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn breadth_first(mut self) -> Self {
        self.spawn.breadth_first = true;
        self
    }

    /// Runs `handler` on every worker's thread, with the worker's index,
    /// before the worker takes its first job: the threads the pool starts,
    /// at [`build`](Self::build) and by `create_workers` later, whether
    /// started by the pool or by a [`spawn_handler`](Self::spawn_handler),
    /// and the thread adopted by
    /// [`use_current_thread`](Self::use_current_thread) (at the end of
    /// `build`, on the building thread). For per-thread set-up: a
    /// thread-local a job expects to find, a name for a profiler.
    ///
    /// A panic in it is reported on stderr; the worker goes on.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::Cell;
    /// use threadpool_core::{ThreadPoolBuilder, WorkRequest};
    ///
    /// thread_local!(static SCRATCH: Cell<Option<usize>> = const { Cell::new(None) });
    ///
    /// let mut pool = ThreadPoolBuilder::new()
    ///     .num_workers(1)
    ///     .start_handler(|index| SCRATCH.with(|s| s.set(Some(index))))
    ///     .build()?;
    /// pool.create_workers(1)?;
    /// let mut seen = Vec::new();
    /// pool.broadcast(|_| SCRATCH.with(Cell::get))
    ///     .into_iter()
    ///     .for_each(|(index, scratch)| seen.push((index, scratch)));
    /// seen.sort_unstable();
    /// assert_eq!(seen, [(0, Some(0)), (1, Some(1))]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start_handler(mut self, handler: impl Fn(usize) + Send + Sync + 'static) -> Self {
        self.spawn.start = Some(WorkerHook(std::sync::Arc::new(handler)));
        self
    }

    /// Runs `handler` on every worker's thread, with the worker's index,
    /// when the worker leaves the pool (dismissed, or at shutdown), after
    /// its last job; for the adopted thread, when the pool lets it go. A
    /// dismissal or shutdown that joins its workers waits for it.
    ///
    /// A panic in it is reported on stderr.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let exited = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&exited);
    /// let mut pool = ThreadPoolBuilder::new()
    ///     .num_workers(3)
    ///     .exit_handler(move |_| {
    ///         counter.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()?;
    /// pool.dismiss_workers(1, true);
    /// assert_eq!(exited.load(Ordering::SeqCst), 1);
    /// pool.shutdown()?;
    /// assert_eq!(exited.load(Ordering::SeqCst), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn exit_handler(mut self, handler: impl Fn(usize) + Send + Sync + 'static) -> Self {
        self.spawn.exit = Some(WorkerHook(std::sync::Arc::new(handler)));
        self
    }
}

/// While the spawn handler runs.
const SPAWNING: usize = 0;
/// The handler returned `Ok`; the builder waits, unrun, for its thread.
const HANDED: usize = 1;
/// The worker loop runs (or ran).
const RUNNING: usize = 2;
/// Dropped unrun.
const DROPPED: usize = 3;
/// The handler failed; running the builder does nothing.
const CANCELLED: usize = 4;

/// One worker of a pool, handed to a
/// [`spawn_handler`](ThreadPoolBuilder::spawn_handler) to start: its index,
/// the name and stack size the pool would give its thread, and
/// [`run`](Self::run), the worker's loop. [`spawn`](Self::spawn) starts a
/// thread with that name and stack size that runs it;
/// [`std_builder`](Self::std_builder) gives a `std::thread::Builder` with
/// them, for a handler that starts the thread itself. (A bare
/// `std::thread::spawn(move || thread.run())` gets neither: an unnamed
/// thread with the default stack.)
///
/// # Examples
///
/// ```
/// use threadpool_core::ThreadPoolBuilder;
///
/// thread_local! { static TAG: std::cell::Cell<bool> = const { std::cell::Cell::new(false) }; }
///
/// let pool = ThreadPoolBuilder::new()
///     .num_workers(1)
///     .thread_name("deep")
///     .stack_size(16 << 20)
///     .spawn_handler(|thread| {
///         assert_eq!((thread.index(), thread.stack_size()), (0, Some(16 << 20)));
///         // Per-thread set-up, then the worker's loop, on a thread with
///         // the pool's name and stack size.
///         thread.std_builder().spawn(move || {
///             TAG.set(true);
///             thread.run()
///         })?;
///         Ok(())
///     })
///     .build_handle()?;
/// let (name, tagged) = pool.install(|| (std::thread::current().name().map(str::to_owned), TAG.get()));
/// assert_eq!((name.as_deref(), tagged), (Some("deep-0"), true));
/// pool.shutdown();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ThreadBuilder {
    index: usize,
    name: String,
    stack_size: Option<usize>,
    /// `None` once run.
    context: Option<WorkerContext>,
    /// What became of the builder (see the module notes).
    fate: Arc<AtomicUsize>,
    /// Set as `run` returns (or the builder is dropped): how the pool
    /// waits for this worker's thread, which it has no handle of.
    ended: Arc<RunEnded>,
}

impl ThreadBuilder {
    /// The worker's index in its pool (0 for the first worker started).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = Arc::clone(&seen);
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_workers(3)
    ///     .spawn_handler(move |thread| {
    ///         log.lock().unwrap().push(thread.index());
    ///         thread.spawn()?;
    ///         Ok(())
    ///     })
    ///     .build_handle()?;
    /// assert_eq!(*seen.lock().unwrap(), [0, 1, 2]);
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// The name the pool gives the worker's thread:
    /// `{thread_name}-{index}`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_workers(1)
    ///     .thread_name("io")
    ///     .spawn_handler(|thread| {
    ///         assert_eq!(thread.name(), "io-0");
    ///         thread.spawn()?;
    ///         Ok(())
    ///     })
    ///     .build_handle()?;
    /// let name = pool.install(|| std::thread::current().name().map(str::to_owned));
    /// assert_eq!(name.as_deref(), Some("io-0"));
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stack size set with
    /// [`stack_size`](ThreadPoolBuilder::stack_size), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_workers(1)
    ///     .spawn_handler(|thread| {
    ///         assert_eq!(thread.stack_size(), None);
    ///         thread.spawn()?;
    ///         Ok(())
    ///     })
    ///     .build_handle()?;
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stack_size(&self) -> Option<usize> {
        self.stack_size
    }

    /// A `std::thread::Builder` with the worker's [`name`](Self::name) and,
    /// if one was set, its [`stack_size`](Self::stack_size): for a handler
    /// that starts the thread itself (to run set-up before
    /// [`run`](Self::run), or to keep the join handle).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_workers(1)
    ///     .thread_name("big")
    ///     .stack_size(32 << 20)
    ///     .spawn_handler(|thread| {
    ///         thread.std_builder().spawn(move || thread.run())?;
    ///         Ok(())
    ///     })
    ///     .build_handle()?;
    /// // 32 MiB of stack: a deep recursion that the default 2 MiB would not hold.
    /// fn depth(n: u32) -> u32 {
    ///     let pad = std::hint::black_box([0_u8; 1024]);
    ///     if n == 0 { u32::from(pad[0]) } else { 1 + depth(n - 1) }
    /// }
    /// assert_eq!(pool.install(|| depth(8_000)), 8_000);
    /// assert_eq!(pool.install(|| std::thread::current().name().map(str::to_owned)).as_deref(), Some("big-0"));
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn std_builder(&self) -> std::thread::Builder {
        let builder = std::thread::Builder::new().name(self.name.clone());
        match self.stack_size {
            Some(size) => builder.stack_size(size),
            None => builder,
        }
    }

    /// Starts a thread with the worker's [`name`](Self::name) and
    /// [`stack_size`](Self::stack_size) that runs the worker's loop
    /// ([`run`](Self::run)): what a handler that only needs to observe or
    /// count thread starts returns with `thread.spawn()?; Ok(())`.
    ///
    /// # Errors
    ///
    /// The error of `std::thread::Builder::spawn` (the system refused the
    /// thread); returned by the handler, it fails the pool's start.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_workers(2)
    ///     .thread_name("io")
    ///     .spawn_handler(|thread| {
    ///         thread.spawn()?;
    ///         Ok(())
    ///     })
    ///     .build_handle()?;
    /// let name = pool.install(|| std::thread::current().name().map(str::to_owned));
    /// assert!(matches!(name.as_deref(), Some("io-0" | "io-1")));
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn(self) -> std::io::Result<std::thread::JoinHandle<()>> {
        self.std_builder().spawn(move || self.run())
    }

    /// Runs the worker's loop on the calling thread, until the worker
    /// leaves the pool (the pool shuts down, or the worker is dismissed).
    /// Does nothing if the handler that got this builder failed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let threads = Arc::new(Mutex::new(Vec::new()));
    /// let handles = Arc::clone(&threads);
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_workers(2)
    ///     .spawn_handler(move |thread| {
    ///         let builder = thread.std_builder();
    ///         handles.lock().unwrap().push(builder.spawn(move || thread.run())?);
    ///         Ok(())
    ///     })
    ///     .build_handle()?;
    /// assert_eq!(pool.join(|| 20, || 22), (20, 22));
    /// pool.shutdown();
    /// // `run` returns once the workers have left.
    /// for thread in std::mem::take(&mut *threads.lock().unwrap()) {
    ///     thread.join().unwrap();
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run(mut self) {
        self.ended.started_on(std::thread::current().id());
        // Set at the very end, after the worker has left the pool, also if
        // the loop unwinds (it catches user panics, so it should not).
        let _ended = EndOnDrop(Arc::clone(&self.ended));
        let context = self.context.take().expect("a ThreadBuilder runs once");
        let mut fate = self.fate.load(Ordering::SeqCst);
        loop {
            if fate == CANCELLED {
                // The pool counted this worker out when its handler failed.
                return;
            }
            debug_assert!(fate == SPAWNING || fate == HANDED);
            match self
                .fate
                .compare_exchange(fate, RUNNING, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => break,
                Err(now) => fate = now,
            }
        }
        worker::main_loop(context);
    }
}

impl Drop for ThreadBuilder {
    fn drop(&mut self) {
        let Some(context) = self.context.take() else {
            // Run: `run` sets `ended` itself.
            return;
        };
        // Dropped unrun: no thread will run it.
        let _ended = EndOnDrop(Arc::clone(&self.ended));
        if self.fate.swap(DROPPED, Ordering::SeqCst) == HANDED {
            // Dropped after the pool counted it started: leave as a worker
            // that ran no job, keeping this thread's own worker, if any.
            let current = worker::current_ptr();
            worker::leave(&context);
            // SAFETY: `current` was this thread's worker a moment ago and
            // lives on (on a frame below this one, or adopted); `leave`
            // only cleared the pointer.
            unsafe { worker::set_current(current) };
        }
    }
}

impl fmt::Debug for ThreadBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadBuilder")
            .field("index", &self.index)
            .field("name", &self.name)
            .field("stack_size", &self.stack_size)
            .finish_non_exhaustive()
    }
}

/// Set when a [`ThreadBuilder`] handed to a spawn handler is done: its
/// `run` returned, or it was dropped unrun. The pool waits on it in place
/// of a join handle (`dismiss_workers` with `join`, `shutdown`).
pub(crate) struct RunEnded {
    /// The thread that runs the builder, once it does; whether it ended.
    state: Mutex<(Option<ThreadId>, bool)>,
    changed: Condvar,
}

impl RunEnded {
    fn new() -> Self {
        RunEnded {
            state: Mutex::new((None, false)),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Option<ThreadId>, bool)> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn started_on(&self, thread: ThreadId) {
        self.lock().0 = Some(thread);
    }

    fn end(&self) {
        self.lock().1 = true;
        self.changed.notify_all();
    }
}

/// Sets a [`RunEnded`] when dropped.
struct EndOnDrop(Arc<RunEnded>);

impl Drop for EndOnDrop {
    fn drop(&mut self) {
        self.0.end();
    }
}

/// A worker thread the pool can wait for: a thread it started itself, by
/// its join handle, or one a spawn handler started, by the [`RunEnded`] its
/// builder sets as `run` returns.
pub(crate) enum WorkerThread {
    Started(thread::JoinHandle<()>),
    Handed(Arc<RunEnded>),
}

impl WorkerThread {
    /// Whether the worker's thread is done with the pool: exited, or (a
    /// handler's thread) returned from `run`.
    pub(crate) fn is_finished(&self) -> bool {
        match self {
            WorkerThread::Started(handle) => handle.is_finished(),
            WorkerThread::Handed(ended) => ended.lock().1,
        }
    }

    /// Whether this is the calling thread (which must not wait for itself).
    pub(crate) fn is_current(&self) -> bool {
        let me = std::thread::current().id();
        match self {
            WorkerThread::Started(handle) => handle.thread().id() == me,
            WorkerThread::Handed(ended) => ended.lock().0 == Some(me),
        }
    }

    /// Waits until [`is_finished`](Self::is_finished).
    pub(crate) fn join(self) {
        match self {
            // The worker loop catches every panic of user code, so a join
            // error would be a bug in the pool; there is nothing to recover.
            WorkerThread::Started(handle) => drop(handle.join()),
            WorkerThread::Handed(ended) => {
                let mut state = ended.lock();
                while !state.1 {
                    state = ended
                        .changed
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }
}

/// Starts worker `index`, whose context is `context`: adopts the calling
/// thread for worker 0 if asked, else hands it to the spawn handler, else
/// starts a standard thread. `Err`: the worker did not start (nothing ran
/// on its deque); `Ok(None)`: it runs on the adopted calling thread.
pub(crate) fn spawn_worker(
    config: &ThreadConfig,
    index: usize,
    context: WorkerContext,
) -> io::Result<Option<WorkerThread>> {
    let spawn = &config.spawn;
    if index == 0 && spawn.adopt.swap(false, Ordering::SeqCst) {
        adopt(context)?;
        return Ok(None);
    }
    let name = format!("{}-{index}", config.name);
    let Some(handler) = &spawn.handler else {
        let mut builder = thread::Builder::new().name(name);
        if let Some(size) = config.stack_size {
            builder = builder.stack_size(size);
        }
        return builder
            .spawn(move || worker::main_loop(context))
            .map(|handle| Some(WorkerThread::Started(handle)));
    };
    let fate = Arc::new(AtomicUsize::new(SPAWNING));
    let ended = Arc::new(RunEnded::new());
    let thread = ThreadBuilder {
        index,
        name,
        stack_size: config.stack_size,
        context: Some(context),
        fate: Arc::clone(&fate),
        ended: Arc::clone(&ended),
    };
    let result = {
        let mut handler = handler.0.lock().unwrap_or_else(PoisonError::into_inner);
        catch_unwind(AssertUnwindSafe(|| handler(thread)))
            .unwrap_or_else(|_| Err(io::Error::other("the spawn handler panicked")))
    };
    let (next, failure) = match result {
        Ok(()) => (HANDED, None),
        Err(err) => (CANCELLED, Some(err)),
    };
    match fate.compare_exchange(SPAWNING, next, Ordering::SeqCst, Ordering::SeqCst) {
        // Handed over, for a thread to run.
        Ok(_) if failure.is_none() => Ok(Some(WorkerThread::Handed(ended))),
        // Failed; a builder the handler kept is inert now.
        Ok(_) => Err(failure.expect("a failure")),
        // Its thread runs it: a worker, whatever the handler returned.
        Err(RUNNING) => Ok(Some(WorkerThread::Handed(ended))),
        // Dropped unrun before the handler returned.
        Err(_) => Err(failure.unwrap_or_else(|| {
            io::Error::other("the spawn handler dropped the ThreadBuilder without running it")
        })),
    }
}

/// The workers whose thread the pool adopted, on this thread: raw
/// pointers from `Box::into_raw`, freed when the thread exits. Raw, not
/// boxes: `CURRENT` and the callers of `with_current` reach the same
/// worker through pointers derived from these, which moving a box would
/// invalidate.
struct Adopted {
    /// The worker this thread is now, if any.
    current: Option<NonNull<WorkerContext>>,
    /// Workers this thread was and has left: kept until the thread exits,
    /// since a caller up the stack may still use one (a release from
    /// inside a job).
    retired: Vec<NonNull<WorkerContext>>,
}

impl Drop for Adopted {
    fn drop(&mut self) {
        if let Some(context) = self.current.take() {
            // SAFETY: from `Box::into_raw` in `adopt`, not freed yet.
            worker::leave(unsafe { context.as_ref() });
            self.retired.push(context);
        }
        for context in self.retired.drain(..) {
            // SAFETY: from `Box::into_raw` in `adopt`, freed only here, as
            // the thread exits: no frame of it uses the worker any more.
            drop(unsafe { Box::from_raw(context.as_ptr()) });
        }
    }
}

thread_local! {
    static ADOPTED: RefCell<Adopted> = const {
        RefCell::new(Adopted {
            current: None,
            retired: Vec::new(),
        })
    };
}

/// Makes the calling thread the worker `context`.
fn adopt(context: WorkerContext) -> io::Result<()> {
    if !worker::current_ptr().is_null() {
        return Err(io::Error::other(
            "the current thread is already a worker of a pool",
        ));
    }
    let context = NonNull::from(Box::leak(Box::new(context)));
    ADOPTED.with(|adopted| adopted.borrow_mut().current = Some(context));
    // SAFETY: the worker lives in this thread's `ADOPTED` until the thread
    // exits (`release_current` moves it to `retired`, never frees it), and
    // only this thread reaches it.
    unsafe { worker::set_current(context.as_ptr()) };
    Ok(())
}

/// Starts a new pool's first `n` workers (see [`spawn_worker`]); with
/// `use_current_thread`, worker 0 adopts the calling thread, which must
/// not be a worker already.
pub(crate) fn start_workers(shared: &Arc<Shared>, n: usize) -> Result<(), SpawnError> {
    let spawn = &shared.config.spawn;
    if n > 0 && spawn.adopt.load(Ordering::SeqCst) && !worker::current_ptr().is_null() {
        spawn.adopt.store(false, Ordering::SeqCst);
        return Err(SpawnError::current_thread_in_pool());
    }
    let started = shared.create_workers(n);
    // Only the first start adopts (a later `create_workers`, from any
    // thread, starts threads).
    spawn.adopt.store(false, Ordering::SeqCst);
    if started.is_err() {
        release_current(shared);
    } else if let Some(index) = worker::with_current(shared, |current| current.map(|c| c.index())) {
        // Adopted: its start handler runs here, now that the registry is
        // unlocked (the handler may use the pool).
        spawn.worker_started(index);
    }
    started
}

/// If the calling thread is an adopted worker of `shared`'s pool, it leaves
/// the pool (its queued jobs go to the others) and is no worker any more.
/// Returns whether it was one.
pub(crate) fn release_current(shared: &Arc<Shared>) -> bool {
    let Ok(Some(context)) = ADOPTED.try_with(|adopted| {
        let mut adopted = adopted.borrow_mut();
        // SAFETY: from `Box::into_raw` in `adopt`, not freed yet.
        let ours = adopted
            .current
            .is_some_and(|context| Arc::ptr_eq(&unsafe { context.as_ref() }.shared, shared));
        if ours { adopted.current.take() } else { None }
    }) else {
        return false;
    };
    let current = worker::current_ptr();
    // SAFETY: as above.
    let index = unsafe { context.as_ref() }.index();
    shared.config.spawn.worker_exiting(index);
    // SAFETY: as above.
    worker::leave(unsafe { context.as_ref() });
    if current != context.as_ptr().cast_const() {
        // SAFETY: `current` was this thread's worker before `leave`
        // cleared the pointer, and lives on.
        unsafe { worker::set_current(current) };
    }
    ADOPTED.with(|adopted| adopted.borrow_mut().retired.push(context));
    true
}

/// What [`PoolHandle::yield_now`] and [`PoolHandle::yield_local`] did.
///
/// # Examples
///
/// ```
/// use threadpool_core::{ThreadPoolBuilder, Yield};
///
/// let pool = ThreadPoolBuilder::new().num_workers(1).build_handle()?;
/// assert_eq!(pool.yield_now(), None); // not a worker
/// assert_eq!(pool.install(|| pool.yield_now()), Some(Yield::Idle));
/// pool.shutdown();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Yield {
    /// A pending job ran.
    Executed,
    /// No job was pending.
    Idle,
}

impl PoolHandle {
    /// On a worker of this pool, runs one pending job, if there is one, and
    /// says which: first the worker's own (the newest, or with
    /// `breadth_first` the oldest; the second halves of its running
    /// `join`s count), else one from the pool's queue or another worker's
    /// deque. That job may block on work of its own, which this thread
    /// then helps with. `None` if the calling thread is no worker of this
    /// pool. It never yields the OS thread itself: a polling loop that
    /// gets `Some(Yield::Idle)` may want `std::thread::yield_now` too.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use threadpool_core::{ThreadPoolBuilder, Yield};
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(1).build_handle()?;
    /// let ran = AtomicBool::new(false);
    /// pool.scope(|s| {
    ///     s.spawn(|_| ran.store(true, Ordering::SeqCst));
    ///     // The only worker runs the spawned job here, before the scope ends.
    ///     assert_eq!(pool.yield_now(), Some(Yield::Executed));
    ///     assert!(ran.load(Ordering::SeqCst));
    ///     assert_eq!(pool.yield_now(), Some(Yield::Idle));
    /// });
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn yield_now(&self) -> Option<Yield> {
        worker::with_current(&self.shared, |current| {
            current.map(|context| {
                context.promote_all();
                match context.find_work(true) {
                    Some(job) => {
                        // `execute` never unwinds: user code runs under
                        // `catch_unwind`.
                        context.execute(job);
                        Yield::Executed
                    }
                    None => Yield::Idle,
                }
            })
        })
    }

    /// [`yield_now`](Self::yield_now) limited to the worker's own jobs: it
    /// takes nothing from the pool's queue or other workers.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPoolBuilder, Yield};
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(1).build_handle()?;
    /// let (a, b) = pool.install(|| pool.join(|| pool.yield_local(), || 2));
    /// // The first half ran the second one, which was pending on its deque.
    /// assert_eq!((a, b), (Some(Yield::Executed), 2));
    /// assert_eq!(pool.yield_local(), None);
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn yield_local(&self) -> Option<Yield> {
        worker::with_current(&self.shared, |current| {
            current.map(|context| {
                context.promote_all();
                match context.pop() {
                    Some(job) => {
                        // `execute` never unwinds (see `yield_now`).
                        context.execute(job);
                        Yield::Executed
                    }
                    None => Yield::Idle,
                }
            })
        })
    }

    /// On a worker of this pool, whether it has jobs of its own waiting
    /// (on its deque, or the second halves of its running `join`s): a
    /// snapshot, as other workers may steal them at any moment. `None` if
    /// the calling thread is no worker of this pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(1).build_handle()?;
    /// assert_eq!(pool.current_thread_has_pending_tasks(), None);
    /// assert_eq!(pool.install(|| pool.current_thread_has_pending_tasks()), Some(false));
    /// let (pending, _) = pool.install(|| pool.join(|| pool.current_thread_has_pending_tasks(), || ()));
    /// assert_eq!(pending, Some(true));
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn current_thread_has_pending_tasks(&self) -> Option<bool> {
        worker::with_current(&self.shared, |current| {
            current.map(WorkerContext::has_local_jobs)
        })
    }

    /// The calling thread's index among this pool's workers (the order
    /// they were started in, from 0), if it is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(2).build_handle()?;
    /// assert_eq!(pool.current_thread_index(), None);
    /// assert!(pool.install(|| pool.current_thread_index()).is_some_and(|i| i < 2));
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn current_thread_index(&self) -> Option<usize> {
        worker::with_current(&self.shared, |current| current.map(WorkerContext::index))
    }

    /// If the calling thread is a worker this pool adopted
    /// ([`use_current_thread`](ThreadPoolBuilder::use_current_thread)), it
    /// stops being one: its queued jobs go to the pool's queue, and the
    /// pool has one worker fewer. Returns whether it was one. Dropping the
    /// pool's [`ThreadPool`](crate::ThreadPool) does this on its thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(2).use_current_thread().build_handle()?;
    /// assert!(pool.is_worker_thread());
    /// assert!(pool.release_current_thread());
    /// assert!(!pool.is_worker_thread());
    /// assert!(!pool.release_current_thread());
    /// assert_eq!(pool.workers(), 1);
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn release_current_thread(&self) -> bool {
        release_current(&self.shared)
    }

    /// Creates a scope whose body runs on the calling thread, wherever that
    /// is, and whose spawned jobs run on this pool; returns once every job
    /// has finished. Unlike [`scope`](Self::scope), the body need not be
    /// `Send`: it never moves.
    ///
    /// On a worker of this pool, the spawns go on its deque and it runs
    /// jobs while it waits, as `scope` does. Elsewhere they go to the
    /// pool's queue, and the thread blocks until they are done.
    ///
    /// # Panics
    ///
    /// Once every job has finished, resumes the first panic among the jobs,
    /// else the body's. Called from outside the pool, panics before
    /// running the body if the pool is shut down or has no workers.
    ///
    /// Called from outside the pool, the scope keeps the pool's last
    /// worker until it ends: meanwhile `dismiss_workers` (from the body or
    /// any thread) dismisses all but one worker, and returns the smaller
    /// count, so the scope's queued jobs always have a worker to run them.
    /// Should the pool still lose every worker while such jobs are queued
    /// (it shuts down), the process aborts with a message naming
    /// `PoolHandle::in_place_scope`: those jobs borrow this stack frame,
    /// could never run, and their borrows must not end.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::rc::Rc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(2).build_handle()?;
    /// let local = Rc::new(5); // not `Send`: the body stays on this thread
    /// let total = AtomicUsize::new(0);
    /// pool.in_place_scope(|s| {
    ///     for i in 0..*local {
    ///         let total = &total;
    ///         s.spawn(move |_| {
    ///             total.fetch_add(i, Ordering::Relaxed);
    ///         });
    ///     }
    ///     assert_eq!(Rc::strong_count(&local), 1);
    /// });
    /// assert_eq!(total.into_inner(), 10);
    ///
    /// // From outside the pool, the scope keeps the last worker.
    /// let mut words = vec![0_usize; 3];
    /// pool.in_place_scope(|s| {
    ///     for (count, text) in words.iter_mut().zip(["a b", "c", "d e f"]) {
    ///         s.spawn(move |_| *count = text.split(' ').count());
    ///     }
    ///     assert_eq!(pool.dismiss_workers(5, false), 1); // not both
    /// });
    /// assert_eq!(words, [2, 1, 3]);
    /// assert_eq!(pool.dismiss_workers(1, true), 1); // the scope is over
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// The spawned jobs still run on the pool's threads, so they must be
    /// `Send`:
    ///
    /// ```compile_fail
    /// use std::rc::Rc;
    ///
    /// let pool = threadpool_core::ThreadPoolBuilder::new().num_workers(1).build_handle().unwrap();
    /// let local = Rc::new(1);
    /// pool.in_place_scope(|s| s.spawn(move |_| drop(local)));
    /// ```
    pub fn in_place_scope<'scope, OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce(&Scope<'scope>) -> R,
    {
        /// Ends the count of an `in_place_scope` outside the pool, however
        /// the scope ends.
        struct Outside<'a>(&'a crate::registry::Shared);
        impl Drop for Outside<'_> {
            fn drop(&mut self) {
                self.0.leave_outside_scope();
            }
        }
        let mut _outside = None;
        if !self.is_worker_thread() {
            assert!(
                !self.is_shut_down(),
                "PoolHandle::in_place_scope: the pool is shut down"
            );
            assert!(
                self.shared.enter_outside_scope(),
                "PoolHandle::in_place_scope: the pool has no workers to run the jobs"
            );
            // Until the scope ends, `dismiss_workers` keeps the last worker.
            _outside = Some(Outside(&self.shared));
        }
        let scope = Scope::new(&self.shared);
        let body = catch_unwind(AssertUnwindSafe(|| op(&scope)));
        scope.complete(body, |latch| {
            if latch.probe() {
                // Every job has finished (or none was spawned).
                return;
            }
            let waited = worker::with_current(&self.shared, |current| {
                current.map(|context| context.wait_for(latch))
            });
            if waited.is_none() {
                // Wait on a worker, which runs jobs meanwhile (this thread
                // blocks in `install`).
                self.install_on("PoolHandle::in_place_scope", |context| {
                    context.wait_for(latch);
                });
            }
        })
    }
}
