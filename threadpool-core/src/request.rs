//! Work requests: a job, its id, and the callbacks that receive its outcome.
//!
//! A request's callbacks come in two styles that mix freely: closures that
//! capture what they touch (`on_result`), and closures that are handed the
//! pool's state (`on_result_with`), which need to capture nothing and so
//! can be put from any thread. Both are erased into one shape,
//! [`ResultCallback`], that receives the state as `&mut dyn Any`; a request
//! remembers which state type its callbacks take, and a put into a pool of
//! another state type is refused.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;

use crate::callback::ResultCallback;
use crate::cancel::{CancelToken, Control, Extras};
use crate::id::RequestId;
use crate::panic::{Exception, JobError};
use crate::progress::{Progress, ProgressCell};
use crate::task::{Task, TaskBox, TaskCell};

/// What happens when a request's job panics or fails.
pub(crate) enum OnException<B> {
    /// Report the id and the message on stderr, on the polling thread (the
    /// default).
    Report,
    /// Do nothing.
    Ignore,
    /// Call the request's exception callback.
    Call(B),
}

/// An exception callback, erased: state, id, exception.
type ExceptionCallback<'a> = Box<dyn FnOnce(&mut dyn Any, RequestId, Exception) + 'a>;

/// A request's callbacks, waiting on the polling side for its outcome.
pub(crate) struct Callbacks<'a> {
    /// Receives the state and an `&mut Option<T>` holding the job's value.
    pub(crate) on_result: Option<ResultCallback<'a, dyn Any>>,
    pub(crate) on_exception: OnException<ExceptionCallback<'a>>,
    /// The state type the callbacks take, if any takes one (a function,
    /// to keep the request small).
    pub(crate) state: Option<fn() -> StateType>,
    /// Cancellation and progress, for requests that have them (`cancel.rs`).
    pub(crate) extras: Option<Box<crate::cancel::Extras<'a>>>,
}

/// The type of state a request's callbacks take.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StateType {
    pub(crate) id: TypeId,
    pub(crate) name: &'static str,
}

impl StateType {
    pub(crate) fn of<S: 'static>() -> Self {
        StateType {
            id: TypeId::of::<S>(),
            name: std::any::type_name::<S>(),
        }
    }
}

/// The callbacks of a request put through a [`PoolHandle`](crate::PoolHandle),
/// on their way to the polling thread.
pub(crate) struct SendCallbacks(pub(crate) Callbacks<'static>);

// SAFETY: `SendCallbacks` are only made from a `SendWorkRequest`, every one
// of whose callbacks was required to be `Send` when it was set (see its
// methods); the erased callbacks own nothing else.
unsafe impl Send for SendCallbacks {}

impl<'a> Callbacks<'a> {
    const DEFAULT: Self = Callbacks {
        on_result: None,
        on_exception: OnException::Report,
        state: None,
        extras: None,
    };

    /// Notes that a callback takes state `S`.
    ///
    /// # Panics
    ///
    /// If another callback of the request takes another type of state.
    fn takes_state<S: 'static>(&mut self, method: &str) {
        let wanted = StateType::of::<S>();
        match self.state.map(|have| have()) {
            Some(have) if have.id != wanted.id => panic!(
                "WorkRequest::{method}: this request's other callback takes a `&mut {}`, \
                 this one a `&mut {}`; a request's callbacks take one state type",
                have.name, wanted.name
            ),
            _ => self.state = Some(StateType::of::<S>),
        }
    }

    /// Runs the callback that fits the outcome, on the calling thread,
    /// handing it `state`.
    #[inline]
    pub(crate) fn deliver(self, state: &mut dyn Any, id: RequestId, task: &mut dyn Task) {
        if self.extras.is_some() {
            self.deliver_controlled(state, id, task);
            return;
        }
        let Callbacks {
            on_result,
            on_exception,
            extras,
            ..
        } = self;
        // `None`, checked above: nothing to drop (and no call to a drop
        // function that would find that out).
        std::mem::forget(extras);
        Self::run(on_result, on_exception, state, id, task);
    }

    /// [`deliver`](Self::deliver) for a cancellable or progress-reporting
    /// request.
    #[cold]
    #[inline(never)]
    fn deliver_controlled(self, state: &mut dyn Any, id: RequestId, task: &mut dyn Task) {
        if self.cancel_requested() {
            // Whatever the job did, its value (dropped with the task) and
            // its panic stay unreported: the request was cancelled.
            self.cancel(state, id);
            return;
        }
        Self::run(self.on_result, self.on_exception, state, id, task);
    }

    /// Runs the result or the exception callback, as the outcome says.
    #[inline]
    fn run(
        on_result: Option<ResultCallback<'a, dyn Any>>,
        on_exception: OnException<ExceptionCallback<'a>>,
        state: &mut dyn Any,
        id: RequestId,
        task: &mut dyn Task,
    ) {
        let exception = match task.outcome() {
            crate::task::Outcome::Value(value) => match on_result {
                Some(on_result) => on_result.call(state, id, value),
                None => None,
            },
            crate::task::Outcome::Panicked(panic) => Some(Exception::Panicked(panic)),
        };
        if let Some(exception) = exception {
            match on_exception {
                OnException::Report => report(id, &exception),
                OnException::Ignore => {}
                OnException::Call(on_exception) => on_exception(state, id, exception),
            }
        }
    }
}

impl Callbacks<'_> {
    /// Whether a cancel reached this request while it ran.
    #[inline]
    pub(crate) fn cancel_requested(&self) -> bool {
        self.extras
            .as_ref()
            .is_some_and(|extras| extras.control.is_cancelled())
    }

    /// Reports the request as cancelled: its exception callback, if it has
    /// one, receives [`Exception::Cancelled`]; the default report on stderr
    /// stays silent (the owner asked for it).
    pub(crate) fn cancel(self, state: &mut dyn Any, id: RequestId) {
        if let OnException::Call(on_exception) = self.on_exception {
            on_exception(state, id, Exception::Cancelled);
        }
    }
}

/// The default exception callback: the id and message, on stderr.
fn report(id: RequestId, exception: &Exception) {
    // Not `eprintln!`, which panics when stderr is gone.
    use std::io::Write;
    let what = if exception.is_panic() {
        "panicked"
    } else {
        "failed"
    };
    let _ = writeln!(
        std::io::stderr(),
        "threadpool: request {id} {what}: {exception}"
    );
}

/// Takes the job's value out of the task cell's `Option<T>`.
fn take_value<T: 'static>(value: &mut dyn Any) -> T {
    value
        .downcast_mut::<Option<T>>()
        .and_then(Option::take)
        .expect("a request's value has the request's type and is taken once")
}

/// The pool's state as the type a callback takes. The put checked the type
/// (`Callbacks::state`); a pool whose state is another type can only have
/// got here for a callback that takes `()`, which needs no state.
fn state_as<S: 'static>(state: &mut dyn Any, f: impl FnOnce(&mut S)) {
    if let Some(state) = state.downcast_mut::<S>() {
        f(state);
    } else if let Some(unit) = (&mut () as &mut dyn Any).downcast_mut::<S>() {
        f(unit);
    } else {
        unreachable!("a put refuses callbacks that take another state than the pool's");
    }
}

/// A job for the pool, with its id and the callbacks for its outcome.
///
/// The job is any `FnOnce() -> T + Send + 'static`; it runs on a worker
/// thread. The callbacks run on the thread that calls
/// [`ThreadPool::poll`](crate::ThreadPool::poll) or
/// [`wait`](crate::ThreadPool::wait), never on a worker, so they need not be
/// `Send`. Each callback comes in two forms:
///
/// - [`on_result`](Self::on_result), [`on_exception`](Self::on_exception),
///   [`on_ok`](Self::on_ok): a closure that captures what it changes, and
///   may borrow the caller's locals for `'a`;
/// - [`on_result_with`](Self::on_result_with),
///   [`on_exception_with`](Self::on_exception_with),
///   [`on_ok_with`](Self::on_ok_with): a closure that is handed the pool's
///   state (`&mut S`, see [`ThreadPool::with_state`](crate::ThreadPool::with_state)),
///   which the caller reads and changes freely between polls.
///
/// The Python module's `WorkRequest(callable, args, kwds, requestID,
/// callback, exc_callback)` maps to `WorkRequest::new(move || callable(args))`
/// with [`with_id`](Self::with_id), [`on_result`](Self::on_result) and
/// [`on_exception`](Self::on_exception).
///
/// # Examples
///
/// ```
/// use threadpool_core::{ThreadPool, WorkRequest};
///
/// let mut answer = 0;
/// let mut pool = ThreadPool::new(2)?;
/// pool.put_request(WorkRequest::new(|| 6 * 7).on_result(|_id, value| answer = value))?;
/// pool.wait()?;
/// drop(pool); // the callback borrowed `answer` until here
/// assert_eq!(answer, 42);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Many requests that change the same variable hand it to the pool as its
/// state (closures that each borrowed it mutably would be refused by the
/// borrow checker), and the state can be read at any time:
///
/// ```
/// use threadpool_core::{ThreadPool, WorkRequest};
///
/// let mut pool = ThreadPool::with_state(2, 0_u64)?;
/// for n in 1..=4_u64 {
///     pool.put_request(
///         WorkRequest::new(move || n * n).on_result_with(|total: &mut u64, _id, square| *total += square),
///     )?;
/// }
/// pool.wait()?;
/// assert_eq!(*pool.state(), 1 + 4 + 9 + 16);
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
    pub(crate) task: TaskBox,
    pub(crate) callbacks: Callbacks<'a>,
    marker: PhantomData<fn() -> T>,
}

impl<'a, T: Send + 'static> WorkRequest<'a, T> {
    /// A request for `job`, with a fresh id and the default exception
    /// callback (which reports the id and panic message on stderr, from
    /// the polling thread).
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
    #[inline]
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

    /// A cancellable request whose job is handed its [`CancelToken`]: the
    /// job checks [`CancelToken::is_cancelled`] when it can and returns
    /// early. See [`ThreadPool::cancel`](crate::ThreadPool::cancel) for what
    /// a cancel does before and while the job runs.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{CancelOutcome, ThreadPool, WorkRequest};
    ///
    /// let mut cancelled = Vec::new();
    /// let mut pool = ThreadPool::new(0)?; // nothing runs until workers exist
    /// let id = pool.put_request(
    ///     WorkRequest::with_cancel(|token| token.is_cancelled())
    ///         .on_exception(|id, exc| cancelled.push((id, exc.is_cancelled()))),
    /// )?;
    /// assert_eq!(pool.cancel(id), CancelOutcome::Dequeued);
    /// drop(pool);
    /// assert_eq!(cancelled, [(id, true)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_cancel<F>(job: F) -> Self
    where
        F: FnOnce(CancelToken) -> T + Send + 'static,
    {
        let control = Control::new();
        let token = CancelToken {
            control: Arc::clone(&control),
        };
        WorkRequest::new(move || job(token)).controlled(control)
    }

    /// A request whose job reports progress through its [`Progress`]
    /// handle; [`on_progress`](Self::on_progress) receives the values on
    /// the polling thread. The request is cancellable, too
    /// ([`Progress::is_cancelled`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{Progress, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::with_state(1, Vec::<u8>::new())?;
    /// pool.put_request(
    ///     WorkRequest::with_progress(|progress: Progress<u8>| {
    ///         progress.report(50);
    ///         progress.report(100);
    ///     })
    ///     .on_progress_with(|seen: &mut Vec<u8>, _id, percent| seen.push(percent)),
    /// )?;
    /// pool.wait()?;
    /// assert_eq!(pool.state().last(), Some(&100));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_progress<P, F>(job: F) -> Self
    where
        P: Send + 'static,
        F: FnOnce(Progress<P>) -> T + Send + 'static,
    {
        let control = Control::new();
        let cell = ProgressCell::<P>::new();
        let progress = Progress {
            cell: Arc::clone(&cell),
            control: Arc::clone(&control),
        };
        let mut request = WorkRequest::new(move || job(progress)).controlled(control);
        if let Some(extras) = &mut request.callbacks.extras {
            extras.progress = Some((cell, std::any::type_name::<P>()));
        }
        request
    }

    /// Sets the callback that receives each progress value the job reports
    /// (see [`with_progress`](Self::with_progress)), on the polling thread,
    /// in order, coalesced to the latest value when the poller is slower
    /// than the job. All of a request's progress callbacks run before its
    /// result callback; none runs once it is cancelled.
    ///
    /// Name the value's type in the closure (`|id, bytes: u64|`): it must
    /// be the job's `P`, which the compiler cannot see from here (an
    /// unnamed integer would be taken for an `i32`).
    ///
    /// # Panics
    ///
    /// If the request was not made by `with_progress`, or its job reports
    /// values of another type than `P`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{Progress, ThreadPool, WorkRequest};
    ///
    /// let mut percents = Vec::new();
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.put_request(
    ///     WorkRequest::with_progress(|p: Progress<f32>| p.report(1.0)).on_progress(|_id, f: f32| percents.push(f)),
    /// )?;
    /// pool.wait()?;
    /// drop(pool);
    /// assert_eq!(percents, [1.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_progress<P, F>(self, mut callback: F) -> Self
    where
        P: Send + 'static,
        F: FnMut(RequestId, P) + 'a,
    {
        self.set_on_progress::<P>("on_progress", move |_: &mut dyn Any, id, value| {
            callback(id, value)
        })
    }

    /// [`on_progress`](Self::on_progress) with the pool's state, as
    /// [`on_result_with`](Self::on_result_with).
    ///
    /// # Panics
    ///
    /// As `on_progress`, and if another callback of the request takes
    /// another type of state.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{Progress, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::with_state(1, 0_u64)?;
    /// pool.put_request(
    ///     WorkRequest::with_progress(|p: Progress<u64>| p.report(7))
    ///         .on_progress_with(|bytes: &mut u64, _id, b| *bytes = b),
    /// )?;
    /// pool.wait()?;
    /// assert_eq!(*pool.state(), 7);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_progress_with<S, P, F>(mut self, mut callback: F) -> Self
    where
        S: 'static,
        P: Send + 'static,
        F: FnMut(&mut S, RequestId, P) + 'a,
    {
        self.callbacks.takes_state::<S>("on_progress_with");
        self.set_on_progress::<P>("on_progress_with", move |state: &mut dyn Any, id, value| {
            state_as(state, |state: &mut S| callback(state, id, value));
        })
    }

    fn set_on_progress<P: Send + 'static>(
        mut self,
        method: &str,
        mut callback: impl FnMut(&mut dyn Any, RequestId, P) + 'a,
    ) -> Self {
        let Some(extras) = &mut self.callbacks.extras else {
            panic!(
                "WorkRequest::{method}: the request was not made by `WorkRequest::with_progress`"
            );
        };
        let Some((cell, reports)) = &extras.progress else {
            panic!(
                "WorkRequest::{method}: the request was not made by `WorkRequest::with_progress`"
            );
        };
        let Ok(cell) = Arc::clone(cell).downcast::<ProgressCell<P>>() else {
            panic!(
                "WorkRequest::{method}: the job reports `{reports}`, this callback takes `{}`",
                std::any::type_name::<P>()
            );
        };
        extras.on_progress = Some(Box::new(move |state: &mut dyn Any, id| {
            if let Some(value) = cell.take() {
                callback(state, id, value);
            }
        }));
        self
    }

    /// Makes the request cancellable by [`ThreadPool::cancel`](crate::ThreadPool::cancel):
    /// taken out unrun while it waits in the queue, reported as cancelled
    /// if the cancel comes while its job runs (the job is not interrupted;
    /// use [`with_cancel`](Self::with_cancel) to let it stop early).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{CancelOutcome, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(0)?;
    /// let keep = pool.put_request(WorkRequest::new(|| 1))?;
    /// let drop_me = pool.put_request(WorkRequest::new(|| 2).cancellable())?;
    /// assert_eq!(pool.cancel(keep), CancelOutcome::NotFound); // not cancellable
    /// assert_eq!(pool.cancel(drop_me), CancelOutcome::Dequeued);
    /// assert_eq!(pool.outstanding(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cancellable(self) -> Self {
        if self.callbacks.extras.is_some() {
            return self;
        }
        self.controlled(Control::new())
    }

    /// Attaches `control` to the job (checked by the worker before it
    /// starts) and to the callbacks (checked by the poller).
    fn controlled(mut self, control: Arc<Control>) -> Self {
        self.task.set_control(Arc::clone(&control));
        self.callbacks.extras = Some(Box::new(Extras::new(control)));
        self
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
    /// )?;
    /// pool.wait()?;
    /// drop(pool);
    /// assert_eq!(lines, ["1: 42"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn on_result<F>(mut self, callback: F) -> Self
    where
        F: FnOnce(RequestId, T) + 'a,
    {
        self.callbacks.on_result = Some(ResultCallback::new(
            move |_: &mut dyn Any, id, value: &mut dyn Any| {
                callback(id, take_value::<T>(value));
                None
            },
        ));
        self
    }

    /// Sets the callback that receives the pool's state, the request's id
    /// and the job's value.
    ///
    /// `S` must be the pool's state type ([`ThreadPool::with_state`](crate::ThreadPool::with_state)),
    /// or the put refuses the request with
    /// [`PutErrorKind::WrongState`](crate::PutErrorKind::WrongState).
    /// Name the type in the closure (`|state: &mut Counts, id, value|`).
    ///
    /// # Panics
    ///
    /// If the request's exception callback takes another type of state.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::with_state(1, Vec::<String>::new())?;
    /// pool.put_request(
    ///     WorkRequest::new(|| 6 * 7)
    ///         .with_id(1)
    ///         .on_result_with(|lines: &mut Vec<String>, id, value| lines.push(format!("{id}: {value}"))),
    /// )?;
    /// pool.wait()?;
    /// assert_eq!(pool.state(), &["1: 42"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn on_result_with<S, F>(mut self, callback: F) -> Self
    where
        S: 'static,
        F: FnOnce(&mut S, RequestId, T) + 'a,
    {
        self.callbacks.takes_state::<S>("on_result_with");
        self.callbacks.on_result = Some(ResultCallback::new(
            move |state: &mut dyn Any, id, value: &mut dyn Any| {
                let value = take_value::<T>(value);
                state_as(state, |state: &mut S| callback(state, id, value));
                None
            },
        ));
        self
    }

    /// Sets the callback that receives the request's id and the
    /// [`Exception`] when the job panics (or, with [`on_ok`](Self::on_ok),
    /// returns `Err`), in place of the default report on stderr. A panic
    /// handled here prints nothing, not even the standard panic message.
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
    ///         .on_exception(|id, exc| failed.push((id, exc.to_string()))),
    /// )?;
    /// pool.wait()?;
    /// drop(pool);
    /// assert_eq!(failed, [(5.into(), "bad input".to_owned())]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_exception<F>(mut self, callback: F) -> Self
    where
        F: FnOnce(RequestId, Exception) + 'a,
    {
        self.callbacks.on_exception =
            OnException::Call(Box::new(move |_: &mut dyn Any, id, exception| {
                callback(id, exception)
            }));
        self
    }

    /// Sets the exception callback that receives the pool's state too; see
    /// [`on_exception`](Self::on_exception) and
    /// [`on_result_with`](Self::on_result_with).
    ///
    /// # Panics
    ///
    /// If the request's result callback takes another type of state.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// #[derive(Default)]
    /// struct Log { ok: u32, failed: Vec<String> }
    ///
    /// let mut pool = ThreadPool::with_state(2, Log::default())?;
    /// for n in 0..4_u32 {
    ///     pool.put_request(
    ///         WorkRequest::new(move || if n == 2 { panic!("two") } else { n })
    ///             .on_result_with(|log: &mut Log, _id, _n| log.ok += 1)
    ///             .on_exception_with(|log: &mut Log, _id, exc| log.failed.push(exc.to_string())),
    ///     )?;
    /// }
    /// pool.wait()?;
    /// assert_eq!((pool.state().ok, &pool.state().failed[..]), (3, &["two".to_owned()][..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_exception_with<S, F>(mut self, callback: F) -> Self
    where
        S: 'static,
        F: FnOnce(&mut S, RequestId, Exception) + 'a,
    {
        self.callbacks.takes_state::<S>("on_exception_with");
        self.callbacks.on_exception =
            OnException::Call(Box::new(move |state: &mut dyn Any, id, exception| {
                state_as(state, |state: &mut S| callback(state, id, exception));
            }));
        self
    }
}

impl<'a, T, E> WorkRequest<'a, Result<T, E>>
where
    T: Send + 'static,
    E: fmt::Display + Send + 'static,
{
    /// For a job that returns `Result<T, E>`: sets the callback for `Ok`
    /// values and sends `Err` to the exception path, as
    /// [`Exception::Failed`] (where [`Exception::error`] gives the `E` back),
    /// the way a Python job that raises reaches `exc_callback`.
    ///
    /// Without `on_ok`, a `Result` is a value like any other and goes to
    /// [`on_result`](Self::on_result) whole.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut size = None;
    /// let mut error = None;
    /// let mut pool = ThreadPool::new(2)?;
    /// pool.put_request(
    ///     WorkRequest::new(|| std::fs::metadata("Cargo.toml").map(|m| m.len()))
    ///         .on_ok(|_id, len| size = Some(len)),
    /// )?;
    /// pool.put_request(
    ///     WorkRequest::new(|| std::fs::metadata("no-such-file").map(|m| m.len()))
    ///         .on_ok(|_id, _len| unreachable!())
    ///         .on_exception(|_id, exc| error = exc.error::<std::io::Error>().map(|e| e.kind())),
    /// )?;
    /// pool.wait()?;
    /// drop(pool);
    /// assert!(size.is_some());
    /// assert_eq!(error, Some(std::io::ErrorKind::NotFound));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_ok<F>(mut self, callback: F) -> Self
    where
        F: FnOnce(RequestId, T) + 'a,
    {
        self.callbacks.on_result = Some(ResultCallback::new(
            move |_: &mut dyn Any, id, value: &mut dyn Any| match take_value::<Result<T, E>>(value)
            {
                Ok(value) => {
                    callback(id, value);
                    None
                }
                Err(error) => Some(Exception::Failed(JobError::new(error))),
            },
        ));
        self
    }

    /// [`on_ok`](Self::on_ok) with the pool's state, as
    /// [`on_result_with`](Self::on_result_with).
    ///
    /// # Panics
    ///
    /// If the request's exception callback takes another type of state.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::with_state(1, (0_u32, 0_u32))?;
    /// for text in ["1", "x", "3"] {
    ///     pool.put_request(
    ///         WorkRequest::new(move || text.parse::<u32>())
    ///             .on_ok_with(|(sum, _): &mut (u32, u32), _id, n| *sum += n)
    ///             .on_exception_with(|(_, bad): &mut (u32, u32), _id, _exc| *bad += 1),
    ///     )?;
    /// }
    /// pool.wait()?;
    /// assert_eq!(*pool.state(), (4, 1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_ok_with<S, F>(mut self, callback: F) -> Self
    where
        S: 'static,
        F: FnOnce(&mut S, RequestId, T) + 'a,
    {
        self.callbacks.takes_state::<S>("on_ok_with");
        self.callbacks.on_result = Some(ResultCallback::new(
            move |state: &mut dyn Any, id, value: &mut dyn Any| match take_value::<Result<T, E>>(
                value,
            ) {
                Ok(value) => {
                    state_as(state, |state: &mut S| callback(state, id, value));
                    None
                }
                Err(error) => Some(Exception::Failed(JobError::new(error))),
            },
        ));
        self
    }
}

impl<T> WorkRequest<'_, T> {
    /// Gives the request an id of the caller's choosing.
    ///
    /// `put_request` refuses it while another request with the same chosen
    /// id is outstanding (put, and its callback not yet run).
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
    /// and otherwise ignored, silently.
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
/// [`PoolHandle`](crate::PoolHandle), or by a callback or a job.
///
/// It is a [`WorkRequest`] whose callbacks are `Send + 'static`, because they
/// travel from the thread that puts the request to the thread that polls the
/// pool; they still run only on the polling thread. Callbacks set with the
/// `_with` methods are handed the pool's state there, so requests from other
/// threads update the same state as the pool's own.
///
/// # Examples
///
/// ```
/// use threadpool_core::{SendWorkRequest, ThreadPool};
///
/// let mut pool = ThreadPool::with_state(2, 0_u64)?;
/// let handle = pool.handle();
/// std::thread::spawn(move || {
///     for n in 1..=3 {
///         let request = SendWorkRequest::new(move || n * 10)
///             .on_result_with(|total: &mut u64, _id, v| *total += v);
///         handle.put_request(request).unwrap();
///     }
/// })
/// .join()
/// .unwrap();
/// pool.wait()?;
/// assert_eq!(*pool.state(), 60);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "a work request does nothing until it is put into a pool"]
pub struct SendWorkRequest<T> {
    pub(crate) inner: WorkRequest<'static, T>,
}

// SAFETY: the request's task is `Send`, and every callback it holds was
// required to be `Send` by the method that set it (below); nothing else in
// a `WorkRequest` is tied to a thread.
unsafe impl<T> Send for SendWorkRequest<T> {}

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
        SendWorkRequest {
            inner: WorkRequest::new(job),
        }
    }

    /// A cancellable request whose job is handed its [`CancelToken`]; see
    /// [`WorkRequest::with_cancel`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{CancelOutcome, SendWorkRequest, ThreadPool};
    ///
    /// let mut pool = ThreadPool::new(0)?;
    /// let handle = pool.handle();
    /// let id = std::thread::spawn(move || {
    ///     handle.put_request(SendWorkRequest::with_cancel(|token| token.is_cancelled())).unwrap()
    /// })
    /// .join()
    /// .unwrap();
    /// assert_eq!(pool.cancel(id), CancelOutcome::Dequeued);
    /// assert_eq!(pool.outstanding(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_cancel<F>(job: F) -> Self
    where
        F: FnOnce(CancelToken) -> T + Send + 'static,
    {
        SendWorkRequest {
            inner: WorkRequest::with_cancel(job),
        }
    }

    /// A request whose job reports progress; see
    /// [`WorkRequest::with_progress`]. Its progress callback
    /// ([`on_progress`](Self::on_progress)) runs on the polling thread, like
    /// its other callbacks.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{Progress, SendWorkRequest, ThreadPool};
    ///
    /// let mut pool = ThreadPool::with_state(1, Vec::<u8>::new())?;
    /// let handle = pool.handle();
    /// std::thread::spawn(move || {
    ///     let request = SendWorkRequest::with_progress(|p: Progress<u8>| p.report(100))
    ///         .on_progress_with(|seen: &mut Vec<u8>, _id, percent: u8| seen.push(percent));
    ///     handle.put_request(request).unwrap();
    /// })
    /// .join()
    /// .unwrap();
    /// pool.wait()?;
    /// assert_eq!(pool.state(), &[100]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_progress<P, F>(job: F) -> Self
    where
        P: Send + 'static,
        F: FnOnce(Progress<P>) -> T + Send + 'static,
    {
        SendWorkRequest {
            inner: WorkRequest::with_progress(job),
        }
    }

    /// Sets the progress callback; see [`WorkRequest::on_progress`].
    ///
    /// # Panics
    ///
    /// As `WorkRequest::on_progress`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{Progress, SendWorkRequest};
    ///
    /// let request = SendWorkRequest::with_progress(|p: Progress<u64>| p.report(1))
    ///     .on_progress(|_id, bytes: u64| println!("{bytes} bytes"));
    /// # drop(request);
    /// ```
    pub fn on_progress<P, F>(self, callback: F) -> Self
    where
        P: Send + 'static,
        F: FnMut(RequestId, P) + Send + 'static,
    {
        SendWorkRequest {
            inner: self.inner.on_progress(callback),
        }
    }

    /// Sets the progress callback with the pool's state; see
    /// [`WorkRequest::on_progress_with`].
    ///
    /// # Panics
    ///
    /// As `WorkRequest::on_progress_with`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{Progress, SendWorkRequest};
    ///
    /// let request = SendWorkRequest::with_progress(|p: Progress<u64>| p.report(1))
    ///     .on_progress_with(|total: &mut u64, _id, bytes: u64| *total = bytes);
    /// # drop(request);
    /// ```
    pub fn on_progress_with<S, P, F>(self, callback: F) -> Self
    where
        S: 'static,
        P: Send + 'static,
        F: FnMut(&mut S, RequestId, P) + Send + 'static,
    {
        SendWorkRequest {
            inner: self.inner.on_progress_with(callback),
        }
    }

    /// Makes the request cancellable; see [`WorkRequest::cancellable`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{CancelOutcome, SendWorkRequest, ThreadPool};
    ///
    /// let mut pool = ThreadPool::new(0)?;
    /// let id = pool.handle().put_request(SendWorkRequest::new(|| 1).cancellable())?;
    /// assert_eq!(pool.cancel(id), CancelOutcome::Dequeued);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cancellable(self) -> Self {
        SendWorkRequest {
            inner: self.inner.cancellable(),
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
    pub fn on_result<F>(self, callback: F) -> Self
    where
        F: FnOnce(RequestId, T) + Send + 'static,
    {
        SendWorkRequest {
            inner: self.inner.on_result(callback),
        }
    }

    /// Sets the callback for the pool's state and the job's value; see
    /// [`WorkRequest::on_result_with`].
    ///
    /// # Panics
    ///
    /// If the exception callback takes another type of state.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::SendWorkRequest;
    ///
    /// let request = SendWorkRequest::new(|| 1).on_result_with(|sum: &mut u32, _id, v| *sum += v);
    /// # drop(request);
    /// ```
    pub fn on_result_with<S, F>(self, callback: F) -> Self
    where
        S: 'static,
        F: FnOnce(&mut S, RequestId, T) + Send + 'static,
    {
        SendWorkRequest {
            inner: self.inner.on_result_with(callback),
        }
    }

    /// Sets the exception callback; see [`WorkRequest::on_exception`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::SendWorkRequest;
    ///
    /// let request = SendWorkRequest::new(|| panic!("no")).on_exception(|_id, exc| eprintln!("{exc}"));
    /// # drop(request);
    /// ```
    pub fn on_exception<F>(self, callback: F) -> Self
    where
        F: FnOnce(RequestId, Exception) + Send + 'static,
    {
        SendWorkRequest {
            inner: self.inner.on_exception(callback),
        }
    }

    /// Sets the exception callback with the pool's state; see
    /// [`WorkRequest::on_exception_with`].
    ///
    /// # Panics
    ///
    /// If the result callback takes another type of state.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::SendWorkRequest;
    ///
    /// let request = SendWorkRequest::new(|| panic!("no"))
    ///     .on_exception_with(|failures: &mut u32, _id, _exc| *failures += 1);
    /// # drop(request);
    /// ```
    pub fn on_exception_with<S, F>(self, callback: F) -> Self
    where
        S: 'static,
        F: FnOnce(&mut S, RequestId, Exception) + Send + 'static,
    {
        SendWorkRequest {
            inner: self.inner.on_exception_with(callback),
        }
    }
}

impl<T, E> SendWorkRequest<Result<T, E>>
where
    T: Send + 'static,
    E: fmt::Display + Send + 'static,
{
    /// `Ok` values to `callback`, `Err` to the exception path; see
    /// [`WorkRequest::on_ok`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::SendWorkRequest;
    ///
    /// let request = SendWorkRequest::new(|| "7".parse::<u8>()).on_ok(|_id, n| assert_eq!(n, 7));
    /// # drop(request);
    /// ```
    pub fn on_ok<F>(self, callback: F) -> Self
    where
        F: FnOnce(RequestId, T) + Send + 'static,
    {
        SendWorkRequest {
            inner: self.inner.on_ok(callback),
        }
    }

    /// [`on_ok`](Self::on_ok) with the pool's state; see
    /// [`WorkRequest::on_ok_with`].
    ///
    /// # Panics
    ///
    /// If the exception callback takes another type of state.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::SendWorkRequest;
    ///
    /// let request = SendWorkRequest::new(|| "7".parse::<u8>()).on_ok_with(|sum: &mut u32, _id, n| *sum += u32::from(n));
    /// # drop(request);
    /// ```
    pub fn on_ok_with<S, F>(self, callback: F) -> Self
    where
        S: 'static,
        F: FnOnce(&mut S, RequestId, T) + Send + 'static,
    {
        SendWorkRequest {
            inner: self.inner.on_ok_with(callback),
        }
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
    pub fn with_id(self, id: impl Into<RequestId>) -> Self {
        SendWorkRequest {
            inner: self.inner.with_id(id),
        }
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
    pub fn ignore_exception(self) -> Self {
        SendWorkRequest {
            inner: self.inner.ignore_exception(),
        }
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
        self.inner.id
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
        request.inner
    }
}

impl<T> fmt::Debug for SendWorkRequest<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendWorkRequest")
            .field("id", &self.inner.id)
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
///     pool.put_request(request)?;
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
/// Each callback may borrow the caller's variables, but the two cannot both
/// borrow the same variable mutably (the compiler refuses it): to update
/// one variable from both, hand it to the pool as its state, with
/// [`ThreadPool::with_state`](crate::ThreadPool::with_state) and
/// [`make_requests_with_state`].
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
///     |_id, _exc| failed += 1,
/// );
/// for request in requests {
///     pool.put_request(request)?;
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
    E: FnMut(RequestId, Exception) + 'a,
{
    let exc_callback = Rc::new(RefCell::new(exc_callback));
    make_requests(f, args, callback)
        .into_iter()
        .map(|request| {
            let exc_callback = Rc::clone(&exc_callback);
            request.on_exception(move |id, exception| (exc_callback.borrow_mut())(id, exception))
        })
        .collect()
}

/// [`make_requests_with`] whose callbacks are handed the pool's state
/// (`&mut S`) instead of capturing it: both may change it, and the caller
/// reads it between polls with [`ThreadPool::state`](crate::ThreadPool::state).
/// The callbacks are plain functions or closures that capture nothing
/// borrowed, so the requests are [`SendWorkRequest`]s, which any thread
/// may put.
///
/// # Examples
///
/// ```
/// use threadpool_core::{ThreadPool, make_requests_with_state};
///
/// #[derive(Default)]
/// struct Tally { ok: Vec<u32>, failed: usize }
///
/// let mut pool = ThreadPool::with_state(2, Tally::default())?;
/// let requests = make_requests_with_state(
///     |n: u32| if n % 2 == 0 { n } else { panic!("odd") },
///     0..6,
///     |tally: &mut Tally, _id, n| tally.ok.push(n),
///     |tally: &mut Tally, _id, _exc| tally.failed += 1,
/// );
/// for request in requests {
///     pool.put_request(request)?;
///     println!("{} done so far", pool.state().ok.len()); // readable at any time
/// }
/// pool.wait()?;
/// pool.state_mut().ok.sort();
/// assert_eq!((&pool.state().ok[..], pool.state().failed), (&[0, 2, 4][..], 3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn make_requests_with_state<A, T, S, F, C, E>(
    f: F,
    args: impl IntoIterator<Item = A>,
    callback: C,
    exc_callback: E,
) -> Vec<SendWorkRequest<T>>
where
    A: Send + 'static,
    T: Send + 'static,
    S: 'static,
    F: Fn(A) -> T + Send + Sync + 'static,
    C: Fn(&mut S, RequestId, T) + Send + Sync + 'static,
    E: Fn(&mut S, RequestId, Exception) + Send + Sync + 'static,
{
    let f = Arc::new(f);
    let callbacks = Arc::new((callback, exc_callback));
    args.into_iter()
        .map(|arg| {
            let f = Arc::clone(&f);
            let on_result = Arc::clone(&callbacks);
            let on_exception = Arc::clone(&callbacks);
            SendWorkRequest::new(move || f(arg))
                .on_result_with(move |state: &mut S, id, value| (on_result.0)(state, id, value))
                .on_exception_with(move |state: &mut S, id, exc| (on_exception.1)(state, id, exc))
        })
        .collect()
}
