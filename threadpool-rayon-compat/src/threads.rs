//! What this crate keeps about the worker threads of its pools: each
//! worker's pool settings (panic handler, the queue of `spawn_fifo` jobs),
//! how their threads are started ([`ThreadBuilder`] and the spawn
//! handlers), and `broadcast`, which runs a closure once on every worker.
//!
//! # Starting threads
//!
//! A pool of this crate always starts its threads itself: the core pool
//! hands each worker over as a `threadpool_core::ThreadBuilder` (its spawn
//! hook only collects them), and once the core pool is built each one is
//! wrapped in this crate's [`ThreadBuilder`], with the name from
//! `thread_name`, and given to the spawn handler: the default one starts a
//! standard thread, `spawn_handler` the user's closure, `build_scoped` a
//! scoped thread. So the user's handler need not be `'static` or `Send`,
//! and it runs on the building thread, in index order.
//!
//! # Broadcast
//!
//! A broadcast sends one job to each worker's inbox (the core pool's
//! `PoolHandle::run_on_workers` and `spawn_on_worker`): each worker runs
//! it when it next looks for work, including while it waits for a
//! `join`, a scope or a broadcast of its own, so broadcasts may be called
//! from inside parallel work, from every worker at once, or from inside a
//! broadcast's closure, as with rayon. A blocking broadcast's caller keeps
//! running other jobs of the pool while it waits. Right after a pool
//! starts, a first broadcast gives every worker its pool's settings and
//! runs the pool's start handler (in a pool of
//! [`ThreadPoolBuilder`](crate::ThreadPoolBuilder), only if it has one: its
//! threads take their settings as they start); a last one, when a
//! `ThreadPool` is dropped, runs the exit handler.

use std::any::Any;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Mutex, PoisonError};

use threadpool_core::PoolHandle;

/// A panic handler, as given to
/// [`ThreadPoolBuilder::panic_handler`](crate::ThreadPoolBuilder::panic_handler).
pub(crate) type PanicHandler = Arc<dyn Fn(Box<dyn Any + Send>) + Send + Sync>;

/// A start or exit handler, called with the worker's index.
pub(crate) type ThreadHandler = Arc<dyn Fn(usize) + Send + Sync>;

/// The settings of one pool that its workers and its spawned jobs need.
pub(crate) struct PoolInfo {
    pub(crate) panic_handler: Option<PanicHandler>,
    pub(crate) exit_handler: Option<ThreadHandler>,
    /// Worker 0 is the thread that built the pool (`use_current_thread`):
    /// the start and exit handlers skip it, as rayon's do.
    pub(crate) adopted: bool,
    /// Closures of `spawn_fifo`, oldest first; every `spawn_fifo` job runs
    /// the oldest one, so they start in the order they were spawned.
    fifo: Mutex<VecDeque<Box<dyn FnOnce() + Send>>>,
}

impl PoolInfo {
    pub(crate) fn new(
        panic_handler: Option<PanicHandler>,
        exit_handler: Option<ThreadHandler>,
        adopted: bool,
    ) -> Arc<Self> {
        Arc::new(PoolInfo {
            panic_handler,
            exit_handler,
            adopted,
            fifo: Mutex::new(VecDeque::new()),
        })
    }
}

thread_local! {
    /// The settings of the pool the calling thread works for (set by
    /// `register_workers`); valid while the thread is a worker of a pool.
    static WORKER: RefCell<Option<Arc<PoolInfo>>> = const { RefCell::new(None) };
}

/// Gives the calling thread, a thread of the pool whose settings are
/// `info`, those settings.
pub(crate) fn set_worker_info(info: &Arc<PoolInfo>) {
    WORKER.with(|worker| *worker.borrow_mut() = Some(Arc::clone(info)));
}

/// The index of the calling thread in the pool it works for, if any.
pub(crate) fn worker_index() -> Option<usize> {
    PoolHandle::with_current(|pool| pool.and_then(PoolHandle::current_thread_index))
}

/// The settings of the pool the calling thread works for, if any.
pub(crate) fn worker_pool_info() -> Option<Arc<PoolInfo>> {
    if PoolHandle::with_current(|pool| pool.is_none()) {
        return None;
    }
    WORKER.with(|worker| worker.borrow().as_ref().map(Arc::clone))
}

/// Runs `op(index)` once on every worker of `handle` (see the module
/// documentation), and returns the results by worker index. `workers` is
/// the pool's number of workers.
pub(crate) fn broadcast_on<R, OP>(handle: &PoolHandle, workers: usize, op: OP) -> Vec<R>
where
    OP: Fn(usize) -> R + Sync,
    R: Send,
{
    let indices: Vec<usize> = (0..workers).collect();
    // A pool of this crate never resizes: its workers are `0..workers`.
    handle
        .run_on_workers(&indices, op)
        .unwrap_or_else(|err| panic!("broadcast: {err}"))
}

/// `spawn_broadcast` on `handle`, whose settings are `info`: one job sent
/// to each worker, none waiting for the others.
pub(crate) fn spawn_broadcast_on<OP>(handle: &PoolHandle, info: &Arc<PoolInfo>, op: OP)
where
    OP: Fn(usize, usize) + Send + Sync + 'static,
{
    let workers = handle.workers();
    let op = Arc::new(op);
    for index in 0..workers {
        let op = Arc::clone(&op);
        let info = Arc::clone(info);
        // A pool of this crate never resizes: its workers are `0..workers`,
        // until it stops, when the job is dropped unrun, as a spawn's is.
        let sent = handle.spawn_on_worker(index, move || run_spawned(&info, || op(index, workers)));
        if let Err(err) = sent
            && !handle.is_shut_down()
        {
            panic!("spawn_broadcast: {err}");
        }
    }
}

/// Gives every worker of a pool that just started its pool's settings, and
/// runs the start handler there (not on an adopted worker 0).
pub(crate) fn register_workers(
    handle: &PoolHandle,
    info: &Arc<PoolInfo>,
    start_handler: Option<&ThreadHandler>,
) {
    let workers = handle.workers();
    if workers == 0 {
        return;
    }
    broadcast_on(handle, workers, |index| {
        WORKER.with(|worker| *worker.borrow_mut() = Some(Arc::clone(info)));
        if let Some(start) = start_handler
            && !(info.adopted && index == 0)
        {
            start(index);
        }
    });
}

/// Runs the pool's exit handler on every worker it started (before the
/// pool stops). An adopted worker 0 runs none, so it is left out: dropped
/// from another thread, it runs no jobs unless it blocks on the pool.
pub(crate) fn run_exit_handlers(handle: &PoolHandle, info: &PoolInfo) {
    let Some(exit) = &info.exit_handler else {
        return;
    };
    let first = usize::from(info.adopted);
    let indices: Vec<usize> = (first..handle.workers()).collect();
    if !indices.is_empty() && !handle.is_shut_down() {
        // A worker gone meanwhile (the pool is stopping) runs no handler.
        let _ = handle.run_on_workers(&indices, |index| exit(index));
    }
}

/// Runs a spawned job: a panic goes to the pool's panic handler if it has
/// one (a panicking handler aborts, as in rayon), and otherwise on to the
/// core pool, which reports it.
pub(crate) fn run_spawned(info: &PoolInfo, job: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(job)) {
        match &info.panic_handler {
            Some(handler) => {
                if catch_unwind(AssertUnwindSafe(|| handler(payload))).is_err() {
                    std::process::abort();
                }
            }
            None => resume_unwind(payload),
        }
    }
}

/// `spawn` on `handle`, whose settings are `info`.
pub(crate) fn spawn_on(
    handle: &PoolHandle,
    info: &Arc<PoolInfo>,
    job: impl FnOnce() + Send + 'static,
) {
    let info = Arc::clone(info);
    handle.spawn(move || run_spawned(&info, job));
}

/// `spawn_fifo` on `handle`: the closure joins the pool's FIFO queue, and
/// the job spawned for it runs whichever closure is oldest there.
pub(crate) fn spawn_fifo_on(
    handle: &PoolHandle,
    info: &Arc<PoolInfo>,
    job: impl FnOnce() + Send + 'static,
) {
    info.fifo
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push_back(Box::new(job));
    let info = Arc::clone(info);
    handle.spawn(move || {
        let oldest = info
            .fifo
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        if let Some(oldest) = oldest {
            run_spawned(&info, oldest);
        }
    });
}

/// A thread of a pool being built, handed to the pool's spawn handler
/// ([`ThreadPoolBuilder::spawn_handler`](crate::ThreadPoolBuilder::spawn_handler),
/// [`build_scoped`](crate::ThreadPoolBuilder::build_scoped)) to start;
/// rayon's `ThreadBuilder`. The handler starts a thread that calls
/// [`run`](Self::run).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::ThreadPoolBuilder;
///
/// let pool = ThreadPoolBuilder::new()
///     .num_threads(2)
///     .thread_name(|i| format!("custom-{i}"))
///     .spawn_handler(|thread| {
///         let name = thread.name().unwrap().to_owned();
///         std::thread::Builder::new().name(name).spawn(|| thread.run())?;
///         Ok(())
///     })
///     .build()?;
/// let mut names = pool.broadcast(|_| std::thread::current().name().unwrap().to_owned());
/// names.sort();
/// assert_eq!(names, ["custom-0", "custom-1"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ThreadBuilder {
    core: threadpool_core::ThreadBuilder,
    /// From `thread_name`, if it was set.
    name: Option<String>,
    /// The pool's settings, which the thread takes as it starts to run.
    info: Option<Arc<PoolInfo>>,
}

impl ThreadBuilder {
    pub(crate) fn new(
        core: threadpool_core::ThreadBuilder,
        name: Option<String>,
        info: Option<Arc<PoolInfo>>,
    ) -> Self {
        ThreadBuilder { core, name, info }
    }

    /// The thread's index in the pool, `0..num_threads`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let indices = Mutex::new(Vec::new());
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_threads(3)
    ///     .spawn_handler(|thread| {
    ///         indices.lock().unwrap().push(thread.index());
    ///         std::thread::spawn(|| thread.run());
    ///         Ok(())
    ///     })
    ///     .build()?;
    /// assert_eq!(indices.into_inner()?, [0, 1, 2]);
    /// # drop(pool);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn index(&self) -> usize {
        self.core.index()
    }

    /// The name `thread_name` gives this thread, if it was set.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let names = Mutex::new(Vec::new());
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_threads(1)
    ///     .spawn_handler(|thread| {
    ///         names.lock().unwrap().push(thread.name().map(str::to_owned));
    ///         std::thread::spawn(|| thread.run());
    ///         Ok(())
    ///     })
    ///     .build()?;
    /// assert_eq!(names.into_inner()?, [None]);
    /// # drop(pool);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The stack size `stack_size` asks for, if it was set.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_threads(1)
    ///     .stack_size(4 << 20)
    ///     .spawn_handler(|thread| {
    ///         assert_eq!(thread.stack_size(), Some(4 << 20));
    ///         std::thread::Builder::new().stack_size(4 << 20).spawn(|| thread.run())?;
    ///         Ok(())
    ///     })
    ///     .build()?;
    /// assert_eq!(pool.install(|| 1 + 1), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stack_size(&self) -> Option<usize> {
        self.core.stack_size()
    }

    /// Runs the thread's work loop; returns once the pool is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let threads = Mutex::new(Vec::new());
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_threads(2)
    ///     .spawn_handler(|thread| {
    ///         threads.lock().unwrap().push(std::thread::spawn(|| thread.run()));
    ///         Ok(())
    ///     })
    ///     .build()?;
    /// assert_eq!(pool.join(|| 1, || 2), (1, 2));
    /// drop(pool);
    /// for thread in threads.into_inner()? {
    ///     thread.join().unwrap(); // `run` returned
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run(self) {
        if let Some(info) = &self.info {
            set_worker_info(info);
        }
        self.core.run();
    }
}

impl fmt::Debug for ThreadBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadBuilder")
            .field("index", &self.index())
            .field("name", &self.name)
            .field("stack_size", &self.stack_size())
            .finish()
    }
}

/// How a pool starts its threads: the default spawn, or a handler set with
/// `spawn_handler`; rayon's `ThreadSpawn`. Not meant to be implemented
/// outside this crate.
pub trait ThreadSpawn {
    /// Starts a thread that runs `thread`.
    ///
    /// # Errors
    ///
    /// The error of the thread start, which fails the pool's build.
    fn spawn(&mut self, thread: ThreadBuilder) -> io::Result<()>;
}

/// The default spawn: a standard thread, named by `thread_name` (else
/// unnamed, as in rayon), with `stack_size`'s size.
#[derive(Debug, Default, Clone, Copy)]
pub struct DefaultSpawn;

impl ThreadSpawn for DefaultSpawn {
    fn spawn(&mut self, thread: ThreadBuilder) -> io::Result<()> {
        let mut builder = std::thread::Builder::new();
        if let Some(name) = &thread.name {
            builder = builder.name(name.clone());
        }
        if let Some(size) = thread.stack_size() {
            builder = builder.stack_size(size);
        }
        builder.spawn(|| thread.run())?;
        Ok(())
    }
}

/// A spawn handler set with `spawn_handler`.
#[derive(Debug)]
pub struct CustomSpawn<F>(pub(crate) F);

impl<F> ThreadSpawn for CustomSpawn<F>
where
    F: FnMut(ThreadBuilder) -> io::Result<()>,
{
    fn spawn(&mut self, thread: ThreadBuilder) -> io::Result<()> {
        (self.0)(thread)
    }
}
