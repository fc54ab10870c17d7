//! The pool's errors. Each error that refuses a request hands it back.

use std::error::Error;
use std::fmt;
use std::io;

/// Why a request was not put into the pool; the request comes back with it.
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
/// let request = err.into_request();   // nothing is lost
/// assert_eq!(request.id().chosen(), Some(2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PutError<R> {
    kind: PutErrorKind,
    request: R,
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
    /// The pool was dropped or shut down.
    ShutDown,
    /// The pool was built with
    /// [`build_handle`](crate::ThreadPoolBuilder::build_handle): no thread
    /// polls it, so no callback could ever run.
    NoPoller,
}

impl<R> PutError<R> {
    pub(crate) fn new(kind: PutErrorKind, request: R) -> Self {
        PutError { kind, request }
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

    /// The refused request, untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(0)?;
    /// pool.put_request(WorkRequest::new(|| ()).with_id(1))?;
    /// let err = pool.put_request(WorkRequest::new(|| ()).with_id(1)).unwrap_err();
    /// assert_eq!(err.request().id().chosen(), Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn request(&self) -> &R {
        &self.request
    }

    /// Takes the refused request back, to put it again later.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::builder().num_workers(0).queue_size(1).build()?;
    /// pool.try_put_request(WorkRequest::new(|| 1))?;
    /// let again = pool.try_put_request(WorkRequest::new(|| 2)).unwrap_err().into_request();
    /// pool.create_workers(1)?;
    /// pool.put_request(again)?;
    /// pool.wait()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_request(self) -> R {
        self.request
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
        })
    }
}

impl<R> fmt::Debug for PutError<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutError")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<R> fmt::Display for PutError<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request not queued: {}", self.kind)
    }
}

impl<R> Error for PutError<R> {}

/// `pool.put_request(request).map_err(|e| e.kind())?` lets `?` work when
/// the request's callbacks borrow local state (the request itself cannot
/// leave the function inside a `Box<dyn Error>`).
impl Error for PutErrorKind {}

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

/// A worker thread could not be started.
///
/// Returned by [`ThreadPoolBuilder::build`](crate::ThreadPoolBuilder::build)
/// and [`create_workers`](crate::ThreadPool::create_workers); the workers
/// started before the failure keep running.
///
/// # Examples
///
/// ```
/// use threadpool_core::ThreadPool;
///
/// // No system gives a thread a stack of an exbibyte.
/// let mut pool = ThreadPool::builder().num_workers(0).stack_size(1 << 60).build()?;
/// let err = pool.create_workers(2).unwrap_err();
/// assert_eq!(err.created(), 0);
/// assert_eq!(pool.workers(), 0);   // the pool is unchanged and still usable
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SpawnError {
    created: usize,
    source: io::Error,
}

impl SpawnError {
    pub(crate) fn new(created: usize, source: io::Error) -> Self {
        SpawnError { created, source }
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
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn created(&self) -> usize {
        self.created
    }
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not start a worker thread ({} started before): {}",
            self.created, self.source
        )
    }
}

impl Error for SpawnError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}
