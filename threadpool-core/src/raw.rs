//! [`JobRef`]: a job that lives outside the pool's queues.

/// A pointer to a job and the function that runs it.
///
/// The pool's fork-join operations ([`PoolHandle::join`](crate::PoolHandle::join),
/// [`scope`](crate::PoolHandle::scope), [`install`](crate::PoolHandle::install))
/// keep their jobs on the stack of the waiting thread and queue only this
/// pointer, so forking allocates nothing.
pub(crate) struct JobRef {
    data: *const (),
    execute: unsafe fn(*const ()),
}

// SAFETY: a `JobRef` is only built (in `JobRef::new`) for jobs whose data is
// `Sync` and whose closure is `Send`; running it on another thread is what it
// is for.
unsafe impl Send for JobRef {}

impl JobRef {
    /// # Safety
    ///
    /// `data` must stay valid until `execute(data)` has run; `execute` must be
    /// called at most once per `JobRef`, must not unwind, and must be sound to
    /// call from any thread (the job's closure is `Send`, its state `Sync`).
    #[inline]
    pub(crate) unsafe fn new(data: *const (), execute: unsafe fn(*const ())) -> Self {
        JobRef { data, execute }
    }

    /// Identifies the job: two `JobRef`s to the same job have the same id.
    #[inline]
    pub(crate) fn id(&self) -> *const () {
        self.data
    }

    /// # Safety
    ///
    /// Called once, under the contract of [`JobRef::new`].
    pub(crate) unsafe fn execute(self) {
        // SAFETY: the caller upholds the contract of `JobRef::new`.
        unsafe { (self.execute)(self.data) }
    }
}
