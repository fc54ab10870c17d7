//! [`ThreadPool`], its builder, and the polling side: pending callbacks,
//! the pool's state, `poll` and `wait`.

use std::any::Any;
use std::fmt;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use crate::results::ResultReceiver;

use crate::cancel::CancelOutcome;
use crate::error::{PollError, PutError, PutErrorKind, Refused, SpawnError};
use crate::handle::PoolHandle;
use crate::id::RequestId;
use crate::join::{Scope, Worker};
use crate::pending::Pending;
use crate::registry::{ChosenId, Message, PutMode, Shared, ThreadConfig};
use crate::request::{StateType, WorkRequest};
use crate::stats::PoolStats;
use crate::sync::{Arc, Ordering, lock};
use crate::task::{Envelope, REMOTE};

/// A pool of worker threads that runs [`WorkRequest`]s and hands their
/// results to callbacks on the thread that polls it.
///
/// Workers start at once and sleep, using no CPU, while there is no work.
/// Requests go in with [`put_request`](Self::put_request); their callbacks
/// run inside [`poll`](Self::poll) and [`wait`](Self::wait) (and the other
/// calls that wait, such as a `put_request` that waits for room), on the
/// calling thread, never on a worker. The pool can grow and shrink at any
/// time with [`create_workers`](Self::create_workers) and
/// [`dismiss_workers`](Self::dismiss_workers). Other threads put requests
/// and resize the pool through a [`PoolHandle`].
///
/// Callbacks reach the program's data in one of two ways (the guide's
/// section "Where a program's state lives" compares them):
///
/// - they capture it: closures given to `on_result` may borrow locals for
///   `'a`, the pool's first parameter;
/// - the pool holds it: a pool made with [`with_state`](Self::with_state)
///   owns a value of type `S` and hands `&mut S` to the callbacks set with
///   `on_result_with` (from any thread, through a handle, too); between
///   polls, [`state`](Self::state) and [`state_mut`](Self::state_mut) read
///   and change it. Such a pool has nothing borrowed, so it can be a field
///   of an application struct: `ThreadPool<'static, App>`.
///
/// Dropping the pool never blocks: workers finish the job they are running
/// and leave; requests not yet started are dropped unrun, and their
/// callbacks with them. [`shutdown`](Self::shutdown) instead finishes all
/// outstanding work, runs its callbacks and joins the workers.
///
/// # Examples
///
/// ```
/// use threadpool_core::{ThreadPool, make_requests};
///
/// let mut total = 0; // borrowed by the callbacks: declared before the pool
/// let mut pool = ThreadPool::new(4)?;
/// for request in make_requests(|n: u64| n * n, 1..=100, |_id, sq| total += sq) {
///     pool.put_request(request)?;
/// }
/// pool.shutdown()?; // ends the callbacks' borrow of `total`
/// assert_eq!(total, 338_350);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// An application that owns its pool and its state:
///
/// ```
/// use threadpool_core::{ThreadPool, WorkRequest};
///
/// #[derive(Default)]
/// struct Model { sizes: Vec<usize> }
///
/// struct App { pool: ThreadPool<'static, Model>, frames: u64 }
///
/// let mut app = App { pool: ThreadPool::with_state(2, Model::default())?, frames: 0 };
/// for word in ["a", "bb", "ccc"] {
///     app.pool.put_request(
///         WorkRequest::new(move || word.len()).on_result_with(|m: &mut Model, _id, n| m.sizes.push(n)),
///     )?;
/// }
/// while app.pool.outstanding() > 0 {
///     app.pool.poll()?; // once per frame
///     app.frames += 1;
///     println!("frame {}: {} done", app.frames, app.pool.state().sizes.len());
/// #   std::thread::yield_now();
/// }
/// assert_eq!(app.pool.state().sizes.len(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The pool holds callbacks that may not be `Send`, so it stays on the
/// thread that made it:
///
/// ```compile_fail
/// let pool = threadpool_core::ThreadPool::new(1).unwrap();
/// std::thread::spawn(move || drop(pool));
/// ```
pub struct ThreadPool<'a, S: 'static = ()> {
    core: Core<'a>,
    state: S,
}

/// Everything of a pool but its state: what the calls that run callbacks
/// need, so that they can borrow the state beside it.
struct Core<'a> {
    shared: Arc<Shared>,
    /// The messages taken off the result queue and not yet handled.
    results: ResultReceiver,
    /// Rung by producers when this side waits (`results.rs`).
    bell: Receiver<()>,
    /// Callbacks of outstanding requests put through this value.
    pending: Pending<'a>,
    /// Cancellable requests put through this value (`cancel.rs`).
    controlled: crate::cancel::Controlled<'a>,
    /// Puts left before the next look at the result bound's count
    /// (`make_result_room`).
    room_check: u32,
    /// Where this value's requests queue for the workers (`Shared::outbox`).
    outbox: crossbeam_deque::Worker<crate::task::Job>,
}

/// How many of its own puts the polling thread makes between two looks
/// at how many results wait unpolled: the count is written by every
/// worker with every result, so reading it on every put costs a cache
/// miss per put.
const ROOM_CHECK_EVERY: u32 = 8;

impl ThreadPool<'_> {
    /// Starts a pool with `num_workers` workers and unbounded queues.
    ///
    /// `ThreadPool::new(0)` is a pool with no workers: requests queue up and
    /// run once [`create_workers`](Self::create_workers) adds some.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] if a worker thread could not be started, or if
    /// `num_workers` exceeds [`ThreadPoolBuilder::DEFAULT_MAX_WORKERS`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(3)?;
    /// assert_eq!(pool.workers(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(num_workers: usize) -> Result<Self, SpawnError> {
        ThreadPool::builder().num_workers(num_workers).build()
    }

    /// A builder to set the queue bounds, thread names and stack size.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::builder()
    ///     .num_workers(2)
    ///     .queue_size(100)
    ///     .result_queue_size(100)
    ///     .thread_name("crunch")
    ///     .stack_size(4 << 20)
    ///     .build()?;
    /// assert_eq!(pool.workers(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder() -> ThreadPoolBuilder {
        ThreadPoolBuilder::new()
    }
}

impl<S: 'static> ThreadPool<'_, S> {
    /// Starts a pool with `num_workers` workers that holds `state` and
    /// hands it to the callbacks set with `on_result_with`,
    /// `on_exception_with` and `on_ok_with`.
    ///
    /// # Errors
    ///
    /// As [`ThreadPool::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::with_state(2, Vec::<i32>::new())?;
    /// pool.put_request(WorkRequest::new(|| 7).on_result_with(|seen: &mut Vec<i32>, _id, n| seen.push(n)))?;
    /// pool.wait()?;
    /// assert_eq!(pool.state(), &[7]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_state(num_workers: usize, state: S) -> Result<Self, SpawnError> {
        ThreadPool::builder()
            .num_workers(num_workers)
            .build_with_state(state)
    }
}

impl<'a, S: 'static> ThreadPool<'a, S> {
    /// Puts a request into the pool, blocking while a bounded request queue
    /// is full. Returns the request's id.
    ///
    /// While it blocks, it keeps running the callbacks of results as they
    /// arrive. With a bounded result queue, it first runs the callbacks of
    /// waiting results until fewer than the bound wait. Workers never wait
    /// for this thread, so bounding both queues cannot deadlock it (the
    /// hazard the Python module warns about; `tests/liveness.rs`).
    ///
    /// # Errors
    ///
    /// A [`PutError`] that says why, and drops the request:
    /// [`DuplicateId`](PutErrorKind::DuplicateId) if its caller-chosen id is
    /// outstanding; [`NoWorkersAvailable`](PutErrorKind::NoWorkersAvailable)
    /// if the queue is full and the pool has no worker to empty it;
    /// [`ShutDown`](PutErrorKind::ShutDown) after a shutdown through a
    /// handle; [`WrongState`](PutErrorKind::WrongState) if its callbacks take
    /// another state than the pool's. [`offer_timeout`](Self::offer_timeout)
    /// hands the request back instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut count = 0;
    /// let mut pool = ThreadPool::new(1)?;
    /// let id = pool.put_request(WorkRequest::new(|| 1).with_id(10).on_result(|_, v| count += v))?;
    /// assert_eq!(id.chosen(), Some(10));
    /// pool.wait()?;
    /// drop(pool);
    /// assert_eq!(count, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn put_request<T: Send + 'static>(
        &mut self,
        request: impl Into<WorkRequest<'a, T>>,
    ) -> Result<RequestId, PutError> {
        self.core
            .put(request.into(), PutMode::Block, &mut self.state)
            .map_err(PutError::from)
    }

    /// Like [`put_request`](Self::put_request), but gives up when the
    /// bounded request queue stays full for `timeout`.
    ///
    /// # Errors
    ///
    /// As `put_request`, plus [`Timeout`](PutErrorKind::Timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadpool_core::{PutErrorKind, ThreadPool, WorkRequest};
    ///
    /// let (tx, rx) = std::sync::mpsc::channel::<()>();
    /// let mut pool = ThreadPool::builder().num_workers(1).queue_size(1).build()?;
    /// pool.put_request(WorkRequest::new(move || rx.recv().unwrap()))?; // runs, blocks
    /// # while pool.stats().running == 0 { std::thread::yield_now(); }
    /// pool.put_request(WorkRequest::new(|| ()))?; // fills the queue
    /// let err = pool
    ///     .put_request_timeout(WorkRequest::new(|| ()).with_id(3), Duration::from_millis(10))
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "request 3 not queued: the request queue stayed full until the timeout");
    /// tx.send(())?;
    /// pool.wait()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn put_request_timeout<T: Send + 'static>(
        &mut self,
        request: impl Into<WorkRequest<'a, T>>,
        timeout: Duration,
    ) -> Result<RequestId, PutError> {
        self.offer_timeout(request, timeout).map_err(PutError::from)
    }

    /// Like [`put_request`](Self::put_request), but never blocks: the
    /// Python module's `putRequest(request, block=False)`.
    ///
    /// # Errors
    ///
    /// As `put_request`, plus [`Full`](PutErrorKind::Full) when the bounded
    /// request queue is full. [`offer`](Self::offer) hands the request back.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{PutErrorKind, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::builder().num_workers(0).queue_size(2).build()?;
    /// assert!(pool.try_put_request(WorkRequest::new(|| 1)).is_ok());
    /// assert!(pool.try_put_request(WorkRequest::new(|| 2)).is_ok());
    /// let err = pool.try_put_request(WorkRequest::new(|| 3)).unwrap_err();
    /// assert_eq!(err.kind(), PutErrorKind::Full);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn try_put_request<T: Send + 'static>(
        &mut self,
        request: impl Into<WorkRequest<'a, T>>,
    ) -> Result<RequestId, PutError> {
        self.offer(request).map_err(PutError::from)
    }

    /// Like [`try_put_request`](Self::try_put_request) (never blocks), but
    /// a refused request comes back inside the error, untouched, to be put
    /// again later.
    ///
    /// # Errors
    ///
    /// [`Refused`], with the request and the reason, as for
    /// `try_put_request`.
    ///
    /// # Examples
    ///
    /// A producer that keeps its frame loop running while the queue is full:
    ///
    /// ```
    /// use threadpool_core::{PutErrorKind, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::builder().num_workers(2).queue_size(4).build_with_state(0_u32)?;
    /// let mut next = None;
    /// let mut jobs = 0..100_u32;
    /// loop {
    ///     let request = match next.take() {
    ///         Some(request) => request,
    ///         None => match jobs.next() {
    ///             Some(n) => WorkRequest::new(move || n).on_result_with(|done: &mut u32, _, _| *done += 1),
    ///             None => break,
    ///         },
    ///     };
    ///     match pool.offer(request) {
    ///         Ok(_) => {}
    ///         Err(refused) if refused.kind() == PutErrorKind::Full => {
    ///             next = Some(refused.into_request()); // try again next frame
    ///             pool.poll()?;
    /// #           std::thread::yield_now();
    ///         }
    ///         Err(refused) => return Err(refused.error().into()),
    ///     }
    /// }
    /// pool.wait()?;
    /// assert_eq!(*pool.state(), 100);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn offer<T: Send + 'static>(
        &mut self,
        request: impl Into<WorkRequest<'a, T>>,
    ) -> Result<RequestId, Refused<WorkRequest<'a, T>>> {
        self.core.put(request.into(), PutMode::Try, &mut self.state)
    }

    /// Like [`put_request_timeout`](Self::put_request_timeout), but a
    /// refused request comes back inside the error, untouched.
    /// `Duration::MAX` waits as long as `put_request` does.
    ///
    /// # Errors
    ///
    /// [`Refused`], with the request and the reason, as for
    /// `put_request_timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadpool_core::{PutErrorKind, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(0)?;
    /// pool.put_request(WorkRequest::new(|| ()).with_id(1))?;
    /// let refused = pool.offer_timeout(WorkRequest::new(|| ()).with_id(1), Duration::MAX).unwrap_err();
    /// assert_eq!(refused.kind(), PutErrorKind::DuplicateId);
    /// let request = refused.into_request();
    /// # drop(request);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn offer_timeout<T: Send + 'static>(
        &mut self,
        request: impl Into<WorkRequest<'a, T>>,
        timeout: Duration,
    ) -> Result<RequestId, Refused<WorkRequest<'a, T>>> {
        let mode = match Instant::now().checked_add(timeout) {
            Some(deadline) => PutMode::Until(deadline),
            None => PutMode::Block,
        };
        self.core.put(request.into(), mode, &mut self.state)
    }

    /// Puts many requests, waking workers once per batch rather than once
    /// per request. Blocks like [`put_request`](Self::put_request) on a
    /// bounded queue. Returns how many were put.
    ///
    /// Every request the iterator yielded is woken for on every way out,
    /// a panic of the iterator included.
    ///
    /// # Errors
    ///
    /// Stops at the first request refused, and says why; the requests
    /// after it stay in the iterator (pass `iter.by_ref()` to keep them).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::with_state(2, 0_u64)?;
    /// let requests = (0..1000_u64)
    ///     .map(|n| WorkRequest::new(move || n).on_result_with(|sum: &mut u64, _, v| *sum += v));
    /// assert_eq!(pool.put_requests(requests)?, 1000);
    /// pool.wait()?;
    /// assert_eq!(*pool.state(), 499_500);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn put_requests<T: Send + 'static, R: Into<WorkRequest<'a, T>>>(
        &mut self,
        requests: impl IntoIterator<Item = R>,
    ) -> Result<usize, PutError> {
        self.core
            .put_requests(requests.into_iter().map(Into::into), &mut self.state)
    }

    /// Runs the callbacks of every result available now, on this thread,
    /// and returns how many it ran. Never blocks.
    ///
    /// # Errors
    ///
    /// [`PollError::NoResultsPending`] when no request is outstanding.
    ///
    /// # Panics
    ///
    /// A panic of a callback propagates to the caller; the other results
    /// stay queued and the next `poll` delivers them.
    ///
    /// # Examples
    ///
    /// A frame loop polls once per frame and never blocks; between polls,
    /// the state is the caller's:
    ///
    /// ```
    /// use threadpool_core::{PollError, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::with_state(2, 0_u32)?;
    /// for n in 0..8 {
    ///     pool.put_request(WorkRequest::new(move || n).on_result_with(|done: &mut u32, _, _| *done += 1))?;
    /// }
    /// loop {
    ///     // ... draw a frame, showing `pool.state()` ...
    ///     match pool.poll() {
    ///         Ok(_ran) => std::thread::yield_now(),
    ///         Err(PollError::NoResultsPending) => break,
    ///         Err(other) => return Err(other.into()),
    ///     }
    /// }
    /// assert_eq!(*pool.state(), 8);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn poll(&mut self) -> Result<usize, PollError> {
        let ran = self.core.poll(&mut self.state);
        // With a notifier: wake the owner for the next result (notify.rs),
        // also when nothing is outstanding yet.
        let (results, stack) = (&self.core.results, &self.core.shared.results);
        self.core
            .shared
            .notify
            .arm_notifier(|| !results.is_empty(stack));
        ran
    }

    /// Blocks until at least one result arrives, then runs the callbacks of
    /// every result available: the Python module's `poll(block=True)`.
    /// Returns how many callbacks it ran.
    ///
    /// # Errors
    ///
    /// [`PollError::NoResultsPending`] when no request is outstanding;
    /// [`PollError::NoWorkersAvailable`] when requests are outstanding but no
    /// worker thread is left to run them.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.put_request(WorkRequest::new(|| 1))?;
    /// assert!(pool.poll_blocking()? >= 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn poll_blocking(&mut self) -> Result<usize, PollError> {
        self.core.shared.notify.disarm();
        self.core.poll_until(None, &mut self.state)
    }

    /// Like [`poll_blocking`](Self::poll_blocking), but waits at most
    /// `timeout` for the first result.
    ///
    /// # Errors
    ///
    /// As `poll_blocking`, plus [`PollError::Timeout`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadpool_core::{PollError, ThreadPool, WorkRequest};
    ///
    /// let (tx, rx) = std::sync::mpsc::channel::<()>();
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.put_request(WorkRequest::new(move || rx.recv().unwrap()))?;
    /// assert_eq!(pool.poll_timeout(Duration::from_millis(5)), Err(PollError::Timeout));
    /// tx.send(())?;
    /// assert_eq!(pool.poll_timeout(Duration::from_secs(60)), Ok(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn poll_timeout(&mut self, timeout: Duration) -> Result<usize, PollError> {
        self.core.shared.notify.disarm();
        self.core
            .poll_until(Instant::now().checked_add(timeout), &mut self.state)
    }

    /// Processes results until every outstanding request has had its
    /// callback: the Python module's `wait`. If the pool adopted this
    /// thread as a worker
    /// ([`use_current_thread`](ThreadPoolBuilder::use_current_thread)), it
    /// runs queued jobs while it waits, as `poll_blocking` and
    /// `poll_timeout` do.
    ///
    /// # Errors
    ///
    /// [`PollError::NoWorkersAvailable`] when requests are outstanding but no
    /// worker thread is left to run them (create workers, then wait again).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{PollError, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::with_state(0, false)?;
    /// pool.put_request(WorkRequest::new(|| ()).on_result_with(|ran: &mut bool, _, ()| *ran = true))?;
    /// assert_eq!(pool.wait(), Err(PollError::NoWorkersAvailable));
    /// pool.create_workers(1)?;
    /// pool.wait()?;
    /// assert!(*pool.state());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait(&mut self) -> Result<(), PollError> {
        self.core.shared.notify.disarm();
        self.core.wait(&mut self.state)
    }

    /// The pool's state, handed to the `_with` callbacks (`()` for a pool
    /// made with [`new`](Self::new)).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::with_state(0, String::from("ready"))?;
    /// assert_eq!(pool.state(), "ready");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn state(&self) -> &S {
        &self.state
    }

    /// The pool's state, to change between polls.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let mut pool = ThreadPool::with_state(0, Vec::<u32>::new())?;
    /// pool.state_mut().push(1);
    /// let taken = std::mem::take(pool.state_mut()); // the caller's to keep
    /// assert_eq!((taken, pool.state().len()), (vec![1], 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn state_mut(&mut self) -> &mut S {
        &mut self.state
    }

    /// Gives the state back and stops the pool as dropping it does, without
    /// waiting (requests not yet started are dropped unrun). Call
    /// [`wait`](Self::wait) first to finish everything, or
    /// [`shutdown`](Self::shutdown), which also joins the workers.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::with_state(2, 0_u64)?;
    /// for n in 1..=10 {
    ///     pool.put_request(WorkRequest::new(move || n).on_result_with(|sum: &mut u64, _, n| *sum += n))?;
    /// }
    /// pool.wait()?;
    /// assert_eq!(pool.into_state(), 55);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_state(self) -> S {
        let ThreadPool { core, state } = self;
        drop(core);
        state
    }

    /// Requests put and not yet delivered to a callback, through this pool
    /// or its handles.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(0)?;
    /// pool.put_request(WorkRequest::new(|| ()))?;
    /// assert_eq!(pool.outstanding(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn outstanding(&self) -> usize {
        self.core.outstanding()
    }

    /// A handle for other threads (and jobs) to put requests, spawn jobs,
    /// fork-join, and resize the pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1)?;
    /// let handle = pool.handle();
    /// std::thread::spawn(move || handle.create_workers(1)).join().unwrap()?;
    /// assert_eq!(pool.workers(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle(&self) -> PoolHandle {
        PoolHandle::new(Arc::clone(&self.core.shared))
    }

    /// Starts `n` more workers; each starts looking for work at once.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] if a thread could not be started (the workers started
    /// before it keep running, and [`SpawnError::created`] says how many),
    /// if the pool would exceed its
    /// [`max_workers`](ThreadPoolBuilder::max_workers), or if it has shut
    /// down.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.create_workers(3)?;
    /// assert_eq!(pool.workers(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_workers(&mut self, n: usize) -> Result<(), SpawnError> {
        self.core.shared.create_workers(n)
    }

    /// Dismisses up to `n` workers (the newest first) and returns how many.
    ///
    /// Each finishes the job it is running, hands the jobs queued on its own
    /// deque back to the pool, and exits. With `join`, waits for them to
    /// exit (for a thread a [spawn handler](ThreadPoolBuilder::spawn_handler)
    /// started, until its [`ThreadBuilder::run`](crate::ThreadBuilder::run)
    /// has returned); otherwise [`join_all_dismissed_workers`](Self::join_all_dismissed_workers)
    /// does that later. Queued requests are never lost: with every worker
    /// dismissed they wait for [`create_workers`](Self::create_workers).
    ///
    /// While it waits, it runs the callbacks of results that arrive. (No
    /// worker waits for room in the result queue, so the join ends even
    /// when nothing polls, as through [`PoolHandle::dismiss_workers`].)
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let mut pool = ThreadPool::new(3)?;
    /// assert_eq!(pool.dismiss_workers(2, true), 2);
    /// assert_eq!(pool.workers(), 1);
    /// assert_eq!(pool.dismiss_workers(5, false), 1);
    /// assert_eq!(pool.dismissed_workers(), 1);
    /// pool.join_all_dismissed_workers();
    /// assert_eq!((pool.workers(), pool.dismissed_workers()), (0, 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dismiss_workers(&mut self, n: usize, join: bool) -> usize {
        let (dismissed, handles) = self.core.shared.dismiss(n, join);
        self.core.join_draining(handles, &mut self.state);
        dismissed
    }

    /// Waits for every dismissed worker to exit, running the callbacks of
    /// results that arrive meanwhile (see [`dismiss_workers`](Self::dismiss_workers)).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let mut pool = ThreadPool::new(2)?;
    /// pool.dismiss_workers(2, false);
    /// pool.join_all_dismissed_workers();
    /// assert_eq!(pool.dismissed_workers(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn join_all_dismissed_workers(&mut self) {
        let handles = self.core.shared.take_dismissed();
        self.core.join_draining(handles, &mut self.state);
    }

    /// How many dismissed worker threads have not been joined yet: the
    /// length of the Python module's `dismissedWorkers`. Threads a spawn
    /// handler started count too, until they are joined (their `run` has
    /// returned).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let mut pool = ThreadPool::new(3)?;
    /// pool.dismiss_workers(2, false);
    /// assert_eq!(pool.dismissed_workers(), 2);
    /// pool.dismiss_workers(1, true);
    /// assert_eq!(pool.dismissed_workers(), 2);
    /// pool.join_all_dismissed_workers();
    /// assert_eq!(pool.dismissed_workers(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dismissed_workers(&self) -> usize {
        self.core.shared.dismissed_workers()
    }

    /// The number of workers, not counting dismissed ones still finishing.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// assert_eq!(ThreadPool::new(2)?.workers(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn workers(&self) -> usize {
        self.core.shared.workers()
    }

    /// A snapshot of the pool's counters.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(0)?;
    /// pool.put_request(WorkRequest::new(|| ()))?;
    /// assert_eq!(pool.stats().queued, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stats(&self) -> PoolStats {
        self.core.shared.stats()
    }

    /// Finishes every outstanding request (running its callbacks), then
    /// stops and joins all workers, dismissed ones included, and gives the
    /// state back.
    ///
    /// # Errors
    ///
    /// [`PollError::NoWorkersAvailable`] if requests are outstanding and the
    /// pool has no workers: they are dropped unrun, the pool is stopped all
    /// the same, and the state is dropped with it. (To keep the state in
    /// that case, [`wait`](Self::wait) first: it returns the same error and
    /// leaves the pool as it was.)
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest, make_requests};
    ///
    /// let mut results = Vec::new();
    /// let mut pool = ThreadPool::new(2)?;
    /// for request in make_requests(|n: u32| n, 0..5, |_, n| results.push(n)) {
    ///     pool.put_request(request)?;
    /// }
    /// pool.shutdown()?; // ends the callback's borrow
    /// results.sort();
    /// assert_eq!(results, [0, 1, 2, 3, 4]);
    ///
    /// // With the state held by the pool:
    /// let mut pool = ThreadPool::with_state(2, 0_u32)?;
    /// for n in 1..=4 {
    ///     pool.put_request(WorkRequest::new(move || n).on_result_with(|sum: &mut u32, _, n| *sum += n))?;
    /// }
    /// assert_eq!(pool.shutdown()?, 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shutdown(mut self) -> Result<S, PollError> {
        let waited = self.wait();
        self.core.shared.shut_down();
        // Requests put through handles meanwhile may still finish; keep
        // draining so no worker blocks on a full result queue.
        let handles = self.core.shared.take_all_handles();
        self.core.join_draining(handles, &mut self.state);
        waited.map(|()| self.into_state())
    }
}

/// Fork-join and per-worker calls, forwarded to the pool's
/// [`PoolHandle`] (see there for the details): the same as
/// `pool.handle().join(..)` and so on, without cloning a handle.
impl<S: 'static> ThreadPool<'_, S> {
    fn fork_join(&self) -> &PoolHandle {
        PoolHandle::lend(&self.core.shared)
    }

    /// Runs `a` and `b`, potentially in parallel, on the pool's workers,
    /// and returns both results: [`PoolHandle::join`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2)?;
    /// let data = [1, 2, 3, 4];
    /// let (left, right) = pool.join(|| data[..2].iter().sum::<i32>(), || data[2..].iter().sum::<i32>());
    /// assert_eq!((left, right), (3, 7));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn join<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        self.fork_join().join(a, b)
    }

    /// Runs `op` on a worker of the pool and hands it that [`Worker`], for
    /// fork-join code that passes it down: [`PoolHandle::with_worker`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2)?;
    /// let (a, b) = pool.with_worker(|w| w.join(|_| 1 + 1, |_| 2 * 2));
    /// assert_eq!((a, b), (2, 4));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_worker<R, OP>(&self, op: OP) -> R
    where
        OP: FnOnce(Worker<'_>) -> R + Send,
        R: Send,
    {
        self.fork_join().with_worker(op)
    }

    /// Runs `op` on a worker of the pool and returns its result:
    /// [`PoolHandle::install`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1)?;
    /// let handle = pool.handle(); // `ThreadPool` stays on its thread: jobs use a handle
    /// assert!(pool.install(|| handle.is_worker_thread()));
    /// assert!(!handle.is_worker_thread());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn install<R, OP>(&self, op: OP) -> R
    where
        OP: FnOnce() -> R + Send,
        R: Send,
    {
        self.fork_join().install_for("ThreadPool::install", op)
    }

    /// Creates a scope on a worker of the pool whose spawned jobs may borrow
    /// from the caller; returns once they have all finished:
    /// [`PoolHandle::scope`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2)?;
    /// let total = AtomicU32::new(0);
    /// pool.scope(|s| {
    ///     for n in 1..=4 {
    ///         let total = &total;
    ///         s.spawn(move |_| {
    ///             total.fetch_add(n, Ordering::Relaxed);
    ///         });
    ///     }
    /// });
    /// assert_eq!(total.into_inner(), 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scope<'scope, OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce(&Scope<'scope>) -> R + Send,
        R: Send,
    {
        self.fork_join().scope(op)
    }

    /// Creates a scope whose body runs right here, on the pool's own
    /// thread (it need not be `Send`), and whose spawned jobs run on the
    /// workers: [`PoolHandle::in_place_scope`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::rc::Rc;
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2)?;
    /// let label = Rc::new("chunk"); // not `Send`
    /// let mut sums = [0_u64; 4];
    /// pool.in_place_scope(|s| {
    ///     for (i, sum) in sums.iter_mut().enumerate() {
    ///         s.spawn(move |_| *sum = (0..=i as u64 * 10).sum());
    ///     }
    ///     assert_eq!(*label, "chunk");
    /// });
    /// assert_eq!(sums, [0, 55, 210, 465]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_place_scope<'scope, OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce(&Scope<'scope>) -> R,
    {
        self.fork_join().in_place_scope(op)
    }

    /// Runs `op(index)` once on every current worker and returns each
    /// worker's index and result: [`PoolHandle::broadcast`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let mut pool = ThreadPool::new(2)?;
    /// pool.dismiss_workers(1, true);
    /// pool.create_workers(1)?;
    /// let seen = pool.broadcast(|index| index * 10);
    /// assert_eq!(seen, [(0, 0), (2, 20)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn broadcast<R, OP>(&self, op: OP) -> Vec<(usize, R)>
    where
        OP: Fn(usize) -> R + Sync,
        R: Send,
    {
        self.fork_join().broadcast(op)
    }

    /// The indices of the pool's current workers, ascending:
    /// [`PoolHandle::worker_indices`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let mut pool = ThreadPool::new(3)?;
    /// pool.dismiss_workers(1, true);
    /// assert_eq!(pool.worker_indices(), [0, 1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn worker_indices(&self) -> Vec<usize> {
        self.fork_join().worker_indices()
    }

    /// Runs `op(index)` on each worker of `workers`, on its own thread, and
    /// returns the results in that order: [`PoolHandle::run_on_workers`].
    ///
    /// # Errors
    ///
    /// [`UnknownWorker`](crate::UnknownWorker) if no live worker has one
    /// of the indices.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(3)?;
    /// assert_eq!(pool.run_on_workers(&[2, 0], |index| index + 1)?, [3, 1]);
    /// assert!(pool.run_on_workers(&[7], |index| index).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_on_workers<R, OP>(
        &self,
        workers: &[usize],
        op: OP,
    ) -> Result<Vec<R>, crate::UnknownWorker>
    where
        OP: Fn(usize) -> R + Sync,
        R: Send,
    {
        self.fork_join().run_on_workers(workers, op)
    }

    /// Queues `job` for worker `index` alone: [`PoolHandle::spawn_on_worker`].
    ///
    /// # Errors
    ///
    /// [`UnknownWorker`](crate::UnknownWorker) if no live worker has that
    /// index.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2)?;
    /// let handle = pool.handle();
    /// let (tx, rx) = mpsc::channel();
    /// pool.spawn_on_worker(1, move || tx.send(handle.current_thread_index()).unwrap())?;
    /// assert_eq!(rx.recv()?, Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn_on_worker(
        &self,
        index: usize,
        job: impl FnOnce() + Send + 'static,
    ) -> Result<(), crate::UnknownWorker> {
        self.fork_join().spawn_on_worker(index, job)
    }

    /// Runs `job` on some worker, with no result and no callback:
    /// [`PoolHandle::spawn`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadpool_core::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1)?;
    /// let (tx, rx) = mpsc::channel();
    /// pool.spawn(move || tx.send(6 * 7).unwrap());
    /// assert_eq!(rx.recv()?, 42);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        self.fork_join().spawn(job);
    }
}

/// The notifier (`notify.rs`).
impl<S: 'static> ThreadPool<'_, S> {
    /// Sets or replaces the pool's notifier, as
    /// [`ThreadPoolBuilder::notify`] does at build time: for an event loop
    /// whose proxy or context exists only after the pool. The next
    /// [`poll`](Self::poll) arms it. A result that arrives while the old
    /// one is being replaced calls the old one or the new one, once.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(1)?;
    /// let (wake, woken) = mpsc::channel();
    /// pool.set_notifier(move || {
    ///     let _ = wake.send(());
    /// });
    /// let (go, gate) = mpsc::channel::<()>();
    /// pool.put_request(WorkRequest::new(move || gate.recv().unwrap()))?;
    /// pool.poll()?; // nothing ready yet: arms the notifier
    /// go.send(())?;
    /// woken.recv()?; // the event loop's sleep ends with the result
    /// assert_eq!(pool.poll()?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_notifier(&mut self, notifier: impl Fn() + Send + Sync + 'static) {
        let notifier = crate::notify::NotifyFn(std::sync::Arc::new(notifier));
        self.core.shared.notify.set_notifier(Some(notifier));
    }
}

/// What the async calls (`future.rs`) need of the pool.
impl<S: 'static> ThreadPool<'_, S> {
    /// `poll` without arming the notifier: the async call waits itself.
    pub(crate) fn poll_quietly(&mut self) -> Result<usize, PollError> {
        self.core.poll(&mut self.state)
    }

    /// Registers `waker` for the next result; `false` if one is there.
    pub(crate) fn watch_results(&self, waker: &std::task::Waker) -> bool {
        let (results, stack) = (&self.core.results, &self.core.shared.results);
        self.core
            .shared
            .notify
            .watch_results(waker, || !results.is_empty(stack))
    }

    /// Registers `waker` for room in the bounded request queue; `false`
    /// if there is room (or the queue is unbounded).
    pub(crate) fn watch_room(&self, waker: &std::task::Waker) -> bool {
        let Some((slots, _)) = &self.core.shared.slots else {
            return false;
        };
        self.core
            .shared
            .notify
            .watch_room(waker, || !slots.is_full())
    }

    /// No worker is left and no result waits: nothing will ever arrive
    /// (worker/README.md, D3).
    pub(crate) fn no_workers_left(&self) -> bool {
        self.core.shared.alive.load(Ordering::SeqCst) == 0
            && self.core.results.is_empty(&self.core.shared.results)
    }
}

/// Cancellation (`cancel.rs`).
impl<S: 'static> ThreadPool<'_, S> {
    /// Cancels the outstanding cancellable request `id` (one made with
    /// [`WorkRequest::cancellable`], [`with_cancel`](WorkRequest::with_cancel)
    /// or [`with_progress`](WorkRequest::with_progress), put through this
    /// pool or a handle).
    ///
    /// - Not started yet: it is taken out and will never run; its exception
    ///   callback runs now, on this thread, with
    ///   [`Exception::Cancelled`](crate::Exception::Cancelled), its slot of
    ///   a bounded request queue is free again, and
    ///   [`Dequeued`](CancelOutcome::Dequeued) is returned. (Its job, and
    ///   what it captured, are dropped when a worker next comes to it.)
    /// - Running (or finished, its callbacks not run yet): its
    ///   [`CancelToken`](crate::CancelToken) turns cancelled, and a later
    ///   poll reports it with `Exception::Cancelled` instead of its value or
    ///   panic: [`Signalled`](CancelOutcome::Signalled).
    /// - Anything else: [`NotFound`](CancelOutcome::NotFound), and nothing
    ///   changes.
    ///
    /// A cancelled request's result callback never runs, and it is reported
    /// exactly once. The default exception report stays silent for a
    /// cancellation. [`PoolStats::cancelled`] counts them.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{CancelOutcome, ThreadPool, WorkRequest};
    ///
    /// let mut log = Vec::new();
    /// let mut pool = ThreadPool::new(0)?;
    /// let id = pool.put_request(
    ///     WorkRequest::new(|| 1)
    ///         .cancellable()
    ///         .on_result(|_, _| unreachable!())
    ///         .on_exception(|id, exc| log.push(format!("{id}: {exc}"))),
    /// )?;
    /// assert_eq!(pool.cancel(id), CancelOutcome::Dequeued);
    /// assert_eq!(pool.stats().cancelled, 1);
    /// drop(pool);
    /// assert_eq!(log, [format!("{id}: cancelled")]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cancel(&mut self, id: RequestId) -> CancelOutcome {
        self.core.cancel(id, &mut self.state)
    }

    /// Cancels every outstanding cancellable request, as
    /// [`cancel`](Self::cancel) does each; returns how many it reached
    /// (dequeued or signalled).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(0)?;
    /// for n in 0..5 {
    ///     pool.put_request(WorkRequest::new(move || n).cancellable())?;
    /// }
    /// pool.put_request(WorkRequest::new(|| 5))?; // not cancellable
    /// assert_eq!(pool.cancel_all(), 5);
    /// assert_eq!((pool.outstanding(), pool.stats().cancelled), (1, 5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cancel_all(&mut self) -> usize {
        let mut ids = self.core.controlled.ids();
        ids.extend(
            lock(&self.core.shared.remote)
                .iter()
                .filter(|(_, callbacks)| {
                    callbacks
                        .0
                        .extras
                        .as_ref()
                        .is_some_and(|e| !e.control.is_cancelled())
                })
                .map(|(id, _)| *id),
        );
        ids.into_iter()
            .filter(|&id| self.cancel(id) != CancelOutcome::NotFound)
            .count()
    }
}

impl<'a> Core<'a> {
    fn cancel(&mut self, id: RequestId, state: &mut dyn Any) -> CancelOutcome {
        let (outcome, callbacks) = match self.controlled.cancel(id) {
            (CancelOutcome::Dequeued, Some(slot)) => {
                (CancelOutcome::Dequeued, self.pending.remove(slot))
            }
            (CancelOutcome::NotFound, _) => self.cancel_remote(id),
            (outcome, _) => (outcome, None),
        };
        if let Some(callbacks) = callbacks {
            if let Some(chosen) = id.chosen() {
                lock(&self.shared.chosen_ids).remove(&chosen);
            }
            if let Some(extras) = &callbacks.extras
                && extras.control.holds_slot()
            {
                // Its room in the bounded queue is free now; the worker
                // that later drops the job leaves the slot alone.
                self.shared.release_slot();
            }
            self.shared.cancels.count(CancelOutcome::Dequeued);
            callbacks.cancel(state, id);
        }
        outcome
    }

    /// A progress notice of a request put through a handle: its callback
    /// is taken out of the shared table to run with no lock held, and put
    /// back.
    fn remote_progress(&mut self, id: RequestId, state: &mut dyn Any) {
        let taken = lock(&self.shared.remote)
            .get_mut(&id)
            .and_then(|callbacks| callbacks.0.extras.as_mut())
            .filter(|extras| !extras.control.is_cancelled())
            .and_then(|extras| extras.on_progress.take());
        let Some(mut on_progress) = taken else {
            return;
        };
        on_progress(state, id);
        // Only this thread removes the request's entry (delivery, cancel)
        // or, at shutdown, a putter; then the callback just drops.
        let mut remote = lock(&self.shared.remote);
        if let Some(extras) = remote
            .get_mut(&id)
            .and_then(|callbacks| callbacks.0.extras.as_mut())
        {
            extras.on_progress = Some(on_progress);
        } else {
            drop(remote);
            crate::task::drop_quietly(on_progress);
        }
    }

    /// `cancel` for a request put through a handle, whose callbacks wait
    /// in the shared table.
    fn cancel_remote(
        &mut self,
        id: RequestId,
    ) -> (CancelOutcome, Option<crate::request::Callbacks<'a>>) {
        let mut remote = lock(&self.shared.remote);
        let Some(control) = remote
            .get(&id)
            .and_then(|callbacks| callbacks.0.extras.as_ref())
            .map(|extras| Arc::clone(&extras.control))
        else {
            return (CancelOutcome::NotFound, None);
        };
        let outcome = control.cancel();
        if outcome != CancelOutcome::Dequeued {
            return (outcome, None);
        }
        let callbacks = remote.remove(&id).map(|callbacks| callbacks.0);
        drop(remote);
        self.shared
            .remote_outstanding
            .fetch_sub(1, Ordering::SeqCst);
        (outcome, callbacks)
    }

    #[inline]
    fn put<T: Send + 'static>(
        &mut self,
        request: WorkRequest<'a, T>,
        mode: PutMode,
        state: &mut dyn Any,
    ) -> Result<RequestId, Refused<WorkRequest<'a, T>>> {
        let id = request.id;
        let envelope = self.register(request, mode, state)?;
        self.shared.submit_local(&self.outbox, envelope);
        Ok(id)
    }

    fn put_requests<T: Send + 'static>(
        &mut self,
        requests: impl IntoIterator<Item = WorkRequest<'a, T>>,
        state: &mut dyn Any,
    ) -> Result<usize, PutError> {
        /// Wake sleeping workers at least this often during a long batch.
        const WAKE_EVERY: usize = 64;
        /// Wakes workers for the requests pushed and not woken for yet, on
        /// every way out of the loop: an iterator that panics must not
        /// leave requests queued with every worker asleep.
        struct Unwoken<'s> {
            shared: &'s Shared,
            count: usize,
        }
        impl Unwoken<'_> {
            fn wake(&mut self) {
                self.shared
                    .sleep
                    .notify_many(std::mem::take(&mut self.count));
            }
        }
        impl Drop for Unwoken<'_> {
            fn drop(&mut self) {
                self.wake();
            }
        }
        let shared = Arc::clone(&self.shared);
        let mut unwoken = Unwoken {
            shared: &shared,
            count: 0,
        };
        let mut put = 0;
        let bounded = shared.slots.is_some();
        for request in requests {
            if bounded {
                // This put may block for room, which only workers make:
                // wake them for the requests already pushed first.
                unwoken.wake();
            }
            let envelope = self
                .register(request, PutMode::Block, state)
                .map_err(PutError::from)?;
            shared.count_local_submitted();
            self.outbox.push(envelope.into_job());
            put += 1;
            unwoken.count += 1;
            if unwoken.count == WAKE_EVERY {
                unwoken.wake();
            }
        }
        Ok(put)
    }

    /// Checks the request, takes a queue slot, and files the callbacks:
    /// everything but the push. On error nothing has changed and the
    /// request comes back.
    #[inline(always)]
    fn register<T: Send + 'static>(
        &mut self,
        request: WorkRequest<'a, T>,
        mode: PutMode,
        state: &mut dyn Any,
    ) -> Result<Envelope, Refused<WorkRequest<'a, T>>> {
        let id = request.id;
        if !matches!(mode, PutMode::Try) {
            self.make_result_room(state);
        }
        // SeqCst: pairs with the store in `Shared::shut_down`; a put that
        // starts after a shutdown through a handle is refused.
        if self.shared.shutdown.load(Ordering::SeqCst) {
            return Err(Refused::new(PutErrorKind::ShutDown, id, request));
        }
        if let Some(wanted) = request.callbacks.state.map(|wanted| wanted())
            && !self.shared.accepts_state(wanted)
        {
            let pool = self.shared.state_name();
            return Err(Refused::wrong_state(id, wanted.name, pool, request));
        }
        if id.chosen().is_none() && self.shared.slots.is_none() {
            // The common case: an automatic id and an unbounded queue, so
            // nothing else can refuse the request.
            let WorkRequest {
                task, callbacks, ..
            } = request;
            return Ok(Envelope {
                task,
                filed: self.file(id, callbacks, false),
                holds_slot: false,
            });
        }
        let chosen = match id.chosen() {
            None => None,
            Some(_) => match ChosenId::register(&self.shared, id) {
                Ok(chosen) => chosen,
                Err(()) => return Err(Refused::new(PutErrorKind::DuplicateId, id, request)),
            },
        };
        // `chosen` frees the id again if the put fails, or if a callback
        // run while waiting for a slot panics.
        let holds_slot = match self.acquire_slot(mode, state) {
            Ok(holds_slot) => holds_slot,
            Err(kind) => return Err(Refused::new(kind, id, request)),
        };
        if let Some(chosen) = chosen {
            chosen.keep();
        }
        let WorkRequest {
            task, callbacks, ..
        } = request;
        Ok(Envelope {
            task,
            filed: self.file(id, callbacks, holds_slot),
            holds_slot,
        })
    }

    /// The result bound's back-pressure on this thread's own puts: while
    /// `result_queue_size` results wait, runs their callbacks. (In the
    /// Python module a worker would wait for the room instead; here no
    /// worker waits for this thread.) Looked at every
    /// [`ROOM_CHECK_EVERY`] puts: in between, results may pile up beyond
    /// the bound by what the workers finish meanwhile, as they may after
    /// any put.
    #[inline(always)]
    fn make_result_room(&mut self, state: &mut dyn Any) {
        if let Some(bound) = self.shared.result_bound {
            if self.room_check > 0 {
                self.room_check -= 1;
                return;
            }
            self.room_check = ROOM_CHECK_EVERY - 1;
            self.make_bounded_result_room(bound, state);
        }
    }

    /// [`make_result_room`](Self::make_result_room) for a bounded result
    /// queue.
    #[inline(never)]
    fn make_bounded_result_room(&mut self, bound: usize, state: &mut dyn Any) {
        if self.shared.unpolled_results() < bound {
            return;
        }
        let _room = RoomMade::new(&self.shared);
        while self.shared.unpolled_results() >= bound {
            match self.results.try_recv(&self.shared.results) {
                Some(message) => {
                    self.handle_message(message, state);
                }
                None => break,
            }
        }
    }

    /// Files a request's callbacks in the table; a cancellable one is
    /// also found by its id (`cancel.rs`).
    #[inline(always)]
    fn file(
        &mut self,
        id: RequestId,
        callbacks: crate::request::Callbacks<'a>,
        holds_slot: bool,
    ) -> u32 {
        if callbacks.extras.is_none() {
            return self.pending.insert(callbacks);
        }
        self.file_controlled(id, callbacks, holds_slot)
    }

    /// [`file`](Self::file) for a cancellable or progress-reporting request.
    #[cold]
    #[inline(never)]
    fn file_controlled(
        &mut self,
        id: RequestId,
        mut callbacks: crate::request::Callbacks<'a>,
        holds_slot: bool,
    ) -> u32 {
        let Some(extras) = callbacks.extras.as_mut() else {
            unreachable!("`file` sends only requests with extras here");
        };
        extras.control.bind(id, &self.shared, holds_slot);
        let control = Arc::clone(&extras.control);
        let on_progress = extras.on_progress.take();
        let slot = self.pending.insert(callbacks);
        self.controlled.insert(id, slot, control, on_progress);
        slot
    }

    /// Takes a slot of the bounded request queue, running callbacks of
    /// arriving results while it waits.
    fn acquire_slot(&mut self, mode: PutMode, state: &mut dyn Any) -> Result<bool, PutErrorKind> {
        match &self.shared.slots {
            None => Ok(false),
            Some((slots, _)) if slots.try_send(()).is_ok() => Ok(true),
            // The owner thread adopted as a worker: only a worker starting
            // a request frees a slot, and this one may be the only one, so
            // it runs queued jobs while it waits, as a job's put does.
            Some(_) if crate::worker::with_current(&self.shared, |current| current.is_some()) => {
                let shared = Arc::clone(&self.shared);
                shared.acquire_slot(mode)
            }
            Some(_) => {
                let shared = Arc::clone(&self.shared);
                let bell = self.bell.clone();
                let taken = shared.wait_for_slot(
                    mode,
                    // Asked again every round: arms the bell, and rings it
                    // here if a message is there already.
                    || {
                        if shared.results.arm() {
                            shared.ring();
                        }
                        bell.clone()
                    },
                    |()| {
                        while let Some(message) = self.results.try_recv(&shared.results) {
                            self.handle_message(message, state);
                        }
                        shared.made_room();
                    },
                );
                shared.results.disarm();
                taken
            }
        }
    }

    fn poll(&mut self, state: &mut dyn Any) -> Result<usize, PollError> {
        self.work_as_adopted();
        if self.outstanding() == 0 {
            return Err(PollError::NoResultsPending);
        }
        let _room = RoomMade::new(&self.shared);
        let mut ran = 0;
        // Only what is there now: a frame loop must not be held up by
        // results that keep arriving.
        self.results.refill(&self.shared.results);
        while let Some(message) = self.results.next_ready(&self.shared.results) {
            ran += usize::from(self.handle_message(message, state));
        }
        Ok(ran)
    }

    /// On an owner thread the pool adopted as a worker
    /// (`use_current_thread`), does that worker's share before a poll
    /// looks at results: runs the jobs addressed to it (a `broadcast` from
    /// another thread waits for them), and, if it is the pool's only
    /// worker, the jobs queued when the poll started (nobody else would
    /// run them: the owner's requests wait in its outbox). Anywhere else,
    /// a load of the thread's `CURRENT` and nothing more.
    fn work_as_adopted(&self) {
        let shared = &self.shared;
        crate::worker::with_current(shared, |current| {
            let Some(context) = current else {
                return;
            };
            while let Some(job) = context.take_addressed() {
                // `execute` never unwinds: user code runs under `catch_unwind`.
                context.execute(job);
            }
            if shared.alive.load(Ordering::SeqCst) > 1 {
                return;
            }
            // Only what is there now: jobs these jobs queue wait for the
            // next poll, as results that keep arriving do.
            for _ in 0..shared.queued() + context.queued_locally() {
                match context.find_work(true) {
                    Some(job) => context.execute(job),
                    None => break,
                }
            }
        });
    }

    fn poll_until(
        &mut self,
        deadline: Option<Instant>,
        state: &mut dyn Any,
    ) -> Result<usize, PollError> {
        let _room = RoomMade::new(&self.shared);
        loop {
            let ran = self.poll(state)?;
            if ran > 0 {
                return Ok(ran);
            }
            // A worker puts its last result on the queue before it leaves
            // `alive` (worker/README.md, D3), so with none alive an empty
            // queue stays empty.
            if self.shared.alive.load(Ordering::SeqCst) == 0
                && self.results.is_empty(&self.shared.results)
            {
                return Err(PollError::NoWorkersAvailable);
            }
            match self.recv(deadline) {
                Ok(message) => {
                    if self.handle_message(message, state) {
                        return Ok(1 + self.poll(state).unwrap_or(0));
                    }
                }
                Err(RecvTimeoutError::Timeout) => return Err(PollError::Timeout),
                // The pool holds a sender for as long as it lives.
                Err(RecvTimeoutError::Disconnected) => unreachable!("result queue closed"),
            }
        }
    }

    /// Waits for the next message until `deadline` (`None`: for ever).
    fn recv(&mut self, deadline: Option<Instant>) -> Result<Message, RecvTimeoutError> {
        if crate::worker::with_current(&self.shared, |current| current.is_some()) {
            return self.recv_working(deadline);
        }
        let stack = &self.shared.results;
        // Results of tiny requests follow each other closely: look again a
        // few times, spinning then yielding, before waiting on the bell
        // (each wait is a system call on both sides).
        let backoff = crossbeam_utils::Backoff::new();
        loop {
            if let Some(message) = self.results.try_recv(stack) {
                return Ok(message);
            }
            if !backoff.is_completed() {
                backoff.snooze();
                continue;
            }
            if stack.arm() {
                continue;
            }
            let rung = match deadline {
                // The pool holds the bell's sender for as long as it lives.
                None => self.bell.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(deadline) => self.bell.recv_deadline(deadline),
            };
            stack.disarm();
            if let Err(err) = rung {
                return self.results.try_recv(stack).ok_or(err);
            }
        }
    }

    /// [`recv`](Self::recv) on a worker of this pool (the owner thread,
    /// adopted by `use_current_thread`): runs the pool's queued jobs while
    /// it waits, its own deque's first, then its inbox's, the shared
    /// queue's and other workers' (`find_work`), as a `join` does. The
    /// owner's requests go to the shared queue, so with no other worker
    /// only this thread can run them; and with others, it adds a worker.
    ///
    /// With nothing to run it waits on the bell, but at most
    /// [`RECHECK`](Self::RECHECK) at a time before it searches again: a job
    /// pushed meanwhile wakes sleeping workers, not this thread.
    fn recv_working(&mut self, deadline: Option<Instant>) -> Result<Message, RecvTimeoutError> {
        let shared = Arc::clone(&self.shared);
        let stack = &shared.results;
        let backoff = crossbeam_utils::Backoff::new();
        let mut interval = Self::FIRST_RECHECK;
        loop {
            if let Some(message) = self.results.try_recv(stack) {
                return Ok(message);
            }
            let ran = crate::worker::with_current(&shared, |current| {
                let Some(context) = current else {
                    return false;
                };
                match context.find_work(backoff.is_completed()) {
                    Some(job) => {
                        // `execute` never unwinds: user code runs under
                        // `catch_unwind`.
                        context.execute(job);
                        true
                    }
                    None => false,
                }
            });
            if ran {
                backoff.reset();
                interval = Self::FIRST_RECHECK;
                continue;
            }
            let now = Instant::now();
            if deadline.is_some_and(|deadline| now >= deadline) {
                return self
                    .results
                    .try_recv(stack)
                    .ok_or(RecvTimeoutError::Timeout);
            }
            if !backoff.is_completed() {
                backoff.snooze();
                continue;
            }
            if stack.arm() {
                continue;
            }
            let until = deadline.map_or(now + interval, |deadline| deadline.min(now + interval));
            // A ring after the disarm below leaves a token in the bell: the
            // next wait then returns at once, which costs one more search.
            let _ = self.bell.recv_deadline(until);
            stack.disarm();
            interval = (interval * 2).min(Self::RECHECK);
        }
    }

    /// The first wait of [`recv_working`](Self::recv_working) on the bell
    /// once it found nothing to run.
    const FIRST_RECHECK: Duration = Duration::from_micros(50);
    /// The longest wait of [`recv_working`](Self::recv_working) on the bell
    /// between two searches for jobs.
    const RECHECK: Duration = Duration::from_millis(5);

    fn wait(&mut self, state: &mut dyn Any) -> Result<(), PollError> {
        loop {
            match self.poll_until(None, state) {
                Ok(_) => {}
                Err(PollError::NoResultsPending) => return Ok(()),
                Err(err) => return Err(err),
            }
        }
    }

    /// Runs the callback of one message; returns whether it was a result.
    #[inline]
    fn handle_message(&mut self, message: Message, state: &mut dyn Any) -> bool {
        let envelope = match message {
            Message::Done(envelope) => envelope,
            Message::Progress(id) => {
                if !self.controlled.progress(id, state) {
                    self.remote_progress(id, state);
                }
                return false;
            }
            Message::Recheck => return false,
        };
        let Envelope {
            mut task, filed, ..
        } = envelope;
        let id = task.id();
        let callbacks = if filed == REMOTE {
            let callbacks = lock(&self.shared.remote).remove(&id);
            if callbacks.is_some() {
                self.shared
                    .remote_outstanding
                    .fetch_sub(1, Ordering::SeqCst);
            }
            callbacks.map(|callbacks| callbacks.0)
        } else {
            self.pending.remove(filed)
        };
        if let Some(callbacks) = &callbacks
            && callbacks.extras.is_some()
        {
            self.controlled.remove(id);
            if callbacks.cancel_requested() {
                self.shared
                    .cancels
                    .count(crate::cancel::CancelOutcome::Signalled);
            }
        }
        if let Some(chosen) = id.chosen() {
            lock(&self.shared.chosen_ids).remove(&chosen);
        }
        let Some(callbacks) = callbacks else {
            // A remote request put as the pool shut down: its putter took
            // the callbacks back (`Shared::abandon_remote`).
            return true;
        };
        #[cfg(feature = "tracing")]
        let _span = tracing::trace_span!("callback", id = %id).entered();
        callbacks.deliver(state, id, &mut *task);
        true
    }

    fn outstanding(&self) -> usize {
        self.pending.len() + self.shared.remote_outstanding.load(Ordering::SeqCst)
    }

    /// Joins worker threads while running the callbacks of arriving
    /// results. (No worker waits for this thread, so plain joins would end
    /// too; running the callbacks keeps results flowing and wakes outside
    /// producers waiting for room in a bounded result queue.)
    fn join_draining(&mut self, handles: Vec<crate::threads::WorkerThread>, state: &mut dyn Any) {
        /// How often to look whether a thread has exited when no result
        /// arrives; only while joining.
        const RECHECK: Duration = Duration::from_millis(1);
        for handle in handles {
            while !handle.is_finished() {
                if let Ok(message) = self.recv(Instant::now().checked_add(RECHECK)) {
                    self.handle_message(message, state);
                    self.shared.made_room();
                }
            }
            handle.join();
        }
    }
}

/// Wakes the puts waiting for room in a bounded result queue when the
/// polling thread has taken results off it, however it leaves (a callback
/// may panic). Holds nothing for an unbounded result queue.
struct RoomMade(Option<Arc<Shared>>);

impl RoomMade {
    #[inline]
    fn new(shared: &Arc<Shared>) -> Self {
        RoomMade(shared.result_bound.map(|_| Arc::clone(shared)))
    }
}

impl Drop for RoomMade {
    #[inline]
    fn drop(&mut self) {
        if let Some(shared) = &self.0 {
            shared.made_room();
        }
    }
}

impl Drop for Core<'_> {
    fn drop(&mut self) {
        // An owner thread the pool adopted as its only worker drains the
        // queues as a worker's loop does at shutdown: the jobs spawned on
        // the pool run (here, now), its requests are dropped. With other
        // workers alive, they drain.
        crate::worker::with_current(&self.shared, |current| {
            if let Some(context) = current
                && self.shared.alive.load(Ordering::SeqCst) == 1
            {
                self.shared.shut_down();
                context.drain_at_shutdown();
            }
        });
        // The owner thread, if the pool adopted it, stops being its worker.
        crate::threads::release_current(&self.shared);
        self.shared.shut_down();
        // Queued requests, the callbacks of remote ones, and unpolled
        // results may hold handles to this pool, which would keep its shared
        // state, and so themselves, alive forever: drop them now.
        self.shared.discard_queued_requests();
        // Later results are dropped by their workers (`results.rs`).
        self.results.close(&self.shared.results);
    }
}

impl<S: 'static> fmt::Debug for ThreadPool<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("outstanding", &self.outstanding())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// Settings for a [`ThreadPool`]: the Python module's `num_workers`,
/// `q_size` and `resq_size`, plus thread names and stack size.
///
/// # Examples
///
/// ```
/// use threadpool_core::ThreadPoolBuilder;
///
/// let pool = ThreadPoolBuilder::new().num_workers(2).queue_size(8).build()?;
/// assert_eq!(pool.workers(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ThreadPoolBuilder {
    num_workers: Option<usize>,
    queue_size: usize,
    result_queue_size: usize,
    thread_name: String,
    stack_size: Option<usize>,
    max_workers: usize,
    notifier: Option<crate::notify::NotifyFn>,
    /// `spawn_handler`, `use_current_thread`, `breadth_first` (`threads.rs`).
    pub(crate) spawn: crate::threads::SpawnOptions,
}

impl Default for ThreadPoolBuilder {
    fn default() -> Self {
        ThreadPoolBuilder::new()
    }
}

impl ThreadPoolBuilder {
    /// The largest queue bound honoured (2^20); larger bounds mean
    /// unbounded, since a bounded queue reserves memory for every slot.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPoolBuilder, WorkRequest};
    ///
    /// // A bound this large reserves nothing: the queue is unbounded, so a
    /// // non-blocking put never finds it full.
    /// let mut pool = ThreadPoolBuilder::new()
    ///     .num_workers(0)
    ///     .queue_size(ThreadPoolBuilder::MAX_QUEUE_BOUND + 1)
    ///     .build()?;
    /// for _ in 0..10_000 {
    ///     pool.try_put_request(WorkRequest::new(|| ()))?;
    /// }
    /// assert_eq!(pool.stats().queued, 10_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const MAX_QUEUE_BOUND: usize = 1 << 20;

    /// The default limit on a pool's workers (4096): a request for more
    /// is refused with [`SpawnErrorKind::TooManyWorkers`](crate::SpawnErrorKind::TooManyWorkers)
    /// before any thread starts, rather than spawning threads until the
    /// system runs out. [`max_workers`](Self::max_workers) raises it.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{SpawnErrorKind, ThreadPool, ThreadPoolBuilder};
    ///
    /// let err = ThreadPool::new(ThreadPoolBuilder::DEFAULT_MAX_WORKERS + 1).unwrap_err();
    /// assert_eq!(err.kind(), SpawnErrorKind::TooManyWorkers);
    /// assert_eq!(err.created(), 0);
    /// ```
    pub const DEFAULT_MAX_WORKERS: usize = 4096;

    /// Default settings: one worker per available CPU, unbounded queues,
    /// threads named `threadpool-N`, the platform's default stack size.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let pool = ThreadPoolBuilder::new().build()?;
    /// assert!(pool.workers() >= 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new() -> Self {
        ThreadPoolBuilder {
            num_workers: None,
            queue_size: 0,
            result_queue_size: 0,
            thread_name: "threadpool".to_owned(),
            stack_size: None,
            max_workers: Self::DEFAULT_MAX_WORKERS,
            notifier: None,
            spawn: crate::threads::SpawnOptions::default(),
        }
    }

    /// The most workers the pool may have at once (not counting dismissed
    /// ones still finishing); default
    /// [`DEFAULT_MAX_WORKERS`](Self::DEFAULT_MAX_WORKERS). `build` and
    /// `create_workers` refuse to go past it, starting nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{SpawnErrorKind, ThreadPoolBuilder};
    ///
    /// let mut pool = ThreadPoolBuilder::new().num_workers(2).max_workers(3).build()?;
    /// pool.create_workers(1)?;
    /// assert_eq!(pool.create_workers(1).unwrap_err().kind(), SpawnErrorKind::TooManyWorkers);
    /// assert_eq!(pool.workers(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn max_workers(mut self, n: usize) -> Self {
        self.max_workers = n;
        self
    }

    /// How many workers to start (0 is allowed: add them later).
    ///
    /// # Examples
    ///
    /// ```
    /// # use threadpool_core::ThreadPoolBuilder;
    /// assert_eq!(ThreadPoolBuilder::new().num_workers(0).build()?.workers(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn num_workers(mut self, n: usize) -> Self {
        self.num_workers = Some(n);
        self
    }

    /// Bounds the request queue (requests put and not yet started); 0 means
    /// unbounded. A put into a full queue blocks, times out or fails,
    /// depending on the variant of `put_request` used. Only a worker
    /// starting a request makes room:
    ///
    /// - the pool's own blocking put runs the callbacks of arriving results
    ///   while it waits;
    /// - a job putting through a handle runs queued jobs on its worker
    ///   while it waits (as a `join` does), nested at most 8 deep; a put
    ///   from deeper down goes in over the bound rather than grow the stack;
    /// - a put with no worker left to make room fails with
    ///   [`NoWorkersAvailable`](crate::PutErrorKind::NoWorkersAvailable).
    ///
    /// A thread outside the pool whose blocking put waits here waits for
    /// the workers, which do not wait for anything of the pool's, so it
    /// waits only as long as they are busy.
    ///
    /// A bounded queue reserves its slots up front, so bounds above
    /// [`MAX_QUEUE_BOUND`](Self::MAX_QUEUE_BOUND) are treated as unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// # use threadpool_core::{ThreadPoolBuilder, WorkRequest};
    /// let mut pool = ThreadPoolBuilder::new().num_workers(0).queue_size(1).build()?;
    /// pool.try_put_request(WorkRequest::new(|| ()))?;
    /// assert!(pool.try_put_request(WorkRequest::new(|| ())).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn queue_size(mut self, bound: usize) -> Self {
        self.queue_size = bound;
        self
    }

    /// Bounds the result queue (results not yet polled); 0 means unbounded.
    /// Bounds above [`MAX_QUEUE_BOUND`](Self::MAX_QUEUE_BOUND) are treated
    /// as unbounded.
    ///
    /// Unlike the Python module's, workers never wait on this queue: the
    /// bound holds back the puts that would add to it.
    ///
    /// - The pool's own blocking and timed puts first run the callbacks of
    ///   waiting results until fewer than `bound` wait (the non-blocking
    ///   ones do not).
    /// - A put through a [`PoolHandle`] from a thread outside the pool
    ///   waits while `bound` results wait unpolled, until the polling
    ///   thread takes some (`try_put_request` returns
    ///   [`Full`](crate::PutErrorKind::Full), the timed put
    ///   [`Timeout`](crate::PutErrorKind::Timeout)). Dropping or shutting
    ///   down the pool releases it with
    ///   [`ShutDown`](crate::PutErrorKind::ShutDown).
    /// - Puts from the polling thread through a handle (a callback putting
    ///   follow-up work) and from jobs are never held back by it: they
    ///   would wait for themselves.
    ///
    /// So the polling thread may block on the workers (`install`, `join`,
    /// `scope`, joining dismissed workers, a put waiting for room in the
    /// request queue) however many results wait: bounding both queues
    /// cannot deadlock the pool on itself (`tests/liveness.rs`, and the
    /// loom models in `tests/loom_liveness.rs`).
    ///
    /// **The one way to hang it:** a producer thread putting through a
    /// handle into a full result queue waits for the polling thread to
    /// poll. If the polling thread instead waits for the producer (joins
    /// it, or waits on a channel the producer fills after its puts),
    /// neither moves, for ever; the same holds for every pool with bounded
    /// queues (Python's too). Keep polling while producers run
    /// ([`poll`](ThreadPool::poll) in the loop that waits for them, or
    /// [`wait`](ThreadPool::wait) before joining them), or let producers
    /// put with [`PoolHandle::put_request_timeout`] and retry.
    ///
    /// # Examples
    ///
    /// ```
    /// # use threadpool_core::{ThreadPoolBuilder, make_requests};
    /// let mut n = 0;
    /// let mut pool = ThreadPoolBuilder::new().num_workers(2).queue_size(1).result_queue_size(1).build()?;
    /// for r in make_requests(|x: u32| x, 0..100, |_, _| n += 1) {
    ///     pool.put_request(r)?;
    /// }
    /// pool.wait()?;
    /// drop(pool);
    /// assert_eq!(n, 100);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn result_queue_size(mut self, bound: usize) -> Self {
        self.result_queue_size = bound;
        self
    }

    /// Names worker threads `{name}-{index}` (default `threadpool-{index}`).
    /// A name containing a NUL byte makes [`build`](Self::build) fail with
    /// a [`SpawnError`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use threadpool_core::{ThreadPoolBuilder, WorkRequest};
    /// let mut name = String::new();
    /// let mut pool = ThreadPoolBuilder::new().num_workers(1).thread_name("io").build()?;
    /// pool.put_request(
    ///     WorkRequest::new(|| std::thread::current().name().unwrap().to_owned())
    ///         .on_result(|_, n| name = n),
    /// )
    /// ?;
    /// pool.wait()?;
    /// drop(pool);
    /// assert_eq!(name, "io-0");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn thread_name(mut self, name: impl Into<String>) -> Self {
        self.thread_name = name.into();
        self
    }

    /// Sets the pool's notifier: a function the pool calls when results
    /// (or progress values, or cancellations' outcomes) become ready while
    /// nobody polls, to wake the owner's event loop instead of having it
    /// poll in a busy loop.
    ///
    /// The pool calls it at most once per [`poll`](ThreadPool::poll): a
    /// `poll` arms it; the first result to arrive afterwards calls it (on
    /// the worker that sent the result), and later ones do not, until the
    /// next `poll`. No wake-up is lost: a result that arrives after the
    /// poll looked at the queue, before the loop sleeps, still calls it
    /// (from a worker, or from that `poll` itself, after its callbacks).
    /// It is never called from inside a callback; while a blocking call
    /// (`wait`, `poll_blocking`) takes the results itself it is disarmed,
    /// so at most one call can still land then (a worker that read the
    /// flag just before).
    ///
    /// A notifier that panics is reported on stderr; the worker that
    /// called it goes on. Keep it short and non-blocking: post an event (winit's
    /// `EventLoopProxy::send_event`, egui's `Context::request_repaint`),
    /// write to a channel or a pipe, or notify a `Condvar`. The guide's
    /// section "Waking an event loop" has a sketch for each.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Condvar, Mutex};
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let wake = Arc::new((Mutex::new(false), Condvar::new()));
    /// let notifier = Arc::clone(&wake);
    /// let mut pool = ThreadPool::builder()
    ///     .num_workers(2)
    ///     .notify(move || {
    ///         *notifier.0.lock().unwrap() = true;
    ///         notifier.1.notify_one();
    ///     })
    ///     .build_with_state(0_u32)?;
    /// for n in 0..10 {
    ///     pool.put_request(WorkRequest::new(move || n).on_result_with(|done: &mut u32, _, _| *done += 1))?;
    /// }
    /// while pool.outstanding() > 0 {
    ///     pool.poll()?; // runs what is ready, then arms the notifier
    ///     // The event loop's sleep: until the notifier (or, in a real
    ///     // program, input) wakes it.
    ///     let (flag, condvar) = &*wake;
    ///     let mut woken = flag.lock().unwrap();
    ///     while !*woken && pool.outstanding() > 0 {
    ///         woken = condvar.wait(woken).unwrap();
    ///     }
    ///     *woken = false;
    /// }
    /// assert_eq!(*pool.state(), 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn notify(mut self, notifier: impl Fn() + Send + Sync + 'static) -> Self {
        self.notifier = Some(crate::notify::NotifyFn(std::sync::Arc::new(notifier)));
        self
    }

    /// The smallest stack a worker thread gets: what the worker loop needs
    /// for itself (searching queues, stealing, sleeping) in an unoptimised
    /// build, with room to spare.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// // Asked for less, a worker gets this much.
    /// let sizes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    /// let seen = std::sync::Arc::clone(&sizes);
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_workers(1)
    ///     .stack_size(1024)
    ///     .spawn_handler(move |thread| {
    ///         seen.lock().unwrap().push(thread.stack_size());
    ///         thread.spawn().map(drop)
    ///     })
    ///     .build()?;
    /// assert_eq!(*sizes.lock().unwrap(), [Some(ThreadPoolBuilder::MIN_STACK_SIZE)]);
    /// # drop(pool);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const MIN_STACK_SIZE: usize = 64 << 10;

    /// Sets the stack size of worker threads, in bytes; a size below
    /// [`MIN_STACK_SIZE`](Self::MIN_STACK_SIZE) is raised to it (the
    /// platform's own minimum, 16 KiB on Linux, overflowed in the worker
    /// loop of a debug build). The jobs' needs come on top. Without it,
    /// workers get what `std::thread::Builder` gives a thread (2 MiB, or
    /// `RUST_MIN_STACK`): deep fork-join recursion wants more (a `join`
    /// frame is larger than a plain call's).
    ///
    /// # Examples
    ///
    /// ```
    /// # use threadpool_core::ThreadPoolBuilder;
    /// let pool = ThreadPoolBuilder::new().num_workers(1).stack_size(8 << 20).build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// Starts the pool.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] if a worker thread could not be started; the workers
    /// already started are stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use threadpool_core::ThreadPoolBuilder;
    /// assert!(ThreadPoolBuilder::new().num_workers(1).stack_size(1 << 60).build().is_err());
    /// ```
    pub fn build<'a>(self) -> Result<ThreadPool<'a>, SpawnError> {
        self.build_with_state(())
    }

    /// Starts a pool that holds `state` and hands it to the callbacks set
    /// with `on_result_with` and the like; see [`ThreadPool::with_state`].
    ///
    /// # Errors
    ///
    /// As [`build`](Self::build).
    ///
    /// # Examples
    ///
    /// ```
    /// # use threadpool_core::{ThreadPoolBuilder, WorkRequest};
    /// let mut pool = ThreadPoolBuilder::new().num_workers(1).queue_size(4).build_with_state(0_u32)?;
    /// pool.put_request(WorkRequest::new(|| 2).on_result_with(|n: &mut u32, _, v| *n += v))?;
    /// pool.wait()?;
    /// assert_eq!(*pool.state(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build_with_state<'a, S: 'static>(
        self,
        state: S,
    ) -> Result<ThreadPool<'a, S>, SpawnError> {
        crate::panic::quiet_request_panics();
        // The result queue is unbounded: workers never wait to hand in a
        // result. The bound holds back puts instead (`Shared::result_bound`).
        let (bell_tx, bell_rx) = crossbeam_channel::bounded(1);
        let result_bound = match self.result_queue_size {
            0 => None,
            bound if bound > Self::MAX_QUEUE_BOUND => None,
            bound => Some(bound),
        };
        let num_workers = self.resolved_num_workers();
        let shared = self.shared(bell_tx, result_bound, Some(StateType::of::<S>()));
        let outbox = shared.take_outbox();
        let pool = ThreadPool {
            core: Core {
                shared,
                results: ResultReceiver::new(),
                bell: bell_rx,
                pending: Pending::new(),
                controlled: crate::cancel::Controlled::default(),
                room_check: 0,
                outbox,
            },
            state,
        };
        // On failure `pool` drops here, stopping the workers it started.
        crate::threads::start_workers(&pool.core.shared, num_workers)?;
        Ok(pool)
    }

    /// Starts a pool with no polling side, for fork-join and spawned jobs
    /// only ([`PoolHandle::join`], [`scope`](PoolHandle::scope),
    /// [`install`](PoolHandle::install), [`spawn`](PoolHandle::spawn)).
    /// Work requests are refused with
    /// [`PutErrorKind::NoPoller`](crate::PutErrorKind::NoPoller), since no
    /// thread would run their callbacks. The pool runs until
    /// [`PoolHandle::shutdown`]; the handle can live in a `static`.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] if a worker thread could not be started; the workers
    /// already started are stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    ///
    /// let handle = ThreadPoolBuilder::new().num_workers(2).build_handle()?;
    /// let (a, b) = handle.join(|| 40, || 2);
    /// assert_eq!(a + b, 42);
    /// handle.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build_handle(self) -> Result<PoolHandle, SpawnError> {
        // Requests are refused before they exist, so nothing but the last
        // worker's note ever goes on the result queue, and nobody waits on
        // its bell.
        let (bell_tx, _) = crossbeam_channel::bounded(1);
        let num_workers = self.resolved_num_workers();
        let shared = self.shared(bell_tx, None, None);
        if let Err(err) = crate::threads::start_workers(&shared, num_workers) {
            shared.shut_down();
            return Err(err);
        }
        Ok(PoolHandle::new(shared))
    }

    fn resolved_num_workers(&self) -> usize {
        self.num_workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        })
    }

    /// The shared half of a pool; `state` is the polling side's state
    /// type, `None` for a pool without one (`build_handle`).
    fn shared(
        self,
        bell: crossbeam_channel::Sender<()>,
        result_bound: Option<usize>,
        state: Option<StateType>,
    ) -> Arc<Shared> {
        let config = ThreadConfig {
            name: self.thread_name,
            // Raised to what the worker loop itself needs (see `stack_size`).
            stack_size: self.stack_size.map(|bytes| bytes.max(Self::MIN_STACK_SIZE)),
            max_workers: self.max_workers,
            spawn: self.spawn.into_config(),
        };
        let queue_size = match self.queue_size {
            bound if bound > Self::MAX_QUEUE_BOUND => 0,
            bound => bound,
        };
        Shared::new(config, queue_size, bell, result_bound, state, self.notifier)
    }
}
