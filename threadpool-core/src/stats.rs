//! [`PoolStats`]: counters a caller can read at any time.

/// A snapshot of a pool's counters, e.g. to drive a progress bar.
///
/// The counts cover work requests (not closures given to
/// [`PoolHandle::spawn`](crate::PoolHandle::spawn) or
/// [`join`](crate::PoolHandle::join)). Workers update their own counters
/// without synchronising with each other, so a snapshot taken while requests
/// run may be a few requests behind; once the pool is idle it is exact.
///
/// # Examples
///
/// ```
/// use threadpool_core::{ThreadPool, WorkRequest};
///
/// let mut pool = ThreadPool::new(2)?;
/// for n in 0..10 {
///     pool.put_request(WorkRequest::new(move || if n == 3 { panic!("three") } else { n }).ignore_exception())?;
/// }
/// pool.wait()?;
/// let stats = pool.stats();
/// assert_eq!((stats.workers, stats.queued, stats.running), (2, 0, 0));
/// assert_eq!((stats.completed, stats.panicked), (9, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PoolStats {
    /// Worker threads, not counting dismissed ones still finishing a job.
    pub workers: usize,
    /// Requests put and not yet started.
    pub queued: u64,
    /// Requests started and not yet finished.
    pub running: u64,
    /// Requests whose job returned.
    pub completed: u64,
    /// Requests whose job panicked.
    pub panicked: u64,
    /// Requests reported as cancelled ([`ThreadPool::cancel`](crate::ThreadPool::cancel)):
    /// those taken out of the queue unrun, and those cancelled while they
    /// ran (which also count in `completed` or `panicked`).
    pub cancelled: u64,
}
