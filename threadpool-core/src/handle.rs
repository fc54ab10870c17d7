//! [`PoolHandle`]: the pool as seen from other threads and from jobs.

use std::fmt;
use std::time::{Duration, Instant};

use crate::error::{PutError, PutErrorKind, Refused, SpawnError};
use crate::id::RequestId;
use crate::registry::{ChosenId, PutMode, Shared};
use crate::request::{SendCallbacks, SendWorkRequest};
use crate::stats::PoolStats;
use crate::sync::{Arc, Ordering, lock};
use crate::task::{Envelope, Job};

/// A cloneable, `Send + Sync` handle to a [`ThreadPool`](crate::ThreadPool).
///
/// Other threads, and jobs running in the pool, use it to put requests
/// (whose callbacks still run on the thread that polls the pool), spawn
/// fire-and-forget jobs, fork-join, and resize the pool. A job that puts or
/// spawns through it pushes onto its own worker's deque, where idle workers
/// steal from.
///
/// Its puts are those of the pool: `put_request` and its variants return a
/// [`PutError`] (`?` works with it), and [`offer`](Self::offer) and
/// [`offer_timeout`](Self::offer_timeout) hand a refused request back. Once
/// the pool is dropped or shut down, puts return [`PutErrorKind::ShutDown`].
///
/// # Examples
///
/// ```
/// use threadpool_core::{SendWorkRequest, ThreadPool};
///
/// let mut pool = ThreadPool::new(2)?;
/// let handle = pool.handle();
/// let producer = std::thread::spawn(move || {
///     for n in 0..10_u64 {
///         handle.put_request(SendWorkRequest::new(move || n * 2)).unwrap();
///     }
/// });
/// producer.join().unwrap();
/// pool.wait()?;
/// assert_eq!(pool.stats().completed, 10);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
// `transparent`: `with_current` lends a worker's `&Arc<Shared>` as a
// `&PoolHandle`.
#[repr(transparent)]
pub struct PoolHandle {
    pub(crate) shared: Arc<Shared>,
}

impl PoolHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        PoolHandle { shared }
    }

    /// The handle that `shared` is, without cloning it.
    pub(crate) fn lend(shared: &Arc<Shared>) -> &PoolHandle {
        // SAFETY: `PoolHandle` is `repr(transparent)` over its only field,
        // an `Arc<Shared>`, so the two have the same layout; the reference
        // keeps the borrow's lifetime.
        unsafe { &*std::ptr::from_ref(shared).cast::<PoolHandle>() }
    }

    /// Puts a request, blocking while a bounded request queue is full.
    ///
    /// Called from a job of this pool, the worker runs queued jobs while it
    /// waits, as a `join` does (so a job that puts into a full queue cannot
    /// wait for its own worker). Called from a thread outside the pool, it
    /// also waits while a bounded result queue holds its bound of unpolled
    /// results, until the polling thread polls: see
    /// [`ThreadPoolBuilder::result_queue_size`](crate::ThreadPoolBuilder::result_queue_size)
    /// for the one way that can hang, and its remedy.
    ///
    /// # Errors
    ///
    /// A [`PutError`] that says why, and drops the request: `DuplicateId`,
    /// `NoWorkersAvailable` (queue full, no workers when the put started),
    /// `ShutDown`, `NoPoller` (a pool made by `build_handle`), or
    /// `WrongState` (its callbacks take another state than the pool's).
    /// [`offer_timeout`](Self::offer_timeout) hands the request back instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{SendWorkRequest, ThreadPool};
    ///
    /// let mut pool = ThreadPool::new(1)?;
    /// let id = pool.handle().put_request(SendWorkRequest::new(|| ()).with_id(1))?;
    /// assert_eq!(id.chosen(), Some(1));
    /// pool.wait()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn put_request<T: Send + 'static>(
        &self,
        request: SendWorkRequest<T>,
    ) -> Result<RequestId, PutError> {
        self.put(request, PutMode::Block).map_err(PutError::from)
    }

    /// Like [`put_request`](Self::put_request), giving up after `timeout`.
    ///
    /// # Errors
    ///
    /// As `put_request`, plus `Timeout`: the request queue stayed full, or
    /// (from a thread outside the pool) the result queue stayed at its
    /// bound, until the timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadpool_core::{PutErrorKind, SendWorkRequest, ThreadPool};
    ///
    /// let (tx, rx) = std::sync::mpsc::channel::<()>();
    /// let mut pool = ThreadPool::builder().num_workers(1).queue_size(1).build()?;
    /// let handle = pool.handle();
    /// handle.put_request(SendWorkRequest::new(move || rx.recv().unwrap()))?;
    /// # while pool.stats().running == 0 { std::thread::yield_now(); }
    /// handle.put_request(SendWorkRequest::new(|| ()))?;
    /// let err = handle.put_request_timeout(SendWorkRequest::new(|| ()), Duration::ZERO).unwrap_err();
    /// assert_eq!(err.kind(), PutErrorKind::Timeout);
    /// tx.send(())?;
    /// pool.wait()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn put_request_timeout<T: Send + 'static>(
        &self,
        request: SendWorkRequest<T>,
        timeout: Duration,
    ) -> Result<RequestId, PutError> {
        self.offer_timeout(request, timeout).map_err(PutError::from)
    }

    /// Like [`put_request`](Self::put_request), but never blocks.
    ///
    /// # Errors
    ///
    /// As `put_request`, plus `Full`: the request queue is full, or (from a
    /// thread outside the pool) the result queue is at its bound.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{PutErrorKind, SendWorkRequest, ThreadPool};
    ///
    /// let pool = ThreadPool::builder().num_workers(0).queue_size(1).build()?;
    /// let handle = pool.handle();
    /// handle.try_put_request(SendWorkRequest::new(|| ()))?;
    /// let err = handle.try_put_request(SendWorkRequest::new(|| ())).unwrap_err();
    /// assert_eq!(err.kind(), PutErrorKind::Full);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn try_put_request<T: Send + 'static>(
        &self,
        request: SendWorkRequest<T>,
    ) -> Result<RequestId, PutError> {
        self.offer(request).map_err(PutError::from)
    }

    /// Like [`try_put_request`](Self::try_put_request) (never blocks), but
    /// a refused request comes back inside the [`Refused`], untouched.
    ///
    /// # Errors
    ///
    /// [`Refused`], with the request and the reason.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{PutErrorKind, SendWorkRequest, ThreadPool};
    ///
    /// let pool = ThreadPool::builder().num_workers(0).queue_size(1).build()?;
    /// let handle = pool.handle();
    /// handle.try_put_request(SendWorkRequest::new(|| 1))?;
    /// let refused = handle.offer(SendWorkRequest::new(|| 2).with_id(2)).unwrap_err();
    /// assert_eq!(refused.kind(), PutErrorKind::Full);
    /// let again = refused.into_request(); // to put later
    /// assert_eq!(again.id().chosen(), Some(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn offer<T: Send + 'static>(
        &self,
        request: SendWorkRequest<T>,
    ) -> Result<RequestId, Refused<SendWorkRequest<T>>> {
        self.put(request, PutMode::Try)
    }

    /// Like [`put_request_timeout`](Self::put_request_timeout), but a
    /// refused request comes back inside the [`Refused`], untouched.
    /// `Duration::MAX` waits as long as `put_request` does.
    ///
    /// # Errors
    ///
    /// [`Refused`], with the request and the reason.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadpool_core::{PutErrorKind, SendWorkRequest, ThreadPool};
    ///
    /// let pool = ThreadPool::new(1)?;
    /// let handle = pool.handle();
    /// drop(pool);
    /// let refused = handle.offer_timeout(SendWorkRequest::new(|| 1), Duration::MAX).unwrap_err();
    /// assert_eq!(refused.kind(), PutErrorKind::ShutDown);
    /// # drop(refused.into_request());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn offer_timeout<T: Send + 'static>(
        &self,
        request: SendWorkRequest<T>,
        timeout: Duration,
    ) -> Result<RequestId, Refused<SendWorkRequest<T>>> {
        let mode = match Instant::now().checked_add(timeout) {
            Some(deadline) => PutMode::Until(deadline),
            None => PutMode::Block,
        };
        self.put(request, mode)
    }

    fn put<T: Send + 'static>(
        &self,
        request: SendWorkRequest<T>,
        mode: PutMode,
    ) -> Result<RequestId, Refused<SendWorkRequest<T>>> {
        let shared = &self.shared;
        let id = request.id();
        if shared.shutdown.load(Ordering::SeqCst) {
            return Err(Refused::new(PutErrorKind::ShutDown, id, request));
        }
        if !shared.has_poller {
            return Err(Refused::new(PutErrorKind::NoPoller, id, request));
        }
        if let Some(wanted) = request.inner.callbacks.state.map(|wanted| wanted())
            && !shared.accepts_state(wanted)
        {
            let pool = shared.state_name();
            return Err(Refused::wrong_state(id, wanted.name, pool, request));
        }
        let Ok(chosen) = ChosenId::register(shared, id) else {
            return Err(Refused::new(PutErrorKind::DuplicateId, id, request));
        };
        // Room in the result queue first, so that no token of the request
        // queue is held while waiting for the poller.
        if let Err(kind) = shared.wait_for_result_room(mode) {
            return Err(Refused::new(kind, id, request));
        }
        let holds_slot = match shared.acquire_slot(mode) {
            Ok(holds_slot) => holds_slot,
            Err(kind) => return Err(Refused::new(kind, id, request)),
        };
        if let Some(chosen) = chosen {
            chosen.keep();
        }
        if let Some(extras) = &request.inner.callbacks.extras {
            // Where its progress goes (cancel.rs).
            extras.control.bind(id, shared, holds_slot);
        }
        let crate::request::WorkRequest {
            task, callbacks, ..
        } = request.inner;
        // File the callbacks before the job can finish.
        shared.remote_outstanding.fetch_add(1, Ordering::SeqCst);
        lock(&shared.remote).insert(id, SendCallbacks(callbacks));
        shared.submit_remote(Envelope {
            task,
            filed: crate::task::REMOTE,
            holds_slot,
        });
        // SeqCst: pairs with the store in `Shared::shut_down`. Either this
        // load sees the shutdown, or the shutdown's clean-up, which comes
        // after its store, sees the callbacks and the job filed above.
        if shared.shutdown.load(Ordering::SeqCst) {
            // The pool shut down while this request went in: no thread will
            // poll for it, and its callbacks (which may hold a handle, and
            // so the pool) must not wait for ever.
            shared.abandon_remote(id);
        }
        Ok(id)
    }

    /// Runs `job` on a worker, with no result and no callback: the pool's
    /// counterpart of `std::thread::spawn` for short jobs. A panic is
    /// reported on stderr and does not affect the pool. After the pool has
    /// shut down, the job is dropped unrun.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1)?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pool.handle().spawn(move || tx.send(6 * 7).unwrap());
    /// assert_eq!(rx.recv()?, 42);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        if self.is_shut_down() {
            return;
        }
        self.shared.push(Job::spawned(job));
    }

    /// Starts `n` more workers; see [`ThreadPool::create_workers`](crate::ThreadPool::create_workers).
    ///
    /// # Errors
    ///
    /// [`SpawnError`] if a thread could not be started.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(0)?;
    /// pool.handle().create_workers(2)?;
    /// assert_eq!(pool.workers(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_workers(&self, n: usize) -> Result<(), SpawnError> {
        self.shared.create_workers(n)
    }

    /// Dismisses up to `n` workers; see [`ThreadPool::dismiss_workers`](crate::ThreadPool::dismiss_workers).
    /// Called from a job with `join`, it never waits for its own thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2)?;
    /// assert_eq!(pool.handle().dismiss_workers(1, true), 1);
    /// assert_eq!(pool.workers(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dismiss_workers(&self, n: usize, join: bool) -> usize {
        self.shared.dismiss_workers(n, join)
    }

    /// Waits for every dismissed worker to exit.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1)?;
    /// let handle = pool.handle();
    /// handle.dismiss_workers(1, false);
    /// handle.join_all_dismissed_workers();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn join_all_dismissed_workers(&self) {
        self.shared.join_all_dismissed_workers();
    }

    /// The number of workers, not counting dismissed ones still finishing.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// assert_eq!(ThreadPool::new(3)?.handle().workers(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn workers(&self) -> usize {
        self.shared.workers()
    }

    /// A snapshot of the pool's counters.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// assert_eq!(ThreadPool::new(1)?.handle().stats().completed, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stats(&self) -> PoolStats {
        self.shared.stats()
    }

    /// Stops the pool for every user, as dropping its
    /// [`ThreadPool`](crate::ThreadPool) does: workers leave after their
    /// current job; requests not yet started are dropped unrun; fork-join
    /// work already queued still runs. Returns at once.
    ///
    /// This is how a pool made by
    /// [`build_handle`](crate::ThreadPoolBuilder::build_handle) is stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let handle = ThreadPoolBuilder::new().num_workers(2).build_handle()?;
    /// assert_eq!(handle.join(|| 1, || 2), (1, 2));
    /// handle.shutdown();
    /// assert!(handle.is_shut_down());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shutdown(&self) {
        self.shared.shut_down();
    }

    /// Whether the pool was dropped or shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1)?;
    /// let handle = pool.handle();
    /// assert!(!handle.is_shut_down());
    /// drop(pool);
    /// assert!(handle.is_shut_down());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_shut_down(&self) -> bool {
        self.shared.shutdown.load(Ordering::SeqCst)
    }

    /// The pool whose worker the calling thread is, if it is one: what a job
    /// uses to fork or submit onto its own pool without being handed a
    /// handle.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{PoolHandle, ThreadPool};
    ///
    /// assert!(PoolHandle::current().is_none());
    /// let pool = ThreadPool::new(1)?;
    /// let handle = pool.handle();
    /// let inside = handle.install(|| PoolHandle::current().map(|h| h.workers()));
    /// assert_eq!(inside, Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn current() -> Option<PoolHandle> {
        Self::with_current(|current| current.cloned())
    }

    /// Calls `f` with the pool whose worker the calling thread is, if it is
    /// one, without cloning the handle: for code on a hot path, such as a
    /// `join` that looks up its pool every time.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{PoolHandle, ThreadPool};
    ///
    /// let pool = ThreadPool::new(2)?;
    /// let sum = pool.handle().install(|| {
    ///     PoolHandle::with_current(|pool| {
    ///         let (a, b) = pool.expect("on a worker").join(|| 1, || 2);
    ///         a + b
    ///     })
    /// });
    /// assert_eq!(sum, 3);
    /// assert!(PoolHandle::with_current(|pool| pool.is_none()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn with_current<R>(f: impl FnOnce(Option<&PoolHandle>) -> R) -> R {
        crate::worker::with_current_pool(|shared| f(shared.map(PoolHandle::lend)))
    }

    /// Whether the calling thread is one of this pool's workers.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1)?;
    /// let handle = pool.handle();
    /// assert!(!handle.is_worker_thread());
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let inner = handle.clone();
    /// handle.spawn(move || tx.send(inner.is_worker_thread()).unwrap());
    /// assert!(rx.recv()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_worker_thread(&self) -> bool {
        crate::worker::with_current(&self.shared, |current| current.is_some())
    }
}

impl fmt::Debug for PoolHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolHandle")
            .field("workers", &self.workers())
            .field("shut_down", &self.is_shut_down())
            .finish()
    }
}
