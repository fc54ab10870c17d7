//! Work requests: a job, its id, and the callbacks that receive its outcome.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::Panic;
use crate::callback::ResultCallback;
use crate::task::{Task, TaskCell};

/// Identifies a work request while it is outstanding.
///
/// Every request gets a fresh id when it is built, unique in the process;
/// [`WorkRequest::with_id`] sets one of the caller's choosing instead. An id
/// the caller chose is refused by `put_request` while another request with
/// the same id is outstanding. Automatic ids print as `#17`, chosen ones as
/// the plain number, and the two never compare equal.
///
/// # Examples
///
/// ```
/// use threadpool_core::{RequestId, WorkRequest};
///
/// let auto = WorkRequest::new(|| 1).id();
/// let chosen = WorkRequest::new(|| 1).with_id(7).id();
/// assert_eq!(chosen, RequestId::new(7));
/// assert_ne!(auto, chosen);
/// assert!(auto.to_string().starts_with('#'));
/// assert_eq!(chosen.to_string(), "7");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(Repr);

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Repr {
    Auto(u64),
    Chosen(u64),
}

impl RequestId {
    /// A caller-chosen id, as given to [`WorkRequest::with_id`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::RequestId;
    ///
    /// assert_eq!(RequestId::new(3).chosen(), Some(3));
    /// ```
    pub const fn new(id: u64) -> Self {
        RequestId(Repr::Chosen(id))
    }

    /// The number of a caller-chosen id; `None` for an automatic one.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::WorkRequest;
    ///
    /// assert_eq!(WorkRequest::new(|| ()).id().chosen(), None);
    /// assert_eq!(WorkRequest::new(|| ()).with_id(9).id().chosen(), Some(9));
    /// ```
    pub const fn chosen(self) -> Option<u64> {
        match self.0 {
            Repr::Chosen(id) => Some(id),
            Repr::Auto(_) => None,
        }
    }

    /// The id's number, automatic or chosen.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::RequestId;
    ///
    /// assert_eq!(RequestId::new(12).as_u64(), 12);
    /// ```
    pub const fn as_u64(self) -> u64 {
        match self.0 {
            Repr::Auto(id) | Repr::Chosen(id) => id,
        }
    }

    pub(crate) fn next_auto() -> Self {
        /// Ids a thread reserves at a time, so that most ids cost no atomic.
        const BLOCK: u64 = 1024;
        static NEXT_BLOCK: AtomicU64 = AtomicU64::new(1);
        thread_local! {
            /// The next id of this thread's block, and the block's end.
            static BLOCK_IDS: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
        }
        BLOCK_IDS.with(|ids| {
            let (mut next, mut end) = ids.get();
            if next == end {
                // Relaxed: only uniqueness matters, which the RMW gives.
                next = NEXT_BLOCK.fetch_add(BLOCK, Ordering::Relaxed);
                end = next + BLOCK;
            }
            ids.set((next + 1, end));
            RequestId(Repr::Auto(next))
        })
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Auto(id) => write!(f, "#{id}"),
            Repr::Chosen(id) => write!(f, "{id}"),
        }
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Auto(id) => write!(f, "RequestId(#{id})"),
            Repr::Chosen(id) => write!(f, "RequestId({id})"),
        }
    }
}

impl From<u64> for RequestId {
    fn from(id: u64) -> Self {
        RequestId::new(id)
    }
}

/// What happens when a request's job panics.
pub(crate) enum OnException<B> {
    /// Print the id and panic message to stderr (the default).
    Report,
    /// Do nothing.
    Ignore,
    /// Call the request's exception callback.
    Call(B),
}

/// A request's callbacks, waiting on the polling side for its outcome.
pub(crate) struct Callbacks<R, E> {
    /// Receives an `&mut Option<T>` holding the job's value.
    pub(crate) on_result: Option<R>,
    pub(crate) on_exception: OnException<E>,
}

pub(crate) type LocalCallbacks<'a> =
    Callbacks<ResultCallback<'a>, Box<dyn FnOnce(RequestId, Panic) + 'a>>;

pub(crate) type SendCallbacks = Callbacks<
    Box<dyn FnOnce(RequestId, &mut dyn Any) + Send>,
    Box<dyn FnOnce(RequestId, Panic) + Send>,
>;

impl<R, E> Callbacks<R, E> {
    const DEFAULT: Self = Callbacks {
        on_result: None,
        on_exception: OnException::Report,
    };
}

impl From<SendCallbacks> for LocalCallbacks<'_> {
    fn from(callbacks: SendCallbacks) -> Self {
        Callbacks {
            on_result: callbacks
                .on_result
                .map(|f| ResultCallback::new(move |id, value: &mut dyn Any| f(id, value))),
            on_exception: match callbacks.on_exception {
                OnException::Report => OnException::Report,
                OnException::Ignore => OnException::Ignore,
                OnException::Call(f) => OnException::Call(f as Box<_>),
            },
        }
    }
}

impl LocalCallbacks<'_> {
    /// Runs the callback that fits the outcome, on the calling thread.
    pub(crate) fn deliver(self, id: RequestId, task: &mut dyn Task) {
        match task.outcome() {
            crate::task::Outcome::Value(value) => {
                if let Some(on_result) = self.on_result {
                    on_result.call(id, value);
                }
            }
            crate::task::Outcome::Panicked(panic) => match self.on_exception {
                OnException::Report => report_panic(id, &panic),
                OnException::Ignore => {}
                OnException::Call(on_exception) => on_exception(id, panic),
            },
        }
    }
}

/// The default exception callback: the id and message, on stderr.
fn report_panic(id: RequestId, panic: &Panic) {
    // Not `eprintln!`, which panics when stderr is gone.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "threadpool: request {id} panicked: {panic}"
    );
}

/// Takes the job's value out of the task cell's `Option<T>`.
fn take_value<T: 'static>(value: &mut dyn Any) -> T {
    value
        .downcast_mut::<Option<T>>()
        .and_then(Option::take)
        .expect("a request's value has the request's type and is taken once")
}

/// A job for the pool, with its id and the callbacks for its outcome.
///
/// The job is any `FnOnce() -> T + Send + 'static`; it runs on a worker
/// thread. The callbacks run on the thread that calls
/// [`ThreadPool::poll`](crate::ThreadPool::poll) or
/// [`wait`](crate::ThreadPool::wait), never on a worker, so they need not be
/// `Send` and may borrow the caller's state for `'a`.
///
/// The Python module's `WorkRequest(callable, args, kwds, requestID,
/// callback, exc_callback)` maps to `WorkRequest::new(move || callable(args))`
/// with [`with_id`](Self::with_id), [`on_result`](Self::on_result) and
/// [`on_exception`](Self::on_exception).
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use threadpool_core::{ThreadPool, WorkRequest};
///
/// let total = Cell::new(0);
/// let mut pool = ThreadPool::new(2)?;
/// for n in 1..=4_u64 {
///     let request = WorkRequest::new(move || n * n)
///         .on_result(|_id, square| total.set(total.get() + square));
///     pool.put_request(request).map_err(|e| e.kind())?;
/// }
/// pool.wait()?;
/// assert_eq!(total.get(), 1 + 4 + 9 + 16);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A job must be `Send`; the compiler refuses one that is not:
///
/// ```compile_fail
/// use std::rc::Rc;
/// use threadpool_core::WorkRequest;
///
/// let shared = Rc::new(1);
/// let request = WorkRequest::new(move || *shared + 1);
/// ```
#[must_use = "a work request does nothing until it is put into a pool"]
pub struct WorkRequest<'a, T> {
    pub(crate) id: RequestId,
    pub(crate) task: Box<dyn Task>,
    pub(crate) callbacks: LocalCallbacks<'a>,
    marker: PhantomData<fn() -> T>,
}

impl<'a, T: Send + 'static> WorkRequest<'a, T> {
    /// A request for `job`, with a fresh id and the default exception
    /// callback (which prints the id and panic message to stderr).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::WorkRequest;
    ///
    /// let a = WorkRequest::new(|| "hello".len());
    /// let b = WorkRequest::new(|| "hello".len());
    /// assert_ne!(a.id(), b.id());
    /// ```
    pub fn new<F>(job: F) -> Self
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let id = RequestId::next_auto();
        WorkRequest {
            id,
            task: TaskCell::boxed(id, job),
            callbacks: Callbacks::DEFAULT,
            marker: PhantomData,
        }
    }

    /// Sets the callback that receives the request's id and the job's value.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut lines = Vec::new();
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.put_request(
    ///     WorkRequest::new(|| 6 * 7)
    ///         .with_id(1)
    ///         .on_result(|id, value| lines.push(format!("{id}: {value}"))),
    /// )
    /// .map_err(|e| e.kind())?;
    /// pool.wait()?;
    /// drop(pool);
    /// assert_eq!(lines, ["1: 42"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_result<F>(mut self, callback: F) -> Self
    where
        F: FnOnce(RequestId, T) + 'a,
    {
        self.callbacks.on_result = Some(ResultCallback::new(move |id, value: &mut dyn Any| {
            callback(id, take_value::<T>(value))
        }));
        self
    }

    /// Sets the callback that receives the request's id and the [`Panic`]
    /// when the job panics, in place of the default report on stderr.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut failed = Vec::new();
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.put_request(
    ///     WorkRequest::new(|| -> u8 { panic!("bad input") })
    ///         .with_id(5)
    ///         .on_exception(|id, panic| failed.push((id, panic.to_string()))),
    /// )
    /// .map_err(|e| e.kind())?;
    /// pool.wait()?;
    /// drop(pool);
    /// assert_eq!(failed, [(5.into(), "bad input".to_owned())]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_exception<F>(mut self, callback: F) -> Self
    where
        F: FnOnce(RequestId, Panic) + 'a,
    {
        self.callbacks.on_exception = OnException::Call(Box::new(callback));
        self
    }
}

impl<T> WorkRequest<'_, T> {
    /// Gives the request an id of the caller's choosing.
    ///
    /// `put_request` refuses it, handing the request back, while another
    /// request with the same chosen id is outstanding (put, and its callback
    /// not yet run).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{RequestId, WorkRequest};
    ///
    /// let request = WorkRequest::new(|| ()).with_id(17);
    /// assert_eq!(request.id(), RequestId::new(17));
    /// ```
    pub fn with_id(mut self, id: impl Into<RequestId>) -> Self {
        self.id = id.into();
        self.task.set_id(self.id);
        self
    }

    /// Switches the default exception report off: a panic of this job is
    /// then counted in [`PoolStats::panicked`](crate::PoolStats::panicked)
    /// and otherwise ignored.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.put_request(WorkRequest::new(|| panic!("quiet")).ignore_exception())?;
    /// pool.wait()?;
    /// assert_eq!(pool.stats().panicked, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ignore_exception(mut self) -> Self {
        self.callbacks.on_exception = OnException::Ignore;
        self
    }

    /// The request's id.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{RequestId, WorkRequest};
    ///
    /// assert_eq!(WorkRequest::new(|| 0).with_id(4).id(), RequestId::new(4));
    /// ```
    pub fn id(&self) -> RequestId {
        self.id
    }
}

impl<T> fmt::Debug for WorkRequest<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkRequest")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A work request that can be put from any thread, through a
/// [`PoolHandle`](crate::PoolHandle).
///
/// It is a [`WorkRequest`] whose callbacks are `Send + 'static`, because they
/// travel from the thread that puts the request to the thread that polls the
/// pool; they still run only on the polling thread.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use threadpool_core::{SendWorkRequest, ThreadPool};
///
/// let mut pool = ThreadPool::new(2)?;
/// let handle = pool.handle();
/// let (tx, rx) = mpsc::channel();
/// std::thread::spawn(move || {
///     let request = SendWorkRequest::new(|| 2 + 2).on_result(move |_id, v| tx.send(v).unwrap());
///     handle.put_request(request).unwrap();
/// })
/// .join()
/// .unwrap();
/// pool.wait()?;
/// assert_eq!(rx.recv()?, 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "a work request does nothing until it is put into a pool"]
pub struct SendWorkRequest<T> {
    pub(crate) id: RequestId,
    pub(crate) task: Box<dyn Task>,
    pub(crate) callbacks: SendCallbacks,
    marker: PhantomData<fn() -> T>,
}

impl<T: Send + 'static> SendWorkRequest<T> {
    /// A request for `job`, with a fresh id and the default exception report.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::SendWorkRequest;
    ///
    /// let request = SendWorkRequest::new(|| 1);
    /// std::thread::spawn(move || drop(request)).join().unwrap();
    /// ```
    pub fn new<F>(job: F) -> Self
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let id = RequestId::next_auto();
        SendWorkRequest {
            id,
            task: TaskCell::boxed(id, job),
            callbacks: Callbacks::DEFAULT,
            marker: PhantomData,
        }
    }

    /// Sets the callback for the job's value; see [`WorkRequest::on_result`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::SendWorkRequest;
    ///
    /// let request = SendWorkRequest::new(|| 1).on_result(|_id, v| assert_eq!(v, 1));
    /// # drop(request);
    /// ```
    pub fn on_result<F>(mut self, callback: F) -> Self
    where
        F: FnOnce(RequestId, T) + Send + 'static,
    {
        self.callbacks.on_result = Some(Box::new(move |id, value: &mut dyn Any| {
            callback(id, take_value::<T>(value))
        }));
        self
    }

    /// Sets the exception callback; see [`WorkRequest::on_exception`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::SendWorkRequest;
    ///
    /// let request = SendWorkRequest::new(|| 1).on_exception(|id, panic| eprintln!("{id}: {panic}"));
    /// # drop(request);
    /// ```
    pub fn on_exception<F>(mut self, callback: F) -> Self
    where
        F: FnOnce(RequestId, Panic) + Send + 'static,
    {
        self.callbacks.on_exception = OnException::Call(Box::new(callback));
        self
    }
}

impl<T> SendWorkRequest<T> {
    /// Gives the request an id of the caller's choosing; see
    /// [`WorkRequest::with_id`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{RequestId, SendWorkRequest};
    ///
    /// assert_eq!(SendWorkRequest::new(|| ()).with_id(3).id(), RequestId::new(3));
    /// ```
    pub fn with_id(mut self, id: impl Into<RequestId>) -> Self {
        self.id = id.into();
        self.task.set_id(self.id);
        self
    }

    /// Switches the default exception report off; see
    /// [`WorkRequest::ignore_exception`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::SendWorkRequest;
    ///
    /// let request = SendWorkRequest::new(|| panic!("quiet")).ignore_exception();
    /// # drop(request);
    /// ```
    pub fn ignore_exception(mut self) -> Self {
        self.callbacks.on_exception = OnException::Ignore;
        self
    }

    /// The request's id.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{RequestId, SendWorkRequest};
    ///
    /// assert_eq!(SendWorkRequest::new(|| 0).with_id(8).id(), RequestId::new(8));
    /// ```
    pub fn id(&self) -> RequestId {
        self.id
    }
}

/// A request built to be put from any thread can also be put by the polling
/// thread itself, through [`ThreadPool::put_request`](crate::ThreadPool::put_request).
///
/// # Examples
///
/// ```
/// use threadpool_core::{SendWorkRequest, ThreadPool, WorkRequest};
///
/// let mut pool = ThreadPool::new(1)?;
/// let request: WorkRequest<'_, u8> = SendWorkRequest::new(|| 7).with_id(7).into();
/// assert_eq!(pool.put_request(request)?.chosen(), Some(7));
/// pool.wait()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl<T> From<SendWorkRequest<T>> for WorkRequest<'_, T> {
    fn from(request: SendWorkRequest<T>) -> Self {
        WorkRequest {
            id: request.id,
            task: request.task,
            callbacks: request.callbacks.into(),
            marker: PhantomData,
        }
    }
}

impl<T> fmt::Debug for SendWorkRequest<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendWorkRequest")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// One request per argument: the Python module's `makeRequests`.
///
/// Each request runs `f(arg)` on a worker; `callback` receives every
/// request's id and value on the polling thread, and panics get the default
/// report on stderr. Use [`make_requests_with`] to give an exception
/// callback too. Both callbacks are `FnMut`, shared by the requests, and may
/// borrow the caller's state.
///
/// # Examples
///
/// ```
/// use threadpool_core::{ThreadPool, make_requests};
///
/// let mut lengths = Vec::new();
/// let mut pool = ThreadPool::new(2)?;
/// let words = ["one", "three", "seven"].map(String::from);
/// for request in make_requests(|w: String| w.len(), words, |_id, n| lengths.push(n)) {
///     pool.put_request(request).map_err(|e| e.kind())?;
/// }
/// pool.wait()?;
/// drop(pool);
/// lengths.sort();
/// assert_eq!(lengths, [3, 5, 5]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn make_requests<'a, A, T, F, C>(
    f: F,
    args: impl IntoIterator<Item = A>,
    callback: C,
) -> Vec<WorkRequest<'a, T>>
where
    A: Send + 'static,
    T: Send + 'static,
    F: Fn(A) -> T + Send + Sync + 'static,
    C: FnMut(RequestId, T) + 'a,
{
    let callback = Rc::new(RefCell::new(callback));
    let f = Arc::new(f);
    args.into_iter()
        .map(|arg| {
            let f = Arc::clone(&f);
            let callback = Rc::clone(&callback);
            WorkRequest::new(move || f(arg))
                .on_result(move |id, value| (callback.borrow_mut())(id, value))
        })
        .collect()
}

/// [`make_requests`] with an exception callback, shared by the requests.
///
/// # Examples
///
/// ```
/// use threadpool_core::{ThreadPool, make_requests_with};
///
/// let (mut ok, mut failed) = (0, 0);
/// let mut pool = ThreadPool::new(2)?;
/// let requests = make_requests_with(
///     |n: u32| if n % 2 == 0 { n } else { panic!("odd") },
///     0..10,
///     |_id, _n| ok += 1,
///     |_id, _panic| failed += 1,
/// );
/// for request in requests {
///     pool.put_request(request).map_err(|e| e.kind())?;
/// }
/// pool.wait()?;
/// drop(pool);
/// assert_eq!((ok, failed), (5, 5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn make_requests_with<'a, A, T, F, C, E>(
    f: F,
    args: impl IntoIterator<Item = A>,
    callback: C,
    exc_callback: E,
) -> Vec<WorkRequest<'a, T>>
where
    A: Send + 'static,
    T: Send + 'static,
    F: Fn(A) -> T + Send + Sync + 'static,
    C: FnMut(RequestId, T) + 'a,
    E: FnMut(RequestId, Panic) + 'a,
{
    let exc_callback = Rc::new(RefCell::new(exc_callback));
    make_requests(f, args, callback)
        .into_iter()
        .map(|request| {
            let exc_callback = Rc::clone(&exc_callback);
            request.on_exception(move |id, panic| (exc_callback.borrow_mut())(id, panic))
        })
        .collect()
}
