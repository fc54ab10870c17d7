//! The pool's errors. Each error that refuses a request hands it back.

use std::error::Error;
use std::fmt;
use std::io;

use crate::id::RequestId;

/// Why a request was not put into the pool: what every put returns when
/// it refuses a request, with the request's id.
///
/// It owns nothing of the request, so `?` takes it into a
/// `Box<dyn Error>` or an `anyhow::Error` even when the request's
/// callbacks borrowed local variables. To get the refused request back,
/// put it with [`ThreadPool::offer`](crate::ThreadPool::offer) or
/// [`PoolHandle::offer`](crate::PoolHandle::offer), whose [`Refused`]
/// carries it.
///
/// # Examples
///
/// ```
/// use threadpool_core::{PutErrorKind, ThreadPool, WorkRequest};
///
/// let mut pool = ThreadPool::builder().num_workers(0).queue_size(1).build()?;
/// pool.try_put_request(WorkRequest::new(|| 1))?;
/// let err = pool.try_put_request(WorkRequest::new(|| 2).with_id(2)).unwrap_err();
/// assert_eq!(err.kind(), PutErrorKind::Full);
/// assert_eq!(err.to_string(), "request 2 not queued: the request queue is full");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PutError {
    kind: PutErrorKind,
    id: RequestId,
    /// For `WrongState`: the state type the callbacks take, and the pool's.
    states: Option<(&'static str, &'static str)>,
}

/// The reason in a [`PutError`].
///
/// # Examples
///
/// ```
/// use threadpool_core::PutErrorKind;
///
/// assert_ne!(PutErrorKind::Full, PutErrorKind::Timeout);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PutErrorKind {
    /// The bounded request queue is full (non-blocking put).
    Full,
    /// The bounded request queue stayed full until the timeout.
    Timeout,
    /// A request with the same caller-chosen id is outstanding.
    DuplicateId,
    /// The bounded request queue is full and the pool has no worker that
    /// could ever make room: blocking would hang.
    NoWorkersAvailable,
    /// The pool was dropped or shut down, by its owner or through any
    /// handle.
    ShutDown,
    /// The pool was built with
    /// [`build_handle`](crate::ThreadPoolBuilder::build_handle): no thread
    /// polls it, so no callback could ever run.
    NoPoller,
    /// The request's callbacks take a state (`on_result_with` and the
    /// like) of another type than the pool's
    /// ([`ThreadPool::with_state`](crate::ThreadPool::with_state)).
    WrongState,
}

impl PutError {
    pub(crate) fn new(kind: PutErrorKind, id: RequestId) -> Self {
        PutError {
            kind,
            id,
            states: None,
        }
    }

    /// Why the request was refused.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{PutErrorKind, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(0)?;
    /// pool.put_request(WorkRequest::new(|| ()).with_id(1))?;
    /// let err = pool.put_request(WorkRequest::new(|| ()).with_id(1)).unwrap_err();
    /// assert_eq!(err.kind(), PutErrorKind::DuplicateId);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> PutErrorKind {
        self.kind
    }

    /// The id of the refused request.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{RequestId, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(0)?;
    /// pool.put_request(WorkRequest::new(|| ()).with_id(1))?;
    /// let err = pool.put_request(WorkRequest::new(|| ()).with_id(1)).unwrap_err();
    /// assert_eq!(err.id(), RequestId::new(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self) -> RequestId {
        self.id
    }
}

impl fmt::Display for PutErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PutErrorKind::Full => "the request queue is full",
            PutErrorKind::Timeout => "the request queue stayed full until the timeout",
            PutErrorKind::DuplicateId => "a request with the same id is outstanding",
            PutErrorKind::NoWorkersAvailable => {
                "the request queue is full and the pool has no workers"
            }
            PutErrorKind::ShutDown => "the pool has shut down",
            PutErrorKind::NoPoller => "the pool has no polling thread to run callbacks",
            PutErrorKind::WrongState => {
                "its callbacks take a state of another type than the pool's"
            }
        })
    }
}

impl fmt::Display for PutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.states {
            Some((wanted, pool)) => write!(
                f,
                "request {} not queued: its callbacks take a `&mut {wanted}`, \
                 but the pool's state is a `{pool}`",
                self.id
            ),
            None => write!(f, "request {} not queued: {}", self.id, self.kind),
        }
    }
}

impl Error for PutError {}

/// A refused request, handed back with the [`PutError`] that says why: what
/// the `offer` methods of [`ThreadPool`](crate::ThreadPool::offer) and
/// [`PoolHandle`](crate::PoolHandle::offer) return, so that nothing is lost.
///
/// [`into_request`](Self::into_request) takes the request back to put it
/// again later; [`error`](Self::error) is the reason alone. `Refused` is not
/// itself an `Error`: it holds the request, whose callbacks may borrow local
/// variables, and an error that `?` passes up must borrow nothing. A
/// function that returns [`PutError`] can still use `?` on it, and
/// elsewhere `.map_err(Refused::error)?` drops the request and keeps the
/// reason.
///
/// # Examples
///
/// ```
/// use threadpool_core::{PutErrorKind, ThreadPool, WorkRequest};
///
/// let mut pool = ThreadPool::builder().num_workers(0).queue_size(1).build()?;
/// pool.try_put_request(WorkRequest::new(|| 1))?;
/// let refused = pool.offer(WorkRequest::new(|| 2).with_id(2)).unwrap_err();
/// assert_eq!(refused.kind(), PutErrorKind::Full);
/// let request = refused.into_request(); // nothing is lost
/// pool.create_workers(1)?;
/// pool.put_request(request)?;
/// pool.wait()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Refused<R> {
    error: PutError,
    request: R,
}

impl<R> Refused<R> {
    pub(crate) fn new(kind: PutErrorKind, id: RequestId, request: R) -> Self {
        Refused {
            error: PutError::new(kind, id),
            request,
        }
    }

    /// A `WrongState` refusal, naming the two types.
    pub(crate) fn wrong_state(
        id: RequestId,
        wanted: &'static str,
        pool: &'static str,
        request: R,
    ) -> Self {
        Refused {
            error: PutError {
                kind: PutErrorKind::WrongState,
                id,
                states: Some((wanted, pool)),
            },
            request,
        }
    }

    /// Why the request was refused.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{PutErrorKind, SendWorkRequest, ThreadPool};
    ///
    /// let pool = ThreadPool::new(0)?;
    /// let handle = pool.handle();
    /// drop(pool);
    /// let refused = handle.put_request(SendWorkRequest::new(|| ())).unwrap_err();
    /// assert_eq!(refused.kind(), PutErrorKind::ShutDown);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> PutErrorKind {
        self.error.kind
    }

    /// The refused request's id.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{RequestId, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::builder().num_workers(0).queue_size(1).build()?;
    /// pool.try_put_request(WorkRequest::new(|| ()))?;
    /// let refused = pool.offer(WorkRequest::new(|| ()).with_id(9)).unwrap_err();
    /// assert_eq!(refused.id(), RequestId::new(9));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self) -> RequestId {
        self.error.id
    }

    /// The error without the request.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{PutErrorKind, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::builder().num_workers(0).queue_size(1).build()?;
    /// pool.try_put_request(WorkRequest::new(|| ()))?;
    /// let err = pool.offer(WorkRequest::new(|| ())).unwrap_err().error();
    /// assert_eq!(err.kind(), PutErrorKind::Full);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn error(&self) -> PutError {
        self.error
    }

    /// Takes the refused request back, untouched, to put it again later.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::builder().num_workers(0).queue_size(1).build()?;
    /// pool.try_put_request(WorkRequest::new(|| 1))?;
    /// let again = pool.offer(WorkRequest::new(|| 2)).unwrap_err().into_request();
    /// pool.create_workers(1)?;
    /// pool.put_request(again)?;
    /// pool.wait()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_request(self) -> R {
        self.request
    }
}

impl<R> From<Refused<R>> for PutError {
    fn from(refused: Refused<R>) -> Self {
        refused.error
    }
}

impl<R> fmt::Debug for Refused<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refused")
            .field("kind", &self.error.kind)
            .field("id", &self.error.id)
            .finish_non_exhaustive()
    }
}

impl<R> fmt::Display for Refused<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

/// Why [`poll`](crate::ThreadPool::poll) or [`wait`](crate::ThreadPool::wait)
/// returned without results: the Python module's `NoResultsPending` and
/// `NoWorkersAvailable`.
///
/// # Examples
///
/// ```
/// use threadpool_core::{PollError, ThreadPool, WorkRequest};
///
/// let mut pool = ThreadPool::new(0)?;
/// assert_eq!(pool.poll(), Err(PollError::NoResultsPending));
/// pool.put_request(WorkRequest::new(|| ()))?;
/// assert_eq!(pool.wait(), Err(PollError::NoWorkersAvailable));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PollError {
    /// No request is outstanding: every request put has had its callback.
    NoResultsPending,
    /// Requests are outstanding, no result is ready, and the pool has no
    /// worker thread that could produce one.
    NoWorkersAvailable,
    /// No result arrived before the timeout of
    /// [`poll_timeout`](crate::ThreadPool::poll_timeout).
    Timeout,
}

impl fmt::Display for PollError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PollError::NoResultsPending => "no results pending",
            PollError::NoWorkersAvailable => "requests are outstanding but the pool has no workers",
            PollError::Timeout => "no result arrived before the timeout",
        })
    }
}

impl Error for PollError {}

/// Workers could not be started.
///
/// Returned by [`ThreadPoolBuilder::build`](crate::ThreadPoolBuilder::build)
/// and [`create_workers`](crate::ThreadPool::create_workers); the workers
/// started before the failure keep running. [`kind`](Self::kind) says
/// why: the system refused a thread, the pool would grow past its
/// [`max_workers`](crate::ThreadPoolBuilder::max_workers), or it has shut
/// down.
///
/// # Examples
///
/// ```
/// use threadpool_core::{SpawnErrorKind, ThreadPool};
///
/// // No system gives a thread a stack of an exbibyte.
/// let mut pool = ThreadPool::builder().num_workers(0).stack_size(1 << 60).build()?;
/// let err = pool.create_workers(2).unwrap_err();
/// assert_eq!((err.kind(), err.created()), (SpawnErrorKind::Os, 0));
/// assert_eq!(pool.workers(), 0);   // the pool is unchanged and still usable
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SpawnError {
    created: usize,
    reason: SpawnReason,
}

#[derive(Debug)]
enum SpawnReason {
    Os(io::Error),
    TooMany { requested: usize, limit: usize },
    ShutDown,
    CurrentThreadInPool,
}

/// The reason in a [`SpawnError`].
///
/// # Examples
///
/// ```
/// use threadpool_core::{SpawnErrorKind, ThreadPool};
///
/// let err = ThreadPool::new(usize::MAX).unwrap_err();
/// assert_eq!(err.kind(), SpawnErrorKind::TooManyWorkers);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SpawnErrorKind {
    /// The operating system refused to start a thread (see
    /// [`Error::source`](std::error::Error::source)).
    Os,
    /// The pool would have more workers than its
    /// [`max_workers`](crate::ThreadPoolBuilder::max_workers); nothing was
    /// started.
    TooManyWorkers,
    /// The pool has shut down; nothing was started.
    ShutDown,
    /// [`use_current_thread`](crate::ThreadPoolBuilder::use_current_thread)
    /// was asked of a thread that is a worker of a pool already; nothing
    /// was started.
    CurrentThreadInPool,
}

impl SpawnError {
    pub(crate) fn os(created: usize, source: io::Error) -> Self {
        SpawnError {
            created,
            reason: SpawnReason::Os(source),
        }
    }

    pub(crate) fn too_many(requested: usize, limit: usize) -> Self {
        SpawnError {
            created: 0,
            reason: SpawnReason::TooMany { requested, limit },
        }
    }

    pub(crate) fn current_thread_in_pool() -> Self {
        SpawnError {
            created: 0,
            reason: SpawnReason::CurrentThreadInPool,
        }
    }

    pub(crate) fn shut_down() -> Self {
        SpawnError {
            created: 0,
            reason: SpawnReason::ShutDown,
        }
    }

    /// Why the workers could not be started.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{SpawnErrorKind, ThreadPool};
    ///
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.handle().shutdown();
    /// assert_eq!(pool.create_workers(1).unwrap_err().kind(), SpawnErrorKind::ShutDown);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> SpawnErrorKind {
        match self.reason {
            SpawnReason::Os(_) => SpawnErrorKind::Os,
            SpawnReason::TooMany { .. } => SpawnErrorKind::TooManyWorkers,
            SpawnReason::ShutDown => SpawnErrorKind::ShutDown,
            SpawnReason::CurrentThreadInPool => SpawnErrorKind::CurrentThreadInPool,
        }
    }

    /// How many workers of the batch were started before the failure.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPool;
    ///
    /// let err = ThreadPool::builder().num_workers(3).stack_size(1 << 60).build().unwrap_err();
    /// assert_eq!(err.created(), 0);
    /// ```
    pub fn created(&self) -> usize {
        self.created
    }
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            SpawnReason::Os(source) => write!(
                f,
                "could not start a worker thread ({} started before): {source}",
                self.created
            ),
            SpawnReason::TooMany { requested, limit } => write!(
                f,
                "not starting {requested} workers: the pool would exceed its limit of \
                 {limit} (raise it with ThreadPoolBuilder::max_workers)"
            ),
            SpawnReason::ShutDown => f.write_str("not starting workers: the pool has shut down"),
            SpawnReason::CurrentThreadInPool => f.write_str(
                "not starting the pool: the current thread is already a worker of a pool",
            ),
        }
    }
}

impl Error for SpawnError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.reason {
            SpawnReason::Os(source) => Some(source),
            _ => None,
        }
    }
}
