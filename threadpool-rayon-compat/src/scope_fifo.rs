//! [`ScopeFifo`]: a scope whose jobs start in the order they were spawned.
//!
//! The core scope runs a worker's own jobs newest first. A FIFO scope keeps
//! its closures in a queue of its own and spawns, for each, a core job that
//! runs whichever closure is oldest in the queue; so closures start in
//! spawn order, whichever thread runs them.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError};

use threadpool_core::Scope;

/// A queued `spawn_fifo` closure of a scope.
type FifoJob<'scope> = Box<dyn FnOnce(&ScopeFifo<'scope>) + Send + 'scope>;

/// A scope whose spawned jobs start first-in, first-out: rayon's
/// `ScopeFifo`, from [`scope_fifo`](crate::scope_fifo).
///
/// # Examples
///
/// ```
/// use std::sync::Mutex;
/// use threadpool_rayon_compat::ThreadPoolBuilder;
///
/// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
/// let order = Mutex::new(Vec::new());
/// pool.scope_fifo(|s| {
///     for i in 0..5 {
///         let order = &order;
///         s.spawn_fifo(move |_| order.lock().unwrap().push(i));
///     }
/// });
/// assert_eq!(order.into_inner()?, [0, 1, 2, 3, 4]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ScopeFifo<'scope> {
    /// The core scope this one spawns into; valid while any of its jobs
    /// or its body runs (the core scope outlives them all).
    scope: *const Scope<'scope>,
    queue: Arc<Mutex<VecDeque<FifoJob<'scope>>>>,
    marker: PhantomData<fn(&'scope ()) -> &'scope ()>,
}

// SAFETY: the only non-thread-safe part is the pointer to the core
// `Scope`, which is `Sync` and is only dereferenced while it is alive (see
// `scope`); the queue is an `Arc<Mutex<..>>` of `Send` closures.
unsafe impl Send for ScopeFifo<'_> {}
// SAFETY: as above; every method takes `&self` and locks the queue.
unsafe impl Sync for ScopeFifo<'_> {}

impl<'scope> ScopeFifo<'scope> {
    /// Runs `op` with a FIFO scope on top of the core scope `scope`.
    pub(crate) fn run<R>(scope: &Scope<'scope>, op: impl FnOnce(&ScopeFifo<'scope>) -> R) -> R {
        let fifo = ScopeFifo {
            scope,
            queue: Arc::new(Mutex::new(VecDeque::new())),
            marker: PhantomData,
        };
        op(&fifo)
    }

    fn scope(&self) -> &Scope<'scope> {
        // SAFETY: a `ScopeFifo` exists only inside the body of its core
        // scope (`run`) or inside one of that scope's jobs (`spawn_fifo`),
        // and the core scope outlives both: it waits for all its jobs.
        unsafe { &*self.scope }
    }

    /// Spawns a job that may borrow anything that outlives the scope; jobs
    /// of this scope start in the order they were spawned.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    ///
    /// let count = AtomicUsize::new(0);
    /// threadpool_rayon_compat::scope_fifo(|s| {
    ///     for _ in 0..10 {
    ///         s.spawn_fifo(|_| {
    ///             count.fetch_add(1, Ordering::Relaxed);
    ///         });
    ///     }
    /// });
    /// assert_eq!(count.into_inner(), 10);
    /// ```
    pub fn spawn_fifo<BODY>(&self, body: BODY)
    where
        BODY: FnOnce(&ScopeFifo<'scope>) + Send + 'scope,
    {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(Box::new(body));
        let queue = Arc::clone(&self.queue);
        self.scope().spawn(move |scope| {
            let oldest = queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop_front();
            if let Some(oldest) = oldest {
                let fifo = ScopeFifo {
                    scope,
                    queue,
                    marker: PhantomData,
                };
                oldest(&fifo);
            }
        });
    }
}

impl<'scope> ScopeFifo<'scope> {
    /// Runs `body` once on every worker of the pool, as jobs of this scope
    /// (the scope ends after them); rayon's `ScopeFifo::spawn_broadcast`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use threadpool_rayon_compat::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().num_threads(3).build()?;
    /// let calls = AtomicUsize::new(0);
    /// pool.scope_fifo(|s| s.spawn_broadcast(|_, _| { calls.fetch_add(1, Ordering::Relaxed); }));
    /// assert_eq!(calls.into_inner(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn_broadcast<BODY>(&self, body: BODY)
    where
        BODY: Fn(&ScopeFifo<'scope>, crate::BroadcastContext<'_>) + Send + Sync + 'scope,
    {
        // One job of the scope sends the calls to the workers and waits
        // for them, running other work meanwhile.
        let pool = crate::global::current_pool();
        self.spawn_fifo(move |scope| {
            let num_threads = pool.workers();
            crate::threads::broadcast_on(&pool, num_threads, |index| {
                body(scope, crate::pool::broadcast_context(index, num_threads));
            });
        });
    }
}

/// rayon's `Scope::spawn_broadcast`, for the core pool's [`Scope`]: in the
/// prelude, so `scope.spawn_broadcast(...)` reads as with rayon.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use threadpool_rayon_compat::ThreadPoolBuilder;
/// use threadpool_rayon_compat::prelude::*;
///
/// let pool = ThreadPoolBuilder::new().num_threads(2).build()?;
/// let calls = AtomicUsize::new(0);
/// pool.scope(|s| s.spawn_broadcast(|_, ctx| { calls.fetch_add(ctx.num_threads(), Ordering::Relaxed); }));
/// assert_eq!(calls.into_inner(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait ScopeSpawnBroadcast<'scope> {
    /// Runs `body` once on every worker of the pool, as jobs of this scope.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let indices = Mutex::new(Vec::new());
    /// threadpool_rayon_compat::scope(|s| s.spawn_broadcast(|_, ctx| indices.lock().unwrap().push(ctx.index())));
    /// let mut indices = indices.into_inner().unwrap();
    /// indices.sort();
    /// assert_eq!(indices, (0..threadpool_rayon_compat::current_num_threads()).collect::<Vec<_>>());
    /// ```
    fn spawn_broadcast<BODY>(&self, body: BODY)
    where
        BODY: Fn(&Scope<'scope>, crate::BroadcastContext<'_>) + Send + Sync + 'scope;
}

impl<'scope> ScopeSpawnBroadcast<'scope> for Scope<'scope> {
    fn spawn_broadcast<BODY>(&self, body: BODY)
    where
        BODY: Fn(&Scope<'scope>, crate::BroadcastContext<'_>) + Send + Sync + 'scope,
    {
        // One job of the scope sends the calls to the workers and waits
        // for them, running other work meanwhile.
        let pool = crate::global::current_pool();
        self.spawn(move |scope| {
            let num_threads = pool.workers();
            crate::threads::broadcast_on(&pool, num_threads, |index| {
                body(scope, crate::pool::broadcast_context(index, num_threads));
            });
        });
    }
}

impl std::fmt::Debug for ScopeFifo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScopeFifo").finish_non_exhaustive()
    }
}
