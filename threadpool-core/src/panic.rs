//! [`Panic`]: what a job that panicked leaves behind.

use std::any::Any;
use std::cell::Cell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// Set while this thread runs a work request's job: a panic there is
    /// caught and reported to the request's exception path, on the
    /// polling thread, so the standard panic message would only repeat it.
    static IN_REQUEST: Cell<bool> = const { Cell::new(false) };
}

/// Makes the panic hook skip panics of request jobs, once per process: the
/// hook installed before (the standard one, or the program's own) still
/// sees every other panic. A hook the program installs later replaces this
/// one, and then sees request panics too.
pub(crate) fn quiet_request_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_REQUEST.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs a request's job, catching its panic without the panic hook's
/// message (see [`quiet_request_panics`]).
pub(crate) fn catch_request_panic<T>(job: impl FnOnce() -> T) -> std::thread::Result<T> {
    /// Restores the flag however the job ends.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            IN_REQUEST.with(|flag| flag.set(self.0));
        }
    }
    let _restore = Restore(IN_REQUEST.with(|flag| flag.replace(true)));
    catch_unwind(AssertUnwindSafe(job))
}

/// The panic of a job, handed to its request's exception callback inside
/// an [`Exception`].
///
/// It carries the panic payload and, when the payload is a string (as it is
/// for `panic!("...")`), its message.
///
/// # Examples
///
/// ```
/// use threadpool_core::{ThreadPool, WorkRequest};
///
/// let mut message = None;
/// let mut pool = ThreadPool::new(1)?;
/// pool.put_request(
///     WorkRequest::new(|| -> u32 { panic!("disk on fire") })
///         .on_exception(|_id, exc| message = exc.panic().and_then(|p| p.message()).map(str::to_owned)),
/// )?;
/// pool.wait()?;
/// drop(pool);
/// assert_eq!(message.as_deref(), Some("disk on fire"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Panic {
    payload: Box<dyn Any + Send + 'static>,
}

impl Panic {
    /// Wraps a payload caught by [`std::panic::catch_unwind`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::Panic;
    ///
    /// let payload = std::panic::catch_unwind(|| panic!("boom")).unwrap_err();
    /// assert_eq!(Panic::new(payload).message(), Some("boom"));
    /// ```
    pub fn new(payload: Box<dyn Any + Send + 'static>) -> Self {
        Panic { payload }
    }

    /// The panic message, when the payload is a `&'static str` or a `String`.
    ///
    /// Payloads of other types (from `std::panic::panic_any`) have no message;
    /// [`payload`](Self::payload) still gives access to them.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::Panic;
    ///
    /// let text = Panic::new(Box::new(format!("code {}", 7)));
    /// assert_eq!(text.message(), Some("code 7"));
    /// let number = Panic::new(Box::new(7_u8));
    /// assert_eq!(number.message(), None);
    /// ```
    pub fn message(&self) -> Option<&str> {
        if let Some(s) = self.payload.downcast_ref::<&'static str>() {
            Some(s)
        } else {
            self.payload.downcast_ref::<String>().map(String::as_str)
        }
    }

    /// The raw payload, for `downcast_ref` to the type the job panicked with.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::Panic;
    ///
    /// let panic = Panic::new(Box::new(404_u16));
    /// assert_eq!(panic.payload().downcast_ref::<u16>(), Some(&404));
    /// ```
    pub fn payload(&self) -> &(dyn Any + Send + 'static) {
        &*self.payload
    }

    /// Gives the payload back, e.g. for [`std::panic::resume_unwind`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::Panic;
    ///
    /// let payload = Panic::new(Box::new("boom")).into_payload();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    /// ```
    pub fn into_payload(self) -> Box<dyn Any + Send + 'static> {
        self.payload
    }

    /// Continues the panic on the calling thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::Panic;
    ///
    /// let caught = std::panic::catch_unwind(|| Panic::new(Box::new("again")).resume());
    /// assert_eq!(Panic::new(caught.unwrap_err()).message(), Some("again"));
    /// ```
    pub fn resume(self) -> ! {
        std::panic::resume_unwind(self.payload)
    }
}

impl fmt::Debug for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message() {
            Some(message) => f.debug_tuple("Panic").field(&message).finish(),
            None => f
                .debug_tuple("Panic")
                .field(&"<non-string payload>")
                .finish(),
        }
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message().unwrap_or("<non-string panic payload>"))
    }
}

/// The error a fallible job returned, handed to its request's exception
/// callback when the request opted in with
/// [`WorkRequest::on_ok`](crate::WorkRequest::on_ok).
///
/// It keeps the job's own error value; [`downcast`](Self::downcast) and
/// [`downcast_ref`](Self::downcast_ref) give it back with its type, and
/// `Display` shows it.
///
/// # Examples
///
/// ```
/// use threadpool_core::{Exception, ThreadPool, WorkRequest};
///
/// let mut seen = None;
/// let mut pool = ThreadPool::new(1)?;
/// pool.put_request(
///     WorkRequest::new(|| "x".parse::<u8>())
///         .on_ok(|_id, n| println!("parsed {n}"))
///         .on_exception(|_id, exc| {
///             if let Exception::Failed(err) = exc {
///                 seen = err.downcast::<std::num::ParseIntError>().ok();
///             }
///         }),
/// )?;
/// pool.wait()?;
/// drop(pool);
/// assert!(seen.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct JobError {
    error: Box<dyn Any + Send>,
    display: fn(&(dyn Any + Send), &mut fmt::Formatter<'_>) -> fmt::Result,
}

impl JobError {
    /// Wraps a job's error value.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::JobError;
    ///
    /// let err = JobError::new(String::from("HTTP 404"));
    /// assert_eq!(err.to_string(), "HTTP 404");
    /// ```
    pub fn new<E: fmt::Display + Send + 'static>(error: E) -> Self {
        JobError {
            error: Box::new(error),
            display: |error, f| match error.downcast_ref::<E>() {
                Some(error) => fmt::Display::fmt(error, f),
                None => f.write_str("<job error>"),
            },
        }
    }

    /// The error, if it has type `E`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::JobError;
    ///
    /// let err = JobError::new(7_u8);
    /// assert_eq!(err.downcast_ref::<u8>(), Some(&7));
    /// assert_eq!(err.downcast_ref::<u16>(), None);
    /// ```
    pub fn downcast_ref<E: 'static>(&self) -> Option<&E> {
        self.error.downcast_ref()
    }

    /// Takes the error out, if it has type `E`; gives `self` back otherwise.
    ///
    /// # Errors
    ///
    /// `Err(self)` when the error is not an `E`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::JobError;
    ///
    /// let err = JobError::new(String::from("gone"));
    /// let err = err.downcast::<u8>().unwrap_err();
    /// assert_eq!(err.downcast::<String>().unwrap(), "gone");
    /// ```
    pub fn downcast<E: 'static>(self) -> Result<E, Self> {
        match self.error.downcast::<E>() {
            Ok(error) => Ok(*error),
            Err(error) => Err(JobError {
                error,
                display: self.display,
            }),
        }
    }
}

impl fmt::Debug for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("JobError")
            .field(&format_args!("{self}"))
            .finish()
    }
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.display)(&*self.error, f)
    }
}

/// Why a request's job did not produce a value: what its exception
/// callback receives, the counterpart of the exception the Python module
/// passes to `exc_callback`.
///
/// A job *panicked*, or, for a request built with
/// [`on_ok`](crate::WorkRequest::on_ok), returned `Err` and so *failed*.
/// `Display` shows the panic message or the error.
///
/// # Examples
///
/// ```
/// use threadpool_core::{Exception, ThreadPool, WorkRequest};
///
/// let mut pool = ThreadPool::with_state(1, Vec::<(bool, String)>::new())?;
/// pool.put_request(
///     WorkRequest::new(|| -> Result<u8, String> { panic!("disk on fire") })
///         .on_ok(|_id, _n| {})
///         .on_exception_with(|log: &mut Vec<_>, _id, exc| log.push((exc.is_panic(), exc.to_string()))),
/// )?;
/// pool.put_request(
///     WorkRequest::new(|| -> Result<u8, String> { Err("no such file".into()) })
///         .on_ok(|_id, _n| {})
///         .on_exception_with(|log: &mut Vec<_>, _id, exc| log.push((exc.is_panic(), exc.to_string()))),
/// )?;
/// pool.wait()?;
/// let mut log = pool.into_state();
/// log.sort();
/// assert_eq!(log, [(false, "no such file".to_owned()), (true, "disk on fire".to_owned())]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Exception {
    /// The job panicked.
    Panicked(Panic),
    /// The job returned `Err` (requests built with `on_ok` only).
    Failed(JobError),
    /// The request was cancelled with [`ThreadPool::cancel`](crate::ThreadPool::cancel)
    /// (or `cancel_all`): before it started, or while it ran, in which case
    /// whatever its job returned was dropped.
    Cancelled,
}

impl Exception {
    /// Whether the job panicked (rather than returned an error).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{Exception, JobError, Panic};
    ///
    /// assert!(Exception::Panicked(Panic::new(Box::new("boom"))).is_panic());
    /// assert!(!Exception::Failed(JobError::new("bad")).is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self, Exception::Panicked(_))
    }

    /// Whether the request was cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::Exception;
    ///
    /// assert!(Exception::Cancelled.is_cancelled());
    /// assert_eq!(Exception::Cancelled.to_string(), "cancelled");
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Exception::Cancelled)
    }

    /// The panic, if the job panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{Exception, Panic};
    ///
    /// let exc = Exception::Panicked(Panic::new(Box::new("boom")));
    /// assert_eq!(exc.panic().and_then(Panic::message), Some("boom"));
    /// ```
    pub fn panic(&self) -> Option<&Panic> {
        match self {
            Exception::Panicked(panic) => Some(panic),
            Exception::Failed(_) | Exception::Cancelled => None,
        }
    }

    /// The job's error, if it failed with one of type `E`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{Exception, JobError};
    ///
    /// let exc = Exception::Failed(JobError::new(404_u16));
    /// assert_eq!(exc.error::<u16>(), Some(&404));
    /// ```
    pub fn error<E: 'static>(&self) -> Option<&E> {
        match self {
            Exception::Failed(error) => error.downcast_ref(),
            Exception::Panicked(_) | Exception::Cancelled => None,
        }
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exception::Panicked(panic) => fmt::Display::fmt(panic, f),
            Exception::Failed(error) => fmt::Display::fmt(error, f),
            Exception::Cancelled => f.write_str("cancelled"),
        }
    }
}

impl From<Panic> for Exception {
    fn from(panic: Panic) -> Self {
        Exception::Panicked(panic)
    }
}
