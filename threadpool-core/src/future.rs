//! Awaiting the pool from async code, on any executor: an async put that
//! waits for room in a bounded queue, and async waits for results, whose
//! callbacks run on the awaiting task.
//!
//! Nothing here depends on a runtime: the futures are plain
//! [`std::future::Future`]s that register their task's [`Waker`](std::task::Waker)
//! with the pool's wake-up handshake (`notify.rs`). A worker that sends a
//! result, or frees a slot of the bounded queue, wakes the task; the task,
//! when polled, runs the callbacks itself. A future borrows the pool
//! mutably, so the pool (which is not `Send`) stays on the thread that
//! awaits it; see the guide's section on async code for runtimes.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::{PollError, PutError, PutErrorKind};
use crate::id::RequestId;
use crate::pool::ThreadPool;
use crate::request::WorkRequest;

/// Rounds of results a future handles in one `poll` before it yields to
/// its executor (waking itself), so that a stream of results cannot
/// starve the executor's other tasks.
const ROUNDS_PER_POLL: usize = 16;

impl<'a, S: 'static> ThreadPool<'a, S> {
    /// Puts a request, waiting without blocking the thread while a bounded
    /// request queue is full: the async [`put_request`](Self::put_request).
    /// Resolves to the request's id.
    ///
    /// While it waits, it runs the callbacks of results that arrive (as
    /// the blocking put does), so a bounded result queue cannot stall it.
    /// Dropping the future before it resolves drops the request, unput.
    ///
    /// # Errors
    ///
    /// As `put_request`: a [`PutError`] that says why the request was
    /// refused ([`NoWorkersAvailable`](PutErrorKind::NoWorkersAvailable)
    /// when the queue is full and no worker is left to empty it).
    ///
    /// # Examples
    ///
    /// ```
    /// use pollster::block_on; // any executor will do
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::builder().num_workers(2).queue_size(2).build_with_state(0_u64)?;
    /// block_on(async {
    ///     for n in 1..=100_u64 {
    ///         // Waits (without blocking) while two requests are queued.
    ///         pool.put_request_async(WorkRequest::new(move || n).on_result_with(|sum: &mut u64, _, n| *sum += n))
    ///             .await?;
    ///     }
    ///     pool.wait_async().await?;
    ///     Ok::<_, Box<dyn std::error::Error>>(())
    /// })?;
    /// assert_eq!(*pool.state(), 5050);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn put_request_async<T: Send + 'static>(
        &mut self,
        request: impl Into<WorkRequest<'a, T>>,
    ) -> PutRequestAsync<'_, 'a, S, T> {
        PutRequestAsync {
            pool: self,
            request: Some(request.into()),
        }
    }

    /// Resolves once every outstanding request has had its callbacks,
    /// which run on the awaiting task as results arrive: the async
    /// [`wait`](Self::wait).
    ///
    /// # Errors
    ///
    /// [`PollError::NoWorkersAvailable`] when requests are outstanding but
    /// no worker is left to run them.
    ///
    /// # Examples
    ///
    /// ```
    /// use pollster::block_on; // any executor will do
    /// use threadpool_core::{ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::with_state(2, Vec::<&str>::new())?;
    /// pool.put_request(WorkRequest::new(|| "hi").on_result_with(|seen: &mut Vec<_>, _, s| seen.push(s)))?;
    /// block_on(pool.wait_async())?;
    /// assert_eq!(pool.state(), &["hi"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_async(&mut self) -> WaitAsync<'_, 'a, S> {
        WaitAsync { pool: self }
    }

    /// Resolves once at least one result has been handled (its callbacks
    /// run on the awaiting task), with how many were: the async
    /// [`poll_blocking`](Self::poll_blocking). Progress values that arrive
    /// meanwhile are delivered too.
    ///
    /// # Errors
    ///
    /// [`PollError::NoResultsPending`] when no request is outstanding;
    /// [`PollError::NoWorkersAvailable`] when requests are outstanding but
    /// no worker is left to run them.
    ///
    /// # Examples
    ///
    /// ```
    /// use pollster::block_on; // any executor will do
    /// use threadpool_core::{PollError, ThreadPool, WorkRequest};
    ///
    /// let mut pool = ThreadPool::new(1)?;
    /// pool.put_request(WorkRequest::new(|| 1))?;
    /// assert_eq!(block_on(pool.poll_async()), Ok(1));
    /// assert_eq!(block_on(pool.poll_async()), Err(PollError::NoResultsPending));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn poll_async(&mut self) -> PollAsync<'_, 'a, S> {
        PollAsync { pool: self }
    }
}

/// The future of [`ThreadPool::put_request_async`].
///
/// # Examples
///
/// ```
/// use threadpool_core::{PutRequestAsync, ThreadPool, WorkRequest};
///
/// let mut pool = ThreadPool::new(1)?;
/// let put: PutRequestAsync<'_, '_, (), u8> = pool.put_request_async(WorkRequest::new(|| 1));
/// drop(put); // never awaited: the request is dropped unput
/// assert_eq!(pool.outstanding(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct PutRequestAsync<'p, 'a, S: 'static, T> {
    pool: &'p mut ThreadPool<'a, S>,
    request: Option<WorkRequest<'a, T>>,
}

impl<S: 'static, T: Send + 'static> Future for PutRequestAsync<'_, '_, S, T> {
    type Output = Result<RequestId, PutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        for _ in 0..ROUNDS_PER_POLL {
            let request = this
                .request
                .take()
                .expect("PutRequestAsync polled after it resolved");
            let id = request.id();
            match this.pool.offer(request) {
                Ok(id) => return Poll::Ready(Ok(id)),
                Err(refused) if refused.kind() == PutErrorKind::Full => {
                    this.request = Some(refused.into_request());
                }
                Err(refused) => return Poll::Ready(Err(refused.error())),
            }
            // Full: run the callbacks of arrived results (which may be what
            // a worker waits on), then wait for room or for a result.
            if matches!(this.pool.poll_quietly(), Ok(ran) if ran > 0) {
                continue;
            }
            if this.pool.no_workers_left() {
                this.request = None;
                return Poll::Ready(Err(PutError::new(PutErrorKind::NoWorkersAvailable, id)));
            }
            if this.pool.watch_room(cx.waker()) && this.pool.watch_results(cx.waker()) {
                return Poll::Pending;
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The future of [`ThreadPool::wait_async`].
///
/// # Examples
///
/// ```
/// use threadpool_core::{ThreadPool, WaitAsync};
///
/// let mut pool = ThreadPool::new(1)?;
/// let wait: WaitAsync<'_, '_, ()> = pool.wait_async();
/// # drop(wait);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct WaitAsync<'p, 'a, S: 'static> {
    pool: &'p mut ThreadPool<'a, S>,
}

impl<S: 'static> Future for WaitAsync<'_, '_, S> {
    type Output = Result<(), PollError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let pool = &mut *self.get_mut().pool;
        for _ in 0..ROUNDS_PER_POLL {
            match pool.poll_quietly() {
                Err(PollError::NoResultsPending) => return Poll::Ready(Ok(())),
                Err(other) => return Poll::Ready(Err(other)),
                Ok(_) if pool.outstanding() == 0 => return Poll::Ready(Ok(())),
                Ok(_) => {}
            }
            if pool.no_workers_left() {
                return Poll::Ready(Err(PollError::NoWorkersAvailable));
            }
            if pool.watch_results(cx.waker()) {
                return Poll::Pending;
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The future of [`ThreadPool::poll_async`].
///
/// # Examples
///
/// ```
/// use threadpool_core::{PollAsync, ThreadPool};
///
/// let mut pool = ThreadPool::new(1)?;
/// let poll: PollAsync<'_, '_, ()> = pool.poll_async();
/// # drop(poll);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct PollAsync<'p, 'a, S: 'static> {
    pool: &'p mut ThreadPool<'a, S>,
}

impl<S: 'static> Future for PollAsync<'_, '_, S> {
    type Output = Result<usize, PollError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let pool = &mut *self.get_mut().pool;
        for _ in 0..ROUNDS_PER_POLL {
            match pool.poll_quietly() {
                Ok(ran) if ran > 0 => return Poll::Ready(Ok(ran)),
                Ok(_) => {}
                Err(err) => return Poll::Ready(Err(err)),
            }
            if pool.no_workers_left() {
                return Poll::Ready(Err(PollError::NoWorkersAvailable));
            }
            if pool.watch_results(cx.waker()) {
                return Poll::Pending;
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
