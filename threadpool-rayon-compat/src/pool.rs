//! [`ThreadPool`] and [`ThreadPoolBuilder`] with rayon's names, and the
//! free functions [`join`], [`scope`] and [`spawn`] on the current pool.

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use threadpool_core::{PoolHandle, Scope, SpawnError, Yield};

use crate::global::{self, with_current_pool};
use crate::scope_fifo::ScopeFifo;
use crate::threads::{
    self, CustomSpawn, DefaultSpawn, PanicHandler, PoolInfo, ThreadBuilder, ThreadHandler,
    ThreadSpawn,
};

/// Settings for a [`ThreadPool`], with rayon's method names.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::ThreadPoolBuilder;
///
/// let pool = ThreadPoolBuilder::new().num_threads(2).build()?;
/// assert_eq!(pool.install(|| 6 * 7), 42);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct ThreadPoolBuilder<S = DefaultSpawn> {
    num_threads: usize,
    stack_size: Option<usize>,
    thread_name: Option<Box<dyn FnMut(usize) -> String>>,
    panic_handler: Option<PanicHandler>,
    start_handler: Option<ThreadHandler>,
    exit_handler: Option<ThreadHandler>,
    use_current_thread: bool,
    breadth_first: bool,
    spawn_handler: S,
}

impl Default for ThreadPoolBuilder {
    fn default() -> Self {
        ThreadPoolBuilder {
            num_threads: 0,
            stack_size: None,
            thread_name: None,
            panic_handler: None,
            start_handler: None,
            exit_handler: None,
            use_current_thread: false,
            breadth_first: false,
            spawn_handler: DefaultSpawn,
        }
    }
}

impl<S> fmt::Debug for ThreadPoolBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolBuilder")
            .field("num_threads", &self.num_threads)
            .field("stack_size", &self.stack_size)
            .field("thread_name", &self.thread_name.is_some())
            .field("panic_handler", &self.panic_handler.is_some())
            .field("start_handler", &self.start_handler.is_some())
            .field("exit_handler", &self.exit_handler.is_some())
            .field("use_current_thread", &self.use_current_thread)
            .field("breadth_first", &self.breadth_first)
            .finish_non_exhaustive()
    }
}

/// The most threads a pool may have, as rayon's `max_num_threads`: larger
/// requests (and `RAYON_NUM_THREADS` values) are reduced to it.
///
/// # Examples
///
/// ```
/// assert!(threadpool_rayon_compat::max_num_threads() >= 255);
/// ```
pub fn max_num_threads() -> usize {
    if usize::BITS >= 64 { 0xFFFF } else { 0xFF }
}

/// The number of threads a pool gets when none is asked for: the value of
/// `RAYON_NUM_THREADS` (or the older `RAYON_RS_NUM_CPUS`) when it is a
/// positive number, else one per available core; as in rayon.
pub(crate) fn default_num_threads() -> usize {
    let available = || std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let from_env = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
    };
    let n = match from_env("RAYON_NUM_THREADS") {
        Some(0) => available(),
        Some(n) => n,
        None => match from_env("RAYON_RS_NUM_CPUS") {
            Some(n) if n > 0 => n,
            _ => available(),
        },
    };
    n.min(max_num_threads())
}

impl ThreadPoolBuilder {
    /// Default settings: `RAYON_NUM_THREADS` threads if that is a positive
    /// number, else one per available core (see
    /// [`num_threads`](Self::num_threads)).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().build()?;
    /// assert!(pool.current_num_threads() >= 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new() -> Self {
        ThreadPoolBuilder::default()
    }

    /// Builds a pool whose threads are scoped threads
    /// (`std::thread::scope`), runs `with_pool` with it, then drops it and
    /// waits for its threads; rayon's `build_scoped`. Each thread starts by
    /// calling `wrapper` with its [`ThreadBuilder`], which sets up what the
    /// thread needs (it may borrow from the caller) and then calls
    /// [`ThreadBuilder::run`].
    ///
    /// # Errors
    ///
    /// [`ThreadPoolBuildError`] if a thread could not be started.
    ///
    /// # Panics
    ///
    /// Resumes a panic of `with_pool`, once the pool's threads have exited.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let weights = vec![1_u64, 2, 3];
    /// let started = std::sync::atomic::AtomicUsize::new(0);
    /// let total = ThreadPoolBuilder::new().num_threads(2).build_scoped(
    ///     |thread| {
    ///         // Runs on each new thread, and may borrow from this frame.
    ///         started.fetch_add(weights.len(), std::sync::atomic::Ordering::SeqCst);
    ///         thread.run();
    ///     },
    ///     |pool| pool.install(|| weights.par_iter().sum::<u64>()),
    /// )?;
    /// assert_eq!(total, 6);
    /// assert_eq!(started.into_inner(), 6);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build_scoped<W, F, R>(self, wrapper: W, with_pool: F) -> Result<R, ThreadPoolBuildError>
    where
        W: Fn(ThreadBuilder) + Sync,
        F: FnOnce(&ThreadPool) -> R,
    {
        let wrapper = &wrapper;
        std::thread::scope(|scope| {
            let pool = self
                .spawn_handler(|thread| {
                    let mut builder = std::thread::Builder::new();
                    if let Some(name) = thread.name() {
                        builder = builder.name(name.to_owned());
                    }
                    if let Some(size) = thread.stack_size() {
                        builder = builder.stack_size(size);
                    }
                    builder.spawn_scoped(scope, move || wrapper(thread))?;
                    Ok(())
                })
                .build()?;
            Ok(with_pool(&pool))
        })
    }
}

impl<S> ThreadPoolBuilder<S> {
    /// The number of worker threads; 0 (the default) means the value of
    /// the `RAYON_NUM_THREADS` environment variable if it is a positive
    /// number, else one per available core.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(3).build()?;
    /// assert_eq!(pool.current_num_threads(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn num_threads(mut self, num_threads: usize) -> Self {
        self.num_threads = num_threads;
        self
    }

    /// The stack size of worker threads, in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(1).stack_size(8 << 20).build()?;
    /// assert_eq!(pool.install(|| 1), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// Names the worker threads: thread `i` is named `closure(i)` (and
    /// [`ThreadBuilder::name`] says so to a spawn handler). Without it,
    /// the threads are unnamed, as in rayon (a panic message on one says
    /// `<unnamed>`).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(2).thread_name(|i| format!("crunch #{}", 10 - i)).build()?;
    /// let mut names = pool.broadcast(|_| std::thread::current().name().unwrap().to_owned());
    /// names.sort();
    /// assert_eq!(names, ["crunch #10", "crunch #9"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn thread_name<F>(mut self, closure: F) -> Self
    where
        F: FnMut(usize) -> String + 'static,
    {
        self.thread_name = Some(Box::new(closure));
        self
    }

    /// Handles panics of spawned jobs (`spawn`, `spawn_fifo`), which have
    /// no caller to resume them in. Without a handler such a panic is
    /// caught and reported by the pool (rayon aborts instead); a handler
    /// that panics aborts the process.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc::channel;
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let (sender, receiver) = channel();
    /// let sender = std::sync::Mutex::new(sender);
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_threads(1)
    ///     .panic_handler(move |payload| {
    ///         let message = payload.downcast_ref::<&str>().copied().unwrap_or("?");
    ///         sender.lock().unwrap().send(message.to_owned()).unwrap();
    ///     })
    ///     .build()?;
    /// pool.spawn(|| panic!("lost job"));
    /// assert_eq!(receiver.recv()?, "lost job");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn panic_handler<H>(mut self, panic_handler: H) -> Self
    where
        H: Fn(Box<dyn Any + Send>) + Send + Sync + 'static,
    {
        self.panic_handler = Some(Arc::new(panic_handler));
        self
    }

    /// Runs `start_handler(index)` on every worker thread once the pool has
    /// started, before it runs any work.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let started = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&started);
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_threads(3)
    ///     .start_handler(move |_| { counter.fetch_add(1, Ordering::SeqCst); })
    ///     .build()?;
    /// assert_eq!(started.load(Ordering::SeqCst), 3);
    /// # drop(pool);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start_handler<H>(mut self, start_handler: H) -> Self
    where
        H: Fn(usize) + Send + Sync + 'static,
    {
        self.start_handler = Some(Arc::new(start_handler));
        self
    }

    /// Runs `exit_handler(index)` on every worker thread when the pool is
    /// dropped, before its threads stop.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let exited = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&exited);
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_threads(2)
    ///     .exit_handler(move |_| { counter.fetch_add(1, Ordering::SeqCst); })
    ///     .build()?;
    /// drop(pool);
    /// assert_eq!(exited.load(Ordering::SeqCst), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn exit_handler<H>(mut self, exit_handler: H) -> Self
    where
        H: Fn(usize) + Send + Sync + 'static,
    {
        self.exit_handler = Some(Arc::new(exit_handler));
        self
    }

    /// Makes the building thread thread 0 of the pool, in place of a new
    /// thread; rayon's `use_current_thread`. `num_threads(n)` then starts
    /// `n - 1` threads. The start and exit handlers do not run for it.
    ///
    /// That thread runs no work loop: it takes part in the pool's work
    /// while it blocks on the pool (inside `install`, `join` and `scope`,
    /// which run in place there, and while they wait) and when it yields
    /// ([`yield_now`], [`yield_local`]). Work spawned into the pool reaches
    /// it only then, so a `broadcast` from another thread waits until it
    /// does. It stops being a thread of the pool when the pool is dropped
    /// on it (rayon keeps it for good).
    ///
    /// Building fails if the thread is a thread of a pool already.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::{ThreadPoolBuilder, current_thread_index};
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(2).use_current_thread().build()?;
    /// assert_eq!(current_thread_index(), Some(0));
    /// assert_eq!(pool.current_num_threads(), 2);
    /// let me = std::thread::current().id();
    /// assert_eq!(pool.install(|| std::thread::current().id()), me); // in place
    /// assert!(ThreadPoolBuilder::new().use_current_thread().build().is_err());
    /// drop(pool);
    /// assert_eq!(current_thread_index(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn use_current_thread(mut self) -> Self {
        self.use_current_thread = true;
        self
    }

    /// Makes each thread take the jobs it spawned itself oldest first
    /// (breadth first) instead of newest first; rayon's deprecated
    /// `breadth_first`. Here this holds for everything on a thread's own
    /// queue (`spawn`, scope spawns, the halves of `join`s that were made
    /// stealable), and stealing takes the oldest job either way, as in
    /// rayon.
    ///
    /// # Examples
    ///
    /// ```
    /// # #![allow(deprecated)]
    /// use std::sync::Mutex;
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(1).breadth_first().build()?;
    /// let order = Mutex::new(Vec::new());
    /// pool.scope(|s| {
    ///     for i in 0..3 {
    ///         let order = &order;
    ///         s.spawn(move |_| order.lock().unwrap().push(i));
    ///     }
    /// });
    /// assert_eq!(order.into_inner()?, [0, 1, 2]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[deprecated(note = "use `scope_fifo` and `spawn_fifo` for similar effect")]
    pub fn breadth_first(mut self) -> Self {
        self.breadth_first = true;
        self
    }

    /// Starts the pool's threads with `spawn` instead of the default
    /// `std::thread` spawn; rayon's `spawn_handler`. `spawn` is called on
    /// the building thread, once per thread, in index order, with a
    /// [`ThreadBuilder`]; it starts a thread that calls
    /// [`ThreadBuilder::run`], and may borrow from the caller (it is done
    /// with once `build` returns). An `Err` fails the build. With a
    /// `start_handler`, `build` waits until every thread runs it, so `spawn`
    /// must then not keep a `ThreadBuilder` to start after `build`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let handles = Mutex::new(Vec::new());
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_threads(2)
    ///     .spawn_handler(|thread| {
    ///         let handle = std::thread::Builder::new().spawn(|| thread.run())?;
    ///         handles.lock().unwrap().push(handle);
    ///         Ok(())
    ///     })
    ///     .build()?;
    /// assert_eq!(pool.install(|| 6 * 7), 42);
    /// drop(pool);
    /// for handle in handles.into_inner()? {
    ///     handle.join().unwrap();
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn_handler<F>(self, spawn: F) -> ThreadPoolBuilder<CustomSpawn<F>>
    where
        F: FnMut(ThreadBuilder) -> io::Result<()>,
    {
        ThreadPoolBuilder {
            num_threads: self.num_threads,
            stack_size: self.stack_size,
            thread_name: self.thread_name,
            panic_handler: self.panic_handler,
            start_handler: self.start_handler,
            exit_handler: self.exit_handler,
            use_current_thread: self.use_current_thread,
            breadth_first: self.breadth_first,
            spawn_handler: CustomSpawn(spawn),
        }
    }

    /// The number of threads this builder will start.
    fn resolved_num_threads(&self) -> usize {
        match self.num_threads {
            0 => default_num_threads(),
            n => n.min(max_num_threads()),
        }
    }
}

impl<S: ThreadSpawn> ThreadPoolBuilder<S> {
    /// Starts a core pool with these settings: the core pool collects its
    /// workers as `threadpool_core::ThreadBuilder`s, which are then started
    /// through the spawn handler (see `src/threads.rs`); then gives the
    /// workers their settings and runs the start handler.
    fn start(
        mut self,
        default_name: &str,
    ) -> Result<(PoolHandle, Arc<PoolInfo>), ThreadPoolBuildError> {
        if self.use_current_thread && PoolHandle::with_current(|pool| pool.is_some()) {
            return Err(ThreadPoolBuildError::new(
                ErrorKind::CurrentThreadAlreadyInPool,
            ));
        }
        let workers = self.resolved_num_threads();
        let names: Option<Vec<String>> = self
            .thread_name
            .as_mut()
            .map(|name_of| (0..workers).map(name_of).collect());
        // While building, the core pool's spawn hook collects the workers;
        // afterwards (workers added through the core handle) it starts
        // standard threads itself.
        let info = PoolInfo::new(
            self.panic_handler.take(),
            self.exit_handler.take(),
            self.use_current_thread,
        );
        let collected = Arc::new(Mutex::new(Some(Vec::new())));
        let collect = Arc::clone(&collected);
        // Weak: the core pool keeps the hook, and the settings may hold
        // jobs that hold the pool.
        let later_info = Arc::downgrade(&info);
        let mut core = threadpool_core::ThreadPoolBuilder::new()
            .thread_name(default_name)
            .num_workers(workers)
            .spawn_handler(move |thread| {
                let mut collecting = collect.lock().unwrap_or_else(PoisonError::into_inner);
                match collecting.as_mut() {
                    Some(threads) => threads.push(thread),
                    None => {
                        drop(collecting);
                        let info = later_info.upgrade();
                        DefaultSpawn.spawn(ThreadBuilder::new(thread, None, info))?;
                    }
                }
                Ok(())
            });
        if let Some(bytes) = self.stack_size {
            core = core.stack_size(bytes);
        }
        if self.use_current_thread {
            core = core.use_current_thread();
        }
        if self.breadth_first {
            core = core.breadth_first();
        }
        let handle = core.build_handle().map_err(|err| {
            ThreadPoolBuildError::new(match err.kind() {
                threadpool_core::SpawnErrorKind::CurrentThreadInPool => {
                    ErrorKind::CurrentThreadAlreadyInPool
                }
                _ => ErrorKind::Spawn(err),
            })
        })?;
        let threads = collected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .unwrap_or_default();
        for thread in threads {
            let name = names.as_ref().map(|names| names[thread.index()].clone());
            let thread = ThreadBuilder::new(thread, name, Some(Arc::clone(&info)));
            if let Err(err) = self.spawn_handler.spawn(thread) {
                // The threads not handed out yet leave the pool as they
                // drop; those started leave at the shutdown.
                handle.release_current_thread();
                handle.shutdown();
                return Err(ThreadPoolBuildError::new(ErrorKind::Io(err)));
            }
        }
        if self.use_current_thread {
            threads::set_worker_info(&info);
        }
        // Each thread takes the settings as it starts to run; the start
        // handlers run as a broadcast, so `build` returns after them.
        if self.start_handler.is_some() {
            threads::register_workers(&handle, &info, self.start_handler.as_ref());
        }
        Ok((handle, info))
    }

    /// Starts the pool.
    ///
    /// # Errors
    ///
    /// [`ThreadPoolBuildError`] if a worker thread could not be started.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// assert!(ThreadPoolBuilder::new().num_threads(1).stack_size(1 << 60).build().is_err());
    /// ```
    pub fn build(self) -> Result<ThreadPool, ThreadPoolBuildError> {
        let (handle, info) = self.start("compat")?;
        Ok(ThreadPool { handle, info })
    }

    /// Makes these settings those of the global pool, which parallel
    /// iterators, [`join`], [`scope`] and `par_map` use outside any
    /// [`ThreadPool::install`]. The global pool then runs until the process
    /// ends.
    ///
    /// # Errors
    ///
    /// [`ThreadPoolBuildError`] if the global pool was already started
    /// (explicitly, or by any parallel work), or a thread could not start.
    ///
    /// # Examples
    ///
    /// ```standalone_crate
    /// use threadpool_rayon_compat::{ThreadPoolBuilder, current_num_threads};
    ///
    /// ThreadPoolBuilder::new().num_threads(3).build_global()?;
    /// assert_eq!(current_num_threads(), 3);
    /// assert!(ThreadPoolBuilder::new().build_global().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build_global(self) -> Result<(), ThreadPoolBuildError> {
        if global::global_pool_started() {
            return Err(ThreadPoolBuildError::new(
                ErrorKind::GlobalPoolAlreadyInitialized,
            ));
        }
        let (handle, info) = self.start("compat-global")?;
        global::set_global_pool(handle, info).map_err(|handle| {
            handle.shutdown();
            ThreadPoolBuildError::new(ErrorKind::GlobalPoolAlreadyInitialized)
        })
    }
}

/// Why a pool could not be built.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::ThreadPoolBuilder;
///
/// let err = ThreadPoolBuilder::new().num_threads(1).stack_size(1 << 60).build().unwrap_err();
/// assert!(err.to_string().contains("could not start"));
/// ```
#[derive(Debug)]
pub struct ThreadPoolBuildError {
    kind: ErrorKind,
}

#[derive(Debug)]
enum ErrorKind {
    GlobalPoolAlreadyInitialized,
    CurrentThreadAlreadyInPool,
    Spawn(SpawnError),
    Io(io::Error),
}

impl ThreadPoolBuildError {
    fn new(kind: ErrorKind) -> Self {
        ThreadPoolBuildError { kind }
    }
}

impl fmt::Display for ThreadPoolBuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::GlobalPoolAlreadyInitialized => {
                f.write_str("the global thread pool has already been initialized")
            }
            ErrorKind::CurrentThreadAlreadyInPool => {
                f.write_str("the current thread is already a thread of a pool")
            }
            ErrorKind::Spawn(_) => f.write_str("could not start the pool's worker threads"),
            ErrorKind::Io(err) => write!(f, "could not start a thread of the pool: {err}"),
        }
    }
}

impl Error for ThreadPoolBuildError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.kind {
            ErrorKind::GlobalPoolAlreadyInitialized | ErrorKind::CurrentThreadAlreadyInPool => None,
            ErrorKind::Spawn(err) => Some(err),
            ErrorKind::Io(err) => Some(err),
        }
    }
}

/// A pool of worker threads, as rayon's `ThreadPool`: work inside
/// [`install`](Self::install) (parallel iterators, [`join`], [`scope`],
/// `par_map`) runs on it. Dropping it stops its workers once the work
/// already queued has run.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::ThreadPoolBuilder;
/// use threadpool_rayon_compat::prelude::*;
///
/// let pool = ThreadPoolBuilder::new().num_threads(2).build()?;
/// let sum: u64 = pool.install(|| (1..=100_u64).into_par_iter().sum());
/// assert_eq!(sum, 5050);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ThreadPool {
    handle: PoolHandle,
    info: Arc<PoolInfo>,
}

impl ThreadPool {
    /// Runs `op` on a worker of this pool and returns its result; parallel
    /// work inside `op` uses this pool.
    ///
    /// # Panics
    ///
    /// Resumes the panic of `op`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::{ThreadPoolBuilder, current_num_threads};
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
    /// assert_eq!(pool.install(current_num_threads), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn install<OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce() -> R + Send,
        R: Send,
    {
        self.handle.install(op)
    }

    /// [`join`] on this pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(2).build()?;
    /// assert_eq!(pool.join(|| 1, || 2), (1, 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn join<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        self.handle.join(a, b)
    }

    /// [`scope`] on this pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(2).build()?;
    /// let hits = AtomicUsize::new(0);
    /// pool.scope(|s| {
    ///     for _ in 0..4 {
    ///         s.spawn(|_| {
    ///             hits.fetch_add(1, Ordering::Relaxed);
    ///         });
    ///     }
    /// });
    /// assert_eq!(hits.into_inner(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scope<'scope, OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce(&Scope<'scope>) -> R + Send,
        R: Send,
    {
        self.handle.scope(op)
    }

    /// [`spawn`] on this pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pool.spawn(move || tx.send(42).unwrap());
    /// assert_eq!(rx.recv()?, 42);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn<F>(&self, f: F)
    where
        F: FnOnce() + Send + 'static,
    {
        threads::spawn_on(&self.handle, &self.info, f);
    }

    /// The number of worker threads of this pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(2).build()?;
    /// assert_eq!(pool.current_num_threads(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn current_num_threads(&self) -> usize {
        self.handle.workers()
    }

    /// Runs `op` once on every worker thread of this pool and returns the
    /// results by thread index; as rayon's `broadcast`, see the free
    /// function [`broadcast`](crate::broadcast).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(3).build()?;
    /// let indices = pool.broadcast(|ctx| (ctx.index(), ctx.num_threads()));
    /// assert_eq!(indices, [(0, 3), (1, 3), (2, 3)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn broadcast<OP, R>(&self, op: OP) -> Vec<R>
    where
        OP: Fn(BroadcastContext<'_>) -> R + Sync,
        R: Send,
    {
        let workers = self.current_num_threads();
        threads::broadcast_on(&self.handle, workers, |index| {
            op(BroadcastContext {
                index,
                num_threads: workers,
                marker: std::marker::PhantomData,
            })
        })
    }

    /// Runs `op` once on every worker thread of this pool, in the
    /// background (see [`broadcast`](Self::broadcast)); rayon's
    /// `spawn_broadcast`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(2).build()?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let tx = std::sync::Mutex::new(tx);
    /// pool.spawn_broadcast(move |ctx| tx.lock().unwrap().send(ctx.index()).unwrap());
    /// let mut got = vec![rx.recv()?, rx.recv()?];
    /// got.sort();
    /// assert_eq!(got, [0, 1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn_broadcast<OP>(&self, op: OP)
    where
        OP: Fn(BroadcastContext<'_>) + Send + Sync + 'static,
    {
        spawn_broadcast_on(&self.handle, &self.info, op);
    }

    /// The index of the calling thread in this pool, if it is one of its
    /// workers.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(2).build()?;
    /// assert_eq!(pool.current_thread_index(), None);
    /// assert!(pool.install(|| pool.current_thread_index()).is_some_and(|i| i < 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn current_thread_index(&self) -> Option<usize> {
        self.handle.current_thread_index()
    }

    /// Whether the calling thread, a thread of this pool, has jobs of its
    /// own queued (its spawns, the second halves of its `join`s); `None`
    /// if it is no thread of this pool. Other threads may steal them at
    /// any moment. rayon's `ThreadPool::current_thread_has_pending_tasks`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
    /// assert_eq!(pool.current_thread_has_pending_tasks(), None);
    /// assert_eq!(pool.install(|| pool.current_thread_has_pending_tasks()), Some(false));
    /// let (pending, ()) = pool.join(|| pool.current_thread_has_pending_tasks(), || ());
    /// assert_eq!(pending, Some(true));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn current_thread_has_pending_tasks(&self) -> Option<bool> {
        self.handle.current_thread_has_pending_tasks()
    }

    /// [`scope_fifo`] on this pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(2).build()?;
    /// let n = AtomicUsize::new(0);
    /// pool.scope_fifo(|s| s.spawn_fifo(|_| { n.fetch_add(1, Ordering::Relaxed); }));
    /// assert_eq!(n.into_inner(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scope_fifo<'scope, OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce(&ScopeFifo<'scope>) -> R + Send,
        R: Send,
    {
        self.handle.scope(|scope| ScopeFifo::run(scope, op))
    }

    /// [`in_place_scope`] on this pool: the body runs on the calling
    /// thread (it need not be `Send`), the spawns on this pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::rc::Rc;
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(2).build()?;
    /// let mut v = vec![0; 4];
    /// let local = Rc::new(10); // not `Send`
    /// pool.in_place_scope(|s| {
    ///     for (i, x) in v.iter_mut().enumerate() {
    ///         let base = *local;
    ///         s.spawn(move |_| *x = base + i);
    ///     }
    /// });
    /// assert_eq!(v, [10, 11, 12, 13]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_place_scope<'scope, OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce(&Scope<'scope>) -> R,
    {
        self.handle.in_place_scope(op)
    }

    /// [`in_place_scope_fifo`] on this pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
    /// let order = std::sync::Mutex::new(Vec::new());
    /// let here = std::cell::Cell::new(0); // not `Sync`: the body stays here
    /// pool.in_place_scope_fifo(|s| {
    ///     for i in 0..3 {
    ///         let order = &order;
    ///         here.set(here.get() + 1);
    ///         s.spawn_fifo(move |_| order.lock().unwrap().push(i));
    ///     }
    /// });
    /// assert_eq!(order.into_inner()?, [0, 1, 2]);
    /// assert_eq!(here.get(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_place_scope_fifo<'scope, OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce(&ScopeFifo<'scope>) -> R,
    {
        self.handle
            .in_place_scope(|scope| ScopeFifo::run(scope, op))
    }

    /// [`spawn_fifo`] on this pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// for i in 0..3 {
    ///     let tx = tx.clone();
    ///     pool.spawn_fifo(move || tx.send(i).unwrap());
    /// }
    /// drop(tx);
    /// assert_eq!(rx.iter().collect::<Vec<_>>(), [0, 1, 2]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn_fifo<F>(&self, f: F)
    where
        F: FnOnce() + Send + 'static,
    {
        threads::spawn_fifo_on(&self.handle, &self.info, f);
    }

    /// [`yield_now`] for this pool: `None` unless the calling thread is one
    /// of its threads.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::{ThreadPoolBuilder, Yield};
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
    /// assert_eq!(pool.yield_now(), None);
    /// assert_eq!(pool.install(|| pool.yield_now()), Some(Yield::Idle));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn yield_now(&self) -> Option<Yield> {
        self.handle.yield_now()
    }

    /// [`yield_local`] for this pool: `None` unless the calling thread is
    /// one of its threads.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::{ThreadPoolBuilder, Yield};
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
    /// assert_eq!(pool.yield_local(), None);
    /// let (first, _) = pool.join(|| pool.yield_local(), || ());
    /// assert_eq!(first, Some(Yield::Executed)); // it ran the second closure
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn yield_local(&self) -> Option<Yield> {
        self.handle.yield_local()
    }

    /// The core pool's handle, for `par_map_in` and the core API.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(2).build()?;
    /// let squares: Vec<u32> = (1..4_u32).par_map_in(pool.handle(), |n| n * n).collect();
    /// assert_eq!(squares, [1, 4, 9]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle(&self) -> &PoolHandle {
        &self.handle
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        threads::run_exit_handlers(&self.handle, &self.info);
        // A thread adopted with `use_current_thread` stops being one of the
        // pool's, if the pool is dropped there.
        self.handle.release_current_thread();
        self.handle.shutdown();
    }
}

impl fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("num_threads", &self.current_num_threads())
            .finish()
    }
}

/// Runs `a` and `b`, potentially in parallel, on the current pool, and
/// returns both results; rayon's `join`. A thread waiting for the other
/// half runs other jobs meanwhile, so nested `join`s never deadlock, even
/// on one thread.
///
/// # Panics
///
/// If either closure panics, the panic is resumed once both have finished.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::join;
///
/// fn fib(n: u64) -> u64 {
///     if n < 2 {
///         return n;
///     }
///     let (a, b) = join(|| fib(n - 1), || fib(n - 2));
///     a + b
/// }
/// assert_eq!(fib(20), 6765);
/// ```
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    with_current_pool(|pool| pool.join(a, b))
}

/// Creates a scope on the current pool in which jobs that borrow from the
/// enclosing stack frame can be spawned; returns once all have finished.
/// rayon's `scope`.
///
/// # Panics
///
/// Resumes the first panic among the body and the jobs, once all finished.
///
/// # Examples
///
/// ```
/// use std::sync::Mutex;
/// use threadpool_rayon_compat::scope;
///
/// let words = ["a", "bb", "ccc"];
/// let lengths = Mutex::new(Vec::new());
/// scope(|s| {
///     for word in &words {
///         let lengths = &lengths;
///         s.spawn(move |_| lengths.lock().unwrap().push(word.len()));
///     }
/// });
/// let mut lengths = lengths.into_inner().unwrap();
/// lengths.sort();
/// assert_eq!(lengths, [1, 2, 3]);
/// ```
pub fn scope<'scope, OP, R>(op: OP) -> R
where
    OP: FnOnce(&Scope<'scope>) -> R + Send,
    R: Send,
{
    with_current_pool(|pool| pool.scope(op))
}

/// Runs `f` on the current pool, in the background; rayon's `spawn`.
///
/// # Examples
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// threadpool_rayon_compat::spawn(move || tx.send("done").unwrap());
/// assert_eq!(rx.recv().unwrap(), "done");
/// ```
pub fn spawn<F>(f: F)
where
    F: FnOnce() + Send + 'static,
{
    let info = global::current_pool_info();
    with_current_pool(|pool| threads::spawn_on(pool, &info, f));
}

/// Where a closure of [`join_context`] runs: whether it migrated, that is
/// runs on another thread than the one that called `join_context`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::{ThreadPoolBuilder, join_context};
///
/// // Called from outside the pool, both closures run on its workers.
/// assert_eq!(join_context(|a| a.migrated(), |b| b.migrated()), (true, true));
/// // Called from a worker, the first runs in place.
/// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
/// assert_eq!(pool.install(|| join_context(|a| a.migrated(), |b| b.migrated())), (false, false));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FnContext {
    migrated: bool,
}

impl FnContext {
    /// Whether the closure runs on another thread than the caller's.
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = threadpool_rayon_compat::ThreadPoolBuilder::new().num_threads(1).build()?;
    /// let (migrated, _) = pool.install(|| threadpool_rayon_compat::join_context(|ctx| ctx.migrated(), |_| ()));
    /// assert!(!migrated);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn migrated(&self) -> bool {
        self.migrated
    }
}

/// [`join`], with each closure told whether it migrated to another thread;
/// rayon's `join_context`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::join_context;
///
/// let (x, y) = join_context(|_| 1 + 1, |ctx| if ctx.migrated() { 2 } else { 2 });
/// assert_eq!((x, y), (2, 2));
/// ```
pub fn join_context<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce(FnContext) -> RA + Send,
    B: FnOnce(FnContext) -> RB + Send,
    RA: Send,
    RB: Send,
{
    // As in rayon, a closure run by another thread than the caller's
    // migrated: both do when the caller is not a worker of the pool.
    let caller = std::thread::current().id();
    let context = move || FnContext {
        migrated: std::thread::current().id() != caller,
    };
    with_current_pool(|pool| pool.install(|| pool.join(|| a(context()), || b(context()))))
}

/// [`scope`] whose jobs, spawned with
/// [`ScopeFifo::spawn_fifo`], start in the order they were spawned;
/// rayon's `scope_fifo`.
///
/// # Examples
///
/// ```
/// use std::sync::Mutex;
///
/// let seen = Mutex::new(Vec::new());
/// threadpool_rayon_compat::scope_fifo(|s| {
///     for i in 0..4 {
///         let seen = &seen;
///         s.spawn_fifo(move |_| seen.lock().unwrap().push(i));
///     }
/// });
/// let mut seen = seen.into_inner().unwrap();
/// seen.sort();
/// assert_eq!(seen, [0, 1, 2, 3]);
/// ```
pub fn scope_fifo<'scope, OP, R>(op: OP) -> R
where
    OP: FnOnce(&ScopeFifo<'scope>) -> R + Send,
    R: Send,
{
    with_current_pool(|pool| pool.scope(|scope| ScopeFifo::run(scope, op)))
}

/// rayon's `in_place_scope`: a [`scope`] on the current pool whose body
/// runs on the calling thread, so it need not be `Send`; its spawned jobs
/// run on the pool (the current one: inside a pool's work that pool,
/// elsewhere the global pool). Returns once every job has finished.
///
/// # Panics
///
/// Resumes the first panic among the jobs, else the body's, once all
/// finished.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
///
/// let mut total = 0;
/// let shared = Rc::new(10); // not `Send`: the body stays on this thread
/// threadpool_rayon_compat::in_place_scope(|s| {
///     let (base, total) = (*shared, &mut total);
///     s.spawn(move |_| *total = base + (1..=10).sum::<i32>());
/// });
/// assert_eq!(total, 65);
/// ```
pub fn in_place_scope<'scope, OP, R>(op: OP) -> R
where
    OP: FnOnce(&Scope<'scope>) -> R,
{
    with_current_pool(|pool| pool.in_place_scope(op))
}

/// rayon's `in_place_scope_fifo`: a [`scope_fifo`] on the current pool
/// whose body runs on the calling thread, as for [`in_place_scope`].
///
/// # Examples
///
/// ```
/// let mut x = 0;
/// let here = std::rc::Rc::new(7);
/// threadpool_rayon_compat::in_place_scope_fifo(|s| {
///     let (seven, x) = (*here, &mut x);
///     s.spawn_fifo(move |_| *x = seven)
/// });
/// assert_eq!(x, 7);
/// ```
pub fn in_place_scope_fifo<'scope, OP, R>(op: OP) -> R
where
    OP: FnOnce(&ScopeFifo<'scope>) -> R,
{
    with_current_pool(|pool| pool.in_place_scope(|scope| ScopeFifo::run(scope, op)))
}

/// [`spawn`], with jobs spawned this way onto a pool starting in the order
/// they were spawned; rayon's `spawn_fifo`.
///
/// # Examples
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// threadpool_rayon_compat::spawn_fifo(move || tx.send("fifo").unwrap());
/// assert_eq!(rx.recv().unwrap(), "fifo");
/// ```
pub fn spawn_fifo<F>(f: F)
where
    F: FnOnce() + Send + 'static,
{
    let info = global::current_pool_info();
    with_current_pool(|pool| threads::spawn_fifo_on(pool, &info, f));
}

/// Where a closure of a broadcast runs: the worker's index and the number
/// of workers.
///
/// # Examples
///
/// ```
/// let contexts = threadpool_rayon_compat::broadcast(|ctx| (ctx.index(), ctx.num_threads()));
/// assert!(contexts.iter().enumerate().all(|(i, c)| *c == (i, contexts.len())));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct BroadcastContext<'a> {
    index: usize,
    num_threads: usize,
    marker: std::marker::PhantomData<&'a ()>,
}

impl BroadcastContext<'_> {
    /// The index of the worker running the closure.
    ///
    /// # Examples
    ///
    /// ```
    /// let v = threadpool_rayon_compat::broadcast(|ctx| ctx.index());
    /// assert_eq!(v, (0..v.len()).collect::<Vec<_>>());
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// The number of workers the broadcast runs on.
    ///
    /// # Examples
    ///
    /// ```
    /// let v = threadpool_rayon_compat::broadcast(|ctx| ctx.num_threads());
    /// assert!(v.iter().all(|n| *n == v.len()));
    /// ```
    pub fn num_threads(&self) -> usize {
        self.num_threads
    }
}

/// Runs `op` once on every worker of the current pool, returning the
/// results by worker index; rayon's `broadcast`. Each worker runs `op` when
/// it next looks for work (also while it waits for work of its own), not
/// necessarily all at once; the caller, if a worker, runs other jobs while
/// it waits. So it may be called from inside parallel work, or from inside
/// another broadcast's `op`.
///
/// # Examples
///
/// ```
/// let threads = threadpool_rayon_compat::broadcast(|_| std::thread::current().id());
/// assert_eq!(threads.len(), threadpool_rayon_compat::current_num_threads());
/// ```
pub fn broadcast<OP, R>(op: OP) -> Vec<R>
where
    OP: Fn(BroadcastContext<'_>) -> R + Sync,
    R: Send,
{
    with_current_pool(|pool| {
        let workers = pool.workers();
        threads::broadcast_on(pool, workers, |index| {
            op(BroadcastContext {
                index,
                num_threads: workers,
                marker: std::marker::PhantomData,
            })
        })
    })
}

/// The index of the calling thread in its pool (`0..current_num_threads()`)
/// if it is a worker of a pool of this crate; rayon's
/// `current_thread_index`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::{ThreadPoolBuilder, current_thread_index};
///
/// assert_eq!(current_thread_index(), None);
/// let pool = ThreadPoolBuilder::new().num_threads(2).build()?;
/// assert!(pool.install(current_thread_index).is_some_and(|i| i < 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn current_thread_index() -> Option<usize> {
    threads::worker_index()
}

/// Whether the calling thread, a thread of a pool, has jobs of its own
/// queued (its spawns, the second halves of its `join`s); `None` if it is
/// no thread of a pool. A snapshot: other threads may steal them at any
/// moment. rayon's `current_thread_has_pending_tasks`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::{ThreadPoolBuilder, current_thread_has_pending_tasks, join};
///
/// assert_eq!(current_thread_has_pending_tasks(), None);
/// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
/// let (pending, ()) = pool.install(|| join(current_thread_has_pending_tasks, || ()));
/// assert_eq!(pending, Some(true));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn current_thread_has_pending_tasks() -> Option<bool> {
    PoolHandle::with_current(|pool| pool.and_then(PoolHandle::current_thread_has_pending_tasks))
}

/// Runs one pending job of the current thread's pool, if there is one;
/// rayon's `yield_now`. First the thread's own newest job (the second
/// halves of its running `join`s count), else one from the pool's queue
/// or another thread. Returns `Some(Yield::Executed)` if a job ran,
/// `Some(Yield::Idle)` if none was pending, `None` if the calling thread
/// is no thread of a pool. It does not yield the OS thread: a polling
/// loop may want `std::thread::yield_now` too when it gets `Idle`.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use threadpool_rayon_compat::{ThreadPoolBuilder, Yield, yield_now};
///
/// assert_eq!(yield_now(), None); // not on a pool thread
/// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
/// let ran = AtomicBool::new(false);
/// pool.scope(|s| {
///     s.spawn(|_| ran.store(true, Ordering::SeqCst));
///     assert_eq!(yield_now(), Some(Yield::Executed)); // ran the spawn
///     assert!(ran.load(Ordering::SeqCst));
/// });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn yield_now() -> Option<Yield> {
    PoolHandle::with_current(|pool| pool.and_then(PoolHandle::yield_now))
}

/// [`yield_now`] limited to the calling thread's own jobs: it takes
/// nothing from the pool's queue or other threads; rayon's `yield_local`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::{ThreadPoolBuilder, Yield, join, yield_local};
///
/// assert_eq!(yield_local(), None);
/// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
/// let (first, second) = pool.install(|| join(yield_local, || 2));
/// assert_eq!((first, second), (Some(Yield::Executed), 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn yield_local() -> Option<Yield> {
    PoolHandle::with_current(|pool| pool.and_then(PoolHandle::yield_local))
}

/// Runs `op` once on every worker of the current pool, in the background;
/// rayon's `spawn_broadcast`.
///
/// # Examples
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// let tx = std::sync::Mutex::new(tx);
/// threadpool_rayon_compat::spawn_broadcast(move |ctx| tx.lock().unwrap().send(ctx.num_threads()).unwrap());
/// let n = rx.recv().unwrap();
/// assert_eq!(n, threadpool_rayon_compat::current_num_threads());
/// ```
pub fn spawn_broadcast<OP>(op: OP)
where
    OP: Fn(BroadcastContext<'_>) + Send + Sync + 'static,
{
    let info = global::current_pool_info();
    with_current_pool(|pool| spawn_broadcast_on(pool, &info, op));
}

/// `spawn_broadcast` on `pool` with the settings `info`.
fn spawn_broadcast_on<OP>(pool: &PoolHandle, info: &Arc<PoolInfo>, op: OP)
where
    OP: Fn(BroadcastContext<'_>) + Send + Sync + 'static,
{
    threads::spawn_broadcast_on(pool, info, move |index, num_threads| {
        op(broadcast_context(index, num_threads));
    });
}

/// The context of a broadcast closure running on worker `index` of
/// `num_threads`.
pub(crate) fn broadcast_context(index: usize, num_threads: usize) -> BroadcastContext<'static> {
    BroadcastContext {
        index,
        num_threads,
        marker: std::marker::PhantomData,
    }
}
