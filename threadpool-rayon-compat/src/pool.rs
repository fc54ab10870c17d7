//! [`ThreadPool`] and [`ThreadPoolBuilder`] with rayon's names, and the
//! free functions [`join`], [`scope`] and [`spawn`] on the current pool.

use std::error::Error;
use std::fmt;

use threadpool_core::{PoolHandle, Scope, SpawnError};

use crate::global::{self, with_current_pool};

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
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ThreadPoolBuilder {
    num_threads: usize,
    stack_size: Option<usize>,
}

impl ThreadPoolBuilder {
    /// Default settings: one thread per available core.
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

    /// The number of worker threads; 0 (the default) means one per
    /// available core.
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

    fn core_builder(&self, name: &str) -> threadpool_core::ThreadPoolBuilder {
        let mut builder = threadpool_core::ThreadPoolBuilder::new().thread_name(name);
        if self.num_threads > 0 {
            builder = builder.num_workers(self.num_threads);
        }
        if let Some(bytes) = self.stack_size {
            builder = builder.stack_size(bytes);
        }
        builder
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
        let handle = self
            .core_builder("compat")
            .build_handle()
            .map_err(|err| ThreadPoolBuildError::new(ErrorKind::Spawn(err)))?;
        Ok(ThreadPool { handle })
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
        let handle = self
            .core_builder("compat-global")
            .build_handle()
            .map_err(|err| ThreadPoolBuildError::new(ErrorKind::Spawn(err)))?;
        global::set_global_pool(handle).map_err(|handle| {
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
    Spawn(SpawnError),
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
            ErrorKind::Spawn(_) => f.write_str("could not start the pool's worker threads"),
        }
    }
}

impl Error for ThreadPoolBuildError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.kind {
            ErrorKind::GlobalPoolAlreadyInitialized => None,
            ErrorKind::Spawn(err) => Some(err),
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
        self.handle.spawn(f);
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
    with_current_pool(|pool| pool.spawn(f));
}
