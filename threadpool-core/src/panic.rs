//! [`Panic`]: what a job that panicked leaves behind.

use std::any::Any;
use std::fmt;

/// The panic of a job, handed to its request's exception callback.
///
/// This is the Rust counterpart of the exception the Python module passes to
/// `exc_callback`: it carries the panic payload and, when the payload is a
/// string (as it is for `panic!("...")`), its message.
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
///         .on_exception(|_id, panic| message = panic.message().map(str::to_owned)),
/// )
/// .map_err(|e| e.kind())?;
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
