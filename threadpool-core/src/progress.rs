//! Progress from running jobs: the [`Progress`] handle a job reports
//! through, and how its values reach the polling thread.
//!
//! Each request built with [`WorkRequest::with_progress`](crate::WorkRequest::with_progress)
//! has one slot for its latest value and one flag, `notice`, both under a
//! small lock. [`Progress::report`] stores the value in the slot and, if no
//! notice is on its way already, sends one (a `Message::Progress` with the
//! request's id) on the result queue and wakes the polling side (see
//! `notify.rs`). The polling thread, handling the notice, takes the slot's
//! value and clears the flag under the same lock, then calls the request's
//! progress callback.
//!
//! So a job faster than its poller overwrites values the poller has not
//! seen (coalescing: only the latest value is delivered), never more than
//! one value and one notice per request exist at a time (bounded memory,
//! however often the job reports), and values arrive in the order they
//! were reported (a value is only ever replaced by a later one). A notice
//! is sent by the job's own thread before its result, and the result
//! queue keeps one thread's messages in order, so every progress callback
//! of a request runs before its result callback.

use std::any::Any;
use std::fmt;

use crate::cancel::{CancelToken, Control};
use crate::id::RequestId;
use crate::sync::{Arc, Mutex, lock};

/// The latest value reported and not yet delivered, and whether a notice
/// for it is on the result queue.
struct Latest<P> {
    value: Option<P>,
    notice: bool,
}

/// A request's progress slot, shared by its job and the polling side.
pub(crate) struct ProgressCell<P> {
    latest: Mutex<Latest<P>>,
}

impl<P: Send + 'static> ProgressCell<P> {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(ProgressCell {
            latest: Mutex::new(Latest {
                value: None,
                notice: false,
            }),
        })
    }

    /// On the polling thread, for a notice: the latest value, if any.
    pub(crate) fn take(&self) -> Option<P> {
        let mut latest = lock(&self.latest);
        latest.notice = false;
        latest.value.take()
    }
}

/// A progress callback, erased: state and id; it takes the value out of
/// the cell it captured.
pub(crate) type ProgressCallback<'a> = Box<dyn FnMut(&mut dyn Any, RequestId) + 'a>;

/// How a running job reports progress: handed to the job of a request
/// built with [`WorkRequest::with_progress`](crate::WorkRequest::with_progress).
///
/// Each [`report`](Self::report) replaces the value before it; the request's
/// progress callback ([`on_progress`](crate::WorkRequest::on_progress)) runs
/// on the polling thread with the latest value each time the pool is
/// polled. Values are never delivered out of order, a value is never
/// delivered twice, and a poller slower than its jobs sees fewer values, not
/// more memory: at most one value per request waits. Every progress
/// callback of a request runs before its result callback.
///
/// The job's request is cancellable too ([`is_cancelled`](Self::is_cancelled)).
///
/// # Examples
///
/// ```
/// use threadpool_core::{Progress, ThreadPool, WorkRequest};
///
/// let mut seen = Vec::new();
/// let mut pool = ThreadPool::new(1)?;
/// pool.put_request(
///     WorkRequest::with_progress(|progress: Progress<u32>| {
///         for percent in [25, 50, 75, 100] {
///             progress.report(percent);
///         }
///         "done"
///     })
///     .on_progress(|_id, percent: u32| seen.push(percent))
///     .on_result(|_id, _done| {}),
/// )?;
/// pool.wait()?;
/// drop(pool);
/// // Coalesced: some values may be skipped, but they come in order and the
/// // last one is never lost.
/// assert!(seen.windows(2).all(|w| w[0] < w[1]));
/// assert_eq!(seen.last(), Some(&100));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Progress<P> {
    pub(crate) cell: Arc<ProgressCell<P>>,
    pub(crate) control: Arc<Control>,
}

impl<P: Send + 'static> Progress<P> {
    /// Reports `value`: it replaces any value not yet delivered, and the
    /// polling side is woken (its notifier called, an async waiter woken)
    /// if it is not polling. Cheap when called often: a lock and a store,
    /// plus one message per value the poller takes.
    ///
    /// After the pool has gone, or once the request is cancelled, the value
    /// is kept but never delivered. With a bounded result queue
    /// ([`result_queue_size`](crate::ThreadPoolBuilder::result_queue_size)),
    /// the one message per taken value waits for room as a result does.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{Progress, ThreadPool, WorkRequest};
    ///
    /// let mut last = 0;
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.put_request(
    ///     WorkRequest::with_progress(|progress: Progress<u64>| {
    ///         let mut copied = 0;
    ///         for chunk in [4096_u64; 8] {
    ///             copied += chunk;
    ///             progress.report(copied);
    ///         }
    ///         copied
    ///     })
    ///     .on_progress(|_id, bytes: u64| last = bytes),
    /// )?;
    /// pool.wait()?;
    /// drop(pool);
    /// assert_eq!(last, 8 * 4096);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn report(&self, value: P) {
        let (replaced, send) = {
            let mut latest = lock(&self.cell.latest);
            let replaced = latest.value.replace(value);
            (replaced, !std::mem::replace(&mut latest.notice, true))
        };
        // The old value's destructor is user code: not under the lock.
        drop(replaced);
        if send {
            self.send_notice();
        }
    }

    #[cold]
    fn send_notice(&self) {
        let Some(sink) = self.control.sink.get() else {
            return;
        };
        let Some(shared) = sink.shared.upgrade() else {
            return;
        };
        // Also wakes the owner's event loop, if it asked (notify.rs).
        shared.send(crate::results::progress_notice(sink.id), true);
    }

    /// Whether the request was cancelled; see [`CancelToken::is_cancelled`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{Progress, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.put_request(WorkRequest::with_progress(|p: Progress<u8>| assert!(!p.is_cancelled())))?;
    /// pool.wait()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.control.is_cancelled()
    }

    /// The request's [`CancelToken`], to hand to code that only checks for
    /// cancellation.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{Progress, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.put_request(WorkRequest::with_progress(|p: Progress<u8>| {
    ///     let token = p.cancel_token();
    ///     assert!(!token.is_cancelled());
    /// }))?;
    /// pool.wait()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cancel_token(&self) -> CancelToken {
        CancelToken {
            control: Arc::clone(&self.control),
        }
    }
}

impl<P> Clone for Progress<P> {
    fn clone(&self) -> Self {
        Progress {
            cell: Arc::clone(&self.cell),
            control: Arc::clone(&self.control),
        }
    }
}

impl<P> fmt::Debug for Progress<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Progress").finish_non_exhaustive()
    }
}
