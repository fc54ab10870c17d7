//! Cancellation: the [`CancelToken`] a job checks, the [`Control`] block a
//! cancellable request shares between its job and the polling side, and
//! what [`ThreadPool::cancel`](crate::ThreadPool::cancel) reports.
//!
//! # The state machine
//!
//! A cancellable request's [`Control`] holds one atomic state:
//!
//! ```text
//!            worker starts it (CAS)                cancel() (CAS)
//!   QUEUED ─────────────────────────▶ RUNNING ────────────────────▶ CANCEL_REQUESTED
//!      │
//!      │ cancel() (CAS)
//!      ▼
//!   CANCELLED   (the worker that later pops the job drops it unrun)
//! ```
//!
//! The worker's `QUEUED → RUNNING` and the poller's `QUEUED → CANCELLED` are
//! compare-and-swaps on the same word, so exactly one of them wins: either
//! the job runs (and its result is reported, as cancelled if a cancel
//! arrives before its callbacks run), or it never runs and `cancel` reports
//! it at once. The worker that pops a `CANCELLED` job sends nothing back,
//! so the request's callbacks, already taken out of the polling side's
//! table, are never looked for again.
//!
//! The winner also owns the request's slot of a bounded request queue: the
//! worker gives it back as it starts the job (as for any request), `cancel`
//! as it takes the request out; the worker that later drops a `CANCELLED`
//! job, and the shutdown paths that drop queued jobs (`Job::holds_slot`),
//! leave it alone.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::{OnceLock, Weak};

use crate::id::RequestId;
use crate::progress::ProgressCallback;
use crate::registry::Shared;
use crate::sync::{Arc, AtomicU64, AtomicUsize, Ordering};

/// Put, not yet started.
const QUEUED: usize = 0;
/// Started by a worker.
const RUNNING: usize = 1;
/// Cancelled before it started: it will never run.
const CANCELLED: usize = 2;
/// Cancelled while running (or after its job returned, before its callbacks
/// ran): its outcome is reported as cancelled.
const CANCEL_REQUESTED: usize = 3;

/// Where a running request's progress notices go: set once, when the
/// request is put.
pub(crate) struct Sink {
    pub(crate) id: RequestId,
    pub(crate) shared: Weak<Shared>,
    /// The request took a slot of the bounded queue when it was put: the
    /// side that wins the race for it gives the slot back (the worker that
    /// starts it, or `cancel`).
    holds_slot: bool,
}

/// What a cancellable request's job and the polling side share.
pub(crate) struct Control {
    state: AtomicUsize,
    /// Set when the request is put, before its job can run.
    pub(crate) sink: OnceLock<Sink>,
}

impl Control {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Control {
            state: AtomicUsize::new(QUEUED),
            sink: OnceLock::new(),
        })
    }

    /// Records where the request was put.
    pub(crate) fn bind(&self, id: RequestId, shared: &Arc<Shared>, holds_slot: bool) {
        let _ = self.sink.set(Sink {
            id,
            shared: Arc::downgrade(shared),
            holds_slot,
        });
    }

    /// Whether the request holds a slot of the bounded queue.
    pub(crate) fn holds_slot(&self) -> bool {
        self.sink.get().is_some_and(|sink| sink.holds_slot)
    }

    /// Whether `cancel` took the request out before it started (and so gave
    /// its slot of the bounded queue back).
    #[inline]
    pub(crate) fn dequeued(&self) -> bool {
        // Acquire: pairs with the CAS in `cancel`.
        self.state.load(Ordering::Acquire) == CANCELLED
    }

    /// The worker is about to run the job: `false` if it was cancelled
    /// first (then the job must be dropped unrun, and nothing sent back).
    #[inline]
    pub(crate) fn start(&self) -> bool {
        // AcqRel/Acquire: the CAS races the one in `cancel` on this word
        // only; no other data is published through it.
        self.state
            .compare_exchange(QUEUED, RUNNING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// The polling side cancels the request.
    pub(crate) fn cancel(&self) -> CancelOutcome {
        // AcqRel/Acquire: races `start` on this word only.
        match self
            .state
            .compare_exchange(QUEUED, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => CancelOutcome::Dequeued,
            Err(RUNNING) => {
                // Only this thread (the poller) moves RUNNING on.
                self.state.store(CANCEL_REQUESTED, Ordering::Release);
                CancelOutcome::Signalled
            }
            Err(_) => CancelOutcome::NotFound,
        }
    }

    /// Whether the request was cancelled, before or after it started.
    #[inline]
    pub(crate) fn is_cancelled(&self) -> bool {
        // Acquire: pairs with the Release store (or CAS) in `cancel`; a
        // hint the job polls, nothing else is published with it.
        self.state.load(Ordering::Acquire) >= CANCELLED
    }
}

/// What a cancellable request carries besides its callbacks, on the
/// polling side: boxed, so that requests without it pay one word.
pub(crate) struct Extras<'a> {
    pub(crate) control: Arc<Control>,
    /// The progress cell, when the job reports progress, with the type of
    /// its values (checked when the progress callback is set).
    pub(crate) progress: Option<(Arc<dyn Any + Send + Sync>, &'static str)>,
    /// Takes the latest value out of the cell and hands it to the user's
    /// callback.
    pub(crate) on_progress: Option<ProgressCallback<'a>>,
}

impl Extras<'_> {
    pub(crate) fn new(control: Arc<Control>) -> Self {
        Extras {
            control,
            progress: None,
            on_progress: None,
        }
    }
}

/// The polling side's table of outstanding cancellable requests put
/// through the `ThreadPool`: by id, their slot in the callbacks' table,
/// their control block and their progress callback.
#[derive(Default)]
pub(crate) struct Controlled<'a> {
    by_id: HashMap<RequestId, Entry<'a>>,
}

struct Entry<'a> {
    slot: u32,
    control: Arc<Control>,
    on_progress: Option<ProgressCallback<'a>>,
}

impl<'a> Controlled<'a> {
    pub(crate) fn insert(
        &mut self,
        id: RequestId,
        slot: u32,
        control: Arc<Control>,
        on_progress: Option<ProgressCallback<'a>>,
    ) {
        self.by_id.insert(
            id,
            Entry {
                slot,
                control,
                on_progress,
            },
        );
    }

    pub(crate) fn remove(&mut self, id: RequestId) {
        self.by_id.remove(&id);
    }

    /// Cancels request `id` if it is here: `Some(slot)` when it was taken
    /// out before it started (the caller reports it), `None` otherwise.
    pub(crate) fn cancel(&mut self, id: RequestId) -> (CancelOutcome, Option<u32>) {
        let Some(entry) = self.by_id.get(&id) else {
            return (CancelOutcome::NotFound, None);
        };
        match entry.control.cancel() {
            CancelOutcome::Dequeued => {
                let slot = entry.slot;
                self.by_id.remove(&id);
                (CancelOutcome::Dequeued, Some(slot))
            }
            outcome => (outcome, None),
        }
    }

    /// The ids of every request here not cancelled yet.
    pub(crate) fn ids(&self) -> Vec<RequestId> {
        self.by_id
            .iter()
            .filter(|(_, entry)| !entry.control.is_cancelled())
            .map(|(id, _)| *id)
            .collect()
    }

    /// Delivers request `id`'s latest progress value, on the polling
    /// thread; `false` if the request is not here (put through a handle,
    /// or delivered or cancelled meanwhile).
    pub(crate) fn progress(&mut self, id: RequestId, state: &mut dyn Any) -> bool {
        let Some(entry) = self.by_id.get_mut(&id) else {
            return false;
        };
        if !entry.control.is_cancelled()
            && let Some(on_progress) = &mut entry.on_progress
        {
            on_progress(state, id);
        }
        true
    }
}

/// Counts of cancelled requests, for [`PoolStats`](crate::PoolStats).
#[derive(Default)]
pub(crate) struct Cancels {
    /// Cancelled before they started (never run).
    pub(crate) dequeued: AtomicU64,
    /// Reported as cancelled, whether or not they had started.
    pub(crate) reported: AtomicU64,
}

impl Cancels {
    pub(crate) fn count(&self, outcome: CancelOutcome) {
        // Relaxed: statistics; nothing is published through them.
        if outcome == CancelOutcome::Dequeued {
            self.dequeued.fetch_add(1, Ordering::Relaxed);
        }
        self.reported.fetch_add(1, Ordering::Relaxed);
    }
}

/// What [`ThreadPool::cancel`](crate::ThreadPool::cancel) did.
///
/// # Examples
///
/// ```
/// use threadpool_core::{CancelOutcome, ThreadPool, WorkRequest};
///
/// let mut pool = ThreadPool::new(0)?; // no workers: the request stays queued
/// let id = pool.put_request(WorkRequest::new(|| 1).cancellable())?;
/// assert_eq!(pool.cancel(id), CancelOutcome::Dequeued);
/// assert_eq!(pool.cancel(id), CancelOutcome::NotFound);
/// assert_eq!(pool.outstanding(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use = "a cancel can find nothing to cancel"]
pub enum CancelOutcome {
    /// The request had not started: it was taken out, will never run, and
    /// its exception callback has been called with
    /// [`Exception::Cancelled`](crate::Exception::Cancelled).
    Dequeued,
    /// The request's job is running: its [`CancelToken`] now says so, and
    /// its outcome, whatever the job does, will be reported as
    /// [`Exception::Cancelled`](crate::Exception::Cancelled) by a later poll.
    Signalled,
    /// No cancellable request with this id is outstanding: it was never
    /// put, is not cancellable, was cancelled already, or its callbacks
    /// have run.
    NotFound,
}

/// What a cancellable job checks to stop early: see
/// [`WorkRequest::with_cancel`](crate::WorkRequest::with_cancel).
///
/// Cancellation is cooperative: a running job is never interrupted; it
/// looks at [`is_cancelled`](Self::is_cancelled) when it can (between
/// chunks of a file, between retries) and returns early. Whatever it then
/// returns is dropped, and its request is reported as cancelled.
///
/// # Examples
///
/// ```
/// use threadpool_core::{CancelOutcome, Exception, ThreadPool, WorkRequest};
///
/// let (started_tx, started) = std::sync::mpsc::channel();
/// let mut reported = None;
/// let mut pool = ThreadPool::new(1)?;
/// let id = pool.put_request(
///     WorkRequest::with_cancel(move |token| {
///         started_tx.send(()).unwrap();
///         let mut spins = 0_u64;
///         while !token.is_cancelled() {
///             spins += 1;
///             std::hint::spin_loop();
///         }
///         spins
///     })
///     .on_result(|_id, _spins| unreachable!("a cancelled job's value is dropped"))
///     .on_exception(|_id, exc| reported = Some(matches!(exc, Exception::Cancelled))),
/// )?;
/// started.recv()?;
/// assert_eq!(pool.cancel(id), CancelOutcome::Signalled);
/// pool.wait()?;
/// assert_eq!(pool.stats().cancelled, 1);
/// drop(pool);
/// assert_eq!(reported, Some(true));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct CancelToken {
    pub(crate) control: Arc<Control>,
}

impl CancelToken {
    /// Whether the request was cancelled. Cheap (one atomic load): call it
    /// as often as a loop turns.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut seen = None;
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.put_request(WorkRequest::with_cancel(|token| token.is_cancelled()).on_result(|_, c| seen = Some(c)))?;
    /// pool.wait()?;
    /// drop(pool);
    /// assert_eq!(seen, Some(false));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.control.is_cancelled()
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_queued_request_is_cancelled_once_and_never_starts() {
        let control = Control::new();
        assert_eq!(control.cancel(), CancelOutcome::Dequeued);
        assert!(!control.start());
        assert!(control.is_cancelled());
        assert_eq!(control.cancel(), CancelOutcome::NotFound);
    }

    #[test]
    fn a_running_request_is_signalled_once() {
        let control = Control::new();
        assert!(control.start());
        assert!(!control.is_cancelled());
        assert_eq!(control.cancel(), CancelOutcome::Signalled);
        assert!(control.is_cancelled());
        assert_eq!(control.cancel(), CancelOutcome::NotFound);
    }
}
